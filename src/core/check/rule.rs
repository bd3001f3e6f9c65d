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
    ($($variant:ident = $id:literal, $severity:ident, $summary:literal, $example:literal;)*) => {
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

            /// A short example of what the rule finds, in the words of a
            /// schema: `orders.price real`.
            pub fn example(self) -> &'static str {
                match self {
                    $(Rule::$variant => $example,)*
                }
            }
        }
    };
}

rules! {
    NoPrimaryKey = "no-primary-key", Error,
        "An entity without a primary key cannot be referenced and lets duplicate rows in.",
        "order_lines(order_id, product_code, quantity) with no primary key";
    FkMissingIndex = "fk-missing-index", Warning,
        "A foreign key whose fields lead no index makes joins and parent deletes scan the whole table.",
        "orders.customer_id -> customers with no index on orders(customer_id)";
    MissingTimestamps = "missing-timestamps", Info,
        "The house style gives every entity created_at and updated_at.",
        "customers with no created_at or updated_at";
    PkNotUuid = "pk-not-uuid", Info,
        "The house style keys entities with a single uuid field.",
        "customers keyed by id integer";
    FkTypeMismatch = "fk-type-mismatch", Warning,
        "A foreign key field of another width than the field it references rejects values the target accepts.",
        "orders.customer_id bigint -> customers.id integer";
    FkTargetNotUnique = "fk-target-not-unique", Error,
        "PostgreSQL refuses a foreign key that references fields no primary key or unique constraint covers.",
        "order_lines.product_code -> products(code) with no unique constraint on products(code)";
    DuplicateIndex = "duplicate-index", Warning,
        "An index over the same fields, method and predicate as another only slows writes.",
        "idx_products_code and products_code_idx both on products(code)";
    RedundantIndex = "redundant-index", Info,
        "A plain btree index over a leading prefix of another btree index adds nothing for reads.",
        "products_name_idx on (name) beside products_name_code_idx on (name, code)";
    MoneyAsFloat = "money-as-float", Warning,
        "Amounts of money in real or double precision round; numeric is exact.",
        "products.price real";
    TimestampWithoutTz = "timestamp-without-tz", Warning,
        "A timestamp without time zone records a wall-clock reading, not an instant.",
        "orders.order_date timestamp";
    NullableBoolean = "nullable-boolean", Info,
        "A nullable boolean has three states, and NOT flag skips the NULL rows.",
        "customers.is_active boolean, nullable";
    UniqueNaturalKey = "unique-natural-key", Warning,
        "A natural key such as email, username or sku lets duplicates in unless it is unique on its own.",
        "customers.email with no unique constraint";
    ReservedWord = "reserved-word", Warning,
        "A name that is a reserved PostgreSQL keyword must be quoted in every hand-written query.",
        "orders.user, which every query must quote as \"user\"";
    OrphanEntity = "orphan-entity", Info,
        "An entity no relationship joins to the rest of the design is often a forgotten foreign key.",
        "audit_log with no relationship to any other entity";
    CascadeCycle = "cascade-cycle", Error,
        "ON DELETE CASCADE relationships in a cycle let one delete sweep around it through every entity on it.",
        "a.b_id -> b and b.a_id -> a, both ON DELETE CASCADE";
    FkCycle = "fk-cycle", Warning,
        "Foreign keys that are all NOT NULL and not deferrable around a cycle leave no row that can be inserted first.",
        "employees.department_id -> departments and departments.manager_id -> employees, both NOT NULL";
    CascadeUnspecified = "cascade-unspecified", Info,
        "What deleting a parent does to its children is a choice the design should make on purpose.",
        "orders.customer_id -> customers with no on_delete";
    JunctionWithoutKey = "junction-without-key", Error,
        "A junction without a key over its two foreign keys links the same pair twice.",
        "posts_tags(post_id, tag_id) with no primary key or unique over the pair";
    NullableFkNotIntended = "nullable-fk-not-intended", Info,
        "A relationship marked required whose key fields may be NULL lets children in without a parent.",
        "orders.customer_id -> customers marked required, but customer_id is nullable";
    IdentifierTooLong = "identifier-too-long", Warning,
        "A derived constraint or index name over 63 bytes is cut short by PostgreSQL, and cut names can clash.",
        "subscription_renewal_attempts_preferred_payment_method_id_created_at_idx, 72 bytes";
    NamingStyle = "naming-style", Info,
        "Names that are not snake_case need quotes, and singular and plural entity names side by side make queries a guess.",
        "entity OrderItems, or customer beside orders and products";
    VarcharForLongText = "varchar-for-long-text", Info,
        "Prose or a limit in the thousands in a varchar(n) is an arbitrary cap; text says what is meant.",
        "posts.body varchar(4000)";
    TextForShortCode = "text-for-short-code", Info,
        "A short code such as a currency or country stored as unbounded text takes any value.",
        "orders.currency text";
    RepeatingGroup = "repeating-group", Warning,
        "Numbered fields such as phone1, phone2, phone3 are a list spread over columns (first normal form).",
        "customers.phone1, phone2, phone3";
    MultiValuedField = "multi-valued-field", Warning,
        "A text field whose name says it holds a list packs many values into one, which breaks first normal form.",
        "posts.tags text holding \"rust,sql,tui\"";
    RedundantField = "redundant-field", Warning,
        "A field copied from the entity a foreign key points at goes stale when the original changes.",
        "orders.customer_email beside orders.customer_id -> customers.email";
    TransitiveDependency = "transitive-dependency", Warning,
        "A postal code stored beside the city and state it determines lets rows disagree (third normal form).",
        "customers(zip, city, state)";
    NormalForm = "normal-form", Warning,
        "An entity's declared functional dependencies break 2NF, 3NF or BCNF; the finding proposes a lossless 3NF split.",
        "customers(id, zip, city) declaring zip -> city: 2NF, split off (zip, city)";
    DefaultTypeMismatch = "default-type-mismatch", Error,
        "A text default the field's type cannot read makes PostgreSQL refuse the table.",
        "orders.due_at timestamptz default 'late'";
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

    #[test]
    fn every_rule_has_a_summary_and_a_short_example() {
        for rule in Rule::ALL {
            assert!(rule.summary().ends_with('.'), "{rule}");
            let example = rule.example();
            assert!(
                !example.is_empty() && example.len() <= 100,
                "{rule}: {example}"
            );
            assert!(!example.ends_with('.'), "{rule}: {example}");
        }
    }
}
