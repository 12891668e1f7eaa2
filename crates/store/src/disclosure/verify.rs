//! Checking a disclosure bundle with nothing but the bundle (and, to be sure
//! who signed it, the deployment's public key): no database, no journal key.

use super::{Manifest, FORMAT};
use ed25519_dalek::pkcs8::DecodePublicKey;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::Read;

/// What an intact bundle holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub files: usize,
    pub event_name: String,
    pub created_at: String,
    /// The key that signed it, hexadecimal: compare it with the deployment's.
    pub public_key_hex: String,
    /// What the bundle says it could not hold.
    pub notes: Vec<String>,
}

/// Why a bundle does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleFault {
    /// Not a bundle at all (not a zip, or no manifest): a clear error, exit 1.
    Unreadable(String),
    /// A bundle that has been changed: the first file at fault, or the
    /// signature, in words (exit 3).
    Tampered(String),
}

impl std::fmt::Display for BundleFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BundleFault::Unreadable(m) | BundleFault::Tampered(m) => f.write_str(m),
        }
    }
}

fn read_entry(zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, path: &str) -> Result<Option<Vec<u8>>, BundleFault> {
    let mut f = match zip.by_name(path) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(BundleFault::Tampered(format!("{path}: cannot be read from the zip ({e})"))),
    };
    let mut out = Vec::new();
    f.read_to_end(&mut out)
        .map_err(|e| BundleFault::Tampered(format!("{path}: cannot be read from the zip; it is damaged ({e})")))?;
    Ok(Some(out))
}

/// Verifies a bundle's bytes: the signature of `manifest.json` (by `key`
/// when given, otherwise by the key the manifest names, which must then be
/// compared with the deployment's), then every file's SHA-256 in the
/// manifest's order, then that nothing is in the zip the manifest does not
/// list. The first fault found is the answer.
pub fn verify_bundle(bytes: &[u8], key: Option<&VerifyingKey>) -> Result<Verified, BundleFault> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| BundleFault::Unreadable(format!("this is not a disclosure bundle: it is not a zip file ({e})")))?;
    let manifest_bytes = read_entry(&mut zip, "manifest.json")?.ok_or_else(|| {
        BundleFault::Unreadable("this is not a disclosure bundle: the zip has no manifest.json".into())
    })?;
    let manifest: Option<Manifest> = serde_json::from_slice(&manifest_bytes).ok();
    let signature = read_entry(&mut zip, "manifest.sig")?
        .ok_or_else(|| BundleFault::Tampered("manifest.sig: missing, so the signature cannot be checked".into()))?;
    let signature = Signature::from_slice(&signature)
        .map_err(|_| BundleFault::Tampered("manifest.sig: not an Ed25519 signature; the signature fails".into()))?;
    let key = match key {
        Some(k) => *k,
        None => {
            let hex_key = manifest.as_ref().map(|m| m.signing_key.public_key_hex.clone()).unwrap_or_default();
            let raw: Option<[u8; 32]> = hex::decode(hex_key).ok().and_then(|b| b.try_into().ok());
            raw.and_then(|b| VerifyingKey::from_bytes(&b).ok()).ok_or_else(|| {
                BundleFault::Tampered(
                    "manifest.json: the signature fails (the manifest does not name a valid signing key)".into(),
                )
            })?
        }
    };
    key.verify_strict(&manifest_bytes, &signature).map_err(|_| {
        BundleFault::Tampered(
            "manifest.json: the signature fails (the manifest or manifest.sig was changed, or another key signed it)"
                .into(),
        )
    })?;
    let manifest = manifest
        .ok_or_else(|| BundleFault::Tampered("manifest.json: signed, but not a manifest Cordon can read".into()))?;
    if manifest.format != FORMAT {
        return Err(BundleFault::Unreadable(format!(
            "this bundle is in format {:?}, which this version of Cordon does not read",
            manifest.format
        )));
    }
    let mut listed = BTreeSet::from(["manifest.json".to_string(), "manifest.sig".to_string()]);
    for f in &manifest.files {
        let data = read_entry(&mut zip, &f.path)?
            .ok_or_else(|| BundleFault::Tampered(format!("{}: missing from the bundle", f.path)))?;
        if hex::encode(Sha256::digest(&data)) != f.sha256 || data.len() as u64 != f.size {
            return Err(BundleFault::Tampered(format!("{}: its SHA-256 does not match the manifest", f.path)));
        }
        listed.insert(f.path.clone());
    }
    let names: Vec<String> =
        (0..zip.len()).filter_map(|i| zip.name_for_index(i).and_then(|n| n.ok()).map(|n| n.to_string())).collect();
    for name in names {
        if !listed.contains(&name) && !name.ends_with('/') {
            return Err(BundleFault::Tampered(format!("{name}: in the bundle but not listed in the manifest")));
        }
    }
    // The key in the bundle is the one that signed it.
    if let Some(pem) = read_entry(&mut zip, "signing-key.pem")? {
        let in_bundle = std::str::from_utf8(&pem).ok().and_then(|p| VerifyingKey::from_public_key_pem(p).ok());
        if in_bundle != Some(key) {
            return Err(BundleFault::Tampered("signing-key.pem: not the key that signed the manifest".into()));
        }
    }
    Ok(Verified {
        files: manifest.files.len() + 2,
        event_name: manifest.event.name,
        created_at: manifest.created_at,
        public_key_hex: hex::encode(key.to_bytes()),
        notes: manifest.notes,
    })
}
