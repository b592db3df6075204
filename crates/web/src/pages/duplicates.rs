//! `/doublons`: the review queue of possible duplicates across partners, each pair side by side
//! with the explanation of its score; decisions; unmerge from a household's file.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::identity::DecisionBasis;
use serde::Deserialize;

use crate::session::LoggedIn;
use crate::views::{opt_fr_date, page_number, Layout};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/doublons", get(queue))
        .route("/doublons/decisions", get(decisions))
        .route("/doublons/{id}", get(pair).post(decide))
        .route("/doublons/{id}/suivante", get(skip))
        .route("/doublons/{id}/avis", post(ask_opinion))
        .route("/fusions/{id}/annulation", post(unmerge))
        .route("/decisions/{id}/retrait", post(withdraw))
        .route("/liens/separation", post(separate))
}

fn id_of(s: &str) -> Result<i64, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

fn percent(p: f64) -> String {
    format!("{:.0} %", p * 100.0)
}

struct Row {
    id: i64,
    probability: String,
    a: app::duplicates::PersonRef,
    b: app::duplicates::PersonRef,
    /// Each side's commune name, `—` when none.
    communes: [String; 2],
    asked: bool,
}

/// The queue's filters, carried from the queue to each pair and on to the next.
#[derive(Debug, Clone, Default)]
struct Filter {
    /// An INSEE code (five letters or digits); anything else is no filter.
    commune: Option<String>,
    /// Only the pairs touching a household the user's structure follows.
    ours: bool,
}

/// The filters as a query or a form gives them.
#[derive(Deserialize)]
struct FilterFields {
    commune: Option<String>,
    suivis: Option<String>,
}

impl Filter {
    fn of(f: &FilterFields) -> Self {
        let commune = f.commune.as_deref();
        let commune =
            commune.filter(|c| c.len() == 5 && c.chars().all(|ch| ch.is_ascii_alphanumeric())).map(str::to_owned);
        Self { commune, ours: f.suivis.as_deref() == Some("1") }
    }

    /// The name of the filter's commune, even when nothing is left there (an unknown code as
    /// typed).
    async fn commune_name(&self, state: &AppState) -> Result<Option<String>, WebError> {
        let Some(code) = &self.commune else { return Ok(None) };
        let known = state.app.communes().await?.into_iter().find(|c| c.insee.as_str() == code.as_str());
        Ok(Some(known.map_or_else(|| code.clone(), |c| c.name)))
    }

    /// The same filter for the decisions' log.
    fn decisions(&self) -> app::decisions::DecisionFilter {
        app::decisions::DecisionFilter { commune: self.commune.clone(), ours: self.ours }
    }

    fn admits(&self, q: &app::duplicates::QueueEntry) -> bool {
        self.commune.as_deref().is_none_or(|c| q.in_commune(c)) && (!self.ours || q.ours)
    }

    /// `commune=…&suivis=1`, as much as is set.
    fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(c) = &self.commune {
            parts.push(format!("commune={c}"));
        }
        if self.ours {
            parts.push("suivis=1".to_owned());
        }
        parts.join("&")
    }

    /// The query to start a URL with (`?…`), or nothing.
    fn first(&self) -> String {
        let q = self.query();
        if q.is_empty() {
            q
        } else {
            format!("?{q}")
        }
    }

    /// The query to add to a URL's others (`&…`), or nothing.
    fn then(&self) -> String {
        let q = self.query();
        if q.is_empty() {
            q
        } else {
            format!("&{q}")
        }
    }
}

/// Pairs per page of the queue.
const QUEUE_PAGE: usize = 50;

#[derive(Template)]
#[template(path = "doublons.html")]
struct QueuePage {
    layout: Layout,
    rows: Vec<Row>,
    /// Pairs the user may review, on every page.
    total: usize,
    /// From 1.
    page: usize,
    pages: usize,
    /// Contradictory decisions the user may settle.
    contradictions: usize,
    /// The decision just taken, when it was the last pair.
    done: Option<&'static str>,
    /// The day of the last linkage run, if any.
    last_run: Option<String>,
    /// The reader may run the engine now ([`super::linkage_run`]).
    may_run: bool,
    /// A run asked from here is computing.
    running: bool,
    /// The communes of the pairs the user may review, with their number of pairs.
    communes: Vec<crate::views::Choice>,
    /// The name of the filter's commune.
    commune: Option<String>,
    filter: Filter,
}

#[derive(Deserialize)]
struct QueueQuery {
    page: Option<String>,
    fait: Option<String>,
    #[serde(flatten)]
    filter: FilterFields,
}

/// The pairs to review, most probable first, fifty a page.
async fn queue(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let page = page_number(q.page.as_deref())?;
    let contradictions = state.app.contradiction_ids(&user.session.actor).await?.len();
    let mut all = state.app.duplicate_queue(&user.session.actor).await?;
    // the communes of the pairs, each with its number of pairs (a pair counts in both of its)
    let mut by_commune: std::collections::BTreeMap<(String, String), usize> = std::collections::BTreeMap::new();
    for q in &all {
        let mut seen: Vec<&(String, String)> = q.communes.iter().flatten().collect();
        seen.dedup();
        for c in seen {
            *by_commune.entry((c.1.clone(), c.0.clone())).or_default() += 1;
        }
    }
    let filter = Filter::of(&q.filter);
    let commune = filter.commune_name(&state).await?;
    all.retain(|q| filter.admits(q));
    let communes = by_commune
        .into_iter()
        .map(|((name, code), n)| crate::views::Choice {
            selected: filter.commune.as_ref() == Some(&code),
            value: code,
            label: format!("{name} ({n})"),
        })
        .collect();
    let total = all.len();
    let rows = all
        .into_iter()
        .skip((page - 1) * QUEUE_PAGE)
        .take(QUEUE_PAGE)
        .map(|q| Row {
            id: q.candidate.id,
            probability: percent(q.candidate.probability),
            communes: q.communes.clone().map(|c| c.map_or_else(|| "—".to_owned(), |c| c.1)),
            a: q.a,
            b: q.b,
            asked: q.asked,
        })
        .collect();
    let page = QueuePage {
        layout: Layout::new(&user.session, "doublons"),
        rows,
        total,
        page,
        pages: total.div_ceil(QUEUE_PAGE).max(1),
        contradictions,
        done: decided(q.fait.as_deref()).or_else(|| super::linkage_run::notice(q.fait.as_deref())),
        last_run: state.app.last_linkage_run().await?.as_deref().map(crate::views::fr_timestamp),
        may_run: domain::policy::may_run_linkage(&user.session.actor),
        running: state.app.linkage_running(),
        communes,
        commune,
        filter,
    };
    Ok(Html(page.render()?).into_response())
}

struct SideView {
    person: i64,
    name: String,
    birth: String,
    birth_name: String,
    birth_place: String,
    sex: &'static str,
    commune: String,
    household: i64,
    followers: String,
    /// `DUPONT Marie (1984)`, and whether linked with a member of the other household.
    co_members: Vec<(String, bool)>,
}

fn side(s: &app::duplicates::Side) -> SideView {
    SideView {
        person: s.person.0,
        name: format!("{} {}", s.family_name.to_uppercase(), s.given_names),
        birth: opt_fr_date(s.birth_date),
        birth_name: s.birth.birth_name.clone().map_or_else(|| "—".into(), |n| n.to_uppercase()),
        birth_place: s.birth.place_label().unwrap_or_else(|| "—".into()),
        sex: s.sex,
        commune: s.commune.clone().unwrap_or_else(|| "—".into()),
        household: s.household.0,
        followers: if s.followers.is_empty() { "—".into() } else { s.followers.join(", ") },
        co_members: s
            .co_members
            .iter()
            .map(|m| match m.birth_year {
                Some(y) => (format!("{} ({y})", m.name), m.linked),
                None => (m.name.clone(), m.linked),
            })
            .collect(),
    }
}

/// The status line on a pair's page (`?fait=`): after a decision, on the next pair; after an ask
/// for opinions, on the same one.
fn pair_notice(fait: Option<&str>) -> Option<String> {
    match fait {
        Some("avis") => {
            Some("Demande d'avis envoyée : les personnes sollicitées la trouvent dans « À faire ».".to_owned())
        }
        Some("avis-personne") => Some(
            "Personne d'autre, dans les structures qui suivent ces ménages, ne peut examiner cette paire, ou ces personnes ont déjà été sollicitées.".to_owned(),
        ),
        Some("meme" | "differente") => decided(fait).map(|d| format!("{d} Paire suivante :")),
        _ => None,
    }
}

/// The status line after a decision (`?fait=`), on the next pair or on the queue.
fn decided(fait: Option<&str>) -> Option<&'static str> {
    match fait {
        Some("meme") => Some(
            "Décision enregistrée : même personne. Les deux fiches restent ; la fusion peut être annulée depuis les décisions prises.",
        ),
        Some("differente") => Some("Décision enregistrée : personnes différentes. La paire ne sera plus proposée."),
        Some("recalculee") => Some(
            "La file a été recalculée entre-temps : la paire ouverte n'y est plus telle quelle. Rien n'a été enregistré ; reprenez-la ci-dessous si elle y figure.",
        ),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "doublon.html")]
struct PairPage {
    layout: Layout,
    id: i64,
    probability: String,
    a: SideView,
    b: SideView,
    /// (field, level, weight as text, pulls towards same)
    explanation: Vec<(String, String, String, bool)>,
    /// The decision just taken on the previous pair.
    done: Option<String>,
    /// The queue's filters, carried on to the next pair.
    filter: Filter,
    /// The grounds a reviewer may give: (code, label, checked).
    grounds: Vec<(&'static str, &'static str, bool)>,
    /// « Avis demandé le … à N personne(s) », when opinions were asked.
    asked: Option<String>,
    /// « Déjà tranchée : … », when someone decided it since the queue was read.
    decided: Option<String>,
    /// The decision ticked when the form comes back with an error.
    chosen: Option<String>,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
struct PairQuery {
    fait: Option<String>,
    #[serde(flatten)]
    filter: FilterFields,
}

async fn pair(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Query(q): Query<PairQuery>,
) -> Result<Response, WebError> {
    let form = Answer { done: pair_notice(q.fait.as_deref()), decision: None, basis: None, error: None };
    render_pair(&state, &user, id_of(&id)?, Filter::of(&q.filter), form).await
}

/// What the pair's form shows besides the pair: the last decision's line, or this one's error.
struct Answer {
    done: Option<String>,
    decision: Option<String>,
    basis: Option<DecisionBasis>,
    error: Option<&'static str>,
}

async fn render_pair(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    filter: Filter,
    form: Answer,
) -> Result<Response, WebError> {
    let v = state.app.duplicate_pair(&user.session.actor, id).await?;
    let page = PairPage {
        done: form.done,
        filter,
        grounds: DecisionBasis::choices().map(|b| (b.code(), b.label(), form.basis == Some(b))).collect(),
        asked: v.asked.as_ref().map(|a| {
            format!(
                "Avis demandé le {} à {} personne(s) des structures qui suivent.",
                crate::views::fr_timestamp(&a.since),
                a.people
            )
        }),
        decided: v.decided.as_ref().map(|d| {
            let what = if d.same { "même personne" } else { "personnes différentes" };
            let by = d.by.as_deref().map(|b| format!(" ({b})")).unwrap_or_default();
            format!(
                "Cette paire est déjà tranchée : {what}, le {}, par {}{by} ; motif : {}.",
                crate::views::fr_timestamp(&d.decided_at),
                d.org,
                d.basis.label()
            )
        }),
        chosen: form.decision,
        error: form.error,
        layout: Layout::new(&user.session, "doublons"),
        id: v.id,
        probability: percent(v.probability),
        a: side(&v.a),
        b: side(&v.b),
        explanation: v
            .explanation
            .iter()
            .map(|w| (w.field.clone(), w.level.clone(), format!("{:+.1}", w.weight).replace('.', ","), w.weight > 0.0))
            .collect(),
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
struct DecisionForm {
    csrf: String,
    decision: Option<String>,
    motif: Option<String>,
    /// The two persons the page showed: the decision is theirs, whatever a run did meanwhile.
    a: Option<String>,
    b: Option<String>,
    /// The queue's filters: the next pair is taken within them.
    #[serde(flatten)]
    filter: FilterFields,
}

#[derive(Deserialize)]
struct AskForm {
    csrf: String,
    a: Option<String>,
    b: Option<String>,
    #[serde(flatten)]
    filter: FilterFields,
}

/// The two persons a pair's page showed, as its forms send them back.
fn shown(a: Option<&str>, b: Option<&str>) -> Result<(domain::PersonId, domain::PersonId), WebError> {
    let person = |p: Option<&str>| p.ok_or(WebError::Invalid).and_then(id_of).map(domain::PersonId);
    Ok((person(a)?, person(b)?))
}

/// An action on pair `id` that changed since its page was shown (`Err` holds the answer):
/// recomputed by a run, back to the queue, saying so; decided by someone else, back to the pair,
/// whose page says by whom and how.
fn unless_changed<T>(r: app::Result<T>, id: i64, filter: &Filter) -> Result<Result<T, Response>, WebError> {
    match r {
        Err(app::AppError::Invalid(e)) if e.field == "paire" => {
            Ok(Err(Redirect::to(&format!("/doublons?fait=recalculee{}", filter.then())).into_response()))
        }
        Err(app::AppError::Invalid(e)) if e.field == "doublon" => {
            Ok(Err(Redirect::to(&format!("/doublons/{id}{}", filter.first())).into_response()))
        }
        r => Ok(Ok(r?)),
    }
}

/// « Demander l'avis des structures qui suivent » : back on the pair, saying whether anyone was
/// asked.
async fn ask_opinion(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<AskForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let filter = Filter::of(&f.filter);
    let shown = shown(f.a.as_deref(), f.b.as_deref())?;
    let sent = match unless_changed(state.app.ask_opinion(&user.session.actor, id, shown).await, id, &filter)? {
        Ok(sent) => sent,
        Err(back) => return Ok(back),
    };
    let fait = if sent > 0 { "avis" } else { "avis-personne" };
    Ok(Redirect::to(&format!("/doublons/{id}?fait={fait}{}", filter.then())).into_response())
}

#[derive(Deserialize)]
struct SkipQuery {
    #[serde(flatten)]
    filter: FilterFields,
}

/// « Passer cette paire » : the pair after this one in the queue's order, within its filters
/// (back to the first after the last), or the queue when no other pair is left.
async fn skip(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Query(q): Query<SkipQuery>,
) -> Result<Response, WebError> {
    let id = id_of(&id)?;
    let filter = Filter::of(&q.filter);
    let queue: Vec<i64> = state
        .app
        .duplicate_queue(&user.session.actor)
        .await?
        .into_iter()
        .filter(|e| filter.admits(e))
        .map(|e| e.candidate.id)
        .collect();
    let after = queue.iter().position(|&c| c == id).map_or(0, |i| i + 1);
    let next = queue[after.min(queue.len())..].iter().chain(&queue).find(|&&c| c != id);
    Ok(match next {
        Some(n) => Redirect::to(&format!("/doublons/{n}{}", filter.first())),
        None => Redirect::to(&format!("/doublons{}", filter.first())),
    }
    .into_response())
}

async fn decide(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = id_of(&id)?;
    let filter = Filter::of(&f.filter);
    let same = match f.decision.as_deref() {
        Some("meme") => Some(true),
        Some("differente") => Some(false),
        None | Some("") => None,
        Some(_) => return Err(WebError::Invalid),
    };
    let basis = f.motif.as_deref().and_then(|m| DecisionBasis::parse_choice(m).ok());
    let (Some(same), Some(basis)) = (same, basis) else {
        // the form again, with what was ticked, rather than an error page
        let error = if same.is_none() {
            "Choisissez « même personne » ou « personnes différentes »."
        } else {
            "Indiquez sur quoi repose votre décision."
        };
        let form = Answer { done: None, decision: f.decision, basis, error: Some(error) };
        return render_pair(&state, &user, id, filter, form).await;
    };
    let shown = shown(f.a.as_deref(), f.b.as_deref())?;
    let decided = state.app.decide_pair(&user.session.actor, id, shown, same, basis).await;
    if let Err(back) = unless_changed(decided, id, &filter)? {
        return Ok(back);
    }
    // on to the next pair (the most probable left), as a reviewer works through the queue
    let next = state
        .app
        .duplicate_queue(&user.session.actor)
        .await?
        .into_iter()
        .find(|q| q.candidate.id != id && filter.admits(q));
    let fait = if same { "meme" } else { "differente" };
    let keep = filter.then();
    Ok(match next {
        Some(q) => Redirect::to(&format!("/doublons/{}?fait={fait}{keep}", q.candidate.id)),
        None => Redirect::to(&format!("/doublons?fait={fait}{keep}")),
    }
    .into_response())
}

#[derive(Deserialize)]
struct UnmergeForm {
    csrf: String,
    /// The household file the merge was undone from…
    household: Option<String>,
    /// …or `decisions`: back to the decisions' page, filtered as it was.
    retour: Option<String>,
    #[serde(flatten)]
    filter: FilterFields,
}

#[derive(Deserialize)]
struct SeparateForm {
    csrf: String,
    household: String,
    here: String,
    other: String,
    motif: Option<String>,
}

/// « Not the same person » on an automatic link of a household's file.
async fn separate(
    State(state): State<AppState>,
    user: LoggedIn,
    Form(f): Form<SeparateForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let household = domain::HouseholdId(id_of(&f.household)?);
    let (here, other) = (domain::PersonId(id_of(&f.here)?), domain::PersonId(id_of(&f.other)?));
    let basis = DecisionBasis::parse_choice(f.motif.as_deref().unwrap_or_default()).map_err(|_| WebError::Invalid)?;
    state.app.separate(&user.session.actor, household, (here, other), basis).await?;
    Ok(Redirect::to(&format!("/menages/{}#rapprochements", household.0)).into_response())
}

async fn unmerge(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<UnmergeForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let back = match (f.retour.as_deref(), f.household.as_deref()) {
        (Some("decisions"), _) => format!("/doublons/decisions?fait=fusion{}", Filter::of(&f.filter).then()),
        (_, Some(h)) => format!("/menages/{}", id_of(h)?),
        _ => return Err(WebError::Invalid),
    };
    state.app.unmerge(&user.session.actor, id_of(&id)?).await?;
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "decisions.html")]
struct DecisionsPage {
    layout: Layout,
    contradictions: Vec<app::decisions::Contradiction>,
    decisions: Vec<app::decisions::DecisionView>,
    /// From 1.
    page: usize,
    more: bool,
    done: Option<&'static str>,
    /// The communes of the decisions the user may review, with their number of decisions.
    communes: Vec<crate::views::Choice>,
    /// The name of the filter's commune.
    commune: Option<String>,
    filter: Filter,
}

impl DecisionsPage {
    fn day(&self, timestamp: &str) -> String {
        crate::views::fr_day(timestamp)
    }

    fn hour(&self, timestamp: &str) -> String {
        crate::views::fr_hour(timestamp).unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct DecisionsQuery {
    page: Option<String>,
    fait: Option<String>,
    #[serde(flatten)]
    filter: FilterFields,
}

/// The decisions taken on pairs the user may review, contradictions first.
async fn decisions(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(q): Query<DecisionsQuery>,
) -> Result<Response, WebError> {
    let page = page_number(q.page.as_deref())?;
    let filter = Filter::of(&q.filter);
    let log = state.app.decision_log(&user.session.actor, page - 1, &filter.decisions()).await?;
    let commune = filter.commune_name(&state).await?;
    let communes = log
        .communes
        .iter()
        .map(|(code, name, n)| crate::views::Choice {
            selected: filter.commune.as_ref() == Some(code),
            value: code.clone(),
            label: format!("{name} ({n})"),
        })
        .collect();
    let done = match q.fait.as_deref() {
        Some("fusion") => Some("La fusion est annulée : les deux fiches sont de nouveau indépendantes."),
        Some("retrait") => Some(
            "La décision « personnes différentes » est retirée : les liens que le moteur avait trouvés entre les deux fiches valent de nouveau, et le prochain rapprochement pourra proposer la paire.",
        ),
        _ => None,
    };
    let page = DecisionsPage {
        layout: Layout::new(&user.session, "doublons"),
        contradictions: log.contradictions,
        decisions: log.decisions,
        page,
        more: log.more,
        done,
        communes,
        commune,
        filter,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize)]
struct WithdrawForm {
    csrf: String,
    /// The household file it was withdrawn from (otherwise: back to the decisions' page,
    /// filtered as it was).
    household: Option<String>,
    #[serde(flatten)]
    filter: FilterFields,
}

/// Withdraws a « personnes différentes » decision.
async fn withdraw(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<WithdrawForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let back = match f.household.as_deref() {
        Some(h) => format!("/menages/{}#rapprochements", id_of(h)?),
        None => format!("/doublons/decisions?fait=retrait{}", Filter::of(&f.filter).then()),
    };
    state.app.withdraw_rejection(&user.session.actor, id_of(&id)?).await?;
    Ok(Redirect::to(&back).into_response())
}
