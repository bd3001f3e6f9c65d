//! `redundant-index`: a btree index serves any query on a leading prefix
//! of its fields, so a plain index over such a prefix of another (or of the
//! primary key or a unique constraint) adds nothing for reads and costs on
//! every write.

use std::collections::HashMap;

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::{FieldId, IdGen};
use crate::core::model::{Design, IndexMethod, Location};

pub fn check(design: &Design, _ids: &mut IdGen) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in design.entities() {
        // Every strict leading prefix of a usable btree index (the primary
        // key and unique constraints included), with the first it leads.
        let mut prefixes: HashMap<&[FieldId], String> = HashMap::new();
        let mut covers: Vec<(&[FieldId], String)> = Vec::new();
        if let Some(pk) = &e.primary_key {
            covers.push((&pk.fields, "the primary key".to_owned()));
        }
        for u in &e.uniques {
            let what = format!("unique constraint `{}`", design.unique_name(e, u));
            covers.push((&u.fields, what));
        }
        for i in &e.indexes {
            if i.method == IndexMethod::Btree && i.predicate.is_none() {
                covers.push((&i.fields, format!("index `{}`", design.index_name(e, i))));
            }
        }
        for (cols, what) in covers {
            for n in 1..cols.len() {
                prefixes.entry(&cols[..n]).or_insert_with(|| what.clone());
            }
        }
        for i in &e.indexes {
            if i.unique || i.predicate.is_some() || i.method != IndexMethod::Btree {
                continue;
            }
            let Some(wider) = prefixes.get(i.fields.as_slice()) else {
                continue;
            };
            let name = design.index_name(e, i);
            let fields = e.field_names(&i.fields).join(", ");
            out.push(
                Finding::new(
                    Rule::RedundantIndex,
                    Location::Index(e.id.clone(), i.id.clone()),
                    format!(
                        "index `{name}` on `{}` ({fields}) is a leading prefix of {wider}",
                        e.name
                    ),
                    format!("drop index {name}; {wider} already serves queries on ({fields})"),
                )
                .with_fix(Edit::RemoveIndex {
                    entity: e.id.clone(),
                    id: i.id.clone(),
                }),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::RedundantIndex;
    use crate::core::check::rules::test_support::*;

    fn design(extra: &str) -> String {
        format!(
            r#"(name: "posts", fields: [(name: "id", type: "uuid", not_null: true), (name: "author_id", type: "uuid"), (name: "slug", type: "text"), (name: "at", type: "date")],
                primary_key: ["id"], uniques: [(fields: ["slug", "at"])]{extra})"#
        )
    }

    #[test]
    fn fires_on_a_plain_index_over_a_leading_prefix() {
        check_finds(
            RedundantIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["author_id"]), (name: "b", fields: ["author_id", "at"]), (name: "c", fields: ["slug"])]"#,
            ),
            &["posts: index a", "posts: index c"],
        );
    }

    #[test]
    fn other_orders_methods_uniques_and_partials_do_not_count() {
        check_ok(
            RedundantIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["at"]), (name: "b", fields: ["author_id", "at"])]"#,
            ),
        );
        check_ok(
            RedundantIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["author_id"]), (name: "b", fields: ["author_id", "at"], where: "at IS NULL")]"#,
            ),
        );
        check_ok(
            RedundantIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["author_id"]), (name: "b", fields: ["author_id", "at"], method: Gist)]"#,
            ),
        );
        check_ok(
            RedundantIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["slug"], unique: true), (name: "b", fields: ["slug"], where: "at IS NULL"), (name: "c", fields: ["slug"], method: Hash)]"#,
            ),
        );
    }

    #[test]
    fn the_fix_drops_the_index() {
        fix_clears(
            RedundantIndex,
            &design(
                r#", indexes: [(name: "a", fields: ["author_id"]), (name: "b", fields: ["author_id", "at"]), (name: "c", fields: ["slug"])]"#,
            ),
        );
    }
}
