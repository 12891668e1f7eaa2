//! The projector: the only code that writes state tables. It hands each journal
//! event to its capability's `project`, which turns it into SQL statements on
//! that capability's own tables; they are applied live in the append
//! transaction and again by `rebuild` when the journal is replayed into empty
//! tables.

use crate::sql::{Stmt, Val};
use cordon_domain::journal::Entry;
use cordon_domain::Event;

/// A state table and the key order used to compare states.
pub struct Table {
    pub name: &'static str,
    pub order_by: &'static str,
}

/// Every capability's state tables, parents before children.
pub const TABLES: &[&[Table]] = &[
    crate::reference::project::TABLES,
    crate::threat::project::TABLES,
    crate::demo::project::TABLES,
    crate::identity::project::TABLES,
    crate::events::project::TABLES,
    crate::records::project::TABLES,
    crate::plan::project::TABLES,
    crate::advice::project::TABLES,
    crate::seco::project::TABLES,
    crate::policy::project::TABLES,
    crate::places::project::TABLES,
    crate::estate::project::TABLES,
];

/// Every state table, parents before children.
pub fn tables() -> impl Iterator<Item = &'static Table> {
    TABLES.iter().flat_map(|t| t.iter())
}

/// The statements that apply `event` (recorded as `entry`) to the state
/// tables, after the notifications it gives rise to (which compare the change
/// with the state before it; see `notifications::project`).
pub fn apply(event: &Event, entry: &Entry) -> Vec<Stmt> {
    let mut out = crate::notifications::project::derive(event, entry);
    out.extend(project(event, entry));
    out
}

fn project(event: &Event, entry: &Entry) -> Vec<Stmt> {
    match event {
        Event::Reference(e) => crate::reference::project::project(e, entry),
        Event::Threat(e) => crate::threat::project::project(e, entry),
        Event::Identity(e) => crate::identity::project::project(e, entry),
        Event::Records(e) => crate::records::project::project(e, entry),
        Event::PlannedEvent(e) => crate::events::project::project(e, entry),
        Event::Plan(e) => crate::plan::project::project(e, entry),
        Event::Advice(e) => crate::advice::project::project(e, entry),
        Event::Seco(e) => crate::seco::project::project(e, entry),
        Event::Policy(e) => crate::policy::project::project(e, entry),
        Event::Places(e) => crate::places::project::project(e, entry),
        Event::Estate(e) => crate::estate::project::project(e, entry),
        Event::Demo(e) => crate::demo::project::project(e, entry),
    }
}

pub(crate) fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}
