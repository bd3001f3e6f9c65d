//! Coherence of a design: what must hold before any SQL can be written.
//!
//! These are hard errors (a dangling reference, a duplicate name), not
//! advice; advice is the check engine's job.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::core::ids::{EntityId, FieldId};
use crate::core::model::{
    DefaultValue, Design, Entity, Location, MAX_IDENTIFIER_BYTES, Relationship, SqlExpr, SqlType,
};
use crate::core::text::{Allowed, forbidden, forbidden_message};

/// One reason a design is not coherent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub location: Location,
    pub message: String,
}

impl Design {
    /// Every coherence problem, in design order. An empty list means the
    /// design can be written as DDL.
    pub fn validate(&self) -> Vec<Problem> {
        let mut v = Validator {
            design: self,
            problems: Vec::new(),
        };
        v.text(&Location::Design, "comment", self.comment.as_deref());
        v.enums();
        let entities: Vec<&Entity> = self.entities().collect();
        // The namespace is one pass over every entity and each entity's own
        // checks stand alone: on a large design they run on every core,
        // and their problems are joined in the order one pass would give.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let parts = cores.min(entities.len() / 2_000 + 1).max(1);
        if parts == 1 {
            v.relations_namespace(&entities);
            for entity in &entities {
                v.entity(entity);
            }
            return v.problems;
        }
        let per_part = entities.len().div_ceil(parts);
        let validator = || Validator {
            design: self,
            problems: Vec::new(),
        };
        let found: Vec<Vec<Problem>> = std::thread::scope(|scope| {
            let namespace = scope.spawn(|| {
                let mut v = validator();
                v.relations_namespace(&entities);
                v.problems
            });
            let running: Vec<_> = entities
                .chunks(per_part)
                .map(|group| {
                    scope.spawn(move || {
                        let mut v = validator();
                        for entity in group {
                            v.entity(entity);
                        }
                        v.problems
                    })
                })
                .collect();
            std::iter::once(namespace)
                .chain(running)
                .map(|t| t.join().expect("validating does not panic"))
                .collect()
        });
        v.problems.extend(found.into_iter().flatten());
        v.problems
    }

    /// The problems that an edit of these entities (and of the enums, when
    /// `enums` is set) could have caused: each entity on its own, the
    /// relationships that touch it and, when `names` is set, the names it
    /// shares the schema with.
    pub(crate) fn problems_around(
        &self,
        entities: &[EntityId],
        enums: bool,
        names: bool,
    ) -> Vec<Problem> {
        let mut v = Validator {
            design: self,
            problems: Vec::new(),
        };
        if enums {
            v.enums();
        }
        for entity in entities.iter().filter_map(|id| self.entity(id)) {
            v.entity(entity);
            if names {
                v.names_clash_with_others(entity);
            }
            for r in self.relationships_to(&entity.id) {
                if r.from != entity.id {
                    v.relationship(r);
                }
            }
        }
        v.problems
    }
}

struct Validator<'a> {
    design: &'a Design,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn report(&mut self, location: Location, message: String) {
        self.problems.push(Problem { location, message });
    }

    fn name(&mut self, location: &Location, what: &str, name: &str) {
        // The message is made only for a name that needs one.
        if forbidden(name, Allowed::Name).is_some() {
            let message = forbidden_message(&format!("{what} name"), name, Allowed::Name);
            self.report(location.clone(), message.unwrap_or_default());
        } else if name.trim().is_empty() {
            self.report(location.clone(), format!("{what} has an empty name"));
        } else if name.len() > MAX_IDENTIFIER_BYTES {
            self.report(
                location.clone(),
                format!(
                    "{what} name `{name}` is {} bytes; PostgreSQL keeps only {MAX_IDENTIFIER_BYTES}",
                    name.len()
                ),
            );
        }
    }

    fn enums(&mut self) {
        let mut seen = HashSet::default();
        for e in &self.design.enums {
            let at = Location::Enum(e.id.clone());
            self.name(&at, "enum", &e.name);
            self.text(&at, "comment", e.comment.as_deref());
            for value in &e.values {
                self.text(&at, "enum value", Some(value));
            }
            if !seen.insert(e.name.as_str()) {
                self.report(at.clone(), format!("enum `{}` is defined twice", e.name));
            }
            if self.design.entity_named(&e.name).is_some() {
                self.report(
                    at.clone(),
                    format!("enum `{}` has the name of an entity; PostgreSQL types and tables share names", e.name),
                );
            }
            if e.values.is_empty() {
                self.report(at.clone(), format!("enum `{}` has no values", e.name));
            }
            let mut values = HashSet::default();
            for value in &e.values {
                if !values.insert(value) {
                    self.report(
                        at.clone(),
                        format!("enum `{}` lists `{value}` twice", e.name),
                    );
                }
                if value.len() > MAX_IDENTIFIER_BYTES {
                    self.report(
                        at.clone(),
                        format!(
                            "enum `{}` value `{value}` is longer than {MAX_IDENTIFIER_BYTES} bytes",
                            e.name
                        ),
                    );
                }
            }
        }
    }

    /// Tables, indexes and the indexes behind primary keys and unique
    /// constraints share one namespace in a PostgreSQL schema.
    fn relations_namespace(&mut self, entities: &[&Entity]) {
        // Each name maps to where it was first seen, as (entity, name of
        // that entity): a location is made again only for a clash. At
        // 50,000 entities the map holds 200,000 names.
        let mut seen: HashMap<String, (usize, usize)> = HashMap::default();
        seen.reserve(entities.len() * 4);
        for (e, entity) in entities.iter().enumerate() {
            for (k, (name, at, what)) in self.relation_names(entity).into_iter().enumerate() {
                if let Some(&(first_entity, first_name)) = seen.get(&name) {
                    let first = self
                        .relation_names(entities[first_entity])
                        .swap_remove(first_name)
                        .1;
                    self.name_taken(&name, at, what, &first);
                } else {
                    seen.insert(name, (e, k));
                }
            }
        }
    }

    /// The namespace check for one entity against all the others.
    fn names_clash_with_others(&mut self, entity: &Entity) {
        let mine = self.relation_names(entity);
        let mut own = HashMap::default();
        for (name, at, what) in &mine {
            if let Some(first) = own.get(name) {
                self.name_taken(name, at.clone(), what, first);
            } else {
                own.insert(name.clone(), at.clone());
            }
        }
        for other in self.design.entities().filter(|e| e.id != entity.id) {
            for (name, first, _) in self.relation_names(other) {
                if let Some((_, at, what)) = mine.iter().find(|(n, _, _)| *n == name) {
                    self.name_taken(&name, at.clone(), what, &first);
                }
            }
        }
    }

    fn name_taken(&mut self, name: &str, at: Location, what: &str, first: &Location) {
        let message = format!(
            "{what} name `{name}` is already used by {}; tables and indexes share one namespace",
            first.describe(self.design)
        );
        self.report(at, message);
    }

    fn relation_names(&self, entity: &Entity) -> Vec<(String, Location, &'static str)> {
        let d = self.design;
        let mut names = vec![(
            entity.name.clone(),
            Location::Entity(entity.id.clone()),
            "entity",
        )];
        if entity.primary_key.is_some() {
            names.push((
                d.primary_key_name(entity),
                Location::PrimaryKey(entity.id.clone()),
                "primary key",
            ));
        }
        for u in &entity.uniques {
            names.push((
                d.unique_name(entity, u),
                Location::Unique(entity.id.clone(), u.id.clone()),
                "unique constraint",
            ));
        }
        for i in &entity.indexes {
            names.push((
                d.index_name(entity, i),
                Location::Index(entity.id.clone(), i.id.clone()),
                "index",
            ));
        }
        names
    }

    fn entity(&mut self, entity: &Entity) {
        let d = self.design;
        let here = Location::Entity(entity.id.clone());
        self.name(&here, "entity", &entity.name);
        self.text(&here, "comment", entity.comment.as_deref());

        let mut field_names = HashSet::default();
        for field in &entity.fields {
            let at = Location::Field(entity.id.clone(), field.id.clone());
            self.name(&at, "field", &field.name);
            self.text(&at, "comment", field.comment.as_deref());
            if let Some(DefaultValue::Text(text)) = &field.default {
                self.text(&at, "default", Some(text));
            }
            if !field_names.insert(field.name.as_str()) {
                self.report(
                    at.clone(),
                    format!("field `{}.{}` is defined twice", entity.name, field.name),
                );
            }
            if let Some(name) = field.ty.enum_name()
                && d.enum_named(name).is_none()
            {
                self.report(at.clone(), format!("type `{name}` of `{}.{}` is neither a built-in type nor an enum of this design", entity.name, field.name));
            }
            if field.identity.is_some() {
                if !matches!(
                    field.ty,
                    SqlType::SmallInt | SqlType::Integer | SqlType::BigInt
                ) {
                    self.report(
                        at.clone(),
                        format!(
                            "identity field `{}.{}` must be smallint, integer or bigint",
                            entity.name, field.name
                        ),
                    );
                }
                if !field.not_null {
                    self.report(
                        at.clone(),
                        format!(
                            "identity field `{}.{}` must be NOT NULL; PostgreSQL makes it so",
                            entity.name, field.name
                        ),
                    );
                }
                if field.default.is_some() {
                    self.report(
                        at.clone(),
                        format!(
                            "identity field `{}.{}` cannot also have a default",
                            entity.name, field.name
                        ),
                    );
                }
            }
        }

        // Constraint names are unique per table.
        let mut constraint_names = HashSet::default();
        let mut constraint = |v: &mut Self, name: String, at: Location| {
            if !constraint_names.insert(name.clone()) {
                v.report(
                    at,
                    format!(
                        "constraint name `{name}` is used twice in `{}`",
                        entity.name
                    ),
                );
            }
        };

        if let Some(pk) = &entity.primary_key {
            let at = Location::PrimaryKey(entity.id.clone());
            self.field_list(entity, &pk.fields, &at, "primary key");
            for id in &pk.fields {
                if entity.field(id).is_some_and(|f| !f.not_null) {
                    self.report(
                        at.clone(),
                        format!(
                            "primary key field `{}.{}` must be NOT NULL",
                            entity.name,
                            entity.field_name(id)
                        ),
                    );
                }
            }
            self.explicit_name(&at, pk.name.as_deref());
            constraint(self, d.primary_key_name(entity), at);
        }
        for u in &entity.uniques {
            let at = Location::Unique(entity.id.clone(), u.id.clone());
            self.field_list(entity, &u.fields, &at, "unique constraint");
            self.explicit_name(&at, u.name.as_deref());
            constraint(self, d.unique_name(entity, u), at);
        }
        self.expressions(entity);
        for c in &entity.checks {
            let at = Location::Check(entity.id.clone(), c.id.clone());
            self.explicit_name(&at, c.name.as_deref());
            constraint(self, d.check_name(entity, c), at);
        }
        for i in &entity.indexes {
            let at = Location::Index(entity.id.clone(), i.id.clone());
            self.field_list(entity, &i.fields, &at, "index");
            self.explicit_name(&at, i.name.as_deref());
        }
        for dependency in &entity.dependencies {
            let at = Location::Entity(entity.id.clone());
            self.field_list(entity, &dependency.lhs, &at, "dependency");
            self.field_list(entity, &dependency.rhs, &at, "dependency");
        }
        for r in d.relationships_from(&entity.id) {
            let at = Location::Relationship(entity.id.clone(), r.id.clone());
            self.explicit_name(&at, r.name.as_deref());
            constraint(self, d.relationship_name(r), at);
            self.relationship(r);
        }
    }

    /// What the expressions of an entity name: a default names no column
    /// (PostgreSQL refuses it), checks and index predicates name only the
    /// entity's own fields. Expressions sqlparser could not read are left
    /// to PostgreSQL: their column names are only a guess.
    fn expressions(&mut self, entity: &Entity) {
        let unknown = |expr: &SqlExpr| -> Vec<String> {
            if !expr.is_parsed() {
                return Vec::new();
            }
            expr.columns()
                .iter()
                .filter(|c| entity.field_named(c).is_none())
                .cloned()
                .collect()
        };
        let listed = |names: &[String]| {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for field in &entity.fields {
            if let Some(DefaultValue::Expr(e)) = &field.default
                && e.is_parsed()
                && !e.columns().is_empty()
            {
                self.report(
                    Location::Field(entity.id.clone(), field.id.clone()),
                    format!(
                        "the default of `{}.{}` names {}; a default cannot refer to a column \
                         (write text as 'quoted text')",
                        entity.name,
                        field.name,
                        listed(e.columns())
                    ),
                );
            }
        }
        for c in &entity.checks {
            let missing = unknown(&c.expr);
            if !missing.is_empty() {
                self.report(
                    Location::Check(entity.id.clone(), c.id.clone()),
                    format!(
                        "check `{}` on `{}` names {}, not a field of `{}`",
                        c.expr,
                        entity.name,
                        listed(&missing),
                        entity.name
                    ),
                );
            }
        }
        for i in &entity.indexes {
            let Some(p) = &i.predicate else { continue };
            let missing = unknown(p);
            if !missing.is_empty() {
                self.report(
                    Location::Index(entity.id.clone(), i.id.clone()),
                    format!(
                        "the predicate `{p}` of an index on `{}` names {}, not a field of `{}`",
                        entity.name,
                        listed(&missing),
                        entity.name
                    ),
                );
            }
        }
    }

    /// Free text (comments, enum values, text defaults): no NUL, which
    /// PostgreSQL cannot store, and no terminal control character.
    fn text(&mut self, location: &Location, what: &str, text: Option<&str>) {
        if let Some(message) = text.and_then(|t| forbidden_message(what, t, Allowed::Text)) {
            self.report(location.clone(), message);
        }
    }

    fn explicit_name(&mut self, at: &Location, name: Option<&str>) {
        if let Some(name) = name {
            self.name(at, "constraint", name);
        }
    }

    fn field_list(&mut self, entity: &Entity, fields: &[FieldId], at: &Location, what: &str) {
        if fields.is_empty() {
            self.report(
                at.clone(),
                format!("{what} on `{}` lists no fields", entity.name),
            );
        }
        let mut seen = HashSet::default();
        for id in fields {
            if entity.field(id).is_none() {
                self.report(
                    at.clone(),
                    format!("{what} on `{}` names a missing field `{id}`", entity.name),
                );
            } else if !seen.insert(id) {
                self.report(
                    at.clone(),
                    format!(
                        "{what} on `{}` lists `{}` twice",
                        entity.name,
                        entity.field_name(id)
                    ),
                );
            }
        }
    }

    fn relationship(&mut self, r: &Relationship) {
        let d = self.design;
        let (Some(from), Some(to)) = (d.entity(&r.from), d.entity(&r.to)) else {
            return; // the graph guarantees both ends exist
        };
        let at = Location::Relationship(from.id.clone(), r.id.clone());
        let name = d.relationship_name(r);
        self.field_list(from, &r.fields, &at, "foreign key");
        self.field_list(
            to,
            &r.references,
            &at,
            &format!("foreign key `{name}` target"),
        );
        if r.fields.len() != r.references.len() {
            self.report(
                at,
                format!(
                    "foreign key `{name}` has {} field(s) but references {} field(s) of `{}`",
                    r.fields.len(),
                    r.references.len(),
                    to.name
                ),
            );
            return;
        }
        for (f, t) in r.fields.iter().zip(&r.references) {
            if let (Some(f), Some(t)) = (from.field(f), to.field(t))
                && !f.ty.comparable_with(&t.ty)
            {
                self.report(
                    at.clone(),
                    format!(
                        "foreign key `{name}`: `{}.{}` is {} but `{}.{}` is {}; PostgreSQL cannot compare them",
                        from.name, f.name, f.ty, to.name, t.name, t.ty
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::core::model::Location;

    /// A design large enough to be validated on several threads reports
    /// its problems in the order one pass gives: the shared namespace
    /// first, then entity by entity.
    #[test]
    fn problems_of_a_large_design_come_in_design_order() {
        let mut design = crate::core::synthetic::design(4_500, 3);
        let ids: Vec<_> = design.entities().map(|e| e.id.clone()).collect();
        let name_of_50 = design.entity(&ids[50]).unwrap().name.clone();
        design.entity_mut(&ids[3_000]).unwrap().name = name_of_50;
        for k in [4_000, 100] {
            design.entity_mut(&ids[k]).unwrap().fields[1].name = "bad\u{1b}name".into();
        }
        let problems = design.validate();
        let at: Vec<(&str, usize)> = problems
            .iter()
            .map(|p| {
                let entity = p.location.entity().expect("each is in an entity");
                let k = ids.iter().position(|id| id == entity).unwrap();
                let kind = match p.location {
                    Location::Entity(_) => "entity",
                    Location::Field(..) => "field",
                    _ => "other",
                };
                (kind, k)
            })
            .collect();
        // The copied name clashes, and so do the key, unique and index
        // names made from it.
        assert_eq!(
            at,
            [
                ("entity", 3_000),
                ("other", 3_000),
                ("other", 3_000),
                ("other", 3_000),
                ("field", 100),
                ("field", 4_000)
            ]
        );
        // Each clash names the first holder of the name, of its own kind.
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(messages[1].contains("already used by table_00050s: primary key"));
        assert!(messages[2].contains("already used by table_00050s: unique (slug)"));
        assert!(messages[3].contains("already used by table_00050s: index"));
    }
}
