//! Baseline named-entity finder: capitalised word sequences, typed by cues.
//!
//! - a candidate is a run of capitalised words (connectors such as `of`,
//!   `al`, `bin`, `de` allowed inside), minus leading function words;
//! - a sentence-initial single word counts only if the text also uses it
//!   capitalised mid-sentence (document-level consistency);
//! - a leading role (`President`, `Secretary of State`, `Mr.`) marks a person;
//!   organisation suffixes and acronyms mark organisations; a built-in list of
//!   countries and major cities marks places; other two- and three-word names
//!   default to persons, the rest to `MISC`;
//! - a surname alone (`Kerry`) resolves to the full name used elsewhere in the
//!   article (`John Kerry`).

use std::collections::{HashMap, HashSet};

use wirehose_core::{Entity, Mention};

use crate::text::CharIndex;

const FUNCTION_WORDS: &[&str] = &[
    "The",
    "A",
    "An",
    "But",
    "And",
    "Or",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "In",
    "On",
    "At",
    "As",
    "After",
    "Before",
    "Both",
    "Earlier",
    "Meanwhile",
    "This",
    "That",
    "Those",
    "These",
    "What",
    "When",
    "While",
    "Whereas",
    "Similarly",
    "Speaking",
    "Last",
    "If",
    "Then",
    "There",
    "Here",
    "His",
    "Her",
    "Their",
    "Our",
    "Its",
    "For",
    "From",
    "With",
    "By",
    "To",
    "Of",
    "Also",
    "However",
    "So",
    "Yet",
    "Still",
    "Since",
    "Although",
    "Though",
    "Under",
    "Over",
    "According",
    "Asked",
    "Despite",
    "During",
    "Expectations",
    "Underscoring",
    "Proponents",
    "Obviously",
    "Every",
    "Each",
    "Some",
    "Many",
    "Most",
    "All",
    "No",
    "Not",
    "One",
    "Two",
    "Three",
    "Why",
    "How",
    "Who",
    "Where",
    "Which",
    "Whether",
    "Now",
    "Today",
    "Yesterday",
    "Tomorrow",
    "Such",
    "Other",
    "Another",
    "Any",
    "More",
    "Less",
];
const TIME_WORDS: &[&str] = &[
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
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const ROLES: &[&str] = &[
    "President",
    "Secretary",
    "Minister",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Sen.",
    "Senator",
    "Rep.",
    "Gen.",
    "General",
    "King",
    "Queen",
    "Prince",
    "Chancellor",
    "Pope",
    "Ambassador",
    "Envoy",
    "Spokesman",
    "Spokeswoman",
    "Governor",
    "Gov.",
    "Mayor",
    "Judge",
    "Prime",
    "Foreign",
    "Defense",
    "Defence",
    "Deputy",
    "Vice",
    "Special",
    "Representative",
    "Leader",
    "Premier",
    "Sheikh",
    "Lt.",
    "Col.",
    "Colonel",
    "Admiral",
    "Commander",
    "Chief",
    "Justice",
    "Director",
    "Chairman",
    "CEO",
];
const ORG_SUFFIXES: &[&str] = &[
    "Council",
    "Department",
    "Ministry",
    "House",
    "Institute",
    "Front",
    "Party",
    "Union",
    "Nations",
    "Agency",
    "Organization",
    "Organisation",
    "Committee",
    "Army",
    "Forces",
    "Group",
    "Bank",
    "Fund",
    "Commission",
    "Court",
    "Congress",
    "Parliament",
    "Senate",
    "Post",
    "Times",
    "News",
    "University",
    "Company",
    "Corp",
    "Corp.",
    "Inc",
    "Inc.",
    "Ltd",
    "Ltd.",
    "Association",
    "Federation",
    "Office",
    "Service",
    "Police",
    "Guard",
    "Brigade",
    "Movement",
    "Alliance",
    "Coalition",
    "Administration",
    "Kremlin",
    "Pentagon",
    "Qaeda",
    "State",
    "Board",
    "Authority",
    "Foundation",
    "Network",
    "Times",
];
const PLACES: &[&str] = &[
    "U.S.",
    "US",
    "USA",
    "United States",
    "America",
    "UK",
    "Britain",
    "Great Britain",
    "England",
    "Russia",
    "Russian Federation",
    "China",
    "Syria",
    "Iraq",
    "Iran",
    "Israel",
    "Turkey",
    "Egypt",
    "France",
    "Germany",
    "Italy",
    "Spain",
    "Ukraine",
    "Poland",
    "Japan",
    "India",
    "Pakistan",
    "Afghanistan",
    "Saudi Arabia",
    "Qatar",
    "Jordan",
    "Lebanon",
    "Yemen",
    "Libya",
    "Canada",
    "Mexico",
    "Brazil",
    "Australia",
    "North Korea",
    "South Korea",
    "UAE",
    "United Arab Emirates",
    "Europe",
    "Middle East",
    "Asia",
    "Africa",
    "Washington",
    "Moscow",
    "London",
    "Paris",
    "Berlin",
    "Geneva",
    "Beijing",
    "Tokyo",
    "Damascus",
    "Aleppo",
    "Baghdad",
    "Tehran",
    "Jerusalem",
    "Ankara",
    "Kiev",
    "Kyiv",
    "Sochi",
    "New York",
    "Brussels",
    "Vienna",
    "Rome",
    "Madrid",
    "Cairo",
    "Riyadh",
    "Doha",
    "Beirut",
    "Philadelphia",
    "Black Sea",
    "Crimea",
    "Gaza",
    "West Bank",
    "Idlib",
    "Raqqa",
    "Homs",
    "Kabul",
    "Islamabad",
    "New Delhi",
    "Delhi",
    "Seoul",
    "Pyongyang",
    "Minsk",
    "Warsaw",
    "Istanbul",
];

struct Token {
    start: usize,
    end: usize,
    sentence_start: bool,
}

fn tokens(body: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut iter = body.char_indices().peekable();
    let mut sentence_start = true;
    while let Some((start, c)) = iter.next() {
        if !c.is_alphanumeric() {
            if matches!(c, '.' | '!' | '?' | ':' | '\n') {
                sentence_start = true;
            }
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(at, next)) = iter.peek() {
            if next.is_alphanumeric() || matches!(next, '.' | '\'' | '’' | '-' | '&') {
                end = at + next.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        // Trim trailing punctuation, keeping abbreviations like `U.S.` and `Mr.`.
        let mut word = &body[start..end];
        let mut ends_sentence = false;
        while let Some(last) = word.chars().last() {
            if last == '.' {
                let inner = &word[..word.len() - 1];
                let abbreviation = inner.contains('.')
                    || [
                        "Mr", "Mrs", "Ms", "Dr", "Sen", "Rep", "Gen", "Gov", "Lt", "Col", "St",
                        "Jr", "Corp", "Inc", "Ltd",
                    ]
                    .contains(&inner);
                if abbreviation {
                    break;
                }
                ends_sentence = true;
            } else if !matches!(last, '\'' | '’' | '-' | '&') {
                break;
            }
            word = &word[..word.len() - last.len_utf8()];
        }
        for suffix in ["'s", "’s"] {
            if word.len() > suffix.len() + 1 && word.ends_with(suffix) {
                word = &word[..word.len() - suffix.len()];
            }
        }
        let end = start + word.len();
        if end > start {
            out.push(Token {
                start,
                end,
                sentence_start,
            });
        }
        sentence_start = ends_sentence;
    }
    out
}

fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

fn acronym(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

const CONNECTORS: &[&str] = &[
    "of", "de", "al", "bin", "von", "van", "der", "du", "da", "la", "el", "for",
];

/// Returns the entities of `body`, first mentioned first.
pub(crate) fn find(body: &str, index: &CharIndex) -> Vec<Entity> {
    let tokens = tokens(body);
    let places: HashSet<&str> = PLACES.iter().copied().collect();
    // Words used capitalised in mid-sentence somewhere in the text.
    let mid_capitalised: HashSet<&str> = tokens
        .iter()
        .filter(|t| !t.sentence_start)
        .map(|t| &body[t.start..t.end])
        .filter(|w| capitalised(w))
        .collect();

    // Candidate runs.
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let word = &body[token.start..token.end];
        let adjacent = current.last().is_some_and(|&prev| {
            &body[tokens[prev].end..token.start] == " " && !token.sentence_start
        });
        if capitalised(word) && (current.is_empty() || adjacent) {
            current.push(i);
            continue;
        }
        let connector = CONNECTORS.contains(&word)
            && adjacent
            && tokens.get(i + 1).is_some_and(|next| {
                capitalised(&body[next.start..next.end]) && &body[token.end..next.start] == " "
            });
        if connector {
            current.push(i);
            continue;
        }
        if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
        if capitalised(word) {
            current.push(i);
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }

    struct Candidate {
        start: usize,
        end: usize,
        name: String,
        kind: &'static str,
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    for run in runs {
        let mut words: Vec<usize> = run;
        while let Some(&first) = words.first() {
            let word = &body[tokens[first].start..tokens[first].end];
            if FUNCTION_WORDS.contains(&word)
                || TIME_WORDS.contains(&word)
                || CONNECTORS.contains(&word)
            {
                words.remove(0);
            } else {
                break;
            }
        }
        while let Some(&last) = words.last() {
            let word = &body[tokens[last].start..tokens[last].end];
            if CONNECTORS.contains(&word) || TIME_WORDS.contains(&word) {
                words.pop();
            } else {
                break;
            }
        }
        // Split `U.S. Secretary of State John Kerry` into `U.S.` and a person.
        let word_at = |w: usize| &body[tokens[w].start..tokens[w].end];
        let is_role = |k: usize, words: &[usize]| {
            let word = word_at(words[k]);
            ROLES.contains(&word) || (word == "State" && k > 0 && word_at(words[k - 1]) == "of")
        };
        let mut segments: Vec<(Vec<usize>, bool)> = Vec::new();
        let first_role = (0..words.len()).find(|&k| is_role(k, &words));
        let last_role = (0..words.len()).rev().find(|&k| is_role(k, &words));
        match (first_role, last_role) {
            (Some(first), Some(last)) if last + 1 < words.len() && words.len() - last - 1 <= 3 => {
                if first > 0 {
                    segments.push((words[..first].to_vec(), false));
                }
                segments.push((words[last + 1..].to_vec(), true));
            }
            _ => segments.push((words, false)),
        }
        for (words, person) in segments {
            let Some((&first, &last)) = words.first().zip(words.last()) else {
                continue;
            };
            let (start, end) = (tokens[first].start, tokens[last].end);
            let name = body[start..end].to_string();
            let single = words.len() == 1;
            if single
                && tokens[first].sentence_start
                && !mid_capitalised.contains(name.as_str())
                && !places.contains(name.as_str())
            {
                continue;
            }
            if single
                && (FUNCTION_WORDS.contains(&name.as_str()) || TIME_WORDS.contains(&name.as_str()))
            {
                continue;
            }
            let last_word = &body[tokens[last].start..tokens[last].end];
            let alphabetic_words = words.iter().all(|&w| {
                body[tokens[w].start..tokens[w].end]
                    .chars()
                    .all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '’')
            });
            let kind = if person {
                "PER"
            } else if places.contains(name.as_str()) {
                "LOC"
            } else if ORG_SUFFIXES.contains(&last_word) || (single && acronym(&name)) {
                "ORG"
            } else if (2..=3).contains(&words.len()) && alphabetic_words {
                "PER"
            } else {
                "MISC"
            };
            candidates.push(Candidate {
                start,
                end,
                name,
                kind,
            });
        }
    }

    // Resolve surnames to full person names used in the article.
    let mut full_names: HashMap<String, String> = HashMap::new();
    for candidate in candidates
        .iter()
        .filter(|c| c.kind == "PER" && c.name.contains(' '))
    {
        if let Some(surname) = candidate.name.rsplit(' ').next() {
            full_names
                .entry(surname.to_string())
                .or_insert_with(|| candidate.name.clone());
        }
    }
    let mut entities: Vec<Entity> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for candidate in candidates {
        let (name, kind) = match full_names.get(&candidate.name) {
            Some(full) if !candidate.name.contains(' ') && candidate.kind != "LOC" => {
                (full.clone(), "PER")
            }
            _ => (candidate.name.clone(), candidate.kind),
        };
        let mention = Mention {
            start: index.chars(candidate.start),
            end: index.chars(candidate.end),
            text: candidate.name,
        };
        match by_name.get(&name) {
            Some(&at) => entities[at].mentions.push(mention),
            None => {
                by_name.insert(name.clone(), entities.len());
                entities.push(Entity {
                    geo: None,
                    name,
                    kind: kind.to_string(),
                    mentions: vec![mention],
                });
            }
        }
    }
    entities
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, String)> {
        find(text, &CharIndex::new(text))
            .into_iter()
            .map(|e| (e.name, e.kind))
            .collect()
    }

    #[test]
    fn people_places_orgs_and_surnames() {
        let found = names(
            "U.S. Secretary of State John Kerry met Russia’s Sergei Lavrov in Geneva. Kerry said the UN Security Council would meet. The White House agreed.",
        );
        assert!(
            found.contains(&("John Kerry".into(), "PER".into())),
            "{found:?}"
        );
        assert!(
            found.contains(&("Sergei Lavrov".into(), "PER".into())),
            "{found:?}"
        );
        assert!(
            found.contains(&("Geneva".into(), "LOC".into())),
            "{found:?}"
        );
        assert!(
            found.contains(&("Russia".into(), "LOC".into())),
            "{found:?}"
        );
        assert!(
            found.contains(&("White House".into(), "ORG".into())),
            "{found:?}"
        );
        assert!(
            !found.iter().any(|(n, _)| n == "Kerry"),
            "surname resolves: {found:?}"
        );
        assert!(!found.iter().any(|(n, _)| n == "The"), "{found:?}");
    }

    #[test]
    fn offsets_are_code_points() {
        let text = "“Hello” said Jim Jeffrey.";
        let entities = find(text, &CharIndex::new(text));
        let jim = entities.iter().find(|e| e.name == "Jim Jeffrey").unwrap();
        let m = &jim.mentions[0];
        assert_eq!(
            text.chars()
                .skip(m.start)
                .take(m.end - m.start)
                .collect::<String>(),
            "Jim Jeffrey"
        );
    }
}
