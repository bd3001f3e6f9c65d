//! The starter design `plinth new` writes: the house style in miniature.

use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Field, PrimaryKey, SqlType, Unique};

/// A `users` entity with a UUID key, a unique email and timestamps.
pub fn starter_design(name: &str, ids: &mut IdGen) -> Design {
    let mut design = Design::new(name);
    let mut users = Entity::new(ids.entity(), "users");
    users.comment = Some("People who can sign in.".into());
    let id = Field::new(ids.field(), "id", SqlType::Uuid)
        .not_null()
        .default_expr("gen_random_uuid()");
    let email = Field::new(ids.field(), "email", SqlType::Varchar(Some(255))).not_null();
    users.primary_key = Some(PrimaryKey {
        name: None,
        fields: vec![id.id.clone()],
    });
    users.uniques.push(Unique {
        id: ids.unique(),
        name: None,
        fields: vec![email.id.clone()],
    });
    users.fields = vec![id, email];
    users.fields.extend(timestamps(ids));
    design.insert_entity(users, 0);
    design
}

/// `created_at` and `updated_at`, both `timestamptz NOT NULL DEFAULT now()`.
pub fn timestamps(ids: &mut IdGen) -> [Field; 2] {
    ["created_at", "updated_at"].map(|name| {
        Field::new(ids.field(), name, SqlType::Timestamptz)
            .not_null()
            .default_expr("now()")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_design_is_coherent() {
        let design = starter_design("app", &mut IdGen::seeded(1));
        assert_eq!(design.validate(), vec![]);
        let users = design.entity_named("users").unwrap();
        assert_eq!(users.fields.len(), 4);
        assert!(users.is_unique_over(&[users.field_named("email").unwrap().id.clone()]));
    }
}
