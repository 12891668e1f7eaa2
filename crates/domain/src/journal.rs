//! The tamper-evident journal chain (DESIGN.md decision 1).
//!
//! Each entry's chain value is `HMAC-SHA-256(key, previous chain ‖ canonical entry)`.
//! The canonical entry is an unambiguous, length-prefixed encoding of every
//! stored field, so changing any field, removing an entry or moving one changes
//! a chain value. The key lives outside the database, so whoever can write the
//! database cannot recompute the chain.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The chain value before the first entry.
pub const GENESIS: [u8; 32] = [0u8; 32];

/// Length of a journal key in bytes.
pub const KEY_LEN: usize = 32;

/// The fields of a journal entry exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    /// RFC 3339 UTC timestamp.
    pub at: String,
    pub actor: String,
    pub organisation: String,
    pub stream: String,
    pub kind: String,
    pub marking: String,
    /// The event as JSON text, byte for byte as stored.
    pub payload: String,
}

impl Entry {
    /// The canonical encoding: the sequence as 8 big-endian bytes, then each text
    /// field as its length (8 bytes big-endian) followed by its UTF-8 bytes.
    pub fn canonical(&self) -> Vec<u8> {
        let fields =
            [&self.at, &self.actor, &self.organisation, &self.stream, &self.kind, &self.marking, &self.payload];
        let len = 8 + fields.iter().map(|f| 8 + f.len()).sum::<usize>();
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&self.seq.to_be_bytes());
        for f in fields {
            out.extend_from_slice(&(f.len() as u64).to_be_bytes());
            out.extend_from_slice(f.as_bytes());
        }
        out
    }
}

/// Appends the canonical encoding of an entry to `out`: the sequence as 8
/// big-endian bytes, then each field (at, actor, organisation, stream, kind,
/// marking, payload) as its length in 8 big-endian bytes and its bytes.
/// Readers that already hold the fields as bytes encode without building an [`Entry`].
pub fn encode_canonical(seq: i64, fields: &[&[u8]; 7], out: &mut Vec<u8>) {
    out.extend_from_slice(&seq.to_be_bytes());
    for f in fields {
        out.extend_from_slice(&(f.len() as u64).to_be_bytes());
        out.extend_from_slice(f);
    }
}

/// A keyed chain: computes and checks chain values.
#[derive(Clone)]
pub struct ChainKey {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(..)")
    }
}

impl ChainKey {
    pub fn new(key: &[u8]) -> Result<Self, String> {
        if key.len() < 16 {
            return Err(format!("a journal key must be at least 16 bytes; this one has {}", key.len()));
        }
        Ok(Self { mac: Hmac::new_from_slice(key).map_err(|e| e.to_string())? })
    }

    /// The chain value of `entry` following `prev`.
    pub fn link(&self, prev: &[u8; 32], entry: &Entry) -> [u8; 32] {
        self.link_bytes(prev, &entry.canonical())
    }

    /// The chain value of already-encoded bytes following `prev`.
    pub fn link_bytes(&self, prev: &[u8; 32], canonical: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(prev);
        mac.update(canonical);
        mac.finalize().into_bytes().into()
    }
}

/// What is wrong with a journal, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    #[error("entry {seq} is missing: the journal goes from {prev} to {found}")]
    Missing { seq: i64, prev: i64, found: i64 },
    #[error("entry {seq} does not match its chain value: it was altered, reordered or replaced")]
    Altered { seq: i64 },
    #[error("entry {seq} has a malformed chain value")]
    Malformed { seq: i64 },
    #[error("entry {seq} is missing: the journal ends at {last} but its head records {head}")]
    Truncated { seq: i64, last: i64, head: i64 },
    #[error("the journal head does not match entry {seq}")]
    HeadMismatch { seq: i64 },
}

impl Fault {
    /// The first bad sequence number.
    pub fn seq(&self) -> i64 {
        match self {
            Fault::Missing { seq, .. }
            | Fault::Altered { seq }
            | Fault::Malformed { seq }
            | Fault::Truncated { seq, .. }
            | Fault::HeadMismatch { seq } => *seq,
        }
    }
}

/// Checks a run of consecutive stored entries with their stored chain values.
/// `prev` is the sequence number and chain value of the entry before the run
/// (0 and [`GENESIS`] at the start). Returns the last sequence number and chain.
pub fn verify_run(key: &ChainKey, prev: (i64, [u8; 32]), run: &[(Entry, Vec<u8>)]) -> Result<(i64, [u8; 32]), Fault> {
    let (mut prev_seq, mut prev_chain) = prev;
    for (entry, stored) in run {
        if entry.seq != prev_seq + 1 {
            return Err(Fault::Missing { seq: prev_seq + 1, prev: prev_seq, found: entry.seq });
        }
        let stored: [u8; 32] = stored.as_slice().try_into().map_err(|_| Fault::Malformed { seq: entry.seq })?;
        let expect = key.link(&prev_chain, entry);
        if !constant_time_eq(&expect, &stored) {
            return Err(Fault::Altered { seq: entry.seq });
        }
        prev_seq = entry.seq;
        prev_chain = stored;
    }
    Ok((prev_seq, prev_chain))
}

/// Compares two chain values without an early exit.
pub fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(seq: i64, payload: &str) -> Entry {
        Entry {
            seq,
            at: "2026-11-21T10:00:00.000000Z".into(),
            actor: "system".into(),
            organisation: "cordon".into(),
            stream: "threat/national".into(),
            kind: "threat_level_changed".into(),
            marking: "OFFICIAL".into(),
            payload: payload.into(),
        }
    }

    fn chain(key: &ChainKey, payloads: &[String]) -> Vec<(Entry, Vec<u8>)> {
        let mut prev = GENESIS;
        payloads
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let e = entry(i as i64 + 1, p);
                prev = key.link(&prev, &e);
                (e, prev.to_vec())
            })
            .collect()
    }

    #[test]
    fn canonical_is_unambiguous() {
        let mut a = entry(1, "x");
        let mut b = entry(1, "x");
        a.actor = "ab".into();
        a.organisation = "c".into();
        b.actor = "a".into();
        b.organisation = "bc".into();
        assert_ne!(a.canonical(), b.canonical());
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(ChainKey::new(&[1u8; 8]).is_err());
    }

    proptest! {
        #[test]
        fn intact_chains_verify(payloads in proptest::collection::vec(".{0,40}", 0..30)) {
            let key = ChainKey::new(&[7u8; 32]).unwrap();
            let run = chain(&key, &payloads);
            let (last, _) = verify_run(&key, (0, GENESIS), &run).unwrap();
            prop_assert_eq!(last, payloads.len() as i64);
        }

        #[test]
        fn any_altered_field_is_named(
            payloads in proptest::collection::vec("[a-z]{1,20}", 1..30),
            pick in any::<proptest::sample::Index>(),
            field in 0usize..8,
        ) {
            let key = ChainKey::new(&[7u8; 32]).unwrap();
            let mut run = chain(&key, &payloads);
            let i = pick.index(run.len());
            let e = &mut run[i].0;
            match field {
                0 => e.at.push('x'),
                1 => e.actor.push('x'),
                2 => e.organisation.push('x'),
                3 => e.stream.push('x'),
                4 => e.kind.push('x'),
                5 => e.marking.push('x'),
                6 => e.payload.push('x'),
                _ => run[i].1[0] ^= 1,
            }
            let fault = verify_run(&key, (0, GENESIS), &run).unwrap_err();
            prop_assert_eq!(fault.seq(), i as i64 + 1);
        }

        #[test]
        fn removed_entries_are_named(
            payloads in proptest::collection::vec("[a-z]{1,20}", 2..30),
            pick in any::<proptest::sample::Index>(),
        ) {
            let key = ChainKey::new(&[7u8; 32]).unwrap();
            let mut run = chain(&key, &payloads);
            // Removing the last entry is a truncation, caught against the head.
            let i = pick.index(run.len() - 1);
            run.remove(i);
            let fault = verify_run(&key, (0, GENESIS), &run).unwrap_err();
            prop_assert_eq!(fault, Fault::Missing { seq: i as i64 + 1, prev: i as i64, found: i as i64 + 2 });
        }

        #[test]
        fn reordered_entries_are_named(
            payloads in proptest::collection::vec("[a-z]{1,20}", 2..30),
            pick in any::<proptest::sample::Index>(),
        ) {
            let key = ChainKey::new(&[7u8; 32]).unwrap();
            let mut run = chain(&key, &payloads);
            let i = pick.index(run.len() - 1);
            prop_assume!(payloads[i] != payloads[i + 1]);
            // Swap the contents of two neighbours but keep the sequence numbers in order.
            let (a, b) = (run[i].clone(), run[i + 1].clone());
            run[i] = (Entry { seq: a.0.seq, ..b.0 }, b.1);
            run[i + 1] = (Entry { seq: b.0.seq, ..a.0 }, a.1);
            let fault = verify_run(&key, (0, GENESIS), &run).unwrap_err();
            prop_assert_eq!(fault.seq(), i as i64 + 1);
        }

        #[test]
        fn another_key_fails_at_the_first_entry(payloads in proptest::collection::vec(".{0,10}", 1..10)) {
            let run = chain(&ChainKey::new(&[7u8; 32]).unwrap(), &payloads);
            let other = ChainKey::new(&[8u8; 32]).unwrap();
            prop_assert_eq!(verify_run(&other, (0, GENESIS), &run).unwrap_err(), Fault::Altered { seq: 1 });
        }
    }
}
