//! PostgreSQL's keywords that cannot stand as a bare identifier everywhere.
//!
//! Taken from `pg_get_keywords()` on PostgreSQL 15: every keyword whose
//! category is not "unreserved". PostgreSQL's own `quote_ident()` quotes
//! exactly these, and so does plinth. Each list is sorted for binary search.

/// Reserved keywords (`R`): never usable as a bare table or column name.
pub const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

/// Keywords that may name a column but not a function or type (`C`).
pub const COLUMN_NAME: &[&str] = &[
    "between",
    "bigint",
    "bit",
    "boolean",
    "char",
    "character",
    "coalesce",
    "dec",
    "decimal",
    "exists",
    "extract",
    "float",
    "greatest",
    "grouping",
    "inout",
    "int",
    "integer",
    "interval",
    "least",
    "national",
    "nchar",
    "none",
    "normalize",
    "nullif",
    "numeric",
    "out",
    "overlay",
    "position",
    "precision",
    "real",
    "row",
    "setof",
    "smallint",
    "substring",
    "time",
    "timestamp",
    "treat",
    "trim",
    "values",
    "varchar",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// Keywords that may name a function or type but not a column (`T`).
pub const TYPE_OR_FUNCTION_NAME: &[&str] = &[
    "authorization",
    "binary",
    "collation",
    "concurrently",
    "cross",
    "current_schema",
    "freeze",
    "full",
    "ilike",
    "inner",
    "is",
    "isnull",
    "join",
    "left",
    "like",
    "natural",
    "notnull",
    "outer",
    "overlaps",
    "right",
    "similar",
    "tablesample",
    "verbose",
];

/// Whether a lower-case word is a PostgreSQL keyword that needs quoting.
pub fn needs_quoting(word: &str) -> bool {
    [RESERVED, COLUMN_NAME, TYPE_OR_FUNCTION_NAME]
        .iter()
        .any(|list| list.binary_search(&word).is_ok())
}

/// Whether a word is fully reserved in PostgreSQL.
pub fn is_reserved(word: &str) -> bool {
    // Case-blind without allocating: this runs for every name on every check.
    RESERVED
        .binary_search_by(|k| k.bytes().cmp(word.bytes().map(|b| b.to_ascii_lowercase())))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_for_binary_search() {
        for list in [RESERVED, COLUMN_NAME, TYPE_OR_FUNCTION_NAME] {
            assert!(list.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn knows_reserved_and_unreserved_words() {
        assert!(needs_quoting("user") && needs_quoting("order") && needs_quoting("int"));
        assert!(!needs_quoting("name") && !needs_quoting("email") && !needs_quoting("comment"));
        assert!(is_reserved("SELECT") && !is_reserved("timestamp"));
    }
}
