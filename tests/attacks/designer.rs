//! The designer takes SQL text from the command line and from forms; what
//! is not one expression never enters the design, so nothing the designer
//! saves, exports or applies can carry it. Driven through `App::update`
//! as the runner drives it.

use std::path::Path;

use plinth::core::ids::IdGen;
use plinth::tui::{App, Mode, Msg, Opened, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const INJECTED: &str = "false); DROP TABLE keep.canary; --";

fn open() -> App {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/todo.ron");
    let design = plinth::file::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut app = App::with_ids(Opened::new(path, design), IdGen::seeded(1));
    app.update(Msg::Resize(100, 30));
    app
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn message(app: &App) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|frame| view::draw(app, frame)).unwrap();
    format!("{}", terminal.backend())
}

#[test]
fn injected_defaults_on_the_command_line_are_refused() {
    for (default, says) in [
        (INJECTED, "`)`"),
        ("(false); DROP TABLE keep.canary; --", "ends a statement"),
        ("f(1 \\! touch)", "backslash"),
    ] {
        let mut app = open();
        let before = app.design().clone();
        keys(
            &mut app,
            &format!(":field add tasks.flag boolean default {default}"),
        );
        press(&mut app, KeyCode::Enter);
        let said = message(&app);
        assert!(said.contains(says), "`{default}`: {said}");
        assert_eq!(
            *app.design(),
            before,
            "`{default}`: the design is unchanged"
        );
        assert!(!app.is_modified());
    }
}

#[test]
fn an_injected_check_in_the_form_is_refused_and_the_form_stays_open() {
    let mut app = open();
    let before = app.design().clone();
    // The second entity, tasks.
    press(&mut app, KeyCode::Down);
    assert_eq!(app.selected_entity().unwrap().name, "tasks");
    keys(&mut app, "c");
    // Past the optional name, to the expression.
    press(&mut app, KeyCode::Enter);
    keys(&mut app, INJECTED);
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.mode(), Mode::Form(_)), "the form stays open");
    let shown = screen(&app);
    assert!(shown.contains("closes nothing"), "{shown}");
    press(&mut app, KeyCode::Esc);
    assert_eq!(*app.design(), before);
}
