//! The generated client: fresh against openapi.json, forward compatible, and usable.

use unitysvc::open_enums::ServiceEnrollmentStatusEnum;
use unitysvc::types::CustomerEnrollment;

#[test]
fn committed_generated_copy_is_fresh() {
    let built = include_str!(concat!(env!("OUT_DIR"), "/unitysvc_client.rs"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/generated/client.rs");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == built,
        "generated/client.rs is stale; refresh it with `UNITYSVC_UPDATE_GENERATED=1 cargo build` and commit the diff"
    );
}

#[test]
fn unknown_enum_values_and_fields_still_decode() {
    let body = serde_json::json!({
        "id": "6f1c1f7e-8f0a-4a43-9d55-0a6f1d1b2c3d", "service_id": "0b7e1c2a-5d4f-4e3a-8c2b-1a2b3c4d5e6f", "status": "frozen", "created_at": "2026-01-01T00:00:00Z",
        "field_from_the_future": {"nested": true}
    });
    let enrollment: CustomerEnrollment = serde_json::from_value(body).expect("decodes");
    assert_eq!(
        enrollment.status,
        ServiceEnrollmentStatusEnum::Unknown("frozen".into())
    );
    assert!(!enrollment.status.is_known());
    assert_eq!(enrollment.status.to_string(), "frozen");
    // Known values keep their typed variant and round-trip unchanged.
    let known: ServiceEnrollmentStatusEnum = serde_json::from_str("\"active\"").unwrap();
    assert_eq!(known, ServiceEnrollmentStatusEnum::Active);
    assert_eq!(serde_json::to_string(&known).unwrap(), "\"active\"");
}
