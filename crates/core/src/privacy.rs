//! Who sees what of a person: the one function every page, API answer,
//! search and export asks (ASVS 8.2.3 — field-level leaks happen where this
//! is re-implemented).

/// Who may see one field of a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Visibility {
    /// Every active member of the network.
    Network,
    /// The network's admins (and the person).
    Admins,
    /// Only the person.
    OnlyMe,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Visibility::Network, Visibility::Admins, Visibility::OnlyMe];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Network => "network",
            Visibility::Admins => "admins",
            Visibility::OnlyMe => "me",
        }
    }

    pub fn parse(word: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.as_str() == word)
    }
}

/// How the viewer stands to the person whose profile it is, within one
/// network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// The person themself.
    Themself,
    /// An owner or admin of the network.
    Admin,
    /// Another active member (moderators included: moderating posts is not
    /// a reason to see hidden profile fields).
    Member,
    /// Anyone else (another network's member, an operator, the public).
    Outsider,
}

/// Whether `viewer` may see a field set to `visibility`.
pub fn may_see(visibility: Visibility, viewer: Viewer) -> bool {
    match viewer {
        Viewer::Themself => true,
        Viewer::Admin => visibility <= Visibility::Admins,
        Viewer::Member => visibility == Visibility::Network,
        Viewer::Outsider => false,
    }
}

/// The fields of a profile that have their own visibility, with the
/// default a new profile starts with: contact details only for the person,
/// the employee number for admins, the rest for the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Name,
    Nickname,
    Tenure,
    Departments,
    EmployeeNumber,
    Company,
    Title,
    Industry,
    Location,
    WorkStyle,
    Skills,
    Languages,
    Links,
    Bio,
    Photo,
    OpenTo,
    Email,
    Phone,
}

impl Field {
    /// Every field, in the order a profile shows them.
    pub const ALL: [Field; 18] = [
        Field::Name,
        Field::Nickname,
        Field::Photo,
        Field::Tenure,
        Field::Departments,
        Field::EmployeeNumber,
        Field::Company,
        Field::Title,
        Field::Industry,
        Field::Location,
        Field::WorkStyle,
        Field::Skills,
        Field::Languages,
        Field::Links,
        Field::Bio,
        Field::OpenTo,
        Field::Email,
        Field::Phone,
    ];

    /// The word forms and the API use.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Nickname => "nickname",
            Field::Tenure => "tenure",
            Field::Departments => "departments",
            Field::EmployeeNumber => "employee_number",
            Field::Company => "company",
            Field::Title => "title",
            Field::Industry => "industry",
            Field::Location => "location",
            Field::WorkStyle => "work_style",
            Field::Skills => "skills",
            Field::Languages => "languages",
            Field::Links => "links",
            Field::Bio => "bio",
            Field::Photo => "photo",
            Field::OpenTo => "open_to",
            Field::Email => "email",
            Field::Phone => "phone",
        }
    }

    pub fn parse(word: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == word)
    }

    /// Whether the person chooses who sees it. Names are always the
    /// network's (a directory needs them); the employee number is always
    /// admins' (it is HR's record).
    pub fn is_adjustable(self) -> bool {
        !matches!(self, Field::Name | Field::EmployeeNumber)
    }

    pub fn default_visibility(self) -> Visibility {
        match self {
            Field::Email | Field::Phone => Visibility::OnlyMe,
            Field::EmployeeNumber => Visibility::Admins,
            _ => Visibility::Network,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix() {
        use Visibility::*;
        let expect = [
            (Network, [true, true, true, false]),
            (Admins, [true, true, false, false]),
            (OnlyMe, [true, false, false, false]),
        ];
        for (visibility, row) in expect {
            for (viewer, allowed) in [
                Viewer::Themself,
                Viewer::Admin,
                Viewer::Member,
                Viewer::Outsider,
            ]
            .into_iter()
            .zip(row)
            {
                assert_eq!(
                    may_see(visibility, viewer),
                    allowed,
                    "{visibility:?} {viewer:?}"
                );
            }
        }
    }

    #[test]
    fn defaults_hide_contact_details() {
        assert_eq!(Field::Email.default_visibility(), Visibility::OnlyMe);
        assert_eq!(Field::Phone.default_visibility(), Visibility::OnlyMe);
        assert_eq!(
            Field::EmployeeNumber.default_visibility(),
            Visibility::Admins
        );
        assert_eq!(Field::Company.default_visibility(), Visibility::Network);
        for v in Visibility::ALL {
            assert_eq!(Visibility::parse(v.as_str()), Some(v));
        }
        assert_eq!(Visibility::parse("public"), None);
    }
}
