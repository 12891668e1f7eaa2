//! The disclosure bundle of an event: one zip, complete and self-checking,
//! "retained in accordance with the force retention and disclosure policies
//! and made available for auditing purposes" (seed 000).
//!
//! Layout: `manifest.json` (every other file with its SHA-256 and size, the
//! event, when and by whom the bundle was made, the signing public key),
//! `manifest.sig` (the raw 64-byte Ed25519 signature of `manifest.json`'s
//! bytes), `signing-key.pem` (the public key, SPKI PEM), `SHA256SUMS` (the
//! same hashes as `sha256sum -c` reads them), `index.html` (the contents in
//! words), `versions/<n>.json` (each issued version's canonical JSON, byte for
//! byte as hashed when issued) and `versions/<n>.pdf` (where a renderer is
//! given), `journal.jsonl` (every journal entry of the event's streams with
//! its sequence number and chain value), `access-log.jsonl` (the event's
//! access-log entries, chained alike) and `attachments/<sha256>-<name>`.
//! Every file is deflated with a fixed timestamp.
//!
//! The deployment's Ed25519 signing key is created on first start beside the
//! journal key (`<journal key>.signing`, owner-only, never overwritten).
//! [`verify_bundle`] needs neither the database nor the journal key.

mod verify;

pub use verify::{verify_bundle, BundleFault, Verified};

use crate::audit::Which;
use crate::journal::Actor;
use crate::records::Caller;
use crate::sql::Val;
use crate::{Store, StoreError};
use cordon_domain::documents::Document;
use cordon_domain::ids::EventId;
use cordon_domain::Marking;
use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Renders a plan document as a PDF; an error says why there is none.
pub type RenderPdf<'a> = &'a (dyn Fn(&Document) -> Result<Vec<u8>, String> + Sync);

/// The bundle format, as `manifest.json` names it.
pub const FORMAT: &str = "cordon-disclosure-bundle/1";

/// The deployment's signing public key, as served and bundled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicKey {
    pub algorithm: &'static str,
    /// The 32-byte key, hexadecimal.
    pub hex: String,
    /// The key as SubjectPublicKeyInfo PEM (what `openssl pkeyutl -pubin -inkey` reads).
    pub pem: String,
}

impl PublicKey {
    pub(crate) fn of(key: &VerifyingKey) -> PublicKey {
        PublicKey {
            algorithm: "Ed25519",
            hex: hex::encode(key.to_bytes()),
            pem: key.to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF).unwrap_or_default(),
        }
    }
}

/// Where the signing key lives: beside the journal key.
pub fn signing_key_path(journal_key: &Path) -> PathBuf {
    let mut p = journal_key.as_os_str().to_owned();
    p.push(".signing");
    PathBuf::from(p)
}

/// Loads the signing key, creating it (owner-only) when allowed and missing.
/// Refuses a key file that anyone but its owner can read or write.
pub(crate) fn load_signing_key(journal_key: &Path, create: bool) -> Result<Option<SigningKey>, StoreError> {
    #[cfg(unix)]
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let path = signing_key_path(journal_key);
    let cfg = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Config(format!("cannot {what} the signing key {}: {e}", path.display()))
    };
    if !path.exists() {
        if !create {
            return Ok(None);
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| cfg("create the folder for", &e))?;
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| StoreError::Config(format!("no secure random source: {e}")))?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        opts.mode(0o600);
        let mut f = opts.open(&path).map_err(|e| cfg("create", &e))?;
        f.write_all(format!("{}\n", hex::encode(seed)).as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| cfg("write", &e))?;
        tracing::info!(path = %path.display(), "created the signing key for disclosure bundles; back it up with the journal key");
    }
    let meta = std::fs::metadata(&path).map_err(|e| cfg("read", &e))?;
    #[cfg(unix)]
    {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(StoreError::Config(format!(
                "the signing key {} has permissions {mode:04o}: it must be readable by its owner only (chmod 600 {})",
                path.display(),
                path.display()
            )));
        }
    }
    if !meta.is_file() {
        return Err(StoreError::Config(format!("the signing key {} is not a file", path.display())));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| cfg("read", &e))?;
    let seed: [u8; 32] = hex::decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| {
        StoreError::Config(format!("the signing key {} is not a 32-byte hexadecimal key", path.display()))
    })?;
    Ok(Some(SigningKey::from_bytes(&seed)))
}

/// A file of the bundle, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// The bundle's manifest (`manifest.json`).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: String,
    pub event: ManifestEvent,
    pub created_at: String,
    pub created_by: String,
    pub signing_key: ManifestKey,
    pub files: Vec<ManifestFile>,
    /// What the bundle could not hold, in words (a PDF not available).
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ManifestEvent {
    pub id: String,
    pub name: String,
    pub marking: String,
    pub organisation: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ManifestKey {
    pub algorithm: String,
    pub public_key_hex: String,
}

/// A bundle made: its bytes and what it holds.
pub struct Bundle {
    pub bytes: Vec<u8>,
    pub files: usize,
    pub file_name: String,
    pub notes: Vec<String>,
}

/// The disclosure capability's operations, reached as `store.disclosure()`.
#[derive(Clone, Copy)]
pub struct DisclosureStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn disclosure(&self) -> DisclosureStore<'_> {
        DisclosureStore { store: self }
    }
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// A file name safe in a zip and on any file system.
fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .take(80)
        .collect();
    let s = s.trim_matches('.').to_string();
    if s.is_empty() {
        "file".into()
    } else {
        s
    }
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn ledger_line(r: &crate::sql::Row) -> String {
    let mut m = BTreeMap::new();
    m.insert("seq", serde_json::json!(r.int(0)));
    m.insert("at", serde_json::json!(r.text(1)));
    m.insert("actor", serde_json::json!(r.text(2)));
    m.insert("organisation", serde_json::json!(r.text(3)));
    m.insert("stream", serde_json::json!(r.text(4)));
    m.insert("kind", serde_json::json!(r.text(5)));
    m.insert("marking", serde_json::json!(r.text(6)));
    m.insert("payload", serde_json::json!(r.text(7)));
    m.insert("chain", serde_json::json!(hex::encode(r.bytes(8))));
    serde_json::to_string(&m).unwrap_or_default()
}

impl DisclosureStore<'_> {
    /// The deployment's signing public key.
    pub fn public_key(&self) -> Result<PublicKey, StoreError> {
        Ok(PublicKey::of(&self.signing_key()?.verifying_key()))
    }

    fn signing_key(&self) -> Result<&SigningKey, StoreError> {
        self.store.inner.signing.as_ref().ok_or_else(|| {
            StoreError::Config(format!(
                "there is no signing key ({}); start Cordon once with `cordon serve` or `cordon migrate` to create it",
                signing_key_path(&self.store.inner.key_path).display()
            ))
        })
    }

    /// Makes the event's disclosure bundle. A user must be an auditor of the
    /// owning organisation cleared for everything the bundle holds (it is
    /// never partial); the system caller is the operator at the command line.
    /// The export is itself recorded in the access log before the log is read,
    /// so the bundle shows it.
    pub async fn export(
        &self,
        caller: Caller<'_>,
        event_id: &EventId,
        render_pdf: RenderPdf<'_>,
    ) -> Result<Bundle, StoreError> {
        let key = self.signing_key()?.clone();
        let (_, ceiling) = self.store.audit().admit(caller, event_id, Which::Disclosure).await?;
        let ev = format!("event/{event_id}");
        let plan = format!("plan/{event_id}");
        let highest = self
            .store
            .fetch(
                "SELECT DISTINCT marking FROM journal WHERE stream IN ($1, $2)",
                &[Val::Text(ev.clone()), Val::Text(plan.clone())],
            )
            .await?
            .iter()
            .filter_map(|r| r.text(0).parse::<Marking>().ok())
            .max()
            .unwrap_or(Marking::Official);
        if highest > ceiling {
            return Err(StoreError::Forbidden(format!(
                "the bundle would hold material marked {highest}, above what you may read; \
                 someone cleared for {highest} must export it"
            )));
        }
        let event = self.store.events().event_unchecked(event_id).await?;
        let created_at = self.store.now_text();
        let created_by = match caller {
            Caller::User(v) => self.store.identity().user(&v.user_id).await?.map(|u| u.name).unwrap_or_default(),
            Caller::System(a) => format!("the operator ({}), at the command line", a.user),
        };
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut notes = Vec::new();
        let mut version_rows = Vec::new();

        // Issued versions: the canonical JSON as hashed, and the PDF.
        let versions = self.store.plan().versions_of(event_id).await?;
        let view = if versions.is_empty() { None } else { Some(self.store.plan().view_at(event_id, None).await?) };
        for v in &versions {
            let (body, hash) = self.store.plan().version_of(event_id, v.number).await?;
            files.push((format!("versions/{}.json", v.number), body.into_bytes()));
            let pdf = match &view {
                Some(view) => match self.store.documents().version(view, v.number).await {
                    Ok((doc, _)) => render_pdf(&doc),
                    Err(e) => Err(e.to_string()),
                },
                None => Err("no plan view".into()),
            };
            let pdf_note = match pdf {
                Ok(bytes) => {
                    files.push((format!("versions/{}.pdf", v.number), bytes));
                    format!("versions/{}.pdf", v.number)
                }
                Err(why) => {
                    let note = format!("Version {}: PDF not available ({why}).", v.number);
                    notes.push(note.clone());
                    "PDF not available".into()
                }
            };
            version_rows.push((v.clone(), hash, pdf_note));
        }

        // The journal entries of the event's streams, and its access log.
        let cols = "seq, at, actor, organisation, stream, kind, marking, payload, chain";
        let journal = self
            .store
            .fetch(
                &format!("SELECT {cols} FROM journal WHERE stream IN ($1, $2) ORDER BY seq"),
                &[Val::Text(ev.clone()), Val::Text(plan.clone())],
            )
            .await?;
        let access = self
            .store
            .fetch(&format!("SELECT {cols} FROM access_log WHERE stream = $1 ORDER BY seq"), &[Val::Text(ev.clone())])
            .await?;
        let jsonl = |rows: &[crate::sql::Row]| {
            let mut out = String::new();
            for r in rows {
                out.push_str(&ledger_line(r));
                out.push('\n');
            }
            out.into_bytes()
        };
        files.push(("journal.jsonl".into(), jsonl(&journal)));
        files.push(("access-log.jsonl".into(), jsonl(&access)));

        // The attachments uploaded to the event, named as the plan names them.
        let draft = self.store.plan().draft(event_id).await?;
        let mut attachment_names: BTreeMap<String, String> = BTreeMap::new();
        for a in draft.recon_visits.iter().flat_map(|v| v.attachments.iter()) {
            attachment_names.entry(a.sha256.clone()).or_insert_with(|| a.name.clone());
        }
        let attachments = self
            .store
            .fetch(
                "SELECT a.sha256, a.content_type, a.data FROM attachment_owners o \
                 JOIN attachments a ON a.sha256 = o.sha256 WHERE o.record_id = $1 ORDER BY a.sha256",
                &[Val::from(event_id)],
            )
            .await?;
        let mut attachment_rows = Vec::new();
        for r in &attachments {
            let sha = r.text(0);
            let name = attachment_names.get(&sha).cloned().unwrap_or_else(|| {
                match r.text(1).as_str() {
                    "image/png" => "upload.png",
                    "image/jpeg" => "upload.jpg",
                    "application/pdf" => "upload.pdf",
                    _ => "upload",
                }
                .into()
            });
            let path = format!("attachments/{sha}-{}", safe_name(&name));
            attachment_rows.push((path.clone(), name, r.text(1)));
            files.push((path, r.bytes(2)));
        }

        let public = PublicKey::of(&key.verifying_key());
        files.push(("signing-key.pem".into(), public.pem.clone().into_bytes()));

        // The index, in words.
        let index = index_html(IndexParts {
            event: &event,
            created_at: &created_at,
            created_by: &created_by,
            versions: &version_rows,
            journal_entries: journal.len(),
            access_entries: access.len(),
            attachments: &attachment_rows,
            notes: &notes,
            public: &public,
            files: &files,
        });
        files.push(("index.html".into(), index.into_bytes()));

        let mut sums = String::new();
        for (path, bytes) in &files {
            sums.push_str(&format!("{}  {path}\n", sha256_hex(bytes)));
        }
        files.push(("SHA256SUMS".into(), sums.into_bytes()));

        let manifest = Manifest {
            format: FORMAT.into(),
            event: ManifestEvent {
                id: event.id.to_string(),
                name: event.name.clone(),
                marking: event.marking.as_str().into(),
                organisation: event.organisation_name.clone(),
            },
            created_at: created_at.clone(),
            created_by,
            signing_key: ManifestKey { algorithm: "Ed25519".into(), public_key_hex: public.hex.clone() },
            files: files
                .iter()
                .map(|(path, bytes)| ManifestFile {
                    path: path.clone(),
                    sha256: sha256_hex(bytes),
                    size: bytes.len() as u64,
                })
                .collect(),
            notes: notes.clone(),
        };
        let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| StoreError::Integrity(e.to_string()))?;
        let signature = key.sign(&manifest_bytes).to_bytes().to_vec();

        let mut all = vec![("manifest.json".to_string(), manifest_bytes), ("manifest.sig".to_string(), signature)];
        all.extend(files);
        let bytes =
            zip_files(&all).map_err(|e| StoreError::Integrity(format!("the bundle could not be written: {e}")))?;
        let day = created_at.get(..10).unwrap_or("").to_string();
        Ok(Bundle {
            bytes,
            files: all.len(),
            file_name: format!("disclosure-{}-{day}.zip", safe_name(&event.name)),
            notes,
        })
    }

    /// The operator's export, at the command line.
    pub async fn export_as_system(
        &self,
        actor: &Actor,
        event_id: &EventId,
        render_pdf: RenderPdf<'_>,
    ) -> Result<Bundle, StoreError> {
        self.export(Caller::System(actor), event_id, render_pdf).await
    }
}

/// Writes files to a zip: deflated, in the order given, with a fixed time
/// (1980-01-01, the zip format's first day), so the same files give the same bytes.
fn zip_files(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (path, bytes) in files {
        w.start_file(path.as_str(), opts)?;
        w.write_all(bytes)?;
    }
    Ok(w.finish()?.into_inner())
}

struct IndexParts<'a> {
    event: &'a crate::events::EventRecord,
    created_at: &'a str,
    created_by: &'a str,
    versions: &'a [(crate::plan::VersionSummary, String, String)],
    journal_entries: usize,
    access_entries: usize,
    attachments: &'a [(String, String, String)],
    notes: &'a [String],
    public: &'a PublicKey,
    files: &'a [(String, Vec<u8>)],
}

fn index_html(p: IndexParts) -> String {
    let e = p.event;
    let marking = e.marking.as_str();
    let when = |s: &str| html(&cordon_domain::london::display_stored(s));
    let mut out = String::new();
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Disclosure bundle: {name}</title>\n<style>\n\
         body {{ font-family: Arial, sans-serif; max-width: 60rem; margin: 0 auto; padding: 0 1rem; line-height: 1.4; }}\n\
         .marking {{ text-align: center; font-weight: 700; padding: 0.4rem; border: 2px solid #000; margin: 0.5rem 0; }}\n\
         table {{ border-collapse: collapse; width: 100%; }} th, td {{ text-align: left; vertical-align: top; padding: 0.3rem 0.5rem 0.3rem 0; border-bottom: 1px solid #b1b4b6; }}\n\
         code {{ overflow-wrap: anywhere; font-size: 0.85rem; }}\n</style>\n</head>\n<body>\n\
         <div class=\"marking\">{marking}</div>\n<h1>Disclosure bundle: {name}</h1>\n\
         <p>This bundle holds the record of the event as Cordon kept it: every issued version of the CT protective security plan, \
         every change recorded in the journal for the event and its plan, every access to it recorded in the access log, and the files attached to it. \
         It is retained in accordance with the force retention and disclosure policies and made available for auditing purposes.</p>\n\
         <dl>\n<dt>Event</dt><dd>{name}</dd>\n<dt>Lead organisation</dt><dd>{org}</dd>\n<dt>Protective marking</dt><dd>{marking}</dd>\n\
         <dt>Status</dt><dd>{status}</dd>\n<dt>Starts</dt><dd>{starts}</dd>\n<dt>Ends</dt><dd>{ends}</dd>\n\
         <dt>Bundle made</dt><dd>{created} by {by}</dd>\n</dl>\n",
        name = html(&e.name),
        org = html(&e.organisation_name),
        status = html(e.status.words()),
        starts = html(&cordon_domain::london::display_instant(e.starts_at)),
        ends = html(&cordon_domain::london::display_instant(e.ends_at)),
        created = when(p.created_at),
        by = html(p.created_by),
    ));
    out.push_str("<h2>Issued versions</h2>\n");
    if p.versions.is_empty() {
        out.push_str("<p>No version of the plan has been issued.</p>\n");
    } else {
        out.push_str("<table>\n<thead><tr><th>Version</th><th>Issued</th><th>Reason</th><th>Endorsed</th><th>Files</th></tr></thead>\n<tbody>\n");
        for (v, hash, pdf) in p.versions {
            let endorsed = match &v.endorsement {
                Some(en) => format!("{} by {}", when(&en.endorsed_at), html(&en.endorsed_by)),
                None => "Not endorsed".into(),
            };
            out.push_str(&format!(
                "<tr><td>{n}</td><td>{at} by {by}</td><td>{reason}</td><td>{endorsed}</td>\
                 <td><a href=\"versions/{n}.json\">versions/{n}.json</a> (SHA-256 <code>{hash}</code>, as recorded when issued); {pdf}</td></tr>\n",
                n = v.number,
                at = when(&v.issued_at),
                by = html(&v.issued_by),
                reason = html(&v.reason),
                pdf = if pdf.ends_with(".pdf") { format!("<a href=\"{0}\">{0}</a>", html(pdf)) } else { html(pdf) },
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str(&format!(
        "<h2>Journal and access log</h2>\n<p><a href=\"journal.jsonl\">journal.jsonl</a>: {} journal entries of the event and its plan, \
         one JSON object a line, each with its sequence number and chain value (HMAC-SHA-256 under the deployment's journal key, \
         which <code>cordon verify</code> checks on the live journal).</p>\n\
         <p><a href=\"access-log.jsonl\">access-log.jsonl</a>: {} access-log entries of the event: who read it and who was refused, chained alike.</p>\n",
        p.journal_entries, p.access_entries
    ));
    out.push_str("<h2>Attachments</h2>\n");
    if p.attachments.is_empty() {
        out.push_str("<p>No files were attached to the event.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for (path, name, ct) in p.attachments {
            out.push_str(&format!("<li><a href=\"{0}\">{1}</a> ({2})</li>\n", html(path), html(name), html(ct)));
        }
        out.push_str("</ul>\n");
    }
    if !p.notes.is_empty() {
        out.push_str("<h2>Not in this bundle</h2>\n<ul>\n");
        for n in p.notes {
            out.push_str(&format!("<li>{}</li>\n", html(n)));
        }
        out.push_str("</ul>\n");
    }
    out.push_str(&format!(
        "<h2>Checking this bundle</h2>\n<p><code>manifest.json</code> lists every other file with its SHA-256; <code>manifest.sig</code> is the Ed25519 signature \
         of <code>manifest.json</code> by the deployment's signing key (public key <code>{hex}</code>, also in <code>signing-key.pem</code>; \
         compare it with the one the deployment publishes at <code>/api/v1/signing-key</code>). Run <code>cordon disclosure verify</code> on the zip, or, \
         with standard tools: <code>openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in manifest.json -sigfile manifest.sig</code> \
         then <code>sha256sum -c SHA256SUMS</code>.</p>\n<h2>Files</h2>\n<table>\n<thead><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead>\n<tbody>\n",
        hex = html(&p.public.hex)
    ));
    for (path, bytes) in p.files {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
            html(path),
            bytes.len(),
            sha256_hex(bytes)
        ));
    }
    out.push_str(&format!("</tbody>\n</table>\n<div class=\"marking\">{marking}</div>\n</body>\n</html>\n"));
    out
}
