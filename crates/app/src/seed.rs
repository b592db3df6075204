//! Loading a synthetic territory into a fresh database, with one demo account per role.
//! Demo accounts work only on databases marked as demo (see `auth`).

use domain::audit::{AuditAction, Outcome};
use domain::org::OrgKind;
use domain::policy::{Grant, TerritoryScope, Tier};
use domain::territory::Commune;
use domain::user::{Email, Role};
use domain::OrgId;
use store::audit::NewAuditEvent;
use store::households::Author;

use crate::{App, Result};

/// A demo login, as printed by `parcours demo`.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub email: String,
    pub role: Role,
    pub org_name: String,
}

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub households: usize,
    pub persons: usize,
    pub organisations: usize,
    pub accounts: Vec<DemoAccount>,
}

/// The demo accounts: (e-mail local part, role, kind of the organisation it belongs to).
/// A second référent in another organisation shows need-to-know at work.
const ACCOUNTS: [(&str, Role, OrgKind); 11] = [
    ("referent", Role::Referent, OrgKind::Association),
    ("referent-ccas", Role::Referent, OrgKind::Ccas),
    ("siao", Role::CoordinateurSiao, OrgKind::Siao),
    ("cca", Role::GestionnaireCca, OrgKind::Metropole),
    ("commission", Role::MembreCommission, OrgKind::Ccas),
    ("ccapex", Role::CorrespondantCcapex, OrgKind::ServiceEtat),
    ("captation", Role::ChargeCaptation, OrgKind::AgenceImmobiliereSociale),
    ("bailleur", Role::Bailleur, OrgKind::BailleurSocial),
    ("observatoire", Role::Observatoire, OrgKind::Metropole),
    ("dpo", Role::Dpo, OrgKind::Metropole),
    ("admin", Role::Administrateur, OrgKind::Metropole),
];

pub const DEMO_DOMAIN: &str = "demo.parcours.test";

/// The demo's habilitations, over the whole territory. Référents work per case (the households
/// their organisation follows) and commission members per session, so they get none; the CCAPEX
/// sees aggregates until the eviction-prevention screens exist.
fn demo_grant(role: Role) -> Option<Tier> {
    match role {
        Role::CoordinateurSiao => Some(Tier::Sensible),
        Role::ChargeCaptation | Role::Bailleur | Role::Observatoire => Some(Tier::Pseudonymise),
        Role::GestionnaireCca | Role::CorrespondantCcapex => Some(Tier::Agrege),
        Role::Referent | Role::MembreCommission | Role::Dpo | Role::Administrateur => None,
    }
}

impl App {
    /// Seeds an empty, migrated database with `t` in one transaction and marks it as demo.
    pub async fn seed_demo(&self, t: &synth::Territory, password: &str) -> Result<DemoSummary> {
        let mut tx = self.store.begin().await?;
        for c in &t.communes {
            store::orgs::upsert_commune(&mut tx, &Commune { insee: c.insee.clone(), name: c.name.clone() }).await?;
        }
        let mut orgs: Vec<OrgId> = Vec::with_capacity(t.organisations.len());
        for o in &t.organisations {
            orgs.push(store::orgs::insert(&mut tx, &o.name, o.kind, Some(&o.commune)).await?);
        }
        // Each demo account goes to the organisation of its kind that follows the most households.
        let mut follow_counts = vec![0usize; orgs.len()];
        let mut persons = 0;
        for h in &t.households {
            let by = Author { org: orgs[h.created_by], user: None };
            let id = store::households::insert_household(&mut tx, Some(&h.commune), h.created_on, by.org).await?;
            for m in &h.members {
                let index = self.name_index(&m.person.family_name, &m.person.given_names, m.person.birth_date);
                let pid = store::households::insert_person(&mut tx, &m.person, index.as_deref()).await?;
                store::households::add_member(&mut tx, id, pid, m.role, m.from, m.to).await?;
                store::households::record_synthetic_truth(&mut tx, pid, m.true_person as i64).await?;
                persons += 1;
            }
            for p in &h.periods {
                store::households::insert_period(&mut tx, id, p, by).await?;
            }
            for e in &h.events {
                let author = Author { org: orgs[e.org], user: None };
                store::households::insert_event(&mut tx, id, e.kind, e.date, author, None).await?;
            }
            for f in &h.follows {
                store::households::insert_follow(&mut tx, id, orgs[f.org], f.from, f.to, f.referent).await?;
                follow_counts[f.org] += 1;
            }
            if let Some(n) = &h.siao_number {
                store::households::set_external_ref(&mut tx, id, "siao", n).await?;
            }
        }
        let hash = crate::auth::hash_password(password);
        let mut accounts = Vec::new();
        let mut granted = Vec::new();
        for (local, role, kind) in ACCOUNTS {
            let Some(i) = (0..orgs.len())
                .filter(|i| t.organisations[*i].kind == kind)
                .max_by_key(|i| (follow_counts[*i], usize::MAX - i))
            else {
                continue;
            };
            let email = Email::parse(&format!("{local}@{DEMO_DOMAIN}"))?;
            let display = format!("Démo {}", role.label());
            let uid = store::users::insert(&mut tx, &email, &display, &hash, true).await?;
            store::users::add_membership(&mut tx, uid, orgs[i], role).await?;
            accounts.push(DemoAccount {
                email: email.as_str().to_owned(),
                role,
                org_name: t.organisations[i].name.clone(),
            });
            if let (Some(tier), false) = (demo_grant(role), granted.contains(&(orgs[i], role))) {
                let grant = Grant {
                    id: 0,
                    org: orgs[i],
                    role,
                    scope: TerritoryScope::Tout,
                    tier,
                    valid_from: t.households.iter().map(|h| h.created_on).min().unwrap_or(self.today()),
                    valid_to: None,
                };
                store::access::insert_grant(&mut tx, &grant, None).await?;
                granted.push((orgs[i], role));
            }
        }
        store::settings::set(&mut tx, store::settings::DEMO, "true").await?;
        tx.commit().await?;

        let mut tx = self.store.begin_audited().await?;
        store::audit::append(
            &mut tx,
            NewAuditEvent {
                actor_user: None,
                actor_org: None,
                action: AuditAction::DemoSeed,
                target_kind: None,
                target_id: None,
                outcome: Outcome::Allowed,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(DemoSummary { households: t.households.len(), persons, organisations: orgs.len(), accounts })
    }
}
