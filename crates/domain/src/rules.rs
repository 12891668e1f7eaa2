//! Rules that must all hold before something may happen (a plan issued, a
//! deployment appointed): each broken rule is a [`Problem`] with where to fix it.

use serde::Serialize;

/// A rule that is not met, in words, with where to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// The rule's identifier, such as `tasking`.
    pub rule: &'static str,
    pub message: String,
    /// Where to fix it, such as `/plan/tasking`.
    pub path: String,
}
