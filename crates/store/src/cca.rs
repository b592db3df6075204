//! The CCA: referrals with their steps and attachments, sessions, agenda, decisions, and the
//! in-application notifications they send.

use domain::cca::referral::{DecisionInput, ReferralContent};
use domain::cca::{Outcome, ReferralState, SessionState};
use domain::{format_date, Date, HouseholdId, OrgId, UserId};

use crate::{corrupt, date_col, now_timestamp, opt_date_col, Conn, Result};

/// One referral as stored.
#[derive(Debug, Clone)]
pub struct ReferralRecord {
    pub id: i64,
    pub household: HouseholdId,
    pub org: OrgId,
    pub org_name: String,
    pub referrer: UserId,
    pub referrer_name: String,
    pub state: ReferralState,
    pub content: ReferralContent,
    pub situation_at_submission: Option<String>,
    pub persons_at_submission: Option<i64>,
    pub eviction_id: Option<i64>,
    pub created_at: String,
    pub submitted_on: Option<Date>,
}

const REFERRAL_COLUMNS: &str = "r.id, r.household_id, r.org_id, o.name AS org_name, r.referrer_id,
    u.display_name AS referrer_name, r.state, r.needs,
    r.needs_detail, r.wishes, r.measure_asked, r.motivation, r.previous_measures, r.notice_given_on,
    r.situation_at_submission, r.persons_at_submission, r.eviction_id, r.created_at, r.submitted_on
    FROM referrals r JOIN organisations o ON o.id = r.org_id JOIN users u ON u.id = r.referrer_id";

#[derive(sqlx::FromRow)]
struct ReferralRow {
    id: i64,
    household_id: i64,
    org_id: i64,
    org_name: String,
    referrer_id: i64,
    referrer_name: String,
    state: String,
    needs: String,
    needs_detail: String,
    wishes: String,
    measure_asked: Option<String>,
    motivation: String,
    previous_measures: String,
    notice_given_on: Option<String>,
    situation_at_submission: Option<String>,
    persons_at_submission: Option<i64>,
    eviction_id: Option<i64>,
    created_at: String,
    submitted_on: Option<String>,
}

fn referral_from(r: ReferralRow) -> Result<ReferralRecord> {
    Ok(ReferralRecord {
        id: r.id,
        household: HouseholdId(r.household_id),
        org: OrgId(r.org_id),
        org_name: r.org_name,
        referrer: UserId(r.referrer_id),
        referrer_name: r.referrer_name,
        state: ReferralState::parse(&r.state).map_err(corrupt("état de saisine"))?,
        content: ReferralContent {
            needs: ReferralContent::parse_needs(&r.needs).map_err(corrupt("besoins"))?,
            needs_detail: r.needs_detail,
            wishes: r.wishes,
            measure_asked: r.measure_asked,
            motivation: r.motivation,
            previous_measures: r.previous_measures,
            notice_given_on: opt_date_col(r.notice_given_on)?,
        },
        situation_at_submission: r.situation_at_submission,
        persons_at_submission: r.persons_at_submission,
        eviction_id: r.eviction_id,
        created_at: r.created_at,
        submitted_on: opt_date_col(r.submitted_on)?,
    })
}

pub async fn insert_referral(
    conn: &mut Conn,
    household: HouseholdId,
    org: OrgId,
    referrer: UserId,
    content: &ReferralContent,
    eviction_id: Option<i64>,
) -> Result<i64> {
    let now = now_timestamp();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO referrals (household_id, org_id, referrer_id, state, needs, needs_detail, wishes, measure_asked,
            motivation, previous_measures, notice_given_on, eviction_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(household.0)
    .bind(org.0)
    .bind(referrer.0)
    .bind(ReferralState::Brouillon.code())
    .bind(content.needs_code())
    .bind(&content.needs_detail)
    .bind(&content.wishes)
    .bind(content.measure_asked.as_deref())
    .bind(&content.motivation)
    .bind(&content.previous_measures)
    .bind(content.notice_given_on.map(format_date))
    .bind(eviction_id)
    .bind(&now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn update_referral(conn: &mut Conn, id: i64, content: &ReferralContent) -> Result<()> {
    sqlx::query(
        "UPDATE referrals SET needs = $1, needs_detail = $2, wishes = $3, measure_asked = $4, motivation = $5,
            previous_measures = $6, notice_given_on = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(content.needs_code())
    .bind(&content.needs_detail)
    .bind(&content.wishes)
    .bind(content.measure_asked.as_deref())
    .bind(&content.motivation)
    .bind(&content.previous_measures)
    .bind(content.notice_given_on.map(format_date))
    .bind(now_timestamp())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn referral(conn: &mut Conn, id: i64) -> Result<Option<ReferralRecord>> {
    let row: Option<ReferralRow> =
        sqlx::query_as(&format!("SELECT {REFERRAL_COLUMNS} WHERE r.id = $1")).bind(id).fetch_optional(conn).await?;
    row.map(referral_from).transpose()
}

/// Referrals in the given states (all when empty), newest first; only `org`'s when given.
pub async fn referrals(conn: &mut Conn, states: &[ReferralState], org: Option<OrgId>) -> Result<Vec<ReferralRecord>> {
    let rows: Vec<ReferralRow> =
        sqlx::query_as(&format!("SELECT {REFERRAL_COLUMNS} WHERE ($1 = 0 OR r.org_id = $1) ORDER BY r.id DESC"))
            .bind(org.map_or(0, |o| o.0))
            .fetch_all(conn)
            .await?;
    let all = rows.into_iter().map(referral_from).collect::<Result<Vec<_>>>()?;
    Ok(all.into_iter().filter(|r| states.is_empty() || states.contains(&r.state)).collect())
}

pub async fn referrals_of_household(conn: &mut Conn, household: HouseholdId) -> Result<Vec<ReferralRecord>> {
    let rows: Vec<ReferralRow> =
        sqlx::query_as(&format!("SELECT {REFERRAL_COLUMNS} WHERE r.household_id = $1 ORDER BY r.id DESC"))
            .bind(household.0)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(referral_from).collect()
}

/// Moves a referral to `to` and records the step with its author and message.
pub async fn step_referral(
    conn: &mut Conn,
    id: i64,
    from: ReferralState,
    to: ReferralState,
    message: Option<&str>,
    by: (OrgId, Option<UserId>),
) -> Result<()> {
    let now = now_timestamp();
    let changed = sqlx::query("UPDATE referrals SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4")
        .bind(to.code())
        .bind(&now)
        .bind(id)
        .bind(from.code())
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if changed != 1 {
        // Someone else moved it meanwhile: refuse rather than overwrite their step.
        return Err(crate::StoreError::Conflict);
    }
    sqlx::query(
        "INSERT INTO referral_steps (referral_id, from_state, to_state, message, by_user, by_org, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(from.code())
    .bind(to.code())
    .bind(message)
    .bind(by.1.map(|u| u.0))
    .bind(by.0 .0)
    .bind(&now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The snapshot taken at first submission (what the commission will read).
pub async fn set_submission(conn: &mut Conn, id: i64, on: Date, situation: Option<&str>, persons: i64) -> Result<()> {
    sqlx::query(
        "UPDATE referrals SET submitted_on = COALESCE(submitted_on, $1), situation_at_submission = $2,
            persons_at_submission = $3 WHERE id = $4",
    )
    .bind(format_date(on))
    .bind(situation)
    .bind(persons)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Demo data only: the day a referral was submitted, weeks before the demo's sessions.
pub async fn backdate_submission(conn: &mut Conn, id: i64, on: Date) -> Result<()> {
    sqlx::query("UPDATE referrals SET submitted_on = $1 WHERE id = $2")
        .bind(format_date(on))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct StepRecord {
    pub from: String,
    pub to: String,
    pub message: Option<String>,
    pub by: Option<String>,
    pub org_name: String,
    pub at: String,
}

pub async fn steps(conn: &mut Conn, referral: i64) -> Result<Vec<StepRecord>> {
    let rows: Vec<(String, String, Option<String>, Option<String>, String, String)> = sqlx::query_as(
        "SELECT s.from_state, s.to_state, s.message, u.display_name, o.name, s.at FROM referral_steps s
         LEFT JOIN users u ON u.id = s.by_user JOIN organisations o ON o.id = s.by_org
         WHERE s.referral_id = $1 ORDER BY s.id",
    )
    .bind(referral)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StepRecord { from: r.0, to: r.1, message: r.2, by: r.3, org_name: r.4, at: r.5 })
        .collect())
}

/// When each referral first reached each state: (referral, state, at).
pub async fn all_steps(conn: &mut Conn) -> Result<Vec<(i64, String, String)>> {
    Ok(sqlx::query_as("SELECT referral_id, to_state, at FROM referral_steps ORDER BY id").fetch_all(conn).await?)
}

// ---- attachments

#[derive(Debug, Clone)]
pub struct AttachmentMeta {
    pub id: i64,
    pub filename: String,
    pub media_type: String,
    pub size: i64,
    pub uploaded_at: String,
}

/// Inserts the row first (its id binds the ciphertext), then the payload `seal(id)` returns.
pub async fn insert_attachment(
    conn: &mut Conn,
    referral: i64,
    filename: &str,
    media_type: &str,
    size: i64,
    by: UserId,
    seal: impl FnOnce(i64) -> String,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO referral_attachments (referral_id, filename, media_type, size_bytes, payload, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, '', $5, $6) RETURNING id",
    )
    .bind(referral)
    .bind(filename)
    .bind(media_type)
    .bind(size)
    .bind(by.0)
    .bind(now_timestamp())
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE referral_attachments SET payload = $1 WHERE id = $2")
        .bind(seal(id))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(id)
}

pub async fn attachments(conn: &mut Conn, referral: i64) -> Result<Vec<AttachmentMeta>> {
    let rows: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
        "SELECT id, filename, media_type, size_bytes, uploaded_at FROM referral_attachments WHERE referral_id = $1
         ORDER BY id",
    )
    .bind(referral)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AttachmentMeta { id: r.0, filename: r.1, media_type: r.2, size: r.3, uploaded_at: r.4 })
        .collect())
}

/// (meta, sealed payload) of one attachment of one referral.
pub async fn attachment(conn: &mut Conn, referral: i64, id: i64) -> Result<Option<(AttachmentMeta, String)>> {
    let row: Option<(i64, String, String, i64, String, String)> = sqlx::query_as(
        "SELECT id, filename, media_type, size_bytes, uploaded_at, payload FROM referral_attachments
         WHERE referral_id = $1 AND id = $2",
    )
    .bind(referral)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (AttachmentMeta { id: r.0, filename: r.1, media_type: r.2, size: r.3, uploaded_at: r.4 }, r.5)))
}

// ---- sessions

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: i64,
    pub date: Date,
    pub place: String,
    pub state: SessionState,
    pub published_at: Option<String>,
    pub closed_at: Option<String>,
}

type SessionRow = (i64, String, String, String, Option<String>, Option<String>);

fn session_from(r: SessionRow) -> Result<SessionRecord> {
    Ok(SessionRecord {
        id: r.0,
        date: date_col(&r.1)?,
        place: r.2,
        state: SessionState::parse(&r.3).map_err(corrupt("état de séance"))?,
        published_at: r.4,
        closed_at: r.5,
    })
}

pub async fn insert_session(conn: &mut Conn, date: Date, place: &str, by: UserId) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO cca_sessions (session_date, place, state, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING id",
    )
    .bind(format_date(date))
    .bind(place)
    .bind(SessionState::Preparee.code())
    .bind(by.0)
    .bind(now_timestamp())
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn session(conn: &mut Conn, id: i64) -> Result<Option<SessionRecord>> {
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT id, session_date, place, state, published_at, closed_at FROM cca_sessions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(session_from).transpose()
}

/// Sessions, latest first; only those `member` is invited to when given.
pub async fn sessions(conn: &mut Conn, member: Option<UserId>) -> Result<Vec<SessionRecord>> {
    let rows: Vec<SessionRow> = sqlx::query_as(
        "SELECT id, session_date, place, state, published_at, closed_at FROM cca_sessions s
         WHERE $1 = 0 OR EXISTS (SELECT 1 FROM cca_session_members m WHERE m.session_id = s.id AND m.user_id = $1)
         ORDER BY session_date DESC, id DESC",
    )
    .bind(member.map_or(0, |u| u.0))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(session_from).collect()
}

/// Moves a session to `state` at `now` (the publication time opens the members' access).
pub async fn set_session_state(conn: &mut Conn, id: i64, state: SessionState, now: &str) -> Result<()> {
    let column = match state {
        SessionState::OrdreDuJourPublie => "published_at",
        SessionState::Close => "closed_at",
        SessionState::Preparee => "created_at",
    };
    sqlx::query(&format!("UPDATE cca_sessions SET state = $1, {column} = $2 WHERE id = $3"))
        .bind(state.code())
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct MemberRecord {
    pub user: UserId,
    pub name: String,
    pub org_name: String,
    pub present: bool,
}

pub async fn add_member(conn: &mut Conn, session: i64, user: UserId) -> Result<()> {
    sqlx::query("INSERT INTO cca_session_members (session_id, user_id, present, invited_at) VALUES ($1, $2, 0, $3)")
        .bind(session)
        .bind(user.0)
        .bind(now_timestamp())
        .execute(conn)
        .await
        .map_err(crate::conflict_on_unique)?;
    Ok(())
}

pub async fn set_presence(conn: &mut Conn, session: i64, user: UserId, present: bool) -> Result<bool> {
    Ok(sqlx::query("UPDATE cca_session_members SET present = $1 WHERE session_id = $2 AND user_id = $3")
        .bind(i64::from(present))
        .bind(session)
        .bind(user.0)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

pub async fn members(conn: &mut Conn, session: i64) -> Result<Vec<MemberRecord>> {
    let rows: Vec<(i64, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT m.user_id, u.display_name,
            (SELECT MIN(o.name) FROM memberships ms JOIN organisations o ON o.id = ms.org_id WHERE ms.user_id = u.id),
            m.present
         FROM cca_session_members m JOIN users u ON u.id = m.user_id WHERE m.session_id = $1 ORDER BY u.display_name",
    )
    .bind(session)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MemberRecord { user: UserId(r.0), name: r.1, org_name: r.2.unwrap_or_default(), present: r.3 != 0 })
        .collect())
}

/// One item on a session's agenda, with the decision taken on it in that session if any.
#[derive(Debug, Clone)]
pub struct AgendaItem {
    pub position: i64,
    pub referral: ReferralRecord,
    pub decision: Option<DecisionRecord>,
}

pub async fn add_to_agenda(conn: &mut Conn, session: i64, referral: i64) -> Result<()> {
    let (next,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(position), 0) + 1 FROM cca_agenda WHERE session_id = $1")
        .bind(session)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO cca_agenda (session_id, referral_id, position, added_at) VALUES ($1, $2, $3, $4)")
        .bind(session)
        .bind(referral)
        .bind(next)
        .bind(now_timestamp())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn remove_from_agenda(conn: &mut Conn, session: i64, referral: i64) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE cca_agenda SET removed_at = $1 WHERE session_id = $2 AND referral_id = $3 AND removed_at IS NULL",
    )
    .bind(now_timestamp())
    .bind(session)
    .bind(referral)
    .execute(conn)
    .await?
    .rows_affected()
        > 0)
}

/// Swaps a referral's place on the agenda with its neighbour above (`up`) or below; `false` when
/// it is already first or last.
pub async fn move_on_agenda(conn: &mut Conn, session: i64, referral: i64, up: bool) -> Result<bool> {
    let items: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, referral_id, position FROM cca_agenda WHERE session_id = $1 AND removed_at IS NULL ORDER BY position",
    )
    .bind(session)
    .fetch_all(&mut *conn)
    .await?;
    let Some(i) = items.iter().position(|x| x.1 == referral) else { return Ok(false) };
    let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < items.len()) };
    let Some(j) = j else { return Ok(false) };
    for (row, position) in [(items[i].0, items[j].2), (items[j].0, items[i].2)] {
        sqlx::query("UPDATE cca_agenda SET position = $1 WHERE id = $2")
            .bind(position)
            .bind(row)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

pub async fn agenda(conn: &mut Conn, session: i64) -> Result<Vec<AgendaItem>> {
    let ids: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT position, referral_id FROM cca_agenda WHERE session_id = $1 AND removed_at IS NULL ORDER BY position",
    )
    .bind(session)
    .fetch_all(&mut *conn)
    .await?;
    let decisions = decisions_of_session(conn, session).await?;
    let mut out = Vec::with_capacity(ids.len());
    for (position, rid) in ids {
        let referral = referral(conn, rid).await?.ok_or_else(|| crate::StoreError::Corrupt("saisine".into()))?;
        let decision = decisions.iter().find(|d| d.referral == rid).cloned();
        out.push(AgendaItem { position, referral, decision });
    }
    Ok(out)
}

/// The open session whose agenda holds the referral, if any.
pub async fn session_of_referral(conn: &mut Conn, referral: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT a.session_id FROM cca_agenda a JOIN cca_sessions s ON s.id = a.session_id
         WHERE a.referral_id = $1 AND a.removed_at IS NULL AND s.state <> 'close' ORDER BY a.id DESC",
    )
    .bind(referral)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.0))
}

// ---- decisions

#[derive(Debug, Clone)]
pub struct DecisionRecord {
    pub id: i64,
    pub referral: i64,
    pub session: i64,
    pub outcome: Outcome,
    pub measure_kind: Option<String>,
    pub reason: String,
    pub redirected_to: String,
    pub decided_on: Date,
    pub decided_by: Option<String>,
    pub decided_at: String,
}

type DecisionRow = (i64, i64, i64, String, Option<String>, String, String, String, Option<String>, String);

const DECISION_COLUMNS: &str =
    "d.id, d.referral_id, d.session_id, d.outcome, d.measure_kind, d.reason, d.redirected_to,
    d.decided_on, u.display_name, d.decided_at FROM cca_decisions d LEFT JOIN users u ON u.id = d.decided_by";

fn decision_from(r: DecisionRow) -> Result<DecisionRecord> {
    Ok(DecisionRecord {
        id: r.0,
        referral: r.1,
        session: r.2,
        outcome: Outcome::parse(&r.3).map_err(corrupt("décision"))?,
        measure_kind: r.4,
        reason: r.5,
        redirected_to: r.6,
        decided_on: date_col(&r.7)?,
        decided_by: r.8,
        decided_at: r.9,
    })
}

pub async fn insert_decision(
    conn: &mut Conn,
    referral: i64,
    session: i64,
    d: &DecisionInput,
    on: Date,
    by: UserId,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO cca_decisions (referral_id, session_id, outcome, measure_kind, reason, redirected_to, decided_on,
            decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(referral)
    .bind(session)
    .bind(d.outcome.code())
    .bind(d.measure.as_deref().filter(|_| d.outcome == Outcome::Accorde))
    .bind(d.reason.trim())
    .bind(d.redirected_to.trim())
    .bind(format_date(on))
    .bind(by.0)
    .bind(now_timestamp())
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn decisions_of_session(conn: &mut Conn, session: i64) -> Result<Vec<DecisionRecord>> {
    let rows: Vec<DecisionRow> =
        sqlx::query_as(&format!("SELECT {DECISION_COLUMNS} WHERE d.session_id = $1 ORDER BY d.id"))
            .bind(session)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(decision_from).collect()
}

pub async fn decisions_of_referral(conn: &mut Conn, referral: i64) -> Result<Vec<DecisionRecord>> {
    let rows: Vec<DecisionRow> =
        sqlx::query_as(&format!("SELECT {DECISION_COLUMNS} WHERE d.referral_id = $1 ORDER BY d.id"))
            .bind(referral)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(decision_from).collect()
}

pub async fn all_decisions(conn: &mut Conn) -> Result<Vec<DecisionRecord>> {
    let rows: Vec<DecisionRow> =
        sqlx::query_as(&format!("SELECT {DECISION_COLUMNS} ORDER BY d.id")).fetch_all(conn).await?;
    rows.into_iter().map(decision_from).collect()
}

// ---- temporary access of the members

/// Grants every member of the session access to every household on its agenda over `window`
/// (pairs already granted for this session are skipped).
pub async fn grant_session_access(conn: &mut Conn, session: i64, window: (&str, &str), by: UserId) -> Result<u64> {
    let pairs: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT DISTINCT m.user_id, r.household_id FROM cca_session_members m
         JOIN cca_agenda a ON a.session_id = m.session_id AND a.removed_at IS NULL
         JOIN referrals r ON r.id = a.referral_id
         WHERE m.session_id = $1 AND NOT EXISTS (SELECT 1 FROM temporary_grants t
             WHERE t.session_id = $1 AND t.user_id = m.user_id AND t.household_id = r.household_id
             AND t.valid_to > $2)",
    )
    .bind(session)
    .bind(window.0)
    .fetch_all(&mut *conn)
    .await?;
    let now = now_timestamp();
    for (user, household) in &pairs {
        sqlx::query(
            "INSERT INTO temporary_grants (household_id, user_id, valid_from, valid_to, reason, granted_by, created_at,
                session_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(household)
        .bind(user)
        .bind(window.0)
        .bind(window.1)
        .bind(format!("séance de la CCA n° {session}"))
        .bind(by.0)
        .bind(&now)
        .bind(session)
        .execute(&mut *conn)
        .await?;
    }
    Ok(pairs.len() as u64)
}

/// Ends, from now, the session's grants on a household taken off the agenda.
pub async fn revoke_session_access(conn: &mut Conn, session: i64, household: HouseholdId, now: &str) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE temporary_grants SET valid_to = $1 WHERE session_id = $2 AND household_id = $3 AND valid_to > $1",
    )
    .bind(now)
    .bind(session)
    .bind(household.0)
    .execute(conn)
    .await?
    .rows_affected())
}

// ---- notifications

#[derive(Debug, Clone)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub message: String,
    pub link: String,
    pub created_at: String,
    pub read: bool,
}

/// The distinct notification keys that start with `prefix`.
pub async fn dedup_keys(conn: &mut Conn, prefix: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT dedup_key FROM notifications WHERE dedup_key LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// How many notifications carry `dedup_key`, and the first one's time (`None` when none does).
pub async fn notified(conn: &mut Conn, dedup_key: &str) -> Result<(i64, Option<String>)> {
    Ok(sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM notifications WHERE dedup_key = $1")
        .bind(dedup_key)
        .fetch_one(conn)
        .await?)
}

/// Sends a notification; with a `dedup_key`, a second one with the same key to the same user
/// is silently skipped (daily reminders run many times).
pub async fn notify(
    conn: &mut Conn,
    user: UserId,
    kind: &str,
    message: &str,
    link: &str,
    dedup_key: Option<&str>,
) -> Result<bool> {
    if let Some(key) = dedup_key {
        let seen: Option<(i64,)> = sqlx::query_as("SELECT id FROM notifications WHERE user_id = $1 AND dedup_key = $2")
            .bind(user.0)
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
        if seen.is_some() {
            return Ok(false);
        }
    }
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, message, link, dedup_key, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user.0)
    .bind(kind)
    .bind(message)
    .bind(link)
    .bind(dedup_key)
    .bind(now_timestamp())
    .execute(conn)
    .await?;
    Ok(true)
}

pub async fn notifications(conn: &mut Conn, user: UserId, limit: i64) -> Result<Vec<Notification>> {
    let rows: Vec<(i64, String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, kind, message, link, created_at, read_at FROM notifications WHERE user_id = $1
         ORDER BY id DESC LIMIT $2",
    )
    .bind(user.0)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Notification { id: r.0, kind: r.1, message: r.2, link: r.3, created_at: r.4, read: r.5.is_some() })
        .collect())
}

pub async fn mark_read(conn: &mut Conn, user: UserId) -> Result<()> {
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(now_timestamp())
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Notifications not yet sent by e-mail, newer than `since`: (id, e-mail address, message, link).
pub async fn unsent_emails(conn: &mut Conn, since: &str) -> Result<Vec<(i64, String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT n.id, u.email, n.message, n.link FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE n.emailed_at IS NULL AND n.created_at >= $1 AND u.active = 1 ORDER BY n.id",
    )
    .bind(since)
    .fetch_all(conn)
    .await?)
}

pub async fn mark_emailed(conn: &mut Conn, id: i64) -> Result<()> {
    sqlx::query("UPDATE notifications SET emailed_at = $1 WHERE id = $2")
        .bind(now_timestamp())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Active users holding `role`, with the organisation they hold it in: (user, name, org name).
pub async fn role_holders(conn: &mut Conn, role: &str) -> Result<Vec<(UserId, String, String)>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name, o.name FROM users u JOIN memberships ms ON ms.user_id = u.id
         JOIN organisations o ON o.id = ms.org_id WHERE ms.role = $1 AND u.active = 1 ORDER BY o.name, u.display_name",
    )
    .bind(role)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (UserId(r.0), r.1, r.2)).collect())
}

/// Active users holding `role` in some organisation.
pub async fn users_with_role(conn: &mut Conn, role: &str) -> Result<Vec<(UserId, String)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT DISTINCT u.id, u.display_name FROM users u JOIN memberships ms ON ms.user_id = u.id
         WHERE ms.role = $1 AND u.active = 1 ORDER BY u.display_name",
    )
    .bind(role)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (UserId(r.0), r.1)).collect())
}

pub async fn insert_measure_kind(conn: &mut Conn, code: &str, label: &str, months: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO measure_kinds (code, label, default_months, active, created_at) VALUES ($1, $2, $3, 1, $4)",
    )
    .bind(code)
    .bind(label)
    .bind(months)
    .bind(now_timestamp())
    .execute(conn)
    .await
    .map_err(crate::conflict_on_unique)?;
    Ok(())
}

/// Offers a kind in new referrals and decisions, or retires it (past measures keep it).
pub async fn set_measure_kind_active(conn: &mut Conn, code: &str, active: bool) -> Result<bool> {
    Ok(sqlx::query("UPDATE measure_kinds SET active = $1 WHERE code = $2")
        .bind(i64::from(active))
        .bind(code)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

/// The catalogue: (code, label, default months, active).
pub async fn measure_kinds(conn: &mut Conn) -> Result<Vec<(String, String, i64, bool)>> {
    let rows: Vec<(String, String, i64, i64)> =
        sqlx::query_as("SELECT code, label, default_months, active FROM measure_kinds ORDER BY label")
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|r| (r.0, r.1, r.2, r.3 != 0)).collect())
}
