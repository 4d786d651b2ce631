//! Networks (one per company) and memberships: the words, the rules, and
//! who may do what. Stored as lower-case text; parsed back strictly.

/// How people get into a network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinPolicy {
    /// Only by an invitation from an admin.
    Invitation,
    /// Anyone signed in may ask; an admin approves.
    Request,
    /// Current staff join at once with a verified address at one of the
    /// company's domains; everyone else is invited.
    Domain,
}

/// A member's role in one network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Member,
    Moderator,
    Admin,
    Owner,
}

/// Which side of the company a member is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Alumni,
    Employee,
    Hr,
}

/// Where a membership stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Invited,
    Pending,
    Active,
    Suspended,
    Left,
}

words!(JoinPolicy { Invitation = "invitation", Request = "request", Domain = "domain" });
words!(Role { Member = "member", Moderator = "moderator", Admin = "admin", Owner = "owner" });
words!(Kind { Alumni = "alumni", Employee = "employee", Hr = "hr" });
words!(Status { Invited = "invited", Pending = "pending", Active = "active", Suspended = "suspended", Left = "left" });

impl Role {
    /// Runs the network: members, invitations, settings.
    pub fn is_admin(self) -> bool {
        self >= Role::Admin
    }

    /// Whether someone with this role may give `target` to another member.
    /// Only owners make owners; admins manage admins and below.
    pub fn may_grant(self, target: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => target <= Role::Admin,
            _ => false,
        }
    }
}

impl JoinPolicy {
    /// Whether the network has a public landing page (`/n/{slug}/join`).
    pub fn has_landing_page(self) -> bool {
        matches!(self, JoinPolicy::Request | JoinPolicy::Domain)
    }
}

/// Words a slug may not be: they are, or may become, our own paths.
pub const RESERVED_SLUGS: &[&str] = &[
    "admin", "api", "app", "assets", "account", "accounts", "auth", "docs", "enishi", "help",
    "join", "login", "logout", "new", "operator", "root", "settings", "signin", "signout",
    "static", "support", "system", "www",
];

/// Why a slug was refused (catalogue keys under `invalid.`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlugError {
    Length,
    Characters,
    Hyphens,
    Reserved,
}

impl SlugError {
    pub fn key(self) -> &'static str {
        match self {
            SlugError::Length => "invalid.slug_length",
            SlugError::Characters => "invalid.slug_characters",
            SlugError::Hyphens => "invalid.slug_hyphens",
            SlugError::Reserved => "invalid.slug_reserved",
        }
    }
}

/// Checks a network slug: a–z, 0–9 and `-`, 3–40 characters, no leading,
/// trailing or doubled hyphen, not reserved. Input is lower-cased and
/// trimmed first (people type `Acme`).
pub fn check_slug(input: &str) -> Result<String, SlugError> {
    let slug = crate::text::to_half_width_ascii(input)
        .trim()
        .to_ascii_lowercase();
    if !(3..=40).contains(&slug.chars().count()) {
        return Err(SlugError::Length);
    }
    if !slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(SlugError::Characters);
    }
    if slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
        return Err(SlugError::Hyphens);
    }
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        return Err(SlugError::Reserved);
    }
    Ok(slug)
}

/// Checks an accent colour: `#rrggbb` (lower-cased on the way in).
pub fn check_colour(input: &str) -> Option<String> {
    let c = input.trim().to_ascii_lowercase();
    (c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit()))
        .then_some(c)
}

/// Parses the staff e-mail domains of a domain-policy network: separated by
/// commas, spaces or new lines; each a plain domain (`example.co.jp`).
/// Returns the lower-cased list, or the first bad entry.
pub fn parse_domains(input: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for raw in input
        .split([',', ' ', '\n', '\r', '\t', '、'])
        .filter(|s| !s.trim().is_empty())
    {
        let domain = raw.trim().trim_start_matches('@').to_ascii_lowercase();
        if crate::email::normalise(&format!("x@{domain}")).is_err() {
            return Err(raw.trim().to_string());
        }
        if !out.contains(&domain) {
            out.push(domain);
        }
    }
    Ok(out)
}

/// Whether `email` (normalised) is at one of `domains` (exactly, or a
/// subdomain of one).
pub fn email_in_domains(email: &str, domains: &[String]) -> bool {
    let domain = crate::email::domain(email);
    domains
        .iter()
        .any(|d| domain == d || domain.ends_with(&format!(".{d}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(*k));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
        }
        for p in JoinPolicy::ALL {
            assert_eq!(JoinPolicy::parse(p.as_str()), Some(*p));
        }
        assert_eq!(Role::parse("Owner"), None);
        assert_eq!(Kind::parse(""), None);
    }

    #[test]
    fn who_may_grant_what() {
        assert!(Role::Owner.may_grant(Role::Owner));
        assert!(Role::Admin.may_grant(Role::Admin));
        assert!(!Role::Admin.may_grant(Role::Owner));
        assert!(!Role::Moderator.may_grant(Role::Member));
        assert!(Role::Admin.is_admin() && Role::Owner.is_admin() && !Role::Moderator.is_admin());
    }

    #[test]
    fn slugs() {
        assert_eq!(check_slug(" Sample-Shoji "), Ok("sample-shoji".into()));
        assert_eq!(check_slug("ａｃｍｅ"), Ok("acme".into()));
        assert_eq!(check_slug("ab"), Err(SlugError::Length));
        assert_eq!(check_slug(&"a".repeat(41)), Err(SlugError::Length));
        assert_eq!(check_slug("サンプル"), Err(SlugError::Characters));
        assert_eq!(check_slug("acme_co"), Err(SlugError::Characters));
        assert_eq!(check_slug("acme/co"), Err(SlugError::Characters));
        assert_eq!(check_slug("-acme"), Err(SlugError::Hyphens));
        assert_eq!(check_slug("ac--me"), Err(SlugError::Hyphens));
        assert_eq!(check_slug("api"), Err(SlugError::Reserved));
        assert_eq!(check_slug("Operator"), Err(SlugError::Reserved));
    }

    #[test]
    fn colours_and_domains() {
        assert_eq!(check_colour(" #22406B "), Some("#22406b".into()));
        assert_eq!(check_colour("22406b"), None);
        assert_eq!(check_colour("#2240"), None);
        assert_eq!(check_colour("#ggg000"), None);
        assert_eq!(
            parse_domains("example.co.jp, @Staff.Example.com\nexample.co.jp"),
            Ok(vec!["example.co.jp".into(), "staff.example.com".into()])
        );
        assert_eq!(parse_domains(""), Ok(vec![]));
        assert_eq!(
            parse_domains("example.co.jp, not a domain!"),
            Err("not".to_string())
        );
        let domains = vec!["example.co.jp".to_string()];
        assert!(email_in_domains("taro@example.co.jp", &domains));
        assert!(email_in_domains("taro@tokyo.example.co.jp", &domains));
        assert!(!email_in_domains("taro@badexample.co.jp", &domains));
        assert!(!email_in_domains("taro@example.co.jp.evil.com", &domains));
    }
}
