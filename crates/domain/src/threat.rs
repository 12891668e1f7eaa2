//! National and Northern Ireland-related threat levels, the response levels they
//! imply, and their history (domain reference §1).
//!
//! The levels, their definitions and the threat-to-response mapping are
//! reference data loaded from `reference/threat-levels.toml`; this module holds
//! the types and the rules, not the facts.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::Date;

/// A threat level set by JTAC (national) or MI5 (Northern Ireland-related).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum ThreatLevel {
    Low,
    Moderate,
    Substantial,
    Severe,
    Critical,
}

impl ThreatLevel {
    pub const ALL: [ThreatLevel; 5] =
        [ThreatLevel::Low, ThreatLevel::Moderate, ThreatLevel::Substantial, ThreatLevel::Severe, ThreatLevel::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            ThreatLevel::Low => "LOW",
            ThreatLevel::Moderate => "MODERATE",
            ThreatLevel::Substantial => "SUBSTANTIAL",
            ThreatLevel::Severe => "SEVERE",
            ThreatLevel::Critical => "CRITICAL",
        }
    }

    /// 1 (LOW) to 5 (CRITICAL).
    pub fn ordinal(self) -> u8 {
        self as u8 + 1
    }
}

impl fmt::Display for ThreatLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ThreatLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ThreatLevel::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown threat level {s:?}: use LOW, MODERATE, SUBSTANTIAL, SEVERE or CRITICAL"))
    }
}

/// The protective security response that a threat level implies for a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum ResponseLevel {
    Normal,
    Heightened,
    Exceptional,
}

impl ResponseLevel {
    pub const ALL: [ResponseLevel; 3] = [ResponseLevel::Normal, ResponseLevel::Heightened, ResponseLevel::Exceptional];

    pub fn as_str(self) -> &'static str {
        match self {
            ResponseLevel::Normal => "NORMAL",
            ResponseLevel::Heightened => "HEIGHTENED",
            ResponseLevel::Exceptional => "EXCEPTIONAL",
        }
    }
}

impl fmt::Display for ResponseLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResponseLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResponseLevel::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown response level {s:?}: use NORMAL, HEIGHTENED or EXCEPTIONAL"))
    }
}

/// A published threat-level series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Series {
    /// The UK national level (international terrorism before 23 July 2019).
    #[serde(rename = "national")]
    National,
    /// Northern Ireland-related terrorism in Northern Ireland.
    #[serde(rename = "ni-in-ni")]
    NiInNi,
    /// Northern Ireland-related terrorism in Great Britain (closed 23 July 2019).
    #[serde(rename = "ni-in-gb")]
    NiInGb,
    /// The threat to the police sector and the police estate (seed 002): not
    /// public, read only by signed-in users of police organisations.
    #[serde(rename = "police-sector")]
    PoliceSector,
}

impl Series {
    pub const ALL: [Series; 4] = [Series::National, Series::NiInNi, Series::NiInGb, Series::PoliceSector];

    /// The series anyone may read, signed in or not.
    pub const PUBLIC: [Series; 3] = [Series::National, Series::NiInNi, Series::NiInGb];

    pub fn as_str(self) -> &'static str {
        match self {
            Series::National => "national",
            Series::NiInNi => "ni-in-ni",
            Series::NiInGb => "ni-in-gb",
            Series::PoliceSector => "police-sector",
        }
    }

    /// Whether anyone may read it; the police sector level is read only by
    /// signed-in users of police organisations ([`Series::readable_by`]).
    pub fn is_public(self) -> bool {
        self != Series::PoliceSector
    }

    /// Whether a reader of an organisation of `kind` (none when signed out) may read it.
    pub fn readable_by(self, kind: Option<crate::identity::OrgKind>) -> bool {
        use crate::identity::OrgKind;
        self.is_public() || matches!(kind, Some(OrgKind::PoliceForce | OrgKind::CtPolicing))
    }

    pub fn title(self) -> &'static str {
        match self {
            Series::National => "UK national threat level",
            Series::NiInNi => "Northern Ireland-related terrorism in Northern Ireland",
            Series::NiInGb => "Northern Ireland-related terrorism in Great Britain",
            Series::PoliceSector => "Threat level to the police sector",
        }
    }

    pub fn set_by(self) -> &'static str {
        match self {
            Series::National => "Joint Terrorism Analysis Centre (JTAC)",
            Series::NiInNi | Series::NiInGb => "MI5",
            Series::PoliceSector => "Recorded by the force's administrators as notified to the police sector",
        }
    }
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Series {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Series::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| format!("unknown series {s:?}: use national, ni-in-ni, ni-in-gb or police-sector"))
    }
}

/// How sure the reference is of a fact (domain reference tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Seen on a government, police or legislation site, or recorded by an administrator.
    #[default]
    Official,
    /// Seen only in a reputable secondary source.
    Secondary,
    /// Not confirmed in any retrieved text: shown with a warning.
    Uncertain,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Official => "official",
            Confidence::Secondary => "secondary",
            Confidence::Uncertain => "uncertain",
        }
    }
}

impl FromStr for Confidence {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "official" => Ok(Confidence::Official),
            "secondary" => Ok(Confidence::Secondary),
            "uncertain" => Ok(Confidence::Uncertain),
            _ => Err(format!("unknown confidence {s:?}")),
        }
    }
}

/// One recorded change of level in a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelChange {
    pub series: Series,
    pub effective: Date,
    pub level: ThreatLevel,
    pub note: String,
    pub source: String,
    pub confidence: Confidence,
}

/// A set of definitions in force from a date (legacy 2006 wording, 2019 wording).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wording {
    pub id: String,
    pub in_force_from: Date,
    pub source: String,
    /// One definition per level, in level order.
    pub definitions: Vec<(ThreatLevel, String)>,
}

/// Every wording, ordered by the date it came into force.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Wordings(pub Vec<Wording>);

impl Wordings {
    /// The wording in force on `on`, falling back to the earliest one.
    pub fn in_force(&self, on: Date) -> Option<&Wording> {
        self.0.iter().rev().find(|w| w.in_force_from <= on).or_else(|| self.0.first())
    }

    pub fn definition(&self, level: ThreatLevel, on: Date) -> Option<(&str, &str)> {
        let w = self.in_force(on)?;
        w.definitions.iter().find(|(l, _)| *l == level).map(|(_, d)| (w.id.as_str(), d.as_str()))
    }
}

/// The history of one series: its changes in date order and when it closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesHistory {
    pub series: Series,
    pub changes: Vec<LevelChange>,
    pub closed: Option<Date>,
}

/// Why no level is in force on a day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("the {series} series began on {began}; no level was published before then")]
    BeforeStart { series: Series, began: Date },
    #[error("the {series} series closed on {closed}; no level is published from then on")]
    AfterClose { series: Series, closed: Date },
    #[error("no level has been recorded for the {0} series")]
    Empty(Series),
}

impl SeriesHistory {
    pub fn began(&self) -> Option<Date> {
        self.changes.first().map(|c| c.effective)
    }

    pub fn current(&self) -> Option<&LevelChange> {
        if self.closed.is_some() {
            return None;
        }
        self.changes.last()
    }

    /// The change in force on `on`. A change announced on a day is in force for
    /// the whole of that day; a closed series has no level from its closing day.
    pub fn level_on(&self, on: Date) -> Result<&LevelChange, LookupError> {
        let began = self.began().ok_or(LookupError::Empty(self.series))?;
        if on < began {
            return Err(LookupError::BeforeStart { series: self.series, began });
        }
        if let Some(closed) = self.closed {
            if on >= closed {
                return Err(LookupError::AfterClose { series: self.series, closed });
            }
        }
        Ok(self.changes.iter().rev().find(|c| c.effective <= on).expect("on >= began, so a change is in force"))
    }

    /// Checks that a newly announced change may be recorded: the series is open,
    /// the date is not in the future and comes after the latest recorded change,
    /// and the level actually changes. History is append-only.
    pub fn check_new_change(&self, level: ThreatLevel, effective: Date, today: Date) -> Result<(), ChangeError> {
        if let Some(closed) = self.closed {
            return Err(ChangeError::Closed { series: self.series, closed });
        }
        if effective > today {
            return Err(ChangeError::Future { effective, today });
        }
        if let Some(last) = self.changes.last() {
            if effective <= last.effective {
                return Err(ChangeError::NotAfterLatest { effective, latest: last.effective });
            }
            if last.level == level {
                return Err(ChangeError::Unchanged { level, since: last.effective });
            }
        }
        Ok(())
    }
}

/// Why a new change of level was refused. Each names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("the {series} series closed on {closed}; no change can be recorded")]
    Closed { series: Series, closed: Date },
    #[error("effective date {effective} is in the future (today is {today}); record a change once it is announced")]
    Future { effective: Date, today: Date },
    #[error("effective date {effective} is not after the latest recorded change ({latest}); history is append-only")]
    NotAfterLatest { effective: Date, latest: Date },
    #[error("the level has been {level} since {since}; nothing would change")]
    Unchanged { level: ThreatLevel, since: Date },
}

impl ChangeError {
    /// The field the error is about, for API errors.
    pub fn field(&self) -> &'static str {
        match self {
            ChangeError::Closed { .. } => "series",
            ChangeError::Future { .. } | ChangeError::NotAfterLatest { .. } => "effective",
            ChangeError::Unchanged { .. } => "level",
        }
    }
}

/// The official threat-to-response mapping: a floor for a site, not a ceiling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseMapping {
    pub source: String,
    pub rows: Vec<ResponseRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseRow {
    pub threat_level: ThreatLevel,
    pub response_level: ResponseLevel,
    pub description: String,
}

impl ResponseMapping {
    pub fn response_for(&self, level: ThreatLevel) -> Option<&ResponseRow> {
        self.rows.iter().find(|r| r.threat_level == level)
    }

    /// Every threat level maps to exactly one response level, and a higher
    /// threat never maps to a lower response.
    pub fn check(&self) -> Result<(), String> {
        for l in ThreatLevel::ALL {
            let n = self.rows.iter().filter(|r| r.threat_level == l).count();
            if n != 1 {
                return Err(format!("threat level {l} is mapped {n} times; it must be mapped once"));
            }
        }
        for a in &self.rows {
            for b in &self.rows {
                if a.threat_level < b.threat_level && a.response_level > b.response_level {
                    return Err(format!(
                        "{} maps to {} but the higher {} maps to the lower {}",
                        a.threat_level, a.response_level, b.threat_level, b.response_level
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn change(effective: Date, level: ThreatLevel) -> LevelChange {
        LevelChange {
            series: Series::NiInGb,
            effective,
            level,
            note: String::new(),
            source: String::new(),
            confidence: Confidence::Official,
        }
    }

    fn history() -> SeriesHistory {
        SeriesHistory {
            series: Series::NiInGb,
            changes: vec![
                change(date!(2010 - 09 - 24), ThreatLevel::Substantial),
                change(date!(2012 - 10 - 24), ThreatLevel::Moderate),
            ],
            closed: Some(date!(2019 - 07 - 23)),
        }
    }

    #[test]
    fn level_on_respects_start_close_and_change_days() {
        let h = history();
        assert!(matches!(h.level_on(date!(2010 - 09 - 23)), Err(LookupError::BeforeStart { .. })));
        assert_eq!(h.level_on(date!(2010 - 09 - 24)).unwrap().level, ThreatLevel::Substantial);
        assert_eq!(h.level_on(date!(2012 - 10 - 23)).unwrap().level, ThreatLevel::Substantial);
        assert_eq!(h.level_on(date!(2012 - 10 - 24)).unwrap().level, ThreatLevel::Moderate);
        assert_eq!(h.level_on(date!(2019 - 07 - 22)).unwrap().level, ThreatLevel::Moderate);
        assert!(matches!(h.level_on(date!(2019 - 07 - 23)), Err(LookupError::AfterClose { .. })));
        assert!(h.current().is_none());
    }

    #[test]
    fn new_changes_are_checked() {
        let mut h = history();
        let today = date!(2026 - 11 - 21);
        assert_eq!(h.check_new_change(ThreatLevel::Low, date!(2020 - 01 - 01), today).unwrap_err().field(), "series");
        h.closed = None;
        assert!(matches!(
            h.check_new_change(ThreatLevel::Low, date!(2027 - 01 - 01), today),
            Err(ChangeError::Future { .. })
        ));
        assert!(matches!(
            h.check_new_change(ThreatLevel::Low, date!(2012 - 10 - 24), today),
            Err(ChangeError::NotAfterLatest { .. })
        ));
        assert!(matches!(
            h.check_new_change(ThreatLevel::Moderate, date!(2020 - 01 - 01), today),
            Err(ChangeError::Unchanged { .. })
        ));
        assert!(h.check_new_change(ThreatLevel::Low, today, today).is_ok());
    }

    #[test]
    fn identifiers_round_trip() {
        for l in ThreatLevel::ALL {
            assert_eq!(l.as_str().parse::<ThreatLevel>().unwrap(), l);
            assert_eq!(l.as_str().to_lowercase().parse::<ThreatLevel>().unwrap(), l);
        }
        for s in Series::ALL {
            assert_eq!(s.as_str().parse::<Series>().unwrap(), s);
        }
        assert!("BLACK".parse::<ThreatLevel>().is_err());
        assert!("scotland".parse::<Series>().is_err());
        use crate::identity::OrgKind;
        assert!(Series::PoliceSector.readable_by(Some(OrgKind::PoliceForce)));
        assert!(Series::PoliceSector.readable_by(Some(OrgKind::CtPolicing)));
        assert!(!Series::PoliceSector.readable_by(Some(OrgKind::LocalAuthority)));
        assert!(!Series::PoliceSector.readable_by(None));
        assert!(Series::National.readable_by(None));
        assert_eq!(ThreatLevel::Critical.ordinal(), 5);
    }
}

/// The journal events of threat levels and the threat-to-response mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ThreatEvent {
    /// The wording of the threat level definitions in force from a date.
    ThreatWordingDefined { wording: Wording },
    /// The official threat-to-response mapping.
    ResponseMappingDefined { mapping: ResponseMapping },
    /// A new threat level was announced for a series.
    ThreatLevelChanged {
        series: Series,
        level: ThreatLevel,
        /// `YYYY-MM-DD`, the day it was announced.
        effective: String,
        note: String,
        source: String,
        confidence: Confidence,
    },
    /// A series stopped being published.
    ThreatSeriesClosed { series: Series, effective: String, note: String, source: String },
}

crate::capability_event!(ThreatEvent, |e| match e {
    ThreatEvent::ThreatWordingDefined { .. } | ThreatEvent::ResponseMappingDefined { .. } => "reference/threat".into(),
    ThreatEvent::ThreatLevelChanged { series, .. } | ThreatEvent::ThreatSeriesClosed { series, .. } => {
        format!("threat/{series}")
    }
});

/// Recording a threat level (national or police sector).
pub const RECORD: crate::access::Action = crate::access::Action {
    name: "threat.record",
    what: "record a change of threat level, or correct one",
    roles: Some(&[crate::identity::Role::Administrator]),
    needs_team: false,
};

/// The threat capability's actions.
pub const ACTIONS: &[crate::access::Action] = &[RECORD];
