//! The plan as PDF and Word over HTTP: the four downloads, read back with
//! poppler and python-docx; a redacted reader's copy holds nothing withheld
//! from them and says on its title page that it is redacted.

use crate::check;

use crate::plan::fixture;
use cordon_domain::identity::{Clearance, Role};
use reqwest::Method;
use serde_json::json;
use sha2::Digest;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    sha256: String,
    body: Vec<u8>,
}

async fn download(app: &crate::common::TestApp, token: &str, path: &str) -> Download {
    let res = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let header = |name: &str| res.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let (content_type, disposition, sha256) =
        (header("content-type"), header("content-disposition"), header("x-content-sha256"));
    let status = res.status().as_u16();
    let body = res.bytes().await.unwrap().to_vec();
    Download { status, content_type, disposition, sha256, body }
}

fn checked(d: &Download, content_type: &str, filename: &str) {
    assert_eq!(d.status, 200, "{}", String::from_utf8_lossy(&d.body));
    assert_eq!(d.content_type, content_type);
    assert_eq!(d.disposition, format!("attachment; filename=\"{filename}\""));
    assert_eq!(d.sha256, hex::encode(sha2::Sha256::digest(&d.body)), "X-Content-SHA256 is the body's hash");
}

#[tokio::test]
async fn the_plan_downloads_as_pdf_and_word_marked_on_every_page_and_redacted_for_its_reader() {
    let f = fixture().await;
    f.make_ready().await;
    let polsa = f.app.user("polsa@force.example", "Force", &[Role::TacticalAdviser], Clearance::Bpss).await;
    let polsa = f.app.token(&polsa).await;
    f.ok(Method::POST, "/team", json!({"email": "polsa@force.example"})).await;
    let secret = "Covert armed response at the finish line";
    f.ok(
        Method::POST,
        "/plan/recommendation",
        json!({"text": secret, "priority": "high", "risks": ["vehicle_as_a_weapon"],
               "proportionality_rationale": "Intelligence-led", "status": "accepted", "marking": "SECRET"}),
    )
    .await;
    let (status, v) = f.send(Method::POST, "/plan/versions", json!({"reason": "First issue"})).await;
    assert_eq!(status, 201, "{v}");
    let base = format!("/api/v1/events/{}/plan", f.event);

    // Version 1, whole, for the coordinator: marked SECRET, holding the item.
    let pdf = download(&f.app, &f.secco, &format!("{base}/versions/1/document.pdf")).await;
    checked(&pdf, "application/pdf", "city-marathon-version-1.pdf");
    let read = check::check_pdf(&pdf.body, "SECRET", "Version 1");
    assert!(read.text.contains(secret));
    assert!(read.text.contains("City Marathon"));
    assert!(!read.text.contains("redacted"), "a whole copy says nothing of redaction");
    assert!(read.page_raw.iter().all(|raw| !raw.contains("DRAFT")), "a version is not a draft");
    let again = download(&f.app, &f.secco, &format!("{base}/versions/1/document.pdf")).await;
    assert_eq!(again.body, pdf.body, "the same version gives the same bytes");

    let docx = download(&f.app, &f.secco, &format!("{base}/versions/1/document.docx")).await;
    checked(&docx, DOCX, "city-marathon-version-1.docx");
    if let Some(read) = check::check_docx(&docx.body, "SECRET") {
        assert!(read.text.contains(secret));
        assert!(read.json["headings"].to_string().contains("Threat and risk"));
    }

    // The same version for a reader cleared only to OFFICIAL-SENSITIVE:
    // nothing of the SECRET item, and the title page says it is redacted.
    let pdf = download(&f.app, &polsa, &format!("{base}/versions/1/document.pdf")).await;
    checked(&pdf, "application/pdf", "city-marathon-version-1.pdf");
    let read = check::check_pdf(&pdf.body, "OFFICIAL-SENSITIVE", "Version 1");
    assert!(!read.text.contains(secret), "the withheld item is not in the reader's PDF");
    assert!(!read.text.contains("SECRET"), "nor is its marking");
    let cover = read.page_lines[0].join(" ");
    assert!(cover.contains("This copy is redacted: 1 item"), "the title page says it is redacted: {cover}");
    let docx = download(&f.app, &polsa, &format!("{base}/versions/1/document.docx")).await;
    checked(&docx, DOCX, "city-marathon-version-1.docx");
    assert!(!String::from_utf8_lossy(&docx.body).contains("Covert"), "nothing stored uncompressed gives it away");
    if let Some(read) = check::check_docx(&docx.body, "OFFICIAL-SENSITIVE") {
        assert!(!read.text.contains(secret), "the withheld item is not in the reader's Word document");
        assert!(read.text.contains("This copy is redacted: 1 item"));
    }

    // The draft, watermarked DRAFT, as each reader may read it.
    let pdf = download(&f.app, &polsa, &format!("{base}/document.pdf")).await;
    checked(&pdf, "application/pdf", "city-marathon-draft.pdf");
    let read = check::check_pdf(&pdf.body, "OFFICIAL-SENSITIVE", "Draft");
    assert!(read.page_raw.iter().all(|raw| raw.contains("DRAFT")), "DRAFT on every page");
    assert!(!read.text.contains(secret));
    let docx = download(&f.app, &f.secco, &format!("{base}/document.docx")).await;
    checked(&docx, DOCX, "city-marathon-draft.docx");
    if let Some(read) = check::check_docx(&docx.body, "SECRET") {
        assert!(read.json["headers"].to_string().contains("DRAFT"));
        assert!(read.text.contains(secret));
    }

    // A version that does not exist, or a plan the caller may not see: 404;
    // a number that is not one: 400.
    for (token, path, want) in [
        (&f.secco, format!("{base}/versions/9/document.pdf"), 404),
        (&f.secco, format!("{base}/versions/9/document.docx"), 404),
        (&f.outsider, format!("{base}/versions/1/document.pdf"), 404),
        (&f.outsider, format!("{base}/document.docx"), 404),
        (&f.secco, format!("{base}/versions/x/document.pdf"), 400),
    ] {
        let d = download(&f.app, token, &path).await;
        assert_eq!(d.status, want, "{path}: {}", String::from_utf8_lossy(&d.body));
    }

    // The pages' download buttons link to these paths: a signed-in browser's
    // session cookie is enough.
    let (_, b) = f.app.sign_in("polsa@force.example", crate::common::PASSWORD, None).await;
    let page = f.app.page(&b, &format!("/events/{}/plan/versions/1", f.event)).await.text().await.unwrap();
    let link = format!("{base}/versions/1/document.pdf");
    assert!(page.contains(&link), "the version page links to its PDF");
    let res = f.app.client.get(f.app.url(&link)).header("cookie", b.cookie()).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf_for(&f.app, &polsa, &link).await);
}

async fn pdf_for(app: &crate::common::TestApp, token: &str, path: &str) -> Vec<u8> {
    download(app, token, path).await.body
}
