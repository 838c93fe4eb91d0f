//! Arbitrary text as a config file: `Config::parse` with every stage type
//! registered, then the build (`wirehose validate`'s path). Errors are
//! expected; a panic, an abort or a hang is a finding.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use wirehose_core::{Config, Registry, topology};

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let mut registry = Registry::new();
    wirehose_source::register(&mut registry);
    wirehose_normalize::register(&mut registry);
    wirehose_extract::register(&mut registry);
    wirehose_stories::register(&mut registry);
    wirehose_sink::register(&mut registry);
    registry
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = Config::parse(text, &REGISTRY) {
        let _ = topology::build(&config);
        let _ = config.describe();
    }
});
