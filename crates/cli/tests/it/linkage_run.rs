//! `App::run_linkage` over a synthetic territory in the store: clusters agree with the
//! generator's ground truth, keep their ids from one run to the next, and a rejected pair never
//! comes back to the queue.

use crate::duplicates::pair_persons;
use domain::identity::DecisionBasis;
use std::collections::HashMap;

use app::linkage_run::ReviewBand;
use linkage::NoProgress;
use testkit::{apps, TODAY};

#[tokio::test]
async fn linkage_over_the_store_is_accurate_stable_and_remembers_rejections() {
    for t in apps().await {
        territory(&t, 400, 11).await;
        assert_eq!(t.app.last_linkage_run().await.unwrap(), None);
        let first = t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        let at = t.app.last_linkage_run().await.unwrap().expect("the run's time is kept");
        assert!(at.starts_with(&TODAY.to_string()), "{at}");
        assert!(first.persons > 400 && first.candidate_pairs > 0, "{first:?}");

        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let truth: HashMap<i64, i64> =
            sqlx::query_as::<_, (i64, i64)>("SELECT person_id, true_person FROM synthetic_truth")
                .fetch_all(&mut *conn)
                .await
                .unwrap()
                .into_iter()
                .collect();
        let clusters = store::linkage::clusters(&mut conn).await.unwrap();
        drop(conn);
        assert_eq!(clusters.len(), first.persons, "every person has a cluster");
        // Pairwise precision and recall of the clusters against the truth.
        let by_cluster = group(clusters.iter().map(|(p, c)| (p.0, *c)));
        let by_truth = group(clusters.iter().filter_map(|(p, _)| truth.get(&p.0).map(|t| (p.0, *t))));
        let cluster_of: HashMap<i64, i64> = clusters.iter().map(|(p, c)| (p.0, *c)).collect();
        let (mut linked, mut right) = (0u64, 0u64);
        for members in by_cluster.values() {
            for (i, a) in members.iter().enumerate() {
                for b in &members[i + 1..] {
                    linked += 1;
                    right += u64::from(truth.contains_key(a) && truth.get(a) == truth.get(b));
                }
            }
        }
        let mut true_pairs = 0u64;
        let mut found = 0u64;
        for members in by_truth.values() {
            for (i, a) in members.iter().enumerate() {
                for b in &members[i + 1..] {
                    true_pairs += 1;
                    found += u64::from(cluster_of[a] == cluster_of[b]);
                }
            }
        }
        assert!(true_pairs > 20, "the generator re-reports persons");
        let precision = right as f64 / linked.max(1) as f64;
        let recall = found as f64 / true_pairs as f64;
        assert!(precision >= 0.95 && recall >= 0.6, "precision {precision:.3}, recall {recall:.3}");
        // Two members of one household record are two persons: never one cluster.
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let members: Vec<(i64, i64)> = sqlx::query_as("SELECT DISTINCT person_id, household_id FROM household_members")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        let mut seen = std::collections::HashSet::new();
        for (p, h) in members {
            if let Some(c) = cluster_of.get(&p) {
                assert!(seen.insert((*c, h)), "two members of household {h} in one cluster");
            }
        }

        // The observatory counts each linked person once.
        let may = domain::indicators::Month::of(TODAY).previous();
        let seg = domain::indicators::Segment::Tous;
        let d = t.app.dashboard(None, may..=may, may..=may, &seg).await.unwrap();
        let count = d.persons[0];
        assert!(count.persons < count.records && count.persons > 0, "{count:?}");

        // A second run over unchanged data keeps every id.
        t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        assert_eq!(store::linkage::clusters(&mut conn).await.unwrap(), clusters, "stable cluster ids");
        // Reject every pair in the queue: the next run proposes none of them again.
        let pending = store::linkage::pending(&mut conn).await.unwrap();
        let admin = domain::UserId(1);
        for c in &pending {
            store::linkage::decide(&mut conn, c.a, c.b, false, DecisionBasis::Records, (domain::OrgId(1), admin))
                .await
                .unwrap();
        }
        drop(conn);
        let again = t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let requeued = store::linkage::pending(&mut conn).await.unwrap();
        assert!(requeued.iter().all(|c| !pending.iter().any(|p| (p.a, p.b) == (c.a, c.b))), "{again:?}");
        drop(conn);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_pair_said_different_is_split_even_where_the_engine_links_it() {
    for t in apps().await {
        territory(&t, 200, 5).await;
        let first = t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let before = store::linkage::clusters(&mut conn).await.unwrap();
        let by_cluster = group(before.iter().map(|(p, c)| (p.0, *c)));
        // two records the engine put together, alone in their cluster
        let pair = by_cluster.values().find(|m| m.len() == 2).expect("a linked pair").clone();
        let (a, b) = (domain::PersonId(pair[0].min(pair[1])), domain::PersonId(pair[0].max(pair[1])));
        store::linkage::decide(&mut conn, a, b, false, DecisionBasis::Records, (domain::OrgId(1), domain::UserId(1)))
            .await
            .unwrap();
        drop(conn);
        let again = t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let after: HashMap<i64, i64> =
            store::linkage::clusters(&mut conn).await.unwrap().into_iter().map(|(p, c)| (p.0, c)).collect();
        assert_ne!(after[&a.0], after[&b.0], "a human decision beats the engine");
        assert_eq!(again.clusters, first.clusters + 1, "one person more, nothing else moved");
        for (p, c) in &before {
            if *p != a && *p != b {
                assert_eq!(after[&p.0], *c, "other ids stay");
            }
        }
        let pending = store::linkage::pending(&mut conn).await.unwrap();
        assert!(!pending.iter().any(|c| (c.a, c.b) == (a, b)), "not proposed again");
        assert_eq!(again.conflicting_decisions, 0);
        // reviewers merging both with a third record contradict the first: reported
        let third = before.iter().map(|(p, _)| *p).find(|p| *p != a && *p != b).unwrap();
        for x in [a, b] {
            let (lo, hi) = if x.0 < third.0 { (x, third) } else { (third, x) };
            store::linkage::decide(
                &mut conn,
                lo,
                hi,
                true,
                DecisionBasis::Records,
                (domain::OrgId(1), domain::UserId(1)),
            )
            .await
            .unwrap();
        }
        drop(conn);
        let contradicted = t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        assert_eq!(contradicted.conflicting_decisions, 1);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_person_entered_twice_in_one_household_goes_to_people_not_to_one_cluster() {
    for t in apps().await {
        territory(&t, 200, 5).await;
        // the first adult with a birth date, entered a second time in the same household
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let (household, person, family, given, birth, sex): (i64, i64, String, String, String, String) =
            sqlx::query_as(
                "SELECT m.household_id, p.id, p.family_name, p.given_names, p.birth_date, p.sex
             FROM household_members m JOIN persons p ON p.id = m.person_id
             WHERE p.birth_date IS NOT NULL ORDER BY p.id LIMIT 1",
            )
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let copy = domain::household::NewPerson {
            family_name: family,
            given_names: given,
            birth_date: Some(domain::parse_date(&birth).unwrap()),
            sex: domain::household::Sex::parse(&sex).unwrap(),
            birth: Default::default(),
        };
        let twice = store::households::insert_person(&mut conn, &copy, &Default::default()).await.unwrap();
        store::households::add_member(
            &mut conn,
            domain::HouseholdId(household),
            twice,
            domain::household::MemberRole::Autre,
            TODAY,
            None,
        )
        .await
        .unwrap();
        drop(conn);

        t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let clusters: HashMap<i64, i64> =
            store::linkage::clusters(&mut conn).await.unwrap().into_iter().map(|(p, c)| (p.0, c)).collect();
        assert_ne!(clusters[&person], clusters[&twice.0], "one household record: two persons for the engine");
        let pending = store::linkage::pending(&mut conn).await.unwrap();
        let queued = pending.iter().find(|c| (c.a.0, c.b.0) == (person.min(twice.0), person.max(twice.0)));
        let queued = queued.expect("the look-alike pair is queued for a person to decide");
        assert!(queued.probability >= 0.99, "{}", queued.probability);
        drop(conn);
        t.finish().await;
    }
}

/// Three undated records of one name in one commune: the two born in Hanoï are one person, the
/// one born in Marseille another — the birth place tells namesakes apart where the date is
/// missing, and the review screen shows it.
#[tokio::test]
async fn the_birth_place_tells_undated_namesakes_apart() {
    for t in apps().await {
        territory(&t, 200, 5).await;
        let ids: Vec<i64> = zorbaquets(
            &t,
            &[("", "M", "99243", "Hanoï"), ("", "M", "99243", "HANOI"), ("", "M", "99100", "Marseille")],
        )
        .await
        .into_iter()
        .map(|p| p.0)
        .collect();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let persons = store::linkage::persons(&mut conn).await.unwrap();
        let read = persons.iter().find(|p| p.id.0 == ids[0]).unwrap();
        assert_eq!((read.birth_country.as_deref(), read.birth_commune.as_deref()), (Some("99243"), Some("Hanoï")));
        drop(conn);

        t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let clusters: HashMap<i64, i64> =
            store::linkage::clusters(&mut conn).await.unwrap().into_iter().map(|(p, c)| (p.0, c)).collect();
        assert_eq!(clusters[&ids[0]], clusters[&ids[1]], "born in Hanoï both: one person");
        assert_ne!(clusters[&ids[0]], clusters[&ids[2]], "born in Marseille: another person");
        drop(conn);
        t.finish().await;
    }
}

/// One household in commune 69901 for each record, holding one « Zorbaquet Tuan » (a name the
/// generator never gives) of this birth date, sex and birth place: (birth date or "", sex,
/// country of birth, commune of birth).
async fn zorbaquets(t: &testkit::TestApp, records: &[(&str, &str, &str, &str)]) -> Vec<domain::PersonId> {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    let commune = domain::territory::InseeCode::parse("69901").unwrap();
    let mut ids = Vec::new();
    for (birth, sex, country, place) in records {
        let h = store::households::insert_household(&mut conn, Some(&commune), TODAY, domain::OrgId(1)).await.unwrap();
        let p = domain::household::NewPerson::parse("Zorbaquet", "Tuan", birth, sex, TODAY)
            .unwrap()
            .with_birth(domain::identity::BirthIdentity::parse("", country, place).unwrap());
        let id = store::households::insert_person(&mut conn, &p, &Default::default()).await.unwrap();
        store::households::add_member(&mut conn, h, id, domain::household::MemberRole::Reference, TODAY, None)
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

/// A synthetic territory of `households` households in the store (three years of history).
async fn territory(t: &testkit::TestApp, households: usize, seed: u64) {
    let territory = synth::generate(&synth::Config { households, seed, today: TODAY, years: 3 });
    t.app.seed_demo(&territory, "un-mot-de-passe-de-demo").await.unwrap();
}

/// [`territory`], linked once, and the SIAO coordinator (who may read every file).
async fn linked_territory(t: &testkit::TestApp, households: usize, seed: u64) -> domain::user::Actor {
    territory(t, households, seed).await;
    t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
    t.app.login("siao@demo.parcours.test", "un-mot-de-passe-de-demo", "test").await.unwrap().session.actor
}

fn group(pairs: impl Iterator<Item = (i64, i64)>) -> HashMap<i64, Vec<i64>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (p, g) in pairs {
        out.entry(g).or_default().push(p);
    }
    out
}

/// A merge shows in the clusters at once, exactly as the next run shows it; its unmerge gives
/// every cluster id back, at once too.
#[tokio::test]
async fn a_merge_shows_at_once_as_the_next_run_shows_it_and_an_unmerge_gives_the_ids_back() {
    for t in apps().await {
        let siao = linked_territory(&t, 200, 5).await;
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let before: HashMap<i64, i64> =
            store::linkage::clusters(&mut conn).await.unwrap().into_iter().map(|(p, c)| (p.0, c)).collect();
        // a two-record cluster and a lone record, merged by the coordinator (who reads everything)
        let by_cluster = group(before.iter().map(|(p, c)| (*p, *c)));
        let two = by_cluster.values().find(|m| m.len() == 2).expect("a linked pair").clone();
        let lone = by_cluster.values().find(|m| m.len() == 1).expect("a lone record")[0];
        let (a, b) = (domain::PersonId(two[0].min(lone)), domain::PersonId(two[0].max(lone)));
        store::linkage::replace_candidates(&mut conn, &[(a, b, 0.7, "[]".into())]).await.unwrap();
        let id = store::linkage::pending(&mut conn).await.unwrap()[0].id;
        drop(conn);
        t.app.decide_pair(&siao, id, pair_persons(&t, id).await, true, DecisionBasis::Records).await.unwrap();

        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let merged: HashMap<i64, i64> =
            store::linkage::clusters(&mut conn).await.unwrap().into_iter().map(|(p, c)| (p.0, c)).collect();
        drop(conn);
        let joined = before[&two[0]].min(before[&lone]);
        for p in [two[0], two[1], lone] {
            assert_eq!(merged[&p], joined, "the three records show as one person, under the smaller id");
        }
        for (p, c) in &before {
            if ![two[0], two[1], lone].contains(p) {
                assert_eq!(merged[p], *c, "nothing else moved");
            }
        }
        // the next run shows the same clusters, id for id
        t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let rerun: HashMap<i64, i64> =
            store::linkage::clusters(&mut conn).await.unwrap().into_iter().map(|(p, c)| (p.0, c)).collect();
        let merge = store::linkage::merges(&mut conn).await.unwrap().remove(0);
        drop(conn);
        assert_eq!(rerun, merged, "a run agrees with what the merge showed");
        // undone: every id as before the merge
        t.app.unmerge(&siao, merge.id).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let undone: HashMap<i64, i64> =
            store::linkage::clusters(&mut conn).await.unwrap().into_iter().map(|(p, c)| (p.0, c)).collect();
        drop(conn);
        assert_eq!(undone, before);
        t.finish().await;
    }
}

/// Every person's shown cluster, by person id.
async fn shown(t: &testkit::TestApp) -> HashMap<i64, i64> {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    store::linkage::clusters(&mut conn).await.unwrap().into_iter().map(|(p, c)| (p.0, c)).collect()
}

/// « Different people » on two records the engine joined through a third splits them at once,
/// as the next run does; withdrawing it gives the cluster and its id back, at once too. The
/// household page's « not the same person » on an automatic link does the same.
#[tokio::test]
async fn different_people_shows_at_once_through_a_third_record_and_its_withdrawal_too() {
    for t in apps().await {
        // a territory where the engine joins two records through a third (seeds 3, 7 and 8 of
        // the first eleven at this size)
        let siao = linked_territory(&t, 400, 7).await;
        let before = shown(&t).await;
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let links: std::collections::HashSet<(i64, i64)> =
            sqlx::query_as::<_, (i64, i64)>("SELECT person_a, person_b FROM link_edges")
                .fetch_all(&mut *conn)
                .await
                .unwrap()
                .into_iter()
                .collect();
        assert!(links.iter().all(|(a, b)| a < b && before[a] == before[b]), "links lie inside clusters");
        // two records of one cluster with no link of their own: joined through a third
        let by_cluster = group(before.iter().map(|(p, c)| (*p, *c)));
        let mut clusters: Vec<&Vec<i64>> = by_cluster.values().filter(|m| m.len() >= 3).collect();
        clusters.sort();
        let (a, b) = clusters
            .iter()
            .find_map(|m| {
                let mut m = (*m).clone();
                m.sort();
                m.iter()
                    .enumerate()
                    .find_map(|(i, &x)| m[i + 1..].iter().find(|&&y| !links.contains(&(x, y))).map(|&y| (x, y)))
            })
            .expect("two records joined through a third");
        let old = before[&a];
        let members: Vec<i64> = by_cluster[&old].clone();
        let (pa, pb) = (domain::PersonId(a), domain::PersonId(b));
        drop(conn);
        let decide = || async {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            store::linkage::replace_candidates(&mut conn, &[(pa, pb, 0.7, "[]".into())]).await.unwrap();
            let id = store::linkage::pending(&mut conn).await.unwrap()[0].id;
            drop(conn);
            t.app.decide_pair(&siao, id, pair_persons(&t, id).await, false, DecisionBasis::Records).await.unwrap();
        };
        let withdraw = || async {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            let decision = store::linkage::decisions(&mut conn).await.unwrap().into_iter().find(|d| !d.same).unwrap();
            drop(conn);
            t.app.withdraw_rejection(&siao, decision.id).await.unwrap();
        };
        decide().await;
        let split = shown(&t).await;
        // withdrawn before any run: as before at once
        withdraw().await;
        assert_eq!(shown(&t).await, before, "withdrawn at once: as before the decision");
        decide().await;
        assert_eq!(shown(&t).await, split, "the same decision splits the same way");
        assert_ne!(split[&a], split[&b], "apart at once");
        let highest = before.values().max().copied().unwrap();
        for (p, c) in &split {
            if members.contains(p) {
                assert!(*c == old || *c > highest, "the old id or a fresh one");
            } else {
                assert_eq!(*c, before[p], "nothing else moved");
            }
        }
        assert!(members.iter().any(|p| split[p] == old), "one part keeps the old id");
        // the next run agrees, id for id
        let again = t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        assert_eq!(again.conflicting_decisions, 0);
        assert_eq!(shown(&t).await, split, "a run agrees with what the decision showed");

        // withdrawn after a run that honoured it: the cluster and its id come back at once, and
        // the next run agrees
        withdraw().await;
        assert_eq!(shown(&t).await, before, "withdrawn: as before the decision");
        t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        assert_eq!(shown(&t).await, before, "and the next run agrees");

        // « not the same person » from a household's file, on a pair the engine linked
        let (x, y) = {
            let mut pair: Vec<i64> = by_cluster.values().find(|m| m.len() == 2).expect("a linked pair").clone();
            pair.sort();
            (domain::PersonId(pair[0]), domain::PersonId(pair[1]))
        };
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let home = store::linkage::households_of(&mut conn, x).await.unwrap()[0];
        drop(conn);
        t.app.separate(&siao, home, (x, y), DecisionBasis::Person).await.unwrap();
        let separated = shown(&t).await;
        assert_ne!(separated[&x.0], separated[&y.0], "the link goes at once");
        assert_eq!(separated.values().collect::<std::collections::HashSet<_>>().len(), by_cluster.len() + 1);
        t.finish().await;
    }
}

/// Reviewers go on deciding while a run computes (minutes on a large store): a decision taken,
/// withdrawn or undone meanwhile is not undone when the run stores its clusters, and what is
/// stored is what the next run gives.
#[tokio::test]
async fn decisions_taken_while_a_run_computes_are_not_undone_when_it_stores() {
    for t in apps().await {
        let siao = linked_territory(&t, 200, 5).await;
        let before = shown(&t).await;
        let by_cluster = group(before.iter().map(|(p, c)| (*p, *c)));
        // a pair the engine linked, to part; two lone records, to merge
        let mut pairs: Vec<Vec<i64>> = by_cluster.values().filter(|m| m.len() == 2).cloned().collect();
        pairs.sort();
        let (x, y) = (domain::PersonId(pairs[0][0].min(pairs[0][1])), domain::PersonId(pairs[0][0].max(pairs[0][1])));
        let mut lone: Vec<i64> = by_cluster.values().filter(|m| m.len() == 1).map(|m| m[0]).collect();
        lone.sort();
        let (p, q) = (domain::PersonId(lone[0]), domain::PersonId(lone[1]));
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let home = store::linkage::households_of(&mut conn, x).await.unwrap()[0];
        drop(conn);
        let merge = || async {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            store::linkage::replace_candidates(&mut conn, &[(p, q, 0.7, "[]".into())]).await.unwrap();
            let id = store::linkage::pending(&mut conn).await.unwrap()[0].id;
            drop(conn);
            t.app.decide_pair(&siao, id, pair_persons(&t, id).await, true, DecisionBasis::Records).await.unwrap();
        };

        // a run starts; meanwhile the pair is parted and the lone records merged
        let plan = t.app.plan_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        t.app.separate(&siao, home, (x, y), DecisionBasis::Person).await.unwrap();
        merge().await;
        let during = shown(&t).await;
        assert_ne!(during[&x.0], during[&y.0], "the premise: parted at once");
        assert_eq!(during[&p.0], during[&q.0], "the premise: merged at once");
        t.app.store_linkage(plan).await.unwrap();
        assert_eq!(shown(&t).await, during, "the run's store undid nothing decided meanwhile");
        t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        assert_eq!(shown(&t).await, during, "and the next run agrees");

        // a run starts; meanwhile both decisions are withdrawn
        let plan = t.app.plan_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let decisions = store::linkage::decisions(&mut conn).await.unwrap();
        drop(conn);
        for d in decisions {
            if d.same {
                t.app.unmerge(&siao, d.id).await.unwrap();
            } else {
                t.app.withdraw_rejection(&siao, d.id).await.unwrap();
            }
        }
        assert_eq!(shown(&t).await, before, "the premise: withdrawn at once");
        t.app.store_linkage(plan).await.unwrap();
        assert_eq!(shown(&t).await, before, "the run's store kept the withdrawals");
        t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        assert_eq!(shown(&t).await, before, "and the next run agrees");

        // a run starts; meanwhile the retention anonymises a household: no linkage row of its
        // persons is stored
        let plan = t.app.plan_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let members: Vec<i64> =
            sqlx::query_as::<_, (i64,)>("SELECT person_id FROM household_members WHERE household_id = $1")
                .bind(home.0)
                .fetch_all(&mut *conn)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.0)
                .collect();
        assert!(members.contains(&x.0));
        store::inventory::anonymise(&mut conn, home).await.unwrap();
        drop(conn);
        t.app.store_linkage(plan).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        for (table, columns) in [
            ("person_clusters", "person_id, person_id"),
            ("link_edges", "person_a, person_b"),
            ("link_candidates", "person_a, person_b"),
        ] {
            let rows: Vec<(i64, i64)> =
                sqlx::query_as(&format!("SELECT {columns} FROM {table}")).fetch_all(&mut *conn).await.unwrap();
            assert!(!rows.is_empty() || table == "link_candidates", "the run stored {table}");
            assert!(
                rows.iter().all(|(a, b)| !members.contains(a) && !members.contains(b)),
                "no {table} row of an anonymised person"
            );
        }
        drop(conn);
        t.finish().await;
    }
}

/// A run writes only the clusters that changed: over an unchanged store it writes none, so the
/// data version stays and the observatory keeps its reads; after a decision taken behind the
/// application's back, it rewrites only the persons it parts, and the observatory reads again
/// only their households.
#[tokio::test]
async fn a_run_writes_only_the_clusters_that_changed() {
    for t in apps().await {
        linked_territory(&t, 200, 9).await;
        t.app.observatory_reads().await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let version = store::observatory::data_version(&mut conn).await.unwrap();
        let stamps = store::observatory::household_stamps(&mut conn).await.unwrap();
        let before = store::linkage::clusters(&mut conn).await.unwrap();
        drop(conn);

        let again = t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        assert_eq!(again.changed, 0, "{again:?}");
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        assert_eq!(store::observatory::data_version(&mut conn).await.unwrap(), version, "nothing written");
        assert_eq!(store::observatory::household_stamps(&mut conn).await.unwrap(), stamps, "no household stamped");
        assert_eq!(store::linkage::clusters(&mut conn).await.unwrap(), before);

        // two persons of different households that the engine put in one cluster, said
        // different in the store directly: the next run parts them and writes only that
        let shared = group(before.iter().map(|(p, c)| (p.0, *c)));
        let (a, b) = shared
            .values()
            .filter(|m| m.len() == 2)
            .map(|m| (domain::PersonId(m[0]), domain::PersonId(m[1])))
            .next()
            .expect("a cluster of two");
        store::linkage::decide(
            &mut conn,
            a.min(b),
            a.max(b),
            false,
            DecisionBasis::Records,
            (domain::OrgId(1), domain::UserId(1)),
        )
        .await
        .unwrap();
        drop(conn);
        let parted = t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        assert!((1..=4).contains(&parted.changed), "{parted:?}");
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let after: HashMap<_, _> = store::linkage::clusters(&mut conn).await.unwrap().into_iter().collect();
        drop(conn);
        assert_ne!(after[&a], after[&b], "parted");
        let moved = before.iter().filter(|(p, c)| after.get(p) != Some(c)).count();
        assert!(moved >= 1 && moved <= parted.changed, "{moved} moved, {parted:?}");
        t.app.observatory_reads().await.unwrap();
        let read = t.app.observatory_households_read();
        assert!((1..=2 * parted.changed).contains(&read), "{read} households read again, {parted:?}");
        t.finish().await;
    }
}

/// Three records of one rare name, all born in Hanoï: A a man born in 1980, B undated and of
/// unknown sex, C a woman born in 1975. The engine links B to A and refuses C beside A (its
/// guard: A and C are two persons). « Different people » on A and B puts B with C at once, as
/// the next run does: the run stored the link B–C that its guard refused. Withdrawn, the
/// clusters come back at once as the next run gives them, B with A and C alone: the run stored
/// the guard's veto between A and C, without which the links alone would join all three.
#[tokio::test]
async fn withdrawing_a_decision_keeps_apart_what_the_engines_guard_keeps_apart() {
    for t in apps().await {
        territory(&t, 200, 5).await;
        let ids = zorbaquets(
            &t,
            &[
                ("1980-01-02", "M", "99243", "Hanoï"),
                ("", "X", "99243", "Hanoï"),
                ("1975-07-07", "F", "99243", "Hanoï"),
            ],
        )
        .await;
        let (a, b, c) = (ids[0], ids[1], ids[2]);
        let siao = linked_territory_again(&t).await;
        let first = shown(&t).await;
        assert_eq!(first[&a.0], first[&b.0], "B is A");
        assert_ne!(first[&a.0], first[&c.0], "C is another person");

        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::replace_candidates(&mut conn, &[(a, b, 0.7, "[]".into())]).await.unwrap();
        let id = store::linkage::pending(&mut conn).await.unwrap()[0].id;
        drop(conn);
        t.app.decide_pair(&siao, id, pair_persons(&t, id).await, false, DecisionBasis::Records).await.unwrap();
        let parted = shown(&t).await;
        assert_ne!(parted[&a.0], parted[&b.0]);
        assert_eq!(parted[&b.0], parted[&c.0], "without A, B goes with C at once");
        t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        assert_eq!(shown(&t).await, parted, "as the next run");

        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let decision = store::linkage::decisions(&mut conn).await.unwrap().into_iter().find(|d| !d.same).unwrap();
        drop(conn);
        t.app.withdraw_rejection(&siao, decision.id).await.unwrap();
        let withdrawn = shown(&t).await;
        assert_eq!(withdrawn[&a.0], withdrawn[&b.0], "withdrawn: B with A again");
        assert_ne!(withdrawn[&a.0], withdrawn[&c.0], "and C apart, as the engine's guard keeps it");
        t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
        assert_eq!(shown(&t).await, withdrawn, "the next run agrees");
        t.finish().await;
    }
}

/// Links the store as it is, and the SIAO coordinator.
async fn linked_territory_again(t: &testkit::TestApp) -> domain::user::Actor {
    t.app.run_linkage(ReviewBand::default(), &NoProgress).await.unwrap();
    t.app.login("siao@demo.parcours.test", "un-mot-de-passe-de-demo", "test").await.unwrap().session.actor
}

/// The coordination runs the engine now from the queue, in the background: once it ends, the
/// clusters, the pairs and the run's date are there, as after a nightly run. Nobody else may ask
/// (refused and logged), and a second request while it computes starts nothing.
#[tokio::test]
async fn the_coordination_runs_the_linkage_now_from_the_queue() {
    for t in apps().await {
        territory(&t, 80, 11).await;
        let mut c = t.client();
        c.login("siao@demo.parcours.test", "un-mot-de-passe-de-demo").await;
        let csrf = c.csrf().await;
        let before = c.get("/doublons").await;
        assert!(before.body.contains("Aucun rapprochement n'a encore été calculé"), "{}", before.body);
        assert!(before.body.contains("Recalculer les paires maintenant"));
        let asked = c.post("/doublons/rapprochement", &[("csrf", &csrf)]).await;
        assert_eq!(asked.location(), Some("/doublons?fait=lance"));
        for _ in 0..1200 {
            if !t.app.linkage_running() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(!t.app.linkage_running(), "the run ends");
        assert!(t.app.last_linkage_run().await.unwrap().is_some());
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let clusters = store::linkage::clusters(&mut conn).await.unwrap();
        drop(conn);
        assert!(clusters.len() > 80, "every person has its cluster: {}", clusters.len());
        let after = c.get("/doublons?fait=lance").await;
        assert!(
            after.body.contains("Rapprochement lancé")
                && after.body.contains("Paires calculées par le dernier rapprochement, le ")
        );
        // whoever asked is told it ended, with its figures
        let told = t.app.notifications(&siao(&t).await).await.unwrap();
        let queued = {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            store::linkage::pending(&mut conn).await.unwrap().len()
        };
        let expected = format!("Rapprochement terminé : {queued} paire(s) à examiner, ");
        assert!(told.iter().any(|n| n.link == "/doublons" && n.message.starts_with(&expected)), "{told:?}");

        // one at a time: a run in progress is not started twice
        let ticket = t.app.ask_linkage_run(&siao(&t).await).await.unwrap().expect("idle");
        assert!(t.app.linkage_running());
        let again = c.post("/doublons/rapprochement", &[("csrf", &csrf)]).await;
        assert_eq!(again.location(), Some("/doublons?fait=en-cours"));
        assert!(c.get("/doublons").await.body.contains("Un rapprochement est en cours"));
        drop(ticket);
        assert!(!t.app.linkage_running(), "released with its ticket");

        let mut r = t.client();
        r.login("referent@demo.parcours.test", "un-mot-de-passe-de-demo").await;
        let csrf = r.csrf().await;
        assert!(!r.get("/doublons").await.body.contains("Recalculer les paires maintenant"));
        let refused = r.post("/doublons/rapprochement", &[("csrf", &csrf)]).await;
        assert_eq!(refused.status, axum::http::StatusCode::FORBIDDEN);
        assert!(!t.app.linkage_running());
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let last = store::audit::recent(&mut conn, 1).await.unwrap().remove(0).event;
        assert_eq!((last.action.as_str(), last.outcome.as_str()), ("linkage.run", "denied"));
        t.finish().await;
    }
}

async fn siao(t: &testkit::TestApp) -> domain::user::Actor {
    t.app.login("siao@demo.parcours.test", "un-mot-de-passe-de-demo", "test").await.unwrap().session.actor
}
