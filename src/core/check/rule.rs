//! The one list of rule ids. `plinth rules`, the design file's settings and
//! every output format read their names from here.

use std::fmt;
use std::str::FromStr;

/// How much a finding matters. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! rules {
    ($($variant:ident = $id:literal, $severity:ident, $summary:literal;)*) => {
        /// A check rule, named by a stable kebab-case id.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($variant,)*
        }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)*
                }
            }

            pub fn default_severity(self) -> Severity {
                match self {
                    $(Rule::$variant => Severity::$severity,)*
                }
            }

            /// One sentence on what the rule looks for and why.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Rule::$variant => $summary,)*
                }
            }
        }
    };
}

rules! {
    NoPrimaryKey = "no-primary-key", Error,
        "An entity without a primary key cannot be referenced and lets duplicate rows in.";
    FkMissingIndex = "fk-missing-index", Warning,
        "A foreign key whose fields lead no index makes joins and parent deletes scan the whole table.";
    MissingTimestamps = "missing-timestamps", Info,
        "The house style gives every entity created_at and updated_at.";
    PkNotUuid = "pk-not-uuid", Info,
        "The house style keys entities with a single uuid field.";
    FkTypeMismatch = "fk-type-mismatch", Warning,
        "A foreign key field of another width than the field it references rejects values the target accepts.";
    FkTargetNotUnique = "fk-target-not-unique", Error,
        "PostgreSQL refuses a foreign key that references fields no primary key or unique constraint covers.";
    DuplicateIndex = "duplicate-index", Warning,
        "An index over the same fields, method and predicate as another only slows writes.";
    RedundantIndex = "redundant-index", Info,
        "A plain btree index over a leading prefix of another btree index adds nothing for reads.";
    MoneyAsFloat = "money-as-float", Warning,
        "Amounts of money in real or double precision round; numeric is exact.";
    TimestampWithoutTz = "timestamp-without-tz", Warning,
        "A timestamp without time zone records a wall-clock reading, not an instant.";
    NullableBoolean = "nullable-boolean", Info,
        "A nullable boolean has three states, and NOT flag skips the NULL rows.";
    UniqueNaturalKey = "unique-natural-key", Warning,
        "A natural key such as email, username or sku lets duplicates in unless it is unique on its own.";
    ReservedWord = "reserved-word", Warning,
        "A name that is a reserved PostgreSQL keyword must be quoted in every hand-written query.";
    OrphanEntity = "orphan-entity", Info,
        "An entity no relationship joins to the rest of the design is often a forgotten foreign key.";
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{0}` (see `plinth rules`)")]
pub struct UnknownRule(pub String);

impl FromStr for Rule {
    type Err = UnknownRule;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.id() == s)
            .ok_or_else(|| UnknownRule(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kebab_case_unique_and_read_back() {
        for rule in Rule::ALL {
            let id = rule.id();
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
            assert_eq!(id.parse::<Rule>().unwrap(), *rule);
        }
        assert!("no-such-rule".parse::<Rule>().is_err());
    }
}
