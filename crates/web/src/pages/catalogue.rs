//! `/admin/mesures`: the territory's catalogue of support measures (add a kind, retire one).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::session::LoggedIn;
use crate::views::Layout;
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/mesures", get(page).post(add)).route("/admin/mesures/{code}/etat", post(toggle))
}

#[derive(Default, Deserialize)]
struct KindForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    months: String,
}

#[derive(Template)]
#[template(path = "admin_mesures.html")]
struct CataloguePage {
    layout: Layout,
    sub: &'static str,
    rows: Vec<(String, String, i64, bool)>,
    f: KindForm,
    error: Option<String>,
    done: Option<&'static str>,
}

async fn render(
    state: &AppState,
    user: &LoggedIn,
    f: KindForm,
    error: Option<String>,
    done: Option<&'static str>,
) -> Result<Response, WebError> {
    if !domain::policy::may(&user.session.actor, domain::policy::Action::Administer, state.app.today()) {
        return Err(WebError::Forbidden);
    }
    let page = CataloguePage {
        layout: Layout::new(&user.session, "admin"),
        sub: "mesures",
        rows: state.app.measure_kinds().await?,
        f,
        done,
        error,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
struct Done {
    fait: Option<String>,
}

async fn page(State(state): State<AppState>, user: LoggedIn, Query(d): Query<Done>) -> Result<Response, WebError> {
    render(&state, &user, KindForm::default(), None, d.fait.map(|_| "Le catalogue a été mis à jour.")).await
}

async fn add(State(state): State<AppState>, user: LoggedIn, Form(f): Form<KindForm>) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let months = f.months.trim().parse::<i64>().unwrap_or(-1);
    match state.app.add_measure_kind(&user.session.actor, &f.code, &f.label, months).await {
        Ok(()) => Ok(Redirect::to("/admin/mesures?fait=1").into_response()),
        Err(app::AppError::Invalid(e)) => render(&state, &user, f, Some(e.to_string()), None).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ToggleForm {
    csrf: String,
    active: String,
}

async fn toggle(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(code): Path<String>,
    Form(f): Form<ToggleForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    state.app.set_measure_kind_active(&user.session.actor, &code, f.active == "1").await?;
    Ok(Redirect::to("/admin/mesures?fait=1").into_response())
}
