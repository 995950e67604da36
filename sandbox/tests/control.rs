//! Control-plane behaviour: isolation, anonymous reads, paging, enrollments, aliases.

mod common;

use common::{sid, start};
use serde_json::json;
use std::collections::HashSet;
use unitysvc_sandbox::catalog::{BYOK_SERVICE, LLM_SERVICE_COUNT, TWO_INTERFACE_SERVICE};

#[tokio::test]
async fn customers_are_isolated() {
    let env = start().await;
    let k2 = env.key2.clone();
    assert_eq!(
        env.demo("PUT", "/secrets/TOKEN", Some(json!({"value": "a"})))
            .await
            .status,
        201
    );
    let r = env.cp("GET", "/secrets/", Some(&k2), None).await;
    assert_eq!(r.body["count"], 0);
    assert_eq!(
        env.cp("GET", "/secrets/TOKEN", Some(&k2), None)
            .await
            .status,
        404
    );

    let r = env
        .demo("POST", "/groups", Some(json!({"name": "mine"})))
        .await;
    let gid = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        env.demo("POST", "/groups", Some(json!({"name": "mine"})))
            .await
            .status,
        409
    );
    assert_eq!(
        env.cp("POST", "/groups", Some(&k2), Some(json!({"name": "mine"})))
            .await
            .status,
        201
    );
    assert_eq!(
        env.cp("GET", &format!("/groups/{gid}/members"), Some(&k2), None)
            .await
            .status,
        404
    );
    assert_eq!(
        env.cp("DELETE", &format!("/groups/{gid}"), Some(&k2), None)
            .await
            .status,
        404
    );
    let own = env.cp("GET", "/groups?owner=own", Some(&k2), None).await;
    assert_eq!(own.body["count"], 1);

    let target = format!("p/{}", sid(TWO_INTERFACE_SERVICE));
    let r = env
        .demo(
            "POST",
            "/aliases/",
            Some(json!({"name": "x", "target_path": target})),
        )
        .await;
    let aid = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        env.cp("GET", &format!("/aliases/{aid}"), Some(&k2), None)
            .await
            .status,
        404
    );
    let r = env
        .demo(
            "POST",
            "/enrollments/",
            Some(json!({"service_id": sid(BYOK_SERVICE)})),
        )
        .await;
    let eid = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        env.cp("GET", &format!("/enrollments/{eid}"), Some(&k2), None)
            .await
            .status,
        404
    );
    assert_eq!(
        env.cp("GET", "/enrollments/", Some(&k2), None).await.body["count"],
        0
    );
    let r = env
        .demo("POST", "/chains/", Some(json!({"name": "c"})))
        .await;
    let cid = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        env.cp("GET", &format!("/chains/{cid}"), Some(&k2), None)
            .await
            .status,
        404
    );
    let r = env
        .demo("POST", "/broadcasts/", Some(json!({"name": "b"})))
        .await;
    let bid = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        env.cp("GET", &format!("/broadcasts/{bid}"), Some(&k2), None)
            .await
            .status,
        404
    );
    let r = env
        .demo(
            "POST",
            "/recurrent-requests/",
            Some(json!({"request_path": target})),
        )
        .await;
    let rid = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        env.cp(
            "GET",
            &format!("/recurrent-requests/{rid}"),
            Some(&k2),
            None
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn anonymous_reads_and_auth_required_elsewhere() {
    let env = start().await;
    let s = sid(TWO_INTERFACE_SERVICE);
    for path in [
        "/groups".to_string(),
        "/groups/llm".into(),
        "/groups/llm/services".into(),
        format!("/services/{s}"),
        format!("/services/{s}/documents"),
        format!("/services/{s}/usage"),
    ] {
        assert_eq!(env.cp("GET", &path, None, None).await.status, 200, "{path}");
    }
    for path in [
        format!("/services/{s}/interfaces"),
        "/secrets/".into(),
        "/enrollments/".into(),
        "/aliases".into(),
    ] {
        let r = env.cp("GET", &path, None, None).await;
        assert_eq!(
            (r.status, r.body["detail"].as_str()),
            (401, Some("Not authenticated")),
            "{path}"
        );
    }
}

#[tokio::test]
async fn cursor_paging_covers_every_service_once() {
    let env = start().await;
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor
            .as_ref()
            .map(|c| format!("&cursor={c}"))
            .unwrap_or_default();
        let r = env
            .cp(
                "GET",
                &format!("/groups/llm/services?limit=17{q}"),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        for s in r.body["data"].as_array().cloned().unwrap_or_default() {
            assert!(seen.insert(s["id"].to_string()), "duplicate {s}");
            order.push(s["name"].to_string());
        }
        if r.body["has_more"] != true {
            assert!(r.body["next_cursor"].is_null());
            break;
        }
        cursor = r.body["next_cursor"].as_str().map(str::to_string);
    }
    assert_eq!(seen.len(), LLM_SERVICE_COUNT);
    const { assert!(LLM_SERVICE_COUNT >= 120) };
    let r = env
        .cp("GET", "/groups/llm/services?search=GPT-4O", None, None)
        .await;
    assert_eq!(r.body["data"][0]["name"], TWO_INTERFACE_SERVICE);
    let r = env
        .cp("GET", "/groups/llm/services?cursor=zz", None, None)
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn enrollment_turns_active_and_adds_byok_interface() {
    let env = start().await;
    let s = sid(BYOK_SERVICE);
    let before = env
        .demo("GET", &format!("/services/{s}/interfaces"), None)
        .await;
    assert_eq!(before.body.as_array().map(Vec::len), Some(1));
    let r = env
        .demo("POST", "/enrollments/", Some(json!({"service_id": s})))
        .await;
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (202, Some("pending"))
    );
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let mut status = String::new();
    for _ in 0..50 {
        let r = env.demo("GET", &format!("/enrollments/{id}"), None).await;
        status = r.body["status"].as_str().unwrap_or_default().to_string();
        if status == "active" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "active");
    let after = env
        .demo("GET", &format!("/services/{s}/interfaces"), None)
        .await;
    let bound: Vec<_> = after
        .body
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| i["enrollment_id"] == id.as_str())
        .collect();
    assert_eq!(bound.len(), 1);
    let r = env
        .demo("DELETE", &format!("/enrollments/{id}"), None)
        .await;
    assert_eq!(r.body["status"], "cancelled");
    assert_eq!(
        env.demo("GET", &format!("/enrollments/{id}"), None)
            .await
            .body["status"],
        "cancelled"
    );
}

#[tokio::test]
async fn alias_switch_demotes_sibling() {
    let env = start().await;
    let (a, b) = (sid(TWO_INTERFACE_SERVICE), sid(BYOK_SERVICE));
    let r1 = env
        .demo(
            "POST",
            "/aliases/",
            Some(json!({"name": "chat", "target_path": format!("p/{a}")})),
        )
        .await;
    let r2 = env
        .demo(
            "POST",
            "/aliases/",
            Some(json!({"name": "chat", "target_path": format!("p/{b}"), "is_routing": false})),
        )
        .await;
    let dup = env
        .demo(
            "POST",
            "/aliases/",
            Some(json!({"name": "chat", "target_path": format!("p/{b}")})),
        )
        .await;
    assert_eq!(dup.status, 409);
    let (id1, id2) = (r1.body["id"].clone(), r2.body["id"].clone());
    let sw = env
        .demo(
            "POST",
            &format!("/aliases/chat/switch?on=true&target={b}"),
            None,
        )
        .await;
    assert_eq!(sw.status, 200, "{}", sw.text);
    assert_eq!(sw.body["alias"]["id"], id2);
    assert_eq!(sw.body["alias"]["is_routing"], true);
    assert_eq!(sw.body["demoted_alias_id"], id1);
    let first = env
        .demo(
            "GET",
            &format!("/aliases/{}", id1.as_str().unwrap_or_default()),
            None,
        )
        .await;
    assert_eq!(first.body["is_routing"], false);
    let url = format!("{}/a/chat/echo", env.gw);
    let g = env.send("GET", &url, Some(&env.key), None).await;
    assert_eq!(g.headers["x-sandbox-service-id"], b.as_str());
    let off = env
        .demo(
            "POST",
            &format!(
                "/aliases/{}/switch?on=false",
                id2.as_str().unwrap_or_default()
            ),
            None,
        )
        .await;
    assert_eq!(off.body["alias"]["is_routing"], false);
    assert!(off.body["demoted_alias_id"].is_null());
}

#[tokio::test]
async fn request_logs_and_recurrent_trigger() {
    let env = start().await;
    let s = sid(TWO_INTERFACE_SERVICE);
    let url = format!("{}/p/{s}/status/503", env.gw);
    env.send("GET", &url, Some(&env.key), None).await;
    assert_eq!(
        env.demo("GET", "/request-logs", None).await.body["total_count"],
        0
    );
    env.demo("POST", "/request-logs/start", None).await;
    env.send("GET", &url, Some(&env.key), None).await;
    env.send(
        "GET",
        &format!("{}/p/{s}/echo", env.gw),
        Some(&env.key),
        None,
    )
    .await;
    let r = env.demo("GET", "/request-logs?status_min=500", None).await;
    assert_eq!(r.body["total_count"], 1, "{}", r.text);
    assert_eq!(r.body["items"][0]["error_source"], "upstream");
    let r = env
        .demo("GET", &format!("/request-logs?service_id={s}"), None)
        .await;
    assert_eq!(r.body["total_count"], 2);
    let r = env
        .demo("GET", "/request-logs?end_time=2000-01-01T00:00:00Z", None)
        .await;
    assert_eq!(r.body["total_count"], 0);
    assert_eq!(
        env.cp("GET", "/request-logs", Some(&env.key2), None)
            .await
            .body["total_count"],
        0
    );

    let body = json!({"request_path": format!("{}/p/{s}/v1/chat/completions", env.gw), "body_template": {"messages": [{"role": "user", "content": "tick"}]}});
    let r = env.demo("POST", "/recurrent-requests/", Some(body)).await;
    assert_eq!(r.body["status"], "draft");
    let rid = r.body["id"].as_str().unwrap_or_default().to_string();
    let sched = json!({"schedule": {"schedule_type": "cron", "cron_expression": "*/5 * * * *", "timezone": "UTC"}});
    let r = env
        .demo("PATCH", &format!("/recurrent-requests/{rid}"), Some(sched))
        .await;
    assert_eq!(r.body["schedule"]["schedule_type"], "cron");
    let t = env
        .demo("POST", &format!("/recurrent-requests/{rid}/trigger"), None)
        .await;
    assert_eq!(t.body["status_code"], 200, "{}", t.text);
    let r = env
        .demo("GET", &format!("/recurrent-requests/{rid}"), None)
        .await;
    assert_eq!(r.body["state"]["run_count"], 1);
    let r = env
        .demo(
            "GET",
            &format!("/request-logs?recurrent_request_id={rid}"),
            None,
        )
        .await;
    assert_eq!(r.body["total_count"], 1);
    let bad = json!({"schedule": {"schedule_type": "interval"}});
    assert_eq!(
        env.demo("PATCH", &format!("/recurrent-requests/{rid}"), Some(bad))
            .await
            .status,
        422
    );
}
