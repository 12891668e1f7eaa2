//! The estate register in and out of CSV, who at each site and division has
//! not acknowledged the latest change of response level, and reminders to
//! them (issue 13, items 1 and 7).

use super::{actor, integrity, EstateStore, SiteFilter};
use crate::identity::User;
use crate::sql::Val;
use crate::StoreError;
use cordon_domain::access::Viewer;
use cordon_domain::csv::CsvProblem;
use cordon_domain::estate::register::{parse_csv, SiteRow};
use cordon_domain::estate::{self, EstateEvent};
use cordon_domain::event::Event;
use cordon_domain::ids::{SiteId, UserId};
use cordon_domain::threat::ResponseLevel;
use cordon_domain::Marking;
use serde::Serialize;
use std::collections::HashMap;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SitesImport {
    /// Rows read (not counting the header).
    pub rows: u64,
    /// Sites added to the register.
    pub added: u64,
    /// Sites already registered (by name, in any case) whose details changed.
    pub changed: u64,
    /// Sites already registered and given as they are.
    pub unchanged: u64,
    /// People added to the staff of a site.
    pub staff_added: u64,
}

/// Why an import was refused: a bad row (nothing was imported) or the store.
#[derive(Debug, thiserror::Error)]
pub enum SitesImportError {
    #[error("{0}")]
    Row(CsvProblem),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One site's line of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub site: super::Site,
    /// Its staff's e-mail addresses, in order.
    pub staff: Vec<String>,
}

/// Acknowledgements at one site, or across a division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AckCount {
    /// Members of staff.
    pub staff: i64,
    /// Of them, told of a change of response level.
    pub notified: i64,
    pub acknowledged: i64,
    /// Told and not yet acknowledged.
    pub outstanding: i64,
}

/// A division's acknowledgements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DivisionAcks {
    pub division: String,
    pub sites: i64,
    #[serde(flatten)]
    pub count: AckCount,
}

/// A site's acknowledgements, for the estate-wide view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteAcks {
    pub site_id: SiteId,
    pub name: String,
    pub division: String,
    pub response_level: ResponseLevel,
    #[serde(flatten)]
    pub count: AckCount,
}

/// What a reminder did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reminded {
    /// Sites with someone to remind.
    pub sites: i64,
    /// People reminded.
    pub people: i64,
}

/// Staff counts per site: staff, told, acknowledged (of the latest notice).
const COUNTS: &str = "COUNT(st.user_id), COUNT(n.id), COUNT(n.acknowledged_at)";

/// Joins each member of staff `st` to their latest notice `n` from their site.
const LATEST: &str = "LEFT JOIN notifications n ON n.id = (SELECT n2.id FROM notifications n2 \
     WHERE n2.kind = 'response_level_changed' AND n2.site_id = st.site_id AND n2.user_id = st.user_id \
     ORDER BY n2.created_at DESC, n2.id DESC LIMIT 1)";

fn count_of(r: &crate::sql::Row, at: usize) -> AckCount {
    let (staff, notified, acknowledged) = (r.int(at), r.int(at + 1), r.int(at + 2));
    AckCount { staff, notified, acknowledged, outstanding: notified - acknowledged }
}

impl EstateStore<'_> {
    /// Imports a sites file: every row is checked first (the columns, each
    /// staff address an active account of the organisation), then the sites
    /// are added, or changed where one of that name is registered, and their
    /// staff added, in one transaction. A bad row imports nothing. Staff not
    /// in the file are left as they are: an import adds people, never removes.
    pub async fn import_csv(&self, viewer: &Viewer, text: &str) -> Result<SitesImport, SitesImportError> {
        self.store.records().permit(viewer.into(), estate::MANAGE).await?;
        let rows = parse_csv(text).map_err(SitesImportError::Row)?;
        let org = viewer.organisation_id.clone();
        // Everyone the file names, checked before anything is written: their
        // accounts read 500 addresses a query.
        let mut emails: Vec<&str> = rows.iter().flat_map(|r| r.staff.iter().map(|e| e.as_str())).collect();
        emails.sort_unstable();
        emails.dedup();
        let mut people: HashMap<String, UserId> = HashMap::new();
        for chunk in emails.chunks(500) {
            let marks: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let mut args = vec![Val::from(org.to_string())];
            args.extend(chunk.iter().map(|e| Val::from(*e)));
            let found = self
                .store
                .fetch(
                    &format!(
                        "SELECT email, id FROM users WHERE organisation_id = $1 AND active = 1 AND email IN ({})",
                        marks.join(", ")
                    ),
                    &args,
                )
                .await?;
            for r in found {
                people.insert(r.text(0), UserId::parse(&r.text(1)).map_err(integrity)?);
            }
        }
        for row in &rows {
            if let Some(email) = row.staff.iter().find(|e| !people.contains_key(e.as_str())) {
                return Err(SitesImportError::Row(CsvProblem {
                    line: row.line,
                    column: "staff".into(),
                    message: format!(
                        "{} is not the address of anyone with an account in this organisation",
                        email.as_str()
                    ),
                }));
            }
        }
        let existing = self.by_name(&org).await?;
        let staff_now = self.staff_pairs(&org).await?;
        let threat_level = self.threat_level_now().await?;
        let floor = estate::floor_of(threat_level);
        let mut report = SitesImport { rows: rows.len() as u64, added: 0, changed: 0, unchanged: 0, staff_added: 0 };
        let mut events = Vec::new();
        for SiteRow { name, kind, address, division, staff, .. } in rows {
            let id = match existing.get(&name.to_lowercase()) {
                Some((id, before)) => {
                    if before != &(name.clone(), kind, address.clone(), division.clone()) {
                        report.changed += 1;
                        events.push(Event::Estate(EstateEvent::SiteChanged {
                            site_id: id.clone(),
                            name,
                            kind,
                            address,
                            division,
                        }));
                    } else {
                        report.unchanged += 1;
                    }
                    id.clone()
                }
                None => {
                    report.added += 1;
                    let id = SiteId::generate();
                    events.push(Event::Estate(EstateEvent::SiteAdded {
                        id: id.clone(),
                        organisation_id: org.clone(),
                        name,
                        kind,
                        address,
                        division,
                        threat_level,
                        floor,
                    }));
                    id
                }
            };
            for email in staff {
                let user_id = people[email.as_str()].clone();
                if !staff_now.contains(&(id.to_string(), user_id.to_string())) {
                    report.staff_added += 1;
                    events.push(Event::Estate(EstateEvent::SiteStaffAdded { site_id: id.clone(), user_id }));
                }
            }
        }
        let events: Vec<_> = events.into_iter().map(|e| (e, Marking::Official)).collect();
        if !events.is_empty() {
            self.store.append(&actor(viewer), &events).await?;
        }
        Ok(report)
    }

    /// The organisation's sites by lower-case name: id and details.
    #[allow(clippy::type_complexity)]
    async fn by_name(
        &self,
        org: &cordon_domain::ids::OrganisationId,
    ) -> Result<HashMap<String, (SiteId, (String, estate::SiteKind, String, String))>, StoreError> {
        let rows = self
            .store
            .fetch("SELECT id, name, kind, address, division FROM sites WHERE organisation_id = $1", &[Val::from(org)])
            .await?;
        rows.iter()
            .map(|r| {
                let id = SiteId::parse(&r.text(0)).map_err(integrity)?;
                let kind = r.text(2).parse().map_err(integrity)?;
                Ok((r.text(1).to_lowercase(), (id, (r.text(1), kind, r.text(3), r.text(4)))))
            })
            .collect()
    }

    /// Every (site, user) of the organisation's staff.
    async fn staff_pairs(
        &self,
        org: &cordon_domain::ids::OrganisationId,
    ) -> Result<std::collections::HashSet<(String, String)>, StoreError> {
        let rows = self
            .store
            .fetch(
                "SELECT st.site_id, st.user_id FROM site_staff st JOIN sites s ON s.id = st.site_id \
                 WHERE s.organisation_id = $1",
                &[Val::from(org)],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.text(0), r.text(1))).collect())
    }

    /// A page of the export, filtered as the list is: each site with its staff's addresses.
    pub async fn export_page(
        &self,
        viewer: &Viewer,
        filter: &SiteFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ExportRow>, StoreError> {
        let (sites, _) = self.list(viewer, filter, limit, offset).await?;
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=sites.len()).map(|i| format!("${i}")).collect();
        let args: Vec<Val> = sites.iter().map(|s| Val::from(s.id.to_string())).collect();
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT st.site_id, u.email FROM site_staff st JOIN users u ON u.id = st.user_id \
                     WHERE st.site_id IN ({}) ORDER BY st.site_id, u.email",
                    marks.join(", ")
                ),
                &args,
            )
            .await?;
        let mut staff: HashMap<String, Vec<String>> = HashMap::new();
        for r in rows {
            staff.entry(r.text(0)).or_default().push(r.text(1));
        }
        Ok(sites
            .into_iter()
            .map(|site| {
                let staff = staff.remove(site.id.as_str()).unwrap_or_default();
                ExportRow { site, staff }
            })
            .collect())
    }

    /// Who has acknowledged across the estate, by division (estates managers).
    pub async fn acknowledgements_by_division(&self, viewer: &Viewer) -> Result<Vec<DivisionAcks>, StoreError> {
        self.store.records().permit(viewer.into(), estate::MANAGE).await?;
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT s.division, COUNT(DISTINCT s.id), {COUNTS} FROM sites s \
                     LEFT JOIN site_staff st ON st.site_id = s.id {LATEST} \
                     WHERE s.organisation_id = $1 GROUP BY s.division ORDER BY s.division"
                ),
                &[Val::from(viewer.organisation_id.to_string())],
            )
            .await?;
        Ok(rows.iter().map(|r| DivisionAcks { division: r.text(0), sites: r.int(1), count: count_of(r, 2) }).collect())
    }

    /// Sites with someone who has not acknowledged, most outstanding first,
    /// optionally in one division, a page at a time, with the number of such sites.
    pub async fn sites_outstanding(
        &self,
        viewer: &Viewer,
        division: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<SiteAcks>, i64), StoreError> {
        self.store.records().permit(viewer.into(), estate::MANAGE).await?;
        let mut args = vec![Val::from(viewer.organisation_id.to_string())];
        let mut clause = "s.organisation_id = $1".to_string();
        if let Some(d) = division.map(str::trim).filter(|d| !d.is_empty()) {
            args.push(Val::Text(d.to_lowercase()));
            clause.push_str(" AND LOWER(s.division) = $2");
        }
        let grouped = format!(
            "SELECT s.id, s.name, s.division, s.response_level, {COUNTS} FROM sites s \
             JOIN site_staff st ON st.site_id = s.id {LATEST} WHERE {clause} \
             GROUP BY s.id, s.name, s.division, s.response_level \
             HAVING COUNT(n.id) > COUNT(n.acknowledged_at)"
        );
        let total = self
            .store
            .fetch_one(&format!("SELECT COUNT(*) FROM ({grouped}) g"), &args)
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0);
        let n = args.len();
        args.push(Val::Int(limit));
        args.push(Val::Int(offset));
        let rows = self
            .store
            .fetch(
                &format!(
                    "{grouped} ORDER BY COUNT(n.id) - COUNT(n.acknowledged_at) DESC, s.name, s.id \
                     LIMIT ${} OFFSET ${}",
                    n + 1,
                    n + 2
                ),
                &args,
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(SiteAcks {
                    site_id: SiteId::parse(&r.text(0)).map_err(integrity)?,
                    name: r.text(1),
                    division: r.text(2),
                    response_level: r.text(3).parse().map_err(integrity)?,
                    count: count_of(r, 4),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((items, total))
    }

    /// How many at each of these sites have not acknowledged their latest notice.
    async fn outstanding_at(&self, sites: &[SiteId]) -> Result<Vec<(SiteId, i64)>, StoreError> {
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=sites.len()).map(|i| format!("${i}")).collect();
        let args: Vec<Val> = sites.iter().map(|s| Val::from(s.to_string())).collect();
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT st.site_id, COUNT(n.id) - COUNT(n.acknowledged_at) FROM site_staff st {LATEST} \
                     WHERE st.site_id IN ({}) GROUP BY st.site_id ORDER BY st.site_id",
                    marks.join(", ")
                ),
                &args,
            )
            .await?;
        rows.iter()
            .map(|r| Ok((SiteId::parse(&r.text(0)).map_err(integrity)?, r.int(1))))
            .filter(|r: &Result<(SiteId, i64), StoreError>| r.as_ref().map_or(true, |(_, n)| *n > 0))
            .collect()
    }

    /// Reminds everyone at a site who has not acknowledged its latest change
    /// of response level (in the application, and by e-mail where that is
    /// set up). Nothing is sent, or journaled, when everyone has acknowledged.
    pub async fn remind_site(&self, viewer: &Viewer, id: &SiteId) -> Result<Reminded, StoreError> {
        self.get(viewer, id).await?;
        self.store.records().permit(viewer.into(), estate::MANAGE).await?;
        self.remind(viewer, std::slice::from_ref(id)).await
    }

    /// Reminds everyone who has not acknowledged, at every site of a division
    /// (or of the whole estate when no division is given).
    pub async fn remind_division(&self, viewer: &Viewer, division: Option<&str>) -> Result<Reminded, StoreError> {
        self.store.records().permit(viewer.into(), estate::MANAGE).await?;
        let division = division.map(str::trim).filter(|d| !d.is_empty());
        if let Some(d) = division {
            let known = self.divisions(viewer).await?;
            if !known.iter().any(|k| k.eq_ignore_ascii_case(d)) {
                return Err(StoreError::invalid("division", format!("There is no division called {d} in the estate")));
            }
        }
        let filter = SiteFilter { division: division.map(str::to_string), ..SiteFilter::default() };
        let (clause, args) = filter.clause(&viewer.organisation_id);
        let ids = self
            .store
            .fetch(&format!("SELECT s.id FROM sites s WHERE {clause} ORDER BY s.id"), &args)
            .await?
            .iter()
            .map(|r| SiteId::parse(&r.text(0)).map_err(integrity))
            .collect::<Result<Vec<_>, _>>()?;
        let mut total = Reminded { sites: 0, people: 0 };
        for chunk in ids.chunks(500) {
            let r = self.remind(viewer, chunk).await?;
            total.sites += r.sites;
            total.people += r.people;
        }
        Ok(total)
    }

    async fn remind(&self, viewer: &Viewer, sites: &[SiteId]) -> Result<Reminded, StoreError> {
        let due = self.outstanding_at(sites).await?;
        let people = due.iter().map(|(_, n)| n).sum();
        let events: Vec<_> = due
            .iter()
            .map(|(site_id, _)| {
                (Event::Estate(EstateEvent::AcknowledgementsReminded { site_id: site_id.clone() }), Marking::Official)
            })
            .collect();
        if !events.is_empty() {
            self.store.append(&actor(viewer), &events).await?;
        }
        Ok(Reminded { sites: due.len() as i64, people })
    }

    /// The people of the site's organisation who may be added to its staff
    /// (active, not yet staff there) whose name or address holds `q`.
    pub async fn staff_candidates(&self, viewer: &Viewer, id: &SiteId, q: &str) -> Result<Vec<User>, StoreError> {
        let site = self.get(viewer, id).await?;
        self.store.records().permit(viewer.into(), estate::MANAGE).await?;
        let staff: Vec<UserId> = self.staff(viewer, id).await?.into_iter().map(|s| s.user_id).collect();
        let users = crate::identity::users_of(self.store, &[site.organisation_id], q, 200).await?;
        Ok(users.into_iter().filter(|u| !staff.contains(&u.id)).take(50).collect())
    }
}
