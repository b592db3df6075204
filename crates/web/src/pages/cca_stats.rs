//! `/cca/statistiques`: the CCA's statistics over a period (DOMAIN.md §3) — one panel per table
//! of `app::cca_stats`, each a horizontal bar chart beside an accessible table — and the CSV and
//! XLSX downloads of the same tables.
//!
//! Aggregates only: the app refuses actors without `ManageCca` or `ReadAggregates`. No value is
//! masked: the figures are counts of the CCA's own decisions and measures, which its manager
//! knows one by one. A figure without data (a delay with no file) is "—" on the page, an empty
//! value in the CSV and an empty cell in the workbook.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use charts_rs::{Color, HorizontalBarChart, LegendCategory, Series};
use domain::{add_months, format_date, parse_date, Date, InvalidInput};
use serde::Deserialize;

use app::cca_stats::{CcaStats, StatTable};

use crate::charts::{self, Caption, Line, Size};
use crate::session::LoggedIn;
use crate::views::{fr_date, Layout};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cca/statistiques", get(page))
        .route("/cca/statistiques.csv", get(csv))
        .route("/cca/statistiques.xlsx", get(xlsx))
}

/// Months shown when the period is not chosen.
const DEFAULT_MONTHS: i64 = 12;

// Series colours, as on the observatory: ≥ 3:1 against white (WCAG 1.4.11); the tables beside
// the charts carry every figure.
const TEAL: &str = "#0b5560";
const BLUE: &str = "#1f4f99";
const ORANGE: &str = "#b34700";
const COLOURS: [&str; 3] = [TEAL, BLUE, ORANGE];

// Chart text and lines: the same as `crate::charts`.
const INK: &str = "#1d2330";
const MUTED: &str = "#535b6b";
const GRID: &str = "#d5d9e0";

// ---- the period -------------------------------------------------------------------------------

#[derive(Deserialize, Default, Debug, Clone)]
pub struct Params {
    #[serde(default)]
    du: String,
    #[serde(default)]
    au: String,
}

/// `[from, to]`, inclusive; by default the last 12 months up to today.
fn period(p: &Params, today: Date) -> Result<(Date, Date), InvalidInput> {
    let day = |s: &str, field: &'static str, default: Date| {
        if s.trim().is_empty() {
            Ok(default)
        } else {
            parse_date(s).map_err(|_| InvalidInput::new(field, "date attendue au format AAAA-MM-JJ"))
        }
    };
    let to = day(&p.au, "au", today)?;
    let from = day(&p.du, "du", add_months(to, -DEFAULT_MONTHS))?;
    if from > to {
        return Err(InvalidInput::new("du", "le début de la période doit précéder sa fin"));
    }
    Ok((from, to))
}

fn default_period(today: Date) -> (Date, Date) {
    (add_months(today, -DEFAULT_MONTHS), today)
}

fn query(from: Date, to: Date) -> String {
    format!("du={}&au={}", format_date(from), format_date(to))
}

fn file_name(from: Date, to: Date, ext: &str) -> String {
    format!("cca-statistiques-{}-{}.{ext}", format_date(from), format_date(to))
}

// ---- figures ----------------------------------------------------------------------------------

/// A figure as shown: an integer, or one decimal the French way; `None` for no data.
fn shown(v: f64) -> Option<String> {
    if v == app::cca_stats::MASKED {
        Some("< seuil".into())
    } else if !v.is_finite() {
        None
    } else if v.fract() == 0.0 {
        Some(format!("{v:.0}"))
    } else {
        Some(format!("{v:.1}").replace('.', ","))
    }
}

/// The heading of a table's label column.
fn label_heading(id: &str) -> &'static str {
    match id {
        "saisines" => "Type de structure",
        "decisions" => "Issue",
        "delais" => "Étape",
        "mesures" => "Mesure",
        "sorties" => "Motif de fin",
        "logements" => "Type de logement",
        "expulsions" => "Issue de la procédure",
        _ => "Libellé",
    }
}

/// A workbook sheet's name (at most 31 characters, none of `[]:*?/\`).
fn sheet_name(t: &StatTable) -> String {
    match t.id {
        "saisines" => "Saisines".into(),
        "decisions" => "Décisions".into(),
        "delais" => "Délais".into(),
        "mesures" => "Mesures".into(),
        "sorties" => "Fins de mesure".into(),
        "logements" => "Sorties vers le logement".into(),
        "expulsions" => "Expulsions".into(),
        id => id.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect(),
    }
}

/// The columns a chart draws: every column, but for the delays only the median and the 90th
/// percentile (the number of files is another scale; it is in the table).
fn charted_columns(t: &StatTable) -> Vec<usize> {
    if t.id == "delais" {
        t.columns.iter().enumerate().filter(|(_, c)| **c != "Dossiers").map(|(i, _)| i).collect()
    } else {
        (0..t.columns.len()).collect()
    }
}

// ---- the chart --------------------------------------------------------------------------------

/// A horizontal bar chart: categories (long labels, e.g. the measures of the catalogue) read on
/// the left, one bar per series, counts along the bottom. Styled as `crate::charts`' charts and
/// finished by `charts::finish` (labelled, no `style`).
fn horizontal_bars(caption: &Caption, labels: Vec<String>, lines: Vec<Line>) -> String {
    let rows = labels.len().max(1);
    let per_row = 14.0 + 16.0 * lines.len() as f32;
    let width = 680.0;
    let height = 110.0 + per_row.max(34.0) * rows as f32;
    let values = || lines.iter().flat_map(|l| l.values.iter().flatten());
    let top = values().fold(0.0_f32, |m, v| m.max(*v)).ceil();
    let negative = values().any(|v| *v < 0.0);
    let legend = lines.len() > 1;
    let colours = lines.iter().map(|l| Color::from(l.color)).collect();
    // The library draws the first category at the bottom: reversed, the chart reads top down in
    // the order of the table beside it.
    let series: Vec<Series> = lines
        .into_iter()
        .map(|l| {
            let mut s: Series = (l.name.as_str(), l.values.into_iter().rev().collect::<Vec<_>>()).into();
            // The value at the end of each bar: no need to read it off the axis.
            s.label_show = true;
            s
        })
        .collect();
    let mut chart = HorizontalBarChart::new(series, labels.into_iter().rev().collect());
    chart.width = width;
    chart.height = height;
    // Room on the right for the value of the longest bar.
    chart.margin.right = 36.0;
    chart.background_color = Color::from("#ffffff");
    chart.series.colors = colours;
    chart.legend.show = Some(legend);
    chart.legend.font.color = Color::from(INK);
    chart.legend.font.size = 14.0;
    chart.legend.category = LegendCategory::Rect;
    chart.x_axis.font.color = Color::from(INK);
    chart.x_axis.font.size = 13.0;
    chart.x_axis.stroke_color = Color::from(MUTED);
    chart.grid.stroke_color = Color::from(GRID);
    chart.series.label.font.color = Color::from(INK);
    chart.series.label.font.size = 13.0;
    for y in chart.y_axis_configs.iter_mut() {
        y.font.color = Color::from(MUTED);
        y.font.size = 13.0;
        // From zero, unless a value is below (the library then finds the range).
        y.min = (!negative).then_some(0.0);
        // Counts and days: whole ticks. Up to 6, one per unit with one to spare for the value
        // label; above, the library's steps are whole already.
        if !negative && top <= 6.0 {
            y.max = Some(top + 1.0);
            y.split_number = top as usize + 1;
        }
    }
    match chart.svg() {
        Ok(svg) => charts::finish(&svg, caption),
        Err(e) => {
            tracing::error!(error = %e, chart = caption.id, "chart failure");
            String::new()
        }
    }
}

// ---- the page ---------------------------------------------------------------------------------

struct Cell {
    /// `None`: no data ("—").
    text: Option<String>,
}

struct Row {
    label: String,
    cells: Vec<Cell>,
}

struct Panel {
    id: &'static str,
    title: &'static str,
    heading: &'static str,
    columns: Vec<&'static str>,
    rows: Vec<Row>,
    /// Inline SVG, or empty when there is nothing to draw.
    chart: String,
}

#[derive(Template)]
#[template(path = "cca_stats.html")]
struct StatsPage {
    layout: Layout,
    error: Option<String>,
    du: String,
    au: String,
    period: String,
    csv_href: String,
    xlsx_href: String,
    panels: Vec<Panel>,
    masked_note: Option<String>,
}

fn panel(t: &StatTable, period: &str, masked_below: Option<u32>) -> Panel {
    let heading = label_heading(t.id);
    let drawn = charted_columns(t);
    let has_data =
        t.rows.iter().any(|(_, v)| drawn.iter().any(|i| v.get(*i).is_some_and(|x| x.is_finite() && *x != 0.0)));
    let chart = if has_data {
        let id = format!("graphique-{}", t.id);
        let title = format!("{}, {period}", t.title);
        let names: Vec<&str> = drawn.iter().map(|i| t.columns[*i]).collect();
        let desc = format!(
            "Barres horizontales, une ligne par {} : {}. Les valeurs sont dans le tableau qui suit.",
            heading.to_lowercase(),
            names.join(", ").to_lowercase()
        );
        let lines = drawn
            .iter()
            .enumerate()
            .map(|(k, i)| {
                let values = t
                    .rows
                    .iter()
                    .map(|(_, v)| v.get(*i).copied().filter(|x| x.is_finite()).map(|x| x as f32))
                    .collect();
                Line::new(t.columns[*i], values, COLOURS[k % COLOURS.len()])
            })
            .collect();
        let labels = t.rows.iter().map(|(l, _)| l.clone()).collect();
        horizontal_bars(&Caption { id: &id, title: &title, desc: &desc, size: Size::Half }, labels, lines)
    } else {
        String::new()
    };
    Panel {
        id: t.id,
        title: t.title,
        heading,
        columns: t.columns.clone(),
        rows: t
            .rows
            .iter()
            .map(|(label, values)| Row {
                label: label.clone(),
                cells: values
                    .iter()
                    .map(|v| Cell {
                        text: match masked_below {
                            Some(n) if *v == app::cca_stats::MASKED => Some(format!("< {n}")),
                            _ => shown(*v),
                        },
                    })
                    .collect(),
            })
            .collect(),
        chart,
    }
}

pub async fn page(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(p): Query<Params>,
) -> Result<Response, WebError> {
    let today = state.app.today();
    let (from, to, mut error) = match period(&p, today) {
        Ok((from, to)) => (from, to, None),
        Err(e) => {
            let (from, to) = default_period(today);
            (from, to, Some(e.to_string()))
        }
    };
    let stats = match state.app.cca_stats(&user.session.actor, from, to).await {
        Err(app::AppError::Invalid(e)) => {
            error = Some(e.to_string());
            let (from, to) = default_period(today);
            state.app.cca_stats(&user.session.actor, from, to).await?
        }
        r => r?,
    };
    let period = format!("du {} au {}", fr_date(stats.from), fr_date(stats.to));
    let q = query(stats.from, stats.to);
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = StatsPage {
        layout: Layout::new(&user.session, "cca"),
        error,
        du: format_date(stats.from),
        au: format_date(stats.to),
        panels: stats.tables.iter().map(|t| panel(t, &period, stats.masked_below)).collect(),
        masked_note: stats.masked_below.map(|n| {
            format!("Les effectifs de 1 à {} sont masqués (« < {n} »), ainsi que les délais calculés sur si peu de dossiers.", n - 1)
        }),
        period,
        csv_href: format!("/cca/statistiques.csv?{q}"),
        xlsx_href: format!("/cca/statistiques.xlsx?{q}"),
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

// ---- downloads --------------------------------------------------------------------------------

async fn stats_of(state: &AppState, user: &LoggedIn, p: &Params) -> Result<CcaStats, WebError> {
    let (from, to) = period(p, state.app.today()).map_err(|_| WebError::Invalid)?;
    Ok(state.app.cca_stats(&user.session.actor, from, to).await?)
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

/// The CSV: every table in one file, in the long layout `table,libelle,colonne,valeur` — one line
/// per figure. The tables have different columns, so a wide layout would need one header per
/// table (several CSVs in one) or mostly empty columns; the long one has a single header, loads
/// as is in a spreadsheet's pivot table or in R/Python, and keeps each figure's meaning in its
/// line. `table` is the table's stable code (`saisines`, `decisions`, `delais`…); `valeur` is a
/// number with a dot, empty when there is no data (a delay with no file).
fn csv_text(stats: &CcaStats) -> String {
    let mut out = String::from("table,libelle,colonne,valeur\r\n");
    for t in &stats.tables {
        for (label, values) in &t.rows {
            for (column, v) in t.columns.iter().zip(values) {
                let value = if *v == app::cca_stats::MASKED {
                    "masqué".to_owned()
                } else if v.is_finite() {
                    v.to_string()
                } else {
                    String::new()
                };
                out.push_str(&[csv_field(t.id), csv_field(label), csv_field(column), value].join(","));
                out.push_str("\r\n");
            }
        }
    }
    out
}

/// `/cca/statistiques.csv?du=&au=`.
pub async fn csv(State(state): State<AppState>, user: LoggedIn, Query(p): Query<Params>) -> Result<Response, WebError> {
    let stats = stats_of(&state, &user, &p).await?;
    Ok(attachment("text/csv; charset=utf-8", &file_name(stats.from, stats.to, "csv"), csv_text(&stats).into_bytes()))
}

/// `/cca/statistiques.xlsx?du=&au=`: one sheet per table, figures as numbers.
pub async fn xlsx(
    State(state): State<AppState>,
    user: LoggedIn,
    Query(p): Query<Params>,
) -> Result<Response, WebError> {
    let stats = stats_of(&state, &user, &p).await?;
    let bytes = workbook(&stats).map_err(|e| {
        tracing::error!(error = %e, "xlsx failure");
        WebError::Internal
    })?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &file_name(stats.from, stats.to, "xlsx"),
        bytes,
    ))
}

fn workbook(stats: &CcaStats) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    let col = |i: usize| u16::try_from(i).unwrap_or(u16::MAX);
    for t in &stats.tables {
        let sheet = book.add_worksheet().set_name(sheet_name(t))?;
        sheet.write_string_with_format(0, 0, label_heading(t.id), &bold)?;
        sheet.set_column_width(0, 48)?;
        for (c, name) in t.columns.iter().enumerate() {
            sheet.write_string_with_format(0, col(c + 1), *name, &bold)?;
            sheet.set_column_width(col(c + 1), 16)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (r, (label, values)) in t.rows.iter().enumerate() {
            sheet.write_string(index(r + 1), 0, label)?;
            for (c, v) in values.iter().enumerate() {
                if *v == app::cca_stats::MASKED {
                    sheet.write_string(index(r + 1), col(c + 1), "masqué")?;
                } else if v.is_finite() {
                    sheet.write_number(index(r + 1), col(c + 1), *v)?;
                }
            }
        }
    }
    let notes = book.add_worksheet().set_name("Notes")?;
    let mut lines = vec![
        "Statistiques de la CCA (commission de coordination des accompagnements)".to_string(),
        format!("Période : du {} au {} inclus", fr_date(stats.from), fr_date(stats.to)),
        "Source : parcours, chiffres tels que connus le jour du téléchargement.".to_string(),
        "Une cellule vide signifie qu'il n'y a pas de donnée (par exemple un délai sans dossier).".to_string(),
        String::new(),
        "Feuilles :".to_string(),
    ];
    lines.extend(stats.tables.iter().map(|t| format!("{} — {}", sheet_name(t), t.title)));
    for (i, l) in lines.iter().enumerate() {
        notes.write_string(index(i), 0, l)?;
    }
    notes.set_column_width(0, 100)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn period_defaults_and_checks() {
        let today = date!(2026 - 06 - 15);
        let p = |du: &str, au: &str| Params { du: du.into(), au: au.into() };
        assert_eq!(period(&p("", ""), today).unwrap(), (date!(2025 - 06 - 15), today));
        assert_eq!(
            period(&p("2026-01-01", "2026-03-31"), today).unwrap(),
            (date!(2026 - 01 - 01), date!(2026 - 03 - 31))
        );
        assert_eq!(period(&p("", "2026-03-31"), today).unwrap().0, date!(2025 - 03 - 31));
        assert!(period(&p("2026-04-01", "2026-03-31"), today).is_err());
        assert!(period(&p("01/04/2026", ""), today).is_err());
    }

    #[test]
    fn figures_and_csv() {
        assert_eq!(shown(3.0).as_deref(), Some("3"));
        assert_eq!(shown(2.5).as_deref(), Some("2,5"));
        assert_eq!(shown(f64::NAN), None);
        let stats = CcaStats {
            from: date!(2026 - 01 - 01),
            to: date!(2026 - 06 - 15),
            tables: vec![StatTable {
                id: "delais",
                title: "Délais",
                columns: vec!["Dossiers", "Médiane", "90e centile"],
                rows: vec![("Dépôt → décision".into(), vec![2.0, 10.0, f64::NAN])],
            }],
            masked_below: None,
        };
        assert_eq!(
            csv_text(&stats),
            "table,libelle,colonne,valeur\r\ndelais,Dépôt → décision,Dossiers,2\r\n\
             delais,Dépôt → décision,Médiane,10\r\ndelais,Dépôt → décision,90e centile,\r\n"
        );
        assert_eq!(charted_columns(&stats.tables[0]), vec![1, 2]);
    }

    #[test]
    fn charts_are_labelled_and_have_no_style() {
        let svg = horizontal_bars(
            &Caption { id: "g", title: "Décisions", desc: "Barres", size: Size::Half },
            vec!["Accordé".into(), "Ajourné".into()],
            vec![Line::new("Décisions", vec![Some(1.0), None], TEAL)],
        );
        assert!(svg.starts_with("<svg ") && svg.contains("role=\"img\"") && svg.contains("Accordé"), "{svg}");
        assert!(!svg.contains("style"));
    }
}
