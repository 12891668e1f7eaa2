//! The PDF: Typst, embedded as a library, lays out `document.typ` with the
//! Document handed in as JSON (`sys.inputs.doc`). Fonts are compiled in; no
//! file, font or package is read from the machine, and no clock is read.

use crate::RenderError;
use cordon_domain::documents::Document;
use std::sync::OnceLock;
use typst::foundations::{Datetime, Dict, IntoValue, Smart, Str};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

static TEMPLATE: &str = include_str!("document.typ");

/// Liberation Sans (SIL Open Font License; see fonts/README.md).
static FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../fonts/LiberationSans-BoldItalic.ttf"),
];

/// The engine, made once: the template parsed and the fonts read.
fn engine() -> &'static TypstEngine<TypstTemplateMainFile> {
    static ENGINE: OnceLock<TypstEngine<TypstTemplateMainFile>> = OnceLock::new();
    ENGINE.get_or_init(|| TypstEngine::builder().main_file(TEMPLATE).fonts(FONTS).build())
}

/// The document as a PDF: a title page, the contents, then each section;
/// the marking at the top and bottom of every page, the running line and
/// "Page X of Y" in the footer, DRAFT across every page of a draft.
pub fn pdf(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let json =
        serde_json::to_string(doc).map_err(|e| RenderError::Pdf(format!("the document did not serialise: {e}")))?;
    let mut inputs = Dict::new();
    inputs.insert("doc".into(), Str::from(json).into_value());
    inputs.insert("running_line".into(), Str::from(doc.running_line()).into_value());
    let laid_out = engine().compile_with_input::<_, PagedDocument>(inputs);
    let paged = laid_out.output.map_err(|e| RenderError::Pdf(format!("the template did not lay out: {e}")))?;
    let options = PdfOptions {
        // The PDF's identifier and date come from the document, never the
        // clock, so the same document gives the same bytes.
        ident: Smart::Custom(format!("cordon:{}:{}:{}", doc.title, doc.reference, doc.fingerprint)),
        timestamp: date_of(&doc.date).map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&paged, &options).map_err(|diagnostics| {
        let words: Vec<String> = diagnostics.iter().map(|d| d.message.to_string()).collect();
        RenderError::Pdf(format!("the PDF could not be written: {}", words.join("; ")))
    })
}

/// "29 November 2026" as a date, for the PDF's metadata; None for anything else.
fn date_of(words: &str) -> Option<Datetime> {
    let format = time::macros::format_description!("[day padding:none] [month repr:long] [year]");
    let d = time::Date::parse(words.trim(), &format).ok()?;
    Datetime::from_ymd_hms(d.year(), u8::from(d.month()), d.day(), 0, 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_in_words_is_the_pdfs_date() {
        assert_eq!(date_of("29 November 2026"), Datetime::from_ymd_hms(2026, 11, 29, 0, 0, 0));
        assert_eq!(date_of("1 May 2027"), Datetime::from_ymd_hms(2027, 5, 1, 0, 0, 0));
        assert_eq!(date_of(""), None);
        assert_eq!(date_of("soon"), None);
    }
}
