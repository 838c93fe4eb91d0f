//! Speaker phrases next to cue verbs, before and after a quote.

use wirehose_core::Entity;

use wirehose_text::CharIndex;

use super::QuoteFinder;
use super::lexicon::{
    BETWEEN_WORDS, CLAUSE_WORDS, DASHES, DETERMINERS, PARTIAL_CUES, PERSON_NOUNS, PRONOUNS, is_cue,
    is_title, not_a_name,
};
use super::marks::Span;
use super::tokens::{Tok, cue_phrase, ends_sentence, is_capitalised, tokens};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gender {
    Any,
    Male,
    Female,
}

/// A speaker phrase as found next to a cue.
#[derive(Debug, Clone)]
pub(super) enum Who {
    /// A capitalised name at these byte offsets.
    Name(usize, usize),
    /// A pronoun or a definite description referring back; the gender a
    /// pronoun gives.
    Back(Gender),
    /// A description that names nobody (`a campaign spokesman`).
    Other(String),
}

#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) who: Who,
    pub(super) cue: Option<String>,
}

impl QuoteFinder {
    /// The speaker phrase ending right before token `cue_at` (walking back to
    /// a clause boundary), if it looks like one.
    pub(super) fn speaker_before(toks: &[Tok], cue_at: usize) -> Option<Who> {
        let mut end = cue_at;
        // Skip words between speaker and cue (`Kerry also said`).
        while end > 0 && toks[end - 1].word && BETWEEN_WORDS.contains(&toks[end - 1].text) {
            end -= 1;
        }
        while end > 0 && toks[end - 1].word && toks[end - 1].text.ends_with("ly") {
            end -= 1;
        }
        // An appositive: `Kerry, the secretary of state, said`.
        if end > 0 && toks[end - 1].text == "," {
            let mut at = end - 1;
            let mut steps = 0;
            while at > 0 && toks[at - 1].text != "," && steps < 25 {
                if ["“", "”", "\"", ".", "!", "?"].contains(&toks[at - 1].text) {
                    break;
                }
                at -= 1;
                steps += 1;
            }
            if at > 0 && toks[at - 1].text == "," && at - 1 > 0 {
                // `The group's chief, Jane Roe, said`: the appositive names.
                let inner = Self::classify(toks, at, end - 1);
                if let Some(who @ Who::Name(..)) = inner
                    && (at..end - 1).all(|i| !toks[i].word || is_capitalised(toks[i].text))
                {
                    return Some(who);
                }
                let candidate = Self::phrase_back(toks, at - 1);
                if let Some(who @ (Who::Name(..) | Who::Back(_))) = candidate {
                    return Some(who);
                }
            }
            return None;
        }
        Self::phrase_back(toks, end)
    }

    /// The noun phrase ending right before token `end`.
    fn phrase_back(toks: &[Tok], end: usize) -> Option<Who> {
        let mut start = end;
        while start > 0 && end - start < 9 {
            let t = toks[start - 1];
            if !t.word {
                if t.text == "." && start >= 2 && !ends_sentence(toks, start - 1) {
                    start -= 1;
                    continue;
                }
                break;
            }
            if CLAUSE_WORDS.contains(&t.text) || is_cue(t.text) {
                break;
            }
            if matches!(
                t.text,
                "That" | "And" | "But" | "As" | "When" | "While" | "Because" | "If" | "After"
            ) {
                break;
            }
            start -= 1;
        }
        Self::classify(toks, start, end)
    }

    /// The noun phrase starting at token `start` (after an inverted cue).
    pub(super) fn phrase_forward(toks: &[Tok], start: usize) -> Option<Who> {
        let mut end = start;
        while end < toks.len() && end - start < 9 {
            let t = toks[end];
            if !t.word {
                if t.text == "." && end > start && !ends_sentence(toks, end) {
                    end += 1;
                    continue;
                }
                break;
            }
            if end > start && (CLAUSE_WORDS.contains(&t.text) || is_cue(t.text)) {
                break;
            }
            end += 1;
        }
        // `said in a statement`: no speaker after the cue; `said pollster
        // Frank Luntz`: a name.
        let first = toks.get(start)?;
        if !first.word {
            return None;
        }
        let who = Self::classify(toks, start, end)?;
        if is_capitalised(first.text)
            || DETERMINERS.contains(&first.text)
            || matches!(who, Who::Name(..))
        {
            Some(who)
        } else {
            None
        }
    }

    /// Classifies the words `toks[start..end]` as a speaker phrase.
    fn classify(toks: &[Tok], start: usize, end: usize) -> Option<Who> {
        let words: Vec<Tok> = toks[start..end]
            .iter()
            .copied()
            .filter(|t| t.word)
            .collect();
        if words.is_empty() {
            return None;
        }
        if words.len() == 1 {
            let lower = words[0].text.to_lowercase();
            if PRONOUNS.contains(&lower.as_str()) {
                return Some(Who::Back(match lower.as_str() {
                    "he" => Gender::Male,
                    "she" => Gender::Female,
                    _ => Gender::Any,
                }));
            }
        }
        // The last run of capitalised words that are not titles, without
        // function words, days and months at its edges (`On Tuesday`).
        let mut i = words.len();
        while i > 0 {
            let w = words[i - 1];
            if is_capitalised(w.text) && !is_title(w.text) {
                let mut j = i - 1;
                while j > 0 {
                    let p = words[j - 1];
                    if (is_capitalised(p.text) && !is_title(p.text))
                        || matches!(p.text, "de" | "van" | "von" | "al" | "bin" | "la" | "del")
                    {
                        j -= 1;
                    } else {
                        break;
                    }
                }
                let (mut a, mut b) = (j, i);
                while a < b && not_a_name(words[a].text) {
                    a += 1;
                }
                while a < b && not_a_name(words[b - 1].text) {
                    b -= 1;
                }
                if a < b {
                    return Some(Who::Name(words[a].start, words[b - 1].end));
                }
                i = j;
                continue;
            }
            i -= 1;
        }
        let first = words[0].text.to_lowercase();
        if words.len() > 7 {
            return None;
        }
        if matches!(first.as_str(), "the" | "this" | "that") {
            let refers_back = words[1..]
                .iter()
                .any(|w| PERSON_NOUNS.contains(&w.text.to_lowercase().as_str()));
            if refers_back {
                return Some(Who::Back(Gender::Any));
            }
        }
        if DETERMINERS.contains(&first.as_str()) && words.len() <= 6 {
            let text = words.iter().map(|w| w.text).collect::<Vec<_>>().join(" ");
            return Some(Who::Other(text));
        }
        None
    }

    /// The attribution after a closing mark: `, Kerry said`, `, said Kerry`,
    /// `, Anne Richards, an aide, said`.
    pub(super) fn after(
        body: &str,
        span: &Span,
        limit: usize,
        quote_ends_sentence: bool,
    ) -> Option<Found> {
        if span.after >= limit {
            return None;
        }
        let toks = tokens(body, span.after, limit);
        let mut words = 0;
        for (k, t) in toks.iter().enumerate() {
            if !t.word {
                if ends_sentence(&toks, k) || ["“", "”", "\"", ";", ":", "("].contains(&t.text)
                {
                    return None;
                }
                continue;
            }
            words += 1;
            if words > 16 {
                return None;
            }
            let Some((cue, cue_end)) = cue_phrase(&toks, k) else {
                continue;
            };
            let cue = Some(cue);
            if cue.as_deref() == Some("according to") {
                return Self::phrase_forward(&toks, cue_end).map(|who| Found { who, cue });
            }
            // After a quote that ends its sentence, only a short clause
            // (`He said.`) can attribute it.
            if quote_ends_sentence && words > 4 {
                return None;
            }
            if toks[..k].iter().all(|t| !t.word) {
                return Self::phrase_forward(&toks, cue_end).map(|who| Found { who, cue });
            }
            if k > 0 && toks[k - 1].text == "," {
                // `…,” Anne Richards, an aide, said` or `…” that X, said Kerry`.
                let first_comma = toks.iter().position(|t| t.text == ",").unwrap_or(k);
                let lead = Self::classify(&toks, 0, first_comma);
                if let Some(who @ (Who::Name(..) | Who::Back(_))) = lead {
                    return Some(Found { who, cue });
                }
                return Self::phrase_forward(&toks, cue_end).map(|who| Found { who, cue });
            }
            if words > 10 {
                return None;
            }
            return Self::speaker_before(&toks, k).map(|who| Found { who, cue });
        }
        None
    }

    /// The attribution before an opening mark, in the same sentence:
    /// `Kerry said: “`, `According to Kerry, “`, `Kerry told reporters that “`,
    /// `Kerry: “`.
    pub(super) fn before(body: &str, from: usize, open: usize, partial: bool) -> Option<Found> {
        let toks = tokens(body, from, open);
        // The sentence the mark stands in.
        let mut start = 0;
        for k in (0..toks.len()).rev() {
            if ends_sentence(&toks, k) || ["“", "”", "\""].contains(&toks[k].text) {
                start = k + 1;
                break;
            }
        }
        let toks = &toks[start..];
        let mut best: Option<Found> = None;
        for k in 0..toks.len() {
            let partial_cue = (partial && PARTIAL_CUES.contains(&toks[k].text))
                .then(|| (toks[k].text.to_string(), k + 1));
            let Some((cue, cue_end)) = cue_phrase(toks, k).or(partial_cue) else {
                continue;
            };
            if toks.len() - k > 30 {
                continue;
            }
            let who = if cue == "according to" {
                Self::phrase_forward(toks, cue_end)
            } else {
                let participle = cue.ends_with("ing");
                Self::speaker_before(toks, k)
                    // `Kerry left, saying “…”`
                    .or_else(|| participle.then(|| Self::clause_subject(toks)).flatten())
                    // `said Kerry: “…”`
                    .or_else(|| Self::phrase_forward(toks, cue_end))
                    // `Kerry supports …, opposes … and recalled: “…”`
                    .or_else(|| Self::clause_subject(toks))
            };
            if let Some(who) = who {
                best = Some(Found {
                    who,
                    cue: Some(cue),
                });
            }
        }
        let short = toks.iter().filter(|t| t.word).count() <= 6;
        if best.is_none() && short && toks.last().is_some_and(|t| t.text == ":") && toks.len() >= 2
        {
            // `Republican pollster Daron Shaw: “…”`
            if let Some(who @ Who::Name(..)) = Self::phrase_back(toks, toks.len() - 1) {
                best = Some(Found { who, cue: None });
            }
        }
        best
    }

    /// A quote signed after a dash, on its line or on the next one:
    /// `“…” ― Jane Roe`, `“…”` / `— Jane Roe, a voter`.
    pub(super) fn dash_line(body: &str, span: &Span) -> Option<Found> {
        let rest = body[span.after..span.para.1].trim_start();
        if let Some(signed) = rest.strip_prefix(DASHES) {
            let from = span.para.1 - signed.len();
            return Self::signature(body, from, span.para.1);
        }
        let rest = body[span.after..span.para.1].trim();
        if rest.chars().any(char::is_alphanumeric) {
            return None;
        }
        let next = body[span.para.1..].trim_start();
        let start = body.len() - next.len();
        let signed = next.strip_prefix(DASHES)?;
        let from = body.len() - signed.len();
        let to = next.find('\n').map_or(body.len(), |n| start + n);
        Self::signature(body, from, to)
    }

    /// The name that signs a quote after a dash, in `body[from..to]`.
    fn signature(body: &str, from: usize, to: usize) -> Option<Found> {
        let toks = tokens(body, from, to);
        let end = toks
            .iter()
            .position(|t| !t.word && t.text != "." || (t.text == "." && ends_sentence(&toks, 0)))
            .unwrap_or(toks.len())
            .min(6);
        match Self::classify(&toks, 0, end)? {
            who @ Who::Name(..) => Some(Found { who, cue: None }),
            _ => None,
        }
    }

    /// The subject of the sentence `toks` when it opens with a name or a
    /// pronoun (`Kerry …`, `The senator …`).
    pub(super) fn sentence_subject(toks: &[Tok]) -> Option<Who> {
        let mut end = 0;
        while end < toks.len() && end < 8 {
            let t = toks[end];
            if !t.word {
                if t.text == "." && end > 0 && !ends_sentence(toks, end) {
                    end += 1;
                    continue;
                }
                break;
            }
            if end > 0 && !is_capitalised(t.text) && !DETERMINERS.contains(&toks[end - 1].text) {
                break;
            }
            end += 1;
        }
        match Self::classify(toks, 0, end)? {
            who @ (Who::Name(..) | Who::Back(_)) => Some(who),
            Who::Other(_) => None,
        }
    }

    /// The subject of the last sentence of a paragraph that ends with a colon
    /// and names no cue (`Cruz called them on it:`), as the speaker of the
    /// quote the next paragraph opens with.
    pub(super) fn colon_lead(body: &str, from: usize, to: usize) -> Option<Found> {
        let toks = tokens(body, from, to);
        let start = (0..toks.len())
            .rev()
            .find(|&k| ends_sentence(&toks, k) || ["“", "”", "\""].contains(&toks[k].text))
            .map_or(0, |k| k + 1);
        match Self::clause_subject(&toks[start..])? {
            who @ Who::Name(..) => Some(Found { who, cue: None }),
            _ => None,
        }
    }

    /// The subject of the sentence `toks`, after an opening phrase that ends
    /// with a comma when needed (`At the debate, Kerry …`).
    fn clause_subject(toks: &[Tok]) -> Option<Who> {
        Self::sentence_subject(toks).or_else(|| {
            let comma = toks.iter().take(12).position(|t| t.text == ",")?;
            Self::sentence_subject(&toks[comma + 1..])
        })
    }
}

/// The subject of the sentence holding byte `at` (paragraph from
/// `para_start`): the first person the tagger found in the sentence before
/// `at`, or a sentence-initial `He`/`She`.
pub(super) fn sentence_subject(
    body: &str,
    index: &CharIndex,
    entities: &[Entity],
    para_start: usize,
    at: usize,
) -> Option<Found> {
    let before = &body[para_start..at];
    let sentence_start = before
        .rmatch_indices(['.', '!', '?'])
        .map(|(i, _)| para_start + i + 1)
        .find(|&i| body[i..].starts_with(' '))
        .unwrap_or(para_start);
    let (from, to) = (index.chars(sentence_start), index.chars(at));
    let person = entities
        .iter()
        .filter(|e| e.kind == "PER")
        .flat_map(|e| e.mentions.iter())
        .filter(|m| m.start >= from && m.end <= to)
        .min_by_key(|m| m.start);
    if let Some(mention) = person {
        let (mut start, mut end) = (None, None);
        for (chars, (byte, _)) in body[sentence_start..].char_indices().enumerate() {
            let position = from + chars;
            if position == mention.start {
                start = Some(sentence_start + byte);
            }
            if position == mention.end {
                end = Some(sentence_start + byte);
                break;
            }
        }
        if let (Some(start), Some(end)) = (start, end) {
            return Some(Found {
                who: Who::Name(start, end),
                cue: None,
            });
        }
    }
    let first = body[sentence_start..at].split_whitespace().next()?;
    let gender = match first {
        "He" => Gender::Male,
        "She" => Gender::Female,
        _ => return None,
    };
    Some(Found {
        who: Who::Back(gender),
        cue: None,
    })
}
