//! How failures look to the user: a French page with the right status, and nothing personal
//! in it or in the logs.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

#[derive(Debug)]
pub enum WebError {
    /// Not logged in (or session expired): back to the login page.
    Unauthenticated,
    NotFound,
    Forbidden,
    /// A form's CSRF token did not match.
    BadCsrf,
    /// Input refused where the page could not show the reason next to the form.
    Invalid,
    Internal,
}

impl From<app::AppError> for WebError {
    fn from(e: app::AppError) -> Self {
        match e {
            app::AppError::NotFound => Self::NotFound,
            app::AppError::Forbidden => Self::Forbidden,
            app::AppError::BadCredentials | app::AppError::Throttled => Self::Forbidden,
            app::AppError::Invalid(_) => Self::Invalid,
            app::AppError::NoKeyring | app::AppError::Undecryptable => {
                tracing::error!(error = %e, "sensitive compartment unavailable");
                Self::Internal
            }
            app::AppError::Store(e) => {
                tracing::error!(error = %e, "store failure");
                Self::Internal
            }
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "template failure");
        Self::Internal
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: &'static str,
    message: &'static str,
}

pub fn error_page(status: StatusCode, title: &'static str, message: &'static str) -> Response {
    let body = ErrorPage { title, message }.render().unwrap_or_else(|_| title.to_owned());
    (status, Html(body)).into_response()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            Self::Unauthenticated => Redirect::to("/login").into_response(),
            Self::NotFound => error_page(
                StatusCode::NOT_FOUND,
                "Page introuvable",
                "Cette page n'existe pas, ou vous n'avez pas accès à ce dossier.",
            ),
            Self::Forbidden => {
                error_page(StatusCode::FORBIDDEN, "Accès refusé", "Votre rôle ne permet pas cette action.")
            }
            Self::BadCsrf => error_page(
                StatusCode::FORBIDDEN,
                "Formulaire expiré",
                "Le formulaire a expiré ou ne provient pas de parcours. Rechargez la page et recommencez.",
            ),
            Self::Invalid => error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Saisie invalide",
                "Une donnée saisie est invalide. Revenez au formulaire, corrigez-la et recommencez.",
            ),
            Self::Internal => error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Erreur interne",
                "Une erreur est survenue. Elle a été consignée ; réessayez dans un instant.",
            ),
        }
    }
}
