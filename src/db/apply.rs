//! Applying a design to a live schema: matching the inspected schema to
//! the design by name, the advisory lock that keeps two applies apart, and
//! running a plan's statements so that a failure names its statement.
//!
//! An inspected design has fresh ids, while the migration engine matches
//! by id. [`align_ids`] gives the live design the design's ids wherever the
//! names agree, so what did not change diffs as unchanged and what is new
//! (or gone) shows as an add (or a drop). A rename cannot be told from a
//! drop and an add this way: the live schema keeps no ids.

use std::collections::HashMap;

use tokio_postgres::{Client, Transaction};

use crate::core::diff::Step;
use crate::core::ids::{CheckId, EntityId, FieldId};
use crate::core::model::{DefaultValue, Design, Entity};

/// The live design `live` with the ids of `design` wherever names match:
/// enums, entities and fields by name; keys, checks, indexes and foreign
/// keys by the name the database knows them by. Everything else keeps its
/// fresh id, so the diff sees it as added or dropped.
pub fn align_ids(live: &Design, design: &Design) -> Design {
    let mut out = Design::new(design.name.clone());
    out.comment = design.comment.clone();
    out.checks = design.checks.clone();
    for e in &live.enums {
        let mut e = e.clone();
        if let Some(d) = design.enum_named(&e.name) {
            e.id = d.id.clone();
        }
        out.enums.push(e);
    }

    let mut entity_ids: HashMap<EntityId, EntityId> = HashMap::new();
    let mut field_ids: HashMap<EntityId, HashMap<FieldId, FieldId>> = HashMap::new();
    for le in live.entities() {
        let aligned = match design.entity_named(&le.name) {
            Some(de) => align_entity(live, le, design, de),
            None => (le.clone(), identity_map(le)),
        };
        entity_ids.insert(le.id.clone(), aligned.0.id.clone());
        field_ids.insert(le.id.clone(), aligned.1);
        let at = out.entity_count();
        out.insert_entity(aligned.0, at);
    }

    for lr in live.relationships() {
        let mut r = lr.clone();
        let name = live.relationship_name(lr);
        r.from = entity_ids[&lr.from].clone();
        r.to = entity_ids[&lr.to].clone();
        r.fields = remap(&lr.fields, &field_ids[&lr.from]);
        r.references = remap(&lr.references, &field_ids[&lr.to]);
        if let Some(d) = design
            .foreign_keys_from(&r.from)
            .find(|d| design.relationship_name(d) == name)
        {
            r.id = d.id.clone();
        }
        out.insert_relationship(r);
    }
    out
}

/// A live entity with the ids of the design's entity of the same name, and
/// the map from its live field ids to the aligned ones.
fn align_entity(
    live: &Design,
    le: &Entity,
    design: &Design,
    de: &Entity,
) -> (Entity, HashMap<FieldId, FieldId>) {
    let fields: HashMap<FieldId, FieldId> = le
        .fields
        .iter()
        .map(|f| {
            let id = de.field_named(&f.name).map_or(&f.id, |d| &d.id);
            (f.id.clone(), id.clone())
        })
        .collect();
    let mut e = le.clone();
    e.id = de.id.clone();
    for f in &mut e.fields {
        f.id = fields[&f.id].clone();
    }
    if let Some(pk) = &mut e.primary_key {
        pk.fields = remap(&pk.fields, &fields);
    }
    for d in &mut e.dependencies {
        d.lhs = remap(&d.lhs, &fields);
        d.rhs = remap(&d.rhs, &fields);
    }
    for (u, lu) in e.uniques.iter_mut().zip(&le.uniques) {
        u.fields = remap(&u.fields, &fields);
        let name = live.unique_name(le, lu);
        if let Some(d) = de
            .uniques
            .iter()
            .find(|d| design.unique_name(de, d) == name)
        {
            u.id = d.id.clone();
        }
    }
    for (c, lc) in e.checks.iter_mut().zip(&le.checks) {
        let name = live.check_name(le, lc);
        if let Some(d) = de.checks.iter().find(|d| design.check_name(de, d) == name) {
            c.id = d.id.clone();
        }
    }
    for (i, li) in e.indexes.iter_mut().zip(&le.indexes) {
        i.fields = remap(&i.fields, &fields);
        let name = live.index_name(le, li);
        if let Some(d) = de.indexes.iter().find(|d| design.index_name(de, d) == name) {
            i.id = d.id.clone();
        }
    }
    (e, fields)
}

fn identity_map(e: &Entity) -> HashMap<FieldId, FieldId> {
    e.fields
        .iter()
        .map(|f| (f.id.clone(), f.id.clone()))
        .collect()
}

fn remap(ids: &[FieldId], map: &HashMap<FieldId, FieldId>) -> Vec<FieldId> {
    ids.iter()
        .map(|id| map.get(id).unwrap_or(id).clone())
        .collect()
}

/// Gives `aligned` (the live design, aligned by [`align_ids`]) the design's
/// own text for each check and default that PostgreSQL reads the same way.
///
/// The catalog gives expressions back in its own spelling (`(price >=
/// (0)::numeric)` for `price >= 0`), so text alone would drop and re-add
/// every check on each run. Each differing expression of the design is put
/// on a temporary copy of the live table, in a transaction that is rolled
/// back, and PostgreSQL's reading of it is compared with the live one's.
pub async fn settle_expressions(
    client: &mut Client,
    schema: &str,
    aligned: &mut Design,
    design: &Design,
) -> Result<(), tokio_postgres::Error> {
    let mut probes = Vec::new();
    for e in aligned.entities() {
        let Some(d) = design.entity(&e.id) else {
            continue;
        };
        let table = format!("{}.{}", ident(schema), ident(&e.name));
        for c in &e.checks {
            if let Some(dc) = d
                .checks
                .iter()
                .find(|dc| dc.id == c.id && dc.expr != c.expr)
            {
                probes.push(Probe::Check {
                    entity: e.id.clone(),
                    check: c.id.clone(),
                    table: table.clone(),
                    name: aligned.check_name(e, c),
                    expr: dc.expr.clone(),
                });
            }
        }
        for f in &e.fields {
            let Some(df) = d.field(&f.id) else { continue };
            if df.ty == f.ty
                && df.default != f.default
                && df.default.is_some()
                && f.default.is_some()
            {
                probes.push(Probe::Default {
                    entity: e.id.clone(),
                    table: table.clone(),
                    field: f.id.clone(),
                    column: f.name.clone(),
                    default: df
                        .default
                        .clone()
                        .unwrap_or(DefaultValue::Expr(String::new())),
                });
            }
        }
    }
    for probe in probes {
        let tx = client.transaction().await?;
        let same = probe.same(&tx).await;
        tx.rollback().await?;
        if !same {
            continue;
        }
        match probe {
            Probe::Check {
                entity,
                check,
                expr,
                ..
            } => {
                let e = aligned.entity_mut(&entity).expect("an aligned entity");
                if let Some(c) = e.checks.iter_mut().find(|c| c.id == check) {
                    c.expr = expr;
                }
            }
            Probe::Default {
                entity,
                field,
                default,
                ..
            } => {
                let e = aligned.entity_mut(&entity).expect("an aligned entity");
                if let Some(f) = e.field_mut(&field) {
                    f.default = Some(default);
                }
            }
        }
    }
    Ok(())
}

/// One expression of the design to compare with the live one.
enum Probe {
    Check {
        entity: EntityId,
        check: CheckId,
        table: String,
        name: String,
        expr: String,
    },
    Default {
        entity: EntityId,
        table: String,
        field: FieldId,
        column: String,
        default: DefaultValue,
    },
}

impl Probe {
    /// Whether PostgreSQL reads the design's expression as the live one;
    /// an expression it refuses here is simply not the same.
    async fn same(&self, tx: &Transaction<'_>) -> bool {
        let probe = "pg_temp.plinth_probe";
        let (table, setup, ours, theirs) = match self {
            Probe::Check {
                table, name, expr, ..
            } => {
                let of = |rel: &str, name: &str| {
                    format!(
                        "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
                         WHERE conrelid = {}::regclass AND conname = {}",
                        literal(rel),
                        literal(name)
                    )
                };
                (
                    table,
                    format!("ALTER TABLE {probe} ADD CONSTRAINT plinth_probe CHECK ({expr})"),
                    of(probe, "plinth_probe"),
                    of(table, name),
                )
            }
            Probe::Default {
                table,
                column,
                default,
                ..
            } => {
                let value = match default {
                    DefaultValue::Expr(e) => e.clone(),
                    DefaultValue::Text(t) => literal(t),
                };
                let of = |rel: &str| {
                    format!(
                        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d \
                         JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
                         WHERE d.adrelid = {}::regclass AND a.attname = {}",
                        literal(rel),
                        literal(column)
                    )
                };
                (
                    table,
                    format!(
                        "ALTER TABLE {probe} ALTER COLUMN {} SET DEFAULT {value}",
                        ident(column)
                    ),
                    of(probe),
                    of(table),
                )
            }
        };
        let create = format!("CREATE TEMP TABLE plinth_probe (LIKE {table})");
        if tx.batch_execute(&create).await.is_err() || tx.batch_execute(&setup).await.is_err() {
            return false;
        }
        let mut read = Vec::new();
        for sql in [ours, theirs] {
            match tx.query_opt(&sql, &[]).await {
                Ok(Some(row)) => read.push(row.get::<_, Option<String>>(0)),
                _ => return false,
            }
        }
        read[0].is_some() && read[0] == read[1]
    }
}

/// A quoted identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A quoted string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The advisory lock key of `plinth apply` on a schema: FNV-1a (64 bit)
/// of `plinth apply:SCHEMA`, the same on every machine and every run.
pub fn lock_key(schema: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in format!("plinth apply:{schema}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// Takes the apply lock of `schema` for the rest of `tx`, waiting while
/// another apply holds it.
pub async fn lock(tx: &Transaction<'_>, schema: &str) -> Result<(), tokio_postgres::Error> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock_key(schema)])
        .await
        .map(|_| ())
}

/// A statement that failed: which one and what PostgreSQL said.
#[derive(Debug, thiserror::Error)]
#[error("statement {number} of {total} failed: {statement}\nPostgreSQL: {message}")]
pub struct StepFailure {
    pub number: usize,
    pub total: usize,
    /// The statement on one line.
    pub statement: String,
    pub message: String,
}

/// Runs `steps` in order in `tx`, stopping at the first failure.
pub async fn execute(tx: &Transaction<'_>, steps: &[&Step]) -> Result<(), StepFailure> {
    for (i, step) in steps.iter().enumerate() {
        let sql = step.to_string();
        if let Err(e) = tx.batch_execute(&sql).await {
            let message = match e.as_db_error() {
                Some(db) => match db.detail() {
                    Some(detail) => format!("{} ({detail})", db.message()),
                    None => db.message().to_owned(),
                },
                None => e.to_string(),
            };
            return Err(StepFailure {
                number: i + 1,
                total: steps.len(),
                statement: one_line(&sql),
                message,
            });
        }
    }
    Ok(())
}

/// A statement with its line breaks and indentation folded into spaces.
fn one_line(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diff::diff;

    fn shop() -> Design {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/shop.ron");
        crate::file::load(&path).expect("the shop design loads")
    }

    /// The design with every id replaced, as an inspection would give it:
    /// its text without ids, read back with fresh ones.
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
        crate::file::parse(&text, &mut crate::core::ids::IdGen::seeded(7))
            .unwrap_or_else(|(at, e)| panic!("{at:?}: {e}\n{text}"))
    }

    #[test]
    fn the_same_schema_with_other_ids_aligns_to_no_change() {
        let design = shop();
        let live = fresh_ids(&design);
        assert!(!diff(&live, &design).is_empty(), "the ids really differ");
        let aligned = align_ids(&live, &design);
        assert_eq!(diff(&aligned, &design), Vec::new());
    }

    #[test]
    fn lock_keys_are_fixed_and_differ_by_schema() {
        assert_eq!(lock_key("public"), lock_key("public"));
        assert_ne!(lock_key("public"), lock_key("sales"));
    }

    #[test]
    fn statements_are_reported_on_one_line() {
        assert_eq!(
            one_line("CREATE TABLE t (\n    a int\n);"),
            "CREATE TABLE t ( a int );"
        );
    }
}
