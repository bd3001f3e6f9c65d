//! What plinth applied, kept in the database it applied it to.
//!
//! A live schema carries no ids, so on its own a field renamed in the
//! design reads as one dropped and one added. Every apply therefore writes
//! the design it applied, ids and all, to `plinth.applied` (a schema of
//! plinth's own, made on first use, one row per apply that changed what is
//! recorded) in the transaction that applies it. The next plan aligns the
//! live schema with the last record by name first, so live objects carry
//! the ids they were applied with, and then diffs by id: a rename since is
//! a `RENAME`.

use tokio_postgres::{Client, GenericClient};

use crate::core::ids::IdGen;
use crate::core::model::Design;

/// The table, qualified.
pub const TABLE: &str = "plinth.applied";

const CREATE: &str = "
CREATE SCHEMA IF NOT EXISTS plinth;
CREATE TABLE IF NOT EXISTS plinth.applied (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schema_name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT current_user,
    application text DEFAULT current_setting('application_name'),
    design_hash text NOT NULL,
    design text NOT NULL
);
COMMENT ON TABLE plinth.applied IS
    'Designs plinth applied, with their ids, so the next plan knows renames.';";

/// Makes the table when it is missing; in a transaction of its own.
pub async fn ensure(client: &Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute(CREATE).await
}

/// The design last applied to `schema`, if plinth ever applied one there
/// (and can read it back: a record it cannot read is as good as none).
pub async fn last(client: &Client, schema: &str) -> Result<Option<Design>, tokio_postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('plinth.applied') IS NOT NULL", &[])
        .await?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let row = client
        .query_opt(
            "SELECT design FROM plinth.applied WHERE schema_name = $1 ORDER BY id DESC LIMIT 1",
            &[&schema],
        )
        .await?;
    Ok(row.and_then(|r| {
        let text: String = r.get(0);
        crate::file::parse(&text, &mut IdGen::random()).ok()
    }))
}

/// Records `design` as applied to `schema` in `tx`, unless the last
/// record is that very design.
pub async fn record(
    tx: &impl GenericClient,
    schema: &str,
    design: &Design,
) -> Result<(), tokio_postgres::Error> {
    let text = crate::file::to_text(design);
    let hash = super::history::checksum(text.as_bytes());
    let last: Option<String> = tx
        .query_opt(
            "SELECT design_hash FROM plinth.applied WHERE schema_name = $1 ORDER BY id DESC LIMIT 1",
            &[&schema],
        )
        .await?
        .map(|r| r.get(0));
    if last.as_deref() == Some(hash.as_str()) {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO plinth.applied (schema_name, design_hash, design) VALUES ($1, $2, $3)",
        &[&schema, &hash, &text],
    )
    .await
    .map(|_| ())
}

/// Reads `schema` into a design whose objects carry the ids plinth last
/// applied them with, where it ever did (matched by name with the
/// record): a design read this way and then edited keeps renames known by
/// id when it is applied.
pub async fn inspect_with_ids(
    client: &mut Client,
    schema: &str,
) -> Result<super::Inspection, super::InspectError> {
    inspect_with_ids_helped(client, None, schema).await
}

/// [`inspect_with_ids`], with a second connection reading part of the
/// catalog in the same snapshot (see [`super::inspect_with`]).
pub async fn inspect_with_ids_helped(
    client: &mut Client,
    helper: Option<&mut Client>,
    schema: &str,
) -> Result<super::Inspection, super::InspectError> {
    let mut inspection = super::inspect_with(client, helper, schema).await?;
    if let Some(applied) = last(client, schema).await? {
        let name = inspection.design.name.clone();
        inspection.design = crate::core::diff::align(&inspection.design, &applied);
        inspection.design.name = name;
    }
    Ok(inspection)
}
