//! Integration tests: the real server on an ephemeral port, the real `cordon`
//! binary, a temporary SQLite file, or a fresh PostgreSQL database when
//! `CORDON_TEST_DATABASE_URL` names a server.

mod common {
    pub use cordon_testkit::*;
}

/// Reading documents back with poppler and python-docx (shared with the documents crate's tests).
#[path = "../../../documents/tests/check/mod.rs"]
mod check;

mod access;
mod advice;
mod api_threat_levels;
mod audit;
mod cli;
mod documents;
mod errors;
mod estate;
mod estate_options;
mod estate_register;
mod hardening;
mod identity;
mod journal;
mod places;
mod plan;
mod records;
mod review;
mod scale_out;
mod schema;
mod seco;
mod workflow;
