//! Canned responses (saved replies): managed on /agent/replies, called up in the composer with
//! `/`. Every agent keeps their own; admins also keep the team's, which everyone uses.
//! Placeholders (`{{visitor.first_name}}`…) are checked when saved and filled in on insertion.
use crate::error::AppError;
use crate::model::{fill_reply, CannedResponse, ReplyFacts, PLACEHOLDERS};
use leptos::prelude::*;

/// The team's replies and the agent's own.
#[server(endpoint = "canned_responses")]
pub async fn canned_responses() -> Result<Vec<CannedResponse>, AppError> {
    ssr::list().await
}

/// Adds (`id` empty) or changes a reply. `shared` (admins only) puts a new one in the team's.
#[server(endpoint = "save_canned")]
pub async fn save_canned(
    #[server(default)] id: String,
    shortcut: String,
    body: String,
    #[server(default)] shared: bool,
) -> Result<CannedResponse, AppError> {
    ssr::save(id, shortcut, body, shared).await
}

#[server(endpoint = "delete_canned")]
pub async fn delete_canned(id: String) -> Result<(), AppError> {
    ssr::delete(id).await
}

/// The settings page: the replies, and a form to add or change one.
#[component]
pub fn CannedPage() -> impl IntoView {
    let save = ServerAction::<SaveCanned>::new();
    let remove = ServerAction::<DeleteCanned>::new();
    let replies = crate::codec::resource(
        move || (save.version().get(), remove.version().get()),
        |_| canned_responses(),
    );
    let editing = RwSignal::new(None::<CannedResponse>);
    // Admins also keep the team's replies.
    let is_admin = Signal::stored(crate::auth::Me::is_admin());
    view! {
        <section class="page" aria-labelledby="replies-title">
            <header class="page-header">
                <h1 id="replies-title">"Saved replies"</h1>
                <p class="page-sub">"Type / in a reply to insert one. "
                    {PLACEHOLDERS.map(|p| format!("{{{{{p}}}}}")).join(" ")}" are filled in for each conversation."</p>
            </header>
            <ReplyForm save editing is_admin/>
            <Suspense fallback=|| view! { <div class="page-loading">"Loading…"</div> }>
                {move || replies.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <p class="card empty-note">"No saved replies yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="card canned-list" data-testid="canned-list">
                            {list.into_iter().map(|reply| {
                                let shared = reply.shared();
                                let editable = move || is_admin.get() || !shared;
                                let (to_edit, id) = (reply.clone(), reply.id.clone());
                                view! {
                                    <li class="canned-item" data-testid="canned-item">
                                        <div class="canned-head">
                                            <code>"/"{reply.shortcut.clone()}</code>
                                            <span class="badge">{if reply.shared() { "Team" } else { "Only you" }}</span>
                                        </div>
                                        <p class="canned-body">{reply.body.clone()}</p>
                                        <Show when=editable>
                                            <div class="canned-actions">
                                                <button type="button" class="secondary" on:click={let r = to_edit.clone(); move |_| editing.set(Some(r.clone()))}
                                                    aria-label=format!("Edit /{}", to_edit.shortcut)>"Edit"</button>
                                                <button type="button" class="secondary" on:click={let id = id.clone(); move |_| { remove.dispatch(DeleteCanned { id: id.clone() }); }}
                                                    aria-label=format!("Delete /{}", to_edit.shortcut)>"Delete"</button>
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
fn ReplyForm(
    save: ServerAction<SaveCanned>,
    editing: RwSignal<Option<CannedResponse>>,
    is_admin: Signal<bool>,
) -> impl IntoView {
    let shortcut = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let shared = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(reply) = editing.get() {
            shortcut.set(reply.shortcut.clone());
            body.set(reply.body.clone());
            shared.set(reply.shared());
        }
    });
    // Saved: the form is cleared for the next one.
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.set(None);
            shortcut.set(String::new());
            body.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveCanned {
            id: editing.with_untracked(|e| e.as_ref().map(|r| r.id.clone()).unwrap_or_default()),
            shortcut: shortcut.get_untracked(),
            body: body.get_untracked(),
            shared: shared.get_untracked(),
        });
    };
    view! {
        <form class="card settings-form" on:submit=submit data-testid="canned-form">
            <h2>{move || if editing.with(Option::is_some) { "Change a reply" } else { "New reply" }}</h2>
            <label>"Shortcut"
                <input prop:value=move || shortcut.get() required maxlength="32" placeholder="refund-policy"
                    data-testid="canned-shortcut" on:input=move |ev| shortcut.set(event_target_value(&ev))/>
            </label>
            <label>"Reply"
                <textarea rows="4" prop:value=move || body.get() required placeholder="Hi {{visitor.first_name}}, …"
                    data-testid="canned-body" on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            </label>
            <Show when=move || is_admin.get() && editing.with(Option::is_none)>
                <label class="toggle">
                    <input type="checkbox" prop:checked=move || shared.get() data-testid="canned-shared"
                        on:change=move |ev| shared.set(event_target_checked(&ev))/>
                    "Share with the team"
                </label>
            </Show>
            {move || save.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert" data-testid="canned-error">{e.to_string()}</p> })}
            <p class="form-actions">
                <button type="submit" class="primary" disabled=move || save.pending().get() data-testid="canned-save">"Save reply"</button>
                <Show when=move || editing.with(Option::is_some)>
                    <button type="button" class="secondary" on:click=move |_| { editing.set(None); shortcut.set(String::new()); body.set(String::new()); }>"Cancel"</button>
                </Show>
            </p>
        </form>
    }
}

/// The list `/` opens in the composer: what matches the text after `/`, ↑/↓ to choose,
/// Enter or Tab to insert (placeholders filled), Esc to close. `keys` is the composer's hook.
#[component]
pub fn ReplyPicker(
    draft: RwSignal<String>,
    facts: Signal<ReplyFacts>,
    keys: StoredValue<Option<Callback<leptos::ev::KeyboardEvent, bool>>>,
) -> impl IntoView {
    let replies = RwSignal::new(Vec::<CannedResponse>::new());
    let chosen = RwSignal::new(0usize);
    let dismissed = RwSignal::new(false);
    let query = Memo::new(move |_| {
        draft.with(|d| {
            d.strip_prefix('/')
                .filter(|rest| !rest.contains(char::is_whitespace))
                .map(str::to_string)
        })
    });
    // Fetched each time it opens, so a reply saved in another tab is there.
    Effect::new(move |was_open: Option<bool>| {
        let open = query.with(Option::is_some);
        if open && was_open != Some(true) {
            dismissed.set(false);
            leptos::task::spawn_local(async move {
                if let Ok(list) = canned_responses().await {
                    replies.set(list);
                }
            });
        }
        open
    });
    let shown = Memo::new(move |_| {
        let Some(q) = query.get() else {
            return Vec::new();
        };
        replies.with(|all| {
            all.iter()
                .filter(|r| r.matches(&q))
                .take(8)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    Effect::new(move |_| {
        shown.track();
        chosen.set(0);
    });
    let open = move || !dismissed.get() && !shown.with(Vec::is_empty);
    // The composer keeps the keyboard (options take no focus), so typing goes on there.
    let insert = move |reply: &CannedResponse| {
        draft.set(fill_reply(&reply.body, &facts.get_untracked()));
    };
    keys.set_value(Some(Callback::new(move |ev: leptos::ev::KeyboardEvent| {
        if !open() {
            return false;
        }
        let count = shown.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" => chosen.update(|c| *c = (*c + 1) % count),
            "ArrowUp" => chosen.update(|c| *c = (*c + count - 1) % count),
            "Enter" | "Tab" => {
                let pick = shown.with_untracked(|list| list.get(chosen.get_untracked()).cloned());
                if let Some(reply) = pick {
                    insert(&reply);
                }
            }
            "Escape" => dismissed.set(true),
            _ => return false,
        }
        true
    })));
    view! {
        <Show when=open>
            <ul class="reply-picker" role="listbox" aria-label="Saved replies" data-testid="reply-picker">
                <For each=move || shown.get().into_iter().enumerate() key=|(i, r)| (*i, r.id.clone()) let:item>
                    {
                        let (at, reply) = item;
                        let picked = reply.clone();
                        view! {
                            <li role="option" aria-selected=move || (chosen.get() == at).to_string() data-testid="reply-option"
                                on:mousedown=move |ev| { ev.prevent_default(); insert(&picked); }>
                                <code>"/"{reply.shortcut.clone()}</code>
                                <span class="reply-preview">{crate::model::preview(&reply.body)}</span>
                            </li>
                        }
                    }
                </For>
            </ul>
        </Show>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::auth::ssr::{require_agent, state};
    use crate::error::{AppError, AppResult};
    use crate::model::{validate_canned, Agent, CannedResponse, Role};
    use crate::state::AppState;
    use crate::store::StoreError;

    fn store_error(error: StoreError) -> AppError {
        match error {
            StoreError::Conflict => {
                AppError::Invalid("There is already a reply with that shortcut.".into())
            }
            other => crate::live::post::store_error(other),
        }
    }

    /// A reply this agent may change: their own, or (admins) the team's. Another agent's is
    /// not found, as if it did not exist.
    async fn changeable(state: &AppState, agent: &Agent, id: &str) -> AppResult<CannedResponse> {
        let reply = state
            .stores
            .canned
            .get_for(&agent.id, id)
            .await
            .map_err(store_error)?
            .ok_or(AppError::SavedReplyNotFound)?;
        if reply.shared() && agent.role != Role::Admin {
            return Err(AppError::AdminOnly);
        }
        Ok(reply)
    }

    pub async fn list() -> AppResult<Vec<CannedResponse>> {
        let state = state();
        let agent = require_agent().await?;
        state
            .stores
            .canned
            .list_for(&agent.id)
            .await
            .map_err(store_error)
    }

    pub async fn save(
        id: String,
        shortcut: String,
        body: String,
        shared: bool,
    ) -> AppResult<CannedResponse> {
        let state = state();
        let agent = require_agent().await?;
        let (shortcut, body) = validate_canned(&shortcut, &body)?;
        let owner_id = if id.is_empty() {
            if shared && agent.role != Role::Admin {
                return Err(AppError::AdminOnly);
            }
            (!shared).then(|| agent.id.clone())
        } else {
            changeable(&state, &agent, &id).await?.owner_id
        };
        let reply = CannedResponse {
            id: if id.is_empty() {
                uuid::Uuid::new_v4().to_string()
            } else {
                id
            },
            shortcut,
            body,
            owner_id,
            updated_at: crate::clock::now_ms(),
        };
        state
            .stores
            .canned
            .save(&reply)
            .await
            .map_err(store_error)?;
        Ok(reply)
    }

    pub async fn delete(id: String) -> AppResult<()> {
        let state = state();
        let agent = require_agent().await?;
        changeable(&state, &agent, &id).await?;
        state.stores.canned.delete(&id).await.map_err(store_error)?;
        Ok(())
    }
}
