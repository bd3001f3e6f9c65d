//! The Python exports tried as an attacker would (issue 11, "exports that
//! stay code"): whatever text a design holds, `plinth export sqlmodel` and
//! the Alembic revisions of `plinth migrate new --format alembic` are
//! Python that compiles (`py_compile`), whose string literals and
//! docstrings read back exactly that text, and whose names are valid,
//! unique in their scope and never hide a name the file uses, while every
//! SQL name stays exactly as designed.
//!
//! `python_tree.py` compiles each file and prints its syntax tree as JSON;
//! the checks below compare that tree with the design. Two ways in: a
//! hostile design file through the real binary, and a property test that
//! puts random text in every name and comment slot of a design.
//! (tests/alembic_postgres.rs runs the same hostile file through Alembic
//! and SQLModel themselves.)

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use plinth::core::diff::{PlanOptions, migration};
use plinth::core::edit::Edit;
use plinth::core::export::alembic::{self, RevisionInfo};
use plinth::core::export::naming::Timestamp;
use plinth::core::export::python::sql_text;
use plinth::core::export::sqlmodel;
use plinth::core::ids::IdGen;
use plinth::core::model::{
    Check, DefaultValue, Deferrable, Design, Entity, EnumType, Field, Index, IndexMethod,
    PrimaryKey, Relationship, RelationshipKind, SqlExpr, SqlType, Unique,
};
use plinth::core::sql::{Ident, Literal};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

use crate::common::{plinth_in, repo_root};

// ---------------------------------------------------------------------------
// Reading Python back

/// Compiles each file with `py_compile` and returns its syntax tree, or
/// says which file did not compile, why, and what it held.
fn python_trees(files: &[PathBuf]) -> Result<Vec<Value>, String> {
    let script = repo_root().join("tests/attacks/python_tree.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(files)
        .output()
        .map_err(|e| format!("python3 does not run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "python_tree.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let mut trees = Vec::new();
    for (file, result) in files.iter().zip(results) {
        if let Some(error) = result.get("error") {
            let source = std::fs::read_to_string(file).unwrap_or_default();
            return Err(format!(
                "{} does not compile: {}\n{source}",
                file.display(),
                error.as_str().unwrap_or_default()
            ));
        }
        trees.push(result["tree"].clone());
    }
    Ok(trees)
}

fn text(v: &Value) -> Option<&str> {
    v.get("str")?.as_str()
}

/// The dotted name a call calls (`op.create_table`), if it is one.
fn callee(v: &Value) -> Option<&str> {
    let f = v.get("call")?;
    f.get("attr").or_else(|| f.get("name"))?.as_str()
}

fn is_call(v: &Value, name: &str) -> bool {
    callee(v) == Some(name)
}

fn args(v: &Value) -> &[Value] {
    v.get("args")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn kwarg<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get("kwargs")?.get(key)
}

fn items(v: &Value) -> &[Value] {
    v.get("list")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The value under a string key of a `{"dict": ...}`.
fn entry<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get("dict")?.as_array()?.iter().find_map(|pair| {
        let pair = pair.as_array()?;
        (text(&pair[0]) == Some(key)).then(|| &pair[1])
    })
}

/// Every call anywhere inside `v`, outermost first.
fn calls<'v>(v: &'v Value, out: &mut Vec<&'v Value>) {
    match v {
        Value::Object(map) => {
            if map.contains_key("call") {
                out.push(v);
            }
            map.values().for_each(|x| calls(x, out));
        }
        Value::Array(xs) => xs.iter().for_each(|x| calls(x, out)),
        _ => {}
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    v.and_then(text).map(str::to_owned)
}

/// A server default as the file gives it: a plain string, or SQL in
/// `sa.text(...)`.
#[derive(Clone, Debug, PartialEq)]
enum Default {
    Text(String),
    Sql(String),
}

fn default_of(v: Option<&Value>) -> Option<Default> {
    let v = v?;
    if let Some(t) = text(v) {
        return Some(Default::Text(t.to_owned()));
    }
    is_call(v, "sa.text").then(|| Default::Sql(string(args(v).first()).unwrap_or_default()))
}

#[derive(Debug, Default)]
struct ColumnRead {
    name: String,
    comment: Option<String>,
    default: Option<Default>,
}

/// A table as the file declares it: a `table=True` class or an
/// `sa.Table`, or an `op.create_table`.
#[derive(Debug, Default)]
struct TableRead {
    name: String,
    mapped: bool,
    doc: Option<String>,
    comment: Option<String>,
    columns: Vec<ColumnRead>,
    /// Names bound in the class body.
    bound: Vec<String>,
    checks: Vec<(String, String)>,
    /// Names of constraints and indexes.
    constraints: Vec<String>,
}

impl TableRead {
    /// Columns, checks and named constraints among a table's arguments.
    fn read_parts(&mut self, parts: &[Value]) {
        for part in parts {
            if is_call(part, "sa.Column") {
                self.columns.push(ColumnRead {
                    name: string(args(part).first()).unwrap_or_default(),
                    comment: string(kwarg(part, "comment")),
                    default: default_of(kwarg(part, "server_default")),
                });
            } else if is_call(part, "sa.CheckConstraint") {
                self.checks.push((
                    string(kwarg(part, "name")).unwrap_or_default(),
                    string(args(part).first()).unwrap_or_default(),
                ));
            } else if is_call(part, "sa.Index") {
                self.constraints.extend(string(args(part).first()));
            } else if callee(part).is_some_and(|c| c.ends_with("Constraint")) {
                self.constraints.extend(string(kwarg(part, "name")));
            } else if let Some(c) = entry(part, "comment") {
                self.comment = string(Some(c));
            }
        }
    }
}

/// An enum class: its docstring and its members' names and values.
type EnumRead = (Option<String>, Vec<(String, String)>);

#[derive(Debug, Default)]
struct ModelsRead {
    doc: String,
    /// Every name bound at module level, imports included, in order.
    module: Vec<String>,
    /// Enum classes: docstring and members.
    enums: Vec<EnumRead>,
    /// The type names of the module-level `sa.Enum`s.
    enum_types: Vec<String>,
    tables: Vec<TableRead>,
}

fn read_models(tree: &Value) -> ModelsRead {
    let mut m = ModelsRead::default();
    for stmt in tree.as_array().expect("a module body") {
        if let Some(doc) = stmt.get("doc") {
            m.doc = doc.as_str().unwrap_or_default().to_owned();
        } else if let Some(names) = stmt.get("import") {
            for n in names.as_array().unwrap() {
                m.module.push(n.as_str().unwrap().to_owned());
            }
        } else if let Some(name) = stmt.get("def") {
            m.module.push(name.as_str().unwrap().to_owned());
        } else if let Some(class) = stmt.get("class") {
            m.module.push(class.as_str().unwrap().to_owned());
            let bases = stmt["bases"].as_array().unwrap();
            let body = stmt["body"].as_array().unwrap();
            let doc = body
                .iter()
                .find_map(|s| s.get("doc").and_then(Value::as_str).map(str::to_owned));
            if bases
                .iter()
                .any(|b| b.get("attr").and_then(Value::as_str) == Some("enum.Enum"))
            {
                let members = body
                    .iter()
                    .filter_map(|s| {
                        let name = s.get("assign")?.get(0)?.as_str()?;
                        Some((name.to_owned(), string(s.get("value"))?))
                    })
                    .collect();
                m.enums.push((doc, members));
                continue;
            }
            let mut t = TableRead {
                mapped: true,
                doc,
                ..TableRead::default()
            };
            for s in body {
                if let Some(targets) = s.get("assign") {
                    let target = targets[0].as_str().unwrap();
                    t.bound.push(target.to_owned());
                    match target {
                        "__tablename__" => t.name = string(s.get("value")).unwrap_or_default(),
                        "__table_args__" => {
                            let value = &s["value"];
                            if value.get("dict").is_some() {
                                t.read_parts(std::slice::from_ref(value));
                            } else {
                                t.read_parts(items(value));
                            }
                        }
                        _ => {}
                    }
                } else if let Some(attr) = s.get("ann").and_then(Value::as_str) {
                    t.bound.push(attr.to_owned());
                    let value = &s["value"];
                    if is_call(value, "Relationship") {
                        continue;
                    }
                    let kwargs = kwarg(value, "sa_column_kwargs");
                    let get = |k: &str| kwargs.and_then(|d| entry(d, k));
                    t.columns.push(ColumnRead {
                        name: string(get("name")).unwrap_or_else(|| attr.to_owned()),
                        comment: string(get("comment")),
                        default: default_of(get("server_default")),
                    });
                }
            }
            m.tables.push(t);
        } else if let Some(targets) = stmt.get("assign") {
            m.module.push(targets[0].as_str().unwrap().to_owned());
            let value = &stmt["value"];
            if is_call(value, "sa.Enum") {
                m.enum_types.extend(string(kwarg(value, "name")));
            } else if is_call(value, "sa.Table") {
                let mut t = TableRead {
                    name: string(args(value).first()).unwrap_or_default(),
                    comment: string(kwarg(value, "comment")),
                    ..TableRead::default()
                };
                t.read_parts(args(value));
                m.tables.push(t);
            }
        }
    }
    m
}

/// The module docstring, and the calls in `upgrade()` and `downgrade()`.
fn read_revision(tree: &Value) -> (String, Vec<&Value>, Vec<&Value>) {
    let mut doc = String::new();
    let (mut up, mut down) = (Vec::new(), Vec::new());
    for stmt in tree.as_array().expect("a module body") {
        if let Some(d) = stmt.get("doc") {
            doc = d.as_str().unwrap_or_default().to_owned();
        }
        match stmt.get("def").and_then(Value::as_str) {
            Some("upgrade") => calls(&stmt["body"], &mut up),
            Some("downgrade") => calls(&stmt["body"], &mut down),
            _ => {}
        }
    }
    (doc, up, down)
}

// ---------------------------------------------------------------------------
// What the files must say

/// The first character in `source` that a reader would not see as what it
/// is: a control character other than the line break, a line or paragraph
/// separator, or a bidi mark, embedding, override or isolate (which can
/// make code read differently from what it does). Text holding them must
/// be written as escapes.
fn raw_unprintable(source: &str) -> Option<(usize, char)> {
    source.char_indices().find(|&(_, c)| {
        (c.is_control() && c != '\n')
            || matches!(
                c,
                '\u{2028}'
                    | '\u{2029}'
                    | '\u{200e}'
                    | '\u{200f}'
                    | '\u{061c}'
                    | '\u{202a}'..='\u{202e}'
                    | '\u{2066}'..='\u{2069}'
            )
    })
}

fn printable_file(path: &Path, source: &str) -> Result<(), String> {
    match raw_unprintable(source) {
        Some((at, c)) => Err(format!(
            "{} holds U+{:04X} as it is at byte {at}:\n{source}",
            path.display(),
            c as u32
        )),
        None => Ok(()),
    }
}

/// Builtins the annotations use, which a class attribute would hide.
const BUILTINS: &[&str] = &["str", "int", "float", "bool", "bytes", "list", "type"];

fn same<T: PartialEq + std::fmt::Debug>(what: &str, read: T, designed: T) -> Result<(), String> {
    if read == designed {
        Ok(())
    } else {
        Err(format!("{what}: read back {read:?}, designed {designed:?}"))
    }
}

fn unique(what: &str, names: &[String]) -> Result<(), String> {
    let mut seen = HashSet::new();
    match names.iter().find(|n| !seen.insert(n.as_str())) {
        Some(n) => Err(format!("{what}: `{n}` is bound twice in {names:?}")),
        None => Ok(()),
    }
}

/// The server default the models give a field: text with a quote goes as
/// its SQL literal through `sa.text` (which `alembic check` compares
/// correctly), other text as a string.
fn model_default(d: &DefaultValue) -> Default {
    match d {
        DefaultValue::Text(t) if t.contains('\'') => {
            Default::Sql(sql_text(&Literal(t).to_string()))
        }
        DefaultValue::Text(t) => Default::Text(t.clone()),
        DefaultValue::Expr(e) => Default::Sql(sql_text(e)),
    }
}

fn revision_default(d: &DefaultValue) -> Default {
    match d {
        DefaultValue::Text(t) => Default::Text(t.clone()),
        DefaultValue::Expr(e) => Default::Sql(sql_text(e)),
    }
}

/// Columns, checks and constraint names of a table read back against its
/// entity.
fn check_table(
    d: &Design,
    e: &Entity,
    t: &TableRead,
    default: fn(&DefaultValue) -> Default,
) -> Result<(), String> {
    let at = format!("table {:?}", e.name);
    same(&format!("{at} comment"), &t.comment, &e.comment)?;
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    let fields: Vec<&str> = e.fields.iter().map(|f| f.name.as_str()).collect();
    same(&format!("{at} columns"), names, fields)?;
    for (c, f) in t.columns.iter().zip(&e.fields) {
        same(
            &format!("{at} comment of {:?}", f.name),
            &c.comment,
            &f.comment,
        )?;
        same(
            &format!("{at} default of {:?}", f.name),
            c.default.clone(),
            f.default.as_ref().map(default),
        )?;
    }
    let mut checks = t.checks.clone();
    let mut designed: Vec<(String, String)> = e
        .checks
        .iter()
        .map(|c| (d.check_name(e, c), sql_text(&c.expr)))
        .collect();
    checks.sort();
    designed.sort();
    same(&format!("{at} checks"), checks, designed)?;
    let mut named: Vec<String> = e.indexes.iter().map(|i| d.index_name(e, i)).collect();
    named.extend(
        e.uniques
            .iter()
            .filter(|u| u.name.is_some())
            .map(|u| d.unique_name(e, u)),
    );
    named.extend(
        d.relationships_from(&e.id)
            .iter()
            .filter(|r| r.name.is_some())
            .map(|r| d.relationship_name(r)),
    );
    for name in named {
        if !t.constraints.contains(&name) {
            return Err(format!(
                "{at}: no constraint or index named {name:?} in {:?}",
                t.constraints
            ));
        }
    }
    Ok(())
}

/// The SQLModel file of `design` (written from `source`), read back.
fn check_models(design: &Design, source: &str, tree: &Value) -> Result<(), String> {
    let m = read_models(tree);
    let head = format!(
        "SQLModel models for the design \"{}\", written by plinth from {source}.\n",
        design.name
    );
    if !m.doc.starts_with(&head) {
        return Err(format!(
            "module docstring {:?} does not start {head:?}",
            m.doc
        ));
    }
    if let Some(c) = &design.comment
        && !m.doc.contains(&format!("\n{c}\n"))
    {
        return Err(format!(
            "module docstring {:?} lacks the comment {c:?}",
            m.doc
        ));
    }
    unique("module", &m.module)?;
    same(
        "enum types",
        m.enum_types.clone(),
        design.enums.iter().map(|e| e.name.clone()).collect(),
    )?;
    same("enum classes", m.enums.len(), design.enums.len())?;
    for ((doc, members), e) in m.enums.iter().zip(&design.enums) {
        same(&format!("enum {:?} docstring", e.name), doc, &e.comment)?;
        let names: Vec<String> = members.iter().map(|(n, _)| n.clone()).collect();
        unique(&format!("enum {:?}", e.name), &names)?;
        let values: Vec<&String> = members.iter().map(|(_, v)| v).collect();
        same(
            &format!("enum {:?} values", e.name),
            values,
            e.values.iter().collect(),
        )?;
    }
    same("tables", m.tables.len(), design.entity_count())?;
    for e in design.entities() {
        let t = m
            .tables
            .iter()
            .find(|t| t.name == e.name)
            .ok_or_else(|| format!("no table {:?} in the models", e.name))?;
        same(
            &format!("{:?} is a class", e.name),
            t.mapped,
            e.primary_key.is_some(),
        )?;
        if t.mapped {
            same(&format!("class {:?} docstring", e.name), &t.doc, &e.comment)?;
        }
        check_table(design, e, t, model_default)?;
        unique(&format!("class of {:?}", e.name), &t.bound)?;
        if let Some(hidden) = t
            .bound
            .iter()
            .find(|n| m.module.contains(n) || BUILTINS.contains(&n.as_str()))
        {
            return Err(format!(
                "the class of {:?} binds `{hidden}`, which hides a name the module uses",
                e.name
            ));
        }
    }
    Ok(())
}

/// The docstring's first line, as a revision writes its message.
fn first_line(message: &str) -> String {
    message.replace(['\n', '\r'], " ").trim().to_owned()
}

/// The revision that creates `design` from nothing, read back.
fn check_first_revision(design: &Design, message: &str, tree: &Value) -> Result<(), String> {
    let (doc, up, down) = read_revision(tree);
    let head = format!("{}\n\nRevision ID: ", first_line(message));
    if !doc.starts_with(&head) {
        return Err(format!(
            "revision docstring {doc:?} does not start {head:?}"
        ));
    }
    for e in &design.enums {
        let created = up.iter().any(|c| {
            c.get("call")
                .and_then(|f| f.get("getattr"))
                .is_some_and(|g| {
                    let inner = &g[0];
                    is_call(inner, "postgresql.ENUM")
                        && string(kwarg(inner, "name")).as_ref() == Some(&e.name)
                        && args(inner)
                            .iter()
                            .filter_map(text)
                            .eq(e.values.iter().map(String::as_str))
                })
        });
        if !created {
            return Err(format!(
                "no postgresql.ENUM({:?}, {:?}).create",
                e.values, e.name
            ));
        }
    }
    for e in design.entities() {
        let create = up
            .iter()
            .find(|c| {
                is_call(c, "op.create_table") && args(c).first().and_then(text) == Some(&e.name)
            })
            .ok_or_else(|| format!("no op.create_table({:?})", e.name))?;
        let mut t = TableRead {
            name: e.name.clone(),
            comment: string(kwarg(create, "comment")),
            ..TableRead::default()
        };
        t.read_parts(&args(create)[1..]);
        for c in &up {
            if is_call(c, "op.create_index") && args(c).get(1).and_then(text) == Some(&e.name) {
                t.constraints.extend(string(args(c).first()));
            }
        }
        check_table(design, e, &t, revision_default)?;
    }
    let mut dropped: Vec<String> = down
        .iter()
        .filter(|c| is_call(c, "op.drop_table"))
        .filter_map(|c| string(args(c).first()))
        .collect();
    let mut designed: Vec<String> = design.entities().map(|e| e.name.clone()).collect();
    dropped.sort();
    designed.sort();
    same("tables dropped by downgrade()", dropped, designed)
}

/// The revision that changes only comments, from `old` to `new`: each
/// comment set or dropped with its exact text, both ways.
fn check_comment_revision(old: &Design, new: &Design, tree: &Value) -> Result<(), String> {
    let (_, up, down) = read_revision(tree);
    for (from, to, calls) in [(old, new, &up), (new, old, &down)] {
        for e in to.entities() {
            let before = from.entity(&e.id).expect("the same entities");
            if before.comment != e.comment {
                let found = calls.iter().any(|c| match &e.comment {
                    Some(text_) => {
                        is_call(c, "op.create_table_comment")
                            && args(c)
                                .iter()
                                .filter_map(text)
                                .eq([e.name.as_str(), text_.as_str()])
                    }
                    None => {
                        is_call(c, "op.drop_table_comment")
                            && args(c).first().and_then(text) == Some(&e.name)
                    }
                });
                if !found {
                    return Err(format!(
                        "no operation sets the comment of {:?} to {:?}",
                        e.name, e.comment
                    ));
                }
            }
            for f in &e.fields {
                let was = before.field(&f.id).expect("the same fields");
                if was.comment != f.comment {
                    let found = calls.iter().any(|c| {
                        is_call(c, "op.alter_column")
                            && args(c)
                                .iter()
                                .filter_map(text)
                                .eq([e.name.as_str(), f.name.as_str()])
                            && string(kwarg(c, "comment")) == f.comment
                    });
                    if !found {
                        return Err(format!(
                            "no op.alter_column({:?}, {:?}, comment={:?})",
                            e.name, f.name, f.comment
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// A hostile design file through the real binary

fn plinth_ok(dir: &Path, args: &[&str]) -> String {
    let out = plinth_in(dir, args);
    assert!(
        out.status.success(),
        "plinth {} failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// tests/fixtures/attacks/python.ron: Python keywords and builtins as table
/// and field names, names alike but for case or for characters the
/// identifier mapping drops, comments ending in `"` or holding `"""`,
/// backslashes, `\N{...}`, line breaks, U+2028, U+202E and a coding
/// cookie; then a second revision that renames, retypes and re-comments.
#[test]
fn a_hostile_design_exports_python_that_compiles_and_reads_back() {
    let fixture = repo_root().join("tests/fixtures/attacks/python.ron");
    let source = std::fs::read_to_string(&fixture).unwrap();
    let design = plinth::file::parse(&source, &mut IdGen::seeded(1)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(&fixture, d.join("python.ron")).unwrap();

    plinth_ok(d, &["export", "sqlmodel", "python.ron", "-o", "models.py"]);
    plinth_ok(d, &["migrate", "init", "--format", "alembic"]);
    let message = "create \"\"\" the \\N{BULLET} design \"";
    plinth_ok(
        d,
        &[
            "migrate",
            "new",
            "python.ron",
            "-m",
            message,
            "--format",
            "alembic",
            "--revision",
            "0001",
            "--timestamp",
            "20240501120000",
        ],
    );

    // Renamed, retyped and re-commented: the statements with no Alembic
    // operation go through op.execute with their SQL.
    let mut changed = design.clone();
    let class = changed.entity_named("class").unwrap().id.clone();
    let e = changed.entity_mut(&class).unwrap();
    e.name = "def".into();
    e.comment = Some("now \"\"\" and \\ and \u{2029}".into());
    for f in &mut e.fields {
        f.comment = Some(format!("{}\"", f.name));
        if f.name == "str" {
            f.name = "bytes\"".into();
        }
        if f.name == "None" {
            f.ty = SqlType::Varchar(Some(10));
        }
    }
    e.indexes.clear();
    let kind = changed
        .enums
        .iter_mut()
        .find(|e| e.name == "klass")
        .unwrap();
    kind.values.push("\"\"\"new\\".into());
    kind.comment = Some("\"".into());
    std::fs::write(d.join("changed.ron"), plinth::file::to_text(&changed)).unwrap();
    plinth_ok(
        d,
        &[
            "migrate",
            "new",
            "changed.ron",
            "-m",
            "rename \"class\"",
            "--format",
            "alembic",
            "--revision",
            "0002",
            "--timestamp",
            "20240502120000",
            "--allow-destructive",
        ],
    );

    let versions = d.join("alembic/versions");
    let mut revisions: Vec<PathBuf> = std::fs::read_dir(&versions)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    revisions.sort();
    assert_eq!(revisions.len(), 2, "{revisions:?}");
    let mut files = vec![d.join("models.py")];
    files.extend(revisions);
    for file in &files {
        printable_file(file, &std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let trees = python_trees(&files).unwrap_or_else(|e| panic!("{e}"));

    check_models(&design, "python.ron", &trees[0]).unwrap_or_else(|e| panic!("{e}"));
    check_first_revision(&design, message, &trees[1]).unwrap_or_else(|e| panic!("{e}"));
    let (doc, up, _) = read_revision(&trees[2]);
    assert!(
        doc.starts_with("rename \"class\"\n\nRevision ID: 0002\nRevises: 0001\n"),
        "{doc:?}"
    );
    assert!(
        up.iter().any(|c| is_call(c, "op.rename_table")
            && args(c).iter().filter_map(text).eq(["class", "def"])),
        "the rename reads back"
    );
    assert!(
        up.iter().any(|c| is_call(c, "op.create_table_comment")
            && args(c)
                .iter()
                .filter_map(text)
                .eq(["def", "now \"\"\" and \\ and \u{2029}"])),
        "the new table comment reads back"
    );

    // The mapping itself: keywords and builtins get a trailing underscore,
    // names alike get numbers, and the SQL name is kept beside them.
    let models = std::fs::read_to_string(&files[0]).unwrap();
    for line in [
        "class Class(SQLModel, table=True):\n",
        "    __tablename__ = \"class\"\n",
        "class Class2(SQLModel, table=True):\n",
        "    __tablename__ = \"Class\"\n",
        "    from_: str | None = Field(\n",
        "sa_column_kwargs={\"name\": \"from\", \"comment\": \"\\\"\"}",
        "    str_: str | None = Field(\n",
        "class User(SQLModel, table=True):\n",
        "class User2(SQLModel, table=True):\n",
        "sa2 = sa.Table(\n    \"sa\",\n",
        "class None_(str, enum.Enum):\n",
        "none_type = sa.Enum(None_, name=\"none\", quote=True, values_callable=enum_values)\n",
        "# \"sa\" has no primary key",
    ] {
        assert!(models.contains(line), "models.py lacks {line:?}:\n{models}");
    }
}

// ---------------------------------------------------------------------------
// Random text in every slot

/// Pieces that mean something to Python's tokenizer or to a reader, and
/// names a Python file already uses.
const PIECES: &[&str] = &[
    "\"",
    "\"\"\"",
    "'",
    "'''",
    "\\",
    "\\N{",
    "\\N{BULLET}",
    "\\x41",
    "\\u0041",
    "\\\n",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\0",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    "\u{200f}",
    "\u{202e}",
    "\u{2066}",
    "\u{feff}",
    "\u{a0}",
    "\u{3000}",
    "\u{e000}",
    "🦀",
    "👩\u{200d}💻",
    "日本",
    "é",
    "e\u{301}",
    "ﬁ",
    "#",
    "# -*- coding: latin-1 -*-\n",
    "{",
    "}",
    "%",
    "%s",
    ":x",
    "::",
    "\")\nimport os\n#",
    "class",
    "None",
    "True",
    "from",
    "str",
    "sa",
    "uuid",
    "metadata",
    "Field",
    "_",
    "__",
    "-",
    " ",
    "1",
    "a",
    "A",
];

fn hostile(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => proptest::sample::select(PIECES).prop_map(str::to_owned),
        2 => "[a-zA-Z0-9_]{1,3}",
        2 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 1..max).prop_map(|parts| parts.concat())
}

/// A name: short, so the names PostgreSQL derives from it stay under 63
/// bytes, and not blank.
fn name() -> impl Strategy<Value = String> {
    hostile(5)
        .prop_map(|mut s| {
            while s.len() > 24 {
                s.pop();
            }
            s
        })
        .prop_filter("a name is not blank", |s| !s.trim().is_empty())
}

#[derive(Clone, Debug)]
struct TableCase {
    name: String,
    comment: Option<String>,
    new_comment: Option<String>,
    keyed: bool,
    /// Name, comment, new comment and text default of each field.
    fields: Vec<(String, String, String, String)>,
    enum_field: String,
    check: (String, String),
    index: String,
    unique: Option<String>,
    key: (String, Option<String>),
}

#[derive(Clone, Debug)]
struct Case {
    design: String,
    comment: Option<String>,
    source: String,
    message: String,
    enum_name: String,
    values: Vec<String>,
    enum_comment: Option<String>,
    tables: Vec<TableCase>,
}

fn table_case() -> impl Strategy<Value = TableCase> {
    let field = (name(), hostile(8), hostile(8), hostile(8));
    (
        (
            name(),
            proptest::option::of(hostile(10)),
            proptest::option::of(hostile(10)),
        ),
        any::<bool>(),
        proptest::collection::vec(field, 1..4),
        name(),
        (name(), hostile(6)),
        name(),
        proptest::option::of(name()),
        (name(), proptest::option::of(name())),
    )
        .prop_map(
            |(
                (name, comment, new_comment),
                keyed,
                fields,
                enum_field,
                check,
                index,
                unique,
                key,
            )| {
                TableCase {
                    name,
                    comment,
                    new_comment,
                    keyed,
                    fields,
                    enum_field,
                    check,
                    index,
                    unique,
                    key,
                }
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            name(),
            proptest::option::of(hostile(10)),
            hostile(6),
            hostile(8),
        ),
        name(),
        proptest::collection::vec(name(), 1..5),
        proptest::option::of(hostile(8)),
        proptest::collection::vec(table_case(), 1..4),
    )
        .prop_map(
            |((design, comment, source, message), enum_name, values, enum_comment, tables)| Case {
                design,
                comment,
                source,
                message,
                enum_name,
                values,
                enum_comment,
                tables,
            },
        )
}

/// `name`, or `name` with a number added when `taken` holds it already
/// (PostgreSQL refuses two alike; telling them apart is not the point).
fn distinct(name: &str, taken: &mut HashSet<String>) -> String {
    let mut out = name.to_owned();
    let mut n = 2;
    while !taken.insert(out.clone()) {
        out = format!("{name}#{n}");
        n += 1;
    }
    out
}

/// The structure of `e` without its text, which edits accept whatever
/// the text holds; `k` makes its names distinct.
fn skeleton(e: &Entity, k: usize) -> Entity {
    let mut s = e.clone();
    s.name = format!("t{k}");
    s.comment = None;
    for (j, f) in s.fields.iter_mut().enumerate() {
        f.name = format!("f{j}");
        f.ty = SqlType::Text;
        f.default = None;
        f.comment = None;
    }
    s.checks.clear();
    s.indexes.clear();
    s.uniques.clear();
    s
}

/// The design of a case, and the same design with every entity and field
/// comment replaced. Names are made distinct where the random ones
/// collide.
///
/// Edits build the structure (ids, keys, the foreign keys between
/// entities); the text goes in afterwards through the plain fields. The
/// model refuses control characters in names and NUL in text, but the
/// exports must hold for any design value: one read from a database by an
/// older plinth, one a future rule would refuse, one built by a library
/// user. `None` when the model refuses the structure itself.
fn designs(case: &Case) -> Option<(Design, Design)> {
    let mut ids = IdGen::seeded(11);
    let mut d = Design::new(case.design.clone());
    d.comment = case.comment.clone();
    let mut relations = HashSet::new();
    let enum_name = distinct(&case.enum_name, &mut relations);
    let mut labels = HashSet::new();
    let values: Vec<String> = case
        .values
        .iter()
        .map(|v| distinct(v, &mut labels))
        .collect();
    let enum_type = EnumType {
        id: ids.enum_type(),
        name: enum_name.clone(),
        values: values.clone(),
        comment: case.enum_comment.clone(),
    };
    let mut first_key: Option<(plinth::core::ids::EntityId, plinth::core::ids::FieldId)> = None;
    let mut entities = Vec::new();
    let mut relationships = Vec::new();
    let mut new_comments = Vec::new();
    for t in &case.tables {
        let mut e = Entity::new(ids.entity(), distinct(&t.name, &mut relations));
        e.comment = t.comment.clone();
        let mut columns = HashSet::new();
        let mut renamed = Vec::new();
        for (field, comment, new_comment, default) in &t.fields {
            let mut f = Field::new(ids.field(), distinct(field, &mut columns), SqlType::Text);
            f.comment = Some(comment.clone());
            f.default = Some(DefaultValue::Text(default.clone()));
            renamed.push((f.id.clone(), Some(new_comment.clone())));
            e.fields.push(f);
        }
        let mut kind = Field::new(
            ids.field(),
            distinct(&t.enum_field, &mut columns),
            SqlType::Enum(enum_name.clone()),
        );
        kind.not_null = true;
        kind.default = Some(DefaultValue::Text(values[0].clone()));
        e.fields.push(kind);
        let first = e.fields[0].id.clone();
        if t.keyed {
            e.fields[0].not_null = true;
            e.primary_key = Some(PrimaryKey {
                name: None,
                fields: vec![first.clone()],
            });
        }
        let expr = format!("{} <> {}", Ident(&e.fields[0].name), Literal(&t.check.1));
        if let Ok(expr) = SqlExpr::parse(&expr) {
            e.checks.push(Check {
                id: ids.check(),
                name: Some(distinct(&t.check.0, &mut relations)),
                expr,
            });
        }
        e.indexes.push(Index {
            id: ids.index(),
            name: Some(distinct(&t.index, &mut relations)),
            fields: vec![first.clone()],
            unique: false,
            method: IndexMethod::Btree,
            predicate: None,
        });
        if let (Some(u), Some(last)) = (&t.unique, e.fields.iter().rev().nth(1))
            && last.id != first
        {
            e.uniques.push(Unique {
                id: ids.unique(),
                name: Some(distinct(u, &mut relations)),
                fields: vec![last.id.clone()],
            });
        }
        match &first_key {
            Some((parent, key)) => {
                let fk = Field::new(ids.field(), distinct(&t.key.0, &mut columns), SqlType::Text);
                let name = t.key.1.as_ref().map(|n| distinct(n, &mut relations));
                relationships.push((
                    Relationship {
                        id: ids.relationship(),
                        name: None,
                        kind: RelationshipKind::ManyToOne,
                        from: e.id.clone(),
                        fields: vec![fk.id.clone()],
                        to: parent.clone(),
                        references: vec![key.clone()],
                        on_delete: None,
                        on_update: None,
                        deferrable: Deferrable::NotDeferrable,
                        required: false,
                    },
                    name,
                ));
                e.fields.push(fk);
            }
            None if t.keyed => first_key = Some((e.id.clone(), first.clone())),
            None => {}
        }
        new_comments.push((e.id.clone(), t.new_comment.clone(), renamed));
        entities.push(e);
    }
    let mut edits: Vec<Edit> = entities
        .iter()
        .enumerate()
        .map(|(k, e)| Edit::AddEntity {
            entity: Box::new(skeleton(e, k)),
            at: k,
        })
        .collect();
    edits.extend(
        relationships
            .iter()
            .map(|(relationship, _)| Edit::AddRelationship {
                relationship: relationship.clone(),
            }),
    );
    Edit::Batch(edits).apply(&mut d).ok()?;
    d.enums.push(enum_type);
    for e in entities {
        let id = e.id.clone();
        *d.entity_mut(&id).expect("just added") = e;
    }
    for (r, name) in relationships {
        d.relationship_mut(&r.id).expect("just added").name = name;
    }
    let mut new = d.clone();
    for (entity, comment, fields) in new_comments {
        let e = new.entity_mut(&entity).unwrap();
        e.comment = comment;
        for (field, comment) in fields {
            e.field_mut(&field).unwrap().comment = comment;
        }
    }
    Some((d, new))
}

/// Designs per run of Python, which takes a good part of a second to start
/// on a busy machine: 8 runs of 8 give 64 designs.
const BATCH: usize = 8;

/// Writes the models and two revisions of each case into `dir`, reads them
/// all back with one run of Python, and returns how many cases had a
/// design the model accepted.
fn batch(dir: &Path, cases: &[Case]) -> Result<usize, TestCaseError> {
    let mut written = Vec::new();
    for (k, case) in cases.iter().enumerate() {
        let Some((design, new)) = designs(case) else {
            continue;
        };
        let empty = Design::new(design.name.clone());
        let first_info = RevisionInfo {
            revision: "0001",
            down_revision: None,
            message: &case.message,
            created: Timestamp::from_unix(1_714_564_800),
            design: &case.source,
            schema: "public",
        };
        let second_info = RevisionInfo {
            revision: "0002",
            down_revision: Some("0001"),
            message: "comments",
            ..first_info
        };
        let first = migration(&empty, &design, PlanOptions::default());
        let second = migration(&design, &new, PlanOptions::default());
        let files = [
            (
                dir.join(format!("models{k}.py")),
                sqlmodel::models(&design, &case.source, "public"),
            ),
            (
                dir.join(format!("first{k}.py")),
                alembic::revision(&empty, &design, &first, &first_info),
            ),
            (
                dir.join(format!("second{k}.py")),
                alembic::revision(&design, &new, &second, &second_info),
            ),
        ];
        for (path, text) in &files {
            printable_file(path, text).map_err(TestCaseError::fail)?;
            std::fs::write(path, text).unwrap();
        }
        written.push((case, design, new, files));
    }
    let paths: Vec<PathBuf> = written
        .iter()
        .flat_map(|(.., files)| files.iter().map(|(p, _)| p.clone()))
        .collect();
    let trees = python_trees(&paths).map_err(TestCaseError::fail)?;
    for ((case, design, new, files), trees) in written.iter().zip(trees.chunks(3)) {
        check_models(design, &case.source, &trees[0])
            .and_then(|()| check_first_revision(design, &case.message, &trees[1]))
            .and_then(|()| check_comment_revision(design, new, &trees[2]))
            .map_err(|why| TestCaseError::fail(format!("{why}\n\n{}", files[0].1)))?;
    }
    Ok(written.len())
}

/// 64 random designs; each is written as models and two revisions, which
/// must compile and read back their text exactly.
#[test]
fn random_text_in_every_slot_compiles_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let exported = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(Config {
        cases: 8,
        ..Config::default()
    });
    let cases = proptest::collection::vec(case(), BATCH);
    let result = runner.run(&cases, |cases| {
        exported.set(exported.get() + batch(dir.path(), &cases)?);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let exported = exported.get();
    assert!(
        exported >= 32,
        "most cases are exported, not only {exported}"
    );
}
