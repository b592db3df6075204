//! Adding a member to a household: the check at entry, and the form given back as typed.

use testkit::{apps, fixture_password, Fixture};

async fn members(t: &testkit::TestApp, h: domain::HouseholdId) -> usize {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    store::households::get(&mut conn, h).await.unwrap().unwrap().members.len()
}

/// The last check at entry in the access log (showing the file afterwards logs more reads).
async fn last_check(t: &testkit::TestApp) -> (String, Option<i64>) {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    let recent = store::audit::recent(&mut conn, 20).await.unwrap();
    let e = recent.into_iter().map(|r| r.event).find(|e| e.action == "linkage.entry_check").unwrap();
    (e.outcome, e.target_id)
}

#[tokio::test]
async fn a_member_already_on_file_is_shown_before_being_added_and_the_form_keeps_what_was_typed() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut a = t.client();
        a.login("referent-a@test.parcours.test", fixture_password()).await;
        let csrf = a.csrf().await;
        let path = format!("/menages/{}/membres", f.h_ab.0);
        let before = members(&t, f.h_ab).await;
        // h_a's reference person, about to join h_ab as a partner
        let form = [
            ("csrf", csrf.as_str()),
            ("family_name", "AUBERT"),
            ("given_names", "camille"),
            ("birth_date", "1980-04-02"),
            ("sex", "F"),
            ("birth_commune", "Lyon"),
            ("role", "conjoint"),
            ("from", "2026-01-05"),
        ];
        let r = a.post(&path, &form).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("Cette personne est peut-être déjà connue"), "{}", r.body);
        assert!(r.body.contains(&format!("href=\"/menages/{}\"", f.h_a.0)), "{}", r.body);
        assert!(r.body.contains("name=\"confirmer\" value=\"1\""));
        assert!(r.body.contains("ajouter le membre"));
        for typed in
            ["value=\"AUBERT\"", "value=\"camille\"", "value=\"1980-04-02\"", "value=\"Lyon\"", "value=\"2026-01-05\""]
        {
            assert!(r.body.contains(typed), "{typed} kept");
        }
        assert!(r.body.contains("<option value=\"conjoint\" selected>"), "the role kept");
        assert!(r.body.contains("<option value=\"F\" selected>"), "the sex kept");
        assert_eq!(members(&t, f.h_ab).await, before, "nothing added yet");
        assert_eq!(last_check(&t).await, ("allowed".into(), Some(f.h_ab.0)));
        // « none of them »: added
        let mut confirmed = form.to_vec();
        confirmed.push(("confirmer", "1"));
        let r = a.post(&path, &confirmed).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.headers["location"], format!("/menages/{}#membres", f.h_ab.0));
        assert_eq!(members(&t, f.h_ab).await, before + 1);

        // a child nobody has on file: added at once
        let child = [
            ("csrf", csrf.as_str()),
            ("family_name", "Colin"),
            ("given_names", "Léo"),
            ("birth_date", "2015-06-01"),
            ("sex", "M"),
            ("role", "enfant"),
            ("from", "2026-01-05"),
        ];
        assert_eq!(a.post(&path, &child).await.status, 303);
        // their twin sister is not taken for them
        let mut twin = child.to_vec();
        twin[2] = ("given_names", "Lina");
        twin[4] = ("sex", "F");
        let r = a.post(&path, &twin).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(members(&t, f.h_ab).await, before + 3);
        // but the same child typed again is: they are already a member
        let r = a.post(&path, &child).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("déjà membre de ce ménage"), "{}", r.body);
        assert_eq!(members(&t, f.h_ab).await, before + 3);

        // an error gives the form back as typed, and adds nothing
        let mut future = child.to_vec();
        future[1] = ("family_name", "Colin-Marchal");
        future[3] = ("birth_date", "2099-01-01");
        let r = a.post(&path, &future).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("value=\"Colin-Marchal\"") && r.body.contains("value=\"2099-01-01\""));
        assert!(r.body.contains("<option value=\"enfant\" selected>"));
        assert_eq!(members(&t, f.h_ab).await, before + 3);

        // h_b's reference person is on a file A cannot read: never shown, so never discovered
        let bernard =
            domain::household::NewPerson::parse("Bernard", "Camille", "1980-04-02", "M", testkit::TODAY).unwrap();
        let seen = t.app.similar_to_new_member(&f.actor("referent-a"), f.h_a, &bernard).await.unwrap();
        assert!(!seen.is_empty() && seen.iter().all(|p| p.household != f.h_b && p.household != f.h_far), "{seen:?}");
        let seen_by_b = t.app.similar_to_new_member(&f.actor("referent-b"), f.h_b, &bernard).await.unwrap();
        assert!(seen_by_b.iter().any(|p| p.household == f.h_b), "B reads h_b: {seen_by_b:?}");

        // referent B may not write h_a: refused before any comparison, and logged
        let mut b = t.client();
        b.login("referent-b@test.parcours.test", fixture_password()).await;
        let csrf_b = b.csrf().await;
        let mut by_b = form.to_vec();
        by_b[0] = ("csrf", csrf_b.as_str());
        let r = b.post(&format!("/menages/{}/membres", f.h_a.0), &by_b).await;
        assert_eq!(r.status, 404);
        assert_eq!(last_check(&t).await, ("denied".into(), Some(f.h_a.0)));
        t.finish().await;
    }
}
