//! The sensitive compartment: encrypted at rest (no plaintext in the SQLite files or in a
//! PostgreSQL dump), bound to its row, readable only as the policy allows, and re-encrypted by
//! key rotation. Plus the keyed blind index for exact search.

use app::AppError;
use domain::sensitive::{Need, Needs};
use store::crypto::Keyring;
use testkit::{apps, Fixture, TestApp, TODAY};

const NOTE: &str = "Suivi CMP-Zéphyrine-4417 : rendez-vous psychiatre mardi";

async fn fill(t: &TestApp, f: &Fixture) {
    let a = f.actor("referent-a");
    t.app.set_needs(&a, f.h_a, &Needs::new(vec![Need::SanteMentale, Need::ViolencesConjugales])).await.unwrap();
    t.app.add_sensitive_note(&a, f.h_a, TODAY, NOTE).await.unwrap();
}

/// Every byte the database holds for this test: the SQLite files, or a pg_dump of the database.
fn raw_bytes(t: &TestApp) -> Vec<u8> {
    match t.backend() {
        store::Backend::Sqlite => {
            let path = t.url.strip_prefix("sqlite://").unwrap();
            let mut bytes = std::fs::read(path).unwrap();
            bytes.extend(std::fs::read(store::audit_path(path)).unwrap());
            bytes
        }
        store::Backend::Postgres => {
            let pg_dump = which_pg_dump();
            let out = std::process::Command::new(&pg_dump).arg("--dbname").arg(&t.url).output().unwrap();
            assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
            out.stdout
        }
    }
}

fn which_pg_dump() -> std::path::PathBuf {
    let candidates = std::env::var("PATH").unwrap_or_default();
    let mut found: Vec<std::path::PathBuf> =
        candidates.split(':').map(|d| std::path::Path::new(d).join("pg_dump")).filter(|p| p.exists()).collect();
    if let Ok(dirs) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<_> =
            dirs.flatten().map(|d| d.path().join("bin/pg_dump")).filter(|p| p.exists()).collect();
        versions.sort();
        found.extend(versions.into_iter().rev());
    }
    found.into_iter().next().expect("pg_dump is needed to scan a PostgreSQL dump (package postgresql-client)")
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn no_plaintext_at_rest() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        fill(&t, &f).await;
        // the reader gets the plaintext back…
        let v = t.app.read_sensitive(&f.actor("referent-a"), f.h_a).await.unwrap();
        assert!(v.needs.has(Need::SanteMentale) && v.needs.has(Need::ViolencesConjugales));
        assert_eq!(v.notes[0].text, NOTE);
        // …but the database holds none of it.
        let bytes = raw_bytes(&t);
        assert!(contains(&bytes, "AUBERT") || contains(&bytes, "Aubert"), "the scan sees ordinary data");
        for secret in ["CMP-Zéphyrine-4417", "psychiatre", "sante-mentale", "violences-conjugales"] {
            assert!(!contains(&bytes, secret), "{secret:?} found in clear on {:?}", t.backend());
        }
        t.finish().await;
    }
}

#[tokio::test]
async fn a_ciphertext_copied_to_another_row_does_not_decrypt() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        fill(&t, &f).await;
        let a = f.actor("referent-a");
        // Copy h_a's encrypted needs onto h_ab, which A also follows.
        sqlx::query(
            "INSERT INTO household_needs (household_id, payload, updated_at) SELECT $1, payload, updated_at FROM household_needs WHERE household_id = $2",
        )
        .bind(f.h_ab.0)
        .bind(f.h_a.0)
        .execute(t.app.store.pool())
        .await
        .unwrap();
        assert!(matches!(t.app.read_sensitive(&a, f.h_ab).await, Err(AppError::Undecryptable)));
        assert!(t.app.read_sensitive(&a, f.h_a).await.is_ok(), "the original row still reads");
        t.finish().await;
    }
}

#[tokio::test]
async fn only_the_roles_that_need_it_read_the_compartment() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        fill(&t, &f).await;
        // SIAO holds a territorial grant at the sensitive tier; B follows h_ab but not h_a.
        assert!(t.app.read_sensitive(&f.actor("siao"), f.h_a).await.is_ok());
        for who in ["referent-b", "cca", "commission", "ccapex", "observatoire", "bailleur", "dpo", "admin"] {
            let r = t.app.read_sensitive(&f.actor(who), f.h_a).await;
            assert!(matches!(r, Err(AppError::NotFound)), "{who}");
        }
        // Writing is for the referent organisation's social workers only.
        let r = t.app.add_sensitive_note(&f.actor("siao"), f.h_a, TODAY, "x").await;
        assert!(matches!(r, Err(AppError::NotFound)));
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let last = &store::audit::recent(&mut conn, 1).await.unwrap()[0].event;
        assert_eq!((last.action.as_str(), last.outcome.as_str()), ("household.sensitive.write", "denied"));
        drop(conn);
        t.finish().await;
    }
}

#[tokio::test]
async fn key_rotation_re_encrypts_everything() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        fill(&t, &f).await;
        let old = t.app.keyring.clone().unwrap();
        let (new, _text) = old.with_new_active_key("test2").unwrap();
        let mut reports = Vec::new();
        let changed = t.app.rotate_keys(&new, |done, total| reports.push((done, total))).await.unwrap();
        assert_eq!(changed, 2, "one needs row, one note");
        assert_eq!(reports.last(), Some(&(2, 2)));
        let payloads: Vec<(String,)> =
            sqlx::query_as("SELECT payload FROM household_needs UNION ALL SELECT payload FROM sensitive_notes")
                .fetch_all(t.app.store.pool())
                .await
                .unwrap();
        assert!(payloads.iter().all(|p| Keyring::key_id_of(&p.0) == Some("test2")));
        // Readable with the new keyring; a second rotation has nothing left to do.
        let rotated = app::App::new(t.app.store.clone(), app::Config::default(), app::Clock::Fixed(TODAY))
            .with_keyring(Keyring::parse(&new.to_text()).unwrap());
        let v = rotated.read_sensitive(&f.actor("referent-a"), f.h_a).await.unwrap();
        assert_eq!(v.notes[0].text, NOTE);
        assert_eq!(rotated.rotate_keys(&new, |_, _| {}).await.unwrap(), 0);
        assert!(matches!(t.app.verify_audit().await.unwrap(), app::audit::Verification::Intact { .. }));
        t.finish().await;
    }
}

#[tokio::test]
async fn exact_search_uses_the_blind_index_within_scope() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let birth = domain::parse_date("1980-04-02").ok();
        let a = f.actor("referent-a");
        // Case, accents and punctuation do not matter; the birth date does.
        assert_eq!(t.app.exact_search(&a, "AUBERT", "camille", birth).await.unwrap(), vec![f.h_a]);
        assert_eq!(t.app.exact_search(&a, "Aubért", "Camille", birth).await.unwrap(), vec![f.h_a]);
        assert!(t.app.exact_search(&a, "Aubert", "Camille", None).await.unwrap().is_empty());
        // B does not follow h_a: the search does not reveal it.
        assert!(t.app.exact_search(&f.actor("referent-b"), "Aubert", "Camille", birth).await.unwrap().is_empty());
        // The index holds no name in clear.
        let (index,): (String,) = sqlx::query_as("SELECT name_index FROM persons WHERE family_name = 'Aubert'")
            .fetch_one(t.app.store.pool())
            .await
            .unwrap();
        assert_eq!(index.len(), 64);
        assert!(!index.to_lowercase().contains("aubert"));
        t.finish().await;
    }
}

fn married_woman() -> app::households::NewHousehold {
    let reference = domain::household::NewPerson::parse("Martin", "Élodie", "1975-09-14", "F", TODAY)
        .unwrap()
        .with_birth(domain::identity::BirthIdentity::parse("Le Floch", "", "").unwrap());
    app::households::NewHousehold {
        reference,
        commune: None,
        situation: domain::situation::Situation::Rue,
        situation_since: TODAY - time::Duration::days(20),
        identified_on: TODAY - time::Duration::days(10),
        siao_number: None,
        housing_demand_number: None,
    }
}

#[tokio::test]
async fn reindexing_gives_persons_entered_without_a_keyring_their_indexes() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let a = f.actor("referent-a");
        let birth = domain::parse_date("1975-09-14").ok();
        // entered while no keyring was configured: no index, not searchable
        let bare = app::App::new(t.app.store.clone(), app::Config::default(), app::Clock::Fixed(TODAY));
        assert!(matches!(bare.reindex_names(|_, _| {}).await, Err(AppError::NoKeyring)));
        let h = bare.create_household(&a, married_woman()).await.unwrap();
        assert!(t.app.exact_search(&a, "Le Floch", "Elodie", birth).await.unwrap().is_empty());
        let mut reports = Vec::new();
        let changed = t.app.reindex_names(|done, total| reports.push((done, total))).await.unwrap();
        assert_eq!(changed, 1, "only the person without indexes");
        let persons = reports.last().unwrap().1;
        assert_eq!(reports.last(), Some(&(persons, persons)));
        assert_eq!(t.app.exact_search(&a, "Martin", "Elodie", birth).await.unwrap(), vec![h]);
        assert_eq!(t.app.exact_search(&a, "Le Floch", "Elodie", birth).await.unwrap(), vec![h]);
        assert_eq!(t.app.reindex_names(|_, _| {}).await.unwrap(), 0, "nothing left to do");
        assert!(matches!(t.app.verify_audit().await.unwrap(), app::audit::Verification::Intact { .. }));
        t.finish().await;
    }
}

#[tokio::test]
async fn exact_search_finds_a_person_by_her_birth_name_too() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let a = f.actor("referent-a");
        let birth = domain::parse_date("1975-09-14").ok();
        let h = t.app.create_household(&a, married_woman()).await.unwrap();
        assert_eq!(t.app.exact_search(&a, "Martin", "Elodie", birth).await.unwrap(), vec![h], "used name");
        assert_eq!(t.app.exact_search(&a, "LE FLOCH", "élodie", birth).await.unwrap(), vec![h], "birth name");
        assert!(t.app.exact_search(&a, "Le Floch", "Elodie", None).await.unwrap().is_empty(), "date needed");
        assert!(
            t.app.exact_search(&f.actor("referent-b"), "Le Floch", "Elodie", birth).await.unwrap().is_empty(),
            "out of scope under either name"
        );
        let (index,): (String,) = sqlx::query_as("SELECT birth_name_index FROM persons WHERE family_name = 'Martin'")
            .fetch_one(t.app.store.pool())
            .await
            .unwrap();
        assert_eq!(index.len(), 64);
        assert!(!index.to_lowercase().contains("floch"));
        t.finish().await;
    }
}
