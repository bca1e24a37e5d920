//! The demo's retention checks.

use super::timelines::{insert_demo_entry, DemoEntry};
use super::{id, AOBA};
use anyhow::Result;

/// 田中 健's two retention checks: two months ago, and two weeks ago with seed 004's example
/// result (4, 2.3, 4.3, 5, 4, 5).
pub(super) async fn load_retention_checks(tx: &mut sqlx::PgConnection) -> Result<()> {
    let case_id = id(0x3005);
    let codes: Vec<String> = sqlx::query_scalar(
        "SELECT code FROM instrument_item WHERE instrument_id = 'retention'
         ORDER BY domain_position, position",
    )
    .fetch_all(&mut *tx)
    .await?;
    // item scores in the instrument's order: 9 + 4 + 4 + 3 + 5 + 2
    let earlier = "333333333 3333 4444 444 33333 44";
    let latest = "444444444 2223 4445 555 44444 55";
    for (n, days, scores) in [(1u128, 60, earlier), (2, 14, latest)] {
        let values: Vec<String> = scores
            .chars()
            .filter(|c| c.is_ascii_digit())
            .map(|c| c.to_string())
            .collect();
        // the summary as the application writes it: read in each reader's language
        let said = {
            let instrument = crate::db::checks::instrument(&mut *tx, "retention").await?;
            let answers: crate::domain::checklist::Answers = codes
                .iter()
                .zip(&values)
                .map(|(c, v)| (c.clone(), (v.clone(), String::new())))
                .collect();
            crate::area::checks::retention_summary(&instrument, &answers)
        };
        let body = said.to_markdown(crate::i18n::Tr::new(crate::i18n::Lang::Ja));
        let fields = serde_json::json!({ "said": said.to_json() }).to_string();
        let entry = id(0x7100 + n);
        let e: DemoEntry = (
            days,
            "teichaku@aoba.example",
            AOBA,
            "assessment",
            "assessment",
            &body,
            "{}",
        );
        insert_demo_entry(tx, entry, case_id, &e, &fields, None).await?;
        let assessment = id(0x7000 + n);
        let created = sqlx::query(
            "INSERT INTO assessment (id, case_id, instrument_id, author_user_id, author_agency_id,
                                     assessed_on, entry_id)
             SELECT $1, $2, 'retention', u.id, $3, (now() AT TIME ZONE 'Asia/Tokyo')::date - $4, $5
             FROM app_user u WHERE u.email = 'teichaku@aoba.example'
             ON CONFLICT DO NOTHING",
        )
        .bind(assessment)
        .bind(case_id)
        .bind(AOBA)
        .bind(days)
        .bind(entry)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if created == 1 {
            sqlx::query(
                "INSERT INTO assessment_item (assessment_id, code, value)
                 SELECT $1, * FROM unnest($2::text[], $3::text[])",
            )
            .bind(assessment)
            .bind(&codes)
            .bind(&values)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}
