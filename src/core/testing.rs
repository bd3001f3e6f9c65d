//! Random designs and edits for property tests.
//!
//! Generation is driven by a seed that proptest supplies, so a failing case
//! is reported as a seed that reproduces it.

use crate::core::check::{Allow, Level, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{
    Check, DefaultValue, Deferrable, Dependency, Design, Entity, EnumType, Field, Identity, Index,
    IndexMethod, PrimaryKey, ReferentialAction, Relationship, RelationshipKind, SqlExpr, SqlType,
    Unique,
};

/// Names chosen to exercise quoting: reserved words, capitals, spaces.
const ENTITY_NAMES: &[&str] = &[
    "customers",
    "orders",
    "user",
    "Order Lines",
    "products",
    "select",
    "tags",
    "categories",
    "x",
    "payments",
];
const FIELD_NAMES: &[&str] = &[
    "name",
    "email",
    "from",
    "Group",
    "end date",
    "total",
    "notes",
    "status",
    "code",
    "qty",
    "created_at",
    "slug",
];
const TEXTS: &[&str] = &[
    "plain",
    "it's",
    "back\\slash",
    "line\nbreak",
    "ünï \"cödé\"",
];

pub struct Gen {
    pub rng: fastrand::Rng,
    pub ids: IdGen,
}

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen {
            rng: fastrand::Rng::with_seed(seed),
            ids: IdGen::seeded(seed ^ 0x5eed),
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.usize(..items.len())]
    }

    fn maybe_text(&mut self) -> Option<String> {
        self.rng.bool().then(|| self.pick(TEXTS).to_string())
    }

    pub fn sql_type(&mut self, enums: &[EnumType]) -> SqlType {
        let base = match self.rng.u8(..14) {
            0 => SqlType::Uuid,
            1 => SqlType::Text,
            2 => SqlType::Varchar(Some(self.rng.u32(1..300))),
            3 => SqlType::Char(Some(self.rng.u32(1..4))),
            4 => SqlType::SmallInt,
            5 => SqlType::Integer,
            6 => SqlType::BigInt,
            7 => SqlType::Numeric(Some((12, 2))),
            8 => SqlType::Boolean,
            9 => SqlType::Timestamptz,
            10 => SqlType::Jsonb,
            11 => SqlType::Date,
            12 if !enums.is_empty() => SqlType::Enum(self.pick(enums).name.clone()),
            _ => SqlType::Interval,
        };
        if self.rng.u8(..8) == 0 {
            SqlType::Array(Box::new(base))
        } else {
            base
        }
    }

    pub fn field(&mut self, name: &str, enums: &[EnumType]) -> Field {
        let ty = self.sql_type(enums);
        let mut field = Field::new(self.ids.field(), name, ty.clone());
        field.not_null = self.rng.bool();
        field.comment = self.maybe_text();
        if self.rng.u8(..4) == 0 {
            field.default = Some(match ty {
                SqlType::Text | SqlType::Varchar(_) => {
                    DefaultValue::Text(self.pick(TEXTS).to_string())
                }
                SqlType::Integer | SqlType::BigInt | SqlType::SmallInt => {
                    DefaultValue::Expr("0".into())
                }
                SqlType::Timestamptz => DefaultValue::Expr("now()".into()),
                _ => DefaultValue::Expr("NULL".into()),
            });
        }
        field
    }

    /// A coherent design with up to `max_entities` entities.
    pub fn design(&mut self, max_entities: usize) -> Design {
        let mut design = Design::new("random");
        design.comment = self.maybe_text();
        if self.rng.bool() {
            design
                .checks
                .levels
                .insert(*self.pick(Rule::ALL), Level::Warning);
        }
        for i in 0..self.rng.usize(0..3) {
            let values = (0..self.rng.usize(1..4)).map(|v| format!("v{v}")).collect();
            design.enums.push(EnumType {
                id: self.ids.enum_type(),
                name: format!("kind {i}"),
                values,
                comment: self.maybe_text(),
            });
        }
        let count = self.rng.usize(0..=max_entities.min(ENTITY_NAMES.len()));
        let mut names = ENTITY_NAMES.to_vec();
        self.rng.shuffle(&mut names);
        for name in names.into_iter().take(count) {
            let entity = self.entity(name, &design.enums.clone());
            let at = design.entity_count();
            design.insert_entity(entity, at);
        }
        let ids: Vec<_> = design.entities().map(|e| e.id.clone()).collect();
        for _ in 0..self.rng.usize(0..=count * 2) {
            let from = self.pick(&ids).clone();
            let to = self.pick(&ids).clone();
            if let Some(edit) = self.new_relationship(&design, &from, &to) {
                edit.apply(&mut design)
                    .expect("generated relationships are coherent");
            }
        }
        debug_assert_eq!(design.validate(), vec![]);
        design
    }

    fn entity(&mut self, name: &str, enums: &[EnumType]) -> Entity {
        let mut entity = Entity::new(self.ids.entity(), name);
        entity.comment = self.maybe_text();
        entity.junction = self.rng.u8(..6) == 0;
        let mut id = Field::new(self.ids.field(), "id", SqlType::Uuid).not_null();
        if self.rng.bool() {
            id.default = Some(DefaultValue::Expr("gen_random_uuid()".into()));
        } else {
            id.ty = SqlType::BigInt;
            id.identity = Some(if self.rng.bool() {
                Identity::Always
            } else {
                Identity::ByDefault
            });
        }
        entity.fields.push(id);
        let mut field_names = FIELD_NAMES.to_vec();
        self.rng.shuffle(&mut field_names);
        for field_name in field_names.into_iter().take(self.rng.usize(0..6)) {
            entity.fields.push(self.field(field_name, enums));
        }
        if self.rng.u8(..8) != 0 {
            entity.primary_key = Some(PrimaryKey {
                name: self.rng.bool().then(|| format!("{name} key")),
                fields: vec![entity.fields[0].id.clone()],
            });
        }
        let others: Vec<_> = entity.fields.iter().skip(1).map(|f| f.id.clone()).collect();
        for (n, field) in others.iter().enumerate() {
            match self.rng.u8(..5) {
                0 => entity.uniques.push(Unique {
                    id: self.ids.unique(),
                    name: None,
                    fields: vec![field.clone()],
                }),
                1 => entity.indexes.push(Index {
                    id: self.ids.index(),
                    name: self.rng.bool().then(|| format!("{name} idx {n}")),
                    fields: others[n..].iter().take(2).cloned().collect(),
                    unique: self.rng.bool(),
                    method: IndexMethod::Btree,
                    predicate: self
                        .rng
                        .bool()
                        .then(|| names_one(&entity.fields[n + 1].name)),
                }),
                _ => {}
            }
        }
        if entity.fields.len() > 2 && self.rng.bool() {
            entity.dependencies.push(Dependency {
                lhs: vec![entity.fields[1].id.clone()],
                rhs: vec![entity.fields[2].id.clone()],
            });
            entity.allow.push(Allow {
                rule: *self.pick(Rule::ALL),
                reason: self.pick(TEXTS).to_string(),
            });
            entity.fields[1].allow.push(Allow {
                rule: *self.pick(Rule::ALL),
                reason: "deliberate".into(),
            });
        }
        for _ in 0..self.rng.usize(0..2) {
            let field = &entity.fields[self.rng.usize(..entity.fields.len())];
            let expr = names_one(&field.name);
            entity.checks.push(Check {
                id: self.ids.check(),
                name: None,
                expr,
            });
        }
        entity
    }

    /// Adds a key field to `from` typed like `to`'s primary key, and the
    /// foreign key over it; `None` when `to` has no single-field key.
    pub fn new_relationship(
        &mut self,
        design: &Design,
        from: &crate::core::ids::EntityId,
        to: &crate::core::ids::EntityId,
    ) -> Option<Edit> {
        let parent = design.entity(to)?;
        let pk = parent.primary_key.as_ref()?;
        let [key] = pk.fields.as_slice() else {
            return None;
        };
        let key_type = parent.field(key)?.ty.clone();
        let child = design.entity(from)?;
        let name = format!(
            "{}_ref{}",
            parent.name.to_lowercase().replace(' ', "_"),
            self.rng.u32(..1000)
        );
        if child.field_named(&name).is_some() {
            return None;
        }
        let mut field = Field::new(self.ids.field(), name, key_type);
        field.not_null = self.rng.bool();
        let actions = ReferentialAction::ALL;
        let relationship = Relationship {
            id: self.ids.relationship(),
            name: None,
            kind: if self.rng.u8(..4) == 0 {
                RelationshipKind::OneToOne
            } else {
                RelationshipKind::ManyToOne
            },
            from: from.clone(),
            fields: vec![field.id.clone()],
            to: to.clone(),
            references: vec![key.clone()],
            on_delete: self.rng.bool().then(|| *self.pick(&actions)),
            on_update: self.rng.bool().then(|| *self.pick(&actions)),
            deferrable: self.deferrable(),
            required: self.rng.bool(),
        };
        let at = child.fields.len();
        Some(Edit::Batch(vec![
            Edit::AddField {
                entity: from.clone(),
                field,
                at,
            },
            Edit::AddRelationship { relationship },
        ]))
    }

    /// Mostly not deferrable, as in most schemas.
    fn deferrable(&mut self) -> Deferrable {
        match self.rng.u8(..4) {
            0 => Deferrable::InitiallyImmediate,
            1 => Deferrable::InitiallyDeferred,
            _ => Deferrable::NotDeferrable,
        }
    }

    /// Some edit on the design; it may well be refused (a duplicate name,
    /// a missing target), which is part of what is tested.
    pub fn edit(&mut self, design: &Design) -> Edit {
        let entities: Vec<&Entity> = design.entities().collect();
        let enums = design.enums.clone();
        if entities.is_empty() || self.rng.u8(..10) == 0 {
            let name = self.pick(ENTITY_NAMES).to_string();
            let entity = self.entity(&name, &enums);
            return Edit::AddEntity {
                entity: Box::new(entity),
                at: self.rng.usize(..=entities.len()),
            };
        }
        let entity = (*self.pick(&entities)).clone();
        if entity.fields.is_empty() {
            let field = self.field("name", &enums);
            return Edit::AddField {
                entity: entity.id.clone(),
                field,
                at: 0,
            };
        }
        let field = self.pick(&entity.fields).clone();
        let e = entity.id.clone();
        let f = field.id.clone();
        match self.rng.u8(..27) {
            0 => Edit::RemoveEntity { id: e },
            1 => Edit::RenameEntity {
                id: e,
                name: self.pick(ENTITY_NAMES).to_string(),
            },
            2 => Edit::SetEntityComment {
                id: e,
                comment: self.maybe_text(),
            },
            3 => Edit::SetJunction {
                id: e,
                junction: self.rng.bool(),
            },
            4 => {
                let name = self.pick(FIELD_NAMES).to_string();
                let new = self.field(&name, &enums);
                Edit::AddField {
                    entity: e,
                    field: new,
                    at: self.rng.usize(..=entity.fields.len()),
                }
            }
            5 => Edit::RemoveField {
                entity: e,
                field: f,
            },
            6 => Edit::RenameField {
                entity: e,
                field: f,
                name: self.pick(FIELD_NAMES).to_string(),
            },
            7 => Edit::SetFieldType {
                entity: e,
                field: f,
                ty: self.sql_type(&enums),
            },
            8 => Edit::SetNotNull {
                entity: e,
                field: f,
                not_null: self.rng.bool(),
            },
            9 => Edit::SetDefault {
                entity: e,
                field: f,
                default: self.rng.bool().then(|| DefaultValue::Text("x".into())),
            },
            10 => Edit::SetFieldComment {
                entity: e,
                field: f,
                comment: self.maybe_text(),
            },
            11 => Edit::SetPrimaryKey {
                entity: e,
                primary_key: self.rng.bool().then(|| PrimaryKey {
                    name: None,
                    fields: vec![f],
                }),
            },
            12 => Edit::AddUnique {
                entity: e,
                unique: Unique {
                    id: self.ids.unique(),
                    name: None,
                    fields: vec![f],
                },
                at: 0,
            },
            13 => match entity.uniques.first() {
                Some(u) => Edit::RemoveUnique {
                    entity: e,
                    id: u.id.clone(),
                },
                None => Edit::AddCheck {
                    entity: e,
                    check: Check {
                        id: self.ids.check(),
                        name: None,
                        expr: "true".into(),
                    },
                    at: 0,
                },
            },
            14 => Edit::AddIndex {
                entity: e,
                index: Index {
                    id: self.ids.index(),
                    name: None,
                    fields: vec![f],
                    unique: false,
                    method: IndexMethod::Hash,
                    predicate: None,
                },
                at: self.rng.usize(..=entity.indexes.len()),
            },
            15 => match entity.indexes.first() {
                Some(i) => Edit::RemoveIndex {
                    entity: e,
                    id: i.id.clone(),
                },
                None => Edit::SetIdentity {
                    entity: e,
                    field: f,
                    identity: Some(Identity::ByDefault),
                },
            },
            16 => match entity.checks.first() {
                Some(c) => Edit::RemoveCheck {
                    entity: e,
                    id: c.id.clone(),
                },
                None => Edit::SetIdentity {
                    entity: e,
                    field: f,
                    identity: None,
                },
            },
            17 => {
                let to = self.pick(&entities).id.clone();
                self.new_relationship(design, &e, &to)
                    .unwrap_or(Edit::RemoveEntity { id: to })
            }
            18 => match design.relationships().next() {
                Some(r) => Edit::RemoveRelationship { id: r.id.clone() },
                None => Edit::SetJunction {
                    id: e,
                    junction: true,
                },
            },
            19 => match design.relationships().last() {
                Some(r) => Edit::SetRelationshipActions {
                    id: r.id.clone(),
                    on_delete: Some(ReferentialAction::Cascade),
                    on_update: None,
                },
                None => match design.relationships().next() {
                    Some(r) => Edit::SetRelationshipRequired {
                        id: r.id.clone(),
                        required: !r.required,
                    },
                    None => Edit::SetJunction {
                        id: e,
                        junction: false,
                    },
                },
            },
            20 => match enums.first() {
                Some(en) => match self.rng.u8(..3) {
                    0 => Edit::RemoveEnum { id: en.id.clone() },
                    1 => Edit::RenameEnum {
                        id: en.id.clone(),
                        name: format!("kind {}", self.rng.u8(..4)),
                    },
                    _ => Edit::SetEnumValues {
                        id: en.id.clone(),
                        values: vec!["a".into(), "b".into()],
                    },
                },
                None => Edit::AddEnum {
                    enum_type: EnumType {
                        id: self.ids.enum_type(),
                        name: "kind 0".into(),
                        values: vec!["a".into()],
                        comment: None,
                    },
                    at: 0,
                },
            },
            22 => Edit::SetDependencies {
                entity: e,
                dependencies: vec![Dependency {
                    lhs: vec![entity.fields[0].id.clone()],
                    rhs: vec![f],
                }],
            },
            23 => Edit::SetFieldAllows {
                entity: e,
                field: f,
                allow: vec![Allow {
                    rule: *self.pick(Rule::ALL),
                    reason: self.pick(TEXTS).to_string(),
                }],
            },
            24 => Edit::SetEntityAllows {
                entity: e,
                allow: Vec::new(),
            },
            25 => {
                let mut settings = design.checks.clone();
                settings.levels.insert(*self.pick(Rule::ALL), Level::Off);
                Edit::SetCheckSettings { settings }
            }
            26 => {
                let rels: Vec<_> = design.relationships().map(|r| r.id.clone()).collect();
                if rels.is_empty() {
                    return Edit::SetJunction {
                        id: e,
                        junction: true,
                    };
                }
                Edit::SetRelationshipDeferrable {
                    id: self.pick(&rels).clone(),
                    deferrable: self.deferrable(),
                }
            }
            _ => Edit::Batch(vec![
                Edit::RenameField {
                    entity: e.clone(),
                    field: f.clone(),
                    name: "renamed".into(),
                },
                Edit::SetNotNull {
                    entity: e,
                    field: f,
                    not_null: true,
                },
            ]),
        }
    }
}

/// `entities` entities, each with a foreign key to the next: a search
/// from the first goes as deep as the chain is long.
pub fn chain(entities: usize) -> Design {
    let mut ids = IdGen::seeded(1);
    let mut d = Design::new("chain");
    let mut keys = Vec::new();
    for k in 0..entities {
        let mut e = Entity::new(ids.entity(), format!("t{k}"));
        e.fields
            .push(Field::new(ids.field(), "id", SqlType::Uuid).not_null());
        e.fields
            .push(Field::new(ids.field(), "next_id", SqlType::Uuid).not_null());
        keys.push((e.id.clone(), e.fields[0].id.clone(), e.fields[1].id.clone()));
        d.insert_entity(e, k);
    }
    for pair in keys.windows(2) {
        let [(from, _, key), (to, id, _)] = pair else {
            unreachable!()
        };
        d.insert_relationship(Relationship {
            id: ids.relationship(),
            name: None,
            kind: RelationshipKind::ManyToOne,
            from: from.clone(),
            fields: vec![key.clone()],
            to: to.clone(),
            references: vec![id.clone()],
            on_delete: None,
            on_update: None,
            deferrable: Deferrable::NotDeferrable,
            required: false,
        });
    }
    d
}

/// An expression naming one field, so renames and drops have something
/// to rewrite or take along.
fn names_one(field: &str) -> SqlExpr {
    SqlExpr::parse(&format!("{} IS NOT NULL", crate::core::sql::Ident(field)))
        .expect("a quoted name is an expression")
}
