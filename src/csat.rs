//! Customer satisfaction (CSAT): once a conversation is resolved the widget asks the visitor
//! for a rating and an optional comment, once per resolution (reopened and resolved again, it
//! asks again). The rating is kept (`store::ratings`, for reports) and written into the
//! conversation as a notice, so every agent tab sees it live, on every node, and the list
//! shows the newest score.
use crate::error::AppError;
use crate::model::{Rating, MAX_RATING_COMMENT_CHARS};
use leptos::prelude::*;
use rust_i18n::t;

/// The visitor rates the resolution they are looking at. `visitor` as for every widget
/// function: the token a widget framed on another site keeps (empty: the cookie).
#[server(endpoint = "rate_conversation")]
pub async fn rate_conversation(
    score: i64,
    #[server(default)] comment: String,
    #[server(default)] visitor: String,
) -> Result<Rating, AppError> {
    ssr::rate(score, comment, visitor).await
}

/// The widget's question after a resolution: five faces, a comment, send.
#[component]
pub fn RatingCard(
    /// Called with the visitor's token when they send (the widget knows where it keeps it).
    token: Callback<(), String>,
    on_rated: Callback<Rating>,
    /// The widget's language (`chat::ui_language`).
    lang: &'static str,
) -> impl IntoView {
    let score = RwSignal::new(0u8);
    let comment = RwSignal::new(String::new());
    let send = ServerAction::<RateConversation>::new();
    Effect::new(move |_| {
        if let Some(Ok(rating)) = send.value().get() {
            on_rated.run(rating);
        }
    });
    let faces = [1u8, 2, 3, 4, 5];
    view! {
        <form class="rating-card" data-testid="rating-card" on:submit=move |ev| {
            ev.prevent_default();
            send.dispatch(RateConversation { score: score.get_untracked().into(), comment: comment.get_untracked(), visitor: token.run(()) });
        }>
            <fieldset>
                <legend>{t!("csat.question", locale = lang)}</legend>
                <div class="rating-faces">
                    {faces.into_iter().map(|value| view! {
                        <label class="rating-face" class:picked=move || score.get() == value>
                            <input type="radio" name="rating" value=value.to_string() class="sr-only" data-testid=format!("rate-{value}")
                                on:change=move |_| score.set(value)/>
                            {face(value)}
                            <span class="rating-word">{word(value, lang)}</span>
                        </label>
                    }).collect_view()}
                </div>
            </fieldset>
            <Show when=move || { score.get() > 0 }>
                <label class="rating-comment">{t!("csat.comment", locale = lang)}
                    <textarea rows="2" maxlength=MAX_RATING_COMMENT_CHARS.to_string() data-testid="rating-comment"
                        prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                </label>
                <button type="submit" class="primary" disabled=move || send.pending().get() data-testid="rating-send">{t!("csat.send", locale = lang)}</button>
            </Show>
            {move || send.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </form>
    }
}

/// A face for a score, drawn (emoji differ from system to system, and some have none).
fn face(score: u8) -> impl IntoView {
    let mouth = match score {
        1 => "M8 17.5q4-4 8 0",
        2 => "M8.5 16.5q3.5-2 7 0",
        3 => "M8.5 15.5h7",
        4 => "M8.5 14.5q3.5 2.5 7 0",
        _ => "M7.5 14q4.5 5 9 0",
    };
    view! {
        <svg viewBox="0 0 24 24" width="30" height="30" aria-hidden="true">
            <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="1.6"/>
            <circle cx="9" cy="10" r="1.3" fill="currentColor"/>
            <circle cx="15" cy="10" r="1.3" fill="currentColor"/>
            <path d=mouth fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round"/>
        </svg>
    }
}

/// A score's word in the widget's language.
fn word(score: u8, lang: &str) -> String {
    let key = format!("csat.{score}");
    t!(key.as_str(), locale = lang).into_owned()
}

/// The newest score beside a conversation in the agent's views.
#[component]
pub fn RatingBadge(rating: Rating) -> impl IntoView {
    let label = format!("Rated {}/5 ({})", rating.score, Rating::label(rating.score));
    view! { <span class="rating-badge" data-testid="rating-badge" title=label.clone() aria-label=label>{"★ "}{rating.score}</span> }
}

/// The notice a rating writes into the conversation.
pub fn rating_notice(score: u8, comment: &str) -> String {
    let base = format!(
        "Visitor rated the conversation {score}/5 ({})",
        Rating::label(score)
    );
    if comment.is_empty() {
        base
    } else {
        format!("{base}: “{comment}”")
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::error::{AppError, AppResult};
    use crate::live::post::store_error;
    use crate::model::{resolution_to_rate, validate_rating, Rating, SenderKind, Status};
    use crate::state::access::{request_headers, visitor_conversation};
    use crate::store::ratings::NewRating;
    use crate::store::{Author, StoreError, Viewer};

    pub async fn rate(score: i64, comment: String, visitor: String) -> AppResult<Rating> {
        let state = crate::state::AppState::from_context();
        let (score, comment) = validate_rating(score, &comment)?;
        let conversation = visitor_conversation(&state, &request_headers(), &visitor)
            .await?
            .ok_or(AppError::ConversationNotFound)?;
        let viewer = Viewer::Visitor {
            conversation_id: &conversation.id,
        };
        let recent = state
            .stores
            .conversations
            .messages_before(viewer, &conversation.id, None, crate::model::PAGE_SIZE)
            .await
            .map_err(store_error)?;
        let Some(resolution_seq) =
            resolution_to_rate(conversation.status, &recent, conversation.rating.as_ref())
        else {
            return Err(if conversation.status == Status::Resolved {
                AppError::AlreadyRated
            } else {
                AppError::Invalid("You can rate the conversation once it is resolved.".into())
            });
        };
        let now = crate::clock::now_ms();
        let rating = NewRating {
            conversation_id: conversation.id.clone(),
            resolution_seq,
            score,
            comment: comment.clone(),
            now,
        };
        match state.stores.ratings.add(&rating).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => return Err(AppError::AlreadyRated),
            Err(other) => return Err(store_error(other)),
        }
        // A notice in the conversation: live to every agent tab and node, in transcripts.
        let author = Author {
            kind: SenderKind::System,
            id: None,
            name: conversation.visitor_name.clone(),
        };
        let notice = super::rating_notice(score, &comment);
        crate::live::post::post(
            &state,
            &conversation.id,
            author,
            &notice,
            &uuid::Uuid::new_v4().to_string(),
        )
        .await?;
        Ok(Rating {
            score,
            comment,
            resolution_seq,
        })
    }
}
