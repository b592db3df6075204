//! Normalisation of French (and other) person names.
//!
//! A name is folded to upper-case ASCII words: accents and ligatures are folded (`Hélène` →
//! `HELENE`, `Œ` → `OE`), every separator (space, hyphen, apostrophe, dot…) becomes one space, and
//! anything that is not a letter is dropped. From that normal form the comparators use:
//!
//! - the **compact** form, without any separator: `Jean-Pierre`, `Jean Pierre` and `Jeanpierre`
//!   all give `JEANPIERRE`; `Le Goff` and `Legoff` give `LEGOFF`; `N'Diaye`, `N Diaye` and
//!   `Ndiaye` give `NDIAYE`;
//! - the **core** form, the compact form without leading particles (`de`, `du`, `le`, `d'`,
//!   `van`, `el`, `ben`…): `Da Silva` → `SILVA`, `D'Almeida` → `ALMEIDA`;
//! - the **words**, so that `Fatou Aminata` can be recognised in `Fatou` (a second given name
//!   left out) and `Bernard-Roux` in `Bernard` (one half of a double surname);
//! - for a family name, the **birth and used names** when the value says so: `Martin née
//!   Dupont`, `Dupont épouse Martin`, `Dupont ép. Martin`, `Martin veuve Durand`.
//!
//! Every function here is idempotent and insensitive to case and accents (property-tested).

/// Leading words dropped from the core form of a family name.
pub const PARTICLES: &[&str] = &[
    "DE", "DU", "DES", "D", "LE", "LA", "LES", "L", "VAN", "VON", "DER", "DEN", "DA", "DAS", "DOS", "DI", "DEL",
    "DELLA", "DELLE", "EL", "AL", "BEN", "IBN", "BOU", "AIT", "MAC", "MC", "O", "ST", "SAINT", "SAINTE",
];

/// Words that separate a used name from a birth name inside one family-name value.
/// `true`: the name after the marker is the birth name (`née`); `false`: the name before it is
/// (`épouse`, `veuve`, `divorcée`).
const MARKERS: &[(&str, bool)] = &[
    ("NEE", true),
    ("NE", true),
    ("EPOUSE", false),
    ("EP", false),
    ("VEUVE", false),
    ("VVE", false),
    ("DIVORCEE", false),
];

/// Folds one character to ASCII upper case; returns the folded text to append (`Œ` → `OE`),
/// `Some("")` for characters to drop (combining accents), `None` for a separator.
fn fold_char(c: char, out: &mut String, keep_digits: bool) -> bool {
    let s: &str = match c {
        '0'..='9' if keep_digits => {
            out.push(c);
            return true;
        }
        'a'..='z' => {
            out.push(c.to_ascii_uppercase());
            return true;
        }
        'A'..='Z' => {
            out.push(c);
            return true;
        }
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => {
            "A"
        }
        'æ' | 'Æ' => "AE",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' | 'Ç' | 'Ć' | 'Č' | 'Ĉ' | 'Ċ' => "C",
        'ď' | 'đ' | 'Ď' | 'Đ' | 'ð' | 'Ð' => "D",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => {
            "E"
        }
        'ğ' | 'ģ' | 'Ğ' | 'Ģ' => "G",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => "I",
        'ł' | 'ľ' | 'ĺ' | 'ļ' | 'Ł' | 'Ľ' | 'Ĺ' | 'Ļ' => "L",
        'ñ' | 'ń' | 'ň' | 'ņ' | 'Ñ' | 'Ń' | 'Ň' | 'Ņ' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => {
            "O"
        }
        'œ' | 'Œ' => "OE",
        'ŕ' | 'ř' | 'Ŕ' | 'Ř' => "R",
        'ś' | 'š' | 'ş' | 'ș' | 'Ś' | 'Š' | 'Ş' | 'Ș' => "S",
        'ß' | 'ẞ' => "SS",
        'ť' | 'ţ' | 'ț' | 'Ť' | 'Ţ' | 'Ț' => "T",
        'þ' | 'Þ' => "TH",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => {
            "U"
        }
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "Y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "Z",
        // combining diacritical marks (decomposed input): dropped
        '\u{0300}'..='\u{036f}' => "",
        c if c.is_alphabetic() => {
            // other scripts are kept as they are, upper-cased, without combining marks
            out.extend(c.to_uppercase().filter(|u| u.is_alphabetic() && !('\u{0300}'..='\u{036f}').contains(u)));
            return true;
        }
        // digits, punctuation, separators, apostrophes, hyphens: all separators
        _ => return false,
    };
    out.push_str(s);
    true
}

/// Folds text to upper-case ASCII words separated by single spaces (see the module docs).
/// `fold("  d'Almeida--Hélène ")` is `"D ALMEIDA HELENE"`.
pub fn fold(text: &str) -> String {
    fold_with(text, false)
}

/// Like [`fold`], keeping digits (addresses, codes).
pub fn fold_text(text: &str) -> String {
    fold_with(text, true)
}

/// A place name: as [`fold_text`], with `ST`/`STE` written out (`St-Étienne` → `SAINT ETIENNE`).
pub fn fold_place(text: &str) -> String {
    let folded = fold_text(text);
    let mut out = String::with_capacity(folded.len() + 8);
    for w in folded.split(' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(match w {
            "ST" => "SAINT",
            "STE" => "SAINTE",
            w => w,
        });
    }
    out
}

/// A code: folded letters and digits without any separator (`75 001` → `75001`, `2a` → `2A`).
pub fn fold_code(text: &str) -> String {
    let mut s = fold_with(text, true);
    s.retain(|c| c != ' ');
    s
}

/// A sex: `M` (`M`, `H`, `homme`, `masculin`, `male`, `1`), `F` (`F`, `femme`, `féminin`,
/// `female`, `2`), otherwise empty: `X`, `inconnu`, `9`… carry no evidence for linkage.
pub fn fold_sex(text: &str) -> String {
    let code = fold_code(text);
    match code.as_str() {
        "M" | "H" | "HOMME" | "MASCULIN" | "MALE" | "MAN" | "1" => "M".into(),
        "F" | "FEMME" | "FEMININ" | "FEMALE" | "WOMAN" | "2" => "F".into(),
        _ => String::new(),
    }
}

fn fold_with(text: &str, keep_digits: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        let before = out.len();
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        let with_space = out.len();
        if fold_char(c, &mut out, keep_digits) {
            if out.len() == with_space {
                // a dropped character (combining mark): undo the space, keep waiting
                out.truncate(before);
            } else {
                pending_space = false;
            }
        } else {
            out.truncate(before);
            pending_space = true;
        }
    }
    out
}

/// The words of an already folded name.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(' ').filter(|w| !w.is_empty())
}

/// The compact form: folded, without separators (`Jean-Pierre` → `JEANPIERRE`).
pub fn compact(text: &str) -> String {
    let mut s = fold(text);
    s.retain(|c| c != ' ');
    s
}

/// The compact form without leading particles (`D'Almeida` → `ALMEIDA`, `Le Goff` → `GOFF`);
/// the compact form when nothing would be left.
pub fn core(text: &str) -> String {
    let folded = fold(text);
    let ws: Vec<&str> = words(&folded).collect();
    let skip = ws.iter().take_while(|w| PARTICLES.contains(w)).count();
    if skip >= ws.len() {
        ws.concat()
    } else {
        ws[skip..].concat()
    }
}

/// A family-name value split into the used name and the birth name when it carries both
/// (`Martin née Dupont`: used `MARTIN`, birth `DUPONT`), folded. `birth` is `None` otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyNames {
    pub used: String,
    pub birth: Option<String>,
}

/// Splits a family-name value on `née`, `épouse`, `ép.`, `veuve`… (see [`FamilyNames`]).
pub fn family_names(text: &str) -> FamilyNames {
    let folded = fold(text);
    if !folded.contains(' ') {
        return FamilyNames { used: folded, birth: None };
    }
    let ws: Vec<&str> = words(&folded).collect();
    for (i, w) in ws.iter().enumerate() {
        if i == 0 || i + 1 >= ws.len() {
            continue;
        }
        if let Some((_, after_is_birth)) = MARKERS.iter().find(|(m, _)| m == w) {
            let before = ws[..i].join(" ");
            let after = ws[i + 1..].join(" ");
            return if *after_is_birth {
                FamilyNames { used: before, birth: Some(after) }
            } else {
                FamilyNames { used: after, birth: Some(before) }
            };
        }
    }
    FamilyNames { used: folded, birth: None }
}

/// Whether a single letter, a particle or nothing: such values carry no identity (`X`, `NC`).
pub fn is_placeholder(folded: &str) -> bool {
    matches!(folded, "" | "X" | "XX" | "XXX" | "NC" | "NR" | "INCONNU" | "INCONNUE" | "ND" | "NEANT" | "SANS")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_accents_case_and_separators() {
        assert_eq!(fold("  d'Almeida--Hélène "), "D ALMEIDA HELENE");
        assert_eq!(fold("N’Diaye"), "N DIAYE");
        assert_eq!(fold("Œillet Ærø"), "OEILLET AERO");
        assert_eq!(fold("Jean-Pierre"), "JEAN PIERRE");
        assert_eq!(fold("jean   pierre"), "JEAN PIERRE");
        assert_eq!(fold("Cissé"), "CISSE");
        assert_eq!(fold("Benaïssa"), "BENAISSA");
        // decomposed accents (NFD) fold like composed ones
        assert_eq!(fold("He\u{301}le\u{300}ne"), "HELENE");
        assert_eq!(fold("Saïd 2"), "SAID");
        assert_eq!(fold_text("12 bis, rue de l'Église"), "12 BIS RUE DE L EGLISE");
        assert_eq!(fold_code(" 75 001 "), "75001");
        assert_eq!(fold_sex("Femme"), "F");
        assert_eq!(fold_sex("h"), "M");
        assert_eq!(fold_sex("X"), "", "unknown sex is missing");
        for v in ["Saint-Étienne", "St-Etienne", "ST ETIENNE", "saint etienne"] {
            assert_eq!(fold_place(v), "SAINT ETIENNE", "{v}");
        }
        assert_eq!(fold_place("Ste-Foy-lès-Lyon"), "SAINTE FOY LES LYON");
        assert_eq!(fold_place("Stains"), "STAINS", "only the whole word");
    }

    #[test]
    fn compact_joins_compound_names_and_particles() {
        for v in ["Jean-Pierre", "Jean Pierre", "Jeanpierre", "JEAN-PIERRE", "jean_pierre"] {
            assert_eq!(compact(v), "JEANPIERRE", "{v}");
        }
        for v in ["Le Goff", "Legoff", "LE GOFF", "le-goff"] {
            assert_eq!(compact(v), "LEGOFF", "{v}");
        }
        for v in ["N'Diaye", "N Diaye", "Ndiaye", "N’DIAYE"] {
            assert_eq!(compact(v), "NDIAYE", "{v}");
        }
    }

    #[test]
    fn core_drops_leading_particles() {
        assert_eq!(core("D'Almeida"), "ALMEIDA");
        assert_eq!(core("Da Silva"), "SILVA");
        assert_eq!(core("de la Fontaine"), "FONTAINE");
        assert_eq!(core("Van der Berg"), "BERG");
        assert_eq!(core("Le"), "LE");
        assert_eq!(core("N'Diaye"), "NDIAYE", "N is not a particle");
    }

    #[test]
    fn splits_birth_and_used_names() {
        assert_eq!(
            family_names("Martin née Dupont"),
            FamilyNames { used: "MARTIN".into(), birth: Some("DUPONT".into()) }
        );
        assert_eq!(
            family_names("DUPONT épouse MARTIN"),
            FamilyNames { used: "MARTIN".into(), birth: Some("DUPONT".into()) }
        );
        assert_eq!(
            family_names("Dupont ép. Le Goff"),
            FamilyNames { used: "LE GOFF".into(), birth: Some("DUPONT".into()) }
        );
        assert_eq!(family_names("Née"), FamilyNames { used: "NEE".into(), birth: None });
    }

    fn accent_variants(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                'e' => 'é',
                'a' => 'à',
                'c' => 'ç',
                'i' => 'ï',
                'o' => 'ô',
                'u' => 'ù',
                'E' => 'È',
                _ => c,
            })
            .collect()
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,30}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert_eq!(compact(&compact(&s)), compact(&s));
            prop_assert_eq!(core(&core(&s)), core(&s));
        }

        #[test]
        fn fold_is_case_and_accent_insensitive(s in "[a-zA-Z' -]{0,24}") {
            prop_assert_eq!(fold(&s.to_uppercase()), fold(&s.to_lowercase()));
            prop_assert_eq!(fold(&accent_variants(&s)), fold(&s));
            prop_assert_eq!(compact(&accent_variants(&s.to_lowercase())), compact(&s.to_uppercase()));
        }

        #[test]
        fn folded_text_is_ascii_words(s in "[a-zA-Zéèàçœ' -]{0,24}") {
            let f = fold(&s);
            prop_assert!(f.bytes().all(|b| b.is_ascii_uppercase() || b == b' '));
            prop_assert!(!f.starts_with(' ') && !f.ends_with(' ') && !f.contains("  "));
        }
    }
}
