//! Control-plane routes served under `/v1`.

mod aliases;
mod broadcasts;
mod chains;
mod enrollments;
mod files;
mod groups;
mod owned;
mod recurrent;
mod request_logs;
mod resolve;
mod secrets;
mod services;

pub use files::storage_routes;

use crate::state::AppState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Router;
use serde_json::{json, Value};

/// Answers `value` as JSON with `status`.
pub(crate) fn reply(status: StatusCode, value: Value) -> Response {
    (status, axum::Json(value)).into_response()
}

/// Answers `value` as JSON with 200.
pub(crate) fn ok(value: Value) -> Response {
    reply(StatusCode::OK, value)
}

/// Serializes a record, falling back to null (records are plain data, so this cannot fail in practice).
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Applies skip/limit to an already-filtered list.
pub(crate) fn page<T: Clone>(items: &[T], skip: i64, limit: i64) -> Vec<T> {
    let skip = usize::try_from(skip.max(0)).unwrap_or(usize::MAX);
    let limit = usize::try_from(limit.max(0)).unwrap_or(usize::MAX);
    items.iter().skip(skip).take(limit).cloned().collect()
}

async fn not_found() -> Response {
    reply(StatusCode::NOT_FOUND, json!({"detail": "Not Found"}))
}

/// Registers the same handler at `path` and at its trailing-slash twin.
macro_rules! both {
    ($router:expr, $path:literal, $method:expr) => {
        $router
            .route($path, $method.clone())
            .route(concat!($path, "/"), $method)
    };
}

/// Builds the control-plane router (to be nested under `/v1`).
pub fn router() -> Router<AppState> {
    let r = Router::new();
    let r = both!(r, "/groups", get(groups::list).post(groups::create));
    let r = r
        .route(
            "/groups/{key}",
            get(groups::detail)
                .patch(groups::update)
                .delete(groups::remove),
        )
        .route("/groups/{key}/services", get(groups::services))
        .route(
            "/groups/{key}/members",
            get(groups::members).post(groups::add_member),
        )
        .route(
            "/groups/{key}/members/{service_id}",
            delete(groups::remove_member),
        )
        .route("/services/{id}", get(services::detail))
        .route("/services/{id}/interfaces", get(services::interfaces))
        .route(
            "/services/{id}/groups",
            get(services::membership).put(services::set_membership),
        )
        .route("/services/{id}/documents", get(services::documents))
        .route("/services/{id}/documents/{doc}", get(services::document))
        .route("/services/{id}/usage", get(services::usage));
    let r = both!(r, "/secrets", get(secrets::list));
    let r = r.route(
        "/secrets/{name}",
        get(secrets::get_one)
            .put(secrets::set)
            .delete(secrets::remove),
    );
    let r = both!(r, "/aliases", get(aliases::list).post(aliases::create));
    let r = r
        .route(
            "/aliases/{id}",
            get(owned::get_one::<crate::state::Alias>)
                .patch(aliases::update)
                .delete(owned::remove_one::<crate::state::Alias>),
        )
        .route("/aliases/{id}/switch", post(aliases::switch));
    let r = both!(
        r,
        "/enrollments",
        get(enrollments::list).post(enrollments::create)
    );
    let r = r.route(
        "/enrollments/{id}",
        get(enrollments::get_one).delete(enrollments::cancel),
    );
    let r = both!(
        r,
        "/recurrent-requests",
        get(recurrent::list).post(recurrent::create)
    );
    let r = r
        .route(
            "/recurrent-requests/{id}",
            get(owned::get_one::<crate::state::Recurrent>)
                .patch(recurrent::update)
                .delete(recurrent::remove),
        )
        .route("/recurrent-requests/{id}/trigger", post(recurrent::trigger));
    let r = both!(r, "/request-logs", get(request_logs::list));
    let r = r
        .route("/request-logs/start", post(request_logs::start))
        .route("/request-logs/stop", post(request_logs::stop))
        .route("/request-logs/{id}", get(request_logs::get_one));
    let r = both!(r, "/resolve", post(resolve::resolve));
    let r = r
        .route("/files/list", get(files::list))
        .route("/files/download", get(files::download))
        .route("/files/upload", post(files::upload));
    let r = both!(
        r,
        "/chains",
        get(owned::list_shared::<crate::state::Chain>).post(chains::create)
    );
    let r = r
        .route(
            "/chains/{id}",
            get(owned::get_one::<crate::state::Chain>)
                .patch(chains::update)
                .delete(owned::remove_one::<crate::state::Chain>),
        )
        .route(
            "/chains/{id}/steps",
            put(owned::replace_children::<crate::state::Chain>)
                .post(owned::add_child::<crate::state::Chain>),
        )
        .route(
            "/chains/{id}/steps/{step}",
            axum::routing::patch(chains::update_step)
                .delete(owned::remove_child::<crate::state::Chain>),
        );
    let r = both!(
        r,
        "/broadcasts",
        get(owned::list_shared::<crate::state::Broadcast>).post(broadcasts::create)
    );
    r.route(
        "/broadcasts/{id}",
        get(owned::get_one::<crate::state::Broadcast>)
            .patch(broadcasts::update)
            .delete(owned::remove_one::<crate::state::Broadcast>),
    )
    .route(
        "/broadcasts/{id}/targets",
        put(owned::replace_children::<crate::state::Broadcast>)
            .post(owned::add_child::<crate::state::Broadcast>),
    )
    .route(
        "/broadcasts/{id}/targets/{target}",
        delete(owned::remove_child::<crate::state::Broadcast>),
    )
    .fallback(not_found)
}
