use std::fmt::Write;
use std::path::PathBuf;

use super::Failure;
use crate::core::diff::{Plan, PlanOptions, SafetyFinding, migration};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design the database has now.
    old: PathBuf,
    /// The design to migrate it to.
    new: PathBuf,
    /// Print the up script (PostgreSQL) instead of the plan in words.
    #[arg(long)]
    sql: bool,
    /// Print the down script, which takes the database back to OLD.
    #[arg(long)]
    down: bool,
    #[command(flatten)]
    plan: PlanFlags,
    #[command(flatten)]
    schema: super::SchemaArg,
}

/// The plan options every command that writes a migration takes.
#[derive(Debug, clap::Args)]
pub struct PlanFlags {
    /// Accept a plan that drops entities or fields (and their data).
    #[arg(long)]
    allow_destructive: bool,
    /// Build indexes on existing tables with CREATE INDEX CONCURRENTLY; those
    /// statements then run outside a transaction.
    #[arg(long)]
    concurrently: bool,
    /// Add foreign keys to existing tables NOT VALID and validate them
    /// after the commit.
    #[arg(long)]
    not_valid: bool,
}

impl PlanFlags {
    pub fn options(&self) -> PlanOptions {
        PlanOptions {
            allow_destructive: self.allow_destructive,
            concurrently: self.concurrently,
            not_valid: self.not_valid,
        }
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let old = super::load(&args.old)?;
    let new = super::load(&args.new)?;
    let options = args.plan.options();
    let m = migration(&old, &new, options);
    let (from, to) = (args.old.display(), args.new.display());
    if !args.sql && !args.down {
        print!("{}", words(&m.up, &format!("{from} -> {to}")));
    }
    if let Some(refusal) = m.up.refusal() {
        return Err(Failure::found(refusal));
    }
    if args.sql {
        let schema = &args.schema.schema;
        print!("{}", m.up.script(&format!("Up: {from} -> {to}"), schema));
    }
    if args.down {
        if args.sql {
            println!();
        }
        let schema = &args.schema.schema;
        print!(
            "{}",
            m.down.script(&format!("Down: {to} -> {from}"), schema)
        );
    }
    Ok(())
}

/// The plan in plain words: what changes, the statements in order, and
/// the safety findings with their hints.
fn words(plan: &Plan, title: &str) -> String {
    let mut out = format!("Migration {title}\n");
    if plan.is_empty() {
        out.push_str("No changes: both designs describe the same schema.\n");
        return out;
    }
    let statements = match plan.len() {
        1 => "1 statement".to_owned(),
        n => format!("{n} statements"),
    };
    let how = if plan.transactional() {
        "in one transaction"
    } else {
        "without a transaction"
    };
    let _ = writeln!(
        out,
        "{statements} {how}; --sql prints the script, --down the one that undoes it.\n"
    );
    out.push_str("Changes:\n");
    for change in &plan.changes {
        let _ = writeln!(out, "  - {change}");
    }
    out.push_str("\nSteps:\n");
    let width = plan.len().to_string().len();
    for (i, step) in plan.steps().enumerate() {
        let _ = writeln!(out, "  {:>width$}. {}", i + 1, step.describe());
    }
    write_findings(&mut out, &plan.findings);
    out
}

/// The plan's safety findings under a "Safety:" heading, one with its hint
/// per entry; `plinth diff`, `migrate new` and `apply` all print them so.
pub(super) fn write_findings(out: &mut String, findings: &[SafetyFinding]) {
    if findings.is_empty() {
        return;
    }
    out.push_str("\nSafety:\n");
    for f in findings {
        let _ = writeln!(
            out,
            "  {:<7}  {}: {}\n           hint: {}",
            f.severity.as_str(),
            f.rule,
            f.message,
            f.hint
        );
    }
}
