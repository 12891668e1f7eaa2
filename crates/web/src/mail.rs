//! The background work behind notifications: e-mailing notices through the
//! configured SMTP relay (`--smtp-url`), and adding notices for actions that
//! have become overdue. It runs beside the server and never holds up a
//! request: a change records its notices in its own transaction; this task
//! works through the outbox afterwards, and a relay that is down only means
//! a notice waits and is tried again (the administrator's page shows it).

use cordon_domain::notifications::{mail_body, mail_subject};
use cordon_domain::Marking;
use cordon_store::Store;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Where and how to send e-mail.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `smtp://host:port` (plain; add `?tls=required` for STARTTLS) or `smtps://host:port`.
    pub smtp_url: String,
    /// The sender, such as `Cordon <cordon@northshire.police.example>`.
    pub from: String,
    /// The address people use, for links (`https://cordon.example.police.uk`).
    pub public_url: String,
}

/// How often the outbox is looked at, and the overdue sweep made.
const TICK: Duration = Duration::from_secs(2);
const SWEEP_EVERY: u32 = 30;

/// Starts the background task. With no mail settings, only the overdue sweep runs.
pub fn spawn(store: Store, mail: Option<MailSettings>) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let sender = match &mail {
        Some(m) => Some(Sender::new(m)?),
        None => None,
    };
    Ok(tokio::spawn(async move {
        let mut tick: u32 = 0;
        loop {
            if tick.is_multiple_of(SWEEP_EVERY) {
                match store.notifications().sweep_overdue().await {
                    Ok(n) if n > 0 => tracing::info!(notices = n, "notices added for overdue actions"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "the overdue sweep failed"),
                }
            }
            if let Some(s) = &sender {
                s.work(&store).await;
            }
            tick = tick.wrapping_add(1);
            tokio::time::sleep(TICK).await;
        }
    }))
}

struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl Sender {
    fn new(m: &MailSettings) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&m.smtp_url)
            .map_err(|e| anyhow::anyhow!("--smtp-url {}: {e}", m.smtp_url))?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        let from: Mailbox = m.from.parse().map_err(|e| anyhow::anyhow!("--smtp-from {}: {e}", m.from))?;
        Ok(Self { transport, from, public_url: m.public_url.trim_end_matches('/').to_string() })
    }

    /// Sends what is due, one at a time; a failure is recorded for a retry.
    async fn work(&self, store: &Store) {
        let due = match store.notifications().due_mail(50).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "the outbox could not be read");
                return;
            }
        };
        for mail in due {
            let result = self.send(&mail).await;
            let recorded = match result {
                Ok(()) => store.notifications().mail_sent(&mail.id).await,
                Err(e) => {
                    tracing::warn!(notice = %mail.id, error = %e, "a notice could not be e-mailed; it will be tried again");
                    store.notifications().mail_failed(&mail.id, mail.attempts, &e).await
                }
            };
            if let Err(e) = recorded {
                tracing::warn!(error = %e, "the outbox could not be updated");
            }
        }
    }

    async fn send(&self, mail: &cordon_store::notifications::Mail) -> Result<(), String> {
        let marking: Marking = mail.marking.parse().unwrap_or(Marking::OfficialSensitive);
        let to: Mailbox = format!("{} <{}>", mail.to_name.replace(['<', '>', '"'], ""), mail.to)
            .parse()
            .or_else(|_| mail.to.parse())
            .map_err(|e| format!("the address {} cannot be used: {e}", mail.to))?;
        let link = format!("{}{}", self.public_url, mail.link);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail_subject(marking, &mail.summary))
            .header(ContentType::TEXT_PLAIN)
            .body(mail_body(&mail.summary, &link))
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}
