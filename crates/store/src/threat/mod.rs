//! Threat levels: reading the level in force on a day, the history of each
//! series, and recording an announced change.

pub mod project;

use crate::sql::{Row, Val};
use crate::{Store, StoreError};
use cordon_domain::event::Event;
use cordon_domain::reference::{format_date, parse_date};
use cordon_domain::threat::ThreatEvent;
use cordon_domain::threat::{
    Confidence, LevelChange, LookupError, ResponseLevel, ResponseRow, Series, SeriesHistory, ThreatLevel,
};
use cordon_domain::Marking;
use serde::Serialize;
use time::Date;

/// The level in force in a series on a day, with what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelOn {
    pub series: Series,
    pub level: ThreatLevel,
    pub response_level: ResponseLevel,
    /// The day the level was announced.
    pub since: String,
    /// The definition in the wording in force on the day asked about.
    pub definition: String,
    pub wording: String,
    pub response_description: String,
    pub confidence: Confidence,
    pub note: String,
    pub source: String,
}

const LEVEL_ON_SQL: &str = "SELECT c.level, c.effective, c.confidence, c.note, c.source, \
       m.response_level, m.description, d.definition, d.wording, cl.effective \
     FROM threat_level_changes c \
     JOIN response_mapping m ON m.threat_level = c.level \
     LEFT JOIN threat_definitions d ON d.level = c.level AND d.wording = COALESCE( \
         (SELECT id FROM threat_wordings WHERE in_force_from <= $2 ORDER BY in_force_from DESC LIMIT 1), \
         (SELECT id FROM threat_wordings ORDER BY in_force_from LIMIT 1)) \
     LEFT JOIN threat_series_closures cl ON cl.series = c.series \
     WHERE c.series = $1 AND c.effective <= $2 \
     ORDER BY c.effective DESC LIMIT 1";

fn date_of(s: &str) -> Result<Date, StoreError> {
    parse_date(s).map_err(|e| StoreError::Integrity(format!("stored date: {e}")))
}

fn level_of(s: &str) -> Result<ThreatLevel, StoreError> {
    s.parse().map_err(StoreError::Integrity)
}

fn level_on_row(series: Series, r: &Row) -> Result<LevelOn, StoreError> {
    Ok(LevelOn {
        series,
        level: level_of(&r.text(0))?,
        since: r.text(1),
        confidence: r.text(2).parse().map_err(StoreError::Integrity)?,
        note: r.text(3),
        source: public_source(r.text(4)),
        response_level: r.text(5).parse().map_err(StoreError::Integrity)?,
        response_description: r.text(6),
        definition: r.text(7),
        wording: r.text(8),
    })
}

/// Why no level was found, as the store reports it.
#[derive(Debug)]
pub enum LevelOnError {
    Lookup(LookupError),
    Store(StoreError),
}

impl From<StoreError> for LevelOnError {
    fn from(e: StoreError) -> Self {
        LevelOnError::Store(e)
    }
}

/// The threat capability's operations, reached as `store.threat()`.
#[derive(Clone, Copy)]
pub struct ThreatStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn threat(&self) -> ThreatStore<'_> {
        ThreatStore { store: self }
    }
}

impl ThreatStore<'_> {
    /// The level in force in `series` on `on` (today when `None`).
    pub async fn level_on(&self, series: Series, on: Option<Date>) -> Result<LevelOn, LevelOnError> {
        let day = on.unwrap_or_else(crate::today);
        let row = self
            .store
            .fetch_one(LEVEL_ON_SQL, &[Val::Text(series.as_str().into()), Val::Text(format_date(day))])
            .await?;
        match row {
            Some(r) => {
                if let Some(closed) = r.opt_text(9) {
                    let closed = date_of(&closed)?;
                    if day >= closed {
                        return Err(LevelOnError::Lookup(LookupError::AfterClose { series, closed }));
                    }
                }
                Ok(level_on_row(series, &r)?)
            }
            None => {
                let began = self
                    .store
                    .fetch_one(
                        "SELECT MIN(effective) FROM threat_level_changes WHERE series = $1",
                        &[Val::Text(series.as_str().into())],
                    )
                    .await?
                    .and_then(|r| r.opt_text(0));
                Err(LevelOnError::Lookup(match began {
                    Some(b) => LookupError::BeforeStart { series, began: date_of(&b)? },
                    None => LookupError::Empty(series),
                }))
            }
        }
    }

    /// The whole history of a series, oldest first.
    pub async fn series_history(&self, series: Series) -> Result<SeriesHistory, StoreError> {
        let rows = self
            .store
            .fetch(
                "SELECT effective, level, note, source, confidence FROM threat_level_changes \
                 WHERE series = $1 ORDER BY effective",
                &[Val::Text(series.as_str().into())],
            )
            .await?;
        let mut changes = Vec::with_capacity(rows.len());
        for r in rows {
            changes.push(LevelChange {
                series,
                effective: date_of(&r.text(0))?,
                level: level_of(&r.text(1))?,
                note: r.text(2),
                source: public_source(r.text(3)),
                confidence: r.text(4).parse().map_err(StoreError::Integrity)?,
            });
        }
        let closed = self
            .store
            .fetch_one(
                "SELECT effective FROM threat_series_closures WHERE series = $1",
                &[Val::Text(series.as_str().into())],
            )
            .await?
            .map(|r| date_of(&r.text(0)))
            .transpose()?;
        Ok(SeriesHistory { series, changes, closed })
    }

    /// The official threat-to-response mapping.
    pub async fn response_mapping(&self) -> Result<Vec<ResponseRow>, StoreError> {
        let rows =
            self.store.fetch("SELECT threat_level, response_level, description FROM response_mapping", &[]).await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(ResponseRow {
                threat_level: level_of(&r.text(0))?,
                response_level: r.text(1).parse().map_err(StoreError::Integrity)?,
                description: r.text(2),
            });
        }
        out.sort_by_key(|r| r.threat_level);
        Ok(out)
    }

    /// The definitions in each wording: (wording id, in force from, [(level, definition)]).
    pub async fn threat_wordings(&self) -> Result<Vec<(String, String, Vec<(ThreatLevel, String)>)>, StoreError> {
        let ws = self.store.fetch("SELECT id, in_force_from FROM threat_wordings ORDER BY in_force_from", &[]).await?;
        let defs = self.store.fetch("SELECT wording, level, definition FROM threat_definitions", &[]).await?;
        let mut out = Vec::new();
        for w in ws {
            let id = w.text(0);
            let mut d: Vec<(ThreatLevel, String)> = defs
                .iter()
                .filter(|r| r.text(0) == id)
                .map(|r| Ok((level_of(&r.text(1))?, r.text(2))))
                .collect::<Result<_, StoreError>>()?;
            d.sort_by_key(|(l, _)| *l);
            out.push((id, w.text(1), d));
        }
        Ok(out)
    }

    /// Records an announced change of level, after checking it against the history.
    pub async fn record_threat_level(
        &self,
        caller: crate::records::Caller<'_>,
        series: Series,
        level: ThreatLevel,
        effective: Date,
        note: &str,
    ) -> Result<i64, StoreError> {
        self.store.records().permit(caller, cordon_domain::threat::RECORD).await?;
        let actor = &caller.actor();
        let note = note.trim();
        if note.is_empty() {
            return Err(StoreError::invalid("note", "a note is required: say what was announced and by whom"));
        }
        if note.chars().count() > 2000 {
            return Err(StoreError::invalid("note", "the note is longer than 2,000 characters"));
        }
        let history = self.series_history(series).await?;
        history
            .check_new_change(level, effective, self.store.today())
            .map_err(|e| StoreError::invalid(e.field(), e.to_string()))?;
        let event = Event::Threat(ThreatEvent::ThreatLevelChanged {
            series,
            level,
            effective: format_date(effective),
            note: note.to_string(),
            // Who recorded it is in the journal entry; the public record says only that it was recorded here.
            source: RECORDED_HERE.into(),
            confidence: Confidence::Official,
        });
        // Every site whose threat level this changes is recomputed in the same
        // append, so the change and the estate's response levels land together.
        let mut events = vec![(event, Marking::Official)];
        events.extend(self.store.estate().recompute_events(series, level).await?);
        let seqs = self.store.append(actor, &events).await.map_err(|e| match e {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("a change on {} is already recorded for {series}", format_date(effective)))
            }
            e => e,
        })?;
        Ok(seqs[0])
    }
}

/// The source of a level recorded through Cordon, as the public pages show it.
const RECORDED_HERE: &str = "Recorded in Cordon by an administrator";

/// The source as shown publicly: levels recorded by earlier releases named the
/// administrator's internal id, which the public pages do not show.
fn public_source(source: String) -> String {
    if source.starts_with("Recorded in Cordon by ") {
        RECORDED_HERE.to_string()
    } else {
        source
    }
}
