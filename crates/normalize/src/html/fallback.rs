//! Main text when rs-trafilatura finds (almost) none on a page that has an
//! article: the JSON-LD `articleBody` the page gives, or the paragraphs of
//! its `<article>` / `articleBody` / `<main>` element. trafilatura itself
//! falls back the same way (to readability and jusText) when its own
//! extraction comes out short.

use dom_query::Document;

/// Containers of an article's text, most specific first.
const CONTAINERS: &[&str] = &[
    "[itemprop=\"articleBody\" i]",
    "article",
    "main",
    "[role=\"main\" i]",
];

/// Blocks of text kept from a container.
const BLOCKS: &str = "p, h2, h3, h4, li, blockquote, pre";

/// The paragraphs of the page's article by the means above, whichever
/// gives more words; empty when neither finds any.
pub(crate) fn paragraphs(html: &str, json_ld: &[String]) -> Vec<String> {
    let from_ld = super::meta::article_body(json_ld)
        .map(|body| split(&body))
        .unwrap_or_default();
    let from_dom = container_text(html);
    if words(&from_dom) >= words(&from_ld) {
        from_dom
    } else {
        from_ld
    }
}

fn words(paragraphs: &[String]) -> usize {
    paragraphs
        .iter()
        .map(|p| p.split_whitespace().count())
        .sum()
}

fn split(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect()
}

/// The text blocks of the first container that has any, outermost blocks
/// only (a `<p>` inside an `<li>` is read once).
fn container_text(html: &str) -> Vec<String> {
    let doc = Document::from(html);
    let is_block = |name: &str| BLOCKS.split(", ").any(|b| b == name);
    for selector in CONTAINERS {
        let container = doc.select(selector).first();
        let Some(root) = container.nodes().first().map(|n| n.id) else {
            continue;
        };
        let mut out = Vec::new();
        for block in container.select(BLOCKS).nodes() {
            let nested = block
                .ancestors_it(None)
                .take_while(|a| a.id != root)
                .any(|a| a.node_name().is_some_and(|n| is_block(&n)));
            if nested {
                continue;
            }
            let text = block
                .text()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if !text.is_empty() {
                out.push(text);
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_paragraphs_or_the_json_ld_body() {
        let page = "<html><body><nav><p>Menu</p></nav><main><article><h2>Lessons</h2>\
            <p>First <a href=x>point</a> made.</p><ul><li><p>Nested</p></li></ul></article></main></body></html>";
        assert_eq!(
            paragraphs(page, &[]),
            ["Lessons", "First point made.", "Nested"]
        );
        let ld = r#"{"@type":"Blog","blogPost":[{"@type":"BlogPosting","articleBody":"One two three.\nFour five six seven."}]}"#;
        assert_eq!(
            paragraphs("<html><body><p>x</p></body></html>", &[ld.to_string()]),
            ["One two three.", "Four five six seven."]
        );
    }
}
