//! The move-to-critical contingency plan (seed 002 §2.1, §3.3: "Op Quantity
//! (Move to Critical), Contingency Plan 448"): the plan as a record (owner,
//! version, review date, where staff find it) with its activation checklist,
//! and activations of it worked through step by step until stood down.
//!
//! Activation is offered when the national or the police sector threat level
//! becomes CRITICAL and no activation is open; it can also be started by hand.

use super::FieldError;
use crate::threat::ThreatLevel;
use serde::{Deserialize, Serialize};

/// One action of the activation checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChecklistItem {
    /// What is to be done.
    pub action: String,
    /// The role or post that does it, such as "Duty Superintendent".
    pub owner_role: String,
}

/// A force's move-to-critical contingency plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CriticalPlan {
    /// Its reference, such as "Contingency Plan 448".
    pub reference: String,
    pub title: String,
    /// The post that owns it.
    pub owner: String,
    /// Its version, such as "3.1".
    pub version: String,
    /// When it is next to be reviewed, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub review_date: String,
    /// Where staff find it, such as "the Commanders Portal".
    pub location: String,
    pub checklist: Vec<ChecklistItem>,
}

impl CriticalPlan {
    /// Checks the plan as it is saved; each error names its field.
    pub fn check(&self) -> Result<(), FieldError> {
        for (field, value, what) in [
            ("reference", &self.reference, "the plan's reference"),
            ("title", &self.title, "the plan's title"),
            ("owner", &self.owner, "the post that owns the plan"),
            ("version", &self.version, "the plan's version"),
            ("location", &self.location, "where staff find the plan"),
        ] {
            if value.trim().is_empty() {
                return Err(FieldError::new(field, format!("Enter {what}")));
            }
            if value.chars().count() > 500 {
                return Err(FieldError::new(field, format!("Enter {what} in 500 characters or fewer")));
            }
        }
        crate::policy::date("review_date", "The review date", &self.review_date)?;
        if self.checklist.is_empty() {
            return Err(FieldError::new("checklist", "Enter at least one action for the activation checklist"));
        }
        if self.checklist.len() > 200 {
            return Err(FieldError::new("checklist", "The checklist can hold up to 200 actions"));
        }
        for (i, c) in self.checklist.iter().enumerate() {
            if c.action.trim().is_empty() || c.owner_role.trim().is_empty() {
                return Err(FieldError::new(
                    "checklist",
                    format!("Action {} of the checklist needs both what is to be done and who does it", i + 1),
                ));
            }
        }
        Ok(())
    }

    /// Whether its review date has passed on `today`.
    pub fn review_overdue(&self, today: time::Date) -> bool {
        crate::policy::date("review_date", "", &self.review_date).map(|d| d < today).unwrap_or(false)
    }
}

/// Reads checklist lines written "action | owner role", one a line.
pub fn parse_checklist(text: &str) -> Result<Vec<ChecklistItem>, FieldError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| match line.rsplit_once('|') {
            Some((action, owner)) if !action.trim().is_empty() && !owner.trim().is_empty() => {
                Ok(ChecklistItem { action: action.trim().to_string(), owner_role: owner.trim().to_string() })
            }
            _ => Err(FieldError::new(
                "checklist",
                format!("Line {} of the checklist must read: the action | who does it", i + 1),
            )),
        })
        .collect()
}

/// Writes the checklist back as lines for the form.
pub fn checklist_text(items: &[ChecklistItem]) -> String {
    items.iter().map(|c| format!("{} | {}", c.action, c.owner_role)).collect::<Vec<_>>().join("\n")
}

/// Why an activation was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The national or police sector threat level was CRITICAL.
    ThreatLevelCritical,
    /// Started by hand at a lower level.
    ByHand,
}

impl Trigger {
    /// The trigger of an activation started while the site threat level is `level`.
    pub fn at(level: Option<ThreatLevel>) -> Trigger {
        if level == Some(ThreatLevel::Critical) {
            Trigger::ThreatLevelCritical
        } else {
            Trigger::ByHand
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::ThreatLevelCritical => "threat_level_critical",
            Trigger::ByHand => "by_hand",
        }
    }

    /// Reads what [`as_str`](Self::as_str) wrote.
    pub fn parse(s: &str) -> Option<Trigger> {
        [Trigger::ThreatLevelCritical, Trigger::ByHand].into_iter().find(|t| t.as_str() == s)
    }

    pub fn words(self) -> &'static str {
        match self {
            Trigger::ThreatLevelCritical => "The threat level became CRITICAL",
            Trigger::ByHand => "Started by hand",
        }
    }
}

/// Whether to offer activation: the threat level is CRITICAL and no
/// activation is open.
pub fn offer_activation(level: Option<ThreatLevel>, open_activation: bool) -> bool {
    level == Some(ThreatLevel::Critical) && !open_activation
}

/// Checks a reason given to start or stand down an activation.
pub fn check_reason(reason: &str, what: &str) -> Result<(), FieldError> {
    if reason.trim().is_empty() {
        return Err(FieldError::new("reason", format!("Enter why the plan is being {what}")));
    }
    if reason.chars().count() > 2000 {
        return Err(FieldError::new("reason", "The reason must be 2,000 characters or fewer"));
    }
    Ok(())
}

/// How far through its checklist an activation is: done and total.
pub fn progress(done: &[bool]) -> (usize, usize) {
    (done.iter().filter(|d| **d).count(), done.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn plan() -> CriticalPlan {
        CriticalPlan {
            reference: "Contingency Plan 448".into(),
            title: "Op Quantity (move to critical)".into(),
            owner: "Head of Tactical Operations".into(),
            version: "3.1".into(),
            review_date: "2027-01-31".into(),
            location: "The Commanders Portal".into(),
            checklist: vec![ChecklistItem { action: "Open the command suite".into(), owner_role: "Duty Supt".into() }],
        }
    }

    #[test]
    fn a_plan_needs_its_details_a_real_review_date_and_a_checklist() {
        assert!(plan().check().is_ok());
        assert_eq!(CriticalPlan { owner: " ".into(), ..plan() }.check().unwrap_err().field, "owner");
        assert_eq!(CriticalPlan { location: "".into(), ..plan() }.check().unwrap_err().field, "location");
        assert_eq!(
            CriticalPlan { review_date: "2027-02-30".into(), ..plan() }.check().unwrap_err().field,
            "review_date"
        );
        assert_eq!(CriticalPlan { checklist: vec![], ..plan() }.check().unwrap_err().field, "checklist");
        let blank = vec![ChecklistItem { action: "x".into(), owner_role: " ".into() }];
        assert_eq!(CriticalPlan { checklist: blank, ..plan() }.check().unwrap_err().field, "checklist");
        assert!(plan().review_overdue(date!(2027 - 02 - 01)));
        assert!(!plan().review_overdue(date!(2027 - 01 - 31)));
    }

    #[test]
    fn checklist_lines_read_action_then_owner() {
        let items = parse_checklist("Brief staff | Duty Inspector\n\n  Close counters|Station commander \n").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1], ChecklistItem { action: "Close counters".into(), owner_role: "Station commander".into() });
        assert_eq!(parse_checklist(&checklist_text(&items)).unwrap(), items);
        let e = parse_checklist("Brief staff | Duty Inspector\nno owner here").unwrap_err();
        assert!(e.message.contains("Line 2"), "{}", e.message);
        assert!(parse_checklist("| owner").is_err());
    }

    #[test]
    fn activation_is_offered_at_critical_unless_one_is_open() {
        assert!(offer_activation(Some(ThreatLevel::Critical), false));
        assert!(!offer_activation(Some(ThreatLevel::Critical), true));
        assert!(!offer_activation(Some(ThreatLevel::Severe), false));
        assert!(!offer_activation(None, false));
        assert_eq!(Trigger::at(Some(ThreatLevel::Critical)), Trigger::ThreatLevelCritical);
        assert_eq!(Trigger::at(Some(ThreatLevel::Severe)), Trigger::ByHand);
        for t in [Trigger::ThreatLevelCritical, Trigger::ByHand] {
            assert_eq!(Trigger::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), serde_json::json!(t.as_str()));
        }
    }

    #[test]
    fn progress_counts_the_steps_done() {
        assert_eq!(progress(&[true, false, true]), (2, 3));
        assert_eq!(progress(&[]), (0, 0));
        assert!(check_reason(" ", "activated").is_err());
        assert!(check_reason("CRITICAL announced", "activated").is_ok());
    }
}
