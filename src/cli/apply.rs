//! `plinth apply`: migrate a live schema to a design, in one transaction
//! under an advisory lock.
//!
//! The lock is taken first, on the connection that will run the statements;
//! the schema is then inspected on a second connection, so the plan is made
//! from what the previous apply (if one held the lock) committed. Two applies
//! started together therefore run one after the other, and the second finds
//! nothing to do.

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use tokio_postgres::Client;

use super::Failure;
use crate::core::diff::{Plan, PlanOptions, Step, plan};
use crate::core::model::Design;
use crate::db::apply::{execute, lock, settle_expressions};
use crate::db::{Target, align_ids, inspect, url_from};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design to apply.
    design: PathBuf,
    /// The connection string (libpq `key=value` or `postgresql://` URL);
    /// defaults to `DATABASE_URL`.
    #[arg(long)]
    url: Option<String>,
    /// The schema to migrate.
    #[arg(long, default_value = "public")]
    schema: String,
    /// Print the plan and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Apply without asking for confirmation.
    #[arg(long)]
    yes: bool,
    /// Accept a plan that drops entities or fields (and their data).
    #[arg(long)]
    allow_destructive: bool,
    /// Seconds to wait for the server.
    #[arg(long, default_value_t = 10)]
    connect_timeout: u64,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let design = super::load(&args.design)?;
    let url = url_from(args.url.as_deref()).map_err(Failure::input)?;
    let target = Target::parse(&url).map_err(Failure::input)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(apply(&args, &target, &design))
}

async fn apply(args: &Args, target: &Target, design: &Design) -> Result<(), Failure> {
    let timeout = Duration::from_secs(args.connect_timeout.max(1));
    let options = PlanOptions {
        allow_destructive: args.allow_destructive,
        concurrently: false,
        not_valid: false,
    };
    let mut reader = target.connect(timeout).await.map_err(Failure::input)?;
    let title = format!("{} -> {}", target.describe(), args.design.display());
    if args.dry_run {
        let plan = planned(&mut reader, &args.schema, design, options).await?;
        print!("{}", words(&plan, &title));
        if let Some(refusal) = plan.refusal() {
            return Err(Failure::found(refusal));
        }
        if !plan.is_empty() {
            println!("\nDry run: nothing was changed.");
        }
        return Ok(());
    }

    let mut writer = target.connect(timeout).await.map_err(Failure::input)?;
    let tx = writer.transaction().await.map_err(database)?;
    lock(&tx, &args.schema).await.map_err(database)?;
    let plan = planned(&mut reader, &args.schema, design, options).await?;
    print!("{}", words(&plan, &title));
    if plan.is_empty() {
        return Ok(());
    }
    if let Some(refusal) = plan.refusal() {
        return Err(Failure::found(refusal));
    }
    confirm(args.yes, plan.len(), &target.describe())?;

    // New enum values must commit before a statement may use them, so they
    // go first in a transaction of their own.
    let mut tx = tx;
    let mut plan = plan;
    if !plan.before.is_empty() {
        let before: Vec<&Step> = plan.before.iter().collect();
        execute(&tx, &before).await.map_err(failed)?;
        tx.commit().await.map_err(database)?;
        println!("Committed {} new enum value(s) first.", before.len());
        tx = writer.transaction().await.map_err(database)?;
        lock(&tx, &args.schema).await.map_err(database)?;
        let again = planned(&mut reader, &args.schema, design, options).await?;
        if !again.before.is_empty() || again.body != plan.body || again.after != plan.after {
            return Err(Failure::found(
                "the schema changed while applying; nothing after the new enum values was \
                 applied; run plinth apply again",
            ));
        }
        plan = again;
    }
    let steps: Vec<&Step> = plan.body.iter().chain(&plan.after).collect();
    execute(&tx, &steps).await.map_err(failed)?;
    tx.commit().await.map_err(database)?;
    println!(
        "Applied {} statement(s) to {}.",
        plan.len(),
        target.describe()
    );
    Ok(())
}

/// Inspects the schema and plans the migration from it to the design.
async fn planned(
    client: &mut Client,
    schema: &str,
    design: &Design,
    options: PlanOptions,
) -> Result<Plan, Failure> {
    let inspection = inspect(client, schema).await.map_err(Failure::input)?;
    let mut live = align_ids(&inspection.design, design);
    settle_expressions(client, schema, &mut live, design)
        .await
        .map_err(database)?;
    Ok(plan(&live, design, options))
}

/// Asks on the terminal unless `--yes`; refuses when nobody can answer.
fn confirm(yes: bool, count: usize, target: &str) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::found(
            "not applying: standard input is not a terminal to confirm on; pass --yes to apply \
             without asking",
        ));
    }
    eprint!("\nApply these {count} statement(s) to {target}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::found(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
        Ok(())
    } else {
        Err(Failure::found("not applied: nothing was changed"))
    }
}

fn database(e: tokio_postgres::Error) -> Failure {
    let message = match e.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => e.to_string(),
    };
    Failure::found(format!(
        "the database failed: {message}; nothing was applied"
    ))
}

fn failed(e: crate::db::StepFailure) -> Failure {
    Failure::found(format!(
        "applying failed and everything was rolled back\n{e}"
    ))
}

/// The plan in words: the changes, the statements that will run, and the
/// safety findings with their hints.
fn words(plan: &Plan, title: &str) -> String {
    let mut out = format!("Apply {title}\n");
    if plan.is_empty() {
        out.push_str("Nothing to do: the database already matches the design.\n");
        return out;
    }
    out.push_str("Changes:\n");
    for change in &plan.changes {
        let _ = writeln!(out, "  - {change}");
    }
    out.push_str("\nStatements:\n");
    let width = plan.len().to_string().len();
    for (i, step) in plan.steps().enumerate() {
        let sql = step
            .to_string()
            .replace('\n', &format!("\n  {:width$}  ", ""));
        let _ = writeln!(out, "  {:>width$}. {sql}", i + 1);
    }
    super::diff::write_findings(&mut out, &plan.findings);
    out
}
