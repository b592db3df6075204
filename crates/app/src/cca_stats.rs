//! CCA statistics (DOMAIN.md §3) over a period: referrals by referrer type, decisions by
//! outcome, delays, measures, exits, evictions avoided. One definition, used by the page and its
//! CSV and XLSX downloads.

use std::collections::BTreeMap;

use domain::cca::{EndReason, HousingType, Outcome};
use domain::eviction::Closure;
use domain::policy::{self, Action};
use domain::user::Actor;
use domain::Date;

use crate::{App, AppError, Result};

/// One table of figures: a label column and count columns.
#[derive(Debug, Clone, PartialEq)]
pub struct StatTable {
    pub id: &'static str,
    pub title: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<(String, Vec<f64>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CcaStats {
    pub from: Date,
    pub to: Date,
    pub tables: Vec<StatTable>,
    /// For aggregate-only readers (not the CCA manager), counts from 1 to N − 1 — and delays
    /// computed on so few files — are masked: the value is `f64::INFINITY` and this is `Some(N)`.
    pub masked_below: Option<u32>,
}

/// A masked figure (see [`CcaStats::masked_below`]).
pub const MASKED: f64 = f64::INFINITY;

fn mask(tables: &mut [StatTable], threshold: u32) {
    let small = |v: f64| v > 0.0 && v < f64::from(threshold);
    for t in tables {
        for (_, values) in &mut t.rows {
            if t.id == "delais" {
                // (files, median, p90): a delay over few files reveals them.
                if values.first().is_some_and(|n| small(*n)) {
                    values.iter_mut().for_each(|v| *v = MASKED);
                }
            } else {
                values.iter_mut().filter(|v| small(**v)).for_each(|v| *v = MASKED);
            }
        }
    }
}

/// The `q` quantile (0–1) by the nearest-rank method, `None` on no data.
pub fn quantile(values: &[i64], q: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}

fn in_period(d: Option<Date>, from: Date, to: Date) -> bool {
    d.is_some_and(|d| from <= d && d <= to)
}

impl App {
    /// Statistics for `[from, to]` (inclusive): for the CCA manager and aggregate readers.
    pub async fn cca_stats(&self, actor: &Actor, from: Date, to: Date) -> Result<CcaStats> {
        let today = self.today();
        let manager = policy::may(actor, Action::ManageCca, today);
        if !manager && !policy::may(actor, Action::ReadAggregates, today) {
            return Err(AppError::Forbidden);
        }
        if to < from {
            return Err(domain::InvalidInput::new("période", "la fin précède le début").into());
        }
        let mut conn = self.store.pool().acquire().await?;
        let orgs: BTreeMap<i64, String> = store::orgs::all_with_details(&mut conn)
            .await?
            .into_iter()
            .map(|o| (o.org.id.0, o.org.kind.label().to_owned()))
            .collect();
        let referrals = store::cca::referrals(&mut conn, &[], None).await?;
        let decisions = store::cca::all_decisions(&mut conn).await?;
        let measures = store::measures::all(&mut conn).await?;
        let evictions = store::evictions::list(&mut conn, None).await?;

        let mut by_type: BTreeMap<String, f64> = BTreeMap::new();
        for r in referrals.iter().filter(|r| in_period(r.submitted_on, from, to)) {
            *by_type.entry(orgs.get(&r.org.0).cloned().unwrap_or_default()).or_default() += 1.0;
        }

        let period_decisions: Vec<_> = decisions.iter().filter(|d| in_period(Some(d.decided_on), from, to)).collect();
        let outcomes = Outcome::ALL
            .iter()
            .map(|o| (o.label().to_owned(), vec![period_decisions.iter().filter(|d| d.outcome == *o).count() as f64]))
            .collect();

        // Delays: submission → the decision that settled it (adjournments wait for the next),
        // and agreement → the measure's start.
        let mut to_decision = Vec::new();
        for d in period_decisions.iter().filter(|d| d.outcome != Outcome::Ajourne) {
            if let Some(s) = referrals.iter().find(|r| r.id == d.referral).and_then(|r| r.submitted_on) {
                to_decision.push((d.decided_on - s).whole_days());
            }
        }
        let mut to_start = Vec::new();
        for m in &measures {
            let Some(dec) = m.decision.and_then(|id| decisions.iter().find(|d| d.id == id)) else { continue };
            if let Some(start) = m.start.filter(|s| in_period(Some(*s), from, to)) {
                to_start.push((start - dec.decided_on).whole_days());
            }
        }
        let delay_row = |label: &str, v: &[i64]| {
            let q = |p| quantile(v, p).map_or(f64::NAN, |x| x as f64);
            (label.to_owned(), vec![v.len() as f64, q(0.5), q(0.9)])
        };

        let mut by_kind: BTreeMap<String, [f64; 3]> = BTreeMap::new();
        for m in &measures {
            let e = by_kind.entry(m.kind_label.clone()).or_default();
            let running_at_end = m.start.is_some_and(|s| s <= to) && m.end.is_none_or(|e| e > to);
            e[0] += f64::from(u8::from(running_at_end));
            e[1] += f64::from(u8::from(in_period(m.start, from, to)));
            e[2] += f64::from(u8::from(in_period(m.end, from, to)));
        }

        let ended: Vec<_> = measures.iter().filter(|m| in_period(m.end, from, to)).collect();
        let exits = EndReason::ALL
            .iter()
            .map(|r| (r.label().to_owned(), vec![ended.iter().filter(|m| m.end_reason == Some(*r)).count() as f64]))
            .collect();
        let housing = HousingType::ALL
            .iter()
            .map(|h| (h.label().to_owned(), vec![ended.iter().filter(|m| m.housing_type == Some(*h)).count() as f64]))
            .collect();

        let closed: Vec<_> =
            evictions.iter().filter_map(|e| e.closed).filter(|c| in_period(Some(c.1), from, to)).collect();
        let closures = Closure::ALL
            .iter()
            .map(|c| (c.label().to_owned(), vec![closed.iter().filter(|x| x.0 == *c).count() as f64]))
            .collect();
        let avoided = closed.iter().filter(|c| c.0.eviction_avoided()).count() as f64;

        let mut stats = CcaStats {
            from,
            to,
            masked_below: None,
            tables: vec![
                StatTable {
                    id: "saisines",
                    title: "Saisines déposées, par type de structure qui oriente",
                    columns: vec!["Saisines"],
                    rows: by_type.into_iter().map(|(k, v)| (k, vec![v])).collect(),
                },
                StatTable {
                    id: "decisions",
                    title: "Décisions, par issue",
                    columns: vec!["Décisions"],
                    rows: outcomes,
                },
                StatTable {
                    id: "delais",
                    title: "Délais en jours (médiane et 90e centile)",
                    columns: vec!["Dossiers", "Médiane", "90e centile"],
                    rows: vec![
                        delay_row("Dépôt → décision", &to_decision),
                        delay_row("Décision → début de la mesure", &to_start),
                    ],
                },
                StatTable {
                    id: "mesures",
                    title: "Mesures : en cours à la fin de la période, commencées, terminées",
                    columns: vec!["En cours", "Commencées", "Terminées"],
                    rows: by_kind.into_iter().map(|(k, v)| (k, v.to_vec())).collect(),
                },
                StatTable { id: "sorties", title: "Fins de mesure, par motif", columns: vec!["Mesures"], rows: exits },
                StatTable {
                    id: "logements",
                    title: "Sorties vers le logement, par type de logement",
                    columns: vec!["Ménages"],
                    rows: housing,
                },
                StatTable {
                    id: "expulsions",
                    title: "Procédures d'expulsion closes, par issue",
                    columns: vec!["Procédures"],
                    rows: {
                        let mut rows: Vec<(String, Vec<f64>)> = closures;
                        rows.push(("Dont expulsions évitées".into(), vec![avoided]));
                        rows
                    },
                },
            ],
        };
        if !manager && self.config.internal_threshold > 1 {
            mask(&mut stats.tables, self.config.internal_threshold);
            stats.masked_below = Some(self.config.internal_threshold);
        }
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn nearest_rank_quantiles() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[7], 0.9), Some(7));
        assert_eq!(quantile(&[1, 2, 3, 4], 0.5), Some(2));
        assert_eq!(quantile(&[10, 1, 5, 3, 8, 2, 9, 4, 7, 6], 0.9), Some(9));
        assert_eq!(quantile(&[10, 1, 5, 3, 8, 2, 9, 4, 7, 6], 0.5), Some(5));
    }
}
