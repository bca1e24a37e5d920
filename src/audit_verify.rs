//! `renkei audit verify`: walks the audit chain in `seq` order, a batch at a time, recomputes
//! every row's hash here (not with the database's own function, which whoever could rewrite
//! rows could rewrite too) and names the first row where the chain breaks.
//!
//! The encoding mirrors `audit_log_canonical` in migrations/0012_audit_chain.sql: the tag
//! `renkei-audit-v1;`, then each field as `~;` when NULL or `<bytes>:<value>;`.

use crate::db::audit::{chain_after, ChainRow};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use std::fmt;

/// The hash before the first row.
pub const GENESIS: [u8; 32] = [0; 32];
const BATCH: i64 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The row's fields no longer give its stored hash.
    ContentChanged,
    /// `seq` jumps: the rows before this one (from `expected`) are missing.
    RowsMissing { expected: i64 },
    /// `seq` repeats or goes back: a row was inserted.
    RowInserted { expected: i64 },
    /// The row's `prev_hash` is not the previous row's hash: a row before it was replaced.
    PrevHashMismatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact {
        rows: u64,
        head_seq: i64,
        head_hash: String,
    },
    Broken {
        /// rows verified before the broken one
        verified: u64,
        seq: i64,
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
        what: Break,
    },
}

impl Verdict {
    pub fn is_intact(&self) -> bool {
        matches!(self, Verdict::Intact { .. })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Intact {
                rows,
                head_seq,
                head_hash,
            } => write!(
                f,
                "{rows} rows verified, chain intact\nhead: seq {head_seq} hash {head_hash}"
            ),
            Verdict::Broken {
                verified,
                seq,
                id,
                at,
                what,
            } => {
                let what = match what {
                    Break::ContentChanged => {
                        "content changed (the row's hash does not match its fields)".to_string()
                    }
                    Break::RowsMissing { expected } => format!(
                        "row missing (seq {expected} to {} are not in the table)",
                        seq - 1
                    ),
                    Break::RowInserted { expected } => {
                        format!("row inserted (seq {expected} expected here)")
                    }
                    Break::PrevHashMismatch => {
                        "previous-hash mismatch (the row before it was replaced)".to_string()
                    }
                };
                write!(
                    f,
                    "chain broken at seq {seq} (id {id}, {}): {what}\n{verified} rows verified before it",
                    at.format("%Y-%m-%d %H:%M:%S%.6f UTC")
                )
            }
        }
    }
}

fn field(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        None => out.extend_from_slice(b"~;"),
        Some(v) => {
            out.extend_from_slice(v.len().to_string().as_bytes());
            out.push(b':');
            out.extend_from_slice(v.as_bytes());
            out.push(b';');
        }
    }
}

/// The bytes a row's hash is taken over, with `prev` as the previous row's hash.
pub fn canonical(row: &ChainRow, prev: &[u8]) -> Vec<u8> {
    let uuid = |u: Option<uuid::Uuid>| u.map(|u| u.hyphenated().to_string());
    let mut out = b"renkei-audit-v1;".to_vec();
    field(&mut out, Some(&row.seq.to_string()));
    field(&mut out, Some(&row.id.to_string()));
    field(
        &mut out,
        Some(&row.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
    );
    field(&mut out, uuid(row.user_id).as_deref());
    field(&mut out, uuid(row.acting_agency_id).as_deref());
    field(&mut out, Some(&row.action));
    field(&mut out, uuid(row.case_id).as_deref());
    field(&mut out, uuid(row.target_id).as_deref());
    field(&mut out, Some(&row.outcome));
    field(&mut out, Some(&row.request_id));
    field(&mut out, Some(&row.ip));
    field(&mut out, Some(&row.detail));
    field(&mut out, Some(&hex::encode(prev)));
    out
}

pub fn hash(row: &ChainRow, prev: &[u8]) -> [u8; 32] {
    Sha256::digest(canonical(row, prev)).into()
}

/// Checks one link against the one before it (`prev_seq`, `prev_hash`).
fn check(row: &ChainRow, prev_seq: i64, prev_hash: &[u8]) -> Option<Break> {
    let expected = prev_seq + 1;
    if row.seq > expected {
        return Some(Break::RowsMissing { expected });
    }
    if row.seq < expected {
        return Some(Break::RowInserted { expected });
    }
    // the row's own content against the prev_hash it claims, then the link
    if hash(row, &row.prev_hash)[..] != row.hash[..] {
        return Some(Break::ContentChanged);
    }
    if row.prev_hash[..] != prev_hash[..] {
        return Some(Break::PrevHashMismatch);
    }
    None
}

/// Walks the whole chain, `BATCH` rows at a time. First it commits a transaction of its own
/// durably (an empty one with a transaction id): the WAL is flushed in order, so every view
/// row committed asynchronously before it is on disk too, and the head it prints — the anchor
/// the operator keeps — cannot be lost in a crash afterwards.
pub async fn verify(conn: &mut PgConnection) -> sqlx::Result<Verdict> {
    sqlx::query("SELECT set_config('synchronous_commit', 'on', true), pg_current_xact_id()")
        .execute(&mut *conn)
        .await?;
    let mut prev_seq = 0;
    let mut prev_hash = GENESIS.to_vec();
    let mut rows = 0u64;
    loop {
        let batch = chain_after(conn, prev_seq, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        for row in batch {
            if let Some(what) = check(&row, prev_seq, &prev_hash) {
                return Ok(Verdict::Broken {
                    verified: rows,
                    seq: row.seq,
                    id: row.id,
                    at: row.at,
                    what,
                });
            }
            rows += 1;
            prev_seq = row.seq;
            prev_hash = row.hash;
        }
    }
    Ok(Verdict::Intact {
        rows,
        head_seq: prev_seq,
        head_hash: hex::encode(&prev_hash),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> ChainRow {
        ChainRow {
            seq: 1,
            id: 7,
            at: chrono::DateTime::from_timestamp(1_780_000_000, 123_456_000).unwrap(),
            user_id: None,
            acting_agency_id: Some(uuid::Uuid::nil()),
            action: "case.view".into(),
            case_id: None,
            target_id: None,
            outcome: "ok".into(),
            request_id: "r".into(),
            ip: "".into(),
            detail: "".into(),
            prev_hash: GENESIS.to_vec(),
            hash: vec![],
        }
    }

    #[test]
    fn the_encoding_is_length_prefixed_and_marks_null() {
        let text = String::from_utf8(canonical(&row(), &GENESIS)).unwrap();
        assert!(text.starts_with("renkei-audit-v1;1:1;1:7;27:2026-05-28T20:26:40.123456Z;~;36:00000000-0000-0000-0000-000000000000;9:case.view;~;~;2:ok;1:r;0:;0:;64:0000"), "{text}");
        // a value that looks like a boundary does not collide with two fields
        let mut a = row();
        a.request_id = "x;0:".into();
        a.ip = "".into();
        let mut b = row();
        b.request_id = "x".into();
        b.ip = ";0:".into();
        assert_ne!(canonical(&a, &GENESIS), canonical(&b, &GENESIS));
    }

    #[test]
    fn breaks_are_named() {
        let mut r = row();
        r.hash = hash(&r, &GENESIS).to_vec();
        assert_eq!(check(&r, 0, &GENESIS), None);
        assert_eq!(check(&r, 0, &[1; 32]), Some(Break::PrevHashMismatch));
        let mut changed = row();
        changed.hash = r.hash.clone();
        changed.outcome = "denied".into();
        assert_eq!(check(&changed, 0, &GENESIS), Some(Break::ContentChanged));
        let mut later = row();
        later.seq = 3;
        assert_eq!(
            check(&later, 0, &GENESIS),
            Some(Break::RowsMissing { expected: 1 })
        );
        assert_eq!(
            check(&r, 1, &GENESIS),
            Some(Break::RowInserted { expected: 2 })
        );
    }
}
