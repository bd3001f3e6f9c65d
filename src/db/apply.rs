//! Applying a design to a live schema: reading the schema as the design
//! sees it, planning the migration, and running it in one transaction
//! under the schema's advisory lock, so that a failure names its statement
//! and changes nothing.
//!
//! An inspected design has fresh ids, while the migration engine matches
//! by id. [`align_ids`] gives the live design the design's ids wherever the
//! names agree, so what did not change diffs as unchanged and what is new
//! (or gone) shows as an add (or a drop). A rename cannot be told from a
//! drop and an add this way: the live schema keeps no ids.
//!
//! The command line and the designer both apply through [`apply`]; they
//! differ only in how a plan is approved (a prompt, or the plan the user
//! already saw).

use std::collections::HashMap;

use tokio_postgres::{Client, Transaction};

use super::history;
use super::inspect::{InspectError, inspect};
use super::lock::{lock, unlock};
use super::settle::settle;
use crate::core::diff::{Plan, PlanOptions, Step, plan};
use crate::core::ids::{EntityId, FieldId};
use crate::core::model::{Design, Entity};
use crate::core::sql::{Sql, local_search_path};

/// Why an apply stopped without applying.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}")]
    Inspect(#[from] InspectError),
    #[error("the database failed: {0}; nothing was applied")]
    Database(String),
    /// The plan drops data and the caller did not allow it; the plan is
    /// kept so it can be shown.
    #[error("{message}")]
    Refused { message: String, plan: Box<Plan> },
    /// Whoever approves plans said no, with their reason.
    #[error("{0}")]
    Declined(String),
    /// A statement failed; the transaction was rolled back.
    #[error("{}\n{failure}", rolled_back(*.kept))]
    Failed {
        failure: StepFailure,
        /// New enum values committed before the failing transaction, which
        /// stay (PostgreSQL cannot use a value in the transaction adding it).
        kept: usize,
    },
}

fn rolled_back(kept: usize) -> String {
    match kept {
        0 => "applying failed and everything was rolled back".into(),
        n => format!(
            "applying failed and was rolled back, except the {n} new enum value(s) committed \
             first"
        ),
    }
}

impl From<tokio_postgres::Error> for ApplyError {
    fn from(e: tokio_postgres::Error) -> Self {
        ApplyError::Database(match e.as_db_error() {
            Some(db) => db.message().to_owned(),
            None => e.to_string(),
        })
    }
}

/// What [`apply`] did.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The schema already matched the design.
    NothingToDo,
    /// The plan ran and committed.
    Applied(Plan),
}

/// The live schema as the design sees it: inspected, without plinth's own
/// migration history table, with the design's ids and the design's
/// spelling of every expression PostgreSQL reads the same way.
pub async fn live_design(
    client: &mut Client,
    schema: &str,
    design: &Design,
) -> Result<Design, ApplyError> {
    let mut inspection = inspect(client, schema).await?;
    let history_table = inspection
        .design
        .entity_named(history::TABLE)
        .map(|e| e.id.clone());
    if let Some(id) = history_table
        && design.entity_named(history::TABLE).is_none()
    {
        inspection.design.remove_entity(&id);
    }
    let mut live = align_ids(&inspection.design, design);
    settle(client, schema, &mut live, design).await?;
    Ok(live)
}

/// The plan that takes the live schema to the design, as of now.
pub async fn plan_live(
    client: &mut Client,
    schema: &str,
    design: &Design,
    options: PlanOptions,
) -> Result<Plan, ApplyError> {
    let live = live_design(client, schema, design).await?;
    Ok(plan(&live, design, options))
}

/// Whom an apply tells what it is doing, and asks before it changes
/// anything: a prompt on the command line, the preview in the designer.
pub trait Observer {
    /// Another run holds the schema's lock; called once, before waiting.
    fn waiting(&mut self) {}
    /// The plan about to run; an error declines it and nothing runs.
    fn approve(&mut self, plan: &Plan) -> Result<(), ApplyError>;
    /// Statement `number` (from 1) of `total` is about to run.
    fn running(&mut self, _number: usize, _total: usize, _step: &Step) {}
}

/// Applies `design` to `schema` on `client`.
///
/// The schema's lock is taken first, so the plan is made from what a
/// previous apply committed and two applies run one after the other. The
/// observer approves the plan before anything runs. New enum values
/// commit first, in a transaction of their own; everything else runs in
/// one transaction.
pub async fn apply(
    client: &mut Client,
    schema: &str,
    design: &Design,
    options: PlanOptions,
    observer: &mut impl Observer,
) -> Result<Outcome, ApplyError> {
    lock(client, schema, || observer.waiting()).await?;
    let outcome = apply_locked(client, schema, design, options, observer).await;
    // Closing the session releases the lock too, so a failure here is
    // not worth hiding the outcome for.
    let _ = unlock(client, schema).await;
    outcome
}

async fn apply_locked(
    client: &mut Client,
    schema: &str,
    design: &Design,
    options: PlanOptions,
    observer: &mut impl Observer,
) -> Result<Outcome, ApplyError> {
    let plan = plan_live(client, schema, design, options).await?;
    if plan.is_empty() {
        return Ok(Outcome::NothingToDo);
    }
    if let Some(message) = plan.refusal() {
        return Err(ApplyError::Refused {
            message,
            plan: Box::new(plan),
        });
    }
    observer.approve(&plan)?;
    let numbered: Vec<(usize, &Step)> = plan.steps().enumerate().map(|(i, s)| (i + 1, s)).collect();
    let (before, rest) = numbered.split_at(plan.before.len());
    let mut run = Run {
        schema,
        total: plan.len(),
        kept: 0,
        observer,
    };
    if !before.is_empty() {
        run.in_transaction(client, before).await?;
        run.kept = before.len();
    }
    run.in_transaction(client, rest).await?;
    Ok(Outcome::Applied(plan))
}

/// The statements of one apply as they run.
struct Run<'a, O> {
    schema: &'a str,
    total: usize,
    /// Statements already committed.
    kept: usize,
    observer: &'a mut O,
}

impl<O: Observer> Run<'_, O> {
    /// Runs `steps` in one transaction and commits it.
    async fn in_transaction(
        &mut self,
        client: &mut Client,
        steps: &[(usize, &Step)],
    ) -> Result<(), ApplyError> {
        let tx = client.transaction().await?;
        // Names are qualified; expressions resolve in the schema.
        tx.batch_execute(&local_search_path(self.schema)).await?;
        for &(number, step) in steps {
            self.observer.running(number, self.total, step);
            execute(&tx, self.schema, step, number, self.total)
                .await
                .map_err(|failure| ApplyError::Failed {
                    failure,
                    kept: self.kept,
                })?;
        }
        tx.commit().await?;
        Ok(())
    }
}

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

/// Runs statement `number` of `total` in `tx`; a failure says which.
pub async fn execute(
    tx: &Transaction<'_>,
    schema: &str,
    step: &Step,
    number: usize,
    total: usize,
) -> Result<(), StepFailure> {
    let sql = step.sql(schema);
    tx.batch_execute(&sql).await.map_err(|e| StepFailure {
        number,
        total,
        statement: one_line(&sql),
        message: match e.as_db_error() {
            Some(db) => match db.detail() {
                Some(detail) => format!("{} ({detail})", db.message()),
                None => db.message().to_owned(),
            },
            None => e.to_string(),
        },
    })
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
    fn statements_are_reported_on_one_line() {
        assert_eq!(
            one_line("CREATE TABLE t (\n    a int\n);"),
            "CREATE TABLE t ( a int );"
        );
    }
}
