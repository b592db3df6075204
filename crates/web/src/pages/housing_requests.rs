//! `/logement/demandes`: the housing requests shared with a landlord or the social rental agency
//! — the tenancy summaries of the households that agreed to it, in its territory, by number,
//! filtered by commune, size and resources (a dwelling to let in a commune, for so many people,
//! at such a rent). Never a name nor the social file (`app::tenancy`).

use app::tenancy::TenancyFilter;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use domain::tenancy::ResourcesBand;
use serde::Deserialize;

use crate::session::LoggedIn;
use crate::views::{page_number, Choice, Layout};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/logement/demandes", get(list))
}

/// Requests per page.
const PAGE: usize = 50;

/// The size filter's last choice: five persons or more.
const FIVE_OR_MORE: i64 = 5;

/// The filter on `n` persons (`FIVE_OR_MORE`: five or more).
fn size(n: Option<i64>) -> TenancyFilter {
    let max = n.filter(|n| *n < FIVE_OR_MORE);
    TenancyFilter { min_persons: n, max_persons: max, ..Default::default() }
}

struct Line {
    id: i64,
    composition: String,
    commune: String,
    resources: &'static str,
    needs: String,
}

#[derive(Template)]
#[template(path = "housing_requests.html")]
struct RequestsPage {
    layout: Layout,
    lines: Vec<Line>,
    total: usize,
    page: usize,
    more: bool,
    communes: Vec<Choice>,
    bands: Vec<Choice>,
    sizes: Vec<Choice>,
    /// The filter as a query to carry to the other pages (`&…`), or nothing.
    query: String,
}

#[derive(Deserialize)]
struct ListQuery {
    page: Option<String>,
    commune: Option<String>,
    ressources: Option<String>,
    personnes: Option<String>,
}

impl ListQuery {
    /// The filter; a value the form does not offer filters nothing.
    fn filter(&self) -> TenancyFilter {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        TenancyFilter {
            commune: given(&self.commune).filter(|c| c.len() == 5 && c.chars().all(|c| c.is_ascii_alphanumeric())),
            band: given(&self.ressources).filter(|b| ResourcesBand::parse(b).is_ok()),
            ..size(given(&self.personnes).and_then(|p| p.parse().ok()).filter(|p| (1..=FIVE_OR_MORE).contains(p)))
        }
    }
}

fn query_of(f: &TenancyFilter) -> String {
    let mut parts = Vec::new();
    if let Some(c) = &f.commune {
        parts.push(format!("commune={c}"));
    }
    if let Some(b) = &f.band {
        parts.push(format!("ressources={b}"));
    }
    if let Some(p) = f.min_persons {
        parts.push(format!("personnes={p}"));
    }
    parts.iter().map(|p| format!("&{p}")).collect()
}

async fn list(State(state): State<AppState>, user: LoggedIn, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    let page = page_number(q.page.as_deref())?;
    let filter = q.filter();
    let r = state.app.tenancy_requests(&user.session.actor, &filter, page, PAGE).await?;
    let lines = r
        .summaries
        .into_iter()
        .map(|s| Line {
            id: s.id.0,
            composition: format!("{} — {} adulte(s), {} enfant(s)", s.household_type.label(), s.adults, s.children),
            commune: s.commune.unwrap_or_else(|| "—".into()),
            resources: s.resources.map_or("Non renseignées", ResourcesBand::label),
            needs: if s.dwelling_needs.is_empty() {
                "—".into()
            } else {
                s.dwelling_needs.iter().map(|n| n.label()).collect::<Vec<_>>().join(", ")
            },
        })
        .collect();
    let choice = |value: String, label: String, selected: bool| Choice { value, label, selected };
    let communes = r
        .communes
        .into_iter()
        .map(|(code, name, n)| {
            let selected = filter.commune.as_deref() == Some(code.as_str());
            choice(code, format!("{name} ({n})"), selected)
        })
        .collect();
    let bands = ResourcesBand::ALL
        .iter()
        .map(|b| choice(b.code().into(), b.label().into(), filter.band.as_deref() == Some(b.code())))
        .collect();
    let sizes = (1..=FIVE_OR_MORE)
        .map(|n| {
            let label = if n == FIVE_OR_MORE { "5 ou plus".to_owned() } else { n.to_string() };
            choice(n.to_string(), label, filter.min_persons == Some(n))
        })
        .collect();
    let body = RequestsPage {
        layout: Layout::new(&user.session, "logement"),
        lines,
        total: r.total,
        page,
        more: page * PAGE < r.total,
        communes,
        bands,
        sizes,
        query: query_of(&filter),
    }
    .render()?;
    Ok(Html(body).into_response())
}
