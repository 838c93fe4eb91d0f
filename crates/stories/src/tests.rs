use super::*;

fn record(id: &str, text: &str) -> Record {
    Record {
        id: id.into(),
        paragraphs: text.split("\n\n").map(str::to_string).collect(),
        published: Some("2024-05-01".into()),
        ..Record::default()
    }
}

fn observe(across: &Across, id: &str, text: &str) -> Record {
    let mut r = record(id, text);
    across.observe(&mut r).unwrap();
    r
}

const BRIDGE: &str = "The city council voted on Tuesday to close the old harbour bridge for \
    repairs after engineers found cracks in two of its steel supports. The mayor promised a \
    ferry service for commuters until the bridge work is finished next spring, and the \
    council set aside four million for the repairs.\n\nEngineers said the cracks in the \
    bridge supports were found during a routine inspection of the harbour crossing.";

const BRIDGE_FOLLOWUP: &str = "Commuters crowded the new ferry on Wednesday, a day after the \
    council closed the harbour bridge when engineers reported cracks in its steel supports. \
    The mayor said the ferry service would run until bridge repairs end in the spring.";

const CHIPS: &str = "Shares in the chip maker fell sharply after it cut its sales forecast, \
    blaming weak demand for personal computers and a glut of memory chips in Asia. Analysts \
    expect the chip maker to announce job cuts and lower investment in new factories.";

const ELECTION: &str = "Voters in the northern province elect a new governor on Sunday in a \
    race that polls show is too close to call. The governor candidates clashed over taxes \
    and schools in a final televised debate, and turnout in the province is expected to be \
    high.";

fn open(dir: &Path) -> Across {
    Across::open(&dir.join("stories-stories.db"), &StoryConfig::default()).unwrap()
}

#[test]
fn related_articles_share_a_story_and_others_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let across = open(dir.path());
    let a = observe(&across, "a", BRIDGE);
    let c = observe(&across, "c", CHIPS);
    let e = observe(&across, "e", ELECTION);
    let b = observe(&across, "b", BRIDGE_FOLLOWUP);
    assert_eq!(a.story.as_deref(), Some("a"));
    assert_eq!(c.story.as_deref(), Some("c"));
    assert_eq!(e.story.as_deref(), Some("e"));
    assert_eq!(b.story.as_deref(), Some("a"));
    assert_eq!(b.duplicate_of, None);
    let fp = a.fingerprint.unwrap();
    assert_eq!(fp.len(), 16);
    assert!(fp.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn near_copy_names_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let across = open(dir.path());
    let text = format!("{BRIDGE} {}", simhash::tests::long_text("harbour bridge"));
    let a = observe(&across, "a", &text);
    let copy = text.replace("Tuesday", "Tuesday evening");
    let b = observe(&across, "b", &copy);
    assert_eq!(b.duplicate_of.as_deref(), Some("a"));
    assert_eq!(b.story, a.story);
    let fa = u64::from_str_radix(a.fingerprint.as_deref().unwrap(), 16).unwrap();
    let fb = u64::from_str_radix(b.fingerprint.as_deref().unwrap(), 16).unwrap();
    assert!((fa ^ fb).count_ones() <= 3);
    // A copy of the copy still names the first article.
    let c = observe(&across, "c", &copy);
    assert_eq!(c.duplicate_of.as_deref(), Some("a"));
    let other = observe(&across, "d", BRIDGE_FOLLOWUP);
    assert_eq!(other.duplicate_of, None);
}

#[test]
fn observe_is_idempotent_per_id() {
    let dir = tempfile::tempdir().unwrap();
    let across = open(dir.path());
    let first = observe(&across, "a", BRIDGE);
    observe(&across, "c", CHIPS);
    let (docs, window) = {
        let inner = across.inner.lock().unwrap();
        (inner.freq.docs, inner.articles.len())
    };
    // The same id again, even with other text, returns what it returned.
    let again = observe(&across, "a", CHIPS);
    assert_eq!(again.story, first.story);
    assert_eq!(again.fingerprint, first.fingerprint);
    assert_eq!(again.duplicate_of, first.duplicate_of);
    assert_eq!(again.keywords, first.keywords);
    let inner = across.inner.lock().unwrap();
    assert_eq!(inner.freq.docs, docs);
    assert_eq!(inner.articles.len(), window);
}

#[test]
fn restart_continues_stories_and_frequencies() {
    let dir = tempfile::tempdir().unwrap();
    let docs_before = {
        let across = open(dir.path());
        observe(&across, "a", BRIDGE);
        observe(&across, "c", CHIPS);
        across.inner.lock().unwrap().freq.docs
    };
    let across = open(dir.path());
    {
        let inner = across.inner.lock().unwrap();
        assert_eq!(inner.freq.docs, docs_before);
        assert_eq!(inner.articles.len(), 2);
    }
    let b = observe(&across, "b", BRIDGE_FOLLOWUP);
    assert_eq!(b.story.as_deref(), Some("a"));
    let again = observe(&across, "c", CHIPS);
    assert_eq!(again.story.as_deref(), Some("c"));
    drop(across);
    // Without a checkpoint (a crash) the articles are replayed, not lost.
    let path = dir.path().join("stories-stories.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("DELETE FROM meta", []).unwrap();
    drop(conn);
    let across = open(dir.path());
    assert_eq!(across.inner.lock().unwrap().freq.docs, 3);
}

#[test]
fn old_stories_leave_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let across = open(dir.path());
    observe(&across, "a", BRIDGE);
    let mut later = record("b", BRIDGE_FOLLOWUP);
    later.published = Some("2024-05-09".into());
    across.observe(&mut later).unwrap();
    assert_eq!(later.story.as_deref(), Some("b"));
    assert_eq!(across.inner.lock().unwrap().articles.len(), 1);
}

#[test]
fn keywords_name_what_the_article_is_about() {
    let dir = tempfile::tempdir().unwrap();
    let across = open(dir.path());
    // Teach the stream some document frequencies first.
    observe(&across, "c", CHIPS);
    observe(&across, "e", ELECTION);
    let mut r = record("a", BRIDGE);
    r.title = Some("Harbour bridge closed".into());
    r.entities = vec![wirehose_core::Entity {
        name: "Harbour Bridge".into(),
        kind: "LOC".into(),
        mentions: vec![wirehose_core::Mention {
            start: 0,
            end: 1,
            text: "x".into(),
        }],
        geo: None,
    }];
    across.observe(&mut r).unwrap();
    assert_eq!(r.keywords.len(), 8);
    let top: Vec<&str> = r.keywords.iter().take(4).map(String::as_str).collect();
    assert!(top.contains(&"bridge"), "{:?}", r.keywords);
    assert!(r.keywords.iter().any(|k| k == "cracks"), "{:?}", r.keywords);
    for stop in ["the", "and", "of", "said"] {
        assert!(!r.keywords.iter().any(|k| k == stop), "{:?}", r.keywords);
    }
}

#[test]
fn config_has_defaults_and_refuses_unknown_keys() {
    let config: StoryConfig = serde_json::from_str(r#"{"similarity": 0.3}"#).unwrap();
    assert_eq!(config.similarity, 0.3);
    assert_eq!(config.duplicate_distance, 3);
    assert!(serde_json::from_str::<StoryConfig>(r#"{"simlarity": 0.3}"#).is_err());
    let dir = tempfile::tempdir().unwrap();
    let bad = StoryConfig {
        duplicate_distance: 4,
        ..StoryConfig::default()
    };
    assert_eq!(bad.validate().unwrap_err().0, "duplicate_distance");
    assert!(Across::open(&dir.path().join("x.db"), &bad).is_err());
}

#[test]
fn times_parse() {
    assert_eq!(parse_time("1970-01-02"), Some(86_400));
    assert_eq!(parse_time("2024-05-01T12:00:00Z"), Some(1_714_564_800));
    assert_eq!(
        parse_time("2024-05-01T14:00:00.123+02:00"),
        Some(1_714_564_800)
    );
    assert_eq!(parse_time(""), None);
    assert_eq!(parse_time("yesterday"), None);
}

/// A xorshift64* generator for synthetic text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// CPU time of this thread in nanoseconds (Linux), 0 elsewhere: wall time
/// on a shared machine says more about the neighbours than about the code.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// 20,000 synthetic articles in one window (2,000 stories of 10): time per
/// `observe` must stay flat, not grow with the window.
#[test]
fn observe_stays_fast_with_a_full_window() {
    let dir = tempfile::tempdir().unwrap();
    let across = open(dir.path());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let word = |n: u64| format!("w{n}x");
    let mut texts = Vec::new();
    for i in 0..20_000u64 {
        let story = rng.below(2000);
        let mut text = String::new();
        for _ in 0..250 {
            let n = if rng.below(4) == 0 {
                100_000 + story * 20 + rng.below(20)
            } else {
                // Skewed towards common words, like prose.
                let r = rng.below(1 << 20);
                (r * r) >> 28
            };
            text.push_str(&word(n));
            text.push(' ');
        }
        texts.push((format!("id{i}"), text));
    }
    let mut timings = Vec::new();
    let mut stories = HashSet::new();
    for (chunk_no, chunk) in texts.chunks(2000).enumerate() {
        let start = std::time::Instant::now();
        let cpu = thread_cpu_ns();
        for (id, text) in chunk {
            let r = observe(&across, id, text);
            stories.insert(r.story.unwrap());
        }
        let per = start.elapsed().as_micros() / chunk.len() as u128;
        let cpu = (thread_cpu_ns() - cpu) / 1000 / chunk.len() as u64;
        // Thread CPU time, not wall time: the machine may be shared.
        timings.push(cpu);
        eprintln!(
            "articles {}..{}: {per} µs wall, {cpu} µs CPU per observe",
            chunk_no * 2000,
            (chunk_no + 1) * 2000
        );
    }
    {
        // Full: at its byte bound (16 MiB by default) or its 20,000 articles.
        let inner = across.inner.lock().unwrap();
        assert!(inner.articles.len() <= 20_000 && inner.bytes <= 16 << 20);
        assert!(inner.articles.len() == 20_000 || inner.bytes > 15 << 20);
    }
    eprintln!("{} stories", stories.len());
    // Flat, not quadratic: the last 2,000 cost at most 3 times the first
    // (in CPU time of this thread).
    let (first, last) = (timings[0].max(1), timings[timings.len() - 1]);
    assert!(last <= 3 * first + 50, "{timings:?}");
}

/// The window keeps at most `max_window_articles` articles and
/// `max_window_mib` of them, the newest, and a reopened store loads only
/// those.
#[test]
fn the_window_is_bounded_by_count_and_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stories-s.db");
    let config = StoryConfig {
        max_window_articles: 100,
        vector_terms: 16,
        ..StoryConfig::default()
    };
    let text = |i: usize| {
        (0..40)
            .map(|k| format!("word{}x", (i * 7 + k * 13) % 997))
            .collect::<Vec<_>>()
            .join(" ")
    };
    {
        let across = Across::open(&path, &config).unwrap();
        for i in 0..300 {
            observe(&across, &format!("id{i}"), &text(i));
        }
        let inner = across.inner.lock().unwrap();
        assert_eq!(inner.articles.len(), 100);
        assert!(inner.articles.values().all(|a| a.vector.len() <= 16));
        // The newest stay, and the index holds no more than theirs.
        assert!(inner.articles.keys().all(|seq| *seq >= 200));
        let posted: usize = inner.postings.values().map(|list| list.len()).sum();
        assert!(posted <= 100 * crate::INDEX_TERMS + inner.stale, "{posted}");
        assert!(inner.stale <= 1024);
    }
    let reopened = Across::open(&path, &config).unwrap();
    assert_eq!(reopened.window_len(), 100);
    let tiny = StoryConfig {
        max_window_mib: 1,
        ..StoryConfig::default()
    };
    let tiny_path = dir.path().join("stories-t.db");
    let kept: BTreeSet<u64> = {
        let across = Across::open(&tiny_path, &tiny).unwrap();
        for i in 0..1500 {
            observe(&across, &format!("id{i}"), &text(i));
        }
        let inner = across.inner.lock().unwrap();
        assert!(
            inner.bytes <= 1 << 20 && inner.articles.len() < 1500,
            "{}",
            inner.bytes
        );
        inner.articles.keys().copied().collect()
    };
    // A restart reads newest first and stops at the byte bound: the same
    // articles (each taking what it took before the restart), never more
    // than the bound in memory.
    let reopened = Across::open(&tiny_path, &tiny).unwrap();
    let inner = reopened.inner.lock().unwrap();
    assert!(inner.bytes <= 1 << 20, "{}", inner.bytes);
    let again: BTreeSet<u64> = inner.articles.keys().copied().collect();
    assert_eq!(again, kept);
}
