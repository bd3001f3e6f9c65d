//! Ids are what a plan matches by, so two objects sharing one would plan
//! the other as dropped. A copied line in a design file is refused with
//! both places, before anything reaches a database; ids the loader makes
//! never repeat, even for 50,000 entities written without any.

use std::collections::HashSet;
use std::process::Output;

use crate::common::{TestDb, plinth_in as plinth};
use crate::{assert_canary, plant_canary};

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const MEMBERS: &str = r#"(
    format: 1,
    name: "club",
    entities: [
        (
            id: "emembers0001",
            name: "members",
            fields: [
                (id: "fmembersid01", name: "id", type: "uuid", not_null: true),
                (id: "fjoined00001", name: "joined", type: "date"),
                (id: "fnote0000001", name: "note", type: "text"),
            ],
            primary_key: ["id"],
        ),
    ],
)
"#;

#[test]
fn a_copied_field_line_is_refused_with_both_places_and_no_column_is_lost() {
    let db = TestDb::new();
    plant_canary(&db);
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("club.ron");
    std::fs::write(&design, MEMBERS).unwrap();
    let design = design.to_str().unwrap();
    let url = db.conninfo();
    let out = plinth(dir.path(), &["apply", design, "--url", &url, "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    db.psql_stdin(
        "INSERT INTO members VALUES ('00000000-0000-0000-0000-000000000001', '2020-01-01', 'keep');",
    );

    // The `note` line copied over `joined`'s id: one id, two fields.
    let copied = MEMBERS.replace(
        r#"(id: "fnote0000001", name: "note""#,
        r#"(id: "fjoined00001", name: "note""#,
    );
    let copy = dir.path().join("copy.ron");
    std::fs::write(&copy, &copied).unwrap();
    let copy = copy.to_str().unwrap();
    for args in [
        vec!["check", copy],
        vec!["diff", design, copy, "--sql"],
        vec!["apply", copy, "--url", &url, "--yes"],
    ] {
        let out = plinth(dir.path(), &args);
        let said = text(&out);
        assert!(
            !out.status.success(),
            "plinth {args:?} accepted it:\n{said}"
        );
        assert!(
            said.contains("copy.ron:11:22")
                && said.contains("field id `fjoined00001` is used twice")
                && said.contains("used first at 10:22"),
            "plinth {args:?} did not name both places:\n{said}"
        );
        assert!(!said.contains("DROP"), "{said}");
    }
    let rows = db
        .client()
        .query("SELECT joined::text, note FROM members", &[])
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(0), "2020-01-01");
    assert_eq!(rows[0].get::<_, String>(1), "keep");
    assert_canary(&db);
}

/// The ids `plinth fmt` wrote, with how often each appears.
fn ids_in(text: &str) -> Vec<&str> {
    text.match_indices("id: \"")
        .map(|(at, m)| {
            let rest = &text[at + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn fifty_thousand_entities_without_ids_load_twenty_times() {
    const ENTITIES: usize = 50_000;
    let mut source = String::from("(format: 1, name: \"big\", entities: [\n");
    for i in 0..ENTITIES {
        source.push_str(&format!(
            "(name: \"t{i}\", fields: [(name: \"id\", type: \"uuid\")]),\n"
        ));
    }
    source.push_str("])\n");
    let dir = tempfile::tempdir().unwrap();
    // Two at a time: the machine has two cores.
    std::thread::scope(|scope| {
        for worker in 0..2 {
            let (dir, source) = (dir.path(), &source);
            scope.spawn(move || {
                for run in 0..10 {
                    let file = dir.join(format!("big-{worker}-{run}.ron"));
                    std::fs::write(&file, source).unwrap();
                    let out = plinth(dir, &["fmt", file.to_str().unwrap()]);
                    assert!(out.status.success(), "run {run}: {}", text(&out));
                    let written = std::fs::read_to_string(&file).unwrap();
                    let ids = ids_in(&written);
                    assert_eq!(ids.len(), 2 * ENTITIES, "an id for every entity and field");
                    assert!(
                        ids.iter().all(|id| id.len() == 13),
                        "12 random characters and a kind"
                    );
                    let distinct: HashSet<&str> = ids.iter().copied().collect();
                    assert_eq!(distinct.len(), ids.len(), "run {run} repeated an id");
                    std::fs::remove_file(&file).unwrap();
                }
            });
        }
    });
}
