//! CSV files in and out (RFC 4180): the reader that the registers' imports
//! share, each fault named by line and column, and the field writer that the
//! exports share.

/// A bad row of a CSV file: its line (1 is the header), its column and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct CsvProblem {
    pub line: u64,
    /// The column's name (or "header").
    pub column: String,
    pub message: String,
}

/// Reads CSV records (RFC 4180: quoted fields, doubled quotes, CRLF or LF) one
/// at a time from text, giving each its starting line number.
pub struct CsvRecords<'a> {
    text: &'a str,
    /// The file's columns, to name the one a fault is in.
    columns: &'static [&'static str],
    pos: usize,
    line: u64,
}

impl<'a> CsvRecords<'a> {
    pub fn new(text: &'a str, columns: &'static [&'static str]) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        CsvRecords { text, columns, pos: 0, line: 1 }
    }
}

impl Iterator for CsvRecords<'_> {
    type Item = Result<(u64, Vec<String>), CsvProblem>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        // Skip blank lines.
        while self.pos < bytes.len() && (bytes[self.pos] == b'\n' || bytes[self.pos] == b'\r') {
            if bytes[self.pos] == b'\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
        if self.pos >= bytes.len() {
            return None;
        }
        let start_line = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut field_start = true;
        let mut i = self.pos;
        loop {
            if i >= bytes.len() {
                if quoted {
                    self.pos = i;
                    return Some(Err(CsvProblem {
                        line: start_line,
                        column: self.columns.get(fields.len()).copied().unwrap_or("?").into(),
                        message: "a quoted field is not closed".into(),
                    }));
                }
                fields.push(std::mem::take(&mut field));
                break;
            }
            let c = bytes[i];
            if quoted {
                if c == b'"' {
                    if bytes.get(i + 1) == Some(&b'"') {
                        field.push('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                    i += 1;
                    continue;
                }
                if c == b'\n' {
                    self.line += 1;
                }
                // Copy one UTF-8 character.
                let ch_len = utf8_len(c);
                field.push_str(&self.text[i..i + ch_len]);
                i += ch_len;
                continue;
            }
            match c {
                b'"' if field_start => {
                    quoted = true;
                    field_start = false;
                    i += 1;
                }
                b',' => {
                    fields.push(std::mem::take(&mut field));
                    field_start = true;
                    i += 1;
                }
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    fields.push(std::mem::take(&mut field));
                    i += 2;
                    self.line += 1;
                    break;
                }
                b'\n' => {
                    fields.push(std::mem::take(&mut field));
                    i += 1;
                    self.line += 1;
                    break;
                }
                _ => {
                    let ch_len = utf8_len(c);
                    field.push_str(&self.text[i..i + ch_len]);
                    field_start = false;
                    i += ch_len;
                }
            }
        }
        self.pos = i;
        Some(Ok((start_line, fields)))
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// A field written for CSV: quoted where it must be, and with a leading
/// formula character neutralised so a spreadsheet does not run it.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() { format!("'{s}") } else { s.into() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The fault of a header row that is not exactly `columns`: the first column
/// missing (or "header" when they are all there, in another order), in words.
pub fn header_problem(got: &[&str], columns: &[&str]) -> CsvProblem {
    let missing: Vec<&str> = columns.iter().copied().filter(|c| !got.contains(c)).collect();
    let message = if missing.is_empty() {
        format!("the columns must be exactly {} in that order", columns.join(","))
    } else {
        format!(
            "the column{} {} {} missing: the columns must be exactly {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" },
            columns.join(",")
        )
    };
    CsvProblem { line: 1, column: missing.first().copied().unwrap_or("header").into(), message }
}
