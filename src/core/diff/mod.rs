//! Schema diff and migration plans.
//!
//! [`diff`] compares two designs item by item, matching by stable ids, and
//! returns [`Change`] values. [`plan`] turns the difference into ordered
//! PostgreSQL statements ([`Step`]) with safety findings; [`migration`]
//! gives the plan and its exact inverse (the plan from the new design back
//! to the old one). Everything here is pure: designs in, values out.

mod align;
pub mod cast;
mod change;
mod plan;
mod rename;
mod safety;
mod statement;

pub use align::align;
pub use change::{Change, FieldAt, ItemAt, diff};
pub use plan::{Migration, Plan, PlanOptions, migration, plan};
pub use safety::{Safety, SafetyFinding};
pub use statement::{Place, Step, Using};

#[cfg(test)]
mod tests;
