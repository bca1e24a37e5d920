//! Operator commands: `renkei admin create-user` and `renkei admin reset-password`.

use crate::db::{self, users::NewUser};
use crate::domain::kinds::Role;
use crate::domain::{password, text};
use anyhow::{bail, Context, Result};
use sqlx::PgPool;
use uuid::Uuid;

/// The new password: `RENKEI_PASSWORD`, or the first line of standard input.
pub fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("RENKEI_PASSWORD") {
        return Ok(p);
    }
    eprintln!(
        "New password (at least {} characters), then Enter:",
        password::MIN_LEN
    );
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn check(password: &str, email: &str, name: &str) -> Result<()> {
    password::check_new(password, email, name).map_err(|p| {
        anyhow::anyhow!(crate::i18n::Tr::new(crate::i18n::Lang::Ja).t(p.message_key()))
    })
}

pub async fn create_user(
    pool: &PgPool,
    email: &str,
    name: &str,
    new_password: &str,
    system_admin: bool,
    agency: Option<Uuid>,
    role: &str,
) -> Result<()> {
    let email = text::email_key(email);
    let name = text::nfkc(name);
    if !text::looks_like_email(&email) {
        bail!("not an email address: {email}");
    }
    if name.is_empty() {
        bail!("--name is empty");
    }
    if Role::parse(role).is_none() {
        bail!("--role must be staff, coordinator or agency_admin");
    }
    check(new_password, &email, &name)?;
    let pw = new_password.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw)).await?;
    let mut tx = pool.begin().await?;
    let new = NewUser {
        email: &email,
        display_name: &name,
        password_hash: &hash,
        is_admin: system_admin,
    };
    let id = match db::users::create(&mut tx, &new).await {
        Err(e) if db::is_unique_violation(&e, "app_user_email_key") => {
            bail!("a user with the email {email} already exists")
        }
        other => other?,
    };
    if let Some(agency) = agency {
        db::agencies::get(&mut tx, agency)
            .await?
            .context("no agency with that id")?;
        db::users::add_membership(&mut tx, id, agency, role, "").await?;
    }
    let event = db::audit::Event {
        action: "cli.user.create",
        target_id: Some(id),
        ..Default::default()
    };
    db::audit::record(&mut tx, &event, db::audit::Outcome::Ok).await?;
    tx.commit().await?;
    println!("created {email} ({id})");
    Ok(())
}

pub async fn reset_password(pool: &PgPool, email: &str, new_password: &str) -> Result<()> {
    let email = text::email_key(email);
    let mut tx = pool.begin().await?;
    let user = db::users::find_by_email(&mut tx, &email)
        .await?
        .with_context(|| format!("no user with the email {email}"))?;
    check(new_password, &user.email, &user.display_name)?;
    let pw = new_password.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw)).await?;
    db::users::set_password(&mut tx, user.id, &hash).await?;
    db::auth::delete_for_user(&mut tx, user.id).await?;
    db::login_limits::clear_account(&mut tx, &email).await?;
    let event = db::audit::Event {
        action: "cli.user.reset_password",
        target_id: Some(user.id),
        ..Default::default()
    };
    db::audit::record(&mut tx, &event, db::audit::Outcome::Ok).await?;
    tx.commit().await?;
    println!("password reset for {email}; their sessions were ended");
    Ok(())
}
