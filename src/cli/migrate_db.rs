//! `plinth migrate up|down|status`: SQL migration files on a server, with
//! their history in the `plinth_migrations` table.
//!
//! Files run as `psql -f` runs them (split by [`crate::core::sql::script`]);
//! one that cannot be split is refused with its line and column before
//! anything runs. `up` records the checksums of both the up and the down
//! file, and `down` refuses a down file that changed since.
//!
//! `up` and `down` hold a session advisory lock on the schema (the same
//! key as `plinth apply`), so two runs never interleave; the history is
//! read after the lock is taken, so the second run sees what the first did.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio_postgres::Client;

use super::Failure;
use super::waiting::{LockTimeout, Notes};
use crate::core::diff::diff;
use crate::core::export::naming;
use crate::core::sql::script::{self, StandardStrings};
use crate::db::error::DbError;
use crate::db::history::{self, Applied, DownFile, Record, RunError};
use crate::db::lock::{lock, unlock};
use crate::db::wait::{Wait, Watch, seconds};
use crate::db::{Kind, Target, checksum, live_design, url_from};

/// Where the migrations are and which database to run them on.
#[derive(Debug, clap::Args)]
pub struct DbArgs {
    /// The connection string (libpq `key=value` or `postgresql://` URL);
    /// defaults to `DATABASE_URL`.
    #[arg(long)]
    url: Option<String>,
    /// The migrations directory.
    #[arg(long, default_value = "migrations")]
    dir: PathBuf,
    /// The schema to lock and to check for drift.
    #[arg(long, default_value = "public")]
    schema: String,
    /// Seconds to wait for the server.
    #[arg(long, default_value_t = 10)]
    connect_timeout: u64,
    #[command(flatten)]
    lock_timeout: LockTimeout,
}

/// `status`: the database arguments, and what to check drift against.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Check drift against this design instead of the snapshot of the
    /// design as of the last migration (`DIR/.plinth/snapshot.ron`).
    #[arg(long)]
    design: Option<PathBuf>,
}

#[derive(Clone, Copy)]
enum Action {
    Up,
    Down,
    Status,
}

pub fn up(args: DbArgs) -> Result<(), Failure> {
    run(args, None, Action::Up)
}

pub fn down(args: DbArgs) -> Result<(), Failure> {
    run(args, None, Action::Down)
}

pub fn status(args: StatusArgs) -> Result<(), Failure> {
    run(args.db, args.design, Action::Status)
}

fn run(args: DbArgs, design: Option<PathBuf>, action: Action) -> Result<(), Failure> {
    let files = read_dir(&args.dir)?;
    let url = url_from(args.url.as_deref()).map_err(Failure::input)?;
    let target = Target::parse(&url)
        .map_err(Failure::input)?
        .with_lock_timeout(args.lock_timeout.given());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let timeout = Duration::from_secs(args.connect_timeout.max(1));
        // Files run as psql runs them, with the server's settings; the
        // drift check is plinth's own reading.
        let kind = match action {
            Action::Up | Action::Down => Kind::Scripts,
            Action::Status => Kind::Own,
        };
        let mut session = target.open(kind, timeout).await.map_err(Failure::input)?;
        let watch = Watch::new(&target, &session);
        let mut notes = Notes::new();
        let client = &mut session.client;
        let (result, wait) = match action {
            Action::Up => {
                let work = locked(
                    client,
                    &args.schema,
                    up_locked(client, &args.schema, &args.dir, &files),
                );
                watch.run(work, |w| notes.hear(w)).await
            }
            Action::Down => {
                let work = locked(
                    client,
                    &args.schema,
                    down_locked(client, &args.schema, &files),
                );
                watch.run(work, |w| notes.hear(w)).await
            }
            Action::Status => {
                let work = status_of(client, &args, design, &files);
                watch.run(work, |w| notes.hear(w)).await
            }
        };
        result.map_err(|f| waited(f, wait.as_ref()))
    })
}

/// A failure that ended while a statement waited for a lock, with the
/// lock and who held it.
fn waited(mut failure: Failure, wait: Option<&Wait>) -> Failure {
    if let Some(wait) = wait {
        failure.message += &format!("\n  waiting: {} for {wait}", seconds(wait.waited));
    }
    failure
}

/// One migration's files in the directory.
#[derive(Default)]
struct Files {
    /// `<version>_<slug>` of the up file.
    name: Option<String>,
    up: Option<PathBuf>,
    down: Option<PathBuf>,
}

/// The migrations of `dir` by version (the timestamp the names start with).
fn read_dir(dir: &Path) -> Result<BTreeMap<String, Files>, Failure> {
    let entries =
        fs::read_dir(dir).map_err(|e| Failure::input(format!("{}: {e}", dir.display())))?;
    let mut out: BTreeMap<String, Files> = BTreeMap::new();
    for entry in entries.filter_map(Result::ok) {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(version) = naming::sql_version(&file) else {
            continue;
        };
        let slot = out.entry(version.to_string()).or_default();
        if let Some(stem) = file.strip_suffix(".up.sql") {
            slot.name = Some(stem.to_owned());
            slot.up = Some(entry.path());
        } else {
            slot.down = Some(entry.path());
        }
    }
    Ok(out)
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    fs::read(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))
}

fn text(path: &Path, bytes: Vec<u8>) -> Result<String, Failure> {
    String::from_utf8(bytes)
        .map_err(|_| Failure::input(format!("{}: not UTF-8 text", path.display())))
}

/// Runs `work` under the schema's advisory lock, releasing it after.
async fn locked(
    client: &Client,
    schema: &str,
    work: impl Future<Output = Result<(), Failure>>,
) -> Result<(), Failure> {
    lock(client, schema, |holder| {
        eprintln!("Waiting for another plinth run on schema `{schema}` to finish ({holder})...");
    })
    .await
    .map_err(|e| Failure::found(format!("{e}\nNothing was run.")))?;
    let result = work.await;
    let _ = unlock(client, schema).await;
    result
}

/// Refuses a file psql could not split either, naming its place; the
/// statements themselves are split again when the file runs. A file that
/// names `standard_conforming_strings` may change how its own rest splits
/// (psql follows the server's setting, and so does `run_file`), so it is
/// only checked as it runs.
fn check_splits(
    path: &Path,
    sql: &str,
    strings: StandardStrings,
    then: &str,
) -> Result<(), Failure> {
    if sql
        .to_ascii_lowercase()
        .contains("standard_conforming_strings")
    {
        return Ok(());
    }
    script::split(sql, strings)
        .map(|_| ())
        .map_err(|e| Failure::input(format!("{}:{e}\n{then}", path.display())))
}

async fn up_locked(
    client: &Client,
    schema: &str,
    dir: &Path,
    files: &BTreeMap<String, Files>,
) -> Result<(), Failure> {
    history::ensure_table(client, schema)
        .await
        .map_err(database)?;
    let applied: BTreeMap<String, Applied> = history::applied(client, schema)
        .await
        .map_err(database)?
        .into_iter()
        .map(|a| (a.version.clone(), a))
        .collect();
    let strings = history::standard_strings(client).await.map_err(database)?;
    let mut pending = Vec::new();
    for (version, f) in files {
        let Some(up) = &f.up else { continue };
        let bytes = read(up)?;
        let sum = checksum(&bytes);
        match applied.get(version) {
            Some(a) if a.checksum != sum => {
                return Err(Failure::found(format!(
                    "{} was changed after it was applied on {} (checksum {} now, {} then); \
                     nothing was applied. Put the file back and write a new migration for the \
                     change",
                    up.display(),
                    a.applied_at,
                    short(&sum),
                    short(&a.checksum)
                )));
            }
            Some(_) => {}
            None => {
                let sql = text(up, bytes)?;
                check_splits(up, &sql, strings, "Nothing was applied.")?;
                let down = match &f.down {
                    Some(path) => DownFile::Checksum(checksum(&read(path)?)),
                    None => DownFile::Missing,
                };
                pending.push((version, f, up, sql, sum, down));
            }
        }
    }
    if pending.is_empty() {
        println!(
            "Nothing to apply: all {} migration(s) are applied.",
            applied.len()
        );
        return remember_snapshot(client, schema, dir).await;
    }
    let mut done = 0;
    for (version, f, up, sql, sum, down) in pending {
        let name = f.name.clone().unwrap_or_else(|| version.clone());
        let record = Record::Insert {
            version,
            name: &name,
            checksum: &sum,
            down: &down,
        };
        let ms = history::run_file(client, schema, &sql, record)
            .await
            .map_err(|e| failed(up, &e, Some(done)))?;
        println!("applied {name} ({ms} ms)");
        done += 1;
    }
    println!("Applied {done} migration(s).");
    remember_snapshot(client, schema, dir).await
}

/// With every migration applied, the database holds the design of the
/// newest one, which `migrate new` keeps as `.plinth/snapshot.ron`: it is
/// recorded in `plinth.applied` as `apply` records what it applies, so a
/// later `apply`, `diff` or designer plan knows the ids (and so the
/// renames) of what the migrations made. Without the right to make
/// plinth's schema, or without a snapshot, nothing is recorded.
async fn remember_snapshot(client: &Client, schema: &str, dir: &Path) -> Result<(), Failure> {
    let snapshot = dir.join(".plinth").join("snapshot.ron");
    if !snapshot.exists() {
        return Ok(());
    }
    let design = super::load(&snapshot)?;
    if crate::db::record::ensure(client).await.is_err() {
        return Ok(());
    }
    crate::db::record::record(client, schema, &design)
        .await
        .map_err(database)
}

/// How a migration's down file stands against what was recorded when its
/// up file ran.
enum DownState {
    /// As recorded (or there was none and there is none).
    Same,
    /// Recorded by an older plinth that did not record down files.
    Unrecorded,
    /// The file differs from the one recorded: now and then, `None` for
    /// no file.
    Changed {
        now: Option<String>,
        then: Option<String>,
    },
}

fn down_state(applied: &Applied, file: Option<&[u8]>) -> DownState {
    let now = file.map(checksum);
    let then = match &applied.down {
        DownFile::Unrecorded => return DownState::Unrecorded,
        DownFile::Missing => None,
        DownFile::Checksum(sum) => Some(sum.clone()),
    };
    if now == then {
        DownState::Same
    } else {
        DownState::Changed { now, then }
    }
}

/// The short form of a recorded checksum, or "no file".
fn short_or_none(sum: &Option<String>) -> &str {
    sum.as_deref().map_or("no file", short)
}

async fn down_locked(
    client: &Client,
    schema: &str,
    files: &BTreeMap<String, Files>,
) -> Result<(), Failure> {
    let applied = history::applied(client, schema).await.map_err(database)?;
    let Some(last) = applied.last() else {
        println!("Nothing to revert: no migration is applied.");
        return Ok(());
    };
    let Some(down) = files.get(&last.version).and_then(|f| f.down.as_ref()) else {
        let then = match &last.down {
            DownFile::Checksum(sum) => format!(
                " (it had one, checksum {}, when it was applied)",
                short(sum)
            ),
            _ => String::new(),
        };
        return Err(Failure::found(format!(
            "cannot revert {}: its .down.sql is missing from the migrations directory{then}",
            last.name
        )));
    };
    let bytes = read(down)?;
    match down_state(last, Some(&bytes)) {
        DownState::Same => {}
        DownState::Unrecorded => println!(
            "note: {} was not checked: {} was applied by a plinth that did not record down files",
            down.display(),
            last.name
        ),
        DownState::Changed { now, then } => {
            return Err(Failure::found(format!(
                "{} was changed after {} was applied on {} (checksum {} now, {} then); nothing \
                 was reverted. Put the file back, or write a new migration that undoes it",
                down.display(),
                last.name,
                last.applied_at,
                short_or_none(&now),
                short_or_none(&then)
            )));
        }
    }
    let sql = text(down, bytes)?;
    let strings = history::standard_strings(client).await.map_err(database)?;
    check_splits(down, &sql, strings, "Nothing was reverted.")?;
    let record = Record::Delete {
        version: &last.version,
    };
    let ms = history::run_file(client, schema, &sql, record)
        .await
        .map_err(|e| failed(down, &e, None))?;
    println!("reverted {} ({ms} ms)", last.name);
    Ok(())
}

async fn status_of(
    client: &mut Client,
    args: &DbArgs,
    design: Option<PathBuf>,
    files: &BTreeMap<String, Files>,
) -> Result<(), Failure> {
    let applied: BTreeMap<String, Applied> = history::applied(client, &args.schema)
        .await
        .map_err(database)?
        .into_iter()
        .map(|a| (a.version.clone(), a))
        .collect();
    let mut versions: Vec<&String> = files
        .iter()
        .filter(|(_, f)| f.up.is_some())
        .map(|(v, _)| v)
        .chain(applied.keys())
        .collect();
    versions.sort();
    versions.dedup();

    let mut clean = true;
    println!("Migrations in {}:", args.dir.display());
    if versions.is_empty() {
        println!("  (none)");
    }
    for version in versions {
        let file = files
            .get(version)
            .and_then(|f| f.up.as_ref().map(|p| (f, p)));
        let line = match (file, applied.get(version)) {
            (Some((f, path)), Some(a)) => {
                let sum = checksum(&read(path)?);
                let name = f.name.as_deref().unwrap_or(version);
                let down_bytes = f.down.as_deref().map(read).transpose()?;
                let down = down_state(a, down_bytes.as_deref());
                let down_name = f.down.as_deref().and_then(Path::file_name).map_or_else(
                    || format!("{name}.down.sql"),
                    |n| n.to_string_lossy().into_owned(),
                );
                if sum != a.checksum {
                    clean = false;
                    let also = match down {
                        DownState::Changed { .. } => format!("; {down_name} changed too"),
                        _ => String::new(),
                    };
                    format!(
                        "changed checksum {name} (applied at {}; the file changed since{also})",
                        a.applied_at
                    )
                } else {
                    match down {
                        DownState::Same if matches!(a.down, DownFile::Missing) => {
                            format!(
                                "applied          {name} (at {}; no down file)",
                                a.applied_at
                            )
                        }
                        DownState::Same => format!("applied          {name} (at {})", a.applied_at),
                        DownState::Unrecorded => format!(
                            "applied          {name} (at {}; down file not checked: applied by a \
                             plinth that did not record down files)",
                            a.applied_at
                        ),
                        DownState::Changed { now, then } => {
                            clean = false;
                            let what = match (&now, &then) {
                                (None, _) => format!("{down_name} is gone"),
                                (Some(_), None) => format!("{down_name} was added since"),
                                (Some(_), Some(_)) => format!("{down_name} changed since"),
                            };
                            format!(
                                "changed down     {name} (applied at {}; {what}: checksum {} now, \
                                 {} then)",
                                a.applied_at,
                                short_or_none(&now),
                                short_or_none(&then)
                            )
                        }
                    }
                }
            }
            (Some((f, _)), None) => {
                clean = false;
                format!("pending          {}", f.name.as_deref().unwrap_or(version))
            }
            (None, Some(a)) => {
                clean = false;
                format!(
                    "missing file     {} (applied at {}; its .up.sql is gone)",
                    a.name, a.applied_at
                )
            }
            (None, None) => continue,
        };
        println!("  {line}");
    }

    let snapshot = design.unwrap_or_else(|| args.dir.join(".plinth").join("snapshot.ron"));
    if !snapshot.exists() {
        println!("\nDrift: not checked ({} is missing).", snapshot.display());
        return if clean {
            Ok(())
        } else {
            Err(Failure::found(""))
        };
    }
    let design = super::load(&snapshot)?;
    let live = live_design(client, &args.schema, &design)
        .await
        .map_err(super::apply::failure)?;
    let changes = diff(&live, &design);
    if changes.is_empty() {
        println!(
            "\nDrift: no drift; schema `{}` matches {}.",
            args.schema,
            snapshot.display()
        );
    } else {
        clean = false;
        println!(
            "\nDrift: schema `{}` differs from {} (what the design changes on the live schema):",
            args.schema,
            snapshot.display()
        );
        for change in &changes {
            println!("  - {change}");
        }
    }
    if clean {
        Ok(())
    } else {
        Err(Failure::found(""))
    }
}

fn short(sum: &str) -> &str {
    &sum[..sum.len().min(12)]
}

fn database(e: tokio_postgres::Error) -> Failure {
    Failure::found(format!("the database failed: {}", DbError::of(&e)))
}

fn failed(path: &Path, e: &RunError, done: Option<usize>) -> Failure {
    let before = match done {
        Some(n) => format!(" ({n} migration(s) before it stay applied)"),
        None => String::new(),
    };
    match e {
        RunError::Script(e) => Failure::found(format!(
            "{}:{e}\nits transaction was rolled back{before}",
            path.display()
        )),
        RunError::Statement { failure, at } => {
            let at = at.map_or_else(String::new, |p| {
                format!(" at line {}, column {}", p.line, p.column)
            });
            Failure::found(format!(
                "{} failed{at}; its transaction was rolled back{before}\n{failure}",
                path.display()
            ))
        }
        RunError::Setting(message) => Failure::found(format!(
            "{} failed: {message}; its transaction was rolled back{before}",
            path.display()
        )),
    }
}
