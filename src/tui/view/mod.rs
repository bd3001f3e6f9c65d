//! Drawing: pure functions of the [`App`] onto a frame, one file per pane.
//! Nothing here changes the app; what a pane needs to scroll is kept by
//! `App::update`, which shares [`layout`] with these functions.

pub(crate) mod detail;
mod diagram;
mod entities;
mod findings;
mod form;
pub mod help;
pub mod plan;
mod prompt;
mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType};

use super::app::{App, Mode, Screen};

/// Where each pane goes on a screen of a given size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    pub entities: Rect,
    pub detail: Rect,
    pub findings: Rect,
    /// The status bar: file, unsaved marker, key hints.
    pub status: Rect,
    /// The bottom line: messages, the command line, the filter.
    pub line: Rect,
}

pub fn layout(area: Rect) -> Areas {
    let [main, status, line] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let list_width = (area.width / 4).clamp(22, 32).min(area.width);
    let [entities, right] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Fill(1)]).areas(main);
    let findings_height = (main.height * 2 / 5).clamp(5, 14).min(main.height);
    let [detail, findings] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(findings_height)]).areas(right);
    Areas {
        entities,
        detail,
        findings,
        status,
        line,
    }
}

/// Where the diagram view goes: everything above the two bottom rows.
pub fn diagram_area(area: Rect) -> Rect {
    let areas = layout(area);
    areas.entities.union(areas.detail).union(areas.findings)
}

/// The diagram's window: its area inside the frame.
pub fn diagram_window(area: Rect) -> Rect {
    diagram_area(area).inner(ratatui::layout::Margin::new(1, 1))
}

/// Draws the whole screen.
pub fn draw(app: &App, frame: &mut Frame) {
    let areas = layout(frame.area());
    match app.screen {
        Screen::Lists => {
            entities::draw(app, frame, areas.entities);
            detail::draw(app, frame, areas.detail);
            findings::draw(app, frame, areas.findings);
        }
        Screen::Diagram => diagram::draw(app, frame, diagram_area(frame.area())),
    }
    status::draw_bar(app, frame, areas.status);
    status::draw_line(app, frame, areas.line);
    match &app.mode {
        Mode::Help { scroll } => help::draw(app, frame, *scroll),
        Mode::Prompt(prompt) => prompt::draw(app, frame, prompt),
        Mode::Form(form) => form::draw(app, frame, form),
        Mode::Preview(preview) => plan::draw(app, frame, preview),
        _ => {}
    }
}

/// A pane's frame: thick and bright when it has the focus, so the focus
/// reads even without colour.
fn pane_block<'a>(app: &App, title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
    let (border, kind) = if focused {
        (app.theme.border_focused, BorderType::Thick)
    } else {
        (app.theme.border, BorderType::Plain)
    };
    Block::bordered()
        .border_type(kind)
        .border_style(border)
        .title(title.into().style(app.theme.title))
}

/// Cuts text to `width` characters, marking the cut with `…`.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// `key label` pairs for hints: the key bright, the words plain.
fn hint_spans<'a>(app: &App, pairs: impl IntoIterator<Item = (String, String)>) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    for (key, label) in pairs {
        spans.push(Span::styled(key, app.theme.key));
        spans.push(Span::styled(format!(" {label}  "), Style::new()));
    }
    spans
}

/// Splits a line at spaces so each part fits `width` (a word longer than
/// the width stands alone).
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push(line);
    out
}

/// A rectangle of at most `width` × `height` in the middle of `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_fits_80_by_24() {
        let a = layout(Rect::new(0, 0, 80, 24));
        assert_eq!(a.entities, Rect::new(0, 0, 22, 22));
        assert_eq!(a.detail.width + a.entities.width, 80);
        assert_eq!(a.findings.height, 8);
        assert_eq!(a.status.y, 22);
        assert_eq!(a.line.y, 23);
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("short", 80), ["short"]);
    }

    #[test]
    fn fit_marks_the_cut() {
        assert_eq!(fit("customers", 20), "customers");
        assert_eq!(fit("customers", 5), "cust…");
        assert_eq!(fit("x", 0), "");
    }
}
