//! The data protection officer's tools: the access log search, the unusual-activity alert, and
//! the rights screen's overview of one household (without its social file).

use domain::audit::{AuditAction, Outcome};
use domain::policy::{self, Action};
use domain::user::{Actor, Email};
use domain::{HouseholdId, InvalidInput, PersonId};

use crate::audit::{action_label, record};
use crate::{App, AppError, Result};

#[derive(Debug, Clone)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub action: &'static str,
    pub allowed: bool,
    pub user: Option<String>,
    pub org: Option<String>,
    pub target: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub household: Option<i64>,
    pub user_email: Option<String>,
    /// Dates (inclusive) of the period searched.
    pub from: Option<domain::Date>,
    pub to: Option<domain::Date>,
}

#[derive(Debug, Clone)]
pub struct Alert {
    pub user: String,
    pub org: String,
    pub day: String,
    pub files: i64,
}

/// What the rights screen shows: enough to handle a request, not the social file.
#[derive(Debug, Clone)]
pub struct RightsOverview {
    pub id: HouseholdId,
    pub members: Vec<(PersonId, String)>,
    pub restricted: bool,
    pub archived: bool,
    pub restrictions: Vec<(String, Option<String>, String)>,
    pub choices: Vec<(domain::policy::SharingScope, String)>,
    pub notices: Vec<(String, String, String, Option<String>)>,
    pub rectifications: Vec<(String, Option<String>, Option<String>, String, Option<String>, String)>,
}

impl App {
    fn check_dpo(&self, actor: &Actor) -> Result<()> {
        if policy::may(actor, Action::ReadAuditLog, self.today()) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Searches the access log (500 most recent matches). The search itself is logged.
    pub async fn search_audit(&self, actor: &Actor, q: &AuditQuery) -> Result<Vec<AuditRow>> {
        self.check_dpo(actor)?;
        let mut tx = self.store.begin_audited().await?;
        let user = match q.user_email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => match store::users::by_email(&mut tx, &Email::parse(e)?).await? {
                Some(u) => Some(u.id.0),
                None => return Err(InvalidInput::new("compte", "aucun compte avec cette adresse").into()),
            },
            None => None,
        };
        let search = store::audit::Search {
            household: q.household,
            user,
            // the days the DPO typed are the territory's days
            from: q.from.map(domain::local_time::day_start),
            to: q.to.map(|d| domain::local_time::day_start(d + time::Duration::days(1))),
            limit: 500,
        };
        let events = store::audit::search(&mut tx, &search).await?;
        let users = store::users::names(&mut tx).await?;
        let orgs = store::orgs::all(&mut tx).await?;
        record(&mut tx, actor, AuditAction::AuditSearch, None, Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(events
            .into_iter()
            .map(|e| {
                let e = e.event;
                AuditRow {
                    seq: e.seq,
                    action: action_label(&e.action),
                    allowed: e.outcome == "allowed",
                    user: e.actor_user.and_then(|u| users.iter().find(|(id, _)| *id == u).map(|x| x.1.clone())),
                    org: e.actor_org.and_then(|o| orgs.iter().find(|x| x.id.0 == o).map(|x| x.name.clone())),
                    target: e.target_kind.zip(e.target_id).map(|(k, id)| match k.as_str() {
                        "household" => format!("ménage n° {id}"),
                        other => format!("{other} n° {id}"),
                    }),
                    at: e.at,
                }
            })
            .collect())
    }

    /// Users who opened more distinct files in one day than the configured threshold, over the
    /// last 30 days.
    pub async fn unusual_activity(&self, actor: &Actor) -> Result<Vec<Alert>> {
        self.check_dpo(actor)?;
        let since = domain::local_time::day_start(self.today() - time::Duration::days(30));
        let mut conn = self.store.pool().acquire().await?;
        let rows = store::audit::unusual_readers(&mut conn, &since, self.config.alert_files_per_day).await?;
        let users = store::users::names_and_orgs(&mut conn).await?;
        Ok(rows
            .into_iter()
            .map(|(user, day, files)| {
                let (name, org) =
                    users.iter().find(|u| u.0 == user).map(|u| (u.1.clone(), u.2.clone())).unwrap_or_default();
                Alert { user: name, org, day, files }
            })
            .collect())
    }

    pub async fn rights_overview(&self, actor: &Actor, id: HouseholdId) -> Result<RightsOverview> {
        let mut tx = self.rights_tx(actor, id, AuditAction::RightsView).await?;
        let h = store::households::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let facts = store::access::household_facts(&mut tx, id, self.today(), &self.now_ts())
            .await?
            .ok_or(AppError::NotFound)?;
        let overview = RightsOverview {
            id,
            members: h
                .members
                .iter()
                .map(|m| (m.person.id, format!("{} {}", m.person.family_name.to_uppercase(), m.person.given_names)))
                .collect(),
            restricted: facts.restricted,
            archived: facts.archived,
            restrictions: store::protection::restrictions(&mut tx, id).await?,
            choices: store::access::current_choices(&mut tx, id).await?,
            notices: store::protection::notices(&mut tx, id).await?,
            rectifications: store::households::rectifications(&mut tx, id).await?,
        };
        record(&mut tx, actor, AuditAction::RightsView, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(overview)
    }
}
