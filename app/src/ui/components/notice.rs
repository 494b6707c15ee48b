//! Loading and error placeholders shown while data is fetched or when it failed.

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="py-8 text-center text-sm text-slate-500">"Loading…"</p> }
}

/// Shows what went wrong instead of the data. Rendered on the server, it also answers the page
/// with the error's HTTP status (404 for something missing, 403 for a refusal), so that browsers,
/// crawlers, monitors and link checkers see what a reader sees.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    answer_page_with(&error);
    view! {
        <div role="alert" class="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            {error.to_string()}
        </div>
    }
}

/// A form-level message (for errors that belong to no single field).
#[component]
pub fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <p role="alert" class="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                    {m}
                </p>
            }
        })
    }
}

/// Sets the status of the server-rendered page to `error`'s, unless the page already answers
/// with a weightier one: a page can show several errors (the entity and a tab's list).
#[cfg(feature = "ssr")]
fn answer_page_with(error: &AppError) {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let Ok(status) = http::StatusCode::from_u16(error.http_status()) else {
        return;
    };
    let Ok(mut parts) = response.0.write() else {
        return;
    };
    if weight(status.as_u16()) > parts.status.map_or(0, |s| weight(s.as_u16())) {
        parts.status = Some(status);
    }
}

/// Which status a page answers when it shows several: a redirect is never replaced; "not found"
/// says most about the address (the thing it names is missing), then "forbidden", then other
/// errors.
#[cfg(any(feature = "ssr", test))]
fn weight(status: u16) -> u8 {
    match status {
        300..=399 => 5,
        404 => 4,
        403 => 3,
        400..=499 => 2,
        500..=599 => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::weight;

    #[test]
    fn not_found_outranks_forbidden_and_nothing_replaces_a_redirect() {
        assert!(weight(404) > weight(403));
        assert!(weight(403) > weight(401));
        assert!(weight(401) > weight(500));
        assert!(weight(500) > weight(200));
        assert!(weight(302) > weight(404));
    }
}
