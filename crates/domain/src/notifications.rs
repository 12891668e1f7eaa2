//! Notifications: telling people what happened that concerns them, in the
//! application and by e-mail. What is said is fixed here, in words that hold
//! no protected content (no event names, no plan text): an e-mail may travel
//! over networks not accredited for OFFICIAL-SENSITIVE, so it says only what
//! happened and where to read about it, with the record's marking in its
//! subject line.

use crate::Marking;
use serde::{Deserialize, Serialize};

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Someone added the user to an event's team.
    AddedToTeam,
    /// The user was named the event's strategic commander.
    NamedGold,
    /// The user was named the event's tactical commander.
    NamedSilver,
    /// A version of a plan was issued for the user (Gold) to endorse.
    VersionIssued,
    /// A version of a plan the user works on was endorsed.
    VersionEndorsed,
    /// An action from a meeting was assigned to the user.
    ActionAssigned,
    /// An action the user owns has passed its due date.
    ActionOverdue,
    /// The response level of a site where the user works changed (to acknowledge).
    ResponseLevelChanged,
    /// The national or police sector level became CRITICAL: the estates
    /// manager is offered the activation of the move-to-critical plan.
    CriticalPlanOffered,
    /// The estates manager reminds the user to acknowledge the latest change
    /// of response level at their site.
    AcknowledgementReminder,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 10] = [
        NotificationKind::AddedToTeam,
        NotificationKind::NamedGold,
        NotificationKind::NamedSilver,
        NotificationKind::VersionIssued,
        NotificationKind::VersionEndorsed,
        NotificationKind::ActionAssigned,
        NotificationKind::ActionOverdue,
        NotificationKind::ResponseLevelChanged,
        NotificationKind::CriticalPlanOffered,
        NotificationKind::AcknowledgementReminder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::AddedToTeam => "added_to_team",
            NotificationKind::NamedGold => "named_gold",
            NotificationKind::NamedSilver => "named_silver",
            NotificationKind::VersionIssued => "version_issued",
            NotificationKind::VersionEndorsed => "version_endorsed",
            NotificationKind::ActionAssigned => "action_assigned",
            NotificationKind::ActionOverdue => "action_overdue",
            NotificationKind::ResponseLevelChanged => "response_level_changed",
            NotificationKind::CriticalPlanOffered => "critical_plan_offered",
            NotificationKind::AcknowledgementReminder => "acknowledgement_reminder",
        }
    }

    /// What happened, in words that name no event and hold no plan text.
    pub fn summary(self, number: Option<i64>) -> String {
        let version = number.map(|n| format!("Version {n}")).unwrap_or_else(|| "A version".into());
        match self {
            NotificationKind::AddedToTeam => "You were added to an event's team".into(),
            NotificationKind::NamedGold => "You were named strategic commander (Gold) of an event".into(),
            NotificationKind::NamedSilver => "You were named tactical commander (Silver) of an event".into(),
            NotificationKind::VersionIssued => format!("{version} of a plan was issued and awaits your endorsement"),
            NotificationKind::VersionEndorsed => format!("{version} of a plan you work on was endorsed"),
            NotificationKind::ActionAssigned => "An action from a meeting was assigned to you".into(),
            NotificationKind::ActionOverdue => "An action assigned to you is overdue".into(),
            NotificationKind::ResponseLevelChanged => "The response level at a site where you work changed".into(),
            NotificationKind::CriticalPlanOffered => {
                "The threat level is CRITICAL: activate the move-to-critical plan".into()
            }
            NotificationKind::AcknowledgementReminder => {
                "Reminder: acknowledge the new response level at a site where you work".into()
            }
        }
    }
}

impl std::str::FromStr for NotificationKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        NotificationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown notification kind {s:?}"))
    }
}

/// The e-mail's subject line: the marking first, as on every page.
pub fn mail_subject(marking: Marking, summary: &str) -> String {
    format!("[{marking}] Cordon: {summary}")
}

/// The e-mail's body: what happened and a link, nothing else.
pub fn mail_body(summary: &str, link: &str) -> String {
    format!(
        "{summary}.\r\n\r\nSign in to Cordon to read it:\r\n{link}\r\n\r\n\
         This message holds no protected content; the record it points to is marked and \
         only those who may see it can open the link.\r\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_names_the_marking_and_holds_only_what_happened() {
        let s = NotificationKind::VersionIssued.summary(Some(3));
        assert_eq!(s, "Version 3 of a plan was issued and awaits your endorsement");
        assert_eq!(
            mail_subject(Marking::OfficialSensitive, &s),
            "[OFFICIAL-SENSITIVE] Cordon: Version 3 of a plan was issued and awaits your endorsement"
        );
        let body = mail_body(&s, "https://cordon.example/events/x/plan/versions/3");
        assert!(body.contains("https://cordon.example/events/x/plan/versions/3"));
        for k in NotificationKind::ALL {
            assert_eq!(k.as_str().parse::<NotificationKind>().unwrap(), k);
            assert!(!k.summary(None).is_empty());
        }
    }
}
