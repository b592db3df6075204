//! The CCA's sessions: list, agenda (order, members, presence, publication), decisions in
//! session, closing, and the minutes, printable and as PDF.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::cca::referral::DecisionInput;
use domain::cca::{Outcome, SessionState};
use domain::{format_date, parse_date, UserId};
use serde::Deserialize;

use super::cca::{app_label, id_of, kind_choices, value, values, CsrfForm};
use crate::session::LoggedIn;
use crate::views::{fr_date, Choice, Layout};
use crate::{minutes_pdf, AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cca/seances", get(sessions).post(create_session))
        .route("/cca/seances/{id}", get(show_session))
        .route("/cca/seances/{id}/membres", post(invite))
        .route("/cca/seances/{id}/presences", post(presence))
        .route("/cca/seances/{id}/ordre-du-jour/retrait", post(take_off_agenda))
        .route("/cca/seances/{id}/ordre-du-jour/deplacement", post(move_item))
        .route("/cca/seances/{id}/publication", post(publish))
        .route("/cca/seances/{id}/decisions", post(decide))
        .route("/cca/seances/{id}/cloture", post(close))
        .route("/cca/seances/{id}/compte-rendu", get(minutes_page))
        .route("/cca/seances/{id}/compte-rendu.pdf", get(minutes_file))
}

// ---- sessions

#[derive(Template)]
#[template(path = "cca_sessions.html")]
struct SessionsPage {
    layout: Layout,
    manager: bool,
    rows: Vec<(i64, String, String, &'static str)>,
    today: String,
    error: Option<String>,
}

async fn render_sessions(state: &AppState, user: &LoggedIn, error: Option<String>) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let list = state.app.cca_sessions(actor).await?;
    let page = SessionsPage {
        layout: Layout::new(&user.session, "cca"),
        manager: domain::policy::may(actor, domain::policy::Action::ManageCca, state.app.today()),
        rows: list.into_iter().map(|s| (s.id, fr_date(s.date), s.place, s.state.label())).collect(),
        today: format_date(state.app.today()),
        error,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Html(page.render()?)).into_response())
}

async fn sessions(State(state): State<AppState>, user: LoggedIn) -> Result<Response, WebError> {
    render_sessions(&state, &user, None).await
}

#[derive(Deserialize)]
struct NewSession {
    csrf: String,
    date: String,
    #[serde(default)]
    place: String,
}

async fn create_session(
    State(state): State<AppState>,
    user: LoggedIn,
    Form(f): Form<NewSession>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let r = async { state.app.create_session(&user.session.actor, parse_date(&f.date)?, &f.place).await }.await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/cca/seances/{id}")).into_response()),
        Err(app::AppError::Invalid(e)) => render_sessions(&state, &user, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

struct ItemLine {
    position: i64,
    referral: i64,
    label: String,
    readable: bool,
    org: String,
    measure: String,
    decision: Option<String>,
    decidable: bool,
    /// The catalogue, the measure asked preselected.
    kinds: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "cca_session.html")]
struct SessionPage {
    layout: Layout,
    id: i64,
    date: String,
    place: String,
    state_label: &'static str,
    access: Option<(String, String)>,
    members: Vec<app::cca::MemberRecord>,
    invitable: Vec<Choice>,
    items: Vec<ItemLine>,
    outcomes: Vec<Choice>,
    manager: bool,
    prepared: bool,
    published: bool,
    closed: bool,
    error: Option<(&'static str, String)>,
}

async fn render_session(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    error: Option<(&'static str, String)>,
) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let v = state.app.cca_session(actor, id).await?;
    let kinds = state.app.measure_kinds().await?;
    let invitable = if v.may_manage {
        state
            .app
            .commission_members(actor)
            .await?
            .into_iter()
            .filter(|(u, _)| !v.members.iter().any(|m| m.user == *u))
            .map(|(u, name)| Choice { value: u.0.to_string(), label: name, selected: false })
            .collect()
    } else {
        Vec::new()
    };
    let accepts = v.session.state.accepts_decisions();
    let items = v
        .agenda
        .iter()
        .map(|a| ItemLine {
            position: a.item.position,
            referral: a.item.referral.id,
            label: a.label.clone(),
            readable: a.readable,
            org: a.item.referral.org_name.clone(),
            measure: a.measure_label.clone().unwrap_or_else(|| "—".into()),
            decision: a.item.decision.as_ref().map(|d| {
                let detail = match d.outcome {
                    Outcome::Accorde => app_label(&kinds, d.measure_kind.as_deref()).unwrap_or_default(),
                    Outcome::Reoriente => d.redirected_to.clone(),
                    _ => d.reason.clone(),
                };
                if detail.is_empty() {
                    d.outcome.label().to_owned()
                } else {
                    format!("{} — {detail}", d.outcome.label())
                }
            }),
            decidable: accepts && a.item.decision.is_none() && v.may_manage,
            kinds: kind_choices(&kinds, a.item.referral.content.measure_asked.as_deref()),
        })
        .collect();
    let page = SessionPage {
        layout: Layout::new(&user.session, "cca"),
        id,
        date: fr_date(v.session.date),
        place: v.session.place.clone(),
        state_label: v.session.state.label(),
        access: v.access.as_ref().map(|(a, b)| (crate::views::fr_timestamp(a), crate::views::fr_timestamp(b))),
        members: v.members.clone(),
        invitable,
        items,
        outcomes: Outcome::ALL
            .iter()
            .map(|o| Choice { value: o.code().into(), label: o.label().into(), selected: false })
            .collect(),
        manager: v.may_manage,
        prepared: v.session.state == SessionState::Preparee,
        published: v.session.state == SessionState::OrdreDuJourPublie,
        closed: v.session.state == SessionState::Close,
        error,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Html(page.render()?)).into_response())
}

async fn show_session(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render_session(&state, &user, id_of(&id)?, None).await
}

async fn after_session(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    form: &'static str,
    r: Result<(), app::AppError>,
) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/cca/seances/{id}")).into_response()),
        Err(app::AppError::Invalid(e)) => render_session(state, user, id, Some((form, e.to_string()))).await,
        Err(e) => Err(e.into()),
    }
}

async fn invite(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    user.check_csrf(value(&pairs, "csrf"))?;
    let id = id_of(&id)?;
    let member = id_of(value(&pairs, "user")).map_err(|_| WebError::Invalid)?;
    let r = state.app.invite_member(&user.session.actor, id, UserId(member)).await;
    after_session(&state, &user, id, "membres", r).await
}

/// Presence for every invited member at once: the checked ones are present.
async fn presence(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    user.check_csrf(value(&pairs, "csrf"))?;
    let id = id_of(&id)?;
    let actor = &user.session.actor;
    let present: Vec<&str> = values(&pairs, "present").collect();
    let r = async {
        for m in state.app.cca_session(actor, id).await?.members {
            let is = present.contains(&m.user.0.to_string().as_str());
            if is != m.present {
                state.app.set_presence(actor, id, m.user, is).await?;
            }
        }
        Ok(())
    }
    .await;
    after_session(&state, &user, id, "membres", r).await
}

async fn take_off_agenda(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    user.check_csrf(value(&pairs, "csrf"))?;
    let id = id_of(&id)?;
    let referral = id_of(value(&pairs, "referral"))?;
    let r = state.app.remove_from_agenda(&user.session.actor, id, referral).await;
    after_session(&state, &user, id, "ordre", r).await
}

async fn move_item(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    user.check_csrf(value(&pairs, "csrf"))?;
    let id = id_of(&id)?;
    let referral = id_of(value(&pairs, "referral"))?;
    let up = value(&pairs, "sens") == "haut";
    let r = state.app.move_on_agenda(&user.session.actor, id, referral, up).await;
    after_session(&state, &user, id, "ordre", r).await
}

async fn publish(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = state.app.publish_agenda(&user.session.actor, id).await;
    after_session(&state, &user, id, "etat", r).await
}

async fn close(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = state.app.close_session(&user.session.actor, id).await;
    after_session(&state, &user, id, "etat", r).await
}

async fn decide(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    user.check_csrf(value(&pairs, "csrf"))?;
    let id = id_of(&id)?;
    let referral = id_of(value(&pairs, "referral"))?;
    let r = async {
        let input = DecisionInput {
            outcome: Outcome::parse(value(&pairs, "outcome"))?,
            measure: Some(value(&pairs, "measure").to_owned()).filter(|m| !m.is_empty()),
            reason: value(&pairs, "reason").to_owned(),
            redirected_to: value(&pairs, "redirected_to").to_owned(),
        };
        state.app.decide(&user.session.actor, id, referral, &input).await.map(|_| ())
    }
    .await;
    after_session(&state, &user, id, "decision", r).await
}

// ---- minutes

#[derive(Template)]
#[template(path = "cca_minutes.html")]
struct MinutesPage {
    m: minutes_pdf::Minutes,
    id: i64,
}

async fn minutes_of(state: &AppState, user: &LoggedIn, id: i64) -> Result<minutes_pdf::Minutes, WebError> {
    let m = state.app.minutes(&user.session.actor, id).await?;
    Ok(minutes_pdf::Minutes {
        title: format!("Compte rendu — CCA du {}", fr_date(m.date)),
        session_date: fr_date(m.date),
        place: Some(m.place).filter(|p| !p.is_empty()),
        chair: None,
        present: m.present,
        absent: m.absent,
        items: m
            .items
            .into_iter()
            .map(|i| minutes_pdf::MinutesItem {
                order: usize::try_from(i.position).unwrap_or_default(),
                household: i.household,
                referrer: i.referrer,
                measure_asked: i.measure_asked,
                decision: i.decision,
                detail: i.detail,
            })
            .collect(),
        generated_on: format!("Édité le {} par {}", fr_date(state.app.today()), user.session.user_name),
        confidentiality: "Document confidentiel : données personnelles partagées au titre de la convention de la \
                          CCA. Ne pas diffuser au-delà des membres de la commission."
            .into(),
    })
}

async fn minutes_page(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = id_of(&id)?;
    let m = minutes_of(&state, &user, id).await?;
    Ok(Html(MinutesPage { m, id }.render()?).into_response())
}

async fn minutes_file(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = id_of(&id)?;
    let m = minutes_of(&state, &user, id).await?;
    let bytes = minutes_pdf::render(&m);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"compte-rendu-cca-{id}.pdf\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
