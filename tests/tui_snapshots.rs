//! Screens of the designer on the shipped designs, drawn into ratatui's
//! `TestBackend` and compared with insta snapshots. The app is driven
//! through `App::update`, never a real terminal.

use std::path::Path;

use insta::assert_snapshot;
use plinth::core::edit::Edit;
use plinth::core::ids::IdGen;
use plinth::core::model::Deferrable;
use plinth::tui::{App, Mode, Msg, Opened, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The app on a shipped design, sized for a `width` × `height` screen.
fn open(name: &str, width: u16, height: u16) -> App {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("designs")
        .join(name);
    let design = plinth::file::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut app = App::with_ids(Opened::new(path, design), IdGen::seeded(1));
    app.update(Msg::Resize(width, height));
    app
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::draw(app, frame)).unwrap();
    terminal
}

#[test]
fn main_screen_shop_80x24() {
    let app = open("shop.ron", 80, 24);
    assert_snapshot!(draw(&app, 80, 24).backend());
}

#[test]
fn main_screen_shop_120x40() {
    let mut app = open("shop.ron", 120, 40);
    keys(&mut app, "jjjjjjjj");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "jj");
    assert_snapshot!(draw(&app, 120, 40).backend());
}

/// A deferrable key says so on its line in the entity's detail; the
/// others, as in every shipped design, say nothing about it.
#[test]
fn a_deferrable_key_says_so_in_the_detail() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/shop.ron");
    let mut design = plinth::file::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let key = design
        .relationships()
        .find(|r| design.relationship_name(r) == "orders_customer_id_fkey")
        .unwrap()
        .id
        .clone();
    Edit::SetRelationshipDeferrable {
        id: key,
        deferrable: Deferrable::InitiallyDeferred,
    }
    .apply(&mut design)
    .unwrap();
    let mut app = App::with_ids(Opened::new(path, design), IdGen::seeded(1));
    app.update(Msg::Resize(120, 40));
    keys(&mut app, "jjjjjjjj");
    let screen = draw(&app, 120, 40).backend().to_string();
    assert!(
        screen.contains(
            "→ customer_id → customers(id)  on delete restrict  deferrable, initially deferred"
        ),
        "{screen}"
    );
    assert!(
        screen.contains("→ coupon_id → coupons(id)  on delete restrict ")
            && screen.matches("deferrable").count() == 1,
        "{screen}"
    );
}

#[test]
fn help_overlay_80x24() {
    let mut app = open("shop.ron", 80, 24);
    keys(&mut app, "?");
    assert_snapshot!(draw(&app, 80, 24).backend());
}

#[test]
fn help_overlay_scrolled_to_the_commands() {
    let mut app = open("shop.ron", 120, 40);
    keys(&mut app, "?");
    for _ in 0..200 {
        keys(&mut app, "j");
    }
    assert_snapshot!(draw(&app, 120, 40).backend());
}

#[test]
fn findings_panel_legacy_80x24() {
    let mut app = open("legacy.ron", 80, 24);
    press(&mut app, KeyCode::BackTab);
    keys(&mut app, "j");
    assert_snapshot!(draw(&app, 80, 24).backend());
}

#[test]
fn findings_panel_legacy_120x40() {
    let mut app = open("legacy.ron", 120, 40);
    keys(&mut app, "jj");
    press(&mut app, KeyCode::BackTab);
    assert_snapshot!(draw(&app, 120, 40).backend());
}

#[test]
fn command_line_error_80x24() {
    let mut app = open("shop.ron", 80, 24);
    keys(&mut app, ":field add custmers.nickname text");
    press(&mut app, KeyCode::Enter);
    assert_snapshot!(draw(&app, 80, 24).backend());
}

#[test]
fn command_line_typing_with_completions_80x24() {
    let mut app = open("shop.ron", 80, 24);
    keys(&mut app, ":rel add reviews.order_id -> or");
    press(&mut app, KeyCode::Tab);
    assert_snapshot!(draw(&app, 80, 24).backend());
}

#[test]
fn unsaved_marker_and_quit_prompt_80x24() {
    let mut app = open("shop.ron", 80, 24);
    keys(&mut app, ":entity add wishlists");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "q");
    assert_snapshot!(draw(&app, 80, 24).backend());
}

#[test]
fn a_new_empty_design_80x24() {
    let mut opened = Opened::new("/tmp/plan.ron", plinth::core::model::Design::new("plan"));
    opened.is_new = true;
    let app = App::with_ids(opened, IdGen::seeded(1));
    assert_snapshot!(draw(&app, 80, 24).backend());
}

#[test]
fn diagram_blog_120x40() {
    let mut app = open("blog.ron", 120, 40);
    keys(&mut app, "v");
    assert_snapshot!(draw(&app, 120, 40).backend());
}

#[test]
fn diagram_shop_120x40() {
    let mut app = open("shop.ron", 120, 40);
    keys(&mut app, "v");
    assert_snapshot!(draw(&app, 120, 40).backend());
}

#[test]
fn diagram_shop_moved_and_panned_120x40() {
    let mut app = open("shop.ron", 120, 40);
    keys(&mut app, "vjjlL");
    assert_snapshot!(draw(&app, 120, 40).backend());
}

/// The runner's answer to a save refused because the file changed on
/// disk since it was read.
fn refused(app: &mut App, problem: plinth::file::Problem) {
    let path = app.path().to_owned();
    let revision = app.history().revision();
    app.update(Msg::Saved {
        path: path.clone(),
        kind: plinth::tui::SaveKind::Design { revision },
        result: Err(plinth::file::SaveError {
            path,
            target: None,
            problem,
        }),
    });
}

#[test]
fn changed_on_disk_prompt_80x24() {
    let mut app = open("shop.ron", 80, 24);
    keys(&mut app, ":entity add wishlists");
    press(&mut app, KeyCode::Enter);
    refused(
        &mut app,
        plinth::file::Problem::Changed {
            expected: plinth::file::Expect::holding("what was read"),
            found: Some(plinth::file::ContentHash::of(b"what is there now")),
        },
    );
    assert_snapshot!(draw(&app, 80, 24).backend());
}

#[test]
fn read_only_prompt_and_save_elsewhere_80x24() {
    let mut app = open("shop.ron", 80, 24);
    keys(&mut app, ":entity add wishlists");
    press(&mut app, KeyCode::Enter);
    refused(&mut app, plinth::file::Problem::ReadOnly);
    assert_snapshot!("read_only_prompt_80x24", draw(&app, 80, 24).backend());
    keys(&mut app, "s");
    // The suggested path sits beside the design's file; only its name is
    // shown here, the rest is this checkout's.
    let Mode::SaveAs(input) = app.mode() else {
        panic!("{:?}", app.mode())
    };
    assert!(
        input.text.ends_with("/designs/shop.mine.ron"),
        "{}",
        input.text
    );
    let keep = input.text.len() - "shop.mine.ron".len();
    for _ in 0..keep {
        press(&mut app, KeyCode::Home);
        press(&mut app, KeyCode::Delete);
    }
    assert_snapshot!("save_elsewhere_line_80x24", draw(&app, 80, 24).backend());
}

/// The designer draws before the first check: it runs on the worker, and
/// until it comes back the findings pane says so rather than "no
/// findings". Once back, the screen is the one an inline check gives.
#[test]
fn the_first_frame_does_not_wait_for_the_first_check() {
    use plinth::core::check::Checked;
    use plinth::tui::Effect;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/shop.ron");
    let design = plinth::file::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut app = App::checking_in_background(Opened::new(&path, design));
    assert!(app.findings().is_empty() && app.checks_pending());
    let effects = app.update(Msg::Resize(80, 24));
    let [Effect::RunChecks(job)] = effects.as_slice() else {
        panic!("the first update sends the first check out: {effects:?}")
    };
    let before = draw(&app, 80, 24);
    assert_snapshot!(before.backend());
    assert!(
        app.update(job.clone().run(&mut Checked::default()))
            .is_empty()
    );
    assert!(!app.checks_pending());
    let inline = open("shop.ron", 80, 24);
    assert!(!inline.findings().is_empty(), "shop has findings to show");
    assert_eq!(
        draw(&app, 80, 24).backend().to_string(),
        draw(&inline, 80, 24).backend().to_string()
    );
}
