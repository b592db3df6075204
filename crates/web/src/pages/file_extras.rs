//! The parts of a household's file beyond its pathway: the information notice, sharing
//! choices, the tenancy summary (and its landlord view), and the sensitive compartment.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use domain::policy::SharingScope;
use domain::sensitive::{Need, Needs};
use domain::tenancy::{DwellingNeed, ResourcesBand};
use domain::{parse_date, HouseholdId};
use serde::Deserialize;

use super::households::after_write;
use crate::session::LoggedIn;
use crate::views::{fr_date, Choice, Layout};
use crate::{AppState, WebError};

fn id_of(s: &str) -> Result<i64, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// Repeated keys (checkboxes) arrive as pairs.
fn values<'a>(pairs: &'a [(String, String)], key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    pairs.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn csrf(user: &LoggedIn, pairs: &[(String, String)]) -> Result<(), WebError> {
    user.check_csrf(values(pairs, "csrf").next().unwrap_or_default())
}

#[derive(Deserialize)]
pub struct NoticeForm {
    csrf: String,
    date: String,
}

pub async fn notice(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<NoticeForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = async {
        let on = parse_date(&f.date)?;
        state.app.record_notice(&user.session.actor, HouseholdId(id), on, app::protection::NOTICE_VERSION).await
    }
    .await;
    after_write(&state, &user, id, "partage", r).await
}

#[derive(Deserialize)]
pub struct SharingForm {
    csrf: String,
    scope: String,
    choice: String,
    date: String,
}

pub async fn sharing(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<SharingForm>,
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
    after_write(&state, &user, id, "partage", r).await
}

pub async fn tenancy_fields(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    csrf(&user, &pairs)?;
    let id = id_of(&id)?;
    let r = async {
        let band = match values(&pairs, "band").next().unwrap_or_default() {
            "" => None,
            code => Some(ResourcesBand::parse(code)?),
        };
        let needs = values(&pairs, "needs").map(DwellingNeed::parse).collect::<Result<Vec<_>, _>>()?;
        state.app.set_tenancy_fields(&user.session.actor, HouseholdId(id), band, &needs).await
    }
    .await;
    after_write(&state, &user, id, "logement", r).await
}

#[derive(Template)]
#[template(path = "tenancy.html")]
struct TenancyPage {
    layout: Layout,
    s: app::tenancy::TenancySummary,
    household_type: &'static str,
    resources: &'static str,
    needs: Vec<&'static str>,
}

/// The landlord's view: the tenancy summary only, with the household's agreement.
pub async fn tenancy_view(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let s = state.app.tenancy_summary(&user.session.actor, HouseholdId(id_of(&id)?)).await?;
    let body = TenancyPage {
        layout: Layout::new(&user.session, "logement"),
        household_type: s.household_type.label(),
        resources: s.resources.map_or("Non renseignées", ResourcesBand::label),
        needs: s.dwelling_needs.iter().map(|n| n.label()).collect(),
        s,
    }
    .render()?;
    Ok(Html(body).into_response())
}

#[derive(Template)]
#[template(path = "sensitive.html")]
struct SensitivePage {
    layout: Layout,
    id: i64,
    needs: Vec<Choice>,
    flagged: Vec<&'static str>,
    notes: Vec<app::sensitive::SensitiveNote>,
    may_write: bool,
    today: String,
    error: Option<String>,
}

async fn render_sensitive(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    error: Option<String>,
) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let v = state.app.read_sensitive(actor, HouseholdId(id)).await?;
    let today = state.app.today();
    let may_write = v.may_write;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = SensitivePage {
        layout: Layout::new(&user.session, "menages"),
        id,
        needs: Need::ALL
            .iter()
            .map(|n| Choice { value: n.code().into(), label: n.label().into(), selected: v.needs.has(*n) })
            .collect(),
        flagged: v.needs.iter().map(Need::label).collect(),
        notes: v
            .notes
            .into_iter()
            .map(|mut n| {
                n.written_on = parse_date(&n.written_on).map(fr_date).unwrap_or(n.written_on);
                n
            })
            .rev()
            .collect(),
        may_write,
        today: domain::format_date(today),
        error,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

pub async fn sensitive(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render_sensitive(&state, &user, id_of(&id)?, None).await
}

async fn after_sensitive(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    r: Result<(), app::AppError>,
) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/menages/{id}/sensible")).into_response()),
        Err(app::AppError::Invalid(e)) => render_sensitive(state, user, id, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn sensitive_needs(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    csrf(&user, &pairs)?;
    let id = id_of(&id)?;
    let r = async {
        let needs = Needs::new(values(&pairs, "need").map(Need::parse).collect::<Result<_, _>>()?);
        state.app.set_needs(&user.session.actor, HouseholdId(id), &needs).await
    }
    .await;
    after_sensitive(&state, &user, id, r).await
}

#[derive(Deserialize)]
pub struct NoteForm {
    csrf: String,
    date: String,
    #[serde(default)]
    text: String,
}

pub async fn sensitive_note(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<NoteForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = async {
        let on = parse_date(&f.date)?;
        state.app.add_sensitive_note(&user.session.actor, HouseholdId(id), on, &f.text).await
    }
    .await;
    after_sensitive(&state, &user, id, r).await
}
