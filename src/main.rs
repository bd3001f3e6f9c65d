use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    plinth::cli::run(plinth::cli::Cli::parse())
}
