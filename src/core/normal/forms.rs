//! Normal forms: which one a table reaches, and what stops it going further.

use std::collections::BTreeMap;
use std::fmt;

use super::dependency::{closure, minimal_cover, restrict, write_names};
use super::keys::{KEY_SEARCH_LIMIT, is_superkey, search_candidate_keys};
use super::{AttributeSet, FunctionalDependency};

/// The normal forms plinth reports, weakest first, so `>=` reads as
/// "at least as normalised as".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NormalForm {
    /// Atomic values only. Plinth's columns hold one typed value each, so
    /// every table is taken to be in 1NF.
    First,
    /// 1NF, and no non-prime attribute depends on part of a candidate key.
    Second,
    /// 2NF, and no non-prime attribute depends on anything but a superkey.
    Third,
    /// Boyce–Codd: every non-trivial determinant is a superkey.
    BoyceCodd,
}

impl fmt::Display for NormalForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NormalForm::First => "1NF",
            NormalForm::Second => "2NF",
            NormalForm::Third => "3NF",
            NormalForm::BoyceCodd => "BCNF",
        })
    }
}

/// What kind of dependency keeps a table out of the next normal form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ViolationKind {
    /// Breaks 2NF: non-prime attributes depend on a proper part of a
    /// candidate key (`product_id -> product_name` with key
    /// `order_id, product_id`), so they repeat on every row sharing that part.
    PartialDependency,
    /// Breaks 3NF: non-prime attributes depend on something that is not a
    /// superkey (`zip -> city`), so they repeat with it.
    TransitiveDependency,
    /// Breaks BCNF: a prime attribute depends on something that is not a
    /// superkey (`zip -> city` where `street, city` is a key).
    NonKeyDeterminant,
}

impl ViolationKind {
    /// The normal form this kind of dependency rules out.
    pub fn breaks(self) -> NormalForm {
        match self {
            ViolationKind::PartialDependency => NormalForm::Second,
            ViolationKind::TransitiveDependency => NormalForm::Third,
            ViolationKind::NonKeyDeterminant => NormalForm::BoyceCodd,
        }
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ViolationKind::PartialDependency => "partial dependency",
            ViolationKind::TransitiveDependency => "transitive dependency",
            ViolationKind::NonKeyDeterminant => "non-key determinant",
        })
    }
}

/// One dependency that keeps a table out of the next normal form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Violation {
    pub kind: ViolationKind,
    /// With a minimal left side, and every right-side attribute that the
    /// same left side determines in violation.
    pub dependency: FunctionalDependency,
}

/// `partial dependency product_id -> product_name (breaks 2NF)`.
impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} (breaks {})",
            self.kind,
            self.dependency,
            self.kind.breaks()
        )
    }
}

/// What [`analyse`] found out about a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    /// Shortest first, then in name order; never empty.
    pub candidate_keys: Vec<AttributeSet>,
    /// False when the key search hit [`KEY_SEARCH_LIMIT`]; then the keys,
    /// the prime attributes and the normal form may be incomplete.
    pub keys_complete: bool,
    /// Attributes that belong to some candidate key.
    pub prime_attributes: AttributeSet,
    /// The highest normal form the table satisfies.
    pub normal_form: NormalForm,
    /// What breaks the next normal form up, sorted; empty for BCNF.
    pub violations: Vec<Violation>,
}

/// Finds the keys of a table and the highest normal form it reaches, with
/// the dependencies that keep it from the next one.
///
/// `fds` should name only `attributes`: a dependency whose left side names
/// anything else cannot apply to this table and is ignored, and right-side
/// names outside it are dropped. Violations are reported only for the next
/// form up, because that is the step a designer takes next; a table in 1NF
/// lists its partial dependencies, not also its transitive ones.
pub fn analyse(attributes: &AttributeSet, fds: &[FunctionalDependency]) -> Analysis {
    let fds = restrict(attributes, fds);
    let search = search_candidate_keys(attributes, &fds, KEY_SEARCH_LIMIT);
    let keys = search.keys;
    let prime: AttributeSet = keys.iter().flatten().cloned().collect();

    let (normal_form, violations) = grade(attributes, &fds, &keys, &prime);
    Analysis {
        candidate_keys: keys,
        keys_complete: search.complete,
        prime_attributes: prime,
        normal_form,
        violations,
    }
}

/// The highest form reached and what breaks the next one.
fn grade(
    attributes: &AttributeSet,
    fds: &[FunctionalDependency],
    keys: &[AttributeSet],
    prime: &AttributeSet,
) -> (NormalForm, Vec<Violation>) {
    let partial = partial_dependencies(fds, keys, prime);
    if !partial.is_empty() {
        return (
            NormalForm::First,
            violations(ViolationKind::PartialDependency, partial),
        );
    }

    // Checking the dependencies of one cover is enough for 3NF and BCNF: any
    // implied dependency that breaks them implies one in the cover that does.
    // A minimal cover gives the shortest left sides to report.
    let mut transitive = Vec::new();
    let mut non_key = Vec::new();
    for fd in minimal_cover(fds) {
        if is_superkey(&fd.lhs, attributes, fds) {
            continue;
        }
        if fd.rhs.is_subset(prime) {
            non_key.push(fd);
        } else {
            transitive.push(fd);
        }
    }
    if !transitive.is_empty() {
        return (
            NormalForm::Second,
            violations(ViolationKind::TransitiveDependency, transitive),
        );
    }
    if !non_key.is_empty() {
        return (
            NormalForm::Third,
            violations(ViolationKind::NonKeyDeterminant, non_key),
        );
    }
    (NormalForm::BoyceCodd, Vec::new())
}

/// Non-prime attributes that a proper part of some candidate key determines,
/// each with a smallest such part.
///
/// Any part of a key lies inside the key minus one attribute, and closure
/// only grows with its input, so looking at those |key| sets finds every
/// partial dependency; each left side is then shrunk while it still works.
fn partial_dependencies(
    fds: &[FunctionalDependency],
    keys: &[AttributeSet],
    prime: &AttributeSet,
) -> Vec<FunctionalDependency> {
    let mut found = Vec::new();
    for key in keys {
        for left_out in key {
            let mut part = key.clone();
            part.remove(left_out);
            for attribute in closure(&part, fds).difference(prime) {
                let lhs = shrink_determinant(part.clone(), attribute, fds);
                found.push(FunctionalDependency::new(lhs, [attribute.clone()]));
            }
        }
    }
    found
}

/// Removes attributes from `lhs`, in name order, while it still determines
/// `target`.
fn shrink_determinant(
    mut lhs: AttributeSet,
    target: &String,
    fds: &[FunctionalDependency],
) -> AttributeSet {
    for name in lhs.clone() {
        lhs.remove(&name);
        if !closure(&lhs, fds).contains(target) {
            lhs.insert(name);
        }
    }
    lhs
}

/// Merges dependencies with the same left side (`zip -> city` and
/// `zip -> state` into `zip -> city, state`), sorted.
fn violations(kind: ViolationKind, fds: Vec<FunctionalDependency>) -> Vec<Violation> {
    let mut by_lhs: BTreeMap<AttributeSet, AttributeSet> = BTreeMap::new();
    for fd in fds {
        by_lhs.entry(fd.lhs).or_default().extend(fd.rhs);
    }
    by_lhs
        .into_iter()
        .map(|(lhs, rhs)| Violation {
            kind,
            dependency: FunctionalDependency { lhs, rhs },
        })
        .collect()
}

impl fmt::Display for Analysis {
    /// `3NF; keys (city, street), (street, zip)`, then one violation a line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; keys ", self.normal_form)?;
        for (i, key) in self.candidate_keys.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str("(")?;
            write_names(f, key)?;
            f.write_str(")")?;
        }
        if !self.keys_complete {
            f.write_str(" (search cut short)")?;
        }
        for violation in &self.violations {
            write!(f, "\n{violation}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{attribute_set as set, fds};
    use super::*;

    fn violation(kind: ViolationKind, text: &str) -> Violation {
        Violation {
            kind,
            dependency: FunctionalDependency::parse(text).unwrap(),
        }
    }

    #[test]
    fn composite_key_with_a_partial_dependency_is_1nf() {
        let attrs = set(["order_id", "product_id", "quantity", "product_name"]);
        let deps = fds(&[
            "order_id, product_id -> quantity",
            "product_id -> product_name",
        ]);
        let analysis = analyse(&attrs, &deps);
        assert_eq!(
            analysis.candidate_keys,
            vec![set(["order_id", "product_id"])]
        );
        assert!(analysis.keys_complete);
        assert_eq!(analysis.prime_attributes, set(["order_id", "product_id"]));
        assert_eq!(analysis.normal_form, NormalForm::First);
        assert_eq!(
            analysis.violations,
            vec![violation(
                ViolationKind::PartialDependency,
                "product_id -> product_name"
            )]
        );
        assert_eq!(
            analysis.to_string(),
            "1NF; keys (order_id, product_id)\n\
             partial dependency product_id -> product_name (breaks 2NF)"
        );
    }

    #[test]
    fn transitive_dependency_is_2nf() {
        let attrs = set(["id", "name", "zip", "city", "state"]);
        let deps = fds(&["id -> name, zip", "zip -> city, state"]);
        let analysis = analyse(&attrs, &deps);
        assert_eq!(analysis.candidate_keys, vec![set(["id"])]);
        assert_eq!(analysis.normal_form, NormalForm::Second);
        assert_eq!(
            analysis.violations,
            vec![violation(
                ViolationKind::TransitiveDependency,
                "zip -> city, state"
            )]
        );
    }

    #[test]
    fn third_normal_form_but_not_boyce_codd() {
        let attrs = set(["street", "city", "zip"]);
        let deps = fds(&["street, city -> zip", "zip -> city"]);
        let analysis = analyse(&attrs, &deps);
        assert_eq!(
            analysis.candidate_keys,
            vec![set(["city", "street"]), set(["street", "zip"])]
        );
        assert_eq!(analysis.prime_attributes, attrs);
        assert_eq!(analysis.normal_form, NormalForm::Third);
        assert_eq!(
            analysis.violations,
            vec![violation(ViolationKind::NonKeyDeterminant, "zip -> city")]
        );
        assert_eq!(
            analysis.violations[0].to_string(),
            "non-key determinant zip -> city (breaks BCNF)"
        );
    }

    #[test]
    fn boyce_codd_table_has_no_violations() {
        let attrs = set(["id", "email", "name", "created_at"]);
        let deps = fds(&["id -> email, name, created_at", "email -> id"]);
        let analysis = analyse(&attrs, &deps);
        assert_eq!(analysis.candidate_keys, vec![set(["email"]), set(["id"])]);
        assert_eq!(analysis.normal_form, NormalForm::BoyceCodd);
        assert_eq!(analysis.violations, vec![]);
        assert_eq!(analysis.to_string(), "BCNF; keys (email), (id)");
    }

    #[test]
    fn no_dependencies_is_boyce_codd() {
        let attrs = set(["a", "b"]);
        let analysis = analyse(&attrs, &[]);
        assert_eq!(analysis.candidate_keys, vec![attrs.clone()]);
        assert_eq!(analysis.normal_form, NormalForm::BoyceCodd);
    }

    #[test]
    fn only_the_next_form_is_reported() {
        // Both a partial (b -> d) and a transitive (d -> e) dependency; 1NF
        // lists the partial ones only. e depends on b through d, which is
        // partial too.
        let attrs = set(["a", "b", "c", "d", "e"]);
        let deps = fds(&["a, b -> c", "b -> d", "d -> e"]);
        let analysis = analyse(&attrs, &deps);
        assert_eq!(analysis.normal_form, NormalForm::First);
        assert_eq!(
            analysis.violations,
            vec![violation(ViolationKind::PartialDependency, "b -> d, e")]
        );
    }

    #[test]
    fn dependencies_outside_the_table_are_ignored() {
        let attrs = set(["id", "zip"]);
        let deps = fds(&["id -> zip, city", "city -> state"]);
        let analysis = analyse(&attrs, &deps);
        assert_eq!(analysis.candidate_keys, vec![set(["id"])]);
        assert_eq!(analysis.normal_form, NormalForm::BoyceCodd);
    }

    #[test]
    fn forms_are_ordered() {
        assert!(NormalForm::First < NormalForm::Second);
        assert!(NormalForm::Second < NormalForm::Third);
        assert!(NormalForm::Third < NormalForm::BoyceCodd);
        assert_eq!(NormalForm::BoyceCodd.to_string(), "BCNF");
    }

    /// The highest form by the definitions, checking every implied
    /// dependency `X -> a` over every subset `X`.
    fn brute_force_form(attributes: &AttributeSet, fds: &[FunctionalDependency]) -> NormalForm {
        let analysis = analyse(attributes, fds);
        let keys = &analysis.candidate_keys;
        let prime = &analysis.prime_attributes;
        let names: Vec<&String> = attributes.iter().collect();
        let mut form = NormalForm::BoyceCodd;
        for mask in 0u32..1 << names.len() {
            let lhs: AttributeSet = (0..names.len())
                .filter(|bit| mask & (1 << bit) != 0)
                .map(|bit| names[bit].clone())
                .collect();
            let superkey = is_superkey(&lhs, attributes, fds);
            let part_of_key = keys.iter().any(|k| lhs.is_subset(k) && lhs != *k);
            for a in closure(&lhs, fds).intersection(attributes) {
                if lhs.contains(a) || superkey {
                    continue;
                }
                let reached = if prime.contains(a) {
                    NormalForm::Third
                } else if part_of_key {
                    NormalForm::First
                } else {
                    NormalForm::Second
                };
                form = form.min(reached);
            }
        }
        form
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The grading from keys and a minimal cover agrees with the
        /// definitions applied to every implied dependency, and each
        /// reported violation is a real one of its kind.
        #[test]
        fn grading_matches_the_definitions(
            size in 1usize..=6,
            raw in prop::collection::vec((1u8..64, 1u8..64), 0..6),
        ) {
            let names = ["a", "b", "c", "d", "e", "f"];
            let attributes = set(names[..size].iter().copied());
            let pick = |mask: u8| -> AttributeSet {
                (0..size).filter(|bit| mask & (1 << bit) != 0).map(|bit| names[bit].to_owned()).collect()
            };
            let deps: Vec<FunctionalDependency> = raw
                .iter()
                .map(|&(l, r)| FunctionalDependency { lhs: pick(l), rhs: pick(r) })
                .filter(|fd| !fd.lhs.is_empty())
                .collect();
            let analysis = analyse(&attributes, &deps);
            prop_assert_eq!(analysis.normal_form, brute_force_form(&attributes, &deps));
            prop_assert_eq!(analysis.violations.is_empty(), analysis.normal_form == NormalForm::BoyceCodd);
            for v in &analysis.violations {
                let fd = &v.dependency;
                let expected = match analysis.normal_form {
                    NormalForm::First => ViolationKind::PartialDependency,
                    NormalForm::Second => ViolationKind::TransitiveDependency,
                    _ => ViolationKind::NonKeyDeterminant,
                };
                prop_assert_eq!(v.kind, expected);
                prop_assert!(fd.rhs.is_subset(&closure(&fd.lhs, &deps)), "{} does not hold", fd);
                prop_assert!(fd.lhs.is_disjoint(&fd.rhs));
                prop_assert!(!is_superkey(&fd.lhs, &attributes, &deps));
                let prime_rhs = fd.rhs.is_subset(&analysis.prime_attributes);
                match v.kind {
                    ViolationKind::PartialDependency => {
                        prop_assert!(fd.rhs.is_disjoint(&analysis.prime_attributes));
                        prop_assert!(analysis.candidate_keys.iter().any(|k| fd.lhs.is_subset(k)));
                    }
                    ViolationKind::TransitiveDependency => prop_assert!(fd.rhs.is_disjoint(&analysis.prime_attributes)),
                    ViolationKind::NonKeyDeterminant => prop_assert!(prime_rhs),
                }
            }
        }
    }
}
