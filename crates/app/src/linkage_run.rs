//! `parcours link run`: the linkage engine over the persons of the store. Clusters keep their ids
//! from one run to the next; uncertain pairs go to the review queue with their explanation;
//! reviewers' merges join clusters, their rejections are never proposed again.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use domain::audit::{AuditAction, Outcome as AuditOutcome};
use domain::user::Actor;
use domain::PersonId;
use linkage::{Dataset, Mode, PipelineConfig, Progress, Record, Schema};

use crate::duplicates::FieldWeight;
use crate::{App, AppError, Result};

/// The review band: pairs whose probability falls in `[low, high)` go to people. Above, the
/// engine's clusters already join them (statistics only: a file is never merged without a
/// person's decision).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewBand {
    pub low: f64,
    pub high: f64,
}

impl Default for ReviewBand {
    fn default() -> Self {
        Self { low: 0.5, high: 0.99 }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkRunReport {
    pub persons: usize,
    pub candidate_pairs: u64,
    pub clusters: usize,
    /// Persons sharing a cluster with another: probable duplicates.
    pub in_shared_clusters: usize,
    pub queued: usize,
    /// « Different people » pairs that « same person » decisions put back in one cluster
    /// (through a third record): reviewers contradict each other there.
    pub conflicting_decisions: usize,
    /// Persons whose cluster the run changed (added, moved or removed): only their rows are
    /// written, and only their households' kept reads are read again.
    pub changed: usize,
    pub seconds: f64,
}

/// New cluster ids from old ones: each new group takes the old id most of its members had (the
/// largest groups choose first, ties to the smaller id), otherwise a fresh id above every id
/// ever used. A group whose membership did not change keeps its id.
pub fn stable_ids(groups: &[Vec<i64>], previous: &HashMap<i64, i64>) -> Vec<i64> {
    stable_ids_from(groups, previous, previous.values().copied().max().unwrap_or(0) + 1)
}

/// [`stable_ids`], fresh ids counting from `next`.
pub fn stable_ids_from(groups: &[Vec<i64>], previous: &HashMap<i64, i64>, mut next: i64) -> Vec<i64> {
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| (std::cmp::Reverse(groups[g].len()), groups[g].iter().min().copied()));
    let mut taken = std::collections::HashSet::new();
    let mut out = vec![0; groups.len()];
    for g in order {
        let mut votes: BTreeMap<i64, usize> = BTreeMap::new();
        for p in &groups[g] {
            if let Some(c) = previous.get(p) {
                *votes.entry(*c).or_default() += 1;
            }
        }
        let best = votes
            .into_iter()
            .filter(|(c, _)| !taken.contains(c))
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(c, _)| c);
        out[g] = best.unwrap_or_else(|| {
            next += 1;
            next - 1
        });
        taken.insert(out[g]);
    }
    out
}

/// The records of each cluster, by index (every record up to `n` in one).
fn groups_of(clusters: &linkage::Clusters, n: usize) -> Vec<Vec<usize>> {
    let mut clusters = clusters.clone();
    clusters.extend_to(n);
    let mut by: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, c) in clusters.assignments().iter().enumerate().take(n) {
        by.entry(c.0).or_default().push(i);
    }
    by.into_values().collect()
}

/// The first values of a person's linkage record (`linkage::Schema::parcours` order): names,
/// birth date, sex (`X`, not given, is missing).
pub(crate) fn person_values(family: &str, given: &str, birth_date: Option<String>, sex: &str) -> Vec<Option<String>> {
    vec![Some(family.to_owned()), Some(given.to_owned()), birth_date, (sex != "X").then(|| sex.to_owned())]
}

fn field_label(name: &str) -> &str {
    match name {
        "family_name" => "Nom",
        "given_names" => "Prénoms",
        "birth_date" => "Date de naissance",
        "sex" => "Sexe",
        "commune" => "Commune",
        "birth_country" => "Pays de naissance",
        "birth_commune" => "Commune de naissance",
        other => other,
    }
}

/// Above this many pairs across two clusters kept apart, the guard's vetoes are
/// looked for among the first members of each only (the engine's guard samples likewise).
const VETO_PAIRS: usize = 10_000;
const VETO_SAMPLE: usize = 100;

/// The pairs across two clusters of `pairs` (cluster roots, smaller first) that `vetoed`
/// refuses, with its weight: (record, record, weight), the records in index order.
fn guard_vetoes(
    clusters: &linkage::Clusters,
    pairs: &std::collections::HashSet<(u64, u64)>,
    n: usize,
    vetoed: impl Fn(u32, u32) -> Option<f64>,
) -> Vec<(u32, u32, f64)> {
    if pairs.is_empty() {
        return Vec::new();
    }
    let wanted: BTreeSet<u64> = pairs.iter().flat_map(|&(x, y)| [x, y]).collect();
    let mut members: HashMap<u64, Vec<u32>> = HashMap::new();
    for i in 0..n as u32 {
        let c = clusters.of(i).0;
        if wanted.contains(&c) {
            members.entry(c).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    let mut pairs: Vec<&(u64, u64)> = pairs.iter().filter(|(x, y)| x != y).collect();
    pairs.sort_unstable();
    for &(x, y) in pairs {
        let (mx, my) = (&members[&x], &members[&y]);
        let (mx, my) = if mx.len() * my.len() > VETO_PAIRS {
            (&mx[..mx.len().min(VETO_SAMPLE)], &my[..my.len().min(VETO_SAMPLE)])
        } else {
            (&mx[..], &my[..])
        };
        for &a in mx {
            for &b in my {
                if let Some(w) = vetoed(a, b) {
                    out.push((a.min(b), a.max(b), w));
                }
            }
        }
    }
    out
}

/// What a run computed, before it is stored ([`App::store_linkage`]): the clusters, the links,
/// the queue, and the reviewers' decisions it honoured.
pub struct LinkRunPlan {
    report: LinkRunReport,
    started: std::time::Instant,
    rows: Vec<(PersonId, i64, i64)>,
    links: Vec<(PersonId, PersonId, f64)>,
    queue: Vec<(PersonId, PersonId, f64, String)>,
    decisions: Vec<(PersonId, PersonId, bool)>,
}

/// Leave to run the engine now, at the coordination's request: one such run at a time per
/// server, released when the ticket is dropped (the run ended, well or not).
pub struct RunTicket {
    running: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Told when the run ends.
    asked_by: domain::UserId,
}

impl Drop for RunTicket {
    fn drop(&mut self) {
        self.running.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

impl App {
    /// Whether a run asked from the review queue is computing now.
    pub fn linkage_running(&self) -> bool {
        self.linkage_running.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The coordination asks for a run now, between the nightly ones (after a day of entries,
    /// say): refused, and logged, to anyone else; `None` when one is already computing. The
    /// run itself is [`App::run_linkage_with`], meant for a background task.
    pub async fn ask_linkage_run(&self, actor: &Actor) -> Result<Option<RunTicket>> {
        let allowed = domain::policy::may_run_linkage(actor);
        let mut tx = self.store.begin_audited().await?;
        let outcome = if allowed { AuditOutcome::Allowed } else { AuditOutcome::Denied };
        crate::audit::record(&mut tx, actor, AuditAction::LinkageRun, None, outcome).await?;
        tx.commit().await?;
        if !allowed {
            return Err(AppError::Forbidden);
        }
        let idle = self.linkage_running.compare_exchange(
            false,
            true,
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
        );
        Ok(idle.is_ok().then(|| RunTicket { running: self.linkage_running.clone(), asked_by: actor.user }))
    }

    /// The run a ticket allows, with the nightly run's review band; whoever asked is told, in
    /// their notifications, when it ends (figures only), or that it failed.
    pub async fn run_linkage_with(&self, ticket: RunTicket) -> Result<LinkRunReport> {
        let outcome = self.run_linkage(ReviewBand::default(), &linkage::NoProgress).await;
        let message = match &outcome {
            Ok(r) => format!(
                "Rapprochement terminé : {} paire(s) à examiner, {} personne(s) dont le groupe a changé",
                r.queued, r.changed
            ),
            Err(_) => "Le rapprochement demandé n'a pas abouti : celui de la nuit le refera".to_owned(),
        };
        let mut tx = self.store.begin().await?;
        store::cca::notify(&mut tx, ticket.asked_by, "doublon", &message, "/doublons", None).await?;
        tx.commit().await?;
        drop(ticket);
        outcome
    }

    /// When the last linkage run stored its clusters (RFC 3339, UTC), if one ever did: the
    /// review queue says how fresh its pairs are.
    pub async fn last_linkage_run(&self) -> Result<Option<String>> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(store::settings::get(&mut conn, store::settings::LINKAGE_LAST_RUN).await?)
    }

    /// Runs the engine over every person and stores clusters and the review queue. Logged.
    pub async fn run_linkage(&self, band: ReviewBand, progress: &dyn Progress) -> Result<LinkRunReport> {
        let plan = self.plan_linkage(band, progress).await?;
        self.store_linkage(plan).await
    }

    /// The run's computation, under the decisions as they stand when it starts (reviewers may
    /// decide while it runs: [`App::store_linkage`] takes their new decisions into account).
    pub async fn plan_linkage(&self, band: ReviewBand, progress: &dyn Progress) -> Result<LinkRunPlan> {
        let started = std::time::Instant::now();
        let mut conn = self.store.pool().acquire().await?;
        let decisions = store::linkage::decided_pairs(&mut conn).await?;
        let persons = store::linkage::persons(&mut conn).await?;
        let previous: HashMap<i64, i64> =
            store::linkage::engine_clusters(&mut conn).await?.into_iter().map(|(p, c)| (p.0, c)).collect();
        drop(conn);
        let records: Vec<Record> = persons
            .iter()
            .map(|p| {
                let mut values = person_values(&p.family_name, &p.given_names, p.birth_date.clone(), &p.sex);
                values.extend([
                    p.commune.clone(),
                    p.birth_name.clone(),
                    p.birth_country.clone(),
                    p.birth_commune.clone(),
                ]);
                Record::new(p.id.0.to_string(), values)
            })
            .collect();
        let mut ds = Dataset::from_records(Schema::parcours(), &records)
            .map_err(|e| AppError::Invalid(domain::InvalidInput::new("rapprochement", e.to_string())))?;
        // each partner's record of a household: its members are different persons, and vouch
        // for each other (linkage::context)
        let mut numbers: HashMap<i64, u32> = HashMap::new();
        for (i, p) in persons.iter().enumerate() {
            if let Some(h) = p.household {
                let next = numbers.len() as u32 + 1;
                ds.set_group(i as u32, *numbers.entry(h).or_insert(next));
            }
        }
        let mut report = LinkRunReport { persons: persons.len(), ..LinkRunReport::default() };
        if persons.len() < 2 {
            return Ok(LinkRunPlan {
                report,
                started,
                rows: Vec::new(),
                links: Vec::new(),
                queue: Vec::new(),
                decisions,
            });
        }
        let index_of: HashMap<i64, u32> = persons.iter().enumerate().map(|(i, p)| (p.id.0, i as u32)).collect();
        let mut cfg = PipelineConfig::new(&ds, Mode::Dedupe);
        cfg.keep_above = band.low;
        // "different people" holds whatever the engine finds around the two
        cfg.apart = decisions
            .iter()
            .filter(|d| !d.2)
            .filter_map(|(a, b, _)| Some((*index_of.get(&a.0)?, *index_of.get(&b.0)?)))
            .collect();
        let outcome = linkage::run(&ds, &cfg, progress);
        report.candidate_pairs = outcome.blocking.total;

        // The engine's clusters under stable ids; the shown clusters join them by the reviewers'
        // merges, each under the smallest engine id it holds (so an unmerge gives every id back).
        let engine_groups = groups_of(&outcome.clusters, persons.len());
        let mut engine_of = vec![0i64; persons.len()];
        let engine_ids = stable_ids(
            &engine_groups.iter().map(|g| g.iter().map(|&i| persons[i].id.0).collect()).collect::<Vec<_>>(),
            &previous,
        );
        for (g, id) in engine_groups.iter().zip(&engine_ids) {
            g.iter().for_each(|&i| engine_of[i] = *id);
        }
        let mut clusters = outcome.clusters.clone();
        for (a, b, _) in decisions.iter().filter(|d| d.2) {
            if let (Some(a), Some(b)) = (index_of.get(&a.0), index_of.get(&b.0)) {
                clusters.force_merge(*a, *b);
            }
        }
        clusters.extend_to(persons.len());
        report.conflicting_decisions = cfg.apart.iter().filter(|&&(a, b)| clusters.of(a) == clusters.of(b)).count();
        let groups = groups_of(&clusters, persons.len());
        let mut rows: Vec<(PersonId, i64, i64)> = Vec::with_capacity(persons.len());
        for g in &groups {
            let shown = g.iter().map(|&i| engine_of[i]).min().unwrap_or_default();
            rows.extend(g.iter().map(|&i| (persons[i].id, engine_of[i], shown)));
        }
        rows.sort();
        report.clusters = groups.len();
        report.in_shared_clusters = groups.iter().filter(|g| g.len() > 1).map(Vec::len).sum();

        // The queue: uncertain pairs with each field's part in the score (levels and weights,
        // never the values).
        let scorer = outcome.scorer(&ds);
        let mut queue = Vec::new();
        // two records of one household are never joined by the engine: alike, they go to people
        // (a person entered twice in one household)
        let households = linkage::context::Groups::new(&ds);
        for p in outcome
            .pairs
            .iter()
            .filter(|p| p.probability >= band.low && (p.probability < band.high || households.together(p.a, p.b)))
        {
            let e = outcome.explain(&scorer, p.a, p.b);
            let mut why: Vec<FieldWeight> = e
                .household
                .map(|w| FieldWeight {
                    field: "Ménage".to_owned(),
                    level: "un autre membre des deux ménages est rapproché".to_owned(),
                    weight: w,
                })
                .into_iter()
                .collect();
            why.extend(e.fields.iter().map(|f| FieldWeight {
                field: field_label(&f.field).to_owned(),
                level: f.label.to_owned(),
                weight: f.weight,
            }));
            let why =
                serde_json::to_string(&why).map_err(|_| AppError::Store(store::StoreError::Corrupt("json".into())))?;
            queue.push((persons[p.a as usize].id, persons[p.b as usize].id, p.probability, why));
        }
        // The links inside the engine's clusters; and between two clusters a « different
        // people » decision keeps apart, or the engine's guard (a pair across them is two
        // persons), the links across them and the guard's vetoes (stored with their negative
        // weight): a decision or its withdrawal then clusters the records around it again at
        // once, as the next run will (clusters::recluster_around).
        let of = |i: u32| outcome.clusters.of(i).0;
        let key = |a: u32, b: u32| (of(a).min(of(b)), of(a).max(of(b)));
        let linked = |p: &&linkage::ScoredPair| p.probability >= cfg.threshold && !households.together(p.a, p.b);
        let parted: std::collections::HashSet<(u64, u64)> = cfg.apart.iter().map(|&(a, b)| key(a, b)).collect();
        let mut around = parted.clone();
        around.extend(outcome.pairs.iter().filter(linked).filter(|p| of(p.a) != of(p.b)).map(|p| key(p.a, p.b)));
        let vetoes = guard_vetoes(&outcome.clusters, &around, persons.len(), |a, b| {
            let w = scorer.score(a.min(b), a.max(b)).1;
            (w < cfg.guard_weight).then_some(w + scorer.prior_weight())
        });
        let mut kept = parted;
        kept.extend(vetoes.iter().map(|&(a, b, _)| key(a, b)));
        let mut links: Vec<(PersonId, PersonId, f64)> = outcome
            .pairs
            .iter()
            .filter(linked)
            .filter(|p| of(p.a) == of(p.b) || kept.contains(&key(p.a, p.b)))
            .map(|p| (persons[p.a as usize].id, persons[p.b as usize].id, p.weight))
            .collect();
        links.extend(vetoes.into_iter().map(|(a, b, w)| (persons[a as usize].id, persons[b as usize].id, w)));
        Ok(LinkRunPlan { report, started, rows, links, queue, decisions })
    }

    /// Stores what [`App::plan_linkage`] computed, in one transaction. A decision taken or
    /// withdrawn since the run started is applied on top, as it was when it was taken (its
    /// records clustered again, the shown clusters refreshed): the run does not undo it. The
    /// audited transaction waits for any decision in progress, and holds the next ones back
    /// until it commits.
    pub async fn store_linkage(&self, plan: LinkRunPlan) -> Result<LinkRunReport> {
        let LinkRunPlan { mut report, started, rows, links, queue, decisions } = plan;
        if report.persons < 2 {
            return Ok(report);
        }
        let mut tx = self.store.begin_audited().await?;
        // persons anonymised while the run computed (retention) keep no linkage row
        let gone: std::collections::HashSet<PersonId> =
            store::linkage::anonymised_persons(&mut tx).await?.into_iter().collect();
        let (mut rows, mut links, mut queue) = (rows, links, queue);
        if !gone.is_empty() {
            rows.retain(|r| !gone.contains(&r.0));
            links.retain(|l| !gone.contains(&l.0) && !gone.contains(&l.1));
            queue.retain(|c| !gone.contains(&c.0) && !gone.contains(&c.1));
        }
        let writes = store::linkage::replace_clusters(&mut tx, &rows).await?;
        report.changed = writes.written + writes.removed;
        store::linkage::replace_edges(&mut tx, &links).await?;
        let now = store::linkage::decided_pairs(&mut tx).await?;
        let (then, now): (BTreeSet<_>, BTreeSet<_>) = (decisions.into_iter().collect(), now.into_iter().collect());
        let since = |same: bool| -> Vec<PersonId> {
            let changed = then.symmetric_difference(&now).filter(|d| d.2 == same);
            changed.flat_map(|(a, b, _)| [*a, *b]).collect::<BTreeSet<_>>().into_iter().collect()
        };
        // « different people » taken or withdrawn: the engine's clusters around them parted or
        // joined again; « same person » merged or unmerged: the shown clusters
        let (parted, merged) = (since(false), since(true));
        if !parted.is_empty() {
            crate::clusters::recluster_around(&mut tx, &parted).await?;
        }
        if !merged.is_empty() {
            crate::clusters::refresh_around(&mut tx, &merged).await?;
        }
        report.queued = store::linkage::replace_candidates(&mut tx, &queue).await?;
        store::settings::set(&mut tx, store::settings::LINKAGE_LAST_RUN, &self.now_ts()).await?;
        crate::audit::record_system(&mut tx, AuditAction::LinkageRun, AuditOutcome::Allowed).await?;
        tx.commit().await?;
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::stable_ids;
    use std::collections::HashMap;

    #[test]
    fn unchanged_groups_keep_their_ids_and_new_ones_get_fresh_ids() {
        let previous: HashMap<i64, i64> = [(1, 10), (2, 10), (3, 11), (4, 12)].into_iter().collect();
        // {1,2} unchanged, {3} unchanged, 4 joined by the new person 5, 6 is new.
        let groups = vec![vec![1, 2], vec![3], vec![4, 5], vec![6]];
        assert_eq!(stable_ids(&groups, &previous), vec![10, 11, 12, 13]);
        // Two old clusters merge: the merged group keeps one of their ids, the other is not reused.
        let groups = vec![vec![1, 2, 3], vec![4]];
        let ids = stable_ids(&groups, &previous);
        assert_eq!(ids, vec![10, 12]);
        // A split: the larger part keeps the id.
        let groups = vec![vec![1], vec![2, 7, 8]];
        assert_eq!(stable_ids(&groups, &previous), vec![13, 10]);
    }
}
