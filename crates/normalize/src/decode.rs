//! Decoding raw article bytes to text.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// What is wrong, lowercase.
    pub reason: String,
    /// What the user can do.
    pub hint: String,
}

/// Text decoded from bytes, with the encoding it was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// The encoding's WHATWG name (`UTF-8`, `windows-1252`, `UTF-16LE`).
    pub encoding: &'static str,
}

const MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (or an office document)"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"\x7FELF", "an executable"),
    (b"\xD0\xCF\x11\xE0", "an old Microsoft Office document"),
];

fn binary(reason: String) -> DecodeError {
    DecodeError {
        reason,
        hint: "wirehose takes plain-text articles; convert the file to text first".into(),
    }
}

/// Guesses UTF-16 without a BOM from the share of zero bytes at even or odd offsets.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_zero = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    if odd_zero * 10 >= pairs * 7 && even_zero * 20 <= pairs {
        Some(UTF_16LE)
    } else if even_zero * 10 >= pairs * 7 && odd_zero * 20 <= pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

fn finish(
    text: std::borrow::Cow<'_, str>,
    encoding: &'static Encoding,
) -> Result<Decoded, DecodeError> {
    let total = text.chars().count().max(1);
    let replaced = text.chars().filter(|c| *c == '\u{FFFD}').count();
    if replaced * 100 > total {
        return Err(DecodeError {
            reason: format!(
                "text does not decode as {}: {replaced} invalid sequences",
                encoding.name()
            ),
            hint: "save the file as UTF-8".into(),
        });
    }
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}'))
        .count();
    if controls * 20 > total {
        return Err(binary(format!(
            "content looks binary: {controls} control characters"
        )));
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
    })
}

/// Decodes `bytes`: BOM first (UTF-8, UTF-16LE/BE), then UTF-16 without BOM,
/// then strict UTF-8, then the legacy encoding chardetng detects. Binary data
/// (known file signatures, NUL bytes, control characters) is refused.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        if had_errors && encoding == UTF_8 {
            return finish(text, encoding);
        }
        return finish(text, encoding);
    }
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            return Err(binary(format!("file is {what}, not text")));
        }
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return finish(text, encoding);
    }
    if bytes.contains(&0) {
        return Err(binary("content looks binary: it contains NUL bytes".into()));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return finish(std::borrow::Cow::Borrowed(text), UTF_8);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    finish(text, encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("héllo".as_bytes()).unwrap().text, "héllo");
        assert_eq!(decode(b"\xEF\xBB\xBFh\xC3\xA9llo").unwrap().text, "héllo");
    }

    #[test]
    fn utf16_with_bom_and_without() {
        let mut le = vec![0xFF, 0xFE];
        for unit in "Kerry said “yes”.".encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&le).unwrap().text, "Kerry said “yes”.");
        let mut be = Vec::new();
        for unit in "Moscow talks on Syria".encode_utf16() {
            be.extend_from_slice(&unit.to_be_bytes());
        }
        let decoded = decode(&be).unwrap();
        assert_eq!(decoded.text, "Moscow talks on Syria");
        assert_eq!(decoded.encoding, "UTF-16BE");
    }

    #[test]
    fn latin1_is_detected() {
        let bytes = b"Le pr\xE9sident fran\xE7ais a d\xE9clar\xE9 que la r\xE9union \xE9tait tr\xE8s productive.";
        let decoded = decode(bytes).unwrap();
        assert!(
            decoded.text.contains("président français"),
            "{}",
            decoded.text
        );
    }

    #[test]
    fn binary_is_refused() {
        assert!(
            decode(b"%PDF-1.7 stuff")
                .unwrap_err()
                .reason
                .contains("PDF")
        );
        assert!(
            decode(b"abc\0\x01\x02def\0\0\x05")
                .unwrap_err()
                .reason
                .contains("binary")
        );
    }
}
