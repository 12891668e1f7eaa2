//! Reading rendered documents back with real readers: poppler's `pdftotext`
//! and `pdfinfo` for PDF, python-docx (`docx_check.py`) for Word. Shared by
//! crates/documents/tests and the web tests (crates/cli/tests/it/documents.rs),
//! which include this file by path.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a PDF says, page by page, as pdftotext reads it.
pub struct PdfRead {
    pub pages: usize,
    /// Each page's non-empty lines, trimmed (`-layout`).
    pub page_lines: Vec<Vec<String>>,
    /// Each page's text in content-stream order (`-raw`) with all white space
    /// removed: a diagonal watermark, which `-layout` scatters over several
    /// lines, reads as its word here ("DRAFT").
    pub page_raw: Vec<String>,
    /// The whole text, without layout (words in reading order), every run of
    /// white space (a line wrapped in a table cell) made one space.
    pub text: String,
}

fn written(bytes: &[u8], ext: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(ext).tempfile().expect("a temporary file");
    f.write_all(bytes).expect("writing the temporary file");
    f.flush().expect("writing the temporary file");
    f
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{cmd:?} could not be run ({e}): install poppler-utils (apt-get install -y poppler-utils)")
    });
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// Reads a PDF and checks what every page of a Cordon document must carry:
/// the marking as its first and its last line, the reference (in the
/// running line), and "Page X of Y" with X the page and Y the page count.
pub fn check_pdf(bytes: &[u8], marking: &str, reference: &str) -> PdfRead {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let f = written(bytes, ".pdf");
    let info = run(Command::new("pdfinfo").arg(f.path()));
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gave no page count: {info}"));
    assert!(pages >= 3, "a title page, the contents and at least one section: {pages} pages");
    let mut page_lines = Vec::new();
    let mut page_raw = Vec::new();
    for n in 1..=pages {
        let text = run(Command::new("pdftotext")
            .args(["-f", &n.to_string(), "-l", &n.to_string(), "-layout"])
            .arg(f.path())
            .arg("-"));
        let lines: Vec<String> = text.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
        assert_eq!(
            lines.first().map(String::as_str),
            Some(marking),
            "page {n}: the first line is not the marking:\n{text}"
        );
        assert_eq!(
            lines.last().map(String::as_str),
            Some(marking),
            "page {n}: the last line is not the marking:\n{text}"
        );
        assert!(text.contains(reference), "page {n} does not carry the reference {reference:?}:\n{text}");
        let want = format!("Page {n} of {pages}");
        assert!(
            lines.iter().any(|l| l.ends_with(&want)),
            "page {n} does not say {want:?} (pdfinfo counts {pages} pages):\n{text}"
        );
        page_lines.push(lines);
        let raw = run(Command::new("pdftotext")
            .args(["-f", &n.to_string(), "-l", &n.to_string(), "-raw"])
            .arg(f.path())
            .arg("-"));
        page_raw.push(raw.split_whitespace().collect());
    }
    let text = run(Command::new("pdftotext").arg(f.path()).arg("-"));
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    PdfRead { pages, page_lines, page_raw, text }
}

/// What python-docx reads in a Word document.
pub struct DocxRead {
    pub json: serde_json::Value,
    /// Every word of the body, tables included.
    pub text: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../documents/tests/check/docx_check.py")
}

/// A Python that can import python-docx: `python3` on the path, or Debian's.
fn python() -> Option<String> {
    ["python3", "/usr/bin/python3"]
        .into_iter()
        .map(String::from)
        .find(|p| Command::new(p).args(["-c", "import docx"]).output().map(|o| o.status.success()).unwrap_or(false))
}

/// Reads a Word document with python-docx and checks it (`docx_check.py`):
/// every section's header and footer hold the marking, PAGE and NUMPAGES
/// fields, heading styles with outline levels. None, said loudly, only where
/// python-docx is missing outside CI; in CI its absence fails the test.
pub fn check_docx(bytes: &[u8], marking: &str) -> Option<DocxRead> {
    assert!(bytes.starts_with(b"PK"), "not a zip archive");
    let Some(python) = python() else {
        if std::env::var_os("CI").is_some() {
            panic!("python-docx is not installed, and CI is set: apt-get install -y python3-docx");
        }
        eprintln!("\n\n*** SKIPPED: python-docx is not importable; the Word document was NOT read back. apt-get install -y python3-docx ***\n");
        return None;
    };
    let f = written(bytes, ".docx");
    let out = Command::new(&python).arg(script()).arg(f.path()).arg(marking).output().expect("python3 runs");
    assert!(out.status.success(), "python-docx refused the Word document: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    let text = json["text"].as_str().unwrap_or_default().to_string();
    Some(DocxRead { json, text })
}
