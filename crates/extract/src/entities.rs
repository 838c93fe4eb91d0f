//! Named entities: the trained tagger ([`crate::ner`]) over the article's
//! sentences, then canonical names ([`crate::canon`]) and places ([`crate::geo`]).
//!
//! - the body is split into sentences of CoNLL-style tokens
//!   ([`crate::tokenize`]) and tagged as one document, so later mentions
//!   agree with earlier ones;
//! - each tagged span is a mention; its entity's `name` is canonical: the
//!   alias table first (`U.S.` → `United States`), then, within the article,
//!   a surname alone resolves to the full name used elsewhere (`Kerry` →
//!   `John Kerry`, `Lavrov` → `Sergey Lavrov`);
//! - an entity's type is the one most of its mentions got;
//! - places carry `geo` from the GeoNames gazetteer.

use std::collections::HashMap;

use wirehose_core::{Entity, Mention};

use crate::canon::Aliases;
use crate::geo::Gazetteer;
use crate::ner::{Model, TAGS, conll};
use crate::text::CharIndex;
use crate::tokenize;

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

/// Finds the entities of `body` (paragraphs joined by blank lines).
pub fn find(body: &str, index: &CharIndex, model: &Model, aliases: &Aliases) -> Vec<Entity> {
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
            let (start, end) = (tokens[first].start, tokens[last - 1].end);
            let kind = kind_name(&kind);
            let surface = &body[start..end];
            found.push(Found {
                start,
                end,
                kind,
                name: aliases.canonical(surface, kind),
            });
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
        if let Some(full) = full_names.get(&mention.name)
            && (mention.kind == "PER" || !mention.name.contains(' '))
        {
            mention.name = full.clone();
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
            entity.geo = gazetteer.lookup(&entity.name).map(|place| place.geo());
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
}
