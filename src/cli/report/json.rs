//! Findings as JSON. The shape is stable and documented in README.md:
//! `{"version": 1, "files": [{"path", "design", "summary", "findings": [...]}]}`.

use serde_json::{Value, json};

use super::{CheckedFile, location_kind};

pub fn json(files: &[CheckedFile]) -> String {
    let files: Vec<Value> = files.iter().map(file).collect();
    let mut text = serde_json::to_string_pretty(&json!({ "version": 1, "files": files }))
        .expect("JSON values serialize");
    text.push('\n');
    text
}

fn file(file: &CheckedFile) -> Value {
    let counts = file.counts();
    let findings: Vec<Value> = file
        .findings
        .iter()
        .map(|f| {
            let p = file.position(&f.location);
            json!({
                "rule": f.rule.id(),
                "severity": f.severity.as_str(),
                "message": f.message,
                "hint": f.hint,
                "fixable": f.fix.is_some(),
                "allowed": f.allowed,
                "location": {
                    "kind": location_kind(&f.location),
                    "entity": file.entity_name(&f.location),
                    "field": file.field_name(&f.location),
                    "description": f.location.describe(&file.design),
                    "line": p.line,
                    "column": p.col,
                },
            })
        })
        .collect();
    json!({
        "path": file.path.display().to_string(),
        "design": file.design.name,
        "summary": {
            "errors": counts.errors,
            "warnings": counts.warnings,
            "info": counts.infos,
            "allowed": counts.allowed,
        },
        "findings": findings,
    })
}
