//! `plinth migrate`: migration files from the difference between a design
//! and the design as of the last migration.
//!
//! The design of the last migration is kept as a snapshot beside the
//! migrations (`.plinth/snapshot.ron`, a design file like any other), with
//! the id of the last migration in `.plinth/head`, so no database is needed
//! to write the next one.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::Failure;
use crate::core::diff::{Migration, migration};
use crate::core::export::alembic::{self, RevisionInfo};
use crate::core::export::naming::{self, Timestamp};
use crate::core::model::Design;
use crate::file::{to_text, write_atomically};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Set up migrations: for alembic, alembic.ini and alembic/env.py (which
    /// reads DATABASE_URL) and script.py.mako; for sql, the directory.
    Init(InitArgs),
    /// Write the next migration: the difference between DESIGN and the
    /// design as of the last migration.
    New(NewArgs),
    /// Apply the pending `.up.sql` files to a database, in version order,
    /// recording each in its `plinth_migrations` table.
    Up(super::migrate_db::DbArgs),
    /// Revert the last applied migration with its `.down.sql`.
    Down(super::migrate_db::DbArgs),
    /// List applied, pending and changed migrations, and the drift between
    /// the database and the design (by default the snapshot design).
    Status(super::migrate_db::StatusArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// <timestamp>_<slug>.up.sql and .down.sql (sqlx, dbmate, golang-migrate).
    Sql,
    /// alembic/versions/<revision>_<slug>.py.
    Alembic,
}

#[derive(Debug, clap::Args)]
struct InitArgs {
    #[arg(long, value_enum, default_value_t = Format::Sql)]
    format: Format,
    /// For sql, the migrations directory (default: migrations); for
    /// alembic, the project directory that gets alembic.ini and alembic/
    /// (default: the current directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct NewArgs {
    /// The design file, as it should be after the migration.
    design: PathBuf,
    /// What the migration does; it names the files.
    #[arg(short, long)]
    message: String,
    #[arg(long, value_enum, default_value_t = Format::Sql)]
    format: Format,
    /// For sql, the migrations directory (default: migrations); for
    /// alembic, the directory holding alembic.ini (default: the current
    /// directory).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The UTC time to name and date the migration by, YYYYMMDDHHMMSS,
    /// instead of now (for reproducible output).
    #[arg(long)]
    timestamp: Option<String>,
    /// The Alembic revision id, instead of a random one.
    #[arg(long)]
    revision: Option<String>,
    #[command(flatten)]
    plan: super::diff::PlanFlags,
    #[command(flatten)]
    schema: super::SchemaArg,
}

pub fn run(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::Init(args) => init(args),
        Command::New(args) => new(args),
        Command::Up(args) => super::migrate_db::up(args),
        Command::Down(args) => super::migrate_db::down(args),
        Command::Status(args) => super::migrate_db::status(args),
    }
}

/// Where a format keeps its migrations and plinth's state.
struct Layout {
    format: Format,
    root: PathBuf,
    versions: PathBuf,
    state: PathBuf,
}

impl Layout {
    fn new(format: Format, dir: Option<PathBuf>) -> Self {
        match format {
            Format::Sql => {
                let root = dir.unwrap_or_else(|| PathBuf::from("migrations"));
                Layout {
                    format,
                    versions: root.clone(),
                    state: root.join(".plinth"),
                    root,
                }
            }
            Format::Alembic => {
                let root = dir.unwrap_or_else(|| PathBuf::from("."));
                Layout {
                    format,
                    versions: root.join("alembic").join("versions"),
                    state: root.join("alembic").join(".plinth"),
                    root,
                }
            }
        }
    }

    fn snapshot(&self) -> PathBuf {
        self.state.join("snapshot.ron")
    }

    fn head(&self) -> PathBuf {
        self.state.join("head")
    }

    /// The migration files already written.
    fn migrations(&self) -> Result<Vec<String>, Failure> {
        let entries = match fs::read_dir(&self.versions) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_failure(&self.versions, e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| match self.format {
                Format::Sql => naming::sql_version(name).is_some(),
                Format::Alembic => name.ends_with(".py"),
            })
            .collect();
        names.sort();
        Ok(names)
    }
}

fn io_failure(path: &Path, e: std::io::Error) -> Failure {
    Failure::input(format!("{}: {e}", path.display()))
}

fn write_new(path: &Path, text: &str) -> Result<(), Failure> {
    if path.exists() {
        return Err(Failure::input(format!(
            "{} exists already; plinth never overwrites a migration",
            path.display()
        )));
    }
    write_atomically(path, text).map_err(|e| io_failure(path, e))?;
    Ok(())
}

fn init(args: InitArgs) -> Result<(), Failure> {
    let layout = Layout::new(args.format, args.dir);
    fs::create_dir_all(&layout.versions).map_err(|e| io_failure(&layout.versions, e))?;
    if layout.format == Format::Sql {
        println!(
            "Migrations go in {}; `plinth migrate new DESIGN -m MESSAGE --dir {}` writes the next one.",
            layout.root.display(),
            layout.root.display()
        );
        return Ok(());
    }
    let scripts = layout.root.join("alembic");
    let files = [
        (layout.root.join("alembic.ini"), alembic::ALEMBIC_INI),
        (scripts.join("env.py"), alembic::ENV_PY),
        (scripts.join("script.py.mako"), alembic::SCRIPT_MAKO),
        (scripts.join("README"), alembic::README),
    ];
    for (path, text) in files {
        if path.exists() {
            println!("kept {} (exists)", path.display());
        } else {
            write_atomically(&path, text).map_err(|e| io_failure(&path, e))?;
            println!("wrote {}", path.display());
        }
    }
    println!(
        "Next: `plinth migrate new DESIGN -m MESSAGE --format alembic{}`, then \
         `DATABASE_URL=postgresql://... alembic upgrade head`.",
        match layout.root.to_str() {
            Some(".") => String::new(),
            _ => format!(" --dir {}", layout.root.display()),
        }
    );
    Ok(())
}

/// Loads the design and makes sure every item has a stable id: without
/// ids, each load invents new ones and every item would look replaced.
fn load_with_ids(path: &Path) -> Result<Design, Failure> {
    let design = super::load(path)?;
    if super::load(path)? != design {
        return Err(Failure::input(format!(
            "{}: some items have no id, so renames cannot be told from drops; \
             run `plinth fmt {}` first to give them ids",
            path.display(),
            path.display()
        )));
    }
    Ok(design)
}

fn now() -> Timestamp {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix(seconds)
}

fn new(args: NewArgs) -> Result<(), Failure> {
    if args.revision.is_some() && args.format != Format::Alembic {
        return Err(Failure::input(
            "--revision applies to --format alembic only",
        ));
    }
    let design = load_with_ids(&args.design)?;
    let layout = Layout::new(args.format, args.dir.clone());
    if layout.format == Format::Alembic && !layout.root.join("alembic").join("env.py").exists() {
        return Err(Failure::input(format!(
            "no Alembic project in {} (alembic/env.py is missing); run `plinth migrate init --format alembic{}` first",
            layout.root.display(),
            match &args.dir {
                Some(dir) => format!(" --dir {}", dir.display()),
                None => String::new(),
            }
        )));
    }
    let existing = layout.migrations()?;
    let snapshot = layout.snapshot();
    let previous = if snapshot.exists() {
        Some(super::load(&snapshot)?)
    } else if !existing.is_empty() {
        return Err(Failure::input(format!(
            "{} holds migrations but no snapshot of the design they lead to ({}); \
             plinth cannot tell what changed since",
            layout.versions.display(),
            snapshot.display()
        )));
    } else {
        None
    };
    let timestamp = match &args.timestamp {
        Some(text) => Some(Timestamp::parse(text).map_err(Failure::input)?),
        None => None,
    };
    let revision = match &args.revision {
        Some(id) if !naming::is_valid_revision(id) => {
            return Err(Failure::input(format!(
                "revision id `{id}` may hold only ASCII letters, digits and underscores (at most 32)"
            )));
        }
        Some(id) => id.clone(),
        None => naming::revision_id(fastrand::u64(..)),
    };

    let old = previous
        .clone()
        .unwrap_or_else(|| Design::new(design.name.clone()));
    let options = args.plan.options();
    let m = migration(&old, &design, options);
    if m.up.is_empty() {
        println!(
            "Nothing to migrate: {} describes the same schema as the last migration.",
            args.design.display()
        );
        return Ok(());
    }
    if let Some(refusal) = m.up.refusal() {
        print!("{}", summary(&m));
        return Err(Failure::found(refusal));
    }

    let slug = naming::slug(&args.message);
    let mut written = Vec::new();
    match layout.format {
        Format::Sql => {
            let last = existing.iter().filter_map(|n| naming::sql_version(n)).max();
            let version = match (timestamp, last) {
                (Some(t), Some(last)) if t <= last => {
                    return Err(Failure::input(format!(
                        "--timestamp {t} is not after the last migration ({last}); \
                         migrations apply in the order of their names"
                    )));
                }
                (Some(t), _) => t,
                (None, Some(last)) if now() <= last => last.next(),
                (None, _) => now(),
            };
            fs::create_dir_all(&layout.versions).map_err(|e| io_failure(&layout.versions, e))?;
            let (up, down) = naming::sql_file_names(version, &slug);
            let message = args.message.trim();
            let up_path = layout.versions.join(&up);
            let down_path = layout.versions.join(&down);
            write_new(
                &up_path,
                &m.up.script(
                    &format!("Up {version}_{slug}: {message}"),
                    &args.schema.schema,
                ),
            )?;
            write_new(
                &down_path,
                &m.down.script(
                    &format!("Down {version}_{slug}: undoes {message}"),
                    &args.schema.schema,
                ),
            )?;
            written.push(up_path);
            written.push(down_path);
            save_state(&layout, &design, &format!("{version}_{slug}"))?;
        }
        Format::Alembic => {
            if existing
                .iter()
                .any(|n| n.starts_with(&format!("{revision}_")))
            {
                return Err(Failure::input(format!(
                    "revision {revision} exists already in {}",
                    layout.versions.display()
                )));
            }
            let down_revision = match previous {
                None => None,
                Some(_) => Some(read_head(&layout)?),
            };
            let info = RevisionInfo {
                revision: &revision,
                down_revision: down_revision.as_deref(),
                message: args.message.trim(),
                created: timestamp.unwrap_or_else(now),
                design: &args.design.display().to_string(),
                schema: &args.schema.schema,
            };
            let text = alembic::revision(&old, &design, &m, &info);
            fs::create_dir_all(&layout.versions).map_err(|e| io_failure(&layout.versions, e))?;
            let path = layout
                .versions
                .join(naming::alembic_file_name(&revision, &slug));
            write_new(&path, &text)?;
            written.push(path);
            save_state(&layout, &design, &revision)?;
        }
    }
    for path in &written {
        println!("wrote {}", path.display());
    }
    println!("updated {}", layout.snapshot().display());
    print!("{}", summary(&m));
    Ok(())
}

fn read_head(layout: &Layout) -> Result<String, Failure> {
    let path = layout.head();
    let text = fs::read_to_string(&path).map_err(|e| io_failure(&path, e))?;
    let head = text.trim().to_owned();
    if !naming::is_valid_revision(&head) {
        return Err(Failure::input(format!(
            "{}: `{head}` is not a revision id",
            path.display()
        )));
    }
    Ok(head)
}

/// The snapshot (the design as of this migration) and the migration's id.
fn save_state(layout: &Layout, design: &Design, head: &str) -> Result<(), Failure> {
    fs::create_dir_all(&layout.state).map_err(|e| io_failure(&layout.state, e))?;
    let snapshot = layout.snapshot();
    write_atomically(&snapshot, &to_text(design)).map_err(|e| io_failure(&snapshot, e))?;
    let head_path = layout.head();
    write_atomically(&head_path, &format!("{head}\n")).map_err(|e| io_failure(&head_path, e))?;
    Ok(())
}

/// What the migration changes and its safety findings, as `plinth diff`
/// shows them.
fn summary(m: &Migration) -> String {
    let mut out = String::from("\nChanges:\n");
    for change in &m.up.changes {
        let _ = writeln!(out, "  - {change}");
    }
    if !m.up.transactional() {
        out.push_str("\nThe up migration runs CREATE INDEX CONCURRENTLY outside a transaction.\n");
    }
    super::diff::write_findings(&mut out, &m.up.findings);
    out
}
