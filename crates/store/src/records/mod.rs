//! The records layer: the team (need to know) and the shares of every
//! access-controlled record.

pub mod project;
