//! How PostgreSQL takes a column from one type to another: whether
//! `ALTER COLUMN ... TYPE` needs a `USING` cast, and whether it rewrites
//! the table. The rules are checked against a real server in
//! `tests/diff_postgres.rs`.

use crate::core::model::SqlType;

use super::statement::Using;

/// What `ALTER COLUMN ... TYPE` needs to convert the values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// PostgreSQL has an implicit or assignment cast: no `USING`.
    Assignment,
    /// An explicit cast exists: `USING col::new_type`.
    Cast,
    /// No cast between the two: through the text form,
    /// `USING col::text::new_type` (enums always go this way).
    ViaText,
}

pub fn conversion(from: &SqlType, to: &SqlType) -> Conversion {
    use SqlType::*;
    if from == to {
        return Conversion::Assignment;
    }
    match (from, to) {
        (Array(a), Array(b)) => conversion(a, b),
        // Any value has an assignment cast to a string type, through its
        // text form (enums and arrays included).
        (_, Text | Varchar(_) | Char(_)) => Conversion::Assignment,
        (Text | Varchar(_) | Char(_), Enum(_)) => Conversion::Cast,
        (_, Enum(_)) | (Enum(_), _) => Conversion::ViaText,
        (Array(_), _) | (_, Array(_)) if is_string(from) => Conversion::Cast,
        (Array(_), _) | (_, Array(_)) => Conversion::ViaText,
        _ if is_number(from) && is_number(to) => Conversion::Assignment,
        (Date, Timestamp | Timestamptz)
        | (Timestamp, Timestamptz | Date | Time)
        | (Timestamptz, Timestamp | Date | Time)
        | (Time, Interval)
        | (Interval, Time)
        | (Json, Jsonb)
        | (Jsonb, Json) => Conversion::Assignment,
        // Strings convert to anything through the type's input function.
        (Text | Varchar(_) | Char(_), _) => Conversion::Cast,
        (Integer, Boolean) | (Boolean, Integer) => Conversion::Cast,
        (Jsonb, Boolean) => Conversion::Cast,
        (Jsonb, _) if is_number(to) => Conversion::Cast,
        _ => Conversion::ViaText,
    }
}

/// The `USING` expression for a column changing type, or `None` where
/// PostgreSQL converts by itself.
pub fn using_clause(from: &SqlType, to: &SqlType) -> Option<Using> {
    match conversion(from, to) {
        Conversion::Assignment => None,
        Conversion::Cast => Some(Using::Cast),
        Conversion::ViaText => Some(Using::ViaText {
            array: matches!((from, to), (SqlType::Array(_), SqlType::Array(_))),
        }),
    }
}

/// Whether changing a column's type makes PostgreSQL rewrite the whole
/// table (and its indexes) under an exclusive lock. Only binary-compatible
/// changes that cannot fail escape it: a longer or unbounded `varchar`,
/// `varchar` to `text`, more digits before the point of a `numeric`.
pub fn rewrites_table(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    match (from, to) {
        _ if from == to => false,
        (Varchar(Some(n)), Varchar(Some(m))) => m < n,
        (Varchar(_), Varchar(None) | Text) | (Text, Varchar(None)) => false,
        (Numeric(Some((p, s))), Numeric(Some((q, t)))) => !(s == t && q >= p),
        (Numeric(_), Numeric(None)) => false,
        (Array(a), Array(b)) => rewrites_table(a, b),
        _ => true,
    }
}

fn is_number(ty: &SqlType) -> bool {
    use SqlType::*;
    matches!(ty, SmallInt | Integer | BigInt | Numeric(_) | Real | Double)
}

fn is_string(ty: &SqlType) -> bool {
    matches!(ty, SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> SqlType {
        SqlType::parse(s).unwrap()
    }

    #[test]
    fn using_only_where_postgresql_needs_a_cast() {
        let none = [
            ("varchar(50)", "varchar(100)"),
            ("integer", "bigint"),
            ("varchar(20)", "text"),
            ("uuid", "text"),
            ("status", "text"),
            ("timestamp", "timestamptz"),
        ];
        for (a, b) in none {
            assert_eq!(using_clause(&ty(a), &ty(b)), None, "{a} -> {b}");
        }
        let via_text = Some(Using::ViaText { array: false });
        let cases = [
            ("text", "integer", Some(Using::Cast)),
            ("varchar(36)", "uuid", Some(Using::Cast)),
            ("text", "status", Some(Using::Cast)),
            ("status", "integer", via_text),
            ("uuid", "bigint", via_text),
            ("status[]", "kind[]", Some(Using::ViaText { array: true })),
        ];
        for (a, b, using) in cases {
            assert_eq!(using_clause(&ty(a), &ty(b)), using, "{a} -> {b}");
        }
    }

    #[test]
    fn only_binary_compatible_changes_keep_the_table() {
        assert!(!rewrites_table(&ty("varchar(100)"), &ty("varchar(200)")));
        assert!(!rewrites_table(&ty("varchar(100)"), &ty("text")));
        assert!(!rewrites_table(&ty("numeric(10,2)"), &ty("numeric(12,2)")));
        assert!(rewrites_table(&ty("varchar(200)"), &ty("varchar(100)")));
        assert!(rewrites_table(&ty("integer"), &ty("bigint")));
        assert!(rewrites_table(&ty("numeric(10,2)"), &ty("numeric(12,3)")));
    }
}
