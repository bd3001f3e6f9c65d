use std::path::{Path, PathBuf};

use super::Failure;
use crate::file::comments::{self, Lost};
use crate::file::{Backup, Expect, SaveOutcome, to_text};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Design files to format.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Change nothing; exit 1 if any file is not in canonical form, and
    /// name the comments formatting would lose.
    #[arg(long)]
    check: bool,
    /// Format even when some comments have no place in the canonical
    /// text (their item is not written, e.g. `not_null: false`); without
    /// it such a file is refused and left as it is.
    #[arg(long)]
    drop_comments: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let mut untidy = Vec::new();
    for path in &args.files {
        let (design, source) = crate::file::load_with_source(path).map_err(Failure::input)?;
        // Without comments to carry over, the canonical text is compared
        // as it is made rather than made whole.
        if args.check && !comments::may_hold_comments(&source) {
            if !crate::file::is_text_of(&design, &source) {
                untidy.push(path.display().to_string());
            }
            continue;
        }
        let kept = comments::keep(&source, to_text(&design))
            .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        if args.check {
            if source != kept.text {
                untidy.push(path.display().to_string());
            }
            if !kept.lost.is_empty() {
                eprintln!("{}", would_lose(path, &kept.lost));
            }
            continue;
        }
        if !kept.lost.is_empty() {
            if !args.drop_comments {
                return Err(Failure::input(format!(
                    "{}\nnothing was written; `plinth fmt --drop-comments` formats it without them",
                    would_lose(path, &kept.lost)
                )));
            }
            eprintln!(
                "{}",
                would_lose(path, &kept.lost).replacen("would lose", "drops", 1)
            );
        }
        // What was read must still be there: an edit made meanwhile is
        // refused, not overwritten.
        let saved = crate::file::write(path, &kept.text, Expect::holding(&source), Backup::Keep)
            .map_err(Failure::input)?;
        if saved.outcome == SaveOutcome::Written {
            println!("formatted {}", path.display());
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

/// `shop.ron: formatting would lose 2 comment(s) that have no place in the
/// canonical text:` and one line per comment.
fn would_lose(path: &Path, lost: &[Lost]) -> String {
    let mut text = format!(
        "{}: formatting would lose {} comment(s) that have no place in the canonical text:",
        path.display(),
        lost.len()
    );
    for comment in lost {
        text.push_str(&format!(
            "\n  {}:{}: {comment}",
            path.display(),
            comment.line
        ));
    }
    text
}
