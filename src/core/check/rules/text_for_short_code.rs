//! `text-for-short-code`: a code (a currency, a country, a postal code,
//! an internal `_code`) has a known, short shape. As unbounded `text` it
//! takes a pasted paragraph as readily as `EUR`, and bad values spread to
//! every report that groups by it. A length that fits the code, and a
//! check on its form, keep it a code. The right length depends on the
//! code, so there is no mechanical fix.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location, SqlType};

/// Names that say a field holds a short code, besides `*_code`.
const CODES: &[&str] = &[
    "code",
    "currency",
    "country",
    "iso",
    "locale",
    "zip",
    "postal_code",
    "postcode",
];

fn names_a_code(name: &str) -> bool {
    super::name_in(name, CODES) || super::ends_with_ignoring_case(name, "_code")
}

/// The type that usually fits a code of this name.
fn suggested(name: &str) -> &'static str {
    let name = name.to_ascii_lowercase();
    if name.starts_with("currency") {
        "char(3) for an ISO 4217 code"
    } else if name.starts_with("country") {
        "char(2) for an ISO 3166-1 alpha-2 code"
    } else if name.starts_with("locale") || name.starts_with("language") {
        "varchar(35) for a BCP 47 tag"
    } else if ["zip", "zip_code", "postal_code", "postcode"].contains(&name.as_str()) {
        "varchar(20)"
    } else {
        "varchar(n) or char(n) with n the code's length"
    }
}

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    for f in &e.fields {
        if f.ty != SqlType::Text || !names_a_code(&f.name) {
            continue;
        }
        out.push(Finding::new(
            Rule::TextForShortCode,
            Location::Field(e.id.clone(), f.id.clone()),
            format!(
                "`{}.{}` looks like a short code but is unbounded text",
                e.name, f.name
            ),
            format!(
                "make {}.{} {}, with a check on its form (e.g. a regular expression)",
                e.name,
                f.name,
                suggested(&f.name)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::TextForShortCode;
    use crate::core::check::rules::test_support::*;

    #[test]
    fn fires_on_a_code_stored_as_text() {
        let found = check_finds(
            TextForShortCode,
            r#"(name: "orders", fields: [(name: "currency", type: "text"), (name: "country_code", type: "text"), (name: "code", type: "text"),
                (name: "zip", type: "text"), (name: "barcode", type: "text"), (name: "notes", type: "text")])"#,
            &[
                "orders.currency",
                "orders.country_code",
                "orders.code",
                "orders.zip",
            ],
        );
        assert!(found[0].hint.contains("char(3)"), "{found:#?}");
        assert!(found[1].hint.contains("char(2)"), "{found:#?}");
        assert!(found.iter().all(|f| f.fix.is_none()));
    }

    #[test]
    fn a_bounded_code_is_fine() {
        check_ok(
            TextForShortCode,
            r#"(name: "orders", fields: [(name: "currency", type: "char(3)"), (name: "postal_code", type: "varchar(20)"), (name: "code", type: "varchar(50)")])"#,
        );
    }
}
