//! The normalize transform of wirehose (`type = "normalize"`).
//!
//! Turns raw bytes into clean paragraphs:
//! - [`html`]: a web page (by name or content) gives its main text
//!   (rs-trafilatura) and its own metadata ([`html::PageMeta`]: title,
//!   authors, dates, URL, site, …); a page without an article is refused;
//! - [`decode`]: UTF-8 (with or without BOM), UTF-16 and UTF-32 (BOM or
//!   detected), otherwise the encoding detected by chardetng (Latin code
//!   pages checked for plausible text); binary input is refused;
//! - Unicode NFC, line endings, invisible characters and whitespace;
//! - paragraphs (blank-line blocks, or lines when the text has no blank
//!   lines; indented lines start paragraphs in wire copy);
//! - a date line in the header block becomes `published`; a first short
//!   paragraph that reads as a headline becomes `title`; a byline becomes
//!   `authors`;
//! - boilerplate is dropped (share buttons, ads, image captions, generated-story
//!   disclaimers, agency credits, related-link trailers, stray trailing words,
//!   repeated paragraphs) and listed in `removed` with its reason.
//!
//! # Example
//!
//! ```
//! use wirehose_core::{Record, SourceInfo, Transform};
//! let config: wirehose_normalize::NormalizeConfig = toml::from_str("").unwrap();
//! let mut normalize = wirehose_normalize::Normalize::new(&config).unwrap();
//! let raw = "Big News Today\n\nShare\n\nSomething happened on Friday.\n".as_bytes().to_vec();
//! let mut out = Vec::new();
//! normalize.process(Record::from_raw(raw, SourceInfo::default()), &mut out).unwrap();
//! assert_eq!(out[0].title.as_deref(), Some("Big News Today"));
//! assert_eq!(out[0].paragraphs, vec!["Something happened on Friday."]);
//! ```

#![deny(missing_docs)]

mod byline;
mod clean;
pub mod decode;
pub(crate) mod header_date;
pub mod html;
mod lists;
mod normalize;

pub use decode::decode;
pub use normalize::{Normalize, NormalizeConfig};

/// Registers every transform type of this crate.
pub fn register(registry: &mut wirehose_core::Registry) {
    registry.register_transform::<NormalizeConfig>(
        "normalize",
        "decode, clean, strip boilerplate; title, byline and date; HTML main text and metadata",
    );
}
