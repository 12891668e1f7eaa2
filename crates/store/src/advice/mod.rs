//! Security advice and reviews: requests, drafts, issued versions and the
//! library of general security considerations. Every read and change of an
//! advice record goes through the records layer (`RecordKind::Advice`):
//! its organisation, marking and team decide who may see it.

pub mod demo;
pub mod project;

use crate::identity::User;
use crate::journal::Actor;
use crate::records::Caller;
use crate::sql::{Row, Val};
use crate::{Store, StoreError};
use cordon_domain::access::{clearance_for, marking_allowed, Action, RecordAccess, Viewer};
use cordon_domain::advice::{
    advice_document, check, snapshot, AdviceContent, AdviceEvent, AdviceKind, AdviceSnapshot, Consideration, NewAdvice,
    CURATE, ISSUE, WRITE,
};
use cordon_domain::documents::Document;
use cordon_domain::event::Event;
use cordon_domain::ids::{AdviceId, Instant, OrganisationId, RecordId, UserId};
use cordon_domain::records::{RecordEvent, RecordKind};
use cordon_domain::Marking;
use serde::Serialize;

/// An advice record as its pages and API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdviceRecord {
    pub id: AdviceId,
    pub kind: AdviceKind,
    pub content: AdviceContent,
    pub marking: Marking,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub created_by: UserId,
    pub created_at: Instant,
    pub updated_at: Instant,
    /// The issued versions, oldest first.
    pub versions: Vec<AdviceVersion>,
    /// The organisations it is shared with, beyond its own.
    pub shared_with: Vec<OrganisationId>,
}

impl AdviceRecord {
    fn access(&self) -> RecordAccess {
        RecordAccess {
            record_id: RecordId::from(&self.id),
            kind: RecordKind::Advice,
            marking: self.marking,
            owner_organisation_id: self.organisation_id.clone(),
            shared_with: self.shared_with.iter().cloned().collect(),
        }
    }
}

/// An issued version, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdviceVersion {
    pub number: i64,
    pub issued_at: Instant,
    /// The name of who issued it.
    pub issued_by: String,
    pub hash: String,
}

/// What a new request holds.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub kind: AdviceKind,
    pub content: AdviceContent,
    pub marking: Marking,
}

/// The advice capability's operations, reached as `store.advice()`.
#[derive(Clone, Copy)]
pub struct AdviceStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn advice(&self) -> AdviceStore<'_> {
        AdviceStore { store: self }
    }
}

fn invalid(e: cordon_domain::advice::FieldError) -> StoreError {
    StoreError::invalid(e.field, e.message)
}

const COLUMNS: &str = "a.id, a.kind, a.content, a.marking, a.organisation_id, o.name, a.created_by, a.created_at, \
                       a.updated_at";

impl AdviceStore<'_> {
    /// The library of general security considerations, in the order they were added.
    pub async fn considerations(&self) -> Result<Vec<Consideration>, StoreError> {
        let rows = self.store.fetch("SELECT body FROM security_considerations ORDER BY position, id", &[]).await?;
        rows.iter()
            .map(|r| serde_json::from_str(&r.text(0)).map_err(|e| StoreError::Integrity(e.to_string())))
            .collect()
    }

    /// An administrator adds to or changes the library.
    pub async fn save_consideration(&self, viewer: &Viewer, c: Consideration) -> Result<Consideration, StoreError> {
        self.store.records().permit(viewer.into(), CURATE).await?;
        c.check().map_err(invalid)?;
        let ev = Event::Advice(AdviceEvent::ConsiderationSaved { consideration: c.clone() });
        self.store.append(&Actor::new(&viewer.user_id, &viewer.organisation_id), &[(ev, Marking::Official)]).await?;
        Ok(c)
    }

    /// Records a request for advice or a review, with its first draft. The
    /// author joins its team; it belongs to their organisation.
    pub async fn record(&self, user: &User, viewer: &Viewer, new: NewRequest) -> Result<AdviceRecord, StoreError> {
        self.store.records().permit(viewer.into(), WRITE).await?;
        marking_allowed(new.marking, self.store.deployment()).map_err(|m| StoreError::invalid("marking", m))?;
        if viewer.clearance < clearance_for(new.marking) {
            return Err(StoreError::invalid(
                "marking",
                format!("Your clearance ({}) does not allow writing {} records", viewer.clearance, new.marking),
            ));
        }
        let content = self.checked_content(viewer, new.kind, new.content).await?;
        let advice = NewAdvice {
            id: AdviceId::generate(),
            kind: new.kind,
            content,
            marking: new.marking,
            organisation_id: user.organisation_id.clone(),
            created_by: user.id.clone(),
        };
        let id = advice.id.clone();
        let events = [
            (Event::Advice(AdviceEvent::AdviceRecorded { advice }), new.marking),
            (
                Event::Records(RecordEvent::TeamMemberAdded {
                    record_id: RecordId::from(&id),
                    user_id: user.id.clone(),
                }),
                new.marking,
            ),
        ];
        self.store.append(&Actor::new(&user.id, &user.organisation_id), &events).await?;
        let mut viewer = viewer.clone();
        viewer.teams.insert(RecordId::from(&id));
        self.get(&viewer, &id).await
    }

    /// Checks content and fills in the event's name and kind when it is about
    /// an event in Cordon (which the author must be able to see).
    async fn checked_content(
        &self,
        viewer: &Viewer,
        kind: AdviceKind,
        mut content: AdviceContent,
    ) -> Result<AdviceContent, StoreError> {
        if let Some(event_id) = &content.event_id {
            let event = self.store.events().event_for(viewer, event_id).await.map_err(|e| match e {
                StoreError::NotFound { .. } => {
                    StoreError::invalid("event_id", "There is no such event, or you may not see it")
                }
                e => e,
            })?;
            if content.subject.trim().is_empty() {
                content.subject = event.name.clone();
            }
            content.event_kind.get_or_insert(event.kind);
        }
        content.subject = content.subject.trim().to_string();
        content.requested_by = content.requested_by.trim().to_string();
        content.requested_on = content.requested_on.trim().to_string();
        content.due_on = content.due_on.trim().to_string();
        content.recommendations = content.recommendations.iter().map(|r| r.trim().to_string()).collect();
        check(kind, &content, &self.considerations().await?).map_err(invalid)?;
        Ok(content)
    }

    /// One advice record the viewer may read; otherwise not found.
    pub async fn get(&self, viewer: &Viewer, id: &AdviceId) -> Result<AdviceRecord, StoreError> {
        self.admitted(viewer.into(), id, Action::READ).await
    }

    async fn admitted(&self, caller: Caller<'_>, id: &AdviceId, action: Action) -> Result<AdviceRecord, StoreError> {
        let records = self.store.records();
        let access = records.access(&RecordId::from(id)).await?.filter(|a| a.kind == RecordKind::Advice);
        let Some(access) = access else {
            if let Caller::User(viewer) = caller {
                records.log_unknown(viewer, RecordKind::Advice, id, action).await;
            }
            return Err(StoreError::not_found(None, "no such advice or review"));
        };
        if action != Action::READ {
            records.admit(caller, Action::READ, &access, "get").await?;
        }
        records.admit(caller, action, &access, "get").await?;
        let sql =
            format!("SELECT {COLUMNS} FROM advice a JOIN organisations o ON o.id = a.organisation_id WHERE a.id = $1");
        let row = self
            .store
            .fetch_one(&sql, &[Val::from(id.to_string())])
            .await?
            .ok_or_else(|| StoreError::not_found(None, "no such advice or review"))?;
        let mut record = hydrate(row)?;
        self.complete(&mut record).await?;
        Ok(record)
    }

    /// Adds a record's versions and shares.
    async fn complete(&self, r: &mut AdviceRecord) -> Result<(), StoreError> {
        self.complete_all(std::slice::from_mut(r)).await
    }

    /// Adds the versions and shares of a page of records: two queries, whatever its length.
    async fn complete_all(&self, records: &mut [AdviceRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let ids: Vec<Val> = records.iter().map(|r| Val::from(r.id.to_string())).collect();
        let list = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let versions = self
            .store
            .fetch(
                &format!(
                    "SELECT v.advice_id, v.number, v.issued_at, COALESCE(u.name, v.issued_by), v.hash \
                     FROM advice_versions v LEFT JOIN users u ON u.id = v.issued_by \
                     WHERE v.advice_id IN ({list}) ORDER BY v.advice_id, v.number"
                ),
                &ids,
            )
            .await?;
        let shares = self
            .store
            .fetch(&format!("SELECT record_id, organisation_id FROM record_shares WHERE record_id IN ({list})"), &ids)
            .await?;
        for r in records.iter_mut() {
            let id = r.id.to_string();
            r.versions = versions
                .iter()
                .filter(|v| v.text(0) == id)
                .map(|v| {
                    Ok(AdviceVersion {
                        number: v.int(1),
                        issued_at: Instant::parse(&v.text(2)).map_err(|e| StoreError::Integrity(e.to_string()))?,
                        issued_by: v.text(3),
                        hash: v.text(4),
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            r.shared_with = shares.iter().filter(|s| s.text(0) == id).map(|s| s.id(1)).collect::<Result<_, _>>()?;
        }
        Ok(())
    }

    async fn versions(&self, id: &AdviceId) -> Result<Vec<AdviceVersion>, StoreError> {
        let rows = self
            .store
            .fetch(
                "SELECT v.number, v.issued_at, COALESCE(u.name, v.issued_by), v.hash FROM advice_versions v \
                 LEFT JOIN users u ON u.id = v.issued_by WHERE v.advice_id = $1 ORDER BY v.number",
                &[Val::from(id.to_string())],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AdviceVersion {
                    number: r.int(0),
                    issued_at: Instant::parse(&r.text(1)).map_err(|e| StoreError::Integrity(e.to_string()))?,
                    issued_by: r.text(2),
                    hash: r.text(3),
                })
            })
            .collect()
    }

    /// The advice and reviews the viewer may see, newest first, with the total.
    pub async fn list(&self, viewer: &Viewer, limit: i64, offset: i64) -> Result<(Vec<AdviceRecord>, i64), StoreError> {
        let (visible, args) = self.store.records().visible(viewer, 1);
        let total = self
            .store
            .fetch_one(&format!("SELECT COUNT(*) FROM advice a JOIN records r ON r.id = a.id WHERE {visible}"), &args)
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0);
        let mut page_args = args.clone();
        page_args.push(Val::Int(limit.clamp(1, 100)));
        page_args.push(Val::Int(offset.max(0)));
        let n = args.len();
        let sql = format!(
            "SELECT {COLUMNS} FROM advice a JOIN records r ON r.id = a.id JOIN organisations o ON o.id = a.organisation_id \
             WHERE {visible} ORDER BY a.created_at DESC, a.id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = self.store.fetch(&sql, &page_args).await?;
        let mut records: Vec<AdviceRecord> = rows.into_iter().map(hydrate).collect::<Result<_, _>>()?;
        self.complete_all(&mut records).await?;
        let d = self.store.deployment();
        let shown: Vec<AdviceRecord> = records
            .into_iter()
            .filter(|r| cordon_domain::access::can(viewer, Action::READ, &r.access(), d).is_ok())
            .collect();
        let access: Vec<RecordAccess> = shown.iter().map(AdviceRecord::access).collect();
        self.store.records().log_reads(viewer, &access, "list").await?;
        Ok((shown, total))
    }

    /// Changes the draft.
    pub async fn change(
        &self,
        viewer: &Viewer,
        id: &AdviceId,
        content: AdviceContent,
    ) -> Result<AdviceRecord, StoreError> {
        let record = self.admitted(viewer.into(), id, WRITE).await?;
        let content = self.checked_content(viewer, record.kind, content).await?;
        if content == record.content {
            return Ok(record);
        }
        let ev = Event::Advice(AdviceEvent::AdviceChanged { id: id.clone(), content });
        self.store.append(&Actor::new(&viewer.user_id, &viewer.organisation_id), &[(ev, record.marking)]).await?;
        self.get(viewer, id).await
    }

    /// Issues the draft as the next numbered, hashed, immutable version.
    pub async fn issue(&self, user: &User, viewer: &Viewer, id: &AdviceId) -> Result<AdviceVersion, StoreError> {
        let record = self.admitted(viewer.into(), id, ISSUE).await?;
        let library = self.considerations().await?;
        check(record.kind, &record.content, &library).map_err(invalid)?;
        let number = record.versions.last().map(|v| v.number).unwrap_or(0) + 1;
        let s = self.snapshot_of(&record, number, &user.name, &library);
        let (body, hash) = snapshot(&s);
        let ev = Event::Advice(AdviceEvent::AdviceIssued { id: id.clone(), number, body, hash });
        self.store.append(&Actor::new(&user.id, &user.organisation_id), &[(ev, record.marking)]).await.map_err(
            |e| match e {
                StoreError::Conflict(_) => {
                    StoreError::Conflict("another version was issued at the same moment; try again".into())
                }
                e => e,
            },
        )?;
        self.versions(id)
            .await?
            .into_iter()
            .find(|v| v.number == number)
            .ok_or_else(|| StoreError::Integrity("issued version vanished".into()))
    }

    fn snapshot_of(&self, r: &AdviceRecord, number: i64, by: &str, library: &[Consideration]) -> AdviceSnapshot {
        AdviceSnapshot {
            number,
            kind: r.kind,
            marking: r.marking,
            organisation: r.organisation_name.clone(),
            issued_by: by.to_string(),
            content: r.content.clone(),
            considerations: r
                .content
                .considerations
                .iter()
                .filter_map(|id| library.iter().find(|c| &c.id == id).cloned())
                .collect(),
        }
    }

    /// One issued version exactly as issued: its canonical JSON and hash.
    pub async fn version(&self, viewer: &Viewer, id: &AdviceId, number: i64) -> Result<(String, String), StoreError> {
        self.get(viewer, id).await?;
        let row = self
            .store
            .fetch_one(
                "SELECT body, hash FROM advice_versions WHERE advice_id = $1 AND number = $2",
                &[Val::from(id.to_string()), Val::Int(number)],
            )
            .await?
            .ok_or_else(|| StoreError::not_found(Some("number"), format!("there is no version {number}")))?;
        Ok((row.text(0), row.text(1)))
    }

    /// The document of an issued version (`Some(n)`) or of the draft.
    pub async fn document(
        &self,
        viewer: &Viewer,
        id: &AdviceId,
        number: Option<i64>,
    ) -> Result<(Document, AdviceRecord), StoreError> {
        let record = self.get(viewer, id).await?;
        let doc = match number {
            Some(n) => {
                let (body, hash) = self.version(viewer, id, n).await?;
                let s: AdviceSnapshot =
                    serde_json::from_str(&body).map_err(|e| StoreError::Integrity(format!("version {n}: {e}")))?;
                let at = record.versions.iter().find(|v| v.number == n).map(|v| v.issued_at);
                advice_document(&s, false, &hash, at)
            }
            None => {
                // The draft is its author's until someone issues it.
                let library = self.considerations().await?;
                let author = self.store.identity().user(&record.created_by).await?.map(|u| u.name);
                let s = self.snapshot_of(&record, 0, author.as_deref().unwrap_or("its author"), &library);
                let (_, hash) = snapshot(&s);
                advice_document(&s, true, &hash, Some(record.updated_at))
            }
        };
        Ok((doc, record))
    }
}

fn hydrate(r: Row) -> Result<AdviceRecord, StoreError> {
    let integrity = |e: String| StoreError::Integrity(e);
    Ok(AdviceRecord {
        id: r.id(0)?,
        kind: r.text(1).parse().map_err(integrity)?,
        content: serde_json::from_str(&r.text(2)).map_err(|e| StoreError::Integrity(e.to_string()))?,
        marking: r.text(3).parse().map_err(|e| StoreError::Integrity(format!("{e}")))?,
        organisation_id: r.id(4)?,
        organisation_name: r.text(5),
        created_by: r.id(6)?,
        created_at: Instant::parse(&r.text(7)).map_err(|e| StoreError::Integrity(e.to_string()))?,
        updated_at: Instant::parse(&r.text(8)).map_err(|e| StoreError::Integrity(e.to_string()))?,
        versions: Vec::new(),
        shared_with: Vec::new(),
    })
}
