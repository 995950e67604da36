//! Edges where the sandbox must answer as the platform does: `null` for defaulted fields,
//! error texts that describe the input sent, and names the spec does not bound.

mod common;

use common::{load_spec, start, Env};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use unitysvc_sandbox::validate::NOT_NULLABLE;
use uuid::Uuid;

fn assert_null_refused(r: &common::Reply, loc_tail: &[Value], what: &str) {
    assert_eq!(r.status, 422, "{what}: {}", r.text);
    let items = r.body["detail"].as_array().cloned().unwrap_or_default();
    let hit = items.iter().any(|i| {
        let l = i["loc"].as_array().cloned().unwrap_or_default();
        l.ends_with(loc_tail) && i["input"].is_null() && i["msg"].as_str().is_some()
    });
    assert!(hit, "{what}: no item at {loc_tail:?}: {}", r.text);
}

async fn new_id(env: &Env, path: &str, body: Value) -> String {
    let r = env.demo("POST", path, Some(body)).await;
    assert_eq!(r.status, 201, "{path}: {}", r.text);
    r.body["id"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn null_for_a_defaulted_field_is_a_422() {
    let env = start().await;
    let target = "/p/x/v1/chat/completions";

    // Broadcast targets: inline at create, one added, all replaced.
    let r = env
        .demo(
            "POST",
            "/broadcasts/",
            Some(json!({"name": "b", "targets": [{"name": "t", "target_path": target, "sort_order": null}]})),
        )
        .await;
    assert_null_refused(
        &r,
        &[json!("targets"), json!(0), json!("sort_order")],
        "inline target",
    );
    let bid = new_id(&env, "/broadcasts/", json!({"name": "b"})).await;
    let one = json!({"name": "t", "target_path": target, "sort_order": null});
    let r = env
        .demo(
            "POST",
            &format!("/broadcasts/{bid}/targets"),
            Some(one.clone()),
        )
        .await;
    assert_null_refused(&r, &[json!("body"), json!("sort_order")], "added target");
    let r = env
        .demo(
            "PUT",
            &format!("/broadcasts/{bid}/targets"),
            Some(json!([one])),
        )
        .await;
    assert_null_refused(&r, &[json!(0), json!("sort_order")], "replaced targets");
    let r = env
        .demo(
            "POST",
            "/broadcasts/",
            Some(json!({"name": "b2", "mode": null, "enabled": null})),
        )
        .await;
    assert_null_refused(&r, &[json!("body"), json!("mode")], "broadcast mode");
    assert_null_refused(&r, &[json!("body"), json!("enabled")], "broadcast enabled");

    // Chain steps: on_success and on_failure, each reported.
    let cid = new_id(&env, "/chains/", json!({"name": "c"})).await;
    let step = json!({"name": "s", "target_path": target, "sort_order": 0,
                      "on_success": null, "on_failure": null});
    let r = env
        .demo("POST", &format!("/chains/{cid}/steps"), Some(step))
        .await;
    assert_null_refused(&r, &[json!("body"), json!("on_success")], "on_success");
    assert_null_refused(&r, &[json!("body"), json!("on_failure")], "on_failure");

    // Recurrent requests: http_method at create. The spec's update schema has no
    // http_method, so there it is an unknown field, ignored as pydantic ignores extras.
    let r = env
        .demo(
            "POST",
            "/recurrent-requests/",
            Some(json!({"request_path": target, "http_method": null})),
        )
        .await;
    assert_null_refused(&r, &[json!("body"), json!("http_method")], "http_method");
    let rid = new_id(
        &env,
        "/recurrent-requests/",
        json!({"request_path": target}),
    )
    .await;
    let r = env
        .demo(
            "PATCH",
            &format!("/recurrent-requests/{rid}"),
            Some(json!({"http_method": null, "name": "n"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["http_method"], "POST", "{}", r.text);

    // Absent still means the default.
    let r = env
        .demo(
            "POST",
            &format!("/chains/{cid}/steps"),
            Some(json!({"name": "s", "target_path": target, "sort_order": 0})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["on_success"], "stop");
    assert_eq!(r.body["on_failure"], "relay");
}

/// Every request-body schema reachable from an operation, with its defaulted non-null fields.
fn spec_not_nullable(spec: &Value) -> BTreeSet<(String, String)> {
    fn walk(v: &Value, schemas: &Value, seen: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let Some(name) = m.get("$ref").and_then(Value::as_str) {
                    let name = name.rsplit('/').next().unwrap_or_default().to_string();
                    if seen.insert(name.clone()) {
                        walk(&schemas[&name], schemas, seen);
                    }
                }
                m.values().for_each(|c| walk(c, schemas, seen));
            }
            Value::Array(a) => a.iter().for_each(|c| walk(c, schemas, seen)),
            _ => {}
        }
    }
    let schemas = &spec["components"]["schemas"];
    let mut seen = BTreeSet::new();
    for ops in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in ops.as_object().into_iter().flat_map(|o| o.values()) {
            walk(&op["requestBody"], schemas, &mut seen);
        }
    }
    let mut out = BTreeSet::new();
    for name in seen {
        let props = schemas[&name]["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (field, p) in props {
            let nullable = p.get("anyOf").is_some() || p["nullable"] == true;
            if p.get("default").is_some_and(|d| !d.is_null()) && !nullable {
                out.insert((name.clone(), field));
            }
        }
    }
    out
}

#[test]
fn the_null_table_is_the_spec_s() {
    let Some(spec) = load_spec() else { return };
    let from_spec = spec_not_nullable(&spec);
    let table: BTreeSet<(String, String)> = NOT_NULLABLE
        .iter()
        .map(|(s, f, _)| (s.to_string(), f.to_string()))
        .collect();
    assert!(from_spec.len() >= 10, "{from_spec:?}");
    assert_eq!(table, from_spec);
}

#[tokio::test]
async fn uuid_errors_describe_the_input_sent() {
    let env = start().await;
    let mut msgs = BTreeSet::new();
    for raw in ["not-a-uuid", "7c1f3c5e-0000-4000-8000-00000000000", "zz"] {
        let r = env.demo("GET", &format!("/chains/{raw}"), None).await;
        assert_eq!(r.status, 422, "{}", r.text);
        let msg = r.body["detail"][0]["msg"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let want = format!(
            "Input should be a valid UUID, {}",
            Uuid::parse_str(raw).expect_err("bad uuid")
        );
        assert_eq!(msg, want, "{raw}");
        msgs.insert(msg);
    }
    assert_eq!(msgs.len(), 3, "each input gets its own account: {msgs:?}");

    let r = env
        .demo(
            "PUT",
            "/services/7c1f3c5e-0000-4000-8000-000000000000/groups",
            Some(json!({"group_ids": ["nope"]})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.body["detail"][0]["msg"]
            .as_str()
            .is_some_and(|m| m.ends_with(&Uuid::parse_str("nope").expect_err("bad").to_string())),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn an_integer_out_of_range_says_so() {
    let env = start().await;
    let bid = new_id(&env, "/broadcasts/", json!({"name": "b"})).await;
    let target = "/p/x/v1/chat/completions";
    for (raw, what) in [
        ("99999999999999999999", "u64 past i64"),
        ("1e30", "whole float past i64"),
        ("\"99999999999999999999\"", "digits in a string"),
    ] {
        let body = format!(r#"{{"name":"t","target_path":"{target}","sort_order":{raw}}}"#);
        let r = env
            .demo_raw("POST", &format!("/broadcasts/{bid}/targets"), body)
            .await;
        assert_eq!(r.status, 422, "{what}: {}", r.text);
        let item = &r.body["detail"][0];
        assert_eq!(item["type"], "int_out_of_range", "{what}: {}", r.text);
        let msg = item["msg"].as_str().unwrap_or_default();
        assert!(msg.contains("between"), "{what}: {msg}");
        assert!(!msg.contains("unable to parse"), "{what}: {msg}");
    }
    // A fraction and garbage keep their own texts.
    let body = format!(r#"{{"name":"t","target_path":"{target}","sort_order":1.5}}"#);
    let r = env
        .demo_raw("POST", &format!("/broadcasts/{bid}/targets"), body)
        .await;
    assert_eq!(r.body["detail"][0]["type"], "int_from_float", "{}", r.text);
    assert!(r.body["detail"][0]["msg"]
        .as_str()
        .is_some_and(|m| m.contains("fractional")));
    let r = env
        .demo("GET", "/request-logs/?limit=99999999999999999999", None)
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.body["detail"][0]["type"], "int_out_of_range",
        "{}",
        r.text
    );
    let r = env.demo("GET", "/request-logs/?limit=ten", None).await;
    assert_eq!(r.body["detail"][0]["type"], "int_parsing", "{}", r.text);
}

#[tokio::test]
async fn an_empty_group_name_is_accepted_as_the_spec_allows() {
    let env = start().await;
    let r = env
        .demo("POST", "/groups/", Some(json!({"name": ""})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["name"], "");
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = env.demo("GET", &format!("/groups/{id}"), None).await;
    assert_eq!(r.status, 200, "reachable by id: {}", r.text);
}

#[tokio::test]
async fn connections_are_counted_at_the_server() {
    let env = start().await;
    assert_eq!(env.sb.connections_accepted(), 0);
    for _ in 0..3 {
        assert_eq!(env.demo("GET", "/secrets/", None).await.status, 200);
    }
    assert_eq!(
        env.sb.connections_accepted(),
        1,
        "one kept-alive connection"
    );
    assert_eq!(env.sb.connections_open(), 1);
    let other = common::client();
    let r = other
        .get(format!("{}/secrets/", env.base))
        .bearer_auth(&env.key)
        .send()
        .await
        .expect("second client");
    assert_eq!(r.status(), 200);
    assert_eq!(env.sb.connections_accepted(), 2);
    drop(other);
    // The server notices the close on its own schedule; wait for it, then count.
    for _ in 0..500 {
        if env.sb.connections_open() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        env.sb.connections_open(),
        1,
        "the dropped client's connection closed"
    );
}
