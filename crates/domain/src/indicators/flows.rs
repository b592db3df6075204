//! Monthly stock and flows of active households, by segment: the Built for Zero population
//! dynamics (DOMAIN.md §2). The definitions are on [`FlowRow`].

use std::collections::HashMap;
use std::ops::RangeInclusive;

use super::history::{household_type_at_end_of, Following, HouseholdHistory};
use super::month::Month;
use super::prepared::{day, Day, Prepared};
use super::segments::{AgeBand, Segment, SituationGroup, LONG_TERM_DAYS, LONG_TERM_WINDOW_MONTHS};
use crate::household::{HouseholdType, Sex};
use crate::situation::Situation;
use crate::status::{Status, StatusRules};
use crate::OrgId;

/// How far back an inflow is looked at to call it first-time homelessness, in months.
pub const FIRST_TIME_LOOKBACK_MONTHS: i32 = 24;

/// One month of one segment. Statuses are those of `status_on` on the last day of the month
/// (see [`Month::month_end`]); "actif at end of m" is written A(m).
///
/// **Segment of a household for the row of month m**: its segment on the last day of m if it is
/// actif then, otherwise on the last day of m − 1. Inflows (and households actif at both ends) are
/// thus counted where they are at the end of the month, and outflows where they were when last
/// actif. Because one household has one segment for both ends of the comparison, the identity
/// `closing = opening + inflow − outflow` holds exactly in every row. For segments that can change
/// over time (age, situation, household type, following organisation) the opening of month m may
/// differ from the closing of month m − 1 by the households that changed segment; for
/// [`Segment::Tous`] and communes they are equal.
///
/// A household identified and housed (or identified and gone inactive) within the same month is
/// never actif at a month end and appears in no flow.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FlowRow {
    pub month: Month,
    pub segment: Segment,
    /// Opening stock: A(m − 1).
    pub opening: u32,
    /// Inflow, newly identified: A(m) and nothing known at the end of m − 1 (status unknown).
    pub inflow_new: u32,
    /// Inflow, returned from housing: A(m) and `logé` at the end of m − 1.
    pub inflow_returned_housing: u32,
    /// Inflow, returned from inactive: A(m) and `inactif` at the end of m − 1.
    pub inflow_returned_inactive: u32,
    /// Inflow, other return: A(m) and `sorti du territoire` at the end of m − 1.
    pub inflow_other: u32,
    /// Outflow, housed: A(m − 1) and `logé` at the end of m.
    pub outflow_housed: u32,
    /// Outflow to inactive: A(m − 1) and `inactif` at the end of m.
    pub outflow_inactive: u32,
    /// Other exits: A(m − 1) and `décédé` or `sorti du territoire` at the end of m.
    pub outflow_other: u32,
    /// Closing stock, the stock of the month: A(m).
    pub closing: u32,
    /// First-time homeless, a part of the inflow: inflows not actif at any of the
    /// [`FIRST_TIME_LOOKBACK_MONTHS`] previous month ends and with no day in a homeless situation
    /// (class `SansLogement`) during those months.
    pub inflow_first_time: u32,
}

impl FlowRow {
    pub fn inflow(&self) -> u32 {
        self.inflow_new + self.inflow_returned_housing + self.inflow_returned_inactive + self.inflow_other
    }

    pub fn outflow(&self) -> u32 {
        self.outflow_housed + self.outflow_inactive + self.outflow_other
    }

    /// Net change = inflow − outflow = closing − opening.
    pub fn net_change(&self) -> i64 {
        i64::from(self.inflow()) - i64::from(self.outflow())
    }
}

/// The flows of a range of months, for every segment seen (every fixed segment, and every
/// commune and organisation that had a household in a flow or stock), month by month.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FlowTable {
    months: Vec<Month>,
    segments: Vec<Segment>,
    /// Month-major: all segments of the first month, in segment order, then the next month.
    rows: Vec<FlowRow>,
}

impl FlowTable {
    pub fn months(&self) -> &[Month] {
        &self.months
    }

    /// The segments, in display order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    pub fn rows(&self) -> &[FlowRow] {
        &self.rows
    }

    pub fn row(&self, month: Month, segment: &Segment) -> Option<&FlowRow> {
        let m = usize::try_from(self.months.first()?.months_until(month)).ok().filter(|m| *m < self.months.len())?;
        let s = self.segments.binary_search(segment).ok()?;
        self.rows.get(m * self.segments.len() + s)
    }

    /// The rows of one segment, month by month (empty for a segment never seen).
    pub fn series<'a>(&'a self, segment: &Segment) -> impl Iterator<Item = &'a FlowRow> + 'a {
        let n = self.segments.len();
        let s = self.segments.binary_search(segment).ok();
        s.into_iter().flat_map(move |s| self.rows.iter().skip(s).step_by(n))
    }
}

/// Computes the flow table of `months` for all households, in one pass per household.
pub fn compute(histories: &[HouseholdHistory], months: RangeInclusive<Month>, rules: StatusRules) -> FlowTable {
    let mut acc = FlowAccumulator::new(months, rules);
    histories.iter().for_each(|h| acc.add(h));
    acc.finish()
}

/// [`compute`] on `threads` threads, each on a slice of the households; the result is the same.
pub fn compute_in_parallel(
    histories: &[HouseholdHistory],
    months: RangeInclusive<Month>,
    rules: StatusRules,
    threads: usize,
) -> FlowTable {
    let chunk = histories.len().div_ceil(threads.max(1)).max(1);
    let parts: Vec<FlowAccumulator> = std::thread::scope(|scope| {
        let handles: Vec<_> = histories
            .chunks(chunk)
            .map(|part| {
                let months = months.clone();
                scope.spawn(move || {
                    let mut acc = FlowAccumulator::new(months, rules);
                    part.iter().for_each(|h| acc.add(h));
                    acc
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("indicator threads do not panic")).collect()
    });
    let mut total = FlowAccumulator::new(months, rules);
    parts.into_iter().for_each(|p| total.merge(p));
    total.finish()
}

/// What one household does in one month, for one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stay,
    InNew,
    InHousing,
    InInactive,
    InOther,
    OutHoused,
    OutInactive,
    OutOther,
}

/// Counter slots per cell: one per kind, then the first-time inflows.
const SLOTS: usize = 9;
const FIRST_TIME: usize = 8;

fn classify(before: Option<Status>, after: Option<Status>) -> Option<Kind> {
    use Status::*;
    Some(match (before, after) {
        (Some(Actif), Some(Actif)) => Kind::Stay,
        (None, Some(Actif)) => Kind::InNew,
        (Some(Loge), Some(Actif)) => Kind::InHousing,
        (Some(Inactif), Some(Actif)) => Kind::InInactive,
        (Some(SortiTerritoire | Decede), Some(Actif)) => Kind::InOther,
        (Some(Actif), Some(Loge)) => Kind::OutHoused,
        (Some(Actif), Some(Inactif)) => Kind::OutInactive,
        (Some(Actif), Some(Decede | SortiTerritoire) | None) => Kind::OutOther,
        _ => return None,
    })
}

fn is_inflow(k: Kind) -> bool {
    matches!(k, Kind::InNew | Kind::InHousing | Kind::InInactive | Kind::InOther)
}

// Positions of the fixed segments, in the order of `Segment::fixed()` (checked by a test).
const TYPE_AT: usize = 1;
const AGE_AT: usize = TYPE_AT + HouseholdType::ALL.len();
const SITUATION_AT: usize = AGE_AT + AgeBand::ALL.len();
const DURATION_AT: usize = SITUATION_AT + SituationGroup::ALL.len();
const SEX_AT: usize = DURATION_AT + 2;
const UNFOLLOWED_AT: usize = SEX_AT + 3;
const FIXED: usize = UNFOLLOWED_AT + 1;

fn sex_index(s: Sex) -> usize {
    match s {
        Sex::Femme => 0,
        Sex::Homme => 1,
        Sex::NonRenseigne => 2,
    }
}

/// Counts households into (segment, month) cells. Accumulators over disjoint sets of households
/// can be merged, which is how the work is shared between threads.
pub struct FlowAccumulator {
    first: Month,
    months: usize,
    rules: StatusRules,
    /// Month ends from `first − FIRST_TIME_LOOKBACK_MONTHS` to the last month.
    ends: Vec<Day>,
    /// First days of the months from `first − LONG_TERM_WINDOW_MONTHS` to the month after the last.
    starts: Vec<Day>,
    keys: Vec<Segment>,
    communes: HashMap<String, usize>,
    unknown_commune: Option<usize>,
    orgs: HashMap<OrgId, usize>,
    /// `cells[segment * months + month]`.
    cells: Vec<[u32; SLOTS]>,
    scratch: Scratch,
}

#[derive(Default)]
struct Scratch {
    prepared: Prepared,
    statuses: Vec<Option<Status>>,
    situations: Vec<Option<Situation>>,
    homeless: Vec<u32>,
    /// Running total of `homeless`: `prefix[k]` is the sum of the first `k` months.
    prefix: Vec<u32>,
    segments: Vec<usize>,
    followers: Vec<(usize, Following)>,
}

const STATUS_BACK: usize = FIRST_TIME_LOOKBACK_MONTHS as usize;
const DAYS_BACK: usize = LONG_TERM_WINDOW_MONTHS as usize;

impl FlowAccumulator {
    pub fn new(months: RangeInclusive<Month>, rules: StatusRules) -> Self {
        let first = *months.start();
        let count = usize::try_from(first.months_until(*months.end()) + 1).unwrap_or(0);
        let last = first.plus(count as i32 - 1);
        let ends = first.plus(-FIRST_TIME_LOOKBACK_MONTHS).through(last).map(|m| day(m.month_end())).collect();
        let starts = first.plus(-LONG_TERM_WINDOW_MONTHS).through(last.next()).map(|m| day(m.first_day())).collect();
        let keys: Vec<Segment> = Segment::fixed().collect();
        debug_assert_eq!(keys.len(), FIXED, "the fixed positions follow Segment::fixed");
        let cells = vec![[0; SLOTS]; keys.len() * count];
        Self {
            first,
            months: count,
            rules,
            ends,
            starts,
            keys,
            communes: HashMap::new(),
            unknown_commune: None,
            orgs: HashMap::new(),
            cells,
            scratch: Scratch::default(),
        }
    }

    /// Counts one household in every month of the range.
    pub fn add(&mut self, h: &HouseholdHistory) {
        let n = self.months;
        let mut s = std::mem::take(&mut self.scratch);
        s.prepared.load(&h.pathway);
        s.prepared.sweep(&self.ends, self.rules, &mut s.statuses, &mut s.situations);
        // statuses[STATUS_BACK + i] is the end of month i of the range. Households never actif
        // in the range (housed long ago, gone) are in no row: skip them before any other work.
        let actif = |j: usize| s.statuses[j] == Some(Status::Actif);
        if !(STATUS_BACK - 1..STATUS_BACK + n).any(actif) {
            self.scratch = s;
            return;
        }
        s.homeless.clear();
        s.homeless.resize(self.starts.len() - 1, 0);
        s.prepared.homeless_days(&self.starts, &mut s.homeless);
        s.prefix.clear();
        s.prefix.push(0);
        for d in &s.homeless {
            s.prefix.push(s.prefix.last().copied().unwrap_or(0) + d);
        }
        let commune = self.commune_segment(h.commune.as_deref());
        // organisations are looked up once per household, not once per month
        s.followers.clear();
        for f in &h.followers {
            let seg = self.org_segment(f.org);
            s.followers.push((seg, *f));
        }
        for i in 0..n {
            let (before, after) = (STATUS_BACK + i - 1, STATUS_BACK + i);
            let Some(kind) = classify(s.statuses[before], s.statuses[after]) else { continue };
            let at = if actif(after) { after } else { before };
            // month index in `starts` (homeless days) of the reference month and of month i
            let at_days = at + DAYS_BACK - STATUS_BACK;
            let month_days = DAYS_BACK + i;
            let reference = self.first.plus(i as i32 + at as i32 - after as i32);
            let first_time =
                is_inflow(kind) && !(i..after).any(actif) && s.prefix[month_days] == s.prefix[month_days - STATUS_BACK];
            let long_term = s.prefix[at_days + 1] - s.prefix[at_days + 1 - DAYS_BACK] >= LONG_TERM_DAYS;

            s.segments.clear();
            s.segments.extend([
                0,
                TYPE_AT + household_type_at_end_of(&h.members, reference) as usize,
                AGE_AT + AgeBand::at_end_of(h.reference_birth, reference) as usize,
                SITUATION_AT + SituationGroup::of(s.situations[at]) as usize,
                DURATION_AT + usize::from(!long_term),
                SEX_AT + sex_index(h.reference_sex),
                commune,
            ]);
            let followed_from = s.segments.len();
            s.segments.extend(s.followers.iter().filter(|(_, f)| f.at_end_of(reference)).map(|(seg, _)| *seg));
            s.segments[followed_from..].sort_unstable();
            s.segments.dedup();
            if s.segments.len() == followed_from {
                s.segments.push(UNFOLLOWED_AT);
            }
            for &seg in &s.segments {
                let cell = &mut self.cells[seg * n + i];
                cell[kind as usize] += 1;
                cell[FIRST_TIME] += u32::from(first_time);
            }
        }
        self.scratch = s;
    }

    /// Adds the counts of an accumulator built for the same months and rules.
    pub fn merge(&mut self, other: FlowAccumulator) {
        assert!(
            self.first == other.first && self.months == other.months && self.rules == other.rules,
            "merging accumulators of different ranges or rules"
        );
        let n = self.months;
        for (k, key) in other.keys.iter().enumerate() {
            let seg = match key {
                Segment::Commune(c) => self.commune_segment(c.as_deref()),
                Segment::Suivi(org) => self.org_segment(*org),
                _ => k,
            };
            for i in 0..n {
                let (to, from) = (&mut self.cells[seg * n + i], other.cells[k * n + i]);
                to.iter_mut().zip(from).for_each(|(t, f)| *t += f);
            }
        }
    }

    pub fn finish(self) -> FlowTable {
        let n = self.months;
        // A commune or organisation only has rows if some household was counted in it.
        let counted = |k: usize| k < FIXED || self.cells[k * n..(k + 1) * n].iter().any(|c| c.iter().any(|x| *x > 0));
        let mut order: Vec<usize> = (0..self.keys.len()).filter(|&k| counted(k)).collect();
        order.sort_by(|a, b| self.keys[*a].cmp(&self.keys[*b]));
        let months: Vec<Month> = self.first.through(self.first.plus(n as i32 - 1)).collect();
        let mut rows = Vec::with_capacity(n * order.len());
        for (i, month) in months.iter().enumerate() {
            for &k in &order {
                let c = self.cells[k * n + i];
                let stay = c[Kind::Stay as usize];
                let get = |kind: Kind| c[kind as usize];
                rows.push(FlowRow {
                    month: *month,
                    segment: self.keys[k].clone(),
                    opening: stay + get(Kind::OutHoused) + get(Kind::OutInactive) + get(Kind::OutOther),
                    inflow_new: get(Kind::InNew),
                    inflow_returned_housing: get(Kind::InHousing),
                    inflow_returned_inactive: get(Kind::InInactive),
                    inflow_other: get(Kind::InOther),
                    outflow_housed: get(Kind::OutHoused),
                    outflow_inactive: get(Kind::OutInactive),
                    outflow_other: get(Kind::OutOther),
                    closing: stay
                        + get(Kind::InNew)
                        + get(Kind::InHousing)
                        + get(Kind::InInactive)
                        + get(Kind::InOther),
                    inflow_first_time: c[FIRST_TIME],
                });
            }
        }
        let segments = order.iter().map(|&k| self.keys[k].clone()).collect();
        FlowTable { months, segments, rows }
    }

    fn commune_segment(&mut self, commune: Option<&str>) -> usize {
        let commune = commune.map(str::trim).filter(|c| !c.is_empty());
        let found = match commune {
            Some(c) => self.communes.get(c).copied(),
            None => self.unknown_commune,
        };
        found.unwrap_or_else(|| {
            let seg = self.register(Segment::Commune(commune.map(str::to_string)));
            match commune {
                Some(c) => self.communes.insert(c.to_string(), seg),
                None => self.unknown_commune.replace(seg),
            };
            seg
        })
    }

    fn org_segment(&mut self, org: OrgId) -> usize {
        if let Some(&seg) = self.orgs.get(&org) {
            return seg;
        }
        let seg = self.register(Segment::Suivi(org));
        self.orgs.insert(org, seg);
        seg
    }

    fn register(&mut self, key: Segment) -> usize {
        self.keys.push(key);
        self.cells.resize(self.keys.len() * self.months, [0; SLOTS]);
        self.keys.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_segment_positions_match_the_display_list() {
        let fixed: Vec<Segment> = Segment::fixed().collect();
        assert_eq!(fixed.len(), FIXED);
        for t in HouseholdType::ALL {
            assert_eq!(fixed[TYPE_AT + t as usize], Segment::TypeMenage(t));
        }
        for a in AgeBand::ALL {
            assert_eq!(fixed[AGE_AT + a as usize], Segment::Age(a));
        }
        for g in SituationGroup::ALL {
            assert_eq!(fixed[SITUATION_AT + g as usize], Segment::Situation(g));
        }
        assert_eq!(fixed[DURATION_AT], Segment::LongueDuree(true));
        assert_eq!(fixed[DURATION_AT + 1], Segment::LongueDuree(false));
        for s in [Sex::Femme, Sex::Homme, Sex::NonRenseigne] {
            assert_eq!(fixed[SEX_AT + sex_index(s)], Segment::SexeReference(s));
        }
        assert_eq!(fixed[UNFOLLOWED_AT], Segment::SansSuivi);
    }

    #[test]
    fn every_status_pair_has_one_meaning() {
        let all: Vec<Option<Status>> = std::iter::once(None).chain(Status::ALL.map(Some)).collect();
        for &a in &all {
            for &b in &all {
                let k = classify(a, b);
                let in_stock = (a == Some(Status::Actif), b == Some(Status::Actif));
                assert_eq!(k.is_some(), in_stock != (false, false), "{a:?} -> {b:?}");
            }
        }
    }
}
