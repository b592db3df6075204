//! The CCA workflow end to end: referral → completeness → agenda → session with members
//! present → decision → measure → review → exit to housing, seen on the by-name list and in the
//! month's outflow; and the members' access, limited to the agenda and to the window.

use app::measures::Ending;
use app::AppError;
use domain::cca::measure::Plan;
use domain::cca::referral::{DecisionInput, ReferralContent};
use domain::cca::{EndReason, HousingType, Need, Outcome, ReferralState, ReviewOutcome};
use domain::indicators::{Month, Segment};
use domain::status::Status;
use testkit::{apps, Fixture, TODAY};

fn content() -> ReferralContent {
    ReferralContent {
        needs: vec![Need::Logement, Need::Budget],
        needs_detail: "Recherche de logement, dettes anciennes".into(),
        wishes: "Un T2 près de l'école".into(),
        measure_asked: Some("avdl".into()),
        motivation: "Accès au logement social à préparer".into(),
        previous_measures: String::new(),
        notice_given_on: Some(TODAY),
    }
}

fn days(n: i64) -> time::Duration {
    time::Duration::days(n)
}

#[tokio::test]
async fn the_whole_path_ends_with_the_household_housed_on_the_list_and_in_the_outflow() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (referent, manager, member) = (f.actor("referent-a"), f.actor("cca"), f.actor("commission"));
        // A household on the list since May, so that housing it in June is an outflow of June.
        let new = app::households::NewHousehold {
            reference: domain::household::NewPerson::parse("Hamon", "Inès", "1990-01-01", "F", TODAY).unwrap(),
            commune: None,
            situation: domain::situation::Situation::Rue,
            situation_since: TODAY - days(60),
            identified_on: TODAY - days(45),
            siao_number: None,
            housing_demand_number: None,
        };
        let h = t.app.create_household(&referent, new).await.unwrap();
        let june = Month::of(TODAY);
        let before = t.app.flows(None, june..=june).await.unwrap();
        let housed_before = before.row(june, &Segment::Tous).unwrap().outflow_housed;

        // Referral: a draft cannot be submitted incomplete; the reason names what is missing.
        let draft = ReferralContent { measure_asked: None, notice_given_on: None, ..content() };
        let r = t.app.create_referral(&referent, h, &draft, None).await.unwrap();
        let err = t.app.submit_referral(&referent, r).await.unwrap_err();
        assert!(err.to_string().contains("mesure demandée") && err.to_string().contains("notice"), "{err}");
        t.app.update_referral(&referent, r, &content()).await.unwrap();
        t.app.add_attachment(&referent, r, "bilan.pdf", "application/pdf", b"%PDF-1.4 test").await.unwrap();
        t.app.submit_referral(&referent, r).await.unwrap();
        // Another référent's organisation cannot read it; the refusal is a 404.
        assert!(matches!(t.app.referral(&f.actor("referent-b"), r).await, Err(AppError::NotFound)));

        // The manager's inbox; complements asked, then complete.
        let inbox = t.app.referrals(&manager, &[ReferralState::Soumise]).await.unwrap();
        assert!(inbox.iter().any(|row| row.id == r));
        assert!(t.app.check_referral(&manager, r, false, "").await.is_err(), "a request for complements says what");
        t.app.check_referral(&manager, r, false, "Joindre le dernier avis d'imposition").await.unwrap();
        let notes = t.app.notifications(&referent).await.unwrap();
        assert!(notes
            .iter()
            .any(|n| n.message.contains(&format!("Saisine n° {r}")) && n.link.ends_with(&r.to_string())));
        assert!(notes.iter().all(|n| !n.message.contains("Hamon")), "notifications carry no name");
        t.app.submit_referral(&referent, r).await.unwrap();
        t.app.check_referral(&manager, r, true, "").await.unwrap();
        let (_, _, bytes) = t.app.attachment(&manager, r, 1).await.unwrap();
        assert_eq!(bytes, b"%PDF-1.4 test");

        // Session: agenda, member invited; no access before the agenda is published.
        let s = t.app.create_session(&manager, TODAY + days(3), "Salle du conseil").await.unwrap();
        t.app.invite_member(&manager, s, member.user).await.unwrap();
        t.app.add_to_agenda(&manager, s, r).await.unwrap();
        assert!(matches!(t.app.open_household(&member, h).await, Err(AppError::NotFound)));
        assert!(
            t.app
                .decide(
                    &manager,
                    s,
                    r,
                    &DecisionInput {
                        outcome: Outcome::Accorde,
                        measure: Some("avdl".into()),
                        reason: String::new(),
                        redirected_to: String::new()
                    }
                )
                .await
                .is_err(),
            "no decision before the agenda is out"
        );
        t.app.publish_agenda(&manager, s).await.unwrap();
        t.app.open_household(&member, h).await.unwrap();
        t.app.referral(&member, r).await.unwrap();
        // Only the files on the agenda.
        assert!(matches!(t.app.open_household(&member, f.h_a).await, Err(AppError::NotFound)));
        t.app.set_presence(&manager, s, member.user, true).await.unwrap();
        // The member does not decide: the manager enters the commission's decision.
        let agree = DecisionInput {
            outcome: Outcome::Accorde,
            measure: Some("avdl".into()),
            reason: String::new(),
            redirected_to: String::new(),
        };
        assert!(matches!(t.app.decide(&member, s, r, &agree).await, Err(AppError::Forbidden)));
        t.app.decide(&manager, s, r, &agree).await.unwrap();
        assert!(t.app.decide(&manager, s, r, &agree).await.is_err(), "decided once");
        let view = t.app.cca_session(&manager, s).await.unwrap();
        assert!(view.members.iter().any(|m| m.user == member.user && m.present));
        assert_eq!(view.agenda[0].item.decision.as_ref().unwrap().outcome, Outcome::Accorde);
        t.app.close_session(&manager, s).await.unwrap();
        assert_eq!(t.app.referral(&manager, r).await.unwrap().record.state, ReferralState::Accordee);

        // The measure: start with an operator, a review, the exit to housing.
        let measures = t.app.household_measures(&referent, h).await.unwrap();
        assert_eq!(measures.len(), 1);
        let m = measures[0].measure.id;
        let plan = Plan { start: TODAY - days(1), months: 6, next_review: Some(TODAY) };
        let supported = |rows: Vec<domain::indicators::SupportShare>| rows[0].supported;
        let before_start = supported(t.app.support_share(None, june..=june).await.unwrap());
        t.app.start_measure(&manager, m, f.org_a, Some(referent.user), plan).await.unwrap();
        // The observatory counts the household as supported while the measure runs.
        assert_eq!(supported(t.app.support_share(None, june..=june).await.unwrap()), before_start + 1);
        let todo = t.app.todo(&referent).await.unwrap();
        assert!(todo.iter().any(|i| i.category == "Bilan"), "the review due today is on the référent's list");
        t.app.review_measure(&referent, m, TODAY, ReviewOutcome::FinProposee, "Bail signé", None).await.unwrap();
        let housed = Ending { on: TODAY, reason: EndReason::Loge, housing: None, note: String::new() };
        assert!(t.app.end_measure(&referent, m, &housed).await.is_err(), "housed where?");
        let housed = Ending { housing: Some(HousingType::LogementSocial), ..housed };
        t.app.end_measure(&referent, m, &housed).await.unwrap();
        assert!(t.app.end_measure(&referent, m, &housed).await.is_err(), "ended once");

        // The by-name list and the observatory see it.
        let list = t.app.list_households(&referent, &app::households::ListFilter::default()).await.unwrap();
        let row = list.rows.iter().find(|row| row.id == h).unwrap();
        assert_eq!(row.status, Some(Status::Loge));
        let after = t.app.flows(None, june..=june).await.unwrap();
        assert_eq!(after.row(june, &Segment::Tous).unwrap().outflow_housed, housed_before + 1);

        // Statistics count it.
        let stats = t.app.cca_stats(&manager, TODAY - days(30), TODAY + days(30)).await.unwrap();
        let table = |id: &str| stats.tables.iter().find(|t| t.id == id).unwrap().clone();
        let outcome = table("decisions");
        assert_eq!(outcome.rows.iter().find(|r| r.0 == "Accordé").unwrap().1[0], 1.0);
        let housing = table("logements");
        assert_eq!(housing.rows.iter().find(|r| r.0 == "Logement social").unwrap().1[0], 1.0);
        t.finish().await;
    }
}

#[tokio::test]
async fn members_open_agenda_files_only_within_the_window() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (referent, manager, member) = (f.actor("referent-a"), f.actor("cca"), f.actor("commission"));
        let r = t.app.create_referral(&referent, f.h_ab, &content(), None).await.unwrap();
        t.app.submit_referral(&referent, r).await.unwrap();
        t.app.check_referral(&manager, r, true, "").await.unwrap();

        // A session: no access before its agenda is published…
        let next = t.app.create_session(&manager, TODAY + days(2), "").await.unwrap();
        t.app.add_to_agenda(&manager, next, r).await.unwrap();
        t.app.invite_member(&manager, next, member.user).await.unwrap();
        assert!(matches!(t.app.open_household(&member, f.h_ab).await, Err(AppError::NotFound)));
        t.app.publish_agenda(&manager, next).await.unwrap();
        // …access to the files on the agenda only, in the list and file by file…
        t.app.open_household(&member, f.h_ab).await.unwrap();
        assert!(matches!(t.app.open_household(&member, f.h_a).await, Err(AppError::NotFound)));
        let listed = t.app.list_households(&member, &app::households::ListFilter::default()).await.unwrap();
        assert!(listed.rows.iter().any(|row| row.id == f.h_ab));
        // …until the end of the session's day plus the delay (7 days by default).
        let at = |d: time::Date| app::App::new(t.app.store.clone(), t.app.config.clone(), app::Clock::Fixed(d));
        let delay = t.app.config.cca_access_delay_days;
        at(TODAY + days(2 + delay)).open_household(&member, f.h_ab).await.unwrap();
        let after = at(TODAY + days(3 + delay));
        assert!(matches!(after.open_household(&member, f.h_ab).await, Err(AppError::NotFound)));
        // A session cannot come before the referral's submission.
        let old = t.app.create_session(&manager, TODAY - days(20), "").await.unwrap();
        t.app.remove_from_agenda(&manager, next, r).await.unwrap();
        assert!(matches!(t.app.add_to_agenda(&manager, old, r).await, Err(AppError::Invalid(_))));
        // Taken off the agenda: the access ends at once.
        assert!(matches!(t.app.open_household(&member, f.h_ab).await, Err(AppError::NotFound)));
        let listed = t.app.list_households(&member, &app::households::ListFilter::default()).await.unwrap();
        assert!(!listed.rows.iter().any(|row| row.id == f.h_ab));
        // A member not invited never sees the session.
        let other = f.actor("referent-b");
        assert!(t.app.cca_session(&other, next).await.is_err());
        t.finish().await;
    }
}

#[tokio::test]
async fn notifications_are_emailed_through_the_hosts_sendmail_when_configured() {
    use std::os::unix::fs::PermissionsExt;
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let dir = std::env::temp_dir().join(format!("parcours-mail-{}-{:?}", std::process::id(), t.backend()));
        std::fs::create_dir_all(&dir).unwrap();
        let spool = dir.join("spool.txt");
        // A stand-in MTA: stores each message it is handed, as postfix's queue would.
        let sendmail = dir.join("sendmail");
        std::fs::write(
            &sendmail,
            format!("#!/bin/sh\ncat >> '{}'\necho '--fin--' >> '{}'\n", spool.display(), spool.display()),
        )
        .unwrap();
        std::fs::set_permissions(&sendmail, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut config = t.app.config.clone();
        config.sendmail = Some(sendmail);
        config.base_url = "https://parcours.example.test".into();
        let app = app::App::new(t.app.store.clone(), config, app::Clock::Fixed(TODAY));
        let (referent, manager) = (f.actor("referent-a"), f.actor("cca"));
        let r = app.create_referral(&referent, f.h_a, &content(), None).await.unwrap();
        app.submit_referral(&referent, r).await.unwrap();
        app.check_referral(&manager, r, false, "Joindre le dernier avis d'imposition").await.unwrap();
        let mail = std::fs::read_to_string(&spool).unwrap();
        assert!(mail.contains("To: referent-a@test.parcours.test\r\n"), "{mail}");
        assert!(mail.contains(&format!("https://parcours.example.test/cca/saisines/{r}")));
        assert!(!mail.to_uppercase().contains("AUBERT"), "no name leaves by e-mail");
        // The manager's copy of the submission went out too; nothing is sent twice.
        assert!(mail.contains("To: cca@test.parcours.test\r\n"));
        let count = mail.matches("--fin--").count();
        assert_eq!(app.deliver_emails().await.unwrap(), 0);
        assert_eq!(std::fs::read_to_string(&spool).unwrap().matches("--fin--").count(), count);
        let _ = std::fs::remove_dir_all(dir);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_agenda_keeps_the_order_the_manager_sets() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (referent, manager) = (f.actor("referent-a"), f.actor("cca"));
        let s = t.app.create_session(&manager, TODAY + days(5), "").await.unwrap();
        let mut ids = Vec::new();
        for h in [f.h_a, f.h_ab] {
            let r = t.app.create_referral(&referent, h, &content(), None).await.unwrap();
            t.app.submit_referral(&referent, r).await.unwrap();
            t.app.check_referral(&manager, r, true, "").await.unwrap();
            t.app.add_to_agenda(&manager, s, r).await.unwrap();
            ids.push(r);
        }
        let order = |v: app::cca::SessionView| v.agenda.iter().map(|a| a.item.referral.id).collect::<Vec<_>>();
        assert_eq!(order(t.app.cca_session(&manager, s).await.unwrap()), ids);
        t.app.move_on_agenda(&manager, s, ids[1], true).await.unwrap();
        assert_eq!(order(t.app.cca_session(&manager, s).await.unwrap()), vec![ids[1], ids[0]]);
        assert!(matches!(t.app.move_on_agenda(&manager, s, ids[1], true).await, Err(AppError::Invalid(_))));
        assert!(matches!(t.app.move_on_agenda(&referent, s, ids[0], true).await, Err(AppError::Forbidden)));
        t.finish().await;
    }
}
