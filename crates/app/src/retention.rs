//! Retention (DOMAIN.md §5): households without contact for the active period move to the
//! restricted archive; after the archive period they are anonymised as the personal-data
//! inventory says, keeping what the indicators need; the access log is purged past its own
//! retention. Each household is handled in its own audited transaction.

use domain::audit::{AuditAction, Outcome};
use domain::{format_date, parse_date, Date, HouseholdId};
use store::audit::NewAuditEvent;

use crate::{App, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub dry_run: bool,
    pub today: String,
    /// Last contact before this day: archive.
    pub archive_before: String,
    /// Archived before or on this day: anonymise.
    pub anonymise_archived_by: String,
    pub archived: Vec<HouseholdId>,
    pub anonymised: Vec<HouseholdId>,
    /// Access-log events purged (or that would be).
    pub audit_purged: u64,
    pub audit_cutoff: String,
}

impl RetentionReport {
    /// The report as Markdown, for the DPO's records.
    pub fn markdown(&self) -> String {
        let ids = |v: &[HouseholdId]| {
            if v.is_empty() {
                "aucun".to_owned()
            } else {
                v.iter().map(|h| h.0.to_string()).collect::<Vec<_>>().join(", ")
            }
        };
        format!(
            "# Rapport de conservation — {today}{dry}\n\n\
             | règle | seuil | ménages |\n|---|---|---|\n\
             | passage en archive (aucun contact depuis) | avant le {archive} | {na} |\n\
             | anonymisation (en archive depuis) | au plus tard le {anon} | {nn} |\n\n\
             Journal des accès : {purged} événement(s) antérieurs au {cutoff} {verb}.\n\n\
             Ménages archivés : {la}\n\nMénages anonymisés : {ln}\n",
            today = self.today,
            dry = if self.dry_run { " (simulation : rien n'a été modifié)" } else { "" },
            archive = self.archive_before,
            na = self.archived.len(),
            anon = self.anonymise_archived_by,
            nn = self.anonymised.len(),
            purged = self.audit_purged,
            cutoff = self.audit_cutoff,
            verb = if self.dry_run { "seraient purgés" } else { "purgés" },
            la = ids(&self.archived),
            ln = ids(&self.anonymised),
        )
    }
}

fn system_event(action: AuditAction, target: Option<i64>) -> NewAuditEvent {
    NewAuditEvent {
        actor_user: None,
        actor_org: None,
        action,
        target_kind: target.map(|_| "household"),
        target_id: target,
        outcome: Outcome::Allowed,
    }
}

impl App {
    /// Runs (or, with `dry_run`, only computes) the retention rules as of today.
    pub async fn run_retention(&self, dry_run: bool) -> Result<RetentionReport> {
        let today = self.today();
        let archive_before = today - time::Duration::days(self.config.retention_active_days);
        let anonymise_by = today - time::Duration::days(self.config.retention_archive_days);
        let audit_cutoff =
            domain::local_time::day_start(today - time::Duration::days(self.config.audit_retention_days));
        let facts = {
            let mut conn = self.store.pool().acquire().await?;
            store::observatory::retention_facts(&mut conn).await?
        };
        let mut report = RetentionReport {
            dry_run,
            today: format_date(today),
            archive_before: format_date(archive_before),
            anonymise_archived_by: format_date(anonymise_by),
            audit_cutoff: audit_cutoff.clone(),
            ..Default::default()
        };
        let date = |s: &Option<String>| s.as_deref().and_then(|d| parse_date(d).ok());
        for (id, last, archived_on) in &facts {
            let mut archived: Option<Date> = date(archived_on);
            if archived.is_none() && date(last).is_none_or(|l| l < archive_before) {
                report.archived.push(HouseholdId(*id));
                if !dry_run {
                    let mut tx = self.store.begin_audited().await?;
                    store::observatory::mark_archived(&mut tx, *id, &format_date(today)).await?;
                    store::audit::append(&mut tx, system_event(AuditAction::RetentionArchive, Some(*id))).await?;
                    tx.commit().await?;
                }
                archived = Some(today);
            }
            if archived.is_some_and(|a| a <= anonymise_by) {
                report.anonymised.push(HouseholdId(*id));
                if !dry_run {
                    let mut tx = self.store.begin_audited().await?;
                    store::inventory::anonymise(&mut tx, HouseholdId(*id)).await?;
                    store::observatory::mark_anonymised(&mut tx, *id, &format_date(today)).await?;
                    store::audit::append(&mut tx, system_event(AuditAction::RetentionAnonymise, Some(*id))).await?;
                    tx.commit().await?;
                }
            }
        }
        let mut tx = self.store.begin_audited().await?;
        report.audit_purged = if dry_run {
            store::audit::count_before(&mut tx, &audit_cutoff).await? as u64
        } else {
            let n = store::audit::purge_before(&mut tx, &audit_cutoff).await?;
            if n > 0 {
                store::audit::append(&mut tx, system_event(AuditAction::AuditPurge, None)).await?;
            }
            n
        };
        tx.commit().await?;
        Ok(report)
    }
}
