//! The web application: server-rendered French pages (askama), thin handlers that call one
//! `app` use case each, and the security middleware.

mod charts;
mod errors;
mod export;
mod middleware;
mod pages;
mod session;
mod views;

pub mod minutes_pdf;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

pub use errors::WebError;
pub use export::rights_html;

#[derive(Debug, Clone)]
pub struct WebOptions {
    /// Mark cookies `Secure` (on for anything but a loopback demo over plain HTTP).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub app: app::App,
    pub opts: Arc<WebOptions>,
}

pub fn router(app: app::App, opts: WebOptions) -> Router {
    let state = AppState { app, opts: Arc::new(opts) };
    Router::new()
        .route("/", get(pages::home))
        .route("/healthz", get(pages::healthz))
        .route("/static/app.css", get(pages::stylesheet))
        .route("/login", get(pages::login::form).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/menages", get(pages::households::list).post(pages::person_entry::create))
        .route("/menages/nouveau", get(pages::person_entry::new_form))
        .route("/menages/recherche", get(pages::households::exact))
        .route("/menages/{id}", get(pages::households::show))
        .route("/menages/{id}/membres", post(pages::person_entry::add_member))
        .route("/menages/{id}/evenements", post(pages::households::record_event))
        .route("/menages/{id}/situation", post(pages::households::change_situation))
        .route("/admin", get(pages::admin::overview))
        .route("/admin/structures", get(pages::admin::structures).post(pages::admin::create_structure))
        .route("/admin/comptes", get(pages::admin::accounts).post(pages::admin::create_account))
        .route("/admin/habilitations", get(pages::admin::grants).post(pages::admin::create_grant))
        .route("/admin/habilitations/{id}/fin", post(pages::admin::end_grant))
        .route("/menages/{id}/notice", post(pages::file_extras::notice))
        .route("/menages/{id}/partage", post(pages::file_extras::sharing))
        .route(
            "/menages/{id}/fiche-logement",
            get(pages::file_extras::tenancy_view).post(pages::file_extras::tenancy_fields),
        )
        .route("/menages/{id}/sensible", get(pages::file_extras::sensitive))
        .route("/menages/{id}/sensible/besoins", post(pages::file_extras::sensitive_needs))
        .route("/menages/{id}/sensible/notes", post(pages::file_extras::sensitive_note))
        .route("/dpo", get(pages::dpo::home))
        .route("/dpo/droits", get(pages::dpo::goto))
        .route("/dpo/menages/{id}", get(pages::dpo::household))
        .route("/dpo/menages/{id}/export", get(pages::dpo::export_html))
        .route("/dpo/menages/{id}/export.json", get(pages::dpo::export_json))
        .route("/dpo/menages/{id}/limitation", post(pages::dpo::restrict))
        .route("/dpo/menages/{id}/limitation/levee", post(pages::dpo::lift))
        .route("/dpo/menages/{id}/partage", post(pages::dpo::sharing))
        .route("/dpo/menages/{id}/rectification", post(pages::dpo::rectify))
        .route("/observatoire", get(pages::observatory::dashboard))
        .route("/observatoire.csv", get(pages::observatory::csv))
        .route("/observatoire.xlsx", get(pages::observatory::xlsx))
        .merge(pages::cca::routes())
        .merge(pages::cca_sessions::routes())
        .merge(pages::catalogue::routes())
        .merge(pages::cca_stats::routes())
        .merge(pages::ccapex::routes())
        .merge(pages::measures::routes())
        .merge(pages::todo::routes())
        .merge(pages::duplicates::routes())
        .merge(pages::linkage_run::routes())
        .merge(pages::housing_requests::routes())
        .merge(pages::housing_offers::routes())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .with_state(state)
}
