//! `plinth inspect`: read a live schema into a design.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::Failure;
use super::waiting::Notes;
use crate::db::wait::{Watch, attach};
use crate::db::{InspectError, Kind, Target, url_from};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The connection string (libpq `key=value` or `postgresql://` URL);
    /// defaults to `DATABASE_URL`.
    #[arg(long)]
    url: Option<String>,
    /// The schema to read.
    #[arg(long, default_value = "public")]
    schema: String,
    /// Write the design here (atomically) instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Seconds to wait for the server.
    #[arg(long, default_value_t = 10)]
    connect_timeout: u64,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let url = url_from(args.url.as_deref()).map_err(Failure::input)?;
    let target = Target::parse(&url).map_err(Failure::input)?;
    let progress = std::io::stderr().is_terminal();
    let started = Instant::now();
    if progress {
        eprintln!("connecting to {} ...", target.describe());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    let timeout = Duration::from_secs(args.connect_timeout.max(1));
    let inspection = runtime.block_on(async {
        // A second connection lets the server read the catalog on two
        // cores; inspecting goes on without it when it cannot be opened.
        let (session, helper) = tokio::join!(
            target.open(Kind::Own, timeout),
            target.open(Kind::Own, timeout)
        );
        let mut session = session.map_err(Failure::input)?;
        let mut helper = helper.ok();
        if progress {
            eprintln!("reading schema `{}` ...", args.schema);
        }
        let watch = Watch::new(&target, &session);
        let mut notes = Notes::new();
        let work = crate::db::record::inspect_with_ids_helped(
            &mut session.client,
            helper.as_mut().map(|h| &mut h.client),
            &args.schema,
        );
        let (inspection, wait) = watch.run(work, |w| notes.hear(w)).await;
        inspection.map_err(|mut e| {
            if let InspectError::Query(db) = &mut e {
                attach(db, wait.as_ref());
            }
            Failure::input(e)
        })
    })?;
    let mut design = inspection.design;
    design.name = target.design_name(&args.schema);

    if !inspection.not_held.is_empty() {
        eprintln!(
            "warning: the design does not hold {} object(s) of schema `{}`:",
            inspection.not_held.len(),
            args.schema
        );
        for item in &inspection.not_held {
            eprintln!("  {item}");
        }
    }
    if !inspection.adapted.is_empty() {
        eprintln!(
            "note: {} thing(s) adapted to fit the model:",
            inspection.adapted.len()
        );
        for line in &inspection.adapted {
            eprintln!("  {line}");
        }
    }
    match &args.output {
        Some(path) => {
            crate::file::save(path, &design)
                .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        }
        None => print!("{}", crate::file::to_text(&design)),
    }
    if progress {
        eprintln!(
            "read {} entities, {} relationships, {} enums in {:.2} s",
            design.entity_count(),
            design.relationship_count(),
            design.enums.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
