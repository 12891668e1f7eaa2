//! The estate register in and out of CSV (issue 13, item 1): the columns,
//! and the check of every row before anything is imported.
//!
//! A file has the columns `name,kind,address,division,staff`; `staff` holds
//! the e-mail addresses of the people who work at the site, separated by `;`
//! (it may be empty). The export adds `threat_level,response_level`, which
//! the import accepts and ignores, so an exported file imports again as it is.

use super::{check_site, SiteKind};
use crate::csv::{CsvProblem, CsvRecords};
use crate::identity::EmailAddress;
use std::collections::HashSet;

/// The import's columns, in order.
pub const CSV_COLUMNS: &[&str] = &["name", "kind", "address", "division", "staff"];

/// The columns the export adds after the import's (ignored on import).
pub const EXPORT_COLUMNS: &[&str] = &["threat_level", "response_level"];

/// Every column a file may have, to name the one a fault is in.
const ALL_COLUMNS: &[&str] = &["name", "kind", "address", "division", "staff", "threat_level", "response_level"];

/// One checked row of a sites file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRow {
    /// The row's line in the file (1 is the header).
    pub line: u64,
    pub name: String,
    pub kind: SiteKind,
    pub address: String,
    pub division: String,
    /// The staff's e-mail addresses, each once, in the order given.
    pub staff: Vec<EmailAddress>,
}

/// The kind as the file gives it: the identifier (`police_station`) or the
/// words the pages show ("Police station"), in any case.
fn parse_kind(s: &str) -> Result<SiteKind, String> {
    let t = s.trim();
    SiteKind::ALL
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(t) || k.words().eq_ignore_ascii_case(t))
        .ok_or_else(|| {
            if t.is_empty() {
                "Enter what kind of site it is".to_string()
            } else {
                let ids: Vec<&str> = SiteKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("\"{t}\" is not a kind of site: use one of {}", ids.join(", "))
            }
        })
}

/// The staff column: addresses separated by `;` (or `,` inside quotes).
fn parse_staff(s: &str) -> Result<Vec<EmailAddress>, String> {
    let mut out: Vec<EmailAddress> = Vec::new();
    for part in s.split([';', ',']).map(str::trim).filter(|p| !p.is_empty()) {
        let email = EmailAddress::parse(part)
            .map_err(|_| format!("\"{part}\" is not an e-mail address: separate addresses with ;"))?;
        if !out.contains(&email) {
            out.push(email);
        }
    }
    Ok(out)
}

/// Checks the header: the import's columns exactly, in order, optionally
/// followed by the export's. Returns whether the export's columns are there.
fn check_header(fields: &[String]) -> Result<bool, CsvProblem> {
    let got: Vec<&str> = fields.iter().map(|f| f.trim()).collect();
    if got == CSV_COLUMNS {
        return Ok(false);
    }
    if got == ALL_COLUMNS {
        return Ok(true);
    }
    Err(crate::csv::header_problem(&got, CSV_COLUMNS))
}

/// Checks every row of a sites file: the rows, or the first bad one by line
/// and column. A site named twice (in any case) is refused at its second line.
pub fn parse_csv(text: &str) -> Result<Vec<SiteRow>, CsvProblem> {
    let mut records = CsvRecords::new(text, ALL_COLUMNS);
    let exported = match records.next() {
        None => {
            return Err(CsvProblem {
                line: 1,
                column: "header".into(),
                message: format!("the file is empty: it needs the header row {}", CSV_COLUMNS.join(",")),
            })
        }
        Some(h) => check_header(&h?.1)?,
    };
    let width = if exported { ALL_COLUMNS.len() } else { CSV_COLUMNS.len() };
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for rec in records {
        let (line, fields) = rec?;
        if fields.len() != width {
            return Err(CsvProblem {
                line,
                column: ALL_COLUMNS[fields.len().min(width - 1)].into(),
                message: format!("the row has {} fields; it must have {width}", fields.len()),
            });
        }
        let at = |column: &str, message: String| CsvProblem { line, column: column.into(), message };
        let (name, address, division) = (fields[0].trim(), fields[2].trim(), fields[3].trim());
        check_site(name, address, division).map_err(|e| at(e.field, e.message))?;
        let kind = parse_kind(&fields[1]).map_err(|m| at("kind", m))?;
        let staff = parse_staff(&fields[4]).map_err(|m| at("staff", m))?;
        if !seen.insert(name.to_lowercase()) {
            return Err(at("name", format!("the site {name} is given twice in this file")));
        }
        rows.push(SiteRow { line, name: name.into(), kind, address: address.into(), division: division.into(), staff });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_with_its_staff_and_the_exports_columns_are_ignored() {
        let rows = parse_csv(
            "name,kind,address,division,staff\r\nCentral,Police station,\"1 High St, Town\",North,\"a@x.police.uk; b@x.police.uk;a@x.police.uk\"\r\nHQ,headquarters,2 Road,South,\r\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].kind, SiteKind::PoliceStation);
        assert_eq!(rows[0].address, "1 High St, Town");
        assert_eq!(rows[0].staff.len(), 2, "an address given twice counts once");
        assert!(rows[1].staff.is_empty());
        let again = parse_csv(
            "name,kind,address,division,staff,threat_level,response_level\nHQ,headquarters,2 Road,South,,SUBSTANTIAL,HEIGHTENED\n",
        )
        .unwrap();
        assert_eq!(again[0].name, "HQ");
    }

    #[test]
    fn a_bad_row_is_named_by_line_and_column() {
        let bad = |text: &str| parse_csv(text).unwrap_err();
        let e = bad("name,kind,address\n");
        assert_eq!((e.line, e.column.as_str()), (1, "division"));
        let e = bad("name,kind,address,division,staff\nA,castle,1 Road,North,\n");
        assert_eq!((e.line, e.column.as_str()), (2, "kind"));
        assert!(e.message.contains("police_station"), "{}", e.message);
        let e = bad("name,kind,address,division,staff\nA,other,1 Road,,\n");
        assert_eq!(e.column, "division");
        let e = bad("name,kind,address,division,staff\nA,other,1 Road,North,not-an-address\n");
        assert_eq!(e.column, "staff");
        let e = bad("name,kind,address,division,staff\nA,other,1 Road,North,\n\na,other,2 Road,North,\n");
        assert_eq!((e.line, e.column.as_str()), (4, "name"));
        let e = bad("name,kind,address,division,staff\nA,other,1 Road\n");
        assert_eq!(e.column, "division");
        assert_eq!(bad("").column, "header");
    }
}
