//! What every page's frame needs, and small formatting helpers for templates.

use domain::user::Role;
use domain::Date;

/// The page frame: who is logged in, for which organisation, and the CSRF token for forms.
pub struct Layout {
    pub user_name: String,
    pub org_name: String,
    pub roles: String,
    pub csrf: String,
    /// Which main menu entry is current (for `aria-current`).
    pub section: &'static str,
    pub may_create: bool,
    /// Shows the administration menu entry (the pages themselves ask the policy again).
    pub may_administer: bool,
    /// Shows the data-protection menu entry (DPO).
    pub may_dpo: bool,
    /// Shows the observatory menu entry (aggregates: any grant in force).
    pub may_observe: bool,
    /// Shows the CCA menu entry: the manager, référents (their referrals), commission members.
    pub may_cca: bool,
    /// Shows the CCAPEX menu entry: eviction procedures (CCAPEX correspondent, référents).
    pub may_ccapex: bool,
    /// Shows the housing requests entry: the social rental agency.
    pub may_housing: bool,
    /// Shows the by-name list entry: everyone but landlords and the agency, who have none.
    pub has_list: bool,
    /// Shows the captured dwellings entry: the agency's chargé·e de captation.
    pub may_capture: bool,
}

impl Layout {
    pub fn new(s: &app::auth::Session, section: &'static str) -> Self {
        let today = domain::local_time::local_day(time::OffsetDateTime::now_utc());
        Self {
            user_name: s.user_name.clone(),
            org_name: s.org_name.clone(),
            roles: app::auth::role_labels(&s.actor.roles),
            csrf: s.csrf_token.clone(),
            section,
            may_create: domain::policy::may_create_household(&s.actor),
            may_administer: domain::policy::may(&s.actor, domain::policy::Action::Administer, today),
            may_dpo: domain::policy::may(&s.actor, domain::policy::Action::ReadAuditLog, today),
            may_observe: domain::policy::may(&s.actor, domain::policy::Action::ReadAggregates, today),
            may_cca: [Role::GestionnaireCca, Role::Referent, Role::CoordinateurSiao, Role::MembreCommission]
                .iter()
                .any(|r| s.actor.has(*r)),
            may_ccapex: s.actor.has(Role::CorrespondantCcapex) || s.actor.has(Role::Referent),
            may_housing: s.actor.has(Role::ChargeCaptation),
            has_list: crate::pages::landing(&s.actor) == "/menages",
            may_capture: domain::policy::may_capture(&s.actor),
        }
    }
}

pub fn fr_date(d: Date) -> String {
    domain::format_date_fr(d)
}

pub fn opt_fr_date(d: Option<Date>) -> String {
    d.map(fr_date).unwrap_or_else(|| "—".into())
}

/// The territory's day of a stored timestamp (`2026-12-07T23:20:00Z` → `08/12/2026`); a bare
/// date as it is; the text itself if it is neither.
pub fn fr_day(timestamp: &str) -> String {
    match domain::local_time::wall_clock_of(timestamp) {
        Some(w) => fr_date(w.day),
        None => {
            timestamp.get(..10).and_then(|d| domain::parse_date(d).ok()).map_or_else(|| timestamp.to_owned(), fr_date)
        }
    }
}

/// A stored timestamp to the second on the territory's clock, as logs show it
/// (`2026-12-08T09:20:31Z` → `08/12/2026 10:20:31`); the text itself if it is not one.
pub fn fr_instant(timestamp: &str) -> String {
    match domain::local_time::wall_clock_of(timestamp) {
        Some(w) => format!("{} {:02}:{:02}:{:02}", fr_date(w.day), w.hour, w.minute, w.second),
        None => timestamp.to_owned(),
    }
}

/// A stored timestamp on the territory's clock (`2026-12-08T09:20:00Z` → `08/12/2026 à 10 h 20`);
/// what [`fr_day`] gives when it has no time of day.
pub fn fr_timestamp(timestamp: &str) -> String {
    match fr_hour(timestamp) {
        Some(h) => format!("{} à {h}", fr_day(timestamp)),
        None => fr_day(timestamp),
    }
}

/// The hour of a stored timestamp on the territory's clock (`10 h 20`), if it has one.
pub fn fr_hour(timestamp: &str) -> Option<String> {
    domain::local_time::wall_clock_of(timestamp).map(|w| format!("{} h {:02}", w.hour, w.minute))
}

/// A page number from the query, from 1 (none: the first); anything else is not a page.
pub fn page_number(page: Option<&str>) -> Result<usize, crate::WebError> {
    match page {
        None | Some("") => Ok(1),
        Some(p) => p.parse::<usize>().ok().filter(|&p| (1..=100_000).contains(&p)).ok_or(crate::WebError::NotFound),
    }
}

/// A `<select>` option: value, label, selected.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The countries of birth, France first, `current` (a code) selected.
pub fn country_choices(current: &str) -> Vec<Choice> {
    domain::identity::countries::COUNTRIES
        .iter()
        .map(|(code, label)| Choice {
            value: (*code).to_owned(),
            label: (*label).to_owned(),
            selected: *code == current,
        })
        .collect()
}

pub fn choices<T: Copy + PartialEq>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    current: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice { value: code(*v).to_owned(), label: label(*v).to_owned(), selected: current == Some(*v) })
        .collect()
}
