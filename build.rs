//! Generates the low-level client from `openapi.json` into `$OUT_DIR`.
//!
//! With `UNITYSVC_UPDATE_GENERATED=1` it also refreshes the committed, readable copy in
//! `generated/`; otherwise the source directory is only read, so the crate builds from a
//! read-only checkout or the registry.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=openapi.json");
    println!("cargo:rerun-if-env-changed=UNITYSVC_UPDATE_GENERATED");
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    let spec = std::fs::read_to_string(manifest.join("openapi.json"))
        .unwrap_or_else(|e| panic!("cannot read openapi.json: {e}"));
    let options = unitysvc_codegen::Options {
        inner_type: Some("crate::http::Hooks".into()),
        hand_written: unitysvc_codegen::surface::HAND_WRITTEN
            .iter()
            .map(|m| (*m).to_owned())
            .collect(),
        json_schema_feature: Some("schemars".into()),
        ..Default::default()
    };
    let generated = unitysvc_codegen::generate(&spec, &options)
        .unwrap_or_else(|e| panic!("cannot generate the client from openapi.json: {e}"));
    std::fs::write(out.join("unitysvc_client.rs"), &generated.code)
        .unwrap_or_else(|e| panic!("cannot write the generated client: {e}"));
    let surface = &generated.surface;
    let ops = out.join("operations");
    std::fs::create_dir_all(&ops).unwrap_or_else(|e| panic!("cannot create {ops:?}: {e}"));
    for (module, code) in &surface.modules {
        write(&ops.join(format!("{module}.rs")), code);
    }
    write(&ops.join("extra.rs"), &surface.extra);
    write(&ops.join("blocking.rs"), &surface.blocking);
    write(&ops.join("labels.rs"), &surface.labels);
    write(&ops.join("readable.rs"), &surface.readable);
    write(&ops.join("reach.rs"), &surface.reach);
    // The component → type table tests/schema_fidelity.rs checks the JSON Schemas with.
    std::fs::write(
        out.join("component_types.rs"),
        generated.component_table("unitysvc"),
    )
    .unwrap_or_else(|e| panic!("cannot write the component table: {e}"));

    if std::env::var_os("UNITYSVC_UPDATE_GENERATED").is_some_and(|v| v == "1") {
        let dir = manifest.join("generated");
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create generated/: {e}"));
        std::fs::write(dir.join("client.rs"), &generated.code)
            .unwrap_or_else(|e| panic!("cannot write generated/client.rs: {e}"));
        write(&dir.join("operations.rs"), &surface.readable);
    }
}

fn write(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {path:?}: {e}"));
}
