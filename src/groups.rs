//! Service groups: the platform's catalogs and the customer's own collections.
//!
//! # Examples
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use unitysvc::groups::Owner;
//!
//! # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
//! for group in client.groups().list().send().await? {
//!     println!("{} ({} services)", group.name, group.member_count);
//! }
//! let page = client.groups().services("llm").limit(20).search("gpt").send().await?;
//! if let Some(cursor) = page.next_cursor.as_deref() {
//!     let next = client.groups().services("llm").limit(20).cursor(cursor).send().await?;
//! #   let _ = next;
//! }
//! let every: Vec<_> = client.groups().services("llm").stream().try_collect().await?;
//!
//! let mine = client.groups().create("my-picks").display_name("My picks").send().await?;
//! client.groups().add_member(mine.id, every[0].id).sort_order(1).send().await?;
//! let own = client.groups().list().owner(Owner::Own).send().await?;
//! # let _ = own;
//! # Ok(())
//! # }
//! ```

use crate::client::Client;
use crate::dispatch::{DispatchRequest, Target};
use crate::error::{Error, Result};
use crate::pagination::CursorPage;
use crate::services::Service;
use crate::types::{
    CursorPageServiceSummary, CustomerGroupDetail, CustomerGroupListResponse, CustomerGroupView,
};
use crate::wrapped::Wrappable;
use crate::wrappers::GatewayPath;

include!(concat!(env!("OUT_DIR"), "/operations/groups.rs"));

/// Which groups [`Groups::list`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Owner {
    /// Platform groups and the customer's own collections.
    #[default]
    All,
    /// Platform groups only.
    System,
    /// The customer's own collections only.
    Own,
}

impl Owner {
    pub(crate) fn param(self) -> &'static str {
        match self {
            Owner::All => "all",
            Owner::System => "system",
            Owner::Own => "own",
        }
    }
}

/// A group with its client: read its fields directly, call its methods to navigate.
///
/// Groups from [`Groups::list`] carry the list fields; [`Group::refresh`] loads the rest
/// (interface, routing policy).
///
/// # Examples
///
/// ```no_run
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// let llm = client.groups().get("llm").await?;
/// let first = llm.services().limit(5).send().await?;
/// let answer = llm
///     .dispatch()
///     .path("chat/completions")
///     .json(&serde_json::json!({"messages": [{"role": "user", "content": "hi"}]}))
///     .send()
///     .await?;
/// # let _ = (first, answer);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Group {
    client: Client,
    record: CustomerGroupDetail,
}

impl std::ops::Deref for Group {
    type Target = CustomerGroupDetail;
    fn deref(&self) -> &CustomerGroupDetail {
        &self.record
    }
}

fn view_to_detail(v: CustomerGroupView) -> CustomerGroupDetail {
    CustomerGroupDetail {
        description: None,
        details: v.details,
        display_name: v.display_name,
        editable: v.editable,
        enabled: None,
        group_type: Some(v.group_type),
        id: v.id,
        interface: None,
        member_count: v.member_count,
        name: v.name,
        owner_type: v.owner_type,
        routing_policy: None,
    }
}

impl Group {
    /// The group's record as the API returned it.
    pub fn record(&self) -> &CustomerGroupDetail {
        &self.record
    }

    /// Takes the record out.
    pub fn into_record(self) -> CustomerGroupDetail {
        self.record
    }

    /// Reloads the group by name.
    pub fn refresh(&self) -> GetGroup {
        self.client.groups().get(&self.record.name)
    }

    /// Starts listing the group's services, newest first.
    pub fn services(&self) -> ListGroupServices {
        self.client.groups().services(&self.record.name)
    }

    /// Starts a request through the group's interface; the gateway picks a member.
    pub fn dispatch(&self) -> DispatchRequest {
        self.client.groups().dispatch(&self.record.name)
    }

    /// Starts listing the collection's members (customer collections only).
    pub fn members(&self) -> ListMembers {
        self.client.groups().members(self.record.id)
    }
}

impl Wrappable for Group {
    fn gateway_request(&self) -> DispatchRequest {
        self.dispatch()
    }

    fn gateway_path(&self) -> Result<GatewayPath> {
        Ok(GatewayPath::group(&self.record.name))
    }

    fn client(&self) -> &Client {
        &self.client
    }
}

impl Groups {
    /// Starts a request through a group's one interface; the gateway picks a member.
    pub fn dispatch(&self, name: &str) -> DispatchRequest {
        let target = name_rule(name.to_owned()).map(Target::Group).map_err(|e| {
            Error::invalid_input(e)
                .with_parameter("name")
                .in_call("groups.dispatch", None)
        });
        DispatchRequest::new(self.client.clone(), target)
    }
}

/// Group names are slugs; a blank one names nothing.
pub(crate) fn name_rule(name: String) -> std::result::Result<String, String> {
    if name.trim().is_empty() {
        Err("the group name is empty".into())
    } else {
        Ok(name)
    }
}

fn group(client: &Client, record: CustomerGroupDetail) -> Group {
    Group {
        client: client.clone(),
        record,
    }
}

pub(crate) fn got(req: &GetGroup, record: CustomerGroupDetail) -> Result<Group> {
    Ok(group(&req.client, record))
}

pub(crate) fn created(req: &CreateCollection, view: CustomerGroupView) -> Result<Group> {
    Ok(group(&req.client, view_to_detail(view)))
}

pub(crate) fn listed(req: &ListGroups, page: CustomerGroupListResponse) -> Result<Vec<Group>> {
    Ok(page
        .data
        .into_iter()
        .map(|g| group(&req.client, view_to_detail(g)))
        .collect())
}

pub(crate) fn services_page(
    req: &ListGroupServices,
    page: CursorPageServiceSummary,
) -> Result<CursorPage<Service>> {
    Ok(CursorPage {
        items: page
            .data
            .into_iter()
            .map(|s| Service::from_summary(req.client.clone(), s))
            .collect(),
        next_cursor: page.next_cursor,
        has_more: page.has_more,
    })
}

/// Only a key holder has collections of their own.
pub(crate) fn check_list(req: &ListGroups) -> Result<()> {
    if req.owner.as_deref().map(|o| o.as_str()) == Some(Owner::Own.param()) {
        req.client.require_key("groups.list")?;
    }
    Ok(())
}

impl ListGroups {
    /// Keeps platform groups, your own collections, or both (the default).
    pub fn owner(mut self, owner: Owner) -> Self {
        self.owner = owner.param().parse().ok();
        self
    }
}
