//! Before a worker creates a household: is its reference person already on a file the worker
//! may read? The engine's check at entry (`linkage::most_alike`) over the members of the
//! households the worker's grants admit. Nobody outside them is looked at, so nobody is
//! discovered: the linkage run finds the others, and reviewers who may read both files see them.

use domain::audit::{AuditAction, Outcome as AuditOutcome};
use domain::household::NewPerson;
use domain::policy::{self, Action};
use domain::territory::InseeCode;
use domain::user::Actor;
use domain::{Date, HouseholdId, PersonId};
use linkage::{Dataset, Record, Schema};
use store::linkage::VisiblePerson;

use crate::audit::record;
use crate::linkage_run::person_values;
use crate::{App, AppError, Result};

/// Persons at or above this probability are shown (the model is the untrained default: on the
/// project's generator, 98% of re-entered persons come first, and 1% of new ones raise an alarm).
const FLOOR: f64 = 0.5;
/// At most this many.
const LIMIT: usize = 5;

/// A person on file who may be the one being entered.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarPerson {
    pub person: PersonId,
    pub household: HouseholdId,
    /// `DUPONT Marie`
    pub name: String,
    pub birth_date: Option<Date>,
    /// The household's commune.
    pub commune: Option<String>,
    pub probability: f64,
}

/// The compared fields: those of the by-name list, and the birth name.
fn schema() -> Schema {
    Schema::parcours().retain(|f| !matches!(f.name.as_str(), "birth_country" | "birth_commune"))
}

/// Every person's memberships and, row for row, the dataset they make (normalised once): kept
/// between checks under the data version, like the observatory's reads (ADR 0010).
pub struct EntryIndex {
    rows: Vec<VisiblePerson>,
    dataset: Dataset,
}

impl EntryIndex {
    pub(crate) fn new(rows: Vec<VisiblePerson>) -> Result<Self> {
        let records: Vec<Record> = rows
            .iter()
            .map(|p| {
                let mut values = person_values(&p.family_name, &p.given_names, p.birth_date.clone(), &p.sex);
                values.extend([p.commune.clone(), p.birth_name.clone()]);
                Record::new(p.id.0.to_string(), values)
            })
            .collect();
        Ok(Self { dataset: Dataset::from_records(schema(), &records).map_err(invalid)?, rows })
    }
}

fn invalid(e: linkage::DatasetError) -> AppError {
    AppError::Invalid(domain::InvalidInput::new("rapprochement", e.to_string()))
}

impl App {
    /// The persons on files the actor may read who look like `person` (entered with the
    /// household's `commune`), most probable first. Logged as one read.
    pub async fn similar_persons(
        &self,
        actor: &Actor,
        person: &NewPerson,
        commune: Option<&InseeCode>,
    ) -> Result<Vec<SimilarPerson>> {
        if !policy::may_create_household(actor) {
            return Err(AppError::Forbidden);
        }
        let mut tx = self.store.begin_audited().await?;
        record(&mut tx, actor, AuditAction::LinkageEntryCheck, None, AuditOutcome::Allowed).await?;
        self.alike(tx, actor, person, commune.cloned(), None).await
    }

    /// The same check before `person` joins `household`, compared with the household's commune.
    /// Only for those who may write the household: a refusal is logged and looks like a missing
    /// household, as everywhere.
    pub async fn similar_to_new_member(
        &self,
        actor: &Actor,
        household: HouseholdId,
        person: &NewPerson,
    ) -> Result<Vec<SimilarPerson>> {
        let (mut tx, facts) =
            self.authorise(actor, household, Action::WriteFile, AuditAction::LinkageEntryCheck).await?;
        record(&mut tx, actor, AuditAction::LinkageEntryCheck, Some(("household", household.0)), AuditOutcome::Allowed)
            .await?;
        self.alike(tx, actor, person, facts.place.commune, Some(household)).await
    }

    /// Commits `tx` (which holds the check's audit event) once the readable persons are loaded.
    /// The members of `joining`, the household the person is about to join, are other persons
    /// unless they bear the same given name (the engine's household rule: twins are two).
    async fn alike(
        &self,
        mut tx: store::Tx,
        actor: &Actor,
        person: &NewPerson,
        commune: Option<InseeCode>,
        joining: Option<HouseholdId>,
    ) -> Result<Vec<SimilarPerson>> {
        let today = self.today();
        let scope = policy::list_scope(actor, Action::ReadFile, today);
        // what the reader may read is decided now; the persons are kept between checks
        let visible = store::access::visible_households(&mut tx, &scope, today, &self.now_ts()).await?;
        let communes = store::orgs::communes(&mut tx).await?;
        tx.commit().await?;
        let index = self.entry_index().await?;
        let among = store::linkage::visible_among(&index.rows, &visible);
        if among.is_empty() {
            return Ok(Vec::new());
        }
        let commune_name = commune.and_then(|c| communes.iter().find(|x| x.insee == c)).map(|c| c.name.clone());
        let mut values = person_values(
            &person.family_name,
            &person.given_names,
            person.birth_date.map(domain::format_date),
            person.sex.code(),
        );
        values.extend([commune_name, person.birth.birth_name.clone()]);
        // the kept dataset with the probe pushed on a copy: the names already seen are not
        // normalised again
        let mut ds = index.dataset.clone();
        let probe = ds.push_record(0, &Record::new("saisie", values)).map_err(invalid)?;
        if let Some(h) = joining {
            for &i in &among {
                if index.rows[i as usize].household == h {
                    ds.set_group(i, 1);
                }
            }
            ds.set_group(probe, 1);
        }
        Ok(linkage::most_alike_among(&ds, probe, &among, FLOOR, LIMIT)
            .into_iter()
            .map(|a| {
                let p = &index.rows[a.index as usize];
                SimilarPerson {
                    person: p.id,
                    household: p.household,
                    name: format!("{} {}", p.family_name.to_uppercase(), p.given_names),
                    birth_date: p.birth_date.as_deref().and_then(|d| domain::parse_date(d).ok()),
                    commune: p.commune.clone(),
                    probability: a.probability,
                }
            })
            .collect())
    }
}
