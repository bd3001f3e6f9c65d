//! Never lose work: the recovery file is written after a couple of
//! seconds of idle while there are unsaved changes, removed on save and
//! quit, and offered the next time the design is opened. The decisions
//! are the app's (tested through `App::update` with a fake clock); the
//! file work is the runner's (tested on a temporary directory).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use plinth::core::ids::IdGen;
use plinth::file::{ContentHash, SaveOutcome, Saved};
use plinth::tui::recovery::{self, Found};
use plinth::tui::{App, Effect, Mode, Msg, Opened, RECOVERY_IDLE};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the runner reports for a save that wrote `text`.
fn written(text: &str) -> Saved {
    Saved {
        outcome: SaveOutcome::Written,
        hash: ContentHash::of(text.as_bytes()),
    }
}

fn shop() -> plinth::core::model::Design {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/shop.ron");
    plinth::file::load(&path).unwrap()
}

fn app_at(path: &Path) -> App {
    App::with_ids(Opened::new(path, shop()), IdGen::seeded(9))
}

fn command(app: &mut App, line: &str) -> Vec<Effect> {
    app.update(Msg::Command(line.into()))
}

fn key(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

fn recovery_writes(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::WriteRecovery { design, .. } => Some(plinth::file::to_text(design)),
            _ => None,
        })
        .collect()
}

/// Carries out effects the way the runner does, for the file tests.
fn perform(effects: Vec<Effect>) {
    for effect in effects {
        match effect {
            Effect::WriteRecovery { path, design } => {
                recovery::write(&path, &plinth::file::to_text(&design)).unwrap()
            }
            Effect::RemoveRecovery { path } => recovery::remove(&path).unwrap(),
            Effect::Save {
                path,
                text,
                expect,
                backup,
                ..
            } => {
                plinth::file::write(&path, &text, expect, backup).unwrap();
            }
            Effect::Quit
            | Effect::RunChecks(_)
            | Effect::Database(_)
            | Effect::CancelDatabase
            | Effect::Reload { .. } => {}
        }
    }
}

#[test]
fn written_after_idle_while_modified_and_only_once_per_revision() {
    let mut app = app_at(Path::new("/work/designs/shop.ron"));
    let t0 = Instant::now();
    assert!(
        app.update(Msg::Tick(t0 + Duration::from_secs(10)))
            .is_empty()
    );

    app.update(Msg::Tick(t0));
    command(&mut app, "entity add notes");
    assert!(
        recovery_writes(&app.update(Msg::Tick(t0 + Duration::from_millis(500)))).is_empty(),
        "not while the user is still typing"
    );
    let effects = app.update(Msg::Tick(t0 + RECOVERY_IDLE));
    let [Effect::WriteRecovery { path, design }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(path, &PathBuf::from("/work/designs/.shop.ron.recover"));
    assert_eq!(**design, *app.design());
    assert!(
        app.update(Msg::Tick(t0 + Duration::from_secs(30)))
            .is_empty(),
        "nothing new to write"
    );

    let t1 = t0 + Duration::from_secs(40);
    app.update(Msg::Tick(t1));
    command(&mut app, "field add notes.scribble text");
    assert!(
        app.update(Msg::Tick(t1 + Duration::from_secs(1)))
            .is_empty()
    );
    let later = app.update(Msg::Tick(t1 + Duration::from_secs(3)));
    assert_eq!(recovery_writes(&later).len(), 1);
    assert!(recovery_writes(&later)[0].contains("name: \"scribble\""));

    // Undoing back to a modified revision already written rewrites it:
    // the file must hold what is on screen.
    let t2 = t1 + Duration::from_secs(10);
    app.update(Msg::Tick(t2));
    key(&mut app, 'u');
    let undone = app.update(Msg::Tick(t2 + RECOVERY_IDLE));
    assert_eq!(recovery_writes(&undone).len(), 1);
    assert!(!recovery_writes(&undone)[0].contains("name: \"scribble\""));

    // Undoing to the saved state removes it.
    key(&mut app, 'u');
    assert!(!app.is_modified());
    assert_eq!(
        app.update(Msg::Tick(t2 + Duration::from_secs(20))),
        [Effect::RemoveRecovery {
            path: PathBuf::from("/work/designs/.shop.ron.recover")
        }]
    );
}

#[test]
fn removed_on_save_and_on_quit() {
    let path = PathBuf::from("/work/designs/shop.ron");
    let recover = recovery::path_for(&path);
    let mut app = app_at(&path);
    command(&mut app, "entity add notes");
    let effects = command(&mut app, "w");
    let [Effect::Save { kind, text, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let after = app.update(Msg::Saved {
        path: path.clone(),
        kind: *kind,
        result: Ok(written(text)),
    });
    assert_eq!(
        after,
        [Effect::RemoveRecovery {
            path: recover.clone()
        }]
    );

    command(&mut app, "entity add more_notes");
    assert_eq!(
        command(&mut app, "q!"),
        [Effect::RemoveRecovery { path: recover }, Effect::Quit]
    );
}

#[test]
fn offered_on_open_and_restored() {
    let mut recovered = shop();
    let mut ids = IdGen::seeded(3);
    let edit = match plinth::core::command::parse("entity add wishlists").unwrap() {
        plinth::core::command::Command::Edit(c) => c.to_edit(&recovered, &mut ids).unwrap(),
        _ => unreachable!(),
    };
    edit.apply(&mut recovered).unwrap();

    let mut opened = Opened::new("/work/designs/shop.ron", shop());
    opened.recovery = Some(recovered.clone());
    let mut app = App::with_ids(opened, IdGen::seeded(4));
    let Mode::Prompt(prompt) = app.mode() else {
        panic!("{:?}", app.mode())
    };
    assert!(prompt.text.contains(".shop.ron.recover"), "{}", prompt.text);
    // Nothing else happens until the user decides.
    assert_eq!(
        app.update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))),
        []
    );
    assert!(key(&mut app, 'q').is_empty());
    assert!(matches!(app.mode(), Mode::Prompt(_)));
    assert!(
        app.update(Msg::Tick(Instant::now() + Duration::from_secs(60)))
            .is_empty()
    );

    assert!(key(&mut app, 'r').is_empty());
    assert_eq!(app.design(), &recovered);
    assert!(app.is_modified(), "restored changes are unsaved");
    assert!(app.design().entity_named("wishlists").is_some());
    // The history starts at the restored design: undo has nothing to take back.
    key(&mut app, 'u');
    assert_eq!(app.design(), &recovered);
}

#[test]
fn offered_on_open_and_discarded() {
    let mut opened = Opened::new("/work/designs/shop.ron", shop());
    let mut recovered = shop();
    recovered.comment = Some("changed".into());
    opened.recovery = Some(recovered);
    let mut app = App::with_ids(opened, IdGen::seeded(4));
    assert_eq!(
        key(&mut app, 'd'),
        [Effect::RemoveRecovery {
            path: PathBuf::from("/work/designs/.shop.ron.recover")
        }]
    );
    assert_eq!(app.design(), &shop());
    assert!(!app.is_modified());
    assert_eq!(app.mode(), &Mode::Normal);
}

#[test]
fn a_crashed_session_is_recovered_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.ron");
    plinth::file::save(&path, &shop()).unwrap();

    // A session makes changes, sits idle, and is killed before saving.
    let mut app = App::new(plinth::tui::open(&path).unwrap());
    let t0 = Instant::now();
    app.update(Msg::Tick(t0));
    command(&mut app, "entity add wishlists");
    command(
        &mut app,
        "rel add wishlists.customer_id -> customers on delete cascade",
    );
    perform(app.update(Msg::Tick(t0 + RECOVERY_IDLE)));
    let recover = dir.path().join(".shop.ron.recover");
    assert!(recover.exists());
    assert!(
        !dir.path().join(".shop.ron.recover.bak").exists(),
        "no backup clutter"
    );
    let lost = app.design().clone();
    drop(app);

    // The next session is offered the changes and restores them.
    let opened = plinth::tui::open(&path).unwrap();
    assert_eq!(opened.recovery.as_ref(), Some(&lost));
    let mut app = App::new(opened);
    perform(key(&mut app, 'r'));
    assert_eq!(app.design(), &lost);
    assert!(recover.exists(), "kept until saved");

    // Saving writes the design and removes the recovery file.
    let effects = command(&mut app, "w");
    let Some(Effect::Save { kind, text, .. }) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    perform(effects);
    perform(app.update(Msg::Saved {
        path: path.clone(),
        kind,
        result: Ok(written(&text)),
    }));
    assert!(!recover.exists());
    assert_eq!(plinth::file::load(&path).unwrap(), lost);
    assert!(plinth::tui::open(&path).unwrap().recovery.is_none());
}

#[test]
fn older_or_unreadable_recovery_files_are_not_offered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.ron");
    let recover = recovery::path_for(&path);

    // Older than the design file: the file was saved since.
    recovery::write(&recover, &plinth::file::to_text(&shop())).unwrap();
    let old = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&recover)
        .unwrap()
        .set_modified(old)
        .unwrap();
    plinth::file::save(&path, &shop()).unwrap();
    assert!(matches!(recovery::find(&path), Found::Older(_)));
    assert!(plinth::tui::open(&path).unwrap().recovery.is_none());

    // Unreadable: said on the first screen, left alone.
    fs::write(&recover, "(entities: [").unwrap();
    let opened = plinth::tui::open(&path).unwrap();
    assert!(opened.recovery.is_none());
    let note = opened.note.clone().unwrap();
    assert!(note.contains("could not be read"), "{note}");
    assert!(recover.exists());
}

#[test]
fn a_missing_file_opens_as_a_new_design_named_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.ron");
    let opened = plinth::tui::open(&path).unwrap();
    assert!(opened.is_new);
    assert_eq!(opened.design.name, "inventory");
    assert_eq!(opened.design.entity_count(), 0);
    assert!(!path.exists(), "nothing is written before a save");

    // A recovery file with no design file beside it is offered too.
    let mut app = App::new(opened);
    let t0 = Instant::now();
    app.update(Msg::Tick(t0));
    command(&mut app, "entity add items");
    perform(app.update(Msg::Tick(t0 + RECOVERY_IDLE)));
    let opened = plinth::tui::open(&path).unwrap();
    assert!(opened.is_new);
    assert_eq!(opened.recovery.as_ref(), Some(app.design()));

    // An unreadable design file is an error, not an empty design.
    fs::write(&path, "(format: 1, name: ").unwrap();
    assert!(plinth::tui::open(&path).is_err());
}

#[test]
fn a_recovery_file_that_matches_the_design_is_dropped_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.ron");
    plinth::file::save(&path, &shop()).unwrap();
    let recover = recovery::path_for(&path);
    recovery::write(&recover, &plinth::file::to_text(&shop())).unwrap();
    let opened = plinth::tui::open(&path).unwrap();
    assert!(opened.recovery.is_none());
    assert!(!recover.exists());
}
