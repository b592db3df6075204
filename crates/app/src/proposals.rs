//! A captured dwelling proposed to a household: the agency proposes it to a request it fits; the
//! household's référents hear of it (its number, the dwelling, no name) and answer on the file
//! after talking with the household; the agency hears the answer. Every step is in the
//! household's own access log (`dwelling.proposal`).

use domain::audit::{AuditAction, Outcome};
use domain::dwelling::fit;
use domain::policy::{self, Action};
use domain::territory::InseeCode;
use domain::user::{Actor, Role};
use domain::{format_date_fr, HouseholdId, InvalidInput};
use store::dwellings::{DwellingRecord, DwellingState, Proposal};

use crate::audit::record;
use crate::tenancy::summary_of;
use crate::{App, AppError, Result};

/// A proposal as the household's file shows it.
#[derive(Debug, Clone)]
pub struct ProposalView {
    pub proposal: Proposal,
    pub dwelling: DwellingRecord,
    /// Whether the reader may answer it (writes in the file, and it waits).
    pub may_answer: bool,
}

impl App {
    /// Proposes one of the agency's available dwellings to a household whose summary it may read
    /// and that the dwelling fits. Returns how many référents were told.
    pub async fn propose_dwelling(&self, actor: &Actor, dwelling: i64, household: HouseholdId) -> Result<usize> {
        let mut tx = self.store.begin_audited().await?;
        let (today, now) = (self.today(), self.now_ts());
        let d = store::dwellings::get(&mut tx, dwelling).await?;
        let facts = store::access::household_facts(&mut tx, household, today, &now).await?;
        let (d, facts) = match (d, facts) {
            (Some(d), Some(f))
                if policy::may_capture(actor)
                    && d.org == actor.org
                    && policy::decide(actor, Action::ReadTenancySummary, &f, today) =>
            {
                (d, f)
            }
            _ => {
                record(
                    &mut tx,
                    actor,
                    AuditAction::DwellingProposal,
                    Some(("household", household.0)),
                    Outcome::Denied,
                )
                .await?;
                tx.commit().await?;
                return Err(AppError::NotFound);
            }
        };
        if d.state != DwellingState::Disponible {
            return Err(AppError::Invalid(InvalidInput::new("logement", "il n'est plus disponible")));
        }
        let s = summary_of(&mut tx, household, today).await?;
        let commune = s.commune_code.as_deref().and_then(|c| InseeCode::parse(c).ok());
        if !fit(&d.dwelling, s.adults + s.children, &s.dwelling_needs, s.resources, commune.as_ref()).fits() {
            return Err(AppError::Invalid(InvalidInput::new("logement", "il ne convient pas à ce ménage")));
        }
        store::dwellings::propose(&mut tx, dwelling, household, actor.org, actor.user).await.map_err(|e| match e {
            store::StoreError::Conflict => {
                AppError::Invalid(InvalidInput::new("proposition", "déjà faite à ce ménage"))
            }
            e => e.into(),
        })?;
        let agency = store::orgs::get(&mut tx, actor.org).await?.map(|o| o.name).unwrap_or_default();
        let message = format!(
            "Ménage n° {} : {agency} propose un logement {} à {} ({} € charges comprises), disponible le {} — à présenter au ménage, puis répondre sur son dossier",
            household.0,
            d.dwelling.typology(),
            d.commune_name,
            d.dwelling.rent,
            format_date_fr(d.dwelling.available_on)
        );
        let mut told = 0;
        for &org in &facts.followers {
            let grants = store::access::grants_of(&mut tx, org).await?;
            for (user, roles) in store::users::active_members_of(&mut tx, org).await? {
                let reader = Actor { user, org, roles, grants: grants.clone() };
                if reader.has(Role::Referent) && policy::decide(&reader, Action::WriteFile, &facts, today) {
                    let link = format!("/menages/{}#logement", household.0);
                    store::cca::notify(&mut tx, user, "logement", &message, &link, None).await?;
                    told += 1;
                }
            }
        }
        record(&mut tx, actor, AuditAction::DwellingProposal, Some(("household", household.0)), Outcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(told)
    }

    /// The dwellings proposed to a household, newest first, for its file (whoever may read it).
    pub async fn household_proposals(&self, actor: &Actor, household: HouseholdId) -> Result<Vec<ProposalView>> {
        let (mut tx, facts) = self.authorise(actor, household, Action::ReadFile, AuditAction::DwellingProposal).await?;
        let may_write = policy::decide(actor, Action::WriteFile, &facts, self.today());
        let mut out = Vec::new();
        for p in store::dwellings::proposals_of_household(&mut tx, household).await? {
            let Some(d) = store::dwellings::get(&mut tx, p.dwelling).await? else { continue };
            out.push(ProposalView { may_answer: may_write && p.accepted.is_none(), proposal: p, dwelling: d });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The référent's answer, after talking with the household; the agency's author hears it.
    pub async fn answer_proposal(&self, actor: &Actor, proposal: i64, accepted: bool) -> Result<HouseholdId> {
        let mut conn = self.store.pool().acquire().await?;
        let p = store::dwellings::proposal(&mut conn, proposal).await?.ok_or(AppError::NotFound)?;
        drop(conn);
        let (mut tx, _) = self.authorise(actor, p.household, Action::WriteFile, AuditAction::DwellingProposal).await?;
        if !store::dwellings::answer(&mut tx, proposal, accepted, actor.user).await? {
            return Err(AppError::Invalid(InvalidInput::new("proposition", "elle a déjà une réponse")));
        }
        if let Some(by) = p.proposed_by {
            let what = if accepted { "acceptée" } else { "refusée" };
            let message =
                format!("Ménage n° {} : la proposition du logement n° {} est {what}", p.household.0, p.dwelling);
            store::cca::notify(&mut tx, by, "logement", &message, &format!("/logement/offres/{}", p.dwelling), None)
                .await?;
        }
        record(&mut tx, actor, AuditAction::DwellingProposal, Some(("household", p.household.0)), Outcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(p.household)
    }
}
