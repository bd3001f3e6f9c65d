//! Reading the live schema's expressions the way the design writes them.
//!
//! The catalog gives checks, defaults and partial index predicates back in
//! its own spelling (`(price >= (0)::numeric)` for `price >= 0`, `(NOT
//! done)` for `NOT done`), so comparing text alone would drop and re-add
//! them on every run. Each expression of the design that differs is put on
//! a temporary copy of the live table, in a transaction that is rolled
//! back, and PostgreSQL's reading of it is compared with the live one's;
//! where they agree, the live design takes the design's text.

use tokio_postgres::{Client, Transaction};

use crate::core::ids::{CheckId, EntityId, FieldId, IndexId};
use crate::core::model::{DefaultValue, Design, SqlExpr};
use crate::core::sql::{Ident, Literal, local_search_path};

/// Gives `aligned` (the live design, aligned by
/// [`align`](crate::core::diff::align)) the design's own text for each check,
/// default and partial index predicate that PostgreSQL reads the same way.
pub async fn settle(
    client: &mut Client,
    schema: &str,
    aligned: &mut Design,
    design: &Design,
) -> Result<(), tokio_postgres::Error> {
    for probe in probes(schema, aligned, design) {
        let tx = client.transaction().await?;
        tx.batch_execute(&local_search_path(schema)).await?;
        let same = probe.same(&tx).await;
        tx.rollback().await?;
        if same {
            probe.settle(aligned);
        }
    }
    Ok(())
}

/// The expressions of the design that differ in text from the live ones.
fn probes(schema: &str, aligned: &Design, design: &Design) -> Vec<Probe> {
    let mut probes = Vec::new();
    for e in aligned.entities() {
        let Some(d) = design.entity(&e.id) else {
            continue;
        };
        let table = format!("{}.{}", Ident(schema), Ident(&e.name));
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
            if let (Some(ours), Some(theirs)) = (&df.default, &f.default)
                && df.ty == f.ty
                && ours != theirs
            {
                probes.push(Probe::Default {
                    entity: e.id.clone(),
                    table: table.clone(),
                    field: f.id.clone(),
                    column: f.name.clone(),
                    default: ours.clone(),
                });
            }
        }
        for i in &e.indexes {
            let Some(di) = d.indexes.iter().find(|di| di.id == i.id) else {
                continue;
            };
            if let (Some(ours), Some(theirs)) = (&di.predicate, &i.predicate)
                && ours != theirs
                && let Some(column) = i.fields.first().map(|f| e.field_name(f))
            {
                probes.push(Probe::Predicate {
                    entity: e.id.clone(),
                    index: i.id.clone(),
                    table: table.clone(),
                    name: format!("{}.{}", Ident(schema), Ident(&aligned.index_name(e, i))),
                    column,
                    expr: ours.clone(),
                });
            }
        }
    }
    probes
}

/// One expression of the design to compare with the live one, on a
/// temporary copy of the live table.
enum Probe {
    Check {
        entity: EntityId,
        check: CheckId,
        table: String,
        name: String,
        expr: SqlExpr,
    },
    Default {
        entity: EntityId,
        table: String,
        field: FieldId,
        column: String,
        default: DefaultValue,
    },
    /// A partial index's predicate, put on an index of the copy's first
    /// indexed column.
    Predicate {
        entity: EntityId,
        index: IndexId,
        table: String,
        /// The live index, schema-qualified.
        name: String,
        column: String,
        expr: SqlExpr,
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
                        Literal(rel),
                        Literal(name)
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
                    DefaultValue::Expr(e) => e.to_string(),
                    DefaultValue::Text(t) => Literal(t).to_string(),
                };
                let of = |rel: &str| {
                    format!(
                        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d \
                         JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
                         WHERE d.adrelid = {}::regclass AND a.attname = {}",
                        Literal(rel),
                        Literal(column)
                    )
                };
                (
                    table,
                    format!(
                        "ALTER TABLE {probe} ALTER COLUMN {} SET DEFAULT {value}",
                        Ident(column)
                    ),
                    of(probe),
                    of(table),
                )
            }
            Probe::Predicate {
                table,
                name,
                column,
                expr,
                ..
            } => {
                let of = |index: &str| {
                    format!(
                        "SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i \
                         WHERE i.indexrelid = to_regclass({})",
                        Literal(index)
                    )
                };
                (
                    table,
                    format!(
                        "CREATE INDEX plinth_probe_idx ON {probe} ({}) WHERE {expr}",
                        Ident(column)
                    ),
                    of("pg_temp.plinth_probe_idx"),
                    of(name),
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

    /// Puts the design's text in place of the live one.
    fn settle(self, aligned: &mut Design) {
        match self {
            Probe::Check {
                entity,
                check,
                expr,
                ..
            } => {
                if let Some(c) = aligned
                    .entity_mut(&entity)
                    .and_then(|e| e.checks.iter_mut().find(|c| c.id == check))
                {
                    c.expr = expr;
                }
            }
            Probe::Default {
                entity,
                field,
                default,
                ..
            } => {
                if let Some(f) = aligned
                    .entity_mut(&entity)
                    .and_then(|e| e.field_mut(&field))
                {
                    f.default = Some(default);
                }
            }
            Probe::Predicate {
                entity,
                index,
                expr,
                ..
            } => {
                if let Some(i) = aligned
                    .entity_mut(&entity)
                    .and_then(|e| e.indexes.iter_mut().find(|i| i.id == index))
                {
                    i.predicate = Some(expr);
                }
            }
        }
    }
}
