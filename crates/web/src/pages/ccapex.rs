//! The CCAPEX interface: eviction procedures, deadlines, opinions, CSV export and import.
//!
//! Every page calls one `app::evictions` use case; who may see what is the policy's business
//! (`Action::ManageEviction`). Formats of the CSV files: `docs/formats/ccapex.md`.

use app::evictions::{parse_euros, EvictionView, LineError, Opinion, Terms};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::eviction::{self, Closure, HousingBenefit, LandlordKind, Stage};
use domain::user::Role;
use domain::{format_date, parse_date, Date, HouseholdId, InvalidInput};
use serde::Deserialize;

use crate::session::LoggedIn;
use crate::views::{choices, fr_date, Choice, Layout};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ccapex", get(list))
        .route("/ccapex/export.csv", get(export_csv))
        // An opinions file of a whole year stays far below 20 MB; axum's default limit is 2 MB.
        .route(
            "/ccapex/avis/import",
            post(import_opinions).layer(axum::extract::DefaultBodyLimit::max(20 * 1024 * 1024)),
        )
        .route("/ccapex/procedures", post(create))
        .route("/ccapex/procedures/nouvelle", get(new_form))
        .route("/ccapex/procedures/{id}", get(show))
        .route("/ccapex/procedures/{id}/etapes", post(record_stage))
        .route("/ccapex/procedures/{id}/cloture", post(close))
        .route("/ccapex/procedures/{id}/conditions", post(update_terms))
        .route("/ccapex/procedures/{id}/avis", post(add_opinion))
        .route("/ccapex/procedures/{id}/saisine", post(refer))
}

fn id_of(s: &str) -> Result<i64, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// An amount the French way: "1 234,50 €" (no-break spaces), or "Non renseigné".
fn euros(cents: Option<i64>) -> String {
    let Some(c) = cents else { return "Non renseigné".into() };
    let units = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    format!("{grouped},{:02}\u{a0}€", c % 100)
}

/// An amount as typed back into a form: "1234,50".
fn euros_input(cents: Option<i64>) -> String {
    cents.map(|c| format!("{},{:02}", c / 100, c % 100)).unwrap_or_default()
}

/// Only a référent reads the social file; the CCAPEX never does, so no link for it.
fn file_href(user: &LoggedIn, household: HouseholdId) -> Option<String> {
    user.session.actor.has(Role::Referent).then(|| format!("/menages/{household}"))
}

fn stage_label(v: &EvictionView) -> String {
    v.current.map_or_else(|| "Aucune étape enregistrée".into(), |s| s.label().to_owned())
}

/// The winter truce concerns a procedure while it is open and the order to leave has been served
/// (before that, no eviction can be scheduled anyway).
fn truce_applies(v: &EvictionView, today: Date) -> bool {
    v.record.closed.is_none()
        && eviction::in_winter_truce(today)
        && v.current.is_some_and(|s| s.rank() >= Stage::CommandementQuitter.rank())
}

fn date_of(v: &EvictionView, stage: Stage) -> Option<Date> {
    v.record.stages.iter().filter(|s| s.0 == stage).map(|s| s.1).max()
}

/// The prefect's answer is awaited: a request, and no decision yet.
fn awaiting_prefect(v: &EvictionView) -> bool {
    v.deadlines.prefect_decision_due.is_some()
        && date_of(v, Stage::ConcoursAccorde).is_none()
        && date_of(v, Stage::ConcoursRefuse).is_none()
}

// ---- the terms form (creation, update) ------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct TermsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    menage: String,
    #[serde(default)]
    landlord: String,
    #[serde(default)]
    rent: String,
    #[serde(default)]
    charges: String,
    #[serde(default)]
    debt: String,
    #[serde(default)]
    benefit: String,
    #[serde(default)]
    diagnosis: String,
}

impl TermsForm {
    fn of(t: &Terms) -> Self {
        Self {
            landlord: t.landlord.code().into(),
            rent: euros_input(t.rent_cents),
            charges: euros_input(t.charges_cents),
            debt: euros_input(t.debt_cents),
            benefit: t.housing_benefit.code().into(),
            diagnosis: t.diagnosis_on.map(format_date).unwrap_or_default(),
            ..Self::default()
        }
    }

    fn terms(&self) -> Result<Terms, InvalidInput> {
        let amount = |field: &'static str, s: &str| parse_euros(s).map_err(|e| InvalidInput::new(field, e.reason));
        Ok(Terms {
            landlord: LandlordKind::parse(&self.landlord)?,
            rent_cents: amount("loyer", &self.rent)?,
            charges_cents: amount("charges", &self.charges)?,
            debt_cents: amount("dette", &self.debt)?,
            housing_benefit: HousingBenefit::parse(&self.benefit)?,
            diagnosis_on: match self.diagnosis.trim() {
                "" => None,
                d => Some(parse_date(d).map_err(|e| InvalidInput::new("diagnostic", e.reason))?),
            },
        })
    }

    fn household(&self) -> Result<HouseholdId, InvalidInput> {
        self.menage
            .trim()
            .trim_start_matches("n°")
            .trim()
            .parse()
            .map(HouseholdId)
            .map_err(|_| InvalidInput::new("ménage", "numéro de ménage attendu"))
    }
}

/// What `ccapex_terms_fields.html` shows.
struct TermsFields {
    landlords: Vec<Choice>,
    benefits: Vec<Choice>,
    rent: String,
    charges: String,
    debt: String,
    diagnosis: String,
    today: String,
}

impl TermsFields {
    fn new(f: &TermsForm, today: Date) -> Self {
        Self {
            landlords: choices(
                &LandlordKind::ALL,
                LandlordKind::code,
                LandlordKind::label,
                LandlordKind::parse(&f.landlord).ok(),
            ),
            benefits: choices(
                &HousingBenefit::ALL,
                HousingBenefit::code,
                HousingBenefit::label,
                Some(HousingBenefit::parse(&f.benefit).unwrap_or(HousingBenefit::Inconnue)),
            ),
            rent: f.rent.clone(),
            charges: f.charges.clone(),
            debt: f.debt.clone(),
            diagnosis: f.diagnosis.clone(),
            today: format_date(today),
        }
    }
}

// ---- the list -------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    etat: String,
    #[serde(default)]
    alerte: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Which {
    Open,
    Closed,
    All,
}

impl Which {
    fn parse(s: &str) -> Self {
        match s {
            "closes" => Self::Closed,
            "toutes" => Self::All,
            _ => Self::Open,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Open => "ouvertes",
            Self::Closed => "closes",
            Self::All => "toutes",
        }
    }

    fn keeps(self, v: &EvictionView) -> bool {
        match self {
            Self::Open => v.record.closed.is_none(),
            Self::Closed => v.record.closed.is_some(),
            Self::All => true,
        }
    }
}

fn list_href(which: Which, alert: bool) -> String {
    match (which, alert) {
        (Which::Open, false) => "/ccapex".into(),
        (w, false) => format!("/ccapex?etat={}", w.code()),
        (w, true) => format!("/ccapex?etat={}&alerte=1", w.code()),
    }
}

struct Row {
    id: i64,
    household: String,
    household_no: i64,
    file_href: Option<String>,
    commune: String,
    landlord: &'static str,
    stage: String,
    stage_date: String,
    deadlines: Vec<String>,
    truce: bool,
    alert: bool,
    late: bool,
    closure: Option<String>,
    avoided: bool,
}

struct Chip {
    label: &'static str,
    count: usize,
    href: String,
    current: bool,
}

/// The outcome of an import, shown above the list.
struct ImportOutcome {
    ok: bool,
    message: String,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "ccapex_list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    chips: Vec<Chip>,
    alert_chip: Chip,
    caption: String,
    in_truce: bool,
    may_import: bool,
    import: Option<ImportOutcome>,
    terms: TermsFields,
}

fn row(user: &LoggedIn, v: &EvictionView, today: Date) -> (Row, Option<Date>) {
    let open = v.record.closed.is_none();
    let mut deadlines = Vec::new();
    let mut next = None;
    if open {
        if let Some(d) = v.deadlines.earliest_eviction {
            deadlines.push(if d > today {
                format!("Expulsion possible à partir du {}", fr_date(d))
            } else {
                format!("Expulsion possible depuis le {}", fr_date(d))
            });
            next = Some(d);
        }
        if awaiting_prefect(v) {
            let d = v.deadlines.prefect_decision_due.unwrap_or(Date::MAX);
            deadlines.push(if d >= today {
                format!("Décision du préfet au plus tard le {}", fr_date(d))
            } else {
                format!("Décision du préfet : délai échu le {}", fr_date(d))
            });
            next = Some(next.map_or(d, |n: Date| n.min(d)));
        }
    }
    let last = v.record.stages.iter().max_by_key(|s| (s.0.rank(), s.1));
    let r = Row {
        id: v.record.id,
        household: v.household_name.clone(),
        household_no: v.record.household.0,
        file_href: file_href(user, v.record.household),
        commune: v.commune.clone().unwrap_or_else(|| "—".into()),
        landlord: v.record.terms.landlord.label(),
        stage: stage_label(v),
        stage_date: last.map(|s| fr_date(s.1)).unwrap_or_default(),
        deadlines,
        truce: truce_applies(v, today),
        alert: v.alert,
        late: v.ccapex_late,
        closure: v.record.closed.map(|(c, d)| format!("{}, le {}", c.label(), fr_date(d))),
        avoided: v.record.closed.is_some_and(|(c, _)| c.eviction_avoided()),
    };
    (r, next)
}

async fn render_list(
    state: &AppState,
    user: &LoggedIn,
    params: &ListParams,
    import: Option<ImportOutcome>,
) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let today = state.app.today();
    let all = state.app.evictions(actor, None).await?;
    let which = Which::parse(&params.etat);
    let only_alerts = params.alerte == "1";
    let in_truce = eviction::in_winter_truce(today);
    let mut rows: Vec<(Row, Option<Date>)> =
        all.iter().filter(|v| which.keeps(v) && (!only_alerts || v.alert)).map(|v| row(user, v, today)).collect();
    // Alerts first, then the nearest deadline, then the most recent procedure.
    rows.sort_by_key(|(r, next)| (!r.alert, next.is_none(), *next, std::cmp::Reverse(r.id)));
    let count = |w: Which| all.iter().filter(|v| w.keeps(v) && (!only_alerts || v.alert)).count();
    let chips = [Which::Open, Which::Closed, Which::All]
        .into_iter()
        .map(|w| Chip {
            label: match w {
                Which::Open => "En cours",
                Which::Closed => "Closes",
                Which::All => "Toutes",
            },
            count: count(w),
            href: list_href(w, only_alerts),
            current: w == which,
        })
        .collect();
    let alert_chip = Chip {
        label: if only_alerts {
            "Alertes prévention seulement (retirer le filtre)"
        } else {
            "Alertes prévention seulement"
        },
        count: all.iter().filter(|v| which.keeps(v) && v.alert).count(),
        href: list_href(which, !only_alerts),
        current: only_alerts,
    };
    let caption = format!(
        "Procédures {}{} — {} procédure(s){}",
        match which {
            Which::Open => "en cours",
            Which::Closed => "closes",
            Which::All => "en cours et closes",
        },
        if only_alerts { " en alerte prévention" } else { "" },
        rows.len(),
        if which == Which::Closed {
            ", de la plus récente à la plus ancienne"
        } else {
            ", alertes d'abord puis échéance la plus proche"
        }
    );
    let status = match &import {
        Some(i) if !i.ok => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let body = ListPage {
        layout: Layout::new(&user.session, "ccapex"),
        rows: rows.into_iter().map(|(r, _)| r).collect(),
        chips,
        alert_chip,
        caption,
        in_truce,
        may_import: actor.has(Role::CorrespondantCcapex),
        import,
        terms: TermsFields::new(&TermsForm::default(), today),
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(params): Query<ListParams>,
) -> Result<Response, WebError> {
    render_list(&state, &user, &params, None).await
}

pub async fn export_csv(State(state): State<AppState>, user: LoggedIn) -> Result<Response, WebError> {
    let csv = state.app.export_evictions_csv(&user.session.actor).await?;
    let file = format!("ccapex-procedures-{}.csv", format_date(state.app.today()));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        csv,
    )
        .into_response())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n > 1 { many } else { one })
}

/// The import form is multipart: its CSRF field comes first and is checked before the file is
/// read.
pub async fn import_opinions(
    State(state): State<AppState>,
    user: LoggedIn,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let mut csrf_ok = false;
    let mut file: Option<Vec<u8>> = None;
    let mut unreadable = false;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("csrf") => {
                    let v = field.text().await.map_err(|_| WebError::BadCsrf)?;
                    user.check_csrf(&v)?;
                    csrf_ok = true;
                }
                Some("fichier") if csrf_ok => match field.bytes().await {
                    Ok(b) => file = Some(b.to_vec()),
                    Err(_) => unreadable = true,
                },
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                unreadable = true;
                break;
            }
        }
    }
    if !csrf_ok {
        return Err(WebError::BadCsrf);
    }
    let failed = |message: String, lines: Vec<String>| Some(ImportOutcome { ok: false, message, lines });
    let outcome = match file {
        _ if unreadable => {
            failed("Le fichier n'a pas pu être reçu (2 Mo au plus). Aucun avis n'a été importé.".into(), vec![])
        }
        Some(data) if !data.is_empty() => match state.app.import_opinions_csv(&user.session.actor, &data).await {
            Ok(Ok(report)) => Some(ImportOutcome {
                ok: true,
                message: format!(
                    "Import terminé : {}, {}.",
                    plural(report.imported, "avis importé", "avis importés"),
                    plural(report.duplicates, "déjà présent", "déjà présents")
                ),
                lines: vec![],
            }),
            Ok(Err(errors)) => failed(
                format!(
                    "{} : aucun avis n'a été importé. Corrigez le fichier puis importez-le de nouveau.",
                    plural(errors.len(), "ligne en erreur", "lignes en erreur")
                ),
                errors.iter().map(|LineError { line, reason }| format!("Ligne {line} : {reason}")).collect(),
            ),
            Err(app::AppError::Invalid(e)) => failed(format!("{e}. Aucun avis n'a été importé."), vec![]),
            Err(e) => return Err(e.into()),
        },
        _ => failed("Choisissez un fichier CSV. Aucun avis n'a été importé.".into(), vec![]),
    };
    render_list(&state, &user, &ListParams::default(), outcome).await
}

// ---- opening a procedure ----------------------------------------------------------------------------

struct Existing {
    id: i64,
    label: String,
}

#[derive(Template)]
#[template(path = "ccapex_new.html")]
struct NewPage {
    layout: Layout,
    menage: String,
    file_href: Option<String>,
    existing: Vec<Existing>,
    terms: TermsFields,
    error: Option<String>,
}

async fn render_new(
    state: &AppState,
    user: &LoggedIn,
    f: &TermsForm,
    error: Option<(StatusCode, String)>,
) -> Result<Response, WebError> {
    let household = f.household().ok();
    // Only the procedures the actor may follow: nothing is revealed about other households.
    let existing = match household {
        Some(h) => state
            .app
            .evictions(&user.session.actor, Some(h))
            .await?
            .iter()
            .map(|v| Existing {
                id: v.record.id,
                label: match v.record.closed {
                    Some((c, d)) => format!("close le {} ({})", fr_date(d), c.label().to_lowercase()),
                    None => format!("en cours — {}", stage_label(v).to_lowercase()),
                },
            })
            .collect(),
        None => vec![],
    };
    let (status, error) = match error {
        Some((s, e)) => (s, Some(e)),
        None => (StatusCode::OK, None),
    };
    let body = NewPage {
        layout: Layout::new(&user.session, "ccapex"),
        menage: f.menage.clone(),
        file_href: household.and_then(|h| file_href(user, h)),
        existing,
        terms: TermsFields::new(f, state.app.today()),
        error,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

#[derive(Deserialize, Default)]
pub struct NewParams {
    #[serde(default)]
    menage: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(p): Query<NewParams>,
) -> Result<Response, WebError> {
    let menage = p.menage.trim().parse::<i64>().map(|n| n.to_string()).unwrap_or_default();
    render_new(&state, &user, &TermsForm { menage, ..TermsForm::default() }, None).await
}

pub async fn create(
    State(state): State<AppState>,
    user: LoggedIn,
    Form(f): Form<TermsForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let r = async {
        let household = f.household()?;
        let terms = f.terms()?;
        state.app.create_eviction(&user.session.actor, household, &terms).await
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/ccapex/procedures/{id}")).into_response()),
        Err(app::AppError::Invalid(e)) => {
            render_new(&state, &user, &f, Some((StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))).await
        }
        // Unknown and out-of-scope households look alike; the form stays, with the typed values.
        Err(app::AppError::NotFound) => {
            let message = "ménage : introuvable, ou vous ne pouvez pas ouvrir de procédure pour ce ménage".to_owned();
            render_new(&state, &user, &f, Some((StatusCode::NOT_FOUND, message))).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- one procedure ----------------------------------------------------------------------------------

struct StageRow {
    date: String,
    iso: String,
    label: &'static str,
}

struct DeadlineRow {
    label: &'static str,
    date: String,
}

struct OpinionRow {
    date: String,
    opinion: String,
    recommendation: String,
    addressee: String,
    source: String,
}

/// A form's error, shown next to the form it concerns.
struct FormError {
    form: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "ccapex_procedure.html")]
struct ProcedurePage {
    layout: Layout,
    id: i64,
    household: String,
    household_no: i64,
    file_href: Option<String>,
    commune: String,
    opened_by: String,
    landlord: &'static str,
    rent: String,
    charges: String,
    debt: String,
    benefit: &'static str,
    diagnosis: String,
    current: String,
    closed: Option<String>,
    avoided: bool,
    alert: bool,
    late: Option<String>,
    street_risk: bool,
    in_truce: bool,
    stages: Vec<StageRow>,
    deadlines: Vec<DeadlineRow>,
    deadline_notes: Vec<String>,
    opinions: Vec<OpinionRow>,
    next_stages: Vec<Choice>,
    closures: Vec<Choice>,
    terms: TermsFields,
    may_opinion: bool,
    may_refer: bool,
    has_referral: bool,
    has_measure: bool,
    today: String,
    error: Option<FormError>,
}

/// The computed deadlines, and the sentences that explain them (the winter truce above all).
fn deadline_rows(v: &EvictionView, today: Date) -> (Vec<DeadlineRow>, Vec<String>) {
    let d = &v.deadlines;
    let open = v.record.closed.is_none();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    if let Some(due) = d.ccapex_referral_due {
        rows.push(DeadlineRow { label: "Saisine de la CCAPEX par le bailleur, au plus tard", date: fr_date(due) });
    }
    if let Some(ends) = d.leave_delay_ends {
        rows.push(DeadlineRow { label: "Fin du délai de 2 mois (commandement de quitter)", date: fr_date(ends) });
    }
    if let Some(due) = d.prefect_decision_due {
        rows.push(DeadlineRow { label: "Décision du préfet sur le concours, au plus tard", date: fr_date(due) });
        if open && awaiting_prefect(v) {
            notes.push(if due >= today {
                "Le préfet répond dans les deux mois à la demande de concours de la force publique ; \
                 un diagnostic social et financier est recommandé."
                    .into()
            } else {
                "Le délai de réponse du préfet est échu sans décision enregistrée : son silence vaut refus du concours."
                    .into()
            });
        }
    }
    if let (Some(earliest), Some(ends)) = (d.earliest_eviction, d.leave_delay_ends) {
        rows.push(DeadlineRow { label: "Expulsion possible au plus tôt", date: fr_date(earliest) });
        let base = date_of(v, Stage::ConcoursAccorde).map_or(ends, |g| g.max(ends));
        if earliest > base {
            notes.push(format!(
                "Sans la trêve hivernale, l'expulsion aurait été possible le {} ; aucune expulsion n'a lieu \
                 du 1er novembre au 31 mars, la date est donc reportée au {}.",
                fr_date(base),
                fr_date(earliest)
            ));
        }
        if open && eviction::in_winter_truce(today) && earliest <= today {
            notes.push(format!(
                "Trêve hivernale en cours : pas d'expulsion avant le {}.",
                fr_date(eviction::after_truce(today))
            ));
        }
    }
    (rows, notes)
}

async fn render_procedure(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    error: Option<FormError>,
    terms_form: Option<&TermsForm>,
) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let v = state.app.eviction(actor, id).await?;
    let today = state.app.today();
    let t = &v.record.terms;
    let open = v.record.closed.is_none();
    let current_rank = v.current.map_or(0, Stage::rank);
    let mut stages: Vec<(Stage, Date)> = v.record.stages.clone();
    stages.sort_by_key(|s| (s.1, s.0.rank()));
    let (deadlines, deadline_notes) = deadline_rows(&v, today);
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = ProcedurePage {
        layout: Layout::new(&user.session, "ccapex"),
        id,
        household: v.household_name.clone(),
        household_no: v.record.household.0,
        file_href: file_href(user, v.record.household),
        commune: v.commune.clone().unwrap_or_else(|| "—".into()),
        opened_by: v.record.org_name.clone(),
        landlord: t.landlord.label(),
        rent: euros(t.rent_cents),
        charges: euros(t.charges_cents),
        debt: euros(t.debt_cents),
        benefit: t.housing_benefit.label(),
        diagnosis: t.diagnosis_on.map_or_else(|| "Non réalisé".into(), |d| format!("Réalisé le {}", fr_date(d))),
        current: stage_label(&v),
        closed: v.record.closed.map(|(c, d)| format!("{} — le {}", c.label(), fr_date(d))),
        avoided: v.record.closed.is_some_and(|(c, _)| c.eviction_avoided()),
        alert: v.alert,
        late: v.ccapex_late.then(|| v.deadlines.ccapex_referral_due.map(fr_date).unwrap_or_default()),
        street_risk: open && v.current.is_some_and(Stage::street_risk),
        in_truce: truce_applies(&v, today),
        stages: stages
            .iter()
            .map(|(s, d)| StageRow { date: fr_date(*d), iso: format_date(*d), label: s.label() })
            .collect(),
        deadlines,
        deadline_notes,
        opinions: v
            .opinions
            .iter()
            .map(|o: &Opinion| OpinionRow {
                date: fr_date(o.given_on),
                opinion: o.opinion.clone(),
                recommendation: o.recommendation.clone(),
                addressee: o.addressee.clone(),
                source: match o.source.as_str() {
                    "import" => "Import CSV".into(),
                    "saisie" => "Saisie en ligne".into(),
                    other => other.to_owned(),
                },
            })
            .collect(),
        next_stages: Stage::ALL
            .iter()
            .filter(|s| s.rank() > current_rank)
            .map(|s| Choice { value: s.code().into(), label: s.label().into(), selected: false })
            .collect(),
        closures: choices(&Closure::ALL, Closure::code, Closure::label, None),
        terms: TermsFields::new(terms_form.unwrap_or(&TermsForm::of(t)), today),
        may_opinion: actor.has(Role::CorrespondantCcapex),
        may_refer: v.may_refer && !v.has_referral && open,
        has_referral: v.has_referral,
        has_measure: v.has_measure,
        today: format_date(today),
        error,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

pub async fn show(State(state): State<AppState>, user: LoggedIn, Path(id): Path<String>) -> Result<Response, WebError> {
    render_procedure(&state, &user, id_of(&id)?, None, None).await
}

/// After a write: back to the procedure (POST/redirect/GET), or the procedure with the form's
/// error next to it.
async fn after(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    form: &'static str,
    result: Result<(), app::AppError>,
    terms_form: Option<&TermsForm>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/ccapex/procedures/{id}#{form}")).into_response()),
        Err(app::AppError::Invalid(e)) => {
            render_procedure(state, user, id, Some(FormError { form, message: e.to_string() }), terms_form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StageForm {
    csrf: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    date: String,
}

pub async fn record_stage(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<StageForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = async {
        let stage = Stage::parse(&f.stage)?;
        let on = parse_date(&f.date)?;
        state.app.record_eviction_stage(&user.session.actor, id, stage, on).await
    }
    .await;
    after(&state, &user, id, "etapes", r, None).await
}

#[derive(Deserialize)]
pub struct CloseForm {
    csrf: String,
    #[serde(default)]
    closure: String,
    #[serde(default)]
    date: String,
}

pub async fn close(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<CloseForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = async {
        let closure = Closure::parse(&f.closure)?;
        let on = parse_date(&f.date)?;
        state.app.close_eviction(&user.session.actor, id, closure, on).await
    }
    .await;
    after(&state, &user, id, "cloture", r, None).await
}

pub async fn update_terms(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<TermsForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = async { state.app.update_eviction_terms(&user.session.actor, id, &f.terms()?).await }.await;
    after(&state, &user, id, "conditions", r, Some(&f)).await
}

#[derive(Deserialize)]
pub struct OpinionForm {
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    opinion: String,
    #[serde(default)]
    recommendation: String,
    #[serde(default)]
    addressee: String,
}

pub async fn add_opinion(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<OpinionForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = async {
        let o = Opinion {
            given_on: parse_date(&f.date).map_err(|e| InvalidInput::new("date de l'avis", e.reason))?,
            opinion: f.opinion.trim().to_owned(),
            recommendation: f.recommendation.trim().to_owned(),
            addressee: f.addressee.trim().to_owned(),
            source: "saisie".into(),
        };
        state.app.add_ccapex_opinion(&user.session.actor, id, &o).await
    }
    .await;
    after(&state, &user, id, "avis", r, None).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// "Saisir la CCA": a draft referral prefilled from the procedure, completed on the CCA's page.
pub async fn refer(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    match state.app.refer_from_eviction(&user.session.actor, id).await {
        Ok(rid) => Ok(Redirect::to(&format!("/cca/saisines/{rid}")).into_response()),
        Err(e) => after(&state, &user, id, "saisine", Err(e), None).await,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn euros_the_french_way() {
        use super::euros;
        assert_eq!(euros(Some(123_450)), "1\u{a0}234,50\u{a0}€");
        assert_eq!(euros(Some(5)), "0,05\u{a0}€");
        assert_eq!(euros(Some(100_000_000)), "1\u{a0}000\u{a0}000,00\u{a0}€");
        assert_eq!(euros(Some(45_000)), "450,00\u{a0}€");
        assert_eq!(euros(None), "Non renseigné");
    }
}
