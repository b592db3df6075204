//! Entering persons: a new household with its reference person, or a new member of a household.
//! Before either is created, the persons on files the worker may read who look alike are shown
//! (the check at entry), and what was typed is never lost.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use domain::household::{MemberRole, NewPerson, Sex};
use domain::identity::BirthIdentity;
use domain::situation::Situation;
use domain::territory::InseeCode;
use domain::{parse_date, HouseholdId, InvalidInput};
use serde::Deserialize;

use super::households::{render_household_with, FormError};
use crate::session::LoggedIn;
use crate::views::{choices, country_choices, opt_fr_date, Choice, Layout};
use crate::{AppState, WebError};

/// The fields of a person in the forms that add one (each empty when not sent).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PersonFields {
    pub(crate) family_name: String,
    pub(crate) given_names: String,
    pub(crate) birth_date: String,
    pub(crate) sex: String,
    pub(crate) birth_name: String,
    pub(crate) birth_country: String,
    pub(crate) birth_commune: String,
}

impl PersonFields {
    fn parse(&self, today: domain::Date) -> Result<NewPerson, InvalidInput> {
        Ok(NewPerson::parse(&self.family_name, &self.given_names, &self.birth_date, &self.sex, today)?
            .with_birth(BirthIdentity::parse(&self.birth_name, &self.birth_country, &self.birth_commune)?))
    }
}

#[derive(Deserialize)]
pub struct MemberForm {
    csrf: String,
    #[serde(flatten)]
    person: PersonFields,
    #[serde(default)]
    role: String,
    #[serde(default)]
    from: String,
    /// `1` once the worker saw the persons on file who look alike and adds all the same.
    #[serde(default)]
    confirmer: String,
}

/// What the worker typed in the member form, given back with an error or with the persons on
/// file who look alike, so that nothing has to be typed twice.
#[derive(Default)]
pub(crate) struct MemberDraft {
    pub(crate) person: PersonFields,
    pub(crate) role: String,
    pub(crate) from: String,
    pub(crate) similar: Vec<SimilarRow>,
}

pub async fn add_member(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<MemberForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let actor = &user.session.actor;
    let today = state.app.today();
    let parsed = (|| -> Result<_, InvalidInput> {
        Ok((f.person.parse(today)?, MemberRole::parse(&f.role)?, parse_date(&f.from)?))
    })();
    let draft = |similar| MemberDraft { person: f.person.clone(), role: f.role.clone(), from: f.from.clone(), similar };
    let result = match parsed {
        Ok((person, role, from)) => {
            // before adding: the persons on file the worker may read who look alike, once
            if f.confirmer != "1" {
                let similar = state.app.similar_to_new_member(actor, HouseholdId(id), &person).await?;
                if !similar.is_empty() {
                    return render_household_with(&state, &user, id, None, draft(similar_rows(similar))).await;
                }
            }
            state.app.add_member(actor, HouseholdId(id), person, role, from).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/menages/{id}#membres")).into_response()),
        Err(app::AppError::Invalid(e)) => {
            let error = FormError { form: "membre", message: e.to_string() };
            render_household_with(&state, &user, id, Some(error), draft(Vec::new())).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- a new household ----------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct NewHouseholdForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    person: PersonFields,
    #[serde(default)]
    commune: String,
    #[serde(default)]
    situation: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    identified_on: String,
    #[serde(default)]
    siao_number: String,
    #[serde(default)]
    housing_demand_number: String,
    /// `1` once the worker saw the persons on file who look alike and creates all the same.
    #[serde(default)]
    confirmer: String,
}

/// A person on file shown by the check at entry.
pub(crate) struct SimilarRow {
    pub(crate) household: i64,
    pub(crate) name: String,
    pub(crate) birth: String,
    pub(crate) commune: String,
    pub(crate) probability: String,
}

fn similar_rows(similar: Vec<app::entry_check::SimilarPerson>) -> Vec<SimilarRow> {
    similar
        .into_iter()
        .map(|p| SimilarRow {
            household: p.household.0,
            name: p.name,
            birth: opt_fr_date(p.birth_date),
            commune: p.commune.unwrap_or_else(|| "—".into()),
            // never « 100 % »: the engine is never certain
            probability: if p.probability >= 0.995 {
                "> 99 %".to_owned()
            } else {
                format!("{:.0} %", p.probability * 100.0)
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "household_new.html")]
struct NewHouseholdPage {
    layout: Layout,
    f: NewHouseholdForm,
    communes: Vec<Choice>,
    situations: Vec<Choice>,
    sexes: Vec<Choice>,
    countries: Vec<Choice>,
    error: Option<String>,
    today: String,
    similar: Vec<SimilarRow>,
}

async fn render_new(
    state: &AppState,
    user: &LoggedIn,
    f: NewHouseholdForm,
    error: Option<String>,
) -> Result<Response, WebError> {
    render_new_with(state, user, f, error, Vec::new()).await
}

async fn render_new_with(
    state: &AppState,
    user: &LoggedIn,
    f: NewHouseholdForm,
    error: Option<String>,
    similar: Vec<SimilarRow>,
) -> Result<Response, WebError> {
    let communes = state.app.communes().await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let sexes = [Sex::NonRenseigne, Sex::Femme, Sex::Homme];
    let body = NewHouseholdPage {
        layout: Layout::new(&user.session, "nouveau"),
        communes: communes
            .into_iter()
            .map(|c| Choice {
                selected: c.insee.as_str() == f.commune,
                value: c.insee.as_str().to_owned(),
                label: c.name,
            })
            .collect(),
        situations: choices(&Situation::ALL, Situation::code, Situation::label, Situation::parse(&f.situation).ok()),
        sexes: choices(
            &sexes,
            Sex::code,
            Sex::label,
            Sex::parse(&f.person.sex).ok().filter(|_| !f.person.sex.is_empty()),
        ),
        countries: country_choices(&f.person.birth_country),
        today: domain::format_date(state.app.today()),
        f,
        error,
        similar,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

pub async fn new_form(State(state): State<AppState>, user: LoggedIn) -> Result<Response, WebError> {
    if !domain::policy::may_create_household(&user.session.actor) {
        return Err(WebError::Forbidden);
    }
    render_new(&state, &user, NewHouseholdForm::default(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    user: LoggedIn,
    Form(f): Form<NewHouseholdForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let today = state.app.today();
    let parsed = (|| -> Result<app::households::NewHousehold, InvalidInput> {
        let reference = f.person.parse(today)?;
        let commune = if f.commune.is_empty() { None } else { Some(InseeCode::parse(&f.commune)?) };
        let identified_on = if f.identified_on.trim().is_empty() { today } else { parse_date(&f.identified_on)? };
        let situation_since = if f.since.trim().is_empty() { identified_on } else { parse_date(&f.since)? };
        Ok(app::households::NewHousehold {
            reference,
            commune,
            situation: Situation::parse(&f.situation)?,
            situation_since,
            identified_on,
            siao_number: Some(f.siao_number.clone()),
            housing_demand_number: Some(f.housing_demand_number.clone()),
        })
    })();
    // before creating: the persons on file the worker may read who look alike, once
    if let Ok(input) = &parsed {
        if f.confirmer != "1" {
            let similar =
                state.app.similar_persons(&user.session.actor, &input.reference, input.commune.as_ref()).await?;
            if !similar.is_empty() {
                let rows = similar_rows(similar);
                return render_new_with(&state, &user, f, None, rows).await;
            }
        }
    }
    let result = match parsed {
        Ok(input) => state.app.create_household(&user.session.actor, input).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/menages/{id}")).into_response()),
        Err(app::AppError::Invalid(e)) => render_new(&state, &user, f, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}
