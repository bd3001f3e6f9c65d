//! Saving from the designer when the file is not as it was read: changed
//! on disk, created, read-only, or saved by a second designer; and the
//! comments of the file, kept across saves. The app is driven through
//! `App::update`; its save and reload effects are carried out on a
//! temporary directory, as the runner carries them out.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use plinth::core::ids::IdGen;
use plinth::tui::recovery;
use plinth::tui::{App, Effect, MessageKind, Mode, Msg, PromptAction};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const SHOP: &str = "shop.ron";

/// A temp dir holding a copy of the shipped shop design.
fn shop_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/shop.ron");
    fs::copy(shipped, dir.path().join(SHOP)).unwrap();
    dir
}

fn open(path: &Path, seed: u64) -> App {
    App::with_ids(plinth::tui::open(path).unwrap(), IdGen::seeded(seed))
}

/// Feeds `msg` to the app and carries out the file effects, feeding
/// their outcomes back, until none are left. Returns every effect.
fn run(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut queue = vec![msg];
    let mut all = Vec::new();
    while let Some(msg) = queue.pop() {
        for effect in app.update(msg) {
            match &effect {
                Effect::Save {
                    path,
                    text,
                    kind,
                    expect,
                    backup,
                } => queue.push(Msg::Saved {
                    path: path.clone(),
                    kind: *kind,
                    result: plinth::file::write(path, text, *expect, *backup),
                }),
                Effect::Reload { path } => queue.push(Msg::Reloaded(
                    plinth::file::load_with_source(path)
                        .map(|(d, s)| (Box::new(d), s))
                        .map_err(|e| e.to_string()),
                )),
                Effect::WriteRecovery { path, design } => {
                    recovery::write(path, &plinth::file::to_text(design)).unwrap()
                }
                Effect::RemoveRecovery { path } => recovery::remove(path).unwrap(),
                _ => {}
            }
            all.push(effect);
        }
    }
    all
}

fn command(app: &mut App, line: &str) -> Vec<Effect> {
    run(app, Msg::Command(line.into()))
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    run(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn message(app: &App) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

/// The title of the prompt on show and its answers' keys.
fn prompt(app: &App) -> (String, Vec<char>) {
    match app.mode() {
        Mode::Prompt(p) => (p.title.clone(), p.choices.iter().map(|c| c.key).collect()),
        other => panic!("no prompt: {other:?}; message: {}", message(app)),
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

/// Another program's edit of the file: the design's name changed.
fn edit_behind_its_back(path: &Path) -> String {
    let theirs = read(path).replacen("name: \"shop\"", "name: \"their shop\"", 1);
    fs::write(path, &theirs).unwrap();
    theirs
}

#[test]
fn a_file_changed_on_disk_is_not_overwritten_unasked() {
    let dir = shop_dir();
    let path = dir.path().join(SHOP);
    let mut app = open(&path, 1);
    command(&mut app, "entity add notes");
    let theirs = edit_behind_its_back(&path);

    command(&mut app, "w");
    assert_eq!(read(&path), theirs, "nothing written");
    assert!(!dir.path().join("shop.ron.bak").exists());
    assert!(app.is_modified());
    let (title, keys) = prompt(&app);
    assert_eq!(title, "Changed on disk");
    assert_eq!(keys, ['r', 'o', 's', 'c']);

    // Esc keeps everything as it is.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), &Mode::Normal);
    assert_eq!(read(&path), theirs);

    // Overwrite: ours goes in, theirs is the backup.
    command(&mut app, "w");
    key(&mut app, KeyCode::Char('o'));
    assert!(!app.is_modified(), "{}", message(&app));
    let saved = plinth::file::load(&path).unwrap();
    assert!(saved.entity_named("notes").is_some());
    assert_eq!(read(&dir.path().join("shop.ron.bak")), theirs);

    // The file now holds what was written: the next save goes through.
    command(&mut app, "entity add more_notes");
    command(&mut app, "w");
    assert_eq!(app.mode(), &Mode::Normal, "{}", message(&app));
    assert!(
        plinth::file::load(&path)
            .unwrap()
            .entity_named("more_notes")
            .is_some()
    );
}

#[test]
fn overwrite_is_refused_again_if_the_file_changes_once_more() {
    let dir = shop_dir();
    let path = dir.path().join(SHOP);
    let mut app = open(&path, 1);
    command(&mut app, "entity add notes");
    edit_behind_its_back(&path);
    command(&mut app, "w");
    // A third version lands while the prompt is open.
    let third = read(&path).replacen("their shop", "third shop", 1);
    fs::write(&path, &third).unwrap();
    key(&mut app, KeyCode::Char('o'));
    assert_eq!(prompt(&app).0, "Changed on disk");
    assert_eq!(read(&path), third);
}

#[test]
fn reload_takes_the_disk_version_and_undo_brings_ours_back() {
    let dir = shop_dir();
    let path = dir.path().join(SHOP);
    let mut app = open(&path, 1);
    command(&mut app, "entity add notes");
    let ours = app.design().clone();
    let theirs = edit_behind_its_back(&path);

    command(&mut app, "w");
    key(&mut app, KeyCode::Char('r'));
    assert_eq!(app.design(), &plinth::file::load(&path).unwrap());
    assert_eq!(app.design().name, "their shop");
    assert!(!app.is_modified(), "the disk version is what is saved");
    assert!(message(&app).contains("u brings your version back"));
    assert_eq!(read(&path), theirs, "reloading writes nothing");

    key(&mut app, KeyCode::Char('u'));
    assert!(app.design().entity_named("notes").is_some());
    assert_eq!(app.design().entities().count(), ours.entities().count());
    assert!(app.is_modified());
    // Saving our version again is a plain save now: the file is the one
    // we reloaded.
    command(&mut app, "w");
    assert_eq!(app.mode(), &Mode::Normal, "{}", message(&app));
    assert!(
        plinth::file::load(&path)
            .unwrap()
            .entity_named("notes")
            .is_some()
    );
}

#[test]
fn save_elsewhere_moves_the_design_to_a_new_file_and_never_replaces_one() {
    let dir = shop_dir();
    let path = dir.path().join(SHOP);
    let mut app = open(&path, 1);
    command(&mut app, "entity add notes");
    let theirs = edit_behind_its_back(&path);
    command(&mut app, "w");
    key(&mut app, KeyCode::Char('s'));
    let Mode::SaveAs(input) = app.mode() else {
        panic!("{:?}", app.mode())
    };
    let suggested = dir.path().join("shop.mine.ron");
    assert_eq!(input.text, suggested.display().to_string());

    // A file that exists is refused and the question asked again.
    let taken = dir.path().join("taken.ron");
    fs::write(&taken, "keep me").unwrap();
    for _ in 0..suggested.display().to_string().chars().count() {
        key(&mut app, KeyCode::Backspace);
    }
    run(&mut app, Msg::Paste(taken.display().to_string()));
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.mode(), Mode::SaveAs(_)), "{:?}", app.mode());
    assert!(
        message(&app).contains("exists already"),
        "{}",
        message(&app)
    );
    assert_eq!(read(&taken), "keep me");

    // The suggestion is free: the design is saved there and belongs to it.
    for _ in 0..taken.display().to_string().chars().count() {
        key(&mut app, KeyCode::Backspace);
    }
    run(&mut app, Msg::Paste(suggested.display().to_string()));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), &Mode::Normal, "{}", message(&app));
    assert_eq!(app.path(), suggested);
    assert!(!app.is_modified());
    assert!(
        plinth::file::load(&suggested)
            .unwrap()
            .entity_named("notes")
            .is_some()
    );
    assert_eq!(read(&path), theirs, "the other version is left alone");
}

#[test]
fn a_read_only_file_is_refused_and_the_design_can_go_elsewhere() {
    let dir = shop_dir();
    let path = dir.path().join(SHOP);
    let before = read(&path);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    let mut app = open(&path, 1);
    command(&mut app, "entity add notes");
    command(&mut app, "w");
    assert_eq!(prompt(&app), ("Read-only file".into(), vec!['s', 'c']));
    let Mode::Prompt(p) = app.mode() else {
        unreachable!()
    };
    assert!(p.text.contains("shop.ron is read-only"), "{}", p.text);
    assert_eq!(read(&path), before);
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444, "never made writable");
    key(&mut app, KeyCode::Char('s'));
    assert!(matches!(app.mode(), Mode::SaveAs(_)));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.path(), dir.path().join("shop.mine.ron"));
    assert!(!app.is_modified());
}

#[test]
fn quitting_after_a_refused_save_waits_for_the_answer() {
    let dir = shop_dir();
    let path = dir.path().join(SHOP);
    let mut app = open(&path, 1);
    command(&mut app, "entity add notes");
    edit_behind_its_back(&path);
    let effects = command(&mut app, "wq");
    assert!(!effects.contains(&Effect::Quit));
    // Cancel: still here, still modified, and a later save does not quit.
    key(&mut app, KeyCode::Esc);
    assert!(app.is_modified());
    command(&mut app, "w");
    let effects = key(&mut app, KeyCode::Char('o'));
    assert!(!effects.contains(&Effect::Quit), "{effects:?}");

    // Answering overwrite to :wq saves and then quits.
    command(&mut app, "entity add more");
    edit_behind_its_back(&path);
    command(&mut app, "wq");
    let effects = key(&mut app, KeyCode::Char('o'));
    assert!(effects.contains(&Effect::Quit), "{effects:?}");
}

#[test]
fn a_file_created_under_a_new_design_is_caught_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.ron");
    let mut app = open(&path, 1);
    command(&mut app, "entity add items");
    fs::write(&path, "(format: 1, name: \"someone else's\")\n").unwrap();
    command(&mut app, "w");
    assert_eq!(prompt(&app).0, "File created on disk");
    key(&mut app, KeyCode::Char('r'));
    assert_eq!(app.design().name, "someone else's");
}

#[test]
fn two_designers_on_one_file_the_second_save_is_caught() {
    let dir = shop_dir();
    let path = dir.path().join(SHOP);
    let mut first = open(&path, 1);
    let mut second = open(&path, 2);
    command(&mut first, "entity add from_the_first");
    command(&mut second, "entity add from_the_second");
    command(&mut first, "w");
    assert_eq!(first.mode(), &Mode::Normal, "{}", message(&first));
    let after_first = read(&path);

    command(&mut second, "w");
    assert_eq!(prompt(&second).0, "Changed on disk");
    assert_eq!(read(&path), after_first, "the first designer's save stands");
    // The second reloads, gets the first one's entity, and redoes its own.
    key(&mut second, KeyCode::Char('r'));
    assert!(second.design().entity_named("from_the_first").is_some());
    command(&mut second, "entity add from_the_second");
    command(&mut second, "w");
    let both = plinth::file::load(&path).unwrap();
    assert!(both.entity_named("from_the_first").is_some());
    assert!(both.entity_named("from_the_second").is_some());
}

#[test]
fn comments_survive_a_designer_save_and_lost_ones_stay_in_the_backup() {
    let dir = shop_dir();
    let path = dir.path().join(SHOP);
    let text = read(&path);
    let commented = text
        .replacen(
            "    entities: [\n",
            "    // The shop's tables.\n    entities: [\n",
            1,
        )
        .replacen(
            "name: \"customers\",",
            "name: \"customers\", // people who buy",
            1,
        );
    assert_ne!(commented, text);
    fs::write(&path, &commented).unwrap();
    let mut app = open(&path, 1);
    command(&mut app, "entity add notes");
    command(&mut app, "w");
    assert_eq!(message(&app), "wrote shop.ron");
    let saved = read(&path);
    assert!(saved.contains("    // The shop's tables.\n    entities: [\n"));
    assert!(saved.contains("name: \"customers\", // people who buy\n"));

    // Dropping the entity leaves its comment nowhere to go: the save says
    // so, and the backup keeps it, through later saves as well.
    command(&mut app, "entity drop customers");
    command(&mut app, "w");
    let said = app.message().unwrap();
    assert_eq!(said.kind, MessageKind::Error);
    assert!(said.text.contains("without 1 comment(s)"), "{}", said.text);
    assert!(said.text.contains("// people who buy"), "{}", said.text);
    assert!(
        said.text.contains("shop.ron.bak keeps them"),
        "{}",
        said.text
    );
    let backup = dir.path().join("shop.ron.bak");
    assert!(read(&backup).contains("// people who buy"));
    assert!(!read(&path).contains("// people who buy"));
    assert!(read(&path).contains("// The shop's tables."));
    command(&mut app, "entity add more");
    command(&mut app, "w");
    assert!(read(&backup).contains("// people who buy"));
    assert_eq!(message(&app), "wrote shop.ron");
}

#[test]
fn the_prompt_actions_are_what_the_keys_say() {
    let dir = shop_dir();
    let path = dir.path().join(SHOP);
    let mut app = open(&path, 1);
    command(&mut app, "entity add notes");
    edit_behind_its_back(&path);
    command(&mut app, "w");
    let Mode::Prompt(p) = app.mode() else {
        unreachable!()
    };
    let actions: Vec<_> = p.choices.iter().map(|c| c.action.clone()).collect();
    assert!(matches!(
        actions.as_slice(),
        [
            PromptAction::Reload,
            PromptAction::Overwrite(_),
            PromptAction::SaveElsewhere,
            PromptAction::Cancel
        ]
    ));
    // Keys the prompt does not offer do nothing.
    assert!(key(&mut app, KeyCode::Char('w')).is_empty());
    assert!(matches!(app.mode(), Mode::Prompt(_)));
}
