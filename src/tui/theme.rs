//! Colours, read from `assets/theme.ron` (built into the binary) and
//! turned off when `NO_COLOR` is set (<https://no-color.org>): then the
//! screen leans on bold and reversed text alone.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The theme shipped in `assets/theme.ron`.
pub const DEFAULT_THEME: &str = include_str!("../../assets/theme.ron");

/// The theme file: a colour for each role.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    text: String,
    dim: String,
    accent: String,
    border: String,
    border_focused: String,
    selection_fg: String,
    selection_bg: String,
    selection_unfocused_bg: String,
    error: String,
    warning: String,
    info: String,
    status_fg: String,
    status_bg: String,
    modified: String,
    key: String,
    primary_key: String,
    foreign_key: String,
}

/// The styles the views draw with.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub text: Style,
    pub dim: Style,
    pub title: Style,
    pub border: Style,
    pub border_focused: Style,
    pub selected: Style,
    pub selected_unfocused: Style,
    pub error: Style,
    pub warning: Style,
    pub info: Style,
    pub status: Style,
    pub modified: Style,
    pub key: Style,
    pub primary_key: Style,
    pub foreign_key: Style,
}

impl Theme {
    /// Reads a theme file's text; the error names the colour it could not read.
    pub fn from_ron(text: &str) -> Result<Theme, String> {
        let file: ThemeFile = ron::from_str(text).map_err(|e| format!("theme: {e}"))?;
        let c = |name: &str, value: &str| -> Result<Color, String> {
            value
                .parse::<Color>()
                .map_err(|_| format!("theme: `{value}` for {name} is not a colour"))
        };
        let fg = |name: &str, value: &str| c(name, value).map(|col| Style::new().fg(col));
        Ok(Theme {
            text: fg("text", &file.text)?,
            dim: fg("dim", &file.dim)?,
            title: fg("accent", &file.accent)?.add_modifier(Modifier::BOLD),
            border: fg("border", &file.border)?,
            border_focused: fg("border_focused", &file.border_focused)?,
            selected: Style::new()
                .fg(c("selection_fg", &file.selection_fg)?)
                .bg(c("selection_bg", &file.selection_bg)?)
                .add_modifier(Modifier::BOLD),
            selected_unfocused: Style::new()
                .bg(c("selection_unfocused_bg", &file.selection_unfocused_bg)?),
            error: fg("error", &file.error)?.add_modifier(Modifier::BOLD),
            warning: fg("warning", &file.warning)?,
            info: fg("info", &file.info)?,
            status: Style::new()
                .fg(c("status_fg", &file.status_fg)?)
                .bg(c("status_bg", &file.status_bg)?),
            modified: fg("modified", &file.modified)?.add_modifier(Modifier::BOLD),
            key: fg("key", &file.key)?.add_modifier(Modifier::BOLD),
            primary_key: fg("primary_key", &file.primary_key)?,
            foreign_key: fg("foreign_key", &file.foreign_key)?,
        })
    }

    /// No colours: structure from bold, dim and reversed text.
    pub fn plain() -> Theme {
        let none = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Theme {
            text: none,
            dim: Style::new().add_modifier(Modifier::DIM),
            title: bold,
            border: none,
            border_focused: bold,
            selected: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            selected_unfocused: Style::new().add_modifier(Modifier::REVERSED),
            error: bold,
            warning: none,
            info: none,
            status: Style::new().add_modifier(Modifier::REVERSED),
            modified: bold,
            key: bold,
            primary_key: none,
            foreign_key: none,
        }
    }

    /// The theme for this run: the shipped one, or none under `NO_COLOR`.
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::plain(),
            _ => Theme::default(),
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::from_ron(DEFAULT_THEME).expect("the shipped theme reads")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_theme_reads() {
        let theme = Theme::default();
        assert_eq!(theme.error.fg, Some(Color::LightRed));
        assert_ne!(theme, Theme::plain());
    }

    #[test]
    fn a_bad_colour_is_named() {
        let text = DEFAULT_THEME.replace("\"lightred\"", "\"mauvish\"");
        let err = Theme::from_ron(&text).unwrap_err();
        assert!(err.contains("`mauvish` for error"), "{err}");
    }
}
