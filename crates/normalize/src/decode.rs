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

/// UTF-32 byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Utf32 {
    Le,
    Be,
}

impl Utf32 {
    fn name(self) -> &'static str {
        match self {
            Utf32::Le => "UTF-32LE",
            Utf32::Be => "UTF-32BE",
        }
    }

    fn unit(self, bytes: &[u8]) -> u32 {
        let quad = [bytes[0], bytes[1], bytes[2], bytes[3]];
        match self {
            Utf32::Le => u32::from_le_bytes(quad),
            Utf32::Be => u32::from_be_bytes(quad),
        }
    }
}

/// Returns the UTF-32 byte order of `bytes` and the length of its BOM:
/// `FF FE 00 00` or `00 00 FE FF`, or no BOM when the NUL pattern is
/// unmistakable (encoding_rs has no UTF-32: without this the NUL bytes make
/// the text look binary). Without a BOM, the length must be a multiple of
/// four and every unit of the first 4 KiB a character other than NUL in one
/// byte order only.
fn utf32(bytes: &[u8]) -> Option<(Utf32, usize)> {
    if bytes.starts_with(b"\xFF\xFE\0\0") {
        return Some((Utf32::Le, 4));
    }
    if bytes.starts_with(b"\0\0\xFE\xFF") {
        return Some((Utf32::Be, 4));
    }
    if bytes.len() < 8 || !bytes.len().is_multiple_of(4) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let fits = |order: Utf32| {
        sample.chunks_exact(4).all(|quad| {
            let unit = order.unit(quad);
            unit != 0 && char::from_u32(unit).is_some()
        })
    };
    match (fits(Utf32::Le), fits(Utf32::Be)) {
        (true, false) => Some((Utf32::Le, 0)),
        (false, true) => Some((Utf32::Be, 0)),
        _ => None,
    }
}

/// Decodes UTF-32 `bytes` (without their BOM): an invalid unit becomes
/// U+FFFD, and a trailing partial unit is dropped as one.
fn decode_utf32(bytes: &[u8], order: Utf32) -> String {
    let mut text: String = bytes
        .chunks_exact(4)
        .map(|quad| char::from_u32(order.unit(quad)).unwrap_or('\u{FFFD}'))
        .collect();
    if !bytes.len().is_multiple_of(4) {
        text.push('\u{FFFD}');
    }
    text
}

fn finish(
    text: std::borrow::Cow<'_, str>,
    encoding: &'static Encoding,
) -> Result<Decoded, DecodeError> {
    finish_named(text, encoding.name())
}

fn finish_named(
    text: std::borrow::Cow<'_, str>,
    encoding: &'static str,
) -> Result<Decoded, DecodeError> {
    let total = text.chars().count().max(1);
    let replaced = text.chars().filter(|c| *c == '\u{FFFD}').count();
    if replaced * 100 > total {
        return Err(DecodeError {
            reason: format!("text does not decode as {encoding}: {replaced} invalid sequences"),
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
        encoding,
    })
}

/// Decodes `bytes`: UTF-32 (with a BOM, or without one when unmistakable),
/// then BOM (UTF-8, UTF-16LE/BE), then UTF-16 without BOM, then strict UTF-8,
/// then the legacy encoding chardetng detects. Binary data (known file
/// signatures, NUL bytes, control characters) is refused.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((order, bom_length)) = utf32(bytes) {
        let text = decode_utf32(&bytes[bom_length..], order);
        return finish_named(std::borrow::Cow::Owned(text), order.name());
    }
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
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, encoding) = most_plausible(bytes, guess);
    finish(std::borrow::Cow::Owned(text), encoding)
}

/// Single-byte Latin code pages that read the same bytes differently
/// (`0xA3` is `£` in windows-1252, `Ł` in windows-1250 and ISO-8859-2).
const LATIN_SINGLE_BYTE: &[&Encoding] = &[
    encoding_rs::WINDOWS_1252,
    encoding_rs::WINDOWS_1250,
    encoding_rs::ISO_8859_2,
    encoding_rs::ISO_8859_15,
    encoding_rs::WINDOWS_1257,
];

/// Decodes `bytes` as `guess`, or, when `guess` is one of the Latin
/// single-byte code pages, as the one of them that gives the most plausible
/// text: chardetng judges by byte statistics, which a few pound signs in an
/// English article can tip towards a Central European code page.
fn most_plausible(bytes: &[u8], guess: &'static Encoding) -> (String, &'static Encoding) {
    let decode = |encoding: &'static Encoding| {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        text.into_owned()
    };
    if !LATIN_SINGLE_BYTE.contains(&guess) {
        return (decode(guess), guess);
    }
    let mut best = (decode(guess), guess);
    let mut best_score = implausible(&best.0);
    for &other in LATIN_SINGLE_BYTE {
        if other == guess || best_score == 0 {
            continue;
        }
        let text = decode(other);
        let score = implausible(&text);
        if score < best_score {
            best_score = score;
            best = (text, other);
        }
    }
    best
}

/// How many non-ASCII characters of `text` sit where such a character does
/// not: a letter glued to a figure (`Ł15.8m`), a symbol inside a word
/// (`powiedzia³`), a control character.
fn implausible(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut count = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii() {
            continue;
        }
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let digit = |n: Option<char>| n.is_some_and(|n| n.is_ascii_digit());
        let letter = |n: Option<char>| n.is_some_and(char::is_alphabetic);
        let odd = if c.is_control() {
            true
        } else if c.is_alphabetic() {
            digit(before) || digit(after)
        } else {
            letter(before) && letter(after)
        };
        count += usize::from(odd);
    }
    count
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

    fn utf32(text: &str, bom: bool, little_endian: bool) -> Vec<u8> {
        let mut bytes = Vec::new();
        for c in (bom.then_some('\u{FEFF}')).into_iter().chain(text.chars()) {
            let unit = c as u32;
            bytes.extend_from_slice(&if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        bytes
    }

    #[test]
    fn utf32_with_and_without_bom() {
        let text = "Kerry said “yes” in Genève. 東京";
        for (bom, le, name) in [
            (true, true, "UTF-32LE"),
            (true, false, "UTF-32BE"),
            (false, true, "UTF-32LE"),
            (false, false, "UTF-32BE"),
        ] {
            let decoded = decode(&utf32(text, bom, le)).unwrap();
            assert_eq!(decoded.text, text, "bom {bom} le {le}");
            assert_eq!(decoded.encoding, name);
        }
    }

    #[test]
    fn utf32_is_not_guessed_from_other_nul_patterns() {
        // Not a multiple of four, or units that are no characters: binary.
        assert!(decode(b"abc\0\0\0d\0\0\0e").is_err());
        assert!(decode(b"\0\0\0\0\0\0\0\0").is_err());
        // Surrogates (little-endian), past U+10FFFF (big-endian).
        assert!(decode(b"\0\xD8\0\0\0\xD8\0\0").is_err());
        // UTF-16 stays UTF-16.
        let mut le = Vec::new();
        for unit in "Moscow talks".encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&le).unwrap().encoding, "UTF-16LE");
        // A truncated UTF-32 file with a BOM keeps its text.
        let mut cut = utf32(&"Geneva talks ".repeat(10), true, true);
        cut.truncate(cut.len() - 2);
        assert!(decode(&cut).unwrap().text.starts_with("Geneva talk"));
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
    fn latin1_pounds_are_not_polish_letters() {
        // BBC-style English copy in Latin-1: 0xA3 is `£` there but `Ł` in
        // the Central European code pages.
        let bytes = b"Ad sales boost Time Warner profit\n\nQuarterly profits at US media giant TimeWarner jumped 76% to \xA31.13bn for the three months to December, from \xA3639m year-earlier. Its shares rose 3p to \xA315.8m.";
        let decoded = decode(bytes).unwrap();
        assert!(decoded.text.contains("\u{a3}1.13bn"), "{}", decoded.text);
        assert!(decoded.text.contains("\u{a3}15.8m"), "{}", decoded.text);
        // Polish in windows-1250 stays Polish.
        let polish = b"Prezydent powiedzia\xB3, \xBFe rz\xB9d nie podniesie podatk\xF3w w przysz\xB3ym roku; \xB3\xB9cznie 15 z\xB3.";
        let decoded = decode(polish).unwrap();
        assert!(
            decoded.text.contains("powiedział, że rząd"),
            "{} {}",
            decoded.encoding,
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
