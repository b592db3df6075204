//! User accounts and their memberships (organisation × role).

use domain::user::{Email, Role};
use domain::{OrgId, UserId};

use crate::{conflict_on_unique, corrupt, Conn, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub is_demo: bool,
    pub active: bool,
}

/// One membership: the user acts for `org` with `roles`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRecord {
    pub org: OrgId,
    pub org_name: String,
    pub roles: Vec<Role>,
}

pub async fn insert(
    conn: &mut Conn,
    email: &Email,
    display_name: &str,
    password_hash: &str,
    is_demo: bool,
) -> Result<UserId> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (email, display_name, password_hash, is_demo, active, created_at) VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
    )
    .bind(email.as_str())
    .bind(display_name)
    .bind(password_hash)
    .bind(i64::from(is_demo))
    .bind(crate::now_timestamp())
    .fetch_one(conn)
    .await
    .map_err(conflict_on_unique)?;
    Ok(UserId(id))
}

pub async fn add_membership(conn: &mut Conn, user: UserId, org: OrgId, role: Role) -> Result<()> {
    sqlx::query("INSERT INTO memberships (user_id, org_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(user.0)
        .bind(org.0)
        .bind(role.code())
        .execute(conn)
        .await?;
    Ok(())
}

type UserRow = (i64, String, String, String, i64, i64);

fn user(r: UserRow) -> UserRecord {
    UserRecord {
        id: UserId(r.0),
        email: r.1,
        display_name: r.2,
        password_hash: r.3,
        is_demo: r.4 != 0,
        active: r.5 != 0,
    }
}

pub async fn by_email(conn: &mut Conn, email: &Email) -> Result<Option<UserRecord>> {
    let row: Option<UserRow> =
        sqlx::query_as("SELECT id, email, display_name, password_hash, is_demo, active FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(conn)
            .await?;
    Ok(row.map(user))
}

pub async fn get(conn: &mut Conn, id: UserId) -> Result<Option<UserRecord>> {
    let row: Option<UserRow> =
        sqlx::query_as("SELECT id, email, display_name, password_hash, is_demo, active FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(user))
}

/// The user's memberships, grouped by organisation, in a stable order.
pub async fn memberships(conn: &mut Conn, id: UserId) -> Result<Vec<MembershipRecord>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT m.org_id, o.name, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id
         WHERE m.user_id = $1 ORDER BY o.name, m.org_id, m.role",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    let mut out: Vec<MembershipRecord> = Vec::new();
    for (org, org_name, role) in rows {
        let role = Role::parse(&role).map_err(corrupt("rôle"))?;
        match out.last_mut() {
            Some(m) if m.org.0 == org => m.roles.push(role),
            _ => out.push(MembershipRecord { org: OrgId(org), org_name, roles: vec![role] }),
        }
    }
    Ok(out)
}

/// The active accounts acting for `org`, each with its roles there, by id.
pub async fn active_members_of(conn: &mut Conn, org: OrgId) -> Result<Vec<(UserId, Vec<Role>)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT m.user_id, m.role FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.org_id = $1 AND u.active = 1 ORDER BY m.user_id, m.role",
    )
    .bind(org.0)
    .fetch_all(conn)
    .await?;
    let mut out: Vec<(UserId, Vec<Role>)> = Vec::new();
    for (user, role) in rows {
        let role = Role::parse(&role).map_err(corrupt("rôle"))?;
        match out.last_mut() {
            Some((u, roles)) if u.0 == user => roles.push(role),
            _ => out.push((UserId(user), vec![role])),
        }
    }
    Ok(out)
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM users").fetch_one(conn).await?.0)
}

/// An account as the administration screens show it: never its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub is_demo: bool,
    pub active: bool,
    pub memberships: Vec<MembershipRecord>,
}

/// Every account with its memberships (grouped by organisation), by display name.
pub async fn all_with_memberships(conn: &mut Conn) -> Result<Vec<UserSummary>> {
    let users: Vec<(i64, String, String, i64, i64)> =
        sqlx::query_as("SELECT id, email, display_name, is_demo, active FROM users ORDER BY display_name, email, id")
            .fetch_all(&mut *conn)
            .await?;
    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT m.user_id, m.org_id, o.name, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id
         ORDER BY m.user_id, o.name, m.org_id, m.role",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut by_user: std::collections::HashMap<i64, Vec<MembershipRecord>> = std::collections::HashMap::new();
    for (user, org, org_name, role) in rows {
        let role = Role::parse(&role).map_err(corrupt("rôle"))?;
        let ms = by_user.entry(user).or_default();
        match ms.last_mut() {
            Some(m) if m.org.0 == org => m.roles.push(role),
            _ => ms.push(MembershipRecord { org: OrgId(org), org_name, roles: vec![role] }),
        }
    }
    for m in by_user.values_mut().flatten() {
        m.roles.sort();
    }
    Ok(users
        .into_iter()
        .map(|(id, email, display_name, is_demo, active)| UserSummary {
            id: UserId(id),
            email,
            display_name,
            is_demo: is_demo != 0,
            active: active != 0,
            memberships: by_user.remove(&id).unwrap_or_default(),
        })
        .collect())
}

/// (id, display name) of every account, for labelling the access log.
pub async fn names(conn: &mut Conn) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as("SELECT id, display_name FROM users ORDER BY id").fetch_all(conn).await?)
}

/// (id, display name, organisation names) of every account.
pub async fn names_and_orgs(conn: &mut Conn) -> Result<Vec<(i64, String, String)>> {
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT u.id, u.display_name, o.name FROM users u LEFT JOIN memberships m ON m.user_id = u.id
         LEFT JOIN organisations o ON o.id = m.org_id ORDER BY u.id, o.name",
    )
    .fetch_all(conn)
    .await?;
    let mut out: Vec<(i64, String, String)> = Vec::new();
    for (id, name, org) in rows {
        let org = org.unwrap_or_default();
        match out.last_mut() {
            Some(last) if last.0 == id => {
                if !last.2.contains(&org) {
                    last.2 = format!("{}, {org}", last.2);
                }
            }
            _ => out.push((id, name, org)),
        }
    }
    Ok(out)
}
