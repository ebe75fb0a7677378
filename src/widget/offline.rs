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

pub fn refresh_cached_page() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.fetch_with_str("/widget");
    }
}
