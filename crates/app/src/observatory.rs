//! The observatory: monthly flows from the by-name list itself (one definition per indicator, in
//! `domain::indicators`), month close and revisions. Aggregates only: no name is read.

use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex};

use domain::indicators::{self, FlowRow, FlowTable, HouseholdHistory, LinkedMember, Month, Quartiles};
use domain::policy::{self, Action};
use domain::user::Actor;

use crate::{App, AppError, Result};

/// A month as published (closed) next to the same month as known today.
#[derive(Debug, Clone)]
pub struct Revision {
    pub month: Month,
    pub closed_at: String,
    pub published: FlowRow,
    pub today: FlowRow,
}

impl Revision {
    /// Change of the closing stock since publication (late entries).
    pub fn stock_revision(&self) -> i64 {
        i64::from(self.today.closing) - i64::from(self.published.closing)
    }
}

/// What is kept between requests: the indicators' reads (under the data version and the
/// households' stamps, moved by triggers on every table read, so that a dashboard reads again
/// only what changed, by this server or any other process) and the persons of the check at
/// entry (under the identity version).
#[derive(Default)]
pub(crate) struct Reads {
    /// The histories and linkage groups, brought up to date household by household.
    pub(crate) observatory: crate::observatory_reads::ObservatoryReads,
    /// Every person's memberships, for the check at entry (which admits the readable ones),
    /// under the narrower identity version.
    memberships: Mutex<Option<(i64, Arc<crate::entry_check::EntryIndex>)>>,
}

/// The cached value if `version` is the one it was read under.
fn cached<T>(slot: &Mutex<Option<(i64, Arc<T>)>>, version: i64) -> Option<Arc<T>> {
    let slot = slot.lock().unwrap_or_else(|e| e.into_inner());
    slot.as_ref().filter(|(v, _)| *v == version).map(|(_, t)| Arc::clone(t))
}

fn keep<T>(slot: &Mutex<Option<(i64, Arc<T>)>>, version: i64, value: &Arc<T>) {
    let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
    // never replace a newer read by an older one (two requests reading at once)
    if slot.as_ref().is_none_or(|(v, _)| *v <= version) {
        *slot = Some((version, Arc::clone(value)));
    }
}

/// Everything the dashboard shows, computed from one read of the histories.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub flows: FlowTable,
    pub time_to_housing: Option<Quartiles>,
    pub support: Vec<indicators::SupportShare>,
    /// Member records of the households actif at each month end, and distinct persons among
    /// them once the linkage grouped one person's records (the whole territory).
    pub persons: Vec<indicators::PersonCount>,
    /// (horizon in days, returns) for exits to housing during the period
    /// ([`indicators::RETURN_HORIZONS_DAYS`]: 6, 12 and 24 months).
    pub returns: Vec<(i64, indicators::Returns)>,
}

impl App {
    /// The dashboard's figures: flows over `flow_months` (which may start before the period, for
    /// averages), the other indicators over `period` for `segment`, returns as known today.
    pub async fn dashboard(
        &self,
        actor: Option<&Actor>,
        flow_months: RangeInclusive<Month>,
        period: RangeInclusive<Month>,
        segment: &indicators::Segment,
    ) -> Result<Dashboard> {
        self.check_aggregates(actor)?;
        // one read for both: the same households in the same order
        let (histories, members) = self.observatory_reads().await?;
        let rules = self.config.status_rules;
        let exits = period.start().first_day()..=period.end().last_day();
        let today = self.today();
        Ok(Dashboard {
            flows: indicators::compute_in_parallel(&histories, flow_months, rules, 2),
            time_to_housing: indicators::time_to_housing_in(&histories, period.clone(), rules, segment),
            persons: indicators::distinct_persons(&histories, &members, period.clone(), rules),
            support: indicators::support_share_in(&histories, period, rules, segment),
            returns: indicators::RETURN_HORIZONS_DAYS
                .iter()
                .map(|d| {
                    (*d, indicators::returns_after_housing_in(&histories, exits.clone(), *d, today, rules, segment))
                })
                .collect(),
        })
    }

    fn check_aggregates(&self, actor: Option<&Actor>) -> Result<()> {
        match actor {
            Some(a) if !policy::may(a, Action::ReadAggregates, self.today()) => Err(AppError::Forbidden),
            _ => Ok(()),
        }
    }

    /// Every household's history (no names), for the indicators: read again, household by
    /// household, only when the data changed since the last read ([`App::observatory_reads`]).
    pub async fn histories(&self) -> Result<Arc<Vec<HouseholdHistory>>> {
        Ok(self.observatory_reads().await?.0)
    }

    /// Every household's members with their linkage group, as [`App::histories`].
    pub async fn linked_members(&self) -> Result<Arc<Vec<Vec<LinkedMember>>>> {
        Ok(self.observatory_reads().await?.1)
    }

    /// Every person's memberships and their normalised dataset, as [`App::histories`] but
    /// under the identity version (a contact or a situation recorded keeps them): names and
    /// birth dates, for the check at entry, which admits at each check only what the reader
    /// may read.
    pub async fn entry_index(&self) -> Result<Arc<crate::entry_check::EntryIndex>> {
        self.kept(&self.reads.memberships, |mut conn| async move {
            crate::entry_check::EntryIndex::new(store::linkage::memberships(&mut conn).await?)
        })
        .await
    }

    /// The value kept in `slot` if the identity version has not moved, else `read` again (on the
    /// connection that read the version, after it).
    async fn kept<T, F, Fut>(&self, slot: &Mutex<Option<(i64, Arc<T>)>>, read: F) -> Result<Arc<T>>
    where
        F: FnOnce(store::PooledConn) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let mut conn = self.store.pool().acquire().await?;
        let version = store::observatory::identity_version(&mut conn).await?;
        if let Some(value) = cached(slot, version) {
            return Ok(value);
        }
        let value = Arc::new(read(conn).await?);
        keep(slot, version, &value);
        Ok(value)
    }

    /// The last complete month (the current one is not over).
    pub fn last_complete_month(&self) -> Month {
        Month::of(self.today()).previous()
    }

    /// Monthly flows for every segment over `months`, as known today. `actor` is `None` for the
    /// operator's command line.
    pub async fn flows(&self, actor: Option<&Actor>, months: RangeInclusive<Month>) -> Result<FlowTable> {
        self.check_aggregates(actor)?;
        let histories = self.histories().await?;
        Ok(indicators::compute_in_parallel(&histories, months, self.config.status_rules, 2))
    }

    /// Median (p25, p75) days from first identification to housing, for households housed in
    /// `months`.
    pub async fn time_to_housing(
        &self,
        actor: Option<&Actor>,
        months: RangeInclusive<Month>,
    ) -> Result<Option<Quartiles>> {
        self.check_aggregates(actor)?;
        let histories = self.histories().await?;
        Ok(indicators::time_to_housing(&histories, months, self.config.status_rules))
    }

    /// For each month: households actif at its end, and those with a support measure running.
    pub async fn support_share(
        &self,
        actor: Option<&Actor>,
        months: RangeInclusive<Month>,
    ) -> Result<Vec<indicators::SupportShare>> {
        self.check_aggregates(actor)?;
        let histories = self.histories().await?;
        Ok(indicators::support_share(&histories, months, self.config.status_rules))
    }

    /// Freezes `month`'s figures (all segments) as published. A month is closed once; it must be
    /// complete.
    pub async fn close_month(&self, month: Month) -> Result<usize> {
        if month > self.last_complete_month() {
            return Err(domain::InvalidInput::new("mois", "seul un mois terminé peut être clôturé").into());
        }
        let table = self.flows(None, month..=month).await?;
        let rows: Vec<&FlowRow> = table.rows().iter().collect();
        let json =
            serde_json::to_string(&rows).map_err(|_| AppError::Store(store::StoreError::Corrupt("json".into())))?;
        let mut conn = self.store.pool().acquire().await?;
        store::observatory::insert_close(&mut conn, &month.to_string(), &json).await.map_err(|e| match e {
            store::StoreError::Conflict => domain::InvalidInput::new("mois", "ce mois est déjà clôturé").into(),
            e => AppError::Store(e),
        })?;
        Ok(rows.len())
    }

    /// The closed months in `months`, each with its published rows.
    pub async fn published(
        &self,
        actor: Option<&Actor>,
        months: RangeInclusive<Month>,
    ) -> Result<Vec<(Month, String, Vec<FlowRow>)>> {
        self.check_aggregates(actor)?;
        let mut conn = self.store.pool().acquire().await?;
        let closes =
            store::observatory::closes(&mut conn, &months.start().to_string(), &months.end().to_string()).await?;
        closes
            .into_iter()
            .map(|(m, at, json)| {
                let month = Month::parse(&m).map_err(|_| store::StoreError::Corrupt("mois".into()))?;
                let rows: Vec<FlowRow> =
                    serde_json::from_str(&json).map_err(|_| store::StoreError::Corrupt("json".into()))?;
                Ok((month, at, rows))
            })
            .collect()
    }

    /// For one segment (by code): each closed month's published row next to today's.
    pub fn revisions(
        table: &FlowTable,
        published: &[(Month, String, Vec<FlowRow>)],
        segment_code: &str,
    ) -> Vec<Revision> {
        published
            .iter()
            .filter_map(|(month, at, rows)| {
                let p = rows.iter().find(|r| r.segment.code() == segment_code)?;
                let t = table.rows().iter().find(|r| r.month == *month && r.segment.code() == segment_code)?;
                Some(Revision { month: *month, closed_at: at.clone(), published: p.clone(), today: t.clone() })
            })
            .collect()
    }
}
