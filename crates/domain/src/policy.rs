//! Policy governance: a policy or standard operating procedure held as a
//! record with its reference, owner, start date and review cycle, so that an
//! overdue review is flagged. Shared by every capability that implements a
//! policy (the SECO SOP; the estate response levels).

use crate::access::Action;
use crate::identity::Role;
use crate::ids::{OrganisationId, PolicyId};
use serde::{Deserialize, Serialize};
use time::Date;

/// What is wrong with what was sent, and where.
pub use crate::advice::FieldError;

/// A policy record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Policy {
    pub id: PolicyId,
    /// The organisation that owns it.
    pub organisation_id: OrganisationId,
    /// Its reference, such as `SOP/228/10`.
    pub reference: String,
    pub title: String,
    /// The post that owns it, such as "ACC Protective Services".
    pub owner: String,
    /// Who to contact about it.
    #[serde(default)]
    pub contact: String,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    /// When it was last reviewed, `YYYY-MM-DD`; none if never.
    #[serde(default)]
    pub last_reviewed: Option<String>,
    /// Months between reviews.
    pub review_interval_months: u32,
    /// When the next review is due, `YYYY-MM-DD`.
    pub next_review: String,
    /// The result of the policy's risk assessment.
    #[serde(default)]
    pub risk_assessment: Option<Assessment>,
    /// The impact found by its equality impact assessment.
    #[serde(default)]
    pub equality_impact: Option<Assessment>,
    /// Who was asked to consult on it, when, and what they said.
    #[serde(default)]
    pub consultation: Vec<Consultation>,
    /// The linked standard operating procedure, such as its reference.
    #[serde(default)]
    pub procedure: String,
    /// The linked contingency plan, such as "Contingency Plan 448".
    #[serde(default)]
    pub contingency_plan: String,
}

/// A low, medium or high result (of a risk or equality impact assessment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Assessment {
    Low,
    Medium,
    High,
}

impl Assessment {
    pub const ALL: [Assessment; 3] = [Assessment::Low, Assessment::Medium, Assessment::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Assessment::Low => "low",
            Assessment::Medium => "medium",
            Assessment::High => "high",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Assessment::Low => "Low",
            Assessment::Medium => "Medium",
            Assessment::High => "High",
        }
    }

    /// Reads `low`, `medium` or `high`; a message naming `field` otherwise.
    pub fn parse(field: &'static str, s: &str) -> Result<Assessment, FieldError> {
        Assessment::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| FieldError::new(field, "Choose low, medium or high"))
    }
}

/// A consultee of a policy: who was asked, when, and their response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consultation {
    /// Who was asked, such as "Unison" or "Health and Safety".
    pub consultee: String,
    /// When they were asked, `YYYY-MM-DD`; none if not yet.
    #[serde(default)]
    pub asked_on: Option<String>,
    /// What they said; empty while awaited.
    #[serde(default)]
    pub response: String,
}

impl Consultation {
    /// Checks a consultee's entry; each error names its field.
    pub fn check(&self) -> Result<(), FieldError> {
        if self.consultee.trim().is_empty() {
            return Err(FieldError::new("consultee", "Enter who was asked to consult"));
        }
        if self.consultee.chars().count() > 200 {
            return Err(FieldError::new("consultee", "Enter who was asked in 200 characters or fewer"));
        }
        if let Some(a) = &self.asked_on {
            date("asked_on", "The date they were asked", a)?;
        }
        if self.response.chars().count() > 4000 {
            return Err(FieldError::new("response", "The response must be 4,000 characters or fewer"));
        }
        Ok(())
    }
}

/// Adds a consultee to the list, or changes the entry of the same consultee
/// (matched without regard to case or surrounding space).
pub fn upsert_consultation(list: &mut Vec<Consultation>, entry: Consultation) {
    let key = entry.consultee.trim().to_lowercase();
    match list.iter_mut().find(|c| c.consultee.trim().to_lowercase() == key) {
        Some(c) => *c = entry,
        None => list.push(entry),
    }
}

/// A date in `YYYY-MM-DD` form, or a message naming the field's label.
pub fn date(field: &'static str, label: &str, s: &str) -> Result<Date, FieldError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &fmt)
        .map_err(|_| FieldError::new(field, format!("{label} must be a real date, such as 2027-03-14")))
}

/// `d` moved on by whole months (to the month's last day when it is shorter).
pub fn add_months(d: Date, months: u32) -> Date {
    let total = d.year() * 12 + (d.month() as i32 - 1) + months as i32;
    let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    let mut day = d.day();
    loop {
        if let Ok(x) = Date::from_calendar_date(year, month, day) {
            return x;
        }
        day -= 1;
    }
}

impl Policy {
    /// Checks a policy record as it is saved.
    pub fn check(&self) -> Result<(), FieldError> {
        for (field, value, what) in [
            ("reference", &self.reference, "the policy's reference"),
            ("title", &self.title, "the policy's title"),
            ("owner", &self.owner, "the post that owns the policy"),
        ] {
            if value.trim().is_empty() {
                return Err(FieldError::new(field, format!("Enter {what}")));
            }
        }
        let start = date("start_date", "The start date", &self.start_date)?;
        if let Some(l) = &self.last_reviewed {
            let l = date("last_reviewed", "The date it was last reviewed", l)?;
            if l < start {
                return Err(FieldError::new("last_reviewed", "The last review cannot be before the start date"));
            }
        }
        if self.review_interval_months == 0 || self.review_interval_months > 120 {
            return Err(FieldError::new("review_interval_months", "The review interval must be 1 to 120 months"));
        }
        date("next_review", "The next review date", &self.next_review)?;
        for c in &self.consultation {
            c.check()?;
        }
        Ok(())
    }

    /// Whether its review is overdue on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        date("next_review", "", &self.next_review).map(|d| d < today).unwrap_or(false)
    }

    /// The review date that follows a review on `reviewed`.
    pub fn next_after(&self, reviewed: Date) -> Date {
        add_months(reviewed, self.review_interval_months)
    }
}

/// The journal events of policy records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PolicyEvent {
    /// A policy record was added or changed (including a review recorded).
    PolicySaved { policy: Policy },
}

crate::capability_event!(PolicyEvent, |e| match e {
    PolicyEvent::PolicySaved { policy } => format!("policy/{}", policy.id),
});

/// Keeping policy records.
pub const KEEP: Action = Action {
    name: "policy.keep",
    what: "add policy records and record their reviews",
    roles: Some(&[Role::Administrator, Role::DeploymentAuthority, Role::EstatesManager]),
    needs_team: false,
};

/// The capability's actions.
pub const ACTIONS: &[Action] = &[KEEP];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn sop() -> Policy {
        Policy {
            id: PolicyId::parse("sop-228-10").unwrap(),
            organisation_id: OrganisationId::parse("org").unwrap(),
            reference: "SOP/228/10".into(),
            title: "Security coordinator (SECO) SOP".into(),
            owner: "ACC Protective Services".into(),
            contact: String::new(),
            start_date: "2010-08-10".into(),
            last_reviewed: None,
            review_interval_months: 12,
            next_review: "2011-08-31".into(),
            risk_assessment: Some(Assessment::Medium),
            equality_impact: None,
            consultation: Vec::new(),
            procedure: String::new(),
            contingency_plan: String::new(),
        }
    }

    #[test]
    fn consultees_are_kept_once_each_and_checked() {
        let mut list = Vec::new();
        let c = |who: &str, response: &str| Consultation {
            consultee: who.into(),
            asked_on: Some("2024-01-15".into()),
            response: response.into(),
        };
        upsert_consultation(&mut list, c("Unison", ""));
        upsert_consultation(&mut list, c("Finance", ""));
        upsert_consultation(&mut list, c(" unison ", "No concerns"));
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].response, "No concerns");
        let p = Policy { consultation: list, ..sop() };
        assert_eq!(p.check(), Ok(()));
        let bad = Policy { consultation: vec![c(" ", "")], ..sop() };
        assert_eq!(bad.check().unwrap_err().field, "consultee");
        let bad_date = Consultation { asked_on: Some("2024-13-01".into()), ..c("Legal", "") };
        assert_eq!(Policy { consultation: vec![bad_date], ..sop() }.check().unwrap_err().field, "asked_on");
        assert_eq!(Assessment::parse("risk_assessment", "MEDIUM"), Ok(Assessment::Medium));
        assert_eq!(Assessment::parse("risk_assessment", "grave").unwrap_err().field, "risk_assessment");
    }

    #[test]
    fn a_two_yearly_review_is_overdue_the_day_after_it_falls_due() {
        let p = Policy { review_interval_months: 24, ..sop() };
        let next = p.next_after(date!(2024 - 03 - 01));
        assert_eq!(next, date!(2026 - 03 - 01));
        let p = Policy { next_review: next.to_string(), ..p };
        assert!(!p.overdue(date!(2026 - 03 - 01)));
        assert!(p.overdue(date!(2026 - 03 - 02)));
    }

    #[test]
    fn a_policy_past_its_review_date_is_overdue() {
        assert_eq!(sop().check(), Ok(()));
        assert!(sop().overdue(date!(2026 - 11 - 29)));
        assert!(!sop().overdue(date!(2011 - 08 - 31)));
        assert!(sop().overdue(date!(2011 - 09 - 01)));
    }

    #[test]
    fn a_policy_needs_its_reference_owner_and_real_dates() {
        assert_eq!(Policy { reference: " ".into(), ..sop() }.check().unwrap_err().field, "reference");
        assert_eq!(Policy { owner: "".into(), ..sop() }.check().unwrap_err().field, "owner");
        assert_eq!(Policy { start_date: "2010-02-30".into(), ..sop() }.check().unwrap_err().field, "start_date");
        assert_eq!(
            Policy { last_reviewed: Some("2009-01-01".into()), ..sop() }.check().unwrap_err().field,
            "last_reviewed"
        );
        assert_eq!(Policy { review_interval_months: 0, ..sop() }.check().unwrap_err().field, "review_interval_months");
    }

    #[test]
    fn months_are_added_to_the_last_day_when_the_month_is_shorter() {
        assert_eq!(add_months(date!(2024 - 02 - 29), 12), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2010 - 08 - 10), 12), date!(2011 - 08 - 10));
        assert_eq!(add_months(date!(2010 - 11 - 30), 3), date!(2011 - 02 - 28));
    }
}
