//! `POST /doublons/rapprochement`: the SIAO coordination runs the linkage engine now, between
//! the nightly runs (after a day of entries, say), in the background; the queue says when it is
//! computing and when its pairs are fresh.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use crate::session::LoggedIn;
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/doublons/rapprochement", post(run_now))
}

#[derive(Deserialize)]
struct RunForm {
    csrf: String,
}

async fn run_now(State(state): State<AppState>, user: LoggedIn, Form(f): Form<RunForm>) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let Some(ticket) = state.app.ask_linkage_run(&user.session.actor).await? else {
        return Ok(Redirect::to("/doublons?fait=en-cours").into_response());
    };
    // the engine computes for a second or more: off the request threads
    let (app, handle) = (state.app.clone(), tokio::runtime::Handle::current());
    tokio::task::spawn_blocking(move || match handle.block_on(app.run_linkage_with(ticket)) {
        Ok(r) => {
            tracing::info!(persons = r.persons, queued = r.queued, seconds = r.seconds, "rapprochement demandé : fait")
        }
        Err(e) => tracing::error!(error = %e, "rapprochement demandé : échec"),
    });
    Ok(Redirect::to("/doublons?fait=lance").into_response())
}

/// The queue's status line after a request for a run.
pub(super) fn notice(fait: Option<&str>) -> Option<&'static str> {
    match fait {
        Some("lance") => Some(
            "Rapprochement lancé : il compare toutes les personnes du territoire, en général en quelques secondes. Rechargez la page pour voir les paires à jour.",
        ),
        Some("en-cours") => Some("Un rapprochement est déjà en cours : rechargez la page dans quelques instants."),
        _ => None,
    }
}
