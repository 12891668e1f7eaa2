//! Security coordinators (SECO) (seed 001, the SECO standard operating
//! procedure): the roster of coordinators with the SOP's rank rules and the
//! national capacity, requests for a SECO's deployment with the three
//! appointment criteria, the deployment authority's discussion and Gold's
//! appointment or decline, who is available for an event, selection for a
//! vacancy, and monitoring (continual assessment, annual reviews).

use crate::access::Action;
use crate::identity::Role;
use crate::ids::{DeploymentRequestId, EventId, Instant, OrganisationId, SecoId, UserId, VacancyId};
use crate::planned_event::EventKind;
use crate::policy::{add_months, date};
use serde::{Deserialize, Serialize};
use time::Date;

pub use crate::advice::FieldError;

/// The national capacity when none is configured (SOP §2.2: "no more than four SECOs nationally").
pub const DEFAULT_CAPACITY: i64 = 4;

macro_rules! words_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($v:ident => $s:literal, $w:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)+ }
            }
            pub fn words(self) -> &'static str {
                match self { $($name::$v => $w,)+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                $name::ALL.iter().copied().find(|x| x.as_str() == s.trim()).ok_or_else(|| {
                    format!("{} must be one of: {}", $what,
                        $name::ALL.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", "))
                })
            }
        }
    };
}

words_enum!(
    /// A police rank, highest first.
    Rank, "The rank", {
        Superintendent => "superintendent", "Superintendent";
        ChiefInspector => "chief_inspector", "Chief Inspector";
        Inspector => "inspector", "Inspector";
        Sergeant => "sergeant", "Sergeant";
        Constable => "constable", "Constable";
    }
);

impl Rank {
    /// SOP §5.4.3: Superintendent or Chief Inspector ideally; Inspector in
    /// extremis; below Inspector, not eligible.
    pub fn eligible(self) -> Result<(), String> {
        match self {
            Rank::Superintendent | Rank::ChiefInspector | Rank::Inspector => Ok(()),
            r => Err(format!(
                "A {} is not eligible: the SECO role is for Superintendents and Chief Inspectors, and Inspectors in \
                 extremis (SOP 5.4.3)",
                r.words()
            )),
        }
    }
}

words_enum!(
    /// Where a coordinator stands.
    SecoStatus, "The status", {
        Candidate => "candidate", "Candidate";
        InTraining => "in_training", "In training";
        Qualified => "qualified", "Qualified";
        Suspended => "suspended", "Suspended";
        Left => "left", "Left";
    }
);

words_enum!(
    /// Search roles held before (SOP §5.4.1: "particularly well suited").
    PriorRole, "A prior role", {
        Polsa => "polsa", "Police Search Adviser (PolSA)";
        Polsc => "polsc", "Police Search Coordinator (PolSC)";
    }
);

words_enum!(
    /// The state of a deployment request.
    RequestStatus, "The status", {
        Submitted => "submitted", "Submitted";
        UnderDiscussion => "under_discussion", "Under discussion";
        Appointed => "appointed", "SECO appointed";
        Declined => "declined", "Declined";
        Withdrawn => "withdrawn", "Withdrawn";
        StoodDown => "stood_down", "SECO stood down";
    }
);

impl RequestStatus {
    /// Whether a decision is still to be made.
    pub fn open(self) -> bool {
        matches!(self, RequestStatus::Submitted | RequestStatus::UnderDiscussion)
    }

    /// The state a request is in after `step`, or why the step cannot be
    /// taken now: submitted → under discussion → appointed, declined or
    /// withdrawn (withdrawn from either open state), and stood down only
    /// after an appointment. A discussion may be recorded again while open.
    pub fn after(self, step: RequestStep) -> Result<RequestStatus, String> {
        use RequestStatus::*;
        let now = self.words().to_lowercase();
        match (step, self) {
            (RequestStep::Discuss, Submitted | UnderDiscussion) => Ok(UnderDiscussion),
            (RequestStep::Discuss, _) => {
                Err(format!("the request is {now}: a discussion is recorded before Gold decides"))
            }
            (RequestStep::Appoint, Submitted | UnderDiscussion) => Ok(Appointed),
            (RequestStep::Decline, Submitted | UnderDiscussion) => Ok(Declined),
            (RequestStep::Withdraw, Submitted | UnderDiscussion) => Ok(Withdrawn),
            (RequestStep::Appoint | RequestStep::Decline | RequestStep::Withdraw, _) => {
                Err(format!("the request is already {now}"))
            }
            (RequestStep::StandDown, Appointed) => Ok(StoodDown),
            (RequestStep::StandDown, _) => Err("no SECO stands appointed on this request".into()),
        }
    }
}

/// A step taken on a deployment request after it is submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStep {
    Discuss,
    Appoint,
    Decline,
    Withdraw,
    StandDown,
}

/// Why Gold's decision on a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoldRefusal {
    /// The caller is not the event's Gold as it stands now (403).
    NotGold,
    /// Not in this state, or not before a discussion (409).
    Conflict(String),
}

/// SOP §5.2: "A SECO is appointed by Gold after discussion with Superintendent
/// CTSU". Only the event's Gold as it stands now (`gold`), with an active
/// account, appoints, declines or stands down; appointing and declining need a
/// discussion recorded first. Gives the state after the step.
pub fn check_gold_decides(
    caller: &UserId,
    active: bool,
    gold: Option<&UserId>,
    status: RequestStatus,
    discussed: bool,
    step: RequestStep,
) -> Result<RequestStatus, GoldRefusal> {
    if !active || gold != Some(caller) {
        return Err(GoldRefusal::NotGold);
    }
    let next = status.after(step).map_err(GoldRefusal::Conflict)?;
    if matches!(step, RequestStep::Appoint | RequestStep::Decline) && !discussed {
        let what = if step == RequestStep::Appoint { "appoints a SECO" } else { "declines a request" };
        return Err(GoldRefusal::Conflict(format!(
            "Gold {what} only after discussion with the deployment authority (SOP 5.2), and none is recorded yet"
        )));
    }
    Ok(next)
}

/// SOP §2.1: "only one SECO should be appointed". `standing` is the SECO
/// already appointed to the event by another request, if any.
pub fn check_one_seco_per_event(standing: Option<&str>, event_name: &str) -> Result<(), String> {
    match standing {
        Some(name) => Err(format!(
            "{name} is already the SECO of {event_name}: only one SECO is appointed to an event (SOP 2.1); stand \
             them down first"
        )),
        None => Ok(()),
    }
}

/// A reason that a step needs, trimmed; refused naming `reason` with `missing` when there is none.
pub fn check_reason(reason: &str, missing: &str) -> Result<String, FieldError> {
    match reason.trim() {
        "" => Err(FieldError::new("reason", missing)),
        r => Ok(r.to_string()),
    }
}

/// Standing a SECO down needs a reason.
pub fn stand_down_reason(reason: &str) -> Result<String, FieldError> {
    check_reason(reason, "Enter the reason the SECO is stood down")
}

words_enum!(
    /// The deployment authority's recommendation after discussion.
    Recommendation, "The recommendation", {
        Appoint => "appoint", "Appoint a SECO";
        DoNotAppoint => "do_not_appoint", "Do not appoint a SECO";
    }
);

words_enum!(
    /// A note kept on a coordinator.
    NoteKind, "The kind of note", {
        Assessment => "assessment", "Continual assessment";
        AnnualReview => "annual_review", "Annual performance review";
        Leave => "leave", "Leave";
    }
);

/// Who did something and when (a checklist item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Done {
    pub by: UserId,
    pub by_name: String,
    /// `YYYY-MM-DD`.
    pub on: String,
}

/// A coordinator on a roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Seco {
    pub id: SecoId,
    /// The organisation whose roster holds them (the CTSU's).
    pub organisation_id: OrganisationId,
    pub name: String,
    /// Their account, if they have one.
    #[serde(default)]
    pub user_id: Option<UserId>,
    #[serde(default)]
    pub user_email: Option<String>,
    pub rank: Rank,
    /// When they passed the SECO course (Police National Search Centre).
    #[serde(default)]
    pub course_passed_on: Option<String>,
    #[serde(default)]
    pub prior_roles: Vec<PriorRole>,
    /// Event planning and command roles held, one each.
    #[serde(default)]
    pub experience: Vec<String>,
    #[serde(default)]
    pub home_unit: String,
    pub status: SecoStatus,
    /// TAS updated once qualified (SOP §5.4.2).
    #[serde(default)]
    pub tas_updated: Option<Done>,
    /// Command & Control updated once qualified (SOP §5.4.2).
    #[serde(default)]
    pub command_and_control_updated: Option<Done>,
}

/// A coordinator as sent: text that is checked before it becomes a [`Seco`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecoInput {
    pub name: String,
    pub user_email: Option<String>,
    pub rank: String,
    pub course_passed_on: Option<String>,
    pub prior_roles: Vec<String>,
    pub experience: Vec<String>,
    pub home_unit: String,
    pub status: String,
}

/// The parts of a coordinator that the input decides, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSeco {
    pub name: String,
    pub rank: Rank,
    pub course_passed_on: Option<String>,
    pub prior_roles: Vec<PriorRole>,
    pub experience: Vec<String>,
    pub home_unit: String,
    pub status: SecoStatus,
}

/// Checks a coordinator as sent: rank rules, status, dates.
pub fn check_seco(i: &SecoInput, today: Date) -> Result<CheckedSeco, FieldError> {
    let name = i.name.trim().to_string();
    if name.is_empty() {
        return Err(FieldError::new("name", "Enter the coordinator's name"));
    }
    let rank: Rank = i.rank.parse().map_err(|m: String| FieldError::new("rank", m))?;
    rank.eligible().map_err(|m| FieldError::new("rank", m))?;
    let status: SecoStatus = i.status.parse().map_err(|m: String| FieldError::new("status", m))?;
    let course_passed_on = match i.course_passed_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let d = date("course_passed_on", "The date the SECO course was passed", s)?;
            if d > today {
                return Err(FieldError::new(
                    "course_passed_on",
                    "The date the course was passed cannot be in the future",
                ));
            }
            Some(d.to_string())
        }
    };
    if status == SecoStatus::Qualified && course_passed_on.is_none() {
        return Err(FieldError::new(
            "course_passed_on",
            "Enter the date the SECO course was passed: a qualified coordinator has passed it",
        ));
    }
    let mut prior_roles = Vec::new();
    for r in &i.prior_roles {
        let r: PriorRole = r.parse().map_err(|m: String| FieldError::new("prior_roles", m))?;
        if !prior_roles.contains(&r) {
            prior_roles.push(r);
        }
    }
    prior_roles.sort();
    Ok(CheckedSeco {
        name,
        rank,
        course_passed_on,
        prior_roles,
        experience: i.experience.iter().map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect(),
        home_unit: i.home_unit.trim().to_string(),
        status,
    })
}

/// SOP §2.2: making one more coordinator qualified beyond the national capacity is refused.
pub fn check_capacity(qualified_others: i64, capacity: i64) -> Result<(), FieldError> {
    if qualified_others >= capacity {
        return Err(FieldError::new(
            "status",
            format!(
                "There are already {qualified_others} qualified SECOs and the national capacity is {capacity} \
                 (SOP 2.2): one more cannot be made qualified until another is suspended or leaves, or the \
                 capacity is changed"
            ),
        ));
    }
    Ok(())
}

/// When the annual performance review is due (SOP §6.3): a year after the
/// last one, or after qualifying if there has been none; none before qualifying.
pub fn annual_review_due(course_passed_on: Option<&str>, last_review_on: Option<&str>) -> Option<Date> {
    let base = last_review_on.or(course_passed_on)?;
    date("date", "", base).ok().map(|d| add_months(d, 12))
}

/// One of the three appointment criteria (SOP §4.1), met or not, with why.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Criterion {
    #[serde(default)]
    pub met: bool,
    #[serde(default)]
    pub rationale: String,
}

/// The three appointment criteria (SOP §4.1).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Criteria {
    /// The scale and complexity of the event warrants it.
    pub scale_and_complexity: Criterion,
    /// The threat requires a complex multi-agency security operation, regardless of scale.
    pub multi_agency_threat: Criterion,
    /// Protocol or national interest considerations make it advisable, regardless of threat.
    pub protocol_or_national_interest: Criterion,
}

impl Criteria {
    /// Each criterion with its field name and its words in the SOP.
    pub fn each(&self) -> [(&'static str, &'static str, &Criterion); 3] {
        [
            ("scale_and_complexity", "The scale and complexity of the event warrants it", &self.scale_and_complexity),
            (
                "multi_agency_threat",
                "The threat to the event requires a complex multi-agency security operation, regardless of the scale \
                 of the event",
                &self.multi_agency_threat,
            ),
            (
                "protocol_or_national_interest",
                "Protocol or national interest considerations (regardless of threat) make it advisable to appoint a \
                 SECO",
                &self.protocol_or_national_interest,
            ),
        ]
    }

    pub fn any_met(&self) -> bool {
        self.each().iter().any(|(_, _, c)| c.met)
    }
}

/// Checks the reason, the criteria and the override (a request with no criterion met needs one).
pub fn check_request(reason: &str, criteria: &Criteria, override_reason: Option<&str>) -> Result<(), FieldError> {
    if reason.trim().is_empty() {
        return Err(FieldError::new("reason", "Enter the reason a SECO is required"));
    }
    for (field, words, c) in criteria.each() {
        if c.rationale.trim().is_empty() {
            let field = match field {
                "scale_and_complexity" => "criteria.scale_and_complexity.rationale",
                "multi_agency_threat" => "criteria.multi_agency_threat.rationale",
                _ => "criteria.protocol_or_national_interest.rationale",
            };
            return Err(FieldError::new(
                field,
                format!("Enter why this criterion is or is not met: \u{201c}{words}\u{201d}"),
            ));
        }
    }
    if !criteria.any_met() && override_reason.map(str::trim).unwrap_or("").is_empty() {
        return Err(FieldError::new(
            "override_reason",
            "None of the three criteria is met: enter the reason a SECO is asked for all the same",
        ));
    }
    Ok(())
}

/// What a deployment request records when it is submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDeploymentRequest {
    pub id: DeploymentRequestId,
    pub event_id: EventId,
    /// The event's details as they were when the request was made (SOP §5.1.1).
    pub event_name: String,
    pub event_kind: EventKind,
    pub starts_at: Instant,
    pub ends_at: Instant,
    /// The requesting force (the event's organisation).
    pub organisation_id: OrganisationId,
    /// The organisation configured as the force's CTSU, whose deployment authority it is addressed to.
    pub ctsu_organisation_id: OrganisationId,
    pub reason: String,
    pub criteria: Criteria,
    #[serde(default)]
    pub override_reason: Option<String>,
    /// The event's Gold commander.
    pub gold_user_id: UserId,
    /// The (Home Office) force with the Gold command, when it is another
    /// force: that force appoints the SECO and the CTSU supports (SOP §2.1).
    #[serde(default)]
    pub gold_force: Option<String>,
    /// The Gold's organisation when it is not the requesting force's: the
    /// Gold command sits with another force, which appoints the SECO while the
    /// CTSU supports (SOP §2.1). Derived when the request is made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gold_organisation_id: Option<OrganisationId>,
    pub requested_by: UserId,
}

/// The force with the Gold command when it is not the requesting force
/// (SOP §2.1): the force named on the request if one is, otherwise the Gold's
/// own organisation when it differs from the requesting force's.
pub fn gold_command_elsewhere(
    named: Option<&str>,
    requesting_force: &OrganisationId,
    gold_organisation: Option<(&OrganisationId, &str)>,
) -> Option<String> {
    if let Some(f) = named.map(str::trim).filter(|f| !f.is_empty()) {
        return Some(f.to_string());
    }
    match gold_organisation {
        Some((id, name)) if id != requesting_force => Some(name.to_string()),
        _ => None,
    }
}

/// The deployment authority's discussion with Gold (SOP §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Discussion {
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub notes: String,
    pub recommendation: Recommendation,
    #[serde(default)]
    pub proposed_seco_id: Option<SecoId>,
    pub recorded_by: UserId,
}

/// Checks a discussion's date and notes.
pub fn check_discussion(
    held_on: &str,
    notes: &str,
    recommendation: &str,
    today: Date,
) -> Result<(Date, Recommendation), FieldError> {
    let d = date("held_on", "The date of the discussion", held_on)?;
    if d > today {
        return Err(FieldError::new("held_on", "The date of the discussion cannot be in the future"));
    }
    if notes.trim().is_empty() {
        return Err(FieldError::new("notes", "Enter the notes of the discussion"));
    }
    let r = recommendation.parse().map_err(|m: String| FieldError::new("recommendation", m))?;
    Ok((d, r))
}

/// A coordinator's standing appointment to an event, for the overlap rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    pub seco_id: SecoId,
    pub event_name: String,
    pub starts_at: Instant,
    pub ends_at: Instant,
}

/// Recorded leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leave {
    pub seco_id: SecoId,
    pub from: Date,
    pub until: Date,
}

/// Why an appointment is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A rule about the state of things (409).
    Conflict(String),
    /// Something missing from what was sent (422).
    Field(FieldError),
}

fn overlaps(a: (Instant, Instant), b: (Instant, Instant)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

fn london_date(t: Instant) -> Date {
    crate::london::to_london(t.get()).0.date()
}

/// The rules of appointing `seco` to an event running `window` (SOP §5.4.3, §2.1).
pub fn check_appointment(
    seco: &Seco,
    justification: Option<&str>,
    window: (Instant, Instant),
    commitments: &[Commitment],
) -> Result<(), Refusal> {
    if seco.status != SecoStatus::Qualified {
        return Err(Refusal::Conflict(format!(
            "{} is not qualified (their status is {}): only a qualified SECO can be appointed",
            seco.name,
            seco.status.words().to_lowercase()
        )));
    }
    if let Err(m) = seco.rank.eligible() {
        return Err(Refusal::Conflict(m));
    }
    if let Some(c) = commitments.iter().find(|c| c.seco_id == seco.id && overlaps(window, (c.starts_at, c.ends_at))) {
        return Err(Refusal::Conflict(format!(
            "{} is already appointed SECO to {}, whose dates overlap this event's",
            seco.name, c.event_name
        )));
    }
    if seco.rank == Rank::Inspector && justification.map(str::trim).unwrap_or("").is_empty() {
        return Err(Refusal::Field(FieldError::new(
            "justification",
            format!(
                "{} is an Inspector: an Inspector is appointed only in extremis (SOP 5.4.3), so enter the \
                 justification",
                seco.name
            ),
        )));
    }
    Ok(())
}

/// A coordinator suggested for a request, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Suggested {
    pub seco_id: SecoId,
    pub name: String,
    pub rank: Rank,
    pub reasons: Vec<String>,
}

/// A coordinator left out, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Excluded {
    pub seco_id: SecoId,
    pub name: String,
    pub reasons: Vec<String>,
}

fn rank_order(r: Rank) -> usize {
    Rank::ALL.iter().position(|x| *x == r).unwrap_or(usize::MAX)
}

/// Who is available for an event running `window`: qualified, not appointed
/// to an event whose dates overlap, not on leave, eligible by rank; in order
/// of rank, then prior search roles, then experience; each with its reasons.
pub fn suggest(
    roster: &[Seco],
    window: (Instant, Instant),
    commitments: &[Commitment],
    leave: &[Leave],
) -> (Vec<Suggested>, Vec<Excluded>) {
    let (first, last) = (london_date(window.0), london_date(window.1));
    let mut items = Vec::new();
    let mut excluded = Vec::new();
    for s in roster {
        let mut out = Vec::new();
        if s.status != SecoStatus::Qualified {
            out.push(format!("Not qualified: their status is {}", s.status.words().to_lowercase()));
        }
        if let Err(m) = s.rank.eligible() {
            out.push(m);
        }
        for c in commitments.iter().filter(|c| c.seco_id == s.id && overlaps(window, (c.starts_at, c.ends_at))) {
            out.push(format!("Already appointed SECO to {}, whose dates overlap", c.event_name));
        }
        for l in leave.iter().filter(|l| l.seco_id == s.id && l.from <= last && first <= l.until) {
            out.push(format!(
                "On leave from {} to {}",
                crate::london::display_date(l.from),
                crate::london::display_date(l.until)
            ));
        }
        if !out.is_empty() {
            excluded.push(Excluded { seco_id: s.id.clone(), name: s.name.clone(), reasons: out });
            continue;
        }
        let mut reasons = vec!["Qualified, and free on the event's dates".to_string()];
        reasons.push(match s.rank {
            Rank::Inspector => "Inspector: eligible only in extremis, so appointing them needs a justification".into(),
            r => format!("{}: the rank the SOP prefers", r.words()),
        });
        if s.prior_roles.is_empty() {
            reasons.push("Has not been a PolSA or PolSC".into());
        } else {
            reasons.push(format!(
                "Has been a {}: particularly well suited",
                s.prior_roles.iter().map(|r| r.words()).collect::<Vec<_>>().join(" and a ")
            ));
        }
        reasons.push(match s.experience.len() {
            0 => "No event planning or command experience recorded".into(),
            1 => "One event planning or command role recorded".into(),
            n => format!("{n} event planning or command roles recorded"),
        });
        items.push((s, Suggested { seco_id: s.id.clone(), name: s.name.clone(), rank: s.rank, reasons }));
    }
    items.sort_by(|(a, _), (b, _)| {
        rank_order(a.rank)
            .cmp(&rank_order(b.rank))
            .then(b.prior_roles.len().cmp(&a.prior_roles.len()))
            .then(b.experience.len().cmp(&a.experience.len()))
            .then(a.name.cmp(&b.name))
    });
    (items.into_iter().map(|(_, s)| s).collect(), excluded)
}

/// A note kept on a coordinator (SOP §6.2, §6.3), or their leave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SecoNote {
    pub kind: NoteKind,
    /// `YYYY-MM-DD`: the day of the note or review, or the first day of leave.
    pub on: String,
    /// The last day of leave.
    #[serde(default)]
    pub until: Option<String>,
    pub text: String,
    pub by: UserId,
}

/// A candidate for a vacancy, assessed against the SOP's considerations (§5.4.1).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Candidate {
    pub name: String,
    pub rank: String,
    pub current_role: String,
    pub previous_experience: String,
    /// PolSA or PolSC before, and how.
    pub search_roles: String,
    pub event_planning_and_command: String,
    pub notes: String,
}

/// A vacancy on the roster and its selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Vacancy {
    pub id: VacancyId,
    pub organisation_id: OrganisationId,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub opened_on: String,
    pub candidates: Vec<Candidate>,
    /// The candidate selected, by name, with the rationale.
    #[serde(default)]
    pub selected: Option<String>,
    #[serde(default)]
    pub rationale: String,
    /// Course costs, which lie with the CTSU (SOP §5.4.4), in pence.
    #[serde(default)]
    pub course_cost_pence: Option<i64>,
}

/// Checks one candidate for a vacancy: a name and an eligible rank (SOP
/// §5.4.3). The error names the candidate's own field (`name`, `rank`).
pub fn check_candidate(c: &Candidate) -> Result<(), FieldError> {
    if c.name.trim().is_empty() {
        return Err(FieldError::new("name", "Enter the candidate's name"));
    }
    if c.rank.trim().is_empty() {
        return Err(FieldError::new("rank", "Choose the candidate's rank"));
    }
    let rank: Rank = c.rank.parse().map_err(|m: String| FieldError::new("rank", m))?;
    rank.eligible().map_err(|m| FieldError::new("rank", format!("{}: {m}", c.name.trim())))
}

/// A candidate's fault, with which candidate it is (0 is the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateError {
    pub index: usize,
    pub error: FieldError,
}

/// Checks every candidate of a vacancy, and that no two share a name (the
/// selection names one).
pub fn check_candidates(candidates: &[Candidate]) -> Result<(), CandidateError> {
    for (index, c) in candidates.iter().enumerate() {
        check_candidate(c).map_err(|error| CandidateError { index, error })?;
        if candidates[..index].iter().any(|o| o.name.trim() == c.name.trim()) {
            let error = FieldError::new("name", format!("{} is already a candidate for this vacancy", c.name.trim()));
            return Err(CandidateError { index, error });
        }
    }
    Ok(())
}

/// Checks a vacancy and its selection.
pub fn check_vacancy(v: &Vacancy) -> Result<(), FieldError> {
    if v.title.trim().is_empty() {
        return Err(FieldError::new("title", "Enter the vacancy's title"));
    }
    date("opened_on", "The date the vacancy opened", &v.opened_on)?;
    check_candidates(&v.candidates).map_err(|e| FieldError::new("candidates", e.error.message))?;
    if let Some(s) = &v.selected {
        if !v.candidates.iter().any(|c| &c.name == s) {
            return Err(FieldError::new("selected", "Choose one of the vacancy's candidates"));
        }
        if v.rationale.trim().is_empty() {
            return Err(FieldError::new("rationale", "Enter the rationale for the selection"));
        }
    }
    if v.course_cost_pence.is_some_and(|p| p < 0) {
        return Err(FieldError::new("course_cost_pence", "The course cost cannot be negative"));
    }
    Ok(())
}

/// The journal events of the SECO capability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SecoEvent {
    /// A coordinator was added to a roster or changed (status, checklist included).
    SecoSaved { seco: Seco },
    /// A continual-assessment note, an annual review or leave was recorded.
    SecoNoteAdded { seco_id: SecoId, note: SecoNote },
    /// An organisation's national capacity was set.
    CapacitySet { organisation_id: OrganisationId, capacity: i64 },
    /// A force's CTSU was configured: requests for its events go to this organisation.
    CtsuConfigured { organisation_id: OrganisationId, ctsu_organisation_id: OrganisationId },
    /// A request for a SECO was submitted.
    DeploymentRequested { request: NewDeploymentRequest },
    /// The deployment authority recorded the discussion with Gold.
    DeploymentDiscussed { id: DeploymentRequestId, discussion: Discussion },
    /// Gold appointed a SECO.
    SecoAppointed {
        id: DeploymentRequestId,
        seco_id: SecoId,
        #[serde(default)]
        justification: Option<String>,
        /// The SECO's account, when the appointment put it on the event's team
        /// (standing down takes it off again).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        joined_team: Option<UserId>,
        /// The SECO's organisation, when the event was shared with it only so
        /// that the SECO could read it (standing down undoes the share).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        shared_with: Option<OrganisationId>,
    },
    /// Gold declined to appoint a SECO.
    DeploymentDeclined { id: DeploymentRequestId, reason: String },
    /// The request was withdrawn.
    DeploymentWithdrawn { id: DeploymentRequestId, reason: String },
    /// The appointed SECO was stood down.
    SecoStoodDown { id: DeploymentRequestId, reason: String },
    /// A vacancy was opened or its selection recorded.
    VacancySaved { vacancy: Vacancy },
}

crate::capability_event!(SecoEvent, |e| match e {
    SecoEvent::SecoSaved { seco } => format!("seco/{}", seco.id),
    SecoEvent::SecoNoteAdded { seco_id, .. } => format!("seco/{seco_id}"),
    SecoEvent::CapacitySet { organisation_id, .. } | SecoEvent::CtsuConfigured { organisation_id, .. } =>
        format!("seco-settings/{organisation_id}"),
    SecoEvent::DeploymentRequested { request } => format!("seco-request/{}", request.id),
    SecoEvent::DeploymentDiscussed { id, .. }
    | SecoEvent::SecoAppointed { id, .. }
    | SecoEvent::DeploymentDeclined { id, .. }
    | SecoEvent::DeploymentWithdrawn { id, .. }
    | SecoEvent::SecoStoodDown { id, .. } => format!("seco-request/{id}"),
    SecoEvent::VacancySaved { vacancy } => format!("seco-vacancy/{}", vacancy.id),
});

/// Asking for a SECO for an event the requester can see.
pub const REQUEST: Action = Action {
    name: "seco.request",
    what: "ask the deployment authority for a security coordinator (SECO) for an event",
    roles: Some(&[Role::StrategicCommander, Role::SecurityCoordinator, Role::SecurityAdviser]),
    needs_team: false,
};

/// Keeping the roster, vacancies and monitoring, and recording the discussion.
pub const MANAGE: Action = Action {
    name: "seco.manage",
    what: "keep the roster of security coordinators, record discussions of requests, vacancies and reviews",
    roles: Some(&[Role::DeploymentAuthority]),
    needs_team: false,
};

/// Appointing or declining (the event's Gold only, which the store checks).
pub const APPOINT: Action = Action {
    name: "seco.appoint",
    what: "appoint a SECO to an event, or decline to, as its Gold commander",
    roles: Some(&[Role::StrategicCommander]),
    needs_team: false,
};

/// Configuring which organisation is a force's CTSU.
pub const CONFIGURE: Action = Action {
    name: "seco.configure",
    what: "configure which organisation is the force's counter terrorism support unit (CTSU)",
    roles: Some(&[Role::Administrator]),
    needs_team: false,
};

/// The capability's actions.
pub const ACTIONS: &[Action] = &[REQUEST, MANAGE, APPOINT, CONFIGURE];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input(rank: &str, status: &str) -> SecoInput {
        SecoInput {
            name: "Supt A".into(),
            rank: rank.into(),
            status: status.into(),
            course_passed_on: Some("2025-03-01".into()),
            ..Default::default()
        }
    }

    fn seco(id: &str, rank: Rank, roles: Vec<PriorRole>, exp: usize) -> Seco {
        Seco {
            id: SecoId::parse(id).unwrap(),
            organisation_id: OrganisationId::parse("ctsu").unwrap(),
            name: id.into(),
            user_id: None,
            user_email: None,
            rank,
            course_passed_on: Some("2025-01-01".into()),
            prior_roles: roles,
            experience: (0..exp).map(|i| format!("role {i}")).collect(),
            home_unit: String::new(),
            status: SecoStatus::Qualified,
            tas_updated: None,
            command_and_control_updated: None,
        }
    }

    fn at(s: &str) -> Instant {
        Instant::parse(s).unwrap()
    }

    const TODAY: Date = date!(2026 - 11 - 29);

    #[test]
    fn ranks_below_inspector_are_not_eligible_and_unknown_ones_are_refused() {
        assert!(check_seco(&input("superintendent", "qualified"), TODAY).is_ok());
        assert!(check_seco(&input("chief_inspector", "qualified"), TODAY).is_ok());
        assert!(check_seco(&input("inspector", "candidate"), TODAY).is_ok());
        for r in ["sergeant", "constable", "commander", ""] {
            assert_eq!(check_seco(&input(r, "qualified"), TODAY).unwrap_err().field, "rank", "{r}");
        }
        assert_eq!(check_seco(&input("inspector", "retired"), TODAY).unwrap_err().field, "status");
        let future = SecoInput { course_passed_on: Some("2027-01-01".into()), ..input("inspector", "qualified") };
        assert_eq!(check_seco(&future, TODAY).unwrap_err().field, "course_passed_on");
        let unpassed = SecoInput { course_passed_on: None, ..input("inspector", "qualified") };
        assert_eq!(check_seco(&unpassed, TODAY).unwrap_err().field, "course_passed_on");
        let bad_role = SecoInput { prior_roles: vec!["firearms".into()], ..input("inspector", "candidate") };
        assert_eq!(check_seco(&bad_role, TODAY).unwrap_err().field, "prior_roles");
    }

    #[test]
    fn one_more_qualified_beyond_the_capacity_is_refused() {
        assert!(check_capacity(3, DEFAULT_CAPACITY).is_ok());
        let e = check_capacity(4, DEFAULT_CAPACITY).unwrap_err();
        assert_eq!(e.field, "status");
        assert!(e.message.contains("national capacity is 4"), "{}", e.message);
        assert!(check_capacity(4, 5).is_ok());
    }

    #[test]
    fn the_annual_review_is_due_a_year_after_the_last_or_after_qualifying() {
        assert_eq!(annual_review_due(Some("2025-03-01"), None), Some(date!(2026 - 03 - 01)));
        assert_eq!(annual_review_due(Some("2025-03-01"), Some("2026-02-10")), Some(date!(2027 - 02 - 10)));
        assert_eq!(annual_review_due(None, None), None);
    }

    #[test]
    fn every_criterion_needs_a_rationale_and_none_met_needs_an_override() {
        let met = Criterion { met: true, rationale: "40,000 runners".into() };
        let not = Criterion { met: false, rationale: "No specific threat".into() };
        let c = Criteria {
            scale_and_complexity: met.clone(),
            multi_agency_threat: not.clone(),
            protocol_or_national_interest: not.clone(),
        };
        assert_eq!(check_request("Marathon", &c, None), Ok(()));
        assert_eq!(check_request(" ", &c, None).unwrap_err().field, "reason");
        let blank = Criteria { multi_agency_threat: Criterion { met: false, rationale: " ".into() }, ..c.clone() };
        assert_eq!(check_request("x", &blank, None).unwrap_err().field, "criteria.multi_agency_threat.rationale");
        let none = Criteria { scale_and_complexity: not.clone(), ..c };
        assert_eq!(check_request("x", &none, None).unwrap_err().field, "override_reason");
        assert_eq!(check_request("x", &none, Some("Royal visit announced late")), Ok(()));
    }

    #[test]
    fn gold_command_sits_with_another_force_when_the_gold_is_of_another_organisation_or_one_is_named() {
        let force = OrganisationId::parse("force").unwrap();
        let met = OrganisationId::parse("met").unwrap();
        assert_eq!(gold_command_elsewhere(None, &force, Some((&force, "Northshire Police"))), None);
        assert_eq!(gold_command_elsewhere(None, &force, None), None);
        assert_eq!(
            gold_command_elsewhere(None, &force, Some((&met, "Metropolitan Police Service"))).as_deref(),
            Some("Metropolitan Police Service")
        );
        assert_eq!(
            gold_command_elsewhere(Some(" City of London Police "), &force, Some((&force, "Northshire"))).as_deref(),
            Some("City of London Police"),
            "a force named on the request stands"
        );
        assert_eq!(gold_command_elsewhere(Some(" "), &force, Some((&force, "Northshire"))), None);
    }

    #[test]
    fn a_request_moves_from_submitted_through_discussion_to_one_decision() {
        use RequestStatus::*;
        use RequestStep::*;
        assert_eq!(Submitted.after(Discuss), Ok(UnderDiscussion));
        assert_eq!(UnderDiscussion.after(Discuss), Ok(UnderDiscussion), "a discussion may be recorded again");
        assert_eq!(UnderDiscussion.after(Appoint), Ok(Appointed));
        assert_eq!(UnderDiscussion.after(Decline), Ok(Declined));
        assert_eq!(Submitted.after(Withdraw), Ok(Withdrawn));
        assert_eq!(UnderDiscussion.after(Withdraw), Ok(Withdrawn));
        assert_eq!(Appointed.after(StandDown), Ok(StoodDown));
        for decided in [Appointed, Declined, Withdrawn, StoodDown] {
            for step in [Discuss, Appoint, Decline, Withdraw] {
                assert!(decided.after(step).is_err(), "{decided:?} then {step:?}");
            }
        }
        for not_appointed in [Submitted, UnderDiscussion, Declined, Withdrawn, StoodDown] {
            assert!(not_appointed.after(StandDown).unwrap_err().contains("no SECO stands appointed"));
        }
        assert_eq!(Declined.after(Appoint).unwrap_err(), "the request is already declined");
    }

    #[test]
    fn only_the_event_s_gold_decides_and_only_after_a_discussion() {
        use RequestStatus::*;
        use RequestStep::*;
        let gold = UserId::parse("gold").unwrap();
        let old = UserId::parse("old-gold").unwrap();
        assert_eq!(check_gold_decides(&gold, true, Some(&gold), UnderDiscussion, true, Appoint), Ok(Appointed));
        assert_eq!(check_gold_decides(&gold, true, Some(&gold), UnderDiscussion, true, Decline), Ok(Declined));
        // Someone else, the Gold of before, a disabled Gold, an event with no Gold: not Gold.
        assert_eq!(
            check_gold_decides(&old, true, Some(&gold), UnderDiscussion, true, Appoint),
            Err(GoldRefusal::NotGold)
        );
        assert_eq!(
            check_gold_decides(&gold, false, Some(&gold), UnderDiscussion, true, Appoint),
            Err(GoldRefusal::NotGold)
        );
        assert_eq!(check_gold_decides(&gold, true, None, UnderDiscussion, true, Appoint), Err(GoldRefusal::NotGold));
        // Before a discussion: refused, in words.
        match check_gold_decides(&gold, true, Some(&gold), Submitted, false, Appoint) {
            Err(GoldRefusal::Conflict(m)) => assert!(m.contains("only after discussion"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            check_gold_decides(&gold, true, Some(&gold), Submitted, false, Decline),
            Err(GoldRefusal::Conflict(_))
        ));
        // Decided already; standing down needs no discussion but an appointment.
        assert!(matches!(
            check_gold_decides(&gold, true, Some(&gold), Declined, true, Appoint),
            Err(GoldRefusal::Conflict(_))
        ));
        assert_eq!(check_gold_decides(&gold, true, Some(&gold), Appointed, true, StandDown), Ok(StoodDown));
        assert_eq!(check_gold_decides(&old, true, Some(&gold), Appointed, true, StandDown), Err(GoldRefusal::NotGold));
    }

    #[test]
    fn one_seco_per_event() {
        assert_eq!(check_one_seco_per_event(None, "City Marathon"), Ok(()));
        let m = check_one_seco_per_event(Some("Dana Whitfield"), "City Marathon").unwrap_err();
        assert!(
            m.contains("Dana Whitfield is already the SECO of City Marathon") && m.contains("only one SECO"),
            "{m}"
        );
    }

    #[test]
    fn standing_down_needs_a_reason() {
        for blank in ["", "  ", "\n"] {
            let e = stand_down_reason(blank).unwrap_err();
            assert_eq!((e.field, e.message.as_str()), ("reason", "Enter the reason the SECO is stood down"));
        }
        assert_eq!(stand_down_reason(" Off sick ").as_deref(), Ok("Off sick"));
    }

    #[test]
    fn a_discussion_cannot_be_dated_in_the_future() {
        assert!(check_discussion("2026-11-28", "Talked", "appoint", TODAY).is_ok());
        assert_eq!(check_discussion("2026-11-30", "Talked", "appoint", TODAY).unwrap_err().field, "held_on");
        assert_eq!(check_discussion("2026-11-28", "", "appoint", TODAY).unwrap_err().field, "notes");
        assert_eq!(check_discussion("2026-11-28", "x", "maybe", TODAY).unwrap_err().field, "recommendation");
    }

    #[test]
    fn appointment_needs_a_qualified_free_coordinator_and_an_inspector_a_justification() {
        let window = (at("2027-04-10T08:00:00Z"), at("2027-04-10T18:00:00Z"));
        let supt = seco("supt", Rank::Superintendent, vec![], 0);
        assert_eq!(check_appointment(&supt, None, window, &[]), Ok(()));
        let insp = seco("insp", Rank::Inspector, vec![], 0);
        assert!(
            matches!(check_appointment(&insp, None, window, &[]), Err(Refusal::Field(e)) if e.field == "justification")
        );
        assert_eq!(check_appointment(&insp, Some("No one else free"), window, &[]), Ok(()));
        let suspended = Seco { status: SecoStatus::Suspended, ..supt.clone() };
        assert!(matches!(check_appointment(&suspended, None, window, &[]), Err(Refusal::Conflict(_))));
        let busy = Commitment {
            seco_id: supt.id.clone(),
            event_name: "Carnival".into(),
            starts_at: at("2027-04-10T17:00:00Z"),
            ends_at: at("2027-04-11T02:00:00Z"),
        };
        assert!(
            matches!(check_appointment(&supt, None, window, std::slice::from_ref(&busy)), Err(Refusal::Conflict(m)) if m.contains("Carnival"))
        );
        let later = Commitment { starts_at: at("2027-04-10T18:00:00Z"), ..busy };
        assert_eq!(check_appointment(&supt, None, window, &[later]), Ok(()), "back-to-back events do not overlap");
    }

    #[test]
    fn suggestions_are_ordered_by_rank_then_prior_roles_then_experience_with_reasons() {
        let window = (at("2027-04-10T08:00:00Z"), at("2027-04-10T18:00:00Z"));
        let roster = vec![
            seco("insp", Rank::Inspector, vec![PriorRole::Polsa, PriorRole::Polsc], 5),
            seco("ci-plain", Rank::ChiefInspector, vec![], 3),
            seco("ci-polsa", Rank::ChiefInspector, vec![PriorRole::Polsa], 0),
            seco("supt", Rank::Superintendent, vec![], 0),
            seco("busy", Rank::Superintendent, vec![], 9),
            seco("away", Rank::Superintendent, vec![], 9),
            Seco { status: SecoStatus::InTraining, ..seco("trainee", Rank::Superintendent, vec![], 9) },
        ];
        let commitments = [Commitment {
            seco_id: SecoId::parse("busy").unwrap(),
            event_name: "Carnival".into(),
            starts_at: at("2027-04-09T08:00:00Z"),
            ends_at: at("2027-04-10T09:00:00Z"),
        }];
        let leave = [Leave {
            seco_id: SecoId::parse("away").unwrap(),
            from: date!(2027 - 04 - 05),
            until: date!(2027 - 04 - 12),
        }];
        let (items, excluded) = suggest(&roster, window, &commitments, &leave);
        let names: Vec<&str> = items.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["supt", "ci-polsa", "ci-plain", "insp"]);
        assert!(items[3].reasons.iter().any(|r| r.contains("in extremis")));
        assert!(items[1].reasons.iter().any(|r| r.contains("Police Search Adviser")));
        let why = |n: &str| excluded.iter().find(|e| e.name == n).unwrap().reasons.join("; ");
        assert!(why("busy").contains("Carnival"));
        assert!(why("away").contains("On leave from 5 April 2027"));
        assert!(why("trainee").contains("in training"));
        assert_eq!(excluded.len(), 3);
    }

    #[test]
    fn a_vacancy_selects_one_of_its_candidates_with_a_rationale() {
        let c = |n: &str, r: &str| Candidate { name: n.into(), rank: r.into(), ..Default::default() };
        let mut v = Vacancy {
            id: VacancyId::parse("v").unwrap(),
            organisation_id: OrganisationId::parse("o").unwrap(),
            title: "SECO, London".into(),
            opened_on: "2026-10-01".into(),
            candidates: vec![c("A", "chief_inspector"), c("B", "inspector")],
            selected: None,
            rationale: String::new(),
            course_cost_pence: None,
        };
        assert_eq!(check_vacancy(&v), Ok(()));
        v.selected = Some("C".into());
        assert_eq!(check_vacancy(&v).unwrap_err().field, "selected");
        v.selected = Some("A".into());
        assert_eq!(check_vacancy(&v).unwrap_err().field, "rationale");
        v.rationale = "Former PolSC".into();
        assert_eq!(check_vacancy(&v), Ok(()));
        v.candidates.push(c("D", "sergeant"));
        assert_eq!(check_vacancy(&v).unwrap_err().field, "candidates");
    }

    #[test]
    fn a_candidate_needs_a_name_and_an_eligible_rank_and_a_name_of_their_own() {
        let c = |n: &str, r: &str| Candidate { name: n.into(), rank: r.into(), ..Default::default() };
        assert_eq!(check_candidate(&c("A", "inspector")), Ok(()));
        assert_eq!(check_candidate(&c(" ", "inspector")).unwrap_err().field, "name");
        let e = check_candidate(&c("A", "")).unwrap_err();
        assert_eq!((e.field, e.message.as_str()), ("rank", "Choose the candidate's rank"));
        let e = check_candidate(&c("PS Low", "sergeant")).unwrap_err();
        assert_eq!(e.field, "rank");
        assert!(e.message.contains("Sergeant is not eligible"), "{}", e.message);
        let e = check_candidates(&[c("A", "inspector"), c("B", "constable")]).unwrap_err();
        assert_eq!((e.index, e.error.field), (1, "rank"));
        let e = check_candidates(&[c("A", "inspector"), c("A", "chief_inspector")]).unwrap_err();
        assert_eq!((e.index, e.error.field), (1, "name"));
    }
}
