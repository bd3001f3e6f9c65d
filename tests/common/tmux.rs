//! The real binary in a real terminal: `plinth edit` runs inside tmux,
//! keys go in with `send-keys` and the screen comes back with
//! `capture-pane`. Each test has its own tmux server (a socket in its own
//! temp dir), fixed 120×40 windows, waits by polling the screen with a
//! deadline rather than sleeping, and kills its server when it ends,
//! failed or not.
//!
//! tmux must be installed (`.ci/test` installs it): a missing tmux fails
//! these tests with a message saying so; they never skip.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant};

pub const WIDTH: u16 = 120;
pub const HEIGHT: u16 = 40;
/// How long to wait for the screen to show what a step should show.
pub const DEADLINE: Duration = Duration::from_secs(20);

pub fn plinth_bin() -> &'static str {
    env!("CARGO_BIN_EXE_plinth")
}

/// A tmux server of this test's own, killed on drop. Its socket is in the
/// test's temp dir (`-S`), so nothing is left behind in `/tmp/tmux-*`. It
/// derefs to its first window.
pub struct Tmux {
    first: Window,
    scratch: tempfile::TempDir,
}

/// One window of the server, running `plinth edit FILE`.
pub struct Window {
    pub socket: PathBuf,
    /// The tmux target of the window (`plinth:NAME`).
    pub target: String,
    /// Where the shell around plinth writes its exit status.
    pub status: PathBuf,
}

impl Tmux {
    /// Starts a server with one 120×40 window running `plinth edit FILE`
    /// in `dir`. A dead pane stays, so its last screen can be shown.
    pub fn start(dir: &Path, file: &str) -> Tmux {
        let version = Command::new("tmux").arg("-V").output();
        match version {
            Ok(out) if out.status.success() => {}
            _ => panic!(
                "tmux is not installed, and the end-to-end tests drive the designer inside it: \
                 install it (`apt-get install tmux`; ./.ci/test does this) and run the tests again"
            ),
        }
        let scratch = tempfile::tempdir().expect("a temp dir");
        let first = Window {
            socket: scratch.path().join("tmux.sock"),
            target: "plinth:first".into(),
            status: scratch.path().join("exit-status-first"),
        };
        let (w, h) = (WIDTH.to_string(), HEIGHT.to_string());
        let dir = dir.to_str().expect("a UTF-8 temp dir");
        first.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "plinth",
            "-n",
            "first",
            "-x",
            &w,
            "-y",
            &h,
            "-c",
            dir,
            "-e",
            "TERM=xterm-256color",
            &first.edit_command(file),
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
        ]);
        Tmux { first, scratch }
    }

    /// Opens another window named `name` on the same server running
    /// `plinth edit FILE` in `dir`: a second designer beside the first.
    pub fn open_window(&self, name: &str, dir: &Path, file: &str) -> Window {
        let window = Window {
            socket: self.first.socket.clone(),
            target: format!("plinth:{name}"),
            status: self.scratch.path().join(format!("exit-status-{name}")),
        };
        let dir = dir.to_str().expect("a UTF-8 temp dir");
        window.run(&[
            "new-window",
            "-d",
            "-t",
            "plinth:",
            "-n",
            name,
            "-c",
            dir,
            "-e",
            "TERM=xterm-256color",
            &window.edit_command(file),
        ]);
        window
    }
}

impl Deref for Tmux {
    type Target = Window;

    fn deref(&self) -> &Window {
        &self.first
    }
}

impl Window {
    pub fn command(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(&self.socket);
        // The tests' own environment must not leak into the designer.
        c.env_remove("NO_COLOR").env_remove("PLINTH_THEME");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.command().args(args).output().expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Types text as it is, then presses Enter.
    pub fn line(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.target, "-l", text]);
        self.key("Enter");
    }

    /// Presses one key, named as tmux names keys (`Enter`, `u`, `C-s`).
    pub fn key(&self, key: &str) {
        self.run(&["send-keys", "-t", &self.target, key]);
    }

    pub fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", &self.target]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn pane(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", &self.target, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Waits until the screen satisfies `ok`, failing with the last screen
    /// when it does not in time.
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > DEADLINE {
                panic!("timed out waiting for {what}; the screen:\n{screen}");
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(&format!("`{text}`"), |s| s.contains(text))
    }

    /// Waits for the designer to exit and returns its exit status, which
    /// the shell around it writes down (128 + the signal when a signal
    /// ended it).
    pub fn wait_for_exit(&self) -> i32 {
        let start = Instant::now();
        loop {
            if let Ok(text) = std::fs::read_to_string(&self.status)
                && let Ok(status) = text.trim().parse()
            {
                return status;
            }
            if start.elapsed() > DEADLINE {
                panic!(
                    "timed out waiting for plinth to exit; the screen:\n{}",
                    self.screen()
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// `plinth edit FILE`, then its exit status written down.
    pub fn edit_command(&self, file: &str) -> String {
        format!(
            "'{}' edit '{file}'; echo $? > '{}'",
            plinth_bin(),
            self.status.display()
        )
    }

    /// The pid of plinth, the child of the pane's shell.
    pub fn plinth_pid(&self) -> String {
        let shell = self.pane("#{pane_pid}");
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // pid (comm) state ppid ...
            let Some((head, rest)) = stat.rsplit_once(") ") else {
                continue;
            };
            let ppid = rest.split(' ').nth(1).unwrap_or_default();
            if ppid == shell && head.ends_with("(plinth") {
                return entry.file_name().to_string_lossy().into_owned();
            }
        }
        panic!("no plinth process under the pane's shell {shell}");
    }

    /// Runs `plinth edit FILE` again in the (dead) pane.
    pub fn restart(&self, file: &str) {
        self.respawn(&self.edit_command(file));
    }

    /// Runs a shell command line in the pane in place of what runs there.
    pub fn respawn(&self, command: &str) {
        let _ = std::fs::remove_file(&self.status);
        self.run(&[
            "respawn-pane",
            "-k",
            "-t",
            &self.target,
            "-e",
            "TERM=xterm-256color",
            command,
        ]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.first.command().arg("kill-server").output();
    }
}
