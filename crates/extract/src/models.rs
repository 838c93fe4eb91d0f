//! The entity models by language: the built-in ones (parsed when the first
//! article in their language comes) and the files the config names.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use wirehose_core::{BuildContext, ConfigProblem};
use wirehose_ner::{self as ner, Model};

use crate::ExtractError;

/// Which model tags which language. Cloning shares the loaded files.
#[derive(Debug, Clone)]
pub(crate) struct Models {
    /// The languages tagged (ISO 639-1), in the config's order; the first
    /// also tags articles whose language is unknown.
    languages: Arc<[String]>,
    /// Model files the config names, by language, loaded at build.
    files: Arc<BTreeMap<String, Arc<Model>>>,
}

impl Models {
    /// The built-in models for `languages`, no files (for a language
    /// without a built-in model, no entities).
    pub(crate) fn builtin(languages: &[String]) -> Models {
        Models {
            languages: languages.into(),
            files: Arc::new(BTreeMap::new()),
        }
    }

    /// Validates `languages` and the model files (`model` for English,
    /// `models` by language) and loads the files; a problem names the key
    /// of component `cx`.
    pub(crate) fn configure(
        cx: &BuildContext,
        languages: &[String],
        model: Option<&PathBuf>,
        models: &BTreeMap<String, PathBuf>,
    ) -> Result<Models, ConfigProblem> {
        for code in languages.iter().chain(models.keys()) {
            if !ner::builtin::is_language_code(code) {
                return Err(cx.problem(
                    "entity_languages",
                    format!(
                        "`{code}` is not an ISO 639-1 code (two lower-case letters, as `en`, `de`)"
                    ),
                ));
            }
        }
        let mut paths: Vec<(String, String, &PathBuf)> = models
            .iter()
            .map(|(language, path)| (language.clone(), format!("models.{language}"), path))
            .collect();
        if let Some(path) = model {
            if models.contains_key("en") {
                return Err(cx.problem(
                    "model",
                    "`model` is the English model, and `models.en` names one too: keep one",
                ));
            }
            paths.push(("en".to_string(), "model".to_string(), path));
        }
        let mut files = BTreeMap::new();
        for (language, key, path) in paths {
            if !languages.contains(&language) {
                return Err(cx.problem(
                    &key,
                    format!(
                        "`{language}` is not in entity_languages, so this model would never run"
                    ),
                ));
            }
            let loaded = Model::load(path).map_err(|source| {
                cx.problem(
                    &key,
                    ExtractError::Model {
                        path: path.clone(),
                        source,
                    }
                    .to_string(),
                )
            })?;
            if loaded.language() != language {
                return Err(cx.problem(
                    &key,
                    format!(
                        "{} is a model for `{}`, not `{language}` (it was trained with \
                         `wirehose train ner --language {}`)",
                        path.display(),
                        loaded.language(),
                        loaded.language()
                    ),
                ));
            }
            files.insert(language, Arc::new(loaded));
        }
        if let Some(missing) = languages
            .iter()
            .find(|l| !files.contains_key(*l) && !ner::builtin::LANGUAGES.contains(&l.as_str()))
        {
            return Err(cx.problem(
                "entity_languages",
                format!(
                    "no built-in entity model for `{missing}` (built in: {}); train one with \
                     `wirehose train ner --language {missing}` and name it in models.{missing}",
                    ner::builtin::LANGUAGES.join(", ")
                ),
            ));
        }
        Ok(Models {
            languages: languages.into(),
            files: Arc::new(files),
        })
    }

    /// The model for an article in `language`; an unknown language is
    /// tagged as the first configured one. `None` when the language is not
    /// tagged.
    pub(crate) fn for_language(&self, language: Option<&str>) -> Option<Arc<Model>> {
        let language = match language {
            Some(language) => self.languages.iter().find(|l| *l == language)?,
            None => self.languages.first()?,
        };
        if let Some(file) = self.files.get(language) {
            return Some(file.clone());
        }
        if ner::builtin::loaded(language) {
            return ner::builtin::model(language);
        }
        let started = std::time::Instant::now();
        let model = ner::builtin::model(language);
        tracing::info!(
            language = language.as_str(),
            millis = started.elapsed().as_millis() as u64,
            "built-in entity model loaded"
        );
        model
    }
}

/// The languages with a built-in model: every article in one of them is
/// tagged by default.
pub(crate) fn default_languages() -> Vec<String> {
    ner::builtin::LANGUAGES
        .iter()
        .map(|l| l.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> BuildContext {
        BuildContext {
            key: "transforms.extract".into(),
            id: "extract".into(),
            state_dir: "/nonexistent".into(),
        }
    }

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn each_language_gets_its_own_model_and_unknown_gets_the_first() {
        let models =
            Models::configure(&cx(), &codes(&["de", "en"]), None, &BTreeMap::new()).unwrap();
        let german = models.for_language(Some("de")).unwrap();
        assert!(Arc::ptr_eq(&german, &ner::builtin::model("de").unwrap()));
        assert!(Arc::ptr_eq(&models.for_language(None).unwrap(), &german));
        assert!(models.for_language(Some("es")).is_none());
        assert!(models.for_language(Some("it")).is_none());
    }

    #[test]
    fn bad_settings_name_their_key() {
        let problem = |languages: &[&str], model: Option<&str>, files: &[(&str, &str)]| {
            let files: BTreeMap<String, PathBuf> = files
                .iter()
                .map(|(l, p)| (l.to_string(), PathBuf::from(p)))
                .collect();
            let model = model.map(PathBuf::from);
            Models::configure(&cx(), &codes(languages), model.as_ref(), &files)
                .err()
                .unwrap()
        };
        let bad_code = problem(&["english"], None, &[]);
        assert_eq!(bad_code.key.as_deref(), Some("entity_languages"));
        let no_model = problem(&["en", "it"], None, &[]);
        assert_eq!(no_model.key.as_deref(), Some("entity_languages"));
        assert!(
            no_model.message.contains("models.it"),
            "{}",
            no_model.message
        );
        let unused = problem(&["en"], None, &[("de", "/nonexistent/de.bin")]);
        assert_eq!(unused.key.as_deref(), Some("models.de"));
        let missing = problem(&["en", "de"], None, &[("de", "/nonexistent/de.bin")]);
        assert_eq!(missing.key.as_deref(), Some("models.de"));
        assert!(
            missing.message.contains("/nonexistent/de.bin"),
            "{}",
            missing.message
        );
        let twice = problem(&["en"], Some("/a.bin"), &[("en", "/b.bin")]);
        assert_eq!(twice.key.as_deref(), Some("model"));
    }

    #[test]
    fn a_model_file_serves_the_language_it_was_trained_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("de.bin");
        std::fs::write(&path, ner::builtin::model("de").unwrap().to_bytes()).unwrap();
        let files = BTreeMap::from([("de".to_string(), path.clone())]);
        let languages = codes(&["en", "de"]);
        let models = Models::configure(&cx(), &languages, None, &files).unwrap();
        assert_eq!(models.for_language(Some("de")).unwrap().language(), "de");
        let wrong = BTreeMap::from([("es".to_string(), path)]);
        let problem = Models::configure(&cx(), &codes(&["en", "es"]), None, &wrong)
            .err()
            .unwrap();
        assert_eq!(problem.key.as_deref(), Some("models.es"));
        assert!(
            problem.message.contains("a model for `de`"),
            "{}",
            problem.message
        );
    }
}
