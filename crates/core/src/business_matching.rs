//! Business matching at an event (seed 003: alumni pitch their
//! businesses, the company presents projects it wants to hand to alumni,
//! people book 1:1 meetings (商談) and swap cards (名刺交換)).
//!
//! Pitches come from a member's alumni-business listing and are approved
//! by the organisers. A meeting is asked for in one of the event's slots
//! with someone who pitches or owns an attached project; the other side
//! accepts or declines, and nobody is booked twice in one slot (the store
//! holds one seat per person and slot). A card is shared only when its
//! owner confirms an exchange; nothing is shared by default.

use crate::opportunities::{FieldError, clean_line};
use crate::profile::check_link;

/// Characters of a one-line pitch.
pub const MAX_PITCH_CHARS: usize = 120;
/// Characters of a note with a meeting request.
pub const MAX_NOTE_CHARS: usize = 300;
/// Characters of a card field.
pub const MAX_CARD_CHARS: usize = 100;

fn err(field: &'static str, key: &'static str) -> FieldError {
    FieldError { field, key }
}

/// Where a pitch application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PitchStatus {
    Pending,
    Approved,
    Declined,
}

words!(PitchStatus { Pending = "pending", Approved = "approved", Declined = "declined" });

/// A pitch as typed.
#[derive(Clone, Debug, Default)]
pub struct PitchInput {
    pub business_id: Option<i64>,
    pub pitch: String,
    pub slides_url: String,
}

/// A checked pitch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pitch {
    pub business_id: i64,
    pub pitch: String,
    pub slides_url: String,
}

/// Checks a pitch application (`owns`: the business is the applicant's).
pub fn check_pitch(input: &PitchInput, owns: bool) -> Result<Pitch, Vec<FieldError>> {
    let mut errors = Vec::new();
    let business_id = match input.business_id {
        Some(b) if owns => Some(b),
        _ => {
            errors.push(err("business_id", "invalid.pitch_business"));
            None
        }
    };
    let pitch = clean_line(&input.pitch);
    if pitch.is_empty() {
        errors.push(err("pitch", "invalid.pitch_empty"));
    } else if pitch.chars().count() > MAX_PITCH_CHARS {
        errors.push(err("pitch", "invalid.pitch_long"));
    }
    let slides_url = if input.slides_url.trim().is_empty() {
        String::new()
    } else {
        check_link(&input.slides_url).unwrap_or_else(|| {
            errors.push(err("slides_url", "invalid.link"));
            String::new()
        })
    };
    match business_id {
        Some(business_id) if errors.is_empty() => Ok(Pitch {
            business_id,
            pitch,
            slides_url,
        }),
        _ => Err(errors),
    }
}

/// Where a meeting request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingStatus {
    Requested,
    Accepted,
    Declined,
    Cancelled,
}

words!(MeetingStatus { Requested = "requested", Accepted = "accepted", Declined = "declined", Cancelled = "cancelled" });

/// Checks a meeting request: a host who takes meetings, a slot of the
/// event, not oneself, a short note. `Err(key)` says what is wrong.
pub fn check_meeting(
    requester: i64,
    host: i64,
    hosts: &[i64],
    slot: i64,
    slots: &[i64],
    note: &str,
) -> Result<String, FieldError> {
    if host == requester {
        return Err(err("host", "invalid.meeting_self"));
    }
    if !hosts.contains(&host) {
        return Err(err("host", "invalid.meeting_host"));
    }
    if !slots.contains(&slot) {
        return Err(err("slot", "invalid.meeting_slot"));
    }
    let note = clean_line(note);
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(err("note", "invalid.meeting_note_long"));
    }
    Ok(note)
}

/// The fields of a business card, each shown only if the owner ticks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardField {
    Company,
    Title,
    Email,
    Phone,
    Url,
}

words!(CardField { Company = "company", Title = "title", Email = "email", Phone = "phone", Url = "url" });

/// A business card as typed and stored (the name always shows).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Card {
    pub name: String,
    pub company: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub url: String,
    /// Which fields the owner shares (`company`, `title`, …).
    pub shown: Vec<String>,
}

impl Card {
    /// The card as someone it was shared with sees it: only the ticked
    /// fields.
    pub fn shared(&self) -> Card {
        let show = |f: CardField, v: &str| {
            if self.shown.iter().any(|s| s == f.as_str()) {
                v.to_string()
            } else {
                String::new()
            }
        };
        Card {
            name: self.name.clone(),
            company: show(CardField::Company, &self.company),
            title: show(CardField::Title, &self.title),
            email: show(CardField::Email, &self.email),
            phone: show(CardField::Phone, &self.phone),
            url: show(CardField::Url, &self.url),
            shown: self.shown.clone(),
        }
    }
}

/// Checks a card.
pub fn check_card(input: &Card) -> Result<Card, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut field = |name: &'static str, value: &str| -> String {
        let v = clean_line(value);
        if v.chars().count() > MAX_CARD_CHARS {
            errors.push(err(name, "invalid.card_long"));
        }
        v
    };
    let name = field("name", &input.name);
    let company = field("company", &input.company);
    let title = field("title", &input.title);
    let phone = field("phone", &input.phone);
    let mut email = field("email", &input.email);
    if !email.is_empty() {
        match crate::email::normalise(&email) {
            Ok(e) => email = e,
            Err(_) => errors.push(err("email", "invalid.card_email")),
        }
    }
    if !phone.is_empty()
        && !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
    {
        errors.push(err("phone", "invalid.card_phone"));
    }
    let url = if input.url.trim().is_empty() {
        String::new()
    } else {
        check_link(&input.url).unwrap_or_else(|| {
            errors.push(err("url", "invalid.link"));
            String::new()
        })
    };
    if name.is_empty() {
        errors.push(err("name", "invalid.card_name"));
    }
    let mut shown: Vec<String> = input
        .shown
        .iter()
        .filter(|s| CardField::parse(s).is_some())
        .cloned()
        .collect();
    shown.sort();
    shown.dedup();
    if errors.is_empty() {
        Ok(Card {
            name,
            company,
            title,
            email,
            phone,
            url,
            shown,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pitches_need_ones_own_business_and_a_line() {
        let ok = PitchInput {
            business_id: Some(4),
            pitch: " M&A の仲介をしています ".into(),
            slides_url: "https://example.com/slides".into(),
        };
        assert_eq!(
            check_pitch(&ok, true).unwrap().pitch,
            "M&A の仲介をしています"
        );
        let keys = |r: Result<Pitch, Vec<FieldError>>| {
            r.unwrap_err().iter().map(|e| e.key).collect::<Vec<_>>()
        };
        assert_eq!(keys(check_pitch(&ok, false)), ["invalid.pitch_business"]);
        let bad = PitchInput {
            business_id: None,
            pitch: "長".repeat(121),
            slides_url: "ftp://x".into(),
        };
        assert_eq!(
            keys(check_pitch(&bad, true)),
            [
                "invalid.pitch_business",
                "invalid.pitch_long",
                "invalid.link"
            ]
        );
        let empty = PitchInput {
            pitch: "  ".into(),
            ..ok
        };
        assert_eq!(keys(check_pitch(&empty, true)), ["invalid.pitch_empty"]);
    }

    #[test]
    fn meetings_are_with_hosts_in_slots() {
        let slots = [100, 200];
        assert_eq!(
            check_meeting(1, 2, &[2], 100, &slots, " よろしく ").unwrap(),
            "よろしく"
        );
        assert_eq!(
            check_meeting(2, 2, &[2], 100, &slots, "").unwrap_err().key,
            "invalid.meeting_self"
        );
        assert_eq!(
            check_meeting(1, 3, &[2], 100, &slots, "").unwrap_err().key,
            "invalid.meeting_host"
        );
        assert_eq!(
            check_meeting(1, 2, &[2], 150, &slots, "").unwrap_err().key,
            "invalid.meeting_slot"
        );
        assert_eq!(
            check_meeting(1, 2, &[2], 100, &slots, &"あ".repeat(301))
                .unwrap_err()
                .key,
            "invalid.meeting_note_long"
        );
    }

    #[test]
    fn cards_share_only_the_ticked_fields() {
        let card = check_card(&Card {
            name: "鈴木 仁志".into(),
            company: "鈴木商店".into(),
            title: "代表".into(),
            email: "Suzuki@Example.JP".into(),
            phone: "03-1234-5678".into(),
            url: "https://suzuki.example.jp".into(),
            shown: vec!["company".into(), "title".into(), "bogus".into()],
        })
        .unwrap();
        assert_eq!(card.email, "suzuki@example.jp");
        assert_eq!(card.shown, ["company", "title"]);
        let seen = card.shared();
        assert_eq!(
            (seen.company.as_str(), seen.title.as_str()),
            ("鈴木商店", "代表")
        );
        assert!(seen.email.is_empty() && seen.phone.is_empty() && seen.url.is_empty());
        let keys = |c: Card| {
            check_card(&c)
                .unwrap_err()
                .iter()
                .map(|e| e.key)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(Card {
                name: " ".into(),
                email: "not an address".into(),
                phone: "call me".into(),
                ..Card::default()
            }),
            [
                "invalid.card_email",
                "invalid.card_phone",
                "invalid.card_name"
            ]
        );
    }
}
