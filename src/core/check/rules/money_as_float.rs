//! `money-as-float`: `real` and `double precision` are binary fractions,
//! so 0.10 + 0.20 is not 0.30 and sums of money drift by cents. Amounts
//! belong in `numeric`, which is exact.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location, SqlType};

/// Words that mark a field as an amount of money, matched as whole words
/// of a snake_case name (`unit_price`, `tax`, not `taxonomy`).
const MONEY_WORDS: &[&str] = &[
    "price", "amount", "cost", "total", "balance", "fee", "tax", "subtotal",
];

/// The type the fix gives: twelve digits, two of them after the point.
const MONEY: SqlType = SqlType::Numeric(Some((12, 2)));

fn names_money(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split('_')
        .any(|word| MONEY_WORDS.contains(&word))
}

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    for f in &e.fields {
        if !matches!(f.ty, SqlType::Real | SqlType::Double) || !names_money(&f.name) {
            continue;
        }
        out.push(
            Finding::new(
                Rule::MoneyAsFloat,
                Location::Field(e.id.clone(), f.id.clone()),
                format!(
                    "`{}.{}` looks like money but is {}, which rounds",
                    e.name, f.name, f.ty
                ),
                format!("make {}.{} {MONEY}, which is exact", e.name, f.name),
            )
            .with_fix(Edit::SetFieldType {
                entity: e.id.clone(),
                field: f.id.clone(),
                ty: MONEY,
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::MoneyAsFloat;
    use crate::core::check::rules::test_support::*;

    const FLOATS: &str = r#"(name: "items", fields: [(name: "unit_price", type: "double precision"), (name: "tax", type: "real"), (name: "taxonomy", type: "real"), (name: "weight", type: "double precision"), (name: "total", type: "numeric(12,2)")])"#;

    #[test]
    fn fires_on_a_float_named_like_money() {
        check_finds(MoneyAsFloat, FLOATS, &["items.unit_price", "items.tax"]);
        check_ok(
            MoneyAsFloat,
            r#"(name: "items", fields: [(name: "price", type: "numeric"), (name: "cost", type: "integer"), (name: "prices_seen", type: "real")])"#,
        );
    }

    #[test]
    fn the_fix_makes_it_numeric() {
        fix_clears(MoneyAsFloat, FLOATS);
    }
}
