//! The CCA's screens: referrals, the manager's inbox, sessions, decisions, minutes.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
