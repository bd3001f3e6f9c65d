//! The terminal designer, in the Elm architecture: [`App`] is the state,
//! [`App::update`] turns a [`Msg`] into a new state and a list of
//! [`Effect`]s, [`view::draw`] paints the state and changes nothing. This
//! module is the runner around them: it owns the terminal and the disk,
//! turns terminal events into messages and carries out the effects.

mod app;
pub mod database;
pub mod diagram;
pub mod form;
pub mod keymap;
mod msg;
pub mod recovery;
mod reload;
pub mod theme;
pub mod view;

use std::collections::VecDeque;
use std::io::{self, Stdout};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyEventKind, MouseEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

pub use app::{
    App, Choice, LineInput, Message, MessageKind, Mode, Opened, Pane, Prompt, PromptAction,
    RECOVERY_IDLE, Screen,
};
pub use database::{Connection, DbJob, DbReply, Preview};
pub use msg::{CheckJob, Effect, Msg, SaveKind};

use crate::core::check::Checked;
use crate::core::model::Design;

/// How often the clock ticks while no key is pressed.
const TICK: Duration = Duration::from_millis(250);
/// How often to look for the checks' results while they run.
const CHECK_POLL: Duration = Duration::from_millis(5);

/// Opens a design file for editing: loads it, or starts an empty design
/// named after it when it does not exist, and looks for a recovery file.
pub fn open(path: &Path) -> Result<Opened, String> {
    let (design, source) = if path.exists() {
        let (design, source) = crate::file::load_with_source(path).map_err(|e| e.to_string())?;
        (design, Some(source))
    } else {
        let name = path
            .file_stem()
            .map_or("design".into(), |s| s.to_string_lossy().into_owned());
        (Design::new(name), None)
    };
    let mut opened = Opened::new(path, design);
    opened.is_new = source.is_none();
    opened.source = source;
    offer_recovery(&mut opened);
    Ok(opened)
}

/// Opens a design read from a live schema, to be written to `path` (a
/// file that does not exist yet) on the first save; `:apply` applies back
/// to the same schema.
pub fn open_database(
    path: &Path,
    connection: Connection,
    progress: impl Fn(&str),
) -> Result<Opened, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let target = &connection.target;
    progress(&format!("connecting to {} ...", target.describe()));
    let inspection = runtime.block_on(async {
        let mut client = target
            .connect(crate::db::DEFAULT_CONNECT_TIMEOUT)
            .await
            .map_err(|e| e.to_string())?;
        progress(&format!("reading schema `{}` ...", connection.schema));
        crate::db::record::inspect_with_ids(&mut client, &connection.schema)
            .await
            .map_err(|e| e.to_string())
    })?;
    let mut design = inspection.design;
    design.name = target.design_name(&connection.schema);
    let mut info = format!(
        "read {} entities from {}",
        design.entity_count(),
        connection.describe()
    );
    if !inspection.not_held.is_empty() {
        info.push_str(&format!(
            "; {} object(s) the design does not hold ({}); `plinth inspect` lists them",
            inspection.not_held.len(),
            kinds(&inspection.not_held)
        ));
    }
    let mut opened = Opened::new(path, design);
    opened.is_new = true;
    opened.unsaved = true;
    opened.info = Some(info);
    opened.connection = Some(connection);
    offer_recovery(&mut opened);
    Ok(opened)
}

/// `3 views, 1 function`: what an inspection left out, by kind.
fn kinds(not_held: &[crate::db::NotHeld]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for item in not_held {
        match counts.iter_mut().find(|(kind, _)| *kind == item.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((&item.kind, 1)),
        }
    }
    counts
        .iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Offers a recovery file beside the design's path when it holds changes
/// the opened design does not.
fn offer_recovery(opened: &mut Opened) {
    let path = opened.path.clone();
    let path = path.as_path();
    match recovery::find(path) {
        recovery::Found::None | recovery::Found::Older(_) => {}
        // Nothing to offer when it holds what the file holds.
        recovery::Found::Newer(design) if *design == opened.design => {
            let _ = recovery::remove(&recovery::path_for(path));
        }
        recovery::Found::Newer(design) => opened.recovery = Some(*design),
        recovery::Found::Unreadable(at, e) => {
            opened.note = Some(format!(
                "the recovery file {} could not be read ({e}); it is left as it is",
                at.display()
            ));
        }
    }
}

/// Runs the designer until the user quits. On a panic the terminal is
/// restored first, unsaved work goes to the recovery file and the panic
/// goes on with where the file is said on stderr.
pub fn run(opened: Opened) -> io::Result<()> {
    let (theme, theme_note) = theme::Theme::load();
    let mut app = App::checking_in_background(opened).with_theme(theme);
    install_panic_hook();
    let mut terminal = enter()?;
    let size = terminal.size()?;
    let mut workers = Workers {
        checker: Checker::start(),
        database: DatabaseWorker::start(),
        recovery: recovery::Writer::start(),
    };
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        // The first check's job goes out with these, so the first frame
        // does not wait for it.
        let mut quit = dispatch(&mut app, Msg::Resize(size.width, size.height), &workers);
        if let Some(note) = theme_note {
            quit |= dispatch(&mut app, Msg::Note(note), &workers);
        }
        if quit {
            return Ok(());
        }
        event_loop(&mut terminal, &mut app, &workers)
    }));
    leave();
    // What the recovery file is waiting for lands (or is removed) before
    // the designer exits or writes it below.
    workers.recovery.finish();
    match outcome {
        Ok(result) => result,
        Err(panic) => {
            if app.is_modified() {
                let path = recovery::path_for(app.path());
                let text = crate::file::to_text(app.design());
                match recovery::write(&path, &text) {
                    Ok(()) => eprintln!(
                        "plinth: your unsaved changes are in {}; `plinth edit {}` offers them",
                        path.display(),
                        app.path().display()
                    ),
                    Err(e) => eprintln!("plinth: could not write {}: {e}", path.display()),
                }
            }
            panic::resume_unwind(panic)
        }
    }
}

fn enter() -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(e) = execute!(
        stdout,
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableMouseCapture
    ) {
        leave();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(stdout))
}

/// Puts the terminal back as it was; safe to call more than once.
fn leave() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
}

/// Restores the terminal before the panic message is printed, so it is
/// readable and the shell is usable afterwards.
fn install_panic_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
}

/// The check worker: a thread that runs the newest job it is given (older
/// ones still queued are skipped) and sends back what it found.
struct Checker {
    jobs: Sender<CheckJob>,
    results: Receiver<Msg>,
}

impl Checker {
    fn start() -> Checker {
        let (jobs, inbox) = mpsc::channel::<CheckJob>();
        let (outbox, results) = mpsc::channel();
        thread::spawn(move || {
            let mut last = Checked::default();
            while let Ok(mut job) = inbox.recv() {
                // Only the newest job runs, with what the skipped ones
                // changed as well.
                while let Ok(mut newer) = inbox.try_recv() {
                    newer.scope.join(job.scope);
                    job = newer;
                }
                if outbox.send(job.run(&mut last)).is_err() {
                    break;
                }
            }
        });
        Checker { jobs, results }
    }
}

/// The database thread: runs one job at a time, in the order given,
/// sending back what each is waiting for and what it did. Database work
/// never runs on the input path, so the designer stays responsive while
/// a server is slow or a lock is held, and a job can be cancelled.
struct DatabaseWorker {
    jobs: Sender<Box<DbJob>>,
    results: Receiver<Msg>,
    /// Set to cancel the job running; cleared as each job is sent.
    cancel: Arc<AtomicBool>,
    /// Whether a job is running now.
    running: Arc<AtomicBool>,
}

impl DatabaseWorker {
    fn start() -> DatabaseWorker {
        let (jobs, inbox) = mpsc::channel::<Box<DbJob>>();
        let (outbox, results) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let running = Arc::new(AtomicBool::new(false));
        let (flag, busy) = (Arc::clone(&cancel), Arc::clone(&running));
        thread::spawn(move || {
            while let Ok(job) = inbox.recv() {
                busy.store(true, Ordering::SeqCst);
                let progress = outbox.clone();
                let reply = job.run_cancellable(
                    move |text| {
                        let _ = progress.send(Msg::DatabaseProgress(text));
                    },
                    &flag,
                );
                busy.store(false, Ordering::SeqCst);
                if outbox.send(Msg::Database(reply)).is_err() {
                    break;
                }
            }
        });
        DatabaseWorker {
            jobs,
            results,
            cancel,
            running,
        }
    }

    fn send(&self, job: Box<DbJob>) -> Result<(), mpsc::SendError<Box<DbJob>>> {
        self.cancel.store(false, Ordering::SeqCst);
        self.jobs.send(job)
    }

    fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// On the way out: a job still running is cancelled, so no statement
    /// of ours is left waiting on the server, and given a moment to roll
    /// back.
    fn stop(&self) {
        if self.running.load(Ordering::SeqCst) {
            self.cancel();
            let deadline = Instant::now() + STOP_GRACE;
            while self.running.load(Ordering::SeqCst) && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// How long quitting waits for a cancelled database job to stop.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// The threads that work off the input path.
struct Workers {
    checker: Checker,
    database: DatabaseWorker,
    recovery: recovery::Writer,
}

fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    app: &mut App,
    workers: &Workers,
) -> io::Result<()> {
    loop {
        terminal.draw(|frame| view::draw(app, frame))?;
        let mut messages = vec![Msg::Tick(Instant::now())];
        let wait = if app.checks_pending() {
            CHECK_POLL
        } else {
            TICK
        };
        if event::poll(wait)? {
            // Take everything already waiting (a paste, fast typing)
            // before drawing again.
            loop {
                if let Some(msg) = message(event::read()?) {
                    messages.push(msg);
                }
                if messages.len() > 256 || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        messages.extend(workers.checker.results.try_iter());
        messages.extend(workers.database.results.try_iter());
        messages.extend(workers.recovery.results.try_iter());
        for msg in messages {
            if dispatch(app, msg, workers) {
                workers.database.stop();
                return Ok(());
            }
        }
    }
}

fn message(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Mouse(mouse) if mouse.kind != MouseEventKind::Moved => Some(Msg::Mouse(mouse)),
        _ => None,
    }
}

/// Feeds one message to the app and carries out its effects, feeding
/// their outcomes back. Returns whether the app asked to quit.
fn dispatch(app: &mut App, msg: Msg, workers: &Workers) -> bool {
    let mut queue = VecDeque::from([msg]);
    let mut quit = false;
    while let Some(msg) = queue.pop_front() {
        for effect in app.update(msg) {
            match effect {
                Effect::Save {
                    path,
                    text,
                    kind,
                    expect,
                    backup,
                } => {
                    let result = crate::file::write(&path, &text, expect, backup);
                    queue.push_back(Msg::Saved { path, kind, result });
                }
                Effect::Reload { path } => {
                    let result = crate::file::load_with_source(&path)
                        .map(|(design, source)| (Box::new(design), source))
                        .map_err(|e| e.to_string());
                    queue.push_back(Msg::Reloaded(result));
                }
                Effect::WriteRecovery { path, design } => {
                    workers.recovery.send(recovery::Job::Write { path, design });
                }
                Effect::RemoveRecovery { path } => {
                    workers.recovery.send(recovery::Job::Remove { path });
                }
                Effect::RunChecks(job) => {
                    // Should the worker be gone, check here rather than never.
                    if let Err(mpsc::SendError(job)) = workers.checker.jobs.send(job) {
                        // A fresh start: a full check.
                        queue.push_back(job.run(&mut Checked::default()));
                    }
                }
                Effect::Database(job) => {
                    if workers.database.send(job).is_err() {
                        queue.push_back(Msg::Database(DbReply::Failed(
                            "the database thread has stopped; save and restart plinth".into(),
                        )));
                    }
                }
                Effect::CancelDatabase => workers.database.cancel(),
                Effect::Quit => quit = true,
            }
        }
    }
    quit
}
