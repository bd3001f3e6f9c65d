use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    restore_sigpipe();
    plinth::cli::run(plinth::cli::Cli::parse())
}

/// Rust ignores SIGPIPE, so `plinth ddl x.ron | head` would panic on the
/// closed pipe; like other Unix tools, plinth should just stop quietly.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; it only
    // resets a signal disposition to the system default.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
