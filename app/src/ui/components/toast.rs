//! Short-lived success and failure messages in the top-right corner.

use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Failure,
}

#[derive(Clone)]
struct Toast {
    id: u64,
    kind: ToastKind,
    message: String,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

impl Toasts {
    pub fn success(&self, message: impl Into<String>) {
        self.push(ToastKind::Success, message.into());
    }

    pub fn failure(&self, message: impl Into<String>) {
        self.push(ToastKind::Failure, message.into());
    }

    fn push(&self, kind: ToastKind, message: String) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.items.update(|v| v.push(Toast { id, kind, message }));
        let items = self.items;
        set_timeout(
            move || items.update(|v| v.retain(|t| t.id != id)),
            std::time::Duration::from_secs(5),
        );
    }
}

pub fn provide_toasts() {
    provide_context(Toasts {
        items: RwSignal::new(Vec::new()),
        next_id: StoredValue::new(0),
    });
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

#[component]
pub fn ToastArea() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="pointer-events-none fixed right-4 top-16 z-50 flex w-96 flex-col gap-2">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div
                    role="status"
                    class=match toast.kind {
                        ToastKind::Success => {
                            "pointer-events-auto rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 shadow"
                        }
                        ToastKind::Failure => {
                            "pointer-events-auto rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900 shadow"
                        }
                    }
                >
                    {toast.message.clone()}
                </div>
            </For>
        </div>
    }
}
