//! The regular expressions of date expressions, compiled once per process.

use std::sync::LazyLock;

use regex::Regex;

use super::lexicon::YEAR_NOUNS;

/// Horizontal white space between the words of one expression.
const SP: &str = r"[ \t\xA0]+";
const MONTHS_FULL: &str =
    "January|February|March|April|May|June|July|August|September|October|November|December";
const MONTHS_ABBR: &str = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec";
/// Number words of `N years ago` (any case).
const ONES_WORDS: &str = "(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)";
const TENS_WORDS: &str = "(?i:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)";
const WEEKDAYS: &str = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday";
/// A year that can stand alone in news text.
const YEAR: &str = r"(?:1[89]|20)\d{2}";

pub(super) struct Patterns {
    pub(super) iso: Regex,
    pub(super) month_day: Regex,
    pub(super) day_month: Regex,
    pub(super) month_year: Regex,
    pub(super) month: Regex,
    pub(super) weekday: Regex,
    pub(super) day_word: Regex,
    pub(super) period: Regex,
    pub(super) ago: Regex,
    pub(super) year: Regex,
    pub(super) year_range: Regex,
    pub(super) year_noun: Regex,
}

fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).expect("date pattern")
}

impl Patterns {
    pub(super) fn new() -> Patterns {
        let month = format!(r"(?P<month>(?:{MONTHS_FULL}|{MONTHS_ABBR})(?-u:\b)\.?)");
        let year_nouns = YEAR_NOUNS
            .iter()
            .map(|noun| regex::escape(noun))
            .collect::<Vec<_>>()
            .join("|");
        let year_opt = format!(
            r"(?:,?{SP}(?P<year>{YEAR})(?-u:\b)|{SP}of{SP}(?P<rel>last|this|next){SP}year(?-u:\b))?"
        );
        Patterns {
            iso: compile(r"(?-u:\b)(?P<y>(?:1[89]|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?-u:\b)"),
            month_day: compile(&format!(
                r"(?-u:\b)(?:(?P<wd>{WEEKDAYS}),?{SP})?{month}{SP}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?-u:\b){year_opt}"
            )),
            day_month: compile(&format!(
                r"(?-u:\b)(?P<day>\d{{1,2}})(?:st|nd|rd|th)?{SP}(?:of{SP})?{month}{year_opt}"
            )),
            month_year: compile(&format!(
                r"(?-u:\b)(?P<mod>(?:[Ee]arly|[Ll]ate){SP}|[Mm]id-)?(?P<month>{MONTHS_FULL}|(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.),?{SP}(?:of{SP})?(?P<year>{YEAR})(?-u:\b)"
            )),
            month: compile(&format!(
                r"(?-u:\b)(?P<month>{MONTHS_FULL})(?-u:\b)(?:{SP}of{SP}(?P<rel>last|this|next){SP}year(?-u:\b))?"
            )),
            weekday: compile(&format!(
                r"(?-u:\b)(?P<lead>(?:(?:[Ee]arly|[Ll]ate){SP})?(?:[Oo]n{SP})?)(?:(?P<rel>[Ll]ast|[Nn]ext|[Tt]his|[Cc]oming){SP})?(?P<wd>{WEEKDAYS})(?-u:\b)(?:['’]s)?(?:{SP}(?P<part>morning|afternoon|evening|night)(?-u:\b))?"
            )),
            day_word: compile(&format!(
                r"(?-u:\b)(?:(?P<dayof>[Tt]he{SP}day{SP}(?:before|after)){SP})?(?P<w>[Tt]oday|[Tt]onight|[Yy]esterday|[Tt]omorrow|(?:[Tt]his|[Ll]ast){SP}(?:morning|afternoon|evening|night))(?-u:\b)(?:['’]s)?(?:{SP}(?P<part>morning|afternoon|evening|night)(?-u:\b))?"
            )),
            period: compile(&format!(
                r"(?-u:\b)(?P<mod>(?:[Ee]arlier|[Ll]ater|[Ee]arly|[Ll]ate){SP}|[Mm]id-|(?:[Tt]he{SP})?(?:end|start|beginning|middle|rest|remainder){SP}of{SP})?(?P<rel>[Tt]his|[Ll]ast|[Nn]ext)(?P<past>{SP}past)?{SP}(?P<unit>week|month|year|weekend)(?-u:\b)"
            )),
            ago: compile(&format!(
                r"(?-u:\b)(?P<n>\d{{1,3}}|[Aa]n?|{TENS_WORDS}(?:[- ](?:{ONES_WORDS}))?|{ONES_WORDS}){SP}(?P<unit>day|week|month|year)s?{SP}ago(?-u:\b)"
            )),
            year: compile(&format!(r"(?-u:\b){YEAR}(?-u:\b)")),
            year_range: compile(&format!(
                r"(?-u:\b)(?:[Ff]rom|[Bb]etween){SP}{YEAR}(?:{SP})?(?:to|and|until|through|-|–)(?:{SP})?(?P<year>{YEAR})(?-u:\b)"
            )),
            year_noun: compile(&format!(
                r"(?-u:\b)(?:[Tt]he|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir|[Tt]his|[Tt]hat){SP}(?P<year>{YEAR}){SP}(?:{year_nouns})(?-u:\b)"
            )),
        }
    }
}

pub(super) static PATTERNS: LazyLock<Patterns> = LazyLock::new(Patterns::new);
