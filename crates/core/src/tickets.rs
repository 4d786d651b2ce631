//! Codes people show: an attendee's check-in ticket (signed, so it cannot
//! be made up or moved to another event) and QR codes of any text drawn as
//! SVG on the server (no script, no image service).
//!
//! A ticket reads `123-K7QF3MZP`: the registration's number and eight
//! characters of an HMAC-SHA256 over it, keyed by the event's own random
//! key. The organiser's phone page accepts it typed (case and dashes do
//! not matter) or scanned — the QR code holds the check-in address with
//! the ticket, so a phone's camera app opens it directly.

use hmac::{Hmac, Mac};
use qrcodegen::{QrCode, QrCodeEcc};
use sha2::Sha256;

/// Characters of the signature part (40 bits: guessing one is a
/// trillion-to-one per try, and tries are rate limited).
const SIG_CHARS: usize = 8;
/// Crockford's base 32: no I, L, O or U to misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `chars` characters of Crockford's base 32 from the leading bits of
/// `bytes` (at most 16 bytes are read).
pub fn code(bytes: &[u8], chars: usize) -> String {
    let mut bits: u128 = 0;
    let mut have = 0;
    for b in bytes.iter().take(16) {
        bits = bits << 8 | u128::from(*b);
        have += 8;
    }
    (0..chars.min(have / 5))
        .map(|i| ALPHABET[((bits >> (have - 5 * (i + 1))) & 31) as usize] as char)
        .collect()
}

/// A code as typed or scanned, made comparable: full width to half,
/// upper case, only what follows the last `=` or `/` (a scanned address),
/// and the letters Crockford reads as digits (O → 0, I and L → 1).
pub fn typed(input: &str) -> String {
    let text = crate::text::to_half_width_ascii(input.trim()).to_ascii_uppercase();
    text.rsplit(['=', '/'])
        .next()
        .unwrap_or("")
        .chars()
        .map(|c| match c {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

fn signature(key: &[u8], event_id: i64, registration_id: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("ticket:{event_id}:{registration_id}").as_bytes());
    code(&mac.finalize().into_bytes()[..5], SIG_CHARS)
}

/// The ticket of registration `registration_id` to event `event_id`.
pub fn ticket(key: &[u8], event_id: i64, registration_id: i64) -> String {
    format!(
        "{registration_id}-{}",
        signature(key, event_id, registration_id)
    )
}

/// A ticket as typed, read: the registration number and the signature
/// part, normalised (full-width, lower case, spaces and dashes, and the
/// letters Crockford reads as digits). `None` when it is not shaped like
/// a ticket at all.
pub fn read(input: &str) -> Option<(i64, String)> {
    let text = typed(input);
    let (number, sig) = text.split_once('-')?;
    let number: i64 = number.trim().parse().ok().filter(|n| *n > 0)?;
    let sig: String = sig.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    (sig.len() == SIG_CHARS && sig.bytes().all(|b| ALPHABET.contains(&b))).then_some((number, sig))
}

/// Whether `sig` signs registration `registration_id` of event `event_id`
/// under `key` (compared in constant time).
pub fn verify(key: &[u8], event_id: i64, registration_id: i64, sig: &str) -> bool {
    let want = signature(key, event_id, registration_id);
    want.len() == sig.len()
        && want
            .bytes()
            .zip(sig.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// `text` as a QR code in SVG (black modules on white, a quiet zone of
/// four), labelled for screen readers with `label`. `None` when the text
/// is too long for a QR code.
pub fn qr_svg(text: &str, label: &str) -> Option<String> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let full = size + 8;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" \
         role=\"img\" aria-label=\"{}\" shape-rendering=\"crispEdges\" class=\"qr\">\
         <rect width=\"{full}\" height=\"{full}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>",
        crate::text::escape_html(label)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_ticket_verifies_only_for_its_event_and_key() {
        let t = ticket(KEY, 7, 123);
        assert!(t.starts_with("123-") && t.len() == 4 + SIG_CHARS, "{t}");
        let (n, sig) = read(&t).unwrap();
        assert_eq!(n, 123);
        assert!(verify(KEY, 7, 123, &sig));
        assert!(!verify(KEY, 8, 123, &sig), "another event");
        assert!(!verify(KEY, 7, 124, &sig), "another registration");
        assert!(!verify(b"another key", 7, 123, &sig), "another event's key");
        // stable: printed tickets keep working
        assert_eq!(ticket(KEY, 7, 123), t);
    }

    #[test]
    fn tickets_are_read_as_people_type_them() {
        let t = ticket(KEY, 7, 123);
        let (_, sig) = read(&t).unwrap();
        let typed = format!(" {} ", t.to_lowercase());
        assert_eq!(read(&typed).unwrap(), (123, sig.clone()));
        let full_width: String = t
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect();
        assert_eq!(read(&full_width).unwrap(), (123, sig.clone()));
        let spaced = format!("123-{} {}", &sig[..4], &sig[4..]);
        assert_eq!(read(&spaced).unwrap(), (123, sig.clone()));
        // the scanned address carries it after `code=`
        let url = format!("https://alumni.example.jp/n/s/events/7/checkin?code={t}");
        assert_eq!(read(&url).unwrap(), (123, sig));
        for bad in [
            "",
            "123",
            "-ABCDEFGH",
            "0-ABCDEFGH",
            "x-ABCDEFGH",
            "123-ABC",
            "123-ABCDEFG!",
            "123-ABCDEFGHJ",
        ] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes_are_crockford_from_the_leading_bits() {
        assert_eq!(code(&[0, 0, 0, 0, 0], 8), "00000000");
        assert_eq!(code(&[0xff; 5], 8), "ZZZZZZZZ");
        // 0b00001 00010 00011 …: each five bits one character
        assert_eq!(code(&[0x08, 0x86, 0x42, 0x98, 0xe8], 8), "12345678");
        assert_eq!(code(&[0xff], 8), "Z", "only whole characters");
        assert_eq!(
            typed(" https://x.example/cards?code=abcd-ol1i "),
            "ABCD-0111"
        );
    }

    #[test]
    fn qr_codes_are_svg_with_a_label() {
        let svg = qr_svg(
            "https://alumni.example.jp/checkin?code=123-ABCDEFGH",
            "受付コード <1>",
        )
        .unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("aria-label=\"受付コード &lt;1&gt;\""));
        assert!(svg.matches('M').count() > 100);
        assert!(qr_svg(&"x".repeat(5000), "").is_none());
    }
}
