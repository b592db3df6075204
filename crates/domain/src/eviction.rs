//! Eviction procedures (DOMAIN.md §4): stages, closures, the rules that let a procedure move on,
//! and the legal deadlines derived from its dated stages.
//!
//! A procedure is kept as its history of dated stages plus an optional closure. The `check_*`
//! functions are the only gate for adding to it; the deadlines are informative (judges may shorten
//! the delays, and the winter truce has exceptions), so they are never enforced on entries.

use crate::{Date, InvalidInput};
use time::Month;

/// The stages of an eviction procedure, in legal order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Unpaid rent reported to the CAF/MSA.
    ImpayeSignale,
    CommandementPayer,
    SaisineCcapex,
    /// Summons before the court.
    Assignation,
    /// Hearing and judgement: lease termination, payment delays, eviction ordered.
    Jugement,
    CommandementQuitter,
    TentativeExpulsion,
    /// Request for the assistance of the police (*concours de la force publique*).
    DemandeConcours,
    ConcoursAccorde,
    ConcoursRefuse,
    ExpulsionRealisee,
}

impl Stage {
    pub const ALL: [Stage; 11] = [
        Self::ImpayeSignale,
        Self::CommandementPayer,
        Self::SaisineCcapex,
        Self::Assignation,
        Self::Jugement,
        Self::CommandementQuitter,
        Self::TentativeExpulsion,
        Self::DemandeConcours,
        Self::ConcoursAccorde,
        Self::ConcoursRefuse,
        Self::ExpulsionRealisee,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ImpayeSignale => "impaye-signale",
            Self::CommandementPayer => "commandement-payer",
            Self::SaisineCcapex => "saisine-ccapex",
            Self::Assignation => "assignation",
            Self::Jugement => "jugement",
            Self::CommandementQuitter => "commandement-quitter",
            Self::TentativeExpulsion => "tentative-expulsion",
            Self::DemandeConcours => "demande-concours",
            Self::ConcoursAccorde => "concours-accorde",
            Self::ConcoursRefuse => "concours-refuse",
            Self::ExpulsionRealisee => "expulsion-realisee",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ImpayeSignale => "Impayé signalé (CAF/MSA)",
            Self::CommandementPayer => "Commandement de payer",
            Self::SaisineCcapex => "Saisine de la CCAPEX",
            Self::Assignation => "Assignation",
            Self::Jugement => "Audience / jugement",
            Self::CommandementQuitter => "Commandement de quitter les lieux",
            Self::TentativeExpulsion => "Tentative d'expulsion",
            Self::DemandeConcours => "Demande de concours de la force publique",
            Self::ConcoursAccorde => "Concours de la force publique accordé",
            Self::ConcoursRefuse => "Concours de la force publique refusé",
            Self::ExpulsionRealisee => "Expulsion réalisée",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL.into_iter().find(|s| s.code() == code).ok_or_else(|| InvalidInput::new("étape", "étape inconnue"))
    }

    /// Position in the procedure, from 1; stages 1–8 are numbered as in DOMAIN.md §4.
    pub fn rank(self) -> u8 {
        match self {
            Self::ImpayeSignale => 1,
            Self::CommandementPayer => 2,
            Self::SaisineCcapex => 3,
            Self::Assignation => 4,
            Self::Jugement => 5,
            Self::CommandementQuitter => 6,
            Self::TentativeExpulsion => 7,
            Self::DemandeConcours => 8,
            Self::ConcoursAccorde => 9,
            Self::ConcoursRefuse => 10,
            Self::ExpulsionRealisee => 11,
        }
    }

    /// Stages 1–5 (up to the judgement): there is still time for prevention, a CCA referral.
    pub fn calls_for_prevention(self) -> bool {
        self.rank() <= Self::Jugement.rank()
    }

    /// From the eviction attempt on, the household risks the street. A refused police assistance
    /// still counts: the judgement stays enforceable and refusals are usually temporary (winter,
    /// rehousing under way), so the household must not drop out of sight. An eviction carried out
    /// counts too: the risk has materialised.
    pub fn street_risk(self) -> bool {
        self.rank() >= Self::TentativeExpulsion.rank()
    }
}

/// How a procedure ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Closure {
    /// Debt paid off, or payment plan respected.
    DetteSoldee,
    /// *Protocole de cohésion sociale* signed with a social landlord.
    ProtocoleCohesion,
    /// Rehoused before the eviction.
    Relogement,
    /// Left before the eviction.
    DepartVolontaire,
    /// Eviction carried out.
    Expulsion,
    Autre,
}

impl Closure {
    pub const ALL: [Closure; 6] = [
        Self::DetteSoldee,
        Self::ProtocoleCohesion,
        Self::Relogement,
        Self::DepartVolontaire,
        Self::Expulsion,
        Self::Autre,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::DetteSoldee => "dette-soldee",
            Self::ProtocoleCohesion => "protocole-cohesion",
            Self::Relogement => "relogement",
            Self::DepartVolontaire => "depart-volontaire",
            Self::Expulsion => "expulsion",
            Self::Autre => "autre",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::DetteSoldee => "Dette soldée / plan d'apurement respecté",
            Self::ProtocoleCohesion => "Protocole de cohésion sociale signé",
            Self::Relogement => "Relogement avant expulsion",
            Self::DepartVolontaire => "Départ avant expulsion",
            Self::Expulsion => "Expulsion réalisée",
            Self::Autre => "Autre",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL.into_iter().find(|c| c.code() == code).ok_or_else(|| InvalidInput::new("clôture", "clôture inconnue"))
    }

    /// Everything but `Expulsion`. `Autre` counts as avoided: [`check_close`] forces the closure
    /// `Expulsion` whenever an eviction was carried out, so `Autre` (death, landlord giving up…)
    /// is by construction an ending without eviction.
    pub fn eviction_avoided(self) -> bool {
        self != Self::Expulsion
    }
}

/// Who the landlord is; only social landlords must refer to the CCAPEX before the summons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LandlordKind {
    Particulier,
    PersonneMorale,
    Social,
}

impl LandlordKind {
    pub const ALL: [LandlordKind; 3] = [Self::Particulier, Self::PersonneMorale, Self::Social];

    pub fn code(self) -> &'static str {
        match self {
            Self::Particulier => "particulier",
            Self::PersonneMorale => "personne-morale",
            Self::Social => "social",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Particulier => "Bailleur particulier",
            Self::PersonneMorale => "Personne morale (SCI, société…)",
            Self::Social => "Bailleur social",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|l| l.code() == code)
            .ok_or_else(|| InvalidInput::new("type de bailleur", "type de bailleur inconnu"))
    }
}

/// The housing benefit (APL/AL) situation. `Maintenue` is the benefit kept by the CAF/MSA despite
/// the unpaid rent (payment plan under way), as opposed to `Versee`, paid with no unpaid rent known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HousingBenefit {
    Aucune,
    Versee,
    Suspendue,
    Maintenue,
    Inconnue,
}

impl HousingBenefit {
    pub const ALL: [HousingBenefit; 5] = [Self::Aucune, Self::Versee, Self::Suspendue, Self::Maintenue, Self::Inconnue];

    pub fn code(self) -> &'static str {
        match self {
            Self::Aucune => "aucune",
            Self::Versee => "versee",
            Self::Suspendue => "suspendue",
            Self::Maintenue => "maintenue",
            Self::Inconnue => "inconnue",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Aucune => "Pas d'aide au logement",
            Self::Versee => "Versée",
            Self::Suspendue => "Suspendue",
            Self::Maintenue => "Maintenue malgré l'impayé",
            Self::Inconnue => "Inconnue",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|b| b.code() == code)
            .ok_or_else(|| InvalidInput::new("aide au logement", "situation d'aide au logement inconnue"))
    }
}

/// The stage the procedure has reached: the highest rank, whatever the order of `history`.
pub fn current_stage(history: &[(Stage, Date)]) -> Option<Stage> {
    history.iter().map(|&(s, _)| s).max_by_key(|s| s.rank())
}

fn last_date(history: &[(Stage, Date)]) -> Option<Date> {
    history.iter().map(|&(_, d)| d).max()
}

fn has(history: &[(Stage, Date)], stage: Stage) -> bool {
    history.iter().any(|&(s, _)| s == stage)
}

/// The date of `stage`; the latest one should a stage have been recorded twice.
fn date_of(history: &[(Stage, Date)], stage: Stage) -> Option<Date> {
    history.iter().filter(|&&(s, _)| s == stage).map(|&(_, d)| d).max()
}

/// Whether `next`, dated `on`, may be added to the procedure.
///
/// Stages only move forward, but may skip stages: real procedures skip some (no CCAPEX referral
/// with a private landlord, no attempt before the police request…), and a record often starts
/// late. The exceptions:
/// - a decision on police assistance needs the request, and granted / refused are alternatives;
/// - after a refusal the procedure can only be closed: a renewed request is not modelled;
/// - an eviction needs the police assistance granted or, when none was requested (the occupant
///   did not resist), an order to leave, which is itself served under the judgement. A pending or
///   refused request therefore blocks it.
///
/// Dates are not checked against the delays nor the winter truce: judges may shorten the delay,
/// and the truce has exceptions (rehousing ensured, squats).
pub fn check_stage(
    history: &[(Stage, Date)],
    closed: Option<(Closure, Date)>,
    next: Stage,
    on: Date,
) -> Result<(), InvalidInput> {
    if closed.is_some() {
        return Err(InvalidInput::new("étape", "la procédure est close"));
    }
    if last_date(history).is_some_and(|last| on < last) {
        return Err(InvalidInput::new("date", "date antérieure à la dernière étape"));
    }
    if has(history, Stage::ConcoursRefuse) {
        return Err(InvalidInput::new("étape", "après un refus du concours, la procédure ne peut qu'être close"));
    }
    match next {
        Stage::ConcoursAccorde | Stage::ConcoursRefuse if !has(history, Stage::DemandeConcours) => {
            return Err(InvalidInput::new("étape", "décision sur le concours sans demande de concours"));
        }
        Stage::ConcoursRefuse if has(history, Stage::ConcoursAccorde) => {
            return Err(InvalidInput::new("étape", "le concours a déjà été accordé"));
        }
        Stage::ExpulsionRealisee if !has(history, Stage::ConcoursAccorde) => {
            if has(history, Stage::DemandeConcours) {
                return Err(InvalidInput::new("étape", "expulsion sans décision accordant le concours demandé"));
            }
            if !has(history, Stage::CommandementQuitter) {
                return Err(InvalidInput::new("étape", "expulsion sans commandement de quitter les lieux"));
            }
        }
        _ => {}
    }
    if current_stage(history).is_some_and(|cur| next.rank() <= cur.rank()) {
        return Err(InvalidInput::new("étape", "la procédure n'avance que vers une étape ultérieure"));
    }
    Ok(())
}

/// Whether the procedure may be closed by `closure` on `on`. An eviction carried out can only be
/// closed as an eviction, and only an eviction carried out can be, so that closures count right.
pub fn check_close(
    history: &[(Stage, Date)],
    closed: Option<(Closure, Date)>,
    closure: Closure,
    on: Date,
) -> Result<(), InvalidInput> {
    if closed.is_some() {
        return Err(InvalidInput::new("clôture", "la procédure est déjà close"));
    }
    if last_date(history).is_some_and(|last| on < last) {
        return Err(InvalidInput::new("date", "date antérieure à la dernière étape"));
    }
    let evicted = has(history, Stage::ExpulsionRealisee);
    if closure == Closure::Expulsion && !evicted {
        return Err(InvalidInput::new("clôture", "une clôture par expulsion suppose une expulsion réalisée"));
    }
    if closure != Closure::Expulsion && evicted {
        return Err(InvalidInput::new("clôture", "après une expulsion réalisée, la clôture est l'expulsion"));
    }
    Ok(())
}

/// `d` plus `n` calendar months, clamped to the end of the month (31 December + 2 months is the
/// last day of February), as delays in months are counted. Saturates at the last representable
/// date rather than panicking on absurd inputs.
pub fn add_months(d: Date, n: u32) -> Date {
    crate::add_months(d, i64::from(n))
}

/// The winter truce: no eviction from 1 November to 31 March inclusive.
pub fn in_winter_truce(d: Date) -> bool {
    matches!(d.month(), Month::November | Month::December | Month::January | Month::February | Month::March)
}

/// `d` itself outside the winter truce, else the 1 April that ends it.
pub fn after_truce(d: Date) -> Date {
    if !in_winter_truce(d) {
        return d;
    }
    let year = if d.month() >= Month::November { d.year() + 1 } else { d.year() };
    // Only fails past year 9999, far beyond any procedure.
    Date::from_calendar_date(year, Month::April, 1).unwrap_or(Date::MAX)
}

/// The legal deadlines of a procedure, as far as its dated stages allow computing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deadlines {
    /// End of the 2-month delay given by the order to leave.
    pub leave_delay_ends: Option<Date>,
    /// The préfet answers a request for police assistance within 2 months.
    pub prefect_decision_due: Option<Date>,
    /// The first day the eviction may take place: delay over, out of the truce, assistance granted.
    pub earliest_eviction: Option<Date>,
    /// Last day for a social landlord's CCAPEX referral, 2 months before the summons.
    pub ccapex_referral_due: Option<Date>,
}

/// The deadlines of a procedure. The eviction counts as possible on the day the delay ends
/// [to confirm with the territory: the delay may be read as running to the end of that day].
pub fn deadlines(history: &[(Stage, Date)], landlord: LandlordKind) -> Deadlines {
    let leave_delay_ends = date_of(history, Stage::CommandementQuitter).map(|d| add_months(d, 2));
    let prefect_decision_due = date_of(history, Stage::DemandeConcours).map(|d| add_months(d, 2));
    // after_truce is monotone, so moving the later of the two dates is the later of both moved.
    let earliest_eviction = leave_delay_ends
        .map(|ends| after_truce(date_of(history, Stage::ConcoursAccorde).map_or(ends, |granted| granted.max(ends))));
    let ccapex_referral_due = ccapex_due(history, landlord);
    Deadlines { leave_delay_ends, prefect_decision_due, earliest_eviction, ccapex_referral_due }
}

/// The latest referral day `r` such that the summons comes at least 2 months after it, i.e.
/// `add_months(r, 2) <= summons`. This is the summons date − 2 months, except that a summons on the
/// last day of a short month also admits the last days of a longer month (a referral on 31
/// December is 2 months before 28 February): counting forward, as the delay runs, keeps the due
/// date and [`ccapex_referral_late`] in agreement.
fn ccapex_due(history: &[(Stage, Date)], landlord: LandlordKind) -> Option<Date> {
    if landlord != LandlordKind::Social {
        return None;
    }
    let summons = date_of(history, Stage::Assignation)?;
    let mut due = crate::add_months(summons, -2);
    while let Some(next) = due.next_day().filter(|&n| add_months(n, 2) <= summons) {
        due = next;
    }
    Some(due)
}

/// A social landlord summoned without a CCAPEX referral at least 2 months before.
pub fn ccapex_referral_late(history: &[(Stage, Date)], landlord: LandlordKind) -> bool {
    match ccapex_due(history, landlord) {
        None => false,
        Some(due) => !history.iter().any(|&(s, d)| s == Stage::SaisineCcapex && d <= due),
    }
}

/// An open procedure at the summons or later while nobody works on it: no CCA referral and no
/// support measure. Earlier stages are prevention work in their own right, not yet an alert.
pub fn prevention_alert(current: Option<Stage>, has_referral: bool, has_measure: bool, closed: bool) -> bool {
    !closed && current.is_some_and(|s| s.rank() >= Stage::Assignation.rank()) && !has_referral && !has_measure
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;
    use time::Duration;

    fn ends_and_earliest(order_to_leave: Date) -> (Option<Date>, Option<Date>) {
        let d = deadlines(&[(Stage::CommandementQuitter, order_to_leave)], LandlordKind::Particulier);
        (d.leave_delay_ends, d.earliest_eviction)
    }

    #[test]
    fn codes_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.code()), Ok(s));
        }
        for c in Closure::ALL {
            assert_eq!(Closure::parse(c.code()), Ok(c));
        }
        for l in LandlordKind::ALL {
            assert_eq!(LandlordKind::parse(l.code()), Ok(l));
        }
        for b in HousingBenefit::ALL {
            assert_eq!(HousingBenefit::parse(b.code()), Ok(b));
        }
        assert!(Stage::parse("Jugement").is_err());
        assert!(Closure::parse("").is_err());
        assert!(LandlordKind::parse("hlm").is_err());
        assert!(HousingBenefit::parse("apl").is_err());
    }

    #[test]
    fn ranks_follow_the_declared_order() {
        for (i, s) in Stage::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(s.rank()), i + 1);
        }
        assert!(Stage::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn prevention_and_street_risk() {
        let prevention: Vec<_> = Stage::ALL.into_iter().filter(|s| s.calls_for_prevention()).collect();
        assert_eq!(prevention.last(), Some(&Stage::Jugement));
        assert_eq!(prevention.len(), 5);
        assert!(!Stage::CommandementQuitter.street_risk());
        assert!(Stage::TentativeExpulsion.street_risk());
        assert!(Stage::ConcoursRefuse.street_risk());
        assert!(Stage::ExpulsionRealisee.street_risk());
        assert!(Stage::ALL.into_iter().all(|s| !(s.calls_for_prevention() && s.street_risk())));
        assert!(!Closure::Expulsion.eviction_avoided());
        assert!(Closure::Autre.eviction_avoided());
        assert_eq!(Closure::ALL.into_iter().filter(|c| c.eviction_avoided()).count(), 5);
    }

    #[test]
    fn months_clamp_to_the_end_of_the_month() {
        assert_eq!(add_months(date!(2025 - 12 - 31), 2), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2023 - 12 - 31), 2), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2024 - 02 - 29), 12), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 02 - 29), 48), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2024 - 02 - 29), 2), date!(2024 - 04 - 29));
        assert_eq!(add_months(date!(2023 - 12 - 29), 2), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2025 - 08 - 31), 1), date!(2025 - 09 - 30));
        assert_eq!(add_months(date!(2025 - 11 - 15), 2), date!(2026 - 01 - 15));
        assert_eq!(add_months(date!(2025 - 05 - 10), 0), date!(2025 - 05 - 10));
        assert_eq!(add_months(date!(9999 - 11 - 01), 2), Date::MAX);
    }

    #[test]
    fn winter_truce_boundaries() {
        assert!(!in_winter_truce(date!(2025 - 10 - 31)));
        assert!(in_winter_truce(date!(2025 - 11 - 01)));
        assert!(in_winter_truce(date!(2026 - 03 - 31)));
        assert!(!in_winter_truce(date!(2026 - 04 - 01)));
        assert_eq!(after_truce(date!(2025 - 10 - 31)), date!(2025 - 10 - 31));
        assert_eq!(after_truce(date!(2025 - 11 - 01)), date!(2026 - 04 - 01));
        assert_eq!(after_truce(date!(2025 - 12 - 31)), date!(2026 - 04 - 01));
        assert_eq!(after_truce(date!(2026 - 01 - 01)), date!(2026 - 04 - 01));
        assert_eq!(after_truce(date!(2024 - 02 - 29)), date!(2024 - 04 - 01));
        assert_eq!(after_truce(date!(2026 - 03 - 31)), date!(2026 - 04 - 01));
        assert_eq!(after_truce(date!(2026 - 07 - 14)), date!(2026 - 07 - 14));
    }

    #[test]
    fn leave_delay_across_the_truce() {
        // Ends the day before the truce: the eviction may take place that day.
        assert_eq!(
            ends_and_earliest(date!(2025 - 08 - 31)),
            (Some(date!(2025 - 10 - 31)), Some(date!(2025 - 10 - 31)))
        );
        // Ends on its first day: wait for the spring.
        assert_eq!(
            ends_and_earliest(date!(2025 - 09 - 01)),
            (Some(date!(2025 - 11 - 01)), Some(date!(2026 - 04 - 01)))
        );
        assert_eq!(
            ends_and_earliest(date!(2026 - 01 - 31)),
            (Some(date!(2026 - 03 - 31)), Some(date!(2026 - 04 - 01)))
        );
        assert_eq!(
            ends_and_earliest(date!(2026 - 02 - 01)),
            (Some(date!(2026 - 04 - 01)), Some(date!(2026 - 04 - 01)))
        );
        // Ordered to leave during the truce, the delay ends in February.
        assert_eq!(
            ends_and_earliest(date!(2025 - 12 - 31)),
            (Some(date!(2026 - 02 - 28)), Some(date!(2026 - 04 - 01)))
        );
        assert_eq!(
            ends_and_earliest(date!(2023 - 12 - 31)),
            (Some(date!(2024 - 02 - 29)), Some(date!(2024 - 04 - 01)))
        );
        // Leap days as the start.
        assert_eq!(
            ends_and_earliest(date!(2024 - 02 - 29)),
            (Some(date!(2024 - 04 - 29)), Some(date!(2024 - 04 - 29)))
        );
        assert_eq!(
            ends_and_earliest(date!(2024 - 07 - 31)),
            (Some(date!(2024 - 09 - 30)), Some(date!(2024 - 09 - 30)))
        );
    }

    #[test]
    fn no_order_to_leave_no_eviction_date() {
        let h = [(Stage::Jugement, date!(2025 - 05 - 01)), (Stage::DemandeConcours, date!(2025 - 06 - 01))];
        let d = deadlines(&h, LandlordKind::Particulier);
        assert_eq!(d.leave_delay_ends, None);
        assert_eq!(d.earliest_eviction, None);
        assert_eq!(d.prefect_decision_due, Some(date!(2025 - 08 - 01)));
        assert_eq!(d.ccapex_referral_due, None);
        assert_eq!(deadlines(&[], LandlordKind::Social), Deadlines::default());
    }

    #[test]
    fn police_assistance_granted_later_or_during_the_truce() {
        let order = (Stage::CommandementQuitter, date!(2025 - 04 - 10));
        let request = (Stage::DemandeConcours, date!(2025 - 07 - 01));
        // Granted after the delay, outside the truce: from the grant.
        let h = [order, request, (Stage::ConcoursAccorde, date!(2025 - 08 - 20))];
        let d = deadlines(&h, LandlordKind::Particulier);
        assert_eq!(d.leave_delay_ends, Some(date!(2025 - 06 - 10)));
        assert_eq!(d.prefect_decision_due, Some(date!(2025 - 09 - 01)));
        assert_eq!(d.earliest_eviction, Some(date!(2025 - 08 - 20)));
        // Granted during the truce: from 1 April.
        let h = [order, request, (Stage::ConcoursAccorde, date!(2025 - 12 - 15))];
        assert_eq!(deadlines(&h, LandlordKind::Particulier).earliest_eviction, Some(date!(2026 - 04 - 01)));
        let h = [order, request, (Stage::ConcoursAccorde, date!(2026 - 03 - 31))];
        assert_eq!(deadlines(&h, LandlordKind::Particulier).earliest_eviction, Some(date!(2026 - 04 - 01)));
        // Granted before the delay ends: the delay still runs.
        let h = [(Stage::CommandementQuitter, date!(2025 - 08 - 01)), (Stage::ConcoursAccorde, date!(2025 - 09 - 01))];
        assert_eq!(deadlines(&h, LandlordKind::Particulier).earliest_eviction, Some(date!(2025 - 10 - 01)));
        // A refusal does not move the date.
        let h = [order, request, (Stage::ConcoursRefuse, date!(2025 - 08 - 20))];
        assert_eq!(deadlines(&h, LandlordKind::Particulier).earliest_eviction, Some(date!(2025 - 06 - 10)));
    }

    #[test]
    fn ccapex_referral_for_social_landlords() {
        let summons = (Stage::Assignation, date!(2025 - 06 - 15));
        let due = Some(date!(2025 - 04 - 15));
        assert_eq!(deadlines(&[summons], LandlordKind::Social).ccapex_referral_due, due);
        assert_eq!(deadlines(&[summons], LandlordKind::Particulier).ccapex_referral_due, None);
        assert_eq!(deadlines(&[summons], LandlordKind::PersonneMorale).ccapex_referral_due, None);
        assert!(ccapex_referral_late(&[summons], LandlordKind::Social));
        assert!(!ccapex_referral_late(&[summons], LandlordKind::Particulier));
        let on_time = [(Stage::SaisineCcapex, date!(2025 - 04 - 15)), summons];
        assert!(!ccapex_referral_late(&on_time, LandlordKind::Social));
        let too_late = [(Stage::SaisineCcapex, date!(2025 - 04 - 16)), summons];
        assert!(ccapex_referral_late(&too_late, LandlordKind::Social));
        // No summons yet: nothing is late.
        assert!(!ccapex_referral_late(&[(Stage::CommandementPayer, date!(2025 - 01 - 10))], LandlordKind::Social));
        assert_eq!(
            deadlines(&[(Stage::CommandementPayer, date!(2025 - 01 - 10))], LandlordKind::Social).ccapex_referral_due,
            None
        );
        // Month ends: counted forward, as the delay runs.
        let due_for = |d: Date| deadlines(&[(Stage::Assignation, d)], LandlordKind::Social).ccapex_referral_due;
        assert_eq!(due_for(date!(2025 - 04 - 30)), Some(date!(2025 - 02 - 28)));
        assert_eq!(due_for(date!(2025 - 02 - 28)), Some(date!(2024 - 12 - 31)));
        assert_eq!(due_for(date!(2024 - 02 - 29)), Some(date!(2023 - 12 - 31)));
        assert_eq!(due_for(date!(2024 - 02 - 28)), Some(date!(2023 - 12 - 28)));
    }

    #[test]
    fn prevention_alerts() {
        assert!(prevention_alert(Some(Stage::Assignation), false, false, false));
        assert!(prevention_alert(Some(Stage::DemandeConcours), false, false, false));
        assert!(!prevention_alert(Some(Stage::CommandementPayer), false, false, false));
        assert!(!prevention_alert(None, false, false, false));
        assert!(!prevention_alert(Some(Stage::Assignation), true, false, false));
        assert!(!prevention_alert(Some(Stage::Assignation), false, true, false));
        assert!(!prevention_alert(Some(Stage::Assignation), false, false, true));
    }

    #[test]
    fn stages_move_forward_and_may_skip() {
        let d = date!(2025 - 03 - 01);
        let h = [(Stage::CommandementPayer, d)];
        assert!(check_stage(&h, None, Stage::Assignation, d).is_ok());
        assert!(check_stage(&h, None, Stage::CommandementPayer, d).is_err());
        assert!(check_stage(&h, None, Stage::ImpayeSignale, d).is_err());
        assert!(check_stage(&h, None, Stage::Assignation, d - Duration::days(1)).is_err());
        assert!(check_stage(&[], None, Stage::Jugement, d).is_ok());
        let closed = Some((Closure::DetteSoldee, d));
        assert!(check_stage(&h, closed, Stage::Assignation, d).is_err());
        assert_eq!(current_stage(&h), Some(Stage::CommandementPayer));
        assert_eq!(current_stage(&[]), None);
        assert_eq!(current_stage(&[(Stage::Jugement, d), (Stage::Assignation, d)]), Some(Stage::Jugement));
    }

    #[test]
    fn police_assistance_rules() {
        let d = date!(2025 - 06 - 01);
        let order = (Stage::CommandementQuitter, d);
        let request = (Stage::DemandeConcours, d);
        assert!(check_stage(&[order], None, Stage::ConcoursAccorde, d).is_err());
        assert!(check_stage(&[order], None, Stage::ConcoursRefuse, d).is_err());
        assert!(check_stage(&[order, request], None, Stage::ConcoursAccorde, d).is_ok());
        assert!(check_stage(&[order, request], None, Stage::ConcoursRefuse, d).is_ok());
        let granted = [order, request, (Stage::ConcoursAccorde, d)];
        assert!(check_stage(&granted, None, Stage::ConcoursRefuse, d).is_err());
        assert!(check_stage(&granted, None, Stage::ExpulsionRealisee, d).is_ok());
        let refused = [order, request, (Stage::ConcoursRefuse, d)];
        assert!(check_stage(&refused, None, Stage::ConcoursAccorde, d).is_err());
        assert!(check_stage(&refused, None, Stage::DemandeConcours, d).is_err());
        assert!(check_stage(&refused, None, Stage::ExpulsionRealisee, d).is_err());
        assert!(check_close(&refused, None, Closure::Relogement, d).is_ok());
        assert!(check_close(&refused, None, Closure::Expulsion, d).is_err());
    }

    #[test]
    fn eviction_needs_a_title() {
        let d = date!(2025 - 06 - 01);
        // The occupant left at the bailiff's visit: order to leave, no police.
        assert!(check_stage(&[(Stage::CommandementQuitter, d)], None, Stage::ExpulsionRealisee, d).is_ok());
        assert!(check_stage(&[(Stage::Jugement, d)], None, Stage::ExpulsionRealisee, d).is_err());
        assert!(check_stage(&[], None, Stage::ExpulsionRealisee, d).is_err());
        // A pending request blocks until it is granted.
        let pending = [(Stage::CommandementQuitter, d), (Stage::DemandeConcours, d)];
        assert!(check_stage(&pending, None, Stage::ExpulsionRealisee, d).is_err());
    }

    #[test]
    fn closing_rules() {
        let d = date!(2025 - 06 - 01);
        let h = [(Stage::Assignation, d)];
        assert!(check_close(&h, None, Closure::DetteSoldee, d).is_ok());
        assert!(check_close(&h, None, Closure::DetteSoldee, d - Duration::days(1)).is_err());
        assert!(check_close(&h, Some((Closure::Autre, d)), Closure::DetteSoldee, d).is_err());
        assert!(check_close(&h, None, Closure::Expulsion, d).is_err());
        let evicted = [(Stage::CommandementQuitter, d), (Stage::ExpulsionRealisee, d)];
        assert!(check_close(&evicted, None, Closure::Expulsion, d).is_ok());
        for c in Closure::ALL.into_iter().filter(|&c| c != Closure::Expulsion) {
            assert!(check_close(&evicted, None, c, d).is_err());
        }
        assert!(check_close(&[], None, Closure::Autre, d).is_ok());
    }

    #[test]
    fn errors_carry_no_value() {
        let d = date!(2025 - 06 - 01);
        let e = check_stage(&[(Stage::Jugement, d)], None, Stage::Assignation, d).unwrap_err();
        assert!(!e.reason.contains("2025") && !e.to_string().contains("2025"));
        let e = Stage::parse("secret-value").unwrap_err();
        assert!(!e.to_string().contains("secret"));
    }

    fn arb_date() -> impl Strategy<Value = Date> {
        (0i64..365 * 40).prop_map(|n| date!(1990 - 01 - 01) + Duration::days(n))
    }

    /// A proposal: a stage, or a closure (rarer, so that procedures get far), and a shift in days.
    fn arb_proposals() -> impl Strategy<Value = Vec<(Result<Stage, Closure>, i64)>> {
        let what = prop_oneof![
            8 => (0..Stage::ALL.len()).prop_map(|i| Ok(Stage::ALL[i])),
            1 => (0..Closure::ALL.len()).prop_map(|i| Err(Closure::ALL[i])),
        ];
        prop::collection::vec((what, -40i64..120), 0..40)
    }

    proptest! {
        /// Whatever is proposed, the accepted history is consistent, and closure is final.
        #[test]
        fn accepted_histories_are_consistent(start in arb_date(), proposals in arb_proposals()) {
            let mut history: Vec<(Stage, Date)> = Vec::new();
            let mut closed: Option<(Closure, Date)> = None;
            let mut day = start;
            for (what, shift) in proposals {
                day += Duration::days(shift);
                let (before, was_closed) = (history.len(), closed);
                match what {
                    Ok(stage) if check_stage(&history, closed, stage, day).is_ok() => history.push((stage, day)),
                    Err(closure) if check_close(&history, closed, closure, day).is_ok() => closed = Some((closure, day)),
                    _ => {}
                }
                if was_closed.is_some() {
                    prop_assert_eq!(history.len(), before);
                    prop_assert_eq!(closed, was_closed);
                }
                prop_assert!(closed.is_none_or(|(_, c)| history.iter().all(|&(_, d)| d <= c)));
            }
            prop_assert!(history.windows(2).all(|w| w[0].0.rank() < w[1].0.rank() && w[0].1 <= w[1].1));
            prop_assert!(!(has(&history, Stage::ConcoursAccorde) && has(&history, Stage::ConcoursRefuse)));
            if has(&history, Stage::ConcoursAccorde) || has(&history, Stage::ConcoursRefuse) {
                prop_assert!(has(&history, Stage::DemandeConcours));
            }
            if has(&history, Stage::ExpulsionRealisee) {
                prop_assert!(
                    has(&history, Stage::ConcoursAccorde)
                        || (has(&history, Stage::CommandementQuitter) && !has(&history, Stage::DemandeConcours))
                );
                prop_assert!(closed.is_none_or(|(c, _)| c == Closure::Expulsion));
            }
            if let Some((c, _)) = closed {
                prop_assert_eq!(c == Closure::Expulsion, has(&history, Stage::ExpulsionRealisee));
                for s in Stage::ALL {
                    prop_assert!(check_stage(&history, closed, s, day + Duration::days(1)).is_err());
                }
            }
            prop_assert_eq!(current_stage(&history), history.last().map(|&(s, _)| s));
        }

        /// The earliest eviction is never in the truce, never before the delay ends nor the grant,
        /// and is the first such day.
        #[test]
        fn earliest_eviction_respects_delay_truce_and_grant(order in arb_date(), grant in prop::option::of(0i64..400)) {
            let mut h = vec![(Stage::CommandementQuitter, order)];
            if let Some(g) = grant {
                h.push((Stage::DemandeConcours, order));
                h.push((Stage::ConcoursAccorde, order + Duration::days(g)));
            }
            let d = deadlines(&h, LandlordKind::Social);
            let ends = d.leave_delay_ends.unwrap();
            let earliest = d.earliest_eviction.unwrap();
            prop_assert_eq!(ends, add_months(order, 2));
            prop_assert!(!in_winter_truce(earliest));
            prop_assert!(earliest >= ends);
            let floor = grant.map_or(ends, |g| ends.max(order + Duration::days(g)));
            prop_assert!(earliest >= floor);
            prop_assert!(earliest == floor || in_winter_truce(earliest.previous_day().unwrap()));
        }

        /// Months never go backwards and land in the right month, on the same day when it exists.
        #[test]
        fn add_months_lands_in_the_right_month(d in arb_date(), n in 0u32..600) {
            let r = add_months(d, n);
            prop_assert!(r >= d);
            let index = |x: Date| i64::from(x.year()) * 12 + i64::from(u8::from(x.month()));
            prop_assert_eq!(index(r) - index(d), i64::from(n));
            prop_assert_eq!(r.day(), d.day().min(r.month().length(r.year())));
            prop_assert!(add_months(d, n + 1) >= r);
        }

        /// The due date and the lateness check agree: a referral is on time iff it is on or
        /// before the due date, iff the summons comes 2 months or more after it.
        #[test]
        fn ccapex_due_and_late_agree(summons in arb_date(), before in 0i64..150) {
            let referral = summons - Duration::days(before);
            let h = [(Stage::SaisineCcapex, referral), (Stage::Assignation, summons)];
            let due = deadlines(&h, LandlordKind::Social).ccapex_referral_due.unwrap();
            let on_time = add_months(referral, 2) <= summons;
            prop_assert_eq!(referral <= due, on_time);
            prop_assert_eq!(ccapex_referral_late(&h, LandlordKind::Social), !on_time);
            prop_assert!(add_months(due, 2) <= summons);
        }

        /// after_truce is the first day out of the truce on or after the day.
        #[test]
        fn after_truce_is_the_first_day_out(d in arb_date()) {
            let r = after_truce(d);
            prop_assert!(r >= d && !in_winter_truce(r));
            prop_assert!(r == d || (r.day() == 1 && r.month() == Month::April && in_winter_truce(r.previous_day().unwrap())));
        }
    }
}
