//! The risk matrix: likelihood × impact scores and configurable rating bands
//! (domain reference §6.5). Dimensions, labels and bands are reference data.

use serde::{Deserialize, Serialize};

/// A band of scores with a rating label, such as "High" for 10 to 16.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Band {
    pub label: String,
    pub min: u32,
    pub max: u32,
}

/// A likelihood × impact matrix with labelled axes and rating bands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiskMatrix {
    pub name: String,
    pub source: String,
    /// Labels for likelihood 1..=n, lowest first.
    pub likelihood: Vec<String>,
    /// Labels for impact 1..=n, lowest first.
    pub impact: Vec<String>,
    /// Bands by score, lowest first; together they cover every possible score once.
    pub bands: Vec<Band>,
    /// The lowest band that needs treatment: a risk rated in it or above needs
    /// an accepted measure (or a recorded rationale), and a residual risk in it
    /// or above needs a contingency plan.
    pub tolerance: String,
}

/// A rated cell of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rating {
    pub likelihood: u32,
    pub impact: u32,
    pub score: u32,
    pub band: String,
}

/// Why a rating could not be given. Names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("likelihood {value} is outside the matrix (1 to {max})")]
    Likelihood { value: u32, max: u32 },
    #[error("impact {value} is outside the matrix (1 to {max})")]
    Impact { value: u32, max: u32 },
}

impl RatingError {
    pub fn field(&self) -> &'static str {
        match self {
            RatingError::Likelihood { .. } => "likelihood",
            RatingError::Impact { .. } => "impact",
        }
    }
}

impl RiskMatrix {
    pub fn max_score(&self) -> u32 {
        (self.likelihood.len() * self.impact.len()) as u32
    }

    /// Checks the matrix is usable: both axes have 2 to 10 labels, and the bands
    /// are in order and cover every score from 1 to the maximum exactly once.
    pub fn check(&self) -> Result<(), String> {
        for (axis, labels) in [("likelihood", &self.likelihood), ("impact", &self.impact)] {
            if !(2..=10).contains(&labels.len()) {
                return Err(format!("the {axis} axis needs 2 to 10 labels; it has {}", labels.len()));
            }
            if labels.iter().any(|l| l.trim().is_empty()) {
                return Err(format!("the {axis} axis has an empty label"));
            }
        }
        let mut next = 1;
        for b in &self.bands {
            if b.label.trim().is_empty() {
                return Err("a rating band has an empty label".into());
            }
            if b.min != next || b.max < b.min {
                return Err(format!(
                    "band {:?} covers {} to {}; the next band must start at {next}",
                    b.label, b.min, b.max
                ));
            }
            next = b.max + 1;
        }
        if self.band_rank(&self.tolerance).is_none() {
            return Err(format!("the tolerance {:?} is not one of the bands", self.tolerance));
        }
        if next != self.max_score() + 1 {
            return Err(format!("the bands end at {} but scores go up to {}", next - 1, self.max_score()));
        }
        Ok(())
    }

    pub fn rate(&self, likelihood: u32, impact: u32) -> Result<Rating, RatingError> {
        let lmax = self.likelihood.len() as u32;
        let imax = self.impact.len() as u32;
        if likelihood < 1 || likelihood > lmax {
            return Err(RatingError::Likelihood { value: likelihood, max: lmax });
        }
        if impact < 1 || impact > imax {
            return Err(RatingError::Impact { value: impact, max: imax });
        }
        let score = likelihood * impact;
        let band =
            self.bands.iter().find(|b| b.min <= score && score <= b.max).map(|b| b.label.clone()).unwrap_or_default();
        Ok(Rating { likelihood, impact, score, band })
    }

    /// The position of the tolerance band.
    pub fn tolerance_rank(&self) -> usize {
        self.band_rank(&self.tolerance).unwrap_or(usize::MAX)
    }

    /// The position of a band (0 = lowest), for comparing ratings with a tolerance.
    pub fn band_rank(&self, label: &str) -> Option<usize> {
        self.bands.iter().position(|b| b.label == label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn five_by_five() -> RiskMatrix {
        crate::reference::default_risk_matrix().unwrap()
    }

    #[test]
    fn default_matrix_is_valid_and_rates() {
        let m = five_by_five();
        m.check().unwrap();
        assert_eq!(m.rate(1, 1).unwrap().band, "Low");
        assert_eq!(m.rate(3, 3).unwrap().band, "Medium");
        assert_eq!(m.rate(4, 4).unwrap().band, "High");
        assert_eq!(m.rate(5, 5).unwrap().band, "Very high");
        assert_eq!(m.rate(6, 1).unwrap_err().field(), "likelihood");
        assert_eq!(m.rate(1, 0).unwrap_err().field(), "impact");
    }

    #[test]
    fn broken_bands_are_refused() {
        let mut m = five_by_five();
        m.bands[1].min += 1;
        assert!(m.check().is_err());
        let mut m = five_by_five();
        m.bands.pop();
        assert!(m.check().is_err());
        let mut m = five_by_five();
        m.likelihood.truncate(1);
        assert!(m.check().is_err());
    }

    proptest! {
        #[test]
        fn every_cell_has_exactly_one_band_and_ratings_are_monotonic(l in 1u32..=5, i in 1u32..=5) {
            let m = five_by_five();
            let r = m.rate(l, i).unwrap();
            prop_assert_eq!(m.bands.iter().filter(|b| b.min <= r.score && r.score <= b.max).count(), 1);
            if l < 5 {
                let up = m.rate(l + 1, i).unwrap();
                prop_assert!(m.band_rank(&up.band) >= m.band_rank(&r.band));
            }
        }
    }
}
