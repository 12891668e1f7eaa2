//! Martyn's Law, the Terrorism (Protection of Premises) Act 2025, as rules over
//! data: `reference/martyns-law.toml` holds the thresholds, uses, duties and
//! penalties with the provision each comes from; this module only applies them.
//! Pure: no I/O. The rules are statute, not an administrator's settings, so the
//! file is compiled in rather than loaded into the journal.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use utoipa::ToSchema;

pub const MARTYNS_LAW_TOML: &str = include_str!("../../../reference/martyns-law.toml");

/// The rules as read from the reference file.
#[derive(Debug, Clone, Deserialize)]
pub struct Rules {
    pub act: String,
    pub source: String,
    pub thresholds: Thresholds,
    pub penalties: Penalties,
    pub uses: Vec<UseRule>,
    pub duties: Vec<DutyRule>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Thresholds {
    pub qualifying: u64,
    pub qualifying_source: String,
    pub enhanced: u64,
    pub enhanced_source: String,
    pub event: u64,
    pub event_source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Penalties {
    pub information_notice_gbp: u64,
    pub information_notice_source: String,
    pub standard_gbp: u64,
    pub standard_source: String,
    pub enhanced_fixed_gbp: u64,
    pub enhanced_fixed_source: String,
    pub revenue_percent: u64,
    pub revenue_source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UseRule {
    pub id: String,
    pub words: String,
    pub schedule_1: bool,
    pub always_standard: bool,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DutyRule {
    pub id: String,
    pub title: String,
    pub words: String,
    pub section: String,
    pub standard: bool,
    pub enhanced: bool,
    pub organisation_only: bool,
}

/// The rules shipped with Cordon (parsed once; a test parses the file).
pub fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::parse(MARTYNS_LAW_TOML).expect("reference/martyns-law.toml parses"))
}

/// The tier of premises under the Act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    OutOfScope,
    Standard,
    Enhanced,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::OutOfScope, Tier::Standard, Tier::Enhanced];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::OutOfScope => "out_of_scope",
            Tier::Standard => "standard",
            Tier::Enhanced => "enhanced",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Tier::OutOfScope => "Out of scope",
            Tier::Standard => "Standard duty premises",
            Tier::Enhanced => "Enhanced duty premises",
        }
    }

    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Who is responsible for premises or an event (s.10 turns on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Responsible {
    Individual,
    Organisation,
}

impl Responsible {
    pub fn as_str(self) -> &'static str {
        match self {
            Responsible::Individual => "individual",
            Responsible::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Option<Responsible> {
        match s {
            "individual" => Some(Responsible::Individual),
            "organisation" => Some(Responsible::Organisation),
            _ => None,
        }
    }
}

/// The answer for premises: tier, duties, maximum penalty and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PremisesAnswer {
    pub tier: Tier,
    pub duties: Vec<String>,
    pub max_penalty_gbp: u64,
    pub reasons: Vec<String>,
}

/// The answer for an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventAnswer {
    pub qualifying: bool,
    pub duties: Vec<String>,
    pub max_penalty_gbp: u64,
    pub reasons: Vec<String>,
}

/// The conditions of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventConditions {
    pub attendance: u64,
    /// Attendees' tickets, invitations or passes are checked.
    pub ticketed: bool,
    /// The public may attend.
    pub public: bool,
    /// Held in premises that are already enhanced duty premises.
    pub in_enhanced_premises: bool,
    /// The organiser, where known.
    pub responsible: Option<Responsible>,
}

/// Which penalty case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PenaltyCase {
    Standard,
    Enhanced,
    Event,
    InformationNotice,
}

impl PenaltyCase {
    pub fn parse(s: &str) -> Option<PenaltyCase> {
        match s {
            "standard" => Some(PenaltyCase::Standard),
            "enhanced" => Some(PenaltyCase::Enhanced),
            "event" => Some(PenaltyCase::Event),
            "information_notice" => Some(PenaltyCase::InformationNotice),
            _ => None,
        }
    }
}

/// The revenue facts for the s.18 maximum in an enhanced or event case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revenue {
    /// Whether the person's first accounting period has ended.
    pub first_period_ended: bool,
    /// Qualifying worldwide revenue in the most recent complete period, whole pounds.
    pub revenue_gbp: u64,
    /// The length of that period in months.
    pub period_months: u32,
}

/// A penalty question that cannot be answered as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PenaltyError {
    pub field: &'static str,
    pub message: String,
}

/// Formats whole pounds as "£18,000,000".
pub fn pounds(gbp: u64) -> String {
    format!("£{}", thousands(gbp))
}

/// "650000" as "650,000".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Rules {
    pub fn parse(text: &str) -> Result<Rules, String> {
        let r: Rules = toml::from_str(text).map_err(|e| format!("martyns-law.toml: {e}"))?;
        if r.thresholds.qualifying == 0 || r.thresholds.enhanced <= r.thresholds.qualifying {
            return Err("martyns-law.toml: the enhanced threshold must be above the qualifying one".into());
        }
        for u in &r.uses {
            if u.id.is_empty() || r.uses.iter().filter(|v| v.id == u.id).count() > 1 {
                return Err(format!("martyns-law.toml: use {:?} is empty or repeated", u.id));
            }
        }
        Ok(r)
    }

    pub fn use_rule(&self, id: &str) -> Option<&UseRule> {
        self.uses.iter().find(|u| u.id == id)
    }

    pub fn duty(&self, id: &str) -> Option<&DutyRule> {
        self.duties.iter().find(|d| d.id == id)
    }

    /// The uses as "a, b or c", for messages.
    pub fn use_list(&self) -> String {
        let ids: Vec<&str> = self.uses.iter().map(|u| u.id.as_str()).collect();
        ids.join(", ")
    }

    /// The tier of premises of a known use and capacity (no reasons).
    pub fn tier(&self, u: &UseRule, capacity: u64) -> Tier {
        if !u.schedule_1 || capacity < self.thresholds.qualifying {
            Tier::OutOfScope
        } else if capacity >= self.thresholds.enhanced && !u.always_standard {
            Tier::Enhanced
        } else {
            Tier::Standard
        }
    }

    fn duties_for(&self, enhanced: bool, responsible: Option<Responsible>) -> Vec<String> {
        self.duties
            .iter()
            .filter(|d| if enhanced { d.enhanced } else { d.standard })
            .filter(|d| !(d.organisation_only && responsible == Some(Responsible::Individual)))
            .map(|d| d.id.clone())
            .collect()
    }

    /// Premises: tier, duties, the s.18 maximum (for enhanced premises the £18
    /// million floor; 5% of revenue applies where greater) and the reasons in words.
    pub fn premises(&self, u: &UseRule, capacity: u64, responsible: Responsible) -> PremisesAnswer {
        let t = &self.thresholds;
        let p = &self.penalties;
        let mut reasons = Vec::new();
        let tier = self.tier(u, capacity);
        if !u.schedule_1 {
            reasons.push(format!(
                "{} is not a use listed in Schedule 1, so premises wholly or mainly used for it are not qualifying premises (s.2(2)(b)).",
                u.words
            ));
        } else {
            reasons.push(format!("{} is a Schedule 1 use ({}).", u.words, u.source));
            if capacity < t.qualifying {
                reasons.push(format!(
                    "{} people is fewer than {}: premises qualify only where {} or more people may reasonably be expected at the same time, staff included ({}).",
                    thousands(capacity),
                    thousands(t.qualifying),
                    thousands(t.qualifying),
                    t.qualifying_source
                ));
            } else if capacity >= t.enhanced && u.always_standard {
                reasons.push(format!(
                    "{} people is {} or more, but {} premises are always standard duty premises, whatever their capacity ({}).",
                    thousands(capacity),
                    thousands(t.enhanced),
                    u.words.to_lowercase(),
                    u.source
                ));
            } else if capacity >= t.enhanced {
                reasons.push(format!(
                    "{} people is {} or more, so these are enhanced duty premises ({}).",
                    thousands(capacity),
                    thousands(t.enhanced),
                    t.enhanced_source
                ));
            } else {
                reasons.push(format!(
                    "{} people is at least {} and fewer than {}, so these are standard duty premises ({}).",
                    thousands(capacity),
                    thousands(t.qualifying),
                    thousands(t.enhanced),
                    t.qualifying_source
                ));
            }
            if let Some(note) = &u.note {
                reasons.push(note.clone());
            }
        }
        let (duties, max_penalty_gbp) = match tier {
            Tier::OutOfScope => {
                reasons.push("No duties under the Act apply, so there is no penalty under section 18.".into());
                (Vec::new(), 0)
            }
            Tier::Standard => {
                reasons.push(format!("The maximum penalty is {} ({}).", pounds(p.standard_gbp), p.standard_source));
                (self.duties_for(false, Some(responsible)), p.standard_gbp)
            }
            Tier::Enhanced => {
                if responsible == Responsible::Individual {
                    reasons.push(
                        "The person responsible is an individual, so no designated senior individual is needed (s.10)."
                            .into(),
                    );
                }
                reasons.push(format!(
                    "The maximum penalty is {} or {}% of qualifying worldwide revenue, whichever is greater ({}).",
                    pounds(p.enhanced_fixed_gbp),
                    p.revenue_percent,
                    p.revenue_source
                ));
                (self.duties_for(true, Some(responsible)), p.enhanced_fixed_gbp)
            }
        };
        PremisesAnswer { tier, duties, max_penalty_gbp, reasons }
    }

    /// Events: qualifying or not, the duties, the maximum penalty and why.
    pub fn event(&self, c: EventConditions) -> EventAnswer {
        let t = &self.thresholds;
        let mut reasons = Vec::new();
        let mut qualifying = true;
        if c.attendance < t.event {
            qualifying = false;
            reasons.push(format!(
                "{} attendees is fewer than {}: an event qualifies only with {} or more present at a time ({}).",
                thousands(c.attendance),
                thousands(t.event),
                thousands(t.event),
                t.event_source
            ));
        } else {
            reasons.push(format!(
                "{} attendees is {} or more at a time ({}).",
                thousands(c.attendance),
                thousands(t.event),
                t.event_source
            ));
        }
        if !c.ticketed {
            qualifying = false;
            reasons.push(
                "Attendees are not checked for a ticket, invitation or pass, so it is not a qualifying event.".into(),
            );
        }
        if !c.public {
            qualifying = false;
            reasons.push("The public cannot attend, so it is not a qualifying event.".into());
        }
        if c.in_enhanced_premises {
            qualifying = false;
            reasons.push(
                "It is held in enhanced duty premises, whose own duties cover it: it is not a separate qualifying event."
                    .into(),
            );
        }
        let (duties, max_penalty_gbp) = if qualifying {
            reasons.push("A qualifying event has the same requirements as enhanced duty premises.".into());
            if c.responsible.is_none() {
                reasons.push(
                    "A designated senior individual is needed only where the organiser is not an individual (s.10)."
                        .into(),
                );
            }
            let p = &self.penalties;
            reasons.push(format!(
                "The maximum penalty is {} or {}% of qualifying worldwide revenue, whichever is greater ({}).",
                pounds(p.enhanced_fixed_gbp),
                p.revenue_percent,
                p.revenue_source
            ));
            (self.duties_for(true, c.responsible), p.enhanced_fixed_gbp)
        } else {
            reasons.push("No duties under the Act apply to the event itself.".into());
            (Vec::new(), 0)
        };
        EventAnswer { qualifying, duties, max_penalty_gbp, reasons }
    }

    /// The s.18 maximum penalty. For enhanced premises and events, the greater of
    /// the fixed sum and the percentage of revenue, the revenue scaled to 12
    /// months where the accounting period was shorter or longer (rounded down to
    /// whole pounds); only the fixed sum where the first period has not ended.
    pub fn penalty(&self, case: PenaltyCase, revenue: Option<Revenue>) -> Result<(u64, String), PenaltyError> {
        let p = &self.penalties;
        Ok(match case {
            PenaltyCase::InformationNotice => (
                p.information_notice_gbp,
                format!("{} ({})", pounds(p.information_notice_gbp), p.information_notice_source),
            ),
            PenaltyCase::Standard => (p.standard_gbp, format!("{} ({})", pounds(p.standard_gbp), p.standard_source)),
            PenaltyCase::Enhanced | PenaltyCase::Event => match revenue {
                None => {
                    return Err(PenaltyError {
                        field: "first_period_ended",
                        message: "Say whether the first accounting period has ended (true or false)".into(),
                    })
                }
                Some(r) if !r.first_period_ended => (
                    p.enhanced_fixed_gbp,
                    format!(
                        "{}: the first accounting period has not ended, so only the fixed sum applies ({})",
                        pounds(p.enhanced_fixed_gbp),
                        p.enhanced_fixed_source
                    ),
                ),
                Some(r) => {
                    if r.period_months == 0 {
                        return Err(PenaltyError {
                            field: "period_months",
                            message: "The accounting period must be at least 1 month".into(),
                        });
                    }
                    // revenue × 12 / months × percent / 100, in integers, rounded down.
                    let annual = u128::from(r.revenue_gbp) * 12;
                    let share = annual * u128::from(p.revenue_percent) / (100 * u128::from(r.period_months));
                    let share = u64::try_from(share).unwrap_or(u64::MAX);
                    let max = share.max(p.enhanced_fixed_gbp);
                    let why = if r.period_months == 12 {
                        format!("{}% of revenue of {} is {}", p.revenue_percent, pounds(r.revenue_gbp), pounds(share))
                    } else {
                        format!(
                            "revenue of {} over {} months is {} a year pro rata, and {}% of that is {}",
                            pounds(r.revenue_gbp),
                            r.period_months,
                            pounds(u64::try_from(annual / u128::from(r.period_months)).unwrap_or(u64::MAX)),
                            p.revenue_percent,
                            pounds(share)
                        )
                    };
                    (
                        max,
                        format!(
                            "{}: {why}; the maximum is the greater of that and {} ({})",
                            pounds(max),
                            pounds(p.enhanced_fixed_gbp),
                            p.revenue_source
                        ),
                    )
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn premises(use_id: &str, capacity: u64, r: Responsible) -> PremisesAnswer {
        let rules = rules();
        rules.premises(rules.use_rule(use_id).unwrap(), capacity, r)
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_shipped_rules_parse_and_name_every_contract_use_and_duty() {
        let r = rules();
        let uses = [
            "shop",
            "food_and_drink",
            "library",
            "museum",
            "gallery",
            "sports_ground",
            "entertainment_venue",
            "visitor_attraction",
            "hotel",
            "place_of_worship",
            "childcare",
            "school",
            "further_education",
            "higher_education",
            "health",
            "transport_hub",
            "office",
            "warehouse",
            "residential",
        ];
        assert_eq!(r.uses.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), uses);
        for u in ["office", "warehouse", "residential"] {
            assert!(!r.use_rule(u).unwrap().schedule_1, "{u}");
        }
        assert_eq!(
            r.duties.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            [
                "notify_sia",
                "public_protection_procedures",
                "public_protection_measures",
                "security_document",
                "designated_senior_individual"
            ]
        );
        assert_eq!((r.thresholds.qualifying, r.thresholds.enhanced, r.thresholds.event), (200, 800, 800));
    }

    #[test]
    fn a_bad_rules_file_is_refused() {
        assert!(Rules::parse("act = 1").is_err());
        let swapped = MARTYNS_LAW_TOML.replace("enhanced = 800", "enhanced = 100");
        assert!(Rules::parse(&swapped).is_err());
    }

    #[test]
    fn premises_tiers_at_and_around_200_and_800() {
        use Responsible::Organisation as O;
        assert_eq!(premises("shop", 0, O).tier, Tier::OutOfScope);
        assert_eq!(premises("shop", 199, O).tier, Tier::OutOfScope);
        assert_eq!(premises("shop", 200, O).tier, Tier::Standard);
        assert_eq!(premises("shop", 201, O).tier, Tier::Standard);
        assert_eq!(premises("shop", 799, O).tier, Tier::Standard);
        assert_eq!(premises("shop", 800, O).tier, Tier::Enhanced);
        assert_eq!(premises("shop", 801, O).tier, Tier::Enhanced);
        assert_eq!(premises("sports_ground", 60_000, O).tier, Tier::Enhanced);
    }

    #[test]
    fn places_of_worship_childcare_schools_and_further_education_are_always_standard() {
        use Responsible::Organisation as O;
        for u in ["place_of_worship", "childcare", "school", "further_education"] {
            assert_eq!(premises(u, 199, O).tier, Tier::OutOfScope, "{u}");
            assert_eq!(premises(u, 200, O).tier, Tier::Standard, "{u}");
            assert_eq!(premises(u, 799, O).tier, Tier::Standard, "{u}");
            let big = premises(u, 800, O);
            assert_eq!(big.tier, Tier::Standard, "{u}");
            assert_eq!(big.max_penalty_gbp, 10_000);
            assert!(big.reasons.iter().any(|r| r.contains("always standard")), "{:?}", big.reasons);
            assert_eq!(premises(u, 5_000, O).tier, Tier::Standard, "{u}");
        }
        // Higher education is not overridden.
        assert_eq!(premises("higher_education", 800, O).tier, Tier::Enhanced);
    }

    #[test]
    fn uses_outside_schedule_1_are_out_of_scope_at_any_size() {
        for u in ["office", "warehouse", "residential"] {
            let a = premises(u, 10_000, Responsible::Organisation);
            assert_eq!(a.tier, Tier::OutOfScope, "{u}");
            assert!(a.duties.is_empty());
            assert_eq!(a.max_penalty_gbp, 0);
            assert!(a.reasons[0].contains("Schedule 1"), "{:?}", a.reasons);
        }
    }

    #[test]
    fn duties_by_tier_and_the_designated_senior_individual_only_for_organisations() {
        use Responsible::*;
        assert!(premises("museum", 199, Organisation).duties.is_empty());
        let standard = ids(&["notify_sia", "public_protection_procedures"]);
        assert_eq!(premises("museum", 200, Organisation).duties, standard);
        assert_eq!(premises("museum", 799, Individual).duties, standard);
        assert_eq!(
            premises("museum", 800, Organisation).duties,
            ids(&[
                "notify_sia",
                "public_protection_procedures",
                "public_protection_measures",
                "security_document",
                "designated_senior_individual"
            ])
        );
        assert_eq!(
            premises("museum", 800, Individual).duties,
            ids(&["notify_sia", "public_protection_procedures", "public_protection_measures", "security_document"])
        );
        assert_eq!(premises("museum", 800, Individual).max_penalty_gbp, 18_000_000);
        assert_eq!(premises("museum", 799, Individual).max_penalty_gbp, 10_000);
    }

    fn ev(attendance: u64, ticketed: bool, public: bool, in_enhanced_premises: bool) -> EventAnswer {
        rules().event(EventConditions { attendance, ticketed, public, in_enhanced_premises, responsible: None })
    }

    #[test]
    fn events_qualify_at_800_ticketed_public_and_not_in_enhanced_premises() {
        assert!(!ev(799, true, true, false).qualifying);
        let q = ev(800, true, true, false);
        assert!(q.qualifying);
        assert_eq!(q.duties.len(), 5);
        assert_eq!(q.max_penalty_gbp, 18_000_000);
        assert!(ev(801, true, true, false).qualifying);
        assert!(!ev(800, false, true, false).qualifying);
        assert!(!ev(800, true, false, false).qualifying);
        let inside = ev(5_000, true, true, true);
        assert!(!inside.qualifying);
        assert!(inside.duties.is_empty());
        assert_eq!(inside.max_penalty_gbp, 0);
        assert!(inside.reasons.iter().any(|r| r.contains("enhanced duty premises")));
        let by_person = rules().event(EventConditions {
            attendance: 900,
            ticketed: true,
            public: true,
            in_enhanced_premises: false,
            responsible: Some(Responsible::Individual),
        });
        assert!(!by_person.duties.contains(&"designated_senior_individual".to_string()));
    }

    fn pen(case: PenaltyCase, first_period_ended: bool, revenue_gbp: u64, period_months: u32) -> u64 {
        rules().penalty(case, Some(Revenue { first_period_ended, revenue_gbp, period_months })).unwrap().0
    }

    #[test]
    fn penalties_fixed_sums() {
        let r = rules();
        assert_eq!(r.penalty(PenaltyCase::Standard, None).unwrap().0, 10_000);
        assert_eq!(r.penalty(PenaltyCase::InformationNotice, None).unwrap().0, 5_000);
        assert_eq!(r.penalty(PenaltyCase::Enhanced, None).unwrap_err().field, "first_period_ended");
        assert_eq!(pen(PenaltyCase::Enhanced, false, 10_000_000_000, 12), 18_000_000);
        assert_eq!(pen(PenaltyCase::Event, false, 0, 0), 18_000_000);
    }

    #[test]
    fn penalties_greater_of_18_million_and_5_percent_of_revenue() {
        // 5% of £360m is exactly £18m; either side of it.
        assert_eq!(pen(PenaltyCase::Enhanced, true, 360_000_000, 12), 18_000_000);
        assert_eq!(pen(PenaltyCase::Enhanced, true, 360_000_020, 12), 18_000_001);
        assert_eq!(pen(PenaltyCase::Enhanced, true, 100_000_000, 12), 18_000_000);
        assert_eq!(pen(PenaltyCase::Event, true, 1_000_000_000, 12), 50_000_000);
    }

    #[test]
    fn penalties_pro_rate_revenue_for_periods_not_12_months() {
        // £500m over 6 months is £1bn a year: 5% is £50m.
        assert_eq!(pen(PenaltyCase::Enhanced, true, 500_000_000, 6), 50_000_000);
        // £1bn over 24 months is £500m a year: 5% is £25m.
        assert_eq!(pen(PenaltyCase::Enhanced, true, 1_000_000_000, 24), 25_000_000);
        // £200m over 6 months is £400m a year: £20m, above the floor only once pro-rated.
        assert_eq!(pen(PenaltyCase::Enhanced, true, 200_000_000, 12), 18_000_000);
        assert_eq!(pen(PenaltyCase::Enhanced, true, 200_000_000, 6), 20_000_000);
        // 18 months: £540m is £360m a year: exactly the floor.
        assert_eq!(pen(PenaltyCase::Enhanced, true, 540_000_000, 18), 18_000_000);
        let (_, why) = rules()
            .penalty(
                PenaltyCase::Event,
                Some(Revenue { first_period_ended: true, revenue_gbp: 500_000_000, period_months: 6 }),
            )
            .unwrap();
        assert!(why.contains("over 6 months") && why.contains("£1,000,000,000"), "{why}");
        let err = rules()
            .penalty(
                PenaltyCase::Enhanced,
                Some(Revenue { first_period_ended: true, revenue_gbp: 1, period_months: 0 }),
            )
            .unwrap_err();
        assert_eq!(err.field, "period_months");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(650000), "650,000");
        assert_eq!(pounds(18_000_000), "£18,000,000");
    }
}
