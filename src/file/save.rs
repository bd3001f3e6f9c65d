//! Writing the files plinth writes (designs, backups, recovery files,
//! migrations, exports) so that nothing the user has is lost:
//!
//! - a symlink is written through: the file it points at gets the new
//!   text and the link stays a link;
//! - the new text goes to a temporary file in the target's directory, is
//!   flushed to disk and renamed over the target, so a crash or a kill
//!   leaves either the old or the new file, never half of one;
//! - the replaced version becomes `FILE.bak` the same way (temporary file,
//!   flush, rename), so the backup is never half-written either;
//! - mode and ownership of the replaced file are kept (an owner that
//!   cannot be given back without privileges is left as it falls);
//! - a read-only file is refused, never made writable;
//! - a caller that read the file can say what it read ([`Expect`]): a file
//!   that changed on disk since is refused, so a second editor's save or
//!   another program's edit is not overwritten unseen.

use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::core::model::Design;

/// The SHA-256 of a file's bytes: what a save compares to tell whether the
/// file is still what was read.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    pub fn of(bytes: &[u8]) -> ContentHash {
        ContentHash(Sha256::digest(bytes).into())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.0[..6] {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// What a save expects to find where it writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Whatever is there, or nothing, may be replaced (a backup is kept).
    Anything,
    /// Nothing may be there yet: a new design, a design saved under a new
    /// name.
    Absent,
    /// Exactly the bytes that were read or last written.
    Holding(ContentHash),
}

impl Expect {
    /// What a file read as `text` should still hold.
    pub fn holding(text: &str) -> Expect {
        Expect::Holding(ContentHash::of(text.as_bytes()))
    }
}

/// Whether the replaced version is kept as `FILE.bak`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backup {
    Keep,
    /// For files whose old version is of no use (the recovery file).
    Skip,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveOutcome {
    Written,
    /// The file already held exactly this text; nothing was touched.
    Unchanged,
}

/// A save that went through, and the hash of what the file now holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Saved {
    pub outcome: SaveOutcome,
    pub hash: ContentHash,
}

/// Why a save wrote nothing. The file, its backup and the directory are
/// as they were (a stray temporary file aside, if even removing it failed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveError {
    /// The path the caller named.
    pub path: PathBuf,
    /// The file a symlink at `path` leads to, when it is not `path`.
    pub target: Option<PathBuf>,
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The file is not what `expected` says: it changed, appeared or went
    /// away since it was read. `found` is what it holds now.
    Changed {
        expected: Expect,
        found: Option<ContentHash>,
    },
    /// The file has no write permission (for us, or for anyone).
    ReadOnly,
    /// A directory or a device where a file should be.
    NotAFile,
    Io {
        kind: io::ErrorKind,
        message: String,
    },
}

impl SaveError {
    /// The reason alone, without the path: "is read-only; ...".
    pub fn reason(&self) -> String {
        match &self.problem {
            Problem::Changed {
                expected: Expect::Absent,
                ..
            } => "exists already (it was created by someone else); nothing was written".into(),
            Problem::Changed { found: None, .. } => {
                "was removed since it was read; nothing was written".into()
            }
            Problem::Changed { .. } => {
                "changed on disk since it was read (another program or another plinth wrote \
                 it); nothing was written"
                    .into()
            }
            Problem::ReadOnly => {
                "is read-only; nothing was written (plinth never makes a read-only file \
                 writable)"
                    .into()
            }
            Problem::NotAFile => "is not a regular file; nothing was written".into(),
            Problem::Io { message, .. } => format!("could not be written: {message}"),
        }
    }

    /// The same failure as an `io::Error`, for callers that only report.
    pub fn into_io(self) -> io::Error {
        let kind = match &self.problem {
            Problem::Changed { .. } => io::ErrorKind::AlreadyExists,
            Problem::ReadOnly => io::ErrorKind::PermissionDenied,
            Problem::NotAFile => io::ErrorKind::InvalidInput,
            Problem::Io { kind, .. } => *kind,
        };
        io::Error::new(kind, self.reason())
    }

    fn io(path: &Path, target: &Path, e: io::Error) -> SaveError {
        SaveError::new(
            path,
            target,
            Problem::Io {
                kind: e.kind(),
                message: match e.kind() {
                    io::ErrorKind::PermissionDenied => "permission denied".into(),
                    io::ErrorKind::NotFound => "no such directory".into(),
                    _ => e.to_string(),
                },
            },
        )
    }

    fn new(path: &Path, target: &Path, problem: Problem) -> SaveError {
        SaveError {
            path: path.to_owned(),
            target: (target != path).then(|| target.to_owned()),
            problem,
        }
    }
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Some(target) => write!(
                f,
                "{} (a link to {}) {}",
                self.path.display(),
                target.display(),
                self.reason()
            ),
            None => write!(f, "{} {}", self.path.display(), self.reason()),
        }
    }
}

impl std::error::Error for SaveError {}

/// Writes a design's canonical text to `path` (see [`write`]), replacing
/// whatever is there and keeping a backup.
pub fn save(path: &Path, design: &Design) -> io::Result<SaveOutcome> {
    write_atomically(path, &super::to_text(design))
}

/// [`write`] for callers that replace whatever is there and only report
/// failures: a backup is kept, a read-only file is still refused.
pub fn write_atomically(path: &Path, text: &str) -> io::Result<SaveOutcome> {
    write(path, text, Expect::Anything, Backup::Keep)
        .map(|saved| saved.outcome)
        .map_err(SaveError::into_io)
}

/// Writes `text` to `path` as the module doc says: through symlinks,
/// atomically, keeping mode, ownership and (with [`Backup::Keep`]) the
/// replaced version, and only when the file is what `expect` says.
/// Nothing is written when the file already holds exactly this text.
pub fn write(path: &Path, text: &str, expect: Expect, backup: Backup) -> Result<Saved, SaveError> {
    write_with(path, text, expect, backup, None)
}

/// Writes a file only this user may read (a recovery file, which can hold
/// a private design), replacing whatever is there, with no backup.
pub fn write_private(path: &Path, text: &str) -> io::Result<SaveOutcome> {
    write_with(path, text, Expect::Anything, Backup::Skip, Some(0o600))
        .map(|saved| saved.outcome)
        .map_err(SaveError::into_io)
}

/// [`write`], with the mode a file that does not exist yet is created
/// with (`None`: the usual 0666 less the umask).
fn write_with(
    path: &Path,
    text: &str,
    expect: Expect,
    backup: Backup,
    new_mode: Option<u32>,
) -> Result<Saved, SaveError> {
    let target = resolve(path).map_err(|e| SaveError::io(path, path, e))?;
    let fail = |problem| SaveError::new(path, &target, problem);
    let io_fail = |e| SaveError::io(path, &target, e);

    let current = read_existing(&target).map_err(io_fail)?;
    let found = current.as_ref().map(|(bytes, _)| ContentHash::of(bytes));
    if !expect_matches(expect, found) {
        return Err(fail(Problem::Changed {
            expected: expect,
            found,
        }));
    }
    let hash = ContentHash::of(text.as_bytes());
    if let Some((bytes, meta)) = &current {
        if !meta.is_file() {
            return Err(fail(Problem::NotAFile));
        }
        if bytes == text.as_bytes() {
            return Ok(Saved {
                outcome: SaveOutcome::Unchanged,
                hash,
            });
        }
        if is_read_only(&target, meta) {
            return Err(fail(Problem::ReadOnly));
        }
    }

    let (dir, name) = dir_and_name(&target).map_err(io_fail)?;
    if let (Backup::Keep, Some((bytes, meta))) = (backup, &current) {
        let backup = dir.join(format!("{name}.bak"));
        replace(&dir, &name, &backup, bytes, Some(meta)).map_err(io_fail)?;
    }
    let tmp = write_temp(
        &dir,
        &name,
        text.as_bytes(),
        current.as_ref().map(|(_, m)| m),
        new_mode,
    )
    .map_err(io_fail)?;
    // Look once more, as late as can be: a save that raced ours wins,
    // and ours is refused rather than quietly replacing it.
    let last_look = match expect {
        Expect::Anything => Ok(()),
        _ => match read_existing(&target) {
            Ok(now) => {
                let now = now.map(|(bytes, _)| ContentHash::of(&bytes));
                if now == found {
                    Ok(())
                } else {
                    Err(fail(Problem::Changed {
                        expected: expect,
                        found: now,
                    }))
                }
            }
            Err(e) => Err(io_fail(e)),
        },
    };
    let renamed = last_look.and_then(|()| fs::rename(&tmp, &target).map_err(io_fail));
    if renamed.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    renamed?;
    sync_dir(&dir);
    Ok(Saved {
        outcome: SaveOutcome::Written,
        hash,
    })
}

/// Reads a file and hashes what it holds, `None` when there is none: what
/// a later [`write`] with [`Expect::Holding`] compares against.
pub fn fingerprint(path: &Path) -> io::Result<Option<ContentHash>> {
    let target = resolve(path)?;
    Ok(read_existing(&target)?.map(|(bytes, _)| ContentHash::of(&bytes)))
}

fn expect_matches(expect: Expect, found: Option<ContentHash>) -> bool {
    match expect {
        Expect::Anything => true,
        Expect::Absent => found.is_none(),
        Expect::Holding(hash) => found == Some(hash),
    }
}

/// Follows symlinks at `path` to the file they end at (which need not
/// exist yet: a dangling link is written through, as editors do).
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut at = path.to_owned();
    for _ in 0..40 {
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&at)?;
                at = match at.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// The file's bytes and metadata, or `None` when there is no file.
fn read_existing(target: &Path) -> io::Result<Option<(Vec<u8>, Metadata)>> {
    let meta = match fs::metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Ok(Some((Vec::new(), meta)));
    }
    Ok(Some((fs::read(target)?, meta)))
}

/// No write bit at all (which even root must respect here), or no write
/// access for this process. Opening for writing without truncating
/// changes nothing in the file.
fn is_read_only(target: &Path, meta: &Metadata) -> bool {
    meta.permissions().readonly() || OpenOptions::new().write(true).open(target).is_err()
}

fn dir_and_name(target: &Path) -> io::Result<(PathBuf, String)> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?
        .to_string_lossy()
        .into_owned();
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name))
}

/// Replaces `path` by a file holding `bytes`, through a temporary file.
fn replace(
    dir: &Path,
    name: &str,
    path: &Path,
    bytes: &[u8],
    like: Option<&Metadata>,
) -> io::Result<()> {
    let tmp = write_temp(dir, name, bytes, like, None)?;
    let renamed = fs::rename(&tmp, path);
    if renamed.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    renamed?;
    sync_dir(dir);
    Ok(())
}

/// A new file `.NAME.PID.N.tmp` in `dir` holding `bytes`, flushed to disk,
/// with the mode and (where allowed) the owner of `like`, else created
/// with `new_mode`. A file in place of an existing one starts private, so
/// its text is never readable by more people than the file it replaces.
fn write_temp(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    like: Option<&Metadata>,
    new_mode: Option<u32>,
) -> io::Result<PathBuf> {
    let mut attempt = 0;
    let (path, mut file) = loop {
        let path = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        if like.is_some() {
            options.mode(0o600);
        } else if let Some(mode) = new_mode {
            options.mode(mode);
        }
        match options.open(&path) {
            Ok(file) => break (path, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let written = (|| {
        file.write_all(bytes)?;
        if let Some(meta) = like {
            keep_owner_and_mode(&file, meta)?;
        }
        file.sync_all()
    })();
    if let Err(e) = written {
        drop(file);
        let _ = fs::remove_file(&path);
        return Err(e);
    }
    Ok(path)
}

/// Gives the new file the replaced file's owner and group where this
/// process may (root, or a group it is in), then its mode: after the
/// owner, since changing the owner clears set-id bits.
fn keep_owner_and_mode(file: &File, meta: &Metadata) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, fchown};
    if fchown(file, Some(meta.uid()), Some(meta.gid())).is_err() {
        let _ = fchown(file, None, Some(meta.gid()));
    }
    file.set_permissions(Permissions::from_mode(meta.permissions().mode() & 0o7777))
}

/// Makes renames in `dir` durable; a directory that cannot be opened or
/// synced (some filesystems) is no reason to fail a save already made.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::{MetadataExt, symlink};

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn a_new_file_is_written_and_the_same_text_again_touches_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.ron");
        let saved = write(&path, "one\n", Expect::Absent, Backup::Keep).unwrap();
        assert_eq!(saved.outcome, SaveOutcome::Written);
        assert_eq!(saved.hash, ContentHash::of(b"one\n"));
        assert_eq!(fs::read_to_string(&path).unwrap(), "one\n");
        assert!(!dir.path().join("d.ron.bak").exists(), "nothing to back up");
        let again = write(&path, "one\n", Expect::holding("one\n"), Backup::Keep).unwrap();
        assert_eq!(again.outcome, SaveOutcome::Unchanged);
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn the_replaced_version_becomes_the_backup_with_the_same_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.ron");
        fs::write(&path, "old\n").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o600)).unwrap();
        write(&path, "new\n", Expect::holding("old\n"), Backup::Keep).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        let backup = dir.path().join("d.ron.bak");
        assert_eq!(fs::read_to_string(&backup).unwrap(), "old\n");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            mode(&backup),
            0o600,
            "a private file's backup stays private"
        );
        assert!(leftovers(dir.path()).is_empty());

        write(&path, "newer\n", Expect::Anything, Backup::Skip).unwrap();
        assert_eq!(fs::read_to_string(&backup).unwrap(), "old\n");
    }

    #[test]
    fn owner_and_group_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.ron");
        fs::write(&path, "old\n").unwrap();
        let before = fs::metadata(&path).unwrap();
        write(&path, "new\n", Expect::Anything, Backup::Keep).unwrap();
        let after = fs::metadata(&path).unwrap();
        assert_ne!(before.ino(), after.ino(), "a new file was renamed in");
        assert_eq!((before.uid(), before.gid()), (after.uid(), after.gid()));
    }

    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("real")).unwrap();
        let target = dir.path().join("real/d.ron");
        fs::write(&target, "old\n").unwrap();
        let link = dir.path().join("d.ron");
        symlink("real/d.ron", &link).unwrap();
        // And a link to the link.
        let link2 = dir.path().join("again.ron");
        symlink(&link, &link2).unwrap();

        write(&link2, "new\n", Expect::holding("old\n"), Backup::Keep).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            fs::symlink_metadata(&link2)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
        assert_eq!(
            fs::read_to_string(dir.path().join("real/d.ron.bak")).unwrap(),
            "old\n",
            "the backup sits beside the file it backs up"
        );
        assert!(leftovers(dir.path()).is_empty());
        assert!(leftovers(&dir.path().join("real")).is_empty());
    }

    #[test]
    fn a_dangling_link_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("d.ron");
        symlink("missing.ron", &link).unwrap();
        write(&link, "new\n", Expect::Absent, Backup::Keep).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("missing.ron")).unwrap(),
            "new\n"
        );
    }

    #[test]
    fn a_read_only_file_is_refused_and_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.ron");
        fs::write(&path, "old\n").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o444)).unwrap();
        let e = write(&path, "new\n", Expect::Anything, Backup::Keep).unwrap_err();
        assert_eq!(e.problem, Problem::ReadOnly);
        assert!(e.to_string().contains("d.ron is read-only"), "{e}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old\n");
        assert_eq!(mode(&path), 0o444);
        assert!(!dir.path().join("d.ron.bak").exists());
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.ron");
        fs::write(&path, "theirs\n").unwrap();
        let e = write(
            &path,
            "mine\n",
            Expect::holding("what I read\n"),
            Backup::Keep,
        )
        .unwrap_err();
        assert_eq!(
            e.problem,
            Problem::Changed {
                expected: Expect::holding("what I read\n"),
                found: Some(ContentHash::of(b"theirs\n")),
            }
        );
        assert!(e.to_string().contains("changed on disk"), "{e}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "theirs\n");
        assert!(!dir.path().join("d.ron.bak").exists());

        let e = write(&path, "mine\n", Expect::Absent, Backup::Keep).unwrap_err();
        assert!(e.to_string().contains("exists already"), "{e}");

        fs::remove_file(&path).unwrap();
        let e = write(&path, "mine\n", Expect::holding("theirs\n"), Backup::Keep).unwrap_err();
        assert!(e.to_string().contains("was removed"), "{e}");
        assert!(!path.exists());
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn neither_the_file_nor_its_backup_is_rewritten_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.ron");
        let backup = dir.path().join("d.ron.bak");
        fs::write(&path, "one\n").unwrap();
        write(&path, "two\n", Expect::Anything, Backup::Keep).unwrap();
        // Hold the files as they are: a save that truncated and rewrote
        // either in place would change what these handles read.
        let old_file = File::open(&path).unwrap();
        let old_backup = File::open(&backup).unwrap();
        write(&path, "three\n", Expect::Anything, Backup::Keep).unwrap();
        assert_eq!(io::read_to_string(&old_file).unwrap(), "two\n");
        assert_eq!(io::read_to_string(&old_backup).unwrap(), "one\n");
        assert_eq!(fs::read_to_string(&path).unwrap(), "three\n");
        assert_eq!(fs::read_to_string(&backup).unwrap(), "two\n");
    }

    #[test]
    fn a_directory_is_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = write(dir.path(), "x", Expect::Anything, Backup::Keep).unwrap_err();
        assert_eq!(e.problem, Problem::NotAFile);
        let missing = dir.path().join("no/such/dir/d.ron");
        let e = write(&missing, "x", Expect::Anything, Backup::Keep).unwrap_err();
        assert!(e.to_string().contains("no such directory"), "{e}");
    }

    #[test]
    fn private_files_are_made_for_their_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".d.ron.recover");
        write_private(&path, "x").unwrap();
        assert_eq!(mode(&path), 0o600);
        write_private(&path, "y").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "y");
        assert!(!dir.path().join(".d.ron.recover.bak").exists());
    }

    #[test]
    fn fingerprints_hash_what_the_file_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.ron");
        assert_eq!(fingerprint(&path).unwrap(), None);
        fs::write(&path, "x").unwrap();
        assert_eq!(fingerprint(&path).unwrap(), Some(ContentHash::of(b"x")));
        assert_ne!(ContentHash::of(b"x"), ContentHash::of(b"y"));
    }
}
