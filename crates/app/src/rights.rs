//! The data subject's rights (GDPR art. 15-21) as workflows: the access export (the whole file,
//! including who accessed it and when), and rectification with history. Restriction and
//! objection are in `protection`.

use domain::audit::{AuditAction, Outcome};
use domain::household::NewPerson;
use domain::identity::BirthIdentity;
use domain::policy::{self, Action};
use domain::user::Actor;
use domain::{format_date, HouseholdId, InvalidInput, PersonId};
use serde::Serialize;

use crate::audit::record;
use crate::{App, AppError, Result};

#[derive(Debug, Clone, Serialize)]
pub struct ExportMember {
    pub nom: String,
    pub prenoms: String,
    pub date_naissance: Option<String>,
    pub sexe: String,
    pub nom_de_naissance: Option<String>,
    pub pays_de_naissance: Option<String>,
    pub commune_de_naissance: Option<String>,
    pub lien: String,
    pub depuis: String,
    pub jusqu_au: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportEntry {
    pub date: String,
    pub libelle: String,
    pub detail: Option<String>,
    pub structure: String,
    pub auteur: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportAccess {
    pub horodatage: String,
    pub action: String,
    pub resultat: String,
    pub utilisateur: Option<String>,
    pub structure: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportCategory {
    pub table: String,
    pub colonne: String,
    pub categorie: String,
    pub conservation: String,
}

/// The whole file of one household, as handed to the person who asks for it.
#[derive(Debug, Clone, Serialize)]
pub struct RightsExport {
    pub genere_le: String,
    pub menage: i64,
    pub commune: Option<String>,
    pub identifie_le: String,
    pub signale_par: String,
    pub membres: Vec<ExportMember>,
    pub situations: Vec<ExportEntry>,
    pub evenements: Vec<ExportEntry>,
    pub suivis: Vec<ExportEntry>,
    pub references_externes: Vec<(String, String)>,
    pub notices_information: Vec<ExportEntry>,
    pub choix_de_partage: Vec<ExportEntry>,
    pub limitations: Vec<ExportEntry>,
    /// `None` when the keyring is not available to the exporter.
    pub besoins: Option<Vec<String>>,
    pub notes_sensibles: Option<Vec<ExportEntry>>,
    pub rectifications: Vec<ExportEntry>,
    /// Reviewers' decisions that a member's record and a record of another household are, or
    /// are not, one person. The other record is not described: it may be someone else's.
    pub rapprochements: Vec<ExportEntry>,
    /// Dwellings the social rental agency proposed, and the answers given.
    pub logements_proposes: Vec<ExportEntry>,
    pub acces: Vec<ExportAccess>,
    /// What kind of data each exported field is (from the personal-data inventory).
    pub categories: Vec<ExportCategory>,
}

const EXPORTED_TABLES: [&str; 13] = [
    "households",
    "persons",
    "household_members",
    "situation_periods",
    "household_events",
    "follows",
    "external_refs",
    "information_notices",
    "sharing_choices",
    "household_needs",
    "sensitive_notes",
    "link_decisions",
    "dwelling_proposals",
];

impl App {
    /// The access export. On the web, only the DPO; on the command line, the operator.
    pub async fn rights_export(&self, actor: Option<&Actor>, id: HouseholdId) -> Result<RightsExport> {
        let mut tx = match actor {
            Some(a) => self.rights_tx(a, id, AuditAction::RightsExport).await?,
            None => {
                let mut tx = self.store.begin_audited().await?;
                if !store::households::exists(&mut tx, id).await? {
                    return Err(AppError::NotFound);
                }
                tx
            }
        };
        let h = store::households::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let notices = store::protection::notices(&mut tx, id).await?;
        let choices = store::protection::choices_history(&mut tx, id).await?;
        let restrictions = store::protection::restrictions(&mut tx, id).await?;
        let rectifications = store::households::rectifications(&mut tx, id).await?;
        let needs = store::sensitive::needs_payload(&mut tx, id).await?;
        let notes = store::sensitive::notes(&mut tx, id).await?;
        let mut proposals = Vec::new();
        for p in store::dwellings::proposals_of_household(&mut tx, id).await? {
            if let Some(d) = store::dwellings::get(&mut tx, p.dwelling).await? {
                proposals.push((p, d));
            }
        }
        let mut decisions = Vec::new();
        for m in &h.members {
            for d in store::linkage::decisions_on(&mut tx, m.person.id).await? {
                decisions.push((m.person.given_names.clone(), m.person.family_name.clone(), d));
            }
        }
        // The export's own event is recorded before the log is read, so it lists itself.
        let event = store::audit::NewAuditEvent {
            actor_user: actor.map(|a| a.user.0),
            actor_org: actor.map(|a| a.org.0),
            action: AuditAction::RightsExport,
            target_kind: Some("household"),
            target_id: Some(id.0),
            outcome: Outcome::Allowed,
        };
        store::audit::append(&mut tx, event).await?;
        let access = store::audit::for_household(&mut tx, id.0).await?;
        tx.commit().await?;

        let keyring = self.keyring.as_deref();
        let besoins = match (keyring, &needs) {
            (_, None) => Some(Vec::new()),
            (Some(k), Some(p)) => {
                let aad = store::crypto::Aad {
                    table: store::sensitive::NEEDS_TABLE,
                    column: store::sensitive::PAYLOAD,
                    row: id.0,
                };
                let plain = k.decrypt(p, &aad).map_err(|_| AppError::Undecryptable)?;
                let needs = domain::sensitive::Needs::decode(&String::from_utf8_lossy(&plain))
                    .map_err(|_| AppError::Undecryptable)?;
                Some(needs.iter().map(|n| n.label().to_owned()).collect())
            }
            (None, Some(_)) => None,
        };
        let notes_sensibles = match keyring {
            Some(k) => Some(
                notes
                    .iter()
                    .map(|(row, payload, written_on, author, org)| {
                        let aad = store::crypto::Aad {
                            table: store::sensitive::NOTES_TABLE,
                            column: store::sensitive::PAYLOAD,
                            row: *row,
                        };
                        let text = k.decrypt(payload, &aad).map_err(|_| AppError::Undecryptable)?;
                        Ok(ExportEntry {
                            date: written_on.clone(),
                            libelle: String::from_utf8_lossy(&text).into_owned(),
                            detail: None,
                            structure: org.clone(),
                            auteur: author.clone(),
                        })
                    })
                    .collect::<Result<_>>()?,
            ),
            None if notes.is_empty() => Some(Vec::new()),
            None => None,
        };
        let entry =
            |date: String, libelle: String, detail: Option<String>, structure: String, auteur: Option<String>| {
                ExportEntry { date, libelle, detail, structure, auteur }
            };
        Ok(RightsExport {
            genere_le: store::now_timestamp(),
            menage: id.0,
            commune: h.commune.as_ref().map(|c| format!("{} ({})", c.1, c.0)),
            identifie_le: format_date(h.created_on),
            signale_par: h.created_by.clone(),
            membres: h
                .members
                .iter()
                .map(|m| {
                    let birth = h.births.get(&m.person.id).cloned().unwrap_or_default();
                    ExportMember {
                        nom: m.person.family_name.clone(),
                        prenoms: m.person.given_names.clone(),
                        date_naissance: m.person.birth_date.map(format_date),
                        sexe: m.person.sex.label().into(),
                        nom_de_naissance: birth.birth_name,
                        pays_de_naissance: birth.birth_country.map(|c| c.label().to_owned()),
                        commune_de_naissance: birth.birth_commune,
                        lien: m.role.label().into(),
                        depuis: format_date(m.from),
                        jusqu_au: m.to.map(format_date),
                    }
                })
                .collect(),
            situations: h
                .periods
                .iter()
                .map(|p| {
                    let detail = p.period.end.map(|e| format!("jusqu'au {}", format_date(e)));
                    entry(
                        format_date(p.period.start),
                        p.period.situation.label().into(),
                        detail,
                        p.org_name.clone(),
                        p.author.clone(),
                    )
                })
                .collect(),
            evenements: h
                .events
                .iter()
                .map(|e| {
                    entry(
                        format_date(e.date),
                        e.kind.label().into(),
                        e.note.clone(),
                        e.org_name.clone(),
                        e.author.clone(),
                    )
                })
                .collect(),
            suivis: h
                .follows
                .iter()
                .map(|f| {
                    let label = if f.referent { "Suivi (référent)" } else { "Suivi" };
                    let detail = f.to.map(|t| format!("jusqu'au {}", format_date(t)));
                    entry(format_date(f.from), label.into(), detail, f.org_name.clone(), None)
                })
                .collect(),
            references_externes: h.external_refs.clone(),
            notices_information: notices
                .into_iter()
                .map(|(on, version, org, by)| {
                    entry(on, "Notice d'information remise".into(), Some(format!("version {version}")), org, by)
                })
                .collect(),
            choix_de_partage: choices
                .into_iter()
                .map(|(scope, choice, on, org)| {
                    let label =
                        domain::policy::SharingScope::parse(&scope).map(|s| s.label()).unwrap_or("périmètre inconnu");
                    entry(on, label.into(), Some(choice), org, None)
                })
                .collect(),
            limitations: restrictions
                .into_iter()
                .map(|(from, to, reason)| {
                    let detail = to.map(|t| format!("levée le {t}"));
                    entry(from, format!("Limitation du traitement : {reason}"), detail, String::new(), None)
                })
                .collect(),
            besoins,
            notes_sensibles,
            rectifications: rectifications
                .into_iter()
                .map(|(column, old, new, reason, author, at)| {
                    let shown = |v: Option<String>| v.unwrap_or_else(|| "—".into());
                    let detail = Some(format!("{} → {} ({reason})", shown(old), shown(new)));
                    entry(at, format!("Rectification : {column}"), detail, String::new(), author)
                })
                .collect(),
            rapprochements: decisions
                .into_iter()
                .map(|(given, family, d)| {
                    let what = if d.same { "reconnue comme la même personne" } else { "jugée d'une autre personne" };
                    let libelle = format!("Fiche de {given} {family} {what} qu'une fiche d'un autre ménage");
                    let day = d.decided_at.get(..10).unwrap_or(&d.decided_at).to_owned();
                    entry(day, libelle, Some(format!("motif : {}", d.basis.label())), d.org, d.by)
                })
                .collect(),
            logements_proposes: proposals
                .into_iter()
                .map(|(p, d)| {
                    let answer = match p.accepted {
                        Some(true) => "acceptée",
                        Some(false) => "refusée",
                        None => "en attente de réponse",
                    };
                    let what = format!(
                        "Logement {} proposé ({} € par mois charges comprises, commune {})",
                        d.dwelling.typology(),
                        d.dwelling.rent,
                        d.dwelling.commune.as_str()
                    );
                    let day = p.proposed_at.get(..10).unwrap_or(&p.proposed_at).to_owned();
                    entry(day, what, Some(format!("réponse : {answer}")), p.org_name, None)
                })
                .collect(),
            acces: access
                .into_iter()
                .map(|(at, action, outcome, user, org)| ExportAccess {
                    horodatage: at,
                    action: crate::audit::action_label(&action).into(),
                    resultat: if outcome == "allowed" { "autorisé".into() } else { "refusé".into() },
                    utilisateur: user,
                    structure: org,
                })
                .collect(),
            categories: store::inventory::entries()
                .iter()
                .filter(|e| EXPORTED_TABLES.contains(&e.table.as_str()) && e.category != "aucune")
                .map(|e| ExportCategory {
                    table: e.table.clone(),
                    colonne: e.column.clone(),
                    categorie: e.category.clone(),
                    conservation: e.retention.clone(),
                })
                .collect(),
        })
    }

    /// Rectifies a person's name, given names, birth date, sex, birth name, country or commune of
    /// birth, keeping the old and new value, author and reason. Allowed to whoever may write in
    /// the file, and to the DPO. An empty value erases a birth name, country or commune.
    pub async fn rectify_person(
        &self,
        actor: &Actor,
        household: HouseholdId,
        person: PersonId,
        field: &str,
        value: &str,
        reason: &str,
    ) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(InvalidInput::new("motif", "obligatoire, 500 caractères au plus").into());
        }
        let mut tx = if policy::may(actor, Action::ManageRights, self.today()) {
            self.rights_tx(actor, household, AuditAction::Rectification).await?
        } else {
            self.authorise(actor, household, Action::WriteFile, AuditAction::Rectification).await?.0
        };
        if !store::households::is_member(&mut tx, household, person).await? {
            return Err(AppError::NotFound);
        }
        let h = store::households::get(&mut tx, household).await?.ok_or(AppError::NotFound)?;
        let current =
            h.members.iter().find(|m| m.person.id == person).map(|m| m.person.clone()).ok_or(AppError::NotFound)?;
        let birth = current.birth_date.map(format_date).unwrap_or_default();
        let (mut family, mut given, mut birth, mut sex) =
            (current.family_name.clone(), current.given_names.clone(), birth, current.sex.code().to_owned());
        let stored_birth = |v: &str| -> Result<Option<String>> {
            let (name, country, commune) = match field {
                "birth_name" => (v, "", ""),
                "birth_country" => ("", v, ""),
                _ => ("", "", v),
            };
            let b = BirthIdentity::parse(name, country, commune)?;
            Ok(b.birth_name.or(b.birth_country.map(|c| c.code().to_owned())).or(b.birth_commune))
        };
        let birth_value = match field {
            "family_name" => {
                family = value.to_owned();
                None
            }
            "given_names" => {
                given = value.to_owned();
                None
            }
            "birth_date" => {
                birth = value.to_owned();
                None
            }
            "sex" => {
                sex = value.to_owned();
                None
            }
            "birth_name" | "birth_country" | "birth_commune" => Some(stored_birth(value)?),
            _ => {
                return Err(InvalidInput::new(
                    "champ",
                    "nom, prénoms, date de naissance, sexe, nom, pays ou commune de naissance",
                )
                .into())
            }
        };
        let new = NewPerson::parse(&family, &given, &birth, &sex, self.today())?;
        let stored_value = match (field, birth_value) {
            (_, Some(v)) => v,
            ("family_name", _) => Some(new.family_name.clone()),
            ("given_names", _) => Some(new.given_names.clone()),
            ("birth_date", _) => new.birth_date.map(format_date),
            _ => Some(new.sex.code().to_owned()),
        };
        let birth_name = match field {
            "birth_name" => stored_value.clone(),
            _ => store::households::birth_name_of(&mut tx, person).await?,
        };
        let index = self.name_indexes(&new.family_name, &new.given_names, new.birth_date, birth_name.as_deref());
        let old = store::households::rectify_person(&mut tx, person, field, stored_value.as_deref(), &index).await?;
        store::households::insert_rectification(
            &mut tx,
            household,
            ("persons", field, person.0),
            old.as_deref(),
            stored_value.as_deref(),
            reason,
            actor.user,
        )
        .await?;
        record(&mut tx, actor, AuditAction::Rectification, Some(("household", household.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }
}
