//! One small dialect-neutral layer over the two backends: values, rows, and a
//! transaction handle. Queries are written once, with `$n` placeholders that
//! both SQLite and PostgreSQL accept, and run on either.

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Column, Postgres, Row as _, Sqlite, TypeInfo, ValueRef};

/// A value bound to, or read from, a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    /// A NULL bound to a text column (PostgreSQL needs the type).
    NullText,
    /// A NULL bound to an integer column.
    NullInt,
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Val::Text(s.to_string())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Text(s)
    }
}
impl From<&String> for Val {
    fn from(s: &String) -> Self {
        Val::Text(s.clone())
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Self {
        Val::Int(i)
    }
}
impl From<Vec<u8>> for Val {
    fn from(b: Vec<u8>) -> Self {
        Val::Bytes(b)
    }
}
impl From<Option<String>> for Val {
    fn from(s: Option<String>) -> Self {
        s.map(Val::Text).unwrap_or(Val::NullText)
    }
}

/// Identifiers and instants are written as the text they serialise to.
macro_rules! text_val {
    ($($t:ty),*) => {$(
        impl From<&$t> for Val {
            fn from(v: &$t) -> Self {
                Val::Text(v.to_string())
            }
        }
        impl From<Option<$t>> for Val {
            fn from(v: Option<$t>) -> Self {
                v.map(|v| Val::Text(v.to_string())).unwrap_or(Val::NullText)
            }
        }
    )*};
}
text_val!(
    cordon_domain::ids::EventId,
    cordon_domain::ids::UserId,
    cordon_domain::ids::OrganisationId,
    cordon_domain::ids::RecordId,
    cordon_domain::ids::Instant
);

/// A statement with its arguments, as produced by the projector.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub sql: &'static str,
    pub args: Vec<Val>,
}

impl Stmt {
    pub fn new(sql: &'static str, args: Vec<Val>) -> Self {
        Self { sql, args }
    }
}

/// A row read from either backend.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Val>);

impl Row {
    /// An identifier column, checked: a malformed stored id is an integrity fault.
    pub fn id<T: TryFrom<String, Error = cordon_domain::ids::BadId>>(&self, i: usize) -> Result<T, crate::StoreError> {
        T::try_from(self.text(i)).map_err(|e| crate::StoreError::Integrity(e.to_string()))
    }

    /// An optional identifier column (NULL or empty is `None`).
    pub fn opt_id<T: TryFrom<String, Error = cordon_domain::ids::BadId>>(
        &self,
        i: usize,
    ) -> Result<Option<T>, crate::StoreError> {
        match self.opt_text(i).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => T::try_from(s).map(Some).map_err(|e| crate::StoreError::Integrity(e.to_string())),
        }
    }

    pub fn text(&self, i: usize) -> String {
        match self.0.get(i) {
            Some(Val::Text(s)) => s.clone(),
            Some(Val::Int(n)) => n.to_string(),
            _ => String::new(),
        }
    }

    pub fn opt_text(&self, i: usize) -> Option<String> {
        match self.0.get(i) {
            Some(Val::Text(s)) => Some(s.clone()),
            _ => None,
        }
    }

    pub fn int(&self, i: usize) -> i64 {
        match self.0.get(i) {
            Some(Val::Int(n)) => *n,
            Some(Val::Text(s)) => s.parse().unwrap_or(0),
            _ => 0,
        }
    }

    pub fn float(&self, i: usize) -> f64 {
        match self.0.get(i) {
            Some(Val::Float(f)) => *f,
            Some(Val::Int(n)) => *n as f64,
            Some(Val::Text(s)) => s.parse().unwrap_or(0.0),
            _ => 0.0,
        }
    }

    pub fn opt_int(&self, i: usize) -> Option<i64> {
        match self.0.get(i) {
            Some(Val::Int(n)) => Some(*n),
            _ => None,
        }
    }

    /// A number column that may be NULL (as an aggregate over no rows is).
    pub fn opt_float(&self, i: usize) -> Option<f64> {
        match self.0.get(i) {
            Some(Val::Float(f)) => Some(*f),
            Some(Val::Int(n)) => Some(*n as f64),
            _ => None,
        }
    }

    pub fn bytes(&self, i: usize) -> Vec<u8> {
        match self.0.get(i) {
            Some(Val::Bytes(b)) => b.clone(),
            _ => Vec::new(),
        }
    }

    pub fn take_text(&mut self, i: usize) -> String {
        match self.0.get_mut(i) {
            Some(Val::Text(s)) => std::mem::take(s),
            _ => String::new(),
        }
    }

    pub fn take_bytes(&mut self, i: usize) -> Vec<u8> {
        match self.0.get_mut(i) {
            Some(Val::Bytes(b)) => std::mem::take(b),
            _ => Vec::new(),
        }
    }
}

pub(crate) fn sqlite_query<'q>(sql: &'q str, args: &[Val]) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    let mut q = sqlx::query(sql);
    for a in args {
        q = match a {
            Val::Null | Val::NullText => q.bind(None::<String>),
            Val::NullInt => q.bind(None::<i64>),
            Val::Int(n) => q.bind(*n),
            Val::Float(f) => q.bind(*f),
            Val::Text(s) => q.bind(s.clone()),
            Val::Bytes(b) => q.bind(b.clone()),
        };
    }
    q
}

pub(crate) fn pg_query<'q>(sql: &'q str, args: &[Val]) -> Query<'q, Postgres, PgArguments> {
    let mut q = sqlx::query(sql);
    for a in args {
        q = match a {
            Val::Null | Val::NullText => q.bind(None::<String>),
            Val::NullInt => q.bind(None::<i64>),
            Val::Int(n) => q.bind(*n),
            Val::Float(f) => q.bind(*f),
            Val::Text(s) => q.bind(s.clone()),
            Val::Bytes(b) => q.bind(b.clone()),
        };
    }
    q
}

pub(crate) fn from_sqlite(row: &SqliteRow) -> Result<Row, sqlx::Error> {
    let mut out = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        let raw = row.try_get_raw(i)?;
        if raw.is_null() {
            out.push(Val::Null);
            continue;
        }
        let kind = raw.type_info().name().to_string();
        out.push(match kind.as_str() {
            "INTEGER" => Val::Int(row.try_get(i)?),
            "REAL" => Val::Float(row.try_get(i)?),
            "BLOB" => Val::Bytes(row.try_get(i)?),
            _ => Val::Text(row.try_get(i)?),
        });
    }
    Ok(Row(out))
}

pub(crate) fn from_pg(row: &PgRow) -> Result<Row, sqlx::Error> {
    let mut out = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        if row.try_get_raw(i)?.is_null() {
            out.push(Val::Null);
            continue;
        }
        out.push(match col.type_info().name() {
            "INT8" => Val::Int(row.try_get::<i64, _>(i)?),
            "INT4" => Val::Int(row.try_get::<i32, _>(i)?.into()),
            "INT2" => Val::Int(row.try_get::<i16, _>(i)?.into()),
            "BOOL" => Val::Int(row.try_get::<bool, _>(i)?.into()),
            "FLOAT8" => Val::Float(row.try_get(i)?),
            "FLOAT4" => Val::Float(row.try_get::<f32, _>(i)?.into()),
            "BYTEA" => Val::Bytes(row.try_get(i)?),
            _ => Val::Text(row.try_get(i)?),
        });
    }
    Ok(Row(out))
}

/// An open transaction on either backend.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64, sqlx::Error> {
        Ok(match self {
            Tx::Sqlite(t) => sqlite_query(sql, args).execute(&mut **t).await?.rows_affected(),
            Tx::Postgres(t) => pg_query(sql, args).execute(&mut **t).await?.rows_affected(),
        })
    }

    pub async fn fetch(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Row>, sqlx::Error> {
        match self {
            Tx::Sqlite(t) => sqlite_query(sql, args).fetch_all(&mut **t).await?.iter().map(from_sqlite).collect(),
            Tx::Postgres(t) => pg_query(sql, args).fetch_all(&mut **t).await?.iter().map(from_pg).collect(),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.rollback().await,
            Tx::Postgres(t) => t.rollback().await,
        }
    }
}
