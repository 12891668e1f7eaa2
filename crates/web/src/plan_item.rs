//! Changing one item of the plan on a page of its own. The plan page lists
//! each item with a "Change" link here; this page holds the item's whole form,
//! filled in, and the button that removes it. Saving goes through the same
//! parsing and store checks as adding.

use crate::auth::PageUser;
use crate::error::ApiError;
use crate::forms::{check_csrf, field, Fields};
use crate::pages::{message_page, render, FormErrors, Layout};
use crate::plan::item_from_form;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use cordon_domain::plan::*;
use cordon_store::plan::PlanView;
use cordon_store::StoreError;

/// How a field is asked for.
enum Kind {
    Text,
    Area,
    Date,
    /// One of (value, label).
    Select(Vec<(String, String)>),
    /// Any of (value, label).
    Checks(Vec<(String, String)>),
}

/// One field of an item's form: its form name (as `item_from_form` reads it),
/// its label, and how it is asked for.
struct Spec {
    name: &'static str,
    label: &'static str,
    kind: Kind,
}

fn spec(name: &'static str, label: &'static str, kind: Kind) -> Spec {
    Spec { name, label, kind }
}

fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect()
}

const MEASURE_STATUS: &[(&str, &str)] = &[
    ("proposed", "Proposed"),
    ("accepted", "Accepted"),
    ("declined_resources", "Declined: no resources"),
    ("declined_other", "Declined: other reason"),
];
const RECOMMENDATION_STATUS: &[(&str, &str)] = &[
    ("open", "Open"),
    ("accepted", "Accepted"),
    ("declined_resources", "Declined: no resources"),
    ("declined_other", "Declined: other reason"),
];
const TACTICAL_KINDS: &[&str] = &[
    "firearms",
    "search",
    "public_order",
    "protected_persons",
    "traffic",
    "medical",
    "communications",
    "cbrn",
    "other",
];
const MEETING_KINDS: &[(&str, &str)] = &[
    ("tactical_planning_group", "Tactical planning group"),
    ("strategic_coordinating_group", "Strategic coordinating group"),
    ("safety_advisory_group", "Safety advisory group"),
    ("other", "Other"),
];

/// The methodologies of the catalogue, as (id, name), for risk choices.
fn methodologies(view: &PlanView) -> Vec<(String, String)> {
    view.risks.iter().map(|r| (r.methodology.clone(), r.name.clone())).collect()
}

/// The form of an item of `section`; `None` for sections edited on the plan
/// page itself (tasking, intent, risk assessments, the no-visit reason).
fn specs(section: &str, view: &PlanView) -> Option<Vec<Spec>> {
    use Kind::*;
    Some(match section {
        "threat_assessment" => vec![
            spec("source", "Source", Text),
            spec("date", "Date of the assessment", Date),
            spec("summary", "Summary", Area),
            spec(
                "marking",
                "Marking",
                Select(options(&[
                    ("OFFICIAL", "OFFICIAL"),
                    ("OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"),
                    ("SECRET", "SECRET"),
                ])),
            ),
        ],
        "operational_factor" => vec![spec("description", "Event or factor", Area)],
        "recon_visit" => vec![
            spec("date", "Date of the visit", Date),
            spec("attendees", "Who attended", Text),
            spec("areas", "Areas visited", Text),
            spec("findings", "Findings", Area),
        ],
        "vulnerability" => vec![
            spec("location", "Where", Text),
            spec("description", "What", Area),
            spec("methodologies", "Methodologies it affects", Checks(methodologies(view))),
            spec(
                "severity",
                "Severity (1 minor to 5 severe)",
                Select((1..=5).map(|n| (n.to_string(), n.to_string())).collect()),
            ),
        ],
        "power" => vec![
            spec("title", "Power or policy", Text),
            spec("reference", "Reference", Text),
            spec("notes", "Notes", Text),
        ],
        "measure" => vec![
            spec("title", "Measure", Text),
            spec("risks", "Risks it treats", Checks(methodologies(view))),
            spec(
                "vulnerabilities",
                "Vulnerabilities it addresses",
                Checks(view.plan.vulnerabilities.iter().map(|v| (v.id.clone(), v.location.clone())).collect()),
            ),
            spec(
                "tactical_plan",
                "Delivered by tactical plan",
                Select(
                    std::iter::once((String::new(), "None".to_string()))
                        .chain(
                            view.plan
                                .tactical_plans
                                .iter()
                                .map(|t| (t.id.clone(), format!("{} ({})", tactical_words(t.kind), t.owner))),
                        )
                        .collect(),
                ),
            ),
            spec("status", "Status", Select(options(MEASURE_STATUS))),
            spec("rationale", "Rationale", Text),
        ],
        "contingency" => vec![
            spec("risks", "Residual risks it manages", Checks(methodologies(view))),
            spec("trigger", "Trigger", Text),
            spec("actions", "Actions", Area),
            spec("owner", "Owner", Text),
        ],
        "recommendation" => vec![
            spec("text", "Recommendation", Area),
            spec("priority", "Priority", Select(options(&[("high", "High"), ("medium", "Medium"), ("low", "Low")]))),
            spec("risks", "Risks it addresses", Checks(methodologies(view))),
            spec("proportionality_rationale", "Proportionality rationale", Area),
            spec("status", "Status", Select(options(RECOMMENDATION_STATUS))),
        ],
        "review" => vec![spec("date", "Date", Date), spec("by", "Reviewed by", Text), spec("notes", "Notes", Text)],
        "tactical_plan" => vec![
            spec(
                "kind",
                "Kind",
                Select(
                    TACTICAL_KINDS.iter().map(|k| (k.to_string(), capitalised(tactical_words(kind_of(k))))).collect(),
                ),
            ),
            spec("owner", "Owner", Text),
            spec("version", "Version", Text),
            spec("received_on", "Received on", Date),
            spec("reviewed_by", "Reviewed by", Text),
            spec(
                "mark_reviewed",
                "Review",
                Checks(options(&[("1", "I have reviewed it against this plan: record me as the reviewer")])),
            ),
            spec("notes", "Notes", Text),
        ],
        "stakeholder" => {
            vec![spec("name", "Name", Text), spec("organisation", "Organisation", Text), spec("role", "Role", Text)]
        }
        "liaison" => vec![
            spec("date", "Date", Date),
            spec("with", "With", Text),
            spec("summary", "Summary", Area),
            spec("agreed", "What was agreed", Text),
            spec("actions", "Actions", Text),
        ],
        "meeting" => vec![
            spec("kind", "Meeting", Select(options(MEETING_KINDS))),
            spec("date", "Date", Date),
            spec("attendees", "Attendees", Text),
            spec("minutes", "Minutes", Area),
            spec("action_text", "Add an action (optional)", Text),
            spec("action_owner", "Action owner", Text),
            spec("action_due", "Action due", Date),
        ],
        _ => return None,
    })
}

fn kind_of(k: &str) -> TacticalPlanKind {
    serde_json::from_value(serde_json::json!(k)).unwrap_or(TacticalPlanKind::Other)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn snake<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

/// An item's current values under the names its form uses.
fn values(item: &PlanItem) -> Fields {
    let mut f: Fields = Vec::new();
    let mut put = |k: &str, v: &str| f.push((k.to_string(), v.to_string()));
    match item {
        PlanItem::ThreatAssessment(t) => {
            put("source", &t.source);
            put("date", &t.date);
            put("summary", &t.summary);
            put("marking", t.marking.as_str());
        }
        PlanItem::OperationalFactor(o) => put("description", &o.description),
        PlanItem::ReconVisit(v) => {
            put("date", &v.date);
            put("attendees", &v.attendees);
            put("areas", &v.areas);
            put("findings", &v.findings);
        }
        PlanItem::Vulnerability(v) => {
            put("location", &v.location);
            put("description", &v.description);
            v.methodologies.iter().for_each(|m| put("methodologies", m));
            put("severity", &v.severity.to_string());
        }
        PlanItem::Power(p) => {
            put("title", &p.title);
            put("reference", &p.reference);
            put("notes", &p.notes);
        }
        PlanItem::Measure(m) => {
            put("title", &m.title);
            m.risks.iter().for_each(|r| put("risks", r));
            m.vulnerabilities.iter().for_each(|v| put("vulnerabilities", v));
            put("tactical_plan", m.tactical_plan.as_deref().unwrap_or(""));
            put(
                "status",
                match (m.status, m.decline_reason) {
                    (MeasureStatus::Accepted, _) => "accepted",
                    (MeasureStatus::Proposed, _) => "proposed",
                    (MeasureStatus::Declined, Some(DeclineReason::Resources)) => "declined_resources",
                    (MeasureStatus::Declined, _) => "declined_other",
                },
            );
            put("rationale", &m.rationale);
            if m.from_library {
                put("from_library", "yes");
            }
        }
        PlanItem::Contingency(c) => {
            c.risks.iter().for_each(|r| put("risks", r));
            put("trigger", &c.trigger);
            put("actions", &c.actions);
            put("owner", &c.owner);
        }
        PlanItem::Recommendation(r) => {
            put("text", &r.text);
            put("priority", &snake(&r.priority));
            r.risks.iter().for_each(|m| put("risks", m));
            put("proportionality_rationale", &r.proportionality_rationale);
            put("status", &snake(&r.status));
        }
        PlanItem::Review(r) => {
            put("date", &r.date);
            put("by", &r.by);
            put("notes", &r.notes);
        }
        PlanItem::TacticalPlan(t) => {
            put("kind", &snake(&t.kind));
            put("owner", &t.owner);
            put("version", &t.version);
            put("received_on", &t.received_on);
            put("reviewed_by", &t.reviewed_by);
            put("notes", &t.notes);
        }
        PlanItem::Stakeholder(s) => {
            put("name", &s.name);
            put("organisation", &s.organisation);
            put("role", &s.role);
        }
        PlanItem::Liaison(l) => {
            put("date", &l.date);
            put("with", &l.with);
            put("summary", &l.summary);
            put("agreed", &l.agreed);
            put("actions", &l.actions);
        }
        PlanItem::Meeting(m) => {
            put("kind", &m.kind);
            put("date", &m.date);
            put("attendees", &m.attendees);
            put("minutes", &m.minutes);
        }
        PlanItem::Tasking(_) | PlanItem::Intent(_) | PlanItem::NoReconReason { .. } | PlanItem::RiskAssessment(_) => {}
    }
    f
}

/// What the item is called on its page and buttons.
fn title(item: &PlanItem) -> String {
    match item {
        PlanItem::ThreatAssessment(t) => format!("Threat assessment from {} ({})", t.source, t.date),
        PlanItem::OperationalFactor(o) => format!("Operational factor: {}", o.description),
        PlanItem::ReconVisit(v) => format!("Reconnaissance visit on {}", v.date),
        PlanItem::Vulnerability(v) => format!("Vulnerability: {}", v.location),
        PlanItem::Power(p) => format!("Power or policy: {}", p.title),
        PlanItem::Measure(m) => format!("Measure: {}", m.title),
        PlanItem::Contingency(c) => format!("Contingency plan: {}", c.trigger),
        PlanItem::Recommendation(r) => format!("Recommendation: {}", r.text),
        PlanItem::Review(r) => format!("Review on {} by {}", r.date, r.by),
        PlanItem::TacticalPlan(t) => format!("{} plan ({})", tactical_words(t.kind), t.owner),
        PlanItem::Stakeholder(s) => format!("Stakeholder: {}", s.name),
        PlanItem::Liaison(l) => format!("Liaison with {} on {}", l.with, l.date),
        PlanItem::Meeting(m) => format!("Meeting on {}", m.date),
        other => other.section().replace('_', " "),
    }
}

/// A field as the template shows it.
pub struct FieldView {
    name: &'static str,
    label: &'static str,
    /// "text", "area", "date", "select" or "checks".
    kind: &'static str,
    value: String,
    /// (value, label, chosen)
    options: Vec<(String, String, bool)>,
    error: String,
}

fn field_views(specs: Vec<Spec>, f: &Fields, errors: &FormErrors) -> Vec<FieldView> {
    specs
        .into_iter()
        .map(|s| {
            let chosen: Vec<&str> = f.iter().filter(|(k, _)| k == s.name).map(|(_, v)| v.as_str()).collect();
            let (kind, options) = match s.kind {
                Kind::Text => ("text", vec![]),
                Kind::Area => ("area", vec![]),
                Kind::Date => ("date", vec![]),
                Kind::Select(o) | Kind::Checks(o) if o.is_empty() => ("none", vec![]),
                Kind::Select(o) => ("select", o),
                Kind::Checks(o) => ("checks", o),
            };
            FieldView {
                name: s.name,
                label: s.label,
                kind,
                value: field(f, s.name),
                options: options
                    .into_iter()
                    .map(|(v, l)| {
                        let chosen = chosen.contains(&v.as_str());
                        (v, l, chosen)
                    })
                    .collect(),
                error: errors.get(s.name).unwrap_or_default().to_string(),
            }
        })
        .filter(|v| v.kind != "none")
        .collect()
}

#[derive(Template)]
#[template(path = "plan_item.html")]
struct ItemPage {
    layout: Layout,
    event_id: String,
    event_name: String,
    /// Where the form posts, and what its button says.
    action: String,
    button: &'static str,
    /// The item's own address, for its Remove button; none when adding.
    item_path: Option<String>,
    title: String,
    anchor: String,
    needs_review: bool,
    existing_actions: Vec<MeetingAction>,
    fields: Vec<FieldView>,
    errors: FormErrors,
}

fn find(view: &PlanView, section: &str, item_id: &str) -> Option<PlanItem> {
    view.plan.items().into_iter().find(|i| i.section() == section && i.id() == item_id)
}

/// "a threat assessment" and the like, for adding one.
fn noun(section: &str) -> &'static str {
    match section {
        "threat_assessment" => "a threat assessment",
        "operational_factor" => "an event or operational factor",
        "recon_visit" => "a reconnaissance visit",
        "vulnerability" => "a vulnerability",
        "power" => "a power or policy",
        "measure" => "a measure",
        "contingency" => "a contingency plan",
        "recommendation" => "a recommendation",
        "review" => "a review",
        "tactical_plan" => "a tactical plan",
        "stakeholder" => "a stakeholder",
        "liaison" => "an entry in the liaison log",
        "meeting" => "a planning meeting",
        _ => "an item",
    }
}

/// The form of an item of `section`, filled in from `f`: changing `existing`,
/// or adding a new one when it is `None`.
fn item_page(
    u: &crate::auth::CurrentUser,
    view: &PlanView,
    section: &str,
    existing: Option<&PlanItem>,
    f: &Fields,
    status: StatusCode,
    errors: FormErrors,
) -> Response {
    let Some(specs) = specs(section, view) else { return crate::pages::not_found_for(Some(u)) };
    let fields = field_views(specs, f, &errors);
    let plan_path = format!("/events/{}/plan", view.event.id);
    let (heading, action, button, item_path) = match existing {
        Some(item) => {
            let path = format!("{plan_path}/{section}/{}", item.id());
            (title(item), path.clone(), "Save changes", Some(path))
        }
        None => (capitalised(&format!("add {}", noun(section))), format!("{plan_path}/{section}"), "Add", None),
    };
    let layout_title = if existing.is_some() { format!("Change: {heading}") } else { heading.clone() };
    render(
        status,
        &ItemPage {
            layout: Layout::for_user(layout_title, view.event.marking, "/events", Some(u)),
            event_id: view.event.id.clone(),
            event_name: view.event.name.clone(),
            action,
            button,
            item_path,
            title: heading,
            anchor: section.replace('_', "-"),
            needs_review: matches!(existing, Some(PlanItem::ThreatAssessment(t)) if t.needs_review)
                || matches!(existing, Some(PlanItem::ReconVisit(v)) if v.needs_review),
            existing_actions: match existing {
                Some(PlanItem::Meeting(m)) => m.actions.clone(),
                _ => vec![],
            },
            fields,
            errors,
        },
    )
}

/// Whether items of `section` have a form of their own: the list sections.
/// (Tasking, intent, the no-visit reason and risk assessments are edited on
/// the plan page itself.)
pub(crate) fn has_form(section: &str) -> bool {
    matches!(
        section,
        "threat_assessment"
            | "operational_factor"
            | "recon_visit"
            | "vulnerability"
            | "power"
            | "measure"
            | "contingency"
            | "recommendation"
            | "review"
            | "tactical_plan"
            | "stakeholder"
            | "liaison"
            | "meeting"
    )
}

/// After a failed add from the plan page: the section's form on a page of its
/// own, filled in with what was typed, each error next to its field.
pub(crate) async fn add_again(
    state: &AppState,
    u: &crate::auth::CurrentUser,
    id: &str,
    section: &str,
    f: &Fields,
    e: StoreError,
) -> Response {
    let view = match state.store.plan().plan_view(&u.viewer, id).await {
        Ok(v) => v,
        Err(StoreError::NotFound { .. }) => return crate::pages::not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    match FormErrors::from_store(e) {
        Ok(errors) => item_page(u, &view, section, None, f, StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(r) => r,
    }
}

/// The view and the item, for a viewer who may change the plan; otherwise the
/// response to give (not found for anyone who may not see or change it).
async fn load(
    state: &AppState,
    u: &crate::auth::CurrentUser,
    id: &str,
    section: &str,
    item_id: &str,
) -> Result<(std::sync::Arc<PlanView>, PlanItem), Response> {
    let view = match state.store.plan().plan_view(&u.viewer, id).await {
        Ok(v) => v,
        Err(StoreError::NotFound { .. }) => return Err(crate::pages::not_found_for(Some(u))),
        Err(e) => return Err(ApiError::from(e).into_response()),
    };
    if !u.viewer.may(cordon_domain::access::Action::Change) {
        return Err(message_page(
            StatusCode::FORBIDDEN,
            "You cannot change this plan",
            "Your roles let you read this plan but not change it.",
            Some(u),
        ));
    }
    match find(&view, section, item_id) {
        Some(item) if specs(section, &view).is_some() => Ok((view, item)),
        _ => Err(crate::pages::not_found_for(Some(u))),
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, section, item_id)): Path<(String, String, String)>,
) -> Response {
    match load(&state, &u, &id, &section, &item_id).await {
        Ok((view, item)) => {
            item_page(&u, &view, &section, Some(&item), &values(&item), StatusCode::OK, FormErrors::default())
        }
        Err(r) => r,
    }
}

/// Fills in from the existing item what its form does not carry, and what the
/// page decides rather than the user.
pub(crate) fn merge(item: &mut PlanItem, existing: Option<&PlanItem>, f: &Fields, user_name: &str) {
    match (item, existing) {
        // Attachments are added one at a time and kept when the visit changes.
        (PlanItem::ReconVisit(v), Some(PlanItem::ReconVisit(old))) => v.attachments = old.attachments.clone(),
        // Earlier actions are kept; the form adds one more.
        (PlanItem::Meeting(m), Some(PlanItem::Meeting(old))) => {
            let mut actions = old.actions.clone();
            actions.append(&mut m.actions);
            m.actions = actions;
        }
        // "I have reviewed it" records the signed-in user as the reviewer.
        (PlanItem::TacticalPlan(t), _) if field(f, "mark_reviewed") == "1" => t.reviewed_by = user_name.to_string(),
        (PlanItem::Measure(m), Some(PlanItem::Measure(old))) => m.from_library = old.from_library,
        _ => {}
    }
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, section, item_id)): Path<(String, String, String)>,
    Form(mut f): Form<Fields>,
) -> Response {
    if let Err(r) = check_csrf(&u, &f) {
        return r;
    }
    let (view, existing) = match load(&state, &u, &id, &section, &item_id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // The item is the one in the address, whatever the form says.
    f.retain(|(k, _)| k != "id");
    f.push(("id".into(), item_id.clone()));
    let result = match item_from_form(&section, &f) {
        Ok(mut item) => {
            merge(&mut item, Some(&existing), &f, &u.user.name);
            state.store.plan().save_plan_item(&u.viewer, &id, item).await.map(|_| ())
        }
        Err((field, message)) => Err(StoreError::Invalid { field, message }),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/events/{id}/plan#{}", section.replace('_', "-"))).into_response(),
        Err(StoreError::NotFound { field: None, .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => item_page(&u, &view, &section, Some(&existing), &f, StatusCode::UNPROCESSABLE_ENTITY, errors),
            Err(r) => r,
        },
    }
}

/// "Mark reviewed by me" on the plan page: records the signed-in user as the
/// reviewer of a tactical plan, changing nothing else.
pub async fn mark_reviewed(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, tp)): Path<(String, String)>,
    Form(f): Form<Fields>,
) -> Response {
    if let Err(r) = check_csrf(&u, &f) {
        return r;
    }
    // One store operation: a change made to the plan meanwhile is kept.
    match state.store.plan().mark_tactical_plan_reviewed(&u.viewer, &id, &tp, &u.user.name).await {
        Ok(_) => Redirect::to(&format!("/events/{id}/plan#tactical-plan")).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => message_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The plan could not be marked reviewed",
                &errors.0.first().map(|(_, m)| m.clone()).unwrap_or_default(),
                Some(&u),
            ),
            Err(r) => r,
        },
    }
}
