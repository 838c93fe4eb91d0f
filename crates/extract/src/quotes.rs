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
//! 3. **Resolution.** A name resolves to the entity whose mention covers it,
//!    else to the person entity sharing its last word (`Kerry` → `John
//!    Kerry`). A pronoun (`he`, `she`, …) or a definite description (`the
//!    senator`) resolves to the person last quoted or named outside quotes,
//!    whichever came later. A quote with no attribution of its own continues
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

use crate::text::CharIndex;

/// Reporting verbs recognised as cues (single words; `according to`,
/// `pointed out` and `went on` are recognised as phrases too).
pub const CUES: &[&str] = &[
    "said",
    "says",
    "say",
    "saying",
    "told",
    "tells",
    "telling",
    "added",
    "adds",
    "adding",
    "stressed",
    "noted",
    "notes",
    "asked",
    "asks",
    "explained",
    "explains",
    "insisted",
    "insists",
    "warned",
    "warns",
    "declared",
    "declares",
    "wrote",
    "writes",
    "argued",
    "argues",
    "replied",
    "replies",
    "responded",
    "answered",
    "countered",
    "continued",
    "continues",
    "stated",
    "announced",
    "recalled",
    "recalls",
    "acknowledged",
    "admitted",
    "claimed",
    "claims",
    "conceded",
    "emphasized",
    "emphasised",
    "urged",
    "tweeted",
    "tweets",
    "posted",
    "quipped",
    "joked",
    "remarked",
    "observed",
    "suggested",
    "predicted",
    "promised",
    "vowed",
    "boasted",
    "complained",
    "cautioned",
    "concluded",
    "agreed",
    "shouted",
    "yelled",
    "exclaimed",
    "charged",
    "contended",
    "maintained",
    "mused",
    "lamented",
    "thundered",
    "reported",
    "reports",
    "screamed",
    "chanted",
    "pleaded",
    "whispered",
    "interjected",
    "texted",
    "emailed",
    "wondered",
];

/// Words that may precede a name inside a speaker phrase without being part
/// of the name (`Sen.`, `President`, `Democratic`).
const TITLES: &[&str] = &[
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Dr",
    "Sen",
    "Senator",
    "Rep",
    "Representative",
    "Gov",
    "Governor",
    "President",
    "Vice",
    "Secretary",
    "Gen",
    "General",
    "Rev",
    "Reverend",
    "Sir",
    "Lt",
    "Col",
    "Sgt",
    "Judge",
    "Justice",
    "Mayor",
    "Chairman",
    "Former",
    "Democratic",
    "Republican",
    "GOP",
    "Democrat",
    "Speaker",
    "Leader",
    "Prime",
    "Minister",
    "Attorney",
    "Candidate",
    "The",
    "A",
    "An",
];

/// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Sen", "Rep", "Gov", "Gen", "Rev", "Lt", "Col", "Sgt", "St", "Jr",
    "Sr", "Ft", "Mt", "No", "Jan", "Feb", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec", "Calif",
    "Fla", "Mass", "Penn", "Ill", "Wash", "Va", "Ky", "Tenn", "Ala", "Ariz", "Colo", "Conn", "Del",
    "Ga", "Ind", "Kan", "La", "Md", "Mich", "Minn", "Miss", "Mo", "Mont", "Neb", "Nev", "Okla",
    "Ore", "Pa", "Wis", "Wyo", "vs", "etc", "Inc", "Corp", "Co", "Ltd",
];

const PRONOUNS: &[&str] = &["he", "she", "they", "we", "i"];

/// Lowercase words that end a speaker phrase when walking back from a cue
/// (`… and that Kerry said`), or that may sit between the speaker and the
/// cue (`Kerry also said`).
const CLAUSE_WORDS: &[&str] = &[
    "that", "and", "but", "as", "when", "while", "because", "if", "after", "before", "which",
    "who", "where", "than", "so", "or", "what", "how", "why", "though", "although", "since",
    "until", "once", "whom", "whose", "to", "for", "in", "on", "at", "by", "with", "from", "about",
    "of", "into", "over", "during",
];

const BETWEEN_WORDS: &[&str] = &[
    "also",
    "later",
    "then",
    "once",
    "has",
    "had",
    "have",
    "would",
    "will",
    "later",
    "again",
    "previously",
    "recently",
    "further",
    "simply",
    "just",
    "even",
    "repeatedly",
    "often",
    "is",
    "was",
    "were",
    "are",
    "had",
    "did",
    "does",
    "do",
    "went",
    "on",
    "to",
    "reportedly",
    "famously",
    "still",
    "already",
    "never",
    "always",
    "first",
];

/// Head nouns of descriptions that refer to a person already named
/// (`the senator`, `the former secretary of state`).
const PERSON_NOUNS: &[&str] = &[
    "senator",
    "governor",
    "candidate",
    "president",
    "nominee",
    "congressman",
    "congresswoman",
    "lawmaker",
    "secretary",
    "mogul",
    "billionaire",
    "businessman",
    "businesswoman",
    "frontrunner",
    "front-runner",
    "mayor",
    "chairman",
    "chairwoman",
    "leader",
    "speaker",
    "minister",
    "official",
    "actor",
    "actress",
    "singer",
    "star",
    "host",
    "anchor",
    "judge",
    "man",
    "woman",
    "politician",
    "democrat",
    "republican",
    "veteran",
    "executive",
    "ceo",
    "founder",
    "author",
    "general",
    "diplomat",
    "lawyer",
    "attorney",
    "challenger",
    "incumbent",
    "rival",
    "former",
    "real",
    "reality",
    "retired",
    "neurosurgeon",
    "surgeon",
    "pastor",
    "activist",
    "vermont",
    "texas",
    "ohio",
    "florida",
];

fn is_cue(word: &str) -> bool {
    CUES.contains(&word)
}

fn is_title(word: &str) -> bool {
    TITLES.contains(&word)
}

/// Finds quotes and speakers.
#[derive(Debug, Default)]
pub struct QuoteFinder {}

/// Direction a quotation mark can take.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dir {
    Open,
    Close,
    /// A straight mark: opens before a word, closes after one.
    Either,
}

#[derive(Clone, Copy, Debug)]
struct Mark {
    at: usize,
    len: usize,
    dir: Dir,
    curly: bool,
}

/// One quoted span, byte offsets into the body.
#[derive(Debug, Clone)]
struct Span {
    /// Byte offset of the opening mark.
    open: usize,
    /// First byte after the opening mark.
    inner: usize,
    /// Byte offset of the closing mark (or the paragraph end).
    close: usize,
    /// First byte after the closing mark.
    after: usize,
    /// Start and end of the paragraph.
    para: (usize, usize),
    /// Paragraph number.
    para_no: usize,
    /// Spans of one multi-paragraph quote share this number.
    chain: usize,
}

/// A speaker phrase as found next to a cue.
#[derive(Debug, Clone)]
enum Who {
    /// A capitalised name at these byte offsets.
    Name(usize, usize),
    /// A pronoun or a definite description referring back.
    Back,
    /// A description that names nobody (`a campaign spokesman`).
    Other(String),
}

#[derive(Debug, Clone)]
struct Found {
    who: Who,
    cue: String,
}

#[derive(Clone, Copy, Debug)]
struct Tok<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    word: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Splits `body[from..to]` into words (letters and digits, with inner `'`,
/// `’` and `-`) and single punctuation characters; spaces are dropped.
fn tokens(body: &str, from: usize, to: usize) -> Vec<Tok<'_>> {
    let text = &body[from..to];
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if is_word_char(c) {
            let mut end = at + c.len_utf8();
            while let Some(&(next_at, next)) = chars.peek() {
                if is_word_char(next) {
                    end = next_at + next.len_utf8();
                    chars.next();
                } else if matches!(next, '\'' | '’' | '-') {
                    let rest = &text[next_at + next.len_utf8()..];
                    if rest.chars().next().is_some_and(is_word_char) {
                        end = next_at + next.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            out.push(Tok {
                text: &text[at..end],
                start: from + at,
                end: from + end,
                word: true,
            });
        } else {
            out.push(Tok {
                text: &text[at..at + c.len_utf8()],
                start: from + at,
                end: from + at + c.len_utf8(),
                word: false,
            });
        }
    }
    out
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Whether token `i` (a `.`, `!` or `?`) ends a sentence.
fn ends_sentence(toks: &[Tok], i: usize) -> bool {
    match toks[i].text {
        "!" | "?" => true,
        "." => {
            if i == 0 {
                return true;
            }
            let prev = toks[i - 1];
            if !prev.word || prev.end != toks[i].start {
                return true;
            }
            let single_capital = prev.text.chars().count() == 1 && is_capitalised(prev.text);
            !(single_capital || ABBREVIATIONS.contains(&prev.text))
        }
        _ => false,
    }
}

/// Scans one paragraph's quotation marks.
fn marks(body: &str, from: usize, to: usize) -> Vec<Mark> {
    let text = &body[from..to];
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut iter = text.char_indices().peekable();
    while let Some((at, c)) = iter.next() {
        let (len, curly, shape) = match c {
            '“' | '„' => (c.len_utf8(), true, Dir::Open),
            '”' => (c.len_utf8(), true, Dir::Close),
            '"' => (1, false, Dir::Either),
            '\'' if bytes.get(at + 1) == Some(&b'\'') => {
                iter.next();
                (2, false, Dir::Either)
            }
            _ => continue,
        };
        let prev = text[..at].chars().next_back();
        let next = text[at + len..].chars().next();
        let before_word = next.is_some_and(|n| !n.is_whitespace());
        let after_word = prev.is_some_and(|p| !p.is_whitespace() && !"([{—–-/".contains(p));
        // What the mark looks like from its neighbours, whatever its shape.
        let looks = if before_word && !after_word {
            Dir::Open
        } else if after_word && !before_word {
            Dir::Close
        } else {
            Dir::Either
        };
        let dir = match (shape, looks) {
            (Dir::Either, looks) => looks,
            // `“` after a word and before a space is a misprinted closing mark.
            (Dir::Open, Dir::Close) => Dir::Either,
            (Dir::Close, Dir::Open) => Dir::Either,
            (shape, _) => shape,
        };
        out.push(Mark {
            at: from + at,
            len,
            dir,
            curly,
        });
    }
    out
}

/// Pairs the marks of one paragraph. Returns closed spans and, when a quote is
/// left open at the end, its opening mark.
fn pair(marks: &[Mark]) -> (Vec<(Mark, Mark)>, Option<Mark>) {
    let mut spans = Vec::new();
    let mut open: Option<Mark> = None;
    let mut nested = 0usize;
    for &mark in marks {
        match open {
            None => {
                if mark.dir != Dir::Close {
                    open = Some(mark);
                    nested = 0;
                }
            }
            Some(start) => {
                let same_style = mark.curly == start.curly && mark.len == start.len;
                if mark.dir == Dir::Open && (mark.curly || same_style) && mark.curly == start.curly
                {
                    // A quotation inside the quotation, with the same marks.
                    if mark.curly {
                        nested += 1;
                    }
                    continue;
                }
                if nested > 0 && mark.curly && mark.dir != Dir::Open {
                    nested -= 1;
                    continue;
                }
                if mark.dir == Dir::Open {
                    // A different style opening inside: a nested quotation.
                    continue;
                }
                spans.push((start, mark));
                open = None;
            }
        }
    }
    (spans, open)
}

/// Finds the quoted spans of `body`, paragraph by paragraph.
fn spans(body: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut para_no = 0;
    let mut chain = 0;
    // The chain of a quote left open at the end of the previous paragraph.
    let mut carried: Option<usize> = None;
    let mut from = 0;
    while from <= body.len() {
        let to = body[from..].find('\n').map_or(body.len(), |n| from + n);
        if body[from..to].trim().is_empty() {
            from = to + 1;
            continue;
        }
        let para = (from, to);
        let found = marks(body, from, to);
        let (pairs, open) = pair(&found);
        let first_opens = found
            .first()
            .is_some_and(|m| m.dir != Dir::Close && body[from..m.at].trim().is_empty());
        let mut continued = carried.take();
        if !first_opens {
            continued = None;
        }
        for (start, end) in pairs {
            let this_chain = if let Some(c) = continued.take() {
                c
            } else {
                chain += 1;
                chain
            };
            out.push(Span {
                open: start.at,
                inner: start.at + start.len,
                close: end.at,
                after: end.at + end.len,
                para,
                para_no,
                chain: this_chain,
            });
        }
        if let Some(start) = open {
            let this_chain = if let Some(c) = continued.take() {
                c
            } else {
                chain += 1;
                chain
            };
            let end = from + body[from..to].trim_end().len();
            out.push(Span {
                open: start.at,
                inner: start.at + start.len,
                close: end,
                after: end,
                para,
                para_no,
                chain: this_chain,
            });
            carried = Some(this_chain);
        }
        para_no += 1;
        from = to + 1;
    }
    out
}

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

    /// The speaker phrase ending right before token `cue_at` (walking back to
    /// a clause boundary), if it looks like one.
    fn speaker_before(toks: &[Tok], cue_at: usize) -> Option<Who> {
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
                let candidate = Self::phrase_back(toks, at - 1);
                if let Some(who @ Who::Name(..)) = candidate {
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
    fn phrase_forward(toks: &[Tok], start: usize) -> Option<Who> {
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
        // `said in a statement`: no speaker after the cue.
        let first = toks.get(start)?;
        if !first.word || (!is_capitalised(first.text) && !DETERMINERS.contains(&first.text)) {
            return None;
        }
        Self::classify(toks, start, end)
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
        if words.len() == 1 && PRONOUNS.contains(&words[0].text.to_lowercase().as_str()) {
            return Some(Who::Back);
        }
        // The last run of capitalised words that are not titles.
        let mut run: Option<(usize, usize)> = None;
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
                run = Some((j, i));
                break;
            }
            i -= 1;
        }
        if let Some((j, i)) = run {
            let last = words[i - 1].text;
            // The run must not be a lone sentence-initial function word.
            if !(i - j == 1 && FUNCTION_CAPS.contains(&last)) {
                return Some(Who::Name(words[j].start, words[i - 1].end));
            }
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
                return Some(Who::Back);
            }
        }
        if DETERMINERS.contains(&first.as_str()) || words.len() <= 3 {
            let text = words.iter().map(|w| w.text).collect::<Vec<_>>().join(" ");
            return Some(Who::Other(text));
        }
        None
    }

    /// The attribution after a closing mark: `, Kerry said`, `, said Kerry`.
    fn after(body: &str, span: &Span, limit: usize, quote_ends_sentence: bool) -> Option<Found> {
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
            if words > 10 {
                return None;
            }
            let phrase = cue_phrase(&toks, k);
            let Some((cue, cue_end)) = phrase else {
                continue;
            };
            if cue == "according to" {
                return Self::phrase_forward(&toks, cue_end).map(|who| Found { who, cue });
            }
            // After a quote that ends its sentence, only a short clause
            // (`He said.`) can attribute it.
            if quote_ends_sentence && words > 4 {
                return None;
            }
            if k == 0 || toks[..k].iter().all(|t| !t.word) {
                return Self::phrase_forward(&toks, cue_end).map(|who| Found { who, cue });
            }
            return Self::speaker_before(&toks, k).map(|who| Found { who, cue });
        }
        None
    }

    /// The attribution before an opening mark, in the same sentence:
    /// `Kerry said: “`, `According to Kerry, “`, `Kerry told reporters that “`.
    fn before(body: &str, from: usize, open: usize) -> Option<Found> {
        let toks = tokens(body, from, open);
        // The sentence the mark stands in.
        let mut start = 0;
        for k in (0..toks.len()).rev() {
            if ends_sentence(&toks, k) || ["“", "”", "\"", "''"].contains(&toks[k].text) {
                start = k + 1;
                break;
            }
        }
        let toks = &toks[start..];
        let mut best: Option<Found> = None;
        for k in 0..toks.len() {
            let Some((cue, cue_end)) = cue_phrase(toks, k) else {
                continue;
            };
            if toks.len() - k > 30 {
                continue;
            }
            let who = if cue == "according to" {
                Self::phrase_forward(toks, cue_end)
            } else {
                Self::speaker_before(toks, k).or_else(|| {
                    // `said Kerry: “…”`
                    Self::phrase_forward(toks, cue_end)
                })
            };
            if let Some(who) = who {
                best = Some(Found { who, cue });
            }
        }
        best
    }

    /// Returns the quotes of `body`, resolving speakers against `entities`.
    pub(crate) fn find(&self, body: &str, index: &CharIndex, entities: &[Entity]) -> Vec<Quote> {
        let spans = spans(body);
        if spans.is_empty() {
            return Vec::new();
        }
        let char_spans: Vec<(usize, usize)> = spans
            .iter()
            .map(|s| (index.chars(s.open), index.chars(s.after)))
            .collect();
        // Person mentions outside quotes, in text order: (char start, name).
        let mut people: Vec<(usize, &str)> = entities
            .iter()
            .filter(|e| e.kind == "PER")
            .flat_map(|e| e.mentions.iter().map(move |m| (m.start, e.name.as_str())))
            .filter(|(start, _)| !char_spans.iter().any(|(a, b)| a <= start && start < b))
            .collect();
        people.sort_unstable();

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
                explicit = Self::before(body, prev_close.min(span.open), span.open);
            }
            let clause = opens_clause(&body[span.para.0..span.open]);
            if explicit.is_none() && clause && body[span.para.0..span.open].trim().is_empty() {
                // A paragraph that ends with a colon introduces this one.
                let prev_para = spans
                    .iter()
                    .take(n)
                    .rev()
                    .map(|s| s.para)
                    .find(|p| p.0 < span.para.0);
                let prev_text_end = body[..span.para.0].trim_end();
                if prev_text_end.ends_with(':') {
                    let prev_start = prev_text_end.rfind('\n').map_or(0, |x| x + 1);
                    let _ = prev_para;
                    explicit = Self::before(body, prev_start, prev_text_end.len() - 1);
                }
            }
            let words = body[span.inner..span.close].split_whitespace().count();
            keep.push(words >= 1 && (clause || explicit.is_some()));
            found.push(explicit);
        }

        // Pass 2: resolve, inherit and emit.
        let mut quotes = Vec::with_capacity(spans.len());
        let mut last: Option<(String, String, usize, usize)> = None; // speaker, cue, char pos, para
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
            let resolved = match own {
                Some(Found { who, cue }) => {
                    let speaker = match who {
                        Who::Name(s, e) => Some(resolve_name(body, index, entities, s, e)),
                        Who::Back => back_reference(&last, &people, here),
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
                    last = Some((s.clone(), c.clone(), here, span.para_no));
                    (Some(s), Some(c))
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

const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "their", "its", "one", "another", "some", "several", "many",
    "The", "A", "An", "His", "Her", "Their", "Its", "One", "Another", "Some", "Several", "Many",
];

const FUNCTION_CAPS: &[&str] = &[
    "The", "A", "An", "But", "And", "He", "She", "It", "They", "We", "I", "In", "On", "At", "As",
    "This", "That", "His", "Her", "Their", "Its", "When", "While", "If", "So", "Then", "There",
    "Yet", "Or", "Now", "Still", "Later", "Also", "Asked", "Speaking", "Writing",
];

/// The cue phrase starting at token `k`: its text and the token after it.
fn cue_phrase(toks: &[Tok], k: usize) -> Option<(String, usize)> {
    let t = toks[k];
    if !t.word {
        return None;
    }
    let next = toks.get(k + 1).filter(|n| n.word).map(|n| n.text);
    let lower = t.text.to_lowercase();
    match (lower.as_str(), next) {
        ("according", Some("to")) => Some(("according to".to_string(), k + 2)),
        ("pointed", Some("out")) => Some(("pointed out".to_string(), k + 2)),
        _ if is_cue(t.text) => Some((t.text.to_string(), k + 1)),
        _ => None,
    }
}

/// The canonical name of the speaker written at `body[start..end]`.
fn resolve_name(
    body: &str,
    index: &CharIndex,
    entities: &[Entity],
    start: usize,
    end: usize,
) -> String {
    let (cs, ce) = (index.chars(start), index.chars(end));
    let covering = entities
        .iter()
        .filter_map(|e| {
            let overlap = e
                .mentions
                .iter()
                .map(|m| m.end.min(ce).saturating_sub(m.start.max(cs)))
                .max()
                .unwrap_or(0);
            (overlap > 0).then_some((overlap + usize::from(e.kind == "PER") * 1000, e))
        })
        .max_by_key(|(score, _)| *score)
        .map(|(_, e)| e);
    if let Some(e) = covering {
        return e.name.clone();
    }
    let written = &body[start..end];
    let last_word = written.split_whitespace().next_back().unwrap_or(written);
    let last_word = last_word
        .trim_end_matches("'s")
        .trim_end_matches("’s")
        .trim_end_matches('.');
    let by_surname = entities
        .iter()
        .filter(|e| e.kind == "PER" && e.name.split_whitespace().next_back() == Some(last_word))
        .filter_map(|e| {
            e.mentions
                .iter()
                .filter(|m| m.start < cs)
                .map(|m| m.start)
                .max()
                .map(|at| (at, e))
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, e)| e);
    if let Some(e) = by_surname {
        return e.name.clone();
    }
    written
        .trim_end_matches("'s")
        .trim_end_matches("’s")
        .to_string()
}

/// The person a pronoun or definite description at char `here` refers to:
/// the last speaker or the last person named outside quotes, whichever came
/// later.
fn back_reference(
    last: &Option<(String, String, usize, usize)>,
    people: &[(usize, &str)],
    here: usize,
) -> Option<String> {
    let named = people
        .iter()
        .rev()
        .find(|(start, _)| *start < here)
        .map(|(start, name)| (*start, *name));
    match (last, named) {
        (Some((speaker, _, at, _)), Some((named_at, name))) => {
            if named_at > *at {
                Some(name.to_string())
            } else {
                Some(speaker.clone())
            }
        }
        (Some((speaker, ..)), None) => Some(speaker.clone()),
        (None, Some((_, name))) => Some(name.to_string()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities;

    fn quotes(text: &str) -> Vec<Quote> {
        let index = CharIndex::new(text);
        let found = entities::find(text, &index);
        QuoteFinder::new().find(text, &index, &found)
    }

    fn slice(text: &str, q: &Quote) -> String {
        text.chars().skip(q.start).take(q.end - q.start).collect()
    }

    #[test]
    fn speakers_after_before_and_pronouns() {
        let text = "Secretary of State John Kerry spoke.\n\n“We are close to a deal,” Kerry said.\n\n“It will take time,” he added.\n\nLavrov told reporters that “nothing is agreed yet”.";
        let found = quotes(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].speaker.as_deref(), Some("John Kerry"));
        assert_eq!(found[0].cue.as_deref(), Some("said"));
        assert_eq!(found[1].speaker.as_deref(), Some("John Kerry"));
        assert_eq!(found[1].cue.as_deref(), Some("added"));
        assert_eq!(found[2].speaker.as_deref(), Some("Lavrov"));
        assert_eq!(found[2].cue.as_deref(), Some("told"));
        assert_eq!(slice(text, &found[0]), "We are close to a deal,");
        assert_eq!(found[0].text, "We are close to a deal,");
    }
}
