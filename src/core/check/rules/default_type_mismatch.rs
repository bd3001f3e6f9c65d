//! `default-type-mismatch`: a text default the field's type cannot read.
//!
//! `'late'` parses as an expression, but as the default of a timestamptz
//! PostgreSQL refuses the whole CREATE TABLE; `'pendin'` for an enum, or
//! `'abc'` for an integer, the same. What is clearly not a value of the
//! type is reported; anything PostgreSQL might read (dates have many
//! spellings) is left alone. Where the text is itself a function call
//! (`Text("now()")`), the fix makes it the expression it was meant to be.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{DefaultValue, Design, Entity, Location, SqlExpr, SqlType};

pub fn check_entity(design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    for f in &e.fields {
        let text = match &f.default {
            Some(DefaultValue::Text(t)) => t.clone(),
            Some(DefaultValue::Expr(x)) => match x.string_literal() {
                Some(t) => t,
                None => continue,
            },
            None => continue,
        };
        let Some(why) = unreadable(design, &f.ty, &text) else {
            continue;
        };
        let at = Location::Field(e.id.clone(), f.id.clone());
        let message = format!(
            "the default of `{}.{}` is the text '{text}', which {why}",
            e.name, f.name
        );
        let call = SqlExpr::parse_strict(&text)
            .ok()
            .filter(|x| x.is_parsed() && x.string_literal().is_none() && x.columns().is_empty());
        let finding = match call {
            Some(expr) => Finding::new(
                Rule::DefaultTypeMismatch,
                at,
                message,
                format!("make the default the expression {expr}, not text"),
            )
            .with_fix(Edit::SetDefault {
                entity: e.id.clone(),
                field: f.id.clone(),
                default: Some(DefaultValue::Expr(expr)),
            }),
            None => Finding::new(
                Rule::DefaultTypeMismatch,
                at,
                message,
                format!("give `{}.{}` a default of type {}", e.name, f.name, f.ty),
            ),
        };
        out.push(finding);
    }
}

/// Why `text` is no value of `ty`, when it clearly is not.
fn unreadable(design: &Design, ty: &SqlType, text: &str) -> Option<String> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let not = |what: &str| Some(format!("is not {what}"));
    match ty {
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => {
            let (min, max) = match ty {
                SqlType::SmallInt => (i16::MIN as i64, i16::MAX as i64),
                SqlType::Integer => (i32::MIN as i64, i32::MAX as i64),
                _ => (i64::MIN, i64::MAX),
            };
            match t.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => None,
                Ok(_) => Some(format!("is out of range for {ty}")),
                Err(_) => not("a whole number"),
            }
        }
        SqlType::Numeric(_) | SqlType::Real | SqlType::Double => {
            let special = ["nan", "infinity", "+infinity", "-infinity", "inf", "-inf"];
            (t.parse::<f64>().is_err() && !special.contains(&lower.as_str()))
                .then(|| "is not a number".to_owned())
        }
        SqlType::Boolean => {
            let prefix_of = |word: &str| !lower.is_empty() && word.starts_with(&lower);
            let ok = ["true", "false", "yes", "no"].iter().any(|w| prefix_of(w))
                || ["on", "off", "1", "0"].contains(&lower.as_str());
            (!ok).then(|| "is not a boolean (true, false, yes, no, on, off, 1, 0)".to_owned())
        }
        SqlType::Uuid => {
            let hex: String = t
                .trim_start_matches('{')
                .trim_end_matches('}')
                .chars()
                .filter(|&c| c != '-')
                .collect();
            (hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()))
                .then(|| "is not a uuid".to_owned())
        }
        SqlType::Date | SqlType::Time | SqlType::Timestamp | SqlType::Timestamptz => {
            let words = [
                "now",
                "today",
                "tomorrow",
                "yesterday",
                "epoch",
                "infinity",
                "-infinity",
                "allballs",
            ];
            (!t.chars().any(|c| c.is_ascii_digit()) && !words.contains(&lower.as_str()))
                .then(|| format!("is no {ty} (write an expression such as now() unquoted)"))
        }
        SqlType::Interval => (!t.chars().any(|c| c.is_ascii_digit()))
            .then(|| "is no interval (write e.g. '1 day')".to_owned()),
        SqlType::Json | SqlType::Jsonb => serde_json::from_str::<serde_json::Value>(t)
            .is_err()
            .then(|| "is not JSON".to_owned()),
        SqlType::Varchar(Some(n)) | SqlType::Char(Some(n)) => {
            let len = text.trim_end_matches(' ').chars().count();
            (len > *n as usize).then(|| format!("is {len} characters, longer than {ty} holds"))
        }
        SqlType::Enum(name) => {
            let e = design.enum_named(name)?;
            (!e.values.iter().any(|v| v == text))
                .then(|| format!("is not a value of enum `{name}` ({})", e.values.join(", ")))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::DefaultTypeMismatch;
    use crate::core::check::Settings;
    use crate::core::check::rules::test_support::*;
    use crate::core::ids::IdGen;

    #[test]
    fn fires_on_text_no_field_of_the_type_can_hold() {
        check_finds(
            DefaultTypeMismatch,
            r#"(name: "t", fields: [
                (name: "due", type: "timestamptz", default: Expr("'late'")),
                (name: "qty", type: "integer", default: Text("abc")),
                (name: "small", type: "smallint", default: Text("70000")),
                (name: "price", type: "numeric(10,2)", default: Text("free")),
                (name: "ok", type: "boolean", default: Text("maybe")),
                (name: "key", type: "uuid", default: Text("not-a-uuid")),
                (name: "doc", type: "jsonb", default: Text("{a:")),
                (name: "code", type: "char(2)", default: Text("abc")),
                (name: "at", type: "date", default: Text("now()")),
            ])"#,
            &[
                "t.due", "t.qty", "t.small", "t.price", "t.ok", "t.key", "t.doc", "t.code", "t.at",
            ],
        );
    }

    #[test]
    fn enum_defaults_must_be_labels() {
        let text = r#"(format: 1, name: "t", enums: [(name: "mood", values: ["happy", "sad"])],
            entities: [(name: "t", fields: [
                (name: "m", type: "mood", default: Text("hapy")),
                (name: "n", type: "mood", default: Text("sad")),
            ])])"#;
        let d = crate::file::parse(text, &mut IdGen::seeded(1)).expect("loads");
        let found: Vec<String> =
            crate::core::check::check(&d, &Settings::default(), &mut IdGen::seeded(2))
                .into_iter()
                .filter(|f| f.rule == DefaultTypeMismatch)
                .map(|f| f.message)
                .collect();
        assert_eq!(
            found,
            [
                "the default of `t.m` is the text 'hapy', which is not a value of enum `mood` (happy, sad)"
            ]
        );
    }

    #[test]
    fn quiet_on_what_postgresql_reads() {
        check_ok(
            DefaultTypeMismatch,
            r#"(name: "t", fields: [
                (name: "due", type: "timestamptz", default: Text("2024-01-01 10:00+02")),
                (name: "born", type: "date", default: Text("today")),
                (name: "at", type: "timestamptz", default: Expr("now()")),
                (name: "qty", type: "integer", default: Text(" 42 ")),
                (name: "price", type: "numeric", default: Text("1.5e3")),
                (name: "ok", type: "boolean", default: Text("t")),
                (name: "key", type: "uuid", default: Text("{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}")),
                (name: "doc", type: "jsonb", default: Text("{\"a\": 1}")),
                (name: "span", type: "interval", default: Text("1 day")),
                (name: "code", type: "char(2)", default: Text("ab")),
                (name: "note", type: "text", default: Text("anything")),
            ])"#,
        );
    }

    #[test]
    fn the_fix_makes_a_quoted_call_an_expression() {
        fix_clears(
            DefaultTypeMismatch,
            r#"(name: "t", fields: [(name: "at", type: "timestamptz", default: Text("now()"))])"#,
        );
    }
}
