//! Martyn's Law: the public API (premises, events, penalties) and the public
//! self-service pages (the self-check and the guidance per sector). No sign-in.

use crate::api::{ApiRoutes, BadRequest, Unprocessable};
use crate::auth::MaybeUser;
use crate::error::ApiError;
use crate::pages::{not_found_for, render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::Json;
use cordon_domain::martyns_law::{
    self as ml, pounds, thousands, EventConditions, PenaltyCase, Responsible, Revenue, Tier,
};
use cordon_domain::places::{check_capacity, Sector};
use cordon_domain::Marking;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// `GET /martyns-law/premises` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PremisesQuery {
    /// The premises' main use (`shop`, `food_and_drink`, … `residential`).
    #[param(value_type = String)]
    #[serde(rename = "use")]
    use_: Option<String>,
    /// People reasonably expected at the same time from time to time, staff included.
    #[param(value_type = i64, minimum = 0)]
    capacity: Option<String>,
    /// `individual` or `organisation`.
    #[param(value_type = String)]
    responsible: Option<String>,
}

/// The tier of premises, their duties, the maximum penalty and why.
#[derive(Serialize, ToSchema)]
pub struct PremisesBody {
    tier: Tier,
    /// Duty identifiers: `notify_sia`, `public_protection_procedures`,
    /// `public_protection_measures`, `security_document`, `designated_senior_individual`.
    duties: Vec<String>,
    /// The s.18 maximum in pounds (for enhanced premises the £18 million floor; 5% of
    /// qualifying worldwide revenue applies where greater: see `/martyns-law/penalty`).
    max_penalty_gbp: u64,
    reasons: Vec<String>,
}

fn required<'a>(field: &str, v: &'a Option<String>, words: &str) -> Result<&'a str, ApiError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Err(ApiError::bad_request(field, format!("Enter {words}"))),
        Some(s) => Ok(s),
    }
}

fn boolean(field: &str, v: &Option<String>) -> Result<Option<bool>, ApiError> {
    match v.as_deref().map(str::trim) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(s) => Err(ApiError::bad_request(field, format!("{field} must be true or false; {s:?} is not"))),
    }
}

fn whole(field: &str, v: &str, words: &str) -> Result<u64, ApiError> {
    if v.starts_with('-') {
        return Err(ApiError::unprocessable(field, format!("{words} cannot be negative; {v:?} is")));
    }
    v.parse::<u64>().map_err(|_| ApiError::bad_request(field, format!("{words} must be a whole number; {v:?} is not")))
}

fn premises_answer(q: &PremisesQuery) -> Result<PremisesBody, ApiError> {
    let rules = ml::rules();
    let use_id = required("use", &q.use_, "the premises' use")?;
    let u = rules.use_rule(use_id).ok_or_else(|| {
        ApiError::unprocessable("use", format!("use must be one of {}; {use_id:?} is not", rules.use_list()))
    })?;
    let cap = required("capacity", &q.capacity, "the capacity")?;
    let capacity = check_capacity(cap).map_err(|p| {
        if cap.starts_with('-') {
            ApiError::unprocessable("capacity", p.message)
        } else {
            ApiError::bad_request("capacity", p.message)
        }
    })?;
    let resp = required("responsible", &q.responsible, "who is responsible: individual or organisation")?;
    let responsible = Responsible::parse(resp).ok_or_else(|| {
        ApiError::unprocessable(
            "responsible",
            format!("responsible must be individual or organisation; {resp:?} is not"),
        )
    })?;
    let a = rules.premises(u, capacity, responsible);
    Ok(PremisesBody { tier: a.tier, duties: a.duties, max_penalty_gbp: a.max_penalty_gbp, reasons: a.reasons })
}

/// The Martyn's Law tier of premises, the duties that apply and the maximum penalty.
#[utoipa::path(get, path = "/martyns-law/premises", tag = "martyns law", params(PremisesQuery),
    responses((status = 200, description = "The tier, duties, maximum penalty and reasons", body = PremisesBody),
        BadRequest, Unprocessable))]
pub async fn api_premises(Query(q): Query<PremisesQuery>) -> Result<Json<PremisesBody>, ApiError> {
    premises_answer(&q).map(Json)
}

/// `GET /martyns-law/event` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Attendees present at the same time.
    #[param(value_type = i64, minimum = 0)]
    attendance: Option<String>,
    /// Whether attendees' tickets, invitations or passes are checked.
    #[param(value_type = bool)]
    ticketed: Option<String>,
    /// Whether the public may attend.
    #[param(value_type = bool)]
    public: Option<String>,
    /// Whether it is held in enhanced duty premises.
    #[param(value_type = bool)]
    in_enhanced_premises: Option<String>,
    /// Optional: `individual` or `organisation` (the designated senior individual turns on it).
    #[param(value_type = Option<String>)]
    responsible: Option<String>,
}

/// Whether an event is a qualifying event, its duties and maximum penalty.
#[derive(Serialize, ToSchema)]
pub struct EventBody {
    qualifying: bool,
    duties: Vec<String>,
    max_penalty_gbp: u64,
    reasons: Vec<String>,
}

/// Whether an event is a qualifying event under Martyn's Law.
#[utoipa::path(get, path = "/martyns-law/event", tag = "martyns law", params(EventQuery),
    responses((status = 200, description = "Qualifying or not, duties, maximum penalty and reasons", body = EventBody),
        BadRequest, Unprocessable))]
pub async fn api_event(Query(q): Query<EventQuery>) -> Result<Json<EventBody>, ApiError> {
    let attendance = whole("attendance", required("attendance", &q.attendance, "the attendance")?, "Attendance")?;
    let need = |field: &str, v: &Option<String>| -> Result<bool, ApiError> {
        boolean(field, v)?.ok_or_else(|| ApiError::bad_request(field, format!("Say whether {field}: true or false")))
    };
    let conditions = EventConditions {
        attendance,
        ticketed: need("ticketed", &q.ticketed)?,
        public: need("public", &q.public)?,
        in_enhanced_premises: need("in_enhanced_premises", &q.in_enhanced_premises)?,
        responsible: match q.responsible.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(Responsible::parse(s).ok_or_else(|| {
                ApiError::unprocessable(
                    "responsible",
                    format!("responsible must be individual or organisation; {s:?} is not"),
                )
            })?),
        },
    };
    let a = ml::rules().event(conditions);
    Ok(Json(EventBody {
        qualifying: a.qualifying,
        duties: a.duties,
        max_penalty_gbp: a.max_penalty_gbp,
        reasons: a.reasons,
    }))
}

/// `GET /martyns-law/penalty` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PenaltyQuery {
    /// `standard`, `enhanced`, `event` or `information_notice`.
    #[param(value_type = String)]
    case: Option<String>,
    /// Qualifying worldwide revenue for the most recent complete accounting period, whole pounds
    /// (enhanced and event cases, once the first period has ended).
    #[param(value_type = Option<i64>, minimum = 0)]
    revenue_gbp: Option<String>,
    /// The length of that accounting period in months.
    #[param(value_type = Option<i64>, minimum = 1)]
    period_months: Option<String>,
    /// Whether the first accounting period has ended (enhanced and event cases).
    #[param(value_type = Option<bool>)]
    first_period_ended: Option<String>,
}

/// The maximum penalty and how it was reached.
#[derive(Serialize, ToSchema)]
pub struct PenaltyBody {
    max_penalty_gbp: u64,
    reasons: Vec<String>,
}

/// The s.18 maximum non-compliance penalty, with revenue pro-rated for accounting
/// periods that are not 12 months.
#[utoipa::path(get, path = "/martyns-law/penalty", tag = "martyns law", params(PenaltyQuery),
    responses((status = 200, description = "The maximum penalty in pounds", body = PenaltyBody),
        BadRequest, Unprocessable))]
pub async fn api_penalty(Query(q): Query<PenaltyQuery>) -> Result<Json<PenaltyBody>, ApiError> {
    let c = required("case", &q.case, "the case: standard, enhanced, event or information_notice")?;
    let case = PenaltyCase::parse(c).ok_or_else(|| {
        ApiError::unprocessable(
            "case",
            format!("case must be standard, enhanced, event or information_notice; {c:?} is not"),
        )
    })?;
    let revenue = match case {
        PenaltyCase::Standard | PenaltyCase::InformationNotice => None,
        PenaltyCase::Enhanced | PenaltyCase::Event => {
            let ended = boolean("first_period_ended", &q.first_period_ended)?.ok_or_else(|| {
                ApiError::bad_request(
                    "first_period_ended",
                    "Say whether the first accounting period has ended: true or false",
                )
            })?;
            if ended {
                let revenue_gbp =
                    whole("revenue_gbp", required("revenue_gbp", &q.revenue_gbp, "the revenue in pounds")?, "Revenue")?;
                let months = whole(
                    "period_months",
                    required("period_months", &q.period_months, "the accounting period in months")?,
                    "The accounting period",
                )?;
                let period_months = u32::try_from(months).ok().filter(|m| (1..=1200).contains(m)).ok_or_else(|| {
                    ApiError::unprocessable("period_months", "The accounting period must be 1 to 1,200 months")
                })?;
                Some(Revenue { first_period_ended: true, revenue_gbp, period_months })
            } else {
                Some(Revenue { first_period_ended: false, revenue_gbp: 0, period_months: 12 })
            }
        }
    };
    let (max, why) = ml::rules().penalty(case, revenue).map_err(|e| ApiError::unprocessable(e.field, e.message))?;
    Ok(Json(PenaltyBody { max_penalty_gbp: max, reasons: vec![why] }))
}

/// This capability's API operations (all public).
pub fn api() -> ApiRoutes {
    ApiRoutes::new().routes(routes!(api_premises)).routes(routes!(api_event)).routes(routes!(api_penalty))
}

/// A use as the self-check's radio buttons show it.
pub struct UseOption {
    pub id: String,
    pub words: String,
    pub checked: bool,
}

/// A duty as the pages show it.
pub struct DutyView {
    pub title: String,
    pub words: String,
    pub section: String,
}

pub fn duty_views(ids: &[String]) -> Vec<DutyView> {
    let rules = ml::rules();
    ids.iter()
        .filter_map(|id| rules.duty(id))
        .map(|d| DutyView { title: d.title.clone(), words: d.words.clone(), section: d.section.clone() })
        .collect()
}

/// The self-check's answer.
pub struct CheckResult {
    pub tier: String,
    pub tier_class: &'static str,
    pub duties: Vec<DutyView>,
    pub penalty: String,
    pub reasons: Vec<String>,
    pub next_steps: Vec<String>,
    /// The advice pack's address.
    pub pack: String,
}

#[derive(Template)]
#[template(path = "martyns_law.html")]
struct SelfCheckPage {
    layout: Layout,
    uses: Vec<UseOption>,
    capacity: String,
    individual: bool,
    organisation: bool,
    errors: Vec<(String, String)>,
    result: Option<CheckResult>,
    sectors: Vec<(String, String)>,
    /// The sector chosen, if any.
    sector: String,
    qualifying: String,
    enhanced: String,
}

impl SelfCheckPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

fn next_steps(tier: Tier) -> Vec<String> {
    match tier {
        Tier::OutOfScope => vec![
            "You have no duties under Martyn's Law, but the free ACT Awareness course and ProtectUK's guidance still help you and your staff prepare.".into(),
            "Check again if your use or the number of people you expect changes.".into(),
        ],
        Tier::Standard => vec![
            "Write down how you would evacuate, invacuate, lock down and tell people what to do, and make sure staff know it.".into(),
            "Be ready to notify the Security Industry Authority when the registration opens.".into(),
            "Read the guidance for your sector below, and take the free ACT Awareness course.".into(),
        ],
        Tier::Enhanced => vec![
            "Carry out a terrorism risk assessment and write your security document from it.".into(),
            "Put in place measures for monitoring, the movement of people, physical security and the security of information.".into(),
            "If your organisation is a company or other body, name a designated senior individual.".into(),
            "Ask your local counter-terrorism security adviser for advice; download the advice pack below.".into(),
        ],
    }
}

/// The self-check's questions: the premises' (use, capacity, who is
/// responsible) and, optionally, the sector, whose guidance goes in the pack.
#[derive(Debug, Deserialize)]
pub struct SelfCheckQuery {
    #[serde(rename = "use")]
    use_: Option<String>,
    capacity: Option<String>,
    responsible: Option<String>,
    sector: Option<String>,
}

/// The advice pack's address for these answers: the sector is kept, so the
/// pack carries the sector's guidance. The use and responsible person are
/// identifiers already checked; the capacity is digits.
pub fn pack_link(use_: &str, capacity: &str, responsible: &str, sector: Option<Sector>) -> String {
    let mut link = format!("/martyns-law/advice-pack.pdf?use={use_}&capacity={capacity}&responsible={responsible}");
    if let Some(s) = sector {
        link.push_str("&sector=");
        link.push_str(s.as_str());
    }
    link
}

/// `GET /martyns-law`: the public self-check (use, capacity, who is responsible, sector).
pub async fn self_check(MaybeUser(user): MaybeUser, Query(sq): Query<SelfCheckQuery>) -> Response {
    let q = PremisesQuery { use_: sq.use_.clone(), capacity: sq.capacity.clone(), responsible: sq.responsible.clone() };
    let sector_id = sq.sector.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let sector = sector_id.and_then(Sector::parse);
    let rules = ml::rules();
    let asked = q.use_.is_some() || q.capacity.is_some() || q.responsible.is_some();
    let mut errors = Vec::new();
    let mut result = None;
    if asked {
        if q.use_.as_deref().and_then(|u| rules.use_rule(u)).is_none() {
            errors.push(("use".to_string(), "Select what the premises are mainly used for".to_string()));
        }
        match q.capacity.as_deref().map(str::trim) {
            None | Some("") => errors.push(("capacity".into(), "Enter the number of people".into())),
            Some(c) => {
                if let Err(p) = check_capacity(c) {
                    errors.push(("capacity".into(), p.message.replace("Capacity", "The number of people")));
                }
            }
        }
        if q.responsible.as_deref().and_then(Responsible::parse).is_none() {
            errors.push(("responsible".into(), "Select who is responsible for the premises".into()));
        }
        if sector_id.is_some() && sector.is_none() {
            errors.push(("sector".into(), "Select the sector from the list, or leave it blank".into()));
        }
        if errors.is_empty() {
            if let Ok(a) = premises_answer(&q) {
                result = Some(CheckResult {
                    tier: a.tier.words().into(),
                    tier_class: a.tier.as_str(),
                    duties: duty_views(&a.duties),
                    penalty: match a.tier {
                        Tier::OutOfScope => "None: no duties apply".into(),
                        Tier::Standard => pounds(a.max_penalty_gbp),
                        Tier::Enhanced => format!(
                            "{} or {}% of qualifying worldwide revenue, whichever is greater",
                            pounds(a.max_penalty_gbp),
                            rules.penalties.revenue_percent
                        ),
                    },
                    reasons: a.reasons,
                    next_steps: next_steps(a.tier),
                    pack: pack_link(
                        q.use_.as_deref().unwrap_or(""),
                        q.capacity.as_deref().map(str::trim).unwrap_or(""),
                        q.responsible.as_deref().unwrap_or(""),
                        sector,
                    ),
                });
            }
        }
    }
    let chosen = q.use_.clone().unwrap_or_default();
    let page = SelfCheckPage {
        layout: Layout::for_user(
            if errors.is_empty() { "Martyn's Law self-check" } else { "Error: Martyn's Law self-check" },
            Marking::Official,
            "/martyns-law",
            user.as_ref(),
        ),
        uses: rules
            .uses
            .iter()
            .map(|u| UseOption { id: u.id.clone(), words: u.words.clone(), checked: u.id == chosen })
            .collect(),
        capacity: q.capacity.clone().unwrap_or_default(),
        individual: q.responsible.as_deref() == Some("individual"),
        organisation: q.responsible.as_deref() == Some("organisation"),
        sectors: Sector::ALL.iter().map(|s| (s.as_str().to_string(), s.info().name.clone())).collect(),
        sector: sector.map(|s| s.as_str().to_string()).unwrap_or_default(),
        qualifying: thousands(rules.thresholds.qualifying),
        enhanced: thousands(rules.thresholds.enhanced),
        result,
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    render(status, &page)
}

#[derive(Template)]
#[template(path = "martyns_law_sector.html")]
struct SectorPage {
    layout: Layout,
    id: String,
    name: String,
    guidance: Vec<String>,
    uses: Vec<String>,
    sectors: Vec<(String, String)>,
}

/// `GET /martyns-law/sectors/{sector}`: guidance for one sector, in our own words.
pub async fn sector_page(MaybeUser(user): MaybeUser, Path(sector): Path<String>) -> Response {
    let Some(s) = Sector::parse(&sector) else {
        return not_found_for(user.as_ref());
    };
    let info = s.info();
    let rules = ml::rules();
    render(
        StatusCode::OK,
        &SectorPage {
            layout: Layout::for_user(
                format!("{}: protective security guidance", info.name),
                Marking::Official,
                "/martyns-law",
                user.as_ref(),
            ),
            id: info.id.clone(),
            name: info.name.clone(),
            guidance: info.guidance.clone(),
            uses: info.typical_uses.iter().filter_map(|u| rules.use_rule(u)).map(|u| u.words.clone()).collect(),
            sectors: Sector::ALL.iter().map(|s| (s.as_str().to_string(), s.info().name.clone())).collect(),
        },
    )
}

/// `GET /martyns-law/advice-pack.pdf?use=…&capacity=…&responsible=…&sector=…`: the
/// self-check's answer and the sector's guidance as a PDF (public).
pub async fn advice_pack(State(state): State<AppState>, Query(q): Query<PackQuery>) -> Response {
    let rules = ml::rules();
    let pq = PremisesQuery { use_: q.use_.clone(), capacity: q.capacity.clone(), responsible: q.responsible.clone() };
    if let Err(e) = premises_answer(&pq) {
        return e.into_response();
    }
    let (Some(u), Some(cap), Some(resp)) = (
        q.use_.as_deref().and_then(|u| rules.use_rule(u)),
        q.capacity.as_deref().and_then(|c| check_capacity(c).ok()),
        q.responsible.as_deref().and_then(Responsible::parse),
    ) else {
        return ApiError::internal().into_response();
    };
    let sector = q.sector.as_deref().filter(|s| !s.is_empty()).and_then(Sector::parse);
    let doc = cordon_domain::places::advice_pack(
        u,
        cap,
        resp,
        sector,
        cordon_domain::london::display_date(state.store.today()),
    );
    match tokio::task::spawn_blocking(move || cordon_documents::pdf(&doc)).await {
        Ok(Ok(bytes)) => (
            [
                (axum::http::header::CONTENT_TYPE, "application/pdf"),
                (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"martyns-law-advice-pack.pdf\""),
            ],
            bytes,
        )
            .into_response(),
        _ => ApiError::internal().into_response(),
    }
}

/// The advice pack's questions.
#[derive(Debug, Deserialize)]
pub struct PackQuery {
    #[serde(rename = "use")]
    use_: Option<String>,
    capacity: Option<String>,
    responsible: Option<String>,
    sector: Option<String>,
}

/// This capability's pages (public).
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/martyns-law", get(self_check))
        .route("/martyns-law/advice-pack.pdf", get(advice_pack))
        .route("/martyns-law/sectors/{sector}", get(sector_page))
}
