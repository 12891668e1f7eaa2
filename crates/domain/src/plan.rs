//! The CT protective security plan (seed 000; seed 001 §4.2), in National
//! Decision Model order: information and intelligence; threat and risk; powers
//! and policy; options and contingencies; action and review. Alongside: the
//! register of other tactical plans, stakeholders and liaison, meetings.
//!
//! The draft is a set of items, each in a section with a stable id, so it can
//! be changed one item at a time (each change a journal event) and compared
//! field by field between issued versions.

use crate::ids::EventId;
use crate::methodology::AttackMethodology;
use crate::risk::{Rating, RiskMatrix};
use crate::Marking;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

fn is_false(b: &bool) -> bool {
    !*b
}

/// Who commissioned the plan, when, and the terms of reference (one per plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, Default)]
pub struct Tasking {
    pub commissioned_by: String,
    /// `YYYY-MM-DD`.
    pub commissioned_on: String,
    pub terms_of_reference: String,
}

/// The commander's intent and strategic objectives (one per plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, Default)]
pub struct Intent {
    pub intent: String,
    pub objectives: Vec<String>,
}

/// A threat assessment received for the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ThreatAssessment {
    pub id: String,
    pub source: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub summary: String,
    pub marking: Marking,
    /// The national threat level in force on `date`, filled in from the reference data.
    pub national_threat_level: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub needs_review: bool,
}

/// An operational factor that bears on the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OperationalFactor {
    pub id: String,
    pub description: String,
}

/// A file attached to a reconnaissance visit, stored by its SHA-256 hash (uploaded first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

/// A venue reconnaissance visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReconVisit {
    pub id: String,
    pub date: String,
    pub attendees: String,
    pub areas: String,
    pub findings: String,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub needs_review: bool,
}

/// The assessment of one attack methodology: inherent and residual ratings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiskAssessment {
    /// The methodology's id in the reference catalogue.
    pub methodology: String,
    pub applicable: bool,
    /// Why the methodology does not apply (required when not applicable).
    #[serde(default)]
    pub not_applicable_reason: String,
    pub likelihood: Option<u32>,
    pub impact: Option<u32>,
    /// After accepted measures.
    pub residual_likelihood: Option<u32>,
    pub residual_impact: Option<u32>,
    /// Why no measure is accepted for a risk at or above tolerance.
    #[serde(default)]
    pub no_measure_rationale: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub needs_review: bool,
}

/// A vulnerability found at a venue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Vulnerability {
    pub id: String,
    pub location: String,
    pub description: String,
    pub methodologies: Vec<String>,
    /// 1 (minor) to 5 (severe).
    pub severity: u32,
}

/// A legal power or policy relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Power {
    pub id: String,
    pub title: String,
    pub reference: String,
    #[serde(default)]
    pub notes: String,
}

/// A measure's state of decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    Proposed,
    Accepted,
    Declined,
}

impl MeasureStatus {
    pub const ALL: [MeasureStatus; 3] = [MeasureStatus::Proposed, MeasureStatus::Accepted, MeasureStatus::Declined];

    /// The status in words, as offered in a form.
    pub fn words(self) -> &'static str {
        match self {
            MeasureStatus::Proposed => "Proposed",
            MeasureStatus::Accepted => "Accepted",
            MeasureStatus::Declined => "Declined",
        }
    }
}

/// Why a measure was declined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    /// Declined because resources are not available: the risk stays as residual risk.
    Resources,
    Other,
}

impl DeclineReason {
    pub const ALL: [DeclineReason; 2] = [DeclineReason::Resources, DeclineReason::Other];

    /// The reason in words, following "Declined: ".
    pub fn words(self) -> &'static str {
        match self {
            DeclineReason::Resources => "no resources",
            DeclineReason::Other => "other reason",
        }
    }
}

/// A protective security measure, treating one or more assessed risks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Measure {
    pub id: String,
    pub title: String,
    /// From the methodology's typical mitigations, or written for this plan.
    #[serde(default)]
    pub from_library: bool,
    /// The methodologies (risks) it treats.
    pub risks: Vec<String>,
    #[serde(default)]
    pub vulnerabilities: Vec<String>,
    /// The tactical plan that delivers it.
    pub tactical_plan: Option<String>,
    pub status: MeasureStatus,
    pub decline_reason: Option<DeclineReason>,
    #[serde(default)]
    pub rationale: String,
}

/// A contingency plan for residual risks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contingency {
    pub id: String,
    /// The residual risks (methodologies) it manages.
    pub risks: Vec<String>,
    pub trigger: String,
    pub actions: String,
    pub owner: String,
}

/// A recommendation's priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    High,
    Medium,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Medium, Priority::Low];

    pub fn words(self) -> &'static str {
        match self {
            Priority::High => "High",
            Priority::Medium => "Medium",
            Priority::Low => "Low",
        }
    }
}

/// A recommendation's state of decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationStatus {
    Open,
    Accepted,
    /// Declined for lack of resources: stays visible; its risks stay as residual risk.
    DeclinedResources,
    DeclinedOther,
}

impl RecommendationStatus {
    pub const ALL: [RecommendationStatus; 4] = [
        RecommendationStatus::Open,
        RecommendationStatus::Accepted,
        RecommendationStatus::DeclinedResources,
        RecommendationStatus::DeclinedOther,
    ];

    /// The status in words, as offered in a form.
    pub fn words(self) -> &'static str {
        match self {
            RecommendationStatus::Open => "Open",
            RecommendationStatus::Accepted => "Accepted",
            RecommendationStatus::DeclinedResources => "Declined: no resources",
            RecommendationStatus::DeclinedOther => "Declined: other reason",
        }
    }
}

/// A recommendation to the commander.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Recommendation {
    pub id: String,
    pub text: String,
    pub priority: Priority,
    pub risks: Vec<String>,
    #[serde(default)]
    pub proportionality_rationale: String,
    pub status: RecommendationStatus,
}

/// A review of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Review {
    pub id: String,
    pub date: String,
    pub by: String,
    pub notes: String,
}

/// The kind of a tactical plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TacticalPlanKind {
    Firearms,
    Search,
    PublicOrder,
    ProtectedPersons,
    Traffic,
    Medical,
    Communications,
    Cbrn,
    Other,
}

impl TacticalPlanKind {
    pub const ALL: [TacticalPlanKind; 9] = [
        TacticalPlanKind::Firearms,
        TacticalPlanKind::Search,
        TacticalPlanKind::PublicOrder,
        TacticalPlanKind::ProtectedPersons,
        TacticalPlanKind::Traffic,
        TacticalPlanKind::Medical,
        TacticalPlanKind::Communications,
        TacticalPlanKind::Cbrn,
        TacticalPlanKind::Other,
    ];

    /// The kind in words, within a sentence: "the search (POLSA) plan".
    pub fn words(self) -> &'static str {
        match self {
            TacticalPlanKind::Firearms => "firearms",
            TacticalPlanKind::Search => "search (POLSA)",
            TacticalPlanKind::PublicOrder => "public order",
            TacticalPlanKind::ProtectedPersons => "protected persons",
            TacticalPlanKind::Traffic => "traffic",
            TacticalPlanKind::Medical => "medical",
            TacticalPlanKind::Communications => "communications",
            TacticalPlanKind::Cbrn => "CBRN",
            TacticalPlanKind::Other => "other",
        }
    }

    /// The kind as a heading or a table entry: "Search (POLSA) plan".
    pub fn title(self) -> String {
        let words = self.words();
        let mut title = words[..1].to_uppercase() + &words[1..];
        title.push_str(if self == TacticalPlanKind::Other { " tactical plan" } else { " plan" });
        title
    }
}

/// A tactical plan in the register (firearms, search, traffic, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TacticalPlan {
    pub id: String,
    pub kind: TacticalPlanKind,
    pub owner: String,
    pub version: String,
    pub received_on: String,
    /// Who reviewed it against this plan; empty until reviewed.
    #[serde(default)]
    pub reviewed_by: String,
    #[serde(default)]
    pub notes: String,
}

/// A stakeholder in the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Stakeholder {
    pub id: String,
    pub name: String,
    pub organisation: String,
    pub role: String,
}

/// A record of liaison with a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Liaison {
    pub id: String,
    pub date: String,
    pub with: String,
    pub summary: String,
    #[serde(default)]
    pub agreed: String,
    #[serde(default)]
    pub actions: String,
    /// Actions agreed with a named owner and a due date, each like a
    /// meeting's (the owner in Cordon sees it among their tasks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assigned: Vec<MeetingAction>,
}

/// An action from a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeetingAction {
    pub text: String,
    /// Who owns it, as the plan reads: a person, a team or an organisation.
    pub owner: String,
    pub due: String,
    pub status: String,
    /// The Cordon user who owns it, when the owner was picked from the users
    /// (they see it among their tasks and are told of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub owner_user_id: Option<crate::ids::UserId>,
}

/// What kind of meeting: one of four, stored as its snake_case name. A
/// meeting recorded before kinds were a list keeps the free text it was given
/// (`Recorded`), so that every stored payload reads back and writes out to the
/// same bytes; a new or changed meeting must be one of the four (`check_item`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingKind {
    TacticalPlanningGroup,
    StrategicCoordinatingGroup,
    SafetyAdvisoryGroup,
    Other,
    /// Free text recorded before the list existed, kept as written.
    Recorded(String),
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 4] = [
        MeetingKind::TacticalPlanningGroup,
        MeetingKind::StrategicCoordinatingGroup,
        MeetingKind::SafetyAdvisoryGroup,
        MeetingKind::Other,
    ];

    /// The kind in words: "Tactical planning group".
    pub fn words(&self) -> &str {
        match self {
            MeetingKind::TacticalPlanningGroup => "Tactical planning group",
            MeetingKind::StrategicCoordinatingGroup => "Strategic coordinating group",
            MeetingKind::SafetyAdvisoryGroup => "Safety advisory group",
            MeetingKind::Other => "Other",
            MeetingKind::Recorded(text) => text,
        }
    }

    /// The name it is stored and sent as: `tactical_planning_group`.
    pub fn as_str(&self) -> &str {
        match self {
            MeetingKind::TacticalPlanningGroup => "tactical_planning_group",
            MeetingKind::StrategicCoordinatingGroup => "strategic_coordinating_group",
            MeetingKind::SafetyAdvisoryGroup => "safety_advisory_group",
            MeetingKind::Other => "other",
            MeetingKind::Recorded(text) => text,
        }
    }

    /// Whether it is one of the four kinds (not free text from before the list).
    pub fn is_listed(&self) -> bool {
        !matches!(self, MeetingKind::Recorded(_))
    }
}

impl From<&str> for MeetingKind {
    fn from(s: &str) -> Self {
        MeetingKind::ALL.into_iter().find(|k| k.as_str() == s).unwrap_or_else(|| MeetingKind::Recorded(s.to_string()))
    }
}

impl Serialize for MeetingKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MeetingKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(MeetingKind::from(String::deserialize(d)?.as_str()))
    }
}

impl utoipa::PartialSchema for MeetingKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(MeetingKind::ALL.iter().map(|k| k.as_str().to_string())))
            .description(Some("What kind of meeting"))
            .into()
    }
}

impl utoipa::ToSchema for MeetingKind {}

/// A planning meeting and its minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: String,
    pub kind: MeetingKind,
    pub date: String,
    pub attendees: String,
    pub minutes: String,
    #[serde(default)]
    pub actions: Vec<MeetingAction>,
}

/// One item of the plan, tagged by its section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "section", rename_all = "snake_case")]
pub enum PlanItem {
    Tasking(Tasking),
    Intent(Intent),
    ThreatAssessment(ThreatAssessment),
    OperationalFactor(OperationalFactor),
    ReconVisit(ReconVisit),
    /// Why no reconnaissance visit is recorded.
    NoReconReason {
        reason: String,
    },
    RiskAssessment(RiskAssessment),
    Vulnerability(Vulnerability),
    Power(Power),
    Measure(Measure),
    Contingency(Contingency),
    Recommendation(Recommendation),
    Review(Review),
    TacticalPlan(TacticalPlan),
    Stakeholder(Stakeholder),
    Liaison(Liaison),
    Meeting(Meeting),
}

/// The sections, as named in paths and the API.
pub const SECTIONS: &[&str] = &[
    "tasking",
    "intent",
    "threat_assessment",
    "operational_factor",
    "recon_visit",
    "no_recon_reason",
    "risk_assessment",
    "vulnerability",
    "power",
    "measure",
    "contingency",
    "recommendation",
    "review",
    "tactical_plan",
    "stakeholder",
    "liaison",
    "meeting",
];

impl PlanItem {
    /// The actions with an owner and due date that the item records: a
    /// meeting's, or those agreed in liaison.
    pub fn assigned_actions(&self) -> &[MeetingAction] {
        match self {
            PlanItem::Meeting(m) => &m.actions,
            PlanItem::Liaison(l) => &l.assigned,
            _ => &[],
        }
    }

    pub fn section(&self) -> &'static str {
        match self {
            PlanItem::Tasking(_) => "tasking",
            PlanItem::Intent(_) => "intent",
            PlanItem::ThreatAssessment(_) => "threat_assessment",
            PlanItem::OperationalFactor(_) => "operational_factor",
            PlanItem::ReconVisit(_) => "recon_visit",
            PlanItem::NoReconReason { .. } => "no_recon_reason",
            PlanItem::RiskAssessment(_) => "risk_assessment",
            PlanItem::Vulnerability(_) => "vulnerability",
            PlanItem::Power(_) => "power",
            PlanItem::Measure(_) => "measure",
            PlanItem::Contingency(_) => "contingency",
            PlanItem::Recommendation(_) => "recommendation",
            PlanItem::Review(_) => "review",
            PlanItem::TacticalPlan(_) => "tactical_plan",
            PlanItem::Stakeholder(_) => "stakeholder",
            PlanItem::Liaison(_) => "liaison",
            PlanItem::Meeting(_) => "meeting",
        }
    }

    /// The item's id within its section (singletons use the section name).
    pub fn id(&self) -> String {
        match self {
            PlanItem::Tasking(_) | PlanItem::Intent(_) | PlanItem::NoReconReason { .. } => self.section().to_string(),
            PlanItem::ThreatAssessment(x) => x.id.clone(),
            PlanItem::OperationalFactor(x) => x.id.clone(),
            PlanItem::ReconVisit(x) => x.id.clone(),
            PlanItem::RiskAssessment(x) => x.methodology.clone(),
            PlanItem::Vulnerability(x) => x.id.clone(),
            PlanItem::Power(x) => x.id.clone(),
            PlanItem::Measure(x) => x.id.clone(),
            PlanItem::Contingency(x) => x.id.clone(),
            PlanItem::Recommendation(x) => x.id.clone(),
            PlanItem::Review(x) => x.id.clone(),
            PlanItem::TacticalPlan(x) => x.id.clone(),
            PlanItem::Stakeholder(x) => x.id.clone(),
            PlanItem::Liaison(x) => x.id.clone(),
            PlanItem::Meeting(x) => x.id.clone(),
        }
    }
}

/// The whole draft, assembled from its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, Default)]
pub struct Plan {
    pub tasking: Option<Tasking>,
    pub intent: Option<Intent>,
    pub threat_assessments: Vec<ThreatAssessment>,
    pub operational_factors: Vec<OperationalFactor>,
    pub recon_visits: Vec<ReconVisit>,
    pub no_recon_reason: Option<String>,
    pub risk_assessments: Vec<RiskAssessment>,
    pub vulnerabilities: Vec<Vulnerability>,
    pub powers: Vec<Power>,
    pub measures: Vec<Measure>,
    pub contingencies: Vec<Contingency>,
    pub recommendations: Vec<Recommendation>,
    pub reviews: Vec<Review>,
    pub tactical_plans: Vec<TacticalPlan>,
    pub stakeholders: Vec<Stakeholder>,
    pub liaison: Vec<Liaison>,
    pub meetings: Vec<Meeting>,
    /// The items marked above the event, as `section/id` to marking. An item
    /// not listed carries the event's marking (a threat assessment, at least
    /// its own `marking`). Empty, and absent from JSON, when nothing is.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub markings: BTreeMap<String, Marking>,
}

impl Plan {
    /// The key of an item in [`Plan::markings`].
    pub fn marking_key(section: &str, id: &str) -> String {
        format!("{section}/{id}")
    }

    /// An item's marking: its own, never below the event's.
    pub fn marking_of(&self, item: &PlanItem, event: Marking) -> Marking {
        let own = self.markings.get(&Self::marking_key(item.section(), &item.id())).copied().unwrap_or(event);
        let assessed = match item {
            PlanItem::ThreatAssessment(t) => t.marking,
            _ => event,
        };
        own.max(assessed).max(event)
    }

    /// The highest marking of anything in the plan.
    pub fn highest_marking(&self, event: Marking) -> Marking {
        self.items().iter().map(|i| self.marking_of(i, event)).max().unwrap_or(event).max(event)
    }

    /// The plan as a viewer who may read items marked up to `ceiling` sees
    /// it, with the number of items withheld from them.
    pub fn visible_to(&self, event: Marking, ceiling: Marking) -> (Plan, usize) {
        let items = self.items();
        let total = items.len();
        let shown: Vec<PlanItem> = items.into_iter().filter(|i| self.marking_of(i, event) <= ceiling).collect();
        let withheld = total - shown.len();
        if withheld == 0 {
            return (self.clone(), 0);
        }
        let keys: std::collections::BTreeSet<String> =
            shown.iter().map(|i| Self::marking_key(i.section(), &i.id())).collect();
        let mut plan = Plan::from_items(shown);
        plan.markings = self.markings.iter().filter(|(k, _)| keys.contains(*k)).map(|(k, m)| (k.clone(), *m)).collect();
        (plan, withheld)
    }

    /// Whether another item links to this one (a measure treating a
    /// vulnerability or risk, or carried out under a tactical plan; a
    /// contingency for a risk). A linked item cannot be removed.
    pub fn is_linked(&self, section: &str, item_id: &str) -> bool {
        match section {
            "vulnerability" => self.measures.iter().any(|m| m.vulnerabilities.iter().any(|v| v == item_id)),
            "tactical_plan" => self.measures.iter().any(|m| m.tactical_plan.as_deref() == Some(item_id)),
            "risk_assessment" => {
                self.measures.iter().any(|m| m.risks.iter().any(|r| r == item_id))
                    || self.contingencies.iter().any(|c| c.risks.iter().any(|r| r == item_id))
            }
            _ => false,
        }
    }

    /// Builds the plan from items in the order given.
    pub fn from_items(items: impl IntoIterator<Item = PlanItem>) -> Plan {
        let mut p = Plan::default();
        for item in items {
            match item {
                PlanItem::Tasking(x) => p.tasking = Some(x),
                PlanItem::Intent(x) => p.intent = Some(x),
                PlanItem::ThreatAssessment(x) => p.threat_assessments.push(x),
                PlanItem::OperationalFactor(x) => p.operational_factors.push(x),
                PlanItem::ReconVisit(x) => p.recon_visits.push(x),
                PlanItem::NoReconReason { reason } => p.no_recon_reason = Some(reason),
                PlanItem::RiskAssessment(x) => p.risk_assessments.push(x),
                PlanItem::Vulnerability(x) => p.vulnerabilities.push(x),
                PlanItem::Power(x) => p.powers.push(x),
                PlanItem::Measure(x) => p.measures.push(x),
                PlanItem::Contingency(x) => p.contingencies.push(x),
                PlanItem::Recommendation(x) => p.recommendations.push(x),
                PlanItem::Review(x) => p.reviews.push(x),
                PlanItem::TacticalPlan(x) => p.tactical_plans.push(x),
                PlanItem::Stakeholder(x) => p.stakeholders.push(x),
                PlanItem::Liaison(x) => p.liaison.push(x),
                PlanItem::Meeting(x) => p.meetings.push(x),
            }
        }
        p
    }

    /// Every item, in section order.
    pub fn items(&self) -> Vec<PlanItem> {
        let mut v = Vec::new();
        v.extend(self.tasking.clone().map(PlanItem::Tasking));
        v.extend(self.intent.clone().map(PlanItem::Intent));
        v.extend(self.threat_assessments.iter().cloned().map(PlanItem::ThreatAssessment));
        v.extend(self.operational_factors.iter().cloned().map(PlanItem::OperationalFactor));
        v.extend(self.recon_visits.iter().cloned().map(PlanItem::ReconVisit));
        v.extend(self.no_recon_reason.clone().map(|reason| PlanItem::NoReconReason { reason }));
        v.extend(self.risk_assessments.iter().cloned().map(PlanItem::RiskAssessment));
        v.extend(self.vulnerabilities.iter().cloned().map(PlanItem::Vulnerability));
        v.extend(self.powers.iter().cloned().map(PlanItem::Power));
        v.extend(self.measures.iter().cloned().map(PlanItem::Measure));
        v.extend(self.contingencies.iter().cloned().map(PlanItem::Contingency));
        v.extend(self.recommendations.iter().cloned().map(PlanItem::Recommendation));
        v.extend(self.reviews.iter().cloned().map(PlanItem::Review));
        v.extend(self.tactical_plans.iter().cloned().map(PlanItem::TacticalPlan));
        v.extend(self.stakeholders.iter().cloned().map(PlanItem::Stakeholder));
        v.extend(self.liaison.iter().cloned().map(PlanItem::Liaison));
        v.extend(self.meetings.iter().cloned().map(PlanItem::Meeting));
        v
    }

    pub fn assessment(&self, methodology: &str) -> Option<&RiskAssessment> {
        self.risk_assessments.iter().find(|a| a.methodology == methodology)
    }

    pub fn accepted_measures_for(&self, methodology: &str) -> Vec<&Measure> {
        self.measures
            .iter()
            .filter(|m| m.status == MeasureStatus::Accepted && m.risks.iter().any(|r| r == methodology))
            .collect()
    }
}

/// A problem found when checking an item, naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    pub field: String,
    pub message: String,
}

fn err(field: &str, message: impl Into<String>) -> ItemError {
    ItemError { field: field.to_string(), message: message.into() }
}

/// A field as its label reads ("actions[0].owner": "Owner").
fn label(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    let bare = last.split('[').next().unwrap_or(last);
    field_label(bare)
}

fn required(field: &str, s: &str) -> Result<(), ItemError> {
    if s.trim().is_empty() {
        Err(err(field, format!("Enter the {}", label(field).to_lowercase())))
    } else if s.chars().count() > 20_000 {
        Err(err(field, format!("{} must be 20,000 characters or fewer", label(field))))
    } else {
        Ok(())
    }
}

fn date(field: &str, s: &str) -> Result<(), ItemError> {
    if s.trim().is_empty() {
        return Err(err(field, format!("Enter the {}", label(field).to_lowercase())));
    }
    crate::reference::parse_date(s)
        .map(|_| ())
        .map_err(|_| err(field, format!("{} must be a real date, such as 26 April 2027 (2027-04-26)", label(field))))
}

fn in_matrix(field: &str, v: Option<u32>, max: usize) -> Result<(), ItemError> {
    match v {
        Some(x) if x < 1 || x as usize > max => {
            Err(err(field, format!("{} must be between 1 and {max}", label(field))))
        }
        _ => Ok(()),
    }
}

/// What an item may refer to: the catalogue and the plan's own items.
pub struct Context<'a> {
    pub matrix: &'a RiskMatrix,
    pub catalogue: &'a [AttackMethodology],
    pub plan: &'a Plan,
}

impl Context<'_> {
    fn methodology(&self, field: &str, id: &str) -> Result<(), ItemError> {
        if self.catalogue.iter().any(|m| m.id == id) {
            Ok(())
        } else {
            Err(err(field, "Choose attack methodologies from the list"))
        }
    }
    /// A methodology's name, for messages.
    fn name(&self, id: &str) -> String {
        self.catalogue.iter().find(|m| m.id == id).map(|m| m.name.clone()).unwrap_or_else(|| id.to_string())
    }
}

/// Checks an item before it is recorded. Links must point at this plan's own
/// items, so a measure cannot be linked to a risk of another event.
pub fn check_item(item: &PlanItem, cx: &Context) -> Result<(), ItemError> {
    let lmax = cx.matrix.likelihood.len();
    let imax = cx.matrix.impact.len();
    match item {
        PlanItem::Tasking(t) => {
            required("commissioned_by", &t.commissioned_by)?;
            date("commissioned_on", &t.commissioned_on)?;
            required("terms_of_reference", &t.terms_of_reference)
        }
        PlanItem::Intent(i) => {
            required("intent", &i.intent)?;
            if i.objectives.iter().all(|o| o.trim().is_empty()) {
                return Err(err("objectives", "Enter at least one strategic objective"));
            }
            Ok(())
        }
        PlanItem::ThreatAssessment(t) => {
            required("source", &t.source)?;
            date("date", &t.date)?;
            required("summary", &t.summary)
        }
        PlanItem::OperationalFactor(o) => required("description", &o.description),
        PlanItem::ReconVisit(r) => {
            date("date", &r.date)?;
            required("attendees", &r.attendees)?;
            required("findings", &r.findings)
        }
        PlanItem::NoReconReason { reason } => required("reason", reason),
        PlanItem::RiskAssessment(a) => {
            cx.methodology("methodology", &a.methodology)?;
            if !a.applicable {
                return required("not_applicable_reason", &a.not_applicable_reason);
            }
            if a.likelihood.is_none() {
                return Err(err("likelihood", "Choose the likelihood: the methodology applies to this event"));
            }
            if a.impact.is_none() {
                return Err(err("impact", "Choose the impact: the methodology applies to this event"));
            }
            in_matrix("likelihood", a.likelihood, lmax)?;
            in_matrix("impact", a.impact, imax)?;
            in_matrix("residual_likelihood", a.residual_likelihood, lmax)?;
            in_matrix("residual_impact", a.residual_impact, imax)?;
            if a.residual_likelihood.is_some() != a.residual_impact.is_some() {
                return Err(err(
                    "residual_impact",
                    "Choose both the residual likelihood and the residual impact, or neither",
                ));
            }
            Ok(())
        }
        PlanItem::Vulnerability(v) => {
            if v.location.trim().is_empty() {
                return Err(err("location", "Enter where the vulnerability is"));
            }
            required("location", &v.location)?;
            required("description", &v.description)?;
            if !(1..=5).contains(&v.severity) {
                return Err(err("severity", "Severity must be between 1 and 5"));
            }
            for m in &v.methodologies {
                cx.methodology("methodologies", m)?;
            }
            Ok(())
        }
        PlanItem::Power(p) => {
            required("title", &p.title)?;
            required("reference", &p.reference)
        }
        PlanItem::Measure(m) => {
            required("title", &m.title)?;
            if m.risks.is_empty() {
                return Err(err("risks", "Choose at least one risk the measure treats"));
            }
            for r in &m.risks {
                cx.methodology("risks", r)?;
                if cx.plan.assessment(r).is_none() {
                    return Err(err("risks", format!("Assess {} before linking to it", cx.name(r))));
                }
            }
            for v in &m.vulnerabilities {
                if !cx.plan.vulnerabilities.iter().any(|x| &x.id == v) {
                    return Err(err("vulnerabilities", "Choose vulnerabilities from this plan's list"));
                }
            }
            if let Some(tp) = &m.tactical_plan {
                if !cx.plan.tactical_plans.iter().any(|x| &x.id == tp) {
                    return Err(err("tactical_plan", "Choose a tactical plan from this plan's register"));
                }
            }
            if m.status == MeasureStatus::Declined && m.decline_reason.is_none() {
                return Err(err(
                    "decline_reason",
                    "Say why the measure was declined: for resources, or for another reason",
                ));
            }
            if m.status == MeasureStatus::Declined {
                required("rationale", &m.rationale)?;
            }
            Ok(())
        }
        PlanItem::Contingency(c) => {
            if c.risks.is_empty() {
                return Err(err("risks", "Choose at least one residual risk the contingency plan manages"));
            }
            for r in &c.risks {
                cx.methodology("risks", r)?;
                if cx.plan.assessment(r).is_none() {
                    return Err(err("risks", format!("Assess {} before linking to it", cx.name(r))));
                }
            }
            required("trigger", &c.trigger)?;
            required("actions", &c.actions)?;
            required("owner", &c.owner)
        }
        PlanItem::Recommendation(r) => {
            required("text", &r.text)?;
            for m in &r.risks {
                cx.methodology("risks", m)?;
            }
            Ok(())
        }
        PlanItem::Review(r) => {
            date("date", &r.date)?;
            required("by", &r.by)
        }
        PlanItem::TacticalPlan(t) => {
            required("owner", &t.owner)?;
            required("version", &t.version)?;
            date("received_on", &t.received_on)
        }
        PlanItem::Stakeholder(s) => {
            required("name", &s.name)?;
            required("organisation", &s.organisation)
        }
        PlanItem::Liaison(l) => {
            date("date", &l.date)?;
            required("with", &l.with)?;
            required("summary", &l.summary)?;
            for (i, a) in l.assigned.iter().enumerate() {
                required(&format!("assigned[{i}].text"), &a.text)?;
                required(&format!("assigned[{i}].owner"), &a.owner)?;
                date(&format!("assigned[{i}].due"), &a.due)?;
            }
            Ok(())
        }
        PlanItem::Meeting(m) => {
            if !m.kind.is_listed() {
                return Err(err("kind", "Choose the kind of meeting"));
            }
            date("date", &m.date)?;
            for (i, a) in m.actions.iter().enumerate() {
                required(&format!("actions[{i}].text"), &a.text)?;
                required(&format!("actions[{i}].owner"), &a.owner)?;
                date(&format!("actions[{i}].due"), &a.due)?;
            }
            Ok(())
        }
    }
}

/// Ratings for one methodology, computed from the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiskRow {
    pub methodology: String,
    pub name: String,
    pub applicable: Option<bool>,
    pub inherent: Option<Rating>,
    pub residual: Option<Rating>,
    pub accepted_measures: usize,
    pub at_or_above_tolerance: bool,
    pub residual_at_or_above_tolerance: bool,
    /// Recommendations or measures declined for resources that address this risk.
    pub declined_for_resources: Vec<String>,
}

/// Every methodology in the catalogue with its ratings in this plan.
pub fn risk_rows(plan: &Plan, cx: &Context) -> Vec<RiskRow> {
    let tol = cx.matrix.tolerance_rank();
    cx.catalogue
        .iter()
        .map(|m| {
            let a = plan.assessment(&m.id);
            let inherent = a.filter(|a| a.applicable).and_then(|a| match (a.likelihood, a.impact) {
                (Some(l), Some(i)) => cx.matrix.rate(l, i).ok(),
                _ => None,
            });
            // Residual: as recorded once a measure is accepted; with no accepted
            // measure (say all were declined for resources) the inherent rating stands.
            let accepted = plan.accepted_measures_for(&m.id).len();
            let residual = a
                .filter(|a| a.applicable && accepted > 0)
                .and_then(|a| match (a.residual_likelihood, a.residual_impact) {
                    (Some(l), Some(i)) => cx.matrix.rate(l, i).ok(),
                    _ => None,
                })
                .or_else(|| inherent.clone());
            let rank = |r: &Option<Rating>| r.as_ref().and_then(|r| cx.matrix.band_rank(&r.band));
            let mut declined = Vec::new();
            for x in &plan.measures {
                if x.status == MeasureStatus::Declined
                    && x.decline_reason == Some(DeclineReason::Resources)
                    && x.risks.contains(&m.id)
                {
                    declined.push(format!("Measure: {}", x.title));
                }
            }
            for x in &plan.recommendations {
                if x.status == RecommendationStatus::DeclinedResources && x.risks.contains(&m.id) {
                    declined.push(format!("Recommendation: {}", x.text));
                }
            }
            RiskRow {
                methodology: m.id.clone(),
                name: m.name.clone(),
                applicable: a.map(|a| a.applicable),
                at_or_above_tolerance: rank(&inherent).is_some_and(|r| r >= tol),
                residual_at_or_above_tolerance: rank(&residual).is_some_and(|r| r >= tol),
                inherent,
                residual,
                accepted_measures: accepted,
                declined_for_resources: declined,
            }
        })
        .collect()
}

pub use crate::rules::Problem;

fn problem(rule: &'static str, message: impl Into<String>, path: impl Into<String>) -> Problem {
    Problem { rule, message: message.into(), path: path.into() }
}

/// The readiness gate: everything that stops the plan being issued.
pub fn readiness(plan: &Plan, cx: &Context) -> Vec<Problem> {
    let mut out = Vec::new();
    if plan.tasking.is_none() {
        out.push(problem("tasking", "Record who tasked the plan, when, and the terms of reference", "/plan/tasking"));
    }
    if plan.intent.is_none() {
        out.push(problem("intent", "Record the commander's intent and strategic objectives", "/plan/intent"));
    }
    if plan.threat_assessments.is_empty() {
        out.push(problem("threat_assessment", "Record at least one threat assessment", "/plan/threat_assessments"));
    }
    for row in risk_rows(plan, cx) {
        let path = format!("/plan/risk_assessments/{}", row.methodology);
        let a = plan.assessment(&row.methodology);
        match a {
            None => out.push(problem(
                "methodology_assessed",
                format!("Assess {} or mark it not applicable with a reason", row.name),
                path.clone(),
            )),
            Some(a) if !a.applicable && a.not_applicable_reason.trim().is_empty() => out.push(problem(
                "methodology_assessed",
                format!("Give a reason why {} does not apply", row.name),
                path.clone(),
            )),
            Some(a) if a.applicable && row.inherent.is_none() => out.push(problem(
                "methodology_assessed",
                format!("Rate the likelihood and impact of {}", row.name),
                path.clone(),
            )),
            _ => {}
        }
        if row.at_or_above_tolerance
            && row.accepted_measures == 0
            && a.is_none_or(|a| a.no_measure_rationale.trim().is_empty())
        {
            out.push(problem(
                "risk_treated",
                format!(
                    "{} is rated {} (at or above tolerance): accept at least one measure, or record why none",
                    row.name,
                    row.inherent.as_ref().map(|r| r.band.as_str()).unwrap_or("")
                ),
                path.clone(),
            ));
        }
        if row.residual_at_or_above_tolerance && !plan.contingencies.iter().any(|c| c.risks.contains(&row.methodology))
        {
            out.push(problem(
                "residual_contingency",
                format!("The residual risk of {} is at or above tolerance: add a contingency plan", row.name),
                "/plan/contingencies".to_string(),
            ));
        }
        if a.is_some_and(|a| a.needs_review) {
            out.push(problem(
                "copied_for_review",
                format!("Review the assessment of {} copied from an earlier plan", row.name),
                path,
            ));
        }
    }
    for r in &plan.recommendations {
        if r.proportionality_rationale.trim().is_empty() {
            out.push(problem(
                "recommendation_rationale",
                format!("Give the proportionality rationale for the recommendation {:?}", r.text),
                format!("/plan/recommendations/{}", r.id),
            ));
        }
    }
    for t in &plan.tactical_plans {
        if t.reviewed_by.trim().is_empty() {
            out.push(problem(
                "tactical_plan_reviewed",
                format!("Review the {} plan from {} and record who reviewed it", tactical_words(t.kind), t.owner),
                format!("/plan/tactical_plans/{}", t.id),
            ));
        }
    }
    if plan.recon_visits.is_empty() && plan.no_recon_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        out.push(problem(
            "reconnaissance",
            "Record at least one venue reconnaissance visit, or why there was none",
            "/plan/recon_visits",
        ));
    }
    for t in &plan.threat_assessments {
        if t.needs_review {
            out.push(problem(
                "copied_for_review",
                format!("Review the threat assessment from {} copied from an earlier plan", t.source),
                format!("/plan/threat_assessments/{}", t.id),
            ));
        }
    }
    out
}

/// The kind of a tactical plan in words (see [`TacticalPlanKind::words`]).
pub fn tactical_words(k: TacticalPlanKind) -> &'static str {
    k.words()
}

/// Coverage: each applicable methodology against the tactical plans and
/// measures that address it; `gap` marks one rated at or above tolerance with
/// no accepted measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CoverageRow {
    pub methodology: String,
    pub name: String,
    pub band: Option<String>,
    pub accepted_measures: Vec<String>,
    pub tactical_plans: Vec<String>,
    pub gap: bool,
}

pub fn coverage(plan: &Plan, cx: &Context) -> Vec<CoverageRow> {
    risk_rows(plan, cx)
        .into_iter()
        .filter(|r| r.applicable == Some(true))
        .map(|r| {
            let measures = plan.accepted_measures_for(&r.methodology);
            let mut plans: Vec<String> = measures
                .iter()
                .filter_map(|m| m.tactical_plan.as_ref())
                .filter_map(|id| plan.tactical_plans.iter().find(|t| &t.id == id))
                .map(|t| format!("{} ({})", tactical_words(t.kind), t.owner))
                .collect();
            plans.sort();
            plans.dedup();
            CoverageRow {
                gap: r.at_or_above_tolerance && measures.is_empty(),
                band: r.inherent.as_ref().map(|x| x.band.clone()),
                accepted_measures: measures.iter().map(|m| m.title.clone()).collect(),
                tactical_plans: plans,
                methodology: r.methodology,
                name: r.name,
            }
        })
        .collect()
}

/// Readiness problems, found on the whole plan, as a viewer who sees only
/// `shown` may read them: a problem about a withheld item says so without
/// quoting it.
pub fn problems_for(problems: Vec<Problem>, full: &Plan, shown: &Plan) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|p| {
            let hidden = |prefix: &str, visible: &dyn Fn(&str) -> bool, exists: &dyn Fn(&str) -> bool| {
                p.path.strip_prefix(prefix).is_some_and(|id| exists(id) && !visible(id))
            };
            let withheld =
                hidden("/plan/recommendations/", &|id| shown.recommendations.iter().any(|r| r.id == id), &|id| {
                    full.recommendations.iter().any(|r| r.id == id)
                }) || hidden("/plan/tactical_plans/", &|id| shown.tactical_plans.iter().any(|t| t.id == id), &|id| {
                    full.tactical_plans.iter().any(|t| t.id == id)
                }) || hidden("/plan/risk_assessments/", &|id| shown.assessment(id).is_some(), &|id| {
                    full.assessment(id).is_some()
                });
            if withheld {
                Problem {
                    rule: p.rule,
                    message: "An item marked above what you may read needs attention; someone who may read it must \
                              act"
                    .into(),
                    path: String::new(),
                }
            } else {
                p
            }
        })
        .collect()
}

/// Coverage, found on the whole plan, as a viewer who sees only `shown` may
/// read it: withheld measures and tactical plans are counted, not named.
pub fn coverage_for(rows: Vec<CoverageRow>, full: &Plan, shown: &Plan) -> Vec<CoverageRow> {
    if full == shown {
        return rows;
    }
    rows.into_iter()
        .map(|mut r| {
            let all = full.accepted_measures_for(&r.methodology);
            let visible: Vec<&Measure> =
                all.iter().copied().filter(|m| shown.measures.iter().any(|s| s.id == m.id)).collect();
            let withheld = all.len() - visible.len();
            r.accepted_measures = visible.iter().map(|m| m.title.clone()).collect();
            if withheld > 0 {
                r.accepted_measures.push(format!("{withheld} withheld (marked above what you may read)"));
            }
            let mut plans: Vec<String> = visible
                .iter()
                .filter_map(|m| m.tactical_plan.as_ref())
                .filter_map(|id| shown.tactical_plans.iter().find(|t| &t.id == id))
                .map(|t| format!("{} ({})", tactical_words(t.kind), t.owner))
                .collect();
            plans.sort();
            plans.dedup();
            r.tactical_plans = plans;
            r
        })
        .collect()
}

/// The highest marking of what an issued snapshot holds: its event's
/// marking, or higher where an item is marked higher.
pub fn snapshot_marking(snapshot: &Value) -> Marking {
    let event: Marking = snapshot["marking"].as_str().and_then(|m| m.parse().ok()).unwrap_or(Marking::Official);
    serde_json::from_value::<Plan>(snapshot["plan"].clone()).map(|p| p.highest_marking(event)).unwrap_or(event)
}

/// The canonical JSON of an issued snapshot: keys sorted (serde_json's map is
/// ordered), no insignificant whitespace. The same value always gives the same bytes.
pub fn canonical_json(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), sort(v))).collect::<Map<_, _>>()),
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            x => x.clone(),
        }
    }
    serde_json::to_string(&sort(v)).expect("JSON values serialise")
}

pub fn sha256_hex(s: &str) -> String {
    sha256_hex_bytes(s.as_bytes())
}

/// The SHA-256 of bytes, in lower-case hexadecimal.
pub fn sha256_hex_bytes(b: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(b))
}

/// One difference between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Change {
    /// Where, such as `plan/measures/m1/status` (for programs: ids appear here only).
    pub path: String,
    /// In words, such as `Measures › Hostile vehicle barriers › Decision`.
    pub label: String,
    /// The value before and after, in words (names, UK dates, labels).
    pub before: Option<String>,
    pub after: Option<String>,
    /// For a changed text of several words: the words kept, removed and added, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<WordChange>,
}

/// A run of words in a changed text: kept, removed or added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WordChange {
    /// `kept`, `removed` or `added`.
    pub change: &'static str,
    pub text: String,
}

/// The words for an item of a snapshot: its title, name or the like.
pub(crate) fn item_name(x: &Value) -> Option<String> {
    if let Some(kind) = x.get("kind").and_then(Value::as_str) {
        // Tactical plans and meetings are named by their kind (and a meeting by its date).
        let words = words_for("kind", kind);
        return Some(match x.get("date").and_then(Value::as_str) {
            Some(d) => format!("{words}, {}", crate::documents::date_words(d)),
            None => words,
        });
    }
    ["title", "name", "source", "text", "location", "trigger", "description", "date"]
        .iter()
        .find_map(|k| x.get(*k).and_then(Value::as_str))
        .map(|s| if s.len() == 10 { crate::documents::date_words(s) } else { s.to_string() })
}

/// Names for the ids in two snapshots: items by id, methodologies by id (from
/// the risk rows), people by user id, so that a difference reads in words.
fn names_of(v: &Value, names: &mut HashMap<String, String>) {
    match v {
        Value::Object(m) => {
            if let (Some(id), Some(name)) = (m.get("id").and_then(Value::as_str), item_name(v)) {
                names.entry(id.to_string()).or_insert_with(|| name.chars().take(60).collect());
            }
            if let (Some(id), Some(name)) =
                (m.get("methodology").and_then(Value::as_str), m.get("name").and_then(Value::as_str))
            {
                names.entry(id.to_string()).or_insert_with(|| name.to_string());
            }
            if let Some(Value::Object(people)) = m.get("people") {
                for (id, name) in people {
                    if let Some(name) = name.as_str() {
                        names.entry(id.clone()).or_insert_with(|| name.to_string());
                    }
                }
            }
            m.values().for_each(|x| names_of(x, names));
        }
        Value::Array(a) => a.iter().for_each(|x| names_of(x, names)),
        _ => {}
    }
}

/// A field's label, as the forms and documents call it.
fn field_label(key: &str) -> String {
    let known = match key {
        "plan" => "Plan",
        "event" => "Event",
        "risks" => "Risk ratings",
        "risk_matrix" => "Risk matrix",
        "marking" => "Protective marking",
        "markings" => "Item markings",
        "gold_user_id" => "Strategic commander (Gold)",
        "silver_user_id" => "Tactical commander (Silver)",
        "starts_at" => "Starts",
        "ends_at" => "Ends",
        "expected_attendance" => "Expected attendance",
        "organisation" => "Lead organisation",
        "tasking" => "Tasking",
        "commissioned_by" => "Commissioned by",
        "commissioned_on" => "Commissioned on",
        "terms_of_reference" => "Terms of reference",
        "intent" => "Commander's intent",
        "objectives" => "Strategic objectives",
        "threat_assessments" => "Threat assessments",
        "national_threat_level" => "National threat level",
        "operational_factors" => "Operational factors",
        "recon_visits" => "Reconnaissance visits",
        "no_recon_reason" => "Reason for no reconnaissance",
        "areas" => "Areas visited",
        "risk_assessments" => "Risk assessments",
        "applicable" => "Applies",
        "not_applicable_reason" => "Why it does not apply",
        "likelihood" => "Likelihood",
        "impact" => "Impact",
        "residual_likelihood" => "Residual likelihood",
        "residual_impact" => "Residual impact",
        "no_measure_rationale" => "Why no measure is accepted",
        "needs_review" => "Needs review",
        "inherent" => "Inherent risk",
        "residual" => "Residual risk",
        "band" => "Rating",
        "score" => "Score",
        "accepted_measures" => "Accepted measures",
        "at_or_above_tolerance" => "At or above tolerance",
        "residual_at_or_above_tolerance" => "Residual at or above tolerance",
        "declined_for_resources" => "Declined for resources",
        "vulnerabilities" => "Vulnerabilities",
        "location" => "Where",
        "methodologies" => "Attack methodologies",
        "severity" => "Severity",
        "powers" => "Powers and policy",
        "reference" => "Reference",
        "measures" => "Measures",
        "from_library" => "From the library",
        "tactical_plan" => "Tactical plan",
        "status" => "Decision",
        "decline_reason" => "Reason declined",
        "rationale" => "Rationale",
        "contingencies" => "Contingencies",
        "trigger" => "Trigger",
        "actions" => "Actions",
        "owner" => "Owner",
        "recommendations" => "Recommendations",
        "text" => "Text",
        "priority" => "Priority",
        "proportionality_rationale" => "Proportionality",
        "reviews" => "Reviews",
        "by" => "By",
        "tactical_plans" => "Tactical plans",
        "received_on" => "Received",
        "reviewed_by" => "Reviewed by",
        "stakeholders" => "Stakeholders",
        "liaison" => "Liaison",
        "with" => "With",
        "agreed" => "Agreed",
        "meetings" => "Meetings",
        "attendees" => "Attendees",
        "minutes" => "Minutes",
        "due" => "Due",
        "attachments" => "Attachments",
        "content_type" => "Type",
        "size" => "Size",
        "sha256" => "SHA-256",
        "venues" => "Venues",
        "address" => "Address",
        "kind" => "Kind",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let mut words = key.replace('_', " ");
    if let Some(first) = words.get(0..1) {
        words.replace_range(0..1, &first.to_uppercase());
    }
    words
}

/// A stored value in words: enumerations by their labels, dates and times as
/// people in the UK write them, true and false as Yes and No.
fn words_for(key: &str, v: &str) -> String {
    let known = match (key, v) {
        (_, "declined_resources") => "Declined for resources: risk remains as residual risk",
        (_, "declined_other") => "Declined",
        ("decline_reason", "resources") => "Resources",
        ("decline_reason", "other") => "Other",
        ("kind", k) => {
            if let Ok(t) = serde_json::from_value::<TacticalPlanKind>(Value::String(k.into())) {
                return t.title();
            }
            if let Ok(e) = serde_json::from_value::<crate::planned_event::EventKind>(Value::String(k.into())) {
                return e.words().to_string();
            }
            return MeetingKind::from(k).words().to_string();
        }
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    if v.len() == 10 && v.as_bytes().get(4) == Some(&b'-') {
        return crate::documents::date_words(v);
    }
    if v.len() > 18 && v.as_bytes().get(10) == Some(&b'T') {
        return crate::london::display_stored(v);
    }
    if matches!(key, "status" | "priority") && v.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        let mut w = v.replace('_', " ");
        if let Some(first) = w.get(0..1) {
            w.replace_range(0..1, &first.to_uppercase());
        }
        return w;
    }
    v.to_string()
}

/// Fields that are derived from others or only say how the snapshot is kept.
fn is_internal(key: &str) -> bool {
    matches!(key, "id" | "people" | "bands" | "redacted" | "withheld" | "methodology")
}

fn flatten(
    prefix: &str,
    label: &str,
    key: &str,
    v: &Value,
    names: &HashMap<String, String>,
    out: &mut BTreeMap<String, (String, String)>,
) {
    let word = |s: &str| names.get(s).cloned().unwrap_or_else(|| words_for(key, s));
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter().filter(|(k, _)| !is_internal(k)) {
                // Item markings are keyed `section/id`: name the item.
                let name = if key == "markings" {
                    k.split_once('/').map(|(_, id)| word(id)).unwrap_or_else(|| k.clone())
                } else if key == "intent" && k == "intent" {
                    "Intent".to_string()
                } else {
                    field_label(k)
                };
                flatten(&format!("{prefix}/{k}"), &format!("{label} › {name}"), k, x, names, out);
            }
        }
        // Arrays of items with ids are keyed by id so that reordering is not a change.
        Value::Array(a)
            if !a.is_empty()
                && a.iter().all(|x| {
                    x.get("id").and_then(Value::as_str).is_some()
                        || x.get("methodology").and_then(Value::as_str).is_some()
                }) =>
        {
            for x in a {
                let id = x.get("id").or_else(|| x.get("methodology")).and_then(Value::as_str).unwrap_or("");
                let name = names.get(id).cloned().or_else(|| item_name(x)).unwrap_or_else(|| "An item".into());
                let name: String = name.chars().take(60).collect();
                flatten(&format!("{prefix}/{id}"), &format!("{label} › {name}"), key, x, names, out);
            }
        }
        Value::Array(a) => {
            let text: Vec<String> = a
                .iter()
                .map(|x| match x {
                    Value::String(s) => word(s),
                    Value::Object(o) => {
                        // A venue, a meeting action: its values in order.
                        o.iter()
                            .filter(|(k, _)| !is_internal(k))
                            .filter_map(|(k, v)| v.as_str().map(|s| words_for(k, s)))
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                    other => other.to_string(),
                })
                .collect();
            out.insert(prefix.to_string(), (label.to_string(), text.join("; ")));
        }
        Value::Null => {}
        Value::String(s) => {
            out.insert(prefix.to_string(), (label.to_string(), word(s)));
        }
        Value::Bool(b) => {
            out.insert(prefix.to_string(), (label.to_string(), if *b { "Yes" } else { "No" }.to_string()));
        }
        Value::Number(n) if key == "expected_attendance" => {
            let words = n.as_i64().map(crate::documents::thousands).unwrap_or_else(|| n.to_string());
            out.insert(prefix.to_string(), (label.to_string(), words));
        }
        x => {
            out.insert(prefix.to_string(), (label.to_string(), x.to_string()));
        }
    }
}

/// The words kept, removed and added between two texts, when both have
/// several words (a short value reads better as before and after).
fn word_changes(before: &str, after: &str) -> Vec<WordChange> {
    if before.split_whitespace().count() < 4 && after.split_whitespace().count() < 4 {
        return Vec::new();
    }
    let diff = similar::TextDiff::configure().diff_words(before, after);
    let mut out: Vec<WordChange> = Vec::new();
    for c in diff.iter_all_changes() {
        let change = match c.tag() {
            similar::ChangeTag::Equal => "kept",
            similar::ChangeTag::Delete => "removed",
            similar::ChangeTag::Insert => "added",
        };
        match out.last_mut() {
            Some(last) if last.change == change => last.text.push_str(c.value()),
            _ => out.push(WordChange { change, text: c.value().to_string() }),
        }
    }
    out
}

/// A field-by-field difference between two snapshots, in words. Items are
/// keyed by id (so reordering is not a change) and named; fields carry their
/// labels; values that are ids of items, methodologies or people are shown
/// by name, dates as people write them; ids themselves are never shown.
pub fn diff(a: &Value, b: &Value) -> Vec<Change> {
    let mut names = HashMap::new();
    names_of(b, &mut names);
    names_of(a, &mut names);
    let mut fa = BTreeMap::new();
    let mut fb = BTreeMap::new();
    flatten("", "", "", a, &names, &mut fa);
    flatten("", "", "", b, &names, &mut fb);
    let mut keys: Vec<&String> = fa.keys().chain(fb.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let before = fa.get(k);
            let after = fb.get(k);
            if before.map(|x| &x.1) == after.map(|x| &x.1) {
                return None;
            }
            let label = after.or(before).map(|x| x.0.trim_start_matches(" › ").to_string()).unwrap_or_default();
            let words = match (before, after) {
                (Some(x), Some(y)) => word_changes(&x.1, &y.1),
                _ => Vec::new(),
            };
            Some(Change {
                path: k.trim_start_matches('/').to_string(),
                label,
                before: before.map(|x| x.1.clone()),
                after: after.map(|x| x.1.clone()),
                words,
            })
        })
        .collect()
}

/// Copies a plan as the start of another event's plan: dates, assessments and
/// ratings are marked for review; reconnaissance, reviews and meetings are
/// specific to the earlier event and are not copied.
pub fn copy_for_new_event(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    p.recon_visits.clear();
    p.no_recon_reason = None;
    p.reviews.clear();
    p.meetings.clear();
    p.liaison.clear();
    p.tasking = None;
    for t in &mut p.threat_assessments {
        t.needs_review = true;
    }
    for a in &mut p.risk_assessments {
        a.needs_review = true;
    }
    for t in &mut p.tactical_plans {
        t.reviewed_by.clear();
    }
    p
}

#[cfg(test)]
mod tests;

/// The journal events of the CT protective security plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PlanEvent {
    /// An item of the draft plan was added or changed.
    PlanItemSaved {
        event_id: EventId,
        item: PlanItem,
        /// The item's own marking, when above the event's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        marking: Option<Marking>,
    },
    PlanItemRemoved {
        event_id: EventId,
        section: String,
        item_id: String,
        /// Why, as the person removing it said.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
    },
    /// The draft was issued as an immutable, numbered, hashed snapshot.
    PlanIssued { event_id: EventId, number: i64, reason: String, body: String, hash: String },
    /// The strategic commander endorsed an issued version.
    PlanEndorsed { event_id: EventId, number: i64, conditions: String },
}

crate::capability_event!(PlanEvent, |e| match e {
    PlanEvent::PlanItemSaved { event_id, .. }
    | PlanEvent::PlanItemRemoved { event_id, .. }
    | PlanEvent::PlanIssued { event_id, .. }
    | PlanEvent::PlanEndorsed { event_id, .. } => format!("plan/{event_id}"),
});

/// What an issued version records of its event.
pub struct SnapshotEvent<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: crate::planned_event::EventKind,
    pub starts_at: &'a str,
    pub ends_at: &'a str,
    pub venues: &'a [crate::planned_event::Venue],
    pub expected_attendance: i64,
    /// The owning organisation's name.
    pub organisation: &'a str,
    pub gold_user_id: Option<&'a str>,
    pub silver_user_id: Option<&'a str>,
}

/// An issued version: its canonical JSON (sorted keys, no whitespace) and the
/// SHA-256 of that text. The same inputs always give the same bytes.
#[allow(clippy::too_many_arguments)]
pub fn version_snapshot(
    number: i64,
    reason: &str,
    issued_by: (&str, &str),
    marking: Marking,
    event: &SnapshotEvent,
    matrix: &RiskMatrix,
    plan: &Plan,
    risks: &[RiskRow],
    people: &BTreeMap<String, String>,
) -> (String, String) {
    let snapshot = serde_json::json!({
        "version": number,
        "reason": reason,
        "issued_by": {"id": issued_by.0, "name": issued_by.1},
        "marking": marking,
        "event": {
            "id": event.id, "name": event.name, "kind": event.kind, "starts_at": event.starts_at,
            "ends_at": event.ends_at, "venues": event.venues, "expected_attendance": event.expected_attendance,
            "organisation": event.organisation, "gold_user_id": event.gold_user_id,
            "silver_user_id": event.silver_user_id,
        },
        "risk_matrix": {
            "name": matrix.name, "tolerance": matrix.tolerance,
            "bands": matrix.bands.iter().map(|b| b.label.as_str()).collect::<Vec<_>>(),
        },
        "plan": plan,
        "risks": risks,
        "people": people,
    });
    let body = canonical_json(&snapshot);
    let hash = sha256_hex(&body);
    (body, hash)
}

/// Changing the draft plan (items, attachments, reviews, copying from another plan).
pub const CHANGE: crate::access::Action = crate::access::Action {
    name: "plan.change",
    what: "change the draft plan: add, change and remove items, attach files, copy from another plan",
    roles: Some(crate::access::CHANGE_ROLES),
    needs_team: true,
};

/// Issuing the draft as a numbered, hashed version.
pub const ISSUE: crate::access::Action = crate::access::Action {
    name: "plan.issue",
    what: "issue the draft as a numbered, hashed version",
    roles: Some(&[crate::identity::Role::SecurityCoordinator, crate::identity::Role::SecurityAdviser]),
    needs_team: true,
};

/// Endorsing an issued version (the event's named Gold only).
pub const ENDORSE: crate::access::Action = crate::access::Action {
    name: "plan.endorse",
    what: "endorse an issued version, as the event's named strategic commander",
    roles: Some(&[crate::identity::Role::StrategicCommander]),
    needs_team: true,
};

/// The plan capability's actions.
pub const ACTIONS: &[crate::access::Action] = &[CHANGE, ISSUE, ENDORSE];
