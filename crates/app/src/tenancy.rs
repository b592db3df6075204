//! The landlord tier: the tenancy summary a landlord or the social rental agency sees, with the
//! household's agreement — never the social file.

use domain::audit::{AuditAction, Outcome};
use domain::household::HouseholdType;
use domain::policy::{self, Action};
use domain::tenancy::{DwellingNeed, ResourcesBand};
use domain::user::Actor;
use domain::HouseholdId;

use crate::audit::record;
use crate::{App, Result};

pub use store::access::TenancyFilter;

/// A page of the housing requests shared with a landlord.
#[derive(Debug, Clone)]
pub struct TenancyRequests {
    pub summaries: Vec<TenancySummary>,
    /// How many requests the filter keeps, on all pages.
    pub total: usize,
    /// The communes of all the requests shared with it: (INSEE code, name, how many).
    pub communes: Vec<(String, String, i64)>,
}

#[derive(Debug, Clone)]
pub struct TenancySummary {
    pub id: HouseholdId,
    pub household_type: HouseholdType,
    pub adults: usize,
    pub children: usize,
    /// The commune's name, and its INSEE code.
    pub commune: Option<String>,
    pub commune_code: Option<String>,
    pub resources: Option<ResourcesBand>,
    pub dwelling_needs: Vec<DwellingNeed>,
}

impl App {
    pub async fn tenancy_summary(&self, actor: &Actor, id: HouseholdId) -> Result<TenancySummary> {
        let (mut tx, _) =
            self.authorise(actor, id, Action::ReadTenancySummary, AuditAction::TenancySummaryRead).await?;
        let summary = summary_of(&mut tx, id, self.today()).await?;
        record(&mut tx, actor, AuditAction::TenancySummaryRead, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The housing requests shared with a landlord or the social rental agency: one page of the
    /// summaries it may read (`policy::tenancy_list_scope`: the agency's, under the same rule as
    /// one summary's; a landlord is listed nothing) that
    /// `filter` keeps, oldest request first, how many `filter` keeps, and the communes of all of
    /// them. Each summary shown is in its household's own access log, as one opened alone is.
    pub async fn tenancy_requests(
        &self,
        actor: &Actor,
        filter: &TenancyFilter,
        page: usize,
        per_page: usize,
    ) -> Result<TenancyRequests> {
        let today = self.today();
        let scope = policy::tenancy_list_scope(actor, today);
        let mut tx = self.store.begin_audited().await?;
        let ids = store::access::tenancy_households(&mut tx, &scope, today, filter).await?;
        let communes = store::access::tenancy_communes(&mut tx, &scope, today).await?;
        let mut summaries = Vec::new();
        for &id in ids.iter().skip(page.saturating_sub(1) * per_page).take(per_page) {
            summaries.push(summary_of(&mut tx, id, today).await?);
            record(&mut tx, actor, AuditAction::TenancySummaryRead, Some(("household", id.0)), Outcome::Allowed)
                .await?;
        }
        tx.commit().await?;
        Ok(TenancyRequests { summaries, total: ids.len(), communes })
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

/// What a tenancy summary says of household `id` on `today`: composition, commune, resources band
/// and needs for the dwelling — nothing of the social file.
pub(crate) async fn summary_of(tx: &mut store::Tx, id: HouseholdId, today: domain::Date) -> Result<TenancySummary> {
    let h = store::households::get(tx, id).await?.ok_or(crate::AppError::NotFound)?;
    let (band, needs) = store::households::tenancy_fields(tx, id).await?;
    let present: Vec<_> = h.members.iter().filter(|m| m.present_on(today)).collect();
    let children = present
        .iter()
        .filter(|m| {
            m.person
                .birth_date
                .map_or(m.role == domain::household::MemberRole::Enfant, |b| domain::household::age_on(b, today) < 18)
        })
        .count();
    Ok(TenancySummary {
        id,
        household_type: HouseholdType::of(&h.members, today),
        adults: present.len() - children,
        children,
        commune_code: h.commune.as_ref().map(|c| c.0.as_str().to_owned()),
        commune: h.commune.map(|c| c.1),
        resources: band.as_deref().and_then(|b| ResourcesBand::parse(b).ok()),
        dwelling_needs: needs.as_deref().map(DwellingNeed::decode).transpose()?.unwrap_or_default(),
    })
}
