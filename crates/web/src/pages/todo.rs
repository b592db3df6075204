//! `/a-faire`: each user's to-do list and notifications.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
