//! `redundant-index`: a btree index serves any query on a leading prefix
//! of its fields, so a plain index over such a prefix of another (or of the
//! primary key or a unique constraint) adds nothing for reads and costs on
//! every write.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Index, IndexMethod, Location};

use super::Indexed;

/// A plain btree index: the kind a wider one makes redundant.
fn is_plain(i: &Index) -> bool {
    !i.unique && i.predicate.is_none() && i.method == IndexMethod::Btree
}

pub fn check_entity(design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    if !e.indexes.iter().any(is_plain) {
        return;
    }
    // Every usable btree index (the primary key and unique constraints
    // included), in order: a redundant index names the first it leads.
    let covers = || {
        let pk = e
            .primary_key
            .iter()
            .map(|pk| (&pk.fields, Indexed::PrimaryKey));
        let uniques = e.uniques.iter().map(|u| (&u.fields, Indexed::Unique(u)));
        let indexes = e
            .indexes
            .iter()
            .filter(|i| i.method == IndexMethod::Btree && i.predicate.is_none())
            .map(|i| (&i.fields, Indexed::Index(i)));
        pk.chain(uniques).chain(indexes)
    };
    for i in e
        .indexes
        .iter()
        .filter(|i| is_plain(i) && !i.fields.is_empty())
    {
        let wider =
            covers().find(|(cols, _)| cols.len() > i.fields.len() && cols.starts_with(&i.fields));
        let Some((_, wider)) = wider else {
            continue;
        };
        let wider = wider.describe(design, e);
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
