//! Housing captation: the social rental agency records the dwellings it captured and sees, for
//! each, the shared housing requests it fits, best first (`domain::dwelling::fit`). It reads only
//! tenancy summaries, under the same rule as its list of requests (`policy::tenancy_list_scope`);
//! each summary shown is written in its household's access log.

use domain::audit::{AuditAction, Outcome};
use domain::dwelling::{fit, occupancy, Dwelling, Fit};
use domain::policy;
use domain::tenancy::{DwellingNeed, ResourcesBand};
use domain::territory::InseeCode;
use domain::user::Actor;
pub use store::dwellings::{DwellingRecord, DwellingState};

use crate::audit::record;
use crate::tenancy::{summary_of, TenancyFilter, TenancySummary};
use crate::{App, AppError, Result};

/// A dwelling and the requests it fits, best first.
#[derive(Debug, Clone)]
pub struct DwellingMatches {
    pub dwelling: DwellingRecord,
    pub matches: Vec<(TenancySummary, Fit)>,
    /// How many requests it fits in all (the page shows `MATCHES_SHOWN` at most).
    pub total: usize,
    /// The households it was proposed to, and their answers.
    pub proposals: Vec<store::dwellings::Proposal>,
}

/// Requests shown for one dwelling.
pub const MATCHES_SHOWN: usize = 50;

impl App {
    /// Records a captured dwelling for the actor's agency. Refused, and logged, to anyone but
    /// its chargé·e de captation.
    pub async fn capture_dwelling(&self, actor: &Actor, d: &Dwelling) -> Result<i64> {
        let mut tx = self.store.begin_audited().await?;
        if !policy::may_capture(actor) {
            record(&mut tx, actor, AuditAction::DwellingWrite, None, Outcome::Denied).await?;
            tx.commit().await?;
            return Err(AppError::Forbidden);
        }
        let id = store::dwellings::insert(&mut tx, actor.org, actor.user, d).await?;
        record(&mut tx, actor, AuditAction::DwellingWrite, Some(("dwelling", id)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The actor's agency's dwellings (none for anyone else).
    pub async fn dwellings(&self, actor: &Actor) -> Result<Vec<DwellingRecord>> {
        if !policy::may_capture(actor) {
            return Ok(Vec::new());
        }
        let mut conn = self.store.pool().acquire().await?;
        Ok(store::dwellings::of_org(&mut conn, actor.org).await?)
    }

    /// One of the agency's dwellings with the requests it fits, while it is available. Another
    /// agency's dwelling is not found (logged).
    pub async fn dwelling_matches(&self, actor: &Actor, id: i64) -> Result<DwellingMatches> {
        let mut tx = self.store.begin_audited().await?;
        let dwelling = match store::dwellings::get(&mut tx, id).await? {
            Some(d) if policy::may_capture(actor) && d.org == actor.org => d,
            _ => {
                record(&mut tx, actor, AuditAction::DwellingWrite, Some(("dwelling", id)), Outcome::Denied).await?;
                tx.commit().await?;
                return Err(AppError::NotFound);
            }
        };
        let proposals = store::dwellings::proposals_of_dwelling(&mut tx, id).await?;
        if dwelling.state != DwellingState::Disponible {
            tx.commit().await?;
            return Ok(DwellingMatches { dwelling, matches: Vec::new(), total: 0, proposals });
        }
        let today = self.today();
        let scope = policy::tenancy_list_scope(actor, today);
        let (min, max) = occupancy(dwelling.dwelling.rooms);
        let sized =
            TenancyFilter { min_persons: Some(min as i64), max_persons: max.map(|m| m as i64), ..Default::default() };
        // weighed from one query; only the summaries shown are read whole (and logged)
        let mut fits = Vec::new();
        for (h, commune, band, needs, persons) in
            store::access::tenancy_requests_facts(&mut tx, &scope, today, &sized).await?
        {
            let commune = commune.as_deref().and_then(|c| InseeCode::parse(c).ok());
            let band = band.as_deref().and_then(|b| ResourcesBand::parse(b).ok());
            let needs = needs.as_deref().map(DwellingNeed::decode).transpose()?.unwrap_or_default();
            let f = fit(&dwelling.dwelling, persons as usize, &needs, band, commune.as_ref());
            if f.fits() {
                fits.push((h, f));
            }
        }
        fits.sort_by_key(|(h, f)| (f.rank(), h.0));
        let total = fits.len();
        let mut matches = Vec::new();
        for (h, f) in fits.into_iter().take(MATCHES_SHOWN) {
            matches.push((summary_of(&mut tx, h, today).await?, f));
            record(&mut tx, actor, AuditAction::TenancySummaryRead, Some(("household", h.0)), Outcome::Allowed).await?;
        }
        tx.commit().await?;
        Ok(DwellingMatches { dwelling, matches, total, proposals })
    }

    /// Marks one of the agency's dwellings available, let or withdrawn.
    pub async fn set_dwelling_state(&self, actor: &Actor, id: i64, state: DwellingState) -> Result<()> {
        let mut tx = self.store.begin_audited().await?;
        match store::dwellings::get(&mut tx, id).await? {
            Some(d) if policy::may_capture(actor) && d.org == actor.org => {
                store::dwellings::set_state(&mut tx, id, state).await?;
                record(&mut tx, actor, AuditAction::DwellingWrite, Some(("dwelling", id)), Outcome::Allowed).await?;
                tx.commit().await?;
                Ok(())
            }
            _ => {
                record(&mut tx, actor, AuditAction::DwellingWrite, Some(("dwelling", id)), Outcome::Denied).await?;
                tx.commit().await?;
                Err(AppError::NotFound)
            }
        }
    }
}
