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
        &[],
    );
    QuoteFinder::new().find(text, &index, &found, true)
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
            &[],
        );
        docs.push((body, index, found));
    }
    let finder = QuoteFinder::new();
    let mut quotes = 0;
    let start = std::time::Instant::now();
    let rounds = 5;
    for _ in 0..rounds {
        for (body, index, found) in &docs {
            quotes += finder.find(body, index, found, true).len();
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
    // The name as written, or its canonical form when the tagger marks it a
    // person (the built-in list of well-known people gives his full name):
    // which one depends on the model, the speaker rule does not.
    assert!(
        matches!(
            found[2].speaker.as_deref(),
            Some("Lavrov" | "Sergey Lavrov")
        ),
        "{:?}",
        found[2].speaker
    );
    assert_eq!(found[2].cue.as_deref(), Some("told"));
    assert_eq!(slice(text, &found[0]), "We are close to a deal,");
    assert_eq!(found[0].text, "We are close to a deal,");
}

#[test]
fn other_languages_get_quotes_without_english_speaker_rules() {
    let text = "Der Minister sagte: „Wir werden die Steuern im nächsten Jahr nicht erhöhen.“ Er sagte \"said\" nicht.";
    let index = CharIndex::new(text);
    let found = QuoteFinder::new().find(text, &index, &[], false);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].text,
        "Wir werden die Steuern im nächsten Jahr nicht erhöhen."
    );
    assert_eq!(
        (found[0].speaker.as_deref(), found[0].cue.as_deref()),
        (None, None)
    );
    assert_eq!(slice(text, &found[0]), found[0].text);
}
