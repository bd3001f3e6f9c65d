use std::path::PathBuf;

use super::Failure;
use crate::core::sql::create_script;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file.
    design: PathBuf,
    /// Write the script here instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    schema: super::SchemaArg,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let design = super::load(&args.design)?;
    let script = create_script(&design, &args.schema.schema);
    match args.output {
        Some(path) => {
            crate::file::write_atomically(&path, &script)
                .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        }
        None => print!("{script}"),
    }
    Ok(())
}
