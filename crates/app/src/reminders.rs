//! The to-do list ("À faire") of each user, and `parcours reminders run`, which turns it into
//! notifications once a day. Texts name records by number only: a notification is no place for
//! a name.

use domain::audit::{AuditAction, Outcome as AuditOutcome};
use domain::cca::{MeasureState, ReferralState};
use domain::policy::{self, Action};
use domain::user::{Actor, Role};
use domain::{format_date, format_date_fr, Date};

use crate::{App, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoItem {
    /// Short category, e.g. "Bilan".
    pub category: &'static str,
    pub text: String,
    pub link: String,
    pub due: Option<Date>,
    pub overdue: bool,
    /// Identifies the reminder, so a daily run notifies it once.
    pub key: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemindersReport {
    pub users: usize,
    pub items: usize,
    pub sent: usize,
    /// Notifications handed to the MTA (0 when no sendmail program is configured).
    pub emailed: usize,
}

impl App {
    /// What the actor has to do, most urgent first.
    pub async fn todo(&self, actor: &Actor) -> Result<Vec<TodoItem>> {
        let mut conn = self.store.pool().acquire().await?;
        let today = self.today();
        let horizon = today + time::Duration::days(self.config.reminder_horizon_days);
        let manager = policy::may(actor, Action::ManageCca, today);
        let mut out = Vec::new();
        let due_item = |category, text: String, link: String, due: Date, key: String| TodoItem {
            category,
            text,
            link,
            due: Some(due),
            overdue: due < today,
            key,
        };

        for r in store::cca::referrals(&mut conn, &[], None).await? {
            if manager && r.state == ReferralState::Soumise {
                if let Some(d) = r.submitted_on.filter(|d| (today - *d).whole_days() >= self.config.referral_wait_days)
                {
                    out.push(TodoItem {
                        category: "Saisine en attente",
                        text: format!("Saisine n° {} déposée le {}, à vérifier", r.id, format_date_fr(d)),
                        link: format!("/cca/saisines/{}", r.id),
                        due: Some(d),
                        overdue: true,
                        key: format!("saisine-attente-{}", r.id),
                    });
                }
            }
            if r.org == actor.org
                && r.state == ReferralState::ComplementsDemandes
                && policy::may_create_household(actor)
            {
                out.push(TodoItem {
                    category: "Compléments demandés",
                    text: format!("Saisine n° {} : compléter et renvoyer", r.id),
                    link: format!("/cca/saisines/{}", r.id),
                    due: None,
                    overdue: false,
                    key: format!("saisine-complements-{}-{}", r.id, r.created_at),
                });
            }
        }

        for m in store::measures::all(&mut conn).await? {
            if m.state == MeasureState::Terminee || !policy::may_manage_measure(actor, m.operator) {
                continue;
            }
            // A référent sees its own measures; the manager and unassigned ones go to everyone allowed.
            if !manager && m.referent.is_some_and(|u| u != actor.user) {
                continue;
            }
            let link = format!("/cca/mesures/{}", m.id);
            if m.state == MeasureState::AttenteDemarrage {
                out.push(TodoItem {
                    category: "Mesure à démarrer",
                    text: format!("Mesure n° {} ({}) accordée, à démarrer", m.id, m.kind_label),
                    link: link.clone(),
                    due: None,
                    overdue: false,
                    key: format!("mesure-demarrer-{}", m.id),
                });
            }
            if let Some(d) = m.next_review.filter(|d| *d <= horizon) {
                let text = format!("Mesure n° {} ({}) : bilan prévu le {}", m.id, m.kind_label, format_date_fr(d));
                out.push(due_item("Bilan", text, link.clone(), d, format!("bilan-{}-{}", m.id, format_date(d))));
            }
            if let Some(d) = m.planned_end.filter(|d| *d <= horizon) {
                let text = format!("Mesure n° {} ({}) : fin prévue le {}", m.id, m.kind_label, format_date_fr(d));
                out.push(due_item("Fin de mesure", text, link, d, format!("fin-{}-{}", m.id, format_date(d))));
            }
        }

        drop(conn);
        if actor.has(Role::CorrespondantCcapex) || actor.has(Role::Referent) || manager {
            for v in self.evictions(actor, None).await? {
                if v.record.closed.is_some() {
                    continue;
                }
                let id = v.record.id;
                let link = format!("/ccapex/procedures/{id}");
                let dl = v.deadlines;
                for (category, what, date) in [
                    ("Expulsion", "expulsion possible à partir du", dl.earliest_eviction),
                    ("Expulsion", "décision du préfet attendue le", dl.prefect_decision_due),
                    ("Expulsion", "saisine de la CCAPEX à faire avant le", dl.ccapex_referral_due),
                ] {
                    if let Some(d) = date.filter(|d| *d >= today && *d <= horizon) {
                        let text = format!("Procédure n° {id} : {what} {}", format_date_fr(d));
                        out.push(due_item(
                            category,
                            text,
                            link.clone(),
                            d,
                            format!("exp-{id}-{what}-{}", format_date(d)),
                        ));
                    }
                }
                if v.alert {
                    out.push(TodoItem {
                        category: "Prévention",
                        text: format!("Procédure n° {id} : assignation ou plus, sans saisine CCA ni mesure"),
                        link,
                        due: None,
                        overdue: true,
                        key: format!("exp-alerte-{id}"),
                    });
                }
            }
        }
        if actor.has(Role::Referent) || actor.has(Role::CoordinateurSiao) {
            // pairs to review: the coordination sees them all, a référent those on its files
            let (all, ours) = self.duplicate_counts(actor).await?;
            let (n, text, link) = if actor.has(Role::CoordinateurSiao) {
                (all, format!("{all} paire(s) de doublons possibles à examiner"), "/doublons")
            } else {
                let text =
                    format!("{ours} paire(s) de doublons possibles touchent des ménages que votre structure suit");
                (ours, text, "/doublons?suivis=1")
            };
            if n > 0 {
                out.push(TodoItem {
                    category: "Doublons",
                    text,
                    link: link.to_owned(),
                    due: None,
                    overdue: false,
                    key: format!("doublons-file-{n}"),
                });
            }
            let ids = self.contradiction_ids(actor).await?;
            if !ids.is_empty() {
                out.push(TodoItem {
                    category: "Doublons",
                    text: format!(
                        "{} décision(s) contradictoire(s) : des personnes jugées différentes sont réunies par des fusions",
                        ids.len()
                    ),
                    link: "/doublons/decisions#contradictions".to_owned(),
                    due: None,
                    overdue: false,
                    key: format!("doublons-contradictions-{}", ids.iter().map(i64::to_string).collect::<Vec<_>>().join("-")),
                });
            }
        }
        out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.due.cmp(&b.due)).then(a.text.cmp(&b.text)));
        Ok(out)
    }

    /// Computes every user's to-do list and notifies what was not notified before. Meant for a
    /// daily timer; running it twice the same day sends nothing new.
    pub async fn run_reminders(&self) -> Result<RemindersReport> {
        let mut conn = self.store.pool().acquire().await?;
        let users: Vec<i64> = store::users::names(&mut conn).await?.into_iter().map(|u| u.0).collect();
        drop(conn);
        let mut report = RemindersReport::default();
        for user in users {
            let Some(actor) = self.actor_of(domain::UserId(user)).await? else { continue };
            let items = self.todo(&actor).await?;
            report.users += 1;
            report.items += items.len();
            let mut tx = self.store.begin_audited().await?;
            for item in &items {
                if store::cca::notify(&mut tx, actor.user, "rappel", &item.text, &item.link, Some(&item.key)).await? {
                    report.sent += 1;
                }
            }
            tx.commit().await?;
        }
        let mut tx = self.store.begin_audited().await?;
        crate::audit::record_system(&mut tx, AuditAction::RemindersRun, AuditOutcome::Allowed).await?;
        tx.commit().await?;
        report.emailed = self.deliver_emails().await?;
        Ok(report)
    }

    /// The actor a user acts as in background jobs: its first organisation and its roles there.
    pub async fn actor_of(&self, user: domain::UserId) -> Result<Option<Actor>> {
        let mut conn = self.store.pool().acquire().await?;
        let Some(u) = store::users::get(&mut conn, user).await?.filter(|u| u.active) else { return Ok(None) };
        let Some(m) = store::users::memberships(&mut conn, u.id).await?.into_iter().next() else { return Ok(None) };
        let grants = store::access::grants_of(&mut conn, m.org).await?;
        Ok(Some(Actor { user: u.id, org: m.org, roles: m.roles, grants }))
    }
}
