//! Scoring the extract stage on public data sets: named entities on CoNLL-2003
//! ([`ner`]), direct quotes and speakers on PolNeAR ([`quotes`]) and story
//! clustering on Multi-News ([`stories`]).

pub mod quotes;
pub mod stories;
