//! Bootstrapping and automation: organisations, users and tokens from the command line.

use crate::{OrgCommand, TokenCommand, UserCommand};
use anyhow::{anyhow, Result};
use cordon_domain::identity::{parse_roles, Clearance, OrgKind};
use cordon_store::identity::NewUser;
use cordon_store::records::Caller;
use cordon_store::{Actor, Store, StoreError};
use std::io::{IsTerminal, Read};

/// Who the command line acts as, in the journal.
fn operator() -> Actor {
    let who = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    Actor::new(format!("cli:{who}"), "cordon")
}

fn field_error(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid { field, message } => anyhow!("{field}: {message}"),
        e => e.into(),
    }
}

pub async fn org(store: Store, cmd: &OrgCommand) -> Result<()> {
    match cmd {
        OrgCommand::Add { name, kind } => {
            let kind: OrgKind = kind.parse().map_err(|e: String| anyhow!("--kind: {e}"))?;
            let org = store
                .identity()
                .add_organisation(Caller::System(&operator()), name, kind)
                .await
                .map_err(field_error)?;
            println!("Added the organisation {} ({}), id {}.", org.name, org.kind, org.id);
        }
        OrgCommand::List => {
            for o in store.identity().organisations().await? {
                println!("{}\t{}\t{}", o.id, o.kind, o.name);
            }
        }
    }
    Ok(())
}

pub async fn user(store: Store, cmd: &UserCommand) -> Result<()> {
    match cmd {
        UserCommand::Add { email, name, org, role, clearance } => {
            let email = cordon_domain::identity::EmailAddress::parse(email).map_err(|e| anyhow!("--email: {e}"))?;
            let roles = parse_roles(role).map_err(|e| anyhow!("--role: {e}"))?;
            let clearance: Clearance = clearance.parse().map_err(|e: String| anyhow!("--clearance: {e}"))?;
            let org = store
                .identity()
                .organisation_by_name(org)
                .await?
                .ok_or_else(|| anyhow!("--org: no organisation is called {org:?} (see `cordon org list`)"))?;
            let (password, generated) = if std::io::stdin().is_terminal() {
                (cordon_store::identity::generate_password(), true)
            } else {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                let s = s.trim_end_matches(['\r', '\n']).to_string();
                if s.is_empty() {
                    (cordon_store::identity::generate_password(), true)
                } else {
                    (s, false)
                }
            };
            let new = NewUser { email, name: name.clone(), organisation_id: org.id, roles, clearance };
            let user =
                store.identity().add_user(Caller::System(&operator()), new, &password).await.map_err(field_error)?;
            println!("Added {} <{}>, id {}.", user.name, user.email, user.id);
            if generated {
                println!("Password (shown only now): {password}");
            }
        }
        UserCommand::Disable { email } => {
            let user = store
                .identity()
                .user_by_email(email)
                .await?
                .ok_or_else(|| anyhow!("email: no user has the address {email}"))?;
            store
                .identity()
                .set_user_active(Caller::System(&operator()), &user.id, false)
                .await
                .map_err(field_error)?;
            println!("Disabled {} <{}>: their sessions have ended; their history is kept.", user.name, user.email);
        }
        UserCommand::List => {
            let (users, _) = store.identity().users(Caller::System(&operator()), 10_000, 0).await?;
            for u in users {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    u.email,
                    u.name,
                    u.organisation_name,
                    roles.join(","),
                    u.clearance,
                    if u.active { "active" } else { "disabled" }
                );
            }
        }
    }
    Ok(())
}

pub async fn token(store: Store, cmd: &TokenCommand) -> Result<()> {
    match cmd {
        TokenCommand::Issue { user, expires_days, name } => {
            let u = store
                .identity()
                .user_by_email(user)
                .await?
                .ok_or_else(|| anyhow!("--user: no user has the address {user}"))?;
            let (secret, token) =
                store.identity().issue_token(&operator(), &u.id, name, *expires_days).await.map_err(field_error)?;
            eprintln!("Token for {} expires {} (shown only now):", u.email, token.expires_at);
            println!("{secret}");
        }
    }
    Ok(())
}
