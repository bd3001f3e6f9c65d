//! `repeating-group` (first normal form): numbered fields such as
//! `phone1`, `phone2`, `phone3` or `item_1_qty`, `item_2_qty` are one list
//! spread over columns. The list has a fixed maximum, a query for "any
//! phone" must name every column, and the fourth phone needs a schema
//! change. One row per member in a child entity has none of these limits.
//!
//! A family is the fields whose names are equal once one run of digits is
//! taken out, with at least two members numbered one after the other (so
//! `ipv4_address` and `ipv6_address` are not a family). Postal address
//! lines (`line1`, `address_line_2`) are left alone: postal formats fix
//! their number and each line has its own role.

use std::collections::{HashMap, HashSet};

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Field, Location};

/// Each run of digits in the name: the name with the run replaced by `#`,
/// and the number.
fn numbered(name: &str) -> Vec<(String, u32)> {
    let bytes = name.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if let Ok(n) = name[start..i].parse() {
            out.push((format!("{}#{}", &name[..start], &name[i..]), n));
        }
    }
    out
}

/// The family's name without the number: `phone#` -> `phone`,
/// `item_#_qty` -> `item_qty`.
fn stem(key: &str) -> String {
    let parts: Vec<&str> = key.split(['#', '_']).filter(|p| !p.is_empty()).collect();
    parts.join("_")
}

/// Members of a family: position in the entity, number, field.
type Members<'e> = Vec<(usize, u32, &'e Field)>;

fn is_address_line(stem: &str) -> bool {
    stem.ends_with("line") || ["address", "addr", "street"].contains(&stem)
}

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    let mut families: HashMap<String, Members> = HashMap::new();
    for (at, f) in e
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.name.bytes().any(|b| b.is_ascii_digit()))
    {
        for (key, n) in numbered(&f.name.to_ascii_lowercase()) {
            families.entry(key).or_default().push((at, n, f));
        }
    }
    let mut found: Vec<(String, Members)> = families
        .into_iter()
        .filter(|(key, members)| {
            let numbers: HashSet<u32> = members.iter().map(|(_, n, _)| *n).collect();
            members.len() >= 2
                && numbers.iter().any(|n| numbers.contains(&(n + 1)))
                && !is_address_line(&stem(key))
        })
        .collect();
    found.sort_by(|(a, x), (b, y)| (x[0].0, a).cmp(&(y[0].0, b)));
    for (key, members) in found {
        let first = members[0].2;
        let names: Vec<&str> = members.iter().map(|(_, _, f)| f.name.as_str()).collect();
        let stem = stem(&key);
        out.push(Finding::new(
            Rule::RepeatingGroup,
            Location::Field(e.id.clone(), first.id.clone()),
            format!(
                "`{}` repeats one field in numbered columns: {}",
                e.name,
                names.join(", ")
            ),
            format!(
                "move {} to a child entity of {} with one row per {stem} (and a position if the order matters)",
                names.join(", "),
                e.name
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::numbered;
    use crate::core::check::Rule::RepeatingGroup;
    use crate::core::check::rules::test_support::*;

    #[test]
    fn fires_once_per_numbered_family() {
        let found = check_finds(
            RepeatingGroup,
            r#"(name: "orders", fields: [(name: "id", type: "integer"), (name: "phone1", type: "text"), (name: "item_1_qty", type: "integer"),
                (name: "phone2", type: "text"), (name: "item_2_qty", type: "integer"), (name: "phone3", type: "text"), (name: "item_1_sku", type: "text")])"#,
            &["orders.phone1", "orders.item_1_qty"],
        );
        assert!(
            found[0].message.contains("phone1, phone2, phone3"),
            "{found:#?}"
        );
        assert!(found[1].hint.contains("item_qty"), "{found:#?}");
    }

    #[test]
    fn lone_numbers_versions_and_address_lines_are_fine() {
        check_ok(
            RepeatingGroup,
            r#"(name: "hosts", fields: [(name: "ipv4_address", type: "text"), (name: "ipv6_address", type: "text"), (name: "sha256", type: "text"),
                (name: "line1", type: "text"), (name: "line2", type: "text"), (name: "address_line_1", type: "text"), (name: "address_line_2", type: "text"),
                (name: "phone1", type: "text"), (name: "utf8_name", type: "text")])"#,
        );
    }

    #[test]
    fn every_run_of_digits_counts() {
        assert_eq!(
            numbered("a1_b22"),
            vec![("a#_b22".to_owned(), 1), ("a1_b#".to_owned(), 22)]
        );
        assert_eq!(numbered("name"), vec![]);
    }
}
