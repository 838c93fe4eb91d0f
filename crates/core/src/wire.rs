//! The NATS message contract, written once for the NATS sink that publishes
//! articles and the NATS source that consumes them.
//!
//! A message carries one article: its payload is either the raw input bytes
//! ([`Payload::Raw`], the edge of a scale-out layout, before normalize) or the
//! record as JSON ([`Payload::Record`]). Its headers carry the article id as
//! [`HEADER_MSG_ID`] (JetStream drops re-sent duplicates by it), the input path
//! and the receive time, so a raw message becomes the same record on the other
//! side. The contract uses plain types; the stage crates map it onto their
//! NATS client.
//!
//! ```
//! use wirehose_core::Record;
//! use wirehose_core::wire::{self, Payload};
//!
//! let record = Record::from_raw(b"LONDON - text".to_vec(), Default::default());
//! let headers = wire::headers(&record);
//! let bytes = wire::encode(&record, Payload::Raw).unwrap();
//! let lookup = |name: &str| {
//!     headers.iter().find(|(key, _)| *key == name).map(|(_, value)| value.clone())
//! };
//! let decoded = wire::decode(Payload::Raw, lookup, &bytes, "articles.raw").unwrap();
//! assert_eq!(decoded.id, record.id);
//! ```

use serde::{Deserialize, Serialize};

use crate::now_rfc3339;
use crate::record::{Record, SourceInfo};

/// Header carrying the article id; JetStream deduplicates by it.
pub const HEADER_MSG_ID: &str = "Nats-Msg-Id";
/// Header carrying the input path.
pub const HEADER_PATH: &str = "Wirehose-Path";
/// Header carrying the time the input was received, RFC 3339 UTC.
pub const HEADER_RECEIVED_AT: &str = "Wirehose-Received-At";

/// What a message carries (`payload = "raw"` or `"record"` in both NATS stages).
///
/// There is no default here: the sink defaults to `record`, the source to `raw`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    /// The raw input bytes, normalized by the consumer.
    Raw,
    /// The record as JSON (already normalized and extracted upstream).
    Record,
}

/// Returns the headers of the message that carries `record`: the article id,
/// the input path and the receive time.
pub fn headers(record: &Record) -> Vec<(&'static str, String)> {
    vec![
        (HEADER_MSG_ID, record.id.clone()),
        (
            HEADER_PATH,
            record.source.path.to_string_lossy().into_owned(),
        ),
        (HEADER_RECEIVED_AT, record.source.received_at.clone()),
    ]
}

/// Returns the payload of the message that carries `record`, or why it cannot
/// be sent (a raw payload needs the raw bytes, which normalize consumes).
pub fn encode(record: &Record, payload: Payload) -> Result<Vec<u8>, String> {
    match payload {
        Payload::Record => {
            serde_json::to_vec(record).map_err(|e| format!("cannot encode record: {e}"))
        }
        Payload::Raw => match &record.raw {
            Some(raw) => Ok(raw.to_vec()),
            None => Err(
                "record has no raw bytes: put a `payload = \"raw\"` nats sink before normalize"
                    .into(),
            ),
        },
    }
}

/// Returns the record a message carries, or why it cannot be read.
///
/// `header` looks a header up by name. A raw message without the path header
/// takes `subject` as its path, one without the receive time is received now,
/// and one without a message id keeps the id computed from its bytes.
pub fn decode(
    payload: Payload,
    header: impl Fn(&str) -> Option<String>,
    bytes: &[u8],
    subject: &str,
) -> Result<Record, String> {
    match payload {
        Payload::Raw => {
            let mut record = Record::from_raw(
                bytes.to_vec(),
                SourceInfo {
                    path: header(HEADER_PATH)
                        .unwrap_or_else(|| subject.to_string())
                        .into(),
                    bytes: bytes.len() as u64,
                    received_at: header(HEADER_RECEIVED_AT).unwrap_or_else(now_rfc3339),
                },
            );
            if let Some(id) = header(HEADER_MSG_ID).filter(|id| !id.is_empty()) {
                record.id = id;
            }
            Ok(record)
        }
        Payload::Record => {
            serde_json::from_slice(bytes).map_err(|e| format!("message is not a record: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(headers: &'a [(&'static str, String)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            headers
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.clone())
        }
    }

    fn raw_record() -> Record {
        Record::from_raw(
            b"PARIS (AFP) - Words.".to_vec(),
            SourceInfo {
                path: "inbox/a.txt".into(),
                bytes: 20,
                received_at: "2024-05-01T10:00:00.000Z".into(),
            },
        )
    }

    #[test]
    fn raw_round_trip_keeps_id_path_and_time() {
        let record = raw_record();
        let headers = headers(&record);
        let bytes = encode(&record, Payload::Raw).unwrap();
        assert_eq!(bytes, b"PARIS (AFP) - Words.");
        let decoded = decode(Payload::Raw, lookup(&headers), &bytes, "articles.raw").unwrap();
        assert_eq!(decoded.id, record.id);
        assert_eq!(decoded.source, record.source);
        assert_eq!(decoded.raw.as_deref(), Some(&bytes[..]));
    }

    #[test]
    fn record_round_trip() {
        let mut record = raw_record();
        record.raw = None;
        record.title = Some("Words".into());
        record.paragraphs = vec!["Words.".into()];
        let bytes = encode(&record, Payload::Record).unwrap();
        let decoded = decode(Payload::Record, |_| None, &bytes, "articles.en").unwrap();
        assert_eq!(decoded, record);
    }

    #[test]
    fn raw_without_raw_bytes_is_refused() {
        let mut record = raw_record();
        record.raw = None;
        let err = encode(&record, Payload::Raw).unwrap_err();
        assert!(err.contains("before normalize"), "{err}");
    }

    #[test]
    fn raw_without_headers_uses_subject_and_content_id() {
        let bytes = b"text";
        let decoded = decode(Payload::Raw, |_| None, bytes, "articles.raw").unwrap();
        assert_eq!(decoded.id, crate::article_id(bytes));
        assert_eq!(
            decoded.source.path,
            std::path::PathBuf::from("articles.raw")
        );
        assert_eq!(decoded.source.bytes, 4);
        assert!(!decoded.source.received_at.is_empty());
    }

    #[test]
    fn empty_message_id_keeps_content_id() {
        let headers = vec![(HEADER_MSG_ID, String::new())];
        let decoded = decode(Payload::Raw, lookup(&headers), b"text", "s").unwrap();
        assert_eq!(decoded.id, crate::article_id(b"text"));
    }

    #[test]
    fn a_payload_that_is_not_a_record_is_refused() {
        let err = decode(Payload::Record, |_| None, b"plain text", "s").unwrap_err();
        assert!(err.starts_with("message is not a record"), "{err}");
    }

    #[test]
    fn payload_names() {
        #[derive(Deserialize)]
        struct Holder {
            payload: Payload,
        }
        let raw: Holder = toml::from_str("payload = \"raw\"").unwrap();
        assert_eq!(raw.payload, Payload::Raw);
        let record: Holder = toml::from_str("payload = \"record\"").unwrap();
        assert_eq!(record.payload, Payload::Record);
        assert!(toml::from_str::<Holder>("payload = \"json\"").is_err());
    }
}
