//! Reference data shipped in the repository's `reference/` folder, parsed and
//! checked. The store loads it into the journal on first start.

use crate::methodology::AttackMethodology;
use crate::risk::RiskMatrix;
use crate::threat::{Confidence, LevelChange, ResponseMapping, Series, ThreatLevel, Wording};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use time::Date;

pub const THREAT_LEVELS_TOML: &str = include_str!("../../../reference/threat-levels.toml");
pub const ATTACK_METHODOLOGIES_TOML: &str = include_str!("../../../reference/attack-methodologies.toml");
pub const RISK_MATRIX_TOML: &str = include_str!("../../../reference/risk-matrix.toml");
/// The retention classes of records (read as shipped; see `audit::RetentionSchedule`).
pub const RETENTION_TOML: &str = include_str!("../../../reference/retention.toml");

/// The SHA-256 of a reference file, recorded when it is loaded.
pub fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Parses a calendar date written `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &fmt).map_err(|_| format!("{s:?} is not a date written YYYY-MM-DD"))
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&fmt).expect("a date always formats")
}

/// The threat-level reference: wordings, mapping and the history of each series.
#[derive(Debug, Clone)]
pub struct ThreatReference {
    pub wordings: Vec<Wording>,
    pub mapping: ResponseMapping,
    pub series: Vec<SeriesReference>,
}

#[derive(Debug, Clone)]
pub struct SeriesReference {
    pub series: Series,
    pub changes: Vec<LevelChange>,
    pub closed: Option<(Date, String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreat {
    wordings: Vec<RawWording>,
    mapping: ResponseMapping,
    series: Vec<RawSeries>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWording {
    id: String,
    in_force_from: String,
    source: String,
    definitions: BTreeMap<ThreatLevel, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeries {
    id: Series,
    closed: Option<String>,
    close_note: Option<String>,
    close_source: Option<String>,
    changes: Vec<RawChange>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    effective: String,
    level: ThreatLevel,
    note: String,
    source: String,
    confidence: Confidence,
}

pub fn threat_reference(text: &str) -> Result<ThreatReference, String> {
    let raw: RawThreat = toml::from_str(text).map_err(|e| format!("threat-levels.toml: {e}"))?;
    let mut wordings = Vec::new();
    for w in raw.wordings {
        if w.definitions.len() != ThreatLevel::ALL.len() {
            return Err(format!("wording {} must define every level", w.id));
        }
        wordings.push(Wording {
            id: w.id,
            in_force_from: parse_date(&w.in_force_from)?,
            source: w.source,
            definitions: w.definitions.into_iter().collect(),
        });
    }
    if !wordings.windows(2).all(|p| p[0].in_force_from < p[1].in_force_from) {
        return Err("wordings must be in date order".into());
    }
    raw.mapping.check()?;
    let mut series = Vec::new();
    for s in raw.series {
        let mut changes = Vec::new();
        for c in s.changes {
            changes.push(LevelChange {
                series: s.id,
                effective: parse_date(&c.effective)?,
                level: c.level,
                note: c.note,
                source: c.source,
                confidence: c.confidence,
            });
        }
        if changes.is_empty() {
            return Err(format!("series {} has no changes", s.id));
        }
        for p in changes.windows(2) {
            if p[0].effective >= p[1].effective || p[0].level == p[1].level {
                return Err(format!(
                    "series {}: change of {} must come after, and differ from, the one before",
                    s.id, p[1].effective
                ));
            }
        }
        let closed = match s.closed {
            Some(d) => {
                let d = parse_date(&d)?;
                if changes.last().is_some_and(|c| c.effective >= d) {
                    return Err(format!("series {} closes before its last change", s.id));
                }
                Some((d, s.close_note.unwrap_or_default(), s.close_source.unwrap_or_default()))
            }
            None => None,
        };
        series.push(SeriesReference { series: s.id, changes, closed });
    }
    // The police sector level is not published: administrators record it, so
    // the reference holds only the public series.
    for id in Series::ALL {
        let expected = usize::from(id.is_public());
        if series.iter().filter(|s| s.series == id).count() != expected {
            return Err(if id.is_public() {
                format!("series {id} must appear exactly once")
            } else {
                format!("series {id} is recorded by administrators, not shipped as reference data")
            });
        }
    }
    Ok(ThreatReference { wordings, mapping: raw.mapping, series })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    methodology: Vec<AttackMethodology>,
}

pub fn attack_methodologies(text: &str) -> Result<Vec<AttackMethodology>, String> {
    let raw: RawCatalogue = toml::from_str(text).map_err(|e| format!("attack-methodologies.toml: {e}"))?;
    let mut seen = std::collections::BTreeSet::new();
    for m in &raw.methodology {
        m.check()?;
        if !seen.insert(m.id.clone()) {
            return Err(format!("methodology {} appears twice", m.id));
        }
    }
    Ok(raw.methodology)
}

pub fn risk_matrix(text: &str) -> Result<RiskMatrix, String> {
    let m: RiskMatrix = toml::from_str(text).map_err(|e| format!("risk-matrix.toml: {e}"))?;
    m.check()?;
    Ok(m)
}

pub fn default_risk_matrix() -> Result<RiskMatrix, String> {
    risk_matrix(RISK_MATRIX_TOML)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threat::{ResponseLevel, SeriesHistory};
    use time::macros::date;

    #[test]
    fn shipped_reference_files_parse_and_check() {
        let t = threat_reference(THREAT_LEVELS_TOML).unwrap();
        assert_eq!(t.wordings.len(), 2);
        assert_eq!(t.mapping.response_for(ThreatLevel::Severe).unwrap().response_level, ResponseLevel::Heightened);
        assert_eq!(t.mapping.response_for(ThreatLevel::Critical).unwrap().response_level, ResponseLevel::Exceptional);
        assert_eq!(t.mapping.response_for(ThreatLevel::Moderate).unwrap().response_level, ResponseLevel::Normal);
        let m = attack_methodologies(ATTACK_METHODOLOGIES_TOML).unwrap();
        assert!(m.len() >= 10);
        default_risk_matrix().unwrap();
    }

    #[test]
    fn national_history_matches_the_reference_table() {
        let t = threat_reference(THREAT_LEVELS_TOML).unwrap();
        let s = t.series.iter().find(|s| s.series == Series::National).unwrap();
        let h = SeriesHistory { series: Series::National, changes: s.changes.clone(), closed: None };
        assert_eq!(h.level_on(date!(2006 - 08 - 12)).unwrap().level, ThreatLevel::Critical);
        assert_eq!(h.level_on(date!(2010 - 06 - 01)).unwrap().level, ThreatLevel::Severe);
        assert_eq!(h.level_on(date!(2018 - 06 - 01)).unwrap().level, ThreatLevel::Severe);
        assert_eq!(h.level_on(date!(2020 - 06 - 01)).unwrap().level, ThreatLevel::Substantial);
        assert_eq!(h.level_on(date!(2023 - 06 - 01)).unwrap().level, ThreatLevel::Substantial);
        assert!(h.level_on(date!(2006 - 07 - 31)).is_err());
        // CRITICAL has been used four times.
        assert_eq!(s.changes.iter().filter(|c| c.level == ThreatLevel::Critical).count(), 4);
    }

    #[test]
    fn wording_follows_the_date() {
        let t = threat_reference(THREAT_LEVELS_TOML).unwrap();
        let w = crate::threat::Wordings(t.wordings);
        assert_eq!(
            w.definition(ThreatLevel::Substantial, date!(2015 - 01 - 01)).unwrap(),
            ("legacy-2006", "An attack is a strong possibility")
        );
        assert_eq!(
            w.definition(ThreatLevel::Substantial, date!(2020 - 01 - 01)).unwrap(),
            ("2019", "An attack is likely")
        );
    }

    #[test]
    fn broken_files_are_refused_with_a_reason() {
        assert!(threat_reference("wordings = 3").is_err());
        let bad = THREAT_LEVELS_TOML.replace("effective = \"2006-08-10\"", "effective = \"2006-07-10\"");
        assert!(threat_reference(&bad).unwrap_err().contains("national"));
        assert!(parse_date("2024-13-01").is_err());
        assert!(parse_date("01/02/2024").is_err());
    }
}

/// The journal events of reference data that is not a capability's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ReferenceEvent {
    /// A reference file was loaded (its digest is recorded so it loads once).
    ReferenceLoaded { name: String, digest: String },
    /// An attack methodology in the reference catalogue was defined or revised.
    AttackMethodologyDefined { methodology: crate::methodology::AttackMethodology },
    /// The risk matrix was configured.
    RiskMatrixConfigured { matrix: crate::risk::RiskMatrix },
}

crate::capability_event!(ReferenceEvent, |e| match e {
    ReferenceEvent::ReferenceLoaded { name, .. } => format!("reference/{name}"),
    ReferenceEvent::AttackMethodologyDefined { methodology } => format!("methodology/{}", methodology.id),
    ReferenceEvent::RiskMatrixConfigured { .. } => "reference/risk-matrix".into(),
});
