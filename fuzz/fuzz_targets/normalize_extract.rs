//! Arbitrary bytes as an article file: normalize, then extract, then the
//! record as JSON, as the daemon does. Any panic is a finding (the runner
//! would quarantine the article as "a bug in wirehose").

#![no_main]

use std::sync::{LazyLock, Mutex};

use libfuzzer_sys::fuzz_target;
use wirehose_core::{Record, SourceInfo, Transform};
use wirehose_extract::{Extract, ExtractConfig};
use wirehose_normalize::{Normalize, NormalizeConfig};

struct Stages {
    normalize: Normalize,
    extract: Extract,
}

/// Built once: the extract stage loads its tagger model.
static STAGES: LazyLock<Mutex<Stages>> = LazyLock::new(|| {
    let normalize: NormalizeConfig = serde_json::from_str("{}").expect("default normalize config");
    let extract: ExtractConfig = serde_json::from_str("{}").expect("default extract config");
    Mutex::new(Stages {
        normalize: Normalize::new(&normalize).expect("default normalize builds"),
        extract: Extract::new(&extract),
    })
});

fuzz_target!(|data: &[u8]| {
    let mut stages = STAGES.lock().unwrap_or_else(|e| e.into_inner());
    let source = SourceInfo {
        path: "fuzz.txt".into(),
        bytes: data.len() as u64,
        received_at: "2019-03-01T12:00:00.000Z".into(),
    };
    let mut normalized = Vec::new();
    if stages
        .normalize
        .process(Record::from_raw(data.to_vec(), source), &mut normalized)
        .is_err()
    {
        return;
    }
    for record in normalized {
        let mut extracted = Vec::new();
        if stages.extract.process(record, &mut extracted).is_ok() {
            for record in extracted {
                serde_json::to_vec(&record).expect("a record encodes as JSON");
            }
        }
    }
});
