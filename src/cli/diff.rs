use std::fmt::Write;
use std::path::PathBuf;

use super::Failure;
use crate::core::diff::{Plan, PlanOptions, SafetyFinding, plan};
use crate::core::model::Design;
use crate::db::{DEFAULT_CONNECT_TIMEOUT, Target, live_design};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design the database has now: a design file, or a live schema
    /// as a `postgres://` URL (read from `--schema`).
    old: String,
    /// The design to migrate it to: a file or a `postgres://` URL.
    new: String,
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
    /// `human` (the plan in words, or the scripts with --sql/--down), or
    /// `json`: the changes, the up and down statements and the findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
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

/// One side of a diff: a design file or a live schema.
enum Side {
    File(PathBuf),
    Live(Box<Target>),
}

impl Side {
    fn of(arg: &str) -> Result<Side, Failure> {
        if arg.starts_with("postgres://") || arg.starts_with("postgresql://") {
            Ok(Side::Live(Box::new(
                Target::parse(arg).map_err(Failure::input)?,
            )))
        } else {
            Ok(Side::File(PathBuf::from(arg)))
        }
    }

    /// What the side is called in titles: the file, or where the schema
    /// is (never the password).
    fn title(&self, schema: &str) -> String {
        match self {
            Side::File(p) => p.display().to_string(),
            Side::Live(t) => format!("{} (schema {schema})", t.describe()),
        }
    }
}

/// Both sides as designs. A live schema is read as `apply` reads it
/// against the other side when that is a file (aligned with what plinth
/// last applied there, expressions in the file's spelling where PostgreSQL
/// reads them the same), and as inspected when both sides are live.
fn designs(old: &Side, new: &Side, schema: &str) -> Result<(Design, Design), Failure> {
    let live = |target: &Target, against: Option<&Design>| -> Result<Design, Failure> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
        runtime.block_on(async {
            let mut client = target
                .connect(DEFAULT_CONNECT_TIMEOUT)
                .await
                .map_err(Failure::input)?;
            match against {
                Some(design) => live_design(&mut client, schema, design)
                    .await
                    .map_err(Failure::input),
                None => crate::db::record::inspect_with_ids(&mut client, schema)
                    .await
                    .map(|i| i.design)
                    .map_err(Failure::input),
            }
        })
    };
    Ok(match (old, new) {
        // One after the other: each load reads on every core already, and
        // the first file's text is freed before the second is read. The
        // second holds the first's copy of every entity the two share.
        (Side::File(a), Side::File(b)) => {
            let a = super::load(a)?;
            let b = crate::file::load_like(b, &a).map_err(Failure::input)?;
            (a, b)
        }
        (Side::File(a), Side::Live(b)) => {
            let a = super::load(a)?;
            let b = live(b, Some(&a))?;
            (a, b)
        }
        (Side::Live(a), Side::File(b)) => {
            let b = super::load(b)?;
            (live(a, Some(&b))?, b)
        }
        (Side::Live(a), Side::Live(b)) => (live(a, None)?, live(b, None)?),
    })
}

pub fn run(args: Args) -> Result<(), Failure> {
    let schema = &args.schema.schema;
    let (old_side, new_side) = (Side::of(&args.old)?, Side::of(&args.new)?);
    let (old, new) = designs(&old_side, &new_side, schema)?;
    let options = args.plan.options();
    // The way back is planned only when it is shown; then the two
    // directions, independent, are planned on two cores.
    let (up, down) = if args.down || args.format == Format::Json {
        std::thread::scope(|scope| {
            let down = scope.spawn(|| plan(&new, &old, options));
            let up = plan(&old, &new, options);
            (up, Some(down.join().expect("planning does not panic")))
        })
    } else {
        (plan(&old, &new, options), None)
    };
    let (from, to) = (old_side.title(schema), new_side.title(schema));
    if let (Format::Json, Some(down)) = (args.format, &down) {
        println!("{}", json(&up, down, &from, &to, schema));
        return match up.refusal() {
            Some(refusal) => Err(Failure::found(refusal)),
            None => Ok(()),
        };
    }
    if !args.sql && !args.down {
        print!("{}", words(&up, &format!("{from} -> {to}")));
    }
    if let Some(refusal) = up.refusal() {
        return Err(Failure::found(refusal));
    }
    if args.sql {
        print!("{}", up.script(&format!("Up: {from} -> {to}"), schema));
    }
    if let Some(down) = &down {
        if args.sql {
            println!();
        }
        print!("{}", down.script(&format!("Down: {to} -> {from}"), schema));
    }
    Ok(())
}

/// The migration as JSON, version 1: each side's changes in words, the
/// statements in the order they run (with whether each runs outside the
/// transaction), and the safety findings.
fn json(up: &Plan, down: &Plan, from: &str, to: &str, schema: &str) -> String {
    use crate::core::sql::Sql;
    let side = |plan: &Plan| {
        serde_json::json!({
            "changes": plan.changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "transactional": plan.transactional(),
            "statements": plan.steps().map(|s| s.sql(schema)).collect::<Vec<_>>(),
            "findings": plan.findings.iter().map(|f| serde_json::json!({
                "rule": f.rule.id(),
                "severity": f.severity.as_str(),
                "message": f.message,
                "hint": f.hint,
            })).collect::<Vec<_>>(),
            "refusal": plan.refusal(),
        })
    };
    let value = serde_json::json!({
        "version": 1,
        "from": from,
        "to": to,
        "schema": schema,
        "up": side(up),
        "down": side(down),
    });
    serde_json::to_string_pretty(&value).expect("JSON values print")
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
