//! The tenancy summary (DOMAIN.md §5, landlord tier): what a landlord may see of a household it
//! is offered, with the household's agreement — composition, a resources band and the dwelling's
//! needs. Never the social file.

use crate::InvalidInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourcesBand {
    Moins500,
    De500a1000,
    De1000a1500,
    Plus1500,
}

impl ResourcesBand {
    pub const ALL: [ResourcesBand; 4] = [Self::Moins500, Self::De500a1000, Self::De1000a1500, Self::Plus1500];

    pub fn code(self) -> &'static str {
        match self {
            Self::Moins500 => "moins-500",
            Self::De500a1000 => "500-1000",
            Self::De1000a1500 => "1000-1500",
            Self::Plus1500 => "plus-1500",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Moins500 => "Moins de 500 € par mois",
            Self::De500a1000 => "De 500 à 1 000 € par mois",
            Self::De1000a1500 => "De 1 000 à 1 500 € par mois",
            Self::Plus1500 => "Plus de 1 500 € par mois",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|b| b.code() == code)
            .ok_or_else(|| InvalidInput::new("ressources", "tranche inconnue"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DwellingNeed {
    RezDeChaussee,
    Accessible,
    Ascenseur,
    AnimalDeCompagnie,
    ProcheTransports,
}

impl DwellingNeed {
    pub const ALL: [DwellingNeed; 5] =
        [Self::RezDeChaussee, Self::Accessible, Self::Ascenseur, Self::AnimalDeCompagnie, Self::ProcheTransports];

    pub fn code(self) -> &'static str {
        match self {
            Self::RezDeChaussee => "rdc",
            Self::Accessible => "pmr",
            Self::Ascenseur => "ascenseur",
            Self::AnimalDeCompagnie => "animal",
            Self::ProcheTransports => "transports",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::RezDeChaussee => "Rez-de-chaussée",
            Self::Accessible => "Logement accessible (personne à mobilité réduite)",
            Self::Ascenseur => "Ascenseur",
            Self::AnimalDeCompagnie => "Animal de compagnie",
            Self::ProcheTransports => "Proche des transports en commun",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|n| n.code() == code)
            .ok_or_else(|| InvalidInput::new("besoins du logement", "inconnu"))
    }

    pub fn encode(needs: &[DwellingNeed]) -> String {
        let mut v = needs.to_vec();
        v.sort();
        v.dedup();
        v.iter().map(|n| n.code()).collect::<Vec<_>>().join(",")
    }

    pub fn decode(s: &str) -> Result<Vec<DwellingNeed>, InvalidInput> {
        s.split(',').filter(|c| !c.is_empty()).map(Self::parse).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for b in ResourcesBand::ALL {
            assert_eq!(ResourcesBand::parse(b.code()), Ok(b));
        }
        let v = vec![DwellingNeed::Ascenseur, DwellingNeed::RezDeChaussee, DwellingNeed::Ascenseur];
        assert_eq!(
            DwellingNeed::decode(&DwellingNeed::encode(&v)).unwrap(),
            vec![DwellingNeed::RezDeChaussee, DwellingNeed::Ascenseur]
        );
    }
}
