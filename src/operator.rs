//! `enishi operator create`: makes an account a platform operator (creating
//! the account when the address is new) and returns a one-time sign-in
//! link, valid for an hour, for the person at the terminal.

use enishi_store::accounts::{self, NewAccount};
use enishi_store::login_tokens::Purpose;
use enishi_store::{Db, audit, now_ms};

use crate::Fatal;

/// How long the printed link works.
const LINK_TTL_MS: i64 = 60 * 60 * 1000;

pub async fn create(
    db: &Db,
    email: &str,
    name: Option<&str>,
    base: &url::Url,
) -> Result<String, Fatal> {
    let address = enishi_core::email::normalise(email).map_err(|_| {
        Fatal(format!(
            "{email:?} is not an e-mail address; write it like admin@example.co.jp"
        ))
    })?;
    let account = match accounts::by_verified_email(db, &address).await? {
        Some(account) => account,
        None => {
            let default_name = address.split('@').next().unwrap_or("operator").to_string();
            let display_name = name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or(&default_name);
            accounts::create(
                db,
                &NewAccount {
                    display_name,
                    email: &address,
                    email_verified: true,
                    lang: enishi_core::Lang::default().code(),
                    time_zone: enishi_core::tz::DEFAULT,
                    is_operator: true,
                },
            )
            .await?
        }
    };
    accounts::set_operator(db, account.id, true).await?;
    audit::record(
        db,
        &audit::NewEntry {
            action: "operator.created",
            target: Some(&address),
            detail: Some("cli"),
            ..Default::default()
        },
        now_ms(),
    )
    .await?;
    let token =
        enishi_web::signin::issue_link(db, Purpose::SignIn, account.id, &address, LINK_TTL_MS)
            .await
            .map_err(|e| Fatal(e.to_string()))?;
    let base = base.as_str().trim_end_matches('/');
    Ok(format!("{base}/signin/link?token={token}"))
}
