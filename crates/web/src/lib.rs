//! The web application: server-rendered French pages (askama), thin handlers that call one
//! `app` use case each, and the security middleware.

mod errors;
mod middleware;
mod pages;
mod session;
mod views;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

pub use errors::WebError;

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
        .route("/menages", get(pages::households::list).post(pages::households::create))
        .route("/menages/nouveau", get(pages::households::new_form))
        .route("/menages/{id}", get(pages::households::show))
        .route("/menages/{id}/membres", post(pages::households::add_member))
        .route("/menages/{id}/evenements", post(pages::households::record_event))
        .route("/menages/{id}/situation", post(pages::households::change_situation))
        .route("/admin", get(pages::admin::overview))
        .route("/admin/structures", get(pages::admin::structures).post(pages::admin::create_structure))
        .route("/admin/comptes", get(pages::admin::accounts).post(pages::admin::create_account))
        .route("/admin/habilitations", get(pages::admin::grants).post(pages::admin::create_grant))
        .route("/admin/habilitations/{id}/fin", post(pages::admin::end_grant))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .with_state(state)
}
