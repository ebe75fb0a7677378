//! What a person types, or sends, before the WASM has hydrated the page is not lost. Without
//! this, hydration sets every field to its signal's (empty) value, and a press on Send submits
//! the form natively: the page reloads with the text in its address. The widget, which
//! hydrates only at its first use (`widget::wake`), also closes before then: the script marks
//! a framed page (its style shows Close there) and posts the close notice itself, and it marks
//! the first use (`data-used`) for a widget whose code was still on its way. A few lines of script in
//! each page's head ([`KeepEarlyInput`]) note what happens on the server's HTML; the components take it
//! over once hydrated ([`keep`], [`sent_early`]).
use leptos::prelude::*;
use leptos::web_sys::Element;

// No `&`, `<` or `>`: the text of a `<script>` is escaped as any other text.
const SCRIPT: &str = r#"(function(){var d=document,w=window;var h=d.documentElement;if(w.parent!==w){h.setAttribute("data-framed","")}["pointerdown","keydown","focusin","touchstart"].forEach(function(t){d.addEventListener(t,function(){h.setAttribute("data-used","")},true)});function early(){return !(d.body?d.body.hasAttribute("data-hydrated"):false)}d.addEventListener("input",function(e){var t=e.target;if(early()){if(t.hasAttribute("data-keep")){t.setAttribute("data-early",t.value)}}},true);d.addEventListener("submit",function(e){if(early()){e.preventDefault();e.target.setAttribute("data-sent-early","")}},true);d.addEventListener("click",function(e){if(early()){if(e.target.closest(".widget-close")){w.parent.postMessage({type:"switchboard:close"},"*")}}},true)})()"#;

/// The script, for a page's `<head>`, with the page's nonce (its policy allows no other).
#[component]
pub fn KeepEarlyInput() -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    view! { <script nonce=nonce>{SCRIPT}</script> }
}

/// Once hydrated, gives `value` what was typed into `node` before (the field needs
/// `data-keep`), unless it already holds something.
pub fn keep<E>(node: NodeRef<E>, value: RwSignal<String>)
where
    E: leptos::html::ElementType,
    E::Output: AsRef<Element> + leptos::wasm_bindgen::JsCast + Clone + 'static,
{
    once_hydrated(node, move |field| {
        if let Some(text) = field.get_attribute("data-early") {
            let _ = field.remove_attribute("data-early");
            if value.with_untracked(String::is_empty) {
                value.set(text);
            }
        }
    });
}

/// Once hydrated, runs `send` if the form in `node` was submitted before.
pub fn sent_early<E>(node: NodeRef<E>, send: impl Fn() + 'static)
where
    E: leptos::html::ElementType,
    E::Output: AsRef<Element> + leptos::wasm_bindgen::JsCast + Clone + 'static,
{
    once_hydrated(node, move |form| {
        if form.has_attribute("data-sent-early") {
            let _ = form.remove_attribute("data-sent-early");
            send();
        }
    });
}

/// Runs `take` on the element once it is in the page (after hydration, in the browser).
fn once_hydrated<E>(node: NodeRef<E>, take: impl Fn(&Element) + 'static)
where
    E: leptos::html::ElementType,
    E::Output: AsRef<Element> + leptos::wasm_bindgen::JsCast + Clone + 'static,
{
    Effect::new(move |_| {
        if let Some(element) = node.get() {
            take(element.as_ref());
        }
    });
}
