//! Rights workflows: access export (with who accessed the file), rectification with history,
//! restriction and objection by the DPO, and the DPO's access-log screens.

use app::AppError;
use testkit::{apps, fixture_password as password, Fixture, TODAY};

#[tokio::test]
async fn the_access_export_is_complete_and_lists_who_accessed() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let a = f.actor("referent-a");
        t.app.open_household(&a, f.h_a).await.unwrap();
        let _ = t.app.open_household(&f.actor("referent-b"), f.h_a).await; // refused, and logged
        t.app.record_notice(&a, f.h_a, TODAY, app::protection::NOTICE_VERSION).await.unwrap();
        t.app
            .set_needs(&a, f.h_a, &domain::sensitive::Needs::new(vec![domain::sensitive::Need::Handicap]))
            .await
            .unwrap();
        let dpo = f.actor("dpo");
        let e = t.app.rights_export(Some(&dpo), f.h_a).await.unwrap();
        assert_eq!(e.membres[0].nom, "Aubert");
        assert!(!e.situations.is_empty() && !e.evenements.is_empty() && !e.suivis.is_empty());
        assert_eq!(e.notices_information.len(), 1);
        assert_eq!(e.choix_de_partage.len(), 1, "the landlord agreement of the fixture");
        assert_eq!(e.besoins.as_deref(), Some(&["Situation de handicap (adaptation nécessaire)".to_owned()][..]));
        let who: Vec<_> =
            e.acces.iter().map(|x| (x.action.as_str(), x.resultat.as_str(), x.utilisateur.as_deref())).collect();
        assert!(who.contains(&("Consultation du dossier", "autorisé", Some("referent-a"))), "{who:?}");
        assert!(who.contains(&("Consultation du dossier", "refusé", Some("referent-b"))), "{who:?}");
        assert!(
            who.contains(&("Export au titre du droit d'accès", "autorisé", Some("dpo"))),
            "the export lists itself"
        );
        assert!(e
            .categories
            .iter()
            .any(|c| c.table == "persons" && c.colonne == "family_name" && c.categorie == "identifiant"));
        let html = web::rights_html(&e).unwrap();
        assert!(html.contains("Aubert") && html.contains("referent-b") && html.contains("Situation de handicap"));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["menage"], f.h_a.0);
        // Only the DPO (or the operator on the command line).
        assert!(matches!(t.app.rights_export(Some(&a), f.h_a).await, Err(AppError::NotFound)));
        assert!(t.app.rights_export(None, f.h_a).await.is_ok());
        t.finish().await;
    }
}

#[tokio::test]
async fn rectification_keeps_history_and_reindexes() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let a = f.actor("referent-a");
        let person = t.app.open_household(&a, f.h_a).await.unwrap().current_members[0].person.id;
        t.app
            .rectify_person(&f.actor("dpo"), f.h_a, person, "family_name", "Aubert-Lemoine", "demande de la personne")
            .await
            .unwrap();
        let bad = t.app.rectify_person(&a, f.h_a, person, "birth_date", "2999-01-01", "erreur").await;
        assert!(matches!(bad, Err(AppError::Invalid(_))), "validated like any input");
        let missing_reason = t.app.rectify_person(&a, f.h_a, person, "given_names", "Camille", "").await;
        assert!(matches!(missing_reason, Err(AppError::Invalid(_))));
        let v = t.app.open_household(&a, f.h_a).await.unwrap();
        assert_eq!(v.current_members[0].person.family_name, "Aubert-Lemoine");
        let e = t.app.rights_export(None, f.h_a).await.unwrap();
        let r = &e.rectifications[0];
        assert_eq!(r.detail.as_deref(), Some("Aubert → Aubert-Lemoine (demande de la personne)"));
        assert_eq!(r.auteur.as_deref(), Some("dpo"));
        // The blind index follows the new name.
        let birth = domain::parse_date("1980-04-02").ok();
        assert_eq!(t.app.exact_search(&a, "Aubert-Lemoine", "Camille", birth).await.unwrap(), vec![f.h_a]);
        assert!(t.app.exact_search(&a, "Aubert", "Camille", birth).await.unwrap().is_empty());
        // The birth identity is rectified the same way, and shows in the export.
        for (field, value) in [("birth_name", "Lemoine"), ("birth_country", "99350"), ("birth_commune", "Oujda")] {
            t.app.rectify_person(&a, f.h_a, person, field, value, "dit par la personne").await.unwrap();
        }
        let bad = t.app.rectify_person(&a, f.h_a, person, "birth_country", "Maroc", "erreur").await;
        assert!(matches!(bad, Err(AppError::Invalid(_))), "a country is one of the list's codes");
        // the birth name is searchable, and stays so when another field is rectified
        assert_eq!(t.app.exact_search(&a, "Lemoine", "Camille", birth).await.unwrap(), vec![f.h_a]);
        let e = t.app.rights_export(None, f.h_a).await.unwrap();
        let m = e.membres.iter().find(|m| m.nom == "Aubert-Lemoine").unwrap();
        let birth = (m.nom_de_naissance.as_deref(), m.pays_de_naissance.as_deref(), m.commune_de_naissance.as_deref());
        assert_eq!(birth, (Some("Lemoine"), Some("Maroc"), Some("Oujda")));
        assert_eq!(e.rectifications[2].detail.as_deref(), Some("— → 99350 (dit par la personne)"));
        let html = web::rights_html(&e).unwrap();
        assert!(html.contains("Oujda, Maroc") && html.contains("Lemoine"));
        // an empty value erases
        t.app.rectify_person(&a, f.h_a, person, "birth_commune", "", "erreur de saisie").await.unwrap();
        let v = t.app.open_household(&a, f.h_a).await.unwrap();
        assert_eq!(v.births[&person].birth_commune, None);
        assert_eq!(v.births[&person].birth_name.as_deref(), Some("Lemoine"));
        let born = domain::parse_date("1980-04-02").ok();
        assert_eq!(t.app.exact_search(&a, "Lemoine", "Camille", born).await.unwrap(), vec![f.h_a]);
        t.app.rectify_person(&a, f.h_a, person, "birth_name", "", "erreur de saisie").await.unwrap();
        assert!(t.app.exact_search(&a, "Lemoine", "Camille", born).await.unwrap().is_empty(), "erased with the name");
        assert_eq!(t.app.exact_search(&a, "Aubert-Lemoine", "Camille", born).await.unwrap(), vec![f.h_a]);
        // B cannot rectify a household it does not follow.
        let r = t.app.rectify_person(&f.actor("referent-b"), f.h_a, person, "given_names", "X", "y").await;
        assert!(matches!(r, Err(AppError::NotFound)));
        t.finish().await;
    }
}

#[tokio::test]
async fn dpo_screens_restrict_object_and_search_the_log() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut dpo = t.client();
        dpo.login("dpo@test.parcours.test", password()).await;
        let page = dpo.get(&format!("/dpo/menages/{}", f.h_a)).await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("AUBERT Camille") && !page.body.contains("Rue"),
            "names for rectification, no social file"
        );
        let csrf = page.csrf().unwrap();
        let r = dpo.post(&format!("/dpo/menages/{}/limitation", f.h_a), &[("csrf", &csrf), ("reason", "")]).await;
        assert_eq!(r.status, 422, "a reason is required");
        let r = dpo
            .post(&format!("/dpo/menages/{}/limitation", f.h_ab), &[("csrf", &csrf), ("reason", "contestation")])
            .await;
        assert_eq!(r.status, 303);
        // h_ab is followed by A (referent) and B: B loses it, A keeps it.
        let ids = |p: app::households::ListPage| p.rows.iter().map(|r| r.id).collect::<Vec<_>>();
        let b = t.app.list_households(&f.actor("referent-b"), &Default::default()).await.unwrap();
        assert!(!ids(b).contains(&f.h_ab));
        let a = t.app.list_households(&f.actor("referent-a"), &Default::default()).await.unwrap();
        assert!(ids(a).contains(&f.h_ab));
        // Objection to territory-wide sharing: the SIAO loses h_a.
        let r = dpo
            .post(
                &format!("/dpo/menages/{}/partage", f.h_a),
                &[("csrf", &csrf), ("scope", "partenaires"), ("choice", "opposition"), ("date", "2026-06-15")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(matches!(t.app.open_household(&f.actor("siao"), f.h_a).await, Err(AppError::NotFound)));
        // The export, printable and JSON.
        let html = dpo.get(&format!("/dpo/menages/{}/export", f.h_a)).await;
        assert!(html.status == 200 && html.body.contains("Qui a consulté"));
        let json = dpo.get(&format!("/dpo/menages/{}/export.json", f.h_a)).await;
        assert_eq!(json.headers.get("content-type").unwrap(), "application/json; charset=utf-8");
        // The log search, by household and by account; the search itself is logged.
        let log = dpo.get(&format!("/dpo?menage={}", f.h_a)).await;
        assert!(
            log.body.contains("Export au titre du droit d") && log.body.contains("Opposition")
                || log.body.contains("Choix de partage")
        );
        // instants on the territory's clock, not in UTC
        let at = {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            let events = store::audit::recent(&mut conn, 50).await.unwrap();
            let e = events
                .into_iter()
                .find(|e| e.event.target_kind.as_deref() == Some("household") && e.event.target_id == Some(f.h_a.0))
                .unwrap()
                .event;
            time::OffsetDateTime::parse(&e.at, &time::format_description::well_known::Rfc3339).unwrap()
        };
        let paris = at.to_offset(time::UtcOffset::from_hms(paris_offset_hours(at), 0, 0).unwrap());
        let shown = format!(
            "{:02}/{:02}/{} {:02}:{:02}:{:02}",
            paris.day(),
            u8::from(paris.month()),
            paris.year(),
            paris.hour(),
            paris.minute(),
            paris.second()
        );
        assert!(log.body.contains(&shown) && !log.body.contains("(UTC)"), "{shown} not in the log");
        let by_user = dpo.get("/dpo?compte=referent-b%40test.parcours.test").await;
        assert!(by_user.status == 200 && by_user.body.contains("referent-b"));
        let unknown = dpo.get("/dpo?compte=personne%40test.parcours.test").await;
        assert_eq!(unknown.status, 422);
        // Nobody else reaches these screens; the referent's attempt is logged as refused.
        let mut a = t.client();
        a.login("referent-a@test.parcours.test", password()).await;
        assert_eq!(a.get("/dpo").await.status, 403);
        assert_eq!(a.get(&format!("/dpo/menages/{}", f.h_a)).await.status, 404);
        assert_eq!(a.get(&format!("/dpo/menages/{}/export.json", f.h_a)).await.status, 404);
        t.finish().await;
    }
}

/// Europe/Paris's offset at `at`, by the EU rule (summer time from the last Sunday of March to
/// the last Sunday of October, both at 01:00 UTC): an oracle independent of the app's time-zone
/// data.
fn paris_offset_hours(at: time::OffsetDateTime) -> i8 {
    let last_sunday = |month: time::Month| {
        let mut d = time::Date::from_calendar_date(at.year(), month, 31).unwrap();
        while d.weekday() != time::Weekday::Sunday {
            d = d.previous_day().unwrap();
        }
        d.with_hms(1, 0, 0).unwrap().assume_utc()
    };
    if at >= last_sunday(time::Month::March) && at < last_sunday(time::Month::October) {
        2
    } else {
        1
    }
}

#[tokio::test]
async fn unusual_activity_raises_an_alert() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let config = app::Config { alert_files_per_day: 2, ..app::Config::default() };
        let app = app::App::new(t.app.store.clone(), config, app::Clock::Fixed(TODAY));
        let siao = f.actor("siao");
        for h in [f.h_a, f.h_b, f.h_ab, f.h_far] {
            app.open_household(&siao, h).await.unwrap();
        }
        app.open_household(&f.actor("referent-a"), f.h_a).await.unwrap();
        let alerts = app.unusual_activity(&f.actor("dpo")).await.unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!((alerts[0].user.as_str(), alerts[0].files), ("siao", 4));
        assert!(matches!(app.unusual_activity(&siao).await, Err(AppError::Forbidden)));
        t.finish().await;
    }
}

#[tokio::test]
async fn cli_rights_export_writes_json_and_html() {
    let dir = std::env::temp_dir().join(format!("parcours-rights-{}", std::process::id()));
    let url = format!("sqlite://{}/demo.db", dir.display());
    let bin = env!("CARGO_BIN_EXE_parcours");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).env_remove("DATABASE_URL").output().unwrap();
    assert!(run(&["demo", "--no-serve", "--households", "30", "--db", &url]).status.success());
    let out = run(&["rights", "export", "--household", "3", "--out", dir.to_str().unwrap(), "--db", &url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("menage-3.json")).unwrap()).unwrap();
    assert_eq!(json["menage"], 3);
    assert!(json["acces"].as_array().unwrap().iter().any(|a| a["action"] == "Export au titre du droit d'accès"));
    assert!(std::fs::read_to_string(dir.join("menage-3.html")).unwrap().contains("Les données vous concernant"));
    let missing = run(&["rights", "export", "--household", "999", "--out", dir.to_str().unwrap(), "--db", &url]);
    assert!(!missing.status.success() && String::from_utf8_lossy(&missing.stderr).contains("aucun ménage n° 999"));
    let report = run(&["retention", "run", "--dry-run", "--report-dir", dir.to_str().unwrap(), "--db", &url]);
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    assert!(String::from_utf8_lossy(&report.stdout).contains("(simulation)"));
    let _ = std::fs::remove_dir_all(dir);
}
