//! `/menages`: the by-name list, a household's file, and the forms that record what happened.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use domain::household::{HouseholdType, MemberRole, Sex};
use domain::pathway::EventKind;
use domain::policy::SharingScope;
use domain::situation::Situation;
use domain::status::Status;
use domain::tenancy::{DwellingNeed, ResourcesBand};
use domain::territory::InseeCode;
use domain::timeline::Entry;
use domain::{parse_date, HouseholdId};
use serde::Deserialize;

use super::person_entry::MemberDraft;
use crate::session::LoggedIn;
use crate::views::{choices, country_choices, fr_date, opt_fr_date, Choice, Layout};
use crate::{AppState, WebError};

// ---- the list ---------------------------------------------------------------------------------

#[derive(Deserialize, Default, Debug, Clone, serde::Serialize)]
pub struct ListParams {
    #[serde(default)]
    statut: String,
    #[serde(default)]
    situation: String,
    #[serde(default)]
    commune: String,
    #[serde(default, rename = "type")]
    household_type: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<usize>,
}

impl ListParams {
    /// Unknown codes are ignored (the filter is simply not applied), as a search form should.
    fn filter(&self) -> app::households::ListFilter {
        app::households::ListFilter {
            status: Status::parse(&self.statut).ok(),
            situation: Situation::parse(&self.situation).ok(),
            commune: InseeCode::parse(&self.commune).ok(),
            household_type: HouseholdType::parse(&self.household_type).ok(),
            name: self.q.chars().take(100).collect(),
            page: self.page.unwrap_or(1),
            only: None,
        }
    }

    fn href(&self, change: impl FnOnce(&mut Self)) -> String {
        let mut p = self.clone();
        change(&mut p);
        let pairs: Vec<(&str, String)> = [
            ("statut", p.statut),
            ("situation", p.situation),
            ("commune", p.commune),
            ("type", p.household_type),
            ("q", p.q),
            ("page", p.page.filter(|n| *n > 1).map(|n| n.to_string()).unwrap_or_default()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        let qs = serde_urlencoded::to_string(pairs).unwrap_or_default();
        if qs.is_empty() {
            "/menages".into()
        } else {
            format!("/menages?{qs}")
        }
    }
}

struct Row {
    href: String,
    name: String,
    members: usize,
    household_type: &'static str,
    situation: &'static str,
    status_code: &'static str,
    status: &'static str,
    last_contact: String,
    commune: String,
    referent: String,
}

struct StatusChip {
    label: &'static str,
    count: usize,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    matching: usize,
    visible: usize,
    chips: Vec<StatusChip>,
    all_href: String,
    no_status_filter: bool,
    statuses: Vec<Choice>,
    situations: Vec<Choice>,
    communes: Vec<Choice>,
    types: Vec<Choice>,
    q: String,
    page: usize,
    pages: usize,
    prev_href: Option<String>,
    next_href: Option<String>,
    no_scope: bool,
    exact_result: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(params): Query<ListParams>,
) -> Result<Response, WebError> {
    render_list(&state, &user, &params, params.filter(), None).await
}

#[derive(Deserialize, Default)]
pub struct ExactParams {
    #[serde(default)]
    nom: String,
    #[serde(default)]
    prenom: String,
    #[serde(default)]
    naissance: String,
}

/// Exact search by names and birth date through the keyed blind index: no name is ever compared
/// in clear in the database, and only households the user may read are returned.
pub async fn exact(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(p): Query<ExactParams>,
) -> Result<Response, WebError> {
    let params = ListParams::default();
    let birth = if p.naissance.trim().is_empty() { Ok(None) } else { parse_date(&p.naissance).map(Some) };
    let (filter, message) = match birth {
        Err(e) => (app::households::ListFilter { only: Some(Vec::new()), ..params.filter() }, e.to_string()),
        Ok(birth) => {
            let ids = state.app.exact_search(&user.session.actor, &p.nom, &p.prenom, birth).await?;
            let message =
                format!("Recherche exacte : {} ménage(s) trouvé(s) parmi ceux que vous pouvez consulter.", ids.len());
            (app::households::ListFilter { only: Some(ids), ..params.filter() }, message)
        }
    };
    render_list(&state, &user, &params, filter, Some(message)).await
}

async fn render_list(
    state: &AppState,
    user: &LoggedIn,
    params: &ListParams,
    filter: app::households::ListFilter,
    exact_result: Option<String>,
) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let page = state.app.list_households(actor, &filter).await?;
    let communes = state.app.communes().await?;
    let rows = page
        .rows
        .into_iter()
        .map(|r| Row {
            href: format!("/menages/{}", r.id),
            name: r.name,
            members: r.members,
            household_type: r.household_type.label(),
            situation: r.situation.map_or("—", Situation::label),
            status_code: r.status.map_or("inconnu", Status::code),
            status: r.status.map_or("Non renseigné", Status::label),
            last_contact: opt_fr_date(r.last_contact),
            commune: r.commune.unwrap_or_else(|| "—".into()),
            referent: r.referent.unwrap_or_else(|| "—".into()),
        })
        .collect();
    let chips = page
        .by_status
        .iter()
        .map(|(s, n)| StatusChip {
            label: s.label(),
            count: *n,
            href: params.href(|p| {
                p.statut = s.code().into();
                p.page = None;
            }),
            current: filter.status == Some(*s),
        })
        .collect();
    let body = ListPage {
        layout: Layout::new(&user.session, "menages"),
        rows,
        matching: page.matching,
        visible: page.visible,
        chips,
        all_href: params.href(|p| {
            p.statut.clear();
            p.page = None;
        }),
        no_status_filter: filter.status.is_none(),
        statuses: choices(&Status::ALL, Status::code, Status::label, filter.status),
        situations: choices(&Situation::ALL, Situation::code, Situation::label, filter.situation),
        communes: communes
            .into_iter()
            .map(|c| Choice {
                selected: filter.commune.as_ref() == Some(&c.insee),
                value: c.insee.as_str().to_owned(),
                label: c.name,
            })
            .collect(),
        types: choices(&HouseholdType::ALL, HouseholdType::code, HouseholdType::label, filter.household_type),
        q: params.q.clone(),
        page: page.page,
        pages: page.pages,
        prev_href: (page.page > 1).then(|| params.href(|p| p.page = Some(page.page - 1))),
        next_href: (page.page < page.pages).then(|| params.href(|p| p.page = Some(page.page + 1))),
        no_scope: domain::policy::list_scope(actor, domain::policy::Action::ReadFile, state.app.today()).is_nothing(),
        exact_result,
    }
    .render()?;
    Ok(Html(body).into_response())
}

// ---- one household ----------------------------------------------------------------------------

struct MemberView {
    name: String,
    /// « née Dupont », « né Dupont » (`None` when no birth name is known).
    birth_name: Option<String>,
    role: &'static str,
    /// « né », « née », « né·e » (as the sex says).
    born: &'static str,
    birth: String,
    /// Commune and country of birth, as far as known.
    birth_place: Option<String>,
    sex: &'static str,
    period: String,
}

struct TimelineView {
    date: String,
    iso: String,
    kind: &'static str,
    title: String,
    detail: String,
    source: String,
    note: Option<String>,
}

struct FollowView {
    org: String,
    referent: bool,
    period: String,
}

/// A form's error, shown next to the form it concerns.
pub(crate) struct FormError {
    pub(crate) form: &'static str,
    pub(crate) message: String,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    layout: Layout,
    id: i64,
    name: String,
    status_code: &'static str,
    status: &'static str,
    household_type: &'static str,
    situation: String,
    since: String,
    last_contact: String,
    commune: String,
    created: String,
    members: Vec<MemberView>,
    past_members: Vec<MemberView>,
    timeline: Vec<TimelineView>,
    follows: Vec<FollowView>,
    past_follows: Vec<FollowView>,
    refs: Vec<(String, String)>,
    may_write: bool,
    today: String,
    situations: Vec<Choice>,
    event_kinds: Vec<Choice>,
    member_roles: Vec<Choice>,
    member_sexes: Vec<Choice>,
    countries: Vec<Choice>,
    error: Option<FormError>,
    /// The member form's values, and the persons on file who look like the one being added.
    member: MemberDraft,
    may_read_sensitive: bool,
    restricted: bool,
    notice: Option<String>,
    notice_version: &'static str,
    sharing: Vec<SharingView>,
    bands: Vec<Choice>,
    dwelling: Vec<Choice>,
    tenancy_shared: bool,
    cca: app::cca::HouseholdCca,
    merges: Vec<app::duplicates::MergeView>,
    links: Vec<app::links::LinkView>,
    /// The grounds of a « not the same person » on a link: (code, label).
    grounds: Vec<(&'static str, &'static str)>,
    rejections: Vec<app::decisions::RejectionView>,
    proposals: Vec<ProposalLine>,
    referral_rows: Vec<(i64, &'static str, String)>,
    measure_rows: Vec<(i64, String, &'static str, String)>,
}

/// A dwelling proposed to the household, as its file shows it.
struct ProposalLine {
    id: i64,
    what: String,
    by: String,
    on: String,
    answer: &'static str,
    may_answer: bool,
}

struct SharingView {
    code: &'static str,
    label: &'static str,
    current: &'static str,
}

fn member_view(
    births: &std::collections::HashMap<domain::PersonId, domain::identity::BirthIdentity>,
) -> impl Fn(&domain::household::Membership) -> MemberView + '_ {
    move |m| member_view_of(m, births.get(&m.person.id))
}

fn member_view_of(m: &domain::household::Membership, birth: Option<&domain::identity::BirthIdentity>) -> MemberView {
    let born = match m.person.sex {
        Sex::Femme => "née",
        Sex::Homme => "né",
        Sex::NonRenseigne => "né·e",
    };
    MemberView {
        name: format!("{} {}", m.person.family_name.to_uppercase(), m.person.given_names),
        birth_name: birth.and_then(|b| b.birth_name.as_ref()).map(|n| format!("{born} {}", n.to_uppercase())),
        role: m.role.label(),
        born,
        birth: opt_fr_date(m.person.birth_date),
        birth_place: birth.and_then(domain::identity::BirthIdentity::place_label),
        sex: m.person.sex.label(),
        period: match m.to {
            Some(to) => format!("du {} au {}", fr_date(m.from), fr_date(to)),
            None => format!("depuis le {}", fr_date(m.from)),
        },
    }
}

fn follow_view(f: &app::households::FollowRecord) -> FollowView {
    FollowView {
        org: f.org_name.clone(),
        referent: f.referent,
        period: match f.to {
            Some(to) => format!("du {} au {}", fr_date(f.from), fr_date(to)),
            None => format!("depuis le {}", fr_date(f.from)),
        },
    }
}

fn timeline_view(t: &app::households::TimelineItem) -> TimelineView {
    let source = match &t.author {
        Some(a) => format!("{} — {}", t.org_name, a),
        None => t.org_name.clone(),
    };
    match &t.entry {
        Entry::Period { situation, start, end } => TimelineView {
            date: fr_date(*start),
            iso: domain::format_date(*start),
            kind: "periode",
            title: situation.label().to_owned(),
            detail: match end {
                Some(e) => format!("jusqu'au {}", fr_date(*e)),
                None => "situation en cours".into(),
            },
            source,
            note: None,
        },
        Entry::Event { kind, date } => TimelineView {
            date: fr_date(*date),
            iso: domain::format_date(*date),
            kind: "evenement",
            title: kind.label().to_owned(),
            detail: String::new(),
            source,
            note: t.note.clone(),
        },
    }
}

impl HouseholdPage {
    /// The day of a stored timestamp, in French.
    fn day(&self, timestamp: &str) -> String {
        crate::views::fr_day(timestamp)
    }
}

async fn render_household(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    error: Option<FormError>,
) -> Result<Response, WebError> {
    render_household_with(state, user, id, error, MemberDraft::default()).await
}

/// The file, with the member form as the worker left it.
pub(crate) async fn render_household_with(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    error: Option<FormError>,
    member: MemberDraft,
) -> Result<Response, WebError> {
    let v = state.app.open_household(&user.session.actor, HouseholdId(id)).await?;
    let cca = state.app.household_cca(&user.session.actor, HouseholdId(id)).await?;
    let merges = state.app.household_merges(&user.session.actor, HouseholdId(id)).await?;
    let links = state.app.household_links(&user.session.actor, HouseholdId(id)).await?;
    let rejections = state.app.household_rejections(&user.session.actor, HouseholdId(id)).await?;
    let proposals = state
        .app
        .household_proposals(&user.session.actor, HouseholdId(id))
        .await?
        .into_iter()
        .map(|p| ProposalLine {
            id: p.proposal.id,
            what: format!(
                "{} à {}, {} € par mois charges comprises, disponible le {}",
                p.dwelling.dwelling.typology(),
                p.dwelling.commune_name,
                p.dwelling.dwelling.rent,
                fr_date(p.dwelling.dwelling.available_on)
            ),
            by: p.proposal.org_name.clone(),
            on: crate::views::fr_day(&p.proposal.proposed_at),
            answer: match p.proposal.accepted {
                Some(true) => "acceptée",
                Some(false) => "refusée",
                None => "en attente de réponse",
            },
            may_answer: p.may_answer,
        })
        .collect();
    let referral_rows = cca.referrals.iter().map(|r| (r.0, r.1.label(), opt_fr_date(r.2))).collect();
    let measure_rows = cca
        .measures
        .iter()
        .map(|m| {
            let period = match (m.start, m.end) {
                (Some(s), Some(e)) => format!("du {} au {}", fr_date(s), fr_date(e)),
                (Some(s), None) => format!("depuis le {}", fr_date(s)),
                _ => String::new(),
            };
            (m.id, m.kind_label.clone(), m.state.label(), period)
        })
        .collect();
    let today = state.app.today();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let sexes = [Sex::NonRenseigne, Sex::Femme, Sex::Homme];
    let body = HouseholdPage {
        layout: Layout::new(&user.session, "menages"),
        id,
        name: v.name,
        status_code: v.status.map_or("inconnu", Status::code),
        status: v.status.map_or("Non renseigné", Status::label),
        household_type: v.household_type.label(),
        situation: v.current.as_ref().map_or_else(|| "Non renseignée".into(), |p| p.situation.label().to_owned()),
        since: v.current.as_ref().map(|p| fr_date(p.start)).unwrap_or_default(),
        last_contact: opt_fr_date(v.last_contact),
        commune: v.commune.map_or_else(|| "—".into(), |c| format!("{} ({})", c.1, c.0)),
        created: format!("{} par {}", fr_date(v.created_on), v.created_by),
        members: v.current_members.iter().map(member_view(&v.births)).collect(),
        past_members: v.past_members.iter().map(member_view(&v.births)).collect(),
        timeline: v.timeline.iter().map(timeline_view).collect(),
        follows: v.follows_now.iter().map(follow_view).collect(),
        past_follows: v.follows_past.iter().map(follow_view).collect(),
        refs: v
            .external_refs
            .into_iter()
            .map(|(k, val)| {
                let label = match k.as_str() {
                    "siao" => "N° SI-SIAO".to_owned(),
                    "demande-logement-social" => "N° unique de demande de logement social".to_owned(),
                    _ => k,
                };
                (label, val)
            })
            .collect(),
        may_write: v.rights.write,
        today: domain::format_date(today),
        situations: choices(&Situation::ALL, Situation::code, Situation::label, None),
        event_kinds: choices(&EventKind::RECORDABLE, EventKind::code, EventKind::label, Some(EventKind::Contact)),
        member_roles: choices(
            &MemberRole::ALL[1..],
            MemberRole::code,
            MemberRole::label,
            Some(MemberRole::parse(&member.role).unwrap_or(MemberRole::Enfant)),
        ),
        member_sexes: choices(&sexes, Sex::code, Sex::label, Sex::parse(&member.person.sex).ok()),
        countries: country_choices(&member.person.birth_country),
        error,
        member,
        may_read_sensitive: v.rights.read_sensitive,
        restricted: v.restricted,
        notice: v.last_notice.as_ref().map(|(d, version)| {
            format!("remise le {} (version {version})", parse_date(d).map(fr_date).unwrap_or_else(|_| d.clone()))
        }),
        notice_version: app::protection::NOTICE_VERSION,
        sharing: SharingScope::ALL
            .iter()
            .map(|s| SharingView {
                code: s.code(),
                label: s.label(),
                current: match v.choices.iter().find(|c| c.0 == *s).map(|c| c.1.as_str()) {
                    Some("accord") => "accord",
                    Some("opposition") => "opposition",
                    _ => "non recueilli",
                },
            })
            .collect(),
        bands: choices(&ResourcesBand::ALL, ResourcesBand::code, ResourcesBand::label, v.resources_band),
        dwelling: DwellingNeed::ALL
            .iter()
            .map(|n| Choice { value: n.code().into(), label: n.label().into(), selected: v.dwelling_needs.contains(n) })
            .collect(),
        tenancy_shared: v.choices.iter().any(|c| c.0 == SharingScope::Bailleurs && c.1 == "accord"),
        cca,
        merges,
        links,
        proposals,
        grounds: domain::identity::DecisionBasis::choices().map(|b| (b.code(), b.label())).collect(),
        rejections,
        referral_rows,
        measure_rows,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

pub async fn show(State(state): State<AppState>, user: LoggedIn, Path(id): Path<String>) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    render_household(&state, &user, id, None).await
}

/// After a write: back to the file (POST/redirect/GET), or the file with the form's error.
pub(crate) async fn after_write(
    state: &AppState,
    user: &LoggedIn,
    id: i64,
    form: &'static str,
    result: Result<(), app::AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/menages/{id}#parcours")).into_response()),
        Err(app::AppError::Invalid(e)) => {
            render_household(state, user, id, Some(FormError { form, message: e.to_string() })).await
        }
        Err(e) => Err(e.into()),
    }
}

fn parse_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

#[derive(Deserialize)]
pub struct EventForm {
    csrf: String,
    kind: String,
    date: String,
    #[serde(default)]
    note: String,
}

pub async fn record_event(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<EventForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = parse_id(&id)?;
    let result = async {
        let kind = EventKind::parse(&f.kind)?;
        let date = parse_date(&f.date)?;
        state.app.record_event(&user.session.actor, HouseholdId(id), kind, date, &f.note).await
    }
    .await;
    after_write(&state, &user, id, "evenement", result).await
}

#[derive(Deserialize)]
pub struct SituationForm {
    csrf: String,
    situation: String,
    date: String,
}

pub async fn change_situation(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<SituationForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let id = parse_id(&id)?;
    let result = async {
        let situation = Situation::parse(&f.situation)?;
        let date = parse_date(&f.date)?;
        state.app.change_situation(&user.session.actor, HouseholdId(id), situation, date).await
    }
    .await;
    after_write(&state, &user, id, "situation", result).await
}
