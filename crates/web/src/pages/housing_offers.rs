//! `/logement/offres`: the dwellings the social rental agency captured, and for each the shared
//! housing requests it fits, best first, with why (`app::dwellings`).

use app::dwellings::{DwellingRecord, DwellingState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::dwelling::{Dwelling, EFFORT_FLAG};
use domain::tenancy::{DwellingNeed, ResourcesBand};

use crate::session::LoggedIn;
use crate::views::{fr_date, Choice, Layout};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/logement/offres", get(list).post(create))
        .route("/logement/offres/{id}", get(show))
        .route("/logement/offres/{id}/etat", post(change_state))
        .route("/logement/offres/{id}/propositions", post(propose))
        .route("/propositions/{id}/reponse", post(answer))
}

fn id_of(s: &str) -> Result<i64, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// A dwelling as the screens describe it.
struct DwellingLine {
    id: i64,
    typology: String,
    commune: String,
    rent: u32,
    features: String,
    available_on: String,
    state: &'static str,
    open: bool,
}

fn line(r: &DwellingRecord) -> DwellingLine {
    let d = &r.dwelling;
    DwellingLine {
        id: r.id,
        typology: d.typology(),
        commune: r.commune_name.clone(),
        rent: d.rent,
        features: if d.features.is_empty() {
            "—".into()
        } else {
            d.features.iter().map(|f| f.label()).collect::<Vec<_>>().join(", ")
        },
        available_on: fr_date(d.available_on),
        state: r.state.label(),
        open: r.state == DwellingState::Disponible,
    }
}

#[derive(Template)]
#[template(path = "housing_offers.html")]
struct OffersPage {
    layout: Layout,
    lines: Vec<DwellingLine>,
    communes: Vec<Choice>,
    rooms: Vec<Choice>,
    features: Vec<(&'static str, &'static str, bool)>,
    /// What was typed, when the form comes back with an error.
    rent: String,
    available_on: String,
    error: Option<String>,
    done: bool,
}

#[derive(Default)]
struct Typed {
    commune: String,
    rooms: String,
    rent: String,
    features: Vec<String>,
    available_on: String,
}

async fn render_list(
    state: &AppState,
    user: &LoggedIn,
    typed: Typed,
    error: Option<String>,
    done: bool,
) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    if !domain::policy::may_capture(actor) {
        return Err(WebError::Forbidden);
    }
    let communes = state.app.communes().await?;
    let lines = state.app.dwellings(actor).await?.iter().map(line).collect();
    let page = OffersPage {
        layout: Layout::new(&user.session, "offres"),
        lines,
        communes: communes
            .iter()
            .map(|c| Choice {
                value: c.insee.as_str().to_owned(),
                label: c.name.clone(),
                selected: c.insee.as_str() == typed.commune,
            })
            .collect(),
        rooms: (1..=domain::dwelling::T5_OR_MORE)
            .map(|r| Choice {
                value: r.to_string(),
                label: if r == domain::dwelling::T5_OR_MORE { "T5 et plus".into() } else { format!("T{r}") },
                selected: typed.rooms == r.to_string(),
            })
            .collect(),
        features: DwellingNeed::ALL
            .iter()
            .map(|f| (f.code(), f.label(), typed.features.iter().any(|t| t == f.code())))
            .collect(),
        rent: typed.rent,
        available_on: typed.available_on,
        done,
        error,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Html(page.render()?)).into_response())
}

async fn list(State(state): State<AppState>, user: LoggedIn, Query(q): Query<DoneQuery>) -> Result<Response, WebError> {
    render_list(&state, &user, Typed::default(), None, q.fait.is_some()).await
}

#[derive(serde::Deserialize)]
struct DoneQuery {
    fait: Option<String>,
}

async fn create(State(state): State<AppState>, user: LoggedIn, body: String) -> Result<Response, WebError> {
    // repeated checkboxes (`features`): read the pairs as they come
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).map_err(|_| WebError::Invalid)?;
    let value = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    user.check_csrf(&value("csrf"))?;
    let typed = Typed {
        commune: value("commune"),
        rooms: value("rooms"),
        rent: value("rent"),
        features: pairs.iter().filter(|(n, _)| n == "features").map(|(_, v)| v.clone()).collect(),
        available_on: value("available_on"),
    };
    let features: Result<Vec<DwellingNeed>, _> = typed.features.iter().map(|f| DwellingNeed::parse(f)).collect();
    let parsed =
        features.and_then(|f| Dwelling::parse(&typed.commune, &typed.rooms, &typed.rent, &f, &typed.available_on));
    let d = match parsed {
        Ok(d) => d,
        Err(e) => return render_list(&state, &user, typed, Some(e.to_string()), false).await,
    };
    let id = state.app.capture_dwelling(&user.session.actor, &d).await?;
    Ok(Redirect::to(&format!("/logement/offres/{id}?fait=1")).into_response())
}

/// A request the dwelling fits, as its page lists it.
struct MatchLine {
    id: i64,
    composition: String,
    commune: String,
    resources: &'static str,
    needs: String,
    /// Why it comes where it does: same commune, the rent's share of the resources.
    why: String,
    heavy: bool,
    /// Proposed already to this household.
    proposed: bool,
}

/// A proposal of the dwelling, as its page lists it.
struct ProposedLine {
    household: i64,
    on: String,
    answer: &'static str,
}

#[derive(Template)]
#[template(path = "housing_offer.html")]
struct OfferPage {
    layout: Layout,
    d: DwellingLine,
    matches: Vec<MatchLine>,
    total: usize,
    shown: usize,
    states: Vec<Choice>,
    done: bool,
    effort_flag: u32,
    proposals: Vec<ProposedLine>,
}

async fn show(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let m = state.app.dwelling_matches(&user.session.actor, id_of(&id)?).await?;
    let matches: Vec<MatchLine> = m
        .matches
        .iter()
        .map(|(s, f)| {
            let mut why = Vec::new();
            if f.same_commune {
                why.push("même commune".to_owned());
            }
            match f.effort {
                Some(e) => why.push(format!("loyer ≈ {e} % des ressources")),
                None => why.push("ressources non renseignées".to_owned()),
            }
            MatchLine {
                id: s.id.0,
                composition: format!("{} — {} adulte(s), {} enfant(s)", s.household_type.label(), s.adults, s.children),
                commune: s.commune.clone().unwrap_or_else(|| "—".into()),
                resources: s.resources.map_or("Non renseignées", ResourcesBand::label),
                needs: if s.dwelling_needs.is_empty() {
                    "—".into()
                } else {
                    s.dwelling_needs.iter().map(|n| n.label()).collect::<Vec<_>>().join(", ")
                },
                why: why.join(" ; "),
                heavy: f.heavy(),
                proposed: m.proposals.iter().any(|p| p.household == s.id),
            }
        })
        .collect();
    let current = m.dwelling.state;
    let page = OfferPage {
        layout: Layout::new(&user.session, "offres"),
        d: line(&m.dwelling),
        shown: matches.len(),
        matches,
        total: m.total,
        states: DwellingState::ALL
            .iter()
            .map(|s| Choice { value: s.code().into(), label: s.label().into(), selected: *s == current })
            .collect(),
        done: q.fait.is_some(),
        effort_flag: EFFORT_FLAG,
        proposals: m
            .proposals
            .iter()
            .map(|p| ProposedLine {
                household: p.household.0,
                on: crate::views::fr_day(&p.proposed_at),
                answer: match p.accepted {
                    Some(true) => "acceptée",
                    Some(false) => "refusée",
                    None => "en attente",
                },
            })
            .collect(),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(serde::Deserialize)]
struct StateForm {
    csrf: String,
    state: String,
}

async fn change_state(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<StateForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let new = DwellingState::parse(&f.state).ok_or(WebError::Invalid)?;
    state.app.set_dwelling_state(&user.session.actor, id, new).await?;
    Ok(Redirect::to(&format!("/logement/offres/{id}?fait=1")).into_response())
}

#[derive(serde::Deserialize)]
struct ProposeForm {
    csrf: String,
    menage: String,
}

/// « Proposer » on a request the dwelling fits: the household's référents are told.
async fn propose(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<ProposeForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let household = domain::HouseholdId(id_of(&f.menage)?);
    state.app.propose_dwelling(&user.session.actor, id, household).await?;
    Ok(Redirect::to(&format!("/logement/offres/{id}?fait=1#propositions")).into_response())
}

#[derive(serde::Deserialize)]
struct AnswerForm {
    csrf: String,
    reponse: String,
}

/// The household's answer, given by its référent on the file.
async fn answer(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let accepted = match f.reponse.as_str() {
        "acceptee" => true,
        "refusee" => false,
        _ => return Err(WebError::Invalid),
    };
    let household = state.app.answer_proposal(&user.session.actor, id_of(&id)?, accepted).await?;
    Ok(Redirect::to(&format!("/menages/{}#logement", household.0)).into_response())
}
