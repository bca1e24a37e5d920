//! The demo's API tokens: staff@hikari.example has one that expired ten days ago (its secret
//! was never shown and is random, so it opens nothing), so the account's token page has a row;
//! a user makes a working token there themselves (README).

use super::ids::{id, HIKARI};
use anyhow::Result;

pub(super) async fn load_tokens(tx: &mut sqlx::PgConnection) -> Result<()> {
    let hash = crate::db::auth::hash_token(&crate::db::api_tokens::new_token());
    sqlx::query(
        "INSERT INTO api_token (id, user_id, agency_id, token_hash, label, can_write,
                                created_at, expires_at, last_used_at)
         SELECT $1, u.id, $2, $3, '月次報告の取り込み（例）', false,
                now() - interval '100 days', now() - interval '10 days',
                now() - interval '12 days'
         FROM app_user u WHERE u.email = 'staff@hikari.example'
         ON CONFLICT (id) DO UPDATE
            SET created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
                last_used_at = EXCLUDED.last_used_at",
    )
    .bind(id(0xB001))
    .bind(HIKARI)
    .bind(hash)
    .execute(tx)
    .await?;
    Ok(())
}
