//! The input of the indicator engine: one household's pathway and the few attributes used to
//! segment the population, at the precision that survives anonymisation.

use super::month::Month;
use crate::household::{HouseholdType, MemberRole, Membership, Sex};
use crate::pathway::Pathway;
use crate::{Date, OrgId};

/// Everything the indicators know of one household.
///
/// Birth dates are held as months on purpose: anonymisation coarsens them to the first of their
/// month, and indicators computed before and after must be identical, so no definition may look
/// at the day of birth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdHistory {
    pub pathway: Pathway,
    /// Birth month of the reference person (age bands).
    pub reference_birth: Option<Month>,
    /// Sex of the reference person.
    pub reference_sex: Sex,
    /// Dated members, for the household type at each month end.
    pub members: Vec<Member>,
    /// Commune where the household is counted (a single value: its current one). Surrounding
    /// spaces are ignored and a blank commune counts as not recorded.
    pub commune: Option<String>,
    /// Organisations following the household, with dates.
    pub followers: Vec<Following>,
    /// Support measures, as `[start, end)` (end `None` while running): started measures only.
    pub support: Vec<(Date, Option<Date>)>,
}

impl HouseholdHistory {
    /// A household with a pathway and nothing else known.
    pub fn new(pathway: Pathway) -> Self {
        Self {
            pathway,
            reference_birth: None,
            reference_sex: Sex::NonRenseigne,
            members: Vec::new(),
            commune: None,
            followers: Vec::new(),
            support: Vec::new(),
        }
    }

    /// Takes the members, and the reference person's birth month and sex, from full memberships.
    /// The reference person is the member with the reference role who joined last.
    pub fn with_memberships(mut self, memberships: &[Membership]) -> Self {
        self.members = memberships.iter().map(Member::from).collect();
        if let Some(r) = memberships.iter().filter(|m| m.role == MemberRole::Reference).max_by_key(|m| m.from) {
            self.reference_birth = r.person.birth_date.map(Month::of);
            self.reference_sex = r.person.sex;
        }
        self
    }
}

/// A member over `[from, to)`, with the birth month only (see [`HouseholdHistory`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub birth: Option<Month>,
    pub sex: Sex,
    pub role: MemberRole,
    pub from: Date,
    pub to: Option<Date>,
}

impl From<&Membership> for Member {
    fn from(m: &Membership) -> Self {
        Self { birth: m.person.birth_date.map(Month::of), sex: m.person.sex, role: m.role, from: m.from, to: m.to }
    }
}

impl Member {
    fn present_at_end_of(&self, month: Month) -> bool {
        let day = month.month_end();
        self.from <= day && self.to.is_none_or(|t| day < t)
    }

    /// A child is under 18 at the end of the month (age from the birth month, see
    /// [`Month::age_of`]), or declared as a child when the birth month is unknown.
    fn is_child_at_end_of(&self, month: Month) -> bool {
        match self.birth {
            Some(b) => month.age_of(b) < 18,
            None => self.role == MemberRole::Enfant,
        }
    }
}

/// The household type at the end of `month`: the rule of [`HouseholdType::of`] applied to the
/// members present on the last day of the month, with ages counted from birth months.
///
/// This is what `HouseholdType::of` gives on the month end once every birth date is moved to the
/// first of its month; the property tests hold the two together.
pub fn household_type_at_end_of(members: &[Member], month: Month) -> HouseholdType {
    let mut adults = 0usize;
    let mut children = 0usize;
    let mut single_sex = Sex::NonRenseigne;
    for m in members.iter().filter(|m| m.present_at_end_of(month)) {
        if m.is_child_at_end_of(month) {
            children += 1;
        } else {
            adults += 1;
            single_sex = m.sex;
        }
    }
    match (adults, children) {
        (0, 0) => HouseholdType::SansMembre,
        (_, c) if c > 0 => HouseholdType::FamilleAvecEnfants,
        (1, 0) => match single_sex {
            Sex::Homme => HouseholdType::HommeSeul,
            Sex::Femme => HouseholdType::FemmeSeule,
            Sex::NonRenseigne => HouseholdType::PersonneSeule,
        },
        _ => HouseholdType::CoupleSansEnfant,
    }
}

/// An organisation following the household over `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Following {
    pub org: OrgId,
    pub from: Date,
    pub to: Option<Date>,
}

impl Following {
    pub(crate) fn at_end_of(&self, month: Month) -> bool {
        let day = month.month_end();
        self.from <= day && self.to.is_none_or(|t| day < t)
    }
}
