//! # enishi-core — the pure domain
//!
//! Types, validation, rules, Japanese text handling and scoring that every
//! other crate shares. Nothing here performs I/O, spawns tasks or knows SQL,
//! so every rule can be unit-tested exhaustively and reused by the web pages,
//! the JSON API, the CLI and the background jobs alike.
//!
//! Each capability gets one module here with the same name it has in
//! `enishi-store` and `enishi-web` (`core::events`, `store::events`,
//! `web::events`), so a reader who knows one layer knows all three.
//!
//! Validation errors carry a catalogue key (`invalid.…`); the web layer
//! shows the message in the person's language.

pub mod email;
pub mod lang;
pub mod names;
pub mod net;
pub mod networks;
pub mod password;
pub mod privacy;
pub mod search;
pub mod secret;
pub mod text;
pub mod time;
pub mod tz;

pub use lang::Lang;
