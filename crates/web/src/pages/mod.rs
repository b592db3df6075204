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
    use domain::user::Role;
    Redirect::to(match user.as_ref().map(|u| &u.session.actor) {
        None => "/login",
        // a landlord's work starts from the requests shared with it, not the (empty) by-name list
        Some(a)
            if !a.roles.is_empty() && a.roles.iter().all(|r| matches!(r, Role::Bailleur | Role::ChargeCaptation)) =>
        {
            "/logement/demandes"
        }
        Some(_) => "/menages",
    })
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
