//! DDL statements. Each prints as one PostgreSQL statement ending in `;`,
//! with every table and type it names qualified by the schema it is
//! printed for: what runs never depends on the session's `search_path`.

use std::fmt;

use super::quote::{Ident, IdentList, Literal};
use crate::core::model::{
    DefaultValue, Deferrable, Identity, IndexMethod, ReferentialAction, SqlExpr, SqlType,
};

#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    CreateEnum {
        name: String,
        values: Vec<String>,
    },
    CreateTable {
        name: String,
        columns: Vec<Column>,
        constraints: Vec<Constraint>,
    },
    AddConstraint {
        table: String,
        constraint: Constraint,
    },
    CreateIndex {
        name: String,
        table: String,
        unique: bool,
        method: IndexMethod,
        columns: Vec<String>,
        predicate: Option<SqlExpr>,
    },
    Comment {
        target: CommentTarget,
        text: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: SqlType,
    pub not_null: bool,
    pub default: Option<DefaultValue>,
    pub identity: Option<Identity>,
}

/// A named table constraint.
#[derive(Clone, Debug, PartialEq)]
pub enum Constraint {
    PrimaryKey {
        name: String,
        columns: Vec<String>,
    },
    Unique {
        name: String,
        columns: Vec<String>,
    },
    Check {
        name: String,
        expr: SqlExpr,
    },
    ForeignKey {
        name: String,
        columns: Vec<String>,
        table: String,
        references: Vec<String>,
        on_delete: Option<ReferentialAction>,
        on_update: Option<ReferentialAction>,
        deferrable: Deferrable,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum CommentTarget {
    Type(String),
    Table(String),
    Column(String, String),
}

/// SQL that names schema objects, printed for one schema.
pub trait Sql {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>, schema: &str) -> fmt::Result;

    /// The SQL text for `schema`.
    fn sql(&self, schema: &str) -> String {
        InSchema(self, schema).to_string()
    }
}

/// A value printed for a schema, for `write!`.
pub struct InSchema<'a, T: ?Sized>(pub &'a T, pub &'a str);

impl<T: Sql + ?Sized> fmt::Display for InSchema<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_sql(f, self.1)
    }
}

/// A table or type in its schema: `shop.orders`, `"My App"."Order"`.
#[derive(Clone, Copy, Debug)]
pub struct Qualified<'a>(pub &'a str, pub &'a str);

impl fmt::Display for Qualified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", Ident(self.0), Ident(self.1))
    }
}

/// A column type; enum names are the schema's types.
pub struct TypeSql<'a>(pub &'a SqlType);

impl Sql for TypeSql<'_> {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>, schema: &str) -> fmt::Result {
        match self.0 {
            SqlType::Enum(name) => write!(f, "{}", Qualified(schema, name)),
            SqlType::Array(inner) => write!(f, "{}[]", InSchema(&TypeSql(inner), schema)),
            other => write!(f, "{other}"),
        }
    }
}

impl Sql for Statement {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>, schema: &str) -> fmt::Result {
        let q = |name| Qualified(schema, name);
        match self {
            Statement::CreateEnum { name, values } => {
                write!(f, "CREATE TYPE {} AS ENUM (", q(name))?;
                for (i, v) in values.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{}", Literal(v))?;
                }
                f.write_str(");")
            }
            Statement::CreateTable {
                name,
                columns,
                constraints,
            } => {
                writeln!(f, "CREATE TABLE {} (", q(name))?;
                let lines: Vec<String> = columns
                    .iter()
                    .map(|c| c.sql(schema))
                    .chain(constraints.iter().map(|c| c.sql(schema)))
                    .collect();
                for (i, line) in lines.iter().enumerate() {
                    let comma = if i + 1 < lines.len() { "," } else { "" };
                    writeln!(f, "    {line}{comma}")?;
                }
                f.write_str(");")
            }
            Statement::AddConstraint { table, constraint } => {
                write!(
                    f,
                    "ALTER TABLE {} ADD {};",
                    q(table),
                    InSchema(constraint, schema)
                )
            }
            Statement::CreateIndex {
                name,
                table,
                unique,
                method,
                columns,
                predicate,
            } => {
                let unique = if *unique { "UNIQUE " } else { "" };
                write!(f, "CREATE {unique}INDEX {} ON {}", Ident(name), q(table))?;
                write_index_tail(f, *method, columns, predicate.as_ref())
            }
            Statement::Comment { target, text } => {
                write!(
                    f,
                    "COMMENT ON {} IS {};",
                    InSchema(target, schema),
                    Literal(text)
                )
            }
        }
    }
}

impl Sql for CommentTarget {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>, schema: &str) -> fmt::Result {
        match self {
            CommentTarget::Type(t) => write!(f, "TYPE {}", Qualified(schema, t)),
            CommentTarget::Table(t) => write!(f, "TABLE {}", Qualified(schema, t)),
            CommentTarget::Column(t, c) => {
                write!(f, "COLUMN {}.{}", Qualified(schema, t), Ident(c))
            }
        }
    }
}

impl Sql for Column {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>, schema: &str) -> fmt::Result {
        write!(
            f,
            "{} {}",
            Ident(&self.name),
            InSchema(&TypeSql(&self.ty), schema)
        )?;
        match self.identity {
            Some(Identity::Always) => f.write_str(" GENERATED ALWAYS AS IDENTITY")?,
            Some(Identity::ByDefault) => f.write_str(" GENERATED BY DEFAULT AS IDENTITY")?,
            None => {}
        }
        if let Some(default) = &self.default {
            write!(f, " DEFAULT {}", default.to_sql())?;
        }
        if self.not_null {
            f.write_str(" NOT NULL")?;
        }
        Ok(())
    }
}

impl Sql for Constraint {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>, schema: &str) -> fmt::Result {
        match self {
            Constraint::PrimaryKey { name, columns } => {
                write!(
                    f,
                    "CONSTRAINT {} PRIMARY KEY ({})",
                    Ident(name),
                    IdentList(columns)
                )
            }
            Constraint::Unique { name, columns } => {
                write!(
                    f,
                    "CONSTRAINT {} UNIQUE ({})",
                    Ident(name),
                    IdentList(columns)
                )
            }
            Constraint::Check { name, expr } => {
                write!(f, "CONSTRAINT {} CHECK ({expr})", Ident(name))
            }
            Constraint::ForeignKey {
                name,
                columns,
                table,
                references,
                on_delete,
                on_update,
                deferrable,
            } => {
                write!(
                    f,
                    "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
                    Ident(name),
                    IdentList(columns),
                    Qualified(schema, table),
                    IdentList(references)
                )?;
                if let Some(action) = on_delete {
                    write!(f, " ON DELETE {}", action.as_sql())?;
                }
                if let Some(action) = on_update {
                    write!(f, " ON UPDATE {}", action.as_sql())?;
                }
                if deferrable.is_deferrable() {
                    write!(f, " {}", deferrable.as_sql())?;
                }
                Ok(())
            }
        }
    }
}

/// What follows `CREATE INDEX name ON table` in every index statement:
/// the method when not btree, the columns, the partial predicate.
pub fn write_index_tail(
    f: &mut fmt::Formatter<'_>,
    method: IndexMethod,
    columns: &[String],
    predicate: Option<&SqlExpr>,
) -> fmt::Result {
    if method != IndexMethod::Btree {
        write!(f, " USING {}", method.as_sql())?;
    }
    write!(f, " ({})", IdentList(columns))?;
    if let Some(p) = predicate {
        write!(f, " WHERE {p}")?;
    }
    f.write_str(";")
}
