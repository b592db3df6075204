//! What really happens to a household: its housing situations over time, the spells when no
//! partner sees it, and how it may leave the list (death, departure). Each partner's record
//! (`report.rs`) is a partial view of this truth, which is what makes duplicates consistent.

use domain::pathway::EventKind;
use domain::situation::{Situation, SituationClass};
use rand::Rng;

use crate::dates::Day;
use crate::draw::{between, exp_days, stay_days, weighted, R};
use crate::people::Kind;

/// Share of households that die during the window.
const DEATH: f64 = 0.012;
/// Share of households that leave the territory during the window.
const DEPARTURE: f64 = 0.045;
/// Chance that, during a spell without a home, the household drops out of sight.
const SILENCE: f64 = 0.21;
/// Mean length of such a disappearance beyond the 91 days that make it count.
const SILENCE_MEAN_EXTRA: f64 = 330.0;

/// One housing situation over `[start, end)`. From `silent_from` on, no partner sees the
/// household any more until the next spell starts.
#[derive(Debug, Clone)]
pub(crate) struct Spell {
    pub situation: Situation,
    pub start: Day,
    pub end: Option<Day>,
    pub silent_from: Option<Day>,
}

#[derive(Debug, Clone)]
pub(crate) struct Truth {
    pub spells: Vec<Spell>,
    /// Death or departure, with its date; nothing happens on or after it.
    pub terminal: Option<(EventKind, Day)>,
}

impl Truth {
    /// The first day nothing more happens: the terminal event, or the day after `today`.
    pub(crate) fn horizon(&self, today: Day) -> Day {
        self.terminal.map_or(today + 1, |(_, d)| d)
    }
}

pub(crate) fn draw_terminal(rng: &mut R, created: Day, today: Day) -> Option<(EventKind, Day)> {
    let r: f64 = rng.gen();
    let kind = if r < DEATH {
        EventKind::Deces
    } else if r < DEATH + DEPARTURE {
        EventKind::DepartTerritoire
    } else {
        return None;
    };
    (today > created).then(|| (kind, between(rng, created + 1, today + 1)))
}

/// Walks from the first identification to the horizon through realistic transitions.
pub(crate) fn simulate(rng: &mut R, kind: Kind, created: Day, today: Day, terminal: Option<(EventKind, Day)>) -> Truth {
    let horizon = terminal.map_or(today + 1, |(_, d)| d);
    let mut spells = Vec::with_capacity(4);
    let mut t = created;
    let mut situation = initial(rng, kind);
    while t < horizon {
        let end = duration(rng, situation).map(|d| t + d);
        let housed = situation.class() == SituationClass::Loge;
        if !housed && rng.gen_bool(SILENCE) {
            let span = end.map_or(365, |e| e - t);
            let last_seen = t + between(rng, 0, span);
            let back = last_seen + 91 + exp_days(rng, SILENCE_MEAN_EXTRA);
            // Half the time the partner records that the household left (a gap in the
            // pathway); otherwise the last known situation simply stays open.
            let end = if rng.gen_bool(0.5) { last_seen + 1 + between(rng, 0, 30) } else { back };
            spells.push(Spell { situation, start: t, end: Some(end), silent_from: Some(last_seen) });
            t = back;
            situation = reentry(rng);
            continue;
        }
        spells.push(Spell { situation, start: t, end, silent_from: None });
        match end {
            Some(e) => {
                t = e;
                situation = next(rng, situation);
            }
            None => break,
        }
    }
    // Nothing is known on or after the horizon: close at the terminal event, or leave open.
    for s in &mut spells {
        if s.end.is_none_or(|e| e >= horizon) {
            s.end = (horizon <= today).then_some(horizon);
        }
        if s.silent_from.is_some_and(|d| d >= horizon) {
            s.silent_from = None;
        }
    }
    Truth { spells, terminal }
}

fn initial(rng: &mut R, kind: Kind) -> Situation {
    use Situation::*;
    let table: &[(Situation, u32)] = match kind {
        Kind::SingleMan => &[
            (Rue, 35),
            (AbriDeFortune, 6),
            (Squat, 6),
            (Hotel115, 4),
            (HebergementUrgence, 20),
            (HebergementInsertion, 5),
            (HebergeChezTiers, 16),
            (Institution, 4),
            (Inconnu, 4),
        ],
        Kind::SingleWoman => &[
            (Rue, 18),
            (AbriDeFortune, 3),
            (Squat, 4),
            (Hotel115, 12),
            (HebergementUrgence, 25),
            (HebergementInsertion, 8),
            (HebergeChezTiers, 24),
            (Institution, 3),
            (Inconnu, 3),
        ],
        Kind::Couple => &[
            (Rue, 25),
            (AbriDeFortune, 6),
            (Squat, 12),
            (Hotel115, 15),
            (HebergementUrgence, 15),
            (HebergementInsertion, 5),
            (HebergeChezTiers, 17),
            (Inconnu, 5),
        ],
        // families are mostly sheltered in 115 hotels
        Kind::Family => &[
            (Rue, 6),
            (Squat, 10),
            (Hotel115, 45),
            (HebergementUrgence, 20),
            (HebergementInsertion, 7),
            (HebergeChezTiers, 10),
            (Inconnu, 2),
        ],
    };
    weighted(rng, table)
}

/// How long a situation lasts, `None` when it lasts beyond any horizon (stable housing).
fn duration(rng: &mut R, s: Situation) -> Option<i32> {
    use Situation::*;
    let mean = match s {
        Rue => 85.0,
        AbriDeFortune => 105.0,
        Squat => 140.0,
        Hotel115 => 170.0,
        HebergementUrgence => 135.0,
        HebergementInsertion => 260.0,
        HebergeChezTiers => 95.0,
        Institution => 70.0,
        Inconnu => 45.0,
        LogementMenace => 240.0,
        // most housing holds: returns to the street are the exception
        LogementAccompagne if rng.gen_bool(0.65) => return None,
        LogementAccompagne => 550.0,
        LogementOrdinaire if rng.gen_bool(0.85) => return None,
        LogementOrdinaire => 500.0,
    };
    Some(stay_days(rng, mean))
}

fn next(rng: &mut R, s: Situation) -> Situation {
    use Situation::*;
    let table: &[(Situation, u32)] = match s {
        Rue => &[
            (Hotel115, 14),
            (HebergementUrgence, 34),
            (HebergeChezTiers, 15),
            (Squat, 6),
            (AbriDeFortune, 5),
            (Institution, 5),
            (HebergementInsertion, 7),
            (LogementAccompagne, 9),
            (LogementOrdinaire, 5),
        ],
        AbriDeFortune | Squat => &[
            (Rue, 30),
            (HebergementUrgence, 30),
            (Hotel115, 15),
            (HebergeChezTiers, 10),
            (HebergementInsertion, 5),
            (LogementAccompagne, 10),
        ],
        Hotel115 => &[
            (HebergementUrgence, 22),
            (HebergementInsertion, 20),
            (Rue, 12),
            (LogementAccompagne, 22),
            (LogementOrdinaire, 14),
            (HebergeChezTiers, 10),
        ],
        HebergementUrgence => &[
            (HebergementInsertion, 33),
            (LogementAccompagne, 22),
            (LogementOrdinaire, 10),
            (Rue, 15),
            (HebergeChezTiers, 10),
            (Hotel115, 5),
            (Institution, 5),
        ],
        HebergementInsertion => &[
            (LogementAccompagne, 35),
            (LogementOrdinaire, 35),
            (HebergementUrgence, 5),
            (Rue, 10),
            (HebergeChezTiers, 15),
        ],
        HebergeChezTiers => &[
            (Rue, 30),
            (HebergementUrgence, 20),
            (Hotel115, 15),
            (LogementOrdinaire, 15),
            (LogementAccompagne, 10),
            (HebergementInsertion, 10),
        ],
        Institution => &[(Rue, 40), (HebergementUrgence, 30), (HebergementInsertion, 15), (LogementAccompagne, 15)],
        Inconnu => &[(Rue, 40), (HebergementUrgence, 20), (HebergeChezTiers, 20), (Hotel115, 20)],
        LogementAccompagne => &[(LogementOrdinaire, 50), (Rue, 20), (HebergeChezTiers, 20), (HebergementUrgence, 10)],
        LogementOrdinaire => &[(LogementMenace, 70), (Rue, 10), (HebergeChezTiers, 20)],
        // an eviction is sometimes avoided: the household stays in ordinary housing
        LogementMenace => &[(LogementOrdinaire, 40), (Rue, 25), (HebergeChezTiers, 25), (HebergementUrgence, 10)],
    };
    weighted(rng, table)
}

/// Where a household is when it is seen again after months out of sight.
fn reentry(rng: &mut R) -> Situation {
    use Situation::*;
    weighted(
        rng,
        &[(Rue, 45), (HebergeChezTiers, 20), (HebergementUrgence, 15), (Hotel115, 8), (Squat, 7), (Institution, 5)],
    )
}
