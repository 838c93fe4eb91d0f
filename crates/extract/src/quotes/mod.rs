//! Direct quotes with their speakers and cue verbs.
//!
//! [`QuoteFinder::find`] works paragraph by paragraph (a paragraph ends at a
//! line break):
//!
//! 1. **Quotation marks.** `“…”`, `"…"` and `''…''` (two apostrophes, as some
//!    feeds write a double quote) are paired; a straight mark opens when it
//!    stands before a word and closes otherwise, a mismatched curly pair
//!    (`“…"`, `“…“`) still pairs, and a quotation nested with the same marks is
//!    skipped over. A quote left open at the end of a paragraph continues when
//!    the next paragraph opens with a quotation mark (the multi-paragraph
//!    convention); each paragraph's piece is its own [`Quote`], and the pieces
//!    share one speaker. Single quotes (`‘…’`) are not quotes here: they nest
//!    inside double ones or are apostrophes.
//! 2. **Attribution.** After the quote (`…,” Kerry said`, `…,” said Kerry`,
//!    `…,” the senator told reporters`, `…,” Anne Richards, an aide, said`) or
//!    before it in the same sentence (`Kerry said: “…”`, `According to Kerry,
//!    “…”`, `Kerry told reporters that “…”`). The speaker phrase is the words
//!    next to the cue verb ([`CUES`]); its last capitalised run is the name
//!    (`White House press secretary Josh Earnest` → `Josh Earnest`).
//! 3. **Resolution.** A name resolves to the entity whose mention covers it
//!    (a lone surname, `Ms. Moore`, to the full name of the person mentioned
//!    before with that surname), else to the person entity sharing its last
//!    word (`Kerry` → `John Kerry`). Days, months and sentence-initial
//!    function words are never names (`On Tuesday`, `However`). A pronoun
//!    (`he`, `she`, …) or a definite description (`the senator`) resolves to
//!    the person last quoted or named outside quotes (as a speaker, or as a
//!    sentence subject the entity tagger knows), whichever came later; when
//!    none fits the pronoun's gender, to the person entity mentioned last
//!    that does, and failing that to the last one of any gender. A quote with no attribution of its own continues
//!    the previous quote's speaker when it follows in the same or the next
//!    paragraph (`“…,” he said. “…”`), or takes the attribution of a paragraph
//!    that ends with a colon before it.
//! 4. **Scare quotes and titles** (a quotation mark in the middle of a
//!    sentence with no cue verb in the sentence, `the “binary choice”
//!    framework`) are dropped; partial quotes with an attribution (`Trump said
//!    the deal was “a disaster”`) are kept. [`is_partial`] tells the two kinds
//!    of kept quotes apart.
//!
//! Offsets are code points into the body: `start..end` covers the quoted text
//! without its marks (trimmed of surrounding spaces).

use wirehose_core::{Entity, Quote};

use wirehose_text::CharIndex;

mod lexicon;
mod marks;
mod resolve;
mod speaker;
#[cfg(test)]
mod tests;
mod tokens;

pub use lexicon::CUES;
use lexicon::is_cue;
use marks::spans;
use resolve::{back_reference, last_mention, resolve_name};
use speaker::{Found, Gender, Who, sentence_subject};

/// Fewest words of a quote with no attribution of its own (shorter ones are
/// mostly titles and slogans).
const MIN_WORDS: usize = 3;

/// Finds quotes and speakers.
#[derive(Debug, Default)]
pub struct QuoteFinder {}

/// Whether the text before an opening mark (same paragraph) leaves the quote
/// at the start of a clause: at the paragraph or sentence start, after a
/// colon, comma, dash or another quote, or right after a cue verb.
fn opens_clause(before: &str) -> bool {
    let trimmed = before.trim_end();
    let Some(last) = trimmed.chars().next_back() else {
        return true;
    };
    if ".!?:,;—–-(\"“”'".contains(last) {
        return true;
    }
    let word: String = trimmed
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    is_cue(&word) || word == "titled" || word == "headlined"
}

/// Whether `quote` is a partial quote: its opening mark stands inside a
/// sentence (`Trump called it “a disaster”`) rather than at the start of a
/// clause (`Kerry said: “…”`, `“…,” Kerry said`). PolNeAR counts only the
/// latter as direct quotes (the attributed content starts with the mark).
pub fn is_partial(body: &str, quote: &Quote) -> bool {
    let Some((byte, _)) = body.char_indices().nth(quote.start) else {
        return false;
    };
    let line_start = body[..byte].rfind('\n').map_or(0, |n| n + 1);
    let before = body[line_start..byte].trim_end();
    // Drop the opening mark itself.
    let before = before
        .strip_suffix("''")
        .or_else(|| before.strip_suffix(['"', '“', '”', '„']))
        .unwrap_or(before);
    !opens_clause(before)
}

impl QuoteFinder {
    /// Builds the finder.
    pub fn new() -> QuoteFinder {
        QuoteFinder {}
    }

    /// Returns the quotes of `body`, resolving speakers against `entities`.
    ///
    /// `english`: the article is English (or of unknown language). The cue
    /// verbs, pronouns and speaker rules are English; on other languages
    /// only the quotation marks are read: a quoted clause of several words
    /// is a quote, with no speaker or cue.
    pub(crate) fn find(
        &self,
        body: &str,
        index: &CharIndex,
        entities: &[Entity],
        english: bool,
    ) -> Vec<Quote> {
        let spans = spans(body);
        if spans.is_empty() {
            return Vec::new();
        }
        if !english {
            return spans
                .iter()
                .filter(|span| {
                    let words = body[span.inner..span.close].split_whitespace().count();
                    opens_clause(&body[span.para.0..span.open]) && words >= MIN_WORDS
                })
                .filter_map(|span| {
                    let raw = &body[span.inner..span.close];
                    let text = raw.trim();
                    let start = span.inner + (raw.len() - raw.trim_start().len());
                    (!text.is_empty()).then(|| Quote {
                        text: text.to_string(),
                        speaker: None,
                        cue: None,
                        start: index.chars(start),
                        end: index.chars(start + text.len()),
                    })
                })
                .collect();
        }

        // Pass 1: explicit attributions.
        let mut found: Vec<Option<Found>> = Vec::with_capacity(spans.len());
        let mut keep: Vec<bool> = Vec::with_capacity(spans.len());
        for (n, span) in spans.iter().enumerate() {
            let next_open = spans
                .get(n + 1)
                .filter(|s| s.para_no == span.para_no)
                .map_or(span.para.1, |s| s.open);
            let prev_close = n
                .checked_sub(1)
                .and_then(|p| spans.get(p))
                .filter(|s| s.para_no == span.para_no)
                .map_or(span.para.0, |s| s.after);
            let inner = body[span.inner..span.close].trim_end();
            let ends_sentence = inner.ends_with(['.']) && !inner.ends_with("..");
            let mut explicit = Self::after(body, span, next_open, ends_sentence);
            if explicit.is_none() {
                let partial = !opens_clause(&body[span.para.0..span.open]);
                explicit = Self::before(body, prev_close.min(span.open), span.open, partial);
            }
            let clause = opens_clause(&body[span.para.0..span.open]);
            if explicit.is_none() && clause && body[span.para.0..span.open].trim().is_empty() {
                // A paragraph that ends with a colon introduces this one.
                let prev_text_end = body[..span.para.0].trim_end();
                if prev_text_end.ends_with(':') {
                    let prev_start = prev_text_end.rfind('\n').map_or(0, |x| x + 1);
                    explicit = Self::before(body, prev_start, prev_text_end.len(), false)
                        .or_else(|| Self::colon_lead(body, prev_start, prev_text_end.len()));
                }
            }
            if explicit.is_none() {
                explicit = Self::dash_line(body, span);
            }
            if explicit.is_none() && !clause {
                // A partial quote with no cue of its own belongs to the
                // person its sentence is about: `Lavrov spoke of “increased
                // efficiency”`, `He voiced hope to “get that process …”`.
                explicit = sentence_subject(body, index, entities, span.para.0, span.open);
            }
            let words = body[span.inner..span.close].split_whitespace().count();
            keep.push(explicit.is_some() || (clause && words >= MIN_WORDS));
            found.push(explicit);
        }

        let events = Self::naming_events(body, index, entities, &spans);

        // Pass 2: resolve, inherit and emit.
        let mut quotes = Vec::with_capacity(spans.len());
        // The last quote's speaker and cue, where it was and its paragraph.
        let mut last: Option<(String, Option<String>, usize, usize)> = None;
        // The last speaker that is a name (not a description), and where.
        let mut last_person: Option<(String, usize)> = None;
        for (n, span) in spans.iter().enumerate() {
            if !keep[n] {
                continue;
            }
            let here = index.chars(span.open);
            let mut own = found[n].clone();
            if own.is_none() {
                // A later piece of the same multi-paragraph quote.
                own = spans
                    .iter()
                    .zip(&found)
                    .skip(n + 1)
                    .take_while(|(s, _)| s.chain == span.chain)
                    .find_map(|(_, f)| f.clone());
            }
            let mut named = false;
            let resolved = match own {
                Some(Found { who, cue }) => {
                    named = matches!(who, Who::Name(..) | Who::Back(_));
                    let speaker = match who {
                        Who::Name(s, e) => Some(resolve_name(body, index, entities, s, e).0),
                        Who::Back(gender) => back_reference(&last_person, &events, here, gender)
                            .or_else(|| last_mention(entities, here, gender))
                            .or_else(|| back_reference(&last_person, &events, here, Gender::Any)),
                        Who::Other(text) => Some(text),
                    };
                    speaker.map(|s| (s, cue))
                }
                None => last
                    .as_ref()
                    .filter(|(_, _, _, para)| span.para_no <= para + 1)
                    .map(|(s, c, _, _)| (s.clone(), c.clone())),
            };
            let (speaker, cue) = match resolved {
                Some((s, c)) => {
                    if named {
                        last_person = Some((s.clone(), here));
                    }
                    last = Some((s.clone(), c.clone(), here, span.para_no));
                    (Some(s), c)
                }
                None => (None, None),
            };
            let raw = &body[span.inner..span.close];
            let lead = raw.len() - raw.trim_start().len();
            let text = raw.trim();
            if text.is_empty() {
                continue;
            }
            let start = span.inner + lead;
            let end = start + text.len();
            quotes.push(Quote {
                text: text.to_string(),
                speaker,
                cue,
                start: index.chars(start),
                end: index.chars(end),
            });
        }
        quotes
    }
}
