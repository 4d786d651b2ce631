//! The password policy (NIST SP 800-63B): at least 8 characters, at most
//! 128 (argon2 would take anything, but an unbounded input is a denial of
//! service), not only spaces. No composition rules.

/// Shortest password accepted, in characters.
pub const MIN_CHARS: usize = 8;
/// Longest password accepted, in characters.
pub const MAX_CHARS: usize = 128;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordError {
    TooShort,
    TooLong,
    Blank,
}

impl PasswordError {
    pub fn key(self) -> &'static str {
        match self {
            PasswordError::TooShort => "invalid.password_too_short",
            PasswordError::TooLong => "invalid.password_too_long",
            PasswordError::Blank => "invalid.password_blank",
        }
    }
}

/// Checks a new password against the policy.
pub fn check(password: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if password.trim().is_empty() && chars > 0 {
        return Err(PasswordError::Blank);
    }
    if chars < MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check("correct horse"), Ok(()));
        assert_eq!(
            check("パスワード八文字だ"),
            Ok(()),
            "counts characters, not bytes"
        );
        assert_eq!(check("short"), Err(PasswordError::TooShort));
        assert_eq!(check(""), Err(PasswordError::TooShort));
        assert_eq!(check("         "), Err(PasswordError::Blank));
        assert_eq!(check(&"x".repeat(128)), Ok(()));
        assert_eq!(check(&"x".repeat(129)), Err(PasswordError::TooLong));
    }
}
