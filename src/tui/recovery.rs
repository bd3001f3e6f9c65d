//! The recovery file: `.FILE.recover` beside the design, holding unsaved
//! changes so a crash, a killed terminal or a lost connection costs at
//! most a couple of seconds of work. The app decides when to write and
//! remove it; these functions do the file work for the runner.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};

use super::msg::Msg;
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

/// What the [`Writer`] is asked to do.
#[derive(Debug)]
pub enum Job {
    Write { path: PathBuf, design: Arc<Design> },
    Remove { path: PathBuf },
}

impl Job {
    fn path(&self) -> &Path {
        match self {
            Job::Write { path, .. } | Job::Remove { path } => path,
        }
    }

    fn run(self) -> io::Result<()> {
        match self {
            Job::Write { path, design } => write(&path, &crate::file::to_text(&design)),
            Job::Remove { path } => remove(&path),
        }
    }
}

/// The recovery file's own thread. Turning a 50,000-entity design into
/// text takes about a second, which the designer must not wait for; jobs
/// run in the order given, so a remove after a save is never overtaken by
/// an older write, and of the jobs waiting for one file only the newest
/// runs. A failed write comes back as [`Msg::RecoveryFailed`].
pub struct Writer {
    jobs: Option<Sender<Job>>,
    pub results: Receiver<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub fn start() -> Writer {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (outbox, results) = mpsc::channel();
        let thread = thread::spawn(move || {
            while let Ok(job) = inbox.recv() {
                let mut waiting = vec![job];
                waiting.extend(inbox.try_iter());
                for job in newest_per_file(waiting) {
                    let writing = matches!(job, Job::Write { .. });
                    if let Err(e) = job.run()
                        && writing
                        && outbox.send(Msg::RecoveryFailed(e.to_string())).is_err()
                    {
                        return;
                    }
                }
            }
        });
        Writer {
            jobs: Some(jobs),
            results,
            thread: Some(thread),
        }
    }

    pub fn send(&self, job: Job) {
        if let Some(jobs) = &self.jobs
            && let Err(mpsc::SendError(job)) = jobs.send(job)
        {
            // The thread is gone: do it here rather than never.
            let _ = job.run();
        }
    }

    /// Waits for the jobs given so far, before the designer exits or
    /// writes the file itself.
    pub fn finish(&mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The last job for each file, in the order given.
fn newest_per_file(jobs: Vec<Job>) -> Vec<Job> {
    let mut kept: Vec<Job> = Vec::new();
    for job in jobs.into_iter().rev() {
        if !kept.iter().any(|k| k.path() == job.path()) {
            kept.push(job);
        }
    }
    kept.reverse();
    kept
}

fn backup_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> Arc<Design> {
        Arc::new(crate::core::synthetic::design(3, 1))
    }

    #[test]
    fn the_writer_writes_the_design_and_a_later_remove_wins() {
        let dir = tempfile::tempdir().unwrap();
        let (kept, removed) = (dir.path().join(".a.recover"), dir.path().join(".b.recover"));
        let mut writer = Writer::start();
        writer.send(Job::Write {
            path: kept.clone(),
            design: shop(),
        });
        writer.send(Job::Write {
            path: removed.clone(),
            design: shop(),
        });
        writer.send(Job::Remove {
            path: removed.clone(),
        });
        writer.finish();
        assert_eq!(
            fs::read_to_string(&kept).unwrap(),
            crate::file::to_text(&shop())
        );
        assert!(!removed.exists());
        assert!(writer.results.try_recv().is_err(), "nothing failed");
    }

    #[test]
    fn a_write_that_fails_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = Writer::start();
        writer.send(Job::Write {
            path: dir.path().join("missing/.a.recover"),
            design: shop(),
        });
        writer.finish();
        assert!(matches!(
            writer.results.try_recv(),
            Ok(Msg::RecoveryFailed(_))
        ));
    }

    #[test]
    fn of_the_jobs_waiting_only_the_newest_for_each_file_runs() {
        let job = |p: &str, write: bool| match write {
            true => Job::Write {
                path: p.into(),
                design: shop(),
            },
            false => Job::Remove { path: p.into() },
        };
        let kept = newest_per_file(vec![
            job("a", true),
            job("b", true),
            job("a", false),
            job("b", true),
            job("c", false),
        ]);
        let kept: Vec<(&Path, bool)> = kept
            .iter()
            .map(|j| (j.path(), matches!(j, Job::Write { .. })))
            .collect();
        assert_eq!(
            kept,
            [
                (Path::new("a"), false),
                (Path::new("b"), true),
                (Path::new("c"), false)
            ]
        );
    }

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
