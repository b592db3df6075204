//! Server-side SVG charts (charts-rs), made to be inlined in our pages.
//!
//! Inline rather than `<img src=…svg>`: one request computes the figures once, the charts share
//! the page's font and can be read by assistive technology (`role="img"`, `<title>`, `<desc>`).
//! Our CSP (`style-src 'self'`) blocks inline `style` attributes and `<style>` elements, so
//! [`finish`] removes any the library would write (it writes none with our options: no
//! animation, no tooltips; the colours are presentation attributes, which CSP allows) and the
//! tests check the page has none. Charts carry no nominative data: month labels and counts.

use charts_rs::{BarChart, Color, LegendCategory, LineChart, Series, Symbol};

/// Text on the charts: our `--ink` and `--muted`, 15.5:1 and 6.9:1 on white.
const INK: &str = "#1d2330";
const MUTED: &str = "#535b6b";
const GRID: &str = "#d5d9e0";

/// The drawing's size; the page scales it to its box (`viewBox`), up to a width set by the
/// class for [`Size::Small`].
#[derive(Debug, Clone, Copy)]
pub enum Size {
    /// The full width of a panel.
    Wide,
    /// Beside a table.
    Half,
    /// A few bars.
    Small,
}

impl Size {
    fn dimensions(self) -> (f32, f32) {
        match self {
            Self::Wide => (1120.0, 340.0),
            Self::Half => (680.0, 320.0),
            Self::Small => (420.0, 260.0),
        }
    }

    fn class(self) -> &'static str {
        match self {
            Self::Small => "chart chart-small",
            _ => "chart",
        }
    }
}

/// One series: its name (legend), its values (`None`: not drawn, e.g. a masked small count),
/// its colour, and the stack it belongs to (bars).
pub struct Line {
    pub name: String,
    pub values: Vec<Option<f32>>,
    pub color: &'static str,
    pub stack: Option<&'static str>,
}

impl Line {
    pub fn new(name: impl Into<String>, values: Vec<Option<f32>>, color: &'static str) -> Self {
        Self { name: name.into(), values, color, stack: None }
    }

    pub fn stacked(mut self, stack: &'static str) -> Self {
        self.stack = Some(stack);
        self
    }
}

/// What a chart is about, for assistive technology (`id` must be unique in the page), and its
/// size.
pub struct Caption<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    pub size: Size,
}

fn series(lines: Vec<Line>) -> (Vec<Series>, Vec<Color>) {
    let colors = lines.iter().map(|l| Color::from(l.color)).collect();
    let series = lines
        .into_iter()
        .map(|l| {
            let mut s: Series = (l.name.as_str(), l.values).into();
            s.stack = l.stack.map(str::to_string);
            s
        })
        .collect();
    (series, colors)
}

macro_rules! style {
    ($chart:expr, $colors:expr, $size:expr) => {{
        let c = &mut $chart;
        (c.width, c.height) = $size.dimensions();
        c.background_color = Color::from("#ffffff");
        c.series.colors = $colors;
        c.legend.font.color = Color::from(INK);
        c.legend.font.size = 14.0;
        c.x_axis.font.color = Color::from(MUTED);
        c.x_axis.font.size = 13.0;
        c.x_axis.stroke_color = Color::from(MUTED);
        c.grid.stroke_color = Color::from(GRID);
        for y in c.y_axis_configs.iter_mut() {
            y.font.color = Color::from(MUTED);
            y.font.size = 13.0;
            y.min = Some(0.0);
        }
    }};
}

/// A line chart over `labels` (months).
pub fn line(caption: &Caption, labels: Vec<String>, lines: Vec<Line>) -> String {
    let (series, colors) = series(lines);
    let mut chart = LineChart::new(series, labels);
    style!(chart, colors, caption.size);
    chart.series.symbol = Some(Symbol::Circle(2.5, None));
    chart.series.stroke_width = 2.5;
    chart.legend.category = LegendCategory::Normal;
    render(chart.svg(), caption)
}

/// A bar chart over `labels`; series with the same `stack` are stacked, stacks stand side by
/// side. `from_zero: false` lets the value axis go below zero (net change).
pub fn bars(caption: &Caption, labels: Vec<String>, lines: Vec<Line>, from_zero: bool) -> String {
    let (series, colors) = series(lines);
    let mut chart = BarChart::new(series, labels);
    style!(chart, colors, caption.size);
    chart.legend.category = LegendCategory::Rect;
    if !from_zero {
        chart.y_axis_configs.iter_mut().for_each(|y| y.min = None);
    }
    render(chart.svg(), caption)
}

fn render(svg: charts_rs::Result<String>, caption: &Caption) -> String {
    match svg {
        Ok(svg) => finish(&svg, caption),
        // The table beside the chart still holds every figure.
        Err(e) => {
            tracing::error!(error = %e, chart = caption.id, "chart failure");
            String::new()
        }
    }
}

/// Makes the library's SVG fit to inline under our CSP and readable by assistive technology:
/// the opening tag keeps its `viewBox` (the page sizes the chart) and gains `role="img"`,
/// `aria-labelledby` and a `<title>` and `<desc>`; `style` attributes and `<style>` elements are
/// removed.
pub fn finish(svg: &str, caption: &Caption) -> String {
    let Some(open_end) = svg.find('>') else { return String::new() };
    let (open, body) = (&svg[..open_end], &svg[open_end + 1..]);
    let (w, h) = caption.size.dimensions();
    let view_box = attribute(open, "viewBox").map_or_else(|| format!("0 0 {w} {h}"), str::to_string);
    let (id, class) = (caption.id, caption.size.class());
    let mut out = String::with_capacity(svg.len() + 256);
    out.push_str(&format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" class="{class}" role="img" aria-labelledby="{id}-titre {id}-desc" focusable="false"><title id="{id}-titre">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(caption.title),
        escape(caption.desc)
    ));
    out.push_str(&without_styles(body));
    out
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Removes `<style>…</style>` elements and ` style="…"` attributes.
fn without_styles(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    loop {
        let (element, attr) = (rest.find("<style"), rest.find(" style=\""));
        if let Some(e) = element.filter(|e| attr.is_none_or(|a| *e < a)) {
            out.push_str(&rest[..e]);
            rest = rest[e..].find("</style>").map_or("", |end| &rest[e + end + "</style>".len()..]);
        } else if let Some(a) = attr {
            out.push_str(&rest[..a]);
            let value = &rest[a + " style=\"".len()..];
            rest = value.find('"').map_or("", |end| &value[end + 1..]);
        } else {
            break;
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for XML content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caption() -> Caption<'static> {
        Caption { id: "g", title: "Stock <test>", desc: "Ménages & mois", size: Size::Half }
    }

    #[test]
    fn inline_svg_is_labelled_and_has_no_style() {
        let labels = vec!["janv. 25".to_string(), "févr. 25".to_string(), "mars 25".to_string()];
        let svg =
            line(&caption(), labels.clone(), vec![Line::new("Stock", vec![Some(10.0), None, Some(12.0)], "#0b5560")]);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 680 320\" class=\"chart\" role=\"img\" aria-labelledby=\"g-titre g-desc\""), "{svg}");
        assert!(svg
            .contains("<title id=\"g-titre\">Stock &lt;test&gt;</title><desc id=\"g-desc\">Ménages &amp; mois</desc>"));
        assert!(svg.ends_with("</svg>"));
        let bars = bars(
            &caption(),
            labels,
            vec![
                Line::new("A", vec![Some(1.0), Some(2.0), Some(3.0)], "#1f4f99").stacked("in"),
                Line::new("B", vec![Some(1.0), None, Some(3.0)], "#b34700").stacked("in"),
                Line::new("C", vec![Some(4.0), Some(2.0), Some(1.0)], "#1d6b3a").stacked("out"),
            ],
            true,
        );
        for s in [&svg, &bars] {
            assert!(!s.contains("style"), "no inline style under our CSP");
            assert!(!s.contains("<script"));
            assert_eq!(s.matches("<svg").count(), 1);
        }
    }

    #[test]
    fn styles_are_removed() {
        let svg = r#"<svg width="10" height="10" viewBox="0 0 10 10" style="x"><style>a{b:c}</style><rect style="fill:red" x="1"/><text>style</text></svg>"#;
        let out = finish(svg, &caption());
        assert!(out.contains(r#"viewBox="0 0 10 10""#));
        assert!(out.contains(r#"<rect x="1"/><text>style</text></svg>"#), "{out}");
        assert!(!out.contains("style=") && !out.contains("<style"));
    }
}
