//! `/admin`: partner organisations, user accounts and habilitations (grants), for
//! administrators only. Every page and every form goes through an `app::admin` use case, which
//! asks the policy (non-administrators get 403) and audits each change.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use domain::org::OrgKind;
use domain::policy::{role_ceiling, TerritoryScope, Tier};
use domain::territory::{Commune, InseeCode};
use domain::user::Role;
use domain::{parse_date, InvalidInput, OrgId};
use serde::Deserialize;

use crate::session::LoggedIn;
use crate::views::{choices, fr_date, Choice, Layout};
use crate::{AppState, WebError};

/// `?ajout=1` or `?fin=1` after a successful POST: the page confirms the change
/// (POST/redirect/GET).
#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    ajout: Option<String>,
    #[serde(default)]
    fin: Option<String>,
}

fn status_for(error: Option<&String>) -> StatusCode {
    if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

fn organisation_choices(orgs: &[(i64, String)], current: &str) -> Vec<Choice> {
    orgs.iter()
        .map(|(id, name)| Choice { value: id.to_string(), label: name.clone(), selected: id.to_string() == current })
        .collect()
}

fn commune_choices(communes: Vec<Commune>, current: &str) -> Vec<Choice> {
    communes
        .into_iter()
        .map(|c| Choice {
            selected: c.insee.as_str() == current,
            label: format!("{} ({})", c.name, c.insee.as_str()),
            value: c.insee.as_str().to_owned(),
        })
        .collect()
}

/// The organisations for a `<select>`: (id, name), by name.
async fn org_list(state: &AppState, user: &LoggedIn) -> Result<Vec<(i64, String)>, WebError> {
    Ok(state.app.organisations(&user.session.actor).await?.into_iter().map(|o| (o.org.id.0, o.org.name)).collect())
}

/// A refused input becomes the message shown next to the form; any other error is the page's.
fn invalid_message(e: app::AppError) -> Result<String, WebError> {
    match e {
        app::AppError::Invalid(e) => Ok(e.to_string()),
        e => Err(e.into()),
    }
}

// ---- overview -------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_overview.html")]
struct OverviewPage {
    layout: Layout,
    sub: &'static str,
    organisations: usize,
    accounts: usize,
    active_accounts: usize,
    grants_in_force: usize,
    grants: usize,
}

pub async fn overview(State(state): State<AppState>, user: LoggedIn) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let orgs = state.app.organisations(actor).await?;
    let users = state.app.users(actor).await?;
    let grants = state.app.grants(actor).await?;
    let today = state.app.today();
    let body = OverviewPage {
        layout: Layout::new(&user.session, "admin"),
        sub: "accueil",
        organisations: orgs.len(),
        accounts: users.len(),
        active_accounts: users.iter().filter(|u| u.active).count(),
        grants_in_force: grants.iter().filter(|(g, _)| g.in_force(today)).count(),
        grants: grants.len(),
    }
    .render()?;
    Ok(Html(body).into_response())
}

// ---- organisations ----------------------------------------------------------------------------------

struct OrgRow {
    name: String,
    kind: &'static str,
    commune: String,
    accounts: i64,
}

#[derive(Deserialize, Default)]
pub struct OrgForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    commune: String,
}

#[derive(Template)]
#[template(path = "admin_structures.html")]
struct StructuresPage {
    layout: Layout,
    sub: &'static str,
    rows: Vec<OrgRow>,
    f: OrgForm,
    kinds: Vec<Choice>,
    communes: Vec<Choice>,
    error: Option<String>,
    done: Option<&'static str>,
}

async fn render_structures(
    state: &AppState,
    user: &LoggedIn,
    f: OrgForm,
    error: Option<String>,
    done: Option<&'static str>,
) -> Result<Response, WebError> {
    let orgs = state.app.organisations(&user.session.actor).await?;
    let communes = state.app.communes().await?;
    let rows = orgs
        .into_iter()
        .map(|o| OrgRow {
            name: o.org.name,
            kind: o.org.kind.label(),
            commune: o.commune.map_or_else(|| "—".into(), |(code, name)| format!("{name} ({})", code.as_str())),
            accounts: o.accounts,
        })
        .collect();
    let status = status_for(error.as_ref());
    let body = StructuresPage {
        layout: Layout::new(&user.session, "admin"),
        sub: "structures",
        rows,
        kinds: choices(&OrgKind::ALL, OrgKind::code, OrgKind::label, OrgKind::parse(&f.kind).ok()),
        communes: commune_choices(communes, &f.commune),
        f,
        error,
        done,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

pub async fn structures(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let done = done.ajout.is_some().then_some("La structure a été ajoutée.");
    render_structures(&state, &user, OrgForm::default(), None, done).await
}

pub async fn create_structure(
    State(state): State<AppState>,
    user: LoggedIn,
    Form(f): Form<OrgForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let actor = &user.session.actor;
    let result = async {
        let kind = OrgKind::parse(&f.kind)?;
        let commune = if f.commune.trim().is_empty() { None } else { Some(InseeCode::parse(&f.commune)?) };
        if let Some(c) = &commune {
            state.app.check_known_communes(std::slice::from_ref(c)).await?;
        }
        state
            .app
            .create_organisation(Some(actor), &f.name, kind, commune)
            .await
            .map_err(|e| app::admin::conflict_as_invalid(e, "nom", "une structure porte déjà ce nom"))
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/admin/structures?ajout=1").into_response()),
        Err(e) => {
            let message = invalid_message(e)?;
            render_structures(&state, &user, f, Some(message), None).await
        }
    }
}

// ---- accounts ----------------------------------------------------------------------------------------

struct MembershipView {
    org: String,
    roles: String,
}

struct UserRow {
    name: String,
    email: String,
    memberships: Vec<MembershipView>,
    active: bool,
    demo: bool,
}

/// A role checkbox.
struct RoleBox {
    value: &'static str,
    label: &'static str,
    /// The most a habilitation may give this role ("aucun": none).
    ceiling: &'static str,
    checked: bool,
}

/// The account form, read from pairs because the role checkboxes repeat the `role` key.
#[derive(Default)]
pub struct UserForm {
    csrf: String,
    email: String,
    display_name: String,
    org: String,
    roles: Vec<String>,
    password: String,
}

impl UserForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "email" => f.email = v,
                "display_name" => f.display_name = v,
                "org" => f.org = v,
                "role" => f.roles.push(v),
                "password" => f.password = v,
                _ => {}
            }
        }
        f
    }
}

#[derive(Template)]
#[template(path = "admin_comptes.html")]
struct AccountsPage {
    layout: Layout,
    sub: &'static str,
    rows: Vec<UserRow>,
    /// The form as submitted, password excluded (never sent back).
    email: String,
    display_name: String,
    orgs: Vec<Choice>,
    roles: Vec<RoleBox>,
    error: Option<String>,
    done: Option<&'static str>,
}

async fn render_accounts(
    state: &AppState,
    user: &LoggedIn,
    f: UserForm,
    error: Option<String>,
    done: Option<&'static str>,
) -> Result<Response, WebError> {
    let users = state.app.users(&user.session.actor).await?;
    let orgs = org_list(state, user).await?;
    let rows = users
        .into_iter()
        .map(|u| UserRow {
            name: u.display_name,
            email: u.email,
            memberships: u
                .memberships
                .into_iter()
                .map(|m| MembershipView { org: m.org_name, roles: app::auth::role_labels(&m.roles) })
                .collect(),
            active: u.active,
            demo: u.is_demo,
        })
        .collect();
    let status = status_for(error.as_ref());
    let body = AccountsPage {
        layout: Layout::new(&user.session, "admin"),
        sub: "comptes",
        rows,
        orgs: organisation_choices(&orgs, &f.org),
        roles: Role::ALL
            .into_iter()
            .map(|r| RoleBox {
                value: r.code(),
                label: r.label(),
                ceiling: role_ceiling(r).map_or("aucun", Tier::label),
                checked: f.roles.iter().any(|c| c == r.code()),
            })
            .collect(),
        email: f.email,
        display_name: f.display_name,
        error,
        done,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

pub async fn accounts(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let done = done
        .ajout
        .is_some()
        .then_some("Le compte a été créé. Transmettez le mot de passe initial par un autre canal que la messagerie.");
    render_accounts(&state, &user, UserForm::default(), None, done).await
}

pub async fn create_account(
    State(state): State<AppState>,
    user: LoggedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = UserForm::from_pairs(pairs);
    user.check_csrf(&f.csrf)?;
    let actor = &user.session.actor;
    let result = async {
        let org: i64 = f.org.parse().map_err(|_| InvalidInput::new("organisation", "choisissez une organisation"))?;
        let roles = f.roles.iter().map(|r| Role::parse(r)).collect::<Result<Vec<_>, _>>()?;
        state
            .app
            .create_user(Some(actor), &f.email, &f.display_name, &f.password, OrgId(org), &roles, false)
            .await
            .map_err(|e| app::admin::conflict_as_invalid(e, "email", "un compte existe déjà avec cette adresse"))
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/admin/comptes?ajout=1").into_response()),
        Err(e) => {
            let message = invalid_message(e)?;
            render_accounts(&state, &user, f, Some(message), None).await
        }
    }
}

// ---- habilitations -------------------------------------------------------------------------------------

struct GrantRow {
    id: i64,
    org: String,
    role: &'static str,
    scope: String,
    tier: &'static str,
    from: String,
    to: String,
    /// `en-vigueur`, `a-venir` or `terminee`.
    state: &'static str,
    state_label: &'static str,
}

struct CeilingRow {
    role: &'static str,
    ceiling: &'static str,
}

#[derive(Deserialize, Default)]
pub struct GrantForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope_kind: String,
    #[serde(default)]
    scope_value: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
}

#[derive(Template)]
#[template(path = "admin_habilitations.html")]
struct GrantsPage {
    layout: Layout,
    sub: &'static str,
    rows: Vec<GrantRow>,
    ceilings: Vec<CeilingRow>,
    f: GrantForm,
    orgs: Vec<Choice>,
    roles: Vec<Choice>,
    scope_kinds: Vec<Choice>,
    tiers: Vec<Choice>,
    communes: Vec<Commune>,
    error: Option<String>,
    done: Option<&'static str>,
}

/// Roles that may receive a territorial habilitation (the others have no ceiling).
fn grantable_roles() -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| role_ceiling(*r).is_some()).collect()
}

const SCOPE_KINDS: [(&str, &str); 4] = [
    ("tout", "Tout le territoire"),
    ("departement", "Un département"),
    ("epci", "Un EPCI (intercommunalité)"),
    ("communes", "Des communes"),
];

async fn render_grants(
    state: &AppState,
    user: &LoggedIn,
    mut f: GrantForm,
    error: Option<String>,
    done: Option<&'static str>,
) -> Result<Response, WebError> {
    let actor = &user.session.actor;
    let mut grants = state.app.grants(actor).await?;
    let orgs = org_list(state, user).await?;
    let communes = state.app.communes().await?;
    let today = state.app.today();
    let rank = |g: &domain::policy::Grant| {
        if g.in_force(today) {
            0
        } else if g.valid_from > today {
            1
        } else {
            2
        }
    };
    grants.sort_by(|(a, an), (b, bn)| {
        (rank(a), an, a.role, a.valid_from, a.id).cmp(&(rank(b), bn, b.role, b.valid_from, b.id))
    });
    let rows = grants
        .into_iter()
        .map(|(g, org)| {
            let (state, state_label) = match rank(&g) {
                0 => ("en-vigueur", "en vigueur"),
                1 => ("a-venir", "à venir"),
                _ => ("terminee", "terminée"),
            };
            GrantRow {
                id: g.id,
                org,
                role: g.role.label(),
                scope: g.scope.label(),
                tier: g.tier.label(),
                from: fr_date(g.valid_from),
                to: g.valid_to.map_or_else(|| "—".into(), |d| format!("{} (exclu)", fr_date(d))),
                state,
                state_label,
            }
        })
        .collect();
    let roles = grantable_roles();
    let ceilings = roles
        .iter()
        .filter_map(|r| role_ceiling(*r).map(|c| CeilingRow { role: r.label(), ceiling: c.label() }))
        .collect();
    if f.valid_from.is_empty() {
        f.valid_from = domain::format_date(today);
    }
    let status = status_for(error.as_ref());
    let body = GrantsPage {
        layout: Layout::new(&user.session, "admin"),
        sub: "habilitations",
        rows,
        ceilings,
        orgs: organisation_choices(&orgs, &f.org),
        roles: roles
            .iter()
            .map(|r| Choice {
                value: r.code().to_owned(),
                label: format!("{} — au plus {}", r.label(), role_ceiling(*r).map_or("", Tier::label)),
                selected: r.code() == f.role,
            })
            .collect(),
        scope_kinds: SCOPE_KINDS
            .iter()
            .map(|(v, l)| Choice { value: (*v).to_owned(), label: (*l).to_owned(), selected: *v == f.scope_kind })
            .collect(),
        tiers: choices(&Tier::ALL, Tier::code, Tier::label, Tier::parse(&f.tier).ok()),
        communes,
        f,
        error,
        done,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

pub async fn grants(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let done = if done.ajout.is_some() {
        Some("L'habilitation a été accordée.")
    } else {
        done.fin.is_some().then_some("L'habilitation a pris fin aujourd'hui.")
    };
    render_grants(&state, &user, GrantForm::default(), None, done).await
}

pub async fn create_grant(
    State(state): State<AppState>,
    user: LoggedIn,
    Form(f): Form<GrantForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let actor = &user.session.actor;
    let today = state.app.today();
    let result = async {
        let org: i64 = f.org.parse().map_err(|_| InvalidInput::new("organisation", "choisissez une organisation"))?;
        let role = Role::parse(&f.role)?;
        let scope = TerritoryScope::parse(&f.scope_kind, &f.scope_value)?;
        if let TerritoryScope::Communes(codes) = &scope {
            state.app.check_known_communes(codes).await?;
        }
        let tier = Tier::parse(&f.tier)?;
        let valid_from = if f.valid_from.trim().is_empty() { today } else { parse_date(&f.valid_from)? };
        let valid_to = if f.valid_to.trim().is_empty() { None } else { Some(parse_date(&f.valid_to)?) };
        let grant = app::admin::NewGrant { org: OrgId(org), role, scope, tier, valid_from, valid_to };
        state.app.add_grant(Some(actor), grant).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/admin/habilitations?ajout=1").into_response()),
        Err(e) => {
            let message = invalid_message(e)?;
            render_grants(&state, &user, f, Some(message), None).await
        }
    }
}

#[derive(Deserialize)]
pub struct EndForm {
    #[serde(default)]
    csrf: String,
}

pub async fn end_grant(
    State(state): State<AppState>,
    user: LoggedIn,
    Path(id): Path<String>,
    Form(f): Form<EndForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    // An id that is no number names no grant (ids start at 1); the policy still answers first.
    let id: i64 = id.parse().unwrap_or(0);
    state.app.end_grant(Some(&user.session.actor), id).await?;
    Ok(Redirect::to("/admin/habilitations?fin=1").into_response())
}
