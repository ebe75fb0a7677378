//! One JSON reader for everything the browser decodes. serde_json compiles each type's
//! deserializer once per reader it is used with; server functions read their answers from
//! bytes (`from_slice`), so the page's resources and the socket's frames are read from bytes
//! too, not from `&str`, which compiled every deserializer of the bundle a second time
//! (docs/benchmarks.md, fifteenth session).
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// JSON, as leptos's default codec writes it, read as bytes.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, Self::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, Self::Error> {
        from_json(val)
    }
}

/// A resource whose value the server sends in the page (as `Resource::new`), read with [`Json`].
pub type Resource<T> = leptos::prelude::Resource<T, Json>;

/// `Resource::new`, with [`Json`].
#[track_caller]
pub fn resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// Reads JSON text the way everything else in the browser does (see above).
pub fn from_json<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_slice(text.as_bytes())
}
