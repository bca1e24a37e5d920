//! The leak hunt: every GET route of the router × every kind of reader × every state of the
//! reader's consent, looking for planted marker strings. Each record that can carry personal
//! text gets a unique marker (`LEAK-<kind>-<category>-Z`); a reader must never find a marker
//! the privacy rule (SPEC §3, §5, §6, §8) hides from them, on any page, and must find a marker
//! the rule shows them on the pages that are that record's home (so that the hunt cannot pass
//! by not planting anything).
//!
//! The rule is written once, in `expect`, from the specification — not from the code under
//! test. The world it reads (`World`) says who is on the team, who left when and what each
//! agency's consent covers; the records' facts are in `Rule`. When the product rule changes,
//! change `expect` (or the `Rule` of a planted record), nothing else. Choices made there where
//! the specification is not explicit: an action item belongs to its meeting (convener and
//! invitees only); the form to enter a daily report is offered to those who may read them; an
//! agency that left between an entry's writing and its edit is not asserted either way about
//! the earlier version (`Expect::Either`).
//!
//! A route added to src/http/ is fetched automatically; one with a placeholder `urls` does not
//! know fails the test until `urls` says which records it shows.
//!
//! The case is 高橋 美咲's (ひかり leads; the person has her own account). For this test こもれび
//! left the team before the records were written and みなと after; the clinic さくら is invited
//! from outside the team to one meeting; はるか is off the team.

use crate::consent_state::ConsentState;
use crate::helpers::*;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use renkei::demo::{
    AOBA, CASE_TAKAHASHI, HARUKA, HIKARI, KOMOREBI, MIDORI, MINATO, PARTICIPANT_EMAIL, SAKURA,
    SHOKUCEN,
};
use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use uuid::Uuid;

const CASE: Uuid = CASE_TAKAHASHI;
const LEAD: Uuid = HIKARI;

const CATEGORIES: [&str; 6] = [
    "health",
    "assessment",
    "training",
    "work",
    "life",
    "contact",
];

/// The planted records were written this many days ago…
const WRITTEN_DAYS_AGO: i64 = 3;
/// …after こもれび left the team…
const KOMOREBI_LEFT_DAYS_AGO: i64 = 5;
/// …and before みなと left it.
const MINATO_LEFT_DAYS_AGO: i64 = 1;
/// The held meeting whose minutes assign an action item.
const M0_DAYS_AGO: i64 = 10;

/// Every agency that gets a consent record on the case, on or off the team: a consent never
/// lets an agency off the team see anything.
const CONSENTED: [Uuid; 8] = [
    HIKARI, MIDORI, SHOKUCEN, AOBA, MINATO, KOMOREBI, SAKURA, HARUKA,
];

/// What each agency's consent leaves out, so that "covers the category" is exercised for every
/// category (the employer's mirrors the demo: no health).
fn not_consented(agency: Uuid) -> &'static [&'static str] {
    match agency {
        a if a == MIDORI => &["health"],
        a if a == SHOKUCEN => &["life", "work"],
        a if a == AOBA => &["contact", "training"],
        a if a == MINATO => &["assessment"],
        _ => &[],
    }
}

fn consent_categories(agency: Uuid) -> Vec<String> {
    CATEGORIES
        .iter()
        .filter(|c| !not_consented(agency).contains(c))
        .map(|c| c.to_string())
        .collect()
}

/// Replaces every consent of the case with the round's state.
async fn set_consents(pool: &PgPool, state: ConsentState, recorder: Uuid) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("DELETE FROM consent WHERE case_id = $1")
        .bind(CASE)
        .execute(&mut *tx)
        .await
        .unwrap();
    // (given days ago, valid until days from today, revoked)
    let rows = state.rows();
    for agency in CONSENTED {
        for (given, until, revoked) in &rows {
            sqlx::query(
                "INSERT INTO consent (id, case_id, agency_id, categories, given_by, method, given_on,
                                      valid_until, recorded_by, recorded_as, revoked_at, revoked_by)
                 VALUES ($1, $2, $3, $4, 'person', 'written',
                         (now() AT TIME ZONE 'Asia/Tokyo')::date - $5::int,
                         (now() AT TIME ZONE 'Asia/Tokyo')::date + $6::int, $7, $8,
                         CASE WHEN $9 THEN now() END, CASE WHEN $9 THEN $7 END)",
            )
            .bind(Uuid::now_v7())
            .bind(CASE)
            .bind(agency)
            .bind(consent_categories(agency))
            .bind(*given)
            .bind(until)
            .bind(recorder)
            .bind(LEAD)
            .bind(*revoked)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

// ---- the rule --------------------------------------------------------------------------------

/// The facts the rule reads in one round.
#[derive(Debug, Clone)]
struct World {
    /// agency → the day it left (None while on the team); agencies never on the team are absent
    team: HashMap<Uuid, Option<NaiveDate>>,
    consent: ConsentState,
}

impl World {
    fn covers(&self, agency: Uuid, category: &str) -> bool {
        self.consent.live()
            && CONSENTED.contains(&agency)
            && !not_consented(agency).contains(&category)
    }
}

/// Who reads a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// acting as this agency
    Agency(Uuid),
    /// the person's own account, on her case
    Participant(Uuid),
    /// the system admin (no agency)
    Nobody,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// may appear anywhere, and must appear on the record's home pages
    Shown,
    /// must appear nowhere
    Hidden,
    /// not asserted either way (see where it is returned)
    Either,
}

/// The facts of one planted record, as far as the rule is concerned.
#[derive(Debug, Clone)]
enum Rule {
    /// A timeline entry (also a reply, a checklist's announcing entry, a pre-referral note with
    /// `shared_with` = everyone). `written_on`: the Tokyo day of the last writing (an edit counts).
    Entry {
        author: Uuid,
        shared_with: Vec<Uuid>,
        category: &'static str,
        written_on: NaiveDate,
    },
    /// The earlier version of an entry written on `written_on` and edited on `edited_on`.
    EarlierVersion {
        author: Uuid,
        shared_with: Vec<Uuid>,
        category: &'static str,
        written_on: NaiveDate,
        edited_on: NaiveDate,
    },
    /// What belongs to one meeting (place, minutes, material, action items).
    Meeting {
        convener: Uuid,
        invited: Vec<Uuid>,
        created_on: NaiveDate,
    },
    /// The convener's own text in a meeting's material: the meeting's parties, and among the
    /// invitees those whose live consent covers its category (`case_admin`: every party).
    MaterialText {
        convener: Uuid,
        invited: Vec<Uuid>,
        created_on: NaiveDate,
        category: &'static str,
    },
    Referral {
        from: Uuid,
        to: Uuid,
        draft: bool,
    },
    /// A daily self-report of the case (and the form to enter one).
    Daily,
    /// A support plan's text (SPEC §13): its own agency; another agency only once the plan is
    /// delivered to it under consent (none is, on this case: こもれび left before).
    Plan {
        author: Uuid,
    },
}

/// SPEC §3's entry rule.
fn entry_visible(
    w: &World,
    agency: Uuid,
    author: Uuid,
    shared_with: &[Uuid],
    category: &str,
    written_on: NaiveDate,
) -> bool {
    let Some(left) = w.team.get(&agency) else {
        return false; // never on the team
    };
    if left.is_some_and(|l| written_on > l) {
        return false; // written (or last edited) after it left
    }
    if author == agency {
        return true;
    }
    shared_with.contains(&agency) && (category == "case_admin" || w.covers(agency, category))
}

fn shown(b: bool) -> Expect {
    if b {
        Expect::Shown
    } else {
        Expect::Hidden
    }
}

/// THE RULE: what a reader may see of a record. Change this when the product rule changes.
fn expect(rule: &Rule, reader: Reader, w: &World) -> Expect {
    let agency = match reader {
        Reader::Agency(a) => a,
        // the person's own account sees her own daily reports and nothing else
        Reader::Participant(case) => return shown(matches!(rule, Rule::Daily) && case == CASE),
        // the system admin sees no case content
        Reader::Nobody => return Expect::Hidden,
    };
    match rule {
        Rule::Entry {
            author,
            shared_with,
            category,
            written_on,
        } => shown(entry_visible(
            w,
            agency,
            *author,
            shared_with,
            category,
            *written_on,
        )),
        Rule::EarlierVersion {
            author,
            shared_with,
            category,
            written_on,
            edited_on,
        } => {
            // an agency that left between the writing and the edit may be shown the version it
            // could see when it left, or nothing: not asserted
            if w.team
                .get(&agency)
                .copied()
                .flatten()
                .is_some_and(|l| *written_on <= l && l < *edited_on)
            {
                return Expect::Either;
            }
            shown(entry_visible(
                w,
                agency,
                *author,
                shared_with,
                category,
                *written_on,
            ))
        }
        // §6: only the convening agency and the invited ones (an agency that left sees what
        // was there up to its leaving day); a team agency not invited sees at most the date
        // and the purpose, which carry no marker
        Rule::Meeting {
            convener,
            invited,
            created_on,
        } => {
            let party = agency == *convener || invited.contains(&agency);
            let left_before = w
                .team
                .get(&agency)
                .copied()
                .flatten()
                .is_some_and(|l| *created_on > l);
            shown(party && !left_before)
        }
        Rule::MaterialText {
            convener,
            invited,
            created_on,
            category,
        } => {
            let meeting = Rule::Meeting {
                convener: *convener,
                invited: invited.clone(),
                created_on: *created_on,
            };
            let party = expect(&meeting, reader, w) == Expect::Shown;
            shown(
                party
                    && (agency == *convener
                        || *category == "case_admin"
                        || w.covers(agency, category)),
            )
        }
        // §5: the sender, and the receiver once it was sent
        Rule::Referral { from, to, draft } => shown(agency == *from || (agency == *to && !draft)),
        // §8: the lead agency and agencies with a live consent for health, while on the team
        Rule::Plan { author } => shown(agency == *author),
        Rule::Daily => shown(
            w.team.get(&agency) == Some(&None) && (agency == LEAD || w.covers(agency, "health")),
        ),
    }
}

// ---- the markers -----------------------------------------------------------------------------

struct Marker {
    /// the unique string planted
    text: String,
    /// what kind of record carries it, for messages
    kind: String,
    rule: Rule,
    /// pages where an agency reader with `Expect::Shown` must find it
    home: Vec<String>,
    /// the same for the person's own account
    home_participant: Vec<String>,
    /// the home pages apply only when this marker is shown too (a reply is shown under its
    /// observation)
    needs: Option<usize>,
}

fn marker_text(kind: &str, category: &str) -> String {
    format!("LEAK-{kind}-{category}-Z")
}

#[derive(Default)]
struct Planted {
    markers: Vec<Marker>,
    entries: Vec<Uuid>,
    meetings: Vec<Uuid>,
    referrals: Vec<Uuid>,
    plans: Vec<Uuid>,
    reports: Vec<Uuid>,
}

impl Planted {
    fn add(
        &mut self,
        kind: &str,
        category: &str,
        rule: Rule,
        home: Vec<String>,
        needs: Option<usize>,
    ) -> usize {
        self.markers.push(Marker {
            text: marker_text(kind, category),
            kind: format!("{kind} ({category})"),
            rule,
            home,
            home_participant: vec![],
            needs,
        });
        self.markers.len() - 1
    }
}

fn timeline() -> String {
    format!("/cases/{CASE}/timeline")
}

fn entry_page(id: Uuid) -> String {
    format!("/cases/{CASE}/entries/{id}")
}

/// A writer of the planted records: a user as one agency.
#[derive(Debug, Clone, Copy)]
struct Actor {
    user_id: Uuid,
    agency_id: Uuid,
}

impl Actor {
    /// The case opened through the door by this writer.
    async fn scope(self, pool: &PgPool) -> renkei::access::CaseScope {
        crate::helpers::scope_as(pool, self.user_id, self.agency_id, CASE)
            .await
            .expect("the writer is or was on the team")
    }
}

struct Users(HashMap<String, Uuid>);

impl Users {
    fn id(&self, email: &str) -> Uuid {
        self.0[email]
    }
    fn actor(&self, email: &str, agency: Uuid) -> Actor {
        Actor {
            user_id: self.id(email),
            agency_id: agency,
        }
    }
}

/// The writers on the team when the records were written: (email, agency).
const WRITERS: [(&str, Uuid); 5] = [
    ("sabikan@hikari.example", HIKARI),
    ("teichaku@aoba.example", AOBA),
    ("jc@shokucen.example", SHOKUCEN),
    ("boss@midori.example", MIDORI),
    ("shugyo@minato.example", MINATO),
];

/// Who writes the records of each category (contact: the dual member, as ひかり).
fn writer(category_index: usize) -> (&'static str, Uuid) {
    WRITERS
        .get(category_index)
        .copied()
        .unwrap_or(("dual@sakura.example", HIKARI))
}

fn tokyo_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&chrono_tz::Asia::Tokyo).date_naive()
}

/// Writes an entry as the app does, then dates its writing `written`.
#[allow(clippy::too_many_arguments)]
async fn insert_entry(
    pool: &PgPool,
    actor: Actor,
    kind: &str,
    category: &str,
    body: &str,
    fields: serde_json::Value,
    shared_with: &[Uuid],
    reply_to: Option<Uuid>,
    written: DateTime<Utc>,
) -> Uuid {
    let mut conn = pool.acquire().await.unwrap();
    let new = renkei::db::entries::NewEntry {
        kind,
        category,
        // the newest on the timeline, so that the first page shows them
        occurred_at: Utc::now() - Duration::seconds(1),
        body,
        fields,
        shared_with,
        reply_to,
    };
    let scope = actor.scope(pool).await;
    let id = renkei::db::entries::insert(&mut conn, &scope, &new)
        .await
        .unwrap();
    sqlx::query("UPDATE entry SET created_at = $2 WHERE id = $1")
        .bind(id)
        .bind(written)
        .execute(&mut *conn)
        .await
        .unwrap();
    id
}

/// What every planting helper needs.
struct Ctx<'a> {
    app: &'a TestApp,
    users: &'a Users,
    today: NaiveDate,
    /// when the records were written
    written: DateTime<Utc>,
    written_on: NaiveDate,
    /// every agency there is: sharing alone never lets anyone see an entry
    everyone: Vec<Uuid>,
}

/// Plants every record of the hunt. Consents must be live (the drafted material is made from
/// what the invitees may see when the meeting is scheduled).
async fn plant(app: &TestApp, users: &Users) -> Planted {
    let written = Utc::now() - Duration::days(WRITTEN_DAYS_AGO);
    let c = Ctx {
        app,
        users,
        today: renkei::domain::dates::today_tokyo(),
        written,
        written_on: tokyo_day(written),
        everyone: vec![
            HIKARI, MIDORI, SHOKUCEN, AOBA, MINATO, KOMOREBI, SAKURA, HARUKA,
        ],
    };
    let mut p = Planted::default();
    plant_timeline(&c, &mut p).await;
    plant_checklist(&c, &mut p).await;
    plant_prereferral(&c, &mut p).await;
    plant_daily(&c, &mut p).await;
    plant_referrals(&c, &mut p).await;
    plant_held_meeting(&c, &mut p).await;
    plant_scheduled_meetings(&c, &mut p).await;
    plant_plan(&c, &mut p).await;
    plant_report(&c, &mut p).await;
    // no marker may contain another: a find must name one record
    for a in &p.markers {
        for b in &p.markers {
            assert!(
                std::ptr::eq(a, b) || !a.text.contains(&b.text),
                "{} contains {}",
                a.text,
                b.text
            );
        }
    }
    p
}

/// Timeline entries (an observation with a situation, a private note), a reply, an
/// observation answer and an edited update, per category.
async fn plant_timeline(c: &Ctx<'_>, p: &mut Planted) {
    let (pool, users, today, written, written_on, everyone) = (
        &c.app.pool,
        c.users,
        c.today,
        c.written,
        c.written_on,
        &c.everyone,
    );
    // the six categories, and case_admin (no consent needed) for the entry and the note
    let mut with_admin: Vec<&'static str> = CATEGORIES.to_vec();
    with_admin.push("case_admin");
    for (i, category) in with_admin.iter().copied().enumerate() {
        let (email, agency) = writer(i % CATEGORIES.len());
        let author = users.actor(email, agency);
        // an observation shared with everyone, a marker in its body and one in its situation
        let body = marker_text("entry", category);
        let fields = serde_json::json!({
            "situation": marker_text("entry-situation", category),
            "resolved": false,
        });
        let entry = insert_entry(
            pool,
            author,
            "observation",
            category,
            &body,
            fields,
            everyone,
            None,
            written,
        )
        .await;
        p.entries.push(entry);
        let rule = Rule::Entry {
            author: agency,
            shared_with: everyone.clone(),
            category,
            written_on,
        };
        let home = vec![timeline(), entry_page(entry)];
        let parent = p.add("entry", category, rule.clone(), home.clone(), None);
        p.add("entry-situation", category, rule, home, None);
        // a note shared with no one: its author's agency only
        let private = insert_entry(
            pool,
            author,
            "note",
            category,
            &marker_text("private", category),
            serde_json::json!({}),
            &[],
            None,
            written,
        )
        .await;
        p.entries.push(private);
        p.add(
            "private",
            category,
            Rule::Entry {
                author: agency,
                shared_with: vec![],
                category,
                written_on,
            },
            vec![timeline(), entry_page(private)],
            None,
        );
        if category == "case_admin" {
            continue;
        }
        // a reply ("seen here too") and an answer seen differently, by two other agencies
        for (n, (kind, answer)) in [("reply", "seen_here"), ("answer", "seen_differently")]
            .into_iter()
            .enumerate()
        {
            let (r_email, r_agency) = WRITERS[(i + 1 + n) % WRITERS.len()];
            let shared: Vec<Uuid> = everyone
                .iter()
                .copied()
                .filter(|a| *a != r_agency)
                .collect();
            let (body, fields) = if kind == "reply" {
                (
                    marker_text("reply", category),
                    serde_json::json!({"answer": answer}),
                )
            } else {
                (
                    "別の場面で見られた".to_string(),
                    serde_json::json!({
                        "answer": answer,
                        "observed_on": written_on,
                        "handling": marker_text("answer", category),
                    }),
                )
            };
            let reply = insert_entry(
                pool,
                users.actor(r_email, r_agency),
                "observation",
                category,
                &body,
                fields,
                &shared,
                Some(entry),
                written,
            )
            .await;
            p.entries.push(reply);
            p.add(
                kind,
                category,
                Rule::Entry {
                    author: r_agency,
                    shared_with: shared,
                    category,
                    written_on,
                },
                vec![timeline(), entry_page(entry)],
                Some(parent),
            );
        }
        // a progress update written then, edited today (by someone still on the team)
        let editor = if agency == MINATO {
            users.actor("teichaku@aoba.example", AOBA)
        } else {
            author
        };
        let edited = insert_entry(
            pool,
            editor,
            "progress",
            category,
            &marker_text("before-edit", category),
            serde_json::json!({}),
            everyone,
            None,
            written,
        )
        .await;
        let mut conn = pool.acquire().await.unwrap();
        let scope = editor.scope(pool).await;
        assert!(renkei::db::entries::edit(
            &mut conn,
            &scope,
            edited,
            &marker_text("edited", category),
            &serde_json::json!({}),
            Utc::now() - Duration::seconds(1),
        )
        .await
        .unwrap());
        drop(conn);
        p.entries.push(edited);
        p.add(
            "edited",
            category,
            Rule::Entry {
                author: editor.agency_id,
                shared_with: everyone.clone(),
                category,
                written_on: today,
            },
            vec![timeline(), entry_page(edited)],
            None,
        );
        p.add(
            "before-edit",
            category,
            Rule::EarlierVersion {
                author: editor.agency_id,
                shared_with: everyone.clone(),
                category,
                written_on,
                edited_on: today,
            },
            vec![entry_page(edited)],
            None,
        );
    }
}

/// A readiness assessment with a note on an item, announced on the timeline as the app does.
async fn plant_checklist(c: &Ctx<'_>, p: &mut Planted) {
    let (pool, users, written, written_on, everyone) =
        (&c.app.pool, c.users, c.written, c.written_on, &c.everyone);
    // a readiness assessment with a note on an item, announced on the timeline as the app does
    let assessor = users.actor("teichaku@aoba.example", AOBA);
    let note = marker_text("checklist-note", "assessment");
    let codes = [
        "near",
        "attendance",
        "stamina",
        "awareness",
        "experiential",
        "openness",
    ];
    let answers: renkei::domain::checklist::Answers = codes
        .iter()
        .map(|c| {
            let n = if *c == "stamina" {
                note.clone()
            } else {
                String::new()
            };
            (c.to_string(), ("met".to_string(), n))
        })
        .collect();
    let summary = format!("紹介の目安：6/6\n\n備考\n- 1日過ごす体力がある：{note}");
    let announcing = insert_entry(
        pool,
        assessor,
        "readiness",
        "assessment",
        &summary,
        serde_json::json!({}),
        everyone,
        None,
        written,
    )
    .await;
    let mut conn = pool.acquire().await.unwrap();
    renkei::db::checks::insert(
        &mut conn,
        &assessor.scope(pool).await,
        "readiness",
        written_on,
        &answers,
        announcing,
    )
    .await
    .unwrap();
    p.entries.push(announcing);
    p.add(
        "checklist-note",
        "assessment",
        Rule::Entry {
            author: AOBA,
            shared_with: everyone.clone(),
            category: "assessment",
            written_on,
        },
        vec![timeline(), entry_page(announcing)],
        None,
    );
}

/// Pre-referral notes: one item of each kind of information (the item decides the category).
async fn plant_prereferral(c: &Ctx<'_>, p: &mut Planted) {
    let (pool, users, written, written_on, everyone) =
        (&c.app.pool, c.users, c.written, c.written_on, &c.everyone);
    let mut conn = pool.acquire().await.unwrap();
    // pre-referral notes: one item of each kind of information (the item decides the category)
    for (item, category, (email, agency)) in [
        ("course", "health", WRITERS[0]),
        ("work_before", "work", WRITERS[3]),
        ("why_work", "life", WRITERS[4]),
        ("visit_questions", "training", WRITERS[2]),
    ] {
        let id = renkei::db::referrals::add_note(
            &mut conn,
            &users.actor(email, agency).scope(pool).await,
            item,
            category,
            &marker_text("prereferral", category),
        )
        .await
        .unwrap();
        sqlx::query("UPDATE prereferral_note SET written_at = $2 WHERE id = $1")
            .bind(id)
            .bind(written)
            .execute(&mut *conn)
            .await
            .unwrap();
        p.add(
            "prereferral",
            category,
            Rule::Entry {
                author: agency,
                shared_with: everyone.clone(),
                category,
                written_on,
            },
            vec![format!("/cases/{CASE}/checks")],
            None,
        );
    }
}

/// Today's daily report, entered by the person, and the form to enter one.
async fn plant_daily(c: &Ctx<'_>, p: &mut Planted) {
    let (pool, users, today) = (&c.app.pool, c.users, c.today);
    let mut conn = pool.acquire().await.unwrap();
    // today's daily report, entered by the person
    let person = users.id(PARTICIPANT_EMAIL);
    sqlx::query(
        "INSERT INTO daily_report (id, case_id, day, sleep_hours, sleep_quality, medication_taken,
                                   appetite, fatigue_recovered, mood, note, entered_by)
         VALUES ($1, $2, $3, 6.0, 3, true, 3, true, 3, $4, $5)",
    )
    .bind(Uuid::now_v7())
    .bind(CASE)
    .bind(today)
    .bind(marker_text("daily", "health"))
    .bind(person)
    .execute(&mut *conn)
    .await
    .unwrap();
    let daily = p.add(
        "daily",
        "health",
        Rule::Daily,
        vec![format!("/cases/{CASE}/daily")],
        None,
    );
    p.markers[daily].home_participant = vec!["/me/daily".into()];
    // the form to enter one for the person is offered to those who may read them
    p.markers.push(Marker {
        text: format!("action=\"/cases/{CASE}/daily\""),
        kind: "daily report form".into(),
        rule: Rule::Daily,
        home: vec![format!("/cases/{CASE}/daily")],
        home_participant: vec![],
        needs: None,
    });
}

/// Referrals from ひかり: one sent to あおば with its packet, one draft to 職業センター.
async fn plant_referrals(c: &Ctx<'_>, p: &mut Planted) {
    let (pool, users, written) = (&c.app.pool, c.users, c.written);
    let mut conn = pool.acquire().await.unwrap();
    // referrals from ひかり: one sent to あおば with its packet, one draft to 職業センター
    let sender = users.actor("sabikan@hikari.example", HIKARI);
    let sender_scope = sender.scope(pool).await;
    let sent = renkei::db::referrals::create(
        &mut conn,
        &sender_scope,
        &renkei::db::referrals::NewReferral {
            to_agency_id: AOBA,
            hopes: &marker_text("referral-hopes", "sent"),
            assessment_id: None,
        },
    )
    .await
    .unwrap();
    let packet = renkei::db::referrals::Packet {
        person_name: "高橋 美咲".into(),
        person_kana: "タカハシ ミサキ".into(),
        from_agency: "ひかり就労移行支援センター".into(),
        to_agency: "あおば就労定着支援事業所".into(),
        hopes: marker_text("referral-hopes", "sent"),
        notes: vec![renkei::db::referrals::NoteRow {
            item: "desired_work".into(),
            category: "life".into(),
            body: marker_text("referral-packet", "sent"),
            author_name: "吉田 明美".into(),
            author_agency_name: "ひかり就労移行支援センター".into(),
            written_at: written,
        }],
        sent_by: "吉田 明美".into(),
        ..Default::default()
    };
    let sent_scope =
        crate::helpers::referral_scope_as(pool, sender.user_id, sender.agency_id, sent).await;
    assert!(renkei::db::referrals::transition(
        &mut conn,
        &sent_scope,
        &renkei::db::referrals::Transition {
            from: "draft",
            to: "sent",
            note: "",
            decline_reason: None,
            visit_on: None,
            service_start: None,
            packet: Some(serde_json::to_value(&packet).unwrap()),
        },
    )
    .await
    .unwrap());
    let draft = renkei::db::referrals::create(
        &mut conn,
        &sender_scope,
        &renkei::db::referrals::NewReferral {
            to_agency_id: SHOKUCEN,
            hopes: &marker_text("referral-hopes", "draft"),
            assessment_id: None,
        },
    )
    .await
    .unwrap();
    p.referrals = vec![sent, draft];
    for (kind, category, id, to, is_draft) in [
        ("referral-hopes", "sent", sent, AOBA, false),
        ("referral-packet", "sent", sent, AOBA, false),
        ("referral-hopes", "draft", draft, SHOKUCEN, true),
    ] {
        p.add(
            kind,
            category,
            Rule::Referral {
                from: HIKARI,
                to,
                draft: is_draft,
            },
            vec![format!("/referrals/{id}"), format!("/referrals/{id}/print")],
            None,
        );
    }
}

/// M0: held ten days ago (ひかり convened 職業センター and みなと), minutes and an action item.
async fn plant_held_meeting(c: &Ctx<'_>, p: &mut Planted) {
    let (pool, users, today) = (&c.app.pool, c.users, c.today);
    let now = Utc::now();
    let sender = users.actor("sabikan@hikari.example", HIKARI);
    let mut conn = pool.acquire().await.unwrap();
    // M0: held ten days ago (ひかり convened 職業センター and みなと), minutes and an action item
    let m0_at = now - Duration::days(M0_DAYS_AGO);
    let invitees = vec![
        (SHOKUCEN, None, String::new()),
        (MINATO, None, String::new()),
    ];
    let convener = sender.scope(pool).await;
    let m0 = renkei::db::meetings::create(
        &mut conn,
        &convener,
        &renkei::db::meetings::NewMeeting {
            purpose: "support_plan",
            purpose_note: "",
            starts_at: m0_at,
            duration_minutes: 60,
            place: &marker_text("meeting-place", "M0"),
            online_url: "",
            phone: "",
            person_attends: true,
            family_attends: false,
            invitees: &invitees,
        },
    )
    .await
    .unwrap();
    sqlx::query(
        "UPDATE meeting SET status = 'held', attendees = $2, discussion = $3, decisions = $4,
                held_at = now() WHERE id = $1",
    )
    .bind(m0)
    .bind("ひかり、職業センター、みなと")
    .bind(marker_text("minutes", "M0"))
    .bind("ジョブコーチ支援を続ける")
    .execute(&mut *conn)
    .await
    .unwrap();
    renkei::db::meetings::add_action_item(
        &mut conn,
        &convener,
        &renkei::db::meetings::NewActionItem {
            meeting_id: Some(m0),
            owner_agency_id: SHOKUCEN,
            owner_user_id: None,
            what: &marker_text("action-item", "M0"),
            how: "職場訪問",
            due_on: today + Duration::days(7),
        },
    )
    .await
    .unwrap();
    sqlx::query("UPDATE meeting SET created_at = $2, held_at = $2 WHERE id = $1")
        .bind(m0)
        .bind(m0_at)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    p.meetings.push(m0);
    let m0_rule = Rule::Meeting {
        convener: HIKARI,
        invited: vec![SHOKUCEN, MINATO],
        created_on: tokyo_day(m0_at),
    };
    p.add(
        "meeting-place",
        "M0",
        m0_rule.clone(),
        vec![format!("/meetings/{m0}"), format!("/meetings/{m0}.ics")],
        None,
    );
    p.add(
        "minutes",
        "M0",
        m0_rule.clone(),
        vec![format!("/meetings/{m0}")],
        None,
    );
    p.add(
        "action-item",
        "M0",
        m0_rule,
        vec![format!("/meetings/{m0}")],
        None,
    );
}

/// M1 and M2, scheduled through the form by ひかり's coordinator; the convener adds a line
/// of their own to each drafted material.
/// ひかり's support plan, drafted through the form (the marker in the person's wishes and in the
/// assessment record).
async fn plant_plan(c: &Ctx<'_>, p: &mut Planted) {
    let (app, pool) = (c.app, &c.app.pool);
    let author = app.browser();
    author.login("sabikan@hikari.example").await;
    let today = c.today.to_string();
    let later = (c.today + Duration::days(90)).to_string();
    let assessment = marker_text("plan-assessment", "training");
    let res = author
        .post(
            &format!("/cases/{CASE}/plans"),
            &[
                ("service", "transition"),
                ("service_start_on", ""),
                ("assessed_on", today.as_str()),
                ("assessment", assessment.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the plan starts");
    let plan = Uuid::parse_str(location(&res).rsplit('/').next().unwrap()).unwrap();
    let manager = users_id(pool, "sabikan@hikari.example").await.to_string();
    let wishes = marker_text("plan-wishes", "training");
    let res = author
        .post(
            &format!("/cases/{CASE}/plans/{plan}/versions"),
            &[
                ("plan_date", today.as_str()),
                ("manager_id", manager.as_str()),
                ("wishes", wishes.as_str()),
                ("policy", "方針"),
                ("period_from", today.as_str()),
                ("period_to", later.as_str()),
                ("goal_text_1", "就職する"),
                ("goal_on_1", later.as_str()),
                ("goal_text_2", "通所する"),
                ("goal_on_2", later.as_str()),
                ("row_what_1", "作業訓練"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the draft is saved");
    p.plans.push(plan);
    let home = vec![format!("/cases/{CASE}/plans/{plan}")];
    p.add(
        "plan-wishes",
        "training",
        Rule::Plan { author: LEAD },
        vec![home[0].clone(), format!("/cases/{CASE}/plans/{plan}/print")],
        None,
    );
    p.add(
        "plan-assessment",
        "training",
        Rule::Plan { author: LEAD },
        home,
        None,
    );
}

/// A draft of あおば's monthly support report to みどり物流 (the marker in the person's situation):
/// a draft is read by the writing office alone — the employer reads a report once it is issued.
async fn plant_report(c: &Ctx<'_>, p: &mut Planted) {
    let pool = &c.app.pool;
    let writer = users_id(pool, "teichaku@aoba.example").await;
    let report = Uuid::now_v7();
    let situation = marker_text("report-situation", "work");
    sqlx::query(
        "INSERT INTO support_report (id, case_id, agency_id, employer_agency_id, month, created_by)
         VALUES ($1, $2, $3, $4, date_trunc('month', now() - interval '1 month')::date, $5)",
    )
    .bind(report)
    .bind(CASE)
    .bind(AOBA)
    .bind(MIDORI)
    .bind(writer)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO support_report_version (id, report_id, version_no, activity, situation,
                                             support, requests, next_steps, saved_by)
         VALUES ($1, $2, 1, '', $3, '支援', '依頼', '方針', $4)",
    )
    .bind(Uuid::now_v7())
    .bind(report)
    .bind(&situation)
    .bind(writer)
    .execute(pool)
    .await
    .unwrap();
    p.reports.push(report);
    p.add(
        "report-situation",
        "work",
        Rule::Plan { author: AOBA },
        vec![
            format!("/cases/{CASE}/reports/{report}"),
            format!("/cases/{CASE}/reports/{report}/print"),
        ],
        None,
    );
}

async fn users_id(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn plant_scheduled_meetings(c: &Ctx<'_>, p: &mut Planted) {
    let (app, pool, today) = (c.app, &c.app.pool, c.today);
    // M1 and M2, scheduled through the form by ひかり's coordinator: M1 with 職業センター, あおば
    // and the clinic from outside the team, M2 with あおば only; the convener then adds a line
    // of their own to each drafted material
    let convener = app.browser();
    convener.login("sabikan@hikari.example").await;
    for (name, days, invite, outside, category) in [
        ("M1", 5, vec![SHOKUCEN, AOBA], Some(SAKURA), "training"),
        ("M2", 6, vec![AOBA], None, "case_admin"),
    ] {
        let date = (today + Duration::days(days)).to_string();
        let mut form: Vec<(String, String)> = vec![
            ("purpose".into(), "support_plan".into()),
            ("date".into(), date),
            ("time".into(), "10:00".into()),
            ("duration".into(), "60".into()),
            ("place".into(), marker_text("meeting-place", name)),
            ("consent_reason".into(), "見学の相談のため".into()),
            ("confirm_clash".into(), "1".into()),
        ];
        form.extend(invite.iter().map(|a| ("invite".to_string(), a.to_string())));
        if let Some(o) = outside {
            form.push(("outside_agency".into(), o.to_string()));
        }
        let res = convener
            .client
            .post(convener.url(&format!("/cases/{CASE}/meetings")))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{name} is scheduled");
        let id: Uuid = location(&res)
            .trim_start_matches("/meetings/")
            .parse()
            .unwrap();
        let drafted: String = sqlx::query_scalar("SELECT material FROM meeting WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap();
        let text = format!("{drafted}\n\n{}\n", marker_text("material", name));
        let res = convener
            .post(
                &format!("/meetings/{id}/material"),
                &[("material", text.as_str()), ("category", category)],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "{name}'s material saved"
        );
        let mut invited = invite.clone();
        invited.extend(outside);
        let rule = Rule::Meeting {
            convener: HIKARI,
            invited,
            created_on: today,
        };
        p.add(
            "meeting-place",
            name,
            rule.clone(),
            vec![format!("/meetings/{id}"), format!("/meetings/{id}.ics")],
            None,
        );
        let Rule::Meeting {
            convener,
            invited,
            created_on,
        } = rule
        else {
            unreachable!()
        };
        let rule = Rule::MaterialText {
            convener,
            invited,
            created_on,
            category,
        };
        p.add(
            "material",
            name,
            rule,
            vec![
                format!("/meetings/{id}/material"),
                format!("/meetings/{id}/material/print"),
            ],
            None,
        );
        p.meetings.push(id);
    }
}

// ---- the routes ------------------------------------------------------------------------------

/// The end of the argument list that starts at `s` (just after an opening parenthesis).
fn until_close(s: &str) -> &str {
    let mut depth = 1;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &s[..i];
                }
            }
            _ => {}
        }
    }
    s
}

/// The GET routes registered in src/http/, read from the source as tests/app/matrix.rs does.
fn get_routes() -> BTreeSet<String> {
    let files = http_source_files();
    let mut routes = BTreeSet::new();
    for file in files {
        let src = std::fs::read_to_string(file).unwrap();
        for piece in src.split(".route(").skip(1) {
            let args = until_close(piece).trim_start();
            let Some(rest) = args.strip_prefix('"') else {
                continue;
            };
            let end = rest.find('"').unwrap();
            let methods = rest[end + 1..].trim_start().trim_start_matches(',').trim();
            if methods.starts_with("get(") || methods.contains(".get(") {
                routes.insert(rest[..end].to_string());
            }
        }
    }
    assert!(routes.len() > 30, "the route list was read: {routes:?}");
    routes
}

/// Ids the routes' placeholders are filled with.
struct Ids {
    planted: Arc<Planted>,
    program: Uuid,
    event: Uuid,
    card: Uuid,
}

/// The concrete paths of one route. A placeholder this does not know fails the test: a new
/// route must say which records it shows.
fn urls(route: &str, ids: &Ids, feed: &str) -> Vec<String> {
    let p = &ids.planted;
    let each = |list: &[Uuid], f: &dyn Fn(Uuid) -> String| list.iter().map(|id| f(*id)).collect();
    match route {
        "/static/{file}" => vec!["/static/app.css".into()],
        "/calendar/{token}" => vec![format!("/calendar/{feed}.ics")],
        "/meetings/{id}" => p
            .meetings
            .iter()
            .flat_map(|m| [format!("/meetings/{m}"), format!("/meetings/{m}.ics")])
            .collect(),
        r if r.starts_with("/meetings/{id}/") && r.matches('{').count() == 1 => {
            each(&p.meetings, &|m| r.replace("{id}", &m.to_string()))
        }
        r if r.starts_with("/referrals/{id}") && r.matches('{').count() == 1 => {
            each(&p.referrals, &|id| r.replace("{id}", &id.to_string()))
        }
        r if r.starts_with("/cases/{id}")
            && r.contains("{entry_id}")
            && r.matches('{').count() == 2 =>
        {
            each(&p.entries, &|e| {
                r.replace("{id}", &CASE.to_string())
                    .replace("{entry_id}", &e.to_string())
            })
        }
        r if r.starts_with("/cases/{id}") && r.matches('{').count() == 1 => {
            vec![r.replace("{id}", &CASE.to_string())]
        }
        r if r.starts_with("/agencies/{id}") => {
            let item = if r.contains("/programs/") {
                ids.program
            } else if r.contains("/events/") {
                ids.event
            } else {
                ids.card
            };
            let url = r
                .replace("{id}", &HIKARI.to_string())
                .replace("{item}", &item.to_string());
            assert!(!url.contains('{'), "leak hunt: no ids for {r}");
            vec![url]
        }
        r if r.starts_with("/cases/{id}/reports/{report}") => each(&p.reports, &|id| {
            r.replace("{id}", &CASE.to_string())
                .replace("{report}", &id.to_string())
        }),
        r if r.starts_with("/cases/{id}/plans/{plan}") => each(&p.plans, &|id| {
            r.replace("{id}", &CASE.to_string())
                .replace("{plan}", &id.to_string())
        }),
        r if !r.contains('{') => vec![r.to_string()],
        r => panic!("leak hunt: no ids for the route {r}: say in `urls` which records it shows"),
    }
}

// ---- the readers -----------------------------------------------------------------------------

/// (label, email, agency to act as)
const ACTORS: &[(&str, &str, Option<Uuid>)] = &[
    (
        "lead coordinator (ひかり, convener)",
        "sabikan@hikari.example",
        None,
    ),
    ("lead agency staff (ひかり)", "staff@hikari.example", None),
    (
        "employer (みどり, invited to no meeting)",
        "boss@midori.example",
        None,
    ),
    (
        "job coach (職業センター: M0, M1; draft receiver)",
        "jc@shokucen.example",
        None,
    ),
    (
        "retention office (あおば: M1, M2; referral receiver)",
        "teichaku@aoba.example",
        None,
    ),
    (
        "left after the records (みなと: M0)",
        "shugyo@minato.example",
        None,
    ),
    (
        "left before the records (こもれび)",
        "soudan@komorebi.example",
        None,
    ),
    (
        "invited from outside the team (さくら: M1)",
        "psw@sakura.example",
        None,
    ),
    ("off the team (はるか)", "staff@haruka.example", None),
    ("system admin", "admin@renkei.example", None),
    ("the person's own account", PARTICIPANT_EMAIL, None),
    (
        "dual member acting as さくら (M1)",
        "dual@sakura.example",
        Some(SAKURA),
    ),
    (
        "dual member acting as ひかり",
        "dual@sakura.example",
        Some(HIKARI),
    ),
];

struct Reading {
    label: &'static str,
    client: Client,
    reader: Reader,
    user_id: Uuid,
    /// every agency of the user (a calendar feed is the user's, whatever they act as)
    memberships: Vec<Uuid>,
    feed: String,
}

async fn sign_in(
    app: &TestApp,
    users: &Users,
    feeds: &mut HashMap<String, String>,
) -> Vec<Reading> {
    let mut readings = vec![];
    for (label, email, acting) in ACTORS {
        let b = app.browser();
        let res = b.login_as(email).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {email}");
        if let Some(agency) = acting {
            let res = b
                .post("/acting-agency", &[("agency_id", &agency.to_string())])
                .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{label} acts");
        }
        let user_id = users.id(email);
        let memberships: Vec<Uuid> =
            sqlx::query_scalar("SELECT agency_id FROM membership WHERE user_id = $1")
                .bind(user_id)
                .fetch_all(&app.pool)
                .await
                .unwrap();
        let reader = if *email == PARTICIPANT_EMAIL {
            Reader::Participant(CASE)
        } else if let Some(a) = acting {
            Reader::Agency(*a)
        } else if let [only] = memberships.as_slice() {
            Reader::Agency(*only)
        } else {
            assert!(
                memberships.is_empty(),
                "{email}: say which agency it acts as"
            );
            Reader::Nobody
        };
        // one calendar feed per user (a new one revokes the old)
        if !feeds.contains_key(*email) {
            let res = b.post("/account/calendar", &[]).await;
            let token = feed_token(&body(res).await);
            // the person's limited account has no calendar
            assert!(
                token.is_some() || *email == PARTICIPANT_EMAIL,
                "{email} gets a calendar feed"
            );
            let token = token.unwrap_or_else(|| "no-feed".into());
            feeds.insert(email.to_string(), token);
        }
        readings.push(Reading {
            label,
            client: b.client.clone(),
            reader,
            user_id,
            memberships,
            feed: feeds[*email].clone(),
        });
    }
    readings
}

// ---- checking a page -------------------------------------------------------------------------

struct Page<'a> {
    url: &'a str,
    route: &'a str,
    status: u16,
    body: &'a str,
}

/// Checks every marker on one page; the failures go to `failures`.
/// Returns (markers checked, of which asserted present).
fn check_page(
    markers: &[Marker],
    reading: &Reading,
    world: &World,
    page: &Page,
    failures: &mut Vec<String>,
) -> (usize, usize) {
    // a calendar feed is the user's: any of their agencies
    let readers: Vec<Reader> = if page.route == "/calendar/{token}" {
        reading
            .memberships
            .iter()
            .map(|a| Reader::Agency(*a))
            .collect()
    } else {
        vec![reading.reader]
    };
    let expect_of = |m: &Marker| {
        let all: Vec<Expect> = readers.iter().map(|r| expect(&m.rule, *r, world)).collect();
        if all.contains(&Expect::Shown) {
            Expect::Shown
        } else if all.contains(&Expect::Either) {
            Expect::Either
        } else {
            Expect::Hidden
        }
    };
    let (mut checked, mut present) = (0, 0);
    for m in markers {
        checked += 1;
        let found = page.body.contains(&m.text);
        let want = expect_of(m);
        let home = match reading.reader {
            Reader::Participant(_) => &m.home_participant,
            _ => &m.home,
        };
        let must_show = want == Expect::Shown
            && home.iter().any(|h| h == page.url)
            && m.needs
                .is_none_or(|n| expect_of(&markers[n]) == Expect::Shown);
        present += must_show as usize;
        let verdict = match (want, found) {
            (Expect::Hidden, true) => "LEAK",
            (Expect::Shown, false) if must_show => "MISSING",
            _ => continue,
        };
        failures.push(format!(
            "{verdict}\t{}\t{}\t{}\t{}\tGET {} (status {}): expected {}, got {}",
            page.route,
            reading.label,
            world.consent.label(),
            m.kind,
            page.url,
            page.status,
            if want == Expect::Hidden {
                "hidden"
            } else {
                "shown"
            },
            if found { "shown" } else { "absent" },
        ));
    }
    (checked, present)
}

async fn fetch(client: &Client, base: &str, url: &str) -> (u16, String) {
    let res = client.get(format!("{base}{url}")).send().await.unwrap();
    let status = res.status().as_u16();
    let bytes = res.bytes().await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The header's unread count on a page ("" when there is none).
fn unread_label(page: &str) -> String {
    page.split_once("id=\"unread-count\"")
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once("</mark>"))
        .map(|(n, _)| n.trim().to_string())
        .unwrap_or_default()
}

/// The number of unread entries the inbox should count for the user as the agency, from the
/// raw rows and the rule (not the app's predicate): entries of the agency's current cases from
/// the last 60 days, written by someone else, not read, visible.
async fn expected_unread(pool: &PgPool, agency: Uuid, user: Uuid) -> String {
    type Row = (Uuid, Uuid, String, Vec<Uuid>, Uuid, bool);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT e.case_id, e.author_agency_id, e.category, e.shared_with, e.author_user_id,
                EXISTS (SELECT 1 FROM entry_read r WHERE r.user_id = $2 AND r.entry_id = e.id)
         FROM entry e
         WHERE e.case_id IN (SELECT case_id FROM case_agency WHERE agency_id = $1 AND left_on IS NULL)
           AND e.created_at > now() - interval '60 days'",
    )
    .bind(agency)
    .bind(user)
    .fetch_all(pool)
    .await
    .unwrap();
    type ConsentRow = (Uuid, Vec<String>, NaiveDate, Option<NaiveDate>, bool);
    let consents: Vec<ConsentRow> = sqlx::query_as(
        "SELECT case_id, categories, given_on, valid_until, revoked_at IS NOT NULL
         FROM consent WHERE agency_id = $1",
    )
    .bind(agency)
    .fetch_all(pool)
    .await
    .unwrap();
    let today = renkei::domain::dates::today_tokyo();
    let n = rows
        .iter()
        .filter(
            |(case, author_agency, category, shared, author_user, read)| {
                *author_user != user
                    && !read
                    && (*author_agency == agency
                        || shared.contains(&agency)
                            && (category == "case_admin"
                                || consents.iter().any(|(c, cats, given, until, revoked)| {
                                    c == case
                                        && cats.contains(category)
                                        && !revoked
                                        && *given <= today
                                        && until.is_none_or(|u| u >= today)
                                })))
            },
        )
        .count();
    match n {
        0 => String::new(),
        n if n >= 100 => "99+".into(),
        n => n.to_string(),
    }
}

#[sqlx::test]
async fn no_page_shows_what_the_rule_hides(pool: PgPool) {
    let started = std::time::Instant::now();
    let app = TestApp::spawn(pool).await;
    let pool = app.pool.clone();
    let users = Users(
        sqlx::query_as::<_, (String, Uuid)>("SELECT email, id FROM app_user")
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .collect(),
    );
    // こもれび left before the records were written, みなと after
    for (agency, days) in [
        (KOMOREBI, KOMOREBI_LEFT_DAYS_AGO),
        (MINATO, MINATO_LEFT_DAYS_AGO),
    ] {
        sqlx::query(
            "UPDATE case_agency SET left_on = (now() AT TIME ZONE 'Asia/Tokyo')::date - $3::int
             WHERE case_id = $1 AND agency_id = $2",
        )
        .bind(CASE)
        .bind(agency)
        .bind(days as i32)
        .execute(&pool)
        .await
        .unwrap();
    }
    let recorder = users.id("sabikan@hikari.example");
    set_consents(&pool, ConsentState::Live, recorder).await;
    let planted = Arc::new(plant(&app, &users).await);
    let team: HashMap<Uuid, Option<NaiveDate>> =
        sqlx::query_as("SELECT agency_id, left_on FROM case_agency WHERE case_id = $1")
            .bind(CASE)
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let one = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>(sql)
                .bind(HIKARI)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let ids = Arc::new(Ids {
        planted: planted.clone(),
        program: one("SELECT id FROM agency_program WHERE agency_id = $1 LIMIT 1").await,
        event: one("SELECT id FROM agency_event WHERE agency_id = $1 LIMIT 1").await,
        card: one(
            "SELECT s.id FROM agency_staff s JOIN app_user u ON u.id = s.user_id
             WHERE s.agency_id = $1 AND u.email = 'sabikan@hikari.example'",
        )
        .await,
    });
    let routes: Vec<String> = get_routes().into_iter().collect();
    let mut feeds = HashMap::new();
    let readings: Vec<Arc<Reading>> = sign_in(&app, &users, &mut feeds)
        .await
        .into_iter()
        .map(Arc::new)
        .collect();
    let base = format!("http://{}", app.addr);

    let (mut triples, mut fetches, mut marker_checks, mut presence_checks) =
        (0usize, 0usize, 0usize, 0usize);
    let mut failures: Vec<String> = vec![];
    for state in ConsentState::ALL {
        set_consents(&pool, state, recorder).await;
        let world = Arc::new(World {
            team: team.clone(),
            consent: state,
        });
        // the inbox first, before other pages mark entries read: no hidden marker in it, and its
        // count is what the rule counts
        for r in &readings {
            let want = match r.reader {
                Reader::Agency(a) => expected_unread(&pool, a, r.user_id).await,
                _ => String::new(),
            };
            let (status, body) = fetch(&r.client, &base, "/inbox").await;
            if status == 200 && unread_label(&body) != want {
                failures.push(format!(
                    "COUNT\t/inbox\t{}\t{}\tunread count\tGET /inbox: expected \"{want}\", got \"{}\"",
                    r.label,
                    state.label(),
                    unread_label(&body)
                ));
            }
            let (checked, present) = check_page(
                &planted.markers,
                r,
                &world,
                &Page {
                    url: "/inbox",
                    route: "/inbox",
                    status,
                    body: &body,
                },
                &mut failures,
            );
            marker_checks += checked;
            presence_checks += present;
            fetches += 1;
        }
        // every route, the readers side by side
        let mut tasks = tokio::task::JoinSet::new();
        for r in &readings {
            let (r, world, ids, planted, routes, base) = (
                r.clone(),
                world.clone(),
                ids.clone(),
                planted.clone(),
                routes.clone(),
                base.clone(),
            );
            tasks.spawn(async move {
                let (mut triples, mut fetches, mut checks, mut shown, mut failures) =
                    (0, 0, 0, 0, vec![]);
                for route in &routes {
                    triples += 1;
                    for url in urls(route, &ids, &r.feed) {
                        let (status, body) = fetch(&r.client, &base, &url).await;
                        fetches += 1;
                        let page = Page {
                            url: &url,
                            route,
                            status,
                            body: &body,
                        };
                        let (checked, present) =
                            check_page(&planted.markers, &r, &world, &page, &mut failures);
                        checks += checked;
                        shown += present;
                    }
                }
                (triples, fetches, checks, shown, failures)
            });
        }
        while let Some(done) = tasks.join_next().await {
            let (t, f, c, shown, mut fail) = done.unwrap();
            triples += t;
            fetches += f;
            marker_checks += c;
            presence_checks += shown;
            failures.append(&mut fail);
        }
    }
    println!(
        "leak hunt: {triples} (GET route × reader × consent state) triples checked — {} routes × \
         {} readers × {} consent states; {fetches} pages fetched, {marker_checks} marker \
         checks ({presence_checks} of them on a home page where the marker must show), {} \
         markers; {:.1} s",
        routes.len(),
        readings.len(),
        ConsentState::ALL.len(),
        planted.markers.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        triples,
        routes.len() * readings.len() * ConsentState::ALL.len()
    );
    failures.sort();
    failures.dedup();
    for f in &failures {
        println!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} failures (verdict, route, reader, consent, marker, page):\n{}",
        failures.len(),
        summary(&failures)
    );
}

/// The failures grouped: one line per (verdict, route, reader, consent states), naming the
/// markers; the full list is printed above the assertion.
fn summary(failures: &[String]) -> String {
    // (verdict, route, reader, marker) → states
    let mut by_marker: BTreeMap<(&str, &str, &str, &str), BTreeSet<&str>> = BTreeMap::new();
    for f in failures {
        let parts: Vec<&str> = f.split('\t').collect();
        by_marker
            .entry((parts[0], parts[1], parts[2], parts[4]))
            .or_default()
            .insert(parts[3]);
    }
    let mut lines: BTreeMap<(&str, &str, &str, String), Vec<&str>> = BTreeMap::new();
    for ((verdict, route, reader, marker), states) in by_marker {
        let states = if states.len() == ConsentState::ALL.len() {
            "every consent state".to_string()
        } else {
            states.into_iter().collect::<Vec<_>>().join(", ")
        };
        lines
            .entry((verdict, route, reader, states))
            .or_default()
            .push(marker);
    }
    lines
        .into_iter()
        .map(|((verdict, route, reader, states), markers)| {
            format!(
                "{verdict} GET {route} as {reader} [{states}]: {}",
                markers.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
