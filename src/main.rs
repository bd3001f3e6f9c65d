use std::process::ExitCode;

use clap::Parser;

/// A design of 50,000 entities is millions of small strings and vectors;
/// with the system allocator, allocating and freeing them was a third of
/// every command's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    keep_freed_memory();
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

/// mimalloc hands freed pages back to the kernel after 10 ms, and every
/// page it later takes again must be cleared: at 50,000 entities that
/// cost a second of system time in each command. A command's memory is
/// freed at exit anyway, and the designer's stays in use; keep it.
fn keep_freed_memory() {
    // `mi_option_purge_delay` in mimalloc's `mi_option_e` (the sys crate
    // names no constant for it); -1 turns purging off.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: setting an option is allowed at any time, before the first
    // allocation that reads it or after.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) };
}
