//! `/observatoire`: the internal dashboard of the by-name list's population dynamics — stock and
//! flows over time, time to housing, functional zero, closed months and their revisions — and
//! the CSV and XLSX downloads of exactly the rows shown.
//!
//! Aggregates only (the app refuses actors without `ReadAggregates`); every figure comes from
//! `app::observatory`, whose definitions live in `domain::indicators`. Counts from 1 to the
//! internal threshold − 1 are masked ("< 5") in tables, charts and downloads alike.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use domain::household::HouseholdType;
use domain::indicators::{
    functional_zero, Dimension, FlowRow, FlowTable, FunctionalZeroRule, Month, MonthlyPoint, Quartiles, Segment,
};
use domain::InvalidInput;
use serde::Deserialize;

use crate::charts::{self, Caption, Line, Size};
use crate::session::LoggedIn;
use crate::views::{Choice, Layout};
use crate::{AppState, WebError};

/// Months shown when the period is not chosen: the last two years of complete months.
const DEFAULT_MONTHS: i32 = 24;
/// The longest period one page computes.
const MAX_MONTHS: i32 = 120;

// Colours of the series: ≥ 3:1 against white (WCAG 1.4.11), told apart by hue and by position
// in the stack; the tables beside the charts carry every figure.
const TEAL: &str = "#0b5560";
const BLUE: &str = "#1f4f99";
const ORANGE: &str = "#b34700";
const OCHRE: &str = "#8a5a00";
const PURPLE: &str = "#6b3fa0";
const GREEN: &str = "#1d6b3a";
const GREY: &str = "#4f5663";
const DARK: &str = "#2b2b2b";

// ---- the query --------------------------------------------------------------------------------

#[derive(Deserialize, Default, Debug, Clone)]
pub struct Params {
    #[serde(default)]
    du: String,
    #[serde(default)]
    au: String,
    #[serde(default)]
    population: String,
}

/// A checked query: the months `from..=to` and one population.
#[derive(Debug, Clone)]
struct Selection {
    from: Month,
    to: Month,
    segment: Segment,
}

impl Selection {
    fn default_for(last: Month) -> Self {
        Self { from: last.plus(1 - DEFAULT_MONTHS), to: last, segment: Segment::Tous }
    }

    fn parse(p: &Params, last: Month) -> Result<Self, InvalidInput> {
        let month = |s: &str, default: Month| if s.trim().is_empty() { Ok(default) } else { Month::parse(s) };
        let to = month(&p.au, last)?;
        let from = month(&p.du, to.plus(1 - DEFAULT_MONTHS))?;
        if to > last {
            return Err(InvalidInput::new("au", "seuls les mois terminés ont des indicateurs"));
        }
        if from > to {
            return Err(InvalidInput::new("du", "le premier mois doit précéder le dernier"));
        }
        if from.months_until(to) >= MAX_MONTHS {
            return Err(InvalidInput::new("du", "la période ne peut dépasser 10 ans"));
        }
        let segment = match p.population.trim() {
            "" => Segment::Tous,
            code => Segment::parse(code)?,
        };
        Ok(Self { from, to, segment })
    }

    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("du", self.from.to_string()),
            ("au", self.to.to_string()),
            ("population", self.segment.code()),
        ])
        .unwrap_or_default()
    }

    fn file_name(&self, ext: &str) -> String {
        let population: String =
            self.segment.code().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        format!("observatoire-{population}-{}-{}.{ext}", self.from, self.to)
    }
}

// ---- masking small cells ----------------------------------------------------------------------

/// Internal dashboards' small-cell rule: counts from 1 to `threshold − 1` are shown as
/// "< threshold" (zero is shown: it reveals no one).
#[derive(Debug, Clone, Copy)]
struct Mask(u32);

impl Mask {
    fn hides(self, v: f64) -> bool {
        v > 0.0 && v < f64::from(self.0)
    }

    fn label(self) -> String {
        format!("< {}", self.0)
    }

    fn cell(self, v: u32) -> String {
        if self.hides(v.into()) {
            self.label()
        } else {
            v.to_string()
        }
    }

    /// What a chart draws: nothing for a masked count.
    fn point(self, v: u32) -> Option<f32> {
        (!self.hides(v.into())).then_some(v as f32)
    }

    fn average(self, v: f64) -> String {
        if self.hides(v) {
            self.label()
        } else {
            decimal(v)
        }
    }
}

/// One decimal, French style.
fn decimal(v: f64) -> String {
    format!("{v:.1}").replace('.', ",")
}

fn signed(v: i64) -> String {
    if v > 0 {
        format!("+{v}")
    } else {
        v.to_string()
    }
}

// ---- months in French -------------------------------------------------------------------------

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const SHORT: [&str; 12] =
    ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];

fn month_long(m: Month) -> String {
    format!("{} {}", MONTHS[usize::from(m.number() - 1)], m.year())
}

fn month_short(m: Month) -> String {
    format!("{} {:02}", SHORT[usize::from(m.number() - 1)], m.year().rem_euclid(100))
}

// ---- the rows shown, and downloaded ---------------------------------------------------------

/// One month of the chosen population as displayed: every count already masked.
struct FlowLine {
    iso: String,
    label: String,
    opening: String,
    inflow_new: String,
    inflow_housing: String,
    inflow_inactive: String,
    inflow_other: String,
    outflow_housed: String,
    outflow_inactive: String,
    outflow_other: String,
    closing: String,
    net: String,
}

impl FlowLine {
    fn of(r: &FlowRow, mask: Mask) -> Self {
        Self {
            iso: r.month.to_string(),
            label: month_long(r.month),
            opening: mask.cell(r.opening),
            inflow_new: mask.cell(r.inflow_new),
            inflow_housing: mask.cell(r.inflow_returned_housing),
            inflow_inactive: mask.cell(r.inflow_returned_inactive),
            inflow_other: mask.cell(r.inflow_other),
            outflow_housed: mask.cell(r.outflow_housed),
            outflow_inactive: mask.cell(r.outflow_inactive),
            outflow_other: mask.cell(r.outflow_other),
            closing: mask.cell(r.closing),
            net: signed(r.net_change()),
        }
    }

    /// The counts, in the column order of [`COLUMNS`] after the month and the population's code and label.
    fn counts(&self) -> [&str; 10] {
        [
            &self.opening,
            &self.inflow_new,
            &self.inflow_housing,
            &self.inflow_inactive,
            &self.inflow_other,
            &self.outflow_housed,
            &self.outflow_inactive,
            &self.outflow_other,
            &self.closing,
            &self.net,
        ]
    }
}

/// The downloads' columns: (CSV header, XLSX header).
const COLUMNS: [(&str, &str); 13] = [
    ("mois", "Mois"),
    ("population", "Code de la population"),
    ("libelle_population", "Population"),
    ("stock_debut", "Stock en début de mois"),
    ("entrees_nouveaux", "Entrées : nouvellement identifiés"),
    ("entrees_retour_logement", "Entrées : retours du logement"),
    ("entrees_retour_inactivite", "Entrées : retours de l'inactivité"),
    ("entrees_autres", "Entrées : autres retours"),
    ("sorties_loges", "Sorties : logés"),
    ("sorties_inactifs", "Sorties : devenus inactifs"),
    ("sorties_autres", "Sorties : autres (décès, départ du territoire)"),
    ("stock_fin", "Stock en fin de mois"),
    ("variation_nette", "Variation nette"),
];

fn zero_row(month: Month, segment: &Segment) -> FlowRow {
    FlowRow {
        month,
        segment: segment.clone(),
        opening: 0,
        inflow_new: 0,
        inflow_returned_housing: 0,
        inflow_returned_inactive: 0,
        inflow_other: 0,
        outflow_housed: 0,
        outflow_inactive: 0,
        outflow_other: 0,
        closing: 0,
        inflow_first_time: 0,
    }
}

/// The rows of `segment` for `months`, one per month: a population never counted has zeros.
fn rows_of(table: &FlowTable, segment: &Segment, from: Month, to: Month) -> Vec<FlowRow> {
    let found: HashMap<Month, &FlowRow> = table.series(segment).map(|r| (r.month, r)).collect();
    from.through(to).map(|m| found.get(&m).map_or_else(|| zero_row(m, segment), |r| (*r).clone())).collect()
}

/// A population's name, with the commune's name when we know it.
fn segment_label(s: &Segment, communes: &HashMap<String, String>) -> String {
    match s {
        Segment::Commune(Some(code)) => match communes.get(code) {
            Some(name) => format!("Commune : {name} ({code})"),
            None => s.label(),
        },
        s => s.label(),
    }
}

async fn commune_names(state: &AppState) -> Result<HashMap<String, String>, WebError> {
    Ok(state.app.communes().await?.into_iter().map(|c| (c.insee.as_str().to_string(), c.name)).collect())
}

// ---- the page ---------------------------------------------------------------------------------

struct Group {
    label: &'static str,
    options: Vec<Choice>,
}

struct ZeroLine {
    population: String,
    chosen: bool,
    stock: String,
    average: String,
    meets: &'static str,
    reached: String,
}

struct ZeroMonth {
    iso: String,
    label: String,
    stock: String,
    average: String,
}

struct RevisionLine {
    iso: String,
    label: String,
    closed_on: String,
    published: String,
    today: String,
    revision: String,
}

struct HousingDelay {
    count: String,
    p25: String,
    median: String,
    p75: String,
}

#[derive(Template)]
#[template(path = "observatoire.html")]
struct DashboardPage {
    layout: Layout,
    error: Option<String>,
    du: String,
    au: String,
    min_month: String,
    max_month: String,
    groups: Vec<Group>,
    population: String,
    period: String,
    last_label: String,
    threshold: u32,
    masked_max: u32,
    masked: String,
    inactivity_days: i64,
    csv_href: String,
    xlsx_href: String,
    lines: Vec<FlowLine>,
    /// The charts: inline SVG from [`charts`].
    stock_chart: String,
    flow_chart: String,
    net_chart: String,
    delay: Option<HousingDelay>,
    delay_chart: Option<String>,
    /// Share of actif households with a support measure running at month end: (month, actif,
    /// supported, share).
    support: Vec<(String, String, String, String)>,
    support_chart: String,
    /// Persons behind the list: (month, member records, distinct persons, double counts avoided).
    persons: Vec<(String, String, String, String)>,
    /// Returns to homelessness: (horizon, exits followed, returned, rate).
    returns: Vec<(String, String, String, String)>,
    zero_chart: String,
    zero: Vec<ZeroLine>,
    zero_months: Vec<ZeroMonth>,
    revisions: Vec<RevisionLine>,
    revision_chart: Option<String>,
    fz_months: usize,
    fz_sustained: usize,
}

pub async fn dashboard(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(p): Query<Params>,
) -> Result<Response, WebError> {
    let last = state.app.last_complete_month();
    let (sel, error) = match Selection::parse(&p, last) {
        Ok(s) => (s, None),
        Err(e) => (Selection::default_for(last), Some(e.to_string())),
    };
    let actor = &user.session.actor;
    let mask = Mask(state.app.config.internal_threshold);
    let rule = FunctionalZeroRule::default();
    // Months before the period feed the average placements of its first months.
    let lead = i32::try_from(rule.average_over_months.max(1) - 1).unwrap_or(0);
    let months = sel.from.plus(-lead)..=sel.to;
    // One read of the histories for every figure of the page.
    let figures = state.app.dashboard(Some(actor), months, sel.from..=sel.to, &sel.segment).await?;
    let table = figures.flows;
    let delay = figures.time_to_housing;
    let support_rows = figures.support;
    let published = state.app.published(Some(actor), sel.from..=sel.to).await?;
    let persons = figures
        .persons
        .iter()
        .map(|p| {
            let twice = p.records - p.persons;
            (month_long(p.month), mask.cell(p.records), mask.cell(p.persons), mask.cell(twice))
        })
        .collect();
    let returns: Vec<(String, String, String, String)> = figures
        .returns
        .iter()
        .map(|(days, r)| {
            let months = (days * 12 + 180) / 365;
            let rate = match r.rate() {
                Some(p) if !mask.hides(r.returned.into()) && !mask.hides(r.exits.into()) => {
                    format!("{:.1} %", p * 100.0).replace('.', ",")
                }
                None => "—".into(),
                Some(_) => mask.label(),
            };
            (format!("{months} mois"), mask.cell(r.exits), mask.cell(r.returned), rate)
        })
        .collect();
    let communes = commune_names(&state).await?;

    let rows = rows_of(&table, &sel.segment, sel.from, sel.to);
    let labels: Vec<String> = rows.iter().map(|r| month_short(r.month)).collect();
    let population = segment_label(&sel.segment, &communes);
    let period = format!("de {} à {}", month_long(sel.from), month_long(sel.to));
    let masked_note = format!("les effectifs de 1 à {} ne sont pas tracés", mask.0.saturating_sub(1));
    let note = if mask.0 > 1 { format!(" ; {masked_note}") } else { String::new() };

    let stock_chart = charts::line(
        &Caption {
            id: "graphique-stock",
            title: &format!("Stock de ménages actifs en fin de mois, {population}"),
            desc: &format!("Courbe mensuelle {period}{note}. Les valeurs sont dans le tableau qui suit."),
            size: Size::Half,
        },
        labels.clone(),
        vec![Line::new("Ménages actifs en fin de mois", rows.iter().map(|r| mask.point(r.closing)).collect(), TEAL)],
    );
    let col = |f: fn(&FlowRow) -> u32| rows.iter().map(|r| mask.point(f(r))).collect::<Vec<_>>();
    let flow_desc = format!(
        "Pour chaque mois {period}, une barre empilée des entrées (nouvellement identifiés, retours du logement, \
         retours de l'inactivité, autres retours) et, à sa droite, une barre empilée des sorties (logés, devenus \
         inactifs, autres sorties){note}. Les valeurs sont dans le tableau qui suit."
    );
    let flow_chart = charts::bars(
        &Caption {
            id: "graphique-flux",
            title: &format!("Entrées et sorties par mois, {population}"),
            desc: &flow_desc,
            size: Size::Wide,
        },
        labels.clone(),
        vec![
            Line::new("Nouveaux", col(|r| r.inflow_new), BLUE).stacked("entrees"),
            Line::new("Retours du logement", col(|r| r.inflow_returned_housing), ORANGE).stacked("entrees"),
            Line::new("Retours de l'inactivité", col(|r| r.inflow_returned_inactive), OCHRE).stacked("entrees"),
            Line::new("Autres retours", col(|r| r.inflow_other), PURPLE).stacked("entrees"),
            Line::new("Logés", col(|r| r.outflow_housed), GREEN).stacked("sorties"),
            Line::new("Devenus inactifs", col(|r| r.outflow_inactive), GREY).stacked("sorties"),
            Line::new("Autres sorties", col(|r| r.outflow_other), DARK).stacked("sorties"),
        ],
        true,
    );
    let net_chart = charts::bars(
        &Caption {
            id: "graphique-variation",
            title: &format!("Variation nette du stock par mois, {population}"),
            desc: &format!(
                "Barres mensuelles {period} : entrées moins sorties, négatives quand le stock baisse. Les valeurs \
                 sont dans le tableau qui suit."
            ),
            size: Size::Half,
        },
        labels.clone(),
        vec![Line::new("Variation nette", rows.iter().map(|r| Some(r.net_change() as f32)).collect(), TEAL)],
        false,
    );

    // Support measures: the whole territory; a share is hidden when its count is.
    let share = |r: &domain::indicators::SupportShare| {
        r.percent().filter(|_| !mask.hides(r.supported.into()) && !mask.hides(r.actif.into()))
    };
    let support: Vec<(String, String, String, String)> = support_rows
        .iter()
        .map(|r| {
            let pct = match share(r) {
                Some(p) => format!("{p:.1} %").replace('.', ","),
                None if r.actif == 0 => "—".into(),
                None => mask.label(),
            };
            (month_long(r.month), mask.cell(r.actif), mask.cell(r.supported), pct)
        })
        .collect();
    let support_chart = charts::line(
        &Caption {
            id: "graphique-accompagnement",
            title: "Part des ménages actifs accompagnés par une mesure, en fin de mois (%)",
            desc: &format!(
                "Courbe mensuelle {period}, ensemble du territoire. Les valeurs sont dans le tableau qui suit."
            ),
            size: Size::Half,
        },
        support_rows.iter().map(|r| month_short(r.month)).collect(),
        vec![Line::new(
            "Part accompagnée (%)",
            support_rows.iter().map(|r| share(r).map(|p| p as f32)).collect(),
            TEAL,
        )],
    );

    // Time to housing: the selected population over the period.
    let delay_view = delay.map(|q: Quartiles| {
        let count = u32::try_from(q.count).unwrap_or(u32::MAX);
        let hidden = mask.hides(count.into());
        let days = |v: f64| if hidden { mask.label() } else { format!("{v:.0}") };
        HousingDelay { count: mask.cell(count), p25: days(q.p25), median: days(q.median), p75: days(q.p75) }
    });
    let delay_chart = delay.filter(|q| !mask.hides(q.count as f64)).map(|q| {
        let desc = format!(
            "Trois barres : premier quartile, médiane et troisième quartile, pour les {} ménages logés {period}.",
            q.count
        );
        let days = [q.p25, q.median, q.p75].map(|v| Some(v.round() as f32)).to_vec();
        charts::bars(
            &Caption {
                id: "graphique-delai",
                title: "Délai entre la première identification et l'accès au logement, en jours",
                desc: &desc,
                size: Size::Small,
            },
            vec!["1er quartile".into(), "Médiane".into(), "3e quartile".into()],
            vec![Line::new("Jours", days, TEAL)],
            true,
        )
    });

    // Functional zero: the chosen population and each household type.
    let n = rule.average_over_months.max(1);
    let points = |s: &Segment| -> Vec<MonthlyPoint> {
        rows_of(&table, s, sel.from.plus(-lead), sel.to).iter().map(MonthlyPoint::from).collect()
    };
    let average_at = |pts: &[MonthlyPoint], i: usize| -> f64 {
        let placed: u32 = pts[(i + 1).saturating_sub(n)..=i].iter().map(|p| p.placements).sum();
        f64::from(placed) / n as f64
    };
    let zero_line = |s: &Segment, chosen: bool| -> ZeroLine {
        let pts = points(s);
        let i = pts.len() - 1;
        let stock = pts[i].stock;
        let average = average_at(&pts, i);
        let reached = functional_zero(&pts, rule);
        ZeroLine {
            population: segment_label(s, &communes),
            chosen,
            stock: mask.cell(stock),
            average: mask.average(average),
            meets: if f64::from(stock) < average { "oui" } else { "non" },
            reached: reached.map_or_else(|| "non atteint".into(), |m| format!("atteint dès {}", month_long(m))),
        }
    };
    let mut zero = vec![zero_line(&sel.segment, true)];
    for t in HouseholdType::ALL {
        let s = Segment::TypeMenage(t);
        if s != sel.segment {
            zero.push(zero_line(&s, false));
        }
    }
    let chosen = points(&sel.segment);
    let shown = lead as usize..chosen.len();
    let averages: Vec<f64> = shown.clone().map(|i| average_at(&chosen, i)).collect();
    let zero_months = shown
        .clone()
        .zip(&averages)
        .map(|(i, a)| {
            let m = chosen[i].month;
            ZeroMonth {
                iso: m.to_string(),
                label: month_long(m),
                stock: mask.cell(chosen[i].stock),
                average: mask.average(*a),
            }
        })
        .collect();
    let zero_chart = charts::line(
        &Caption {
            id: "graphique-zero",
            title: &format!("Stock et placements mensuels moyens sur {n} mois, {population}"),
            desc: &format!(
                "Deux courbes {period} : le stock de ménages actifs en fin de mois et la moyenne des ménages logés \
                 par mois sur les {n} derniers mois. Le zéro fonctionnel est atteint quand le stock passe sous la \
                 moyenne des placements et y reste {} mois{note}.",
                rule.sustained_months
            ),
            size: Size::Half,
        },
        labels.clone(),
        vec![
            Line::new("Stock en fin de mois", shown.clone().map(|i| mask.point(chosen[i].stock)).collect(), TEAL),
            Line::new(
                format!("Placements mensuels moyens ({n} mois)"),
                averages.iter().map(|a| (!mask.hides(*a)).then_some(*a as f32)).collect(),
                ORANGE,
            ),
        ],
    );

    // Closed months: published figures next to today's.
    let found = app::App::revisions(&table, &published, &sel.segment.code());
    let revisions: Vec<RevisionLine> = found
        .iter()
        .map(|r| RevisionLine {
            iso: r.month.to_string(),
            label: month_long(r.month),
            closed_on: crate::views::fr_day(&r.closed_at),
            published: mask.cell(r.published.closing),
            today: mask.cell(r.today.closing),
            revision: signed(r.stock_revision()),
        })
        .collect();
    let revision_chart = (!found.is_empty()).then(|| {
        charts::bars(
            &Caption {
                id: "graphique-revisions",
                title: &format!("Stock de fin de mois publié à la clôture et connu aujourd'hui, {population}"),
                desc: "Pour chaque mois clôturé, deux barres côte à côte : le stock publié à la clôture et le stock \
                       tel qu'on le connaît aujourd'hui. Les valeurs et la révision sont dans le tableau qui suit.",
                size: if found.len() <= 4 { Size::Small } else { Size::Half },
            },
            found.iter().map(|r| month_short(r.month)).collect(),
            vec![
                Line::new("Publié", found.iter().map(|r| mask.point(r.published.closing)).collect(), GREY),
                Line::new("Connu aujourd'hui", found.iter().map(|r| mask.point(r.today.closing)).collect(), TEAL),
            ],
            true,
        )
    });

    let query = sel.query();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = DashboardPage {
        layout: Layout::new(&user.session, "observatoire"),
        error,
        du: sel.from.to_string(),
        au: sel.to.to_string(),
        min_month: last.plus(1 - MAX_MONTHS).to_string(),
        max_month: last.to_string(),
        groups: population_groups(&table, &sel.segment, &communes),
        population,
        period,
        last_label: month_long(sel.to),
        threshold: mask.0,
        masked_max: mask.0.saturating_sub(1),
        masked: mask.label(),
        inactivity_days: state.app.config.status_rules.inactivity_days,
        csv_href: format!("/observatoire.csv?{query}"),
        xlsx_href: format!("/observatoire.xlsx?{query}"),
        lines: rows.iter().map(|r| FlowLine::of(r, mask)).collect(),
        stock_chart,
        flow_chart,
        net_chart,
        delay: delay_view,
        delay_chart,
        support,
        support_chart,
        returns,
        persons,
        zero_chart,
        zero,
        zero_months,
        revisions,
        revision_chart,
        fz_months: n,
        fz_sustained: rule.sustained_months,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

/// The population choices, grouped by dimension: every segment of the table (so every commune
/// and organisation with households), and the chosen one even if it has none.
fn population_groups(table: &FlowTable, chosen: &Segment, communes: &HashMap<String, String>) -> Vec<Group> {
    let mut segments: Vec<Segment> = table.segments().to_vec();
    if !segments.contains(chosen) {
        segments.push(chosen.clone());
        segments.sort();
    }
    let mut groups: Vec<(Dimension, Group)> = Vec::new();
    for s in segments {
        let choice = Choice { value: s.code(), label: segment_label(&s, communes), selected: s == *chosen };
        match groups.last_mut() {
            Some((d, g)) if *d == s.dimension() => g.options.push(choice),
            _ => groups.push((s.dimension(), Group { label: s.dimension().label(), options: vec![choice] })),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

// ---- downloads --------------------------------------------------------------------------------

/// The rows of the page, as shown (masked), for the downloads.
async fn shown_rows(
    state: &AppState,
    user: &LoggedIn,
    p: &Params,
) -> Result<(Selection, String, Vec<FlowLine>), WebError> {
    let sel = Selection::parse(p, state.app.last_complete_month()).map_err(|_| WebError::Invalid)?;
    let table = state.app.flows(Some(&user.session.actor), sel.from..=sel.to).await?;
    let mask = Mask(state.app.config.internal_threshold);
    let communes = commune_names(state).await?;
    let rows = rows_of(&table, &sel.segment, sel.from, sel.to).iter().map(|r| FlowLine::of(r, mask)).collect();
    let label = segment_label(&sel.segment, &communes);
    Ok((sel, label, rows))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn attachment(content_type: &'static str, file: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        body,
    )
        .into_response()
}

/// `/observatoire.csv`: the page's flow table, comma-separated, UTF-8, one header line.
pub async fn csv(State(state): State<AppState>, user: LoggedIn, Query(p): Query<Params>) -> Result<Response, WebError> {
    let (sel, population, rows) = shown_rows(&state, &user, &p).await?;
    let mut out = COLUMNS.iter().map(|(code, _)| *code).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    let code = sel.segment.code();
    for r in &rows {
        let mut fields = vec![csv_field(&r.iso), csv_field(&code), csv_field(&population)];
        fields.extend(r.counts().iter().map(|c| csv_field(c)));
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    Ok(attachment("text/csv; charset=utf-8", &sel.file_name("csv"), out.into_bytes()))
}

/// `/observatoire.xlsx`: the same rows as a workbook; counts are numbers, masked cells text.
pub async fn xlsx(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(p): Query<Params>,
) -> Result<Response, WebError> {
    let (sel, population, rows) = shown_rows(&state, &user, &p).await?;
    let threshold = state.app.config.internal_threshold;
    let bytes = workbook(&sel, &population, &rows, threshold).map_err(|e| {
        tracing::error!(error = %e, "xlsx failure");
        WebError::Internal
    })?;
    Ok(attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &sel.file_name("xlsx"), bytes))
}

fn workbook(
    sel: &Selection,
    population: &str,
    rows: &[FlowLine],
    threshold: u32,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("Flux")?;
    for (c, (_, label)) in COLUMNS.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, c, *label, &bold)?;
        sheet.set_column_width(c, if c == 2 { 40 } else { 16 })?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let code = sel.segment.code();
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        sheet.write_string(row, 0, &r.iso)?;
        sheet.write_string(row, 1, &code)?;
        sheet.write_string(row, 2, population)?;
        for (j, v) in r.counts().iter().enumerate() {
            let col = u16::try_from(j + 3).unwrap_or(u16::MAX);
            match v.parse::<f64>() {
                Ok(n) => sheet.write_number(row, col, n)?,
                Err(_) => sheet.write_string(row, col, *v)?,
            };
        }
    }
    let notes = book.add_worksheet().set_name("Notes")?;
    let lines = [
        format!("Population : {population} ({code})"),
        format!("Période : de {} à {}", month_long(sel.from), month_long(sel.to)),
        "Source : liste nominative parcours, chiffres tels que connus aujourd'hui (statut en fin de mois).".to_string(),
        format!(
            "Secret statistique (usage interne) : les effectifs de 1 à {} sont remplacés par « < {threshold} ».",
            threshold.saturating_sub(1)
        ),
    ];
    for (i, l) in lines.iter().enumerate() {
        notes.write_string(u32::try_from(i).unwrap_or(u32::MAX), 0, l)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn selection_defaults_and_checks() {
        let last = m("2026-05");
        let s = Selection::parse(&Params::default(), last).unwrap();
        assert_eq!((s.from, s.to, s.segment), (m("2024-06"), last, Segment::Tous));
        let p = |du: &str, au: &str, pop: &str| Params { du: du.into(), au: au.into(), population: pop.into() };
        let s = Selection::parse(&p("2025-01", "2025-03", "type:famille"), last).unwrap();
        assert_eq!((s.from, s.to), (m("2025-01"), m("2025-03")));
        assert_eq!(s.segment.code(), "type:famille");
        assert_eq!(s.query(), "du=2025-01&au=2025-03&population=type%3Afamille");
        assert!(Selection::parse(&p("", "2026-06", ""), last).is_err(), "the current month is not over");
        assert!(Selection::parse(&p("2025-04", "2025-03", ""), last).is_err());
        assert!(Selection::parse(&p("2010-01", "2025-03", ""), last).is_err());
        assert!(Selection::parse(&p("", "", "nimporte"), last).is_err());
        assert!(Selection::parse(&p("2025-13", "", ""), last).is_err());
    }

    #[test]
    fn small_counts_are_masked() {
        let mask = Mask(5);
        assert_eq!(mask.cell(0), "0");
        assert_eq!(mask.cell(1), "< 5");
        assert_eq!(mask.cell(4), "< 5");
        assert_eq!(mask.cell(5), "5");
        assert_eq!(mask.point(3), None);
        assert_eq!(mask.point(0), Some(0.0));
        assert_eq!(mask.average(0.5), "< 5");
        assert_eq!(mask.average(12.26), "12,3");
        assert_eq!(Mask(0).cell(1), "1");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("12"), "12");
        assert_eq!(csv_field("Hôtel, hébergement"), "\"Hôtel, hébergement\"");
        assert_eq!(csv_field("l'\"x\""), "\"l'\"\"x\"\"\"");
    }
}
