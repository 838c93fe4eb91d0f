//! Language detection, reported as ISO 639-1: a word model ([`words`]) for
//! prose its frequent words settle and for what has too little prose for a
//! character model (earnings tables, one-line items), and whatlang's
//! character model on the prose of everything else.

pub mod words;

use std::collections::HashMap;
use std::sync::LazyLock;

use wirehose_text::lists::pairs;

/// ISO 639-3 code → ISO 639-1 code, for the languages that have one.
static ISO_639_1: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    pairs(include_str!("../../data/languages.tsv"))
        .into_iter()
        .collect()
});

/// Whether a paragraph reads as prose: at least five words, most of them
/// words rather than figures (`Shr 24 cts vs 13 cts` is a table row), and a
/// sentence's shape: it ends as a sentence ends (`.`, `!`, `?`, a closing
/// quote) or runs to a dozen words or more (`Shr profit five cts vs loss
/// seven cts` is a row, not a sentence).
fn prose(paragraph: &str) -> bool {
    let words: Vec<&str> = paragraph.split_whitespace().collect();
    let wordy = words
        .iter()
        .filter(|w| {
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            letters >= 2 && !w.chars().any(|c| c.is_ascii_digit())
        })
        .count();
    let sentence = paragraph
        .trim_end()
        .ends_with(['.', '!', '?', '"', '\u{201d}', '\u{bb}', ')', ':', ';'])
        || words.len() >= 12;
    words.len() >= 5 && wordy * 10 >= words.len() * 7 && sentence
}

/// Characters of prose the character model reads: about a hundred words,
/// past which its verdict on news copy no longer changes (the same verdicts
/// as with 1,500 on reuters-raw, bbc and de-10kgnad, and on 312 texts of 20
/// sentences from the NER dev sets of six languages but for one OCR page of
/// figures that went from French to unknown). Detection costs 0.77 M
/// instructions an article of BBC copy with 600, 1.15 M with 1,500.
const SAMPLE_CHARS: usize = 600;

/// The text language is detected on: the prose paragraphs of `text`
/// (paragraphs split at blank lines), up to about [`SAMPLE_CHARS`]
/// characters; all of `text` when it has no prose.
fn sample(text: &str) -> String {
    let mut sample = String::new();
    for paragraph in text.split("\n\n").filter(|p| prose(p)) {
        if sample.len() >= SAMPLE_CHARS {
            break;
        }
        sample.push_str(paragraph);
        sample.push('\n');
    }
    if sample.is_empty() {
        sample.push_str(text);
    }
    let end = sample
        .char_indices()
        .nth(SAMPLE_CHARS)
        .map_or(sample.len(), |(byte, _)| byte);
    sample.truncate(end);
    sample
}

/// Returns the ISO 639-1 code of `text`'s language when detection is reliable
/// (or, for samples of at least 200 bytes, when confidence is ≥ 0.5). Only
/// prose is looked at: tables of figures mislead character detectors. When
/// the character detector is unsure, or the text has no prose at all (an
/// earnings table under a dateline), the word model judges the words, with
/// the `title`'s for a text without prose; a text the word model cannot
/// tell either goes back to the character detector with a lower bar.
pub fn detect(text: &str, title: Option<&str>) -> Option<String> {
    let sample = sample(text);
    let has_prose = sample.len() < text.len() || text.split("\n\n").any(prose);
    if has_prose {
        // Prose mostly of one table's frequent words is that language:
        // the same verdicts as the character model on the real-copy and
        // NER dev corpora, at a fifth of its cost.
        if let Some(code) = words::decisive(&sample) {
            return Some(code.to_string());
        }
        let info = whatlang::detect(&sample);
        let confident = info.as_ref().is_some_and(|info| {
            info.is_reliable() || (sample.len() >= 200 && info.confidence() >= 0.5)
        });
        if confident {
            return info.map(|info| iso_639_1(info.lang().code()));
        }
    }
    // Words without figures, the title's first.
    let words_only = std::iter::once(title.unwrap_or(""))
        .chain(text.split_whitespace())
        .flat_map(str::split_whitespace)
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(code) = words::detect(&words_only) {
        return Some(code.to_string());
    }
    if has_prose {
        return None;
    }
    let info = whatlang::detect(&words_only)?;
    (info.is_reliable() || info.confidence() >= 0.2).then(|| iso_639_1(info.lang().code()))
}

/// Whether the English-only rules (amounts' number words and counted
/// nouns, quotes' cue verbs and speakers) run on text of `language`: English
/// or unknown.
pub fn english_rules(language: Option<&str>) -> bool {
    language.is_none_or(|code| code == "en")
}

/// The two-letter code of a whatlang ISO 639-3 code, when there is one.
fn iso_639_1(code: &str) -> String {
    ISO_639_1.get(code).copied().unwrap_or(code).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn english_and_french() {
        assert_eq!(
            super::detect("The United States and Russia have agreed on ways to break a deadlock in finding a political solution in war-ravaged Syria.", None).as_deref(),
            Some("en")
        );
        assert_eq!(
            super::detect("Le président français a déclaré mardi que les négociations avec la Russie étaient très productives et qu'elles continueraient la semaine prochaine.", None).as_deref(),
            Some("fr")
        );
    }

    #[test]
    fn tables_are_not_prose() {
        assert!(!super::prose("Shr 24 cts vs 13 cts"));
        assert!(!super::prose("Net 12.6 mln vs 15.8 mln"));
        assert!(!super::prose("Shr profit five cts vs loss seven cts"));
        assert!(!super::prose("Shr loss 6.48 DLS VS PROFIT 23 CTS"));
        assert!(super::prose(
            "The company said its board approved the split."
        ));
        let text = "Shr 24 cts vs 13 cts\n\nThe company said on Thursday that its board of directors approved a two-for-one stock split payable in April.\n\nNet 12.6 mln vs 15.8 mln";
        assert!(super::sample(text).starts_with("The company said"));
    }
}
