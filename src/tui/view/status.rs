//! The two bottom rows. The status bar: the file, `[+]` while there are
//! unsaved changes, and the keys that matter in the current pane, read
//! from the keymap. The line below: the command line or filter being
//! typed, else the last message, else the selected finding's hint.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fit, hint_spans};
use crate::tui::app::{App, MessageKind, Mode, Pane};
use crate::tui::keymap;

pub fn draw_bar(app: &App, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::raw(format!(" {}", app.file_name()))];
    if app.history.is_modified() {
        spans.push(Span::styled(" [+]", app.theme.modified));
    }
    if app.is_new {
        spans.push(Span::raw(" [new]"));
    }
    spans.push(Span::raw(" │ "));
    match &app.mode {
        Mode::Command(input) if !input.candidates.is_empty() => {
            spans.push(Span::raw(input.candidates.join("  ")));
        }
        Mode::Prompt(_) => {}
        _ => {
            // Whole hints only, as many as fit, most important first.
            let mut room = (area.width as usize)
                .saturating_sub(spans.iter().map(|s| s.content.chars().count()).sum());
            let hints = keymap::hints(app.context())
                .into_iter()
                .map(|b| {
                    let key = b.keys.first().map(|k| k.to_string()).unwrap_or_default();
                    (key, b.hint.unwrap_or(b.label).to_owned())
                })
                .take_while(|(key, label)| {
                    let needed = key.chars().count() + label.chars().count() + 1;
                    let fits = needed <= room;
                    room = room.saturating_sub(needed + 2);
                    fits
                });
            spans.extend(hint_spans(app, hints));
        }
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(app.theme.status),
        area,
    );
}

pub fn draw_line(app: &App, frame: &mut Frame, area: Rect) {
    let width = area.width as usize;
    let (prefix, input) = match &app.mode {
        Mode::Command(input) => (":", input),
        Mode::Filter(input) => ("/", input),
        Mode::SaveAs(input) => ("save to: ", input),
        _ => {
            frame.render_widget(Paragraph::new(idle_line(app, width)), area);
            return;
        }
    };
    // Keep the cursor on screen: show the end of a line longer than the row.
    let before_cursor = input.text[..input.cursor].chars().count() + prefix.chars().count();
    let skip = before_cursor.saturating_sub(width.saturating_sub(1));
    let shown: String = format!("{prefix}{}", input.text)
        .chars()
        .skip(skip)
        .collect();
    frame.render_widget(Paragraph::new(shown), area);
    let x = area.x + (before_cursor - skip) as u16;
    frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
}

/// What the database job is doing, and how to stop it.
pub(super) fn busy_text(what: &str) -> String {
    if what.starts_with("cancelling") {
        format!("{what} …")
    } else {
        format!("{what} … Esc cancels")
    }
}

fn idle_line<'a>(app: &App, width: usize) -> Line<'a> {
    if let Some(message) = &app.message {
        return match message.kind {
            MessageKind::Error => Line::styled(
                fit(&format!("error: {}", message.text), width),
                app.theme.error,
            ),
            MessageKind::Info => Line::raw(fit(&message.text, width)),
        };
    }
    if let Some((what, _)) = &app.busy {
        return Line::styled(fit(&busy_text(what), width), app.theme.info);
    }
    if app.focus == Pane::Findings
        && let Some(f) = app.selected_finding()
    {
        let fix = if f.fix.is_some() {
            " · f fixes it"
        } else {
            ""
        };
        let text = format!("{}: {}{fix}", f.rule.id(), f.hint);
        return Line::styled(fit(&text, width), app.theme.dim);
    }
    let d = &app.design;
    let text = format!(
        "{}: {} entities, {} relationships, {} enums",
        d.name,
        d.entity_count(),
        d.relationship_count(),
        d.enums.len()
    );
    Line::styled(fit(&text, width), Style::new().patch(app.theme.dim))
}
