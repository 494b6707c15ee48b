//! APIs: create, list, view a version, edit, offer plans, publish, retire, new version, delete.

use leptos::prelude::*;

use crate::domain::catalog::{ApiSummary, ApiVersionView};
use crate::domain::lifecycle::ApiStatus;
use crate::domain::paging::{Page, PageRequest};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::domain::refs::{EntityRef, VersionRef};

/// One offered plan, as the Plans tab sends it.
pub use crate::domain::catalog::PlanOffer as PlanOfferInput;

#[cfg(feature = "ssr")]
pub mod service;

/// Creates the API with its first version; returns the API id.
#[server]
pub async fn create_api(
    org: String,
    id: String,
    name: String,
    version: String,
    description: String,
) -> Result<String, AppError> {
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::EditApis).await?;
    let new = super::new_entity(&org, (&id, &name, &version, &description))?;
    service::create(&state.pool, &user.username, &new).await?;
    Ok(new.id.to_string())
}

/// One page of the organization's apis whose name or id contains the filter.
#[server(input = server_fn::codec::Json)]
pub async fn list_apis(org: String, page: PageRequest) -> Result<Page<ApiSummary>, AppError> {
    use crate::domain::roles::Permission;
    let (state, ..) = super::in_org(&org, Permission::View).await?;
    let query = page.check()?;
    crate::store::apis::list(&state.pool, &org, &query).await
}

#[server]
pub async fn get_api_version(
    org: String,
    api: String,
    version: String,
) -> Result<ApiVersionView, AppError> {
    use crate::auth::guard::actor;
    use crate::domain::roles::Permission;
    let (state, user, role) = super::in_org(&org, Permission::View).await?;
    let v = VersionRef::new(org, api, version);
    let mut view = crate::store::apis::view(&state.pool, &v)
        .await?
        .ok_or_else(|| {
            AppError::not_found(format!(
                "There is no version {} of API {}.",
                v.version, v.id
            ))
        })?;
    view.can_edit = actor(&user).may(role, Permission::EditApis);
    Ok(view)
}

#[server]
pub async fn update_api_details(
    org: String,
    api: String,
    version: String,
    description: String,
    markdown: String,
    featured: bool,
) -> Result<(), AppError> {
    use crate::domain::{roles::Permission, text};
    let (state, user, _) = super::in_org(&org, Permission::EditApis).await?;
    text::validate_description("description", description.trim())?;
    check_markdown_length(&markdown)?;
    let details = crate::store::apis::Details {
        description: description.trim(),
        markdown: &markdown,
        featured,
    };
    let v = VersionRef::new(org, api, version);
    service::update_details(&state.pool, &user.username, &v, &details).await
}

/// The documentation's preview while it is edited: the same rendering and sanitising as the
/// saved documentation gets. Any signed-in console user may ask; nothing is stored.
#[server]
pub async fn preview_markdown(source: String) -> Result<String, AppError> {
    let state = crate::state::state()?;
    crate::auth::require_console_user(&state).await?;
    check_markdown_length(&source)?;
    Ok(crate::domain::markdown::render_markdown(&source))
}

#[cfg(feature = "ssr")]
fn check_markdown_length(markdown: &str) -> Result<(), AppError> {
    use crate::domain::markdown::MAX_MARKDOWN_CHARS;
    if markdown.chars().count() > MAX_MARKDOWN_CHARS {
        return Err(AppError::field(
            "markdown",
            "The documentation has at most 20,000 characters.",
        ));
    }
    Ok(())
}

#[server]
pub async fn set_api_implementation(
    org: String,
    api: String,
    version: String,
    endpoint: String,
    upstream_ca_pem: String,
    public: bool,
) -> Result<(), AppError> {
    use crate::domain::{roles::Permission, urls};
    let (state, user, _) = super::in_org(&org, Permission::EditApis).await?;
    let endpoint = endpoint.trim();
    urls::validate_endpoint("endpoint", endpoint)?;
    urls::validate_ca_pem("upstream_ca_pem", &upstream_ca_pem)?;
    upstream_address_allowed(&state.upstream_guard, endpoint).await?;
    let pem = upstream_ca_pem.trim();
    let implementation = crate::store::apis::Implementation {
        endpoint,
        upstream_ca_pem: (!pem.is_empty()).then_some(pem),
        public,
    };
    let v = VersionRef::new(org, api, version);
    service::set_implementation(&state.pool, &user.username, &v, &implementation).await
}

/// The upstream address guard, at save time: every address the endpoint's host resolves to
/// now must be allowed (the gateway checks again when it connects). A name that does not
/// resolve from here is accepted: it may resolve where the gateway runs.
#[cfg(feature = "ssr")]
async fn upstream_address_allowed(
    guard: &crate::domain::upstream_guard::UpstreamGuard,
    endpoint: &str,
) -> Result<(), AppError> {
    let Ok(url) = url::Url::parse(endpoint) else {
        return Ok(());
    };
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return Ok(());
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let lookup = tokio::net::lookup_host((host, port));
    let addrs: Vec<std::net::SocketAddr> =
        match tokio::time::timeout(std::time::Duration::from_secs(3), lookup).await {
            Ok(Ok(addrs)) => addrs.collect(),
            _ => return Ok(()),
        };
    guard
        .check_all(&addrs)
        .map_err(|why| crate::domain::FieldError::new("endpoint", why).into())
}

#[server(input = server_fn::codec::Json)]
pub async fn set_api_plans(
    org: String,
    api: String,
    version: String,
    plans: Vec<PlanOfferInput>,
) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::EditApis).await?;
    let v = VersionRef::new(org, api, version);
    service::set_plans(&state.pool, &user.username, &v, &plans).await
}

#[server]
pub async fn publish_api(org: String, api: String, version: String) -> Result<ApiStatus, AppError> {
    use crate::domain::{lifecycle::ApiAction, roles::Permission};
    let (state, user, _) = super::in_org(&org, Permission::EditApis).await?;
    let v = VersionRef::new(org, api, version);
    service::transition(&state.pool, &user.username, &v, ApiAction::Publish).await
}

#[server]
pub async fn retire_api(org: String, api: String, version: String) -> Result<ApiStatus, AppError> {
    use crate::domain::{lifecycle::ApiAction, roles::Permission};
    let (state, user, _) = super::in_org(&org, Permission::EditApis).await?;
    let v = VersionRef::new(org, api, version);
    service::transition(&state.pool, &user.username, &v, ApiAction::Retire).await
}

#[server]
pub async fn new_api_version(
    org: String,
    api: String,
    from_version: String,
    version: String,
) -> Result<(), AppError> {
    use crate::domain::{ids, roles::Permission};
    let (state, user, _) = super::in_org(&org, Permission::EditApis).await?;
    let version = version.trim();
    ids::validate_version("version", version)?;
    let from = VersionRef::new(org, api, from_version);
    service::new_version(&state.pool, &user.username, &from, version).await
}

#[server]
pub async fn delete_api(org: String, api: String) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::EditApis).await?;
    service::delete(&state.pool, &user.username, &EntityRef::new(org, api)).await
}
