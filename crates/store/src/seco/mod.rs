//! Security coordinators (SECO): the roster, deployment requests, the
//! deployment authority's discussion and Gold's decision, who is available,
//! vacancies and monitoring.
//!
//! Who sees what: a roster belongs to the organisation that keeps it (the
//! CTSU's) and is read by its people; a deployment request is read by the
//! deployment authority it is addressed to, by the event's Gold, and by
//! whoever may read its event. Anyone else is told it does not exist.

pub mod demo;
pub mod project;

use crate::identity::User;
use crate::journal::Actor;
use crate::sql::{Row, Val};
use crate::{Store, StoreError};
use cordon_domain::access::Viewer;
use cordon_domain::event::Event;
use cordon_domain::ids::{DeploymentRequestId, EventId, Instant, OrganisationId, SecoId, UserId, VacancyId};
use cordon_domain::records::RecordEvent;
use cordon_domain::seco::{
    annual_review_due, check_appointment, check_candidate, check_candidates, check_capacity, check_discussion,
    check_gold_decides, check_one_seco_per_event, check_reason, check_request, check_seco, check_vacancy,
    gold_command_elsewhere, stand_down_reason, suggest, Candidate, Commitment, Criteria, Discussion, Done, Excluded,
    FieldError, GoldRefusal, Leave, NewDeploymentRequest, NoteKind, Refusal, RequestStatus, RequestStep, Seco,
    SecoEvent, SecoInput, SecoNote, SecoStatus, Suggested, Vacancy, APPOINT, CONFIGURE, DEFAULT_CAPACITY, MANAGE,
    REQUEST,
};
use cordon_domain::Marking;
use serde::Serialize;

fn invalid(e: FieldError) -> StoreError {
    StoreError::invalid(e.field, e.message)
}

fn integrity<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Integrity(e.to_string())
}

/// A coordinator with what monitoring says of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterEntry {
    pub seco: Seco,
    /// The last annual performance review, `YYYY-MM-DD`.
    pub last_review_on: Option<String>,
    /// When the next annual review is due, `YYYY-MM-DD` (none before qualifying).
    pub annual_review_due: Option<String>,
    pub review_overdue: bool,
    /// The events they are appointed to, by name, with the request's id.
    pub appointments: Vec<(DeploymentRequestId, String, Instant, Instant)>,
    /// Their recorded leave that has not ended yet, earliest first: first and last day, `YYYY-MM-DD`.
    pub leave: Vec<(String, String)>,
}

/// A note as listed, with who recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteEntry {
    pub note: SecoNote,
    pub by_name: String,
    pub recorded_at: String,
}

/// A step of a request: who did what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub kind: String,
    pub by: String,
    pub at: Instant,
}

/// A deployment request as its pages and API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    pub request: NewDeploymentRequest,
    pub status: RequestStatus,
    pub organisation_name: String,
    pub ctsu_name: String,
    /// The event's Gold as it stands now (the request keeps the Gold of its
    /// submission in `request.gold_user_id`); none if the event has none now.
    pub gold_user_id: Option<UserId>,
    /// The current Gold's name (the Gold of the submission's if there is none now).
    pub gold_name: String,
    /// The organisation of the current Gold, with its name.
    pub gold_organisation: Option<(OrganisationId, String)>,
    /// The (Home Office) force with the Gold command when it is not the
    /// requesting force (SOP §2.1): named on the request, or the current
    /// Gold's organisation. That force appoints the SECO; the CTSU supports.
    pub gold_force: Option<String>,
    pub requested_by_name: String,
    pub discussion: Option<Discussion>,
    pub seco_id: Option<SecoId>,
    pub seco_name: Option<String>,
    pub justification: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<Instant>,
    pub created_at: Instant,
    pub steps: Vec<Step>,
}

/// A request as sent.
#[derive(Debug, Clone, Default)]
pub struct RequestInput {
    pub event_id: String,
    pub reason: String,
    pub criteria: Criteria,
    pub override_reason: Option<String>,
    pub gold_force: Option<String>,
}

/// A discussion as sent.
#[derive(Debug, Clone, Default)]
pub struct DiscussionInput {
    pub held_on: String,
    pub notes: String,
    pub recommendation: String,
    pub proposed_seco_id: Option<String>,
}

/// What the deployment authority's dashboard shows.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub open_requests: Vec<RequestRecord>,
    pub decided_requests: Vec<RequestRecord>,
    pub roster: Vec<RosterEntry>,
    pub capacity: i64,
    pub qualified: i64,
    pub reviews_due: Vec<RosterEntry>,
    pub vacancies: Vec<Vacancy>,
}

/// The SECO capability's operations, reached as `store.seco()`.
#[derive(Clone, Copy)]
pub struct SecoStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn seco(&self) -> SecoStore<'_> {
        SecoStore { store: self }
    }
}

fn actor(v: &Viewer) -> Actor {
    Actor::new(&v.user_id, &v.organisation_id)
}

impl SecoStore<'_> {
    // ---- Settings ----

    /// The national capacity of an organisation's roster.
    pub async fn capacity(&self, org: &OrganisationId) -> Result<i64, StoreError> {
        Ok(self
            .store
            .fetch_one(
                "SELECT national_capacity FROM seco_settings WHERE organisation_id = $1",
                &[Val::from(org.to_string())],
            )
            .await?
            .and_then(|r| r.opt_int(0))
            .unwrap_or(DEFAULT_CAPACITY))
    }

    /// The deployment authority sets their roster's national capacity.
    pub async fn set_capacity(&self, viewer: &Viewer, capacity: i64) -> Result<i64, StoreError> {
        self.store.records().permit(viewer.into(), MANAGE).await?;
        if !(1..=100).contains(&capacity) {
            return Err(StoreError::invalid("national_capacity", "The national capacity must be 1 to 100"));
        }
        let qualified = self.qualified_count(&viewer.organisation_id, None).await?;
        if capacity < qualified {
            return Err(StoreError::invalid(
                "national_capacity",
                format!("{qualified} SECOs are qualified now: the capacity cannot be less than that"),
            ));
        }
        let ev = SecoEvent::CapacitySet { organisation_id: viewer.organisation_id.clone(), capacity };
        self.store.append(&actor(viewer), &[(Event::Seco(ev), Marking::Official)]).await?;
        Ok(capacity)
    }

    /// The organisation configured as a force's CTSU (the force itself when none is).
    pub async fn ctsu_for(&self, force: &OrganisationId) -> Result<OrganisationId, StoreError> {
        let row = self
            .store
            .fetch_one(
                "SELECT ctsu_organisation_id FROM seco_settings WHERE organisation_id = $1",
                &[Val::from(force.to_string())],
            )
            .await?;
        Ok(match row.and_then(|r| r.opt_text(0)) {
            Some(id) => OrganisationId::parse(&id).map_err(integrity)?,
            None => force.clone(),
        })
    }

    /// An administrator configures which organisation is their force's CTSU.
    pub async fn configure_ctsu(&self, viewer: &Viewer, ctsu: &OrganisationId) -> Result<(), StoreError> {
        self.store.records().permit(viewer.into(), CONFIGURE).await?;
        if self.store.identity().organisation(ctsu).await?.is_none() {
            return Err(StoreError::invalid("ctsu_organisation_id", "There is no such organisation"));
        }
        let ev = SecoEvent::CtsuConfigured {
            organisation_id: viewer.organisation_id.clone(),
            ctsu_organisation_id: ctsu.clone(),
        };
        self.store.append(&actor(viewer), &[(Event::Seco(ev), Marking::Official)]).await?;
        Ok(())
    }

    // ---- The roster ----

    async fn qualified_count(&self, org: &OrganisationId, except: Option<&SecoId>) -> Result<i64, StoreError> {
        Ok(self
            .store
            .fetch_one(
                "SELECT COUNT(*) FROM secos WHERE organisation_id = $1 AND status = 'qualified' AND id <> $2",
                &[Val::from(org.to_string()), Val::from(except.map(|e| e.to_string()).unwrap_or_default())],
            )
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0))
    }

    async fn checked(
        &self,
        viewer: &Viewer,
        input: &SecoInput,
        id: Option<&SecoId>,
    ) -> Result<(Seco, bool), StoreError> {
        let c = check_seco(input, self.store.today()).map_err(invalid)?;
        let existing = match id {
            Some(id) => Some(self.seco_in(&viewer.organisation_id, id).await?),
            None => None,
        };
        if c.status == SecoStatus::Qualified && existing.as_ref().is_none_or(|e| e.status != SecoStatus::Qualified) {
            let others = self.qualified_count(&viewer.organisation_id, id).await?;
            check_capacity(others, self.capacity(&viewer.organisation_id).await?).map_err(invalid)?;
        }
        let email = input.user_email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_lowercase);
        let user_id = match &email {
            None => None,
            Some(e) => Some(
                self.store
                    .identity()
                    .user_by_email(e)
                    .await?
                    .ok_or_else(|| StoreError::invalid("user_email", format!("No one has an account as {e}")))?
                    .id,
            ),
        };
        let changed = existing.as_ref().is_some_and(|e| e.status != c.status);
        let (tas, cc) = match &existing {
            Some(e) if c.status == SecoStatus::Qualified => {
                (e.tas_updated.clone(), e.command_and_control_updated.clone())
            }
            _ => (None, None),
        };
        Ok((
            Seco {
                id: id.cloned().unwrap_or_else(SecoId::generate),
                organisation_id: viewer.organisation_id.clone(),
                name: c.name,
                user_id,
                user_email: email,
                rank: c.rank,
                course_passed_on: c.course_passed_on,
                prior_roles: c.prior_roles,
                experience: c.experience,
                home_unit: c.home_unit,
                status: c.status,
                tas_updated: tas,
                command_and_control_updated: cc,
            },
            changed,
        ))
    }

    /// The deployment authority adds a coordinator to their roster.
    pub async fn add(&self, viewer: &Viewer, input: SecoInput) -> Result<RosterEntry, StoreError> {
        self.store.records().permit(viewer.into(), MANAGE).await?;
        let (seco, _) = self.checked(viewer, &input, None).await?;
        let id = seco.id.clone();
        self.store.append(&actor(viewer), &[(Event::Seco(SecoEvent::SecoSaved { seco }), Marking::Official)]).await?;
        self.entry(viewer, &id).await
    }

    /// The deployment authority changes a coordinator (their status included).
    pub async fn change(&self, viewer: &Viewer, id: &SecoId, input: SecoInput) -> Result<RosterEntry, StoreError> {
        self.store.records().permit(viewer.into(), MANAGE).await?;
        let (seco, _) = self.checked(viewer, &input, Some(id)).await?;
        self.store.append(&actor(viewer), &[(Event::Seco(SecoEvent::SecoSaved { seco }), Marking::Official)]).await?;
        self.entry(viewer, id).await
    }

    /// Records that TAS (`tas`) or Command & Control (`command_and_control`)
    /// was updated for a qualified coordinator (SOP §5.4.2).
    pub async fn tick(&self, user: &User, viewer: &Viewer, id: &SecoId, item: &str) -> Result<RosterEntry, StoreError> {
        self.store.records().permit(viewer.into(), MANAGE).await?;
        let mut seco = self.seco_in(&viewer.organisation_id, id).await?;
        if seco.status != SecoStatus::Qualified {
            return Err(StoreError::Conflict(format!(
                "{} is not qualified: TAS and Command & Control are updated once they are",
                seco.name
            )));
        }
        let done = Some(Done { by: user.id.clone(), by_name: user.name.clone(), on: self.store.today().to_string() });
        match item {
            "tas" => seco.tas_updated = done,
            "command_and_control" => seco.command_and_control_updated = done,
            _ => return Err(StoreError::invalid("item", "Choose TAS or Command & Control")),
        }
        self.store.append(&actor(viewer), &[(Event::Seco(SecoEvent::SecoSaved { seco }), Marking::Official)]).await?;
        self.entry(viewer, id).await
    }

    /// Records a continual-assessment note, an annual review, or leave.
    pub async fn add_note(
        &self,
        viewer: &Viewer,
        id: &SecoId,
        kind: &str,
        on: &str,
        until: Option<&str>,
        text: &str,
    ) -> Result<NoteEntry, StoreError> {
        self.store.records().permit(viewer.into(), MANAGE).await?;
        let seco = self.seco_in(&viewer.organisation_id, id).await?;
        let kind: NoteKind = kind.parse().map_err(|m: String| StoreError::invalid("kind", m))?;
        let on_date = cordon_domain::policy::date("on", "The date", on).map_err(invalid)?;
        let until = match (kind, until.map(str::trim).filter(|u| !u.is_empty())) {
            (NoteKind::Leave, None) => return Err(StoreError::invalid("until", "Enter the last day of leave")),
            (NoteKind::Leave, Some(u)) => {
                let d = cordon_domain::policy::date("until", "The last day of leave", u).map_err(invalid)?;
                if d < on_date {
                    return Err(StoreError::invalid("until", "The last day of leave cannot be before the first"));
                }
                Some(d.to_string())
            }
            _ => {
                if on_date > self.store.today() {
                    return Err(StoreError::invalid("on", "A note or review cannot be dated in the future"));
                }
                None
            }
        };
        if kind != NoteKind::Leave && text.trim().is_empty() {
            return Err(StoreError::invalid("text", "Enter the note"));
        }
        if kind == NoteKind::AnnualReview && seco.course_passed_on.is_none() {
            return Err(StoreError::Conflict(format!(
                "{} has not qualified: there is no annual review yet",
                seco.name
            )));
        }
        let note = SecoNote {
            kind,
            on: on_date.to_string(),
            until,
            text: text.trim().to_string(),
            by: viewer.user_id.clone(),
        };
        let ev = SecoEvent::SecoNoteAdded { seco_id: id.clone(), note: note.clone() };
        self.store.append(&actor(viewer), &[(Event::Seco(ev), Marking::Official)]).await?;
        Ok(NoteEntry { note, by_name: String::new(), recorded_at: self.store.now_text() })
    }

    async fn seco_in(&self, org: &OrganisationId, id: &SecoId) -> Result<Seco, StoreError> {
        let row = self
            .store
            .fetch_one(
                "SELECT body FROM secos WHERE id = $1 AND organisation_id = $2",
                &[Val::from(id.to_string()), Val::from(org.to_string())],
            )
            .await?
            .ok_or_else(|| StoreError::not_found(None, "no such coordinator on your roster"))?;
        serde_json::from_str(&row.text(0)).map_err(integrity)
    }

    /// A coordinator by id on any roster (for a request's suggestions and appointment).
    async fn seco_any(&self, id: &SecoId) -> Result<Option<Seco>, StoreError> {
        match self.store.fetch_one("SELECT body FROM secos WHERE id = $1", &[Val::from(id.to_string())]).await? {
            Some(r) => Ok(Some(serde_json::from_str(&r.text(0)).map_err(integrity)?)),
            None => Ok(None),
        }
    }

    async fn roster_of(&self, org: &OrganisationId) -> Result<Vec<RosterEntry>, StoreError> {
        let rows = self
            .store
            .fetch(
                "SELECT s.body, (SELECT MAX(n.noted_on) FROM seco_notes n WHERE n.seco_id = s.id AND n.kind = 'annual_review') \
                 FROM secos s WHERE s.organisation_id = $1 ORDER BY s.name, s.id",
                &[Val::from(org.to_string())],
            )
            .await?;
        let appointments = self
            .store
            .fetch(
                "SELECT seco_id, id, body FROM seco_requests WHERE ctsu_organisation_id = $1 AND status = 'appointed' \
                 ORDER BY starts_at",
                &[Val::from(org.to_string())],
            )
            .await?;
        let today = self.store.today();
        let leave = self
            .store
            .fetch(
                "SELECT n.seco_id, n.noted_on, COALESCE(n.until_on, n.noted_on) FROM seco_notes n \
                 JOIN secos s ON s.id = n.seco_id WHERE s.organisation_id = $1 AND n.kind = 'leave' \
                 AND COALESCE(n.until_on, n.noted_on) >= $2 ORDER BY n.noted_on, n.seq",
                &[Val::from(org.to_string()), Val::from(today.to_string())],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let seco: Seco = serde_json::from_str(&r.text(0)).map_err(integrity)?;
                let away =
                    leave.iter().filter(|l| l.text(0) == seco.id.as_str()).map(|l| (l.text(1), l.text(2))).collect();
                let last = r.opt_text(1);
                let due = if seco.status == SecoStatus::Left {
                    None
                } else {
                    annual_review_due(seco.course_passed_on.as_deref(), last.as_deref())
                };
                let mut mine = Vec::new();
                for a in appointments.iter().filter(|a| a.text(0) == seco.id.as_str()) {
                    let req: NewDeploymentRequest = serde_json::from_str(&a.text(2)).map_err(integrity)?;
                    mine.push((req.id, req.event_name, req.starts_at, req.ends_at));
                }
                Ok(RosterEntry {
                    last_review_on: last,
                    annual_review_due: due.map(|d| d.to_string()),
                    review_overdue: due.is_some_and(|d| d < today),
                    appointments: mine,
                    leave: away,
                    seco,
                })
            })
            .collect()
    }

    /// The viewer's organisation's roster.
    pub async fn roster(&self, viewer: &Viewer) -> Result<Vec<RosterEntry>, StoreError> {
        self.roster_of(&viewer.organisation_id).await
    }

    /// One coordinator of the viewer's roster.
    pub async fn entry(&self, viewer: &Viewer, id: &SecoId) -> Result<RosterEntry, StoreError> {
        self.roster_of(&viewer.organisation_id)
            .await?
            .into_iter()
            .find(|e| &e.seco.id == id)
            .ok_or_else(|| StoreError::not_found(None, "no such coordinator on your roster"))
    }

    /// A coordinator's notes, newest first.
    pub async fn notes(&self, viewer: &Viewer, id: &SecoId) -> Result<Vec<NoteEntry>, StoreError> {
        self.seco_in(&viewer.organisation_id, id).await?;
        let rows = self
            .store
            .fetch(
                "SELECT n.body, COALESCE(u.name, n.recorded_by), n.recorded_at FROM seco_notes n \
                 LEFT JOIN users u ON u.id = n.recorded_by WHERE n.seco_id = $1 ORDER BY n.noted_on DESC, n.seq DESC",
                &[Val::from(id.to_string())],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(NoteEntry {
                    note: serde_json::from_str(&r.text(0)).map_err(integrity)?,
                    by_name: r.text(1),
                    recorded_at: r.text(2),
                })
            })
            .collect()
    }

    // ---- Deployment requests ----

    /// Submits a request for a SECO for an event the requester may see; it is
    /// addressed to the deployment authority of the force's CTSU.
    pub async fn submit(&self, user: &User, viewer: &Viewer, input: RequestInput) -> Result<RequestRecord, StoreError> {
        self.store.records().permit(viewer.into(), REQUEST).await?;
        let event_id = EventId::parse(input.event_id.trim())
            .map_err(|_| StoreError::invalid("event_id", "There is no such event, or you may not see it"))?;
        let event = self.store.events().event_for(viewer, &event_id).await.map_err(|e| match e {
            StoreError::NotFound { .. } => {
                StoreError::invalid("event_id", "There is no such event, or you may not see it")
            }
            e => e,
        })?;
        let gold = event.gold_user_id.clone().ok_or_else(|| {
            StoreError::invalid(
                "event_id",
                format!("{} has no Gold commander: name the event's Gold before asking for a SECO", event.name),
            )
        })?;
        check_request(&input.reason, &input.criteria, input.override_reason.as_deref()).map_err(invalid)?;
        let gold_organisation_id =
            self.store.identity().user(&gold).await?.map(|u| u.organisation_id).filter(|o| *o != event.organisation_id);
        let trim = |s: &str| s.trim().to_string();
        let criteria = Criteria {
            scale_and_complexity: cordon_domain::seco::Criterion {
                met: input.criteria.scale_and_complexity.met,
                rationale: trim(&input.criteria.scale_and_complexity.rationale),
            },
            multi_agency_threat: cordon_domain::seco::Criterion {
                met: input.criteria.multi_agency_threat.met,
                rationale: trim(&input.criteria.multi_agency_threat.rationale),
            },
            protocol_or_national_interest: cordon_domain::seco::Criterion {
                met: input.criteria.protocol_or_national_interest.met,
                rationale: trim(&input.criteria.protocol_or_national_interest.rationale),
            },
        };
        let request = NewDeploymentRequest {
            id: DeploymentRequestId::generate(),
            event_id: event.id.clone(),
            event_name: event.name.clone(),
            event_kind: event.kind,
            starts_at: event.starts_at,
            ends_at: event.ends_at,
            organisation_id: event.organisation_id.clone(),
            ctsu_organisation_id: self.ctsu_for(&event.organisation_id).await?,
            reason: trim(&input.reason),
            criteria,
            override_reason: input.override_reason.map(|s| trim(&s)).filter(|s| !s.is_empty()),
            gold_user_id: gold,
            gold_force: input.gold_force.map(|s| trim(&s)).filter(|s| !s.is_empty()),
            gold_organisation_id,
            requested_by: user.id.clone(),
        };
        let id = request.id.clone();
        self.store
            .append(&actor(viewer), &[(Event::Seco(SecoEvent::DeploymentRequested { request }), Marking::Official)])
            .await?;
        self.request(viewer, &id).await
    }

    async fn load(&self, id: &DeploymentRequestId) -> Result<Option<RequestRecord>, StoreError> {
        let Some(r) = self
            .store
            .fetch_one(
                "SELECT q.body, q.status, q.discussion, q.seco_id, q.justification, q.decision_reason, \
                 COALESCE(d.name, q.decided_by), q.decided_at, q.created_at, o.name, c.name, COALESCE(g.name, g0.name), \
                 rq.name, s.name, e.gold_user_id, g.organisation_id, go.name \
                 FROM seco_requests q JOIN organisations o ON o.id = q.organisation_id \
                 JOIN organisations c ON c.id = q.ctsu_organisation_id \
                 LEFT JOIN planned_events e ON e.id = q.event_id \
                 LEFT JOIN users g ON g.id = e.gold_user_id LEFT JOIN organisations go ON go.id = g.organisation_id \
                 LEFT JOIN users d ON d.id = q.decided_by LEFT JOIN users g0 ON g0.id = q.gold_user_id \
                 LEFT JOIN users rq ON rq.id = (SELECT st.actor FROM seco_request_steps st \
                 WHERE st.request_id = q.id ORDER BY st.seq LIMIT 1) \
                 LEFT JOIN secos s ON s.id = q.seco_id WHERE q.id = $1",
                &[Val::from(id.to_string())],
            )
            .await?
        else {
            return Ok(None);
        };
        let steps = self
            .store
            .fetch(
                "SELECT st.kind, COALESCE(u.name, st.actor), st.at FROM seco_request_steps st \
                 LEFT JOIN users u ON u.id = st.actor WHERE st.request_id = $1 ORDER BY st.seq",
                &[Val::from(id.to_string())],
            )
            .await?
            .iter()
            .map(|s| {
                Ok(Step {
                    kind: step_words(&s.text(0)).into(),
                    by: s.text(1),
                    at: Instant::parse(&s.text(2)).map_err(integrity)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(hydrate(&r, steps)?))
    }

    /// Whether the viewer may read the request: its deployment authority, its Gold, or whoever may read its event.
    async fn may_read(&self, viewer: &Viewer, r: &RequestRecord) -> bool {
        if viewer.may(MANAGE) && viewer.organisation_id == r.request.ctsu_organisation_id {
            return true;
        }
        if viewer.user_id == r.request.gold_user_id
            || r.gold_user_id.as_ref() == Some(&viewer.user_id)
            || viewer.user_id == r.request.requested_by
        {
            return true;
        }
        self.store.events().event_for(viewer, &r.request.event_id).await.is_ok()
    }

    /// One request the viewer may read; otherwise not found.
    pub async fn request(&self, viewer: &Viewer, id: &DeploymentRequestId) -> Result<RequestRecord, StoreError> {
        match self.load(id).await? {
            Some(r) if self.may_read(viewer, &r).await => Ok(r),
            _ => Err(StoreError::not_found(None, "no such deployment request")),
        }
    }

    /// The requests the viewer may read, newest first: those addressed to
    /// their organisation, those of their force, those whose Gold they were
    /// when it was made or are now.
    pub async fn requests(&self, viewer: &Viewer) -> Result<Vec<RequestRecord>, StoreError> {
        let rows = self
            .store
            .fetch(
                "SELECT id FROM seco_requests WHERE ctsu_organisation_id = $1 OR organisation_id = $1 OR gold_user_id = $2 \
                 OR event_id IN (SELECT e.id FROM planned_events e WHERE e.gold_user_id = $2) \
                 ORDER BY created_at DESC, id",
                &[Val::from(viewer.organisation_id.to_string()), Val::from(viewer.user_id.to_string())],
            )
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let id: DeploymentRequestId = r.id(0)?;
            if let Ok(r) = self.request(viewer, &id).await {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The appointed SECO of an event, if one stands: their name and rank.
    pub async fn appointed_for_event(&self, event_id: &EventId) -> Result<Option<String>, StoreError> {
        let row = self
            .store
            .fetch_one(
                "SELECT s.body FROM seco_requests q JOIN secos s ON s.id = q.seco_id \
                 WHERE q.event_id = $1 AND q.status = 'appointed' ORDER BY q.decided_at DESC LIMIT 1",
                &[Val::from(event_id.to_string())],
            )
            .await?;
        match row {
            Some(r) => {
                let s: Seco = serde_json::from_str(&r.text(0)).map_err(integrity)?;
                Ok(Some(format!("{} {}", s.rank.words(), s.name)))
            }
            None => Ok(None),
        }
    }

    /// The deployment authority records the discussion with Gold (SOP §5.2).
    pub async fn discuss(
        &self,
        viewer: &Viewer,
        id: &DeploymentRequestId,
        input: DiscussionInput,
    ) -> Result<RequestRecord, StoreError> {
        let r = self.request(viewer, id).await?;
        if !(viewer.may(MANAGE) && viewer.organisation_id == r.request.ctsu_organisation_id) {
            self.store.records().permit(viewer.into(), MANAGE).await?;
            return Err(StoreError::Forbidden(format!(
                "only the deployment authority of {} records the discussion",
                r.ctsu_name
            )));
        }
        r.status.after(RequestStep::Discuss).map_err(StoreError::Conflict)?;
        let (held_on, recommendation) =
            check_discussion(&input.held_on, &input.notes, &input.recommendation, self.store.today())
                .map_err(invalid)?;
        let proposed = match input.proposed_seco_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => {
                let unknown = || StoreError::invalid("proposed_seco_id", "There is no such coordinator on the roster");
                let sid = SecoId::parse(s).map_err(|_| unknown())?;
                let seco = self.seco_any(&sid).await?.ok_or_else(unknown)?;
                if seco.organisation_id != r.request.ctsu_organisation_id {
                    return Err(unknown());
                }
                Some(sid)
            }
        };
        let discussion = Discussion {
            held_on: held_on.to_string(),
            notes: input.notes.trim().to_string(),
            recommendation,
            proposed_seco_id: proposed,
            recorded_by: viewer.user_id.clone(),
        };
        let ev = SecoEvent::DeploymentDiscussed { id: id.clone(), discussion };
        self.store.append(&actor(viewer), &[(Event::Seco(ev), Marking::Official)]).await?;
        self.request(viewer, id).await
    }

    /// Checks that the viewer is the event's Gold as the event stands now (not
    /// the Gold copied into the request when it was made) and that a
    /// discussion is recorded.
    async fn gold_may_decide(
        &self,
        viewer: &Viewer,
        id: &DeploymentRequestId,
        step: RequestStep,
        what: &str,
    ) -> Result<RequestRecord, StoreError> {
        let r = self.request(viewer, id).await?;
        let gold = r.gold_user_id.as_ref();
        match check_gold_decides(&viewer.user_id, viewer.active, gold, r.status, r.discussion.is_some(), step) {
            Ok(_) => Ok(r),
            Err(GoldRefusal::Conflict(m)) => Err(StoreError::Conflict(m)),
            Err(GoldRefusal::NotGold) => {
                if !viewer.may(APPOINT) {
                    self.store.records().permit(viewer.into(), APPOINT).await?;
                }
                Err(StoreError::Forbidden(match gold {
                    Some(_) => format!("only the event's Gold commander, {}, can {what}", r.gold_name),
                    None => format!("only the event's Gold commander can {what}, and the event has none named now"),
                }))
            }
        }
    }

    async fn commitments(&self, except: &DeploymentRequestId) -> Result<Vec<Commitment>, StoreError> {
        let rows = self
            .store
            .fetch(
                "SELECT seco_id, body FROM seco_requests WHERE status = 'appointed' AND id <> $1",
                &[Val::from(except.to_string())],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let q: NewDeploymentRequest = serde_json::from_str(&r.text(1)).map_err(integrity)?;
                Ok(Commitment {
                    seco_id: r.id(0)?,
                    event_name: q.event_name,
                    starts_at: q.starts_at,
                    ends_at: q.ends_at,
                })
            })
            .collect()
    }

    /// Gold appoints a SECO, after discussion; one SECO per event (SOP §2.1).
    /// The SECO joins the event's team, if they have an account.
    pub async fn appoint(
        &self,
        viewer: &Viewer,
        id: &DeploymentRequestId,
        seco_id: &str,
        justification: Option<&str>,
    ) -> Result<RequestRecord, StoreError> {
        let r = self.gold_may_decide(viewer, id, RequestStep::Appoint, "appoint a SECO").await?;
        let unknown = || StoreError::invalid("seco_id", "There is no such coordinator on the roster");
        let sid = SecoId::parse(seco_id.trim()).map_err(|_| unknown())?;
        let seco = self
            .seco_any(&sid)
            .await?
            .filter(|s| s.organisation_id == r.request.ctsu_organisation_id)
            .ok_or_else(unknown)?;
        let standing = self
            .store
            .fetch_one(
                "SELECT s.name FROM seco_requests q JOIN secos s ON s.id = q.seco_id \
                 WHERE q.event_id = $1 AND q.status = 'appointed' AND q.id <> $2",
                &[Val::from(r.request.event_id.to_string()), Val::from(id.to_string())],
            )
            .await?;
        check_one_seco_per_event(standing.map(|s| s.text(0)).as_deref(), &r.request.event_name)
            .map_err(StoreError::Conflict)?;
        let window = (r.request.starts_at, r.request.ends_at);
        check_appointment(&seco, justification, window, &self.commitments(id).await?).map_err(|e| match e {
            Refusal::Conflict(m) => StoreError::Conflict(m),
            Refusal::Field(f) => invalid(f),
        })?;
        let justification = justification.map(|j| j.trim().to_string()).filter(|j| !j.is_empty());
        // The SECO reads the event as a member of its team, as the access
        // policy has it: the team gives need to know, and an organisation
        // other than the event's own needs a share. Both go in the same
        // append as the appointment, and the appointment records which of
        // them it made, so that standing down undoes exactly those.
        let mut access = Vec::new();
        let (mut joined_team, mut shared_with) = (None, None);
        if let Some(user) = match &seco.user_id {
            Some(u) => self.store.identity().user(u).await?.filter(|u| u.active),
            None => None,
        } {
            let event = self.store.events().event_unchecked(&r.request.event_id).await?;
            let record_id: cordon_domain::ids::RecordId = (&r.request.event_id).into();
            if user.organisation_id != event.organisation_id && !event.shared_with.contains(&user.organisation_id) {
                access.push((
                    Event::Records(RecordEvent::RecordShared {
                        record_id: record_id.clone(),
                        organisation_id: user.organisation_id.clone(),
                    }),
                    event.marking,
                ));
                shared_with = Some(user.organisation_id.clone());
            }
            let members = self.store.events().members_of(&r.request.event_id).await?;
            if !members.iter().any(|m| m.user_id == user.id) {
                access.push((
                    Event::Records(RecordEvent::TeamMemberAdded { record_id, user_id: user.id.clone() }),
                    event.marking,
                ));
                joined_team = Some(user.id.clone());
            }
        }
        let mut events = vec![(
            Event::Seco(SecoEvent::SecoAppointed {
                id: id.clone(),
                seco_id: sid,
                justification,
                joined_team,
                shared_with,
            }),
            Marking::Official,
        )];
        events.extend(access);
        self.store.append(&actor(viewer), &events).await?;
        self.request(viewer, id).await
    }

    /// Gold declines to appoint a SECO, with the reason.
    pub async fn decline(
        &self,
        viewer: &Viewer,
        id: &DeploymentRequestId,
        reason: &str,
    ) -> Result<RequestRecord, StoreError> {
        self.gold_may_decide(viewer, id, RequestStep::Decline, "decline a request").await?;
        let reason = check_reason(reason, "Enter the reason a SECO is not appointed").map_err(invalid)?;
        self.record(viewer, id, SecoEvent::DeploymentDeclined { id: id.clone(), reason }).await
    }

    /// The requester or Gold withdraws an open request.
    pub async fn withdraw(
        &self,
        viewer: &Viewer,
        id: &DeploymentRequestId,
        reason: &str,
    ) -> Result<RequestRecord, StoreError> {
        let r = self.request(viewer, id).await?;
        if viewer.user_id != r.request.requested_by && r.gold_user_id.as_ref() != Some(&viewer.user_id) {
            return Err(StoreError::Forbidden(
                "only whoever made the request, or the event's Gold, can withdraw it".into(),
            ));
        }
        r.status.after(RequestStep::Withdraw).map_err(StoreError::Conflict)?;
        let reason = check_reason(reason, "Enter the reason the request is withdrawn").map_err(invalid)?;
        self.record(viewer, id, SecoEvent::DeploymentWithdrawn { id: id.clone(), reason }).await
    }

    /// Gold stands the appointed SECO down, with the reason.
    pub async fn stand_down(
        &self,
        viewer: &Viewer,
        id: &DeploymentRequestId,
        reason: &str,
    ) -> Result<RequestRecord, StoreError> {
        let r = self.gold_may_decide(viewer, id, RequestStep::StandDown, "stand the SECO down").await?;
        let reason = stand_down_reason(reason).map_err(invalid)?;
        let mut events = vec![(Event::Seco(SecoEvent::SecoStoodDown { id: id.clone(), reason }), Marking::Official)];
        events.extend(self.undo_access(&r).await?);
        self.store.append(&actor(viewer), &events).await?;
        self.request(viewer, id).await
    }

    /// What undoes the access the appointment gave the SECO: off the team if
    /// the appointment put them on it, and the share taken back if it was made
    /// for them and nobody else of their organisation is on the team.
    async fn undo_access(&self, r: &RequestRecord) -> Result<Vec<(Event, Marking)>, StoreError> {
        let row = self
            .store
            .fetch_one(
                "SELECT team_user_id, shared_organisation_id FROM seco_requests WHERE id = $1",
                &[Val::from(r.request.id.to_string())],
            )
            .await?;
        let (Some(joined), shared) = (row.as_ref().and_then(|r| r.opt_text(0)), row.and_then(|r| r.opt_text(1))) else {
            return Ok(Vec::new());
        };
        let event = self.store.events().event_unchecked(&r.request.event_id).await?;
        let record_id: cordon_domain::ids::RecordId = (&r.request.event_id).into();
        let members = self.store.events().members_of(&r.request.event_id).await?;
        let mut out = Vec::new();
        let joined = UserId::parse(&joined).map_err(integrity)?;
        let remaining: Vec<_> = members.iter().filter(|m| m.user_id != joined).collect();
        if remaining.len() < members.len() && !remaining.is_empty() {
            out.push((
                Event::Records(RecordEvent::TeamMemberRemoved {
                    record_id: record_id.clone(),
                    user_id: joined,
                    reason: "Stood down as the event's SECO".into(),
                }),
                event.marking,
            ));
        }
        if let Some(org) = shared {
            let org = OrganisationId::parse(&org).map_err(integrity)?;
            let mut others_of_org = false;
            for m in &remaining {
                if self.store.identity().user(&m.user_id).await?.is_some_and(|u| u.organisation_id == org) {
                    others_of_org = true;
                }
            }
            let commanders = [&event.gold_user_id, &event.silver_user_id];
            for c in commanders.into_iter().flatten() {
                if self.store.identity().user(c).await?.is_some_and(|u| u.organisation_id == org) {
                    others_of_org = true;
                }
            }
            if event.shared_with.contains(&org) && event.organisation_id != org && !others_of_org {
                out.push((
                    Event::Records(RecordEvent::RecordUnshared { record_id, organisation_id: org }),
                    event.marking,
                ));
            }
        }
        Ok(out)
    }

    /// Records one step of a request and reads it back.
    async fn record(
        &self,
        viewer: &Viewer,
        id: &DeploymentRequestId,
        ev: SecoEvent,
    ) -> Result<RequestRecord, StoreError> {
        self.store.append(&actor(viewer), &[(Event::Seco(ev), Marking::Official)]).await?;
        self.request(viewer, id).await
    }

    /// Who is available for a request, in order, with reasons; and who is left out, with reasons.
    pub async fn suggestions(
        &self,
        viewer: &Viewer,
        id: &DeploymentRequestId,
    ) -> Result<(Vec<Suggested>, Vec<Excluded>), StoreError> {
        let r = self.request(viewer, id).await?;
        let roster: Vec<Seco> =
            self.roster_of(&r.request.ctsu_organisation_id).await?.into_iter().map(|e| e.seco).collect();
        let leave = self
            .store
            .fetch(
                "SELECT n.seco_id, n.noted_on, n.until_on FROM seco_notes n JOIN secos s ON s.id = n.seco_id \
                 WHERE s.organisation_id = $1 AND n.kind = 'leave'",
                &[Val::from(r.request.ctsu_organisation_id.to_string())],
            )
            .await?
            .iter()
            .map(|l| {
                Ok(Leave {
                    seco_id: l.id(0)?,
                    from: cordon_domain::policy::date("on", "", &l.text(1)).map_err(|e| integrity(e.message))?,
                    until: cordon_domain::policy::date("until", "", &l.opt_text(2).unwrap_or_else(|| l.text(1)))
                        .map_err(|e| integrity(e.message))?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(suggest(&roster, (r.request.starts_at, r.request.ends_at), &self.commitments(id).await?, &leave))
    }

    // ---- Vacancies ----

    /// Opens a vacancy or records its candidates, assessments and selection.
    pub async fn save_vacancy(&self, viewer: &Viewer, mut v: Vacancy) -> Result<Vacancy, StoreError> {
        self.store.records().permit(viewer.into(), MANAGE).await?;
        if let Some(existing) = self.vacancies(viewer).await?.into_iter().find(|x| x.id == v.id) {
            if existing.selected.is_some() && existing.selected != v.selected {
                return Err(StoreError::Conflict("the selection is made: it is not changed".into()));
            }
        }
        v.organisation_id = viewer.organisation_id.clone();
        check_candidates(&v.candidates)
            .map_err(|e| StoreError::invalid(&format!("candidates[{}].{}", e.index, e.error.field), e.error.message))?;
        check_vacancy(&v).map_err(invalid)?;
        let ev = SecoEvent::VacancySaved { vacancy: v.clone() };
        self.store.append(&actor(viewer), &[(Event::Seco(ev), Marking::Official)]).await?;
        Ok(v)
    }

    /// Adds a candidate, with their assessment, to a vacancy whose selection
    /// is not yet made. An error names the candidate's field (`name`, `rank`).
    pub async fn add_candidate(
        &self,
        viewer: &Viewer,
        id: &VacancyId,
        candidate: Candidate,
    ) -> Result<Vacancy, StoreError> {
        let mut v = self.vacancy(viewer, id).await?;
        self.store.records().permit(viewer.into(), MANAGE).await?;
        if v.selected.is_some() {
            return Err(StoreError::Conflict(
                "the selection for this vacancy is made: no more candidates are added".into(),
            ));
        }
        let trim = |s: &str| s.trim().to_string();
        let candidate = Candidate {
            name: trim(&candidate.name),
            rank: trim(&candidate.rank),
            current_role: trim(&candidate.current_role),
            previous_experience: trim(&candidate.previous_experience),
            search_roles: trim(&candidate.search_roles),
            event_planning_and_command: trim(&candidate.event_planning_and_command),
            notes: trim(&candidate.notes),
        };
        check_candidate(&candidate).map_err(invalid)?;
        if v.candidates.iter().any(|c| c.name.trim() == candidate.name) {
            return Err(StoreError::invalid(
                "name",
                format!("{} is already a candidate for this vacancy", candidate.name),
            ));
        }
        v.candidates.push(candidate);
        self.save_vacancy(viewer, v).await
    }

    /// The viewer's organisation's vacancies, newest first.
    pub async fn vacancies(&self, viewer: &Viewer) -> Result<Vec<Vacancy>, StoreError> {
        self.store
            .fetch(
                "SELECT body FROM seco_vacancies WHERE organisation_id = $1 ORDER BY created_at DESC, id",
                &[Val::from(viewer.organisation_id.to_string())],
            )
            .await?
            .iter()
            .map(|r| serde_json::from_str(&r.text(0)).map_err(integrity))
            .collect()
    }

    /// One vacancy of the viewer's organisation.
    pub async fn vacancy(&self, viewer: &Viewer, id: &VacancyId) -> Result<Vacancy, StoreError> {
        self.vacancies(viewer)
            .await?
            .into_iter()
            .find(|v| &v.id == id)
            .ok_or_else(|| StoreError::not_found(None, "no such vacancy"))
    }

    /// The deployment authority's dashboard.
    pub async fn dashboard(&self, viewer: &Viewer) -> Result<Dashboard, StoreError> {
        let requests = self.requests(viewer).await?;
        let (open_requests, decided_requests): (Vec<_>, Vec<_>) = requests.into_iter().partition(|r| r.status.open());
        let roster = self.roster(viewer).await?;
        let today = self.store.today();
        let soon = cordon_domain::policy::add_months(today, 2).to_string();
        let reviews_due = roster
            .iter()
            .filter(|e| {
                e.annual_review_due.as_ref().is_some_and(|d| *d <= soon) && e.seco.status == SecoStatus::Qualified
            })
            .cloned()
            .collect();
        Ok(Dashboard {
            open_requests,
            decided_requests,
            qualified: roster.iter().filter(|e| e.seco.status == SecoStatus::Qualified).count() as i64,
            capacity: self.capacity(&viewer.organisation_id).await?,
            reviews_due,
            roster,
            vacancies: self.vacancies(viewer).await?,
        })
    }
}

fn step_words(kind: &str) -> &'static str {
    match kind {
        "deployment_requested" => "Request submitted",
        "deployment_discussed" => "Discussion recorded",
        "seco_appointed" => "SECO appointed",
        "deployment_declined" => "Declined",
        "deployment_withdrawn" => "Withdrawn",
        "seco_stood_down" => "SECO stood down",
        _ => "Changed",
    }
}

fn hydrate(r: &Row, steps: Vec<Step>) -> Result<RequestRecord, StoreError> {
    let request: NewDeploymentRequest = serde_json::from_str(&r.text(0)).map_err(integrity)?;
    let gold_organisation: Option<(OrganisationId, String)> = match (r.opt_id(15)?, r.opt_text(16)) {
        (Some(id), Some(name)) => Some((id, name)),
        _ => None,
    };
    Ok(RequestRecord {
        status: r.text(1).parse().map_err(integrity)?,
        discussion: r.opt_text(2).map(|d| serde_json::from_str(&d)).transpose().map_err(integrity)?,
        seco_id: r.opt_id(3)?,
        justification: r.opt_text(4),
        decision_reason: r.opt_text(5),
        decided_by: r.opt_text(6),
        decided_at: r.opt_text(7).map(|t| Instant::parse(&t)).transpose().map_err(integrity)?,
        created_at: Instant::parse(&r.text(8)).map_err(integrity)?,
        organisation_name: r.text(9),
        ctsu_name: r.text(10),
        gold_name: r.opt_text(11).unwrap_or_default(),
        gold_user_id: r.opt_id(14)?,
        requested_by_name: r.opt_text(12).unwrap_or_default(),
        seco_name: r.opt_text(13),
        gold_force: gold_command_elsewhere(
            request.gold_force.as_deref(),
            &request.organisation_id,
            gold_organisation.as_ref().map(|(id, name)| (id, name.as_str())),
        ),
        gold_organisation,
        request,
        steps,
    })
}
