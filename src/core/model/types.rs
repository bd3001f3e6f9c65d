//! Column types, written and read the way PostgreSQL spells them.

use std::fmt;
use std::str::FromStr;

/// A PostgreSQL column type. `Display` prints the short form plinth writes in
/// design files and DDL (`varchar(255)`, `timestamptz`); [`SqlType::catalog_name`]
/// prints what `format_type()` reports, so a type read back from a live
/// catalog compares equal to the one in the design.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SqlType {
    Uuid,
    Text,
    Varchar(Option<u32>),
    Char(Option<u32>),
    SmallInt,
    Integer,
    BigInt,
    /// `numeric(p,s)`; PostgreSQL reads `numeric(p)` as `numeric(p,0)`.
    Numeric(Option<(u32, u32)>),
    Real,
    Double,
    Boolean,
    Date,
    Time,
    Timestamp,
    Timestamptz,
    Interval,
    Json,
    Jsonb,
    Bytea,
    /// A user-defined enum type, by name.
    Enum(String),
    Array(Box<SqlType>),
}

/// Why a type string could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TypeError {
    #[error(
        "unknown type `{}` (expected e.g. uuid, text, varchar(255), integer, numeric(10,2), timestamptz, jsonb, an enum name, or any of these followed by [])",
        shortened(.0)
    )]
    Unknown(String),
    /// A type PostgreSQL would refuse: a modifier past its limit.
    #[error("{0}")]
    Limit(String),
}

/// PostgreSQL's longest `varchar(n)` / `char(n)` (10 MiB of characters).
pub const MAX_CHAR_LENGTH: u32 = 10_485_760;
/// PostgreSQL's largest `numeric` precision.
pub const MAX_NUMERIC_PRECISION: u32 = 1000;
/// PostgreSQL's most array dimensions (`MAXDIM`); also keeps a type of
/// 20,000 nested `[]` from being read at all.
pub const MAX_ARRAY_DIMENSIONS: usize = 6;

/// At most 80 characters of a type for a message, escapes shown.
fn shortened(text: &str) -> String {
    let shown = crate::core::text::printable(text);
    match shown.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &shown[..at]),
        None => shown.into_owned(),
    }
}

impl SqlType {
    /// Reads a type as a person or `format_type()` writes it. A bare name
    /// that is no built-in type is taken as an enum; the design checks that
    /// such an enum exists.
    pub fn parse(input: &str) -> Result<Self, TypeError> {
        let mut s = input.trim();
        let mut dimensions = 0;
        while let Some(inner) = s.strip_suffix("[]") {
            s = inner.trim_end();
            dimensions += 1;
            if dimensions > MAX_ARRAY_DIMENSIONS {
                return Err(TypeError::Limit(format!(
                    "type `{}` has more than {MAX_ARRAY_DIMENSIONS} array dimensions, PostgreSQL's limit",
                    shortened(input)
                )));
            }
        }
        let mut ty = SqlType::parse_element(input, s)?;
        for _ in 0..dimensions {
            ty = SqlType::Array(Box::new(ty));
        }
        Ok(ty)
    }

    fn parse_element(input: &str, s: &str) -> Result<Self, TypeError> {
        let err = || TypeError::Unknown(input.to_owned());
        let lower = s.to_ascii_lowercase();
        let (base, args) = match lower.find('(') {
            Some(open) => {
                let close = lower.rfind(')').filter(|&c| c > open).ok_or_else(err)?;
                // "timestamp(3) with time zone" style modifiers are not modelled.
                if !lower[close + 1..].trim().is_empty() {
                    return Err(err());
                }
                let args = lower[open + 1..close]
                    .split(',')
                    .map(|a| a.trim().parse::<u32>().map_err(|_| err()))
                    .collect::<Result<Vec<_>, _>>()?;
                (lower[..open].trim().to_owned(), Some(args))
            }
            None => (lower.clone(), None),
        };
        let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
        let limit = |what: String| TypeError::Limit(format!("type `{}`: {what}", shortened(input)));
        let one = |args: &Option<Vec<u32>>| -> Result<Option<u32>, TypeError> {
            match args.as_deref() {
                None => Ok(None),
                Some([n]) if *n > MAX_CHAR_LENGTH => Err(limit(format!(
                    "length {n} is more than PostgreSQL's {MAX_CHAR_LENGTH}"
                ))),
                Some([n]) if *n > 0 => Ok(Some(*n)),
                _ => Err(err()),
            }
        };
        let ty = match base.as_str() {
            "varchar" | "character varying" => SqlType::Varchar(one(&args)?),
            // PostgreSQL reads a bare `char` as `char(1)`.
            "char" | "character" | "bpchar" => SqlType::Char(Some(one(&args)?.unwrap_or(1))),
            "numeric" | "decimal" => match args.as_deref() {
                None => SqlType::Numeric(None),
                Some([p, ..]) if *p > MAX_NUMERIC_PRECISION => {
                    return Err(limit(format!(
                        "precision {p} is more than PostgreSQL's {MAX_NUMERIC_PRECISION}"
                    )));
                }
                Some([p]) if *p > 0 => SqlType::Numeric(Some((*p, 0))),
                Some([p, s]) if *p > 0 && s <= p => SqlType::Numeric(Some((*p, *s))),
                _ => return Err(err()),
            },
            _ if args.is_some() => return Err(err()),
            "uuid" => SqlType::Uuid,
            "text" => SqlType::Text,
            "smallint" | "int2" => SqlType::SmallInt,
            "integer" | "int" | "int4" => SqlType::Integer,
            "bigint" | "int8" => SqlType::BigInt,
            "real" | "float4" => SqlType::Real,
            "double precision" | "double" | "float8" => SqlType::Double,
            "boolean" | "bool" => SqlType::Boolean,
            "date" => SqlType::Date,
            "time" | "time without time zone" => SqlType::Time,
            "timestamp" | "timestamp without time zone" => SqlType::Timestamp,
            "timestamptz" | "timestamp with time zone" => SqlType::Timestamptz,
            "interval" => SqlType::Interval,
            "json" => SqlType::Json,
            "jsonb" => SqlType::Jsonb,
            "bytea" => SqlType::Bytea,
            _ => {
                // Enum names keep their case: they are identifiers.
                let name = s.trim_matches('"');
                if name.is_empty() || name.contains(['(', ')', '[', ']', ',']) {
                    return Err(err());
                }
                SqlType::Enum(name.to_owned())
            }
        };
        Ok(ty)
    }

    /// The spelling PostgreSQL's `format_type()` uses, e.g.
    /// `character varying(255)` or `timestamp with time zone[]`.
    /// Enum names are returned unquoted.
    pub fn catalog_name(&self) -> String {
        match self {
            SqlType::Varchar(Some(n)) => format!("character varying({n})"),
            SqlType::Varchar(None) => "character varying".into(),
            SqlType::Char(Some(n)) => format!("character({n})"),
            SqlType::Char(None) => "character(1)".into(),
            SqlType::Double => "double precision".into(),
            SqlType::Time => "time without time zone".into(),
            SqlType::Timestamp => "timestamp without time zone".into(),
            SqlType::Timestamptz => "timestamp with time zone".into(),
            SqlType::Array(inner) => format!("{}[]", inner.catalog_name()),
            other => other.to_string(),
        }
    }

    /// The element type of an array, or the type itself.
    pub fn element(&self) -> &SqlType {
        match self {
            SqlType::Array(inner) => inner.element(),
            other => other,
        }
    }

    /// The enum this type names, directly or as an array element.
    pub fn enum_name(&self) -> Option<&str> {
        match self.element() {
            SqlType::Enum(name) => Some(name),
            _ => None,
        }
    }

    /// Whether PostgreSQL can compare values of the two types with `=`,
    /// which a foreign key needs. Integers of any width compare, and so do
    /// strings of any length; uuid compares only with uuid.
    pub fn comparable_with(&self, other: &SqlType) -> bool {
        self.family() == other.family()
    }

    fn family(&self) -> TypeFamily<'_> {
        use SqlType::*;
        match self {
            SmallInt | Integer | BigInt | Numeric(_) | Real | Double => TypeFamily::Number,
            Text | Varchar(_) | Char(_) => TypeFamily::String,
            Timestamp | Timestamptz | Date => TypeFamily::DateTime,
            Enum(name) => TypeFamily::Enum(name),
            Array(inner) => TypeFamily::Array(Box::new(inner.family())),
            other => TypeFamily::Other(other),
        }
    }
}

#[derive(PartialEq)]
enum TypeFamily<'a> {
    Number,
    String,
    DateTime,
    Enum(&'a str),
    Array(Box<TypeFamily<'a>>),
    Other(&'a SqlType),
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Uuid => f.write_str("uuid"),
            SqlType::Text => f.write_str("text"),
            SqlType::Varchar(None) => f.write_str("varchar"),
            SqlType::Varchar(Some(n)) => write!(f, "varchar({n})"),
            SqlType::Char(None) => f.write_str("char"),
            SqlType::Char(Some(n)) => write!(f, "char({n})"),
            SqlType::SmallInt => f.write_str("smallint"),
            SqlType::Integer => f.write_str("integer"),
            SqlType::BigInt => f.write_str("bigint"),
            SqlType::Numeric(None) => f.write_str("numeric"),
            SqlType::Numeric(Some((p, s))) => write!(f, "numeric({p},{s})"),
            SqlType::Real => f.write_str("real"),
            SqlType::Double => f.write_str("double precision"),
            SqlType::Boolean => f.write_str("boolean"),
            SqlType::Date => f.write_str("date"),
            SqlType::Time => f.write_str("time"),
            SqlType::Timestamp => f.write_str("timestamp"),
            SqlType::Timestamptz => f.write_str("timestamptz"),
            SqlType::Interval => f.write_str("interval"),
            SqlType::Json => f.write_str("json"),
            SqlType::Jsonb => f.write_str("jsonb"),
            SqlType::Bytea => f.write_str("bytea"),
            SqlType::Enum(name) => f.write_str(name),
            SqlType::Array(inner) => write!(f, "{inner}[]"),
        }
    }
}

impl FromStr for SqlType {
    type Err = TypeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SqlType::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_catalog_spellings_alike() {
        for (a, b) in [
            ("varchar(255)", "character varying(255)"),
            ("timestamptz", "timestamp with time zone"),
            ("int", "integer"),
            ("numeric(10,2)", "NUMERIC(10, 2)"),
            ("double precision", "float8"),
            ("text[]", "text []"),
            ("numeric(10)", "numeric(10,0)"),
        ] {
            assert_eq!(SqlType::parse(a), SqlType::parse(b), "{a} vs {b}");
        }
    }

    #[test]
    fn display_and_catalog_name_read_back_to_the_same_type() {
        for s in [
            "uuid",
            "text",
            "varchar",
            "varchar(40)",
            "char(2)",
            "smallint",
            "integer",
            "bigint",
            "numeric",
            "numeric(12,0)",
            "numeric(12,4)",
            "real",
            "double precision",
            "boolean",
            "date",
            "time",
            "timestamp",
            "timestamptz",
            "interval",
            "json",
            "jsonb",
            "bytea",
            "order_status",
            "integer[]",
            "timestamptz[]",
        ] {
            let ty = SqlType::parse(s).unwrap();
            assert_eq!(ty.to_string(), s);
            assert_eq!(SqlType::parse(&ty.catalog_name()).unwrap(), ty);
        }
    }

    #[test]
    fn refuses_malformed_types() {
        for s in [
            "varchar(0)",
            "varchar(x)",
            "integer(4)",
            "numeric(2,5)",
            "",
            "a,b",
        ] {
            assert!(SqlType::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn foreign_keys_need_comparable_types() {
        assert!(SqlType::Integer.comparable_with(&SqlType::BigInt));
        assert!(SqlType::Text.comparable_with(&SqlType::Varchar(Some(9))));
        assert!(!SqlType::Uuid.comparable_with(&SqlType::Text));
        assert!(!SqlType::Enum("a".into()).comparable_with(&SqlType::Enum("b".into())));
    }
}
