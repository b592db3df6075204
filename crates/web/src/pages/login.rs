//! `/login` and `/logout`.

use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use crate::session::{constant_time_eq, cookie, set_cookie, ClientAddr, LoggedIn, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    email: String,
    error: Option<String>,
}

fn page(state: &AppState, status: StatusCode, email: String, error: Option<String>) -> Result<Response, WebError> {
    // A fresh token per form: the double-submit cookie protects the login form itself.
    let csrf = app::auth::random_token();
    let body = LoginPage { csrf: csrf.clone(), email, error }.render()?;
    Ok((status, [(SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.opts.secure_cookies))], Html(body))
        .into_response())
}

pub async fn form(State(state): State<AppState>, user: Option<LoggedIn>) -> Result<Response, WebError> {
    if let Some(u) = user {
        return Ok(Redirect::to(super::landing(&u.session.actor)).into_response());
    }
    page(&state, StatusCode::OK, String::new(), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), f.csrf.as_bytes()) {
        return page(
            &state,
            StatusCode::FORBIDDEN,
            f.email,
            Some("Le formulaire a expiré : veuillez recommencer.".into()),
        );
    }
    match state.app.login(&f.email, &f.password, &client).await {
        Ok(logged) => {
            let max_age = state.app.config.session_hours * 3600;
            let cookie = set_cookie(SESSION_COOKIE, &logged.token, max_age, state.opts.secure_cookies);
            Ok(([(SET_COOKIE, cookie)], Redirect::to(super::landing(&logged.session.actor))).into_response())
        }
        Err(app::AppError::BadCredentials) => page(
            &state,
            StatusCode::UNAUTHORIZED,
            f.email,
            Some("Adresse électronique ou mot de passe incorrect.".into()),
        ),
        Err(app::AppError::Throttled) => page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            f.email,
            Some("Trop de tentatives de connexion. Réessayez dans quelques minutes.".into()),
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    user: LoggedIn,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    state.app.logout(&user.token, &user.session.actor).await?;
    let clear = set_cookie(SESSION_COOKIE, "", 0, state.opts.secure_cookies);
    Ok(([(SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}
