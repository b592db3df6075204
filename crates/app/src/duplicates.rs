//! Duplicates across partners: the review queue (uncertain pairs only, each shown only to those
//! who may read both files), decisions (same person: a merge that keeps both records; different
//! people: never proposed again) and unmerge.

use std::collections::{HashMap, HashSet};

use domain::audit::{AuditAction, Outcome as AuditOutcome};
use domain::household::Membership;
use domain::identity::DecisionBasis;
use domain::policy::{self, HouseholdFacts};
use domain::user::Actor;
use domain::{HouseholdId, InvalidInput, PersonId};
use store::linkage::{Candidate, Merge};
use store::Tx;

use crate::audit::record;
use crate::merge_notices::MergeNotice;
use crate::{App, AppError, Result};

/// One field's part in a pair's score, as stored with the candidate.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldWeight {
    pub field: String,
    /// The comparison level, in French ("identique", "proche", "différent", "manquant"…).
    pub level: String,
    /// log2 Bayes factor: positive pulls towards "same person".
    pub weight: f64,
}

/// One side of a pair in the lists (queue, decisions): the person and its household's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRef {
    pub person: PersonId,
    pub household: HouseholdId,
    /// `DUPONT Marie`
    pub name: String,
}

/// A pair waiting for review, as the queue lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    pub candidate: Candidate,
    pub a: PersonRef,
    pub b: PersonRef,
    /// Each side's household commune: (INSEE code, name).
    pub communes: [Option<(String, String)>; 2],
    /// Whether the actor's organisation follows either household today.
    pub ours: bool,
    /// Whether someone asked the following structures for their opinion on it.
    pub asked: bool,
}

impl QueueEntry {
    /// Whether either household is in the commune of this INSEE code.
    pub fn in_commune(&self, insee: &str) -> bool {
        self.communes.iter().flatten().any(|(code, _)| code == insee)
    }
}

/// One side of a pair: the person as its file shows it.
#[derive(Debug, Clone)]
pub struct Side {
    pub person: PersonId,
    pub household: HouseholdId,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Option<domain::Date>,
    pub sex: &'static str,
    pub commune: Option<String>,
    pub followers: Vec<String>,
    pub birth: domain::identity::BirthIdentity,
    /// The other present members of the household, oldest first.
    pub co_members: Vec<CoMember>,
}

/// Another member of a side's household: a reviewer sees whether both households hold the same
/// people (the explanation's « Ménage » line says the engine thought so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoMember {
    /// `DUPONT Marie`.
    pub name: String,
    pub birth_year: Option<i32>,
    /// In one linkage group with a member of the other side's household.
    pub linked: bool,
}

#[derive(Debug, Clone)]
pub struct PairView {
    pub id: i64,
    pub probability: f64,
    pub a: Side,
    pub b: Side,
    pub explanation: Vec<FieldWeight>,
    /// The opinions already asked on this pair, if any.
    pub asked: Option<crate::opinions::OpinionAsked>,
    /// The decision already taken on it (by someone else, since the queue was read), if any.
    pub decided: Option<store::linkage::Decision>,
}

/// A merge as a household's file shows it.
#[derive(Debug, Clone)]
pub struct MergeView {
    pub id: i64,
    pub here: String,
    /// The other record, when the reader may read its file; `None` otherwise.
    pub other: Option<(HouseholdId, String)>,
    pub decided_at: String,
    pub by: Option<String>,
    pub basis: DecisionBasis,
}

/// A member as the linkage screens name it: `DUPONT Marie`.
pub(crate) fn display_name(m: &Membership) -> String {
    format!("{} {}", m.person.family_name.to_uppercase(), m.person.given_names)
}

/// A linkage step that showed or changed two households' files, in each one's own access log
/// (the DPO's view of a household and the rights export list it), besides the step's own event.
pub(crate) async fn record_households(
    tx: &mut Tx,
    actor: &Actor,
    action: AuditAction,
    (ha, hb): (HouseholdId, HouseholdId),
) -> Result<()> {
    for h in if ha == hb { vec![ha] } else { vec![ha, hb] } {
        record(tx, actor, action, Some(("household", h.0)), AuditOutcome::Allowed).await?;
    }
    Ok(())
}

pub(crate) fn side_of(members: &[Membership], person: PersonId) -> Option<&Membership> {
    members.iter().find(|m| m.person.id == person)
}

impl App {
    pub(crate) async fn facts_of(
        &self,
        tx: &mut Tx,
        person: PersonId,
    ) -> Result<Option<(HouseholdId, HouseholdFacts)>> {
        let Some(h) = store::linkage::households_of(tx, person).await?.into_iter().next() else { return Ok(None) };
        let facts = store::access::household_facts(tx, h, self.today(), &self.now_ts()).await?;
        Ok(facts.map(|f| (h, f)))
    }

    pub(crate) async fn reviewable(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        c: &Candidate,
    ) -> Result<Option<(HouseholdId, HouseholdId)>> {
        let (Some((ha, fa)), Some((hb, fb))) = (self.facts_of(tx, c.a).await?, self.facts_of(tx, c.b).await?) else {
            return Ok(None);
        };
        Ok(policy::may_review_pair(actor, &fa, &fb, self.today()).then_some((ha, hb)))
    }

    /// The pairs the actor may review, most probable first. Logged as one read. The policy's
    /// list filter decides for all pairs at once ([`policy::list_scope`] agrees with
    /// [`policy::may_review_pair`]'s checks on one file, tested pair by pair): a few queries
    /// whatever the queue's length.
    pub async fn duplicate_queue(&self, actor: &Actor) -> Result<Vec<QueueEntry>> {
        let mut tx = self.store.begin_audited().await?;
        let mut out = Vec::new();
        let pairs = self.reviewable_pending(&mut tx, actor).await?;
        if !pairs.is_empty() {
            let names = store::linkage::pending_names(&mut tx).await?;
            let communes = store::linkage::pending_communes(&mut tx).await?;
            let followed = self.followed(&mut tx, actor).await?;
            let asked = crate::opinions::asked_pairs(&mut tx).await?;
            for (c, ha, hb) in pairs {
                let (Some(na), Some(nb)) = (names.get(&c.a), names.get(&c.b)) else { continue };
                let a = PersonRef { person: c.a, household: ha, name: na.clone() };
                let b = PersonRef { person: c.b, household: hb, name: nb.clone() };
                let communes = [communes.get(&ha).cloned(), communes.get(&hb).cloned()];
                let ours = followed.contains(&ha) || followed.contains(&hb);
                let asked = asked.contains(&(c.a, c.b));
                out.push(QueueEntry { candidate: c, a, b, communes, ours, asked });
            }
        }
        record(&mut tx, actor, AuditAction::LinkageRead, None, AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// How many pairs the actor may review, and how many of them touch a household the actor's
    /// organisation follows today: the to-do list's count. No name is read.
    pub async fn duplicate_counts(&self, actor: &Actor) -> Result<(usize, usize)> {
        // a count logs nothing: no need to hold the access log's head as writers do
        let mut tx = self.store.begin().await?;
        let pairs = self.reviewable_pending(&mut tx, actor).await?;
        if pairs.is_empty() {
            return Ok((0, 0));
        }
        let followed = self.followed(&mut tx, actor).await?;
        let ours = pairs.iter().filter(|(_, ha, hb)| followed.contains(ha) || followed.contains(hb)).count();
        Ok((pairs.len(), ours))
    }

    /// The households the actor's organisation follows today.
    async fn followed(&self, tx: &mut Tx, actor: &Actor) -> Result<HashSet<HouseholdId>> {
        Ok(store::access::followed_households(tx, actor.org, self.today()).await?.into_iter().collect())
    }

    /// The pending pairs whose two files the actor may read, with the two households, most
    /// probable first.
    async fn reviewable_pending(
        &self,
        tx: &mut Tx,
        actor: &Actor,
    ) -> Result<Vec<(Candidate, HouseholdId, HouseholdId)>> {
        if !policy::is_reviewer(actor) {
            return Ok(Vec::new());
        }
        let pending = store::linkage::pending(tx).await?;
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        let today = self.today();
        let scope = policy::list_scope(actor, policy::Action::ReadFile, today);
        let visible = store::access::visible_pending_households(tx, &scope, today, &self.now_ts()).await?;
        let homes = store::linkage::pending_households(tx).await?;
        let home = |p: PersonId| homes.get(&p).copied().filter(|h| visible.contains(h));
        Ok(pending.into_iter().filter_map(|c| Some((home(c.a)?, home(c.b)?, c))).map(|(a, b, c)| (c, a, b)).collect())
    }

    async fn reviewable_pair(&self, actor: &Actor, id: i64) -> Result<(Tx, Candidate, HouseholdId, HouseholdId)> {
        let mut tx = self.store.begin_audited().await?;
        if let Some(c) = store::linkage::candidate(&mut tx, id).await? {
            if let Some((ha, hb)) = self.reviewable(&mut tx, actor, &c).await? {
                return Ok((tx, c, ha, hb));
            }
        }
        record(&mut tx, actor, AuditAction::LinkageRead, Some(("link_candidate", id)), AuditOutcome::Denied).await?;
        tx.commit().await?;
        Err(AppError::NotFound)
    }

    /// Pair `id` if it is still the pair of `shown`'s persons and the actor may review it. When
    /// it is not (a run recomputed the queue), a reviewer of those persons is told so; anyone
    /// else gets the usual refusal, logged, and learns nothing.
    pub(crate) async fn reviewable_shown_pair(
        &self,
        actor: &Actor,
        id: i64,
        shown: (PersonId, PersonId),
    ) -> Result<(Tx, Candidate, HouseholdId, HouseholdId)> {
        let (a, b) = if shown.0 .0 < shown.1 .0 { shown } else { (shown.1, shown.0) };
        let mut tx = self.store.begin_audited().await?;
        match store::linkage::candidate(&mut tx, id).await? {
            Some(c) if (c.a, c.b) == (a, b) => {
                if let Some((ha, hb)) = self.reviewable(&mut tx, actor, &c).await? {
                    return Ok((tx, c, ha, hb));
                }
            }
            _ => {
                let pair = Candidate { id, a, b, probability: 0.0, explanation: String::new() };
                if self.reviewable(&mut tx, actor, &pair).await?.is_some() {
                    return Err(AppError::Invalid(InvalidInput::new(
                        "paire",
                        "la file a été recalculée entre-temps : rien n'est enregistré",
                    )));
                }
            }
        }
        record(&mut tx, actor, AuditAction::LinkageRead, Some(("link_candidate", id)), AuditOutcome::Denied).await?;
        tx.commit().await?;
        Err(AppError::NotFound)
    }

    /// The two records side by side, with the explanation of the score.
    pub async fn duplicate_pair(&self, actor: &Actor, id: i64) -> Result<PairView> {
        let (mut tx, c, ha, hb) = self.reviewable_pair(actor, id).await?;
        let today = self.today();
        let mut sides = Vec::new();
        let mut others: Vec<Vec<Membership>> = Vec::new();
        for (person, h) in [(c.a, ha), (c.b, hb)] {
            let rec = store::households::get(&mut tx, h).await?.ok_or(AppError::NotFound)?;
            let m = side_of(&rec.members, person).ok_or(AppError::NotFound)?.clone();
            let mut co: Vec<Membership> =
                rec.members.iter().filter(|o| o.person.id != person && o.present_on(today)).cloned().collect();
            co.sort_by_key(|o| (o.person.birth_date.is_none(), o.person.birth_date, o.person.id));
            others.push(co);
            sides.push(Side {
                person,
                household: h,
                family_name: m.person.family_name.clone(),
                given_names: m.person.given_names.clone(),
                birth_date: m.person.birth_date,
                sex: m.person.sex.label(),
                birth: rec.births.get(&person).cloned().unwrap_or_default(),
                commune: rec.commune.map(|c| c.1),
                followers: rec
                    .follows
                    .iter()
                    .filter(|f| f.from <= today && f.to.is_none_or(|t| today < t))
                    .map(|f| f.org_name.clone())
                    .collect(),
                co_members: Vec::new(),
            });
        }
        // which co-members share a linkage group with one on the other side
        let ids: Vec<PersonId> = others.iter().flatten().map(|o| o.person.id).collect();
        let group: HashMap<PersonId, i64> =
            store::linkage::shown_cluster_of(&mut tx, &ids).await?.into_iter().collect();
        let groups_of = |co: &[Membership]| -> HashSet<i64> {
            co.iter().filter_map(|o| group.get(&o.person.id).copied()).collect()
        };
        let there = [groups_of(&others[1]), groups_of(&others[0])];
        for ((side, co), there) in sides.iter_mut().zip(&others).zip(&there) {
            side.co_members = co
                .iter()
                .map(|o| CoMember {
                    name: display_name(o),
                    birth_year: o.person.birth_date.map(|d| d.year()),
                    linked: group.get(&o.person.id).is_some_and(|g| there.contains(g)),
                })
                .collect();
        }
        let asked = match store::cca::notified(&mut tx, &crate::opinions::ask_key(c.a, c.b)).await? {
            (people, Some(since)) if people > 0 => Some(crate::opinions::OpinionAsked { people, since }),
            _ => None,
        };
        let decided = store::linkage::decision_on_pair(&mut tx, c.a, c.b).await?;
        record_households(&mut tx, actor, AuditAction::LinkagePairRead, (ha, hb)).await?;
        record(&mut tx, actor, AuditAction::LinkageRead, Some(("link_candidate", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        let explanation = serde_json::from_str(&c.explanation).unwrap_or_default();
        let b = sides.pop().expect("two sides");
        let a = sides.pop().expect("two sides");
        Ok(PairView { id, probability: c.probability, a, b, explanation, asked, decided })
    }

    /// Same person (a merge keeping both records) or different people (never proposed again) on
    /// pair `id`, as shown to the reviewer with `shown`'s two persons: refused, and said, when a
    /// run has recomputed the queue since and `id` is no longer that pair.
    pub async fn decide_pair(
        &self,
        actor: &Actor,
        id: i64,
        shown: (PersonId, PersonId),
        same: bool,
        basis: DecisionBasis,
    ) -> Result<()> {
        if basis == DecisionBasis::Unstated {
            return Err(AppError::Invalid(InvalidInput::new("motif", "indiquez sur quoi repose la décision")));
        }
        let (mut tx, c, ha, hb) = self.reviewable_shown_pair(actor, id, shown).await?;
        store::linkage::decide(&mut tx, c.a, c.b, same, basis, (actor.org, actor.user)).await.map_err(|e| match e {
            store::StoreError::Conflict => {
                AppError::Invalid(InvalidInput::new("doublon", "cette paire est déjà tranchée"))
            }
            e => e.into(),
        })?;
        if same {
            crate::clusters::refresh_around(&mut tx, &[c.a, c.b]).await?;
            self.notify_followers(&mut tx, actor, (ha, hb), MergeNotice::Merged).await?;
        } else {
            crate::clusters::recluster_around(&mut tx, &[c.a, c.b]).await?;
        }
        record_households(&mut tx, actor, AuditAction::LinkageDecision, (ha, hb)).await?;
        record(&mut tx, actor, AuditAction::LinkageDecision, Some(("link_candidate", id)), AuditOutcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Undoes a merge: the link goes, both records stay exactly as they were.
    pub async fn unmerge(&self, actor: &Actor, merge_id: i64) -> Result<()> {
        let mut tx = self.store.begin_audited().await?;
        let merge = store::linkage::merge(&mut tx, merge_id).await?;
        let homes = match &merge {
            Some(m) => {
                let c = Candidate { id: 0, a: m.a, b: m.b, probability: 0.0, explanation: String::new() };
                self.reviewable(&mut tx, actor, &c).await?
            }
            None => None,
        };
        let Some(homes) = homes else {
            record(&mut tx, actor, AuditAction::LinkageUnmerge, Some(("merge", merge_id)), AuditOutcome::Denied)
                .await?;
            tx.commit().await?;
            return Err(AppError::NotFound);
        };
        store::linkage::delete_decision(&mut tx, merge_id, true).await?;
        if let Some(m) = &merge {
            crate::clusters::refresh_around(&mut tx, &[m.a, m.b]).await?;
        }
        self.notify_followers(&mut tx, actor, homes, MergeNotice::Unmerged).await?;
        record_households(&mut tx, actor, AuditAction::LinkageUnmerge, homes).await?;
        record(&mut tx, actor, AuditAction::LinkageUnmerge, Some(("merge", merge_id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The merges of a household's members, for its file: the other record is named only when
    /// the reader may read it.
    pub async fn household_merges(&self, actor: &Actor, household: HouseholdId) -> Result<Vec<MergeView>> {
        let (mut tx, _) = self.authorise(actor, household, policy::Action::ReadFile, AuditAction::LinkageRead).await?;
        let rec = store::households::get(&mut tx, household).await?.ok_or(AppError::NotFound)?;
        let ids: Vec<PersonId> = rec.members.iter().map(|m| m.person.id).collect();
        let merges: Vec<Merge> = store::linkage::merges_of(&mut tx, &ids).await?;
        let today = self.today();
        let mut out = Vec::new();
        for m in merges {
            let (here, other) = if ids.contains(&m.a) { (m.a, m.b) } else { (m.b, m.a) };
            let here_name = side_of(&rec.members, here).map(display_name).unwrap_or_default();
            let other_view = match self.facts_of(&mut tx, other).await? {
                Some((h, f)) if policy::decide(actor, policy::Action::ReadFile, &f, today) => {
                    let r = store::households::get(&mut tx, h).await?.ok_or(AppError::NotFound)?;
                    side_of(&r.members, other).map(|x| (h, display_name(x)))
                }
                _ => None,
            };
            out.push(MergeView {
                id: m.id,
                here: here_name,
                other: other_view,
                decided_at: m.decided_at,
                by: m.by,
                basis: m.basis,
            });
        }
        record(&mut tx, actor, AuditAction::LinkageRead, Some(("household", household.0)), AuditOutcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(out)
    }
}
