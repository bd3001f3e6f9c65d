//! Tab completion for the command line: command words, entity names,
//! `ENTITY.FIELD` names, types and options, depending on where the word
//! being typed sits in the command.

use crate::core::model::Design;

/// What the word at the end of a line can become.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// Byte offset in the line where the word being completed starts.
    pub start: usize,
    /// Whole replacements for that word, in a useful order.
    pub candidates: Vec<String>,
}

const COMMANDS: &[&str] = &[
    "entity", "field", "rel", "index", "undo", "redo", "w", "q", "q!", "wq", "apply", "apply!",
];

const TYPES: &[&str] = &[
    "uuid",
    "text",
    "varchar(",
    "char(",
    "smallint",
    "integer",
    "bigint",
    "numeric(",
    "real",
    "double precision",
    "boolean",
    "date",
    "time",
    "timestamptz",
    "timestamp",
    "interval",
    "jsonb",
    "json",
    "bytea",
];

/// The completions of the last word of `line` (the cursor is at its end).
pub fn complete(line: &str, design: &Design) -> Completion {
    let body_start = line.len() - line.trim_start().len();
    let colon = line[body_start..].starts_with(':');
    let body_start = body_start + usize::from(colon);
    let body = &line[body_start..];

    // An index's field list: complete the name after `(` or `,`.
    let words: Vec<&str> = body.split_whitespace().collect();
    if words.len() >= 3
        && words[0] == "index"
        && words[1] == "add"
        && let Some(open) = body.find('(')
        && !body[open..].contains(')')
    {
        let cut = body.rfind([',', '(']).expect("there is a `(`") + 1;
        let start = cut + (body[cut..].len() - body[cut..].trim_start().len());
        let prefix = &body[start..];
        let fields = design
            .entity_named(words[2].split('(').next().unwrap_or_default())
            .map(|e| e.fields.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default();
        return Completion {
            start: body_start + start,
            candidates: matching(fields, prefix),
        };
    }

    let ends_in_space = body.is_empty() || body.ends_with(char::is_whitespace);
    let (before, word) = if ends_in_space {
        (words.as_slice(), "")
    } else {
        let (last, before) = words.split_last().expect("a word");
        (before, *last)
    };
    let start = body_start + body.len() - word.len();
    let entities = || design.entities().map(|e| e.name.clone()).collect();
    let dotted = |with_fields: bool| dotted(design, word, with_fields);
    let candidates = match before {
        [] => COMMANDS.iter().map(|c| c.to_string()).collect(),
        [c] => match *c {
            "entity" => words_of(&["add", "rename", "drop"]),
            "field" => words_of(&["add", "drop", "rename"]),
            "rel" => words_of(&["add", "m2m"]),
            "index" => words_of(&["add"]),
            _ => Vec::new(),
        },
        ["entity", "rename" | "drop"] | ["rel", "m2m"] | ["rel", "m2m", _] | ["index", "add"] => {
            entities()
        }
        ["field", "add"] => dotted(false),
        ["field", "drop" | "rename"] | ["rel", "add"] => dotted(true),
        ["rel", "add", _] => vec!["->".into()],
        ["rel", "add", _, "->"] => entities(),
        ["rel", "add", _, "->", _] => vec!["on".into()],
        ["rel", "add", _, "->", _, "on"] => vec!["delete".into()],
        ["rel", "add", _, "->", _, "on", "delete"] => {
            words_of(&["cascade", "restrict", "set", "no"])
        }
        ["rel", "add", _, "->", _, "on", "delete", "set"] => words_of(&["null", "default"]),
        ["rel", "add", _, "->", _, "on", "delete", "no"] => words_of(&["action"]),
        ["field", "add", _] => {
            let mut types = words_of(TYPES);
            types.extend(design.enums.iter().map(|e| e.name.clone()));
            types
        }
        ["field", "add", _, ..] => words_of(&["not", "null", "unique", "default"]),
        _ => Vec::new(),
    };
    Completion {
        start,
        candidates: matching(candidates, word),
    }
}

fn words_of(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// `ENTITY.` while the entity is being typed, then `ENTITY.FIELD`.
fn dotted(design: &Design, word: &str, with_fields: bool) -> Vec<String> {
    match word.split_once('.') {
        Some((entity, _)) if with_fields => design
            .entity_named(entity)
            .map(|e| {
                e.fields
                    .iter()
                    .map(|f| format!("{}.{}", e.name, f.name))
                    .collect()
            })
            .unwrap_or_default(),
        Some(_) => Vec::new(),
        None => design.entities().map(|e| format!("{}.", e.name)).collect(),
    }
}

/// The candidates that start with what was typed, ignoring case.
fn matching(candidates: Vec<String>, prefix: &str) -> Vec<String> {
    let prefix = prefix.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| c.to_lowercase().starts_with(&prefix))
        .collect()
}
