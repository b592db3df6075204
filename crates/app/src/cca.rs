//! The CCA workflow: referrals (drafts, submission, attachments), the manager's completeness
//! check, sessions (agenda, members, presence, the members' temporary access), decisions. Every
//! transition goes through `domain::cca`, is recorded with its author and audited.

use domain::audit::{AuditAction, Outcome as AuditOutcome};
use domain::cca::referral::{DecisionInput, ReferralContent};
use domain::cca::{access_window, Outcome, ReferralEvent, ReferralState, SessionState};
use domain::policy::{self, Action, HouseholdFacts};
use domain::situation::period_at;
use domain::user::{Actor, Role};
use domain::{format_date_fr, Date, HouseholdId, InvalidInput, UserId};
pub use store::cca::{
    AgendaItem, AttachmentMeta, DecisionRecord, MemberRecord, ReferralRecord, SessionRecord, StepRecord,
};
use store::crypto::Aad;
use store::Tx;

use crate::audit::record;
use crate::households::display_name;
use crate::{App, AppError, Result};

/// Largest attachment accepted (the commission reads documents, not archives).
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
const ATTACHMENT_MEDIA: [&str; 5] =
    ["application/pdf", "image/jpeg", "image/png", "text/plain", "application/vnd.oasis.opendocument.text"];

/// A referral as its reader sees it.
#[derive(Debug, Clone)]
pub struct ReferralView {
    pub record: ReferralRecord,
    pub household_name: String,
    pub persons_now: usize,
    pub situation_now: Option<domain::situation::Situation>,
    pub steps: Vec<StepRecord>,
    pub attachments: Vec<AttachmentMeta>,
    pub decisions: Vec<DecisionRecord>,
    pub measure_label: Option<String>,
    /// The open session whose agenda holds it.
    pub session: Option<i64>,
    pub may_edit: bool,
    pub may_manage: bool,
    /// The reader may also open the household's file (the manager usually may not).
    pub may_open_file: bool,
}

/// One line of an inbox.
#[derive(Debug, Clone)]
pub struct ReferralRow {
    pub id: i64,
    pub household: HouseholdId,
    pub household_name: String,
    pub org_name: String,
    pub state: ReferralState,
    pub submitted_on: Option<Date>,
    pub measure_label: Option<String>,
    /// Days since submission (pending referrals).
    pub waiting_days: Option<i64>,
}

/// A session as the manager or a member sees it.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub session: SessionRecord,
    pub members: Vec<MemberRecord>,
    pub agenda: Vec<AgendaLine>,
    /// (from, to) of the members' access, once the agenda is published.
    pub access: Option<(String, String)>,
    pub may_manage: bool,
}

#[derive(Debug, Clone)]
pub struct AgendaLine {
    pub item: AgendaItem,
    /// The household's name when the reader may see it, else "Ménage n° …".
    pub label: String,
    pub measure_label: Option<String>,
    pub readable: bool,
}

fn manager(actor: &Actor, day: Date) -> Result<()> {
    if policy::may(actor, Action::ManageCca, day) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl App {
    async fn facts(&self, tx: &mut Tx, id: HouseholdId) -> Result<HouseholdFacts> {
        store::access::household_facts(tx, id, self.today(), &self.now_ts()).await?.ok_or(AppError::NotFound)
    }

    async fn deny<T>(&self, mut tx: Tx, actor: &Actor, audit: AuditAction, target: (&'static str, i64)) -> Result<T> {
        record(&mut tx, actor, audit, Some(target), AuditOutcome::Denied).await?;
        tx.commit().await?;
        Err(AppError::NotFound)
    }

    /// Loads a referral the actor may read, or logs the refusal (missing and refused look alike).
    async fn readable_referral(
        &self,
        actor: &Actor,
        id: i64,
        audit: AuditAction,
    ) -> Result<(Tx, ReferralRecord, HouseholdFacts)> {
        let mut tx = self.store.begin_audited().await?;
        let Some(r) = store::cca::referral(&mut tx, id).await? else {
            return self.deny(tx, actor, audit, ("referral", id)).await;
        };
        let facts = self.facts(&mut tx, r.household).await?;
        let submitted = r.state != ReferralState::Brouillon;
        if !policy::may_read_referral(actor, &facts, submitted, self.today()) {
            return self.deny(tx, actor, audit, ("referral", id)).await;
        }
        Ok((tx, r, facts))
    }

    async fn writable_referral(&self, actor: &Actor, id: i64, audit: AuditAction) -> Result<(Tx, ReferralRecord)> {
        let mut tx = self.store.begin_audited().await?;
        let Some(r) = store::cca::referral(&mut tx, id).await? else {
            return self.deny(tx, actor, audit, ("referral", id)).await;
        };
        let facts = self.facts(&mut tx, r.household).await?;
        if !policy::may_write_referral(actor, &facts, r.org, self.today()) {
            return self.deny(tx, actor, audit, ("referral", id)).await;
        }
        Ok((tx, r))
    }

    async fn check_measure_kind(&self, tx: &mut Tx, code: Option<&str>) -> Result<()> {
        if let Some(code) = code {
            let kinds = store::cca::measure_kinds(tx).await?;
            if !kinds.iter().any(|k| k.0 == code && k.3) {
                return Err(InvalidInput::new("mesure", "absente du catalogue").into());
            }
        }
        Ok(())
    }

    /// The catalogue: (code, label, usual months, active).
    pub async fn measure_kinds(&self) -> Result<Vec<(String, String, i64, bool)>> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(store::cca::measure_kinds(&mut conn).await?)
    }

    /// A référent starts a referral (a draft) for a household its organisation may write in.
    pub async fn create_referral(
        &self,
        actor: &Actor,
        household: HouseholdId,
        content: &ReferralContent,
        eviction: Option<i64>,
    ) -> Result<i64> {
        content.validate_lengths()?;
        let (mut tx, _) = self.authorise(actor, household, Action::WriteFile, AuditAction::ReferralWrite).await?;
        self.check_measure_kind(&mut tx, content.measure_asked.as_deref()).await?;
        let id = store::cca::insert_referral(&mut tx, household, actor.org, actor.user, content, eviction).await?;
        record(&mut tx, actor, AuditAction::ReferralWrite, Some(("referral", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_referral(&self, actor: &Actor, id: i64, content: &ReferralContent) -> Result<()> {
        content.validate_lengths()?;
        let (mut tx, r) = self.writable_referral(actor, id, AuditAction::ReferralWrite).await?;
        if !r.state.is_editable() {
            return Err(InvalidInput::new("saisine", "elle n'est plus modifiable à cette étape").into());
        }
        self.check_measure_kind(&mut tx, content.measure_asked.as_deref()).await?;
        store::cca::update_referral(&mut tx, id, content).await?;
        record(&mut tx, actor, AuditAction::ReferralWrite, Some(("referral", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Submits a draft, or sends back the complements asked. The commission will read the
    /// household's composition and situation as they are at submission.
    pub async fn submit_referral(&self, actor: &Actor, id: i64) -> Result<()> {
        let (mut tx, r) = self.writable_referral(actor, id, AuditAction::ReferralStep).await?;
        let missing = r.content.missing();
        if !missing.is_empty() {
            return Err(InvalidInput::new("saisine", format!("à compléter : {}", missing.join(", "))).into());
        }
        let to = r.state.next(ReferralEvent::Soumettre)?;
        let h = store::households::get(&mut tx, r.household).await?.ok_or(AppError::NotFound)?;
        let today = self.today();
        let periods: Vec<_> = h.periods.iter().map(|p| p.period.clone()).collect();
        let situation = period_at(&periods, today).map(|p| p.situation.code());
        let persons = h.members.iter().filter(|m| m.present_on(today)).count() as i64;
        store::cca::set_submission(&mut tx, id, today, situation, persons).await?;
        store::cca::step_referral(&mut tx, id, r.state, to, None, (actor.org, Some(actor.user))).await?;
        for (user, _) in store::cca::users_with_role(&mut tx, Role::GestionnaireCca.code()).await? {
            let msg = format!("Saisine n° {id} déposée : à vérifier");
            store::cca::notify(&mut tx, user, "saisine", &msg, &format!("/cca/saisines/{id}"), None).await?;
        }
        record(&mut tx, actor, AuditAction::ReferralStep, Some(("referral", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        self.deliver_quietly().await;
        Ok(())
    }

    pub async fn withdraw_referral(&self, actor: &Actor, id: i64, reason: &str) -> Result<()> {
        let (mut tx, r) = self.writable_referral(actor, id, AuditAction::ReferralStep).await?;
        let to = r.state.next(ReferralEvent::Retirer)?;
        let msg = Some(reason.trim()).filter(|m| !m.is_empty());
        store::cca::step_referral(&mut tx, id, r.state, to, msg, (actor.org, Some(actor.user))).await?;
        record(&mut tx, actor, AuditAction::ReferralStep, Some(("referral", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The manager's completeness check: complete, or complements asked with a message back.
    pub async fn check_referral(&self, actor: &Actor, id: i64, complete: bool, message: &str) -> Result<()> {
        manager(actor, self.today())?;
        let message = message.trim();
        if !complete && message.is_empty() {
            return Err(InvalidInput::new("message", "dire au référent ce qui manque").into());
        }
        if message.chars().count() > 2000 {
            return Err(InvalidInput::new("message", "2 000 caractères au plus").into());
        }
        let (mut tx, r, _) = self.readable_referral(actor, id, AuditAction::ReferralStep).await?;
        let event = if complete { ReferralEvent::DeclarerComplete } else { ReferralEvent::DemanderComplements };
        let to = r.state.next(event)?;
        let msg = Some(message).filter(|m| !m.is_empty());
        store::cca::step_referral(&mut tx, id, r.state, to, msg, (actor.org, Some(actor.user))).await?;
        let text = if complete {
            format!("Saisine n° {id} : dossier complet, il sera inscrit à une séance")
        } else {
            format!("Saisine n° {id} : compléments demandés")
        };
        store::cca::notify(&mut tx, r.referrer, "saisine", &text, &format!("/cca/saisines/{id}"), None).await?;
        record(&mut tx, actor, AuditAction::ReferralStep, Some(("referral", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        self.deliver_quietly().await;
        Ok(())
    }

    /// E-mails the pending notifications now; a failure waits for the next reminders run.
    async fn deliver_quietly(&self) {
        if let Err(e) = self.deliver_emails().await {
            tracing::warn!(error = %e, "e-mail delivery deferred");
        }
    }

    pub async fn referral(&self, actor: &Actor, id: i64) -> Result<ReferralView> {
        let (mut tx, r, facts) = self.readable_referral(actor, id, AuditAction::ReferralRead).await?;
        let h = store::households::get(&mut tx, r.household).await?.ok_or(AppError::NotFound)?;
        let steps = store::cca::steps(&mut tx, id).await?;
        let attachments = store::cca::attachments(&mut tx, id).await?;
        let decisions = store::cca::decisions_of_referral(&mut tx, id).await?;
        let session = store::cca::session_of_referral(&mut tx, id).await?;
        let kinds = store::cca::measure_kinds(&mut tx).await?;
        record(&mut tx, actor, AuditAction::ReferralRead, Some(("referral", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        let today = self.today();
        let periods: Vec<_> = h.periods.iter().map(|p| p.period.clone()).collect();
        Ok(ReferralView {
            household_name: display_name(&h.members, today),
            persons_now: h.members.iter().filter(|m| m.present_on(today)).count(),
            situation_now: period_at(&periods, today).map(|p| p.situation),
            measure_label: label_of(&kinds, r.content.measure_asked.as_deref()),
            may_edit: policy::may_write_referral(actor, &facts, r.org, today),
            may_manage: policy::may(actor, Action::ManageCca, today),
            may_open_file: policy::decide(actor, Action::ReadFile, &facts, today),
            record: r,
            steps,
            attachments,
            decisions,
            session,
        })
    }

    /// The manager's inbox (every submitted referral), or a référent's own organisation's
    /// referrals. Logged as one list read.
    pub async fn referrals(&self, actor: &Actor, states: &[ReferralState]) -> Result<Vec<ReferralRow>> {
        let today = self.today();
        let is_manager = policy::may(actor, Action::ManageCca, today);
        if !is_manager && !policy::may_create_household(actor) {
            return Err(AppError::Forbidden);
        }
        let mut tx = self.store.begin_audited().await?;
        let org = (!is_manager).then_some(actor.org);
        let mut rows = store::cca::referrals(&mut tx, states, org).await?;
        if is_manager && org.is_none() {
            // Drafts belong to their authors until submitted.
            rows.retain(|r| r.state != ReferralState::Brouillon || r.org == actor.org);
        }
        let kinds = store::cca::measure_kinds(&mut tx).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let facts = self.facts(&mut tx, r.household).await?;
            if !policy::may_read_referral(actor, &facts, r.state != ReferralState::Brouillon, today) {
                continue;
            }
            let h = store::households::get(&mut tx, r.household).await?.ok_or(AppError::NotFound)?;
            out.push(ReferralRow {
                id: r.id,
                household: r.household,
                household_name: display_name(&h.members, today),
                org_name: r.org_name.clone(),
                state: r.state,
                submitted_on: r.submitted_on,
                measure_label: label_of(&kinds, r.content.measure_asked.as_deref()),
                waiting_days: r.submitted_on.filter(|_| r.state.is_pending()).map(|d| (today - d).whole_days()),
            });
        }
        record(&mut tx, actor, AuditAction::ReferralRead, None, AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Adds a file to a referral, encrypted with the keyring (the row binds the ciphertext).
    pub async fn add_attachment(
        &self,
        actor: &Actor,
        id: i64,
        filename: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<i64> {
        let filename = sanitise_filename(filename)?;
        if bytes.is_empty() || bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(InvalidInput::new("pièce jointe", "fichier vide ou de plus de 5 Mo").into());
        }
        if !ATTACHMENT_MEDIA.contains(&media_type) {
            return Err(InvalidInput::new("pièce jointe", "formats acceptés : PDF, JPEG, PNG, texte, ODT").into());
        }
        let keyring = self.keyring()?;
        let (mut tx, r) = self.writable_referral(actor, id, AuditAction::AttachmentAdd).await?;
        if r.state.is_final() {
            return Err(InvalidInput::new("saisine", "elle est close").into());
        }
        let aid =
            store::cca::insert_attachment(&mut tx, id, &filename, media_type, bytes.len() as i64, actor.user, |row| {
                keyring.encrypt(bytes, &Aad { table: "referral_attachments", column: "payload", row })
            })
            .await?;
        record(&mut tx, actor, AuditAction::AttachmentAdd, Some(("referral", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(aid)
    }

    /// An attachment's (name, media type, bytes), for the referral's readers.
    pub async fn attachment(&self, actor: &Actor, id: i64, attachment: i64) -> Result<(String, String, Vec<u8>)> {
        let keyring = self.keyring()?;
        let (mut tx, _, _) = self.readable_referral(actor, id, AuditAction::AttachmentRead).await?;
        let (meta, sealed) = store::cca::attachment(&mut tx, id, attachment).await?.ok_or(AppError::NotFound)?;
        let bytes = keyring
            .decrypt(&sealed, &Aad { table: "referral_attachments", column: "payload", row: meta.id })
            .map_err(|_| AppError::Undecryptable)?;
        record(&mut tx, actor, AuditAction::AttachmentRead, Some(("referral", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok((meta.filename, meta.media_type, bytes))
    }

    // ---- sessions

    pub async fn create_session(&self, actor: &Actor, date: Date, place: &str) -> Result<i64> {
        manager(actor, self.today())?;
        if place.chars().count() > 200 {
            return Err(InvalidInput::new("lieu", "200 caractères au plus").into());
        }
        let mut tx = self.store.begin_audited().await?;
        let id = store::cca::insert_session(&mut tx, date, place.trim(), actor.user).await?;
        record(&mut tx, actor, AuditAction::SessionWrite, Some(("session", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn session_for_manager(&self, actor: &Actor, id: i64) -> Result<(Tx, SessionRecord)> {
        manager(actor, self.today())?;
        let mut tx = self.store.begin_audited().await?;
        let s = store::cca::session(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        Ok((tx, s))
    }

    /// The window of the members' access for a published session.
    fn window(&self, s: &SessionRecord) -> Option<(String, String)> {
        s.published_at.as_deref().map(|p| access_window(p, s.date, self.config.cca_access_delay_days))
    }

    /// Invites a commission member (an account holding the member role). Once the agenda is
    /// out, the new member gets the same access as the others.
    pub async fn invite_member(&self, actor: &Actor, session: i64, user: UserId) -> Result<()> {
        let (mut tx, s) = self.session_for_manager(actor, session).await?;
        if !s.state.agenda_editable() {
            return Err(InvalidInput::new("séance", "elle est close").into());
        }
        let members = store::cca::users_with_role(&mut tx, Role::MembreCommission.code()).await?;
        if !members.iter().any(|m| m.0 == user) {
            return Err(InvalidInput::new("membre", "ce compte n'a pas le rôle de membre de commission").into());
        }
        store::cca::add_member(&mut tx, session, user).await.map_err(|e| match e {
            store::StoreError::Conflict => AppError::Invalid(InvalidInput::new("membre", "déjà invité")),
            e => e.into(),
        })?;
        if let Some((from, to)) = self.window(&s) {
            store::cca::grant_session_access(&mut tx, session, (&from, &to), actor.user).await?;
        }
        record(&mut tx, actor, AuditAction::SessionWrite, Some(("session", session)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_presence(&self, actor: &Actor, session: i64, user: UserId, present: bool) -> Result<()> {
        let (mut tx, s) = self.session_for_manager(actor, session).await?;
        if s.state == SessionState::Preparee {
            return Err(InvalidInput::new("présence", "l'ordre du jour n'est pas encore publié").into());
        }
        if !store::cca::set_presence(&mut tx, session, user, present).await? {
            return Err(InvalidInput::new("membre", "non invité à cette séance").into());
        }
        record(&mut tx, actor, AuditAction::SessionWrite, Some(("session", session)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_to_agenda(&self, actor: &Actor, session: i64, referral: i64) -> Result<()> {
        let (mut tx, s) = self.session_for_manager(actor, session).await?;
        if !s.state.agenda_editable() {
            return Err(InvalidInput::new("séance", "elle est close").into());
        }
        let r = store::cca::referral(&mut tx, referral).await?.ok_or(AppError::NotFound)?;
        let to = r.state.next(ReferralEvent::Inscrire)?;
        if r.submitted_on.is_some_and(|d| s.date < d) {
            return Err(InvalidInput::new("séance", "elle précède le dépôt de la saisine").into());
        }
        store::cca::add_to_agenda(&mut tx, session, referral).await?;
        let msg = format!("inscrite à la séance du {}", format_date_fr(s.date));
        store::cca::step_referral(&mut tx, referral, r.state, to, Some(&msg), (actor.org, Some(actor.user))).await?;
        if let Some((from, to)) = self.window(&s) {
            store::cca::grant_session_access(&mut tx, session, (&from, &to), actor.user).await?;
        }
        record(&mut tx, actor, AuditAction::SessionWrite, Some(("session", session)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a referral up or down the agenda (the order the commission will review files in).
    pub async fn move_on_agenda(&self, actor: &Actor, session: i64, referral: i64, up: bool) -> Result<()> {
        let (mut tx, s) = self.session_for_manager(actor, session).await?;
        if !s.state.agenda_editable() {
            return Err(InvalidInput::new("séance", "elle est close").into());
        }
        if !store::cca::move_on_agenda(&mut tx, session, referral, up).await? {
            return Err(InvalidInput::new("ordre du jour", "déplacement impossible").into());
        }
        record(&mut tx, actor, AuditAction::SessionWrite, Some(("session", session)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a referral off the agenda: it goes back to "complete", and the members' access to
    /// that household for this session ends now.
    pub async fn remove_from_agenda(&self, actor: &Actor, session: i64, referral: i64) -> Result<()> {
        let (mut tx, s) = self.session_for_manager(actor, session).await?;
        if !s.state.agenda_editable() {
            return Err(InvalidInput::new("séance", "elle est close").into());
        }
        let r = store::cca::referral(&mut tx, referral).await?.ok_or(AppError::NotFound)?;
        let to = r.state.next(ReferralEvent::Desinscrire)?;
        if !store::cca::remove_from_agenda(&mut tx, session, referral).await? {
            return Err(InvalidInput::new("ordre du jour", "cette saisine n'y figure pas").into());
        }
        store::cca::step_referral(
            &mut tx,
            referral,
            r.state,
            to,
            Some("retirée de l'ordre du jour"),
            (actor.org, Some(actor.user)),
        )
        .await?;
        store::cca::revoke_session_access(&mut tx, session, r.household, &self.now_ts()).await?;
        record(&mut tx, actor, AuditAction::SessionWrite, Some(("session", session)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes the agenda: from now until the session's day plus the configured delay, the
    /// invited members may open the files on it, and only those.
    pub async fn publish_agenda(&self, actor: &Actor, session: i64) -> Result<()> {
        let (mut tx, s) = self.session_for_manager(actor, session).await?;
        let to_state = s.state.publish()?;
        store::cca::set_session_state(&mut tx, session, to_state, &self.now_ts()).await?;
        let s = store::cca::session(&mut tx, session).await?.ok_or(AppError::NotFound)?;
        let (from, to) = self.window(&s).expect("a published session has a publication time");
        store::cca::grant_session_access(&mut tx, session, (&from, &to), actor.user).await?;
        for m in store::cca::members(&mut tx, session).await? {
            let msg = format!("Ordre du jour publié : séance de la CCA du {}", format_date_fr(s.date));
            store::cca::notify(&mut tx, m.user, "seance", &msg, &format!("/cca/seances/{session}"), None).await?;
        }
        record(&mut tx, actor, AuditAction::SessionWrite, Some(("session", session)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        self.deliver_quietly().await;
        Ok(())
    }

    /// Records the commission's decision on a referral of the session's agenda. An agreement
    /// creates the measure, waiting to start; the referrer is notified.
    pub async fn decide(&self, actor: &Actor, session: i64, referral: i64, input: &DecisionInput) -> Result<i64> {
        input.validate()?;
        let (mut tx, s) = self.session_for_manager(actor, session).await?;
        if !s.state.accepts_decisions() {
            return Err(
                InvalidInput::new("séance", "les décisions se saisissent en séance, ordre du jour publié").into()
            );
        }
        if store::cca::session_of_referral(&mut tx, referral).await? != Some(session) {
            return Err(InvalidInput::new("saisine", "elle n'est pas à l'ordre du jour de cette séance").into());
        }
        let r = store::cca::referral(&mut tx, referral).await?.ok_or(AppError::NotFound)?;
        let to = r.state.next(ReferralEvent::Decider(input.outcome))?;
        self.check_measure_kind(&mut tx, input.measure.as_deref()).await?;
        // The decision is dated the session's day, even when typed in a little later.
        let id = store::cca::insert_decision(&mut tx, referral, session, input, s.date, actor.user).await?;
        store::cca::step_referral(&mut tx, referral, r.state, to, None, (actor.org, Some(actor.user))).await?;
        if input.outcome == Outcome::Accorde {
            let kind = input.measure.as_deref().expect("validated: an agreement names its measure");
            store::measures::insert(&mut tx, r.household, Some(id), kind).await?;
        }
        let msg = format!("Saisine n° {referral} : décision de la commission — {}", input.outcome.label());
        store::cca::notify(&mut tx, r.referrer, "decision", &msg, &format!("/cca/saisines/{referral}"), None).await?;
        record(&mut tx, actor, AuditAction::DecisionRecord, Some(("referral", referral)), AuditOutcome::Allowed)
            .await?;
        tx.commit().await?;
        self.deliver_quietly().await;
        Ok(id)
    }

    /// Closes the session. Referrals left undecided go back to "complete" for a later session.
    pub async fn close_session(&self, actor: &Actor, session: i64) -> Result<()> {
        let (mut tx, s) = self.session_for_manager(actor, session).await?;
        let to_state = s.state.close()?;
        for item in store::cca::agenda(&mut tx, session).await? {
            if item.decision.is_none() && item.referral.state == ReferralState::Inscrite {
                let to = item.referral.state.next(ReferralEvent::Desinscrire)?;
                store::cca::step_referral(
                    &mut tx,
                    item.referral.id,
                    item.referral.state,
                    to,
                    Some("non examinée en séance"),
                    (actor.org, Some(actor.user)),
                )
                .await?;
            }
        }
        store::cca::set_session_state(&mut tx, session, to_state, &self.now_ts()).await?;
        record(&mut tx, actor, AuditAction::SessionWrite, Some(("session", session)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sessions: all for the manager, those the member is invited to for a member.
    pub async fn cca_sessions(&self, actor: &Actor) -> Result<Vec<SessionRecord>> {
        let mut conn = self.store.pool().acquire().await?;
        if policy::may(actor, Action::ManageCca, self.today()) {
            Ok(store::cca::sessions(&mut conn, None).await?)
        } else if actor.has(Role::MembreCommission) {
            Ok(store::cca::sessions(&mut conn, Some(actor.user)).await?)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// One session with its members and agenda. Names show only where the reader may read the
    /// referral (a member after the window sees numbers only).
    pub async fn cca_session(&self, actor: &Actor, id: i64) -> Result<SessionView> {
        let today = self.today();
        let may_manage = policy::may(actor, Action::ManageCca, today);
        let mut tx = self.store.begin_audited().await?;
        let Some(s) = store::cca::session(&mut tx, id).await? else {
            return self.deny(tx, actor, AuditAction::SessionRead, ("session", id)).await;
        };
        let members = store::cca::members(&mut tx, id).await?;
        if !may_manage && !members.iter().any(|m| m.user == actor.user) {
            return self.deny(tx, actor, AuditAction::SessionRead, ("session", id)).await;
        }
        let kinds = store::cca::measure_kinds(&mut tx).await?;
        let mut agenda = Vec::new();
        for item in store::cca::agenda(&mut tx, id).await? {
            let facts = self.facts(&mut tx, item.referral.household).await?;
            let readable = policy::may_read_referral(actor, &facts, true, today);
            let label = if readable {
                let h = store::households::get(&mut tx, item.referral.household).await?.ok_or(AppError::NotFound)?;
                format!("{} (ménage n° {})", display_name(&h.members, today), item.referral.household.0)
            } else {
                format!("Ménage n° {}", item.referral.household.0)
            };
            let measure_label = label_of(&kinds, item.referral.content.measure_asked.as_deref());
            agenda.push(AgendaLine { item, label, measure_label, readable });
        }
        record(&mut tx, actor, AuditAction::SessionRead, Some(("session", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        let access = self.window(&s);
        Ok(SessionView { session: s, members, agenda, access, may_manage })
    }

    /// Accounts that may be invited to sessions: (id, name).
    pub async fn commission_members(&self, actor: &Actor) -> Result<Vec<(UserId, String)>> {
        manager(actor, self.today())?;
        let mut conn = self.store.pool().acquire().await?;
        Ok(store::cca::users_with_role(&mut conn, Role::MembreCommission.code()).await?)
    }

    /// The actor's latest notifications.
    pub async fn notifications(&self, actor: &Actor) -> Result<Vec<store::cca::Notification>> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(store::cca::notifications(&mut conn, actor.user, 50).await?)
    }

    pub async fn mark_notifications_read(&self, actor: &Actor) -> Result<()> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(store::cca::mark_read(&mut conn, actor.user).await?)
    }
}

/// What the CCA and CCAPEX know of one household, for its file.
#[derive(Debug, Clone, Default)]
pub struct HouseholdCca {
    pub referrals: Vec<(i64, ReferralState, Option<Date>)>,
    pub measures: Vec<store::measures::MeasureRecord>,
    /// (procedure, current stage label, closed)
    pub evictions: Vec<(i64, &'static str, bool)>,
    pub may_refer: bool,
    pub may_evictions: bool,
}

impl App {
    /// The household's referrals (other organisations' drafts excepted), measures and eviction
    /// procedures, for whoever may read its file.
    pub async fn household_cca(&self, actor: &Actor, id: HouseholdId) -> Result<HouseholdCca> {
        let (mut tx, facts) = self.authorise(actor, id, Action::ReadFile, AuditAction::MeasureRead).await?;
        let referrals = store::cca::referrals_of_household(&mut tx, id)
            .await?
            .into_iter()
            .filter(|r| r.state != ReferralState::Brouillon || r.org == actor.org)
            .map(|r| (r.id, r.state, r.submitted_on))
            .collect();
        let measures = store::measures::of_household(&mut tx, id).await?;
        let today = self.today();
        let may_evictions = policy::decide(actor, Action::ManageEviction, &facts, today);
        let evictions = if may_evictions {
            store::evictions::list(&mut tx, Some(id))
                .await?
                .into_iter()
                .map(|e| {
                    let stage = domain::eviction::current_stage(&e.stages).map_or("Ouverte", |s| s.label());
                    (e.id, stage, e.closed.is_some())
                })
                .collect()
        } else {
            Vec::new()
        };
        record(&mut tx, actor, AuditAction::MeasureRead, Some(("household", id.0)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(HouseholdCca {
            referrals,
            measures,
            evictions,
            may_refer: policy::decide(actor, Action::WriteFile, &facts, today),
            may_evictions,
        })
    }
}

/// A session's minutes: who was there, which files, what was decided.
#[derive(Debug, Clone)]
pub struct MinutesData {
    pub date: Date,
    pub place: String,
    pub present: Vec<String>,
    pub absent: Vec<String>,
    pub items: Vec<MinutesLine>,
}

#[derive(Debug, Clone)]
pub struct MinutesLine {
    pub position: i64,
    pub household: String,
    pub referrer: String,
    pub measure_asked: String,
    pub decision: String,
    pub detail: String,
}

impl App {
    /// The minutes of a session, for its manager and members (names as the session page shows
    /// them to the reader). Logged as a session read.
    pub async fn minutes(&self, actor: &Actor, id: i64) -> Result<MinutesData> {
        let v = self.cca_session(actor, id).await?;
        let kinds = self.measure_kinds().await?;
        let who = |m: &MemberRecord| {
            if m.org_name.is_empty() {
                m.name.clone()
            } else {
                format!("{} — {}", m.name, m.org_name)
            }
        };
        let items = v
            .agenda
            .iter()
            .map(|a| {
                let r = &a.item.referral;
                let (decision, detail) = match &a.item.decision {
                    None => ("Non examiné".to_owned(), String::new()),
                    Some(d) => {
                        let detail = match d.outcome {
                            Outcome::Accorde => {
                                format!(
                                    "Mesure accordée : {}",
                                    label_of(&kinds, d.measure_kind.as_deref()).unwrap_or_default()
                                )
                            }
                            Outcome::Reoriente => format!("Réorienté vers : {}", d.redirected_to),
                            Outcome::Refuse => format!("Motif : {}", d.reason),
                            Outcome::Ajourne => format!("Ajourné : {}", d.reason),
                        };
                        (d.outcome.label().to_owned(), detail)
                    }
                };
                MinutesLine {
                    position: a.item.position,
                    household: format!("{} — {} personne(s) au dépôt", a.label, r.persons_at_submission.unwrap_or(0)),
                    referrer: format!("{} — {}", r.referrer_name, r.org_name),
                    measure_asked: a.measure_label.clone().unwrap_or_else(|| "—".into()),
                    decision,
                    detail,
                }
            })
            .collect();
        Ok(MinutesData {
            date: v.session.date,
            place: v.session.place.clone(),
            present: v.members.iter().filter(|m| m.present).map(who).collect(),
            absent: v.members.iter().filter(|m| !m.present).map(who).collect(),
            items,
        })
    }
}

/// A catalogue code's label (the code itself when the catalogue no longer has it).
pub fn label_of(kinds: &[(String, String, i64, bool)], code: Option<&str>) -> Option<String> {
    code.map(|c| kinds.iter().find(|k| k.0 == c).map_or_else(|| c.to_owned(), |k| k.1.clone()))
}

/// Keeps a file name displayable and harmless in a Content-Disposition header.
fn sanitise_filename(name: &str) -> Result<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | ';')).take(120).collect();
    let clean = clean.trim().to_owned();
    if clean.is_empty() {
        return Err(InvalidInput::new("pièce jointe", "nom de fichier manquant").into());
    }
    Ok(clean)
}
