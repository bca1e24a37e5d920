//! `renkei bench-data`: a deterministic prefecture-sized dataset for the benchmark (issue 9).
//! 50 agencies, 2,000 users, 10,000 participants with one case each and a team of 3–5
//! agencies, consents, 100,000 meetings with their invitees, 200,000 tasks (30 % open), and
//! timeline entries Zipf-skewed over the cases (at 1 M entries some cases hold 5,000+).
//! Visibility is mixed: 60 % shared with the whole team, 30 % the author's agency only, 10 %
//! shared but of a kind ("health") that only some agencies' consents cover.
//!
//! Everything comes from one fixed seed through our own small generator, so every machine gets
//! the same rows. Rows go in with COPY (foreign-key triggers off for the load: the generator
//! only writes ids it made), then VACUUM ANALYZE.

use anyhow::{bail, Result};
use sqlx::{Executor, PgConnection, PgPool};
use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Instant;
use uuid::Uuid;

pub const AGENCIES: u64 = 50;
pub const USERS_PER_AGENCY: u64 = 40;
pub const CASES: u64 = 10_000;
pub const MEETINGS_PER_CASE: u64 = 10;
pub const TASKS_PER_CASE: u64 = 20;
/// Every bench user's password (the benchmark logs in as many of them).
pub const PASSWORD: &str = "renkei-bench-2026!";
const SEED: u64 = 0x5eed_2026;

/// splitmix64: tiny, fast, and the same everywhere (a library's generator may change between
/// versions; this one cannot).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Ids by table and number, so that related rows can name each other without lookups.
pub fn uid(table: u16, n: u64) -> Uuid {
    Uuid::from_u128((0xbe4c_u128 << 112) | ((table as u128) << 64) | n as u128)
}
const T_AGENCY: u16 = 1;
const T_USER: u16 = 2;
const T_PARTICIPANT: u16 = 3;
const T_CASE: u16 = 4;
const T_CONSENT: u16 = 5;
const T_MEETING: u16 = 6;
const T_TASK: u16 = 7;
const T_ENTRY: u16 = 8;

pub fn agency_id(a: u64) -> Uuid {
    uid(T_AGENCY, a)
}
pub fn user_id(u: u64) -> Uuid {
    uid(T_USER, u)
}
pub fn case_id(c: u64) -> Uuid {
    uid(T_CASE, c)
}
pub fn meeting_id(m: u64) -> Uuid {
    uid(T_MEETING, m)
}
/// The login of user `u` (agency `u / 40`; the first is the agency admin, the next nine are
/// coordinators, the rest staff).
pub fn email(u: u64) -> String {
    format!("u{u}@bench.example")
}
pub fn role(u: u64) -> &'static str {
    match u % USERS_PER_AGENCY {
        0 => "agency_admin",
        1..=9 => "coordinator",
        _ => "staff",
    }
}

const KINDS: [&str; 7] = [
    "clinic",
    "transition_office",
    "livelihood_center",
    "vocational_center",
    "retention_office",
    "consultation_office",
    "employer",
];
const FAMILY: [(&str, &str); 12] = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
];
const GIVEN: [(&str, &str); 10] = [
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("一郎", "イチロウ"),
    ("美咲", "ミサキ"),
    ("健", "ケン"),
    ("由美", "ユミ"),
    ("翔", "ショウ"),
    ("明美", "アケミ"),
    ("大輔", "ダイスケ"),
    ("恵", "メグミ"),
];
const DISABILITIES: [&str; 6] = [
    "brain_injury",
    "mental",
    "developmental",
    "intellectual",
    "physical",
    "intractable",
];
const PHASES: [&str; 5] = ["intake", "referred", "training", "employed", "retention"];
const SENTENCES: [&str; 8] = [
    "作業手順書を使って、データ入力を午前中に最後まで行えた。",
    "疲れの記録では午後に疲労が強く、休憩を一回増やすことにした。",
    "メモリーノートの確認を自分から行う場面が増えている。",
    "通勤の練習を行い、乗り換えも一人でできた。",
    "職場実習先の担当者と面談し、作業量の調整を相談した。",
    "睡眠が不安定との訴えがあり、主治医への相談を勧めた。",
    "家族から、家での様子は落ち着いているとの連絡があった。",
    "次回の面談では、実習の振り返りと今後の目標を話し合う。",
];

/// The team of case `c`: 3–5 distinct agencies, the lead first (a clinic or a transition
/// office). Deterministic in `c`, so every table can recompute it.
pub fn team(c: u64) -> Vec<u64> {
    let mut rng = Rng::new(SEED ^ (c.wrapping_mul(0x2545_f491_4f6c_dd1d)));
    let size = 3 + rng.below(3) as usize;
    // agencies 0..50 cycle through KINDS: index % 7 == 0 clinics, == 1 transition offices
    let lead = (rng.below(AGENCIES / 7) * 7 + rng.below(2)) % AGENCIES;
    let mut team = vec![lead];
    while team.len() < size {
        let a = rng.below(AGENCIES);
        if !team.contains(&a) {
            team.push(a);
        }
    }
    team
}

/// Whether agency `a`'s consent on case `c` also covers health (half of them do).
fn consents_health(c: u64, a: u64) -> bool {
    (c.wrapping_mul(31) ^ a.wrapping_mul(17)) % 2 == 0
}

/// COPY-text escaping of one field.
fn esc(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn pg_array(items: &[String]) -> String {
    format!("{{{}}}", items.join(","))
}

/// Streams rows into `COPY table (columns) FROM STDIN`, with a progress line.
struct Copy<'c> {
    copy: sqlx::postgres::PgCopyIn<&'c mut PgConnection>,
    buf: String,
    label: &'static str,
    total: u64,
    done: u64,
    started: Instant,
}

impl<'c> Copy<'c> {
    async fn begin(
        conn: &'c mut PgConnection,
        table: &str,
        columns: &str,
        label: &'static str,
        total: u64,
    ) -> Result<Copy<'c>> {
        let copy = conn
            .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await?;
        Ok(Copy {
            copy,
            buf: String::with_capacity(1 << 20),
            label,
            total,
            done: 0,
            started: Instant::now(),
        })
    }

    /// Ends a row that was written into `buf`.
    async fn row_done(&mut self) -> Result<()> {
        self.buf.push('\n');
        self.done += 1;
        if self.buf.len() >= (1 << 20) {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        self.copy.send(self.buf.as_bytes()).await?;
        self.buf.clear();
        progress(self.label, self.done, self.total, self.started);
        Ok(())
    }

    async fn finish(mut self) -> Result<u64> {
        self.flush().await?;
        let rows = self.copy.finish().await?;
        eprintln!();
        Ok(rows)
    }
}

fn progress(label: &str, done: u64, total: u64, started: Instant) {
    let pct = if total == 0 {
        100.0
    } else {
        done as f64 * 100.0 / total as f64
    };
    let filled = (pct / 5.0) as usize;
    eprint!(
        "\r{label:<16} [{}{}] {pct:5.1}%  {done}/{total}  {:.1}s",
        "#".repeat(filled.min(20)),
        " ".repeat(20 - filled.min(20)),
        started.elapsed().as_secs_f64()
    );
    let _ = std::io::stderr().flush();
}

/// Entries per case: Zipf (s = 1) over a fixed shuffle of the cases, summing to `total`.
pub fn entry_counts(total: u64) -> Vec<u64> {
    let h: f64 = (1..=CASES).map(|k| 1.0 / k as f64).sum();
    let mut order: Vec<u64> = (0..CASES).collect();
    let mut rng = Rng::new(SEED ^ 0xe1);
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut counts = vec![0u64; CASES as usize];
    let mut assigned = 0;
    for (rank, &c) in order.iter().enumerate() {
        let n = (total as f64 / ((rank + 1) as f64 * h)).floor() as u64;
        counts[c as usize] = n;
        assigned += n;
    }
    // the remainder, one each, to the cases in rank order
    let mut i = 0;
    while assigned < total {
        counts[order[i % order.len()] as usize] += 1;
        assigned += 1;
        i += 1;
    }
    counts
}

pub async fn load(pool: &PgPool, entries: u64) -> Result<()> {
    let started = Instant::now();
    let mut conn = pool.acquire().await?;
    let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM case_file")
        .fetch_one(&mut *conn)
        .await?;
    if cases > 0 {
        bail!("bench-data loads into an empty database; this one already has {cases} cases");
    }
    // the generator writes only ids it made: skip the per-row foreign-key triggers
    conn.execute("SET session_replication_role = replica")
        .await?;
    let hash = tokio::task::spawn_blocking(|| crate::domain::password::hash(PASSWORD)).await?;
    let now = chrono::Utc::now();
    let today = now.date_naive();

    // agencies, users, memberships
    let mut copy = Copy::begin(
        &mut conn,
        "agency",
        "id, name, kind, municipality, address, phone",
        "agencies",
        AGENCIES,
    )
    .await?;
    for a in 0..AGENCIES {
        let kind = KINDS[(a % 7) as usize];
        write!(
            copy.buf,
            "{}\tベンチ事業所{a}\t{kind}\tベンチ市{m}\tベンチ市{m}{a}番地\t0120-{a:03}-000",
            agency_id(a),
            m = a % 10
        )?;
        copy.row_done().await?;
    }
    copy.finish().await?;
    let users = AGENCIES * USERS_PER_AGENCY;
    let mut copy = Copy::begin(
        &mut conn,
        "app_user",
        "id, email, display_name, password_hash",
        "users",
        users,
    )
    .await?;
    for u in 0..users {
        write!(copy.buf, "{}\t{}\t職員 {u}\t", user_id(u), email(u))?;
        esc(&mut copy.buf, &hash);
        copy.row_done().await?;
    }
    copy.finish().await?;
    let mut copy = Copy::begin(
        &mut conn,
        "membership",
        "user_id, agency_id, role, job_title",
        "memberships",
        users,
    )
    .await?;
    for u in 0..users {
        write!(
            copy.buf,
            "{}\t{}\t{}\t就労支援員",
            user_id(u),
            agency_id(u / USERS_PER_AGENCY),
            role(u)
        )?;
        copy.row_done().await?;
    }
    copy.finish().await?;

    // participants, cases, teams, consents
    let mut rng = Rng::new(SEED);
    let mut copy = Copy::begin(
        &mut conn,
        "participant",
        "id, family_name, given_name, family_kana, given_kana, birth_date, \
         disability_categories, municipality",
        "participants",
        CASES,
    )
    .await?;
    for c in 0..CASES {
        let (f, fk) = FAMILY[rng.below(FAMILY.len() as u64) as usize];
        let (g, gk) = GIVEN[rng.below(GIVEN.len() as u64) as usize];
        let birth = chrono::NaiveDate::from_ymd_opt(1960 + rng.below(45) as i32, 1, 1).unwrap()
            + chrono::Days::new(rng.below(365));
        write!(
            copy.buf,
            "{}\t{f}\t{g}{c}\t{fk}\t{gk}\t{birth}\t{{{}}}\tベンチ市{}",
            uid(T_PARTICIPANT, c),
            DISABILITIES[rng.below(6) as usize],
            rng.below(10)
        )?;
        copy.row_done().await?;
    }
    copy.finish().await?;
    let mut copy = Copy::begin(
        &mut conn,
        "case_file",
        "id, participant_id, lead_agency_id, phase, opened_on",
        "cases",
        CASES,
    )
    .await?;
    for c in 0..CASES {
        let opened = today - chrono::Days::new(30 + rng.below(1000));
        write!(
            copy.buf,
            "{}\t{}\t{}\t{}\t{opened}",
            case_id(c),
            uid(T_PARTICIPANT, c),
            agency_id(team(c)[0]),
            PHASES[rng.below(5) as usize]
        )?;
        copy.row_done().await?;
    }
    copy.finish().await?;
    let mut copy = Copy::begin(
        &mut conn,
        "case_agency",
        // the list keys (kana, phase, lead) are copied from the case below, by the function
        // the triggers use; triggers are off during the load
        "case_id, agency_id, role_text, joined_on, sort_kana, phase, is_lead",
        "teams",
        CASES * 4,
    )
    .await?;
    for c in 0..CASES {
        for a in team(c) {
            write!(
                copy.buf,
                "{}\t{}\t支援\t{}\t\tintake\tf",
                case_id(c),
                agency_id(a),
                today - chrono::Days::new(1000)
            )?;
            copy.row_done().await?;
        }
    }
    copy.finish().await?;
    let mut copy = Copy::begin(
        &mut conn,
        "consent",
        "id, case_id, agency_id, categories, given_by, method, given_on, recorded_by, recorded_as",
        "consents",
        CASES * 4,
    )
    .await?;
    let mut n = 0;
    for c in 0..CASES {
        let t = team(c);
        for &a in &t {
            let mut cats: Vec<String> = ["assessment", "training", "work", "life", "contact"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            if consents_health(c, a) {
                cats.push("health".into());
            }
            write!(
                copy.buf,
                "{}\t{}\t{}\t{}\tperson\twritten\t{}\t{}\t{}",
                uid(T_CONSENT, n),
                case_id(c),
                agency_id(a),
                pg_array(&cats),
                today - chrono::Days::new(1000),
                user_id(t[0] * USERS_PER_AGENCY + 1),
                agency_id(t[0])
            )?;
            copy.row_done().await?;
            n += 1;
        }
    }
    copy.finish().await?;

    // meetings and their invitees
    let meetings = CASES * MEETINGS_PER_CASE;
    let mut copy = Copy::begin(
        &mut conn,
        "meeting",
        "id, case_id, convener_user_id, convener_agency_id, purpose, starts_at, \
         duration_minutes, place, status, held_at",
        "meetings",
        meetings,
    )
    .await?;
    let mut invitees = Vec::with_capacity(meetings as usize * 4);
    for m in 0..meetings {
        let c = m / MEETINGS_PER_CASE;
        let t = team(c);
        let convener = t[rng.below(t.len() as u64) as usize];
        // spread over a year back and a year ahead, on the hour
        let offset_hours = rng.below(2 * 365 * 24) as i64 - 365 * 24;
        let starts = (now + chrono::Duration::hours(offset_hours))
            .format("%Y-%m-%d %H:00:00+00")
            .to_string();
        let past = offset_hours < 0;
        write!(
            copy.buf,
            "{}\t{}\t{}\t{}\tsupport_plan\t{starts}\t60\t会議室\t{}\t{}",
            meeting_id(m),
            case_id(c),
            user_id(convener * USERS_PER_AGENCY + 1),
            agency_id(convener),
            if past { "held" } else { "scheduled" },
            if past { starts.as_str() } else { "\\N" }
        )?;
        copy.row_done().await?;
        let status = if past { "held" } else { "scheduled" };
        for a in t {
            let response = if past { "attend" } else { "pending" };
            invitees.push((m, a, response, starts.clone(), status));
        }
    }
    copy.finish().await?;
    let mut copy = Copy::begin(
        &mut conn,
        "meeting_invitee",
        // the meeting's time and status, copied for the agency's list (migration 0009)
        "meeting_id, agency_id, response, starts_at, status",
        "invitees",
        invitees.len() as u64,
    )
    .await?;
    for (m, a, response, starts, status) in invitees {
        write!(
            copy.buf,
            "{}\t{}\t{response}\t{starts}\t{status}",
            meeting_id(m),
            agency_id(a)
        )?;
        copy.row_done().await?;
    }
    copy.finish().await?;

    // tasks, 30 % open
    let tasks = CASES * TASKS_PER_CASE;
    let mut copy = Copy::begin(
        &mut conn,
        "task",
        "id, case_id, source, title, owner_agency_id, due_on, status",
        "tasks",
        tasks,
    )
    .await?;
    for k in 0..tasks {
        let c = k / TASKS_PER_CASE;
        let t = team(c);
        let due = today + chrono::Days::new(rng.below(360)) - chrono::Days::new(180);
        write!(
            copy.buf,
            "{}\t{}\tbench-{}\t書類の確認 {}\t{}\t{due}\t{}",
            uid(T_TASK, k),
            case_id(c),
            k % TASKS_PER_CASE,
            k % TASKS_PER_CASE,
            agency_id(t[rng.below(t.len() as u64) as usize]),
            if rng.chance(0.3) { "open" } else { "done" }
        )?;
        copy.row_done().await?;
    }
    copy.finish().await?;

    // entries: Zipf over cases, interleaved in time as they would be written
    let counts = entry_counts(entries);
    let mut order: Vec<u32> = Vec::with_capacity(entries as usize);
    for (c, &k) in counts.iter().enumerate() {
        order.extend(std::iter::repeat_n(c as u32, k as usize));
    }
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let span_secs = 2 * 365 * 24 * 3600i64;
    let start = now - chrono::Duration::seconds(span_secs);
    let mut copy = Copy::begin(
        &mut conn,
        "entry",
        "id, case_id, author_user_id, author_agency_id, kind, category, occurred_at, body, \
         shared_with, created_at, fields, body_html",
        "entries",
        entries,
    )
    .await?;
    for (i, &c) in order.iter().enumerate() {
        let c = c as u64;
        let t = team(c);
        let author = t[rng.below(t.len() as u64) as usize];
        let user = author * USERS_PER_AGENCY + rng.below(USERS_PER_AGENCY);
        let roll = rng.below(100);
        let (category, shared): (&str, Vec<String>) = if roll < 60 {
            (
                ["assessment", "training", "work", "life"][rng.below(4) as usize],
                t.iter().map(|a| agency_id(*a).to_string()).collect(),
            )
        } else if roll < 90 {
            ("training", vec![])
        } else {
            (
                "health",
                t.iter().map(|a| agency_id(*a).to_string()).collect(),
            )
        };
        let kind_roll = rng.below(100);
        let (kind, fields) = if kind_roll < 70 {
            ("progress", "{}")
        } else if kind_roll < 85 {
            (
                "observation",
                r#"{"situation": "作業中", "handling": "声かけで再開", "resolved": true}"#,
            )
        } else {
            ("contact", r#"{"channel": "phone", "with_whom": "family"}"#)
        };
        let at = (start + chrono::Duration::seconds(span_secs * i as i64 / entries.max(1) as i64))
            .format("%Y-%m-%d %H:%M:%S+00")
            .to_string();
        let body = format!(
            "{}{}",
            SENTENCES[rng.below(8) as usize],
            SENTENCES[rng.below(8) as usize]
        );
        write!(
            copy.buf,
            "{}\t{}\t{}\t{}\t{kind}\t{category}\t{at}\t{body}\t{}\t{at}\t",
            uid(T_ENTRY, i as u64),
            case_id(c),
            user_id(user),
            agency_id(author),
            pg_array(&shared)
        )?;
        esc(&mut copy.buf, fields);
        write!(copy.buf, "\t<p>{body}</p>")?;
        copy.row_done().await?;
    }
    copy.finish().await?;
    conn.execute("SET session_replication_role = DEFAULT")
        .await?;
    conn.execute("SELECT case_agency_refresh_keys(NULL)")
        .await?;
    drop(conn);

    let t = Instant::now();
    eprint!("VACUUM ANALYZE …");
    pool.execute("VACUUM ANALYZE").await?;
    eprintln!(" {:.1}s", t.elapsed().as_secs_f64());
    eprintln!(
        "bench data: {entries} entries, largest case {} entries; loaded in {:.1}s",
        counts.iter().max().unwrap_or(&0),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_fixed() {
        let mut a = Rng::new(1);
        let mut b = Rng::new(1);
        assert_eq!(a.next_u64(), b.next_u64());
        assert_eq!(Rng::new(0).next_u64(), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn teams_have_three_to_five_distinct_agencies_led_by_a_clinic_or_office() {
        for c in 0..2000 {
            let t = team(c);
            assert!((3..=5).contains(&t.len()));
            let mut sorted = t.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), t.len());
            assert!(t[0] % 7 <= 1, "{t:?}");
        }
    }

    #[test]
    fn zipf_counts_sum_and_skew() {
        let counts = entry_counts(1_000_000);
        assert_eq!(counts.iter().sum::<u64>(), 1_000_000);
        assert!(counts.iter().filter(|&&n| n >= 5000).count() >= 10);
        assert_eq!(entry_counts(10_000).iter().sum::<u64>(), 10_000);
    }
}
