//! Support measures: the list of measures one manages and each measure's page.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
