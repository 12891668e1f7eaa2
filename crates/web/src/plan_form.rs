//! The plan's forms, declared once. Each section's fields are listed here,
//! with their names, labels and how they are asked for, and that list is the
//! only one: it draws the section's form on its own page (adding to a list, the
//! section held once, an item being changed), fills it in (from the item, or as typed after an error), names the
//! fields in error messages, and is what [`item_from_form`] reads. Choices are
//! offered from the domain's enums.

use crate::forms::{field, fields, Fields};
use crate::pages::FormErrors;
use cordon_domain::plan::*;
use cordon_domain::risk::RiskMatrix;
use cordon_domain::Marking;
use cordon_store::plan::PlanView;
use serde::Serialize;

/// How a field is asked for.
pub(crate) enum Kind {
    Text,
    Area,
    Date,
    /// One of the choices.
    Select(Choices),
    /// Any of the choices.
    Checks(Choices),
    /// Carried by the form, not shown: which item it changes.
    Hidden,
}

/// Where a field's choices come from.
#[derive(Clone, Copy)]
pub(crate) enum Choices {
    Marking,
    /// 1 (minor) to 5 (severe).
    Severity,
    /// A measure's status and, when declined, why.
    MeasureStatus,
    Priority,
    RecommendationStatus,
    TacticalPlanKind,
    MeetingKind,
    /// Every methodology of the catalogue.
    Methodologies,
    /// The methodologies assessed in this plan.
    AssessedRisks,
    /// The plan's vulnerabilities.
    Vulnerabilities,
    /// None, or a tactical plan of the register.
    TacticalPlans,
    /// Whether a methodology applies.
    Applicable,
    /// Not rated, or a likelihood of the matrix.
    Likelihood,
    /// Not rated, or an impact of the matrix.
    Impact,
    /// One box to tick, saying this.
    Confirm(&'static str),
    /// No one, or a member of the event's team.
    TeamMembers,
}

/// One field of a form.
pub(crate) struct Spec {
    /// Its name in the posted form.
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    /// What a new form holds.
    default: &'static str,
    /// The end of its element id on the plan page (after the form's prefix);
    /// its name, with hyphens, unless given.
    id: Option<&'static str>,
    /// Kept in the item and filled in from it; a field that is not (such as
    /// "add an action") acts each time it is sent and is then empty again.
    stored: bool,
    /// Offered when changing an item, not when adding one.
    change_only: bool,
    /// Set out beside the field before it, in a row.
    beside: bool,
}

impl Spec {
    fn new(name: &'static str, label: &'static str, kind: Kind) -> Self {
        Spec { name, label, kind, default: "", id: None, stored: true, change_only: false, beside: false }
    }
    fn default(mut self, value: &'static str) -> Self {
        self.default = value;
        self
    }
    fn id(mut self, id: &'static str) -> Self {
        self.id = Some(id);
        self
    }
    fn once(mut self) -> Self {
        self.stored = false;
        self
    }
    fn change_only(mut self) -> Self {
        self.change_only = true;
        self
    }
    fn beside(mut self) -> Self {
        self.beside = true;
        self
    }
}

fn text(name: &'static str, label: &'static str) -> Spec {
    Spec::new(name, label, Kind::Text)
}
fn area(name: &'static str, label: &'static str) -> Spec {
    Spec::new(name, label, Kind::Area)
}
fn date(name: &'static str, label: &'static str) -> Spec {
    Spec::new(name, label, Kind::Date)
}
fn select(name: &'static str, label: &'static str, c: Choices) -> Spec {
    Spec::new(name, label, Kind::Select(c))
}
fn checks(name: &'static str, label: &'static str, c: Choices) -> Spec {
    Spec::new(name, label, Kind::Checks(c))
}
fn hidden(name: &'static str) -> Spec {
    Spec::new(name, "", Kind::Hidden)
}

/// The form of one section of the plan.
pub(crate) struct Form {
    pub section: &'static str,
    /// "a threat assessment": what adding one adds.
    pub noun: &'static str,
    /// What the button of a section held once (or once per methodology) says.
    pub button: &'static str,
    /// Whether the section is a list whose items have pages of their own;
    /// the tasking, the intent, the no-visit reason and each methodology's
    /// assessment are held once and saved whole from their section's page.
    pub own_page: bool,
    pub fields: Vec<Spec>,
}

/// The form of `section`; `None` for a section that does not exist.
pub(crate) fn form(section: &str) -> Option<Form> {
    use Choices as C;
    let section = *SECTIONS.iter().find(|s| **s == section)?;
    let form = match section {
        "tasking" => held_once(
            "the tasking",
            "Save tasking",
            vec![
                text("commissioned_by", "Commissioned by"),
                date("commissioned_on", "Commissioned on"),
                area("terms_of_reference", "Terms of reference"),
            ],
        ),
        "intent" => held_once(
            "the commander's intent",
            "Save intent",
            vec![area("intent", "Intent"), area("objectives", "Strategic objectives, one per line")],
        ),
        "threat_assessment" => item(
            "a threat assessment",
            "Add threat assessment",
            vec![
                text("source", "Source"),
                date("date", "Date of the assessment"),
                area("summary", "Summary"),
                select("marking", "Marking", C::Marking).default("OFFICIAL-SENSITIVE"),
            ],
        ),
        "operational_factor" => {
            item("an event or operational factor", "Add factor", vec![area("description", "Event or factor")])
        }
        "recon_visit" => item(
            "a reconnaissance visit",
            "Add visit",
            vec![
                date("date", "Date of the visit"),
                text("attendees", "Who attended"),
                text("areas", "Areas visited"),
                area("findings", "Findings"),
            ],
        ),
        "no_recon_reason" => held_once(
            "why no visit is possible",
            "Record the reason",
            vec![text("reason", "Or: why no visit is possible").id("none")],
        ),
        "risk_assessment" => held_once(
            "an assessment",
            "Save assessment",
            vec![
                hidden("methodology"),
                select("applicable", "Applies to this event?", C::Applicable).default("yes"),
                text("not_applicable_reason", "If not, why not").id("reason"),
                select("likelihood", "Likelihood", C::Likelihood).id("l"),
                select("impact", "Impact", C::Impact).id("i").beside(),
                select("residual_likelihood", "Residual likelihood", C::Likelihood).id("rl").beside(),
                select("residual_impact", "Residual impact", C::Impact).id("ri").beside(),
                text("no_measure_rationale", "If no measure will be accepted: why").id("none"),
            ],
        ),
        "vulnerability" => item(
            "a vulnerability",
            "Add vulnerability",
            vec![
                text("location", "Where"),
                area("description", "What"),
                checks("methodologies", "Methodologies it affects", C::Methodologies),
                select("severity", "Severity (1 minor to 5 severe)", C::Severity).default("3"),
            ],
        ),
        "power" => item(
            "a power or policy",
            "Add power or policy",
            vec![text("title", "Power or policy"), text("reference", "Reference"), text("notes", "Notes")],
        ),
        "measure" => item(
            "a measure",
            "Add measure",
            vec![
                text("title", "Measure"),
                checks("risks", "Risks it treats", C::AssessedRisks),
                checks("vulnerabilities", "Vulnerabilities it addresses", C::Vulnerabilities),
                select("tactical_plan", "Delivered by tactical plan", C::TacticalPlans).id("tp"),
                select("status", "Status", C::MeasureStatus),
                text("rationale", "Rationale"),
            ],
        ),
        "contingency" => item(
            "a contingency plan",
            "Add contingency plan",
            vec![
                checks("risks", "Residual risks it manages", C::AssessedRisks),
                text("trigger", "Trigger"),
                area("actions", "Actions"),
                text("owner", "Owner"),
            ],
        ),
        "recommendation" => item(
            "a recommendation",
            "Add recommendation",
            vec![
                area("text", "Recommendation"),
                select("priority", "Priority", C::Priority).default("medium"),
                checks("risks", "Risks it addresses", C::AssessedRisks),
                area("proportionality_rationale", "Proportionality rationale").id("rationale"),
                select("status", "Status", C::RecommendationStatus),
            ],
        ),
        "review" => item(
            "a review",
            "Add review",
            vec![date("date", "Date"), text("by", "Reviewed by"), text("notes", "Notes")],
        ),
        "tactical_plan" => item(
            "a tactical plan",
            "Add tactical plan",
            vec![
                select("kind", "Kind", C::TacticalPlanKind),
                text("owner", "Owner"),
                text("version", "Version"),
                date("received_on", "Received on").id("received"),
                text("reviewed_by", "Reviewed by").change_only(),
                checks(
                    "mark_reviewed",
                    "Review",
                    C::Confirm("I have reviewed it against this plan: record me as the reviewer"),
                )
                .once()
                .change_only(),
                text("notes", "Notes"),
            ],
        ),
        "stakeholder" => item(
            "a stakeholder",
            "Add stakeholder",
            vec![
                text("name", "Name"),
                text("organisation", "Organisation").id("org").beside(),
                text("role", "Role").beside(),
            ],
        ),
        "liaison" => item(
            "an entry in the liaison log",
            "Add to the log",
            vec![
                date("date", "Date"),
                text("with", "With"),
                area("summary", "Summary"),
                text("agreed", "What was agreed"),
                text("actions", "Actions"),
            ]
            .into_iter()
            .chain(new_action("Add an action with an owner and a due date (optional)"))
            .collect(),
        ),
        "meeting" => item(
            "a planning meeting",
            "Add meeting",
            vec![
                select("kind", "Meeting", C::MeetingKind),
                date("date", "Date"),
                text("attendees", "Attendees"),
                area("minutes", "Minutes"),
            ]
            .into_iter()
            .chain(new_action("Add an action (optional)"))
            .collect(),
        ),
        _ => return None,
    };
    Some(Form { section, ..form })
}

/// The fields that add one action with an owner and a due date (a meeting's
/// or a liaison entry's), asked for each time and then empty again.
fn new_action(label: &'static str) -> [Spec; 4] {
    [
        text("action_text", label).id("action").once(),
        text("action_owner", "Action owner").id("owner").once(),
        select(
            "action_owner_user",
            "Action owner in Cordon (told of it, and sees it among their tasks)",
            Choices::TeamMembers,
        )
        .id("owner_user_id")
        .once(),
        date("action_due", "Action due").id("due").once(),
    ]
}

/// The form of a list section, whose items have pages of their own.
fn item(noun: &'static str, button: &'static str, fields: Vec<Spec>) -> Form {
    Form { section: "", noun, button, own_page: true, fields }
}

/// The form of a section the plan holds one of (or one per methodology).
fn held_once(noun: &'static str, button: &'static str, fields: Vec<Spec>) -> Form {
    Form { own_page: false, ..item(noun, button, fields) }
}

/// Whether items of `section` have a page of their own: the list sections.
pub(crate) fn own_page(section: &str) -> bool {
    form(section).is_some_and(|f| f.own_page)
}

// ----- Choices ---------------------------------------------------------------

/// What choices are made from: the plan and its catalogue and matrix.
pub(crate) struct Cx<'a> {
    pub plan: &'a Plan,
    pub risks: &'a [RiskRow],
    pub matrix: &'a RiskMatrix,
    /// The event's marking (an item's lowest) and the highest the viewer may
    /// read (an item's highest, as they may mark it).
    pub event_marking: Marking,
    pub ceiling: Marking,
    /// The event's team, who actions can be assigned to.
    pub team: &'a [(cordon_domain::ids::UserId, String)],
}

impl<'a> From<&'a PlanView> for Cx<'a> {
    fn from(v: &'a PlanView) -> Self {
        Cx {
            plan: &v.plan,
            risks: &v.risks,
            matrix: &v.matrix,
            event_marking: v.event.marking,
            ceiling: v.ceiling,
            team: &v.team,
        }
    }
}

/// The name an item's own marking is posted as (a threat assessment's
/// marking is one of its fields, `marking`).
pub(crate) const ITEM_MARKING: &str = "item_marking";

/// The item's own marking, drawn as the last row of its form: the event's
/// marking (the default) or higher, up to what the viewer may read. None for
/// a threat assessment, whose marking is a field of its own.
pub(crate) fn marking_row(
    section: &str,
    cx: &Cx,
    prefix: Option<&str>,
    values: &Fields,
    errors: &FormErrors,
) -> Option<Vec<FieldView>> {
    if section == "threat_assessment" {
        return None;
    }
    let chosen = Some(field(values, ITEM_MARKING)).filter(|v| !v.is_empty()).unwrap_or(cx.event_marking.to_string());
    let options = Marking::ALL
        .iter()
        .filter(|m| **m >= cx.event_marking && **m <= cx.ceiling.max(cx.event_marking))
        .map(|m| {
            let label = if *m == cx.event_marking { format!("{m} (the event's marking)") } else { m.to_string() };
            (m.to_string(), label, m.as_str() == chosen)
        })
        .collect();
    let id = match prefix {
        Some(p) => format!("{p}-item-marking"),
        None => ITEM_MARKING.to_string(),
    };
    let error = errors.get(ITEM_MARKING).unwrap_or_default().to_string();
    let described_by = if error.is_empty() { String::new() } else { format!("{id}-error") };
    Some(vec![FieldView {
        id,
        name: ITEM_MARKING,
        label: "Marking of this item",
        kind: "select",
        value: chosen,
        options,
        error,
        described_by,
        date_parts: Default::default(),
    }])
}

/// The item's own marking as posted: none (keep it, or the event's), or a marking.
pub(crate) fn posted_marking(section: &str, f: &Fields) -> Result<Option<Marking>, (String, String)> {
    if section == "threat_assessment" {
        return Ok(None);
    }
    match field(f, ITEM_MARKING).as_str() {
        "" => Ok(None),
        m => m
            .parse::<Marking>()
            .map(Some)
            .map_err(|_| (ITEM_MARKING.to_string(), "Choose the marking of this item from the list".to_string())),
    }
}

/// One choice: its value, its label, and whether it is offered (one that is
/// not is shown only while it is chosen, so that saving does not drop it).
struct Choice {
    value: String,
    label: String,
    offered: bool,
}

fn choice(value: impl Into<String>, label: impl Into<String>) -> Choice {
    Choice { value: value.into(), label: label.into(), offered: true }
}

/// The name a value of a domain enum is stored and posted as.
fn name_of<T: Serialize>(v: T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

/// The value of `all` posted as `s`.
fn one_of<T: Serialize + Copy>(all: &[T], s: &str) -> Option<T> {
    all.iter().copied().find(|v| name_of(*v) == s)
}

pub(crate) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn choices(c: Choices, cx: &Cx) -> Vec<Choice> {
    let rated = |labels: &[String]| {
        std::iter::once(choice("", "Not rated"))
            .chain(labels.iter().enumerate().map(|(i, l)| choice((i + 1).to_string(), format!("{} {l}", i + 1))))
            .collect()
    };
    match c {
        // From the event's marking up to what the viewer may read.
        Choices::Marking => Marking::ALL
            .iter()
            .map(|m| Choice {
                offered: *m >= cx.event_marking && *m <= cx.ceiling.max(cx.event_marking),
                ..choice(m.as_str(), m.as_str())
            })
            .collect(),
        Choices::Severity => (1..=5).map(|n| choice(n.to_string(), n.to_string())).collect(),
        Choices::MeasureStatus => MeasureStatus::ALL
            .iter()
            .flat_map(|s| match s {
                MeasureStatus::Declined => DeclineReason::ALL
                    .iter()
                    .map(|r| choice(measure_status_value(*s, Some(*r)), format!("{}: {}", s.words(), r.words())))
                    .collect(),
                _ => vec![choice(name_of(s), s.words())],
            })
            .collect(),
        Choices::Priority => Priority::ALL.iter().map(|p| choice(name_of(p), p.words())).collect(),
        Choices::RecommendationStatus => {
            RecommendationStatus::ALL.iter().map(|s| choice(name_of(s), s.words())).collect()
        }
        Choices::TacticalPlanKind => {
            TacticalPlanKind::ALL.iter().map(|k| choice(name_of(k), capitalised(k.words()))).collect()
        }
        Choices::MeetingKind => MeetingKind::ALL.iter().map(|k| choice(name_of(k), k.words())).collect(),
        Choices::TeamMembers => std::iter::once(choice("", "No one in Cordon (the owner above is outside it)"))
            .chain(cx.team.iter().map(|(id, name)| choice(id.as_str(), name.as_str())))
            .collect(),
        Choices::Methodologies => cx.risks.iter().map(|r| choice(&r.methodology, &r.name)).collect(),
        Choices::AssessedRisks => cx
            .risks
            .iter()
            .map(|r| Choice {
                offered: cx.plan.assessment(&r.methodology).is_some(),
                ..choice(&r.methodology, &r.name)
            })
            .collect(),
        Choices::Vulnerabilities => cx.plan.vulnerabilities.iter().map(|v| choice(&v.id, &v.location)).collect(),
        Choices::TacticalPlans => std::iter::once(choice("", "None"))
            .chain(cx.plan.tactical_plans.iter().map(|t| choice(&t.id, format!("{} ({})", t.kind.words(), t.owner))))
            .collect(),
        Choices::Applicable => vec![choice("yes", "Yes"), choice("no", "No")],
        Choices::Likelihood => rated(&cx.matrix.likelihood),
        Choices::Impact => rated(&cx.matrix.impact),
        Choices::Confirm(label) => vec![choice("1", label)],
    }
}

/// A measure's status as its form posts it: `declined_resources` and the like.
fn measure_status_value(s: MeasureStatus, r: Option<DeclineReason>) -> String {
    match s {
        MeasureStatus::Declined => format!("{}_{}", name_of(s), name_of(r.unwrap_or(DeclineReason::Other))),
        _ => name_of(s),
    }
}

fn measure_status(posted: &str) -> (MeasureStatus, Option<DeclineReason>) {
    let declined = format!("{}_", name_of(MeasureStatus::Declined));
    match posted.strip_prefix(&declined).and_then(|r| one_of(&DeclineReason::ALL, r)) {
        Some(r) => (MeasureStatus::Declined, Some(r)),
        None => (one_of(&MeasureStatus::ALL, posted).unwrap_or(MeasureStatus::Proposed), None),
    }
}

// ----- Reading a posted form -------------------------------------------------

/// The fields posted with a section's form, read only by the names its form
/// declares (and the item's `id`, which the address or the plan page gives).
struct Posted<'a> {
    form: &'a Form,
    f: &'a Fields,
}

impl Posted<'_> {
    fn spec(&self, name: &str) -> Option<&Spec> {
        self.form.fields.iter().find(|s| s.name == name)
    }
    fn declared(&self, name: &str) {
        debug_assert!(self.spec(name).is_some(), "{}: {name} is read but not declared", self.form.section);
    }
    fn one(&self, name: &str) -> String {
        self.declared(name);
        field(self.f, name)
    }
    fn all(&self, name: &str) -> Vec<String> {
        self.declared(name);
        fields(self.f, name)
    }
    fn label(&self, name: &str) -> &'static str {
        self.spec(name).map(|s| s.label).unwrap_or("")
    }
    /// A whole number, or none when empty.
    fn num(&self, name: &str) -> Result<Option<u32>, (String, String)> {
        let v = self.one(name);
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<u32>()
            .map(Some)
            .map_err(|_| (name.to_string(), format!("{} must be a whole number", self.label(name))))
    }
    /// The action added with the form (a meeting's or liaison's), if any.
    fn new_action(&self) -> Result<Vec<MeetingAction>, (String, String)> {
        let action = self.one("action_text");
        if action.is_empty() {
            return Ok(vec![]);
        }
        let owner_user_id = match self.one("action_owner_user") {
            s if s.is_empty() => None,
            s => Some(s.parse().map_err(|_| {
                ("action_owner_user".to_string(), "Choose the action's owner from the team".to_string())
            })?),
        };
        Ok(vec![MeetingAction {
            text: action,
            owner: self.one("action_owner"),
            due: self.one("action_due"),
            status: "open".into(),
            owner_user_id,
        }])
    }
    /// The item's id: the one posted, or a new one.
    fn id(&self) -> String {
        Some(field(self.f, "id")).filter(|s| !s.is_empty()).unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
    }
}

/// A plan's date (YYYY-MM-DD) as the UK writes it, "26 April 2027"; anything
/// else as it is.
pub(crate) fn uk_date(d: &str) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(d.trim(), &fmt).map(cordon_domain::london::display_date).unwrap_or_else(|_| d.to_string())
}

/// The form's dates as the domain holds them (YYYY-MM-DD): each date field
/// sent as the GOV.UK date input (`{name}-day`, `-month`, `-year`) is read
/// into `{name}`, a problem named against the field in words; a date sent
/// whole (as by scripts) is kept as it is.
fn join_dates(form: &Form, f: &Fields) -> Result<Fields, (String, String)> {
    let mut out = f.clone();
    for s in form.fields.iter().filter(|s| matches!(s.kind, Kind::Date)) {
        let parts = ["day", "month", "year"].map(|p| format!("{}-{p}", s.name));
        if !parts.iter().any(|p| f.iter().any(|(k, _)| k == p)) {
            continue;
        }
        let empty = parts.iter().all(|p| field(f, p).is_empty());
        let value = if empty {
            String::new()
        } else {
            let label = s.label.trim_start_matches("Date of the ").trim_start_matches("Date");
            let label = if label.is_empty() { "The" } else { label };
            crate::dates::read_date(f, s.name, &capitalised(label.trim()))
                .map_err(|p| (s.name.to_string(), date_words(s.label, &p.message)))?
                .to_string()
        };
        out.retain(|(k, _)| k != s.name && !parts.contains(k));
        out.push((s.name.to_string(), value));
    }
    Ok(out)
}

/// A date problem in words that name the field by its label.
fn date_words(label: &str, message: &str) -> String {
    // read_date says "X date must …"; the label already says which date.
    match message.split_once(" must ") {
        Some((_, rest)) => format!("{label} must {rest}"),
        None => format!("Enter the {}", label.to_lowercase()),
    }
}

/// Builds an item of `section` from its posted form, reading the fields its
/// form declares. `user_name` is who sends it: ticking "I have reviewed it"
/// records them as a tactical plan's reviewer.
pub(crate) fn item_from_form(section: &str, f: &Fields, user_name: &str) -> Result<PlanItem, (String, String)> {
    let Some(form) = form(section) else { return Err(("section".into(), "no such section".into())) };
    let joined = join_dates(&form, f)?;
    let p = Posted { form: &form, f: &joined };
    let bad = |field: &str, m: &str| (field.to_string(), m.to_string());
    Ok(match section {
        "tasking" => PlanItem::Tasking(Tasking {
            commissioned_by: p.one("commissioned_by"),
            commissioned_on: p.one("commissioned_on"),
            terms_of_reference: p.one("terms_of_reference"),
        }),
        "intent" => PlanItem::Intent(Intent {
            intent: p.one("intent"),
            objectives: p
                .one("objectives")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
        }),
        "threat_assessment" => PlanItem::ThreatAssessment(ThreatAssessment {
            id: p.id(),
            source: p.one("source"),
            date: p.one("date"),
            summary: p.one("summary"),
            marking: p.one("marking").parse().map_err(|_| bad("marking", "choose a marking"))?,
            national_threat_level: None,
            needs_review: false,
        }),
        "operational_factor" => {
            PlanItem::OperationalFactor(OperationalFactor { id: p.id(), description: p.one("description") })
        }
        "recon_visit" => PlanItem::ReconVisit(ReconVisit {
            id: p.id(),
            date: p.one("date"),
            attendees: p.one("attendees"),
            areas: p.one("areas"),
            findings: p.one("findings"),
            attachments: vec![],
            needs_review: false,
        }),
        "no_recon_reason" => PlanItem::NoReconReason { reason: p.one("reason") },
        "risk_assessment" => {
            let applicable = p.one("applicable") != "no";
            let rating = |name: &str| if applicable { p.num(name) } else { Ok(None) };
            PlanItem::RiskAssessment(RiskAssessment {
                methodology: p.one("methodology"),
                applicable,
                not_applicable_reason: p.one("not_applicable_reason"),
                likelihood: rating("likelihood")?,
                impact: rating("impact")?,
                residual_likelihood: rating("residual_likelihood")?,
                residual_impact: rating("residual_impact")?,
                no_measure_rationale: p.one("no_measure_rationale"),
                needs_review: false,
            })
        }
        "vulnerability" => PlanItem::Vulnerability(Vulnerability {
            id: p.id(),
            location: p.one("location"),
            description: p.one("description"),
            methodologies: p.all("methodologies"),
            severity: p.num("severity")?.unwrap_or(0),
        }),
        "power" => PlanItem::Power(Power {
            id: p.id(),
            title: p.one("title"),
            reference: p.one("reference"),
            notes: p.one("notes"),
        }),
        "measure" => {
            let (status, decline_reason) = measure_status(&p.one("status"));
            PlanItem::Measure(Measure {
                id: p.id(),
                title: p.one("title"),
                // Kept from the item when it is changed (see `plan_item::merge`).
                from_library: false,
                risks: p.all("risks"),
                vulnerabilities: p.all("vulnerabilities"),
                tactical_plan: Some(p.one("tactical_plan")).filter(|s| !s.is_empty()),
                status,
                decline_reason,
                rationale: p.one("rationale"),
            })
        }
        "contingency" => PlanItem::Contingency(Contingency {
            id: p.id(),
            risks: p.all("risks"),
            trigger: p.one("trigger"),
            actions: p.one("actions"),
            owner: p.one("owner"),
        }),
        "recommendation" => PlanItem::Recommendation(Recommendation {
            id: p.id(),
            text: p.one("text"),
            priority: one_of(&Priority::ALL, &p.one("priority")).unwrap_or(Priority::Medium),
            risks: p.all("risks"),
            proportionality_rationale: p.one("proportionality_rationale"),
            status: one_of(&RecommendationStatus::ALL, &p.one("status")).unwrap_or(RecommendationStatus::Open),
        }),
        "review" => {
            PlanItem::Review(Review { id: p.id(), date: p.one("date"), by: p.one("by"), notes: p.one("notes") })
        }
        "tactical_plan" => PlanItem::TacticalPlan(TacticalPlan {
            id: p.id(),
            kind: one_of(&TacticalPlanKind::ALL, &p.one("kind"))
                .ok_or_else(|| bad("kind", "choose the kind of plan"))?,
            owner: p.one("owner"),
            version: p.one("version"),
            received_on: p.one("received_on"),
            reviewed_by: if p.one("mark_reviewed") == "1" { user_name.to_string() } else { p.one("reviewed_by") },
            notes: p.one("notes"),
        }),
        "stakeholder" => PlanItem::Stakeholder(Stakeholder {
            id: p.id(),
            name: p.one("name"),
            organisation: p.one("organisation"),
            role: p.one("role"),
        }),
        "liaison" => PlanItem::Liaison(Liaison {
            id: p.id(),
            date: p.one("date"),
            with: p.one("with"),
            summary: p.one("summary"),
            agreed: p.one("agreed"),
            actions: p.one("actions"),
            assigned: p.new_action()?,
        }),
        "meeting" => {
            let actions = p.new_action()?;
            PlanItem::Meeting(Meeting {
                id: p.id(),
                kind: MeetingKind::ALL
                    .into_iter()
                    .find(|k| k.as_str() == p.one("kind"))
                    .ok_or_else(|| bad("kind", "choose the kind of meeting"))?,
                date: p.one("date"),
                attendees: p.one("attendees"),
                minutes: p.one("minutes"),
                actions,
            })
        }
        _ => return Err(bad("section", "no such section")),
    })
}

/// An item's values under the names its form uses: what changing it starts from.
/// An item's values with its own marking, when it has one above the event's.
pub(crate) fn values_with_marking(item: &PlanItem, plan: &Plan) -> Fields {
    let mut f = values(item);
    if let Some(m) = plan.markings.get(&Plan::marking_key(item.section(), &item.id())) {
        f.push((ITEM_MARKING.to_string(), m.to_string()));
    }
    f
}

pub(crate) fn values(item: &PlanItem) -> Fields {
    let mut f: Fields = Vec::new();
    let mut put = |k: &str, v: &str| f.push((k.to_string(), v.to_string()));
    let n = |v: Option<u32>| v.map(|x| x.to_string()).unwrap_or_default();
    match item {
        PlanItem::Tasking(t) => {
            put("commissioned_by", &t.commissioned_by);
            put("commissioned_on", &t.commissioned_on);
            put("terms_of_reference", &t.terms_of_reference);
        }
        PlanItem::Intent(i) => {
            put("intent", &i.intent);
            put("objectives", &i.objectives.join("\n"));
        }
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
        PlanItem::NoReconReason { reason } => put("reason", reason),
        PlanItem::RiskAssessment(a) => {
            put("methodology", &a.methodology);
            put("applicable", if a.applicable { "yes" } else { "no" });
            put("not_applicable_reason", &a.not_applicable_reason);
            put("likelihood", &n(a.likelihood));
            put("impact", &n(a.impact));
            put("residual_likelihood", &n(a.residual_likelihood));
            put("residual_impact", &n(a.residual_impact));
            put("no_measure_rationale", &a.no_measure_rationale);
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
            put("status", &measure_status_value(m.status, m.decline_reason));
            put("rationale", &m.rationale);
        }
        PlanItem::Contingency(c) => {
            c.risks.iter().for_each(|r| put("risks", r));
            put("trigger", &c.trigger);
            put("actions", &c.actions);
            put("owner", &c.owner);
        }
        PlanItem::Recommendation(r) => {
            put("text", &r.text);
            put("priority", &name_of(r.priority));
            r.risks.iter().for_each(|m| put("risks", m));
            put("proportionality_rationale", &r.proportionality_rationale);
            put("status", &name_of(r.status));
        }
        PlanItem::Review(r) => {
            put("date", &r.date);
            put("by", &r.by);
            put("notes", &r.notes);
        }
        PlanItem::TacticalPlan(t) => {
            put("kind", &name_of(t.kind));
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
            put("kind", m.kind.as_str());
            put("date", &m.date);
            put("attendees", &m.attendees);
            put("minutes", &m.minutes);
        }
    }
    f
}

// ----- Errors ----------------------------------------------------------------

/// The field of `section`'s form that an error about `field` of its item
/// belongs to: most are the same; a meeting's new action and a measure's
/// decline reason are asked for under other names.
fn form_field(section: &str, field: &str) -> String {
    match (section, field) {
        (s, "marking") if s != "threat_assessment" => ITEM_MARKING.into(),
        ("measure", "decline_reason") => "status".into(),
        ("meeting", f) if f.starts_with("actions[") => {
            f.rsplit_once('.').map(|(_, part)| format!("action_{part}")).unwrap_or_else(|| f.to_string())
        }
        ("liaison", f) if f.starts_with("assigned[") => {
            f.rsplit_once('.').map(|(_, part)| format!("action_{part}")).unwrap_or_else(|| f.to_string())
        }
        _ => field.to_string(),
    }
}

/// An error about `field` of an item of `section`, as its form shows it: the
/// form's field it belongs to, and the message naming it by its label
/// ("Date of the visit must be a date ..." rather than "date must be ...").
/// `None` when the form has no such field.
pub(crate) fn worded(section: &str, field: &str, message: &str) -> Option<(String, String)> {
    let form = form(section)?;
    let name = form_field(section, field);
    if name == ITEM_MARKING {
        return Some((name, capitalised(message)));
    }
    let spec = form.fields.iter().find(|s| s.name == name && !matches!(s.kind, Kind::Hidden))?;
    let message = [field, name.as_str()]
        .iter()
        .find_map(|n| message.strip_prefix(n).filter(|rest| rest.starts_with(' ')))
        .map(|rest| format!("{}{rest}", spec.label))
        .unwrap_or_else(|| message.to_string());
    Some((name, message))
}

/// Every error of a form of `section` in its form's words (others unchanged).
pub(crate) fn worded_errors(section: &str, errors: FormErrors) -> FormErrors {
    FormErrors(errors.0.into_iter().map(|(f, m)| worded(section, &f, &m).unwrap_or((f, m))).collect())
}

// ----- Drawing a form --------------------------------------------------------

/// A field as the templates draw it.
pub struct FieldView {
    pub id: String,
    pub name: &'static str,
    pub label: &'static str,
    /// "text", "area", "date", "select", "checks" or "hidden".
    pub kind: &'static str,
    pub value: String,
    /// (value, label, chosen)
    pub options: Vec<(String, String, bool)>,
    pub error: String,
    /// The ids of what describes it: the date hint, its error.
    pub described_by: String,
    /// A date's day, month and year boxes, as typed or from its value.
    pub date_parts: [String; 3],
}

/// What a form is drawn for.
pub(crate) struct Draw<'a> {
    /// Adding an item (or saving a section's only one) rather than changing it.
    pub adding: bool,
    /// The start of the element ids, where several forms share a page; on an
    /// item's own page the ids are the field names.
    pub prefix: Option<&'a str>,
    /// Its values: an item's, or as typed. A field with none holds its default.
    pub values: &'a Fields,
    pub errors: &'a FormErrors,
}

/// The fields of `form`, filled in, in rows.
pub(crate) fn field_rows(form: &Form, cx: &Cx, d: &Draw) -> Vec<Vec<FieldView>> {
    let mut rows: Vec<Vec<FieldView>> = Vec::new();
    for s in form.fields.iter().filter(|s| !(d.adding && s.change_only)) {
        let given: Vec<&str> = d.values.iter().filter(|(k, _)| k == s.name).map(|(_, v)| v.as_str()).collect();
        let value = if given.is_empty() { s.default.to_string() } else { field(d.values, s.name) };
        let (kind, options) = match &s.kind {
            Kind::Text => ("text", vec![]),
            Kind::Area => ("area", vec![]),
            Kind::Date => ("date", vec![]),
            Kind::Hidden => ("hidden", vec![]),
            Kind::Select(c) => ("select", choices(*c, cx)),
            Kind::Checks(c) => ("checks", choices(*c, cx)),
        };
        let chosen = |v: &str| if kind == "select" { v == value } else { given.contains(&v) };
        let options: Vec<(String, String, bool)> = options
            .into_iter()
            .filter(|c| c.offered || chosen(&c.value))
            .map(|c| {
                let on = chosen(&c.value);
                (c.value, c.label, on)
            })
            .collect();
        if matches!(kind, "select" | "checks") && options.is_empty() {
            continue;
        }
        let id = match d.prefix {
            Some(p) => format!("{p}-{}", s.id.map(String::from).unwrap_or_else(|| s.name.replace('_', "-"))),
            None => s.name.to_string(),
        };
        let error = d.errors.get(s.name).unwrap_or_default().to_string();
        let described_by =
            [(kind == "date").then(|| format!("{id}-hint")), (!error.is_empty()).then(|| format!("{id}-error"))]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
        let date_parts = if kind == "date" { date_parts(d.values, s.name, &value) } else { Default::default() };
        let view =
            FieldView { id, name: s.name, label: s.label, kind, value, options, error, described_by, date_parts };
        match rows.last_mut() {
            Some(row) if s.beside => row.push(view),
            _ => rows.push(vec![view]),
        }
    }
    rows
}

/// A date's three boxes: as typed (`{name}-day` …), or split from its value
/// (YYYY-MM-DD; anything else goes in the day box to be corrected).
fn date_parts(values: &Fields, name: &str, value: &str) -> [String; 3] {
    let typed = ["day", "month", "year"].map(|p| format!("{name}-{p}"));
    if typed.iter().any(|p| values.iter().any(|(k, _)| k == p)) {
        return typed.map(|p| field(values, &p));
    }
    let mut it = value.trim().splitn(3, '-');
    match (it.next(), it.next(), it.next()) {
        (Some(y), Some(m), Some(d)) if [y, m, d].iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) => {
            let strip = |p: &str| p.trim_start_matches('0').to_string();
            [strip(d), strip(m), y.to_string()]
        }
        _ => [value.to_string(), String::new(), String::new()],
    }
}

/// A line of the plan page's list of problems, for an error about `field`
/// of `section`'s form (when a form of the page was sent) or of the page.
pub(crate) fn summary_line(section: Option<&str>, field: &str, message: &str) -> String {
    match section.and_then(|s| Some((form(s)?, worded(s, field, message)?))) {
        Some((form, (name, worded))) => {
            let label = form.fields.iter().find(|s| s.name == name).map(|s| s.label).unwrap_or_default();
            if worded.starts_with(label) {
                worded
            } else {
                format!("{label}: {worded}")
            }
        }
        None if field == "form" || field == "readiness" => message.to_string(),
        None => {
            // The plan page's own boxes, by their labels; never a field's name.
            let label = match field {
                "gold_email" => "Strategic commander (Gold)",
                "silver_email" => "Tactical commander (Silver)",
                "reason" => "Reason",
                "source_event_id" => "Earlier event",
                "file" => "Attachment",
                _ => return capitalised(message),
            };
            format!("{label}: {message}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cordon_domain::reference::default_risk_matrix;

    fn row(id: &str, name: &str) -> RiskRow {
        RiskRow {
            methodology: id.into(),
            name: name.into(),
            applicable: Some(true),
            inherent: None,
            residual: None,
            accepted_measures: 0,
            at_or_above_tolerance: false,
            residual_at_or_above_tolerance: false,
            declined_for_resources: vec![],
        }
    }

    /// A plan with something to choose in every list: two assessed
    /// methodologies, a vulnerability and a tactical plan.
    fn plan() -> Plan {
        let assessed = |m: &str| {
            PlanItem::RiskAssessment(RiskAssessment {
                methodology: m.into(),
                applicable: true,
                not_applicable_reason: String::new(),
                likelihood: Some(2),
                impact: Some(2),
                residual_likelihood: None,
                residual_impact: None,
                no_measure_rationale: String::new(),
                needs_review: false,
            })
        };
        Plan::from_items(vec![
            assessed("vaw"),
            assessed("drone"),
            PlanItem::Vulnerability(Vulnerability {
                id: "v1".into(),
                location: "Gate A".into(),
                description: "Open".into(),
                methodologies: vec![],
                severity: 3,
            }),
            PlanItem::TacticalPlan(TacticalPlan {
                id: "tp1".into(),
                kind: TacticalPlanKind::Traffic,
                owner: "Roads Policing".into(),
                version: "1".into(),
                received_on: "2027-03-01".into(),
                reviewed_by: String::new(),
                notes: String::new(),
            }),
        ])
    }

    /// Each declared field filled in: text with a value of its own, a select
    /// with its `pick`th choice, checkboxes all ticked (or none, `pick` > 0).
    fn filled(form: &Form, cx: &Cx, specs: impl Fn(&Spec) -> bool, pick: impl Fn(&str) -> usize) -> Fields {
        let mut f = Fields::new();
        for s in form.fields.iter().filter(|s| specs(s)) {
            let n = pick(s.name);
            match &s.kind {
                Kind::Text | Kind::Area | Kind::Date | Kind::Hidden => {
                    f.push((s.name.into(), format!("{}-{}-{n}", form.section, s.name)))
                }
                Kind::Select(c) => {
                    let all = choices(*c, cx);
                    assert!(all.len() > 1, "{}.{}: offer more than one choice", form.section, s.name);
                    f.push((s.name.into(), all[n].value.clone()));
                }
                Kind::Checks(c) if n == 0 => {
                    let all = choices(*c, cx);
                    assert!(!all.is_empty(), "{}.{}: offer a choice", form.section, s.name);
                    f.extend(all.into_iter().filter(|c| c.offered).map(|c| (s.name.to_string(), c.value)));
                }
                Kind::Checks(_) => {}
            }
        }
        f
    }

    fn sorted(mut f: Fields) -> Fields {
        f.sort();
        f
    }

    /// For every section: every field its form declares is read by the
    /// parser, and stored fields read back from the item under the same
    /// names; the parser reads no other field (it asserts so in debug builds).
    #[test]
    fn every_declared_field_is_read_and_every_field_read_is_declared() {
        let (plan, matrix) = (plan(), default_risk_matrix().unwrap());
        let risks = vec![row("vaw", "Vehicle as a weapon"), row("drone", "Drone"), row("fire", "Arson")];
        let team = vec![
            ("u-gold".parse().unwrap(), "Alex Morgan, Force".to_string()),
            ("u-silver".parse().unwrap(), "Sam Patel, Force".to_string()),
        ];
        let cx = Cx {
            plan: &plan,
            risks: &risks,
            matrix: &matrix,
            event_marking: Marking::Official,
            ceiling: Marking::Secret,
            team: &team,
        };
        // Each item is parsed with the same id, so that only the fields differ.
        let parse = |section: &str, mut f: Fields| {
            f.push(("id".into(), "item-1".into()));
            item_from_form(section, &f, "Reviewer")
        };
        for section in SECTIONS {
            let form = form(section).unwrap_or_else(|| panic!("{section} has a form"));
            // Round trip: what is stored comes back as it was sent.
            let sent = filled(&form, &cx, |s| s.stored, |_| 0);
            let item = parse(section, sent.clone()).unwrap_or_else(|e| panic!("{section}: {e:?}"));
            assert_eq!(item.section(), *section);
            assert_eq!(sorted(values(&item)), sorted(sent), "{section}: values(item_from_form(form))");
            // Every field, stored or not, changes the item when it changes.
            // (A box that acts, such as "I have reviewed it", is left unticked
            // while another field changes, as it would override it.)
            let acts =
                |n: &str| form.fields.iter().any(|s| s.name == n && !s.stored && matches!(s.kind, Kind::Checks(_)));
            for s in &form.fields {
                let pick = |changed: bool| move |n: &str| usize::from(if n == s.name { changed } else { acts(n) });
                let (before, after) =
                    (filled(&form, &cx, |_| true, pick(false)), filled(&form, &cx, |_| true, pick(true)));
                assert_ne!(before, after, "{section}.{}", s.name);
                assert_ne!(
                    parse(section, before),
                    parse(section, after),
                    "{section}.{}: the parser does not read it",
                    s.name
                );
            }
        }
    }

    #[test]
    fn choices_come_from_the_domain_enums() {
        let (plan, matrix) = (plan(), default_risk_matrix().unwrap());
        let cx = Cx {
            plan: &plan,
            risks: &[],
            matrix: &matrix,
            event_marking: Marking::Official,
            ceiling: Marking::Secret,
            team: &[],
        };
        let labels = |c| choices(c, &cx).into_iter().map(|c| (c.value, c.label)).collect::<Vec<_>>();
        let pairs = |p: &[(&str, &str)]| p.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect::<Vec<_>>();
        assert_eq!(
            labels(Choices::MeasureStatus),
            pairs(&[
                ("proposed", "Proposed"),
                ("accepted", "Accepted"),
                ("declined_resources", "Declined: no resources"),
                ("declined_other", "Declined: other reason"),
            ])
        );
        assert_eq!(
            labels(Choices::RecommendationStatus),
            pairs(&[
                ("open", "Open"),
                ("accepted", "Accepted"),
                ("declined_resources", "Declined: no resources"),
                ("declined_other", "Declined: other reason"),
            ])
        );
        assert_eq!(labels(Choices::Priority), pairs(&[("high", "High"), ("medium", "Medium"), ("low", "Low")]));
        assert_eq!(
            labels(Choices::MeetingKind),
            pairs(&[
                ("tactical_planning_group", "Tactical planning group"),
                ("strategic_coordinating_group", "Strategic coordinating group"),
                ("safety_advisory_group", "Safety advisory group"),
                ("other", "Other"),
            ])
        );
        let kinds = labels(Choices::TacticalPlanKind);
        assert_eq!(kinds.len(), 9);
        assert!(kinds.contains(&("search".into(), "Search (POLSA)".into())));
        assert!(kinds.contains(&("cbrn".into(), "CBRN".into())));
        assert_eq!(labels(Choices::TacticalPlans)[1], ("tp1".into(), "traffic (Roads Policing)".into()));
        for (status, reason) in [
            (MeasureStatus::Proposed, None),
            (MeasureStatus::Accepted, None),
            (MeasureStatus::Declined, Some(DeclineReason::Resources)),
            (MeasureStatus::Declined, Some(DeclineReason::Other)),
        ] {
            assert_eq!(measure_status(&measure_status_value(status, reason)), (status, reason));
        }
    }

    #[test]
    fn errors_name_the_field_by_its_label() {
        assert_eq!(
            worded("recon_visit", "date", "date must be a date written YYYY-MM-DD"),
            Some(("date".into(), "Date of the visit must be a date written YYYY-MM-DD".into()))
        );
        assert_eq!(
            worded("measure", "risks", "link the measure to at least one risk"),
            Some(("risks".into(), "link the measure to at least one risk".into()))
        );
        assert_eq!(
            worded("meeting", "actions[2].due", "actions[2].due must be a date written YYYY-MM-DD"),
            Some(("action_due".into(), "Action due must be a date written YYYY-MM-DD".into()))
        );
        assert_eq!(worded("measure", "decline_reason", "say why").map(|e| e.0), Some("status".into()));
        assert_eq!(worded("tasking", "file", "too large"), None);
    }

    #[test]
    fn a_new_form_holds_its_defaults_and_offers_only_assessed_risks() {
        let (plan, matrix) = (plan(), default_risk_matrix().unwrap());
        let risks = vec![row("vaw", "Vehicle as a weapon"), row("fire", "Arson")];
        let cx = Cx {
            plan: &plan,
            risks: &risks,
            matrix: &matrix,
            event_marking: Marking::Official,
            ceiling: Marking::Secret,
            team: &[],
        };
        let none = FormErrors::default();
        let draw = |values: &Fields, adding| {
            let d = Draw { adding, prefix: Some("measure"), values, errors: &none };
            field_rows(&form("measure").unwrap(), &cx, &d).into_iter().flatten().collect::<Vec<_>>()
        };
        let fresh = draw(&Fields::new(), true);
        let risk_choices = &fresh.iter().find(|f| f.name == "risks").unwrap().options;
        assert_eq!(risk_choices.iter().map(|o| o.0.as_str()).collect::<Vec<_>>(), ["vaw"]);
        assert_eq!(fresh[0].id, "measure-title");
        // A risk no longer assessed stays on the item's page while it is linked.
        let linked = vec![("risks".to_string(), "fire".to_string())];
        let risk_choices = draw(&linked, false).into_iter().find(|f| f.name == "risks").unwrap().options;
        assert_eq!(risk_choices.len(), 2);
        assert!(risk_choices.iter().any(|o| o.0 == "fire" && o.2));
        let d = Draw { adding: true, prefix: Some("ta"), values: &Fields::new(), errors: &none };
        let ta = field_rows(&form("threat_assessment").unwrap(), &cx, &d);
        let marking = ta.iter().flatten().find(|f| f.name == "marking").unwrap();
        assert_eq!(marking.value, "OFFICIAL-SENSITIVE");
        assert!(marking.options.iter().any(|o| o.0 == "OFFICIAL-SENSITIVE" && o.2));
        // Only a tactical plan's own page offers "I have reviewed it".
        let tp = form("tactical_plan").unwrap();
        let names = |adding| {
            let d = Draw { adding, prefix: None, values: &Fields::new(), errors: &none };
            field_rows(&tp, &cx, &d).into_iter().flatten().map(|f| f.name).collect::<Vec<_>>()
        };
        assert!(!names(true).contains(&"mark_reviewed") && names(false).contains(&"mark_reviewed"));
    }
}
