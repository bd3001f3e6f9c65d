//! Every command through the real binary, at 500, 5,000 and 50,000
//! entities: median wall time and peak memory (the command's maximum
//! resident set, as `/usr/bin/time` reports it), with the growth from 5,000
//! to 50,000. The designer rows drive `plinth edit` in tmux.
//!
//! Run with `cargo bench --bench e2e` (it needs the PostgreSQL that
//! `./.ci/test` starts, for the database rows; `PLINTH_BENCH_PG` overrides
//! the connection, `PLINTH_E2E_SIZES=500,5000` the sizes;
//! `PLINTH_E2E_DIR=DIR` keeps the generated files there,
//! `PLINTH_E2E_ONLY=designer` runs only some of the `commands`, `designer`
//! and `database` rows). Under `cargo test` it does nothing.
//!
//! Designs come from `core::synthetic` (about ten fields, a unique natural
//! key, a foreign key with its index per entity) and are written with ids.
//! `diff` compares a design with a copy in which 1% of the entities gain a
//! field and 1% have a field renamed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use plinth::core::ids::IdGen;
use plinth::core::model::{Field, SqlType};
use plinth::core::synthetic;

const PLINTH: &str = env!("CARGO_BIN_EXE_plinth");

/// One measured run: wall time and peak resident memory in KiB.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    max_rss_kib: i64,
}

/// Runs `program args` in `dir` under `/usr/bin/time`, which reports its
/// peak memory, and checks it exited with one of `ok_codes`.
///
/// Not `wait4` on a child of this process: Linux starts a child's peak
/// resident size at its parent's when it execs, and this process holds
/// the generated 50,000-entity design, so every command would read as
/// large as the bench itself.
fn measure(dir: &Path, program: &str, args: &[&str], ok_codes: &[i32]) -> Sample {
    let report = dir.join(".maxrss");
    let started = Instant::now();
    let child = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet waited for; the pointers are
    // to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(waited, pid, "wait4 on {program}");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    assert!(
        ok_codes.contains(&code),
        "`{program} {}` exited {code}",
        args.join(" ")
    );
    std::mem::forget(child);
    let max_rss_kib = std::fs::read_to_string(&report)
        .ok()
        .and_then(|r| r.lines().last()?.trim().parse().ok())
        .unwrap_or(usage.ru_maxrss);
    Sample { wall, max_rss_kib }
}

/// The median wall time of `runs` runs, and the largest peak memory.
fn median(runs: usize, mut one: impl FnMut() -> Sample) -> Sample {
    let mut samples: Vec<Sample> = (0..runs).map(|_| one()).collect();
    samples.sort_by_key(|s| s.wall);
    Sample {
        wall: samples[samples.len() / 2].wall,
        max_rss_kib: samples.iter().map(|s| s.max_rss_kib).max().unwrap_or(0),
    }
}

/// A copy of `design` with 1% of its entities given a new field and 1%
/// with a field renamed (ids kept, so a rename), as a day's work might.
fn changed(design: &plinth::core::model::Design) -> plinth::core::model::Design {
    let mut d = design.clone();
    let mut ids = IdGen::seeded(77);
    let entities: Vec<_> = d.entities().map(|e| e.id.clone()).collect();
    let step = 100;
    for (k, id) in entities.iter().enumerate() {
        if k % step == 0 {
            let field = Field::new(ids.field(), "added_note", SqlType::Text);
            d.entity_mut(id).unwrap().fields.push(field);
        } else if k % step == step / 2 {
            let e = d.entity_mut(id).unwrap();
            if let Some(f) = e.fields.iter_mut().find(|f| f.name == "body") {
                f.name = "content".into();
            }
        }
    }
    d
}

type Table = BTreeMap<(String, usize), Sample>;

/// Writes the design of this size and its 1%-changed copy.
fn generate(dir: &Path, size: usize) {
    let design = synthetic::design(size, 42);
    let file = dir.join(format!("d{size}.ron"));
    std::fs::write(&file, plinth::file::to_text(&design)).unwrap();
    let other = dir.join(format!("d{size}b.ron"));
    std::fs::write(&other, plinth::file::to_text(&changed(&design))).unwrap();
}

fn commands(dir: &Path, size: usize, table: &mut Table) {
    let (file, other) = (format!("d{size}.ron"), format!("d{size}b.ron"));
    let runs = if size >= 50_000 { 3 } else { 5 };
    let mut run = |label: &str, args: &[&str], ok: &[i32]| {
        let sample = median(runs, || measure(dir, PLINTH, args, ok));
        eprintln!(
            "{label:>22} {size:>6}: {:>8.1} ms {:>7} MiB",
            ms(sample.wall),
            sample.max_rss_kib / 1024
        );
        table.insert((label.to_owned(), size), sample);
    };
    // check exits 1 when it finds errors; both are a finished run.
    run("check", &["check", &file], &[0, 1]);
    run("ddl", &["ddl", &file], &[0]);
    run("fmt --check", &["fmt", "--check", &file], &[0, 1]);
    run("show", &[&file], &[0]);
    run(
        "diff (1% changed)",
        &["diff", &file, &other, "--sql", "--allow-destructive"],
        &[0],
    );
    run("export sqlmodel", &["export", "sqlmodel", &file], &[0]);
}

/// The designer through the real binary in a real terminal (tmux, 120×40):
/// from start to the first frame showing the design, from `Down` to the
/// frame with the selection moved, from each key typed in a form to the
/// frame showing it, from Enter on `:field add` to the frame showing the
/// new field (the first check may still be running on its worker: input
/// must not wait for it), and, once the checks are back, from `v` to the
/// diagram's first frame. Each is the time until `capture-pane` first shows it, polled
/// with no sleep: the figures include one capture's latency (a few ms).
fn designer(dir: &Path, size: usize, table: &mut Table) {
    let file = name(&dir.join(format!("d{size}.ron")));
    let socket = dir.join(format!(".tmux-{size}.sock"));
    let tmux = |args: &[&str]| -> String {
        // A server being killed may still hold its socket for a moment.
        let mut tries = 0;
        loop {
            let out = Command::new("tmux")
                .arg("-S")
                .arg(&socket)
                .args(args)
                .output()
                .expect("tmux runs (./.ci/test installs it)");
            if out.status.success() {
                return String::from_utf8_lossy(&out.stdout).into_owned();
            }
            tries += 1;
            assert!(
                tries < 50,
                "tmux {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    // Captures 2 ms apart: polling flat out would take most of a core
    // from the designer it times (on two cores, half its parse).
    let until = |started: Instant, what: &str, shown: &dyn Fn(&str) -> bool| -> Duration {
        loop {
            if shown(&tmux(&["capture-pane", "-p", "-t", "bench"])) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{what} is shown"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    let runs = if size >= 50_000 { 3 } else { 5 };
    let mut first = Vec::new();
    let mut diagram = Vec::new();
    let mut moved = Vec::new();
    let mut typed = Vec::new();
    let mut edited = Vec::new();
    for _ in 0..runs {
        let command = format!("'{PLINTH}' edit '{file}'");
        let started = Instant::now();
        tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "bench",
            "-x",
            "120",
            "-y",
            "40",
            "-c",
            dir.to_str().expect("a UTF-8 dir"),
            "-e",
            "TERM=xterm-256color",
            &command,
        ]);
        first.push(until(started, "the first frame", &|s| {
            s.contains("▸ table_00000s")
        }));
        let started = Instant::now();
        tmux(&["send-keys", "-t", "bench", "Down"]);
        moved.push(until(started, "the moved selection", &|s| {
            s.contains("▸ table_00001s")
        }));
        // Typing in a form: each key to the frame that shows it.
        tmux(&["send-keys", "-t", "bench", "a"]);
        until(Instant::now(), "the form", &|s| s.contains("New entity"));
        tmux(&["send-keys", "-t", "bench", "-l", "bench_"]);
        until(Instant::now(), "the name typed", &|s| s.contains("bench_"));
        let mut name = String::from("bench_");
        for key in ["q", "r", "s", "t", "u"] {
            name.push_str(key);
            let started = Instant::now();
            tmux(&["send-keys", "-t", "bench", "-l", key]);
            typed.push(until(started, "the key typed", &|s| s.contains(&name)));
        }
        tmux(&["send-keys", "-t", "bench", "Escape"]);
        until(Instant::now(), "the form closed", &|s| {
            !s.contains("New entity")
        });
        // An edit: from Enter to the frame showing it, whether or not the
        // checks it sets off have finished.
        tmux(&[
            "send-keys",
            "-t",
            "bench",
            "-l",
            ":field add table_00001s.bench_note text",
        ]);
        until(Instant::now(), "the command typed", &|s| {
            s.contains("bench_note text")
        });
        let started = Instant::now();
        tmux(&["send-keys", "-t", "bench", "Enter"]);
        // The new field's row in the detail pane (the command line keeps
        // showing the command).
        edited.push(until(started, "the edit", &|s| s.contains("│ bench_note")));
        // The diagram once the checks are back, as a user who looks before
        // switching finds it (the worker lays it out after them).
        until(Instant::now(), "the checks back", &|s| {
            !s.contains("checking…")
        });
        let started = Instant::now();
        tmux(&["send-keys", "-t", "bench", "v"]);
        diagram.push(until(started, "the diagram", &|s| s.contains("Diagram ·")));
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .arg("kill-server")
            .output();
        while socket.exists() && std::os::unix::net::UnixStream::connect(&socket).is_ok() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let mut row = |label: &str, mut walls: Vec<Duration>| {
        walls.sort();
        let wall = walls[walls.len() / 2];
        eprintln!("{label:>22} {size:>6}: {:>8.1} ms", ms(wall));
        table.insert(
            (label.to_owned(), size),
            Sample {
                wall,
                max_rss_kib: 0,
            },
        );
    };
    row("designer first frame", first);
    row("designer move", moved);
    row("designer typing", typed);
    row("designer edit", edited);
    row("diagram first frame", diagram);
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `inspect`, `pg_dump --schema-only` and `apply --dry-run` with nothing
/// to do, on a database built from the 5,000-entity design.
fn database(dir: &Path, table: &mut Table) {
    let size = 5_000;
    let server = std::env::var("PLINTH_BENCH_PG")
        .unwrap_or_else(|_| "host=127.0.0.1 port=5432 user=postgres".into());
    let db = format!("plinth_bench_e2e_{}", std::process::id());
    let mut admin =
        postgres::Client::connect(&format!("{server} dbname=postgres"), postgres::NoTls)
            .expect("PostgreSQL is reachable (./.ci/test starts it)");
    admin
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let design = synthetic::design(size, 42);
        let file: PathBuf = dir.join("db.ron");
        std::fs::write(&file, plinth::file::to_text(&design)).unwrap();
        let ddl = plinth::core::sql::create_script(&design, "public");
        let mut psql = Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(format!("{server} dbname={db}"))
            .env("PGOPTIONS", "-c synchronous_commit=off")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("psql runs");
        use std::io::Write;
        psql.stdin
            .take()
            .unwrap()
            .write_all(ddl.as_bytes())
            .unwrap();
        assert!(psql.wait().unwrap().success(), "the database is built");
        let url = format!("postgresql://postgres@127.0.0.1:5432/{db}");
        let mut run = |label: &str, program: &str, args: &[&str]| {
            let sample = median(5, || measure(dir, program, args, &[0]));
            eprintln!(
                "{label:>22} {size:>6}: {:>8.1} ms {:>7} MiB",
                ms(sample.wall),
                sample.max_rss_kib / 1024
            );
            table.insert((label.to_owned(), size), sample);
        };
        run(
            "inspect",
            PLINTH,
            &["inspect", "--url", &url, "-o", "live.ron"],
        );
        run(
            "pg_dump --schema-only",
            "pg_dump",
            &[
                "--schema-only",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-f",
                "dump.sql",
                &db,
            ],
        );
        run(
            "apply --dry-run",
            PLINTH,
            &["apply", "db.ron", "--url", &url, "--dry-run"],
        );
    }));
    admin
        .batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("PLINTH_E2E_SIZES")
        .ok()
        .map(|s| {
            s.split(',')
                .map(|n| n.trim().parse().expect("a size"))
                .collect()
        })
        .unwrap_or_else(|| vec![500, 5_000, 50_000]);
    // `PLINTH_E2E_DIR` keeps the generated designs there, to profile a
    // command on them afterwards.
    let temp = tempfile::tempdir().unwrap();
    let dir = match std::env::var_os("PLINTH_E2E_DIR") {
        Some(d) => {
            std::fs::create_dir_all(&d).unwrap();
            PathBuf::from(d)
        }
        None => temp.path().to_owned(),
    };
    let only = std::env::var("PLINTH_E2E_ONLY").ok();
    let runs = |part: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|p| p == part))
    };
    let mut table = Table::new();
    for &size in &sizes {
        generate(&dir, size);
        if runs("commands") {
            commands(&dir, size, &mut table);
        }
        if runs("designer") {
            designer(&dir, size, &mut table);
        }
    }
    if runs("database") && std::env::var("PLINTH_E2E_NO_DB").is_err() {
        database(&dir, &mut table);
    }

    // The table, as README's Speed section shows it.
    let labels: Vec<String> = {
        let mut seen = Vec::new();
        for (label, _) in table.keys() {
            if !seen.contains(label) {
                seen.push(label.clone());
            }
        }
        seen
    };
    let mut header = String::from("| command |");
    for size in &sizes {
        header.push_str(&format!(" {size} |"));
    }
    header.push_str(" 5,000 → 50,000 |");
    println!("{header}");
    println!("|{}", " --- |".repeat(sizes.len() + 2));
    for label in labels {
        let mut row = format!("| {label} |");
        for size in &sizes {
            match table.get(&(label.clone(), *size)) {
                Some(s) if s.max_rss_kib == 0 => row.push_str(&format!(" {:.0} ms |", ms(s.wall))),
                Some(s) => row.push_str(&format!(
                    " {:.0} ms, {} MiB |",
                    ms(s.wall),
                    s.max_rss_kib / 1024
                )),
                None => row.push_str(" |"),
            }
        }
        match (
            table.get(&(label.clone(), 5_000)),
            table.get(&(label.clone(), 50_000)),
        ) {
            (Some(a), Some(b)) => row.push_str(&format!(" {:.1}× |", ms(b.wall) / ms(a.wall))),
            _ => row.push_str(" |"),
        }
        println!("{row}");
    }
}
