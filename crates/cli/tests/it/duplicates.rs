//! The duplicates queue, decisions and the merge/unmerge round trip: after an unmerge the store
//! holds exactly what it held before the merge; a rejected pair is never proposed again; nobody
//! discovers through the queue a person outside their grants.

use app::duplicates::FieldWeight;
use app::AppError;
use domain::identity::DecisionBasis;
use domain::PersonId;
use testkit::{apps, fixture_password, Fixture};

/// Every person's shown cluster.
async fn shown(t: &testkit::TestApp) -> std::collections::HashMap<PersonId, i64> {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    store::linkage::clusters(&mut conn).await.unwrap().into_iter().collect()
}

/// Every table of the inventory (the audit log excepted: it records the round trip), each
/// column cast to text, rows in order: the store's content.
async fn dump(t: &testkit::TestApp) -> Vec<String> {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    let mut tables: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for e in store::inventory::entries() {
        // the access log and sessions record the test's own requests; data_version and the
        // households' stamps count changes (a merge and its unmerge are two); notifications
        // tell the followers of both
        let counts = e.table == "data_version" || e.table == "household_stamps";
        let told = e.table == "notifications";
        if !e.table.starts_with("audit") && e.table != "sessions" && !counts && !told {
            tables.entry(e.table.as_str()).or_default().push(e.column.as_str());
        }
    }
    let mut out = Vec::new();
    for (table, columns) in tables {
        let cols = columns.iter().map(|c| format!("COALESCE(CAST({c} AS TEXT), '∅')")).collect::<Vec<_>>();
        let sql = format!("SELECT {} AS row FROM {table} ORDER BY 1", cols.join(" || '|' || "));
        let rows: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(&mut *conn).await.unwrap();
        out.extend(rows.into_iter().map(|r| format!("{table}: {}", r.0)));
    }
    out.sort();
    out
}

/// The last event of the access log: (action, outcome).
async fn last_event(t: &testkit::TestApp) -> (String, String) {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    let e = store::audit::recent(&mut conn, 1).await.unwrap().remove(0).event;
    (e.action, e.outcome)
}

/// The access log's head: it moves with every event.
async fn last_hash(t: &testkit::TestApp) -> String {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    store::audit::recent(&mut conn, 1).await.unwrap().remove(0).hash
}

/// A new member of household `h` from today (`birth` may be empty).
async fn member(t: &testkit::TestApp, h: domain::HouseholdId, family: &str, given: &str, birth: &str) -> PersonId {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    let p = domain::household::NewPerson::parse(family, given, birth, "F", testkit::TODAY).unwrap();
    let id = store::households::insert_person(&mut conn, &p, &Default::default()).await.unwrap();
    store::households::add_member(&mut conn, h, id, domain::household::MemberRole::Enfant, testkit::TODAY, None)
        .await
        .unwrap();
    id
}

/// The linkage actions in a household's own access log, newest first.
async fn linkage_actions(t: &testkit::TestApp, h: domain::HouseholdId) -> Vec<String> {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    let log = store::audit::for_household(&mut conn, h.0).await.unwrap();
    log.into_iter().filter(|e| e.1.starts_with("linkage.")).map(|e| e.1).collect()
}

async fn person_of(t: &testkit::TestApp, h: domain::HouseholdId) -> PersonId {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    store::households::get(&mut conn, h).await.unwrap().unwrap().members[0].person.id
}

/// The two persons of pair `id`, as its page shows them.
pub(crate) async fn pair_persons(t: &testkit::TestApp, id: i64) -> (PersonId, PersonId) {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    let c = store::linkage::candidate(&mut conn, id).await.unwrap().expect("a pair of the queue");
    (c.a, c.b)
}

/// One pair to review, between A's household and the household A and B both follow: the two
/// persons and the pair's id.
async fn a_pending_pair(t: &testkit::TestApp, f: &Fixture) -> (PersonId, PersonId, i64) {
    let (pa, pab) = (person_of(t, f.h_a).await, person_of(t, f.h_ab).await);
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    store::linkage::replace_candidates(&mut conn, &[(pa, pab, 0.7, "[]".into())]).await.unwrap();
    let id = store::linkage::pending(&mut conn).await.unwrap()[0].id;
    (pa, pab, id)
}

#[tokio::test]
async fn merge_then_unmerge_leaves_the_store_as_it_was() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab, pb) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await, person_of(&t, f.h_b).await);
        let why = serde_json::to_string(&vec![
            FieldWeight { field: "Nom".into(), level: "proche".into(), weight: 6.5 },
            FieldWeight { field: "Date de naissance".into(), level: "identique".into(), weight: 9.1 },
        ])
        .unwrap();
        {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            let pairs = [(pa, pab, 0.72, why.clone()), (pab, pb, 0.61, why.clone())];
            assert_eq!(store::linkage::replace_candidates(&mut conn, &pairs).await.unwrap(), 2);
            // the last run left the three apart
            store::linkage::replace_clusters(&mut conn, &[(pa, 1, 1), (pab, 2, 2), (pb, 3, 3)]).await.unwrap();
        }
        let referent = f.actor("referent-a");
        // referent-a reads h_a and h_ab, not h_b: one pair for them.
        let queue = t.app.duplicate_queue(&referent).await.unwrap();
        assert_eq!(queue.len(), 1);
        let id = queue[0].candidate.id;
        let other_pair =
            t.app.duplicate_queue(&f.actor("siao")).await.unwrap().into_iter().find(|q| q.candidate.id != id);
        let other_pair = other_pair.expect("the SIAO coordinator sees both pairs").candidate.id;
        assert!(matches!(t.app.duplicate_pair(&referent, other_pair).await, Err(AppError::NotFound)));
        assert!(matches!(
            t.app
                .decide_pair(&referent, other_pair, pair_persons(&t, other_pair).await, true, DecisionBasis::Records)
                .await,
            Err(AppError::NotFound)
        ));
        let view = t.app.duplicate_pair(&referent, id).await.unwrap();
        assert_eq!(view.explanation.len(), 2);

        let before = dump(&t).await;
        t.app.decide_pair(&referent, id, pair_persons(&t, id).await, true, DecisionBasis::Records).await.unwrap();
        assert!(
            matches!(
                t.app.decide_pair(&referent, id, pair_persons(&t, id).await, false, DecisionBasis::Records).await,
                Err(AppError::Invalid(_))
            ),
            "decided once"
        );
        assert_ne!(dump(&t).await, before);
        let now = shown(&t).await;
        assert_eq!((now[&pa], now[&pab], now[&pb]), (1, 1, 3), "the merge shows at once, under the smaller engine id");
        let merges = t.app.household_merges(&referent, f.h_a).await.unwrap();
        assert_eq!(merges.len(), 1);
        assert_eq!(merges[0].other.as_ref().unwrap().0, f.h_ab);
        assert!(t.app.duplicate_queue(&referent).await.unwrap().is_empty(), "a merged pair leaves the queue");
        // Someone who cannot read both files cannot undo it.
        assert!(matches!(t.app.unmerge(&f.actor("referent-b"), merges[0].id).await, Err(AppError::NotFound)));
        t.app.unmerge(&referent, merges[0].id).await.unwrap();
        assert_eq!(dump(&t).await, before, "the store after unmerge equals the store before merge");

        // "Different people": never proposed again, even when the engine finds the pair again.
        t.app.decide_pair(&referent, id, pair_persons(&t, id).await, false, DecisionBasis::Records).await.unwrap();
        {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            let again = [(pab, pa, 0.9, why.clone())];
            assert_eq!(store::linkage::replace_candidates(&mut conn, &again).await.unwrap(), 0);
        }
        assert!(t.app.duplicate_queue(&referent).await.unwrap().is_empty());
        t.finish().await;
    }
}

#[tokio::test]
async fn the_queue_through_the_screens() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await);
        let why =
            serde_json::to_string(&vec![FieldWeight { field: "Nom".into(), level: "proche".into(), weight: 4.0 }])
                .unwrap();
        // a child in both households, linked by the engine, and a second child in one
        let la = member(&t, f.h_a, "Aubert", "Léa", "2015-03-04").await;
        let lab = member(&t, f.h_ab, "Colin", "Léa", "2015-03-04").await;
        member(&t, f.h_a, "Aubert", "Noé", "").await;
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::replace_candidates(&mut conn, &[(pa, pab, 0.7, why.clone()), (la, lab, 0.6, why)])
            .await
            .unwrap();
        store::linkage::replace_clusters(&mut conn, &[(la, 50, 50), (lab, 50, 50)]).await.unwrap();
        drop(conn);
        let mut c = t.client();
        c.login("referent-a@test.parcours.test", fixture_password()).await;
        let csrf = c.csrf().await;
        let q = c.get("/doublons").await;
        assert_eq!(q.status, 200);
        assert!(q.body.contains("Aucun rapprochement n'a encore été calculé"), "no run yet");
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::settings::set(&mut conn, store::settings::LINKAGE_LAST_RUN, "2026-12-01T02:00:00Z").await.unwrap();
        drop(conn);
        let q = c.get("/doublons").await;
        // on the territory's clock: 02:00 UTC is 03:00 in Paris in winter
        assert!(q.body.contains("Paires calculées par le dernier rapprochement, le 01/12/2026 à 3 h 00"), "{}", q.body);
        let queue = t.app.duplicate_queue(&f.actor("referent-a")).await.unwrap();
        let (id, next) = (queue[0].candidate.id, queue[1].candidate.id);
        assert!(q.body.contains(&format!("/doublons/{id}")));
        assert!(q.body.contains("AUBERT Camille") && q.body.contains("COLIN Camille"), "names in the queue");
        let p = c.get(&format!("/doublons/{id}")).await;
        assert!(p.body.contains("AUBERT") && p.body.contains("COLIN") && p.body.contains("+4,0"));
        // each side's other members, those the engine linked across the two households marked
        assert!(p.body.contains("AUBERT Léa (2015)") && p.body.contains("COLIN Léa (2015)"), "{}", p.body);
        assert_eq!(p.body.matches("rapprochement dans l'autre ménage").count(), 2, "{}", p.body);
        assert!(p.body.contains("<li>AUBERT Noé</li>"), "not linked, no year");
        // skipping a pair goes to the next one in the queue's order, and from the last back to the first
        let skip = c.get(&format!("/doublons/{id}/suivante")).await;
        assert_eq!(skip.location(), Some(format!("/doublons/{next}").as_str()));
        let skip = c.get(&format!("/doublons/{next}/suivante")).await;
        assert_eq!(skip.location(), Some(format!("/doublons/{id}").as_str()));
        // a decision states its ground: without one, the form comes back as it was, nothing recorded
        assert!(p.body.contains("ou un titre de séjour") && !p.body.contains("Non précisé"));
        let (sa, sb) = pair_persons(&t, id).await;
        let (sa, sb) = (sa.0.to_string(), sb.0.to_string());
        let bare =
            c.post(&format!("/doublons/{id}"), &[("csrf", &csrf), ("decision", "meme"), ("a", &sa), ("b", &sb)]).await;
        assert_eq!(bare.status, 422);
        assert!(bare.body.contains("Indiquez sur quoi repose votre décision"), "{}", bare.body);
        assert!(bare.body.contains(r#"value="meme" required checked"#), "the choice is kept");
        assert_eq!(t.app.duplicate_queue(&f.actor("referent-a")).await.unwrap().len(), 2, "nothing decided");
        let odd = [("csrf", csrf.as_str()), ("decision", "meme"), ("motif", "non_precise"), ("a", &sa), ("b", &sb)];
        assert_eq!(c.post(&format!("/doublons/{id}"), &odd).await.status, 422, "only a ground the form offers");
        // a decision leads to the next pair, saying what was recorded
        let decided = c
            .post(
                &format!("/doublons/{id}"),
                &[("csrf", &csrf), ("decision", "meme"), ("motif", "piece"), ("a", &sa), ("b", &sb)],
            )
            .await;
        assert_eq!(decided.status, 303);
        assert_eq!(decided.location(), Some(format!("/doublons/{next}?fait=meme").as_str()));
        let on = c.get(&format!("/doublons/{next}?fait=meme")).await;
        assert!(on.body.contains("Décision enregistrée : même personne") && on.body.contains("Paire suivante"));
        let (na, nb) = pair_persons(&t, next).await;
        let (na, nb) = (na.0.to_string(), nb.0.to_string());
        let last = c
            .post(
                &format!("/doublons/{next}"),
                &[("csrf", &csrf), ("decision", "differente"), ("motif", "structure"), ("a", &na), ("b", &nb)],
            )
            .await;
        assert_eq!(last.location(), Some("/doublons?fait=differente"), "the last one: back to the queue");
        assert_eq!(c.get(&format!("/doublons/{id}/suivante")).await.location(), Some("/doublons"), "none left");
        // the log says what each decision rests on
        let log = c.get("/doublons/decisions").await.body;
        assert!(log.contains("ou un titre de séjour") && log.contains("Confirmé par une structure qui la suit"));
        let empty = c.get("/doublons?fait=differente").await;
        assert!(
            empty.body.contains("personnes différentes. La paire ne sera plus proposée")
                && empty.body.contains("Aucune paire")
        );
        let file = c.get(&format!("/menages/{}", f.h_a.0)).await;
        assert!(file.body.contains("Fiches rapprochées") && file.body.contains("/annulation"));
        assert!(file.body.contains("identité ou un titre de séjour"), "{}", file.body);
        // the person's access export tells both decisions, without the other record
        let export = t.app.rights_export(None, f.h_a).await.unwrap();
        let told: Vec<_> = export.rapprochements.iter().map(|e| (e.libelle.as_str(), e.detail.as_deref())).collect();
        assert_eq!(
            told,
            [
                (
                    "Fiche de Camille Aubert reconnue comme la même personne qu'une fiche d'un autre ménage",
                    Some("motif : Vérifié sur une pièce d'identité ou un titre de séjour")
                ),
                (
                    "Fiche de Léa Aubert jugée d'une autre personne qu'une fiche d'un autre ménage",
                    Some("motif : Confirmé par une structure qui la suit")
                ),
            ]
        );
        assert!(!format!("{export:?}").contains("Colin"), "nothing of the other household");
        let mid = t.app.household_merges(&f.actor("referent-a"), f.h_a).await.unwrap()[0].id;
        let undo = c
            .post(&format!("/fusions/{mid}/annulation"), &[("csrf", &csrf), ("household", &f.h_a.0.to_string())])
            .await;
        assert_eq!(undo.status, 303);
        assert!(!c.get(&format!("/menages/{}", f.h_a.0)).await.body.contains(&format!("/fusions/{mid}/annulation")));
        // A user without both files gets the same 404 as for a missing pair.
        let mut other = t.client();
        other.login("referent-b@test.parcours.test", fixture_password()).await;
        assert_eq!(other.get(&format!("/doublons/{id}")).await.status, 404);
        t.finish().await;
    }
}

#[tokio::test]
async fn an_automatic_link_is_contested_from_the_file() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab, pb) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await, person_of(&t, f.h_b).await);
        // the engine put the reference persons of h_a, h_ab and h_b in one cluster
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::replace_clusters(&mut conn, &[(pa, 7, 7), (pab, 7, 7), (pb, 7, 7)]).await.unwrap();
        // through two links: h_a–h_ab, h_ab–h_b
        store::linkage::replace_edges(&mut conn, &[(pa, pab, 20.0), (pab, pb, 30.0)]).await.unwrap();
        drop(conn);
        let (a, b) = (f.actor("referent-a"), f.actor("referent-b"));
        let links = t.app.household_links(&a, f.h_a).await.unwrap();
        assert_eq!(links.len(), 1, "A reads h_ab, not h_b: {links:?}");
        assert_eq!((links[0].other, links[0].other_household, links[0].may_separate), (pab, f.h_ab, true));
        // B does not read h_a: the link is not even mentioned, and B cannot contest it
        let seen_by_b = t.app.household_links(&b, f.h_ab).await.unwrap();
        assert!(seen_by_b.iter().all(|l| l.other != pa), "{seen_by_b:?}");
        assert!(matches!(t.app.separate(&b, f.h_ab, (pab, pa), DecisionBasis::Person).await, Err(AppError::NotFound)));
        assert_eq!(last_event(&t).await, ("linkage.decision".to_owned(), "denied".to_owned()));
        // only a pair that is linked, from the file it is shown on
        assert!(matches!(t.app.separate(&a, f.h_ab, (pa, pab), DecisionBasis::Person).await, Err(AppError::NotFound)));

        let mut c = t.client();
        c.login("referent-a@test.parcours.test", fixture_password()).await;
        let csrf = c.csrf().await;
        let file = c.get(&format!("/menages/{}", f.h_a.0)).await;
        assert!(file.body.contains("Par le rapprochement automatique") && file.body.contains("/liens/separation"));
        let (h, here, other) = (f.h_a.0.to_string(), pa.0.to_string(), pab.0.to_string());
        let form = [("csrf", csrf.as_str()), ("household", &h), ("here", &here), ("other", &other)];
        let head = last_hash(&t).await;
        assert_eq!(c.post("/liens/separation", &form).await.status, 422, "a ground is asked");
        assert_eq!(last_hash(&t).await, head, "nothing decided, nothing read");
        let form = [form.as_slice(), &[("motif", "personne")]].concat();
        assert_eq!(c.post("/liens/separation", &form).await.status, 303);
        // the link is gone at once: h_a stands alone, h_ab and h_b stay linked
        let file = c.get(&format!("/menages/{}", f.h_a.0)).await.body;
        assert!(!file.contains("/liens/separation") && !file.contains("Par le rapprochement automatique"));
        assert!(file.contains("motif : Confirmé par la personne"), "{file}");
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        assert_eq!(store::linkage::rejected_pairs(&mut conn).await.unwrap(), vec![(pa.min(pab), pa.max(pab))]);
        let clusters: std::collections::HashMap<_, _> =
            store::linkage::clusters(&mut conn).await.unwrap().into_iter().collect();
        assert_eq!((clusters[&pab], clusters[&pb]), (7, 7), "the stronger link keeps the id");
        assert!(clusters[&pa] > 7, "a fresh id");
        drop(conn);
        assert!(
            matches!(t.app.separate(&a, f.h_a, (pa, pab), DecisionBasis::Person).await, Err(AppError::NotFound)),
            "no link left"
        );
        assert_eq!(last_event(&t).await, ("linkage.decision".to_owned(), "denied".to_owned()));
        t.finish().await;
    }
}

/// The family name in capitals, as the decision screens write it.
async fn name_of(t: &testkit::TestApp, h: domain::HouseholdId) -> String {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    store::households::get(&mut conn, h).await.unwrap().unwrap().members[0].person.family_name.to_uppercase()
}

#[tokio::test]
async fn contradictory_decisions_are_listed_to_those_who_may_settle_them() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab, pb) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await, person_of(&t, f.h_b).await);
        let (siao, a) = (f.actor("siao"), f.actor("referent-a"));
        // one reviewer says A and B are two persons; others merged A with AB and AB with B, and
        // the last run showed the engine's three clusters as one
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let by = (siao.org, siao.user);
        store::linkage::decide(&mut conn, pa, pb, false, DecisionBasis::Records, by).await.unwrap();
        store::linkage::decide(&mut conn, pa, pab, true, DecisionBasis::Records, by).await.unwrap();
        store::linkage::decide(&mut conn, pab, pb, true, DecisionBasis::Records, by).await.unwrap();
        store::linkage::replace_clusters(&mut conn, &[(pa, 1, 1), (pab, 2, 1), (pb, 3, 1)]).await.unwrap();
        drop(conn);

        let log = t.app.decision_log(&siao, 0, &Default::default()).await.unwrap();
        assert_eq!(log.contradictions.len(), 1, "{log:?}");
        let c = &log.contradictions[0];
        assert_eq!((c.apart.a.person, c.apart.b.person, c.apart.same), (pa.min(pb), pa.max(pb), false));
        assert_eq!(c.merges.len(), 2);
        assert_eq!(log.decisions.len(), 3);
        assert!(!log.more);
        assert_eq!(t.app.contradiction_ids(&siao).await.unwrap(), vec![c.apart.id]);
        let todo = t.app.todo(&siao).await.unwrap();
        assert!(
            todo.iter().any(|i| i.link == "/doublons/decisions#contradictions" && i.text.contains("1 décision")),
            "{todo:?}"
        );
        // referent A does not read h_b: neither the contradiction nor the decisions on h_b
        let seen_by_a = t.app.decision_log(&a, 0, &Default::default()).await.unwrap();
        assert!(seen_by_a.contradictions.is_empty());
        assert_eq!(seen_by_a.decisions.len(), 1, "only A = AB: {seen_by_a:?}");
        assert!(t.app.contradiction_ids(&a).await.unwrap().is_empty());
        assert!(t.app.todo(&a).await.unwrap().iter().all(|i| !i.link.starts_with("/doublons")));
        let apart_id = c.apart.id;
        assert!(matches!(t.app.withdraw_rejection(&a, apart_id).await, Err(AppError::NotFound)));
        assert_eq!(last_event(&t).await, ("linkage.withdraw".to_owned(), "denied".to_owned()));
        // a merge is not withdrawn as a rejection (it is undone as a merge)
        let merge_id = c.merges[0].id;
        assert!(matches!(t.app.withdraw_rejection(&siao, merge_id).await, Err(AppError::NotFound)));

        // through the screens
        let mut s = t.client();
        s.login("siao@test.parcours.test", fixture_password()).await;
        let csrf = s.csrf().await;
        let queue = s.get("/doublons").await;
        assert!(queue.body.contains("1 décision(s) contradictoire(s)"), "{}", queue.body);
        let page = s.get("/doublons/decisions").await;
        assert_eq!(page.status, 200);
        let (name_a, name_b) = (name_of(&t, f.h_a).await, name_of(&t, f.h_b).await);
        assert!(page.body.contains("Décisions contradictoires à régler (1)"));
        assert!(page.body.contains(&name_a) && page.body.contains(&name_b));
        assert!(page.body.contains(&format!("/decisions/{apart_id}/retrait")));
        assert!(page.body.contains(&format!("/fusions/{merge_id}/annulation")));
        // undoing one merge from here comes back here
        let undo =
            s.post(&format!("/fusions/{merge_id}/annulation"), &[("csrf", &csrf), ("retour", "decisions")]).await;
        assert_eq!(undo.status, 303);
        assert_eq!(undo.location(), Some("/doublons/decisions?fait=fusion"));
        let after_undo = s.get("/doublons/decisions?fait=fusion").await;
        assert!(after_undo.body.contains("La fusion est annulée"));
        // nothing joins A and B any more: no contradiction, at once (no run needed)
        assert!(!after_undo.body.contains("Décisions contradictoires"), "{}", after_undo.body);
        assert!(!s.get("/doublons").await.body.contains("contradictoire(s)"));
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let shown: std::collections::HashMap<PersonId, i64> =
            store::linkage::clusters(&mut conn).await.unwrap().into_iter().collect();
        drop(conn);
        assert_ne!(shown[&pa], shown[&pb]);
        assert!(shown[&pab] == shown[&pa] || shown[&pab] == shown[&pb], "the other merge holds: {shown:?}");
        // the « different people » decision is still in the log, withdrawn from there
        let withdraw = s.post(&format!("/decisions/{apart_id}/retrait"), &[("csrf", &csrf)]).await;
        assert_eq!(withdraw.status, 303);
        let settled = s.get("/doublons/decisions?fait=retrait").await;
        assert!(settled.body.contains("est retirée"));
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        assert!(store::linkage::rejected_pairs(&mut conn).await.unwrap().is_empty());
        assert_eq!(store::linkage::decisions(&mut conn).await.unwrap().len(), 1, "one merge left");
        let last = &store::audit::recent(&mut conn, 5).await.unwrap();
        assert!(last
            .iter()
            .any(|e| (e.event.action.as_str(), e.event.outcome.as_str()) == ("linkage.withdraw", "allowed")));
        drop(conn);
        // without a CSRF token, or on a page that does not exist: refused
        assert_eq!(s.post(&format!("/decisions/{apart_id}/retrait"), &[("csrf", "x")]).await.status, 403);
        assert_eq!(s.get("/doublons/decisions?page=0").await.status, 404);
        t.finish().await;
    }
}

/// Eleven one-person households entered (and so followed) by `actor`'s organisation: their
/// persons, 55 pairs for pages of fifty.
async fn eleven_persons_of(t: &testkit::TestApp, actor: &domain::user::Actor) -> Vec<PersonId> {
    let mut persons = Vec::new();
    for k in 0..11u8 {
        let new = testkit::one_person_household(&format!("Page{}", char::from(b'a' + k)), "Camille", "1980-04-02", "F");
        let h = t.app.create_household(actor, new).await.unwrap();
        persons.push(person_of(t, h).await);
    }
    persons
}

#[tokio::test]
async fn the_decision_log_pages_by_fifty() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (siao, a) = (f.actor("siao"), f.actor("referent-a"));
        // eleven persons followed by A (55 pairs), of whom 51 are decided
        let persons = eleven_persons_of(&t, &a).await;
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let mut k = 0;
        'pairs: for (i, x) in persons.iter().enumerate() {
            for y in &persons[i + 1..] {
                if k > app::decisions::PER_PAGE {
                    break 'pairs;
                }
                store::linkage::decide(&mut conn, *x, *y, k % 2 == 0, DecisionBasis::Records, (siao.org, siao.user))
                    .await
                    .unwrap();
                k += 1;
            }
        }
        drop(conn);
        let first = t.app.decision_log(&a, 0, &Default::default()).await.unwrap();
        assert_eq!((first.decisions.len(), first.more), (app::decisions::PER_PAGE, true));
        let second = t.app.decision_log(&a, 1, &Default::default()).await.unwrap();
        assert_eq!((second.decisions.len(), second.more), (1, false));
        assert!(first.decisions.iter().all(|d| d.id != second.decisions[0].id));
        // referent B follows none of them
        assert!(t.app.decision_log(&f.actor("referent-b"), 0, &Default::default()).await.unwrap().decisions.is_empty());
        let mut c = t.client();
        c.login("referent-a@test.parcours.test", fixture_password()).await;
        assert!(c.get("/doublons/decisions").await.body.contains("/doublons/decisions?page=2"));
        assert!(c.get("/doublons/decisions?page=2").await.body.contains("/doublons/decisions?page=1"));
        t.finish().await;
    }
}

/// The queue pages by fifty, most probable first across pages, and counts every pair the user
/// may review (not those of files out of reach).
#[tokio::test]
async fn the_queue_pages_by_fifty() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let a = f.actor("referent-a");
        // eleven persons followed by A: 55 pairs, 52 of them queued with falling probabilities
        let persons = eleven_persons_of(&t, &a).await;
        let mut pairs = Vec::new();
        for (i, x) in persons.iter().enumerate() {
            for y in &persons[i + 1..] {
                if pairs.len() < 52 {
                    pairs.push((*x, *y, 0.95 - pairs.len() as f64 * 0.005, "[]".to_owned()));
                }
            }
        }
        // and one pair with a file A may not read
        pairs.push((persons[0], person_of(&t, f.h_b).await, 0.98, "[]".to_owned()));
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::replace_candidates(&mut conn, &pairs).await.unwrap();
        drop(conn);
        let queue = t.app.duplicate_queue(&a).await.unwrap();
        assert_eq!(queue.len(), 52);
        let mut c = t.client();
        c.login("referent-a@test.parcours.test", fixture_password()).await;
        let first = c.get("/doublons").await;
        assert!(first.body.contains("52 paire(s) à examiner") && first.body.contains("page 1 sur 2"));
        assert!(first.body.contains("/doublons?page=2"));
        let second = c.get("/doublons?page=2").await;
        assert!(second.body.contains("/doublons?page=1") && second.body.contains("page 2 sur 2"));
        let on =
            |body: &str| queue.iter().filter(|q| body.contains(&format!("/doublons/{}\"", q.candidate.id))).count();
        assert_eq!((on(&first.body), on(&second.body)), (50, 2));
        // the last two, least probable, on the second page
        for q in &queue[50..] {
            assert!(second.body.contains(&format!("/doublons/{}\"", q.candidate.id)));
        }
        assert!(c.get("/doublons?page=3").await.body.contains("Aucune paire sur cette page"));
        assert_eq!(c.get("/doublons?page=0").await.status, 404);
        t.finish().await;
    }
}

async fn households_count(t: &testkit::TestApp) -> i64 {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM households").fetch_one(&mut *conn).await.unwrap().0
}

#[tokio::test]
async fn a_person_already_on_file_is_shown_before_a_second_file_is_created() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut a = t.client();
        a.login("referent-a@test.parcours.test", fixture_password()).await;
        let csrf = a.csrf().await;
        // h_a's reference person, entered again by a colleague: accents and case aside
        let form = [
            ("csrf", csrf.as_str()),
            ("family_name", "AUBERT"),
            ("given_names", "camille"),
            ("birth_date", "1980-04-02"),
            ("sex", "F"),
            ("situation", "rue"),
        ];
        let before = households_count(&t).await;
        let r = a.post("/menages", &form).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("Cette personne est peut-être déjà connue"));
        assert!(r.body.contains(&format!("href=\"/menages/{}\"", f.h_a.0)), "{}", r.body);
        assert!(r.body.contains("name=\"confirmer\" value=\"1\"") && r.body.contains("value=\"AUBERT\""));
        assert_eq!(households_count(&t).await, before, "nothing created yet");
        assert_eq!(last_event(&t).await, ("linkage.entry_check".to_owned(), "allowed".to_owned()));
        // « none of them »: created
        let mut confirmed = form.to_vec();
        confirmed.push(("confirmer", "1"));
        let r = a.post("/menages", &confirmed).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(households_count(&t).await, before + 1);
        // someone else entirely: no question asked
        let other = [
            ("csrf", csrf.as_str()),
            ("family_name", "Zélanski"),
            ("given_names", "Oleg"),
            ("birth_date", "1957-10-30"),
            ("sex", "M"),
            ("situation", "rue"),
        ];
        assert_eq!(a.post("/menages", &other).await.status, 303);

        // referent B reads neither h_a nor the new file: nothing is shown, nothing discovered
        let b = f.actor("referent-b");
        let person =
            domain::household::NewPerson::parse("Aubert", "Camille", "1980-04-02", "F", testkit::TODAY).unwrap();
        let seen_by_b = t.app.similar_persons(&b, &person, None).await.unwrap();
        assert!(seen_by_b.iter().all(|p| p.household != f.h_a && !p.name.starts_with("AUBERT")), "{seen_by_b:?}");
        let seen_by_a = t.app.similar_persons(&f.actor("referent-a"), &person, None).await.unwrap();
        let aubert: Vec<_> = seen_by_a.iter().filter(|p| p.name.starts_with("AUBERT")).collect();
        assert_eq!(aubert.len(), 2, "h_a and the file just created: {seen_by_a:?}");
        assert!(aubert.iter().any(|p| p.household == f.h_a));
        assert!(seen_by_a[0].name.starts_with("AUBERT"), "the same name comes first: {seen_by_a:?}");
        // the observatory's analyst creates no household, so checks none
        assert!(matches!(
            t.app.similar_persons(&f.actor("observatoire"), &person, None).await,
            Err(AppError::Forbidden)
        ));
        t.finish().await;
    }
}

#[tokio::test]
async fn the_queue_filters_all_pairs_at_once_as_the_check_on_one_pair_does() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let households = [f.h_a, f.h_b, f.h_ab, f.h_ended, f.h_far, f.h_restricted, f.h_objecting];
        let mut persons = Vec::new();
        for h in households {
            persons.push(person_of(&t, h).await);
        }
        let mut pairs = Vec::new();
        for (i, x) in persons.iter().enumerate() {
            for y in &persons[i + 1..] {
                pairs.push((*x, *y, 0.8, "[]".to_owned()));
            }
        }
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        assert_eq!(store::linkage::replace_candidates(&mut conn, &pairs).await.unwrap(), 21);
        let ids: Vec<i64> = store::linkage::pending(&mut conn).await.unwrap().iter().map(|c| c.id).collect();
        drop(conn);
        let everyone =
            ["referent-a", "referent-b", "siao", "cca", "commission", "ccapex", "observatoire", "dpo", "admin"];
        let mut seen = 0;
        let mut reviewable = std::collections::BTreeMap::new();
        for who in everyone {
            let actor = f.actor(who);
            let queue: Vec<i64> = t.app.duplicate_queue(&actor).await.unwrap().iter().map(|q| q.candidate.id).collect();
            let mut one_by_one = Vec::new();
            for id in &ids {
                if let Ok(v) = t.app.duplicate_pair(&actor, *id).await {
                    one_by_one.push(*id);
                    reviewable.entry(who).or_insert_with(Vec::new).push((v.a.person, v.b.person));
                }
            }
            assert_eq!(queue, one_by_one, "{who}");
            seen += queue.len();
        }
        assert!(seen > 3, "some actors see some pairs");
        // the decisions' log filters the same way
        let siao = f.actor("siao");
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        for (k, (a, b, _, _)) in pairs.iter().enumerate() {
            store::linkage::decide(&mut conn, *a, *b, k % 2 == 0, DecisionBasis::Records, (siao.org, siao.user))
                .await
                .unwrap();
        }
        drop(conn);
        for who in everyone {
            let mut logged: Vec<_> = t
                .app
                .decision_log(&f.actor(who), 0, &Default::default())
                .await
                .unwrap()
                .decisions
                .iter()
                .map(|d| (d.a.person, d.b.person))
                .collect();
            logged.sort();
            let mut expected = reviewable.get(who).cloned().unwrap_or_default();
            expected.sort();
            assert_eq!(logged, expected, "{who}");
        }
        t.finish().await;
    }
}

#[tokio::test]
async fn a_rejection_shows_on_the_files_its_reader_may_read_and_is_withdrawn_there() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await);
        let siao = f.actor("siao");
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::decide(&mut conn, pa, pab, false, DecisionBasis::Records, (siao.org, siao.user)).await.unwrap();
        drop(conn);
        let seen_by_a = t.app.household_rejections(&f.actor("referent-a"), f.h_a).await.unwrap();
        assert_eq!(seen_by_a.len(), 1);
        assert_eq!((seen_by_a[0].other.person, seen_by_a[0].other.household), (pab, f.h_ab));
        assert!(seen_by_a[0].may_withdraw);
        // B reads h_ab, not h_a: the decision is not even mentioned on h_ab for B
        assert!(t.app.household_rejections(&f.actor("referent-b"), f.h_ab).await.unwrap().is_empty());
        // and nobody reads a file's decisions without reading the file
        assert!(matches!(t.app.household_rejections(&f.actor("referent-b"), f.h_a).await, Err(AppError::NotFound)));

        let mut c = t.client();
        c.login("referent-a@test.parcours.test", fixture_password()).await;
        let csrf = c.csrf().await;
        let file = c.get(&format!("/menages/{}", f.h_a.0)).await;
        assert!(file.body.contains("Jugées différentes") && file.body.contains("COLIN Camille"), "{}", file.body);
        let id = seen_by_a[0].id;
        let r =
            c.post(&format!("/decisions/{id}/retrait"), &[("csrf", &csrf), ("household", &f.h_a.0.to_string())]).await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), Some(format!("/menages/{}#rapprochements", f.h_a.0).as_str()));
        assert!(!c.get(&format!("/menages/{}", f.h_a.0)).await.body.contains("Jugées différentes"));
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        assert!(store::linkage::rejected_pairs(&mut conn).await.unwrap().is_empty());
        drop(conn);
        t.finish().await;
    }
}

/// Withdrawing « different people » joins back what the engine's links join, but never two
/// members of one household: the run would not have joined them either.
#[tokio::test]
async fn a_withdrawal_never_joins_two_members_of_one_household() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab, pb) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await, person_of(&t, f.h_b).await);
        let siao = f.actor("siao");
        let reject_then_withdraw = || async {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            store::linkage::decide(
                &mut conn,
                pab.min(pb),
                pab.max(pb),
                false,
                DecisionBasis::Records,
                (siao.org, siao.user),
            )
            .await
            .unwrap();
            let id = store::linkage::decisions(&mut conn).await.unwrap().into_iter().find(|d| !d.same).unwrap().id;
            drop(conn);
            t.app.withdraw_rejection(&siao, id).await.unwrap();
        };
        // the last run: h_a and h_ab's persons one cluster, h_b's kept apart from it by a
        // decision only (its link to h_ab's person kept for that reason)
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::replace_clusters(&mut conn, &[(pa, 7, 7), (pab, 7, 7), (pb, 8, 8)]).await.unwrap();
        store::linkage::replace_edges(&mut conn, &[(pa, pab, 30.0), (pab, pb, 20.0)]).await.unwrap();
        drop(conn);
        reject_then_withdraw().await;
        assert_eq!(shown(&t).await[&pb], 7, "withdrawn, the link joins them back");

        // the same, but h_b's person has since joined h_a, where h_a's person is: two persons
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::replace_clusters(&mut conn, &[(pa, 7, 7), (pab, 7, 7), (pb, 8, 8)]).await.unwrap();
        sqlx::query("INSERT INTO household_members (household_id, person_id, role, from_on) VALUES ($1, $2, 'conjoint', '2026-01-01')")
            .bind(f.h_a.0)
            .bind(pb.0)
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        reject_then_withdraw().await;
        let now = shown(&t).await;
        assert_eq!((now[&pa], now[&pab]), (7, 7));
        assert_ne!(now[&pb], 7, "two members of one household stay two persons");
        t.finish().await;
    }
}

/// The check at entry keeps the persons between checks, but decides what the worker may read
/// at each check: a restriction of processing (which moves no data) hides a file at once, and a
/// person entered since the last check is compared at once.
#[tokio::test]
async fn the_check_at_entry_follows_access_and_data_at_once() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        // the SIAO coordinator reads the territory's files, a restricted one excepted
        let (siao, a) = (f.actor("siao"), f.actor("referent-a"));
        let probe =
            domain::household::NewPerson::parse("Aubert", "Camille", "1980-04-02", "F", testkit::TODAY).unwrap();
        let homes = |found: &[app::entry_check::SimilarPerson]| found.iter().map(|p| p.household).collect::<Vec<_>>();
        let before = t.app.similar_persons(&siao, &probe, None).await.unwrap();
        assert!(homes(&before).contains(&f.h_a), "{before:?}");
        // the DPO restricts processing of h_a: no data moves, and the file leaves the check
        let version = || async {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            store::observatory::data_version(&mut conn).await.unwrap()
        };
        let unmoved = version().await;
        t.app.restrict(&f.actor("dpo"), f.h_a, "demande de la personne").await.unwrap();
        assert_eq!(version().await, unmoved, "the premise: a restriction moves no data the check keeps");
        let readable = t.app.open_household(&siao, f.h_a).await.is_ok();
        let after = t.app.similar_persons(&siao, &probe, None).await.unwrap();
        assert_eq!(homes(&after).contains(&f.h_a), readable, "shown exactly when readable: {after:?}");
        assert!(!readable, "a restricted file is not the coordinator's to read");
        // a household entered since: compared at once
        let again = app::households::NewHousehold {
            reference: probe.clone(),
            commune: None,
            situation: domain::situation::Situation::Rue,
            situation_since: testkit::TODAY - time::Duration::days(1),
            identified_on: testkit::TODAY,
            siao_number: None,
            housing_demand_number: None,
        };
        let h = t.app.create_household(&a, again).await.unwrap();
        let found = t.app.similar_persons(&siao, &probe, None).await.unwrap();
        assert!(homes(&found).contains(&h), "{found:?}");
        t.finish().await;
    }
}

/// The check at entry keeps its persons across the day's usual writes (a contact, a change of
/// situation), which move the observatory's counter, and reads them again after any change to
/// a person, a membership, a household or a commune, whoever makes it (plain SQL here, which
/// only the database's triggers can notice).
#[tokio::test]
async fn the_check_at_entry_reads_its_persons_again_after_an_identity_change_and_only_then() {
    use std::sync::Arc;
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let on = t.backend();
        let siao = f.actor("siao");
        let first = t.app.entry_index().await.unwrap();
        assert!(Arc::ptr_eq(&first, &t.app.entry_index().await.unwrap()), "no change, no new read ({on:?})");
        let histories = t.app.histories().await.unwrap();
        t.app.record_event(&siao, f.h_a, domain::pathway::EventKind::Contact, testkit::TODAY, "").await.unwrap();
        t.app
            .change_situation(&siao, f.h_a, domain::situation::Situation::HebergementUrgence, testkit::TODAY)
            .await
            .unwrap();
        assert!(
            !Arc::ptr_eq(&histories, &t.app.histories().await.unwrap()),
            "the premise: the observatory reads again"
        );
        assert!(Arc::ptr_eq(&first, &t.app.entry_index().await.unwrap()), "a contact and a situation keep it ({on:?})");

        let mut conn = t.app.store.pool().acquire().await.unwrap();
        for (table, column) in [
            ("persons", "family_name"),
            ("household_members", "role"),
            ("households", "commune_insee"),
            ("communes", "name"),
        ] {
            let (rows,): (i64,) =
                sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *conn).await.unwrap();
            assert!(rows > 0, "the fixture fills {table} ({on:?})");
            let kept = t.app.entry_index().await.unwrap();
            sqlx::query(&format!("UPDATE {table} SET {column} = {column}")).execute(&mut *conn).await.unwrap();
            assert!(!Arc::ptr_eq(&kept, &t.app.entry_index().await.unwrap()), "{table} changed ({on:?})");
        }
        // a person rewritten behind the app's back is compared as now written at the next check
        let renamed =
            domain::household::NewPerson::parse("Zabulon", "Ophélie", "1951-09-30", "F", testkit::TODAY).unwrap();
        let homes = |found: &[app::entry_check::SimilarPerson]| found.iter().map(|p| p.household).collect::<Vec<_>>();
        assert!(!homes(&t.app.similar_persons(&siao, &renamed, None).await.unwrap()).contains(&f.h_a));
        sqlx::query(
            "UPDATE persons SET family_name = 'Zabulon', given_names = 'Ophélie', birth_date = '1951-09-30' \
             WHERE family_name = 'Aubert' AND given_names = 'Camille'",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        let found = t.app.similar_persons(&siao, &renamed, None).await.unwrap();
        assert!(homes(&found).contains(&f.h_a), "{found:?} ({on:?})");
        t.finish().await;
    }
}

/// A pair's screen shows parts of two files: its reading, like each decision, unmerge and
/// withdrawal, is in both households' own access logs (what the DPO's view and the rights export
/// list), never in a third's, and a refused attempt is in neither.
#[tokio::test]
async fn a_pair_read_and_decided_is_in_both_households_access_logs() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab, id) = a_pending_pair(&t, &f).await;
        let outsider = t.app.duplicate_pair(&f.actor("referent-b"), id).await;
        assert!(matches!(outsider, Err(AppError::NotFound)));
        assert!(linkage_actions(&t, f.h_a).await.is_empty(), "a refused attempt shows nothing of the file");

        let a = f.actor("referent-a");
        t.app.duplicate_pair(&a, id).await.unwrap();
        t.app.decide_pair(&a, id, pair_persons(&t, id).await, true, DecisionBasis::Records).await.unwrap();
        let mid = t.app.household_merges(&a, f.h_a).await.unwrap()[0].id;
        t.app.unmerge(&a, mid).await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::decide(
            &mut conn,
            pa,
            pab,
            false,
            DecisionBasis::Records,
            (domain::OrgId(1), domain::UserId(1)),
        )
        .await
        .unwrap();
        let rejection = store::linkage::decisions(&mut conn).await.unwrap().into_iter().find(|d| !d.same).unwrap();
        drop(conn);
        t.app.withdraw_rejection(&a, rejection.id).await.unwrap();
        for h in [f.h_a, f.h_ab] {
            let log = linkage_actions(&t, h).await;
            for action in ["linkage.pair_read", "linkage.decision", "linkage.unmerge", "linkage.withdraw"] {
                assert!(log.iter().any(|a| a == action), "{action} not in household {}'s log: {log:?}", h.0);
            }
        }
        assert!(
            !linkage_actions(&t, f.h_b).await.iter().any(|a| a != "linkage.read"),
            "a third household's log is untouched"
        );
        t.finish().await;
    }
}

/// The queue filters by commune (either household's), and the filter follows the reviewer from
/// pair to pair; anything but an INSEE code is no filter.
#[tokio::test]
async fn the_queue_filters_by_commune_from_pair_to_pair() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await);
        let (pb, pfar) = (person_of(&t, f.h_b).await, person_of(&t, f.h_far).await);
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::replace_candidates(&mut conn, &[(pb, pfar, 0.8, "[]".into()), (pa, pab, 0.7, "[]".into())])
            .await
            .unwrap();
        let ids: Vec<i64> = store::linkage::pending(&mut conn).await.unwrap().iter().map(|c| c.id).collect();
        drop(conn);
        let (far, near) = (ids[0], ids[1]);
        let mut c = t.client();
        c.login("siao@test.parcours.test", fixture_password()).await;
        let csrf = c.csrf().await;
        let all = c.get("/doublons").await;
        assert!(all.body.contains(">Ailleurs (1)</option>") && all.body.contains(">Loue-la-Ville (2)</option>"));
        assert!(all.body.contains("2 paire(s) à examiner,") && all.body.contains(", Ailleurs)"));
        let there = c.get("/doublons?commune=38001").await;
        assert!(there.body.contains("1 paire(s) à examiner à Ailleurs"), "{}", there.body);
        assert!(there.body.contains(&format!("/doublons/{far}?commune=38001")));
        assert!(!there.body.contains(&format!("/doublons/{near}")));
        assert!(c.get("/doublons?commune=%3Cb%3E").await.body.contains("2 paire(s) à examiner,"), "not a code");
        // the coordination follows no household itself
        let ours = c.get("/doublons?suivis=1").await;
        assert!(
            ours.body.contains("Aucune paire à examiner sur les ménages que votre structure suit"),
            "{}",
            ours.body
        );
        let both = c.get(&format!("/doublons/{far}?commune=38001&suivis=1")).await;
        assert!(
            both.body.contains(r#"name="suivis" value="1""#)
                && both.body.contains(r#"href="/doublons?commune=38001&#38;suivis=1""#),
            "{}",
            both.body
        );

        let pair = c.get(&format!("/doublons/{far}?commune=38001")).await;
        assert!(
            pair.body.contains(r#"name="commune" value="38001""#)
                && pair.body.contains(r#"href="/doublons?commune=38001""#)
        );
        let (fa, fb) = pair_persons(&t, far).await;
        let (fa, fb) = (fa.0.to_string(), fb.0.to_string());
        let decided = c
            .post(
                &format!("/doublons/{far}"),
                &[
                    ("csrf", &csrf),
                    ("decision", "differente"),
                    ("motif", "fiches"),
                    ("commune", "38001"),
                    ("a", &fa),
                    ("b", &fb),
                ],
            )
            .await;
        assert_eq!(decided.location(), Some("/doublons?fait=differente&commune=38001"), "none left there");
        let empty = c.get("/doublons?fait=differente&commune=38001").await;
        assert!(empty.body.contains("Aucune paire à examiner à Ailleurs"), "{}", empty.body);
        t.finish().await;
    }
}

/// The to-do list counts the pairs to review: all those the coordination may review, and for a
/// référent those touching a household its structure follows; nothing for whom may not review.
#[tokio::test]
async fn the_todo_list_counts_the_pairs_to_review() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab, pb) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await, person_of(&t, f.h_b).await);
        let pfar = person_of(&t, f.h_far).await;
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        // A–AB on referent A's files; B–far on none of A's
        store::linkage::replace_candidates(&mut conn, &[(pa, pab, 0.7, "[]".into()), (pb, pfar, 0.8, "[]".into())])
            .await
            .unwrap();
        drop(conn);
        let doublons = |items: Vec<app::reminders::TodoItem>| -> Vec<(String, String)> {
            items.into_iter().filter(|i| i.category == "Doublons").map(|i| (i.text, i.link)).collect()
        };
        let queue = |text: &str, link: &str| vec![(text.to_owned(), link.to_owned())];
        assert_eq!(
            doublons(t.app.todo(&f.actor("siao")).await.unwrap()),
            queue("2 paire(s) de doublons possibles à examiner", "/doublons")
        );
        // the référent's item leads to the queue filtered on its structure's households
        assert_eq!(
            doublons(t.app.todo(&f.actor("referent-a")).await.unwrap()),
            queue(
                "1 paire(s) de doublons possibles touchent des ménages que votre structure suit",
                "/doublons?suivis=1"
            )
        );
        let mut c = t.client();
        c.login("referent-a@test.parcours.test", fixture_password()).await;
        let ours = c.get("/doublons?suivis=1").await;
        assert!(ours.body.contains("1 paire(s) à examiner sur les ménages que votre structure suit"), "{}", ours.body);
        assert!(ours.body.contains("/doublons/") && ours.body.contains("?suivis=1"));
        assert!(doublons(t.app.todo(&f.actor("cca")).await.unwrap()).is_empty(), "not a reviewer");
        assert_eq!(t.app.duplicate_counts(&f.actor("observatoire")).await.unwrap(), (0, 0));
        t.finish().await;
    }
}

/// The decisions' log filters as the queue does: by either file's commune (each commune with its
/// number of decisions) and to the households one's structure follows; a withdrawal leads back
/// to the log filtered as it was.
#[tokio::test]
async fn the_decision_log_filters_by_commune() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await);
        let (pb, pfar) = (person_of(&t, f.h_b).await, person_of(&t, f.h_far).await);
        let siao = f.actor("siao");
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::decide(&mut conn, pa, pab, false, DecisionBasis::Records, (siao.org, siao.user)).await.unwrap();
        store::linkage::decide(&mut conn, pb, pfar, false, DecisionBasis::Records, (siao.org, siao.user))
            .await
            .unwrap();
        drop(conn);
        let filter = |commune: Option<&str>, ours: bool| app::decisions::DecisionFilter {
            commune: commune.map(str::to_owned),
            ours,
        };
        let all = t.app.decision_log(&siao, 0, &filter(None, false)).await.unwrap();
        assert_eq!(all.decisions.len(), 2);
        let counts: Vec<(&str, usize)> = all.communes.iter().map(|c| (c.1.as_str(), c.2)).collect();
        assert_eq!(counts, [("Ailleurs", 1), ("Loue-la-Ville", 2)], "a decision counts once in each of its communes");
        let far = t.app.decision_log(&siao, 0, &filter(Some("38001"), false)).await.unwrap();
        let pairs: Vec<(PersonId, PersonId)> = far.decisions.iter().map(|d| (d.a.person, d.b.person)).collect();
        assert_eq!(pairs, [(pb.min(pfar), pb.max(pfar))]);
        assert_eq!(far.communes, all.communes, "the choices stay whole under a filter");
        assert!(t.app.decision_log(&siao, 0, &filter(None, true)).await.unwrap().decisions.is_empty(), "follows none");
        let a = t.app.decision_log(&f.actor("referent-a"), 0, &filter(None, true)).await.unwrap();
        assert_eq!(a.decisions.len(), 1, "referent A follows both files of one decision only");
        assert_eq!((a.decisions[0].a.person, a.decisions[0].b.person), (pa.min(pab), pa.max(pab)));

        let mut c = t.client();
        c.login("siao@test.parcours.test", fixture_password()).await;
        let csrf = c.csrf().await;
        let page = c.get("/doublons/decisions?commune=38001").await;
        assert!(page.body.contains("Décisions à Ailleurs, les plus récentes d'abord"), "{}", page.body);
        assert!(page.body.contains(">Ailleurs (1)</option>") && page.body.contains(">Loue-la-Ville (2)</option>"));
        assert!(
            page.body.contains(&format!("/menages/{}", f.h_far.0))
                && !page.body.contains(&format!("/menages/{}\"", f.h_a.0))
        );
        assert!(page.body.contains(r#"<input type="hidden" name="commune" value="38001">"#));
        let id = far.decisions[0].id;
        let back = c.post(&format!("/decisions/{id}/retrait"), &[("csrf", &csrf), ("commune", "38001")]).await;
        assert_eq!(back.location(), Some("/doublons/decisions?fait=retrait&commune=38001"));
        let after = c.get("/doublons/decisions?fait=retrait&commune=38001").await;
        assert!(after.body.contains("Aucune décision à Ailleurs"), "{}", after.body);
        assert!(after.body.contains(r#"href="/doublons/decisions">toutes les décisions</a>"#));
        t.finish().await;
    }
}

/// A merge, and its undoing, reach the people who follow the person: each account of a
/// structure following either household that may open that file hears of it, by the file's
/// number alone; the reviewer who did it, other roles and those who may not read the file hear
/// nothing.
#[tokio::test]
async fn a_merge_and_its_undoing_are_told_to_the_households_followers() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab, id) = a_pending_pair(&t, &f).await;
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::replace_clusters(&mut conn, &[(pa, 1, 1), (pab, 2, 2)]).await.unwrap();
        drop(conn);
        let notices = |who: &'static str| {
            let (t, f) = (&t, &f);
            async move {
                let all = t.app.notifications(&f.actor(who)).await.unwrap();
                all.into_iter().filter(|n| n.kind == "doublon").map(|n| (n.message, n.link)).collect::<Vec<_>>()
            }
        };
        let before: Vec<(String, String)> = Vec::new();
        // the coordination merges: A follows both files, B follows h_ab only
        t.app
            .decide_pair(&f.actor("siao"), id, pair_persons(&t, id).await, true, DecisionBasis::Records)
            .await
            .unwrap();
        let ab = format!("/menages/{}#rapprochements", f.h_ab.0);
        let merged = |h: domain::HouseholdId| {
            format!("Ménage n° {} : une de ses fiches est réunie à celle d'un autre dossier (« même personne »)", h.0)
        };
        assert_eq!(notices("referent-b").await, [(merged(f.h_ab), ab.clone())]);
        let a = notices("referent-a").await;
        assert_eq!(a.len(), 2, "{a:?}");
        assert!(a.contains(&(merged(f.h_a), format!("/menages/{}#rapprochements", f.h_a.0))));
        assert_eq!(notices("siao").await, before, "not the reviewer who merged");
        assert_eq!(
            notices("cca").await,
            before,
            "its structure follows the file, but it follows referrals, not persons"
        );
        assert!(a
            .iter()
            .chain(&notices("referent-b").await)
            .all(|n| !n.0.contains("Aubert") && !n.0.contains("Colin")));

        let merge = t.app.household_merges(&f.actor("referent-a"), f.h_a).await.unwrap()[0].id;
        t.app.unmerge(&f.actor("referent-a"), merge).await.unwrap();
        let b = notices("referent-b").await;
        assert_eq!(b.len(), 2);
        assert_eq!(
            b[0].0,
            format!("Ménage n° {} : une fusion « même personne » avec un autre dossier est annulée", f.h_ab.0)
        );
        assert_eq!(notices("referent-a").await.len(), 2, "not the reviewer who undid it");
        t.finish().await;
    }
}

/// A pair's number stays that pair's: a run that recomputes the queue while a reviewer has a
/// pair open keeps the numbers of the pairs it finds again, never gives a number to another pair,
/// and a decision sent on a pair no longer there lands on nothing.
#[tokio::test]
async fn a_run_while_a_pair_is_open_never_turns_the_decision_onto_another_pair() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab, pb) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await, person_of(&t, f.h_b).await);
        let siao = f.actor("siao");
        let ids = |q: Vec<app::duplicates::QueueEntry>| {
            q.into_iter()
                .map(|e| ((e.candidate.a.min(e.candidate.b), e.candidate.a.max(e.candidate.b)), e.candidate.id))
                .collect::<std::collections::HashMap<_, _>>()
        };
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let first = [(pa, pab, 0.72, "[]".into()), (pab, pb, 0.61, "[]".into())];
        store::linkage::replace_candidates(&mut conn, &first).await.unwrap();
        drop(conn);
        let before = ids(t.app.duplicate_queue(&siao).await.unwrap());
        let open = before[&(pa.min(pab), pa.max(pab))];
        let kept = before[&(pab.min(pb), pab.max(pb))];

        // the run: the open pair is gone, one stays (its score moved), one is new
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let second = [(pb, pab, 0.66, "[]".into()), (pa, pb, 0.7, "[]".into())];
        assert_eq!(store::linkage::replace_candidates(&mut conn, &second).await.unwrap(), 2);
        drop(conn);
        let queue = t.app.duplicate_queue(&siao).await.unwrap();
        let after = ids(queue.clone());
        assert_eq!(after[&(pab.min(pb), pab.max(pb))], kept, "a pair found again keeps its number");
        let fresh = after[&(pa.min(pb), pa.max(pb))];
        assert!(fresh != open && fresh != kept, "a new pair gets a number never used");
        let stayed = queue.iter().find(|e| e.candidate.id == kept).unwrap();
        assert_eq!(stayed.candidate.probability, 0.66, "with its new score");

        // the decision on the pair that was open: refused, said, nothing decided
        let on_gone = t.app.decide_pair(&siao, open, (pa, pab), true, DecisionBasis::Records).await;
        assert!(
            matches!(on_gone, Err(AppError::Invalid(ref e)) if e.to_string().contains("recalculée")),
            "{on_gone:?}"
        );
        // a number whose persons are not those shown, whatever happened: refused the same way
        let mismatch = t.app.decide_pair(&siao, kept, (pa, pab), true, DecisionBasis::Records).await;
        assert!(matches!(mismatch, Err(AppError::Invalid(_))), "{mismatch:?}");
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        assert!(store::linkage::decided_pairs(&mut conn).await.unwrap().is_empty());
        drop(conn);
        // someone who may not review the persons shown learns nothing: the usual 404, logged
        let b = f.actor("referent-b");
        assert!(matches!(
            t.app.decide_pair(&b, open, (pa, pab), true, DecisionBasis::Records).await,
            Err(AppError::NotFound)
        ));
        assert_eq!(last_event(&t).await, ("linkage.read".to_owned(), "denied".to_owned()));

        // through the screens: the form carries the persons shown; a stale one goes back to the queue
        let mut c = t.client();
        c.login("siao@test.parcours.test", fixture_password()).await;
        let csrf = c.csrf().await;
        let page = c.get(&format!("/doublons/{kept}")).await.body;
        assert!(page.contains(&format!(r#"name="a" value="{}""#, pab.min(pb).0)), "{page}");
        let (a, b) = (pa.0.to_string(), pab.0.to_string());
        let stale = [("csrf", csrf.as_str()), ("decision", "meme"), ("motif", "fiches"), ("a", &a), ("b", &b)];
        let r = c.post(&format!("/doublons/{open}"), &stale).await;
        assert_eq!(r.location(), Some("/doublons?fait=recalculee"));
        assert!(c.get("/doublons?fait=recalculee").await.body.contains("recalculée entre-temps"));
        t.finish().await;
    }
}

/// A reviewer who cannot tell asks the structures following the two households: each account of
/// theirs that may review the pair hears of it once, by its number alone; the pair's page says
/// the opinion was asked; nobody else may ask, nor is asked.
#[tokio::test]
async fn a_reviewer_asks_the_following_structures_for_their_opinion() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab, id) = a_pending_pair(&t, &f).await;
        let notices = |who: &'static str| {
            let (t, f) = (&t, &f);
            async move {
                let all = t.app.notifications(&f.actor(who)).await.unwrap();
                all.into_iter().filter(|n| n.kind == "doublon").map(|n| (n.message, n.link)).collect::<Vec<_>>()
            }
        };
        let siao = f.actor("siao");
        // A follows both files and reads them: asked; B reads only h_ab, the CCA manager reviews nothing
        assert_eq!(t.app.ask_opinion(&siao, id, (pab, pa)).await.unwrap(), 1);
        let asked = format!("Paire de doublons n° {id} : SIAO demande votre avis (même personne ou deux personnes ?)");
        assert_eq!(notices("referent-a").await, [(asked, format!("/doublons/{id}"))]);
        for who in ["referent-b", "cca", "siao"] {
            assert!(notices(who).await.is_empty(), "{who} is not asked");
        }
        assert_eq!(linkage_actions(&t, f.h_a).await[0], "linkage.opinion_asked");
        assert_eq!(linkage_actions(&t, f.h_ab).await[0], "linkage.opinion_asked");
        // once per person and pair: asking again notifies nobody
        assert_eq!(t.app.ask_opinion(&siao, id, (pa, pab)).await.unwrap(), 0);
        assert_eq!(notices("referent-a").await.len(), 1);
        let view = t.app.duplicate_pair(&siao, id).await.unwrap();
        assert_eq!(view.asked.map(|a| a.people), Some(1));
        let queue = t.app.duplicate_queue(&siao).await.unwrap();
        assert!(queue.iter().all(|e| e.asked == (e.candidate.id == id)), "the queue marks the pair asked about");
        // who may not review the pair may not ask: the usual refusal, logged
        let b = f.actor("referent-b");
        assert!(matches!(t.app.ask_opinion(&b, id, (pa, pab)).await, Err(AppError::NotFound)));
        assert_eq!(last_event(&t).await, ("linkage.read".to_owned(), "denied".to_owned()));

        // through the screens, as referent-a: nobody else to ask there
        let mut c = t.client();
        c.login("referent-a@test.parcours.test", fixture_password()).await;
        let csrf = c.csrf().await;
        let page = c.get(&format!("/doublons/{id}")).await.body;
        assert!(page.contains("Demander l'avis des structures qui suivent"));
        assert!(page.contains("à 1 personne(s) des structures qui suivent"), "{page}");
        assert!(c.get("/doublons").await.body.contains("Avis demandé"));
        let (sa, sb) = (pa.0.to_string(), pab.0.to_string());
        let r = c.post(&format!("/doublons/{id}/avis"), &[("csrf", csrf.as_str()), ("a", &sa), ("b", &sb)]).await;
        assert_eq!(r.location(), Some(format!("/doublons/{id}?fait=avis-personne").as_str()));
        assert!(c
            .get(&format!("/doublons/{id}?fait=avis-personne"))
            .await
            .body
            .contains("ne peut examiner cette paire, ou ces personnes"));

        // the coordination decides meanwhile: the asked référent's page says so, and takes nothing more
        t.app.decide_pair(&siao, id, (pa, pab), false, DecisionBasis::Person).await.unwrap();
        let page = c.get(&format!("/doublons/{id}")).await.body;
        assert!(
            page.contains("Cette paire est déjà tranchée : personnes différentes")
                && page.contains("par SIAO")
                && page.contains("motif : Confirmé par la personne"),
            "{page}"
        );
        assert!(!page.contains(r#"id="decision""#) && !page.contains(r#"id="avis""#), "no form left");
        let late = [("csrf", csrf.as_str()), ("decision", "meme"), ("motif", "fiches"), ("a", &sa), ("b", &sb)];
        let r = c.post(&format!("/doublons/{id}"), &late).await;
        assert_eq!(r.location(), Some(format!("/doublons/{id}").as_str()), "back to the pair, which says it");
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        assert_eq!(store::linkage::decided_pairs(&mut conn).await.unwrap(), [(pa.min(pab), pa.max(pab), false)]);
        drop(conn);
        assert!(matches!(t.app.ask_opinion(&f.actor("referent-a"), id, (pa, pab)).await, Err(AppError::Invalid(_))));
        t.finish().await;
    }
}
