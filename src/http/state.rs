//! What every handler is given: the pools and the settings.

use crate::config::Settings;
use crate::db::pool_options;
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    /// A small pool of its own for the door's refusal rows: a refusal is written outside the
    /// request's transaction, and a request that holds a connection of `db` must never wait
    /// for a second one from the same pool (under load every request would wait for every
    /// other: a deadlock until the acquire timeout).
    pub refusals: PgPool,
    pub settings: Arc<Settings>,
    /// Photo decoding, bounded in count: each decode holds a permit (and no pool connection).
    pub photo_decoders: Arc<Semaphore>,
}

impl AppState {
    pub fn new(db: PgPool, settings: Settings) -> Self {
        let refusals =
            pool_options(REFUSAL_CONNECTIONS).connect_lazy_with((*db.connect_options()).clone());
        AppState {
            db,
            refusals,
            photo_decoders: Arc::new(Semaphore::new(settings.photo_decoders.max(1))),
            settings: Arc::new(settings),
        }
    }
}

/// Connections for refusal rows (each is one short INSERT).
pub const REFUSAL_CONNECTIONS: u32 = 2;
