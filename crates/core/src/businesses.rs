//! Alumni businesses (アルムナイ経由のビジネス): companies and services
//! members run, listed so the company (and other members) can buy from
//! them. Contact goes through the platform: an enquiry becomes a
//! conversation, so nobody's address is shown.
//!
//! Search is the directory's Japanese search ([`crate::search::Query`]):
//! width, kana and case folded, romaji matching kana readings; the name
//! and its reading weigh most, then the industry, then the offer.

use crate::profile::check_link;
use crate::search::{Query, Weight, normalise};

/// Characters of a business's name (and of its reading).
pub const MAX_NAME_CHARS: usize = 80;
/// Characters of what it offers.
pub const MAX_OFFER_CHARS: usize = 1_000;
/// Characters of its industry.
pub const MAX_INDUSTRY_CHARS: usize = 60;
/// Listings one member may have.
pub const MAX_PER_MEMBER: i64 = 5;

/// One refused field: the form's field name and the catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
}

/// A listing as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    pub name: String,
    /// フリガナ (optional): lets kana and romaji find a kanji name.
    pub kana: String,
    pub offer: String,
    pub industry: String,
    pub url: String,
}

/// A listing, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub name: String,
    pub kana: String,
    pub offer: String,
    pub industry: String,
    pub url: String,
}

fn line(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// Checks a listing.
pub fn check(input: &Input) -> Result<Listing, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut e = |field, key| errors.push(FieldError { field, key });
    let name = line(&input.name);
    if name.is_empty() {
        e("name", "invalid.business_name_empty");
    } else if name.chars().count() > MAX_NAME_CHARS {
        e("name", "invalid.business_name_long");
    }
    let kana = line(&input.kana);
    if kana.chars().count() > MAX_NAME_CHARS {
        e("kana", "invalid.business_name_long");
    }
    let offer = input.offer.replace("\r\n", "\n").trim().to_string();
    if offer.is_empty() {
        e("offer", "invalid.business_offer_empty");
    } else if offer.chars().count() > MAX_OFFER_CHARS {
        e("offer", "invalid.business_offer_long");
    }
    let industry = line(&input.industry);
    if industry.chars().count() > MAX_INDUSTRY_CHARS {
        e("industry", "invalid.business_industry_long");
    }
    let url = match input.url.trim() {
        "" => String::new(),
        u => match check_link(u) {
            Some(u) if u.chars().count() <= 500 => u,
            _ => {
                e("url", "invalid.business_url");
                String::new()
            }
        },
    };
    if errors.is_empty() {
        Ok(Listing {
            name,
            kana,
            offer,
            industry,
            url,
        })
    } else {
        Err(errors)
    }
}

/// How well a listing answers `query` (`None`: it does not), the
/// directory's scoring over the listing's fields.
pub fn score(query: &Query, name: &str, kana: &str, industry: &str, offer: &str) -> Option<u32> {
    if query.is_empty() {
        return Some(0);
    }
    let (n, k, i, o) = (
        normalise(name),
        normalise(kana),
        normalise(industry),
        normalise(offer),
    );
    query.score(&[
        (Weight::Name, &n),
        (Weight::Name, &k),
        (Weight::Work, &i),
        (Weight::Text, &o),
    ])
}

/// Whether the listing is in `industry` (folded the same way); an empty
/// filter takes everything.
pub fn in_industry(filter: &str, industry: &str) -> bool {
    let f = normalise(filter);
    f.is_empty() || normalise(industry) == f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_are_checked() {
        let ok = check(&Input {
            name: " 株式会社さくらデザイン ".into(),
            kana: "サクラデザイン".into(),
            offer: "Web サイト制作\r\nロゴ".into(),
            industry: "デザイン".into(),
            url: "https://sakura.example.jp".into(),
        })
        .unwrap();
        assert_eq!(ok.name, "株式会社さくらデザイン");
        assert_eq!(ok.offer, "Web サイト制作\nロゴ");
        let keys: Vec<_> = check(&Input {
            name: "x".repeat(81),
            offer: String::new(),
            url: "ftp://x".into(),
            ..Input::default()
        })
        .unwrap_err()
        .iter()
        .map(|e| e.key)
        .collect();
        assert_eq!(
            keys,
            vec![
                "invalid.business_name_long",
                "invalid.business_offer_empty",
                "invalid.business_url"
            ]
        );
    }

    #[test]
    fn the_directory_search_finds_businesses() {
        let find = |q: &str| {
            score(
                &Query::parse(q),
                "株式会社桜デザイン",
                "サクラデザイン",
                "デザイン",
                "ロゴ制作、ＷＥＢサイト",
            )
        };
        for q in ["桜", "さくら", "ｻｸﾗ", "sakura", "web", "ロゴ", "桜 ロゴ"] {
            assert!(find(q).is_some(), "{q}");
        }
        assert_eq!(find("会計"), None);
        assert_eq!(find("桜 会計"), None, "every term must match");
        assert!(
            find("桜").unwrap() > find("ロゴ").unwrap(),
            "names weigh most"
        );
        assert!(in_industry("ﾃﾞｻﾞｲﾝ", "デザイン"));
        assert!(!in_industry("会計", "デザイン"));
    }
}
