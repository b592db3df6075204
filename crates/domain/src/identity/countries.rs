//! Countries of birth: INSEE's codes of the Code officiel géographique (`99` then the
//! continent and the country), with their usual French names. France is `99100`; a person born
//! in an overseas département is born in France. Only states that exist today are listed (the
//! COG also keeps former ones for old records): a partner picks the country as the person names
//! it today.

/// (code, French name), in the alphabetical order of the names; France first.
#[rustfmt::skip]
pub const COUNTRIES: &[(&str, &str)] = &[
    ("99100", "France"),
    ("99212", "Afghanistan"), ("99303", "Afrique du Sud"), ("99125", "Albanie"), ("99352", "Algérie"),
    ("99109", "Allemagne"), ("99130", "Andorre"), ("99395", "Angola"), ("99441", "Antigua-et-Barbuda"),
    ("99201", "Arabie saoudite"), ("99415", "Argentine"), ("99252", "Arménie"), ("99501", "Australie"),
    ("99110", "Autriche"), ("99253", "Azerbaïdjan"), ("99436", "Bahamas"), ("99249", "Bahreïn"),
    ("99246", "Bangladesh"), ("99434", "Barbade"), ("99131", "Belgique"), ("99429", "Belize"),
    ("99327", "Bénin"), ("99214", "Bhoutan"), ("99148", "Biélorussie"), ("99224", "Birmanie"),
    ("99418", "Bolivie"), ("99118", "Bosnie-Herzégovine"), ("99347", "Botswana"), ("99416", "Brésil"),
    ("99225", "Brunei"), ("99111", "Bulgarie"), ("99331", "Burkina Faso"), ("99321", "Burundi"),
    ("99234", "Cambodge"), ("99322", "Cameroun"), ("99401", "Canada"), ("99396", "Cap-Vert"),
    ("99323", "Centrafrique"), ("99417", "Chili"), ("99216", "Chine"), ("99254", "Chypre"),
    ("99419", "Colombie"), ("99397", "Comores"), ("99324", "Congo"), ("99312", "Congo (République démocratique)"),
    ("99239", "Corée du Sud"), ("99238", "Corée du Nord"), ("99406", "Costa Rica"), ("99326", "Côte d'Ivoire"),
    ("99119", "Croatie"), ("99407", "Cuba"), ("99101", "Danemark"), ("99399", "Djibouti"),
    ("99408", "Dominicaine (République)"), ("99438", "Dominique"), ("99301", "Égypte"),
    ("99247", "Émirats arabes unis"), ("99420", "Équateur"), ("99317", "Érythrée"), ("99134", "Espagne"),
    ("99106", "Estonie"), ("99391", "Eswatini"), ("99404", "États-Unis"), ("99315", "Éthiopie"),
    ("99508", "Fidji"), ("99105", "Finlande"), ("99328", "Gabon"), ("99304", "Gambie"),
    ("99255", "Géorgie"), ("99329", "Ghana"), ("99126", "Grèce"), ("99435", "Grenade"),
    ("99409", "Guatemala"), ("99330", "Guinée"), ("99314", "Guinée équatoriale"), ("99392", "Guinée-Bissau"),
    ("99428", "Guyana"), ("99410", "Haïti"), ("99411", "Honduras"), ("99112", "Hongrie"),
    ("99223", "Inde"), ("99231", "Indonésie"), ("99203", "Irak"), ("99204", "Iran"),
    ("99136", "Irlande"), ("99102", "Islande"), ("99207", "Israël"), ("99127", "Italie"),
    ("99426", "Jamaïque"), ("99217", "Japon"), ("99222", "Jordanie"), ("99256", "Kazakhstan"),
    ("99332", "Kenya"), ("99257", "Kirghizistan"), ("99513", "Kiribati"), ("99157", "Kosovo"),
    ("99240", "Koweït"), ("99241", "Laos"), ("99348", "Lesotho"), ("99107", "Lettonie"),
    ("99205", "Liban"), ("99302", "Liberia"), ("99316", "Libye"), ("99113", "Liechtenstein"),
    ("99108", "Lituanie"), ("99137", "Luxembourg"), ("99156", "Macédoine du Nord"), ("99333", "Madagascar"),
    ("99227", "Malaisie"), ("99334", "Malawi"), ("99229", "Maldives"), ("99335", "Mali"),
    ("99144", "Malte"), ("99350", "Maroc"), ("99515", "Marshall (Îles)"), ("99390", "Maurice"),
    ("99336", "Mauritanie"), ("99405", "Mexique"), ("99516", "Micronésie"), ("99151", "Moldavie"),
    ("99138", "Monaco"), ("99242", "Mongolie"), ("99120", "Monténégro"), ("99393", "Mozambique"),
    ("99311", "Namibie"), ("99507", "Nauru"), ("99215", "Népal"), ("99412", "Nicaragua"),
    ("99337", "Niger"), ("99338", "Nigeria"), ("99103", "Norvège"), ("99502", "Nouvelle-Zélande"),
    ("99250", "Oman"), ("99339", "Ouganda"), ("99258", "Ouzbékistan"), ("99213", "Pakistan"),
    ("99517", "Palaos"), ("99261", "Palestine"), ("99413", "Panama"), ("99510", "Papouasie-Nouvelle-Guinée"),
    ("99421", "Paraguay"), ("99135", "Pays-Bas"), ("99422", "Pérou"), ("99220", "Philippines"),
    ("99122", "Pologne"), ("99139", "Portugal"), ("99248", "Qatar"), ("99114", "Roumanie"),
    ("99132", "Royaume-Uni"), ("99123", "Russie"), ("99340", "Rwanda"), ("99442", "Saint-Christophe-et-Niévès"),
    ("99128", "Saint-Marin"), ("99440", "Saint-Vincent-et-les-Grenadines"), ("99439", "Sainte-Lucie"),
    ("99512", "Salomon (Îles)"), ("99414", "Salvador"), ("99506", "Samoa"), ("99394", "Sao Tomé-et-Principe"),
    ("99341", "Sénégal"), ("99121", "Serbie"), ("99398", "Seychelles"), ("99342", "Sierra Leone"),
    ("99226", "Singapour"), ("99117", "Slovaquie"), ("99145", "Slovénie"), ("99318", "Somalie"),
    ("99343", "Soudan"), ("99349", "Soudan du Sud"), ("99235", "Sri Lanka"), ("99104", "Suède"),
    ("99140", "Suisse"), ("99437", "Suriname"), ("99206", "Syrie"), ("99259", "Tadjikistan"),
    ("99236", "Taïwan"), ("99309", "Tanzanie"), ("99344", "Tchad"), ("99116", "Tchéquie"),
    ("99219", "Thaïlande"), ("99262", "Timor oriental"), ("99345", "Togo"), ("99509", "Tonga"),
    ("99433", "Trinité-et-Tobago"), ("99351", "Tunisie"), ("99260", "Turkménistan"), ("99208", "Turquie"),
    ("99511", "Tuvalu"), ("99155", "Ukraine"), ("99423", "Uruguay"), ("99514", "Vanuatu"),
    ("99129", "Vatican"), ("99424", "Venezuela"), ("99243", "Viêt Nam"), ("99251", "Yémen"),
    ("99346", "Zambie"), ("99310", "Zimbabwe"),
];

/// The French name of a country code, if it is one of [`COUNTRIES`].
pub fn label_of(code: &str) -> Option<&'static str> {
    COUNTRIES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut codes: Vec<&str> = COUNTRIES.iter().map(|(c, _)| *c).collect();
        assert!(codes.iter().all(|c| c.len() == 5 && c.starts_with("99") && c.bytes().all(|b| b.is_ascii_digit())));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), COUNTRIES.len());
        assert_eq!(COUNTRIES[0], ("99100", "France"));
        assert_eq!(label_of("99350"), Some("Maroc"));
        assert_eq!(label_of("99330"), Some("Guinée"));
        assert_eq!(label_of("99999"), None);
        assert!(COUNTRIES.len() > 180, "{}", COUNTRIES.len());
    }
}
