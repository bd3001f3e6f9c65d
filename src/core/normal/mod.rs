//! Functional-dependency analysis: keys, normal forms and 3NF synthesis.
//!
//! Everything here works on attribute *names*, not on the design model, so
//! the check engine (or a test) can feed it any table: an entity's field
//! names plus its declared dependencies such as `"zip -> city, state"`.
//! It is pure and deterministic: sets are [`BTreeSet`]s and every list comes
//! back sorted, so findings and snapshots never flicker.
//!
//! A short glossary for newcomers:
//!
//! - A *functional dependency* `X -> Y` says that rows agreeing on `X` agree
//!   on `Y` (`zip -> city`: one zip code, one city).
//! - The *closure* of `X` is every attribute that `X` determines.
//! - A *superkey* determines every attribute; a *candidate key* is a superkey
//!   with nothing left to remove. Attributes in some candidate key are *prime*.
//! - 2NF forbids a non-prime attribute depending on part of a key, 3NF also
//!   forbids one depending on another non-key attribute, and BCNF asks that
//!   every determinant be a superkey.
//!
//! The algorithms are the textbook ones (Beeri–Bernstein closure, Bernstein
//! synthesis, the chase); see each function for its cost.

mod dependency;
mod forms;
mod keys;
mod synthesis;

use std::collections::BTreeSet;

pub use dependency::{
    FdError, FunctionalDependency, PROJECT_LIMIT, closure, minimal_cover, project,
};
pub use forms::{Analysis, NormalForm, Violation, ViolationKind, analyse};
pub use keys::{KEY_SEARCH_LIMIT, KeySearch, candidate_keys, is_superkey, search_candidate_keys};
pub use synthesis::{Relation, is_lossless, preserves_dependencies, synthesize_3nf};

/// A set of attribute names, kept sorted so output is deterministic.
pub type AttributeSet = BTreeSet<String>;

/// Builds an [`AttributeSet`] from names: `attribute_set(["id", "name"])`.
pub fn attribute_set<I, S>(names: I) -> AttributeSet
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    names.into_iter().map(Into::into).collect()
}

/// Test shorthand: parses each dependency, panicking on a typo.
#[cfg(test)]
fn fds(texts: &[&str]) -> Vec<FunctionalDependency> {
    texts
        .iter()
        .map(|t| FunctionalDependency::parse(t).unwrap())
        .collect()
}
