//! How a design tunes its checks: rules turned off or re-graded for the
//! whole design, and single findings allowed where they are deliberate,
//! with the reason written down.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::{Rule, Severity};

/// The level a rule runs at, as a design file spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    Off,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

/// Design-wide rule levels; a rule not listed runs at its default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub levels: BTreeMap<Rule, Level>,
}

impl Settings {
    /// The severity a rule reports at, or `None` when it is off.
    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        match self.levels.get(&rule) {
            Some(level) => level.severity(),
            None => Some(rule.default_severity()),
        }
    }
}

/// A deliberate exception: this rule's findings at this entity or field
/// are expected, for the reason given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allow {
    pub rule: Rule,
    pub reason: String,
}

/// Rules are written by their kebab-case ids.
impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RuleId;
        impl Visitor<'_> for RuleId {
            type Value = Rule;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a rule id such as \"fk-missing-index\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Rule, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(RuleId)
    }
}
