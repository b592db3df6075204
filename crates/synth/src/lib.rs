//! Deterministic synthetic territory: a fictional métropole, its partners, and a by-name list of
//! homeless households with their pathways, follow-ups and duplicate reports.
//!
//! Everything is drawn from one ChaCha8 stream seeded by [`Config::seed`]: the same config
//! always gives the same territory. No real personal data is used: names come from generic lists
//! of common names (`names.rs`), dates and places are invented.
//!
//! How it works: each real household gets a *truth* (`timeline.rs`: its situations over time,
//! spells out of sight, death or departure); each record is one partner's *view* of it
//! (`report.rs`). About 15% of records are a second or third partner's report of a household
//! already on the list, with the same `true_person` ids and spelling variants (`noise.rs`), so
//! that deduplication can be measured against the ground truth.

mod birth_places;
mod dates;
mod draw;
pub mod linkage_set;
mod names;
mod noise;
mod people;
mod places;
mod report;
mod timeline;

#[cfg(test)]
mod tests;

use domain::household::{MemberRole, NewPerson};
use domain::org::OrgKind;
use domain::pathway::EventKind;
use domain::situation::{Period, Situation};
use domain::territory::InseeCode;
use domain::Date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use dates::{to_date, to_day, years_in_days, Day};
use draw::{between, exp_days, weighted, R};
use people::{Kind, PersonIds};
use places::org;
use report::View;
use timeline::Truth;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Number of household records, duplicates included.
    pub households: usize,
    pub seed: u64,
    /// The last day of the history; nothing is dated after it.
    pub today: Date,
    /// Length of the history: first identifications spread over this many years before `today`.
    pub years: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self { households: 2000, seed: 42, today: time::macros::date!(2026 - 11 - 28), years: 3 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Territory {
    pub name: String,
    pub communes: Vec<SynthCommune>,
    pub organisations: Vec<SynthOrg>,
    /// Sorted by `created_on`, the order in which partners would have entered them.
    pub households: Vec<SynthHousehold>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthCommune {
    pub insee: InseeCode,
    pub name: String,
}

/// A partner organisation, referred to by its index in [`Territory::organisations`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthOrg {
    pub name: String,
    pub kind: OrgKind,
    pub commune: InseeCode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthHousehold {
    pub commune: InseeCode,
    /// First identification by the reporting organisation.
    pub created_on: Date,
    /// Index of the organisation that reported it.
    pub created_by: usize,
    pub members: Vec<SynthMember>,
    /// Housing situations `[start, end)`, chronological, never overlapping, all starting on or
    /// before `today`; gaps are spells when the situation was unknown.
    pub periods: Vec<Period>,
    /// Sorted by date, all on or before `today`.
    pub events: Vec<SynthEvent>,
    pub follows: Vec<SynthFollow>,
    /// Synthetic SI-SIAO demand number, when the household went through the SIAO.
    pub siao_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthMember {
    pub person: NewPerson,
    pub role: MemberRole,
    pub from: Date,
    pub to: Option<Date>,
    /// Ground truth: the same real person has the same id in every record that reports them.
    pub true_person: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthEvent {
    pub kind: EventKind,
    pub date: Date,
    pub org: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthFollow {
    pub org: usize,
    pub from: Date,
    pub to: Option<Date>,
    /// At most one referent follow is in force on any day.
    pub referent: bool,
}

/// Chance that a real household is reported once more (twice more) by other partners; gives
/// about 15% of records that are duplicates.
const SECOND_REPORT: f64 = 0.13;
const THIRD_REPORT: f64 = 0.023;
/// Chance that the partner behind a duplicate stops following the household after a while.
const DUPLICATE_DROPS: f64 = 0.35;
/// Chance of a dated change of composition (a partner joins or leaves) in an original record.
const COMPOSITION_CHANGE: f64 = 0.07;

pub fn generate(cfg: &Config) -> Territory {
    generate_with_contact_scale(cfg, 1.0)
}

/// [`generate`] with contacts `contact_scale` times as frequent while a household has no home
/// (each gap between contacts divided by it, at least a day): denser pathways for benchmarks.
/// `1.0` gives exactly [`generate`]'s territory (other scales draw more or fewer contacts, so the
/// rest of the random stream, hence the territory, differs too).
pub fn generate_with_contact_scale(cfg: &Config, contact_scale: f64) -> Territory {
    let mut g = Generator {
        rng: ChaCha8Rng::seed_from_u64(cfg.seed),
        contact_scale,
        today: to_day(cfg.today),
        window: years_in_days(cfg.years),
        ids: PersonIds::new(),
        siao_numbers: 0,
        communes: places::communes(),
    };
    let mut households = Vec::with_capacity(cfg.households);
    while households.len() < cfg.households {
        let (original, origin) = g.original();
        let r: f64 = g.rng.gen();
        let copies = if r < THIRD_REPORT {
            2
        } else if r < THIRD_REPORT + SECOND_REPORT {
            1
        } else {
            0
        };
        let mut dups = Vec::new();
        for _ in 0..copies {
            dups.extend(g.duplicate(&original, &origin));
        }
        households.push(original);
        for d in dups {
            if households.len() < cfg.households {
                households.push(d);
            }
        }
    }
    // stable: a duplicate reported the same day stays after its original
    households.sort_by_key(|h| h.created_on);
    Territory {
        name: places::TERRITORY_NAME.to_string(),
        communes: g.communes,
        organisations: places::organisations(),
        households,
    }
}

struct Generator {
    rng: R,
    contact_scale: f64,
    today: Day,
    window: Day,
    ids: PersonIds,
    siao_numbers: u32,
    communes: Vec<SynthCommune>,
}

/// What a duplicate needs to know of the real household behind an original record.
struct Origin {
    truth: Truth,
    kind: Kind,
    commune: usize,
}

impl Generator {
    fn original(&mut self) -> (SynthHousehold, Origin) {
        let rng = &mut self.rng;
        let kind = Kind::draw(rng);
        // more recent identifications are more frequent
        let u: f64 = rng.gen();
        let created = self.today - (f64::from(self.window) * u.powf(1.5)) as Day;
        let commune = places::draw_commune(rng);
        let terminal = timeline::draw_terminal(rng, created, self.today);
        let truth = timeline::simulate(rng, kind, created, self.today, terminal);
        let horizon = truth.horizon(self.today);
        let mut members = people::members(rng, kind, created, self.today, horizon, &mut self.ids);
        if rng.gen_bool(COMPOSITION_CHANGE) {
            if let Some(day) = seen_day(rng, &truth, created + 1, horizon) {
                people::change(rng, &mut members, day, &mut self.ids);
            }
        }
        let reporter = reporter(rng, truth.spells[0].situation, kind, commune, None);
        let view = View { start: created, until: self.today + 1, reporter, commune, contact_scale: self.contact_scale };
        let record = report::observe(rng, &truth, &members, &view, self.today);
        let siao_number = self.siao_number(&record.periods, &record.follows);
        let household = SynthHousehold {
            commune: self.communes[commune].insee.clone(),
            created_on: to_date(created),
            created_by: reporter,
            members,
            periods: record.periods,
            events: record.events,
            follows: record.follows,
            siao_number,
        };
        (household, Origin { truth, kind, commune })
    }

    /// Another partner's report of `original`'s household, from a day it was seen.
    fn duplicate(&mut self, original: &SynthHousehold, origin: &Origin) -> Option<SynthHousehold> {
        let rng = &mut self.rng;
        let truth = &origin.truth;
        let seen: Vec<Day> = original
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Contact | EventKind::Observation | EventKind::ChangementSituation))
            .map(|e| to_day(e.date))
            .collect();
        // second reports come rather early in a household's pathway
        let u: f64 = rng.gen();
        let start = *seen.get((seen.len() as f64 * u * u) as usize)?;
        let situation = truth.spells.iter().rev().find(|s| s.start <= start)?.situation;
        let mut commune = origin.commune;
        if rng.gen_bool(0.15) {
            commune = places::draw_commune(rng);
        }
        let reporter = reporter(rng, situation, origin.kind, commune, Some(original.created_by));
        let until = if rng.gen_bool(DUPLICATE_DROPS) {
            (start + 1 + exp_days(rng, 90.0)).min(self.today + 1)
        } else {
            self.today + 1
        };
        let start_date = to_date(start);
        let members: Vec<SynthMember> = original
            .members
            .iter()
            .filter(|m| m.to.is_none_or(|t| t > start_date))
            .map(|m| SynthMember {
                person: noise::variant(rng, &m.person, to_date(self.today)),
                role: m.role,
                from: m.from.max(start_date),
                to: m.to,
                true_person: m.true_person,
            })
            .collect();
        let view = View { start, until, reporter, commune, contact_scale: self.contact_scale };
        let record = report::observe(rng, truth, &members, &view, self.today);
        let shelter = record.periods.iter().any(|p| sheltered(p.situation));
        let siao_number = original.siao_number.clone().filter(|_| shelter && rng.gen_bool(0.5));
        Some(SynthHousehold {
            commune: self.communes[commune].insee.clone(),
            created_on: start_date,
            created_by: reporter,
            members,
            periods: record.periods,
            events: record.events,
            follows: record.follows,
            siao_number,
        })
    }

    /// A synthetic SI-SIAO number for households that went through the SIAO.
    fn siao_number(&mut self, periods: &[Period], follows: &[SynthFollow]) -> Option<String> {
        let via_siao = periods.iter().find(|p| sheltered(p.situation)).map(|p| p.start);
        let followed = follows.iter().find(|f| f.org == org::SIAO).map(|f| f.from);
        let since = via_siao.into_iter().chain(followed).min()?;
        self.siao_numbers += 1;
        Some(format!("SIAO-{}-{}-{:06}", places::DEPARTEMENT, since.year(), self.siao_numbers))
    }
}

fn sheltered(s: Situation) -> bool {
    matches!(s, Situation::Hotel115 | Situation::HebergementUrgence | Situation::HebergementInsertion)
}

/// A day in `[lo, hi)` on which the household is in sight of partners.
fn seen_day(rng: &mut R, truth: &Truth, lo: Day, hi: Day) -> Option<Day> {
    let s = &truth.spells[rng.gen_range(0..truth.spells.len())];
    let from = s.start.max(lo);
    let to = [s.end, s.silent_from, Some(hi)].into_iter().flatten().min()?;
    (from < to).then(|| between(rng, from, to))
}

/// Who first reports a household depends on where it is: street teams on the street, the SIAO
/// for 115 calls, shelters for their residents, CCAS and day centres for the rest.
fn reporter(rng: &mut R, s: Situation, kind: Kind, commune: usize, exclude: Option<usize>) -> usize {
    use Situation::*;
    let ccas = places::ccas_of(commune).unwrap_or(org::CCAS[0]);
    let women = if kind == Kind::SingleWoman { 15 } else { 1 };
    let [s1, s2] = org::SHELTERS;
    let table: [(usize, u32); 9] = match s {
        Rue | AbriDeFortune | Squat => [
            (org::MARAUDE, 45),
            (org::ACCUEIL_DE_JOUR, 20),
            (ccas, 10),
            (org::ACCOMPAGNEMENT, 10),
            (org::SANTE_PRECARITE, 5),
            (org::SIAO, 10),
            (org::ACCUEIL_FEMMES, women),
            (s1, 0),
            (s2, 0),
        ],
        Hotel115 | HebergementUrgence => [
            (org::SIAO, 50),
            (s1, 12),
            (s2, 8),
            (ccas, 12),
            (org::ACCUEIL_DE_JOUR, 8),
            (org::ACCOMPAGNEMENT, 5),
            (org::DDETS, 2),
            (org::METROPOLE, 3),
            (org::ACCUEIL_FEMMES, women),
        ],
        HebergementInsertion => [
            (s1, 30),
            (s2, 25),
            (org::SIAO, 30),
            (ccas, 10),
            (org::ACCOMPAGNEMENT, 5),
            (org::ACCUEIL_FEMMES, women),
            (org::MARAUDE, 0),
            (org::DDETS, 0),
            (org::METROPOLE, 0),
        ],
        _ => [
            (ccas, 35),
            (org::ACCUEIL_DE_JOUR, 25),
            (org::ACCOMPAGNEMENT, 15),
            (org::SIAO, 10),
            (org::SANTE_PRECARITE, 5),
            (org::METROPOLE, 5),
            (org::DDETS, 5),
            (org::ACCUEIL_FEMMES, women),
            (org::MARAUDE, 3),
        ],
    };
    loop {
        let o = weighted(rng, &table);
        if Some(o) != exclude {
            return o;
        }
    }
}
