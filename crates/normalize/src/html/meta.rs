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
    /// Last modification, as the page gives it.
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

/// Separators between a headline and the site name in `<title>`.
const SITE_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » "];

/// Credentials that follow a name (`Dylan Bailey, MS, RD`): not names.
fn credential(part: &str) -> bool {
    let letters: String = part.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty()
        && letters.chars().count() <= 6
        && part
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(|c| c.is_uppercase() || "hD".contains(c))
        && !part.contains(' ')
}

fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn non_empty(text: impl AsRef<str>) -> Option<String> {
    let text = clean(text.as_ref());
    (!text.is_empty()).then_some(text)
}

/// The `content` of the first `<meta>` whose `property`, `name` or
/// `itemprop` is one of `keys` (in key order).
fn meta_content(doc: &Document, keys: &[&str]) -> Option<String> {
    for key in keys {
        for attr in ["property", "name", "itemprop"] {
            let selection = doc.select(&format!("meta[{attr}=\"{key}\" i]"));
            for node in selection.nodes() {
                if let Some(value) = node.attr("content").and_then(non_empty) {
                    return Some(value);
                }
            }
        }
    }
    None
}

/// Every object of the page's JSON-LD blocks, `@graph` members included.
fn json_ld(doc: &Document) -> Vec<Value> {
    fn walk(value: Value, out: &mut Vec<Value>) {
        match value {
            Value::Array(items) => items.into_iter().for_each(|v| walk(v, out)),
            Value::Object(mut map) => {
                if let Some(graph) = map.remove("@graph") {
                    walk(graph, out);
                }
                out.push(Value::Object(map));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for node in doc.select("script[type=\"application/ld+json\" i]").nodes() {
        let text = node.text();
        let text = text
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

/// People named by a JSON-LD `author`: persons (or untyped names), not
/// organisations.
fn ld_people(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.extend(split_names(s)),
        Value::Array(items) => items.iter().for_each(|v| ld_people(v, out)),
        Value::Object(map) => {
            let organisation = types(value)
                .iter()
                .any(|t| t == "Organization" || t == "NewsMediaOrganization");
            if !organisation && let Some(name) = map.get("name").and_then(ld_text) {
                out.extend(split_names(&name));
            }
        }
        _ => {}
    }
}

/// Splits a byline string into people: `A, B and C`, `A & B`, credentials
/// dropped (`Dylan Bailey, MS, RD`), a leading `By` dropped.
pub fn split_names(text: &str) -> Vec<String> {
    let text = clean(text);
    let text = text
        .strip_prefix("By ")
        .or_else(|| text.strip_prefix("by "))
        .unwrap_or(&text);
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

/// `2024-05-01T10:00:00+02:00` → (`2024-05-01`, the time stamp when it has a
/// time); also `2024-05-01`, `2024/05/01`, RFC 2822.
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
    None
}

/// The headline: JSON-LD `headline`, `og:title`, `twitter:title`, the first
/// `<h1>`, `<title>`, each with the site name cut off; where the `<h1>`
/// agrees with a meta title (or is a prefix of `<title>`), the `<h1>`.
fn title(doc: &Document, ld_headline: Option<String>, site: Option<&str>) -> Option<String> {
    let cut = |t: String| -> String {
        for sep in SITE_SEPARATORS {
            if let Some(at) = t.rfind(sep) {
                let (head, tail) = (&t[..at], &t[at + sep.len()..]);
                let tail_is_site = site.is_some_and(|s| tail.eq_ignore_ascii_case(s))
                    || tail.split_whitespace().count() <= 4 && head.split_whitespace().count() >= 3;
                if tail_is_site {
                    return head.trim().to_string();
                }
                let head_is_site = site.is_some_and(|s| head.eq_ignore_ascii_case(s));
                if head_is_site {
                    return tail.trim().to_string();
                }
            }
        }
        t
    };
    let fold = |t: &str| clean(t).to_lowercase();
    let h1 = ["article h1", "main h1", "h1"].iter().find_map(|sel| {
        doc.select(sel)
            .nodes()
            .iter()
            .find_map(|n| non_empty(n.text()))
    });
    let metas: Vec<String> = [
        ld_headline,
        meta_content(doc, &["og:title"]),
        meta_content(doc, &["twitter:title"]),
    ]
    .into_iter()
    .flatten()
    .map(cut)
    .collect();
    let page_title = doc
        .select("head title")
        .nodes()
        .first()
        .and_then(|n| non_empty(n.text()))
        .map(cut);
    if let Some(h1) = &h1 {
        let agrees = metas.iter().chain(page_title.iter()).any(|m| {
            let (m, h) = (fold(m), fold(h1));
            m == h || m.starts_with(&h) && h.split_whitespace().count() >= 3
        });
        if agrees {
            return Some(h1.clone());
        }
    }
    metas.into_iter().next().or(page_title).or(h1)
}

/// Reads the metadata of a page's HTML.
pub fn read(html: &str) -> PageMeta {
    let doc = Document::from(html);
    let ld = json_ld(&doc);
    let article = ld.iter().find(|o| is_article(o));
    let ld_field = |key: &str| article.and_then(|a| a.get(key)).and_then(ld_text);
    let site = meta_content(&doc, &["og:site_name", "application-name"])
        .or_else(|| article.and_then(|a| a.get("publisher")).and_then(ld_text))
        .or_else(|| {
            ld.iter()
                .find(|o| types(o).iter().any(|t| t == "WebSite"))
                .and_then(|o| o.get("name"))
                .and_then(ld_text)
        });
    let mut meta = PageMeta {
        title: title(&doc, ld_field("headline"), site.as_deref()),
        site,
        ..PageMeta::default()
    };
    // Dates.
    let published = ld_field("datePublished")
        .or_else(|| {
            meta_content(
                &doc,
                &[
                    "article:published_time",
                    "og:published_time",
                    "datePublished",
                    "parsely-pub-date",
                    "sailthru.date",
                    "publish-date",
                    "publishdate",
                    "pubdate",
                    "date",
                    "dc.date.issued",
                    "dc.date",
                    "dcterms.created",
                ],
            )
        })
        .or_else(|| {
            ["[itemprop=\"datePublished\"]", "time[datetime]"]
                .iter()
                .find_map(|sel| {
                    doc.select(sel).nodes().iter().find_map(|n| {
                        n.attr("datetime")
                            .or_else(|| n.attr("content"))
                            .and_then(non_empty)
                    })
                })
        })
        .or_else(|| ld_field("dateCreated"));
    if let Some((date, at)) = published.as_deref().and_then(date_of) {
        meta.published = Some(date);
        meta.published_at = at;
    }
    meta.modified_at = ld_field("dateModified").or_else(|| {
        meta_content(
            &doc,
            &["article:modified_time", "og:updated_time", "dateModified"],
        )
    });
    // Authors.
    let mut authors = Vec::new();
    if let Some(author) = article.and_then(|a| a.get("author")) {
        ld_people(author, &mut authors);
    }
    if authors.is_empty()
        && let Some(names) = meta_content(
            &doc,
            &[
                "author",
                "article:author",
                "parsely-author",
                "sailthru.author",
                "dc.creator",
            ],
        )
    {
        authors = split_names(&names);
    }
    if authors.is_empty() {
        for sel in [
            "[itemprop=\"author\"] [itemprop=\"name\"]",
            "[itemprop=\"author\"]",
            "a[rel=\"author\"]",
            "[class*=\"author-name\"]",
            "[class*=\"byline\"] a",
            "[class*=\"byline\"]",
        ] {
            if let Some(text) = doc
                .select(sel)
                .nodes()
                .iter()
                .find_map(|n| non_empty(n.text()))
            {
                authors = split_names(&text);
                if !authors.is_empty() {
                    break;
                }
            }
        }
    }
    meta.authors = authors;
    // The rest.
    meta.url = doc
        .select("link[rel=\"canonical\" i]")
        .nodes()
        .iter()
        .find_map(|n| n.attr("href").and_then(non_empty))
        .or_else(|| meta_content(&doc, &["og:url"]));
    meta.description = meta_content(
        &doc,
        &["og:description", "description", "twitter:description"],
    );
    meta.language = doc
        .select("html")
        .nodes()
        .first()
        .and_then(|n| n.attr("lang").and_then(non_empty))
        .or_else(|| meta_content(&doc, &["og:locale", "content-language"]))
        .and_then(|l| {
            let code = l
                .split(['-', '_'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            (code.len() == 2 || code.len() == 3).then_some(code)
        });
    meta.section = ld_field("articleSection").or_else(|| meta_content(&doc, &["article:section"]));
    let mut tags: Vec<String> = doc
        .select("meta[property=\"article:tag\" i]")
        .nodes()
        .iter()
        .filter_map(|n| n.attr("content").and_then(non_empty))
        .collect();
    if tags.is_empty()
        && let Some(keywords) =
            ld_field("keywords").or_else(|| meta_content(&doc, &["keywords", "news_keywords"]))
    {
        tags = keywords.split(',').filter_map(non_empty).collect();
    }
    meta.tags = tags;
    meta
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
        let meta = read(page);
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
    fn meta_tags_and_title_without_site_name() {
        let page = r#"<html><head><title>Ten ways to cook rice - Kitchen Tales</title>
            <meta name="author" content="Dylan Bailey, MS, RD and Ann Lee">
            <meta property="article:published_time" content="2024-11-02">
            </head><body><p>Text</p></body></html>"#;
        let meta = read(page);
        assert_eq!(meta.title.as_deref(), Some("Ten ways to cook rice"));
        assert_eq!(meta.authors, ["Dylan Bailey", "Ann Lee"]);
        assert_eq!(meta.published.as_deref(), Some("2024-11-02"));
        assert_eq!(meta.published_at, None);
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
