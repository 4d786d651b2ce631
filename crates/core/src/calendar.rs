//! Wall-clock times in any IANA time zone, and iCalendar (RFC 5545)
//! files: an event's `.ics`, its cancellation, and a person's calendar
//! feed.
//!
//! The time-zone rules come from the IANA database compiled into the
//! binary (jiff's bundled copy), so a server without `/usr/share/zoneinfo`
//! (a slim container) schedules the same as a laptop. Instants are stored
//! as Unix milliseconds; an event keeps the zone it was planned in, and
//! each viewer sees it in their own zone.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};

/// The zone named `name` (`Asia/Tokyo`, `Europe/London`, …); `None` for a
/// name the database does not know. Fixed-offset or POSIX strings are
/// refused: an event is planned in a place, not an offset.
pub fn zone(name: &str) -> Option<TimeZone> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 || !name.contains('/') && name != "UTC" {
        return None;
    }
    TimeZone::get(name).ok()
}

/// The instant (Unix ms) of a wall-clock time in `tz`. A time skipped by a
/// daylight-saving jump is read as the time after the jump; a repeated
/// one as its first occurrence (what calendar programs do). `None` for a
/// date or time that does not exist on any calendar.
pub fn instant(tz: &TimeZone, day: (i64, u32, u32), hour: u32, minute: u32) -> Option<i64> {
    let (y, m, d) = day;
    let dt = DateTime::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        0,
        0,
    )
    .ok()?;
    tz.to_ambiguous_timestamp(dt)
        .compatible()
        .ok()
        .map(Timestamp::as_millisecond)
}

/// A wall-clock reading of an instant in a zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Local {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// 0 = Sunday … 6 = Saturday.
    pub weekday: u32,
    pub hour: u32,
    pub minute: u32,
    /// `JST`, `GMT`, `+07`: what the zone calls itself then.
    pub abbreviation: String,
}

impl Local {
    /// `2026-12-20`
    pub fn iso_day(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `18:30`
    pub fn hh_mm(&self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }
}

/// What `ms` reads in `tz`.
pub fn local(ms: i64, tz: &TimeZone) -> Local {
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let z: ZonedDateTime = ts.to_zoned_datetime(tz.clone());
    let info = tz.to_offset_info(ts);
    Local {
        year: i32::from(z.year()),
        month: z.month() as u32,
        day: z.day() as u32,
        weekday: z.weekday().to_sunday_zero_offset() as u32,
        hour: z.hour() as u32,
        minute: z.minute() as u32,
        abbreviation: info.abbreviation().to_string(),
    }
}

/// What `ms` reads in the zone named `name` (Tokyo for an unknown name).
pub fn local_in(ms: i64, name: &str) -> Local {
    let tz = zone(name).unwrap_or_else(|| zone(crate::tz::DEFAULT).expect("Asia/Tokyo"));
    local(ms, &tz)
}

/// `18:30`-style time as typed (`18:30`, `１８：３０`, `9:05`); `None`
/// otherwise.
pub fn parse_time(input: &str) -> Option<(u32, u32)> {
    let text: String = crate::text::to_half_width_ascii(input.trim());
    let (h, m) = text.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (h < 24 && m < 60).then_some((h, m))
}

// ─────────────────────────────── iCalendar ───────────────────────────────

/// What a calendar entry says about an event.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Stable across updates: `event-12-34@alumni.example.co.jp`.
    pub uid: String,
    /// Incremented by each change people should see.
    pub sequence: i64,
    pub title: String,
    /// Plain text.
    pub description: String,
    pub location: String,
    /// The event's page.
    pub url: String,
    pub starts_at: i64,
    pub ends_at: i64,
    /// The zone it was planned in.
    pub tz: String,
    pub cancelled: bool,
    /// Last change (Unix ms).
    pub updated_at: i64,
}

/// What the file asks a calendar program to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// "Here is an event" (downloads, feeds, confirmations).
    Publish,
    /// "This event is off" (its `STATUS:CANCELLED` entry).
    Cancel,
}

/// A calendar (`text/calendar`) of `entries`, each with the definition of
/// its time zone, as of `now` (Unix ms).
pub fn ics(entries: &[Entry], method: Method, calendar_name: &str, now: i64) -> String {
    let mut out = Out::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//Enishi//Alumni events//JA");
    out.line("CALSCALE:GREGORIAN");
    out.line(match method {
        Method::Publish => "METHOD:PUBLISH",
        Method::Cancel => "METHOD:CANCEL",
    });
    if !calendar_name.is_empty() {
        out.prop("X-WR-CALNAME", &escape(calendar_name));
    }
    let mut zones: Vec<&str> = Vec::new();
    for e in entries {
        if !zones.contains(&e.tz.as_str()) {
            zones.push(&e.tz);
        }
    }
    for name in zones {
        let spans: Vec<(i64, i64)> = entries
            .iter()
            .filter(|e| e.tz == name)
            .map(|e| (e.starts_at, e.ends_at))
            .collect();
        vtimezone(&mut out, name, &spans);
    }
    for e in entries {
        let tz = zone(&e.tz).unwrap_or(TimeZone::UTC);
        out.line("BEGIN:VEVENT");
        out.prop("UID", &escape(&e.uid));
        out.prop("DTSTAMP", &utc_stamp(now));
        out.prop("LAST-MODIFIED", &utc_stamp(e.updated_at));
        out.prop("SEQUENCE", &e.sequence.to_string());
        out.prop(
            &format!("DTSTART;TZID={}", e.tz),
            &local_stamp(e.starts_at, &tz),
        );
        out.prop(
            &format!("DTEND;TZID={}", e.tz),
            &local_stamp(e.ends_at, &tz),
        );
        out.prop("SUMMARY", &escape(&e.title));
        if !e.description.is_empty() {
            out.prop("DESCRIPTION", &escape(&e.description));
        }
        if !e.location.is_empty() {
            out.prop("LOCATION", &escape(&e.location));
        }
        if !e.url.is_empty() {
            out.prop("URL", &e.url);
        }
        out.prop(
            "STATUS",
            if e.cancelled || method == Method::Cancel {
                "CANCELLED"
            } else {
                "CONFIRMED"
            },
        );
        out.line("END:VEVENT");
    }
    out.line("END:VCALENDAR");
    out.0
}

/// The zone's definition covering `spans`: the observance in force a
/// year before the first start, and each change until a year after the
/// last end (one dated onset per change — no recurrence rules to get
/// wrong; calendar programs only need the part the events touch).
fn vtimezone(out: &mut Out, name: &str, spans: &[(i64, i64)]) {
    let Some(tz) = zone(name) else { return };
    let year_ms = 366 * 86_400_000;
    let from = spans.iter().map(|s| s.0).min().unwrap_or(0) - year_ms;
    let until = spans.iter().map(|s| s.1).max().unwrap_or(0) + year_ms;
    let from_ts = Timestamp::from_millisecond(from).unwrap_or(Timestamp::UNIX_EPOCH);
    out.line("BEGIN:VTIMEZONE");
    out.prop("TZID", name);
    // the observance in force at `from`: its onset is the last change
    // before (or, for a zone that never changed, the epoch)
    let before = tz.preceding(from_ts).next();
    let current = tz.to_offset_info(from_ts);
    let (onset, offset_before) = match &before {
        Some(t) => {
            let previous = tz
                .preceding(t.timestamp())
                .next()
                .map(|p| p.offset())
                .unwrap_or(t.offset());
            (t.timestamp(), previous)
        }
        None => (Timestamp::UNIX_EPOCH, current.offset()),
    };
    observance(
        out,
        current.dst().is_dst(),
        onset,
        offset_before.seconds(),
        current.offset().seconds(),
        current.abbreviation(),
    );
    let mut previous = current.offset();
    for t in tz.following(from_ts) {
        if t.timestamp().as_millisecond() > until {
            break;
        }
        observance(
            out,
            t.dst().is_dst(),
            t.timestamp(),
            previous.seconds(),
            t.offset().seconds(),
            t.abbreviation(),
        );
        previous = t.offset();
    }
    out.line("END:VTIMEZONE");
}

fn observance(out: &mut Out, dst: bool, onset: Timestamp, from: i32, to: i32, name: &str) {
    let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
    out.line(&format!("BEGIN:{kind}"));
    // DTSTART of an observance is the local time before the change
    let local = jiff::tz::Offset::from_seconds(from)
        .map(|o| o.to_datetime(onset))
        .unwrap_or_else(|_| onset.to_zoned_datetime(TimeZone::UTC).datetime());
    out.prop("DTSTART", &civil_stamp(local));
    out.prop("TZOFFSETFROM", &offset_text(from));
    out.prop("TZOFFSETTO", &offset_text(to));
    if !name.is_empty() {
        out.prop("TZNAME", &escape(name));
    }
    out.line(&format!("END:{kind}"));
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    if s.is_multiple_of(60) {
        format!("{sign}{:02}{:02}", s / 3600, s % 3600 / 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", s / 3600, s % 3600 / 60, s % 60)
    }
}

fn civil_stamp(dt: DateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

fn local_stamp(ms: i64, tz: &TimeZone) -> String {
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    civil_stamp(tz.to_datetime(ts))
}

fn utc_stamp(ms: i64) -> String {
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    format!("{}Z", civil_stamp(TimeZone::UTC.to_datetime(ts)))
}

/// TEXT value escaping (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Content lines, folded at 75 octets without splitting a character.
#[derive(Default)]
struct Out(String);

impl Out {
    fn prop(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{value}"));
    }

    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            let n = c.len_utf8();
            if width + n > 75 {
                self.0.push_str("\r\n ");
                width = 1;
            }
            self.0.push(c);
            width += n;
        }
        self.0.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo() -> TimeZone {
        zone("Asia/Tokyo").unwrap()
    }

    #[test]
    fn zones_are_names_of_places() {
        assert!(zone("Asia/Tokyo").is_some());
        assert!(zone("America/New_York").is_some());
        assert!(zone("UTC").is_some());
        for bad in [
            "",
            "Tokyo",
            "Asia/Tokio",
            "+09:00",
            "EST5EDT,M3.2.0,M11.1.0",
            "../etc/passwd",
        ] {
            assert!(zone(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn wall_clock_times_become_instants_and_back() {
        let ms = instant(&tokyo(), (2026, 12, 20), 18, 30).unwrap();
        assert_eq!(crate::time::iso_utc(ms), "2026-12-20T09:30:00Z");
        let l = local(ms, &tokyo());
        assert_eq!(
            (l.iso_day(), l.hh_mm(), l.weekday),
            ("2026-12-20".into(), "18:30".into(), 0)
        );
        assert_eq!(l.abbreviation, "JST");
        // the same instant in London, and in New York across its change
        let london = local_in(ms, "Europe/London");
        assert_eq!(
            (london.hh_mm(), london.abbreviation.as_str()),
            ("09:30".into(), "GMT")
        );
        let ny = zone("America/New_York").unwrap();
        let summer = instant(&ny, (2026, 7, 1), 9, 0).unwrap();
        assert_eq!(crate::time::iso_utc(summer), "2026-07-01T13:00:00Z");
        // 02:30 on the spring-forward day does not exist: read as 03:30
        let gap = instant(&ny, (2026, 3, 8), 2, 30).unwrap();
        assert_eq!(local(gap, &ny).hh_mm(), "03:30");
        assert!(instant(&tokyo(), (2026, 2, 30), 10, 0).is_none());
        assert!(instant(&tokyo(), (2026, 2, 1), 24, 0).is_none());
    }

    #[test]
    fn times_are_read_as_people_type_them() {
        assert_eq!(parse_time("18:30"), Some((18, 30)));
        assert_eq!(parse_time(" 9:05 "), Some((9, 5)));
        assert_eq!(parse_time("１８：３０"), Some((18, 30)));
        for bad in [
            "", "24:00", "18:60", "1830", "18:3", "ab:cd", "-1:00", "123:00",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    fn entry() -> Entry {
        Entry {
            uid: "event-1-7@alumni.example.jp".into(),
            sequence: 2,
            title: "OB・OG 交流会, 2026; 冬".into(),
            description: "第一部: 事業紹介\n第二部: 懇親会".into(),
            location: "東京都千代田区丸の内 1-1".into(),
            url: "https://alumni.example.jp/n/sample/events/7".into(),
            starts_at: instant(&tokyo(), (2026, 12, 20), 18, 30).unwrap(),
            ends_at: instant(&tokyo(), (2026, 12, 20), 21, 0).unwrap(),
            tz: "Asia/Tokyo".into(),
            cancelled: false,
            updated_at: 1_790_000_000_000,
        }
    }

    fn unfolded(text: &str) -> String {
        text.replace("\r\n ", "")
    }

    #[test]
    fn an_event_file_has_its_zone_uid_and_sequence() {
        let text = ics(&[entry()], Method::Publish, "", 1_790_000_000_000);
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
        let t = unfolded(&text);
        for line in [
            "METHOD:PUBLISH",
            "BEGIN:VTIMEZONE",
            "TZID:Asia/Tokyo",
            "TZOFFSETTO:+0900",
            "TZNAME:JST",
            "UID:event-1-7@alumni.example.jp",
            "SEQUENCE:2",
            "DTSTART;TZID=Asia/Tokyo:20261220T183000",
            "DTEND;TZID=Asia/Tokyo:20261220T210000",
            "SUMMARY:OB・OG 交流会\\, 2026\\; 冬",
            "DESCRIPTION:第一部: 事業紹介\\n第二部: 懇親会",
            "STATUS:CONFIRMED",
        ] {
            assert!(t.contains(&format!("{line}\r\n")), "{line} in {t}");
        }
        let cancel = unfolded(&ics(&[entry()], Method::Cancel, "", 1_790_000_000_000));
        assert!(cancel.contains("METHOD:CANCEL\r\n") && cancel.contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn a_zone_with_daylight_saving_lists_its_changes() {
        let ny = zone("America/New_York").unwrap();
        let mut e = entry();
        e.tz = "America/New_York".into();
        e.starts_at = instant(&ny, (2026, 11, 10), 19, 0).unwrap();
        e.ends_at = e.starts_at + 7_200_000;
        let t = unfolded(&ics(&[e], Method::Publish, "", 0));
        assert!(
            t.contains("BEGIN:DAYLIGHT\r\n") && t.contains("BEGIN:STANDARD\r\n"),
            "{t}"
        );
        // 2026-11-01 02:00 EDT → 01:00 EST
        assert!(
            t.contains(
                "DTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST"
            ),
            "{t}"
        );
        assert!(t.contains("DTSTART;TZID=America/New_York:20261110T190000"));
    }

    #[test]
    fn long_lines_fold_between_characters() {
        let mut e = entry();
        e.description = "縁".repeat(100);
        let text = ics(&[e], Method::Publish, "卒業生のイベント", 0);
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert!(unfolded(&text).contains(&format!("DESCRIPTION:{}", "縁".repeat(100))));
    }
}
