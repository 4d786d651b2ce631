//! Instants are stored as Unix milliseconds (UTC). This turns them into
//! ISO 8601 text for `<time datetime>` and the API, without a calendar
//! library (days-from-civil, Howard Hinnant's algorithm).

/// `2026-11-21T08:05:09Z` for Unix milliseconds (whole seconds).
pub fn iso_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a calendar date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Japan's offset from UTC (no daylight saving time).
pub const JST_OFFSET_MS: i64 = 9 * 3_600_000;

/// A calendar day, as people type it: `2026-12-31`, `2026/12/31`,
/// `2026年12月31日` (full-width digits too). `None` for anything else or a
/// day that does not exist.
pub fn parse_day(input: &str) -> Option<(i64, u32, u32)> {
    let text: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '年' | '月' | '/' | '／' | '－' | '.' => '-',
            c => c,
        })
        .collect();
    let text = text.strip_suffix('日').unwrap_or(&text);
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || m.is_empty()
        || m.len() > 2
        || d.is_empty()
        || d.len() > 2
    {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    // the day exists when it survives a round trip through the day count
    (civil_from_days(days_from_civil(y, m, d)) == (y, m, d)).then_some((y, m, d))
}

/// The instant of `hour`:00 in Japan on a calendar day, in Unix ms.
pub fn jst_ms(day: (i64, u32, u32), hour: i64) -> i64 {
    (days_from_civil(day.0, day.1, day.2) * 24 + hour) * 3_600_000 - JST_OFFSET_MS
}

/// The calendar day in Japan at Unix ms `ms`.
pub fn jst_day(ms: i64) -> (i64, u32, u32) {
    civil_from_days((ms + JST_OFFSET_MS).div_euclid(86_400_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_typed_days_parse() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
        for z in [-800_000, -1, 0, 59, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(parse_day("2026-12-31"), Some((2026, 12, 31)));
        assert_eq!(parse_day(" 2026/3/1 "), Some((2026, 3, 1)));
        assert_eq!(parse_day("２０２６年３月３１日"), Some((2026, 3, 31)));
        assert_eq!(parse_day("2028-02-29"), Some((2028, 2, 29)));
        for bad in [
            "",
            "2026-02-30",
            "2027-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-0",
            "26-1-1",
            "2026-01",
            "2026-01-01-01",
            "tomorrow",
            "2026-1a-01",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        // 10:00 in Tokyo is 01:00 UTC
        assert_eq!(iso_utc(jst_ms((2026, 12, 31), 10)), "2026-12-31T01:00:00Z");
        assert_eq!(jst_day(jst_ms((2026, 12, 31), 0)), (2026, 12, 31));
        assert_eq!(jst_day(jst_ms((2026, 12, 31), 0) - 1), (2026, 12, 30));
    }

    #[test]
    fn known_instants() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_795_280_709_999), "2026-11-21T17:05:09Z");
        assert_eq!(iso_utc(-1_000), "1969-12-31T23:59:59Z");
    }
}
