//! `plinth check` and `plinth rules` through the real binary.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn plinth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("plinth runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
}

/// Clean means no finding the design has not allowed with a reason
/// (shop keeps addresses as written, and says why).
#[test]
fn the_house_style_designs_are_clean() {
    for design in ["designs/todo.ron", "designs/blog.ron", "designs/shop.ron"] {
        let out = plinth(&["check", design, "--deny", "info", "--format", "json"]);
        let report = json_of(&out);
        let open: Vec<&Value> = report["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["allowed"].is_null())
            .collect();
        assert!(open.is_empty(), "{design}: {open:#?}");
        assert_eq!(out.status.code(), Some(0), "{design}");
    }
}

#[test]
fn legacy_fails_with_findings_from_many_rules() {
    let out = plinth(&["check", "designs/legacy.ron", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json_of(&out);
    let rules: BTreeSet<&str> = report["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.len() >= 12,
        "only {} rules fired: {rules:?}",
        rules.len()
    );
}

#[test]
fn json_has_the_documented_shape() {
    let report = json_of(&plinth(&[
        "check",
        "designs/legacy.ron",
        "--format",
        "json",
    ]));
    assert_eq!(report["version"], 1);
    let file = &report["files"][0];
    assert_eq!(file["path"], "designs/legacy.ron");
    for key in ["errors", "warnings", "info", "allowed"] {
        assert!(file["summary"][key].is_u64(), "summary.{key}");
    }
    for finding in file["findings"].as_array().unwrap() {
        for key in ["rule", "severity", "message", "hint"] {
            assert!(finding[key].is_string(), "{key} in {finding}");
        }
        assert!(finding["fixable"].is_boolean());
        let location = &finding["location"];
        assert!(location["kind"].is_string() && location["description"].is_string());
        assert!(location["line"].as_u64().unwrap() >= 1);
        assert!(location["column"].as_u64().unwrap() >= 1);
    }
}

/// The SARIF 2.1.0 schema as published by OASIS, shipped inside the
/// `serde-sarif` crate (a dev-dependency for this reason).
fn sarif_schema() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif is a dev-dependency");
    let schema = PathBuf::from(manifest)
        .with_file_name("src")
        .join("schema.json");
    let text = std::fs::read_to_string(&schema).expect("the SARIF schema file");
    // One pattern in the published schema has a bare `]`, which ECMAScript
    // regexes read as a literal and Rust's regex crate refuses; escape it.
    let text = text.replace(r#"{2}-[a-zA-Z]{2}]?$"#, r#"{2}-[a-zA-Z]{2}\\]?$"#);
    serde_json::from_str(&text).expect("the schema is JSON")
}

#[test]
fn sarif_validates_against_the_published_schema() {
    let schema = sarif_schema();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let out = plinth(&[
        "check",
        "designs/legacy.ron",
        "designs/shop.ron",
        "--format",
        "sarif",
    ]);
    let log = json_of(&out);
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(
        results.iter().any(|r| r["suppressions"].is_array()),
        "allowed findings are suppressed"
    );
}

#[test]
fn piped_output_is_plain_text() {
    let out = plinth(&["check", "designs/legacy.ron"]);
    let text = stdout(&out);
    assert!(!text.contains('\x1b'));
    assert!(text.contains("designs/legacy.ron:"), "{text}");
    assert!(text.contains("hint: "));
}

#[test]
fn bad_input_exits_2() {
    let out = plinth(&["check", "designs/missing.ron"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("designs/missing.ron: no such file"));
}

#[test]
fn rules_lists_every_rule() {
    let text = stdout(&plinth(&["rules"]));
    for id in ["no-primary-key", "fk-missing-index", "missing-timestamps"] {
        assert!(
            text.lines().any(|l| l.starts_with(id)),
            "{id} missing:\n{text}"
        );
    }
}
