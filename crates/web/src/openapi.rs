//! The OpenAPI 3.1 document for `/api/v1`, built from one table of operations.
//! A test requests every operation listed here, so the document cannot name a
//! route the server does not have.

use serde_json::{json, Map, Value};

/// One operation: method, path, summary, whether it needs credentials, the
/// request schema, the success status and the success schema.
pub type Operation = (&'static str, &'static str, &'static str, bool, Option<&'static str>, u16, &'static str);

pub const OPERATIONS: &[Operation] = &[
    ("get", "/threat-levels", "Every threat-level series with its current level", false, None, 200, "List"),
    (
        "get",
        "/threat-levels/{series}",
        "The level in force on a day (?on=YYYY-MM-DD; default today)",
        false,
        None,
        200,
        "ThreatLevel",
    ),
    (
        "post",
        "/threat-levels/{series}",
        "Record an announced change of level (administrators)",
        true,
        Some("ThreatLevelChange"),
        201,
        "Object",
    ),
    ("get", "/threat-levels/{series}/history", "Every recorded level of a series", false, None, 200, "List"),
    ("get", "/reference/attack-methodologies", "The attack methodology catalogue", false, None, 200, "List"),
    ("get", "/reference/risk-matrix", "The configured risk matrix and tolerance", false, None, 200, "Object"),
    ("get", "/me", "The caller", true, None, 200, "User"),
    ("get", "/organisations", "Organisations (administrators)", true, None, 200, "List"),
    ("post", "/organisations", "Add an organisation (administrators)", true, Some("NewOrganisation"), 201, "Object"),
    ("get", "/users", "Users, paginated (administrators)", true, None, 200, "List"),
    (
        "post",
        "/users",
        "Add a user (administrators); a generated password is returned once",
        true,
        Some("NewUser"),
        201,
        "User",
    ),
    ("get", "/users/{id}", "One user (administrators)", true, None, 200, "User"),
    (
        "patch",
        "/users/{id}",
        "Change roles, clearance, organisation or status; ends the user's sessions",
        true,
        Some("ChangeUser"),
        200,
        "User",
    ),
    ("get", "/tokens", "The caller's API tokens", true, None, 200, "List"),
    ("post", "/tokens", "Issue an API token; the secret is returned once", true, Some("NewToken"), 201, "Object"),
    ("delete", "/tokens/{id}", "Revoke one of the caller's tokens", true, None, 204, "Empty"),
    (
        "get",
        "/events",
        "Events the caller may see (?status, kind, from, to, q, limit, offset)",
        true,
        None,
        200,
        "List",
    ),
    ("post", "/events", "Create an event; the creator joins its team", true, Some("NewEvent"), 201, "Event"),
    ("get", "/events/export", "Every event the caller may see, as CSV", true, None, 200, "Csv"),
    ("get", "/search", "Search events the caller may see (?q=)", true, None, 200, "List"),
    ("get", "/events/{id}", "One event with its team", true, None, 200, "Event"),
    ("post", "/events/{id}/team", "Add a team member by e-mail (owners)", true, Some("Email"), 201, "Object"),
    ("delete", "/events/{id}/team/{email}", "Remove a team member (owners)", true, None, 204, "Empty"),
    (
        "post",
        "/events/{id}/status",
        "Move the event on: endorsed → live → debrief → closed",
        true,
        Some("Status"),
        200,
        "Event",
    ),
    ("put", "/events/{id}/commanders", "Set Gold and Silver by e-mail", true, Some("Commanders"), 200, "Object"),
    (
        "post",
        "/events/{id}/attachments",
        "Upload a JPEG, PNG or PDF (raw body, up to 10 MB)",
        true,
        Some("Binary"),
        201,
        "Object",
    ),
    ("get", "/events/{id}/attachments/{sha}", "Download an attachment cited by the plan", true, None, 200, "Binary"),
    ("get", "/events/{id}/plan", "The draft plan with ratings, readiness and coverage", true, None, 200, "Plan"),
    ("get", "/events/{id}/plan/readiness", "What stops the plan being issued", true, None, 200, "Readiness"),
    (
        "get",
        "/events/{id}/plan/coverage",
        "Methodologies against accepted measures and tactical plans",
        true,
        None,
        200,
        "List",
    ),
    (
        "post",
        "/events/{id}/plan/copy-from",
        "Start the plan from an earlier event's plan",
        true,
        Some("CopyFrom"),
        201,
        "Object",
    ),
    (
        "post",
        "/events/{id}/plan/{section}",
        "Add an item to a section (or set tasking, intent, no_recon_reason)",
        true,
        Some("PlanItem"),
        201,
        "PlanItem",
    ),
    (
        "put",
        "/events/{id}/plan/{section}",
        "Set a singleton section: tasking, intent or no_recon_reason",
        true,
        Some("PlanItem"),
        200,
        "PlanItem",
    ),
    (
        "put",
        "/events/{id}/plan/{section}/{item_id}",
        "Add or change an item (risk_assessment items are keyed by methodology)",
        true,
        Some("PlanItem"),
        200,
        "PlanItem",
    ),
    (
        "delete",
        "/events/{id}/plan/{section}/{item_id}",
        "Remove an item that nothing links to",
        true,
        None,
        204,
        "Empty",
    ),
    ("get", "/events/{id}/plan/versions", "Issued versions", true, None, 200, "List"),
    (
        "post",
        "/events/{id}/plan/versions",
        "Issue the draft (422 with problems when not ready)",
        true,
        Some("Issue"),
        201,
        "Version",
    ),
    (
        "get",
        "/events/{id}/plan/versions/{n}",
        "One version exactly as issued (X-Content-SHA256)",
        true,
        None,
        200,
        "Object",
    ),
    ("put", "/events/{id}/plan/versions/{n}", "Always 409: issued versions never change", true, None, 409, "Error"),
    (
        "post",
        "/events/{id}/plan/versions/{n}/endorsement",
        "Endorse a version (the event's Gold only)",
        true,
        Some("Endorse"),
        201,
        "Version",
    ),
    (
        "get",
        "/events/{id}/plan/versions/{a}/diff/{b}",
        "Field-by-field differences between two versions",
        true,
        None,
        200,
        "Diff",
    ),
    ("get", "/openapi.json", "This document", false, None, 200, "Object"),
];

fn schemas() -> Value {
    let obj = |props: Value, required: &[&str]| json!({"type": "object", "properties": props, "required": required});
    json!({
        "Error": obj(json!({"error": obj(json!({"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": ["string", "null"]}}), &["code", "message", "field"]), "problems": {"type": "array", "items": {"$ref": "#/components/schemas/Problem"}}}), &["error"]),
        "List": obj(json!({"items": {"type": "array"}, "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"}}), &["items", "total", "limit", "offset"]),
        "Object": {"type": "object"},
        "Empty": {"type": "null"},
        "Csv": {"type": "string", "contentMediaType": "text/csv"},
        "Binary": {"type": "string", "contentMediaType": "application/octet-stream"},
        "ThreatLevel": obj(json!({"series": {"enum": ["national", "ni-in-ni", "ni-in-gb"]}, "level": {"enum": ["LOW", "MODERATE", "SUBSTANTIAL", "SEVERE", "CRITICAL"]}, "response_level": {"enum": ["NORMAL", "HEIGHTENED", "EXCEPTIONAL"]}, "since": {"type": "string", "format": "date"}, "definition": {"type": "string"}}), &["series", "level", "response_level", "since", "definition"]),
        "ThreatLevelChange": obj(json!({"level": {"type": "string"}, "effective": {"type": "string", "format": "date"}, "note": {"type": "string"}}), &["level", "effective", "note"]),
        "User": obj(json!({"id": {"type": "string"}, "email": {"type": "string"}, "name": {"type": "string"}, "roles": {"type": "array", "items": {"type": "string"}}, "clearance": {"enum": ["none", "BPSS", "CTC", "SC", "DV"]}, "active": {"type": "boolean"}}), &["id", "email"]),
        "NewOrganisation": obj(json!({"name": {"type": "string"}, "kind": {"enum": ["police_force", "ct_policing", "fire_rescue", "ambulance", "local_authority", "venue_operator", "other"]}}), &["name", "kind"]),
        "NewUser": obj(json!({"email": {"type": "string"}, "name": {"type": "string"}, "organisation": {"type": "string"}, "roles": {"type": "array", "items": {"enum": ["strategic_commander", "security_coordinator", "deployment_authority", "security_adviser", "tactical_adviser", "estates_manager", "staff", "partner", "auditor", "administrator"]}}, "clearance": {"enum": ["none", "BPSS", "CTC", "SC", "DV"]}, "password": {"type": "string", "minLength": 12}}), &["email", "name", "organisation", "roles", "clearance"]),
        "ChangeUser": obj(json!({"name": {"type": "string"}, "organisation": {"type": "string"}, "roles": {"type": "array"}, "clearance": {"type": "string"}, "active": {"type": "boolean"}}), &[]),
        "NewToken": obj(json!({"name": {"type": "string"}, "expires_days": {"type": "integer", "minimum": 1, "maximum": 366}}), &["name"]),
        "NewEvent": obj(json!({"name": {"type": "string"}, "kind": {"enum": ["sporting", "music_or_festival", "protest", "ceremonial_or_state", "political_or_conference", "vip_visit", "transport_hub", "other"]}, "starts_at": {"type": "string", "format": "date-time"}, "ends_at": {"type": "string", "format": "date-time"}, "venues": {"type": "array", "items": obj(json!({"name": {"type": "string"}, "address": {"type": "string"}}), &["name", "address"])}, "expected_attendance": {"type": "integer", "minimum": 0}, "marking": {"enum": ["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET"]}}), &["name", "kind", "starts_at", "ends_at", "venues", "expected_attendance", "marking"]),
        "Event": obj(json!({"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"}, "marking": {"type": "string"}, "status": {"enum": ["planning", "endorsed", "live", "debrief", "closed"]}}), &["id"]),
        "Status": obj(json!({"status": {"enum": ["live", "debrief", "closed"]}}), &["status"]),
        "Email": obj(json!({"email": {"type": "string"}}), &["email"]),
        "Commanders": obj(json!({"gold_email": {"type": "string"}, "silver_email": {"type": "string"}}), &[]),
        "CopyFrom": obj(json!({"source_event_id": {"type": "string"}}), &["source_event_id"]),
        "PlanItem": {"type": "object", "description": "The item's fields for its section (see the section names in the path); risk_assessment: applicable, not_applicable_reason, likelihood, impact, residual_likelihood, residual_impact, no_measure_rationale."},
        "Plan": obj(json!({"plan": {"type": "object"}, "risks": {"type": "array"}, "readiness": {"$ref": "#/components/schemas/Readiness"}, "coverage": {"type": "array"}}), &["plan", "readiness"]),
        "Problem": obj(json!({"rule": {"type": "string"}, "message": {"type": "string"}, "path": {"type": "string"}}), &["rule", "message", "path"]),
        "Readiness": obj(json!({"ready": {"type": "boolean"}, "problems": {"type": "array", "items": {"$ref": "#/components/schemas/Problem"}}}), &["ready", "problems"]),
        "Issue": obj(json!({"reason": {"type": "string"}}), &["reason"]),
        "Endorse": obj(json!({"conditions": {"type": "string"}}), &[]),
        "Version": obj(json!({"number": {"type": "integer"}, "issued_at": {"type": "string"}, "issued_by": {"type": "string"}, "reason": {"type": "string"}, "hash": {"type": "string"}, "endorsement": {"type": ["object", "null"]}}), &["number", "hash"]),
        "Diff": obj(json!({"from": {"type": "integer"}, "to": {"type": "integer"}, "changes": {"type": "array", "items": obj(json!({"path": {"type": "string"}, "label": {"type": "string"}, "before": {"type": ["string", "null"]}, "after": {"type": ["string", "null"]}}), &["path", "label"])}}), &["changes"]),
    })
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for (method, path, summary, auth, request, status, response) in OPERATIONS {
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut op = json!({
            "summary": summary,
            "parameters": params,
            "responses": {
                status.to_string(): {"description": "Success", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{response}")}}}},
                "400": {"description": "The request cannot be parsed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "Not found, or not visible to the caller", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "422": {"description": "Breaks a rule; names the field", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        });
        if *auth {
            op["security"] = json!([{"bearer": []}, {"session": []}]);
            op["responses"]["401"] = json!({"description": "No valid credentials", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
            op["responses"]["403"] = json!({"description": "A role or CSRF check refused it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
        }
        if let Some(r) = request {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{r}")}}}});
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Cordon API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Counter-terrorism protective security planning. Errors are {\"error\": {\"code\", \"message\", \"field\"}}. Lists are {\"items\", \"total\", \"limit\", \"offset\"}. A record the caller may not see is 404. Browser sessions must send X-CSRF-Token on requests that change data.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API token from `cordon token issue` or the account page"},
                "session": {"type": "apiKey", "in": "cookie", "name": "cordon_session"},
            },
        },
    })
}

pub async fn serve() -> axum::Json<Value> {
    axum::Json(document())
}
