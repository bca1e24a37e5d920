//! The authorization matrix: every route of the router × every kind of actor → the expected
//! status, and the audit row each request must leave. The table is data; a route registered in
//! src/http/ but missing here fails the test.
//!
//! Each actor runs in a database of its own, cloned from one prepared template, so that the
//! changes a column makes (a valid form is sent wherever a change can succeed) do not reach the
//! others. The clinic's actors (さくら: its coordinator, its agency admin, and the dual member
//! acting as it) run once per state of the clinic's consent on the case: none, live, ending
//! today, ended yesterday, revoked, revoked and given again. Within a column the rows run in
//! the table's order, the changes that take something away (the lead handed over, a team
//! member removed, deletions, the password, logout) last.
//!
//! The audit rule checked after every request, by the rows the request added for that user
//! (`audit_log.id` above the highest id before it):
//! - a refusal (403 or 404) leaves a `denied` row;
//! - a page of case data shown (2xx, rows marked `View`) leaves an `ok` row;
//! - a change made (2xx or 303, rows marked `Change`) leaves an `ok` row.
//!
//! Exempt, and why:
//! - anonymous requests: there is no user to match a row to (they are sent to /login);
//! - `/static/{file}`, `/healthz`, `/readyz`: no data, no user (assets and probes);
//! - `/login` (page and form): it writes its own rows (login ok / failed / denied), tested in
//!   auth.rs; signed-in users only get a redirect or a form error here;
//! - `/login/code` (page and form): the code step writes its own rows (tested in
//!   second_factor.rs); without a pending login it only redirects to /login;
//! - `POST /lang`: sets a cookie, touches no data;
//! - `GET /calendar/{nobody}`: the feed reads no session, the token is the credential, so an
//!   unknown token names no user a row could be written for (a known one is checked:
//!   `/calendar/{feed}`);
//! - rows marked `Other` are not case data (the account page, admin and member lists, the
//!   directory, the new-case form, redirects): their successes are not asserted, their
//!   refusals are;
//! - `A404` cells: 404 for an id that names nothing, answered to a user who may act on such
//!   records (the system admin on a user or directory item, an agency on a task): not a
//!   refusal;
//! - `R303` cells: a redirect that changes nothing (marking the inbox read without an agency);
//! - the person's own account is redirected to /me/daily on every other GET (303: nothing is
//!   shown, not a refusal status).
//!
//! Where the app leaves no row it should, the test collects the gap, prints the gaps by route
//! and fails.

use crate::consent_state::ConsentState;
use crate::helpers::*;
use renkei::demo::{
    AOBA, CASE_SUZUKI, HARUKA, HIKARI, KOMOREBI, MEETING_SUZUKI, MIDORI, MINATO, PARTICIPANT_EMAIL,
    SAKURA,
};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};
use std::collections::{BTreeSet, HashMap};
use std::time::Instant;
use uuid::Uuid;

struct Actor {
    label: &'static str,
    email: Option<&'static str>,
    /// the agency they act as (`{acting}` in a form), switched to after login when `switch`
    agency: Option<Uuid>,
    switch: bool,
    /// one of the clinic's actors: run under every state of the clinic's consent
    clinic: bool,
}

const fn actor(
    label: &'static str,
    email: &'static str,
    agency: Option<Uuid>,
    switch: bool,
    clinic: bool,
) -> Actor {
    Actor {
        label,
        email: Some(email),
        agency,
        switch,
        clinic,
    }
}

/// The actors, in the order of the columns below.
const ACTORS: &[Actor] = &[
    Actor {
        label: "anonymous",
        email: None,
        agency: None,
        switch: false,
        clinic: false,
    },
    actor("system admin", "admin@renkei.example", None, false, false),
    actor(
        "lead coordinator",
        "sabikan@hikari.example",
        Some(HIKARI),
        false,
        false,
    ),
    actor(
        "lead staff",
        "staff@hikari.example",
        Some(HIKARI),
        false,
        false,
    ),
    actor(
        "other team agency",
        "psw@sakura.example",
        Some(SAKURA),
        false,
        true,
    ),
    actor(
        "agency that left",
        "soudan@komorebi.example",
        Some(KOMOREBI),
        false,
        false,
    ),
    actor(
        "off the team",
        "staff@haruka.example",
        Some(HARUKA),
        false,
        false,
    ),
    actor(
        "dual acting as the clinic",
        "dual@sakura.example",
        Some(SAKURA),
        true,
        true,
    ),
    actor(
        "dual acting as ひかり",
        "dual@sakura.example",
        Some(HIKARI),
        true,
        false,
    ),
    actor(
        "the clinic's agency admin",
        "jimu@sakura.example",
        Some(SAKURA),
        false,
        true,
    ),
    actor(
        "the person's own account",
        PARTICIPANT_EMAIL,
        None,
        false,
        false,
    ),
];

/// What a row's success must leave in the audit log (refusals always leave a `denied` row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// a page of case data: 2xx leaves an `ok` row
    View,
    /// a change: 2xx or 303 leaves an `ok` row
    Change,
    /// not case data, or a redirect: successes not asserted
    Other,
    /// no audit assertion at all (see the module's comment)
    Exempt,
}
use Kind::{Change as C, Exempt as E, Other as O, View as V};

/// 404 for an id that names nothing, to a user who may act on such records: no row asserted.
const A404: u16 = 1404;
/// A redirect that changes nothing: no row asserted.
const R303: u16 = 1303;

fn status_of(code: u16) -> u16 {
    code % 1000
}

type Body = &'static [(&'static str, &'static str)];

/// A password the policy accepts for every demo user.
const NEW_PASSWORD: &str = "sorairo-kujira-2026!";

const EMPTY: Body = &[];
const ACTING: Body = &[("agency_id", "{acting}")];
const AGENCY_NEW: Body = &[
    ("name", "マトリクス検証センター"),
    ("kind", "other"),
    ("municipality", "県央市"),
    ("address", "県央市検証1-1"),
    ("phone", "0120-000-999"),
];
const USER_NEW: Body = &[
    ("email", "matrix-new@renkei.example"),
    ("display_name", "検証 一郎"),
    ("password", NEW_PASSWORD),
    ("agency_id", "{HARUKA}"),
    ("role", "staff"),
    ("job_title", ""),
];
const RESET: Body = &[("password", NEW_PASSWORD)];
const DEACTIVATE: Body = &[("active", "false")];
const MEMBER_ADD: Body = &[
    ("email", "staff@haruka.example"),
    ("role", "staff"),
    ("job_title", "兼務"),
];
const MEMBER_ROLE: Body = &[("role", "coordinator")];
const CASE_NEW: Body = &[
    ("family_name", "検証"),
    ("given_name", "花子"),
    ("family_kana", "ケンショウ"),
    ("given_kana", "ハナコ"),
    ("birth_date", "1990-04-01"),
    ("disability", "mental"),
    ("municipality", "みどり市"),
    ("role_text", "相談"),
];
const TEAM_ADD: Body = &[
    ("agency_id", "{HARUKA}"),
    ("role_text", "体験利用の受け入れ"),
];
const TEAM_ROLE: Body = &[("role_text", "就業・生活支援（見直し）")];
const CONSENT_NEW: Body = &[
    ("agency_id", "{HARUKA}"),
    ("category", "training"),
    ("given_by", "person"),
    ("method", "written"),
    ("given_on", "{today}"),
    ("term", "1y"),
    ("evidence", "同意書"),
];
const ENTRY_NEW: Body = &[
    ("kind", "progress"),
    ("category", "training"),
    ("body", "午前の作業を最後まで続けられた"),
    ("share", "{HIKARI}"),
];
const REPLY: Body = &[
    ("answer", "seen_here"),
    ("situation", "こちらでも同じ様子が見られた"),
    ("handling", "手順書を渡した"),
];
const ENTRY_EDIT: Body = &[
    ("body", "作業の手順を忘れる（追記）"),
    ("situation", "午後"),
    ("handling", "メモを渡した"),
];
const READINESS: Body = &[("*readiness", "met"), ("assessed_on", "{today}")];
const PREREFERRAL: Body = &[("note_why_work", "自分で稼いで暮らしたい")];
const REFERRAL_DRAFT: Body = &[
    ("to_agency_id", "{AOBA}"),
    ("hopes", "定着支援の相談"),
    ("attach_assessment", "1"),
];
const MEETING_NEW: Body = &[
    ("purpose", "support_plan"),
    ("date", "{future}"),
    ("time", "14:00"),
    ("duration", "60"),
    ("place", "相談室"),
    ("invite", "{SAKURA}"),
    ("invite", "{HIKARI}"),
    ("consent_reason", "本人の希望で同席"),
    ("confirm_clash", "1"),
];
const PLAN_START: Body = &[
    ("service", "transition"),
    ("service_start_on", ""),
    ("assessed_on", "{today}"),
    ("assessment", "面談：事務の仕事を希望"),
];
const PLAN_DRAFT: Body = &[
    ("plan_date", "{today}"),
    ("manager_id", "{sabikan}"),
    ("wishes", "事務の仕事に就きたい"),
    ("policy", "手順書で作業を安定させる"),
    ("period_from", "{today}"),
    ("period_to", "{future}"),
    ("goal_text_1", "就職する"),
    ("goal_on_1", "{future}"),
    ("goal_text_2", "週4日通う"),
    ("goal_on_2", "{future}"),
    ("row_what_1", "作業訓練"),
];
const PLAN_MEETING: Body = &[("held_on", "{today}"), ("attendees", "本人、サビ管")];
const PLAN_CONSENT: Body = &[
    ("consented_on", "{today}"),
    ("method", "signature"),
    ("consenter", "本人"),
];
const PLAN_DELIVER: Body = &[("delivered_on", "{today}"), ("agency_id", "{KOMOREBI}")];
const PLAN_MONITORING: Body = &[
    ("monitoring_held_on", "{today}"),
    ("findings", "計画どおり"),
];
const RSVP: Body = &[("response", "attend")];
/// Sent as JSON to the API (a name ending in `[]` is an array).
const API_ENTRY: Body = &[
    ("kind", "progress"),
    ("category", "training"),
    ("body", "APIから記録：午前の作業を続けた"),
    ("shared_with[]", "{HIKARI}"),
];
const API_ANSWER: Body = &[("response", "attend")];
const API_REFERRAL: Body = &[
    ("to_agency_id", "{MIDORI}"),
    ("hopes", "APIから：定着支援の相談"),
    ("attach_assessment", "true"),
];
const API_ACKNOWLEDGE: Body = &[("to", "acknowledged"), ("note", "受け取りました")];
const API_CONSENT: Body = &[
    ("agency_id", "{HARUKA}"),
    ("categories[]", "training"),
    ("given_by", "person"),
    ("method", "written"),
    ("given_on", "{today}"),
    ("term", "1y"),
    ("evidence", "同意書（API）"),
];
const TOKEN_NEW: Body = &[
    ("label", "連携ソフト"),
    ("agency_id", "{acting}"),
    ("access", "write"),
    ("days", "30"),
];
const RESCHEDULE: Body = &[
    ("date", "{later}"),
    ("time", "15:00"),
    ("duration", "60"),
    ("place", "相談室"),
    ("confirm_clash", "1"),
];
const CANCEL: Body = &[("reason", "本人の体調不良のため")];
const MATERIAL: Body = &[
    ("material", "## 話し合うこと\n\n- 実習の振り返り"),
    ("category", "own"),
];
const MINUTES: Body = &[
    ("attendees", "本人、ひかり、さくら"),
    ("discussion", "実習の振り返りをした"),
    ("decisions", "次回は来月"),
];
const PRESENTER: Body = &[("plan_presenter", "manager")];
const MINUTES_EDIT: Body = &[
    ("attendees", "本人、ひかり、さくら"),
    ("discussion", "実習の振り返りをした"),
    ("decisions", "次回は来月"),
    ("version", "2"),
];
const DONE: Body = &[("note", "済み")];
const PHASE: Body = &[("phase", "training"), ("training_started_on", "{past}")];
const TASK_EDIT: Body = &[("title", "実習先への連絡"), ("due_on", "{future}")];
const RETENTION: Body = &[("*retention", "3"), ("assessed_on", "{today}")];
const DAILY: Body = &[
    ("day", "{today}"),
    ("sleep_hours", "7"),
    ("sleep_quality", "3"),
    ("medication_taken", "yes"),
    ("appetite", "3"),
    ("fatigue_recovered", "yes"),
    ("mood", "3"),
    ("note", ""),
];
const PERSON_PASSWORD: Body = &[("password", NEW_PASSWORD)];
const PERSON_ACTIVE: Body = &[("active", "true")];
const PERSON_ACCOUNT: Body = &[
    ("email", "suzuki@person.example"),
    ("password", NEW_PASSWORD),
];
const PROFILE: Body = &[
    ("name", "就労移行支援事業所ひかり（検証）"),
    ("municipality", "県央市"),
    ("address", "県央市ひかり町1-1"),
];
const PROGRAM: Body = &[
    ("name", "職場実習"),
    ("description", "週3日"),
    ("schedule", "月水金"),
];
const EVENT: Body = &[
    ("kind", "open_house"),
    ("title", "見学会"),
    ("date", "{future}"),
    ("start", "10:00"),
    ("end", "12:00"),
    ("place", "本部"),
];
/// Sent as multipart/form-data (the card form carries a photo).
const STAFF_CARD: Body = &[("name", "吉田 明美"), ("job_title", "サービス管理責任者")];
const REVOKE: Body = &[("reason", "本人の申し出")];
const LEAD: Body = &[("agency_id", "{SAKURA}")];
const WITHDRAW: Body = &[("to", "withdrawn"), ("note", "本人の希望で取り下げ")];
/// A code no one's second factor accepts (no column has one on).
const CODE: Body = &[("code", "000000")];
const DISABLE_2FA: Body = &[("password", PASSWORD), ("code", "000000")];
const PASSWORD_CHANGE: Body = &[
    ("current", PASSWORD),
    ("new_password", NEW_PASSWORD),
    ("confirm", NEW_PASSWORD),
];

/// (method, path, kind, form, expected status per actor). `{case}` is 鈴木 一郎's case (ひかり
/// leads; こもれび left it yesterday for this test), `{lead}` its lead agency, `{teammate}` みなと
/// on its team, `{consent}` こもれび's consent on it, `{entry}` an observation written today by
/// dual@sakura as the clinic and shared with the team, `{hentry}` one written today by ひかり's
/// coordinator and shared with the team (the clinic reads it only under a live consent),
/// `{referral}` a referral of the case sent by the clinic to みなと, `{meeting}` the demo's
/// meeting on the case convened by ひかり (held), `{planned}` and `{planned2}` meetings to come
/// convened by ひかり with the clinic and みなと invited, `{action}` and `{task}` an open action
/// item and task of ひかり on the case, `{feed}` the calendar feed of the column's user,
/// `{nobody}` an id that names nothing, `{program}`, `{event}` ひかり's first program and event,
/// `{card}` the staff card of ひかり's coordinator (the "lead coordinator" column: their own
/// card), `{plan}` ひかり's delivered support plan on the case (delivered to こもれび under its
/// consent before it left: its steps before delivery answer 422, and こもれび still reads it), `{victim}` a clinic user no column is (ot@sakura), `{member}` another (st@sakura).
/// The statuses are those under the demo's consents (the clinic's live); the rows in
/// `WITHOUT_LIVE_CONSENT` differ for the clinic's actors when its consent is not live.
#[rustfmt::skip]
const TABLE: &[(&str, &str, Kind, Body, [u16; 11])] = &[
    //                                                                     anon admin lead lstaf membr left  off  dualS dualH cadm person
    ("GET",  "/",                                    V, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/login",                               E, EMPTY,       [200, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/login",                               E, EMPTY,       [422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 403]),
    ("POST", "/acting-agency",                       C, ACTING,      [303, 403, 303, 303, 303, 303, 303, 303, 303, 303, 403]),
    ("POST", "/lang",                                E, EMPTY,       [303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("GET",  "/account",                             O, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/login/code",                          E, EMPTY,       [303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/login/code",                          E, CODE,        [303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 403]),
    ("GET",  "/account/second-factor",               O, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/account/notifications",               O, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("POST", "/account/notifications",               C, EMPTY,       [303, 422, 422, 422, 422, 422, 422, 422, 422, 422, 403]),
    ("POST", "/account/second-factor/begin",         C, EMPTY,       [303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 403]),
    ("POST", "/account/second-factor/confirm",       O, CODE,        [303, 422, 422, 422, 422, 422, 422, 422, 422, 422, 403]),
    ("POST", "/account/second-factor/recovery",      O, CODE,        [303, R303, R303, R303, R303, R303, R303, R303, R303, R303, 403]),
    ("POST", "/account/second-factor/disable",       O, DISABLE_2FA, [303, R303, R303, R303, R303, R303, R303, R303, R303, R303, 403]),
    ("POST", "/agency/second-factor",                C, EMPTY,       [303, 403, 403, 403, 403, 403, 403, 403, 403, 303, 403]),
    ("GET",  "/admin",                               O, EMPTY,       [303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("GET",  "/admin/agencies",                      O, EMPTY,       [303, 200, 403, 403, 403, 403, 403, 403, 403, 403, 303]),
    ("POST", "/admin/agencies",                      C, AGENCY_NEW,  [303, 303, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/admin/users",                         O, EMPTY,       [303, 200, 403, 403, 403, 403, 403, 403, 403, 403, 303]),
    ("GET",  "/admin/mail",                          O, EMPTY,       [303, 200, 403, 403, 403, 403, 403, 403, 403, 403, 303]),
    ("POST", "/admin/users",                         C, USER_NEW,    [303, 303, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/admin/users/{nobody}/password",       C, RESET,       [303, A404, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/admin/users/{victim}/password",       C, RESET,       [303, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/admin/users/{nobody}/active",         C, DEACTIVATE,  [303, A404, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/admin/users/{nobody}/second-factor/reset", C, EMPTY,  [303, A404, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/admin/users/{victim}/second-factor/reset", C, EMPTY,  [303, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/agency/members",                      O, EMPTY,       [303, 403, 403, 403, 403, 403, 403, 403, 403, 200, 303]),
    ("POST", "/agency/members",                      C, MEMBER_ADD,  [303, 403, 403, 403, 403, 403, 403, 403, 403, 303, 403]),
    ("POST", "/agency/members/{nobody}/role",        C, MEMBER_ROLE, [303, 403, 403, 403, 403, 403, 403, 403, 403, A404, 403]),
    ("POST", "/agency/members/{member}/role",        C, MEMBER_ROLE, [303, 403, 403, 403, 403, 403, 403, 403, 403, 303, 403]),
    ("POST", "/agency/members/{nobody}/remove",      C, EMPTY,       [303, 403, 403, 403, 403, 403, 403, 403, 403, A404, 403]),
    ("GET",  "/agency/audit",                        O, EMPTY,       [303, 403, 403, 403, 403, 403, 403, 403, 403, 200, 303]),
    ("GET",  "/agency/audit.csv",                    O, EMPTY,       [303, 403, 403, 403, 403, 403, 403, 403, 403, 200, 303]),
    ("GET",  "/agency/ledger",                       O, EMPTY,       [303, 403, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/agency/ledger.csv",                   O, EMPTY,       [303, 403, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/agency/ledger.xlsx",                  O, EMPTY,       [303, 403, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/agency/regional-meetings",            O, EMPTY,       [303, 403, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/static/app.css",                      E, EMPTY,       [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/healthz",                             E, EMPTY,       [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/readyz",                              E, EMPTY,       [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/cases",                               V, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/cases.csv",                           V, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/cases.xlsx",                          V, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/cases/new",                           O, EMPTY,       [303, 403, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("POST", "/cases/new",                           C, CASE_NEW,    [303, 403, 303, 303, 303, 303, 303, 303, 303, 303, 403]),
    ("GET",  "/cases/{case}",                        V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/access-log",             V, EMPTY,       [303, 404, 200, 200, 403, 403, 404, 403, 200, 403, 303]),
    ("GET",  "/cases/{case}/access-log.csv",         V, EMPTY,       [303, 404, 200, 200, 403, 403, 404, 403, 200, 403, 303]),
    ("GET",  "/cases/{case}/ledger",                 V, EMPTY,       [303, 404, 200, 200, 403, 403, 404, 403, 200, 403, 303]),
    ("GET",  "/cases/{case}/ledger.csv",             V, EMPTY,       [303, 404, 200, 200, 403, 403, 404, 403, 200, 403, 303]),
    ("GET",  "/cases/{case}/ledger.xlsx",            V, EMPTY,       [303, 404, 200, 200, 403, 403, 404, 403, 200, 403, 303]),
    ("GET",  "/cases/{case}/team",                   V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("POST", "/cases/{case}/team",                   C, TEAM_ADD,    [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/cases/{case}/team/{teammate}/role",   C, TEAM_ROLE,   [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("GET",  "/cases/{case}/consents",               V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("POST", "/cases/{case}/consents",               C, CONSENT_NEW, [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("GET",  "/cases/{case}/timeline",               V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/timeline.csv",           V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/timeline.xlsx",          V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/entries/new",            V, EMPTY,       [303, 404, 200, 200, 200, 403, 404, 200, 200, 200, 303]),
    ("POST", "/cases/{case}/entries",                C, ENTRY_NEW,   [303, 404, 303, 303, 303, 403, 404, 303, 303, 303, 403]),
    ("GET",  "/cases/{case}/entries/{entry}",        V, EMPTY,       [303, 404, 200, 200, 200, 404, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/entries/{hentry}",       V, EMPTY,       [303, 404, 200, 200, 200, 404, 404, 200, 200, 200, 303]),
    ("POST", "/cases/{case}/entries/{entry}/replies", C, REPLY,      [303, 404, 303, 303, 403, 403, 404, 403, 303, 403, 403]),
    ("POST", "/cases/{case}/entries/{hentry}/replies", C, REPLY,     [303, 404, 403, 403, 303, 403, 404, 303, 403, 303, 403]),
    ("GET",  "/cases/{case}/entries/{entry}/edit",   V, EMPTY,       [303, 404, 403, 403, 403, 403, 404, 200, 403, 403, 303]),
    ("POST", "/cases/{case}/entries/{entry}/edit",   C, ENTRY_EDIT,  [303, 404, 403, 403, 403, 403, 404, 303, 403, 403, 403]),
    ("GET",  "/inbox",                               V, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("POST", "/inbox/read-all",                      C, EMPTY,       [303, R303, 303, 303, 303, 303, 303, 303, 303, 303, 403]),
    ("GET",  "/cases/{case}/checks",                 V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/checks.csv",             V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/checks.xlsx",            V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("POST", "/cases/{case}/checks",                 C, READINESS,   [303, 404, 303, 303, 303, 403, 404, 303, 303, 303, 403]),
    ("POST", "/cases/{case}/prereferral",            C, PREREFERRAL, [303, 404, 303, 303, 303, 403, 404, 303, 303, 303, 403]),
    ("GET",  "/cases/{case}/referrals",              V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("POST", "/cases/{case}/referrals",              C, REFERRAL_DRAFT, [303, 404, 303, 303, 303, 403, 404, 303, 303, 303, 403]),
    ("GET",  "/referrals",                           V, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/referrals/{referral}",                V, EMPTY,       [303, 404, 404, 404, 200, 404, 404, 200, 404, 200, 303]),
    ("GET",  "/referrals/{referral}/print",          V, EMPTY,       [303, 404, 404, 404, 200, 404, 404, 200, 404, 200, 303]),
    ("GET",  "/cases/{case}/plans",                  V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/plans/{plan}",           V, EMPTY,       [303, 404, 200, 200, 404, 200, 404, 404, 200, 404, 303]),
    ("GET",  "/cases/{case}/plans/{plan}/print",     V, EMPTY,       [303, 404, 200, 200, 404, 200, 404, 404, 200, 404, 303]),
    ("POST", "/cases/{case}/plans/{plan}/versions",  C, PLAN_DRAFT,  [303, 404, 422, 422, 404, 403, 404, 404, 422, 404, 403]),
    ("POST", "/cases/{case}/plans/{plan}/meeting",   C, PLAN_MEETING, [303, 404, 422, 422, 404, 403, 404, 404, 422, 404, 403]),
    ("POST", "/cases/{case}/plans/{plan}/consent",   C, PLAN_CONSENT, [303, 404, 422, 422, 404, 403, 404, 404, 422, 404, 403]),
    ("POST", "/cases/{case}/plans/{plan}/delivery",  C, PLAN_DELIVER, [303, 404, 422, 422, 404, 403, 404, 404, 422, 404, 403]),
    ("POST", "/cases/{case}/plans/{plan}/monitoring", C, PLAN_MONITORING, [303, 404, 303, 303, 404, 403, 404, 404, 303, 404, 403]),
    ("POST", "/cases/{case}/plans",                  C, PLAN_START,  [303, 404, 303, 303, 303, 403, 404, 303, 303, 303, 403]),
    ("GET",  "/cases/{case}/reports",                V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/reports/new",            V, EMPTY,       [303, 404, 403, 403, 403, 403, 404, 403, 403, 403, 303]),
    ("POST", "/cases/{case}/reports",                C, EMPTY,       [303, 404, 403, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/cases/{case}/reports/handover",       C, EMPTY,       [303, 404, 403, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("GET",  "/cases/{case}/reports/{report}",       V, EMPTY,       [303, 404, 200, 200, 200, 404, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/reports/{report}/print", V, EMPTY,       [303, 404, 200, 200, 200, 404, 404, 200, 200, 200, 303]),
    ("POST", "/cases/{case}/reports/{report}/versions", C, EMPTY,    [303, 404, 422, 422, 403, 403, 404, 403, 422, 403, 403]),
    ("POST", "/cases/{case}/reports/{report}/issue", C, EMPTY,       [303, 404, 422, 422, 403, 403, 404, 403, 422, 403, 403]),
    ("POST", "/cases/{case}/reports/{report}/acknowledge", C, EMPTY, [303, 404, 422, 422, 422, 403, 404, 422, 422, 422, 403]),
    ("GET",  "/cases/{case}/meetings",               V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/meetings.csv",           V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("GET",  "/cases/{case}/meetings.xlsx",          V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("POST", "/cases/{case}/meetings",               C, MEETING_NEW, [303, 404, 303, 403, 303, 403, 404, 403, 403, 403, 403]),
    ("GET",  "/account/tokens",                      O, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("POST", "/account/tokens",                      C, TOKEN_NEW,   [303, 422, 200, 200, 200, 200, 200, 200, 200, 200, 403]),
    ("POST", "/account/tokens/{nobody}/revoke",      C, EMPTY,       [303, A404, A404, A404, A404, A404, A404, A404, A404, A404, 403]),
    ("GET",  "/api/v1/openapi.json",                 E, EMPTY,       [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/me",                           V, EMPTY,       [401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("GET",  "/api/v1/cases",                        V, EMPTY,       [401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("GET",  "/api/v1/cases/{case}",                 V, EMPTY,       [401, 401, 200, 200, 200, 200, 404, 200, 200, 200, 401]),
    ("GET",  "/api/v1/cases/{case}/team",            V, EMPTY,       [401, 401, 200, 200, 200, 200, 404, 200, 200, 200, 401]),
    ("GET",  "/api/v1/cases/{case}/consents",        V, EMPTY,       [401, 401, 200, 200, 200, 200, 404, 200, 200, 200, 401]),
    ("GET",  "/api/v1/cases/{case}/entries",         V, EMPTY,       [401, 401, 200, 200, 200, 200, 404, 200, 200, 200, 401]),
    ("POST", "/api/v1/cases/{case}/entries",         C, API_ENTRY,   [401, 401, 201, 201, 201, 403, 404, 201, 201, 201, 401]),
    ("GET",  "/api/v1/cases/{case}/referrals",       V, EMPTY,       [401, 401, 200, 200, 200, 200, 404, 200, 200, 200, 401]),
    ("GET",  "/api/v1/cases/{case}/meetings",        V, EMPTY,       [401, 401, 200, 200, 200, 200, 404, 200, 200, 200, 401]),
    ("GET",  "/api/v1/cases/{case}/action-items",    V, EMPTY,       [401, 401, 200, 200, 200, 200, 404, 200, 200, 200, 401]),
    ("GET",  "/api/v1/cases/{case}/tasks",           V, EMPTY,       [401, 401, 200, 200, 200, 200, 404, 200, 200, 200, 401]),
    ("GET",  "/api/v1/cases/{case}/checks",          V, EMPTY,       [401, 401, 200, 200, 200, 200, 404, 200, 200, 200, 401]),
    ("GET",  "/api/v1/meetings/{meeting}",           V, EMPTY,       [401, 401, 200, 200, 200, 200, 404, 200, 200, 200, 401]),
    ("GET",  "/api/v1/meetings/{planned}",           V, EMPTY,       [401, 401, 200, 200, 200, 404, 404, 200, 200, 200, 401]),
    ("POST", "/api/v1/meetings/{planned}/answer",    C, API_ANSWER,  [401, 401, 403, 403, 204, 404, 404, 204, 403, 204, 401]),
    ("GET",  "/api/v1/meetings/{meeting}/material",  V, EMPTY,       [401, 401, 200, 200, 200, 200, 404, 200, 200, 200, 401]),
    ("POST", "/api/v1/cases/{case}/referrals",       C, API_REFERRAL, [401, 401, 201, 201, 201, 403, 404, 201, 201, 201, 401]),
    ("POST", "/api/v1/cases/{case}/consents",        C, API_CONSENT, [401, 401, 201, 403, 403, 403, 404, 403, 403, 403, 401]),
    ("POST", "/api/v1/tasks/{nobody}/done",          C, DONE,        [401, 401, 404, 404, 404, 404, 404, 404, 404, 404, 401]),
    ("POST", "/api/v1/tasks/{task2}/done",           C, DONE,        [401, 401, 204, 204, 404, 404, 404, 404, 204, 404, 401]),
    ("POST", "/api/v1/action-items/{nobody}/done",   C, DONE,        [401, 401, 404, 404, 404, 404, 404, 404, 404, 404, 401]),
    ("POST", "/api/v1/action-items/{action2}/done",  C, DONE,        [401, 401, 204, 204, 404, 404, 404, 404, 204, 404, 401]),
    ("GET",  "/meetings/{meeting}",                  V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("GET",  "/meetings/{planned}",                  V, EMPTY,       [303, 404, 200, 200, 200, 404, 404, 200, 200, 200, 303]),
    ("POST", "/meetings/{meeting}/rsvp",             C, RSVP,        [303, 404, 403, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/meetings/{planned}/rsvp",             C, RSVP,        [303, 404, 403, 403, 303, 404, 404, 303, 403, 303, 403]),
    ("POST", "/meetings/{meeting}/reschedule",       C, RESCHEDULE,  [303, 404, 422, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/meetings/{planned}/reschedule",       C, RESCHEDULE,  [303, 404, 303, 403, 403, 404, 404, 403, 403, 403, 403]),
    ("GET",  "/meetings/{meeting}/material",         V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("POST", "/meetings/{meeting}/material",         C, MATERIAL,    [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("GET",  "/meetings/{meeting}/material/print",   V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("POST", "/meetings/{meeting}/minutes",          C, MINUTES,     [303, 404, 422, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/meetings/{planned}/minutes",          C, MINUTES,     [303, 404, 422, 403, 403, 404, 404, 403, 403, 403, 403]),
    ("POST", "/meetings/{meeting}/minutes/edit",     C, MINUTES_EDIT, [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/meetings/{meeting}/presenter",        C, PRESENTER,   [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("GET",  "/meetings/{meeting}/minutes/history",  V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("POST", "/action-items/{nobody}/done",          C, DONE,        [303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403]),
    ("POST", "/action-items/{action}/done",          C, DONE,        [303, 404, 303, 303, 404, 404, 404, 404, 303, 404, 403]),
    ("GET",  "/tasks",                               V, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/tasks.csv",                           V, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/tasks.xlsx",                          V, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/calendar/{nobody}",                   E, EMPTY,       [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 303]),
    ("GET",  "/calendar/{feed}",                     V, EMPTY,       [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("POST", "/account/calendar",                    C, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403]),
    ("POST", "/account/calendar/revoke",             C, EMPTY,       [303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 403]),
    ("GET",  "/cases/{case}/legal",                  V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("POST", "/cases/{case}/phase",                  C, PHASE,       [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/tasks/{nobody}",                      C, TASK_EDIT,   [303, 404, A404, A404, A404, A404, A404, A404, A404, A404, 403]),
    ("POST", "/tasks/{task}",                        C, TASK_EDIT,   [303, 404, 303, 303, 404, 404, 404, 404, 303, 404, 403]),
    ("POST", "/tasks/{nobody}/done",                 C, DONE,        [303, 404, A404, A404, A404, A404, A404, A404, A404, A404, 403]),
    ("POST", "/tasks/{task}/done",                   C, DONE,        [303, 404, 303, 303, 404, 404, 404, 404, 303, 404, 403]),
    ("GET",  "/cases/{case}/checks/retention",       V, EMPTY,       [303, 404, 200, 200, 200, 200, 404, 200, 200, 200, 303]),
    ("POST", "/cases/{case}/checks/retention",       C, RETENTION,   [303, 404, 303, 303, 303, 403, 404, 303, 303, 303, 403]),
    ("GET",  "/me/daily",                            V, EMPTY,       [303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200]),
    ("POST", "/me/daily",                            C, DAILY,       [303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 303]),
    ("GET",  "/cases/{case}/daily",                  V, EMPTY,       [303, 404, 200, 200, 200, 404, 404, 200, 200, 200, 303]),
    ("POST", "/cases/{case}/daily",                  C, DAILY,       [303, 404, 303, 303, 303, 403, 404, 303, 303, 303, 403]),
    ("POST", "/cases/{case}/participant-account",    C, PERSON_ACCOUNT, [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/cases/{case}/participant-account/password", C, PERSON_PASSWORD, [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/cases/{case}/participant-account/active",   C, PERSON_ACTIVE,   [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("GET",  "/agencies",                            O, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/agencies/{lead}",                     O, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    ("GET",  "/agencies/{lead}/connect",             O, EMPTY,       [303, 403, 422, 422, 422, 422, 422, 422, 422, 422, 303]),
    ("GET",  "/agencies/{lead}/edit",                O, EMPTY,       [303, 200, 403, 403, 403, 403, 403, 403, 403, 403, 303]),
    ("POST", "/agencies/{lead}/edit",                C, PROFILE,     [303, 303, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/agencies/{lead}/programs/{program}",  O, EMPTY,       [303, 200, 403, 403, 403, 403, 403, 403, 403, 403, 303]),
    ("POST", "/agencies/{lead}/programs/{program}",  C, PROGRAM,     [303, 303, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/agencies/{lead}/events/{event}",      O, EMPTY,       [303, 200, 403, 403, 403, 403, 403, 403, 403, 403, 303]),
    ("POST", "/agencies/{lead}/events/{event}",      C, EVENT,       [303, 303, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/agencies/{lead}/staff/{card}",        O, EMPTY,       [303, 200, 200, 403, 403, 403, 403, 403, 403, 403, 303]),
    ("POST", "/agencies/{lead}/staff/{card}",        C, STAFF_CARD,  [303, 303, 303, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/agencies/{lead}/staff/{card}/photo",  O, EMPTY,       [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303]),
    // what takes something away comes last
    ("POST", "/referrals/{referral}/transition",     C, WITHDRAW,    [303, 404, 404, 404, 303, 404, 404, 303, 404, 303, 403]),
    ("POST", "/meetings/{meeting}/cancel",           C, CANCEL,      [303, 404, 422, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/meetings/{planned2}/cancel",          C, CANCEL,      [303, 404, 303, 403, 403, 404, 404, 403, 403, 403, 403]),
    ("POST", "/cases/{case}/consents/{consent}/revoke", C, REVOKE,   [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/api/v1/cases/{case}/consents/{consent2}/revoke", C, REVOKE, [401, 401, 204, 403, 403, 403, 404, 403, 403, 403, 401]),
    ("POST", "/cases/{case}/team/{lead}/remove",     C, EMPTY,       [303, 404, 422, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/cases/{case}/team/{teammate}/remove", C, EMPTY,       [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/cases/{case}/lead",                   C, LEAD,        [303, 404, 303, 403, 403, 403, 404, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/programs/{nobody}/delete", C, EMPTY,  [303, A404, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/programs/{program}/delete", C, EMPTY, [303, 303, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/events/{nobody}/delete", C, EMPTY,    [303, A404, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/events/{event}/delete", C, EMPTY,     [303, 303, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/staff/{nobody}/delete", C, EMPTY,     [303, A404, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/staff/{card}/delete", C, EMPTY,       [303, 303, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/admin/users/{victim}/active",         C, DEACTIVATE,  [303, 303, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agency/members/{member}/remove",      C, EMPTY,       [303, 403, 403, 403, 403, 403, 403, 403, 403, 303, 403]),
    // the receiving はるか acknowledges and joins the team: after every row on the case
    ("POST", "/api/v1/referrals/{referral2}/transition", C, API_ACKNOWLEDGE, [401, 401, 404, 404, 422, 404, 204, 422, 404, 422, 401]),
    ("POST", "/account/password",                    C, PASSWORD_CHANGE, [303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/logout",                              C, EMPTY,       [303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303]),
];

/// The rows whose status differs for the clinic's actors when the clinic's consent on the case
/// is not live (SPEC §3): ひかり's entry is not shared with them, and the daily reports (health
/// information, the lead's or a live `health` consent's) do not exist for them.
const WITHOUT_LIVE_CONSENT: &[(&str, &str, u16)] = &[
    ("GET", "/cases/{case}/entries/{hentry}", 404),
    ("POST", "/cases/{case}/entries/{hentry}/replies", 404),
    ("GET", "/cases/{case}/daily", 404),
    ("POST", "/cases/{case}/daily", 404),
    // the report the fixture issued to the clinic (as the employer) is read under its consent
    ("GET", "/cases/{case}/reports/{report}", 404),
    ("GET", "/cases/{case}/reports/{report}/print", 404),
    ("POST", "/cases/{case}/reports/{report}/versions", 404),
    ("POST", "/cases/{case}/reports/{report}/issue", 404),
    ("POST", "/cases/{case}/reports/{report}/acknowledge", 404),
];

/// Replaces the clinic's consents on the case with the round's state (every category).
async fn set_clinic_consent(pool: &PgPool, state: ConsentState, recorder: Uuid) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("DELETE FROM consent WHERE case_id = $1 AND agency_id = $2")
        .bind(CASE_SUZUKI)
        .bind(SAKURA)
        .execute(&mut *tx)
        .await
        .unwrap();
    // (given days ago, valid until days from today, revoked)
    let rows = state.rows();
    let categories: Vec<String> = [
        "health",
        "assessment",
        "training",
        "work",
        "life",
        "contact",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    for (given, until, revoked) in rows {
        sqlx::query(
            "INSERT INTO consent (id, case_id, agency_id, categories, given_by, method, given_on,
                                  valid_until, recorded_by, recorded_as, revoked_at, revoked_by)
             VALUES ($1, $2, $3, $4, 'person', 'written',
                     (now() AT TIME ZONE 'Asia/Tokyo')::date - $5::int,
                     (now() AT TIME ZONE 'Asia/Tokyo')::date + $6::int, $7, $8,
                     CASE WHEN $9 THEN now() END, CASE WHEN $9 THEN $7 END)",
        )
        .bind(Uuid::now_v7())
        .bind(CASE_SUZUKI)
        .bind(SAKURA)
        .bind(&categories)
        .bind(given)
        .bind(until)
        .bind(recorder)
        .bind(HIKARI)
        .bind(revoked)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The paths registered in src/http/ (its subdirectories too), read from the source.
fn registered_paths() -> BTreeSet<String> {
    registered_routes().into_iter().map(|(p, ..)| p).collect()
}

/// The table's path with its placeholders in the router's spelling.
fn route_shape(path: &str) -> String {
    path.replace("/agencies/{lead}", "/agencies/{id}")
        .replace("{program}", "{item}")
        .replace("{event}", "{item}")
        .replace("{card}", "{item}")
        .replace("/programs/{nobody}", "/programs/{item}")
        .replace("/events/{nobody}", "/events/{item}")
        .replace("/staff/{nobody}", "/staff/{item}")
        .replace("{case}", "{id}")
        .replace("{lead}", "{agency_id}")
        .replace("{teammate}", "{agency_id}")
        .replace("{consent2}", "{consent_id}")
        .replace("{consent}", "{consent_id}")
        .replace("{referral2}", "{id}")
        .replace("{hentry}", "{entry_id}")
        .replace("{entry}", "{entry_id}")
        .replace("{referral}", "{id}")
        .replace("{planned2}", "{id}")
        .replace("{planned}", "{id}")
        .replace("{meeting}", "{id}")
        .replace("/action-items/{nobody}", "/action-items/{id}")
        .replace("/action-items/{action2}", "/action-items/{id}")
        .replace("/action-items/{action}", "/action-items/{id}")
        .replace("/tasks/{nobody}", "/tasks/{id}")
        .replace("/tasks/{task2}", "/tasks/{id}")
        .replace("/tasks/{task}", "/tasks/{id}")
        .replace("/calendar/{nobody}", "/calendar/{token}")
        .replace("/calendar/{feed}", "/calendar/{token}")
        .replace("/static/app.css", "/static/{file}")
        .replace("/admin/users/{nobody}", "/admin/users/{id}")
        .replace("/account/tokens/{nobody}", "/account/tokens/{id}")
        .replace("/admin/users/{victim}", "/admin/users/{id}")
        .replace("/agency/members/{nobody}", "/agency/members/{user_id}")
        .replace("/agency/members/{member}", "/agency/members/{user_id}")
}

#[test]
fn every_route_is_in_the_matrix() {
    let in_table: BTreeSet<String> = TABLE.iter().map(|r| route_shape(r.1)).collect();
    let missing: Vec<_> = registered_paths().difference(&in_table).cloned().collect();
    assert!(
        missing.is_empty(),
        "routes missing from the matrix: {missing:?}"
    );
    let stale: Vec<_> = in_table.difference(&registered_paths()).cloned().collect();
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );
    for (method, path, ..) in WITHOUT_LIVE_CONSENT {
        assert!(
            TABLE.iter().any(|r| r.0 == *method && r.1 == *path),
            "{method} {path} is not in the table"
        );
    }
}

/// What the prepared template holds, by placeholder.
struct Fixture {
    /// placeholder → value, for paths and forms
    values: HashMap<&'static str, String>,
    users: HashMap<&'static str, Uuid>,
    readiness: Vec<String>,
    retention: Vec<String>,
}

async fn one_id(pool: &PgPool, sql: &str, binds: &[Uuid]) -> Uuid {
    let mut q = sqlx::query_scalar(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_optional(pool)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("nothing for {sql}"))
}

/// An observation on the case written today by `user` as `agency`, shared with `team`.
async fn observation(pool: &PgPool, user: Uuid, agency: Uuid, body: &str, team: &[Uuid]) -> Uuid {
    let scope = scope_as(pool, user, agency, CASE_SUZUKI).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    renkei::db::entries::insert(
        &mut conn,
        &scope,
        &renkei::db::entries::NewEntry::plain("observation", "training", body, team),
    )
    .await
    .unwrap()
}

/// Loads the demo and the records the table names into the test's database.
async fn prepare(pool: &PgPool) -> Fixture {
    renkei::demo::load(pool).await.expect("demo loads");
    // こもれび leaves 鈴木 一郎's team, so that its coordinator is "an agency that left"
    sqlx::query(
        "UPDATE case_agency SET left_on = (now() AT TIME ZONE 'Asia/Tokyo')::date - 1
         WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_SUZUKI)
    .bind(KOMOREBI)
    .execute(pool)
    .await
    .unwrap();
    let mut users = HashMap::new();
    for email in ACTORS
        .iter()
        .filter_map(|a| a.email)
        .chain(["ot@sakura.example", "st@sakura.example"])
    {
        users.insert(
            email,
            one_id(
                pool,
                &format!("SELECT id FROM app_user WHERE email = '{email}'"),
                &[],
            )
            .await,
        );
    }
    let (dual, sabikan) = (
        users["dual@sakura.example"],
        users["sabikan@hikari.example"],
    );
    let team: Vec<Uuid> = sqlx::query_scalar(
        "SELECT agency_id FROM case_agency WHERE case_id = $1 AND left_on IS NULL",
    )
    .bind(CASE_SUZUKI)
    .fetch_all(pool)
    .await
    .unwrap();
    let entry = observation(pool, dual, SAKURA, "作業の手順を忘れる", &team).await;
    let hentry = observation(pool, sabikan, HIKARI, "午後に集中が途切れる", &team).await;
    // a referral on the case from the clinic to みなと, sent: the sender's and the receiver's
    let referral = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO referral (id, case_id, from_agency_id, to_agency_id, state, created_by, sent_at)
         VALUES ($1, $2, $3, $4, 'sent', $5, now())",
    )
    .bind(referral)
    .bind(CASE_SUZUKI)
    .bind(SAKURA)
    .bind(MINATO)
    .bind(dual)
    .execute(pool)
    .await
    .unwrap();
    // and one from the clinic to はるか (the "off the team" column), sent: the receiver's step
    let referral2 = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO referral (id, case_id, from_agency_id, to_agency_id, state, created_by, sent_at)
         VALUES ($1, $2, $3, $4, 'sent', $5, now())",
    )
    .bind(referral2)
    .bind(CASE_SUZUKI)
    .bind(SAKURA)
    .bind(HARUKA)
    .bind(dual)
    .execute(pool)
    .await
    .unwrap();
    // two meetings to come, convened by ひかり, the clinic and みなと invited
    let mut planned = vec![];
    for days in [30, 31] {
        let invitees = [(SAKURA, None, String::new()), (MINATO, None, String::new())];
        let convener = scope_as(pool, sabikan, HIKARI, CASE_SUZUKI).await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        planned.push(
            renkei::db::meetings::create(
                &mut conn,
                &convener,
                &renkei::db::meetings::NewMeeting {
                    purpose: "support_plan",
                    purpose_note: "",
                    starts_at: chrono::Utc::now() + chrono::Duration::days(days),
                    duration_minutes: 60,
                    place: "ひかり 相談室",
                    online_url: "",
                    phone: "",
                    person_attends: true,
                    family_attends: false,
                    invitees: &invitees,
                },
            )
            .await
            .unwrap(),
        );
    }
    let action = one_id(
        pool,
        "SELECT id FROM action_item WHERE case_id = $1 AND owner_agency_id = $2
           AND status = 'open' ORDER BY id LIMIT 1",
        &[CASE_SUZUKI, HIKARI],
    )
    .await;
    let task = one_id(
        pool,
        "SELECT id FROM task WHERE case_id = $1 AND owner_agency_id = $2 AND status = 'open'
         ORDER BY id LIMIT 1",
        &[CASE_SUZUKI, HIKARI],
    )
    .await;
    let consent = one_id(
        pool,
        "SELECT id FROM consent WHERE case_id = $1 AND agency_id = $2 LIMIT 1",
        &[CASE_SUZUKI, KOMOREBI],
    )
    .await;
    // what the API's rows close: another open action item and task of ひかり, and みなと's
    // live consent
    let action2 = {
        let scope = scope_as(pool, sabikan, HIKARI, CASE_SUZUKI).await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        renkei::db::meetings::add_action_item(
            &mut conn,
            &scope,
            &renkei::db::meetings::NewActionItem {
                meeting_id: None,
                owner_agency_id: HIKARI,
                owner_user_id: None,
                what: "職場に連絡する",
                how: "",
                due_on: renkei::domain::dates::today_tokyo() + chrono::Duration::days(7),
            },
        )
        .await
        .unwrap()
    };
    let task2 = one_id(
        pool,
        "SELECT id FROM task WHERE case_id = $1 AND owner_agency_id = $2 AND status = 'open'
         ORDER BY id OFFSET 1 LIMIT 1",
        &[CASE_SUZUKI, HIKARI],
    )
    .await;
    let consent2 = one_id(
        pool,
        "SELECT id FROM consent WHERE case_id = $1 AND agency_id = $2 AND revoked_at IS NULL
         LIMIT 1",
        &[CASE_SUZUKI, MINATO],
    )
    .await;
    let program = one_id(
        pool,
        "SELECT id FROM agency_program WHERE agency_id = $1 ORDER BY id LIMIT 1",
        &[HIKARI],
    )
    .await;
    let event = one_id(
        pool,
        "SELECT id FROM agency_event WHERE agency_id = $1 ORDER BY id LIMIT 1",
        &[HIKARI],
    )
    .await;
    let card = one_id(
        pool,
        "SELECT id FROM agency_staff WHERE user_id = $1",
        &[sabikan],
    )
    .await;
    let plan = one_id(
        pool,
        "SELECT id FROM support_plan WHERE case_id = $1 AND agency_id = $2 ORDER BY seq DESC LIMIT 1",
        &[CASE_SUZUKI, HIKARI],
    )
    .await;
    // a monthly report of ひかり on the case, issued to the clinic (standing in for an employer)
    // and acknowledged: every step on it is out of turn, and the clinic reads it under consent
    let report = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO support_report (id, case_id, agency_id, employer_agency_id, month, created_by)
         VALUES ($1, $2, $3, $4, date_trunc('month', now() - interval '1 month')::date, $5)",
    )
    .bind(report)
    .bind(CASE_SUZUKI)
    .bind(HIKARI)
    .bind(SAKURA)
    .bind(sabikan)
    .execute(pool)
    .await
    .unwrap();
    let version = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO support_report_version (id, report_id, version_no, activity, situation,
                                             support, requests, next_steps, saved_by)
         VALUES ($1, $2, 1, '', '状況', '支援', '依頼', '方針', $3)",
    )
    .bind(version)
    .bind(report)
    .bind(sabikan)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE support_report SET issued_version_id = $2, issued_on = current_date,
                issued_by = $3, issued_at = now(), acknowledged_by = $4, acknowledged_at = now()
          WHERE id = $1",
    )
    .bind(report)
    .bind(version)
    .bind(sabikan)
    .bind(users["psw@sakura.example"])
    .execute(pool)
    .await
    .unwrap();
    let codes = |instrument: &'static str| async move {
        sqlx::query_scalar::<_, String>(
            "SELECT code FROM instrument_item WHERE instrument_id = $1 ORDER BY position",
        )
        .bind(instrument)
        .fetch_all(pool)
        .await
        .unwrap()
    };
    let today = renkei::domain::dates::today_tokyo();
    let day = |n: i64| (today + chrono::Duration::days(n)).to_string();
    let values = HashMap::from([
        ("{case}", CASE_SUZUKI.to_string()),
        ("{lead}", HIKARI.to_string()),
        ("{teammate}", MINATO.to_string()),
        ("{consent}", consent.to_string()),
        ("{consent2}", consent2.to_string()),
        ("{referral2}", referral2.to_string()),
        ("{action2}", action2.to_string()),
        ("{task2}", task2.to_string()),
        ("{entry}", entry.to_string()),
        ("{hentry}", hentry.to_string()),
        ("{referral}", referral.to_string()),
        ("{meeting}", MEETING_SUZUKI.to_string()),
        ("{planned}", planned[0].to_string()),
        ("{planned2}", planned[1].to_string()),
        ("{action}", action.to_string()),
        ("{task}", task.to_string()),
        ("{nobody}", Uuid::now_v7().to_string()),
        ("{program}", program.to_string()),
        ("{event}", event.to_string()),
        ("{card}", card.to_string()),
        ("{plan}", plan.to_string()),
        ("{report}", report.to_string()),
        ("{sabikan}", sabikan.to_string()),
        ("{KOMOREBI}", KOMOREBI.to_string()),
        ("{victim}", users["ot@sakura.example"].to_string()),
        ("{member}", users["st@sakura.example"].to_string()),
        ("{SAKURA}", SAKURA.to_string()),
        ("{HIKARI}", HIKARI.to_string()),
        ("{HARUKA}", HARUKA.to_string()),
        ("{AOBA}", AOBA.to_string()),
        ("{MIDORI}", MIDORI.to_string()),
        ("{today}", day(0)),
        ("{future}", day(40)),
        ("{later}", day(41)),
        ("{past}", day(-400)),
    ]);
    Fixture {
        values,
        users,
        readiness: codes("readiness").await,
        retention: codes("retention").await,
    }
}

fn fill(text: &str, values: &HashMap<&'static str, String>) -> String {
    let mut out = text.to_string();
    for (k, v) in values {
        out = out.replace(k, v);
    }
    out
}

/// A form's pairs as the API's JSON body: a name ending in `[]` is an array.
fn api_body(form: &[(String, String)]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (k, v) in form {
        match k.strip_suffix("[]") {
            Some(k) => {
                let arr = map
                    .entry(k.to_string())
                    .or_insert_with(|| serde_json::Value::Array(vec![]));
                if let serde_json::Value::Array(a) = arr {
                    a.push(serde_json::Value::String(v.clone()));
                }
            }
            // a flag
            None if v == "true" || v == "false" => {
                map.insert(k.clone(), serde_json::Value::Bool(v == "true"));
            }
            None => {
                map.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
        }
    }
    serde_json::Value::Object(map)
}

/// A request that did not leave the audit row it should.
struct Gap {
    row: usize,
    status: u16,
    missing: &'static str,
    column: usize,
    state: Option<ConsentState>,
}

/// What the rounds found.
#[derive(Default)]
struct Tally {
    requests: usize,
    audit_checked: usize,
    mismatches: Vec<String>,
    gaps: Vec<Gap>,
}

/// The gaps, one line per route and answer, with the actors (and consent states) it was seen
/// for.
fn gap_report(gaps: &[Gap]) -> Vec<String> {
    let mut keys: Vec<(usize, u16, &str)> =
        gaps.iter().map(|g| (g.row, g.status, g.missing)).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|(row, status, missing)| {
            let of_key: Vec<&Gap> = gaps
                .iter()
                .filter(|g| (g.row, g.status, g.missing) == (row, status, missing))
                .collect();
            let mut columns: Vec<usize> = of_key.iter().map(|g| g.column).collect();
            columns.dedup();
            let who: Vec<String> = columns
                .into_iter()
                .map(|c| {
                    let states: Vec<ConsentState> = of_key
                        .iter()
                        .filter(|g| g.column == c)
                        .filter_map(|g| g.state)
                        .collect();
                    match states.len() {
                        0 => ACTORS[c].label.to_string(),
                        n if n == ConsentState::ALL.len() => {
                            format!("{} (every consent state)", ACTORS[c].label)
                        }
                        _ => format!(
                            "{} ({})",
                            ACTORS[c].label,
                            states
                                .iter()
                                .map(|s| s.label())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    }
                })
                .collect();
            let (method, path, ..) = TABLE[row];
            format!(
                "{method} {path} → {status}, no '{missing}' audit row: {}",
                who.join("; ")
            )
        })
        .collect()
}

/// Where the rounds' databases come from: the prepared template, cloned through a connection
/// to the server's maintenance database.
struct Clones {
    master: PgConnection,
    template: String,
    options: PgConnectOptions,
}

/// One column (under one consent state) in a database of its own cloned from the template.
async fn round(
    clones: &mut Clones,
    n: usize,
    (column, who): (usize, &Actor),
    state: Option<ConsentState>,
    fx: &Fixture,
    tally: &mut Tally,
) {
    // (the test database's own name is at PostgreSQL's length limit already)
    let name = format!("matrix_{n}_{}", Uuid::now_v7().simple());
    sqlx::query(&format!(
        r#"CREATE DATABASE "{name}" TEMPLATE "{}""#,
        clones.template
    ))
    .execute(&mut clones.master)
    .await
    .unwrap();
    let pool = renkei::pool_options(10)
        .connect_with(renkei::session_settings(
            clones.options.clone().database(&name),
        ))
        .await
        .unwrap();
    if let Some(state) = state {
        set_clinic_consent(&pool, state, fx.users["sabikan@hikari.example"]).await;
    }
    let user = who.email.map(|e| fx.users[e]);
    // the column's calendar feed (the lead coordinator's for the anonymous column)
    let token = renkei::db::auth::new_token();
    let owner = user.unwrap_or(fx.users["sabikan@hikari.example"]);
    renkei::db::meetings::set_feed(
        &mut pool.acquire().await.unwrap(),
        owner,
        &renkei::db::auth::hash_token(&token),
    )
    .await
    .unwrap();
    let mut values = fx.values.clone();
    values.insert("{feed}", token);
    // the column's API token: read-write, for the agency it acts as (none without one)
    let api_token = match (user, who.agency) {
        (Some(user), Some(agency)) => {
            let token = renkei::db::api_tokens::new_token();
            let mut conn = pool.acquire().await.unwrap();
            renkei::db::api_tokens::create(
                &mut conn,
                &renkei::db::api_tokens::NewToken {
                    user_id: user,
                    agency_id: agency,
                    label: "matrix",
                    can_write: true,
                    expires_at: chrono::Utc::now() + chrono::Duration::days(1),
                },
                &token,
            )
            .await
            .unwrap();
            Some(token)
        }
        _ => None,
    };
    values.insert("{acting}", who.agency.unwrap_or(HIKARI).to_string());
    let app = TestApp::spawn_bare(pool.clone(), test_settings()).await;
    if let Some(email) = who.email {
        app.login(email).await;
    }
    if who.switch {
        let res = app
            .post(
                "/acting-agency",
                &[("agency_id", &who.agency.unwrap().to_string())],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "{} switches", who.label);
    }
    let label = match state {
        Some(s) => format!("{} ({})", who.label, s.label()),
        None => who.label.to_string(),
    };
    for (row, (method, path, kind, body, expected)) in TABLE.iter().enumerate() {
        let mut want = expected[column];
        if who.clinic && state.is_some_and(|s| !s.live()) {
            if let Some((.., s)) = WITHOUT_LIVE_CONSENT
                .iter()
                .find(|(m, p, _)| m == method && p == path)
            {
                want = *s;
            }
        }
        let url = app.url(&fill(path, &values));
        let mut form: Vec<(String, String)> = vec![];
        for (k, v) in body.iter() {
            match *k {
                "*readiness" | "*retention" => {
                    let codes = if *k == "*readiness" {
                        &fx.readiness
                    } else {
                        &fx.retention
                    };
                    form.extend(codes.iter().map(|c| (format!("v_{c}"), v.to_string())));
                }
                _ => form.push((k.to_string(), fill(v, &values))),
            }
        }
        let before: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM audit_log")
            .fetch_one(&pool)
            .await
            .unwrap();
        let res = match *method {
            _ if path.starts_with("/api/v1/") && *path != "/api/v1/openapi.json" => {
                let mut req = if *method == "GET" {
                    app.client.get(&url)
                } else {
                    app.client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(api_body(&form).to_string())
                };
                if let Some(t) = &api_token {
                    req = req.bearer_auth(t);
                }
                req.send().await.unwrap()
            }
            "GET" => app.client.get(&url).send().await.unwrap(),
            _ if path.ends_with("/staff/{card}") => {
                let mut multipart = reqwest::multipart::Form::new();
                for (k, v) in form {
                    multipart = multipart.text(k, v);
                }
                app.client
                    .post(&url)
                    .multipart(multipart)
                    .send()
                    .await
                    .unwrap()
            }
            _ => app.client.post(&url).form(&form).send().await.unwrap(),
        };
        let got = res.status().as_u16();
        tally.requests += 1;
        if got != status_of(want) {
            tally.mismatches.push(format!(
                "{method} {path} as {label}: got {got}, expected {}",
                status_of(want)
            ));
        }
        // the audit row this request must have left, by its status
        let Some(user) = user else { continue };
        let required = match (*kind, got) {
            (E, _) => None,
            _ if want >= 1000 && got == status_of(want) => None,
            (_, 403 | 404) => Some("denied"),
            (V, 200..=299) => Some("ok"),
            (C, 200..=299 | 303) => Some("ok"),
            _ => None,
        };
        let Some(required) = required else { continue };
        let outcomes: Vec<String> =
            sqlx::query_scalar("SELECT outcome FROM audit_log WHERE id > $1 AND user_id = $2")
                .bind(before)
                .bind(user)
                .fetch_all(&pool)
                .await
                .unwrap();
        tally.audit_checked += 1;
        if !outcomes.iter().any(|o| o == required) {
            tally.gaps.push(Gap {
                row,
                status: got,
                missing: required,
                column,
                state,
            });
        }
    }
    drop(app);
    pool.close().await;
    sqlx::query(&format!(r#"DROP DATABASE "{name}" WITH (FORCE)"#))
        .execute(&mut clones.master)
        .await
        .unwrap();
}

#[sqlx::test]
async fn authorization_matrix(pool: PgPool) {
    let started = Instant::now();
    let fx = prepare(&pool).await;
    // the prepared database becomes the template every round is cloned from
    let options = (*pool.connect_options()).clone();
    let template: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let mut clones = Clones {
        master: PgConnection::connect(&url).await.unwrap(),
        template,
        options,
    };
    let mut tally = Tally::default();
    let mut n = 0;
    for (column, who) in ACTORS.iter().enumerate() {
        let states: Vec<Option<ConsentState>> = if who.clinic {
            ConsentState::ALL.iter().copied().map(Some).collect()
        } else {
            vec![None]
        };
        for state in states {
            n += 1;
            round(&mut clones, n, (column, who), state, &fx, &mut tally).await;
        }
    }
    let clinic_columns = ACTORS.iter().filter(|a| a.clinic).count();
    assert_eq!(
        tally.requests,
        TABLE.len() * (ACTORS.len() - clinic_columns + clinic_columns * ConsentState::ALL.len())
    );
    println!(
        "authorization matrix: {} (route × actor × consent state) requests checked in {} rounds, \
         {} audit rows checked, {} missing, {:.1} s",
        tally.requests,
        n,
        tally.audit_checked,
        tally.gaps.len(),
        started.elapsed().as_secs_f64()
    );
    let report = gap_report(&tally.gaps);
    if !report.is_empty() {
        println!(
            "audit gaps: {} requests on {} routes × answers:",
            tally.gaps.len(),
            report.len()
        );
        for line in &report {
            println!("  {line}");
        }
    }
    assert!(
        tally.mismatches.is_empty(),
        "statuses not as expected ({}):\n{}",
        tally.mismatches.len(),
        tally.mismatches.join("\n")
    );
    assert!(
        tally.gaps.is_empty(),
        "{} requests did not leave the audit row they should (listed above, by route)",
        tally.gaps.len()
    );
}
