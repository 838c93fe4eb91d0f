//! Bad inputs are quarantined with their reason while good files flow.

use std::time::Duration;

use crate::synth::article;
use crate::util::Dir;

#[test]
fn bad_files_are_quarantined_and_good_files_flow() {
    let dir = Dir::new("max_bytes = 20000");
    dir.write("inbox/good.txt", article(1, 4));
    dir.write("inbox/empty.txt", "");
    dir.write("inbox/huge.txt", "word ".repeat(10_000));
    dir.write(
        "inbox/image.txt",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10",
    );
    dir.write(
        "inbox/nul.txt",
        b"some text\0\0\0with nul bytes \x01\x02\x03 and more\0",
    );
    dir.write("inbox/blank.txt", "\n\n   \n\t\n");
    let mut broken = b"\xEF\xBB\xBFHeadline\n\n".to_vec();
    broken.extend(std::iter::repeat_n(b"\xC3\x28 \xFF ".as_slice(), 200).flatten());
    dir.write("inbox/undecodable.txt", broken);
    // Latin-1 and UTF-16 are decoded, not refused.
    dir.write(
        "inbox/latin1.txt",
        b"Le pr\xE9sident fran\xE7ais a d\xE9clar\xE9 mardi que la r\xE9union \xE9tait tr\xE8s productive.\n\nIl a ajout\xE9 que les discussions continueraient.\n",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in
        "Kerry Meets Lavrov\n\n“We are close,” Kerry said in Geneva on Friday.\n".encode_utf16()
    {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    dir.write("inbox/utf16.txt", utf16);
    let mut daemon = dir.spawn(&["--once"]);
    let status = crate::util::wait_timeout(&mut daemon.child, Duration::from_secs(30))
        .expect("backfill finishes");
    let log = daemon.log();
    assert!(status.success(), "{log}");

    let records = dir.records();
    let paths: Vec<String> = records
        .iter()
        .map(|r| r["source"]["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(records.len(), 3, "{paths:?}\n{log}");
    let latin1 = records
        .iter()
        .find(|r| {
            r["source"]["path"]
                .as_str()
                .unwrap()
                .ends_with("latin1.txt")
        })
        .unwrap();
    assert!(
        latin1["paragraphs"][0]
            .as_str()
            .unwrap()
            .contains("président français")
    );
    assert_eq!(latin1["language"], "fr");
    let utf16 = records
        .iter()
        .find(|r| r["source"]["path"].as_str().unwrap().ends_with("utf16.txt"))
        .unwrap();
    assert_eq!(utf16["title"], "Kerry Meets Lavrov");
    assert_eq!(utf16["quotes"][0]["text"], "We are close,");

    let quarantined = dir.quarantined();
    // An empty file is not refused: it may be about to be written (issue 9).
    assert!(dir.path("inbox/empty.txt").exists());
    assert!(!quarantined.contains(&"empty.txt".to_string()));
    for name in [
        "huge.txt",
        "image.txt",
        "nul.txt",
        "blank.txt",
        "undecodable.txt",
    ] {
        assert!(
            quarantined.contains(&name.to_string()),
            "{name} moved to quarantine: {quarantined:?}"
        );
        let report: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path(&format!("state/quarantine/{name}.error.json")))
                .unwrap(),
        )
        .unwrap();
        assert!(!report["reason"].as_str().unwrap().is_empty());
        assert!(!report["hint"].as_str().unwrap().is_empty());
        assert!(!dir.path(&format!("inbox/{name}")).exists());
    }
    let reason = |name: &str| -> String {
        let text =
            std::fs::read_to_string(dir.path(&format!("state/quarantine/{name}.error.json")))
                .unwrap();
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        format!("{} {}", report["component"], report["reason"])
    };
    assert!(reason("huge.txt").contains("max_bytes"));
    assert!(
        reason("image.txt").contains("PNG") && reason("image.txt").contains("transforms.normalize")
    );
    assert!(reason("nul.txt").contains("binary"));
    assert!(reason("blank.txt").contains("no text"));
    assert!(
        reason("undecodable.txt").contains("does not decode as UTF-8"),
        "{}",
        reason("undecodable.txt")
    );
    assert!(log.contains("article quarantined"));
    assert!(log.contains("5 quarantined"), "{log}");

    // A restart does not take the quarantined inputs again.
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert!(status.success());
    assert!(
        stderr.contains("0 articles written, 0 duplicates skipped, 0 quarantined"),
        "{stderr}"
    );
}

#[test]
fn hidden_temporary_and_unmatched_files_are_ignored() {
    let dir = Dir::new("");
    dir.write("inbox/.hidden.txt", article(1, 3));
    dir.write("inbox/draft.txt.part", article(2, 3));
    dir.write("inbox/notes.tmp", article(3, 3));
    dir.write("inbox/data.json", article(4, 3));
    dir.write("inbox/ok.md", article(5, 3));
    dir.write("inbox/sub/nested.txt", article(6, 3));
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert!(status.success(), "{stderr}");
    let records = dir.records();
    assert_eq!(records.len(), 1, "only ok.md (not recursive)");
    assert!(
        records[0]["source"]["path"]
            .as_str()
            .unwrap()
            .ends_with("ok.md")
    );
}

#[test]
fn a_symlink_leading_outside_is_not_followed() {
    let dir = Dir::new("");
    dir.write("secret/private.txt", article(8, 3));
    std::os::unix::fs::symlink(dir.path("secret/private.txt"), dir.path("inbox/link.txt")).unwrap();
    dir.write("inbox/inner-target.md", article(9, 3));
    std::os::unix::fs::symlink(
        dir.path("inbox/inner-target.md"),
        dir.path("inbox/inner-link.txt"),
    )
    .unwrap();
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert!(status.success(), "{stderr}");
    let paths: Vec<String> = dir
        .records()
        .iter()
        .map(|r| r["source"]["path"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !paths
            .iter()
            .any(|p| p.ends_with("link.txt") && !p.ends_with("inner-link.txt")),
        "{paths:?}"
    );
    assert_eq!(
        paths.len(),
        1,
        "inner target and inner link are one article: {paths:?}"
    );
}
