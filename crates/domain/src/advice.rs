//! Security advice and reviews (seed 000): a generic security advice document
//! for an event below the threshold for a CT security coordinator, written
//! from a library of general security considerations, and a security
//! assessment or review that a strategic commander asks for, of an event or a
//! site. Both are recorded as a request, drafted, then issued as immutable,
//! numbered, hashed versions like plan versions, and handed over as documents.

use crate::access::Action;
use crate::documents::{date_words, Block, Cell, Document, Field, Section};
use crate::identity::Role;
use crate::ids::{AdviceId, EventId, Instant, OrganisationId, UserId};
use crate::planned_event::EventKind;
use crate::Marking;
use serde::{Deserialize, Serialize};

/// What was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdviceKind {
    /// Generic security advice for an event below the coordinator threshold.
    SecurityAdvice,
    /// A security assessment or review requested by a strategic commander.
    SecurityReview,
}

impl AdviceKind {
    pub const ALL: [AdviceKind; 2] = [AdviceKind::SecurityAdvice, AdviceKind::SecurityReview];

    pub fn as_str(self) -> &'static str {
        match self {
            AdviceKind::SecurityAdvice => "security_advice",
            AdviceKind::SecurityReview => "security_review",
        }
    }

    /// The kind as a document's title says it.
    pub fn words(self) -> &'static str {
        match self {
            AdviceKind::SecurityAdvice => "Security advice",
            AdviceKind::SecurityReview => "Security review",
        }
    }
}

impl std::str::FromStr for AdviceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        AdviceKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| "Choose security advice or a security review".to_string())
    }
}

/// A general security consideration from the library (reference data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consideration {
    /// A stable identifier, such as `hostile-vehicle`.
    pub id: String,
    /// The heading it is grouped under.
    pub topic: String,
    pub title: String,
    pub text: String,
    /// The kinds of event it suits; empty for every kind.
    #[serde(default)]
    pub event_kinds: Vec<EventKind>,
    /// The attack methodologies it addresses (catalogue ids); empty when general.
    #[serde(default)]
    pub methodologies: Vec<String>,
    /// Where it comes from.
    #[serde(default)]
    pub sources: Vec<String>,
}

impl Consideration {
    /// Whether it suits an event of this kind.
    pub fn suits(&self, kind: Option<EventKind>) -> bool {
        match kind {
            Some(k) => self.event_kinds.is_empty() || self.event_kinds.contains(&k),
            None => true,
        }
    }

    /// Checks a consideration as an administrator saves it.
    pub fn check(&self) -> Result<(), FieldError> {
        let ok_id = !self.id.is_empty()
            && self.id.len() <= 60
            && self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok_id {
            return Err(FieldError::new("id", "The identifier must be lower-case letters, digits and hyphens"));
        }
        for (field, value, what) in
            [("topic", &self.topic, "a topic"), ("title", &self.title, "a title"), ("text", &self.text, "the advice")]
        {
            if value.trim().is_empty() {
                return Err(FieldError::new(field, format!("Enter {what}")));
            }
        }
        Ok(())
    }
}

/// The library shipped in `reference/security-considerations.toml`.
pub const CONSIDERATIONS_TOML: &str = include_str!("../../../reference/security-considerations.toml");

/// Reads the library file.
pub fn considerations_from_toml(text: &str) -> Result<Vec<Consideration>, String> {
    #[derive(Deserialize)]
    struct File {
        consideration: Vec<Consideration>,
    }
    let file: File = toml::from_str(text).map_err(|e| format!("security-considerations.toml: {e}"))?;
    for c in &file.consideration {
        c.check().map_err(|e| format!("security-considerations.toml, {}: {}", c.id, e.message))?;
    }
    Ok(file.consideration)
}

/// The content of an advice document or review as its author writes it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AdviceContent {
    /// The event or site it is about.
    pub subject: String,
    /// The event in Cordon it is about, if there is one.
    #[serde(default)]
    pub event_id: Option<EventId>,
    /// The kind of event (advice for an event not in Cordon).
    #[serde(default)]
    pub event_kind: Option<EventKind>,
    /// The event's details (date, venue, expected attendance) or the site's address.
    #[serde(default)]
    pub details: String,
    /// Who asked: the local commander (advice) or strategic commander (review), name and role.
    pub requested_by: String,
    /// When they asked: `YYYY-MM-DD`.
    pub requested_on: String,
    /// When a review is due: `YYYY-MM-DD` (reviews only).
    #[serde(default)]
    pub due_on: String,
    /// What a review covers (reviews only).
    #[serde(default)]
    pub scope: String,
    /// The considerations chosen from the library, by id (advice only).
    #[serde(default)]
    pub considerations: Vec<String>,
    /// Advice specific to this event (advice), or the findings (review).
    #[serde(default)]
    pub specific: String,
    /// Recommendations, one each (reviews; optional for advice).
    #[serde(default)]
    pub recommendations: Vec<String>,
}

/// What is wrong with what was sent, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> FieldError {
        FieldError { field, message: message.into() }
    }
}

fn valid_date(field: &'static str, label: &str, s: &str) -> Result<(), FieldError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &fmt)
        .map(|_| ())
        .map_err(|_| FieldError::new(field, format!("{label} must be a real date, such as 2027-03-14")))
}

/// Checks content against the rules for its kind and the library.
pub fn check(kind: AdviceKind, c: &AdviceContent, library: &[Consideration]) -> Result<(), FieldError> {
    if c.subject.trim().is_empty() {
        return Err(FieldError::new("subject", "Enter the event or site this is about"));
    }
    if c.requested_by.trim().is_empty() {
        return Err(FieldError::new("requested_by", "Enter who asked for it: their name and role"));
    }
    valid_date("requested_on", "The date it was asked for", &c.requested_on)?;
    match kind {
        AdviceKind::SecurityAdvice => {
            if c.considerations.is_empty() {
                return Err(FieldError::new("considerations", "Choose at least one security consideration"));
            }
            if let Some(unknown) = c.considerations.iter().find(|id| !library.iter().any(|l| &l.id == *id)) {
                return Err(FieldError::new(
                    "considerations",
                    format!("There is no security consideration called {unknown:?} in the library"),
                ));
            }
            if !c.due_on.trim().is_empty() {
                valid_date("due_on", "The date it is due", &c.due_on)?;
            }
        }
        AdviceKind::SecurityReview => {
            if c.scope.trim().is_empty() {
                return Err(FieldError::new("scope", "Enter what the review covers"));
            }
            valid_date("due_on", "The date the review is due", &c.due_on)?;
        }
    }
    if c.recommendations.iter().any(|r| r.trim().is_empty()) {
        return Err(FieldError::new("recommendations", "Remove the empty recommendation, or write it"));
    }
    Ok(())
}

/// An advice record as held: its kind, content and who holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAdvice {
    pub id: AdviceId,
    pub kind: AdviceKind,
    pub content: AdviceContent,
    pub marking: Marking,
    pub organisation_id: OrganisationId,
    pub created_by: UserId,
}

/// The journal events of advice and reviews, and of the considerations library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AdviceEvent {
    /// A request for advice or a review was recorded, with its first draft.
    AdviceRecorded { advice: NewAdvice },
    /// The draft was changed.
    AdviceChanged { id: AdviceId, content: AdviceContent },
    /// The draft was issued as an immutable, numbered, hashed version.
    AdviceIssued { id: AdviceId, number: i64, body: String, hash: String },
    /// A consideration of the library was added or changed.
    ConsiderationSaved { consideration: Consideration },
}

crate::capability_event!(AdviceEvent, |e| match e {
    AdviceEvent::AdviceRecorded { advice } => format!("advice/{}", advice.id),
    AdviceEvent::AdviceChanged { id, .. } | AdviceEvent::AdviceIssued { id, .. } => format!("advice/{id}"),
    AdviceEvent::ConsiderationSaved { .. } => "reference/security-considerations".to_string(),
});

/// Recording and changing advice and reviews.
pub const WRITE: Action = Action {
    name: "advice.write",
    what: "record a request for security advice or a review, and write its draft",
    roles: Some(&[Role::SecurityAdviser, Role::SecurityCoordinator, Role::StrategicCommander]),
    needs_team: true,
};

/// Issuing advice or a review as a numbered, hashed version.
pub const ISSUE: Action = Action {
    name: "advice.issue",
    what: "issue security advice or a review as a numbered, hashed version",
    roles: Some(&[Role::SecurityAdviser, Role::SecurityCoordinator]),
    needs_team: true,
};

/// Keeping the library of general security considerations.
pub const CURATE: Action = Action {
    name: "advice.curate",
    what: "add to and change the library of general security considerations",
    roles: Some(&[Role::Administrator]),
    needs_team: false,
};

/// The capability's actions.
pub const ACTIONS: &[Action] = &[WRITE, ISSUE, CURATE];

/// An issued version as recorded: everything its document needs, with the
/// chosen considerations written out in full as they were at issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdviceSnapshot {
    pub number: i64,
    pub kind: AdviceKind,
    pub marking: Marking,
    pub organisation: String,
    pub issued_by: String,
    pub content: AdviceContent,
    pub considerations: Vec<Consideration>,
}

/// The canonical JSON of an issued version and its SHA-256.
pub fn snapshot(s: &AdviceSnapshot) -> (String, String) {
    let body = crate::plan::canonical_json(&serde_json::to_value(s).unwrap_or_default());
    let hash = crate::plan::sha256_hex(&body);
    (body, hash)
}

/// Lays out advice or a review as a document. `number` and `hash` are the
/// version's (None and the draft's hash for the draft); `at` when it was
/// issued (or last changed).
pub fn advice_document(s: &AdviceSnapshot, draft: bool, hash: &str, at: Option<Instant>) -> Document {
    let c = &s.content;
    let mut title_block =
        vec![Field::new(if c.event_id.is_some() || c.event_kind.is_some() { "Event" } else { "Subject" }, &c.subject)];
    if let Some(k) = c.event_kind {
        title_block.push(Field::new("Kind of event", k.words()));
    }
    if !c.details.trim().is_empty() {
        title_block.push(Field::new("Details", &c.details));
    }
    title_block.push(Field::new("Requested by", &c.requested_by));
    title_block.push(Field::new("Requested on", date_words(&c.requested_on)));
    if !c.due_on.trim().is_empty() {
        title_block.push(Field::new("Due", date_words(&c.due_on)));
    }
    title_block.push(Field::new("Prepared by", format!("{}, {}", s.issued_by, s.organisation)));
    title_block.push(Field::new(
        "Version",
        if draft {
            "Draft: not issued".to_string()
        } else {
            format!("{}, issued {}", s.number, at.map(crate::london::display_instant).unwrap_or_default())
        },
    ));
    title_block.push(Field::new("Protective marking", s.marking.as_str()));

    let mut sections = Vec::new();
    match s.kind {
        AdviceKind::SecurityAdvice => {
            sections.push(Section {
                id: "purpose".into(),
                heading: "Purpose".into(),
                blocks: vec![Block::Paragraph {
                    text: format!(
                        "{} asked for security advice for {}. The event does not meet the threshold for a counter-terrorism security coordinator, so this document gives general protective security advice for the organisers, with advice specific to the event.",
                        c.requested_by, c.subject
                    ),
                }],
            });
            let mut blocks = Vec::new();
            let mut topics: Vec<&str> = Vec::new();
            for k in &s.considerations {
                if !topics.contains(&k.topic.as_str()) {
                    topics.push(&k.topic);
                }
            }
            for topic in topics {
                blocks.push(Block::Heading { text: topic.to_string() });
                for k in s.considerations.iter().filter(|k| k.topic == topic) {
                    blocks.push(Block::Fields { fields: vec![Field::new(&k.title, &k.text)] });
                }
            }
            if blocks.is_empty() {
                blocks.push(Block::Empty { text: "No considerations chosen.".into() });
            }
            sections.push(Section { id: "considerations".into(), heading: "Security considerations".into(), blocks });
            sections.push(Section {
                id: "specific".into(),
                heading: "Advice for this event".into(),
                blocks: vec![if c.specific.trim().is_empty() {
                    Block::Empty { text: "No advice specific to this event.".into() }
                } else {
                    Block::Paragraph { text: c.specific.clone() }
                }],
            });
        }
        AdviceKind::SecurityReview => {
            sections.push(Section {
                id: "scope".into(),
                heading: "Scope".into(),
                blocks: vec![Block::Paragraph { text: c.scope.clone() }],
            });
            sections.push(Section {
                id: "findings".into(),
                heading: "Findings".into(),
                blocks: vec![if c.specific.trim().is_empty() {
                    Block::Empty { text: "No findings recorded yet.".into() }
                } else {
                    Block::Paragraph { text: c.specific.clone() }
                }],
            });
        }
    }
    sections.push(Section {
        id: "recommendations".into(),
        heading: "Recommendations".into(),
        blocks: vec![if c.recommendations.is_empty() {
            Block::Empty { text: "No recommendations.".into() }
        } else {
            Block::Table {
                caption: "Recommendations".into(),
                columns: vec!["No.".into(), "Recommendation".into()],
                rows: c
                    .recommendations
                    .iter()
                    .enumerate()
                    .map(|(i, r)| vec![Cell::text((i + 1).to_string()), Cell::text(r)])
                    .collect(),
            }
        }],
    });
    Document {
        kind: s.kind.words().into(),
        title: c.subject.clone(),
        marking: s.marking,
        reference: if draft { "Draft".into() } else { format!("Version {}", s.number) },
        fingerprint: hash.chars().take(12).collect(),
        draft,
        date: at.map(|t| crate::london::display_date(crate::london::to_london(t.get()).0.date())).unwrap_or_default(),
        title_block,
        redaction: None,
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> AdviceContent {
        AdviceContent {
            subject: "Village fete".into(),
            requested_by: "Insp. Ann Local, neighbourhood inspector".into(),
            requested_on: "2027-05-01".into(),
            considerations: vec!["hot-protocol".into()],
            ..Default::default()
        }
    }

    #[test]
    fn the_shipped_library_reads_and_names_real_methodologies() {
        let lib = considerations_from_toml(CONSIDERATIONS_TOML).unwrap();
        assert!(lib.len() >= 10);
        let catalogue = crate::reference::attack_methodologies(crate::reference::ATTACK_METHODOLOGIES_TOML).unwrap();
        for c in &lib {
            for m in &c.methodologies {
                assert!(catalogue.iter().any(|x| &x.id == m), "{}: unknown methodology {m}", c.id);
            }
        }
    }

    #[test]
    fn advice_needs_a_consideration_and_a_review_a_scope_and_a_due_date() {
        let lib = considerations_from_toml(CONSIDERATIONS_TOML).unwrap();
        assert_eq!(check(AdviceKind::SecurityAdvice, &content(), &lib), Ok(()));
        let none = AdviceContent { considerations: vec![], ..content() };
        assert_eq!(check(AdviceKind::SecurityAdvice, &none, &lib).unwrap_err().field, "considerations");
        let unknown = AdviceContent { considerations: vec!["nope".into()], ..content() };
        assert_eq!(check(AdviceKind::SecurityAdvice, &unknown, &lib).unwrap_err().field, "considerations");
        let bad_date = AdviceContent { requested_on: "2027-02-31".into(), ..content() };
        assert_eq!(check(AdviceKind::SecurityAdvice, &bad_date, &lib).unwrap_err().field, "requested_on");
        let review = AdviceContent { considerations: vec![], ..content() };
        assert_eq!(check(AdviceKind::SecurityReview, &review, &lib).unwrap_err().field, "scope");
        let review = AdviceContent { scope: "Search regime".into(), ..review };
        assert_eq!(check(AdviceKind::SecurityReview, &review, &lib).unwrap_err().field, "due_on");
    }

    #[test]
    fn the_document_groups_considerations_by_topic_and_hashes_stably() {
        let lib = considerations_from_toml(CONSIDERATIONS_TOML).unwrap();
        let s = AdviceSnapshot {
            number: 1,
            kind: AdviceKind::SecurityAdvice,
            marking: Marking::Official,
            organisation: "Northshire Police".into(),
            issued_by: "Chris Adviser".into(),
            content: content(),
            considerations: lib.iter().filter(|c| c.id == "hot-protocol").cloned().collect(),
        };
        let (body, hash) = snapshot(&s);
        assert_eq!(snapshot(&s), (body, hash.clone()));
        let doc = advice_document(&s, false, &hash, None);
        let text = doc.all_text();
        assert!(text.contains("Suspicious items") && text.contains("Judge unattended items with HOT"), "{text}");
        assert_eq!(doc.fingerprint, hash[..12]);
    }
}
