//! Documents rendered for handing over: the neutral
//! [`Document`](cordon_domain::documents::Document) (made by the domain from
//! a plan version or the draft, as its reader may read it) as a PDF, laid
//! out by Typst embedded as a library, and as a Word document (.docx).
//!
//! Both carry the protective marking at the top and bottom of every page,
//! the running line (event, version, fingerprint) and "Page X of Y"; a draft
//! is marked DRAFT on every page. Both are deterministic: the same Document
//! always gives the same bytes. The heavy dependencies (Typst, docx-rs) live
//! only in this crate.

mod docx;
mod pdf;

pub use docx::docx;
pub use pdf::pdf;

/// Why a document could not be rendered, in words.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{0}")]
    Pdf(String),
    #[error("{0}")]
    Docx(String),
}

/// The media type of a PDF.
pub const PDF_TYPE: &str = "application/pdf";
/// The media type of a Word document.
pub const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
