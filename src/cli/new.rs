use std::path::PathBuf;

use super::Failure;
use crate::core::ids::IdGen;
use crate::core::starter::starter_design;
use crate::file::{Backup, Expect};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the design; it must not exist yet.
    file: PathBuf,
    /// The design's name; defaults to the file name without `.ron`.
    #[arg(long)]
    name: Option<String>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    if args.file.exists() {
        return Err(Failure::input(format!(
            "{} exists already; plinth new never overwrites a file",
            args.file.display()
        )));
    }
    let name = args.name.unwrap_or_else(|| {
        args.file
            .file_stem()
            .map_or("design".into(), |s| s.to_string_lossy().into_owned())
    });
    let design = starter_design(&name, &mut IdGen::random());
    // Absent: a file that appeared since the check above is not replaced.
    let text = crate::file::to_text(&design);
    crate::file::write(&args.file, &text, Expect::Absent, Backup::Keep).map_err(Failure::input)?;
    println!("wrote {}", args.file.display());
    Ok(())
}
