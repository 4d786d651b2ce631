//! Time zones people may choose for their account. Asia/Tokyo is the
//! default. The list covers where Japanese companies' alumni live and work;
//! event scheduling (which needs the rules of each zone) will bring the full
//! IANA database, and this list then becomes its validation.

/// The default zone.
pub const DEFAULT: &str = "Asia/Tokyo";

/// Zones offered in the account settings, Tokyo first.
pub const ZONES: &[&str] = &[
    "Asia/Tokyo",
    "UTC",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Manila",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Asia/Jakarta",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Australia/Perth",
    "Pacific/Auckland",
    "Pacific/Honolulu",
    "Pacific/Guam",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Toronto",
    "America/Vancouver",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Africa/Johannesburg",
];

/// Whether `zone` is one we offer.
pub fn is_known(zone: &str) -> bool {
    ZONES.contains(&zone)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokyo_is_default_and_known() {
        assert!(super::is_known(super::DEFAULT));
        assert_eq!(super::ZONES[0], super::DEFAULT);
        assert!(!super::is_known("Mars/Olympus_Mons"));
        assert!(!super::is_known("asia/tokyo"));
    }
}
