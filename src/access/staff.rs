//! A staff member as other capabilities may read them: how they are named and reached. `users`
//! belongs to access; a council page that names its coordinator asks here instead of reading the
//! table itself.

use diesel::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::users;
use crate::fields::{Phone, format_phone};
use crate::web::i18n::Lang;

/// How a staff member is named and reached at work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffContact {
    /// The display name, or the address for a staff member who has none.
    pub name: String,
    pub email: String,
    /// The work phone as people read it (`912 34 567`), when recorded.
    pub work_phone: Option<String>,
    /// The work phone in E.164, for a `tel:` link.
    pub work_phone_e164: Option<String>,
    /// Still working in the service (not deactivated).
    pub active: bool,
    /// The language their messages are written in.
    pub lang: Lang,
}

/// The columns of `users` a [`StaffContact`] is made of ([`StaffContact::from_row`]), for a query
/// that reads a contact beside other things in one statement.
pub type ContactColumns = (
    users::display_name,
    users::email,
    users::work_phone,
    users::active,
    users::lang,
);

/// What [`ContactColumns`] read.
pub type ContactRow = (String, String, Option<String>, bool, String);

pub const CONTACT_COLUMNS: ContactColumns = (
    users::display_name,
    users::email,
    users::work_phone,
    users::active,
    users::lang,
);

impl StaffContact {
    pub fn from_row((name, email, phone, active, lang): ContactRow) -> Self {
        StaffContact {
            name: if name.trim().is_empty() {
                email.clone()
            } else {
                name
            },
            email,
            work_phone: phone.as_deref().map(format_phone),
            work_phone_e164: phone,
            active,
            lang: Lang::parse(&lang).unwrap_or_default(),
        }
    }
}

/// `user`'s contact in the current tenant, if they exist.
pub fn contact(conn: &mut PgConnection, user: Uuid) -> QueryResult<Option<StaffContact>> {
    let row: Option<ContactRow> = users::table
        .filter(users::id.eq(user))
        .select(CONTACT_COLUMNS)
        .first(conn)
        .optional()?;
    Ok(row.map(StaffContact::from_row))
}

/// How each of `ids` is named in the current tenant (the address for someone without a name), for
/// lists that name many staff members at once.
pub fn names(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<std::collections::HashMap<Uuid, String>> {
    let rows: Vec<(Uuid, String, String)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name, users::email))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, email)| (id, if name.trim().is_empty() { email } else { name }))
        .collect())
}

/// Records `user`'s work phone, or removes it.
pub fn set_work_phone(
    conn: &mut PgConnection,
    user: Uuid,
    phone: Option<&Phone>,
) -> QueryResult<usize> {
    diesel::update(users::table.filter(users::id.eq(user)))
        .set(users::work_phone.eq(phone.map(Phone::as_str)))
        .execute(conn)
}

/// Sets the language a staff member's emails are written in.
pub fn set_lang(conn: &mut PgConnection, user: Uuid, lang: Lang) -> QueryResult<usize> {
    diesel::update(users::table.filter(users::id.eq(user)))
        .set(users::lang.eq(lang.as_str()))
        .execute(conn)
}

/// A staff member one may give a case to: id, name, email.
pub type CaseHolder = (Uuid, String, String);

/// The active staff of the current tenant who may be assigned cases (every role but leader, who
/// sees figures, not cases), by name.
pub fn case_holders(conn: &mut PgConnection) -> QueryResult<Vec<CaseHolder>> {
    users::table
        .filter(users::active.eq(true))
        .filter(users::role.ne(super::Role::Leader.as_str()))
        .select((users::id, users::display_name, users::email))
        .order((users::display_name, users::email))
        .load(conn)
}
