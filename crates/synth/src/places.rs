//! The fictional métropole: its communes and partner organisations.

use domain::org::OrgKind;
use domain::territory::InseeCode;

use crate::draw::{weighted, R};
use crate::{SynthCommune, SynthOrg};

pub(crate) const TERRITORY_NAME: &str = "Métropole de Val-de-Loue";

/// Département part of the INSEE codes and SIAO numbers. Codes 699xx are not used by any real
/// commune of the Rhône, so synthetic data can never be mistaken for a real place.
pub(crate) const DEPARTEMENT: &str = "69";

/// Fictional communes with their share of the homeless population (the central city
/// concentrates services, hence people).
const COMMUNES: &[(&str, u32)] = &[
    ("Loue-la-Ville", 40),
    ("Saint-Andéol-sur-Loue", 8),
    ("Vaux-les-Prés-Hauts", 6),
    ("Brémont-la-Côte", 5),
    ("Montferrand-sur-Loue", 5),
    ("Les Aubiers-Neufs", 4),
    ("Villeneuve-des-Saules", 4),
    ("Saint-Clair-des-Ormes", 3),
    ("Varennes-la-Loue", 3),
    ("Chaumont-les-Vignes", 3),
    ("Les Granges-Neuves", 2),
    ("Sauveterre-la-Plaine", 2),
    ("Bellerive-sur-Loue", 3),
    ("Moulins-les-Bois", 2),
    ("Fontaine-Loue", 2),
    ("Le Pontet-Vert", 2),
    ("Marcilly-les-Fours", 1),
    ("Rochebrune-la-Basse", 2),
    ("Saint-Vérand-d'Orgelet", 1),
    ("Champvert-sur-Loue", 2),
];

pub(crate) fn communes() -> Vec<SynthCommune> {
    COMMUNES
        .iter()
        .enumerate()
        .map(|(i, (name, _))| SynthCommune { insee: insee(i), name: (*name).to_string() })
        .collect()
}

fn insee(commune: usize) -> InseeCode {
    InseeCode::parse(&format!("{DEPARTEMENT}9{:02}", commune + 1)).expect("synthetic INSEE codes are valid")
}

/// A commune index, weighted by population.
pub(crate) fn draw_commune(rng: &mut R) -> usize {
    let weights: [(usize, u32); COMMUNES.len()] = std::array::from_fn(|i| (i, COMMUNES[i].1));
    weighted(rng, &weights)
}

/// Organisations, by index into `Territory::organisations`: the generator needs to know which
/// one plays which part (street team, shelter, landlord…), not only its kind.
pub(crate) mod org {
    pub const SIAO: usize = 0;
    pub const METROPOLE: usize = 1;
    pub const DDETS: usize = 2;
    /// CCAS, each in the commune of the same position in [`super::CCAS_COMMUNES`].
    pub const CCAS: [usize; 4] = [3, 4, 5, 6];
    pub const MARAUDE: usize = 7;
    pub const ACCUEIL_DE_JOUR: usize = 8;
    pub const ACCOMPAGNEMENT: usize = 9;
    pub const ACCUEIL_FEMMES: usize = 10;
    pub const SANTE_PRECARITE: usize = 11;
    pub const SHELTERS: [usize; 2] = [12, 13];
    pub const AIS: usize = 14;
    pub const BAILLEURS: [usize; 2] = [15, 16];
}

/// Communes (indices into `COMMUNES`) that have a CCAS of their own in the partnership.
pub(crate) const CCAS_COMMUNES: [usize; 4] = [0, 1, 2, 4];

pub(crate) fn organisations() -> Vec<SynthOrg> {
    let o = |name: &str, kind, commune: usize| SynthOrg { name: name.to_string(), kind, commune: insee(commune) };
    use OrgKind::*;
    vec![
        o("SIAO de Val-de-Loue", Siao, 0),
        o("Métropole de Val-de-Loue – Direction de l'habitat", Metropole, 0),
        o("DDETS de Val-de-Loue", ServiceEtat, 0),
        o("CCAS de Loue-la-Ville", Ccas, CCAS_COMMUNES[0]),
        o("CCAS de Saint-Andéol-sur-Loue", Ccas, CCAS_COMMUNES[1]),
        o("CCAS de Vaux-les-Prés-Hauts", Ccas, CCAS_COMMUNES[2]),
        o("CCAS de Montferrand-sur-Loue", Ccas, CCAS_COMMUNES[3]),
        o("Équipe mobile Horizon (maraude)", Association, 0),
        o("La Passerelle – accueil de jour", Association, 0),
        o("Relais Loue Solidarité", Association, 1),
        o("Escale Femmes Val-de-Loue", Association, 0),
        o("Collectif Santé Précarité", Association, 2),
        o("Association Les Tilleuls – hébergement", GestionnaireHebergement, 0),
        o("Habitat et Insertion Val-de-Loue", GestionnaireHebergement, 3),
        o("AIS Loue Habitat Solidaire", AgenceImmobiliereSociale, 0),
        o("Loue Métropole Habitat", BailleurSocial, 0),
        o("SA HLM Les Coteaux", BailleurSocial, 5),
    ]
}

/// The CCAS of a commune, when it has one in the partnership.
pub(crate) fn ccas_of(commune: usize) -> Option<usize> {
    CCAS_COMMUNES.iter().position(|&c| c == commune).map(|i| org::CCAS[i])
}
