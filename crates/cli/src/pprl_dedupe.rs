//! `pprl encode --dedupe`: before encoding, the partner deduplicates its own file in clear with
//! the engine of the by-name list, at its own premises (nothing leaves it): the records found to
//! be one person share a person number in the encodings, so that the linkage unit counts them
//! once — it never compares two records of one partner.

use linkage::{Dataset, Mode, NoProgress, PipelineConfig, Record, Schema};

/// A row of the partner's file, as the engine reads it: family name, given names, birth date,
/// sex, commune and birth name (empty: missing).
pub struct Row {
    pub id: String,
    pub values: [String; 6],
}

/// Each row's person number (from 1, in the order persons first appear) and the number of
/// persons.
pub fn local_persons(rows: &[Row], with_birth_name: bool) -> anyhow::Result<(Vec<u32>, usize)> {
    let schema = Schema::parcours().retain(|f| match f.name.as_str() {
        "birth_name" => with_birth_name,
        "birth_country" | "birth_commune" => false,
        _ => true,
    });
    let width = schema.fields.len();
    let records: Vec<Record> = rows
        .iter()
        .map(|r| {
            let values = r.values.iter().take(width).map(|v| Some(v.trim().to_owned()).filter(|v| !v.is_empty()));
            Record::new(r.id.clone(), values.collect())
        })
        .collect();
    let ds = Dataset::from_records(schema, &records).map_err(|e| anyhow::anyhow!("dédoublonnage : {e}"))?;
    let outcome = linkage::run(&ds, &PipelineConfig::new(&ds, Mode::Dedupe), &NoProgress);
    let mut clusters = outcome.clusters;
    clusters.extend_to(rows.len());
    let mut numbers = std::collections::HashMap::new();
    let persons: Vec<u32> = clusters
        .assignments()
        .iter()
        .take(rows.len())
        .map(|c| {
            let next = numbers.len() as u32 + 1;
            *numbers.entry(c.0).or_insert(next)
        })
        .collect();
    Ok((persons, numbers.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, family: &str, given: &str, date: &str) -> Row {
        let values = [family, given, date, "F", "69123", ""].map(str::to_owned);
        Row { id: id.into(), values }
    }

    /// Two spellings of one invented person among a partner's 800 other records (of distinct
    /// persons, for EM to learn from).
    #[test]
    fn two_spellings_of_one_person_share_a_number_and_others_do_not() {
        let (background, _) = linkage::pprl::synthetic::two_partners(800, 0.5, 5);
        let mut rows = vec![row("z1", "Zorbaquet", "Léa", "1980-03-07")];
        rows.extend(background.iter().map(|r| Row {
            id: r.id.clone(),
            values: [&r.family_name, &r.given_names, &r.birth_date, &r.sex, &r.commune, ""].map(|v| v.to_string()),
        }));
        rows.push(row("z2", "ZORBAQUET", "Lea", "1980-03-07"));
        let (persons, n) = local_persons(&rows, false).unwrap();
        assert_eq!(persons[0], persons[rows.len() - 1], "one person");
        assert_eq!(persons.iter().filter(|&&p| p == persons[0]).count(), 2, "and nobody else");
        assert!(n < rows.len() && n * 100 >= (rows.len() - 1) * 98, "{n} persons among {} records", rows.len());
    }
}
