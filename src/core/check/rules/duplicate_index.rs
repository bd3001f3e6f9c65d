//! `duplicate-index`: two indexes over the same fields, in the same order,
//! with the same method and predicate, serve exactly the same queries. The
//! second one only costs disk and slows every write. The indexes behind
//! the primary key and unique constraints count too.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::{FieldId, IdGen};
use crate::core::model::{Design, Entity, Index, IndexMethod, Location, Unique};

/// What an index is over: equal keys serve the same queries.
type Key<'a> = (&'a [FieldId], IndexMethod, Option<&'a str>);

/// An index already seen, and whether it enforces uniqueness.
struct Seen<'a> {
    what: What<'a>,
    unique: bool,
    index: Option<&'a Index>,
}

/// Which index a finding keeps; named only when a finding is written.
#[derive(Clone, Copy)]
enum What<'a> {
    PrimaryKey,
    Unique(&'a Unique),
    Index(&'a Index),
}

impl What<'_> {
    fn describe(self, design: &Design, e: &Entity) -> String {
        match self {
            What::PrimaryKey => "the primary key".to_owned(),
            What::Unique(u) => format!("unique constraint `{}`", design.unique_name(e, u)),
            What::Index(i) => format!("index `{}`", design.index_name(e, i)),
        }
    }
}

pub fn check(design: &Design, _ids: &mut IdGen) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in design.entities() {
        if e.indexes.is_empty() {
            continue; // constraints alone are never reported
        }
        let mut seen: HashMap<Key, Seen> = HashMap::new();
        if let Some(pk) = &e.primary_key {
            let what = What::PrimaryKey;
            seen.insert(
                (&pk.fields, IndexMethod::Btree, None),
                Seen {
                    what,
                    unique: true,
                    index: None,
                },
            );
        }
        for u in &e.uniques {
            let what = What::Unique(u);
            seen.entry((&u.fields, IndexMethod::Btree, None))
                .or_insert(Seen {
                    what,
                    unique: true,
                    index: None,
                });
        }
        for i in &e.indexes {
            let key = (i.fields.as_slice(), i.method, i.predicate.as_deref());
            let this = Seen {
                what: What::Index(i),
                unique: i.unique,
                index: Some(i),
            };
            match seen.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(this);
                }
                Entry::Occupied(mut slot) => {
                    let first = slot.get();
                    // Keep whichever enforces uniqueness; drop the other.
                    if first.unique || !i.unique {
                        out.push(finding(design, e, i, &first.what.describe(design, e)));
                    } else if let Some(earlier) = first.index {
                        out.push(finding(design, e, earlier, &this.what.describe(design, e)));
                        slot.insert(this);
                    }
                }
            }
        }
    }
    out
}

fn finding(design: &Design, e: &Entity, index: &Index, kept: &str) -> Finding {
    let name = design.index_name(e, index);
    let fields = e.field_names(&index.fields).join(", ");
    Finding::new(
        Rule::DuplicateIndex,
        Location::Index(e.id.clone(), index.id.clone()),
        format!(
            "index `{name}` on `{}` ({fields}) duplicates {kept}",
            e.name
        ),
        format!("drop index {name}; {kept} already serves the same queries"),
    )
    .with_fix(Edit::RemoveIndex {
        entity: e.id.clone(),
        id: index.id.clone(),
    })
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::DuplicateIndex;
    use crate::core::check::rules::test_support::*;

    fn design(extra: &str) -> String {
        format!(
            r#"(name: "posts", fields: [(name: "id", type: "uuid", not_null: true), (name: "author_id", type: "uuid"), (name: "slug", type: "text"), (name: "at", type: "date")],
                primary_key: ["id"], uniques: [(fields: ["slug"])]{extra})"#
        )
    }

    #[test]
    fn fires_on_a_second_index_over_the_same_fields() {
        check_finds(
            DuplicateIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["author_id", "at"]), (name: "b", fields: ["author_id", "at"])]"#,
            ),
            &["posts: index b"],
        );
        check_finds(
            DuplicateIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["id"]), (name: "b", fields: ["slug"], unique: true)]"#,
            ),
            &["posts: index a", "posts: index b"],
        );
        // The unique one stays, whichever comes first.
        check_finds(
            DuplicateIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["at"]), (name: "b", fields: ["at"], unique: true)]"#,
            ),
            &["posts: index a"],
        );
    }

    #[test]
    fn order_method_and_predicate_tell_indexes_apart() {
        check_ok(
            DuplicateIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["author_id", "at"]), (name: "b", fields: ["at", "author_id"])]"#,
            ),
        );
        check_ok(
            DuplicateIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["slug"], method: Hash), (name: "b", fields: ["id"], where: "at IS NULL")]"#,
            ),
        );
    }

    #[test]
    fn the_fix_drops_the_duplicate() {
        fix_clears(
            DuplicateIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["at"]), (name: "b", fields: ["at"], unique: true), (name: "c", fields: ["id"])]"#,
            ),
        );
    }
}
