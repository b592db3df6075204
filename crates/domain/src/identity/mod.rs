//! The identity traits of a person besides the names, birth date and sex of the by-name list:
//! the birth name, the country and the commune of birth — the traits the national reference
//! for identity vigilance (RNIV) asks for, and what tells apart two persons of the same name
//! when one of them gives no birth date. All are optional: a partner records what the person
//! says.

pub mod countries;
mod decision;

pub use decision::DecisionBasis;

use crate::InvalidInput;

/// A country of birth: one of [`countries::COUNTRIES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country(&'static str);

impl Country {
    pub const FRANCE: Country = Country("99100");

    /// An INSEE country code of the list.
    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        let code = code.trim();
        countries::COUNTRIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, _)| Country(c))
            .ok_or_else(|| InvalidInput::new("pays de naissance", "pays inconnu"))
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    pub fn label(self) -> &'static str {
        countries::label_of(self.0).unwrap_or(self.0)
    }
}

/// The birth identity of a person; every part may be unknown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BirthIdentity {
    /// The birth name, when the person uses another family name (a married name).
    pub birth_name: Option<String>,
    pub birth_country: Option<Country>,
    /// The commune of birth in France, or the city abroad, as written.
    pub birth_commune: Option<String>,
}

impl BirthIdentity {
    /// From form fields; empty fields are unknown. The birth name follows the rules of names
    /// (letters, at most 100 characters); the commune may hold digits (`Lyon 3e`).
    pub fn parse(birth_name: &str, birth_country: &str, birth_commune: &str) -> Result<Self, InvalidInput> {
        let birth_name = optional_text(birth_name, "nom de naissance", false)?;
        let birth_country = if birth_country.trim().is_empty() { None } else { Some(Country::parse(birth_country)?) };
        let birth_commune = optional_text(birth_commune, "commune de naissance", true)?;
        Ok(Self { birth_name, birth_country, birth_commune })
    }

    pub fn is_empty(&self) -> bool {
        self.birth_name.is_none() && self.birth_country.is_none() && self.birth_commune.is_none()
    }

    /// `Conakry (Guinée)`, `Lyon`, `Guinée`, or `None` when nothing is known of the place.
    pub fn place_label(&self) -> Option<String> {
        match (&self.birth_commune, self.birth_country) {
            (Some(c), Some(k)) => Some(format!("{c} ({})", k.label())),
            (Some(c), None) => Some(c.clone()),
            (None, Some(k)) => Some(k.label().to_string()),
            (None, None) => None,
        }
    }
}

fn optional_text(s: &str, field: &'static str, digits: bool) -> Result<Option<String>, InvalidInput> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > 100 {
        return Err(InvalidInput::new(field, "100 caractères au plus"));
    }
    if s.chars().any(|c| c.is_control() || (!digits && c.is_ascii_digit())) {
        return Err(InvalidInput::new(field, "caractères non autorisés"));
    }
    Ok(Some(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_form_sends() {
        let b = BirthIdentity::parse("  Dupont ", "99330", " Conakry ").unwrap();
        assert_eq!(b.birth_name.as_deref(), Some("Dupont"));
        assert_eq!(b.birth_country.map(Country::label), Some("Guinée"));
        assert_eq!(b.place_label().as_deref(), Some("Conakry (Guinée)"));
        let none = BirthIdentity::parse("", "", "  ").unwrap();
        assert!(none.is_empty() && none.place_label().is_none());
        assert_eq!(
            BirthIdentity::parse("", "99100", "Lyon 3e").unwrap().place_label().as_deref(),
            Some("Lyon 3e (France)")
        );
        assert!(BirthIdentity::parse("", "99999", "").is_err(), "a code outside the list");
        assert!(BirthIdentity::parse("Dupont2", "", "").is_err());
        assert!(BirthIdentity::parse("", "", &"x".repeat(101)).is_err());
        assert!(BirthIdentity::parse("", "", "Lyon\u{7}").is_err());
    }
}
