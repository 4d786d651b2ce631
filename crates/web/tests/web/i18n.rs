//! The catalogue: both languages have the same keys, every key the code and
//! templates use exists, and templates carry no user-visible text of their
//! own.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use enishi_core::Lang;
use enishi_web::i18n::{self, SOURCES, Tr};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path, ext));
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out
}

#[test]
fn both_languages_have_the_same_keys() {
    let keys: Vec<(Lang, BTreeSet<String>)> = SOURCES
        .iter()
        .map(|(lang, src)| (*lang, i18n::parse(src).unwrap().into_keys().collect()))
        .collect();
    let (ja, en) = (&keys[0].1, &keys[1].1);
    let only_ja: Vec<_> = ja.difference(en).collect();
    let only_en: Vec<_> = en.difference(ja).collect();
    assert!(
        only_ja.is_empty() && only_en.is_empty(),
        "only in ja: {only_ja:?}; only in en: {only_en:?}"
    );
    for (lang, src) in SOURCES {
        for (key, text) in i18n::parse(src).unwrap() {
            assert!(!text.trim().is_empty(), "{}: {key} is empty", lang.code());
        }
    }
}

/// Every `t("key")` / `.get("key")` in templates and code names a key that
/// exists, and every error code has a title and a message.
#[test]
fn every_used_key_exists() {
    let mut used = BTreeSet::new();
    let mut sources = files(&crate_dir().join("templates"), "html");
    sources.extend(files(&crate_dir().join("src"), "rs"));
    for file in sources {
        let text = std::fs::read_to_string(&file).unwrap();
        for marker in [".t(\"", ".tf1(\"", "tr.get(\""] {
            for (i, _) in text.match_indices(marker) {
                let rest = &text[i + marker.len()..];
                let key = &rest[..rest.find('"').unwrap()];
                if key.contains('.') {
                    used.insert((file.display().to_string(), key.to_string()));
                }
            }
        }
    }
    assert!(used.len() > 20, "the scan finds the keys in use");
    for code in enishi_web::error::CODES {
        for part in ["title", "message"] {
            used.insert(("error codes".into(), format!("error.{code}.{part}")));
        }
    }
    for lang in Lang::ALL {
        let tr = Tr::new(lang);
        for (file, key) in &used {
            assert!(
                tr.has(key),
                "{file}: key {key} is missing from i18n/{}.toml",
                lang.code()
            );
        }
    }
}

/// Strips askama tags, HTML comments and tags; what remains is text a person
/// would read, which must come from the catalogue.
fn visible_text(template: &str) -> Vec<String> {
    let mut text = String::new();
    let mut rest = template;
    while !rest.is_empty() {
        let next = ["{{", "{%", "{#", "<!--", "<"]
            .iter()
            .filter_map(|open| rest.find(open).map(|i| (i, *open)))
            .min_by_key(|(i, _)| *i);
        let Some((i, open)) = next else {
            text.push_str(rest);
            break;
        };
        text.push_str(&rest[..i]);
        text.push(' ');
        let close = match open {
            "{{" => "}}",
            "{%" => "%}",
            "{#" => "#}",
            "<!--" => "-->",
            _ => ">",
        };
        let after = &rest[i + open.len()..];
        if open == "<" {
            check_attributes(&after[..after.find('>').unwrap_or(after.len())]);
        }
        rest = after
            .find(close)
            .map(|j| &after[j + close.len()..])
            .unwrap_or("");
    }
    text.split_whitespace()
        .filter(|word| word.chars().any(|c| c.is_alphabetic()))
        .map(str::to_owned)
        .collect()
}

/// Attributes people read (alt, title, placeholder, aria-label, content of
/// a description) must be template expressions, not literal text.
fn check_attributes(tag: &str) {
    for attr in [
        "alt=\"",
        "title=\"",
        "placeholder=\"",
        "aria-label=\"",
        "content=\"",
    ] {
        if let Some(i) = tag.find(attr) {
            let value = &tag[i + attr.len()..];
            let value = &value[..value.find('"').unwrap_or(value.len())];
            let literal_words =
                value.contains(char::is_alphabetic) && !value.trim_start().starts_with("{{");
            let allowed = attr == "content=\"" && value.starts_with("width=device-width");
            assert!(
                !literal_words || allowed,
                "literal text in attribute {attr}…: {tag}"
            );
        }
    }
}

#[test]
fn templates_contain_no_text_of_their_own() {
    let templates = files(&crate_dir().join("templates"), "html");
    assert!(templates.len() >= 3);
    for file in templates {
        let words = visible_text(&std::fs::read_to_string(&file).unwrap());
        assert!(
            words.is_empty(),
            "{}: text outside the catalogue: {words:?}",
            file.display()
        );
    }
}

#[test]
fn the_scanner_catches_literal_text() {
    assert_eq!(
        visible_text("<p>{{ ctx.t(\"a.b\") }}</p>"),
        Vec::<String>::new()
    );
    assert_eq!(visible_text("<p>Hello {{ x }}</p>"), vec!["Hello"]);
    assert_eq!(visible_text("<h1>ようこそ</h1>"), vec!["ようこそ"]);
    assert!(std::panic::catch_unwind(|| visible_text("<img alt=\"logo\">")).is_err());
    assert_eq!(
        visible_text("<img alt=\"{{ ctx.t(\"x.y\") }}\">"),
        Vec::<String>::new()
    );
}

#[test]
fn placeholders_are_filled() {
    let tr = Tr::new(Lang::Ja);
    assert_eq!(
        tr.fmt("error.request_id", &[("unused", "x")]),
        tr.get("error.request_id")
    );
    assert_eq!(tr.get("no.such.key"), "[?]");
}
