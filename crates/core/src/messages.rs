//! Direct messages: who may write to whom, the limits of a conversation
//! and of a message, and the contact card a person chooses to share.
//!
//! The recipient decides ([`Reach`]): anyone in the network, only people
//! who share a group or a hiring year (同期) with them, or nobody. A block
//! stops a person entirely, both ways. Admins can always reach members
//! about network business (their messages are marked as coming from the
//! network's admins). A suspended member neither writes nor is written to.

use crate::networks::Role;
use crate::posts::FieldError;

/// Most people in one conversation, the writer included.
pub const MAX_PEOPLE: usize = 20;
/// Characters a message may have.
pub const MAX_BODY_CHARS: usize = 4_000;
/// Characters a group conversation's title may have.
pub const MAX_TITLE_CHARS: usize = 80;
/// Messages shown per page of a conversation (newest page first).
pub const PAGE_SIZE: i64 = 50;

/// Who may start a conversation with a member (their choice).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Reach {
    /// Anyone in the network (the default).
    #[default]
    Anyone,
    /// People who share a group or a hiring year with them.
    Shared,
    /// Nobody (admins still can, about network business).
    Nobody,
}

words!(Reach { Anyone = "anyone", Shared = "shared", Nobody = "nobody" });

/// What stands between a writer and a recipient, as the store found it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Between {
    /// The recipient's choice.
    pub reach: Reach,
    /// They are in a group together, or joined the company the same year.
    pub shared: bool,
    /// Either blocked the other.
    pub blocked: bool,
    /// The recipient's membership is active (not suspended, not gone).
    pub active: bool,
}

/// Whether a member with `role` may write to a recipient with `between`.
/// Admins bypass the recipient's choice and blocks (network business);
/// nobody writes to a member who is not active.
pub fn may_write(role: Role, between: Between) -> bool {
    if !between.active {
        return false;
    }
    if role.is_admin() {
        return true;
    }
    if between.blocked {
        return false;
    }
    match between.reach {
        Reach::Anyone => true,
        Reach::Shared => between.shared,
        Reach::Nobody => false,
    }
}

/// Checks a message's text: trimmed, not empty, within the limit.
pub fn check_body(body: &str) -> Result<String, FieldError> {
    let body = crate::posts::clean_body(body);
    if body.is_empty() {
        return Err(FieldError {
            field: "body",
            key: "invalid.message_empty",
        });
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(FieldError {
            field: "body",
            key: "invalid.message_too_long",
        });
    }
    Ok(body)
}

/// Checks a group conversation's title (optional).
pub fn check_title(title: &str) -> Result<String, FieldError> {
    if title.contains(['\n', '\r']) {
        return Err(FieldError {
            field: "title",
            key: "invalid.conversation_title",
        });
    }
    let title = crate::posts::clean_line(title);
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(FieldError {
            field: "title",
            key: "invalid.conversation_title",
        });
    }
    Ok(title)
}

/// Checks who a new conversation is with: the writer's chosen people,
/// without the writer and repeats; one at least, [`MAX_PEOPLE`] with the
/// writer at most.
pub fn check_people(me: i64, chosen: &[i64]) -> Result<Vec<i64>, FieldError> {
    let mut people: Vec<i64> = Vec::new();
    for id in chosen {
        if *id != me && !people.contains(id) {
            people.push(*id);
        }
    }
    if people.is_empty() {
        return Err(FieldError {
            field: "to",
            key: "invalid.conversation_nobody",
        });
    }
    if people.len() + 1 > MAX_PEOPLE {
        return Err(FieldError {
            field: "to",
            key: "invalid.conversation_too_many",
        });
    }
    Ok(people)
}

/// The key of the one direct conversation two people have.
pub fn pair_key(a: i64, b: i64) -> String {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    format!("{lo}:{hi}")
}

/// A field a person may put on the contact card they share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactField {
    Email,
    Phone,
    Company,
    Title,
    Links,
}

words!(ContactField { Email = "email", Phone = "phone", Company = "company", Title = "title", Links = "links" });

/// A shared contact card: (field, value) in [`ContactField::ALL`]'s order,
/// empty values left out. Stored as the message's body (JSON), so what was
/// shared is what the conversation keeps, even if the profile changes.
pub fn contact_card(
    chosen: &[ContactField],
    value: impl Fn(ContactField) -> String,
) -> Vec<(ContactField, String)> {
    ContactField::ALL
        .iter()
        .copied()
        .filter(|f| chosen.contains(f))
        .filter_map(|f| {
            let v = value(f).trim().to_string();
            (!v.is_empty()).then_some((f, v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn between(reach: Reach, shared: bool, blocked: bool) -> Between {
        Between {
            reach,
            shared,
            blocked,
            active: true,
        }
    }

    #[test]
    fn the_recipient_decides() {
        let m = Role::Member;
        assert!(may_write(m, between(Reach::Anyone, false, false)));
        assert!(!may_write(m, between(Reach::Shared, false, false)));
        assert!(may_write(m, between(Reach::Shared, true, false)));
        assert!(!may_write(m, between(Reach::Nobody, true, false)));
        // moderators are members here
        assert!(!may_write(
            Role::Moderator,
            between(Reach::Nobody, false, false)
        ));
    }

    #[test]
    fn a_block_stops_members_not_admins() {
        assert!(!may_write(Role::Member, between(Reach::Anyone, true, true)));
        assert!(may_write(Role::Admin, between(Reach::Nobody, false, true)));
        assert!(may_write(Role::Owner, between(Reach::Nobody, false, false)));
    }

    #[test]
    fn nobody_writes_to_a_suspended_member() {
        let mut b = between(Reach::Anyone, true, false);
        b.active = false;
        assert!(!may_write(Role::Member, b));
        assert!(!may_write(Role::Owner, b));
    }

    #[test]
    fn bodies_are_trimmed_and_limited() {
        assert_eq!(check_body("  やあ\r\n元気？ ").unwrap(), "やあ\n元気？");
        assert_eq!(check_body(" \n ").unwrap_err().key, "invalid.message_empty");
        let long = "あ".repeat(MAX_BODY_CHARS);
        assert!(check_body(&long).is_ok());
        let longer = "あ".repeat(MAX_BODY_CHARS + 1);
        assert_eq!(
            check_body(&longer).unwrap_err().key,
            "invalid.message_too_long"
        );
    }

    #[test]
    fn people_are_deduplicated_and_counted_with_the_writer() {
        assert_eq!(check_people(1, &[2, 2, 1, 3]).unwrap(), vec![2, 3]);
        assert_eq!(
            check_people(1, &[1]).unwrap_err().key,
            "invalid.conversation_nobody"
        );
        let nineteen: Vec<i64> = (2..21).collect();
        assert_eq!(check_people(1, &nineteen).unwrap().len(), 19);
        let twenty: Vec<i64> = (2..22).collect();
        assert_eq!(
            check_people(1, &twenty).unwrap_err().key,
            "invalid.conversation_too_many"
        );
    }

    #[test]
    fn titles_are_one_short_line() {
        assert_eq!(check_title(" 2009年入社 ").unwrap(), "2009年入社");
        assert!(check_title("a\nb").is_err());
        assert!(check_title(&"x".repeat(MAX_TITLE_CHARS + 1)).is_err());
    }

    #[test]
    fn pair_keys_ignore_order() {
        assert_eq!(pair_key(9, 3), pair_key(3, 9));
        assert_eq!(pair_key(3, 9), "3:9");
    }

    #[test]
    fn a_card_has_only_what_was_chosen_and_filled() {
        let card = contact_card(&[ContactField::Phone, ContactField::Email], |f| match f {
            ContactField::Email => "a@example.jp".into(),
            ContactField::Phone => " ".into(),
            _ => "secret".into(),
        });
        assert_eq!(
            card,
            vec![(ContactField::Email, "a@example.jp".to_string())]
        );
    }
}
