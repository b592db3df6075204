//! Households and persons, with dated membership (people join and leave households).

use crate::identity::BirthIdentity;
use crate::{Date, InvalidInput, PersonId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Femme,
    Homme,
    NonRenseigne,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Self::Femme => "F",
            Self::Homme => "M",
            Self::NonRenseigne => "X",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        match code {
            "F" => Ok(Self::Femme),
            "M" => Ok(Self::Homme),
            "X" | "" => Ok(Self::NonRenseigne),
            _ => Err(InvalidInput::new("sexe", "valeurs possibles : F, M, X")),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Femme => "Femme",
            Self::Homme => "Homme",
            Self::NonRenseigne => "Non renseigné",
        }
    }
}

/// A person as reported by a partner. Names are kept as given; the birth date may be unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Option<Date>,
    pub sex: Sex,
}

/// Validated input for a new person (the id comes from the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Option<Date>,
    pub sex: Sex,
    /// Birth name and place, as far as known.
    pub birth: BirthIdentity,
}

impl NewPerson {
    pub fn parse(
        family_name: &str,
        given_names: &str,
        birth_date: &str,
        sex: &str,
        today: Date,
    ) -> Result<Self, InvalidInput> {
        let family_name = clean_name(family_name, "nom")?;
        let given_names = clean_name(given_names, "prénom")?;
        let birth_date = if birth_date.trim().is_empty() { None } else { Some(crate::parse_date(birth_date)?) };
        if let Some(b) = birth_date {
            if b > today {
                return Err(InvalidInput::new("date de naissance", "date dans le futur"));
            }
            if today.year() - b.year() > 120 {
                return Err(InvalidInput::new("date de naissance", "date invraisemblable"));
            }
        }
        Ok(Self { family_name, given_names, birth_date, sex: Sex::parse(sex.trim())?, birth: BirthIdentity::default() })
    }

    /// The same person with their birth name and place.
    pub fn with_birth(self, birth: BirthIdentity) -> Self {
        Self { birth, ..self }
    }
}

fn clean_name(s: &str, field: &'static str) -> Result<String, InvalidInput> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Err(InvalidInput::new(field, "obligatoire"));
    }
    if s.chars().count() > 100 {
        return Err(InvalidInput::new(field, "100 caractères au plus"));
    }
    if s.chars().any(|c| c.is_control() || c.is_ascii_digit()) {
        return Err(InvalidInput::new(field, "caractères non autorisés"));
    }
    Ok(s)
}

/// Age in whole years on `day`.
pub fn age_on(birth: Date, day: Date) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month() as u8, day.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    age
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberRole {
    /// The reference person (*personne de référence*), used for age bands.
    Reference,
    Conjoint,
    Enfant,
    Autre,
}

impl MemberRole {
    pub const ALL: [MemberRole; 4] = [Self::Reference, Self::Conjoint, Self::Enfant, Self::Autre];

    pub fn code(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::Conjoint => "conjoint",
            Self::Enfant => "enfant",
            Self::Autre => "autre",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Reference => "Personne de référence",
            Self::Conjoint => "Conjoint·e",
            Self::Enfant => "Enfant",
            Self::Autre => "Autre membre",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == code)
            .ok_or_else(|| InvalidInput::new("lien", "lien avec le ménage inconnu"))
    }
}

/// A person's membership of a household over `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub person: Person,
    pub role: MemberRole,
    pub from: Date,
    pub to: Option<Date>,
}

impl Membership {
    pub fn present_on(&self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|t| day < t)
    }
}

/// Household type, derived from the members present on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HouseholdType {
    HommeSeul,
    FemmeSeule,
    PersonneSeule,
    CoupleSansEnfant,
    FamilleAvecEnfants,
    SansMembre,
}

impl HouseholdType {
    pub const ALL: [HouseholdType; 6] = [
        Self::HommeSeul,
        Self::FemmeSeule,
        Self::PersonneSeule,
        Self::CoupleSansEnfant,
        Self::FamilleAvecEnfants,
        Self::SansMembre,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::HommeSeul => "homme-seul",
            Self::FemmeSeule => "femme-seule",
            Self::PersonneSeule => "personne-seule",
            Self::CoupleSansEnfant => "couple",
            Self::FamilleAvecEnfants => "famille",
            Self::SansMembre => "sans-membre",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::HommeSeul => "Homme seul",
            Self::FemmeSeule => "Femme seule",
            Self::PersonneSeule => "Personne seule (sexe non renseigné)",
            Self::CoupleSansEnfant => "Couple / adultes sans enfant",
            Self::FamilleAvecEnfants => "Famille avec enfant(s)",
            Self::SansMembre => "Sans membre présent",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|t| t.code() == code)
            .ok_or_else(|| InvalidInput::new("type de ménage", "type inconnu"))
    }

    /// Children are members under 18 on `day`, or declared as children when the birth date
    /// is unknown; everyone else counts as an adult.
    pub fn of(members: &[Membership], day: Date) -> Self {
        let present: Vec<_> = members.iter().filter(|m| m.present_on(day)).collect();
        let is_child = |m: &&&Membership| match m.person.birth_date {
            Some(b) => age_on(b, day) < 18,
            None => m.role == MemberRole::Enfant,
        };
        let children = present.iter().filter(is_child).count();
        let adults = present.len() - children;
        match (adults, children) {
            (0, 0) => Self::SansMembre,
            (_, c) if c > 0 => Self::FamilleAvecEnfants,
            (1, 0) => match present[0].person.sex {
                Sex::Homme => Self::HommeSeul,
                Sex::Femme => Self::FemmeSeule,
                Sex::NonRenseigne => Self::PersonneSeule,
            },
            _ => Self::CoupleSansEnfant,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn member(sex: Sex, birth: Option<Date>, role: MemberRole, from: Date, to: Option<Date>) -> Membership {
        Membership {
            person: Person {
                id: PersonId(1),
                family_name: "X".into(),
                given_names: "Y".into(),
                birth_date: birth,
                sex,
            },
            role,
            from,
            to,
        }
    }

    #[test]
    fn ages() {
        assert_eq!(age_on(date!(2000 - 03 - 15), date!(2018 - 03 - 14)), 17);
        assert_eq!(age_on(date!(2000 - 03 - 15), date!(2018 - 03 - 15)), 18);
    }

    #[test]
    fn household_type_follows_dated_membership() {
        let d0 = date!(2024 - 01 - 01);
        let arrival = date!(2024 - 06 - 01);
        let members = vec![
            member(Sex::Femme, Some(date!(1990 - 01 - 01)), MemberRole::Reference, d0, None),
            member(Sex::Homme, Some(date!(2020 - 01 - 01)), MemberRole::Enfant, arrival, None),
        ];
        assert_eq!(HouseholdType::of(&members, d0), HouseholdType::FemmeSeule);
        assert_eq!(HouseholdType::of(&members, arrival), HouseholdType::FamilleAvecEnfants);
        // a child turning 18 makes the household two adults
        assert_eq!(HouseholdType::of(&members, date!(2038 - 01 - 01)), HouseholdType::CoupleSansEnfant);
        assert_eq!(HouseholdType::of(&[], d0), HouseholdType::SansMembre);
    }

    #[test]
    fn person_input_is_validated() {
        let today = date!(2026 - 01 - 01);
        let p = NewPerson::parse("  Martin   Durand ", "Léa", "1990-02-03", "F", today).unwrap();
        assert_eq!(p.family_name, "Martin Durand");
        assert!(NewPerson::parse("", "Léa", "", "F", today).is_err());
        assert!(NewPerson::parse("M", "L", "2030-01-01", "F", today).is_err());
        assert!(NewPerson::parse("M", "L", "03/02/1990", "F", today).is_err());
    }
}
