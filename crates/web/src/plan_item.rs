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
    /// Whether a field is a date, described by the page's hint on dates.
    has_date: bool,
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
    let Some(form) = plan_form::form(section).filter(|f| f.own_page) else {
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
        None => (capitalised(&format!("add {}", form.noun)), format!("{plan_path}/{section}"), "Add", None),
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
            anchor: section.replace('_', "-"),
            needs_review: matches!(existing, Some(PlanItem::ThreatAssessment(t)) if t.needs_review)
                || matches!(existing, Some(PlanItem::ReconVisit(v)) if v.needs_review),
            existing_actions: match existing {
                Some(PlanItem::Meeting(m)) => m.actions.clone(),
                _ => vec![],
            },
            has_date: rows.iter().flatten().any(|f| f.kind == "date"),
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
    match find(&view, section, item_id) {
        Some(item) if plan_form::own_page(section) => Ok((view, item)),
        _ => Err(crate::pages::not_found_for(Some(u))),
    }
}

/// Asks before an item is removed from the draft.
pub async fn page_remove_confirm(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, section, item_id)): Path<(EventId, String, String)>,
) -> Response {
    let view = match state.store.plan().plan_view(&u.viewer, &id).await {
        Ok(v) => v,
        Err(StoreError::NotFound { .. }) => return crate::pages::not_found_for(Some(&u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if !u.viewer.may(cordon_domain::plan::CHANGE) || view.event.status.is_closed() {
        return crate::pages::not_found_for(Some(&u));
    }
    let Some(item) = find(&view, &section, &item_id) else {
        return crate::pages::not_found_for(Some(&u));
    };
    let name = cordon_domain::audit::section_item_name(&item);
    let linked = view.plan.is_linked(&section, &item_id);
    let explanation = if linked {
        format!("{name} cannot be removed while other items of the plan refer to it: change those items first.")
    } else {
        format!("{name} will be taken out of the draft plan. Issued versions that contain it are not changed.")
    };
    crate::events::confirm_removal(
        &u,
        view.marking_shown,
        if linked {
            format!("{} cannot be removed yet", name)
        } else {
            format!("Remove {}?", name.trim_start_matches("The "))
        },
        explanation,
        format!("/events/{id}/plan/{section}/{item_id}/remove"),
        format!("/events/{id}/plan#{}", section.replace('_', "-")),
        Vec::new(),
        // Nothing to confirm while it cannot be removed.
        if linked { "" } else { "Remove it" },
    )
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, section, item_id)): Path<(EventId, String, String)>,
) -> Response {
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
        Ok(()) => Redirect::to(&format!("/events/{id}/plan#{}", section.replace('_', "-"))).into_response(),
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
