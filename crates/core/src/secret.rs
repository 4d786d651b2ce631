//! Secrets we hand out (session cookies, sign-in links, API tokens) are
//! stored only as their SHA-256: a leaked database does not let anyone
//! sign in. The tokens themselves are 256 random bits, so a fast hash is
//! enough (passwords, which are guessable, use argon2id instead).

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `token`.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Bytes as lower-case hex (one allocation: an import hashes every row).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_are_stable_hex() {
        assert_eq!(
            super::hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(super::hex(&[0, 255, 16]), "00ff10");
    }
}
