//! Numbers with what they count: `370,000 people`, `a half-million people`,
//! `10 hours`, `$1.2 billion`, `15 percent`.
//!
//! [`find`] reads the body as a stream of tokens (numbers, words, symbols)
//! and reports each number phrase that is followed by what it counts as an
//! [`Amount`]. It compiles nothing: the word lists are constants.
//!
//! # What is reported
//!
//! - Digits with thousands separators and decimals, optionally scaled by
//!   `thousand`, `million`, `billion`, `trillion` or `dozen` (`3.5 million
//!   barrels` = 3,500,000 barrels).
//! - Spelled-out numbers from `two` up (`three people`, `twenty-five
//!   soldiers`, `two hundred and fifty`, `two dozen soldiers` = 24), and `a`
//!   / `one` only with a scale (`a dozen`, `a million`, `one billion`, `a
//!   half-million`, `half a million`). `one` alone is skipped: it is mostly a
//!   pronoun (`one of them`, `one day`).
//! - Money: a currency sign makes the unit an ISO 4217 code (`$` USD, `US$`
//!   USD, `C$` CAD, `A$` AUD, `HK$` HKD, `£` GBP, `€` EUR, `¥` JPY, `₽` RUB,
//!   `₹` INR), with scales written out or abbreviated (`$5m`, `€1.2bn`); so
//!   does a currency word as the counted noun (`1 billion euros` EUR,
//!   `rubles` RUB, `yuan` CNY, `dollars` USD, `pounds sterling` GBP; plain
//!   `pounds` stays `pounds`, it may be a weight).
//! - Percentages: `15 percent`, `15 per cent`, `15%`, `15 pct` (unit
//!   `percent`); `percentage points` and `basis points` keep their name.
//! - The counted noun is the next word, over at most four modifiers (`10
//!   registered voters` and `three Russian soldiers` count `voters` and
//!   `soldiers`; a singular noun before a plural one is a modifier too: `5
//!   police officers` counts `officers`), lower-cased as written.
//!   A hyphenated unit counts too (`a 10-hour meeting` = 10 `hour`).
//! - Ranges (`10 to 15 people`, `20 or 25 percent`, `between 100 and 150
//!   soldiers`, `10-15 hours`) give **both** numbers, each with its own span;
//!   the first takes the unit and the scale of the second (`2 to 3 million
//!   people` = 2,000,000 and 3,000,000 people).
//!
//! # Not reported
//!
//! Numbers with nothing counted after them (`he won 45-40`, `Smith, 45,`),
//! vague counts (`dozens of`, `hundreds of`, `thousands of`, `a few`),
//! years (`in 2016`, `the 2016 election`), dates (`May 15`, `15 May`,
//! `three days ago`), times of day (`7 p.m.`, `10:30`), ages (`a 45-year-old`,
//! `45 years old`), ordinals (`1st`, `second`), fractions and identifiers
//! (`F-16`, `G20`, `Resolution 2254 calls`, `page 5`, `No. 10`, `9/11`).

use wirehose_core::Amount;

use wirehose_text::CharIndex;

/// Number words and their values.
const ONES: &[(&str, f64)] = &[
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
];
const TENS: &[(&str, f64)] = &[
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fifty", 50.0),
    ("sixty", 60.0),
    ("seventy", 70.0),
    ("eighty", 80.0),
    ("ninety", 90.0),
];
/// Scale words after a number.
const SCALES: &[(&str, f64)] = &[
    ("thousand", 1e3),
    ("million", 1e6),
    ("billion", 1e9),
    ("trillion", 1e12),
    ("dozen", 12.0),
];
/// Scales written right after the digits in money (`$5m`, `€1.2bn`).
const SCALE_SUFFIXES: &[(&str, f64)] = &[
    ("k", 1e3),
    ("K", 1e3),
    ("m", 1e6),
    ("mn", 1e6),
    ("mln", 1e6),
    ("M", 1e6),
    ("bn", 1e9),
    ("b", 1e9),
    ("B", 1e9),
    ("tn", 1e12),
    ("trn", 1e12),
];
/// Currency signs.
const SIGNS: &[(char, &str)] = &[
    ('$', "USD"),
    ('£', "GBP"),
    ('€', "EUR"),
    ('¥', "JPY"),
    ('₽', "RUB"),
    ('₹', "INR"),
];
/// Prefixes written right before `$`.
const DOLLAR_PREFIXES: &[(&str, &str)] = &[
    ("US", "USD"),
    ("C", "CAD"),
    ("CA", "CAD"),
    ("A", "AUD"),
    ("AU", "AUD"),
    ("HK", "HKD"),
    ("NZ", "NZD"),
    ("S", "SGD"),
    ("R", "BRL"),
];
/// Currency words as counted nouns.
const CURRENCY_WORDS: &[(&str, &str)] = &[
    ("dollar", "USD"),
    ("dollars", "USD"),
    ("euro", "EUR"),
    ("euros", "EUR"),
    ("sterling", "GBP"),
    ("ruble", "RUB"),
    ("rubles", "RUB"),
    ("rouble", "RUB"),
    ("roubles", "RUB"),
    ("yuan", "CNY"),
    ("renminbi", "CNY"),
    ("yen", "JPY"),
    ("rupee", "INR"),
    ("rupees", "INR"),
    ("shekel", "ILS"),
    ("shekels", "ILS"),
    ("lira", "TRY"),
    ("liras", "TRY"),
    ("riyal", "SAR"),
    ("riyals", "SAR"),
    ("dirham", "AED"),
    ("dirhams", "AED"),
    ("hryvnia", "UAH"),
    ("hryvnias", "UAH"),
];
/// Modifiers of `dollars` that name another currency.
const DOLLAR_KINDS: &[(&str, &str)] = &[
    ("canadian", "CAD"),
    ("australian", "AUD"),
    ("singapore", "SGD"),
    ("taiwan", "TWD"),
    ("zimbabwean", "ZWL"),
];
/// Units written after a hyphen (`a 10-hour meeting`).
const HYPHEN_UNITS: &[&str] = &[
    "second",
    "minute",
    "hour",
    "day",
    "week",
    "month",
    "year",
    "decade",
    "mile",
    "kilometre",
    "kilometer",
    "km",
    "metre",
    "meter",
    "foot",
    "inch",
    "page",
    "point",
    "member",
    "seat",
    "nation",
    "country",
    "state",
    "story",
    "storey",
    "lane",
    "game",
    "vote",
    "person",
    "man",
    "megawatt",
    "percent",
];
/// Month names and abbreviations (a number next to them is a date).
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
];
/// Words before a number that make it an identifier (`page 5`, `No. 10`).
const ID_WORDS: &[&str] = &[
    "no",
    "nos",
    "number",
    "article",
    "section",
    "chapter",
    "page",
    "route",
    "flight",
    "room",
    "model",
    "version",
    "level",
    "grade",
    "category",
    "phase",
    "step",
    "item",
    "rule",
    "resolution",
    "paragraph",
    "row",
    "channel",
    "gate",
    "platform",
    "exit",
    "apartment",
    "suite",
    "bus",
    "line",
    "box",
    "code",
    "highway",
    "interstate",
    "district",
    "ward",
    "precinct",
    "amendment",
    "game",
    "round",
    "stage",
    "tier",
    "figure",
    "table",
    "day",
    "week",
    "vol",
    "volume",
    "issue",
    "part",
    "aged",
    "age",
    "ages",
];
/// Words before a year-like number that make it a year.
const YEAR_LEADS: &[&str] = &[
    "in", "since", "by", "until", "till", "from", "of", "the", "to", "before", "after", "during",
    "through", "between", "and", "early", "late", "mid", "spring", "summer", "fall", "autumn",
    "winter", "fiscal", "year", "its", "his", "her", "their", "this", "that", "below", "above",
    "than", "over",
];
/// Words that never are the counted noun, nor a modifier of it.
const STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "nor",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "from",
    "by",
    "with",
    "without",
    "into",
    "onto",
    "over",
    "under",
    "about",
    "after",
    "before",
    "since",
    "until",
    "than",
    "as",
    "per",
    "via",
    "against",
    "among",
    "between",
    "through",
    "during",
    "across",
    "around",
    "near",
    "up",
    "down",
    "out",
    "off",
    "that",
    "this",
    "these",
    "those",
    "which",
    "who",
    "whom",
    "whose",
    "what",
    "when",
    "where",
    "while",
    "why",
    "how",
    "if",
    "so",
    "not",
    "no",
    "yes",
    "most",
    "less",
    "least",
    "also",
    "only",
    "just",
    "even",
    "still",
    "all",
    "both",
    "each",
    "every",
    "some",
    "any",
    "such",
    "own",
    "he",
    "she",
    "it",
    "they",
    "we",
    "you",
    "i",
    "him",
    "her",
    "them",
    "us",
    "me",
    "his",
    "its",
    "their",
    "our",
    "your",
    "my",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "am",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
    "will",
    "would",
    "shall",
    "should",
    "can",
    "could",
    "may",
    "might",
    "must",
    "said",
    "says",
    "say",
    "told",
    "tell",
    "tells",
    "according",
    "ago",
    "later",
    "earlier",
    "again",
    "then",
    "there",
    "here",
    "now",
    "too",
    "very",
    "respectively",
    "apiece",
    "alone",
    "total",
    "overall",
    "altogether",
    "times",
    "others",
    "more",
    "other",
    "another",
    "few",
    "many",
    "much",
    "several",
    "remain",
    "remains",
    "die",
    "dies",
    "went",
    "came",
    "got",
    "left",
    "made",
    "took",
    "won",
    "lost",
    "fell",
    "rose",
    "rise",
    "rises",
    "fall",
    "falls",
    "include",
    "includes",
    "including",
    "like",
    "became",
    "become",
    "see",
    "saw",
    "seen",
    "go",
    "goes",
    "come",
    "comes",
    "make",
    "makes",
    "get",
    "gets",
    "want",
    "need",
    "know",
    "think",
    "old",
    "older",
    "younger",
    "ago",
    "am",
    "pm",
    "percent",
    "or",
    "either",
    "neither",
    "plus",
    "minus",
    "once",
    "twice",
    "yet",
    "however",
    "instead",
    "though",
    "although",
    "because",
    "via",
    "vs",
    "versus",
    "last",
    "next",
    "first",
    "second",
    "third",
    "new",
    "top",
    "straight",
    "consecutive",
    "previous",
    "past",
    "least",
    "nearly",
    "almost",
    "thanks",
    "about",
    "around",
    "roughly",
    "approximately",
    "some",
    "way",
];
/// Modifiers that may stand between a number and its noun.
const ADJECTIVES: &[&str] = &[
    "more",
    "other",
    "additional",
    "new",
    "young",
    "old",
    "small",
    "large",
    "big",
    "major",
    "senior",
    "key",
    "top",
    "former",
    "armed",
    "civilian",
    "foreign",
    "local",
    "separate",
    "different",
    "full",
    "extra",
    "straight",
    "consecutive",
    "previous",
    "past",
    "last",
    "first",
    "main",
    "rival",
    "total",
    "private",
    "public",
    "urban",
    "rural",
    "male",
    "female",
    "retired",
    "active",
    "undocumented",
    "eligible",
    "likely",
    "registered",
    "pledged",
    "unpledged",
];
/// Plurals without an `s` (the first five never modify the next word).
const PLURALS: &[&str] = &[
    "people",
    "men",
    "women",
    "children",
    "feet",
    "police",
    "personnel",
    "staff",
    "livestock",
    "deer",
    "cattle",
    "teeth",
    "mice",
    "geese",
    "sheep",
    "fish",
    "aircraft",
    "yuan",
    "yen",
];
/// Nouns ending in `ly` (other `-ly` words are adverbs).
const LY_NOUNS: &[&str] = &["family", "rally", "ally", "assembly", "anomaly", "supply"];

fn lookup<T: Copy>(table: &[(&str, T)], word: &str) -> Option<T> {
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, value)| *value)
}

// ---------------------------------------------------------------- tokens

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Digits with `,` thousands separators and a `.` decimal part.
    Num,
    /// Letters, with `'` or `’` inside.
    Word,
    /// Any other single character.
    Sym,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    kind: Kind,
    /// White space before the token.
    space: bool,
    /// A line break before the token (or the start of the text).
    line: bool,
}

fn tokenize(body: &str) -> Vec<Tok> {
    let bytes = body.as_bytes();
    let mut toks = Vec::with_capacity(body.len() / 5);
    let mut space = true;
    let mut line = true;
    let mut chars = body.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            space = true;
            line |= c == '\n';
            continue;
        }
        let mut end = start + c.len_utf8();
        let kind = if c.is_ascii_digit() {
            let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
            while digit(end) {
                end += 1;
            }
            // Thousands groups: exactly three digits after each comma.
            while bytes.get(end) == Some(&b',')
                && (1..=3).all(|k| digit(end + k))
                && !digit(end + 4)
            {
                end += 4;
            }
            if bytes.get(end) == Some(&b'.') && digit(end + 1) {
                end += 1;
                while digit(end) {
                    end += 1;
                }
            }
            Kind::Num
        } else if c.is_alphabetic() {
            loop {
                let rest = &body[end..];
                let mut next = rest.chars();
                match (next.next(), next.next()) {
                    (Some(a), _) if a.is_alphabetic() => end += a.len_utf8(),
                    (Some(q @ ('\'' | '’')), Some(b)) if b.is_alphabetic() => {
                        end += q.len_utf8() + b.len_utf8()
                    }
                    _ => break,
                }
            }
            Kind::Word
        } else {
            Kind::Sym
        };
        while chars.peek().is_some_and(|(i, _)| *i < end) {
            chars.next();
        }
        toks.push(Tok {
            start,
            end,
            kind,
            space,
            line,
        });
        space = false;
        line = false;
    }
    toks
}

/// The tokens of one body with the text they point into.
struct Stream<'a> {
    body: &'a str,
    toks: Vec<Tok>,
}

impl<'a> Stream<'a> {
    fn text(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| &self.body[t.start..t.end])
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    /// Token `i` continues the phrase of token `i - 1`: it exists and no
    /// line break comes between.
    fn joined(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.line)
    }

    /// Token `i` follows token `i - 1` with no space between.
    fn tight(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space)
    }

    fn word(&self, i: usize) -> Option<&'a str> {
        (self.kind(i) == Some(Kind::Word) && self.joined(i)).then(|| self.text(i))
    }

    fn is_word(&self, i: usize, word: &str) -> bool {
        self.word(i).is_some_and(|w| w.eq_ignore_ascii_case(word))
    }

    fn is_sym(&self, i: usize, sym: &str) -> bool {
        self.kind(i) == Some(Kind::Sym) && self.joined(i) && self.text(i) == sym
    }

    /// Whether token `i` opens a sentence.
    fn opens_sentence(&self, i: usize) -> bool {
        if i == 0 || self.toks[i].line {
            return true;
        }
        let before = self.text(i - 1);
        self.kind(i - 1) == Some(Kind::Sym) && ".!?\"“”‘’'(:;—–-".contains(before)
    }
}

// ---------------------------------------------------------------- phrases

/// A number phrase: its value, its tokens `[first, next)`, whether a scale
/// word or suffix was read, and whether it is a four-digit year-like number.
#[derive(Debug, Clone, Copy)]
struct Number {
    value: f64,
    first: usize,
    next: usize,
    scaled: bool,
    suffixed: bool,
    yearlike: bool,
}

fn parse_digits(text: &str) -> Option<f64> {
    text.replace(',', "").parse().ok()
}

/// Reads a scale after a number at token `i`: `million`, `half-million`.
fn scale_at(s: &Stream, i: usize) -> Option<(f64, usize)> {
    let word = s.word(i)?;
    if let Some(scale) = lookup(SCALES, word) {
        return Some((scale, i + 1));
    }
    None
}

/// Digits at token `i`, with an optional scale.
fn numeric(s: &Stream, i: usize) -> Option<Number> {
    if s.kind(i) != Some(Kind::Num) {
        return None;
    }
    let text = s.text(i);
    let mut value = parse_digits(text)?;
    let yearlike = text.len() == 4 && (1800.0..=2100.0).contains(&value);
    let mut next = i + 1;
    let mut scaled = false;
    let mut suffixed = false;
    if s.tight(next)
        && s.kind(next) == Some(Kind::Word)
        && let Some(scale) = lookup(SCALE_SUFFIXES, s.text(next))
        && SCALE_SUFFIXES.iter().any(|(w, _)| *w == s.text(next))
    {
        value *= scale;
        next += 1;
        scaled = true;
        suffixed = true;
    } else if let Some((scale, after)) = scale_at(s, next) {
        value *= scale;
        next = after;
        scaled = true;
        // `2.5 million` may be followed by another scale only as `dozen`.
    }
    Some(Number {
        value,
        first: i,
        next,
        scaled,
        suffixed,
        yearlike: yearlike && !scaled,
    })
}

/// A spelled-out number at token `i`: `twenty-five`, `two hundred and fifty`,
/// `two dozen`, `a million`, `a half-million`, `half a million`.
fn spelled(s: &Stream, i: usize) -> Option<Number> {
    if s.kind(i) != Some(Kind::Word) {
        return None;
    }
    let first = s.text(i);
    if !(s.opens_sentence(i) || first.chars().next().is_some_and(char::is_lowercase)) {
        return None;
    }
    let done = |value: f64, next: usize| {
        Some(Number {
            value,
            first: i,
            next,
            scaled: true,
            suffixed: false,
            yearlike: false,
        })
    };
    // `a` / `an` / `half` with a scale.
    if first.eq_ignore_ascii_case("a") || first.eq_ignore_ascii_case("an") {
        let mut j = i + 1;
        let mut fraction = 1.0;
        if s.is_word(j, "half") || s.is_word(j, "quarter") {
            fraction = if s.is_word(j, "half") { 0.5 } else { 0.25 };
            j += 1;
            if s.is_sym(j, "-") {
                j += 1;
            }
        }
        if s.is_word(j, "hundred") {
            return done(100.0 * fraction, j + 1);
        }
        return scale_at(s, j).and_then(|(scale, next)| done(fraction * scale, next));
    }
    if first.eq_ignore_ascii_case("half") {
        let mut j = i + 1;
        if s.is_sym(j, "-") || s.is_word(j, "a") {
            j += 1;
        }
        return match scale_at(s, j) {
            Some((scale, next)) if scale >= 1e3 => done(0.5 * scale, next),
            _ => None,
        };
    }
    let mut total = 0.0;
    let mut current = 0.0;
    let mut scaled = false;
    let mut j = i;
    let mut any = false;
    while let Some(word) = if j == i { Some(first) } else { s.word(j) } {
        if let Some(v) = lookup(ONES, word) {
            if current % 100.0 != 0.0 {
                break;
            }
            current += v;
            j += 1;
        } else if let Some(v) = lookup(TENS, word) {
            if current % 100.0 != 0.0 {
                break;
            }
            current += v;
            j += 1;
            if s.is_sym(j, "-")
                && s.tight(j)
                && s.tight(j + 1)
                && let Some(unit) = s.word(j + 1).and_then(|w| lookup(ONES, w))
                && unit < 10.0
            {
                current += unit;
                j += 2;
            }
        } else if any && word.eq_ignore_ascii_case("hundred") && current > 0.0 && current < 100.0 {
            current *= 100.0;
            j += 1;
            if s.is_word(j, "and")
                && s.word(j + 1)
                    .is_some_and(|w| lookup(ONES, w).or(lookup(TENS, w)).is_some())
            {
                j += 1;
            }
        } else if any && let Some(scale) = lookup(SCALES, word) {
            if current == 0.0 {
                break;
            }
            if scale == 12.0 {
                current *= scale;
            } else {
                total += current * scale;
                current = 0.0;
            }
            scaled = true;
            j += 1;
        } else {
            break;
        }
        any = true;
    }
    let value = total + current;
    if !any || value == 0.0 || (value == 1.0 && !scaled) {
        return None;
    }
    // `two-thirds`, `one-third` are fractions.
    if s.is_sym(j, "-")
        && s.tight(j)
        && s.word(j + 1)
            .is_some_and(|w| w.ends_with("ths") || w.ends_with("third") || w.ends_with("thirds"))
    {
        return None;
    }
    Some(Number {
        value,
        first: i,
        next: j,
        scaled,
        suffixed: false,
        yearlike: false,
    })
}

/// Why a digit token at `i` is not a count: an identifier, a date, a time.
fn digits_excluded(s: &Stream, i: usize, in_range: bool) -> bool {
    let tok = s.toks[i];
    let body = s.body;
    // Glued to what comes before: `F-16`, `G20`, `v1.2`, `#5`, `9/11`
    // (the second number of `10-15 hours` is read as part of its range).
    if let Some(prev) = body[..tok.start].chars().next_back()
        && !tok.space
        && !in_range
        && (prev.is_alphanumeric() || "-/.#:+_@&".contains(prev))
    {
        return true;
    }
    // Glued to what comes after: `1st`, `3D`, `9/11`, `10:30`, `2019-05`.
    let rest = &body[tok.end..];
    let mut after = rest.chars();
    match (after.next(), after.next()) {
        (Some(a), _) if a.is_alphabetic() => {
            let glued = s.text(i + 1);
            if !SCALE_SUFFIXES.iter().any(|(w, _)| *w == glued) {
                return true;
            }
        }
        (Some('/' | ':'), Some(d)) if d.is_ascii_digit() => return true,
        _ => {}
    }
    // Times of day.
    let trimmed = rest.trim_start_matches([' ', '\u{a0}']);
    let lower = trimmed.get(..4).unwrap_or(trimmed).to_ascii_lowercase();
    if [
        "a.m", "p.m", "am ", "pm ", "am.", "pm.", "am,", "pm,", "gmt", "o'cl", "o’cl",
    ]
    .iter()
    .any(|t| lower.starts_with(t))
        || lower == "am"
        || lower == "pm"
    {
        return true;
    }
    // Next to a month name: a date.
    let prev_word = if i > 0 && s.joined(i) {
        s.word(i - 1)
    } else {
        None
    };
    let prev_word = prev_word.or_else(|| {
        // `Sept. 3`: a month abbreviation then a period.
        (i > 1 && s.is_sym(i - 1, ".") && s.joined(i - 1))
            .then(|| s.word(i - 2))
            .flatten()
            .filter(|w| MONTHS.contains(w))
    });
    if prev_word.is_some_and(|w| MONTHS.contains(&w)) {
        return true;
    }
    let mut next = i + 1;
    if s.word(next)
        .is_some_and(|w| matches!(w, "st" | "nd" | "rd" | "th"))
    {
        next += 1;
    }
    if s.is_word(next, "of") {
        next += 1;
    }
    if s.word(next).is_some_and(|w| MONTHS.contains(&w)) {
        return true;
    }
    if let Some(prev) = prev_word {
        // An identifier: `Resolution 2254`, `page 5`, `No. 10`.
        let lower = prev.to_ascii_lowercase();
        if ID_WORDS.contains(&lower.as_str()) {
            return true;
        }
        if prev.chars().next().is_some_and(char::is_uppercase)
            && !s.opens_sentence(i - 1)
            && !ADJECTIVES.contains(&lower.as_str())
        {
            return true;
        }
    }
    if i > 1 && s.is_sym(i - 1, ".") && s.word(i - 2).is_some_and(|w| w.eq_ignore_ascii_case("no"))
    {
        return true;
    }
    false
}

// ---------------------------------------------------------------- units

/// What follows a number: the unit and the token after it.
#[derive(Debug, Clone)]
struct Unit {
    name: String,
    next: usize,
    /// A counted noun (as opposed to `percent`, a currency, a hyphen unit).
    noun: bool,
}

fn is_stop(lower: &str) -> bool {
    STOP.contains(&lower)
}

fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// A plural noun: ends in `s` (not `ss`, `us`, `is`, `ics`, `news`, …) or is
/// one of [`PLURALS`].
fn plural(word: &str) -> bool {
    let lower = word.to_lowercase();
    plural_s(&lower) || PLURALS.contains(&lower.as_str())
}

/// A lower-case word with a plural `s`.
fn plural_s(lower: &str) -> bool {
    lower.ends_with('s')
        && !["ss", "us", "is", "news", "series", "species", "ics"]
            .iter()
            .any(|e| lower.ends_with(e))
}

/// A word that can be the counted noun.
fn head_word(word: &str) -> bool {
    let lower = word.to_lowercase();
    if lower.chars().count() < 2 || is_stop(&lower) || ADJECTIVES.contains(&lower.as_str()) {
        return false;
    }
    if lower.contains(['\'', '’']) {
        return false;
    }
    if lower.ends_with("ly") && !LY_NOUNS.contains(&lower.as_str()) {
        return false;
    }
    if lower.ends_with("ed") || lower.ends_with("ing") || lower.ends_with("ous") {
        return false;
    }
    if capitalised(word) {
        // Capitalised plurals only: `Americans`, `Democrats`.
        return lower.ends_with('s') && !word.chars().all(char::is_uppercase);
    }
    true
}

/// A word that can stand between a number and its noun.
fn modifier_word(word: &str) -> bool {
    if (2..=5).contains(&word.len()) && word.chars().all(|c| c.is_ascii_uppercase()) {
        // `US`, `NATO`, `NYPD`.
        return true;
    }
    let lower = word.to_lowercase();
    if is_stop(&lower) && !ADJECTIVES.contains(&lower.as_str()) {
        return false;
    }
    if ADJECTIVES.contains(&lower.as_str()) {
        return true;
    }
    if capitalised(word) {
        // Nationalities and the like: `Russian`, `Chinese`, `British`, `Israeli`.
        return ["an", "ese", "ish", "i", "ch"]
            .iter()
            .any(|s| lower.ends_with(s))
            && !lower.ends_with("ans");
    }
    if lower.ends_with("ed") || lower.ends_with("ing") {
        return true;
    }
    if ["al", "ic", "ive", "ous", "ful", "ary", "ian"]
        .iter()
        .any(|s| lower.ends_with(s))
    {
        return true;
    }
    // A singular word before another noun: `police officers`, `bare feet`,
    // `cable news networks` (the phrase must still end on a noun).
    !plural_s(&lower) && !PLURALS[..5].contains(&lower.as_str())
}

/// A word or a hyphenated compound (`well-known`, `voter-registration`) at
/// token `k`: its text and the token after it.
fn word_unit<'a>(s: &Stream<'a>, k: usize) -> Option<(&'a str, usize)> {
    s.word(k)?;
    let mut last = k;
    while s.is_sym(last + 1, "-")
        && s.tight(last + 1)
        && s.tight(last + 2)
        && s.word(last + 2).is_some()
    {
        last += 2;
    }
    Some((&s.body[s.toks[k].start..s.toks[last].end], last + 1))
}

/// The counted noun phrase at token `j`: at most four modifiers, then the
/// noun (the longest such phrase). Returns the noun's first token, its text
/// and the token after it.
fn noun_at<'a>(s: &Stream<'a>, j: usize) -> Option<(usize, &'a str, usize)> {
    let mut units: Vec<(usize, &str, usize)> = Vec::with_capacity(5);
    let mut k = j;
    while units.len() < 5
        && s.toks.get(k).is_some_and(|t| t.space)
        && let Some((word, after)) = word_unit(s, k)
    {
        units.push((k, word, after));
        k = after;
    }
    fn chain(units: &[(usize, &str, usize)], i: usize) -> Option<usize> {
        let word = units.get(i)?.1;
        if i + 1 < units.len()
            && (word.contains('-') || modifier_word(word))
            && let Some(head) = chain(units, i + 1)
        {
            return Some(head);
        }
        head_word(word).then_some(i)
    }
    chain(&units, 0).map(|h| units[h])
}

fn currency_of_noun(s: &Stream, first: usize, head: usize) -> Option<&'static str> {
    let word = s.text(head);
    if word.eq_ignore_ascii_case("dollars") || word.eq_ignore_ascii_case("dollar") {
        for k in first..head {
            if let Some(code) = lookup(DOLLAR_KINDS, s.text(k)) {
                return Some(code);
            }
        }
    }
    lookup(CURRENCY_WORDS, word)
}

/// The unit after a number phrase ending before token `j`.
fn unit_at(s: &Stream, j: usize) -> Option<Unit> {
    let unit = |name: &str, next: usize, noun: bool| {
        Some(Unit {
            name: name.to_string(),
            next,
            noun,
        })
    };
    if s.is_sym(j, "%") {
        return unit("percent", j + 1, false);
    }
    if s.is_sym(j, "-") && s.tight(j) && s.tight(j + 1) {
        let word = s.word(j + 1)?;
        let lower = word.to_ascii_lowercase();
        if !HYPHEN_UNITS.contains(&lower.as_str()) {
            return None;
        }
        // `a 45-year-old`: an age.
        if s.is_sym(j + 2, "-") && s.is_word(j + 3, "old") {
            return None;
        }
        return unit(&lower, j + 2, false);
    }
    let word = s.word(j)?;
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "percent" | "pct" => return unit("percent", j + 1, false),
        "per" if s.is_word(j + 1, "cent") => return unit("percent", j + 2, false),
        "percentage" if s.is_word(j + 1, "points") || s.is_word(j + 1, "point") => {
            return unit("percentage points", j + 2, false);
        }
        "basis" if s.is_word(j + 1, "points") || s.is_word(j + 1, "point") => {
            return unit("basis points", j + 2, false);
        }
        "pounds" | "pound" if s.is_word(j + 1, "sterling") => return unit("GBP", j + 2, false),
        _ => {}
    }
    let (head, word, next) = noun_at(s, j)?;
    if let Some(code) = currency_of_noun(s, j, head) {
        return unit(code, next, false);
    }
    unit(&word.to_lowercase(), next, true)
}

/// Whether the words after a unit make the phrase a date or an age
/// (`three days ago`, `45 years old`).
fn unit_excluded(s: &Stream, unit: &Unit) -> bool {
    s.is_word(unit.next, "ago")
        || (s.is_word(unit.next, "old") && unit.name.starts_with("year"))
        || (unit.name.starts_with("year")
            && s.is_sym(unit.next, "-")
            && s.is_word(unit.next + 1, "old"))
}

// ---------------------------------------------------------------- finding

/// One amount found, in byte offsets.
struct Found {
    start: usize,
    end: usize,
    value: f64,
    unit: String,
}

/// Money at token `i`: `$1.2 billion`, `US$5m`, `€300`. Returns it and the
/// token after it.
fn money(s: &Stream, i: usize) -> Option<(Found, usize)> {
    let mut j = i;
    let mut code = None;
    if s.kind(i) == Some(Kind::Word) && s.tight(i + 1) && s.is_sym(i + 1, "$") {
        code = Some(lookup(DOLLAR_PREFIXES, s.text(i))?);
        // `US$` must not be glued to a word before.
        j = i + 1;
    }
    if s.kind(j) != Some(Kind::Sym) {
        return None;
    }
    let sign = s.text(j).chars().next()?;
    let sign_code = SIGNS
        .iter()
        .find(|(c, _)| *c == sign)
        .map(|(_, code)| *code)?;
    let code = code.unwrap_or(sign_code);
    let start_tok = j + 1;
    if !s.joined(start_tok) || s.kind(start_tok) != Some(Kind::Num) {
        return None;
    }
    let mut number = numeric(s, start_tok)?;
    // `between $1 and $2 million`: the first takes the second's scale.
    if !number.scaled
        && (s.is_word(number.next, "to")
            || s.is_word(number.next, "and")
            || s.is_word(number.next, "or")
            || s.is_sym(number.next, "-"))
        && s.is_sym(number.next + 1, &sign.to_string())
        && let Some(second) = numeric(s, number.next + 2)
        && second.scaled
        && let Some(base) = parse_digits(s.text(second.first))
    {
        number.value *= second.value / base;
    }
    let start = s.toks[i].start;
    let end = s.toks[number.next - 1].end;
    Some((
        Found {
            start,
            end,
            value: number.value,
            unit: code.to_string(),
        },
        number.next,
    ))
}

/// A number phrase at token `i`, digits or spelled out.
fn number_at(s: &Stream, i: usize, in_range: bool) -> Option<Number> {
    match s.kind(i)? {
        Kind::Num => {
            if digits_excluded(s, i, in_range) {
                return None;
            }
            numeric(s, i)
        }
        Kind::Word => spelled(s, i),
        Kind::Sym => None,
    }
}

/// Whether a year-like number with this unit is a year after all.
fn year_excluded(s: &Stream, number: &Number, unit: &Unit) -> bool {
    if !number.yearlike || !unit.noun {
        return false;
    }
    let prev = if number.first > 0 {
        s.word(number.first - 1).map(str::to_ascii_lowercase)
    } else {
        None
    };
    prev.is_some_and(|p| YEAR_LEADS.contains(&p.as_str())) || !plural(&unit.name)
}

/// Amounts starting at token `i`, and the token after them.
fn amounts_at(s: &Stream, i: usize) -> Option<(Vec<Found>, usize)> {
    if let Some((found, next)) = money(s, i) {
        return Some((vec![found], next));
    }
    let first = number_at(s, i, false)?;
    if first.suffixed {
        // `5bn` without a currency sign: only with a currency word after.
        let unit = unit_at(s, first.next)?;
        if unit.noun || !CURRENCY_WORDS.iter().any(|(_, c)| *c == unit.name) {
            return None;
        }
    }
    let found = |number: &Number, value: f64, unit: &Unit, end: usize| Found {
        start: s.toks[number.first].start,
        end,
        value,
        unit: unit.name.clone(),
    };
    // A range: `10 to 15 people`, `20 or 25 percent`, `between 100 and 150`, `10-15 hours`.
    let joiner = first.next;
    let between = first.first > 0 && s.is_word(first.first - 1, "between");
    let range = s.is_word(joiner, "to")
        || s.is_word(joiner, "or")
        || (between && s.is_word(joiner, "and"))
        || ((s.is_sym(joiner, "-") || s.is_sym(joiner, "–"))
            && s.kind(joiner + 1) == Some(Kind::Num)
            && s.kind(first.first) == Some(Kind::Num));
    if range
        && let Some(second) = number_at(s, joiner + 1, true)
        && second.value > first.value / 1000.0
        // `won 3-1`, `a 97-12 record`: a score, not a range.
        && (s.kind(joiner) == Some(Kind::Word) || second.value > first.value)
        && let Some(unit) = unit_at(s, second.next)
        && !unit_excluded(s, &unit)
        && (!unit.noun || plural(&unit.name))
        && !year_excluded(s, &second, &unit)
        && !(first.yearlike && second.yearlike)
    {
        let mut value = first.value;
        if !first.scaled && second.scaled {
            let base = match s.kind(second.first) {
                Some(Kind::Num) => parse_digits(s.text(second.first)),
                _ => None,
            };
            if let Some(base) = base.filter(|b| *b > 0.0) {
                value *= second.value / base;
            }
        }
        let end_first = s.toks[first.next - 1].end;
        let end_second = s.toks[unit.next - 1].end;
        return Some((
            vec![
                found(&first, value, &unit, end_first),
                found(&second, second.value, &unit, end_second),
            ],
            unit.next,
        ));
    }
    let unit = unit_at(s, first.next)?;
    if unit_excluded(s, &unit) || year_excluded(s, &first, &unit) {
        return None;
    }
    // `a 911 caller`, `a 2 to 1 margin`: a number before a singular noun
    // names or rates, it does not count.
    if unit.noun && !plural(&unit.name) {
        return None;
    }
    let end = s.toks[unit.next - 1].end;
    Some((vec![found(&first, first.value, &unit, end)], unit.next))
}

/// Finds the amounts of `body` (see the module's rules), in text order.
pub(crate) fn find(body: &str, index: &CharIndex) -> Vec<Amount> {
    let s = Stream {
        body,
        toks: tokenize(body),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.toks.len() {
        // Only numbers, number words, `a`/`an`/`half` and currency signs can start one.
        let start = match s.toks[i].kind {
            Kind::Num => true,
            Kind::Sym => true,
            Kind::Word => {
                let w = s.text(i);
                w.eq_ignore_ascii_case("a")
                    || w.eq_ignore_ascii_case("an")
                    || w.eq_ignore_ascii_case("half")
                    || lookup(ONES, w).is_some()
                    || lookup(TENS, w).is_some()
                    || (s.tight(i + 1) && s.is_sym(i + 1, "$"))
            }
        };
        if start && let Some((found, next)) = amounts_at(&s, i) {
            out.extend(found);
            i = next.max(i + 1);
            continue;
        }
        i += 1;
    }
    out.into_iter()
        .map(|f| Amount {
            text: body[f.start..f.end].to_string(),
            value: f.value,
            unit: f.unit,
            start: index.chars(f.start),
            end: index.chars(f.end),
        })
        .collect()
}

/// Finds the amounts of `body` (see [`find`]'s rules); a convenience for
/// callers without a character index.
pub fn find_in(body: &str) -> Vec<Amount> {
    find(body, &CharIndex::new(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (text, value, unit) triples found in `body`.
    fn amounts(body: &str) -> Vec<(String, f64, String)> {
        find_in(body)
            .into_iter()
            .map(|a| (a.text, a.value, a.unit))
            .collect()
    }

    fn one(body: &str) -> (String, f64, String) {
        let found = amounts(body);
        assert_eq!(found.len(), 1, "{body}: {found:?}");
        found.into_iter().next().expect("one")
    }

    fn t(text: &str, value: f64, unit: &str) -> (String, f64, String) {
        (text.to_string(), value, unit.to_string())
    }

    #[test]
    fn counted_nouns() {
        assert_eq!(
            one("Some 370,000 people fled."),
            t("370,000 people", 370_000.0, "people")
        );
        assert_eq!(
            one("They talked for 10 hours in Geneva."),
            t("10 hours", 10.0, "hours")
        );
        assert_eq!(
            one("Output fell by 3.5 million barrels a day."),
            t("3.5 million barrels", 3.5e6, "barrels")
        );
        assert_eq!(
            one("The war has killed a half-million people."),
            t("a half-million people", 5e5, "people")
        );
        assert_eq!(
            one("The war has killed half a million people."),
            t("half a million people", 5e5, "people")
        );
        assert_eq!(
            one("There are 12 registered voters left."),
            t("12 registered voters", 12.0, "voters")
        );
        assert_eq!(
            one("Three Russian soldiers were hurt."),
            t("Three Russian soldiers", 3.0, "soldiers")
        );
        assert_eq!(
            one("He met 5 police officers there."),
            t("5 police officers", 5.0, "officers")
        );
        assert_eq!(
            one("The club has 1.2 million members."),
            t("1.2 million members", 1.2e6, "members")
        );
    }

    #[test]
    fn spelled_numbers() {
        assert_eq!(
            one("The blast killed three people."),
            t("three people", 3.0, "people")
        );
        assert_eq!(
            one("Two dozen soldiers were deployed."),
            t("Two dozen soldiers", 24.0, "soldiers")
        );
        assert_eq!(
            one("He hired a dozen lawyers."),
            t("a dozen lawyers", 12.0, "lawyers")
        );
        assert_eq!(
            one("It cost twenty-five lives."),
            t("twenty-five lives", 25.0, "lives")
        );
        assert_eq!(
            one("About two hundred and fifty protesters marched."),
            t("two hundred and fifty protesters", 250.0, "protesters")
        );
        assert_eq!(
            one("It could affect one million homes."),
            t("one million homes", 1e6, "homes")
        );
        // `one` alone, `dozens of` and the like are skipped.
        assert!(amounts("One of the men said one day he would return.").is_empty());
        assert!(amounts("Dozens of people and thousands of soldiers were there.").is_empty());
        assert!(amounts("Hundreds of thousands of people fled.").is_empty());
        assert!(amounts("Two-thirds of voters agreed.").is_empty());
    }

    #[test]
    fn money() {
        assert_eq!(
            one("The deal is worth $1.2 billion."),
            t("$1.2 billion", 1.2e9, "USD")
        );
        assert_eq!(one("He paid £300 for it."), t("£300", 300.0, "GBP"));
        assert_eq!(one("A fine of €5m was imposed."), t("€5m", 5e6, "EUR"));
        assert_eq!(one("It raised US$2bn."), t("US$2bn", 2e9, "USD"));
        assert_eq!(
            one("It will cost 1 billion euros."),
            t("1 billion euros", 1e9, "EUR")
        );
        assert_eq!(
            one("It will cost 300 million rubles."),
            t("300 million rubles", 3e8, "RUB")
        );
        assert_eq!(
            one("It will cost 40 billion yuan."),
            t("40 billion yuan", 4e10, "CNY")
        );
        assert_eq!(
            one("It will cost 5 million Canadian dollars."),
            t("5 million Canadian dollars", 5e6, "CAD")
        );
        assert_eq!(
            one("He was fined 200 pounds sterling."),
            t("200 pounds sterling", 200.0, "GBP")
        );
        let found = amounts("Donors gave between $1 and $2 million to the fund.");
        assert_eq!(
            found,
            vec![t("$1", 1e6, "USD"), t("$2 million", 2e6, "USD")]
        );
        assert_eq!(one("Gas rose to $1.28 a gallon."), t("$1.28", 1.28, "USD"));
    }

    #[test]
    fn percentages() {
        assert_eq!(
            one("Support rose to 42 percent."),
            t("42 percent", 42.0, "percent")
        );
        assert_eq!(one("Support rose to 42%."), t("42%", 42.0, "percent"));
        assert_eq!(
            one("Support rose to 42 per cent."),
            t("42 per cent", 42.0, "percent")
        );
        assert_eq!(
            one("Sixty-seven percent agreed."),
            t("Sixty-seven percent", 67.0, "percent")
        );
        assert_eq!(
            one("It fell 3 percentage points."),
            t("3 percentage points", 3.0, "percentage points")
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(
            amounts("Between 10 to 15 people were hurt."),
            vec![t("10", 10.0, "people"), t("15 people", 15.0, "people")]
        );
        assert_eq!(
            amounts("Support is at 20 or 25 percent."),
            vec![t("20", 20.0, "percent"), t("25 percent", 25.0, "percent")]
        );
        assert_eq!(
            amounts("He said between 100 and 150 soldiers died."),
            vec![
                t("100", 100.0, "soldiers"),
                t("150 soldiers", 150.0, "soldiers")
            ]
        );
        assert_eq!(
            amounts("It lasts 10-15 hours."),
            vec![t("10", 10.0, "hours"), t("15 hours", 15.0, "hours")]
        );
        assert_eq!(
            amounts("It could displace 2 to 3 million people."),
            vec![t("2", 2e6, "people"), t("3 million people", 3e6, "people")]
        );
    }

    #[test]
    fn hyphenated_units() {
        assert_eq!(
            one("After a 10-hour meeting they left."),
            t("10-hour", 10.0, "hour")
        );
        assert_eq!(
            one("They began a three-day visit."),
            t("three-day", 3.0, "day")
        );
        assert!(amounts("A 45-year-old man was arrested.").is_empty());
        assert!(amounts("A seven-year-old girl was hurt.").is_empty());
    }

    #[test]
    fn not_amounts() {
        for text in [
            "The war began in 2011 and the 2016 election followed.",
            "Prices have doubled since 1990.",
            "They met on May 15 and again on 3 June.",
            "They met on Sept. 3 in Geneva.",
            "He left three days ago.",
            "The meeting starts at 7 p.m. and ends at 10:30.",
            "Gavin Hamilton, 23, a student, said so.",
            "He is 45 years old.",
            "She finished 1st in the race.",
            "The F-16 jets and the G20 leaders met.",
            "UN Security Council Resolution 2254 calls for talks.",
            "See page 5 of the report, No. 10 said.",
            "Since 9/11 things changed.",
            "Clemson won 45-40 to take the title.",
            "Karlsruhe won the match 3-1 thanks to late goals.",
            "Duran, whose 97-12 record spans decades, fights on.",
            "Trump tells 3,000 in Reno that he will win.",
            "Mr. Trump won 4 of them.",
        ] {
            assert!(amounts(text).is_empty(), "{text}: {:?}", amounts(text));
        }
    }

    #[test]
    fn compounds_and_singulars() {
        assert_eq!(
            one("They led 2,000 voter-registration events."),
            t("2,000 voter-registration events", 2000.0, "events")
        );
        assert_eq!(
            one("Over a thousand bare feet."),
            t("a thousand bare feet", 1000.0, "feet")
        );
        assert!(amounts("Something a 911 caller said.").is_empty());
        assert!(amounts("It won by a 2 to 1 margin.").is_empty());
        assert_eq!(
            one("That two well-known American cable news networks agreed.").2,
            "networks"
        );
    }

    #[test]
    fn more_modifiers() {
        assert_eq!(
            one("He was shot by four plain-clothes NYPD officers."),
            t("four plain-clothes NYPD officers", 4.0, "officers")
        );
        assert!(amounts("The relationship between the two turned vicious.").is_empty());
        assert_eq!(one("Only three US officials went.").2, "officials");
        assert!(amounts("Emissions fell to 32 percent below 2005 levels.").len() == 1);
    }

    #[test]
    fn years_with_a_count_are_counts() {
        assert_eq!(
            one("Police said 2000 people joined."),
            t("2000 people", 2000.0, "people")
        );
    }

    #[test]
    fn offsets_are_code_points() {
        let body = "“Yes,” he said; 10 hours passed.";
        let found = find_in(body);
        assert_eq!(found.len(), 1);
        let chars: Vec<char> = body.chars().collect();
        let text: String = chars[found[0].start..found[0].end].iter().collect();
        assert_eq!(text, "10 hours");
    }

    #[test]
    fn tokens() {
        let body = "He paid $1,200.50 for 3,000 U.S. bonds.";
        let toks = tokenize(body);
        let texts: Vec<&str> = toks.iter().map(|t| &body[t.start..t.end]).collect();
        assert_eq!(
            texts,
            vec![
                "He", "paid", "$", "1,200.50", "for", "3,000", "U", ".", "S", ".", "bonds", "."
            ]
        );
    }
}
