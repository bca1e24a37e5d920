//! The demo's meetings, their minutes and action items.

use super::{id, AOBA, HIKARI, KOMOREBI, MIDORI, MINATO, SAKURA, SHOKUCEN};
use anyhow::Result;
use uuid::Uuid;

/// 鈴木 一郎: a meeting held a month ago, with minutes and action items (one overdue);
/// 高橋 美咲: the hand-over meeting to the retention office, in five days; 鈴木 一郎 again:
/// yesterday's meeting, whose minutes are still to be written (their form is open).
pub(super) async fn load_meetings(tx: &mut sqlx::PgConnection) -> Result<()> {
    let agenda: String = crate::domain::meeting::AGENDA_JA
        .iter()
        .map(|a| format!("\n### {a}\n\n- \n"))
        .collect();
    // (n, case, purpose, days from today, hour JST, status, invitees, material)
    type DemoMeeting<'a> = (u128, Uuid, &'a str, i32, i32, &'a str, &'a [Uuid], String);
    let meetings: [DemoMeeting; 3] = [
        (
            1,
            id(0x3003),
            "support_plan",
            -30,
            14,
            "held",
            &[SAKURA, MINATO, KOMOREBI],
            format!("## 話し合うこと\n\n- 実習に向けた課題の確認\n{agenda}"),
        ),
        (
            2,
            id(0x3004),
            "retention_handover",
            5,
            10,
            "scheduled",
            &[MIDORI, SHOKUCEN, AOBA, MINATO, KOMOREBI],
            format!("## 話し合うこと\n\n- 定着支援への引継ぎ\n{agenda}"),
        ),
        (
            3,
            id(0x3003),
            "other",
            -1,
            15,
            "scheduled",
            &[MINATO],
            format!("## 話し合うこと\n\n- 実習先の候補の確認\n{agenda}"),
        ),
    ];
    for (n, case, purpose, days, hour, status, invitees, material) in meetings {
        let meeting = id(0x6000 + n);
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
                    60, 'ひかり就労移行支援センター 相談室', true, $7 = 'held', $7, $8, $9,
                    'case_admin', u.id,
                    now() - interval '35 days',
                    CASE WHEN $7 = 'held' THEN '本人、ひかり（吉田）、さくら通りクリニック（山本）、みなと（山口）、こもれび（林）' ELSE '' END,
                    CASE WHEN $7 = 'held' THEN '訓練の様子と、実習に向けた課題を共有した。疲れが出る午後の過ごし方について、デイケアでの工夫を聞いた。' ELSE '' END,
                    CASE WHEN $7 = 'held' THEN '物流会社での実習を目指す。生活面の相談はみなとが受ける。' ELSE '' END,
                    CASE WHEN $7 = 'held' THEN now() - interval '30 days' END,
                    CASE WHEN $7 = 'held' THEN u.id END,
                    CASE WHEN $7 = 'held' THEN now() - interval '29 days' END,
                    CASE WHEN $7 = 'held' THEN 2 ELSE 0 END
             FROM app_user u WHERE u.email = 'sabikan@hikari.example'
             ON CONFLICT DO NOTHING",
        )
        .bind(meeting)
        .bind(case)
        .bind(HIKARI)
        .bind(purpose)
        .bind(days)
        .bind(hour)
        .bind(status)
        .bind(&material)
        .bind(&html)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if created == 0 {
            continue;
        }
        if status == "held" {
            // the minutes were corrected the day after: the first version is in the history
            sqlx::query(
                "INSERT INTO minutes_version (meeting_id, version, attendees, discussion, decisions,
                                              written_by, written_at, replaced_by, replaced_at)
                 SELECT $1, 1, m.attendees, m.discussion, '物流会社での実習を目指す。',
                        u.id, now() - interval '30 days', u.id, now() - interval '29 days'
                 FROM meeting m, app_user u
                 WHERE m.id = $1 AND u.email = 'sabikan@hikari.example'",
            )
            .bind(meeting)
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
