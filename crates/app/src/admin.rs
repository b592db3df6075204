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
        Some(a) if !policy::may_administer(a) => Err(AppError::Forbidden),
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
