//! Need-to-know: each role sees exactly what the policy allows, in the list and file by file,
//! and every refusal is logged.

use app::households::ListFilter;
use app::AppError;
use domain::audit::AuditAction;
use testkit::{apps, Fixture};

fn ids(page: &app::households::ListPage) -> Vec<i64> {
    let mut v: Vec<i64> = page.rows.iter().map(|r| r.id.0).collect();
    v.sort();
    v
}

#[tokio::test]
async fn each_role_sees_what_the_policy_allows() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let all = ListFilter::default();
        let expected: [(&str, Vec<i64>); 11] = [
            // per case: followed by A; the restricted household stays with A, its referent
            ("referent-a", vec![f.h_a.0, f.h_ab.0, f.h_restricted.0]),
            // per case only: B's expired territorial grant confers nothing, and B is not the
            // restricted household's referent
            ("referent-b", vec![f.h_b.0, f.h_ab.0, f.h_ended.0, f.h_far.0, f.h_objecting.0]),
            // the whole territory, except the restricted household and the one that objected
            ("siao", vec![f.h_a.0, f.h_b.0, f.h_ab.0, f.h_ended.0, f.h_far.0]),
            ("cca", vec![f.h_a.0, f.h_ab.0, f.h_restricted.0]),
            // the temporary grant of a commission session
            ("commission", vec![f.h_b.0]),
            // its grant (département 69) serves eviction procedures, never the social file
            ("ccapex", vec![]),
            ("captation", vec![]),
            ("bailleur", vec![]),
            ("observatoire", vec![]),
            ("dpo", vec![]),
            ("admin", vec![]),
        ];
        for (who, mut want) in expected {
            want.sort();
            let actor = f.actor(who);
            let page = t.app.list_households(&actor, &all).await.unwrap();
            assert_eq!(ids(&page), want, "{who} on {:?}", t.backend());
            // The same policy answers file by file: list membership == file access.
            for h in f.all_households() {
                let opened = t.app.open_household(&actor, h).await;
                assert_eq!(opened.is_ok(), want.contains(&h.0), "{who} opening {h} on {:?}", t.backend());
                if let Err(e) = opened {
                    assert!(matches!(e, AppError::NotFound), "refusal must look like absence");
                }
            }
        }
        t.finish().await;
    }
}

#[tokio::test]
async fn refused_access_is_404_and_logged() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let a = f.actor("referent-a");
        // h_b exists but only B follows it; a missing id answers the same way.
        assert!(matches!(t.app.open_household(&a, f.h_b).await, Err(AppError::NotFound)));
        assert!(matches!(t.app.open_household(&a, domain::HouseholdId(999_999)).await, Err(AppError::NotFound)));
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let recent = store::audit::recent(&mut conn, 2).await.unwrap();
        let refused = &recent[1].event;
        assert_eq!(refused.action, AuditAction::HouseholdRead.code());
        assert_eq!(refused.outcome, "denied");
        assert_eq!(refused.target_id, Some(f.h_b.0));
        assert_eq!(refused.actor_user, Some(a.user.0));
        assert_eq!(refused.actor_org, Some(f.org_a.0));
        // A write on someone else's household is refused and logged too.
        let err = t.app.record_event(&a, f.h_b, domain::pathway::EventKind::Contact, testkit::TODAY, "").await;
        assert!(matches!(err, Err(AppError::NotFound)));
        let last = &store::audit::recent(&mut conn, 1).await.unwrap()[0].event;
        assert_eq!((last.action.as_str(), last.outcome.as_str()), ("household.event.record", "denied"));
        drop(conn);
        t.finish().await;
    }
}

#[tokio::test]
async fn writes_change_status_and_timeline() {
    use domain::situation::Situation;
    use domain::status::Status;
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let a = f.actor("referent-a");
        let today = testkit::TODAY;
        let v = t.app.open_household(&a, f.h_a).await.unwrap();
        assert_eq!(v.status, Some(Status::Actif));
        assert!(v.rights.write && v.rights.read_sensitive && v.rights.write_sensitive);
        t.app.change_situation(&a, f.h_a, Situation::LogementOrdinaire, today).await.unwrap();
        let v = t.app.open_household(&a, f.h_a).await.unwrap();
        assert_eq!(v.status, Some(Status::Loge));
        assert_eq!(v.current.as_ref().map(|p| p.situation), Some(Situation::LogementOrdinaire));
        // history kept: the street period is still there, now closed on the day of housing
        let closed = v.timeline.iter().any(|i| {
            matches!(i.entry, domain::timeline::Entry::Period { situation: Situation::Rue, end: Some(e), .. } if e == today)
        });
        assert!(closed, "the previous period is closed, not overwritten");
        // a change that would overlap history is refused with a reason
        let err = t.app.change_situation(&a, f.h_a, Situation::Rue, today).await;
        assert!(matches!(err, Err(AppError::Invalid(_))));
        // the list's status filter agrees
        let page = t
            .app
            .list_households(&a, &app::households::ListFilter { status: Some(Status::Loge), ..Default::default() })
            .await
            .unwrap();
        assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![f.h_a]);
        // a member joins; a death is recorded
        let child = domain::household::NewPerson::parse("Aubert", "Léo", "2020-01-01", "M", today).unwrap();
        t.app.add_member(&a, f.h_a, child, domain::household::MemberRole::Enfant, today).await.unwrap();
        let v = t.app.open_household(&a, f.h_a).await.unwrap();
        assert_eq!(v.household_type, domain::household::HouseholdType::FamilleAvecEnfants);
        t.app.record_event(&a, f.h_ab, domain::pathway::EventKind::Deces, today, "").await.unwrap();
        assert_eq!(t.app.open_household(&a, f.h_ab).await.unwrap().status, Some(Status::Decede));
        // an observer may not write, even where a referent could
        let obs = f.actor("observatoire");
        assert!(t.app.record_event(&obs, f.h_a, domain::pathway::EventKind::Contact, today, "").await.is_err());
        t.finish().await;
    }
}

#[tokio::test]
async fn administration_is_for_administrators_only() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        for who in ["referent-a", "siao", "dpo", "observatoire"] {
            let r = t.app.create_organisation(Some(&f.actor(who)), "X", domain::org::OrgKind::Ccas, None).await;
            assert!(matches!(r, Err(AppError::Forbidden)), "{who}");
        }
        let admin = f.actor("admin");
        t.app.create_organisation(Some(&admin), "Nouvelle structure", domain::org::OrgKind::Ccas, None).await.unwrap();
        let dup = t.app.create_organisation(Some(&admin), "Nouvelle structure", domain::org::OrgKind::Ccas, None).await;
        assert!(matches!(dup, Err(AppError::Store(store::StoreError::Conflict))));
        assert!(matches!(t.app.create_household(&admin, sample(&f)).await, Err(AppError::Forbidden)));
        t.finish().await;
    }
}

fn sample(_: &Fixture) -> app::households::NewHousehold {
    testkit::one_person_household("Zed", "Alex", "", "X")
}
