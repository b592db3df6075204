//! The small normaliser of the encodings: what a partner does to a value before hashing it.
//!
//! It is deliberately self-contained (the encodings of every partner must agree bit for bit,
//! whatever the main engine's normaliser becomes) and versioned with the scheme (`pprl-v1`).
//!
//! - upper case, accents and ligatures folded (`é` → `E`, `œ` → `OE`, `ß` → `SS`, `ș` → `S`…);
//! - a name is split into *tokens* at spaces, commas, semicolons and slashes;
//! - inside a token, hyphens, apostrophes, dots and any other non-alphanumeric character are
//!   dropped: `Jean-Pierre` → `JEANPIERRE`, `N'Diaye` → `NDIAYE`;
//! - a name is then *glued*: its tokens concatenated (`Le Goff` → `LEGOFF`, `Ben Ali` →
//!   `BENALI`), so that particles glued or split, hyphens turned into spaces or lost, and
//!   apostrophes all give the same string.

/// Folds one character to upper-case ASCII letters or digits, or nothing (separator).
fn fold(c: char, out: &mut String) {
    let lower: &str = match c {
        'a'..='z' | '0'..='9' => {
            out.push(c.to_ascii_uppercase());
            return;
        }
        'A'..='Z' => {
            out.push(c);
            return;
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
        'ķ' | 'Ķ' => "K",
        'ł' | 'ľ' | 'ĺ' | 'ļ' | 'Ł' | 'Ľ' | 'Ĺ' | 'Ļ' => "L",
        'ñ' | 'ń' | 'ň' | 'ņ' | 'Ñ' | 'Ń' | 'Ň' | 'Ņ' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => {
            "O"
        }
        'œ' | 'Œ' => "OE",
        'ř' | 'ŕ' | 'Ř' | 'Ŕ' => "R",
        'ś' | 'š' | 'ş' | 'ș' | 'Ś' | 'Š' | 'Ş' | 'Ș' => "S",
        'ß' => "SS",
        'ť' | 'ţ' | 'ț' | 'Ť' | 'Ţ' | 'Ț' => "T",
        'þ' | 'Þ' => "TH",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => {
            "U"
        }
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "Y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "Z",
        _ => "",
    };
    out.push_str(lower);
}

/// Whether `c` separates two tokens of a name (as opposed to being dropped inside a token).
fn is_token_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | ';' | '/' | '|')
}

/// The tokens of a name: `" Jean-Pierre  Marie "` → `["JEANPIERRE", "MARIE"]`.
pub fn tokens(value: &str) -> Vec<String> {
    value
        .split(is_token_separator)
        .map(|t| {
            let mut out = String::with_capacity(t.len());
            t.chars().for_each(|c| fold(c, &mut out));
            out
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// The glued form of a name: its tokens concatenated (`"Le Goff"` → `"LEGOFF"`); empty when the
/// name has no letter or digit.
pub fn glued(value: &str) -> String {
    tokens(value).concat()
}

/// Words that join a used and a birth family name, and whether the birth name comes after:
/// `Martin née Dupont`, `Dupont épouse Martin`. The same words as the main engine's, kept here
/// on purpose: the encodings must not change when the main normaliser does (module docs).
const MARKERS: &[(&str, bool)] = &[
    ("NEE", true),
    ("NE", true),
    ("EPOUSE", false),
    ("EP", false),
    ("VEUVE", false),
    ("VVE", false),
    ("DIVORCEE", false),
];

/// A family-name value split into the used name and the birth name when it carries both:
/// `"Martin née Dupont"` and `"Dupont épouse Martin"` → `("Martin", Some("Dupont"))`. The
/// parts are the value's own words, joined by spaces.
pub fn split_family(value: &str) -> (String, Option<String>) {
    let words: Vec<&str> = value.split(is_token_separator).filter(|w| !glued(w).is_empty()).collect();
    for i in 1..words.len().saturating_sub(1) {
        if let Some((_, birth_after)) = MARKERS.iter().find(|(m, _)| glued(words[i]) == *m) {
            let (before, after) = (words[..i].join(" "), words[i + 1..].join(" "));
            return if *birth_after { (before, Some(after)) } else { (after, Some(before)) };
        }
    }
    (value.to_string(), None)
}

/// The first token of a name (the first given name: `"Fatou Aminata"` → `"FATOU"`).
pub fn first_token(value: &str) -> Option<String> {
    tokens(value).into_iter().next()
}

/// The padded q-grams of a glued value: `("SOW", 2)` → `_S SO OW W_`. Duplicates are kept
/// once (a Bloom filter is a set); the order is the order of first appearance.
pub fn qgrams(glued: &str, q: usize) -> Vec<String> {
    if glued.is_empty() || q == 0 {
        return Vec::new();
    }
    let pad = "_".repeat(q - 1);
    let padded: Vec<char> = format!("{pad}{glued}{pad}").chars().collect();
    let mut out: Vec<String> = Vec::with_capacity(padded.len());
    for w in padded.windows(q) {
        let g: String = w.iter().collect();
        if !out.contains(&g) {
            out.push(g);
        }
    }
    out
}
