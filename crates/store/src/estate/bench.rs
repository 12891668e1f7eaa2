//! What `cordon bench estate` needs from the store: an estate at national
//! scale seeded through the journal, and the rows a threat level change wrote
//! inserted again raw, in batches, for the ratio. Nothing here is reached by
//! the application.

use super::{integrity, EstateStore};
use crate::journal::Actor;
use crate::sql::Val;
use crate::StoreError;
use cordon_domain::estate::{self, EstateEvent, SiteKind};
use cordon_domain::event::Event;
use cordon_domain::identity::{Clearance, IdentityEvent, Role};
use cordon_domain::ids::{OrganisationId, SiteId, UserId};
use cordon_domain::Marking;

/// Events per append while seeding.
const SEED_BATCH: usize = 5_000;

/// Rows per statement of the raw insert (about 550 parameters: SQLite's
/// binding is quadratic in a statement's parameters, see `places::project`).
const RAW_BATCH: usize = 60;

/// `head` followed by `rows` tuples of `width` numbered parameters.
fn values_sql(sql: &mut String, head: &str, width: usize, rows: usize) {
    sql.clear();
    sql.push_str(head);
    for k in 0..rows {
        sql.push_str(if k == 0 { " (" } else { ", (" });
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", k * width + c + 1));
        }
        sql.push(')');
    }
}

impl EstateStore<'_> {
    /// Seeds `sites` sites of `org` with `staff` members of staff shared
    /// among them (new accounts, without passwords), through the journal in
    /// batches, at the threat level in force now. Returns the site ids.
    pub async fn seed_for_bench(
        &self,
        actor: &Actor,
        org: &OrganisationId,
        sites: usize,
        staff: usize,
    ) -> Result<Vec<SiteId>, StoreError> {
        let threat_level = self.threat_level_now().await?;
        let floor = estate::floor_of(threat_level);
        let ids: Vec<SiteId> = (0..sites).map(|_| SiteId::generate()).collect();
        let mut batch = Vec::with_capacity(SEED_BATCH);
        let kinds = SiteKind::ALL;
        for (i, id) in ids.iter().enumerate() {
            batch.push((
                Event::Estate(EstateEvent::SiteAdded {
                    id: id.clone(),
                    organisation_id: org.clone(),
                    name: format!("Bench site {i:05}"),
                    kind: kinds[i % kinds.len()],
                    address: format!("{} Station Road, Town {}", 1 + i % 200, i % 43),
                    division: format!("Division {}", i % 43),
                    threat_level,
                    floor,
                }),
                Marking::Official,
            ));
            if batch.len() == SEED_BATCH {
                self.store.append(actor, &batch).await?;
                batch.clear();
            }
        }
        for i in 0..staff {
            let user_id = UserId::generate();
            batch.push((
                Event::Identity(IdentityEvent::UserAdded {
                    id: user_id.clone(),
                    email: format!("staff{i:06}@bench.police.uk"),
                    name: format!("Bench Officer {i:06}"),
                    organisation_id: org.clone(),
                    roles: vec![Role::Staff],
                    clearance: Clearance::Bpss,
                }),
                Marking::Official,
            ));
            if !ids.is_empty() {
                batch.push((
                    Event::Estate(EstateEvent::SiteStaffAdded { site_id: ids[i % ids.len()].clone(), user_id }),
                    Marking::Official,
                ));
            }
            if batch.len() >= SEED_BATCH {
                self.store.append(actor, &batch).await?;
                batch.clear();
            }
        }
        if !batch.is_empty() {
            self.store.append(actor, &batch).await?;
        }
        Ok(ids)
    }

    /// The journal entries after `after_seq`, the sites and the notices of a
    /// change of response level, inserted again raw into empty copies of
    /// their tables (with the same indexes), in batches of multi-row
    /// statements in one transaction that is then rolled back. Returns the
    /// seconds the inserts took and the rows inserted.
    pub async fn raw_insert_for_bench(&self, after_seq: i64) -> Result<(f64, usize), StoreError> {
        let journal = self
            .store
            .fetch(
                "SELECT seq, at, actor, organisation, stream, kind, marking, payload, chain FROM journal \
                 WHERE seq > $1 ORDER BY seq",
                &[Val::Int(after_seq)],
            )
            .await?;
        let notices = self
            .store
            .fetch(
                "SELECT id, user_id, kind, summary, link, marking, created_at, site_id, response_level \
                 FROM notifications WHERE kind = 'response_level_changed'",
                &[],
            )
            .await?;
        let sites =
            self.store.fetch("SELECT id, threat_level, floor, floor_rank, response_level FROM sites", &[]).await?;
        let mut tx = self.store.begin().await?;
        for sql in [
            "CREATE TEMPORARY TABLE bench_journal AS SELECT * FROM journal WHERE 1 = 0",
            "CREATE UNIQUE INDEX bench_journal_seq ON bench_journal (seq)",
            "CREATE INDEX bench_journal_stream ON bench_journal (stream, seq)",
            "CREATE TEMPORARY TABLE bench_notices AS SELECT * FROM notifications WHERE 1 = 0",
            "CREATE UNIQUE INDEX bench_notices_id ON bench_notices (id)",
            "CREATE INDEX bench_notices_user ON bench_notices (user_id, created_at)",
            "CREATE INDEX bench_notices_unread ON bench_notices (user_id, read_at)",
            "CREATE INDEX bench_notices_mail ON bench_notices (mail_state, mail_next_at)",
            "CREATE INDEX bench_notices_site ON bench_notices (site_id, user_id, created_at)",
            "CREATE TEMPORARY TABLE bench_sites AS SELECT * FROM sites",
            "CREATE UNIQUE INDEX bench_sites_id ON bench_sites (id)",
        ] {
            tx.exec(sql, &[]).await?;
        }
        let started = std::time::Instant::now();
        let mut sql = String::new();
        let mut args = Vec::new();
        for chunk in journal.chunks(RAW_BATCH) {
            values_sql(
                &mut sql,
                "INSERT INTO bench_journal (seq, at, actor, organisation, stream, kind, marking, payload, chain) VALUES",
                9,
                chunk.len(),
            );
            args.clear();
            for r in chunk {
                args.push(Val::Int(r.int(0)));
                for c in 1..8 {
                    args.push(Val::Text(r.text(c)));
                }
                args.push(Val::Bytes(r.bytes(8)));
            }
            tx.exec(&sql, &args).await?;
        }
        for chunk in notices.chunks(RAW_BATCH) {
            values_sql(
                &mut sql,
                "INSERT INTO bench_notices (id, user_id, kind, summary, link, marking, created_at, site_id, \
                 response_level) VALUES",
                9,
                chunk.len(),
            );
            args.clear();
            for r in chunk {
                for c in 0..9 {
                    args.push(Val::Text(r.text(c)));
                }
            }
            tx.exec(&sql, &args).await?;
        }
        // The sites' new levels, a batch of ids per statement.
        for chunk in sites.chunks(RAW_BATCH) {
            let marks: Vec<String> = (5..5 + chunk.len()).map(|i| format!("${i}")).collect();
            let first = chunk.first().ok_or_else(|| integrity("no site"))?;
            let mut args = vec![
                Val::from(first.opt_text(1).unwrap_or_default().as_str()),
                Val::Text(first.text(2)),
                Val::Int(first.int(3)),
                Val::Text(first.text(4)),
            ];
            args.extend(chunk.iter().map(|r| Val::Text(r.text(0))));
            tx.exec(
                &format!(
                    "UPDATE bench_sites SET threat_level = $1, floor = $2, floor_rank = $3, response_level = $4 \
                     WHERE id IN ({})",
                    marks.join(", ")
                ),
                &args,
            )
            .await?;
        }
        let seconds = started.elapsed().as_secs_f64();
        tx.rollback().await?;
        Ok((seconds, journal.len() + notices.len() + sites.len()))
    }

    /// Up to `n` unacknowledged notices of a change of response level: (notice, user).
    pub async fn notices_for_bench(&self, n: i64) -> Result<Vec<(String, UserId)>, StoreError> {
        let rows = self
            .store
            .fetch(
                "SELECT id, user_id FROM notifications WHERE kind = 'response_level_changed' \
                 AND acknowledged_at IS NULL ORDER BY id LIMIT $1",
                &[Val::Int(n)],
            )
            .await?;
        rows.iter().map(|r| Ok((r.text(0), UserId::parse(&r.text(1)).map_err(integrity)?))).collect()
    }
}
