//! Login, sessions and logout. Passwords are hashed with argon2id; session tokens are random,
//! and only their SHA-256 is stored.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use domain::audit::{AuditAction, Outcome};
use domain::user::{Actor, Email, Role};
use rand::RngCore;
use sha2::{Digest, Sha256};
use store::audit::NewAuditEvent;
use store::sessions::SessionRecord;

use crate::{App, AppError, Result};

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashing with valid defaults").to_string()
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A fixed hash to verify against when the account does not exist, so that the answer takes
/// the same time either way (no account enumeration by timing).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("parcours-dummy-password"))
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A live session, as the web layer needs it.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub user_name: String,
    pub org_name: String,
    pub csrf_token: String,
}

/// A successful login: the token goes into the cookie, never into a log.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub token: String,
    pub session: Session,
}

fn expiry(hours: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(hours))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("UTC timestamps always format")
}

impl App {
    /// Checks the credentials; `client` identifies the caller's address for throttling.
    pub async fn login(&self, email: &str, password: &str, client: &str) -> Result<LoggedIn> {
        let account_key = format!("account:{}", token_hash(&email.trim().to_lowercase()));
        let client_key = format!("client:{client}");
        if self.throttle.count(&account_key) >= self.config.max_failed_logins_per_account
            || self.throttle.count(&client_key) >= self.config.max_failed_logins_per_client
        {
            return Err(AppError::Throttled);
        }
        let email = Email::parse(email);
        let mut tx = self.store.begin_audited().await?;
        let user = match &email {
            Ok(e) => store::users::by_email(&mut tx, e).await?,
            Err(_) => None,
        };
        // Demo accounts exist only to show a demo database: never usable elsewhere.
        let demo_db = store::settings::get(&mut tx, store::settings::DEMO).await?.as_deref() == Some("true");
        let ok = match &user {
            Some(u) => verify_password(password, &u.password_hash) && u.active && (demo_db || !u.is_demo),
            None => {
                let _ = verify_password(password, dummy_hash());
                false
            }
        };
        let memberships = match (&user, ok) {
            (Some(u), true) => store::users::memberships(&mut tx, u.id).await?,
            _ => Vec::new(),
        };
        let (Some(user), Some(first)) = (user.filter(|_| ok), memberships.first()) else {
            crate::audit::record_system(&mut tx, AuditAction::LoginFailed, Outcome::Denied).await?;
            tx.commit().await?;
            self.throttle.fail(&account_key);
            self.throttle.fail(&client_key);
            return Err(AppError::BadCredentials);
        };
        let token = random_token();
        let record = SessionRecord {
            user: user.id,
            org: first.org,
            csrf_token: random_token(),
            expires_at: expiry(self.config.session_hours),
        };
        store::sessions::insert(&mut tx, &token_hash(&token), &record).await?;
        let grants = store::access::grants_of(&mut tx, first.org).await?;
        store::audit::append(
            &mut tx,
            NewAuditEvent {
                actor_user: Some(user.id.0),
                actor_org: Some(first.org.0),
                action: AuditAction::LoginSucceeded,
                target_kind: None,
                target_id: None,
                outcome: Outcome::Allowed,
            },
        )
        .await?;
        tx.commit().await?;
        self.throttle.clear(&account_key);
        let session = Session {
            actor: Actor { user: user.id, org: first.org, roles: first.roles.clone(), grants },
            user_name: user.display_name,
            org_name: first.org_name.clone(),
            csrf_token: record.csrf_token,
        };
        Ok(LoggedIn { token, session })
    }

    /// The live session for a cookie token, with the roles held today (a role removed since
    /// login takes effect at once).
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let mut conn = self.store.pool().acquire().await?;
        let Some(s) = store::sessions::get_live(&mut conn, &token_hash(token), &store::now_timestamp()).await? else {
            return Ok(None);
        };
        let Some(user) = store::users::get(&mut conn, s.user).await?.filter(|u| u.active) else { return Ok(None) };
        let memberships = store::users::memberships(&mut conn, s.user).await?;
        let Some(m) = memberships.into_iter().find(|m| m.org == s.org) else { return Ok(None) };
        let grants = store::access::grants_of(&mut conn, s.org).await?;
        Ok(Some(Session {
            actor: Actor { user: s.user, org: s.org, roles: m.roles, grants },
            user_name: user.display_name,
            org_name: m.org_name,
            csrf_token: s.csrf_token,
        }))
    }

    pub async fn logout(&self, token: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.store.begin_audited().await?;
        store::sessions::delete(&mut tx, &token_hash(token)).await?;
        crate::audit::record(&mut tx, actor, AuditAction::Logout, None, Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Roles carried by a user for display (e.g. "Référent").
pub fn role_labels(roles: &[Role]) -> String {
    roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")
}
