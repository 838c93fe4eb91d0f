//! The vocabulary of date expressions: words around weekdays, months and
//! years, and the words that tell the tense.

/// Words before a weekday that make it a named day, not a date to resolve.
pub(super) const NAMED_DAY_PREFIXES: &[&str] = &[
    "Black", "Cyber", "Super", "Good", "Bloody", "Easter", "Ash", "Palm", "Holy", "Maundy",
    "Shrove", "Fat", "Giving", "Small", "Manic",
];
/// Capitalised words after a weekday that make it a title (`Sunday Times`).
pub(super) const TITLE_WORDS: &[&str] = &[
    "Times",
    "Telegraph",
    "Express",
    "Mirror",
    "Post",
    "Herald",
    "Independent",
    "Observer",
    "Mail",
    "Sport",
    "People",
    "Star",
    "Night",
    "Morning",
    "Review",
    "Business",
    "Politics",
    "Show",
    "Sun",
    "Age",
    "Edition",
    "Tribune",
    "Journal",
    "Today",
    "Magazine",
    "Gazette",
    "Record",
    "Standard",
    "Sentinel",
    "Football",
    "School",
];
/// Words that mark a future context (see [`Tense`]).
pub(super) const FUTURE_WORDS: &[&str] = &[
    "will",
    "shall",
    "would",
    "won't",
    "won’t",
    "scheduled",
    "upcoming",
    "expected",
    "expects",
    "plans",
    "planned",
    "planning",
    "intends",
    "going",
    "due",
];
/// Words that mark a past context (see [`Tense`]).
pub(super) const PAST_WORDS: &[&str] = &[
    "said",
    "says",
    "told",
    "tells",
    "announced",
    "added",
    "reported",
    "confirmed",
    "was",
    "were",
    "had",
    "did",
    "went",
    "came",
    "began",
    "spoke",
    "ago",
];
/// Irregular past forms that, like `-ed` verbs, mark the past only right
/// before the expression and not after `be` (`will be held on Friday`).
pub(super) const PAST_FORMS: &[&str] = &[
    "met", "took", "gave", "made", "held", "won", "lost", "left", "fell", "rose", "saw", "sent",
    "kept", "led", "hit", "struck", "fought", "spent", "paid",
];
pub(super) const BE_WORDS: &[&str] = &["be", "been", "being", "is", "are", "was", "were"];
/// Plural words that may follow a year (`the 2016 elections`).
pub(super) const YEAR_PLURALS: &[&str] = &[
    "elections",
    "midterms",
    "primaries",
    "olympics",
    "games",
    "caucuses",
];

/// Words before a month named alone that place it (`in July`).
pub(super) const MONTH_LEADS: &[&str] = &[
    "in", "since", "until", "till", "through", "during", "by", "from", "before", "after", "of",
    "to", "between", "and",
];
/// Words before a month that are part of the expression (`last July`).
pub(super) const MONTH_MODIFIERS: &[&str] = &["early", "late", "last", "next", "this"];
/// Words before a year that make it one (`in 2016`).
pub(super) const YEAR_LEADS: &[&str] = &[
    "in", "since", "until", "till", "through", "during", "by", "from", "before", "after",
    "between", "spring", "summer", "autumn", "fall", "winter",
];
/// Words before a year that are part of the expression (`early 2016`).
pub(super) const YEAR_MODIFIERS: &[&str] = &["early", "late"];
/// Words before `of` before a year (`the end of 2015`).
pub(super) const PART_OF_YEAR: &[&str] = &[
    "end",
    "start",
    "beginning",
    "middle",
    "half",
    "quarter",
    "part",
    "spring",
    "summer",
    "fall",
    "autumn",
    "winter",
];
