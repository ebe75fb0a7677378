//! An avatar: initials in a disc, in an agent's own colour where the page knows it. Shared by
//! the chat, the team pages and the dashboard's rail.
use crate::model::{initials, SenderKind};
use leptos::prelude::*;

/// Agents' avatar colours by agent id, where a page knows them (the dashboard does).
#[derive(Clone, Copy)]
pub struct AvatarColors(pub Signal<Vec<(String, String)>>);

impl AvatarColors {
    /// The colour of the agent behind `sender_id`, live, if this page knows it.
    pub fn of(sender_id: Option<String>) -> Signal<Option<String>> {
        let colors = use_context::<AvatarColors>();
        Signal::derive(move || {
            let (colors, id) = (colors?, sender_id.as_ref()?);
            colors.0.with(|known| {
                known
                    .iter()
                    .find(|(agent, _)| agent == id)
                    .map(|(_, c)| c.clone())
            })
        })
    }
}

/// Initials in a disc; an agent's own colour when known (white text: the colours are picked
/// to keep AA contrast with it).
#[component]
pub fn Avatar(
    #[prop(into)] name: String,
    #[prop(optional)] kind: Option<SenderKind>,
    #[prop(optional, into)] color: MaybeProp<String>,
) -> impl IntoView {
    let class = match kind {
        Some(SenderKind::Agent) => "avatar avatar-agent",
        _ => "avatar",
    };
    let style = move || {
        color
            .get()
            .map(|color| format!("background:{color};color:#fff"))
    };
    view! { <span class=class style=style aria-hidden="true">{initials(&name)}</span> }
}
