//! Functional dependencies: reading and printing them, attribute closure,
//! minimal covers and projection.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use super::AttributeSet;

/// `lhs -> rhs`: rows that agree on every `lhs` attribute agree on every
/// `rhs` attribute.
///
/// Sides are sets, so `b, a -> c` and `a, b -> c` are the same dependency and
/// print the same way. [`FunctionalDependency::parse`] never yields an empty
/// side; the algorithms still accept one (`∅ -> a` would mean `a` is constant).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FunctionalDependency {
    pub lhs: AttributeSet,
    pub rhs: AttributeSet,
}

/// Why a dependency could not be read. Each message quotes the input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FdError {
    #[error("dependency `{0}` has no `->` (write e.g. \"zip -> city, state\")")]
    MissingArrow(String),
    #[error("dependency `{0}` has more than one `->` (write one dependency per entry)")]
    ExtraArrow(String),
    #[error("dependency `{0}` names no attribute before `->`")]
    EmptyLeft(String),
    #[error("dependency `{0}` names no attribute after `->`")]
    EmptyRight(String),
    #[error(
        "dependency `{input}`: `{name}` is not one attribute name (separate names with commas)"
    )]
    MissingComma { input: String, name: String },
}

impl FunctionalDependency {
    /// A dependency from names: `FunctionalDependency::new(["zip"], ["city"])`.
    pub fn new<L, R>(lhs: L, rhs: R) -> Self
    where
        L: IntoIterator,
        L::Item: Into<String>,
        R: IntoIterator,
        R::Item: Into<String>,
    {
        FunctionalDependency {
            lhs: lhs.into_iter().map(Into::into).collect(),
            rhs: rhs.into_iter().map(Into::into).collect(),
        }
    }

    /// Reads `"a, b -> c, d"`. Whitespace around names is ignored, and so are
    /// empty items (`"a, b, -> c"`), matching how design files are loaded.
    pub fn parse(text: &str) -> Result<Self, FdError> {
        let Some((left, right)) = text.split_once("->") else {
            return Err(FdError::MissingArrow(text.to_owned()));
        };
        if right.contains("->") {
            return Err(FdError::ExtraArrow(text.to_owned()));
        }
        let lhs = side(text, left)?;
        if lhs.is_empty() {
            return Err(FdError::EmptyLeft(text.to_owned()));
        }
        let rhs = side(text, right)?;
        if rhs.is_empty() {
            return Err(FdError::EmptyRight(text.to_owned()));
        }
        Ok(FunctionalDependency { lhs, rhs })
    }

    /// True when `rhs ⊆ lhs`: such a dependency holds in every table and
    /// says nothing.
    pub fn is_trivial(&self) -> bool {
        self.rhs.is_subset(&self.lhs)
    }
}

/// The names on one side of the arrow.
fn side(input: &str, text: &str) -> Result<AttributeSet, FdError> {
    let mut names = AttributeSet::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        // "zip city -> state" is almost surely a forgotten comma.
        if name.contains(char::is_whitespace) {
            return Err(FdError::MissingComma {
                input: input.to_owned(),
                name: name.to_owned(),
            });
        }
        names.insert(name.to_owned());
    }
    Ok(names)
}

impl FromStr for FunctionalDependency {
    type Err = FdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FunctionalDependency::parse(s)
    }
}

/// Prints the canonical form, `a, b -> c, d`, names sorted, which
/// [`FunctionalDependency::parse`] reads back unchanged.
impl fmt::Display for FunctionalDependency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_names(f, &self.lhs)?;
        f.write_str(" -> ")?;
        write_names(f, &self.rhs)
    }
}

pub(super) fn write_names(f: &mut fmt::Formatter<'_>, names: &AttributeSet) -> fmt::Result {
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        f.write_str(name)?;
    }
    Ok(())
}

/// Every attribute that `attrs` determines under `fds`, `attrs` included.
///
/// This is the Beeri–Bernstein algorithm, linear in the total size of `fds`:
/// each dependency counts how many of its left-side attributes are still
/// missing, and fires once when the count reaches zero. The naive "loop
/// until nothing changes" would be quadratic, and closures are computed a
/// great many times by the key search and the minimal cover.
pub fn closure(attrs: &AttributeSet, fds: &[FunctionalDependency]) -> AttributeSet {
    let mut missing: Vec<usize> = fds.iter().map(|fd| fd.lhs.len()).collect();
    let mut used_by: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, fd) in fds.iter().enumerate() {
        for name in &fd.lhs {
            used_by.entry(name.as_str()).or_default().push(i);
        }
    }

    let mut result = attrs.clone();
    // Attributes in the closure whose consequences are not yet followed.
    let mut pending: Vec<&str> = attrs.iter().map(String::as_str).collect();
    // `∅ -> a` holds unconditionally.
    for fd in fds.iter().filter(|fd| fd.lhs.is_empty()) {
        fire(fd, &mut result, &mut pending);
    }
    while let Some(name) = pending.pop() {
        for &i in used_by.get(name).into_iter().flatten() {
            missing[i] -= 1;
            if missing[i] == 0 {
                fire(&fds[i], &mut result, &mut pending);
            }
        }
    }
    result
}

/// Adds `fd`'s right side to the closure, queueing what is new.
fn fire<'a>(fd: &'a FunctionalDependency, result: &mut AttributeSet, pending: &mut Vec<&'a str>) {
    for name in &fd.rhs {
        if result.insert(name.clone()) {
            pending.push(name.as_str());
        }
    }
}

/// A minimal cover of `fds`: an equivalent set of dependencies where each
/// right side is a single attribute, no left side has an attribute it could
/// do without, and no dependency follows from the others.
///
/// It is the canonical starting point for 3NF synthesis and makes violations
/// read cleanly (`zip -> city`, not `zip, name -> city`). A set can have
/// several minimal covers; this one is deterministic: dependencies are
/// visited in sorted order and the result is sorted.
pub fn minimal_cover(fds: &[FunctionalDependency]) -> Vec<FunctionalDependency> {
    // 1. One attribute per right side, trivial parts dropped.
    let mut cover: Vec<FunctionalDependency> = singletons(fds).into_iter().collect();

    // 2. Drop extraneous left-side attributes: `b` is extraneous in
    //    `X -> a` when `X - b` already determines `a`. This must come before
    //    step 3, or a dependency made redundant by a shortened one survives.
    for i in 0..cover.len() {
        let target = only(&cover[i].rhs).clone();
        for name in cover[i].lhs.clone() {
            let mut smaller = cover[i].lhs.clone();
            smaller.remove(&name);
            if closure(&smaller, &cover).contains(&target) {
                cover[i].lhs = smaller;
            }
        }
    }
    cover.sort();
    cover.dedup();

    // 3. Drop dependencies that the remaining ones imply.
    let mut i = 0;
    while i < cover.len() {
        let fd = cover.remove(i);
        if !closure(&fd.lhs, &cover).contains(only(&fd.rhs)) {
            cover.insert(i, fd);
            i += 1;
        }
    }
    cover
}

/// `X -> a, b` as `X -> a` and `X -> b`, without trivial ones, deduplicated.
fn singletons(fds: &[FunctionalDependency]) -> BTreeSet<FunctionalDependency> {
    fds.iter()
        .flat_map(|fd| {
            fd.rhs
                .iter()
                .filter(|a| !fd.lhs.contains(*a))
                .map(|a| FunctionalDependency {
                    lhs: fd.lhs.clone(),
                    rhs: AttributeSet::from([a.clone()]),
                })
        })
        .collect()
}

/// The single attribute of a one-attribute set.
fn only(set: &AttributeSet) -> &String {
    debug_assert_eq!(set.len(), 1);
    set.first().expect("a single-attribute right side")
}

/// The dependencies that speak about `attributes` alone: left side inside
/// the relation, right side cut down to it.
///
/// A dependency whose left side leaves the relation can never apply to it,
/// so for dependencies declared on one table this loses nothing. (Chains
/// through outside attributes need [`project`].)
pub(super) fn restrict(
    attributes: &AttributeSet,
    fds: &[FunctionalDependency],
) -> Vec<FunctionalDependency> {
    fds.iter()
        .filter(|fd| fd.lhs.is_subset(attributes))
        .map(|fd| FunctionalDependency {
            lhs: fd.lhs.clone(),
            rhs: fd.rhs.intersection(attributes).cloned().collect(),
        })
        .filter(|fd| !fd.rhs.is_empty())
        .collect()
}

/// The most attributes [`project`] accepts: it computes `2^n` closures.
pub const PROJECT_LIMIT: usize = 16;

/// The dependencies that hold on `attributes` when a wider table satisfying
/// `fds` is cut down to them, as a minimal cover.
///
/// Projection needs the closure of every subset, so it is exponential; it is
/// meant for the small relations of a proposed decomposition and for tests.
///
/// # Panics
///
/// When `attributes` has more than [`PROJECT_LIMIT`] names.
pub fn project(
    attributes: &AttributeSet,
    fds: &[FunctionalDependency],
) -> Vec<FunctionalDependency> {
    assert!(
        attributes.len() <= PROJECT_LIMIT,
        "projecting onto {} attributes would compute 2^{} closures",
        attributes.len(),
        attributes.len()
    );
    let names: Vec<&String> = attributes.iter().collect();
    let mut projected = Vec::new();
    for mask in 1u32..(1 << names.len()) {
        let lhs: AttributeSet = (0..names.len())
            .filter(|bit| mask & (1 << bit) != 0)
            .map(|bit| names[bit].clone())
            .collect();
        let rhs: AttributeSet = closure(&lhs, fds)
            .intersection(attributes)
            .filter(|a| !lhs.contains(*a))
            .cloned()
            .collect();
        if !rhs.is_empty() {
            projected.push(FunctionalDependency { lhs, rhs });
        }
    }
    minimal_cover(&projected)
}

#[cfg(test)]
mod tests {
    use super::super::{attribute_set as set, fds};
    use super::*;

    #[test]
    fn parses_and_prints_canonically() {
        let fd = FunctionalDependency::parse("  order_id ,product_id->quantity,  b ").unwrap();
        assert_eq!(fd.lhs, set(["order_id", "product_id"]));
        assert_eq!(fd.rhs, set(["b", "quantity"]));
        assert_eq!(fd.to_string(), "order_id, product_id -> b, quantity");
        assert_eq!(
            FunctionalDependency::parse("zip -> state, city").unwrap(),
            FunctionalDependency::new(["zip"], ["city", "state"])
        );
        assert_eq!(
            "b, a -> c".parse(),
            Ok(FunctionalDependency::new(["a", "b"], ["c"]))
        );
        // A trailing comma is tolerated, as the design-file loader does.
        assert_eq!(
            FunctionalDependency::parse("a, -> c,").unwrap().to_string(),
            "a -> c"
        );
    }

    #[test]
    fn display_reads_back_unchanged() {
        for text in ["a -> b", "a, b -> c, d", "zip -> city, state"] {
            let fd = FunctionalDependency::parse(text).unwrap();
            assert_eq!(fd.to_string(), text);
            assert_eq!(FunctionalDependency::parse(&fd.to_string()).unwrap(), fd);
        }
    }

    #[test]
    fn parse_errors_say_what_is_wrong() {
        let err = |text: &str| FunctionalDependency::parse(text).unwrap_err();
        assert_eq!(err("zip city"), FdError::MissingArrow("zip city".into()));
        assert_eq!(
            err("a -> b -> c"),
            FdError::ExtraArrow("a -> b -> c".into())
        );
        assert_eq!(err(" -> city"), FdError::EmptyLeft(" -> city".into()));
        assert_eq!(err(" , -> city"), FdError::EmptyLeft(" , -> city".into()));
        assert_eq!(err("zip ->"), FdError::EmptyRight("zip ->".into()));
        assert_eq!(
            err("zip code -> city"),
            FdError::MissingComma {
                input: "zip code -> city".into(),
                name: "zip code".into()
            }
        );
        assert_eq!(
            err("zip city").to_string(),
            "dependency `zip city` has no `->` (write e.g. \"zip -> city, state\")"
        );
        assert_eq!(
            err("zip ->").to_string(),
            "dependency `zip ->` names no attribute after `->`"
        );
        assert_eq!(
            err("a b -> c").to_string(),
            "dependency `a b -> c`: `a b` is not one attribute name (separate names with commas)"
        );
    }

    #[test]
    fn closure_follows_chains() {
        let deps = fds(&["a -> b", "b -> c", "c, d -> e", "e -> a"]);
        assert_eq!(closure(&set(["a"]), &deps), set(["a", "b", "c"]));
        assert_eq!(
            closure(&set(["a", "d"]), &deps),
            set(["a", "b", "c", "d", "e"])
        );
        assert_eq!(closure(&set(["d"]), &deps), set(["d"]));
        assert_eq!(
            closure(&set(["c", "d"]), &deps),
            set(["a", "b", "c", "d", "e"])
        );
        assert_eq!(closure(&set(["x"]), &[]), set(["x"]));
        assert_eq!(closure(&AttributeSet::new(), &deps), AttributeSet::new());
    }

    #[test]
    fn closure_needs_the_whole_left_side() {
        let deps = fds(&["a, b -> c"]);
        assert_eq!(closure(&set(["a"]), &deps), set(["a"]));
        assert_eq!(closure(&set(["a", "b"]), &deps), set(["a", "b", "c"]));
    }

    #[test]
    fn closure_fires_empty_left_sides() {
        let constant = FunctionalDependency::new(Vec::<String>::new(), ["k"]);
        let deps = vec![constant, FunctionalDependency::new(["k"], ["v"])];
        assert_eq!(closure(&AttributeSet::new(), &deps), set(["k", "v"]));
    }

    #[test]
    fn minimal_cover_splits_reduces_and_drops_redundancy() {
        // The textbook example: A -> BC, B -> C, A -> B, AB -> C
        // has the minimal cover A -> B, B -> C.
        let cover = minimal_cover(&fds(&["a -> b, c", "b -> c", "a -> b", "a, b -> c"]));
        assert_eq!(cover, fds(&["a -> b", "b -> c"]));
    }

    #[test]
    fn minimal_cover_drops_extraneous_left_attributes() {
        // In `a, b -> c`, b is extraneous because a -> b.
        let cover = minimal_cover(&fds(&["a -> b", "a, b -> c"]));
        assert_eq!(cover, fds(&["a -> b", "a -> c"]));
    }

    #[test]
    fn minimal_cover_drops_trivial_parts_and_keeps_needed_ones() {
        assert_eq!(minimal_cover(&fds(&["a, b -> a"])), vec![]);
        assert_eq!(minimal_cover(&fds(&["a, b -> a, c"])), fds(&["a, b -> c"]));
        assert_eq!(
            minimal_cover(&fds(&["zip -> city, state", "id -> name, zip"])),
            fds(&["id -> name", "id -> zip", "zip -> city", "zip -> state"])
        );
    }

    #[test]
    fn minimal_cover_of_a_cycle_is_minimal_not_minimum() {
        // Each of a, b, c determines the others. A three-dependency cycle
        // would do, but "minimal" only promises that nothing can be dropped.
        let all = fds(&["a -> b, c", "b -> a, c", "c -> a, b"]);
        let cover = minimal_cover(&all);
        assert_eq!(cover, fds(&["a -> c", "b -> c", "c -> a", "c -> b"]));
        for fd in &all {
            assert!(fd.rhs.is_subset(&closure(&fd.lhs, &cover)), "{fd} is lost");
        }
    }

    #[test]
    fn project_follows_chains_through_dropped_attributes() {
        let deps = fds(&["a -> b", "b -> c"]);
        assert_eq!(project(&set(["a", "c"]), &deps), fds(&["a -> c"]));
        assert_eq!(project(&set(["b", "c"]), &deps), fds(&["b -> c"]));
    }

    #[test]
    fn restrict_keeps_what_applies_inside() {
        let deps = fds(&["a -> b, x", "x -> a", "a, b -> c"]);
        assert_eq!(
            restrict(&set(["a", "b", "c"]), &deps),
            fds(&["a -> b", "a, b -> c"])
        );
    }
}
