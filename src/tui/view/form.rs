//! A form in a box over the screen: a row per input (label, value) and
//! under each the problem with it, in the error colour, or a word of help.

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::{centered, fit, hint_spans};
use crate::tui::app::App;
use crate::tui::form::{Form, Value};
use crate::tui::keymap::{self, Context};

const LABEL: usize = 12;

pub fn draw(app: &App, frame: &mut Frame, form: &Form) {
    let screen = frame.area();
    let height = (form.inputs.len() * 2 + 5) as u16;
    let area = centered(screen, screen.width.saturating_sub(4).min(76), height);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(app.theme.border_focused)
        .title(Line::styled(format!(" {} ", form.title), app.theme.title));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);

    let width = inner.width as usize;
    let value_width = width.saturating_sub(LABEL + 3);
    let problems = form.problems(&app.design);
    let mut lines = vec![Line::raw("")];
    let mut cursor = None;
    for (i, (input, problem)) in form.inputs.iter().zip(&problems).enumerate() {
        let focused = i == form.focus;
        let label = format!(
            "{}{:>LABEL$} ",
            if focused { "▸" } else { " " },
            input.label
        );
        let label_style = if focused { app.theme.key } else { Style::new() };
        let mut spans = vec![Span::styled(label, label_style), Span::raw(" ")];
        let field = Style::new().add_modifier(Modifier::UNDERLINED);
        match &input.value {
            Value::Text(line) => {
                let shown = fit(&line.text, value_width.saturating_sub(1));
                let pad = value_width.saturating_sub(shown.chars().count());
                spans.push(Span::styled(format!("{shown}{}", " ".repeat(pad)), field));
                if focused {
                    let at = line.text[..line.cursor].chars().count().min(value_width);
                    cursor = Some((LABEL + 3 + at, lines.len()));
                }
            }
            Value::Toggle(on) => {
                let text = if *on { "[x] yes" } else { "[ ] no" };
                spans.push(Span::raw(text));
            }
            Value::Choice { options, selected } => {
                for (k, option) in options.iter().enumerate() {
                    if k > 0 {
                        spans.push(Span::styled(" · ", app.theme.dim));
                    }
                    let style = if Some(k) == *selected {
                        app.theme.selected
                    } else {
                        app.theme.dim
                    };
                    spans.push(Span::styled(option.clone(), style));
                }
            }
            Value::Pick { query, .. } => {
                let matches = input.value.matches();
                let picked = input.value.picked();
                let q = fit(&query.text, 16);
                spans.push(Span::styled(format!("{q:<16}"), field));
                if focused {
                    let at = query.text[..query.cursor].chars().count().min(16);
                    cursor = Some((LABEL + 3 + at, lines.len()));
                }
                if let Some(p) = picked {
                    let at = matches.iter().position(|m| *m == p).unwrap_or(0) + 1;
                    spans.push(Span::raw(" → "));
                    spans.push(Span::styled(p.to_owned(), app.theme.selected));
                    spans.push(Span::styled(
                        format!(" {at} of {}", matches.len()),
                        app.theme.dim,
                    ));
                }
            }
        }
        lines.push(Line::from(spans));
        let shown = problem.as_ref().filter(|_| form.tried || input.touched);
        let note = match shown {
            Some(p) => Line::styled(fit(&format!("{:LABEL$}   {p}", ""), width), app.theme.error),
            None => Line::styled(
                fit(&format!("{:LABEL$}   {}", "", input.help), width),
                app.theme.dim,
            ),
        };
        lines.push(note);
    }
    lines.push(match &form.refused {
        Some(why) => Line::styled(fit(&format!(" refused: {why}"), width), app.theme.error),
        None => Line::raw(""),
    });
    let hints = keymap::hints(Context::Form).into_iter().map(|b| {
        let key = b.keys.first().map(|k| k.to_string()).unwrap_or_default();
        (key, b.hint.unwrap_or(b.label).to_owned())
    });
    let mut hint_line = vec![Span::raw(" ")];
    hint_line.extend(hint_spans(app, hints));
    lines.push(Line::from(hint_line));
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((x, y)) = cursor {
        frame.set_cursor_position(Position::new(
            (inner.x + x as u16).min(inner.right().saturating_sub(1)),
            inner.y + y as u16,
        ));
    }
}
