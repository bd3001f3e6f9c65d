//! The designer and a live database: which database it applies to, the
//! jobs that plan and apply off the input path, and what they send back.
//!
//! Applying from the designer is the command line's `plinth apply` with
//! the prompt replaced by a preview: `A` (or `:apply`) asks the database
//! for a plan, the plan is shown, and `y` applies exactly that plan. If
//! the database has changed in between, nothing runs and the new plan is
//! shown instead.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::core::diff::{Plan, PlanOptions, Step};
use crate::core::model::Design;
use crate::db::wait::{Wait, Watch, attach, seconds};
use crate::db::{ApplyError, Kind, Observer, Outcome, Target, apply, plan_live};

/// How long a job waits for the server to answer.
const CONNECT_TIMEOUT: Duration = crate::db::DEFAULT_CONNECT_TIMEOUT;

/// A database and schema to apply to.
#[derive(Clone)]
pub struct Connection {
    pub target: Target,
    pub schema: String,
}

impl Connection {
    /// `user@host:port/db`, or `…/db (schema sales)`; never the password.
    pub fn describe(&self) -> String {
        if self.schema == "public" {
            self.target.describe()
        } else {
            format!("{} (schema {})", self.target.describe(), self.schema)
        }
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Two connections are the same when they name the same place; the
/// password is not compared (nor kept anywhere it could be shown).
impl PartialEq for Connection {
    fn eq(&self, other: &Self) -> bool {
        self.describe() == other.describe()
    }
}

/// Work for the database, run on the runner's database thread.
#[derive(Clone, Debug, PartialEq)]
pub struct DbJob {
    pub connection: Connection,
    /// The design as it was when the job was made.
    pub design: Arc<Design>,
    /// The design's generation, so a plan for an older design is known.
    pub generation: u64,
    pub work: Work,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Work {
    /// Inspect the schema and plan the migration to the design.
    Plan { allow_destructive: bool },
    /// Apply, provided the plan made under the lock is this one.
    Apply { plan: Box<Plan> },
}

/// What a [`DbJob`] found or did.
#[derive(Clone, Debug, PartialEq)]
pub enum DbReply {
    Planned {
        generation: u64,
        plan: Box<Plan>,
    },
    /// The plan ran and committed.
    Applied {
        plan: Box<Plan>,
    },
    /// The database already matched the design when the lock was taken.
    NothingToDo,
    /// The database changed after the preview: nothing ran, and this is
    /// the plan from what is there now.
    Changed {
        generation: u64,
        plan: Box<Plan>,
    },
    /// Connecting, inspecting or a statement failed; nothing was applied
    /// (the message says what was kept, if anything).
    Failed(String),
    /// The user cancelled the job; what ran was rolled back (the message
    /// says what was kept, if anything).
    Cancelled(String),
}

impl DbJob {
    /// Runs the job (blocking, on whatever thread calls it), telling
    /// `progress` what it is waiting for.
    pub fn run(self, progress: impl Fn(String)) -> DbReply {
        self.run_cancellable(progress, &AtomicBool::new(false))
    }

    /// [`DbJob::run`], cancelled when `cancel` is set: the statement
    /// running gets a cancel request (as `pg_cancel_backend` sends), its
    /// transaction rolls back, and the reply is [`DbReply::Cancelled`].
    pub fn run_cancellable(self, progress: impl Fn(String), cancel: &AtomicBool) -> DbReply {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => return DbReply::Failed(format!("cannot start the async runtime: {e}")),
        };
        runtime.block_on(self.run_async(progress, cancel))
    }

    async fn run_async(self, progress: impl Fn(String), cancel: &AtomicBool) -> DbReply {
        let DbJob {
            connection,
            design,
            generation,
            work,
        } = self;
        let target = &connection.target;
        let applying = matches!(work, Work::Apply { .. });
        let mut session = tokio::select! {
            session = target.open(Kind::Own, CONNECT_TIMEOUT) => match session {
                Ok(session) => session,
                Err(e) => return DbReply::Failed(e.to_string()),
            },
            () = requested(cancel) => return cancelled(applying, None),
        };
        let token = session.cancel_token();
        let watch = Watch::new(target, &session);
        let report = |w: &Wait| {
            // The key first: a long holder is cut at the screen's edge.
            progress(format!(
                "waiting {} (Esc cancels) for {w}",
                seconds(w.waited)
            ))
        };
        let job = perform(
            &mut session.client,
            &connection,
            &design,
            generation,
            work,
            &progress,
        );
        let mut job = std::pin::pin!(watch.run(job, report));
        let mut was_cancelled = false;
        let (result, wait) = tokio::select! {
            out = &mut job => out,
            () = requested(cancel) => {
                was_cancelled = true;
                progress("cancelling …".into());
                // Whether or not the request gets through, the session
                // is closed below: nothing uncommitted survives it.
                let _ = target.cancel(&token).await;
                match tokio::time::timeout(CANCEL_GRACE, &mut job).await {
                    Ok(out) => out,
                    Err(_) => return cancelled(applying, None),
                }
            }
        };
        match result {
            // A plan nobody wants any more.
            Ok(DbReply::Planned { .. }) if was_cancelled => cancelled(false, None),
            // It finished (committed, say) before the cancel got there.
            Ok(reply) => reply,
            Err(e) if was_cancelled => cancelled(applying, Some(&e)),
            Err(mut e) => {
                if let Some(db) = e.db_error_mut() {
                    attach(db, wait.as_ref());
                }
                DbReply::Failed(e.to_string())
            }
        }
    }
}

/// How long a cancelled job may take to stop by itself before its
/// session is closed under it.
const CANCEL_GRACE: Duration = Duration::from_secs(2);

/// Returns once `flag` is set.
async fn requested(flag: &AtomicBool) {
    while !flag.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The reply of a cancelled job, saying what stays.
fn cancelled(applying: bool, error: Option<&ApplyError>) -> DbReply {
    DbReply::Cancelled(match error {
        Some(ApplyError::Failed { kept, .. }) if *kept > 0 => format!(
            "cancelled: applying was rolled back, except the {kept} new enum value(s) committed \
             first"
        ),
        _ if applying => "cancelled: the transaction was rolled back; nothing was applied".into(),
        _ => "cancelled: nothing was planned or applied".into(),
    })
}

/// The work of a job on a connected session.
async fn perform(
    client: &mut tokio_postgres::Client,
    connection: &Connection,
    design: &Design,
    generation: u64,
    work: Work,
    progress: &impl Fn(String),
) -> Result<DbReply, ApplyError> {
    let schema = &connection.schema;
    match work {
        Work::Plan { allow_destructive } => {
            let options = PlanOptions {
                allow_destructive,
                ..PlanOptions::default()
            };
            let plan = plan_live(client, schema, design, options).await?;
            Ok(DbReply::Planned {
                generation,
                plan: Box::new(plan),
            })
        }
        Work::Apply { plan: expected } => {
            let mut preview = Previewed {
                expected: &expected,
                fresh: None,
                progress,
                place: connection.describe(),
            };
            let outcome = apply(client, schema, design, expected.options, &mut preview).await;
            match (outcome, preview.fresh) {
                (Ok(Outcome::Applied(plan)), _) => Ok(DbReply::Applied {
                    plan: Box::new(plan),
                }),
                (Ok(Outcome::NothingToDo), _) => Ok(DbReply::NothingToDo),
                (Err(ApplyError::Declined(_)), Some(plan)) => Ok(DbReply::Changed {
                    generation,
                    plan: Box::new(plan),
                }),
                (Err(ApplyError::Refused { plan, .. }), _) => {
                    Ok(DbReply::Changed { generation, plan })
                }
                (Err(e), _) => Err(e),
            }
        }
    }
}

/// The designer's side of an apply: the plan must be the one previewed.
struct Previewed<'a, P> {
    expected: &'a Plan,
    /// The plan made under the lock, when it is not the one previewed.
    fresh: Option<Plan>,
    progress: &'a P,
    place: String,
}

impl<P: Fn(String)> Observer for Previewed<'_, P> {
    fn waiting(&mut self, holder: &str) {
        (self.progress)(format!(
            "waiting (Esc cancels) for another plinth run on {}, {holder}",
            self.place
        ));
    }

    /// The plan is approved if it runs the same statements: the changes
    /// name objects the design does not have by ids that are new at every
    /// inspection, so they are not compared.
    fn approve(&mut self, plan: &Plan) -> Result<(), ApplyError> {
        if plan.steps().eq(self.expected.steps()) && plan.options == self.expected.options {
            Ok(())
        } else {
            self.fresh = Some(plan.clone());
            Err(ApplyError::Declined("the database changed".into()))
        }
    }

    fn running(&mut self, number: usize, total: usize, _step: &Step) {
        (self.progress)(format!(
            "applying statement {number} of {total} to {}",
            self.place
        ));
    }
}

/// A plan on show before it is applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    pub connection: Connection,
    /// The design the plan leads to, applied as it is if the user says so.
    pub design: Arc<Design>,
    pub generation: u64,
    pub plan: Box<Plan>,
    pub scroll: u16,
    /// Why this plan is on show again, when it is.
    pub note: Option<String>,
}

impl Preview {
    /// The job that applies this plan.
    pub fn apply_job(&self) -> DbJob {
        DbJob {
            connection: self.connection.clone(),
            design: Arc::clone(&self.design),
            generation: self.generation,
            work: Work::Apply {
                plan: self.plan.clone(),
            },
        }
    }
}
