//! The translation catalogue: one TOML file per language under `i18n/`
//! (`ja.toml` is the reference, `en.toml` its twin), embedded in the binary.
//! Keys are dotted paths (`error.not_found.title`); values may contain
//! `{name}` placeholders filled by [`Tr::fmt`].
//!
//! Tests prove that both files have exactly the same keys, that every key
//! used in templates and code exists, and that templates contain no
//! user-visible text of their own.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use enishi_core::Lang;

/// The raw catalogue files, by language.
pub const SOURCES: [(Lang, &str); 2] = [
    (Lang::Ja, include_str!("../i18n/ja.toml")),
    (Lang::En, include_str!("../i18n/en.toml")),
];

type Catalogue = HashMap<String, &'static str>;

static CATALOGUES: LazyLock<HashMap<Lang, Catalogue>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(lang, src)| {
            let flat = parse(src).unwrap_or_else(|e| panic!("i18n/{}.toml: {e}", lang.code()));
            let leaked = flat
                .into_iter()
                .map(|(k, v)| (k, &*Box::leak(v.into_boxed_str())))
                .collect();
            (*lang, leaked)
        })
        .collect()
});

/// Parses one catalogue into `dotted.key → text`. Only strings and tables
/// are allowed.
pub fn parse(src: &str) -> Result<BTreeMap<String, String>, String> {
    let table: toml::Table = toml::from_str(src).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    flatten("", &table, &mut out)?;
    Ok(out)
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(s) => {
                out.insert(path, s.clone());
            }
            toml::Value::Table(t) => flatten(&path, t, out)?,
            _ => return Err(format!("{path}: only strings and tables are allowed")),
        }
    }
    Ok(())
}

/// A translator for one language; cheap to copy into every page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The text for `key`. A missing key (which the tests rule out) is
    /// logged and shows as `[?]` rather than failing the page.
    pub fn get(&self, key: &str) -> &'static str {
        match CATALOGUES.get(&self.lang).and_then(|c| c.get(key)) {
            Some(text) => text,
            None => {
                tracing::warn!(key, lang = self.lang.code(), "missing translation");
                "[?]"
            }
        }
    }

    /// The text for `key` with `{name}` placeholders replaced.
    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// Whether `key` exists in this language's catalogue.
    pub fn has(&self, key: &str) -> bool {
        CATALOGUES
            .get(&self.lang)
            .is_some_and(|c| c.contains_key(key))
    }
}
