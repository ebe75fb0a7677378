//! Keyboard shortcuts for the dashboard, and the `?` sheet that lists them. Keys typed into a
//! field are the field's; shortcuts never take them.
use super::thread::ThreadActions;
use leptos::prelude::*;

pub const SHORTCUTS: [(&str, &str); 8] = [
    ("?", "Show or hide this list"),
    ("j", "Next conversation"),
    ("k", "Previous conversation"),
    ("c", "Write a reply (focus the composer)"),
    ("n", "Write an internal note (only agents see it)"),
    ("e", "Resolve or reopen the conversation"),
    ("a", "Assign the conversation to me"),
    ("Esc", "Close this list"),
];

/// What the shortcuts act on: the list's order and the open conversation, set by those views.
#[derive(Clone, Copy)]
pub struct ShortcutTargets {
    pub order: RwSignal<Vec<String>>,
    pub thread: RwSignal<Option<ThreadActions>>,
    pub help: RwSignal<bool>,
}

pub fn targets() -> ShortcutTargets {
    expect_context::<ShortcutTargets>()
}

/// Provides the targets and listens for keys on the page.
pub fn install() {
    let targets = ShortcutTargets {
        order: RwSignal::new(Vec::new()),
        thread: RwSignal::new(None),
        help: RwSignal::new(false),
    };
    provide_context(targets);
    #[cfg(feature = "hydrate")]
    listen(targets, super::Me::id());
}

#[cfg(feature = "hydrate")]
fn listen(targets: ShortcutTargets, me: String) {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    let navigate = leptos_router::hooks::use_navigate();
    let location = leptos_router::hooks::use_location();
    let on_key =
        Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing_in_a_field(&ev) {
                return;
            }
            let open = location.pathname.get_untracked();
            let current = open.strip_prefix("/agent/c/").map(str::to_string);
            let step = |by: isize| {
                let order = targets.order.get_untracked();
                let at = current
                    .as_ref()
                    .and_then(|id| order.iter().position(|o| o == id));
                let next = match at {
                    Some(at) => at as isize + by,
                    None if by > 0 => 0,
                    None => order.len() as isize - 1,
                };
                usize::try_from(next)
                    .ok()
                    .and_then(|i| order.get(i).cloned())
            };
            let handled = match ev.key().as_str() {
                "?" => {
                    targets.help.update(|open| *open = !*open);
                    true
                }
                "Escape" if targets.help.get_untracked() => {
                    targets.help.set(false);
                    true
                }
                "j" | "k" => {
                    if let Some(id) = step(if ev.key() == "j" { 1 } else { -1 }) {
                        navigate(&format!("/agent/c/{id}"), Default::default());
                    }
                    true
                }
                "c" | "n" => {
                    if let Some(actions) = targets.thread.get_untracked() {
                        actions.note.set(ev.key() == "n");
                    }
                    crate::notes::focus_composer()
                }
                "e" => targets
                    .thread
                    .get_untracked()
                    .map(|actions| actions.toggle_status())
                    .is_some(),
                "a" => targets
                    .thread
                    .get_untracked()
                    .map(|actions| actions.assign_to(me.clone()))
                    .is_some(),
                _ => false,
            };
            if handled {
                ev.prevent_default();
            }
        });
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        let _ =
            document.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    }
    // One listener for the dashboard's life in this tab.
    on_key.forget();
}

#[cfg(feature = "hydrate")]
fn typing_in_a_field(ev: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.has_attribute("contenteditable")
        })
}

/// The `?` sheet.
#[component]
pub fn ShortcutHelp() -> impl IntoView {
    let targets = targets();
    view! {
        <Show when=move || targets.help.get()>
            <div class="dialog-backdrop" on:click=move |_| targets.help.set(false)>
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="keys-title" data-testid="shortcuts"
                    on:click=|ev| ev.stop_propagation()>
                    <h2 id="keys-title">"Keyboard shortcuts"</h2>
                    <dl class="shortcut-list">
                        {SHORTCUTS.into_iter().map(|(key, what)| view! {
                            <div class="shortcut"><dt><kbd>{key}</kbd></dt><dd>{what}</dd></div>
                        }).collect_view()}
                        <div class="shortcut"><dt><kbd>"Enter"</kbd></dt><dd>"Send (Shift+Enter for a new line)"</dd></div>
                    </dl>
                    <button class="secondary" on:click=move |_| targets.help.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
