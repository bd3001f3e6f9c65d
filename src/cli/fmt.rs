use std::path::PathBuf;

use super::Failure;
use crate::file::{SaveOutcome, save, to_text};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Design files to format.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Change nothing; exit 1 if any file is not in canonical form.
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let mut untidy = Vec::new();
    for path in &args.files {
        let design = super::load(path)?;
        if args.check {
            let current = std::fs::read_to_string(path).unwrap_or_default();
            if current != to_text(&design) {
                untidy.push(path.display().to_string());
            }
        } else {
            let outcome = save(path, &design)
                .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
            if outcome == SaveOutcome::Written {
                println!("formatted {}", path.display());
            }
        }
    }
    if untidy.is_empty() {
        Ok(())
    } else {
        Err(Failure::found(format!(
            "not in canonical form (run `plinth fmt`): {}",
            untidy.join(", ")
        )))
    }
}
