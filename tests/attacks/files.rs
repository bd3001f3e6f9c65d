//! Hostile design files given to the binary: bytes a terminal obeys, NUL,
//! a byte-order mark, a rule set twice, types past PostgreSQL's limits and
//! a type nested deep enough to overflow a recursive reader. Each is
//! either read as meant or refused with its place, and nothing raw
//! reaches the terminal.

use std::process::Output;

use crate::common::plinth_in as plinth;

const GOOD: &str = r#"(
    format: 1,
    name: "t",
    entities: [
        (
            name: "users",
            fields: [
                (name: "id", type: "uuid", not_null: true),
                (name: "email", type: "text", not_null: true),
            ],
            primary_key: ["id"],
        ),
    ],
)
"#;

fn run(file_text: &str, args: &[&str]) -> (Output, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("design.ron");
    std::fs::write(&file, file_text).unwrap();
    let mut all = args.to_vec();
    all.push(file.to_str().unwrap());
    let out = plinth(dir.path(), &all);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, said)
}

/// Refused, with this place and reason, and nothing raw printed.
fn refused(file_text: &str, at: &str, reason: &str) {
    for command in [&["check"][..], &["ddl"], &["fmt", "--check"]] {
        let (out, said) = run(file_text, command);
        assert_eq!(out.status.code(), Some(2), "plinth {command:?}: {said}");
        assert!(
            said.contains(&format!("design.ron:{at}")),
            "plinth {command:?}: {said}"
        );
        assert!(said.contains(reason), "plinth {command:?}: {said}");
        assert!(
            !said.contains(['\u{0}', '\u{1b}', '\u{9b}', '\u{7}']),
            "plinth {command:?} printed a raw control character: {said:?}"
        );
    }
}

#[test]
fn terminal_escapes_and_nul_in_names_are_refused_with_their_place() {
    refused(
        &GOOD.replace(r#""email""#, r#""em\u{1b}]0;owned\u{7}ail""#),
        "9:24",
        "U+001B (a control character)",
    );
    refused(
        &GOOD.replace(r#""users""#, r#""us\u{0}ers""#),
        "6:19",
        "U+0000 (NUL)",
    );
    refused(
        &GOOD.replace(
            r#"name: "users","#,
            r#"name: "users", comment: "\u{9b}31m red","#,
        ),
        "6:19",
        "U+009B",
    );
}

#[test]
fn a_message_echoing_hostile_text_shows_it_escaped() {
    // An unknown type is echoed back in the error: escaped, not sent.
    let (out, said) = run(&GOOD.replace(r#""text""#, r#""te\u{1b}[2Jxt""#), &["check"]);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("te\\u{1b}[2Jxt"), "{said}");
    assert!(!said.contains('\u{1b}'), "{said:?}");
}

#[test]
fn a_byte_order_mark_is_read_past() {
    let (out, said) = run(&format!("\u{feff}{GOOD}"), &["ddl"]);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("CREATE TABLE"), "{said}");
}

#[test]
fn a_rule_set_twice_is_refused() {
    refused(
        &GOOD.replace(
            "    name: \"t\",\n",
            "    name: \"t\",\n    checks: {\"pk-not-uuid\": Off, \"pk-not-uuid\": Error},\n",
        ),
        "4:35",
        "`pk-not-uuid` is set twice",
    );
}

#[test]
fn types_past_postgres_limits_are_refused_before_postgres_sees_them() {
    refused(
        &GOOD.replace(r#""text""#, r#""numeric(4294967295)""#),
        "9:39",
        "precision 4294967295 is more than PostgreSQL's 1000",
    );
    refused(
        &GOOD.replace(r#""text""#, r#""varchar(4294967295)""#),
        "9:39",
        "length 4294967295 is more than PostgreSQL's 10485760",
    );
}

#[test]
fn twenty_thousand_nested_arrays_are_an_error_not_a_crash() {
    let deep = format!("text{}", "[]".repeat(20_000));
    refused(
        &GOOD.replace(r#""text""#, &format!("\"{deep}\"")),
        "9:39",
        "more than 6 array dimensions",
    );
}
