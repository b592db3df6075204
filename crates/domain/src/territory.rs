//! Territory: communes identified by their INSEE code.

use crate::InvalidInput;

/// A commune's INSEE code (5 characters: digits, or 2A/2B for Corsica).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct InseeCode(String);

impl InseeCode {
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let s = s.trim().to_ascii_uppercase();
        let ok = s.len() == 5
            && (s[..2].chars().all(|c| c.is_ascii_digit()) || &s[..2] == "2A" || &s[..2] == "2B")
            && s[2..].chars().all(|c| c.is_ascii_digit());
        if ok {
            Ok(Self(s))
        } else {
            Err(InvalidInput::new("commune", "code INSEE attendu (5 caractères, ex. 69123)"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commune {
    pub insee: InseeCode,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insee_codes() {
        assert!(InseeCode::parse("69123").is_ok());
        assert!(InseeCode::parse("2a004").is_ok());
        assert!(InseeCode::parse("6912").is_err());
        assert!(InseeCode::parse("69A23").is_err());
    }
}
