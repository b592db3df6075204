//! What the records look like: named fields of a few kinds. The engine is generic over the
//! schema; the kinds decide how a field is normalised, blocked on and compared.

use serde::{Deserialize, Serialize};

/// How a field is normalised and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Given names, possibly several and compound (`Jean-Pierre Marie`).
    GivenName,
    /// The family name in use; may carry the birth name too (`Martin née Dupont`).
    FamilyName,
    /// A birth name kept apart from the used family name: compared as an alternative of the
    /// family name, not as a field of its own.
    BirthName,
    /// ISO `YYYY-MM-DD`, `YYYYMMDD` or French `DD/MM/YYYY`; missing or invalid dates are missing.
    BirthDate,
    /// `M`/`H`/`homme`/`1`, `F`/`femme`/`2`; anything else is kept as a code.
    Sex,
    /// The country of birth as a code (INSEE's `99xxx`, `99100` for France): compared exactly.
    /// Not a blocking key (most persons share a few countries).
    BirthCountry,
    /// The commune (or city abroad) of birth as written: compared by similarity, `St` and
    /// `Saint` alike. Not a blocking key.
    BirthPlace,
    /// An exact code: postcode, INSEE commune code, state.
    Code,
    /// Free text compared by similarity: address lines, suburb.
    Text,
    /// A number compared exactly: street number.
    Number,
}

impl FieldKind {
    /// Whether a field of this kind has a comparison column of its own.
    pub fn is_compared(self) -> bool {
        self != FieldKind::BirthName
    }

    /// Whether different persons who share a name tend to share this field too (their sex,
    /// their commune, their origin): within a block of namesakes its `u` is not the random
    /// pairs'.
    pub fn shared_by_namesakes(self) -> bool {
        matches!(self, FieldKind::Sex | FieldKind::Code | FieldKind::BirthCountry | FieldKind::BirthPlace)
    }

    /// Whether the term frequencies of this field are counted among the records of each family
    /// name (the birth place goes with the origin a family name carries).
    pub fn depends_on_family_name(self) -> bool {
        matches!(self, FieldKind::BirthCountry | FieldKind::BirthPlace)
    }

    pub fn is_name(self) -> bool {
        matches!(self, FieldKind::GivenName | FieldKind::FamilyName | FieldKind::BirthName)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub kind: FieldKind,
}

impl Field {
    pub fn new(name: impl Into<String>, kind: FieldKind) -> Self {
        Self { name: name.into(), kind }
    }
}

/// The ordered fields of the records to link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub fields: Vec<Field>,
}

impl Schema {
    pub fn new(fields: Vec<Field>) -> Self {
        Self { fields }
    }

    /// The persons of the by-name list: the fields of [`Schema::parcours_core`], then the
    /// identity traits a file may lack ([`Schema::PARCOURS_OPTIONAL`]): `birth_name`,
    /// `birth_country`, `birth_commune`.
    pub fn parcours() -> Self {
        let mut s = Self::parcours_core();
        s.fields.extend([
            Field::new("birth_name", FieldKind::BirthName),
            Field::new("birth_country", FieldKind::BirthCountry),
            Field::new("birth_commune", FieldKind::BirthPlace),
        ]);
        s
    }

    /// The four fields every by-name list has, and the commune: `family_name, given_names,
    /// birth_date, sex, commune`.
    pub fn parcours_core() -> Self {
        Self::new(vec![
            Field::new("family_name", FieldKind::FamilyName),
            Field::new("given_names", FieldKind::GivenName),
            Field::new("birth_date", FieldKind::BirthDate),
            Field::new("sex", FieldKind::Sex),
            Field::new("commune", FieldKind::Code),
        ])
    }

    /// The fields of [`Schema::parcours`] a file may leave out.
    pub const PARCOURS_OPTIONAL: [&'static str; 3] = ["birth_name", "birth_country", "birth_commune"];

    /// The schema without the fields `keep` refuses (a file without those columns).
    pub fn retain(mut self, mut keep: impl FnMut(&Field) -> bool) -> Self {
        self.fields.retain(|f| keep(f));
        self
    }

    /// The FEBRL synthetic sets (without `soc_sec_id`): `given_name, surname, street_number,
    /// address_1, address_2, suburb, postcode, state, date_of_birth`.
    pub fn febrl() -> Self {
        Self::new(vec![
            Field::new("given_name", FieldKind::GivenName),
            Field::new("surname", FieldKind::FamilyName),
            Field::new("street_number", FieldKind::Number),
            Field::new("address_1", FieldKind::Text),
            Field::new("address_2", FieldKind::Text),
            Field::new("suburb", FieldKind::Text),
            Field::new("postcode", FieldKind::Code),
            Field::new("state", FieldKind::Code),
            Field::new("date_of_birth", FieldKind::BirthDate),
        ])
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The first field of a kind.
    pub fn first_of(&self, kind: FieldKind) -> Option<usize> {
        self.fields.iter().position(|f| f.kind == kind)
    }
}

/// One record: an identifier and an optional value per field of the schema, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub values: Vec<Option<String>>,
}

impl Record {
    pub fn new(id: impl Into<String>, values: Vec<Option<String>>) -> Self {
        Self { id: id.into(), values }
    }

    /// From string slices, an empty string meaning missing.
    pub fn from_strs(id: impl Into<String>, values: &[&str]) -> Self {
        Self::new(id, values.iter().map(|v| (!v.trim().is_empty()).then(|| (*v).to_string())).collect())
    }
}
