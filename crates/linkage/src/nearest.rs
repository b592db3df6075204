//! The records most like one record: the check at entry (« is this person already known? »)
//! before a worker creates a file. A linear scan of every record, scored by the Fellegi–Sunter
//! model (the default, untrained one: the check runs on whatever a reader may see, too few
//! records to train on) with term frequencies counted on those records.

use crate::compare::{Comparator, Level, Thresholds};
use crate::dataset::Dataset;
use crate::model::{Explanation, Model, Scorer, TermFrequencies};
use crate::schema::FieldKind;

/// A record like the probe.
#[derive(Debug, Clone, PartialEq)]
pub struct Alike {
    pub index: u32,
    pub probability: f64,
    pub explanation: Explanation,
}

/// The records of `ds` other than `probe` whose match probability with it is at least `floor`,
/// most probable first (ties by index), at most `limit`.
///
/// A record of the probe's own household (its group, when it has one) is another person, as the
/// linkage run holds (twins: same name, date and commune), unless it bears the same given name,
/// or one spelt alike (`Mustapha` / `Moustapha`), and no other sex: then the probe is most likely
/// that member typed again.
pub fn most_alike(ds: &Dataset, probe: u32, floor: f64, limit: usize) -> Vec<Alike> {
    let among: Vec<u32> = (0..ds.len() as u32).filter(|&i| i != probe).collect();
    most_alike_among(ds, probe, &among, floor, limit)
}

/// [`most_alike`] among the records `among` of `ds` only, with term frequencies counted on them
/// and the probe: the check at entry keeps one dataset of every person between checks and
/// compares the probe with those its reader may see.
pub fn most_alike_among(ds: &Dataset, probe: u32, among: &[u32], floor: f64, limit: usize) -> Vec<Alike> {
    let cmp = Comparator::new(ds.schema(), Thresholds::default());
    let model = Model::default_for(&cmp);
    let mut counted = Vec::with_capacity(among.len() + 1);
    counted.extend(among.iter().copied().filter(|&i| i != probe));
    counted.push(probe);
    let tf = TermFrequencies::of_rows(ds, &cmp, &counted);
    let scorer = Scorer::new(ds, &cmp, &model, &tf);
    let group = ds.group(probe);
    let mut found: Vec<(u32, f64)> = counted[..counted.len() - 1]
        .iter()
        .map(|&i| (i, scorer.probability(scorer.score(probe.min(i), probe.max(i)).1)))
        .filter(|&(_, p)| p >= floor)
        .filter(|&(i, _)| {
            group == 0 || ds.group(i) != group || typed_again(&scorer.explain(probe.min(i), probe.max(i)))
        })
        .collect();
    found.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    found.truncate(limit);
    found
        .into_iter()
        .map(|(i, probability)| Alike {
            index: i,
            probability,
            explanation: scorer.explain(probe.min(i), probe.max(i)),
        })
        .collect()
}

/// Two records of one household that are one person entered twice, not two relatives: the given
/// name alike (not one letter apart: `Léo` / `Léa`) and the sex not different.
fn typed_again(e: &Explanation) -> bool {
    let level = |kind| e.fields.iter().find(|f| f.kind == kind).map(|f| f.level);
    matches!(level(FieldKind::GivenName), Some(Level::Exact | Level::Variant | Level::Close | Level::Phonetic))
        && level(FieldKind::Sex) != Some(Level::Different)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Record, Schema};

    fn record(id: &str, family: &str, given: &str, birth: Option<&str>, sex: &str, commune: &str) -> Record {
        Record::new(
            id,
            vec![
                Some(family.into()),
                Some(given.into()),
                birth.map(Into::into),
                Some(sex.into()),
                Some(commune.into()),
            ],
        )
    }

    #[test]
    fn a_person_entered_again_is_found_with_a_misspelling_and_a_stranger_is_not() {
        let known = [
            record("1", "N'Diaye", "Aminata", Some("1986-03-14"), "F", "Lyon"),
            record("2", "Martin", "Jean-Pierre", Some("1961-11-02"), "M", "Vénissieux"),
            record("3", "Nguyen", "Thi Lan", None, "F", "Lyon"),
            record("4", "Ndiaye", "Moussa", Some("1990-07-30"), "M", "Lyon"),
        ];
        let probe = |r: Record| {
            let mut all = known.to_vec();
            all.push(r);
            let ds = Dataset::from_records(Schema::parcours_core(), &all).unwrap();
            most_alike(&ds, (all.len() - 1) as u32, 0.5, 5)
        };
        // apostrophe dropped, accent-free, same date: the first record
        let found = probe(record("p", "NDIAYE", "Aminata", Some("1986-03-14"), "F", "Villeurbanne"));
        assert_eq!(found.iter().map(|a| a.index).collect::<Vec<_>>(), vec![0], "{found:?}");
        assert!(found[0].probability > 0.9);
        assert!(found[0].explanation.fields.iter().any(|f| f.weight > 0.0));
        // day and month swapped, hyphen lost
        let found = probe(record("p", "Martin", "Jean Pierre", Some("1961-02-11"), "M", "Vénissieux"));
        assert_eq!(found.first().map(|a| a.index), Some(1), "{found:?}");
        // another Ndiaye, another given name and date: nobody
        assert!(probe(record("p", "Ndiaye", "Fatou", Some("1975-01-09"), "F", "Lyon")).is_empty());
        // at most `limit`, best first
        let mut all = known.to_vec();
        all.push(record("p", "Ndiaye", "Aminata", Some("1986-03-14"), "F", "Lyon"));
        let ds = Dataset::from_records(Schema::parcours_core(), &all).unwrap();
        assert!(most_alike(&ds, 4, 0.0, 2).len() == 2);
        let all_of_them = most_alike(&ds, 4, 0.0, 10);
        assert_eq!(all_of_them.len(), 4);
        assert!(all_of_them.windows(2).all(|w| w[0].probability >= w[1].probability));
    }

    #[test]
    fn a_twin_joining_their_household_is_not_taken_for_the_other_but_a_member_typed_again_is() {
        let all = [
            record("0", "Colin", "Léo", Some("2015-06-01"), "M", "Lyon"),
            record("1", "Colin", "Camille", Some("1980-04-02"), "F", "Lyon"),
            record("twin", "Colin", "Léa", Some("2015-06-01"), "F", "Lyon"),
            record("again", "COLIN", "Leo", Some("2015-06-01"), "M", "Lyon"),
        ];
        let mut ds = Dataset::from_records(Schema::parcours_core(), &all).unwrap();
        let alike =
            |ds: &Dataset, probe: u32| most_alike(ds, probe, 0.5, 5).iter().map(|a| a.index).collect::<Vec<_>>();
        // outside any household, the twin looks like her brother
        assert!(alike(&ds, 2).contains(&0));
        for i in 0..4 {
            ds.set_group(i, 7);
        }
        assert!(!alike(&ds, 2).contains(&0), "in one household: two persons");
        assert_eq!(alike(&ds, 3).first(), Some(&0), "the same given name: typed again");
        let mut misspelt = all.to_vec();
        misspelt[3] = record("again", "Colin", "Camile", Some("1980-04-02"), "F", "Lyon");
        let mut ds = Dataset::from_records(Schema::parcours_core(), &misspelt).unwrap();
        for i in 0..4 {
            ds.set_group(i, 7);
        }
        assert_eq!(alike(&ds, 3).first(), Some(&1), "a given name spelt alike: typed again");
    }

    /// Comparing among some records of a larger dataset is comparing within a dataset of those
    /// records only: same records found, same probabilities (the check at entry relies on it to
    /// keep one dataset of every person and show each reader only what they may see).
    #[test]
    fn comparing_among_some_records_is_comparing_within_them_alone() {
        let rows = synth::linkage_set::generate(1200, 5);
        let records: Vec<Record> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let birth = r.birth_date.map(|d| d.to_string());
                record(
                    &i.to_string(),
                    &r.family_name,
                    &r.given_names,
                    birth.as_deref(),
                    r.sex.code(),
                    r.commune.as_str(),
                )
            })
            .collect();
        let all = Dataset::from_records(Schema::parcours_core(), &records).unwrap();
        // every third record is out of sight
        let among: Vec<u32> = (0..records.len() as u32).filter(|i| i % 3 != 0).collect();
        let mut checked = 0;
        for probe in among.iter().copied().step_by(11) {
            let others: Vec<u32> = among.iter().copied().filter(|&i| i != probe).collect();
            let mut alone: Vec<Record> = others.iter().map(|&i| records[i as usize].clone()).collect();
            alone.push(records[probe as usize].clone());
            let alone = Dataset::from_records(Schema::parcours_core(), &alone).unwrap();
            let expected: Vec<(u32, f64)> = most_alike(&alone, others.len() as u32, 0.05, 5)
                .iter()
                .map(|a| (others[a.index as usize], a.probability))
                .collect();
            let got: Vec<(u32, f64)> =
                most_alike_among(&all, probe, &among, 0.05, 5).iter().map(|a| (a.index, a.probability)).collect();
            assert_eq!(got.len(), expected.len(), "probe {probe}");
            for ((gi, gp), (ei, ep)) in got.iter().zip(&expected) {
                assert_eq!(gi, ei, "probe {probe}");
                assert!((gp - ep).abs() < 1e-12, "probe {probe}: {gp} vs {ep}");
                assert!(gi % 3 != 0, "a record out of sight was compared");
            }
            checked += usize::from(!got.is_empty());
        }
        assert!(checked > 5, "too few probes found anyone: {checked}");
    }
}

#[cfg(test)]
mod quality {
    use super::*;
    use crate::pipeline::tests::synthetic_with_households;

    /// On the project's generator: entering again a person already on file (another partner's
    /// report of them, with its noise) finds them first; entering someone new seldom raises a
    /// false alarm.
    #[test]
    fn the_check_at_entry_finds_reports_of_the_same_person_on_generated_data() {
        let (ds, _, truth) = synthetic_with_households(1500, 11);
        let mut by_truth: std::collections::HashMap<u64, usize> = Default::default();
        for t in &truth {
            *by_truth.entry(*t).or_default() += 1;
        }
        let (mut dup, mut found_first, mut new, mut alarms) = (0, 0, 0, 0);
        for probe in (0..ds.len() as u32).step_by(7) {
            let alike = most_alike(&ds, probe, 0.5, 5);
            if by_truth[&truth[probe as usize]] > 1 {
                dup += 1;
                found_first +=
                    usize::from(alike.first().is_some_and(|a| truth[a.index as usize] == truth[probe as usize]));
            } else {
                new += 1;
                alarms += usize::from(!alike.is_empty());
            }
        }
        let (hit, false_alarm) = (found_first as f64 / dup as f64, alarms as f64 / new as f64);
        eprintln!("entry check: {dup} reports of known persons, found first {hit:.3}; {new} new persons, alarms {false_alarm:.3}");
        assert!(dup > 50 && new > 50);
        assert!(hit > 0.9, "{hit}");
        assert!(false_alarm < 0.05, "{false_alarm}");
    }
}
