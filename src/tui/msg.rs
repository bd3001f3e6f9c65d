//! What flows into the app (`Msg`) and what the app asks the runner to do
//! (`Effect`). `App::update` does no I/O: saving, the recovery file, the
//! database and quitting are effects the runner carries out, reporting
//! back with a `Msg` where the app needs the result.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::database::{DbJob, DbReply};
use super::diagram::Diagram;
use crate::core::check::{Checked, Finding, Scope};
use crate::core::ids::IdGen;
use crate::core::model::Design;
use crate::file::{Backup, Expect, SaveError, Saved};

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// A click, a drag or the wheel.
    Mouse(MouseEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The terminal's new size in columns and rows.
    Resize(u16, u16),
    /// The clock moved on; the runner sends one at least every 250 ms and
    /// before each batch of input.
    Tick(Instant),
    /// Runs a command line as if typed after `:`.
    Command(String),
    /// How a save asked for with [`Effect::Save`] went.
    Saved {
        path: PathBuf,
        kind: SaveKind,
        result: Result<Saved, SaveError>,
    },
    /// The design file as [`Effect::Reload`] read it: the design and the
    /// text it was read from, or why it could not be read.
    Reloaded(Result<(Box<Design>, String), String>),
    /// Writing the recovery file failed.
    RecoveryFailed(String),
    /// Something the runner wants said on the status line (a theme file
    /// it could not read, say).
    Note(String),
    /// What the checks found on the design of a generation; dropped when
    /// the design has changed since.
    Checked {
        generation: u64,
        findings: Vec<Finding>,
        /// The diagram's layout of the same design, when the job asked
        /// for it.
        diagram: Option<Box<Diagram>>,
    },
    /// What a [`DbJob`] found or did.
    Database(DbReply),
    /// What a running [`DbJob`] is waiting for.
    DatabaseProgress(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Write `text` to `path` atomically (see [`crate::file::write`]),
    /// only if the file is what `expect` says, keeping a backup unless
    /// `backup` says not to.
    Save {
        path: PathBuf,
        text: String,
        kind: SaveKind,
        expect: Expect,
        backup: Backup,
    },
    /// Read the design file again; the outcome comes back as
    /// [`Msg::Reloaded`].
    Reload { path: PathBuf },
    /// Write the recovery file beside the design: the design as it is
    /// now (a clone sharing its entities), so turning it into text, a
    /// second at 50,000 entities, happens off the input path.
    WriteRecovery { path: PathBuf, design: Arc<Design> },
    /// Remove the recovery file, if there is one.
    RemoveRecovery { path: PathBuf },
    /// Run the checks off the input path and send back what they found.
    RunChecks(CheckJob),
    /// Plan or apply against the database off the input path; the
    /// outcome comes back as [`Msg::Database`].
    Database(Box<DbJob>),
    /// Cancel the database job running (a cancel request to the server,
    /// then its transaction rolls back); it replies
    /// [`DbReply::Cancelled`](super::database::DbReply::Cancelled).
    CancelDatabase,
    /// Leave the designer.
    Quit,
}

/// What a save is for, which says what a successful one changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveKind {
    /// The design's own file, with the history revision the text holds.
    Design { revision: u64 },
    /// A copy elsewhere (`:w FILE`): the design stays bound to its file,
    /// and as modified as it was.
    Copy,
    /// The design moves to this new file (saving elsewhere when its own
    /// file changed on disk or is read-only).
    SaveAs { revision: u64 },
}

/// The checks to run on one generation of the design.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckJob {
    pub generation: u64,
    /// The design as it was; the app copies it before changing it again.
    pub design: Arc<Design>,
    /// What changed since the job before this one: the worker re-checks
    /// only that, from what it found then.
    pub scope: Scope,
    /// Where the fixes draw their fresh ids from.
    pub seed: u64,
    /// Lay the diagram out too, after the checks: at 50,000 entities it
    /// takes longer than a frame.
    pub lay_out: bool,
}

impl CheckJob {
    /// Runs the checks (on whatever thread calls it), re-checking from
    /// `last`, what the jobs before this one found, and returns the message
    /// that carries the findings back.
    pub fn run(self, last: &mut Checked) -> Msg {
        let mut ids = IdGen::seeded(self.seed);
        let findings = last.recheck(&self.design, &self.design.checks, &mut ids, &self.scope);
        let diagram = self.lay_out.then(|| Box::new(Diagram::new(&self.design)));
        Msg::Checked {
            generation: self.generation,
            findings,
            diagram,
        }
    }
}
