//! Settings read once at start from the command line and the environment, validated there.

use ipnet::IpNet;
use std::{fmt, net::IpAddr, net::SocketAddr, path::PathBuf, time::Duration};

/// Where the database is: an existing server, or the private cluster under the data directory.
#[derive(Clone, clap::Args)]
pub struct DbArgs {
    /// Use this PostgreSQL server instead of the embedded cluster.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// With DATABASE_URL: the login role requests are served as (it owns nothing; see the
    /// README). Unset: requests run as the DATABASE_URL role, with a warning.
    #[arg(long, env = "RENKEI_APP_DATABASE_URL", hide_env_values = true)]
    pub app_database_url: Option<String>,
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
            .field(
                "app_database_url",
                &self.app_database_url.as_ref().map(|_| "<redacted>"),
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
    /// The reverse proxies in front of Renkei, whose X-Forwarded-For is believed: a
    /// comma-separated list of IP addresses and CIDR ranges ("10.0.0.5, 192.168.10.0/24").
    /// Empty (the default): X-Forwarded-For is ignored and the TCP peer is the client.
    #[arg(long, env = "RENKEI_TRUSTED_PROXIES", value_parser = TrustedProxies::parse, default_value = "")]
    pub trusted_proxies: TrustedProxies,
    /// The address people open Renkei at ("https://renkei.example.jp"), for links that leave
    /// the browser: a calendar event links to its meeting page with it. Unset: those links are
    /// paths only.
    #[arg(long, env = "RENKEI_BASE_URL")]
    pub base_url: Option<String>,
    /// The mail server notifications go through: smtp://host:25, smtp://user:password@host:587
    /// (STARTTLS when the server offers it; `?tls=required` to insist), or smtps://… (TLS from
    /// the start). Unset: no mail is sent and nothing is queued; the admin page says so.
    #[arg(long, env = "RENKEI_SMTP_URL", value_parser = SmtpUrl::parse, hide_env_values = true)]
    pub smtp_url: Option<SmtpUrl>,
    /// The sender of notifications ("Renkei <renkei@example.jp>").
    #[arg(long, env = "RENKEI_MAIL_FROM", value_parser = parse_mailbox, default_value = "Renkei <renkei@localhost>")]
    pub mail_from: String,
    /// The JSON API's rate limit per personal access token: a burst of this many requests…
    #[arg(long, env = "RENKEI_API_BURST", default_value_t = 120)]
    pub api_burst: u32,
    /// …then one more every this many milliseconds (500: 120 a minute).
    #[arg(long, env = "RENKEI_API_REFILL_MS", default_value_t = 500)]
    pub api_refill_ms: u64,
    /// Load the demo dataset first (never in production).
    #[arg(long)]
    pub demo: bool,
}

/// `RENKEI_SMTP_URL`, checked when read so that a mistake stops the start with a message;
/// its Debug hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    pub fn parse(s: &str) -> Result<SmtpUrl, String> {
        let bad = |why: &str| {
            format!(
                "{why} (expected smtp://host:25, smtp://user:password@host:587 or \
                 smtps://user:password@host:465)"
            )
        };
        let url = url::Url::parse(s.trim()).map_err(|e| bad(&format!("not a URL: {e}")))?;
        if !matches!(url.scheme(), "smtp" | "smtps") {
            return Err(bad(&format!("the scheme is \"{}\"", url.scheme())));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("no host"));
        }
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(s.trim())
            .map_err(|e| bad(&e.to_string()))?;
        Ok(SmtpUrl(s.trim().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where mail goes, without the credentials (for the log and the admin page).
    pub fn server(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(u) => format!(
                "{}://{}:{}",
                u.scheme(),
                u.host_str().unwrap_or_default(),
                u.port()
                    .unwrap_or(if u.scheme() == "smtps" { 465 } else { 25 })
            ),
            Err(_) => String::new(),
        }
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmtpUrl({})", self.server())
    }
}

/// A sender address as lettre reads it ("Renkei <renkei@example.jp>" or a bare address).
pub fn parse_mailbox(s: &str) -> Result<String, String> {
    s.trim()
        .parse::<lettre::message::Mailbox>()
        .map(|_| s.trim().to_string())
        .map_err(|e| format!("\"{s}\" is not a mail address: {e}"))
}

/// Mail: where it goes, from whom, and how often the worker looks at the outbox.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub smtp: Option<SmtpUrl>,
    pub from: String,
    pub poll: Duration,
}

impl MailSettings {
    /// Whether notices are queued at all: only with a mail server, so that configuring one
    /// later does not send a backlog of old news.
    pub fn enabled(&self) -> bool {
        self.smtp.is_some()
    }
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            smtp: None,
            from: "Renkei <renkei@localhost>".to_string(),
            poll: Duration::from_secs(5),
        }
    }
}

/// The addresses whose X-Forwarded-For is believed (see `http::client_addr`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    /// Parses "10.0.0.5, 192.168.10.0/24, ::1"; a single address stands for itself (/32, /128).
    /// Any entry that is neither an address nor a range is an error that names it.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| {
                e.parse::<IpNet>()
                    .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                    .map(|n| n.trunc())
                    .map_err(|_| {
                        format!(
                            "\"{e}\" is neither an IP address nor a CIDR range \
                             (expected e.g. 10.0.0.5 or 10.0.0.0/8)"
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }
}

/// What the running application needs to know; built from `ServeArgs` or by tests.
#[derive(Debug, Clone)]
pub struct Settings {
    pub secure_cookies: bool,
    pub idle_timeout: Duration,
    pub absolute_timeout: Duration,
    /// Whose X-Forwarded-For names the client (see `http::client_addr`).
    pub trusted_proxies: TrustedProxies,
    /// POST /login from one client address, whatever the account: a burst of this many, then
    /// one more every `login_address_refill` — loose, so that an office behind one address
    /// all signs in at nine.
    pub login_address_burst: u32,
    pub login_address_refill: Duration,
    /// POST /login for one account from one address: a burst of this many, then one more
    /// every `login_account_refill`.
    pub login_account_burst: u32,
    pub login_account_refill: Duration,
    /// Photos decoded at once (each may take `domain::photo` 128 MB and a core for a moment).
    pub photo_decoders: usize,
    /// How long an upload waits for a free decoder before the form asks to try again.
    pub photo_wait: Duration,
    /// `ServeArgs::base_url`, without a trailing slash.
    pub base_url: Option<String>,
    pub mail: MailSettings,
    /// The JSON API per personal access token: a burst of `api_burst` requests, then one more
    /// every `api_refill` (`db::api_tokens::take`).
    pub api_burst: u32,
    pub api_refill: Duration,
}

impl Settings {
    /// An absolute link to a path of Renkei's when the base URL is configured, else the path.
    pub fn link(&self, path: &str) -> String {
        match &self.base_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => path.to_string(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 60 * 60),
            trusted_proxies: TrustedProxies::default(),
            // 100 at once, and 100 more in every 10 minutes
            login_address_burst: 100,
            login_address_refill: Duration::from_secs(6),
            // 10 at once, then one a minute
            login_account_burst: 10,
            login_account_refill: Duration::from_secs(60),
            photo_decoders: 2,
            photo_wait: Duration::from_secs(3),
            base_url: None,
            mail: MailSettings::default(),
            api_burst: 120,
            api_refill: Duration::from_millis(500),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_parse_addresses_and_ranges() {
        let t = TrustedProxies::parse(" 10.0.0.5, 192.168.10.0/24,::1 ,fd00::/8,").unwrap();
        assert_eq!(t.0.len(), 4);
        for yes in [
            "10.0.0.5",
            "192.168.10.77",
            "::1",
            "fd12::3",
            "::ffff:10.0.0.5",
        ] {
            assert!(t.contains(yes.parse().unwrap()), "{yes}");
        }
        for no in ["10.0.0.6", "192.168.11.1", "::2", "8.8.8.8"] {
            assert!(!t.contains(no.parse().unwrap()), "{no}");
        }
        // host bits are dropped: 10.1.2.3/8 is 10.0.0.0/8
        assert!(TrustedProxies::parse("10.1.2.3/8")
            .unwrap()
            .contains("10.200.0.1".parse().unwrap()));
        assert_eq!(
            TrustedProxies::parse("").unwrap(),
            TrustedProxies::default()
        );
    }

    #[test]
    fn an_smtp_url_is_checked_when_read_and_never_printed_with_its_password() {
        let ok = SmtpUrl::parse("smtp://mailer:s3cret@mailhost:587").unwrap();
        assert_eq!(ok.server(), "smtp://mailhost:587");
        assert!(!format!("{ok:?}").contains("s3cret"));
        assert_eq!(
            SmtpUrl::parse("smtps://mailhost").unwrap().server(),
            "smtps://mailhost:465"
        );
        for bad in ["mailhost", "http://mailhost", "smtp://", "smtp//x"] {
            let e = SmtpUrl::parse(bad).unwrap_err();
            assert!(e.contains("expected smtp://"), "{bad}: {e}");
        }
        assert!(parse_mailbox("Renkei <renkei@example.jp>").is_ok());
        assert!(parse_mailbox("not an address").is_err());
    }

    #[test]
    fn a_bad_entry_is_named_in_the_error() {
        for bad in [
            "10.0.0.256",
            "10.0.0.0/33",
            "proxy.example",
            "10.0.0.1;10.0.0.2",
        ] {
            let e = TrustedProxies::parse(&format!("127.0.0.1,{bad}")).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }
}
