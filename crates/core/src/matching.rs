//! Matching people and opportunities, with the reasons shown.
//!
//! One function, [`fit`], scores a person for an opportunity; HR's match
//! list ranks many people with it and a member's "for you" ranks many
//! opportunities with it, so both directions agree. It is deterministic
//! and looks only at the profile it is given — callers pass the profile as
//! HR may see it (`Profile::seen_by(Viewer::Admin)`), so a field hidden
//! from HR never counts, and they never pass people who opted out.
//!
//! Points (a person is listed only with a signal beyond recency):
//! * open to this kind of opportunity: 40;
//! * each skill asked for that the person lists: 15 (at most 3 count);
//! * a stint in the department asked for: 20;
//! * the role asked for in a stint's titles or their current title: 10;
//! * left within 3 years: 10; within 10 years: 5.

use crate::opportunities::Kind;
use crate::profile::{OpenTo, Profile};
use crate::search::normalise;

/// What an opportunity asks for, as matching reads it.
#[derive(Clone, Debug, Default)]
pub struct Wants<'a> {
    pub kind: Option<Kind>,
    pub skills: &'a [String],
    pub department: &'a str,
    pub role: &'a str,
}

/// Why someone fits, one reason each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// They said they are open to this kind.
    OpenTo(OpenTo),
    /// The skills asked for that they list (their spelling).
    Skills(Vec<String>),
    /// A stint in the department asked for: `2012–2018 データ分析部`.
    Stint {
        joined: Option<i64>,
        left: Option<i64>,
        department: String,
    },
    /// The role asked for, as their title says it.
    Role(String),
    /// They left recently (the year).
    LeftIn(i64),
}

/// A person's fit: points and reasons, best reason first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fit {
    pub score: u32,
    pub reasons: Vec<Reason>,
}

/// Skills counted at most.
pub const SKILLS_COUNTED: usize = 3;

fn same(a: &str, b: &str) -> bool {
    let (a, b) = (normalise(a), normalise(b));
    !a.is_empty() && a == b
}

/// `wanted` in `have`, as a word or phrase of it (営業 in 法人営業部).
fn within(have: &str, wanted: &str) -> bool {
    let (h, w) = (normalise(have), normalise(wanted));
    !w.is_empty() && h.contains(&w)
}

/// How `profile` fits `wants` in the year `this_year`; `None` when nothing
/// but recency speaks for them.
pub fn fit(wants: &Wants<'_>, profile: &Profile, this_year: i64) -> Option<Fit> {
    let mut score = 0;
    let mut reasons = Vec::new();
    if let Some(kind) = wants.kind
        && let Some(o) = kind.open_to().iter().find(|o| profile.open_to.contains(o))
    {
        score += 40;
        reasons.push(Reason::OpenTo(*o));
    }
    let skills: Vec<String> = profile
        .skills
        .iter()
        .filter(|have| wants.skills.iter().any(|w| same(have, w)))
        .take(SKILLS_COUNTED)
        .cloned()
        .collect();
    if !skills.is_empty() {
        score += 15 * skills.len() as u32;
        reasons.push(Reason::Skills(skills));
    }
    if !wants.department.trim().is_empty() {
        // the latest stint in that department
        let mut stints: Vec<_> = profile.stints.iter().collect();
        stints.sort_by_key(|s| std::cmp::Reverse(s.joined));
        if let Some((s, d)) = stints.iter().find_map(|s| {
            s.departments
                .iter()
                .find(|d| within(d, wants.department))
                .map(|d| (s, d))
        }) {
            score += 20;
            reasons.push(Reason::Stint {
                joined: s.joined.map(|y| y.year()),
                left: s.left.map(|y| y.year()),
                department: d.clone(),
            });
        }
    }
    if !wants.role.trim().is_empty() {
        let title = profile
            .stints
            .iter()
            .flat_map(|s| &s.titles)
            .chain(std::iter::once(&profile.title))
            .find(|t| within(t, wants.role));
        if let Some(t) = title {
            score += 10;
            reasons.push(Reason::Role(t.clone()));
        }
    }
    if score == 0 {
        return None;
    }
    if let Some(left) = profile.last_left().map(|y| y.year()) {
        let ago = this_year - left;
        if (0..=3).contains(&ago) {
            score += 10;
            reasons.push(Reason::LeftIn(left));
        } else if (4..=10).contains(&ago) {
            score += 5;
            reasons.push(Reason::LeftIn(left));
        }
    }
    Some(Fit { score, reasons })
}

/// Ranks scored items: best first, then by id (the same order every time).
pub fn rank<T>(mut items: Vec<(i64, Fit, T)>) -> Vec<(i64, Fit, T)> {
    items.sort_by(|a, b| b.1.score.cmp(&a.1.score).then(a.0.cmp(&b.0)));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Stint, YearMonth};

    fn person(
        open_to: &[OpenTo],
        skills: &[&str],
        stints: &[(i64, Option<i64>, &str, &str)],
    ) -> Profile {
        Profile {
            family: "試験".into(),
            open_to: open_to.to_vec(),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            stints: stints
                .iter()
                .map(|(j, l, d, t)| Stint {
                    joined: YearMonth::new(*j, 4),
                    left: l.and_then(|l| YearMonth::new(l, 3)),
                    departments: vec![d.to_string()],
                    titles: if t.is_empty() {
                        vec![]
                    } else {
                        vec![t.to_string()]
                    },
                    ..Stint::default()
                })
                .collect(),
            ..Profile::default()
        }
    }

    fn wants(skills: &[String]) -> Wants<'_> {
        Wants {
            kind: Some(Kind::Project),
            skills,
            department: "データ分析",
            role: "",
        }
    }

    #[test]
    fn reasons_say_why_and_points_add_up() {
        let skills = vec!["SQL".to_string(), "BigQuery".to_string()];
        let p = person(
            &[OpenTo::Contract, OpenTo::Mentoring],
            &["ｓｑｌ", "Python", "BigQuery"],
            &[(2012, Some(2018), "データ分析部", "")],
        );
        let f = fit(&wants(&skills), &p, 2026).unwrap();
        assert_eq!(
            f.reasons,
            vec![
                Reason::OpenTo(OpenTo::Contract),
                Reason::Skills(vec!["ｓｑｌ".into(), "BigQuery".into()]),
                Reason::Stint {
                    joined: Some(2012),
                    left: Some(2018),
                    department: "データ分析部".into()
                },
                Reason::LeftIn(2018),
            ]
        );
        assert_eq!(f.score, 40 + 30 + 20 + 5);
    }

    #[test]
    fn recency_alone_is_no_match_and_wrong_kinds_do_not_count() {
        let skills = vec!["SQL".to_string()];
        let recent = person(
            &[OpenTo::Rehire],
            &["Excel"],
            &[(2020, Some(2025), "営業部", "")],
        );
        assert_eq!(fit(&wants(&skills), &recent, 2026), None);
        // open to rehire counts for a rehire opening only
        let rehire = Wants {
            kind: Some(Kind::Rehire),
            skills: &[],
            department: "",
            role: "マネージャー",
        };
        let f = fit(&rehire, &recent, 2026).unwrap();
        assert_eq!(
            f.reasons,
            vec![Reason::OpenTo(OpenTo::Rehire), Reason::LeftIn(2025)]
        );
        assert_eq!(f.score, 50);
    }

    #[test]
    fn hidden_fields_never_count() {
        // what the caller passes is the profile as HR sees it: emptied fields
        let skills = vec!["SQL".to_string()];
        let p = person(&[], &[], &[]);
        assert_eq!(fit(&wants(&skills), &p, 2026), None);
    }

    #[test]
    fn roles_match_inside_titles_and_ranking_is_stable() {
        let w = Wants {
            kind: Some(Kind::Referral),
            skills: &[],
            department: "",
            role: "営業",
        };
        let a = person(&[], &[], &[(2001, Some(2010), "東京支社", "法人営業課長")]);
        let mut b = person(&[OpenTo::Referral], &[], &[]);
        b.title = "営業部長".into();
        let fa = fit(&w, &a, 2026).unwrap();
        let fb = fit(&w, &b, 2026).unwrap();
        assert_eq!(fa.reasons, vec![Reason::Role("法人営業課長".into())]);
        assert_eq!(fa.score, 10, "left 16 years ago: no recency points");
        assert_eq!(fb.score, 50);
        let ranked = rank(vec![
            (7, fa.clone(), ()),
            (3, fb.clone(), ()),
            (2, fa.clone(), ()),
        ]);
        let ids: Vec<i64> = ranked.iter().map(|r| r.0).collect();
        assert_eq!(ids, vec![3, 2, 7]);
    }

    #[test]
    fn at_most_three_skills_count() {
        let asked: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let p = person(&[], &["A", "B", "C", "D"], &[]);
        let f = fit(
            &Wants {
                kind: None,
                skills: &asked,
                department: "",
                role: "",
            },
            &p,
            2026,
        )
        .unwrap();
        assert_eq!(f.score, 45);
    }
}
