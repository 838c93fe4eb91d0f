//! `wirehose train …` and `wirehose eval …`: glue around the extract crate's
//! training and scoring code.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

/// What `wirehose train` can train.
#[derive(Debug, Subcommand)]
pub enum Train {
    /// Train the named-entity tagger on a CoNLL-2003 file.
    Ner {
        /// Training data: CoNLL-2003 columns (TOKEN POS CHUNK NER), IOB1 or IOB2 tags.
        #[arg(long)]
        data: PathBuf,
        /// Development data for choosing the number of epochs.
        #[arg(long)]
        dev: Option<PathBuf>,
        /// Where to write the model.
        #[arg(long, default_value = "crates/extract/models/ner.bin")]
        out: PathBuf,
        /// Most passes over the training data.
        #[arg(long, default_value_t = 12)]
        epochs: usize,
    },
    /// Compile the place gazetteer from a GeoNames dump directory.
    Gazetteer {
        /// Directory with cities15000.txt, countryInfo.txt, admin1CodesASCII.txt.
        #[arg(long)]
        geonames: PathBuf,
        /// Where to write the table.
        #[arg(long, default_value = "crates/extract/models/places.tsv")]
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
        /// Model file. Default: the model built into the binary.
        #[arg(long)]
        model: Option<PathBuf>,
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
        Train::Ner { .. } => anyhow::bail!("NER training is not written yet"),
        Train::Gazetteer { geonames, out } => {
            let table = wirehose_extract::geo::compile(&geonames)?;
            std::fs::write(&out, &table)
                .with_context(|| format!("cannot write {}", out.display()))?;
            let places = wirehose_extract::geo::Gazetteer::parse(&table)?.len();
            println!("wrote {} places to {}", places, out.display());
        }
    }
    Ok(())
}

/// Runs `wirehose eval …`.
pub fn eval(which: Eval) -> Result<()> {
    match which {
        Eval::Ner { .. } => anyhow::bail!("NER evaluation is not written yet"),
        Eval::Quotes { data } => {
            let scores =
                wirehose_extract::eval::quotes::evaluate(&data, &default_extract_config()?)
                    .with_context(|| format!("evaluating quotes on {}", data.display()))?;
            println!("{scores}");
        }
        Eval::Stories { data, seed } => {
            let scores =
                wirehose_extract::eval::stories::evaluate(&data, seed, &default_extract_config()?)
                    .with_context(|| format!("evaluating stories on {}", data.display()))?;
            println!("{scores}");
        }
    }
    Ok(())
}
