//! The Word document: docx-rs writes the parts, then the archive is written
//! again (`repack`) so that the same Document always gives the same bytes and
//! table header rows repeat on every page, which docx-rs cannot say.

use crate::RenderError;
use cordon_domain::documents::{Block, Cell, Document, Field, Tone};
use docx_rs::{
    AlignmentType, BreakType, Docx, FieldCharType, Footer, Header, InstrText, LineSpacing, NumPages, PageMargin,
    PageNum, Paragraph, Run, RunFonts, Shading, ShdType, Style, StyleType, Table, TableCell, TableRow, WidthType,
};
use std::io::{Cursor, Read, Write};

/// A4 in twentieths of a point, and 2 cm margins.
const PAGE_WIDTH: u32 = 11_906;
const PAGE_HEIGHT: u32 = 16_838;
const MARGIN: i32 = 1_134;
/// The width between the margins, which tables fill.
const TEXT_WIDTH: usize = (PAGE_WIDTH as usize) - 2 * (MARGIN as usize);

/// Fills for rating cells (black text on each: contrast above 12:1); the
/// words always say the rating too.
fn fill(t: Tone) -> &'static str {
    match t {
        Tone::Low => "D4EDDA",
        Tone::Medium => "FFF3BF",
        Tone::High => "FFD8A8",
        Tone::VeryHigh => "F5B7B1",
    }
}

const HEADER_FILL: &str = "F3F2F1";

/// The document as a Word file (.docx): header and footer with the marking
/// on every page, "Page X of Y" from PAGE and NUMPAGES fields, the running
/// line, Heading 1 and Heading 2 styles with outline levels, a title page, a
/// contents field, tables with repeating header rows, and DRAFT in large
/// letters in the header of a draft.
pub fn docx(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let mut d = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(PageMargin {
            top: 1_560,
            left: MARGIN,
            bottom: 1_560,
            right: MARGIN,
            header: 567,
            footer: 454,
            gutter: 0,
        })
        .default_fonts(arial())
        .default_size(20)
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("heading 1")
                .based_on("Normal")
                .next("Normal")
                .q_format(true)
                .bold()
                .size(32)
                .outline_lvl(0),
        )
        .add_style(
            Style::new("Heading2", StyleType::Paragraph)
                .name("heading 2")
                .based_on("Normal")
                .next("Normal")
                .q_format(true)
                .bold()
                .size(24)
                .outline_lvl(1),
        )
        .add_style(
            Style::new("Title", StyleType::Paragraph).name("Title").based_on("Normal").q_format(true).bold().size(52),
        )
        .header(header(doc))
        .footer(footer(doc));
    if let Some(date) = iso_date(&doc.date) {
        d = d.created_at(&date).updated_at(&date);
    }

    // The title page.
    d = d
        .add_paragraph(
            Paragraph::new()
                .line_spacing(LineSpacing::new().before(1_700))
                .add_run(Run::new().add_text(&doc.kind).size(28)),
        )
        .add_paragraph(Paragraph::new().style("Title").add_run(Run::new().add_text(&doc.title)))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(reference_line(doc)).size(28)))
        .add_paragraph(Paragraph::new())
        .add_table(fields_table(&doc.title_block));
    if let Some(r) = &doc.redaction {
        d = d.add_paragraph(Paragraph::new()).add_paragraph(notice(r));
    }
    if doc.draft {
        d = d
            .add_paragraph(Paragraph::new())
            .add_paragraph(notice("DRAFT: this plan has not been issued. Only an issued version may be relied on."));
    }
    d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));

    // The contents: a TOC field over the Heading 1 paragraphs, holding the
    // section headings already, so it reads right before Word updates it.
    d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_text("Contents").bold().size(32)));
    let entries = doc.contents();
    let last = entries.len().saturating_sub(1);
    if entries.is_empty() {
        d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_text("This document has no sections.").italic()));
    }
    for (i, (n, _, heading)) in entries.iter().enumerate() {
        let mut p = Paragraph::new();
        if i == 0 {
            p = p.add_run(
                Run::new()
                    .add_field_char(FieldCharType::Begin, true)
                    .add_instr_text(InstrText::Unsupported(r#"TOC \o "1-1" \h \z \u"#.into()))
                    .add_field_char(FieldCharType::Separate, false),
            );
        }
        p = p.add_run(Run::new().add_text(format!("{n}. {heading}")));
        if i == last {
            p = p.add_run(Run::new().add_field_char(FieldCharType::End, false));
        }
        d = d.add_paragraph(p);
    }

    // The sections, each from a new page.
    for (n, s) in doc.sections.iter().enumerate() {
        d = d.add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .page_break_before(true)
                .keep_next(true)
                .add_run(Run::new().add_text(format!("{}. {}", n + 1, s.heading))),
        );
        for b in &s.blocks {
            d = match b {
                Block::Heading { text } => d.add_paragraph(
                    Paragraph::new().style("Heading2").keep_next(true).add_run(Run::new().add_text(text)),
                ),
                Block::Paragraph { text } => prose(text).into_iter().fold(d, |d, p| d.add_paragraph(p)),
                Block::Fields { fields } => d.add_table(fields_table(fields)).add_paragraph(Paragraph::new()),
                Block::Table { caption, columns, rows } => d
                    .add_paragraph(Paragraph::new().keep_next(true).add_run(Run::new().add_text(caption).bold()))
                    .add_table(data_table(columns, rows))
                    .add_paragraph(Paragraph::new()),
                Block::Empty { text } => d.add_paragraph(Paragraph::new().add_run(Run::new().add_text(text).italic())),
            };
        }
    }

    let mut raw = Cursor::new(Vec::new());
    d.build().pack(&mut raw).map_err(|e| RenderError::Docx(format!("the Word document could not be written: {e}")))?;
    repack(&raw.into_inner())
}

fn arial() -> RunFonts {
    RunFonts::new().ascii("Arial").hi_ansi("Arial").cs("Arial").east_asia("Arial")
}

fn reference_line(doc: &Document) -> String {
    if doc.date.is_empty() {
        doc.reference.clone()
    } else {
        format!("{}, {}", doc.reference, doc.date)
    }
}

fn marking_paragraph(doc: &Document) -> Paragraph {
    Paragraph::new().align(AlignmentType::Center).add_run(Run::new().add_text(doc.marking.as_str()).bold().size(22))
}

/// The header of every page: the marking, and DRAFT in large letters on a draft.
fn header(doc: &Document) -> Header {
    let mut h = Header::new().add_paragraph(marking_paragraph(doc));
    if doc.draft {
        h = h.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text("DRAFT").bold().size(72).color("C00000").character_spacing(60)),
        );
    }
    h
}

/// The footer of every page: the running line, "Page X of Y", the marking.
fn footer(doc: &Document) -> Footer {
    Footer::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(doc.running_line()).size(16)))
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .size(16)
                .add_run(Run::new().add_text("Page ").size(16))
                .add_page_num(PageNum::new())
                .add_run(Run::new().add_text(" of ").size(16))
                .add_num_pages(NumPages::new()),
        )
        .add_paragraph(marking_paragraph(doc))
}

fn notice(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text).bold().size(24))
}

/// Prose as written: each line a paragraph of its own.
fn prose(text: &str) -> Vec<Paragraph> {
    text.split('\n')
        .filter(|l| !l.trim().is_empty())
        .map(|l| Paragraph::new().add_run(Run::new().add_text(l)))
        .collect()
}

fn cell_of(text: &str, bold: bool) -> TableCell {
    let mut paragraphs = prose(text);
    if paragraphs.is_empty() {
        paragraphs.push(Paragraph::new());
    }
    paragraphs
        .into_iter()
        .fold(TableCell::new(), |c, p| if bold { c.add_paragraph(p.bold()) } else { c.add_paragraph(p) })
}

fn shaded(c: TableCell, hex: &str) -> TableCell {
    c.shading(Shading::new().shd_type(ShdType::Clear).color("auto").fill(hex))
}

/// Labelled values: label on the left in bold, value on the right.
fn fields_table(fields: &[Field]) -> Table {
    let label = TEXT_WIDTH * 35 / 100;
    let rows = fields
        .iter()
        .map(|f| {
            TableRow::new(vec![
                cell_of(&f.label, true).width(label, WidthType::Dxa),
                cell_of(&f.value, false).width(TEXT_WIDTH - label, WidthType::Dxa),
            ])
        })
        .collect();
    Table::new(rows).set_grid(vec![label, TEXT_WIDTH - label]).width(TEXT_WIDTH, WidthType::Dxa)
}

/// A table with a header row (shaded, bold, repeated on every page: `repack`
/// marks it) and rating cells shaded by tone.
fn data_table(columns: &[String], rows: &[Vec<Cell>]) -> Table {
    let n = columns.len().max(1);
    let width = TEXT_WIDTH / n;
    let head = TableRow::new(
        columns.iter().map(|c| shaded(cell_of(c, true), HEADER_FILL).width(width, WidthType::Dxa)).collect(),
    )
    .cant_split();
    let body = rows.iter().map(|r| {
        TableRow::new(
            r.iter()
                .map(|c| {
                    let cell = cell_of(&c.text, false).width(width, WidthType::Dxa);
                    match c.tone {
                        Some(t) => shaded(cell, fill(t)),
                        None => cell,
                    }
                })
                .collect(),
        )
    });
    Table::new(std::iter::once(head).chain(body).collect()).set_grid(vec![width; n]).width(TEXT_WIDTH, WidthType::Dxa)
}

/// "29 November 2026" as `2026-11-29T00:00:00Z`, for the core properties.
fn iso_date(words: &str) -> Option<String> {
    let format = time::macros::format_description!("[day padding:none] [month repr:long] [year]");
    let d = time::Date::parse(words.trim(), &format).ok()?;
    Some(format!("{:04}-{:02}-{:02}T00:00:00Z", d.year(), u8::from(d.month()), d.day()))
}

/// Writes the archive again, entry by entry in the same order, compressed,
/// with every entry dated 1 January 1980 (the zip format's first date): the
/// archive then depends only on the document. On the way, paragraph ids are
/// numbered from 1 in reading order (docx-rs takes them from a per-thread
/// counter), and the header row of each table (the only rows docx-rs is asked
/// to keep unsplit) is marked as a header row, repeated on every page.
fn repack(raw: &[u8]) -> Result<Vec<u8>, RenderError> {
    let fail = |e: &dyn std::fmt::Display| RenderError::Docx(format!("the Word document could not be packed: {e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(raw)).map_err(|e| fail(&e))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(raw.len() / 3)));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut para = 0u32;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| fail(&e))?;
        let name = entry.name().to_string();
        if entry.is_dir() {
            out.add_directory(name, options).map_err(|e| fail(&e))?;
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| fail(&e))?;
        if name.ends_with(".xml") {
            let mut text = String::from_utf8(bytes).map_err(|e| fail(&e))?;
            text = renumber_paragraphs(&text, &mut para);
            if name == "word/document.xml" {
                text = text.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />");
            }
            bytes = text.into_bytes();
        }
        out.start_file(name, options).map_err(|e| fail(&e))?;
        out.write_all(&bytes).map_err(|e| fail(&e))?;
    }
    Ok(out.finish().map_err(|e| fail(&e))?.into_inner())
}

/// Every `w14:paraId="…"` numbered afresh, counting on from `next`.
fn renumber_paragraphs(xml: &str, next: &mut u32) -> String {
    const KEY: &str = "w14:paraId=\"";
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.find(KEY) {
        let (before, after) = rest.split_at(at + KEY.len());
        out.push_str(before);
        let end = after.find('"').unwrap_or(after.len());
        *next += 1;
        out.push_str(&format!("{:08X}", *next));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraph_ids_are_numbered_in_order() {
        let mut n = 0;
        let xml = r#"<w:p w14:paraId="0000abcd"/><w:p w14:paraId="00000007"/>"#;
        assert_eq!(renumber_paragraphs(xml, &mut n), r#"<w:p w14:paraId="00000001"/><w:p w14:paraId="00000002"/>"#);
        assert_eq!(n, 2);
    }

    #[test]
    fn the_date_in_words_is_the_documents_date() {
        assert_eq!(iso_date("3 May 2027").as_deref(), Some("2027-05-03T00:00:00Z"));
        assert_eq!(iso_date(""), None);
    }
}
