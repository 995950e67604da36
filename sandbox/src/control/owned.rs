//! What every customer-owned record shares: lookup by the id in the path, the customer
//! check, reading one, removing one, and the `{data, count}` page envelope.

use super::{ok, page, reply, to_json};
use crate::auth;
use crate::errors::{ApiError, ApiResult};
use crate::state::{Alias, AppState, Broadcast, Chain, Db, Recurrent};
use crate::validate::{body_array, body_object, path_uuid, Obj, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Value};
use uuid::Uuid;

/// A record one customer owns, stored in a table of the database.
pub(crate) trait Owned: serde::Serialize + Sized {
    /// The name a 404 uses, e.g. `Chain`.
    const KIND: &'static str;
    /// The path parameter that carries the id, named as the API names it.
    const PARAM: &'static str;
    /// The table the records live in.
    fn table(db: &mut Db) -> &mut Vec<Self>;
    /// The record's id.
    fn id(&self) -> Uuid;
    /// The customer who owns it.
    fn customer_id(&self) -> Uuid;
}

macro_rules! owned {
    ($ty:ty, $kind:literal, $param:literal, $table:ident) => {
        impl Owned for $ty {
            const KIND: &'static str = $kind;
            const PARAM: &'static str = $param;
            fn table(db: &mut Db) -> &mut Vec<Self> {
                &mut db.$table
            }
            fn id(&self) -> Uuid {
                self.id
            }
            fn customer_id(&self) -> Uuid {
                self.customer_id
            }
        }
    };
}

/// A record that is either the caller's own or shared account-wide (no owner).
pub(crate) trait Shareable: Owned {
    /// The owning user, or `None` for an account-wide record.
    fn owner_id(&self) -> Option<Uuid>;
}

macro_rules! shareable {
    ($($ty:ty),*) => {
        $(impl Shareable for $ty {
            fn owner_id(&self) -> Option<Uuid> {
                self.owner_id
            }
        })*
    };
}

shareable!(Alias, Chain, Broadcast);

owned!(Alias, "Alias", "alias_id", aliases);
owned!(Chain, "Chain", "chain_id", chains);
owned!(Broadcast, "Broadcast", "broadcast_id", broadcasts);
owned!(Recurrent, "Recurrent request", "request_id", recurrent);

/// The caller's record whose id is `raw`: 422 for a malformed id, 404 for a missing or
/// someone else's record (so ids of other customers are not revealed).
pub(crate) fn find<'a, T: Owned>(db: &'a mut Db, caller: Uuid, raw: &str) -> ApiResult<&'a mut T> {
    let id = path_uuid(T::PARAM, raw)?;
    T::table(db)
        .iter_mut()
        .find(|r| r.id() == id && r.customer_id() == caller)
        .ok_or_else(|| ApiError::not_found(T::KIND))
}

/// Removes the caller's record whose id is `raw` and returns that id.
pub(crate) fn remove<T: Owned>(db: &mut Db, caller: Uuid, raw: &str) -> ApiResult<Uuid> {
    let id = find::<T>(db, caller, raw)?.id();
    T::table(db).retain(|r| r.id() != id);
    Ok(id)
}

/// GET one record of the caller's, by the id in the path.
pub(crate) async fn get_one<T: Owned>(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let mut db = st.db();
    Ok(ok(to_json(find::<T>(&mut db, caller.id, &id)?)))
}

/// The `{data, count}` answer for one page of already-filtered records.
pub(crate) fn data_page<T: serde::Serialize>(all: &[&T], skip: i64, limit: i64) -> Response {
    let data: Vec<Value> = page(all, skip, limit).into_iter().map(to_json).collect();
    ok(json!({"data": data, "count": all.len()}))
}

/// Whether a listing shows `record` to `caller`; `shared` keeps only account-wide ones.
pub(crate) fn listed<T: Shareable>(record: &T, caller: Uuid, shared: bool) -> bool {
    record.customer_id() == caller && (!shared || record.owner_id().is_none())
}

/// GET a page of the caller's records (`skip`, `limit`, `shared`).
pub(crate) async fn list_shared<T: Shareable>(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let skip = q.int("skip", 0, None, None)?;
    let limit = q.int("limit", 100, None, None)?;
    let shared = q.bool("shared", false)?;
    let mut db = st.db();
    let all: Vec<&T> = T::table(&mut db)
        .iter()
        .filter(|r| listed(*r, caller.id, shared))
        .collect();
    Ok(data_page(&all, skip, limit))
}

/// DELETE one of the caller's records, answering with a message and its id.
pub(crate) async fn remove_one<T: Owned>(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let mut db = st.db();
    let id = remove::<T>(&mut db, caller.id, &id)?;
    Ok(ok(
        json!({"message": format!("{} deleted", T::KIND), "id": id}),
    ))
}

/// A record holding an ordered list of children: a chain's steps, a broadcast's targets.
pub(crate) trait Parent: Owned {
    /// The child record.
    type Child: serde::Serialize;
    /// The name a 404 uses for a child, e.g. `Step`.
    const CHILD_KIND: &'static str;
    /// The path parameter that carries a child's id.
    const CHILD_PARAM: &'static str;
    /// The children, kept sorted by their order.
    fn children(&mut self) -> &mut Vec<Self::Child>;
    /// Reads a child from a request body.
    fn child_from(body: &Obj, parent: Uuid) -> ApiResult<Self::Child>;
    /// A child's id.
    fn child_id(child: &Self::Child) -> Uuid;
    /// A child's position; children are listed in ascending order.
    fn child_order(child: &Self::Child) -> i64;
    /// Records that the parent changed.
    fn touch(&mut self);
}

/// Sorts children by their order, keeping equal ones in insertion order.
pub(crate) fn sort_children<T: Parent>(children: &mut [T::Child]) {
    children.sort_by_key(T::child_order);
}

/// PUT the whole child list of one of the caller's records.
pub(crate) async fn replace_children<T: Parent>(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let parent_id = path_uuid(T::PARAM, &id)?;
    let mut children = body_array(&body)?
        .iter()
        .map(|c| T::child_from(c, parent_id))
        .collect::<ApiResult<Vec<_>>>()?;
    sort_children::<T>(&mut children);
    let mut db = st.db();
    let parent = find::<T>(&mut db, caller.id, &id)?;
    *parent.children() = children;
    parent.touch();
    Ok(ok(to_json(parent)))
}

/// POST one child to one of the caller's records.
pub(crate) async fn add_child<T: Parent>(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let parent_id = path_uuid(T::PARAM, &id)?;
    let child = T::child_from(&body_object(&body)?, parent_id)?;
    let mut db = st.db();
    let parent = find::<T>(&mut db, caller.id, &id)?;
    let out = to_json(&child);
    parent.children().push(child);
    sort_children::<T>(parent.children());
    Ok(reply(StatusCode::CREATED, out))
}

/// DELETE one child of one of the caller's records.
pub(crate) async fn remove_child<T: Parent>(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, child)): Path<(String, String)>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    path_uuid(T::PARAM, &id)?;
    let child_id = path_uuid(T::CHILD_PARAM, &child)?;
    let mut db = st.db();
    let parent = find::<T>(&mut db, caller.id, &id)?;
    let children = parent.children();
    let before = children.len();
    children.retain(|c| T::child_id(c) != child_id);
    if children.len() == before {
        return Err(ApiError::not_found(T::CHILD_KIND));
    }
    Ok(ok(
        json!({"message": format!("{} deleted", T::CHILD_KIND), "id": child_id}),
    ))
}
