use std::process::ExitCode;

use clap::Parser;

/// A design of 50,000 entities is millions of small strings and vectors;
/// with the system allocator, allocating and freeing them was a third of
/// every command's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
