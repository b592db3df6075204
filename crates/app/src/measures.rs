//! Support measures: start with an operator and a referent, reviews, renewals, end. An exit to
//! housing records the new housed situation in the household's pathway, so the by-name list and
//! the observatory see it the same day.

use domain::audit::{AuditAction, Outcome as AuditOutcome};
use domain::cca::measure::Plan;
use domain::cca::{EndReason, HousingType, MeasureEvent, ReviewOutcome};
use domain::pathway::EventKind;
use domain::policy::{self, Action};
use domain::situation::Period;
use domain::timeline;
use domain::user::Actor;
use domain::{add_months, Date, HouseholdId, InvalidInput, OrgId, UserId};
use store::households::Author;
use store::measures::{MeasureRecord, StepRecord};
use store::Tx;

use crate::audit::record;
use crate::{App, AppError, Result};

/// A measure with its history, for the household's file and the measure's page.
#[derive(Debug, Clone)]
pub struct MeasureView {
    pub measure: MeasureRecord,
    pub steps: Vec<StepRecord>,
    pub may_manage: bool,
}

/// How a measure ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    pub on: Date,
    pub reason: EndReason,
    /// Required when the household was housed.
    pub housing: Option<HousingType>,
    pub note: String,
}

impl App {
    /// Loads a measure the actor may manage, or logs the refusal.
    async fn managed_measure(&self, actor: &Actor, id: i64) -> Result<(Tx, MeasureRecord)> {
        let mut tx = self.store.begin_audited().await?;
        match store::measures::get(&mut tx, id).await? {
            Some(m) if policy::may_manage_measure(actor, m.operator) => Ok((tx, m)),
            _ => {
                record(&mut tx, actor, AuditAction::MeasureWrite, Some(("measure", id)), AuditOutcome::Denied).await?;
                tx.commit().await?;
                Err(AppError::NotFound)
            }
        }
    }

    fn not_future(&self, d: Date, field: &'static str) -> Result<()> {
        if d > self.today() {
            return Err(InvalidInput::new(field, "la date ne peut pas être dans le futur").into());
        }
        Ok(())
    }

    /// Starts a granted measure. The operator organisation joins the household's follow-up
    /// (its référents then see the file, as any follower's do).
    pub async fn start_measure(
        &self,
        actor: &Actor,
        id: i64,
        operator: OrgId,
        referent: Option<UserId>,
        plan: Plan,
    ) -> Result<()> {
        plan.validate()?;
        self.not_future(plan.start, "début")?;
        let (mut tx, m) = self.managed_measure(actor, id).await?;
        m.state.next(MeasureEvent::Demarrer)?;
        store::orgs::get(&mut tx, operator).await?.ok_or(InvalidInput::new("opérateur", "structure inconnue"))?;
        if let Some(u) = referent {
            let ms = store::users::memberships(&mut tx, u).await?;
            if !ms.iter().any(|x| x.org == operator) {
                return Err(InvalidInput::new("référent", "il doit appartenir à la structure opératrice").into());
            }
        }
        store::measures::start(&mut tx, id, operator, referent, &plan).await?;
        store::measures::insert_step(&mut tx, id, "demarrage", plan.start, None, None, (actor.org, actor.user)).await?;
        if !store::measures::follows(&mut tx, m.household, operator, plan.start).await? {
            store::households::insert_follow(&mut tx, m.household, operator, plan.start, None, false).await?;
        }
        record(&mut tx, actor, AuditAction::MeasureWrite, Some(("measure", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a review (*bilan*) and the next review date.
    pub async fn review_measure(
        &self,
        actor: &Actor,
        id: i64,
        on: Date,
        outcome: ReviewOutcome,
        note: &str,
        next_review: Option<Date>,
    ) -> Result<()> {
        self.not_future(on, "date du bilan")?;
        check_note(note)?;
        let (mut tx, m) = self.managed_measure(actor, id).await?;
        m.state.next(MeasureEvent::Bilan)?;
        if m.start.is_some_and(|s| on < s) {
            return Err(InvalidInput::new("date du bilan", "le bilan suit le début de la mesure").into());
        }
        if next_review.is_some_and(|n| n <= on) {
            return Err(InvalidInput::new("prochain bilan", "il suit ce bilan").into());
        }
        let note = Some(note.trim()).filter(|n| !n.is_empty());
        store::measures::insert_step(&mut tx, id, "bilan", on, Some(outcome.code()), note, (actor.org, actor.user))
            .await?;
        store::measures::set_schedule(&mut tx, id, m.planned_months, m.planned_end, next_review).await?;
        record(&mut tx, actor, AuditAction::MeasureWrite, Some(("measure", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Renews a running measure for `months` more, from its planned end (or today).
    pub async fn renew_measure(
        &self,
        actor: &Actor,
        id: i64,
        months: i64,
        next_review: Option<Date>,
        note: &str,
    ) -> Result<()> {
        if !(1..=60).contains(&months) {
            return Err(InvalidInput::new("durée", "entre 1 et 60 mois").into());
        }
        check_note(note)?;
        let (mut tx, m) = self.managed_measure(actor, id).await?;
        m.state.next(MeasureEvent::Renouveler)?;
        let today = self.today();
        let from = m.planned_end.unwrap_or(today);
        let end = add_months(from, months);
        let note = Some(note.trim()).filter(|n| !n.is_empty());
        store::measures::insert_step(&mut tx, id, "renouvellement", today, None, note, (actor.org, actor.user)).await?;
        store::measures::set_schedule(&mut tx, id, m.planned_months + months, Some(end), next_review.or(m.next_review))
            .await?;
        record(&mut tx, actor, AuditAction::MeasureWrite, Some(("measure", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends a measure. Housed: the household's situation becomes the housing's from that day;
    /// death and departure are recorded as pathway events, so the status follows.
    pub async fn end_measure(&self, actor: &Actor, id: i64, ending: &Ending) -> Result<()> {
        self.not_future(ending.on, "date de fin")?;
        check_note(&ending.note)?;
        let housing = match (ending.reason, ending.housing) {
            (EndReason::Loge, None) => {
                return Err(InvalidInput::new("type de logement", "préciser le logement obtenu").into())
            }
            (EndReason::Loge, h) => h,
            _ => None,
        };
        let (mut tx, m) = self.managed_measure(actor, id).await?;
        m.state.next(MeasureEvent::Terminer(ending.reason))?;
        if m.start.is_some_and(|s| ending.on < s) {
            return Err(InvalidInput::new("date de fin", "la fin suit le début de la mesure").into());
        }
        let by = Author { org: actor.org, user: Some(actor.user) };
        match ending.reason {
            EndReason::Loge => {
                let situation = housing.expect("checked above").situation();
                self.record_situation(&mut tx, m.household, situation, ending.on, by).await?;
            }
            EndReason::Deces => {
                store::households::insert_event(&mut tx, m.household, EventKind::Deces, ending.on, by, None).await?;
            }
            EndReason::DepartTerritoire => {
                store::households::insert_event(&mut tx, m.household, EventKind::DepartTerritoire, ending.on, by, None)
                    .await?;
            }
            _ => {}
        }
        let note = Some(ending.note.trim()).filter(|n| !n.is_empty());
        store::measures::insert_step(
            &mut tx,
            id,
            "fin",
            ending.on,
            Some(ending.reason.code()),
            note,
            (actor.org, actor.user),
        )
        .await?;
        store::measures::end(&mut tx, id, ending.on, ending.reason, housing).await?;
        record(&mut tx, actor, AuditAction::MeasureWrite, Some(("measure", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The new housed situation, from `on`: same rule as a change of situation entered by hand
    /// (history kept; no period may start on or after it).
    async fn record_situation(
        &self,
        tx: &mut Tx,
        household: HouseholdId,
        situation: domain::situation::Situation,
        on: Date,
        by: Author,
    ) -> Result<()> {
        let h = store::households::get(tx, household).await?.ok_or(AppError::NotFound)?;
        let starts: Vec<Date> = h.periods.iter().map(|p| p.period.start).collect();
        timeline::check_situation_change(&starts, on, self.today())?;
        store::households::close_open_periods(tx, household, on).await?;
        store::households::insert_period(tx, household, &Period::new(situation, on, None)?, by).await?;
        store::households::insert_event(tx, household, EventKind::ChangementSituation, on, by, None).await?;
        Ok(())
    }

    /// A household's measures, for whoever may read its file.
    pub async fn household_measures(&self, actor: &Actor, household: HouseholdId) -> Result<Vec<MeasureView>> {
        let (mut tx, _) = self.authorise(actor, household, Action::ReadFile, AuditAction::MeasureRead).await?;
        let measures = store::measures::of_household(&mut tx, household).await?;
        let mut out = Vec::with_capacity(measures.len());
        for m in measures {
            let steps = store::measures::steps(&mut tx, m.id).await?;
            out.push(MeasureView { may_manage: policy::may_manage_measure(actor, m.operator), measure: m, steps });
        }
        record(&mut tx, actor, AuditAction::MeasureRead, Some(("household", household.0)), AuditOutcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// One measure, for those who manage it.
    pub async fn measure(&self, actor: &Actor, id: i64) -> Result<MeasureView> {
        let mut tx = self.store.begin_audited().await?;
        match store::measures::get(&mut tx, id).await? {
            Some(m) if policy::may_manage_measure(actor, m.operator) => {
                let steps = store::measures::steps(&mut tx, id).await?;
                record(&mut tx, actor, AuditAction::MeasureRead, Some(("measure", id)), AuditOutcome::Allowed).await?;
                tx.commit().await?;
                Ok(MeasureView { measure: m, steps, may_manage: true })
            }
            _ => {
                record(&mut tx, actor, AuditAction::MeasureRead, Some(("measure", id)), AuditOutcome::Denied).await?;
                tx.commit().await?;
                Err(AppError::NotFound)
            }
        }
    }

    /// The measures the actor manages: all for the CCA manager, its organisation's as operator
    /// for a référent.
    pub async fn managed_measures(&self, actor: &Actor) -> Result<Vec<MeasureRecord>> {
        let mut tx = self.store.begin_audited().await?;
        let all = store::measures::all(&mut tx).await?;
        let mine: Vec<_> = all.into_iter().filter(|m| policy::may_manage_measure(actor, m.operator)).collect();
        record(&mut tx, actor, AuditAction::MeasureRead, None, AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(mine)
    }

    /// The référents a measure may be given to: (account, name, organisation name).
    pub async fn measure_referents(&self) -> Result<Vec<(UserId, String, String)>> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(store::cca::role_holders(&mut conn, domain::user::Role::Referent.code()).await?)
    }

    /// Organisations that may operate measures: (id, name).
    pub async fn operators(&self) -> Result<Vec<(OrgId, String)>> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(store::orgs::all(&mut conn).await?.into_iter().map(|o| (o.id, o.name)).collect())
    }
}

fn check_note(note: &str) -> Result<()> {
    if note.chars().count() > 2000 {
        return Err(InvalidInput::new("note", "2 000 caractères au plus").into());
    }
    Ok(())
}
