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
}

words!(Kind {
    Comment = "comment",
    Reply = "reply",
    Reaction = "reaction",
    GroupApproved = "group_approved",
    GroupDeclined = "group_declined",
    JoinAccepted = "join_accepted",
});

/// Notifications listed on the page at most.
pub const PAGE_SIZE: i64 = 50;

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
