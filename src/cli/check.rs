use std::path::PathBuf;

use super::Failure;
use super::report::{self, CheckedFile};
use crate::core::check::{Severity, check};
use crate::core::ids::IdGen;
use crate::file::Locator;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Design files to check.
    #[arg(required = true)]
    designs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 1 when a finding at or above this level is found.
    #[arg(long, value_enum, default_value_t = Deny::Errors)]
    deny: Deny,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum Deny {
    Info,
    Warnings,
    Errors,
}

impl Deny {
    fn severity(self) -> Severity {
        match self {
            Deny::Info => Severity::Info,
            Deny::Warnings => Severity::Warning,
            Deny::Errors => Severity::Error,
        }
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let mut files = Vec::new();
    for path in &args.designs {
        let (design, source) = crate::file::load_with_source(path).map_err(Failure::input)?;
        let mut ids = IdGen::random();
        ids.avoid_design(&design);
        // The checks run on one core; the map of where everything is
        // written, which placing the findings needs, is made on another.
        let (findings, locator) = std::thread::scope(|scope| {
            let locating = scope.spawn(|| Locator::new(&source, &design));
            let findings = check(&design, &design.checks, &mut ids);
            (
                findings,
                locating.join().expect("mapping a file does not panic"),
            )
        });
        files.push(CheckedFile::located(
            path.clone(),
            design,
            source,
            findings,
            locator,
        ));
    }
    let text = match args.format {
        // Colour codes are plinth's own; what the design says is escaped.
        Format::Human => report::human(&files, report::use_colour()),
        Format::Json => report::json(&files),
        Format::Sarif => report::sarif(&files),
    };
    print!("{text}");
    let denied = files
        .iter()
        .flat_map(|f| &f.findings)
        .any(|f| f.allowed.is_none() && f.severity >= args.deny.severity());
    if denied {
        Err(Failure::found(""))
    } else {
        Ok(())
    }
}
