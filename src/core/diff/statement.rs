//! The statements a migration needs beyond those that create a design from
//! nothing: drops, renames, column alterations, lock-friendly variants.
//!
//! Each [`Step`] prints as one PostgreSQL statement ending in `;` and
//! describes itself in plain words for `plinth diff`.

use std::fmt;

use crate::core::model::{DefaultValue, Deferrable, Identity, IndexMethod, SqlExpr, SqlType};
use crate::core::sql::{
    Column, CommentTarget, Constraint, Ident, InSchema, Literal, Qualified, Sql, Statement, TypeSql,
};

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
        using: Option<Using>,
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

/// How `ALTER COLUMN ... TYPE ... USING` converts each value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Using {
    /// `column::new_type`.
    Cast,
    /// `column::text::new_type`, for types with no cast between them;
    /// `text[]` between arrays.
    ViaText { array: bool },
}

impl Using {
    /// The `USING` expression converting `column` to `ty` in `schema`.
    pub fn sql(self, column: &str, ty: &SqlType, schema: &str) -> String {
        let ty = InSchema(&TypeSql(ty), schema);
        match self {
            Using::Cast => format!("{}::{ty}", Ident(column)),
            Using::ViaText { array } => format!(
                "{}::{}::{ty}",
                Ident(column),
                if array { "text[]" } else { "text" }
            ),
        }
    }
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
                default.to_sql()
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

fn identity_sql(identity: Identity) -> &'static str {
    match identity {
        Identity::Always => "ALWAYS",
        Identity::ByDefault => "BY DEFAULT",
    }
}

impl Sql for Step {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>, schema: &str) -> fmt::Result {
        let q = |name| Qualified(schema, name);
        let alter = |f: &mut fmt::Formatter<'_>, table: &str, column: &str| {
            write!(
                f,
                "ALTER TABLE {} ALTER COLUMN {}",
                Qualified(schema, table),
                Ident(column)
            )
        };
        match self {
            Step::Ddl(statement) => statement.write_sql(f, schema),
            Step::DropTable { name } => write!(f, "DROP TABLE {};", q(name)),
            Step::RenameTable { from, to } => {
                write!(f, "ALTER TABLE {} RENAME TO {};", q(from), Ident(to))
            }
            Step::AddColumn { table, column } => write!(
                f,
                "ALTER TABLE {} ADD COLUMN {};",
                q(table),
                InSchema(column, schema)
            ),
            Step::DropColumn { table, column } => {
                write!(f, "ALTER TABLE {} DROP COLUMN {};", q(table), Ident(column))
            }
            Step::RenameColumn { table, from, to } => write!(
                f,
                "ALTER TABLE {} RENAME COLUMN {} TO {};",
                q(table),
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
                write!(f, " TYPE {}", InSchema(&TypeSql(ty), schema))?;
                if let Some(using) = using {
                    write!(f, " USING {}", using.sql(column, ty, schema))?;
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
                write!(f, " SET DEFAULT {};", default.to_sql())
            }
            Step::DropDefault { table, column } => {
                alter(f, table, column)?;
                f.write_str(" DROP DEFAULT;")
            }
            Step::Backfill { table, column } => write!(
                f,
                "UPDATE {} SET {c} = DEFAULT WHERE {c} IS NULL;",
                q(table),
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
                q(table),
                Ident(name)
            ),
            Step::RenameConstraint { table, from, to } => write!(
                f,
                "ALTER TABLE {} RENAME CONSTRAINT {} TO {};",
                q(table),
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
                q(table),
                Ident(name),
                deferrable.as_sql()
            ),
            Step::AddConstraintNotValid { table, constraint } => {
                write!(
                    f,
                    "ALTER TABLE {} ADD {} NOT VALID;",
                    q(table),
                    InSchema(constraint, schema)
                )
            }
            Step::ValidateConstraint { table, name } => write!(
                f,
                "ALTER TABLE {} VALIDATE CONSTRAINT {};",
                q(table),
                Ident(name)
            ),
            Step::AddConstraintUsingIndex {
                table,
                name,
                primary_key,
            } => write!(
                f,
                "ALTER TABLE {} ADD CONSTRAINT {} {} USING INDEX {};",
                q(table),
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
                    q(table)
                )?;
                crate::core::sql::write_index_tail(f, *method, columns, predicate.as_ref())
            }
            Step::DropIndex { name, concurrently } => write!(
                f,
                "DROP INDEX {}{};",
                if *concurrently { "CONCURRENTLY " } else { "" },
                q(name)
            ),
            Step::RenameIndex { from, to } => {
                write!(f, "ALTER INDEX {} RENAME TO {};", q(from), Ident(to))
            }
            Step::DropType { name } => write!(f, "DROP TYPE {};", q(name)),
            Step::RenameType { from, to } => {
                write!(f, "ALTER TYPE {} RENAME TO {};", q(from), Ident(to))
            }
            Step::AddEnumValue { name, value, place } => {
                write!(f, "ALTER TYPE {} ADD VALUE {}", q(name), Literal(value))?;
                match place {
                    Some((Place::Before, other)) => write!(f, " BEFORE {}", Literal(other))?,
                    Some((Place::After, other)) => write!(f, " AFTER {}", Literal(other))?,
                    None => {}
                }
                f.write_str(";")
            }
            Step::SetComment { target, text } => {
                write!(f, "COMMENT ON {}", InSchema(target, schema))?;
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
                "ALTER TABLE app.\"user\" RENAME TO members;",
            ),
            (
                Step::AlterColumnType {
                    table: "t".into(),
                    column: "Code".into(),
                    ty: SqlType::Enum("Status Kind".into()),
                    using: Some(Using::ViaText { array: false }),
                },
                "ALTER TABLE app.t ALTER COLUMN \"Code\" TYPE app.\"Status Kind\" USING \"Code\"::text::app.\"Status Kind\";",
            ),
            (
                Step::Backfill {
                    table: "t".into(),
                    column: "end date".into(),
                },
                "UPDATE app.t SET \"end date\" = DEFAULT WHERE \"end date\" IS NULL;",
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
                "CREATE UNIQUE INDEX CONCURRENTLY t_a_idx ON app.t USING hash (a) WHERE a > 0;",
            ),
            (
                Step::AddEnumValue {
                    name: "s".into(),
                    value: "it's".into(),
                    place: Some((Place::After, "a".into())),
                },
                "ALTER TYPE app.s ADD VALUE 'it''s' AFTER 'a';",
            ),
            (
                Step::SetComment {
                    target: CommentTarget::Column("t".into(), "a".into()),
                    text: None,
                },
                "COMMENT ON COLUMN app.t.a IS NULL;",
            ),
            (
                Step::AddConstraintUsingIndex {
                    table: "t".into(),
                    name: "t_pkey".into(),
                    primary_key: true,
                },
                "ALTER TABLE app.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;",
            ),
            (
                Step::SetDefault {
                    table: "t".into(),
                    column: "a".into(),
                    default: DefaultValue::Text("x'y".into()),
                },
                "ALTER TABLE app.t ALTER COLUMN a SET DEFAULT 'x''y';",
            ),
            (
                Step::AlterConstraintDeferrable {
                    table: "order".into(),
                    name: "order_user_fkey".into(),
                    deferrable: Deferrable::InitiallyDeferred,
                },
                "ALTER TABLE app.\"order\" ALTER CONSTRAINT order_user_fkey DEFERRABLE INITIALLY DEFERRED;",
            ),
            (
                Step::AlterConstraintDeferrable {
                    table: "t".into(),
                    name: "t_a_fkey".into(),
                    deferrable: Deferrable::NotDeferrable,
                },
                "ALTER TABLE app.t ALTER CONSTRAINT t_a_fkey NOT DEFERRABLE;",
            ),
        ];
        for (step, sql) in cases {
            assert_eq!(step.sql("app"), sql);
        }
        let in_my_app = Step::DropTable {
            name: "Order".into(),
        };
        assert_eq!(in_my_app.sql("My App"), "DROP TABLE \"My App\".\"Order\";");
    }
}
