//! Direct quotes (`“…”` and `"…"`) with their speakers and cue verbs.
//!
//! The speaker is found after the quote (`…," Kerry said`, `…," said Kerry`,
//! `…," Pompeo told reporters`) or before it in the same sentence
//! (`Kerry said the talks had “…”`, `He added: “…”`). A pronoun resolves to the
//! person last quoted or named; a name resolves to the entity that covers it,
//! so the speaker is the entity's full name.

use regex::Regex;
use wirehose_core::{Entity, Quote};

use crate::text::CharIndex;

const CUES: &str = r"said|says|told|added|adds|stressed|noted|asked|explained|insisted|warned|declared|wrote|argued|replied|continued|stated|announced|recalled|acknowledged|admitted|claimed|conceded|emphasized|emphasised|urged|tweeted";

/// Finds quotes and speakers.
#[derive(Debug)]
pub struct QuoteFinder {
    after_name_cue: Regex,
    after_cue_name: Regex,
    before: Regex,
}

impl Default for QuoteFinder {
    fn default() -> Self {
        QuoteFinder::new()
    }
}

const NAME: &str = r"(?:[A-Z][\p{L}.'’\-]*(?:\s+(?:al|bin|de|van|von)?\s*[A-Z][\p{L}.'’\-]*){0,3}|[Hh]e|[Ss]he|[Tt]hey|[Ww]e|I)";

struct Span {
    open: usize,
    close: usize,
}

fn quote_spans(body: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    let mut straight_open: Option<usize> = None;
    for (at, c) in body.char_indices() {
        match c {
            '“' => open = Some(at),
            '”' => {
                if let Some(start) = open.take() {
                    spans.push(Span {
                        open: start,
                        close: at,
                    });
                }
            }
            '"' => match straight_open.take() {
                Some(start) => spans.push(Span {
                    open: start,
                    close: at,
                }),
                None => straight_open = Some(at),
            },
            '\n' => {
                open = None;
                straight_open = None;
            }
            _ => {}
        }
    }
    spans.sort_by_key(|s| s.open);
    spans
}

impl QuoteFinder {
    /// Compiles the patterns.
    pub fn new() -> QuoteFinder {
        QuoteFinder {
            after_name_cue: Regex::new(&format!(
                r"^\s*[,.!?]?\s*(?P<name>{NAME})\s+(?P<cue>{CUES})\b"
            ))
            .expect("quote pattern"),
            after_cue_name: Regex::new(&format!(
                r"^\s*[,.!?]?\s*(?P<cue>{CUES})\s+(?P<name>{NAME})\b"
            ))
            .expect("quote pattern"),
            before: Regex::new(&format!(
                r"(?P<name>{NAME})\s+(?:\w+\s+){{0,2}}?(?P<cue>{CUES})\b[^.!?“”\x22]{{0,120}}$"
            ))
            .expect("quote pattern"),
        }
    }

    /// Returns the quotes of `body`, resolving speakers against `entities`.
    pub(crate) fn find(&self, body: &str, index: &CharIndex, entities: &[Entity]) -> Vec<Quote> {
        let mut quotes = Vec::new();
        let mut last_speaker: Option<String> = None;
        // Person mentions in text order, as (char start, canonical name).
        let mut people: Vec<(usize, &str)> = entities
            .iter()
            .filter(|e| e.kind == "PER")
            .flat_map(|e| e.mentions.iter().map(move |m| (m.start, e.name.as_str())))
            .collect();
        people.sort();
        for span in quote_spans(body) {
            let inner_start =
                span.open + body[span.open..].chars().next().map_or(1, char::len_utf8);
            let text = body[inner_start..span.close].trim();
            if text.split_whitespace().count() < 2 {
                continue;
            }
            let close_end =
                span.close + body[span.close..].chars().next().map_or(1, char::len_utf8);
            let after = &body[close_end
                ..body[close_end..]
                    .find('\n')
                    .map_or(body.len(), |n| close_end + n)];
            let line_start = body[..span.open].rfind('\n').map_or(0, |n| n + 1);
            let before = &body[line_start..span.open];
            let (start_chars, end_chars) = (index.chars(inner_start), index.chars(span.close));

            let mut found: Option<(String, String, usize)> = None;
            if let Some(c) = self.after_name_cue.captures(after) {
                found = Some((
                    c["name"].to_string(),
                    c["cue"].to_string(),
                    close_end + c.name("name").map_or(0, |m| m.start()),
                ));
            } else if let Some(c) = self.after_cue_name.captures(after) {
                found = Some((
                    c["name"].to_string(),
                    c["cue"].to_string(),
                    close_end + c.name("name").map_or(0, |m| m.start()),
                ));
            } else if let Some(c) = self.before.captures(before) {
                found = Some((
                    c["name"].to_string(),
                    c["cue"].to_string(),
                    line_start + c.name("name").map_or(0, |m| m.start()),
                ));
            }
            let (speaker, cue) = match found {
                Some((name, cue, at)) => {
                    let pronoun = matches!(
                        name.to_lowercase().as_str(),
                        "he" | "she" | "they" | "we" | "i"
                    );
                    let speaker = if pronoun {
                        last_speaker.clone().or_else(|| {
                            let at_chars = index.chars(span.open);
                            people
                                .iter()
                                .rev()
                                .find(|(start, _)| *start < at_chars)
                                .map(|(_, n)| n.to_string())
                        })
                    } else {
                        let at_chars = index.chars(at);
                        entities
                            .iter()
                            .find(|e| {
                                e.mentions.iter().any(|m| {
                                    m.start <= at_chars && at_chars < m.end.max(m.start + 1)
                                })
                            })
                            .map(|e| e.name.clone())
                            .or_else(|| {
                                entities
                                    .iter()
                                    .find(|e| {
                                        e.kind == "PER" && e.mentions.iter().any(|m| m.text == name)
                                    })
                                    .map(|e| e.name.clone())
                            })
                            .or(Some(name))
                    };
                    (speaker, Some(cue))
                }
                None => (None, None),
            };
            if speaker.is_some() {
                last_speaker = speaker.clone();
            }
            quotes.push(Quote {
                text: text.to_string(),
                speaker,
                cue,
                start: start_chars,
                end: end_chars,
            });
        }
        quotes
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
            crate::ner::Model::builtin(),
            &crate::canon::Aliases::default(),
        );
        QuoteFinder::new().find(text, &index, &found)
    }

    #[test]
    fn speakers_after_before_and_pronouns() {
        let text = "Secretary of State John Kerry spoke.\n\n“We are close to a deal,” Kerry said.\n\n“It will take time,” he added.\n\nLavrov told reporters that “nothing is agreed yet”.";
        let found = quotes(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].speaker.as_deref(), Some("John Kerry"));
        assert_eq!(found[0].cue.as_deref(), Some("said"));
        assert_eq!(found[1].speaker.as_deref(), Some("John Kerry"));
        assert_eq!(found[2].speaker.as_deref(), Some("Lavrov"));
        let q = &found[0];
        assert_eq!(
            text.chars()
                .skip(q.start)
                .take(q.end - q.start)
                .collect::<String>(),
            "We are close to a deal,"
        );
    }
}
