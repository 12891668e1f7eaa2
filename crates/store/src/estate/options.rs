//! The menu of options and what is decided about them at each site, and the
//! resource implications of a level (issue 13 items 4 and 6). An
//! organisation's menu is the shipped one (`reference/estate-options.toml`)
//! until its estates manager first changes it; the first change writes the
//! whole menu to the organisation, in the same append.
//!
//! The menu and its deployment are OFFICIAL-SENSITIVE: reading them needs
//! `estate.options.read` and a clearance for the marking, checked by the
//! records layer (`permit_marked`). Staff at a site see only the
//! instructions of the options in force there.

use super::{actor, integrity, invalid, EstateStore, Site, SiteFilter};
use crate::sql::Val;
use crate::StoreError;
use cordon_domain::access::Viewer;
use cordon_domain::estate::options::{self, Costs, Decision, EstateOption};
use cordon_domain::estate::{self, EstateEvent, OPTIONS_MARKING};
use cordon_domain::event::Event;
use cordon_domain::ids::{OrganisationId, SiteId};
use cordon_domain::threat::ResponseLevel;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What was decided about an option at a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteDecision {
    pub option_id: String,
    pub decision: Decision,
    pub reason: String,
    /// Who decided (a user id) and their name.
    pub by: String,
    pub by_name: String,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// The resource implications of one site, or a division, at a level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteCosts {
    pub site_id: SiteId,
    pub name: String,
    pub division: String,
    /// The level the site would run at (a site raised higher stays higher).
    pub level: ResponseLevel,
    /// The options counted, by id.
    pub options: Vec<String>,
    pub costs: Costs,
}

/// A division's total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DivisionCosts {
    pub division: String,
    pub sites: i64,
    pub costs: Costs,
}

/// What a level would cost the force: by site, by division and in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Implications {
    pub level: ResponseLevel,
    pub sites: i64,
    pub total: Costs,
    pub by_division: Vec<DivisionCosts>,
    pub by_site: Vec<SiteCosts>,
}

impl EstateStore<'_> {
    async fn menu_of(&self, organisation: &OrganisationId) -> Result<Option<Vec<EstateOption>>, StoreError> {
        let rows = self
            .store
            .fetch("SELECT body FROM estate_options WHERE organisation_id = $1", &[Val::from(organisation.to_string())])
            .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut menu = rows
            .iter()
            .map(|r| serde_json::from_str::<EstateOption>(&r.text(0)).map_err(integrity))
            .collect::<Result<Vec<_>, _>>()?;
        sort_menu(&mut menu);
        Ok(Some(menu))
    }

    /// The organisation's menu as it stands (the shipped one until changed).
    async fn effective_menu(&self, organisation: &OrganisationId) -> Result<Vec<EstateOption>, StoreError> {
        Ok(match self.menu_of(organisation).await? {
            Some(m) => m,
            None => {
                let mut m = options::shipped_menu();
                sort_menu(&mut m);
                m
            }
        })
    }

    /// The viewer's organisation's menu of options, retired ones included.
    pub async fn menu(&self, viewer: &Viewer) -> Result<Vec<EstateOption>, StoreError> {
        self.store.records().permit_marked(viewer.into(), estate::OPTIONS_READ, OPTIONS_MARKING).await?;
        self.effective_menu(&viewer.organisation_id).await
    }

    /// One option of the viewer's organisation's menu.
    pub async fn option(&self, viewer: &Viewer, id: &str) -> Result<EstateOption, StoreError> {
        self.menu(viewer)
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or_else(|| StoreError::not_found(None, "no such option"))
    }

    /// Adds an option to the menu, or changes one (matched by id).
    pub async fn save_option(&self, viewer: &Viewer, option: EstateOption) -> Result<EstateOption, StoreError> {
        self.store.records().permit_marked(viewer.into(), estate::OPTIONS_KEEP, OPTIONS_MARKING).await?;
        option.check().map_err(invalid)?;
        let org = viewer.organisation_id.clone();
        let saved = |o: EstateOption| {
            (Event::Estate(EstateEvent::EstateOptionSaved { organisation_id: org.clone(), option: o }), OPTIONS_MARKING)
        };
        let mut events = Vec::new();
        if self.menu_of(&org).await?.is_none() {
            events.extend(options::shipped_menu().into_iter().filter(|o| o.id != option.id).map(&saved));
        }
        events.push(saved(option.clone()));
        self.store.append(&actor(viewer), &events).await?;
        Ok(option)
    }

    /// What has been decided about each option at a site, by option id.
    pub async fn decisions(&self, viewer: &Viewer, site: &SiteId) -> Result<Vec<SiteDecision>, StoreError> {
        self.get(viewer, site).await?;
        self.store.records().permit_marked(viewer.into(), estate::OPTIONS_READ, OPTIONS_MARKING).await?;
        let rows = self
            .store
            .fetch(
                "SELECT so.option_id, so.decision, so.reason, so.decided_by, COALESCE(u.name, ''), so.decided_at \
                 FROM site_options so LEFT JOIN users u ON u.id = so.decided_by WHERE so.site_id = $1 \
                 ORDER BY so.option_id",
                &[Val::from(site.to_string())],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(SiteDecision {
                    option_id: r.text(0),
                    decision: r.text(1).parse().map_err(integrity)?,
                    reason: r.text(2),
                    by: r.text(3),
                    by_name: r.text(4),
                    at: r.text(5),
                })
            })
            .collect()
    }

    /// Records that an option is in force at a site, or was considered and
    /// declined (with the reason), or withdraws the decision (`None`).
    pub async fn decide(
        &self,
        viewer: &Viewer,
        site: &SiteId,
        option_id: &str,
        decision: Option<Decision>,
        reason: &str,
    ) -> Result<SiteDecisionOutcome, StoreError> {
        self.get(viewer, site).await?;
        self.store.records().permit_marked(viewer.into(), estate::OPTIONS_KEEP, OPTIONS_MARKING).await?;
        let menu = self.effective_menu(&viewer.organisation_id).await?;
        if !menu.iter().any(|o| o.id == option_id) {
            return Err(StoreError::invalid("option_id", "Choose an option from the menu of options"));
        }
        options::check_decision(decision, reason).map_err(invalid)?;
        let ev = Event::Estate(EstateEvent::SiteOptionDecided {
            site_id: site.clone(),
            option_id: option_id.to_string(),
            decision,
            reason: reason.trim().to_string(),
        });
        self.store.append(&actor(viewer), &[(ev, OPTIONS_MARKING)]).await?;
        Ok(SiteDecisionOutcome {
            decision: self.decisions(viewer, site).await?.into_iter().find(|d| d.option_id == option_id),
        })
    }

    /// The instructions staff at a site follow: those of the options in force
    /// there. For the site's own staff and anyone who may read the estate;
    /// no other detail of the options is given.
    pub async fn instructions(&self, viewer: &Viewer, site: &Site) -> Result<Vec<String>, StoreError> {
        let menu = self.effective_menu(&site.organisation_id).await?;
        let rows = self
            .store
            .fetch(
                "SELECT option_id FROM site_options WHERE site_id = $1 AND decision = 'in_force' \
                 AND EXISTS (SELECT 1 FROM sites s WHERE s.id = $1 AND s.organisation_id = $2)",
                &[Val::from(site.id.to_string()), Val::from(viewer.organisation_id.to_string())],
            )
            .await?;
        let in_force: Vec<String> = rows.iter().map(|r| r.text(0)).collect();
        Ok(menu.into_iter().filter(|o| in_force.contains(&o.id)).map(|o| o.instruction).collect())
    }

    /// What going to `level` would cost the viewer's organisation, site by
    /// site and by division: at each site, the options in force there and
    /// those the menu holds for the level the site would run at, less those
    /// declined there (see `options::options_at`).
    pub async fn resource_implications(
        &self,
        viewer: &Viewer,
        level: ResponseLevel,
    ) -> Result<Implications, StoreError> {
        self.store.records().permit_marked(viewer.into(), estate::OPTIONS_READ, OPTIONS_MARKING).await?;
        let menu = self.effective_menu(&viewer.organisation_id).await?;
        let (sites, _) = self.list(viewer, &SiteFilter::default(), i64::MAX, 0).await?;
        let rows = self
            .store
            .fetch(
                "SELECT so.site_id, so.option_id, so.decision FROM site_options so JOIN sites s ON s.id = so.site_id \
                 WHERE s.organisation_id = $1",
                &[Val::from(viewer.organisation_id.to_string())],
            )
            .await?;
        let mut decided: HashMap<String, BTreeMap<String, Decision>> = HashMap::new();
        for r in &rows {
            decided.entry(r.text(0)).or_default().insert(r.text(1), r.text(2).parse().map_err(integrity)?);
        }
        let none = BTreeMap::new();
        let mut total = Costs::default();
        let mut divisions: BTreeMap<String, DivisionCosts> = BTreeMap::new();
        let mut by_site = Vec::with_capacity(sites.len());
        for s in sites {
            let at = options::level_if(level, s.raised.as_ref().map(|r| r.level));
            let counted = options::options_at(&menu, at, decided.get(s.id.as_str()).unwrap_or(&none));
            let mut costs = Costs::default();
            costs.add(&counted);
            total.merge(&costs);
            let d = divisions.entry(s.division.clone()).or_insert_with(|| DivisionCosts {
                division: s.division.clone(),
                sites: 0,
                costs: Costs::default(),
            });
            d.sites += 1;
            d.costs.merge(&costs);
            by_site.push(SiteCosts {
                site_id: s.id,
                name: s.name,
                division: s.division,
                level: at,
                options: counted.iter().map(|o| o.id.clone()).collect(),
                costs,
            });
        }
        Ok(Implications {
            level,
            sites: by_site.len() as i64,
            total,
            by_division: divisions.into_values().collect(),
            by_site,
        })
    }
}

/// The decision as it stands after a change (none when withdrawn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteDecisionOutcome {
    pub decision: Option<SiteDecision>,
}

/// The menu in the order the pages show it: by the lowest level it is
/// considered at, then by title.
fn sort_menu(menu: &mut [EstateOption]) {
    menu.sort_by(|a, b| {
        let low = |o: &EstateOption| o.levels.iter().min().copied();
        (a.retired, low(a), a.title.to_lowercase()).cmp(&(b.retired, low(b), b.title.to_lowercase()))
    });
}
