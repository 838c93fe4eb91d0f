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
    "responds",
    "demanded",
    "reiterated",
    "recounted",
    "testified",
    "confirmed",
    "denied",
    "conceded",
    "retorted",
    "snapped",
    "sighed",
    "laughed",
    "chimed",
    "began",
    "opined",
    "concludes",
    "admits",
    "acknowledges",
    "agrees",
    "predicts",
    "jokes",
    "muses",
    "suggests",
    "recalls",
    "stresses",
    "emphasizes",
    "declares",
    "replies",
    "answers",
    "read",
    "reads",
    "elaborated",
    "proclaimed",
    "proclaims",
    "announces",
    "cautions",
    "contends",
    "maintains",
    "observes",
    "quips",
    "remarks",
    "barked",
    "beamed",
    "boomed",
    "exhorted",
    "scoffed",
    "surmised",
    "cracked",
    "riffed",
    "retaliated",
    "reacted",
    "declaring",
    "announcing",
    "insisting",
    "noting",
    "arguing",
    "explaining",
    "warning",
    "asking",
    "tweeting",
    "quipping",
    "stating",
    "tweeted",
];

/// Verbs that attribute a partial quote inside their sentence (`Trump called
/// it “a disaster”`) but not a whole quote.
const PARTIAL_CUES: &[&str] = &[
    "called",
    "calls",
    "calling",
    "described",
    "dubbed",
    "labeled",
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

/// Fewest words of a quote with no attribution of its own (shorter ones are
/// mostly titles and slogans).
const MIN_WORDS: usize = 3;

/// Dashes that introduce the name signing a quote.
const DASHES: [char; 5] = ['-', '—', '–', '―', '‒'];

const PRONOUNS: &[&str] = &["he", "she", "they", "we", "i", "it"];

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

/// [`CUES`] as a set, and their longest length in bytes.
fn cue_set() -> &'static (std::collections::HashSet<&'static str>, usize) {
    static SET: std::sync::OnceLock<(std::collections::HashSet<&'static str>, usize)> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let longest = CUES.iter().map(|c| c.len()).max().unwrap_or(0);
        (CUES.iter().copied().collect(), longest)
    })
}

fn is_cue(word: &str) -> bool {
    let (set, longest) = cue_set();
    if word.len() < 3 || word.len() > *longest {
        return false;
    }
    set.contains(word) || (is_capitalised(word) && set.contains(word.to_lowercase().as_str()))
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

/// The gender a pronoun gives away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Any,
    Male,
    Female,
}

/// A speaker phrase as found next to a cue.
#[derive(Debug, Clone)]
enum Who {
    /// A capitalised name at these byte offsets.
    Name(usize, usize),
    /// A pronoun or a definite description referring back; the gender a
    /// pronoun gives.
    Back(Gender),
    /// A description that names nobody (`a campaign spokesman`).
    Other(String),
}

#[derive(Debug, Clone)]
struct Found {
    who: Who,
    cue: Option<String>,
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
        let after_mark = &text[at + len..];
        let before_word = next.is_some_and(|n| {
            !n.is_whitespace()
                && !",;:!?)]}".contains(n)
                && (n != '.' || after_mark.starts_with(".."))
        });
        let after_word = prev.is_some_and(|p| p.is_alphanumeric() || ".,!?;:)]}%’'…*".contains(p));
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
    fn before(body: &str, from: usize, open: usize, partial: bool) -> Option<Found> {
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
    fn dash_line(body: &str, span: &Span) -> Option<Found> {
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
    fn sentence_subject(toks: &[Tok]) -> Option<Who> {
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
    fn colon_lead(body: &str, from: usize, to: usize) -> Option<Found> {
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

    /// Who is named as a speaker or sentence subject where, outside quotes:
    /// `(char offset, canonical name)` in text order. Pronouns resolve to the
    /// last of these.
    fn naming_events(
        body: &str,
        index: &CharIndex,
        entities: &[Entity],
        spans: &[Span],
    ) -> Vec<Event> {
        let mut events = Vec::new();
        let mut from = 0;
        let mut next_span = 0;
        while from < body.len() {
            let to = body[from..].find('\n').map_or(body.len(), |n| from + n);
            if to > from {
                let toks = tokens(body, from, to);
                let mut sentence_start = true;
                for k in 0..toks.len() {
                    let t = toks[k];
                    while next_span < spans.len() && spans[next_span].after <= t.start {
                        next_span += 1;
                    }
                    let inside = spans
                        .get(next_span)
                        .is_some_and(|s| s.open <= t.start && t.start < s.after);
                    if inside {
                        sentence_start = true;
                        continue;
                    }
                    if !t.word {
                        if ends_sentence(&toks, k) {
                            sentence_start = true;
                        }
                        continue;
                    }
                    if sentence_start {
                        sentence_start = false;
                        if let Some(Who::Name(s, e)) = Self::sentence_subject(&toks[k..])
                            && let Some(name) = covering_person(index, entities, s, e)
                        {
                            events.push(Event {
                                at: index.chars(t.start),
                                name: name.to_string(),
                                person: true,
                            });
                        }
                    }
                    if let Some((_, cue_end)) = cue_phrase(&toks, k) {
                        let who = Self::speaker_before(&toks, k)
                            .or_else(|| Self::phrase_forward(&toks, cue_end));
                        if let Some(Who::Name(s, e)) = who
                            && let (name, person, true) = resolve_name(body, index, entities, s, e)
                        {
                            events.push(Event {
                                at: index.chars(t.start),
                                name,
                                person,
                            });
                        }
                    }
                }
            }
            from = to + 1;
        }
        events
    }

    /// Returns the quotes of `body`, resolving speakers against `entities`.
    pub(crate) fn find(&self, body: &str, index: &CharIndex, entities: &[Entity]) -> Vec<Quote> {
        let spans = spans(body);
        if spans.is_empty() {
            return Vec::new();
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

/// The subject of the sentence holding byte `at` (paragraph from
/// `para_start`): the first person the tagger found in the sentence before
/// `at`, or a sentence-initial `He`/`She`.
fn sentence_subject(
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

const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "their", "its", "one", "another", "some", "several", "many",
    "The", "A", "An", "His", "Her", "Their", "Its", "One", "Another", "Some", "Several", "Many",
];

/// Capitalised words that are not names: sentence-initial function words,
/// days and months (`On Tuesday, Kerry said`, `said Friday`).
const FUNCTION_CAPS: &[&str] = &[
    "The",
    "A",
    "An",
    "But",
    "And",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "In",
    "On",
    "At",
    "As",
    "This",
    "That",
    "His",
    "Her",
    "Their",
    "Its",
    "When",
    "While",
    "If",
    "So",
    "Then",
    "There",
    "Yet",
    "Or",
    "Now",
    "Still",
    "Later",
    "Also",
    "Asked",
    "Speaking",
    "Writing",
    "However",
    "Throughout",
    "How",
    "Why",
    "What",
    "Where",
    "Who",
    "Any",
    "Both",
    "Last",
    "Next",
    "Earlier",
    "After",
    "Before",
    "During",
    "Since",
    "Until",
    "For",
    "From",
    "With",
    "By",
    "To",
    "Of",
    "My",
    "Our",
    "Your",
    "You",
    "Some",
    "Many",
    "Most",
    "All",
    "Each",
    "Every",
    "No",
    "Not",
    "Even",
    "Just",
    "Only",
    "Meanwhile",
    "Instead",
    "Indeed",
    "Still",
    "Yes",
    "Well",
    "Oh",
    "X",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Today",
    "Tonight",
    "Yesterday",
    "Tomorrow",
    "Twitter",
    "Facebook",
    "Instagram",
];

fn not_a_name(word: &str) -> bool {
    FUNCTION_CAPS.contains(&word)
}

/// The cue phrase starting at token `k`: its text and the token after it.
fn cue_phrase(toks: &[Tok], k: usize) -> Option<(String, usize)> {
    let t = toks[k];
    if !t.word {
        return None;
    }
    let next = toks.get(k + 1).filter(|n| n.word).map(|n| n.text);
    for (first, second) in [
        ("according", "to"),
        ("pointed", "out"),
        ("shot", "back"),
        ("went", "on"),
    ] {
        if next == Some(second) && t.text.eq_ignore_ascii_case(first) {
            return Some((format!("{first} {second}"), k + 2));
        }
    }
    is_cue(t.text).then(|| (t.text.to_lowercase(), k + 1))
}

/// Someone named as a speaker or a sentence subject, outside quotes.
#[derive(Debug)]
struct Event {
    /// Char offset.
    at: usize,
    /// Canonical name.
    name: String,
    /// Whether this may be a person (not an organisation, place or thing).
    person: bool,
}

/// The canonical name of the speaker written at `body[start..end]`, whether
/// it may be a person, and whether an entity backs it (else it is the text
/// as written).
fn resolve_name(
    body: &str,
    index: &CharIndex,
    entities: &[Entity],
    start: usize,
    end: usize,
) -> (String, bool, bool) {
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
    // A surname alone (`Ms. Moore`) takes the full name of the person
    // mentioned before with that surname.
    let single = |name: &str| {
        name.split_whitespace()
            .filter(|w| !is_title(w.trim_end_matches('.')))
            .count()
            <= 1
    };
    if let Some(e) = covering
        && !(e.kind == "PER" && single(&e.name))
    {
        return (e.name.clone(), e.kind == "PER", true);
    }
    let written = covering.map_or(&body[start..end], |e| e.name.as_str());
    let last_word = written.split_whitespace().next_back().unwrap_or(written);
    let last_word = last_word
        .trim_end_matches("'s")
        .trim_end_matches("’s")
        .trim_end_matches('.');
    let by_surname = entities
        .iter()
        .filter(|e| e.kind == "PER" && e.name.split_whitespace().next_back() == Some(last_word))
        .filter(|e| covering.is_none() || !single(&e.name))
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
        return (e.name.clone(), true, true);
    }
    if let Some(e) = covering {
        return (e.name.clone(), true, true);
    }
    let name = written
        .trim_end_matches("'s")
        .trim_end_matches("’s")
        .to_string();
    (name, true, false)
}

/// The name of the person entity whose mention covers `body[start..end]`.
fn covering_person<'a>(
    index: &CharIndex,
    entities: &'a [Entity],
    start: usize,
    end: usize,
) -> Option<&'a str> {
    let (cs, ce) = (index.chars(start), index.chars(end));
    entities
        .iter()
        .filter(|e| e.kind == "PER")
        .find(|e| e.mentions.iter().any(|m| m.start < ce && cs < m.end))
        .map(|e| e.name.as_str())
}

/// Common first names that tell a person's gender, for `he` and `she`.
const FEMALE_NAMES: &[&str] = &[
    "Hillary",
    "Sarah",
    "Nancy",
    "Elizabeth",
    "Megyn",
    "Kellyanne",
    "Michelle",
    "Melania",
    "Ivanka",
    "Debbie",
    "Donna",
    "Carly",
    "Nikki",
    "Condoleezza",
    "Madeleine",
    "Loretta",
    "Huma",
    "Chelsea",
    "Mary",
    "Patricia",
    "Jennifer",
    "Linda",
    "Barbara",
    "Susan",
    "Jessica",
    "Karen",
    "Lisa",
    "Betty",
    "Margaret",
    "Sandra",
    "Ashley",
    "Kimberly",
    "Emily",
    "Michelle",
    "Carol",
    "Amanda",
    "Melissa",
    "Deborah",
    "Stephanie",
    "Rebecca",
    "Laura",
    "Sharon",
    "Cynthia",
    "Kathleen",
    "Amy",
    "Shirley",
    "Angela",
    "Helen",
    "Anna",
    "Brenda",
    "Pamela",
    "Nicole",
    "Emma",
    "Samantha",
    "Katherine",
    "Christine",
    "Rachel",
    "Catherine",
    "Heather",
    "Diane",
    "Julie",
    "Joyce",
    "Victoria",
    "Kelly",
    "Christina",
    "Joan",
    "Evelyn",
    "Lauren",
    "Judith",
    "Olivia",
    "Martha",
    "Cheryl",
    "Megan",
    "Andrea",
    "Hannah",
    "Jacqueline",
    "Ann",
    "Jean",
    "Alice",
    "Kathryn",
    "Gloria",
    "Teresa",
    "Doris",
    "Sara",
    "Janet",
    "Julia",
    "Marie",
    "Madison",
    "Grace",
    "Judy",
    "Theresa",
    "Beverly",
    "Denise",
    "Marilyn",
    "Amber",
    "Danielle",
    "Abigail",
    "Brittany",
    "Rose",
    "Diana",
    "Natalie",
    "Sophia",
    "Alexis",
    "Lori",
    "Kayla",
    "Jane",
    "Maria",
    "Angela",
    "Claire",
    "Valerie",
    "Jill",
    "Kirsten",
    "Tammy",
    "Claudia",
    "Maxine",
    "Dianne",
    "Barbra",
    "Katy",
    "Taylor",
    "Beyonce",
    "Oprah",
    "Angela",
    "Theresa",
    "Marine",
    "Sheryl",
    "Neera",
    "Jennifer",
    "Kate",
    "Ruth",
    "Sonia",
    "Elena",
    "Janet",
];

const MALE_NAMES: &[&str] = &[
    "Donald",
    "Bernie",
    "Barack",
    "Ted",
    "Marco",
    "Jeb",
    "John",
    "Ben",
    "Chris",
    "Mike",
    "Paul",
    "Rand",
    "Bill",
    "George",
    "Joe",
    "Tim",
    "Reince",
    "Mitt",
    "Newt",
    "Rudy",
    "Corey",
    "Jim",
    "Lindsey",
    "Scott",
    "Martin",
    "Mitch",
    "Harry",
    "Eric",
    "Jeff",
    "Robert",
    "Michael",
    "William",
    "David",
    "Richard",
    "Joseph",
    "Thomas",
    "Charles",
    "Christopher",
    "Daniel",
    "Matthew",
    "Anthony",
    "Mark",
    "Steven",
    "Andrew",
    "Kenneth",
    "Joshua",
    "Kevin",
    "Brian",
    "Edward",
    "Ronald",
    "Timothy",
    "Jason",
    "Jeffrey",
    "Ryan",
    "Jacob",
    "Gary",
    "Nicholas",
    "Jonathan",
    "Stephen",
    "Larry",
    "Justin",
    "Brandon",
    "Benjamin",
    "Samuel",
    "Gregory",
    "Frank",
    "Alexander",
    "Raymond",
    "Patrick",
    "Jack",
    "Dennis",
    "Jerry",
    "Tyler",
    "Aaron",
    "Jose",
    "Adam",
    "Henry",
    "Nathan",
    "Douglas",
    "Zachary",
    "Peter",
    "Kyle",
    "Walter",
    "Ethan",
    "Jeremy",
    "Harold",
    "Keith",
    "Christian",
    "Roger",
    "Noah",
    "Gerald",
    "Carl",
    "Terry",
    "Sean",
    "Austin",
    "Arthur",
    "Lawrence",
    "Jesse",
    "Dylan",
    "Bryan",
    "Jordan",
    "Billy",
    "Bruce",
    "Albert",
    "Willie",
    "Gabriel",
    "Logan",
    "Alan",
    "Juan",
    "Wayne",
    "Roy",
    "Ralph",
    "Randy",
    "Eugene",
    "Vincent",
    "Russell",
    "Elijah",
    "Louis",
    "Bobby",
    "Philip",
    "Johnny",
    "Vladimir",
    "Xi",
    "Recep",
    "Bashar",
    "Josh",
    "Jake",
    "Jon",
    "Steve",
    "Tom",
    "Bob",
    "Dick",
    "Al",
    "Dan",
    "Ted",
    "Tony",
    "Pat",
    "Rick",
    "Ron",
    "Sam",
    "Ken",
    "Don",
    "Doug",
    "Greg",
    "Jay",
    "Karl",
    "Lou",
    "Matt",
    "Nick",
    "Phil",
    "Roger",
    "Sean",
    "Van",
    "Wolf",
    "Hugh",
    "Rush",
    "Glenn",
    "Sean",
    "Chuck",
    "Elijah",
    "Dave",
    "Jimmy",
    "Lyndon",
    "Franklin",
    "Ike",
];

fn gender_of(name: &str) -> Gender {
    let first = name
        .split_whitespace()
        .find(|w| !is_title(w.trim_end_matches('.')))
        .unwrap_or("");
    if FEMALE_NAMES.contains(&first) {
        Gender::Female
    } else if MALE_NAMES.contains(&first) {
        Gender::Male
    } else {
        Gender::Any
    }
}

fn fits(name: &str, gender: Gender) -> bool {
    match gender {
        Gender::Any => true,
        wanted => {
            let has = gender_of(name);
            has == Gender::Any || has == wanted
        }
    }
}

/// The person entity mentioned last before char `here` whose first name does
/// not contradict `gender`: the antecedent of a pronoun when no speaker or
/// sentence subject fits.
fn last_mention(entities: &[Entity], here: usize, gender: Gender) -> Option<String> {
    entities
        .iter()
        .filter(|e| e.kind == "PER" && fits(&e.name, gender))
        .filter_map(|e| {
            let at = e
                .mentions
                .iter()
                .filter(|m| m.end <= here)
                .map(|m| m.start)
                .max()?;
            Some((at, e))
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, e)| e.name.clone())
}

/// The person a pronoun or definite description at char `here` refers to:
/// the last person quoted or named (as a speaker or a sentence subject)
/// before it whose first name does not contradict the pronoun.
fn back_reference(
    last: &Option<(String, usize)>,
    events: &[Event],
    here: usize,
    gender: Gender,
) -> Option<String> {
    let before = events.partition_point(|e| e.at < here);
    let named = events[..before]
        .iter()
        .rev()
        .take(40)
        .find(|e| (e.person || gender == Gender::Any) && fits(&e.name, gender))
        .map(|e| (&e.at, &e.name));
    let quoted = last
        .as_ref()
        .filter(|(name, ..)| fits(name, gender))
        .map(|(name, at)| (*at, name));
    match (quoted, named) {
        (Some((at, quoted)), Some((named_at, named))) => {
            Some(if *named_at > at { named } else { quoted }.clone())
        }
        (Some((_, quoted)), None) => Some(quoted.clone()),
        (None, Some((_, named))) => Some(named.clone()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities;

    fn quotes(text: &str) -> Vec<Quote> {
        let index = CharIndex::new(text);
        let found = entities::find(
            text,
            &index,
            wirehose_ner::Model::builtin(),
            &crate::canon::Aliases::default(),
            None,
        );
        QuoteFinder::new().find(text, &index, &found)
    }

    fn slice(text: &str, q: &Quote) -> String {
        text.chars().skip(q.start).take(q.end - q.start).collect()
    }

    #[test]
    fn inverted_cue_appositive_and_according_to() {
        let text = "Jane Roe runs the campaign.\n\n“We will win the state,” said Jane Roe, the campaign manager.\n\nAccording to Richard Miles, “nothing has been decided at all.”\n\n“The count is slow,” Tom Fenwick, a county official, said on Monday.";
        let found = quotes(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].speaker.as_deref(), Some("Jane Roe"));
        assert_eq!(found[1].speaker.as_deref(), Some("Richard Miles"));
        assert_eq!(found[1].cue.as_deref(), Some("according to"));
        assert_eq!(found[2].speaker.as_deref(), Some("Tom Fenwick"));
    }

    #[test]
    fn speaker_before_with_colon_and_straight_quotes() {
        let text = "Governor Ann Blake spoke in the morning.\n\nBlake told the crowd: \"We are not going anywhere.\"\n\nLater, Bob Stone said \"this plan cannot work\" and left.";
        let found = quotes(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].speaker.as_deref(), Some("Ann Blake"));
        assert_eq!(found[0].cue.as_deref(), Some("told"));
        assert_eq!(found[0].text, "We are not going anywhere.");
        assert_eq!(found[1].speaker.as_deref(), Some("Bob Stone"));
        assert_eq!(slice(text, &found[1]), "this plan cannot work");
    }

    #[test]
    fn continuation_and_multi_paragraph_quotes() {
        let text = "“The first part is here,” Mark Vale said. “The second part follows.”\n\n“A long quote opens here and runs on\n\n“until this paragraph, where it ends,” Vale added.";
        let found = quotes(text);
        assert_eq!(found.len(), 4, "{found:?}");
        for q in &found {
            assert_eq!(q.speaker.as_deref(), Some("Mark Vale"), "{q:?}");
        }
        assert_eq!(found[1].cue.as_deref(), Some("said"));
        assert_eq!(found[2].text, "A long quote opens here and runs on");
        assert_eq!(found[3].cue.as_deref(), Some("added"));
    }

    #[test]
    fn pronouns_follow_gender_and_last_named() {
        let text = "Hillary Clinton met Donald Trump on stage.\n\nClinton said the debate was long.\n\n“I am ready for the next one,” she said.\n\nTrump left early. “It was rigged from the start,” he said.";
        let found = quotes(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].speaker.as_deref(), Some("Hillary Clinton"));
        assert_eq!(found[1].speaker.as_deref(), Some("Donald Trump"));
    }

    #[test]
    fn partial_quotes_belong_to_the_sentence_subject() {
        let text = "Ivan Petrov met the press. Similarly cryptic, Petrov spoke of “increased efficiency” in the talks.";
        let found = quotes(text);
        let q = found
            .iter()
            .find(|q| q.text == "increased efficiency")
            .expect("the partial quote is kept");
        assert_eq!(q.speaker.as_deref(), Some("Ivan Petrov"));
    }

    #[test]
    fn partial_scare_quotes_and_signatures() {
        let text = "Senator Paul Grant called the bill “a total disaster for farmers” on Tuesday.\n\nThe so-called “reform” plan stalled.\n\n“It is time to vote.” ― Maria Lopez";
        let found = quotes(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].text, "a total disaster for farmers");
        assert_eq!(found[0].speaker.as_deref(), Some("Paul Grant"));
        assert!(is_partial(text, &found[0]));
        assert_eq!(found[1].speaker.as_deref(), Some("Maria Lopez"));
        assert!(!is_partial(text, &found[1]));
    }

    #[test]
    fn days_and_sentence_openers_are_not_speakers() {
        let text = "Mark Vale spoke to voters in the town hall.\n\nOn Tuesday, Vale said nothing new.\n\n“We are ready for this fight,” he said Friday.\n\nThroughout the day, “the count went on and on,” he said.";
        let found = quotes(text);
        assert_eq!(found.len(), 2, "{found:?}");
        for q in &found {
            assert_eq!(q.speaker.as_deref(), Some("Mark Vale"), "{q:?}");
        }
    }

    #[test]
    fn participle_and_colon_paragraph_speakers() {
        let text = "At the town hall on Monday, Mark Vale spoke to voters, saying, “We will fix the roads this year.”\n\nAnn Blake took the stage next and made her point:\n\n“Nobody here believes a word of that plan.”";
        let found = quotes(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].speaker.as_deref(), Some("Mark Vale"));
        assert_eq!(found[1].speaker.as_deref(), Some("Ann Blake"));
    }

    /// Times `find` over a PolNeAR split's texts (entities found beforehand):
    /// `WIREHOSE_POLNEAR=/path/to/polnear/train cargo test --release -p
    /// wirehose-extract -- --ignored find_speed --nocapture`.
    #[test]
    #[ignore]
    fn find_speed() {
        let dir = std::env::var("WIREHOSE_POLNEAR")
            .unwrap_or_else(|_| "../../../shared/data/polnear/train".to_string());
        let mut docs = Vec::new();
        for entry in std::fs::read_dir(std::path::Path::new(&dir).join("text")).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let body = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n");
            let index = CharIndex::new(&body);
            let found = entities::find(
                &body,
                &index,
                wirehose_ner::Model::builtin(),
                &crate::canon::Aliases::default(),
                None,
            );
            docs.push((body, index, found));
        }
        let finder = QuoteFinder::new();
        let mut quotes = 0;
        let start = std::time::Instant::now();
        let rounds = 5;
        for _ in 0..rounds {
            for (body, index, found) in &docs {
                quotes += finder.find(body, index, found).len();
            }
        }
        let per = start.elapsed().as_secs_f64() * 1e6 / (rounds * docs.len()) as f64;
        let chars: usize = docs.iter().map(|d| d.0.len()).sum();
        println!(
            "{} articles, {} bytes on average, {} quotes: {per:.1} µs per article",
            docs.len(),
            chars / docs.len(),
            quotes / rounds
        );
    }

    #[test]
    fn doubled_apostrophes_are_quotes() {
        let text = "Pat Moore spoke.\n\n''We looked at every option,'' Ms. Moore said.";
        let found = quotes(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].text, "We looked at every option,");
        assert_eq!(found[0].speaker.as_deref(), Some("Pat Moore"));
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
