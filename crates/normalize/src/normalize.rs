//! The normalize transform: configuration and the boilerplate rules.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};
use serde::Deserialize;
use wirehose_core::{
    BuildContext, BuiltTransform, Cloned, ConfigProblem, Record, Removed, StageError, Transform,
    TransformConfig,
};

use crate::clean::{clean_text, paragraphs};
use crate::decode::decode;
use crate::lists::words;

fn default_true() -> bool {
    true
}
fn default_max_title_chars() -> usize {
    200
}

/// Raw configuration of the normalize transform.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalizeConfig {
    /// Apply the built-in boilerplate rules (share buttons, ads, captions,
    /// disclaimers, agency credits, related links, stray trailing words).
    /// Default true.
    #[serde(default = "default_true")]
    pub default_rules: bool,
    /// Extra paragraphs to drop when they equal one of these, ignoring case
    /// and trailing punctuation. Default none.
    #[serde(default)]
    pub drop_lines: Vec<String>,
    /// Extra regular expressions; a paragraph matching one is dropped.
    /// Default none.
    #[serde(default)]
    pub drop_patterns: Vec<String>,
    /// Drop a paragraph that repeats an earlier one, and a short lead that a
    /// later paragraph repeats in full. Default true.
    #[serde(default = "default_true")]
    pub drop_repeats: bool,
    /// Longest first line taken as the title, in characters. Default 200.
    #[serde(default = "default_max_title_chars")]
    pub max_title_chars: usize,
}

impl TransformConfig for NormalizeConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn BuiltTransform>, ConfigProblem> {
        Normalize::new(self)
            .map(|n| Box::new(Cloned(n)) as Box<dyn BuiltTransform>)
            .map_err(|(key, message)| cx.problem(key, message))
    }
}

/// Share buttons left as a paragraph (`data/share_lines.txt`).
static SHARE_LINES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/share_lines.txt")));
/// Advertisement markers left as a paragraph (`data/ad_lines.txt`).
static ABBREVIATIONS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/abbreviations.txt")));

static AD_LINES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/ad_lines.txt")));
/// Paragraphs that open a related-links trailer (`data/trailer_markers.txt`).
static SIGN_OFFS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/sign_offs.txt")));

/// `text` without a closing agency sign-off (`… at par. REUTER` → `… at par.`).
fn without_sign_off(text: &str) -> &str {
    let trimmed = text.trim_end();
    match trimmed.rsplit_once(char::is_whitespace) {
        Some((before, last)) if SIGN_OFFS.contains(&last) => before.trim_end(),
        None if SIGN_OFFS.contains(&trimmed) => "",
        _ => trimmed,
    }
}

/// Whether a line can be the title of a linked story: no figures, which
/// mark the story's own lines (`Shr 24 cts vs 13 cts`, `Record April 10`).
fn link_title_like(text: &str) -> bool {
    !text.chars().any(|c| c.is_ascii_digit())
}

static TRAILER_MARKERS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/trailer_markers.txt")));

/// The runtime normalize transform.
#[derive(Debug, Clone)]
pub struct Normalize {
    default_rules: bool,
    drop_lines: HashSet<String>,
    /// The longest entry of `drop_lines` and the built-in line lists, in
    /// bytes: no longer paragraph is compared to them.
    longest_line: usize,
    drop_patterns: Option<RegexSet>,
    drop_repeats: bool,
    max_title_chars: usize,
    caption: Regex,
    disclaimer: Regex,
    credit: Regex,
    date_prefix: Regex,
}

/// `text` without surrounding space and trailing punctuation: what [`key`]
/// lower-cases.
fn key_source(text: &str) -> &str {
    text.trim()
        .trim_end_matches(['.', ':', '!', '|', '»', '›', '>'])
        .trim()
}

/// The form a paragraph is compared to line lists in: trimmed (see
/// [`key_source`]) and lower-cased.
fn key(text: &str) -> String {
    key_source(text).to_lowercase()
}

/// [`key`] of `text` when it could equal a list entry of at most `longest`
/// bytes: lower-casing shortens text at most threefold (`K`, the
/// Kelvin sign, to `k`; no character of UTF-8's four bytes at most could
/// shrink more than fourfold), so a paragraph over four times that is no
/// line of any list and is not lower-cased at all (most of an article's
/// paragraphs).
fn short_key(text: &str, longest: usize) -> Option<String> {
    let source = key_source(text);
    (source.len() <= 4 * longest).then(|| source.to_lowercase())
}

/// The longest entry, in bytes, of the built-in line lists and `custom`.
fn longest_line<'a>(custom: impl Iterator<Item = &'a String>) -> usize {
    let lists = [&SHARE_LINES, &AD_LINES, &TRAILER_MARKERS];
    let built_in = lists.iter().flat_map(|l| l.iter()).map(|l| l.len());
    built_in.chain(custom.map(String::len)).max().unwrap_or(0)
}

/// The title when `first`, the first paragraph, reads as a headline, with
/// `next` the longest of the (up to three) paragraphs after it (`None` in a
/// one-line file, whose line is its title). A headline is short (at most `max_chars` characters and 30
/// words); one that ends as a sentence ends (`.`, `?`, `!`, possibly inside
/// a closing quote) must be headline-length (20 words) and shorter than a
/// paragraph right after it (a label such as `ABSTRACT.` may come between), and it never ends in `,`, `;` or `:` (a lead-in). A
/// single sentence's final full stop is dropped (`Bad Optics.` → `Bad
/// Optics`, `‘Disgusting Fraud.’` → `‘Disgusting Fraud’`); an abbreviation
/// (`U.S.`) and a headline of several sentences (`Could make history.
/// Again.`) keep theirs.
fn headline(first: &str, next: Option<&str>, max_chars: usize) -> Option<String> {
    let words = first.split_whitespace().count();
    if first.chars().count() > max_chars || words > 30 || first.ends_with([',', ';', ':']) {
        return None;
    }
    let closing = |c: char| matches!(c, '"' | '\'' | '\u{2019}' | '\u{201d}' | '\u{bb}' | ')');
    let bare = first.trim_end_matches(closing);
    let sentence_end = bare.ends_with(['.', '!', '?', '\u{2026}']);
    if sentence_end {
        let next_words = next.map_or(usize::MAX, |n| n.split_whitespace().count());
        if words > 20 || next_words <= words {
            return None;
        }
    } else if next.is_none() {
        // A one-line file: its line is its title.
        return Some(first.to_string());
    }
    if !bare.ends_with('.') || bare.ends_with("..") {
        return Some(first.to_string());
    }
    let body = &bare[..bare.len() - 1];
    let last_word = body.split_whitespace().last().unwrap_or("");
    let abbreviation = last_word.contains('.')
        || (last_word.chars().count() == 1 && last_word.chars().all(char::is_uppercase));
    // A full stop inside, after a word that is neither an initial (`Mary J.
    // Blige`) nor an abbreviation (`Calif.`): a headline of full sentences.
    let several_sentences = body.match_indices(". ").any(|(at, _)| {
        let word = body[..at].split_whitespace().last().unwrap_or("");
        word.chars().count() > 1
            && !word.contains('.')
            && !ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
    });
    if abbreviation || several_sentences {
        return Some(first.to_string());
    }
    Some(format!("{body}{}", &first[bare.len()..]))
}

fn ends_like_sentence(text: &str) -> bool {
    text.trim_end().chars().last().is_some_and(|c| {
        matches!(
            c,
            '.' | '!' | '?' | '"' | '”' | '’' | '\'' | ')' | '…' | ':' | ';' | ']'
        )
    })
}

impl Normalize {
    /// Builds the transform, or returns the offending key and why.
    pub fn new(config: &NormalizeConfig) -> Result<Normalize, (&'static str, String)> {
        let drop_patterns = if config.drop_patterns.is_empty() {
            None
        } else {
            Some(RegexSet::new(&config.drop_patterns).map_err(|err| {
                (
                    "drop_patterns",
                    format!("invalid regular expression: {err}"),
                )
            })?)
        };
        if config.max_title_chars == 0 {
            return Err(("max_title_chars", "must be at least 1".into()));
        }
        let compile = |pattern: &str| Regex::new(pattern).expect("built-in pattern compiles");
        let drop_lines: HashSet<String> = config.drop_lines.iter().map(|l| key(l)).collect();
        Ok(Normalize {
            default_rules: config.default_rules,
            longest_line: longest_line(drop_lines.iter()),
            drop_lines,
            drop_patterns,
            drop_repeats: config.drop_repeats,
            max_title_chars: config.max_title_chars,
            caption: compile(
                r"(?i)^(?:[^.()]{0,60}\.?\s*)?\((?:file|representational|representative|archive|stock)?\s*(?:image|photo|picture|pic|photograph)s?(?:\s*[:/][^)]*)?\)$",
            ),
            disclaimer: compile(
                r"(?i)^\(?\s*(?:this is an unedited and auto-generated story|this story has not been edited|except for the headline, this story has not been edited|this article (?:was|has been) (?:auto-?generated|automatically generated)|disclaimer:)",
            ),
            credit: compile(
                r"(?i)^\(\s*(?:with|additional reporting by|reporting by|inputs from|with inputs from|compiled by|written by|editing by)\s+[^()]{1,120}\)$",
            ),
            date_prefix: compile(
                r"(?i)^(?:date|published|publication date|posted)\s*:?\s*(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?\b\s*",
            ),
        })
    }

    /// Returns why `paragraph` is boilerplate, if it is.
    fn boilerplate(&self, paragraph: &str) -> Option<&'static str> {
        let k = short_key(paragraph, self.longest_line);
        let k = k.as_deref();
        if k.is_some_and(|k| self.drop_lines.contains(k)) {
            return Some("custom_line");
        }
        if let Some(set) = &self.drop_patterns
            && set.is_match(paragraph)
        {
            return Some("custom_pattern");
        }
        if !self.default_rules {
            return None;
        }
        if let Some(k) = k {
            if SHARE_LINES.contains(&k) {
                return Some("share_button");
            }
            if AD_LINES.contains(&k) {
                return Some("advertisement");
            }
        }
        if paragraph.len() <= 160 && self.caption.is_match(paragraph) {
            return Some("image_caption");
        }
        if self.disclaimer.is_match(paragraph) {
            return Some("disclaimer");
        }
        if paragraph.len() <= 160 && self.credit.is_match(paragraph) {
            return Some("agency_credit");
        }
        None
    }

    /// Metadata: a date line in the header block of `cleaned`, before or
    /// after the headline, with or without a blank line (unless a web page
    /// gave the date); the line is taken out of the text.
    fn header_date(cleaned: &mut String, record: &mut Record) {
        if record.published.is_some() {
            return;
        }
        let found = cleaned
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(3)
            .find_map(|l| {
                crate::header_date::parse(l.trim_start_matches(crate::clean::INDENT))
                    .map(|found| (l.to_string(), found))
            });
        if let Some((line, found)) = found {
            record.published = Some(found.date);
            record.published_at = found.at;
            if let Some(at) = cleaned.find(&line) {
                let end = (at + line.len() + 1).min(cleaned.len());
                cleaned.replace_range(at..end, "");
            }
        }
    }

    fn normalize(&self, text: &str, record: &mut Record) {
        let mut cleaned = clean_text(text);
        Self::header_date(&mut cleaned, record);
        let mut paras = paragraphs(&cleaned);
        let mut removed: Vec<Removed> = Vec::new();
        let drop = |text: String, reason: &str, removed: &mut Vec<Removed>| {
            removed.push(Removed {
                text,
                reason: reason.to_string(),
            })
        };

        // Metadata: a leading `date YYYY-MM-DD`.
        if record.published.is_none()
            && let Some(first) = paras.first_mut()
            && let Some(found) = self.date_prefix.captures(first)
        {
            record.published = Some(found[1].to_string());
            let rest = first[found.get(0).map_or(0, |m| m.end())..]
                .trim()
                .to_string();
            *first = rest;
            if first.is_empty() {
                paras.remove(0);
            }
        }

        // Line rules.
        let mut kept: Vec<String> = Vec::with_capacity(paras.len());
        for paragraph in paras {
            match self.boilerplate(&paragraph) {
                Some(reason) => drop(paragraph, reason, &mut removed),
                None => kept.push(paragraph),
            }
        }

        // Bylines in the first paragraphs: names to `authors`, the line to
        // `removed` (reason `byline`).
        let mut index = 0;
        while index < kept.len().min(4) {
            match crate::byline::authors(&kept[index]) {
                Some(names) if record.authors.is_empty() => {
                    record.authors = names;
                    drop(kept.remove(index), "byline", &mut removed);
                }
                _ => index += 1,
            }
        }

        // Title: a first short paragraph that reads as a headline.
        if record.title.is_none()
            && let Some(first) = kept.first()
            && let Some(title) = headline(
                first,
                kept.iter()
                    .skip(1)
                    .take(3)
                    .max_by_key(|p| p.split_whitespace().count())
                    .map(String::as_str),
                self.max_title_chars,
            )
        {
            kept.remove(0);
            record.title = Some(title);
        }

        if self.default_rules {
            // A related-links trailer after a marker line.
            let start = kept.len() / 3;
            if let Some(marker) = (start..kept.len()).find(|&i| {
                short_key(&kept[i], self.longest_line)
                    .is_some_and(|k| TRAILER_MARKERS.contains(&k.as_str()))
            }) && kept.len() - marker <= 41
                && kept[marker..].iter().all(|p| p.chars().count() <= 300)
                && marker > 0
            {
                for paragraph in kept.drain(marker..) {
                    drop(paragraph, "related_links", &mut removed);
                }
            }
            // Trailing lines without final punctuation: stray words, headlines of
            // related stories, leftover navigation.
            // Only with evidence: a stray word, or a run of lines that read
            // like link titles. A sign-off is not part of the judgement.
            while kept.len() > 1 {
                let whole = kept[kept.len() - 1].trim_end();
                let last = without_sign_off(whole);
                let words = last.split_whitespace().count();
                // A line the agency signed off is the story's last line.
                if last.len() != whole.len()
                    || words == 0
                    || ends_like_sentence(last)
                    || words > 16
                    || last.chars().count() > 140
                {
                    break;
                }
                let reason = if words == 1 {
                    "stray_word"
                } else if link_title_like(last) {
                    "related_links"
                } else {
                    break;
                };
                if let Some(paragraph) = kept.pop() {
                    drop(paragraph, reason, &mut removed);
                }
            }
        }

        if self.drop_repeats {
            let mut seen: HashSet<String> = HashSet::new();
            if let Some(title) = &record.title {
                seen.insert(key(title));
            }
            let mut unique: Vec<String> = Vec::with_capacity(kept.len());
            for paragraph in kept {
                if seen.insert(key(&paragraph)) {
                    unique.push(paragraph);
                } else {
                    drop(paragraph, "repeated_paragraph", &mut removed);
                }
            }
            // A short lead repeated in full by a later paragraph (a teaser
            // before the dateline paragraph): keep the fuller one.
            let mut index = 0;
            while index < unique.len().min(6) {
                let lead = &unique[index];
                let long_enough = lead.split_whitespace().count() >= 8;
                // Its first few characters first: a searcher for the whole
                // lead costs its length to build, for every later paragraph.
                let head = &lead[..lead.char_indices().nth(12).map_or(lead.len(), |(at, _)| at)];
                let repeated = long_enough
                    && unique[index + 1..].iter().any(|later| {
                        later.len() > lead.len()
                            && later.contains(head)
                            && later.contains(lead.as_str())
                    });
                if repeated {
                    let paragraph = unique.remove(index);
                    drop(paragraph, "repeated_lead", &mut removed);
                } else {
                    index += 1;
                }
            }
            kept = unique;
        }

        record.paragraphs = kept;
        record.removed = removed;
    }
}

/// Puts a web page's own metadata on the record; normalize's guesses from
/// the text (title, date line, byline) then only fill what the page left
/// empty.
fn page_metadata(meta: crate::html::PageMeta, record: &mut Record) {
    record.title = meta.title;
    record.authors = meta.authors;
    record.published = meta.published;
    record.published_at = meta.published_at;
    record.modified_at = meta.modified_at;
    record.url = meta.url;
    record.site = meta.site;
    record.description = meta.description;
    record.language = meta.language;
    record.section = meta.section;
    record.tags = meta.tags;
}

impl Transform for Normalize {
    fn process(&mut self, mut record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
        let Some(raw) = record.raw.take() else {
            // Already normalized upstream (or built by hand): pass it on.
            out.push(record);
            return Ok(());
        };
        if crate::html::looks_like_html(&record.source.path, &raw) {
            let (text, encoding) = crate::html::decode(&raw)
                .map_err(|err| StageError::invalid(err.reason, err.hint))?;
            drop(raw);
            let page = crate::html::extract_decoded(text, encoding).map_err(|err| {
                StageError::invalid(
                    err.reason,
                    "the page holds no article text (an index, a log-in or error page, a \
                     page the scraper cut short); check what the scraper saved",
                )
            })?;
            let text = page.paragraphs.join("\n\n");
            page_metadata(page.meta, &mut record);
            self.normalize(&text, &mut record);
        } else {
            let decoded = decode(&raw).map_err(|err| StageError::invalid(err.reason, err.hint))?;
            drop(raw);
            self.normalize(&decoded.text, &mut record);
        }
        if record.paragraphs.is_empty() && record.title.is_none() {
            return Err(StageError::invalid(
                "no text left after cleaning",
                "the file holds only whitespace or boilerplate; check what the scraper saved",
            ));
        }
        out.push(record);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wirehose_core::SourceInfo;

    #[test]
    fn only_paragraphs_short_enough_to_be_a_list_line_get_a_key() {
        assert_eq!(
            short_key("  SHARE this............ ", 10).as_deref(),
            Some("share this")
        );
        // Three Kelvin signs (9 bytes) lower-case to "kkk" (3 bytes).
        assert_eq!(
            short_key("\u{212A}\u{212A}\u{212A}", 3).as_deref(),
            Some("kkk")
        );
        assert_eq!(short_key(&"word ".repeat(40), 10), None);
        let longest = longest_line(["x".repeat(500)].iter());
        assert_eq!(longest, 500);
    }

    fn run(text: &str) -> Record {
        let config: NormalizeConfig = toml::from_str("").unwrap();
        let mut normalize = Normalize::new(&config).unwrap();
        let mut out = Vec::new();
        normalize
            .process(
                Record::from_raw(text.as_bytes().to_vec(), SourceInfo::default()),
                &mut out,
            )
            .unwrap();
        out.pop().unwrap()
    }

    fn seed(name: &str) -> Record {
        let path = format!("{}/../../seeds/{name}", env!("CARGO_MANIFEST_DIR"));
        run(&std::fs::read_to_string(path).unwrap())
    }

    fn reasons(record: &Record) -> Vec<(&str, &str)> {
        record
            .removed
            .iter()
            .map(|r| (r.reason.as_str(), r.text.as_str()))
            .collect()
    }

    #[test]
    fn seed_000_date_prefix() {
        let record = seed("000_e488c85247a4d04f.txt");
        assert_eq!(record.published.as_deref(), Some("2019-06-05"));
        assert!(record.paragraphs[0].starts_with("Russia and the US have not yet"));
        assert_eq!(record.title, None);
    }

    #[test]
    fn seed_001_title_lead_caption_disclaimer_share() {
        let record = seed("001_364c917bb0a75030.txt");
        assert_eq!(
            record.title.as_deref(),
            Some("Pompeo Says Agreed with Putin on Syria Progress")
        );
        assert!(record.paragraphs[0].starts_with("Sochi (Russia), May 15 (AFP) The United States"));
        let removed = reasons(&record);
        assert!(
            removed.contains(&("image_caption", "World. (File Image)")),
            "{removed:?}"
        );
        assert!(removed.iter().any(|(r, _)| *r == "disclaimer"));
        assert!(
            removed.iter().any(
                |(r, t)| *r == "repeated_lead" && t.starts_with("The United States and Russia")
            )
        );
        assert_eq!(
            removed.iter().filter(|(r, _)| *r == "share_button").count(),
            2
        );
        assert!(record.paragraphs.last().unwrap().ends_with("(AFP)"));
    }

    #[test]
    fn seed_002_share_ads_trailing_headline() {
        let record = seed("002_20387e69ab198cf5.txt");
        assert_eq!(
            record.title.as_deref(),
            Some(
                "Pentagon says still no agreement with Russian Federation on cooperation on Syria"
            )
        );
        let removed = reasons(&record);
        assert_eq!(
            removed
                .iter()
                .filter(|(r, _)| *r == "advertisement")
                .count(),
            2,
            "{removed:?}"
        );
        assert!(removed.contains(&(
            "related_links",
            "Kerry, Lavrov meet to finalize details of Syria cooperation deal"
        )));
        assert!(
            record
                .paragraphs
                .last()
                .unwrap()
                .starts_with("Moscow and Washington will boost")
        );
    }

    #[test]
    fn seed_003_credit_and_related_links() {
        let record = seed("003_1df97a0fd76e64e0.txt");
        assert_eq!(
            record.title.as_deref(),
            Some("U.S. and Russian armies launch talks on Syria")
        );
        let removed = reasons(&record);
        assert!(
            removed.contains(&("agency_credit", "(With Reuters and AFP)")),
            "{removed:?}"
        );
        assert!(
            removed
                .iter()
                .filter(|(r, _)| *r == "related_links")
                .count()
                >= 10
        );
        assert!(
            record
                .paragraphs
                .last()
                .unwrap()
                .starts_with("In a related story, Kerry met briefly")
        );
        assert!(record.paragraphs.iter().any(|p| p == "Kerry in London"));
    }

    #[test]
    fn seed_004_stray_word() {
        let record = seed("004_93804a6fc8622d24.txt");
        assert_eq!(record.title, None);
        assert!(reasons(&record).contains(&("stray_word", "orient")));
        assert!(record.paragraphs.last().unwrap().ends_with("AP added."));
    }

    #[test]
    fn headlines_whatever_their_final_punctuation() {
        let title = |first: &str, next: Option<&str>| headline(first, next, 200);
        let lead = Some(
            "The New York Post reports that the campaign avoided taking her to the emergency room on Sunday to keep the details private.",
        );
        assert_eq!(
            title(
                "Stealth Over Health: Clinton Was Headed to ER But Diverted.",
                lead
            )
            .as_deref(),
            Some("Stealth Over Health: Clinton Was Headed to ER But Diverted")
        );
        assert_eq!(
            title(
                "Black Lawmakers Rip Trump As A \u{2018}Disgusting Fraud.\u{2019}",
                lead
            )
            .as_deref(),
            Some("Black Lawmakers Rip Trump As A \u{2018}Disgusting Fraud\u{2019}")
        );
        assert_eq!(
            title("Can you imagine if Trump were a woman?", lead).as_deref(),
            Some("Can you imagine if Trump were a woman?")
        );
        assert_eq!(
            title("Obama Rules Face Key Test In U.S.", lead).as_deref(),
            Some("Obama Rules Face Key Test In U.S.")
        );
        assert_eq!(
            title("Virginian could make history. Again.", lead).as_deref(),
            Some("Virginian could make history. Again.")
        );
        assert_eq!(
            title(
                "Ready for Trump vs. Clinton?; His debate tricks won't work.",
                lead
            )
            .as_deref(),
            Some("Ready for Trump vs. Clinton?; His debate tricks won't work")
        );
        assert_eq!(
            title("Oops! Calif. may raise minimum wage to $15.", lead).as_deref(),
            Some("Oops! Calif. may raise minimum wage to $15")
        );
        assert_eq!(
            title("Mary J. Blige sings to Clinton in preview clip.", lead).as_deref(),
            Some("Mary J. Blige sings to Clinton in preview clip")
        );
        // A lead-in, a paragraph as long as what follows, a long sentence: body.
        assert_eq!(title("The minister said:", lead), None);
        assert_eq!(
            title("The bank raised rates on Tuesday.", Some("It said so.")),
            None
        );
        let long = "The United States and Russia agreed Friday on new steps they said could make a difference in the war, hinting at a partnership, AP reported.";
        assert_eq!(title(long, lead), None);
        // A one-line file's line is its title.
        assert_eq!(
            title("Fed holds rates steady", None).as_deref(),
            Some("Fed holds rates steady")
        );
    }

    #[test]
    fn exact_repeat_is_dropped() {
        let record = run(
            "Title here\n\nA paragraph that says a thing.\n\nAnother one.\n\nA paragraph that says a thing.\n",
        );
        assert_eq!(
            record.paragraphs,
            vec!["A paragraph that says a thing.", "Another one."]
        );
    }

    #[test]
    fn binary_is_an_invalid_article() {
        let config: NormalizeConfig = toml::from_str("").unwrap();
        let mut normalize = Normalize::new(&config).unwrap();
        let err = normalize
            .process(
                Record::from_raw(b"\x89PNG\r\n\x1a\n\0\0".to_vec(), SourceInfo::default()),
                &mut Vec::new(),
            )
            .unwrap_err();
        assert!(matches!(err, StageError::InvalidArticle { .. }));
    }

    #[test]
    fn unknown_key_and_bad_pattern() {
        assert!(
            toml::from_str::<NormalizeConfig>("drop_line = []")
                .unwrap_err()
                .to_string()
                .contains("drop_line")
        );
        let config: NormalizeConfig = toml::from_str("drop_patterns = [\"(\"]").unwrap();
        assert_eq!(Normalize::new(&config).unwrap_err().0, "drop_patterns");
    }
}
