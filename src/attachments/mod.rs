//! Files in a conversation. Visitors and agents attach them with the composer's paperclip, by
//! dropping them on the composer or by pasting an image; each upload shows its progress and
//! can be cancelled. The server (`ssr`) reads a file whole, sniffs its type, keeps it in the
//! file store and posts it as a message of its own, which reaches every tab like any other;
//! the thread shows images inline and other files as downloads (`chat::FileView`).
use crate::live::client::ConversationFeed;
use leptos::prelude::*;
use rust_i18n::t;

#[cfg(feature = "ssr")]
mod sniff;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
mod thumbs;

/// Files the user picked, dropped or pasted into a composer (only the browser has any).
#[derive(Clone)]
pub struct Picked(#[cfg(feature = "hydrate")] pub Vec<web_sys::File>);

impl Picked {
    #[cfg(feature = "hydrate")]
    pub fn of(list: Option<web_sys::FileList>) -> Option<Picked> {
        let list = list?;
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        (!files.is_empty()).then_some(Picked(files))
    }
}

/// One file on its way to the server.
#[derive(Clone, Debug, PartialEq)]
pub struct Upload {
    /// Its client id: a retried upload is stored once.
    pub id: String,
    pub name: String,
    pub size: u64,
    pub sent: RwSignal<u64>,
    /// Why the server refused it (or could not be reached); it stays until dismissed.
    pub failed: RwSignal<Option<String>>,
}

/// The uploads of one composer.
#[derive(Clone, Copy)]
pub struct Uploads {
    pub list: RwSignal<Vec<Upload>>,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    feed: ConversationFeed,
    /// Agents: the composer is writing a note, so files go as notes too.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    note: Signal<bool>,
    #[cfg(feature = "hydrate")]
    requests: StoredValue<Vec<(String, web_sys::XmlHttpRequest)>, LocalStorage>,
}

impl Uploads {
    pub fn new(feed: ConversationFeed, note: Signal<bool>) -> Uploads {
        Uploads {
            list: RwSignal::new(Vec::new()),
            feed,
            note,
            #[cfg(feature = "hydrate")]
            requests: StoredValue::new_local(Vec::new()),
        }
    }

    /// Starts sending what the user picked, dropped or pasted.
    pub fn send(&self, picked: Picked) {
        #[cfg(feature = "hydrate")]
        for file in picked.0 {
            browser::start(*self, file);
        }
        let _ = picked;
    }

    /// Stops an upload under way (nothing of it is kept), or dismisses a failed one.
    pub fn cancel(&self, id: &str) {
        self.list.update(|list| list.retain(|u| u.id != id));
        #[cfg(feature = "hydrate")]
        {
            let mut request = None;
            self.requests.update_value(|requests| {
                if let Some(at) = requests.iter().position(|(rid, _)| rid == id) {
                    request = Some(requests.remove(at).1);
                }
            });
            // Aborting runs its `loadend` at once, which reads the requests again.
            if let Some(request) = request {
                let _ = request.abort();
            }
        }
    }
}

/// The uploads under way above the composer: name, progress, cancel, in `lang`.
#[component]
pub fn UploadTray(uploads: Uploads, lang: &'static str) -> impl IntoView {
    view! {
        <Show when=move || uploads.list.with(|l| !l.is_empty())>
            <ul class="uploads" aria-label=t!("files.uploads", locale = lang) data-testid="uploads">
                <For each=move || uploads.list.get() key=|u| u.id.clone() let:upload>
                    <UploadRow upload uploads lang/>
                </For>
            </ul>
        </Show>
    }
}

#[component]
fn UploadRow(upload: Upload, uploads: Uploads, lang: &'static str) -> impl IntoView {
    let Upload {
        id,
        name,
        size,
        sent,
        failed,
    } = upload;
    let cancel_label = t!("files.cancel", name = name.clone(), locale = lang).to_string();
    let percent = move || {
        (sent.get().min(size) * 100)
            .checked_div(size)
            .unwrap_or(100)
    };
    view! {
        <li class="upload" class:failed=move || failed.with(Option::is_some) data-testid="upload">
            <span class="upload-name">{name.clone()}</span>
            {move || match failed.get() {
                Some(reason) => view! { <span class="form-error" role="alert" data-testid="upload-error">{reason}</span> }.into_any(),
                None => view! {
                    <span class="upload-bar">
                        <progress max="100" value=percent aria-label=t!("files.progress", name = name.clone(), locale = lang)
                            data-testid="upload-progress"></progress>
                        <span class="upload-percent" aria-hidden="true">{move || format!("{}%", percent())}</span>
                    </span>
                }.into_any(),
            }}
            <button type="button" class="upload-cancel" aria-label=cancel_label data-testid="upload-cancel"
                on:click=move |_| uploads.cancel(&id)>"×"</button>
        </li>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Upload, Uploads};
    use crate::error::AppError;
    use crate::model::Message;
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    pub fn start(uploads: Uploads, file: web_sys::File) {
        let live = crate::live::client::use_live();
        let upload = Upload {
            id: crate::model::new_client_id(),
            name: file.name(),
            size: file.size() as u64,
            sent: RwSignal::new(0),
            failed: RwSignal::new(None),
        };
        uploads.list.update(|list| list.push(upload.clone()));
        let max = live.max_file_bytes.get_untracked();
        if upload.size > max {
            let error = AppError::TooLarge {
                max_bytes: max as usize,
            };
            upload.failed.set(Some(error.to_string()));
            return;
        }
        if let Err(error) = send(uploads, &upload, &file, live.visitor_token()) {
            upload
                .failed
                .set(Some(AppError::Transport(format!("{error:?}")).to_string()));
        }
    }

    fn send(
        uploads: Uploads,
        upload: &Upload,
        file: &web_sys::File,
        token: Option<String>,
    ) -> Result<(), JsValue> {
        let conversation = uploads.feed.conversation.with_untracked(|c| c.id.clone());
        let url = format!(
            "/files?conversation={}&client_id={}&name={}&note={}",
            js_sys::encode_uri_component(&conversation),
            upload.id,
            js_sys::encode_uri_component(&upload.name),
            uploads.note.get_untracked(),
        );
        let request = web_sys::XmlHttpRequest::new()?;
        request.open("POST", &url)?;
        request.set_request_header("Content-Type", "application/octet-stream")?;
        if let Some(token) = token {
            request.set_request_header("X-Switchboard-Visitor", &token)?;
        }
        let sent = upload.sent;
        let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
            move |event: web_sys::ProgressEvent| {
                let _ = sent.try_set(event.loaded() as u64);
            },
        );
        request
            .upload()?
            .set_onprogress(Some(progress.as_ref().unchecked_ref()));
        // Called many times: lives as long as the page (a few bytes per upload).
        progress.forget();
        let id = upload.id.clone();
        let failed = upload.failed;
        let done = request.clone();
        let finish = Closure::once_into_js(move || {
            uploads
                .requests
                .try_update_value(|requests| requests.retain(|(rid, _)| *rid != id));
            let status = done.status().unwrap_or(0);
            let text = done.response_text().ok().flatten().unwrap_or_default();
            if status == 200 {
                if let Ok(message) = crate::codec::from_json::<Message>(&text) {
                    uploads.feed.merge(vec![message]);
                }
                uploads.list.update(|list| list.retain(|u| u.id != id));
            } else {
                let error = crate::codec::from_json::<AppError>(&text).unwrap_or_else(|_| {
                    AppError::Transport(format!("the upload ended with status {status}"))
                });
                let _ = failed.try_set(Some(error.to_string()));
            }
        });
        // `loadend` follows load, error and abort alike; an aborted upload is already gone.
        request.set_onloadend(Some(finish.unchecked_ref()));
        request.send_with_opt_blob(Some(file))?;
        uploads
            .requests
            .update_value(|requests| requests.push((upload.id.clone(), request)));
        Ok(())
    }
}
