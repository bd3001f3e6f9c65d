//! Check findings as text for people (`human`) and machines (`json`,
//! `sarif`). Each format reads the same `CheckedFile`s.

mod human;
mod json;
mod sarif;

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::core::check::{Finding, Severity};
use crate::core::model::{Design, Location};
use crate::file::{Locator, Position};

pub use human::human;
pub use json::json;
pub use sarif::sarif;

/// One design file and what the checks found in it.
pub struct CheckedFile {
    pub path: PathBuf,
    pub design: Design,
    pub source: String,
    pub findings: Vec<Finding>,
    /// Made once for all findings.
    locator: Locator,
}

impl CheckedFile {
    /// A checked file with the map of where everything is written in it.
    pub fn located(
        path: PathBuf,
        design: Design,
        source: String,
        findings: Vec<Finding>,
        locator: Locator,
    ) -> Self {
        CheckedFile {
            path,
            design,
            source,
            findings,
            locator,
        }
    }

    /// Where in the file a finding's location is written.
    pub fn position(&self, location: &Location) -> Position {
        self.locator.position(&self.source, &self.design, location)
    }

    pub fn entity_name(&self, location: &Location) -> Option<&str> {
        let id = location.entity()?;
        self.design.entity(id).map(|e| e.name.as_str())
    }

    pub fn field_name(&self, location: &Location) -> Option<&str> {
        match location {
            Location::Field(e, f) => self.design.entity(e)?.field(f).map(|f| f.name.as_str()),
            _ => None,
        }
    }

    /// Counts of findings not allowed by the design, by severity.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for f in &self.findings {
            match (&f.allowed, f.severity) {
                (Some(_), _) => counts.allowed += 1,
                (None, Severity::Error) => counts.errors += 1,
                (None, Severity::Warning) => counts.warnings += 1,
                (None, Severity::Info) => counts.infos += 1,
            }
        }
        counts
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub allowed: usize,
}

/// The kind of place a location is, as the JSON output names it.
pub fn location_kind(location: &Location) -> &'static str {
    match location {
        Location::Design => "design",
        Location::Enum(_) => "enum",
        Location::Entity(_) => "entity",
        Location::Field(..) => "field",
        Location::PrimaryKey(_) => "primary_key",
        Location::Unique(..) => "unique",
        Location::Check(..) => "check",
        Location::Index(..) => "index",
        Location::Relationship(..) => "relationship",
    }
}

/// Colour only for a terminal, and never under NO_COLOR.
pub fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
