//! The statements a migration needs beyond those that create a design from
//! nothing: drops, renames, column alterations, lock-friendly variants.
//!
//! Each [`Step`] prints as one PostgreSQL statement ending in `;` and
//! describes itself in plain words for `plinth diff`.

use std::fmt;

use crate::core::model::{DefaultValue, Deferrable, Identity, IndexMethod, SqlExpr, SqlType};
use crate::core::sql::{Column, CommentTarget, Constraint, Ident, Literal, Statement};

/// One statement of a migration.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// A statement the DDL writer knows: `CREATE TYPE`, `CREATE TABLE`,
    /// `ALTER TABLE ... ADD CONSTRAINT`, `COMMENT ON`.
    Ddl(Statement),
    DropTable {
        name: String,
    },
    RenameTable {
        from: String,
        to: String,
    },
    AddColumn {
        table: String,
        column: Column,
    },
    DropColumn {
        table: String,
        column: String,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// `ALTER COLUMN ... TYPE`, with `USING` where PostgreSQL has no
    /// assignment cast between the two types.
    AlterColumnType {
        table: String,
        column: String,
        ty: SqlType,
        using: Option<String>,
    },
    SetNotNull {
        table: String,
        column: String,
    },
    DropNotNull {
        table: String,
        column: String,
    },
    SetDefault {
        table: String,
        column: String,
        default: DefaultValue,
    },
    DropDefault {
        table: String,
        column: String,
    },
    /// Fills the NULLs of a column that becomes NOT NULL with its default.
    Backfill {
        table: String,
        column: String,
    },
    AddIdentity {
        table: String,
        column: String,
        identity: Identity,
    },
    SetIdentity {
        table: String,
        column: String,
        identity: Identity,
    },
    DropIdentity {
        table: String,
        column: String,
    },
    DropConstraint {
        table: String,
        name: String,
    },
    RenameConstraint {
        table: String,
        from: String,
        to: String,
    },
    /// `ALTER CONSTRAINT`: when a foreign key is checked, changed without
    /// dropping it.
    AlterConstraintDeferrable {
        table: String,
        name: String,
        deferrable: Deferrable,
    },
    /// A constraint added without checking the rows already there; a
    /// later [`Step::ValidateConstraint`] checks them without blocking writes.
    AddConstraintNotValid {
        table: String,
        constraint: Constraint,
    },
    ValidateConstraint {
        table: String,
        name: String,
    },
    /// A primary key or unique constraint taking over an index built
    /// beforehand (concurrently), so adding it locks only briefly.
    AddConstraintUsingIndex {
        table: String,
        name: String,
        primary_key: bool,
    },
    CreateIndex {
        name: String,
        table: String,
        unique: bool,
        method: IndexMethod,
        columns: Vec<String>,
        predicate: Option<SqlExpr>,
        concurrently: bool,
    },
    DropIndex {
        name: String,
        concurrently: bool,
    },
    RenameIndex {
        from: String,
        to: String,
    },
    DropType {
        name: String,
    },
    RenameType {
        from: String,
        to: String,
    },
    /// `ALTER TYPE ... ADD VALUE`, placed before or after an existing label.
    AddEnumValue {
        name: String,
        value: String,
        place: Option<(Place, String)>,
    },
    /// `COMMENT ON ... IS`, where `None` removes the comment.
    SetComment {
        target: CommentTarget,
        text: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Before,
    After,
}

impl Step {
    /// Whether PostgreSQL refuses to run the statement inside a transaction.
    pub fn forbids_transaction(&self) -> bool {
        matches!(
            self,
            Step::CreateIndex {
                concurrently: true,
                ..
            } | Step::DropIndex {
                concurrently: true,
                ..
            }
        )
    }

    /// The statement in plain words: "rename table `customers` to `clients`".
    pub fn describe(&self) -> String {
        let q = |s: &str| format!("`{s}`");
        let col = |t: &str, c: &str| format!("`{t}.{c}`");
        match self {
            Step::Ddl(statement) => describe_ddl(statement),
            Step::DropTable { name } => format!("drop table {}", q(name)),
            Step::RenameTable { from, to } => format!("rename table {} to {}", q(from), q(to)),
            Step::AddColumn { table, column } => format!(
                "add column {} {}{}",
                col(table, &column.name),
                column.ty,
                if column.not_null { " NOT NULL" } else { "" }
            ),
            Step::DropColumn { table, column } => format!("drop column {}", col(table, column)),
            Step::RenameColumn { table, from, to } => {
                format!("rename column {} to {}", col(table, from), q(to))
            }
            Step::AlterColumnType {
                table,
                column,
                ty,
                using,
            } => format!(
                "change the type of {} to {ty}{}",
                col(table, column),
                if using.is_some() {
                    " (converting each value)"
                } else {
                    ""
                }
            ),
            Step::SetNotNull { table, column } => {
                format!("make {} NOT NULL", col(table, column))
            }
            Step::DropNotNull { table, column } => {
                format!("allow NULL in {}", col(table, column))
            }
            Step::SetDefault {
                table,
                column,
                default,
            } => format!(
                "set the default of {} to {}",
                col(table, column),
                default_sql(default)
            ),
            Step::DropDefault { table, column } => {
                format!("drop the default of {}", col(table, column))
            }
            Step::Backfill { table, column } => {
                format!("fill NULLs in {} with its default", col(table, column))
            }
            Step::AddIdentity {
                table,
                column,
                identity,
            }
            | Step::SetIdentity {
                table,
                column,
                identity,
            } => format!(
                "make {} an identity column ({})",
                col(table, column),
                identity_sql(*identity)
            ),
            Step::DropIdentity { table, column } => {
                format!("stop generating {} as identity", col(table, column))
            }
            Step::DropConstraint { table, name } => {
                format!("drop constraint {} on {}", q(name), q(table))
            }
            Step::RenameConstraint { table, from, to } => {
                format!("rename constraint {} on {} to {}", q(from), q(table), q(to))
            }
            Step::AlterConstraintDeferrable {
                table,
                name,
                deferrable,
            } => format!(
                "make constraint {} on {} {}",
                q(name),
                q(table),
                deferrable.describe()
            ),
            Step::AddConstraintNotValid { table, constraint } => format!(
                "add {} on {} without checking existing rows",
                describe_constraint(constraint),
                q(table)
            ),
            Step::ValidateConstraint { table, name } => {
                format!("check existing rows against {} on {}", q(name), q(table))
            }
            Step::AddConstraintUsingIndex {
                table,
                name,
                primary_key,
            } => format!(
                "make index {} the {} of {}",
                q(name),
                if *primary_key {
                    "primary key"
                } else {
                    "unique constraint"
                },
                q(table)
            ),
            Step::CreateIndex {
                name,
                table,
                unique,
                columns,
                concurrently,
                ..
            } => format!(
                "create {}index {} on {} ({}){}",
                if *unique { "unique " } else { "" },
                q(name),
                q(table),
                columns.join(", "),
                if *concurrently { ", concurrently" } else { "" }
            ),
            Step::DropIndex { name, concurrently } => format!(
                "drop index {}{}",
                q(name),
                if *concurrently { ", concurrently" } else { "" }
            ),
            Step::RenameIndex { from, to } => format!("rename index {} to {}", q(from), q(to)),
            Step::DropType { name } => format!("drop type {}", q(name)),
            Step::RenameType { from, to } => format!("rename type {} to {}", q(from), q(to)),
            Step::AddEnumValue { name, value, .. } => {
                format!("add value '{value}' to enum {}", q(name))
            }
            Step::SetComment { target, text } => {
                let what = match target {
                    CommentTarget::Type(t) => format!("type {}", q(t)),
                    CommentTarget::Table(t) => format!("table {}", q(t)),
                    CommentTarget::Column(t, c) => format!("column {}", col(t, c)),
                };
                match text {
                    Some(_) => format!("set the comment on {what}"),
                    None => format!("remove the comment on {what}"),
                }
            }
        }
    }
}

fn describe_ddl(statement: &Statement) -> String {
    match statement {
        Statement::CreateEnum { name, values } => {
            format!("create enum `{name}` ({})", values.join(", "))
        }
        Statement::CreateTable { name, columns, .. } => {
            format!("create table `{name}` ({} columns)", columns.len())
        }
        Statement::AddConstraint { table, constraint } => {
            format!("add {} on `{table}`", describe_constraint(constraint))
        }
        Statement::CreateIndex {
            name,
            table,
            unique,
            columns,
            ..
        } => format!(
            "create {}index `{name}` on `{table}` ({})",
            if *unique { "unique " } else { "" },
            columns.join(", ")
        ),
        Statement::Comment { target, .. } => match target {
            CommentTarget::Type(t) => format!("set the comment on type `{t}`"),
            CommentTarget::Table(t) => format!("set the comment on table `{t}`"),
            CommentTarget::Column(t, c) => format!("set the comment on column `{t}.{c}`"),
        },
    }
}

fn describe_constraint(constraint: &Constraint) -> String {
    match constraint {
        Constraint::PrimaryKey { name, columns } => {
            format!("primary key `{name}` ({})", columns.join(", "))
        }
        Constraint::Unique { name, columns } => {
            format!("unique constraint `{name}` ({})", columns.join(", "))
        }
        Constraint::Check { name, expr } => format!("check `{name}` ({expr})"),
        Constraint::ForeignKey {
            name,
            columns,
            table,
            references,
            deferrable,
            ..
        } => format!(
            "foreign key `{name}` ({}) -> {table} ({}){}",
            columns.join(", "),
            references.join(", "),
            if deferrable.is_deferrable() {
                format!(", {}", deferrable.describe())
            } else {
                String::new()
            }
        ),
    }
}

/// A column type with enum names quoted as identifiers.
pub(crate) struct TypeSql<'a>(pub &'a SqlType);

impl fmt::Display for TypeSql<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            SqlType::Enum(name) => write!(f, "{}", Ident(name)),
            SqlType::Array(inner) => write!(f, "{}[]", TypeSql(inner)),
            other => write!(f, "{other}"),
        }
    }
}

fn default_sql(default: &DefaultValue) -> String {
    match default {
        DefaultValue::Expr(e) => e.to_string(),
        DefaultValue::Text(t) => Literal(t).to_string(),
    }
}

fn identity_sql(identity: Identity) -> &'static str {
    match identity {
        Identity::Always => "ALWAYS",
        Identity::ByDefault => "BY DEFAULT",
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let alter = |f: &mut fmt::Formatter<'_>, table: &str, column: &str| {
            write!(
                f,
                "ALTER TABLE {} ALTER COLUMN {}",
                Ident(table),
                Ident(column)
            )
        };
        match self {
            Step::Ddl(statement) => write!(f, "{statement}"),
            Step::DropTable { name } => write!(f, "DROP TABLE {};", Ident(name)),
            Step::RenameTable { from, to } => {
                write!(f, "ALTER TABLE {} RENAME TO {};", Ident(from), Ident(to))
            }
            Step::AddColumn { table, column } => {
                write!(f, "ALTER TABLE {} ADD COLUMN {column};", Ident(table))
            }
            Step::DropColumn { table, column } => write!(
                f,
                "ALTER TABLE {} DROP COLUMN {};",
                Ident(table),
                Ident(column)
            ),
            Step::RenameColumn { table, from, to } => write!(
                f,
                "ALTER TABLE {} RENAME COLUMN {} TO {};",
                Ident(table),
                Ident(from),
                Ident(to)
            ),
            Step::AlterColumnType {
                table,
                column,
                ty,
                using,
            } => {
                alter(f, table, column)?;
                write!(f, " TYPE {}", TypeSql(ty))?;
                if let Some(using) = using {
                    write!(f, " USING {using}")?;
                }
                f.write_str(";")
            }
            Step::SetNotNull { table, column } => {
                alter(f, table, column)?;
                f.write_str(" SET NOT NULL;")
            }
            Step::DropNotNull { table, column } => {
                alter(f, table, column)?;
                f.write_str(" DROP NOT NULL;")
            }
            Step::SetDefault {
                table,
                column,
                default,
            } => {
                alter(f, table, column)?;
                write!(f, " SET DEFAULT {};", default_sql(default))
            }
            Step::DropDefault { table, column } => {
                alter(f, table, column)?;
                f.write_str(" DROP DEFAULT;")
            }
            Step::Backfill { table, column } => write!(
                f,
                "UPDATE {} SET {c} = DEFAULT WHERE {c} IS NULL;",
                Ident(table),
                c = Ident(column)
            ),
            Step::AddIdentity {
                table,
                column,
                identity,
            } => {
                alter(f, table, column)?;
                write!(f, " ADD GENERATED {} AS IDENTITY;", identity_sql(*identity))
            }
            Step::SetIdentity {
                table,
                column,
                identity,
            } => {
                alter(f, table, column)?;
                write!(f, " SET GENERATED {};", identity_sql(*identity))
            }
            Step::DropIdentity { table, column } => {
                alter(f, table, column)?;
                f.write_str(" DROP IDENTITY;")
            }
            Step::DropConstraint { table, name } => write!(
                f,
                "ALTER TABLE {} DROP CONSTRAINT {};",
                Ident(table),
                Ident(name)
            ),
            Step::RenameConstraint { table, from, to } => write!(
                f,
                "ALTER TABLE {} RENAME CONSTRAINT {} TO {};",
                Ident(table),
                Ident(from),
                Ident(to)
            ),
            Step::AlterConstraintDeferrable {
                table,
                name,
                deferrable,
            } => write!(
                f,
                "ALTER TABLE {} ALTER CONSTRAINT {} {};",
                Ident(table),
                Ident(name),
                deferrable.as_sql()
            ),
            Step::AddConstraintNotValid { table, constraint } => {
                write!(
                    f,
                    "ALTER TABLE {} ADD {constraint} NOT VALID;",
                    Ident(table)
                )
            }
            Step::ValidateConstraint { table, name } => write!(
                f,
                "ALTER TABLE {} VALIDATE CONSTRAINT {};",
                Ident(table),
                Ident(name)
            ),
            Step::AddConstraintUsingIndex {
                table,
                name,
                primary_key,
            } => write!(
                f,
                "ALTER TABLE {} ADD CONSTRAINT {} {} USING INDEX {};",
                Ident(table),
                Ident(name),
                if *primary_key {
                    "PRIMARY KEY"
                } else {
                    "UNIQUE"
                },
                Ident(name)
            ),
            Step::CreateIndex {
                name,
                table,
                unique,
                method,
                columns,
                predicate,
                concurrently,
            } => {
                write!(
                    f,
                    "CREATE {}INDEX {}{} ON {}",
                    if *unique { "UNIQUE " } else { "" },
                    if *concurrently { "CONCURRENTLY " } else { "" },
                    Ident(name),
                    Ident(table)
                )?;
                crate::core::sql::write_index_tail(f, *method, columns, predicate.as_ref())
            }
            Step::DropIndex { name, concurrently } => write!(
                f,
                "DROP INDEX {}{};",
                if *concurrently { "CONCURRENTLY " } else { "" },
                Ident(name)
            ),
            Step::RenameIndex { from, to } => {
                write!(f, "ALTER INDEX {} RENAME TO {};", Ident(from), Ident(to))
            }
            Step::DropType { name } => write!(f, "DROP TYPE {};", Ident(name)),
            Step::RenameType { from, to } => {
                write!(f, "ALTER TYPE {} RENAME TO {};", Ident(from), Ident(to))
            }
            Step::AddEnumValue { name, value, place } => {
                write!(f, "ALTER TYPE {} ADD VALUE {}", Ident(name), Literal(value))?;
                match place {
                    Some((Place::Before, other)) => write!(f, " BEFORE {}", Literal(other))?,
                    Some((Place::After, other)) => write!(f, " AFTER {}", Literal(other))?,
                    None => {}
                }
                f.write_str(";")
            }
            Step::SetComment { target, text } => {
                f.write_str("COMMENT ON ")?;
                match target {
                    CommentTarget::Type(t) => write!(f, "TYPE {}", Ident(t))?,
                    CommentTarget::Table(t) => write!(f, "TABLE {}", Ident(t))?,
                    CommentTarget::Column(t, c) => write!(f, "COLUMN {}.{}", Ident(t), Ident(c))?,
                }
                match text {
                    Some(text) => write!(f, " IS {};", Literal(text)),
                    None => f.write_str(" IS NULL;"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_print_postgresql_with_quoting() {
        let cases = [
            (
                Step::RenameTable {
                    from: "user".into(),
                    to: "members".into(),
                },
                "ALTER TABLE \"user\" RENAME TO members;",
            ),
            (
                Step::AlterColumnType {
                    table: "t".into(),
                    column: "Code".into(),
                    ty: SqlType::Enum("Status Kind".into()),
                    using: Some("\"Code\"::text::\"Status Kind\"".into()),
                },
                "ALTER TABLE t ALTER COLUMN \"Code\" TYPE \"Status Kind\" USING \"Code\"::text::\"Status Kind\";",
            ),
            (
                Step::Backfill {
                    table: "t".into(),
                    column: "end date".into(),
                },
                "UPDATE t SET \"end date\" = DEFAULT WHERE \"end date\" IS NULL;",
            ),
            (
                Step::CreateIndex {
                    name: "t_a_idx".into(),
                    table: "t".into(),
                    unique: true,
                    method: IndexMethod::Hash,
                    columns: vec!["a".into()],
                    predicate: Some("a > 0".into()),
                    concurrently: true,
                },
                "CREATE UNIQUE INDEX CONCURRENTLY t_a_idx ON t USING hash (a) WHERE a > 0;",
            ),
            (
                Step::AddEnumValue {
                    name: "s".into(),
                    value: "it's".into(),
                    place: Some((Place::After, "a".into())),
                },
                "ALTER TYPE s ADD VALUE 'it''s' AFTER 'a';",
            ),
            (
                Step::SetComment {
                    target: CommentTarget::Column("t".into(), "a".into()),
                    text: None,
                },
                "COMMENT ON COLUMN t.a IS NULL;",
            ),
            (
                Step::AddConstraintUsingIndex {
                    table: "t".into(),
                    name: "t_pkey".into(),
                    primary_key: true,
                },
                "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;",
            ),
            (
                Step::SetDefault {
                    table: "t".into(),
                    column: "a".into(),
                    default: DefaultValue::Text("x'y".into()),
                },
                "ALTER TABLE t ALTER COLUMN a SET DEFAULT 'x''y';",
            ),
            (
                Step::AlterConstraintDeferrable {
                    table: "order".into(),
                    name: "order_user_fkey".into(),
                    deferrable: Deferrable::InitiallyDeferred,
                },
                "ALTER TABLE \"order\" ALTER CONSTRAINT order_user_fkey DEFERRABLE INITIALLY DEFERRED;",
            ),
            (
                Step::AlterConstraintDeferrable {
                    table: "t".into(),
                    name: "t_a_fkey".into(),
                    deferrable: Deferrable::NotDeferrable,
                },
                "ALTER TABLE t ALTER CONSTRAINT t_a_fkey NOT DEFERRABLE;",
            ),
        ];
        for (step, sql) in cases {
            assert_eq!(step.to_string(), sql);
        }
    }
}
