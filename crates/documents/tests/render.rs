//! The PDF and Word renderings read back by real readers (poppler,
//! python-docx): the marking at the top and bottom of every page, "Page X of
//! Y" agreeing with the page count, DRAFT on drafts, every word of the
//! document present, and the same bytes for the same document.

mod check;

use cordon_domain::documents::{Block, Cell, Document, Field, Section, Tone};
use cordon_domain::Marking;
use proptest::prelude::*;

fn rating(band: &str, tone: Tone) -> Cell {
    Cell { text: format!("{band} (likelihood 4 × impact 4)"), tone: Some(tone) }
}

/// A plan-shaped document long enough to break its tables across pages.
fn sample(draft: bool) -> Document {
    let tones = [("Low", Tone::Low), ("Medium", Tone::Medium), ("High", Tone::High), ("Very high", Tone::VeryHigh)];
    let risk_rows: Vec<Vec<Cell>> = (0..60)
        .map(|i| {
            let (band, tone) = tones[i % 4];
            vec![
                Cell::text(format!("Attack methodology {i}")),
                Cell::text("Yes"),
                rating(band, tone),
                rating(tones[(i + 1) % 4].0, tones[(i + 1) % 4].1),
                Cell::text((i % 3).to_string()),
                Cell::text(if i % 5 == 0 { "No accepted measure: the approach is open on three sides" } else { "" }),
            ]
        })
        .collect();
    Document {
        kind: "Protective security plan".into(),
        title: "Riverside Festival".into(),
        marking: Marking::OfficialSensitive,
        reference: if draft { "Draft".into() } else { "Version 3".into() },
        fingerprint: if draft { String::new() } else { "0123456789ab".into() },
        draft,
        date: "29 November 2026".into(),
        title_block: vec![
            Field::new("Event", "Riverside Festival"),
            Field::new("Dates", "3 July 2027, 10:00 to 5 July 2027, 23:00"),
            Field::new("Expected attendance", "45,000"),
            Field::new("Protective marking", "OFFICIAL-SENSITIVE"),
        ],
        redaction: Some("This copy is redacted: 2 items marked above what its reader may see are withheld.".into()),
        sections: vec![
            Section {
                id: "tasking".into(),
                heading: "Tasking and intent".into(),
                blocks: vec![
                    Block::Fields { fields: vec![Field::new("Commissioned by", "Chief Superintendent Gold")] },
                    Block::Heading { text: "Terms of reference".into() },
                    Block::Paragraph {
                        text: "First line of the terms.\nSecond line, kept as its own paragraph.\n\n#set page(fill: red) $x$ *not bold* <tag> & \"quotes\"".into(),
                    },
                ],
            },
            Section {
                id: "risk".into(),
                heading: "Threat and risk".into(),
                blocks: vec![Block::Table {
                    caption: "Risk assessment by attack methodology".into(),
                    columns: vec![
                        "Attack methodology".into(),
                        "Applies".into(),
                        "Inherent risk".into(),
                        "Residual risk".into(),
                        "Accepted measures".into(),
                        "Notes".into(),
                    ],
                    rows: risk_rows,
                }],
            },
            Section {
                id: "options".into(),
                heading: "Options and contingencies".into(),
                blocks: vec![Block::Empty { text: "No contingencies recorded.".into() }],
            },
        ],
    }
}

/// Writes a rendering to the folder `CORDON_DOCUMENTS_OUT` names, if any, to look at.
fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("CORDON_DOCUMENTS_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), bytes).unwrap();
    }
}

#[test]
fn every_pdf_page_carries_the_marking_at_top_and_bottom_and_page_x_of_y() {
    for draft in [false, true] {
        let doc = sample(draft);
        let pdf = cordon_documents::pdf(&doc).expect("the PDF renders");
        keep(&format!("sample-{}.pdf", doc.reference.to_lowercase().replace(' ', "-")), &pdf);
        let read = check::check_pdf(&pdf, doc.marking.as_str(), &doc.reference);
        assert!(read.pages >= 5, "the long risk table runs over pages: {} pages", read.pages);
        for words in [
            "Riverside Festival",
            "Contents",
            "1. Tasking and intent",
            "3. Options and contingencies",
            "First line of the terms. Second line, kept as its own paragraph.",
            "#set page(fill: red) $x$ *not bold* <tag> & \"quotes\"",
            "Attack methodology 59",
            "Very high (likelihood 4 × impact 4)",
            "No contingencies recorded.",
            "This copy is redacted",
        ] {
            assert!(read.text.contains(words), "the PDF does not say {words:?}");
        }
        if draft {
            for (n, raw) in read.page_raw.iter().enumerate() {
                assert!(raw.contains("DRAFT"), "page {} of the draft is not marked DRAFT", n + 1);
            }
        } else {
            assert!(read.page_raw.iter().all(|raw| !raw.contains("DRAFT")), "an issued version is not a draft");
            assert!(read.text.contains("SHA-256 0123456789ab"), "the running line carries the fingerprint");
        }
        // The header row of the risk table is repeated on the pages it runs onto.
        let repeated = read
            .page_lines
            .iter()
            .filter(|l| l.iter().any(|l| l.contains("Inherent risk") && l.contains("Residual risk")))
            .count();
        assert!(repeated >= 2, "the table's header row is repeated on each page it runs onto ({repeated})");
    }
}

#[test]
fn the_word_document_has_the_marking_in_every_header_and_footer() {
    for draft in [false, true] {
        let doc = sample(draft);
        let docx = cordon_documents::docx(&doc).expect("the Word document renders");
        keep(&format!("sample-{}.docx", doc.reference.to_lowercase().replace(' ', "-")), &docx);
        let Some(read) = check::check_docx(&docx, doc.marking.as_str()) else { return };
        let headers = read.json["headers"].to_string();
        assert_eq!(headers.contains("DRAFT"), draft, "DRAFT in the header of a draft only: {headers}");
        let footers = read.json["footers"].to_string();
        assert!(footers.contains(&doc.running_line()), "the running line is in the footer: {footers}");
        assert_eq!(
            read.json["headings"],
            serde_json::json!(["1. Tasking and intent", "2. Threat and risk", "3. Options and contingencies"])
        );
        assert_eq!(read.json["header_rows"], 1, "the one data table has a repeating header row");
        for words in [
            "Riverside Festival",
            "Contents",
            "Second line, kept as its own paragraph.",
            "Attack methodology 59",
            "Very high (likelihood 4 × impact 4)",
            "No contingencies recorded.",
            "This copy is redacted",
        ] {
            assert!(read.text.contains(words), "the Word document does not say {words:?}");
        }
    }
}

fn words() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 ,.;:'()&<>#$*\\[\\]\"-]{0,40}(\n[A-Za-z0-9 ,.]{0,20})?"
}

fn cell() -> impl Strategy<Value = Cell> {
    (
        words(),
        prop::option::of(prop_oneof![Just(Tone::Low), Just(Tone::Medium), Just(Tone::High), Just(Tone::VeryHigh)]),
    )
        .prop_map(|(text, tone)| Cell { text, tone })
}

fn block() -> impl Strategy<Value = Block> {
    prop_oneof![
        words().prop_map(|text| Block::Heading { text }),
        words().prop_map(|text| Block::Paragraph { text }),
        words().prop_map(|text| Block::Empty { text }),
        prop::collection::vec((words(), words()).prop_map(|(l, v)| Field::new(l, v)), 0..4)
            .prop_map(|fields| Block::Fields { fields }),
        (1usize..5)
            .prop_flat_map(|n| (
                words(),
                prop::collection::vec(words(), n),
                prop::collection::vec(prop::collection::vec(cell(), n), 0..6)
            ))
            .prop_map(|(caption, columns, rows)| Block::Table { caption, columns, rows }),
    ]
}

fn document() -> impl Strategy<Value = Document> {
    (
        words(),
        words(),
        prop_oneof![Just(Marking::Official), Just(Marking::OfficialSensitive), Just(Marking::Secret)],
        any::<bool>(),
        "[0-9a-f]{12}",
        prop::option::of(words()),
        prop::collection::vec((words(), prop::collection::vec(block(), 0..4)), 0..4),
    )
        .prop_map(|(kind, title, marking, draft, fingerprint, redaction, sections)| Document {
            kind,
            title,
            marking,
            reference: if draft { "Draft".into() } else { "Version 2".into() },
            fingerprint,
            draft,
            date: "1 May 2027".into(),
            title_block: vec![Field::new("Event", "Generated")],
            redaction,
            sections: sections
                .into_iter()
                .enumerate()
                .map(|(i, (heading, blocks))| Section { id: format!("s{i}"), heading, blocks })
                .collect(),
        })
}

proptest! {
    // Typst is slow in a debug build: a few documents, each rendered twice.
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    /// The same document gives the same bytes, rendered on another thread
    /// too (docx-rs numbers paragraphs from a per-thread counter).
    #[test]
    fn the_same_document_gives_the_same_bytes(doc in document()) {
        let pdf = cordon_documents::pdf(&doc).expect("the PDF renders");
        let docx = cordon_documents::docx(&doc).expect("the Word document renders");
        let other = doc.clone();
        let (pdf2, docx2) = std::thread::spawn(move || {
            let _warm = cordon_documents::docx(&other);
            (cordon_documents::pdf(&other).unwrap(), cordon_documents::docx(&other).unwrap())
        })
        .join()
        .unwrap();
        prop_assert!(pdf == pdf2, "the PDF differs between two renderings");
        prop_assert!(docx == docx2, "the Word document differs between two renderings");
    }
}
