//! A place's priority score for an adviser's visit: threat, vulnerability and
//! consequence, with the weights from `reference/allocation-weights.toml`, and
//! the breakdown in words.

use super::Sector;
use crate::martyns_law::Tier;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use utoipa::ToSchema;

pub const WEIGHTS_TOML: &str = include_str!("../../../../reference/allocation-weights.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Weights {
    pub weights: Parts,
    pub threat_levels: BTreeMap<String, f64>,
    pub threat: ThreatWeights,
    pub sector_threat: BTreeMap<String, f64>,
    pub vulnerability: VulnerabilityWeights,
    pub consequence: ConsequenceWeights,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Parts {
    pub threat: f64,
    pub vulnerability: f64,
    pub consequence: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ThreatWeights {
    pub national_share: f64,
    pub flag_bonus: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct VulnerabilityWeights {
    pub never_visited: f64,
    pub full_after_years: f64,
    pub time_share: f64,
    pub duties_share: f64,
    pub outcomes: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ConsequenceWeights {
    pub capacity_full: f64,
    pub capacity_share: f64,
}

impl Weights {
    pub fn parse(text: &str) -> Result<Weights, String> {
        let w: Weights = toml::from_str(text).map_err(|e| format!("allocation-weights.toml: {e}"))?;
        let sum = w.weights.threat + w.weights.vulnerability + w.weights.consequence;
        if (sum - 1.0).abs() > 1e-9 {
            return Err(format!("allocation-weights.toml: the three weights must add up to 1, not {sum}"));
        }
        for s in Sector::ALL {
            if !w.sector_threat.contains_key(s.as_str()) {
                return Err(format!("allocation-weights.toml: no sector_threat for {}", s.as_str()));
            }
        }
        for o in VisitOutcome::ALL {
            if !w.vulnerability.outcomes.contains_key(o.as_str()) {
                return Err(format!("allocation-weights.toml: no outcome weight for {}", o.as_str()));
            }
        }
        Ok(w)
    }
}

pub fn weights() -> &'static Weights {
    static W: OnceLock<Weights> = OnceLock::new();
    W.get_or_init(|| Weights::parse(WEIGHTS_TOML).expect("reference/allocation-weights.toml parses"))
}

/// The outcome of an adviser's visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitOutcome {
    /// Good protective security in place.
    Good,
    /// Improvements agreed with the responsible person.
    ActionsAgreed,
    /// Poor: significant vulnerabilities remain.
    Poor,
}

impl VisitOutcome {
    pub const ALL: [VisitOutcome; 3] = [VisitOutcome::Good, VisitOutcome::ActionsAgreed, VisitOutcome::Poor];

    pub fn as_str(self) -> &'static str {
        match self {
            VisitOutcome::Good => "good",
            VisitOutcome::ActionsAgreed => "actions_agreed",
            VisitOutcome::Poor => "poor",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            VisitOutcome::Good => "good protective security in place",
            VisitOutcome::ActionsAgreed => "improvements agreed",
            VisitOutcome::Poor => "significant vulnerabilities remain",
        }
    }

    pub fn parse(s: &str) -> Option<VisitOutcome> {
        VisitOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// What the score is made from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreInputs {
    pub sector: Sector,
    pub tier: Tier,
    pub capacity: u64,
    /// The national threat level (`LOW` … `CRITICAL`).
    pub national_level: &'static str,
    /// A CTSA has flagged the place.
    pub flagged: bool,
    /// Days since the last visit and its outcome, if ever visited.
    pub last_visit: Option<(i64, VisitOutcome)>,
    /// The place's Martyn's Law duties not recorded as met, and how many apply.
    pub duties_unmet: u32,
    pub duties_applicable: u32,
}

/// A score and why.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Breakdown {
    /// 0 to 100.
    pub score: f64,
    pub threat: f64,
    pub vulnerability: f64,
    pub consequence: f64,
    /// The breakdown in words.
    pub words: Vec<String>,
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The score of a place, with its breakdown.
pub fn score(inputs: &ScoreInputs, w: &Weights) -> Breakdown {
    let national = w.threat_levels.get(inputs.national_level).copied().unwrap_or(0.6);
    let sector_threat = w.sector_threat.get(inputs.sector.as_str()).copied().unwrap_or(0.5);
    let mut threat = w.threat.national_share * national + (1.0 - w.threat.national_share) * sector_threat;
    if inputs.flagged {
        threat = (threat + w.threat.flag_bonus).min(1.0);
    }
    let v = &w.vulnerability;
    let (time, outcome, mut visit_words) = match inputs.last_visit {
        None => (
            v.never_visited,
            if inputs.tier == Tier::OutOfScope { 0.5 } else { 1.0 },
            "never visited by an adviser".to_string(),
        ),
        Some((days, o)) => {
            let years = days.max(0) as f64 / 365.25;
            (
                (years / v.full_after_years).min(1.0),
                v.outcomes.get(o.as_str()).copied().unwrap_or(1.0),
                format!("last visited {:.1} years ago ({})", years, o.words()),
            )
        }
    };
    // The Martyn's Law duties that apply and are not recorded as met count with
    // the visit's outcome.
    let outcome = if inputs.duties_applicable > 0 {
        let unmet = f64::from(inputs.duties_unmet.min(inputs.duties_applicable));
        let share = unmet / f64::from(inputs.duties_applicable);
        visit_words.push_str(&if inputs.duties_unmet == 0 {
            format!("; all {} of its Martyn's Law duties are recorded as met", inputs.duties_applicable)
        } else {
            format!(
                "; {} of its {} Martyn's Law duties {} not recorded as met",
                inputs.duties_unmet,
                inputs.duties_applicable,
                if inputs.duties_unmet == 1 { "is" } else { "are" }
            )
        });
        (1.0 - v.duties_share) * outcome + v.duties_share * share
    } else {
        outcome
    };
    let vulnerability = v.time_share * time + (1.0 - v.time_share) * outcome;
    let c = &w.consequence;
    let cap = (inputs.capacity.max(1) as f64).log10() / c.capacity_full.log10();
    let sector_c = inputs.sector.info().consequence;
    let consequence = c.capacity_share * cap.min(1.0) + (1.0 - c.capacity_share) * sector_c;
    let p = &w.weights;
    let score = 100.0 * (p.threat * threat + p.vulnerability * vulnerability + p.consequence * consequence);
    let words = vec![
        format!(
            "Threat {} (weight {}): the national level is {}{}; {} as a sector rates {}.",
            pct(threat),
            pct(p.threat),
            inputs.national_level,
            if inputs.flagged { ", and a CTSA has flagged this place" } else { "" },
            inputs.sector.info().name,
            pct(sector_threat)
        ),
        format!("Vulnerability {} (weight {}): {}.", pct(vulnerability), pct(p.vulnerability), visit_words),
        format!(
            "Consequence {} (weight {}): {} people at a time, and the sector's consequence rates {}.",
            pct(consequence),
            pct(p.consequence),
            crate::martyns_law::thousands(inputs.capacity),
            pct(sector_c)
        ),
    ];
    Breakdown { score, threat, vulnerability, consequence, words }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ScoreInputs {
        ScoreInputs {
            sector: Sector::Retail,
            tier: Tier::Standard,
            capacity: 500,
            national_level: "SUBSTANTIAL",
            flagged: false,
            last_visit: None,
            duties_unmet: 2,
            duties_applicable: 2,
        }
    }

    #[test]
    fn the_weights_parse_and_must_add_up() {
        let w = weights();
        assert!((w.weights.threat + w.weights.vulnerability + w.weights.consequence - 1.0).abs() < 1e-9);
        assert!(Weights::parse(&WEIGHTS_TOML.replace("threat = 0.30", "threat = 0.5")).is_err());
    }

    #[test]
    fn each_part_moves_the_score_the_right_way() {
        let w = weights();
        let s = |i: ScoreInputs| score(&i, w).score;
        let b = base();
        assert!(s(ScoreInputs { national_level: "SEVERE", ..b }) > s(b));
        assert!(s(ScoreInputs { flagged: true, ..b }) > s(b));
        assert!(s(ScoreInputs { capacity: 20_000, ..b }) > s(b));
        let recent_good = ScoreInputs { last_visit: Some((30, VisitOutcome::Good)), ..b };
        let old_poor = ScoreInputs { last_visit: Some((2000, VisitOutcome::Poor)), ..b };
        assert!(s(recent_good) < s(old_poor));
        assert!(s(recent_good) < s(b), "a recent good visit lowers the priority");
        let all = score(&b, w);
        assert!((0.0..=100.0).contains(&all.score));
        assert_eq!(all.words.len(), 3);
        assert!(all.words[1].contains("never visited"), "{:?}", all.words);
        assert!(all.words[1].contains("2 of its 2 Martyn's Law duties are not recorded as met"), "{:?}", all.words);
    }

    #[test]
    fn duties_met_lower_the_vulnerability_whether_visited_or_not() {
        let w = weights();
        let b = base();
        let v = |i: ScoreInputs| score(&i, w).vulnerability;
        assert!(v(ScoreInputs { duties_unmet: 0, ..b }) < v(ScoreInputs { duties_unmet: 1, ..b }));
        assert!(v(ScoreInputs { duties_unmet: 1, ..b }) < v(b));
        let visited = ScoreInputs { last_visit: Some((100, VisitOutcome::Good)), ..b };
        assert!(v(ScoreInputs { duties_unmet: 0, ..visited }) < v(visited), "a good visit does not meet the duties");
        let met = score(&ScoreInputs { duties_unmet: 0, ..visited }, w);
        assert!(met.words[1].contains("all 2 of its Martyn's Law duties are recorded as met"), "{:?}", met.words);
        // Out of scope: no duties, so nothing to meet.
        let out = ScoreInputs { tier: Tier::OutOfScope, duties_unmet: 0, duties_applicable: 0, ..b };
        assert!(!score(&out, w).words[1].contains("duties"));
    }
}
