//! The records the engine linked to a household's members, shown on its file, and « not the
//! same person » from there: an automatic link can be contested, not only a proposed pair.
//! Only records the reader may read are shown (a link to a file outside one's access is not
//! even mentioned).

use domain::audit::{AuditAction, Outcome as AuditOutcome};
use domain::identity::DecisionBasis;
use domain::policy::{self, Action};
use domain::user::Actor;
use domain::{HouseholdId, InvalidInput, PersonId};
use store::linkage::Candidate;

use crate::audit::record;
use crate::duplicates::{display_name, side_of};
use crate::{App, AppError, Result};

/// A member of the household and a record of another household the engine found to be the same
/// person, at the last linkage run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    pub here: PersonId,
    pub here_name: String,
    pub other: PersonId,
    pub other_household: HouseholdId,
    pub other_name: String,
    /// Whether the reader may say they are different people (a reviewer of both files).
    pub may_separate: bool,
}

fn ordered(a: PersonId, b: PersonId) -> (PersonId, PersonId) {
    if a.0 <= b.0 {
        (a, b)
    } else {
        (b, a)
    }
}

impl App {
    /// The automatic links of a household's members to records the reader may read, without
    /// the pairs a reviewer already decided (a merge shows apart). Logged as one read.
    pub async fn household_links(&self, actor: &Actor, household: HouseholdId) -> Result<Vec<LinkView>> {
        let (mut tx, here_facts) = self.authorise(actor, household, Action::ReadFile, AuditAction::LinkageRead).await?;
        let rec = store::households::get(&mut tx, household).await?.ok_or(AppError::NotFound)?;
        let ids: Vec<PersonId> = rec.members.iter().map(|m| m.person.id).collect();
        let today = self.today();
        let mut out = Vec::new();
        for m in &rec.members {
            let here = m.person.id;
            let decided = store::linkage::decided_pairs_of(&mut tx, here).await?;
            for other in store::linkage::cluster_mates(&mut tx, here).await? {
                if ids.contains(&other) || decided.contains(&ordered(here, other)) {
                    continue;
                }
                let Some((h, facts)) = self.facts_of(&mut tx, other).await? else { continue };
                if !policy::decide(actor, Action::ReadFile, &facts, today) {
                    continue;
                }
                let r = store::households::get(&mut tx, h).await?.ok_or(AppError::NotFound)?;
                let Some(o) = side_of(&r.members, other) else { continue };
                out.push(LinkView {
                    here,
                    here_name: display_name(m),
                    other,
                    other_household: h,
                    other_name: display_name(o),
                    may_separate: policy::may_review_pair(actor, &here_facts, &facts, today),
                });
            }
        }
        record(&mut tx, actor, AuditAction::LinkageRead, Some(("household", household.0)), AuditOutcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// « Not the same person » on an automatic link shown on `household`'s file: kept as a
    /// decision, so the pair is never linked nor proposed again; the engine's clusters around
    /// them are formed again at once without that link (`clusters::recluster_around`).
    /// Refused and logged unless the two are linked and the actor may review both files.
    pub async fn separate(
        &self,
        actor: &Actor,
        household: HouseholdId,
        (here, other): (PersonId, PersonId),
        basis: DecisionBasis,
    ) -> Result<()> {
        if basis == DecisionBasis::Unstated {
            return Err(AppError::Invalid(InvalidInput::new("motif", "indiquez sur quoi repose la décision")));
        }
        let mut tx = self.store.begin_audited().await?;
        let (a, b) = ordered(here, other);
        let pair = Candidate { id: 0, a, b, probability: 0.0, explanation: String::new() };
        let linked = store::linkage::cluster_mates(&mut tx, here).await?.contains(&other);
        let on_file = store::linkage::households_of(&mut tx, here).await?.contains(&household);
        let allowed = linked && on_file && self.reviewable(&mut tx, actor, &pair).await?.is_some();
        if !allowed {
            record(
                &mut tx,
                actor,
                AuditAction::LinkageDecision,
                Some(("household", household.0)),
                AuditOutcome::Denied,
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::NotFound);
        }
        store::linkage::decide(&mut tx, a, b, false, basis, (actor.org, actor.user)).await.map_err(|e| match e {
            store::StoreError::Conflict => {
                AppError::Invalid(InvalidInput::new("rapprochement", "cette paire est déjà tranchée"))
            }
            e => e.into(),
        })?;
        crate::clusters::recluster_around(&mut tx, &[a, b]).await?;
        record(&mut tx, actor, AuditAction::LinkageDecision, Some(("household", household.0)), AuditOutcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
