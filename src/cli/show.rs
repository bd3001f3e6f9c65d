use std::path::PathBuf;

use super::Failure;
use crate::core::model::Design;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file.
    pub file: PathBuf,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let design = super::load(&args.file)?;
    print!("{}", crate::core::text::printable_lines(&summary(&design)));
    Ok(())
}

/// One line per entity: its fields, key and the entities it references.
pub fn summary(design: &Design) -> String {
    let mut out = format!(
        "design {}: {} entities, {} relationships, {} enums\n",
        design.name,
        design.entity_count(),
        design.relationship_count(),
        design.enums.len()
    );
    for e in &design.enums {
        out.push_str(&format!("  enum {} ({})\n", e.name, e.values.join(", ")));
    }
    for entity in design.entities() {
        let key = entity
            .primary_key
            .as_ref()
            .map(|pk| format!("key ({})", entity.field_names(&pk.fields).join(", ")))
            .unwrap_or_else(|| "no key".into());
        let targets: Vec<String> = design
            .relationships_from(&entity.id)
            .iter()
            .filter_map(|r| design.entity(&r.to).map(|t| t.name.clone()))
            .collect();
        let refs = if targets.is_empty() {
            String::new()
        } else {
            format!(" -> {}", targets.join(", "))
        };
        out.push_str(&format!(
            "  {} ({} fields, {key}, {} indexes){refs}\n",
            entity.name,
            entity.fields.len(),
            entity.indexes.len()
        ));
    }
    out
}
