//! Notifications: what happened that concerns a person, in the application
//! (a count in the header, a list, mark as read) and by e-mail through an
//! outbox that the mailer works through (`web::mail`). Rows are written by
//! the projector's `project::derive` in the append transaction and by
//! [`NotificationStore::sweep_overdue`]; sending never blocks or fails the
//! change that caused it.

pub mod project;

use crate::sql::Val;
use crate::{Store, StoreError};
use cordon_domain::access::Viewer;
use cordon_domain::notifications::NotificationKind;
use cordon_domain::plan::PlanItem;
use serde::Serialize;

/// One notification, as its recipient reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: String,
    pub kind: NotificationKind,
    pub summary: String,
    /// A path in Cordon.
    pub link: String,
    pub marking: String,
    pub created_at: String,
    pub read_at: Option<String>,
    /// The event it concerns, by name, when the reader may still see it.
    pub event_name: Option<String>,
}

/// An e-mail waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: String,
    pub to: String,
    pub to_name: String,
    pub summary: String,
    pub link: String,
    pub marking: String,
    pub attempts: i64,
}

/// The outbox as the administrator sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutboxSummary {
    pub pending: i64,
    pub failed: i64,
    pub sent: i64,
    /// The oldest notice still waiting, RFC 3339.
    pub oldest_waiting: Option<String>,
    /// The last error from the relay, if any notice is waiting after one.
    pub last_error: Option<String>,
}

/// How long a notice may wait before its e-mail is no longer worth sending
/// (a replay of an old journal derives notices from long ago).
pub const MAIL_FRESH_FOR: time::Duration = time::Duration::days(2);

/// The notifications capability's operations, reached as `store.notifications()`.
#[derive(Clone, Copy)]
pub struct NotificationStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn notifications(&self) -> NotificationStore<'_> {
        NotificationStore { store: self }
    }
}

fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}

impl NotificationStore<'_> {
    /// How many notifications the user has not read.
    pub async fn unread(&self, viewer: &Viewer) -> Result<i64, StoreError> {
        Ok(self
            .store
            .fetch_one(
                "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
                &[Val::from(&viewer.user_id)],
            )
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0))
    }

    /// A page of the user's notifications, newest first, with the total. The
    /// event's name is given only where the reader may still see the event.
    pub async fn list(
        &self,
        viewer: &Viewer,
        unread_only: bool,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Notification>, i64), StoreError> {
        let (visible, mut args) = self.store.records().visible(viewer, 1);
        let unread = if unread_only { " AND n.read_at IS NULL" } else { "" };
        args.push(Val::from(&viewer.user_id));
        let me = args.len();
        let total = self
            .store
            .fetch_one(
                &format!("SELECT COUNT(*) FROM notifications n WHERE n.user_id = $1{unread}"),
                &[Val::from(&viewer.user_id)],
            )
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0);
        args.push(Val::Int(limit.clamp(1, 200)));
        args.push(Val::Int(offset.max(0)));
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT n.id, n.kind, n.summary, n.link, n.marking, n.created_at, n.read_at, \
                     CASE WHEN r.id IS NOT NULL AND {visible} THEN e.name END \
                     FROM notifications n LEFT JOIN records r ON r.id = n.event_id \
                     LEFT JOIN planned_events e ON e.id = n.event_id \
                     WHERE n.user_id = ${me}{unread} ORDER BY n.created_at DESC, n.id DESC LIMIT ${} OFFSET ${}",
                    me + 1,
                    me + 2
                ),
                &args,
            )
            .await?;
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(Notification {
                    id: r.text(0),
                    kind: r.text(1).parse().map_err(StoreError::Integrity)?,
                    summary: r.text(2),
                    link: r.text(3),
                    marking: r.text(4),
                    created_at: r.text(5),
                    read_at: r.opt_text(6),
                    event_name: r.opt_text(7),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((items, total))
    }

    /// Marks one of the user's notifications read; someone else's is not found.
    pub async fn mark_read(&self, viewer: &Viewer, id: &str) -> Result<(), StoreError> {
        let found = self
            .store
            .fetch_one(
                "SELECT read_at FROM notifications WHERE id = $1 AND user_id = $2",
                &[t(id), Val::from(&viewer.user_id)],
            )
            .await?;
        match found {
            None => Err(StoreError::not_found(None, "no such notification")),
            Some(r) if r.opt_text(0).is_some() => Ok(()),
            Some(_) => {
                self.store
                    .fetch(
                        "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2",
                        &[t(id), Val::from(&viewer.user_id), t(&self.store.now_text())],
                    )
                    .await?;
                Ok(())
            }
        }
    }

    /// Marks all of the user's notifications read; returns how many were unread.
    pub async fn mark_all_read(&self, viewer: &Viewer) -> Result<i64, StoreError> {
        let n = self.unread(viewer).await?;
        self.store
            .fetch(
                "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
                &[Val::from(&viewer.user_id), t(&self.store.now_text())],
            )
            .await?;
        Ok(n)
    }

    /// Adds a notice for every open action assigned to a Cordon user whose due
    /// date has passed, once per action; returns how many were added. Closed
    /// events are left alone.
    pub async fn sweep_overdue(&self) -> Result<usize, StoreError> {
        let today = self.store.today();
        let mut added = 0;
        for (event_id, marking, item) in self.assigned_actions(None).await? {
            let anchor = format!("{}-{}", item.section(), item.id());
            let key = project::action_owner_key(&item);
            for a in item.assigned_actions() {
                let Some(user) = &a.owner_user_id else { continue };
                if !action_overdue(&a.due, &a.status, today) {
                    continue;
                }
                let kind = NotificationKind::ActionOverdue;
                let id = format!("overdue:{event_id}:{key}:{}:{user}:{}", project::action_key(&a.text), a.due);
                let rows = self
                    .store
                    .fetch(
                        "INSERT INTO notifications (id, user_id, kind, event_id, summary, link, marking, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING id",
                        &[
                            t(&id),
                            Val::from(user),
                            t(kind.as_str()),
                            t(&event_id),
                            t(&kind.summary(None)),
                            t(&format!("/events/{event_id}/plan#{anchor}")),
                            t(&marking),
                            t(&self.store.now_text()),
                        ],
                    )
                    .await?;
                added += rows.len();
            }
        }
        Ok(added)
    }

    /// Meetings (of events not closed) with an action assigned to a Cordon
    /// user (`user`, or anyone), with their event's id and marking. No
    /// access check: for the sweep and for [`crate::tasks`], which checks.
    pub(crate) async fn assigned_actions(
        &self,
        user: Option<&str>,
    ) -> Result<Vec<(String, String, PlanItem)>, StoreError> {
        let pattern = match user {
            Some(u) => format!("%\"owner_user_id\":\"{u}\"%"),
            None => "%\"owner_user_id\"%".to_string(),
        };
        let rows = self
            .store
            .fetch(
                "SELECT p.event_id, COALESCE(p.marking, e.marking), p.body FROM plan_items p \
                 JOIN planned_events e ON e.id = p.event_id \
                 WHERE p.section IN ('meeting', 'liaison') AND e.status <> 'closed' AND p.body LIKE $1 \
                 ORDER BY p.event_id, p.item_id",
                &[t(&pattern)],
            )
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let item: PlanItem = serde_json::from_str(&r.text(2))
                .map_err(|e| StoreError::Integrity(format!("a stored plan item does not read back: {e}")))?;
            out.push((r.text(0), r.text(1), item));
        }
        Ok(out)
    }

    /// E-mails due to be sent: pending or failed and due for a retry, of
    /// notices fresh enough to be worth sending, to active users. Older ones
    /// are marked skipped.
    pub async fn due_mail(&self, limit: i64) -> Result<Vec<Mail>, StoreError> {
        let now = self.store.now();
        let fresh = crate::format_time(now - MAIL_FRESH_FOR);
        self.store
            .fetch(
                "UPDATE notifications SET mail_state = 'skipped' WHERE mail_state IN ('pending', 'failed') AND created_at < $1",
                &[t(&fresh)],
            )
            .await?;
        let rows = self
            .store
            .fetch(
                "SELECT n.id, u.email, u.name, n.summary, n.link, n.marking, n.mail_attempts FROM notifications n \
                 JOIN users u ON u.id = n.user_id \
                 WHERE n.mail_state IN ('pending', 'failed') AND (n.mail_next_at IS NULL OR n.mail_next_at <= $1) \
                 AND u.active = 1 ORDER BY n.created_at LIMIT $2",
                &[t(&crate::format_time(now)), Val::Int(limit)],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Mail {
                id: r.text(0),
                to: r.text(1),
                to_name: r.text(2),
                summary: r.text(3),
                link: r.text(4),
                marking: r.text(5),
                attempts: r.int(6),
            })
            .collect())
    }

    /// Records that a notice's e-mail was handed to the relay.
    pub async fn mail_sent(&self, id: &str) -> Result<(), StoreError> {
        self.store
            .fetch(
                "UPDATE notifications SET mail_state = 'sent', mail_sent_at = $2, mail_error = NULL, \
                 mail_attempts = mail_attempts + 1 WHERE id = $1",
                &[t(id), t(&self.store.now_text())],
            )
            .await?;
        Ok(())
    }

    /// Records a failed attempt; the next is tried after a back-off that
    /// doubles from one minute up to an hour.
    pub async fn mail_failed(&self, id: &str, attempts: i64, error: &str) -> Result<(), StoreError> {
        let wait = time::Duration::minutes(1i64 << attempts.clamp(0, 6)).min(time::Duration::hours(1));
        let next = crate::format_time(self.store.now() + wait);
        let error: String = error.chars().take(500).collect();
        self.store
            .fetch(
                "UPDATE notifications SET mail_state = 'failed', mail_attempts = mail_attempts + 1, \
                 mail_next_at = $2, mail_error = $3 WHERE id = $1",
                &[t(id), t(&next), t(&error)],
            )
            .await?;
        Ok(())
    }

    /// The outbox in figures, for the administrator's page.
    pub async fn outbox(&self) -> Result<OutboxSummary, StoreError> {
        let fresh = crate::format_time(self.store.now() - MAIL_FRESH_FOR);
        let r = self
            .store
            .fetch_one(
                "SELECT \
                 COALESCE(SUM(CASE WHEN mail_state = 'pending' THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN mail_state = 'failed' THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN mail_state = 'sent' THEN 1 ELSE 0 END), 0), \
                 MIN(CASE WHEN mail_state IN ('pending', 'failed') THEN created_at END) \
                 FROM notifications WHERE created_at >= $1 OR mail_state = 'sent'",
                &[t(&fresh)],
            )
            .await?;
        let last_error = self
            .store
            .fetch_one(
                "SELECT mail_error FROM notifications WHERE mail_state = 'failed' AND mail_error IS NOT NULL \
                 ORDER BY mail_next_at DESC LIMIT 1",
                &[],
            )
            .await?
            .and_then(|r| r.opt_text(0));
        Ok(match r {
            Some(r) => OutboxSummary {
                pending: r.int(0),
                failed: r.int(1),
                sent: r.int(2),
                oldest_waiting: r.opt_text(3),
                last_error,
            },
            None => OutboxSummary::default(),
        })
    }
}

/// Whether an action is overdue on `today`: open (not done) with a due date
/// (YYYY-MM-DD) before today.
pub fn action_overdue(due: &str, status: &str, today: time::Date) -> bool {
    let open = !matches!(status.trim().to_lowercase().as_str(), "done" | "complete" | "completed" | "closed");
    open && cordon_domain::reference::parse_date(due.trim()).is_ok_and(|d| d < today)
}
