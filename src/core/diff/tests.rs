//! Diff matching, plan order and safety findings on the shipped shop design.
//! The real-server proof (migrated catalog = fresh catalog) is in
//! `tests/diff_postgres.rs`.

use proptest::prelude::*;

use super::*;
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{
    Check, DefaultValue, Deferrable, Design, Entity, EnumType, Field, Index, IndexMethod,
    PrimaryKey, ReferentialAction, Relationship, RelationshipKind, SqlType,
};
use crate::core::sql::Sql;
use crate::core::testing::Gen;

fn shop() -> Design {
    crate::file::parse(
        include_str!("../../../designs/shop.ron"),
        &mut IdGen::seeded(1),
    )
    .expect("shop.ron loads")
}

/// The design after the edits, each of which must apply.
fn edited(design: &Design, edits: impl IntoIterator<Item = Edit>) -> Design {
    let mut d = design.clone();
    for edit in edits {
        edit.apply(&mut d)
            .unwrap_or_else(|e| panic!("{edit:?} applies: {e}"));
    }
    d
}

fn entity(d: &Design, name: &str) -> crate::core::ids::EntityId {
    d.entity_named(name).expect(name).id.clone()
}

fn field(
    d: &Design,
    table: &str,
    name: &str,
) -> (crate::core::ids::EntityId, crate::core::ids::FieldId) {
    let e = d.entity_named(table).expect(table);
    (e.id.clone(), e.field_named(name).expect(name).id.clone())
}

fn sql(plan: &Plan) -> Vec<String> {
    plan.steps().map(|s| s.sql("public")).collect()
}

/// Where the statement containing `needle` is; panics with the script
/// when there is none.
fn at(statements: &[String], needle: &str) -> usize {
    statements
        .iter()
        .position(|s| s.contains(needle))
        .unwrap_or_else(|| panic!("no statement with `{needle}` in\n{}", statements.join("\n")))
}

fn rules(plan: &Plan) -> Vec<Safety> {
    plan.findings.iter().map(|f| f.rule).collect()
}

fn rename_entity(d: &Design, from: &str, to: &str) -> Edit {
    Edit::RenameEntity {
        id: entity(d, from),
        name: to.into(),
    }
}

#[test]
fn identical_designs_need_nothing() {
    let d = shop();
    assert_eq!(diff(&d, &d), vec![]);
    let p = plan(&d, &d, PlanOptions::default());
    assert!(p.is_empty() && p.findings.is_empty());
    assert!(p.script("up", "public").contains("Nothing to do"));
}

#[test]
fn a_renamed_entity_is_a_rename_and_its_derived_names_follow() {
    let old = shop();
    let new = edited(&old, [rename_entity(&old, "customers", "clients")]);
    let changes = diff(&old, &new);
    assert!(
        matches!(&changes[0], Change::RenameEntity { from, to, .. } if from == "customers" && to == "clients")
    );
    assert!(
        !changes
            .iter()
            .any(|c| matches!(c, Change::DropEntity { .. } | Change::AddEntity { .. }))
    );
    let names: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
    assert!(
        names
            .contains(&"rename primary key `customers_pkey` on `clients` to `clients_pkey`".into()),
        "{names:#?}"
    );
    assert!(
        names.contains(
            &"rename unique `customers_email_key` on `clients` to `clients_email_key`".into()
        ),
        "{names:#?}"
    );

    let up = plan(&old, &new, PlanOptions::default());
    let s = sql(&up);
    assert_eq!(
        s,
        [
            "ALTER TABLE public.customers RENAME TO clients;",
            "ALTER TABLE public.clients RENAME CONSTRAINT customers_pkey TO clients_pkey;",
            "ALTER TABLE public.clients RENAME CONSTRAINT customers_email_key TO clients_email_key;",
        ]
    );
    assert_eq!(rules(&up), [Safety::RenameBreaksCode]);
    assert!(up.refusal().is_none());
    let down = plan(&new, &old, PlanOptions::default());
    assert_eq!(
        sql(&down)[0],
        "ALTER TABLE public.clients RENAME TO customers;"
    );
}

#[test]
fn same_name_with_a_new_id_is_the_same_table() {
    let old = shop();
    let reviews = old.entity_named("reviews").unwrap().clone();
    let mut again = reviews.clone();
    again.id = "efresh1".into();
    let new = edited(
        &old,
        [
            Edit::RemoveEntity {
                id: reviews.id.clone(),
            },
            Edit::AddEntity {
                entity: Box::new(again),
                at: 99,
            },
        ],
    );
    // Removing the entity took its foreign keys, which the new one does
    // not have: those go, the table stays.
    let changes = diff(&old, &new);
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert!(
        changes
            .iter()
            .all(|c| matches!(c, Change::DropForeignKey { .. })),
        "{changes:#?}"
    );
    let s = sql(&plan(&old, &new, PlanOptions::default()));
    assert!(
        s.iter()
            .all(|st| !st.contains("TABLE public.reviews RENAME")
                && !st.contains("DROP TABLE")
                && !st.contains("CREATE TABLE")),
        "{s:#?}"
    );
}

/// The design's text without ids, read back with fresh ones: the same
/// schema, sharing no id with the original.
fn fresh_ids(d: &Design) -> Design {
    let text: String = crate::file::to_text(d)
        .split_inclusive('\n')
        .map(|line| match line.find("id: \"") {
            Some(at) => {
                let end = at + line[at + 5..].find('"').expect("a closing quote") + 6;
                let rest = line[end..].trim_start_matches(',').trim_start();
                format!("{}{rest}", &line[..at])
            }
            None => line.to_owned(),
        })
        .collect();
    crate::file::parse(&text, &mut IdGen::seeded(7))
        .unwrap_or_else(|(at, e)| panic!("{at:?}: {e}\n{text}"))
}

#[test]
fn designs_sharing_no_ids_are_matched_by_name() {
    let design = shop();
    let other = fresh_ids(&design);
    assert!(
        design.entities().all(|e| other.entity(&e.id).is_none()),
        "the ids really differ"
    );
    assert_eq!(diff(&other, &design), Vec::new());
    assert!(plan(&other, &design, PlanOptions::default()).is_empty());
    assert!(plan(&design, &other, PlanOptions::default()).is_empty());
}

#[test]
fn without_shared_ids_a_change_is_an_alter_never_a_drop_and_create() {
    let old = shop();
    let mut new = fresh_ids(&old);
    // A field renamed and one retyped, on a design with none of old's ids.
    let orders = new.entity_named("orders").unwrap().id.clone();
    let currency = new
        .entity(&orders)
        .unwrap()
        .field_named("currency")
        .unwrap()
        .id
        .clone();
    let total = new
        .entity(&orders)
        .unwrap()
        .field_named("total")
        .unwrap()
        .id
        .clone();
    for edit in [
        Edit::SetFieldType {
            entity: orders.clone(),
            field: currency,
            ty: SqlType::Varchar(Some(3)),
        },
        Edit::SetNotNull {
            entity: orders.clone(),
            field: total,
            not_null: false,
        },
    ] {
        edit.apply(&mut new).unwrap();
    }
    let up = plan(&old, &new, PlanOptions::default());
    let s = sql(&up);
    assert!(!s.is_empty());
    assert!(
        s.iter().all(|st| !st.contains("DROP TABLE")
            && !st.contains("CREATE TABLE")
            && !st.contains("DROP COLUMN")
            && !st.contains("ADD COLUMN")),
        "{s:#?}"
    );
    assert!(at(&s, "ALTER COLUMN currency TYPE varchar(3)") < s.len());
    assert!(at(&s, "ALTER COLUMN total DROP NOT NULL") < s.len());
}

#[test]
fn a_renamed_field_is_a_rename_and_renames_the_keys_named_after_it() {
    let old = shop();
    let (e, f) = field(&old, "customers", "email");
    let new = edited(
        &old,
        [Edit::RenameField {
            entity: e.clone(),
            field: f.clone(),
            name: "email_address".into(),
        }],
    );
    let changes = diff(&old, &new);
    assert!(
        matches!(&changes[0], Change::RenameField { from, at } if from == "email" && at.column == "email_address")
    );
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert_eq!(
        sql(&plan(&old, &new, PlanOptions::default())),
        [
            "ALTER TABLE public.customers RENAME CONSTRAINT customers_email_key TO customers_email_address_key;",
            "ALTER TABLE public.customers RENAME COLUMN email TO email_address;",
        ]
    );
}

#[test]
fn a_renamed_field_keeps_the_checks_that_name_it() {
    let old = shop();
    let (orders, subtotal) = field(&old, "orders", "subtotal");
    let new = edited(
        &old,
        [Edit::RenameField {
            entity: orders,
            field: subtotal,
            name: "net".into(),
        }],
    );
    let o = new.entity_named("orders").unwrap();
    assert!(
        o.checks
            .iter()
            .any(|c| c.expr.as_str() == "total = net - discount_total"),
        "the edit rewrote the checks"
    );
    let s = sql(&plan(&old, &new, PlanOptions::default()));
    // PostgreSQL rewrites the checks of a renamed column itself.
    assert_eq!(
        s,
        ["ALTER TABLE public.orders RENAME COLUMN subtotal TO net;"]
    );
}

#[test]
fn swapped_names_go_through_a_temporary_name() {
    let old = shop();
    let new = edited(
        &old,
        [
            rename_entity(&old, "warehouses", "tmp"),
            rename_entity(&old, "coupons", "warehouses"),
            rename_entity(&old, "warehouses", "coupons"),
        ],
    );
    let s = sql(&plan(&old, &new, PlanOptions::default()));
    assert_eq!(
        &s[..3],
        [
            "ALTER TABLE public.warehouses RENAME TO warehouses_plinth_tmp;",
            "ALTER TABLE public.coupons RENAME TO warehouses;",
            "ALTER TABLE public.warehouses_plinth_tmp RENAME TO coupons;",
        ]
    );
}

#[test]
fn foreign_keys_drop_before_their_targets_and_add_after_them() {
    let old = shop();
    let new = edited(
        &old,
        [Edit::RemoveEntity {
            id: entity(&old, "coupons"),
        }],
    );
    let up = plan(&old, &new, PlanOptions::default());
    let s = sql(&up);
    assert!(at(&s, "DROP CONSTRAINT orders_coupon_id_fkey") < at(&s, "DROP TABLE public.coupons"));
    assert_eq!(rules(&up), [Safety::DestructiveDrop]);
    assert!(up.refusal().unwrap().contains("--allow-destructive"));
    let allowed = plan(
        &old,
        &new,
        PlanOptions {
            allow_destructive: true,
            ..PlanOptions::default()
        },
    );
    assert!(allowed.refusal().is_none());

    // Down: the table comes back before the key that points at it.
    let down = plan(&new, &old, PlanOptions::default());
    let s = sql(&down);
    assert!(at(&s, "CREATE TABLE public.coupons") < at(&s, "ADD CONSTRAINT orders_coupon_id_fkey"));
    assert!(at(&s, "CREATE TABLE public.coupons") < at(&s, "COMMENT ON TABLE public.coupons"));
    assert_eq!(rules(&down), [Safety::FkValidateSeparately]);
}

#[test]
fn new_tables_follow_their_enums_and_dependencies() {
    let old = shop();
    let mut ids = IdGen::seeded(9);
    let kind = EnumType {
        id: ids.enum_type(),
        name: "gift_kind".into(),
        values: vec!["card".into(), "wrap".into()],
        comment: None,
    };
    let mut gifts = Entity::new(ids.entity(), "gifts");
    let id = Field::new(ids.field(), "id", SqlType::Uuid).not_null();
    let kind_field = Field::new(ids.field(), "kind", SqlType::Enum("gift_kind".into())).not_null();
    gifts.primary_key = Some(PrimaryKey {
        name: None,
        fields: vec![id.id.clone()],
    });
    gifts.fields = vec![id.clone(), kind_field];
    let order_field = Field::new(ids.field(), "gift_id", SqlType::Uuid);
    let orders = entity(&old, "orders");
    let new = edited(
        &old,
        [
            Edit::AddEnum {
                enum_type: kind,
                at: 0,
            },
            Edit::AddEntity {
                entity: Box::new(gifts.clone()),
                at: 0,
            },
            Edit::AddField {
                entity: orders.clone(),
                field: order_field.clone(),
                at: 99,
            },
            Edit::AddRelationship {
                relationship: Relationship {
                    id: ids.relationship(),
                    name: None,
                    kind: RelationshipKind::ManyToOne,
                    from: orders,
                    fields: vec![order_field.id.clone()],
                    to: gifts.id.clone(),
                    references: vec![id.id.clone()],
                    on_delete: Some(ReferentialAction::SetNull),
                    on_update: None,
                    deferrable: Deferrable::NotDeferrable,
                    required: false,
                },
            },
        ],
    );
    let s = sql(&plan(&old, &new, PlanOptions::default()));
    assert!(at(&s, "CREATE TYPE public.gift_kind") < at(&s, "CREATE TABLE public.gifts"));
    assert!(at(&s, "ADD COLUMN gift_id") < at(&s, "orders_gift_id_fkey"));
    assert!(at(&s, "CREATE TABLE public.gifts") < at(&s, "orders_gift_id_fkey"));
    let down = sql(&plan(&new, &old, PlanOptions::default()));
    assert!(
        at(&down, "DROP CONSTRAINT orders_gift_id_fkey") < at(&down, "DROP TABLE public.gifts")
    );
    assert!(at(&down, "DROP TABLE public.gifts") < at(&down, "DROP TYPE public.gift_kind"));
}

#[test]
fn retypes_cast_only_where_postgresql_needs_it() {
    let old = shop();
    let retype = |d: &Design, t: &str, f: &str, ty: &str| {
        let (entity, field) = field(d, t, f);
        Edit::SetFieldType {
            entity,
            field,
            ty: SqlType::parse(ty).unwrap(),
        }
    };
    let new = edited(
        &old,
        [
            retype(&old, "categories", "name", "varchar(200)"),
            retype(&old, "inventory", "quantity", "bigint"),
            retype(&old, "payments", "provider", "text"),
        ],
    );
    let up = plan(&old, &new, PlanOptions::default());
    assert_eq!(
        sql(&up),
        [
            "ALTER TABLE public.categories ALTER COLUMN name TYPE varchar(200);",
            "ALTER TABLE public.inventory ALTER COLUMN quantity TYPE bigint;",
            "ALTER TABLE public.payments ALTER COLUMN provider TYPE text;",
        ]
    );
    assert_eq!(rules(&up), [Safety::TableRewrite]);
    assert!(up.findings[0].message.contains("inventory.quantity"));

    let mut ids = IdGen::seeded(5);
    let token = Field::new(ids.field(), "token", SqlType::Uuid).default_expr("gen_random_uuid()");
    let with_token = edited(
        &old,
        [Edit::AddField {
            entity: entity(&old, "customers"),
            field: token,
            at: 99,
        }],
    );
    let up = plan(&old, &with_token, PlanOptions::default());
    assert_eq!(rules(&up), [Safety::TableRewrite]);
    assert!(up.findings[0].message.contains("value computed per row"));

    let new = edited(&old, [retype(&old, "reviews", "title", "integer")]);
    assert_eq!(
        sql(&plan(&old, &new, PlanOptions::default())),
        ["ALTER TABLE public.reviews ALTER COLUMN title TYPE integer USING title::integer;"]
    );
}

#[test]
fn a_renamed_enum_does_not_retype_its_fields() {
    let old = shop();
    let id = old.enum_named("order_status").unwrap().id.clone();
    let new = edited(
        &old,
        [Edit::RenameEnum {
            id,
            name: "order_state".into(),
        }],
    );
    assert_eq!(
        sql(&plan(&old, &new, PlanOptions::default())),
        ["ALTER TYPE public.order_status RENAME TO order_state;"]
    );
}

#[test]
fn added_enum_values_keep_their_place() {
    let old = shop();
    let id = old.enum_named("order_status").unwrap().id.clone();
    let values = [
        "on_hold",
        "pending",
        "paid",
        "packed",
        "shipped",
        "delivered",
        "cancelled",
        "refunded",
    ];
    let new = edited(
        &old,
        [Edit::SetEnumValues {
            id,
            values: values.map(String::from).to_vec(),
        }],
    );
    let up = plan(&old, &new, PlanOptions::default());
    assert_eq!(
        sql(&up),
        [
            "ALTER TYPE public.order_status ADD VALUE 'on_hold' BEFORE 'pending';",
            "ALTER TYPE public.order_status ADD VALUE 'packed' AFTER 'paid';",
            "ALTER TYPE public.order_status ADD VALUE 'refunded';",
        ]
    );
    assert!(up.before.is_empty());
}

#[test]
fn an_enum_value_used_by_a_new_default_commits_first() {
    let old = shop();
    let id = old.enum_named("order_status").unwrap().id.clone();
    let (e, f) = field(&old, "orders", "status");
    let mut values = old.enum_named("order_status").unwrap().values.clone();
    values.push("draft".into());
    let new = edited(
        &old,
        [
            Edit::SetEnumValues { id, values },
            Edit::SetDefault {
                entity: e,
                field: f,
                default: Some(DefaultValue::Text("draft".into())),
            },
        ],
    );
    let up = plan(&old, &new, PlanOptions::default());
    assert_eq!(up.before.len(), 1);
    let script = up.script("up", "public");
    assert!(
        script.find("ADD VALUE 'draft'").unwrap() < script.find("BEGIN;").unwrap(),
        "{script}"
    );
}

#[test]
fn removing_an_enum_value_rebuilds_the_type() {
    let old = shop();
    let e = old.enum_named("order_status").unwrap();
    let values = e
        .values
        .iter()
        .filter(|v| *v != "cancelled")
        .cloned()
        .collect();
    let new = edited(
        &old,
        [Edit::SetEnumValues {
            id: e.id.clone(),
            values,
        }],
    );
    let up = plan(&old, &new, PlanOptions::default());
    assert_eq!(
        sql(&up),
        [
            "CREATE TYPE public.order_status_plinth_new AS ENUM ('pending', 'paid', 'shipped', 'delivered');",
            "ALTER TABLE public.orders ALTER COLUMN status DROP DEFAULT;",
            "ALTER TABLE public.orders ALTER COLUMN status TYPE public.order_status_plinth_new USING status::text::public.order_status_plinth_new;",
            "ALTER TABLE public.orders ALTER COLUMN status SET DEFAULT 'pending';",
            "DROP TYPE public.order_status;",
            "ALTER TYPE public.order_status_plinth_new RENAME TO order_status;",
            "COMMENT ON TYPE public.order_status IS 'Where an order is in its life: placed, paid for, handed to a carrier, received, or called off.';",
        ]
    );
    assert_eq!(rules(&up), [Safety::TableRewrite]);
    assert!(
        up.findings[0].message.contains("still holds 'cancelled'"),
        "{:?}",
        up.findings
    );
    // Adding the value back is an ADD VALUE again.
    let down = sql(&plan(&new, &old, PlanOptions::default()));
    assert_eq!(
        down,
        ["ALTER TYPE public.order_status ADD VALUE 'cancelled';"]
    );
}

#[test]
fn not_null_is_backfilled_from_a_default_or_reported() {
    let old = shop();
    let (e, f) = field(&old, "customers", "phone");
    let not_null = Edit::SetNotNull {
        entity: e.clone(),
        field: f.clone(),
        not_null: true,
    };
    let bare = plan(
        &old,
        &edited(&old, [not_null.clone()]),
        PlanOptions::default(),
    );
    assert_eq!(
        sql(&bare),
        ["ALTER TABLE public.customers ALTER COLUMN phone SET NOT NULL;"]
    );
    assert_eq!(rules(&bare), [Safety::NotNullWithoutDefault]);

    let with_default = edited(
        &old,
        [
            Edit::SetDefault {
                entity: e,
                field: f,
                default: Some(DefaultValue::Text("unknown".into())),
            },
            not_null,
        ],
    );
    let filled = plan(&old, &with_default, PlanOptions::default());
    assert_eq!(
        sql(&filled),
        [
            "ALTER TABLE public.customers ALTER COLUMN phone SET DEFAULT 'unknown';",
            "UPDATE public.customers SET phone = DEFAULT WHERE phone IS NULL;",
            "ALTER TABLE public.customers ALTER COLUMN phone SET NOT NULL;",
        ]
    );
    assert!(filled.findings.is_empty());

    let mut ids = IdGen::seeded(3);
    let added = Field::new(ids.field(), "loyalty", SqlType::Integer).not_null();
    let new = edited(
        &old,
        [Edit::AddField {
            entity: entity(&old, "customers"),
            field: added,
            at: 99,
        }],
    );
    assert_eq!(
        rules(&plan(&old, &new, PlanOptions::default())),
        [Safety::NotNullWithoutDefault]
    );
}

#[test]
fn new_indexes_on_existing_tables_lock_writes_unless_built_concurrently() {
    let old = shop();
    let (e, f) = field(&old, "orders", "total");
    let new = edited(
        &old,
        [Edit::AddIndex {
            entity: e,
            index: Index {
                id: "inew001".into(),
                name: None,
                fields: vec![f],
                unique: false,
                method: IndexMethod::Btree,
                predicate: None,
            },
            at: 99,
        }],
    );
    let up = plan(&old, &new, PlanOptions::default());
    assert_eq!(
        sql(&up),
        ["CREATE INDEX orders_total_idx ON public.orders (total);"]
    );
    assert_eq!(rules(&up), [Safety::IndexLocksWrites]);
    assert!(up.transactional());

    let options = PlanOptions {
        concurrently: true,
        ..PlanOptions::default()
    };
    let m = migration(&old, &new, options);
    assert_eq!(
        sql(&m.up),
        ["CREATE INDEX CONCURRENTLY orders_total_idx ON public.orders (total);"]
    );
    assert!(m.up.findings.is_empty() && !m.up.transactional());
    assert!(!m.up.script("up", "public").contains("BEGIN"));
    assert_eq!(
        sql(&m.down),
        ["DROP INDEX CONCURRENTLY public.orders_total_idx;"]
    );
}

#[test]
fn new_foreign_keys_on_existing_tables_can_be_validated_after_the_commit() {
    let old = shop();
    let r = old
        .relationships()
        .find(|r| old.relationship_name(r) == "orders_customer_id_fkey")
        .unwrap()
        .id
        .clone();
    let new = edited(
        &old,
        [Edit::SetRelationshipActions {
            id: r,
            on_delete: Some(ReferentialAction::Cascade),
            on_update: None,
        }],
    );
    assert!(matches!(
        diff(&old, &new)[..],
        [Change::ChangeForeignKey { .. }]
    ));
    let up = plan(&old, &new, PlanOptions::default());
    assert_eq!(
        sql(&up),
        [
            "ALTER TABLE public.orders DROP CONSTRAINT orders_customer_id_fkey;",
            "ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers (id) ON DELETE CASCADE;",
        ]
    );
    assert_eq!(rules(&up), [Safety::FkValidateSeparately]);

    let options = PlanOptions {
        not_valid: true,
        ..PlanOptions::default()
    };
    let up = plan(&old, &new, options);
    assert!(up.findings.is_empty());
    assert_eq!(
        up.after.iter().map(|s| s.sql("public")).collect::<Vec<_>>(),
        ["ALTER TABLE public.orders VALIDATE CONSTRAINT orders_customer_id_fkey;"]
    );
    let script = up.script("up", "public");
    assert!(
        script.find("COMMIT;").unwrap() < script.find("VALIDATE").unwrap(),
        "{script}"
    );
    assert!(script.contains("ON DELETE CASCADE NOT VALID;"));
}

fn customer_key(d: &Design) -> crate::core::ids::RelationshipId {
    d.relationships()
        .find(|r| d.relationship_name(r) == "orders_customer_id_fkey")
        .unwrap()
        .id
        .clone()
}

#[test]
fn deferrability_alone_changes_in_place_and_back() {
    let old = shop();
    let new = edited(
        &old,
        [Edit::SetRelationshipDeferrable {
            id: customer_key(&old),
            deferrable: Deferrable::InitiallyDeferred,
        }],
    );
    let changes = diff(&old, &new);
    assert!(
        matches!(
            changes[..],
            [Change::SetForeignKeyDeferrable {
                from: Deferrable::NotDeferrable,
                to: Deferrable::InitiallyDeferred,
                ..
            }]
        ),
        "{changes:?}"
    );
    assert_eq!(
        changes[0].to_string(),
        "make foreign key `orders_customer_id_fkey` on `orders` deferrable, initially deferred"
    );
    let m = migration(&old, &new, PlanOptions::default());
    assert_eq!(
        sql(&m.up),
        [
            "ALTER TABLE public.orders ALTER CONSTRAINT orders_customer_id_fkey DEFERRABLE INITIALLY DEFERRED;"
        ]
    );
    assert_eq!(
        sql(&m.down),
        ["ALTER TABLE public.orders ALTER CONSTRAINT orders_customer_id_fkey NOT DEFERRABLE;"]
    );
    assert!(m.up.findings.is_empty() && m.down.findings.is_empty());
    assert_eq!(
        m.up.steps().map(Step::describe).collect::<Vec<_>>(),
        ["make constraint `orders_customer_id_fkey` on `orders` deferrable, initially deferred"]
    );

    // From one deferrable kind to the other, and with NOT VALID asked for:
    // nothing is added, so nothing waits for validation.
    let immediate = edited(
        &new,
        [Edit::SetRelationshipDeferrable {
            id: customer_key(&new),
            deferrable: Deferrable::InitiallyImmediate,
        }],
    );
    let options = PlanOptions {
        not_valid: true,
        ..PlanOptions::default()
    };
    let m = migration(&new, &immediate, options);
    assert_eq!(
        sql(&m.up),
        [
            "ALTER TABLE public.orders ALTER CONSTRAINT orders_customer_id_fkey DEFERRABLE INITIALLY IMMEDIATE;"
        ]
    );
    assert_eq!(
        sql(&m.down),
        [
            "ALTER TABLE public.orders ALTER CONSTRAINT orders_customer_id_fkey DEFERRABLE INITIALLY DEFERRED;"
        ]
    );
}

#[test]
fn a_renamed_key_changes_deferrability_under_its_new_name() {
    let old = shop();
    let new = edited(
        &old,
        [
            rename_entity(&old, "orders", "purchases"),
            Edit::SetRelationshipDeferrable {
                id: customer_key(&old),
                deferrable: Deferrable::InitiallyImmediate,
            },
        ],
    );
    let s = sql(&plan(&old, &new, PlanOptions::default()));
    let renamed = at(
        &s,
        "RENAME CONSTRAINT orders_customer_id_fkey TO purchases_customer_id_fkey",
    );
    let altered = at(
        &s,
        "ALTER TABLE public.purchases ALTER CONSTRAINT purchases_customer_id_fkey DEFERRABLE INITIALLY IMMEDIATE;",
    );
    assert!(renamed < altered);
}

#[test]
fn a_key_added_or_rebuilt_carries_its_deferrability() {
    let old = shop();
    let id = customer_key(&old);
    let new = edited(
        &old,
        [
            Edit::SetRelationshipActions {
                id: id.clone(),
                on_delete: Some(ReferentialAction::Cascade),
                on_update: None,
            },
            Edit::SetRelationshipDeferrable {
                id,
                deferrable: Deferrable::InitiallyDeferred,
            },
        ],
    );
    assert!(matches!(
        diff(&old, &new)[..],
        [Change::ChangeForeignKey { .. }]
    ));
    let up = plan(&old, &new, PlanOptions::default());
    assert_eq!(
        sql(&up),
        [
            "ALTER TABLE public.orders DROP CONSTRAINT orders_customer_id_fkey;",
            "ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;",
        ]
    );
    let up = plan(
        &old,
        &new,
        PlanOptions {
            not_valid: true,
            ..PlanOptions::default()
        },
    );
    assert!(
        sql(&up)[1].ends_with("ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED NOT VALID;"),
        "{:?}",
        sql(&up)
    );
}

#[test]
fn a_rebuilt_primary_key_takes_the_foreign_keys_on_it_along() {
    let old = shop();
    let (e, f) = field(&old, "coupons", "code");
    let new = edited(
        &old,
        [Edit::SetPrimaryKey {
            entity: e,
            primary_key: Some(PrimaryKey {
                name: None,
                fields: vec![f],
            }),
        }],
    );
    let s = sql(&plan(&old, &new, PlanOptions::default()));
    assert!(
        at(&s, "DROP CONSTRAINT orders_coupon_id_fkey") < at(&s, "DROP CONSTRAINT coupons_pkey")
    );
    assert!(at(&s, "ADD CONSTRAINT coupons_pkey") < at(&s, "ADD CONSTRAINT orders_coupon_id_fkey"));
}

#[test]
fn dropping_the_first_unnamed_check_renumbers_the_others() {
    let old = shop();
    let coupons = old.entity_named("coupons").unwrap();
    let new = edited(
        &old,
        [Edit::RemoveCheck {
            entity: coupons.id.clone(),
            id: coupons.checks[0].id.clone(),
        }],
    );
    let s = sql(&plan(&old, &new, PlanOptions::default()));
    assert_eq!(
        s[0],
        "ALTER TABLE public.coupons DROP CONSTRAINT coupons_check;"
    );
    assert_eq!(
        s[1],
        "ALTER TABLE public.coupons RENAME CONSTRAINT coupons_check1 TO coupons_check;"
    );
    assert_eq!(s.len(), 5, "{s:#?}");

    // And adding one in front pushes them along, without clashing.
    let check = Check {
        id: "cnew001".into(),
        name: None,
        expr: "true".into(),
    };
    let added = edited(
        &old,
        [Edit::AddCheck {
            entity: coupons.id.clone(),
            check,
            at: 0,
        }],
    );
    let s = sql(&plan(&old, &added, PlanOptions::default()));
    assert_eq!(
        s[0],
        "ALTER TABLE public.coupons RENAME CONSTRAINT coupons_check4 TO coupons_check5;"
    );
    assert_eq!(
        s.last().unwrap(),
        "ALTER TABLE public.coupons ADD CONSTRAINT coupons_check CHECK (true);"
    );
}

#[test]
fn every_step_says_what_it_does() {
    let old = shop();
    let new = edited(
        &old,
        [
            rename_entity(&old, "customers", "clients"),
            Edit::RemoveEntity {
                id: entity(&old, "reviews"),
            },
        ],
    );
    let up = plan(&old, &new, PlanOptions::default());
    let words: Vec<String> = up.steps().map(Step::describe).collect();
    assert!(
        words.contains(&"rename table `customers` to `clients`".to_string()),
        "{words:#?}"
    );
    assert!(
        words.contains(&"drop table `reviews`".to_string()),
        "{words:#?}"
    );
}

/// Counts changes by kind, so a diff and the diff back can be compared.
fn census(changes: &[Change]) -> [usize; 6] {
    let mut n = [0; 6];
    for c in changes {
        match c {
            Change::AddEntity { .. } => n[0] += 1,
            Change::DropEntity { .. } => n[1] += 1,
            Change::AddField { .. } => n[2] += 1,
            Change::DropField { .. } => n[3] += 1,
            Change::RenameEntity { .. } => n[4] += 1,
            Change::RenameField { .. } => n[5] += 1,
            _ => {}
        }
    }
    n
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// On random designs and random edits: no difference with itself, the
    /// way back mirrors the way there, and planning never panics.
    #[test]
    fn diffs_mirror_and_plans_hold_together(seed in any::<u64>()) {
        let mut g = Gen::new(seed);
        let old = g.design(5);
        prop_assert_eq!(diff(&old, &old), vec![]);
        let mut new = old.clone();
        for _ in 0..g.rng.usize(1..6) {
            let edit = g.edit(&new);
            let _ = edit.apply(&mut new);
        }
        let there = census(&diff(&old, &new));
        let back = census(&diff(&new, &old));
        prop_assert_eq!([there[0], there[1], there[2], there[3]], [back[1], back[0], back[3], back[2]]);
        prop_assert_eq!(&there[4..], &back[4..]);
        let m = migration(&old, &new, PlanOptions::default());
        prop_assert_eq!(m.up.is_empty(), diff(&old, &new).is_empty() || m.up.is_empty());
        prop_assert_eq!(m.up.is_destructive(), there[1] + there[3] > 0);
        let _ = m.up.script("up", "public");
    }
}
