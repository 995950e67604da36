//! Service groups: the platform's catalogs and the customer's own collections.

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

/// Which groups [`Groups::list`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

/// Operations on groups (`/groups`).
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

    /// One page of the group's services, newest first.
    pub async fn services(&self, cursor: Option<&str>, limit: u32) -> Result<CursorPage<Service>> {
        self.client
            .groups()
            .services(&self.record.name, cursor, limit, None)
            .await
    }

    /// Every service of the group, fetched page by page.
    pub fn all_services(&self) -> ItemStream<Service> {
        self.client
            .groups()
            .services_stream(&self.record.name, None)
    }

    /// Starts a request through the group's interface; the gateway picks a member.
    pub fn dispatch(&self) -> DispatchRequest {
        self.client.groups().dispatch(&self.record.name)
    }

    /// The collection's members (customer collections only).
    pub async fn members(&self) -> Result<Vec<ServiceCollectionMemberPublic>> {
        self.client.groups().members(self.record.id).await
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

/// Fields to change on a collection; unset ones are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectionUpdate {
    /// The new display name.
    pub display_name: Option<String>,
    /// The new description.
    pub description: Option<String>,
    /// Whether the collection is enabled.
    pub enabled: Option<bool>,
}

impl Groups {
    fn wrap(&self, record: CustomerGroupDetail) -> Group {
        Group {
            client: self.client.clone(),
            record,
        }
    }

    /// Lists the visible groups; works without an API key (platform groups only).
    pub async fn list(&self) -> Result<Vec<Group>> {
        self.list_owned(Owner::All, None).await
    }

    /// Lists groups by owner, keeping those whose name contains `name` (client-side filter).
    pub async fn list_owned(&self, owner: Owner, name: Option<&str>) -> Result<Vec<Group>> {
        if owner == Owner::Own {
            self.client.require_key("listing your own collections")?;
        }
        let resp = call(
            self.client
                .low_level()
                .customer_groups_list_groups()
                .owner(owner.as_str())
                .send(),
        )
        .await?;
        Ok(resp
            .data
            .into_iter()
            .filter(|g| name.is_none_or(|n| g.name.contains(n)))
            .map(|g| self.wrap(view_to_detail(g)))
            .collect())
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

    /// One page of a group's services, newest first; pass the page's `next_cursor` back.
    pub async fn services(
        &self,
        name: &str,
        cursor: Option<&str>,
        limit: u32,
        search: Option<&str>,
    ) -> Result<CursorPage<Service>> {
        let limit = crate::args::page_size("limit", u64::from(limit), 200)?;
        let mut op = self
            .client
            .low_level()
            .customer_groups_list_group_services()
            .name(name)
            .limit(limit);
        if let Some(cursor) = cursor {
            op = op.cursor(cursor);
        }
        if let Some(search) = search {
            op = op.search(search);
        }
        let page = call(op.send()).await?;
        Ok(CursorPage {
            items: page
                .data
                .into_iter()
                .map(|s| Service::from_summary(self.client.clone(), s))
                .collect(),
            next_cursor: page.next_cursor,
            has_more: page.has_more,
        })
    }

    /// Every service of a group, fetched lazily page by page.
    pub fn services_stream(&self, name: &str, search: Option<&str>) -> ItemStream<Service> {
        let this = self.clone();
        let name = name.to_owned();
        let search = search.map(str::to_owned);
        cursor_stream(None, move |cursor| {
            let (this, name, search) = (this.clone(), name.clone(), search.clone());
            async move {
                this.services(&name, cursor.as_deref(), 200, search.as_deref())
                    .await
            }
        })
    }

    /// Creates a customer-owned collection, addressable at `g/<name>`.
    pub async fn create(
        &self,
        name: &str,
        display_name: Option<&str>,
        description: Option<&str>,
    ) -> Result<Group> {
        self.client.require_key("creating a collection")?;
        let mut body = crate::types::builder::ServiceCollectionCreate::default().name(name);
        if let Some(d) = display_name {
            body = body.display_name(Some(d.to_owned()));
        }
        if let Some(d) = description {
            body = body.description(Some(d.to_owned()));
        }
        let view = call(
            self.client
                .low_level()
                .customer_groups_create_customer_group()
                .body(body)
                .send(),
        )
        .await?;
        Ok(self.wrap(view_to_detail(view)))
    }

    /// Changes only the fields set in `update`.
    pub async fn update(
        &self,
        group_id: impl Id,
        update: &CollectionUpdate,
    ) -> Result<ServiceCollectionPublic> {
        let id = group_id.to_uuid()?;
        self.client.require_key("updating a collection")?;
        let body = crate::types::ServiceCollectionUpdate {
            description: update.description.clone(),
            display_name: update.display_name.clone(),
            enabled: update.enabled,
        };
        call(
            self.client
                .low_level()
                .customer_groups_update_customer_group()
                .group_id(id)
                .body(body)
                .send(),
        )
        .await
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

    /// Lists the members of a collection.
    pub async fn members(&self, group_id: impl Id) -> Result<Vec<ServiceCollectionMemberPublic>> {
        let id = group_id.to_uuid()?;
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

    /// Adds a service to a collection, with an optional routing key and sort order.
    pub async fn add_member(
        &self,
        group_id: impl Id,
        service_id: impl Id,
        routing_key: Option<serde_json::Map<String, serde_json::Value>>,
        sort_order: i64,
    ) -> Result<ServiceCollectionMemberPublic> {
        let id = group_id.to_uuid()?;
        let service_id = service_id.to_uuid()?;
        self.client.require_key("adding a collection member")?;
        let body = ServiceCollectionMemberCreate {
            routing_key,
            service_id,
            sort_order,
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
