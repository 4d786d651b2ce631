//! In-app notifications: what someone did that concerns a member, and who
//! is told. One rule decides for all: nobody is told about their own
//! doing, and a reaction is told once until it was seen.

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Someone commented on the member's post.
    Comment,
    /// Someone replied to the member's comment.
    Reply,
    /// Someone reacted to the member's post.
    Reaction,
    /// A moderator approved the group the member proposed.
    GroupApproved,
    /// A moderator declined the group the member proposed.
    GroupDeclined,
    /// The member's request to join a group was accepted.
    JoinAccepted,
    /// Someone mentioned the member in a post or a comment.
    Mention,
    /// A moderator warned the member about something they wrote (the
    /// moderator's note goes with it).
    Warned,
    /// A moderator suspended the member (told by e-mail: they can no
    /// longer open the network).
    Suspended,
    /// A moderator published the member's first post.
    PostApproved,
    /// A moderator declined it (the reason shows on the post).
    PostDeclined,
    /// HR is now talking with the member about an opportunity they
    /// answered (told only when HR chooses to tell).
    OpportunityTalking,
    /// HR proposed terms for it.
    OpportunityProposed,
    /// It was won.
    OpportunityWon,
    /// Not this time.
    OpportunityNotNow,
    /// Someone answered an opportunity the member posted.
    OpportunityAnswered,
    /// A seat freed up: the member moved from an event's waitlist to
    /// going (mailed with the calendar file on its own).
    EventPromoted,
    /// An event the member registered for was called off (mailed with
    /// the calendar's cancellation on its own).
    EventCancelled,
    /// The member was invited to an event.
    EventInvited,
    /// The organisers wrote to everyone registered (mailed on its own).
    EventMessage,
    /// Someone asked the member for a 1:1 meeting at an event.
    EventMeetingRequested,
    /// The member's meeting request was accepted.
    EventMeetingAccepted,
    /// It was declined.
    EventMeetingDeclined,
}

words!(Kind {
    Comment = "comment",
    Reply = "reply",
    Reaction = "reaction",
    GroupApproved = "group_approved",
    GroupDeclined = "group_declined",
    JoinAccepted = "join_accepted",
    Mention = "mention",
    Warned = "warned",
    Suspended = "suspended",
    PostApproved = "post_approved",
    PostDeclined = "post_declined",
    OpportunityTalking = "opportunity_talking",
    OpportunityProposed = "opportunity_proposed",
    OpportunityWon = "opportunity_won",
    OpportunityNotNow = "opportunity_not_now",
    OpportunityAnswered = "opportunity_answered",
    EventPromoted = "event_promoted",
    EventCancelled = "event_cancelled",
    EventInvited = "event_invited",
    EventMessage = "event_message",
    EventMeetingRequested = "event_meeting_requested",
    EventMeetingAccepted = "event_meeting_accepted",
    EventMeetingDeclined = "event_meeting_declined",
});

impl Kind {
    /// What a member is told when HR moves their answer to `stage` (and
    /// chooses to tell them); nothing for the first stage.
    pub fn of_stage(stage: crate::opportunities::Stage) -> Option<Kind> {
        use crate::opportunities::Stage;
        match stage {
            Stage::Interested => None,
            Stage::Talking => Some(Kind::OpportunityTalking),
            Stage::Proposed => Some(Kind::OpportunityProposed),
            Stage::Won => Some(Kind::OpportunityWon),
            Stage::NotNow => Some(Kind::OpportunityNotNow),
            Stage::Withdrawn => None,
        }
    }
}

/// Notifications listed on the page at most.
pub const PAGE_SIZE: i64 = 50;

/// What e-mail a person may receive, each with its own switch (and its
/// own one-click unsubscribe link).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    /// "You have a new message" (once per conversation until read).
    Messages,
    /// Someone mentioned you.
    Mentions,
    /// Comments on one's posts and replies to one's comments.
    Replies,
    /// Decisions about groups one proposed or asked to join.
    Groups,
    /// The daily or weekly digest.
    Digest,
    /// News about opportunities one answered, and "opportunities for you"
    /// in the digest.
    Opportunities,
    /// Event invitations, reminders and organisers' messages (what
    /// changes one's place — confirmation, waitlist, cancellation — is
    /// always mailed).
    Events,
}

words!(Topic { Messages = "messages", Mentions = "mentions", Replies = "replies", Groups = "groups", Digest = "digest", Opportunities = "opportunities", Events = "events" });

/// How often the digest comes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Frequency {
    Daily,
    /// The default.
    #[default]
    Weekly,
    Off,
}

words!(Frequency { Daily = "daily", Weekly = "weekly", Off = "off" });

/// A person's e-mail choices. Stored as JSON; a missing key keeps its
/// default (messages, mentions and group decisions on, replies only in the
/// digest, a weekly digest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EmailPrefs {
    pub messages: bool,
    pub mentions: bool,
    pub replies: bool,
    pub groups: bool,
    pub digest: Frequency,
    pub opportunities: bool,
    pub events: bool,
}

impl Default for EmailPrefs {
    fn default() -> EmailPrefs {
        EmailPrefs {
            messages: true,
            mentions: true,
            replies: false,
            groups: true,
            digest: Frequency::Weekly,
            opportunities: true,
            events: true,
        }
    }
}

impl EmailPrefs {
    /// Reads stored JSON; anything unreadable is the defaults.
    pub fn from_json(text: &str) -> EmailPrefs {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(self) -> String {
        serde_json::to_string(&self).unwrap_or_else(|_| "{}".into())
    }

    /// Whether mail on `topic` goes out.
    pub fn wants(self, topic: Topic) -> bool {
        match topic {
            Topic::Messages => self.messages,
            Topic::Mentions => self.mentions,
            Topic::Replies => self.replies,
            Topic::Groups => self.groups,
            Topic::Digest => self.digest != Frequency::Off,
            Topic::Opportunities => self.opportunities,
            Topic::Events => self.events,
        }
    }

    /// The same choices with `topic` switched off (an unsubscribe link).
    pub fn without(mut self, topic: Topic) -> EmailPrefs {
        match topic {
            Topic::Messages => self.messages = false,
            Topic::Mentions => self.mentions = false,
            Topic::Replies => self.replies = false,
            Topic::Groups => self.groups = false,
            Topic::Digest => self.digest = Frequency::Off,
            Topic::Opportunities => self.opportunities = false,
            Topic::Events => self.events = false,
        }
        self
    }
}

/// The topic a notification's e-mail belongs to; reactions are never
/// mailed one by one (the digest counts them).
pub fn topic_of(kind: Kind) -> Option<Topic> {
    match kind {
        Kind::Comment | Kind::Reply => Some(Topic::Replies),
        Kind::GroupApproved | Kind::GroupDeclined | Kind::JoinAccepted => Some(Topic::Groups),
        Kind::Mention => Some(Topic::Mentions),
        Kind::PostApproved | Kind::PostDeclined => Some(Topic::Groups),
        // the network's business: always mailed
        Kind::Warned | Kind::Suspended => None,
        Kind::Reaction => None,
        Kind::OpportunityTalking
        | Kind::OpportunityProposed
        | Kind::OpportunityWon
        | Kind::OpportunityNotNow
        | Kind::OpportunityAnswered => Some(Topic::Opportunities),
        Kind::EventInvited
        | Kind::EventMeetingRequested
        | Kind::EventMeetingAccepted
        | Kind::EventMeetingDeclined => Some(Topic::Events),
        // mailed on their own, with the calendar file or the message
        Kind::EventPromoted | Kind::EventCancelled | Kind::EventMessage => None,
    }
}

/// The hour of the day (Japan time) digests go out.
pub const DIGEST_HOUR_JST: i64 = 8;

/// When the next digest is due after one was considered at `now`: the next
/// 08:00 in Japan (daily), or the 08:00 six days after that (weekly); never
/// for `Off` (`i64::MAX`).
pub fn next_digest(frequency: Frequency, now: i64) -> i64 {
    let day = 86_400_000;
    let hour = 3_600_000;
    let offset = crate::time::JST_OFFSET_MS;
    let local = now + offset;
    let today_at = local.div_euclid(day) * day + DIGEST_HOUR_JST * hour;
    let next_local = if today_at > local {
        today_at
    } else {
        today_at + day
    };
    let next = next_local - offset;
    match frequency {
        Frequency::Daily => next,
        Frequency::Weekly => next + 6 * day,
        Frequency::Off => i64::MAX,
    }
}

/// Who is told that `actor` commented on a post by `post_author`, replying
/// to a comment by `parent_author` (if a reply): each person once, never
/// the actor. (The parent's author hears "reply", which says more than
/// "comment" when they also wrote the post.)
pub fn for_comment(
    actor: i64,
    post_author: Option<i64>,
    parent_author: Option<i64>,
) -> Vec<(i64, Kind)> {
    let mut out: Vec<(i64, Kind)> = Vec::new();
    if let Some(p) = parent_author.filter(|p| *p != actor) {
        out.push((p, Kind::Reply));
    }
    if let Some(a) = post_author.filter(|a| *a != actor)
        && !out.iter().any(|(who, _)| *who == a)
    {
        out.push((a, Kind::Comment));
    }
    out
}

/// Who is told about a reaction: the post's author, unless they reacted
/// to their own post.
pub fn for_reaction(actor: i64, post_author: Option<i64>) -> Option<i64> {
    post_author.filter(|a| *a != actor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_choices_default_and_survive_bad_json() {
        let d = EmailPrefs::default();
        assert!(d.wants(Topic::Messages) && d.wants(Topic::Groups) && d.wants(Topic::Digest));
        assert!(!d.wants(Topic::Replies));
        assert_eq!(EmailPrefs::from_json("{}"), d);
        assert_eq!(EmailPrefs::from_json("not json"), d);
        let p = EmailPrefs::from_json(r#"{"replies": true, "digest": "daily"}"#);
        assert!(p.replies && p.messages);
        assert_eq!(p.digest, Frequency::Daily);
        assert_eq!(EmailPrefs::from_json(&p.to_json()), p);
        let off = d.without(Topic::Digest).without(Topic::Messages);
        assert!(!off.wants(Topic::Digest) && !off.wants(Topic::Messages) && off.groups);
    }

    #[test]
    fn digests_come_at_eight_in_the_morning_japan_time() {
        use crate::time::{jst_day, jst_ms};
        // 2026-12-04 07:59 JST: today at 08:00
        let before = jst_ms((2026, 12, 4), 8) - 60_000;
        assert_eq!(
            next_digest(Frequency::Daily, before),
            jst_ms((2026, 12, 4), 8)
        );
        // 08:00 exactly and later: tomorrow
        let at = jst_ms((2026, 12, 4), 8);
        assert_eq!(next_digest(Frequency::Daily, at), jst_ms((2026, 12, 5), 8));
        assert_eq!(
            next_digest(Frequency::Daily, jst_ms((2026, 12, 4), 23)),
            jst_ms((2026, 12, 5), 8)
        );
        // weekly: a week after the next morning's slot, minus one day
        assert_eq!(
            next_digest(Frequency::Weekly, at),
            jst_ms((2026, 12, 11), 8)
        );
        assert_eq!(
            jst_day(next_digest(Frequency::Weekly, before)),
            (2026, 12, 10)
        );
        assert_eq!(next_digest(Frequency::Off, at), i64::MAX);
    }

    #[test]
    fn reactions_are_never_mailed_alone() {
        assert_eq!(topic_of(Kind::Reaction), None);
        assert_eq!(topic_of(Kind::Reply), Some(Topic::Replies));
        assert_eq!(topic_of(Kind::JoinAccepted), Some(Topic::Groups));
    }

    #[test]
    fn nobody_hears_of_their_own_doing() {
        assert!(for_comment(1, Some(1), None).is_empty());
        assert!(for_comment(1, Some(1), Some(1)).is_empty());
        assert_eq!(for_reaction(1, Some(1)), None);
        assert_eq!(for_reaction(1, Some(2)), Some(2));
        assert_eq!(for_reaction(1, None), None);
    }

    #[test]
    fn a_reply_tells_the_comment_and_the_post_authors_once_each() {
        assert_eq!(
            for_comment(1, Some(2), Some(3)),
            vec![(3, Kind::Reply), (2, Kind::Comment)]
        );
        // the post's author replied to on their own post hears "reply" once
        assert_eq!(for_comment(1, Some(2), Some(2)), vec![(2, Kind::Reply)]);
        assert_eq!(for_comment(1, Some(2), None), vec![(2, Kind::Comment)]);
        // a former member's post tells nobody
        assert_eq!(for_comment(1, None, None), vec![]);
    }
}
