//! The real binary in a real terminal: `plinth edit` runs inside tmux
//! (see `common/tmux.rs`), keys go in with `send-keys` and the screen
//! comes back with `capture-pane`.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant};

use tmux::{DEADLINE, Tmux, plinth_bin};

fn plinth(dir: &Path, args: &[&str]) -> Output {
    Command::new(plinth_bin())
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("plinth runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The findings panel's lines (those between its title and its bottom).
fn findings_lines(screen: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in screen.lines() {
        if line.contains("Findings E ") {
            inside = true;
            continue;
        }
        if inside {
            if line.contains('└') || line.contains('┗') {
                break;
            }
            out.push(line.to_owned());
        }
    }
    out
}

fn finding_shown(screen: &str, rule: &str, about: &str) -> bool {
    findings_lines(screen)
        .iter()
        .any(|l| l.contains(rule) && l.contains(about))
}

#[test]
fn the_issue_walkthrough_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(dir.path(), "shop.ron");
    tmux.wait_for_text("[new]");

    let steps = [
        (":entity add customers", "Entities 1"),
        (":field add customers.email varchar(255) not null", "email"),
        (":entity add orders", "Entities 2"),
        (
            ":rel add orders.customer_id -> customers on delete cascade",
            "on delete cascade",
        ),
        (":field add orders.phone1 text", "phone1"),
        (":field add orders.phone2 text", "phone2"),
    ];
    for (line, shows) in steps {
        tmux.line(line);
        tmux.wait_for(&format!("`{shows}` after {line}"), |s| {
            s.contains(shows) && !s.contains("error:")
        });
    }
    let screen = tmux.wait_for("both findings", |s| {
        finding_shown(s, "repeating-group", "phone1, phone2")
            && finding_shown(s, "unique-natural-key", "customers.email")
    });
    assert!(screen.contains("[+]"), "unsaved marker:\n{screen}");

    tmux.key("u");
    let screen = tmux.wait_for("the repeating group to go", |s| {
        !s.contains("phone2")
            && !findings_lines(s)
                .iter()
                .any(|l| l.contains("repeating-group"))
    });
    assert!(
        finding_shown(&screen, "unique-natural-key", "customers.email"),
        "{screen}"
    );
    assert!(screen.contains("undid add field"), "{screen}");

    tmux.line(":wq");
    assert_eq!(tmux.wait_for_exit(), 0, "plinth edit exits cleanly");
    let file = dir.path().join("shop.ron");
    assert!(file.exists());
    assert!(!dir.path().join(".shop.ron.recover").exists());

    // The checks see exactly that design.
    let out = plinth(dir.path(), &["check", "--format", "json", "shop.ron"]);
    assert!(
        out.status.code() == Some(0),
        "warnings only: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let report = &json["files"][0];
    assert_eq!(report["design"], "shop");
    let findings: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["location"]["description"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        findings,
        ["warning unique-natural-key customers.email"],
        "{json:#}"
    );

    // And the DDL is that design, byte for byte.
    let out = plinth(dir.path(), &["ddl", "shop.ron"]);
    assert!(out.status.success());
    let ddl = stdout(&out);
    let expected = [
        "-- PostgreSQL DDL for design \"shop\", written by plinth.",
        "SET search_path TO pg_catalog, public;",
        "CREATE TABLE public.customers (\n    id uuid DEFAULT gen_random_uuid() NOT NULL,\n    email varchar(255) NOT NULL,\n    created_at timestamptz DEFAULT now() NOT NULL,\n    updated_at timestamptz DEFAULT now() NOT NULL,\n    CONSTRAINT customers_pkey PRIMARY KEY (id)\n);",
        "CREATE TABLE public.orders (\n    id uuid DEFAULT gen_random_uuid() NOT NULL,\n    customer_id uuid NOT NULL,\n    phone1 text,\n    created_at timestamptz DEFAULT now() NOT NULL,\n    updated_at timestamptz DEFAULT now() NOT NULL,\n    CONSTRAINT orders_pkey PRIMARY KEY (id),\n    CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers (id) ON DELETE CASCADE\n);",
        "CREATE INDEX orders_customer_id_idx ON public.orders (customer_id);",
    ]
    .join("\n\n")
        + "\n";
    assert_eq!(ddl, expected);
}

#[test]
fn a_killed_session_is_offered_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let design = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/shop.ron");
    let file: PathBuf = dir.path().join("shop.ron");
    std::fs::copy(&design, &file).unwrap();
    let recover = dir.path().join(".shop.ron.recover");
    let before = plinth::file::load(&file).unwrap();

    let tmux = Tmux::start(dir.path(), "shop.ron");
    tmux.wait_for_text("Entities 13");
    tmux.line(":entity add wishlists");
    tmux.wait_for_text("Entities 14");
    tmux.line(":rel add wishlists.customer_id -> customers on delete cascade");
    tmux.wait_for_text("customer_id → customers(id)");

    // Idle for a couple of seconds: the recovery file appears.
    let start = Instant::now();
    while !recover.exists() {
        assert!(
            start.elapsed() < DEADLINE,
            "no recovery file after {DEADLINE:?}; the screen:\n{}",
            tmux.screen()
        );
        thread::sleep(Duration::from_millis(50));
    }
    // It is written atomically: once there, it reads as the edited design.
    let lost = loop {
        if let Ok(d) = plinth::file::load(&recover)
            && d.entity_named("wishlists")
                .is_some_and(|w| w.field_named("customer_id").is_some())
        {
            break d;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "the recovery file lacks the edits"
        );
        thread::sleep(Duration::from_millis(50));
    };

    let pid = tmux.plinth_pid();
    let killed = Command::new("kill").args(["-9", &pid]).status().unwrap();
    assert!(killed.success());
    assert_eq!(tmux.wait_for_exit(), 128 + 9, "ended by SIGKILL");
    assert_eq!(plinth::file::load(&file).unwrap(), before, "nothing saved");
    assert!(recover.exists(), "the recovery file outlives the process");

    tmux.restart("shop.ron");
    let screen = tmux.wait_for_text("Recovered changes");
    assert!(screen.contains(".shop.ron.recover"), "{screen}");
    tmux.key("r");
    let screen = tmux.wait_for_text("restored the unsaved changes");
    assert!(screen.contains("Entities 14"), "{screen}");
    assert!(
        screen.contains("[+]"),
        "restored changes are unsaved:\n{screen}"
    );

    tmux.line(":wq");
    assert_eq!(tmux.wait_for_exit(), 0);
    assert_eq!(plinth::file::load(&file).unwrap(), lost);
    assert!(!recover.exists(), "saving removes the recovery file");
}

/// `plinth edit --url URL` in a real terminal: the design is read from a
/// database built from the shipped to-do design, an entity added, the plan
/// previewed and applied, and the design saved as `DBNAME.ron`; the
/// password in the URL is never on screen.
#[test]
fn a_design_read_from_a_database_is_edited_applied_and_saved() {
    const PASSWORD: &str = "s3cret-pw";
    let db = common::TestDb::new();
    let todo = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/todo.ron");
    common::run_plinth(&[
        "apply",
        todo.to_str().unwrap(),
        "--url",
        &db.conninfo(),
        "--yes",
    ]);
    let name = db.name();
    let url = format!("postgres://postgres:{PASSWORD}@127.0.0.1:5432/{name}");
    let described = format!("postgres@127.0.0.1:5432/{name}");
    let dir = tempfile::tempdir().unwrap();

    // The helper opens a design file; run `plinth edit --url` in its place.
    let tmux = Tmux::start(dir.path(), "scratch.ron");
    tmux.wait_for_text("[new]");
    tmux.respawn(&format!(
        "'{}' edit --url '{url}'; echo $? > '{}'",
        plinth_bin(),
        tmux.status.display()
    ));
    // Every screen polled is checked, not only the one waited for.
    let wait = |what: &str, ok: &dyn Fn(&str) -> bool| {
        tmux.wait_for(what, |s| {
            assert!(!s.contains(PASSWORD), "the password is on screen:\n{s}");
            ok(s)
        })
    };

    let screen = wait("the design read from the database", &|s| {
        s.contains(&format!("read 2 entities from {described}"))
    });
    assert!(
        screen.contains("users") && screen.contains("tasks"),
        "{screen}"
    );
    assert!(screen.contains("[+] [new]"), "{screen}");

    tmux.line(":entity add notes");
    wait("notes added", &|s| {
        s.contains("Entities 3") && s.contains(":entity add notes")
    });

    tmux.key("A");
    let screen = wait("the preview", &|s| s.contains("Apply to"));
    assert!(
        screen.contains(&format!("Apply to {described}")),
        "{screen}"
    );
    assert!(screen.contains("add entity `notes`"), "{screen}");
    assert!(screen.contains("CREATE TABLE public.notes ("), "{screen}");
    assert!(screen.contains("y applies"), "{screen}");

    tmux.key("y");
    let screen = wait("the apply", &|s| s.contains("applied"));
    assert!(
        screen.contains(&format!("applied 1 statement(s) to {described}")),
        "{screen}"
    );
    assert!(
        !screen.contains("Apply to"),
        "the preview closes:\n{screen}"
    );
    let mut client = db.client();
    let found: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'notes'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(found, 1, "the table exists");

    tmux.line(":w");
    let file = format!("{name}.ron");
    wait("the save", &|s| s.contains(&format!("wrote {file}")));
    tmux.line(":q");
    assert_eq!(tmux.wait_for_exit(), 0, "plinth edit exits cleanly");
    drop(tmux);

    let saved = dir.path().join(&file);
    let design = plinth::file::load(&saved).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(design.name, name);
    assert!(design.entity_named("notes").is_some());
    assert!(!dir.path().join("scratch.ron").exists());
    let out = plinth(dir.path(), &["fmt", "--check", &file]);
    assert!(
        out.status.success(),
        "plinth fmt --check {file}: {}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(!text.contains(PASSWORD));
}

/// Renames in the designer keep the data: a table made from the designer
/// gets a row, then a field and the entity are renamed and applied; the
/// preview says RENAME and the row is there under the new names. plinth
/// recorded what it applied, so the designer (opened again from the
/// database) knows the live objects by id.
#[test]
fn renames_in_the_designer_are_applied_as_renames_and_keep_the_row() {
    let db = common::TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let url = db.url();
    let tmux = Tmux::start(dir.path(), "scratch.ron");
    tmux.wait_for_text("[new]");
    let open = |tmux: &Tmux| {
        let _ = std::fs::remove_file(&tmux.status);
        tmux.respawn(&format!(
            "'{}' edit --url '{url}' members.ron; echo $? > '{}'",
            plinth_bin(),
            tmux.status.display()
        ));
    };
    open(&tmux);
    tmux.wait_for_text("read 0 entities");
    tmux.line(":entity add members");
    tmux.wait_for_text("Entities 1");
    tmux.line(":field add members.joined date");
    tmux.wait_for_text("joined");
    tmux.key("A");
    tmux.wait_for_text("Apply to");
    tmux.key("y");
    tmux.wait_for_text("applied");
    tmux.line(":q!");
    tmux.wait_for_exit();
    db.psql_stdin("INSERT INTO members (joined) VALUES ('2024-05-01');");

    // Opened again from the database: the names it had, the ids applied.
    std::fs::remove_file(dir.path().join("members.ron")).ok();
    open(&tmux);
    tmux.wait_for_text("read 1 entities");
    tmux.line(":field rename members.joined joined_on");
    tmux.wait_for_text("joined_on");
    tmux.line(":entity rename members people");
    tmux.wait_for_text("people");
    tmux.key("A");
    let screen = tmux.wait_for_text("Apply to");
    assert!(
        screen.contains("rename entity `members` to `people`"),
        "{screen}"
    );
    assert!(
        screen.contains("RENAME COLUMN joined TO joined_on"),
        "{screen}"
    );
    assert!(!screen.contains("DROP"), "{screen}");
    tmux.key("y");
    tmux.wait_for_text("applied");
    let joined: String = db
        .client()
        .query_one("SELECT joined_on::text FROM people", &[])
        .unwrap()
        .get(0);
    assert_eq!(joined, "2024-05-01");
    tmux.line(":q!");
    tmux.wait_for_exit();
}
