use proptest::prelude::*;

use super::*;
use crate::core::ids::IdGen;
use crate::core::model::{Deferrable, Design, ReferentialAction};
use crate::core::testing::Gen;

/// customers ← orders (customer_id), with an index on the key.
fn shop() -> (Design, IdGen) {
    let mut ids = IdGen::seeded(3);
    let mut design = Design::new("shop");
    let customers = crate::core::starter::starter_design("x", &mut ids)
        .entities()
        .next()
        .unwrap()
        .clone();
    let mut customers = customers;
    customers.name = "customers".into();
    let pk = customers.fields[0].id.clone();
    let customers_id = customers.id.clone();
    Edit::AddEntity {
        entity: Box::new(customers),
        at: 0,
    }
    .apply(&mut design)
    .unwrap();
    let mut orders = Entity::new(ids.entity(), "orders");
    let order_id = orders.id.clone();
    let key = Field::new(ids.field(), "customer_id", SqlType::Uuid).not_null();
    let key_id = key.id.clone();
    orders.fields.push(key);
    Edit::AddEntity {
        entity: Box::new(orders),
        at: 1,
    }
    .apply(&mut design)
    .unwrap();
    let rel = Relationship {
        id: ids.relationship(),
        name: None,
        kind: Default::default(),
        from: order_id.clone(),
        fields: vec![key_id.clone()],
        to: customers_id,
        references: vec![pk],
        on_delete: Some(ReferentialAction::Cascade),
        on_update: None,
        deferrable: Deferrable::NotDeferrable,
        required: true,
    };
    let index = crate::core::model::Index {
        id: ids.index(),
        name: None,
        fields: vec![key_id],
        unique: false,
        method: Default::default(),
        predicate: None,
    };
    Edit::Batch(vec![
        Edit::AddRelationship { relationship: rel },
        Edit::AddIndex {
            entity: order_id,
            index,
            at: 0,
        },
    ])
    .apply(&mut design)
    .unwrap();
    (design, ids)
}

fn id_of(design: &Design, name: &str) -> crate::core::ids::EntityId {
    design.entity_named(name).unwrap().id.clone()
}

#[test]
fn removing_an_entity_removes_its_relationships_and_undo_restores_them() {
    let (mut design, _) = shop();
    let before = design.clone();
    let inverse = Edit::RemoveEntity {
        id: id_of(&design, "customers"),
    }
    .apply(&mut design)
    .unwrap();
    assert_eq!(design.relationship_count(), 0);
    assert_eq!(design.entity_count(), 1);
    inverse.apply(&mut design).unwrap();
    assert_eq!(design, before);
}

#[test]
fn removing_a_field_takes_its_index_and_foreign_key_along() {
    let (mut design, _) = shop();
    let before = design.clone();
    let orders = design.entity_named("orders").unwrap();
    let field = orders.fields[0].id.clone();
    let inverse = Edit::RemoveField {
        entity: orders.id.clone(),
        field,
    }
    .apply(&mut design)
    .unwrap();
    assert!(design.entity_named("orders").unwrap().indexes.is_empty());
    assert_eq!(design.relationship_count(), 0);
    inverse.apply(&mut design).unwrap();
    assert_eq!(design, before);
}

/// shop() with `orders.total`, a check naming it and an index on the key
/// whose predicate names it too.
fn shop_with_expressions() -> (Design, IdGen) {
    let (mut design, mut ids) = shop();
    let orders = id_of(&design, "orders");
    let total = Field::new(ids.field(), "total", SqlType::Integer);
    Edit::Batch(vec![
        Edit::AddField {
            entity: orders.clone(),
            field: total,
            at: 1,
        },
        Edit::AddCheck {
            entity: orders.clone(),
            check: crate::core::model::Check {
                id: ids.check(),
                name: None,
                expr: "total >= 0 AND customer_id IS NOT NULL".into(),
            },
            at: 0,
        },
    ])
    .apply(&mut design)
    .unwrap();
    design.entity_mut(&orders).unwrap().indexes[0].predicate = Some("total > 100".into());
    (design, ids)
}

#[test]
fn renaming_a_field_rewrites_the_checks_and_predicates_that_name_it() {
    let (mut design, _) = shop_with_expressions();
    let before = design.clone();
    let orders = design.entity_named("orders").unwrap();
    let total = orders.field_named("total").unwrap().id.clone();
    let inverse = Edit::RenameField {
        entity: orders.id.clone(),
        field: total,
        name: "Grand Total".into(),
    }
    .apply(&mut design)
    .unwrap();
    let orders = design.entity_named("orders").unwrap();
    assert_eq!(
        orders.checks[0].expr.as_str(),
        "\"Grand Total\" >= 0 AND customer_id IS NOT NULL"
    );
    assert_eq!(
        orders.indexes[0].predicate.as_deref(),
        Some("\"Grand Total\" > 100")
    );
    assert!(design.validate().is_empty(), "{:?}", design.validate());
    inverse.apply(&mut design).unwrap();
    assert_eq!(design, before);
}

#[test]
fn removing_a_field_takes_the_checks_and_partial_indexes_that_name_it() {
    let (mut design, _) = shop_with_expressions();
    let before = design.clone();
    let orders = design.entity_named("orders").unwrap();
    let total = orders.field_named("total").unwrap().id.clone();
    let inverse = Edit::RemoveField {
        entity: orders.id.clone(),
        field: total,
    }
    .apply(&mut design)
    .unwrap();
    let orders = design.entity_named("orders").unwrap();
    assert!(orders.checks.is_empty(), "the check named `total`");
    assert!(
        orders.indexes.is_empty(),
        "the index's predicate named `total`"
    );
    assert_eq!(design.relationship_count(), 1, "the key stays");
    inverse.apply(&mut design).unwrap();
    assert_eq!(design, before);
}

#[test]
fn renaming_a_field_onto_another_name_is_refused_and_rewrites_nothing() {
    let (mut design, _) = shop_with_expressions();
    let before = design.clone();
    let orders = design.entity_named("orders").unwrap();
    let total = orders.field_named("total").unwrap().id.clone();
    let err = Edit::RenameField {
        entity: orders.id.clone(),
        field: total,
        name: "customer_id".into(),
    }
    .apply(&mut design)
    .unwrap_err();
    assert!(err.0.contains("defined twice"), "{err}");
    assert_eq!(design, before);
}

#[test]
fn renaming_an_entity_keeps_every_reference() {
    let (mut design, _) = shop();
    Edit::RenameEntity {
        id: id_of(&design, "customers"),
        name: "clients".into(),
    }
    .apply(&mut design)
    .unwrap();
    let rel = design.relationships().next().unwrap();
    assert_eq!(design.entity(&rel.to).unwrap().name, "clients");
    assert_eq!(design.relationship_name(rel), "orders_customer_id_fkey");
}

#[test]
fn deferrability_changes_and_its_inverse_restores_it() {
    let (mut design, _) = shop();
    let before = design.clone();
    let id = design.relationships().next().unwrap().id.clone();
    let inverse = Edit::SetRelationshipDeferrable {
        id: id.clone(),
        deferrable: Deferrable::InitiallyDeferred,
    }
    .apply(&mut design)
    .unwrap();
    assert_eq!(
        design.relationship(&id).unwrap().deferrable,
        Deferrable::InitiallyDeferred
    );
    assert_eq!(
        inverse,
        Edit::SetRelationshipDeferrable {
            id: id.clone(),
            deferrable: Deferrable::NotDeferrable,
        }
    );
    inverse.apply(&mut design).unwrap();
    assert_eq!(design, before);
    let err = Edit::SetRelationshipDeferrable {
        id: "nope".into(),
        deferrable: Deferrable::InitiallyImmediate,
    }
    .apply(&mut design)
    .unwrap_err();
    assert!(err.0.contains("no relationship"), "{err}");
}

#[test]
fn refused_edits_say_why_and_change_nothing() {
    let (mut design, mut ids) = shop();
    let before = design.clone();
    let orders = id_of(&design, "orders");
    let cases = [
        (
            Edit::RenameEntity {
                id: orders.clone(),
                name: "customers".into(),
            },
            "already used",
        ),
        (
            Edit::SetFieldType {
                entity: orders.clone(),
                field: design.entity_named("orders").unwrap().fields[0].id.clone(),
                ty: SqlType::Integer,
            },
            "cannot compare",
        ),
        (
            Edit::AddField {
                entity: orders.clone(),
                field: Field::new(ids.field(), "customer_id", SqlType::Text),
                at: 0,
            },
            "defined twice",
        ),
        (
            Edit::RenameEntity {
                id: "nope".into(),
                name: "x".into(),
            },
            "no entity",
        ),
        (
            Edit::RenameEntity {
                id: orders.clone(),
                name: "o".repeat(64),
            },
            "63",
        ),
    ];
    for (edit, reason) in cases {
        let err = edit.apply(&mut design).unwrap_err();
        assert!(err.0.contains(reason), "{edit:?}: {err}");
        assert_eq!(design, before);
    }
}

#[test]
fn a_failing_batch_rolls_back_its_earlier_steps() {
    let (mut design, _) = shop();
    let before = design.clone();
    let orders = id_of(&design, "orders");
    let err = Edit::Batch(vec![
        Edit::SetEntityComment {
            id: orders.clone(),
            comment: Some("x".into()),
        },
        Edit::RenameEntity {
            id: orders,
            name: "customers".into(),
        },
    ])
    .apply(&mut design);
    assert!(err.is_err());
    assert_eq!(design, before);
}

#[test]
fn renaming_an_enum_retypes_its_fields() {
    let mut design = Design::new("d");
    let mut ids = IdGen::seeded(9);
    let status = EnumType {
        id: ids.enum_type(),
        name: "status".into(),
        values: vec!["a".into()],
        comment: None,
    };
    let status_id = status.id.clone();
    let mut e = Entity::new(ids.entity(), "t");
    e.fields.push(Field::new(
        ids.field(),
        "s",
        SqlType::Array(Box::new(SqlType::Enum("status".into()))),
    ));
    Edit::Batch(vec![
        Edit::AddEnum {
            enum_type: status,
            at: 0,
        },
        Edit::AddEntity {
            entity: Box::new(e),
            at: 0,
        },
    ])
    .apply(&mut design)
    .unwrap();
    Edit::RenameEnum {
        id: status_id.clone(),
        name: "state".into(),
    }
    .apply(&mut design)
    .unwrap();
    assert_eq!(
        design.entity_named("t").unwrap().fields[0].ty.to_string(),
        "state[]"
    );
    let err = Edit::RemoveEnum { id: status_id }
        .apply(&mut design)
        .unwrap_err();
    assert!(err.0.contains("still the type of `t.s`"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every edit either is refused and changes nothing, or leaves a
    /// coherent design that its inverse turns back into the original.
    #[test]
    fn every_edit_is_undone_by_its_inverse(seed in any::<u64>(), steps in 1usize..12) {
        let mut random = Gen::new(seed);
        let mut design = random.design(6);
        for _ in 0..steps {
            let before = design.clone();
            let edit = random.edit(&design);
            match edit.apply(&mut design) {
                Ok(inverse) => {
                    prop_assert_eq!(design.validate(), vec![], "after {:?}", edit);
                    let after = design.clone();
                    let redo = inverse.apply(&mut design).expect("inverse applies");
                    prop_assert_eq!(&design, &before, "inverse of {:?}", edit);
                    redo.apply(&mut design).expect("redo applies");
                    prop_assert_eq!(&design, &after, "redo of {:?}", edit);
                }
                Err(_) => prop_assert_eq!(&design, &before, "refused {:?} changed the design", edit),
            }
        }
    }
}
