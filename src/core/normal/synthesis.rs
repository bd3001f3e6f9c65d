//! 3NF synthesis, and the two tests that make a decomposition safe:
//! losslessness and dependency preservation.

use std::collections::BTreeMap;
use std::fmt;

use super::dependency::{closure, minimal_cover, restrict, write_names};
use super::keys::{candidate_keys, is_superkey};
use super::{AttributeSet, FunctionalDependency};

/// One table of a decomposition.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Relation {
    pub attributes: AttributeSet,
    /// A candidate key of this table (there may be others).
    pub key: AttributeSet,
}

impl Relation {
    /// A relation from names: `Relation::new(["zip", "city"], ["zip"])`.
    pub fn new<A, K>(attributes: A, key: K) -> Self
    where
        A: IntoIterator,
        A::Item: Into<String>,
        K: IntoIterator,
        K::Item: Into<String>,
    {
        Relation {
            attributes: attributes.into_iter().map(Into::into).collect(),
            key: key.into_iter().map(Into::into).collect(),
        }
    }
}

/// `(city, state, zip) key (zip)`.
impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        write_names(f, &self.attributes)?;
        f.write_str(") key (")?;
        write_names(f, &self.key)?;
        f.write_str(")")
    }
}

/// Splits a table into tables in 3NF by Bernstein's synthesis, a split that
/// always exists, loses no rows ([`is_lossless`]) and keeps every dependency
/// checkable inside one table ([`preserves_dependencies`]). BCNF cannot
/// promise the last: see the `street, city -> zip; zip -> city` test.
///
/// The steps: take a minimal cover; make one table per left side, holding
/// it and everything it determines, keyed by it; if no table holds a key of
/// the whole, add one that is the (first) candidate key, which is what makes
/// the join lossless; drop tables contained in others. Tables come sorted by
/// key. As in [`super::analyse`], dependencies that cannot apply to
/// `attributes` are ignored.
pub fn synthesize_3nf(attributes: &AttributeSet, fds: &[FunctionalDependency]) -> Vec<Relation> {
    if attributes.is_empty() {
        return Vec::new();
    }
    let fds = restrict(attributes, fds);

    let mut groups: BTreeMap<AttributeSet, AttributeSet> = BTreeMap::new();
    for fd in minimal_cover(&fds) {
        groups.entry(fd.lhs).or_default().extend(fd.rhs);
    }
    // A left side of a minimal cover has no extraneous attribute, so it is a
    // candidate key of its group's table, not merely a superkey.
    let mut relations: Vec<Relation> = groups
        .into_iter()
        .map(|(lhs, rhs)| Relation {
            attributes: lhs.union(&rhs).cloned().collect(),
            key: lhs,
        })
        .collect();

    if !relations
        .iter()
        .any(|r| is_superkey(&r.attributes, attributes, &fds))
    {
        let key = candidate_keys(attributes, &fds).swap_remove(0);
        relations.push(Relation {
            attributes: key.clone(),
            key,
        });
    }

    // A table inside another adds nothing; of two equal ones keep the first.
    let redundant = |i: usize, r: &Relation| {
        relations.iter().enumerate().any(|(j, other)| {
            j != i
                && r.attributes.is_subset(&other.attributes)
                && (r.attributes != other.attributes || j < i)
        })
    };
    let mut kept: Vec<Relation> = relations
        .iter()
        .enumerate()
        .filter(|&(i, r)| !redundant(i, r))
        .map(|(_, r)| r.clone())
        .collect();
    kept.sort_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then_with(|| a.attributes.cmp(&b.attributes))
    });
    kept
}

/// True when joining `relations` back together gives exactly the rows of any
/// table on `attributes` satisfying `fds`: no spurious rows appear.
///
/// This is the chase: a tableau with one row per relation, holding the
/// shared symbol 0 in that relation's columns and a symbol of its own
/// elsewhere. Each dependency forces rows that agree on its left side to
/// agree on its right side; the join is lossless exactly when some row ends
/// up all 0s. Cost is polynomial: each merge removes a symbol.
pub fn is_lossless(
    attributes: &AttributeSet,
    fds: &[FunctionalDependency],
    relations: &[Relation],
) -> bool {
    let fds = restrict(attributes, fds);
    let columns: BTreeMap<&String, usize> = attributes.iter().zip(0..).collect();
    let width = columns.len();
    let indexes =
        |names: &AttributeSet| -> Vec<usize> { names.iter().map(|n| columns[n]).collect() };
    let deps: Vec<(Vec<usize>, Vec<usize>)> = fds
        .iter()
        .map(|fd| (indexes(&fd.lhs), indexes(&fd.rhs)))
        .collect();

    let mut rows: Vec<Vec<usize>> = relations
        .iter()
        .enumerate()
        .map(|(i, relation)| {
            columns
                .iter()
                .map(|(&name, &j)| {
                    if relation.attributes.contains(name) {
                        0
                    } else {
                        1 + i * width + j
                    }
                })
                .collect()
        })
        .collect();

    let mut changed = true;
    while changed {
        changed = false;
        for (lhs, rhs) in &deps {
            for i in 0..rows.len() {
                for j in i + 1..rows.len() {
                    if !lhs.iter().all(|&c| rows[i][c] == rows[j][c]) {
                        continue;
                    }
                    for &c in rhs {
                        let (x, y) = (rows[i][c], rows[j][c]);
                        if x != y {
                            // Keep the smaller symbol, so 0 always wins.
                            let (keep, replace) = (x.min(y), x.max(y));
                            for row in &mut rows {
                                if row[c] == replace {
                                    row[c] = keep;
                                }
                            }
                            changed = true;
                        }
                    }
                }
            }
        }
    }
    rows.iter().any(|row| row.iter().all(|&symbol| symbol == 0))
}

/// True when every dependency of `fds` can be enforced inside the
/// `relations` alone, i.e. their projected dependencies imply all of `fds`.
///
/// It grows the closure of each left side using only what each relation
/// can see (the closure of its part, cut back to the relation), the standard
/// polynomial test that avoids computing projections.
pub fn preserves_dependencies(fds: &[FunctionalDependency], relations: &[Relation]) -> bool {
    fds.iter().all(|fd| {
        let mut reached = fd.lhs.clone();
        loop {
            let before = reached.len();
            for relation in relations {
                let seen: AttributeSet = reached
                    .intersection(&relation.attributes)
                    .cloned()
                    .collect();
                let derived: Vec<String> = closure(&seen, fds)
                    .intersection(&relation.attributes)
                    .cloned()
                    .collect();
                reached.extend(derived);
            }
            if reached.len() == before {
                break;
            }
        }
        fd.rhs.is_subset(&reached)
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{NormalForm, analyse, attribute_set as set, fds, project};
    use super::*;

    #[test]
    fn partial_dependency_splits_off_the_product() {
        let attrs = set(["order_id", "product_id", "quantity", "product_name"]);
        let deps = fds(&[
            "order_id, product_id -> quantity",
            "product_id -> product_name",
        ]);
        let relations = synthesize_3nf(&attrs, &deps);
        assert_eq!(
            relations,
            vec![
                Relation::new(
                    ["order_id", "product_id", "quantity"],
                    ["order_id", "product_id"]
                ),
                Relation::new(["product_id", "product_name"], ["product_id"]),
            ]
        );
        assert!(is_lossless(&attrs, &deps, &relations));
        assert!(preserves_dependencies(&deps, &relations));
    }

    #[test]
    fn transitive_dependency_splits_off_the_zip() {
        let attrs = set(["id", "name", "zip", "city", "state"]);
        let deps = fds(&["id -> name, zip", "zip -> city, state"]);
        let relations = synthesize_3nf(&attrs, &deps);
        assert_eq!(
            relations,
            vec![
                Relation::new(["id", "name", "zip"], ["id"]),
                Relation::new(["zip", "city", "state"], ["zip"]),
            ]
        );
        assert_eq!(relations[1].to_string(), "(city, state, zip) key (zip)");
        assert!(is_lossless(&attrs, &deps, &relations));
        assert!(preserves_dependencies(&deps, &relations));
    }

    #[test]
    fn a_3nf_table_stays_whole_where_bcnf_would_lose_a_dependency() {
        let attrs = set(["street", "city", "zip"]);
        let deps = fds(&["street, city -> zip", "zip -> city"]);
        // The zip table (zip, city) lies inside the first and is dropped.
        assert_eq!(
            synthesize_3nf(&attrs, &deps),
            vec![Relation::new(["street", "city", "zip"], ["city", "street"])]
        );
        // The BCNF split is lossless, but street, city -> zip is lost.
        let bcnf = [
            Relation::new(["zip", "city"], ["zip"]),
            Relation::new(["street", "zip"], ["street", "zip"]),
        ];
        assert!(is_lossless(&attrs, &deps, &bcnf));
        assert!(!preserves_dependencies(&deps, &bcnf));
    }

    #[test]
    fn a_key_table_is_added_when_no_group_holds_a_key() {
        // Enrolments: student -> advisor, course -> room; the key is
        // (course, student), which neither group holds.
        let attrs = set(["student", "advisor", "course", "room"]);
        let deps = fds(&["student -> advisor", "course -> room"]);
        let relations = synthesize_3nf(&attrs, &deps);
        assert_eq!(
            relations,
            vec![
                Relation::new(["course", "room"], ["course"]),
                Relation::new(["course", "student"], ["course", "student"]),
                Relation::new(["student", "advisor"], ["student"]),
            ]
        );
        assert!(is_lossless(&attrs, &deps, &relations));
        // Without the key table the join invents rows.
        let without_key = [relations[0].clone(), relations[2].clone()];
        assert!(!is_lossless(&attrs, &deps, &without_key));
    }

    #[test]
    fn no_dependencies_keeps_one_all_key_table() {
        let attrs = set(["a", "b"]);
        assert_eq!(
            synthesize_3nf(&attrs, &[]),
            vec![Relation::new(["a", "b"], ["a", "b"])]
        );
        assert_eq!(synthesize_3nf(&AttributeSet::new(), &[]), vec![]);
    }

    #[test]
    fn chase_tells_lossless_from_lossy() {
        let attrs = set(["a", "b", "c"]);
        let deps = fds(&["a -> b"]);
        // Sharing a, which determines b: lossless.
        let good = [
            Relation::new(["a", "b"], ["a"]),
            Relation::new(["a", "c"], ["a", "c"]),
        ];
        assert!(is_lossless(&attrs, &deps, &good));
        // Sharing b, which determines nothing: lossy.
        let bad = [
            Relation::new(["a", "b"], ["a"]),
            Relation::new(["b", "c"], ["b", "c"]),
        ];
        assert!(!is_lossless(&attrs, &deps, &bad));
        // The whole table is trivially lossless; missing an attribute is not.
        assert!(is_lossless(
            &attrs,
            &deps,
            &[Relation::new(["a", "b", "c"], ["a", "c"])]
        ));
        assert!(!is_lossless(
            &attrs,
            &deps,
            &[Relation::new(["a", "b"], ["a"])]
        ));
    }

    #[test]
    fn chase_follows_chains_across_rows() {
        // Needs two rounds: a -> b equates b, then b -> c equates c.
        let attrs = set(["a", "b", "c", "d"]);
        let deps = fds(&["a -> b", "b -> c"]);
        let relations = [
            Relation::new(["a", "d"], ["a", "d"]),
            Relation::new(["a", "b"], ["a"]),
            Relation::new(["b", "c"], ["b"]),
        ];
        assert!(is_lossless(&attrs, &deps, &relations));
    }

    #[test]
    fn preservation_follows_chains_across_relations() {
        // a -> c is not inside any one relation but follows from a -> b and
        // b -> c, each of which is.
        let deps = fds(&["a -> b", "b -> c", "a -> c"]);
        let relations = [
            Relation::new(["a", "b"], ["a"]),
            Relation::new(["b", "c"], ["b"]),
        ];
        assert!(preserves_dependencies(&deps, &relations));
        let relations = [
            Relation::new(["a", "b"], ["a"]),
            Relation::new(["a", "c"], ["a"]),
        ];
        assert!(!preserves_dependencies(&deps, &relations));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// For random tables of up to 8 attributes and random dependencies,
        /// the synthesis is lossless and dependency-preserving, and each of
        /// its tables is in 3NF under the dependencies projected onto it,
        /// with its reported key a candidate key.
        #[test]
        fn synthesis_is_lossless_preserving_and_3nf(
            size in 1usize..=8,
            raw in prop::collection::vec((1u8..=255, 1u8..=255), 0..8),
        ) {
            let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
            let attributes = set(names[..size].iter().copied());
            let pick = |mask: u8| -> AttributeSet {
                (0..size).filter(|bit| mask & (1 << bit) != 0).map(|bit| names[bit].to_owned()).collect()
            };
            let deps: Vec<FunctionalDependency> = raw
                .iter()
                .map(|&(l, r)| FunctionalDependency { lhs: pick(l), rhs: pick(r) })
                .filter(|fd| !fd.lhs.is_empty() && !fd.rhs.is_empty())
                .collect();

            let relations = synthesize_3nf(&attributes, &deps);
            prop_assert!(is_lossless(&attributes, &deps, &relations), "lossy: {:?}", relations);
            prop_assert!(preserves_dependencies(&deps, &relations), "loses a dependency: {:?}", relations);
            for (i, relation) in relations.iter().enumerate() {
                let projected = project(&relation.attributes, &deps);
                let analysis = analyse(&relation.attributes, &projected);
                prop_assert!(analysis.normal_form >= NormalForm::Third, "{} is {}", relation, analysis);
                prop_assert!(analysis.candidate_keys.contains(&relation.key), "{} has keys {:?}", relation, analysis.candidate_keys);
                for (j, other) in relations.iter().enumerate() {
                    prop_assert!(i == j || !relation.attributes.is_subset(&other.attributes));
                }
            }
        }
    }
}
