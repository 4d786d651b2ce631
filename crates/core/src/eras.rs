//! Era balance (seed 002: a reunion where people of every era feel at
//! home): how invitees, registrants and attendees spread over hire-year
//! eras, leave-year eras and departments; a warning when one era fills
//! more than half the room; whom to invite to even it out, with the
//! reason; and tables that mix eras and departments.
//!
//! An era is five calendar years (2005–2009). Everything here is
//! deterministic: the same people and seed give the same answer.

use std::collections::BTreeMap;

/// Years in an era.
pub const ERA_YEARS: i32 = 5;
/// Registrants before a lopsided room is worth a warning.
pub const WARN_FROM: usize = 4;

/// A person as era balance sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Person {
    /// Account id.
    pub id: i64,
    /// Year they first joined the company.
    pub hired: Option<i32>,
    /// Year they last left (`None`: still there, or unknown).
    pub left: Option<i32>,
    /// Their department (the latest stint's first).
    pub department: Option<String>,
}

/// The first year of `year`'s era.
pub fn era(year: i32) -> i32 {
    year - year.rem_euclid(ERA_YEARS)
}

/// `2005–2009`
pub fn era_label(start: i32) -> String {
    format!("{start}–{}", start + ERA_YEARS - 1)
}

/// One bar of a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// The era (`2005–2009`) or department; empty: not known.
    pub label: String,
    pub count: usize,
}

/// How a set of people spreads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spread {
    pub total: usize,
    /// By hire-year era, oldest first; unknown last.
    pub hired: Vec<Bar>,
    /// By leave-year era, oldest first; unknown (or still there) last.
    pub left: Vec<Bar>,
    /// By department, largest first; unknown last.
    pub departments: Vec<Bar>,
}

fn bars_by_era(years: impl Iterator<Item = Option<i32>>) -> Vec<Bar> {
    let mut known: BTreeMap<i32, usize> = BTreeMap::new();
    let mut unknown = 0;
    for y in years {
        match y {
            Some(y) => *known.entry(era(y)).or_default() += 1,
            None => unknown += 1,
        }
    }
    let mut out: Vec<Bar> = known
        .into_iter()
        .map(|(e, count)| Bar {
            label: era_label(e),
            count,
        })
        .collect();
    if unknown > 0 {
        out.push(Bar {
            label: String::new(),
            count: unknown,
        });
    }
    out
}

/// The spread of `people`.
pub fn spread(people: &[Person]) -> Spread {
    let mut departments: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unknown = 0;
    for p in people {
        match p.department.as_deref() {
            Some(d) if !d.is_empty() => *departments.entry(d).or_default() += 1,
            _ => unknown += 1,
        }
    }
    let mut departments: Vec<Bar> = departments
        .into_iter()
        .map(|(d, count)| Bar {
            label: d.to_string(),
            count,
        })
        .collect();
    departments.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    if unknown > 0 {
        departments.push(Bar {
            label: String::new(),
            count: unknown,
        });
    }
    Spread {
        total: people.len(),
        hired: bars_by_era(people.iter().map(|p| p.hired)),
        left: bars_by_era(people.iter().map(|p| p.left)),
        departments,
    }
}

/// The hire-year era holding more than half of `spread` (from
/// [`WARN_FROM`] people on): its bar.
pub fn dominant(spread: &Spread) -> Option<&Bar> {
    if spread.total < WARN_FROM {
        return None;
    }
    spread
        .hired
        .iter()
        .find(|b| !b.label.is_empty() && b.count * 2 > spread.total)
}

/// A person worth inviting, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub id: i64,
    /// Their era's label (empty: unknown).
    pub era: String,
    /// Their department (empty: unknown).
    pub department: String,
    /// Registrants of that era and department.
    pub registered: usize,
    /// All registrants.
    pub total: usize,
    /// Higher: more under-represented (thousandths of the gap in share).
    pub score: i64,
}

/// Members of `pool` (people not yet registered or invited, who accept
/// event news) from the eras and departments `registrants` lack, most
/// lacking first; at most `limit`. The gap is the group's share of the
/// pool minus its share of the registrants: a group the room already has
/// in proportion scores nothing and is left out.
pub fn suggest(registrants: &[Person], pool: &[Person], limit: usize) -> Vec<Suggestion> {
    type Key = (Option<i32>, Option<String>);
    let key = |p: &Person| -> Key {
        (
            p.hired.map(era),
            p.department.clone().filter(|d| !d.is_empty()),
        )
    };
    let mut in_room: BTreeMap<Key, usize> = BTreeMap::new();
    let mut era_in_room: BTreeMap<Option<i32>, usize> = BTreeMap::new();
    for r in registrants {
        *in_room.entry(key(r)).or_default() += 1;
        *era_in_room.entry(r.hired.map(era)).or_default() += 1;
    }
    let mut in_pool: BTreeMap<Key, usize> = BTreeMap::new();
    let mut era_in_pool: BTreeMap<Option<i32>, usize> = BTreeMap::new();
    for p in pool {
        *in_pool.entry(key(p)).or_default() += 1;
        *era_in_pool.entry(p.hired.map(era)).or_default() += 1;
    }
    let total = registrants.len();
    let share = |n: usize, of: usize| -> i64 {
        if of == 0 {
            0
        } else {
            (n as i64 * 1000) / of as i64
        }
    };
    let mut out: Vec<Suggestion> = pool
        .iter()
        .filter(|p| p.hired.is_some())
        .filter_map(|p| {
            let k = key(p);
            let registered = in_room.get(&k).copied().unwrap_or(0);
            let group_gap = share(in_pool[&k], pool.len()) - share(registered, total);
            let e = k.0;
            let era_gap = share(era_in_pool[&e], pool.len())
                - share(era_in_room.get(&e).copied().unwrap_or(0), total);
            // the era counts most (it is what the room feels); the
            // department breaks ties within it
            let score = era_gap * 3 + group_gap;
            (score > 0).then(|| Suggestion {
                id: p.id,
                era: e.map(era_label).unwrap_or_default(),
                department: k.1.unwrap_or_default(),
                registered,
                total,
                score,
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.id.cmp(&b.id)));
    // one of each lacking group before a second of any: an organiser
    // sees the spread of what the room lacks, not twenty of one kind
    let mut groups: Vec<Vec<Suggestion>> = Vec::new();
    for s in out {
        match groups
            .iter_mut()
            .find(|g| g[0].era == s.era && g[0].department == s.department)
        {
            Some(g) => g.push(s),
            None => groups.push(vec![s]),
        }
    }
    let mut mixed = Vec::new();
    let mut round = 0;
    while mixed.len() < limit && groups.iter().any(|g| g.len() > round) {
        for g in &groups {
            if let Some(s) = g.get(round)
                && mixed.len() < limit
            {
                mixed.push(s.clone());
            }
        }
        round += 1;
    }
    mixed
}

/// A 64-bit mix of a seed and an id (splitmix64): an order that looks
/// random but is the same every time.
fn mix(seed: u64, id: i64) -> u64 {
    let mut z = seed ^ (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `people` seated at tables of at most `size`, eras and departments
/// mixed: people are lined up by era, then department (shuffled within by
/// `seed`) and dealt round the tables like cards, so each table gets as
/// few of one era as the numbers allow. Tables differ in size by one at
/// most. Account ids per table.
pub fn tables(people: &[Person], size: usize, seed: u64) -> Vec<Vec<i64>> {
    if people.is_empty() {
        return Vec::new();
    }
    let size = size.max(2);
    let count = people.len().div_ceil(size);
    let mut line: Vec<&Person> = people.iter().collect();
    line.sort_by_key(|p| (p.hired.map(era), p.department.clone(), mix(seed, p.id)));
    let start = (mix(seed, 0) % count as u64) as usize;
    let mut out = vec![Vec::new(); count];
    for (i, p) in line.into_iter().enumerate() {
        out[(start + i) % count].push(p.id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, hired: Option<i32>, department: &str) -> Person {
        Person {
            id,
            hired,
            left: hired.map(|h| h + 6),
            department: (!department.is_empty()).then(|| department.to_string()),
        }
    }

    #[test]
    fn eras_are_five_years() {
        assert_eq!(era(2005), 2005);
        assert_eq!(era(2009), 2005);
        assert_eq!(era(2010), 2010);
        assert_eq!(era_label(2005), "2005–2009");
    }

    #[test]
    fn the_spread_counts_each_person_once_per_chart() {
        let people = vec![
            person(1, Some(2006), "営業"),
            person(2, Some(2008), "営業"),
            person(3, Some(2016), "開発"),
            person(4, None, ""),
        ];
        let s = spread(&people);
        assert_eq!(s.total, 4);
        let bars = |b: &[Bar]| {
            b.iter()
                .map(|b| (b.label.clone(), b.count))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            bars(&s.hired),
            [
                ("2005–2009".into(), 2),
                ("2015–2019".into(), 1),
                (String::new(), 1)
            ]
        );
        assert_eq!(
            bars(&s.left),
            [
                ("2010–2014".into(), 2),
                ("2020–2024".into(), 1),
                (String::new(), 1)
            ]
        );
        assert_eq!(
            bars(&s.departments),
            [("営業".into(), 2), ("開発".into(), 1), (String::new(), 1)]
        );
        for chart in [&s.hired, &s.left, &s.departments] {
            assert_eq!(chart.iter().map(|b| b.count).sum::<usize>(), 4);
        }
    }

    #[test]
    fn one_era_over_half_is_a_warning() {
        let mut people: Vec<Person> = (1..=3).map(|i| person(i, Some(2016), "開発")).collect();
        assert_eq!(dominant(&spread(&people)), None, "too few to judge");
        people.push(person(4, Some(2001), "営業"));
        assert_eq!(dominant(&spread(&people)).unwrap().label, "2015–2019");
        people.push(person(5, Some(2002), "営業"));
        people.push(person(6, Some(2011), "営業"));
        // 3 of 6 is half, not more
        assert_eq!(dominant(&spread(&people)), None);
    }

    #[test]
    fn suggestions_come_from_the_eras_the_room_lacks() {
        // the room: 2015–2019 開発 ×3, 2000–2004 営業 ×1
        let room = vec![
            person(1, Some(2016), "開発"),
            person(2, Some(2017), "開発"),
            person(3, Some(2018), "開発"),
            person(4, Some(2001), "営業"),
        ];
        // the pool: as many of each era
        let pool = vec![
            person(10, Some(2016), "開発"),
            person(11, Some(2006), "営業"),
            person(12, Some(2007), "人事"),
            person(13, Some(2002), "営業"),
            person(14, None, "営業"),
        ];
        let s = suggest(&room, &pool, 10);
        let ids: Vec<i64> = s.iter().map(|s| s.id).collect();
        assert_eq!(ids[..2], [11, 12], "{s:?}");
        assert!(!ids.contains(&10), "the room has plenty of 2015–2019 開発");
        assert!(!ids.contains(&14), "an unknown era explains nothing");
        assert_eq!(
            (
                s[0].era.as_str(),
                s[0].department.as_str(),
                s[0].registered,
                s[0].total
            ),
            ("2005–2009", "営業", 0, 4)
        );
        assert_eq!(suggest(&room, &pool, 1).len(), 1);
        // deterministic
        assert_eq!(suggest(&room, &pool, 10), s);
        // an empty room: everyone with a known era is worth inviting
        assert_eq!(suggest(&[], &pool, 10).len(), 4);
    }

    #[test]
    fn suggestions_take_turns_between_the_lacking_groups() {
        let room = vec![person(1, Some(2016), "開発")];
        let mut pool: Vec<Person> = (10..30).map(|i| person(i, Some(1987), "経理")).collect();
        pool.push(person(40, Some(2006), "営業"));
        pool.push(person(41, Some(2006), "営業"));
        let s = suggest(&room, &pool, 4);
        let groups: Vec<&str> = s.iter().map(|s| s.era.as_str()).collect();
        assert_eq!(
            groups,
            ["1985–1989", "2005–2009", "1985–1989", "2005–2009"],
            "{s:?}"
        );
    }

    #[test]
    fn tables_mix_eras_when_the_numbers_allow() {
        // 24 people: 12 of one era, 6, 6 — at tables of 6 (4 tables)
        let mut people = Vec::new();
        for i in 0..12 {
            people.push(person(
                i,
                Some(2016),
                if i % 2 == 0 { "開発" } else { "営業" },
            ));
        }
        for i in 12..18 {
            people.push(person(i, Some(2006), "営業"));
        }
        for i in 18..24 {
            people.push(person(i, Some(1996), "人事"));
        }
        for seed in 0..20 {
            let t = tables(&people, 6, seed);
            assert_eq!(t.len(), 4);
            let mut seated: Vec<i64> = t.iter().flatten().copied().collect();
            seated.sort();
            assert_eq!(seated, (0..24).collect::<Vec<_>>(), "everyone seated once");
            for table in &t {
                assert_eq!(table.len(), 6);
                let of_2016 = table.iter().filter(|id| **id < 12).count();
                assert!(of_2016 * 2 <= table.len(), "seed {seed}: {table:?}");
            }
            assert_eq!(tables(&people, 6, seed), t, "deterministic");
        }
        assert_ne!(
            tables(&people, 6, 1),
            tables(&people, 6, 2),
            "the seed matters"
        );
        // uneven numbers: sizes differ by one at most
        let t = tables(&people[..23], 6, 3);
        let sizes: Vec<usize> = t.iter().map(Vec::len).collect();
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "{sizes:?}"
        );
        assert!(tables(&[], 6, 0).is_empty());
    }
}
