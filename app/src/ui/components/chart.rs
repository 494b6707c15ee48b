//! `<Chart spec />`: one chart of a `ChartSpec`, drawn by Chart.js in the browser.
//!
//! The server renders the frame, an empty canvas and the spec's summary in words, so the page
//! says what the chart shows before (and without) any script. Once hydrated, the component loads
//! Chart.js (`/vendor/chart.umd.js`, copied into the site by `scripts/build.sh`) the first time a
//! chart appears on a page, by adding a `<script>` element: the page's CSP allows the site's own
//! scripts, and pages without charts (the portal home) never download it. It draws the chart, draws
//! it again when the spec changes, and destroys it when the spec changes or the view goes away.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::chart_spec::ChartSpec;

#[component]
pub fn Chart(
    #[prop(into)] spec: Signal<ChartSpec>,
    /// Tailwind height of the drawing area.
    #[prop(default = "h-56")]
    height: &'static str,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    #[cfg(feature = "hydrate")]
    browser::draw(canvas, spec);
    let summary = move || spec.with(|s| s.summary.clone());
    view! {
        <figure class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-chart=move || spec.with(|s| s.title)>
            <h3 class="text-sm font-semibold text-slate-700">{move || spec.with(|s| s.title)}</h3>
            <div class=format!("relative mt-2 {height}")>
                <canvas node_ref=canvas role="img" aria-label=summary></canvas>
            </div>
            <figcaption class="mt-2 text-xs text-slate-500">{summary}</figcaption>
        </figure>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;

    use leptos::html::Canvas;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    use super::ChartSpec;

    /// Where the site serves Chart.js.
    const SRC: &str = "/vendor/chart.umd.js";

    #[wasm_bindgen]
    extern "C" {
        /// Chart.js' `Chart` class, a global once its UMD script has run.
        #[wasm_bindgen(js_name = Chart)]
        type ChartJs;

        #[wasm_bindgen(constructor, js_class = "Chart", catch)]
        fn new(canvas: &web_sys::HtmlCanvasElement, config: &JsValue) -> Result<ChartJs, JsValue>;

        #[wasm_bindgen(method)]
        fn destroy(this: &ChartJs);
    }

    thread_local! {
        /// The one load of the script per page load, shared by every chart on it.
        static LIBRARY: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
    }

    /// Resolves once Chart.js is there; the script is added on the first call only.
    fn library() -> js_sys::Promise {
        LIBRARY.with(|cell| cell.borrow_mut().get_or_insert_with(load_script).clone())
    }

    fn load_script() -> js_sys::Promise {
        js_sys::Promise::new(&mut |resolve, reject| {
            let has_chart = js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("Chart"));
            if has_chart.unwrap_or(false) {
                let _ = resolve.call0(&JsValue::NULL);
                return;
            }
            let document = web_sys::window().and_then(|w| w.document());
            let script = document
                .as_ref()
                .and_then(|d| d.create_element("script").ok())
                .map(JsCast::unchecked_into::<web_sys::HtmlScriptElement>);
            let head = document.as_ref().and_then(|d| d.head());
            let (Some(script), Some(head)) = (script, head) else {
                let _ = reject.call0(&JsValue::NULL);
                return;
            };
            script.set_src(SRC);
            script.set_onload(Some(&resolve));
            script.set_onerror(Some(&reject));
            if head.append_child(&script).is_err() {
                let _ = reject.call0(&JsValue::NULL);
            }
        })
    }

    fn destroy(chart: StoredValue<Option<ChartJs>, LocalStorage>) {
        chart.try_update_value(|c| {
            if let Some(old) = c.take() {
                old.destroy();
            }
        });
    }

    /// Draws `spec` on `canvas` whenever either changes, replacing the chart drawn before, and
    /// destroys the last one with the view.
    pub fn draw(canvas: NodeRef<Canvas>, spec: Signal<ChartSpec>) {
        let chart = StoredValue::new_local(None::<ChartJs>);
        // Counts draws: a draw that waited for the script while a newer one started gives way.
        let generation = StoredValue::new(0u64);
        Effect::new(move |_| {
            let config = spec.with(|s| s.config().to_string());
            let Some(element) = canvas.get() else {
                return;
            };
            let this = generation.get_value() + 1;
            generation.set_value(this);
            leptos::task::spawn_local(async move {
                if JsFuture::from(library()).await.is_err() {
                    // Let the next chart try again (the page keeps its summary in words).
                    LIBRARY.with(|cell| cell.borrow_mut().take());
                    leptos::logging::warn!("Chart.js could not be loaded from {SRC}");
                    return;
                }
                if generation.try_get_value() != Some(this) || !element.is_connected() {
                    return;
                }
                destroy(chart);
                let Ok(config) = js_sys::JSON::parse(&config) else {
                    return;
                };
                match ChartJs::new(&element, &config) {
                    Ok(drawn) => chart.set_value(Some(drawn)),
                    Err(e) => leptos::logging::warn!("Chart.js refused a chart: {e:?}"),
                }
            });
        });
        on_cleanup(move || {
            generation.try_update_value(|g| *g += 1);
            destroy(chart);
        });
    }
}
