//! The names constraints and indexes get when the design leaves them unnamed.
//!
//! They follow PostgreSQL's own conventions (`orders_pkey`,
//! `orders_customer_id_fkey`), so DDL written by plinth reads like DDL
//! written by hand and an inspected database keeps its names.

use crate::core::model::{Check, Design, Entity, Index, Relationship, Unique};

/// PostgreSQL truncates identifiers longer than this many bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// Cuts a derived name to what PostgreSQL keeps, on a character boundary.
fn truncate(mut name: String) -> String {
    if name.len() > MAX_IDENTIFIER_BYTES {
        let mut cut = MAX_IDENTIFIER_BYTES;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name.truncate(cut);
    }
    name
}

fn joined(entity: &Entity, fields: &[crate::core::ids::FieldId]) -> String {
    entity.field_names(fields).join("_")
}

impl Design {
    pub fn primary_key_name(&self, entity: &Entity) -> String {
        entity
            .primary_key
            .as_ref()
            .and_then(|pk| pk.name.clone())
            .unwrap_or_else(|| truncate(format!("{}_pkey", entity.name)))
    }

    pub fn unique_name(&self, entity: &Entity, unique: &Unique) -> String {
        unique.name.clone().unwrap_or_else(|| {
            truncate(format!(
                "{}_{}_key",
                entity.name,
                joined(entity, &unique.fields)
            ))
        })
    }

    /// Unnamed checks are numbered by position: `t_check`, `t_check1`, ...
    pub fn check_name(&self, entity: &Entity, check: &Check) -> String {
        check.name.clone().unwrap_or_else(|| {
            let n = entity
                .checks
                .iter()
                .position(|c| c.id == check.id)
                .unwrap_or(0);
            let suffix = if n == 0 { String::new() } else { n.to_string() };
            truncate(format!("{}_check{suffix}", entity.name))
        })
    }

    pub fn index_name(&self, entity: &Entity, index: &Index) -> String {
        index.name.clone().unwrap_or_else(|| {
            truncate(format!(
                "{}_{}_idx",
                entity.name,
                joined(entity, &index.fields)
            ))
        })
    }

    pub fn relationship_name(&self, rel: &Relationship) -> String {
        rel.name
            .clone()
            .unwrap_or_else(|| match self.entity(&rel.from) {
                Some(from) => truncate(format!("{}_{}_fkey", from.name, joined(from, &rel.fields))),
                None => rel.id.to_string(),
            })
    }
}
