//! The demo's readiness assessments and referrals.

use super::timelines::{insert_demo_entry, DemoEntry};
use super::{id, HIKARI, SAKURA};
use anyhow::Result;
use uuid::Uuid;

/// 山田 太郎: assessed twice (three, then four of six criteria met) with pre-referral notes;
/// 佐藤 花子: referred to ひかり, acknowledged, the visit scheduled.
pub(super) async fn load_readiness_and_referrals(tx: &mut sqlx::PgConnection) -> Result<()> {
    let yamada = id(0x3001);
    let sato = id(0x3002);
    // (n, days ago, values in the order near, attendance, stamina, awareness, experiential, openness)
    let assessments: [(u128, i32, [&str; 6], &str); 2] = [
        (
            1,
            90,
            ["met", "met", "not_yet", "not_yet", "unknown", "met"],
            "ot@sakura.example",
        ),
        (
            2,
            15,
            ["met", "met", "not_yet", "met", "unknown", "met"],
            "ot@sakura.example",
        ),
    ];
    let codes = [
        "near",
        "attendance",
        "stamina",
        "awareness",
        "experiential",
        "openness",
    ];
    let instrument = crate::db::checks::instrument(&mut *tx, "readiness").await?;
    for (n, days, values, email) in assessments {
        let assessment = id(0x5000 + n);
        let entry = id(0x5100 + n);
        let answers: crate::domain::checklist::Answers = codes
            .iter()
            .zip(values)
            .map(|(c, v)| (c.to_string(), (v.to_string(), String::new())))
            .collect();
        // the summary as the application writes it: read in each reader's language
        let said = crate::area::checks::readiness_summary(&instrument, &answers);
        let body = said.to_markdown(crate::i18n::Tr::new(crate::i18n::Lang::Ja));
        let fields = serde_json::json!({ "said": said.to_json() }).to_string();
        let e: DemoEntry = (days, email, SAKURA, "readiness", "assessment", &body, "{}");
        insert_demo_entry(tx, entry, yamada, &e, &fields, None).await?;
        let inserted = sqlx::query(
            "INSERT INTO assessment (id, case_id, instrument_id, author_user_id, author_agency_id,
                                     assessed_on, entry_id)
             SELECT $1, $2, 'readiness', u.id, $3, (now() AT TIME ZONE 'Asia/Tokyo')::date - $4, $5
             FROM app_user u WHERE u.email = $6
             ON CONFLICT DO NOTHING",
        )
        .bind(assessment)
        .bind(yamada)
        .bind(SAKURA)
        .bind(days)
        .bind(entry)
        .bind(email)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            sqlx::query(
                "INSERT INTO assessment_item (assessment_id, code, value)
                 SELECT $1, * FROM unnest($2::text[], $3::text[])",
            )
            .bind(assessment)
            .bind(codes)
            .bind(values)
            .execute(&mut *tx)
            .await?;
        }
    }
    let notes: [(u128, u128, &str, &str, &str, i32); 6] = [
        (
            1,
            0x3001,
            "course",
            "health",
            "2年前に脳出血。回復期リハビリ病院を経て、半年前からデイケアに通所。",
            100,
        ),
        (
            2,
            0x3001,
            "work_before",
            "work",
            "印刷会社で営業職として20年勤務。",
            100,
        ),
        (
            3,
            0x3001,
            "why_work",
            "life",
            "家族のために、もう一度働きたい。",
            60,
        ),
        (
            4,
            0x3001,
            "visit_questions",
            "training",
            "どんな作業があるか、通う時間はどのくらいか。",
            30,
        ),
        (
            5,
            0x3002,
            "course",
            "health",
            "交通事故による頭部外傷。注意と記憶に障害がある。",
            230,
        ),
        (
            6,
            0x3002,
            "desired_work",
            "life",
            "事務補助の仕事を短時間から。",
            90,
        ),
    ];
    for (n, case, item, category, body, days) in notes {
        sqlx::query(
            "INSERT INTO prereferral_note (id, case_id, item, category, body, author_user_id,
                                           author_agency_id, written_at)
             SELECT $1, $2, $3, $4, $5, u.id, $6, now() - make_interval(days => $7)
             FROM app_user u WHERE u.email = 'psw@sakura.example'
             ON CONFLICT DO NOTHING",
        )
        .bind(id(0x5200 + n))
        .bind(id(case))
        .bind(item)
        .bind(category)
        .bind(body)
        .bind(SAKURA)
        .bind(days)
        .execute(&mut *tx)
        .await?;
    }
    // 佐藤 花子's referral to ひかり: sent, acknowledged, the visit in five days
    let referral = id(0x5300);
    let packet = crate::db::referrals::Packet {
        person_name: "佐藤 花子".into(),
        person_kana: "サトウ ハナコ".into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(1990, 11, 3),
        disabilities: vec!["高次脳機能障害".into()],
        disability_keys: vec!["disability-brain_injury".into()],
        municipality: "みどり市".into(),
        from_agency: "さくら通りクリニック".into(),
        to_agency: "ひかり就労移行支援センター".into(),
        hopes: "事務補助の仕事を目指しています。短時間からの体験利用をお願いします。".into(),
        sent_by: "山本 恵".into(),
        from_address: "みどり市さくら通り1-2-3".into(),
        from_phone: "0120-000-101".into(),
        notes: vec![
            crate::db::referrals::NoteRow {
                item: "course".into(),
                category: "health".into(),
                body: "交通事故による頭部外傷。注意と記憶に障害がある。".into(),
                author_name: "山本 恵".into(),
                author_agency_name: "さくら通りクリニック".into(),
                written_at: chrono::Utc::now() - chrono::Duration::days(230),
            },
            crate::db::referrals::NoteRow {
                item: "desired_work".into(),
                category: "life".into(),
                body: "事務補助の仕事を短時間から。".into(),
                author_name: "山本 恵".into(),
                author_agency_name: "さくら通りクリニック".into(),
                written_at: chrono::Utc::now() - chrono::Duration::days(90),
            },
        ],
        ..Default::default()
    };
    let created = sqlx::query(
        "INSERT INTO referral (id, case_id, from_agency_id, to_agency_id, state, hopes, packet,
                               visit_on, created_by, created_at, sent_at, updated_at)
         SELECT $1, $2, $3, $4, 'visit_scheduled', $5, $6,
                (now() AT TIME ZONE 'Asia/Tokyo')::date + 5, u.id,
                now() - interval '25 days', now() - interval '24 days', now() - interval '10 days'
         FROM app_user u WHERE u.email = 'psw@sakura.example'
         ON CONFLICT DO NOTHING",
    )
    .bind(referral)
    .bind(sato)
    .bind(SAKURA)
    .bind(HIKARI)
    .bind(&packet.hopes)
    .bind(serde_json::to_value(&packet)?)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if created == 1 {
        // the letter states the consent the sending was checked against
        sqlx::query(
            "UPDATE referral SET packet = packet || jsonb_build_object('consent_on',
                 (SELECT max(k.given_on) FROM consent k
                  WHERE k.case_id = $2 AND k.agency_id = $3 AND k.revoked_at IS NULL))
             WHERE id = $1",
        )
        .bind(referral)
        .bind(sato)
        .bind(HIKARI)
        .execute(&mut *tx)
        .await?;
        // (n, from state, to state, who, as which agency, days ago, note)
        type Step<'a> = (u128, Option<&'a str>, &'a str, &'a str, Uuid, i32, &'a str);
        let steps: [Step; 4] = [
            (1, None, "draft", "psw@sakura.example", SAKURA, 25, ""),
            (
                2,
                Some("draft"),
                "sent",
                "psw@sakura.example",
                SAKURA,
                24,
                "本人の希望で、まず見学から。",
            ),
            (
                3,
                Some("sent"),
                "acknowledged",
                "sabikan@hikari.example",
                HIKARI,
                20,
                "受け付けました。見学日を調整します。",
            ),
            (
                4,
                Some("acknowledged"),
                "visit_scheduled",
                "sabikan@hikari.example",
                HIKARI,
                10,
                "来週、午前中に見学。ご家族も同席予定。",
            ),
        ];
        for (n, from, to, email, agency, days, note) in steps {
            sqlx::query(
                "INSERT INTO referral_event (id, referral_id, from_state, to_state, user_id,
                                             agency_id, at, note)
                 SELECT $1, $2, $3, $4, u.id, $5, now() - make_interval(days => $6), $7
                 FROM app_user u WHERE u.email = $8",
            )
            .bind(id(0x5400 + n))
            .bind(referral)
            .bind(from)
            .bind(to)
            .bind(agency)
            .bind(days)
            .bind(note)
            .bind(email)
            .execute(&mut *tx)
            .await?;
            if to != "draft" {
                // as the application writes a step: keys and arguments, read in each
                // reader's language
                use crate::domain::message::{Message, Said};
                let said = Said::new()
                    .line(
                        Message::new("event-referral-step")
                            .key("state", format!("referral-state-{to}"))
                            .text("from", "さくら通りクリニック")
                            .text("to", "ひかり就労移行支援センター"),
                    )
                    .free(note);
                let body = said.to_markdown(crate::i18n::Tr::new(crate::i18n::Lang::Ja));
                let fields = serde_json::json!({ "said": said.to_json() }).to_string();
                let e: DemoEntry = (
                    days,
                    email,
                    agency,
                    "referral",
                    "case_admin",
                    body.as_str(),
                    "{}",
                );
                insert_demo_entry(tx, id(0x5500 + n), sato, &e, &fields, None).await?;
            }
        }
    }
    Ok(())
}
