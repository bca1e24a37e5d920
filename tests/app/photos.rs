//! Photo uploads cannot take the service down: hostile files get a message by the field and
//! change nothing; decoding holds no pool connection and runs a bounded number at a time.

use crate::directory::{card_of, jpeg, post_card};
use crate::helpers::*;
use rand::{Rng, SeedableRng};
use renkei::demo::SAKURA;
use renkei::AppState;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use uuid::Uuid;

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    c
}

/// A well-formed PNG of a few dozen bytes that claims `w` × `h` pixels: a decompression bomb's
/// header.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// The card as stored: its name and its photo's bytes.
async fn card_state(pool: &PgPool, card: Uuid) -> (String, Option<Vec<u8>>, i64) {
    let name: String = sqlx::query_scalar("SELECT name FROM agency_staff WHERE id = $1")
        .bind(card)
        .fetch_one(pool)
        .await
        .unwrap();
    let photo: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT bytes FROM agency_staff_photo WHERE staff_id = $1")
            .bind(card)
            .fetch_optional(pool)
            .await
            .unwrap();
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE target_id = $1 AND outcome = 'ok'
           AND action IN ('directory.staff.save', 'directory.photo.save')",
    )
    .bind(card)
    .fetch_one(pool)
    .await
    .unwrap();
    (name, photo, audited)
}

#[sqlx::test]
async fn hostile_photos_get_a_message_by_the_field_and_change_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let card = card_of(&app.pool, "ot@sakura.example").await;
    app.login("ot@sakura.example").await;
    let before = card_state(&app.pool, card).await;

    let mut truncated = jpeg(400, 300);
    truncated.truncate(truncated.len() * 3 / 5);
    let mut zip = jpeg(64, 64);
    zip.extend_from_slice(b"PK\x05\x06");
    zip.extend_from_slice(&[0; 18]);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>"#;
    let hostile: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        (
            "bomb.png",
            "image/png",
            png_claiming(60_000, 60_000),
            "画素数が多すぎます",
        ),
        (
            "bomb2.png",
            "image/png",
            png_claiming(8_000, 8_000),
            "画素数が多すぎます",
        ),
        ("cut.jpg", "image/jpeg", truncated, "壊れているか"),
        ("zip.jpg", "image/jpeg", zip, "別のデータ"),
        (
            "x.svg",
            "image/svg+xml",
            svg.to_vec(),
            "JPEG・PNG・WebP の画像ファイルを選んでください",
        ),
    ];
    let mut tried = 0;
    for (file, mime, bytes, message) in hostile {
        let res = post_card(
            &app,
            SAKURA,
            &card.to_string(),
            "名前を変えた",
            Some((file, mime, bytes)),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{file}");
        let page = body(res).await;
        assert!(page.contains(message), "{file}: {message}");
        assert!(
            page.contains("value=\"名前を変えた\""),
            "{file}: the form is kept"
        );
        assert_eq!(card_state(&app.pool, card).await, before, "{file}");
        tried += 1;
    }
    // random bytes, and a real picture with random bytes changed
    let mut rng = rand::rngs::StdRng::seed_from_u64(1414);
    let real = jpeg(48, 48);
    for round in 0..40 {
        let bytes: Vec<u8> = if round % 2 == 0 {
            (0..rng.random_range(1..4096))
                .map(|_| rng.random())
                .collect()
        } else {
            let mut b = real.clone();
            for _ in 0..rng.random_range(1..6) {
                let at = rng.random_range(2..b.len());
                b[at] = rng.random();
            }
            b.truncate(rng.random_range(b.len() / 2..b.len()));
            b
        };
        let res = post_card(
            &app,
            SAKURA,
            &card.to_string(),
            "名前を変えた",
            Some(("r.jpg", "image/jpeg", bytes)),
        )
        .await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "round {round}"
        );
        assert_eq!(card_state(&app.pool, card).await, before, "round {round}");
        tried += 1;
    }
    println!("hostile photo uploads tried over HTTP: {tried}, 5xx 0, cards changed 0");
}

/// A picture as a phone takes it (4000 × 3000, 600 KB), made once by the image crate's JPEG
/// encoder: encoding it in an unoptimised test build takes longer than the test itself.
fn large_jpeg() -> Vec<u8> {
    let bytes = include_bytes!("../fixtures/photo-4000x3000.jpg").to_vec();
    assert!(bytes.len() <= renkei::domain::photo::MAX_BYTES);
    bytes
}

#[sqlx::test]
async fn photo_decoding_holds_no_pool_connection_and_is_bounded(pool: PgPool) {
    renkei::demo::load(&pool).await.unwrap();
    // one connection for the whole app: an upload that held it would stop every other page
    let one = renkei::pool_options(1)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let settings = renkei::config::Settings {
        photo_wait: Duration::from_secs(2),
        ..test_settings()
    };
    let state = AppState::new(one, settings);
    let decoders = state.photo_decoders.clone();
    let app = TestApp::serve(state).await;
    let card = card_of(&pool, "ot@sakura.example").await;
    app.login("ot@sakura.example").await;
    let before = card_state(&pool, card).await;

    // every decoder busy: uploads wait without a connection, and a page still answers at once
    let held = decoders.clone().acquire_many_owned(2).await.unwrap();
    let waiting: Vec<_> = (0..3)
        .map(|_| {
            let uploader = app.tab();
            tokio::spawn(async move {
                post_card(
                    &uploader,
                    SAKURA,
                    &card.to_string(),
                    "待っている",
                    Some(("me.jpg", "image/jpeg", jpeg(64, 64))),
                )
                .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let res = app.get(&format!("/agencies/{SAKURA}")).await;
    let page_while_waiting = started.elapsed();
    assert_eq!(res.status(), StatusCode::OK);
    // the waiting uploads give up with the form and a message, never a 500
    for w in waiting {
        let res = w.await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.headers().contains_key("retry-after"));
        let page = body(res).await;
        assert!(page.contains("ただいま多くの写真を処理しています"));
        assert!(page.contains("value=\"待っている\""));
    }
    assert_eq!(card_state(&pool, card).await, before);
    drop(held);

    // large pictures decoded for real, two at a time, while pages are read
    let big = large_jpeg();
    let uploads: Vec<_> = (0..4)
        .map(|_| {
            let uploader = app.tab();
            let big = big.clone();
            tokio::spawn(async move {
                post_card(
                    &uploader,
                    SAKURA,
                    &card.to_string(),
                    "小林 さやか",
                    Some(("big.jpg", "image/jpeg", big)),
                )
                .await
                .status()
            })
        })
        .collect();
    let mut slowest_page = Duration::ZERO;
    let mut pages_during_decoding = 0;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !uploads.iter().all(|u| u.is_finished()) && Instant::now() < deadline {
        if decoders.available_permits() == 0 {
            let started = Instant::now();
            let res = app.get(&format!("/agencies/{SAKURA}")).await;
            assert_eq!(res.status(), StatusCode::OK);
            slowest_page = slowest_page.max(started.elapsed());
            pages_during_decoding += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut saved = 0;
    for u in uploads {
        match u.await.unwrap() {
            StatusCode::SEE_OTHER => saved += 1,
            // a decoder was not free within the wait: the form asked to send again
            StatusCode::SERVICE_UNAVAILABLE => {}
            s => panic!("upload answered {s}"),
        }
    }
    assert!(saved >= 1);
    assert!(pages_during_decoding >= 1, "pages were read while decoding");
    println!(
        "photos: page while every decoder was held {} ms; {pages_during_decoding} pages while \
         4 × {} KB JPEGs (4000 × 3000) decoded, slowest {} ms; {saved} of 4 saved",
        page_while_waiting.as_millis(),
        big.len() / 1024,
        slowest_page.as_millis()
    );
    assert_ne!(
        card_state(&pool, card).await,
        before,
        "a large photo was saved"
    );
}
