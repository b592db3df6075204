//! The CCAPEX interface: eviction procedures with their stages, computed deadlines and alerts,
//! one-click referral to the CCA, CSV export of the cases and import of the CCAPEX's opinions
//! (format: `docs/formats/ccapex.md`).

use domain::audit::{AuditAction, Outcome as AuditOutcome};
use domain::cca::referral::ReferralContent;
use domain::cca::{MeasureState, Need, ReferralState};
use domain::eviction::{self, Closure, Deadlines, Stage};
use domain::policy::{self, Action};
use domain::user::Actor;
use domain::{format_date, parse_date, Date, HouseholdId, InvalidInput};
pub use store::evictions::{EvictionRecord, Opinion, Terms};
use store::Tx;

use crate::audit::record;
use crate::households::display_name;
use crate::{App, AppError, Result};

/// A procedure with what is computed from it.
#[derive(Debug, Clone)]
pub struct EvictionView {
    pub record: EvictionRecord,
    pub household_name: String,
    pub commune: Option<String>,
    pub current: Option<Stage>,
    pub deadlines: Deadlines,
    /// Summons or later, open, with no CCA referral and no support measure.
    pub alert: bool,
    /// A social landlord did not refer to the CCAPEX 2 months before the summons.
    pub ccapex_late: bool,
    pub has_referral: bool,
    pub has_measure: bool,
    pub opinions: Vec<Opinion>,
    pub may_refer: bool,
}

/// One line of `import_opinions`' report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    pub imported: usize,
    /// Already recorded (same procedure, date and opinion): re-importing a file is harmless.
    pub duplicates: usize,
}

/// The export's header; the import reads `dossier`, `date_avis`, `avis`, `recommandation`,
/// `destinataire` (documented in `docs/formats/ccapex.md`).
pub const EXPORT_HEADER: [&str; 20] = [
    "dossier",
    "menage",
    "nom",
    "prenoms",
    "commune",
    "type_bailleur",
    "loyer_eur",
    "charges_eur",
    "dette_eur",
    "aide_logement",
    "diagnostic_le",
    "etape",
    "etape_le",
    "fin_delai_quitter",
    "expulsion_possible_le",
    "decision_prefet_attendue_le",
    "saisine_ccapex_tardive",
    "alerte_prevention",
    "saisine_cca",
    "cloture",
];
pub const IMPORT_HEADER: [&str; 5] = ["dossier", "date_avis", "avis", "recommandation", "destinataire"];

impl App {
    async fn eviction_for(&self, actor: &Actor, id: i64, audit: AuditAction) -> Result<(Tx, EvictionRecord)> {
        let mut tx = self.store.begin_audited().await?;
        let found = store::evictions::get(&mut tx, id).await?;
        let allowed = match &found {
            Some(e) => {
                match store::access::household_facts(&mut tx, e.household, self.today(), &self.now_ts()).await? {
                    Some(f) => policy::decide(actor, Action::ManageEviction, &f, self.today()),
                    None => false,
                }
            }
            None => false,
        };
        match found {
            Some(e) if allowed => Ok((tx, e)),
            _ => {
                record(&mut tx, actor, audit, Some(("eviction", id)), AuditOutcome::Denied).await?;
                tx.commit().await?;
                Err(AppError::NotFound)
            }
        }
    }

    pub async fn create_eviction(&self, actor: &Actor, household: HouseholdId, terms: &Terms) -> Result<i64> {
        check_terms(terms, self.today())?;
        let (mut tx, _) = self.authorise(actor, household, Action::ManageEviction, AuditAction::EvictionWrite).await?;
        let id = store::evictions::insert(&mut tx, household, terms, actor.org).await?;
        record(&mut tx, actor, AuditAction::EvictionWrite, Some(("eviction", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_eviction_terms(&self, actor: &Actor, id: i64, terms: &Terms) -> Result<()> {
        check_terms(terms, self.today())?;
        let (mut tx, _) = self.eviction_for(actor, id, AuditAction::EvictionWrite).await?;
        store::evictions::update_terms(&mut tx, id, terms).await?;
        record(&mut tx, actor, AuditAction::EvictionWrite, Some(("eviction", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn record_eviction_stage(&self, actor: &Actor, id: i64, stage: Stage, on: Date) -> Result<()> {
        if on > self.today() {
            return Err(InvalidInput::new("date", "la date ne peut pas être dans le futur").into());
        }
        let (mut tx, e) = self.eviction_for(actor, id, AuditAction::EvictionWrite).await?;
        eviction::check_stage(&e.stages, e.closed, stage, on)?;
        store::evictions::insert_stage(&mut tx, id, stage, on, (actor.org, Some(actor.user))).await?;
        record(&mut tx, actor, AuditAction::EvictionWrite, Some(("eviction", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn close_eviction(&self, actor: &Actor, id: i64, closure: Closure, on: Date) -> Result<()> {
        if on > self.today() {
            return Err(InvalidInput::new("date", "la date ne peut pas être dans le futur").into());
        }
        let (mut tx, e) = self.eviction_for(actor, id, AuditAction::EvictionWrite).await?;
        eviction::check_close(&e.stages, e.closed, closure, on)?;
        store::evictions::close(&mut tx, id, closure, on).await?;
        record(&mut tx, actor, AuditAction::EvictionWrite, Some(("eviction", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_ccapex_opinion(&self, actor: &Actor, id: i64, opinion: &Opinion) -> Result<()> {
        check_opinion(opinion, self.today())?;
        if !actor.has(domain::user::Role::CorrespondantCcapex) {
            return Err(AppError::Forbidden);
        }
        let (mut tx, _) = self.eviction_for(actor, id, AuditAction::EvictionWrite).await?;
        store::evictions::insert_opinion(&mut tx, id, opinion, Some(actor.user)).await?;
        record(&mut tx, actor, AuditAction::EvictionWrite, Some(("eviction", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn view_of(&self, tx: &mut Tx, actor: &Actor, e: EvictionRecord) -> Result<EvictionView> {
        let today = self.today();
        let h = store::households::get(tx, e.household).await?.ok_or(AppError::NotFound)?;
        let referrals = store::cca::referrals_of_household(tx, e.household).await?;
        let has_referral = referrals.iter().any(|r| r.state != ReferralState::Retiree);
        let measures = store::measures::of_household(tx, e.household).await?;
        let has_measure = measures.iter().any(|m| m.state != MeasureState::Terminee);
        let current = eviction::current_stage(&e.stages);
        let facts = store::access::household_facts(tx, e.household, today, &self.now_ts()).await?;
        let may_refer = facts.is_some_and(|f| policy::may_write_referral(actor, &f, actor.org, today));
        Ok(EvictionView {
            household_name: display_name(&h.members, today),
            commune: h.commune.map(|c| c.1),
            current,
            deadlines: eviction::deadlines(&e.stages, e.terms.landlord),
            alert: eviction::prevention_alert(current, has_referral, has_measure, e.closed.is_some()),
            ccapex_late: eviction::ccapex_referral_late(&e.stages, e.terms.landlord),
            has_referral,
            has_measure,
            opinions: store::evictions::opinions(tx, e.id).await?,
            may_refer,
            record: e,
        })
    }

    pub async fn eviction(&self, actor: &Actor, id: i64) -> Result<EvictionView> {
        let (mut tx, e) = self.eviction_for(actor, id, AuditAction::EvictionRead).await?;
        let view = self.view_of(&mut tx, actor, e).await?;
        record(&mut tx, actor, AuditAction::EvictionRead, Some(("eviction", id)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The procedures the actor may follow (of one household when given). One list read.
    pub async fn evictions(&self, actor: &Actor, household: Option<HouseholdId>) -> Result<Vec<EvictionView>> {
        let today = self.today();
        let mut tx = self.store.begin_audited().await?;
        let now = self.now_ts();
        let mut out = Vec::new();
        for e in store::evictions::list(&mut tx, household).await? {
            let Some(f) = store::access::household_facts(&mut tx, e.household, today, &now).await? else { continue };
            if policy::decide(actor, Action::ManageEviction, &f, today) {
                out.push(self.view_of(&mut tx, actor, e).await?);
            }
        }
        record(&mut tx, actor, AuditAction::EvictionRead, None, AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// "Refer to the CCA" in one click: a draft referral prefilled from the procedure, for the
    /// actor's organisation to complete and submit.
    pub async fn refer_from_eviction(&self, actor: &Actor, id: i64) -> Result<i64> {
        let (mut tx, e) = self.eviction_for(actor, id, AuditAction::ReferralWrite).await?;
        let facts = store::access::household_facts(&mut tx, e.household, self.today(), &self.now_ts())
            .await?
            .ok_or(AppError::NotFound)?;
        if !policy::may_write_referral(actor, &facts, actor.org, self.today()) {
            return Err(AppError::NotFound);
        }
        let stage = eviction::current_stage(&e.stages)
            .map_or_else(|| "procédure ouverte".to_owned(), |s| s.label().to_lowercase());
        let content = ReferralContent {
            needs: vec![Need::Logement, Need::Budget],
            motivation: format!("Prévention de l'expulsion (procédure n° {id}, étape : {stage})."),
            measure_asked: Some("avdl".into()),
            ..ReferralContent::default()
        };
        let rid = store::cca::insert_referral(&mut tx, e.household, actor.org, actor.user, &content, Some(id)).await?;
        record(&mut tx, actor, AuditAction::ReferralWrite, Some(("referral", rid)), AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(rid)
    }

    /// The cases for the CCAPEX, as CSV (UTF-8, comma, header line).
    pub async fn export_evictions_csv(&self, actor: &Actor) -> Result<String> {
        let views = self.evictions(actor, None).await?;
        let mut tx = self.store.begin_audited().await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| AppError::Invalid(InvalidInput::new("export", e.to_string()));
        w.write_record(EXPORT_HEADER).map_err(io)?;
        let today = self.today();
        for v in &views {
            let h = store::households::get(&mut tx, v.record.household).await?.ok_or(AppError::NotFound)?;
            let reference = h
                .members
                .iter()
                .filter(|m| m.present_on(today))
                .find(|m| m.role == domain::household::MemberRole::Reference)
                .or(h.members.first());
            let euros = |c: Option<i64>| c.map(|c| format!("{}.{:02}", c / 100, c % 100)).unwrap_or_default();
            let date = |d: Option<Date>| d.map(format_date).unwrap_or_default();
            let last = v.record.stages.iter().max_by_key(|s| (s.0.rank(), s.1));
            let row = [
                v.record.id.to_string(),
                v.record.household.0.to_string(),
                reference.map(|m| m.person.family_name.clone()).unwrap_or_default(),
                reference.map(|m| m.person.given_names.clone()).unwrap_or_default(),
                v.commune.clone().unwrap_or_default(),
                v.record.terms.landlord.code().to_owned(),
                euros(v.record.terms.rent_cents),
                euros(v.record.terms.charges_cents),
                euros(v.record.terms.debt_cents),
                v.record.terms.housing_benefit.code().to_owned(),
                date(v.record.terms.diagnosis_on),
                last.map(|s| s.0.code().to_owned()).unwrap_or_default(),
                date(last.map(|s| s.1)),
                date(v.deadlines.leave_delay_ends),
                date(v.deadlines.earliest_eviction),
                date(v.deadlines.prefect_decision_due),
                if v.ccapex_late { "oui" } else { "non" }.to_owned(),
                if v.alert { "oui" } else { "non" }.to_owned(),
                if v.has_referral { "oui" } else { "non" }.to_owned(),
                v.record.closed.map(|c| c.0.code().to_owned()).unwrap_or_default(),
            ];
            w.write_record(&row).map_err(io)?;
        }
        record(&mut tx, actor, AuditAction::CcapexExport, None, AuditOutcome::Allowed).await?;
        tx.commit().await?;
        let bytes = w.into_inner().map_err(|e| AppError::Invalid(InvalidInput::new("export", e.to_string())))?;
        Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8"))
    }

    /// Imports the CCAPEX's opinions. Every line is checked first; with any error nothing is
    /// imported and every faulty line is reported with its number and reason.
    pub async fn import_opinions_csv(
        &self,
        actor: &Actor,
        data: &[u8],
    ) -> Result<std::result::Result<ImportReport, Vec<LineError>>> {
        if !actor.has(domain::user::Role::CorrespondantCcapex) {
            return Err(AppError::Forbidden);
        }
        let today = self.today();
        let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(data);
        let header =
            rd.headers().map_err(|_| InvalidInput::new("fichier", "en-tête illisible (CSV UTF-8 attendu)"))?.clone();
        let col = |name: &str| header.iter().position(|h| h.trim() == name);
        let cols: Vec<Option<usize>> = IMPORT_HEADER.iter().map(|h| col(h)).collect();
        if let Some(missing) = IMPORT_HEADER.iter().zip(&cols).find(|(_, c)| c.is_none()) {
            return Ok(Err(vec![LineError { line: 1, reason: format!("colonne « {} » absente", missing.0) }]));
        }
        let cols: Vec<usize> = cols.into_iter().flatten().collect();

        let mut tx = self.store.begin_audited().await?;
        let now = self.now_ts();
        let mut errors = Vec::new();
        let mut rows: Vec<(i64, Opinion)> = Vec::new();
        for (i, rec) in rd.records().enumerate() {
            // The line in the file where the record starts (blank lines and quoted line breaks
            // included), as a spreadsheet or an editor shows it.
            let fallback = i as u64 + 2;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(fallback, |p| p.line());
                    errors.push(LineError { line, reason: "ligne illisible (guillemets, encodage)".into() });
                    continue;
                }
            };
            let line = rec.position().map_or(fallback, |p| p.line());
            let field = |k: usize| rec.get(cols[k]).unwrap_or("").trim().to_owned();
            let parsed = (|| -> std::result::Result<(i64, Opinion), String> {
                let id: i64 = field(0).parse().map_err(|_| "dossier : numéro attendu".to_owned())?;
                let given_on = parse_date(&field(1)).map_err(|_| "date_avis : AAAA-MM-JJ attendu".to_owned())?;
                let o = Opinion {
                    given_on,
                    opinion: field(2),
                    recommendation: field(3),
                    addressee: field(4),
                    source: "import".into(),
                };
                check_opinion(&o, today).map_err(|e| e.to_string())?;
                Ok((id, o))
            })();
            match parsed {
                Ok((id, o)) => {
                    // Unknown and out-of-scope procedures look alike.
                    let ok = match store::evictions::get(&mut tx, id).await? {
                        Some(e) => store::access::household_facts(&mut tx, e.household, today, &now)
                            .await?
                            .is_some_and(|f| policy::decide(actor, Action::ManageEviction, &f, today)),
                        None => false,
                    };
                    if ok {
                        rows.push((id, o));
                    } else {
                        errors
                            .push(LineError { line, reason: "dossier : inconnu ou hors de votre périmètre".into() });
                    }
                }
                Err(reason) => errors.push(LineError { line, reason }),
            }
        }
        if !errors.is_empty() {
            record(&mut tx, actor, AuditAction::CcapexImport, None, AuditOutcome::Denied).await?;
            tx.commit().await?;
            return Ok(Err(errors));
        }
        let mut report = ImportReport::default();
        for (id, o) in rows {
            if store::evictions::has_opinion(&mut tx, id, o.given_on, &o.opinion).await? {
                report.duplicates += 1;
            } else {
                store::evictions::insert_opinion(&mut tx, id, &o, Some(actor.user)).await?;
                report.imported += 1;
            }
        }
        record(&mut tx, actor, AuditAction::CcapexImport, None, AuditOutcome::Allowed).await?;
        tx.commit().await?;
        Ok(Ok(report))
    }
}

fn check_terms(t: &Terms, today: Date) -> Result<()> {
    for (field, v) in [("loyer", t.rent_cents), ("charges", t.charges_cents), ("dette", t.debt_cents)] {
        if v.is_some_and(|v| !(0..=100_000_000).contains(&v)) {
            return Err(InvalidInput::new(field, "montant entre 0 et 1 000 000 €").into());
        }
    }
    if t.diagnosis_on.is_some_and(|d| d > today) {
        return Err(InvalidInput::new("diagnostic", "la date ne peut pas être dans le futur").into());
    }
    Ok(())
}

fn check_opinion(o: &Opinion, today: Date) -> Result<()> {
    if o.opinion.trim().is_empty() {
        return Err(InvalidInput::new("avis", "obligatoire").into());
    }
    if o.given_on > today {
        return Err(InvalidInput::new("date_avis", "la date ne peut pas être dans le futur").into());
    }
    for (field, v) in [("avis", &o.opinion), ("recommandation", &o.recommendation), ("destinataire", &o.addressee)] {
        if v.chars().count() > 2000 {
            return Err(InvalidInput::new(field, "2 000 caractères au plus").into());
        }
    }
    Ok(())
}

/// Parses an amount in euros ("1234", "1 234,50", "1234.5") into cents.
pub fn parse_euros(s: &str) -> std::result::Result<Option<i64>, InvalidInput> {
    let s: String = s.chars().filter(|c| !c.is_whitespace() && *c != '€' && *c != '\u{a0}').collect();
    if s.is_empty() {
        return Ok(None);
    }
    let s = s.replace(',', ".");
    let bad = || InvalidInput::new("montant", "nombre en euros attendu (ex. 450 ou 450,50)");
    let (units, cents) = match s.split_once('.') {
        Some((u, c)) if !c.is_empty() && c.len() <= 2 && c.chars().all(|x| x.is_ascii_digit()) => {
            (u, if c.len() == 1 { format!("{c}0") } else { c.to_owned() })
        }
        Some(_) => return Err(bad()),
        None => (s.as_str(), "00".to_owned()),
    };
    if units.is_empty() || !units.chars().all(|x| x.is_ascii_digit()) || units.len() > 9 {
        return Err(bad());
    }
    Ok(Some(units.parse::<i64>().map_err(|_| bad())? * 100 + cents.parse::<i64>().map_err(|_| bad())?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn euros() {
        use super::parse_euros;
        assert_eq!(parse_euros("450").unwrap(), Some(45_000));
        assert_eq!(parse_euros("1 234,5").unwrap(), Some(123_450));
        assert_eq!(parse_euros("12.05 €").unwrap(), Some(1_205));
        assert_eq!(parse_euros("").unwrap(), None);
        assert!(parse_euros("-3").is_err());
        assert!(parse_euros("3,456").is_err());
        assert!(parse_euros("abc").is_err());
    }
}
