//! The CCAPEX interface: eviction procedures, deadlines, opinions, CSV export and import.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
