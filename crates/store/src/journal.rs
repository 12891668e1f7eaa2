//! The journal: append (the single write path), verify and rebuild.

use crate::projector;
use crate::sql::{Row, Tx, Val};
use crate::{Store, StoreError};
use cordon_domain::journal::{verify_run, Entry, Fault, GENESIS};
use cordon_domain::{Event, Marking};

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: String,
    pub organisation: String,
}

impl Actor {
    /// Cordon itself, loading reference data or applying migrations.
    pub fn system() -> Actor {
        Actor { user: "system".into(), organisation: "cordon".into() }
    }

    pub fn new(user: impl Into<String>, organisation: impl Into<String>) -> Actor {
        Actor { user: user.into(), organisation: organisation.into() }
    }
}

/// The outcome of verifying the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries checked before the first fault (all of them when intact).
    pub checked: i64,
    /// The sequence number the journal head records.
    pub head: i64,
    pub fault: Option<Fault>,
}

/// The outcome of replaying the journal into empty state tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildReport {
    pub entries: i64,
    /// Whether the replayed state equals the live state, table by table.
    pub equal: bool,
    /// What differed, a line per table.
    pub differences: Vec<String>,
    /// Whether the replayed state was kept.
    pub applied: bool,
}

const PAGE: i64 = 5_000;

/// A chained, append-only log: the journal of changes, or the access log of
/// denials and sensitive reads. Both have the same shape and the same chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ledger {
    Journal,
    AccessLog,
}

impl Ledger {
    pub fn name(self) -> &'static str {
        match self {
            Ledger::Journal => "journal",
            Ledger::AccessLog => "access log",
        }
    }

    fn page_sql(self) -> &'static str {
        match self {
            Ledger::Journal => {
                "SELECT seq, at, actor, organisation, stream, kind, marking, payload, chain \
                 FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2"
            }
            Ledger::AccessLog => {
                "SELECT seq, at, actor, organisation, stream, kind, marking, payload, chain \
                 FROM access_log WHERE seq > $1 ORDER BY seq LIMIT $2"
            }
        }
    }

    fn lock_head_sql(self) -> &'static str {
        match self {
            Ledger::Journal => "UPDATE journal_head SET seq = seq WHERE id = 1 RETURNING seq, chain",
            Ledger::AccessLog => "UPDATE access_log_head SET seq = seq WHERE id = 1 RETURNING seq, chain",
        }
    }

    fn head_sql(self) -> &'static str {
        match self {
            Ledger::Journal => "SELECT seq, chain FROM journal_head WHERE id = 1",
            Ledger::AccessLog => "SELECT seq, chain FROM access_log_head WHERE id = 1",
        }
    }

    fn set_head_sql(self) -> &'static str {
        match self {
            Ledger::Journal => "UPDATE journal_head SET seq = $1, chain = $2 WHERE id = 1",
            Ledger::AccessLog => "UPDATE access_log_head SET seq = $1, chain = $2 WHERE id = 1",
        }
    }

    /// The start of an INSERT; `insert_entries` adds the VALUES rows.
    fn insert_sql(self) -> &'static str {
        match self {
            Ledger::Journal => {
                "INSERT INTO journal (seq, at, actor, organisation, stream, kind, marking, payload, chain)"
            }
            Ledger::AccessLog => {
                "INSERT INTO access_log (seq, at, actor, organisation, stream, kind, marking, payload, chain)"
            }
        }
    }
}

/// One entry to chain: who, stream, kind, marking, payload, and the event to
/// project (journal entries only).
type Item<'a> = (Actor, String, String, String, String, Option<&'a Event>);

/// Entries waiting for the access log writer, and where to say they are durable.
pub(crate) type AccessJob = (Actor, Vec<AccessEntry>, tokio::sync::oneshot::Sender<Result<(), StoreError>>);

/// An entry for the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    /// The record or thing concerned, such as `event/0190…` or `sign-in/jo@…`.
    pub stream: String,
    /// `read`, `denied`, `sign_in_failed`, `sign_in`, `sign_out`, …
    pub kind: String,
    pub marking: String,
    /// A JSON object with the details.
    pub payload: String,
}

fn entry_of(mut r: Row) -> (Entry, Vec<u8>) {
    let chain = r.take_bytes(8);
    let entry = Entry {
        seq: r.int(0),
        at: r.take_text(1),
        actor: r.take_text(2),
        organisation: r.take_text(3),
        stream: r.take_text(4),
        kind: r.take_text(5),
        marking: r.take_text(6),
        payload: r.take_text(7),
    };
    (entry, chain)
}

fn conflict_or_db(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict("that record already exists".into())
        }
        _ => StoreError::Db(e),
    }
}

/// What a write expects of the journal: the last sequence number of a
/// stream, as the writer read it. Checked inside the append transaction,
/// under the head row's lock, so a write based on a state someone else has
/// since changed is refused ([`StoreError::Stale`]) instead of overwriting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    pub stream: String,
    /// 0 when the stream had no entries.
    pub last_seq: i64,
}

impl Expect {
    pub fn stream(stream: impl Into<String>, last_seq: i64) -> Self {
        Expect { stream: stream.into(), last_seq }
    }
}

/// The message of a stale write, in the user's words.
pub const STALE: &str = "someone else changed this record after you opened it; \
     check the current version below, then make your change again";

impl Store {
    /// Appends events in one transaction, applying each to the state tables.
    /// Returns their sequence numbers. Either all are recorded or none.
    pub async fn append(&self, actor: &Actor, events: &[(Event, Marking)]) -> Result<Vec<i64>, StoreError> {
        self.append_with(actor, events, &[]).await
    }

    /// As [`Store::append`], only if `expect` still holds: otherwise nothing
    /// is written and the answer is [`StoreError::Stale`].
    pub async fn append_expecting(
        &self,
        actor: &Actor,
        events: &[(Event, Marking)],
        expect: Option<&Expect>,
    ) -> Result<Vec<i64>, StoreError> {
        self.append_checked(actor, events, &[], expect).await
    }

    /// The last sequence number of a stream (0 when it has none).
    pub async fn stream_seq(&self, stream: &str) -> Result<i64, StoreError> {
        Ok(self
            .fetch_one("SELECT MAX(seq) FROM journal WHERE stream = $1", &[Val::Text(stream.to_string())])
            .await?
            .and_then(|r| r.opt_int(0))
            .unwrap_or(0))
    }

    /// As [`Store::append`], also running `extra` statements on operational
    /// (non-projection) tables, such as credentials, in the same transaction.
    pub async fn append_with(
        &self,
        actor: &Actor,
        events: &[(Event, Marking)],
        extra: &[crate::Stmt],
    ) -> Result<Vec<i64>, StoreError> {
        self.append_checked(actor, events, extra, None).await
    }

    async fn append_checked(
        &self,
        actor: &Actor,
        events: &[(Event, Marking)],
        extra: &[crate::Stmt],
        expect: Option<&Expect>,
    ) -> Result<Vec<i64>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let items: Vec<_> = events
            .iter()
            .map(|(event, marking)| {
                (
                    actor.clone(),
                    event.stream(),
                    event.kind().to_string(),
                    marking.as_str().to_string(),
                    event.to_payload(),
                    Some(event),
                )
            })
            .collect();
        self.chain_append(Ledger::Journal, items, extra, expect).await
    }

    /// Records entries in the access log.
    ///
    /// Entries from concurrent requests are committed together (group commit):
    /// each call returns once its entries are durable, but many calls share
    /// one transaction, so logging every sensitive read stays cheap under load.
    pub async fn log_access(&self, actor: &Actor, entries: Vec<AccessEntry>) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let sender = self.access_sender();
        if sender.send((actor.clone(), entries, done_tx)).await.is_err() {
            return Err(StoreError::Integrity("the access log writer has stopped".into()));
        }
        done_rx.await.map_err(|_| StoreError::Integrity("the access log writer has stopped".into()))?
    }

    fn access_sender(&self) -> tokio::sync::mpsc::Sender<AccessJob> {
        self.inner
            .access_writer
            .get_or_init(|| {
                let (tx, mut rx) = tokio::sync::mpsc::channel::<AccessJob>(1024);
                let weak = std::sync::Arc::downgrade(&self.inner);
                tokio::spawn(async move {
                    while let Some(first) = rx.recv().await {
                        let mut jobs = vec![first];
                        while jobs.len() < 256 {
                            match rx.try_recv() {
                                Ok(j) => jobs.push(j),
                                Err(_) => break,
                            }
                        }
                        let Some(inner) = weak.upgrade() else { break };
                        let store = Store { inner };
                        let items = jobs
                            .iter()
                            .flat_map(|(actor, entries, _)| {
                                entries.iter().map(move |e| {
                                    (
                                        actor.clone(),
                                        e.stream.clone(),
                                        e.kind.clone(),
                                        e.marking.clone(),
                                        e.payload.clone(),
                                        None,
                                    )
                                })
                            })
                            .collect();
                        let result = store.chain_append(Ledger::AccessLog, items, &[], None).await;
                        for (_, _, done) in jobs {
                            let _ = done.send(match &result {
                                Ok(_) => Ok(()),
                                Err(e) => Err(StoreError::Integrity(format!("could not write the access log: {e}"))),
                            });
                        }
                    }
                });
                tx
            })
            .clone()
    }

    async fn chain_append(
        &self,
        ledger: Ledger,
        items: Vec<Item<'_>>,
        extra: &[crate::Stmt],
        expect: Option<&Expect>,
    ) -> Result<Vec<i64>, StoreError> {
        let key = self.key()?.clone();
        // Serialise writers in this process; the head row lock serialises processes.
        let _guard = match ledger {
            Ledger::Journal => self.inner.write_lock.lock().await,
            Ledger::AccessLog => self.inner.access_lock.lock().await,
        };
        let mut tx = self.begin().await?;
        let result = async {
            let head = tx.fetch(ledger.lock_head_sql(), &[]).await?;
            let head = head
                .into_iter()
                .next()
                .ok_or_else(|| StoreError::Integrity(format!("the {} head row is missing", ledger.name())))?;
            if let Some(expect) = expect {
                // Under the head row's lock: no other write can come between.
                let last = tx
                    .fetch("SELECT MAX(seq) FROM journal WHERE stream = $1", &[Val::Text(expect.stream.clone())])
                    .await?
                    .first()
                    .and_then(|r| r.opt_int(0))
                    .unwrap_or(0);
                if last != expect.last_seq {
                    return Err(StoreError::Stale(STALE.into()));
                }
            }
            let mut seq = head.int(0);
            let mut chain: [u8; 32] = head
                .bytes(1)
                .try_into()
                .map_err(|_| StoreError::Integrity(format!("the {} head chain value is malformed", ledger.name())))?;
            let at = self.now_text();
            let mut seqs = Vec::with_capacity(items.len());
            // Entries are written many rows to a statement; the projection of
            // each event still runs in order, in the same transaction.
            let mut rows = Vec::with_capacity(items.len().min(INSERT_ROWS));
            for (actor, stream, kind, marking, payload, event) in items {
                seq += 1;
                let entry = Entry {
                    seq,
                    at: at.clone(),
                    actor: actor.user,
                    organisation: actor.organisation,
                    stream,
                    kind,
                    marking,
                    payload,
                };
                chain = key.link(&chain, &entry);
                if let Some(event) = event {
                    for stmt in projector::apply(event, &entry) {
                        tx.exec(stmt.sql, &stmt.args).await.map_err(conflict_or_db)?;
                    }
                }
                rows.push((entry, chain));
                if rows.len() == INSERT_ROWS {
                    insert_entries(&mut tx, ledger, &std::mem::take(&mut rows)).await?;
                }
                seqs.push(seq);
            }
            insert_entries(&mut tx, ledger, &rows).await?;
            for stmt in extra {
                tx.exec(stmt.sql, &stmt.args).await.map_err(conflict_or_db)?;
            }
            tx.exec(ledger.set_head_sql(), &[Val::Int(seq), Val::Bytes(chain.to_vec())]).await?;
            Ok::<_, StoreError>(seqs)
        }
        .await;
        match result {
            Ok(seqs) => {
                tx.commit().await?;
                Ok(seqs)
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    /// Checks every entry's chain value, that no sequence number is missing, and
    /// that the head matches the last entry. Names the first bad entry.
    pub async fn verify(&self, progress: &(dyn Fn(i64) + Sync)) -> Result<VerifyReport, StoreError> {
        self.verify_ledger(Ledger::Journal, progress).await
    }

    /// Verifies one ledger: the journal or the access log.
    pub async fn verify_ledger(
        &self,
        ledger: Ledger,
        progress: &(dyn Fn(i64) + Sync),
    ) -> Result<VerifyReport, StoreError> {
        let key = self.key()?.clone();
        if let Some(path) = self.inner.sqlite_path.clone() {
            // A fresh read-only connection on a blocking thread; see verify_sqlite.
            return tokio::task::spawn_blocking(move || crate::verify_sqlite::verify(&path, &key, ledger))
                .await
                .map_err(|e| StoreError::Integrity(format!("the verifier stopped: {e}")))?;
        }
        let head = self
            .fetch_one(ledger.head_sql(), &[])
            .await?
            .ok_or_else(|| StoreError::Integrity(format!("the {} head row is missing", ledger.name())))?;
        let head_seq = head.int(0);
        let head_chain = head.bytes(1);

        // Read pages here while a blocking thread checks the previous one.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<(Entry, Vec<u8>)>>(4);
        let checker = tokio::task::spawn_blocking(move || {
            let mut prev = (0i64, GENESIS);
            while let Some(page) = rx.blocking_recv() {
                prev = verify_run(&key, prev, &page).map_err(|f| (f, prev.0))?;
            }
            Ok::<_, (Fault, i64)>(prev)
        });
        let mut after = 0i64;
        loop {
            let page = self.ledger_page(ledger, after, PAGE).await?;
            let n = page.len() as i64;
            if n == 0 {
                break;
            }
            after = page.last().map(|(e, _)| e.seq).unwrap_or(after);
            if tx.send(page).await.is_err() {
                break; // the checker found a fault
            }
            progress(after);
            if n < PAGE {
                break;
            }
        }
        drop(tx);
        let outcome = checker.await.map_err(|e| StoreError::Integrity(format!("the verifier stopped: {e}")))?;
        let (last, chain) = match outcome {
            Ok(v) => v,
            Err((fault, before)) => {
                return Ok(VerifyReport { checked: (fault.seq() - 1).max(before), head: head_seq, fault: Some(fault) })
            }
        };
        let fault = if last < head_seq {
            Some(Fault::Truncated { seq: last + 1, last, head: head_seq })
        } else if last > head_seq || chain.as_slice() != head_chain.as_slice() {
            Some(Fault::HeadMismatch { seq: last })
        } else {
            None
        };
        Ok(VerifyReport { checked: last, head: head_seq, fault })
    }

    /// Replays the journal into empty state tables inside one transaction and
    /// compares the result with the live state. Keeps the replayed state when
    /// `apply` is set, otherwise rolls it back.
    pub async fn rebuild(&self, apply: bool) -> Result<RebuildReport, StoreError> {
        let _guard = self.inner.write_lock.lock().await;
        let mut tx = self.begin().await?;
        let result = async {
            // Lock out appends for the duration.
            tx.fetch("UPDATE journal_head SET seq = seq WHERE id = 1 RETURNING seq", &[]).await?;
            let live = dump(&mut tx).await?;
            for table in projector::tables().collect::<Vec<_>>().into_iter().rev() {
                tx.exec(&format!("DELETE FROM {}", table.name), &[]).await?;
            }
            let mut after = 0i64;
            let mut entries = 0i64;
            loop {
                let rows = tx.fetch(Ledger::Journal.page_sql(), &[Val::Int(after), Val::Int(PAGE)]).await?;
                let n = rows.len() as i64;
                for row in rows {
                    let (entry, _) = entry_of(row);
                    let event = Event::from_payload(&entry.payload).map_err(|e| {
                        StoreError::Integrity(format!("entry {} has a payload that cannot be read: {e}", entry.seq))
                    })?;
                    for stmt in projector::apply(&event, &entry) {
                        tx.exec(stmt.sql, &stmt.args).await?;
                    }
                    after = entry.seq;
                    entries += 1;
                }
                if n < PAGE {
                    break;
                }
            }
            let rebuilt = dump(&mut tx).await?;
            let mut differences = Vec::new();
            for ((table, a), (_, b)) in live.iter().zip(rebuilt.iter()) {
                if a != b {
                    let only_live = a.iter().filter(|r| !b.contains(r)).count();
                    let only_rebuilt = b.iter().filter(|r| !a.contains(r)).count();
                    differences.push(format!(
                        "{table}: {} live rows, {} replayed; {only_live} only in the live state, {only_rebuilt} only in the replay",
                        a.len(),
                        b.len()
                    ));
                }
            }
            Ok::<_, StoreError>((entries, differences))
        }
        .await;
        match result {
            Ok((entries, differences)) => {
                let equal = differences.is_empty();
                if apply {
                    tx.commit().await?;
                } else {
                    tx.rollback().await?;
                }
                Ok(RebuildReport { entries, equal, differences, applied: apply })
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    /// Every state table, rows in key order, for comparing states.
    pub async fn dump_state(&self) -> Result<Vec<(String, Vec<Row>)>, StoreError> {
        let mut tx = self.begin().await?;
        let d = dump(&mut tx).await;
        tx.rollback().await?;
        d
    }

    /// Up to `limit` entries after sequence number `after`, in order, with their chain values.
    pub async fn journal_page(&self, after: i64, limit: i64) -> Result<Vec<(Entry, Vec<u8>)>, StoreError> {
        self.ledger_page(Ledger::Journal, after, limit).await
    }

    pub async fn ledger_page(
        &self,
        ledger: Ledger,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(Entry, Vec<u8>)>, StoreError> {
        let rows = self.fetch(ledger.page_sql(), &[Val::Int(after), Val::Int(limit)]).await?;
        Ok(rows.into_iter().map(entry_of).collect())
    }

    /// The last `limit` journal entries, newest first.
    pub async fn recent_entries(&self, limit: i64) -> Result<Vec<Entry>, StoreError> {
        let rows = self
            .fetch(
                "SELECT seq, at, actor, organisation, stream, kind, marking, payload, chain \
                 FROM journal ORDER BY seq DESC LIMIT $1",
                &[Val::Int(limit)],
            )
            .await?;
        Ok(rows.into_iter().map(|r| entry_of(r).0).collect())
    }
}

/// Ledger rows per INSERT statement: 9 parameters each, well inside the
/// limits of SQLite (32,766) and PostgreSQL (65,535), and few enough that
/// SQLite's binding (a linear scan for each parameter's name, so quadratic in
/// a statement's parameters) stays cheap.
const INSERT_ROWS: usize = 32;

async fn insert_entries(tx: &mut Tx, ledger: Ledger, rows: &[(Entry, [u8; 32])]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = String::with_capacity(120 + rows.len() * 48);
    sql.push_str(ledger.insert_sql());
    let mut args = Vec::with_capacity(rows.len() * 9);
    for (i, (e, chain)) in rows.iter().enumerate() {
        sql.push_str(if i == 0 { " VALUES (" } else { ", (" });
        for c in 0..9 {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(i * 9 + c + 1).to_string());
        }
        sql.push(')');
        args.extend([
            Val::Int(e.seq),
            Val::Text(e.at.clone()),
            Val::Text(e.actor.clone()),
            Val::Text(e.organisation.clone()),
            Val::Text(e.stream.clone()),
            Val::Text(e.kind.clone()),
            Val::Text(e.marking.clone()),
            Val::Text(e.payload.clone()),
            Val::Bytes(chain.to_vec()),
        ]);
    }
    tx.exec(&sql, &args).await?;
    Ok(())
}

async fn dump(tx: &mut Tx) -> Result<Vec<(String, Vec<Row>)>, StoreError> {
    let mut out = Vec::new();
    for t in projector::tables() {
        let rows = tx.fetch(&format!("SELECT * FROM {} ORDER BY {}", t.name, t.order_by), &[]).await?;
        out.push((t.name.to_string(), rows));
    }
    Ok(out)
}
