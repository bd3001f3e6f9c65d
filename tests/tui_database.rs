//! The designer against a real PostgreSQL, driven through `App::update`
//! as the runner drives it: every `Effect::Database` job the app asks for
//! is run (blocking, on the test's thread) and its reply fed back as
//! `Msg::Database`. After every message the screen is drawn into a
//! `TestBackend`, and neither it nor the message may show the password
//! of the connection string. Outcomes are checked in the database's own
//! catalog with the test's client.

mod common;

use std::cell::RefCell;
use std::path::Path;

use insta::assert_snapshot;
use plinth::core::ids::IdGen;
use plinth::core::model::Design;
use plinth::db::Target;
use plinth::tui::database::Work;
use plinth::tui::{
    App, Connection, DbJob, DbReply, Effect, MessageKind, Mode, Msg, Opened, Preview, view,
};
use postgres::Client;
use postgres::config::Host;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use common::{TestDb, repo_root, run_plinth};

/// The password in every connection string here. The test server trusts
/// local connections, so it is never checked, only carried.
const PASSWORD: &str = "s3cret-pw";
const WIDTH: u16 = 100;
const HEIGHT: u16 = 30;

// ---- The database -------------------------------------------------------

/// Where the test database is, as `user@host:port/db` and as a
/// `postgres://` URL carrying [`PASSWORD`].
struct Place {
    described: String,
    url: String,
}

fn place(db: &TestDb) -> Place {
    let config: postgres::Config = db.conninfo().parse().expect("the test conninfo parses");
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        other => panic!("these tests connect over TCP, not {other:?}"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("postgres");
    Place {
        described: format!("{user}@{host}:{port}/{}", db.name()),
        url: format!("postgres://{user}:{PASSWORD}@{host}:{port}/{}", db.name()),
    }
}

fn connection(url: &str) -> Connection {
    Connection {
        target: Target::parse(url).unwrap_or_else(|e| panic!("{e}")),
        schema: "public".into(),
    }
}

/// A fresh database built from a shipped design by `plinth apply --yes`.
fn database_from(design: &str) -> TestDb {
    let db = TestDb::new();
    let path = repo_root().join("designs").join(design);
    let path = path.to_str().expect("a UTF-8 path");
    run_plinth(&["apply", path, "--url", &db.conninfo(), "--yes"]);
    db
}

fn shipped(design: &str) -> Design {
    let path = repo_root().join("designs").join(design);
    plinth::file::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// The tables of the `public` schema, by name.
fn tables(client: &mut Client) -> Vec<String> {
    client
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .expect("the catalog answers")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn has_table(client: &mut Client, name: &str) -> bool {
    tables(client).iter().any(|t| t == name)
}

/// A table's columns in order, as `name type`.
fn columns(client: &mut Client, table: &str) -> Vec<String> {
    client
        .query(
            "SELECT format('%s %s', a.attname, format_type(a.atttypid, a.atttypmod))
             FROM pg_attribute a
             WHERE a.attrelid = format('public.%I', $1::text)::regclass
               AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum",
            &[&table],
        )
        .expect("the catalog answers")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The constraints on a table, as `name: definition`, by name.
/// The `notes` table `:entity add notes` designs: a uuid key and the
/// two timestamps.
fn assert_notes_as_designed(client: &mut Client) {
    assert_eq!(
        columns(client, "notes"),
        [
            "id uuid",
            "created_at timestamp with time zone",
            "updated_at timestamp with time zone"
        ]
    );
    assert_eq!(
        constraints(client, "notes"),
        ["notes_pkey: PRIMARY KEY (id)"]
    );
}

fn constraints(client: &mut Client, table: &str) -> Vec<String> {
    client
        .query(
            "SELECT format('%s: %s', conname, pg_get_constraintdef(oid))
             FROM pg_constraint
             WHERE conrelid = format('public.%I', $1::text)::regclass
             ORDER BY conname",
            &[&table],
        )
        .expect("the catalog answers")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

// ---- Driving the app ----------------------------------------------------

/// The app as the runner holds it, drawn after every message like the
/// runner draws it, with every message and screen checked for the password.
struct Session {
    app: App,
    /// The last screen drawn.
    screen: String,
}

impl Session {
    fn new(opened: Opened) -> Session {
        let mut session = Session {
            app: App::with_ids(opened, IdGen::seeded(7)),
            screen: String::new(),
        };
        session.update(Msg::Resize(WIDTH, HEIGHT));
        session
    }

    /// Reads the design from the database, as `plinth edit --url` does.
    /// `:entity add notes`, then `A` and the plan job run: the preview of
    /// adding `notes` is on show.
    fn plan_notes(&mut self) {
        self.command("entity add notes");
        let effects = self.key('A');
        self.run(effects);
    }

    fn open_database(url: &str) -> Session {
        let path = Path::new("/nowhere/blog.ron");
        let opened = plinth::tui::open_database(path, connection(url), |_| {})
            .unwrap_or_else(|e| panic!("{e}"));
        Session::new(opened)
    }

    fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let effects = self.app.update(msg);
        let text = self.message();
        assert!(
            !text.contains(PASSWORD),
            "the message shows the password: {text}"
        );
        self.screen = draw(&self.app);
        assert!(
            !self.screen.contains(PASSWORD),
            "the screen shows the password:\n{}",
            self.screen
        );
        for effect in &effects {
            if let Effect::Database(job) = effect {
                let shown = format!("{job:?}");
                assert!(
                    !shown.contains(PASSWORD),
                    "the job shows the password: {shown}"
                );
            }
        }
        effects
    }

    fn key(&mut self, c: char) -> Vec<Effect> {
        self.press(KeyCode::Char(c))
    }

    fn press(&mut self, code: KeyCode) -> Vec<Effect> {
        self.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    /// Runs a command line as if typed after `:`.
    fn command(&mut self, line: &str) -> Vec<Effect> {
        let effects = self.update(Msg::Command(line.into()));
        let message = self.app.message().expect("a command says what it did");
        assert_eq!(message.kind, MessageKind::Info, "{line}: {}", message.text);
        effects
    }

    /// Runs a job against the database as the runner's database thread
    /// does, and feeds its reply back; returns the reply.
    fn reply(&mut self, job: DbJob) -> DbReply {
        let reply = job.run(|_| {});
        self.update(Msg::Database(reply.clone()));
        reply
    }

    /// Runs the one database job among `effects`; returns its reply.
    fn run(&mut self, effects: Vec<Effect>) -> DbReply {
        let job = the_job(effects);
        self.reply(job)
    }

    fn message(&self) -> String {
        self.app
            .message()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }

    fn error(&self) -> String {
        let message = self.app.message().expect("a message");
        assert_eq!(message.kind, MessageKind::Error, "{}", message.text);
        message.text.clone()
    }

    fn preview(&self) -> &Preview {
        match self.app.mode() {
            Mode::Preview(preview) => preview,
            other => panic!(
                "expected the plan preview, found {other:?}; message: {}",
                self.message()
            ),
        }
    }

    fn assert_normal(&self) {
        assert!(
            matches!(self.app.mode(), Mode::Normal),
            "expected no overlay, found {:?}",
            self.app.mode()
        );
    }
}

/// The one database job among `effects` (the app checks inline in these
/// tests, so there are no others).
fn the_job(effects: Vec<Effect>) -> DbJob {
    match <[Effect; 1]>::try_from(effects) {
        Ok([Effect::Database(job)]) => *job,
        Ok([other]) => panic!("expected a database job, got {other:?}"),
        Err(effects) => panic!("expected one database job, got {effects:?}"),
    }
}

fn plan_job(effects: Vec<Effect>, allow_destructive: bool) -> DbJob {
    let job = the_job(effects);
    assert_eq!(job.work, Work::Plan { allow_destructive }, "{job:?}");
    job
}

fn draw(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    terminal.draw(|frame| view::draw(app, frame)).unwrap();
    terminal.backend().to_string()
}

/// A screen with the (random) database name replaced by `DB`, the line
/// kept as wide by lengthening the longest run of one character after it
/// (the border or the padding the name pushed aside).
fn redact(screen: &str, name: &str) -> String {
    let mut out = String::new();
    for line in screen.lines() {
        let mut line = line.to_owned();
        while let Some(at) = line.find(name) {
            let after = &line[at + name.len()..];
            let (run_at, run_char, _) = longest_run(after).expect("something after the name");
            let grow = name.chars().count() - "DB".len();
            let padding: String = std::iter::repeat_n(run_char, grow).collect();
            let run_at = at + name.len() + run_at;
            line = format!(
                "{}DB{}{padding}{}",
                &line[..at],
                &line[at + name.len()..run_at],
                &line[run_at..]
            );
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Where the longest run of one character starts (a byte offset), the
/// character and how long the run is.
fn longest_run(text: &str) -> Option<(usize, char, usize)> {
    let mut best: Option<(usize, char, usize)> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let mut len = 1;
        while chars.peek().is_some_and(|&(_, next)| next == c) {
            chars.next();
            len += 1;
        }
        if best.is_none_or(|(_, _, longest)| len > longest) {
            best = Some((at, c, len));
        }
    }
    best
}

fn statements(plan: &plinth::core::diff::Plan) -> Vec<String> {
    use plinth::core::sql::Sql;
    plan.steps().map(|s| s.sql("public")).collect()
}

fn changes(plan: &plinth::core::diff::Plan) -> Vec<String> {
    plan.changes.iter().map(ToString::to_string).collect()
}

/// Entities by name, each with its fields as `name type [not null]`.
fn shape(design: &Design) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = design
        .entities()
        .map(|e| {
            let fields = e
                .fields
                .iter()
                .map(|f| {
                    let null = if f.not_null { " not null" } else { "" };
                    format!("{} {}{null}", f.name, f.ty)
                })
                .collect();
            (e.name.clone(), fields)
        })
        .collect();
    out.sort();
    out
}

// ---- The tests ----------------------------------------------------------

#[test]
fn a_design_opened_from_a_database_is_the_database() {
    let db = database_from("blog.ron");
    let place = place(&db);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blog.ron");
    let progress = RefCell::new(Vec::new());
    let opened = plinth::tui::open_database(&path, connection(&place.url), |line| {
        progress.borrow_mut().push(line.to_owned())
    })
    .unwrap_or_else(|e| panic!("{e}"));

    let progress = progress.into_inner();
    assert_eq!(
        progress,
        [
            format!("connecting to {} ...", place.described),
            "reading schema `public` ...".to_owned(),
        ]
    );
    assert_eq!(shape(&opened.design), shape(&shipped("blog.ron")));
    assert_eq!(opened.design.name, db.name());
    assert!(opened.is_new, "the file is written on the first save");
    assert!(opened.unsaved);
    assert_eq!(opened.path, path);
    assert!(!path.exists(), "nothing is written before a save");
    let info = format!("read 5 entities from {}", place.described);
    assert_eq!(opened.info.as_deref(), Some(info.as_str()));
    assert_eq!(opened.connection, Some(connection(&place.url)));
    assert!(
        !format!("{:?}", opened.connection).contains(PASSWORD),
        "{:?}",
        opened.connection
    );

    let session = Session::new(opened);
    assert_eq!(session.message(), info);
    assert!(
        session.app.is_modified(),
        "a design read from a database is unsaved"
    );
    assert!(session.screen.contains(&info), "{}", session.screen);
    assert!(
        session.screen.contains("blog.ron [+] [new]"),
        "{}",
        session.screen
    );
    for entity in ["users", "posts", "comments", "tags", "posts_tags"] {
        assert!(
            session.screen.contains(entity),
            "{entity}:\n{}",
            session.screen
        );
    }
}

#[test]
fn an_edit_is_previewed_then_applied() {
    let db = database_from("blog.ron");
    let place = place(&db);
    let mut client = db.client();
    let mut s = Session::open_database(&place.url);

    s.command("entity add notes");
    assert_eq!(s.message(), ":entity add notes");
    let effects = s.key('A');
    let job = plan_job(effects, false);
    assert_eq!(job.connection, connection(&place.url));
    assert!(job.design.entity_named("notes").is_some());
    assert!(
        s.screen
            .contains(&format!("planning against {}", place.described)),
        "the status line says what is out:\n{}",
        s.screen
    );

    let reply = s.reply(job);
    assert!(matches!(reply, DbReply::Planned { .. }), "{reply:?}");
    let preview = s.preview();
    assert_eq!(changes(&preview.plan), ["add entity `notes`"]);
    let sql = statements(&preview.plan);
    assert_eq!(sql.len(), 1, "{sql:?}");
    assert!(sql[0].starts_with("CREATE TABLE public.notes ("), "{sql:?}");
    assert_eq!(preview.plan.refusal(), None);
    assert_eq!(preview.note, None);
    assert!(
        !has_table(&mut client, "notes"),
        "a preview changes nothing"
    );
    let planned = preview.plan.clone();
    assert_snapshot!("preview_add_notes", redact(&s.screen, db.name()));

    // `y` applies exactly the plan on show.
    let effects = s.key('y');
    let job = the_job(effects);
    assert_eq!(job.work, Work::Apply { plan: planned });
    assert!(
        s.screen
            .contains(&format!("applying 1 statement(s) to {}", place.described)),
        "the preview says it is applying:\n{}",
        s.screen
    );
    // While it runs, the preview neither closes nor applies again; Esc
    // asks for the job to be cancelled, and the preview stays until the
    // job replies (here it finished first).
    assert!(s.key('y').is_empty());
    assert_eq!(s.press(KeyCode::Esc), [Effect::CancelDatabase]);
    s.preview();

    let reply = s.reply(job);
    assert!(matches!(reply, DbReply::Applied { .. }), "{reply:?}");
    s.assert_normal();
    assert_eq!(
        s.message(),
        format!("applied 1 statement(s) to {}", place.described)
    );
    assert_notes_as_designed(&mut client);

    // Planning again finds nothing to do and shows no preview.
    let effects = s.key('A');
    let reply = s.run(effects);
    assert!(
        matches!(&reply, DbReply::Planned { plan, .. } if plan.is_empty()),
        "{reply:?}"
    );
    s.assert_normal();
    assert_eq!(
        s.message(),
        format!("nothing to apply: {} matches the design", place.described)
    );
}

#[test]
fn what_the_preview_planned_is_not_applied_twice() {
    let db = database_from("blog.ron");
    let place = place(&db);
    let mut client = db.client();
    let mut s = Session::open_database(&place.url);
    s.plan_notes();
    let sql = statements(&s.preview().plan);

    // Someone else runs the very same statements first.
    for statement in &sql {
        client.batch_execute(statement).unwrap();
    }
    let built = columns(&mut client, "notes");

    let effects = s.key('y');
    let reply = s.run(effects);
    assert_eq!(reply, DbReply::NothingToDo);
    s.assert_normal();
    assert_eq!(
        s.message(),
        format!(
            "nothing to apply: {} already matches the design",
            place.described
        )
    );
    assert_eq!(columns(&mut client, "notes"), built);
    assert_eq!(
        tables(&mut client).iter().filter(|t| *t == "notes").count(),
        1
    );
}

#[test]
fn a_database_changed_since_the_preview_shows_the_new_plan() {
    let db = database_from("blog.ron");
    let place = place(&db);
    let mut client = db.client();
    let mut s = Session::open_database(&place.url);
    s.plan_notes();
    assert_eq!(changes(&s.preview().plan), ["add entity `notes`"]);

    // Someone else creates `notes`, without `updated_at` or a key.
    client
        .batch_execute(
            "CREATE TABLE notes (
                 id uuid DEFAULT gen_random_uuid() NOT NULL,
                 created_at timestamptz DEFAULT now() NOT NULL
             )",
        )
        .unwrap();

    let effects = s.key('y');
    let reply = s.run(effects);
    let DbReply::Changed { plan, .. } = &reply else {
        panic!("expected the changed plan, got {reply:?}");
    };
    assert_eq!(
        changes(plan),
        [
            "add field `notes.updated_at` (timestamptz)",
            "add a primary key (id) on `notes`"
        ],
        "{:?}",
        statements(plan)
    );
    // Nothing ran: the table is as the other session left it.
    assert_eq!(
        columns(&mut client, "notes"),
        ["id uuid", "created_at timestamp with time zone"]
    );
    assert!(constraints(&mut client, "notes").is_empty());

    // The preview stays, with the new plan and why it is shown again.
    let preview = s.preview();
    assert_eq!(&preview.plan, plan);
    assert_eq!(preview.scroll, 0);
    let note = preview.note.clone().expect("a note");
    assert!(
        note.starts_with("the database changed since the preview"),
        "{note}"
    );
    assert!(
        s.screen
            .contains("the database changed since the preview: nothing was applied;"),
        "{}",
        s.screen
    );

    // `y` now applies the new plan.
    let effects = s.key('y');
    let job = the_job(effects);
    assert_eq!(job.work, Work::Apply { plan: plan.clone() });
    let reply = s.reply(job);
    assert!(matches!(reply, DbReply::Applied { .. }), "{reply:?}");
    s.assert_normal();
    assert_eq!(
        s.message(),
        format!("applied {} statement(s) to {}", plan.len(), place.described)
    );
    assert_notes_as_designed(&mut client);
}

#[test]
fn a_change_behind_the_preview_that_needs_a_drop_is_refused() {
    let db = database_from("blog.ron");
    let place = place(&db);
    let mut client = db.client();
    let mut s = Session::open_database(&place.url);
    s.plan_notes();
    let sql = statements(&s.preview().plan);

    // Someone else creates `notes` with a column the design lacks: going
    // to the design now means dropping it.
    for statement in &sql {
        client.batch_execute(statement).unwrap();
    }
    client
        .batch_execute("ALTER TABLE notes ADD COLUMN body text")
        .unwrap();

    let effects = s.key('y');
    let reply = s.run(effects);
    assert!(matches!(reply, DbReply::Changed { .. }), "{reply:?}");
    let preview = s.preview();
    assert_eq!(changes(&preview.plan), ["drop field `notes.body`"]);
    assert!(preview.plan.refusal().is_some());
    assert!(preview.note.is_some());
    assert!(s.screen.contains("This plan drops data"), "{}", s.screen);

    assert!(s.key('y').is_empty(), "a refused plan is not applied");
    assert!(s.error().contains(":apply!"), "{}", s.message());
    assert!(columns(&mut client, "notes").contains(&"body text".to_owned()));
}

#[test]
fn a_destructive_plan_needs_apply_bang() {
    let db = database_from("blog.ron");
    let place = place(&db);
    let mut client = db.client();
    let mut s = Session::open_database(&place.url);
    s.command("entity drop tags");

    let effects = s.key('A');
    s.run(effects);
    let preview = s.preview();
    assert!(
        changes(&preview.plan).contains(&"drop entity `tags`".to_owned()),
        "{:?}",
        changes(&preview.plan)
    );
    let refusal = preview.plan.refusal().expect("the plan is refused");
    assert!(refusal.contains("tags"), "{refusal}");
    assert!(
        s.screen
            .contains("This plan drops data, so y does not apply it."),
        "{}",
        s.screen
    );
    assert!(s.screen.contains("Esc closes"), "{}", s.screen);

    assert!(s.key('y').is_empty(), "y does not apply a refused plan");
    let error = s.error();
    assert!(error.contains(":apply!"), "{error}");
    assert!(!error.contains("--allow-destructive"), "{error}");
    s.preview();

    assert!(s.press(KeyCode::Esc).is_empty());
    s.assert_normal();
    assert_eq!(s.message(), "not applied: nothing was changed");
    assert!(has_table(&mut client, "tags"));

    let effects = s.command("apply!");
    let job = plan_job(effects, true);
    s.reply(job);
    let preview = s.preview();
    assert_eq!(preview.plan.refusal(), None);
    assert!(preview.plan.is_destructive());
    assert!(s.screen.contains("y applies"), "{}", s.screen);

    // `y` asks for exactly that plan, drops accepted.
    let planned = preview.plan.clone();
    let effects = s.key('y');
    let job = the_job(effects);
    assert!(planned.options.allow_destructive);
    assert_eq!(job.work, Work::Apply { plan: planned });
    assert!(
        has_table(&mut client, "tags"),
        "nothing runs before the job"
    );
}

/// A plan that drops something can be applied after `:apply!` and `y`,
/// although what the design does not hold (here the `tags` table and the
/// foreign key to it) gets fresh ids at every inspection: the re-plan
/// under the lock is compared by its statements.
#[test]
fn apply_bang_then_y_drops_the_table() {
    let db = database_from("blog.ron");
    let place = place(&db);
    let mut client = db.client();
    let mut s = Session::open_database(&place.url);
    s.command("entity drop tags");
    let effects = s.command("apply!");
    s.run(effects);
    assert_eq!(s.preview().plan.refusal(), None);

    let effects = s.key('y');
    let reply = s.run(effects);
    let DbReply::Applied { plan } = &reply else {
        panic!("expected the drop applied, got {reply:?}");
    };
    s.assert_normal();
    assert_eq!(
        s.message(),
        format!("applied {} statement(s) to {}", plan.len(), place.described)
    );
    assert!(!has_table(&mut client, "tags"));
    assert!(
        !constraints(&mut client, "posts_tags")
            .iter()
            .any(|c| c.contains("REFERENCES tags")),
        "{:?}",
        constraints(&mut client, "posts_tags")
    );
}

/// The same with nothing destructive: an index made behind the design's
/// back is dropped by the plan, and `y` should drop it.
#[test]
fn a_plan_dropping_an_index_applies() {
    let db = database_from("blog.ron");
    let place = place(&db);
    let mut client = db.client();
    let mut s = Session::open_database(&place.url);
    client
        .batch_execute("CREATE INDEX posts_title_idx ON posts (title)")
        .unwrap();
    let effects = s.key('A');
    s.run(effects);
    assert_eq!(
        changes(&s.preview().plan),
        ["drop index `posts_title_idx` on `posts`"]
    );
    assert_eq!(s.preview().plan.refusal(), None);

    let effects = s.key('y');
    let reply = s.run(effects);
    assert!(matches!(reply, DbReply::Applied { .. }), "{reply:?}");
    let left: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'posts_title_idx'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
}

#[test]
fn a_plan_for_an_older_design_is_dropped() {
    let db = database_from("blog.ron");
    let place = place(&db);
    let mut client = db.client();
    let mut s = Session::open_database(&place.url);
    s.command("entity add notes");
    let effects = s.key('A');
    let stale = plan_job(effects, false);

    s.command("field add notes.body text not null");
    let reply = s.reply(stale);
    assert!(
        matches!(&reply, DbReply::Planned { plan, .. } if !plan.is_empty()),
        "{reply:?}"
    );
    s.assert_normal();
    assert_eq!(
        s.message(),
        "the design changed while planning; A plans it again"
    );
    assert!(!has_table(&mut client, "notes"));

    // Planning again plans the design as it is now.
    let effects = s.key('A');
    s.run(effects);
    let sql = statements(&s.preview().plan).join("\n");
    assert!(sql.contains("body text NOT NULL"), "{sql}");
}

#[test]
fn a_server_that_cannot_be_reached_fails_without_the_password() {
    let url = format!("postgres://postgres:{PASSWORD}@127.0.0.1:1/nowhere");
    let mut opened = Opened::new("/nowhere/blog.ron", shipped("blog.ron"));
    opened.connection = Some(connection(&url));
    let mut s = Session::new(opened);

    let effects = s.key('A');
    let reply = s.run(effects);
    let DbReply::Failed(error) = &reply else {
        panic!("expected a failure, got {reply:?}");
    };
    assert!(!error.contains(PASSWORD), "{error}");
    assert!(error.contains("127.0.0.1:1"), "{error}");
    s.assert_normal();
    assert_eq!(&s.error(), error);

    // Nothing stays out: the next `A` asks again.
    let effects = s.key('A');
    plan_job(effects, false);
}

/// Esc or Ctrl-C while a job runs asks the runner to cancel it; a form
/// opened meanwhile keeps its own Esc; the cancelled reply is said and
/// the next `A` plans again.
#[test]
fn esc_and_ctrl_c_cancel_a_running_job_but_not_from_a_form() {
    let url = format!("postgres://postgres:{PASSWORD}@127.0.0.1:1/nowhere");
    let mut opened = Opened::new("/nowhere/blog.ron", shipped("blog.ron"));
    opened.connection = Some(connection(&url));
    let mut s = Session::new(opened);

    plan_job(s.key('A'), false);
    assert!(s.screen.contains("Esc cancels"), "{}", s.screen);
    assert_eq!(s.press(KeyCode::Esc), [Effect::CancelDatabase]);
    assert_eq!(s.message(), "cancelling …");
    assert!(!s.screen.contains("Esc cancels"), "{}", s.screen);
    // News from the job is stale once it is being cancelled.
    s.update(Msg::DatabaseProgress("waiting 1.0 s for ...".into()));
    assert_eq!(s.message(), "cancelling …");
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(s.update(Msg::Key(ctrl_c)), [Effect::CancelDatabase]);

    // A form open meanwhile: Esc closes it and cancels nothing.
    s.key('a');
    assert!(matches!(s.app.mode(), Mode::Form(_)), "{:?}", s.app.mode());
    assert!(s.press(KeyCode::Esc).is_empty());
    s.assert_normal();

    let said = "cancelled: nothing was planned or applied";
    s.update(Msg::Database(DbReply::Cancelled(said.into())));
    assert_eq!(s.message(), said);
    assert_eq!(s.app.message().unwrap().kind, MessageKind::Info);
    s.assert_normal();
    plan_job(s.key('A'), false);
}

#[test]
fn a_database_gone_before_y_fails_and_closes_the_preview() {
    let db = database_from("blog.ron");
    let place = place(&db);
    let name = db.name().to_owned();
    let mut s = Session::open_database(&place.url);
    s.plan_notes();
    s.preview();

    drop(db);
    let effects = s.key('y');
    let reply = s.run(effects);
    let DbReply::Failed(error) = &reply else {
        panic!("expected a failure, got {reply:?}");
    };
    assert!(
        error.contains(&format!("`{name}` does not exist")),
        "{error}"
    );
    assert!(!error.contains(PASSWORD), "{error}");
    s.assert_normal();
    assert_eq!(&s.error(), error);
}

#[test]
fn a_second_plan_waits_for_the_first() {
    let db = database_from("blog.ron");
    let place = place(&db);
    let mut s = Session::open_database(&place.url);
    s.command("entity add notes");
    let effects = s.key('A');
    let first = plan_job(effects, false);

    let busy = format!(
        "still planning against {}; wait for it to finish",
        place.described
    );
    assert!(s.key('A').is_empty(), "no second job");
    assert_eq!(s.error(), busy);
    assert!(s.update(Msg::Command("apply".into())).is_empty());
    assert_eq!(s.error(), busy);
    assert!(s.update(Msg::Command("apply!".into())).is_empty());
    assert_eq!(s.error(), busy);

    s.reply(first);
    assert_eq!(changes(&s.preview().plan), ["add entity `notes`"]);
}
