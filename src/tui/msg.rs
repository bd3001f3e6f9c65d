//! What flows into the app (`Msg`) and what the app asks the runner to do
//! (`Effect`). `App::update` does no I/O: saving, the recovery file and
//! quitting are effects the runner carries out, reporting back with a
//! `Msg` where the app needs the result.

use std::path::PathBuf;
use std::time::Instant;

use ratatui::crossterm::event::KeyEvent;

use crate::file::SaveOutcome;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Key(KeyEvent),
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
        revision: Option<u64>,
        result: Result<SaveOutcome, String>,
    },
    /// Writing the recovery file failed.
    RecoveryFailed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Write `text` to `path` atomically, keeping a backup. `revision` is
    /// the history revision the text holds, or `None` for a copy written
    /// elsewhere (`:w FILE`), which does not make the design saved.
    Save {
        path: PathBuf,
        text: String,
        revision: Option<u64>,
    },
    /// Write the recovery file beside the design.
    WriteRecovery { path: PathBuf, text: String },
    /// Remove the recovery file, if there is one.
    RemoveRecovery { path: PathBuf },
    /// Leave the designer.
    Quit,
}
