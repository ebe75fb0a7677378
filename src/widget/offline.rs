//! The widget keeps working without a network (see public/sw.js).
pub fn register_service_worker() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        // Refused in a frame on another site when the browser blocks third-party
        // storage: the widget then simply has no offline copy (no uncaught error).
        let script = format!("/sw.js?bundle={}", super::shell::RUNNING_BUNDLE);
        let registered = window.navigator().service_worker().register(&script);
        let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(
            |_: wasm_bindgen::JsValue| {},
        );
        let _ = registered.catch(&ignore);
        ignore.forget();
    }
}

/// Once a chat starts, the worker keeps a copy of the page with it: asked of the worker itself
/// when it is ready (a fetch from the page missed the cache while the worker did not yet
/// control the page, and an offline reload then showed the start form).
pub fn refresh_cached_page() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let ask = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(
            |registration: wasm_bindgen::JsValue| {
                use wasm_bindgen::JsCast;
                let worker = registration
                    .dyn_into::<web_sys::ServiceWorkerRegistration>()
                    .ok()
                    .and_then(|registration| registration.active());
                if let Some(worker) = worker {
                    let _ = worker.post_message(&"refresh".into());
                }
            },
        );
        if let Ok(ready) = window.navigator().service_worker().ready() {
            let _ = ready.then(&ask);
        }
        ask.forget();
    }
}
