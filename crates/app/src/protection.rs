//! The household's information and choices (DOMAIN.md §5): the information notice, sharing
//! choices (agreement, objection per sharing scope) and restriction of processing.

use domain::audit::{AuditAction, Outcome};
use domain::policy::{self, Action, SharingScope};
use domain::user::Actor;
use domain::{format_date, Date, HouseholdId, InvalidInput};

use crate::audit::record;
use crate::{App, AppError, Result};

/// The version of the information notice in use (the text lives in `docs/notice-information.md`).
pub const NOTICE_VERSION: &str = "2026-1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Accord,
    Opposition,
}

impl Choice {
    pub fn code(self) -> &'static str {
        match self {
            Self::Accord => "accord",
            Self::Opposition => "opposition",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        match code {
            "accord" => Ok(Self::Accord),
            "opposition" => Ok(Self::Opposition),
            _ => Err(InvalidInput::new("choix", "accord ou opposition")),
        }
    }
}

fn not_future(day: Date, today: Date) -> Result<()> {
    if day > today {
        return Err(InvalidInput::new("date", "la date ne peut pas être dans le futur").into());
    }
    Ok(())
}

impl App {
    /// Records that the household received the information notice.
    pub async fn record_notice(&self, actor: &Actor, id: HouseholdId, given_on: Date, version: &str) -> Result<()> {
        not_future(given_on, self.today())?;
        if version.trim().is_empty() || version.len() > 20 {
            return Err(InvalidInput::new("version", "version de la notice invalide").into());
        }
        let (mut tx, _) = self.authorise(actor, id, Action::WriteFile, AuditAction::NoticeRecord).await?;
        store::protection::insert_notice(
            &mut tx,
            id,
            &format_date(given_on),
            version.trim(),
            Some(actor.user),
            actor.org,
        )
        .await?;
        record(&mut tx, actor, AuditAction::NoticeRecord, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the household's agreement or objection for one sharing scope. A référent who
    /// writes in the file may record it, and so may the DPO handling a rights request.
    pub async fn record_sharing_choice(
        &self,
        actor: &Actor,
        id: HouseholdId,
        scope: SharingScope,
        choice: Choice,
        on: Date,
    ) -> Result<()> {
        not_future(on, self.today())?;
        let mut tx = if policy::may(actor, Action::ManageRights, self.today()) {
            self.rights_tx(actor, id, AuditAction::SharingChoice).await?
        } else {
            self.authorise(actor, id, Action::WriteFile, AuditAction::SharingChoice).await?.0
        };
        store::protection::insert_choice(
            &mut tx,
            id,
            scope.code(),
            choice.code(),
            &format_date(on),
            Some(actor.user),
            actor.org,
        )
        .await?;
        record(&mut tx, actor, AuditAction::SharingChoice, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Restricts processing (GDPR art. 18): from now on only the referent organisation sees the
    /// file. DPO only.
    pub async fn restrict(&self, actor: &Actor, id: HouseholdId, reason: &str) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(InvalidInput::new("motif", "obligatoire, 500 caractères au plus").into());
        }
        let mut tx = self.rights_tx(actor, id, AuditAction::RestrictionSet).await?;
        store::protection::insert_restriction(&mut tx, id, &format_date(self.today()), reason, actor.user).await?;
        record(&mut tx, actor, AuditAction::RestrictionSet, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a restriction from today (the restriction stays in history).
    pub async fn lift_restriction(&self, actor: &Actor, id: HouseholdId) -> Result<()> {
        let mut tx = self.rights_tx(actor, id, AuditAction::RestrictionLift).await?;
        if store::protection::lift_restrictions(&mut tx, id, &format_date(self.today())).await? == 0 {
            return Err(InvalidInput::new("limitation", "aucune limitation en cours").into());
        }
        record(&mut tx, actor, AuditAction::RestrictionLift, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An audited transaction for the DPO's rights workflows: the DPO acts on any household
    /// without opening its social file. A refusal is logged and looks like absence.
    pub(crate) async fn rights_tx(&self, actor: &Actor, id: HouseholdId, audit: AuditAction) -> Result<store::Tx> {
        let mut tx = self.store.begin_audited().await?;
        let exists = store::households::exists(&mut tx, id).await?;
        if !(exists && policy::may(actor, Action::ManageRights, self.today())) {
            record(&mut tx, actor, audit, Some(("household", id.0)), Outcome::Denied).await?;
            tx.commit().await?;
            return Err(AppError::NotFound);
        }
        Ok(tx)
    }
}
