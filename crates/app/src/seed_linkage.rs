//! The demo's past work on duplicates: the SIAO coordinator's decisions on the queue, and one
//! contradiction for the decisions' page to show (two records said to be different people that
//! two merges join through a third).

use std::collections::BTreeMap;

use domain::identity::DecisionBasis;
use domain::PersonId;
use store::linkage::Candidate;

use crate::linkage_run::{LinkRunReport, ReviewBand};
use crate::{App, Result};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkageDemo {
    pub same: usize,
    pub different: usize,
    /// The run after the decisions.
    pub run: LinkRunReport,
}

impl App {
    /// Decides a few queued pairs as the SIAO coordinator (the most probable the same person,
    /// the least probable different people), stages one contradiction in a cluster of three
    /// records, and runs the linkage again so that clusters and queue follow.
    pub async fn seed_linkage_demo(&self) -> Result<LinkageDemo> {
        let siao = self.demo_actor("siao").await?;
        let mut out = LinkageDemo::default();
        let queue = self.duplicate_queue(&siao).await?;
        let grounds = [DecisionBasis::IdentityDocument, DecisionBasis::Follower, DecisionBasis::Records];
        for (q, basis) in queue.iter().take(3).zip(grounds) {
            self.decide_pair(&siao, q.candidate.id, (q.candidate.a, q.candidate.b), true, basis).await?;
            out.same += 1;
        }
        for q in queue.iter().skip(3).rev().take(1) {
            self.decide_pair(&siao, q.candidate.id, (q.candidate.a, q.candidate.b), false, DecisionBasis::Person)
                .await?;
            out.different += 1;
        }
        // three records the engine put together, none decided yet, all readable by the SIAO
        let mut conn = self.store.pool().acquire().await?;
        let mut clusters: BTreeMap<i64, Vec<PersonId>> = BTreeMap::new();
        for (p, c) in store::linkage::clusters(&mut conn).await? {
            clusters.entry(c).or_default().push(p);
        }
        let decided: Vec<(PersonId, PersonId)> =
            store::linkage::decisions(&mut conn).await?.into_iter().map(|d| (d.a, d.b)).collect();
        drop(conn);
        for members in clusters.values().filter(|m| m.len() >= 3) {
            let (x, y, z) = (members[0], members[1], members[2]);
            if decided.iter().any(|(a, b)| [x, y, z].contains(a) || [x, y, z].contains(b)) {
                continue;
            }
            let mut tx = self.store.begin_audited().await?;
            let mut readable = true;
            for (a, b) in [(x, y), (y, z), (x, z)] {
                let pair = Candidate { id: 0, a, b, probability: 0.0, explanation: String::new() };
                readable &= self.reviewable(&mut tx, &siao, &pair).await?.is_some();
            }
            if !readable {
                tx.rollback().await?;
                continue;
            }
            let by = (siao.org, siao.user);
            store::linkage::decide(&mut tx, x, y, true, DecisionBasis::Records, by).await?;
            store::linkage::decide(&mut tx, y, z, true, DecisionBasis::Records, by).await?;
            store::linkage::decide(&mut tx, x, z, false, DecisionBasis::Follower, by).await?;
            crate::audit::record(
                &mut tx,
                &siao,
                domain::audit::AuditAction::LinkageDecision,
                None,
                domain::audit::Outcome::Allowed,
            )
            .await?;
            tx.commit().await?;
            out.same += 2;
            out.different += 1;
            break;
        }
        out.run = self.run_linkage(ReviewBand::default(), &linkage::NoProgress).await?;
        Ok(out)
    }
}
