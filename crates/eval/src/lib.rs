//! Scoring wirehose on public data sets, for `wirehose eval …`: named
//! entities on CoNLL-style files ([`ner`]), direct quotes and speakers on
//! PolNeAR ([`quotes`]), story clustering on Multi-News ([`stories`]) and
//! normalize + extract on real wire and web copy with the publishers' own
//! metadata ([`copy`]).
//!
//! Every evaluation drives the real stages (the `extract` and `stories`
//! transforms, the tagger) on the data, so the figures are the daemon's. No
//! library crate depends on this one; only the `cli` binary does.
//!
//! Main entry points: [`ner::evaluate`] → [`ner::NerReport`],
//! [`quotes::evaluate`] → [`quotes::QuoteScores`], [`stories::evaluate`] →
//! [`stories::StoryScores`], [`copy::evaluate`] → [`copy::CopyScores`]; each
//! report prints itself with `Display`.
//!
//! # Example
//!
//! ```no_run
//! use std::path::Path;
//! let extract: wirehose_extract::ExtractConfig = serde_json::from_str("{}").unwrap();
//! let scores = wirehose_eval::quotes::evaluate(Path::new("../shared/data/polnear/dev"), &extract)?;
//! println!("{scores}");
//! # Ok::<(), wirehose_eval::EvalError>(())
//! ```

#![deny(missing_docs)]

pub mod copy;
mod error;
pub mod html;
pub mod ner;
pub mod quotes;
pub mod stories;

pub use error::EvalError;
