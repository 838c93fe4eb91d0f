//! Articles in several languages through the daemon: each is tagged by its
//! own language's built-in model, loaded when the first article in that
//! language comes; a language left out of `entity_languages` gets none.

use std::time::Duration;

use crate::util::{Dir, wait_timeout};

const GERMAN: &str = "Scholz trifft Macron in Paris\n\n\
Bundeskanzler Olaf Scholz ist am Montag in Paris mit dem französischen Präsidenten \
Emmanuel Macron zusammengetroffen. Die beiden Politiker sprachen im Élysée-Palast über \
die Lage in der Ukraine und die Zukunft der Europäischen Union.\n\n\
Scholz sagte nach dem Treffen, Deutschland und Frankreich stünden eng zusammen.\n";

const SPANISH: &str = "Sánchez visita Barcelona\n\n\
El presidente del Gobierno, Pedro Sánchez, viajó el lunes a Barcelona para reunirse \
con el presidente de la Generalitat, Salvador Illa, en el Palau de la Generalitat. \
Ambos dirigentes hablaron de la financiación autonómica y del corredor mediterráneo.\n";

const ENGLISH: &str = "Starmer meets Macron\n\n\
Prime Minister Keir Starmer met French President Emmanuel Macron in London on Monday \
to discuss the war in Ukraine, Downing Street said.\n";

fn run(dir: &Dir) -> (Vec<serde_json::Value>, String) {
    dir.write("inbox/de.txt", GERMAN);
    dir.write("inbox/es.txt", SPANISH);
    dir.write("inbox/en.txt", ENGLISH);
    let mut daemon = dir.spawn(&["--once"]);
    let status = wait_timeout(&mut daemon.child, Duration::from_secs(120)).expect("run ends");
    let log = daemon.log();
    assert!(status.success(), "{log}");
    (dir.records(), log)
}

fn names(records: &[serde_json::Value], language: &str) -> Vec<String> {
    let record = records
        .iter()
        .find(|r| r["language"] == language)
        .unwrap_or_else(|| panic!("no {language} record in {records:?}"));
    record["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_language_is_tagged_by_its_own_model_loaded_on_first_use() {
    let dir = Dir::new("");
    let (records, log) = run(&dir);
    assert_eq!(records.len(), 3, "{log}");
    let german = names(&records, "de");
    assert!(german.iter().any(|n| n == "Olaf Scholz"), "{german:?}");
    assert!(german.iter().any(|n| n == "Paris"), "{german:?}");
    let spanish = names(&records, "es");
    assert!(spanish.iter().any(|n| n == "Pedro Sánchez"), "{spanish:?}");
    assert!(spanish.iter().any(|n| n == "Barcelona"), "{spanish:?}");
    let english = names(&records, "en");
    assert!(english.iter().any(|n| n == "Keir Starmer"), "{english:?}");
    let loaded = |language: &str| {
        log.lines().any(|line| {
            line.contains("built-in entity model loaded")
                && line.contains(&format!("\"language\":\"{language}\""))
        })
    };
    assert!(loaded("de") && loaded("es"), "{log}");
    assert!(
        !loaded("fi") && !loaded("ru"),
        "only the languages seen load: {log}"
    );
}

#[test]
fn a_language_left_out_gets_no_entities_and_says_so() {
    let dir = Dir::new("");
    let config = std::fs::read_to_string(dir.path("wirehose.toml"))
        .unwrap()
        .replace(
            "inputs = [\"normalize\"]\n",
            "inputs = [\"normalize\"]\nentity_languages = [\"en\", \"es\"]\n",
        );
    dir.write("wirehose.toml", config);
    let (records, log) = run(&dir);
    assert!(names(&records, "de").is_empty(), "{records:?}");
    assert!(!names(&records, "es").is_empty(), "{records:?}");
    assert!(log.contains("no entity model for this language"), "{log}");
}
