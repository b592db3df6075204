//! A small builder for queries whose shape depends on filters: it numbers `$n` placeholders
//! (accepted by both backends) and keeps the values to bind, so no value is ever spliced into
//! the SQL text.

use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs};
use sqlx::{Any, FromRow};

#[derive(Debug, Clone)]
pub(crate) enum Val {
    Int(i64),
    Text(String),
}

#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    binds: Vec<Val>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self { text: text.to_owned(), binds: Vec::new() }
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// `column` is one of many ids bound as one text value (a JSON array on SQLite, an array
    /// literal on PostgreSQL): for thousands of ids known already, where one placeholder each
    /// would pass the backends' limits and a sub-select would decide them again. PostgreSQL
    /// takes `= ANY (array)`, which it reads in index order (as `IN (SELECT unnest(…))`, it
    /// guessed ten ids, then sorted the rows of all of them, on disk).
    pub fn in_ids(&mut self, conn: &crate::Conn, column: &str, ids: impl Iterator<Item = i64>) -> String {
        let list = ids.map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            let p = self.param(Val::Text(format!("[{list}]")));
            format!("{column} IN (SELECT value FROM json_each({p}))")
        } else {
            let p = self.param(Val::Text(format!("{{{list}}}")));
            format!("{column} = ANY (CAST({p} AS BIGINT[]))")
        }
    }

    /// Registers a value and returns its placeholder.
    pub fn param(&mut self, v: Val) -> String {
        self.binds.push(v);
        format!("${}", self.binds.len())
    }

    pub fn query_as<'q, T>(&'q self) -> QueryAs<'q, Any, T, AnyArguments<'q>>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_as(&self.text);
        for b in &self.binds {
            q = match b {
                Val::Int(i) => q.bind(*i),
                Val::Text(s) => q.bind(s.as_str()),
            };
        }
        q
    }

    #[allow(dead_code)]
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for b in &self.binds {
            q = match b {
                Val::Int(i) => q.bind(*i),
                Val::Text(s) => q.bind(s.as_str()),
            };
        }
        q
    }
}
