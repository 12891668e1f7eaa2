//! Documents: what Cordon hands over. A plan (the draft or an issued
//! version), a security advice document or a review is first laid out as a
//! [`Document`], a neutral structure of sections, fields, tables and
//! paragraphs in words (names, not ids; UK dates). The read view (HTML), the
//! PDF and the Word document all render that one structure, so they say the
//! same thing; none of them works from ids or raw JSON.
//!
//! A document depends only on what it is made from (for a version: its
//! snapshot and its issue and endorsement records), never on the clock, so
//! the same version always gives the same document.

use crate::ids::Instant;
use crate::plan::{Plan, RiskRow};
use crate::planned_event::{EventKind, Venue};
use crate::risk::Rating;
use crate::Marking;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A document laid out for reading, printing and handing over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// What the document is: "Protective security plan", "Security advice".
    pub kind: String,
    /// What it is about: the event's name.
    pub title: String,
    /// The protective marking of the document as this reader has it.
    pub marking: Marking,
    /// "Version 2", "Draft", "Advice 3".
    pub reference: String,
    /// The first 12 characters of the SHA-256 of what the document was made from.
    pub fingerprint: String,
    /// A draft is watermarked DRAFT on every page.
    pub draft: bool,
    /// The document's date, in words ("29 November 2026"), from the version.
    pub date: String,
    /// The title block: event, dates, venues, version, status and the like.
    pub title_block: Vec<Field>,
    /// Said on the cover when items were withheld from this reader's copy.
    pub redaction: Option<String>,
    pub sections: Vec<Section>,
}

/// A numbered section of a document, with its blocks in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// An anchor for links and the contents: `risk`, `measures`.
    pub id: String,
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// A part of a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A sub-heading, such as the name of one item.
    Heading { text: String },
    /// Prose, kept as written (line breaks are paragraph breaks).
    Paragraph { text: String },
    /// Labelled values, such as an item's details.
    Fields { fields: Vec<Field> },
    /// A table with a header row.
    Table { caption: String, columns: Vec<String>, rows: Vec<Vec<Cell>> },
    /// Said when a section has nothing in it: "No contingencies recorded."
    Empty { text: String },
}

/// A labelled value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

impl Field {
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Field {
        Field { label: label.into(), value: value.into() }
    }
}

/// A table cell: words, and for a rating, a tone to colour it by. The words
/// always say what the colour does: colour is never the only signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tone: Option<Tone>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), tone: None }
    }
}

/// How serious a rating is, lowest first, for colouring it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Low,
    Medium,
    High,
    VeryHigh,
}

impl Document {
    /// Every heading of the document, for its contents: (number, id, heading).
    pub fn contents(&self) -> Vec<(usize, &str, &str)> {
        self.sections.iter().enumerate().map(|(i, s)| (i + 1, s.id.as_str(), s.heading.as_str())).collect()
    }

    /// The running line every page carries: event, reference and fingerprint.
    pub fn running_line(&self) -> String {
        if self.fingerprint.is_empty() {
            format!("{} · {}", self.title, self.reference)
        } else {
            format!("{} · {} · SHA-256 {}", self.title, self.reference, self.fingerprint)
        }
    }

    /// Every word of the document, in reading order: for tests and search.
    pub fn all_text(&self) -> String {
        let mut out = vec![self.kind.clone(), self.title.clone(), self.reference.clone(), self.date.clone()];
        out.extend(self.title_block.iter().flat_map(|f| [f.label.clone(), f.value.clone()]));
        out.extend(self.redaction.iter().cloned());
        for s in &self.sections {
            out.push(s.heading.clone());
            for b in &s.blocks {
                match b {
                    Block::Heading { text } | Block::Paragraph { text } | Block::Empty { text } => {
                        out.push(text.clone())
                    }
                    Block::Fields { fields } => {
                        out.extend(fields.iter().flat_map(|f| [f.label.clone(), f.value.clone()]))
                    }
                    Block::Table { caption, columns, rows } => {
                        out.push(caption.clone());
                        out.extend(columns.iter().cloned());
                        out.extend(rows.iter().flatten().map(|c| c.text.clone()));
                    }
                }
            }
        }
        out.join("\n")
    }
}

/// A person named in a snapshot: id and name as they were at issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
}

/// The event as a snapshot records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotEvent {
    pub id: String,
    pub name: String,
    pub kind: EventKind,
    pub starts_at: String,
    pub ends_at: String,
    pub venues: Vec<Venue>,
    pub expected_attendance: i64,
    pub organisation: String,
    #[serde(default)]
    pub gold_user_id: Option<String>,
    #[serde(default)]
    pub silver_user_id: Option<String>,
}

/// The risk matrix as a snapshot records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotMatrix {
    pub name: String,
    pub tolerance: String,
    /// The bands' labels, lowest first (snapshots issued before 29 November 2026 lack them).
    #[serde(default)]
    pub bands: Vec<String>,
}

/// A plan as issued (or the draft, laid out the same way): what a plan
/// document is made from. Reads the canonical JSON of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// None for the draft.
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub issued_by: Option<Person>,
    pub marking: Marking,
    pub event: SnapshotEvent,
    pub risk_matrix: SnapshotMatrix,
    pub plan: Plan,
    pub risks: Vec<RiskRow>,
    /// Commanders' names by user id, as they were at issue.
    #[serde(default)]
    pub people: BTreeMap<String, String>,
    /// Set on a reader's copy with items withheld from it.
    #[serde(default)]
    pub redacted: bool,
    #[serde(default)]
    pub withheld: usize,
}

/// What a plan document needs beyond the snapshot: the records of its issue
/// and endorsement, kept beside the version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanMeta {
    /// The version's SHA-256 (or the draft's, as it would be issued).
    pub hash: String,
    /// When the version was issued (for the draft: when it last changed).
    pub at: Option<Instant>,
    /// The event's status, in words.
    pub status: String,
    pub endorsement: Option<EndorsementLine>,
}

/// Who endorsed a version, when, and on what conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndorsementLine {
    pub by: String,
    pub at: Instant,
    pub conditions: String,
}

/// `YYYY-MM-DD` as people read it: `30 April 2027`; anything else unchanged.
pub fn date_words(s: &str) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(s, &fmt) {
        Ok(d) => crate::london::display_date(d),
        Err(_) => s.to_string(),
    }
}

/// A whole number with thousands separators: `38,000`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn or_none(s: &str, none: &str) -> String {
    if s.trim().is_empty() {
        none.to_string()
    } else {
        s.to_string()
    }
}

fn list(items: impl IntoIterator<Item = String>, none: &str) -> String {
    let v: Vec<String> = items.into_iter().filter(|s| !s.is_empty()).collect();
    if v.is_empty() {
        none.to_string()
    } else {
        v.join("; ")
    }
}

/// The tone of a band: its place among the matrix's bands, spread over four tones.
fn tone_of(band: &str, bands: &[String], at_or_above: bool) -> Tone {
    match bands.iter().position(|b| b == band) {
        Some(i) if bands.len() > 1 => {
            let scaled = i * 3 / (bands.len() - 1);
            [Tone::Low, Tone::Medium, Tone::High, Tone::VeryHigh][scaled.min(3)]
        }
        _ if at_or_above => Tone::High,
        _ => Tone::Low,
    }
}

fn rating_cell(r: &Option<Rating>, bands: &[String], at_or_above: bool) -> Cell {
    match r {
        Some(r) => Cell {
            text: format!("{} ({}: likelihood {} × impact {})", r.band, r.score, r.likelihood, r.impact),
            tone: Some(tone_of(&r.band, bands, at_or_above)),
        },
        None => Cell::text("Not rated"),
    }
}

/// Lays out a plan: title block, the National Decision Model sections in
/// order, the register of tactical plans, stakeholders, meetings and the
/// endorsement.
pub fn plan_document(s: &Snapshot, meta: &PlanMeta) -> Document {
    let plan = &s.plan;
    let marking_of = |section: &str, id: &str| plan.markings.get(&Plan::marking_key(section, id)).copied();
    // Item headings carry their marking when it is above the document's.
    let tagged = |text: &str, section: &str, id: &str| match marking_of(section, id) {
        Some(m) if m > s.marking => format!("{text} [{m}]"),
        _ => text.to_string(),
    };
    let methodology = |id: &str| {
        s.risks.iter().find(|r| r.methodology == id).map(|r| r.name.clone()).unwrap_or_else(|| id.to_string())
    };
    let vulnerability =
        |id: &str| plan.vulnerabilities.iter().find(|v| v.id == id).map(|v| v.location.clone()).unwrap_or_default();
    let tactical = |id: &str| {
        plan.tactical_plans
            .iter()
            .find(|t| t.id == id)
            .map(|t| format!("{} ({})", t.kind.words(), t.owner))
            .unwrap_or_default()
    };
    let person = |id: &Option<String>| {
        id.as_ref().map(|id| s.people.get(id).cloned().unwrap_or_else(|| "A user no longer known".into()))
    };
    let marking_shown = plan.highest_marking(s.marking);

    let mut title_block = vec![
        Field::new("Event", &s.event.name),
        Field::new("Kind of event", s.event.kind.words()),
        Field::new(
            "Dates",
            format!(
                "{} to {}",
                crate::london::display_stored(&s.event.starts_at),
                crate::london::display_stored(&s.event.ends_at)
            ),
        ),
        Field::new("Venues", list(s.event.venues.iter().map(venue_words), "None recorded")),
        Field::new("Expected attendance", thousands(s.event.expected_attendance)),
        Field::new("Lead organisation", &s.event.organisation),
        Field::new(
            "Version",
            match s.version {
                Some(n) => format!("{n}, issued {}", meta.at.map(crate::london::display_instant).unwrap_or_default()),
                None => "Draft: not issued".into(),
            },
        ),
    ];
    if !meta.status.is_empty() {
        title_block.push(Field::new("Status", &meta.status));
    }
    if let Some(by) = &s.issued_by {
        title_block.push(Field::new("Issued by", &by.name));
        title_block.push(Field::new("Reason for issue", &s.reason));
    }
    title_block
        .push(Field::new("Strategic commander (Gold)", person(&s.event.gold_user_id).unwrap_or("Not named".into())));
    title_block
        .push(Field::new("Tactical commander (Silver)", person(&s.event.silver_user_id).unwrap_or("Not named".into())));
    title_block.push(Field::new("Protective marking", marking_shown.as_str()));

    let mut sections = Vec::new();

    // 1. Tasking and the commander's intent.
    let mut blocks = Vec::new();
    match &plan.tasking {
        Some(t) => {
            blocks.push(Block::Fields {
                fields: vec![
                    Field::new("Commissioned by", &t.commissioned_by),
                    Field::new("Commissioned on", date_words(&t.commissioned_on)),
                ],
            });
            blocks.push(Block::Heading { text: "Terms of reference".into() });
            blocks.push(Block::Paragraph { text: or_none(&t.terms_of_reference, "None recorded.") });
        }
        None => blocks.push(Block::Empty { text: "No tasking recorded.".into() }),
    }
    match &plan.intent {
        Some(i) => {
            blocks.push(Block::Heading { text: "Commander's intent".into() });
            blocks.push(Block::Paragraph { text: or_none(&i.intent, "None recorded.") });
            if !i.objectives.is_empty() {
                blocks.push(Block::Table {
                    caption: "Strategic objectives".into(),
                    columns: vec!["No.".into(), "Objective".into()],
                    rows: i
                        .objectives
                        .iter()
                        .enumerate()
                        .map(|(n, o)| vec![Cell::text((n + 1).to_string()), Cell::text(o)])
                        .collect(),
                });
            }
        }
        None => blocks.push(Block::Empty { text: "No commander's intent recorded.".into() }),
    }
    sections.push(Section { id: "tasking".into(), heading: "Tasking and intent".into(), blocks });

    // 2. Information and intelligence.
    let mut blocks = Vec::new();
    if plan.threat_assessments.is_empty() {
        blocks.push(Block::Empty { text: "No threat assessments recorded.".into() });
    } else {
        blocks.push(Block::Table {
            caption: "Threat assessments".into(),
            columns: vec!["Source".into(), "Date".into(), "National threat level".into(), "Summary".into()],
            rows: plan
                .threat_assessments
                .iter()
                .map(|t| {
                    vec![
                        Cell::text(tagged(&t.source, "threat_assessments", &t.id)),
                        Cell::text(date_words(&t.date)),
                        Cell::text(t.national_threat_level.clone().unwrap_or_else(|| "Not known".into())),
                        Cell::text(&t.summary),
                    ]
                })
                .collect(),
        });
    }
    if !plan.operational_factors.is_empty() {
        blocks.push(Block::Table {
            caption: "Operational factors".into(),
            columns: vec!["Factor".into()],
            rows: plan
                .operational_factors
                .iter()
                .map(|f| vec![Cell::text(tagged(&f.description, "operational_factors", &f.id))])
                .collect(),
        });
    }
    if plan.recon_visits.is_empty() {
        blocks.push(Block::Heading { text: "Reconnaissance".into() });
        blocks.push(Block::Paragraph {
            text: plan
                .no_recon_reason
                .clone()
                .map(|r| format!("No reconnaissance visit: {r}"))
                .unwrap_or_else(|| "No reconnaissance visits recorded.".into()),
        });
    }
    for v in &plan.recon_visits {
        blocks.push(Block::Heading {
            text: tagged(&format!("Reconnaissance visit, {}", date_words(&v.date)), "recon_visits", &v.id),
        });
        let mut fields = vec![
            Field::new("Attendees", &v.attendees),
            Field::new("Areas visited", &v.areas),
            Field::new("Findings", &v.findings),
        ];
        if !v.attachments.is_empty() {
            fields.push(Field::new(
                "Attachments",
                list(v.attachments.iter().map(|a| format!("{} ({})", a.name, size_words(a.size))), ""),
            ));
        }
        blocks.push(Block::Fields { fields });
    }
    sections.push(Section { id: "information".into(), heading: "Information and intelligence".into(), blocks });

    // 3. Threat and risk.
    let mut blocks = vec![Block::Paragraph {
        text: format!(
            "Ratings use the {} matrix. Risks rated {} or above need an accepted measure, or a recorded reason why none is accepted.",
            s.risk_matrix.name, s.risk_matrix.tolerance
        ),
    }];
    let rows: Vec<Vec<Cell>> = s
        .risks
        .iter()
        .filter(|r| r.applicable.is_some())
        .map(|r| {
            let a = plan.assessment(&r.methodology);
            let notes = match (r.applicable, a) {
                (Some(false), Some(a)) => format!("Does not apply: {}", a.not_applicable_reason),
                (_, Some(a)) if r.at_or_above_tolerance && r.accepted_measures == 0 => {
                    format!("No accepted measure: {}", or_none(&a.no_measure_rationale, "no reason recorded"))
                }
                _ => String::new(),
            };
            let applies = if r.applicable == Some(true) { "Yes" } else { "No" };
            vec![
                Cell::text(tagged(&r.name, "risk_assessments", &r.methodology)),
                Cell::text(applies),
                rating_cell(&r.inherent, &s.risk_matrix.bands, r.at_or_above_tolerance),
                rating_cell(&r.residual, &s.risk_matrix.bands, r.residual_at_or_above_tolerance),
                Cell::text(r.accepted_measures.to_string()),
                Cell::text(notes),
            ]
        })
        .collect();
    if rows.is_empty() {
        blocks.push(Block::Empty { text: "No attack methodologies assessed.".into() });
    } else {
        blocks.push(Block::Table {
            caption: "Risk assessment by attack methodology".into(),
            columns: vec![
                "Attack methodology".into(),
                "Applies".into(),
                "Inherent risk".into(),
                "Residual risk".into(),
                "Accepted measures".into(),
                "Notes".into(),
            ],
            rows,
        });
    }
    let unassessed: Vec<String> = s.risks.iter().filter(|r| r.applicable.is_none()).map(|r| r.name.clone()).collect();
    if !unassessed.is_empty() {
        blocks.push(Block::Paragraph { text: format!("Not yet assessed: {}.", unassessed.join(", ")) });
    }
    if !plan.vulnerabilities.is_empty() {
        blocks.push(Block::Table {
            caption: "Vulnerabilities".into(),
            columns: vec!["Where".into(), "Description".into(), "Severity".into(), "Attack methodologies".into()],
            rows: plan
                .vulnerabilities
                .iter()
                .map(|v| {
                    vec![
                        Cell::text(tagged(&v.location, "vulnerabilities", &v.id)),
                        Cell::text(&v.description),
                        Cell::text(format!("{} of 5", v.severity)),
                        Cell::text(list(v.methodologies.iter().map(|m| methodology(m)), "None")),
                    ]
                })
                .collect(),
        });
    }
    sections.push(Section { id: "risk".into(), heading: "Threat and risk".into(), blocks });

    // 4. Powers and policy.
    let blocks = if plan.powers.is_empty() {
        vec![Block::Empty { text: "No powers or policies recorded.".into() }]
    } else {
        vec![Block::Table {
            caption: "Powers and policy relied on".into(),
            columns: vec!["Power or policy".into(), "Reference".into(), "Notes".into()],
            rows: plan
                .powers
                .iter()
                .map(|p| {
                    vec![Cell::text(tagged(&p.title, "powers", &p.id)), Cell::text(&p.reference), Cell::text(&p.notes)]
                })
                .collect(),
        }]
    };
    sections.push(Section { id: "powers".into(), heading: "Powers and policy".into(), blocks });

    // 5. Options and contingencies.
    let mut blocks = Vec::new();
    if plan.measures.is_empty() {
        blocks.push(Block::Empty { text: "No measures recorded.".into() });
    } else {
        blocks.push(Block::Table {
            caption: "Measures and the risks they treat".into(),
            columns: vec![
                "Measure".into(),
                "Decision".into(),
                "Risks treated".into(),
                "Vulnerabilities".into(),
                "Tactical plan".into(),
                "Rationale".into(),
            ],
            rows: plan
                .measures
                .iter()
                .map(|m| {
                    let decision = match m.decline_reason {
                        Some(r) => format!("{}: {}", m.status.words(), r.words()),
                        None => m.status.words().to_string(),
                    };
                    vec![
                        Cell::text(tagged(&m.title, "measures", &m.id)),
                        Cell::text(decision),
                        Cell::text(list(m.risks.iter().map(|r| methodology(r)), "None")),
                        Cell::text(list(m.vulnerabilities.iter().map(|v| vulnerability(v)), "None")),
                        Cell::text(m.tactical_plan.as_deref().map(tactical).unwrap_or_default()),
                        Cell::text(&m.rationale),
                    ]
                })
                .collect(),
        });
    }
    if plan.contingencies.is_empty() {
        blocks.push(Block::Empty { text: "No contingencies recorded.".into() });
    } else {
        blocks.push(Block::Table {
            caption: "Contingencies".into(),
            columns: vec!["Trigger".into(), "Actions".into(), "Owner".into(), "Risks".into()],
            rows: plan
                .contingencies
                .iter()
                .map(|c| {
                    vec![
                        Cell::text(tagged(&c.trigger, "contingencies", &c.id)),
                        Cell::text(&c.actions),
                        Cell::text(&c.owner),
                        Cell::text(list(c.risks.iter().map(|r| methodology(r)), "None")),
                    ]
                })
                .collect(),
        });
    }
    if plan.recommendations.is_empty() {
        blocks.push(Block::Empty { text: "No recommendations recorded.".into() });
    } else {
        blocks.push(Block::Table {
            caption: "Recommendations".into(),
            columns: vec![
                "Recommendation".into(),
                "Priority".into(),
                "Risks".into(),
                "Proportionality".into(),
                "Status".into(),
            ],
            rows: plan
                .recommendations
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(tagged(&r.text, "recommendations", &r.id)),
                        Cell::text(r.priority.words()),
                        Cell::text(list(r.risks.iter().map(|x| methodology(x)), "None")),
                        Cell::text(&r.proportionality_rationale),
                        Cell::text(r.status.words()),
                    ]
                })
                .collect(),
        });
    }
    sections.push(Section { id: "options".into(), heading: "Options and contingencies".into(), blocks });

    // 6. Action and review.
    let mut blocks = Vec::new();
    if plan.tactical_plans.is_empty() {
        blocks.push(Block::Empty { text: "No tactical plans registered.".into() });
    } else {
        blocks.push(Block::Table {
            caption: "Register of tactical plans".into(),
            columns: vec!["Plan".into(), "Owner".into(), "Version".into(), "Received".into(), "Reviewed by".into()],
            rows: plan
                .tactical_plans
                .iter()
                .map(|t| {
                    vec![
                        Cell::text(tagged(t.kind.words(), "tactical_plans", &t.id)),
                        Cell::text(&t.owner),
                        Cell::text(&t.version),
                        Cell::text(date_words(&t.received_on)),
                        Cell::text(or_none(&t.reviewed_by, "Not reviewed")),
                    ]
                })
                .collect(),
        });
    }
    if plan.reviews.is_empty() {
        blocks.push(Block::Empty { text: "No reviews recorded.".into() });
    } else {
        blocks.push(Block::Table {
            caption: "Reviews".into(),
            columns: vec!["Date".into(), "By".into(), "Notes".into()],
            rows: plan
                .reviews
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(tagged(&date_words(&r.date), "reviews", &r.id)),
                        Cell::text(&r.by),
                        Cell::text(&r.notes),
                    ]
                })
                .collect(),
        });
    }
    sections.push(Section { id: "review".into(), heading: "Action and review".into(), blocks });

    // 7. Stakeholders and liaison.
    let mut blocks = Vec::new();
    if plan.stakeholders.is_empty() {
        blocks.push(Block::Empty { text: "No stakeholders recorded.".into() });
    } else {
        blocks.push(Block::Table {
            caption: "Stakeholders".into(),
            columns: vec!["Name".into(), "Organisation".into(), "Role".into()],
            rows: plan
                .stakeholders
                .iter()
                .map(|x| {
                    vec![
                        Cell::text(tagged(&x.name, "stakeholders", &x.id)),
                        Cell::text(&x.organisation),
                        Cell::text(&x.role),
                    ]
                })
                .collect(),
        });
    }
    if !plan.liaison.is_empty() {
        blocks.push(Block::Table {
            caption: "Liaison".into(),
            columns: vec!["Date".into(), "With".into(), "Summary".into(), "Agreed".into(), "Actions".into()],
            rows: plan
                .liaison
                .iter()
                .map(|l| {
                    vec![
                        Cell::text(tagged(&date_words(&l.date), "liaison", &l.id)),
                        Cell::text(&l.with),
                        Cell::text(&l.summary),
                        Cell::text(&l.agreed),
                        Cell::text(&l.actions),
                    ]
                })
                .collect(),
        });
    }
    sections.push(Section { id: "stakeholders".into(), heading: "Stakeholders and liaison".into(), blocks });

    // 8. Meetings.
    let mut blocks = Vec::new();
    if plan.meetings.is_empty() {
        blocks.push(Block::Empty { text: "No meetings recorded.".into() });
    }
    for m in &plan.meetings {
        blocks.push(Block::Heading {
            text: tagged(&format!("{}, {}", m.kind.words(), date_words(&m.date)), "meetings", &m.id),
        });
        blocks.push(Block::Fields {
            fields: vec![Field::new("Attendees", &m.attendees), Field::new("Minutes", &m.minutes)],
        });
        if !m.actions.is_empty() {
            blocks.push(Block::Table {
                caption: "Actions".into(),
                columns: vec!["Action".into(), "Owner".into(), "Due".into(), "Status".into()],
                rows: m
                    .actions
                    .iter()
                    .map(|a| {
                        vec![
                            Cell::text(&a.text),
                            Cell::text(&a.owner),
                            Cell::text(date_words(&a.due)),
                            Cell::text(&a.status),
                        ]
                    })
                    .collect(),
            });
        }
    }
    sections.push(Section { id: "meetings".into(), heading: "Meetings".into(), blocks });

    // 9. Endorsement.
    let blocks = match (&meta.endorsement, s.version) {
        (Some(e), _) => vec![Block::Fields {
            fields: vec![
                Field::new("Endorsed by", format!("{}, strategic commander (Gold)", e.by)),
                Field::new("Endorsed on", crate::london::display_instant(e.at)),
                Field::new("Conditions", or_none(&e.conditions, "None")),
            ],
        }],
        (None, Some(_)) => vec![Block::Empty { text: "This version has not been endorsed.".into() }],
        (None, None) => vec![Block::Empty {
            text: "This is a draft. Only an issued version can be endorsed by the strategic commander.".into(),
        }],
    };
    sections.push(Section { id: "endorsement".into(), heading: "Endorsement".into(), blocks });

    Document {
        kind: "Protective security plan".into(),
        title: s.event.name.clone(),
        marking: marking_shown,
        reference: s.version.map(|n| format!("Version {n}")).unwrap_or_else(|| "Draft".into()),
        fingerprint: meta.hash.chars().take(12).collect(),
        draft: s.version.is_none(),
        date: meta
            .at
            .map(|t| crate::london::display_date(crate::london::to_london(t.get()).0.date()))
            .unwrap_or_default(),
        title_block,
        redaction: (s.redacted || s.withheld > 0).then(|| {
            format!(
                "This copy is redacted: {} {} marked above what its reader may see {} withheld.",
                s.withheld,
                if s.withheld == 1 { "item" } else { "items" },
                if s.withheld == 1 { "is" } else { "are" },
            )
        }),
        sections,
    }
}

fn venue_words(v: &Venue) -> String {
    if v.address.trim().is_empty() {
        v.name.clone()
    } else {
        format!("{}, {}", v.name, v.address)
    }
}

/// A file size as people read it: `240 KB`.
pub fn size_words(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_read_as_people_write_them() {
        assert_eq!(thousands(38000), "38,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1200), "-1,200");
        assert_eq!(date_words("2027-04-25"), "25 April 2027");
        assert_eq!(date_words("soon"), "soon");
        assert_eq!(size_words(2048), "2 KB");
    }

    #[test]
    fn tones_spread_over_the_bands() {
        let bands: Vec<String> = ["Low", "Medium", "High", "Very high"].iter().map(|s| s.to_string()).collect();
        assert_eq!(tone_of("Low", &bands, false), Tone::Low);
        assert_eq!(tone_of("Very high", &bands, true), Tone::VeryHigh);
        assert_eq!(tone_of("Unknown", &[], true), Tone::High);
    }
}
