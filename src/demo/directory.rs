//! The demo's directory: every agency with a full profile, a program or two, two staff cards
//! with generated portraits, and one event still to come (SPEC §9, §12).

use super::{id, AOBA, HARUKA, HIKARI, KOMOREBI, MIDORI, MINATO, SAKURA, SHOKUCEN};
use crate::db::directory as dir;
use crate::domain::photo;
use anyhow::Result;
use uuid::Uuid;

struct DemoProfile {
    agency: Uuid,
    tagline: &'static str,
    features: &'static str,
    area_served: &'static [&'static str],
    hours: &'static str,
    email: &'static str,
    ages: &'static [&'static str],
    disabilities: &'static [&'static str],
    users_summary: &'static str,
    eligibility: &'static str,
    languages: &'static [&'static str],
    higher_brain_support: &'static str,
    other_support: &'static str,
    limitations: &'static str,
    case_examples: &'static str,
    /// (name, schedule, description)
    programs: &'static [(&'static str, &'static str, &'static str)],
    /// (member's email if the card is theirs, name, job title, qualifications, introduction)
    staff: [(
        Option<&'static str>,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ); 2],
    /// (kind, title, days from today, hour, hours long, place, how to apply, description)
    event: (
        &'static str,
        &'static str,
        i32,
        i32,
        i32,
        &'static str,
        &'static str,
        &'static str,
    ),
}

const PROFILES: &[DemoProfile] = &[
    DemoProfile {
        agency: SAKURA,
        tagline: "脳損傷後の外来リハビリとデイケア。就労を見据えた評価をします。",
        features: "作業療法士・言語聴覚士・精神保健福祉士が同じチームで関わります。\n神経心理学的検査と生活場面の観察から、働くための準備状況を評価し、紹介先へ分かりやすくお伝えします。",
        area_served: &["みどり市", "みなと市"],
        hours: "月〜金 9:00〜17:00（デイケアは 9:30〜15:30）",
        email: "info@sakura.example",
        ages: &["20s", "30s", "40s", "50s", "60plus"],
        disabilities: &["brain_injury", "physical", "mental"],
        users_summary: "外来リハビリ 約120名、デイケア 定員30名。脳外傷・脳卒中後の方が中心です。",
        eligibility: "医師の診察を受けた方。デイケアは主治医の指示が必要です。",
        languages: &["日本語", "やさしい日本語"],
        higher_brain_support: "記憶・注意・遂行機能の評価と代償手段（メモリーノート、スケジュール表）の練習。\n家族向けの学習会を月1回開いています。",
        other_support: "うつ・不安の強い方には精神保健福祉士が相談に乗り、地域の支援機関とつなぎます。",
        limitations: "職場での訓練やジョブコーチ支援は行っていません（移行支援事業所・職業センターと連携します）。",
        case_examples: "40代男性・交通外傷後。デイケアで1年間、メモの習慣と疲れの管理を練習し、就労移行支援事業所へ紹介。2年後に物流会社へ就職。",
        programs: &[
            ("就労準備デイケア", "火・木 10:00〜15:00", "軽作業・パソコン入力・グループワークで、働く体力と生活リズムを整えます。"),
            ("家族学習会", "第2土曜 14:00〜16:00", "高次脳機能障害の理解と、家庭でできる工夫を学びます。"),
        ],
        staff: [
            (Some("ot@sakura.example"), "小林 さやか", "作業療法士", "作業療法士、認知症ケア専門士", "作業の様子から「できること」を見つけて、紹介先にお伝えします。"),
            (Some("st@sakura.example"), "中村 大輔", "言語聴覚士", "言語聴覚士", "失語や注意の困りごとを、職場で伝わる言葉に置き換えるお手伝いをします。"),
        ],
        event: ("talk", "高次脳機能障害を聞く会", 12, 14, 2, "さくら通りクリニック 3階 会議室", "電話（0120-000-101）またはメールで、前日までにお申し込みください。", "当事者・ご家族・支援者向け。事例を交えて、働くときの工夫をお話しします。"),
    },
    DemoProfile {
        agency: HIKARI,
        tagline: "高次脳機能障害の方の就労移行に強い事業所。見学はいつでも。",
        features: "利用者の約3割が高次脳機能障害の方です。\n作業の手順書づくり、疲れの記録、企業実習までを一人ひとりの計画で進めます。就職後は定着支援で半年間伴走します。",
        area_served: &["みどり市", "県央市"],
        hours: "月〜金 9:30〜16:00",
        email: "hikari@hikari.example",
        ages: &["20s", "30s", "40s", "50s"],
        disabilities: &["brain_injury", "mental", "developmental"],
        users_summary: "定員20名、現在18名（高次脳機能障害 6・精神 8・発達 4）。",
        eligibility: "就労を希望する18〜64歳の方。受給者証が必要です（申請は相談支援事業所と一緒に進めます）。",
        languages: &["日本語", "やさしい日本語", "筆談"],
        higher_brain_support: "初回面談で医療機関の評価を引き継ぎ、手順書・チェックリスト・アラームなどの代償手段を職場で使える形に整えます。\n疲れやすさに合わせて、週3日・半日から始められます。",
        other_support: "精神障害・発達障害の方には、体調の波の記録と、職場への説明の練習を行います。",
        limitations: "常時の医療的ケアが必要な方、送迎が必要な方には対応が難しいです。",
        case_examples: "30代女性・脳出血後。週3日の半日利用から始め、手順書を使ったデータ入力で企業実習。1年2か月で事務補助として就職。\n50代男性・脳外傷後。疲れの記録で休憩の取り方を身につけ、清掃業務で就職。",
        programs: &[
            ("作業トレーニング", "月〜金 9:30〜12:00", "データ入力・軽作業・清掃。手順書とチェックリストを使って、ミスを自分で防ぐ方法を練習します。"),
            ("企業実習", "利用開始から概ね6か月以降", "協力企業で2週間の実習。支援員が同行し、職場での工夫を一緒に考えます。"),
        ],
        staff: [
            (Some("sabikan@hikari.example"), "吉田 明美", "サービス管理責任者", "社会福祉士、サービス管理責任者", "医療機関からのご紹介を受けて、最初の面談から担当します。お気軽にお電話ください。"),
            (Some("staff@hikari.example"), "加藤 翔", "就労支援員", "職場適応援助者（ジョブコーチ）養成研修修了", "企業実習と就職後の職場訪問を担当しています。"),
        ],
        event: ("open_house", "見学会（高次脳機能障害の方向け）", 9, 10, 2, "ひかり就労移行支援センター（みどり市ひかり町4-5-6）", "電話（0120-000-102）でお申し込みください。医療機関・支援者の方の同行も歓迎します。", "作業の様子と手順書の使い方を見ていただけます。"),
    },
    DemoProfile {
        agency: MINATO,
        tagline: "働くことと暮らすことを、一緒に相談できるセンター。",
        features: "就業面（職場探し・定着）と生活面（金銭管理・健康管理）の両方を、一つの窓口で支えます。就職後の長いフォローアップが得意です。",
        area_served: &["みなと市", "みどり市"],
        hours: "月〜金 8:30〜17:15",
        email: "minato@minato.example",
        ages: &["teens", "20s", "30s", "40s", "50s", "60plus"],
        disabilities: &["intellectual", "mental", "developmental", "brain_injury", "physical"],
        users_summary: "登録者 約300名。知的障害の方が約半数です。",
        eligibility: "障害のある方（手帳の有無は問いません）とそのご家族、雇用する企業。利用料はかかりません。",
        languages: &["日本語", "やさしい日本語"],
        higher_brain_support: "生活面の困りごと（予定の管理、金銭管理）を、ご家族・相談支援専門員と一緒に整えます。",
        other_support: "知的障害の方の職場定着、精神障害の方の生活リズムづくりを、職場訪問と面談で支えます。",
        limitations: "訓練の場はありません（訓練は移行支援事業所や職業センターと連携します）。",
        case_examples: "40代女性・知的障害。就職後10年、年2回の職場訪問と生活面の相談を続け、勤続を支えている。",
        programs: &[("就職者の集い", "毎月第3金曜 18:30〜20:00", "働いている方同士で、仕事や暮らしの工夫を話し合う会です。")],
        staff: [
            (Some("shugyo@minato.example"), "山口 健太", "就業支援担当者", "精神保健福祉士", "職場と暮らしの両方の相談をお受けします。"),
            (None, "大野 真理", "生活支援担当者", "社会福祉士", "お金や健康のことなど、暮らしの困りごとを一緒に考えます。"),
        ],
        event: ("talk", "企業向け 障害者雇用を聞く会", 20, 15, 2, "みなと市民会館 第1会議室", "センターへ電話またはメールで。定員30名。", "雇用の始め方、職場での配慮、助成金について。"),
    },
    DemoProfile {
        agency: SHOKUCEN,
        tagline: "職業評価とジョブコーチ支援。事業主への助言も。",
        features: "職業評価、職業準備支援、職場適応援助者（ジョブコーチ）支援を行う公的機関です。",
        area_served: &["県央市", "みどり市", "みなと市"],
        hours: "月〜金 8:30〜17:15",
        email: "shokucen@shokucen.example",
        ages: &["teens", "20s", "30s", "40s", "50s", "60plus"],
        disabilities: &["brain_injury", "mental", "developmental", "intellectual", "physical", "intractable"],
        users_summary: "年間の利用 約400名（職業評価 250・ジョブコーチ支援 80）。",
        eligibility: "就職や職場定着を目指す障害のある方と、その雇用主。ハローワーク等からの紹介が一般的です。",
        languages: &["日本語", "手話（要予約）"],
        higher_brain_support: "職業評価で作業の特性を把握し、職場でジョブコーチが手順の組み立てを支援します。",
        other_support: "精神障害の方の復職支援（リワーク）も行っています。",
        limitations: "長期の通所訓練は行っていません。",
        case_examples: "20代男性・発達障害。職業評価の結果をもとに作業の切り出しを提案し、ジョブコーチ支援3か月で定着。",
        programs: &[("職業準備支援", "8週間・週5日", "作業・講座・面談で、働く準備を整えます。")],
        staff: [
            (Some("jc@shokucen.example"), "松本 由紀", "配置型ジョブコーチ", "職場適応援助者", "職場に伺って、本人と会社の間をつなぎます。"),
            (None, "石井 剛", "障害者職業カウンセラー", "障害者職業カウンセラー", "職業評価と支援計画を担当しています。"),
        ],
        event: ("talk", "ジョブコーチ支援 説明会", 15, 13, 2, "県障害者職業センター 研修室", "電話でお申し込みください。", "支援機関・企業向けに、ジョブコーチ支援の流れを説明します。"),
    },
    DemoProfile {
        agency: AOBA,
        tagline: "就職後の「続ける」を支える定着支援。月1回の面談と職場連絡。",
        features: "就職後6か月を過ぎた方の定着支援を、最長3年間行います。本人面談と企業との連絡を毎月行い、支援レポートをお渡しします。",
        area_served: &["みどり市", "みなと市"],
        hours: "月〜土 9:00〜18:00（面談は夜間も相談可）",
        email: "aoba@aoba.example",
        ages: &["20s", "30s", "40s", "50s"],
        disabilities: &["mental", "developmental", "brain_injury", "intellectual"],
        users_summary: "利用者 24名（精神 12・発達 7・高次脳機能障害 3・知的 2）。",
        eligibility: "就労移行支援等を利用して就職し、6か月を経過した方。",
        languages: &["日本語"],
        higher_brain_support: "職場で使っている手順書やメモの見直しを、面談のたびに一緒に行います。",
        other_support: "体調の波がある方には、日々の記録をもとに早めの調整を企業と相談します。",
        limitations: "就職前の訓練は行っていません。",
        case_examples: "30代男性・精神障害。日々の記録で不調の兆しを早めに共有し、勤務時間の調整で離職を防いだ。",
        programs: &[("定着面談", "月1回（職場訪問または来所）", "困りごとの整理と、企業への伝え方を一緒に考えます。")],
        staff: [
            (Some("teichaku@aoba.example"), "井上 優子", "就労定着支援員", "精神保健福祉士", "働き続けるための小さな工夫を一緒に探します。"),
            (None, "岡田 修", "管理者", "社会福祉士", "企業の方からのご相談もお受けしています。"),
        ],
        event: ("trial", "定着支援 個別相談会", 7, 18, 2, "あおば就労定着支援事業所", "前日までにお電話ください。", "就職を控えた方・ご家族向けの個別相談です。"),
    },
    DemoProfile {
        agency: KOMOREBI,
        tagline: "サービス等利用計画の作成と、支援機関どうしの調整。",
        features: "計画相談支援を行います。医療・福祉・就労の支援機関をつなぎ、ケース会議を呼びかけます。",
        area_served: &["みどり市"],
        hours: "月〜金 9:00〜17:30",
        email: "komorebi@komorebi.example",
        ages: &["teens", "20s", "30s", "40s", "50s", "60plus"],
        disabilities: &["brain_injury", "mental", "developmental", "intellectual", "physical", "intractable"],
        users_summary: "担当 約90名。",
        eligibility: "障害福祉サービスを利用する方、利用を考えている方。",
        languages: &["日本語", "やさしい日本語"],
        higher_brain_support: "医療機関から福祉サービスへ移るときの手続きと、関係機関の顔合わせを調整します。",
        other_support: "受給者証の申請から、サービスの組み合わせまでご相談に応じます。",
        limitations: "直接の訓練や職場訪問は行っていません。",
        case_examples: "50代女性・脳卒中後。退院前のケース会議を呼びかけ、デイケアから就労継続支援へつないだ。",
        programs: &[("計画相談", "随時（予約制）", "サービス等利用計画の作成とモニタリング。")],
        staff: [
            (Some("soudan@komorebi.example"), "林 誠", "相談支援専門員", "相談支援専門員、社会福祉士", "支援機関の間の「つなぎ役」をしています。"),
            (None, "宮本 咲", "相談支援専門員", "相談支援専門員", "受給者証の手続きなど、お気軽にご相談ください。"),
        ],
        event: ("talk", "福祉サービスの使い方を聞く会", 18, 10, 2, "みどり市福祉センター 2階", "電話でお申し込みください。", "受給者証の申請と、就労系サービスの違いを説明します。"),
    },
    DemoProfile {
        agency: MIDORI,
        tagline: "障害のある社員が物流センターで活躍中。職場見学を受け入れています。",
        features: "ピッキング・検品・梱包の業務で、障害のある社員12名が働いています。作業の手順を写真付きで掲示し、指導担当を決めています。",
        area_served: &["みなと市"],
        hours: "平日 8:00〜17:00",
        email: "jinji@midori.example",
        ages: &["20s", "30s", "40s", "50s"],
        disabilities: &["intellectual", "mental", "developmental", "brain_injury"],
        users_summary: "障害のある社員 12名（知的 5・精神 4・発達 2・高次脳機能障害 1）。",
        eligibility: "実習・見学は支援機関を通してお申し込みください。",
        languages: &["日本語"],
        higher_brain_support: "写真付きの手順書と、作業ごとのチェック表を用意しています。",
        other_support: "短時間勤務（週20時間）から始められます。",
        limitations: "夜勤・フォークリフト作業はお任せしていません。",
        case_examples: "20代女性・発達障害。2週間の実習の後、検品担当として採用。",
        programs: &[("職場実習", "随時（2週間程度）", "支援機関と相談のうえ、ピッキングや検品の実習を受け入れます。")],
        staff: [
            (Some("boss@midori.example"), "清水 隆", "物流センター 課長", "障害者職業生活相談員", "現場の受け入れ担当です。まずは見学にお越しください。"),
            (None, "西村 彩", "人事担当", "企業在籍型ジョブコーチ", "採用と配慮事項のご相談をお受けします。"),
        ],
        event: ("open_house", "職場見学会", 25, 10, 1, "みどり物流 物流センター（みなと市物流団地5-1）", "支援機関を通して、人事担当へお申し込みください。", "作業現場と、手順書の掲示を見ていただけます。"),
    },
    DemoProfile {
        agency: HARUKA,
        tagline: "パソコン訓練中心の就労移行。在宅訓練にも対応。",
        features: "事務職を目指す方向けに、パソコン・ビジネスマナーの訓練を行います。在宅での訓練も組み合わせられます。",
        area_served: &["県央市", "みなと市"],
        hours: "月〜金 10:00〜16:00",
        email: "haruka@haruka.example",
        ages: &["20s", "30s", "40s"],
        disabilities: &["mental", "developmental", "physical", "brain_injury"],
        users_summary: "定員20名、現在15名（精神 7・発達 5・身体 2・高次脳機能障害 1）。",
        eligibility: "事務職での就職を希望する方。受給者証が必要です。",
        languages: &["日本語", "English"],
        higher_brain_support: "パソコン作業の手順をテンプレート化して、記憶の負担を減らします。",
        other_support: "在宅訓練で、通所の負担が大きい方も利用できます。",
        limitations: "軽作業・屋外作業の訓練はありません。",
        case_examples: "30代男性・うつ病。在宅訓練から通所へ移行し、経理補助として就職。",
        programs: &[("パソコン訓練", "月〜金 10:00〜12:00", "文書作成・表計算・データ入力。検定の受験も支援します。")],
        staff: [
            (Some("staff@haruka.example"), "森 彩", "就労支援員", "キャリアコンサルタント", "事務職を目指す方の訓練と就職活動を担当しています。"),
            (None, "藤田 誠", "職業指導員", "ITパスポート", "パソコン訓練の講師をしています。"),
        ],
        event: ("trial", "体験利用（パソコン訓練）", 6, 10, 2, "はるか就労移行支援事業所", "電話でお申し込みください。", "実際の訓練に参加していただけます。"),
    },
];

/// Loads profiles, programs, staff cards (with portraits) and events. Fixed ids, so a second
/// run changes nothing — except that a demo event that has passed moves back into the future.
pub async fn load(tx: &mut sqlx::PgConnection) -> Result<()> {
    for (n, p) in PROFILES.iter().enumerate() {
        let n = n as u128;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agency_profile WHERE agency_id = $1)")
                .bind(p.agency)
                .fetch_one(&mut *tx)
                .await?;
        if !exists {
            load_profile(tx, n, p).await?;
        }
        let (kind, title, days, hour, hours, place, how, description) = p.event;
        sqlx::query(
            "INSERT INTO agency_event (id, agency_id, kind, title, starts_at, ends_at, place,
                 how_to_apply, description)
             SELECT $1, $2, $3, $4, s, s + make_interval(hours => $7), $8, $9, $10
             FROM (SELECT ((now() AT TIME ZONE 'Asia/Tokyo')::date + $5 + make_interval(hours => $6))
                          AT TIME ZONE 'Asia/Tokyo' AS s) t
             ON CONFLICT (id) DO UPDATE SET starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at
             WHERE agency_event.starts_at < now()",
        )
        .bind(id(0x8100 + n))
        .bind(p.agency)
        .bind(kind)
        .bind(title)
        .bind(days)
        .bind(hour)
        .bind(hours)
        .bind(place)
        .bind(how)
        .bind(description)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn load_profile(tx: &mut sqlx::PgConnection, n: u128, p: &DemoProfile) -> Result<()> {
    let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut profile = dir::profile(tx, p.agency)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo agency {} missing", p.agency))?;
    profile.tagline = p.tagline.into();
    profile.features = p.features.into();
    profile.area_served = list(p.area_served);
    profile.hours = p.hours.into();
    profile.email = p.email.into();
    profile.age_bands = list(p.ages);
    profile.disability_types = list(p.disabilities);
    profile.users_summary = p.users_summary.into();
    profile.eligibility = p.eligibility.into();
    profile.languages = list(p.languages);
    profile.higher_brain_support = p.higher_brain_support.into();
    profile.other_support = p.other_support.into();
    profile.limitations = p.limitations.into();
    profile.case_examples = p.case_examples.into();
    let admin: Uuid =
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'admin@renkei.example'")
            .fetch_one(&mut *tx)
            .await?;
    dir::save_profile(tx, &profile, admin).await?;
    for (k, (name, schedule, description)) in p.programs.iter().enumerate() {
        let program = dir::Program {
            id: id(0x8200 + n * 16 + k as u128),
            agency_id: p.agency,
            name: name.to_string(),
            description: description.to_string(),
            schedule: schedule.to_string(),
        };
        dir::save_program(tx, &program).await?;
    }
    for (k, (email, name, title, quals, intro)) in p.staff.iter().enumerate() {
        let user_id: Option<Uuid> = match email {
            Some(e) => {
                sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1")
                    .bind(e)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let card = dir::Staff {
            id: id(0x8300 + n * 16 + k as u128),
            agency_id: p.agency,
            user_id,
            name: name.to_string(),
            job_title: title.to_string(),
            qualifications: quals.to_string(),
            introduction: intro.to_string(),
            photo_sha256: None,
        };
        dir::save_staff(tx, &card).await?;
        let portrait = photo::placeholder_portrait((n * 2 + k as u128) as u32);
        dir::set_photo(tx, card.id, "image/png", &portrait).await?;
    }
    Ok(())
}
