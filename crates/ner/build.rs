//! Lays out the shipped clusters and place-name tables as lookup tables
//! (`src/tables.rs`) the crate reads in place, so a start parses neither.

use std::path::PathBuf;

#[allow(dead_code)]
#[path = "src/tables.rs"]
mod tables;

fn main() {
    for path in [
        "build.rs",
        "src/tables.rs",
        "models/clusters.tsv",
        "models/places.tsv",
    ] {
        println!("cargo::rerun-if-changed={path}");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let clusters = std::fs::read_to_string("models/clusters.tsv").expect("models/clusters.tsv");
    let table = tables::build(&tables::cluster_entries(&clusters), 8);
    std::fs::write(out.join("clusters.table"), table).expect("write clusters.table");
    let places = std::fs::read_to_string("models/places.tsv").expect("models/places.tsv");
    let (names, max_words) = tables::place_names(&places)
        .unwrap_or_else(|(line, message)| panic!("models/places.tsv line {line}: {message}"));
    std::fs::write(out.join("place_names.table"), tables::build(&names, 4))
        .expect("write place_names.table");
    std::fs::write(out.join("place_max_words"), max_words.to_string())
        .expect("write place_max_words");
    let (records, countries) = tables::place_records(&places)
        .unwrap_or_else(|(line, message)| panic!("models/places.tsv line {line}: {message}"));
    std::fs::write(out.join("places.records"), records).expect("write places.records");
    std::fs::write(
        out.join("place_countries.table"),
        tables::build(&countries, 4),
    )
    .expect("write place_countries.table");
}
