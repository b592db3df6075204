//! Compte rendu de séance de la CCA (Commission de Coordination des Accompagnements) en PDF.
//!
//! A small, self-contained renderer: plain data in ([`Minutes`]), PDF bytes out ([`render`]).
//! It uses the base-14 fonts Helvetica and Helvetica-Bold with `WinAnsiEncoding`, so nothing
//! is embedded; French text is encoded to WinAnsi (cp1252) bytes by [`encode_winansi`] and
//! measured with the standard AFM widths below, which lets us wrap lines by width and
//! paginate (footer with "Page n / N" and the confidentiality line on every page).
//! Streams are left uncompressed.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// The minutes of one CCA session, already formatted for print (no dependency on the domain).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Minutes {
    /// E.g. "Compte rendu — CCA du 12/10/2026".
    pub title: String,
    /// Already formatted, e.g. "12/10/2026".
    pub session_date: String,
    pub place: Option<String>,
    pub chair: Option<String>,
    /// "Prénom NOM — Structure".
    pub present: Vec<String>,
    pub absent: Vec<String>,
    pub items: Vec<MinutesItem>,
    /// "Édité le 12/10/2026 par …".
    pub generated_on: String,
    /// Footer line, e.g. "Document confidentiel — données personnelles …".
    pub confidentiality: String,
}

/// One case examined during the session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MinutesItem {
    pub order: usize,
    /// E.g. "Ménage n° 42 — DUPONT Jean (3 personnes)".
    pub household: String,
    /// "Marie MARTIN — CCAS de …".
    pub referrer: String,
    pub measure_asked: String,
    /// "Accordé", "Ajourné", "Refusé", "Réorienté", "Non examiné".
    pub decision: String,
    /// Reason, measure granted, comments; may be long and span several lines.
    pub detail: String,
}

// ---------------------------------------------------------------------------------------------
// Page geometry (PDF points, 1/72 in).

const PAGE_W: f32 = 595.28; // A4
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 56.69; // 20 mm
const MARGIN_TOP: f32 = 56.69;
/// Baseline of the last footer line.
const FOOTER_BASE: f32 = 34.0;
const TEXT_WIDTH: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Width kept on the right of the footer for "Page n / N".
const PAGE_LABEL_ROOM: f32 = 80.0;
const FOOTER_MAX_LINES: usize = 6;

const BODY_SIZE: f32 = 10.0;
const BODY_LEADING: f32 = 13.5;
const TITLE_SIZE: f32 = 16.0;
const TITLE_LEADING: f32 = 20.0;
const SECTION_SIZE: f32 = 12.0;
const SECTION_LEADING: f32 = 16.0;
const ITEM_SIZE: f32 = 11.0;
const ITEM_LEADING: f32 = 15.0;
const FOOTER_SIZE: f32 = 7.5;
const FOOTER_LEADING: f32 = 9.5;
const BODY_INDENT: f32 = 14.0;
/// An item's heading is kept with its first lines.
const ITEM_MIN_HEIGHT: f32 = ITEM_LEADING + 2.0 + 3.0 * BODY_LEADING;
const BULLET_INDENT: f32 = 12.0;

const TEXT_GRAY: f32 = 0.0;
const MUTED_GRAY: f32 = 0.4;
const RULE_GRAY: f32 = 0.7;

// ---------------------------------------------------------------------------------------------
// Fonts, WinAnsi encoding and metrics.

/// One of the two base-14 fonts we use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    Regular,
    Bold,
}

impl Font {
    fn resource(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }

    fn base_font(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"Helvetica"),
            Font::Bold => Name(b"Helvetica-Bold"),
        }
    }

    fn widths(self) -> &'static [u16; 224] {
        match self {
            Font::Regular => &HELVETICA_WIDTHS,
            Font::Bold => &HELVETICA_BOLD_WIDTHS,
        }
    }

    /// Advance width of one WinAnsi byte, in 1/1000 of the font size.
    fn glyph_units(self, byte: u8) -> u32 {
        if byte < 0x20 {
            0
        } else {
            u32::from(self.widths()[usize::from(byte - 0x20)])
        }
    }
}

// Advance widths from Adobe's standard (Core 14) AFM files, indexed by WinAnsiEncoding code
// point minus 0x20 (0x20..=0xFF), in 1/1000 em. Code points that WinAnsi leaves undefined
// (0x7F, 0x81, 0x8D, 0x8F, 0x90, 0x9D) are 0: the encoder never produces them.
const HELVETICA_WIDTHS: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0x30
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 0x50
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 0x60
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0, // 0x70
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // 0xF0
];
const HELVETICA_BOLD_WIDTHS: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0x30
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 0x50
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 0x60
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0, // 0x70
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, // 0xF0
];

/// WinAnsi (cp1252) byte for one character, if it has one.
fn winansi_byte(c: char) -> Option<u8> {
    let cp = u32::from(c);
    match cp {
        0x20..=0x7E | 0xA0..=0xFF => u8::try_from(cp).ok(),
        _ => Some(match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '‘' => 0x91,
            '’' | 'ʼ' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            // Typographic spaces: the French narrow no-break space (before « : ; ! ? » etc.)
            // and the figure space print as a no-break space, the others as a plain space.
            '\u{202F}' | '\u{2007}' => 0xA0,
            '\t' | '\u{2000}'..='\u{2006}' | '\u{2008}'..='\u{200A}' => b' ',
            '\u{2010}' | '\u{2011}' | '\u{2212}' => b'-',
            _ => return None,
        }),
    }
}

/// Characters that carry no glyph: dropped rather than printed as '?'.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Precomposed form of `base` followed by the combining `mark`, for the letters that WinAnsi has
/// (text pasted from some systems arrives decomposed, e.g. "e\u{301}" for "é").
fn compose(base: char, mark: char) -> Option<char> {
    let (bases, composed) = match mark {
        '\u{0300}' => ("AEIOUaeiou", "ÀÈÌÒÙàèìòù"),
        '\u{0301}' => ("AEIOUYaeiouy", "ÁÉÍÓÚÝáéíóúý"),
        '\u{0302}' => ("AEIOUaeiou", "ÂÊÎÔÛâêîôû"),
        '\u{0303}' => ("ANOano", "ÃÑÕãñõ"),
        '\u{0308}' => ("AEIOUYaeiouy", "ÄËÏÖÜŸäëïöüÿ"),
        '\u{030A}' => ("Aa", "Åå"),
        '\u{030C}' => ("SZsz", "ŠŽšž"),
        '\u{0327}' => ("Cc", "Çç"),
        _ => return None,
    };
    let i = bases.chars().position(|b| b == base)?;
    composed.chars().nth(i)
}

/// Encode text to WinAnsi (cp1252) bytes for the base-14 fonts. Characters WinAnsi cannot
/// represent become '?'; soft hyphens and zero-width characters are dropped.
pub(crate) fn encode_winansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_invisible(c) {
            continue;
        }
        if let Some(&mark) = chars.peek() {
            if let Some(b) = compose(c, mark).and_then(winansi_byte) {
                chars.next();
                out.push(b);
                continue;
            }
        }
        out.push(winansi_byte(c).unwrap_or(b'?'));
    }
    out
}

/// Width of `text` in 1/1000 of the font size.
fn text_units(text: &str, font: Font) -> u32 {
    encode_winansi(text).into_iter().map(|b| font.glyph_units(b)).sum()
}

/// Width of `text` in points at `size`.
pub(crate) fn text_width(text: &str, font: Font, size: f32) -> f32 {
    text_units(text, font) as f32 * size / 1000.0
}

/// Spaces where a line may break (not the no-break ones).
fn is_break_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{00A0}' | '\u{202F}' | '\u{2007}')
}

/// Split a word into clusters (a character and the combining marks after it): the encoding is
/// local to a cluster, so cluster widths add up exactly.
fn clusters(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if i > start && !is_combining_mark(c) {
            out.push(&word[start..i]);
            start = i;
        }
    }
    if start < word.len() {
        out.push(&word[start..]);
    }
    out
}

/// Wrap `text` to lines no wider than `width` points at `size`. Explicit line breaks start a
/// new paragraph (an empty line marks a blank line); runs of spaces collapse; a word longer
/// than the line is cut between characters. Trailing blank lines are dropped, so blank text
/// gives no line at all.
pub(crate) fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    let limit = if width > 0.0 && size > 0.0 { (width * 1000.0 / size).floor() as u32 } else { 0 };
    let space = font.glyph_units(b' ');
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut words = para.split(is_break_space).filter(|w| !w.is_empty()).peekable();
        if words.peek().is_none() {
            lines.push(String::new());
            continue;
        }
        let mut cur = String::new();
        let mut cur_units = 0u32;
        for word in words {
            let units = text_units(word, font);
            if !cur.is_empty() && cur_units + space + units <= limit {
                cur.push(' ');
                cur.push_str(word);
                cur_units += space + units;
                continue;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
                cur_units = 0;
            }
            if units <= limit {
                cur.push_str(word);
                cur_units = units;
                continue;
            }
            // Too long for any line: cut it, at least one cluster per line to make progress.
            for cluster in clusters(word) {
                let cu = text_units(cluster, font);
                if !cur.is_empty() && cur_units + cu > limit {
                    lines.push(std::mem::take(&mut cur));
                    cur_units = 0;
                }
                cur.push_str(cluster);
                cur_units += cu;
            }
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// Layout: a list of drawing operations per page, laid out top to bottom.

#[derive(Debug, Clone)]
enum Op {
    Text { x: f32, y: f32, font: Font, size: f32, gray: f32, text: String },
    Rule { x1: f32, x2: f32, y: f32, width: f32, gray: f32 },
}

struct Layout {
    pages: Vec<Vec<Op>>,
    /// Top of the next line.
    y: f32,
    /// Lowest point the content may reach (top of the footer area).
    bottom: f32,
    /// Nothing drawn on the current page yet.
    fresh: bool,
}

/// One piece of text on a line: x offset from the line start, font, size, gray, text.
type Run = (f32, Font, f32, f32, String);

impl Layout {
    fn new(bottom: f32) -> Self {
        Layout { pages: vec![Vec::new()], y: PAGE_H - MARGIN_TOP, bottom, fresh: true }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_H - MARGIN_TOP;
        self.fresh = true;
    }

    /// Start a new page unless `height` more points fit on this one.
    fn ensure(&mut self, height: f32) {
        if !self.fresh && self.y - height < self.bottom {
            self.new_page();
        }
    }

    /// Vertical space, skipped at the top of a page.
    fn gap(&mut self, height: f32) {
        if !self.fresh {
            self.y -= height;
        }
    }

    fn push(&mut self, op: Op) {
        self.fresh = false;
        self.pages.last_mut().expect("at least one page").push(op);
    }

    /// One line of text made of runs sharing a baseline; `size` is the largest size on it.
    fn line(&mut self, x: f32, size: f32, leading: f32, runs: Vec<Run>) {
        self.ensure(leading);
        let baseline = self.y - leading + 0.25 * size;
        for (dx, font, run_size, gray, text) in runs {
            if !text.is_empty() {
                self.push(Op::Text { x: x + dx, y: baseline, font, size: run_size, gray, text });
            }
        }
        self.fresh = false;
        self.y -= leading;
    }

    /// Wrapped text at `x`, `width` wide; blank lines of the text become a short gap.
    fn paragraph(&mut self, text: &str, x: f32, width: f32, font: Font, size: f32, leading: f32) {
        for line in wrap(text, font, size, width) {
            if line.is_empty() {
                self.gap(leading * 0.5);
            } else {
                self.line(x, size, leading, vec![(0.0, font, size, TEXT_GRAY, line)]);
            }
        }
    }

    /// A bold lead (label, number, bullet) followed by text wrapped with a hanging indent.
    fn hanging(&mut self, x: f32, width: f32, lead: (&str, Font), text: &str, font: Font, size: f32, leading: f32) {
        let (lead, lead_font) = lead;
        let indent = text_width(lead, lead_font, size);
        let lines = wrap(text, font, size, (width - indent).max(size));
        let mut first = true;
        for line in lines.into_iter().filter(|l| !l.is_empty()) {
            let mut runs = Vec::with_capacity(2);
            if first {
                runs.push((0.0, lead_font, size, TEXT_GRAY, lead.to_string()));
                first = false;
            }
            runs.push((indent, font, size, TEXT_GRAY, line));
            self.line(x, size, leading, runs);
        }
        if first {
            self.line(x, size, leading, vec![(0.0, lead_font, size, TEXT_GRAY, lead.to_string())]);
        }
    }

    /// "Label : value", the label in bold; an empty value prints as a dash.
    fn labelled(&mut self, x: f32, width: f32, label: &str, value: &str) {
        let value = if value.trim().is_empty() { "—" } else { value };
        let lead = format!("{label}\u{A0}: ");
        self.hanging(x, width, (&lead, Font::Bold), value, Font::Regular, BODY_SIZE, BODY_LEADING);
    }

    fn rule(&mut self, x1: f32, x2: f32, width: f32, gray: f32, space: f32) {
        if self.fresh {
            return;
        }
        if self.y - 2.0 * space < self.bottom {
            self.new_page();
            return;
        }
        self.y -= space;
        self.push(Op::Rule { x1, x2, y: self.y, width, gray });
        self.y -= space;
    }

    fn section(&mut self, title: &str) {
        self.gap(10.0);
        // Keep the heading with at least two lines of what follows.
        self.ensure(SECTION_LEADING + 2.0 * BODY_LEADING + 4.0);
        self.paragraph(title, MARGIN_X, TEXT_WIDTH, Font::Bold, SECTION_SIZE, SECTION_LEADING);
        self.gap(2.0);
    }

    fn people(&mut self, names: &[String], empty: &str) {
        let names: Vec<&String> = names.iter().filter(|n| !n.trim().is_empty()).collect();
        if names.is_empty() {
            let x = MARGIN_X + BODY_INDENT;
            self.line(x, BODY_SIZE, BODY_LEADING, vec![(0.0, Font::Regular, BODY_SIZE, MUTED_GRAY, empty.into())]);
            return;
        }
        for name in names {
            let x = MARGIN_X + BODY_INDENT;
            let bullet = "•";
            let width = TEXT_WIDTH - BODY_INDENT;
            // Pad the bullet to a fixed indent so that all names line up.
            let lines = wrap(name, Font::Regular, BODY_SIZE, width - BULLET_INDENT);
            for (i, line) in lines.into_iter().filter(|l| !l.is_empty()).enumerate() {
                let mut runs = Vec::with_capacity(2);
                if i == 0 {
                    runs.push((0.0, Font::Regular, BODY_SIZE, TEXT_GRAY, bullet.to_string()));
                }
                runs.push((BULLET_INDENT, Font::Regular, BODY_SIZE, TEXT_GRAY, line));
                self.line(x, BODY_SIZE, BODY_LEADING, runs);
            }
        }
    }

    fn item(&mut self, item: &MinutesItem) {
        // Keep the heading with the first lines of the block.
        self.ensure(ITEM_MIN_HEIGHT);
        let number = format!("{}. ", item.order);
        let household = if item.household.trim().is_empty() { "—" } else { &item.household };
        self.hanging(MARGIN_X, TEXT_WIDTH, (&number, Font::Bold), household, Font::Bold, ITEM_SIZE, ITEM_LEADING);
        self.gap(2.0);
        let x = MARGIN_X + BODY_INDENT;
        let width = TEXT_WIDTH - BODY_INDENT;
        self.labelled(x, width, "Orienté par", &item.referrer);
        self.labelled(x, width, "Mesure demandée", &item.measure_asked);
        self.labelled(x, width, "Décision", &item.decision);
        if !item.detail.trim().is_empty() {
            self.gap(3.0);
            self.paragraph(&item.detail, x, width, Font::Regular, BODY_SIZE, BODY_LEADING);
        }
    }
}

/// The footer's left column: who printed it and when, then the confidentiality notice,
/// wrapped and capped to a few lines (the last one ending in "…" when cut).
fn footer_lines(m: &Minutes) -> Vec<(f32, String)> {
    let width = TEXT_WIDTH - PAGE_LABEL_ROOM;
    let mut lines: Vec<(f32, String)> = Vec::new();
    for (text, gray) in [(&m.generated_on, MUTED_GRAY), (&m.confidentiality, MUTED_GRAY)] {
        for line in wrap(text, Font::Regular, FOOTER_SIZE, width) {
            if !line.is_empty() {
                lines.push((gray, line));
            }
        }
    }
    if lines.len() > FOOTER_MAX_LINES {
        lines.truncate(FOOTER_MAX_LINES);
        if let Some((_, last)) = lines.last_mut() {
            while !last.is_empty() && text_width(&format!("{last}…"), Font::Regular, FOOTER_SIZE) > width {
                last.pop();
            }
            last.push('…');
        }
    }
    lines
}

fn footer_ops(lines: &[(f32, String)], page: usize, pages: usize) -> Vec<Op> {
    let rows = lines.len().max(1);
    let first_baseline = FOOTER_BASE + (rows - 1) as f32 * FOOTER_LEADING;
    let mut ops = vec![Op::Rule {
        x1: MARGIN_X,
        x2: MARGIN_X + TEXT_WIDTH,
        y: first_baseline + FOOTER_LEADING + 1.0,
        width: 0.5,
        gray: RULE_GRAY,
    }];
    for (i, (gray, text)) in lines.iter().enumerate() {
        ops.push(Op::Text {
            x: MARGIN_X,
            y: first_baseline - i as f32 * FOOTER_LEADING,
            font: Font::Regular,
            size: FOOTER_SIZE,
            gray: *gray,
            text: text.clone(),
        });
    }
    let label = format!("Page {page} / {pages}");
    let label_w = text_width(&label, Font::Regular, FOOTER_SIZE);
    ops.push(Op::Text {
        x: MARGIN_X + TEXT_WIDTH - label_w,
        y: first_baseline,
        font: Font::Regular,
        size: FOOTER_SIZE,
        gray: TEXT_GRAY,
        text: label,
    });
    ops
}

/// Top of the footer area (its rule), for the given footer lines.
fn footer_top(lines: &[(f32, String)]) -> f32 {
    FOOTER_BASE + lines.len().max(1) as f32 * FOOTER_LEADING + 1.0
}

fn layout(m: &Minutes) -> Vec<Vec<Op>> {
    let footer = footer_lines(m);
    let mut lay = Layout::new(footer_top(&footer) + 12.0);

    let title = if m.title.trim().is_empty() { "Compte rendu de séance" } else { &m.title };
    lay.paragraph(title, MARGIN_X, TEXT_WIDTH, Font::Bold, TITLE_SIZE, TITLE_LEADING);
    lay.gap(6.0);
    lay.labelled(MARGIN_X, TEXT_WIDTH, "Date de la séance", &m.session_date);
    if let Some(place) = m.place.as_deref().filter(|p| !p.trim().is_empty()) {
        lay.labelled(MARGIN_X, TEXT_WIDTH, "Lieu", place);
    }
    if let Some(chair) = m.chair.as_deref().filter(|c| !c.trim().is_empty()) {
        lay.labelled(MARGIN_X, TEXT_WIDTH, "Présidence", chair);
    }
    lay.rule(MARGIN_X, MARGIN_X + TEXT_WIDTH, 0.8, RULE_GRAY, 6.0);

    lay.section(&format!("Membres présents ({})", count_named(&m.present)));
    lay.people(&m.present, "Aucun membre présent renseigné.");
    lay.section(&format!("Membres excusés/absents ({})", count_named(&m.absent)));
    lay.people(&m.absent, "Aucun membre excusé ou absent.");

    lay.section(&format!("Dossiers examinés ({})", m.items.len()));
    if m.items.is_empty() {
        let x = MARGIN_X + BODY_INDENT;
        let note = "Aucun dossier inscrit à l’ordre du jour.".to_string();
        lay.line(x, BODY_SIZE, BODY_LEADING, vec![(0.0, Font::Regular, BODY_SIZE, MUTED_GRAY, note)]);
    }
    for (i, item) in m.items.iter().enumerate() {
        if i > 0 {
            // No rule at the foot of a page when the next item goes over to the next one.
            if lay.y - (14.0 + ITEM_MIN_HEIGHT) < lay.bottom {
                lay.new_page();
            } else {
                lay.rule(MARGIN_X + BODY_INDENT, MARGIN_X + TEXT_WIDTH, 0.4, RULE_GRAY, 7.0);
            }
        } else {
            lay.gap(4.0);
        }
        lay.item(item);
    }

    let pages = lay.pages.len();
    let mut out = lay.pages;
    for (i, ops) in out.iter_mut().enumerate() {
        ops.extend(footer_ops(&footer, i + 1, pages));
    }
    out
}

fn count_named(names: &[String]) -> usize {
    names.iter().filter(|n| !n.trim().is_empty()).count()
}

fn content_stream(ops: &[Op]) -> Vec<u8> {
    let mut content = Content::new();
    for op in ops {
        match op {
            Op::Text { x, y, font, size, gray, text } => {
                let bytes = encode_winansi(text);
                content.set_fill_gray(*gray);
                content.begin_text();
                content.set_font(font.resource(), *size);
                content.next_line(*x, *y);
                content.show(Str(&bytes));
                content.end_text();
            }
            Op::Rule { x1, x2, y, width, gray } => {
                content.save_state();
                content.set_stroke_gray(*gray);
                content.set_line_width(*width);
                content.move_to(*x1, *y);
                content.line_to(*x2, *y);
                content.stroke();
                content.restore_state();
            }
        }
    }
    content.finish().into_vec()
}

/// Render the minutes as a PDF document (A4, uncompressed).
pub fn render(m: &Minutes) -> Vec<u8> {
    let pages = layout(m);

    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let info_id = Ref::new(3);
    let regular_id = Ref::new(4);
    let bold_id = Ref::new(5);
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(6 + 2 * i as i32)).collect();

    let mut pdf = Pdf::new();
    // 1.4: the base-14 fonts may omit /Widths and /FontDescriptor.
    pdf.set_version(1, 4);
    pdf.catalog(catalog_id).pages(tree_id).lang(TextStr("fr"));
    pdf.pages(tree_id).kids(page_ids.iter().copied()).count(pages.len() as i32);

    for (ops, &page_id) in pages.iter().zip(&page_ids) {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree_id);
        page.contents(content_id);
        page.resources().fonts().pair(Font::Regular.resource(), regular_id).pair(Font::Bold.resource(), bold_id);
        page.finish();
        pdf.stream(content_id, &content_stream(ops));
    }

    for (font, id) in [(Font::Regular, regular_id), (Font::Bold, bold_id)] {
        pdf.type1_font(id).base_font(font.base_font()).encoding_predefined(Name(b"WinAnsiEncoding"));
    }

    let title = if m.title.trim().is_empty() { "Compte rendu de séance" } else { &m.title };
    pdf.document_info(info_id).title(TextStr(title)).producer(TextStr("parcours"));
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }

    fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).rposition(|w| w == needle)
    }

    /// Parse the unsigned integer starting at `at` (after optional whitespace).
    fn number_at(buf: &[u8], mut at: usize) -> (usize, usize) {
        while buf[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while at < buf.len() && buf[at].is_ascii_digit() {
            at += 1;
        }
        let n = std::str::from_utf8(&buf[start..at]).unwrap().parse().expect("a number");
        (n, at)
    }

    /// Hand-written structural check: header, %%EOF, startxref -> xref, every in-use xref entry
    /// -> "N 0 obj" for the right N, and /Size in the trailer. Returns the number of entries.
    fn check_structure(pdf: &[u8]) -> usize {
        assert!(pdf.starts_with(b"%PDF-"), "header");
        let mut end = pdf.len();
        while end > 0 && matches!(pdf[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        assert!(pdf[..end].ends_with(b"%%EOF"), "%%EOF at the end");

        let sx = rfind(pdf, b"startxref").expect("startxref");
        let (xref_at, _) = number_at(pdf, sx + b"startxref".len());
        assert!(pdf[xref_at..].starts_with(b"xref"), "startxref points at the xref keyword");

        let mut at = xref_at + 4;
        let mut entries = 0usize;
        let mut in_use = 0usize;
        loop {
            while pdf[at].is_ascii_whitespace() {
                at += 1;
            }
            if pdf[at..].starts_with(b"trailer") {
                break;
            }
            let (first, next) = number_at(pdf, at);
            let (count, next) = number_at(pdf, next);
            at = next;
            while pdf[at] == b' ' {
                at += 1;
            }
            assert!(matches!(pdf[at], b'\r' | b'\n'), "end of subsection header");
            while matches!(pdf[at], b'\r' | b'\n') {
                at += 1;
            }
            for k in 0..count {
                let entry = &pdf[at..at + 20];
                assert!(
                    entry.ends_with(b"\r\n") || entry.ends_with(b" \n") || entry.ends_with(b" \r"),
                    "20-byte entry"
                );
                let text = std::str::from_utf8(&entry[..18]).unwrap();
                let mut parts = text.split(' ');
                let offset: usize = parts.next().unwrap().parse().unwrap();
                let generation: u32 = parts.next().unwrap().parse().unwrap();
                let kind = parts.next().unwrap();
                let num = first + k;
                match kind {
                    "n" => {
                        let expected = format!("{num} {generation} obj");
                        assert!(
                            pdf[offset..].starts_with(expected.as_bytes()),
                            "xref entry {num} points at {:?}",
                            String::from_utf8_lossy(&pdf[offset..(offset + 12).min(pdf.len())])
                        );
                        in_use += 1;
                    }
                    "f" => {}
                    other => panic!("bad xref entry kind {other}"),
                }
                entries = entries.max(num + 1);
                at += 20;
            }
        }
        let trailer = &pdf[at..];
        let size_at = find(trailer, b"/Size").expect("/Size in trailer");
        let (size, _) = number_at(trailer, size_at + 5);
        assert_eq!(size, entries, "trailer /Size matches the xref table");
        assert!(find(trailer, b"/Root").is_some(), "/Root in trailer");
        assert!(find(trailer, b"/Info").is_some(), "/Info in trailer");
        assert!(in_use > 0);
        entries
    }

    /// Every string operand of the file, decoded: literal `(...)` and hex `<...>` strings.
    fn strings(pdf: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < pdf.len() {
            match pdf[i] {
                b'%' if i < 16 => {
                    // The header's comment lines (binary marker).
                    while i < pdf.len() && pdf[i] != b'\n' {
                        i += 1;
                    }
                }
                b'(' => {
                    let mut s = Vec::new();
                    let mut depth = 1;
                    i += 1;
                    while depth > 0 {
                        let b = pdf[i];
                        match b {
                            b'\\' => {
                                i += 1;
                                match pdf[i] {
                                    b'n' => s.push(b'\n'),
                                    b'r' => s.push(b'\r'),
                                    b't' => s.push(b'\t'),
                                    b'b' => s.push(8),
                                    b'f' => s.push(12),
                                    d @ b'0'..=b'7' => {
                                        let mut v = u32::from(d - b'0');
                                        for _ in 0..2 {
                                            if matches!(pdf[i + 1], b'0'..=b'7') {
                                                i += 1;
                                                v = v * 8 + u32::from(pdf[i] - b'0');
                                            }
                                        }
                                        s.push(v as u8);
                                    }
                                    other => s.push(other),
                                }
                            }
                            b'(' => {
                                depth += 1;
                                s.push(b);
                            }
                            b')' => {
                                depth -= 1;
                                if depth > 0 {
                                    s.push(b);
                                }
                            }
                            _ => s.push(b),
                        }
                        i += 1;
                    }
                    out.push(s);
                    continue;
                }
                b'<' if pdf.get(i + 1) == Some(&b'<') => i += 1,
                b'<' => {
                    let close = i + find(&pdf[i..], b">").expect("end of hex string");
                    let hex: Vec<u8> = pdf[i + 1..close].iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
                    let mut s = Vec::new();
                    for pair in hex.chunks(2) {
                        let hi = (pair[0] as char).to_digit(16).expect("hex digit");
                        let lo = pair.get(1).map_or(0, |&b| (b as char).to_digit(16).expect("hex digit"));
                        s.push((hi * 16 + lo) as u8);
                    }
                    out.push(s);
                    i = close;
                }
                _ => {}
            }
            i += 1;
        }
        out
    }

    fn sample(items: usize, detail_paragraphs: usize) -> Minutes {
        let detail = "Le ménage, hébergé chez un tiers depuis huit mois, a déposé une demande de logement \
            social ; la commission relève l’urgence de la situation (enfant scolarisé à 12 km) et \
            l’engagement de la famille dans l’accompagnement budgétaire. Mesure accordée : ASLL \
            « accès » pour six mois, renouvelable après bilan — coût estimé 1 250 €.";
        let detail = vec![detail; detail_paragraphs].join("\n");
        let decisions = ["Accordé", "Ajourné", "Refusé", "Réorienté", "Non examiné"];
        Minutes {
            title: "Compte rendu — CCA du 12/10/2026".into(),
            session_date: "12/10/2026".into(),
            place: Some("Salle du conseil, Hôtel de ville de Saint-Étienne-du-Rouvray".into()),
            chair: Some("Françoise LEFÈVRE — Conseil départemental".into()),
            present: vec![
                "Françoise LEFÈVRE — Conseil départemental".into(),
                "Marie MARTIN — CCAS de Saint-Étienne-du-Rouvray".into(),
                "Jérôme DUCHÊNE — Association « Toit d’abord »".into(),
            ],
            absent: vec!["Cœur GARÇON — Bailleur social (excusé)".into()],
            items: (1..=items)
                .map(|n| MinutesItem {
                    order: n,
                    household: format!("Ménage n° {} — DUPONT Jean ({} personnes)", 40 + n, 1 + n % 5),
                    referrer: "Marie MARTIN — CCAS de Saint-Étienne-du-Rouvray".into(),
                    measure_asked: "Accompagnement social lié au logement (ASLL) — accès".into(),
                    decision: decisions[n % decisions.len()].into(),
                    detail: detail.clone(),
                })
                .collect(),
            generated_on: "Édité le 12/10/2026 par Marie MARTIN".into(),
            confidentiality: "Document confidentiel — données personnelles relevant du secret professionnel \
                partagé ; diffusion réservée aux membres de la commission."
                .into(),
        }
    }

    fn page_count(pdf: &[u8]) -> usize {
        let at = find(pdf, b"/Count").expect("/Count in the page tree");
        number_at(pdf, at + 6).0
    }

    /// The (page, total) pairs of every "Page n / N" footer.
    fn footers(pdf: &[u8]) -> Vec<(usize, usize)> {
        strings(pdf)
            .into_iter()
            .filter_map(|s| {
                let s = String::from_utf8(s).ok()?;
                let rest = s.strip_prefix("Page ")?;
                let (n, total) = rest.split_once(" / ")?;
                Some((n.parse().ok()?, total.parse().ok()?))
            })
            .collect()
    }

    #[test]
    fn output_is_structurally_valid() {
        let pdf = render(&sample(3, 1));
        let entries = check_structure(&pdf);
        // catalog, pages, info, 2 fonts, one page + content stream, plus the free entry 0.
        assert!(entries >= 8);
        assert!(find(&pdf, b"/Producer (parcours)").is_some());
        assert!(find(&pdf, b"/Title").is_some());
        assert!(find(&pdf, b"/Encoding /WinAnsiEncoding").is_some());
        assert!(find(&pdf, b"/BaseFont /Helvetica-Bold").is_some());
        assert!(find(&pdf, b"/MediaBox [0 0 595.28 841.89]").is_some());
        assert!(find(&pdf, b"/Filter").is_none(), "streams are not compressed");
    }

    #[test]
    fn accented_text_is_winansi_encoded() {
        assert_eq!(encode_winansi("Décision"), b"D\xE9cision");
        assert_eq!(
            encode_winansi("é è ê à ç ù ô î « » ’ – — œ €"),
            b"\xE9 \xE8 \xEA \xE0 \xE7 \xF9 \xF4 \xEE \xAB \xBB \x92 \x96 \x97 \x9C \x80"
        );
        // Decomposed input (e + combining acute) prints the same.
        assert_eq!(encode_winansi("De\u{301}cision"), b"D\xE9cision");
        let pdf = render(&sample(2, 1));
        let ops = strings(&pdf);
        let has = |needle: &[u8]| ops.iter().any(|s| find(s, needle).is_some());
        assert!(has(b"D\xE9cision"), "the label Décision is in the content, WinAnsi-encoded");
        assert!(has(b"Orient\xE9 par"));
        assert!(has(b"Membres pr\xE9sents"));
        assert!(has(b"\xC9dit\xE9 le 12/10/2026"), "footer line");
        assert!(has(b"\xAB Toit d\x92abord \xBB"));
        assert!(!has("Décision".as_bytes()), "no UTF-8 leaks into the content");
    }

    #[test]
    fn long_minutes_paginate_with_a_footer_per_page() {
        let m = sample(60, 3);
        let pdf = render(&m);
        check_structure(&pdf);
        let count = page_count(&pdf);
        assert!(count > 3, "60 long items take several pages, got {count}");
        let footers = footers(&pdf);
        assert_eq!(footers.len(), count, "one 'Page n / N' per page");
        for (i, &(n, total)) in footers.iter().enumerate() {
            assert_eq!((n, total), (i + 1, count));
        }
        let page_objects = pdf.windows(11).filter(|w| w == b"/Type /Page").count() - 1; // minus /Pages
        assert_eq!(page_objects, count);
        let conf = encode_winansi("Document confidentiel");
        let conf_lines = strings(&pdf).into_iter().filter(|s| s.starts_with(&conf)).count();
        assert_eq!(conf_lines, count, "confidentiality footer on every page");
        // Every item made it (its heading's number).
        let ops = strings(&pdf);
        for n in 1..=60 {
            let lead = format!("{n}. ");
            assert!(ops.iter().any(|s| s == lead.as_bytes()), "item {n} is printed");
        }

        if std::env::var("PARCOURS_WRITE_SAMPLE").as_deref() == Ok("1") {
            let dir = std::env::var_os("CARGO_TARGET_DIR")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("minutes-sample.pdf"), &pdf).unwrap();
        }
    }

    #[test]
    fn wrapping_never_exceeds_the_width() {
        let text = "Le ménage — hébergé chez un tiers — a déposé une demande « urgente » ; \
            l’œuvre de la commission : 1 250 € d’aide. \
            https://exemple.fr/un/lien/tres/long/qui/ne/tient/sur/aucune/ligne/sans/etre/coupe/au/milieu \
            WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW fin.\n\n\
            Second paragraphe,   avec   des espaces multiples\tet une tabulation.";
        for font in [Font::Regular, Font::Bold] {
            for size in [7.5, 10.0, 12.0, 16.0] {
                for width in [40.0, 90.0, 200.0, TEXT_WIDTH - BODY_INDENT, TEXT_WIDTH] {
                    let lines = wrap(text, font, size, width);
                    assert!(lines.len() > 1);
                    for line in &lines {
                        let w = text_width(line, font, size);
                        assert!(w <= width + 1e-3, "{line:?} is {w} wide, more than {width}");
                        assert_eq!(line.trim(), line.as_str(), "no leading or trailing space");
                    }
                    // Nothing is lost: the same non-space characters, in order.
                    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
                    assert_eq!(squeeze(&lines.concat()), squeeze(text));
                    // The blank line between paragraphs survives.
                    assert!(lines.iter().any(String::is_empty));
                }
            }
        }
        // Words are kept whole when they fit, and a line is filled greedily.
        let lines = wrap("aaa bbb ccc", Font::Regular, 10.0, text_width("aaa bbb", Font::Regular, 10.0));
        assert_eq!(lines, ["aaa bbb", "ccc"]);
        assert!(wrap("", Font::Regular, 10.0, 100.0).is_empty());
        assert!(wrap(" \n \n", Font::Regular, 10.0, 100.0).is_empty());
        // A no-break space (before « : ») does not break.
        let lines = wrap("Décision\u{A0}: Accordé", Font::Bold, 10.0, 60.0);
        assert!(lines[0].starts_with("Décision\u{A0}:"));
    }

    #[test]
    fn unmappable_characters_and_empty_input() {
        assert_eq!(encode_winansi("Ωmega 日本 🙂 ok"), b"?mega ?? ? ok");
        assert_eq!(encode_winansi("\u{301}x"), b"?x", "a lone combining mark is unmappable");
        assert_eq!(encode_winansi("co\u{AD}opé\u{200B}ration"), b"coop\xE9ration");
        assert_eq!(encode_winansi("12\u{202F}€"), b"12\xA0\x80");
        assert_eq!(encode_winansi(""), b"");

        // Empty minutes: no panic, one valid page with its footer.
        let pdf = render(&Minutes::default());
        check_structure(&pdf);
        assert_eq!(page_count(&pdf), 1);
        assert_eq!(footers(&pdf), [(1, 1)]);

        // Empty strings everywhere, odd characters, a huge order number.
        let m = Minutes {
            title: "CCA 🙂 Ω".into(),
            place: Some(String::new()),
            chair: Some("   ".into()),
            present: vec![String::new(), "日本 — Structure".into()],
            absent: vec![],
            items: vec![MinutesItem { order: usize::MAX, ..MinutesItem::default() }, MinutesItem::default()],
            confidentiality: "x".repeat(5000),
            ..Minutes::default()
        };
        let pdf = render(&m);
        check_structure(&pdf);
        let ops = strings(&pdf);
        assert!(ops.iter().any(|s| s.as_slice() == b"CCA ? ?"));
        assert!(ops.iter().any(|s| s.as_slice() == b"?? \x97 Structure"));
        assert_eq!(footers(&pdf).len(), page_count(&pdf));
    }
}
