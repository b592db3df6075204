//! The sensitive compartment: needs flags and sensitive notes, encrypted with the keyring
//! (XChaCha20-Poly1305, associated data = table, column, row), read and written only as the
//! policy allows, every access audited. Also the keyed blind index for exact search.

use domain::audit::{AuditAction, Outcome};
use domain::policy::{self, Action};
use domain::sensitive::{check_note, Needs};
use domain::user::Actor;
use domain::{format_date, Date, HouseholdId, InvalidInput};
use store::crypto::{Aad, Keyring};
use store::sensitive::{NEEDS_TABLE, NOTES_TABLE, PAYLOAD};

use crate::audit::record;
use crate::{App, AppError, Result};

#[derive(Debug, Clone)]
pub struct SensitiveNote {
    pub written_on: String,
    pub text: String,
    pub author: Option<String>,
    pub org_name: String,
}

#[derive(Debug, Clone, Default)]
pub struct SensitiveView {
    pub needs: Needs,
    pub notes: Vec<SensitiveNote>,
    /// Whether the reader may also write in the compartment.
    pub may_write: bool,
}

fn aad(table: &'static str, row: i64) -> Aad<'static> {
    Aad { table, column: PAYLOAD, row }
}

impl App {
    pub(crate) fn keyring(&self) -> Result<&Keyring> {
        self.keyring.as_deref().ok_or(AppError::NoKeyring)
    }

    fn open(&self, stored: &str, table: &'static str, row: i64) -> Result<String> {
        let plain = self.keyring()?.decrypt(stored, &aad(table, row)).map_err(|_| {
            // Row id only: never the payload.
            tracing::error!(table, row, "a sensitive value failed to decrypt");
            AppError::Undecryptable
        })?;
        String::from_utf8(plain).map_err(|_| AppError::Undecryptable)
    }

    /// The household's sensitive compartment, decrypted. Logged as a sensitive read.
    pub async fn read_sensitive(&self, actor: &Actor, id: HouseholdId) -> Result<SensitiveView> {
        self.keyring()?;
        let (mut tx, facts) = self.authorise(actor, id, Action::ReadSensitive, AuditAction::SensitiveRead).await?;
        let may_write = policy::decide(actor, Action::WriteSensitive, &facts, self.today());
        let needs = store::sensitive::needs_payload(&mut tx, id).await?;
        let notes = store::sensitive::notes(&mut tx, id).await?;
        record(&mut tx, actor, AuditAction::SensitiveRead, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        let needs = match needs {
            Some(p) => Needs::decode(&self.open(&p, NEEDS_TABLE, id.0)?).map_err(|_| AppError::Undecryptable)?,
            None => Needs::default(),
        };
        let notes = notes
            .into_iter()
            .map(|(row, payload, written_on, author, org_name)| {
                Ok(SensitiveNote { text: self.open(&payload, NOTES_TABLE, row)?, written_on, author, org_name })
            })
            .collect::<Result<_>>()?;
        Ok(SensitiveView { needs, notes, may_write })
    }

    pub async fn set_needs(&self, actor: &Actor, id: HouseholdId, needs: &Needs) -> Result<()> {
        let keyring = self.keyring()?;
        let (mut tx, _) = self.authorise(actor, id, Action::WriteSensitive, AuditAction::SensitiveWrite).await?;
        let payload = keyring.encrypt(needs.encode().as_bytes(), &aad(NEEDS_TABLE, id.0));
        store::sensitive::set_needs_payload(&mut tx, id, &payload, Some(actor.user)).await?;
        record(&mut tx, actor, AuditAction::SensitiveWrite, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_sensitive_note(&self, actor: &Actor, id: HouseholdId, written_on: Date, text: &str) -> Result<()> {
        let keyring = self.keyring()?;
        let text = check_note(text)?;
        if written_on > self.today() {
            return Err(InvalidInput::new("date", "la date ne peut pas être dans le futur").into());
        }
        let (mut tx, _) = self.authorise(actor, id, Action::WriteSensitive, AuditAction::SensitiveWrite).await?;
        let row =
            store::sensitive::insert_note(&mut tx, id, &format_date(written_on), Some(actor.user), actor.org).await?;
        let payload = keyring.encrypt(text.as_bytes(), &aad(NOTES_TABLE, row));
        store::sensitive::set_note_payload(&mut tx, row, &payload).await?;
        record(&mut tx, actor, AuditAction::SensitiveWrite, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The blind index of a person's names and birth date under the keyring's index key.
    pub(crate) fn name_index(&self, family: &str, given: &str, birth: Option<Date>) -> Option<String> {
        let k = self.keyring.as_deref()?;
        Some(k.blind_index(&domain::text::blind_index_input(family, given, birth)))
    }

    /// The blind indexes of a person: of the family name in use, and of the birth name if any
    /// (the same input, so one searched index finds either).
    pub(crate) fn name_indexes(
        &self,
        family: &str,
        given: &str,
        birth: Option<Date>,
        birth_name: Option<&str>,
    ) -> store::households::NameIndexes {
        store::households::NameIndexes {
            used: self.name_index(family, given, birth),
            birth: birth_name.and_then(|b| self.name_index(b, given, birth)),
        }
    }

    pub(crate) fn person_indexes(&self, p: &domain::household::NewPerson) -> store::households::NameIndexes {
        self.name_indexes(&p.family_name, &p.given_names, p.birth_date, p.birth.birth_name.as_deref())
    }

    /// Exact search by names and birth date through the blind index, within what the actor
    /// may read. Logged without the searched values.
    pub async fn exact_search(
        &self,
        actor: &Actor,
        family: &str,
        given: &str,
        birth: Option<Date>,
    ) -> Result<Vec<HouseholdId>> {
        let index = self.name_index(family, given, birth).ok_or(AppError::NoKeyring)?;
        let scope = policy::list_scope(actor, Action::ReadFile, self.today());
        let mut tx = self.store.begin_audited().await?;
        let found = store::households::by_name_index(&mut tx, &scope, self.today(), &self.now_ts(), &index).await?;
        record(&mut tx, actor, AuditAction::ExactSearch, None, Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Recomputes every person's blind indexes under the keyring's index key, in batches (one
    /// transaction each), reporting (done, total) after each; returns how many changed. For data
    /// entered before a keyring was configured, or before an index existed (the birth name's).
    pub async fn reindex_names(&self, mut progress: impl FnMut(u64, u64)) -> Result<u64> {
        if self.keyring.is_none() {
            return Err(AppError::NoKeyring);
        }
        let total = {
            let mut conn = self.store.pool().acquire().await?;
            store::households::count_persons(&mut conn).await? as u64
        };
        let (mut done, mut changed, mut after) = (0u64, 0u64, 0i64);
        loop {
            let mut tx = self.store.begin_audited().await?;
            let batch = store::households::names_batch(&mut tx, after, 500).await?;
            let Some(last) = batch.last() else { break };
            after = last.id.0;
            for p in &batch {
                let index = self.name_indexes(&p.family_name, &p.given_names, p.birth_date, p.birth_name.as_deref());
                if index != p.stored {
                    store::households::set_name_indexes(&mut tx, p.id, &index).await?;
                    changed += 1;
                }
            }
            done += batch.len() as u64;
            crate::audit::record_system(&mut tx, AuditAction::KeysReindex, Outcome::Allowed).await?;
            tx.commit().await?;
            progress(done, total);
        }
        Ok(changed)
    }

    /// Re-encrypts every sensitive value not under `new`'s active key, in batches (one
    /// transaction each), reporting (done, total) after each batch. Values stay readable
    /// throughout: old keys remain in the new keyring.
    pub async fn rotate_keys(&self, new: &Keyring, mut progress: impl FnMut(u64, u64)) -> Result<u64> {
        let total = {
            let mut conn = self.store.pool().acquire().await?;
            store::sensitive::count(&mut conn).await? as u64
        };
        let (mut done, mut changed) = (0u64, 0u64);
        for table in [NEEDS_TABLE, NOTES_TABLE] {
            let mut after = 0;
            loop {
                let mut tx = self.store.begin_audited().await?;
                let batch = store::sensitive::payload_batch(&mut tx, table, after, 500).await?;
                let Some(last) = batch.last() else { break };
                after = last.0;
                for (row, payload) in &batch {
                    if Keyring::key_id_of(payload) != Some(new.active_key_id()) {
                        let plain = new.decrypt(payload, &aad(table, *row)).map_err(|_| AppError::Undecryptable)?;
                        store::sensitive::replace_payload(
                            &mut tx,
                            table,
                            *row,
                            &new.encrypt(&plain, &aad(table, *row)),
                        )
                        .await?;
                        changed += 1;
                    }
                }
                done += batch.len() as u64;
                crate::audit::record_system(&mut tx, AuditAction::KeysRotate, Outcome::Allowed).await?;
                tx.commit().await?;
                progress(done, total);
            }
        }
        Ok(changed)
    }
}
