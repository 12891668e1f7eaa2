//! The records layer: one row in `records` for every access-controlled record,
//! whatever its kind (its marking, owning organisation and parent), with its
//! team (need to know) and its shares. Every capability that holds marked
//! records goes through this module for the three things the access policy
//! needs in the store:
//!
//! - [`RecordsStore::visible`]: the SQL visibility filter over `records r`,
//!   the same rule as `domain::access::can` for reading, for lists, search
//!   and export;
//! - [`RecordsStore::admit`]: the admission check (`can`) on one record, with
//!   the denial logged and a record the caller may not read answered as not
//!   found, and reads of OFFICIAL-SENSITIVE and SECRET material logged;
//! - [`RecordsStore::permit`]: an action that is not about one record (such
//!   as administering users), checked and its denial logged.
//!
//! The caller is a [`Caller`]: a user, or the system (the command line, the
//! demo, the projector) as an explicit case.

pub mod project;

use crate::journal::{AccessEntry, Actor};
use crate::sql::Val;
use crate::{Store, StoreError};
use cordon_domain::access::{can, permit, Action, Denial, RecordAccess, Viewer};
use cordon_domain::identity::Clearance;
use cordon_domain::ids::RecordId;
use cordon_domain::records::RecordKind;
use cordon_domain::Marking;

/// Who is asking: a signed-in user (through a page or the API), or Cordon
/// itself acting for an operator at the command line, for the demo or for
/// the projector. Only callers outside the web crate make [`Caller::System`];
/// the web crate has only users.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    User(&'a Viewer),
    /// Cordon itself, for the operator or process the actor names.
    System(&'a Actor),
}

impl<'a> From<&'a Viewer> for Caller<'a> {
    fn from(v: &'a Viewer) -> Self {
        Caller::User(v)
    }
}

impl Caller<'_> {
    /// Who the journal and the access log name.
    pub fn actor(&self) -> Actor {
        match self {
            Caller::User(v) => Actor::new(&v.user_id, &v.organisation_id),
            Caller::System(actor) => (*actor).clone(),
        }
    }
}

fn clearance_rank(c: Clearance) -> i64 {
    Clearance::ALL.iter().position(|x| *x == c).unwrap_or(0) as i64
}

/// The access policy for reading, as SQL over `records r`. `${n0}` to
/// `${n4}` stand for its five parameters, numbered from where the query puts
/// them: organisation, clearance rank, user, SECRET accredited, active.
const VISIBLE: &str = "${n4} = 1 \
     AND (r.organisation_id = ${n0} OR EXISTS (SELECT 1 FROM record_shares s WHERE s.record_id = r.id AND s.organisation_id = ${n0})) \
     AND (r.marking = 'OFFICIAL' \
          OR (r.marking = 'OFFICIAL-SENSITIVE' AND ${n1} >= 1 \
              AND EXISTS (SELECT 1 FROM team_members m WHERE m.record_id = r.id AND m.user_id = ${n2})) \
          OR (r.marking = 'SECRET' AND ${n3} = 1 AND ${n1} >= 3 \
              AND EXISTS (SELECT 1 FROM team_members m WHERE m.record_id = r.id AND m.user_id = ${n2})))";

/// The records layer's operations, reached as `store.records()`.
#[derive(Clone, Copy)]
pub struct RecordsStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn records(&self) -> RecordsStore<'_> {
        RecordsStore { store: self }
    }
}

impl RecordsStore<'_> {
    /// The visibility filter for `viewer` over a query that joins `records r`,
    /// as a clause whose parameters start at `$first`, with their values.
    pub(crate) fn visible(&self, viewer: &Viewer, first: usize) -> (String, Vec<Val>) {
        let mut sql = VISIBLE.to_string();
        for i in 0..5 {
            sql = sql.replace(&format!("${{n{i}}}"), &format!("${}", first + i));
        }
        let args = vec![
            Val::from(&viewer.organisation_id),
            Val::Int(clearance_rank(viewer.clearance)),
            Val::from(&viewer.user_id),
            Val::Int(self.store.deployment().secret_accredited as i64),
            Val::Int(viewer.active as i64),
        ];
        (sql, args)
    }

    /// What the policy needs to know of one record, read with no check: only
    /// for [`RecordsStore::admit`] and the capabilities' own checked reads.
    pub(crate) async fn access(&self, id: &RecordId) -> Result<Option<RecordAccess>, StoreError> {
        // Both statements run whether or not the record exists, so that
        // finding nothing takes the work finding something does.
        let row = self
            .store
            .fetch_one("SELECT kind, marking, organisation_id FROM records WHERE id = $1", &[Val::from(id)])
            .await?;
        let shares = self
            .store
            .fetch("SELECT organisation_id FROM record_shares WHERE record_id = $1", &[Val::from(id)])
            .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        Ok(Some(RecordAccess {
            record_id: id.clone(),
            kind: r.text(0).parse().map_err(StoreError::Integrity)?,
            marking: r.text(1).parse().map_err(|e| StoreError::Integrity(format!("{e}")))?,
            owner_organisation_id: r.id(2)?,
            shared_with: shares.iter().map(|s| s.id(0)).collect::<Result<_, _>>()?,
        }))
    }

    /// Admits `caller` to do `action` to `record`. A record the caller may
    /// not read is not found (never forbidden, so its existence does not
    /// leak); one they may read but not act on is forbidden. Every denial is
    /// logged; a read of OFFICIAL-SENSITIVE or SECRET material is logged as
    /// `how` (`get`, `list`, `search`, `export`, ...).
    pub(crate) async fn admit(
        &self,
        caller: Caller<'_>,
        action: Action,
        record: &RecordAccess,
        how: &str,
    ) -> Result<(), StoreError> {
        let Caller::User(viewer) = caller else { return Ok(()) };
        let d = self.store.deployment();
        if let Err(denial) = can(viewer, Action::READ, record, d) {
            if action.needs_team {
                self.log_denial(viewer, &stream_of(record), action, denial).await;
                return Err(StoreError::not_found(None, format!("no such {}", record.kind.words())));
            }
        }
        if let Err(denial) = can(viewer, action, record, d) {
            self.log_denial(viewer, &stream_of(record), action, denial).await;
            return Err(StoreError::Forbidden(format!("you may not do that: {}", denial.reason())));
        }
        if action == Action::READ {
            self.log_reads(viewer, std::slice::from_ref(record), how).await?;
        }
        Ok(())
    }

    /// Checks an action that is not about one record.
    pub async fn permit(&self, caller: Caller<'_>, action: Action) -> Result<(), StoreError> {
        let Caller::User(viewer) = caller else { return Ok(()) };
        if let Err(denial) = permit(viewer, action) {
            self.log_denial(viewer, action.name, action, denial).await;
            return Err(StoreError::Forbidden(format!("you may not do that: {}", denial.reason())));
        }
        Ok(())
    }

    /// As [`permit`](Self::permit), for material that carries `marking`: the
    /// viewer must also be cleared for it. Refusals are logged.
    pub async fn permit_marked(&self, caller: Caller<'_>, action: Action, marking: Marking) -> Result<(), StoreError> {
        let Caller::User(viewer) = caller else { return Ok(()) };
        if let Err(denial) = cordon_domain::access::permit_marked(viewer, action, marking) {
            self.log_denial(viewer, action.name, action, denial).await;
            return Err(StoreError::Forbidden(format!("you may not do that: {}", denial.reason())));
        }
        Ok(())
    }

    /// Records reads of OFFICIAL-SENSITIVE and SECRET records in the access log.
    pub(crate) async fn log_reads(
        &self,
        viewer: &Viewer,
        records: &[RecordAccess],
        how: &str,
    ) -> Result<(), StoreError> {
        let entries: Vec<AccessEntry> = records
            .iter()
            .filter(|r| r.marking != Marking::Official)
            .map(|r| AccessEntry {
                stream: stream_of(r),
                kind: "read".into(),
                marking: r.marking.as_str().into(),
                payload: serde_json::json!({"via": how}).to_string(),
            })
            .collect();
        if entries.is_empty() {
            return Ok(());
        }
        self.store.log_access(&Actor::new(&viewer.user_id, &viewer.organisation_id), entries).await
    }

    /// Records a denial in the access log.
    pub(crate) async fn log_denial(&self, viewer: &Viewer, stream: &str, action: Action, denial: Denial) {
        self.log(viewer, stream, "denied", serde_json::json!({"action": action, "reason": denial.reason()})).await;
    }

    /// Records a request for a record that does not exist. It costs what a
    /// denial costs, so the time taken to answer tells nobody whether a hidden
    /// record exists (finding 9), and probing for ids shows in the log.
    pub(crate) async fn log_unknown(&self, viewer: &Viewer, kind: RecordKind, id: &str, action: Action) {
        let stream = format!("{}/{id}", kind.as_str());
        self.log(viewer, &stream, "denied", serde_json::json!({"action": action, "reason": "no such record"})).await;
    }

    async fn log(&self, viewer: &Viewer, stream: &str, kind: &str, payload: serde_json::Value) {
        let entry = AccessEntry {
            stream: stream.to_string(),
            kind: kind.into(),
            marking: "-".into(),
            payload: payload.to_string(),
        };
        if let Err(e) = self.store.log_access(&Actor::new(&viewer.user_id, &viewer.organisation_id), vec![entry]).await
        {
            tracing::error!(error = %e, "could not write the access log");
        }
    }
}

/// The access log's stream for a record: `event/0190…`.
pub(crate) fn stream_of(record: &RecordAccess) -> String {
    format!("{}/{}", record.kind.as_str(), record.record_id)
}
