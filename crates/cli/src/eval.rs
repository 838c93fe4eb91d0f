//! `wirehose train …` and `wirehose eval …`: arguments and output around the
//! tagger's training code (`wirehose-ner`) and the scoring code
//! (`wirehose-eval`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use wirehose_ner::{self as ner, conll};

use anyhow::{Context, Result};
use clap::Subcommand;

/// What `wirehose train` can train.
#[derive(Debug, Subcommand)]
pub enum Train {
    /// Train the named-entity tagger on a CoNLL-2003 file.
    Ner {
        /// Training data: CoNLL-2003 columns (TOKEN POS CHUNK NER), IOB1 or
        /// IOB2 tags. Repeat to train on several files, in the order given.
        #[arg(long, required = true)]
        data: Vec<PathBuf>,
        /// Development data for choosing the number of epochs.
        #[arg(long)]
        dev: Option<PathBuf>,
        /// The language (ISO 639-1) the model is for: it names the default
        /// output file and sets the default table size.
        #[arg(long, default_value = "en")]
        language: String,
        /// Where to write the model. Default: the built-in model of the
        /// language, `crates/ner/models/ner-LANGUAGE.bin`.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Most passes over the training data; the pass with the best
        /// development F1 is kept.
        #[arg(long, default_value_t = 12)]
        epochs: usize,
        /// Weight table rows as a power of two (20: about 10.5 MB a stage,
        /// one byte per weight and one per row; each step down halves it).
        /// Default 20 for English, 18 for the other languages (their
        /// training sets are smaller).
        #[arg(long)]
        bits: Option<u32>,
        /// One training document in N is added again in capitals (for
        /// headlines and all-capitals wire copy); 0 adds none.
        #[arg(long, default_value_t = 10)]
        case_variants: usize,
    },
    /// Compile the place gazetteer from a GeoNames dump directory.
    Gazetteer {
        /// Directory with cities15000.txt, countryInfo.txt, admin1CodesASCII.txt.
        #[arg(long)]
        geonames: PathBuf,
        /// Where to write the table.
        #[arg(long, default_value = "crates/ner/models/places.tsv")]
        out: PathBuf,
    },
    /// Build the language detector's word tables from token-per-line corpora.
    Words {
        /// LANG=FILE: a token-per-line file of that language (CoNLL columns,
        /// the token first); repeat for more files and languages.
        #[arg(long = "data", value_name = "LANG=FILE", required = true)]
        data: Vec<String>,
        /// Words kept per language.
        #[arg(long, default_value_t = 3000)]
        top: usize,
        /// Folder the tables are written to, one words-LANG.tsv each.
        #[arg(long, default_value = "crates/extract/data/language")]
        out: PathBuf,
    },
}

/// What `wirehose eval` can score.
#[derive(Debug, Subcommand)]
pub enum Eval {
    /// Score the named-entity tagger on a CoNLL-2003 file the conlleval way.
    Ner {
        /// Gold data: CoNLL-2003 columns, the NER tag last.
        #[arg(long)]
        data: PathBuf,
        /// Model file. Default: the model built into the binary for
        /// `--language`.
        #[arg(long)]
        model: Option<PathBuf>,
        /// The built-in model to score (ISO 639-1: en, es, nl, de, fr, fi,
        /// ru), when no `--model` is given.
        #[arg(long, default_value = "en")]
        language: String,
        /// Write every input line with the predicted tag appended as a fifth
        /// column, in IOB2 (B- opens every entity, I- continues it); blank and
        /// -DOCSTART- lines are kept as they are.
        #[arg(long)]
        predictions: Option<PathBuf>,
    },
    /// Score direct-quote detection and speakers on a PolNeAR split directory.
    Quotes {
        /// The split: DIR/text/*.txt and DIR/attributions/*.ann.
        #[arg(long)]
        data: PathBuf,
    },
    /// Score normalize + extract on real copy: a folder of NAME.txt files with
    /// a truth.jsonl (title, dateline, agency, published, language, …).
    Copy {
        /// The folder, e.g. ../shared/data/realcopy/reuters-flow.
        #[arg(long)]
        data: PathBuf,
        /// The truth: a JSON-lines file, or a metadata table (.tsv with
        /// `filename` and `title` columns, as PolNeAR's metadata.tsv);
        /// default DATA/truth.jsonl.
        #[arg(long)]
        truth: Option<PathBuf>,
        /// List up to N files each field got wrong, with truth and record.
        #[arg(long, default_value_t = 0, value_name = "N")]
        misses: usize,
    },
    /// Score web pages: main text (4-gram shingle P/R/F1), title, published
    /// date and author recall against a folder with truth.jsonl, and speed.
    Html {
        /// The folder of pages (NAME.html or NAME.html.gz) and truth.jsonl,
        /// e.g. ../shared/data/html.
        #[arg(long)]
        data: PathBuf,
        /// List up to N pages each field got wrong, with truth and record.
        #[arg(long, default_value_t = 0, value_name = "N")]
        misses: usize,
    },
    /// Score story clustering (B-cubed) on a Multi-News clusters file.
    Stories {
        /// One JSON object per line with `documents` (texts of one story).
        #[arg(long)]
        data: PathBuf,
        /// Seed of the shuffle that sets the order the documents arrive in.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn default_extract_config() -> Result<wirehose_extract::ExtractConfig> {
    Ok(serde_json::from_str("{}")?)
}

/// Runs `wirehose train …`.
pub fn train(which: Train) -> Result<()> {
    match which {
        Train::Ner {
            data,
            dev,
            language,
            out,
            epochs,
            bits,
            case_variants,
        } => {
            if !ner::builtin::is_language_code(&language) {
                anyhow::bail!("--language {language:?}: expected an ISO 639-1 code such as `de`");
            }
            let out = out.unwrap_or_else(|| {
                Path::new("crates/ner/models").join(ner::builtin::file_name(&language))
            });
            let bits = bits.unwrap_or(if language == "en" { 20 } else { 18 });
            let settings = ner::train::Settings {
                language,
                bits,
                epochs,
                case_variants,
                ..Default::default()
            };
            train_ner(&data, dev.as_deref(), &out, &settings)?
        }
        Train::Words { data, top, out } => train_words(&data, top, &out)?,
        Train::Gazetteer { geonames, out } => {
            let table = wirehose_ner::geo::compile(&geonames)?;
            std::fs::write(&out, &table)
                .with_context(|| format!("cannot write {}", out.display()))?;
            let places = wirehose_ner::geo::Gazetteer::parse(&table)?.len();
            writeln!(
                std::io::stdout(),
                "wrote {} places to {}",
                places,
                out.display()
            )?;
        }
    }
    Ok(())
}

/// Runs `wirehose train words`: reads each LANG=FILE and writes one table
/// per language.
fn train_words(data: &[String], top: usize, out: &std::path::Path) -> Result<()> {
    let mut sources = Vec::new();
    for item in data {
        let (code, path) = item
            .split_once('=')
            .with_context(|| format!("--data {item:?}: expected LANG=FILE"))?;
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
        sources.push((code.to_string(), text));
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (code, table) in wirehose_extract::language::words::compile(&sources, top) {
        let path = out.join(format!("words-{code}.tsv"));
        std::fs::write(&path, table).with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(std::io::stdout(), "wrote {}", path.display())?;
    }
    Ok(())
}

/// Runs `wirehose eval …`.
pub fn eval(which: Eval) -> Result<()> {
    match which {
        Eval::Ner {
            data,
            model,
            language,
            predictions,
        } => {
            let choice = match &model {
                Some(path) => wirehose_eval::ner::Choice::File(path),
                None => wirehose_eval::ner::Choice::Builtin(&language),
            };
            let report = wirehose_eval::ner::evaluate(&data, choice, predictions.as_deref())
                .with_context(|| format!("evaluating the tagger on {}", data.display()))?;
            write!(std::io::stdout(), "{report}")?;
            if let Some(path) = predictions {
                writeln!(
                    std::io::stdout(),
                    "predictions (IOB2, fifth column) in {}",
                    path.display()
                )?;
            }
        }
        Eval::Quotes { data } => {
            let scores = wirehose_eval::quotes::evaluate(&data, &default_extract_config()?)
                .with_context(|| format!("evaluating quotes on {}", data.display()))?;
            writeln!(std::io::stdout(), "{scores}")?;
        }
        Eval::Copy {
            data,
            truth,
            misses,
        } => {
            let normalize: wirehose_normalize::NormalizeConfig = toml::from_str("")?;
            let scores = wirehose_eval::copy::evaluate(
                &data,
                truth.as_deref(),
                &normalize,
                &default_extract_config()?,
                misses,
            )
            .with_context(|| format!("evaluating real copy in {}", data.display()))?;
            write!(std::io::stdout(), "{scores}")?;
        }
        Eval::Html { data, misses } => {
            let normalize: wirehose_normalize::NormalizeConfig = toml::from_str("")?;
            let scores = wirehose_eval::html::evaluate(&data, &normalize, misses)
                .with_context(|| format!("evaluating web pages in {}", data.display()))?;
            write!(std::io::stdout(), "{scores}")?;
        }
        Eval::Stories { data, seed } => {
            let scores = wirehose_eval::stories::evaluate(
                &data,
                seed,
                &default_extract_config()?,
                &wirehose_stories::StoryConfig::default(),
            )
            .with_context(|| format!("evaluating stories on {}", data.display()))?;
            writeln!(std::io::stdout(), "{scores}")?;
        }
    }
    Ok(())
}

fn train_ner(
    data: &[PathBuf],
    dev: Option<&Path>,
    out: &Path,
    settings: &ner::train::Settings,
) -> Result<()> {
    let mut train = Vec::new();
    for path in data {
        train.extend(conll::read(path)?);
    }
    let dev = match dev {
        Some(dev) => conll::read(dev)?,
        None => Vec::new(),
    };
    let tokens: usize = train
        .iter()
        .flat_map(|d| &d.sentences)
        .map(|s| s.tokens.len())
        .sum();
    writeln!(
        std::io::stdout(),
        "training on {} documents, {tokens} tokens; development: {} documents",
        train.len(),
        dev.len()
    )?;
    let started = Instant::now();
    let model = ner::train::train(&train, &dev, settings, |epoch| {
        writeln!(
            std::io::stdout(),
            "stage {} epoch {:2}: train error {:.4}, dev F1 {:.4} ({:.1} s)",
            epoch.stage,
            epoch.epoch,
            epoch.train_error,
            epoch.dev_f1,
            epoch.seconds
        )
        // Progress only: a closed stdout must not stop the training.
        .ok();
    });
    let bytes = model.to_bytes();
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    writeln!(
        std::io::stdout(),
        "wrote {} ({:.1} MB) in {:.0} s",
        out.display(),
        bytes.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    )?;
    Ok(())
}
