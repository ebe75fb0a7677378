//! Labels: admins define them (name, colour) on /agent/labels; agents put them on
//! conversations from the side panel, see them in the list and filter the inbox by one.
//! Internal: a visitor's copy of their conversation never carries them.
use crate::error::AppError;
use crate::model::{Conversation, Label};
use leptos::prelude::*;

#[server(endpoint = "labels")]
pub async fn labels() -> Result<Vec<Label>, AppError> {
    ssr::list().await
}

/// Adds (`id` empty) or renames and recolours a label. Admins only.
#[server(endpoint = "save_label")]
pub async fn save_label(
    #[server(default)] id: String,
    name: String,
    color: String,
) -> Result<Label, AppError> {
    ssr::save(id, name, color).await
}

/// Deletes a label and takes it off every conversation. Admins only.
#[server(endpoint = "delete_label")]
pub async fn delete_label(id: String) -> Result<(), AppError> {
    ssr::delete(id).await
}

/// Puts a label on a conversation (`on`) or takes it off; every agent tab sees it live.
#[server(endpoint = "label_conversation")]
pub async fn label_conversation(
    conversation_id: String,
    label: String,
    on: bool,
) -> Result<Conversation, AppError> {
    ssr::label_conversation(conversation_id, label, on).await
}

/// The team's labels, for the list and the thread of the inbox: read in the browser once the
/// inbox view has hydrated (and again after a resync). A plain signal, not a resource, so no
/// `Suspense` waits for it: the server renders no chips, hydration meets the same empty book,
/// and the chips follow at once.
#[derive(Clone, Copy)]
pub struct LabelBook(RwSignal<Vec<Label>>);

impl LabelBook {
    pub fn provide() {
        let live = crate::live::client::use_live();
        let book = RwSignal::new(Vec::new());
        Effect::new(move |_| {
            live.inbox_resync.track();
            leptos::task::spawn_local(async move {
                if let Ok(list) = labels().await {
                    book.set(list);
                }
            });
        });
        provide_context(LabelBook(book));
    }

    pub fn expect() -> LabelBook {
        expect_context::<LabelBook>()
    }

    /// Every label (none until read).
    pub fn all(&self) -> Vec<Label> {
        self.0.get()
    }

    /// The labels of these ids that still exist, in the order given.
    pub fn named(&self, ids: &[String]) -> Vec<Label> {
        let all = self.all();
        ids.iter()
            .filter_map(|id| all.iter().find(|label| label.id == *id).cloned())
            .collect()
    }
}

/// One label as a coloured chip, its text black or white for contrast.
#[component]
pub fn LabelChip(label: Label, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    let style = format!("background:{};color:{}", label.color, label.text_color());
    view! {
        <span class="label-chip" style=style data-testid="label-chip">
            {label.name}
            {children.map(|children| children())}
        </span>
    }
}

/// The chips of a conversation in the inbox list.
#[component]
pub fn LabelChips(ids: Vec<String>) -> impl IntoView {
    let book = LabelBook::expect();
    move || {
        let labels = book.named(&ids);
        (!labels.is_empty()).then(|| {
            view! {
                <span class="label-chips">
                    {labels.into_iter().map(|label| view! { <LabelChip label/> }).collect_view()}
                </span>
            }
        })
    }
}

/// The thread's side panel: the conversation's labels, each removable, and a picker to add one.
#[component]
pub fn ConversationLabels(
    conversation_id: String,
    labels: Signal<Vec<String>>,
    on_changed: Callback<Conversation>,
) -> impl IntoView {
    let book = LabelBook::expect();
    let change = ServerAction::<LabelConversation>::new();
    Effect::new(move |_| {
        if let Some(Ok(conversation)) = change.value().get() {
            on_changed.run(conversation);
        }
    });
    let id = StoredValue::new(conversation_id);
    let toggle = move |label: String, on: bool| {
        change.dispatch(LabelConversation {
            conversation_id: id.get_value(),
            label,
            on,
        });
    };
    let unused = move || {
        let on = labels.get();
        book.all()
            .into_iter()
            .filter(|label| !on.contains(&label.id))
            .collect::<Vec<_>>()
    };
    view! {
        <section class="context-labels" aria-labelledby="labels-title">
            <h4 id="labels-title">"Labels"</h4>
            <div class="label-chips" data-testid="conversation-labels">
                {move || book.named(&labels.get()).into_iter().map(|label| {
                    let (label_id, name) = (label.id.clone(), label.name.clone());
                    view! {
                        <LabelChip label>
                            <button type="button" class="label-remove" aria-label=format!("Remove the label {name}")
                                on:click=move |_| toggle(label_id.clone(), false)>"×"</button>
                        </LabelChip>
                    }
                }).collect_view()}
            </div>
            <Show when=move || !unused().is_empty()
                fallback=move || book.all().is_empty().then(|| view! {
                    <p class="context-hint">"An admin can create labels under Labels."</p>
                })>
                <label class="sr-only" for="add-label">"Add a label"</label>
                <select id="add-label" data-testid="add-label" prop:value=""
                    on:change=move |ev| {
                        let picked = event_target_value(&ev);
                        if !picked.is_empty() { toggle(picked, true); }
                    }>
                    <option value="">"Add a label…"</option>
                    {move || unused().into_iter().map(|label| view! { <option value=label.id>{label.name}</option> }).collect_view()}
                </select>
            </Show>
            {move || change.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </section>
    }
}

/// The inbox list's label filter: every label, or one.
#[component]
pub fn LabelFilter(selected: RwSignal<String>) -> impl IntoView {
    let book = LabelBook::expect();
    view! {
        {move || (!book.all().is_empty()).then(|| view! {
                <label class="inbox-filter">
                    <span class="sr-only">"Label"</span>
                    <select data-testid="label-filter" on:change=move |ev| selected.set(event_target_value(&ev))>
                        <option value="" selected=move || selected.with(String::is_empty)>"All labels"</option>
                        {book.all().into_iter().map(|label| {
                            let id = label.id.clone();
                            view! { <option value=label.id selected=move || selected.with(|s| *s == id)>{label.name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            })}
    }
}

mod page;
pub use page::LabelsPage;

#[cfg(feature = "ssr")]
pub mod ssr;
