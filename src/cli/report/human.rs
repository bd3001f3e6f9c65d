//! Findings for a person: grouped by entity, most severe first within it.

use crate::core::text::printable;
use std::fmt::Write;

use super::CheckedFile;
use crate::core::check::Severity;

const RESET: &str = "\x1b[0m";
const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";

fn severity_colour(s: Severity) -> &'static str {
    match s {
        Severity::Error => "\x1b[31m",
        Severity::Warning => "\x1b[33m",
        Severity::Info => "\x1b[36m",
    }
}

pub fn human(files: &[CheckedFile], colour: bool) -> String {
    let paint = |code: &'static str| if colour { code } else { "" };
    let mut out = String::new();
    for file in files {
        let counts = file.counts();
        let _ = writeln!(
            out,
            "{}{}{}",
            paint(BOLD),
            printable(&file.path.display().to_string()),
            paint(RESET)
        );
        let mut current: Option<Option<&str>> = None;
        for f in &file.findings {
            let entity = file.entity_name(&f.location);
            if current != Some(entity) {
                let _ = writeln!(out, "  {}", printable(entity.unwrap_or("(design)")));
                current = Some(entity);
            }
            let p = file.position(&f.location);
            let severity = f.severity.as_str();
            let _ = writeln!(
                out,
                "    {}{severity:7}{} {} {}{}:{}:{}{}",
                paint(severity_colour(f.severity)),
                paint(RESET),
                f.rule,
                paint(DIM),
                printable(&file.path.display().to_string()),
                p.line,
                p.col,
                paint(RESET),
            );
            let _ = writeln!(out, "            {}", printable(&f.message));
            match &f.allowed {
                Some(reason) => {
                    let _ = writeln!(out, "            allowed: {}", printable(reason));
                }
                None => {
                    let fix = if f.fix.is_some() { " (fixable)" } else { "" };
                    let _ = writeln!(out, "            hint: {}{fix}", printable(&f.hint));
                }
            }
        }
        let _ = writeln!(
            out,
            "  {} errors, {} warnings, {} info, {} allowed\n",
            counts.errors, counts.warnings, counts.infos, counts.allowed
        );
    }
    out
}
