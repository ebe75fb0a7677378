//! /agent/labels: the team's labels. Admins add, rename, recolour and delete them; everyone
//! else sees the list.
use super::{labels, DeleteLabel, LabelChip, SaveLabel};
use crate::model::Label;
use leptos::prelude::*;

/// Colours offered for a new label, each checked for readable text (`Label::text_color`).
const PALETTE: [&str; 8] = [
    "#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#4b5563",
];

#[component]
pub fn LabelsPage() -> impl IntoView {
    let save = ServerAction::<SaveLabel>::new();
    let remove = ServerAction::<DeleteLabel>::new();
    let list = crate::codec::resource(
        move || (save.version().get(), remove.version().get()),
        |_| labels(),
    );
    let editing = RwSignal::new(None::<Label>);
    // Who is asking comes with the dashboard (a resource of it here never finished streaming
    // for agents).
    let is_admin = Signal::stored(crate::auth::Me::is_admin());
    view! {
        <section class="page" aria-labelledby="labels-page-title">
            <header class="page-header">
                <h1 id="labels-page-title">"Labels"</h1>
                <p class="page-sub">"Sort conversations: put labels on them from the conversation's side panel, and filter the inbox by one. Visitors never see them."</p>
            </header>
            <Suspense fallback=|| ()>
                <Show when=move || is_admin.get()>
                    <LabelForm save editing/>
                </Show>
            </Suspense>
            <Suspense fallback=|| view! { <div class="page-loading">"Loading…"</div> }>
                {move || list.get().map(|result| match result {
                    Ok(all) if all.is_empty() => view! { <p class="card empty-note">"No labels yet."</p> }.into_any(),
                    Ok(all) => view! {
                        <ul class="card label-list" data-testid="label-list">
                            {all.into_iter().map(|label| {
                                let (to_edit, id, name) = (label.clone(), label.id.clone(), label.name.clone());
                                view! {
                                    <li class="label-item" data-testid="label-item">
                                        <LabelChip label/>
                                        <Show when=move || is_admin.get()>
                                            <div class="canned-actions">
                                                <button type="button" class="secondary" aria-label=format!("Edit the label {name}")
                                                    on:click={let l = to_edit.clone(); move |_| editing.set(Some(l.clone()))}>"Edit"</button>
                                                <button type="button" class="secondary" aria-label=format!("Delete the label {name}")
                                                    on:click={let id = id.clone(); move |_| { remove.dispatch(DeleteLabel { id: id.clone() }); }}>"Delete"</button>
                                            </div>
                                        </Show>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
            {move || remove.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </section>
    }
}

#[component]
fn LabelForm(save: ServerAction<SaveLabel>, editing: RwSignal<Option<Label>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let color = RwSignal::new(PALETTE[0].to_string());
    Effect::new(move |_| {
        if let Some(label) = editing.get() {
            name.set(label.name);
            color.set(label.color);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.set(None);
            name.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveLabel {
            id: editing.with_untracked(|e| e.as_ref().map(|l| l.id.clone()).unwrap_or_default()),
            name: name.get_untracked(),
            color: color.get_untracked(),
        });
    };
    view! {
        <form class="card settings-form" on:submit=submit data-testid="label-form">
            <h2>{move || if editing.with(Option::is_some) { "Change a label" } else { "New label" }}</h2>
            <label>"Name"
                <input prop:value=move || name.get() required maxlength="40" placeholder="Billing"
                    data-testid="label-name" on:input=move |ev| name.set(event_target_value(&ev))/>
            </label>
            <fieldset class="swatches">
                <legend>"Colour"</legend>
                {PALETTE.into_iter().map(|swatch| view! {
                    <label class="swatch" style=format!("background:{swatch}")>
                        <input type="radio" name="label-color" value=swatch prop:checked=move || color.get() == swatch
                            on:change=move |_| color.set(swatch.to_string())/>
                        <span class="sr-only">{swatch}</span>
                    </label>
                }).collect_view()}
                <label class="swatch-custom">"Other"
                    <input type="color" prop:value=move || color.get() data-testid="label-color"
                        on:input=move |ev| color.set(event_target_value(&ev))/>
                </label>
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || save.pending().get() data-testid="label-save">
                    {move || if editing.with(Option::is_some) { "Save" } else { "Add label" }}
                </button>
                <Show when=move || editing.with(Option::is_some)>
                    <button type="button" class="secondary" on:click=move |_| { editing.set(None); name.set(String::new()); }>"Cancel"</button>
                </Show>
            </div>
            {move || save.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert" data-testid="label-error">{e.to_string()}</p> })}
        </form>
    }
}
