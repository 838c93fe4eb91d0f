//! What a page says about itself, before any guess from its text: JSON-LD
//! (`headline`, `datePublished`, `author`, …), Open Graph and `article:`
//! properties, `<meta name>` tags, `<link rel=canonical>`, `<html lang>`,
//! `<time datetime>`, `<h1>` and `<title>`.

use dom_query::Document;
use serde_json::Value;

/// Page metadata; every field optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageMeta {
    /// The headline.
    pub title: Option<String>,
    /// People who wrote it, in page order.
    pub authors: Vec<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Publication time as the page gives it (RFC 3339), when it has a time.
    pub published_at: Option<String>,
    /// Last modification: RFC 3339 when the page gives a time, else
    /// `YYYY-MM-DD`.
    pub modified_at: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Site name (`og:site_name`, the JSON-LD publisher).
    pub site: Option<String>,
    /// The page's summary.
    pub description: Option<String>,
    /// Language code (`<html lang>`, `og:locale`), lower case, without region.
    pub language: Option<String>,
    /// Section (`article:section`, JSON-LD `articleSection`).
    pub section: Option<String>,
    /// Tags and keywords.
    pub tags: Vec<String>,
}

/// JSON-LD types that describe the article itself.
const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "BlogPosting",
    "Report",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "TechArticle",
    "ScholarlyArticle",
    "LiveBlogPosting",
    "SocialMediaPosting",
    "HowTo",
    "Review",
    "Recipe",
];

/// JSON-LD types that never describe the page itself.
const NOT_THE_PAGE: &[&str] = &[
    "Person",
    "Organization",
    "NewsMediaOrganization",
    "Corporation",
    "LocalBusiness",
    "WebSite",
    "ImageObject",
    "VideoObject",
    "BreadcrumbList",
    "ListItem",
    "SiteNavigationElement",
    "SearchAction",
    "Comment",
    "Question",
    "Answer",
    "Product",
    "Offer",
];

/// Credentials that follow a name (`Dylan Bailey, MS, RD`): not names.
pub(super) fn credential(part: &str) -> bool {
    let letters: String = part.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty()
        && letters.chars().count() <= 6
        && part
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(|c| c.is_uppercase() || "hD".contains(c))
        && !part.contains(' ')
}

/// Collapses white space and decodes character references left in a value
/// (pages often escape twice: `&amp;#8211;` reads `&#8211;` once parsed).
pub(super) fn clean(text: &str) -> String {
    let text = if text.contains('&') {
        unescape(text)
    } else {
        text.to_string()
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Named character references, from `data/html_entities.txt`.
static ENTITIES: std::sync::LazyLock<std::collections::HashMap<&'static str, char>> =
    std::sync::LazyLock::new(|| {
        crate::lists::words(include_str!("../../data/html_entities.txt"))
            .into_iter()
            .filter_map(|row| {
                let (name, code) = row.split_once('\t')?;
                let code = u32::from_str_radix(code.trim().trim_start_matches("U+"), 16).ok()?;
                Some((name.trim(), char::from_u32(code)?))
            })
            .collect()
    });

/// Decodes numeric character references and the named ones of
/// [`ENTITIES`].
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|e| *e <= 10);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok().and_then(char::from_u32)
            } else {
                ENTITIES.get(name).copied()
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub(super) fn non_empty(text: impl AsRef<str>) -> Option<String> {
    let text = clean(text.as_ref());
    (!text.is_empty()).then_some(text)
}

/// The page's `<meta>` tags as (`property`, `name` or `itemprop` in lower
/// case, `content`), in page order: read once, looked up many times.
pub(super) type MetaTags = Vec<(String, String)>;

fn meta_tags(doc: &Document) -> MetaTags {
    let mut tags = Vec::new();
    for node in doc.select("meta").nodes() {
        let Some(content) = node.attr("content").and_then(non_empty) else {
            continue;
        };
        for attr in ["property", "name", "itemprop"] {
            if let Some(key) = node.attr(attr) {
                tags.push((key.trim().to_ascii_lowercase(), content.clone()));
            }
        }
    }
    tags
}

/// The `content` of the first `<meta>` whose `property`, `name` or
/// `itemprop` is one of `keys` (in key order, compared ignoring case).
pub(super) fn meta_content(tags: &MetaTags, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| {
        tags.iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, content)| content.clone())
    })
}

/// JSON-LD keys under which an object holds the article it presents.
const NESTED_ARTICLE_KEYS: &[&str] = &["mainEntity", "blogPost", "hasPart", "mainEntityOfPage"];

/// Every object of the page's JSON-LD blocks, `@graph` members and the
/// articles under [`NESTED_ARTICLE_KEYS`] included.
fn json_ld(blocks: &[String]) -> Vec<Value> {
    fn walk(value: Value, out: &mut Vec<Value>) {
        match value {
            Value::Array(items) => items.into_iter().for_each(|v| walk(v, out)),
            Value::Object(mut map) => {
                if let Some(graph) = map.remove("@graph") {
                    walk(graph, out);
                }
                // The article inside its page or blog (`WebPage.mainEntity`,
                // `Blog.blogPost`) comes after the object that holds it.
                let inner: Vec<Value> = NESTED_ARTICLE_KEYS
                    .iter()
                    .filter_map(|key| map.get(*key).cloned())
                    .collect();
                out.push(Value::Object(map));
                inner.into_iter().for_each(|v| walk(v, out));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for block in blocks {
        let text = block
            .trim()
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>");
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            walk(value, &mut out);
        }
    }
    out
}

fn types(object: &Value) -> Vec<String> {
    match object.get("@type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// The `articleBody` of the page's JSON-LD article, when it gives one.
pub(crate) fn article_body(blocks: &[String]) -> Option<String> {
    json_ld(blocks)
        .iter()
        .filter(|o| is_article(o))
        .find_map(|o| o.get("articleBody")?.as_str().map(String::from))
}

fn is_article(object: &Value) -> bool {
    types(object)
        .iter()
        .any(|t| ARTICLE_TYPES.contains(&t.as_str()))
}

/// A JSON-LD value as text: a string, or an object's `name`.
fn ld_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => non_empty(s),
        Value::Object(map) => map.get("name").and_then(ld_text),
        Value::Array(items) => items.iter().find_map(ld_text),
        _ => None,
    }
}

/// People named by a JSON-LD `author`, and separately the organisations it
/// names (credited only when no person is).
fn ld_people(value: &Value, people: &mut Vec<String>, organisations: &mut Vec<String>) {
    match value {
        Value::String(s) => people.extend(split_names(s)),
        Value::Array(items) => items
            .iter()
            .for_each(|v| ld_people(v, people, organisations)),
        Value::Object(map) => {
            let organisation = types(value)
                .iter()
                .any(|t| t == "Organization" || t == "NewsMediaOrganization" || t == "Corporation");
            if let Some(name) = map.get("name").and_then(ld_text) {
                if organisation {
                    organisations.push(name);
                } else {
                    people.extend(split_names(&name));
                }
            }
        }
        _ => {}
    }
}

/// A value that is a user name or handle, not a name (`kffnirmitap`,
/// `andrew.keaveney`).
pub(super) fn handle(name: &str) -> bool {
    !name.contains(' ') && (name.chars().all(|c| !c.is_uppercase()) || name.contains(['.', '_']))
}

/// Byline values that name nobody.
const GENERIC_AUTHORS: &[&str] = &[
    "the author",
    "author",
    "admin",
    "administrator",
    "editor",
    "guest",
    "anonymous",
    "unknown",
];

/// Splits a byline string into people: `A, B and C`, `A & B`, credentials
/// dropped (`Dylan Bailey, MS, RD`), a leading `By` dropped.
pub fn split_names(text: &str) -> Vec<String> {
    let text = clean(text);
    let text = text.trim_matches(|c: char| {
        matches!(
            c,
            '"' | '\u{201c}' | '\u{201d}' | '-' | '\u{2013}' | '\u{2014}'
        ) || c.is_whitespace()
    });
    let text = [
        "By ",
        "by ",
        "BY ",
        "Author ",
        "Author: ",
        "Written by ",
        "Posted by ",
    ]
    .iter()
    .find_map(|p| text.strip_prefix(p))
    .or_else(|| {
        // `BySummer Swann`: a byline glued to its name.
        text.strip_prefix("By")
            .filter(|rest| rest.starts_with(char::is_uppercase) && rest.contains(' '))
    })
    .unwrap_or(text);
    if text.contains(':') || GENERIC_AUTHORS.iter().any(|g| g.eq_ignore_ascii_case(text)) {
        return Vec::new();
    }
    if text.starts_with("http") || text.contains('@') && !text.contains(' ') {
        return Vec::new();
    }
    let mut names = Vec::new();
    for part in text.split([',', ';', '&', '|']) {
        for name in part.split(" and ") {
            let name = name.trim().trim_start_matches("and ").trim();
            if name.is_empty() || credential(name) || name.chars().count() > 60 {
                continue;
            }
            if !names.iter().any(|n: &String| n.eq_ignore_ascii_case(name)) {
                names.push(name.to_string());
            }
        }
    }
    names
}

/// Meta tags that give the publication date, in order of trust.
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "article:published",
    "datePublished",
    "published",
    "published-date",
    "published_date",
    "publish_date",
    "pub_date",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "publish-date",
    "publishdate",
    "pubdate",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
];

/// Whether `text` starts with an ISO 8601 day (`2024-05-01`, `2024/05/01`).
fn iso_date(text: &str) -> bool {
    let b = text.trim().as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && matches!(b[4], b'-' | b'/')
        && b[7] == b[4]
        && b[5..7].iter().chain(&b[8..10]).all(u8::is_ascii_digit)
}

/// `2024-05-01T10:00:00+02:00` → (`2024-05-01`, the time stamp when it has a
/// time); also `2024-05-01`, `2024/05/01`, and what a date line reads
/// (RFC 2822, `Dec 18, 2025`), with up to three trailing words ignored.
fn date_of(text: &str) -> Option<(String, Option<String>)> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let iso = bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && matches!(bytes[4], b'-' | b'/')
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == bytes[4]
        && bytes[8..10].iter().all(u8::is_ascii_digit);
    if iso {
        let date = text[..10].replace('/', "-");
        let month: u32 = date[5..7].parse().ok()?;
        let day: u32 = date[8..10].parse().ok()?;
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        let at = (text.len() > 10 && text[10..].starts_with(['T', ' ']))
            .then(|| text.replacen(' ', "T", 1));
        return Some((date, at));
    }
    // `Dec 18, 2025`, `Thu, 09/25/2025 - 11:38`, `July 17, 2025`: a date
    // line, or one followed by words the date reader does not take.
    let words: Vec<&str> = text.split_whitespace().collect();
    (words.len().saturating_sub(3).max(1)..=words.len())
        .rev()
        .find_map(|n| crate::header_date::parse(&words[..n].join(" ")))
        .map(|found| (found.date, found.at))
}

/// Elements that show an article's date to the reader.
const DATE_ELEMENTS: &str = "time, date, [class*=\"date\" i], [class*=\"publish\" i], \
    [class*=\"posted\" i], [id*=\"date\" i], [class*=\"byline\" i], [class*=\"meta\" i], \
    [class*=\"time\" i], [class*=\"author\" i]";

/// Reads a short run of a page's text as a date line: all of it
/// (`Published March 4, 2025`), or a piece of it between separators
/// (`By Ann Lee | March 4, 2025`) or after ` on ` (`by Matt Miller on Dec
/// 16, 2025 at 11:00 AM`).
fn date_in(text: &str) -> Option<crate::header_date::Published> {
    crate::header_date::parse(text)
        .or_else(|| {
            text.split(['|', '•', '·', '—', '–'])
                .map(str::trim)
                .find_map(crate::header_date::parse)
        })
        .or_else(|| {
            let at = text.rfind(" on ")?;
            crate::header_date::parse(&text[at + 4..])
        })
}

/// The dates the page shows near its article, when its metadata gives
/// none: the first short element of a date-ish class (`<time>`,
/// `.post-date`, `.byline`) that reads as a date line, and the first that
/// does without a revision label (`Updated: …`), which may be the same.
fn visible_dates(doc: &Document) -> Dates {
    let mut found = Dates::default();
    let selection = doc.select(DATE_ELEMENTS);
    for node in selection.nodes().iter().take(200) {
        if outside_the_article(node) {
            continue;
        }
        let text = clean(&node.text());
        if text.is_empty() || text.chars().count() > 120 {
            continue;
        }
        if let Some(date) = date_in(&text) {
            found.add(date);
            if found.first_published.is_some() {
                break;
            }
        }
    }
    found
}

/// Elements whose dates are not the article's: navigation, sidebars,
/// footers, forms, and (by class or id) comments, related or recent posts,
/// widgets and menus.
const NOT_ARTICLE_ELEMENTS: &[&str] = &["aside", "nav", "footer", "form"];

/// Starts of a class or id that mark a part of the page that is not the
/// article (`comment-list`, `sidebar-left`, `widget_recent_entries`; not
/// `under-menu`).
const NOT_ARTICLE_CLASSES: &[&str] = &[
    "comment", "related", "sidebar", "widget", "recent", "menu", "footer", "navbar",
];

/// Whether `node` sits in a part of the page that is not the article (a
/// comment's date, a sidebar's list of recent posts, a site header's
/// today's date).
fn outside_the_article(node: &dom_query::NodeRef) -> bool {
    node.ancestors_it(Some(40)).any(|a| {
        let Some(name) = a.node_name() else {
            return false;
        };
        // The body's classes describe the whole page (`has-sidebar`,
        // `comments-open`).
        if name.eq_ignore_ascii_case("body") || name.eq_ignore_ascii_case("html") {
            return false;
        }
        if NOT_ARTICLE_ELEMENTS
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            return true;
        }
        let marks = |attr: Option<&str>| {
            attr.is_some_and(|value| {
                value.split_ascii_whitespace().any(|token| {
                    let token = token.to_ascii_lowercase();
                    NOT_ARTICLE_CLASSES.iter().any(|c| token.starts_with(c))
                })
            })
        };
        marks(a.attr("class").as_deref()) || marks(a.attr("id").as_deref())
    })
}

/// The first date read, and the first not labelled as a revision's.
#[derive(Default)]
struct Dates {
    first: Option<crate::header_date::Published>,
    first_published: Option<crate::header_date::Published>,
}

impl Dates {
    fn add(&mut self, date: crate::header_date::Published) {
        if !date.updated && self.first_published.is_none() {
            self.first_published = Some(date.clone());
        }
        self.first.get_or_insert(date);
    }
}

/// The short runs of text in the page's body that read as a date line
/// (`<span>August 16, 2019</span>`), scripts and styles skipped: pages
/// without date metadata or date classes still show the date as text.
fn text_dates(html: &str) -> Dates {
    let mut found = Dates::default();
    for chunk in text_chunks(html, 20_000)
        .iter()
        .filter(|c| (6..=60).contains(&c.len()) && c.bytes().any(|b| b.is_ascii_digit()))
    {
        if let Some(date) = date_in(chunk) {
            found.add(date);
            if found.first_published.is_some() {
                break;
            }
        }
    }
    found
}

/// The short runs of text between tags in the page's body, in order,
/// scripts and styles skipped (at most `limit` of them).
pub(super) fn text_chunks(html: &str, limit: usize) -> Vec<String> {
    let body = html
        .find("<body")
        .or_else(|| html.find("<BODY"))
        .unwrap_or(0);
    let mut rest = &html[body..];
    let mut chunks = Vec::new();
    while let Some(close) = rest.find('>') {
        rest = &rest[close + 1..];
        let end = rest.find('<').unwrap_or(rest.len());
        let chunk = rest[..end].trim();
        if !chunk.is_empty() && chunk.len() <= 80 {
            chunks.push(clean(chunk));
            if chunks.len() >= limit {
                break;
            }
        }
        rest = &rest[end..];
        for (tag, close_tag) in [("<script", "</script"), ("<style", "</style")] {
            if rest
                .get(..tag.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(tag))
            {
                rest = rest.find(close_tag).map_or("", |at| &rest[at..]);
            }
        }
    }
    chunks
}

/// Reads the metadata of a page's HTML, given the texts of its JSON-LD
/// blocks (see [`super::strip_heavy`]).
/// `script_dates` are the publication dates the page's script state
/// carries, used when its metadata and tags give none.
pub fn read(html: &str, json_ld_blocks: &[String], script_dates: &[String]) -> PageMeta {
    let doc = Document::from(html);
    let ld = json_ld(json_ld_blocks);
    let page = Sources {
        tags: meta_tags(&doc),
        article: ld.iter().find(|o| is_article(o)),
        ld: &ld,
        doc: &doc,
        html,
        script_dates,
    };
    let site = meta_content(&page.tags, &["og:site_name", "application-name"])
        .or_else(|| {
            page.article
                .and_then(|a| a.get("publisher"))
                .and_then(ld_text)
        })
        .or_else(|| {
            ld.iter()
                .find(|o| types(o).iter().any(|t| t == "WebSite"))
                .and_then(|o| o.get("name"))
                .and_then(ld_text)
        });
    let mut meta = PageMeta {
        title: super::title::title(&doc, &page.tags, page.ld_field("headline"), site.as_deref()),
        site,
        ..PageMeta::default()
    };
    read_dates(&page, &mut meta);
    read_authors(&page, &mut meta);
    read_the_rest(&page, &mut meta);
    meta
}

/// What a page's metadata is read from.
struct Sources<'a> {
    doc: &'a Document,
    tags: MetaTags,
    ld: &'a [Value],
    /// The JSON-LD object of the article itself, when there is one.
    article: Option<&'a Value>,
    html: &'a str,
    script_dates: &'a [String],
}

impl Sources<'_> {
    /// A field of the article object, else of another object that describes
    /// the page (a `WebPage` carrying `datePublished`), never of a person,
    /// an organisation, an image or a breadcrumb trail.
    fn ld_field(&self, key: &str) -> Option<String> {
        self.article
            .and_then(|a| a.get(key))
            .and_then(ld_text)
            .or_else(|| {
                self.ld
                    .iter()
                    .filter(|o| !types(o).iter().any(|t| NOT_THE_PAGE.contains(&t.as_str())))
                    .find_map(|o| o.get(key).and_then(ld_text))
            })
    }
}

/// `published`, `published_at` and `modified_at`.
fn read_dates(page: &Sources, meta: &mut PageMeta) {
    let (doc, tags) = (page.doc, &page.tags);
    let ld_published = page.ld_field("datePublished");
    // JSON-LD dates are machine-written (ISO 8601); one a template wrote by
    // hand (`Jun 24, 2025`) is often the CMS's own date, so it comes after
    // what the page shows.
    let strict = |value: Option<String>| value.filter(|v| iso_date(v));
    let published = strict(ld_published.clone())
        .or_else(|| meta_content(tags, PUBLISHED_KEYS))
        .or_else(|| {
            ["[itemprop=\"datePublished\"]", "time[datetime]"]
                .iter()
                .find_map(|sel| {
                    doc.select(sel).nodes().iter().find_map(|n| {
                        if outside_the_article(n) {
                            return None;
                        }
                        n.attr("datetime")
                            .or_else(|| n.attr("content"))
                            .and_then(non_empty)
                    })
                })
        })
        .or_else(|| strict(page.ld_field("dateCreated")))
        .or_else(|| page.script_dates.iter().find(|d| iso_date(d)).cloned());
    // The last change as a time stamp (or a day, when the page gives no
    // time), whatever format the page wrote it in.
    meta.modified_at = page
        .ld_field("dateModified")
        .or_else(|| {
            meta_content(
                tags,
                &["article:modified_time", "og:updated_time", "dateModified"],
            )
        })
        .and_then(|m| date_of(&m))
        .map(|(day, at)| at.unwrap_or(day));
    if let Some((date, at)) = published.as_deref().and_then(date_of) {
        meta.published = Some(date);
        meta.published_at = at;
        return;
    }
    // What the page shows: a date not labelled as a revision's first; else
    // the metadata's last change (the page was published by then); else a
    // shown revision date.
    let visible = visible_dates(doc);
    // The page's text is read only when its date elements show no
    // publication date.
    let text = if visible.first_published.is_some() {
        Dates::default()
    } else {
        text_dates(page.html)
    };
    let shown = visible
        .first_published
        .or(text.first_published)
        .map(|found| (found.date, found.at))
        .or_else(|| ld_published.as_deref().and_then(date_of));
    let modified = meta.modified_at.as_deref().and_then(date_of);
    let revised = visible.first.or(text.first);
    if let Some((date, at)) = shown {
        meta.published = Some(date);
        meta.published_at = at;
    } else if let Some((date, _)) = modified {
        meta.published = Some(date);
    } else if let Some(found) = revised {
        meta.published = Some(found.date);
        meta.published_at = found.at;
    }
}

/// Words of an organisation's name, from `data/organisation_words.txt`.
static ORGANISATION_WORDS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| {
        crate::lists::words(include_str!("../../data/organisation_words.txt"))
    });

/// Whether a credit reads as a person's name: two to four capitalised words
/// in mixed case, none of them an organisation's word (`Anil Madhavapeddy`,
/// not `USA TODAY` or `British Heart Foundation`).
fn reads_as_person(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.starts_with(char::is_uppercase)
                && w.chars().any(char::is_lowercase)
                && !ORGANISATION_WORDS.contains(&w.to_lowercase().as_str())
        })
}

/// `authors`.
fn read_authors(page: &Sources, meta: &mut PageMeta) {
    // Authors: JSON-LD persons, the author meta tags, the visible byline;
    // an organisation credited as author only when no person is.
    let (mut authors, mut organisations) = (Vec::new(), Vec::new());
    if let Some(author) = page.article.and_then(|a| a.get("author")) {
        ld_people(author, &mut authors, &mut organisations);
    }
    authors.retain(|a| !handle(a));
    // The site or its publisher named as author: an organisation.
    let site_name = meta.site.as_deref().map(|s| clean(s).to_lowercase());
    let is_site = |a: &str| {
        let a = a.to_lowercase();
        site_name
            .as_ref()
            .is_some_and(|s| *s == a || s.starts_with(&a) || a.starts_with(s.as_str()))
    };
    // A JSON-LD author named exactly as the site, and not typed `Person`,
    // is the site; a personal site named after its author (`Ann Lee
    // Photography`) keeps its person.
    let typed_person = |v: &Value| types(v).iter().any(|t| t == "Person");
    let said_person = page
        .article
        .and_then(|a| a.get("author"))
        .is_some_and(|v| match v {
            Value::Array(items) => items.iter().any(typed_person),
            other => typed_person(other),
        });
    if !(said_person && authors.iter().all(|a| reads_as_person(a)))
        && authors
            .iter()
            .any(|a| site_name.as_deref() == Some(a.to_lowercase().as_str()))
    {
        organisations.append(&mut authors);
    }
    // Every tag of the first author key the page uses: scholarly pages
    // give one `citation_author` per person.
    let meta_names: Vec<&String> = [
        "author",
        "article:author",
        "parsely-author",
        "sailthru.author",
        "citation_author",
        "citation_authors",
        "dc.creator",
        "dc.contributor",
    ]
    .iter()
    .map(|key| {
        page.tags
            .iter()
            .filter(|(name, _)| name == key)
            .map(|(_, content)| content)
            .collect::<Vec<_>>()
    })
    .find(|found| !found.is_empty())
    .unwrap_or_default();
    if authors.is_empty() && !meta_names.is_empty() {
        authors = meta_names
            .iter()
            .flat_map(|n| match super::authors::inverted_name(n) {
                Some(name) => vec![name],
                None => split_names(n),
            })
            .collect();
        authors.dedup();
        authors.retain(|a| !handle(a));
        if authors
            .iter()
            .any(|a| is_site(a) || organisations.iter().any(|o| o.eq_ignore_ascii_case(a)))
        {
            organisations.append(&mut authors);
        }
    }
    if authors.is_empty() {
        authors = super::authors::visible_authors(page.doc);
    }
    if authors.is_empty() {
        authors = super::authors::text_authors(page.html);
    }
    if authors.is_empty() {
        authors = organisations;
    }
    // `David Jackson - Editorial Team`: the name before the dash.
    meta.authors = authors
        .into_iter()
        .map(|a| a.split(" - ").next().unwrap_or(&a).trim().to_string())
        .filter(|a| !a.is_empty())
        .fold(Vec::new(), |mut names, a| {
            if !names.contains(&a) {
                names.push(a);
            }
            names
        });
}

/// `url`, `description`, `language`, `section` and `tags`.
fn read_the_rest(page: &Sources, meta: &mut PageMeta) {
    meta.url = page
        .doc
        .select("link[rel=\"canonical\" i]")
        .nodes()
        .iter()
        .find_map(|n| n.attr("href").and_then(non_empty))
        .or_else(|| meta_content(&page.tags, &["og:url"]));
    meta.description = meta_content(
        &page.tags,
        &["og:description", "description", "twitter:description"],
    );
    meta.language = page
        .doc
        .select("html")
        .nodes()
        .first()
        .and_then(|n| n.attr("lang").and_then(non_empty))
        .or_else(|| meta_content(&page.tags, &["og:locale", "content-language"]))
        .and_then(|l| {
            let code = l
                .split(['-', '_'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            (code.len() == 2 || code.len() == 3).then_some(code)
        });
    meta.section = page
        .ld_field("articleSection")
        .or_else(|| meta_content(&page.tags, &["article:section"]));
    let mut page_tags: Vec<String> = page
        .tags
        .iter()
        .filter(|(name, _)| name == "article:tag")
        .map(|(_, content)| content.clone())
        .collect();
    if page_tags.is_empty()
        && let Some(keywords) = page
            .ld_field("keywords")
            .or_else(|| meta_content(&page.tags, &["keywords", "news_keywords"]))
    {
        page_tags = keywords.split(',').filter_map(non_empty).collect();
    }
    meta.tags = page_tags;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_first() {
        let page = r#"<html lang="en-GB"><head><title>Rates rise again | The Daily</title>
            <meta property="og:site_name" content="The Daily">
            <link rel="canonical" href="https://daily.example/rates">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"NewsArticle","headline":"Rates rise again","datePublished":"2025-03-04T09:30:00+00:00",
               "dateModified":"2025-03-04T11:00:00+00:00",
               "author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Organization","name":"The Daily"}],
               "articleSection":"Business","keywords":"rates, banks"}]}</script>
            </head><body><h1>Rates rise again</h1></body></html>"#;
        let page = super::super::strip_heavy(page);
        let meta = read(&page.html, &page.json_ld, &page.script_dates);
        assert_eq!(meta.title.as_deref(), Some("Rates rise again"));
        assert_eq!(meta.published.as_deref(), Some("2025-03-04"));
        assert_eq!(
            meta.published_at.as_deref(),
            Some("2025-03-04T09:30:00+00:00")
        );
        assert_eq!(
            meta.modified_at.as_deref(),
            Some("2025-03-04T11:00:00+00:00")
        );
        assert_eq!(meta.authors, ["Jane Doe"]);
        assert_eq!(meta.site.as_deref(), Some("The Daily"));
        assert_eq!(meta.url.as_deref(), Some("https://daily.example/rates"));
        assert_eq!(meta.language.as_deref(), Some("en"));
        assert_eq!(meta.section.as_deref(), Some("Business"));
        assert_eq!(meta.tags, ["rates", "banks"]);
    }

    #[test]
    fn dates_of_comments_and_sidebars_are_not_the_articles() {
        let page = r#"<html><head><title>Starship Troopers</title></head>
            <body class="single has-sidebar comments-open"><div class="under-menu"><article>
            <h1>Starship Troopers</h1><p class="post-date">Posted on
            <a class="post-date-link">December 18, 2025</a></p><p>Text</p></article>
            <ol class="commentlist"><li><time datetime="2025-12-19T00:00:43-05:00">
            December 19, 2025</time></li></ol></div>
            <aside><ul><li><span class="date">December 20, 2025</span></li></ul></aside>
            </body></html>"#;
        let page = super::super::strip_heavy(page);
        let meta = read(&page.html, &page.json_ld, &page.script_dates);
        assert_eq!(meta.published.as_deref(), Some("2025-12-18"));
    }

    #[test]
    fn meta_tags_and_title_without_site_name() {
        let page = r#"<html><head><title>Ten ways to cook rice - Kitchen Tales</title>
            <meta name="author" content="Dylan Bailey, MS, RD and Ann Lee">
            <meta property="article:published_time" content="2024-11-02">
            </head><body><p>Text</p></body></html>"#;
        let page = super::super::strip_heavy(page);
        let meta = read(&page.html, &page.json_ld, &page.script_dates);
        assert_eq!(meta.title.as_deref(), Some("Ten ways to cook rice"));
        assert_eq!(meta.authors, ["Dylan Bailey", "Ann Lee"]);
        assert_eq!(meta.published.as_deref(), Some("2024-11-02"));
        assert_eq!(meta.published_at, None);
    }

    #[test]
    fn references_left_in_values_are_decoded() {
        assert_eq!(
            clean("Caf&eacute; &amp;#8211; &bull; &#xE9;&unknown; &"),
            "Café &#8211; • é&unknown; &"
        );
        assert_eq!(
            clean("Budget Traveler&#8217;s Guide"),
            "Budget Traveler’s Guide"
        );
    }

    #[test]
    fn names_are_split() {
        assert_eq!(
            split_names("By Danielle DeSiato, Donna Enzmann, and Natalie Nguyen"),
            ["Danielle DeSiato", "Donna Enzmann", "Natalie Nguyen"]
        );
        assert_eq!(split_names("Maria & Katerina"), ["Maria", "Katerina"]);
        assert!(split_names("https://example.com/people/x").is_empty());
    }
}
