//! Colours. The built-in theme is `assets/theme.ron`, compiled into the
//! binary; a theme file named by `PLINTH_THEME`, or else an
//! `assets/theme.ron` in the working directory, replaces it. Colours are
//! turned off when `NO_COLOR` is set (<https://no-color.org>): then the
//! screen leans on bold and reversed text alone.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

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

    /// The theme for this run, from the environment and the working
    /// directory, with a note to show when a theme file could not be
    /// read (the built-in theme is used then).
    pub fn load() -> (Theme, Option<String>) {
        let cwd = std::env::current_dir().unwrap_or_default();
        Theme::load_from(
            std::env::var_os("NO_COLOR"),
            std::env::var_os("PLINTH_THEME"),
            &cwd,
        )
    }

    /// [`Theme::load`] with the environment given: `no_color` is
    /// `NO_COLOR`, `theme` is `PLINTH_THEME`, `cwd` where to look for
    /// `assets/theme.ron`.
    pub fn load_from(
        no_color: Option<OsString>,
        theme: Option<OsString>,
        cwd: &Path,
    ) -> (Theme, Option<String>) {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return (Theme::plain(), None);
        }
        let path = match theme.filter(|t| !t.is_empty()) {
            Some(named) => Some(cwd.join(PathBuf::from(named))),
            None => Some(cwd.join("assets/theme.ron")).filter(|p| p.is_file()),
        };
        let Some(path) = path else {
            return (Theme::default(), None);
        };
        let read = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| Theme::from_ron(&text));
        match read {
            Ok(theme) => (theme, None),
            Err(e) => (
                Theme::default(),
                Some(format!(
                    "{}: {e}; using the built-in colours",
                    path.display()
                )),
            ),
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
    fn a_theme_file_is_found_and_no_color_wins() {
        let dir = tempfile::tempdir().unwrap();
        let none = || None::<OsString>;
        assert_eq!(
            Theme::load_from(none(), none(), dir.path()),
            (Theme::default(), None)
        );

        std::fs::create_dir(dir.path().join("assets")).unwrap();
        let red = DEFAULT_THEME.replace("accent: \"cyan\"", "accent: \"red\"");
        std::fs::write(dir.path().join("assets/theme.ron"), &red).unwrap();
        let (theme, note) = Theme::load_from(none(), none(), dir.path());
        assert_eq!((theme.title.fg, note), (Some(Color::Red), None));

        let other = dir.path().join("other.ron");
        std::fs::write(&other, DEFAULT_THEME.replace("\"cyan\"", "\"green\"")).unwrap();
        let (theme, _) = Theme::load_from(none(), Some(other.into()), dir.path());
        assert_eq!(theme.title.fg, Some(Color::Green));

        let (theme, note) = Theme::load_from(none(), Some("missing.ron".into()), dir.path());
        assert_eq!(theme, Theme::default());
        assert!(note.unwrap().contains("missing.ron"));

        let (theme, note) = Theme::load_from(Some("1".into()), none(), dir.path());
        assert_eq!((theme, note), (Theme::plain(), None));
    }

    #[test]
    fn a_bad_colour_is_named() {
        let text = DEFAULT_THEME.replace("\"lightred\"", "\"mauvish\"");
        let err = Theme::from_ron(&text).unwrap_err();
        assert!(err.contains("`mauvish` for error"), "{err}");
    }
}
