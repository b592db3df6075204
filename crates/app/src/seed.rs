//! Loading a synthetic territory into a fresh database, with one demo account per role.
//! Demo accounts work only on databases marked as demo (see `auth`).

use domain::audit::{AuditAction, Outcome};
use domain::org::OrgKind;
use domain::policy::{Grant, TerritoryScope, Tier};
use domain::territory::Commune;
use domain::user::{Email, Role};
use domain::OrgId;
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
        Role::GestionnaireCca => Some(Tier::Agrege),
        // The CCAPEX follows eviction procedures by name (never the social file: see the policy).
        Role::CorrespondantCcapex => Some(Tier::Nominatif),
        Role::Referent | Role::MembreCommission | Role::Dpo | Role::Administrateur => None,
    }
}

/// Synthetic sensitive notes: generic, never about a real person.
const NOTES: [&str; 4] = [
    "Orientation vers l'équipe mobile psychiatrie précarité proposée, acceptée.",
    "Accompagnement vers le CSAPA : premier rendez-vous pris.",
    "Mise à l'abri demandée en urgence, suivi avec le dispositif violences.",
    "Dossier MDPH en cours, besoin d'un logement de plain-pied.",
];

impl App {
    /// Demo data protection facts, chosen deterministically from the household's rank: most
    /// households received the notice, some agreed to share a tenancy summary, a few objected,
    /// some have needs and sensitive notes (encrypted with the demo keyring).
    async fn seed_protection(
        &self,
        tx: &mut store::Tx,
        id: domain::HouseholdId,
        n: usize,
        h: &synth::SynthHousehold,
        org: OrgId,
    ) -> Result<()> {
        use domain::policy::SharingScope;
        use domain::sensitive::{Need, Needs};
        use domain::tenancy::{DwellingNeed, ResourcesBand};
        let r = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        let on = domain::format_date(h.created_on);
        if r % 100 < 85 {
            store::protection::insert_notice(tx, id, &on, crate::protection::NOTICE_VERSION, None, org).await?;
        }
        if r % 100 < 40 {
            store::protection::insert_choice(tx, id, SharingScope::Bailleurs.code(), "accord", &on, None, org).await?;
            let band = ResourcesBand::ALL[(r / 7) as usize % ResourcesBand::ALL.len()];
            let needs = [DwellingNeed::ALL[(r / 11) as usize % DwellingNeed::ALL.len()]];
            store::households::set_tenancy_fields(tx, id, Some(band.code()), &DwellingNeed::encode(&needs)).await?;
        }
        if r % 97 == 3 {
            store::protection::insert_choice(tx, id, SharingScope::Observatoire.code(), "opposition", &on, None, org)
                .await?;
        }
        if r % 89 == 5 {
            store::protection::insert_choice(tx, id, SharingScope::Partenaires.code(), "opposition", &on, None, org)
                .await?;
        }
        if let (Some(k), true) = (self.keyring.as_deref(), (40..65).contains(&(r % 100))) {
            let needs = Needs::new(vec![
                Need::ALL[(r / 13) as usize % Need::ALL.len()],
                Need::ALL[(r / 17) as usize % Need::ALL.len()],
            ]);
            let aad = store::crypto::Aad {
                table: store::sensitive::NEEDS_TABLE,
                column: store::sensitive::PAYLOAD,
                row: id.0,
            };
            store::sensitive::set_needs_payload(tx, id, &k.encrypt(needs.encode().as_bytes(), &aad), None).await?;
            if r.is_multiple_of(3) {
                let row = store::sensitive::insert_note(tx, id, &on, None, org).await?;
                let aad =
                    store::crypto::Aad { table: store::sensitive::NOTES_TABLE, column: store::sensitive::PAYLOAD, row };
                let text = NOTES[(r / 19) as usize % NOTES.len()];
                store::sensitive::set_note_payload(tx, row, &k.encrypt(text.as_bytes(), &aad)).await?;
            }
        }
        Ok(())
    }

    /// Seeds an empty, migrated database with `t` in one transaction and marks it as demo.
    /// A few dwellings the demo's agency captured, of every size, in the territory's first
    /// communes, so that its screens show matches.
    async fn seed_dwellings(
        &self,
        tx: &mut store::Tx,
        t: &synth::Territory,
        org: domain::OrgId,
        by: domain::UserId,
    ) -> Result<()> {
        use domain::tenancy::DwellingNeed::*;
        let offers: [(u8, u32, &[domain::tenancy::DwellingNeed]); 5] = [
            (1, 380, &[ProcheTransports]),
            (2, 460, &[RezDeChaussee, AnimalDeCompagnie]),
            (3, 590, &[Ascenseur, ProcheTransports]),
            (4, 720, &[Accessible, Ascenseur, RezDeChaussee]),
            (5, 860, &[AnimalDeCompagnie]),
        ];
        for (k, (rooms, rent, features)) in offers.into_iter().enumerate() {
            let Some(c) = t.communes.get(k % t.communes.len().max(1)) else { continue };
            let d = domain::dwelling::Dwelling {
                commune: c.insee.clone(),
                rooms,
                rent,
                features: features.to_vec(),
                available_on: self.today() + time::Duration::days(7 * k as i64),
            };
            store::dwellings::insert(tx, org, by, &d).await?;
        }
        Ok(())
    }

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
        for (n, h) in t.households.iter().enumerate() {
            let by = Author { org: orgs[h.created_by], user: None };
            let id = store::households::insert_household(&mut tx, Some(&h.commune), h.created_on, by.org).await?;
            for m in &h.members {
                let pid = store::households::insert_person(&mut tx, &m.person, &self.person_indexes(&m.person)).await?;
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
            self.seed_protection(&mut tx, id, n, h, by.org).await?;
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
            if role == Role::ChargeCaptation {
                self.seed_dwellings(&mut tx, t, orgs[i], uid).await?;
            }
        }
        store::settings::set(&mut tx, store::settings::DEMO, "true").await?;
        tx.commit().await?;

        let mut tx = self.store.begin_audited().await?;
        crate::audit::record_system(&mut tx, AuditAction::DemoSeed, Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(DemoSummary { households: t.households.len(), persons, organisations: orgs.len(), accounts })
    }
}
