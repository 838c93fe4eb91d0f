//! What several wirehose crates need about text, written once.
//!
//! - [`hash`]: FNV-1a and splitmix64 hashing, a map hasher for integer keys
//!   and a seeded PRNG. The NER model's feature rows are these hashes, so this
//!   module must stay byte for byte what it is, or the `ner-LANG.bin` models no longer load
//!   right.
//! - [`chars`]: [`CharIndex`], byte offsets to code-point offsets (every
//!   offset in a record counts code points).
//! - [`calendar`]: month and weekday names and Gregorian day arithmetic.
//! - [`lists`]: word lists in data files (`data/` of a crate): the format,
//!   parsed once, and a check for tests.
//!
//! This crate depends on no other wirehose crate.
//!
//! # Example
//!
//! ```
//! use wirehose_text::{CharIndex, calendar, hash};
//! let text = "“Yes,” she said.";
//! let index = CharIndex::new(text);
//! assert_eq!(index.chars(text.find("she").unwrap()), 7);
//! assert_eq!(calendar::month_number("Feb."), Some(2));
//! assert_eq!(hash::hash64(b"wire"), hash::hash64(b"wire"));
//! ```

#![deny(missing_docs)]

pub mod calendar;
pub mod chars;
pub mod hash;
pub mod lists;

pub use chars::CharIndex;
