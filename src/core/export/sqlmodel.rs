//! SQLModel classes for a design, whose metadata matches `plinth ddl`.
//!
//! Every table with a primary key becomes a `table=True` class; a table
//! without one (which SQLAlchemy's ORM cannot map) becomes a plain
//! `sa.Table` on the same metadata. Types are spelled exactly (`sa_type`
//! where SQLModel's own choice would differ), server defaults are the
//! DDL's, and every constraint and index carries the name plinth's DDL
//! gives it: single-column keys whose PostgreSQL default name is plinth's
//! name go on the `Field`, the rest in `__table_args__` (deferrable foreign
//! keys too: `Field(foreign_key=...)` cannot say when a key is checked),
//! with indexes always there (SQLAlchemy would name an `index=True` index
//! `ix_...`). Foreign keys get `Relationship(back_populates=...)` on both
//! sides; a junction entity with two keys becomes the link model of a
//! many-to-many pair.

use std::fmt::Write;

use super::alembic::{column_source, constraint_source, serial_unless_told};
use super::python::{
    self, class_name, docstring, is_identifier, sa_type, server_default, singular, snake,
    sql_string, string,
};
use crate::core::ids::{EntityId, FieldId, RelationshipId};
use crate::core::model::{
    DefaultValue, Design, Entity, EnumType, Field, IndexMethod, MAX_IDENTIFIER_BYTES,
    ReferentialAction, Relationship, RelationshipKind, SqlType,
};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::core::sql::{Column, CommentTarget, Constraint, Literal, Sql, Statement, foreign_key};

/// Lines longer than this are split, one argument a line.
const LINE_WIDTH: usize = 88;

/// Names no class, table, field or relationship may take: the modules and
/// names the file imports or defines (a field named `uuid` would hide the
/// module from the fields after it), the builtins its annotations use (a
/// field named `str` would turn the next `x: str` into `x: FieldInfo`),
/// and what SQLModel and Pydantic keep for themselves.
const RESERVED: &[&str] = &[
    "datetime",
    "decimal",
    "enum",
    "uuid",
    "sa",
    "postgresql",
    "Any",
    "Optional",
    "Field",
    "Relationship",
    "SQLModel",
    "utcnow",
    "enum_values",
    "metadata",
    "registry",
    "model_config",
    "model_fields",
    "model_computed_fields",
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "list",
    "type",
    "cls",
];

/// The Python source of `models.py` for a design; `source` is the design
/// file it came from, for the docstring.
pub fn models(design: &Design, source: &str, schema: &str) -> String {
    Models::new(design, schema).source(source)
}

struct EnumInfo {
    class: String,
    /// The module-level `sa.Enum` the columns use.
    var: String,
    members: Vec<(String, String)>,
}

/// A relationship attribute, ready to print.
struct Rel {
    name: String,
    annotation: String,
    args: Vec<String>,
}

#[derive(Default)]
struct Uses {
    datetime: bool,
    decimal: bool,
    enum_: bool,
    uuid: bool,
    any: bool,
    optional: bool,
    postgresql: bool,
    relationship: bool,
    utcnow: bool,
}

/// Everything the file names, worked out before any of it is written.
///
/// Python names come from the SQL names (which stay exactly as they are in
/// `__tablename__`, `sa.Table(...)` and `sa_column_kwargs={"name": ...}`),
/// made valid, keyword-free and unique: module-level names (classes, enum
/// types, plain tables) against each other and [`RESERVED`]; names in a
/// class body (fields, relationships) against each other, [`RESERVED`] and
/// every module-level name, which the class body could otherwise hide.
///
/// Everything is keyed by borrowed ids in `FxHashMap`s and each class keeps
/// its set of bound names as it grows, so the work is linear in the design
/// whatever its shape (a hub table with 20,000 children included).
struct Models<'a> {
    design: &'a Design,
    /// The schema of the raw SQL the models run (type comments).
    schema: &'a str,
    enums: FxHashMap<&'a str, EnumInfo>,
    /// Module-level names taken so far, [`RESERVED`] included.
    module: FxHashSet<String>,
    /// Class names of the entities with a primary key.
    classes: FxHashMap<&'a EntityId, String>,
    /// Variable names of the tables without one.
    tables: FxHashMap<&'a EntityId, String>,
    attrs: FxHashMap<(&'a EntityId, &'a FieldId), String>,
    /// Names bound in each class body: field attributes, then
    /// relationships as they are added.
    bound: FxHashMap<&'a EntityId, FxHashSet<String>>,
    /// Foreign keys that go on a `Field(foreign_key=...)`.
    field_fks: FxHashMap<(&'a EntityId, &'a FieldId), &'a RelationshipId>,
    /// How many foreign keys lead from one entity to another.
    between: FxHashMap<(&'a EntityId, &'a EntityId), usize>,
    rels: FxHashMap<&'a EntityId, Vec<Rel>>,
    /// Junctions that are link models of a many-to-many pair.
    links: FxHashSet<&'a EntityId>,
    uses: Uses,
}

/// `base`, or `base` followed by the first of 2, 3, ... (after `sep`) that
/// `taken` does not hold.
fn numbered(base: &str, sep: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut name = base.to_owned();
    let mut n = 2;
    while taken(&name) {
        name = format!("{base}{sep}{n}");
        n += 1;
    }
    name
}

impl<'a> Models<'a> {
    fn new(design: &'a Design, schema: &'a str) -> Self {
        let mut m = Models {
            design,
            schema,
            enums: FxHashMap::default(),
            module: RESERVED.iter().map(|s| s.to_string()).collect(),
            classes: FxHashMap::default(),
            tables: FxHashMap::default(),
            attrs: FxHashMap::default(),
            bound: FxHashMap::default(),
            field_fks: FxHashMap::default(),
            between: FxHashMap::default(),
            rels: FxHashMap::default(),
            links: FxHashSet::default(),
            uses: Uses::default(),
        };
        m.name_things();
        m.relationships();
        m
    }

    fn mapped(&self, id: &EntityId) -> bool {
        self.classes.contains_key(id)
    }

    /// A module-level name from `base`, now taken.
    fn claim_module(&mut self, base: String) -> String {
        // `None`, `True` and `False` are keywords, whatever the case of
        // the rest.
        let base = if python::is_keyword(&base) {
            format!("{base}_")
        } else {
            base
        };
        let name = numbered(&base, "", |n| self.module.contains(n));
        self.module.insert(name.clone());
        name
    }

    /// Class names for enums and entities, variable names for plain tables,
    /// attribute names for fields.
    fn name_things(&mut self) {
        let design = self.design;
        for e in &design.enums {
            let class = self.claim_module(python::camel(&e.name));
            let var = self.claim_module(format!("{}_type", snake(&e.name)));
            let mut seen = FxHashSet::default();
            let members = e
                .values
                .iter()
                .map(|v| {
                    let mut base = snake(v).trim_matches('_').to_ascii_uppercase();
                    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
                        base.insert_str(0, "V_");
                    }
                    let name = numbered(&base, "_", |n| seen.contains(n));
                    seen.insert(name.clone());
                    (name, v.clone())
                })
                .collect();
            self.enums.insert(
                &e.name,
                EnumInfo {
                    class,
                    var,
                    members,
                },
            );
        }
        for e in design.entities() {
            if e.primary_key.is_some() {
                let class = self.claim_module(class_name(&e.name));
                self.classes.insert(&e.id, class);
            } else {
                // A plain table is a module-level variable.
                let var = self.claim_module(snake(&e.name));
                self.tables.insert(&e.id, var);
            }
        }
        for e in design.entities() {
            let mut used = FxHashSet::default();
            for f in &e.fields {
                let mut base = if is_identifier(&f.name) {
                    f.name.clone()
                } else {
                    snake(&f.name)
                };
                if base.starts_with('_') {
                    base.insert_str(0, "col");
                }
                if self.module.contains(&base) {
                    base.push('_');
                }
                let name = numbered(&base, "", |n| used.contains(n) || self.module.contains(n));
                used.insert(name.clone());
                self.attrs.insert((&e.id, &f.id), name);
            }
            self.bound.insert(&e.id, used);
        }
    }

    fn attr(&self, entity: &'a EntityId, field: &'a FieldId) -> &str {
        &self.attrs[&(entity, field)]
    }

    /// A name for a new relationship on `entity`'s class that nothing in
    /// the class or the module holds yet.
    fn free_name(&self, entity: &EntityId, base: &str) -> String {
        let bound = &self.bound[entity];
        let base = if is_identifier(base) {
            base.to_owned()
        } else {
            snake(base)
        };
        numbered(&base, "_", |n| bound.contains(n) || self.module.contains(n))
    }

    fn add_rel(&mut self, entity: &'a EntityId, rel: Rel) {
        self.bound
            .get_mut(entity)
            .expect("every entity has its names")
            .insert(rel.name.clone());
        self.rels.entry(entity).or_default().push(rel);
    }

    /// Field-level foreign keys, many-to-many pairs through link models,
    /// and a relationship on both ends of every other foreign key between
    /// mapped classes.
    fn relationships(&mut self) {
        let design = self.design;
        for e in design.entities() {
            for r in design.relationships_from(&e.id) {
                *self.between.entry((&r.from, &r.to)).or_default() += 1;
                if self.fk_on_field(e, r) {
                    self.field_fks.entry((&e.id, &r.fields[0])).or_insert(&r.id);
                }
            }
        }
        for e in design.entities() {
            if !e.junction || !self.mapped(&e.id) {
                continue;
            }
            let rels = design.relationships_from(&e.id);
            if let [a, b] = rels.as_slice()
                && a.to != b.to
                && a.to != e.id
                && b.to != e.id
                && self.mapped(&a.to)
                && self.mapped(&b.to)
            {
                self.links.insert(&e.id);
                let (ta, tb) = (
                    design.entity(&a.to).expect("target exists"),
                    design.entity(&b.to).expect("target exists"),
                );
                let on_a = self.free_name(&a.to, &snake(&tb.name));
                let on_b = self.free_name(&b.to, &snake(&ta.name));
                let link = self.classes[&e.id].clone();
                let (class_a, class_b) = (self.classes[&a.to].clone(), self.classes[&b.to].clone());
                self.uses.relationship = true;
                self.add_rel(
                    &a.to,
                    Rel {
                        name: on_a.clone(),
                        annotation: format!("list[\"{class_b}\"]"),
                        args: vec![
                            format!("back_populates={}", string(&on_b)),
                            format!("link_model={link}"),
                        ],
                    },
                );
                self.add_rel(
                    &b.to,
                    Rel {
                        name: on_b,
                        annotation: format!("list[\"{class_a}\"]"),
                        args: vec![
                            format!("back_populates={}", string(&on_a)),
                            format!("link_model={link}"),
                        ],
                    },
                );
            }
        }
        for e in design.entities() {
            if self.links.contains(&e.id) || !self.mapped(&e.id) {
                continue;
            }
            for r in design.relationships_from(&e.id) {
                if self.mapped(&r.to) {
                    self.one_to_many(e, r);
                }
            }
        }
    }

    /// Whether a foreign key can be written as `Field(foreign_key=...)`:
    /// one column, the name PostgreSQL would give it anyway, actions
    /// SQLModel's `ondelete` takes, and not deferrable.
    fn fk_on_field(&self, e: &Entity, r: &Relationship) -> bool {
        let [field] = r.fields.as_slice() else {
            return false;
        };
        let Some(f) = e.field(field) else {
            return false;
        };
        let default_name = format!("{}_{}_fkey", e.name, f.name);
        let action_ok = match r.on_delete {
            None | Some(ReferentialAction::NoAction) => true,
            Some(ReferentialAction::Cascade | ReferentialAction::Restrict) => true,
            Some(ReferentialAction::SetNull) => !f.not_null,
            Some(ReferentialAction::SetDefault) => false,
        };
        r.name.is_none()
            && default_name.len() <= MAX_IDENTIFIER_BYTES
            && matches!(r.on_update, None | Some(ReferentialAction::NoAction))
            && action_ok
            && !r.deferrable.is_deferrable()
    }

    fn one_to_many(&mut self, child: &'a Entity, r: &'a Relationship) {
        let design = self.design;
        let parent = design.entity(&r.to).expect("target exists");
        let self_ref = r.from == r.to;
        // Several keys between the same two tables: SQLAlchemy needs to be
        // told which one each relationship follows.
        let several = self.between[&(&r.from, &r.to)] > 1;
        let ambiguous = self_ref || several;
        let role = match r.fields.as_slice() {
            [f] => {
                let attr = self.attr(&child.id, f);
                match attr.strip_suffix("_id") {
                    Some(stem) if !stem.is_empty() => stem.to_owned(),
                    _ => snake(&singular(&parent.name)),
                }
            }
            _ => snake(&singular(&parent.name)),
        };
        let many = r.kind == RelationshipKind::ManyToOne;
        let child_plural = snake(&child.name);
        let child_one = snake(&singular(&child.name));
        let back_base = match (self_ref, role.as_str(), many) {
            (true, "parent", true) => "children".to_owned(),
            (_, _, true) if ambiguous => format!("{role}_{child_plural}"),
            (_, _, true) => child_plural,
            (_, _, false) if ambiguous => format!("{role}_{child_one}"),
            (_, _, false) => child_one,
        };
        let on_child = self.free_name(&child.id, &role);
        let on_parent = {
            let mut name = self.free_name(&parent.id, &back_base);
            if self_ref && name == on_child {
                name = self.free_name(&parent.id, &format!("{back_base}_of"));
            }
            name
        };
        let child_class = self.classes[&child.id].clone();
        let parent_class = self.classes[&parent.id].clone();
        let fk_attrs: Vec<String> = r
            .fields
            .iter()
            .map(|f| format!("{child_class}.{}", self.attr(&child.id, f)))
            .collect();
        let foreign_keys = format!(
            "\"foreign_keys\": {}",
            string(&format!("[{}]", fk_attrs.join(", ")))
        );

        let mut child_args = vec![format!("back_populates={}", string(&on_parent))];
        let mut child_kwargs = Vec::new();
        if several {
            child_kwargs.push(foreign_keys.clone());
        }
        if self_ref {
            let remote: Vec<String> = r
                .references
                .iter()
                .map(|f| format!("{parent_class}.{}", self.attr(&parent.id, f)))
                .collect();
            child_kwargs.push(format!(
                "\"remote_side\": {}",
                string(&format!("[{}]", remote.join(", ")))
            ));
        }
        if !child_kwargs.is_empty() {
            child_args.push(format!(
                "sa_relationship_kwargs={{{}}}",
                child_kwargs.join(", ")
            ));
        }
        let mut parent_args = vec![format!("back_populates={}", string(&on_child))];
        let mut parent_kwargs = Vec::new();
        if several {
            parent_kwargs.push(foreign_keys);
        }
        if !many {
            parent_kwargs.push("\"uselist\": False".to_owned());
        }
        if !parent_kwargs.is_empty() {
            parent_args.push(format!(
                "sa_relationship_kwargs={{{}}}",
                parent_kwargs.join(", ")
            ));
        }
        self.uses.relationship = true;
        self.uses.optional = true;
        self.add_rel(
            &child.id,
            Rel {
                name: on_child,
                annotation: format!("Optional[\"{parent_class}\"]"),
                args: child_args,
            },
        );
        self.add_rel(
            &parent.id,
            Rel {
                name: on_parent,
                annotation: if many {
                    format!("list[\"{child_class}\"]")
                } else {
                    format!("Optional[\"{child_class}\"]")
                },
                args: parent_args,
            },
        );
    }

    // --- Writing --------------------------------------------------------

    fn source(mut self, source: &str) -> String {
        let design = self.design;
        let mut body = String::new();
        for e in &design.enums {
            body.push_str("\n\n");
            body.push_str(&self.enum_class(e));
        }
        let order = design.dependency_order().entities;
        let (links, others): (Vec<&EntityId>, Vec<&EntityId>) =
            order.iter().partition(|id| self.links.contains(*id));
        if !links.is_empty() {
            body.push_str(
                "\n\n# Link models come first: the many-to-many relationships below name them.",
            );
        }
        for id in links.into_iter().chain(others) {
            let e = design.entity(id).expect("ordered entities exist");
            body.push_str("\n\n");
            if self.mapped(id) {
                body.push_str(&self.class(e));
            } else {
                body.push_str(&self.table(e));
            }
        }
        body.push_str("\n\n# The metadata Alembic compares with (env.py reads `metadata`).\nmetadata = SQLModel.metadata\n");

        let mut doc = format!(
            "SQLModel models for the design \"{}\", written by plinth from {}.\n",
            design.name, source
        );
        if let Some(c) = &design.comment {
            let _ = write!(doc, "\n{c}\n");
        }
        doc.push_str(
            "\nTypes, server defaults, constraint and index names are those of\n\
             `plinth ddl`, so `alembic check` against a database built from the design\n\
             finds nothing to change. Indexes are declared in `__table_args__` with\n\
             their DDL names.\n",
        );
        let mut out = python::docstring(&doc);
        out.push_str("\n\n");
        let u = &self.uses;
        let mut stdlib = Vec::new();
        if u.datetime || u.utcnow {
            stdlib.push("import datetime");
        }
        if u.decimal {
            stdlib.push("import decimal");
        }
        if u.enum_ {
            stdlib.push("import enum");
        }
        if u.uuid {
            stdlib.push("import uuid");
        }
        for line in &stdlib {
            let _ = writeln!(out, "{line}");
        }
        let typing: Vec<&str> = [(u.any, "Any"), (u.optional, "Optional")]
            .iter()
            .filter(|(used, _)| *used)
            .map(|(_, name)| *name)
            .collect();
        if !typing.is_empty() {
            let _ = writeln!(out, "from typing import {}", typing.join(", "));
        }
        if !stdlib.is_empty() || !typing.is_empty() {
            out.push('\n');
        }
        out.push_str("import sqlalchemy as sa\n");
        if u.postgresql || python::uses_postgresql(&body) {
            out.push_str("from sqlalchemy.dialects import postgresql\n");
        }
        if u.relationship {
            out.push_str("from sqlmodel import Field, Relationship, SQLModel\n");
        } else {
            out.push_str("from sqlmodel import Field, SQLModel\n");
        }
        if u.utcnow {
            out.push_str(
                "\n\ndef utcnow() -> datetime.datetime:\n    \
                 \"\"\"The current time, timezone-aware, for `timestamptz` defaults.\"\"\"\n    \
                 return datetime.datetime.now(datetime.timezone.utc)\n",
            );
        }
        if !design.enums.is_empty() {
            out.push_str(
                "\n\ndef enum_values(cls: type[enum.Enum]) -> list[str]:\n    \
                 \"\"\"The labels stored in the database: the members' values.\"\"\"\n    \
                 return [member.value for member in cls]\n",
            );
        }
        out.push_str(&body);
        out
    }

    fn enum_class(&mut self, e: &EnumType) -> String {
        self.uses.enum_ = true;
        let info = &self.enums[e.name.as_str()];
        let mut out = format!("class {}(str, enum.Enum):\n", info.class);
        if let Some(c) = &e.comment {
            let _ = writeln!(out, "    {}\n", docstring(c));
        }
        for (name, value) in &info.members {
            let _ = writeln!(out, "    {name} = {}", string(value));
        }
        let _ = write!(
            out,
            "\n\n{} = sa.Enum({}, {}, values_callable=enum_values)\n",
            info.var,
            info.class,
            python::type_name(&e.name)
        );
        if let Some(text) = &e.comment {
            // sa.DDL formats its text with `%`.
            let sql = Statement::Comment {
                target: CommentTarget::Type(e.name.clone()),
                text: text.clone(),
            }
            .sql(self.schema);
            let sql = sql.strip_suffix(';').unwrap_or(&sql).replace('%', "%%");
            let _ = write!(
                out,
                "# The type's comment, as `plinth ddl` sets it, when create_all makes the type.\n\
                 sa.event.listen(\n    \
                 SQLModel.metadata,\n    \
                 \"after_create\",\n    \
                 sa.DDL({}).execute_if(dialect=\"postgresql\"),\n)\n",
                string(&sql)
            );
        }
        out
    }

    /// The SQLAlchemy type of a column in this file: enums are the
    /// module-level `sa.Enum`s.
    fn column_type(&self, ty: &SqlType) -> String {
        sa_type(ty, &|name| self.enum_var(name))
    }

    fn enum_var(&self, name: &str) -> String {
        match self.enums.get(name) {
            Some(info) => info.var.clone(),
            None => python::enum_reference(name),
        }
    }

    /// A table SQLAlchemy's ORM cannot map (no primary key), on the same
    /// metadata.
    fn table(&mut self, e: &Entity) -> String {
        let design = self.design;
        let var = self.tables[&e.id].clone();
        let mut lines = vec![string(&e.name), "SQLModel.metadata".to_owned()];
        for f in &e.fields {
            let column = Column {
                name: f.name.clone(),
                ty: f.ty.clone(),
                not_null: f.not_null,
                default: f.default.clone(),
                identity: f.identity,
            };
            lines.push(column_source(
                &column,
                f.comment.as_deref(),
                &|n| self.enum_var(n),
                model_server_default,
                false,
            ));
        }
        for u in &e.uniques {
            lines.push(constraint_source(&Constraint::Unique {
                name: design.unique_name(e, u),
                columns: e.field_names(&u.fields),
            }));
        }
        for c in &e.checks {
            lines.push(constraint_source(&Constraint::Check {
                name: design.check_name(e, c),
                expr: c.expr.clone(),
            }));
        }
        for r in design.relationships_from(&e.id) {
            lines.push(self.foreign_key_constraint(r));
        }
        for i in &e.indexes {
            lines.push(self.index(e, i));
        }
        if let Some(c) = &e.comment {
            lines.push(format!("comment={}", string(c)));
        }
        // The name as a string literal: nothing in it can end the comment.
        let mut out = format!(
            "# {} has no primary key, which SQLAlchemy's ORM needs to map a class;\n\
             # it is declared as a table on the same metadata.\n{var} = sa.Table(\n",
            string(&e.name)
        );
        for line in lines {
            let _ = writeln!(out, "    {line},");
        }
        out.push_str(")\n");
        out
    }

    fn class(&mut self, e: &'a Entity) -> String {
        let class = self.classes[&e.id].clone();
        let mut out = format!("class {class}(SQLModel, table=True):\n");
        if let Some(c) = &e.comment {
            let _ = writeln!(out, "    {}\n", docstring(c));
        }
        let _ = writeln!(out, "    __tablename__ = {}", string(&e.name));

        let table_args = self.table_args(e);
        match table_args.as_slice() {
            [] => {}
            [only] if only.starts_with('{') => {
                let _ = writeln!(out, "    __table_args__ = {only}");
            }
            args => {
                out.push_str("    __table_args__ = (\n");
                for a in args {
                    let _ = writeln!(out, "        {a},");
                }
                out.push_str("    )\n");
            }
        }
        out.push('\n');
        let unique_fields: Vec<&FieldId> = e
            .uniques
            .iter()
            .filter_map(|u| self.unique_on_field(e, u))
            .collect();
        for f in &e.fields {
            out.push_str(&self.field(e, f, &unique_fields));
        }
        if let Some(rels) = self.rels.remove(&e.id) {
            out.push('\n');
            for r in rels {
                let call = format!("Relationship({})", r.args.join(", "));
                out.push_str(&assignment(
                    &r.name,
                    &r.annotation,
                    &call,
                    &r.args,
                    "Relationship",
                ));
            }
        }
        out
    }

    /// Constraints and indexes that do not fit on a `Field`, and the table
    /// comment.
    fn table_args(&self, e: &Entity) -> Vec<String> {
        let design = self.design;
        let mut args = Vec::new();
        if let Some(pk) = &e.primary_key {
            let name = design.primary_key_name(e);
            if name != format!("{}_pkey", e.name) || name.len() > MAX_IDENTIFIER_BYTES {
                let mut a: Vec<String> =
                    pk.fields.iter().map(|f| string(&e.field_name(f))).collect();
                a.push(format!("name={}", string(&name)));
                args.push(format!("sa.PrimaryKeyConstraint({})", a.join(", ")));
            }
        }
        for u in &e.uniques {
            if self.unique_on_field(e, u).is_some() {
                continue;
            }
            let mut a: Vec<String> = u.fields.iter().map(|f| string(&e.field_name(f))).collect();
            a.push(format!("name={}", string(&design.unique_name(e, u))));
            args.push(format!("sa.UniqueConstraint({})", a.join(", ")));
        }
        for c in &e.checks {
            args.push(format!(
                "sa.CheckConstraint({}, name={})",
                sql_string(&c.expr),
                string(&design.check_name(e, c))
            ));
        }
        for r in design.relationships_from(&e.id) {
            let on_field = r.fields.len() == 1
                && self
                    .field_fks
                    .get(&(&e.id, &r.fields[0]))
                    .is_some_and(|id| **id == r.id);
            if !on_field {
                args.push(self.foreign_key_constraint(r));
            }
        }
        for i in &e.indexes {
            args.push(self.index(e, i));
        }
        if let Some(c) = &e.comment {
            args.push(format!("{{\"comment\": {}}}", string(c)));
        }
        args
    }

    /// The field a single-column unique constraint goes on, when
    /// PostgreSQL's default name for it is the DDL's.
    fn unique_on_field<'u>(
        &self,
        e: &Entity,
        u: &'u crate::core::model::Unique,
    ) -> Option<&'u FieldId> {
        let [field] = u.fields.as_slice() else {
            return None;
        };
        let name = self.design.unique_name(e, u);
        let default = format!("{}_{}_key", e.name, e.field_name(field));
        (u.name.is_none() && name == default && default.len() <= MAX_IDENTIFIER_BYTES)
            .then_some(field)
    }

    /// `sa.ForeignKeyConstraint`, as the Alembic revisions write it.
    /// Constraints and indexes name columns as the table does (a column's
    /// key is its name, whatever attribute it is mapped to).
    fn foreign_key_constraint(&self, r: &Relationship) -> String {
        constraint_source(&foreign_key(self.design, r))
    }

    fn index(&self, e: &Entity, i: &crate::core::model::Index) -> String {
        let mut args = vec![string(&self.design.index_name(e, i))];
        args.extend(e.field_names(&i.fields).iter().map(|f| string(f)));
        if i.unique {
            args.push("unique=True".into());
        }
        if i.method != IndexMethod::Btree {
            args.push(format!("postgresql_using={}", string(i.method.as_sql())));
        }
        if let Some(p) = &i.predicate {
            args.push(format!("postgresql_where=sa.text({})", sql_string(p)));
        }
        format!("sa.Index({})", args.join(", "))
    }

    /// One field as a class attribute; `unique_fields` are the fields whose
    /// unique constraint goes on their `Field`.
    fn field(&mut self, e: &'a Entity, f: &'a Field, unique_fields: &[&FieldId]) -> String {
        let design = self.design;
        let attr = self.attr(&e.id, &f.id).to_owned();
        let in_pk = e
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.fields.contains(&f.id));
        let py = self.python_type(&f.ty);
        let is_any = py == "Any";
        let default = self.python_default(f);
        let server_made = f.default.is_some() || f.identity.is_some();

        // Optional in Python when the column takes NULL, or when the
        // database fills it and Python has no value of its own.
        let optional = !is_any && (!f.not_null || (default.is_none() && server_made));
        let annotation = if optional {
            format!("{py} | None")
        } else {
            py.clone()
        };

        let mut args = Vec::new();
        match &default {
            Some(PyDefault::Value(v)) => args.push(format!("default={v}")),
            Some(PyDefault::Factory(v)) => args.push(format!("default_factory={v}")),
            None if optional => args.push("default=None".into()),
            None => {}
        }
        if in_pk {
            args.push("primary_key=True".into());
        }
        if let Some(rid) = self.field_fks.get(&(&e.id, &f.id)) {
            let r = design.relationship(rid).expect("relationship exists");
            let target = design.entity(&r.to).expect("target exists");
            args.push(format!(
                "foreign_key={}",
                string(&format!(
                    "{}.{}",
                    target.name,
                    target.field_name(&r.references[0])
                ))
            ));
            if let Some(
                a @ (ReferentialAction::Cascade
                | ReferentialAction::Restrict
                | ReferentialAction::SetNull),
            ) = r.on_delete
            {
                args.push(format!("ondelete={}", string(a.as_sql())));
            }
        }
        if unique_fields.contains(&&f.id) {
            args.push("unique=True".into());
        }
        match &f.ty {
            SqlType::Varchar(Some(n)) | SqlType::Char(Some(n)) => {
                args.push(format!("max_length={n}"))
            }
            SqlType::Numeric(Some((p, s))) => {
                args.push(format!("max_digits={p}"));
                args.push(format!("decimal_places={s}"));
            }
            _ => {}
        }
        // SQLModel reads NULL-ability from the annotation; say it where the
        // annotation does not.
        let inferred_nullable = !in_pk && optional;
        if !in_pk && (is_any || inferred_nullable == f.not_null) {
            args.push(format!(
                "nullable={}",
                if f.not_null { "False" } else { "True" }
            ));
        }
        if let Some(t) = self.explicit_type(&f.ty) {
            args.push(format!("sa_type={t}"));
        }
        match f.identity {
            Some(crate::core::model::Identity::Always) => {
                args.push("sa_column_args=[sa.Identity(always=True)]".into())
            }
            Some(crate::core::model::Identity::ByDefault) => {
                args.push("sa_column_args=[sa.Identity(always=False)]".into())
            }
            None => {}
        }
        let mut kwargs = Vec::new();
        if attr != f.name {
            kwargs.push(format!("\"name\": {}", string(&f.name)));
        }
        if let Some(d) = &f.default {
            kwargs.push(format!("\"server_default\": {}", model_server_default(d)));
        }
        let sole_key = in_pk
            && e.primary_key
                .as_ref()
                .is_some_and(|pk| pk.fields.len() == 1);
        if sole_key && serial_unless_told(&f.ty, server_made) {
            kwargs.push("\"autoincrement\": False".into());
        }
        if let Some(c) = &f.comment {
            kwargs.push(format!("\"comment\": {}", string(c)));
        }
        if !kwargs.is_empty() {
            args.push(format!("sa_column_kwargs={{{}}}", kwargs.join(", ")));
        }
        if args.is_empty() {
            return format!("    {attr}: {annotation}\n");
        }
        let call = format!("Field({})", args.join(", "));
        assignment(&attr, &annotation, &call, &args, "Field")
    }

    /// The Python type of a column's values.
    fn python_type(&mut self, ty: &SqlType) -> String {
        match ty {
            SqlType::Uuid => {
                self.uses.uuid = true;
                "uuid.UUID".into()
            }
            SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) => "str".into(),
            SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => "int".into(),
            SqlType::Numeric(_) => {
                self.uses.decimal = true;
                "decimal.Decimal".into()
            }
            SqlType::Real | SqlType::Double => "float".into(),
            SqlType::Boolean => "bool".into(),
            SqlType::Date => self.datetime("date"),
            SqlType::Time => self.datetime("time"),
            SqlType::Timestamp | SqlType::Timestamptz => self.datetime("datetime"),
            SqlType::Interval => self.datetime("timedelta"),
            SqlType::Json | SqlType::Jsonb => {
                self.uses.any = true;
                "Any".into()
            }
            SqlType::Bytea => "bytes".into(),
            SqlType::Enum(name) => match self.enums.get(name.as_str()) {
                Some(info) => info.class.clone(),
                None => "str".into(),
            },
            SqlType::Array(inner) => format!("list[{}]", self.python_type(inner)),
        }
    }

    fn datetime(&mut self, what: &str) -> String {
        self.uses.datetime = true;
        format!("datetime.{what}")
    }

    /// `sa_type=` where SQLModel's own type for the annotation would not
    /// be the column's exact type.
    fn explicit_type(&mut self, ty: &SqlType) -> Option<String> {
        match ty {
            SqlType::Varchar(_)
            | SqlType::Integer
            | SqlType::Numeric(_)
            | SqlType::Boolean
            | SqlType::Date
            | SqlType::Time
            | SqlType::Interval
            | SqlType::Bytea => None,
            SqlType::Uuid | SqlType::Json | SqlType::Jsonb | SqlType::Array(_) => {
                self.uses.postgresql = true;
                Some(self.column_type(ty))
            }
            _ => Some(self.column_type(ty)),
        }
    }

    /// The value Python fills in when the caller gives none, matching the
    /// server default where there is an obvious equivalent.
    fn python_default(&mut self, f: &Field) -> Option<PyDefault> {
        if f.identity.is_some() {
            return None;
        }
        match f.default.as_ref()? {
            DefaultValue::Expr(e) => {
                let lower = e.trim().to_ascii_lowercase();
                let now = matches!(
                    lower.as_str(),
                    "now()"
                        | "current_timestamp"
                        | "clock_timestamp()"
                        | "transaction_timestamp()"
                        | "statement_timestamp()"
                );
                match &f.ty {
                    SqlType::Uuid
                        if ["gen_random_uuid()", "uuid_generate_v4()"]
                            .contains(&lower.as_str()) =>
                    {
                        self.uses.uuid = true;
                        Some(PyDefault::Factory("uuid.uuid4".into()))
                    }
                    SqlType::Timestamptz if now => {
                        self.uses.utcnow = true;
                        Some(PyDefault::Factory("utcnow".into()))
                    }
                    SqlType::Timestamp if now => {
                        self.uses.datetime = true;
                        Some(PyDefault::Factory("datetime.datetime.now".into()))
                    }
                    SqlType::Date if lower == "current_date" => {
                        self.uses.datetime = true;
                        Some(PyDefault::Factory("datetime.date.today".into()))
                    }
                    SqlType::Boolean if lower == "true" => Some(PyDefault::Value("True".into())),
                    SqlType::Boolean if lower == "false" => Some(PyDefault::Value("False".into())),
                    SqlType::SmallInt | SqlType::Integer | SqlType::BigInt
                        if is_integer(&lower) =>
                    {
                        Some(PyDefault::Value(lower))
                    }
                    SqlType::Numeric(_) if is_decimal(&lower) => {
                        self.uses.decimal = true;
                        Some(PyDefault::Value(format!(
                            "decimal.Decimal({})",
                            string(&lower)
                        )))
                    }
                    SqlType::Real | SqlType::Double if is_decimal(&lower) => {
                        let v = if lower.contains('.') {
                            lower
                        } else {
                            format!("{lower}.0")
                        };
                        Some(PyDefault::Value(v))
                    }
                    SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) => {
                        sql_string_literal(e.trim()).map(|s| PyDefault::Value(string(&s)))
                    }
                    _ => None,
                }
            }
            DefaultValue::Text(t) => match &f.ty {
                SqlType::Enum(name) => {
                    let info = self.enums.get(name.as_str())?;
                    let member = info.members.iter().find(|(_, v)| v == t)?;
                    Some(PyDefault::Value(format!("{}.{}", info.class, member.0)))
                }
                SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) => {
                    Some(PyDefault::Value(string(t)))
                }
                _ => None,
            },
        }
    }
}

/// A server default for the models: as the Alembic revisions write it,
/// except that a string with a quote is given as the SQL literal, which
/// `alembic check` compares correctly (it quotes a plain string without
/// doubling the quotes inside).
fn model_server_default(default: &DefaultValue) -> String {
    match default {
        DefaultValue::Text(t) if t.contains('\'') => {
            format!("sa.text({})", sql_string(&Literal(t).to_string()))
        }
        other => server_default(other),
    }
}

enum PyDefault {
    Value(String),
    Factory(String),
}

fn is_integer(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// The text of a plain SQL string literal (`'it''s'`), if that is all the
/// expression is.
fn sql_string_literal(expr: &str) -> Option<String> {
    let inner = expr.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// `name: annotation = Call(args)`, on one line when it fits and one
/// argument a line otherwise.
fn assignment(name: &str, annotation: &str, call: &str, args: &[String], callee: &str) -> String {
    let line = format!("    {name}: {annotation} = {call}");
    if line.len() <= LINE_WIDTH {
        return format!("{line}\n");
    }
    let mut out = format!("    {name}: {annotation} = {callee}(\n");
    for a in args {
        let _ = writeln!(out, "        {a},");
    }
    out.push_str("    )\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(source: &str) -> Design {
        crate::file::parse(source, &mut crate::core::ids::IdGen::seeded(1)).unwrap()
    }

    #[test]
    fn todo_models_read_like_hand_written_ones() {
        let d = load(include_str!("../../../designs/todo.ron"));
        let text = models(&d, "designs/todo.ron", "public");
        assert!(
            text.contains("class User(SQLModel, table=True):\n"),
            "{text}"
        );
        assert!(text.contains("    __tablename__ = \"users\"\n"));
        assert!(text.contains(
            "    id: uuid.UUID = Field(\n        default_factory=uuid.uuid4,\n        primary_key=True,\n        sa_type=postgresql.UUID(as_uuid=True),\n        sa_column_kwargs={\"server_default\": sa.text(\"gen_random_uuid()\")},\n    )\n"
        ), "{text}");
        assert!(
            text.contains("        foreign_key=\"users.id\",\n        ondelete=\"CASCADE\",\n"),
            "{text}"
        );
        assert!(
            text.contains("    tasks: list[\"Task\"] = Relationship(back_populates=\"user\")\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "    user: Optional[\"User\"] = Relationship(back_populates=\"tasks\")\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("        sa.Index(\"tasks_user_id_idx\", \"user_id\"),\n"),
            "{text}"
        );
        assert!(
            text.contains("    title: str = Field(max_length=200)\n"),
            "{text}"
        );
        assert!(text.contains("        default=False,\n        sa_column_kwargs={\"server_default\": sa.text(\"false\")},\n"), "{text}");
        assert!(text.ends_with("metadata = SQLModel.metadata\n"));
    }

    #[test]
    fn a_deferrable_key_keeps_its_deferrability_in_the_table_args() {
        let source = include_str!("../../../designs/todo.ron").replace(
            "on_delete: Cascade",
            "on_delete: Cascade, deferrable: Deferred",
        );
        let d = load(&source);
        assert!(d.relationships().all(|r| r.deferrable.is_deferrable()));
        let text = models(&d, "todo.ron", "public");
        assert!(!text.contains("foreign_key=\"users.id\""), "{text}");
        assert!(
            text.contains(
                "        sa.ForeignKeyConstraint([\"user_id\"], [\"users.id\"], name=\"tasks_user_id_fkey\", ondelete=\"CASCADE\", deferrable=True, initially=\"DEFERRED\"),\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "    user: Optional[\"User\"] = Relationship(back_populates=\"tasks\")\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn many_to_many_through_a_link_model() {
        let d = load(include_str!("../../../designs/blog.ron"));
        let text = models(&d, "designs/blog.ron", "public");
        let link = text.find("class PostsTag(SQLModel, table=True):").unwrap();
        assert!(link < text.find("class Post(SQLModel").unwrap());
        assert!(text.contains("    tags: list[\"Tag\"] = Relationship(back_populates=\"posts\", link_model=PostsTag)\n"), "{text}");
        assert!(text.contains("    posts: list[\"Post\"] = Relationship(back_populates=\"tags\", link_model=PostsTag)\n"), "{text}");
    }

    #[test]
    fn enums_self_references_and_tables_without_keys() {
        let shop = models(
            &load(include_str!("../../../designs/shop.ron")),
            "shop.ron",
            "public",
        );
        assert!(
            shop.contains("class OrderStatus(str, enum.Enum):\n"),
            "{shop}"
        );
        assert!(shop.contains("    PENDING = \"pending\"\n"));
        assert!(shop.contains("order_status_type = sa.Enum(OrderStatus, name=\"order_status\", values_callable=enum_values)\n"));
        assert!(shop.contains("default=OrderStatus.PENDING"), "{shop}");
        assert!(shop.contains("    parent: Optional[\"Category\"] = Relationship(\n        back_populates=\"children\",\n        sa_relationship_kwargs={\"remote_side\": \"[Category.id]\"},\n    )\n"), "{shop}");
        assert!(
            shop.contains(
                "    children: list[\"Category\"] = Relationship(back_populates=\"parent\")\n"
            ),
            "{shop}"
        );
        let legacy = models(
            &load(include_str!("../../../designs/legacy.ron")),
            "legacy.ron",
            "public",
        );
        assert!(
            legacy.contains(
                "order_lines = sa.Table(\n    \"order_lines\",\n    SQLModel.metadata,\n"
            ),
            "{legacy}"
        );
        assert!(
            legacy.contains("sa_column_args=[sa.Identity(always=False)]"),
            "{legacy}"
        );
    }

    #[test]
    fn default_literals() {
        assert_eq!(sql_string_literal("'it''s'").as_deref(), Some("it's"));
        assert_eq!(sql_string_literal("'a'::text"), None);
        assert_eq!(sql_string_literal("'a'b'"), None);
        assert!(is_integer("-3") && !is_integer("3.0"));
        assert!(is_decimal("0.50") && is_decimal("7") && !is_decimal("1.") && !is_decimal("now()"));
    }
}
