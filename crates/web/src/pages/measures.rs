//! Support measures: the list of measures one manages and each measure's page, with the forms
//! of its life — start (operator, référent, plan), review, renewal, end.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::cca::measure::Plan;
use domain::cca::{EndReason, HousingType, MeasureState, ReviewOutcome};
use domain::{add_months, format_date, parse_date, Date, InvalidInput, OrgId, UserId};
use serde::Deserialize;

use crate::session::LoggedIn;
use crate::views::{choices, fr_date, opt_fr_date, Choice, Layout};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cca/mesures", get(list))
        .route("/cca/mesures/{id}", get(show))
        .route("/cca/mesures/{id}/demarrage", post(start))
        .route("/cca/mesures/{id}/bilan", post(review))
        .route("/cca/mesures/{id}/renouvellement", post(renew))
        .route("/cca/mesures/{id}/fin", post(end))
}

fn id_of(s: &str) -> Result<i64, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

fn iso(d: Date) -> String {
    format_date(d)
}

// ---- the list ---------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    etat: String,
}

struct Line {
    id: i64,
    household: i64,
    kind: String,
    state_code: &'static str,
    state: &'static str,
    operator: String,
    referent: String,
    start: String,
    planned_end: String,
    /// The day it ended, for ended measures.
    ended: Option<String>,
    next_review: String,
    review_late: bool,
}

struct Chip {
    href: String,
    label: &'static str,
    count: usize,
    current: bool,
}

#[derive(Template)]
#[template(path = "measures.html")]
struct ListPage {
    layout: Layout,
    lines: Vec<Line>,
    total: usize,
    chips: Vec<Chip>,
    filtered: bool,
    filter_label: &'static str,
}

pub async fn list(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(p): Query<ListParams>,
) -> Result<Response, WebError> {
    // An unknown state shows every measure rather than an error: the filter is a link.
    let chosen = Some(p.etat.trim()).filter(|s| !s.is_empty()).and_then(|s| MeasureState::parse(s).ok());
    let today = state.app.today();
    let all = state.app.managed_measures(&user.session.actor).await?;
    let chips = MeasureState::ALL
        .iter()
        .map(|s| Chip {
            href: format!("/cca/mesures?etat={}", s.code()),
            label: s.label(),
            count: all.iter().filter(|m| m.state == *s).count(),
            current: chosen == Some(*s),
        })
        .collect();
    let total = all.len();
    let lines = all
        .into_iter()
        .filter(|m| chosen.is_none_or(|s| m.state == s))
        .map(|m| Line {
            id: m.id,
            household: m.household.0,
            state_code: m.state.code(),
            state: m.state.label(),
            operator: m.operator_name.unwrap_or_else(|| "—".into()),
            referent: m.referent_name.unwrap_or_else(|| "—".into()),
            start: opt_fr_date(m.start),
            planned_end: opt_fr_date(m.planned_end),
            ended: m.end.map(fr_date),
            next_review: opt_fr_date(m.next_review),
            review_late: m.state != MeasureState::Terminee && m.next_review.is_some_and(|d| d < today),
            kind: m.kind_label,
        })
        .collect();
    let body = ListPage {
        layout: Layout::new(&user.session, "cca"),
        lines,
        total,
        chips,
        filtered: chosen.is_some(),
        filter_label: chosen.map_or("", MeasureState::label),
    }
    .render()?;
    Ok(Html(body).into_response())
}

// ---- the forms --------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct StartForm {
    csrf: String,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    referent: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    months: String,
    #[serde(default)]
    next_review: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ReviewForm {
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    next_review: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct RenewForm {
    csrf: String,
    #[serde(default)]
    months: String,
    #[serde(default)]
    next_review: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct EndForm {
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    housing: String,
    #[serde(default)]
    note: String,
}

/// What was submitted, to show it again beside the reason it was refused.
enum Submitted {
    Nothing,
    Start(StartForm),
    Review(ReviewForm),
    Renew(RenewForm),
    End(EndForm),
}

fn opt_date(s: &str, field: &'static str) -> Result<Option<Date>, InvalidInput> {
    match s.trim() {
        "" => Ok(None),
        s => parse_date(s).map(Some).map_err(|_| InvalidInput::new(field, "date attendue au format AAAA-MM-JJ")),
    }
}

fn date(s: &str, field: &'static str) -> Result<Date, InvalidInput> {
    opt_date(s, field)?.ok_or_else(|| InvalidInput::new(field, "date obligatoire"))
}

fn months(s: &str) -> Result<i64, InvalidInput> {
    s.trim().parse().map_err(|_| InvalidInput::new("durée", "nombre de mois attendu"))
}

// ---- the page ---------------------------------------------------------------------------------

struct Step {
    iso: String,
    date: String,
    title: String,
    note: Option<String>,
    by: String,
}

/// Which form refused the input, and why.
struct FormError {
    form: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "measure.html")]
struct MeasurePage {
    layout: Layout,
    id: i64,
    household: i64,
    kind: String,
    state_code: &'static str,
    state: &'static str,
    operator: String,
    referent: String,
    start: String,
    duration: String,
    planned_end: String,
    next_review: String,
    review_late: bool,
    ended: Option<String>,
    end_reason: String,
    housing: String,
    steps: Vec<Step>,
    waiting: bool,
    running: bool,
    error: Option<FormError>,
    today: String,
    // Start.
    operators: Vec<Choice>,
    referents: Vec<Choice>,
    start_date: String,
    start_months: String,
    start_review: String,
    // Review.
    review_date: String,
    outcomes: Vec<Choice>,
    review_note: String,
    review_next: String,
    // Renewal.
    renew_months: String,
    renew_next: String,
    renew_note: String,
    // End.
    end_date: String,
    reasons: Vec<Choice>,
    housings: Vec<Choice>,
    end_note: String,
}

fn step_title(event: &str, outcome: Option<&str>) -> String {
    match event {
        "demarrage" => "Démarrage de la mesure".into(),
        "bilan" => match outcome.and_then(|o| ReviewOutcome::parse(o).ok()) {
            Some(o) => format!("Bilan — {}", o.label()),
            None => "Bilan".into(),
        },
        "renouvellement" => "Renouvellement".into(),
        "fin" => match outcome.and_then(|o| EndReason::parse(o).ok()) {
            Some(r) => format!("Fin de la mesure — {}", r.label()),
            None => "Fin de la mesure".into(),
        },
        other => other.to_owned(),
    }
}

async fn render(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    error: Option<FormError>,
    submitted: Submitted,
) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let v = state.app.measure(actor, id).await?;
    let m = v.measure;
    let today = state.app.today();
    let waiting = m.state == MeasureState::AttenteDemarrage;
    let running = m.state == MeasureState::EnCours;

    // Defaults of the forms: today, the catalogue's usual duration, a review in three months.
    let usual = if waiting || running {
        state.app.measure_kinds().await?.into_iter().find(|k| k.0 == m.kind).map_or(6, |k| k.2)
    } else {
        6
    };
    let mut start = StartForm {
        start: iso(today),
        months: usual.to_string(),
        next_review: iso(add_months(today, 3)),
        ..StartForm::default()
    };
    let mut rev = ReviewForm {
        date: iso(today),
        next_review: iso(add_months(today, 3)),
        outcome: ReviewOutcome::Poursuite.code().into(),
        ..ReviewForm::default()
    };
    let mut renew = RenewForm { months: usual.max(1).to_string(), ..RenewForm::default() };
    let mut ending = EndForm { date: iso(today), ..EndForm::default() };
    match submitted {
        Submitted::Nothing => {}
        Submitted::Start(f) => start = f,
        Submitted::Review(f) => rev = f,
        Submitted::Renew(f) => renew = f,
        Submitted::End(f) => ending = f,
    }
    let operators = if waiting {
        state
            .app
            .operators()
            .await?
            .into_iter()
            .map(|(o, name)| Choice {
                selected: start.operator == o.0.to_string(),
                value: o.0.to_string(),
                label: name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let referents = if waiting {
        state
            .app
            .measure_referents()
            .await?
            .into_iter()
            .map(|(u, name, org)| Choice {
                selected: start.referent == u.0.to_string(),
                value: u.0.to_string(),
                label: format!("{name} — {org}"),
            })
            .collect()
    } else {
        Vec::new()
    };
    let outcome = ReviewOutcome::parse(&rev.outcome).ok();
    let reason = EndReason::parse(&ending.reason).ok();
    // A measure not started cannot end by "kept in housing" (domain::cca::measure).
    let reasons: Vec<EndReason> =
        EndReason::ALL.iter().copied().filter(|r| running || *r != EndReason::MaintienLogement).collect();
    let housing = HousingType::parse(&ending.housing).ok();

    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = MeasurePage {
        layout: Layout::new(&user.session, "cca"),
        id,
        household: m.household.0,
        kind: m.kind_label.clone(),
        state_code: m.state.code(),
        state: m.state.label(),
        operator: m.operator_name.clone().unwrap_or_else(|| "—".into()),
        referent: m.referent_name.clone().unwrap_or_else(|| "—".into()),
        start: opt_fr_date(m.start),
        duration: match (m.start, m.planned_months) {
            (None, _) => "—".into(),
            (Some(_), 0) => "sans durée fixe".into(),
            (Some(_), 1) => "1 mois".into(),
            (Some(_), n) => format!("{n} mois"),
        },
        planned_end: opt_fr_date(m.planned_end),
        next_review: opt_fr_date(m.next_review),
        review_late: m.state != MeasureState::Terminee && m.next_review.is_some_and(|d| d < today),
        ended: m.end.map(fr_date),
        end_reason: m.end_reason.map_or("—", EndReason::label).into(),
        housing: m.housing_type.map_or("—", HousingType::label).into(),
        steps: v
            .steps
            .iter()
            .rev()
            .map(|s| Step {
                iso: iso(s.on),
                date: fr_date(s.on),
                title: step_title(&s.event, s.outcome.as_deref()),
                note: s.note.clone(),
                by: match &s.by {
                    Some(name) => format!("{} — {name}", s.org_name),
                    None => s.org_name.clone(),
                },
            })
            .collect(),
        waiting,
        running,
        error,
        today: iso(today),
        operators,
        referents,
        start_date: start.start,
        start_months: start.months,
        start_review: start.next_review,
        review_date: rev.date,
        outcomes: choices(ReviewOutcome::ALL, ReviewOutcome::code, ReviewOutcome::label, outcome),
        review_note: rev.note,
        review_next: rev.next_review,
        renew_months: renew.months,
        renew_next: renew.next_review,
        renew_note: renew.note,
        end_date: ending.date,
        reasons: choices(&reasons, EndReason::code, EndReason::label, reason),
        housings: choices(HousingType::ALL, HousingType::code, HousingType::label, housing),
        end_note: ending.note,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

pub async fn show(State(state): State<AppState>, user: LoggedIn, Path(id): Path<String>) -> Result<Response, WebError> {
    render(&state, &user, id_of(&id)?, None, Submitted::Nothing).await
}

/// Back to the measure's page on success; the page again, with the reason and what was typed,
/// when the input is refused.
async fn after(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    form: &'static str,
    submitted: Submitted,
    result: Result<(), app::AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cca/mesures/{id}")).into_response()),
        Err(app::AppError::Invalid(e)) => {
            render(state, user, id, Some(FormError { form, message: e.to_string() }), submitted).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn start(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<StartForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = async {
        let operator = f
            .operator
            .trim()
            .parse()
            .map(OrgId)
            .map_err(|_| InvalidInput::new("opérateur", "choisir la structure opératrice"))?;
        let referent = match f.referent.trim() {
            "" => None,
            s => Some(UserId(s.parse().map_err(|_| InvalidInput::new("référent", "numéro de compte attendu"))?)),
        };
        let plan = Plan {
            start: date(&f.start, "début")?,
            months: months(&f.months)?,
            next_review: opt_date(&f.next_review, "prochain bilan")?,
        };
        state.app.start_measure(&user.session.actor, id, operator, referent, plan).await
    }
    .await;
    after(&state, &user, id, "demarrage", Submitted::Start(f), r).await
}

pub async fn review(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = async {
        let on = date(&f.date, "date du bilan")?;
        let outcome = ReviewOutcome::parse(&f.outcome)?;
        let next = opt_date(&f.next_review, "prochain bilan")?;
        state.app.review_measure(&user.session.actor, id, on, outcome, &f.note, next).await
    }
    .await;
    after(&state, &user, id, "bilan", Submitted::Review(f), r).await
}

pub async fn renew(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<RenewForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = async {
        let n = months(&f.months)?;
        let next = opt_date(&f.next_review, "prochain bilan")?;
        state.app.renew_measure(&user.session.actor, id, n, next, &f.note).await
    }
    .await;
    after(&state, &user, id, "renouvellement", Submitted::Renew(f), r).await
}

pub async fn end(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<EndForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = async {
        let ending = app::measures::Ending {
            on: date(&f.date, "date de fin")?,
            reason: EndReason::parse(&f.reason)?,
            housing: match f.housing.trim() {
                "" => None,
                code => Some(HousingType::parse(code)?),
            },
            note: f.note.clone(),
        };
        state.app.end_measure(&user.session.actor, id, &ending).await
    }
    .await;
    after(&state, &user, id, "fin", Submitted::End(f), r).await
}
