//! Applying a design to a live schema: reading the schema as the design
//! sees it, planning the migration, and running it in one transaction
//! under the schema's advisory lock, so that a failure names its statement
//! and changes nothing.
//!
//! An inspected design has fresh ids; [`align`] (the migration engine's
//! own matcher) gives the live design the design's ids wherever the names
//! agree, so what did not change diffs as unchanged and what is new (or
//! gone) shows as an add (or a drop). A rename cannot be told from a drop
//! and an add this way: the live schema keeps no ids.
//!
//! The command line and the designer both apply through [`apply`]; they
//! differ only in how a plan is approved (a prompt, or the plan the user
//! already saw).

use tokio_postgres::{Client, Transaction};

use super::error::DbError;
use super::history;
use super::inspect::InspectError;
use super::lock::{lock, unlock};
use super::record;
use super::settle::settle;
use crate::core::diff::{Plan, PlanOptions, Step, align, plan};
use crate::core::model::Design;
use crate::core::sql::{Sql, local_search_path};

/// Why an apply stopped without applying.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}\nnothing was applied")]
    Inspect(#[from] InspectError),
    #[error("the database failed: {0}\nnothing was applied")]
    Database(DbError),
    /// The schema's lock could not be taken (another run held it too
    /// long, say).
    #[error("{0}\nnothing was applied")]
    Locked(DbError),
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
        ApplyError::Database(DbError::of(&e))
    }
}

impl ApplyError {
    /// What PostgreSQL said, when it is PostgreSQL that failed.
    pub fn db_error(&self) -> Option<&DbError> {
        match self {
            ApplyError::Database(e)
            | ApplyError::Locked(e)
            | ApplyError::Inspect(InspectError::Query(e)) => Some(e),
            ApplyError::Failed { failure, .. } => Some(&failure.error),
            _ => None,
        }
    }

    /// [`ApplyError::db_error`], to add what the statement waited for.
    pub fn db_error_mut(&mut self) -> Option<&mut DbError> {
        match self {
            ApplyError::Database(e)
            | ApplyError::Locked(e)
            | ApplyError::Inspect(InspectError::Query(e)) => Some(e),
            ApplyError::Failed { failure, .. } => Some(&mut failure.error),
            _ => None,
        }
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
    let mut inspection = record::inspect_with_ids(client, schema).await?;
    let history_table = inspection
        .design
        .entity_named(history::TABLE)
        .map(|e| e.id.clone());
    if let Some(id) = history_table
        && design.entity_named(history::TABLE).is_none()
    {
        inspection.design.remove_entity(&id);
    }
    // The live schema carries the ids it was last applied with, so
    // renames in the design since are known by id; else names match.
    let mut live = align(&inspection.design, design);
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
    /// Another run holds the schema's lock (`holder` says whose); called
    /// once, before waiting.
    fn waiting(&mut self, _holder: &str) {}
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
    lock(client, schema, |holder| observer.waiting(holder))
        .await
        .map_err(ApplyError::Locked)?;
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
    // Without the right to make plinth's schema, applying still works;
    // the next plan then matches by name alone.
    let recording = record::ensure(client).await.is_ok();
    let plan = plan_live(client, schema, design, options).await?;
    if plan.is_empty() {
        if recording {
            let tx = client.transaction().await?;
            record::record(&tx, schema, design).await?;
            tx.commit().await?;
        }
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
        record: None,
        observer,
    };
    if !before.is_empty() {
        run.in_transaction(client, before).await?;
        run.kept = before.len();
    }
    run.record = recording.then_some(design);
    run.in_transaction(client, rest).await?;
    Ok(Outcome::Applied(plan))
}

/// The statements of one apply as they run.
struct Run<'a, O> {
    schema: &'a str,
    total: usize,
    /// Statements already committed.
    kept: usize,
    /// The design to record as applied, in the transaction that applies it.
    record: Option<&'a Design>,
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
        if let Some(design) = self.record.take() {
            record::record(&tx, self.schema, design).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A statement that failed: which one and what PostgreSQL said.
#[derive(Debug, thiserror::Error)]
#[error("statement {number} of {total} failed: {statement}\nPostgreSQL: {error}")]
pub struct StepFailure {
    pub number: usize,
    pub total: usize,
    /// The statement on one line, shortened.
    pub statement: String,
    /// What PostgreSQL said (the statement is the one above).
    pub error: DbError,
}

impl StepFailure {
    /// Statement `number` of `total`, `sql`, failed with `e`.
    pub fn new(number: usize, total: usize, sql: &str, e: &tokio_postgres::Error) -> StepFailure {
        let mut error = DbError::in_statement(e, sql);
        let statement = error.statement.take().unwrap_or_default();
        StepFailure {
            number,
            total,
            statement,
            error,
        }
    }
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
    tx.batch_execute(&sql)
        .await
        .map_err(|e| StepFailure::new(number, total, &sql, &e))
}
