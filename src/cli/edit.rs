//! `plinth edit`: the terminal designer, on a design file or on a design
//! read from a live database.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::Failure;
use crate::db::{Target, url_from};
use crate::tui::Connection;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file. When it does not exist, the design is read from
    /// the database given by --url, or else starts empty; either way it is
    /// written here on the first save.
    pub file: Option<PathBuf>,
    /// A database (libpq `key=value` or `postgresql://` URL): with a FILE
    /// that exists, where `:apply` applies it; otherwise the database to
    /// read the design from (saved to FILE, or to DBNAME.ron). Without it,
    /// `:apply` reads `DATABASE_URL`.
    #[arg(long)]
    pub url: Option<String>,
    /// The database schema to read from and apply to.
    #[arg(long, default_value = "public")]
    pub schema: String,
}

impl Args {
    /// `plinth FILE`: the file, no database.
    pub fn file(file: PathBuf) -> Args {
        Args {
            file: Some(file),
            url: None,
            schema: "public".into(),
        }
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let connection = match &args.url {
        Some(url) => Some(Connection {
            target: Target::parse(&url_from(Some(url)).map_err(Failure::input)?)
                .map_err(Failure::input)?,
            schema: args.schema.clone(),
        }),
        None => None,
    };
    let shown = args
        .file
        .as_ref()
        .map_or_else(|| "--url URL".to_owned(), |f| f.display().to_string());
    if !std::io::stdout().is_terminal() {
        return Err(Failure::input(format!(
            "plinth edit needs a terminal; `plinth show {shown}` prints a summary"
        )));
    }
    let opened = match (args.file, connection) {
        (Some(file), None) => crate::tui::open(&file).map_err(Failure::input)?,
        (Some(file), Some(connection)) if file.exists() => {
            let mut opened = crate::tui::open(&file).map_err(Failure::input)?;
            opened.connection = Some(connection);
            opened
        }
        (file, Some(connection)) => {
            let file = match file {
                Some(file) => file,
                None => {
                    let name = connection.target.design_name(&connection.schema);
                    let file = PathBuf::from(format!("{name}.ron"));
                    if file.exists() {
                        return Err(Failure::input(format!(
                            "{} exists: `plinth edit {} --url URL` opens it to apply to the \
                             database, or name a new file to read the database into",
                            file.display(),
                            file.display()
                        )));
                    }
                    file
                }
            };
            let progress = |line: &str| {
                if std::io::stderr().is_terminal() {
                    eprintln!("{line}");
                }
            };
            crate::tui::open_database(&file, connection, progress).map_err(Failure::input)?
        }
        (None, None) => {
            return Err(Failure::input(
                "no design given: `plinth edit FILE`, or `plinth edit --url URL` to read one \
                 from a database",
            ));
        }
    };
    crate::tui::run(opened).map_err(|e| Failure::input(format!("terminal: {e}")))
}
