//! `wirehose`: the ingestion daemon's command line.
//!
//! # Layout
//!
//! | crate | role |
//! |---|---|
//! | `wirehose-core` | record, acks, config, registry, topology, ledger, quarantine |
//! | `wirehose-source` | sources: `directory`, `nats` |
//! | `wirehose-normalize` | transform `normalize`: decode, clean, strip boilerplate |
//! | `wirehose-extract` | transform `extract` (dateline, agencies, language, entities, quotes, dates, amounts) and each of its steps as a transform of its own |
//! | `wirehose-stories` | transform `stories`: near-duplicates, stories, keywords |
//! | `wirehose-plugins` | transforms `exec`, `filter`, `route`, `remap` |
//! | `wirehose-sink` | sinks: `jsonl`, `sqlite`, `postgres`, `nats`, `stdout` |
//!
//! This binary is glue: it parses arguments, sets up logging, loads the
//! config with every stage type registered, runs the topology with a shutdown
//! token cancelled on SIGINT/SIGTERM, and maps the outcome to an exit code:
//! 0 ok (and on a closed standard output), 1 bad config, 2 runtime failure,
//! 3 a backfill (`run --once`) interrupted by a signal, 130 a second signal.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod daemon;
mod eval;
mod logging;
mod top;

use logging::note;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use wirehose_core::{Ack, Config, CoreError, Record, Registry, SourceInfo, Transform, topology};

/// jemalloc rather than glibc's malloc, as Vector and TiKV run: the
/// pipeline makes many small, short-lived allocations on several worker
/// threads, which jemalloc serves faster (BBC backfill about a fifth more
/// articles a second) and returns to the system instead of leaving them in
/// per-thread arenas. Its settings are in [`MALLOC_CONF`].
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before `main`: a background thread hands freed
/// pages back to the system after a second (`dirty_decay_ms`) rather than
/// ten, at once past that (`muzzy_decay_ms`), and one arena rather than four
/// per core (the threads' caches keep it fast; more arenas only kept more
/// memory: 100,000 articles through the live daemon peaked at 109 MiB with
/// these, 118 MiB with two arenas, 120 MiB with jemalloc's defaults, 105 to
/// 107 MiB with glibc's malloc). The environment variable
/// `_RJEM_MALLOC_CONF` overrides them.
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: MallocConf =
    MallocConf(c"background_thread:true,narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0".as_ptr());

/// A C string pointer jemalloc reads as its `malloc_conf` global.
#[repr(transparent)]
struct MallocConf(*const std::ffi::c_char);

// SAFETY: the pointer is to a static, immutable C string.
unsafe impl Sync for MallocConf {}

#[derive(Debug, Parser)]
#[command(
    name = "wirehose",
    version,
    about = "Streams news articles from a watched directory through normalize and extract stages into sinks"
)]
struct Cli {
    /// Log format: `auto` is human-readable on a terminal, JSON lines otherwise.
    #[arg(long, value_enum, default_value_t = LogFormat::Auto, global = true)]
    log_format: LogFormat,
    /// Log filter (`info`, `debug`, `wirehose_source=debug`); overrides RUST_LOG.
    #[arg(long, global = true)]
    log_level: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Auto,
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon (or, with --once, a backfill of what is there now).
    Run {
        /// Config file.
        #[arg(
            long,
            short,
            env = "WIREHOSE_CONFIG",
            default_value = "config/wirehose.toml"
        )]
        config: PathBuf,
        /// Process what is there now, then exit.
        #[arg(long)]
        once: bool,
        /// Never show a progress bar, even on a terminal.
        #[arg(long)]
        no_progress: bool,
        /// Reload the config when its file changes (as SIGHUP does).
        #[arg(long)]
        watch_config: bool,
    },
    /// Check a config and print the stage graph.
    Validate {
        /// Config file.
        #[arg(
            long,
            short,
            env = "WIREHOSE_CONFIG",
            default_value = "config/wirehose.toml"
        )]
        config: PathBuf,
    },
    /// Print the records leaving a component of a running daemon (its
    /// `[api]` must be on), sampled when they pass faster than they print.
    Tap {
        /// The transform to watch (its id).
        component: String,
        /// The daemon's API address.
        #[arg(long, default_value = "127.0.0.1:8686", env = "WIREHOSE_API")]
        api: String,
        /// Stop after this many records.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// `json`: one record per line; `pretty`: indented.
        #[arg(long, value_parser = ["json", "pretty"], default_value = "json")]
        format: String,
    },
    /// Run the config's `[[tests]]`: feed each article through its
    /// transforms and check the record a component emits (exit 4 on a
    /// failure).
    Test {
        /// Config file.
        #[arg(
            long,
            short,
            env = "WIREHOSE_CONFIG",
            default_value = "config/wirehose.toml"
        )]
        config: PathBuf,
    },
    /// A live view of a running daemon (its `[api]` must be on): each
    /// component's events/s, errors, buffer fill and latency.
    Top {
        /// The daemon's API address.
        #[arg(long, default_value = "127.0.0.1:8686", env = "WIREHOSE_API")]
        api: String,
    },
    /// List every stage type this build has, with a one-line description.
    List {
        /// One JSON object per type (`kind`, `type`, `description`).
        #[arg(long)]
        json: bool,
    },
    /// Normalize and extract one file and print its record as pretty JSON.
    Inspect {
        /// The article file.
        file: PathBuf,
    },
    /// Search the SQLite store: ranked hits with title, date, path and snippet.
    Search {
        /// Words to find (all of them); empty string: every article.
        query: String,
        /// Database file. Default: the sqlite sink of the config.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Config whose sqlite sink gives the default --db.
        #[arg(
            long,
            short,
            env = "WIREHOSE_CONFIG",
            default_value = "config/wirehose.toml"
        )]
        config: PathBuf,
        /// Only articles mentioning this entity (canonical name, any case).
        #[arg(long)]
        entity: Option<String>,
        /// Entity type for --entity: PER, ORG, LOC or MISC.
        #[arg(long = "type", value_parser = ["PER", "ORG", "LOC", "MISC"])]
        kind: Option<String>,
        /// Only articles published (or received) on or after this date, YYYY-MM-DD.
        #[arg(long)]
        since: Option<String>,
        /// Only articles of this story id.
        #[arg(long)]
        story: Option<String>,
        /// Most hits.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Pass the query to SQLite FTS5 as-is (phrases, OR, NEAR, prefix*).
        #[arg(long)]
        fts: bool,
        /// One JSON object per hit.
        #[arg(long)]
        json: bool,
    },
    /// Train a model of the extract stage.
    #[command(subcommand)]
    Train(eval::Train),
    /// Score the extract stage on a public data set and print the figures.
    #[command(subcommand)]
    Eval(eval::Eval),
    /// The most mentioned canonical entities, with counts.
    Entities {
        /// Database file. Default: the sqlite sink of the config.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Config whose sqlite sink gives the default --db.
        #[arg(
            long,
            short,
            env = "WIREHOSE_CONFIG",
            default_value = "config/wirehose.toml"
        )]
        config: PathBuf,
        /// Only this type: PER, ORG, LOC or MISC.
        #[arg(long = "type", value_parser = ["PER", "ORG", "LOC", "MISC"])]
        kind: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// One JSON object per entity.
        #[arg(long)]
        json: bool,
    },
}

fn registry() -> Registry {
    let mut registry = Registry::new();
    wirehose_source::register(&mut registry);
    wirehose_normalize::register(&mut registry);
    wirehose_extract::register(&mut registry);
    wirehose_stories::register(&mut registry);
    wirehose_plugins::register(&mut registry);
    wirehose_sink::register(&mut registry);
    registry
}

/// Exit code of a backfill (`run --once`) stopped by a signal before it took
/// everything: a script can tell it from a finished one (0).
pub(crate) const EXIT_INTERRUPTED: u8 = 3;

/// Exit code for an error: 1 for configuration problems, 2 otherwise.
fn exit_code(err: &anyhow::Error) -> u8 {
    let config_error = err.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<CoreError>(),
            Some(CoreError::Config(_) | CoreError::ConfigRead { .. })
        ) || cause
            .downcast_ref::<wirehose_core::ConfigProblems>()
            .is_some()
    });
    if config_error { 1 } else { 2 }
}

/// Caps glibc's malloc arenas before any thread starts: Rust's allocations
/// go to jemalloc ([`ALLOCATOR`]), but SQLite and the other C code still
/// allocate through glibc's malloc. By default glibc
/// gives each thread that allocates under contention its own arena (up to
/// 8 per core), and freed memory stays in them: with the transforms' worker
/// threads parsing pages of a few hundred kilobytes, the 707-page HTML
/// backfill peaked at 181 MiB with the default and 151 MiB with two arenas,
/// no slower (measured when glibc served every allocation). `MALLOC_ARENA_MAX` in the environment still wins.
fn cap_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator tunable; called before any
        // other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

fn main() -> ExitCode {
    cap_malloc_arenas();
    let cli = Cli::parse();
    let progress = matches!(
        &cli.command,
        Command::Run {
            once: true,
            no_progress: false,
            ..
        }
    ) && std::io::stderr().is_terminal();
    logging::init(
        cli.log_format,
        cli.log_level.as_deref(),
        progress && cli.log_level.is_none() && std::env::var_os("RUST_LOG").is_none(),
    );
    let result = dispatch(cli.command, progress);
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            note(format_args!("error: {err:#}"));
            if let Some(hint) = ledger_hint(&err) {
                note(format_args!("hint: {hint}"));
            }
            ExitCode::from(exit_code(&err))
        }
    }
}

/// Returns whether `err` comes from writing to a closed pipe (`… | head`):
/// not a failure, the reader has what it wanted.
fn broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Returns how to recover when `err` says the ledger database is damaged.
fn ledger_hint(err: &anyhow::Error) -> Option<String> {
    let path = err
        .chain()
        .find_map(|cause| match cause.downcast_ref::<CoreError>() {
            Some(CoreError::Ledger { path, .. }) => Some(path.clone()),
            _ => None,
        })?;
    let damaged = err.chain().any(|cause| {
        let text = cause.to_string();
        text.contains("not a database") || text.contains("malformed") || text.contains("corrupt")
    });
    damaged.then(|| {
        format!(
            "the ledger {path} is damaged: stop wirehose, move it aside with its -wal and -shm files \
             (mv {path} {path}.damaged) and start again; every input is then taken again, and the sinks \
             skip what they already hold (jsonl by the ids in its file, sqlite and postgres by upsert)",
            path = path.display()
        )
    })
}

/// Runs `command`; returns the exit code of a success.
fn dispatch(command: Command, progress: bool) -> Result<u8> {
    let done = match command {
        Command::Run {
            config,
            once,
            watch_config,
            ..
        } => return daemon::run(&config, once, progress, watch_config),
        Command::Validate { config } => validate(&config),
        Command::List { json } => list(json),
        Command::Top { api } => top::top(&api),
        Command::Test { config } => return config_tests(&config),
        Command::Tap {
            component,
            api,
            limit,
            format,
        } => tap(&component, &api, limit, format == "pretty"),
        Command::Inspect { file } => inspect(&file),
        Command::Search {
            query,
            db,
            config,
            entity,
            kind,
            since,
            story,
            limit,
            fts,
            json,
        } => search(
            db,
            &config,
            &wirehose_sink::sqlite::SearchQuery {
                text: query,
                raw: fts,
                entity,
                kind,
                since,
                story,
                limit,
            },
            json,
        ),
        Command::Entities {
            db,
            config,
            kind,
            top,
            json,
        } => entities(db, &config, kind.as_deref(), top, json),
        Command::Train(train) => eval::train(train),
        Command::Eval(which) => eval::eval(which),
    };
    done.map(|()| 0)
}

pub(crate) fn load(path: &Path) -> Result<Config> {
    let config =
        Config::load(path, &registry()).with_context(|| format!("config {}", path.display()))?;
    topology::build(&config).with_context(|| format!("config {}", path.display()))?;
    Ok(config)
}

fn validate(path: &Path) -> Result<()> {
    let config = load(path)?;
    writeln!(
        std::io::stdout().lock(),
        "config {} is valid\n{}",
        path.display(),
        config.describe()
    )?;
    Ok(())
}

/// Exit code of `wirehose test` when a test failed.
const EXIT_TEST_FAILED: u8 = 4;

/// `wirehose test`: runs the config's `[[tests]]` and prints each result.
fn config_tests(path: &Path) -> Result<u8> {
    let config = load(path)?;
    let outcomes = wirehose_core::testing::run_tests(&config, path)
        .with_context(|| format!("tests of {}", path.display()))?;
    let mut out = std::io::stdout().lock();
    let mut failed = 0;
    for outcome in &outcomes {
        if outcome.failures.is_empty() {
            writeln!(out, "test {} ... ok", outcome.name)?;
        } else {
            failed += 1;
            writeln!(out, "test {} ... FAILED", outcome.name)?;
            for failure in &outcome.failures {
                writeln!(out, "    {failure}")?;
            }
        }
    }
    if outcomes.is_empty() {
        writeln!(out, "no [[tests]] in {}", path.display())?;
    }
    writeln!(out, "{} passed, {failed} failed", outcomes.len() - failed)?;
    Ok(if failed > 0 { EXIT_TEST_FAILED } else { 0 })
}

/// Prints the catalogue of registered stage types, by kind.
fn list(json: bool) -> Result<()> {
    let registry = registry();
    let mut out = std::io::stdout().lock();
    for kind in ["sources", "transforms", "sinks"] {
        let catalogue = registry.catalogue(kind);
        if json {
            for (name, description) in catalogue {
                let line = serde_json::json!({
                    "kind": kind.trim_end_matches('s'),
                    "type": name,
                    "description": description,
                });
                writeln!(out, "{line}")?;
            }
            continue;
        }
        writeln!(out, "{kind}:")?;
        let width = catalogue
            .iter()
            .map(|(name, _)| name.len())
            .max()
            .unwrap_or(0);
        for (name, description) in catalogue {
            writeln!(out, "  {name:<width$}  {description}")?;
        }
    }
    Ok(())
}

fn inspect(file: &Path) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let source = SourceInfo {
        path: file.to_path_buf(),
        bytes: bytes.len() as u64,
        received_at: wirehose_core::now_rfc3339(),
    };
    let normalize_config: wirehose_normalize::NormalizeConfig = serde_json::from_str("{}")?;
    let extract_config: wirehose_extract::ExtractConfig = serde_json::from_str("{}")?;
    let mut normalize = wirehose_normalize::Normalize::new(&normalize_config)
        .map_err(|(key, message)| anyhow::anyhow!("normalize: {key}: {message}"))?;
    let mut extract = wirehose_extract::Extract::new(&extract_config);
    let mut normalized = Vec::new();
    normalize
        .process(Record::from_raw(bytes, source), &mut normalized)
        .with_context(|| format!("{} would be quarantined by normalize", file.display()))?;
    let mut records = Vec::new();
    for record in normalized {
        extract
            .process(record, &mut records)
            .with_context(|| format!("{} would be quarantined by extract", file.display()))?;
    }
    let _ = Ack::untracked;
    let mut out = std::io::stdout().lock();
    for record in records {
        writeln!(out, "{}", serde_json::to_string_pretty(&record)?)?;
    }
    Ok(())
}

/// Returns `db`, or the path of the first sqlite sink of the config at `config`.
fn database(db: Option<PathBuf>, config: &Path) -> Result<PathBuf> {
    if let Some(db) = db {
        return Ok(db);
    }
    let text = std::fs::read_to_string(config).with_context(|| {
        format!(
            "cannot read config {} to find the sqlite sink (or pass --db)",
            config.display()
        )
    })?;
    let expanded = wirehose_core::config::expand_env(&text, |name| std::env::var(name).ok())
        .map_err(wirehose_core::ConfigProblems)
        .with_context(|| format!("config {}", config.display()))?;
    let value: toml::Table =
        toml::from_str(&expanded).with_context(|| format!("config {}", config.display()))?;
    let sinks = value.get("sinks").and_then(|s| s.as_table());
    let path = sinks
        .into_iter()
        .flat_map(|sinks| sinks.values())
        .filter(|sink| sink.get("type").and_then(|t| t.as_str()) == Some("sqlite"))
        .find_map(|sink| sink.get("path").and_then(|p| p.as_str()));
    match path {
        Some(path) => Ok(PathBuf::from(path)),
        None => anyhow::bail!("config {} has no sqlite sink; pass --db", config.display()),
    }
}

fn search(
    db: Option<PathBuf>,
    config: &Path,
    query: &wirehose_sink::sqlite::SearchQuery,
    json: bool,
) -> Result<()> {
    let db = database(db, config)?;
    let hits = wirehose_sink::sqlite::search(&db, query)
        .with_context(|| format!("search in {}", db.display()))?;
    let mut out = std::io::stdout().lock();
    for (rank, hit) in hits.iter().enumerate() {
        if json {
            writeln!(out, "{}", serde_json::to_string(hit)?)?;
        } else {
            let date = hit
                .published
                .clone()
                .unwrap_or_else(|| hit.received_at.chars().take(10).collect());
            writeln!(
                out,
                "{:>2}. {}  ({date})\n    {}\n    {}\n",
                rank + 1,
                hit.title.as_deref().unwrap_or("(no title)"),
                hit.path,
                hit.snippet.replace('\n', " ")
            )?;
        }
    }
    if hits.is_empty() && !json {
        note(format_args!("no matches"));
    }
    Ok(())
}

fn entities(
    db: Option<PathBuf>,
    config: &Path,
    kind: Option<&str>,
    top: usize,
    json: bool,
) -> Result<()> {
    let db = database(db, config)?;
    let found = wirehose_sink::sqlite::top_entities(&db, kind, top)
        .with_context(|| format!("entities in {}", db.display()))?;
    let mut out = std::io::stdout().lock();
    if !json {
        writeln!(
            out,
            "{:>8} {:>8}  {:<4} name",
            "mentions", "articles", "type"
        )?;
    }
    for entity in found {
        if json {
            writeln!(out, "{}", serde_json::to_string(&entity)?)?;
        } else {
            writeln!(
                out,
                "{:>8} {:>8}  {:<4} {}",
                entity.mentions, entity.articles, entity.kind, entity.name
            )?;
        }
    }
    Ok(())
}

/// `wirehose tap`: prints the records leaving `component` of a running
/// daemon, from its API.
fn tap(component: &str, api: &str, limit: usize, pretty: bool) -> Result<()> {
    let url = format!("http://{api}/tap/{component}?limit={limit}");
    let response = ureq::get(&url)
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .with_context(|| format!("cannot reach the wirehose API at {api} (is [api] enabled = true in the daemon's config?)"))?;
    let status = response.status();
    let mut body = response.into_body();
    if !status.is_success() {
        let text = body.read_to_string().unwrap_or_default();
        let detail: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        anyhow::bail!(
            "{}{}",
            detail["error"].as_str().unwrap_or(&text),
            detail["components"]
                .as_array()
                .map(|c| format!(
                    " (transforms: {})",
                    c.iter()
                        .filter_map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .unwrap_or_default()
        );
    }
    let reader = std::io::BufReader::new(body.as_reader());
    let mut out = std::io::stdout().lock();
    for line in std::io::BufRead::lines(reader) {
        let line = line.context("the tap stream broke")?;
        if pretty {
            let value: serde_json::Value = serde_json::from_str(&line)?;
            writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        } else {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    }
    Ok(())
}
