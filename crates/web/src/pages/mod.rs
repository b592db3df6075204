pub mod admin;
pub mod catalogue;
pub mod cca;
pub mod cca_sessions;
pub mod cca_stats;
pub mod ccapex;
pub mod dpo;
pub mod duplicates;
pub mod file_extras;
pub mod households;
pub mod housing_offers;
pub mod housing_requests;
pub mod linkage_run;
pub mod login;
pub mod measures;
pub mod observatory;
pub mod person_entry;
pub mod todo;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use crate::errors::error_page;
use crate::session::LoggedIn;

pub async fn home(user: Option<LoggedIn>) -> Redirect {
    Redirect::to(user.map_or("/login", |u| landing(&u.session.actor)))
}

/// Where a logged-in user starts: the by-name list, but for the social rental agency, whose work
/// starts from the housing requests shared with it (it has no by-name list).
pub fn landing(actor: &domain::user::Actor) -> &'static str {
    use domain::user::Role;
    if !actor.roles.is_empty() && actor.roles.iter().all(|r| *r == Role::ChargeCaptation) {
        "/logement/demandes"
    } else {
        "/menages"
    }
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

pub async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Page introuvable",
        "Cette page n'existe pas, ou vous n'avez pas accès à ce dossier.",
    )
}
