//! Property tests: the socket's frame decoder and every input validator, fed arbitrary input.
//! None may panic; what they accept must keep their promises; every frame round-trips.
use super::protocol::ClientFrame;
use super::team::{validate_email, validate_name, validate_password};
use super::visitor::{validate_context, CONTEXT_ENTRIES, CONTEXT_VALUE_CHARS};
use super::{validate_body, validate_client_id, MAX_MESSAGE_CHARS};
use crate::error::AppError;
use proptest::prelude::*;

fn client_frame() -> impl Strategy<Value = ClientFrame> {
    let id = ".{0,80}";
    prop_oneof![
        (id, proptest::option::of(any::<i64>())).prop_map(|(conversation_id, after_seq)| {
            ClientFrame::Subscribe {
                conversation_id,
                after_seq,
            }
        }),
        id.prop_map(|conversation_id| ClientFrame::Unsubscribe { conversation_id }),
        Just(ClientFrame::WatchInbox),
        (id, any::<i64>(), any::<i64>()).prop_map(|(conversation_id, delivered_seq, read_seq)| {
            ClientFrame::Receipt {
                conversation_id,
                delivered_seq,
                read_seq,
            }
        }),
        any::<bool>().prop_map(|away| ClientFrame::Away { away }),
        id.prop_map(|conversation_id| ClientFrame::Typing { conversation_id }),
        (id, ".{0,300}").prop_map(|(client_id, body)| ClientFrame::Send { client_id, body }),
        Just(ClientFrame::Ping),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_frame_decoder_never_panics(text in "\\PC{0,400}") {
        let _ = serde_json::from_str::<ClientFrame>(&text);
    }

    #[test]
    fn json_shaped_garbage_is_refused_or_read_never_panics(
        kind in "[a-z_]{0,16}",
        field in "[a-z_]{0,16}",
        value in prop_oneof![Just("null".to_string()), Just("-1".to_string()),
            Just("99999999999999999999999".to_string()), "\"\\PC{0,40}\"", Just("{}".to_string())],
    ) {
        let text = format!("{{\"type\":\"{kind}\",\"{field}\":{value}}}");
        let _ = serde_json::from_str::<ClientFrame>(&text);
    }

    #[test]
    fn every_frame_round_trips(frame in client_frame()) {
        let text = serde_json::to_string(&frame).unwrap();
        prop_assert_eq!(serde_json::from_str::<ClientFrame>(&text).unwrap(), frame);
    }

    #[test]
    fn an_accepted_body_is_trimmed_non_empty_and_within_the_limit(body in "\\PC{0,50}|\\s{0,5}.{0,10}\\s{0,5}") {
        match validate_body(&body) {
            Ok(kept) => {
                prop_assert!(!kept.is_empty());
                prop_assert_eq!(kept.as_str(), kept.trim());
                prop_assert!(kept.chars().count() <= MAX_MESSAGE_CHARS);
            }
            Err(error) => prop_assert_eq!(error, AppError::EmptyMessage),
        }
    }

    #[test]
    fn client_ids_are_uuids_only(id in "\\PC{0,40}|[0-9a-f-]{36}") {
        if validate_client_id(&id).is_ok() {
            prop_assert_eq!(id.len(), 36);
            prop_assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn names_emails_and_passwords_never_panic_and_keep_their_rules(text in "\\PC{0,300}") {
        if let Ok(name) = validate_name(&text) {
            prop_assert!(!name.is_empty() && name.chars().count() <= 80);
            prop_assert!(!name.chars().any(char::is_control));
        }
        if let Ok(email) = validate_email(&text) {
            prop_assert!(email.len() <= 254 && email.contains('@'));
            prop_assert!(!email.chars().any(char::is_whitespace));
        }
        if validate_password(&text).is_ok() {
            prop_assert!((10..=200).contains(&text.chars().count()));
        }
    }

    #[test]
    fn context_is_bounded(entries in proptest::collection::vec(("\\PC{0,50}", "\\PC{0,600}"), 0..30)) {
        if let Ok(kept) = validate_context(entries) {
            prop_assert!(kept.len() <= CONTEXT_ENTRIES);
            prop_assert!(kept.iter().all(|(key, value)| !key.is_empty()
                && value.chars().count() <= CONTEXT_VALUE_CHARS));
        }
    }
}

#[test]
fn a_long_body_is_refused_with_its_length() {
    let body = "é".repeat(MAX_MESSAGE_CHARS + 1);
    assert_eq!(
        validate_body(&body),
        Err(AppError::MessageTooLong {
            max: MAX_MESSAGE_CHARS,
            got: MAX_MESSAGE_CHARS + 1
        })
    );
}
