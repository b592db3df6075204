//! Birth places of synthetic persons: a country (its code in INSEE's Code officiel géographique,
//! `99100` for France, `99xxx` abroad) and a commune of birth, written as partners write it.
//!
//! What makes the field realistic for linkage is how namesakes share it: a family name carries
//! an origin, and persons of one origin are mostly born in its few countries (two Diallo are
//! often both born in Guinea), each name having a home country of its own; those born in France
//! are born where the maternity wards are (the central city, the large cities). Country codes
//! are INSEE's public codes; communes outside the territory are big French cities or invented
//! names. Nothing here designates anybody.

use rand::Rng;

use crate::draw::{pick, weighted, R};

/// INSEE code of France in the country list.
pub(crate) const FRANCE: &str = "99100";

/// Where a family name comes from, as far as birth places go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    France,
    Iberia,
    WestAfrica,
    Maghreb,
    EasternEurope,
    Caucasus,
    /// Mohamed, Ali, Ahmed: Horn of Africa, Egypt, Comoros, Afghanistan, Maghreb.
    EastAfricaMiddleEast,
    SouthEastAsia,
    Turkey,
}

#[rustfmt::skip]
const IBERIA: &[&str] = &["Garcia", "Martinez", "Lopez", "Sanchez", "Fernandez", "Da Silva", "Dos Santos", "De Sousa",
    "Ferreira", "Pereira", "Rodrigues"];
#[rustfmt::skip]
const WEST_AFRICA: &[&str] = &["N'Diaye", "Diallo", "Traoré", "Koné", "Camara", "Diop", "Sow", "Cissé", "Touré", "Keita",
    "Coulibaly", "Bamba", "Mendy", "N'Guessan", "Sylla", "Fofana", "Konaté", "Bah", "Barry", "M'Bengue", "Hamidou"];
#[rustfmt::skip]
const MAGHREB: &[&str] = &["Benali", "Benaïssa", "Bouzid", "Haddad", "Mansouri", "Belkacem", "Chérif", "Saïdi", "Khelifi",
    "El Amrani", "Ben Salah", "Boukhari", "Hamdi"];
#[rustfmt::skip]
const EASTERN_EUROPE: &[&str] = &["Popescu", "Ionescu", "Stoica", "Dumitru", "Popa", "Rusu", "Lungu", "Kowalski", "Nowak",
    "Ivanov", "Petrov", "Horváth", "Krasniqi", "Berisha"];
const CAUCASUS: &[&str] = &["Sargsyan", "Grigoryan", "Beridze"];
const EAST_AFRICA_MIDDLE_EAST: &[&str] = &["Mohamed", "Ali", "Ahmed"];
const SOUTH_EAST_ASIA: &[&str] = &["Nguyen"];
const TURKEY: &[&str] = &["Kaya", "Yilmaz"];

/// The origin of a (birth) family name; invented names and the other listed ones are French.
pub(crate) fn origin_of(family_name: &str) -> Origin {
    let groups: [(&[&str], Origin); 8] = [
        (IBERIA, Origin::Iberia),
        (WEST_AFRICA, Origin::WestAfrica),
        (MAGHREB, Origin::Maghreb),
        (EASTERN_EUROPE, Origin::EasternEurope),
        (CAUCASUS, Origin::Caucasus),
        (EAST_AFRICA_MIDDLE_EAST, Origin::EastAfricaMiddleEast),
        (SOUTH_EAST_ASIA, Origin::SouthEastAsia),
        (TURKEY, Origin::Turkey),
    ];
    groups.iter().find(|(names, _)| names.contains(&family_name)).map_or(Origin::France, |&(_, o)| o)
}

/// A country: INSEE code, French name, a few cities where people are born.
struct Country {
    code: &'static str,
    cities: &'static [&'static str],
}

const fn c(code: &'static str, cities: &'static [&'static str]) -> Country {
    Country { code, cities }
}

#[rustfmt::skip]
const COUNTRIES: &[Country] = &[
    c("99139", &["Lisbonne", "Porto", "Braga"]),                  // 0 Portugal
    c("99134", &["Madrid", "Barcelone", "Séville"]),              // 1 Espagne
    c("99416", &["São Paulo", "Rio de Janeiro"]),                 // 2 Brésil
    c("99330", &["Conakry", "Kankan", "Labé", "Nzérékoré"]),      // 3 Guinée
    c("99341", &["Dakar", "Thiès", "Saint-Louis", "Ziguinchor"]), // 4 Sénégal
    c("99335", &["Bamako", "Kayes", "Ségou"]),                    // 5 Mali
    c("99326", &["Abidjan", "Bouaké", "Daloa"]),                  // 6 Côte d'Ivoire
    c("99336", &["Nouakchott", "Kaédi"]),                         // 7 Mauritanie
    c("99304", &["Banjul", "Serrekunda"]),                        // 8 Gambie
    c("99331", &["Ouagadougou", "Bobo-Dioulasso"]),               // 9 Burkina
    c("99322", &["Douala", "Yaoundé"]),                           // 10 Cameroun
    c("99352", &["Alger", "Oran", "Constantine", "Sétif"]),       // 11 Algérie
    c("99350", &["Casablanca", "Rabat", "Fès", "Oujda"]),         // 12 Maroc
    c("99351", &["Tunis", "Sfax", "Sousse"]),                     // 13 Tunisie
    c("99114", &["Bucarest", "Constanța", "Craiova", "Iași"]),    // 14 Roumanie
    c("99122", &["Varsovie", "Cracovie"]),                        // 15 Pologne
    c("99123", &["Moscou", "Saint-Pétersbourg"]),                 // 16 Russie
    c("99112", &["Budapest", "Debrecen"]),                        // 17 Hongrie
    c("99157", &["Pristina", "Prizren"]),                         // 18 Kosovo
    c("99125", &["Tirana", "Durrës"]),                            // 19 Albanie
    c("99151", &["Chișinău"]),                                    // 20 Moldavie
    c("99155", &["Kiev", "Kharkiv", "Odessa"]),                   // 21 Ukraine
    c("99252", &["Erevan", "Gyumri"]),                            // 22 Arménie
    c("99255", &["Tbilissi", "Koutaïssi"]),                       // 23 Géorgie
    c("99343", &["Khartoum", "Nyala"]),                           // 24 Soudan
    c("99318", &["Mogadiscio"]),                                  // 25 Somalie
    c("99317", &["Asmara"]),                                      // 26 Érythrée
    c("99301", &["Le Caire", "Alexandrie"]),                      // 27 Égypte
    c("99397", &["Moroni", "Mutsamudu"]),                         // 28 Comores
    c("99212", &["Kaboul", "Hérat", "Kandahar"]),                 // 29 Afghanistan
    c("99344", &["N'Djamena"]),                                   // 30 Tchad
    c("99243", &["Hô Chi Minh-Ville", "Hanoï"]),                  // 31 Viêt Nam
    c("99234", &["Phnom Penh"]),                                  // 32 Cambodge
    c("99241", &["Vientiane"]),                                   // 33 Laos
    c("99208", &["Istanbul", "Ankara", "Kayseri"]),               // 34 Turquie
    c("99131", &["Bruxelles", "Liège"]),                          // 35 Belgique
    c("99109", &["Berlin", "Sarrebruck"]),                        // 36 Allemagne
    c("99140", &["Genève", "Lausanne"]),                          // 37 Suisse
];

/// Countries (indices into [`COUNTRIES`]) of an origin with their weights, and the share of
/// persons of that origin born abroad.
fn countries_of(origin: Origin) -> (f64, &'static [(usize, u32)]) {
    match origin {
        Origin::France => (0.05, &[(11, 30), (12, 20), (35, 20), (36, 15), (37, 15)]),
        Origin::Iberia => (0.45, &[(0, 60), (1, 30), (2, 10)]),
        Origin::WestAfrica => (0.8, &[(3, 25), (4, 20), (5, 20), (6, 15), (7, 5), (8, 5), (9, 5), (10, 5)]),
        Origin::Maghreb => (0.6, &[(11, 45), (12, 35), (13, 20)]),
        Origin::EasternEurope => (0.9, &[(14, 35), (15, 10), (16, 10), (17, 5), (18, 10), (19, 10), (20, 5), (21, 15)]),
        Origin::Caucasus => (0.9, &[(22, 55), (23, 45)]),
        Origin::EastAfricaMiddleEast => {
            (0.85, &[(24, 20), (25, 10), (26, 10), (27, 10), (28, 15), (29, 10), (11, 10), (12, 10), (30, 5)])
        }
        Origin::SouthEastAsia => (0.5, &[(31, 80), (32, 10), (33, 10)]),
        Origin::Turkey => (0.6, &[(34, 100)]),
    }
}

/// Big French cities where many are born (maternity wards), most frequent first.
#[rustfmt::skip]
const FRENCH_CITIES: &[&str] = &[
    "Paris", "Marseille", "Lyon", "Toulouse", "Lille", "Bordeaux", "Nantes", "Strasbourg", "Montpellier", "Rennes",
    "Saint-Étienne", "Grenoble", "Nice", "Dijon", "Clermont-Ferrand", "Le Havre", "Reims", "Rouen", "Metz", "Besançon",
];
/// Syllables of invented commune names (`Saint-` + onset + ending, or onset + ending + `-sur-` + river).
const TOWN_ONSETS: &[&str] =
    &["Mont", "Ville", "Beau", "Char", "Roche", "Font", "Ber", "Chat", "Mar", "Vau", "Sau", "Cour"];
const TOWN_ENDINGS: &[&str] =
    &["bert", "ville", "lieu", "mont", "ais", "enay", "ignac", "euil", "ières", "ange", "oux"];
const RIVERS: &[&str] = &["Loire", "Seine", "Marne", "Saône", "Garonne", "Dordogne", "Meuse", "Rhône", "Lot", "Oise"];

/// A person's true birth place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BirthPlace {
    /// INSEE country code ([`FRANCE`] when born in France).
    pub country: &'static str,
    /// The commune (or city abroad) of birth, properly written.
    pub commune: String,
}

/// The home country of a name within its origin (namesakes share it more often than chance).
fn home_country(origin: Origin, name: &str) -> usize {
    let (_, list) = countries_of(origin);
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    list[(h % list.len() as u64) as usize].0
}

/// Draws the birth place of a person of this (birth) family name; `territory` is the central
/// city of the territory, where its maternity ward is, and `others` its other communes;
/// `abroad_factor` scales the origin's share born abroad (below 1 for the children of a
/// household, born in France more often than their parents).
pub(crate) fn draw(
    rng: &mut R,
    family_name: &str,
    territory: &str,
    others: &[String],
    abroad_factor: f64,
) -> BirthPlace {
    let origin = origin_of(family_name);
    let (abroad, list) = countries_of(origin);
    if rng.gen_bool((abroad * abroad_factor).clamp(0.0, 1.0)) {
        let country = if rng.gen_bool(0.65) { home_country(origin, family_name) } else { weighted(rng, list) };
        let cities = COUNTRIES[country].cities;
        // the first city (the capital, the largest) most often
        let city = if rng.gen_bool(0.55) { cities[0] } else { *pick(rng, cities) };
        return BirthPlace { country: COUNTRIES[country].code, commune: city.to_string() };
    }
    let commune = match rng.gen_range(0..100) {
        0..=27 => territory.to_string(),
        28..=34 => pick(rng, others).clone(),
        35..=74 => {
            // Zipf over the big cities
            let weights: Vec<(usize, u32)> = (0..FRENCH_CITIES.len()).map(|i| (i, 600 / (i as u32 + 2))).collect();
            FRENCH_CITIES[weighted(rng, &weights)].to_string()
        }
        _ => invented_town(rng),
    };
    BirthPlace { country: FRANCE, commune }
}

fn invented_town(rng: &mut R) -> String {
    let base = format!("{}{}", pick(rng, TOWN_ONSETS), pick(rng, TOWN_ENDINGS));
    match rng.gen_range(0..3) {
        0 => format!("Saint-{base}"),
        1 => format!("{base}-sur-{}", pick(rng, RIVERS)),
        _ => base,
    }
}

/// Another country of the same origin as `code` (a reporter's confusion), or `code` when the
/// origin has one country.
pub(crate) fn neighbour_country(rng: &mut R, family_name: &str, code: &'static str) -> &'static str {
    let (_, list) = countries_of(origin_of(family_name));
    let others: Vec<&'static str> = list.iter().map(|&(i, _)| COUNTRIES[i].code).filter(|c| *c != code).collect();
    if others.is_empty() {
        code
    } else {
        others[rng.gen_range(0..others.len())]
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rand::SeedableRng;

    use super::*;

    #[test]
    fn origins_and_codes() {
        assert_eq!(origin_of("Diallo"), Origin::WestAfrica);
        assert_eq!(origin_of("Martin"), Origin::France);
        assert_eq!(origin_of("Roribert"), Origin::France, "invented names are French");
        for c in COUNTRIES {
            assert!(c.code != FRANCE && domain::identity::Country::parse(c.code).is_ok(), "{}", c.code);
            assert!(!c.cities.is_empty());
        }
    }

    #[test]
    fn namesakes_share_a_birth_country_more_often_than_chance() {
        let mut rng = R::seed_from_u64(7);
        let others = vec!["Vaux".to_string()];
        let mut of_name: HashMap<&str, HashMap<&str, u32>> = HashMap::new();
        for name in ["Diallo", "Camara", "Popescu", "Nowak", "Mohamed", "Martin"] {
            for _ in 0..2000 {
                let p = draw(&mut rng, name, "Loue-la-Ville", &others, 1.0);
                *of_name.entry(name).or_default().entry(p.country).or_default() += 1;
            }
        }
        // most Martin are born in France, most Diallo abroad, mostly in the name's home country
        assert!(of_name["Martin"][FRANCE] > 1800);
        let diallo = &of_name["Diallo"];
        assert!(diallo.get(FRANCE).copied().unwrap_or(0) < 600);
        let top = diallo.iter().filter(|(c, _)| **c != FRANCE).map(|(_, n)| *n).max().unwrap();
        assert!(top > 900, "{diallo:?}");
        // two names of one origin have different home countries or not, but each is concentrated
        let camara = &of_name["Camara"];
        assert!(camara.iter().filter(|(c, _)| **c != FRANCE).map(|(_, n)| *n).max().unwrap() > 900);
    }

    #[test]
    fn french_births_concentrate_where_the_maternity_wards_are() {
        let mut rng = R::seed_from_u64(8);
        let others = vec!["Vaux".to_string(), "Brémont".to_string()];
        let places: Vec<BirthPlace> =
            (0..5000).map(|_| draw(&mut rng, "Bertrand", "Loue-la-Ville", &others, 1.0)).collect();
        let french: Vec<&BirthPlace> = places.iter().filter(|p| p.country == FRANCE).collect();
        let central = french.iter().filter(|p| p.commune == "Loue-la-Ville").count() as f64 / french.len() as f64;
        assert!((0.22..0.34).contains(&central), "{central}");
        let distinct: std::collections::HashSet<&str> = french.iter().map(|p| p.commune.as_str()).collect();
        assert!(distinct.len() > 200, "a long tail of small towns: {}", distinct.len());
    }
}
