//! The CCA's screens: the manager's inbox and referrals (form, page, attachments). Sessions and
//! minutes are in [`super::cca_sessions`].

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::cca::referral::ReferralContent;
use domain::cca::{Need, Outcome, ReferralState, SessionState};
use domain::{format_date, parse_date, HouseholdId};
use serde::Deserialize;

use crate::session::LoggedIn;
use crate::views::{fr_date, opt_fr_date, Choice, Layout};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cca", get(inbox))
        .route("/menages/{id}/saisine", get(new_referral))
        .route("/cca/saisines", post(create_referral))
        .route("/cca/saisines/{id}", get(show_referral).post(update_referral))
        .route("/cca/saisines/{id}/soumettre", post(submit))
        .route("/cca/saisines/{id}/retirer", post(withdraw))
        .route("/cca/saisines/{id}/verification", post(check))
        .route("/cca/saisines/{id}/inscription", post(put_on_agenda))
        // Attachments go up to 5 MB (axum's default body limit is 2 MB); the use case checks the size.
        .route(
            "/cca/saisines/{id}/pieces",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(app::cca::MAX_ATTACHMENT_BYTES + 64 * 1024)),
        )
        .route("/cca/saisines/{id}/pieces/{piece}", get(download))
}

pub(super) fn id_of(s: &str) -> Result<i64, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

pub(super) fn values<'a>(pairs: &'a [(String, String)], key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    pairs.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
}

pub(super) fn value<'a>(pairs: &'a [(String, String)], key: &'a str) -> &'a str {
    values(pairs, key).next().unwrap_or_default()
}

pub(super) fn kind_choices(kinds: &[(String, String, i64, bool)], current: Option<&str>) -> Vec<Choice> {
    kinds
        .iter()
        .filter(|k| k.3 || current == Some(k.0.as_str()))
        .map(|k| Choice { value: k.0.clone(), label: k.1.clone(), selected: current == Some(k.0.as_str()) })
        .collect()
}

// ---- inbox

struct InboxGroup {
    id: &'static str,
    title: &'static str,
    rows: Vec<InboxRow>,
}

struct InboxRow {
    r: app::cca::ReferralRow,
    submitted: String,
    /// "en attente depuis N j" when over the configured delay.
    late: Option<i64>,
}

#[derive(Template)]
#[template(path = "cca_inbox.html")]
struct InboxPage {
    layout: Layout,
    manager: bool,
    groups: Vec<InboxGroup>,
    wait_days: i64,
}

async fn inbox(State(state): State<AppState>, user: LoggedIn) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let today = state.app.today();
    let manager = domain::policy::may(actor, domain::policy::Action::ManageCca, today);
    let writer = domain::policy::may_create_household(actor);
    let member = actor.has(domain::user::Role::MembreCommission);
    if !manager && !writer {
        return if member { Ok(Redirect::to("/cca/seances").into_response()) } else { Err(WebError::Forbidden) };
    }
    let rows = state.app.referrals(actor, &[]).await?;
    let wait = state.app.config.referral_wait_days;
    let group = |id, title, states: &[ReferralState]| InboxGroup {
        id,
        title,
        rows: rows
            .iter()
            .filter(|r| states.contains(&r.state))
            .map(|r| InboxRow {
                r: r.clone(),
                submitted: opt_fr_date(r.submitted_on),
                late: r.waiting_days.filter(|w| *w >= wait),
            })
            .collect(),
    };
    let groups = if manager {
        vec![
            group("a-verifier", "À vérifier", &[ReferralState::Soumise]),
            group("complements", "Compléments demandés au référent", &[ReferralState::ComplementsDemandes]),
            group("a-inscrire", "À inscrire à une séance", &[ReferralState::Complete, ReferralState::Ajournee]),
            group("inscrites", "Inscrites à une séance", &[ReferralState::Inscrite]),
            group(
                "decidees",
                "Décidées",
                &[ReferralState::Accordee, ReferralState::Refusee, ReferralState::Reorientee],
            ),
            group("brouillons", "Brouillons de ma structure", &[ReferralState::Brouillon]),
        ]
    } else {
        vec![
            group("brouillons", "Brouillons", &[ReferralState::Brouillon]),
            group("complements", "Compléments demandés", &[ReferralState::ComplementsDemandes]),
            group(
                "en-cours",
                "En cours d'examen",
                &[ReferralState::Soumise, ReferralState::Complete, ReferralState::Inscrite, ReferralState::Ajournee],
            ),
            group(
                "decidees",
                "Décidées ou retirées",
                &[ReferralState::Accordee, ReferralState::Refusee, ReferralState::Reorientee, ReferralState::Retiree],
            ),
        ]
    };
    let page = InboxPage { layout: Layout::new(&user.session, "cca"), manager, groups, wait_days: wait };
    Ok(Html(page.render()?).into_response())
}

// ---- referral form and page

#[derive(Template)]
#[template(path = "cca_referral_form.html")]
struct ReferralFormPage {
    layout: Layout,
    household: i64,
    household_name: String,
    needs: Vec<Choice>,
    kinds: Vec<Choice>,
    content: ReferralContent,
    notice: String,
    today: String,
    error: Option<String>,
}

async fn new_referral(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = id_of(&id)?;
    let view = state.app.open_household(&user.session.actor, HouseholdId(id)).await?;
    if !view.rights.write {
        return Err(WebError::NotFound);
    }
    render_referral_form(&state, &user, id, view.name, ReferralContent::default(), None, StatusCode::OK).await
}

async fn render_referral_form(
    state: &AppState,
    user: &LoggedIn,
    household: i64,
    household_name: String,
    content: ReferralContent,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let kinds = state.app.measure_kinds().await?;
    let page = ReferralFormPage {
        layout: Layout::new(&user.session, "cca"),
        household,
        household_name,
        needs: need_choices(&content.needs),
        kinds: kind_choices(&kinds, content.measure_asked.as_deref()),
        notice: content.notice_given_on.map(format_date).unwrap_or_default(),
        content,
        today: format_date(state.app.today()),
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

fn need_choices(selected: &[Need]) -> Vec<Choice> {
    Need::ALL
        .iter()
        .map(|n| Choice { value: n.code().into(), label: n.label().into(), selected: selected.contains(n) })
        .collect()
}

fn content_of(pairs: &[(String, String)]) -> Result<ReferralContent, domain::InvalidInput> {
    let needs = values(pairs, "needs").map(Need::parse).collect::<Result<Vec<_>, _>>()?;
    let notice = match value(pairs, "notice_given_on").trim() {
        "" => None,
        d => Some(parse_date(d)?),
    };
    let measure = Some(value(pairs, "measure_asked").trim().to_owned()).filter(|m| !m.is_empty());
    Ok(ReferralContent {
        needs,
        needs_detail: value(pairs, "needs_detail").trim().to_owned(),
        wishes: value(pairs, "wishes").trim().to_owned(),
        measure_asked: measure,
        motivation: value(pairs, "motivation").trim().to_owned(),
        previous_measures: value(pairs, "previous_measures").trim().to_owned(),
        notice_given_on: notice,
    })
}

async fn create_referral(
    State(state): State<AppState>,
    user: LoggedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    user.check_csrf(value(&pairs, "csrf"))?;
    let household = id_of(value(&pairs, "household"))?;
    let actor = &user.session.actor;
    let result = async {
        let content = content_of(&pairs)?;
        state.app.create_referral(actor, HouseholdId(household), &content, None).await
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/cca/saisines/{id}")).into_response()),
        Err(app::AppError::Invalid(e)) => {
            let view = state.app.open_household(actor, HouseholdId(household)).await?;
            let content = content_of(&pairs).unwrap_or_default();
            render_referral_form(
                &state,
                &user,
                household,
                view.name,
                content,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

struct StepLine {
    at: String,
    text: String,
    by: String,
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "cca_referral.html")]
struct ReferralPage {
    layout: Layout,
    v: app::cca::ReferralView,
    state_label: &'static str,
    needs_labels: Vec<&'static str>,
    needs: Vec<Choice>,
    kinds: Vec<Choice>,
    content: ReferralContent,
    situation_at_submission: String,
    situation_now: String,
    notice_fr: String,
    notice: String,
    submitted: String,
    steps: Vec<StepLine>,
    decisions: Vec<(String, &'static str, String)>,
    sessions: Vec<Choice>,
    missing: Vec<&'static str>,
    today: String,
    error: Option<(&'static str, String)>,
    may_submit: bool,
    may_withdraw: bool,
    may_check: bool,
    may_inscribe: bool,
    may_attach: bool,
}

async fn render_referral(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    error: Option<(&'static str, String)>,
) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let v = state.app.referral(actor, id).await?;
    let kinds = state.app.measure_kinds().await?;
    let label = |code: &str| ReferralState::parse(code).map(|s| s.label()).unwrap_or("—");
    let steps = v
        .steps
        .iter()
        .map(|s| StepLine {
            at: crate::views::fr_day(&s.at),
            text: format!("{} → {}", label(&s.from), label(&s.to)),
            by: format!("{}{}", s.by.clone().map(|b| format!("{b}, ")).unwrap_or_default(), s.org_name),
            message: s.message.clone(),
        })
        .collect();
    let decisions = v
        .decisions
        .iter()
        .map(|d| {
            let detail = match d.outcome {
                Outcome::Accorde => {
                    app_label(&kinds, d.measure_kind.as_deref()).map(|m| format!("Mesure : {m}")).unwrap_or_default()
                }
                Outcome::Reoriente => format!("Vers : {}", d.redirected_to),
                _ => d.reason.clone(),
            };
            (fr_date(d.decided_on), d.outcome.label(), detail)
        })
        .collect();
    let manager = v.may_manage;
    let sessions = if manager && matches!(v.record.state, ReferralState::Complete | ReferralState::Ajournee) {
        state
            .app
            .cca_sessions(actor)
            .await?
            .into_iter()
            .filter(|s| s.state != SessionState::Close)
            .map(|s| Choice {
                value: s.id.to_string(),
                label: format!(
                    "Séance du {}{}",
                    fr_date(s.date),
                    if s.place.is_empty() { String::new() } else { format!(" — {}", s.place) }
                ),
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let st = v.record.state;
    let page = ReferralPage {
        layout: Layout::new(&user.session, "cca"),
        state_label: st.label(),
        needs_labels: v.record.content.needs.iter().map(|n| n.label()).collect(),
        needs: need_choices(&v.record.content.needs),
        content: v.record.content.clone(),
        kinds: kind_choices(&kinds, v.record.content.measure_asked.as_deref()),
        situation_at_submission: v
            .record
            .situation_at_submission
            .as_deref()
            .and_then(|s| domain::situation::Situation::parse(s).ok())
            .map_or("—", |s| s.label())
            .to_owned(),
        situation_now: v.situation_now.map_or("—", |s| s.label()).to_owned(),
        notice_fr: opt_fr_date(v.record.content.notice_given_on),
        notice: v.record.content.notice_given_on.map(format_date).unwrap_or_default(),
        submitted: opt_fr_date(v.record.submitted_on),
        steps,
        decisions,
        sessions,
        missing: v.record.content.missing(),
        today: format_date(state.app.today()),
        error,
        may_submit: v.may_edit && st.is_editable(),
        may_withdraw: v.may_edit && st.next(domain::cca::ReferralEvent::Retirer).is_ok(),
        may_check: manager && st == ReferralState::Soumise,
        may_inscribe: manager && matches!(st, ReferralState::Complete | ReferralState::Ajournee),
        may_attach: v.may_edit && !st.is_final(),
        v,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Html(page.render()?)).into_response())
}

pub(super) use app::cca::label_of as app_label;

async fn show_referral(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render_referral(&state, &user, id_of(&id)?, None).await
}

async fn after(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    form: &'static str,
    r: Result<(), app::AppError>,
) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/cca/saisines/{id}")).into_response()),
        Err(app::AppError::Invalid(e)) => render_referral(state, user, id, Some((form, e.to_string()))).await,
        Err(e) => Err(e.into()),
    }
}

async fn update_referral(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    user.check_csrf(value(&pairs, "csrf"))?;
    let id = id_of(&id)?;
    let r = async { state.app.update_referral(&user.session.actor, id, &content_of(&pairs)?).await }.await;
    after(&state, &user, id, "contenu", r).await
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    pub(super) csrf: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    session: String,
}

async fn submit(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = state.app.submit_referral(&user.session.actor, id).await;
    after(&state, &user, id, "soumettre", r).await
}

async fn withdraw(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let r = state.app.withdraw_referral(&user.session.actor, id, &f.message).await;
    after(&state, &user, id, "retirer", r).await
}

async fn check(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let complete = f.decision == "complete";
    let r = state.app.check_referral(&user.session.actor, id, complete, &f.message).await;
    after(&state, &user, id, "verification", r).await
}

async fn put_on_agenda(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let session = id_of(&f.session)?;
    match state.app.add_to_agenda(&user.session.actor, session, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/cca/seances/{session}")).into_response()),
        Err(app::AppError::Invalid(e)) => {
            render_referral(&state, &user, id, Some(("inscription", e.to_string()))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Multipart upload: the CSRF field must come first in the form (it does in ours).
async fn upload(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let id = id_of(&id)?;
    let mut csrf_ok = false;
    let mut file: Option<(String, String, Vec<u8>)> = None;
    // A body over the limit, or cut short, fails while reading: say so next to the form.
    let too_big = || -> Result<(), app::AppError> {
        Err(domain::InvalidInput::new("pièce jointe", "fichier de plus de 5 Mo, ou envoi interrompu").into())
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return after(&state, &user, id, "pieces", too_big()).await,
        };
        match field.name() {
            Some("csrf") => {
                let v = field.text().await.map_err(|_| WebError::Invalid)?;
                user.check_csrf(&v)?;
                csrf_ok = true;
            }
            Some("piece") if csrf_ok => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let media = field.content_type().unwrap_or("application/octet-stream").to_owned();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, media, bytes.to_vec())),
                    Err(_) => return after(&state, &user, id, "pieces", too_big()).await,
                }
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(WebError::BadCsrf);
    }
    let r = match file {
        Some((name, media, bytes)) => {
            state.app.add_attachment(&user.session.actor, id, &name, &media, &bytes).await.map(|_| ())
        }
        None => Err(domain::InvalidInput::new("pièce jointe", "choisir un fichier").into()),
    };
    after(&state, &user, id, "pieces", r).await
}

async fn download(
    State(state): State<AppState>,
    user: LoggedIn,
    Path((id, piece)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (name, media, bytes) = state.app.attachment(&user.session.actor, id_of(&id)?, id_of(&piece)?).await?;
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    Ok((
        [
            (header::CONTENT_TYPE, media),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
