//! The models built into the binary, one per language. Each is parsed the
//! first time an article in its language asks for it, so a daemon holds
//! only the languages it has seen: the weight tables stay in the binary's
//! read-only data (paged in as they are read), the parsed vocabulary and
//! lexicon go on the heap.

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::Model;

/// The languages (ISO 639-1) with a built-in model, English first.
pub const LANGUAGES: [&str; 7] = ["en", "es", "nl", "de", "fr", "fi", "ru"];

/// Each language's model file, in [`LANGUAGES`] order.
static BYTES: [&[u8]; 7] = [
    include_bytes!("../models/ner-en.bin"),
    include_bytes!("../models/ner-es.bin"),
    include_bytes!("../models/ner-nl.bin"),
    include_bytes!("../models/ner-de.bin"),
    include_bytes!("../models/ner-fr.bin"),
    include_bytes!("../models/ner-fi.bin"),
    include_bytes!("../models/ner-ru.bin"),
];

/// The parsed models, filled on first use.
static MODELS: [OnceLock<Arc<Model>>; 7] = [const { OnceLock::new() }; 7];

/// Whether `code` is written as an ISO 639-1 code: two lower-case ASCII
/// letters (`en`, `de`), as language detection reports them.
pub fn is_language_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase())
}

/// The model file of `language` as the repository names it
/// (`models/ner-de.bin`), where `wirehose train ner --language` writes it.
pub fn file_name(language: &str) -> String {
    format!("ner-{language}.bin")
}

/// The built-in model for `language` (ISO 639-1), parsed on first use;
/// `None` for a language without one.
pub fn model(language: &str) -> Option<Arc<Model>> {
    let at = LANGUAGES.iter().position(|l| *l == language)?;
    let model = MODELS[at].get_or_init(|| {
        let name = format!("models/{}", file_name(language));
        Arc::new(
            Model::parse(BYTES[at], Path::new(&name), Cow::Borrowed)
                .expect("the built-in NER models are well-formed (checked by tests)"),
        )
    });
    Some(model.clone())
}

/// Whether the model of `language` has been parsed in this process.
pub fn loaded(language: &str) -> bool {
    LANGUAGES
        .iter()
        .position(|l| *l == language)
        .is_some_and(|at| MODELS[at].get().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in model parses and tags a sentence of its language with
    /// at least one entity.
    #[test]
    fn every_builtin_model_loads_and_finds_names() {
        let samples = [
            (
                "en",
                "Angela Merkel met Emmanuel Macron in Paris on Monday .",
            ),
            (
                "es",
                "El presidente Pedro Sánchez viajó a Barcelona el lunes .",
            ),
            (
                "nl",
                "Premier Mark Rutte sprak maandag in Amsterdam met de pers .",
            ),
            (
                "de",
                "Bundeskanzler Olaf Scholz reiste am Montag nach München .",
            ),
            (
                "fr",
                "Le président Emmanuel Macron est arrivé à Marseille lundi .",
            ),
            (
                "fi",
                "Pääministeri Sanna Marin vieraili maanantaina Tampereella .",
            ),
            (
                "ru",
                "Президент Владимир Путин прилетел в Москву в понедельник .",
            ),
        ];
        for (language, sentence) in samples {
            let model = model(language).unwrap();
            assert!(loaded(language));
            let words: Vec<&str> = sentence.split(' ').collect();
            let tags = model.tag_document(&[words]);
            assert!(
                tags[0].iter().any(|t| *t != 0),
                "{language}: no entity in {sentence:?}"
            );
        }
        assert!(model("it").is_none());
    }
}
