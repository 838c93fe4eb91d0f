//! The article record that flows through the pipeline.
//!
//! All character offsets (`start`, `end` in [`Mention`] and [`Quote`]) are
//! **Unicode scalar value (code point) offsets, end exclusive, into the body
//! text**: the string obtained by joining [`Record::paragraphs`] with `"\n\n"`.
//! The title is not part of the body text. Code-point offsets are what Python's
//! `str` slicing and most JSON consumers expect.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Separator placed between paragraphs to form the body text that offsets point into.
pub const PARAGRAPH_SEPARATOR: &str = "\n\n";

/// Content-derived identifier of an article: the first 128 bits of the BLAKE3
/// hash of the raw file bytes, as 32 lowercase hex digits.
pub fn article_id(bytes: &[u8]) -> String {
    let hash = blake3::hash(bytes);
    let mut out = String::with_capacity(32);
    for byte in &hash.as_bytes()[..16] {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// One news article, as written by the sinks (one JSON object).
///
/// Field names are stable: downstream users depend on them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// Content hash of the raw input (see [`article_id`]).
    pub id: String,
    /// Where the article came from.
    pub source: SourceInfo,
    /// Headline, when the text has one.
    pub title: Option<String>,
    /// Publication date, ISO 8601 (`YYYY-MM-DD`), when known.
    pub published: Option<String>,
    /// Publication time, RFC 3339 (`1987-02-26T15:17:11Z`), when the text
    /// gives a time: UTC (`Z`) or with its offset when the date line names a
    /// zone, else local time as written, without an offset.
    #[serde(default)]
    pub published_at: Option<String>,
    /// The people who wrote it, from a byline (`By John Smith and Jane
    /// Doe`), in the order given; empty when the text has none.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Last modification time as the page gives it (RFC 3339), for web pages.
    #[serde(default)]
    pub modified_at: Option<String>,
    /// The article's canonical URL, from a web page (`<link rel=canonical>`,
    /// `og:url`).
    #[serde(default)]
    pub url: Option<String>,
    /// The site that published it (`og:site_name`, the JSON-LD publisher).
    #[serde(default)]
    pub site: Option<String>,
    /// The page's own summary (`og:description`, `<meta name=description>`).
    #[serde(default)]
    pub description: Option<String>,
    /// The section the page files it under (`article:section`).
    #[serde(default)]
    pub section: Option<String>,
    /// The page's tags and keywords (`article:tag`, `keywords`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The dateline that opens the story (`LONDON (Reuters) -`), when present.
    pub dateline: Option<Dateline>,
    /// Wire agencies named as a source of the story (`AFP`, `Reuters`, …).
    pub agencies: Vec<String>,
    /// ISO 639-1 language code of the body, when detected with confidence.
    pub language: Option<String>,
    /// The clean body text, one string per paragraph.
    pub paragraphs: Vec<String>,
    /// Named entities found in the body.
    pub entities: Vec<Entity>,
    /// Direct quotes found in the body.
    pub quotes: Vec<Quote>,
    /// Boilerplate dropped by normalization, so a user can check what went.
    pub removed: Vec<Removed>,
    /// Dates mentioned in the body, resolved to ISO values where possible.
    #[serde(default)]
    pub dates: Vec<DateMention>,
    /// Numbers with what they count (`370,000 people`, `10 hours`).
    #[serde(default)]
    pub amounts: Vec<Amount>,
    /// Key words and phrases of the article, most salient first.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// 64-bit SimHash of the body as 16 lowercase hex digits, for
    /// near-duplicate detection.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// Id of an earlier article this one is a near-copy of.
    pub duplicate_of: Option<String>,
    /// Id of the story (group of articles reporting the same events) this
    /// article belongs to; `null` until story detection assigns one.
    pub story: Option<String>,
    /// What stages that are not built in add (an `exec` program, a `remap`
    /// program): field name → any JSON value. Empty unless such a stage ran.
    #[serde(default)]
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// The undecoded input bytes; consumed by normalization, never serialized.
    #[serde(skip)]
    pub raw: Option<Arc<[u8]>>,
}

impl Record {
    /// Returns a record for freshly read raw bytes: the id is computed and the
    /// text fields are empty until normalization fills them.
    pub fn from_raw(bytes: Vec<u8>, source: SourceInfo) -> Record {
        Record {
            id: article_id(&bytes),
            source,
            raw: Some(Arc::from(bytes)),
            ..Record::default()
        }
    }

    /// Returns the body text that all offsets point into.
    pub fn body(&self) -> String {
        self.paragraphs.join(PARAGRAPH_SEPARATOR)
    }
}

/// Origin of an article.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SourceInfo {
    /// Path of the input file (or the message subject for message sources).
    pub path: PathBuf,
    /// Size of the raw input in bytes.
    pub bytes: u64,
    /// When wirehose read the input, RFC 3339 UTC.
    pub received_at: String,
}

/// A story's dateline.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Dateline {
    /// The place as written, title-cased (`Sochi`, `Geneva`).
    pub place: String,
    /// The country: as the dateline names it (`Sochi (Russia)`), else from
    /// its region (`PORTLAND, Ore.` → `United States`) or its place in the
    /// GeoNames table (`GENEVA` → `Switzerland`).
    pub country: Option<String>,
    /// The date when the dateline gives one: `YYYY-MM-DD` when the year is
    /// known, `--MM-DD` (ISO 8601 without year) otherwise.
    pub date: Option<String>,
}

/// A named entity and where it is mentioned.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Entity {
    /// The entity's name (canonical name where known).
    pub name: String,
    /// `PER`, `ORG`, `LOC` or `MISC`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Every mention in the body text.
    pub mentions: Vec<Mention>,
    /// Where a place is, from the GeoNames gazetteer; only for `LOC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<Geo>,
}

/// Coordinates and country of a place (from GeoNames, geonames.org, CC BY 4.0).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Geo {
    /// ISO 3166-1 alpha-2 country code (`RU`).
    pub country: String,
    /// Latitude in decimal degrees (WGS84).
    pub lat: f64,
    /// Longitude in decimal degrees (WGS84).
    pub lon: f64,
    /// The GeoNames id of the place (the country's id for a country).
    pub geonames_id: u64,
}

/// A date mentioned in the body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DateMention {
    /// The words as written (`on Friday`, `May 15`, `last month`).
    pub text: String,
    /// ISO 8601 value: `YYYY-MM-DD`, `YYYY-Www` (a week), `YYYY-MM` or `YYYY`;
    /// `--MM-DD` when the year is unknown; `null` when a relative date has nothing to resolve
    /// against.
    pub value: Option<String>,
    /// Code-point offset of the first character in the body text.
    pub start: usize,
    /// Code-point offset one past the last character.
    pub end: usize,
}

/// A number with what it counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Amount {
    /// The words as written (`370,000 people`, `a half-million people`).
    pub text: String,
    /// The number (`370000`, `500000`, `10`).
    pub value: f64,
    /// What is counted (`people`, `hours`, `USD`, `percent`).
    pub unit: String,
    /// Code-point offset of the first character in the body text.
    pub start: usize,
    /// Code-point offset one past the last character.
    pub end: usize,
}

/// One mention of an entity.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Mention {
    /// Code-point offset of the first character in the body text.
    pub start: usize,
    /// Code-point offset one past the last character.
    pub end: usize,
    /// The mention as written.
    pub text: String,
}

/// A direct quote.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Quote {
    /// The quoted words, without the quotation marks.
    pub text: String,
    /// Who said it, when found.
    pub speaker: Option<String>,
    /// The reporting verb (`said`, `told`), when found.
    pub cue: Option<String>,
    /// Code-point offset of the first quoted character in the body text.
    pub start: usize,
    /// Code-point offset one past the last quoted character.
    pub end: usize,
}

/// A piece of text dropped as boilerplate.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Removed {
    /// The dropped text.
    pub text: String,
    /// Why it went (`share_button`, `repeated_paragraph`, `related_links`, …).
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_stable_and_content_derived() {
        let a = article_id(b"hello");
        assert_eq!(a.len(), 32);
        assert_eq!(a, article_id(b"hello"));
        assert_ne!(a, article_id(b"hello!"));
    }

    #[test]
    fn raw_is_not_serialized() {
        let record = Record::from_raw(b"x".to_vec(), SourceInfo::default());
        let json = serde_json::to_string(&record).unwrap();
        assert!(!json.contains("raw"));
        assert!(json.starts_with("{\"id\":"));
    }
}
