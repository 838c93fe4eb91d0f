//! Web pages: recognising HTML, decoding it by its declared charset when its
//! bytes agree, the article's main text (rs-trafilatura) and the page's own
//! metadata ([`meta`]).
//!
//! ```
//! use wirehose_normalize::html;
//! let page = b"<!doctype html><html lang=en><head><title>Rates rise | Daily</title>\
//!   <meta property=\"og:site_name\" content=\"Daily\"></head><body><article>\
//!   <h1>Rates rise</h1><p>The central bank raised its main rate on Tuesday, the third \
//!   rise this year, and said more could follow if prices keep climbing.</p>\
//!   <p>Markets had expected the move after a run of strong figures on jobs and wages.</p>\
//!   </article></body></html>";
//! assert!(html::looks_like_html(std::path::Path::new("a.txt"), page));
//! let found = html::extract(page).unwrap();
//! assert_eq!(found.meta.title.as_deref(), Some("Rates rise"));
//! assert!(found.paragraphs[0].starts_with("The central bank"));
//! ```

mod authors;
mod fallback;
pub mod meta;
mod title;

use std::path::Path;

use encoding_rs::Encoding;

pub use meta::PageMeta;

/// A web page's article: main text as paragraphs and the page's metadata.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The main text, one paragraph (heading, list item, quote) each.
    pub paragraphs: Vec<String>,
    /// What the page says about itself.
    pub meta: PageMeta,
    /// The encoding the page was read in (WHATWG name).
    pub encoding: &'static str,
}

/// Why a page gives no article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnArticle {
    /// What is wrong, lowercase.
    pub reason: String,
}

/// Fewest words of main text an article has.
const MIN_WORDS: usize = 25;

/// Whether `bytes` (named `path`) is a web page: an `.html`/`.htm`/`.xhtml`
/// name, or content that opens (after a BOM and white space) with a
/// doctype, `<html`, `<head` or `<body`, or with a comment or an XML
/// declaration followed by `<html` within the first 1,024 bytes.
pub fn looks_like_html(path: &Path, bytes: &[u8]) -> bool {
    let named = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["html", "htm", "xhtml"].contains(&e.to_ascii_lowercase().as_str()));
    if named {
        return true;
    }
    let head = &bytes[..bytes.len().min(1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let start = lower
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(lower.len());
    let opening = &lower[start..];
    let opens_page = [&b"<!doctype html"[..], b"<html", b"<head", b"<body"]
        .iter()
        .any(|tag| opening.starts_with(tag));
    // A comment or an XML declaration first: the page's tag follows.
    let prologue = (opening.starts_with(b"<!--") || opening.starts_with(b"<?xml"))
        && (contains(opening, b"<html") || contains(opening, b"<!doctype html"));
    opens_page || prologue
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The charset a page declares in its first 4,096 bytes (`<meta
/// charset=…>`, `<meta http-equiv … content="…; charset=…">`, an XML
/// declaration's `encoding`).
pub fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    for key in [&b"charset="[..], b"encoding="] {
        let mut from = 0;
        while let Some(at) = lower[from..].windows(key.len()).position(|w| w == key) {
            let value_start = from + at + key.len();
            let value: Vec<u8> = lower[value_start..]
                .iter()
                .copied()
                .skip_while(|b| *b == b'"' || *b == b'\'')
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'))
                .collect();
            if let Some(encoding) = Encoding::for_label(&value) {
                return Some(encoding);
            }
            from = value_start;
        }
    }
    None
}

/// Decodes a page: a BOM wins; bytes that are valid UTF-8 are UTF-8 whatever
/// the page declares (pages that declare Latin-1 but hold UTF-8 are common);
/// otherwise the declared charset, when it decodes without errors; otherwise
/// what the plain-text decoder detects.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), crate::decode::DecodeError> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return Ok((text.into_owned(), encoding.name()));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), "UTF-8"));
    }
    if let Some(declared) = declared_charset(bytes).filter(|e| *e != encoding_rs::UTF_8) {
        let (text, had_errors) = declared.decode_without_bom_handling(bytes);
        if !had_errors {
            return Ok((text.into_owned(), declared.name()));
        }
    }
    let decoded = crate::decode::decode(bytes)?;
    Ok((decoded.text, decoded.encoding))
}

/// Elements cut before parsing, with what closes them: they hold no
/// article text, and on heavy pages they are most of the bytes (inline
/// scripts, JSON state, styles), so cutting them bounds the parsers' memory
/// and time. JSON-LD blocks stay. (Cutting SVG and comments too was
/// measured: it lowers main-text F1, as empty links and icons then look
/// like text.)
const CUT: &[(&str, &str)] = &[("<script", "</script>"), ("<style", "</style>")];

/// Position of `needle` (ASCII, lower case) in `haystack` from `from`,
/// ignoring ASCII case.
fn find_ignoring_case(haystack: &[u8], needle: &str, from: usize) -> Option<usize> {
    let needle = needle.as_bytes();
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|at| from + at)
}

/// A page with its scripts and styles cut, and what the metadata reader
/// needs from them.
#[derive(Debug, Default)]
pub struct Stripped {
    /// The page without the elements of [`CUT`] (JSON-LD blocks kept).
    pub html: String,
    /// The texts of its JSON-LD blocks (`<script type="application/ld+json">`).
    pub json_ld: Vec<String>,
    /// Publication dates other scripts carry in their JSON state
    /// (`"datePublished":"2025-05-27"`, `"publishDate":…`), in page order.
    pub script_dates: Vec<String>,
}

/// Keys under which a page's script state gives the publication date.
const SCRIPT_DATE_KEYS: &[&str] = &[
    "\"datePublished\"",
    "\"publishDate\"",
    "\"publishedAt\"",
    "\"published_at\"",
    "\"date_published\"",
    "\"publishedDate\"",
    "\"firstPublishedAt\"",
];

/// The date strings after the keys of [`SCRIPT_DATE_KEYS`] in a script.
fn script_dates(script: &str, out: &mut Vec<String>) {
    for key in SCRIPT_DATE_KEYS {
        let mut from = 0;
        while let Some(at) = script[from..].find(key) {
            let after = &script[from + at + key.len()..];
            let value = after
                .trim_start_matches([' ', ':', '\\'])
                .trim_start_matches(['"', ' ', '\\']);
            let end = value.find(['"', '\\']).unwrap_or(value.len()).min(40);
            if end >= 10 && value.is_char_boundary(end) {
                out.push(value[..end].to_string());
            }
            from += at + key.len();
            if out.len() > 16 {
                return;
            }
        }
    }
}

/// Cuts the elements of [`CUT`] from `html` (see [`Stripped`]).
pub fn strip_heavy(html: &str) -> Stripped {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len().min(1 << 20));
    let mut json_ld = Vec::new();
    let mut dates = Vec::new();
    let mut at = 0;
    while let Some(lt) = html[at..].find('<').map(|i| at + i) {
        let cut = CUT.iter().find(|(open, _)| {
            bytes
                .get(lt..lt + open.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(open.as_bytes()))
                && bytes
                    .get(lt + open.len())
                    .is_some_and(|b| !b.is_ascii_alphanumeric())
        });
        let Some((open, close)) = cut else {
            out.push_str(&html[at..=lt]);
            at = lt + 1;
            continue;
        };
        out.push_str(&html[at..lt]);
        let end = find_ignoring_case(bytes, close, lt + open.len())
            .map_or(html.len(), |e| e + close.len());
        if *open == "<script" {
            let element = &html[lt..end];
            let tag_end = element.find('>').map_or(element.len(), |e| e + 1);
            let tag = element[..tag_end].to_ascii_lowercase();
            if tag.contains("ld+json") {
                let body_end = element.len().saturating_sub(close.len()).max(tag_end);
                json_ld.push(element[tag_end..body_end].to_string());
                out.push_str(element);
            } else {
                script_dates(&element[tag_end..], &mut dates);
            }
        }
        at = end;
    }
    out.push_str(&html[at..]);
    Stripped {
        html: out,
        json_ld,
        script_dates: dates,
    }
}

/// Extracts the article of a page: decodes it, reads its metadata and its
/// main text. A page with less than 25 words of main text is not an article.
pub fn extract(bytes: &[u8]) -> Result<Page, NotAnArticle> {
    let (text, encoding) = decode(bytes).map_err(|e| NotAnArticle { reason: e.reason })?;
    extract_decoded(text, encoding)
}

/// [`extract`] for a page already decoded (`encoding` is reported as is):
/// the caller can free the raw bytes first.
pub fn extract_decoded(text: String, encoding: &'static str) -> Result<Page, NotAnArticle> {
    let page = strip_heavy(&text);
    drop(text);
    let meta = meta::read(&page.html, &page.json_ld, &page.script_dates);
    let text = page.html;
    let options = rs_trafilatura::Options {
        // Pages in a news inbox are articles; skipping the page-type
        // classifier saves a third of the time.
        page_type: Some(rs_trafilatura::page_type::PageType::Article),
        include_comments: false,
        url: meta.url.clone(),
        // No silent cut: the runtime's `max_body_bytes` refuses a text too
        // long, with that reason. (The crate's own cap truncates at a byte
        // count.)
        max_extracted_len: usize::MAX,
        ..rs_trafilatura::Options::default()
    };
    let result =
        rs_trafilatura::extract_with_options(&text, &options).map_err(|e| NotAnArticle {
            reason: format!("page has no main text ({e})"),
        })?;
    let mut paragraphs: Vec<String> = result
        .content_text
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect();
    let count = |paragraphs: &[String]| -> usize {
        paragraphs
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum()
    };
    let mut words = count(&paragraphs);
    if words < MIN_WORDS {
        // trafilatura found (almost) nothing: the page's own article body.
        let found = fallback::paragraphs(&text, &page.json_ld);
        if count(&found) > words {
            words = count(&found);
            paragraphs = found;
        }
    }
    if words < MIN_WORDS {
        return Err(NotAnArticle {
            reason: format!("page has no main text (only {words} words found)"),
        });
    }
    Ok(Page {
        paragraphs,
        meta,
        encoding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognised_by_name_or_content() {
        let page = b"  <!DOCTYPE html>\n<html><body><p>x</p></body></html>";
        assert!(looks_like_html(Path::new("a.txt"), page));
        assert!(looks_like_html(Path::new("a.HTM"), b"anything"));
        assert!(looks_like_html(
            Path::new("a"),
            b"<html lang=\"en\"><head></head></html>"
        ));
        assert!(!looks_like_html(
            Path::new("a.txt"),
            b"Rates rise\n\nThe bank said <b> was used."
        ));
        assert!(!looks_like_html(
            Path::new("a.txt"),
            b"Use <html> tags, the guide said."
        ));
    }

    #[test]
    fn declared_charset_is_read() {
        let page = b"<html><head><meta charset=\"windows-1252\"></head>";
        assert_eq!(declared_charset(page), Some(encoding_rs::WINDOWS_1252));
        let page = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">";
        assert_eq!(declared_charset(page), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(declared_charset(b"<html><head></head>"), None);
    }

    #[test]
    fn bytes_that_contradict_the_declared_charset_win() {
        // Declares Latin-1, holds UTF-8: UTF-8.
        let page =
            "<meta charset=\"iso-8859-1\"><p>Caf\u{e9} cr\u{e8}me \u{2013} \u{a3}5</p>".as_bytes();
        let (text, encoding) = decode(page).unwrap();
        assert_eq!(encoding, "UTF-8");
        assert!(text.contains("Café crème – £5"), "{text}");
        // Declares windows-1252 and holds it: the declared charset.
        let page = b"<meta charset=\"windows-1252\"><p>Caf\xE9 \x96 \xA35</p>";
        let (text, encoding) = decode(page).unwrap();
        assert_eq!(encoding, "windows-1252");
        assert!(text.contains("Café – £5"), "{text}");
    }

    #[test]
    fn heavy_elements_are_cut_and_json_ld_kept() {
        let page = "<html><head><SCRIPT>var a = '<p>x</p>';</SCRIPT><style>p{}</style>\
            <script type=\"application/ld+json\">{\"headline\":\"H\"}</script></head>\
            <body><p>Text</p><scripts>ok</scripts></body></html>";
        let Stripped {
            html,
            json_ld,
            script_dates,
        } = strip_heavy(page);
        assert_eq!(
            html,
            "<html><head><script type=\"application/ld+json\">{\"headline\":\"H\"}</script></head>\
             <body><p>Text</p><scripts>ok</scripts></body></html>"
        );
        assert_eq!(json_ld, ["{\"headline\":\"H\"}"]);
        // An element left open runs to the end.
        assert!(script_dates.is_empty());
        assert_eq!(strip_heavy("<p>a</p><script>x").html, "<p>a</p>");
        let state =
            "<script>self.__next={\"page\":{\"publishDate\":\"2025-05-27\",\"x\":1}}</script>";
        assert_eq!(strip_heavy(state).script_dates, ["2025-05-27"]);
    }

    #[test]
    fn a_page_without_an_article_is_refused() {
        let page = b"<html><head><title>Log in</title></head><body><nav><a href=/>Home</a></nav><form>Password</form></body></html>";
        let err = extract(page).unwrap_err();
        assert!(err.reason.contains("no main text"), "{}", err.reason);
    }
}
