//! A question in a box over the screen, with its answers and their keys.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::centered;
use crate::tui::app::{App, Prompt, PromptAction};

pub fn draw(app: &App, frame: &mut Frame, prompt: &Prompt) {
    let screen = frame.area();
    let width = screen.width.saturating_sub(4).min(64);
    let inner_width = width.saturating_sub(2).max(1) as usize;
    let text_rows = prompt.text.chars().count().div_ceil(inner_width) + 1;
    let height = (text_rows + 4) as u16;
    let area = centered(screen, width, height);

    let mut answers = Vec::new();
    for choice in &prompt.choices {
        let key = if choice.action == PromptAction::Cancel {
            format!("{}/Esc", choice.key)
        } else {
            choice.key.to_string()
        };
        answers.push(Span::styled(key, app.theme.key));
        answers.push(Span::raw(format!(" {}   ", choice.label)));
    }
    let lines = vec![
        Line::raw(prompt.text.clone()),
        Line::raw(""),
        Line::from(answers),
    ];
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(app.theme.border_focused)
        .title(Line::styled(format!(" {} ", prompt.title), app.theme.title));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}
