//! The people a page's visible byline names: its author elements
//! (`rel=author` links, `.author`, `.byline`, `itemprop=author`) and, when
//! those give none, a byline in its text (`Written by` + names).

use dom_query::Document;

use super::meta::{clean, credential, handle, split_names, text_chunks};

/// Elements that show an article's author to the reader.
const AUTHOR_ELEMENTS: &[&str] = &[
    "[itemprop=\"author\" i] [itemprop=\"name\" i]",
    "[itemprop=\"author\" i]",
    "a[rel=\"author\" i]",
    "a[href*=\"/author/\" i]",
    "a[href*=\"/authors/\" i]",
    "a[href*=\"author=\" i]",
    "[class*=\"author-name\" i]",
    "[class*=\"author\" i] a",
    "[class*=\"byline\" i] a",
    "[class*=\"author\" i]",
    "[class*=\"byline\" i]",
];

/// The people the page's byline elements name: the first element of
/// `AUTHOR_ELEMENTS` (in that order) with a short text that reads as a
/// byline (`By Ann Lee`) or as names.
pub(super) fn visible_authors(doc: &Document) -> Vec<String> {
    for selector in AUTHOR_ELEMENTS {
        let selection = doc.select(selector);
        let nodes = selection.nodes();
        for (i, node) in nodes.iter().enumerate().take(20) {
            let pieces = text_pieces(node);
            let mut names = names_in(&pieces);
            // An author box (name, role, biography): the name is one of
            // its first pieces.
            let boxed = pieces.len() <= 12 && pieces.iter().map(String::len).sum::<usize>() <= 600;
            if names.is_empty() && boxed && !selector.starts_with('a') {
                names = pieces
                    .iter()
                    .take(3)
                    .map(|p| names_in(std::slice::from_ref(p)))
                    .find(|n| n.len() == 1 && n[0].split_whitespace().count() >= 2)
                    .unwrap_or_default();
            }
            if names.is_empty() {
                continue;
            }
            // Links to several authors' pages side by side (`<a>Ann
            // Lee</a>, <a>Bo Chan</a>`, or one per list item): every one
            // under the same parent, or the same grandparent.
            if selector.starts_with('a') {
                let up = |n: &dom_query::NodeRef, levels: usize| {
                    let mut at = n.parent();
                    for _ in 1..levels {
                        at = at.and_then(|p| p.parent());
                    }
                    at.map(|p| p.id)
                };
                for other in nodes[i + 1..].iter().take(10) {
                    let together = up(other, 1) == up(node, 1)
                        || (up(other, 2).is_some() && up(other, 2) == up(node, 2));
                    if together {
                        for name in names_in(&text_pieces(other)) {
                            if !names.contains(&name) {
                                names.push(name);
                            }
                        }
                    }
                }
            }
            return names;
        }
    }
    Vec::new()
}

/// `Roy, Aniruddha` (a scholarly page's `citation_author`) as `Aniruddha
/// Roy`: one comma between a capitalised family name of one word and one
/// or two capitalised given names.
pub(super) fn inverted_name(value: &str) -> Option<String> {
    let (last, first) = value.split_once(',')?;
    let (last, first) = (last.trim(), first.trim());
    let name_part = |part: &str| {
        let words: Vec<&str> = part.split_whitespace().collect();
        (1..=2).contains(&words.len())
            && words.iter().all(|w| w.starts_with(char::is_uppercase))
            && !credential(part)
    };
    // The family name is one word: `Ann Lee, Bo Chan` is two people.
    (!first.contains(',') && !last.contains(' ') && name_part(last) && name_part(first))
        .then(|| format!("{first} {last}"))
}

/// The people a byline element names, given its text pieces: a byline
/// (`By Ann Lee`), or names, a piece holding a role left out (`<b>Ann
/// Lee</b><i>AI Writer</i>`) and a role after a name cut off (`Rachel
/// MacDonald Writer`, `David Jackson - Editorial Team`).
fn names_in(pieces: &[String]) -> Vec<String> {
    let text = clean(&pieces.join(" "));
    if text.is_empty() || text.chars().count() > 80 {
        return Vec::new();
    }
    crate::byline::authors(&text).unwrap_or_else(|| {
        pieces
            .iter()
            .flat_map(|piece| {
                let piece = piece.strip_prefix("Author:").unwrap_or(piece).trim();
                split_names(piece)
            })
            .map(|n| without_role(&n))
            .filter(|n| {
                let words = n.split_whitespace().count();
                // A word of four capitals or more is a shouted label
                // (`GARDEN MAINTENANCE`), not a name.
                let shouted = |w: &str| {
                    w.chars().filter(|c| c.is_alphabetic()).count() >= 4
                        && !w.chars().any(char::is_lowercase)
                };
                let inner = |i: usize| i > 0 && i + 1 < words;
                (1..=4).contains(&words)
                    && n.split_whitespace().enumerate().all(|(i, w)| {
                        (w.starts_with(char::is_uppercase) && !shouted(w))
                            || (inner(i) && crate::byline::is_particle(w))
                    })
                    && !handle(n)
                    && !BYLINE_LABELS.contains(&n.to_lowercase().as_str())
            })
            .fold(Vec::new(), |mut names, n| {
                // After a name, a piece with a role in it is that person's
                // role (`AI Writer`), not another person.
                let role = n.split_whitespace().any(crate::byline::is_role_word);
                if !names.contains(&n) && (!role || names.is_empty()) {
                    names.push(n);
                }
                names
            })
    })
}

/// A name with a role after it cut off: the words from the first role word
/// (`Writer`, `Head`, `Reporter`, see `data/byline_roles.txt`) on, or after
/// ` - `, when two or more words are left.
fn without_role(name: &str) -> String {
    let name = name.split(" - ").next().unwrap_or(name).trim();
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.iter().position(|w| crate::byline::is_role_word(w)) {
        // Before it, a person's name, not an acronym (`AAA Travel Editor`).
        Some(at)
            if at >= 2
                && words[..at]
                    .iter()
                    .all(|w| w.chars().any(char::is_lowercase)) =>
        {
            words[..at].join(" ")
        }
        _ => name.to_string(),
    }
}

/// A node's text pieces (its text nodes, white space collapsed, empty ones
/// left out), so that a name and the role in the element after it stay
/// apart (`<b>Ann Lee</b><i>Writer</i>`).
fn text_pieces(node: &dom_query::NodeRef) -> Vec<String> {
    node.descendants_it()
        .filter(|n| n.is_text())
        .map(|n| clean(&n.text()))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Labels a byline puts before the names in an element of their own
/// (`<p>Written by</p><p>Edzel Tabing</p>`).
const BYLINE_LABELS: &[&str] = &[
    "by:",
    "article by",
    "text by",
    "by",
    "written by",
    "posted by",
    "author",
    "author:",
    "authored by",
    "words by",
    "story by",
];

/// The people a byline in the page's text names, when its elements and
/// metadata gave none: a chunk that reads as a byline (`By Ann Lee`), or a
/// label (`Written by`) followed by a chunk of two to four capitalised words.
pub(super) fn text_authors(html: &str) -> Vec<String> {
    let chunks = text_chunks(html, 4000);
    for (i, chunk) in chunks.iter().enumerate() {
        let lower = chunk.to_lowercase();
        if BYLINE_LABELS.contains(&lower.as_str()) {
            if let Some(next) = chunks.get(i + 1) {
                let names = split_names(next);
                let all_names = names.iter().all(|n| {
                    let words: Vec<&str> = n.split_whitespace().collect();
                    (2..=4).contains(&words.len())
                        && words.iter().all(|w| w.starts_with(char::is_uppercase))
                });
                if !names.is_empty() && all_names {
                    return names;
                }
            }
        } else if lower.starts_with("by ") {
            // `By Haley Hoekstra • March 12, 2025`: the names end at a
            // separator.
            let byline = chunk
                .split(['•', '|', '·', '—'])
                .next()
                .unwrap_or(chunk)
                .trim();
            if let Some(names) = crate::byline::authors(byline) {
                return names;
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn author_links_in_a_list_and_particles() {
        let page = Document::from(
            "<html><body><ul class=\"meta\"><li><a href=\"/library/?_author=John%20A.%20Alic\">John A. Alic</a></li>\
             <li><a href=\"/library/?_author=Nick\">Nick van Mead</a></li></ul>\
             <aside><a href=\"/x?author=z\">Someone Else</a></aside></body></html>",
        );
        assert_eq!(visible_authors(&page), ["John A. Alic", "Nick van Mead"]);
    }

    #[test]
    fn names_roles_and_inverted_names() {
        assert_eq!(
            inverted_name("Roy, Aniruddha").as_deref(),
            Some("Aniruddha Roy")
        );
        assert_eq!(inverted_name("Ann Lee, Bo Chan"), None);
        assert_eq!(inverted_name("Bailey, MS"), None);
        let pieces = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            names_in(&pieces(&["Stephen Jesudunsin", "AI Writer"])),
            ["Stephen Jesudunsin"]
        );
        assert_eq!(
            names_in(&pieces(&["Rachel MacDonald Writer"])),
            ["Rachel MacDonald"]
        );
        assert_eq!(names_in(&pieces(&["Written By"])), Vec::<String>::new());
    }
}
