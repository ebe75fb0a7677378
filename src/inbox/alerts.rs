//! What tells an agent something happened while they look elsewhere: the unread total in the
//! tab title, a short sound, and a browser notification that opens the conversation. Each
//! follows the agent's own settings (`OwnSettings`), live as they are saved.
use crate::live::client::{Alert, Live};
use crate::team::OwnSettings;
use leptos::prelude::*;

pub fn provide(live: Live, mine: OwnSettings) {
    Effect::new(move |_| {
        let total: i64 = live.unread.with(|unread| unread.values().sum());
        set_title(&if total > 0 {
            format!("({total}) Switchboard")
        } else {
            "Switchboard".to_string()
        });
    });
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let Some(alert) = live.alert.get() else {
            return;
        };
        let settings = mine.0.get_untracked();
        // A mention is meant for this agent: it always counts.
        let wanted = if alert.mentioned_by.is_some() {
            true
        } else if alert.new {
            settings.notify_new
        } else {
            settings.notify_messages
        };
        if !wanted {
            return;
        }
        if settings.sound {
            beep();
        }
        if settings.notifications {
            let navigate = navigate.clone();
            notify(&alert, move |path: String| {
                navigate(&path, Default::default())
            });
        }
    });
}

/// The newest mention, on screen until dismissed or opened.
#[component]
pub fn MentionToast() -> impl IntoView {
    let live = crate::live::client::use_live();
    let shown = RwSignal::new(None::<Alert>);
    Effect::new(move |_| {
        if let Some(alert) = live.alert.get().filter(|a| a.mentioned_by.is_some()) {
            shown.set(Some(alert));
        }
    });
    move || {
        shown.get().map(|alert| {
            let by = alert.mentioned_by.clone().unwrap_or_default();
            view! {
                <div class="mention-toast" role="status" data-testid="mention-toast">
                    <p><strong>{format!("{by} mentioned you")}</strong></p>
                    <p class="mention-preview">{alert.preview.clone()}</p>
                    <div class="mention-actions">
                        <a href=format!("/agent/c/{}", alert.conversation_id) class="primary"
                            on:click=move |_| shown.set(None) data-testid="mention-open">"Open"</a>
                        <button type="button" class="secondary" on:click=move |_| shown.set(None)>"Dismiss"</button>
                    </div>
                </div>
            }
        })
    }
}

#[cfg(feature = "hydrate")]
fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

#[cfg(not(feature = "hydrate"))]
fn set_title(_title: &str) {}

/// A short two-tone chime made on the spot: no audio file to download.
#[cfg(feature = "hydrate")]
fn beep() {
    let play = || -> Result<(), wasm_bindgen::JsValue> {
        let audio = web_sys::AudioContext::new()?;
        let gain = audio.create_gain()?;
        gain.connect_with_audio_node(&audio.destination())?;
        let start = audio.current_time();
        gain.gain().set_value_at_time(0.08, start)?;
        gain.gain()
            .exponential_ramp_to_value_at_time(0.0001, start + 0.35)?;
        for (i, frequency) in [880.0f32, 1320.0].into_iter().enumerate() {
            let tone = audio.create_oscillator()?;
            tone.frequency().set_value(frequency);
            tone.connect_with_audio_node(&gain)?;
            let at = start + i as f64 * 0.12;
            tone.start_with_when(at)?;
            tone.stop_with_when(at + 0.2)?;
        }
        Ok(())
    };
    // Browsers refuse audio before the first click on the page; that is fine.
    let _ = play();
}

#[cfg(not(feature = "hydrate"))]
fn beep() {}

/// A browser notification, if the agent allowed them; clicking it focuses this tab and
/// opens the conversation.
#[cfg(feature = "hydrate")]
fn notify(alert: &Alert, open: impl Fn(String) + 'static) {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    if web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
        return;
    }
    let title = if let Some(by) = &alert.mentioned_by {
        format!("{by} mentioned you in a note")
    } else if alert.new {
        format!("New conversation: {}", alert.visitor_name)
    } else {
        format!("{} wrote", alert.visitor_name)
    };
    let options = web_sys::NotificationOptions::new();
    options.set_body(&alert.preview);
    options.set_tag(&alert.conversation_id);
    let Ok(notification) = web_sys::Notification::new_with_options(&title, &options) else {
        return;
    };
    let path = format!("/agent/c/{}", alert.conversation_id);
    let shown = notification.clone();
    let on_click = Closure::<dyn FnMut()>::new(move || {
        if let Some(window) = web_sys::window() {
            let _ = window.focus();
        }
        open(path.clone());
        shown.close();
    });
    notification.set_onclick(Some(on_click.as_ref().unchecked_ref()));
    on_click.forget();
}

#[cfg(not(feature = "hydrate"))]
fn notify(_alert: &Alert, _open: impl Fn(String) + 'static) {}
