//! Safety findings on a migration plan, in the style of PostgreSQL
//! migration linters: what could lose data, fail on a live table, lock it
//! for a long time, or break the code running against it.
//!
//! The planner reports each finding at the point where it decides the
//! statement; the ids, severities and words all live here.

use std::fmt;
use std::str::FromStr;

use crate::core::check::Severity;
use crate::core::model::SqlType;

macro_rules! safety_rules {
    ($($variant:ident = $id:literal, $severity:ident, $summary:literal;)*) => {
        /// A kind of safety finding, named by a stable kebab-case id.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Safety {
            $($variant,)*
        }

        impl Safety {
            pub const ALL: &'static [Safety] = &[$(Safety::$variant,)*];

            pub fn id(self) -> &'static str {
                match self {
                    $(Safety::$variant => $id,)*
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $(Safety::$variant => Severity::$severity,)*
                }
            }

            /// One sentence on what the finding means.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Safety::$variant => $summary,)*
                }
            }
        }
    };
}

safety_rules! {
    DestructiveDrop = "destructive-drop", Error,
        "Dropping an entity or field deletes its data; the plan is refused unless destruction is allowed.";
    NotNullWithoutDefault = "not-null-without-default", Warning,
        "A field becomes NOT NULL on a table that may hold rows, with no default to fill them: the migration fails if any row is NULL.";
    TableRewrite = "table-rewrite", Warning,
        "The change makes PostgreSQL rewrite the whole table and its indexes under an exclusive lock.";
    IndexLocksWrites = "index-locks-writes", Warning,
        "Building an index on an existing table blocks writes to it until the build ends; CREATE INDEX CONCURRENTLY does not.";
    FkValidateSeparately = "fk-validate-separately", Warning,
        "Adding a foreign key to an existing table checks every row while both tables are locked; add it NOT VALID and validate it separately.";
    RenameBreaksCode = "rename-breaks-code", Warning,
        "Code already running still uses the old name and fails once the rename is applied.";
}

impl fmt::Display for Safety {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Safety {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Safety::ALL
            .iter()
            .copied()
            .find(|r| r.id() == s)
            .ok_or_else(|| format!("unknown safety finding `{s}`"))
    }
}

/// One finding on a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafetyFinding {
    pub rule: Safety,
    pub severity: Severity,
    pub message: String,
    pub hint: String,
}

/// Collects findings while a plan is made; one method per situation.
#[derive(Default)]
pub(crate) struct Findings(pub Vec<SafetyFinding>);

impl Findings {
    fn push(&mut self, rule: Safety, message: String, hint: impl Into<String>) {
        self.0.push(SafetyFinding {
            rule,
            severity: rule.severity(),
            message,
            hint: hint.into(),
        });
    }

    pub fn drop_table(&mut self, table: &str) {
        self.push(
            Safety::DestructiveDrop,
            format!("dropping table `{table}` deletes all its rows"),
            "rerun with --allow-destructive once the data is backed up or no longer needed",
        );
    }

    pub fn drop_column(&mut self, table: &str, column: &str) {
        self.push(
            Safety::DestructiveDrop,
            format!("dropping column `{table}.{column}` deletes its values"),
            "rerun with --allow-destructive once the data is backed up or no longer needed",
        );
    }

    pub fn add_not_null_column(&mut self, table: &str, column: &str) {
        self.push(
            Safety::NotNullWithoutDefault,
            format!(
                "new column `{table}.{column}` is NOT NULL with no default: adding it fails if `{table}` has rows"
            ),
            "give the field a default, or add it nullable, fill it, then make it NOT NULL",
        );
    }

    pub fn set_not_null(&mut self, table: &str, column: &str) {
        self.push(
            Safety::NotNullWithoutDefault,
            format!(
                "`{table}.{column}` becomes NOT NULL with no default to fill existing NULLs: the migration fails if any row has one, and the check scans the table under an exclusive lock"
            ),
            "fill the NULLs first (UPDATE ... WHERE column IS NULL), or give the field a default so plinth fills them",
        );
    }

    pub fn retype(&mut self, table: &str, column: &str, from: &SqlType, to: &SqlType) {
        self.push(
            Safety::TableRewrite,
            format!(
                "changing `{table}.{column}` from {from} to {to} rewrites `{table}` and its indexes, blocking reads and writes meanwhile"
            ),
            "run it when the table is quiet, or add a new column, fill it in batches and swap",
        );
    }

    pub fn rebuild_enum(&mut self, table: &str, column: &str, enum_name: &str, removed: &[String]) {
        let fails = match removed {
            [] => String::new(),
            values => {
                let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
                format!("; it fails if a row still holds {}", quoted.join(" or "))
            }
        };
        self.push(
            Safety::TableRewrite,
            format!(
                "rebuilding enum `{enum_name}` converts `{table}.{column}` to the new type, rewriting `{table}` under an exclusive lock{fails}"
            ),
            "only adding values (anywhere in the list) avoids the rebuild",
        );
    }

    pub fn volatile_default(&mut self, table: &str, column: &str) {
        self.push(
            Safety::TableRewrite,
            format!(
                "new column `{table}.{column}` gets a value computed per row, which rewrites `{table}` under an exclusive lock"
            ),
            "add the column without the default, set the default, then fill old rows in batches",
        );
    }

    pub fn index_locks_writes(&mut self, table: &str, index: &str) {
        self.push(
            Safety::IndexLocksWrites,
            format!("building `{index}` blocks writes to `{table}` until it is done"),
            "rerun with --concurrently to build it with CREATE INDEX CONCURRENTLY (the migration then runs without a transaction)",
        );
    }

    pub fn fk_validate(&mut self, table: &str, name: &str) {
        self.push(
            Safety::FkValidateSeparately,
            format!(
                "adding foreign key `{name}` checks every row of `{table}` while writes to it and to the referenced table are blocked"
            ),
            "rerun with --not-valid to add it NOT VALID and validate it after the commit",
        );
    }

    pub fn rename_table(&mut self, from: &str, to: &str) {
        self.push(
            Safety::RenameBreaksCode,
            format!("renaming table `{from}` to `{to}` breaks code that still uses `{from}`"),
            "deploy code that no longer uses the old name first, or keep a view with the old name for a while",
        );
    }

    pub fn rename_column(&mut self, table: &str, from: &str, to: &str) {
        self.push(
            Safety::RenameBreaksCode,
            format!(
                "renaming column `{table}.{from}` to `{to}` breaks code that still uses `{from}`"
            ),
            "deploy code that no longer uses the old name first, or add the new column, copy and switch over in steps",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kebab_case_and_read_back() {
        for &rule in Safety::ALL {
            let id = rule.id();
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert_eq!(id.parse::<Safety>(), Ok(rule));
            assert!(rule.summary().ends_with('.'));
        }
        assert!("nope".parse::<Safety>().is_err());
    }
}
