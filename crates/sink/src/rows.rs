//! The rows a batch of records becomes in a relational store.
//!
//! The SQLite and PostgreSQL sinks store the same tables: `articles`,
//! `entities`, `mentions` and `quotes`. [`Rows::build`] maps records to the
//! column values of those tables once; each sink keeps only its SQL dialect.
//!
//! Each article appears once (the last copy of an id in the batch wins), in
//! id order, so concurrent writers lock rows in the same order. Entities are
//! distinct by name and type, also sorted; a mention names its entity by
//! index into [`Rows::entities`].

use std::collections::{BTreeMap, BTreeSet};

use wirehose_core::Record;

use crate::driver::Outcome;

/// One `articles` row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ArticleRow {
    /// Article id (primary key).
    pub(crate) id: String,
    /// Headline, when known.
    pub(crate) title: Option<String>,
    /// Publication date, when known.
    pub(crate) published: Option<String>,
    /// Language code, when detected.
    pub(crate) language: Option<String>,
    /// Story id, when assigned.
    pub(crate) story: Option<String>,
    /// Input path.
    pub(crate) source_path: String,
    /// When wirehose received the input (RFC 3339).
    pub(crate) received_at: String,
    /// The body text the offsets point into.
    pub(crate) body: String,
    /// The full record as JSON.
    pub(crate) record: String,
    /// The record's `fields` (what plugins added) as a JSON object.
    pub(crate) fields: String,
}

/// One `entities` row (its id is the store's).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct EntityRow {
    /// Canonical name.
    pub(crate) name: String,
    /// `PER`, `ORG`, `LOC` or `MISC`.
    pub(crate) kind: String,
}

/// One `mentions` row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MentionRow {
    /// Article id.
    pub(crate) article_id: String,
    /// Index of the entity in [`Rows::entities`].
    pub(crate) entity: usize,
    /// Code-point offset of the first character in the body.
    pub(crate) start: usize,
    /// Code-point offset after the last character.
    pub(crate) end: usize,
    /// The mentioned text.
    pub(crate) text: String,
}

/// One `quotes` row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuoteRow {
    /// Article id.
    pub(crate) article_id: String,
    /// Rank of the quote in the article, from 0.
    pub(crate) position: usize,
    /// The quoted words.
    pub(crate) text: String,
    /// Who said it, when known.
    pub(crate) speaker: Option<String>,
    /// The speech verb, when known.
    pub(crate) cue: Option<String>,
    /// Code-point offset of the first character in the body.
    pub(crate) start: usize,
    /// Code-point offset after the last character.
    pub(crate) end: usize,
}

/// The rows of a batch of records.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Rows {
    /// One per article id, in id order.
    pub(crate) articles: Vec<ArticleRow>,
    /// Distinct entities, in (name, type) order.
    pub(crate) entities: Vec<EntityRow>,
    /// Every mention of every entity, article by article.
    pub(crate) mentions: Vec<MentionRow>,
    /// Every quote, article by article.
    pub(crate) quotes: Vec<QuoteRow>,
}

/// A record that cannot be stored.
#[derive(Debug)]
pub(crate) struct Unencodable {
    /// Index of the record in the batch.
    pub(crate) index: usize,
    /// Why its JSON could not be made.
    pub(crate) error: serde_json::Error,
}

impl Unencodable {
    /// Returns the outcomes of a batch of `count` records stored but for
    /// `unencodable`, which are rejected.
    pub(crate) fn outcomes(count: usize, unencodable: Vec<Unencodable>) -> Vec<Outcome> {
        let mut outcomes = vec![Outcome::Delivered; count];
        for Unencodable { index, error } in unencodable {
            if let Some(outcome) = outcomes.get_mut(index) {
                *outcome = Outcome::Rejected {
                    reason: format!("cannot encode record: {error}"),
                    hint: "report this as a bug",
                };
            }
        }
        outcomes
    }
}

impl Rows {
    /// Maps `records` to rows. A record that cannot be encoded as JSON is
    /// left out and reported by its index.
    pub(crate) fn build<'a>(
        records: impl IntoIterator<Item = &'a Record>,
    ) -> (Rows, Vec<Unencodable>) {
        let mut by_id: BTreeMap<&str, (&Record, String)> = BTreeMap::new();
        let mut unencodable = Vec::new();
        for (index, record) in records.into_iter().enumerate() {
            match serde_json::to_string(record) {
                Ok(json) => {
                    by_id.insert(&record.id, (record, json));
                }
                Err(error) => unencodable.push(Unencodable { index, error }),
            }
        }
        let entities: BTreeSet<EntityRow> = by_id
            .values()
            .flat_map(|(record, _)| &record.entities)
            .map(|entity| EntityRow {
                name: entity.name.clone(),
                kind: entity.kind.clone(),
            })
            .collect();
        let mut rows = Rows {
            entities: entities.into_iter().collect(),
            ..Rows::default()
        };
        for (record, json) in by_id.into_values() {
            rows.add(record, json);
        }
        (rows, unencodable)
    }

    /// Adds the rows of one record (its entities are already listed).
    fn add(&mut self, record: &Record, json: String) {
        for entity in &record.entities {
            let key = EntityRow {
                name: entity.name.clone(),
                kind: entity.kind.clone(),
            };
            let Ok(index) = self.entities.binary_search(&key) else {
                continue;
            };
            for mention in &entity.mentions {
                self.mentions.push(MentionRow {
                    article_id: record.id.clone(),
                    entity: index,
                    start: mention.start,
                    end: mention.end,
                    text: mention.text.clone(),
                });
            }
        }
        for (position, quote) in record.quotes.iter().enumerate() {
            self.quotes.push(QuoteRow {
                article_id: record.id.clone(),
                position,
                text: quote.text.clone(),
                speaker: quote.speaker.clone(),
                cue: quote.cue.clone(),
                start: quote.start,
                end: quote.end,
            });
        }
        self.articles.push(ArticleRow {
            id: record.id.clone(),
            title: record.title.clone(),
            published: record.published.clone(),
            language: record.language.clone(),
            story: record.story.clone(),
            source_path: record.source.path.to_string_lossy().into_owned(),
            received_at: record.source.received_at.clone(),
            body: record.body(),
            record: json,
            fields: serde_json::to_string(&record.fields).unwrap_or_else(|_| "{}".to_string()),
        });
    }
}

#[cfg(test)]
mod tests {
    use wirehose_core::{Entity, Mention, Quote};

    use super::*;

    fn record(id: &str, entities: &[(&str, &str)], quotes: usize) -> Record {
        Record {
            id: id.into(),
            title: Some(format!("title {id}")),
            paragraphs: vec!["one".into(), "two".into()],
            entities: entities
                .iter()
                .map(|(name, kind)| Entity {
                    name: (*name).into(),
                    kind: (*kind).into(),
                    mentions: vec![Mention {
                        start: 0,
                        end: 3,
                        text: (*name).into(),
                    }],
                    geo: None,
                })
                .collect(),
            quotes: (0..quotes)
                .map(|n| Quote {
                    text: format!("quote {n}"),
                    speaker: None,
                    cue: Some("said".into()),
                    start: n,
                    end: n + 1,
                })
                .collect(),
            ..Record::default()
        }
    }

    #[test]
    fn one_row_per_id_last_copy_wins_in_id_order() {
        let first_b = record("b", &[("Kerry", "PER")], 1);
        let a = record("a", &[("Geneva", "LOC"), ("Kerry", "PER")], 2);
        let last_b = record("b", &[("Sochi", "LOC")], 0);
        let (rows, unencodable) = Rows::build([&first_b, &a, &last_b]);
        assert!(unencodable.is_empty());
        let ids: Vec<&str> = rows.articles.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(rows.articles[0].body, "one\n\ntwo");
        assert_eq!(rows.articles[0].title.as_deref(), Some("title a"));
        assert!(rows.articles[0].record.starts_with("{\"id\":\"a\""));
        let names: Vec<&str> = rows.entities.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Geneva", "Kerry", "Sochi"]);
        let mentions: Vec<(&str, &str)> = rows
            .mentions
            .iter()
            .map(|m| (m.article_id.as_str(), rows.entities[m.entity].name.as_str()))
            .collect();
        assert_eq!(mentions, [("a", "Geneva"), ("a", "Kerry"), ("b", "Sochi")]);
        let quotes: Vec<(&str, usize)> = rows
            .quotes
            .iter()
            .map(|q| (q.article_id.as_str(), q.position))
            .collect();
        assert_eq!(quotes, [("a", 0), ("a", 1)]);
    }
}
