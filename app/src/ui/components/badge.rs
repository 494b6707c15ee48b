//! Small coloured labels for statuses and roles.

use leptos::prelude::*;

/// Colour follows the meaning of the status, so the same word looks the same everywhere.
fn tone(label: &str) -> &'static str {
    match label {
        "Published" | "Registered" | "Locked" | "Ready" | "Active" | "Owner" => {
            "bg-emerald-100 text-emerald-800 ring-emerald-600/20"
        }
        "Awaiting Approval" | "Created" | "API Developer" | "Client Developer" => {
            "bg-amber-100 text-amber-800 ring-amber-600/20"
        }
        "Retired" | "Disabled" => "bg-slate-200 text-slate-700 ring-slate-500/20",
        "Expiring" => "bg-amber-100 text-amber-800 ring-amber-600/20",
        "Revoked" | "Expired" => "bg-red-100 text-red-800 ring-red-600/20",
        _ => "bg-sky-100 text-sky-800 ring-sky-600/20",
    }
}

#[component]
pub fn StatusBadge(#[prop(into)] label: String) -> impl IntoView {
    let class = format!(
        "inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset {}",
        tone(&label)
    );
    let data = label.clone();
    view! { <span class=class data-badge=data>{label}</span> }
}
