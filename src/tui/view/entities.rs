//! The entity list: names, field counts and a mark for entities with
//! findings. Only the rows on screen are built, so a design of thousands
//! of entities draws as fast as a small one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fit, pane_block};
use crate::core::check::Severity;
use crate::tui::app::{App, Mode, Pane};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let total = app.design.entity_count();
    let title = if app.filter.is_empty() {
        format!(" Entities {total} ")
    } else {
        format!(" Entities {}/{total} /{} ", app.visible.len(), app.filter)
    };
    let focused = app.focus == Pane::Entities && !matches!(app.mode, Mode::Command(_));
    let block = pane_block(app, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if app.visible.is_empty() {
        let text = if total == 0 {
            "No entities yet: :entity add NAME".to_owned()
        } else {
            format!("No entity matches /{}", app.filter)
        };
        let paragraph = Paragraph::new(text)
            .style(app.theme.dim)
            .wrap(ratatui::widgets::Wrap { trim: true });
        frame.render_widget(paragraph, inner);
        return;
    }

    let width = inner.width as usize;
    // Room for the widest findings mark (` W12`), if any entity has one.
    let mark_width = app
        .marks
        .values()
        .map(|(_, n)| 2 + n.to_string().len())
        .max()
        .unwrap_or(0);
    let graph = app.design.graph();
    let lines: Vec<Line> = app
        .visible
        .iter()
        .enumerate()
        .skip(app.entity_offset)
        .take(inner.height as usize)
        .map(|(row, &node)| {
            let entity = &graph[node];
            let selected = row == app.entity_cursor;
            let (mark, mark_style) = match app.marks.get(&entity.id) {
                Some((severity, n)) => (
                    format!(" {}{n}", severity_letter(*severity)),
                    severity_style(app, *severity),
                ),
                None => (String::new(), Style::new()),
            };
            let count = format!("{:>3}", entity.fields.len());
            let marker = if selected { "▸ " } else { "  " };
            let name_width = width.saturating_sub(2 + count.len() + mark_width);
            let name = fit(&entity.name, name_width);
            let pad = width.saturating_sub(2 + name.chars().count() + count.len() + mark_width);
            let mut line = Line::from(vec![
                Span::raw(marker),
                Span::raw(name),
                Span::raw(" ".repeat(pad)),
                Span::styled(count, app.theme.dim),
                Span::styled(format!("{mark:<mark_width$}"), mark_style),
            ]);
            if selected {
                line = line.style(if focused {
                    app.theme.selected
                } else {
                    app.theme.selected_unfocused
                });
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn severity_letter(severity: Severity) -> char {
    match severity {
        Severity::Error => 'E',
        Severity::Warning => 'W',
        Severity::Info => 'I',
    }
}

pub fn severity_style(app: &App, severity: Severity) -> Style {
    match severity {
        Severity::Error => app.theme.error,
        Severity::Warning => app.theme.warning,
        Severity::Info => app.theme.info,
    }
}
