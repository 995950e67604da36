//! Service groups: the platform's catalogs and the customer's own collections.

use crate::args::{self, Checked};
use crate::client::Client;
use crate::dispatch::{DispatchRequest, Target};
use crate::error::{Error, Result};
use crate::http::{call, call_unit};
use crate::ids::Id;
use crate::pagination::{cursor_stream, CursorPage, ItemStream};
use crate::services::Service;
use crate::types::{
    CustomerGroupDetail, CustomerGroupView, ServiceCollectionMemberCreate,
    ServiceCollectionMemberPublic, ServiceCollectionPublic,
};
use crate::wrapped::Wrappable;
use crate::wrappers::GatewayPath;
use serde_json::{Map, Value};
use uuid::Uuid;

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
    fn as_str(self) -> &'static str {
        match self {
            Owner::All => "all",
            Owner::System => "system",
            Owner::Own => "own",
        }
    }
}

/// Operations on groups (`/groups`): browsing the catalog and managing collections.
///
/// # Examples
///
/// ```no_run
/// use futures::TryStreamExt;
/// use unitysvc::groups::Owner;
///
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// for group in client.groups().list().send().await? {
///     println!("{} ({} services)", group.name, group.member_count);
/// }
/// let page = client.groups().services("llm").limit(20).search("gpt").send().await?;
/// if let Some(cursor) = page.next_cursor.as_deref() {
///     let next = client.groups().services("llm").limit(20).cursor(cursor).send().await?;
/// #   let _ = next;
/// }
/// let every: Vec<_> = client.groups().services("llm").stream().try_collect().await?;
///
/// let mine = client.groups().create("my-picks").display_name("My picks").send().await?;
/// client.groups().add_member(mine.id, every[0].id).sort_order(1).send().await?;
/// let own = client.groups().list().owner(Owner::Own).send().await?;
/// # let _ = own;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Groups {
    client: Client,
}

impl Client {
    /// Service groups and collections.
    pub fn groups(&self) -> Groups {
        Groups {
            client: self.clone(),
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
    pub async fn refresh(&self) -> Result<Group> {
        self.client.groups().get(&self.record.name).await
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
    fn gateway_path(&self) -> Result<GatewayPath> {
        Ok(GatewayPath::group(&self.record.name))
    }

    fn client(&self) -> &Client {
        &self.client
    }
}

impl Groups {
    fn wrap(&self, record: CustomerGroupDetail) -> Group {
        Group {
            client: self.client.clone(),
            record,
        }
    }

    /// Starts listing the visible groups: platform groups and, with a key, your collections.
    ///
    /// Works without an API key (platform groups only).
    pub fn list(&self) -> ListGroups {
        ListGroups {
            groups: self.clone(),
            owner: Owner::All,
            name: None,
        }
    }

    /// Gets a group by its name (slug); works without an API key.
    pub async fn get(&self, name: &str) -> Result<Group> {
        if name.trim().is_empty() {
            return Err(Error::invalid_input("the group name is empty"));
        }
        let record = call(
            self.client
                .low_level()
                .customer_groups_get_group()
                .name(name)
                .send(),
        )
        .await?;
        Ok(self.wrap(record))
    }

    /// Starts listing a group's services, newest first: 50 per page from the first.
    ///
    /// Works without an API key.
    pub fn services(&self, name: &str) -> ListGroupServices {
        ListGroupServices {
            groups: self.clone(),
            name: name.to_owned(),
            cursor: None,
            limit: 50,
            search: None,
        }
    }

    /// Starts creating a customer-owned collection, addressable at `g/<name>`.
    pub fn create(&self, name: &str) -> CreateCollection {
        CreateCollection {
            groups: self.clone(),
            name: name.to_owned(),
            display_name: None,
            description: None,
        }
    }

    /// Starts changing a collection; only the fields set are sent.
    pub fn update(&self, group_id: impl Id) -> UpdateCollection {
        UpdateCollection {
            client: self.client.clone(),
            group_id: args::check(group_id.to_uuid()),
            body: crate::types::ServiceCollectionUpdate::default(),
        }
    }

    /// Deletes a customer-owned collection.
    pub async fn delete(&self, group_id: impl Id) -> Result<()> {
        let id = group_id.to_uuid()?;
        self.client.require_key("deleting a collection")?;
        call_unit(
            self.client
                .low_level()
                .customer_groups_delete_customer_group()
                .group_id(id)
                .send(),
        )
        .await
    }

    /// Starts listing the members of a collection.
    pub fn members(&self, group_id: impl Id) -> ListMembers {
        ListMembers {
            client: self.client.clone(),
            group_id: args::check(group_id.to_uuid()),
        }
    }

    /// Starts adding a service to a collection; set a routing key or sort order, then send.
    pub fn add_member(&self, group_id: impl Id, service_id: impl Id) -> AddMember {
        AddMember {
            client: self.client.clone(),
            group_id: args::check(group_id.to_uuid()),
            service_id: args::check(service_id.to_uuid()),
            routing_key: Ok(None),
            sort_order: 0,
        }
    }

    /// Removes a service from a collection.
    pub async fn remove_member(&self, group_id: impl Id, service_id: impl Id) -> Result<()> {
        let id = group_id.to_uuid()?;
        let service_id = service_id.to_uuid()?;
        self.client.require_key("removing a collection member")?;
        call_unit(
            self.client
                .low_level()
                .customer_groups_remove_member()
                .group_id(id)
                .service_id(service_id)
                .send(),
        )
        .await
    }

    /// Starts a request through a group's one interface; the gateway picks a member.
    pub fn dispatch(&self, name: &str) -> DispatchRequest {
        let target = if name.trim().is_empty() {
            Err(Error::invalid_input("the group name is empty"))
        } else {
            Ok(Target::Group(name.to_owned()))
        };
        DispatchRequest::new(self.client.clone(), target)
    }
}

/// A request for the visible groups; the API answers them all at once.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()`"]
pub struct ListGroups {
    groups: Groups,
    owner: Owner,
    name: Option<String>,
}

impl ListGroups {
    /// Keeps platform groups, your own collections, or both (the default).
    pub fn owner(mut self, owner: Owner) -> Self {
        self.owner = owner;
        self
    }

    /// Keeps groups whose name contains this text (filtered here, after the answer).
    pub fn name(mut self, contains: impl Into<String>) -> Self {
        self.name = Some(contains.into());
        self
    }

    /// Fetches the groups.
    pub async fn send(self) -> Result<Vec<Group>> {
        let client = &self.groups.client;
        if self.owner == Owner::Own {
            client.require_key("listing your own collections")?;
        }
        let resp = call(
            client
                .low_level()
                .customer_groups_list_groups()
                .owner(self.owner.as_str())
                .send(),
        )
        .await?;
        let name = self.name.as_deref();
        Ok(resp
            .data
            .into_iter()
            .filter(|g| name.is_none_or(|n| g.name.contains(n)))
            .map(|g| self.groups.wrap(view_to_detail(g)))
            .collect())
    }
}

/// A request for one page of a group's services; finish with `send()` or `stream()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `stream()`"]
pub struct ListGroupServices {
    groups: Groups,
    name: String,
    cursor: Option<String>,
    limit: u64,
    search: Option<String>,
}

impl ListGroupServices {
    /// Continues from a previous page's `next_cursor`.
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// Asks for at most this many services per page, 1 to 200 (default 50).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Keeps services whose name, display name or provider contains this text.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Fetches the page.
    pub async fn send(self) -> Result<CursorPage<Service>> {
        args::non_empty("group name", &self.name)?;
        let limit = args::page_size("limit", self.limit, 200)?;
        let client = &self.groups.client;
        let mut op = client
            .low_level()
            .customer_groups_list_group_services()
            .name(self.name.as_str())
            .limit(limit);
        if let Some(cursor) = self.cursor {
            op = op.cursor(cursor);
        }
        if let Some(search) = self.search {
            op = op.search(search);
        }
        let page = call(op.send()).await?;
        Ok(CursorPage {
            items: page
                .data
                .into_iter()
                .map(|s| Service::from_summary(client.clone(), s))
                .collect(),
            next_cursor: page.next_cursor,
            has_more: page.has_more,
        })
    }

    /// Streams every service from this request's cursor on, `limit` per page.
    pub fn stream(self) -> ItemStream<Service> {
        let start = self.cursor.clone();
        cursor_stream(start, move |cursor| {
            let mut page = self.clone();
            page.cursor = cursor;
            page.send()
        })
    }
}

/// A new collection being set up; finish with [`send`](Self::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is created until `send()`"]
pub struct CreateCollection {
    groups: Groups,
    name: String,
    display_name: Option<String>,
    description: Option<String>,
}

impl CreateCollection {
    /// Sets the name people see.
    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = Some(display_name.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Creates the collection.
    pub async fn send(self) -> Result<Group> {
        args::non_empty("collection name", &self.name)?;
        let client = &self.groups.client;
        client.require_key("creating a collection")?;
        let body = crate::types::ServiceCollectionCreate {
            description: self.description,
            display_name: self.display_name,
            name: self.name,
        };
        let view = call(
            client
                .low_level()
                .customer_groups_create_customer_group()
                .body(body)
                .send(),
        )
        .await?;
        Ok(self.groups.wrap(view_to_detail(view)))
    }
}

/// Changes to a collection; unset fields are left as they are.
#[derive(Debug, Clone)]
#[must_use = "nothing is changed until `send()`"]
pub struct UpdateCollection {
    client: Client,
    group_id: Checked<Uuid>,
    body: crate::types::ServiceCollectionUpdate,
}

impl UpdateCollection {
    /// Sets the name people see.
    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.body.display_name = Some(display_name.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// Enables or disables the collection.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.body.enabled = Some(enabled);
        self
    }

    /// Sends the changes.
    pub async fn send(self) -> Result<ServiceCollectionPublic> {
        let id = args::checked(self.group_id)?;
        self.client.require_key("updating a collection")?;
        call(
            self.client
                .low_level()
                .customer_groups_update_customer_group()
                .group_id(id)
                .body(self.body)
                .send(),
        )
        .await
    }
}

/// A request for a collection's members; the API answers them all at once.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()`"]
pub struct ListMembers {
    client: Client,
    group_id: Checked<Uuid>,
}

impl ListMembers {
    /// Fetches the members.
    pub async fn send(self) -> Result<Vec<ServiceCollectionMemberPublic>> {
        let id = args::checked(self.group_id)?;
        self.client.require_key("listing collection members")?;
        call(
            self.client
                .low_level()
                .customer_groups_list_members()
                .group_id(id)
                .send(),
        )
        .await
    }
}

/// A service being added to a collection; finish with [`send`](Self::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is added until `send()`"]
pub struct AddMember {
    client: Client,
    group_id: Checked<Uuid>,
    service_id: Checked<Uuid>,
    routing_key: Checked<Option<Map<String, Value>>>,
    sort_order: i64,
}

impl AddMember {
    /// Sets the routing key requests must match to reach this member, a JSON object such
    /// as `{"model": "gpt-4"}`; anything else fails at `send()`.
    pub fn routing_key(mut self, key: impl serde::Serialize) -> Self {
        self.routing_key = args::check(args::object("routing_key", &key));
        self
    }

    /// Sets the member's position in the collection (default 0).
    pub fn sort_order(mut self, sort_order: i64) -> Self {
        self.sort_order = sort_order;
        self
    }

    /// Adds the member.
    pub async fn send(self) -> Result<ServiceCollectionMemberPublic> {
        let id = args::checked(self.group_id)?;
        let service_id = args::checked(self.service_id)?;
        let routing_key = args::checked(self.routing_key)?;
        self.client.require_key("adding a collection member")?;
        let body = ServiceCollectionMemberCreate {
            routing_key,
            service_id,
            sort_order: self.sort_order,
        };
        call(
            self.client
                .low_level()
                .customer_groups_add_member()
                .group_id(id)
                .body(body)
                .send(),
        )
        .await
    }
}
