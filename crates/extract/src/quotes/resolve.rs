//! Who a speaker phrase names: entities, surnames and back references.

use wirehose_core::Entity;

use wirehose_text::CharIndex;

use super::QuoteFinder;
use super::lexicon::{gender_of, is_title};
use super::marks::Span;
use super::speaker::{Gender, Who};
use super::tokens::{cue_phrase, ends_sentence, tokens};

impl QuoteFinder {
    /// Who is named as a speaker or sentence subject where, outside quotes:
    /// `(char offset, canonical name)` in text order. Pronouns resolve to the
    /// last of these.
    pub(super) fn naming_events(
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
}

/// Someone named as a speaker or a sentence subject, outside quotes.
#[derive(Debug)]
pub(super) struct Event {
    /// Char offset.
    pub(super) at: usize,
    /// Canonical name.
    pub(super) name: String,
    /// Whether this may be a person (not an organisation, place or thing).
    pub(super) person: bool,
}

/// The canonical name of the speaker written at `body[start..end]`, whether
/// it may be a person, and whether an entity backs it (else it is the text
/// as written).
pub(super) fn resolve_name(
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

pub(super) fn fits(name: &str, gender: Gender) -> bool {
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
pub(super) fn last_mention(entities: &[Entity], here: usize, gender: Gender) -> Option<String> {
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
pub(super) fn back_reference(
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
