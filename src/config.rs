//! Settings read once at start from the command line and the environment, validated there.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

/// Where the database is: an existing server, or the private cluster under the data directory.
#[derive(Clone, clap::Args)]
pub struct DbArgs {
    /// Use this PostgreSQL server instead of the embedded cluster.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where the embedded cluster lives when DATABASE_URL is not set.
    #[arg(long, env = "RENKEI_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Connections in the pool (about 2 × cores).
    #[arg(long, env = "RENKEI_POOL_SIZE", default_value_t = 8)]
    pub pool_size: u32,
}

impl fmt::Debug for DbArgs {
    // never print the URL: it may hold a password
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DbArgs")
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<redacted>"),
            )
            .field("data_dir", &self.data_dir)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    #[arg(long, env = "RENKEI_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Set when Renkei is served over HTTPS (behind a TLS proxy): Secure, __Host- cookies, HSTS.
    #[arg(long, env = "RENKEI_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Load the demo dataset first (never in production).
    #[arg(long)]
    pub demo: bool,
}

/// What the running application needs to know; built from `ServeArgs` or by tests.
#[derive(Debug, Clone)]
pub struct Settings {
    pub secure_cookies: bool,
    pub idle_timeout: Duration,
    pub absolute_timeout: Duration,
    /// POST /login per client IP: a burst of this many, then one more every `login_refill`.
    pub login_burst: u32,
    pub login_refill: Duration,
    /// Photos decoded at once (each may take `domain::photo` 128 MB and a core for a moment).
    pub photo_decoders: usize,
    /// How long an upload waits for a free decoder before the form asks to try again.
    pub photo_wait: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 60 * 60),
            login_burst: 10,
            login_refill: Duration::from_secs(6),
            photo_decoders: 2,
            photo_wait: Duration::from_secs(3),
        }
    }
}
