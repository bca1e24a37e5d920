//! Cases, teams, consent, dashboards and the audit of case views, as users meet them.

use crate::helpers::*;
use renkei::demo::*;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

const DEMO_NAMES: &[&str] = &["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤"];
const DEMO_CASES: &[Uuid] = &[
    CASE_YAMADA,
    CASE_SATO,
    CASE_SUZUKI,
    CASE_TAKAHASHI,
    CASE_TANAKA,
    CASE_ITO,
];

#[sqlx::test]
async fn an_agency_off_every_team_sees_no_demo_participant_anywhere(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("staff@haruka.example").await;
    for path in ["/", "/cases"] {
        let page = body(app.get(path).await).await;
        for name in DEMO_NAMES {
            assert!(!page.contains(name), "{name} leaked on {path}");
        }
    }
    // searching finds nothing (the page repeats only the words typed)
    for (query, typed) in [
        ("%E3%82%84%E3%81%BE%E3%81%A0", "やまだ"),
        ("%E9%88%B4%E6%9C%A8", "鈴木"),
    ] {
        let page = body(app.get(&format!("/cases?q={query}")).await).await;
        assert!(page.contains("該当するケースはありません"), "{typed}");
        for name in DEMO_NAMES.iter().filter(|n| **n != typed) {
            assert!(!page.contains(name), "{name} leaked searching {typed}");
        }
    }
    for case in DEMO_CASES {
        for suffix in ["", "/team", "/consents", "/access-log"] {
            let res = app.get(&format!("/cases/{case}{suffix}")).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{case}{suffix}");
            assert!(!body(res).await.contains("鈴木"));
        }
    }
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND case_id IS NOT NULL",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(denied, 24, "every refused case page is audited");
}

#[sqlx::test]
async fn dashboards_show_what_each_agency_works_on(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let page_of = |email: &'static str| {
        let b = app.browser();
        async move {
            b.login(email).await;
            body(b.get("/").await).await
        }
    };
    // the clinic therapist: intake and referred cases of the clinic
    let ot = page_of("ot@sakura.example").await;
    let panel = ot.split("紹介前・紹介中のケース").nth(1).unwrap();
    let panel = &panel[..panel.find("</section>").unwrap()];
    assert!(panel.contains("山田 太郎") && panel.contains("佐藤 花子"));
    assert!(
        !panel.contains("鈴木 一郎"),
        "training is not the clinic's panel"
    );
    assert!(
        ot.contains("あなたの機関の役割分担"),
        "the clinic's action item from 鈴木's meeting"
    );
    assert!(
        !ot.contains("30日以内に期限が切れる同意"),
        "staff see no consent panel"
    );
    // transition staff: referred and training
    let hikari = page_of("staff@hikari.example").await;
    let panel = hikari
        .split("紹介を受けたケース・訓練中のケース")
        .nth(1)
        .unwrap();
    let panel = &panel[..panel.find("</section>").unwrap()];
    assert!(panel.contains("佐藤 花子") && panel.contains("鈴木 一郎"));
    assert!(!panel.contains("高橋 美咲") && !panel.contains("山田 太郎"));
    // the coordinator of the lead agency: lead cases and the consent that ends soon
    let sabikan = page_of("sabikan@hikari.example").await;
    assert!(sabikan.contains("主担当のケース") && sabikan.contains("高橋 美咲"));
    assert!(sabikan.contains("30日以内に期限が切れる同意"));
    assert!(sabikan.contains("みなと障害者就業・生活支援センター"));
    // the system admin: agencies and users, no case content
    let admin = page_of("admin@renkei.example").await;
    for name in DEMO_NAMES {
        assert!(!admin.contains(name), "{name} on the admin's dashboard");
    }
    assert!(admin.contains("/admin/users"));
    // /cases lists every case the agency is or was on, handed-over ones marked
    let b = app.browser();
    b.login("staff@hikari.example").await;
    let list = body(b.get("/cases").await).await;
    for name in ["佐藤", "鈴木", "高橋", "田中"] {
        assert!(list.contains(name), "{name}");
    }
    assert!(!list.contains("山田") && !list.contains("伊藤"));
    assert!(
        list.contains("引継ぎ済み"),
        "田中 健's case was handed over"
    );
}

#[sqlx::test]
async fn case_list_sorts_by_kana_and_searches_name_and_kana(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("shugyo@minato.example").await;
    let list = body(app.get("/cases").await).await;
    let order: Vec<usize> = ["イトウ", "スズキ", "タカハシ", "タナカ"]
        .iter()
        .map(|k| list.find(k).unwrap_or_else(|| panic!("{k}")))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "kana order: {order:?}"
    );
    let by_hiragana = body(app.get("/cases?q=%E3%81%9F%E3%81%AA%E3%81%8B").await).await; // たなか
    assert!(by_hiragana.contains("田中 健") && !by_hiragana.contains("高橋"));
    let by_name = body(app.get("/cases?q=%E9%AB%98%E6%A9%8B").await).await; // 高橋
    assert!(by_name.contains("高橋 美咲") && !by_name.contains("田中 健"));
}

#[sqlx::test]
async fn opening_a_case_checks_the_person_and_keeps_the_input(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("psw@sakura.example").await;
    let future = (renkei::domain::dates::today_tokyo() + chrono::Duration::days(3)).to_string();
    let res = app
        .post(
            "/cases/new",
            &[
                ("family_name", ""),
                ("given_name", "次郎"),
                ("family_kana", "Yamada"),
                ("given_kana", "じろう"),
                ("birth_date", &future),
                ("municipality", "みどり市"),
                ("postal_code", "12-34"),
                ("disability", "brain_injury"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains(r#"id="family_name-error""#));
    assert!(page.contains("カタカナ（またはひらがな）で入力してください"));
    assert!(page.contains("未来の日付は入力できません"));
    assert!(page.contains("123-4567"));
    assert!(
        page.contains(r#"value="ジロウ""#),
        "hiragana kept, as katakana"
    );
    assert!(
        page.contains(r#"value="brain_injury" checked"#),
        "the checkbox stays checked"
    );
    let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM participant")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(cases, 6, "nothing written");

    let res = app
        .post(
            "/cases/new",
            &[
                ("family_name", "小川"),
                ("given_name", "次郎"),
                ("family_kana", "おがわ"),
                ("given_kana", "ｼﾞﾛｳ"),
                ("birth_date", "1980/04/01"),
                ("municipality", "みどり市"),
                ("postal_code", "１２３４５６７"),
                ("phone", "０９０－１２３４－５６７８"),
                ("disability", "brain_injury"),
                ("role_text", "デイケア・リハビリ"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let case_url = location(&res);
    let page = body(app.get(&case_url).await).await;
    assert!(page.contains("オガワ ジロウ"));
    assert!(page.contains("昭和55年(1980年)4月1日"));
    assert!(page.contains("123-4567") && page.contains("090-1234-5678"));
    assert!(page.contains("さくら通りクリニック") && page.contains("主担当"));
    assert!(page.contains("デイケア・リハビリ"));
}

#[sqlx::test]
async fn every_case_view_writes_exactly_one_audit_row(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    for n in 1..=3 {
        assert_eq!(
            app.get(&format!("/cases/{CASE_YAMADA}")).await.status(),
            StatusCode::OK
        );
        let rows: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM audit_log WHERE case_id = $1 AND action = 'case.view' AND outcome = 'ok'",
        )
        .bind(CASE_YAMADA)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(rows, n);
    }
    // the lead agency sees who looked
    let lead = app.browser();
    lead.login("psw@sakura.example").await;
    let log = body(lead.get(&format!("/cases/{CASE_YAMADA}/access-log")).await).await;
    assert!(log.contains("ot@sakura.example") && log.contains(">ケースの閲覧</td>"));
}

#[sqlx::test]
async fn the_lead_manages_the_team_and_bad_changes_are_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("psw@sakura.example").await;
    let team = format!("/cases/{CASE_YAMADA}/team");
    // adding an agency already on the team
    let res = app
        .post(
            &team,
            &[
                ("agency_id", &KOMOREBI.to_string()),
                ("role_text", "計画相談"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("すでにチームに入っています"));
    // removing the lead
    let res = app.post(&format!("{team}/{SAKURA}/remove"), &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("主担当機関はチームから外せません"));
    // add ひかり, hand it the lead: both are timeline events
    let res = app
        .post(
            &team,
            &[
                ("agency_id", &HIKARI.to_string()),
                ("role_text", "就労訓練"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post(
            &format!("/cases/{CASE_YAMADA}/lead"),
            &[("agency_id", &HIKARI.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM entry WHERE case_id = $1 AND category = 'case_admin' ORDER BY created_at",
    )
    .bind(CASE_YAMADA)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 2);
    assert!(events[1].contains("ひかり就労移行支援センター"));
    // the clinic's coordinator no longer leads: team changes are refused
    let res = app.post(&format!("{team}/{KOMOREBI}/remove"), &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // ひかり's coordinator lets こもれび go; こもれび then sees the case as handed over
    let sabikan = app.browser();
    sabikan.login("sabikan@hikari.example").await;
    let res = sabikan
        .post(&format!("{team}/{KOMOREBI}/remove"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let komorebi = app.browser();
    komorebi.login("soudan@komorebi.example").await;
    let page = body(komorebi.get(&format!("/cases/{CASE_YAMADA}")).await).await;
    assert!(page.contains("引き継ぎました"));
    // and every team event is on the timeline, seen by the team
    let ot = app.browser();
    ot.login("ot@sakura.example").await;
    let page = body(ot.get(&format!("/cases/{CASE_YAMADA}")).await).await;
    assert!(page.contains("主担当機関が ひかり就労移行支援センター に引き継がれました"));
}

#[sqlx::test]
async fn consent_is_recorded_revoked_once_and_stops_sharing_at_once(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let consents = format!("/cases/{CASE_TAKAHASHI}/consents");
    // an end before the start, and no category
    let res = app
        .post(
            &consents,
            &[
                ("agency_id", &MIDORI.to_string()),
                ("given_by", "person"),
                ("method", "written"),
                ("given_on", "2026-04-01"),
                ("term", "date"),
                ("until", "2026-03-01"),
                ("evidence", "同意書 No.12"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("期限が同意した日より前になっています"));
    assert!(page.contains("1つ以上選んでください"));
    assert!(page.contains("同意書 No.12"), "input kept");

    // the employer has no health consent: an entry about health shared with the whole team is
    // hidden from みどり物流; a consent for health makes it visible; revoking hides it again
    let team: Vec<Uuid> =
        sqlx::query_scalar("SELECT agency_id FROM case_agency WHERE case_id = $1")
            .bind(CASE_TAKAHASHI)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    let author: Uuid =
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'sabikan@hikari.example'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    let actor = scope_as(&app.pool, author, HIKARI, CASE_TAKAHASHI)
        .await
        .unwrap();
    let entry = renkei::db::entries::NewEntry::plain("progress", "health", "服薬の調整中", &team);
    let entry_id = renkei::db::entries::insert(&mut conn, &actor, &entry)
        .await
        .unwrap();
    assert!(!midori_sees(&app.pool, entry_id).await);
    let res = app
        .post(
            &format!("{consents}?"),
            &[
                ("agency_id", &MIDORI.to_string()),
                ("category", "health"),
                ("category", "work"),
                ("given_by", "person"),
                ("method", "oral"),
                (
                    "given_on",
                    &renkei::domain::dates::today_tokyo().to_string(),
                ),
                ("term", "1y"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(midori_sees(&app.pool, entry_id).await);
    let consent: Uuid = sqlx::query_scalar(
        "SELECT id FROM consent WHERE case_id = $1 AND agency_id = $2 AND 'health' = ANY (categories)",
    )
    .bind(CASE_TAKAHASHI)
    .bind(MIDORI)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let revoke = format!("{consents}/{consent}/revoke");
    let res = app.post(&revoke, &[("reason", "")]).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is needed"
    );
    let res = app
        .post(&revoke, &[("reason", "本人の申し出により撤回")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        !midori_sees(&app.pool, entry_id).await,
        "hidden from the moment of revocation"
    );
    let res = app.post(&revoke, &[("reason", "もう一度")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("すでに撤回されています"));
    let kept: i64 =
        sqlx::query_scalar("SELECT count(*) FROM consent WHERE id = $1 AND revoked_at IS NOT NULL")
            .bind(consent)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(kept, 1, "revoked, not deleted");
    // an expired consent stops sharing like a revoked one
    sqlx::query("UPDATE consent SET valid_until = given_on WHERE case_id = $1 AND agency_id = $2")
        .bind(CASE_TAKAHASHI)
        .bind(MIDORI)
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("UPDATE consent SET given_on = given_on - 10, valid_until = given_on - 1 WHERE case_id = $1 AND agency_id = $2")
        .bind(CASE_TAKAHASHI)
        .bind(MIDORI)
        .execute(&mut *conn)
        .await
        .unwrap();
    let employer = app.browser();
    employer.login("boss@midori.example").await;
    let page = body(employer.get(&format!("/cases/{CASE_TAKAHASHI}")).await).await;
    assert!(
        page.contains("同意（連絡先）がないため表示されません"),
        "contact details hidden"
    );
    assert!(!page.contains("090-0000-0000"));
}

#[sqlx::test]
async fn an_agency_that_left_reads_only_up_to_the_day_it_left(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // ひかり left 田中 健's team; an entry written today by あおば is not for it
    let mut conn = app.pool.acquire().await.unwrap();
    let author: Uuid =
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'teichaku@aoba.example'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    let team: Vec<Uuid> =
        sqlx::query_scalar("SELECT agency_id FROM case_agency WHERE case_id = $1")
            .bind(CASE_TANAKA)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    let entry =
        renkei::db::entries::NewEntry::plain("progress", "work", "定着支援の面談を実施", &team);
    let actor = scope_as(&app.pool, author, AOBA, CASE_TANAKA)
        .await
        .unwrap();
    let id = renkei::db::entries::insert(&mut conn, &actor, &entry)
        .await
        .unwrap();
    assert!(visible_ids(&app.pool, author, MINATO, CASE_TANAKA)
        .await
        .contains(&id));
    assert!(!visible_ids(&app.pool, author, HIKARI, CASE_TANAKA)
        .await
        .contains(&id));
    app.login("staff@hikari.example").await;
    let page = body(app.get(&format!("/cases/{CASE_TANAKA}")).await).await;
    assert!(page.contains("引き継ぎました"));
    assert!(!page.contains("定着支援の面談を実施"));
    // it can read, not write
    let res = app.get(&format!("/cases/{CASE_TANAKA}/team")).await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn midori_sees(pool: &sqlx::PgPool, entry: Uuid) -> bool {
    visible_ids(pool, Uuid::nil(), MIDORI, CASE_TAKAHASHI)
        .await
        .contains(&entry)
}

/// What the lists sort and filter on is copied onto the team rows and invitations (migration
/// 0009); the copies must follow every change, or a dashboard would show a case in the wrong
/// panel or a meeting at the wrong time.
#[sqlx::test]
async fn list_keys_follow_phase_lead_kana_and_meeting_changes(pool: PgPool) {
    renkei::demo::load(&pool).await.unwrap();
    let stale = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i64>(
            "SELECT (SELECT count(*) FROM case_agency ca
                     JOIN case_file c ON c.id = ca.case_id
                     JOIN participant p ON p.id = c.participant_id
                     WHERE ca.sort_kana <> p.sort_kana OR ca.phase <> c.phase
                        OR ca.is_lead <> (c.lead_agency_id = ca.agency_id))
                  + (SELECT count(*) FROM meeting_invitee i JOIN meeting m ON m.id = i.meeting_id
                     WHERE i.starts_at <> m.starts_at OR i.status <> m.status)",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert_eq!(stale(pool.clone()).await, 0, "after the demo load");
    for change in [
        format!("UPDATE case_file SET phase = 'training' WHERE id = '{CASE_SATO}'"),
        format!("UPDATE case_file SET lead_agency_id = '{HIKARI}' WHERE id = '{CASE_YAMADA}'"),
        format!(
            "UPDATE participant SET family_kana = 'アイダ'
             WHERE id = (SELECT participant_id FROM case_file WHERE id = '{CASE_SUZUKI}')"
        ),
        "UPDATE meeting SET starts_at = starts_at + interval '1 day'".to_string(),
        "UPDATE meeting SET status = 'cancelled'
         WHERE id = (SELECT id FROM meeting WHERE status = 'scheduled' LIMIT 1)"
            .to_string(),
    ] {
        sqlx::query(&change).execute(&pool).await.unwrap();
        assert_eq!(stale(pool.clone()).await, 0, "after {change}");
    }
    // a new team member gets the copies when it joins
    sqlx::query(
        "INSERT INTO case_agency (case_id, agency_id, joined_on) VALUES ($1, $2, current_date)",
    )
    .bind(CASE_YAMADA)
    .bind(renkei::demo::MINATO)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(stale(pool.clone()).await, 0, "after a member joined");
    // and the panels read them in the order ja-x-icu gives the participants' kana
    let mut conn = pool.acquire().await.unwrap();
    let listed: Vec<Uuid> = renkei::db::cases::in_phases(
        &mut conn,
        actor_as(Uuid::nil(), SAKURA),
        &["intake", "referred", "training"],
        50,
    )
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.id)
    .collect();
    let expected: Vec<Uuid> = sqlx::query_scalar(
        "SELECT c.id FROM case_file c JOIN participant p ON p.id = c.participant_id
         JOIN case_agency ca ON ca.case_id = c.id AND ca.agency_id = $1 AND ca.left_on IS NULL
         WHERE c.phase IN ('intake', 'referred', 'training')
         ORDER BY p.sort_kana COLLATE \"ja-x-icu\", c.id",
    )
    .bind(SAKURA)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert!(expected.len() >= 3, "{expected:?}");
    assert_eq!(listed, expected);
}
