//! End-to-end tests: the real `wirehose` binary on real temporary directories.

mod synth;
mod util;

mod bad_input;
mod config;
mod crash;
mod flow;
mod golden;
mod harden;
mod harden_source;
mod html;
mod languages;
mod ops;
mod outage;
mod plugins;
mod scale;
mod store;
