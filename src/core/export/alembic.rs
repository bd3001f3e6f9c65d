//! Alembic revisions written from a migration plan, readable like ones
//! written by hand.
//!
//! Each statement of the plan becomes the Alembic operation that emits the
//! same SQL (`op.create_table`, `op.add_column`, `op.alter_column`,
//! `op.create_foreign_key`, ...), in the plan's order, so a revision does
//! exactly what the `.up.sql` / `.down.sql` files do. Statements Alembic
//! has no operation for (renaming a constraint, an index or an enum type,
//! adding an enum value, identity columns) go through `op.execute` with
//! the plan's SQL and a comment saying why. Statements that may not run in
//! a transaction (`CREATE INDEX CONCURRENTLY`, enum values the migration
//! itself uses, validating `NOT VALID` keys) run in
//! `op.get_context().autocommit_block()`.
//!
//! Also here: the files `plinth migrate init --format alembic` writes.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use rustc_hash::FxHashMap;

use super::naming::Timestamp;
use super::python::{self, enum_reference, sa_type, server_default, sql_string, string};
use crate::core::diff::{Migration, Plan, Step};
use crate::core::model::{
    DefaultValue, Deferrable, Design, Entity, Identity, IndexMethod, ReferentialAction, SqlType,
};
use crate::core::sql::{Column, CommentTarget, Constraint, InSchema, Statement};

/// `alembic.ini` for a project whose scripts live in `alembic/`.
pub const ALEMBIC_INI: &str = include_str!("alembic/alembic.ini");
/// `alembic/env.py`: the database from `DATABASE_URL`, the models module
/// (when there is one) as `target_metadata`.
pub const ENV_PY: &str = include_str!("alembic/env.py");
/// `alembic/script.py.mako`: the template `alembic revision` uses, shaped
/// like the revisions plinth writes.
pub const SCRIPT_MAKO: &str = include_str!("alembic/script.py.mako");
/// `alembic/README`.
pub const README: &str = include_str!("alembic/README");

/// What a revision is called and where it sits in the chain.
#[derive(Clone, Copy, Debug)]
pub struct RevisionInfo<'a> {
    pub revision: &'a str,
    /// The revision before this one; `None` for the first.
    pub down_revision: Option<&'a str>,
    pub message: &'a str,
    pub created: Timestamp,
    /// The design file the revision was made from, for its docstring.
    pub design: &'a str,
    /// The schema the statements Alembic has no operation for are
    /// qualified with; its operations follow Alembic's own schema.
    pub schema: &'a str,
}

/// The Python source of an Alembic revision taking a database from `old`
/// to `new`; `migration` is `diff::migration(old, new, ...)`.
pub fn revision(old: &Design, new: &Design, migration: &Migration, info: &RevisionInfo) -> String {
    let upgrade = Writer::new(old, new, info.schema).function(&migration.up);
    let downgrade = Writer::new(new, old, info.schema).function(&migration.down);
    let body =
        format!("def upgrade() -> None:\n{upgrade}\n\ndef downgrade() -> None:\n{downgrade}");

    // The message is the docstring's first line, as Alembic writes it.
    let message = info.message.replace(['\n', '\r'], " ");
    let mut doc = String::new();
    let _ = write!(
        doc,
        "{}\n\nRevision ID: {}\nRevises: {}\nCreate Date: {}\n\n",
        message.trim(),
        info.revision,
        info.down_revision.unwrap_or(""),
        info.created.readable()
    );
    let _ = writeln!(doc, "Written by plinth from {}.", info.design);
    if !migration.up.changes.is_empty() {
        doc.push_str("\nChanges:\n");
        for change in &migration.up.changes {
            let _ = writeln!(doc, "- {change}");
        }
    }
    let mut out = python::docstring(&doc);
    out.push('\n');
    out.push_str("from typing import Sequence, Union\n\n");
    if body.contains("sa.") {
        out.push_str("import sqlalchemy as sa\n");
    }
    out.push_str("from alembic import op\n");
    if python::uses_postgresql(&body) {
        out.push_str("from sqlalchemy.dialects import postgresql\n");
    }
    let down = match info.down_revision {
        Some(d) => string(d),
        None => "None".into(),
    };
    let _ = write!(
        out,
        "\n# revision identifiers, used by Alembic.\n\
         revision: str = {}\n\
         down_revision: Union[str, Sequence[str], None] = {down}\n\
         branch_labels: Union[str, Sequence[str], None] = None\n\
         depends_on: Union[str, Sequence[str], None] = None\n\n\n",
        string(info.revision)
    );
    out.push_str(&body);
    out
}

/// One Alembic operation: its source lines (without indentation) and an
/// optional comment that goes above it.
struct Op {
    note: Option<&'static str>,
    lines: Vec<String>,
}

impl Op {
    fn one(line: String) -> Self {
        Op {
            note: None,
            lines: vec![line],
        }
    }

    /// `op.execute` with the statement's own SQL.
    fn execute(step: &dyn std::fmt::Display, note: &'static str) -> Self {
        let sql = step.to_string();
        let sql = sql.strip_suffix(';').unwrap_or(&sql);
        Op {
            note: Some(note),
            lines: vec![format!("op.execute({})", sql_string(sql))],
        }
    }
}

/// Turns the steps of one plan into Alembic operations. `from` is the
/// design the plan starts at, `to` the one it ends at.
///
/// Steps name tables and indexes; the look-ups from a name back to the
/// design are indexes built once, on first use, so a plan of many steps
/// over a large design stays linear (a scan of the design per step made a
/// 20,000-entity revision take half a minute).
struct Writer<'a> {
    from: &'a Design,
    to: &'a Design,
    /// The schema raw SQL is qualified with.
    schema: &'a str,
    from_tables: OnceCell<FxHashMap<&'a str, &'a Entity>>,
    to_tables: OnceCell<FxHashMap<&'a str, &'a Entity>>,
    /// The table of each index in `from`, by the index's name.
    index_tables: OnceCell<FxHashMap<String, &'a str>>,
}

/// The entities of a design by name; the first of two alike wins, as a
/// scan in entity order would find it.
fn by_name(design: &Design) -> FxHashMap<&str, &Entity> {
    let mut map = FxHashMap::default();
    for e in design.entities() {
        map.entry(e.name.as_str()).or_insert(e);
    }
    map
}

/// Comments of the tables a plan creates, folded into `op.create_table`.
#[derive(Default)]
struct Folded {
    tables: HashMap<String, String>,
    columns: HashMap<(String, String), String>,
    created: HashSet<String>,
}

impl<'a> Writer<'a> {
    fn new(from: &'a Design, to: &'a Design, schema: &'a str) -> Self {
        Writer {
            from,
            to,
            schema,
            from_tables: OnceCell::new(),
            to_tables: OnceCell::new(),
            index_tables: OnceCell::new(),
        }
    }

    /// The body of `upgrade()` or `downgrade()`, indented.
    fn function(&self, plan: &Plan) -> String {
        if plan.is_empty() {
            return "    pass\n".into();
        }
        let folded = fold(plan);
        let mut blocks: Vec<String> = Vec::new();
        if !plan.before.is_empty() {
            blocks.push(autocommit(
                "# New enum values commit first: the statements below use them.",
                &self.ops(&plan.before, &folded),
            ));
        }
        for (outside, steps) in segments(&plan.body) {
            let ops = self.ops(steps, &folded);
            if ops.is_empty() {
                continue;
            }
            blocks.push(if outside {
                autocommit("# CONCURRENTLY cannot run inside a transaction.", &ops)
            } else {
                render(&ops, 1)
            });
        }
        if !plan.after.is_empty() {
            blocks.push(autocommit(
                "# After the commit: checking existing rows does not hold the locks above.",
                &self.ops(&plan.after, &folded),
            ));
        }
        blocks.join("\n")
    }

    fn ops<'s>(&self, steps: impl IntoIterator<Item = &'s Step>, folded: &Folded) -> Vec<Op> {
        steps
            .into_iter()
            .filter_map(|step| self.op(step, folded))
            .collect()
    }

    fn op(&self, step: &Step, folded: &Folded) -> Option<Op> {
        let s = string;
        let op = match step {
            Step::Ddl(statement) => return self.statement(statement, folded),
            Step::DropTable { name } => Op::one(format!("op.drop_table({})", s(name))),
            Step::RenameTable { from, to } => {
                Op::one(format!("op.rename_table({}, {})", s(from), s(to)))
            }
            Step::AddColumn { table, column } => Op::one(format!(
                "op.add_column({}, {})",
                s(table),
                column_source(column, None, &enum_reference, server_default, false)
            )),
            Step::DropColumn { table, column } => {
                Op::one(format!("op.drop_column({}, {})", s(table), s(column)))
            }
            Step::RenameColumn { table, from, to } => Op::one(format!(
                "op.alter_column({}, {}, new_column_name={})",
                s(table),
                s(from),
                s(to)
            )),
            Step::AlterColumnType {
                table,
                column,
                ty,
                using,
            } => {
                let mut args = vec![s(table), s(column), format!("type_={}", type_source(ty))];
                args.extend(self.existing_type(table, column));
                if let Some(using) = using {
                    let sql = using.sql(column, ty, self.schema);
                    args.push(format!("postgresql_using={}", s(&sql)));
                }
                Op::one(format!("op.alter_column({})", args.join(", ")))
            }
            Step::SetNotNull { table, column } | Step::DropNotNull { table, column } => {
                let nullable = matches!(step, Step::DropNotNull { .. });
                let mut args = vec![
                    s(table),
                    s(column),
                    format!("nullable={}", py_bool(nullable)),
                ];
                args.extend(self.existing_type(table, column));
                Op::one(format!("op.alter_column({})", args.join(", ")))
            }
            Step::SetDefault {
                table,
                column,
                default,
            } => {
                let mut args = vec![
                    s(table),
                    s(column),
                    format!("server_default={}", server_default(default)),
                ];
                args.extend(self.existing_type(table, column));
                Op::one(format!("op.alter_column({})", args.join(", ")))
            }
            Step::DropDefault { table, column } => {
                let mut args = vec![s(table), s(column), "server_default=None".into()];
                args.extend(self.existing_type(table, column));
                Op::one(format!("op.alter_column({})", args.join(", ")))
            }
            Step::Backfill { .. } => Op::execute(
                &InSchema(step, self.schema),
                "# Existing NULLs take the column's default before it becomes NOT NULL.",
            ),
            Step::AddIdentity { .. } | Step::SetIdentity { .. } | Step::DropIdentity { .. } => {
                Op::execute(
                    &InSchema(step, self.schema),
                    "# Alembic has no operation for identity columns.",
                )
            }
            Step::DropConstraint { table, name } => {
                let mut args = vec![s(name), s(table)];
                if let Some(kind) = self.constraint_kind(table, name) {
                    args.push(format!("type_={}", s(kind)));
                }
                Op::one(format!("op.drop_constraint({})", args.join(", ")))
            }
            Step::RenameConstraint { .. } => Op::execute(
                &InSchema(step, self.schema),
                "# Alembic has no operation to rename a constraint.",
            ),
            Step::AddConstraintNotValid { table, constraint } => {
                add_constraint(table, constraint, true)
            }
            Step::ValidateConstraint { .. } => Op::execute(
                &InSchema(step, self.schema),
                "# Alembic has no operation to validate a constraint.",
            ),
            Step::AlterConstraintDeferrable { .. } => Op::execute(
                &InSchema(step, self.schema),
                "# Alembic has no operation to change when a constraint is checked.",
            ),
            Step::AddConstraintUsingIndex { .. } => Op::execute(
                &InSchema(step, self.schema),
                "# The index built above becomes the constraint; Alembic has no operation for it.",
            ),
            Step::CreateIndex {
                name,
                table,
                unique,
                method,
                columns,
                predicate,
                concurrently,
            } => create_index(
                name,
                table,
                *unique,
                *method,
                columns,
                predicate.as_deref(),
                *concurrently,
            ),
            Step::DropIndex { name, concurrently } => {
                let mut args = vec![s(name)];
                if let Some(table) = self.index_table(name) {
                    args.push(format!("table_name={}", s(table)));
                }
                if *concurrently {
                    args.push("postgresql_concurrently=True".into());
                }
                Op::one(format!("op.drop_index({})", args.join(", ")))
            }
            Step::RenameIndex { .. } => Op::execute(
                &InSchema(step, self.schema),
                "# Alembic has no operation to rename an index.",
            ),
            Step::DropType { name } => Op::one(format!(
                "postgresql.ENUM({}).drop(op.get_bind())",
                python::type_name(name)
            )),
            Step::RenameType { .. } => Op::execute(
                &InSchema(step, self.schema),
                "# Alembic has no operation to rename an enum type.",
            ),
            Step::AddEnumValue { .. } => Op::execute(
                &InSchema(step, self.schema),
                "# Alembic has no operation to add an enum value.",
            ),
            Step::SetComment { target, text } => {
                comment(&InSchema(step, self.schema), target, text.as_deref())
            }
        };
        Some(op)
    }

    fn statement(&self, statement: &Statement, folded: &Folded) -> Option<Op> {
        let s = string;
        let op = match statement {
            Statement::CreateEnum { name, values } => {
                let mut args: Vec<String> = values.iter().map(|v| s(v)).collect();
                args.push(python::type_name(name));
                Op::one(format!(
                    "postgresql.ENUM({}).create(op.get_bind())",
                    args.join(", ")
                ))
            }
            Statement::CreateTable {
                name,
                columns,
                constraints,
            } => {
                let mut lines = vec!["op.create_table(".to_owned(), format!("    {},", s(name))];
                let sole_key = constraints.iter().find_map(|c| match c {
                    Constraint::PrimaryKey { columns, .. } if columns.len() == 1 => {
                        Some(&columns[0])
                    }
                    _ => None,
                });
                for c in columns {
                    let note = folded.columns.get(&(name.clone(), c.name.clone()));
                    let key = sole_key == Some(&c.name);
                    lines.push(format!(
                        "    {},",
                        column_source(
                            c,
                            note.map(String::as_str),
                            &enum_reference,
                            server_default,
                            key
                        )
                    ));
                }
                for c in constraints {
                    lines.push(format!("    {},", constraint_source(c)));
                }
                if let Some(text) = folded.tables.get(name) {
                    lines.push(format!("    comment={},", s(text)));
                }
                lines.push(")".into());
                Op { note: None, lines }
            }
            Statement::AddConstraint { table, constraint } => {
                add_constraint(table, constraint, false)
            }
            Statement::CreateIndex {
                name,
                table,
                unique,
                method,
                columns,
                predicate,
            } => create_index(
                name,
                table,
                *unique,
                *method,
                columns,
                predicate.as_deref(),
                false,
            ),
            Statement::Comment { target, text } => {
                let table = match target {
                    CommentTarget::Table(t) | CommentTarget::Column(t, _) => Some(t),
                    CommentTarget::Type(_) => None,
                };
                if table.is_some_and(|t| folded.created.contains(t)) {
                    return None;
                }
                comment(&InSchema(statement, self.schema), target, Some(text))
            }
        };
        Some(op)
    }

    /// `existing_type=...` for a column as the plan finds it, when the
    /// designs tell (enum types are left out: the name may be changing).
    fn existing_type(&self, table: &str, column: &str) -> Option<String> {
        let entity = *self.to_tables.get_or_init(|| by_name(self.to)).get(table)?;
        let field = entity.field_named(column)?;
        let before = self.from.entity(&entity.id)?.field(&field.id)?;
        if before.ty.enum_name().is_some() {
            return None;
        }
        Some(format!("existing_type={}", type_source(&before.ty)))
    }

    /// The kind of a constraint being dropped, as `op.drop_constraint`
    /// names it.
    fn constraint_kind(&self, table: &str, name: &str) -> Option<&'static str> {
        let d = self.from;
        let e = *self.from_tables.get_or_init(|| by_name(d)).get(table)?;
        if e.primary_key.is_some() && d.primary_key_name(e) == name {
            return Some("primary");
        }
        if e.uniques.iter().any(|u| d.unique_name(e, u) == name) {
            return Some("unique");
        }
        if e.checks.iter().any(|c| d.check_name(e, c) == name) {
            return Some("check");
        }
        if d.relationships_from(&e.id)
            .iter()
            .any(|r| d.relationship_name(r) == name)
        {
            return Some("foreignkey");
        }
        None
    }

    /// The table an index being dropped belongs to.
    fn index_table(&self, name: &str) -> Option<&str> {
        let tables = self.index_tables.get_or_init(|| {
            let d = self.from;
            let mut map = FxHashMap::default();
            for e in d.entities() {
                for i in &e.indexes {
                    map.entry(d.index_name(e, i)).or_insert(e.name.as_str());
                }
            }
            map
        });
        tables.get(name).copied()
    }
}

/// Runs of consecutive steps that may or may not run in a transaction:
/// `(outside, steps)`.
fn segments(steps: &[Step]) -> Vec<(bool, Vec<&Step>)> {
    let mut out: Vec<(bool, Vec<&Step>)> = Vec::new();
    for step in steps {
        let outside = step.forbids_transaction();
        match out.last_mut() {
            Some((o, run)) if *o == outside => run.push(step),
            _ => out.push((outside, vec![step])),
        }
    }
    out
}

/// Comments on the tables a plan creates, to fold into `op.create_table`.
fn fold(plan: &Plan) -> Folded {
    let mut folded = Folded::default();
    for step in plan.steps() {
        match step {
            Step::Ddl(Statement::CreateTable { name, .. }) => {
                folded.created.insert(name.clone());
            }
            Step::Ddl(Statement::Comment { target, text }) => match target {
                CommentTarget::Table(t) => {
                    folded.tables.insert(t.clone(), text.clone());
                }
                CommentTarget::Column(t, c) => {
                    folded.columns.insert((t.clone(), c.clone()), text.clone());
                }
                CommentTarget::Type(_) => {}
            },
            _ => {}
        }
    }
    folded.tables.retain(|t, _| folded.created.contains(t));
    let created = &folded.created;
    folded.columns.retain(|(t, _), _| created.contains(t));
    folded
}

/// Operations as indented source, a blank line around the ones that take
/// several lines.
fn render(ops: &[Op], depth: usize) -> String {
    let indent = "    ".repeat(depth);
    let mut out = String::new();
    let mut last_multi = false;
    for (i, op) in ops.iter().enumerate() {
        let multi = op.lines.len() > 1 || op.note.is_some();
        if i > 0 && (multi || last_multi) {
            out.push('\n');
        }
        if let Some(note) = op.note {
            let _ = writeln!(out, "{indent}{note}");
        }
        for line in &op.lines {
            let _ = writeln!(out, "{indent}{line}");
        }
        last_multi = multi;
    }
    out
}

fn autocommit(note: &str, ops: &[Op]) -> String {
    format!(
        "    {note}\n    with op.get_context().autocommit_block():\n{}",
        render(ops, 2)
    )
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

fn type_source(ty: &SqlType) -> String {
    sa_type(ty, &enum_reference)
}

/// `sa.Column(...)` for a column as plinth's DDL writes it.
/// `enum_type` spells a named enum type and `default` a server default
/// (the models spell some differently, for `alembic check`); `sole_key`
/// says the column is its table's whole primary key.
pub(crate) fn column_source(
    c: &Column,
    comment: Option<&str>,
    enum_type: &dyn Fn(&str) -> String,
    default: fn(&DefaultValue) -> String,
    sole_key: bool,
) -> String {
    let mut args = vec![string(&c.name), sa_type(&c.ty, enum_type)];
    match c.identity {
        Some(Identity::Always) => args.push("sa.Identity(always=True)".into()),
        Some(Identity::ByDefault) => args.push("sa.Identity(always=False)".into()),
        None => {}
    }
    if let Some(d) = &c.default {
        args.push(format!("server_default={}", default(d)));
    }
    args.push(format!("nullable={}", py_bool(!c.not_null)));
    if sole_key && serial_unless_told(&c.ty, c.default.is_some() || c.identity.is_some()) {
        args.push("autoincrement=False".into());
    }
    if let Some(text) = comment {
        args.push(format!("comment={}", string(text)));
    }
    format!("sa.Column({})", args.join(", "))
}

/// Whether SQLAlchemy would make a table's only primary-key column a
/// `SERIAL` (its `autoincrement="auto"`): an integer column with no default
/// of its own. plinth's DDL does not, so the column says
/// `autoincrement=False`.
pub(crate) fn serial_unless_told(ty: &SqlType, has_default: bool) -> bool {
    matches!(ty, SqlType::SmallInt | SqlType::Integer | SqlType::BigInt) && !has_default
}

fn string_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| string(i)).collect();
    format!("[{}]", items.join(", "))
}

/// The keyword arguments after a foreign key's columns, which
/// `sa.ForeignKeyConstraint` and `op.create_foreign_key` share.
fn foreign_key_args(
    on_delete: Option<ReferentialAction>,
    on_update: Option<ReferentialAction>,
    deferrable: Deferrable,
) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(a) = on_delete {
        args.push(format!("ondelete={}", string(a.as_sql())));
    }
    if let Some(a) = on_update {
        args.push(format!("onupdate={}", string(a.as_sql())));
    }
    match deferrable {
        Deferrable::NotDeferrable => {}
        Deferrable::InitiallyImmediate => {
            args.push("deferrable=True".into());
            args.push("initially=\"IMMEDIATE\"".into());
        }
        Deferrable::InitiallyDeferred => {
            args.push("deferrable=True".into());
            args.push("initially=\"DEFERRED\"".into());
        }
    }
    args
}

/// A table constraint inside `op.create_table` or `sa.Table`.
pub(crate) fn constraint_source(c: &Constraint) -> String {
    match c {
        Constraint::PrimaryKey { name, columns } => {
            let mut args: Vec<String> = columns.iter().map(|c| string(c)).collect();
            args.push(format!("name={}", string(name)));
            format!("sa.PrimaryKeyConstraint({})", args.join(", "))
        }
        Constraint::Unique { name, columns } => {
            let mut args: Vec<String> = columns.iter().map(|c| string(c)).collect();
            args.push(format!("name={}", string(name)));
            format!("sa.UniqueConstraint({})", args.join(", "))
        }
        Constraint::Check { name, expr } => format!(
            "sa.CheckConstraint({}, name={})",
            sql_string(expr),
            string(name)
        ),
        Constraint::ForeignKey {
            name,
            columns,
            table,
            references,
            on_delete,
            on_update,
            deferrable,
        } => {
            let targets: Vec<String> = references.iter().map(|r| format!("{table}.{r}")).collect();
            let mut args = vec![
                string_list(columns),
                string_list(&targets),
                format!("name={}", string(name)),
            ];
            args.extend(foreign_key_args(*on_delete, *on_update, *deferrable));
            format!("sa.ForeignKeyConstraint({})", args.join(", "))
        }
    }
}

fn add_constraint(table: &str, c: &Constraint, not_valid: bool) -> Op {
    let s = string;
    let mut line = match c {
        Constraint::PrimaryKey { name, columns } => format!(
            "op.create_primary_key({}, {}, {}",
            s(name),
            s(table),
            string_list(columns)
        ),
        Constraint::Unique { name, columns } => format!(
            "op.create_unique_constraint({}, {}, {}",
            s(name),
            s(table),
            string_list(columns)
        ),
        Constraint::Check { name, expr } => format!(
            "op.create_check_constraint({}, {}, {}",
            s(name),
            s(table),
            sql_string(expr)
        ),
        Constraint::ForeignKey {
            name,
            columns,
            table: target,
            references,
            on_delete,
            on_update,
            deferrable,
        } => {
            let mut args = vec![
                s(name),
                s(table),
                s(target),
                string_list(columns),
                string_list(references),
            ];
            args.extend(foreign_key_args(*on_delete, *on_update, *deferrable));
            format!("op.create_foreign_key({}", args.join(", "))
        }
    };
    if not_valid {
        line.push_str(", postgresql_not_valid=True");
    }
    line.push(')');
    Op::one(line)
}

fn create_index(
    name: &str,
    table: &str,
    unique: bool,
    method: IndexMethod,
    columns: &[String],
    predicate: Option<&str>,
    concurrently: bool,
) -> Op {
    let mut args = vec![string(name), string(table), string_list(columns)];
    if unique {
        args.push("unique=True".into());
    }
    if method != IndexMethod::Btree {
        args.push(format!("postgresql_using={}", string(method.as_sql())));
    }
    if let Some(p) = predicate {
        args.push(format!("postgresql_where=sa.text({})", sql_string(p)));
    }
    if concurrently {
        args.push("postgresql_concurrently=True".into());
    }
    Op::one(format!("op.create_index({})", args.join(", ")))
}

fn comment(step: &dyn std::fmt::Display, target: &CommentTarget, text: Option<&str>) -> Op {
    let text_arg = text.map_or("None".into(), string);
    match target {
        CommentTarget::Type(_) => {
            Op::execute(step, "# Alembic has no operation for comments on types.")
        }
        CommentTarget::Table(t) => match text {
            Some(_) => Op::one(format!(
                "op.create_table_comment({}, {text_arg})",
                string(t)
            )),
            None => Op::one(format!("op.drop_table_comment({})", string(t))),
        },
        CommentTarget::Column(t, c) => Op::one(format!(
            "op.alter_column({}, {}, comment={text_arg})",
            string(t),
            string(c)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diff::{PlanOptions, migration};
    use crate::core::model::{DefaultValue, Field};

    fn todo() -> Design {
        let source = include_str!("../../../designs/todo.ron");
        crate::file::parse(source, &mut crate::core::ids::IdGen::seeded(1)).unwrap()
    }

    fn info() -> RevisionInfo<'static> {
        RevisionInfo {
            revision: "000000000001",
            down_revision: None,
            message: "create \"\"\" todo",
            created: Timestamp::parse("20240501120000").unwrap(),
            design: "designs/todo.ron",
            schema: "public",
        }
    }

    #[test]
    fn first_revision_creates_tables_with_their_constraints_and_comments() {
        let empty = Design::new("todo");
        let new = todo();
        let m = migration(&empty, &new, PlanOptions::default());
        let text = revision(&empty, &new, &m, &info());
        assert!(
            text.starts_with(
                "\"\"\"create \\\"\\\"\" todo\n\nRevision ID: 000000000001\nRevises: \n"
            )
        );
        assert!(text.contains("down_revision: Union[str, Sequence[str], None] = None\n"));
        assert!(text.contains(
            "    sa.Column(\"id\", postgresql.UUID(as_uuid=True), server_default=sa.text(\"gen_random_uuid()\"), nullable=False),\n"
        ));
        assert!(text.contains("    sa.PrimaryKeyConstraint(\"id\", name=\"users_pkey\"),\n"));
        assert!(text.contains("    sa.UniqueConstraint(\"email\", name=\"users_email_key\"),\n"));
        assert!(text.contains(
            "    sa.ForeignKeyConstraint([\"user_id\"], [\"users.id\"], name=\"tasks_user_id_fkey\", ondelete=\"CASCADE\"),\n"
        ));
        assert!(text.contains("    comment=\"People who can sign in and own tasks.\",\n"));
        assert!(
            text.contains("op.create_index(\"tasks_user_id_idx\", \"tasks\", [\"user_id\"])\n")
        );
        assert!(!text.contains("op.create_table_comment"), "{text}");
        assert!(text.contains(
            "def downgrade() -> None:\n    op.drop_table(\"tasks\")\n    op.drop_table(\"users\")\n"
        ));
    }

    #[test]
    fn changes_to_existing_tables_use_alter_operations() {
        let old = todo();
        let mut new = old.clone();
        let tasks = new.entity_named("tasks").unwrap().id.clone();
        let e = new.entity_mut(&tasks).unwrap();
        e.field_mut(&e.field_named("notes").unwrap().id.clone())
            .unwrap()
            .name = "description".into();
        let mut f = Field::new(
            crate::core::ids::IdGen::seeded(3).field(),
            "rank",
            SqlType::SmallInt,
        );
        f.not_null = true;
        f.default = Some(DefaultValue::Expr("0".into()));
        e.fields.push(f);
        let title = e.field_named("title").unwrap().id.clone();
        e.field_mut(&title).unwrap().ty = SqlType::Text;
        let m = migration(
            &old,
            &new,
            PlanOptions {
                concurrently: true,
                ..Default::default()
            },
        );
        let text = revision(&old, &new, &m, &info());
        assert!(
            text.contains(
                "op.alter_column(\"tasks\", \"notes\", new_column_name=\"description\")\n"
            )
        );
        assert!(text.contains(
            "op.add_column(\"tasks\", sa.Column(\"rank\", sa.SmallInteger(), server_default=sa.text(\"0\"), nullable=False))\n"
        ));
        assert!(text.contains(
            "op.alter_column(\"tasks\", \"title\", type_=sa.Text(), existing_type=sa.String(length=200))\n"
        ));
        assert!(
            text.contains(
                "op.alter_column(\"tasks\", \"description\", new_column_name=\"notes\")\n"
            )
        );
    }

    #[test]
    fn deferrable_keys_are_created_deferrable_and_changed_through_execute() {
        let empty = Design::new("todo");
        let mut new = todo();
        let key = new.relationships().next().unwrap().id.clone();
        new.relationship_mut(&key).unwrap().deferrable = Deferrable::InitiallyDeferred;
        let m = migration(&empty, &new, PlanOptions::default());
        let text = revision(&empty, &new, &m, &info());
        assert!(text.contains(
            "    sa.ForeignKeyConstraint([\"user_id\"], [\"users.id\"], name=\"tasks_user_id_fkey\", ondelete=\"CASCADE\", deferrable=True, initially=\"DEFERRED\"),\n"
        ), "{text}");

        let old = todo();
        let m = migration(&old, &new, PlanOptions::default());
        let text = revision(&old, &new, &m, &info());
        assert!(text.contains(
            "    # Alembic has no operation to change when a constraint is checked.\n    op.execute(\"ALTER TABLE public.tasks ALTER CONSTRAINT tasks_user_id_fkey DEFERRABLE INITIALLY DEFERRED\")\n"
        ), "{text}");
        assert!(text.contains(
            "    op.execute(\"ALTER TABLE public.tasks ALTER CONSTRAINT tasks_user_id_fkey NOT DEFERRABLE\")\n"
        ), "{text}");
        assert!(
            text.contains("- make foreign key `tasks_user_id_fkey` on `tasks` deferrable, initially deferred\n"),
            "{text}"
        );

        // A key dropped and added again is added deferrable.
        let mut moved = old.clone();
        let r = moved.relationship_mut(&key).unwrap();
        r.deferrable = Deferrable::InitiallyImmediate;
        r.on_delete = Some(ReferentialAction::Restrict);
        let m = migration(&old, &moved, PlanOptions::default());
        let text = revision(&old, &moved, &m, &info());
        assert!(text.contains(
            "op.create_foreign_key(\"tasks_user_id_fkey\", \"tasks\", \"users\", [\"user_id\"], [\"id\"], ondelete=\"RESTRICT\", deferrable=True, initially=\"IMMEDIATE\")\n"
        ), "{text}");
    }

    #[test]
    fn statements_without_an_operation_go_through_execute() {
        let old = todo();
        let mut new = old.clone();
        let users = new.entity_named("users").unwrap().id.clone();
        new.entity_mut(&users).unwrap().name = "members".into();
        let m = migration(&old, &new, PlanOptions::default());
        let text = revision(&old, &new, &m, &info());
        assert!(
            text.contains("op.rename_table(\"users\", \"members\")\n"),
            "{text}"
        );
        assert!(text.contains(
            "    # Alembic has no operation to rename a constraint.\n    op.execute(\"ALTER TABLE public.members RENAME CONSTRAINT users_pkey TO members_pkey\")\n"
        ), "{text}");
    }
}
