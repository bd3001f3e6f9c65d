//! DDL statements. Each prints as one PostgreSQL statement ending in `;`.

use std::fmt;

use super::quote::{Ident, IdentList, Literal};
use crate::core::model::{DefaultValue, Identity, IndexMethod, ReferentialAction, SqlType};

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
        predicate: Option<String>,
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
        expr: String,
    },
    ForeignKey {
        name: String,
        columns: Vec<String>,
        table: String,
        references: Vec<String>,
        on_delete: Option<ReferentialAction>,
        on_update: Option<ReferentialAction>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum CommentTarget {
    Type(String),
    Table(String),
    Column(String, String),
}

/// A column type with enum names quoted as identifiers.
pub struct TypeSql<'a>(pub &'a SqlType);

impl fmt::Display for TypeSql<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            SqlType::Enum(name) => write!(f, "{}", Ident(name)),
            SqlType::Array(inner) => write!(f, "{}[]", TypeSql(inner)),
            other => write!(f, "{other}"),
        }
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statement::CreateEnum { name, values } => {
                write!(f, "CREATE TYPE {} AS ENUM (", Ident(name))?;
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
                writeln!(f, "CREATE TABLE {} (", Ident(name))?;
                let lines: Vec<String> = columns
                    .iter()
                    .map(Column::to_string)
                    .chain(constraints.iter().map(Constraint::to_string))
                    .collect();
                for (i, line) in lines.iter().enumerate() {
                    let comma = if i + 1 < lines.len() { "," } else { "" };
                    writeln!(f, "    {line}{comma}")?;
                }
                f.write_str(");")
            }
            Statement::AddConstraint { table, constraint } => {
                write!(f, "ALTER TABLE {} ADD {constraint};", Ident(table))
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
                write!(
                    f,
                    "CREATE {unique}INDEX {} ON {}",
                    Ident(name),
                    Ident(table)
                )?;
                if *method != IndexMethod::Btree {
                    write!(f, " USING {}", method.as_sql())?;
                }
                write!(f, " ({})", IdentList(columns))?;
                if let Some(p) = predicate {
                    write!(f, " WHERE {p}")?;
                }
                f.write_str(";")
            }
            Statement::Comment { target, text } => {
                f.write_str("COMMENT ON ")?;
                match target {
                    CommentTarget::Type(t) => write!(f, "TYPE {}", Ident(t))?,
                    CommentTarget::Table(t) => write!(f, "TABLE {}", Ident(t))?,
                    CommentTarget::Column(t, c) => write!(f, "COLUMN {}.{}", Ident(t), Ident(c))?,
                }
                write!(f, " IS {};", Literal(text))
            }
        }
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", Ident(&self.name), TypeSql(&self.ty))?;
        match self.identity {
            Some(Identity::Always) => f.write_str(" GENERATED ALWAYS AS IDENTITY")?,
            Some(Identity::ByDefault) => f.write_str(" GENERATED BY DEFAULT AS IDENTITY")?,
            None => {}
        }
        match &self.default {
            Some(DefaultValue::Expr(e)) => write!(f, " DEFAULT {e}")?,
            Some(DefaultValue::Text(t)) => write!(f, " DEFAULT {}", Literal(t))?,
            None => {}
        }
        if self.not_null {
            f.write_str(" NOT NULL")?;
        }
        Ok(())
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
            } => {
                write!(
                    f,
                    "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
                    Ident(name),
                    IdentList(columns),
                    Ident(table),
                    IdentList(references)
                )?;
                if let Some(action) = on_delete {
                    write!(f, " ON DELETE {}", action.as_sql())?;
                }
                if let Some(action) = on_update {
                    write!(f, " ON UPDATE {}", action.as_sql())?;
                }
                Ok(())
            }
        }
    }
}
