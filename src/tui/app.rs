//! The designer's state and the one function that changes it,
//! [`App::update`]. Keys become [`Action`]s through the keymap, commands
//! become [`Edit`]s through the command language, and every edit goes
//! through the [`History`] so it can be undone; checks re-run after each
//! one, here rather than while drawing. Nothing here touches the terminal
//! or the disk: what needs the outside world is returned as an [`Effect`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use super::database::{Connection, DbJob, DbReply, Preview, Work};
use super::diagram::Diagram;
use super::form::{Form, FormKind};
use super::keymap::{self, Action, Context, Key};
use super::msg::{CheckJob, Effect, Msg, SaveKind};
use super::recovery;
use super::reload;
use super::theme::Theme;
use super::view;
use crate::core::check::{Checked, Finding, Scope, Severity};
use crate::core::command::{self, Command};
use crate::core::edit::Edit;
use crate::core::history::History;
use crate::core::ids::{EntityId, FieldId, IdGen};
use crate::core::model::{Design, Entity, Location};
use crate::file::comments::{self, Lost};
use crate::file::{Backup, Expect, Problem, SaveError, SaveOutcome, Saved};

/// How long the design must sit modified and untouched before the
/// recovery file is written.
pub const RECOVERY_IDLE: Duration = Duration::from_secs(2);

/// A design file opened for editing, as the runner found it on disk.
pub struct Opened {
    pub path: PathBuf,
    pub design: Design,
    /// The file did not exist: it is written on the first save.
    pub is_new: bool,
    /// A newer recovery file's design, to offer before anything else.
    pub recovery: Option<Design>,
    /// Something to say on the first screen (e.g. an unreadable recovery file).
    pub note: Option<String>,
    /// Where the design came from, said on the first screen when there is
    /// nothing wrong to say (e.g. the database it was inspected from).
    pub info: Option<String>,
    /// The database `:apply` applies to; without one, `DATABASE_URL` is
    /// read when it is needed.
    pub connection: Option<Connection>,
    /// The design is not what the file holds (it was read from a
    /// database): it shows as modified until it is saved.
    pub unsaved: bool,
    /// The file's text as it was read: its comments go back into every
    /// save, and a save is refused if the file no longer holds it.
    /// `None` for a file that does not exist yet.
    pub source: Option<String>,
}

impl Opened {
    /// A design opened from `path` with no recovery file.
    pub fn new(path: impl Into<PathBuf>, design: Design) -> Self {
        Opened {
            path: path.into(),
            design,
            is_new: false,
            recovery: None,
            note: None,
            info: None,
            connection: None,
            unsaved: false,
            source: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Entities,
    Fields,
    Findings,
}

impl Pane {
    pub fn context(self) -> Context {
        match self {
            Pane::Entities => Context::Entities,
            Pane::Fields => Context::Fields,
            Pane::Findings => Context::Findings,
        }
    }
}

/// What fills the screen above the status bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// The entity list, the selected entity and the findings.
    Lists,
    Diagram,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    Normal,
    /// Typing a `:` command.
    Command(LineInput),
    /// Typing the entity filter after `/`.
    Filter(LineInput),
    Help {
        scroll: u16,
    },
    /// A question that must be answered before anything else.
    Prompt(Prompt),
    /// A form over the screen.
    Form(Box<Form>),
    /// A migration plan, shown before it is applied to the database.
    Preview(Box<Preview>),
    /// Typing the path to save the design to instead of its own file.
    SaveAs(LineInput),
}

/// A line being typed, with a cursor, history browsing and completion.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineInput {
    pub text: String,
    /// Byte offset of the cursor in `text`.
    pub cursor: usize,
    /// Which history entry is shown while browsing, and the line typed
    /// before browsing began.
    history: Option<usize>,
    stash: String,
    /// Completion candidates on show, and the one in the line while
    /// Tab cycles through them.
    pub candidates: Vec<String>,
    cycle: Option<(usize, usize)>,
}

impl LineInput {
    pub(crate) fn new(text: &str) -> Self {
        LineInput {
            text: text.to_owned(),
            cursor: text.len(),
            ..LineInput::default()
        }
    }

    pub(crate) fn set(&mut self, text: String) {
        self.cursor = text.len();
        self.text = text;
    }

    pub(crate) fn insert(&mut self, s: &str) {
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
    }

    /// Replaces everything from byte `start` on, leaving the cursor at the end.
    fn replace_from(&mut self, start: usize, s: &str) {
        self.text.truncate(start);
        self.text.push_str(s);
        self.cursor = self.text.len();
    }

    pub(crate) fn left(&self) -> usize {
        self.text[..self.cursor]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    pub(crate) fn right(&self) -> usize {
        self.text[self.cursor..]
            .chars()
            .next()
            .map_or(self.cursor, |c| self.cursor + c.len_utf8())
    }
}

/// A question with its answers; Esc picks the `Cancel` answer if there
/// is one (a destructive action is only ever one explicit key away).
#[derive(Clone, Debug, PartialEq)]
pub struct Prompt {
    pub title: String,
    pub text: String,
    pub choices: Vec<Choice>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub key: char,
    pub label: String,
    pub action: PromptAction,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PromptAction {
    Quit,
    SaveAndQuit,
    DropEntity(EntityId),
    DropField(EntityId, FieldId),
    RestoreRecovery,
    DiscardRecovery,
    /// Take the version on disk of a file that changed (undoably).
    Reload,
    /// Write over the file, which must still hold what the prompt saw.
    Overwrite(Expect),
    /// Ask for another path to save to.
    SaveElsewhere,
    Cancel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub kind: MessageKind,
}

/// The whole state of the designer.
pub struct App {
    // The document. Shared with the check worker, copied on write.
    pub(crate) path: PathBuf,
    pub(crate) design: Arc<Design>,
    pub(crate) history: History,
    pub(crate) is_new: bool,
    ids: IdGen,

    // What the checks found, kept from the last edit.
    /// Counts every change to the design; check results carry the one
    /// they were run on, so results overtaken by an edit are dropped.
    generation: u64,
    /// The generation the findings are for.
    checked: u64,
    /// The generation last handed to the worker, when checks run there.
    requested: u64,
    /// What the edits since the last check (or the last job handed to the
    /// worker) can have changed findings of.
    scope: Scope,
    /// The last inline check, to re-check only what an edit touched.
    rechecker: Checked,
    /// Where the worker's fixes draw fresh ids from: `None` checks
    /// inline, in `update`.
    background: Option<u64>,
    pub(crate) findings: Vec<Finding>,
    /// Findings to show, by index: the selected entity's first, then the
    /// others, then those the design allows.
    pub(crate) finding_order: Vec<usize>,
    /// Per entity: the worst severity among its findings and their number.
    pub(crate) marks: HashMap<EntityId, (Severity, usize)>,
    /// Findings not allowed, by severity: info, warning, error.
    pub(crate) counts: [usize; 3],

    // The screen.
    pub(crate) theme: Theme,
    pub(crate) size: (u16, u16),
    pub(crate) screen: Screen,
    /// The diagram's layout, for the generation it was made from; made
    /// when the diagram is shown and the design has changed since.
    pub(crate) diagram: Option<Diagram>,
    diagram_generation: u64,
    /// The diagram's point at the window's top left corner.
    pub(crate) diagram_offset: (i32, i32),
    pub(crate) focus: Pane,
    pub(crate) mode: Mode,
    pub(crate) message: Option<Message>,
    pub(crate) filter: String,
    /// The entities the filter lets through, as graph nodes in design order.
    pub(crate) visible: Vec<petgraph::stable_graph::NodeIndex>,
    pub(crate) selected: Option<EntityId>,
    pub(crate) entity_cursor: usize,
    pub(crate) entity_offset: usize,
    pub(crate) field_cursor: usize,
    pub(crate) finding_cursor: usize,
    pub(crate) finding_offset: usize,
    command_history: Vec<String>,

    // Saving, quitting and the recovery file.
    quit_after_save: bool,
    pending_recovery: Option<Box<Design>>,
    now: Instant,
    last_edit: Option<Instant>,
    /// The revision whose text the recovery file holds.
    recovery_revision: Option<u64>,
    recovery_on_disk: bool,
    /// What the design's file held when it was read or last saved; a
    /// save expects to find it there still.
    disk: Expect,
    /// That text, whose comments every save puts back.
    source: String,
    /// The text of the save under way and the comments it has no place
    /// for, until the runner says how it went.
    pending_save: Option<(String, Vec<Lost>)>,
    /// A save left comments out, and the backup holds them: later saves
    /// of this session leave that backup alone.
    comments_in_backup: bool,

    // The database.
    pub(crate) connection: Option<Connection>,
    /// What the database job out now is doing, and since when.
    pub(crate) busy: Option<(String, Instant)>,
    /// A plan that came back while a form, prompt or line was open, shown
    /// on the next `A` if the design has not changed since.
    ready: Option<Box<Preview>>,
}

impl App {
    pub fn new(opened: Opened) -> Self {
        App::with_ids(opened, IdGen::random())
    }

    /// An app that checks off the input path from the start, as the
    /// designer runs: the first frame is drawn before the first check,
    /// whose job is the first [`Effect::RunChecks`] `update` returns.
    pub fn checking_in_background(opened: Opened) -> Self {
        App::build(opened, IdGen::random(), true)
    }

    /// An app whose fresh ids come from `ids` (seeded in tests).
    pub fn with_ids(opened: Opened, ids: IdGen) -> Self {
        App::build(opened, ids, false)
    }

    fn build(opened: Opened, mut ids: IdGen, background: bool) -> Self {
        // Two passes over a large design (45 ms each at 50,000 entities)
        // before the first frame: on two cores at once.
        let disk = std::thread::scope(|scope| {
            let disk = scope.spawn(|| match (&opened.source, opened.is_new) {
                (Some(text), _) => Expect::holding(text),
                (None, true) => Expect::Absent,
                // Built in memory with no file text to go by.
                (None, false) => Expect::Anything,
            });
            ids.avoid_design(&opened.design);
            disk.join().expect("hashing the file does not panic")
        });
        let mut app = App {
            path: opened.path,
            design: Arc::new(opened.design),
            history: if opened.unsaved {
                History::unsaved()
            } else {
                History::new()
            },
            is_new: opened.is_new,
            ids,
            generation: 0,
            checked: 0,
            requested: 0,
            scope: Scope::Everything,
            rechecker: Checked::default(),
            background: None,
            findings: Vec::new(),
            finding_order: Vec::new(),
            marks: HashMap::new(),
            counts: [0; 3],
            theme: Theme::default(),
            size: (80, 24),
            screen: Screen::Lists,
            diagram: None,
            diagram_generation: 0,
            diagram_offset: (0, 0),
            focus: Pane::Entities,
            mode: Mode::Normal,
            message: None,
            filter: String::new(),
            visible: Vec::new(),
            selected: None,
            entity_cursor: 0,
            entity_offset: 0,
            field_cursor: 0,
            finding_cursor: 0,
            finding_offset: 0,
            command_history: Vec::new(),
            quit_after_save: false,
            pending_recovery: None,
            now: Instant::now(),
            last_edit: None,
            recovery_revision: None,
            recovery_on_disk: false,
            disk,
            source: opened.source.unwrap_or_default(),
            pending_save: None,
            comments_in_backup: false,
            connection: opened.connection,
            busy: None,
            ready: None,
        };
        if background {
            app = app.with_background_checks();
        }
        app.recheck();
        app.refilter();
        if let Some(note) = opened.note {
            app.error(note);
        } else if let Some(info) = opened.info {
            app.info(info);
        } else if app.is_new {
            app.info(format!(
                "new design {}: it is written on the first :w",
                app.file_name()
            ));
        }
        if let Some(recovered) = opened.recovery {
            app.recovery_on_disk = true;
            app.pending_recovery = Some(Box::new(recovered));
            app.mode = Mode::Prompt(Prompt {
                title: "Recovered changes".into(),
                text: format!(
                    "{} holds unsaved changes to {} from a session that did not end cleanly, newer than the file.",
                    recovery::path_for(&app.path).display(),
                    app.file_name()
                ),
                choices: vec![
                    Choice {
                        key: 'r',
                        label: "restore them".into(),
                        action: PromptAction::RestoreRecovery,
                    },
                    Choice {
                        key: 'd',
                        label: "discard them".into(),
                        action: PromptAction::DiscardRecovery,
                    },
                ],
            });
        }
        app
    }

    pub fn with_theme(mut self, theme: Theme) -> Self {
        self.theme = theme;
        self
    }

    /// Runs the checks off the input path from now on: after a change,
    /// `update` returns [`Effect::RunChecks`] and the findings come back
    /// as [`Msg::Checked`]; until then the last findings stay on show.
    pub fn with_background_checks(mut self) -> Self {
        let probe = self.ids.check();
        self.background = Some(probe.as_str().bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        }));
        self
    }

    /// Whether the findings on show are for an earlier design than the
    /// one being edited (checks are running in the background).
    pub fn checks_pending(&self) -> bool {
        self.checked != self.generation
    }

    /// Whether no check has finished yet: there are no findings to show,
    /// not a design without any.
    pub fn never_checked(&self) -> bool {
        self.checked == 0
    }

    pub fn design(&self) -> &Design {
        &self.design
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn is_modified(&self) -> bool {
        self.history.is_modified()
    }

    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    pub fn focus(&self) -> Pane {
        self.focus
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    pub fn selected_entity(&self) -> Option<&Entity> {
        self.selected.as_ref().and_then(|id| self.design.entity(id))
    }

    /// The finding under the cursor in the findings pane.
    pub fn selected_finding(&self) -> Option<&Finding> {
        self.finding_order
            .get(self.finding_cursor)
            .map(|&i| &self.findings[i])
    }

    pub(crate) fn file_name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// The context whose keys apply now, for hints.
    pub(crate) fn context(&self) -> Context {
        match self.mode {
            Mode::Normal | Mode::Prompt(_) => self.normal_context(),
            Mode::Command(_) | Mode::Filter(_) | Mode::SaveAs(_) => Context::Line,
            Mode::Help { .. } => Context::Help,
            Mode::Form(_) => Context::Form,
            Mode::Preview(_) => Context::Plan,
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut fx = Vec::new();
        match msg {
            Msg::Key(key) => self.key(key, &mut fx),
            Msg::Paste(text) => {
                let text = text.replace(['\r', '\n'], " ");
                match &mut self.mode {
                    Mode::Command(input) | Mode::SaveAs(input) => input.insert(&text),
                    Mode::Filter(input) => {
                        input.insert(&text);
                        self.filter = input.text.clone();
                        self.refilter();
                    }
                    _ => {}
                }
            }
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.scroll();
            }
            Msg::Tick(now) => {
                self.now = now;
                self.idle(&mut fx);
            }
            Msg::Command(line) => self.run_command(&line, &mut fx),
            Msg::Saved { path, kind, result } => self.saved(path, kind, result, &mut fx),
            Msg::Reloaded(result) => self.reloaded(result),
            Msg::RecoveryFailed(e) => {
                self.error(format!("could not write the recovery file: {e}"));
            }
            Msg::Note(text) => self.error(text),
            Msg::Database(reply) => self.database_replied(reply),
            // Once cancelling, the job's own news is stale.
            Msg::DatabaseProgress(_) if self.cancelling() => {}
            Msg::DatabaseProgress(text) => self.info(text),
            Msg::Mouse(event) => self.mouse(event),
            Msg::Checked {
                generation,
                findings,
                diagram,
            } => {
                if generation == self.generation {
                    if let Some(diagram) = diagram
                        && (self.diagram.is_none() || self.diagram_generation != generation)
                    {
                        self.diagram = Some(*diagram);
                        self.diagram_generation = generation;
                    }
                    self.install(findings);
                    self.order_findings();
                    self.finding_cursor = self
                        .finding_cursor
                        .min(self.finding_order.len().saturating_sub(1));
                    self.scroll();
                }
            }
        }
        if self.screen == Screen::Diagram {
            self.keep_diagram();
        }
        if let Some(seed) = self.background
            && self.checks_pending()
            && self.requested != self.generation
        {
            self.requested = self.generation;
            fx.push(Effect::RunChecks(CheckJob {
                generation: self.generation,
                design: Arc::clone(&self.design),
                scope: std::mem::replace(&mut self.scope, Scope::none()),
                seed: seed ^ self.generation.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                // Laid out on the worker while the lists are on show, so
                // `v` finds it ready; on the diagram it is laid out here.
                lay_out: self.screen == Screen::Lists,
            }));
        }
        fx
    }

    /// The context of the keys on the main screen.
    fn normal_context(&self) -> Context {
        match self.screen {
            Screen::Lists => self.focus.context(),
            Screen::Diagram => Context::Diagram,
        }
    }

    // ---- Keys ------------------------------------------------------------

    fn key(&mut self, event: KeyEvent, fx: &mut Vec<Effect>) {
        if event.kind == KeyEventKind::Release {
            return;
        }
        let key = Key::of(&event);
        // Esc and Ctrl-C stop a database job where it was started (the
        // main screen or the plan); a form or line open meanwhile keeps
        // its own Esc.
        if self.busy.is_some()
            && matches!(self.mode, Mode::Normal | Mode::Preview(_))
            && (key == Key::code(KeyCode::Esc) || key == Key::ctrl('c'))
        {
            return self.cancel_job(fx);
        }
        match &self.mode {
            Mode::Prompt(prompt) => {
                let chosen = prompt.choices.iter().find(|c| match key.code {
                    KeyCode::Esc => c.action == PromptAction::Cancel,
                    KeyCode::Char(ch) => !key.ctrl && ch.eq_ignore_ascii_case(&c.key),
                    _ => false,
                });
                if let Some(choice) = chosen {
                    let action = choice.action.clone();
                    self.mode = Mode::Normal;
                    self.answer(action, fx);
                }
            }
            Mode::Help { scroll } => {
                let scroll = *scroll;
                match keymap::lookup(Context::Help, key) {
                    Some(Action::Down) => {
                        let screen = Rect::new(0, 0, self.size.0, self.size.1);
                        self.mode = Mode::Help {
                            scroll: (scroll + 1).min(view::help::max_scroll(screen)),
                        }
                    }
                    Some(Action::Up) => {
                        self.mode = Mode::Help {
                            scroll: scroll.saturating_sub(1),
                        }
                    }
                    Some(Action::CloseHelp) => self.mode = Mode::Normal,
                    _ => {}
                }
            }
            Mode::Command(_) | Mode::Filter(_) | Mode::SaveAs(_) => self.line_key(key, fx),
            Mode::Form(_) => self.form_key(key),
            Mode::Preview(_) => self.preview_key(key, fx),
            Mode::Normal => {
                self.message = None;
                if let Some(action) = keymap::lookup(self.normal_context(), key) {
                    match self.screen {
                        Screen::Diagram => self.act_in_diagram(action, fx),
                        Screen::Lists => self.act(action, fx),
                    }
                }
            }
        }
    }

    fn act(&mut self, action: Action, fx: &mut Vec<Effect>) {
        match action {
            Action::Quit => self.quit(false, fx),
            Action::Save => self.save(None, fx),
            Action::Undo => self.undo(),
            Action::Redo => self.redo(),
            Action::Help => self.mode = Mode::Help { scroll: 0 },
            Action::CommandLine => self.mode = Mode::Command(LineInput::new("")),
            Action::Filter => {
                self.focus = Pane::Entities;
                self.mode = Mode::Filter(LineInput::new(&self.filter));
            }
            Action::FocusNext | Action::FocusPrev => {
                let order = [Pane::Entities, Pane::Fields, Pane::Findings];
                let at = order.iter().position(|&p| p == self.focus).unwrap_or(0);
                let step = if action == Action::FocusNext { 1 } else { 2 };
                self.focus = order[(at + step) % 3];
            }
            Action::Up => self.move_cursor(-1),
            Action::Down => self.move_cursor(1),
            Action::PageUp => self.move_cursor(-(self.page() as isize)),
            Action::PageDown => self.move_cursor(self.page() as isize),
            Action::Top => self.move_cursor(isize::MIN / 2),
            Action::Bottom => self.move_cursor(isize::MAX / 2),
            Action::Open if self.selected.is_some() => self.focus = Pane::Fields,
            Action::Back => self.focus = Pane::Entities,
            Action::DropEntity => self.ask_drop_entity(),
            Action::DropField => self.ask_drop_field(),
            Action::Jump => self.jump(),
            Action::ApplyFix => self.apply_fix(),
            Action::Diagram => self.show_diagram(),
            Action::Apply => self.plan_apply(false, fx),
            Action::AddEntity
            | Action::EditEntity
            | Action::AddField
            | Action::EditField
            | Action::AddRelationship
            | Action::AddIndex
            | Action::Enums
            | Action::AddCheck => self.open_form(action),
            // Line editing and help keys are handled where they apply.
            _ => {}
        }
    }

    fn line_key(&mut self, key: Key, fx: &mut Vec<Effect>) {
        let is_command = matches!(self.mode, Mode::Command(_));
        let is_filter = matches!(self.mode, Mode::Filter(_));
        let action = keymap::lookup(Context::Line, key);
        let (Mode::Command(input) | Mode::Filter(input) | Mode::SaveAs(input)) = &mut self.mode
        else {
            return;
        };
        if action != Some(Action::Complete) {
            input.cycle = None;
            input.candidates.clear();
        }
        match action {
            Some(Action::Submit) => {
                let text = std::mem::take(&mut input.text);
                self.mode = Mode::Normal;
                if !is_command && !is_filter {
                    return self.save_as(text.trim(), fx);
                }
                if is_command {
                    let line = text.trim().to_owned();
                    if !line.is_empty() {
                        if self.command_history.last() != Some(&line) {
                            self.command_history.push(line.clone());
                        }
                        self.run_command(&line, fx);
                    }
                }
                return;
            }
            Some(Action::Cancel) => {
                self.mode = Mode::Normal;
                if is_filter {
                    self.filter.clear();
                    self.refilter();
                } else if !is_command {
                    self.quit_after_save = false;
                    self.info("not saved".into());
                }
                return;
            }
            Some(Action::Complete) if is_command => {
                complete(input, &self.design);
                return;
            }
            Some(Action::HistoryPrev) if is_command => {
                let at = match input.history {
                    None if self.command_history.is_empty() => return,
                    None => {
                        input.stash = input.text.clone();
                        self.command_history.len() - 1
                    }
                    Some(i) => i.saturating_sub(1),
                };
                input.history = Some(at);
                input.set(self.command_history[at].clone());
                return;
            }
            Some(Action::HistoryNext) if is_command => {
                match input.history {
                    Some(i) if i + 1 < self.command_history.len() => {
                        input.history = Some(i + 1);
                        input.set(self.command_history[i + 1].clone());
                    }
                    Some(_) => {
                        input.history = None;
                        let stash = std::mem::take(&mut input.stash);
                        input.set(stash);
                    }
                    None => {}
                }
                return;
            }
            Some(Action::Left) => input.cursor = input.left(),
            Some(Action::Right) => input.cursor = input.right(),
            Some(Action::Home) => input.cursor = 0,
            Some(Action::End) => input.cursor = input.text.len(),
            Some(Action::DeleteBack) => {
                if input.text.is_empty() && is_command {
                    self.mode = Mode::Normal;
                    return;
                }
                let from = input.left();
                input.text.replace_range(from..input.cursor, "");
                input.cursor = from;
            }
            Some(Action::DeleteForward) => {
                let to = input.right();
                input.text.replace_range(input.cursor..to, "");
            }
            Some(Action::ClearLine) => input.set(String::new()),
            _ => match key.code {
                KeyCode::Char(c) if !key.ctrl => input.insert(c.encode_utf8(&mut [0; 4])),
                _ => return,
            },
        }
        if is_filter {
            self.filter = input.text.clone();
            self.refilter();
        }
    }

    // ---- Commands and edits ---------------------------------------------

    fn run_command(&mut self, line: &str, fx: &mut Vec<Effect>) {
        let command = match command::parse(line) {
            Ok(c) => c,
            Err(e) => return self.error(e.to_string()),
        };
        match command {
            Command::Edit(c) => {
                let edit = match c.to_edit(&self.design, &mut self.ids) {
                    Ok(edit) => edit,
                    Err(e) => return self.error(e.to_string()),
                };
                if self.apply(edit) {
                    self.info(format!(":{}", line.trim().trim_start_matches(':').trim()));
                    if let Some((entity, field)) = c.focus() {
                        self.show(&entity, field.as_deref());
                    }
                }
            }
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::Write(path) => self.save(path, fx),
            Command::Quit { force } => self.quit(force, fx),
            Command::WriteQuit => {
                self.quit_after_save = true;
                self.save(None, fx);
            }
            Command::Apply { allow_destructive } => self.plan_apply(allow_destructive, fx),
        }
    }

    // ---- The database -----------------------------------------------------

    /// Asks the database for the plan that applies the design, to show
    /// before anything runs.
    fn plan_apply(&mut self, allow_destructive: bool, fx: &mut Vec<Effect>) {
        if let Some((what, _)) = &self.busy {
            return self.error(format!("still {what}; wait for it to finish"));
        }
        if let Some(ready) = self.ready.take()
            && ready.generation == self.generation
            && ready.plan.options.allow_destructive == allow_destructive
        {
            self.mode = Mode::Preview(ready);
            return;
        }
        let connection = match &self.connection {
            Some(c) => c.clone(),
            None => match connection_from_environment() {
                Ok(c) => c,
                Err(e) => return self.error(e),
            },
        };
        self.busy = Some((
            format!("planning against {}", connection.describe()),
            self.now,
        ));
        self.connection = Some(connection.clone());
        fx.push(Effect::Database(Box::new(DbJob {
            connection,
            design: Arc::clone(&self.design),
            generation: self.generation,
            work: Work::Plan { allow_destructive },
        })));
    }

    fn cancelling(&self) -> bool {
        self.busy
            .as_ref()
            .is_some_and(|(what, _)| what.starts_with("cancelling"))
    }

    /// Asks the runner to cancel the database job out now.
    fn cancel_job(&mut self, fx: &mut Vec<Effect>) {
        if let Some((what, _)) = &mut self.busy
            && !what.starts_with("cancelling")
        {
            *what = format!("cancelling {what}");
        }
        self.info("cancelling …".into());
        fx.push(Effect::CancelDatabase);
    }

    fn database_replied(&mut self, reply: DbReply) {
        self.busy = None;
        let target = self
            .connection
            .as_ref()
            .map_or_else(String::new, Connection::describe);
        match reply {
            DbReply::Planned { generation, .. } if generation != self.generation => {
                self.info("the design changed while planning; A plans it again".into());
            }
            DbReply::Planned { plan, .. } if plan.is_empty() => {
                self.info(format!("nothing to apply: {target} matches the design"));
            }
            DbReply::Planned { generation, plan } => {
                let Some(connection) = self.connection.clone() else {
                    return;
                };
                let preview = Box::new(Preview {
                    connection,
                    design: Arc::clone(&self.design),
                    generation,
                    plan,
                    scroll: 0,
                    note: None,
                });
                // Never over what the user has open.
                if self.mode == Mode::Normal {
                    self.mode = Mode::Preview(preview);
                } else {
                    self.ready = Some(preview);
                    self.info("the plan is ready: A shows it".into());
                }
            }
            DbReply::Changed { plan, .. } => {
                if let Mode::Preview(preview) = &mut self.mode {
                    preview.plan = plan;
                    preview.scroll = 0;
                    preview.note = Some(
                        "the database changed since the preview: nothing was applied; this is \
                         the plan now"
                            .into(),
                    );
                }
            }
            DbReply::Applied { plan } => {
                self.close_preview();
                self.info(format!("applied {} statement(s) to {target}", plan.len()));
            }
            DbReply::NothingToDo => {
                self.close_preview();
                self.info(format!(
                    "nothing to apply: {target} already matches the design"
                ));
            }
            DbReply::Failed(e) => {
                self.close_preview();
                self.error(e);
            }
            DbReply::Cancelled(what) => {
                self.close_preview();
                self.info(what);
            }
        }
    }

    /// Back to the main screen if the preview is open; anything else the
    /// user has open stays.
    fn close_preview(&mut self) {
        if matches!(self.mode, Mode::Preview(_)) {
            self.mode = Mode::Normal;
        }
    }

    fn preview_key(&mut self, key: Key, fx: &mut Vec<Effect>) {
        let Mode::Preview(preview) = &mut self.mode else {
            return;
        };
        match keymap::lookup(Context::Plan, key) {
            Some(Action::Down) => {
                let screen = Rect::new(0, 0, self.size.0, self.size.1);
                preview.scroll = (preview.scroll + 1).min(view::plan::max_scroll(screen, preview));
            }
            Some(Action::Up) => preview.scroll = preview.scroll.saturating_sub(1),
            Some(Action::Cancel | Action::Confirm) if self.busy.is_some() => {}
            Some(Action::Cancel) => {
                self.mode = Mode::Normal;
                self.info("not applied: nothing was changed".into());
            }
            Some(Action::Confirm) => {
                if let Some(refusal) = preview.plan.refusal() {
                    let refusal =
                        refusal.replace("rerun with --allow-destructive", ":apply! plans");
                    return self.error(refusal);
                }
                let job = preview.apply_job();
                self.busy = Some((
                    format!(
                        "applying {} statement(s) to {}",
                        preview.plan.len(),
                        preview.connection.describe()
                    ),
                    self.now,
                ));
                fx.push(Effect::Database(Box::new(job)));
            }
            _ => {}
        }
    }

    /// Applies an edit as one undo step; says why when it is refused.
    fn apply(&mut self, edit: Edit) -> bool {
        match self.history.apply(edit, Arc::make_mut(&mut self.design)) {
            Ok(()) => {
                self.changed();
                true
            }
            Err(e) => {
                self.error(e.to_string());
                false
            }
        }
    }

    fn undo(&mut self) {
        match self.history.undo(Arc::make_mut(&mut self.design)) {
            None => self.info("nothing to undo".into()),
            Some(Ok(what)) => {
                self.changed();
                self.info(format!("undid {what}"));
            }
            Some(Err(e)) => self.error(format!("cannot undo: {e}")),
        }
    }

    fn redo(&mut self) {
        match self.history.redo(Arc::make_mut(&mut self.design)) {
            None => self.info("nothing to redo".into()),
            Some(Ok(what)) => {
                self.changed();
                self.info(format!("redid {what}"));
            }
            Some(Err(e)) => self.error(format!("cannot redo: {e}")),
        }
    }

    /// After every change to the design: checks, the list, the selection.
    fn changed(&mut self) {
        self.last_edit = Some(self.now);
        let touched = match self.history.last_change() {
            Some((edit, inverse)) => Scope::of(&self.design, edit, inverse),
            None => Scope::Everything,
        };
        self.scope.join(touched);
        self.recheck();
        self.refilter();
    }

    /// The design changed: check it now, or leave that to the worker.
    fn recheck(&mut self) {
        self.generation += 1;
        if self.background.is_none() {
            let scope = std::mem::replace(&mut self.scope, Scope::none());
            let settings = &self.design.checks;
            let findings = self
                .rechecker
                .recheck(&self.design, settings, &mut self.ids, &scope);
            self.install(findings);
        }
    }

    /// Puts the findings for the current design on show.
    fn install(&mut self, findings: Vec<Finding>) {
        self.findings = findings;
        self.checked = self.generation;
        self.marks.clear();
        self.counts = [0; 3];
        for f in self.findings.iter().filter(|f| f.allowed.is_none()) {
            self.counts[f.severity as usize] += 1;
            if let Some(e) = f.location.entity() {
                let mark = self.marks.entry(e.clone()).or_insert((f.severity, 0));
                mark.0 = mark.0.max(f.severity);
                mark.1 += 1;
            }
        }
    }

    fn apply_fix(&mut self) {
        if self.checks_pending() {
            return self.info("the checks are still running; try again in a moment".into());
        }
        let Some(finding) = self.selected_finding() else {
            return;
        };
        let (rule, hint, fix) = (finding.rule, finding.hint.clone(), finding.fix.clone());
        match fix {
            Some(fix) => {
                if self.apply(fix) {
                    self.info(format!("fixed {rule}: {hint} (u undoes)"));
                }
            }
            None => self.info(format!("{rule} has no mechanical fix: {hint}")),
        }
    }

    fn ask_drop_entity(&mut self) {
        let Some(entity) = self.selected_entity() else {
            return;
        };
        let keys = self.design.relationships_from(&entity.id).len()
            + self
                .design
                .relationships_to(&entity.id)
                .iter()
                .filter(|r| r.from != entity.id)
                .count();
        let text = format!(
            "Drop entity `{}` with its {} fields{}? u undoes it.",
            entity.name,
            entity.fields.len(),
            match keys {
                0 => String::new(),
                1 => " and the foreign key that touches it".into(),
                n => format!(" and the {n} foreign keys that touch it"),
            }
        );
        let id = entity.id.clone();
        self.confirm("Drop entity", text, PromptAction::DropEntity(id));
    }

    fn ask_drop_field(&mut self) {
        let Some(entity) = self.selected_entity() else {
            return;
        };
        let Some(field) = entity.fields.get(self.field_cursor) else {
            return;
        };
        let text = format!(
            "Drop field `{}.{}` and the keys and indexes that use it? u undoes it.",
            entity.name, field.name
        );
        let action = PromptAction::DropField(entity.id.clone(), field.id.clone());
        self.confirm("Drop field", text, action);
    }

    fn confirm(&mut self, title: &str, text: String, action: PromptAction) {
        self.mode = Mode::Prompt(Prompt {
            title: title.into(),
            text,
            choices: vec![
                Choice {
                    key: 'y',
                    label: "drop".into(),
                    action,
                },
                Choice {
                    key: 'n',
                    label: "keep".into(),
                    action: PromptAction::Cancel,
                },
            ],
        });
    }

    fn answer(&mut self, action: PromptAction, fx: &mut Vec<Effect>) {
        match action {
            PromptAction::Quit => self.quit(true, fx),
            PromptAction::SaveAndQuit => {
                self.quit_after_save = true;
                self.save(None, fx);
            }
            PromptAction::DropEntity(id) => {
                let name = self.design.entity(&id).map(|e| e.name.clone());
                if self.apply(Edit::RemoveEntity { id }) {
                    self.info(format!("dropped {} (u undoes)", name.unwrap_or_default()));
                }
            }
            PromptAction::DropField(entity, field) => {
                if self.apply(Edit::RemoveField { entity, field }) {
                    self.info("dropped the field (u undoes)".into());
                }
            }
            PromptAction::RestoreRecovery => {
                if let Some(design) = self.pending_recovery.take() {
                    self.ids.avoid_design(&design);
                    self.design = Arc::new(*design);
                    self.history = History::unsaved();
                    self.scope = Scope::Everything;
                    self.recovery_revision = Some(self.history.revision());
                    self.recheck();
                    self.refilter();
                    self.info(format!(
                        "restored the unsaved changes; :w writes them to {}",
                        self.file_name()
                    ));
                }
            }
            PromptAction::DiscardRecovery => {
                self.pending_recovery = None;
                self.recovery_on_disk = false;
                fx.push(Effect::RemoveRecovery {
                    path: recovery::path_for(&self.path),
                });
                self.info("discarded the recovered changes".into());
            }
            PromptAction::Reload => fx.push(Effect::Reload {
                path: self.path.clone(),
            }),
            PromptAction::Overwrite(expect) => {
                self.disk = expect;
                self.save(None, fx);
            }
            PromptAction::SaveElsewhere => self.ask_save_as(),
            PromptAction::Cancel => self.quit_after_save = false,
        }
    }

    // ---- Saving, quitting, recovery ---------------------------------------

    fn save(&mut self, path: Option<PathBuf>, fx: &mut Vec<Effect>) {
        let (text, lost) = self.text_to_save();
        let revision = self.history.revision();
        match path.filter(|p| p != &self.path) {
            // A copy: whatever is there is replaced, and kept as its backup.
            Some(path) => fx.push(Effect::Save {
                path,
                text,
                kind: SaveKind::Copy,
                expect: Expect::Anything,
                backup: Backup::Keep,
            }),
            None => {
                self.pending_save = Some((text.clone(), lost));
                fx.push(Effect::Save {
                    path: self.path.clone(),
                    text,
                    kind: SaveKind::Design { revision },
                    expect: self.disk,
                    backup: self.backup(),
                });
            }
        }
    }

    /// The design's canonical text with the comments of the file put back,
    /// and those that have no place in it any more.
    fn text_to_save(&self) -> (String, Vec<Lost>) {
        let canonical = crate::file::to_text(&self.design);
        match comments::keep(&self.source, canonical) {
            Ok(kept) => (kept.text, kept.lost),
            // The file loaded, so its comments can be read; should they
            // not be, say so rather than lose them unseen.
            Err(e) => (
                crate::file::to_text(&self.design),
                vec![Lost {
                    line: 1,
                    text: format!("(the comments could not be read: {e})"),
                    about: "the design".into(),
                }],
            ),
        }
    }

    fn backup(&self) -> Backup {
        if self.comments_in_backup {
            Backup::Skip
        } else {
            Backup::Keep
        }
    }

    /// Asks for a path to save the design to, offering one beside it.
    fn ask_save_as(&mut self) {
        let stem = self
            .path
            .file_stem()
            .map_or_else(|| "design".into(), |s| s.to_string_lossy().into_owned());
        let suggestion = self.path.with_file_name(format!("{stem}.mine.ron"));
        self.mode = Mode::SaveAs(LineInput::new(&suggestion.display().to_string()));
        self.info("save the design to which file? Enter saves, Esc cancels".into());
    }

    /// Saves the design to a new file, which it then belongs to; an
    /// existing file is never replaced this way.
    fn save_as(&mut self, path: &str, fx: &mut Vec<Effect>) {
        if path.is_empty() {
            self.quit_after_save = false;
            return self.info("not saved".into());
        }
        let (text, lost) = self.text_to_save();
        self.pending_save = Some((text.clone(), lost));
        fx.push(Effect::Save {
            path: PathBuf::from(path),
            text,
            kind: SaveKind::SaveAs {
                revision: self.history.revision(),
            },
            expect: Expect::Absent,
            backup: Backup::Keep,
        });
    }

    fn saved(
        &mut self,
        path: PathBuf,
        kind: SaveKind,
        result: Result<Saved, SaveError>,
        fx: &mut Vec<Effect>,
    ) {
        let pending = self.pending_save.take();
        let revision = match (&result, kind) {
            (Ok(_), SaveKind::Copy) => {
                return self.info(format!("wrote a copy to {}", path.display()));
            }
            (Ok(_), SaveKind::Design { revision } | SaveKind::SaveAs { revision }) => revision,
            (Err(e), _) => return self.save_failed(path, kind, e.clone()),
        };
        let Ok(saved) = result else { return };
        if let SaveKind::SaveAs { .. } = kind {
            fx.push(Effect::RemoveRecovery {
                path: recovery::path_for(&self.path),
            });
            self.path = path;
        }
        self.history.mark_saved(revision);
        self.is_new = false;
        self.disk = Expect::Holding(saved.hash);
        self.recovery_on_disk = false;
        self.recovery_revision = None;
        fx.push(Effect::RemoveRecovery {
            path: recovery::path_for(&self.path),
        });
        let mut said = match saved.outcome {
            SaveOutcome::Written => format!("wrote {}", self.file_name()),
            SaveOutcome::Unchanged => format!("{} is up to date", self.file_name()),
        };
        let lost = match pending {
            Some((text, lost)) => {
                self.source = text;
                lost
            }
            None => Vec::new(),
        };
        if lost.is_empty() {
            self.info(said);
        } else {
            if saved.outcome == SaveOutcome::Written && !matches!(kind, SaveKind::SaveAs { .. }) {
                self.comments_in_backup = true;
            }
            said.push_str(&format!(
                " without {} comment(s) whose items are gone ({}:{}: {}); {} keeps them",
                lost.len(),
                self.file_name(),
                lost[0].line,
                lost[0],
                if matches!(kind, SaveKind::SaveAs { .. }) {
                    "the file it was opened from".to_owned()
                } else {
                    format!("{}.bak", self.file_name())
                }
            ));
            self.error(said);
        }
        if self.quit_after_save {
            fx.push(Effect::Quit);
        }
    }

    /// A save that wrote nothing: a file changed on disk or read-only is a
    /// question for the user; anything else is said.
    fn save_failed(&mut self, path: PathBuf, kind: SaveKind, e: SaveError) {
        let name = self.file_name();
        let choice = |key: char, label: &str, action: PromptAction| Choice {
            key,
            label: label.into(),
            action,
        };
        let cancel = choice('c', "cancel", PromptAction::Cancel);
        let elsewhere = choice('s', "save elsewhere", PromptAction::SaveElsewhere);
        match (kind, e.problem.clone()) {
            (SaveKind::Design { .. }, Problem::Changed { expected, found }) => {
                let (title, what, overwrite) = match (expected, found) {
                    (Expect::Absent, Some(found)) => (
                        "File created on disk",
                        format!("{name} was created on disk since this design was opened"),
                        Expect::Holding(found),
                    ),
                    (_, None) => (
                        "File removed",
                        format!("{name} was removed from disk since it was opened"),
                        Expect::Absent,
                    ),
                    (_, Some(found)) => (
                        "Changed on disk",
                        format!(
                            "{name} changed on disk since it was opened or last saved \
                             (another program or another plinth wrote it)"
                        ),
                        Expect::Holding(found),
                    ),
                };
                let mut choices = Vec::new();
                let mut text = format!("{what}. Nothing was written; your changes are still here.");
                if found.is_some() {
                    choices.push(choice('r', "reload", PromptAction::Reload));
                    choices.push(choice('o', "overwrite", PromptAction::Overwrite(overwrite)));
                    text.push_str(&format!(
                        " Reload takes the version on disk (u brings yours back); overwrite \
                         keeps it as {name}.bak."
                    ));
                } else {
                    choices.push(choice(
                        'o',
                        "write it again",
                        PromptAction::Overwrite(overwrite),
                    ));
                }
                choices.extend([elsewhere, cancel]);
                self.mode = Mode::Prompt(Prompt {
                    title: title.into(),
                    text,
                    choices,
                });
            }
            (SaveKind::Design { .. }, Problem::ReadOnly) => {
                self.mode = Mode::Prompt(Prompt {
                    title: "Read-only file".into(),
                    text: format!(
                        "{name} is read-only, and plinth does not make it writable. Nothing was \
                         written; your changes are still here."
                    ),
                    choices: vec![elsewhere, cancel],
                });
            }
            (SaveKind::SaveAs { .. }, Problem::Changed { .. } | Problem::ReadOnly) => {
                self.mode = Mode::SaveAs(LineInput::new(&path.display().to_string()));
                self.error(format!("{e}; choose another file"));
            }
            _ => {
                self.quit_after_save = false;
                self.error(e.to_string());
            }
        }
    }

    /// The disk's version came back: it replaces the design as one undo
    /// step, and counts as saved.
    fn reloaded(&mut self, result: Result<(Box<Design>, String), String>) {
        self.quit_after_save = false;
        let (disk, source) = match result {
            Ok(read) => read,
            Err(e) => {
                return self.error(format!(
                    "could not reload: {e}; your version is still here (o overwrites the file, \
                     s saves elsewhere)"
                ));
            }
        };
        self.ids.avoid_design(&disk);
        let edit = reload::replace_with(&self.design, &disk);
        if let Err(e) = self.history.apply(edit, Arc::make_mut(&mut self.design)) {
            return self.error(format!(
                "could not take the version on disk: {e}; your version is still here"
            ));
        }
        let design = Arc::make_mut(&mut self.design);
        design.name = disk.name.clone();
        design.comment = disk.comment.clone();
        self.history.mark_saved(self.history.revision());
        self.disk = Expect::holding(&source);
        self.source = source;
        self.is_new = false;
        self.changed();
        self.info(format!(
            "reloaded {} from disk; u brings your version back",
            self.file_name()
        ));
    }

    fn quit(&mut self, force: bool, fx: &mut Vec<Effect>) {
        if force || !self.history.is_modified() {
            fx.push(Effect::RemoveRecovery {
                path: recovery::path_for(&self.path),
            });
            fx.push(Effect::Quit);
            return;
        }
        self.mode = Mode::Prompt(Prompt {
            title: "Unsaved changes".into(),
            text: format!("{} has changes that are not saved.", self.file_name()),
            choices: vec![
                Choice {
                    key: 's',
                    label: "save and quit".into(),
                    action: PromptAction::SaveAndQuit,
                },
                Choice {
                    key: 'd',
                    label: "discard and quit".into(),
                    action: PromptAction::Quit,
                },
                Choice {
                    key: 'c',
                    label: "cancel".into(),
                    action: PromptAction::Cancel,
                },
            ],
        });
    }

    /// On every tick: write the recovery file once the design has sat
    /// modified for [`RECOVERY_IDLE`], remove it once nothing is unsaved.
    fn idle(&mut self, fx: &mut Vec<Effect>) {
        if self.pending_recovery.is_some() {
            return; // the user has not decided about the one on disk yet
        }
        let path = recovery::path_for(&self.path);
        if self.history.is_modified() {
            let revision = self.history.revision();
            let quiet = self
                .last_edit
                .is_none_or(|t| self.now.saturating_duration_since(t) >= RECOVERY_IDLE);
            if quiet && self.recovery_revision != Some(revision) {
                fx.push(Effect::WriteRecovery {
                    path,
                    design: Arc::clone(&self.design),
                });
                self.recovery_revision = Some(revision);
                self.recovery_on_disk = true;
            }
        } else if self.recovery_on_disk {
            fx.push(Effect::RemoveRecovery { path });
            self.recovery_on_disk = false;
            self.recovery_revision = None;
        }
    }

    // ---- Forms ---------------------------------------------------------------

    fn open_form(&mut self, action: Action) {
        let entity = self.selected_entity();
        let form = match (action, entity) {
            (Action::AddEntity, _) => Form::add_entity(),
            (Action::Enums, _) => {
                let mut form = Form::enums(&self.design);
                form.load_enum(&self.design);
                form
            }
            (_, None) => {
                return self.info("select an entity first, or add one with a".into());
            }
            (Action::EditEntity, Some(e)) => Form::edit_entity(e),
            (Action::AddField, Some(e)) => Form::add_field(e),
            (Action::EditField, Some(e)) => match e.fields.get(self.field_cursor) {
                Some(f) => Form::edit_field(e, f),
                None => Form::add_field(e),
            },
            (Action::AddRelationship, Some(e)) => Form::add_relationship(&self.design, e),
            (Action::AddIndex, Some(e)) => Form::add_index(e),
            (Action::AddCheck, Some(e)) => Form::add_check(e),
            _ => return,
        };
        self.mode = Mode::Form(Box::new(form));
    }

    fn form_key(&mut self, key: Key) {
        let action = keymap::lookup(Context::Form, key);
        let Mode::Form(form) = &mut self.mode else {
            return;
        };
        // ←/→ move the cursor in text, and choose in choices and picks.
        let is_text = matches!(form.focused().value, super::form::Value::Text(_));
        match action {
            Some(Action::Submit) => self.submit_form(),
            Some(Action::Cancel) => self.mode = Mode::Normal,
            Some(Action::FocusNext) => form.move_focus(1),
            Some(Action::FocusPrev) => form.move_focus(-1),
            Some(Action::Left | Action::Right) if is_text => {
                if let Some(line) = form.line() {
                    line.cursor = if action == Some(Action::Left) {
                        line.left()
                    } else {
                        line.right()
                    };
                }
            }
            Some(Action::Left | Action::Right | Action::Toggle) if !is_text => {
                form.cycle(if action == Some(Action::Left) { -1 } else { 1 });
                if form.kind == FormKind::Enum && form.focus == 0 {
                    form.load_enum(&self.design);
                }
            }
            Some(Action::DeleteBack) => {
                if let Some(line) = form.line() {
                    let from = line.left();
                    line.text.replace_range(from..line.cursor, "");
                    line.cursor = from;
                }
                form.changed();
            }
            Some(Action::ClearLine) => {
                if let Some(line) = form.line() {
                    line.set(String::new());
                }
                form.changed();
            }
            _ => {
                if let KeyCode::Char(c) = key.code
                    && !key.ctrl
                    && let Some(line) = form.line()
                {
                    line.insert(c.encode_utf8(&mut [0; 4]));
                    form.changed();
                }
            }
        }
    }

    /// Enter in a form: its edit goes through the history as one step;
    /// when something is wrong the form stays, saying what.
    fn submit_form(&mut self) {
        let Mode::Form(mut form) = std::mem::replace(&mut self.mode, Mode::Normal) else {
            return;
        };
        form.tried = true;
        let edit = match form.edit(&self.design, &mut self.ids) {
            Ok(Some(edit)) => edit,
            Ok(None) => return self.info("nothing changed".into()),
            Err(why) => {
                let problems = form.problems(&self.design);
                match problems.iter().position(Option::is_some) {
                    Some(at) => form.focus = at,
                    // No input is at fault by itself (an expression that
                    // is not one, a key that exists): say so over the form.
                    None => form.refused = Some(why),
                }
                self.mode = Mode::Form(form);
                return;
            }
        };
        let added_entity = match &edit {
            Edit::AddEntity { entity, .. } => Some(entity.id.clone()),
            Edit::Batch(edits) => edits.iter().find_map(|e| match e {
                Edit::AddEntity { entity, .. } => Some(entity.id.clone()),
                _ => None,
            }),
            _ => None,
        };
        match self.history.apply(edit, Arc::make_mut(&mut self.design)) {
            Err(e) => {
                form.refused = Some(e.to_string());
                self.mode = Mode::Form(form);
            }
            Ok(()) => {
                self.changed();
                if let Some(id) = added_entity.filter(|_| form.kind == FormKind::AddEntity) {
                    self.select_entity(&id);
                }
                if let FormKind::AddField(_) = form.kind {
                    let (entity, field) = (self.selected_entity(), form.text("Name"));
                    if let Some(at) =
                        entity.and_then(|e| e.fields.iter().position(|f| f.name == field))
                    {
                        self.field_cursor = at;
                    }
                }
                self.info(format!("{}: done (u undoes)", form.title));
            }
        }
    }

    // ---- The diagram -------------------------------------------------------

    fn show_diagram(&mut self) {
        self.screen = Screen::Diagram;
        self.keep_diagram();
        if self.selected.is_none() {
            self.select_row(0);
        }
        // The whole diagram in the middle of the window when it fits;
        // else the selected entity in the middle.
        let window = self.diagram_window();
        let (w, h) = (i32::from(window.width), i32::from(window.height));
        let (Some(d), Some(b)) = (self.diagram.as_ref(), self.selected_box()) else {
            return;
        };
        let place = |size: i32, room: i32, center: i32, margin: i32| {
            if size + 2 * margin <= room {
                -(room - size) / 2
            } else {
                (center - room / 2).clamp(-margin, size + margin - room)
            }
        };
        self.diagram_offset = (
            place(d.width, w, b.x + b.w / 2, 1),
            place(d.height, h, b.y + b.h / 2, 1).min(-1),
        );
        self.clamp_diagram();
    }

    /// Lays the diagram out again when the design has changed since.
    fn keep_diagram(&mut self) {
        if self.diagram.is_none() || self.diagram_generation != self.generation {
            self.diagram = Some(Diagram::new(&self.design));
            self.diagram_generation = self.generation;
            self.follow_in_diagram();
        }
    }

    fn diagram_window(&self) -> Rect {
        view::diagram_window(Rect::new(0, 0, self.size.0, self.size.1))
    }

    fn selected_box(&self) -> Option<super::diagram::Area> {
        let id = self.selected.as_ref()?;
        self.diagram.as_ref()?.box_of(id).map(|b| b.area)
    }

    fn act_in_diagram(&mut self, action: Action, fx: &mut Vec<Effect>) {
        let Some(diagram) = self.diagram.as_ref() else {
            return;
        };
        let window = self.diagram_window();
        let (page_x, page_y) = (
            i32::from(window.width / 2).max(1),
            i32::from(window.height / 2).max(1),
        );
        let step = |a: Action| match a {
            Action::Left => Some((-1, 0)),
            Action::Right => Some((1, 0)),
            Action::Up => Some((0, -1)),
            Action::Down => Some((0, 1)),
            _ => None,
        };
        if let Some((dx, dy)) = step(action) {
            let target = match (self.selected.as_ref(), dx) {
                (None, _) => diagram.boxes.first(),
                (Some(id), 0) => diagram.across(id, dy),
                (Some(id), _) => diagram.beside(id, dx),
            };
            if let Some(id) = target.map(|b| b.entity.clone()) {
                self.select_entity(&id);
                self.follow_in_diagram();
            }
            return;
        }
        let pan = match action {
            Action::PanLeft => Some((-page_x / 2, 0)),
            Action::PanRight => Some((page_x / 2, 0)),
            Action::PanUp => Some((0, -page_y / 2)),
            Action::PanDown => Some((0, page_y / 2)),
            Action::PageUp => Some((0, -page_y * 2)),
            Action::PageDown => Some((0, page_y * 2)),
            _ => None,
        };
        if let Some((dx, dy)) = pan {
            self.diagram_offset.0 += dx;
            self.diagram_offset.1 += dy;
            self.clamp_diagram();
            return;
        }
        match action {
            Action::Top | Action::Bottom => {
                let layers = &diagram.layers;
                let b = if action == Action::Top {
                    layers.first().and_then(|l| l.first())
                } else {
                    layers.last().and_then(|l| l.last())
                };
                if let Some(id) = b.map(|&b| diagram.boxes[b].entity.clone()) {
                    self.select_entity(&id);
                    self.follow_in_diagram();
                }
            }
            Action::Open => {
                self.screen = Screen::Lists;
                if self.selected.is_some() {
                    self.focus = Pane::Fields;
                }
            }
            Action::Back | Action::Diagram => self.screen = Screen::Lists,
            Action::Filter => {
                self.screen = Screen::Lists;
                self.act(action, fx);
            }
            Action::FocusNext | Action::FocusPrev | Action::DropField | Action::Jump => {}
            Action::ApplyFix => {}
            _ => self.act(action, fx),
        }
    }

    /// Pans just enough to show the selected box whole (its top left
    /// corner when it is larger than the window).
    fn follow_in_diagram(&mut self) {
        let Some(b) = self.selected_box() else {
            return;
        };
        let window = self.diagram_window();
        let (w, h) = (i32::from(window.width), i32::from(window.height));
        let (ox, oy) = &mut self.diagram_offset;
        let fit = |o: &mut i32, start: i32, len: i32, room: i32| {
            if start + len > *o + room {
                *o = start + len - room;
            }
            if start < *o {
                *o = start;
            }
        };
        fit(ox, b.x - 1, b.w + 2, w);
        fit(oy, b.y - 1, b.h + 2, h);
    }

    /// Keeps the window from wandering off the diagram.
    fn clamp_diagram(&mut self) {
        let Some(d) = self.diagram.as_ref() else {
            return;
        };
        let window = self.diagram_window();
        let (w, h) = (i32::from(window.width), i32::from(window.height));
        let (ox, oy) = &mut self.diagram_offset;
        *ox = (*ox).min(d.width - w / 2).max(-w / 2);
        *oy = (*oy).min(d.height - h / 2).max(-1);
    }

    // ---- The mouse ---------------------------------------------------------

    /// A click selects what is under it (and focuses its pane); the wheel
    /// moves through the list under the pointer.
    fn mouse(&mut self, event: MouseEvent) {
        let wheel = match event.kind {
            MouseEventKind::ScrollDown => 3,
            MouseEventKind::ScrollUp => -3,
            MouseEventKind::Down(MouseButton::Left) => 0,
            _ => return,
        };
        match &self.mode {
            Mode::Help { scroll } if wheel != 0 => {
                let screen = Rect::new(0, 0, self.size.0, self.size.1);
                let max = view::help::max_scroll(screen) as i32;
                let scroll = (i32::from(*scroll) + wheel).clamp(0, max);
                self.mode = Mode::Help {
                    scroll: scroll as u16,
                };
                return;
            }
            Mode::Normal => {}
            _ => return,
        }
        let at = ratatui::layout::Position::new(event.column, event.row);
        if self.screen == Screen::Diagram {
            let window = self.diagram_window();
            if !window.contains(at) {
                return;
            }
            if wheel != 0 {
                self.diagram_offset.1 += wheel;
                self.clamp_diagram();
                return;
            }
            let (x, y) = (
                self.diagram_offset.0 + i32::from(at.x - window.x),
                self.diagram_offset.1 + i32::from(at.y - window.y),
            );
            let hit = self.diagram.as_ref().and_then(|d| d.box_at(x, y));
            if let Some(id) = hit.map(|b| b.entity.clone()) {
                self.message = None;
                self.select_entity(&id);
            }
            return;
        }
        let layout = view::layout(Rect::new(0, 0, self.size.0, self.size.1));
        let Some(pane) = [
            (Pane::Entities, layout.entities),
            (Pane::Fields, layout.detail),
            (Pane::Findings, layout.findings),
        ]
        .into_iter()
        .find(|(_, r)| r.contains(at))
        .map(|(p, _)| p) else {
            return;
        };
        self.message = None;
        if wheel != 0 {
            let focus = self.focus;
            self.focus = pane;
            self.move_cursor(wheel as isize);
            self.focus = focus;
            return;
        }
        let row = |area: Rect| (at.y > area.y).then(|| (at.y - area.y - 1) as usize);
        match pane {
            Pane::Entities => {
                self.focus = Pane::Entities;
                if let Some(r) = row(layout.entities)
                    && self.entity_offset + r < self.visible.len()
                {
                    self.select_row(self.entity_offset + r);
                }
            }
            Pane::Fields => {
                if let Some(field) = view::detail::field_at(self, layout.detail, at.y) {
                    self.field_cursor = field;
                }
                self.focus = Pane::Fields;
            }
            Pane::Findings => {
                self.focus = Pane::Findings;
                if let Some(r) = row(layout.findings)
                    && self.finding_offset + r < self.finding_order.len()
                {
                    self.finding_cursor = self.finding_offset + r;
                }
            }
        }
    }

    // ---- Selection and scrolling -------------------------------------------

    /// Recomputes the visible entities and keeps the selection on the same
    /// entity when it is still there.
    fn refilter(&mut self) {
        let needle = self.filter.to_lowercase();
        let graph = self.design.graph();
        self.visible = self
            .design
            .node_order()
            .iter()
            .copied()
            .filter(|&n| needle.is_empty() || graph[n].name.to_lowercase().contains(&needle))
            .collect();
        let at = self
            .selected
            .as_ref()
            .and_then(|id| self.design.node(id))
            .and_then(|node| self.visible.iter().position(|&n| n == node))
            .unwrap_or(self.entity_cursor);
        self.select_row(at);
        self.order_findings();
        if let Some(entity) = self.selected_entity() {
            self.field_cursor = self.field_cursor.min(entity.fields.len().saturating_sub(1));
        }
        self.finding_cursor = self
            .finding_cursor
            .min(self.finding_order.len().saturating_sub(1));
        self.scroll();
    }

    /// Puts the entity cursor on a row of the list.
    fn select_row(&mut self, row: usize) {
        self.entity_cursor = row.min(self.visible.len().saturating_sub(1));
        let id = self
            .visible
            .get(self.entity_cursor)
            .map(|&n| self.design.graph()[n].id.clone());
        if id != self.selected {
            self.selected = id;
            self.field_cursor = 0;
            self.finding_cursor = 0;
            self.order_findings();
        }
        self.scroll();
    }

    fn order_findings(&mut self) {
        let selected = self.selected.as_ref();
        let mine = |f: &Finding| f.location.entity().is_some() && f.location.entity() == selected;
        let indexed = || self.findings.iter().enumerate();
        self.finding_order = indexed()
            .filter(|(_, f)| f.allowed.is_none() && mine(f))
            .chain(indexed().filter(|(_, f)| f.allowed.is_none() && !mine(f)))
            .chain(indexed().filter(|(_, f)| f.allowed.is_some()))
            .map(|(i, _)| i)
            .collect();
    }

    /// Selects an entity by name (and one of its fields), clearing the
    /// filter if it hides it.
    fn show(&mut self, entity: &str, field: Option<&str>) {
        let Some(id) = self.design.entity_named(entity).map(|e| e.id.clone()) else {
            return;
        };
        self.select_entity(&id);
        if let Some(position) = field.and_then(|f| {
            self.selected_entity()
                .and_then(|e| e.fields.iter().position(|x| x.name == f))
        }) {
            self.field_cursor = position;
        }
    }

    fn select_entity(&mut self, id: &EntityId) {
        let Some(node) = self.design.node(id) else {
            return;
        };
        if !self.visible.contains(&node) {
            self.filter.clear();
            self.refilter();
        }
        if let Some(row) = self.visible.iter().position(|&n| n == node) {
            self.select_row(row);
        }
    }

    fn jump(&mut self) {
        let Some(location) = self.selected_finding().map(|f| f.location.clone()) else {
            return;
        };
        let Some(entity) = location.entity() else {
            self.info("this finding is about the design as a whole".into());
            return;
        };
        self.select_entity(entity);
        if let Location::Field(_, field) = &location
            && let Some(at) = self.selected_entity().and_then(|e| e.field_position(field))
        {
            self.field_cursor = at;
        }
        self.focus = Pane::Fields;
    }

    fn move_cursor(&mut self, delta: isize) {
        let step = |at: usize, len: usize| -> usize {
            let target = at as isize + delta;
            target.clamp(0, len.saturating_sub(1) as isize) as usize
        };
        match self.focus {
            Pane::Entities => self.select_row(step(self.entity_cursor, self.visible.len())),
            Pane::Fields => {
                let len = self.selected_entity().map_or(0, |e| e.fields.len());
                self.field_cursor = step(self.field_cursor, len);
            }
            Pane::Findings => {
                self.finding_cursor = step(self.finding_cursor, self.finding_order.len());
                self.scroll();
            }
        }
    }

    /// Rows in a page of the focused pane.
    fn page(&self) -> usize {
        let layout = view::layout(Rect::new(0, 0, self.size.0, self.size.1));
        let rect = match self.focus {
            Pane::Entities => layout.entities,
            Pane::Fields => layout.detail,
            Pane::Findings => layout.findings,
        };
        (rect.height.saturating_sub(3) as usize).max(1)
    }

    /// Keeps the cursors of the scrolling lists in view.
    fn scroll(&mut self) {
        let layout = view::layout(Rect::new(0, 0, self.size.0, self.size.1));
        let rows = |r: Rect| r.height.saturating_sub(2) as usize;
        self.entity_offset = follow(
            self.entity_offset,
            self.entity_cursor,
            rows(layout.entities),
        );
        self.finding_offset = follow(
            self.finding_offset,
            self.finding_cursor,
            rows(layout.findings),
        );
    }

    fn info(&mut self, text: String) {
        self.message = Some(Message {
            text: status_text(&text),
            kind: MessageKind::Info,
        });
    }

    fn error(&mut self, text: String) {
        self.message = Some(Message {
            text: status_text(&text),
            kind: MessageKind::Error,
        });
    }
}

/// The database named by `DATABASE_URL`, for a design opened without one.
fn connection_from_environment() -> Result<Connection, String> {
    let url = crate::db::url_from(None).map_err(|_| {
        "no database to apply to: open the design with `plinth edit FILE --url URL`, or set \
         DATABASE_URL"
            .to_owned()
    })?;
    let target = crate::db::Target::parse(&url).map_err(|e| e.to_string())?;
    Ok(Connection {
        target,
        schema: "public".into(),
    })
}

/// The first row to show so that `cursor` is among `rows` rows shown,
/// moving as little as possible from `offset`.
fn follow(offset: usize, cursor: usize, rows: usize) -> usize {
    if rows == 0 || cursor < offset {
        cursor
    } else if cursor >= offset + rows {
        cursor + 1 - rows
    } else {
        offset
    }
}

/// Tab on the command line: complete the word at the end, to the longest
/// common prefix of what fits; when that adds nothing, cycle through the
/// candidates.
fn complete(input: &mut LineInput, design: &Design) {
    input.cursor = input.text.len();
    if let Some((start, at)) = input.cycle {
        let next = (at + 1) % input.candidates.len();
        let candidate = input.candidates[next].clone();
        input.replace_from(start, &candidate);
        input.cycle = Some((start, next));
        return;
    }
    let completion = command::complete(&input.text, design);
    let start = completion.start;
    let typed = input.text.len() - start;
    let mut candidates = completion.candidates;
    match candidates.len() {
        0 => {}
        1 => {
            let mut only = candidates.remove(0);
            if !only.ends_with(['.', '(']) {
                only.push(' ');
            }
            input.replace_from(start, &only);
        }
        _ => {
            let prefix = common_prefix(&candidates);
            if prefix.len() > typed {
                input.replace_from(start, &prefix);
            } else {
                let first = candidates[0].clone();
                input.replace_from(start, &first);
                input.cycle = Some((start, 0));
            }
            input.candidates = candidates;
        }
    }
}

fn common_prefix(words: &[String]) -> String {
    let first = &words[0];
    let mut len = first.len();
    for w in &words[1..] {
        len = first
            .char_indices()
            .zip(w.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len);
    }
    first[..len].to_owned()
}

/// A message for the one-line status bar: lines joined, and nothing a
/// terminal would obey (a name echoed back may hold anything).
fn status_text(text: &str) -> String {
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    crate::core::text::printable(&joined).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_moves_the_window_as_little_as_it_can() {
        assert_eq!(follow(0, 3, 10), 0);
        assert_eq!(follow(0, 12, 10), 3);
        assert_eq!(follow(5, 2, 10), 2);
        assert_eq!(follow(5, 9, 10), 5);
    }

    #[test]
    fn status_messages_are_one_line_and_show_escapes() {
        assert_eq!(
            status_text("apply failed: lock timeout\n  detail: x\n\n  hint: y"),
            "apply failed: lock timeout · detail: x · hint: y"
        );
        assert_eq!(
            status_text("no such entity `a\u{1b}[2J`"),
            "no such entity `a\\u{1b}[2J`"
        );
    }

    #[test]
    fn common_prefixes() {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(common_prefix(&w(&["orders", "order_lines"])), "order");
        assert_eq!(common_prefix(&w(&["a", "b"])), "");
        assert_eq!(common_prefix(&w(&["same", "same"])), "same");
    }
}
