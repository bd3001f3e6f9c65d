//! `plinth apply`: migrate a live schema to a design, in one transaction
//! under the schema's advisory lock (see [`crate::db::apply`]).

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use super::Failure;
use super::waiting::{LockTimeout, Notes};
use crate::core::diff::{Plan, PlanOptions, Step};
use crate::core::model::Design;
use crate::core::sql::Sql;
use crate::db::wait::{Wait, Watch, attach};
use crate::db::{
    ApplyError, InspectError, Kind, Observer, Outcome, Target, apply, plan_live, url_from,
};

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
    #[command(flatten)]
    lock_timeout: LockTimeout,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let design = super::load(&args.design)?;
    let url = url_from(args.url.as_deref()).map_err(Failure::input)?;
    let target = Target::parse(&url)
        .map_err(Failure::input)?
        .with_lock_timeout(args.lock_timeout.given());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(run_on(&args, &target, &design))
}

async fn run_on(args: &Args, target: &Target, design: &Design) -> Result<(), Failure> {
    let timeout = Duration::from_secs(args.connect_timeout.max(1));
    let options = PlanOptions {
        allow_destructive: args.allow_destructive,
        concurrently: false,
        not_valid: false,
    };
    let mut session = target
        .open(Kind::Own, timeout)
        .await
        .map_err(Failure::input)?;
    let watch = Watch::new(target, &session);
    let mut notes = Notes::new();
    let title = format!("{} -> {}", target.describe(), args.design.display());
    if args.dry_run {
        let work = plan_live(&mut session.client, &args.schema, design, options);
        let (plan, wait) = watch.run(work, |w| notes.hear(w)).await;
        let plan = plan.map_err(|e| failure(waited(e, wait.as_ref())))?;
        print!("{}", words(&plan, &title, &args.schema));
        if let Some(refusal) = plan.refusal() {
            return Err(Failure::found(refusal));
        }
        if !plan.is_empty() {
            println!("\nDry run: nothing was changed.");
        }
        return Ok(());
    }

    let mut prompt = Prompt {
        args,
        title: &title,
        target: target.describe(),
        progress: std::io::stderr().is_terminal(),
    };
    let work = apply(
        &mut session.client,
        &args.schema,
        design,
        options,
        &mut prompt,
    );
    let (outcome, wait) = watch.run(work, |w| notes.hear(w)).await;
    let outcome = outcome.map_err(|e| waited(e, wait.as_ref()));
    if let Err(ApplyError::Refused { plan, .. }) = &outcome {
        print!("{}", words(plan, &title, &args.schema));
    }
    match outcome.map_err(failure)? {
        Outcome::NothingToDo => print!("{}", nothing_to_do(&title)),
        Outcome::Applied(plan) => {
            if !plan.before.is_empty() {
                println!("Committed {} new enum value(s) first.", plan.before.len());
            }
            println!(
                "Applied {} statement(s) to {}.",
                plan.len(),
                target.describe()
            );
        }
    }
    Ok(())
}

/// The command line's side of an apply: the plan printed, a question on
/// the terminal, and on a terminal the statement being run.
struct Prompt<'a> {
    args: &'a Args,
    title: &'a str,
    target: String,
    /// Standard error is a terminal: show which statement is running.
    progress: bool,
}

impl Observer for Prompt<'_> {
    fn waiting(&mut self, holder: &str) {
        eprintln!(
            "Waiting for another plinth run on schema `{}` to finish ({holder})...",
            self.args.schema
        );
    }

    fn approve(&mut self, plan: &Plan) -> Result<(), ApplyError> {
        print!("{}", words(plan, self.title, &self.args.schema));
        confirm(self.args.yes, plan.len(), &self.target)
    }

    fn running(&mut self, number: usize, total: usize, step: &Step) {
        if self.progress {
            // One line, overwritten by the next; cleared by the summary.
            let what = step.describe();
            eprint!("\r\x1b[2K[{number}/{total}] {what}");
            if number == total {
                eprint!("\r\x1b[2K");
            }
            let _ = std::io::stderr().flush();
        }
    }
}

/// Asks on the terminal unless `--yes`; declines when nobody can answer.
fn confirm(yes: bool, count: usize, target: &str) -> Result<(), ApplyError> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(ApplyError::Declined(
            "not applying: standard input is not a terminal to confirm on; pass --yes to apply \
             without asking"
                .into(),
        ));
    }
    eprint!("\nApply these {count} statement(s) to {target}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| ApplyError::Declined(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
        Ok(())
    } else {
        Err(ApplyError::Declined(
            "not applied: nothing was changed".into(),
        ))
    }
}

/// The error, naming the lock it was waiting for when that stopped it.
pub(super) fn waited(mut e: ApplyError, wait: Option<&Wait>) -> ApplyError {
    if let Some(db) = e.db_error_mut() {
        attach(db, wait);
    }
    e
}

/// An apply that stopped, with the exit code of its kind: 2 for input the
/// database refused to read (no such schema), 1 for the rest.
pub(super) fn failure(e: ApplyError) -> Failure {
    match e {
        ApplyError::Inspect(InspectError::NoSchema(_)) => Failure::input(e),
        _ => Failure::found(e),
    }
}

/// The plan in words: the changes, the statements that will run, and the
/// safety findings with their hints.
fn words(plan: &Plan, title: &str, schema: &str) -> String {
    if plan.is_empty() {
        return nothing_to_do(title);
    }
    let mut out = format!("Apply {title}\n");
    out.push_str("Changes:\n");
    for change in &plan.changes {
        let _ = writeln!(out, "  - {change}");
    }
    out.push_str("\nStatements:\n");
    let width = plan.len().to_string().len();
    for (i, step) in plan.steps().enumerate() {
        let sql = step
            .sql(schema)
            .replace('\n', &format!("\n  {:width$}  ", ""));
        let _ = writeln!(out, "  {:>width$}. {sql}", i + 1);
    }
    super::diff::write_findings(&mut out, &plan.findings);
    out
}

fn nothing_to_do(title: &str) -> String {
    format!("Apply {title}\nNothing to do: the database already matches the design.\n")
}
