//! `naming-style`: PostgreSQL folds unquoted names to lower case, so a
//! name like `OrderItems` must be quoted in every query or it silently
//! becomes `orderitems`; snake_case names never need quotes. And a design
//! that names some tables in the singular (`customer`) and others in the
//! plural (`orders`) makes every query a guess. Plurals are judged by a
//! simple English heuristic on the last word of the name; mass nouns such
//! as `inventory` count as neither, and only the minority style is
//! reported (the singular one on a tie, since the house style is plural).
//!
//! Each name's case is judged in the pass over the entities; the balance
//! of singular and plural names, which needs them all, after it.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location};

/// Nouns with no plural, which fit either style.
const MASS_NOUNS: &[&str] = &[
    "inventory",
    "stock",
    "data",
    "metadata",
    "information",
    "equipment",
    "feedback",
    "news",
    "series",
    "species",
    "staff",
    "media",
    "software",
    "hardware",
    "furniture",
    "luggage",
    "baggage",
    "money",
    "mail",
    "traffic",
    "evidence",
    "knowledge",
    "research",
    "advice",
    "weather",
    "music",
];

/// Plurals that do not end in `s`.
const IRREGULAR_PLURALS: &[&str] = &[
    "people",
    "children",
    "men",
    "women",
    "mice",
    "geese",
    "feet",
    "teeth",
    "criteria",
    "phenomena",
    "alumni",
];

/// Lower-case ASCII letters, digits and underscores, from a letter on.
pub fn is_snake_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `OrderItems` or `order-items` as `order_items`.
fn to_snake_case(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_lower {
                out.push('_');
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_lowercase());
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    let out = out.trim_end_matches('_').to_owned();
    match out.chars().next() {
        Some(c) if c.is_ascii_lowercase() => out,
        _ => format!("t_{out}"),
    }
}

/// Whether a name reads as a plural (`Some(true)`), a singular
/// (`Some(false)`) or neither, judged by its last word.
pub fn is_plural(name: &str) -> Option<bool> {
    // A snake_case name is its own snake case: skip building it again.
    let lower;
    let name = if is_snake_case(name) {
        name
    } else {
        lower = to_snake_case(name);
        &lower
    };
    // The last word: what follows the last underscore, trailing ones aside.
    let name = name.trim_end_matches('_');
    let word = &name[name.rfind('_').map_or(0, |at| at + 1)..];
    if word.is_empty() {
        return None;
    }
    if MASS_NOUNS.contains(&word) {
        return None;
    }
    if IRREGULAR_PLURALS.contains(&word) {
        return Some(true);
    }
    let plural = word.ends_with('s')
        && !(word.ends_with("ss") || word.ends_with("us") || word.ends_with("is"));
    Some(plural)
}

/// A guess at the other number of a name: `customer` -> `customers`,
/// `categories` -> `category`.
fn other_number(name: &str, plural: bool) -> String {
    if plural {
        if let Some(stem) = name.strip_suffix("ies") {
            return format!("{stem}y");
        }
        for ending in ["sses", "xes", "ches", "shes"] {
            if name.ends_with(ending) {
                return name[..name.len() - 2].to_owned();
            }
        }
        return name.strip_suffix('s').unwrap_or(name).to_owned();
    }
    let consonant_y =
        name.ends_with('y') && !name[..name.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    if consonant_y {
        format!("{}ies", &name[..name.len() - 1])
    } else if ["s", "x", "ch", "sh"].iter().any(|e| name.ends_with(e)) {
        format!("{name}es")
    } else {
        format!("{name}s")
    }
}

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    if !is_snake_case(&e.name) {
        out.push(Finding::new(
            Rule::NamingStyle,
            Location::Entity(e.id.clone()),
            format!("entity `{}` is not snake_case", e.name),
            format!(
                "rename {} to {} so queries need not quote it",
                e.name,
                to_snake_case(&e.name)
            ),
        ));
    }
    for f in e.fields.iter().filter(|f| !is_snake_case(&f.name)) {
        out.push(Finding::new(
            Rule::NamingStyle,
            Location::Field(e.id.clone(), f.id.clone()),
            format!("field `{}.{}` is not snake_case", e.name, f.name),
            format!(
                "rename {}.{} to {} so queries need not quote it",
                e.name,
                f.name,
                to_snake_case(&f.name)
            ),
        ));
    }
}

/// How many entities are named in one number, and the first few of them.
#[derive(Default)]
struct Tally<'d> {
    count: usize,
    first: Vec<&'d str>,
}

impl<'d> Tally<'d> {
    fn add(&mut self, name: &'d str) {
        self.count += 1;
        if self.first.len() < 3 {
            self.first.push(name);
        }
    }
}

/// Singular and plural entity names side by side: the minority stands out.
/// Nearly every design names all its entities alike, so they are counted
/// first, and walked again only when some are odd.
pub fn check(design: &Design, _ids: &mut IdGen) -> Vec<Finding> {
    let (mut plural, mut singular) = (Tally::default(), Tally::default());
    for e in design.entities() {
        match is_plural(&e.name) {
            Some(true) => plural.add(&e.name),
            Some(false) => singular.add(&e.name),
            None => {}
        }
    }
    if plural.count == 0 || singular.count == 0 {
        return Vec::new();
    }
    let (odd_is_plural, usual, odd_word, usual_word) = if singular.count <= plural.count {
        (false, plural, "singular", "plural")
    } else {
        (true, singular, "plural", "singular")
    };
    let examples = usual.first.join(", ");
    let more = if usual.count > 3 { ", ..." } else { "" };
    design
        .entities()
        .filter(|e| is_plural(&e.name) == Some(odd_is_plural))
        .map(|e| {
            let snake = to_snake_case(&e.name);
            Finding::new(
                Rule::NamingStyle,
                Location::Entity(e.id.clone()),
                format!(
                    "entity `{}` is named in the {odd_word}, but most entities are {usual_word} ({examples}{more})",
                    e.name
                ),
                format!(
                    "rename {} (e.g. to {}) so every entity is named in the {usual_word}",
                    e.name,
                    other_number(&snake, odd_is_plural)
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{is_plural, other_number, to_snake_case};
    use crate::core::check::Rule::NamingStyle;
    use crate::core::check::rules::test_support::*;

    fn entity(name: &str) -> String {
        format!(r#"(name: "{name}", fields: [(name: "id", type: "uuid")])"#)
    }

    #[test]
    fn fires_on_names_that_are_not_snake_case() {
        let found = check_finds(
            NamingStyle,
            r#"(name: "OrderItems", fields: [(name: "unitPrice", type: "integer"), (name: "qty_2", type: "integer")]),
               (name: "order-notes", fields: [(name: "_n", type: "integer")])"#,
            &[
                "OrderItems",
                "OrderItems.unitPrice",
                "order-notes",
                "order-notes._n",
            ],
        );
        assert!(found[0].hint.contains("order_items"), "{found:#?}");
        assert!(found[1].hint.contains("unit_price"), "{found:#?}");
    }

    #[test]
    fn fires_on_the_minority_of_singular_and_plural_names() {
        let names = ["customer", "orders", "order_lines", "audit_log", "products"];
        let source: Vec<String> = names.iter().map(|n| entity(n)).collect();
        let found = check_finds(NamingStyle, &source.join(", "), &["customer", "audit_log"]);
        assert!(found[0].hint.contains("customers"), "{found:#?}");
        // A tie reports the singular names.
        let source = [entity("category"), entity("posts")].join(", ");
        check_finds(NamingStyle, &source, &["category"]);
        let source = [entity("category"), entity("posts"), entity("post")].join(", ");
        check_finds(NamingStyle, &source, &["posts"]);
    }

    #[test]
    fn one_style_and_mass_nouns_are_fine() {
        let names = [
            "customers",
            "inventory",
            "addresses",
            "posts_tags",
            "people",
        ];
        let source: Vec<String> = names.iter().map(|n| entity(n)).collect();
        check_ok(NamingStyle, &source.join(", "));
        let source = [entity("status"), entity("analysis"), entity("class")].join(", ");
        check_ok(NamingStyle, &source);
    }

    #[test]
    fn plurals_and_suggestions() {
        assert_eq!(is_plural("categories"), Some(true));
        assert_eq!(is_plural("address"), Some(false));
        assert_eq!(is_plural("OrderItems"), Some(true));
        assert_eq!(is_plural("stock"), None);
        assert_eq!(other_number("category", false), "categories");
        assert_eq!(other_number("address", false), "addresses");
        assert_eq!(other_number("day", false), "days");
        assert_eq!(other_number("addresses", true), "address");
        assert_eq!(other_number("categories", true), "category");
        assert_eq!(other_number("orders", true), "order");
        assert_eq!(to_snake_case("HTTPLog"), "httplog");
        assert_eq!(to_snake_case("2fa codes"), "t_2fa_codes");
    }
}
