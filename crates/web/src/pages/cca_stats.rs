//! `/cca/statistiques`: the CCA's statistics, charts with tables, CSV and XLSX.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
