//! Findings as SARIF 2.1.0, the format code-scanning services read.
//! Allowed findings are written with an in-source suppression carrying
//! the reason, so scanners show them as accepted rather than open.

use serde_json::{Value, json};

use super::CheckedFile;
use crate::core::check::{Rule, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn sarif(files: &[CheckedFile]) -> String {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "shortDescription": { "text": r.summary() },
                "defaultConfiguration": { "level": level(r.default_severity()) },
            })
        })
        .collect();
    let results: Vec<Value> = files.iter().flat_map(results).collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "plinth",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("JSON values serialize");
    text.push('\n');
    text
}

fn results(file: &CheckedFile) -> Vec<Value> {
    let uri = file.path.display().to_string().replace('\\', "/");
    file.findings
        .iter()
        .map(|f| {
            let p = file.position(&f.location);
            let rule_index = Rule::ALL.iter().position(|r| *r == f.rule);
            let mut result = json!({
                "ruleId": f.rule.id(),
                "ruleIndex": rule_index,
                "level": level(f.severity),
                "message": { "text": format!("{} Hint: {}", f.message, f.hint) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": { "startLine": p.line, "startColumn": p.col },
                    },
                    "logicalLocations": [{
                        "fullyQualifiedName": f.location.describe(&file.design),
                    }],
                }],
            });
            if let Some(reason) = &f.allowed {
                result["suppressions"] = json!([{ "kind": "inSource", "justification": reason }]);
            }
            result
        })
        .collect()
}
