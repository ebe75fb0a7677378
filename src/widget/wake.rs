//! When the lean widget bundle hydrates. Its main module is this file and little else: the
//! widget's code (Leptos, the start form, the server functions' client) is a chunk of its own
//! (`chunk::start_widget`), fetched at the visitor's first sign of use (a pointer, a key, a
//! focus) rather than with the first open. Until then the server's HTML is the widget: it
//! shows the greeting, who is online and the form, keeps what is typed or sent
//! (`before_hydration`), and closes (the same inline script). A page that must be live at once
//! hydrates straight away: a returning visitor's chat, or a token the host page handed over.
//! Browser only, and no Leptos views here: whatever this file uses stays in the first open.
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The events that say the visitor is about to use the widget (the head's script listens for
/// the same, src/before_hydration.rs).
const FIRST_USE: [&str; 4] = ["pointerdown", "keydown", "focusin", "touchstart"];

/// Waits as long as the page may wait, then hydrates it; a widget chunk that cannot be fetched
/// shows the server-rendered notice (`widget-failed`) and its retry.
pub async fn hydrate_when_used() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let chat_rendered = document
        .query_selector(super::chunk::RENDERED_CHAT)
        .ok()
        .flatten()
        .is_some();
    if !chat_rendered && !super::identity::known() {
        first_use(&document).await;
    }
    if !load_and_start(chat_rendered).await {
        show_failure(&document, chat_rendered);
    }
}

/// Fetches the widget's chunk (and the chat's, when the server rendered the chat: both at
/// once), then hydrates. `false` when the widget's chunk could not be fetched.
async fn load_and_start(chat_rendered: bool) -> bool {
    let chat = async {
        if chat_rendered {
            super::chunk::preload_chat().await
        } else {
            true
        }
    };
    let (chat_loaded, widget_loaded) =
        futures_util::future::join(chat, super::chunk::preload_widget()).await;
    widget_loaded && super::chunk::start_widget(chat_loaded).await.is_ok()
}

/// Resolves at the first of [`FIRST_USE`] anywhere in the page, or at once when the head's
/// script saw one before this module arrived (`data-used`, src/before_hydration.rs).
async fn first_use(document: &web_sys::Document) {
    if document
        .document_element()
        .is_some_and(|html| html.has_attribute("data-used"))
    {
        return;
    }
    let resolve = std::rc::Rc::new(std::cell::RefCell::new(None::<js_sys::Function>));
    let used = js_sys::Promise::new(&mut |resolved, _| *resolve.borrow_mut() = Some(resolved));
    let on_use = Closure::<dyn FnMut()>::new(move || {
        if let Some(resolved) = resolve.borrow_mut().take() {
            let _ = resolved.call0(&JsValue::NULL);
        }
    });
    for event in FIRST_USE {
        let _ = document.add_event_listener_with_callback_and_bool(
            event,
            on_use.as_ref().unchecked_ref(),
            true,
        );
    }
    let _ = wasm_bindgen_futures::JsFuture::from(used).await;
    for event in FIRST_USE {
        let _ = document.remove_event_listener_with_callback_and_bool(
            event,
            on_use.as_ref().unchecked_ref(),
            true,
        );
    }
}

/// The server's notice that the widget's code did not load. "Try again" fetches it again in
/// place, so what the visitor typed stays (the network is back); when that fails too, it
/// reloads the page, which names its files afresh (a redeploy replaced them).
fn show_failure(document: &web_sys::Document, chat_rendered: bool) {
    let Some(notice) = document.get_element_by_id("widget-failed") else {
        return;
    };
    let _ = notice.remove_attribute("hidden");
    let shown = notice.clone();
    let retry = Closure::<dyn FnMut()>::new(move || {
        let _ = shown.set_attribute("hidden", "");
        wasm_bindgen_futures::spawn_local(async move {
            if !load_and_start(chat_rendered).await {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }
        });
    });
    if let Ok(Some(button)) = notice.query_selector("button") {
        let _ = button.add_event_listener_with_callback("click", retry.as_ref().unchecked_ref());
    }
    // For the page's life.
    retry.forget();
}
