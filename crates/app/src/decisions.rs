//! Reviewers' decisions on possible duplicates, as a log they can revisit: every decision on two
//! files the reader may review, newest first, each revocable (a merge undone, « different
//! people » withdrawn); and first the contradictions — pairs said to be different people that
//! « same person » merges join again through other records — for reviewers to settle. Nothing
//! is shown of a pair the reader may not review (a contradiction appears only to those who may
//! review every decision in it).

use std::collections::{HashMap, HashSet};

use domain::audit::{AuditAction, Outcome as AuditOutcome};
use domain::identity::DecisionBasis;
use domain::policy::{self, Action};
use domain::user::Actor;
use domain::{HouseholdId, PersonId};
use store::linkage::Decision;
use store::Tx;

use crate::audit::record;
pub use crate::duplicates::PersonRef;
use crate::{App, AppError, Result};

/// Decisions shown per page of the log.
pub const PER_PAGE: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionView {
    pub id: i64,
    /// « Même personne » (a merge), otherwise « personnes différentes ».
    pub same: bool,
    pub a: PersonRef,
    pub b: PersonRef,
    pub decided_at: String,
    pub by: Option<String>,
    pub org: String,
    pub basis: DecisionBasis,
    /// Each side's household commune (INSEE code, name), when it has one.
    pub communes: [Option<(String, String)>; 2],
}

/// Which decisions the log shows, as the queue of pairs filters them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionFilter {
    /// An INSEE code: only decisions on a file in that commune (either side).
    pub commune: Option<String>,
    /// Only decisions touching a household the actor's organisation follows.
    pub ours: bool,
}

/// Two persons said to be different whom « same person » merges put in one cluster (the shown
/// clusters follow merges and unmerges at once): one of these decisions is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contradiction {
    pub apart: DecisionView,
    /// The merges among the persons of that cluster.
    pub merges: Vec<DecisionView>,
}

/// A « different people » decision as a household's file shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectionView {
    pub id: i64,
    /// The member of this household (`DUPONT Marie`).
    pub here: String,
    pub other: PersonRef,
    pub decided_at: String,
    pub org: String,
    pub basis: DecisionBasis,
    /// Whether the reader may withdraw it (a reviewer of both files).
    pub may_withdraw: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionLog {
    pub contradictions: Vec<Contradiction>,
    /// This page of the decisions, newest first.
    pub decisions: Vec<DecisionView>,
    /// Whether a later page holds more.
    pub more: bool,
    /// The communes of the decisions the actor may review (filter aside): INSEE code, name and
    /// how many decisions touch them, by name.
    pub communes: Vec<(String, String, usize)>,
}

/// Per request: the households the actor may read (the policy's list filter, which agrees with
/// [`policy::may_review_pair`]'s check on one file), each decided person's household, and the
/// names shown, looked up once.
struct Lookup {
    reviewer: bool,
    visible: HashSet<HouseholdId>,
    homes: HashMap<PersonId, HouseholdId>,
    communes: HashMap<HouseholdId, (String, String)>,
    names: HashMap<PersonId, Option<String>>,
}

impl App {
    async fn lookup(&self, tx: &mut Tx, actor: &Actor) -> Result<Lookup> {
        let today = self.today();
        let scope = policy::list_scope(actor, Action::ReadFile, today);
        Ok(Lookup {
            reviewer: policy::is_reviewer(actor),
            visible: store::access::visible_households(tx, &scope, today, &self.now_ts()).await?,
            homes: store::linkage::decided_households(tx).await?,
            communes: store::linkage::decided_communes(tx).await?,
            names: HashMap::new(),
        })
    }

    /// The two households of a decision the actor may review both files of (no name read).
    fn reviewable_homes(look: &Lookup, d: &Decision) -> Option<(HouseholdId, HouseholdId)> {
        let (&ha, &hb) = (look.homes.get(&d.a)?, look.homes.get(&d.b)?);
        (look.reviewer && look.visible.contains(&ha) && look.visible.contains(&hb)).then_some((ha, hb))
    }

    /// The decision as the actor may see it: `None` unless they may review both files.
    async fn decision_view(&self, tx: &mut Tx, look: &mut Lookup, d: &Decision) -> Result<Option<DecisionView>> {
        let Some((ha, hb)) = Self::reviewable_homes(look, d) else { return Ok(None) };
        let mut refs = Vec::with_capacity(2);
        for (p, h) in [(d.a, ha), (d.b, hb)] {
            let name = match look.names.get(&p) {
                Some(n) => n.clone(),
                None => {
                    let n = store::linkage::display_name(tx, p).await?;
                    look.names.insert(p, n.clone());
                    n
                }
            };
            let Some(name) = name else { return Ok(None) };
            refs.push(PersonRef { person: p, household: h, name });
        }
        let b = refs.pop().expect("two sides");
        let a = refs.pop().expect("two sides");
        Ok(Some(DecisionView {
            id: d.id,
            same: d.same,
            a,
            b,
            decided_at: d.decided_at.clone(),
            by: d.by.clone(),
            org: d.org.clone(),
            basis: d.basis,
            communes: [look.communes.get(&ha).cloned(), look.communes.get(&hb).cloned()],
        }))
    }

    /// The contradictions the actor may settle: every decision in them reviewable by them.
    async fn contradictions_in(&self, tx: &mut Tx, look: &mut Lookup) -> Result<Vec<Contradiction>> {
        let mut out = Vec::new();
        'each: for (d, cluster) in store::linkage::contradicted(tx).await? {
            let Some(apart) = self.decision_view(tx, look, &d).await? else { continue };
            let members = store::linkage::cluster_members(tx, cluster).await?;
            let mut merges = Vec::new();
            for m in store::linkage::merges_of(tx, &members).await? {
                if !(members.contains(&m.a) && members.contains(&m.b)) {
                    continue;
                }
                let Some(decision) = store::linkage::decision(tx, m.id).await? else { continue };
                match self.decision_view(tx, look, &decision).await? {
                    Some(v) => merges.push(v),
                    // a merge the actor may not review: the contradiction is not theirs to settle
                    None => continue 'each,
                }
            }
            // only the engine joins them (it never does: it keeps them apart), no reviewer did
            if !merges.is_empty() {
                out.push(Contradiction { apart, merges });
            }
        }
        Ok(out)
    }

    /// The contradictions the actor may settle, by the id of their « different people »
    /// decision (for the queue's page and the to-do list: no file is shown, so nothing is
    /// logged).
    pub async fn contradiction_ids(&self, actor: &Actor) -> Result<Vec<i64>> {
        let mut tx = self.store.begin().await?;
        // the usual case, and the cheap one: no contradiction at all
        if !policy::is_reviewer(actor) || store::linkage::contradicted(&mut tx).await?.is_empty() {
            return Ok(Vec::new());
        }
        let mut look = self.lookup(&mut tx, actor).await?;
        let c = self.contradictions_in(&mut tx, &mut look).await?;
        tx.commit().await?;
        Ok(c.into_iter().map(|c| c.apart.id).collect())
    }

    /// The contradictions and one page (from 0) of the decisions the actor may review that
    /// `filter` admits, with the communes to filter by. Names are read for that page only.
    /// Logged as one read.
    pub async fn decision_log(&self, actor: &Actor, page: usize, filter: &DecisionFilter) -> Result<DecisionLog> {
        let mut tx = self.store.begin_audited().await?;
        let mut look = self.lookup(&mut tx, actor).await?;
        let contradictions = self.contradictions_in(&mut tx, &mut look).await?;
        let followed: HashSet<HouseholdId> = if filter.ours {
            store::access::followed_households(&mut tx, actor.org, self.today()).await?.into_iter().collect()
        } else {
            HashSet::new()
        };
        let mut by_commune: HashMap<&(String, String), usize> = HashMap::new();
        let mut admitted = Vec::new();
        let all = store::linkage::decisions(&mut tx).await?;
        for d in &all {
            let Some((ha, hb)) = Self::reviewable_homes(&look, d) else { continue };
            let (ca, cb) = (look.communes.get(&ha), look.communes.get(&hb));
            // a decision counts once in each of its communes
            let mut theirs: Vec<&(String, String)> = [ca, cb].into_iter().flatten().collect();
            theirs.dedup();
            for c in theirs {
                *by_commune.entry(c).or_default() += 1;
            }
            let in_commune = filter
                .commune
                .as_deref()
                .is_none_or(|code| [ca, cb].into_iter().flatten().any(|(insee, _)| insee == code));
            let ours = !filter.ours || followed.contains(&ha) || followed.contains(&hb);
            if in_commune && ours {
                admitted.push(d);
            }
        }
        let mut communes: Vec<(String, String, usize)> =
            by_commune.into_iter().map(|((code, name), n)| (code.clone(), name.clone(), n)).collect();
        communes.sort_by(|x, y| (&x.1, &x.0).cmp(&(&y.1, &y.0)));
        let skip = page * PER_PAGE;
        let more = admitted.len() > skip + PER_PAGE;
        let mut decisions = Vec::new();
        for d in admitted.into_iter().skip(skip).take(PER_PAGE) {
            if let Some(v) = self.decision_view(&mut tx, &mut look, d).await? {
                decisions.push(v);
            }
        }
        record(&mut tx, actor, AuditAction::LinkageRead, None, AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(DecisionLog { contradictions, decisions, more, communes })
    }

    /// The « different people » decisions on a household's members, for its file: only those
    /// whose other file the reader may read (the others are not even mentioned). Logged as one
    /// read.
    pub async fn household_rejections(&self, actor: &Actor, household: HouseholdId) -> Result<Vec<RejectionView>> {
        let (mut tx, here_facts) = self.authorise(actor, household, Action::ReadFile, AuditAction::LinkageRead).await?;
        let rec = store::households::get(&mut tx, household).await?.ok_or(AppError::NotFound)?;
        let today = self.today();
        let mut out = Vec::new();
        for m in &rec.members {
            for d in store::linkage::rejections_of(&mut tx, m.person.id).await? {
                let other = if d.a == m.person.id { d.b } else { d.a };
                let Some((h, facts)) = self.facts_of(&mut tx, other).await? else { continue };
                if !policy::decide(actor, Action::ReadFile, &facts, today) {
                    continue;
                }
                let Some(name) = store::linkage::display_name(&mut tx, other).await? else { continue };
                out.push(RejectionView {
                    id: d.id,
                    here: crate::duplicates::display_name(m),
                    other: PersonRef { person: other, household: h, name },
                    decided_at: d.decided_at,
                    org: d.org,
                    basis: d.basis,
                    may_withdraw: policy::may_review_pair(actor, &here_facts, &facts, today),
                });
            }
        }
        record(&mut tx, actor, AuditAction::LinkageRead, Some(("household", household.0)), AuditOutcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Withdraws a « different people » decision: the row goes, and the engine's links that the
    /// decision had cut join the two again at once; the next linkage run may also propose them
    /// again. Refused and logged unless the actor may review both files.
    pub async fn withdraw_rejection(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.store.begin_audited().await?;
        let pair = match store::linkage::decision(&mut tx, id).await? {
            Some(d) if !d.same => {
                let c =
                    store::linkage::Candidate { id: 0, a: d.a, b: d.b, probability: 0.0, explanation: String::new() };
                self.reviewable(&mut tx, actor, &c).await?.map(|homes| ([d.a, d.b], homes))
            }
            _ => None,
        };
        let allowed = pair.is_some();
        let outcome = if allowed { AuditOutcome::Allowed } else { AuditOutcome::Denied };
        if let Some((pair, homes)) = pair {
            store::linkage::delete_decision(&mut tx, id, false).await?;
            // the engine's links join them again at once, unless another decision parts them
            crate::clusters::recluster_around(&mut tx, &pair).await?;
            crate::duplicates::record_households(&mut tx, actor, AuditAction::LinkageWithdraw, homes).await?;
        }
        record(&mut tx, actor, AuditAction::LinkageWithdraw, Some(("link_decision", id)), outcome).await?;
        tx.commit().await?;
        if allowed {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}
