//! Ordering renames inside one namespace so that no rename lands on a name
//! still in use: `a → b` waits for `b → c`, and a cycle (`a ↔ b`) goes
//! through a temporary name.

use std::collections::HashSet;

use crate::core::model::MAX_IDENTIFIER_BYTES;

/// A pending rename of the item `key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rename<K> {
    pub key: K,
    pub from: String,
    pub to: String,
}

/// Orders `renames` (no-ops left out) given every name taken in the
/// namespace now, the renamed items' current names included. The result
/// may hold more renames than given: a cycle is broken by moving one item
/// to a temporary name first.
pub(crate) fn order<K: Clone>(renames: Vec<Rename<K>>, taken: &HashSet<String>) -> Vec<Rename<K>> {
    let mut pending: Vec<Rename<K>> = renames.into_iter().filter(|r| r.from != r.to).collect();
    let mut taken = taken.clone();
    taken.extend(pending.iter().map(|r| r.from.clone()));
    let mut out = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        if let Some(at) = pending.iter().position(|r| !taken.contains(&r.to)) {
            let r = pending.remove(at);
            taken.remove(&r.from);
            taken.insert(r.to.clone());
            out.push(r);
            continue;
        }
        // Every target is taken. When one is taken by another pending
        // rename, that is a cycle: park its item on a free name.
        let blocker = pending
            .iter()
            .position(|r| pending.iter().any(|other| other.to == r.from));
        let Some(at) = blocker else {
            // Taken by something that stays: the designs disagree with
            // the database, and PostgreSQL will say so.
            out.append(&mut pending);
            break;
        };
        let parked = temporary_name(&pending[at].from, &taken);
        taken.remove(&pending[at].from);
        taken.insert(parked.clone());
        out.push(Rename {
            key: pending[at].key.clone(),
            from: pending[at].from.clone(),
            to: parked.clone(),
        });
        pending[at].from = parked;
    }
    out
}

/// `name` with a suffix, cut to PostgreSQL's identifier length, that is not
/// in `taken`.
pub(crate) fn temporary_name(name: &str, taken: &HashSet<String>) -> String {
    (0..)
        .map(|n| {
            let suffix = if n == 0 {
                "_plinth_tmp".to_owned()
            } else {
                format!("_plinth_tmp{n}")
            };
            with_suffix(name, &suffix)
        })
        .find(|candidate| !taken.contains(candidate))
        .expect("some suffix is free")
}

/// `name` followed by `suffix`, the name cut on a character boundary so the
/// whole fits in PostgreSQL's identifier length.
pub(crate) fn with_suffix(name: &str, suffix: &str) -> String {
    let mut cut = MAX_IDENTIFIER_BYTES
        .saturating_sub(suffix.len())
        .min(name.len());
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{suffix}", &name[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(key: u8, from: &str, to: &str) -> Rename<u8> {
        Rename {
            key,
            from: from.into(),
            to: to.into(),
        }
    }

    fn apply(names: &mut Vec<String>, renames: &[Rename<u8>]) {
        for x in renames {
            assert!(!names.contains(&x.to), "{} is taken: {names:?}", x.to);
            let at = names.iter().position(|n| *n == x.from).unwrap();
            names[at] = x.to.clone();
        }
    }

    #[test]
    fn chains_wait_and_cycles_use_a_temporary_name() {
        let taken: HashSet<String> = ["a", "b", "c", "x"].map(String::from).into();
        let chain = order(vec![r(1, "a", "b"), r(2, "b", "c"), r(3, "c", "d")], &taken);
        let mut names = vec!["a".into(), "b".into(), "c".into(), "x".into()];
        apply(&mut names, &chain);
        assert_eq!(names, ["b", "c", "d", "x"]);

        let swap = order(vec![r(1, "a", "b"), r(2, "b", "a"), r(3, "x", "x")], &taken);
        assert_eq!(swap.len(), 3, "{swap:?}");
        let mut names = vec!["a".into(), "b".into(), "c".into(), "x".into()];
        apply(&mut names, &swap);
        assert_eq!(names, ["b", "a", "c", "x"]);
    }

    #[test]
    fn temporary_names_fit_postgresql() {
        let long = "é".repeat(40);
        let name = temporary_name(&long, &HashSet::new());
        assert!(name.len() <= MAX_IDENTIFIER_BYTES && name.ends_with("_plinth_tmp"));
    }
}
