//! The police estate (issue 13): the register of sites, their staff, and each
//! site's response level: the floor its threat level sets, or higher when an
//! estates manager raises it. When a threat level changes, [`recompute_events`]
//! gives the events that recompute every site, appended with the change.
//!
//! Sites are OFFICIAL register data of the organisation that keeps them (like
//! the SECO roster), not marked records of the records layer: they hold a
//! name, an address and a level, never the measures behind the level. Reading
//! is `estate.read` for users of the site's own organisation; anyone else is
//! answered "no such site" (404), and every refusal is logged.

pub mod bench;
pub mod critical;
pub mod demo;
pub mod options;
pub mod project;
pub mod register;

use crate::journal::Actor;
use crate::sql::{Row, Val};
use crate::{Store, StoreError};
use cordon_domain::access::Viewer;
use cordon_domain::estate::{self, EstateEvent, FieldError, SiteKind};
use cordon_domain::event::Event;
use cordon_domain::ids::{OrganisationId, SiteId, UserId};
use cordon_domain::threat::{ResponseLevel, Series, ThreatLevel};
use cordon_domain::Marking;
use serde::Serialize;
use time::Date;

fn invalid(e: FieldError) -> StoreError {
    StoreError::invalid(e.field, e.message)
}

pub(crate) fn integrity<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Integrity(e.to_string())
}

/// A raise of a site's response level as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Raised {
    pub level: ResponseLevel,
    pub reason: String,
    /// Who raised it (a user id).
    pub by: String,
    pub by_name: String,
    /// When it was raised (RFC 3339, UTC).
    pub at: String,
    /// The last day it applies, `YYYY-MM-DD`.
    pub until: Option<String>,
}

/// A site of the estate with its levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    pub id: SiteId,
    pub organisation_id: OrganisationId,
    pub name: String,
    pub kind: SiteKind,
    pub address: String,
    pub division: String,
    /// The higher of the national and the police sector level.
    pub threat_level: Option<ThreatLevel>,
    /// The response level the threat level sets (the official mapping).
    pub floor: ResponseLevel,
    /// The floor, or the raise while it is in force.
    pub response_level: ResponseLevel,
    /// The raise in force, if any (a raise lapses after its `until` day).
    pub raised: Option<Raised>,
    pub staff_count: i64,
}

/// A member of staff at a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffMember {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub added_at: String,
}

/// What a list of sites is filtered by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteFilter {
    pub kind: Option<SiteKind>,
    pub division: Option<String>,
    /// Part of the name, address or division.
    pub text: Option<String>,
}

impl SiteFilter {
    pub(crate) fn clause(&self, organisation: &OrganisationId) -> (String, Vec<Val>) {
        let mut args = vec![Val::from(organisation.to_string())];
        let mut parts = vec!["s.organisation_id = $1".to_string()];
        if let Some(k) = self.kind {
            args.push(Val::Text(k.as_str().into()));
            parts.push(format!("s.kind = ${}", args.len()));
        }
        if let Some(d) = self.division.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            args.push(Val::Text(d.to_lowercase()));
            parts.push(format!("LOWER(s.division) = ${}", args.len()));
        }
        if let Some(q) = self.text.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            args.push(Val::Text(format!("%{escaped}%")));
            parts.push(format!(
                "(LOWER(s.name) LIKE ${n} ESCAPE '\\' OR LOWER(s.address) LIKE ${n} ESCAPE '\\' \
                 OR LOWER(s.division) LIKE ${n} ESCAPE '\\')",
                n = args.len()
            ));
        }
        (parts.join(" AND "), args)
    }
}

const SITE_COLUMNS: &str = "s.id, s.organisation_id, s.name, s.kind, s.address, s.division, s.threat_level, \
     s.floor, s.raised_level, s.raised_reason, s.raised_by, COALESCE(u.name, ''), s.raised_at, s.raised_until, \
     (SELECT COUNT(*) FROM site_staff st WHERE st.site_id = s.id)";

const SITE_FROM: &str = "FROM sites s LEFT JOIN users u ON u.id = s.raised_by";

/// The estate capability's operations, reached as `store.estate()`.
#[derive(Clone, Copy)]
pub struct EstateStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn estate(&self) -> EstateStore<'_> {
        EstateStore { store: self }
    }
}

pub(crate) fn actor(viewer: &Viewer) -> Actor {
    Actor::new(&viewer.user_id, &viewer.organisation_id)
}

impl EstateStore<'_> {
    fn site_of(&self, r: &Row) -> Result<Site, StoreError> {
        let today = self.store.today();
        let floor: ResponseLevel = r.text(7).parse().map_err(integrity)?;
        let raised = match r.opt_text(8) {
            Some(level) => {
                let level: ResponseLevel = level.parse().map_err(integrity)?;
                let raise = estate::Raise {
                    level,
                    reason: r.text(9),
                    by: UserId::parse(&r.text(10)).map_err(integrity)?,
                    until: r.opt_text(13),
                };
                estate::in_force(&raise, today).then(|| Raised {
                    level,
                    reason: raise.reason,
                    by: r.text(10),
                    by_name: r.text(11),
                    at: r.text(12),
                    until: raise.until,
                })
            }
            None => None,
        };
        Ok(Site {
            id: SiteId::parse(&r.text(0)).map_err(integrity)?,
            organisation_id: OrganisationId::parse(&r.text(1)).map_err(integrity)?,
            name: r.text(2),
            kind: r.text(3).parse().map_err(integrity)?,
            address: r.text(4),
            division: r.text(5),
            threat_level: r.opt_text(6).map(|l| l.parse()).transpose().map_err(integrity)?,
            floor,
            response_level: raised.as_ref().map(|r| r.level.max(floor)).unwrap_or(floor),
            raised,
            staff_count: r.int(14),
        })
    }

    /// The threat level that applies to every site today: the higher of the
    /// national and the police sector level.
    pub async fn threat_level_now(&self) -> Result<Option<ThreatLevel>, StoreError> {
        let national = self.current(Series::National).await?;
        let police = self.current(Series::PoliceSector).await?;
        Ok(estate::site_threat_level(national, police))
    }

    async fn current(&self, series: Series) -> Result<Option<ThreatLevel>, StoreError> {
        let today = cordon_domain::reference::format_date(self.store.today());
        let row = self
            .store
            .fetch_one(
                "SELECT c.level FROM threat_level_changes c WHERE c.series = $1 AND c.effective <= $2 \
                 AND NOT EXISTS (SELECT 1 FROM threat_series_closures cl WHERE cl.series = c.series AND cl.effective <= $2) \
                 ORDER BY c.effective DESC LIMIT 1",
                &[Val::Text(series.as_str().into()), Val::Text(today)],
            )
            .await?;
        row.map(|r| r.text(0).parse().map_err(integrity)).transpose()
    }

    /// Adds a site to the register of the estates manager's organisation.
    pub async fn add_site(
        &self,
        viewer: &Viewer,
        name: &str,
        kind: SiteKind,
        address: &str,
        division: &str,
    ) -> Result<Site, StoreError> {
        self.store.records().permit(viewer.into(), estate::MANAGE).await?;
        estate::check_site(name, address, division).map_err(invalid)?;
        let threat_level = self.threat_level_now().await?;
        let id = SiteId::generate();
        let ev = Event::Estate(EstateEvent::SiteAdded {
            id: id.clone(),
            organisation_id: viewer.organisation_id.clone(),
            name: name.trim().to_string(),
            kind,
            address: address.trim().to_string(),
            division: division.trim().to_string(),
            threat_level,
            floor: estate::floor_of(threat_level),
        });
        self.store.append(&actor(viewer), &[(ev, Marking::Official)]).await?;
        self.get(viewer, &id).await
    }

    /// The sites of the viewer's organisation, by name, a page at a time, with the total.
    pub async fn list(
        &self,
        viewer: &Viewer,
        filter: &SiteFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Site>, i64), StoreError> {
        self.store.records().permit(viewer.into(), estate::READ).await?;
        let (clause, mut args) = filter.clause(&viewer.organisation_id);
        let total = self
            .store
            .fetch_one(&format!("SELECT COUNT(*) FROM sites s WHERE {clause}"), &args)
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0);
        args.push(Val::Int(limit));
        args.push(Val::Int(offset));
        let n = args.len();
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT {SITE_COLUMNS} {SITE_FROM} WHERE {clause} ORDER BY s.name, s.id LIMIT ${} OFFSET ${n}",
                    n - 1
                ),
                &args,
            )
            .await?;
        let sites = rows.iter().map(|r| self.site_of(r)).collect::<Result<_, _>>()?;
        Ok((sites, total))
    }

    /// The divisions of the viewer's organisation's sites, for the filter.
    pub async fn divisions(&self, viewer: &Viewer) -> Result<Vec<String>, StoreError> {
        self.store.records().permit(viewer.into(), estate::READ).await?;
        Ok(self
            .store
            .fetch(
                "SELECT DISTINCT division FROM sites WHERE organisation_id = $1 ORDER BY division",
                &[Val::from(viewer.organisation_id.to_string())],
            )
            .await?
            .iter()
            .map(|r| r.text(0))
            .collect())
    }

    /// One site of the viewer's organisation; any other is "no such site".
    pub async fn get(&self, viewer: &Viewer, id: &SiteId) -> Result<Site, StoreError> {
        self.store.records().permit(viewer.into(), estate::READ).await?;
        let row = self
            .store
            .fetch_one(
                &format!("SELECT {SITE_COLUMNS} {SITE_FROM} WHERE s.id = $1 AND s.organisation_id = $2"),
                &[Val::from(id.to_string()), Val::from(viewer.organisation_id.to_string())],
            )
            .await?;
        match row {
            Some(r) => self.site_of(&r),
            None => Err(StoreError::not_found(None, "no such site")),
        }
    }

    /// The staff of a site, by name.
    pub async fn staff(&self, viewer: &Viewer, id: &SiteId) -> Result<Vec<StaffMember>, StoreError> {
        self.get(viewer, id).await?;
        let rows = self
            .store
            .fetch(
                "SELECT st.user_id, u.name, u.email, st.added_at FROM site_staff st JOIN users u ON u.id = st.user_id \
                 WHERE st.site_id = $1 ORDER BY u.name, u.id",
                &[Val::from(id.to_string())],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StaffMember {
                    user_id: UserId::parse(&r.text(0)).map_err(integrity)?,
                    name: r.text(1),
                    email: r.text(2),
                    added_at: r.text(3),
                })
            })
            .collect()
    }

    /// Adds a member of staff (an active user of the site's organisation) by
    /// e-mail address. Returns whether they were added (false when already staff).
    pub async fn add_staff(&self, viewer: &Viewer, id: &SiteId, email: &str) -> Result<bool, StoreError> {
        let site = self.get(viewer, id).await?;
        self.store.records().permit(viewer.into(), estate::MANAGE).await?;
        let nobody = || {
            StoreError::invalid(
                "email",
                "Enter the e-mail address of someone with an account in this site's organisation",
            )
        };
        let email = cordon_domain::identity::EmailAddress::parse(email).map_err(|_| nobody())?;
        let user = self.store.identity().user_by_email(email.as_str()).await?.ok_or_else(nobody)?;
        if user.organisation_id != site.organisation_id || !user.active {
            return Err(nobody());
        }
        let already = self
            .store
            .fetch_one(
                "SELECT 1 FROM site_staff WHERE site_id = $1 AND user_id = $2",
                &[Val::from(id.to_string()), Val::from(user.id.to_string())],
            )
            .await?
            .is_some();
        if already {
            return Ok(false);
        }
        let ev = Event::Estate(EstateEvent::SiteStaffAdded { site_id: id.clone(), user_id: user.id.clone() });
        self.store.append(&actor(viewer), &[(ev, Marking::Official)]).await?;
        Ok(true)
    }

    /// Takes a member of staff off a site (estates managers): they are told of
    /// its changes no more, and their notices from it are kept. Someone not on
    /// the site's staff is "no such member of staff" (404).
    pub async fn remove_staff(&self, viewer: &Viewer, id: &SiteId, user_id: &UserId) -> Result<(), StoreError> {
        self.get(viewer, id).await?;
        self.store.records().permit(viewer.into(), estate::MANAGE).await?;
        let there = self
            .store
            .fetch_one(
                "SELECT 1 FROM site_staff WHERE site_id = $1 AND user_id = $2",
                &[Val::from(id.to_string()), Val::from(user_id.to_string())],
            )
            .await?
            .is_some();
        if !there {
            return Err(StoreError::not_found(None, "no such member of staff at this site"));
        }
        let ev = Event::Estate(EstateEvent::SiteStaffRemoved { site_id: id.clone(), user_id: user_id.clone() });
        self.store.append(&actor(viewer), &[(ev, Marking::Official)]).await?;
        Ok(())
    }

    /// Raises a site's response level (to or above its floor), with the reason
    /// and, optionally, the last day it applies.
    pub async fn raise(
        &self,
        viewer: &Viewer,
        id: &SiteId,
        level: ResponseLevel,
        reason: &str,
        until: Option<Date>,
    ) -> Result<Site, StoreError> {
        let site = self.get(viewer, id).await?;
        self.store.records().permit(viewer.into(), estate::SET_LEVEL).await?;
        estate::check_raise(level, reason, until, site.floor, self.store.today()).map_err(invalid)?;
        let ev = Event::Estate(EstateEvent::SiteResponseLevelRaised {
            site_id: id.clone(),
            level,
            reason: reason.trim().to_string(),
            until: until.map(cordon_domain::reference::format_date),
        });
        let expect =
            crate::journal::Expect::stream(format!("site/{id}"), self.store.stream_seq(&format!("site/{id}")).await?);
        self.store.append_expecting(&actor(viewer), &[(ev, Marking::Official)], Some(&expect)).await?;
        self.get(viewer, id).await
    }

    /// Returns a site to its floor.
    pub async fn return_to_floor(&self, viewer: &Viewer, id: &SiteId) -> Result<Site, StoreError> {
        let site = self.get(viewer, id).await?;
        self.store.records().permit(viewer.into(), estate::SET_LEVEL).await?;
        if site.raised.is_none() {
            return Ok(site);
        }
        let ev = Event::Estate(EstateEvent::SiteReturnedToFloor { site_id: id.clone() });
        self.store.append(&actor(viewer), &[(ev, Marking::Official)]).await?;
        self.get(viewer, id).await
    }

    /// The events that recompute every site when `series` changes to `level`:
    /// one per [`estate::RECOMPUTE_BATCH`] sites whose threat level changes, for every organisation. The
    /// threat store appends them with the change itself, in one transaction.
    pub(crate) async fn recompute_events(
        &self,
        series: Series,
        level: ThreatLevel,
    ) -> Result<Vec<(Event, Marking)>, StoreError> {
        let (national, police) = match series {
            Series::National => (Some(level), self.current(Series::PoliceSector).await?),
            Series::PoliceSector => (self.current(Series::National).await?, Some(level)),
            Series::NiInNi | Series::NiInGb => return Ok(Vec::new()),
        };
        let threat_level = estate::site_threat_level(national, police);
        let floor = estate::floor_of(threat_level);
        let now = threat_level.map(|l| l.as_str().to_string());
        let rows = self.store.fetch("SELECT id, threat_level FROM sites ORDER BY id", &[]).await?;
        let mut changed = Vec::new();
        for r in rows {
            if r.opt_text(1) == now {
                continue;
            }
            changed.push(SiteId::parse(&r.text(0)).map_err(integrity)?);
        }
        Ok(changed
            .chunks(estate::RECOMPUTE_BATCH)
            .map(|ids| {
                (
                    Event::Estate(EstateEvent::SitesRecomputed { site_ids: ids.to_vec(), threat_level, floor }),
                    Marking::Official,
                )
            })
            .collect())
    }
}

/// A notice to a member of staff that their site's response level changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub id: String,
    pub site_id: SiteId,
    pub site_name: String,
    /// The level the site moved to.
    pub response_level: ResponseLevel,
    pub summary: String,
    pub created_at: String,
    pub acknowledged_at: Option<String>,
}

/// One member of staff at a site and their latest notice from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acknowledgement {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub notice_id: Option<String>,
    pub notice_level: Option<ResponseLevel>,
    pub notified_at: Option<String>,
    pub acknowledged_at: Option<String>,
}

/// Who at a site has acknowledged its latest change of response level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acknowledgements {
    pub response_level: ResponseLevel,
    pub acknowledged: i64,
    pub outstanding: i64,
    pub items: Vec<Acknowledgement>,
    pub total: i64,
}

const NOTICE_KIND: &str = "response_level_changed";

/// The latest notice of each member of staff from their site.
const LATEST_NOTICE: &str = "n.id = (SELECT n2.id FROM notifications n2 WHERE n2.kind = 'response_level_changed' \
     AND n2.site_id = st.site_id AND n2.user_id = st.user_id ORDER BY n2.created_at DESC, n2.id DESC LIMIT 1)";

impl EstateStore<'_> {
    /// The viewer's notices of response level changes, newest first.
    pub async fn my_notices(&self, viewer: &Viewer, limit: i64, offset: i64) -> Result<(Vec<Notice>, i64), StoreError> {
        let me = Val::from(viewer.user_id.to_string());
        let total = self
            .store
            .fetch_one(
                "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = $2",
                &[me.clone(), Val::from(NOTICE_KIND)],
            )
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0);
        let rows = self
            .store
            .fetch(
                "SELECT n.id, n.site_id, COALESCE(s.name, ''), n.response_level, n.summary, n.created_at, n.acknowledged_at \
                 FROM notifications n LEFT JOIN sites s ON s.id = n.site_id \
                 WHERE n.user_id = $1 AND n.kind = $2 ORDER BY n.created_at DESC, n.id DESC LIMIT $3 OFFSET $4",
                &[me, Val::from(NOTICE_KIND), Val::Int(limit), Val::Int(offset)],
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(Notice {
                    id: r.text(0),
                    site_id: SiteId::parse(&r.text(1)).map_err(integrity)?,
                    site_name: r.text(2),
                    response_level: r.text(3).parse().map_err(integrity)?,
                    summary: r.text(4),
                    created_at: r.text(5),
                    acknowledged_at: r.opt_text(6),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((items, total))
    }

    /// Acknowledges one of the viewer's notices (and marks it read). Returns
    /// whether this acknowledged it now (false when it already was) and when
    /// it was acknowledged; someone else's notice, or none, is "no such notice".
    pub async fn acknowledge(&self, viewer: &Viewer, id: &str) -> Result<(bool, String), StoreError> {
        let at = self.store.now_text();
        let (me, now) = (Val::from(viewer.user_id.to_string()), Val::from(at.as_str()));
        // One conditional write: of two acknowledgements at once, one wins.
        let done = self
            .store
            .fetch(
                "UPDATE notifications SET acknowledged_at = $3, read_at = COALESCE(read_at, $3) \
                 WHERE id = $1 AND user_id = $2 AND kind = $4 AND acknowledged_at IS NULL RETURNING id",
                &[Val::from(id), me.clone(), now, Val::from(NOTICE_KIND)],
            )
            .await?;
        if !done.is_empty() {
            return Ok((true, at));
        }
        let before = self
            .store
            .fetch_one(
                "SELECT acknowledged_at FROM notifications WHERE id = $1 AND user_id = $2 AND kind = $3",
                &[Val::from(id), me, Val::from(NOTICE_KIND)],
            )
            .await?;
        match before {
            Some(r) => Ok((false, r.text(0))),
            None => Err(StoreError::not_found(None, "no such notice")),
        }
    }

    /// Who at a site has acknowledged their latest notice and who has not
    /// (estates managers of the site's organisation), by name, a page at a time.
    pub async fn acknowledgements(
        &self,
        viewer: &Viewer,
        id: &SiteId,
        limit: i64,
        offset: i64,
    ) -> Result<Acknowledgements, StoreError> {
        let site = self.get(viewer, id).await?;
        self.store.records().permit(viewer.into(), estate::MANAGE).await?;
        let sid = Val::from(id.to_string());
        let counts = self
            .store
            .fetch_one(
                &format!(
                    "SELECT COUNT(*), COUNT(n.acknowledged_at), COUNT(n.id) - COUNT(n.acknowledged_at) \
                     FROM site_staff st LEFT JOIN notifications n ON {LATEST_NOTICE} WHERE st.site_id = $1"
                ),
                std::slice::from_ref(&sid),
            )
            .await?
            .ok_or_else(|| StoreError::Integrity("no count".into()))?;
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT st.user_id, u.name, u.email, n.id, n.response_level, n.created_at, n.acknowledged_at \
                     FROM site_staff st JOIN users u ON u.id = st.user_id LEFT JOIN notifications n ON {LATEST_NOTICE} \
                     WHERE st.site_id = $1 ORDER BY u.name, u.id LIMIT $2 OFFSET $3"
                ),
                &[sid, Val::Int(limit), Val::Int(offset)],
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(Acknowledgement {
                    user_id: UserId::parse(&r.text(0)).map_err(integrity)?,
                    name: r.text(1),
                    email: r.text(2),
                    notice_id: r.opt_text(3),
                    notice_level: r.opt_text(4).map(|l| l.parse()).transpose().map_err(integrity)?,
                    notified_at: r.opt_text(5),
                    acknowledged_at: r.opt_text(6),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Acknowledgements {
            response_level: site.response_level,
            total: counts.int(0),
            acknowledged: counts.int(1),
            outstanding: counts.int(2),
            items,
        })
    }
}

/// A site where the viewer works, with their latest notice from it if they
/// have not acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MySite {
    pub site: Site,
    pub unacknowledged: Option<String>,
}

impl EstateStore<'_> {
    /// The sites where the viewer is a member of staff, by name.
    pub async fn my_sites(&self, viewer: &Viewer) -> Result<Vec<MySite>, StoreError> {
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT {SITE_COLUMNS}, (SELECT n.id FROM notifications n WHERE n.kind = 'response_level_changed' \
                     AND n.site_id = s.id AND n.user_id = me.user_id ORDER BY n.created_at DESC, n.id DESC LIMIT 1), \
                     (SELECT n.acknowledged_at FROM notifications n WHERE n.kind = 'response_level_changed' \
                     AND n.site_id = s.id AND n.user_id = me.user_id ORDER BY n.created_at DESC, n.id DESC LIMIT 1) \
                     {SITE_FROM} JOIN site_staff me ON me.site_id = s.id AND me.user_id = $1 \
                     WHERE s.organisation_id = $2 ORDER BY s.name, s.id"
                ),
                &[Val::from(viewer.user_id.to_string()), Val::from(viewer.organisation_id.to_string())],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(MySite {
                    site: self.site_of(r)?,
                    unacknowledged: r.opt_text(15).filter(|_| r.opt_text(16).is_none()),
                })
            })
            .collect()
    }
}
