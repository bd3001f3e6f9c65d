//! Design files on disk: RON, versioned, canonical, saved atomically.

pub mod comments;
mod convert;
pub mod format;
mod lex;
mod locate;
pub mod save;
mod split;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ron::extensions::Extensions;
use ron::ser::PrettyConfig;

use crate::core::ids::IdGen;
use crate::core::model::Design;

pub use convert::{to_design, to_file};
pub use locate::{Item, Locator, Place, Position, SourceMap};
pub use save::{
    Backup, ContentHash, Expect, Problem, SaveError, SaveOutcome, Saved, save, write,
    write_atomically, write_private,
};

/// Why a design file could not be read: one line, with where.
#[derive(Debug)]
pub struct LoadError {
    pub path: PathBuf,
    /// `None` when the file could not be read at all.
    pub position: Option<Position>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                p.line,
                p.col,
                self.message
            ),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads a design file. Ids the file leaves out are made fresh.
pub fn load(path: &Path) -> Result<Design, LoadError> {
    load_with_source(path).map(|(design, _)| design)
}

/// Reads a design file and keeps its text, for callers that point at
/// lines in it (`plinth check`).
pub fn load_with_source(path: &Path) -> Result<(Design, String), LoadError> {
    load_from(path, None)
}

/// [`load`] of a design that is mostly `like` (the other side of a diff):
/// every entity equal to one of `like`'s is held as `like`'s copy, so the
/// two take little more memory than one.
pub fn load_like(path: &Path, like: &Design) -> Result<Design, LoadError> {
    load_from(path, Some(like)).map(|(design, _)| design)
}

fn load_from(path: &Path, like: Option<&Design>) -> Result<(Design, String), LoadError> {
    let source = fs::read_to_string(path).map_err(|e| LoadError {
        path: path.to_owned(),
        position: None,
        message: io_reason(&e),
    })?;
    let design =
        parse_like(&source, &mut IdGen::random(), like).map_err(|(position, message)| {
            LoadError {
                path: path.to_owned(),
                position: Some(position),
                message,
            }
        })?;
    Ok((design, source))
}

/// Parses a design from text; on failure gives where and why.
pub fn parse(source: &str, ids: &mut IdGen) -> Result<Design, (Position, String)> {
    parse_like(source, ids, None)
}

fn parse_like(
    source: &str,
    ids: &mut IdGen,
    like: Option<&Design>,
) -> Result<Design, (Position, String)> {
    // Editors on Windows start UTF-8 files with a byte-order mark.
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let design = match parse_on_every_core(source, ids, like) {
        Some(design) => design,
        None => parse_whole(source, ids)?,
    };
    if let Some(problem) = design.validate().into_iter().next() {
        let position = Locator::new(source, &design).position(source, &design, &problem.location);
        return Err((position, problem.message));
    }
    Ok(design)
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

/// The file read as one: every error is found here, in file order, with
/// its place.
fn parse_whole(source: &str, ids: &mut IdGen) -> Result<Design, (Position, String)> {
    let file: format::DesignFile = ron_options().from_str(source).map_err(|e| {
        let position = Position {
            line: e.span.start.line,
            col: e.span.start.col,
        };
        (position, readable(&e.code.to_string()))
    })?;
    to_design(file, ids).map_err(|e| {
        let map = SourceMap::new(source);
        let message = match e.first {
            Some(first) => {
                let p = map.position(source, first);
                format!("{}; it is used first at {}:{}", e.message, p.line, p.col)
            }
            None => e.message,
        };
        (map.position(source, e.place), message)
    })
}

/// The design, its entities read and converted on every core, when the
/// file can be cut into entities ([`split`]) and gives every id. `None`
/// for anything else (an error, an id to make): [`parse_whole`] then reads
/// the file as one, so what the user sees never depends on this path.
fn parse_on_every_core(source: &str, ids: &mut IdGen, like: Option<&Design>) -> Option<Design> {
    let parts = split::split(source)?;
    let options = ron_options();
    let header: format::DesignFile = options.from_str(&parts.header).ok()?;
    convert::check_format(&header).ok()?;
    // A thread for every 500 entities or so, up to one per core: fewer
    // would leave cores idle, more would only cost the threads' start.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(parts.entities.len() / 500).max(1);
    let per_thread = parts.entities.len().div_ceil(threads).max(1);
    let convert = |first: usize, entities: &[(usize, &str)]| -> Option<Vec<convert::Converted>> {
        // Every id is in the file (checked first), so none is made here.
        let mut unused = IdGen::seeded(0);
        entities
            .iter()
            .enumerate()
            .map(|(k, (_, text))| {
                let entity: format::EntityFile = options.from_str(text).ok()?;
                if !convert::has_every_id(&entity) {
                    return None;
                }
                let (entity, rels) = convert::to_entity(first + k, entity, &mut unused).ok()?;
                let shared = like.and_then(|d| d.shared_entity(&entity));
                Some((shared.unwrap_or_else(|| Arc::new(entity)), rels))
            })
            .collect()
    };
    let groups: Vec<Option<Vec<convert::Converted>>> = if threads == 1 {
        vec![convert(0, &parts.entities)]
    } else {
        std::thread::scope(|scope| {
            let running: Vec<_> = parts
                .entities
                .chunks(per_thread)
                .enumerate()
                .map(|(n, group)| scope.spawn(move || convert(n * per_thread, group)))
                .collect();
            running
                .into_iter()
                .map(|t| t.join().expect("converting an entity does not panic"))
                .collect()
        })
    };
    let mut entities = Vec::with_capacity(parts.entities.len());
    for group in groups {
        entities.extend(group?);
    }
    if !convert::ids_differ(&header.enums, &entities) {
        return None;
    }
    convert::assemble(header, entities, ids).ok()
}

/// The canonical text of a design: the same design always gives the same
/// bytes, so files diff well and `fmt --check` can compare.
pub fn to_text(design: &Design) -> String {
    let mut text = String::new();
    write_text(design, &mut text).expect("a design file always serializes");
    text
}

/// [`to_text`] handed to `out` as it is made.
fn write_text(design: &Design, out: &mut impl std::fmt::Write) -> ron::Result<()> {
    let config = PrettyConfig::new()
        .indentor("    ")
        .struct_names(false)
        .depth_limit(4)
        .extensions(Extensions::IMPLICIT_SOME);
    ron::ser::to_writer_pretty(&mut *out, &convert::to_text_file(design), config)?;
    out.write_char('\n')?;
    Ok(())
}

/// Whether `text` is exactly the canonical text of `design`, found
/// without making that text: it is compared as it is written and the
/// first difference stops the writing (`fmt --check` of a 50,000-entity
/// design need not hold a second 80 MB copy).
pub fn is_text_of(design: &Design, text: &str) -> bool {
    /// Consumes `rest` as matching text arrives; refuses the first that
    /// does not match.
    struct Compare<'t> {
        rest: &'t [u8],
    }
    impl std::fmt::Write for Compare<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            match self.rest.strip_prefix(s.as_bytes()) {
                Some(rest) => {
                    self.rest = rest;
                    Ok(())
                }
                None => Err(std::fmt::Error),
            }
        }
    }
    let mut compare = Compare {
        rest: text.as_bytes(),
    };
    write_text(design, &mut compare).is_ok() && compare.rest.is_empty()
}

/// The parser's message in the file's own terms: "in an entity" rather
/// than the name of the Rust struct behind it.
fn readable(message: &str) -> String {
    let mut text = message.to_owned();
    for (rust, file) in [
        ("`DesignFile`", "the design"),
        ("`EnumFile`", "an enum"),
        ("`EntityFile`", "an entity"),
        ("`FieldFile`", "a field"),
        ("`UniqueFile`", "a unique constraint"),
        ("`CheckFile`", "a check"),
        ("`IndexFile`", "an index"),
        ("`RelationshipFile`", "a relationship"),
        ("enum `Initially`", "`deferrable`"),
    ] {
        text = text.replace(rust, file);
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::InvalidData => "not UTF-8 text".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests;
