//! Cordon's domain layer: doctrine types and rules with no I/O.
//!
//! Every capability has a module here with the same name as its module in the
//! store and web layers, so a reader can find every part of it by name.

pub mod access;
pub mod advice;
pub mod audit;
pub mod csv;
pub mod demo;
pub mod documents;
pub mod estate;
pub mod event;
pub mod identity;
pub mod ids;
pub mod journal;
pub mod london;
pub mod marking;
pub mod martyns_law;
pub mod methodology;
pub mod notifications;
pub mod password;
pub mod places;
pub mod plan;
pub mod planned_event;
pub mod policy;
pub mod records;
pub mod reference;
pub mod risk;
pub mod rules;
pub mod seco;
pub mod threat;

pub use event::Event;
pub use marking::Marking;
