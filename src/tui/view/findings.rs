//! The live findings panel: counts by severity in the title, then the
//! selected entity's findings, the rest, and last those the design allows.
//! Each line: the severity, `*` when the finding has a mechanical fix,
//! the rule id, the message.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::entities::{severity_letter, severity_style};
use super::{fit, pane_block};
use crate::core::check::Severity;
use crate::tui::app::{App, Mode, Pane};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Findings && matches!(app.mode, Mode::Normal | Mode::Prompt(_));
    if app.never_checked() {
        // No counts yet: zeros would read as a clean design.
        let block = pane_block(app, Line::from(" Findings · checking… "), focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(
            Paragraph::new(format!(
                "Checking {} entities…",
                app.design().entity_count()
            ))
            .style(app.theme.dim),
            inner,
        );
        return;
    }
    let [info, warning, error] = app.counts;
    let allowed = app.findings.len() - info - warning - error;
    let mut title = vec![
        Span::raw(" Findings "),
        Span::styled(format!("E {error}"), severity_style(app, Severity::Error)),
        Span::raw(" · "),
        Span::styled(
            format!("W {warning}"),
            severity_style(app, Severity::Warning),
        ),
        Span::raw(" · "),
        Span::styled(format!("I {info}"), severity_style(app, Severity::Info)),
    ];
    if allowed > 0 {
        title.push(Span::raw(format!(" · allowed {allowed}")));
    }
    if app.checks_pending() {
        title.push(Span::styled(" · checking…", app.theme.dim));
    }
    title.push(Span::raw(" "));
    let block = pane_block(app, Line::from(title), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if app.findings.is_empty() {
        frame.render_widget(
            Paragraph::new("No findings: the design follows the house style.").style(app.theme.dim),
            inner,
        );
        return;
    }
    let width = inner.width as usize;
    let lines: Vec<Line> = app
        .finding_order
        .iter()
        .enumerate()
        .skip(app.finding_offset)
        .take(inner.height as usize)
        .map(|(row, &i)| {
            let f = &app.findings[i];
            let selected = focused && row == app.finding_cursor;
            let fix = if f.fix.is_some() { '*' } else { ' ' };
            let (letter, style) = if f.allowed.is_some() {
                ('~', app.theme.dim)
            } else {
                (severity_letter(f.severity), severity_style(app, f.severity))
            };
            let mut message = f.message.clone();
            if let Some(reason) = &f.allowed {
                message.push_str(&format!(" (allowed: {reason})"));
            }
            let rule = f.rule.id();
            let line = Line::from(vec![
                Span::raw(if selected { "▸" } else { " " }),
                Span::styled(letter.to_string(), style),
                Span::raw(fix.to_string()),
                Span::raw(" "),
                Span::styled(rule, app.theme.dim),
                Span::raw("  "),
                Span::raw(fit(&message, width.saturating_sub(6 + rule.len()))),
            ]);
            if selected {
                line.style(app.theme.selected)
            } else if f.allowed.is_some() {
                line.style(app.theme.dim)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
