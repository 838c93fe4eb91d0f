//! Wire agencies: the credits of the copy ([`credits`]), and the agencies
//! named anywhere ([`AgencyFinder`], for removed credit lines such as `(With
//! Reuters and AFP)`).

pub mod credits;

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use wirehose_text::lists::pairs;

/// Surface forms and the canonical agency name they stand for. Case-sensitive:
/// `AP` is the agency, `ap` is not.
static AGENCIES: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| pairs(include_str!("../../data/agencies.tsv")));

/// Finds agency names with word boundaries, in order of first appearance.
#[derive(Debug)]
pub struct AgencyFinder {
    matcher: AhoCorasick,
}

impl Default for AgencyFinder {
    fn default() -> Self {
        AgencyFinder::new()
    }
}

fn boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    !is_word(before) && !is_word(after)
}

impl AgencyFinder {
    /// Builds the matcher.
    pub fn new() -> AgencyFinder {
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(AGENCIES.iter().map(|(surface, _)| surface))
            .expect("agency patterns build");
        AgencyFinder { matcher }
    }

    /// Returns the canonical names of the agencies named in `body` and in
    /// `extra` texts (title, removed credit lines), first appearance first.
    pub fn find(&self, body: &str, extra: &[&str]) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for text in std::iter::once(body).chain(extra.iter().copied()) {
            for hit in self.matcher.find_iter(text) {
                if !boundary(text, hit.start(), hit.end()) {
                    continue;
                }
                let name = AGENCIES[hit.pattern().as_usize()].1;
                if !found.iter().any(|f| f == name) {
                    found.push(name.to_string());
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_agencies_with_boundaries() {
        let finder = AgencyFinder::new();
        let found = finder.find(
            "told TASS. AP reported, says Reuters. The APEC summit; MAPS",
            &["(With Reuters and AFP)"],
        );
        assert_eq!(found, vec!["TASS", "AP", "Reuters", "AFP"]);
        assert!(finder.find("the cap and map", &[]).is_empty());
    }
}
