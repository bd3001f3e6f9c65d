//! The live database: connecting (TLS, timeout, errors without the
//! password) and reading a schema's catalog into a design.
//!
//! Everything here is async on tokio-postgres; the command line drives it
//! on a current-thread runtime.

pub mod apply;
pub mod connect;
pub mod error;
pub mod history;
pub mod inspect;
pub mod lock;
pub mod record;
pub mod session;
pub mod settle;
pub mod wait;

pub use apply::{ApplyError, Observer, Outcome, StepFailure, apply, live_design, plan_live};
pub use connect::{ConnectError, DEFAULT_CONNECT_TIMEOUT, Target, url_from};
pub use error::DbError;
pub use history::{Applied, Record, checksum};
pub use inspect::{InspectError, Inspection, NotHeld, inspect, inspect_with};
pub use session::{DEFAULT_LOCK_TIMEOUT, Kind, Session, parse_duration};
