//! The demo's timelines: entries written by hand, routine entries over the months between,
//! and replies to observations.

use super::cases::CASES;
use super::{id, AOBA, HIKARI, KOMOREBI, MIDORI, MINATO, SAKURA, SHOKUCEN};
use anyhow::Result;
use uuid::Uuid;

/// One demo entry: (days ago, author email, author agency, kind, category, body, fields).
pub(super) type DemoEntry<'a> = (i32, &'a str, Uuid, &'a str, &'a str, &'a str, &'a str);

/// Entries written by hand for each case: the events a team would remember.
fn key_entries(case: u128) -> Vec<DemoEntry<'static>> {
    match case {
        1 => vec![
            (
                140,
                "psw@sakura.example",
                SAKURA,
                "note",
                "life",
                "デイケアの利用を開始。就労への希望あり。ご家族（妻）も就労を応援している。",
                "{}",
            ),
            (
                120,
                "ot@sakura.example",
                SAKURA,
                "observation",
                "training",
                "午後になると疲れが出て、作業の手順を飛ばすことがある。",
                r#"{"situation":"デイケアの軽作業（封入作業）","handling":"手順書を手元に置き、休憩を1回増やした","resolved":false}"#,
            ),
            (
                95,
                "ot@sakura.example",
                SAKURA,
                "contact",
                "life",
                "ご家族と電話。自宅では日課表を使い始めたとのこと。",
                r#"{"channel":"phone","with_whom":"family"}"#,
            ),
            (
                60,
                "st@sakura.example",
                SAKURA,
                "progress",
                "assessment",
                "メモを取る習慣がつき、予定の聞き漏れが減ってきた。",
                "{}",
            ),
            (
                20,
                "psw@sakura.example",
                SAKURA,
                "note",
                "training",
                "就労移行支援の見学について本人と相談。まずは準備チェックを続ける。",
                "{}",
            ),
        ],
        2 => vec![
            (
                200,
                "ot@sakura.example",
                SAKURA,
                "progress",
                "training",
                "デイケアに週4日安定して通えている。",
                "{}",
            ),
            (
                60,
                "psw@sakura.example",
                SAKURA,
                "note",
                "training",
                "ひかり就労移行支援センターへの見学を本人が希望。",
                "{}",
            ),
            (
                20,
                "sabikan@hikari.example",
                HIKARI,
                "contact",
                "training",
                "見学の日程を本人と調整。来週火曜に見学予定。",
                r#"{"channel":"phone","with_whom":"person","next_visit":null}"#,
            ),
            (
                10,
                "staff@hikari.example",
                HIKARI,
                "progress",
                "training",
                "見学実施。作業場面を見て「やってみたい」との発言あり。体験利用を検討。",
                "{}",
            ),
        ],
        3 => vec![
            (
                420,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "training",
                "就労移行支援の利用開始。個別支援計画を作成。",
                "{}",
            ),
            (
                300,
                "staff@hikari.example",
                HIKARI,
                "observation",
                "training",
                "指示が2つ以上重なると、後の指示を忘れてしまう。",
                r#"{"situation":"午前の軽作業で、作業中に追加の指示をしたとき","handling":"指示は1つずつ伝え、ホワイトボードに書いた","resolved":true}"#,
            ),
            (
                120,
                "staff@hikari.example",
                HIKARI,
                "observation",
                "training",
                "疲れてくると声が大きくなり、周りの利用者が驚くことがある。",
                r#"{"situation":"15時以降のPC作業","handling":"休憩を促し、静かな席に移ってもらった","resolved":false}"#,
            ),
            (
                45,
                "shugyo@minato.example",
                MINATO,
                "contact",
                "life",
                "本人と面談。生活リズムは安定。就職後の通勤経路を確認。",
                r#"{"channel":"meeting","with_whom":"person"}"#,
            ),
            (
                14,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "work",
                "実習先の候補として物流会社2社を検討中。",
                "{}",
            ),
        ],
        4 => vec![
            (
                600,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "training",
                "就労移行支援の利用開始。",
                "{}",
            ),
            (
                135,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "work",
                "株式会社みどり物流に就職。仕分け業務。週30時間から開始。",
                "{}",
            ),
            (
                140,
                "jc@shokucen.example",
                SHOKUCEN,
                "contact",
                "work",
                "職場訪問。作業手順書を本人と一緒に作成。",
                r#"{"channel":"visit","with_whom":"employer"}"#,
            ),
            (
                100,
                "boss@midori.example",
                MIDORI,
                "progress",
                "work",
                "仕分けの正確さは問題なし。休憩の取り方を一緒に決めた。",
                "{}",
            ),
            (
                60,
                "staff@hikari.example",
                HIKARI,
                "progress",
                "health",
                "通院先で服薬の調整中。朝の眠気が強い日がある。",
                "{}",
            ),
            (
                30,
                "jc@shokucen.example",
                SHOKUCEN,
                "observation",
                "work",
                "作業が立て込むと、確認の声かけが遅れる。",
                r#"{"situation":"月末の繁忙期","handling":"上長と相談し、確認のタイミングを決めた","resolved":false}"#,
            ),
            (
                7,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "work",
                "就職後5か月目。定着支援事業所（あおば）への引継ぎを調整中。",
                "{}",
            ),
        ],
        5 => vec![
            (
                1070,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "work",
                "株式会社みどり物流に就職。",
                "{}",
            ),
            (
                885,
                "teichaku@aoba.example",
                AOBA,
                "note",
                "work",
                "就労定着支援の利用開始。月1回の面談と支援レポートで支援。",
                "{}",
            ),
            (
                400,
                "boss@midori.example",
                MIDORI,
                "progress",
                "work",
                "フォークリフト以外の業務はほぼ一人で対応できるようになった。",
                "{}",
            ),
            (
                200,
                "teichaku@aoba.example",
                AOBA,
                "observation",
                "work",
                "繁忙期に残業が続くと、翌週の欠勤が増える。",
                r#"{"situation":"12月の繁忙期","handling":"上長と残業の上限を決めた","resolved":true}"#,
            ),
            (
                30,
                "teichaku@aoba.example",
                AOBA,
                "note",
                "work",
                "サービス終了まで約7か月。終了後の支援体制について本人・事業主の意向を確認予定。",
                "{}",
            ),
        ],
        _ => vec![
            (
                1900,
                "shugyo@minato.example",
                MINATO,
                "note",
                "work",
                "就業・生活支援センターの登録。",
                "{}",
            ),
            (
                1100,
                "teichaku@aoba.example",
                AOBA,
                "note",
                "work",
                "就労定着支援の利用開始。",
                "{}",
            ),
            (
                90,
                "teichaku@aoba.example",
                AOBA,
                "note",
                "work",
                "就労定着支援のサービス終了。引継ぎ会議を実施し、みなとセンターへ引継ぎ。",
                "{}",
            ),
            (
                20,
                "shugyo@minato.example",
                MINATO,
                "contact",
                "life",
                "本人より電話。仕事は順調とのこと。",
                r#"{"channel":"phone","with_whom":"person"}"#,
            ),
        ],
    }
}

/// Routine entries that fill the months between: (case, author email, agency, kind, every n
/// days, from days ago, to days ago, texts).
type Routine = (
    u128,
    &'static str,
    Uuid,
    &'static str,
    &'static str,
    i32,
    i32,
    i32,
    &'static [&'static str],
);

const ROUTINES: &[Routine] = &[
    (
        1,
        "ot@sakura.example",
        SAKURA,
        "progress",
        "training",
        9,
        148,
        5,
        &[
            "デイケアのプログラムに最後まで参加できた。",
            "午前中は集中して作業できた。午後は休憩を多めにとった。",
            "予定表を見て、次の活動に自分から移ることができた。",
            "同じ質問を繰り返すことが減った。",
        ],
    ),
    (
        2,
        "ot@sakura.example",
        SAKURA,
        "progress",
        "training",
        12,
        230,
        25,
        &[
            "デイケアで調理プログラムに参加。手順表を使って最後まで作れた。",
            "買い物の計算練習。ミスは自分で見直して気づけた。",
            "通所は安定。遅刻なし。",
        ],
    ),
    (
        3,
        "staff@hikari.example",
        HIKARI,
        "progress",
        "training",
        7,
        415,
        2,
        &[
            "PC入力訓練。入力ミスは前週より減少。",
            "軽作業（ピッキング）を2時間継続できた。",
            "報告・連絡の練習。終わったら自分から報告できた。",
            "疲れのサインに気づいて、自分から休憩を申し出た。",
            "グループワークで他の利用者の意見を聞いてから発言できた。",
        ],
    ),
    (
        4,
        "jc@shokucen.example",
        SHOKUCEN,
        "contact",
        "work",
        14,
        130,
        10,
        &[
            "職場訪問。手順書どおりに作業できている。",
            "職場訪問。上長と本人の三者で振り返り。",
            "職場訪問。繁忙期の作業量について上長と確認。",
        ],
    ),
    (
        4,
        "staff@hikari.example",
        HIKARI,
        "progress",
        "work",
        14,
        133,
        3,
        &[
            "就職後の定着支援で面談。仕事は楽しいとのこと。",
            "通勤は安定。朝の準備に時間がかかる日がある。",
        ],
    ),
    (
        5,
        "teichaku@aoba.example",
        AOBA,
        "contact",
        "work",
        30,
        880,
        5,
        &[
            "月1回の面談（対面）。体調・仕事とも安定。支援レポートを事業主と共有。",
            "月1回の面談（職場）。作業の幅が広がってきた。支援レポートを共有。",
            "月1回の面談。繁忙期の働き方について相談。支援レポートを共有。",
        ],
    ),
    (
        5,
        "sabikan@hikari.example",
        HIKARI,
        "progress",
        "work",
        14,
        1068,
        895,
        &[
            "就職後の定着支援で職場訪問。問題なし。",
            "本人と面談。通勤にも慣れてきた。",
        ],
    ),
    (
        6,
        "shugyo@minato.example",
        MINATO,
        "contact",
        "life",
        30,
        80,
        1,
        &["フォローアップの電話。変わりなし。"],
    ),
    (
        6,
        "teichaku@aoba.example",
        AOBA,
        "contact",
        "work",
        30,
        1100,
        95,
        &["月1回の面談。支援レポートを事業主と共有。"],
    ),
];

/// Replies to the observations of the key entries: (case, index of the observation among the
/// case's key entries, days ago, author email, agency, answer, observed, situation, handling).
type DemoReply = (
    u128,
    usize,
    i32,
    &'static str,
    Uuid,
    &'static str,
    &'static str,
    &'static str,
);

const REPLIES: &[DemoReply] = &[
    (
        1,
        1,
        118,
        "soudan@komorebi.example",
        KOMOREBI,
        "seen_here",
        "自宅訪問時も、夕方は予定を忘れやすいとご家族から聞いている。",
        "ご家族に、夕方の予定はメモで伝えるようお願いした。",
    ),
    (
        3,
        1,
        298,
        "ot@sakura.example",
        SAKURA,
        "seen_here",
        "デイケアでも、指示が重なると後の指示が抜けていた。",
        "1つずつ伝えて、メモを取る時間をとると確実だった。",
    ),
    (
        3,
        2,
        118,
        "ot@sakura.example",
        SAKURA,
        "seen_differently",
        "デイケアでは声の大きさより、疲れると黙り込むことが多かった。",
        "疲れの自己チェック表を使っていた。",
    ),
    (
        3,
        2,
        110,
        "shugyo@minato.example",
        MINATO,
        "not_seen",
        "",
        "",
    ),
    (
        4,
        5,
        28,
        "teichaku@aoba.example",
        AOBA,
        "seen_here",
        "引継ぎ面談の中でも、忙しいと確認を後回しにするとの話があった。",
        "確認の合図を決めておくことを提案。",
    ),
];

pub(super) async fn insert_demo_entry(
    tx: &mut sqlx::PgConnection,
    id: Uuid,
    case_id: Uuid,
    e: &DemoEntry<'_>,
    fields: &str,
    reply_to: Option<Uuid>,
) -> Result<()> {
    let (days, email, agency, kind, category, body, _) = *e;
    let html = crate::domain::markdown::to_safe_html(body);
    let fields: serde_json::Value = serde_json::from_str(fields)?;
    // shared with the team of the day (the author's agency sees its own anyway)
    sqlx::query(
        "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                            occurred_at, created_at, body, body_html, fields, shared_with, reply_to)
         SELECT $1, $2, u.id, $4, $5, $6, now() - make_interval(days => $7) - interval '3 hours',
                now() - make_interval(days => $7), $8, $9, $10,
                ARRAY(SELECT agency_id FROM case_agency WHERE case_id = $2 AND agency_id <> $4),
                $11
         FROM app_user u WHERE u.email = $3
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(case_id)
    .bind(email)
    .bind(agency)
    .bind(kind)
    .bind(category)
    .bind(days)
    .bind(body)
    .bind(html)
    .bind(fields)
    .bind(reply_to)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Tens of entries per case over months, observations with replies from other agencies.
pub(super) async fn load_timelines(tx: &mut sqlx::PgConnection) -> Result<()> {
    for c in CASES {
        let case_id = id(0x3000 + c.n);
        for (k, e) in key_entries(c.n).iter().enumerate() {
            insert_demo_entry(
                tx,
                id(0x10_0000 + c.n * 0x1000 + k as u128),
                case_id,
                e,
                e.6,
                None,
            )
            .await?;
        }
    }
    for (r, (case, email, agency, kind, category, every, from, to, texts)) in
        ROUTINES.iter().enumerate()
    {
        let case_id = id(0x3000 + case);
        let mut days = *from;
        let mut n = 0usize;
        while days >= *to {
            // あおば's monthly contacts with 田中 健 are the interviews (the monthly reports
            // are 支援レポート of their own: `demo::reports`)
            let fields = match (*case, *kind) {
                (5, "contact") => r#"{"channel":"meeting","with_whom":"person"}"#,
                (_, "contact") => r#"{"channel":"visit","with_whom":"employer"}"#,
                _ => "{}",
            };
            let e: DemoEntry = (
                days,
                email,
                *agency,
                kind,
                category,
                texts[n % texts.len()],
                fields,
            );
            let entry_id = id(0x20_0000 + r as u128 * 0x1000 + n as u128);
            insert_demo_entry(tx, entry_id, case_id, &e, fields, None).await?;
            days -= every;
            n += 1;
        }
    }
    for (k, (case, index, days, email, agency, answer, situation, handling)) in
        REPLIES.iter().enumerate()
    {
        let case_id = id(0x3000 + case);
        let parent = id(0x10_0000 + case * 0x1000 + *index as u128);
        let mut fields = serde_json::json!({ "answer": answer });
        if !handling.is_empty() {
            fields["handling"] = serde_json::json!(handling);
        }
        let category = key_entries(*case)[*index].4;
        // a reply is shared with the observation's author agency and the rest of the team
        let e: DemoEntry = (
            *days,
            email,
            *agency,
            "observation",
            category,
            situation,
            "",
        );
        let reply_id = id(0x30_0000 + k as u128);
        insert_demo_entry(tx, reply_id, case_id, &e, &fields.to_string(), Some(parent)).await?;
    }
    Ok(())
}
