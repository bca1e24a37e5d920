//! The mail worker inside every `renkei serve`: it claims due outbox rows (`FOR UPDATE SKIP
//! LOCKED`, so processes share the outbox), sends them over SMTP, and marks them sent — or
//! leaves them for a later try when the mail server does not answer. It runs on a connection
//! of its own: a mail server that is down never holds up a request. Once every ten minutes it
//! also writes the day's reminders (dates due tomorrow or overdue, consents about to expire),
//! each at most once a day.

pub mod compose;

use crate::config::{MailSettings, Settings};
use crate::db::{self, notices::Outgoing};
use crate::domain::notice::Kind;
use chrono::Utc;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Rows one pass claims.
const BATCH: i64 = 50;
/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the reminders are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(600);

pub struct Worker {
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
}

impl Worker {
    /// Starts the worker when a mail server is configured; `None` (and nothing queued, see
    /// `MailSettings::enabled`) when not.
    pub fn start(db: &PgPool, settings: &Arc<Settings>, base: String) -> Option<Worker> {
        let smtp = settings.mail.smtp.clone()?;
        let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp.as_str()) {
            Ok(b) => b.timeout(Some(SMTP_TIMEOUT)).build(),
            Err(e) => {
                // checked when the setting was read; a failure here is a bug, not a panic
                tracing::error!(error = %e, "the mail server URL cannot be used");
                return None;
            }
        };
        let from: Mailbox = match settings.mail.from.parse() {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "the sender address cannot be used");
                return None;
            }
        };
        let pool = db::pool_options(1).connect_lazy_with((*db.connect_options()).clone());
        let mail = settings.mail.clone();
        let (stop, mut stopped) = watch::channel(false);
        tracing::info!(server = %smtp.server(), "mail notifications on");
        let handle = tokio::spawn(async move {
            let mut last_sweep: Option<Instant> = None;
            loop {
                if last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
                    match sweep(&pool).await {
                        Ok(n) if n > 0 => tracing::info!(notices = n, "reminders queued"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "reminders not queued"),
                    }
                    last_sweep = Some(Instant::now());
                }
                match pass(&pool, &transport, &from, &base).await {
                    Ok(Pass { sent, failed }) if sent + failed > 0 => {
                        tracing::info!(sent, failed, "mail pass")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "mail pass failed"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(mail.poll) => {}
                    _ = stopped.changed() => break,
                }
            }
            pool.close().await;
        });
        Some(Worker { stop, handle })
    }

    /// Stops after the pass in progress (its rows are marked before the transaction ends).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.handle.await;
    }
}

/// Where mail goes, for the demo's start and the log (no credentials).
pub fn describe(mail: &MailSettings) -> String {
    match &mail.smtp {
        Some(url) => format!(
            "Mail: notifications are sent through {} from {}",
            url.server(),
            mail.from
        ),
        None => "Mail: off. Set RENKEI_SMTP_URL (e.g. smtp://localhost:1025) to send \
                 notifications; until then nothing is queued."
            .to_string(),
    }
}

#[derive(Debug, Default)]
pub struct Pass {
    pub sent: usize,
    pub failed: usize,
}

/// One pass: claim, send, mark, in one transaction. After the first failed send the rest of
/// the batch is put back untried, so a mail server that hangs costs one timeout per pass.
pub async fn pass(
    pool: &PgPool,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    base: &str,
) -> sqlx::Result<Pass> {
    let mut tx = pool.begin().await?;
    let rows = db::notices::claim(&mut tx, BATCH).await?;
    if rows.is_empty() {
        tx.commit().await?;
        return Ok(Pass::default());
    }
    let mut mails = vec![];
    let mut broken = vec![];
    for row in rows.iter().filter(|r| r.mode != "digest") {
        match compose::single(from, base, row) {
            Ok(m) => mails.push(m),
            Err(e) => broken.push((vec![row.id], row.attempts, e)),
        }
    }
    let mut digest_users: Vec<uuid::Uuid> = rows
        .iter()
        .filter(|r| r.mode == "digest")
        .map(|r| r.user_id)
        .collect();
    digest_users.sort();
    digest_users.dedup();
    for user in digest_users {
        let theirs: Vec<&Outgoing> = rows
            .iter()
            .filter(|r| r.mode == "digest" && r.user_id == user)
            .collect();
        match compose::digest(from, base, &theirs) {
            Ok(m) => mails.push(m),
            Err(e) => broken.push((theirs.iter().map(|r| r.id).collect(), 0, e)),
        }
    }
    let mut done = Pass::default();
    let mut sent_ids = vec![];
    let mut failure: Option<String> = None;
    for mail in mails {
        if let Some(err) = &failure {
            broken.push((mail.ids, mail.attempts, err.clone()));
            continue;
        }
        match transport.send(mail.message).await {
            Ok(_) => {
                done.sent += 1;
                sent_ids.extend(mail.ids);
            }
            Err(e) => {
                let err = e.to_string();
                failure = Some(err.clone());
                broken.push((mail.ids, mail.attempts, err));
            }
        }
    }
    db::notices::mark_sent(&mut tx, &sent_ids).await?;
    for (ids, attempts, err) in &broken {
        done.failed += 1;
        db::notices::mark_failed(&mut tx, ids, *attempts, err).await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// Queues today's reminders (Tokyo's today), each once a day whatever the number of passes
/// or processes.
pub async fn sweep(pool: &PgPool) -> sqlx::Result<u64> {
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive();
    let mut tx = pool.begin().await?;
    let due = db::notices::due_reminders(&mut tx, today).await?;
    let mut written = 0;
    for d in &due {
        let Some(kind) = Kind::parse(&d.kind) else {
            continue;
        };
        let args = serde_json::json!({ "agency": d.agency, "due_on": d.due_on.to_string() });
        written += db::notices::enqueue(
            &mut tx,
            &db::notices::Notice {
                kind,
                recipients: &[d.user_id],
                args,
                link: d.link.clone(),
                ics: None,
                dedupe: Some(d.dedupe.clone()),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(written)
}
