//! The `?` overlay: every key of the keymap by context, then every `:`
//! command, generated from the same tables the app reads.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::{centered, wrap};
use crate::core::command::USAGE;
use crate::tui::app::App;
use crate::tui::keymap::{self, Context};
use crate::tui::theme::Theme;

const KEY_COLUMN: usize = 18;

/// Where the overlay goes on a screen.
pub fn area(screen: Rect) -> Rect {
    centered(
        screen,
        screen.width.saturating_sub(4).min(84),
        screen.height.saturating_sub(2),
    )
}

/// The overlay's lines for an inner width.
pub fn lines(theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let heading = Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let mut out = Vec::new();
    for context in Context::ALL {
        out.push(Line::styled(context.title(), heading));
        for b in keymap::bindings(context) {
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {:<KEY_COLUMN$}", keymap::keys_text(b)),
                    theme.key,
                ),
                Span::raw(b.label),
            ]));
        }
        out.push(Line::raw(""));
    }
    out.push(Line::styled("Commands (after :)", heading));
    for (usage, what) in USAGE {
        for (i, part) in wrap(usage, width.saturating_sub(6)).into_iter().enumerate() {
            let indent = if i == 0 { "  " } else { "      " };
            out.push(Line::styled(format!("{indent}{part}"), theme.key));
        }
        out.push(Line::styled(format!("      {what}"), theme.dim));
    }
    out
}

/// How far the overlay can scroll on a screen of this size.
pub fn max_scroll(screen: Rect) -> u16 {
    let inner = area(screen);
    let rows = inner.height.saturating_sub(2) as usize;
    let count = lines(&Theme::plain(), inner.width.saturating_sub(2) as usize).len();
    count.saturating_sub(rows) as u16
}

pub fn draw(app: &App, frame: &mut Frame, scroll: u16) {
    let area = area(frame.area());
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(app.theme.border_focused)
        .title(Line::styled(" Keys and commands ", app.theme.title))
        .title_bottom(Line::styled(" j/k scroll · Esc closes ", app.theme.dim));
    let inner = block.inner(area);
    let text = lines(&app.theme, inner.width as usize);
    let max = text.len().saturating_sub(inner.height as usize) as u16;
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(text).scroll((scroll.min(max), 0)), inner);
}
