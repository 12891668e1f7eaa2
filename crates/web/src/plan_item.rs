//! Changing one item of the plan on a page of its own. The plan page lists
//! each item with a "Change" link here; this page holds the item's whole form,
//! filled in, and the button that removes it. Saving goes through the same
//! parsing and store checks as adding. The form is the one `plan_form`
//! declares for the section.

use crate::auth::PageUser;
use crate::error::ApiError;
use crate::forms::{CheckedForm, Fields};
use crate::pages::{message_page, render, FormErrors, Layout};
use crate::plan_form::{self, capitalised, field_rows, item_from_form, values, Cx, Draw, FieldView};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cordon_domain::ids::EventId;
use cordon_domain::plan::*;
use cordon_store::plan::PlanView;
use cordon_store::StoreError;

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

/// A file's size in words: "850 bytes", "120 KB", "3.4 MB".
fn size_words(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} bytes"),
        1_000..1_000_000 => format!("{} KB", n / 1_000),
        _ => format!("{:.1} MB", n as f64 / 1_000_000.0),
    }
}

/// The heading of the page of a section the plan holds one of: the tasking,
/// the intent, why no visit is possible, a methodology's assessment.
fn section_heading(section: &str, view: &PlanView, f: &Fields) -> String {
    match section {
        "tasking" => "Tasking".into(),
        "intent" => "Commander's intent and strategic objectives".into(),
        "no_recon_reason" => "Why no reconnaissance visit is possible".into(),
        "risk_assessment" => {
            let id = crate::forms::field(f, "methodology");
            let name = view.risks.iter().find(|r| r.methodology == id).map(|r| r.name.clone()).unwrap_or(id);
            format!("Risk assessment: {name}")
        }
        other => capitalised(&other.replace('_', " ")),
    }
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
    rows: Vec<Vec<FieldView>>,
    /// A reconnaissance visit's attachments (sha256, name, bytes), and
    /// whether the page is a visit's (which takes more).
    attachments: Vec<(String, String, String)>,
    is_visit: bool,
    errors: FormErrors,
    /// The plan's state this form was drawn from: a save expects it still.
    expected_seq: i64,
    /// After a stale save: the item as the plan now holds it, (label, value).
    current: Vec<(String, String)>,
}

fn find(view: &PlanView, section: &str, item_id: &str) -> Option<PlanItem> {
    view.plan.items().into_iter().find(|i| i.section() == section && i.id() == item_id)
}

/// The item as it stands, in words, for a page that explains why a save was stale.
fn current_values(section: &str, item: &PlanItem) -> Vec<(String, String)> {
    let Some(form) = plan_form::form(section) else { return Vec::new() };
    let values = values(item);
    form.fields
        .iter()
        .filter(|spec| !spec.label.is_empty())
        .filter_map(|spec| {
            let v: Vec<&str> = values
                .iter()
                .filter(|(k, _)| k == spec.name)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
                .collect();
            (!v.is_empty()).then(|| (spec.label.to_string(), v.join(", ")))
        })
        .collect()
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
    // A save refused as stale shows the item as the plan now holds it.
    let current = match existing {
        Some(item) if status == StatusCode::CONFLICT => current_values(section, item),
        _ => Vec::new(),
    };
    let Some(form) = plan_form::form(section).filter(|f| f.own_page || existing.is_none()) else {
        return crate::pages::not_found_for(Some(u));
    };
    let errors = plan_form::worded_errors(section, errors);
    let draw = Draw { adding: existing.is_none(), prefix: None, values: f, errors: &errors };
    let cx = Cx::from(view);
    let mut rows = field_rows(&form, &cx, &draw);
    rows.extend(plan_form::marking_row(section, &cx, None, f, &errors));
    let plan_path = format!("/events/{}/plan", view.event.id);
    let (heading, action, button, item_path) = match existing {
        Some(item) => {
            let path = format!("{plan_path}/{section}/{}", item.id());
            (title(item), path.clone(), "Save changes", Some(path))
        }
        None if form.own_page => {
            (capitalised(&format!("add {}", form.noun)), format!("{plan_path}/{section}"), "Add", None)
        }
        // A section the plan holds one of (or one per methodology): saved in place.
        None => (section_heading(section, view, f), format!("{plan_path}/{section}"), form.button, None),
    };
    let anchor = match section {
        "risk_assessment" => format!("risk-{}", crate::forms::field(f, "methodology")),
        _ => section.replace('_', "-"),
    };
    let layout_title = if existing.is_some() { format!("Change: {heading}") } else { heading.clone() };
    render(
        status,
        &ItemPage {
            layout: Layout::for_user(
                layout_title,
                existing.map(|i| view.plan.marking_of(i, view.event.marking)).unwrap_or(view.event.marking),
                "/events",
                Some(u),
            ),
            event_id: view.event.id.to_string(),
            event_name: view.event.name.clone(),
            action,
            button,
            item_path,
            title: heading,
            anchor,
            attachments: match existing {
                Some(PlanItem::ReconVisit(v)) => {
                    v.attachments.iter().map(|a| (a.sha256.clone(), a.name.clone(), size_words(a.size))).collect()
                }
                _ => vec![],
            },
            is_visit: matches!(existing, Some(PlanItem::ReconVisit(_))),
            needs_review: matches!(existing, Some(PlanItem::ThreatAssessment(t)) if t.needs_review)
                || matches!(existing, Some(PlanItem::ReconVisit(v)) if v.needs_review),
            existing_actions: match existing {
                Some(item) => item.assigned_actions().to_vec(),
                _ => vec![],
            },
            rows,
            errors,
            expected_seq: view.plan_seq,
            current,
        },
    )
}

/// After a failed add from the plan page: the section's form on a page of its
/// own, filled in with what was typed, each error next to its field.
pub(crate) async fn add_again(
    state: &AppState,
    u: &crate::auth::CurrentUser,
    id: &EventId,
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
    id: &EventId,
    section: &str,
    item_id: &str,
) -> Result<(std::sync::Arc<PlanView>, PlanItem), Response> {
    let view = load_view(state, u, id).await?;
    match find(&view, section, item_id) {
        Some(item) if plan_form::own_page(section) => Ok((view, item)),
        _ => Err(crate::pages::not_found_for(Some(u))),
    }
}

/// The plan, for a viewer who may change it while its event is open.
async fn load_view(
    state: &AppState,
    u: &crate::auth::CurrentUser,
    id: &EventId,
) -> Result<std::sync::Arc<PlanView>, Response> {
    let view = match state.store.plan().plan_view(&u.viewer, id).await {
        Ok(v) => v,
        Err(StoreError::NotFound { .. }) => return Err(crate::pages::not_found_for(Some(u))),
        Err(e) => return Err(ApiError::from(e).into_response()),
    };
    if !u.viewer.may(cordon_domain::plan::CHANGE) {
        return Err(message_page(
            StatusCode::FORBIDDEN,
            "You cannot change this plan",
            "Your roles let you read this plan but not change it.",
            Some(u),
        ));
    }
    if view.event.status.is_closed() {
        return Err(message_page(
            StatusCode::CONFLICT,
            "This event is closed",
            "A closed event and its plan can no longer be changed.",
            Some(u),
        ));
    }
    Ok(view)
}

/// Asks before an item is removed from the draft, and why.
pub async fn page_remove_confirm(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, section, item_id)): Path<(EventId, String, String)>,
) -> Response {
    remove_confirm(&state, &u, &id, &section, &item_id, None, "").await
}

/// The page that asks before an item is removed: what will happen, the
/// reason (with `error` when it was sent without one), or why it cannot be
/// removed yet.
pub(crate) async fn remove_confirm(
    state: &AppState,
    u: &crate::auth::CurrentUser,
    id: &EventId,
    section: &str,
    item_id: &str,
    error: Option<&str>,
    reason: &str,
) -> Response {
    let view = match state.store.plan().plan_view(&u.viewer, id).await {
        Ok(v) => v,
        Err(StoreError::NotFound { .. }) => return crate::pages::not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if !u.viewer.may(cordon_domain::plan::CHANGE) || view.event.status.is_closed() {
        return crate::pages::not_found_for(Some(u));
    }
    let Some(item) = find(&view, section, item_id) else {
        return crate::pages::not_found_for(Some(u));
    };
    let name = cordon_domain::audit::section_item_name(&item);
    let linked = view.plan.is_linked(section, item_id);
    let (heading, explanation, button) = if linked {
        (
            format!("{name} cannot be removed yet"),
            format!("{name} cannot be removed while other items of the plan refer to it: change those items first."),
            "",
        )
    } else {
        (
            format!("Remove {}?", name.trim_start_matches("The ")),
            format!("{name} will be taken out of the draft plan. Issued versions that contain it are not changed."),
            "Remove it",
        )
    };
    let errors = error.map(|e| FormErrors::one("reason", e)).unwrap_or_default();
    render(
        if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK },
        &crate::events::ConfirmPage {
            layout: Layout::for_user(heading.trim_end_matches('?').to_string(), view.marking_shown, "/events", Some(u)),
            heading,
            explanation,
            action: format!("/events/{id}/plan/{section}/{item_id}/remove"),
            back: format!("/events/{id}/plan#{}", section.replace('_', "-")),
            hidden: Vec::new(),
            button: button.into(),
            warning: true,
            // Nothing to ask while it cannot be removed.
            reason_label: if linked { String::new() } else { "Why is it being removed?".into() },
            reason_hint: "Recorded in the plan's history with your name and the time.".into(),
            errors,
            reason: reason.to_string(),
        },
    )
}

/// The page of a section's form when nothing is being changed: adding to a
/// list section (`new`), or the section the plan holds one of (`change`:
/// the tasking, the intent, why no visit is possible), filled in.
fn section_page(u: &crate::auth::CurrentUser, view: &PlanView, section: &str) -> Response {
    let p = &view.plan;
    let current = match section {
        "tasking" => p.tasking.clone().map(PlanItem::Tasking),
        "intent" => p.intent.clone().map(PlanItem::Intent),
        "no_recon_reason" => p.no_recon_reason.clone().map(|reason| PlanItem::NoReconReason { reason }),
        _ => None,
    };
    if section == "risk_assessment" || plan_form::form(section).is_none() {
        return crate::pages::not_found_for(Some(u));
    }
    let values = current.map(|i| plan_form::values_with_marking(&i, p)).unwrap_or_default();
    item_page(u, view, section, None, &values, StatusCode::OK, FormErrors::default())
}

/// The risk assessment of one methodology of the catalogue, on its own page.
fn assessment_page(u: &crate::auth::CurrentUser, view: &PlanView, methodology: &str) -> Response {
    if !view.risks.iter().any(|r| r.methodology == methodology) {
        return crate::pages::not_found_for(Some(u));
    }
    let values = match view.plan.assessment(methodology) {
        Some(a) => plan_form::values_with_marking(&PlanItem::RiskAssessment(a.clone()), &view.plan),
        None => vec![("methodology".to_string(), methodology.to_string())],
    };
    item_page(u, view, "risk_assessment", None, &values, StatusCode::OK, FormErrors::default())
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, section, item_id)): Path<(EventId, String, String)>,
) -> Response {
    if matches!(item_id.as_str(), "new" | "change") || section == "risk_assessment" {
        let view = match load_view(&state, &u, &id).await {
            Ok(v) => v,
            Err(r) => return r,
        };
        return match section.as_str() {
            "risk_assessment" => assessment_page(&u, &view, &item_id),
            _ => section_page(&u, &view, &section),
        };
    }
    match load(&state, &u, &id, &section, &item_id).await {
        Ok((view, item)) => {
            let values = plan_form::values_with_marking(&item, &view.plan);
            item_page(&u, &view, &section, Some(&item), &values, StatusCode::OK, FormErrors::default())
        }
        Err(r) => r,
    }
}

/// Fills in from the item being changed what its form does not carry.
fn merge(item: &mut PlanItem, existing: &PlanItem) {
    match (item, existing) {
        // Attachments are added one at a time and kept when the visit changes.
        (PlanItem::ReconVisit(v), PlanItem::ReconVisit(old)) => v.attachments = old.attachments.clone(),
        // Earlier actions are kept; the form adds one more.
        (PlanItem::Meeting(m), PlanItem::Meeting(old)) => {
            let mut actions = old.actions.clone();
            actions.append(&mut m.actions);
            m.actions = actions;
        }
        (PlanItem::Liaison(l), PlanItem::Liaison(old)) => {
            let mut actions = old.assigned.clone();
            actions.append(&mut l.assigned);
            l.assigned = actions;
        }
        (PlanItem::Measure(m), PlanItem::Measure(old)) => m.from_library = old.from_library,
        _ => {}
    }
}

pub async fn save(
    State(state): State<AppState>,
    Path((id, section, item_id)): Path<(EventId, String, String)>,
    CheckedForm { user: u, fields: mut f }: CheckedForm,
) -> Response {
    let (view, existing) = match load(&state, &u, &id, &section, &item_id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // The plan's state the form was drawn from: a change made since by
    // someone else is not overwritten.
    let expected = f.iter().find(|(k, _)| k == "expected_seq").and_then(|(_, v)| v.trim().parse::<i64>().ok());
    f.retain(|(k, _)| k != "expected_seq");
    // The item is the one in the address, whatever the form says.
    f.retain(|(k, _)| k != "id");
    f.push(("id".into(), item_id.clone()));
    let result = match item_from_form(&section, &f, &u.user.name) {
        Ok(mut item) => {
            merge(&mut item, &existing);
            match plan_form::posted_marking(&section, &f) {
                Ok(marking) => state
                    .store
                    .plan()
                    .save_plan_item_expecting(&u.viewer, &id, item, marking, expected)
                    .await
                    .map(|_| ()),
                Err((field, message)) => Err(StoreError::Invalid { field, message }),
            }
        }
        Err((field, message)) => Err(StoreError::Invalid { field, message }),
    };
    match result {
        Ok(()) => {
            Redirect::to(&format!("/events/{id}/plan?changed={section}#{}", section.replace('_', "-"))).into_response()
        }
        Err(StoreError::NotFound { field: None, .. }) => crate::pages::not_found_for(Some(&u)),
        Err(StoreError::Stale(message)) => {
            // What was typed stays in the form; the page shows the plan as it
            // now is, and a save from here expects that state.
            let view = match state.store.plan().plan_view(&u.viewer, &id).await {
                Ok(v) => v,
                Err(e) => return ApiError::from(e).into_response(),
            };
            let Some(now) = find(&view, &section, &item_id) else {
                return message_page(
                    StatusCode::CONFLICT,
                    "This item has been removed",
                    "Someone else removed it from the plan after you opened it.",
                    Some(&u),
                );
            };
            f.retain(|(k, _)| k != "id");
            let errors = FormErrors::one("form", capitalised(&message));
            item_page(&u, &view, &section, Some(&now), &f, StatusCode::CONFLICT, errors)
        }
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
    Path((id, tp)): Path<(EventId, String)>,
    CheckedForm { user: u, .. }: CheckedForm,
) -> Response {
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
