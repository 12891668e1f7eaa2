//! A home page per person and `GET /api/v1/me/tasks`: my events, versions
//! awaiting my endorsement, actions assigned to me (overdue first), recent
//! changes to my events, and the events shared with my organisation.

use crate::api::{ApiRoutes, Unauthorised};
use crate::auth::{ApiUser, MaybeUser};
use crate::error::ApiError;
use crate::events::{highest, EventBody};
use crate::pages::{render, Layout};
use crate::threat::LevelBadge;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cordon_domain::ids::EventId;
use cordon_domain::london::{display_instant, display_stored};
use cordon_domain::threat::Series;
use cordon_domain::Marking;
use cordon_store::tasks::Tasks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

/// A version waiting for the caller, as Gold, to endorse it.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct AwaitingBody {
    event: EventBody,
    /// The version's number.
    number: i64,
    #[schema(format = DateTime)]
    issued_at: String,
    /// Who issued it, by name.
    issued_by: String,
}

/// An action from a meeting or from liaison assigned to the caller.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ActionBody {
    event_id: EventId,
    event_name: String,
    /// The meeting's or liaison entry's id (`source` says which).
    meeting_id: String,
    /// Where it was agreed: "meeting" or "liaison".
    source: String,
    text: String,
    /// YYYY-MM-DD, or empty when it has none.
    due: String,
    status: String,
    overdue: bool,
}

/// A change to one of the caller's events, in words.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ChangeBody {
    event_id: EventId,
    event_name: String,
    #[schema(format = DateTime)]
    at: String,
    /// Who made it, by name.
    who: String,
    /// What changed, in words.
    what: String,
}

/// The caller's tasks.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct TasksBody {
    /// Events whose team the caller is in (the first ten, in start order).
    my_events: Vec<EventBody>,
    my_events_total: i64,
    /// Versions awaiting the caller's endorsement as Gold.
    awaiting_endorsement: Vec<AwaitingBody>,
    /// Open actions assigned to the caller, overdue first, then by due date.
    actions: Vec<ActionBody>,
    /// The latest changes to the caller's events (whose history they may read).
    recent_changes: Vec<ChangeBody>,
    /// Events led by other organisations and shared with the caller's (the first ten).
    shared_events: Vec<EventBody>,
    shared_events_total: i64,
    /// Whether the caller may create events.
    may_create_events: bool,
}

fn body(t: Tasks, may_create_events: bool) -> TasksBody {
    TasksBody {
        my_events: t.my_events.iter().map(EventBody::from).collect(),
        my_events_total: t.my_events_total,
        awaiting_endorsement: t
            .awaiting_endorsement
            .into_iter()
            .map(|a| AwaitingBody {
                event: EventBody::from(&a.event),
                number: a.number,
                issued_at: a.issued_at,
                issued_by: a.issued_by,
            })
            .collect(),
        actions: t
            .actions
            .into_iter()
            .map(|a| ActionBody {
                event_id: a.event_id,
                event_name: a.event_name,
                meeting_id: a.meeting_id,
                source: a.source.to_string(),
                text: a.text,
                due: a.due,
                status: a.status,
                overdue: a.overdue,
            })
            .collect(),
        recent_changes: t
            .recent_changes
            .into_iter()
            .map(|c| ChangeBody {
                event_id: c.event_id,
                event_name: c.event_name,
                at: c.change.at,
                who: c.change.who,
                what: c.change.what,
            })
            .collect(),
        shared_events: t.shared_events.iter().map(EventBody::from).collect(),
        shared_events_total: t.shared_events_total,
        may_create_events,
    }
}

/// What the caller has to do: their events, versions awaiting their
/// endorsement, actions assigned to them, recent changes, shared events.
#[utoipa::path(get, path = "/me/tasks", tag = "tasks",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The caller's tasks", body = TasksBody), Unauthorised))]
pub async fn api_tasks(State(state): State<AppState>, ApiUser(u): ApiUser) -> Result<Json<TasksBody>, ApiError> {
    let tasks = state.store.tasks().for_viewer(&u.viewer).await?;
    Ok(Json(body(tasks, u.viewer.may(cordon_domain::planned_event::CREATE))))
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new().routes(routes!(api_tasks))
}

struct EventLine {
    id: String,
    name: String,
    starts: String,
    status: &'static str,
    organisation: String,
    marking: String,
}

struct AwaitingLine {
    event_id: String,
    event_name: String,
    number: i64,
    issued: String,
    issued_by: String,
}

struct ActionLine {
    event_id: String,
    event_name: String,
    /// Where it is on the plan page: `meeting-{id}` or `liaison-{id}`.
    anchor: String,
    text: String,
    due: String,
    overdue: bool,
}

struct ChangeLine {
    event_id: String,
    event_name: String,
    when: String,
    who: String,
    what: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    layout: Layout,
    national: Option<LevelBadge>,
    signed_in: bool,
    is_partner: bool,
    may_create: bool,
    my_events: Vec<EventLine>,
    my_events_total: i64,
    awaiting: Vec<AwaitingLine>,
    actions: Vec<ActionLine>,
    changes: Vec<ChangeLine>,
    shared: Vec<EventLine>,
    shared_total: i64,
    my_sites: Vec<MySiteLine>,
}

/// A site where the person works: its response level, what it means, and
/// the notice to acknowledge if there is one.
struct MySiteLine {
    id: String,
    name: String,
    response_level: String,
    meaning: &'static str,
    unacknowledged: Option<String>,
    /// What staff there are told to do: the instructions of the options in force.
    instructions: Vec<String>,
}

fn line(e: &cordon_store::events::EventRecord) -> EventLine {
    EventLine {
        id: e.id.to_string(),
        name: e.name.clone(),
        starts: display_instant(e.starts_at),
        status: e.status.words(),
        organisation: e.organisation_name.clone(),
        marking: e.marking.to_string(),
    }
}

pub async fn home(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Response {
    let national = state.store.threat().level_on(Series::National, None).await.ok().map(LevelBadge::from);
    let Some(u) = user else {
        let layout = Layout::for_user("Counter-terrorism protective security planning", Marking::Official, "/", None);
        return render(
            StatusCode::OK,
            &Home {
                layout,
                national,
                signed_in: false,
                is_partner: false,
                may_create: false,
                my_events: Vec::new(),
                my_events_total: 0,
                awaiting: Vec::new(),
                actions: Vec::new(),
                changes: Vec::new(),
                shared: Vec::new(),
                shared_total: 0,
                my_sites: Vec::new(),
            },
        );
    };
    let t = match state.store.tasks().for_viewer(&u.viewer).await {
        Ok(t) => t,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let marking = highest(
        t.my_events
            .iter()
            .chain(t.shared_events.iter())
            .chain(t.awaiting_endorsement.iter().map(|a| &a.event))
            .map(|e| &e.marking),
    );
    let my_sites = match state.store.estate().my_sites(&u.viewer).await {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut site_lines = Vec::with_capacity(my_sites.len());
    for m in my_sites {
        let instructions = match state.store.estate().instructions(&u.viewer, &m.site).await {
            Ok(i) => i,
            Err(e) => return ApiError::from(e).into_response(),
        };
        site_lines.push(MySiteLine {
            id: m.site.id.to_string(),
            name: m.site.name,
            response_level: m.site.response_level.to_string(),
            meaning: cordon_domain::estate::meaning(m.site.response_level),
            unacknowledged: m.unacknowledged,
            instructions,
        });
    }
    let may_create = u.viewer.may(cordon_domain::planned_event::CREATE);
    // Partners and advisers: those who work on events others lead.
    let is_partner = !may_create;
    render(
        StatusCode::OK,
        &Home {
            layout: Layout::for_user("Your work", marking, "/", Some(&u)),
            national,
            signed_in: true,
            is_partner,
            may_create,
            my_events: t.my_events.iter().map(line).collect(),
            my_events_total: t.my_events_total,
            awaiting: t
                .awaiting_endorsement
                .iter()
                .map(|a| AwaitingLine {
                    event_id: a.event.id.to_string(),
                    event_name: a.event.name.clone(),
                    number: a.number,
                    issued: display_stored(&a.issued_at),
                    issued_by: a.issued_by.clone(),
                })
                .collect(),
            actions: t
                .actions
                .iter()
                .map(|a| ActionLine {
                    event_id: a.event_id.to_string(),
                    event_name: a.event_name.clone(),
                    anchor: format!("{}-{}", a.source, a.meeting_id),
                    text: a.text.clone(),
                    due: cordon_domain::documents::date_words(&a.due),
                    overdue: a.overdue,
                })
                .collect(),
            changes: t
                .recent_changes
                .iter()
                .map(|c| ChangeLine {
                    event_id: c.event_id.to_string(),
                    event_name: c.event_name.clone(),
                    when: display_stored(&c.change.at),
                    who: c.change.who.clone(),
                    what: c.change.what.clone(),
                })
                .collect(),
            shared: t.shared_events.iter().map(line).collect(),
            shared_total: t.shared_events_total,
            my_sites: site_lines,
        },
    )
}
