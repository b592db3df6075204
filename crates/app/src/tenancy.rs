//! The landlord tier: the tenancy summary a landlord or the social rental agency sees, with the
//! household's agreement — never the social file.

use domain::audit::{AuditAction, Outcome};
use domain::household::HouseholdType;
use domain::policy::Action;
use domain::tenancy::{DwellingNeed, ResourcesBand};
use domain::user::Actor;
use domain::HouseholdId;

use crate::audit::record;
use crate::{App, Result};

#[derive(Debug, Clone)]
pub struct TenancySummary {
    pub id: HouseholdId,
    pub household_type: HouseholdType,
    pub adults: usize,
    pub children: usize,
    pub commune: Option<String>,
    pub resources: Option<ResourcesBand>,
    pub dwelling_needs: Vec<DwellingNeed>,
}

impl App {
    pub async fn tenancy_summary(&self, actor: &Actor, id: HouseholdId) -> Result<TenancySummary> {
        let (mut tx, _) =
            self.authorise(actor, id, Action::ReadTenancySummary, AuditAction::TenancySummaryRead).await?;
        let h = store::households::get(&mut tx, id).await?.ok_or(crate::AppError::NotFound)?;
        let (band, needs) = store::households::tenancy_fields(&mut tx, id).await?;
        record(&mut tx, actor, AuditAction::TenancySummaryRead, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        let today = self.today();
        let present: Vec<_> = h.members.iter().filter(|m| m.present_on(today)).collect();
        let children = present
            .iter()
            .filter(|m| {
                m.person.birth_date.map_or(m.role == domain::household::MemberRole::Enfant, |b| {
                    domain::household::age_on(b, today) < 18
                })
            })
            .count();
        Ok(TenancySummary {
            id,
            household_type: HouseholdType::of(&h.members, today),
            adults: present.len() - children,
            children,
            commune: h.commune.map(|c| c.1),
            resources: band.as_deref().and_then(|b| ResourcesBand::parse(b).ok()),
            dwelling_needs: needs.as_deref().map(DwellingNeed::decode).transpose()?.unwrap_or_default(),
        })
    }

    /// The référent records what the tenancy summary will say.
    pub async fn set_tenancy_fields(
        &self,
        actor: &Actor,
        id: HouseholdId,
        band: Option<ResourcesBand>,
        needs: &[DwellingNeed],
    ) -> Result<()> {
        let (mut tx, _) = self.authorise(actor, id, Action::WriteFile, AuditAction::EventRecord).await?;
        store::households::set_tenancy_fields(&mut tx, id, band.map(ResourcesBand::code), &DwellingNeed::encode(needs))
            .await?;
        record(&mut tx, actor, AuditAction::EventRecord, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }
}
