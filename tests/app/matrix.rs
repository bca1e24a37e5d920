//! The authorization matrix: every route of the router × every kind of actor → the expected
//! status. The table is data; a route registered in src/http/ but missing here fails the test.

use crate::helpers::*;
use renkei::demo::{CASE_SUZUKI, HIKARI, KOMOREBI};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::collections::BTreeSet;

/// The actors, in the order of the columns below: (label, email, agency to act as).
const ACTORS: &[(&str, Option<&str>, Option<uuid::Uuid>)] = &[
    ("anonymous", None, None),
    ("system admin", Some("admin@renkei.example"), None),
    ("lead coordinator", Some("sabikan@hikari.example"), None),
    ("lead staff", Some("staff@hikari.example"), None),
    ("other team agency", Some("psw@sakura.example"), None),
    ("agency that left", Some("soudan@komorebi.example"), None),
    ("off the team", Some("staff@haruka.example"), None),
    (
        "dual acting as the clinic",
        Some("dual@sakura.example"),
        Some(renkei::demo::SAKURA),
    ),
    (
        "dual acting as ひかり",
        Some("dual@sakura.example"),
        Some(HIKARI),
    ),
];

/// (method, path, expected status per actor). `{case}` is 鈴木 一郎's case (ひかり leads; こもれび
/// left it yesterday for this test), `{lead}` its lead agency, `{consent}` one of its consents,
/// `{entry}` an observation written today by dual@sakura as the clinic and shared with the
/// team, `{referral}` a referral of the case sent by the clinic to みなと, `{meeting}` the
/// demo's meeting on the case convened by ひかり (held), `{nobody}` an id that names nothing,
/// `{program}`, `{event}` ひかり's first program and event, `{card}` the staff card of ひかり's
/// coordinator (the "lead coordinator" column: their own card). POSTs carry an empty form. Logout comes last.
#[rustfmt::skip]
const TABLE: &[(&str, &str, [u16; 9])] = &[
    //                                             anon admin lead lstaf membr left  off  dualS dualH
    ("GET",  "/",                                  [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/login",                             [200, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/login",                             [422, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/acting-agency",                     [303, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/lang",                              [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("GET",  "/account",                           [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/account/password",                  [303, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("GET",  "/admin",                             [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("GET",  "/admin/agencies",                    [303, 200, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/admin/agencies",                    [303, 422, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/admin/users",                       [303, 200, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/admin/users",                       [303, 422, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/admin/users/{nobody}/password",     [303, 404, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/admin/users/{nobody}/active",       [303, 404, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/agency/members",                    [303, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agency/members",                    [303, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agency/members/{nobody}/role",      [303, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agency/members/{nobody}/remove",    [303, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/agency/audit",                      [303, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/static/app.css",                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/healthz",                           [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/readyz",                            [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/cases",                             [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/cases/new",                         [303, 403, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/cases/new",                         [303, 403, 422, 422, 422, 422, 422, 422, 422]),
    ("GET",  "/cases/{case}",                      [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("GET",  "/cases/{case}/access-log",           [303, 404, 200, 200, 403, 403, 404, 403, 200]),
    ("GET",  "/cases/{case}/team",                 [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("POST", "/cases/{case}/team",                 [303, 404, 422, 403, 403, 403, 404, 403, 403]),
    ("POST", "/cases/{case}/team/{lead}/role",     [303, 404, 303, 403, 403, 403, 404, 403, 403]),
    ("POST", "/cases/{case}/team/{lead}/remove",   [303, 404, 422, 403, 403, 403, 404, 403, 403]),
    ("POST", "/cases/{case}/lead",                 [303, 404, 422, 403, 403, 403, 404, 403, 403]),
    ("GET",  "/cases/{case}/consents",             [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("POST", "/cases/{case}/consents",             [303, 404, 422, 403, 403, 403, 404, 403, 403]),
    ("POST", "/cases/{case}/consents/{consent}/revoke", [303, 404, 422, 403, 403, 403, 404, 403, 403]),
    ("GET",  "/cases/{case}/timeline",             [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("GET",  "/cases/{case}/entries/new",          [303, 404, 200, 200, 200, 403, 404, 200, 200]),
    ("POST", "/cases/{case}/entries",              [303, 404, 422, 422, 422, 403, 404, 422, 422]),
    ("GET",  "/cases/{case}/entries/{entry}",      [303, 404, 200, 200, 200, 404, 404, 200, 200]),
    ("POST", "/cases/{case}/entries/{entry}/replies", [303, 404, 422, 422, 403, 403, 404, 403, 422]),
    ("GET",  "/cases/{case}/entries/{entry}/edit", [303, 404, 403, 403, 403, 403, 404, 200, 403]),
    ("POST", "/cases/{case}/entries/{entry}/edit", [303, 404, 403, 403, 403, 403, 404, 422, 403]),
    ("GET",  "/inbox",                             [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/inbox/read-all",                    [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("GET",  "/cases/{case}/checks",               [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("POST", "/cases/{case}/checks",               [303, 404, 422, 422, 422, 403, 404, 422, 422]),
    ("POST", "/cases/{case}/prereferral",          [303, 404, 303, 303, 303, 403, 404, 303, 303]),
    ("GET",  "/cases/{case}/referrals",            [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("POST", "/cases/{case}/referrals",            [303, 404, 422, 422, 422, 403, 404, 422, 422]),
    ("GET",  "/referrals",                         [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/referrals/{referral}",              [303, 404, 404, 404, 200, 404, 404, 200, 404]),
    ("GET",  "/referrals/{referral}/print",        [303, 404, 404, 404, 200, 404, 404, 200, 404]),
    ("POST", "/referrals/{referral}/transition",   [303, 404, 404, 404, 422, 404, 404, 422, 404]),
    ("GET",  "/cases/{case}/meetings",             [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("POST", "/cases/{case}/meetings",             [303, 404, 422, 403, 422, 403, 404, 403, 403]),
    ("GET",  "/meetings/{meeting}",                [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("POST", "/meetings/{meeting}/rsvp",           [303, 404, 422, 422, 422, 422, 404, 422, 422]),
    ("POST", "/meetings/{meeting}/reschedule",     [303, 404, 422, 403, 403, 403, 404, 403, 403]),
    ("POST", "/meetings/{meeting}/cancel",         [303, 404, 422, 403, 403, 403, 404, 403, 403]),
    ("GET",  "/meetings/{meeting}/material",       [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("POST", "/meetings/{meeting}/material",       [303, 404, 422, 403, 403, 403, 404, 403, 403]),
    ("GET",  "/meetings/{meeting}/material/print", [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("POST", "/meetings/{meeting}/minutes",        [303, 404, 422, 403, 403, 403, 404, 403, 403]),
    ("POST", "/action-items/{nobody}/done",        [303, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET",  "/tasks",                             [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/calendar/{nobody}",                 [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("POST", "/account/calendar",                  [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/account/calendar/revoke",           [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("GET",  "/cases/{case}/legal",                [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("POST", "/cases/{case}/phase",                [303, 404, 422, 403, 403, 403, 404, 403, 403]),
    ("POST", "/tasks/{nobody}",                    [303, 404, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/tasks/{nobody}/done",               [303, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET",  "/cases/{case}/checks/retention",     [303, 404, 200, 200, 200, 200, 404, 200, 200]),
    ("POST", "/cases/{case}/checks/retention",     [303, 404, 422, 422, 422, 403, 404, 422, 422]),
    ("GET",  "/me/daily",                          [303, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("POST", "/me/daily",                          [303, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET",  "/cases/{case}/daily",                [303, 404, 200, 200, 200, 404, 404, 200, 200]),
    ("POST", "/cases/{case}/daily",                [303, 404, 422, 422, 422, 403, 404, 422, 422]),
    ("POST", "/cases/{case}/participant-account",  [303, 404, 422, 403, 403, 403, 404, 403, 403]),
    ("POST", "/cases/{case}/participant-account/password", [303, 404, 404, 403, 403, 403, 404, 403, 403]),
    ("POST", "/cases/{case}/participant-account/active",   [303, 404, 404, 403, 403, 403, 404, 403, 403]),
    ("GET",  "/agencies",                          [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/agencies/{lead}",                   [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/agencies/{lead}/connect",           [303, 403, 422, 422, 422, 422, 422, 422, 422]),
    ("GET",  "/agencies/{lead}/edit",              [303, 200, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/edit",              [303, 422, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/agencies/{lead}/programs/{program}", [303, 200, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/programs/{program}", [303, 422, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/programs/{nobody}/delete", [303, 404, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/agencies/{lead}/events/{event}",    [303, 200, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/events/{event}",    [303, 422, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/events/{nobody}/delete", [303, 404, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/agencies/{lead}/staff/{card}",      [303, 200, 200, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/staff/{card}",      [303, 422, 422, 403, 403, 403, 403, 403, 403]),
    ("POST", "/agencies/{lead}/staff/{nobody}/delete", [303, 404, 403, 403, 403, 403, 403, 403, 403]),
    ("GET",  "/agencies/{lead}/staff/{card}/photo", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/logout",                            [303, 303, 303, 303, 303, 303, 303, 303, 303]),
];

/// The paths registered in src/http/ (its subdirectories too), read from the source.
fn registered_paths() -> BTreeSet<String> {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http")];
    let mut files = vec![];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut paths = BTreeSet::new();
    for file in files {
        let src = std::fs::read_to_string(file).unwrap();
        for piece in src.split(".route(").skip(1) {
            let path = piece.trim_start().trim_start_matches('"');
            let path = &path[..path.find('"').unwrap()];
            paths.insert(path.to_string());
        }
    }
    paths
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
        .replace("{consent}", "{consent_id}")
        .replace("{entry}", "{entry_id}")
        .replace("{referral}", "{id}")
        .replace("{meeting}", "{id}")
        .replace("/action-items/{nobody}", "/action-items/{id}")
        .replace("/tasks/{nobody}", "/tasks/{id}")
        .replace("/calendar/{nobody}", "/calendar/{token}")
        .replace("/static/app.css", "/static/{file}")
        .replace("/admin/users/{nobody}", "/admin/users/{id}")
        .replace("/agency/members/{nobody}", "/agency/members/{user_id}")
}

#[test]
fn every_route_is_in_the_matrix() {
    let in_table: BTreeSet<String> = TABLE.iter().map(|(_, p, _)| route_shape(p)).collect();
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
}

#[sqlx::test]
async fn authorization_matrix(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // こもれび leaves 鈴木 一郎's team, so that its coordinator is "an agency that left"
    sqlx::query(
        "UPDATE case_agency SET left_on = (now() AT TIME ZONE 'Asia/Tokyo')::date - 1
         WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_SUZUKI)
    .bind(KOMOREBI)
    .execute(&app.pool)
    .await
    .unwrap();
    let consent: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM consent WHERE case_id = $1 LIMIT 1")
            .bind(CASE_SUZUKI)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let nobody = uuid::Uuid::now_v7();
    // ひかり's first program and event, and the staff card of its coordinator
    let program: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM agency_program WHERE agency_id = $1 LIMIT 1")
            .bind(HIKARI)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let event: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM agency_event WHERE agency_id = $1 LIMIT 1")
            .bind(HIKARI)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let card: uuid::Uuid = sqlx::query_scalar(
        "SELECT s.id FROM agency_staff s JOIN app_user u ON u.id = s.user_id
         WHERE u.email = 'sabikan@hikari.example'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let dual: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'dual@sakura.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let team: Vec<uuid::Uuid> = sqlx::query_scalar(
        "SELECT agency_id FROM case_agency WHERE case_id = $1 AND left_on IS NULL",
    )
    .bind(CASE_SUZUKI)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    let entry = renkei::db::entries::insert(
        &mut conn,
        &scope_as(&app.pool, dual, renkei::demo::SAKURA, CASE_SUZUKI)
            .await
            .unwrap(),
        &renkei::db::entries::NewEntry::plain(
            CASE_SUZUKI,
            "observation",
            "training",
            "作業の手順を忘れる",
            &team,
        ),
    )
    .await
    .unwrap();
    // a referral on the case from the clinic to みなと, sent: the sender's and the receiver's
    let referral = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO referral (id, case_id, from_agency_id, to_agency_id, state, created_by, sent_at)
         VALUES ($1, $2, $3, $4, 'sent', $5, now())",
    )
    .bind(referral)
    .bind(CASE_SUZUKI)
    .bind(renkei::demo::SAKURA)
    .bind(renkei::demo::MINATO)
    .bind(dual)
    .execute(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let mut checked = 0;
    let mut failures = vec![];
    for (column, (label, email, acting)) in ACTORS.iter().enumerate() {
        let b = app.browser();
        if let Some(email) = email {
            b.login(email).await;
        }
        if let Some(agency) = acting {
            let res = b
                .post("/acting-agency", &[("agency_id", &agency.to_string())])
                .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
        for (method, path, expected) in TABLE {
            let url = path
                .replace("{case}", &CASE_SUZUKI.to_string())
                .replace("{lead}", &HIKARI.to_string())
                .replace("{consent}", &consent.to_string())
                .replace("{entry}", &entry.to_string())
                .replace("{referral}", &referral.to_string())
                .replace("{meeting}", &renkei::demo::MEETING_SUZUKI.to_string())
                .replace("{nobody}", &nobody.to_string())
                .replace("{program}", &program.to_string())
                .replace("{event}", &event.to_string())
                .replace("{card}", &card.to_string());
            let res = match *method {
                "GET" => b.get(&url).await,
                _ => b.post(&url, &[]).await,
            };
            checked += 1;
            if res.status().as_u16() != expected[column] {
                failures.push(format!(
                    "{method} {path} as {label}: got {}, expected {}",
                    res.status().as_u16(),
                    expected[column]
                ));
            }
        }
    }
    println!("authorization matrix: {checked} route × actor pairs checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, TABLE.len() * ACTORS.len());
}
