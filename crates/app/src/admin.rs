//! Platform administration: organisations and user accounts. The CLI acts as the operator
//! (no actor); on the web, only administrators may.

use domain::audit::{AuditAction, Outcome};
use domain::org::OrgKind;
use domain::policy;
use domain::territory::InseeCode;
use domain::user::{Actor, Email, Role};
use domain::{InvalidInput, OrgId, UserId};
use store::audit::NewAuditEvent;

use crate::{App, AppError, Result};

fn check(actor: Option<&Actor>) -> Result<()> {
    match actor {
        // Administration involves no grant, hence no date dependence: any day answers the same.
        Some(a)
            if !policy::may(
                a,
                policy::Action::Administer,
                domain::local_time::local_day(time::OffsetDateTime::now_utc()),
            ) =>
        {
            Err(AppError::Forbidden)
        }
        _ => Ok(()),
    }
}

fn event(actor: Option<&Actor>, action: AuditAction, kind: &'static str, id: i64) -> NewAuditEvent {
    NewAuditEvent {
        actor_user: actor.map(|a| a.user.0),
        actor_org: actor.map(|a| a.org.0),
        action,
        target_kind: Some(kind),
        target_id: Some(id),
        outcome: Outcome::Allowed,
    }
}

impl App {
    pub async fn create_organisation(
        &self,
        actor: Option<&Actor>,
        name: &str,
        kind: OrgKind,
        commune: Option<InseeCode>,
    ) -> Result<OrgId> {
        check(actor)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(InvalidInput::new("nom", "obligatoire, 200 caractères au plus").into());
        }
        let mut tx = self.store.begin_audited().await?;
        let id = store::orgs::insert(&mut tx, name, kind, commune.as_ref()).await?;
        store::audit::append(&mut tx, event(actor, AuditAction::OrganisationCreate, "organisation", id.0)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates an account acting for `org` with `roles`. Passwords shorter than 12 characters
    /// are refused, except on demo databases.
    pub async fn create_user(
        &self,
        actor: Option<&Actor>,
        email: &str,
        display_name: &str,
        password: &str,
        org: OrgId,
        roles: &[Role],
        is_demo: bool,
    ) -> Result<UserId> {
        check(actor)?;
        let email = Email::parse(email)?;
        let display_name = display_name.trim();
        if display_name.is_empty() {
            return Err(InvalidInput::new("nom affiché", "obligatoire").into());
        }
        if !is_demo && password.chars().count() < 12 {
            return Err(InvalidInput::new("mot de passe", "12 caractères au moins").into());
        }
        if roles.is_empty() {
            return Err(InvalidInput::new("rôle", "au moins un rôle").into());
        }
        let hash = crate::auth::hash_password(password);
        let mut tx = self.store.begin_audited().await?;
        if store::orgs::get(&mut tx, org).await?.is_none() {
            return Err(InvalidInput::new("organisation", "organisation inconnue").into());
        }
        let id = store::users::insert(&mut tx, &email, display_name, &hash, is_demo).await?;
        for r in roles {
            store::users::add_membership(&mut tx, id, org, *r).await?;
        }
        store::audit::append(&mut tx, event(actor, AuditAction::UserCreate, "user", id.0)).await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// A grant as requested (the id comes from the store).
#[derive(Debug, Clone)]
pub struct NewGrant {
    pub org: OrgId,
    pub role: Role,
    pub scope: domain::policy::TerritoryScope,
    pub tier: domain::policy::Tier,
    pub valid_from: domain::Date,
    pub valid_to: Option<domain::Date>,
}

impl App {
    /// Grants a habilitation. A tier above the role's ceiling is refused rather than silently
    /// capped, so the administrator sees what the policy will allow.
    pub async fn add_grant(&self, actor: Option<&Actor>, g: NewGrant) -> Result<i64> {
        check(actor)?;
        match domain::policy::role_ceiling(g.role) {
            None => return Err(InvalidInput::new("rôle", "ce rôle ne reçoit pas d'habilitation territoriale").into()),
            Some(c) if g.tier > c => {
                return Err(InvalidInput::new("niveau", format!("au plus « {} » pour ce rôle", c.label())).into())
            }
            Some(_) => {}
        }
        if g.valid_to.is_some_and(|t| t <= g.valid_from) {
            return Err(InvalidInput::new("fin", "la fin doit suivre le début").into());
        }
        let grant = domain::policy::Grant {
            id: 0,
            org: g.org,
            role: g.role,
            scope: g.scope,
            tier: g.tier,
            valid_from: g.valid_from,
            valid_to: g.valid_to,
        };
        let mut tx = self.store.begin_audited().await?;
        if store::orgs::get(&mut tx, g.org).await?.is_none() {
            return Err(InvalidInput::new("organisation", "organisation inconnue").into());
        }
        let id = store::access::insert_grant(&mut tx, &grant, actor.map(|a| a.user)).await?;
        store::audit::append(&mut tx, event(actor, AuditAction::GrantCreate, "grant", id)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Ends a grant today (kept in history with its end date).
    pub async fn end_grant(&self, actor: Option<&Actor>, id: i64) -> Result<()> {
        check(actor)?;
        let mut tx = self.store.begin_audited().await?;
        if !store::access::end_grant(&mut tx, id, self.today()).await? {
            return Err(AppError::NotFound);
        }
        store::audit::append(&mut tx, event(actor, AuditAction::GrantEnd, "grant", id)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every grant, for the administration screen: (grant, organisation name).
    pub async fn grants(&self, actor: &Actor) -> Result<Vec<(domain::policy::Grant, String)>> {
        check(Some(actor))?;
        let mut conn = self.store.pool().acquire().await?;
        let orgs = store::orgs::all(&mut conn).await?;
        let grants = store::access::all_grants(&mut conn).await?;
        Ok(grants
            .into_iter()
            .map(|g| {
                let name = orgs.iter().find(|o| o.id == g.org).map(|o| o.name.clone()).unwrap_or_default();
                (g, name)
            })
            .collect())
    }

    /// Gives a user temporary access to one household file between two instants (RFC 3339),
    /// e.g. a commission member for the files on a session's agenda.
    pub async fn grant_temporary(
        &self,
        actor: Option<&Actor>,
        household: domain::HouseholdId,
        user: UserId,
        from: &str,
        to: &str,
        reason: &str,
    ) -> Result<()> {
        check(actor)?;
        if to <= from {
            return Err(InvalidInput::new("fin", "la fin doit suivre le début").into());
        }
        let mut tx = self.store.begin_audited().await?;
        store::access::insert_temporary_grant(&mut tx, household, user, from, to, reason, actor.map(|a| a.user))
            .await?;
        store::audit::append(&mut tx, event(actor, AuditAction::TemporaryGrantCreate, "household", household.0))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl App {
    /// Adds a kind of support measure to the territory's catalogue (code: lowercase letters,
    /// digits and hyphens).
    pub async fn add_measure_kind(&self, actor: &Actor, code: &str, label: &str, months: i64) -> Result<()> {
        check(Some(actor))?;
        let code = code.trim();
        if code.is_empty()
            || code.len() > 40
            || !code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(InvalidInput::new("code", "lettres minuscules, chiffres et tirets, 40 au plus").into());
        }
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 200 {
            return Err(InvalidInput::new("libellé", "obligatoire, 200 caractères au plus").into());
        }
        if !(0..=120).contains(&months) {
            return Err(InvalidInput::new("durée", "entre 0 et 120 mois").into());
        }
        let mut tx = self.store.begin_audited().await?;
        store::cca::insert_measure_kind(&mut tx, code, label, months).await.map_err(|e| match e {
            store::StoreError::Conflict => AppError::Invalid(InvalidInput::new("code", "ce code existe déjà")),
            e => e.into(),
        })?;
        store::audit::append(&mut tx, event(Some(actor), AuditAction::CatalogueWrite, "measure_kind", 0)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_measure_kind_active(&self, actor: &Actor, code: &str, active: bool) -> Result<()> {
        check(Some(actor))?;
        let mut tx = self.store.begin_audited().await?;
        if !store::cca::set_measure_kind_active(&mut tx, code, active).await? {
            return Err(AppError::NotFound);
        }
        store::audit::append(&mut tx, event(Some(actor), AuditAction::CatalogueWrite, "measure_kind", 0)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every organisation with its commune and number of accounts, for the administration screen.
    pub async fn organisations(&self, actor: &Actor) -> Result<Vec<store::orgs::OrgSummary>> {
        check(Some(actor))?;
        let mut conn = self.store.pool().acquire().await?;
        Ok(store::orgs::all_with_details(&mut conn).await?)
    }

    /// Every account with its organisations and roles (never a password hash), for the
    /// administration screen.
    pub async fn users(&self, actor: &Actor) -> Result<Vec<store::users::UserSummary>> {
        check(Some(actor))?;
        let mut conn = self.store.pool().acquire().await?;
        Ok(store::users::all_with_memberships(&mut conn).await?)
    }

    /// Refuses commune codes absent from the territory's communes (a well-formed code may
    /// still name no commune of ours).
    pub async fn check_known_communes(&self, codes: &[InseeCode]) -> Result<()> {
        let known = self.communes().await?;
        match codes.iter().find(|c| !known.iter().any(|k| &k.insee == *c)) {
            Some(c) => {
                Err(InvalidInput::new("commune", format!("code {} inconnu sur ce territoire", c.as_str())).into())
            }
            None => Ok(()),
        }
    }
}

/// For forms: a uniqueness conflict (an organisation's name, an account's e-mail) becomes an
/// input error on `field`, shown next to the form; any other error is returned unchanged.
pub fn conflict_as_invalid(e: AppError, field: &'static str, reason: &str) -> AppError {
    match e {
        AppError::Store(store::StoreError::Conflict) => InvalidInput::new(field, reason).into(),
        e => e,
    }
}
