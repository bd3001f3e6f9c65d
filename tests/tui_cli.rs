//! How the designer is reached from the command line when there is no
//! terminal: `plinth FILE` keeps printing the summary (so scripts and
//! pipes see what they always saw), and `plinth edit` says it needs one.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn plinth(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("plinth runs")
}

#[test]
fn a_bare_file_prints_its_summary_when_output_is_not_a_terminal() {
    let designs = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs");
    let out = plinth(&["shop.ron"], &designs);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("design shop: 13 entities"), "{stdout}");
}

#[test]
fn edit_needs_a_terminal_and_touches_nothing_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = plinth(&["edit", "plan.ron"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        "plinth: plinth edit needs a terminal; `plinth show plan.ron` prints a summary\n"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn help_lists_edit() {
    let out = plinth(&["--help"], Path::new("."));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("  edit "), "{stdout}");
}
