//! UK Government Security Classification markings.
//!
//! OFFICIAL-SENSITIVE is not a separate classification but a handling marking
//! on OFFICIAL material with a rigorously enforced need to know; it is modelled
//! as its own variant because every access decision depends on it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The marking every record carries. Ordered from least to most protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Marking {
    Official,
    OfficialSensitive,
    Secret,
}

impl Marking {
    pub const ALL: [Marking; 3] = [Marking::Official, Marking::OfficialSensitive, Marking::Secret];

    /// The identifier as written in the API and on the banner.
    pub fn as_str(self) -> &'static str {
        match self {
            Marking::Official => "OFFICIAL",
            Marking::OfficialSensitive => "OFFICIAL-SENSITIVE",
            Marking::Secret => "SECRET",
        }
    }
}

impl fmt::Display for Marking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a marking was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkingError {
    #[error("TOP SECRET material must not be held in Cordon")]
    TopSecret,
    #[error("unknown marking {0:?}: use OFFICIAL, OFFICIAL-SENSITIVE or SECRET")]
    Unknown(String),
}

impl FromStr for Marking {
    type Err = MarkingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String =
            s.trim().chars().map(|c| if c == '_' || c == ' ' { '-' } else { c.to_ascii_uppercase() }).collect();
        match norm.as_str() {
            "OFFICIAL" => Ok(Marking::Official),
            "OFFICIAL-SENSITIVE" => Ok(Marking::OfficialSensitive),
            "SECRET" => Ok(Marking::Secret),
            "TOP-SECRET" => Err(MarkingError::TopSecret),
            _ => Err(MarkingError::Unknown(s.to_string())),
        }
    }
}

impl TryFrom<String> for Marking {
    type Error = MarkingError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Marking> for String {
    fn from(m: Marking) -> String {
        m.as_str().to_string()
    }
}

impl utoipa::PartialSchema for Marking {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(Marking::ALL.iter().map(|m| m.as_str())))
            .description(Some("The protective marking, as written on the banner"))
            .into()
    }
}

impl utoipa::ToSchema for Marking {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_written_and_refuses_top_secret() {
        assert_eq!("OFFICIAL-SENSITIVE".parse(), Ok(Marking::OfficialSensitive));
        assert_eq!("official sensitive".parse(), Ok(Marking::OfficialSensitive));
        assert_eq!("SECRET".parse(), Ok(Marking::Secret));
        assert_eq!("TOP SECRET".parse::<Marking>(), Err(MarkingError::TopSecret));
        assert!("RESTRICTED".parse::<Marking>().is_err());
        for m in Marking::ALL {
            assert_eq!(m.as_str().parse(), Ok(m));
        }
        assert!(Marking::Official < Marking::OfficialSensitive);
        assert!(Marking::OfficialSensitive < Marking::Secret);
    }
}
