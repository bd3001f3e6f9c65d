//! `transitive-dependency` (third normal form), for dependencies everyone
//! knows without declaring them: a postal code settles the city and the
//! state, so storing all three in each row lets them disagree
//! (`zip 10001, city Boston`). Keep the codes in an entity of their own, or
//! allow the finding where free-form addresses are deliberate.
//!
//! Entities that declare dependencies on their postal code are left to
//! `normal-form`, which analyses what they declare.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location};

const POSTAL_CODES: &[&str] = &["zip", "zip_code", "zipcode", "postal_code", "postcode"];
const DETERMINED: &[&str] = &["city", "town", "state", "region", "province", "county"];

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    let named = |names: &'static [&'static str]| {
        e.fields
            .iter()
            .filter(move |f| super::name_in(&f.name, names))
    };
    let Some(code) = named(POSTAL_CODES).next() else {
        return;
    };
    let declared = e.dependencies.iter().any(|d| d.lhs.contains(&code.id));
    let names: Vec<&str> = named(DETERMINED).map(|f| f.name.as_str()).collect();
    if names.is_empty() || declared {
        return;
    }
    out.push(Finding::new(
        Rule::TransitiveDependency,
        Location::Field(e.id.clone(), code.id.clone()),
        format!(
            "`{}.{}` determines {} in the same entity, so rows can disagree",
            e.name,
            code.name,
            names.join(", ")
        ),
        format!(
            "move {} to an entity keyed by {}, or allow this finding where addresses are kept as written",
            names.join(", "),
            code.name
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::TransitiveDependency;
    use crate::core::check::rules::test_support::*;

    #[test]
    fn fires_on_a_postal_code_beside_what_it_determines() {
        check_finds(
            TransitiveDependency,
            r#"(name: "customers", fields: [(name: "zip", type: "text"), (name: "city", type: "text"), (name: "state", type: "text")])"#,
            &["customers.zip"],
        );
    }

    #[test]
    fn quiet_without_dependents_or_when_dependencies_are_declared() {
        check_ok(
            TransitiveDependency,
            r#"(name: "customers", fields: [(name: "zip", type: "text"), (name: "street", type: "text")])"#,
        );
        check_ok(
            TransitiveDependency,
            r#"(name: "customers", fields: [(name: "zip", type: "text"), (name: "city", type: "text")], dependencies: ["zip -> city"])"#,
        );
    }
}
