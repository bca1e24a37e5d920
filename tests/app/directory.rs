//! The agency directory: search and filters, profiles, who may change them, photo uploads,
//! bad input, escaping, and the demo's directory.

use crate::helpers::*;
use image::codecs::jpeg::JpegEncoder;
use renkei::demo::{CASE_YAMADA, HARUKA, HIKARI, SAKURA};
use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use sqlx::PgPool;
use uuid::Uuid;

/// みどり市, percent-encoded for a query string.
const MIDORI_CITY: &str = "%E3%81%BF%E3%81%A9%E3%82%8A%E5%B8%82";

fn path(agency: Uuid) -> String {
    format!("/agencies/{agency}")
}

pub(crate) async fn card_of(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar(
        "SELECT s.id FROM agency_staff s JOIN app_user u ON u.id = s.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap()
}

pub(crate) fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

/// A real JPEG as a phone writes it: an Exif segment with a GPS position right after SOI.
fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let plain = jpeg(w, h);
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0: GPSInfo → 26; GPS IFD: GPSLatitudeRef = "N"
    tiff.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    tiff.extend_from_slice(&[0, 1, 0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, _| image::Rgba([200, x as u8, 10, 255]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

pub(crate) async fn post_card(
    app: &TestApp,
    agency: Uuid,
    card: &str,
    name: &str,
    photo: Option<(&str, &str, Vec<u8>)>,
) -> Response {
    let mut form = Form::new()
        .text("name", name.to_string())
        .text("job_title", "作業療法士")
        .text("qualifications", "作業療法士")
        .text("introduction", "よろしくお願いします。");
    if let Some((file_name, mime, bytes)) = photo {
        form = form.part(
            "photo",
            Part::bytes(bytes)
                .file_name(file_name.to_string())
                .mime_str(mime)
                .unwrap(),
        );
    }
    app.client
        .post(app.url(&format!("/agencies/{agency}/staff/{card}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn search_filters_by_kind_area_disability_and_words(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    let page = body(
        app.get(&format!(
            "/agencies?kind=transition_office&area={MIDORI_CITY}&disability=brain_injury"
        ))
        .await,
    )
    .await;
    assert!(page.contains("ひかり就労移行支援センター"));
    // はるか is a transition office that supports 高次脳機能障害, but serves 県央市・みなと市
    assert!(!page.contains("<strong>はるか就労移行支援事業所</strong>"));
    assert!(!page.contains("<strong>さくら通りクリニック</strong>"));
    assert!(page.contains("1件"));
    // the card: kind, area, the one line, the next event
    assert!(page.contains("みどり市・県央市"));
    assert!(page.contains("高次脳機能障害の方の就労移行に強い事業所"));
    assert!(page.contains("見学会（高次脳機能障害の方向け）"));

    let all_transition = body(app.get("/agencies?kind=transition_office").await).await;
    assert!(all_transition.contains("はるか就労移行支援事業所"));
    assert!(all_transition.contains("ひかり就労移行支援センター"));
    assert!(all_transition.contains("2件"));

    // words match names, lines, features and programs (パソコン訓練 is はるか's program)
    let words = body(
        app.get("/agencies?q=%E3%83%91%E3%82%BD%E3%82%B3%E3%83%B3")
            .await,
    )
    .await;
    assert!(words.contains("はるか就労移行支援事業所"));
    assert!(!words.contains("<strong>ひかり就労移行支援センター</strong>"));
    // a LIKE wildcard typed by the user matches itself only
    let wildcard = body(app.get("/agencies?q=%25").await).await;
    assert!(wildcard.contains("0件"));
    // nothing filtered: all eight
    assert!(body(app.get("/agencies").await).await.contains("8件"));
    // an unknown code is ignored rather than an error
    assert_eq!(
        app.get("/agencies?kind=hospital&disability=x")
            .await
            .status(),
        StatusCode::OK
    );
    assert!(audit_count(&app.pool, "directory.search", "ok").await >= 6);
}

#[sqlx::test]
async fn a_profile_shows_staff_programs_events_and_leads_to_a_referral(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    let res = app.get(&path(HIKARI)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = body(res).await;
    for shown in [
        "吉田 明美",
        "サービス管理責任者",
        "作業トレーニング",
        "見学会（高次脳機能障害の方向け）",
        "電話（0120-000-102）でお申し込みください",
        "定員20名、現在18名",
        "手順書・チェックリスト・アラーム",
        "常時の医療的ケアが必要な方",
        "google.com/maps/search/?api=1",
        "query=%E3%81%BF%E3%81%A9%E3%82%8A%E5%B8%82",
    ] {
        assert!(page.contains(shown), "{shown}");
    }
    assert!(page.contains(&format!("/agencies/{HIKARI}/staff/")));
    assert_eq!(audit_count(&app.pool, "directory.view", "ok").await, 1);
    // OT is staff: refer, yes; add to a team / invite, no (coordinators)
    assert!(page.contains("value=\"referral\""));
    assert!(!page.contains("value=\"team\""));

    let res = app
        .get(&format!(
            "/agencies/{HIKARI}/connect?case={CASE_YAMADA}&to=referral"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert_eq!(
        to,
        format!("/cases/{CASE_YAMADA}/referrals?to={HIKARI}#referral-form")
    );
    let form = body(app.get(to.split('#').next().unwrap()).await).await;
    assert!(form.contains(&format!("<option value=\"{HIKARI}\" selected>")));

    // no case chosen: the profile comes back with a message
    let res = app
        .get(&format!("/agencies/{HIKARI}/connect?to=referral"))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("ケースを選んでください"));

    // a coordinator is offered the team and the meeting too, and the team form preselects
    let psw = app.browser();
    psw.login("psw@sakura.example").await;
    let page = body(psw.get(&path(HARUKA)).await).await;
    assert!(page.contains("value=\"team\""));
    let res = psw
        .get(&format!(
            "/agencies/{HARUKA}/connect?case={CASE_YAMADA}&to=meeting"
        ))
        .await;
    let meeting_form = body(psw.get(location(&res).split('#').next().unwrap()).await).await;
    assert!(meeting_form.contains(&format!("<option value=\"{HARUKA}\" selected>")));
}

#[sqlx::test]
async fn only_the_agency_admin_edits_the_profile(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.browser();
    admin.login("jimu@sakura.example").await;
    let form = [
        ("name", "さくら通りクリニック"),
        ("municipality", "みどり市"),
        ("address", "みどり市さくら通り1-2-3"),
        ("phone", "0120-000-101"),
        ("tagline", "新しいひとこと"),
        ("area_served", "みどり市、みなと市,県央市"),
        ("disability_types", "brain_injury"),
        ("disability_types", "physical"),
        ("age_bands", "30s"),
        ("features", "特色 1<2 は比較"),
    ];
    assert_eq!(
        admin
            .get(&format!("/agencies/{SAKURA}/edit"))
            .await
            .status(),
        StatusCode::OK
    );
    let res = admin.post(&format!("/agencies/{SAKURA}/edit"), &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (tagline, areas, kinds): (String, Vec<String>, Vec<String>) = sqlx::query_as(
        "SELECT tagline, area_served, disability_types FROM agency_profile WHERE agency_id = $1",
    )
    .bind(SAKURA)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(tagline, "新しいひとこと");
    assert_eq!(areas, vec!["みどり市", "みなと市", "県央市"]);
    assert_eq!(kinds, vec!["brain_injury", "physical"]);
    assert_eq!(
        audit_count(&app.pool, "directory.profile.save", "ok").await,
        1
    );

    // another agency's profile, a coordinator, a staff member: refused, nothing changed
    assert_eq!(
        admin
            .post(&format!("/agencies/{HIKARI}/edit"), &form)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    for email in ["psw@sakura.example", "ot@sakura.example"] {
        let b = app.browser();
        b.login(email).await;
        assert_eq!(
            b.get(&format!("/agencies/{SAKURA}/edit")).await.status(),
            StatusCode::FORBIDDEN
        );
        let res = b
            .post(&format!("/agencies/{SAKURA}/events/new"), &[("title", "x")])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    assert!(audit_count(&app.pool, "directory.profile.save", "denied").await >= 1);
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM agency_event WHERE title = 'x'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(events, 0);

    // the system admin may keep any profile
    let sys = app.browser();
    sys.login("admin@renkei.example").await;
    assert_eq!(
        sys.get(&format!("/agencies/{HIKARI}/edit")).await.status(),
        StatusCode::OK
    );
}

#[sqlx::test]
async fn bad_profile_input_comes_back_kept_and_saves_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("jimu@sakura.example").await;
    let before: String =
        sqlx::query_scalar("SELECT tagline FROM agency_profile WHERE agency_id = $1")
            .bind(SAKURA)
            .fetch_one(&app.pool)
            .await
            .unwrap();

    // HTML in the text
    let res = app
        .post(
            &format!("/agencies/{SAKURA}/edit"),
            &[
                ("name", "さくら通りクリニック"),
                ("tagline", "ひとこと変更"),
                ("features", "<b>太字</b>で強調"),
                ("website", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("HTMLタグは使えません"));
    assert!(page.contains("https:// で始まるアドレス"));
    assert!(page.contains("&#60;b&#62;太字&#60;/b&#62;で強調"));
    assert!(page.contains("value=\"ひとこと変更\""));

    // a second agency with the same name and address (はるか's)
    let res = app
        .post(
            &format!("/agencies/{SAKURA}/edit"),
            &[
                ("name", "はるか就労移行支援事業所"),
                ("address", "県央市はるか野9-9"),
                ("tagline", "ひとこと変更"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("同じ名前と住所の機関がすでに登録されています"));
    assert!(page.contains("value=\"はるか就労移行支援事業所\""));

    let (name, tagline): (String, String) = sqlx::query_as(
        "SELECT a.name, p.tagline FROM agency a JOIN agency_profile p ON p.agency_id = a.id
         WHERE a.id = $1",
    )
    .bind(SAKURA)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((name.as_str(), tagline), ("さくら通りクリニック", before));

    // an event in the past, an end before the start
    let res = app
        .post(
            &format!("/agencies/{SAKURA}/events/new"),
            &[
                ("kind", "open_house"),
                ("title", "昨年の見学会"),
                ("date", "2020-04-01"),
                ("start", "10:00"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("過去の日時は登録できません"));
    assert!(page.contains("value=\"昨年の見学会\""));
    let res = app
        .post(
            &format!("/agencies/{SAKURA}/events/new"),
            &[
                ("kind", "open_house"),
                ("title", "見学会"),
                ("date", "2099-04-01"),
                ("start", "10:00"),
                ("end", "09:00"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("終了時刻は開始時刻より後"));
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM agency_event WHERE agency_id = $1")
        .bind(SAKURA)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(events, 1);

    // a good event and a program appear on the profile
    let res = app
        .post(
            &format!("/agencies/{SAKURA}/events/new"),
            &[
                ("kind", "trial"),
                ("title", "デイケア体験"),
                ("date", "2099-04-01"),
                ("start", "10:00"),
                ("end", "12:00"),
                ("place", "3階"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post(
            &format!("/agencies/{SAKURA}/programs/new"),
            &[("name", "書字の練習"), ("schedule", "水曜")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(app.get(&path(SAKURA)).await).await;
    assert!(page.contains("デイケア体験"));
    assert!(page.contains("2099/04/01 10:00 – 12:00"));
    assert!(page.contains("書字の練習"));
}

#[sqlx::test]
async fn profile_text_is_escaped_whatever_is_stored(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // as if written before validation existed, or straight into the database
    sqlx::query(
        "UPDATE agency_profile SET tagline = '<script>alert(1)</script>',
                features = '<img src=x onerror=alert(2)>' WHERE agency_id = $1",
    )
    .bind(HIKARI)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE agency_staff SET introduction = '<a href=\"javascript:x\">hi</a>' WHERE agency_id = $1")
        .bind(HIKARI)
        .execute(&app.pool)
        .await
        .unwrap();
    app.login("ot@sakura.example").await;
    for page in [
        body(app.get(&path(HIKARI)).await).await,
        body(app.get("/agencies").await).await,
    ] {
        assert!(!page.contains("<script>alert(1)"));
        assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
        assert!(!page.contains("<img src=x"));
        assert!(!page.contains("<a href=\"javascript:x\""));
    }
}

#[sqlx::test]
async fn staff_edit_their_own_card_and_photo_only(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ot_card = card_of(&app.pool, "ot@sakura.example").await;
    let st_card = card_of(&app.pool, "st@sakura.example").await;
    app.login("ot@sakura.example").await;

    assert_eq!(
        app.get(&format!("/agencies/{SAKURA}/staff/{ot_card}"))
            .await
            .status(),
        StatusCode::OK
    );
    let res = post_card(&app, SAKURA, &ot_card.to_string(), "小林 さやか", None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // another's card, a new card, deleting: refused
    for (res, what) in [
        (
            post_card(&app, SAKURA, &st_card.to_string(), "乗っ取り", None).await,
            "other card",
        ),
        (
            post_card(&app, SAKURA, "new", "新人", None).await,
            "new card",
        ),
        (
            app.post(&format!("/agencies/{SAKURA}/staff/{ot_card}/delete"), &[])
                .await,
            "delete",
        ),
    ] {
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{what}");
    }
    let st_name: String = sqlx::query_scalar("SELECT name FROM agency_staff WHERE id = $1")
        .bind(st_card)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(st_name, "中村 大輔");
    assert!(audit_count(&app.pool, "directory.staff.save", "denied").await >= 2);

    // the agency admin edits any card of the agency and adds one
    let admin = app.browser();
    admin.login("jimu@sakura.example").await;
    let res = post_card(&admin, SAKURA, &st_card.to_string(), "中村 大輔", None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = post_card(
        &admin,
        SAKURA,
        "new",
        "新しい 職員",
        Some(("a.png", "image/png", png(20, 20))),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cards: i64 = sqlx::query_scalar("SELECT count(*) FROM agency_staff WHERE agency_id = $1")
        .bind(SAKURA)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(cards, 3);
}

#[sqlx::test]
async fn photos_are_checked_by_content_and_stored_without_exif(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let card = card_of(&app.pool, "ot@sakura.example").await;
    app.login("ot@sakura.example").await;
    let stored = |pool: PgPool| async move {
        sqlx::query_as::<_, (String, Vec<u8>, String)>(
            "SELECT content_type, bytes, sha256 FROM agency_staff_photo WHERE staff_id = $1",
        )
        .bind(card)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let (_, demo_bytes, _) = stored(app.pool.clone()).await;

    // a text file named .jpg and sent as image/jpeg: refused, the text kept, nothing saved
    let res = post_card(
        &app,
        SAKURA,
        &card.to_string(),
        "名前を変えた",
        Some(("photo.jpg", "image/jpeg", b"this is not a picture".to_vec())),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("JPEG・PNG・WebP の画像ファイルを選んでください"));
    assert!(page.contains("value=\"名前を変えた\""));
    let name: String = sqlx::query_scalar("SELECT name FROM agency_staff WHERE id = $1")
        .bind(card)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "小林 さやか");
    assert_eq!(stored(app.pool.clone()).await.1, demo_bytes);

    // over 2 MB (a real JPEG start, padded): refused with its own message
    let mut big = jpeg(64, 64);
    big.resize(2 * 1024 * 1024 + 10, 0);
    let res = post_card(
        &app,
        SAKURA,
        &card.to_string(),
        "小林 さやか",
        Some(("big.jpg", "image/jpeg", big)),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("写真は2MBまでです"));
    assert_eq!(stored(app.pool.clone()).await.1, demo_bytes);

    // a GIF renamed .png: not one of the three
    let res = post_card(
        &app,
        SAKURA,
        &card.to_string(),
        "小林 さやか",
        Some((
            "x.png",
            "image/png",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec(),
        )),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // a real JPEG with a GPS position: stored as JPEG, the Exif gone
    let upload = jpeg_with_gps(80, 60);
    assert!(upload.windows(4).any(|w| w == b"Exif"));
    let res = post_card(
        &app,
        SAKURA,
        &card.to_string(),
        "小林 さやか",
        Some(("me.jpg", "image/jpeg", upload)),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (content_type, bytes, sha) = stored(app.pool.clone()).await;
    assert_eq!(content_type, "image/jpeg");
    assert!(!bytes.windows(4).any(|w| w == b"Exif"));
    assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 80);
    assert_eq!(
        audit_count(&app.pool, "directory.photo.save", "ok").await,
        1
    );

    // served with its type, an ETag and a long cache (the URL carries the hash)
    let url = format!("/agencies/{SAKURA}/staff/{card}/photo?v={sha}");
    assert!(body(app.get(&path(SAKURA)).await).await.contains(&url));
    let res = app.get(&url).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(
        res.headers()["cache-control"],
        "private, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()["etag"], format!("\"{sha}\"").as_str());
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);
    let res = app
        .client
        .get(app.url(&url))
        .header("if-none-match", format!("\"{sha}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);

    // a PNG stays a PNG
    let res = post_card(
        &app,
        SAKURA,
        &card.to_string(),
        "小林 さやか",
        Some(("me.png", "image/png", png(30, 30))),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored(app.pool.clone()).await.0, "image/png");

    // photos are for signed-in users only
    let anon = app.browser();
    assert_eq!(anon.get(&url).await.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn every_demo_agency_has_a_full_profile(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let rows: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT a.name,
                (SELECT count(*) FROM agency_staff s WHERE s.agency_id = a.id),
                (SELECT count(*) FROM agency_staff s JOIN agency_staff_photo ph ON ph.staff_id = s.id
                  WHERE s.agency_id = a.id),
                (SELECT count(*) FROM agency_event e WHERE e.agency_id = a.id AND e.starts_at > now()),
                (SELECT count(*) FROM agency_program g WHERE g.agency_id = a.id)
         FROM agency a
         JOIN agency_profile p ON p.agency_id = a.id
         WHERE p.tagline <> '' AND p.features <> '' AND p.higher_brain_support <> ''
           AND p.limitations <> '' AND p.case_examples <> '' AND p.users_summary <> ''
           AND cardinality(p.disability_types) > 0 AND cardinality(p.age_bands) > 0
           AND cardinality(p.area_served) > 0 AND p.hours <> ''",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 8, "{rows:?}");
    for (name, staff, photos, events, programs) in rows {
        assert_eq!((staff, photos, events), (2, 2, 1), "{name}");
        assert!(programs >= 1, "{name}");
    }
    // loading again changes nothing
    renkei::demo::load(&app.pool).await.unwrap();
    let cards: i64 = sqlx::query_scalar("SELECT count(*) FROM agency_staff")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(cards, 16);
}
