use std::io::IsTerminal;
use std::path::PathBuf;

use super::Failure;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file; when it does not exist, an empty design named after
    /// it is opened and written on the first save.
    pub file: PathBuf,
}

pub fn run(args: Args) -> Result<(), Failure> {
    if !std::io::stdout().is_terminal() {
        return Err(Failure::input(format!(
            "plinth edit needs a terminal; `plinth show {}` prints a summary",
            args.file.display()
        )));
    }
    let opened = crate::tui::open(&args.file).map_err(Failure::input)?;
    crate::tui::run(opened).map_err(|e| Failure::input(format!("terminal: {e}")))
}
