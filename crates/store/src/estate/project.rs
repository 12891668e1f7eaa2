//! The estate capability's projector: the only code that writes its state tables.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::estate::{rank, EstateEvent};
use cordon_domain::journal::Entry;

/// This capability's state tables, parents before children.
pub const TABLES: &[Table] = &[
    Table { name: "sites", order_by: "id" },
    Table { name: "site_staff", order_by: "site_id, user_id" },
    Table { name: "estate_options", order_by: "organisation_id, id" },
    Table { name: "site_options", order_by: "site_id, option_id" },
    Table { name: "estate_critical_plans", order_by: "organisation_id" },
    Table { name: "estate_activations", order_by: "id" },
    Table { name: "estate_activation_steps", order_by: "activation_id, step" },
];

fn json<T: serde::Serialize>(v: &T) -> Val {
    Val::Text(serde_json::to_string(v).unwrap_or_default())
}

fn opt(s: Option<&str>) -> Val {
    s.map(t).unwrap_or(Val::NullText)
}

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &EstateEvent, entry: &Entry) -> Vec<Stmt> {
    let seq = Val::Int(entry.seq);
    match event {
        EstateEvent::SiteAdded { id, organisation_id, name, kind, address, division, threat_level, floor } => {
            vec![Stmt::new(
                "INSERT INTO sites (id, organisation_id, name, kind, address, division, threat_level, floor, \
                 floor_rank, response_level, created_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $10, $11)",
                vec![
                    t(id.as_str()),
                    t(organisation_id.as_str()),
                    t(name),
                    t(kind.as_str()),
                    t(address),
                    t(division),
                    opt(threat_level.map(|l| l.as_str())),
                    t(floor.as_str()),
                    Val::Int(rank(*floor)),
                    t(&entry.at),
                    seq,
                ],
            )]
        }
        EstateEvent::SiteStaffAdded { site_id, user_id } => vec![Stmt::new(
            "INSERT INTO site_staff (site_id, user_id, added_at, seq) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (site_id, user_id) DO NOTHING",
            vec![t(site_id.as_str()), t(user_id.as_str()), t(&entry.at), seq],
        )],
        EstateEvent::SiteStaffRemoved { site_id, user_id } => vec![Stmt::new(
            "DELETE FROM site_staff WHERE site_id = $1 AND user_id = $2",
            vec![t(site_id.as_str()), t(user_id.as_str())],
        )],
        EstateEvent::SiteResponseLevelRaised { site_id, level, reason, until } => vec![Stmt::new(
            "UPDATE sites SET raised_level = $2, raised_rank = $3, raised_reason = $4, raised_by = $5, \
             raised_at = $6, raised_until = $7, response_level = $2, seq = $8 WHERE id = $1 AND floor_rank <= $3",
            vec![
                t(site_id.as_str()),
                t(level.as_str()),
                Val::Int(rank(*level)),
                t(reason),
                t(&entry.actor),
                t(&entry.at),
                opt(until.as_deref()),
                seq,
            ],
        )],
        EstateEvent::SiteReturnedToFloor { site_id } => vec![Stmt::new(
            "UPDATE sites SET raised_level = NULL, raised_rank = NULL, raised_reason = NULL, raised_by = NULL, \
             raised_at = NULL, raised_until = NULL, response_level = floor, seq = $2 WHERE id = $1",
            vec![t(site_id.as_str()), seq],
        )],
        // The recompute rule (`estate::recompute`) in SQL, on the site as it
        // stands when the entry is applied: a raise above the new floor is
        // kept, any other is dropped and the site runs at its floor. An older
        // journal's entry for one site is a batch of one.
        EstateEvent::SiteResponseLevelRecomputed { site_id, threat_level, floor } => vec![Stmt::new(
            with_ids(BATCH_RECOMPUTE, 5, 1),
            vec![
                opt(threat_level.map(|l| l.as_str())),
                t(floor.as_str()),
                Val::Int(rank(*floor)),
                seq,
                t(site_id.as_str()),
            ],
        )],
        EstateEvent::SitesRecomputed { site_ids, threat_level, floor } => {
            if site_ids.is_empty() {
                return Vec::new();
            }
            let mut args = vec![opt(threat_level.map(|l| l.as_str())), t(floor.as_str()), Val::Int(rank(*floor)), seq];
            args.extend(site_ids.iter().map(|id| t(id.as_str())));
            vec![Stmt::new(with_ids(BATCH_RECOMPUTE, 5, site_ids.len()), args)]
        }
        EstateEvent::EstateOptionSaved { organisation_id, option } => vec![Stmt::new(
            "INSERT INTO estate_options (organisation_id, id, body, seq) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (organisation_id, id) DO UPDATE SET body = excluded.body, seq = excluded.seq",
            vec![t(organisation_id.as_str()), t(&option.id), json(option), seq],
        )],
        EstateEvent::SiteOptionDecided { site_id, option_id, decision: None, .. } => vec![Stmt::new(
            "DELETE FROM site_options WHERE site_id = $1 AND option_id = $2",
            vec![t(site_id.as_str()), t(option_id)],
        )],
        EstateEvent::SiteOptionDecided { site_id, option_id, decision: Some(d), reason } => vec![Stmt::new(
            "INSERT INTO site_options (site_id, option_id, decision, reason, decided_by, decided_at, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (site_id, option_id) DO UPDATE SET \
             decision = excluded.decision, reason = excluded.reason, decided_by = excluded.decided_by, \
             decided_at = excluded.decided_at, seq = excluded.seq",
            vec![t(site_id.as_str()), t(option_id), t(d.as_str()), t(reason), t(&entry.actor), t(&entry.at), seq],
        )],
        EstateEvent::CriticalPlanSaved { organisation_id, plan } => vec![Stmt::new(
            "INSERT INTO estate_critical_plans (organisation_id, body, saved_by, saved_at, seq) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organisation_id) DO UPDATE SET body = excluded.body, \
             saved_by = excluded.saved_by, saved_at = excluded.saved_at, seq = excluded.seq",
            vec![t(organisation_id.as_str()), json(plan), t(&entry.actor), t(&entry.at), seq],
        )],
        EstateEvent::CriticalPlanActivated { id, organisation_id, reason, trigger, threat_level, checklist } => {
            let mut out = vec![Stmt::new(
                "INSERT INTO estate_activations (id, organisation_id, reason, trigger_kind, threat_level, started_by, \
                 started_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                vec![
                    t(id.as_str()),
                    t(organisation_id.as_str()),
                    t(reason),
                    t(trigger.as_str()),
                    opt(threat_level.map(|l| l.as_str())),
                    t(&entry.actor),
                    t(&entry.at),
                    seq,
                ],
            )];
            out.extend(checklist.iter().enumerate().map(|(i, c)| {
                Stmt::new(
                    "INSERT INTO estate_activation_steps (activation_id, step, action, owner_role) VALUES ($1, $2, $3, $4)",
                    vec![t(id.as_str()), Val::Int(i as i64), t(&c.action), t(&c.owner_role)],
                )
            }));
            out
        }
        EstateEvent::ActivationStepDone { activation_id, step, note } => vec![Stmt::new(
            "UPDATE estate_activation_steps SET done_by = $3, done_at = $4, note = $5 \
             WHERE activation_id = $1 AND step = $2",
            vec![t(activation_id.as_str()), Val::Int(i64::from(*step)), t(&entry.actor), t(&entry.at), t(note)],
        )],
        EstateEvent::SiteChanged { site_id, name, kind, address, division } => vec![Stmt::new(
            "UPDATE sites SET name = $2, kind = $3, address = $4, division = $5, seq = $6 WHERE id = $1",
            vec![t(site_id.as_str()), t(name), t(kind.as_str()), t(address), t(division), seq],
        )],
        EstateEvent::AcknowledgementsReminded { .. } => Vec::new(),
        EstateEvent::ActivationStoodDown { activation_id, reason } => vec![Stmt::new(
            "UPDATE estate_activations SET stood_down_by = $2, stood_down_at = $3, stood_down_reason = $4, seq = $5 \
             WHERE id = $1",
            vec![t(activation_id.as_str()), t(&entry.actor), t(&entry.at), t(reason), seq],
        )],
    }
}

/// The statement that gives every member of staff at a site (but the person
/// who made the change) a notice, when its response level actually changes:
/// derived before the event's own statements, so `s` is the site as it stood.
/// `$new` is SQL over `s` giving the level after; the other parameters are
/// the id prefix, the kind, the marking, the time, which sites (SQL over
/// `st`), the actor and
/// what NORMAL, HEIGHTENED and EXCEPTIONAL mean (`estate::meaning`), so the
/// notice says the new level and what it means.
macro_rules! notice_sql {
    ($new:literal, $id:literal, $kind:literal, $marking:literal, $at:literal, $sites:literal, $actor:literal,
     $normal:literal, $heightened:literal, $exceptional:literal) => {
        concat!(
            "INSERT INTO notifications (id, user_id, kind, summary, link, marking, created_at, site_id, response_level) ",
            "SELECT ", $id, " || st.user_id, st.user_id, ", $kind, ", 'The response level at your site is now ' || ", $new,
            " || ': ' || CASE ", $new, " WHEN 'NORMAL' THEN ", $normal, " WHEN 'HEIGHTENED' THEN ", $heightened,
            " ELSE ", $exceptional, " END || '.', ",
            "'/sites/' || s.id, ", $marking, ", ", $at, ", s.id, ", $new, " ",
            "FROM site_staff st JOIN sites s ON s.id = st.site_id ",
            "WHERE ", $sites, " AND st.user_id <> ", $actor, " AND s.response_level <> ", $new, " ",
            "ON CONFLICT (id) DO NOTHING"
        )
    };
}

// A raise below the site's floor (a threat level change landed between the
// check and the write) changes nothing and tells nobody: `$11` is its rank.
const RAISED_NOTICES: &str = notice_sql!(
    "(CASE WHEN s.floor_rank <= $11 THEN $1 ELSE s.response_level END)",
    "$2",
    "$3",
    "$4",
    "$5",
    "st.site_id = $6",
    "$7",
    "$8",
    "$9",
    "$10"
);
const RETURNED_NOTICES: &str =
    notice_sql!("s.floor", "$1", "$2", "$3", "$4", "st.site_id = $5", "$6", "$7", "$8", "$9");
const RECOMPUTED_NOTICES: &str = notice_sql!(
    "(CASE WHEN s.raised_rank > $2 THEN s.raised_level ELSE $1 END)",
    "$3",
    "$4",
    "$5",
    "$6",
    "st.site_id = $7",
    "$8",
    "$9",
    "$10",
    "$11"
);
/// For a batch of sites (`{ids}`, from `$11`): the id also names the site, as
/// one entry may tell a member of staff at two of its sites.
const BATCH_NOTICES: &str = notice_sql!(
    "(CASE WHEN s.raised_rank > $2 THEN s.raised_level ELSE $1 END)",
    "$3 || st.site_id || ':'",
    "$4",
    "$5",
    "$6",
    "st.site_id IN ({ids})",
    "$7",
    "$8",
    "$9",
    "$10"
);

/// The recompute rule for a batch of sites (`{ids}`, from `$5`).
const BATCH_RECOMPUTE: &str = "UPDATE sites SET threat_level = $1, floor = $2, floor_rank = $3, \
     response_level = CASE WHEN raised_rank > $3 THEN raised_level ELSE $2 END, \
     raised_level = CASE WHEN raised_rank > $3 THEN raised_level ELSE NULL END, \
     raised_reason = CASE WHEN raised_rank > $3 THEN raised_reason ELSE NULL END, \
     raised_by = CASE WHEN raised_rank > $3 THEN raised_by ELSE NULL END, \
     raised_at = CASE WHEN raised_rank > $3 THEN raised_at ELSE NULL END, \
     raised_until = CASE WHEN raised_rank > $3 THEN raised_until ELSE NULL END, \
     raised_rank = CASE WHEN raised_rank > $3 THEN raised_rank ELSE NULL END, \
     seq = $4 WHERE id IN ({ids})";

/// `sql` with `{ids}` replaced by `n` placeholders from `$first`. Statements
/// are `&'static str`, so each (statement, size) is made once and kept (at
/// most [`cordon_domain::estate::RECOMPUTE_BATCH`] sizes of each).
fn with_ids(sql: &'static str, first: usize, n: usize) -> &'static str {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<(&'static str, usize), &'static str>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    cache.entry((sql, n)).or_insert_with(|| {
        let marks: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
        Box::leak(sql.replace("{ids}", &marks.join(", ")).into_boxed_str())
    })
}

fn meanings() -> [Val; 3] {
    use cordon_domain::threat::ResponseLevel;
    [ResponseLevel::Normal, ResponseLevel::Heightened, ResponseLevel::Exceptional]
        .map(|l| t(cordon_domain::estate::meaning(l)))
}

/// A reminder to everyone at a site whose latest notice from it is not yet
/// acknowledged (the person reminding included, if they work there).
const REMINDERS: &str = "INSERT INTO notifications (id, user_id, kind, summary, link, marking, created_at, site_id, \
     response_level) SELECT $1 || st.user_id, st.user_id, $2, $3, '/', $4, $5, st.site_id, n.response_level \
     FROM site_staff st JOIN notifications n ON n.id = (SELECT n2.id FROM notifications n2 \
     WHERE n2.kind = 'response_level_changed' AND n2.site_id = st.site_id AND n2.user_id = st.user_id \
     ORDER BY n2.created_at DESC, n2.id DESC LIMIT 1) \
     WHERE st.site_id = $6 AND n.acknowledged_at IS NULL ON CONFLICT (id) DO NOTHING";

fn notice_args(site_id: &str, entry: &Entry) -> Vec<Val> {
    let kind = cordon_domain::notifications::NotificationKind::ResponseLevelChanged;
    let mut args = vec![
        t(&format!("{}:{}:", entry.seq, kind.as_str())),
        t(kind.as_str()),
        t(&entry.marking),
        t(&entry.at),
        t(site_id),
        t(&entry.actor),
    ];
    args.extend(meanings());
    args
}

/// The staff notices an estate event gives rise to (see `notifications::project::derive`).
pub fn derive(event: &EstateEvent, entry: &Entry) -> Vec<Stmt> {
    match event {
        EstateEvent::SiteResponseLevelRaised { site_id, level, .. } => {
            let mut args = vec![t(level.as_str())];
            args.extend(notice_args(site_id.as_str(), entry));
            args.push(Val::Int(rank(*level)));
            vec![Stmt::new(RAISED_NOTICES, args)]
        }
        EstateEvent::SitesRecomputed { site_ids, floor, .. } => {
            if site_ids.is_empty() {
                return Vec::new();
            }
            let kind = cordon_domain::notifications::NotificationKind::ResponseLevelChanged;
            let mut args = vec![
                t(floor.as_str()),
                Val::Int(rank(*floor)),
                t(&format!("{}:{}:", entry.seq, kind.as_str())),
                t(kind.as_str()),
                t(&entry.marking),
                t(&entry.at),
                t(&entry.actor),
            ];
            args.extend(meanings());
            args.extend(site_ids.iter().map(|id| t(id.as_str())));
            vec![Stmt::new(with_ids(BATCH_NOTICES, 11, site_ids.len()), args)]
        }
        EstateEvent::SiteReturnedToFloor { site_id } => {
            vec![Stmt::new(RETURNED_NOTICES, notice_args(site_id.as_str(), entry))]
        }
        EstateEvent::SiteResponseLevelRecomputed { site_id, floor, .. } => {
            let mut args = vec![t(floor.as_str()), Val::Int(rank(*floor))];
            args.extend(notice_args(site_id.as_str(), entry));
            vec![Stmt::new(RECOMPUTED_NOTICES, args)]
        }
        EstateEvent::AcknowledgementsReminded { site_id } => {
            let kind = cordon_domain::notifications::NotificationKind::AcknowledgementReminder;
            vec![Stmt::new(
                REMINDERS,
                vec![
                    t(&format!("{}:{}:", entry.seq, kind.as_str())),
                    t(kind.as_str()),
                    t(&kind.summary(None)),
                    t(&entry.marking),
                    t(&entry.at),
                    t(site_id.as_str()),
                ],
            )]
        }
        EstateEvent::SiteAdded { .. }
        | EstateEvent::SiteChanged { .. }
        | EstateEvent::SiteStaffAdded { .. }
        | EstateEvent::SiteStaffRemoved { .. }
        | EstateEvent::EstateOptionSaved { .. }
        | EstateEvent::SiteOptionDecided { .. }
        | EstateEvent::CriticalPlanSaved { .. }
        | EstateEvent::CriticalPlanActivated { .. }
        | EstateEvent::ActivationStepDone { .. }
        | EstateEvent::ActivationStoodDown { .. } => Vec::new(),
    }
}
