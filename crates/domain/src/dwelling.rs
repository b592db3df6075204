//! Housing captation (DOMAIN.md §1): a dwelling the social rental agency captured, and how well
//! it fits a shared housing request (`tenancy`): its size for the household, the needs it covers,
//! the rent against the resources band. The agency sees only the requests' tenancy summaries.

use crate::tenancy::{DwellingNeed, ResourcesBand};
use crate::territory::InseeCode;
use crate::{Date, InvalidInput};

/// Rooms: T1 to T5, `T5_OR_MORE` for five and more.
pub const T5_OR_MORE: u8 = 5;

/// A captured dwelling, as the agency records it: no address, which nobody else needs to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dwelling {
    pub commune: InseeCode,
    /// Main rooms (T1 = 1); 5 for five or more.
    pub rooms: u8,
    /// Monthly rent, charges included, in euros.
    pub rent: u32,
    /// What it offers among the needs a request may state (ground floor, accessible, lift, pets
    /// allowed, near public transport).
    pub features: Vec<DwellingNeed>,
    pub available_on: Date,
}

impl Dwelling {
    pub fn parse(
        commune: &str,
        rooms: &str,
        rent: &str,
        features: &[DwellingNeed],
        available_on: &str,
    ) -> Result<Self, InvalidInput> {
        let commune = InseeCode::parse(commune)?;
        let rooms: u8 = rooms
            .trim()
            .parse()
            .ok()
            .filter(|r| (1..=T5_OR_MORE).contains(r))
            .ok_or_else(|| InvalidInput::new("typologie", "de T1 à T5 et plus"))?;
        let rent: u32 = rent
            .trim()
            .parse()
            .ok()
            .filter(|r| (1..=10_000).contains(r))
            .ok_or_else(|| InvalidInput::new("loyer", "un montant en euros, charges comprises, de 1 à 10 000"))?;
        let mut features = features.to_vec();
        features.sort();
        features.dedup();
        Ok(Self { commune, rooms, rent, features, available_on: crate::parse_date(available_on)? })
    }

    /// `T2`, `T5 et plus`.
    pub fn typology(&self) -> String {
        if self.rooms >= T5_OR_MORE {
            "T5 et plus".into()
        } else {
            format!("T{}", self.rooms)
        }
    }
}

/// How many persons a dwelling of `rooms` houses without over- or under-occupation (a rule of
/// thumb of social landlords): T1 1–2, T2 1–3, T3 2–5, T4 3–6, T5 and more from 4.
pub fn occupancy(rooms: u8) -> (usize, Option<usize>) {
    match rooms {
        0 | 1 => (1, Some(2)),
        2 => (1, Some(3)),
        3 => (2, Some(5)),
        4 => (3, Some(6)),
        _ => (4, None),
    }
}

/// The effort above which the rent is flagged, in percent of the resources (before housing
/// benefit, which the summary does not know).
pub const EFFORT_FLAG: u32 = 35;

/// How a dwelling fits a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    pub size_ok: bool,
    /// The request's needs the dwelling does not cover.
    pub unmet: Vec<DwellingNeed>,
    pub same_commune: bool,
    /// Rent over resources, in percent, from the band's middle; `None` when no band is stated.
    pub effort: Option<u32>,
}

impl Fit {
    /// Whether the dwelling may be offered to the household: the right size, every need covered.
    pub fn fits(&self) -> bool {
        self.size_ok && self.unmet.is_empty()
    }

    /// Whether the rent weighs more than [`EFFORT_FLAG`] of the resources.
    pub fn heavy(&self) -> bool {
        self.effort.is_some_and(|e| e > EFFORT_FLAG)
    }

    /// Best first: a bearable rent (or unknown resources), then the same commune, then the
    /// lightest effort (unknown after the known ones).
    pub fn rank(&self) -> (bool, bool, u32) {
        (self.heavy(), !self.same_commune, self.effort.unwrap_or(u32::MAX))
    }
}

/// The middle of a resources band, in euros a month (the open band: its floor and a half).
fn band_middle(b: ResourcesBand) -> u32 {
    match b {
        ResourcesBand::Moins500 => 250,
        ResourcesBand::De500a1000 => 750,
        ResourcesBand::De1000a1500 => 1250,
        ResourcesBand::Plus1500 => 2250,
    }
}

/// A lift covers a need for the ground floor's ease of access; nothing else stands for another.
fn covers(features: &[DwellingNeed], need: DwellingNeed) -> bool {
    features.contains(&need) || (need == DwellingNeed::Ascenseur && features.contains(&DwellingNeed::RezDeChaussee))
}

pub fn fit(
    d: &Dwelling,
    persons: usize,
    needs: &[DwellingNeed],
    band: Option<ResourcesBand>,
    commune: Option<&InseeCode>,
) -> Fit {
    let (min, max) = occupancy(d.rooms);
    Fit {
        size_ok: persons >= min && max.is_none_or(|m| persons <= m),
        unmet: needs.iter().copied().filter(|n| !covers(&d.features, *n)).collect(),
        same_commune: commune == Some(&d.commune),
        effort: band.map(|b| (d.rent * 100).div_ceil(band_middle(b))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn t2(features: &[DwellingNeed]) -> Dwelling {
        Dwelling::parse("38001", "2", "450", features, "2026-12-15").unwrap()
    }

    #[test]
    fn a_dwelling_is_checked_as_entered() {
        let d = t2(&[DwellingNeed::Ascenseur, DwellingNeed::Ascenseur]);
        assert_eq!((d.rooms, d.rent, d.features.len(), d.available_on), (2, 450, 1, date!(2026 - 12 - 15)));
        assert_eq!(d.typology(), "T2");
        assert_eq!(Dwelling::parse("38001", "7", "450", &[], "2026-12-15").unwrap_err().field, "typologie");
        assert_eq!(Dwelling::parse("38001", "2", "0", &[], "2026-12-15").unwrap_err().field, "loyer");
        assert_eq!(Dwelling::parse("38001", "2", "4 50", &[], "2026-12-15").unwrap_err().field, "loyer");
        assert!(Dwelling::parse("38001", "2", "450", &[], "15/12/2026").is_err());
        assert_eq!(Dwelling::parse("38001", "5", "900", &[], "2026-12-15").unwrap().typology(), "T5 et plus");
    }

    #[test]
    fn size_needs_commune_and_effort() {
        let here = InseeCode::parse("38001").unwrap();
        let d = t2(&[DwellingNeed::RezDeChaussee, DwellingNeed::AnimalDeCompagnie]);
        let f = fit(&d, 3, &[DwellingNeed::AnimalDeCompagnie], Some(ResourcesBand::De1000a1500), Some(&here));
        assert!(f.fits() && f.same_commune);
        assert_eq!(f.effort, Some(36), "450 of 1 250 €");
        assert!(!fit(&d, 4, &[], None, None).fits(), "four persons in a T2");
        let f = fit(&d, 1, &[DwellingNeed::Accessible, DwellingNeed::Ascenseur], None, None);
        assert_eq!(f.unmet, [DwellingNeed::Accessible], "a ground floor stands for a lift, not for accessibility");
        assert_eq!(f.effort, None);
        assert!(!fit(&t2(&[]), 1, &[DwellingNeed::RezDeChaussee], None, None).fits());
        // a T5 and more takes any large family, not a person alone
        let big = Dwelling::parse("38001", "5", "900", &[], "2026-12-15").unwrap();
        assert!(fit(&big, 9, &[], None, None).fits() && !fit(&big, 1, &[], None, None).fits());
    }

    #[test]
    fn a_bearable_rent_first_then_the_same_commune_then_the_lightest_effort() {
        let here = InseeCode::parse("38001").unwrap();
        let d = t2(&[]);
        let mut fits = [
            fit(&d, 1, &[], Some(ResourcesBand::Plus1500), None),
            fit(&d, 1, &[], None, Some(&here)),
            fit(&d, 1, &[], Some(ResourcesBand::De500a1000), Some(&here)),
        ];
        fits.sort_by_key(Fit::rank);
        assert_eq!(fits.map(|f| (f.same_commune, f.effort)), [(true, None), (false, Some(20)), (true, Some(60))]);
    }
}
