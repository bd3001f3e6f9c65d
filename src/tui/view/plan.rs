//! The plan preview: what applying the design would change in the
//! database, the statements in the order they run and the safety findings,
//! over the screen until the user applies it or closes it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::{centered, wrap};
use crate::core::check::Severity;
use crate::core::sql::Sql;
use crate::tui::app::App;
use crate::tui::database::Preview;
use crate::tui::theme::Theme;

/// Where the preview goes on a screen: as wide as it may be, and as high
/// as its lines need.
pub fn area(screen: Rect, preview: &Preview) -> Rect {
    let width = screen.width.saturating_sub(4).min(100);
    let count = lines(&Theme::plain(), preview, width.saturating_sub(2) as usize).len();
    let height = (count as u16).saturating_add(2);
    centered(screen, width, height.min(screen.height.saturating_sub(2)))
}

/// The preview's lines for an inner width.
pub fn lines(theme: &Theme, preview: &Preview, width: usize) -> Vec<Line<'static>> {
    let heading = Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let plan = &preview.plan;
    let mut out = Vec::new();
    // Each line of `text` wrapped to the width, keeping its own indent;
    // `first` leads the first row and `rest` the others.
    let wrapped = |out: &mut Vec<Line<'static>>, first: &str, rest: &str, text: &str, style| {
        let room = width.saturating_sub(first.chars().count()).max(8);
        let mut row = 0;
        for line in text.lines() {
            let body = line.trim_start();
            let own = &line[..line.len() - body.len()];
            for part in wrap(body, room.saturating_sub(own.len()).max(8)) {
                let lead = if row == 0 { first } else { rest };
                out.push(Line::styled(format!("{lead}{own}{part}"), style));
                row += 1;
            }
        }
    };
    if let Some(note) = &preview.note {
        wrapped(&mut out, "", "", note, theme.warning);
        out.push(Line::raw(""));
    }
    let how = if plan.before.is_empty() {
        "in one transaction".to_owned()
    } else {
        format!(
            "in one transaction, after {} new enum value(s) commit",
            plan.before.len()
        )
    };
    out.push(Line::raw(format!(
        "{} change(s), {} statement(s) {how}.",
        plan.changes.len(),
        plan.len()
    )));
    out.push(Line::raw(""));
    out.push(Line::styled("Changes", heading));
    for change in &plan.changes {
        wrapped(&mut out, "  - ", "    ", &change.to_string(), Style::new());
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Statements", heading));
    let number_width = plan.len().to_string().len();
    for (i, step) in plan.steps().enumerate() {
        let first = format!("  {:>number_width$}. ", i + 1);
        let rest = " ".repeat(first.len());
        let sql = step.sql(&preview.connection.schema);
        wrapped(&mut out, &first, &rest, &sql, theme.key);
    }
    if !plan.findings.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled("Safety", heading));
        for f in &plan.findings {
            let style = match f.severity {
                Severity::Error => theme.error,
                Severity::Warning => theme.warning,
                Severity::Info => theme.info,
            };
            out.push(Line::from(vec![
                Span::styled(format!("  {:<7}  ", f.severity.as_str()), style),
                Span::raw(format!("{}: ", f.rule)),
            ]));
            wrapped(
                &mut out,
                "           ",
                "           ",
                &f.message,
                Style::new(),
            );
            wrapped(
                &mut out,
                "           hint: ",
                "                 ",
                &f.hint,
                theme.dim,
            );
        }
    }
    if plan.refusal().is_some() {
        out.push(Line::raw(""));
        wrapped(
            &mut out,
            "",
            "",
            "This plan drops data, so y does not apply it. :apply! plans again accepting the drops.",
            theme.error,
        );
    }
    out
}

/// How far the preview can scroll on a screen of this size.
pub fn max_scroll(screen: Rect, preview: &Preview) -> u16 {
    let inner = area(screen, preview);
    let rows = inner.height.saturating_sub(2) as usize;
    let count = lines(
        &Theme::plain(),
        preview,
        inner.width.saturating_sub(2) as usize,
    )
    .len();
    count.saturating_sub(rows) as u16
}

pub fn draw(app: &App, frame: &mut Frame, preview: &Preview) {
    let area = area(frame.area(), preview);
    let keys = match &app.busy {
        Some((what, _)) => format!(" {} ", super::status::busy_text(what)),
        None if preview.plan.refusal().is_some() => " Esc closes · j/k scroll ".to_owned(),
        None => " y applies · Esc cancels · j/k scroll ".to_owned(),
    };
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(app.theme.border_focused)
        .title(Line::styled(
            format!(" Apply to {} ", preview.connection.describe()),
            app.theme.title,
        ))
        .title_bottom(Line::styled(keys, app.theme.dim));
    let inner = block.inner(area);
    let text = lines(&app.theme, preview, inner.width as usize);
    let max = text.len().saturating_sub(inner.height as usize) as u16;
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    frame.render_widget(
        Paragraph::new(text).scroll((preview.scroll.min(max), 0)),
        inner,
    );
}
