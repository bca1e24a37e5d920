//! The demo's meetings, their minutes and action items.

use super::{id, AOBA, HIKARI, KOMOREBI, MIDORI, MINATO, SAKURA, SHOKUCEN};
use anyhow::Result;
use uuid::Uuid;

/// Every case has a meeting held and one to come (SPEC §12), dated relative to the day of
/// loading: 鈴木 一郎's meeting held a month ago, with minutes and action items (one overdue);
/// 高橋 美咲's hand-over meeting to the retention office in five days; and for each case a past
/// and an upcoming one convened by its lead agency; 鈴木 一郎 again: yesterday's meeting, whose
/// minutes are still to be written (their form is open).
pub(super) async fn load_meetings(tx: &mut sqlx::PgConnection) -> Result<()> {
    let agenda: String = crate::domain::meeting::AGENDA_JA
        .iter()
        .map(|a| format!("\n### {a}\n\n- \n"))
        .collect();
    let hikari = (
        "sabikan@hikari.example",
        HIKARI,
        "ひかり就労移行支援センター 相談室",
    );
    let sakura = ("psw@sakura.example", SAKURA, "さくら通りクリニック 面談室");
    let aoba = ("teichaku@aoba.example", AOBA, "株式会社みどり物流 会議室");
    let minato = (
        "shugyo@minato.example",
        MINATO,
        "みなと障害者就業・生活支援センター 相談室",
    );
    // (n, case, purpose, days from today, hour JST, status, invitees, topic, convener)
    type DemoMeeting<'a> = (
        u128,
        Uuid,
        &'a str,
        i32,
        i32,
        &'a str,
        &'a [Uuid],
        &'a str,
        (&'a str, Uuid, &'a str),
    );
    let meetings: [DemoMeeting; 13] = [
        (
            1,
            id(0x3003),
            "support_plan",
            -30,
            14,
            "held",
            &[SAKURA, MINATO, KOMOREBI],
            "実習に向けた課題の確認",
            hikari,
        ),
        (
            2,
            id(0x3004),
            "retention_handover",
            5,
            10,
            "scheduled",
            &[MIDORI, SHOKUCEN, AOBA, MINATO, KOMOREBI],
            "定着支援への引継ぎ",
            hikari,
        ),
        (
            3,
            id(0x3001),
            "support_plan",
            -40,
            15,
            "held",
            &[KOMOREBI],
            "リハビリの経過と就労への意向",
            sakura,
        ),
        (
            4,
            id(0x3001),
            "support_plan",
            11,
            17,
            "scheduled",
            &[KOMOREBI],
            "紹介の準備（アセスメントの共有）",
            sakura,
        ),
        (
            5,
            id(0x3002),
            "other",
            -35,
            14,
            "held",
            &[HIKARI, KOMOREBI],
            "紹介先の検討",
            sakura,
        ),
        (
            6,
            id(0x3002),
            "service_start",
            13,
            17,
            "scheduled",
            &[HIKARI, KOMOREBI],
            "見学・体験利用の振り返り",
            sakura,
        ),
        (
            7,
            id(0x3003),
            "support_plan",
            17,
            17,
            "scheduled",
            &[SAKURA, MINATO, KOMOREBI],
            "個別支援計画の見直し",
            hikari,
        ),
        (
            8,
            id(0x3004),
            "support_plan",
            -60,
            10,
            "held",
            &[MIDORI, SHOKUCEN, MINATO, KOMOREBI],
            "ジョブコーチ支援の計画",
            hikari,
        ),
        (
            9,
            id(0x3005),
            "support_plan",
            -45,
            16,
            "held",
            &[MIDORI, MINATO, KOMOREBI],
            "定着支援の経過確認",
            aoba,
        ),
        (
            10,
            id(0x3005),
            "service_end_handover",
            19,
            17,
            "scheduled",
            &[MIDORI, MINATO, KOMOREBI],
            "サービス終了後の支援体制",
            aoba,
        ),
        (
            11,
            id(0x3006),
            "service_end_handover",
            -90,
            15,
            "held",
            &[AOBA],
            "就労定着支援からの引継ぎ",
            minato,
        ),
        (
            12,
            id(0x3006),
            "other",
            23,
            17,
            "scheduled",
            &[],
            "フォローアップの面談",
            minato,
        ),
        (
            13,
            id(0x3003),
            "other",
            -1,
            15,
            "scheduled",
            &[MINATO],
            "実習先の候補の確認",
            hikari,
        ),
    ];
    for (n, case, purpose, days, hour, status, invitees, topic, convener) in meetings {
        let (email, agency, place) = convener;
        let material = format!("## 話し合うこと\n\n- {topic}\n{agenda}");
        let meeting = id(0x6000 + n);
        let minutes = if n == 1 {
            (
                "本人、ひかり（吉田）、さくら通りクリニック（山本）、みなと（山口）、こもれび（林）",
                "訓練の様子と、実習に向けた課題を共有した。疲れが出る午後の過ごし方について、デイケアでの工夫を聞いた。",
                "物流会社での実習を目指す。生活面の相談はみなとが受ける。",
            )
        } else {
            (
                "本人と招待した各機関の担当者",
                "前回からの経過をそれぞれの立場から共有した。",
                "次回までの役割を確認した。",
            )
        };
        let html = crate::domain::markdown::to_safe_html(&material);
        let created = sqlx::query(
            "INSERT INTO meeting (id, case_id, convener_user_id, convener_agency_id, purpose,
                                  starts_at, duration_minutes, place, person_attends, family_attends,
                                  status, material, material_html, material_category, material_by,
                                  material_at, attendees, discussion, decisions, held_at,
                                  minutes_by, minutes_at, minutes_version)
             SELECT $1, $2, u.id, $3, $4,
                    ((now() AT TIME ZONE 'Asia/Tokyo')::date + $5 + make_interval(hours => $6))
                        AT TIME ZONE 'Asia/Tokyo',
                    60, $10, true, $7 = 'held', $7, $8, $9,
                    'case_admin', u.id,
                    now() + make_interval(days => LEAST($5, 0) - 5),
                    CASE WHEN $7 = 'held' THEN $11 ELSE '' END,
                    CASE WHEN $7 = 'held' THEN $12 ELSE '' END,
                    CASE WHEN $7 = 'held' THEN $13 ELSE '' END,
                    CASE WHEN $7 = 'held' THEN now() + make_interval(days => $5) END,
                    CASE WHEN $7 = 'held' THEN u.id END,
                    CASE WHEN $7 = 'held' THEN now() + make_interval(days => $5 + 1) END,
                    CASE WHEN $7 = 'held' THEN $15 ELSE 0 END
             FROM app_user u WHERE u.email = $14
             ON CONFLICT DO NOTHING",
        )
        .bind(meeting)
        .bind(case)
        .bind(agency)
        .bind(purpose)
        .bind(days)
        .bind(hour)
        .bind(status)
        .bind(&material)
        .bind(&html)
        .bind(place)
        .bind(minutes.0)
        .bind(minutes.1)
        .bind(minutes.2)
        .bind(email)
        // 鈴木 一郎's minutes were corrected the day after: the first version is in the history
        .bind(if n == 1 { 2 } else { 1 })
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if created == 0 {
            continue;
        }
        if n == 1 {
            sqlx::query(
                "INSERT INTO minutes_version (meeting_id, version, attendees, discussion, decisions,
                                              written_by, written_at, replaced_by, replaced_at)
                 SELECT $1, 1, m.attendees, m.discussion, '物流会社での実習を目指す。',
                        u.id, m.held_at, u.id, m.minutes_at
                 FROM meeting m, app_user u
                 WHERE m.id = $1 AND u.email = $2",
            )
            .bind(meeting)
            .bind(email)
            .execute(&mut *tx)
            .await?;
        }
        for agency in invitees {
            sqlx::query(
                "INSERT INTO meeting_invitee (meeting_id, agency_id, response)
                 VALUES ($1, $2, CASE WHEN $3 = 'held' THEN 'attend' ELSE 'pending' END)",
            )
            .bind(meeting)
            .bind(agency)
            .bind(status)
            .execute(&mut *tx)
            .await?;
        }
    }
    // the roles decided at 鈴木 一郎's meeting
    let actions: [(u128, Uuid, &str, &str, i32); 3] = [
        (
            1,
            SAKURA,
            "デイケアでの疲れへの工夫（休憩の取り方）をひかりに伝える",
            "電話と記録で",
            -10,
        ),
        (
            2,
            MINATO,
            "生活リズムと通勤経路について本人と面談する",
            "面談",
            10,
        ),
        (
            3,
            HIKARI,
            "物流会社2社に実習の受け入れを打診する",
            "訪問",
            20,
        ),
    ];
    for (n, owner, what, how, due) in actions {
        sqlx::query(
            "INSERT INTO action_item (id, case_id, meeting_id, owner_agency_id, what, how, due_on,
                                      created_by)
             SELECT $1, $2, $3, $4, $5, $6, (now() AT TIME ZONE 'Asia/Tokyo')::date + $7, u.id
             FROM app_user u WHERE u.email = 'sabikan@hikari.example'
             ON CONFLICT DO NOTHING",
        )
        .bind(id(0x6100 + n))
        .bind(id(0x3003))
        .bind(id(0x6001))
        .bind(owner)
        .bind(what)
        .bind(how)
        .bind(due)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
