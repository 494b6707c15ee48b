//! A modal confirmation for destructive or irreversible actions.

use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: String,
    #[prop(into)] message: Signal<String>,
    confirm_label: &'static str,
    #[prop(into)] on_confirm: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-40 flex items-center justify-center bg-slate-900/40 px-4">
                <div
                    role="dialog"
                    aria-modal="true"
                    aria-label=title.clone()
                    class="w-full max-w-md rounded-xl bg-white p-6 shadow-xl"
                >
                    <h2 class="text-lg font-semibold text-slate-900">{title.clone()}</h2>
                    <p class="mt-2 text-sm text-slate-600">{move || message.get()}</p>
                    <div class="mt-6 flex justify-end gap-3">
                        <button
                            type="button"
                            class="btn-secondary"
                            on:click=move |_| open.set(false)
                        >
                            "Cancel"
                        </button>
                        <button
                            type="button"
                            class="btn-danger"
                            on:click=move |_| {
                                open.set(false);
                                on_confirm.run(());
                            }
                        >
                            {confirm_label}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
