//! Organisations, users, credentials, sign-in, sessions and API tokens.
//!
//! Users and organisations are journal events like everything else. Secrets
//! (password hashes, TOTP secrets) live in the operational `credentials` table,
//! written in the same transaction as the journal event that says they changed.

pub mod demo;
pub mod project;
pub mod throttle;

use crate::journal::{AccessEntry, Actor};
use crate::records::Caller;
use crate::sql::{Row, Stmt, Val};
use crate::{Store, StoreError};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use cordon_domain::access::Viewer;
use cordon_domain::event::Event;
use cordon_domain::identity::IdentityEvent;
use cordon_domain::identity::{check_name, Clearance, EmailAddress, OrgKind, Role};
use cordon_domain::ids::{OrganisationId, RecordId, UserId};
use cordon_domain::Marking;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrgKind,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub roles: Vec<Role>,
    pub clearance: Clearance,
    pub active: bool,
    pub totp_enabled: bool,
    #[serde(skip)]
    pub security_version: i64,
    pub created_at: String,
}

impl User {
    pub fn has_role(&self, r: Role) -> bool {
        self.roles.contains(&r)
    }
}

/// A new user, before checks.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: EmailAddress,
    pub name: String,
    pub organisation_id: OrganisationId,
    pub roles: Vec<Role>,
    pub clearance: Clearance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    /// A public identifier for listing and revoking; not the secret.
    pub id: String,
    pub user_id: UserId,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub ip: String,
    pub user_agent: String,
    #[serde(skip)]
    pub csrf_token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: String,
    pub user_id: UserId,
    pub name: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

/// Session lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle: Duration::minutes(30), absolute: Duration::hours(12) }
    }
}

/// Why a sign-in failed. The messages never say whether the account exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInError {
    /// Too many failures for the account: nothing was checked. Try again
    /// after this many seconds.
    Throttled {
        retry_after: i64,
    },
    BadCredentials,
    /// The password was right; a TOTP code is needed.
    TotpRequired,
    TotpInvalid,
    /// The password (or, with `second_factor`, the code) was wrong, and so
    /// many sign-ins from this address have failed that it should wait this
    /// many seconds. A right password from the address is still accepted.
    SlowDown {
        retry_after: i64,
        second_factor: bool,
    },
    /// Every turn at checking passwords is taken: nothing was checked. Try
    /// again after this many seconds.
    Busy {
        retry_after: i64,
    },
    Store(String),
}

fn viewer_of(user: &User, teams: BTreeSet<RecordId>) -> Viewer {
    Viewer {
        user_id: user.id.clone(),
        organisation_id: user.organisation_id.clone(),
        roles: user.roles.clone(),
        clearance: user.clearance,
        active: user.active,
        teams,
    }
}

/// Active users of the given organisations whose name, e-mail address or
/// organisation holds `q` (any case), by name; at most `limit`. For pickers:
/// the caller has already decided who may see the list.
pub(crate) async fn users_of(
    store: &Store,
    organisations: &[OrganisationId],
    q: &str,
    limit: i64,
) -> Result<Vec<User>, StoreError> {
    if organisations.is_empty() {
        return Ok(Vec::new());
    }
    let mut args: Vec<Val> = organisations.iter().map(Val::from).collect();
    let ph: Vec<String> = (1..=args.len()).map(|i| format!("${i}")).collect();
    let like = format!("%{}%", q.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    args.push(Val::Text(like));
    let n = args.len();
    args.push(Val::Int(limit));
    let rows = store
        .fetch(
            &format!(
                "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id \
                 WHERE u.active = 1 AND u.organisation_id IN ({}) AND (lower(u.name) LIKE ${n} ESCAPE '\\' \
                 OR lower(u.email) LIKE ${n} ESCAPE '\\' OR lower(o.name) LIKE ${n} ESCAPE '\\') \
                 ORDER BY u.name, u.email LIMIT ${}",
                ph.join(", "),
                n + 1
            ),
            &args,
        )
        .await?;
    rows.iter().map(user_of).collect()
}

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.organisation_id, o.name, u.roles, u.clearance, u.active, \
     u.totp_enabled, u.security_version, u.created_at";

fn user_of(r: &Row) -> Result<User, StoreError> {
    let roles = r
        .text(5)
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<Role>().map_err(StoreError::Integrity))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(User {
        id: r.id(0)?,
        email: r.text(1),
        name: r.text(2),
        organisation_id: r.id(3)?,
        organisation_name: r.text(4),
        roles,
        clearance: r.text(6).parse().map_err(StoreError::Integrity)?,
        active: r.int(7) != 0,
        totp_enabled: r.int(8) != 0,
        security_version: r.int(9),
        created_at: r.text(10),
    })
}

fn org_of(r: &Row) -> Result<Organisation, StoreError> {
    Ok(Organisation {
        id: r.id(0)?,
        name: r.text(1),
        kind: r.text(2).parse().map_err(StoreError::Integrity)?,
        created_at: r.text(3),
    })
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A generated password: 24 hexadecimal characters in four groups, shown once.
pub fn generate_password() -> String {
    let raw = random_token(12);
    raw.as_bytes().chunks(6).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

/// A random secret, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).expect("the operating system's random source works");
    hex::encode(b)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}

fn parse_time(s: &str) -> OffsetDateTime {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// How long a sign-in or a check of the current password waits for a turn
/// at checking passwords before it is told the server is busy.
const TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Hashes off the async threads, holding a turn (see `Store::password_turn`)
/// until the hash is made, even if the request is abandoned meanwhile.
async fn hash_password(
    cost: crate::PasswordCost,
    password: String,
    turn: tokio::sync::OwnedSemaphorePermit,
) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let salt = SaltString::generate(&mut OsRng);
        cost.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Integrity(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| StoreError::Integrity(e.to_string()))?
}

/// Verifies off the async threads. An unknown user is checked against a dummy
/// hash so that the time taken does not say whether the account exists.
/// Holds its turn until the check is done.
async fn verify_password(
    cost: crate::PasswordCost,
    hash: Option<String>,
    password: String,
    turn: tokio::sync::OwnedSemaphorePermit,
) -> bool {
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        // One dummy per cost, so that an unknown account costs what a known one does.
        static DUMMIES: std::sync::Mutex<Vec<(crate::PasswordCost, String)>> = std::sync::Mutex::new(Vec::new());
        let dummy = {
            let mut dummies = DUMMIES.lock().expect("dummy hashes");
            match dummies.iter().find(|(c, _)| *c == cost) {
                Some((_, h)) => h.clone(),
                None => {
                    let salt = SaltString::generate(&mut OsRng);
                    let h = cost
                        .argon2()
                        .hash_password(b"not a real password", &salt)
                        .map(|h| h.to_string())
                        .unwrap_or_default();
                    dummies.push((cost, h.clone()));
                    h
                }
            }
        };
        let known = hash.is_some();
        let h = hash.unwrap_or(dummy);
        let ok =
            PasswordHash::new(&h).is_ok_and(|p| Argon2::default().verify_password(password.as_bytes(), &p).is_ok());
        ok && known
    })
    .await
    .unwrap_or(false)
}

fn totp_for(secret_hex: &str, email: &str) -> Result<totp_rs::TOTP, StoreError> {
    let secret = hex::decode(secret_hex).map_err(|_| StoreError::Integrity("malformed TOTP secret".into()))?;
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret, Some("Cordon".into()), email.to_string())
        .map_err(|e| StoreError::Integrity(format!("TOTP: {e}")))
}

/// The current 30-second TOTP step.
fn totp_step(now: OffsetDateTime) -> i64 {
    now.unix_timestamp() / 30
}

/// Checks a code against the steps either side of now, refusing a step already used.
/// Returns the step matched.
fn totp_match(totp: &totp_rs::TOTP, code: &str, last_step: Option<i64>, now: OffsetDateTime) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let step = totp_step(now);
    (step - 1..=step + 1).filter(|s| last_step.is_none_or(|l| *s > l)).find(|s| totp.generate((*s as u64) * 30) == code)
}

/// The current code for a secret (for tests and the demo's instructions).
pub fn totp_code_for(secret_base32: &str, at: OffsetDateTime) -> Option<String> {
    let bytes = totp_rs::Secret::Encoded(secret_base32.to_string()).to_bytes().ok()?;
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, Some("Cordon".into()), "x".into()).ok()?;
    Some(totp.generate(at.unix_timestamp() as u64))
}

/// The identity capability's operations, reached as `store.identity()`.
#[derive(Clone, Copy)]
pub struct IdentityStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn identity(&self) -> IdentityStore<'_> {
        IdentityStore { store: self }
    }
}

impl IdentityStore<'_> {
    // ----- organisations -------------------------------------------------

    pub async fn add_organisation(
        &self,
        caller: Caller<'_>,
        name: &str,
        kind: OrgKind,
    ) -> Result<Organisation, StoreError> {
        self.store.records().permit(caller, cordon_domain::identity::ADMINISTER).await?;
        let actor = &caller.actor();
        let name = check_name("name", name).map_err(|m| StoreError::invalid("name", m))?;
        if self.organisation_by_name(&name).await?.is_some() {
            return Err(StoreError::invalid("name", format!("an organisation called {name:?} already exists")));
        }
        let id = OrganisationId::generate();
        self.store
            .append(
                actor,
                &[(
                    Event::Identity(IdentityEvent::OrganisationAdded { id: id.clone(), name, kind }),
                    Marking::Official,
                )],
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => StoreError::invalid("name", "an organisation with that name already exists"),
                e => e,
            })?;
        self.organisation(&id).await?.ok_or_else(|| StoreError::Integrity("organisation vanished".into()))
    }

    pub async fn organisation(&self, id: &OrganisationId) -> Result<Option<Organisation>, StoreError> {
        self.store
            .fetch_one("SELECT id, name, kind, created_at FROM organisations WHERE id = $1", &[t(id)])
            .await?
            .map(|r| org_of(&r))
            .transpose()
    }

    pub async fn organisation_by_name(&self, name: &str) -> Result<Option<Organisation>, StoreError> {
        self.store
            .fetch_one(
                "SELECT id, name, kind, created_at FROM organisations WHERE lower(name) = lower($1)",
                &[t(name.trim())],
            )
            .await?
            .map(|r| org_of(&r))
            .transpose()
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        self.store
            .fetch("SELECT id, name, kind, created_at FROM organisations ORDER BY name", &[])
            .await?
            .iter()
            .map(org_of)
            .collect()
    }

    // ----- users ---------------------------------------------------------

    pub async fn add_user(&self, caller: Caller<'_>, new: NewUser, password: &str) -> Result<User, StoreError> {
        self.store.records().permit(caller, cordon_domain::identity::ADMINISTER).await?;
        let actor = &caller.actor();
        let email = new.email.as_str().to_string();
        let name = check_name("name", &new.name).map_err(|m| StoreError::invalid("name", m))?;
        if new.roles.is_empty() {
            return Err(StoreError::invalid("roles", "at least one role is required"));
        }
        if self.organisation(&new.organisation_id).await?.is_none() {
            return Err(StoreError::invalid("organisation", "no such organisation"));
        }
        if self.user_by_email(&email).await?.is_some() {
            return Err(StoreError::invalid("email", format!("a user with the e-mail address {email} already exists")));
        }
        cordon_domain::password::check(password, &[&email, &name]).map_err(|m| StoreError::invalid("password", m))?;
        let turn = self.store.password_turn(None).await.ok_or(StoreError::Busy { retry_after: 1 })?;
        let hash = hash_password(self.store.inner.password_cost, password.to_string(), turn).await?;
        let id = UserId::generate();
        let mut roles = new.roles.clone();
        roles.sort();
        roles.dedup();
        let events = [
            (
                Event::Identity(IdentityEvent::UserAdded {
                    id: id.clone(),
                    email: email.clone(),
                    name,
                    organisation_id: new.organisation_id.clone(),
                    roles,
                    clearance: new.clearance,
                }),
                Marking::Official,
            ),
            (Event::Identity(IdentityEvent::PasswordChanged { user_id: id.clone() }), Marking::Official),
        ];
        let extra = [Stmt::new(
            "INSERT INTO credentials (user_id, password_hash, totp_secret, totp_last_step, updated_at) \
             VALUES ($1, $2, NULL, NULL, $3)",
            vec![t(&id), t(&hash), t(&self.store.now_text())],
        )];
        self.store.append_with(actor, &events, &extra).await.map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::invalid("email", "a user with that e-mail address already exists"),
            e => e,
        })?;
        self.user(&id).await?.ok_or_else(|| StoreError::Integrity("user vanished".into()))
    }

    pub async fn user(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1"
        );
        self.store.fetch_one(&sql, &[t(id)]).await?.map(|r| user_of(&r)).transpose()
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.email = $1"
        );
        self.store.fetch_one(&sql, &[t(&email.trim().to_lowercase())]).await?.map(|r| user_of(&r)).transpose()
    }

    /// Users in name order, a page at a time, with the total.
    pub async fn users(&self, caller: Caller<'_>, limit: i64, offset: i64) -> Result<(Vec<User>, i64), StoreError> {
        self.store.records().permit(caller, cordon_domain::identity::ADMINISTER).await?;
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id \
             ORDER BY u.name, u.id LIMIT $1 OFFSET $2"
        );
        let users = self
            .store
            .fetch(&sql, &[Val::Int(limit), Val::Int(offset)])
            .await?
            .iter()
            .map(user_of)
            .collect::<Result<_, _>>()?;
        let total = self.store.fetch_one("SELECT COUNT(*) FROM users", &[]).await?.map(|r| r.int(0)).unwrap_or(0);
        Ok((users, total))
    }

    /// Changes a user's name, organisation, roles or clearance. Any change to
    /// roles, clearance or organisation ends every session of the user.
    pub async fn change_user(
        &self,
        caller: Caller<'_>,
        id: &UserId,
        name: &str,
        organisation_id: &OrganisationId,
        roles: Vec<Role>,
        clearance: Clearance,
    ) -> Result<User, StoreError> {
        self.store.records().permit(caller, cordon_domain::identity::ADMINISTER).await?;
        let actor = &caller.actor();
        let name = check_name("name", name).map_err(|m| StoreError::invalid("name", m))?;
        if roles.is_empty() {
            return Err(StoreError::invalid("roles", "at least one role is required"));
        }
        let Some(current) = self.user(id).await? else {
            return Err(StoreError::not_found(None, "no such user"));
        };
        if self.organisation(organisation_id).await?.is_none() {
            return Err(StoreError::invalid("organisation", "no such organisation"));
        }
        let mut roles = roles;
        roles.sort();
        roles.dedup();
        // Nobody raises their own access: another administrator must.
        let mut held = current.roles.clone();
        held.sort();
        if actor.user == id.as_str()
            && (roles != held || clearance != current.clearance || *organisation_id != current.organisation_id)
        {
            return Err(StoreError::Forbidden(
                "you cannot change your own roles, clearance or organisation; ask another administrator".into(),
            ));
        }
        let event = Event::Identity(IdentityEvent::UserChanged {
            id: id.clone(),
            name,
            organisation_id: organisation_id.clone(),
            roles,
            clearance,
        });
        let extra = [Stmt::new("DELETE FROM sessions WHERE user_id = $1", vec![t(id)])];
        self.store.append_with(actor, &[(event, Marking::Official)], &extra).await?;
        self.user(id).await?.ok_or_else(|| StoreError::Integrity("user vanished".into()))
    }

    /// Disables (or re-enables) an account. Its history stays; its sessions end.
    pub async fn set_user_active(&self, caller: Caller<'_>, id: &UserId, active: bool) -> Result<User, StoreError> {
        self.store.records().permit(caller, cordon_domain::identity::ADMINISTER).await?;
        let actor = &caller.actor();
        let user = self.user(id).await?.ok_or_else(|| StoreError::not_found(None, "no such user"))?;
        if user.active == active {
            return Ok(user);
        }
        if !active && actor.user == id.as_str() {
            return Err(StoreError::Forbidden("you cannot disable your own account; ask another administrator".into()));
        }
        let mut events = vec![(
            if active {
                Event::Identity(IdentityEvent::UserEnabled { id: id.clone() })
            } else {
                Event::Identity(IdentityEvent::UserDisabled { id: id.clone() })
            },
            Marking::Official,
        )];
        if !active {
            // A disabled account's tokens end with it, and stay ended if it is enabled again.
            events.extend(self.revocations(id).await?);
        }
        let extra = [Stmt::new("DELETE FROM sessions WHERE user_id = $1", vec![t(id)])];
        self.store.append_with(actor, &events, &extra).await?;
        self.user(id).await?.ok_or_else(|| StoreError::Integrity("user vanished".into()))
    }

    /// Sets a new password after checking the current one (when given). Ends
    /// every other session of the user. A check of the current password is a
    /// guess like a sign-in: it counts against the account's allowance first
    /// ([`StoreError::Throttled`] once that is spent) and a right one clears it.
    pub async fn change_password(
        &self,
        actor: &Actor,
        user_id: &UserId,
        current: Option<&str>,
        new: &str,
    ) -> Result<(), StoreError> {
        let user = self.user(user_id).await?.ok_or_else(|| StoreError::not_found(None, "no such user"))?;
        if let Some(current) = current {
            let key = throttle::account_key(&user.email);
            if let Err(retry_after) = self.admit(&key, self.store.now()).await? {
                return Err(StoreError::Throttled { retry_after });
            }
            let Some(turn) = self.store.password_turn(Some(TURN_WAIT)).await else {
                self.uncount(&key).await?;
                return Err(StoreError::Busy { retry_after: 1 });
            };
            let hash = self.password_hash(user_id).await?;
            if !verify_password(self.store.inner.password_cost, hash, current.to_string(), turn).await {
                return Err(StoreError::invalid("current_password", "the current password is not right"));
            }
            self.clear_count(&key).await?;
        }
        cordon_domain::password::check(new, &[&user.email, &user.name])
            .map_err(|m| StoreError::invalid("new_password", m))?;
        let turn = self.store.password_turn(None).await.ok_or(StoreError::Busy { retry_after: 1 })?;
        let hash = hash_password(self.store.inner.password_cost, new.to_string(), turn).await?;
        let extra = [
            Stmt::new(
                "UPDATE credentials SET password_hash = $2, updated_at = $3 WHERE user_id = $1",
                vec![t(user_id), t(&hash), t(&self.store.now_text())],
            ),
            Stmt::new("DELETE FROM sessions WHERE user_id = $1", vec![t(user_id)]),
        ];
        // A new password ends every credential that came from the old one.
        let mut events =
            vec![(Event::Identity(IdentityEvent::PasswordChanged { user_id: user_id.clone() }), Marking::Official)];
        events.extend(self.revocations(user_id).await?);
        self.store.append_with(actor, &events, &extra).await?;
        Ok(())
    }

    /// Revocations of every API token of a user that is still live.
    async fn revocations(&self, user_id: &UserId) -> Result<Vec<(Event, Marking)>, StoreError> {
        Ok(self
            .tokens_of(user_id)
            .await?
            .into_iter()
            .filter(|t| t.revoked_at.is_none())
            .map(|t| (Event::Identity(IdentityEvent::ApiTokenRevoked { id: t.id }), Marking::Official))
            .collect())
    }

    pub(crate) async fn password_hash(&self, user_id: &UserId) -> Result<Option<String>, StoreError> {
        Ok(self
            .store
            .fetch_one("SELECT password_hash FROM credentials WHERE user_id = $1", &[t(user_id)])
            .await?
            .map(|r| r.text(0)))
    }

    // ----- TOTP ----------------------------------------------------------

    /// Starts TOTP set-up: stores a new secret, not yet in force, and returns
    /// it base32-encoded with its otpauth:// address.
    pub async fn begin_totp(&self, user_id: &UserId) -> Result<(String, String), StoreError> {
        let user = self.user(user_id).await?.ok_or_else(|| StoreError::not_found(None, "no such user"))?;
        if user.totp_enabled {
            return Err(StoreError::Conflict("a second factor is already set up for this account".into()));
        }
        let secret = random_token(20);
        self.store
            .fetch(
                "UPDATE credentials SET totp_secret = $2, totp_last_step = NULL, updated_at = $3 WHERE user_id = $1",
                &[t(user_id), t(&secret), t(&self.store.now_text())],
            )
            .await?;
        let totp = totp_for(&secret, &user.email)?;
        Ok((totp.get_secret_base32(), totp.get_url()))
    }

    /// The pending or active TOTP secret, base32 and otpauth URL (for the set-up page).
    pub async fn pending_totp(&self, user_id: &UserId) -> Result<Option<(String, String)>, StoreError> {
        let user = self.user(user_id).await?.ok_or_else(|| StoreError::not_found(None, "no such user"))?;
        let row = self.store.fetch_one("SELECT totp_secret FROM credentials WHERE user_id = $1", &[t(user_id)]).await?;
        match row.and_then(|r| r.opt_text(0)) {
            Some(secret) if !user.totp_enabled => {
                let totp = totp_for(&secret, &user.email)?;
                Ok(Some((totp.get_secret_base32(), totp.get_url())))
            }
            _ => Ok(None),
        }
    }

    /// Confirms TOTP set-up with a current code.
    pub async fn confirm_totp(&self, actor: &Actor, user_id: &UserId, code: &str) -> Result<(), StoreError> {
        let step = self.check_totp_code(user_id, code).await?;
        let extra = [Stmt::new(
            "UPDATE credentials SET totp_last_step = $2 WHERE user_id = $1",
            vec![t(user_id), Val::Int(step)],
        )];
        self.store
            .append_with(
                actor,
                &[(Event::Identity(IdentityEvent::TotpEnabled { user_id: user_id.clone() }), Marking::Official)],
                &extra,
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn check_totp_code(&self, user_id: &UserId, code: &str) -> Result<i64, StoreError> {
        let user = self.user(user_id).await?.ok_or_else(|| StoreError::not_found(None, "no such user"))?;
        let row = self
            .store
            .fetch_one("SELECT totp_secret, totp_last_step FROM credentials WHERE user_id = $1", &[t(user_id)])
            .await?
            .ok_or_else(|| StoreError::invalid("totp", "no second factor is being set up"))?;
        let secret = row.opt_text(0).ok_or_else(|| StoreError::invalid("totp", "no second factor is being set up"))?;
        let totp = totp_for(&secret, &user.email)?;
        totp_match(&totp, code, row.opt_int(1), self.store.now()).ok_or_else(|| {
            StoreError::invalid("totp", "the code is not right or has expired; enter the current 6-digit code")
        })
    }

    // ----- sign-in -------------------------------------------------------

    /// Checks a sign-in attempt, with throttling per account and per address
    /// (see [`throttle`]) and an access-log entry for each failure. Returns the
    /// user on success.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        totp: Option<&str>,
        ip: &str,
    ) -> Result<User, SignInError> {
        let se = |e: StoreError| SignInError::Store(e.to_string());
        let email = email.trim().to_lowercase();
        let account = throttle::account_key(&email);
        let now = self.store.now();
        // Counted before anything is checked, in one statement: attempts made
        // at the same moment each take their own place in the count.
        if let Err(retry_after) = self.admit(&account, now).await.map_err(se)? {
            self.audit_sign_in(&email, ip, "sign_in_throttled", "too many failures").await;
            return Err(SignInError::Throttled { retry_after });
        }
        let Some(turn) = self.store.password_turn(Some(TURN_WAIT)).await else {
            // Nothing was checked, so nothing was guessed.
            self.uncount(&account).await.map_err(se)?;
            tracing::warn!("a sign-in waited too long for a turn at checking passwords");
            return Err(SignInError::Busy { retry_after: 1 });
        };
        let user = self.user_by_email(&email).await.map_err(se)?;
        let hash = match &user {
            Some(u) => self.password_hash(&u.id).await.map_err(se)?,
            None => None,
        };
        let ok = verify_password(self.store.inner.password_cost, hash, password.to_string(), turn).await;
        let user = match (ok, user) {
            (true, Some(u)) if u.active => u,
            _ => {
                let wait = self.count_address_failure(&throttle::address_key(ip), now).await.map_err(se)?;
                self.audit_sign_in(
                    &email,
                    ip,
                    "sign_in_failed",
                    "wrong e-mail address or password, or account disabled",
                )
                .await;
                return Err(match wait {
                    0 => SignInError::BadCredentials,
                    retry_after => SignInError::SlowDown { retry_after, second_factor: false },
                });
            }
        };
        let needs_totp = user.totp_enabled;
        if needs_totp {
            match totp.map(str::trim).filter(|c| !c.is_empty()) {
                None => {
                    // The password was right: asking for the code is not a failure.
                    self.uncount(&account).await.map_err(se)?;
                    return Err(SignInError::TotpRequired);
                }
                Some(code) => match self.check_totp_code(&user.id, code).await {
                    // Consume the time step in one statement: of two sign-ins
                    // with one code at the same moment, only one gets a row back.
                    Ok(step)
                        if !self
                            .store
                            .fetch(
                                "UPDATE credentials SET totp_last_step = $2 WHERE user_id = $1 \
                                 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING user_id",
                                &[t(&user.id), Val::Int(step)],
                            )
                            .await
                            .map_err(se)?
                            .is_empty() => {}
                    _ => {
                        let wait = self.count_address_failure(&throttle::address_key(ip), now).await.map_err(se)?;
                        self.audit_sign_in(&email, ip, "sign_in_failed", "wrong or expired second-factor code").await;
                        return Err(match wait {
                            0 => SignInError::TotpInvalid,
                            retry_after => SignInError::SlowDown { retry_after, second_factor: true },
                        });
                    }
                },
            }
        }
        self.clear_count(&account).await.map_err(se)?;
        self.audit_sign_in(&email, ip, "sign_in", "signed in").await;
        Ok(user)
    }

    pub(crate) async fn audit_sign_in(&self, email: &str, ip: &str, kind: &str, detail: &str) {
        let payload = serde_json::json!({"email": email, "ip": ip, "detail": detail}).to_string();
        let entry = AccessEntry {
            stream: format!("sign-in/{email}"),
            kind: kind.into(),
            marking: Marking::Official.as_str().into(),
            payload,
        };
        if let Err(e) = self.store.log_access(&Actor::new(email, "-"), vec![entry]).await {
            tracing::error!(error = %e, "could not write the access log");
        }
    }

    // ----- sessions ------------------------------------------------------

    /// Starts a session; returns the secret for the cookie and the session.
    pub async fn create_session(
        &self,
        user: &User,
        ip: &str,
        user_agent: &str,
        policy: SessionPolicy,
    ) -> Result<(String, Session), StoreError> {
        let token = random_token(32);
        let now = self.store.now();
        let session = Session {
            id: new_id(),
            user_id: user.id.clone(),
            created_at: crate::format_time(now),
            last_seen_at: crate::format_time(now),
            expires_at: crate::format_time(now + policy.absolute),
            ip: ip.chars().take(100).collect(),
            user_agent: user_agent.chars().take(300).collect(),
            csrf_token: random_token(32),
        };
        self.store
            .fetch(
                "INSERT INTO sessions (id_hash, public_id, user_id, security_version, csrf_token, created_at, \
             last_seen_at, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    t(&sha256_hex(&token)),
                    t(&session.id),
                    t(&user.id),
                    Val::Int(user.security_version),
                    t(&session.csrf_token),
                    t(&session.created_at),
                    t(&session.last_seen_at),
                    t(&session.expires_at),
                    t(&session.ip),
                    t(&session.user_agent),
                ],
            )
            .await?;
        Ok((token, session))
    }

    /// The session for a cookie secret, if still valid: not idle too long, not
    /// past its absolute end, and made under the user's current security version;
    /// with its user and their access-policy view.
    pub async fn session(
        &self,
        token: &str,
        policy: SessionPolicy,
    ) -> Result<Option<(User, Session, Viewer)>, StoreError> {
        let hash = sha256_hex(token);
        // One query for the session, its user and their teams (a row per team):
        // this runs on every request.
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.public_id, s.security_version, s.csrf_token, s.created_at, s.last_seen_at, \
             s.expires_at, s.ip, s.user_agent, m.record_id FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN organisations o ON o.id = u.organisation_id LEFT JOIN team_members m ON m.user_id = u.id \
             WHERE s.id_hash = $1"
        );
        let rows = self.store.fetch(&sql, &[t(&hash)]).await?;
        let Some(r) = rows.first() else { return Ok(None) };
        let user = user_of(r)?;
        let session = Session {
            id: r.text(11),
            user_id: user.id.clone(),
            csrf_token: r.text(13),
            created_at: r.text(14),
            last_seen_at: r.text(15),
            expires_at: r.text(16),
            ip: r.text(17),
            user_agent: r.text(18),
        };
        let now = self.store.now();
        let valid = parse_time(&session.expires_at) > now
            && parse_time(&session.last_seen_at) + policy.idle > now
            && user.active
            && user.security_version == r.int(12);
        if !valid {
            self.store.fetch("DELETE FROM sessions WHERE id_hash = $1", &[t(&hash)]).await?;
            return Ok(None);
        }
        // Record activity at most once a minute to keep reads cheap.
        if parse_time(&session.last_seen_at) + Duration::minutes(1) < now {
            self.store
                .fetch(
                    "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1",
                    &[t(&hash), t(&crate::format_time(now))],
                )
                .await?;
        }
        let teams = rows.iter().filter_map(|r| r.opt_id(19).transpose()).collect::<Result<_, _>>()?;
        let viewer = viewer_of(&user, teams);
        Ok(Some((user, session, viewer)))
    }

    pub async fn end_session(&self, token: &str) -> Result<(), StoreError> {
        self.store.fetch("DELETE FROM sessions WHERE id_hash = $1", &[t(&sha256_hex(token))]).await?;
        Ok(())
    }

    pub async fn sessions_of(&self, user_id: &UserId) -> Result<Vec<Session>, StoreError> {
        Ok(self
            .store
            .fetch(
                "SELECT public_id, user_id, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions \
                 WHERE user_id = $1 ORDER BY created_at DESC",
                &[t(user_id)],
            )
            .await?
            .into_iter()
            .map(|r| Session {
                id: r.text(0),
                user_id: user_id.clone(),
                created_at: r.text(2),
                last_seen_at: r.text(3),
                expires_at: r.text(4),
                ip: r.text(5),
                user_agent: r.text(6),
                csrf_token: String::new(),
            })
            .collect())
    }

    /// Ends one of the user's own sessions. Returns whether one was ended.
    pub async fn revoke_session(&self, user_id: &UserId, public_id: &str) -> Result<bool, StoreError> {
        let deleted = self
            .store
            .fetch(
                "DELETE FROM sessions WHERE user_id = $1 AND public_id = $2 RETURNING public_id",
                &[t(user_id), t(public_id)],
            )
            .await?;
        Ok(!deleted.is_empty())
    }

    // ----- API tokens ----------------------------------------------------

    /// Issues a token; the secret is returned once and stored only as a hash.
    pub async fn issue_token(
        &self,
        actor: &Actor,
        user_id: &UserId,
        name: &str,
        expires_days: i64,
    ) -> Result<(String, ApiToken), StoreError> {
        if !(1..=366).contains(&expires_days) {
            return Err(StoreError::invalid("expires_days", "a token must expire in 1 to 366 days"));
        }
        let name = check_name("name", name).map_err(|m| StoreError::invalid("name", m))?;
        let user = self.user(user_id).await?.ok_or_else(|| StoreError::not_found(None, "no such user"))?;
        if !user.active {
            return Err(StoreError::invalid("user", "the account is disabled"));
        }
        let secret = format!("cordon_{}", random_token(32));
        let id = new_id();
        let expires_at = crate::format_time(self.store.now() + Duration::days(expires_days));
        let event = Event::Identity(IdentityEvent::ApiTokenIssued {
            id: id.clone(),
            user_id: user_id.clone(),
            name,
            token_hash: sha256_hex(&secret),
            expires_at,
        });
        self.store.append(actor, &[(event, Marking::Official)]).await?;
        let token = self.tokens_of(user_id).await?.into_iter().find(|t| t.id == id);
        Ok((secret, token.ok_or_else(|| StoreError::Integrity("token vanished".into()))?))
    }

    pub async fn tokens_of(&self, user_id: &UserId) -> Result<Vec<ApiToken>, StoreError> {
        Ok(self
            .store
            .fetch(
                "SELECT id, user_id, name, created_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 \
                 ORDER BY created_at DESC",
                &[t(user_id)],
            )
            .await?
            .into_iter()
            .map(|r| ApiToken {
                id: r.text(0),
                user_id: user_id.clone(),
                name: r.text(2),
                created_at: r.text(3),
                expires_at: r.text(4),
                revoked_at: r.opt_text(5),
            })
            .collect())
    }

    pub async fn revoke_token(&self, actor: &Actor, user_id: &UserId, token_id: &str) -> Result<(), StoreError> {
        let token = self
            .tokens_of(user_id)
            .await?
            .into_iter()
            .find(|t| t.id == token_id)
            .ok_or_else(|| StoreError::not_found(None, "no such token"))?;
        if token.revoked_at.is_some() {
            return Ok(());
        }
        self.store
            .append(
                actor,
                &[(Event::Identity(IdentityEvent::ApiTokenRevoked { id: token_id.into() }), Marking::Official)],
            )
            .await?;
        Ok(())
    }

    /// The user a bearer token belongs to, if it is valid, unexpired and unrevoked.
    pub async fn token_user(&self, secret: &str) -> Result<Option<User>, StoreError> {
        let row = self
            .store
            .fetch_one(
                "SELECT user_id, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1",
                &[t(&sha256_hex(secret.trim()))],
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        if r.opt_text(2).is_some() || parse_time(&r.text(1)) <= self.store.now() {
            return Ok(None);
        }
        Ok(self.user(&r.id(0)?).await?.filter(|u| u.active))
    }

    // ----- viewers and teams ---------------------------------------------

    /// The access-policy view of a user: their roles, clearance and teams.
    pub async fn viewer(&self, user: &User) -> Result<Viewer, StoreError> {
        let teams: BTreeSet<RecordId> = self
            .store
            .fetch("SELECT record_id FROM team_members WHERE user_id = $1", &[t(&user.id)])
            .await?
            .into_iter()
            .map(|r| r.id(0))
            .collect::<Result<_, _>>()?;
        Ok(viewer_of(user, teams))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_codes_match_once_and_expire() {
        let totp = totp_for(&"ab".repeat(20), "jo@x.uk").unwrap();
        let now = OffsetDateTime::now_utc();
        let code = totp.generate(now.unix_timestamp() as u64);
        let step = totp_match(&totp, &code, None, now).unwrap();
        // The same code cannot be used twice.
        assert_eq!(totp_match(&totp, &code, Some(step), now), None);
        // A code from five minutes ago has expired.
        let old = totp.generate((now - Duration::minutes(5)).unix_timestamp() as u64);
        assert_eq!(totp_match(&totp, &old, None, now), None);
        assert_eq!(totp_match(&totp, "12345", None, now), None);
    }
}
