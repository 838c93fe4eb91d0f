//! Named entities: the trained tagger ([`wirehose_ner`]) over the article's
//! sentences, then canonical names ([`crate::canon`]) and places ([`wirehose_ner::geo`]).
//!
//! - the body is split into sentences of CoNLL-style tokens
//!   ([`wirehose_ner::tokenize`]) and tagged as one document, so later mentions
//!   agree with earlier ones;
//! - each tagged span is a mention; its entity's `name` is canonical: the
//!   alias table first (`U.S.` → `United States`), then, within the article,
//!   a surname alone resolves to the full name used elsewhere (`Kerry` →
//!   `John Kerry`, `Lavrov` → `Sergey Lavrov`);
//! - an entity's type is the one most of its mentions got;
//! - places carry `geo` from the GeoNames gazetteer.

use std::collections::HashMap;
use std::sync::LazyLock;

use wirehose_core::{Entity, Geo, Mention};

use crate::canon::Aliases;
use wirehose_ner::geo::Gazetteer;
use wirehose_ner::tokenize::{self, Token};
use wirehose_ner::{Model, TAGS, conll};
use wirehose_text::CharIndex;
use wirehose_text::lists::words;

struct Found {
    start: usize,
    end: usize,
    kind: &'static str,
    name: String,
}

fn kind_name(kind: &str) -> &'static str {
    match kind {
        "PER" => "PER",
        "ORG" => "ORG",
        "LOC" => "LOC",
        _ => "MISC",
    }
}

/// Titles that stand before a person's name; a tagged span holding one
/// (`US Secretary of State Mike Pompeo`) is split into the name after it
/// (a person) and what comes before the title.
static ROLES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/entities/roles.txt")));

/// Honorifics before a surname (`Mr`, `Mrs`, `Dr`), never part of a name.
static HONORIFICS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/entities/honorifics.txt")));

/// Where a person's name starts in `tokens[from..to]`: after an opening
/// honorific and its full stop (`Mr Blair`, `Dr. Fox`), when a name remains.
fn after_honorific(tokens: &[Token], body: &str, from: usize, to: usize) -> Option<usize> {
    let word = |k: usize| &body[tokens[k].start..tokens[k].end];
    if !HONORIFICS.contains(&word(from)) {
        return None;
    }
    let mut start = from + 1;
    if start < to && word(start) == "." {
        start += 1;
    }
    (start < to).then_some(start)
}

/// One-word mentions that are never a person (`Corp`, `Nine`, `Reuter`).
static NOT_PEOPLE: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/entities/not_people.txt")));

/// Corporate suffixes: part of the organisation before them, never an
/// entity alone.
static CORPORATE_SUFFIXES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/entities/corporate_suffixes.txt")));

/// Whether `word` is a corporate suffix (its closing full stop ignored).
fn corporate_suffix(word: &str) -> bool {
    CORPORATE_SUFFIXES.contains(&word.strip_suffix('.').unwrap_or(word))
}

/// The end (exclusive token index) of the corporate suffix that follows a
/// name ending before token `at` of `tokens` (`Inc`, `Corp.`, `and Co.`,
/// `& Co`), if one does.
fn suffix_after(tokens: &[Token], body: &str, at: usize) -> Option<usize> {
    let word = |k: usize| tokens.get(k).map(|t| &body[t.start..t.end]);
    let at = match word(at)? {
        "and" | "&" => at + 1,
        _ => at,
    };
    corporate_suffix(word(at)?).then_some(at + 1)
}

/// Last words that make a name an organisation.
static ORG_SUFFIXES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/entities/org_suffixes.txt")));

/// Words of a title before its role word.
static MODIFIERS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/entities/title_modifiers.txt")));

/// Splits a span of tokens at its role words: the part before the first
/// role (a place when the gazetteer knows it) and the name after the last
/// role (a person, when one to four words remain). A span without a role
/// comes back whole.
fn split_roles(
    tokens: &[Token],
    body: &str,
    kind: &'static str,
) -> Vec<(usize, usize, &'static str)> {
    let word = |k: usize| &body[tokens[k].start..tokens[k].end];
    let roles: Vec<usize> = (0..tokens.len())
        .filter(|&k| ROLES.contains(&word(k)))
        .collect();
    let (Some(&first), Some(&last)) = (roles.first(), roles.last()) else {
        return vec![(0, tokens.len(), kind)];
    };
    let mut out = Vec::new();
    // `US Special Representative`: the modifiers belong to the title.
    let mut head_end = first;
    while head_end > 0 && MODIFIERS.contains(&word(head_end - 1)) {
        head_end -= 1;
    }
    if head_end > 0 {
        let first = head_end;
        let head = &body[tokens[0].start..tokens[first - 1].end];
        let head_kind = match Gazetteer::builtin().lookup(head) {
            Some(_) => "LOC",
            None => kind,
        };
        out.push((0, first, head_kind));
    }
    // `Secretary of State Mike Pompeo`, `Envoy for Syria Staffan de Mistura`.
    let mut last = last;
    if matches!(
        tokens.get(last + 1).map(|_| word(last + 1)),
        Some("of" | "for")
    ) && last + 3 < tokens.len()
    {
        last += 2;
    }
    let tail = tokens.len() - last - 1;
    let capital = word(tokens.len() - 1)
        .chars()
        .next()
        .is_some_and(char::is_uppercase);
    let title_goes_on = tail > 0 && matches!(word(last + 1), "of" | "for");
    if (1..=4).contains(&tail) && capital && !title_goes_on {
        out.push((last + 1, tokens.len(), "PER"));
    }
    out
}

/// Finds the entities of `body` (paragraphs joined by blank lines).
/// `dateline_place` is the place of the story's dateline: its mentions are
/// places whatever the tagger said.
pub fn find(
    body: &str,
    index: &CharIndex,
    model: &Model,
    aliases: &Aliases,
    dateline_place: Option<&str>,
    credits: &[(usize, usize)],
) -> Vec<Entity> {
    let sentences = tokenize::sentences(body);
    let words: Vec<Vec<&str>> = sentences
        .iter()
        .map(|s| s.iter().map(|t| &body[t.start..t.end]).collect())
        .collect();
    let tagged = model.tag_document(&words);
    let mut found: Vec<Found> = Vec::new();
    for (tokens, tags) in sentences.iter().zip(&tagged) {
        let names: Vec<&str> = tags.iter().map(|t| TAGS[*t]).collect();
        for (first, last, kind) in conll::spans(&names) {
            let span = &tokens[first..last];
            for (mut from, mut to, mut kind) in split_roles(span, body, kind_name(&kind)) {
                // `Mr Blair`: the honorific is not part of the name, and
                // what follows it is a person.
                if let Some(start) = after_honorific(span, body, from, to) {
                    from = start;
                    kind = "PER";
                }
                // `UN Security Council Resolution 2254`: the council is the
                // organisation; a name ending in `Institute` is one.
                let last_word = &body[span[to - 1].start..span[to - 1].end];
                if last_word == "Resolution" && to - from > 1 {
                    to -= 1;
                    kind = "ORG";
                } else if ORG_SUFFIXES.contains(&last_word) && to - from > 1 {
                    kind = "ORG";
                }
                let (start, mut end) = (span[from].start, span[to - 1].end);
                // `Dart Group Inc`, `Ivan F. Boesky and Co.`: the suffix the
                // tagger left out belongs to the organisation.
                if to == span.len()
                    && kind != "LOC"
                    && let Some(past) = suffix_after(tokens, body, first + to)
                {
                    end = tokens[past - 1].end;
                    kind = "ORG";
                }
                // A sign-off or credit (`Reuter`, `(APA, 1.2.2015)`) is no entity.
                if credits.iter().any(|&(s, e)| start < e && s < end) {
                    continue;
                }
                let surface = &body[start..end];
                let bare = surface.strip_suffix('.').unwrap_or(surface);
                if corporate_suffix(surface) || (kind == "PER" && NOT_PEOPLE.contains(&bare)) {
                    continue;
                }
                let is_dateline =
                    dateline_place.is_some_and(|place| place.eq_ignore_ascii_case(surface));
                let kind = if is_dateline { "LOC" } else { kind };
                let name = aliases.canonical(surface, kind);
                let kind = aliases.kind_of(&name).unwrap_or(kind);
                found.push(Found {
                    start,
                    end,
                    kind,
                    name,
                });
            }
        }
    }
    // Surnames (and other trailing parts of a name) resolve to the full
    // person name used in the article.
    let mut full_names: HashMap<String, String> = HashMap::new();
    for person in found
        .iter()
        .filter(|f| f.kind == "PER" && f.name.contains(' '))
    {
        let words: Vec<&str> = person.name.split(' ').collect();
        for k in 1..words.len() {
            full_names
                .entry(words[k..].join(" "))
                .or_insert_with(|| person.name.clone());
        }
    }
    for mention in &mut found {
        let surface = &body[mention.start..mention.end];
        let surname = [mention.name.as_str(), surface]
            .into_iter()
            .find_map(|key| full_names.get(key));
        if let Some(full) = surname
            && (mention.kind == "PER" || !surface.contains(' '))
        {
            mention.name = full.clone();
            mention.kind = "PER";
        } else if !surface.contains(' ')
            && let Some(full) = aliases.person_for_surname(surface)
        {
            mention.name = full.to_string();
            mention.kind = "PER";
        }
    }
    let mut entities: Vec<Entity> = Vec::new();
    let mut votes: Vec<HashMap<&'static str, usize>> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for mention in found {
        let at = *by_name.entry(mention.name.clone()).or_insert_with(|| {
            entities.push(Entity {
                name: mention.name.clone(),
                kind: mention.kind.to_string(),
                mentions: Vec::new(),
                geo: None,
            });
            votes.push(HashMap::new());
            entities.len() - 1
        });
        *votes[at].entry(mention.kind).or_default() += 1;
        entities[at].mentions.push(Mention {
            start: index.chars(mention.start),
            end: index.chars(mention.end),
            text: body[mention.start..mention.end].to_string(),
        });
    }
    let gazetteer = Gazetteer::builtin();
    for (entity, votes) in entities.iter_mut().zip(votes) {
        let first = entity.kind.clone();
        let best = votes
            .iter()
            .max_by_key(|(kind, count)| (**count, **kind == first))
            .map(|(kind, _)| *kind);
        if let Some(best) = best {
            entity.kind = best.to_string();
        }
        if entity.kind == "LOC" {
            entity.geo = gazetteer.lookup(&entity.name).map(|place| Geo {
                country: place.country.to_string(),
                lat: place.lat,
                lon: place.lon,
                geonames_id: place.geonames_id,
            });
        }
    }
    entities
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, String)> {
        find(
            text,
            &CharIndex::new(text),
            Model::builtin(),
            &Aliases::default(),
            None,
            &[],
        )
        .into_iter()
        .map(|e| (e.name, e.kind))
        .collect()
    }

    #[test]
    fn people_places_orgs_and_surnames() {
        let found = names(
            "U.S. Secretary of State John Kerry met Russian Foreign Minister Sergei Lavrov in Geneva on Monday. Kerry said the talks were useful, and Lavrov agreed.",
        );
        for expected in [
            ("John Kerry", "PER"),
            ("Sergey Lavrov", "PER"),
            ("Geneva", "LOC"),
            ("United States", "LOC"),
        ] {
            assert!(
                found.contains(&(expected.0.into(), expected.1.into())),
                "{expected:?} in {found:?}"
            );
        }
        assert!(
            !found.iter().any(|(n, _)| n == "Kerry" || n == "Lavrov"),
            "{found:?}"
        );
    }

    #[test]
    fn offsets_are_code_points_and_places_have_geo() {
        let text = "“Hello” said Jim Jeffrey in Sochi.";
        let entities = find(
            text,
            &CharIndex::new(text),
            Model::builtin(),
            &Aliases::default(),
            None,
            &[],
        );
        let jim = entities
            .iter()
            .find(|e| e.name == "Jim Jeffrey")
            .expect("Jim Jeffrey");
        let m = &jim.mentions[0];
        let slice: String = text.chars().skip(m.start).take(m.end - m.start).collect();
        assert_eq!(slice, "Jim Jeffrey");
        let sochi = entities.iter().find(|e| e.name == "Sochi").expect("Sochi");
        assert_eq!(sochi.geo.as_ref().unwrap().country, "RU");
    }

    #[test]
    fn corporate_suffixes_stay_with_their_organisation() {
        let found = names(
            "Shares of Ivan F. Boesky and Co. fell. Dart Group Inc offered more for \
             Supermarkets General Corp. on Friday, and Corp. alone is no one.",
        );
        assert!(
            found
                .iter()
                .all(|(name, _)| !["Corp", "Corp.", "Co", "Co."].contains(&name.as_str())),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|(name, kind)| name == "Dart Group Inc" && kind == "ORG"),
            "{found:?}"
        );
    }

    /// The suffix rule itself, on tokens, whatever the tagger made of the
    /// name before it.
    #[test]
    fn suffixes_after_a_name() {
        let body = "Ivan F. Boesky and Co. fell, Smith & Co gained, Acme Corp. too, and Jones and Smith left.";
        let tokens: Vec<Token> = tokenize::sentences(body).into_iter().flatten().collect();
        let at = |word: &str| {
            tokens
                .iter()
                .position(|t| &body[t.start..t.end] == word)
                .unwrap()
        };
        let text_to = |end: usize| &body[tokens[end - 1].start..tokens[end - 1].end];
        let after_boesky = suffix_after(&tokens, body, at("Boesky") + 1).unwrap();
        assert_eq!(text_to(after_boesky), "Co.");
        let after_smith = suffix_after(&tokens, body, at("Smith") + 1).unwrap();
        assert_eq!(text_to(after_smith), "Co");
        assert_eq!(
            text_to(suffix_after(&tokens, body, at("Acme") + 1).unwrap()),
            "Corp."
        );
        assert_eq!(suffix_after(&tokens, body, at("Jones") + 1), None);
        assert_eq!(suffix_after(&tokens, body, at("fell")), None);
    }

    #[test]
    fn honorifics_are_not_part_of_names() {
        let found = names(
            "Prime Minister Tony Blair said on Monday the plan would go ahead. Mr Blair told MPs the vote would be close.",
        );
        assert!(
            found.contains(&("Tony Blair".to_string(), "PER".to_string())),
            "{found:?}"
        );
        assert!(!found.iter().any(|(n, _)| n.starts_with("Mr")), "{found:?}");
        let found =
            names("Revs 4.5 mln vs 3.9 mln. Record April Nine. The deal with Corp was signed.");
        assert!(
            !found
                .iter()
                .any(|(n, k)| k == "PER" && (n == "Nine" || n == "Corp")),
            "{found:?}"
        );
    }
}
