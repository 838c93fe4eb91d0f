//! The stories transform of wirehose (`type = "stories"`): near-duplicates,
//! online story clustering and keywords, across articles, with state kept
//! in the daemon's state directory.
//!
//! It runs after `extract` (it reads the entities) and gives each article:
//!
//! - `fingerprint`: a 64-bit SimHash of the body's word 3-shingles (16 hex
//!   digits). An article whose fingerprint is within
//!   [`StoryConfig::duplicate_distance`] bits of an earlier one in the window
//!   is a near-copy: `duplicate_of` names that earlier article (the first of
//!   a chain of copies) and the copy joins its story.
//! - `story`: the id of the first article of its story. Each article is a
//!   tf-idf vector of its content words (stopwords removed, plurals folded,
//!   title words counted [`StoryConfig::title_weight`] times, document
//!   frequencies learned from the stream) plus the canonical names of its
//!   entities. It joins the story of the most similar article in the time
//!   window when the cosine similarity reaches [`StoryConfig::similarity`],
//!   else it opens a new story.
//! - `keywords`: its highest-weighted words and entity names.
//!
//! Main types: [`StoryConfig`] (the transform's configuration, validated by
//! `build` without touching the state directory), [`Across`] (the state of
//! one component, shared by all its workers; [`Across::observe`] does the
//! work) and [`Stories`] (the transform).
//!
//! Candidates come from an inverted index over each article's top terms and
//! from a band index over the fingerprints, never from a scan; articles leave
//! memory (and stop being candidates) [`StoryConfig::window_hours`] after the
//! newest article seen. State is one SQLite database per component
//! (`STATE_DIR/stories-COMPONENT.db`, see `store`), opened only once the
//! runner holds the state directory's lock, so a restart continues the same
//! stories, and `observe` is idempotent per record id. Story ids agree only
//! within one state: in a scale-out layout run one stories process (see the
//! README's `config/stories.toml`).
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use wirehose_core::{Record, Transform};
//! use wirehose_stories::{Across, Stories, StoryConfig};
//! let state = tempfile::tempdir().unwrap();
//! let config = StoryConfig::default();
//! let across = Arc::new(Across::open(&state.path().join("stories-s.db"), &config).unwrap());
//! let mut stories = Stories::new(across);
//! let mut out = Vec::new();
//! let body = "The central bank raised interest rates by half a point on Tuesday.";
//! for id in ["a", "b"] {
//!     let record = Record { id: id.into(), paragraphs: vec![body.into()], ..Record::default() };
//!     stories.process(record, &mut out).unwrap();
//! }
//! assert_eq!(out[1].duplicate_of.as_deref(), Some("a"));
//! assert_eq!(out[1].story, out[0].story);
//! ```

#![deny(missing_docs)]

mod error;
mod simhash;
mod store;
mod terms;
mod transform;

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use wirehose_core::Record;
use wirehose_text::calendar::days_from_civil;

pub use error::StoriesError;
pub use transform::{Stories, register, store_path};

use store::{CHECKPOINT_EVERY, Frequencies, Outcome, Store};
use terms::IntMap;

/// Terms of each article posted in the inverted index (its highest weights).
const INDEX_TERMS: usize = 24;
/// Terms of a new article looked up in the inverted index.
const QUERY_TERMS: usize = 48;
/// Posting lists longer than this (terms in a large share of the window) are
/// skipped at lookup: they retrieve everything and decide nothing.
const MAX_POSTING: usize = 2000;
/// Most posting entries read for one lookup, the query's heaviest terms
/// first: with it a lookup costs the same in a full window as in an empty one.
const POSTING_BUDGET: usize = 6000;
/// Candidates (best partial scores) whose full cosine is computed.
const CANDIDATES: usize = 16;

/// Configuration of the stories transform (`[transforms.ID]` with
/// `type = "stories"`): near-duplicate detection, story clustering and
/// keywords.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoryConfig {
    /// Largest Hamming distance (bits of 64) between two SimHash
    /// fingerprints for the later article to be a near-copy of the earlier.
    /// 0 to 3; default 3.
    pub duplicate_distance: u32,
    /// Smallest cosine similarity (0 to 1) of tf-idf vectors for an article
    /// to join the story of an earlier one. Default 0.18 (B-cubed F1 on the
    /// Multi-News dev clusters is flat from 0.15 to 0.2; the upper side keeps
    /// precision for busier news windows).
    pub similarity: f32,
    /// Time window in hours: stories whose articles are all older than this
    /// (behind the newest article seen) are no longer candidates. Article
    /// time is `published`, else `source.received_at`, else the clock.
    /// Default 72.
    pub window_hours: u64,
    /// Number of keywords per article. Default 8.
    pub keywords: usize,
    /// How many times a title word counts compared with a body word.
    /// Default 2.
    pub title_weight: f32,
    /// Factor on the tf-idf weight of entity names (from `entities`) in the
    /// story vector. Default 1.
    pub entity_weight: f32,
    /// Days an article's result is kept in the state database, so that
    /// seeing it again returns the same story. Default 30.
    pub retain_days: u64,
    /// Most articles the window holds in memory: past it the oldest leave
    /// (as they do past `window_hours`), so memory stays flat however fast
    /// articles come. Default 20,000.
    pub max_window_articles: usize,
    /// Most memory the window's articles take, in MiB, as the transform
    /// counts them (about 3.4 KB an article with 128-term vectors; the
    /// process holds about 1.4 times that): past it the oldest leave.
    /// Default 16 (about 5,000 articles, some 22 MiB resident).
    pub max_window_mib: u64,
    /// Terms of each article's vector kept in the window (its highest
    /// weights; the rest hardly move a cosine): memory per article. The
    /// full vector is stored. Default 128 (the Multi-News dev clusters score
    /// the same as with whole vectors; 64 loses 0.002–0.004 B-cubed F1).
    pub vector_terms: usize,
}

impl Default for StoryConfig {
    fn default() -> Self {
        StoryConfig {
            duplicate_distance: 3,
            similarity: 0.18,
            window_hours: 72,
            keywords: 8,
            title_weight: 2.0,
            entity_weight: 1.0,
            retain_days: 30,
            max_window_articles: 20_000,
            max_window_mib: 16,
            vector_terms: 128,
        }
    }
}

/// State shared by every worker of one stories component.
pub struct Across {
    config: StoryConfig,
    path: PathBuf,
    inner: Mutex<Inner>,
    /// Articles in the in-memory window after the last observation.
    window_len: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for Across {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Across")
            .field("path", &self.path)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// One article in the window.
#[derive(Debug)]
struct Article {
    time: i64,
    fingerprint: u64,
    near: bool,
    /// The first article of the chain of copies this one belongs to.
    root: String,
    story: Arc<str>,
    /// Terms posted in the inverted index.
    index_terms: Vec<u64>,
    /// Unit-length tf-idf vector sorted by term: its `vector_terms`
    /// heaviest terms.
    vector: Vec<(u64, f32)>,
}

impl Article {
    /// About how many bytes the article takes in the window: its vector
    /// (16 bytes a term), its index terms with their postings (8 + 32: a
    /// posting list's spare capacity counted), its root id, and its share of
    /// the maps, the time index, the band index and the allocator's headers
    /// (400). Measured against the process's resident memory, the window
    /// takes about 1.4 times this (the allocator's fragmentation).
    fn bytes(&self) -> usize {
        400 + self.vector.capacity() * 16 + self.index_terms.capacity() * 40 + self.root.len()
    }
}

/// The `n` highest-weighted terms of `vector`, sorted by term, for the
/// window.
fn trimmed(vector: &[(u64, f32)], n: usize) -> Vec<(u64, f32)> {
    if vector.len() <= n {
        return vector.to_vec();
    }
    let mut kept = vector.to_vec();
    kept.select_nth_unstable_by(n, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    kept.truncate(n);
    // Unit length again, so a cosine against it reads on the same scale.
    let norm = kept.iter().map(|w| w.1 * w.1).sum::<f32>().sqrt();
    if norm > 0.0 {
        for w in &mut kept {
            w.1 /= norm;
        }
    }
    kept.sort_unstable_by_key(|w| w.0);
    kept.shrink_to_fit();
    kept
}

/// The in-memory window and the store, behind one lock.
#[derive(Debug)]
struct Inner {
    store: Store,
    freq: Frequencies,
    next_seq: u64,
    /// Newest article time seen (seconds since the epoch).
    clock: Option<i64>,
    articles: IntMap<u64, Article>,
    by_time: BTreeSet<(i64, u64)>,
    /// Term → (article, weight), oldest first; an evicted article's entry
    /// leaves at once when it is at the front (the usual case: articles
    /// leave oldest first), else at the next compaction.
    postings: IntMap<u64, VecDeque<(u64, f32)>>,
    /// Entries of evicted articles still in `postings`.
    stale: usize,
    bands: simhash::BandIndex,
    since_checkpoint: u64,
    window: i64,
    retain: i64,
    /// Bytes the window's articles take ([`Article::bytes`]).
    bytes: usize,
    /// Most articles the window holds.
    max_articles: usize,
    /// Most bytes the window's articles take.
    max_bytes: usize,
}

/// What `observe` extracts from a record before taking the lock.
struct Features {
    fingerprint: u64,
    near: bool,
    /// Term hash → (count, weight factor, surface form).
    counts: IntMap<u64, (f32, f32, String)>,
    time: Option<i64>,
}

impl Across {
    /// Opens (or creates) the state database at `path` (the runner passes
    /// `STATE_DIR/stories-COMPONENT.db`, see [`store_path`]) and loads the
    /// live window. `config` must be valid ([`StoryConfig::validate`]).
    pub fn open(path: &Path, config: &StoryConfig) -> Result<Across, StoriesError> {
        config
            .validate()
            .map_err(|(key, message)| StoriesError::State {
                path: path.to_path_buf(),
                message: format!("{key}: {message}"),
            })?;
        let path = path.to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoriesError::io(dir, e))?;
        }
        let store = Store::open(&path)?;
        let freq = store.frequencies()?;
        let (next_seq, clock) = store.extent()?;
        let window = i64::try_from(config.window_hours)
            .unwrap_or(i64::MAX / 7200)
            .saturating_mul(3600);
        let retain = i64::try_from(config.retain_days)
            .unwrap_or(i64::MAX / 172_800)
            .saturating_mul(86_400)
            .max(window);
        let mut inner = Inner {
            store,
            freq,
            next_seq,
            clock,
            articles: IntMap::default(),
            by_time: BTreeSet::new(),
            postings: IntMap::default(),
            stale: 0,
            bands: simhash::BandIndex::default(),
            since_checkpoint: 0,
            window,
            retain,
            bytes: 0,
            max_articles: config.max_window_articles,
            max_bytes: usize::try_from(config.max_window_mib.saturating_mul(1 << 20))
                .unwrap_or(usize::MAX),
        };
        if let Some(clock) = clock {
            inner.load_window(clock.saturating_sub(window), config)?;
        }
        let window_len = std::sync::atomic::AtomicUsize::new(inner.articles.len());
        Ok(Across {
            config: config.clone(),
            path,
            inner: Mutex::new(inner),
            window_len,
        })
    }

    /// How many articles the in-memory window holds.
    pub fn window_len(&self) -> usize {
        self.window_len.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sets `fingerprint`, `duplicate_of`, `story` and `keywords` of a record
    /// whose entities are already found.
    pub fn observe(&self, record: &mut Record) -> Result<(), StoriesError> {
        let features = self.features(record);
        let mut inner = self.inner.lock().map_err(|_| StoriesError::State {
            path: self.path.clone(),
            message: "a worker panicked while holding the story state".into(),
        })?;
        let outcome = match inner.store.outcome(&record.id)? {
            Some(outcome) => outcome,
            None => inner.decide(&self.config, &record.id, features)?,
        };
        self.window_len
            .store(inner.articles.len(), std::sync::atomic::Ordering::Relaxed);
        record.fingerprint = Some(format!("{:016x}", outcome.fingerprint));
        record.duplicate_of = outcome.duplicate_of;
        record.story = Some(outcome.story);
        record.keywords = outcome.keywords;
        Ok(())
    }

    /// Everything that needs no shared state: fingerprint, term counts, time.
    fn features(&self, record: &Record) -> Features {
        let body = record.body();
        let mut counts: IntMap<u64, (f32, f32, String)> = IntMap::default();
        // One pass over the body's tokens gives the fingerprint's words
        // and the term counts.
        let mut words: Vec<u64> = Vec::new();
        let mut add_text = |text: &str, weight: f32, mut words: Option<&mut Vec<u64>>| {
            terms::for_each_token(text, |token| {
                if let Some(words) = words.as_deref_mut() {
                    words.push(terms::word_hash(token));
                }
                if let Some(word) = terms::content_word(token) {
                    counts
                        .entry(terms::word_hash(&word))
                        .or_insert_with(|| (0.0, 1.0, token.to_string()))
                        .0 += weight;
                }
            });
        };
        add_text(&body, 1.0, Some(&mut words));
        if let Some(title) = &record.title {
            add_text(title, self.config.title_weight, None);
        }
        let (fingerprint, shingles) = simhash::simhash_of_words(&words);
        for entity in &record.entities {
            if entity.name.trim().is_empty() || entity.mentions.is_empty() {
                continue;
            }
            let entry = counts
                .entry(terms::entity_hash(&entity.name))
                .or_insert_with(|| (0.0, self.config.entity_weight, entity.name.clone()));
            entry.0 += entity.mentions.len() as f32;
        }
        let time = record
            .published
            .as_deref()
            .and_then(parse_time)
            .or_else(|| parse_time(&record.source.received_at));
        Features {
            fingerprint,
            near: shingles >= simhash::MIN_SHINGLES,
            counts,
            time,
        }
    }
}

impl Inner {
    /// Decides and stores the outcome of a new article.
    fn decide(
        &mut self,
        config: &StoryConfig,
        id: &str,
        features: Features,
    ) -> Result<Outcome, StoriesError> {
        let time = features.time.unwrap_or_else(now);
        let docs = self.freq.docs as f32;
        let mut weighted: Vec<(u64, f32, &str)> = features
            .counts
            .iter()
            .map(|(&term, (count, factor, surface))| {
                let df = self.freq.df.get(&term).copied().unwrap_or(0) as f32;
                let idf = ((docs + 1.0) / (df + 1.0)).ln() + 1.0;
                (term, (1.0 + count.ln()) * idf * factor, surface.as_str())
            })
            .collect();
        let norm = weighted.iter().map(|w| w.1 * w.1).sum::<f32>().sqrt();
        if norm > 0.0 {
            for w in &mut weighted {
                w.1 /= norm;
            }
        }
        weighted.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let keywords = keywords(&weighted, config.keywords);
        let mut vector: Vec<(u64, f32)> = weighted.iter().map(|w| (w.0, w.1)).collect();
        let query: Vec<(u64, f32)> = vector.iter().take(QUERY_TERMS).copied().collect();
        let index_terms: Vec<u64> = vector.iter().take(INDEX_TERMS).map(|w| w.0).collect();
        vector.sort_unstable_by_key(|w| w.0);

        let copy = if features.near {
            self.bands
                .near(features.fingerprint, config.duplicate_distance)
                .into_iter()
                .filter_map(|(_, slot)| self.articles.get(&slot))
                .find(|a| a.near && (a.time - time).abs() <= self.window)
        } else {
            None
        };
        let (duplicate_of, root, story) = match copy {
            Some(original) => (
                Some(original.root.clone()),
                original.root.clone(),
                original.story.clone(),
            ),
            None => {
                let story = self
                    .closest_story(&query, &vector, time, config.similarity)
                    .unwrap_or_else(|| Arc::from(id));
                (None, id.to_string(), story)
            }
        };
        let outcome = Outcome {
            fingerprint: features.fingerprint,
            near: features.near,
            duplicate_of,
            story: story.to_string(),
            keywords,
        };
        let seq = self.next_seq;
        self.store.insert(seq, id, time, &outcome, &vector)?;
        self.next_seq += 1;
        self.freq.add(&vector);
        self.add(
            seq,
            Article {
                time,
                fingerprint: features.fingerprint,
                near: features.near,
                root,
                story,
                index_terms,
                vector: trimmed(&vector, config.vector_terms),
            },
        );
        self.clock = Some(self.clock.map_or(time, |c| c.max(time)));
        self.evict();
        self.since_checkpoint += 1;
        if self.since_checkpoint >= CHECKPOINT_EVERY {
            self.checkpoint()?;
        }
        Ok(outcome)
    }

    /// The story of the most similar article in the window, when similar
    /// enough.
    fn closest_story(
        &self,
        query: &[(u64, f32)],
        vector: &[(u64, f32)],
        time: i64,
        threshold: f32,
    ) -> Option<Arc<str>> {
        let mut partial: IntMap<u64, f32> = IntMap::default();
        let mut budget = POSTING_BUDGET;
        for &(term, weight) in query {
            if let Some(list) = self.postings.get(&term)
                && list.len() <= MAX_POSTING.min(budget)
            {
                budget -= list.len();
                for &(slot, w) in list {
                    *partial.entry(slot).or_insert(0.0) += weight * w;
                }
            }
        }
        let mut ranked: Vec<(u64, f32)> = partial.into_iter().collect();
        let order = |a: &(u64, f32), b: &(u64, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > CANDIDATES {
            ranked.select_nth_unstable_by(CANDIDATES, order);
            ranked.truncate(CANDIDATES);
        }
        ranked.sort_unstable_by(order);
        let mut best: Option<(f32, u64)> = None;
        for &(slot, _) in ranked.iter().take(CANDIDATES) {
            let Some(article) = self.articles.get(&slot) else {
                continue;
            };
            if (article.time - time).abs() > self.window {
                continue;
            }
            let sim = cosine(vector, &article.vector);
            if sim >= threshold && best.is_none_or(|(s, b)| sim > s || (sim == s && slot < b)) {
                best = Some((sim, slot));
            }
        }
        best.and_then(|(_, slot)| self.articles.get(&slot))
            .map(|a| a.story.clone())
    }

    /// Puts an article in the window's indexes.
    /// Loads the newest stored articles since `since` that fit the window's
    /// bounds (articles and bytes), reading newest first and stopping when
    /// the next would not fit: a restart never holds more than the window.
    fn load_window(&mut self, since: i64, config: &StoryConfig) -> Result<(), StoriesError> {
        let mut kept: Vec<(u64, Article)> = Vec::new();
        let mut bytes = 0;
        let max_bytes = self.max_bytes;
        self.store
            .window_newest_first(since, self.max_articles, |stored| {
                let root = stored
                    .outcome
                    .duplicate_of
                    .clone()
                    .unwrap_or_else(|| stored.id.clone());
                let article = Article {
                    index_terms: top_terms(&stored.vector, INDEX_TERMS),
                    time: stored.time,
                    fingerprint: stored.outcome.fingerprint,
                    near: stored.outcome.near,
                    root,
                    story: Arc::from(stored.outcome.story.as_str()),
                    vector: trimmed(&stored.vector, config.vector_terms),
                };
                bytes += article.bytes();
                if bytes > max_bytes {
                    return false;
                }
                kept.push((stored.seq, article));
                true
            })?;
        for (seq, article) in kept.into_iter().rev() {
            self.add(seq, article);
        }
        self.evict();
        Ok(())
    }

    fn add(&mut self, seq: u64, article: Article) {
        if article.near {
            self.bands.insert(article.fingerprint, seq);
        }
        for &term in &article.index_terms {
            let weight = article
                .vector
                .binary_search_by_key(&term, |w| w.0)
                .map_or(0.0, |at| article.vector[at].1);
            self.postings
                .entry(term)
                .or_default()
                .push_back((seq, weight));
        }
        self.by_time.insert((article.time, seq));
        self.bytes += article.bytes();
        self.articles.insert(seq, article);
    }

    /// Drops the articles that fell out of the window: older than the
    /// window's hours behind the newest, or the oldest past its article and
    /// byte bounds.
    fn evict(&mut self) {
        let horizon = self
            .clock
            .map_or(i64::MIN, |c| c.saturating_sub(self.window));
        while let Some(&(time, seq)) = self.by_time.first() {
            let over = self.articles.len() > self.max_articles || self.bytes > self.max_bytes;
            if time >= horizon && !over {
                break;
            }
            self.by_time.pop_first();
            let Some(article) = self.articles.remove(&seq) else {
                continue;
            };
            self.bytes = self.bytes.saturating_sub(article.bytes());
            if article.near {
                self.bands.remove(article.fingerprint, seq);
            }
            let articles = &self.articles;
            for term in &article.index_terms {
                let Some(list) = self.postings.get_mut(term) else {
                    continue;
                };
                if list.front().is_some_and(|&(s, _)| s == seq) {
                    while list.front().is_some_and(|(s, _)| !articles.contains_key(s)) {
                        list.pop_front();
                    }
                } else {
                    self.stale += 1;
                }
                if list.is_empty() {
                    self.postings.remove(term);
                }
            }
        }
        if self.stale > self.articles.len().max(1024) {
            self.compact();
        }
    }

    /// Drops every posting entry of an evicted article.
    fn compact(&mut self) {
        let articles = &self.articles;
        self.postings.retain(|_, list| {
            list.retain(|(s, _)| articles.contains_key(s));
            !list.is_empty()
        });
        self.stale = 0;
    }

    fn checkpoint(&mut self) -> Result<(), StoriesError> {
        let forget_before = self.clock.unwrap_or(0).saturating_sub(self.retain);
        let last = self.next_seq.checked_sub(1);
        self.store.checkpoint(&self.freq, last, forget_before)?;
        self.since_checkpoint = 0;
        Ok(())
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.since_checkpoint > 0 {
            // Best effort: without it the next open replays these articles.
            let _ = self.checkpoint();
        }
    }
}

/// The `n` highest-weighted terms of a vector.
fn top_terms(vector: &[(u64, f32)], n: usize) -> Vec<u64> {
    let mut sorted = vector.to_vec();
    sorted.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    // Not `into_iter().…collect()`: that reuses the sorted copy's
    // allocation in place, twice the vector's length in `u64`s, for a list
    // of `n` (a restarted window held half the articles it should).
    let mut terms = Vec::with_capacity(n.min(sorted.len()));
    terms.extend(sorted.iter().take(n).map(|w| w.0));
    terms
}

/// Dot product of two unit vectors sorted by term.
fn cosine(a: &[(u64, f32)], b: &[(u64, f32)]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// The `n` best keywords from terms sorted by weight, skipping a term whose
/// words an earlier keyword already covers (`starmer` after `Keir Starmer`).
fn keywords(weighted: &[(u64, f32, &str)], n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut covered: HashSet<String> = HashSet::new();
    for &(_, _, surface) in weighted {
        if out.len() >= n {
            break;
        }
        let mut words = Vec::new();
        terms::for_each_token(surface, |t| words.push(terms::stem(t).into_owned()));
        if words.is_empty() || words.iter().all(|w| covered.contains(w)) {
            continue;
        }
        covered.extend(words);
        out.push(surface.to_string());
    }
    out
}

/// Seconds since the epoch now.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Seconds since the epoch of `YYYY-MM-DD` (midnight UTC) or an RFC 3339
/// time (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`); `None` when it is neither.
fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = text.get(from..from + len)?;
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut secs = days_from_civil(year, month as u32, day as u32) * 86_400;
    if bytes.len() == 10 {
        return Some(secs);
    }
    if !matches!(bytes[10], b'T' | b't' | b' ') || bytes.len() < 19 {
        return None;
    }
    secs += num(11, 2)? * 3600 + num(14, 2)? * 60 + num(17, 2)?;
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    match rest.as_bytes().first() {
        None | Some(b'Z' | b'z') => Some(secs),
        Some(&sign @ (b'+' | b'-')) => {
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(4..6)?.parse().ok()?;
            let offset = hours * 3600 + minutes * 60;
            Some(if sign == b'+' {
                secs - offset
            } else {
                secs + offset
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;

/// Every word list in `data/` parses, documents itself and lists no entry
/// twice.
#[cfg(test)]
mod data_files_tests {
    #[test]
    fn every_data_file_parses_without_duplicates() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let checked = wirehose_text::lists::check_data_dir(&dir).unwrap();
        assert!(checked > 0);
    }
}
