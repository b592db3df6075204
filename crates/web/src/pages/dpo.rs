//! `/dpo`: the data protection officer's screens — the access log search with its alert, and
//! the rights workflows of one household (export, restriction, objection, rectification).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use domain::policy::SharingScope;
use domain::{parse_date, HouseholdId, PersonId};
use serde::Deserialize;

use crate::session::LoggedIn;
use crate::views::Layout;
use crate::{AppState, WebError};

#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    menage: String,
    #[serde(default)]
    compte: String,
    #[serde(default)]
    du: String,
    #[serde(default)]
    au: String,
}

#[derive(Template)]
#[template(path = "dpo.html")]
struct DpoPage {
    layout: Layout,
    p: SearchParams,
    rows: Vec<app::dpo::AuditRow>,
    searched: bool,
    alerts: Vec<app::dpo::Alert>,
    threshold: i64,
    error: Option<String>,
}

fn opt_id(s: &str) -> Result<Option<i64>, domain::InvalidInput> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| domain::InvalidInput::new("ménage", "numéro attendu"))
}

fn opt_date(s: &str) -> Result<Option<domain::Date>, domain::InvalidInput> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(s).map(Some)
    }
}

pub async fn home(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(p): Query<SearchParams>,
) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let alerts = state.app.unusual_activity(actor).await?;
    let searched = !(p.menage.is_empty() && p.compte.is_empty() && p.du.is_empty() && p.au.is_empty());
    let (rows, error) = if searched {
        let query = (|| {
            Ok::<_, domain::InvalidInput>(app::dpo::AuditQuery {
                household: opt_id(&p.menage)?,
                user_email: Some(p.compte.clone()),
                from: opt_date(&p.du)?,
                to: opt_date(&p.au)?,
            })
        })();
        match query.map_err(app::AppError::from) {
            Ok(q) => match state.app.search_audit(actor, &q).await {
                // read on the territory's clock, as the days searched are
                Ok(rows) => (
                    rows.into_iter().map(|r| app::dpo::AuditRow { at: crate::views::fr_instant(&r.at), ..r }).collect(),
                    None,
                ),
                Err(app::AppError::Invalid(e)) => (Vec::new(), Some(e.to_string())),
                Err(e) => return Err(e.into()),
            },
            Err(app::AppError::Invalid(e)) => (Vec::new(), Some(e.to_string())),
            Err(e) => return Err(e.into()),
        }
    } else {
        (Vec::new(), None)
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = DpoPage {
        layout: Layout::new(&user.session, "dpo"),
        p,
        rows,
        searched,
        alerts,
        threshold: state.app.config.alert_files_per_day,
        error,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

#[derive(Deserialize)]
pub struct Goto {
    menage: String,
}

pub async fn goto(user: LoggedIn, Query(g): Query<Goto>) -> Result<Response, WebError> {
    let _ = user;
    match g.menage.trim().parse::<i64>() {
        Ok(id) => Ok(Redirect::to(&format!("/dpo/menages/{id}")).into_response()),
        Err(_) => Err(WebError::NotFound),
    }
}

struct ChoiceView {
    code: &'static str,
    label: &'static str,
    current: String,
}

#[derive(Template)]
#[template(path = "dpo_household.html")]
struct RightsPage {
    layout: Layout,
    o: app::dpo::RightsOverview,
    scopes: Vec<ChoiceView>,
    today: String,
    error: Option<String>,
}

async fn render_rights(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    error: Option<String>,
) -> Result<Response, WebError> {
    let o = state.app.rights_overview(&user.session.actor, HouseholdId(id)).await?;
    let scopes = SharingScope::ALL
        .iter()
        .map(|s| ChoiceView {
            code: s.code(),
            label: s.label(),
            current: o.choices.iter().find(|c| c.0 == *s).map_or_else(|| "non recueilli".into(), |c| c.1.clone()),
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = RightsPage {
        layout: Layout::new(&user.session, "dpo"),
        o,
        scopes,
        today: domain::format_date(state.app.today()),
        error,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

fn id_of(s: &str) -> Result<i64, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

pub async fn household(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render_rights(&state, &user, id_of(&id)?, None).await
}

pub async fn export_html(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let e = state.app.rights_export(Some(&user.session.actor), HouseholdId(id_of(&id)?)).await?;
    Ok(Html(crate::export::rights_html(&e)?).into_response())
}

pub async fn export_json(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = id_of(&id)?;
    let e = state.app.rights_export(Some(&user.session.actor), HouseholdId(id)).await?;
    let json = serde_json::to_string_pretty(&e).map_err(|_| WebError::Internal)?;
    let disposition = format!("attachment; filename=\"menage-{id}.json\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        json,
    )
        .into_response())
}

async fn after(state: &AppState, user: &LoggedIn, id: i64, r: Result<(), app::AppError>) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/dpo/menages/{id}")).into_response()),
        Err(app::AppError::Invalid(e)) => render_rights(state, user, id, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct RestrictForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub async fn restrict(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<RestrictForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = state.app.restrict(&user.session.actor, HouseholdId(id), &f.reason).await;
    after(&state, &user, id, r).await
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn lift(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = state.app.lift_restriction(&user.session.actor, HouseholdId(id)).await;
    after(&state, &user, id, r).await
}

#[derive(Deserialize)]
pub struct ChoiceForm {
    csrf: String,
    scope: String,
    choice: String,
    date: String,
}

pub async fn sharing(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<ChoiceForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = async {
        let scope = SharingScope::parse(&f.scope)?;
        let choice = app::protection::Choice::parse(&f.choice)?;
        let on = parse_date(&f.date)?;
        state.app.record_sharing_choice(&user.session.actor, HouseholdId(id), scope, choice, on).await
    }
    .await;
    after(&state, &user, id, r).await
}

#[derive(Deserialize)]
pub struct RectifyForm {
    csrf: String,
    person: String,
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

pub async fn rectify(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<RectifyForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let person = PersonId(f.person.parse().map_err(|_| WebError::NotFound)?);
    let r = state.app.rectify_person(&user.session.actor, HouseholdId(id), person, &f.field, &f.value, &f.reason).await;
    after(&state, &user, id, r).await
}
