//! Gzip bodies made from pieces compressed ahead of time.
//!
//! The plan page is the same for every viewer except their CSRF token, so its
//! content is compressed once per state of the plan, in pieces cut at each
//! place the token goes. Each piece ends with a full flush, which byte-aligns
//! the DEFLATE stream and resets the compressor's dictionary, so no piece
//! refers back into another; a response is then the pieces with the viewer's
//! token between them as DEFLATE "stored" (uncompressed) blocks, a gzip header
//! and a trailer whose CRC-32 is combined from the pieces' own (RFC 1951 §3.2.4,
//! RFC 1952). Nothing is compressed per request except the small page frame.

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// One piece: its DEFLATE blocks (full-flushed, never final) and the CRC of its text.
struct Piece {
    deflate: Vec<u8>,
    crc: Crc,
}

/// Text compressed in pieces cut at every occurrence of a placeholder.
pub struct Pieces {
    pieces: Vec<Piece>,
}

fn deflate_full(c: &mut Compress, input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 3 + 64);
    let start = c.total_in();
    loop {
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(1024));
        }
        let consumed = (c.total_in() - start) as usize;
        let status = c.compress_vec(&input[consumed..], &mut out, FlushCompress::Full);
        let done = (c.total_in() - start) as usize == input.len();
        // A flush is complete once all input is taken and output space is left over.
        match status {
            Ok(Status::Ok | Status::BufError) if done && out.len() < out.capacity() => return out,
            Ok(_) => {}
            // In-memory DEFLATE of a byte slice cannot fail; treat it as a bug.
            Err(e) => panic!("deflate failed: {e}"),
        }
    }
}

fn crc_of(bytes: &[u8]) -> Crc {
    let mut crc = Crc::new();
    crc.update(bytes);
    crc
}

impl Pieces {
    /// Compresses `text`, cut at each `hole` (which is left out).
    pub fn new(text: &str, hole: &str) -> Pieces {
        let mut c = Compress::new(Compression::default(), false);
        let parts: Vec<&str> = if hole.is_empty() { vec![text] } else { text.split(hole).collect() };
        Pieces {
            pieces: parts
                .into_iter()
                .map(|p| Piece { deflate: deflate_full(&mut c, p.as_bytes()), crc: crc_of(p.as_bytes()) })
                .collect(),
        }
    }

    fn compressed_len(&self) -> usize {
        self.pieces.iter().map(|p| p.deflate.len()).sum()
    }
}

/// A gzip member written from fresh text, stored text and kept pieces.
pub struct GzipWriter {
    out: Vec<u8>,
    crc: Crc,
}

impl GzipWriter {
    pub fn new(capacity: usize) -> GzipWriter {
        let mut out = Vec::with_capacity(capacity + 64);
        // Magic, DEFLATE, no flags, no time, no extra flags, unknown OS.
        out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
        GzipWriter { out, crc: Crc::new() }
    }

    /// Bytes as stored blocks (not final, at most 65,535 bytes each): for
    /// the small per-viewer parts of a response, where compressing would cost
    /// more than the bytes it saves.
    pub fn stored(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(u16::MAX as usize) {
            let len = chunk.len() as u16;
            self.out.push(0); // BFINAL = 0, BTYPE = 00, then padding to the byte
            self.out.extend_from_slice(&len.to_le_bytes());
            self.out.extend_from_slice(&(!len).to_le_bytes());
            self.out.extend_from_slice(chunk);
        }
        self.crc.update(bytes);
    }

    /// Kept pieces, with `fill` in each hole.
    pub fn pieces(&mut self, p: &Pieces, fill: &str) {
        self.out.reserve(p.compressed_len() + p.pieces.len() * (fill.len() + 5));
        for (i, piece) in p.pieces.iter().enumerate() {
            if i > 0 {
                self.stored(fill.as_bytes());
            }
            self.out.extend_from_slice(&piece.deflate);
            self.crc.combine(&piece.crc);
        }
    }

    /// Ends the stream with an empty final stored block and the trailer.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
        self.out.extend_from_slice(&self.crc.sum().to_le_bytes());
        self.out.extend_from_slice(&self.crc.amount().to_le_bytes());
        self.out
    }
}

/// Whether the request's `Accept-Encoding` allows gzip (and does not refuse it with q=0).
pub fn accepted(headers: &axum::http::HeaderMap) -> bool {
    headers.get_all(axum::http::header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(',').any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("").to_ascii_lowercase();
            let refused = parts
                .any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0));
            (name == "gzip" || name == "x-gzip") && !refused
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Read;

    fn gunzip(b: &[u8]) -> String {
        let mut s = String::new();
        flate2::read::GzDecoder::new(b).read_to_string(&mut s).expect("valid gzip");
        s
    }

    proptest! {
        #[test]
        fn pieces_with_any_fill_decompress_to_the_text_with_that_fill(
            parts in proptest::collection::vec("[a-z<> =\"/]{0,300}", 1..8),
            head in "[a-z<>]{0,100}",
            fill in "[0-9a-f]{0,80}",
        ) {
            let hole = "HOLE";
            let text = parts.join(hole);
            let p = Pieces::new(&text, hole);
            let mut w = GzipWriter::new(0);
            w.stored(head.as_bytes());
            w.pieces(&p, &fill);
            w.stored(b"</html>");
            let got = gunzip(&w.finish());
            prop_assert_eq!(got, format!("{head}{}</html>", parts.join(&fill)));
        }
    }

    #[test]
    fn a_large_repetitive_page_shrinks_and_round_trips() {
        // Like the plan page: long runs of similar rows, a form (and a hole) now and then.
        let rows = "<tr><td>Measure</td><td><a href=\"/events/e/plan/measure/m\">Change</a></td></tr>\n".repeat(150);
        let text = format!("{rows}<input name=\"csrf_token\" value=\"HOLE\">\n").repeat(20);
        let p = Pieces::new(&text, "HOLE");
        let fill = "ab".repeat(32);
        let mut w = GzipWriter::new(0);
        w.pieces(&p, &fill);
        let gz = w.finish();
        assert!(gz.len() < text.len() / 5, "{} of {}", gz.len(), text.len());
        assert_eq!(gunzip(&gz), text.replace("HOLE", &fill));
    }

    #[test]
    fn fills_longer_than_a_stored_block_are_split() {
        let fill = "x".repeat(70_000);
        let p = Pieces::new("aHOLEb", "HOLE");
        let mut w = GzipWriter::new(0);
        w.pieces(&p, &fill);
        assert_eq!(gunzip(&w.finish()), format!("a{fill}b"));
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let h = |v: &str| {
            let mut m = axum::http::HeaderMap::new();
            m.insert(axum::http::header::ACCEPT_ENCODING, v.parse().unwrap());
            accepted(&m)
        };
        assert!(h("gzip, deflate, br"));
        assert!(h("br;q=1.0, gzip;q=0.8"));
        assert!(!h("gzip;q=0"));
        assert!(!h("br, deflate"));
        assert!(!h("identity"));
        assert!(!accepted(&axum::http::HeaderMap::new()));
    }
}
