//! The designer's behaviour, driven through `App::update` as the runner
//! would drive it, with no terminal: keys, commands, undo, fixes, saving
//! and quitting.

use std::path::{Path, PathBuf};

use plinth::core::check::{Checked, Rule};
use plinth::core::ids::IdGen;
use plinth::file::{ContentHash, Problem, SaveError, SaveOutcome, Saved};
use plinth::tui::{App, Effect, MessageKind, Mode, Msg, Opened, Pane, PromptAction, SaveKind};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the runner reports for a save that wrote `text`.
fn written(text: &str) -> Saved {
    Saved {
        outcome: SaveOutcome::Written,
        hash: ContentHash::of(text.as_bytes()),
    }
}

fn design_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("designs")
        .join(name)
}

fn open(name: &str) -> App {
    let path = design_path(name);
    let design = plinth::file::load(&path).unwrap_or_else(|e| panic!("{e}"));
    App::with_ids(Opened::new(path, design), IdGen::seeded(1))
}

fn empty() -> App {
    let design = plinth::core::model::Design::new("scratch");
    let mut opened = Opened::new("/nowhere/scratch.ron", design);
    opened.is_new = true;
    App::with_ids(opened, IdGen::seeded(2))
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

fn keys(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(press(app, KeyCode::Char(c)));
    }
    effects
}

/// Types a command line after `:` and presses Enter.
fn command(app: &mut App, line: &str) -> Vec<Effect> {
    keys(app, ":");
    keys(app, line);
    press(app, KeyCode::Enter)
}

fn message(app: &App) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

fn has_rule(app: &App, rule: Rule) -> bool {
    app.findings().iter().any(|f| f.rule == rule)
}

#[test]
fn the_issue_walkthrough_by_keys() {
    let mut app = empty();
    for line in [
        "entity add customers",
        "field add customers.email varchar(255) not null",
        "entity add orders",
        "rel add orders.customer_id -> customers on delete cascade",
        "field add orders.phone1 text",
        "field add orders.phone2 text",
    ] {
        command(&mut app, line);
        assert_ne!(
            app.message().map(|m| m.kind),
            Some(MessageKind::Error),
            "{line}: {}",
            message(&app)
        );
    }
    assert!(app.is_modified());
    assert!(has_rule(&app, Rule::RepeatingGroup));
    assert!(has_rule(&app, Rule::UniqueNaturalKey));
    assert_eq!(app.selected_entity().unwrap().name, "orders");

    keys(&mut app, "u");
    assert_eq!(message(&app), "undid add field");
    assert!(!has_rule(&app, Rule::RepeatingGroup));
    ctrl(&mut app, 'r');
    assert!(has_rule(&app, Rule::RepeatingGroup));
    ctrl(&mut app, 'z');
    assert!(!has_rule(&app, Rule::RepeatingGroup));
    ctrl(&mut app, 'y');
    assert!(has_rule(&app, Rule::RepeatingGroup));
    command(&mut app, "undo");
    command(&mut app, "redo");
    command(&mut app, "undo");
    assert!(!has_rule(&app, Rule::RepeatingGroup));

    let effects = command(&mut app, "wq");
    let [
        Effect::Save {
            path,
            text,
            kind: SaveKind::Design { revision },
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(text, &plinth::file::to_text(app.design()));
    let done = app.update(Msg::Saved {
        path: path.clone(),
        kind: SaveKind::Design {
            revision: *revision,
        },
        result: Ok(written(text)),
    });
    assert!(done.contains(&Effect::Quit), "{done:?}");
    assert!(!app.is_modified());
}

#[test]
fn a_command_error_changes_nothing_and_says_why() {
    let mut app = open("shop.ron");
    let before = app.design().clone();
    command(&mut app, "entity drop custmers");
    assert_eq!(
        app.message().unwrap().kind,
        MessageKind::Error,
        "{}",
        message(&app)
    );
    assert_eq!(
        message(&app),
        "no entity named `custmers`; did you mean `customers`?"
    );
    assert_eq!(app.design(), &before);
    assert!(!app.is_modified());
    assert_eq!(app.mode(), &Mode::Normal);
    // The next key clears the message.
    keys(&mut app, "j");
    assert!(app.message().is_none());
}

#[test]
fn command_history_and_completion() {
    let mut app = open("shop.ron");
    command(&mut app, "field add customers.nickname text");
    command(&mut app, "field add customers.motto text");
    keys(&mut app, ":");
    press(&mut app, KeyCode::Up);
    let Mode::Command(input) = app.mode() else {
        panic!()
    };
    assert_eq!(input.text, "field add customers.motto text");
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    let Mode::Command(input) = app.mode() else {
        panic!()
    };
    assert_eq!(input.text, "", "back to what was typed");

    keys(&mut app, "entity drop cust");
    press(&mut app, KeyCode::Tab);
    let Mode::Command(input) = app.mode() else {
        panic!()
    };
    assert_eq!(input.text, "entity drop customers ");

    ctrl(&mut app, 'u');
    keys(&mut app, "field drop customers.n");
    press(&mut app, KeyCode::Tab);
    let Mode::Command(input) = app.mode() else {
        panic!()
    };
    assert_eq!(input.text, "field drop customers.nickname ");

    // Several candidates: the common prefix, then Tab cycles.
    ctrl(&mut app, 'u');
    keys(&mut app, "entity drop p");
    press(&mut app, KeyCode::Tab);
    let Mode::Command(input) = app.mode() else {
        panic!()
    };
    assert_eq!(input.candidates, ["products", "product_images", "payments"]);
    assert_eq!(input.text, "entity drop products");
    press(&mut app, KeyCode::Tab);
    let Mode::Command(input) = app.mode() else {
        panic!()
    };
    assert_eq!(input.text, "entity drop product_images");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), &Mode::Normal);
}

#[test]
fn applying_a_fix_is_one_undoable_step() {
    let mut app = open("legacy.ron");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus(), Pane::Findings);
    // Walk to the first finding with a fix.
    while app.selected_finding().unwrap().fix.is_none() {
        keys(&mut app, "j");
    }
    let target = app.selected_finding().unwrap().clone();
    keys(&mut app, "f");
    assert!(app.is_modified());
    assert!(
        message(&app).starts_with(&format!("fixed {}", target.rule)),
        "{}",
        message(&app)
    );
    let same = |a: &App| {
        a.findings()
            .iter()
            .any(|f| f.rule == target.rule && f.location == target.location)
    };
    assert!(!same(&app));
    keys(&mut app, "u");
    assert!(same(&app));
    assert!(!app.is_modified());
}

#[test]
fn enter_on_a_finding_jumps_to_its_entity_and_field() {
    let mut app = open("legacy.ron");
    assert_eq!(app.selected_entity().unwrap().name, "customer");
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus(), Pane::Findings);
    // The selected entity's findings come first; go past them.
    let customer = app.selected_entity().unwrap().id.clone();
    while app.selected_finding().unwrap().location.entity() == Some(&customer) {
        keys(&mut app, "j");
    }
    let finding = app.selected_finding().unwrap().clone();
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.focus(), Pane::Fields);
    assert_eq!(
        Some(&app.selected_entity().unwrap().id),
        finding.location.entity()
    );
    // Now that entity's findings lead the panel.
    assert_eq!(
        app.findings()
            .iter()
            .position(|f| f == app.selected_finding().unwrap()),
        app.findings()
            .iter()
            .position(|f| f.location.entity() == finding.location.entity())
    );
}

#[test]
fn the_filter_narrows_the_list_and_esc_clears_it() {
    let mut app = open("shop.ron");
    keys(&mut app, "/ord");
    assert_eq!(app.selected_entity().unwrap().name, "orders");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "j");
    assert_eq!(app.selected_entity().unwrap().name, "order_items");
    keys(&mut app, "j");
    assert_eq!(
        app.selected_entity().unwrap().name,
        "order_items",
        "only two entities match"
    );
    keys(&mut app, "/");
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "j");
    assert_eq!(app.selected_entity().unwrap().name, "payments");
    keys(&mut app, "G");
    assert_eq!(app.selected_entity().unwrap().name, "reviews");
    keys(&mut app, "g");
    assert_eq!(app.selected_entity().unwrap().name, "customers");
}

#[test]
fn dropping_asks_first() {
    let mut app = open("shop.ron");
    keys(&mut app, "d");
    let Mode::Prompt(prompt) = app.mode() else {
        panic!("{:?}", app.mode())
    };
    assert!(prompt.text.contains("`customers`"), "{}", prompt.text);
    press(&mut app, KeyCode::Esc);
    assert!(app.design().entity_named("customers").is_some());
    keys(&mut app, "dy");
    assert!(app.design().entity_named("customers").is_none());
    assert_eq!(app.selected_entity().unwrap().name, "addresses");
    keys(&mut app, "u");
    assert!(app.design().entity_named("customers").is_some());

    keys(&mut app, "lj");
    assert_eq!(app.focus(), Pane::Fields);
    keys(&mut app, "dy");
    assert!(
        app.selected_entity()
            .unwrap()
            .field_named("customer_id")
            .is_none()
    );
}

#[test]
fn quitting_asks_only_when_there_are_unsaved_changes() {
    let mut app = open("shop.ron");
    let recover = design_path(".shop.ron.recover");
    assert_eq!(
        keys(&mut app, "q"),
        [
            Effect::RemoveRecovery {
                path: recover.clone()
            },
            Effect::Quit
        ]
    );

    command(&mut app, "entity add notes");
    assert!(keys(&mut app, "q").is_empty());
    let Mode::Prompt(prompt) = app.mode() else {
        panic!()
    };
    assert_eq!(prompt.choices[1].action, PromptAction::Quit);
    assert!(keys(&mut app, "c").is_empty());
    assert_eq!(app.mode(), &Mode::Normal);
    assert!(command(&mut app, "q").is_empty());
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        command(&mut app, "q!"),
        [Effect::RemoveRecovery { path: recover }, Effect::Quit]
    );
    keys(&mut app, "q");
    let effects = keys(&mut app, "s");
    assert!(matches!(effects.as_slice(), [Effect::Save { .. }]));
}

#[test]
fn saving_marks_the_design_saved_only_when_the_write_succeeds() {
    let mut app = open("shop.ron");
    command(&mut app, "entity add notes");
    let effects = ctrl(&mut app, 's');
    let [
        Effect::Save {
            path, kind, text, ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(path, &design_path("shop.ron"));
    let failed = app.update(Msg::Saved {
        path: path.clone(),
        kind: *kind,
        result: Err(SaveError {
            path: path.clone(),
            target: None,
            problem: Problem::Io {
                kind: std::io::ErrorKind::StorageFull,
                message: "disk full".into(),
            },
        }),
    });
    assert!(failed.is_empty());
    assert!(app.is_modified());
    assert_eq!(
        message(&app),
        format!("{} could not be written: disk full", path.display())
    );

    let effects = ctrl(&mut app, 's');
    app.update(Msg::Saved {
        path: path.clone(),
        kind: *kind,
        result: Ok(written(text)),
    });
    assert_eq!(effects.len(), 1);
    assert!(!app.is_modified());
    assert_eq!(message(&app), "wrote shop.ron");

    // A copy elsewhere does not make the design saved.
    command(&mut app, "entity add more_notes");
    let effects = command(&mut app, "w /tmp/elsewhere.ron");
    let [
        Effect::Save {
            kind: SaveKind::Copy,
            text,
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    app.update(Msg::Saved {
        path: "/tmp/elsewhere.ron".into(),
        kind: SaveKind::Copy,
        result: Ok(written(text)),
    });
    assert!(app.is_modified());
}

#[test]
fn new_entities_follow_the_house_style_and_are_selected() {
    let mut app = empty();
    command(&mut app, "entity add customers");
    let e = app.selected_entity().unwrap();
    assert_eq!(e.name, "customers");
    let names: Vec<&str> = e.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["id", "created_at", "updated_at"]);
    assert_eq!(message(&app), ":entity add customers");
}

#[test]
fn a_large_design_opens_and_edits() {
    let design = plinth::core::synthetic::design(2000, 3);
    let mut app = App::with_ids(Opened::new("big.ron", design), IdGen::seeded(4));
    app.update(Msg::Resize(120, 40));
    keys(&mut app, "G");
    assert_eq!(app.selected_entity().unwrap().name, "table_01999s");
    command(&mut app, "field add table_01999s.note text");
    assert_eq!(app.selected_entity().unwrap().name, "table_01999s");
    assert!(app.is_modified());
}

/// Runs the check jobs among `effects` here and now, as the runner's
/// worker would (re-checking from what it found before), and feeds their
/// results back.
fn settle(app: &mut App, effects: Vec<Effect>, worker: &mut Checked) {
    for effect in effects {
        if let Effect::RunChecks(job) = effect {
            let more = app.update(job.run(worker));
            settle(app, more, worker);
        }
    }
}

#[test]
fn checks_run_off_the_input_path_and_stale_results_are_dropped() {
    let mut app = open("shop.ron").with_background_checks();
    let before = app.findings().to_vec();
    assert!(!app.checks_pending());
    assert!(keys(&mut app, "jk").is_empty(), "moving checks nothing");

    let fx = command(&mut app, "field add customers.phone1 text");
    let [Effect::RunChecks(first)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(app.checks_pending());
    assert_eq!(app.findings(), before, "the last findings stay on show");
    let fx = command(&mut app, "field add customers.phone2 text");
    let [Effect::RunChecks(second)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(second.generation > first.generation);
    // The job holds the design as it was asked about.
    let customers = first.design.entity_named("customers").unwrap();
    assert!(customers.field_named("phone2").is_none());

    // The first job's results come late: the design has moved on.
    let mut worker = Checked::default();
    assert!(app.update(first.clone().run(&mut worker)).is_empty());
    assert!(app.checks_pending());
    assert!(!has_rule(&app, Rule::RepeatingGroup));
    // A fix waits for fresh findings.
    press(&mut app, KeyCode::BackTab);
    keys(&mut app, "f");
    assert!(message(&app).contains("still running"), "{}", message(&app));
    assert!(app.update(second.clone().run(&mut worker)).is_empty());
    assert!(!app.checks_pending());
    assert!(has_rule(&app, Rule::RepeatingGroup));

    // Undo asks again; run synchronously, the result is what an inline
    // check gives.
    let fx = keys(&mut app, "u");
    settle(&mut app, fx, &mut worker);
    assert!(!app.checks_pending());
    assert!(!has_rule(&app, Rule::RepeatingGroup));
    let mut inline = open("shop.ron");
    command(&mut inline, "field add customers.phone1 text");
    let rules = |a: &App| a.findings().iter().map(|f| f.rule).collect::<Vec<_>>();
    assert_eq!(rules(&app), rules(&inline));
}

#[test]
fn the_diagram_moves_the_selection_and_keeps_it_when_switching_back() {
    use plinth::tui::Screen;
    let mut app = open("shop.ron");
    app.update(Msg::Resize(120, 40));
    keys(&mut app, "v");
    assert_eq!(app.screen(), Screen::Diagram);
    assert_eq!(app.selected_entity().unwrap().name, "customers");
    keys(&mut app, "l");
    assert_eq!(app.selected_entity().unwrap().name, "categories");
    keys(&mut app, "h");
    assert_eq!(app.selected_entity().unwrap().name, "customers");
    keys(&mut app, "j");
    let below = app.selected_entity().unwrap().id.clone();
    let parents: Vec<_> = app
        .design()
        .relationships_from(&below)
        .iter()
        .map(|r| r.to.clone())
        .collect();
    assert!(!parents.is_empty(), "a layer down is a child");
    keys(&mut app, "kl");
    let chosen = app.selected_entity().unwrap().name.clone();
    keys(&mut app, "HJKL");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Lists);
    assert_eq!(app.selected_entity().unwrap().name, chosen);
    keys(&mut app, "v");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Lists);
    assert_eq!(app.focus(), Pane::Fields);
    assert_eq!(app.selected_entity().unwrap().name, chosen);

    // Edits in the diagram lay it out again.
    keys(&mut app, "v");
    command(&mut app, "entity add wishlists");
    assert_eq!(app.selected_entity().unwrap().name, "wishlists");
    keys(&mut app, "u");
    assert_eq!(app.screen(), Screen::Diagram);
}

#[test]
fn the_mouse_selects_and_scrolls() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mouse = |app: &mut App, kind, column, row| {
        app.update(Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }))
    };
    let click = MouseEventKind::Down(MouseButton::Left);
    let mut app = open("shop.ron");
    app.update(Msg::Resize(80, 24));
    // The entity list: row 1 is the first entity.
    mouse(&mut app, click, 5, 3);
    assert_eq!(app.selected_entity().unwrap().name, "categories");
    assert_eq!(app.focus(), Pane::Entities);
    mouse(&mut app, MouseEventKind::ScrollDown, 5, 3);
    assert_eq!(app.selected_entity().unwrap().name, "warehouses");
    // A field row in the detail pane.
    mouse(&mut app, click, 40, 4);
    assert_eq!(app.focus(), Pane::Fields);
    // A finding.
    mouse(&mut app, click, 40, 15);
    assert_eq!(app.focus(), Pane::Findings);
    assert!(app.selected_finding().is_some());

    // In the diagram a click selects the box under it.
    app.update(Msg::Resize(120, 40));
    keys(&mut app, "v");
    let screen = {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        t.draw(|f| plinth::tui::view::draw(&app, f)).unwrap();
        format!("{}", t.backend())
    };
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("┌ coupons"))
        .unwrap();
    // Each line of the capture is quoted: column 0 is the second char.
    let column = line[..line.find("┌ coupons").unwrap()].chars().count() - 1;
    mouse(&mut app, click, column as u16 + 2, row as u16 + 1);
    assert_eq!(app.selected_entity().unwrap().name, "coupons");
}

/// The app on the shop design with a database to apply to (nothing
/// listens there: these tests feed the database's replies themselves).
fn with_database() -> App {
    let path = design_path("shop.ron");
    let design = plinth::file::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut opened = Opened::new(path, design);
    opened.connection = Some(plinth::tui::Connection {
        target: plinth::db::Target::parse("host=127.0.0.1 port=1 user=nobody").unwrap(),
        schema: "public".into(),
    });
    App::with_ids(opened, IdGen::seeded(3))
}

/// The plan job `A` asks for, and the plan from an empty schema to the
/// design as the database would send it back.
fn plan_requested(app: &mut App) -> (u64, plinth::core::diff::Plan) {
    let effects = keys(app, "A");
    let [Effect::Database(job)] = effects.as_slice() else {
        panic!("A asks the database for a plan: {effects:?}")
    };
    let empty = plinth::core::model::Design::new("empty");
    let plan = plinth::core::diff::plan(&empty, &job.design, Default::default());
    (job.generation, plan)
}

#[test]
fn a_plan_arriving_while_the_command_line_is_open_waits_for_a() {
    let mut app = with_database();
    let (generation, plan) = plan_requested(&mut app);
    keys(&mut app, ":field add users.x te");
    app.update(Msg::Database(plinth::tui::DbReply::Planned {
        generation,
        plan: Box::new(plan),
    }));
    let Mode::Command(input) = app.mode() else {
        panic!("the command line stays open: {:?}", app.mode())
    };
    assert_eq!(input.text, "field add users.x te", "nothing typed is lost");
    assert_eq!(message(&app), "the plan is ready: A shows it");

    press(&mut app, KeyCode::Esc);
    let effects = keys(&mut app, "A");
    assert!(effects.is_empty(), "no second trip to the database");
    assert!(matches!(app.mode(), Mode::Preview(_)), "{:?}", app.mode());
}

#[test]
fn a_ready_plan_for_an_older_design_is_planned_again() {
    let mut app = with_database();
    let (generation, plan) = plan_requested(&mut app);
    keys(&mut app, ":");
    app.update(Msg::Database(plinth::tui::DbReply::Planned {
        generation,
        plan: Box::new(plan),
    }));
    press(&mut app, KeyCode::Esc);
    command(&mut app, "entity add notes");
    let effects = keys(&mut app, "A");
    assert!(
        matches!(effects.as_slice(), [Effect::Database(_)]),
        "{effects:?}"
    );
    assert_eq!(app.mode(), &Mode::Normal);
}

#[test]
fn a_failure_arriving_while_a_form_is_open_leaves_the_form() {
    let mut app = with_database();
    plan_requested(&mut app);
    keys(&mut app, "a");
    keys(&mut app, "wishlists");
    let Mode::Form(before) = app.mode().clone() else {
        panic!("a opens the form: {:?}", app.mode())
    };
    app.update(Msg::Database(plinth::tui::DbReply::Failed(
        "could not connect".into(),
    )));
    assert_eq!(
        app.mode(),
        &Mode::Form(before),
        "the form and its text stay"
    );
    assert_eq!(message(&app), "could not connect");
}

/// The designer re-checks only what each edit touched; after edits,
/// undos, redos and a fix, what it shows is what a full check finds.
#[test]
fn incremental_rechecks_in_the_designer_equal_a_full_check() {
    let mut app = open("shop.ron");
    let full = |app: &App| -> Vec<(Rule, String)> {
        let d = app.design();
        plinth::core::check::check(d, &d.checks, &mut IdGen::seeded(9))
            .into_iter()
            .map(|f| (f.rule, f.message))
            .collect()
    };
    let shown = |app: &App| -> Vec<(Rule, String)> {
        app.findings()
            .iter()
            .map(|f| (f.rule, f.message.clone()))
            .collect()
    };
    assert_eq!(shown(&app), full(&app));
    for line in [
        "field add orders.note text",
        "field rename orders.note remark",
        "entity rename customers clients",
        "field add payments.amount_float real",
        "entity add audit_log",
        "field drop orders.remark",
    ] {
        command(&mut app, line);
        assert!(
            !message(&app).contains("cannot"),
            "{line}: {}",
            message(&app)
        );
        assert_eq!(shown(&app), full(&app), "after `{line}`");
    }
    assert!(
        shown(&app).iter().any(|(r, _)| *r == Rule::MoneyAsFloat),
        "the new float field is found"
    );
    for key in ['u', 'u', 'u'] {
        press(&mut app, KeyCode::Char(key));
        assert_eq!(shown(&app), full(&app), "after undo");
    }
    ctrl(&mut app, 'r');
    assert_eq!(shown(&app), full(&app), "after redo");
}

/// While the lists are on show the check worker lays the diagram out as
/// well, so `v` finds it ready; on the diagram it is laid out inline, and
/// the job does not ask for it again.
#[test]
fn the_worker_lays_the_diagram_out_while_the_lists_are_on_show() {
    use plinth::tui::Screen;
    use plinth::tui::diagram::Diagram;
    let mut app = open("shop.ron").with_background_checks();
    app.update(Msg::Resize(120, 40));
    let fx = command(&mut app, "field add customers.phone1 text");
    let [Effect::RunChecks(job)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(job.lay_out);
    let done = job.clone().run(&mut Checked::default());
    let Msg::Checked {
        diagram: Some(diagram),
        ..
    } = &done
    else {
        panic!("the job laid the diagram out: {done:?}")
    };
    assert_eq!(**diagram, Diagram::new(app.design()));
    assert!(
        diagram
            .box_of(&app.design().entity_named("customers").unwrap().id)
            .is_some()
    );
    assert!(app.update(done).is_empty());
    keys(&mut app, "v");
    assert_eq!(app.screen(), Screen::Diagram);
    let fx = command(&mut app, "field add customers.phone2 text");
    let [Effect::RunChecks(job)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(!job.lay_out, "on the diagram it is laid out inline");
}
