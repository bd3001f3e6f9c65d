//! Helpers shared by the integration tests: a throw-away PostgreSQL
//! database per test, the real `psql` to feed it scripts, and where the
//! binary and the repository are.
//!
//! These tests need a running PostgreSQL server. They never skip when it is
//! missing: a test suite that silently passes without its database proves
//! nothing, so a missing server is a loud failure that says how to fix it.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use postgres::config::Host;
use postgres::{Client, Config, NoTls};

/// Where the test server is, unless `PLINTH_TEST_PG` says otherwise.
pub const DEFAULT_SERVER: &str = "host=127.0.0.1 port=5432 user=postgres";

/// The `plinth` binary Cargo built for these tests.
pub fn plinth_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_plinth"))
}

/// The repository root (where `Cargo.toml` and `designs/` live).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `plinth ARGS...` and returns its standard output; panics with its
/// standard error when it fails, so the test shows plinth's own message.
pub fn run_plinth<S: AsRef<OsStr>>(args: &[S]) -> String {
    let output = Command::new(plinth_bin())
        .args(args)
        .output()
        .expect("the plinth binary runs");
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    expect_success(&format!("plinth {}", shown.join(" ")), &output);
    String::from_utf8(output.stdout).expect("plinth writes UTF-8")
}

/// Runs `plinth ARGS...` in `dir` with no standard input and returns what
/// it did, failed or not.
pub fn plinth_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(plinth_bin())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the plinth binary runs")
}

/// A fresh, empty database on the test server, dropped when this value is.
///
/// Every test gets its own so tests can run in parallel and a failure
/// leaves nothing behind that could disturb the next run.
pub struct TestDb {
    admin: Client,
    config: Config,
    name: String,
}

impl TestDb {
    /// Creates a database named `plinth_test_<pid>_<counter>_<random>`: the
    /// pid and counter keep parallel tests apart, the random part keeps a
    /// rerun apart from leftovers of a killed run.
    pub fn new() -> TestDb {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let server = server_config();
        let mut admin = server.connect(NoTls).unwrap_or_else(|e| {
            panic!(
                "these tests need PostgreSQL, but it could not be reached at `{}` ({e}).\n\
                 Start a local server with `bash .ci/test` (it starts PostgreSQL and runs the \
                 tests), or point PLINTH_TEST_PG at a server (default: `{DEFAULT_SERVER}`).",
                server_url(),
                e = error_chain(&e)
            )
        });
        let name = format!(
            "plinth_test_{}_{}_{:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            fastrand::u32(..)
        );
        admin
            .batch_execute(&format!("CREATE DATABASE {}", quote_ident(&name)))
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let mut config = server;
        config.dbname(&name);
        TestDb {
            admin,
            config,
            name,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new connection to this database.
    pub fn client(&self) -> Client {
        self.config
            .connect(NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to test database {}: {e}", self.name))
    }

    /// A libpq connection string for this database, for `psql` and friends.
    pub fn conninfo(&self) -> String {
        let c = &self.config;
        let mut parts = Vec::new();
        if let Some(host) = c.get_hosts().first() {
            let host = match host {
                Host::Tcp(h) => h.clone(),
                Host::Unix(path) => path.display().to_string(),
            };
            parts.push(("host", host));
        }
        if let Some(port) = c.get_ports().first() {
            parts.push(("port", port.to_string()));
        }
        if let Some(user) = c.get_user() {
            parts.push(("user", user.to_owned()));
        }
        if let Some(password) = c.get_password() {
            parts.push(("password", String::from_utf8_lossy(password).into_owned()));
        }
        parts.push(("dbname", self.name.clone()));
        parts
            .iter()
            .map(|(k, v)| format!("{k}={}", conninfo_value(v)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A `postgresql://` URL for this database.
    pub fn url(&self) -> String {
        let c = &self.config;
        let host = match c.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".into(),
        };
        let port = c.get_ports().first().copied().unwrap_or(5432);
        let user = c.get_user().unwrap_or("postgres");
        let password = c
            .get_password()
            .map(|p| format!(":{}", percent(&String::from_utf8_lossy(p))))
            .unwrap_or_default();
        format!(
            "postgresql://{}{password}@{host}:{port}/{}",
            percent(user),
            percent(&self.name)
        )
    }

    /// Runs a script file with the real `psql`, stopping at the first error;
    /// panics with psql's stderr if anything failed. Returns psql's stdout.
    pub fn psql_file(&self, path: &Path) -> String {
        let output = self
            .psql_command()
            .arg("-f")
            .arg(path)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run psql (is it installed?): {e}"));
        expect_success(&format!("psql -f {}", path.display()), &output);
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Like [`TestDb::psql_file`], with the script given on standard input.
    pub fn psql_stdin(&self, sql: &str) -> String {
        let output = self.psql_script(sql);
        expect_success("psql <script on stdin>", &output);
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs a script given on standard input and returns what psql did,
    /// failed or not, for tests that expect a script to fail.
    pub fn psql_script(&self, sql: &str) -> Output {
        let mut child = self
            .psql_command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run psql (is it installed?): {e}"));
        // Write from a thread: with a long script, psql may fill its output
        // pipe before it has read all of its input.
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let script = sql.to_owned();
        let writer = std::thread::spawn(move || stdin.write_all(script.as_bytes()));
        let output = child.wait_with_output().expect("psql runs to the end");
        writer
            .join()
            .expect("the writer thread does not panic")
            .unwrap_or_else(|e| panic!("cannot write the script to psql: {e}"));
        output
    }

    /// `psql` as a user would run a migration: stop on the first error,
    /// ignore any `~/.psqlrc`, no chatter.
    fn psql_command(&self) -> Command {
        let mut cmd = Command::new("psql");
        cmd.args(["-v", "ON_ERROR_STOP=1", "-X", "-q", "-d"])
            .arg(self.conninfo())
            // The tests need no durability, and waiting for each commit to
            // reach the disk would dominate their time.
            .env("PGOPTIONS", "-c synchronous_commit=off");
        cmd
    }
}

impl Drop for TestDb {
    /// `WITH (FORCE)` ends connections a test left open. A failure here is
    /// only reported: panicking in `drop` while a test already panics would
    /// abort and hide the test's own message.
    fn drop(&mut self) {
        let sql = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(&self.name)
        );
        if let Err(e) = self.admin.batch_execute(&sql) {
            eprintln!("warning: could not drop test database {}: {e}", self.name);
        }
    }
}

/// The server to use: `PLINTH_TEST_PG` (a libpq key=value string or a
/// `postgresql://` URL) or [`DEFAULT_SERVER`].
fn server_url() -> String {
    std::env::var("PLINTH_TEST_PG").unwrap_or_else(|_| DEFAULT_SERVER.to_owned())
}

fn server_config() -> Config {
    let url = server_url();
    url.parse()
        .unwrap_or_else(|e| panic!("PLINTH_TEST_PG=`{url}` is not a connection string: {e}"))
}

/// Percent-encodes a URL part: everything but letters, digits and `-._~`.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Quotes an identifier for SQL the tests write themselves.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A conninfo value in single quotes, as libpq reads it.
fn conninfo_value(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// An error with its causes, which for a connection error hold the reason
/// (refused, timed out, bad password).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text += &format!(": {cause}");
        source = cause.source();
    }
    text
}

/// Panics with the command's stderr unless it exited successfully.
fn expect_success(command: &str, output: &Output) {
    if !output.status.success() {
        panic!(
            "`{command}` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
