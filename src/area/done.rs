//! Marking a task or an action item done, with the optional note, for the pages and the API
//! alike: only the owning agency's open item changes; anything else names nothing.

use crate::access::Actor;
use crate::db;
use crate::domain::text;
use sqlx::PgConnection;
use uuid::Uuid;

/// The longest note an item is closed with.
pub const NOTE_MAX: usize = 1000;

/// What became of a "done".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// Done: the item's case.
    On(Uuid),
    /// No open item of the acting agency has this id.
    Nothing,
    /// The note is longer than `NOTE_MAX`; nothing changed.
    NoteTooLong,
}

/// Marks the acting agency's open task done.
pub async fn task(
    conn: &mut PgConnection,
    actor: Actor,
    id: Uuid,
    note: &str,
) -> sqlx::Result<Done> {
    let note = note.trim();
    if text::char_len(note) > NOTE_MAX {
        return Ok(Done::NoteTooLong);
    }
    Ok(match db::tasks::finish(conn, actor, id, note).await? {
        Some(case_id) => Done::On(case_id),
        None => Done::Nothing,
    })
}

/// Marks the acting agency's open action item done.
pub async fn action_item(
    conn: &mut PgConnection,
    actor: Actor,
    id: Uuid,
    note: &str,
) -> sqlx::Result<Done> {
    let note = note.trim();
    if text::char_len(note) > NOTE_MAX {
        return Ok(Done::NoteTooLong);
    }
    Ok(
        match db::meetings::finish_action(conn, actor, id, note).await? {
            Some(case_id) => Done::On(case_id),
            None => Done::Nothing,
        },
    )
}
