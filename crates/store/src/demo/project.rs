//! The demo capability's projector: the only code that writes its state tables.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::demo::DemoEvent;
use cordon_domain::journal::Entry;

/// This capability's state tables, parents before children.
pub const TABLES: &[Table] = &[Table { name: "demo_seed", order_by: "id" }];

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &DemoEvent, entry: &Entry) -> Vec<Stmt> {
    let seq = Val::Int(entry.seq);
    match event {
        DemoEvent::DemoSeeded { note } => {
            vec![Stmt::new("INSERT INTO demo_seed (id, note, seq) VALUES (1, $1, $2)", vec![t(note), seq])]
        }
    }
}
