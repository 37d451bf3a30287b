//! Creates the first admin of a deployment and prints its activation link.
//!
//! Usage: `bootstrap-admin --name "Nama Admin" --email admin@example.go.id`
//! with the same environment as the functions (`LOKET_TABLE`, secrets, AWS
//! credentials). It refuses to run twice: the `BOOTSTRAP#ADMIN` guard records the
//! first admin. The link is printed, not emailed, so it works before SES is verified.

use loket_identity::account::{self, Account, AccountStatus};
use loket_identity::activation::add_activation_token;
use loket_shared::auth::Role;
use loket_shared::rules::{contact, person};
use loket_shared::store::{Tx, TxError};
use loket_shared::App;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (Some(name), Some(email)) = (arg("--name"), arg("--email")) else {
        eprintln!("usage: bootstrap-admin --name \"Nama Admin\" --email admin@example.go.id [--org LOKET]");
        std::process::exit(2);
    };
    let org = arg("--org").unwrap_or_else(|| "LOKET".into());
    let name = person::check_full_name(&name)?;
    let email = contact::normalize_email(&email)?;
    let app = App::from_env().await?;
    let now = app.clock.epoch();
    let id = app.ids.id();
    let mut acc = Account::new(
        &id,
        &name,
        &email,
        vec![Role::Admin],
        AccountStatus::PendingActivation,
        now,
    );
    acc.org = Some(org);
    acc.index_under_org();
    let table = app.store.table();
    let mut tx = Tx::new();
    let first = tx.guard(table, loket_shared::schema::BOOTSTRAP_ADMIN.into(), &acc.pk);
    tx.put_new(table, acc.to_item()?);
    tx.guard(table, account::email_guard(&email), &acc.pk);
    let link = add_activation_token(&app, &mut tx, &acc, now);
    match app.store.transact(tx).await {
        Ok(()) => {}
        Err(TxError::Condition(f)) if f.contains(&first) => {
            eprintln!("refused: this deployment already has its first admin");
            std::process::exit(1);
        }
        Err(TxError::Condition(_)) => {
            eprintln!("refused: the email {email} is already registered");
            std::process::exit(1);
        }
        Err(e) => return Err(loket_shared::ApiError::from(e).into()),
    }
    println!("{link}");
    Ok(())
}
