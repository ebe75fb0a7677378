//! The dashboard's pages that the first load of /agent does not show. In the dashboard's bundle
//! they are two chunks (`#[wasm_split]`, split by scripts/build-site.sh): an open conversation,
//! and the settings pages together (one chunk rather than six keeps the code they share out of
//! a dozen tiny files). A chunk is fetched when one of its routes is first visited, when an
//! agent points at a conversation (`preload_conversation`), or before the page hydrates when
//! it starts there (`preload_current_page`). Elsewhere (the server, `cargo leptos watch`'s
//! whole-app bundle) the same routes render straight away.
use leptos::prelude::*;
use leptos_router::LazyRoute;

/// A lazy route whose view is one split function (`$split`) around a page component.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident, $module:ident, $split:ident, $preload:ident, $page:path, $place:literal) => {
        $(#[$doc])*
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                $split()
                    .await
                    .unwrap_or_else(|PageNotLoaded| view! { <PageFailed place=$place/> }.into_any())
            }

            // Awaited before a client-side navigation shows the page, so the previous page
            // stays until the chunk is in; a failure is left to `view`, which says so.
            async fn preload() {
                let _ = $preload().await;
            }
        }

        #[cfg(all(feature = "hydrate", feature = "dashboard-bundle"))]
        #[leptos::wasm_split::wasm_split(
            $module,
            wasm_split_path = ::leptos::wasm_split,
            fallible,
            preload($preload)
        )]
        fn $split() -> Result<AnyView, PageNotLoaded> {
            Ok($page().into_any())
        }

        #[cfg(not(all(feature = "hydrate", feature = "dashboard-bundle")))]
        async fn $split() -> Result<AnyView, PageNotLoaded> {
            Ok($page().into_any())
        }

        #[cfg(not(all(feature = "hydrate", feature = "dashboard-bundle")))]
        async fn $preload() -> Result<(), PageNotLoaded> {
            Ok(())
        }
    };
}

lazy_page!(
    /// /agent/c/:id
    Conversation, dashboard_conversation, conversation_view, preload_conversation,
    crate::inbox::ConversationPage, "thread thread-empty"
);
lazy_page!(
    /// /agent/team
    Team, dashboard_settings_pages, team_view, preload_team, crate::team::TeamPage, "page"
);
lazy_page!(
    /// /agent/inboxes
    Inboxes, dashboard_settings_pages, inboxes_view, preload_inboxes, crate::inboxes::InboxSettingsPage, "page"
);
lazy_page!(
    /// /agent/settings
    Settings, dashboard_settings_pages, settings_view, preload_settings, crate::team::SettingsPage, "page"
);
lazy_page!(
    /// /agent/replies
    Replies, dashboard_settings_pages, replies_view, preload_replies, crate::canned::CannedPage, "page"
);
lazy_page!(
    /// /agent/labels
    Labels, dashboard_settings_pages, labels_view, preload_labels, crate::labels::LabelsPage, "page"
);
lazy_page!(
    /// /agent/mail
    Mail, dashboard_settings_pages, mail_view, preload_mail, crate::mail::MailPage, "page"
);

/// Starts fetching an open conversation's chunk, once (the inbox calls it when an agent points
/// at its list). A failure is not kept: the click asks again, and the page says if it fails.
pub fn prefetch_conversation() {
    #[cfg(all(feature = "hydrate", feature = "dashboard-bundle"))]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        static ASKED: AtomicBool = AtomicBool::new(false);
        if !ASKED.swap(true, Ordering::Relaxed) {
            leptos::task::spawn_local(async {
                if preload_conversation().await.is_err() {
                    ASKED.store(false, Ordering::Relaxed);
                }
            });
        }
    }
}

/// Fetches the chunk of the page the browser is on, if it is a lazy one, so the page can
/// hydrate at once (hydration cannot wait for a chunk half-way). False when it could not be
/// fetched: the page is then left as the server rendered it, with a notice to reload.
#[cfg(all(feature = "hydrate", feature = "dashboard-bundle"))]
pub async fn preload_current_page(path: &str) -> bool {
    let page = path.trim_end_matches('/');
    let loaded = match page.strip_prefix("/agent/") {
        Some(id) if id.starts_with("c/") => preload_conversation().await,
        // Each page its own preload, though the six share a chunk: every split function keeps
        // its own loader, and the router polls the route's own once while hydrating.
        Some("team") => preload_team().await,
        Some("inboxes") => preload_inboxes().await,
        Some("settings") => preload_settings().await,
        Some("replies") => preload_replies().await,
        Some("labels") => preload_labels().await,
        Some("mail") => preload_mail().await,
        _ => return true,
    };
    loaded.is_ok()
}

/// The page's chunk did not load.
#[derive(Debug)]
pub struct PageNotLoaded;

#[cfg(all(feature = "hydrate", feature = "dashboard-bundle"))]
impl From<leptos::wasm_split::SplitLoaderError> for PageNotLoaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        PageNotLoaded
    }
}

/// In a page's place when its code could not be fetched (the network dropped, or a redeploy
/// replaced it): a reload fetches the page and its files afresh. `place` is the class of the
/// box the page would have filled (the thread's column, or a settings page's).
#[component]
fn PageFailed(place: &'static str) -> impl IntoView {
    let reload = |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    };
    view! {
        <section class=place>
            <div class="page-failed" role="alert" data-testid="page-failed">
                <p>"This page could not be loaded: the connection dropped, or Switchboard was updated."</p>
                <button type="button" class="primary" on:click=reload>"Reload"</button>
            </div>
        </section>
    }
}

/// When the page the browser opened on could not fetch its code before hydrating, the
/// server's HTML stays as it is (unhydrated) and a bar above it says so.
#[cfg(all(feature = "hydrate", feature = "dashboard-bundle"))]
pub fn announce_unloaded_page() {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Ok(bar), Some(body)) = (document.create_element("div"), document.body()) else {
        return;
    };
    bar.set_class_name("page-failed-bar");
    if body.prepend_with_node_1(&bar).is_ok() {
        if let Ok(bar) = bar.dyn_into::<web_sys::HtmlElement>() {
            leptos::mount::mount_to(bar, || view! { <PageFailed place="page-failed-place"/> })
                .forget();
        }
    }
}
