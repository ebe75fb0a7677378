//! Live updates: the server's socket handler, cross-node fan-out and presence announcements,
//! and the browser's shared connection. The frames are in `model::protocol`, the hub in
//! `state::hub`. See docs/protocol.md.
pub mod client;
#[cfg(feature = "ssr")]
pub mod fanout;
#[cfg(feature = "ssr")]
pub mod post;
#[cfg(feature = "ssr")]
pub mod presence;
#[cfg(feature = "ssr")]
pub mod socket;

pub use crate::model::protocol::*;
