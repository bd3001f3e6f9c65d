//! The real binary: subcommands, exit codes and error messages.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn plinth(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("plinth runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn help_lists_the_subcommands() {
    let out = plinth(&["--help"], Path::new("."));
    assert!(out.status.success());
    for command in ["new", "ddl", "fmt"] {
        assert!(
            stdout(&out).contains(&format!("  {command} ")),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn new_writes_a_canonical_starter_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = plinth(&["new", "app.ron"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(dir.path().join("app.ron")).unwrap();
    assert!(text.contains("name: \"app\""));
    assert!(
        plinth(&["fmt", "--check", "app.ron"], dir.path())
            .status
            .success()
    );
    let ddl = stdout(&plinth(&["ddl", "app.ron"], dir.path()));
    assert!(
        ddl.contains("CONSTRAINT users_email_key UNIQUE (email)"),
        "{ddl}"
    );

    let again = plinth(&["new", "app.ron"], dir.path());
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("exists already"));
    assert_eq!(
        fs::read_to_string(dir.path().join("app.ron")).unwrap(),
        text
    );
}

/// A broken file gets one line on stderr with file:line:column, exit
/// code 2, and stays exactly as it was.
fn assert_refused(source: &str, location: &str, words: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.ron");
    fs::write(&path, source).unwrap();
    for args in [
        &["ddl", "bad.ron"][..],
        &["fmt", "bad.ron"],
        &["fmt", "--check", "bad.ron"],
        &["bad.ron"],
    ] {
        let out = plinth(args, dir.path());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("plinth: bad.ron:{location}: ")),
            "{err}"
        );
        assert!(err.contains(words), "{err}");
        assert!(stdout(&out).is_empty());
        assert_eq!(fs::read_to_string(&path).unwrap(), source);
    }
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no backup or temp file left: {names:?}");
}

const GOOD: &str = r#"(
    format: 1,
    name: "t",
    entities: [
        (
            name: "users",
            fields: [(name: "id", type: "uuid", not_null: true)],
            primary_key: ["id"],
        ),
        (
            name: "posts",
            fields: [(name: "id", type: "uuid", not_null: true), (name: "user_id", type: "uuid")],
            relationships: [(fields: ["user_id"], target: "users")],
        ),
    ],
)
"#;

#[test]
fn syntax_errors_are_refused_with_their_position() {
    assert_refused(
        &GOOD.replace("name: \"t\",", "name: \"t\""),
        "4:5",
        "expected comma",
    );
}

#[test]
fn unknown_fields_are_refused_with_their_position() {
    assert_refused(
        &GOOD.replace(
            "not_null: true)],\n            primary",
            "nullable: false)],\n            primary",
        ),
        "7:49",
        "unexpected field named `nullable` in a field",
    );
}

#[test]
fn a_bad_deferrable_value_is_refused_with_its_position() {
    assert_refused(
        &GOOD.replace(
            "target: \"users\")",
            "target: \"users\", deferrable: Later)",
        ),
        "13:80",
        "unexpected variant named `Later` in `deferrable`",
    );
}

#[test]
fn dangling_references_are_refused_with_their_position() {
    assert_refused(
        &GOOD.replace("target: \"users\"", "target: \"people\""),
        "13:59",
        "`people`",
    );
}

#[test]
fn fmt_check_reports_untidy_files_and_fmt_tidies_them_with_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.ron");
    fs::write(&path, GOOD).unwrap();
    let check = plinth(&["fmt", "--check", "t.ron"], dir.path());
    assert_eq!(check.status.code(), Some(1));
    assert!(stderr(&check).contains("t.ron"));
    assert!(plinth(&["fmt", "t.ron"], dir.path()).status.success());
    assert_eq!(
        fs::read_to_string(dir.path().join("t.ron.bak")).unwrap(),
        GOOD
    );
    assert!(
        plinth(&["fmt", "--check", "t.ron"], dir.path())
            .status
            .success()
    );
}

#[test]
fn shipped_designs_are_canonical() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let designs: Vec<String> = fs::read_dir(root.join("designs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(designs.len() >= 3);
    let mut args = vec!["fmt", "--check"];
    args.extend(designs.iter().map(String::as_str));
    let out = plinth(&args, root);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn ddl_writes_to_a_file_on_request() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.ron"), GOOD).unwrap();
    let out = plinth(&["ddl", "t.ron", "-o", "t.sql"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let sql = fs::read_to_string(dir.path().join("t.sql")).unwrap();
    assert!(sql.contains("CREATE TABLE public.posts"));
    assert!(sql.contains("REFERENCES public.users (id)"));
}
