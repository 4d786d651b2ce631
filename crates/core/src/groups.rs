//! Groups: by era (年次・同期), department, region or interest; open, by
//! request, or hidden (invitation only); and in one of three **spaces** —
//! the company and its alumni together, alumni only, or staff only.
//!
//! The space decides who may know the group exists at all: an alumni-only
//! group does not exist for HR or current staff, whatever their role (its
//! stewards are the network's alumni moderators and admins), and a
//! staff-only group does not exist for alumni. Within the space, hidden
//! groups exist only for their members, the invited and the space's
//! stewards. Members propose groups; a steward approves them.

use crate::networks::{Kind, Role};

/// Characters a group's name may have.
pub const MAX_NAME_CHARS: usize = 60;
/// Characters a group's description may have.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

/// What a group gathers people by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// 年次・同期: people who joined (or left) in the same years.
    Era,
    Department,
    Region,
    Interest,
}

/// How people get in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone in the space joins at once and reads without joining.
    Open,
    /// Anyone in the space may ask; the group's owner or a steward approves.
    Request,
    /// Invitation only; invisible to everyone else.
    Hidden,
}

/// Whose space the group is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    /// The company (staff, HR) and its alumni together.
    Shared,
    /// Alumni only: HR and current staff cannot read it.
    Alumni,
    /// Current staff and HR only.
    Staff,
}

/// Where a group stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Proposed by a member, waiting for a steward.
    Proposed,
    Active,
    /// A steward said no; only the proposer sees it, with that answer.
    Declined,
}

/// A person's standing in one group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Runs the group: approves requests, invites.
    Owner,
    Member,
    /// Asked to join a by-request group.
    Requested,
    /// Invited (hidden groups, or anyone invited); accepts by joining.
    Invited,
}

words!(Category { Era = "era", Department = "department", Region = "region", Interest = "interest" });
words!(Access { Open = "open", Request = "request", Hidden = "hidden" });
words!(Space { Shared = "shared", Alumni = "alumni", Staff = "staff" });
words!(Status { Proposed = "proposed", Active = "active", Declined = "declined" });
words!(Standing { Owner = "owner", Member = "member", Requested = "requested", Invited = "invited" });

impl Space {
    /// Whether a member of `kind` may know this space's groups exist. The
    /// role does not matter: an HR owner does not read alumni-only groups.
    pub fn admits(self, kind: Kind) -> bool {
        match self {
            Space::Shared => true,
            Space::Alumni => kind == Kind::Alumni,
            Space::Staff => matches!(kind, Kind::Employee | Kind::Hr),
        }
    }

    /// The spaces a member of `kind` may know.
    pub fn admitting(kind: Kind) -> Vec<Space> {
        Space::ALL
            .iter()
            .copied()
            .filter(|s| s.admits(kind))
            .collect()
    }
}

impl Standing {
    /// Belongs to the group (reads and posts).
    pub fn is_member(self) -> bool {
        matches!(self, Standing::Owner | Standing::Member)
    }
}

/// Whether a member stewards a space: approves proposals, manages any of
/// its groups, sees its hidden groups. Moderators and admins whom the space
/// admits — so alumni-only groups are stewarded by alumni only.
pub fn is_steward(space: Space, kind: Kind, role: Role) -> bool {
    role >= Role::Moderator && space.admits(kind)
}

/// How a viewer stands to a group, for the rules below.
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    pub kind: Kind,
    pub role: Role,
    /// Their standing in the group, if any.
    pub standing: Option<Standing>,
    /// They proposed it.
    pub proposer: bool,
}

/// Whether the group exists for the viewer (anything else is 404).
pub fn may_see(space: Space, access: Access, status: Status, v: &Viewer) -> bool {
    if !space.admits(v.kind) {
        return false;
    }
    let steward = is_steward(space, v.kind, v.role);
    match status {
        Status::Proposed => steward || v.proposer,
        Status::Declined => v.proposer,
        Status::Active => match access {
            Access::Open | Access::Request => true,
            Access::Hidden => steward || v.standing.is_some(),
        },
    }
}

/// Whether the viewer reads the group's posts: members; in open groups,
/// everyone who sees the group; stewards always (they moderate).
pub fn may_read(space: Space, access: Access, status: Status, v: &Viewer) -> bool {
    if !may_see(space, access, status, v) || status != Status::Active {
        return false;
    }
    access == Access::Open
        || v.standing.is_some_and(Standing::is_member)
        || is_steward(space, v.kind, v.role)
}

/// Whether the viewer may post in the group: its members only.
pub fn may_post(space: Space, access: Access, status: Status, v: &Viewer) -> bool {
    may_see(space, access, status, v)
        && status == Status::Active
        && v.standing.is_some_and(Standing::is_member)
}

/// Whether the viewer runs the group's membership (approve, invite, remove).
pub fn may_manage(space: Space, v: &Viewer) -> bool {
    space.admits(v.kind)
        && (v.standing == Some(Standing::Owner) || is_steward(space, v.kind, v.role))
}

/// What asking to join does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinOutcome {
    /// A member now (open groups; accepting an invitation).
    Joined,
    /// Asked; an owner or steward decides.
    Requested,
    /// Already in (or already asked): nothing changes.
    Unchanged,
    /// Not possible (hidden without an invitation, not active): answer 404.
    Refused,
}

/// What a viewer's request to join leads to. The space's stewards join
/// any group of it at once (they may see and approve it anyway).
pub fn join(
    access: Access,
    status: Status,
    standing: Option<Standing>,
    steward: bool,
) -> JoinOutcome {
    if status != Status::Active {
        return JoinOutcome::Refused;
    }
    match (standing, access) {
        (Some(Standing::Owner | Standing::Member | Standing::Requested), _) => {
            JoinOutcome::Unchanged
        }
        (Some(Standing::Invited), _) => JoinOutcome::Joined,
        (None, _) if steward => JoinOutcome::Joined,
        (None, Access::Open) => JoinOutcome::Joined,
        (None, Access::Request) => JoinOutcome::Requested,
        (None, Access::Hidden) => JoinOutcome::Refused,
    }
}

/// A group as written, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub name: String,
    pub description: String,
    pub category: Category,
    pub access: Access,
    pub space: Space,
}

/// One refused field: the form's field name and the catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
}

/// Checks a new group. The space must admit its creator: nobody makes a
/// group they could not read.
pub fn check(
    name: &str,
    description: &str,
    category: &str,
    access: &str,
    space: &str,
    creator: Kind,
) -> Result<Draft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name: String = name
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string();
    if name.is_empty() {
        errors.push(FieldError {
            field: "name",
            key: "invalid.group_name_empty",
        });
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError {
            field: "name",
            key: "invalid.group_name_long",
        });
    }
    let description = description.replace("\r\n", "\n").trim().to_string();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.push(FieldError {
            field: "description",
            key: "invalid.group_description_long",
        });
    }
    let category = Category::parse(category.trim());
    if category.is_none() {
        errors.push(FieldError {
            field: "category",
            key: "invalid.group_category",
        });
    }
    let access = Access::parse(access.trim());
    if access.is_none() {
        errors.push(FieldError {
            field: "access",
            key: "invalid.group_access",
        });
    }
    let space = Space::parse(space.trim());
    match space {
        None => errors.push(FieldError {
            field: "space",
            key: "invalid.group_space",
        }),
        Some(s) if !s.admits(creator) => errors.push(FieldError {
            field: "space",
            key: "invalid.group_space_outside",
        }),
        Some(_) => {}
    }
    match (category, access, space) {
        (Some(category), Some(access), Some(space)) if errors.is_empty() => Ok(Draft {
            name,
            description,
            category,
            access,
            space,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(kind: Kind, role: Role, standing: Option<Standing>) -> Viewer {
        Viewer {
            kind,
            role,
            standing,
            proposer: false,
        }
    }

    #[test]
    fn spaces_admit_by_kind_not_role() {
        assert!(Space::Shared.admits(Kind::Hr));
        assert!(Space::Alumni.admits(Kind::Alumni));
        assert!(!Space::Alumni.admits(Kind::Hr));
        assert!(!Space::Alumni.admits(Kind::Employee));
        assert!(Space::Staff.admits(Kind::Employee) && Space::Staff.admits(Kind::Hr));
        assert!(!Space::Staff.admits(Kind::Alumni));
        assert_eq!(
            Space::admitting(Kind::Hr),
            vec![Space::Shared, Space::Staff]
        );
        // an HR owner is no steward of an alumni-only space; an alumni moderator is
        assert!(!is_steward(Space::Alumni, Kind::Hr, Role::Owner));
        assert!(is_steward(Space::Alumni, Kind::Alumni, Role::Moderator));
        assert!(!is_steward(Space::Alumni, Kind::Alumni, Role::Member));
        assert!(is_steward(Space::Shared, Kind::Employee, Role::Admin));
    }

    #[test]
    fn who_sees_reads_and_posts() {
        use Access::*;
        use Status::*;
        let outsider = v(Kind::Alumni, Role::Member, None);
        let member = v(Kind::Alumni, Role::Member, Some(Standing::Member));
        let invited = v(Kind::Alumni, Role::Member, Some(Standing::Invited));
        let requested = v(Kind::Alumni, Role::Member, Some(Standing::Requested));
        let hr_owner = v(Kind::Hr, Role::Owner, None);
        let alumni_mod = v(Kind::Alumni, Role::Moderator, None);
        // open: everyone in the space sees and reads; only members post
        assert!(may_see(Space::Shared, Open, Active, &outsider));
        assert!(may_read(Space::Shared, Open, Active, &outsider));
        assert!(!may_post(Space::Shared, Open, Active, &outsider));
        assert!(may_post(Space::Shared, Open, Active, &member));
        // by request: seen, read only by members (and stewards)
        assert!(may_see(Space::Shared, Request, Active, &outsider));
        assert!(!may_read(Space::Shared, Request, Active, &outsider));
        assert!(!may_read(Space::Shared, Request, Active, &requested));
        assert!(may_read(Space::Shared, Request, Active, &member));
        assert!(may_read(Space::Shared, Request, Active, &hr_owner));
        // hidden: only members, the invited and stewards know it
        assert!(!may_see(Space::Shared, Hidden, Active, &outsider));
        assert!(may_see(Space::Shared, Hidden, Active, &invited));
        assert!(!may_read(Space::Shared, Hidden, Active, &invited));
        assert!(may_see(Space::Shared, Hidden, Active, &hr_owner));
        // alumni only: does not exist for HR, whatever the role or standing
        let hr_member = v(Kind::Hr, Role::Owner, Some(Standing::Member));
        for access in Access::ALL {
            assert!(!may_see(Space::Alumni, *access, Active, &hr_owner));
            assert!(!may_read(Space::Alumni, *access, Active, &hr_member));
            assert!(!may_post(Space::Alumni, *access, Active, &hr_member));
            assert!(!may_manage(
                Space::Alumni,
                &Viewer {
                    standing: Some(Standing::Owner),
                    ..hr_owner
                }
            ));
        }
        assert!(may_read(Space::Alumni, Hidden, Active, &alumni_mod));
        assert!(!may_see(Space::Staff, Open, Active, &member));
        // proposals: the proposer and stewards; declined: the proposer
        let proposer = Viewer {
            proposer: true,
            ..outsider
        };
        assert!(may_see(Space::Shared, Open, Proposed, &proposer));
        assert!(may_see(Space::Shared, Open, Proposed, &alumni_mod));
        assert!(!may_see(Space::Shared, Open, Proposed, &outsider));
        assert!(!may_read(Space::Shared, Open, Proposed, &proposer));
        assert!(may_see(Space::Shared, Open, Declined, &proposer));
        assert!(!may_see(Space::Shared, Open, Declined, &alumni_mod));
    }

    #[test]
    fn joining() {
        use Access::*;
        use JoinOutcome::*;
        let active = Status::Active;
        assert_eq!(join(Open, active, None, false), Joined);
        assert_eq!(join(Request, active, None, false), Requested);
        assert_eq!(join(Hidden, active, None, false), Refused);
        assert_eq!(join(Hidden, active, Some(Standing::Invited), false), Joined);
        assert_eq!(
            join(Request, active, Some(Standing::Invited), false),
            Joined
        );
        assert_eq!(
            join(Request, active, Some(Standing::Requested), false),
            Unchanged
        );
        assert_eq!(join(Open, active, Some(Standing::Owner), false), Unchanged);
        assert_eq!(join(Open, Status::Proposed, None, false), Refused);
        // stewards join any group of their space at once
        assert_eq!(join(Hidden, active, None, true), Joined);
        assert_eq!(join(Request, active, None, true), Joined);
        assert_eq!(join(Open, Status::Proposed, None, true), Refused);
    }

    #[test]
    fn groups_are_checked() {
        let ok = check(
            " 2009年入社 同期会 ",
            "みんなで",
            "era",
            "open",
            "shared",
            Kind::Alumni,
        )
        .unwrap();
        assert_eq!(ok.name, "2009年入社 同期会");
        assert_eq!(
            (ok.category, ok.access, ok.space),
            (Category::Era, Access::Open, Space::Shared)
        );
        let errs = check(
            "",
            &"x".repeat(2001),
            "club",
            "secret",
            "mars",
            Kind::Alumni,
        )
        .unwrap_err();
        let keys: Vec<_> = errs.iter().map(|e| e.key).collect();
        assert_eq!(
            keys,
            vec![
                "invalid.group_name_empty",
                "invalid.group_description_long",
                "invalid.group_category",
                "invalid.group_access",
                "invalid.group_space"
            ]
        );
        let errs = check("OB会", "", "interest", "open", "alumni", Kind::Hr).unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError {
                field: "space",
                key: "invalid.group_space_outside"
            }]
        );
        assert!(
            check(
                &"名".repeat(60),
                "",
                "region",
                "hidden",
                "staff",
                Kind::Employee
            )
            .is_ok()
        );
        assert_eq!(
            check(
                &"名".repeat(61),
                "",
                "region",
                "hidden",
                "staff",
                Kind::Employee
            )
            .unwrap_err()[0]
                .key,
            "invalid.group_name_long"
        );
    }
}
