//! The identity capability's projector: the only code that writes its state tables.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::identity::IdentityEvent;
use cordon_domain::journal::Entry;

fn roles_text(roles: &[cordon_domain::identity::Role]) -> Val {
    Val::Text(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","))
}

const BUMP: &str = "UPDATE users SET security_version = security_version + 1, seq = $2 WHERE id = $1";

/// This capability's state tables, parents before children.
pub const TABLES: &[Table] = &[
    Table { name: "organisations", order_by: "id" },
    Table { name: "users", order_by: "id" },
    Table { name: "api_tokens", order_by: "id" },
];

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &IdentityEvent, entry: &Entry) -> Vec<Stmt> {
    let seq = Val::Int(entry.seq);
    match event {
        IdentityEvent::OrganisationAdded { id, name, kind } => vec![Stmt::new(
            "INSERT INTO organisations (id, name, kind, created_at, seq) VALUES ($1, $2, $3, $4, $5)",
            vec![t(id), t(name), t(kind.as_str()), t(&entry.at), seq],
        )],
        IdentityEvent::UserAdded { id, email, name, organisation_id, roles, clearance } => vec![Stmt::new(
            "INSERT INTO users (id, email, name, organisation_id, roles, clearance, active, totp_enabled, \
             security_version, created_at, seq) VALUES ($1, $2, $3, $4, $5, $6, 1, 0, 1, $7, $8)",
            vec![
                t(id),
                t(email),
                t(name),
                t(organisation_id),
                roles_text(roles),
                t(clearance.as_str()),
                t(&entry.at),
                seq,
            ],
        )],
        IdentityEvent::UserChanged { id, name, organisation_id, roles, clearance } => vec![Stmt::new(
            "UPDATE users SET name = $2, organisation_id = $3, roles = $4, clearance = $5, \
             security_version = security_version + 1, seq = $6 WHERE id = $1",
            vec![t(id), t(name), t(organisation_id), roles_text(roles), t(clearance.as_str()), seq],
        )],
        IdentityEvent::UserDisabled { id } => vec![Stmt::new(
            "UPDATE users SET active = 0, security_version = security_version + 1, seq = $2 WHERE id = $1",
            vec![t(id), seq],
        )],
        IdentityEvent::UserEnabled { id } => vec![Stmt::new(
            "UPDATE users SET active = 1, security_version = security_version + 1, seq = $2 WHERE id = $1",
            vec![t(id), seq],
        )],
        IdentityEvent::PasswordChanged { user_id } => vec![Stmt::new(BUMP, vec![t(user_id), seq])],
        IdentityEvent::TotpEnabled { user_id } => {
            vec![Stmt::new("UPDATE users SET totp_enabled = 1, seq = $2 WHERE id = $1", vec![t(user_id), seq])]
        }
        IdentityEvent::ApiTokenIssued { id, user_id, name, token_hash, expires_at } => vec![Stmt::new(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at, revoked_at, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
            vec![t(id), t(user_id), t(name), t(token_hash), t(&entry.at), t(expires_at), seq],
        )],
        IdentityEvent::ApiTokenRevoked { id } => vec![Stmt::new(
            "UPDATE api_tokens SET revoked_at = $2, seq = $3 WHERE id = $1 AND revoked_at IS NULL",
            vec![t(id), t(&entry.at), seq],
        )],
    }
}
