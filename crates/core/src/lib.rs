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

/// The stored words of an enum (lower-case text in the database, forms and
/// the API): `ALL`, `as_str`, a strict `parse`, and serde as that word.
macro_rules! words {
    ($ty:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in display order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stored word.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $word),+ }
            }

            /// Parses a stored word; anything else is `None`.
            pub fn parse(word: &str) -> Option<$ty> {
                match word { $($word => Some($ty::$variant),)+ _ => None }
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let word = String::deserialize(d)?;
                $ty::parse(&word).ok_or_else(|| serde::de::Error::custom(concat!("unknown ", stringify!($ty))))
            }
        }
    };
}

pub mod business_matching;
pub mod businesses;
pub mod calendar;
pub mod email;
pub mod eras;
pub mod events;
pub mod groups;
pub mod intake;
pub mod lang;
pub mod matching;
pub mod messages;
pub mod moderation;
pub mod names;
pub mod net;
pub mod networks;
pub mod notifications;
pub mod opportunities;
pub mod password;
pub mod posts;
pub mod privacy;
pub mod profile;
pub mod search;
pub mod secret;
pub mod text;
pub mod tickets;
pub mod time;
pub mod tz;

pub use lang::Lang;
