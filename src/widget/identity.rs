//! Who the visitor is when our cookie cannot say. Framed on another site, browsers that block
//! third-party cookies never send it, so the widget keeps the visitor's token itself and sends
//! it explicitly with every server function and socket. The host page's embed keeps a copy in
//! the host's own storage (first-party there) and hands it back in the frame's address
//! fragment, which never reaches a server or a log.

#[cfg(feature = "hydrate")]
const STORAGE_KEY: &str = "switchboard.visitor";

/// Reads the token the host page handed over, else this frame's own storage, and uses it from
/// now on. Browser only; `None` means "the cookie's".
pub fn load() -> Option<String> {
    #[cfg(feature = "hydrate")]
    if let Some(token) = browser::from_fragment().or_else(browser::from_storage) {
        set(token.clone());
        return Some(token);
    }
    None
}

/// Whether the host page handed over a token, or this frame kept one: a returning visitor,
/// whose chat is found only in the browser. Reads without using it.
#[cfg(all(feature = "hydrate", feature = "widget-bundle"))]
pub fn known() -> bool {
    browser::from_fragment()
        .or_else(browser::from_storage)
        .is_some()
}

/// Keeps a new visitor's token here and, through the embed, in the host page's storage.
pub fn remember(token: String) {
    #[cfg(feature = "hydrate")]
    {
        browser::store(&token);
        browser::tell_host(&token);
    }
    set(token);
}

fn set(token: String) {
    crate::live::client::use_live().set_visitor_token(Some(token.clone()));
    CURRENT.with(|current| *current.borrow_mut() = token);
}

/// The origin of the page that frames the widget, as the browser reports it; empty when the
/// widget is its own page (or on the server, which reads the `Referer` instead).
pub fn host_origin() -> String {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let framed = window
            .parent()
            .ok()
            .flatten()
            .is_some_and(|parent| !js_sys::Object::is(parent.as_ref(), window.as_ref()));
        if framed {
            return browser::parent_origin(&window).unwrap_or_default();
        }
    }
    String::new()
}

/// The browser's language (`es-ES`) and time zone (`Europe/Madrid`); empty on the server.
pub fn browser_locale() -> (String, String) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let language = window.navigator().language().unwrap_or_default();
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        let zone = js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|zone| zone.as_string())
            .unwrap_or_default();
        return (language, zone);
    }
    (String::new(), String::new())
}

thread_local! {
    /// The same token, for senders that run outside any component (the outbox).
    static CURRENT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The token for a server function's `visitor` argument, from anywhere (empty: the cookie's).
pub fn current() -> String {
    CURRENT.with(|current| current.borrow().clone())
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::STORAGE_KEY;
    use crate::model::plausible_token as plausible;

    /// `#sb=TOKEN`, as the embed builds the frame's address.
    pub fn from_fragment() -> Option<String> {
        let hash = web_sys::window()?.location().hash().ok()?;
        let params = web_sys::UrlSearchParams::new_with_str(hash.trim_start_matches('#')).ok()?;
        params.get("sb").filter(|token| plausible(token))
    }

    /// This frame's storage: partitioned by the host site, and may be refused outright.
    pub fn from_storage() -> Option<String> {
        let storage = web_sys::window()?.local_storage().ok()??;
        storage
            .get_item(STORAGE_KEY)
            .ok()?
            .filter(|token| plausible(token))
    }

    pub fn store(token: &str) {
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.set_item(STORAGE_KEY, token);
        }
    }

    /// Posts `{type: "switchboard:identity", token}` to the page that frames us, and only to
    /// that page's origin, as the browser reports it (not as anyone claims it).
    pub fn tell_host(token: &str) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Ok(Some(parent)) = window.parent() else {
            return;
        };
        if parent == window {
            return;
        }
        let Some(origin) = parent_origin(&window) else {
            return;
        };
        let notice = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&notice, &"type".into(), &"switchboard:identity".into());
        let _ = js_sys::Reflect::set(&notice, &"token".into(), &token.into());
        let _ = parent.post_message(&notice, &origin);
    }

    /// `location.ancestorOrigins` where the browser has it, else the referrer's origin.
    pub fn parent_origin(window: &web_sys::Window) -> Option<String> {
        let location = window.location();
        let ancestors = js_sys::Reflect::get(&location, &"ancestorOrigins".into()).ok();
        let first = ancestors
            .filter(|list| !list.is_undefined())
            .and_then(|list| js_sys::Reflect::get(&list, &0.into()).ok())
            .and_then(|origin| origin.as_string());
        first.or_else(|| {
            let referrer = window.document()?.referrer();
            web_sys::Url::new(&referrer).ok().map(|url| url.origin())
        })
    }
}
