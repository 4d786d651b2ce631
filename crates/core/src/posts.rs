//! The feed: company news and members' posts, their comments (one level of
//! replies) and reactions — the words, the limits, who may read and change
//! what, and the feed's keyset cursor.
//!
//! A post's text is markdown, stored as written and rendered (sanitised)
//! by the web layer; the limits here count characters, not bytes, so a
//! Japanese post gets the same room as an English one.

use crate::networks::{Kind, Role};

/// Characters a post's body may have.
pub const MAX_BODY_CHARS: usize = 20_000;
/// Characters a news title may have.
pub const MAX_TITLE_CHARS: usize = 120;
/// Characters a comment may have.
pub const MAX_COMMENT_CHARS: usize = 4_000;
/// News kept pinned on top of the feed at once.
pub const MAX_PINNED: i64 = 5;
/// Posts per feed page.
pub const PAGE_SIZE: i64 = 20;

/// What a post is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostKind {
    /// Company news: written by admins, may be pinned, has a title and an
    /// audience.
    News,
    /// A member's post, read by everyone in the network.
    Post,
}

/// Who may read a news item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    /// Alumni only (and the admins who wrote it).
    Alumni,
    /// Current staff and HR only.
    Staff,
}

/// The fixed set of reactions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reaction {
    Like,
    Celebrate,
    Thanks,
    Insightful,
}

words!(PostKind { News = "news", Post = "post" });
words!(Audience { Everyone = "everyone", Alumni = "alumni", Staff = "staff" });
words!(Reaction { Like = "like", Celebrate = "celebrate", Thanks = "thanks", Insightful = "insightful" });

impl Reaction {
    /// The symbol shown on the button.
    pub fn symbol(self) -> &'static str {
        match self {
            Reaction::Like => "👍",
            Reaction::Celebrate => "🎉",
            Reaction::Thanks => "🙏",
            Reaction::Insightful => "💡",
        }
    }
}

impl Audience {
    /// Whether a member of `kind` with `role` may read what is addressed to
    /// this audience. Admins read everything (they write the news).
    pub fn admits(self, kind: Kind, role: Role) -> bool {
        if role.is_admin() {
            return true;
        }
        match self {
            Audience::Everyone => true,
            Audience::Alumni => kind == Kind::Alumni,
            Audience::Staff => matches!(kind, Kind::Employee | Kind::Hr),
        }
    }

    /// The audiences a member of `kind` with `role` may read, for the
    /// feed's query.
    pub fn readable_by(kind: Kind, role: Role) -> Vec<Audience> {
        Audience::ALL
            .iter()
            .copied()
            .filter(|a| a.admits(kind, role))
            .collect()
    }
}

/// What a member may do with posts.
pub fn may_write_news(role: Role) -> bool {
    role.is_admin()
}

/// Only the author edits their words (an admin may remove them, not
/// rewrite them).
pub fn may_edit(author: Option<i64>, viewer: i64) -> bool {
    author == Some(viewer)
}

/// The author, or an admin, may delete a post or a comment.
pub fn may_delete(author: Option<i64>, viewer: i64, role: Role) -> bool {
    author == Some(viewer) || role.is_admin()
}

/// A post as checked, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub kind: PostKind,
    /// Empty for member posts.
    pub title: String,
    pub body: String,
    pub audience: Audience,
}

/// One refused field: the form's field name and the catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
}

pub(crate) fn clean_body(text: &str) -> String {
    // line ends normalised; control characters other than newline and tab
    // dropped (they only hide text); trailing space trimmed
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string()
}

pub(crate) fn clean_line(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// Checks a post. Member posts have no title and are for everyone; news
/// needs a title and an audience word.
pub fn check_post(
    kind: PostKind,
    title: &str,
    body: &str,
    audience: &str,
) -> Result<Draft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let body = clean_body(body);
    if body.is_empty() {
        errors.push(FieldError {
            field: "body",
            key: "invalid.post_body_empty",
        });
    } else if body.chars().count() > MAX_BODY_CHARS {
        errors.push(FieldError {
            field: "body",
            key: "invalid.post_body_long",
        });
    }
    let (title, audience) = match kind {
        PostKind::Post => (String::new(), Audience::Everyone),
        PostKind::News => {
            let title = clean_line(title);
            if title.is_empty() {
                errors.push(FieldError {
                    field: "title",
                    key: "invalid.post_title_empty",
                });
            } else if title.chars().count() > MAX_TITLE_CHARS {
                errors.push(FieldError {
                    field: "title",
                    key: "invalid.post_title_long",
                });
            }
            let audience = match audience.trim() {
                "" => Some(Audience::Everyone),
                word => Audience::parse(word),
            };
            if audience.is_none() {
                errors.push(FieldError {
                    field: "audience",
                    key: "invalid.post_audience",
                });
            }
            (title, audience.unwrap_or(Audience::Everyone))
        }
    };
    if errors.is_empty() {
        Ok(Draft {
            kind,
            title,
            body,
            audience,
        })
    } else {
        Err(errors)
    }
}

/// Checks a comment's text.
pub fn check_comment(body: &str) -> Result<String, FieldError> {
    let body = clean_body(body);
    if body.is_empty() {
        Err(FieldError {
            field: "body",
            key: "invalid.comment_empty",
        })
    } else if body.chars().count() > MAX_COMMENT_CHARS {
        Err(FieldError {
            field: "body",
            key: "invalid.comment_long",
        })
    } else {
        Ok(body)
    }
}

/// Where a feed page ends: the last post's creation time and id. The feed
/// is newest first; the next page starts strictly after this pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: i64,
}

impl Cursor {
    /// `1733300000000.42` — opaque to users, but plain to read in a log.
    pub fn encode(self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }

    /// Parses a cursor; anything malformed is `None` (the first page).
    pub fn decode(text: &str) -> Option<Cursor> {
        let (at, id) = text.split_once('.')?;
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(at) || !digits(id) {
            return None;
        }
        Some(Cursor {
            created_at: at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// A one-time key a form carries so that a double click (two identical
/// POSTs) makes one post: 32 hex digits, nothing else.
pub fn check_once_key(text: &str) -> Option<String> {
    let t = text.trim();
    (t.len() >= 16 && t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| t.to_string())
}

/// People mentioned in one text at most (more are not told).
pub const MAX_MENTIONS: usize = 20;

/// The profile ids mentioned in a body: links written as
/// `[@name](/n/{slug}/people/{id})` (what the composer's autocomplete
/// inserts), each once, in order, at most [`MAX_MENTIONS`]. A link to
/// another network's people, or without the `@`, is not a mention.
pub fn mentions(body: &str, slug: &str) -> Vec<i64> {
    let target = format!("](/n/{slug}/people/");
    let mut out: Vec<i64> = Vec::new();
    let mut from = 0;
    while let Some(at) = body[from..].find(&target) {
        let close = from + at;
        from = close + target.len();
        let digits: String = body[from..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let after = body[from + digits.len()..].chars().next();
        // the link text: from the last '[' before the ']'
        let Some(open) = body[..close].rfind('[') else {
            continue;
        };
        let text = &body[open + 1..close];
        if !text.starts_with('@') || text.contains(']') || after != Some(')') {
            continue;
        }
        if let Ok(id) = digits.parse::<i64>()
            && !out.contains(&id)
        {
            out.push(id);
            if out.len() == MAX_MENTIONS {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_at_links_to_this_networks_people() {
        let body = "[@鈴木 一郎](/n/acme/people/12) さん、[@佐藤](/n/acme/people/7)さんも。\n\
                    [@鈴木 一郎](/n/acme/people/12) again, [not a mention](/n/acme/people/3), \
                    [@other](/n/beta/people/4), [@bad](/n/acme/people/x), [@open](/n/acme/people/9";
        assert_eq!(mentions(body, "acme"), vec![12, 7]);
        assert!(mentions("メールは a@b.jp まで", "acme").is_empty());
        let many: String = (0..30)
            .map(|i| format!("[@p{i}](/n/acme/people/{i}) "))
            .collect();
        assert_eq!(mentions(&many, "acme").len(), MAX_MENTIONS);
    }

    #[test]
    fn audiences_admit_the_right_people() {
        use Kind::*;
        assert!(Audience::Everyone.admits(Alumni, Role::Member));
        assert!(Audience::Alumni.admits(Alumni, Role::Member));
        assert!(Audience::Alumni.admits(Alumni, Role::Moderator));
        assert!(!Audience::Alumni.admits(Employee, Role::Member));
        assert!(!Audience::Alumni.admits(Hr, Role::Moderator));
        assert!(Audience::Alumni.admits(Hr, Role::Admin));
        assert!(Audience::Staff.admits(Employee, Role::Member));
        assert!(Audience::Staff.admits(Hr, Role::Member));
        assert!(!Audience::Staff.admits(Alumni, Role::Member));
        assert!(Audience::Staff.admits(Alumni, Role::Owner));
        assert_eq!(
            Audience::readable_by(Alumni, Role::Member),
            vec![Audience::Everyone, Audience::Alumni]
        );
        assert_eq!(
            Audience::readable_by(Employee, Role::Member),
            vec![Audience::Everyone, Audience::Staff]
        );
        assert_eq!(
            Audience::readable_by(Hr, Role::Owner),
            Audience::ALL.to_vec()
        );
    }

    #[test]
    fn who_may_change_what() {
        assert!(may_write_news(Role::Admin));
        assert!(may_write_news(Role::Owner));
        assert!(!may_write_news(Role::Moderator));
        assert!(may_edit(Some(3), 3));
        assert!(!may_edit(Some(3), 4));
        assert!(!may_edit(None, 4));
        assert!(may_delete(Some(3), 3, Role::Member));
        assert!(!may_delete(Some(3), 4, Role::Moderator));
        assert!(may_delete(Some(3), 4, Role::Admin));
        assert!(may_delete(None, 4, Role::Owner));
    }

    #[test]
    fn posts_are_checked() {
        let ok = check_post(
            PostKind::Post,
            "ignored",
            "  こんにちは\r\n皆さん  ",
            "staff",
        )
        .unwrap();
        assert_eq!(ok.body, "こんにちは\n皆さん");
        assert_eq!(ok.title, "");
        assert_eq!(
            ok.audience,
            Audience::Everyone,
            "member posts are for everyone"
        );
        let errs = check_post(PostKind::Post, "", " \u{7}\n ", "").unwrap_err();
        assert_eq!(errs[0].key, "invalid.post_body_empty");
        let at_limit = "あ".repeat(MAX_BODY_CHARS);
        assert!(check_post(PostKind::Post, "", &at_limit, "").is_ok());
        let over = "あ".repeat(MAX_BODY_CHARS + 1);
        let errs = check_post(PostKind::Post, "", &over, "").unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError {
                field: "body",
                key: "invalid.post_body_long"
            }]
        );
        let errs = check_post(PostKind::Post, "", &"x".repeat(50_000), "").unwrap_err();
        assert_eq!(errs[0].key, "invalid.post_body_long");

        let news = check_post(PostKind::News, " 社内報 ", "本文", "alumni").unwrap();
        assert_eq!(
            (news.title.as_str(), news.audience),
            ("社内報", Audience::Alumni)
        );
        let news = check_post(PostKind::News, "t", "b", "").unwrap();
        assert_eq!(news.audience, Audience::Everyone);
        let errs = check_post(PostKind::News, "", "", "martians").unwrap_err();
        let keys: Vec<_> = errs.iter().map(|e| e.key).collect();
        assert_eq!(
            keys,
            vec![
                "invalid.post_body_empty",
                "invalid.post_title_empty",
                "invalid.post_audience"
            ]
        );
        let errs =
            check_post(PostKind::News, &"題".repeat(MAX_TITLE_CHARS + 1), "b", "").unwrap_err();
        assert_eq!(errs[0].field, "title");
        assert!(check_post(PostKind::News, &"題".repeat(MAX_TITLE_CHARS), "b", "").is_ok());
    }

    #[test]
    fn comments_are_checked() {
        assert_eq!(check_comment(" いいね ").unwrap(), "いいね");
        assert_eq!(
            check_comment("\n\n").unwrap_err().key,
            "invalid.comment_empty"
        );
        assert!(check_comment(&"a".repeat(MAX_COMMENT_CHARS)).is_ok());
        assert_eq!(
            check_comment(&"a".repeat(MAX_COMMENT_CHARS + 1))
                .unwrap_err()
                .key,
            "invalid.comment_long"
        );
    }

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let c = Cursor {
            created_at: 1_733_300_000_000,
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for junk in [
            "",
            ".",
            "1.",
            ".1",
            "a.1",
            "1.b",
            "-1.2",
            "1.2.3",
            "99999999999999999999.1",
            "１.２",
        ] {
            assert_eq!(Cursor::decode(junk), None, "{junk}");
        }
    }

    #[test]
    fn once_keys() {
        assert_eq!(
            check_once_key("0123456789abcdef0123").as_deref(),
            Some("0123456789abcdef0123")
        );
        assert_eq!(check_once_key("short"), None);
        assert_eq!(check_once_key("'; DROP TABLE posts; --xxxxxxxx"), None);
        assert_eq!(check_once_key(&"a".repeat(65)), None);
    }

    #[test]
    fn reactions_have_words_and_symbols() {
        for r in Reaction::ALL {
            assert_eq!(Reaction::parse(r.as_str()), Some(*r));
            assert!(!r.symbol().is_empty());
        }
        assert_eq!(Reaction::parse("angry"), None);
    }
}
