//! Saves that keep what the user has (issue 11, item 7): a symlinked
//! design file, private and read-only files, a file changed on disk while
//! the designer has it open, two designers on one file, comments, and a
//! kill in the middle of a save. Each drives the real binary: `plinth fmt`
//! directly, the designer inside tmux. None touches PostgreSQL.

#[path = "../common/tmux.rs"]
pub(crate) mod tmux;

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use tmux::Tmux;

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("designs")
        .join(name)
}

fn plinth(dir: &Path, args: &[&str]) -> Output {
    Command::new(tmux::plinth_bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("plinth runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).unwrap().file_type().is_symlink()
}

/// The shop design as a person writes it: without ids, so `plinth fmt`
/// has something to do.
fn hand_written_shop() -> String {
    let text = fs::read_to_string(shipped("shop.ron")).unwrap();
    let without: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("id: "))
        .collect();
    let mut text = without.join("\n") + "\n";
    // Ids on one line with the rest: `(id: "f…", name: …` → `(name: …`.
    while let Some(at) = text.find("(id: \"") {
        let end = text[at..].find("\", ").unwrap() + at + 3;
        text.replace_range(at + 1..end, "");
    }
    assert!(!text.contains("id: \""), "{text}");
    assert!(plinth::file::parse(&text, &mut plinth::core::ids::IdGen::seeded(1)).is_ok());
    text
}

/// A directory with `real/shop.ron` (hand-written) and a link
/// `shop.ron -> real/shop.ron`.
fn linked_shop() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("real")).unwrap();
    let target = dir.path().join("real/shop.ron");
    fs::write(&target, hand_written_shop()).unwrap();
    let link = dir.path().join("shop.ron");
    symlink("real/shop.ron", &link).unwrap();
    (dir, link, target)
}

#[test]
fn fmt_writes_through_a_symlink_and_keeps_the_link() {
    let (dir, link, target) = linked_shop();
    let before = fs::read_to_string(&target).unwrap();
    let out = plinth(dir.path(), &["fmt", "shop.ron"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(is_link(&link), "the link is still a link");
    let after = fs::read_to_string(&target).unwrap();
    assert_ne!(after, before, "the target was formatted");
    assert!(after.contains("id: \""));
    assert_eq!(
        fs::read_to_string(dir.path().join("real/shop.ron.bak")).unwrap(),
        before
    );
    assert!(!dir.path().join("shop.ron.bak").exists());
    let out = plinth(dir.path(), &["fmt", "--check", "shop.ron"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_designer_saves_through_a_symlink() {
    let (dir, link, target) = linked_shop();
    let tmux = Tmux::start(dir.path(), "shop.ron");
    tmux.wait_for_text("Entities 13");
    tmux.line(":entity add wishlists");
    tmux.wait_for_text("Entities 14");
    tmux.line(":w");
    tmux.wait_for_text("wrote shop.ron");
    tmux.line(":q");
    assert_eq!(tmux.wait_for_exit(), 0);
    assert!(is_link(&link));
    let saved = plinth::file::load(&target).unwrap();
    assert!(saved.entity_named("wishlists").is_some());
}

#[test]
fn a_private_file_stays_private_and_so_does_its_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.ron");
    fs::write(&path, hand_written_shop()).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let out = plinth(dir.path(), &["fmt", "shop.ron"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&dir.path().join("shop.ron.bak")), 0o600);

    // The designer's save and its recovery file too.
    let tmux = Tmux::start(dir.path(), "shop.ron");
    tmux.wait_for_text("Entities 13");
    tmux.line(":entity add wishlists");
    let recover = dir.path().join(".shop.ron.recover");
    let start = Instant::now();
    while !recover.exists() {
        assert!(start.elapsed() < tmux::DEADLINE, "no recovery file");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(mode(&recover), 0o600, "the recovery file holds the design");
    tmux.line(":wq");
    assert_eq!(tmux.wait_for_exit(), 0);
    assert_eq!(mode(&path), 0o600);
    assert!(
        plinth::file::load(&path)
            .unwrap()
            .entity_named("wishlists")
            .is_some()
    );
}

#[test]
fn a_read_only_file_is_refused_by_fmt_and_the_designer_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.ron");
    let text = hand_written_shop();
    fs::write(&path, &text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();

    let out = plinth(dir.path(), &["fmt", "shop.ron"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("shop.ron is read-only; nothing was written"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    assert_eq!(mode(&path), 0o444);
    assert!(!dir.path().join("shop.ron.bak").exists());

    let tmux = Tmux::start(dir.path(), "shop.ron");
    tmux.wait_for_text("Entities 13");
    tmux.line(":entity add wishlists");
    tmux.wait_for_text("Entities 14");
    tmux.line(":w");
    tmux.wait_for("the question", |s| {
        s.contains("Read-only file") && s.contains("shop.ron is read-only")
    });
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    assert_eq!(mode(&path), 0o444);
    // Save elsewhere: the offered name, as it is.
    tmux.key("s");
    tmux.wait_for_text("save to: ");
    tmux.key("Enter");
    tmux.wait_for_text("wrote shop.mine.ron");
    tmux.line(":q");
    assert_eq!(tmux.wait_for_exit(), 0);
    let elsewhere = plinth::file::load(&dir.path().join("shop.mine.ron")).unwrap();
    assert!(elsewhere.entity_named("wishlists").is_some());
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
}

/// Another program's edit: a new entity put into the text.
fn add_entity_behind_its_back(path: &Path, name: &str) {
    let text = fs::read_to_string(path).unwrap();
    let entity = format!(
        "    entities: [\n        (name: \"{name}\", fields: [(name: \"id\", type: \"uuid\", \
         not_null: true)], primary_key: [\"id\"]),\n"
    );
    let edited = text.replacen("    entities: [\n", &entity, 1);
    assert_ne!(edited, text);
    fs::write(path, edited).unwrap();
}

#[test]
fn a_file_changed_while_the_designer_has_it_open_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.ron");
    fs::copy(shipped("shop.ron"), &path).unwrap();
    let tmux = Tmux::start(dir.path(), "shop.ron");
    tmux.wait_for_text("Entities 13");
    tmux.line(":entity add wishlists");
    tmux.wait_for_text("Entities 14");

    add_entity_behind_its_back(&path, "from_outside");
    let theirs = fs::read_to_string(&path).unwrap();
    tmux.key("C-s");
    // Waited for whole: a screen can be caught half drawn.
    tmux.wait_for("the question with its answers", |s| {
        s.contains("Changed on disk")
            && s.contains("r reload")
            && s.contains("o overwrite")
            && s.contains("s save elsewhere")
    });
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        theirs,
        "nothing written"
    );

    // Reload: their version on screen, ours one `u` away.
    // (The findings are checked in the background: wait for them too.)
    tmux.key("r");
    let screen = tmux.wait_for("their version", |s| {
        s.contains("reloaded shop.ron from disk") && !s.contains("wishlists")
    });
    assert!(screen.contains("from_outside"), "{screen}");
    assert!(!screen.contains("[+]"), "{screen}");
    tmux.key("u");
    let screen = tmux.wait_for("our version", |s| {
        s.contains("wishlists") && !s.contains("from_outside")
    });
    assert!(screen.contains("[+]"), "{screen}");
    // Redo takes theirs again; add ours on top and save both.
    tmux.key("C-y");
    tmux.wait_for_text("from_outside");
    tmux.line(":entity add wishlists");
    tmux.wait_for_text("Entities 15");
    tmux.line(":wq");
    assert_eq!(tmux.wait_for_exit(), 0);
    let saved = plinth::file::load(&path).unwrap();
    assert!(saved.entity_named("from_outside").is_some());
    assert!(saved.entity_named("wishlists").is_some());
}

#[test]
fn two_designers_on_one_file_the_second_save_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.ron");
    fs::copy(shipped("shop.ron"), &path).unwrap();
    let tmux = Tmux::start(dir.path(), "shop.ron");
    let second = tmux.open_window("second", dir.path(), "shop.ron");
    tmux.wait_for_text("Entities 13");
    second.wait_for_text("Entities 13");

    tmux.line(":entity add from_the_first");
    tmux.wait_for_text("Entities 14");
    second.line(":entity add from_the_second");
    second.wait_for_text("Entities 14");
    tmux.line(":w");
    tmux.wait_for_text("wrote shop.ron");
    let first_saved = fs::read_to_string(&path).unwrap();

    second.line(":w");
    second.wait_for("the question", |s| {
        s.contains("Changed on disk") && s.contains("another plinth")
    });
    assert_eq!(fs::read_to_string(&path).unwrap(), first_saved);

    // Overwrite keeps the first one's save as the backup.
    second.key("o");
    second.wait_for_text("wrote shop.ron");
    let saved = plinth::file::load(&path).unwrap();
    assert!(saved.entity_named("from_the_second").is_some());
    assert_eq!(
        fs::read_to_string(dir.path().join("shop.ron.bak")).unwrap(),
        first_saved
    );
    // And now it is the first designer whose save is caught.
    tmux.line(":entity add again_from_the_first");
    tmux.wait_for_text("Entities 15");
    tmux.line(":w");
    tmux.wait_for_text("Changed on disk");
    tmux.key("Escape");
    // A key right after Esc could read as Alt-key: wait for the prompt to go.
    tmux.wait_for("the prompt to close", |s| !s.contains("Changed on disk"));
    tmux.line(":q!");
    second.line(":q");
    assert_eq!(tmux.wait_for_exit(), 0);
    assert_eq!(second.wait_for_exit(), 0);
    assert!(
        plinth::file::load(&path)
            .unwrap()
            .entity_named("again_from_the_first")
            .is_none()
    );
}

const COMMENTED: &str = r#"// The to-do design: users and their tasks.
#![enable(implicit_some)]
(
    format: 1,
    name: "todo",
    entities: [
        // Who logs in.
        (
            name: "users",
            fields: [
                (name: "id", type: "uuid", not_null: true), /* the key */
                (name: "email", type: "text", not_null: true), // unique later
            ],
            primary_key: ["id"],
        ),
        (
            name: "tasks",
            fields: [
                (name: "id", type: "uuid", not_null: true),
                (
                    name: "done",
                    type: "boolean",
                    // false until it is done
                    not_null: false,
                ),
            ],
            primary_key: ["id"],
        ),
    ],
)
"#;

#[test]
fn fmt_keeps_comments_and_refuses_to_lose_one_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("todo.ron");
    fs::write(&path, COMMENTED).unwrap();

    // `not_null: false` is not written in canonical form, so the comment
    // before it has no place: refused, named by line, file untouched.
    let out = plinth(dir.path(), &["fmt", "todo.ron"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("todo.ron: formatting would lose 1 comment(s)"),
        "{err}"
    );
    assert!(
        err.contains("todo.ron:23: // false until it is done (on entities `tasks` › fields `done` › not_null)"),
        "{err}"
    );
    assert!(err.contains("--drop-comments"), "{err}");
    assert_eq!(fs::read_to_string(&path).unwrap(), COMMENTED);

    let out = plinth(dir.path(), &["fmt", "--check", "todo.ron"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("todo.ron:23: // false until it is done"));
    assert!(stderr(&out).contains("not in canonical form"));

    // Told to: the others are kept, each beside its item.
    let out = plinth(dir.path(), &["fmt", "--drop-comments", "todo.ron"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("todo.ron: formatting drops 1 comment(s)"));
    let text = fs::read_to_string(&path).unwrap();
    for kept in [
        "// The to-do design: users and their tasks.\n#![enable(implicit_some)]\n",
        "        // Who logs in.\n        (\n",
        "name: \"id\", type: \"uuid\", not_null: true), /* the key */\n",
        "name: \"email\", type: \"text\", not_null: true), // unique later\n",
    ] {
        assert!(text.contains(kept), "{kept:?} missing from:\n{text}");
    }
    assert!(!text.contains("false until it is done"));
    assert!(fs::read_to_string(dir.path().join("todo.ron.bak")).unwrap() == COMMENTED);
    // The result is canonical, comments and all, and loads.
    let out = plinth(dir.path(), &["fmt", "--check", "todo.ron"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(plinth::file::load(&path).is_ok());
}

#[test]
fn the_designer_keeps_comments_when_it_saves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("todo.ron");
    let without_the_lost_one =
        COMMENTED.replace("                    // false until it is done\n", "");
    fs::write(&path, &without_the_lost_one).unwrap();
    let tmux = Tmux::start(dir.path(), "todo.ron");
    tmux.wait_for_text("Entities 2");
    tmux.line(":entity add notes");
    tmux.wait_for_text("Entities 3");
    tmux.line(":wq");
    assert_eq!(tmux.wait_for_exit(), 0);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("// Who logs in."), "{text}");
    assert!(text.contains("// unique later"), "{text}");
    assert!(text.contains("/* the key */"), "{text}");
    assert!(text.contains("name: \"notes\""), "{text}");
}

/// A design of `n` entities on one line each, so `plinth fmt` has real
/// work (the canonical layout). Its ids are written out: fresh ids are
/// drawn at random, and at this size they can collide today (issue 11,
/// item 4, fixed elsewhere), which is not what this test is about.
fn big_design(n: usize, variant: usize) -> String {
    let mut text = format!("(format: 1, name: \"big{variant}\", entities: [\n");
    for i in 0..n {
        text.push_str(&format!(
            "(id: \"e{i}\", name: \"t{i}\", fields: [(id: \"f{i}a\", name: \"id\", type: \"uuid\", \
             not_null: true), (id: \"f{i}b\", name: \"v{variant}\", type: \"text\")], \
             primary_key: [\"id\"]),\n"
        ));
    }
    text.push_str("])\n");
    text
}

/// Kills `plinth fmt` at moments spread over its run, over and over, and
/// checks after each kill that the design file and its backup are each
/// whole: they load, as one of the versions that were ever written.
#[test]
fn a_kill_during_save_leaves_the_file_and_its_backup_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.ron");
    let backup = dir.path().join("big.ron.bak");

    // How long one unhindered run takes.
    fs::write(&path, big_design(3000, 0)).unwrap();
    let started = Instant::now();
    let out = plinth(dir.path(), &["fmt", "big.ron"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let run = started.elapsed();

    let rounds = 24;
    let (mut old_kept, mut new_written) = (0, 0);
    for round in 0..rounds {
        let before = big_design(3000, round + 1);
        fs::write(&path, &before).unwrap();
        let backup_before = fs::read_to_string(&backup).ok();
        let mut child = Command::new(tmux::plinth_bin())
            .args(["fmt", "big.ron"])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(run.mul_f64(0.3 + 0.9 * round as f64 / rounds as f64));
        let _ = child.kill();
        child.wait().unwrap();

        let now = fs::read_to_string(&path).unwrap();
        let design = plinth::file::load(&path)
            .unwrap_or_else(|e| panic!("round {round}: the design file is broken: {e}"));
        assert_eq!(design.name, format!("big{}", round + 1), "round {round}");
        assert_eq!(design.entity_count(), 3000, "round {round}");
        if now == before {
            old_kept += 1;
        } else {
            new_written += 1;
        }
        if let Ok(b) = fs::read_to_string(&backup) {
            let whole = Some(&b) == backup_before.as_ref() || b == before;
            assert!(
                whole,
                "round {round}: the backup is neither the old backup nor the old file"
            );
            assert!(plinth::file::load(&backup).is_ok(), "round {round}");
        }
    }
    eprintln!(
        "fmt of 3000 entities: {:.0} ms unhindered; {rounds} kills left the old file {old_kept} \
         times and the new one {new_written} times, never a broken one",
        run.as_secs_f64() * 1000.0
    );
}

/// No step of a save truncates an existing file in place: handles opened
/// on the file and its backup before a save still read what they held.
#[test]
fn a_save_replaces_files_and_never_rewrites_them_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.ron");
    fs::write(&path, hand_written_shop()).unwrap();
    let out = plinth(dir.path(), &["fmt", "shop.ron"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let formatted = fs::read_to_string(&path).unwrap();
    let backup = fs::read_to_string(dir.path().join("shop.ron.bak")).unwrap();
    let old_file = fs::File::open(&path).unwrap();
    let old_backup = fs::File::open(dir.path().join("shop.ron.bak")).unwrap();

    let tmux = Tmux::start(dir.path(), "shop.ron");
    tmux.wait_for_text("Entities 13");
    tmux.line(":entity add wishlists");
    tmux.wait_for_text("Entities 14");
    tmux.line(":wq");
    assert_eq!(tmux.wait_for_exit(), 0);

    assert_eq!(std::io::read_to_string(&old_file).unwrap(), formatted);
    assert_eq!(std::io::read_to_string(&old_backup).unwrap(), backup);
    assert_eq!(
        fs::read_to_string(dir.path().join("shop.ron.bak")).unwrap(),
        formatted
    );
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}
