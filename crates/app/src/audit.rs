//! Appending to and verifying the audit chain.

use domain::audit::{AuditAction, ChainError, Outcome};
use domain::user::Actor;
use store::audit::NewAuditEvent;
use store::Conn;

use crate::{App, Result};

/// Appends an event for `actor` in the caller's (audited) transaction.
pub(crate) async fn record(
    conn: &mut Conn,
    actor: &Actor,
    action: AuditAction,
    target: Option<(&'static str, i64)>,
    outcome: Outcome,
) -> Result<()> {
    store::audit::append(
        conn,
        NewAuditEvent {
            actor_user: Some(actor.user.0),
            actor_org: Some(actor.org.0),
            action,
            target_kind: target.map(|t| t.0),
            target_id: target.map(|t| t.1),
            outcome,
        },
    )
    .await?;
    Ok(())
}

/// Appends an event of the system itself (no actor: a batch, a run, a failed login).
pub(crate) async fn record_system(conn: &mut Conn, action: AuditAction, outcome: Outcome) -> Result<()> {
    store::audit::append(
        conn,
        NewAuditEvent { actor_user: None, actor_org: None, action, target_kind: None, target_id: None, outcome },
    )
    .await?;
    Ok(())
}

/// The result of a chain verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact {
        events: u64,
    },
    Broken(ChainError),
    /// The events verify, but the head records a longer or different chain: events were removed
    /// from the end.
    Truncated {
        head_seq: i64,
        last_seq: i64,
    },
}

impl App {
    /// Recomputes the whole chain, page by page, and compares it with the recorded head.
    pub async fn verify_audit(&self) -> Result<Verification> {
        let mut conn = self.store.pool().acquire().await?;
        let head = store::audit::head(&mut conn).await?;
        let (head_seq, head_hash) = (head.seq, head.hash);
        let mut verifier = domain::audit::Verifier::from_anchor(head.anchor_seq, &head.anchor_hash);
        let mut after = head.anchor_seq;
        loop {
            let page = store::audit::page(&mut conn, after, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.event.seq;
            for e in page {
                if let Err(err) = verifier.push(e) {
                    return Ok(Verification::Broken(err));
                }
            }
        }
        if verifier.last_seq() != head_seq || verifier.last_hash() != head_hash {
            return Ok(Verification::Truncated { head_seq, last_seq: verifier.last_seq() });
        }
        Ok(Verification::Intact { events: verifier.count() })
    }
}

/// A French label for an audit action code (for the DPO and the rights export).
pub fn action_label(code: &str) -> &'static str {
    match AuditAction::parse(code) {
        Some(a) => a.label(),
        None => "action inconnue",
    }
}
