//! Raw SQL that stays prepared on its connection. Diesel keeps the statements of its query
//! builder prepared, but never those of `sql_query`, so a long report (the leader's figures, a
//! union of a dozen joins) was planned again on every request, which cost about as much as
//! running it. A [`Kept`] statement is cached like the query builder's: PostgreSQL plans it a
//! few times, then keeps a plan for the connection (and plans again when the tables change).
//!
//! Each `$n` in the text is the n-th bind; it may appear more than once. The text must not hold
//! a `$` otherwise (no dollar quoting, no `$` in a literal).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, Date, Integer, Text, Timestamptz, Untyped, Uuid};
use diesel::{PgConnection, QueryResult, RunQueryDsl};

/// One value bound to a [`Kept`] statement.
#[derive(Debug, Clone)]
pub enum Bind {
    Moment(DateTime<Utc>),
    Day(NaiveDate),
    Int(i32),
    Text(String),
    Id(uuid::Uuid),
    Ids(Vec<uuid::Uuid>),
    Texts(Vec<String>),
}

/// A raw statement and its binds; load it like `sql_query` (rows by name).
#[derive(Debug, Clone)]
pub struct Kept {
    sql: &'static str,
    binds: Vec<Bind>,
}

/// `sql` with `binds` for `$1`, `$2`, … in order.
pub fn kept(sql: &'static str, binds: Vec<Bind>) -> Kept {
    Kept { sql, binds }
}

impl QueryId for Kept {
    type QueryId = ();
    // Cached by its text and bind types, as diesel caches the query builder's dynamic queries.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Kept {
    type SqlType = Untyped;
}

impl RunQueryDsl<PgConnection> for Kept {}

impl QueryFragment<Pg> for Kept {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut rest = self.sql;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let digits = rest[at + 1..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len() - at - 1);
            let number: usize = rest[at + 1..at + 1 + digits].parse().map_err(|_| {
                diesel::result::Error::QueryBuilderError("a $ without a number".into())
            })?;
            let bind = number
                .checked_sub(1)
                .and_then(|i| self.binds.get(i))
                .ok_or_else(|| {
                    diesel::result::Error::QueryBuilderError(
                        format!("no bind for ${number}").into(),
                    )
                })?;
            match bind {
                Bind::Moment(v) => out.push_bind_param::<Timestamptz, _>(v)?,
                Bind::Day(v) => out.push_bind_param::<Date, _>(v)?,
                Bind::Int(v) => out.push_bind_param::<Integer, _>(v)?,
                Bind::Text(v) => out.push_bind_param::<Text, _>(v)?,
                Bind::Id(v) => out.push_bind_param::<Uuid, _>(v)?,
                Bind::Ids(v) => out.push_bind_param::<Array<Uuid>, _>(v)?,
                Bind::Texts(v) => out.push_bind_param::<Array<Text>, _>(v)?,
            }
            rest = &rest[at + 1 + digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dollar_is_its_bind_in_the_order_they_appear() {
        let query = kept(
            "SELECT $2, $1 WHERE $2 <> ''",
            vec![Bind::Int(1), Bind::Text("x".into())],
        );
        let shown = diesel::debug_query::<Pg, _>(&query).to_string();
        assert!(shown.starts_with("SELECT $1, $2 WHERE $3 <> ''"), "{shown}");
        assert!(shown.contains(r#"["x", 1, "x"]"#), "{shown}");
    }
}
