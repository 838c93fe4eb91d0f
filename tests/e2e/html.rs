//! Web pages in the inbox (issue 13): main text and the page's metadata,
//! charsets, pages that are no article, and a huge page.

use std::process::Stdio;
use std::time::Duration;

use crate::util::{BIN, Dir};

const ARTICLE: &str = r#"<!doctype html>
<html lang="en-US"><head><meta charset="utf-8">
<title>Central bank raises rates again | The Daily Ledger</title>
<meta property="og:site_name" content="The Daily Ledger">
<meta property="og:title" content="Central bank raises rates again">
<meta name="description" content="The third rise this year.">
<link rel="canonical" href="https://ledger.example/2025/03/04/rates">
<script>window.__STATE__ = {"ads": true, "text": "<p>not the article</p>"};</script>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
 "headline":"Central bank raises rates again","datePublished":"2025-03-04T09:30:00+01:00",
 "author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"John Smith"}],
 "publisher":{"@type":"Organization","name":"The Daily Ledger"}}</script>
</head><body>
<nav><a href="/">Home</a> <a href="/markets">Markets</a> <a href="/world">World</a></nav>
<div class="cookie-banner">We use cookies. Accept all cookies?</div>
<article>
<h1>Central bank raises rates again</h1>
<p class="byline">By Jane Doe and John Smith</p>
<p>FRANKFURT (Reuters) - The European Central Bank raised its main interest rate on Tuesday, the third increase this year, and said further rises could follow if inflation in the euro zone failed to slow.</p>
<p>"We will do what is needed to bring prices back under control," Christine Lagarde told reporters in Frankfurt after the meeting.</p>
<p>Economists at Deutsche Bank had expected the move after a run of strong figures on wages and employment across Germany and France.</p>
</article>
<aside class="related"><h3>Related</h3><ul><li><a href="/a">Stocks fall</a></li><li><a href="/b">Oil rises</a></li></ul></aside>
<footer>© 2025 The Daily Ledger. All rights reserved.</footer>
</body></html>"#;

fn record_for<'a>(records: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    records
        .iter()
        .find(|r| r["source"]["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("a record for {name}: {records:?}"))
}

fn reason(dir: &Dir, name: &str) -> String {
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path(&format!("state/quarantine/{name}.error.json")))
            .unwrap_or_else(|e| panic!("{name} quarantined: {e}")),
    )
    .unwrap();
    report["reason"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_page_gives_its_text_and_metadata_and_a_non_article_is_quarantined() {
    let dir = Dir::new("");
    dir.write("inbox/rates.html", ARTICLE);
    // A page saved under a text name is still a page.
    dir.write(
        "inbox/saved-as.txt",
        ARTICLE.replace("Tuesday", "Wednesday"),
    );
    // Declares Latin-1, holds UTF-8: read as what it is.
    let mislabelled = ARTICLE
        .replace("charset=\"utf-8\"", "charset=\"iso-8859-1\"")
        .replace("Frankfurt after", "Frankfurt’s Café Crème after");
    dir.write("inbox/mislabelled.html", mislabelled);
    // Declares windows-1252 and holds it.
    let mut cp1252 = ARTICLE
        .replace("charset=\"utf-8\"", "charset=\"windows-1252\"")
        .replace("Frankfurt after", "Frankfurt CAFE after")
        .into_bytes();
    let at = cp1252.windows(4).position(|w| w == b"CAFE").unwrap();
    cp1252.splice(at..at + 4, b"Caf\xE9".iter().copied());
    dir.write("inbox/cp1252.htm", cp1252);
    dir.write(
        "inbox/login.html",
        "<html><head><title>Sign in</title></head><body><nav><a href=/>Home</a></nav>\
         <form><label>Password</label><input type=password></form></body></html>",
    );
    let mut daemon = dir.spawn(&["--once"]);
    let status = crate::util::wait_timeout(&mut daemon.child, Duration::from_secs(60))
        .expect("backfill finishes");
    let log = daemon.log();
    assert!(status.success(), "{log}");

    let records = dir.records();
    assert_eq!(records.len(), 4, "{records:?}\n{log}");
    let page = record_for(&records, "rates.html");
    assert_eq!(page["title"], "Central bank raises rates again");
    assert_eq!(page["published"], "2025-03-04");
    assert_eq!(page["published_at"], "2025-03-04T09:30:00+01:00");
    assert_eq!(
        page["authors"],
        serde_json::json!(["Jane Doe", "John Smith"])
    );
    assert_eq!(page["url"], "https://ledger.example/2025/03/04/rates");
    assert_eq!(page["site"], "The Daily Ledger");
    assert_eq!(page["description"], "The third rise this year.");
    assert_eq!(page["language"], "en");
    let paragraphs: Vec<&str> = page["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let body = paragraphs.join("\n");
    assert!(body.contains("raised its main interest rate"), "{body}");
    assert!(body.contains("Deutsche Bank had expected"), "{body}");
    for junk in [
        "Home",
        "cookies",
        "Stocks fall",
        "All rights reserved",
        "not the article",
        "<p>",
    ] {
        assert!(!body.contains(junk), "{junk:?} in {body}");
    }
    // Downstream stages run on the extracted text: dateline, agency,
    // entities and a quote, with offsets into the body.
    assert!(
        page["dateline"]["place"]
            .as_str()
            .is_some_and(|p| p.eq_ignore_ascii_case("Frankfurt")),
        "{}",
        page["dateline"]
    );
    assert_eq!(page["agencies"], serde_json::json!(["Reuters"]));
    let full = paragraphs.join("\n\n");
    let quote = &page["quotes"][0];
    let start = quote["start"].as_u64().unwrap() as usize;
    let end = quote["end"].as_u64().unwrap() as usize;
    let quoted: String = full.chars().skip(start).take(end - start).collect();
    assert_eq!(quoted, quote["text"].as_str().unwrap());
    assert!(
        page["entities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "Christine Lagarde"),
        "{}",
        page["entities"]
    );

    let saved = record_for(&records, "saved-as.txt");
    assert_eq!(saved["title"], "Central bank raises rates again");
    let text = |r: &serde_json::Value| r["paragraphs"].to_string();
    assert!(text(record_for(&records, "mislabelled.html")).contains("Frankfurt’s Café Crème"));
    assert!(text(record_for(&records, "cp1252.htm")).contains("Frankfurt Café after"));

    assert_eq!(
        dir.quarantined()
            .iter()
            .filter(|n| !n.ends_with(".json"))
            .count(),
        1
    );
    let why = reason(&dir, "login.html");
    assert!(why.contains("page has no main text"), "{why}");
}

#[test]
fn a_huge_page_stays_within_memory() {
    let dir = Dir::new("");
    let mut page = String::from(
        "<!doctype html><html><head><title>Huge</title></head><body><article><h1>A very long report</h1>",
    );
    let mut n = 0;
    while page.len() < 9 * 1024 * 1024 {
        n += 1;
        page.push_str(&format!(
            "<p>In item {n} the bank said on Tuesday that prices rose again in March while wages \
             kept pace with inflation across region {n}, and that it expected a slower year.</p>\n"
        ));
    }
    page.push_str("</article></body></html>");
    dir.write("inbox/huge.html", &page);
    let child = std::process::Command::new(BIN)
        .args([
            "run",
            "--once",
            "--config",
            "wirehose.toml",
            "--log-format",
            "json",
        ])
        .current_dir(dir.root.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid value; wait4 fills it for our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: pid is our child; status and usage point to valid memory.
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    std::mem::forget(child);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    let peak_mib = usage.ru_maxrss as f64 / 1024.0;
    assert!(
        peak_mib < 400.0,
        "peak RSS {peak_mib:.0} MiB for a 9 MiB page"
    );
    // Its text is over the body limit: quarantined with that reason, not lost.
    let records = dir.records();
    let sizes: Vec<usize> = records
        .iter()
        .map(|r| r["paragraphs"].to_string().len())
        .collect();
    assert!(
        records.is_empty(),
        "records of sizes {sizes:?}: {records:?}"
    );
    let why = reason(&dir, "huge.html");
    assert!(why.contains("max_body_bytes"), "{why}");
}
