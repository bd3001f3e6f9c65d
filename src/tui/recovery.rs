//! The recovery file: `.FILE.recover` beside the design, holding unsaved
//! changes so a crash, a killed terminal or a lost connection costs at
//! most a couple of seconds of work. The app decides when to write and
//! remove it; these functions do the file work for the runner.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::core::ids::IdGen;
use crate::core::model::Design;

/// `designs/.shop.ron.recover` for `designs/shop.ron`.
pub fn path_for(file: &Path) -> PathBuf {
    let name = file
        .file_name()
        .map_or_else(|| "design".into(), |n| n.to_string_lossy().into_owned());
    file.with_file_name(format!(".{name}.recover"))
}

/// What was found beside a design file.
#[derive(Debug)]
pub enum Found {
    None,
    /// A recovery file newer than the design file (or with no design file).
    Newer(Box<Design>),
    /// A recovery file older than the design file: the file was saved
    /// since, so it is left alone and not offered.
    Older(PathBuf),
    /// A recovery file that does not read as a design.
    Unreadable(PathBuf, String),
}

pub fn find(file: &Path) -> Found {
    let path = path_for(file);
    let Ok(meta) = fs::metadata(&path) else {
        return Found::None;
    };
    let newer = match (
        meta.modified(),
        fs::metadata(file).and_then(|m| m.modified()),
    ) {
        (Ok(recovered), Ok(saved)) => recovered >= saved,
        (_, Err(_)) => true,
        (Err(_), Ok(_)) => true,
    };
    if !newer {
        return Found::Older(path);
    }
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => return Found::Unreadable(path, e.to_string()),
    };
    match crate::file::parse(&text, &mut IdGen::random()) {
        Ok(design) => Found::Newer(Box::new(design)),
        Err((at, message)) => {
            let message = format!("{}:{}: {message}", at.line, at.col);
            Found::Unreadable(path, message)
        }
    }
}

/// Writes the recovery file atomically, readable by its owner only (the
/// design may be private), without a backup: an old recovery file is of
/// no use.
pub fn write(path: &Path, text: &str) -> io::Result<()> {
    crate::file::write_private(path, text).map(|_| ())
}

/// Removes the recovery file (and a stray backup of it); a missing one
/// is fine.
pub fn remove(path: &Path) -> io::Result<()> {
    for p in [path.to_owned(), backup_of(path)] {
        match fs::remove_file(&p) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

fn backup_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recovery_file_sits_beside_the_design_hidden() {
        assert_eq!(
            path_for(Path::new("designs/shop.ron")),
            PathBuf::from("designs/.shop.ron.recover")
        );
        assert_eq!(
            path_for(Path::new("shop.ron")),
            PathBuf::from(".shop.ron.recover")
        );
    }
}
