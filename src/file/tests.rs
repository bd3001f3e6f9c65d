use proptest::prelude::*;

use super::*;
use crate::core::model::Deferrable;
use crate::core::testing::Gen;

fn parse_err(source: &str) -> (usize, usize, String) {
    let (p, message) = parse(source, &mut IdGen::seeded(1)).unwrap_err();
    (p.line, p.col, message)
}

const GOOD: &str = r#"#![enable(implicit_some)]
(
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
            fields: [
                (name: "id", type: "uuid", not_null: true),
                (name: "author_id", type: "uuid"),
            ],
            primary_key: ["id"],
            relationships: [(fields: ["author_id"], target: "users")],
        ),
    ],
)
"#;

#[test]
fn a_hand_written_file_loads_and_references_default_to_the_primary_key() {
    let design = parse(GOOD, &mut IdGen::seeded(1)).unwrap();
    let rel = design.relationships().next().unwrap();
    let users = design.entity_named("users").unwrap();
    assert_eq!(rel.references, users.primary_key.as_ref().unwrap().fields);
}

#[test]
fn saving_writes_ids_and_loading_the_result_changes_nothing() {
    let design = parse(GOOD, &mut IdGen::seeded(1)).unwrap();
    let text = to_text(&design);
    assert!(text.contains("id: \"e"));
    let again = parse(&text, &mut IdGen::seeded(2)).unwrap();
    assert_eq!(again, design);
    assert_eq!(to_text(&again), text);
}

#[test]
fn deferrable_keys_round_trip_and_other_keys_do_not_mention_it() {
    assert!(!to_text(&parse(GOOD, &mut IdGen::seeded(1)).unwrap()).contains("deferrable"));
    for (written, model) in [
        ("Immediate", Deferrable::InitiallyImmediate),
        ("Deferred", Deferrable::InitiallyDeferred),
    ] {
        let source = GOOD.replace(
            r#"target: "users")"#,
            &format!(r#"target: "users", deferrable: {written})"#),
        );
        let design = parse(&source, &mut IdGen::seeded(1)).unwrap();
        assert_eq!(design.relationships().next().unwrap().deferrable, model);
        let text = to_text(&design);
        assert!(text.contains(&format!("deferrable: {written})")), "{text}");
        let again = parse(&text, &mut IdGen::seeded(2)).unwrap();
        assert_eq!(again, design);
        assert_eq!(to_text(&again), text);
    }
}

#[test]
fn a_bad_deferrable_value_points_at_it() {
    let broken = GOOD.replace(
        r#"target: "users")"#,
        r#"target: "users", deferrable: Later)"#,
    );
    let (line, col, message) = parse_err(&broken);
    assert_eq!((line, col), (18, 82));
    assert!(
        message.contains("`Later` in `deferrable`, expected either `Immediate` or `Deferred`"),
        "{message}"
    );
}

#[test]
fn syntax_errors_point_at_line_and_column() {
    let broken = GOOD.replace(r#"name: "posts","#, r#"name: "posts""#);
    let (line, col, _) = parse_err(&broken);
    assert_eq!((line, col), (13, 13));
}

#[test]
fn unknown_fields_are_named_with_their_place() {
    let broken = GOOD.replace(
        r#"(name: "author_id", type: "uuid")"#,
        r#"(name: "author_id", type: "uuid", nullable: true)"#,
    );
    let (line, _, message) = parse_err(&broken);
    assert_eq!(line, 15);
    assert!(message.contains("nullable"), "{message}");
}

#[test]
fn dangling_references_point_at_the_missing_name() {
    let broken = GOOD.replace(r#"target: "users""#, r#"target: "people""#);
    let (line, col, message) = parse_err(&broken);
    assert_eq!((line, col), (18, 61));
    assert!(message.contains("`people`"), "{message}");

    let broken = GOOD.replace(
        r#"primary_key: ["id"],
            relationships"#,
        r#"primary_key: ["ident"],
            relationships"#,
    );
    let (line, _, message) = parse_err(&broken);
    assert_eq!(line, 17);
    assert!(message.contains("`ident`"), "{message}");
}

#[test]
fn incoherent_designs_point_at_the_entity() {
    let broken = GOOD.replace(r#"name: "posts""#, r#"name: "users""#);
    let (line, _, message) = parse_err(&broken);
    assert_eq!(line, 12);
    assert!(message.contains("already used"), "{message}");
}

#[test]
fn bad_types_and_versions_are_refused() {
    let (line, _, message) = parse_err(&GOOD.replace(r#"type: "uuid")"#, r#"type: "uuid(3)")"#));
    assert_eq!(line, 15);
    assert!(message.contains("uuid(3)"), "{message}");
    let (line, _, message) = parse_err(&GOOD.replace("format: 1", "format: 9"));
    assert_eq!(line, 3);
    assert!(message.contains("format 9"), "{message}");
}

#[test]
fn save_is_atomic_and_keeps_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.ron");
    let design = parse(GOOD, &mut IdGen::seeded(1)).unwrap();
    assert_eq!(save(&path, &design).unwrap(), SaveOutcome::Written);
    assert_eq!(save(&path, &design).unwrap(), SaveOutcome::Unchanged);
    let first = fs::read_to_string(&path).unwrap();
    let mut renamed = design.clone();
    renamed.name = "t2".into();
    save(&path, &renamed).unwrap();
    assert_eq!(
        fs::read_to_string(dir.path().join("d.ron.bak")).unwrap(),
        first
    );
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random designs come back from their canonical text unchanged, and
    /// that text is a fixed point.
    #[test]
    fn random_designs_survive_save_and_load(seed in any::<u64>()) {
        let design = Gen::new(seed).design(8);
        let text = to_text(&design);
        let loaded = parse(&text, &mut IdGen::seeded(0));
        prop_assert!(loaded.is_ok(), "{:?}\n{}", loaded.err(), text);
        let loaded = loaded.unwrap();
        prop_assert_eq!(&loaded, &design);
        prop_assert_eq!(to_text(&loaded), text);
    }
}

const TUNED: &str = r#"#![enable(implicit_some)]
(
    format: 1,
    name: "t",
    checks: {"missing-timestamps": Off, "fk-missing-index": Error},
    entities: [
        (
            name: "addresses",
            fields: [
                (name: "id", type: "uuid", not_null: true),
                (name: "zip", type: "text", allow: [(rule: "no-primary-key", reason: "kept as typed")]),
                (name: "city", type: "text"),
            ],
            primary_key: ["id"],
            dependencies: ["zip -> city"],
            allow: [(rule: "no-primary-key", reason: "imported as is")],
        ),
    ],
)
"#;

#[test]
fn check_settings_dependencies_and_allows_round_trip() {
    let design = parse(TUNED, &mut IdGen::seeded(1)).unwrap();
    assert_eq!(design.checks.levels.len(), 2);
    let e = design.entity_named("addresses").unwrap();
    assert_eq!(e.dependencies.len(), 1);
    assert_eq!(e.allow[0].reason, "imported as is");
    let text = to_text(&design);
    assert!(text.contains(r#""zip -> city""#), "{text}");
    assert_eq!(parse(&text, &mut IdGen::seeded(2)).unwrap(), design);
}

#[test]
fn unknown_rules_and_bad_dependencies_are_refused_with_their_place() {
    let (line, _, message) =
        parse_err(&TUNED.replace("\"fk-missing-index\"", "\"fk-missing-indexes\""));
    assert_eq!(line, 5);
    assert!(
        message.contains("unknown rule `fk-missing-indexes`"),
        "{message}"
    );
    let (line, _, message) = parse_err(&TUNED.replace("zip -> city", "zip, town -> city"));
    assert_eq!(line, 15);
    assert!(message.contains("`town`"), "{message}");
    let (line, _, message) = parse_err(&TUNED.replace("zip -> city", "zip city"));
    assert_eq!(line, 15);
    assert!(message.contains("no `->`"), "{message}");
}

#[test]
fn a_copied_field_line_is_refused_with_both_places() {
    let source = r#"(
    format: 1,
    name: "t",
    entities: [
        (
            id: "e1",
            name: "members",
            fields: [
                (id: "f1", name: "id", type: "uuid", not_null: true),
                (id: "f2", name: "joined", type: "date"),
                (id: "f2", name: "joined_on", type: "date"),
            ],
        ),
    ],
)"#;
    let (line, col, message) = parse_err(source);
    assert_eq!((line, col), (11, 22));
    assert!(message.contains("field id `f2` is used twice"), "{message}");
    assert!(message.contains("used first at 10:22"), "{message}");
}

#[test]
fn every_kind_of_id_is_refused_twice() {
    let twice = |from: &str, to: &str| parse_err(&GOOD_WITH_IDS.replacen(from, to, 1)).2;
    assert!(twice(r#"id: "e2""#, r#"id: "e1""#).contains("entity id `e1`"));
    let twice_rel = GOOD_WITH_IDS.replace(
        r#"relationships: [(id: "r1", fields: ["author_id"], target: "users")]"#,
        r#"relationships: [(id: "r1", fields: ["author_id"], target: "users"), (id: "r1", fields: ["author_id"], target: "users")]"#,
    );
    assert!(parse_err(&twice_rel).2.contains("relationship id `r1`"));
    // The same id for two kinds of object is no clash.
    assert!(
        parse(
            &GOOD_WITH_IDS.replace(r#"id: "f3""#, r#"id: "e1""#),
            &mut IdGen::seeded(1)
        )
        .is_ok()
    );
}

const GOOD_WITH_IDS: &str = r#"(
    format: 1,
    name: "t",
    entities: [
        (id: "e1", name: "users", fields: [(id: "f1", name: "id", type: "uuid", not_null: true)], primary_key: ["id"]),
        (
            id: "e2",
            name: "posts",
            fields: [(id: "f2", name: "id", type: "uuid", not_null: true), (id: "f3", name: "author_id", type: "uuid")],
            primary_key: ["id"],
            relationships: [(id: "r1", fields: ["author_id"], target: "users")],
        ),
    ],
)"#;

#[test]
fn fresh_ids_never_repeat_an_id_the_file_gives() {
    // A generator seeded to make `e…` first: the file takes that id, so
    // the entity without one must get another.
    let made = IdGen::seeded(5).entity();
    let source = GOOD_WITH_IDS
        .replace(r#"id: "e1""#, &format!("id: \"{made}\""))
        .replace(
            r#"(
            id: "e2","#,
            "(",
        );
    let design = parse(&source, &mut IdGen::seeded(5)).unwrap();
    let ids: Vec<&str> = design.entities().map(|e| e.id.as_str()).collect();
    assert_eq!(ids[0], made.as_str());
    assert_ne!(ids[1], made.as_str());
    assert_eq!(ids[1].len(), crate::core::ids::RANDOM_LEN + 1);
}

#[test]
fn a_byte_order_mark_is_read_past() {
    let design = parse(&format!("\u{feff}{GOOD}"), &mut IdGen::seeded(1)).unwrap();
    assert_eq!(design.entity_count(), 2);
}

#[test]
fn a_rule_set_twice_is_refused_where_it_repeats() {
    let source = GOOD.replace(
        "    name: \"t\",\n",
        "    name: \"t\",\n    checks: {\"fk-missing-index\": Off, \"fk-missing-index\": Error},\n",
    );
    let (line, _, message) = parse_err(&source);
    assert_eq!(line, 5);
    assert!(
        message.contains("`fk-missing-index` is set twice"),
        "{message}"
    );
}

#[test]
fn control_characters_in_names_and_nul_in_text_are_refused_with_their_place() {
    let (line, _, message) = parse_err(&GOOD.replace(r#""author_id""#, r#""author\u{0}_id""#));
    assert_eq!(line, 15);
    assert!(message.contains("U+0000 (NUL)"), "{message}");
    assert!(!message.contains('\0'), "the message shows it escaped");
    let (line, _, message) =
        parse_err(&GOOD.replace(r#"name: "posts""#, r#"name: "po\u{1b}[2Jsts""#));
    assert_eq!(line, 12);
    assert!(
        message.contains("U+001B") && message.contains("po\\u{1b}[2Jsts"),
        "{message}"
    );
    assert!(!message.contains('\u{1b}'), "{message}");
    let commented = GOOD.replace(
        r#"name: "users","#,
        r#"name: "users", comment: "two\nlines\u{0}","#,
    );
    let (line, _, message) = parse_err(&commented);
    assert_eq!(line, 7);
    assert!(message.contains("comment"), "{message}");
    // Line breaks and tabs are what comments are made of.
    let fine = GOOD.replace(
        r#"name: "users","#,
        r#"name: "users", comment: "two\nlines\tok","#,
    );
    assert!(parse(&fine, &mut IdGen::seeded(1)).is_ok());
}

#[test]
fn types_past_postgres_limits_are_refused_and_deep_arrays_do_not_overflow() {
    for (ty, says) in [
        (
            "numeric(4294967295)",
            "precision 4294967295 is more than PostgreSQL's 1000",
        ),
        (
            "varchar(4294967295)",
            "length 4294967295 is more than PostgreSQL's 10485760",
        ),
        ("char(10485761)", "length 10485761"),
    ] {
        let (_, _, message) =
            parse_err(&GOOD.replace(r#"type: "uuid")"#, &format!("type: \"{ty}\")")));
        assert!(message.contains(says), "{ty}: {message}");
    }
    let deep = format!("uuid{}", "[]".repeat(20_000));
    let (line, _, message) =
        parse_err(&GOOD.replace(r#"type: "uuid")"#, &format!("type: \"{deep}\")")));
    assert_eq!(line, 15);
    assert!(
        message.contains("more than 6 array dimensions"),
        "{message}"
    );
    assert!(message.len() < 300, "the type is shortened: {message}");
    let widest = GOOD.replace(
        r#"fields: [(name: "id", type: "uuid", not_null: true)]"#,
        r#"fields: [(name: "id", type: "uuid", not_null: true), (name: "x", type: "varchar(10485760)[][]")]"#,
    );
    assert!(parse(&widest, &mut IdGen::seeded(1)).is_ok());
}

/// The parallel path is only a shortcut: on a file plinth wrote it gives
/// the very design reading the file as one gives, and on a file it cannot
/// take whole (an id to make) it steps aside.
#[test]
fn reading_on_every_core_gives_the_design_reading_it_whole_gives() {
    // Enough entities for more than one thread.
    let design = crate::core::synthetic::design(1_200, 5);
    let text = to_text(&design);
    let fast =
        parse_on_every_core(&text, &mut IdGen::seeded(1), None).expect("the shortcut takes it");
    let whole = parse_whole(&text, &mut IdGen::seeded(1)).expect("the file reads");
    assert_eq!(fast.entity_count(), 1_200);
    assert!(fast.relationship_count() > 1_000);
    assert_eq!(fast, whole);
    assert_eq!(fast, design);

    let first_field_id = design.entities().next().unwrap().fields[0].id.to_string();
    let without_an_id = text.replacen(&format!("id: \"{first_field_id}\", "), "", 1);
    assert_ne!(without_an_id, text);
    assert!(parse_on_every_core(&without_an_id, &mut IdGen::seeded(1), None).is_none());
    let read = parse(&without_an_id, &mut IdGen::seeded(1)).expect("a missing id is made");
    assert_eq!(read.entity_count(), 1_200);
}

/// On a file large enough to be cut in halves and its ids compared on two
/// cores, an id repeated far apart is still refused with both places,
/// whichever share its last byte falls in.
#[test]
fn a_repeated_id_in_a_large_file_is_refused_with_both_places() {
    let design = crate::core::synthetic::design(3_000, 3);
    let text = to_text(&design);
    assert!(text.len() >= 4 << 20, "large enough to cut in halves");
    let entities: Vec<_> = design.entities().collect();
    let parity = |a: usize| entities[a].fields[1].id.as_str().as_bytes().last().unwrap() % 2;
    let even = (10..).find(|&a| parity(a) == 0).unwrap();
    let odd = (10..).find(|&a| parity(a) == 1).unwrap();
    for a in [even, odd] {
        let (first, second) = (&entities[a].fields[1].id, &entities[2_900].fields[1].id);
        let copied = text.replacen(&format!("id: \"{second}\""), &format!("id: \"{first}\""), 1);
        let (line, _, message) = parse_err(&copied);
        assert!(
            message.contains(&format!("field id `{first}` is used twice")),
            "{message}"
        );
        let used_first = text[..text.find(first.as_str()).unwrap()].lines().count();
        assert!(
            message.contains(&format!("used first at {used_first}:")),
            "{message}"
        );
        assert!(line > used_first, "the second use is named");
    }
    assert_eq!(parse(&text, &mut IdGen::seeded(1)).unwrap(), design);
}

#[test]
fn a_text_is_the_text_of_a_design_only_byte_for_byte() {
    let design = crate::core::synthetic::design(20, 3);
    let text = to_text(&design);
    assert!(is_text_of(&design, &text));
    let changed = text.replacen("not_null: true", "not_null:  true", 1);
    assert_ne!(changed, text);
    assert!(!is_text_of(&design, &changed));
    assert!(!is_text_of(&design, &text[..text.len() - 1]), "cut short");
    assert!(
        !is_text_of(&design, &format!("{text}\n")),
        "with more after"
    );
    assert!(
        !is_text_of(&design, &format!("\u{feff}{text}")),
        "with a BOM"
    );
}

#[test]
fn a_design_loaded_like_another_holds_its_copy_of_every_entity_they_share() {
    let dir = tempfile::tempdir().unwrap();
    let a = crate::core::synthetic::design(60, 5);
    let mut b = a.clone();
    let changed = b.entities().nth(7).unwrap().id.clone();
    b.entity_mut(&changed).unwrap().comment = Some("changed".into());
    let (path_a, path_b) = (dir.path().join("a.ron"), dir.path().join("b.ron"));
    std::fs::write(&path_a, to_text(&a)).unwrap();
    std::fs::write(&path_b, to_text(&b)).unwrap();

    let a = load(&path_a).unwrap();
    let b_alone = load(&path_b).unwrap();
    let b = load_like(&path_b, &a).unwrap();
    assert_eq!(b, b_alone, "sharing changes nothing in the design");
    let shared =
        |e: &crate::core::model::Entity| a.entity(&e.id).is_some_and(|x| std::ptr::eq(x, e));
    let unshared: Vec<&str> = b
        .entities()
        .filter(|e| !shared(e))
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(unshared, [b.entity(&changed).unwrap().name.as_str()]);
    assert!(b_alone.entities().all(|e| !shared(e)));
}
