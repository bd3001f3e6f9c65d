//! `duplicate-index`: two indexes over the same fields, in the same order,
//! with the same method and predicate, serve exactly the same queries. The
//! second one only costs disk and slows every write. The indexes behind
//! the primary key and unique constraints count too.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::{FieldId, IdGen};
use crate::core::model::{Design, Entity, Index, IndexMethod, Location, SqlExpr};

use super::Indexed;

/// What an index is over: equal keys serve the same queries.
type Key<'a> = (&'a [FieldId], IndexMethod, Option<&'a str>);

fn key(i: &Index) -> Key<'_> {
    (
        i.fields.as_slice(),
        i.method,
        i.predicate.as_ref().map(SqlExpr::as_str),
    )
}

/// The index kept for a key so far, and whether it enforces uniqueness.
struct Seen<'a> {
    key: Key<'a>,
    what: Indexed<'a>,
    unique: bool,
    index: Option<&'a Index>,
}

pub fn check_entity(design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    // Constraints alone are never reported, and most entities have no two
    // keys alike: find that out before keeping track of anything.
    let pk = e
        .primary_key
        .iter()
        .map(|pk| (pk.fields.as_slice(), IndexMethod::Btree, None));
    let uniques = e
        .uniques
        .iter()
        .map(|u| (u.fields.as_slice(), IndexMethod::Btree, None));
    let repeated = e.indexes.iter().enumerate().any(|(n, i)| {
        let this = key(i);
        pk.clone().chain(uniques.clone()).any(|k| k == this)
            || e.indexes[..n].iter().any(|earlier| key(earlier) == this)
    });
    if !repeated {
        return;
    }
    // A handful of keys per entity: a list searched in order beats a map.
    let mut seen: Vec<Seen> = Vec::with_capacity(1 + e.uniques.len() + e.indexes.len());
    if let Some(pk) = &e.primary_key {
        seen.push(Seen {
            key: (&pk.fields, IndexMethod::Btree, None),
            what: Indexed::PrimaryKey,
            unique: true,
            index: None,
        });
    }
    for u in &e.uniques {
        let key = (u.fields.as_slice(), IndexMethod::Btree, None);
        if !seen.iter().any(|s| s.key == key) {
            seen.push(Seen {
                key,
                what: Indexed::Unique(u),
                unique: true,
                index: None,
            });
        }
    }
    for i in &e.indexes {
        let this = Seen {
            key: key(i),
            what: Indexed::Index(i),
            unique: i.unique,
            index: Some(i),
        };
        let Some(first) = seen.iter_mut().find(|s| s.key == this.key) else {
            seen.push(this);
            continue;
        };
        // Keep whichever enforces uniqueness; drop the other.
        if first.unique || !i.unique {
            out.push(finding(design, e, i, &first.what.describe(design, e)));
        } else if let Some(earlier) = first.index {
            out.push(finding(design, e, earlier, &this.what.describe(design, e)));
            *first = this;
        }
    }
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
