//! A chat in its barest form: messages in a list, a composer, two server functions (the
//! browser half only: this crate is never served).
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Message {
    pub seq: i64,
    pub body: String,
    pub sender: String,
}

#[server]
pub async fn send(body: String, client_id: String) -> Result<Message, ServerFnError> {
    Err(ServerFnError::new(format!("{body}{client_id}")))
}

#[server]
pub async fn older(before: i64) -> Result<Vec<Message>, ServerFnError> {
    Err(ServerFnError::new(before.to_string()))
}

#[component]
fn Chat() -> impl IntoView {
    let messages = RwSignal::new(Vec::<Message>::new());
    let draft = RwSignal::new(String::new());
    let sent = ServerAction::<Send>::new();
    let earlier = ServerAction::<Older>::new();
    Effect::new(move |_| {
        if let Some(Ok(message)) = sent.value().get() {
            messages.update(|list| list.push(message));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(page)) = earlier.value().get() {
            messages.update(|list| list.extend(page));
        }
    });
    view! {
        <header><h1>"Support"</h1><p>{move || format!("{} messages", messages.with(Vec::len))}</p></header>
        <button on:click=move |_| { earlier.dispatch(Older { before: 1 }); }>"Earlier"</button>
        <ol>
            <For each=move || messages.get() key=|m| m.seq let:m>
                <li class=if m.sender == "agent" { "agent" } else { "visitor" }>{m.body.clone()}</li>
            </For>
        </ol>
        <form on:submit=move |ev| {
            ev.prevent_default();
            sent.dispatch(Send { body: draft.get_untracked(), client_id: "1".into() });
            draft.set(String::new());
        }>
            <textarea prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
            <Show when=move || !draft.get().is_empty()><button type="submit">"Send"</button></Show>
        </form>
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_body(Chat);
}
