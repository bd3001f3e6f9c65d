//! Bounded waits on the command line: the `--lock-timeout` flag, and what
//! a statement waits for, said on standard error when it is a terminal.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use crate::db::wait::{Wait, seconds};

/// How long a statement may wait for a lock.
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub struct LockTimeout {
    /// How long a statement may wait for a lock held by another session
    /// (`10s`, `500ms`, `2min`; `0` waits as long as it takes). Default:
    /// what the connection's options or PGOPTIONS set with `-c
    /// lock_timeout=...`, else 10s.
    #[arg(long, value_name = "DURATION", value_parser = crate::db::parse_duration)]
    lock_timeout: Option<Duration>,
}

impl LockTimeout {
    /// The timeout given, if one was (zero for none).
    pub fn given(self) -> Option<Duration> {
        self.lock_timeout
    }
}

/// Says what a statement waits for, once for each lock and set of
/// holders, on standard error if it is a terminal (never when piped).
pub struct Notes {
    terminal: bool,
    last: Option<(String, Vec<i32>)>,
}

impl Notes {
    pub fn new() -> Notes {
        Notes {
            terminal: std::io::stderr().is_terminal(),
            last: None,
        }
    }

    pub fn hear(&mut self, wait: &Wait) {
        let now = (
            wait.object.clone(),
            wait.holders.iter().map(|h| h.pid).collect(),
        );
        if !self.terminal || self.last.as_ref() == Some(&now) {
            return;
        }
        self.last = Some(now);
        // Over any progress line, which the next one redraws.
        eprintln!("\r\x1b[2Kwaiting {} for {wait}", seconds(wait.waited));
        let _ = std::io::stderr().flush();
    }
}
