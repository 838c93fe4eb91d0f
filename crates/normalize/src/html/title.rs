//! The headline of a page: its visible `<h1>` when that is the article's,
//! else the titles the page gives itself (JSON-LD `headline`, `og:title`,
//! `twitter:title`, `<title>`) with the site's name cut off.

use dom_query::Document;

use super::meta::{MetaTags, clean, meta_content, non_empty};

/// Separators between a headline and the site name in `<title>`.
const SITE_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » "];

/// Cuts the site's name (or a section's, `… | Opinion`) off a title: the
/// part after the last separator when it is the site's name or at most four
/// words after a head of three or more, or the part before it when that is
/// the site's name; repeated, for `Headline | Section | Site`.
fn cut_site(title: String, site: Option<&str>) -> String {
    let mut t = title;
    'cut: for _ in 0..3 {
        for sep in SITE_SEPARATORS {
            if let Some(at) = t.rfind(sep) {
                let (head, tail) = (&t[..at], &t[at + sep.len()..]);
                let tail_is_site = site.is_some_and(|s| tail.eq_ignore_ascii_case(s))
                    || tail.split_whitespace().count() <= 4 && head.split_whitespace().count() >= 3;
                if tail_is_site {
                    t = head.trim().to_string();
                    continue 'cut;
                }
                if site.is_some_and(|s| head.eq_ignore_ascii_case(s)) {
                    t = tail.trim().to_string();
                    continue 'cut;
                }
            }
        }
        break;
    }
    t
}

/// Cuts the site's name off the end of a visible headline (`Best UK
/// Exhibitions 2025 – Artlyst`); nothing else, as a headline's own strap
/// reads like a section's name.
fn cut_site_name(headline: String, site: Option<&str>) -> String {
    let Some(site) = site else {
        return headline;
    };
    SITE_SEPARATORS
        .iter()
        .find_map(|sep| {
            let (head, tail) = headline.rsplit_once(sep)?;
            (tail.trim().eq_ignore_ascii_case(site) && !head.trim().is_empty())
                .then(|| head.trim().to_string())
        })
        .unwrap_or(headline)
}

/// The visible headline as a title: a date before it (`Dec 18 2025
/// Preparing …`) and a strap after ` | ` (`… | Top 19 Companies`) are not
/// part of it.
fn headline_of(h1: String) -> String {
    let words: Vec<&str> = h1.split_whitespace().collect();
    let h1 = (3..=4.min(words.len().saturating_sub(2)))
        .rev()
        .find(|n| crate::header_date::parse(&words[..*n].join(" ")).is_some())
        .map_or(h1.clone(), |n| words[n..].join(" "));
    match h1.split_once(" | ") {
        Some((head, _)) if head.split_whitespace().count() >= 2 => head.trim().to_string(),
        _ => h1,
    }
}

/// Elements whose edges are a break between words even when the page puts
/// no white space there (`WEEKEND<br>CODING<br>AGENT`).
const BREAKING: &[&str] = &[
    "br", "p", "div", "li", "section", "header", "h1", "h2", "h3", "h4", "h5", "h6",
];

/// An element's text as it is shown: its text nodes, with a space where a
/// line break or a block element separates them.
fn shown_text(node: &dom_query::NodeRef) -> Option<String> {
    let mut text = String::new();
    for n in node.descendants_it() {
        if n.is_text() {
            text.push_str(&n.text());
        } else if n
            .node_name()
            .is_some_and(|name| BREAKING.iter().any(|b| name.eq_ignore_ascii_case(b)))
        {
            text.push(' ');
        }
    }
    non_empty(text)
}

/// Lower-cased words of three or more letters or digits.
fn content_words(text: &str) -> std::collections::HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

/// The headline: the visible one (the article's `<h1>`, or the page's only
/// `<h1>`, two to 40 words, not the site's name, sharing a word with the
/// page's metadata titles when it has any), else JSON-LD `headline`,
/// `og:title`, `twitter:title`, `<title>`, with the site name cut off.
pub(super) fn title(
    doc: &Document,
    tags: &MetaTags,
    ld_headline: Option<String>,
    site: Option<&str>,
) -> Option<String> {
    let fold = |t: &str| clean(t).to_lowercase();
    let words = |t: &str| t.split_whitespace().count();
    let is_site = |t: &str| site.is_some_and(|s| fold(s) == fold(t));
    // The visible headline: the article's `<h1>`, or the page's only one.
    let h1 = ["article h1", "main h1", "[itemprop=\"headline\"]"]
        .iter()
        .find_map(|sel| doc.select(sel).nodes().iter().find_map(shown_text))
        .or_else(|| {
            let all = doc.select("h1");
            let nodes = all.nodes();
            (nodes.len() == 1).then(|| shown_text(&nodes[0])).flatten()
        })
        .map(headline_of)
        .map(|h| cut_site_name(h, site))
        .filter(|h| (2..=40).contains(&words(h)) && !is_site(h));
    let page_title = doc
        .select("head title")
        .nodes()
        .first()
        .and_then(|n| non_empty(n.text()));
    let metas: Vec<String> = [
        ld_headline,
        meta_content(tags, &["og:title"]),
        meta_content(tags, &["twitter:title"]),
        page_title,
    ]
    .into_iter()
    .flatten()
    .map(|t| cut_site(t, site))
    .filter(|t| !t.is_empty() && !is_site(t))
    .collect();
    // An `<h1>` that shares no word with any title the page gives itself
    // is a site's, a section's or an author's name, not the headline.
    let h1 = h1.filter(|h| {
        let own = content_words(h);
        metas.is_empty()
            || own.is_empty()
            || metas.iter().any(|m| !own.is_disjoint(&content_words(m)))
    });
    // The same words in the page's own title: the publisher's spelling
    // (themes set a headline in capitals, curl its quotes or garble them).
    let h1 = h1.map(|h| {
        let own = word_sequence(&h);
        metas
            .iter()
            .find(|m| word_sequence(m) == own && same_edges(m, &h))
            .cloned()
            .unwrap_or(h)
    });
    h1.or_else(|| metas.into_iter().next())
}

/// Whether two titles start and end with the same character (case and
/// quote style aside): a title wrapped in quotes or marks (`## …`, `… ⋆`)
/// or missing the headline's `?` is not the headline's spelling.
fn same_edges(a: &str, b: &str) -> bool {
    let fold = |c: Option<char>| {
        c.map(|c| match c {
            '\u{2019}' | '\u{2018}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            c => c.to_ascii_lowercase(),
        })
    };
    let (a, b) = (a.trim(), b.trim());
    fold(a.chars().next()) == fold(b.chars().next())
        && fold(a.chars().next_back()) == fold(b.chars().next_back())
}

/// The words of a title, lower-cased, apostrophes and `&` read as what
/// they stand for: titles that differ only in case, quotes, dashes or
/// spacing have the same sequence.
fn word_sequence(title: &str) -> Vec<String> {
    title
        .replace('&', " and ")
        .split(|c: char| !c.is_alphanumeric() && !matches!(c, '\'' | '\u{2019}'))
        .map(|w| {
            w.trim_matches(['\'', '\u{2019}'])
                .replace('\u{2019}', "'")
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_and_straps_are_cut() {
        assert_eq!(
            cut_site(
                "Rates rise again | Business | The Daily".into(),
                Some("The Daily")
            ),
            "Rates rise again"
        );
        assert_eq!(
            headline_of("Best Movers in NYC 2025 | Top 19 Companies".into()),
            "Best Movers in NYC 2025"
        );
        assert_eq!(
            headline_of("Dec 18 2025 Preparing a transition".into()),
            "Preparing a transition"
        );
    }

    #[test]
    fn an_h1_unrelated_to_the_page_titles_is_not_the_headline() {
        let page = Document::from(
            "<html><head><title>A brief intro to git | Notes</title></head>\
             <body><h1>Cory Dransfeldt</h1><p>Text</p></body></html>",
        );
        assert_eq!(
            title(&page, &Vec::new(), None, None).as_deref(),
            Some("A brief intro to git")
        );
    }

    #[test]
    fn the_publishers_spelling_of_the_same_words_and_no_site_name() {
        let page = Document::from(
            "<html><head><title>Why Rates Rise - Daily</title>\
             <meta property=\"og:site_name\" content=\"Daily\"></head>\
             <body><h1>Why Rates Rise \u{2014} Daily</h1></body></html>",
        );
        let site = Some("Daily");
        assert_eq!(
            title(&page, &Vec::new(), None, site).as_deref(),
            Some("Why Rates Rise")
        );
        let page = Document::from(
            "<html><head><title>The Beginner's Guide &amp; More</title></head>\
             <body><h1>The Beginner\u{2019}s Guide and More</h1></body></html>",
        );
        assert_eq!(
            title(&page, &Vec::new(), None, None).as_deref(),
            Some("The Beginner's Guide & More")
        );
        // Marks around the page's title: the headline stays.
        let page = Document::from(
            "<html><head><title>## Rates rise again</title></head>\
             <body><h1>Rates rise again</h1></body></html>",
        );
        assert_eq!(
            title(&page, &Vec::new(), None, None).as_deref(),
            Some("Rates rise again")
        );
    }

    #[test]
    fn line_breaks_in_an_h1_separate_words() {
        let page = Document::from(
            "<html><head><title>A weekend coding agent, reviewed</title></head>\
             <body><h1> WEEKEND<br>CODING<br> <span>AGENT</span> </h1></body></html>",
        );
        assert_eq!(
            title(&page, &Vec::new(), None, None).as_deref(),
            Some("WEEKEND CODING AGENT")
        );
    }
}
