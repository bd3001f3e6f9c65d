//! Superkeys and candidate keys.

use std::collections::BTreeSet;

use super::dependency::closure;
use super::{AttributeSet, FunctionalDependency};

/// True when `set` determines every one of `attributes`.
pub fn is_superkey(
    set: &AttributeSet,
    attributes: &AttributeSet,
    fds: &[FunctionalDependency],
) -> bool {
    closure(set, fds).is_superset(attributes)
}

/// How many candidate sets [`candidate_keys`] looks at before giving up.
///
/// Finding all keys is exponential in the worst case (a table can have
/// exponentially many keys), and the check engine runs on every edit. With
/// the pruning below, a typical table of up to 30 attributes has only a
/// handful of attributes left to search and stays far below this limit.
pub const KEY_SEARCH_LIMIT: usize = 100_000;

/// The outcome of a key search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySearch {
    /// Minimal keys, shortest first, then in name order. Never empty: even a
    /// cut-short search reports one key.
    pub keys: Vec<AttributeSet>,
    /// False when the search hit its limit, so more keys may exist.
    pub complete: bool,
}

/// All candidate keys of a table with `attributes` under `fds`: shortest
/// first, then in name order.
///
/// The search is capped at [`KEY_SEARCH_LIMIT`] candidate sets; past it, the
/// keys found so far are returned (at least one). Use
/// [`search_candidate_keys`] to learn whether the list is complete.
pub fn candidate_keys(
    attributes: &AttributeSet,
    fds: &[FunctionalDependency],
) -> Vec<AttributeSet> {
    search_candidate_keys(attributes, fds, KEY_SEARCH_LIMIT).keys
}

/// [`candidate_keys`] with an explicit cap on the number of candidate sets
/// examined, reporting whether the search finished.
///
/// The standard pruning keeps the search small:
/// - an attribute that nothing else determines (in the textbook phrasing,
///   one on no right side) is in every key, so it is in every candidate;
/// - an attribute that determines nothing (on no left side) but is
///   determined is in no key, so it is never tried.
///
/// Only the attributes in between are searched, smallest combinations first,
/// so each superkey found is minimal and its supersets can be skipped.
pub fn search_candidate_keys(
    attributes: &AttributeSet,
    fds: &[FunctionalDependency],
    limit: usize,
) -> KeySearch {
    let superkey = |set: &AttributeSet| is_superkey(set, attributes, fds);

    // "Nothing else determines it", tested by closure rather than by looking
    // at right sides, so dependencies that mention other tables' attributes
    // cannot mislead it.
    let core: AttributeSet = attributes
        .iter()
        .filter(|a| {
            let mut others = attributes.clone();
            others.remove(*a);
            !closure(&others, fds).contains(*a)
        })
        .cloned()
        .collect();
    if superkey(&core) {
        return KeySearch {
            keys: vec![core],
            complete: true,
        };
    }

    let on_left: BTreeSet<&String> = fds.iter().flat_map(|fd| &fd.lhs).collect();
    let optional: Vec<&String> = attributes
        .iter()
        .filter(|a| !core.contains(*a) && on_left.contains(a))
        .collect();

    let mut keys: Vec<AttributeSet> = Vec::new();
    let mut examined = 0;
    let mut complete = true;
    'sizes: for size in 1..=optional.len() {
        // Whether some set of this size holds no key found so far. If none
        // does, every larger set holds one too and the search is over.
        let mut any_new = false;
        let mut chosen: Vec<usize> = (0..size).collect();
        loop {
            examined += 1;
            if examined > limit {
                complete = false;
                break 'sizes;
            }
            let mut candidate = core.clone();
            candidate.extend(chosen.iter().map(|&i| optional[i].clone()));
            if !keys.iter().any(|key| key.is_subset(&candidate)) {
                any_new = true;
                if superkey(&candidate) {
                    keys.push(candidate);
                }
            }
            if !next_combination(&mut chosen, optional.len()) {
                break;
            }
        }
        if !any_new {
            break;
        }
    }

    if keys.is_empty() {
        // Only a cut-short search gets here: core plus every optional
        // attribute is a superkey, so the full search always finds a key.
        let mut all = core.clone();
        all.extend(optional.iter().map(|a| (*a).clone()));
        keys.push(shrink_to_key(all, attributes, fds));
    }
    keys.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    KeySearch { keys, complete }
}

/// Removes attributes from a superkey, in name order, while it stays one.
fn shrink_to_key(
    mut key: AttributeSet,
    attributes: &AttributeSet,
    fds: &[FunctionalDependency],
) -> AttributeSet {
    for name in key.clone() {
        key.remove(&name);
        if !is_superkey(&key, attributes, fds) {
            key.insert(name);
        }
    }
    key
}

/// Steps `chosen` (strictly increasing indexes below `n`) to the next
/// combination of the same size in lexicographic order; false after the last.
fn next_combination(chosen: &mut [usize], n: usize) -> bool {
    let k = chosen.len();
    // The rightmost index that can still move right.
    let Some(i) = (0..k).rev().find(|&i| chosen[i] < n - k + i) else {
        return false;
    };
    chosen[i] += 1;
    for j in i + 1..k {
        chosen[j] = chosen[j - 1] + 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{attribute_set as set, fds};
    use super::*;

    #[test]
    fn composite_key() {
        let attrs = set(["order_id", "product_id", "quantity", "product_name"]);
        let deps = fds(&[
            "order_id, product_id -> quantity",
            "product_id -> product_name",
        ]);
        assert_eq!(
            candidate_keys(&attrs, &deps),
            vec![set(["order_id", "product_id"])]
        );
    }

    #[test]
    fn overlapping_keys() {
        // street, city -> zip; zip -> city: the classic 3NF-not-BCNF table.
        let attrs = set(["street", "city", "zip"]);
        let deps = fds(&["street, city -> zip", "zip -> city"]);
        assert_eq!(
            candidate_keys(&attrs, &deps),
            vec![set(["city", "street"]), set(["street", "zip"])]
        );
    }

    #[test]
    fn a_cycle_makes_every_attribute_a_key() {
        let attrs = set(["a", "b", "c", "d"]);
        let deps = fds(&["a -> b", "b -> c", "c -> d", "d -> a"]);
        assert_eq!(
            candidate_keys(&attrs, &deps),
            vec![set(["a"]), set(["b"]), set(["c"]), set(["d"])]
        );
    }

    #[test]
    fn no_dependencies_means_the_whole_table_is_the_key() {
        let attrs = set(["a", "b", "c"]);
        assert_eq!(candidate_keys(&attrs, &[]), vec![attrs.clone()]);
    }

    #[test]
    fn thirty_attributes_are_fast() {
        // id determines 27 columns, two of which also determine id back.
        let mut names: Vec<String> = (0..28).map(|i| format!("c{i:02}")).collect();
        names.push("id".into());
        names.push("tenant".into());
        let attrs = set(names.clone());
        let mut deps = vec![FunctionalDependency::new(["id"], names[..28].to_vec())];
        deps.push(FunctionalDependency::new(["c00"], ["id"]));
        deps.push(FunctionalDependency::new(["c01", "c02"], ["id"]));
        let search = search_candidate_keys(&attrs, &deps, KEY_SEARCH_LIMIT);
        assert!(search.complete);
        assert_eq!(
            search.keys,
            vec![
                set(["c00", "tenant"]),
                set(["id", "tenant"]),
                set(["c01", "c02", "tenant"])
            ]
        );
    }

    #[test]
    fn a_cut_short_search_says_so_and_still_reports_a_key() {
        let attrs = set(["a", "b", "c", "d"]);
        let deps = fds(&["a -> b", "b -> c", "c -> d", "d -> a"]);
        let search = search_candidate_keys(&attrs, &deps, 2);
        assert!(!search.complete);
        assert_eq!(search.keys, vec![set(["a"]), set(["b"])]);
        let search = search_candidate_keys(&attrs, &deps, 0);
        assert!(!search.complete);
        assert_eq!(search.keys, vec![set(["d"])]);
    }

    #[test]
    fn combinations_come_in_order() {
        let mut chosen = vec![0, 1];
        let mut seen = vec![chosen.clone()];
        while next_combination(&mut chosen, 4) {
            seen.push(chosen.clone());
        }
        assert_eq!(
            seen,
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
    }

    /// Every minimal superkey, by trying every subset.
    fn brute_force_keys(
        attributes: &AttributeSet,
        fds: &[FunctionalDependency],
    ) -> Vec<AttributeSet> {
        let names: Vec<&String> = attributes.iter().collect();
        let subsets: Vec<AttributeSet> = (0u32..1 << names.len())
            .map(|mask| {
                (0..names.len())
                    .filter(|bit| mask & (1 << bit) != 0)
                    .map(|bit| names[bit].clone())
                    .collect()
            })
            .collect();
        let superkeys: Vec<&AttributeSet> = subsets
            .iter()
            .filter(|s| is_superkey(s, attributes, fds))
            .collect();
        let mut keys: Vec<AttributeSet> = superkeys
            .iter()
            .filter(|s| {
                !superkeys
                    .iter()
                    .any(|t| t.len() < s.len() && t.is_subset(s))
            })
            .map(|s| (*s).clone())
            .collect();
        keys.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        keys
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The pruned search finds exactly the keys that trying every subset
        /// finds, including when dependencies mention attributes outside
        /// the table (`x`).
        #[test]
        fn pruned_search_matches_brute_force(
            size in 1usize..=7,
            raw in prop::collection::vec((1u16..512, 1u16..512), 0..7),
        ) {
            let names = ["a", "b", "c", "d", "e", "f", "g", "x", "y"];
            let attributes = set(names[..size].iter().copied());
            let pick = |mask: u16| -> AttributeSet {
                (0..names.len()).filter(|bit| mask & (1 << bit) != 0).map(|bit| names[bit].to_owned()).collect()
            };
            let deps: Vec<FunctionalDependency> = raw
                .iter()
                .map(|&(l, r)| FunctionalDependency { lhs: pick(l), rhs: pick(r) })
                .collect();
            let search = search_candidate_keys(&attributes, &deps, KEY_SEARCH_LIMIT);
            prop_assert!(search.complete);
            prop_assert_eq!(search.keys, brute_force_keys(&attributes, &deps));
        }
    }
}
