//! A design as the DDL that creates it from nothing.

use std::fmt;

use super::ddl::{Column, CommentTarget, Constraint, Sql, Statement};
use super::quote::Ident;
use crate::core::model::{Design, Entity, Relationship};

/// The statements that create the design, in an order PostgreSQL accepts:
/// enums, then each table (dependencies first) with its indexes and
/// comments, then the foreign keys that close cycles.
pub fn create_statements(design: &Design) -> Vec<Statement> {
    let mut out = Vec::new();
    for e in &design.enums {
        out.push(Statement::CreateEnum {
            name: e.name.clone(),
            values: e.values.clone(),
        });
        if let Some(text) = &e.comment {
            out.push(Statement::Comment {
                target: CommentTarget::Type(e.name.clone()),
                text: text.clone(),
            });
        }
    }
    let order = design.dependency_order();
    let mut deferred = Vec::new();
    for id in &order.entities {
        let entity = design.entity(id).expect("ordered entities exist");
        let (inline, later): (Vec<&Relationship>, Vec<&Relationship>) = design
            .relationships_from(id)
            .into_iter()
            .partition(|r| !order.deferred.contains(&r.id));
        out.push(create_table(design, entity, &inline));
        out.extend(uniques_repeating_the_key(design, entity));
        out.extend(indexes(design, entity));
        out.extend(comments(entity));
        deferred.extend(later.into_iter().map(|r| Statement::AddConstraint {
            table: entity.name.clone(),
            constraint: foreign_key(design, r),
        }));
    }
    out.extend(deferred);
    out
}

/// The whole script as text for `schema`, one blank line between
/// statements. Names are qualified; the `search_path` it sets first is for
/// the expressions, whose functions and types resolve in `pg_catalog` and
/// then in the schema, whatever the session had.
pub fn create_script(design: &Design, schema: &str) -> String {
    let mut script = String::new();
    write_create_script(design, schema, &mut script).expect("a String takes any text");
    script
}

/// [`create_script`] handed to `out` a statement at a time, so a
/// 50,000-table script (70 MB) is never held whole.
pub fn write_create_script(
    design: &Design,
    schema: &str,
    out: &mut (impl fmt::Write + ?Sized),
) -> fmt::Result {
    write!(
        out,
        "-- PostgreSQL DDL for design \"{}\", written by plinth.\n\n{}\n",
        design.name.replace(['\n', '\r'], " "),
        search_path(schema)
    )?;
    for statement in create_statements(design) {
        write!(out, "\n{}\n", statement.sql(schema))?;
    }
    Ok(())
}

/// The `SET search_path` plinth's scripts and sessions run first:
/// `pg_catalog` before the schema, so nothing in the schema can stand in
/// for a built-in function or type.
pub fn search_path(schema: &str) -> String {
    format!("SET search_path TO pg_catalog, {};", Ident(schema))
}

/// [`search_path`] for the current transaction only.
pub fn local_search_path(schema: &str) -> String {
    format!("SET LOCAL search_path TO pg_catalog, {};", Ident(schema))
}

fn create_table(design: &Design, entity: &Entity, foreign_keys: &[&Relationship]) -> Statement {
    let columns = entity
        .fields
        .iter()
        .map(|f| Column {
            name: f.name.clone(),
            ty: f.ty.clone(),
            not_null: f.not_null,
            default: f.default.clone(),
            identity: f.identity,
        })
        .collect();
    let mut constraints = Vec::new();
    if let Some(pk) = &entity.primary_key {
        constraints.push(Constraint::PrimaryKey {
            name: design.primary_key_name(entity),
            columns: entity.field_names(&pk.fields),
        });
    }
    for u in entity
        .uniques
        .iter()
        .filter(|u| !repeats_primary_key(entity, u))
    {
        constraints.push(Constraint::Unique {
            name: design.unique_name(entity, u),
            columns: entity.field_names(&u.fields),
        });
    }
    for c in &entity.checks {
        constraints.push(Constraint::Check {
            name: design.check_name(entity, c),
            expr: c.expr.clone(),
        });
    }
    constraints.extend(foreign_keys.iter().map(|r| foreign_key(design, r)));
    Statement::CreateTable {
        name: entity.name.clone(),
        columns,
        constraints,
    }
}

/// CREATE TABLE silently leaves out a UNIQUE constraint over exactly the
/// primary key's columns, so such a constraint is added after the table,
/// where PostgreSQL keeps it and the catalog matches the design.
fn repeats_primary_key(entity: &Entity, unique: &crate::core::model::Unique) -> bool {
    entity
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.fields == unique.fields)
}

fn uniques_repeating_the_key<'a>(
    design: &'a Design,
    entity: &'a Entity,
) -> impl Iterator<Item = Statement> + 'a {
    entity
        .uniques
        .iter()
        .filter(|u| repeats_primary_key(entity, u))
        .map(|u| Statement::AddConstraint {
            table: entity.name.clone(),
            constraint: Constraint::Unique {
                name: design.unique_name(entity, u),
                columns: entity.field_names(&u.fields),
            },
        })
}

/// A relationship as the constraint that makes it, for `plinth ddl`,
/// migration plans and the Python exports alike.
pub fn foreign_key(design: &Design, r: &Relationship) -> Constraint {
    let from = design.entity(&r.from).expect("relationship ends exist");
    let to = design.entity(&r.to).expect("relationship ends exist");
    Constraint::ForeignKey {
        name: design.relationship_name(r),
        columns: from.field_names(&r.fields),
        table: to.name.clone(),
        references: to.field_names(&r.references),
        on_delete: r.on_delete,
        on_update: r.on_update,
        deferrable: r.deferrable,
    }
}

fn indexes<'a>(design: &'a Design, entity: &'a Entity) -> impl Iterator<Item = Statement> + 'a {
    entity.indexes.iter().map(move |i| Statement::CreateIndex {
        name: design.index_name(entity, i),
        table: entity.name.clone(),
        unique: i.unique,
        method: i.method,
        columns: entity.field_names(&i.fields),
        predicate: i.predicate.clone(),
    })
}

fn comments(entity: &Entity) -> impl Iterator<Item = Statement> + '_ {
    let table = entity.comment.iter().map(|text| Statement::Comment {
        target: CommentTarget::Table(entity.name.clone()),
        text: text.clone(),
    });
    let columns = entity.fields.iter().filter_map(|f| {
        f.comment.as_ref().map(|text| Statement::Comment {
            target: CommentTarget::Column(entity.name.clone(), f.name.clone()),
            text: text.clone(),
        })
    });
    table.chain(columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::IdGen;
    use crate::core::model::Deferrable;
    use crate::core::testing::Gen;

    /// `b` and `c` reference each other, `c` references itself and `a`
    /// comes last in the design but is referenced by `b`.
    fn cyclic() -> Design {
        let mut ids = IdGen::seeded(4);
        let mut random = Gen::new(4);
        let mut design = Design::new("cycle");
        for name in ["b", "c", "a"] {
            let mut e = crate::core::starter::starter_design(name, &mut ids)
                .entities()
                .next()
                .unwrap()
                .clone();
            e.name = name.into();
            e.uniques.clear();
            let at = design.entity_count();
            design.insert_entity(e, at);
        }
        let id = |d: &Design, n: &str| d.entity_named(n).unwrap().id.clone();
        for (from, to) in [("b", "c"), ("c", "b"), ("c", "c"), ("b", "a")] {
            let edit = random
                .new_relationship(&design, &id(&design, from), &id(&design, to))
                .unwrap();
            edit.apply(&mut design).unwrap();
        }
        design
    }

    #[test]
    fn referenced_tables_come_first_and_cycles_close_with_alter_table() {
        let design = cyclic();
        let order: Vec<&str> = design
            .dependency_order()
            .entities
            .iter()
            .map(|id| design.entity(id).unwrap().name.as_str())
            .collect();
        assert_eq!(order, ["a", "b", "c"]);
        let statements = create_statements(&design);
        let alters: Vec<String> = statements
            .iter()
            .filter(|s| matches!(s, Statement::AddConstraint { .. }))
            .map(|s| s.sql("public"))
            .collect();
        assert_eq!(alters.len(), 3, "{alters:#?}");
        assert!(alters.iter().all(|a| a.contains("FOREIGN KEY")));
        let script = create_script(&design, "public");
        let inline = script.matches("REFERENCES public.a (id)").count();
        assert_eq!(inline, 1, "the key to `a` stays inline:\n{script}");
        assert!(script.rfind("CREATE TABLE").unwrap() < script.find("ALTER TABLE").unwrap());
    }

    #[test]
    fn deferrable_keys_say_so_inline_and_in_alter_table() {
        let mut design = cyclic();
        let name = |d: &Design, id: &crate::core::ids::EntityId| d.entity(id).unwrap().name.clone();
        let keys: Vec<_> = design
            .relationships()
            .map(|r| (name(&design, &r.from), name(&design, &r.to), r.id.clone()))
            .collect();
        for (from, to, id) in keys {
            let deferrable = match (from.as_str(), to.as_str()) {
                ("b", "a") => Deferrable::InitiallyImmediate,
                ("c", "b") => Deferrable::InitiallyDeferred,
                _ => Deferrable::NotDeferrable,
            };
            crate::core::edit::Edit::SetRelationshipDeferrable { id, deferrable }
                .apply(&mut design)
                .unwrap();
        }
        let script = create_script(&design, "public");
        let inline = script
            .lines()
            .find(|l| l.contains("REFERENCES public.a (id)"))
            .unwrap();
        assert!(
            inline.ends_with(" DEFERRABLE INITIALLY IMMEDIATE"),
            "{script}"
        );
        let alter = script
            .lines()
            .find(|l| {
                l.starts_with("ALTER TABLE public.c ADD") && l.contains("REFERENCES public.b (id)")
            })
            .unwrap();
        assert!(
            alter.ends_with(" DEFERRABLE INITIALLY DEFERRED;"),
            "{script}"
        );
        assert_eq!(script.matches("DEFERRABLE").count(), 2, "{script}");
    }
}
