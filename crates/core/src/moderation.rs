//! Reports and what moderators do about them: the words, the checks, and
//! who moderates what.
//!
//! Content lives in a space (`groups::Space`): the network's own feed is
//! the shared space; a group's content is in its group's space. A report
//! goes to the moderators whom that space admits — so reports about an
//! alumni-only group reach alumni moderators only, never HR.

use crate::groups::{Space, is_steward};
use crate::networks::{Kind, Role};

/// Characters a reporter's or moderator's note may have.
pub const MAX_NOTE_CHARS: usize = 1_000;

/// What is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Post,
    Comment,
    /// A direct message (its reports go to the network's moderators: the
    /// reporter shows them the words they received).
    Message,
    /// A member's profile (to the network's moderators).
    Profile,
}

/// Why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Rude, harassing or discriminatory.
    Harassment,
    /// Advertising or spam.
    Spam,
    /// Someone's private information.
    Privacy,
    /// Against the network's guidelines otherwise.
    Guidelines,
    Other,
}

/// Where a report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Open,
    /// A moderator hid the content.
    Hidden,
    /// A moderator saw nothing to do.
    Dismissed,
    /// A moderator warned the author.
    Warned,
    /// A moderator suspended the author.
    Suspended,
}

/// What a moderator does with reported content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Hide it: nobody but its author and the space's moderators sees it;
    /// the author is told why.
    Hide,
    /// Show hidden content again.
    Restore,
    /// Close the reports, change nothing.
    Dismiss,
    /// Tell the author what is wrong (with the moderator's note); the
    /// content stays.
    Warn,
    /// Hide the content and suspend its author's membership (they can no
    /// longer reach the network until an admin reinstates them).
    Suspend,
}

words!(Target { Post = "post", Comment = "comment", Message = "message", Profile = "profile" });
words!(Reason { Harassment = "harassment", Spam = "spam", Privacy = "privacy", Guidelines = "guidelines", Other = "other" });
words!(Status { Open = "open", Hidden = "hidden", Dismissed = "dismissed", Warned = "warned", Suspended = "suspended" });
words!(Action { Hide = "hide", Restore = "restore", Dismiss = "dismiss", Warn = "warn", Suspend = "suspend" });

/// Whether a member moderates content in `space`: moderators and admins
/// whom the space admits.
pub fn may_moderate(space: Space, kind: Kind, role: Role) -> bool {
    is_steward(space, kind, role)
}

/// The spaces whose reports a member handles (empty for members).
pub fn queues(kind: Kind, role: Role) -> Vec<Space> {
    Space::ALL
        .iter()
        .copied()
        .filter(|s| may_moderate(*s, kind, role))
        .collect()
}

/// Whether hidden content shows to a viewer: its author (with the reason)
/// and its space's moderators (to restore it).
pub fn sees_hidden(author: Option<i64>, viewer: i64, moderator: bool) -> bool {
    author == Some(viewer) || moderator
}

/// Whether a moderator with `role` may suspend a member with
/// `target_role`: moderators suspend members; admins and owners suspend
/// members and moderators; nobody suspends an admin or an owner this way
/// (that is the network's owners' business), nor themselves.
pub fn may_suspend(role: Role, target_role: Role, same_person: bool) -> bool {
    if same_person || target_role.is_admin() {
        return false;
    }
    match target_role {
        Role::Member => role >= Role::Moderator,
        _ => role.is_admin(),
    }
}

/// The actions that make sense for a target: a profile cannot be hidden
/// (it is reported to warn or suspend the person).
pub fn actions_for(target: Target, hidden: bool) -> Vec<Action> {
    let mut out = Vec::new();
    if target != Target::Profile {
        out.push(if hidden {
            Action::Restore
        } else {
            Action::Hide
        });
    }
    out.extend([Action::Warn, Action::Suspend, Action::Dismiss]);
    out
}

/// One refused field: the form's field name and the catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
}

/// Checks a note (a reporter's or a moderator's): trimmed, within the limit.
pub fn check_note(note: &str) -> Result<String, FieldError> {
    let note = note.replace("\r\n", "\n").trim().to_string();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(FieldError {
            field: "note",
            key: "invalid.report_note_long",
        });
    }
    Ok(note)
}

/// Checks a report's reason and note. "Other" needs a note saying what.
pub fn check_report(reason: &str, note: &str) -> Result<(Reason, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let reason = Reason::parse(reason.trim());
    if reason.is_none() {
        errors.push(FieldError {
            field: "reason",
            key: "invalid.report_reason",
        });
    }
    let note = match check_note(note) {
        Ok(n) => n,
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    if reason == Some(Reason::Other) && note.is_empty() && errors.is_empty() {
        errors.push(FieldError {
            field: "note",
            key: "invalid.report_note_needed",
        });
    }
    match reason {
        Some(r) if errors.is_empty() => Ok((r, note)),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_may_suspend_whom() {
        assert!(may_suspend(Role::Moderator, Role::Member, false));
        assert!(!may_suspend(Role::Moderator, Role::Moderator, false));
        assert!(may_suspend(Role::Admin, Role::Moderator, false));
        assert!(!may_suspend(Role::Admin, Role::Admin, false));
        assert!(!may_suspend(Role::Owner, Role::Owner, false));
        assert!(!may_suspend(Role::Owner, Role::Member, true));
        assert!(!may_suspend(Role::Member, Role::Member, false));
    }

    #[test]
    fn profiles_are_not_hidden() {
        assert_eq!(
            actions_for(Target::Profile, false),
            vec![Action::Warn, Action::Suspend, Action::Dismiss]
        );
        assert_eq!(actions_for(Target::Post, true)[0], Action::Restore);
        assert_eq!(actions_for(Target::Comment, false)[0], Action::Hide);
    }

    #[test]
    fn reports_go_to_the_space_s_moderators() {
        assert!(may_moderate(Space::Shared, Kind::Hr, Role::Admin));
        assert!(may_moderate(Space::Shared, Kind::Alumni, Role::Moderator));
        assert!(!may_moderate(Space::Shared, Kind::Alumni, Role::Member));
        assert!(
            !may_moderate(Space::Alumni, Kind::Hr, Role::Owner),
            "never HR for alumni-only content"
        );
        assert!(may_moderate(Space::Alumni, Kind::Alumni, Role::Moderator));
        assert!(!may_moderate(Space::Staff, Kind::Alumni, Role::Owner));
        assert_eq!(
            queues(Kind::Hr, Role::Owner),
            vec![Space::Shared, Space::Staff]
        );
        assert_eq!(
            queues(Kind::Alumni, Role::Moderator),
            vec![Space::Shared, Space::Alumni]
        );
        assert!(queues(Kind::Alumni, Role::Member).is_empty());
    }

    #[test]
    fn hidden_content_shows_to_its_author_and_moderators() {
        assert!(sees_hidden(Some(1), 1, false));
        assert!(sees_hidden(Some(1), 2, true));
        assert!(!sees_hidden(Some(1), 2, false));
        assert!(!sees_hidden(None, 2, false));
    }

    #[test]
    fn reports_are_checked() {
        assert_eq!(
            check_report("spam", " 宣伝です ").unwrap(),
            (Reason::Spam, "宣伝です".into())
        );
        assert_eq!(
            check_report("harassment", "").unwrap().0,
            Reason::Harassment
        );
        let errs = check_report("boring", "").unwrap_err();
        assert_eq!(errs[0].key, "invalid.report_reason");
        let errs = check_report("other", "  ").unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError {
                field: "note",
                key: "invalid.report_note_needed"
            }]
        );
        assert!(check_report("other", &"あ".repeat(MAX_NOTE_CHARS)).is_ok());
        let errs = check_report("spam", &"あ".repeat(MAX_NOTE_CHARS + 1)).unwrap_err();
        assert_eq!(errs[0].key, "invalid.report_note_long");
    }
}
