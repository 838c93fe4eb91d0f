//! Phase one (build: validate, no I/O) and phase two (lock the state
//! directory, open the transforms) of starting a pipeline.

use std::fs::File;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use tracing::info;

use crate::config::Config;
use crate::error::{ConfigProblem, ConfigProblems, CoreError};
use crate::stage::{BuildContext, BuiltTransform, OpenContext, Sink, Source, Transform};
use crate::telemetry::Telemetry;

/// A built component: its id, type name and runtime object(s).
pub(super) struct Component<T> {
    pub(super) id: String,
    pub(super) type_name: String,
    pub(super) runtime: T,
}

/// The worker instances of one opened transform.
pub(super) type Workers = Vec<Box<dyn Transform>>;

pub(super) struct Built {
    pub(super) sources: Vec<Component<Box<dyn Source>>>,
    pub(super) transforms: Vec<Component<(usize, Box<dyn BuiltTransform>)>>,
    pub(super) sinks: Vec<Component<Box<dyn Sink>>>,
}

/// Builds the components of `config` whose key (`sinks.out`) is `wanted`;
/// see [`super::build`].
pub(super) fn build_components(
    config: &Config,
    wanted: impl Fn(&str) -> bool,
) -> Result<Built, CoreError> {
    let mut problems: Vec<ConfigProblem> = Vec::new();
    let cx = |kind: &str, id: &str| BuildContext {
        key: format!("{kind}.{id}"),
        id: id.to_string(),
        state_dir: config.state_dir.clone(),
    };
    let mut built = Built {
        sources: Vec::new(),
        transforms: Vec::new(),
        sinks: Vec::new(),
    };
    for spec in &config.sources {
        if !wanted(&format!("sources.{}", spec.id)) {
            continue;
        }
        match spec.config.build(&cx("sources", &spec.id)) {
            Ok(runtime) => built.sources.push(Component {
                id: spec.id.clone(),
                type_name: spec.type_name.clone(),
                runtime,
            }),
            Err(problem) => problems.push(problem),
        }
    }
    for spec in &config.transforms {
        if !wanted(&format!("transforms.{}", spec.id)) {
            continue;
        }
        match spec.config.build(&cx("transforms", &spec.id)) {
            Ok(runtime) => built.transforms.push(Component {
                id: spec.id.clone(),
                type_name: spec.type_name.clone(),
                runtime: (spec.workers, runtime),
            }),
            Err(problem) => problems.push(problem),
        }
    }
    for spec in &config.sinks {
        if !wanted(&format!("sinks.{}", spec.id)) {
            continue;
        }
        match spec.config.build(&cx("sinks", &spec.id)) {
            Ok(runtime) => built.sinks.push(Component {
                id: spec.id.clone(),
                type_name: spec.type_name.clone(),
                runtime,
            }),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(built)
    } else {
        Err(ConfigProblems(problems).into())
    }
}

/// Phase two: opens every transform (its stores, under the locked state
/// directory) and returns its worker instances.
pub(super) fn open_transforms(
    transforms: Vec<Component<(usize, Box<dyn BuiltTransform>)>>,
    config: &Config,
    telemetry: &Telemetry,
) -> Result<Vec<Component<Workers>>, CoreError> {
    transforms
        .into_iter()
        .map(|component| {
            let (workers, built) = component.runtime;
            let cx = OpenContext {
                key: format!("transforms.{}", component.id),
                id: component.id.clone(),
                state_dir: config.state_dir.clone(),
                workers,
                metrics: telemetry.component("transform", &component.id, &component.type_name),
            };
            let instances = built.open(&cx).map_err(|source| CoreError::Open {
                component: cx.key.clone(),
                source,
            })?;
            Ok(Component {
                id: component.id,
                type_name: component.type_name,
                runtime: instances,
            })
        })
        .collect()
}

/// Creates the state directory private to its owner (0700: the ledger and
/// the quarantine hold article paths and contents), tightening one that is
/// open to others, and takes its lock (`lock`, 0600).
pub(super) fn lock_state_dir(config: &Config) -> Result<File, CoreError> {
    let dir = &config.state_dir;
    let state_err = |source| CoreError::StateDir {
        path: dir.clone(),
        source,
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(state_err)?;
    let mode = std::fs::metadata(dir)
        .map_err(state_err)?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(state_err)?;
        info!(dir = %dir.display(), old_mode = format!("{:o}", mode & 0o777), "state directory made private to its owner (0700)");
    }
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(dir.join("lock"))
        .map_err(state_err)?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(CoreError::StateLocked { path: dir.clone() }),
        Err(std::fs::TryLockError::Error(source)) => Err(state_err(source)),
    }
}

/// Creates the ledger file `path` readable by its owner only (0600), or
/// makes an existing one so, before SQLite opens it (SQLite gives its `-wal`
/// and `-shm` files the database's mode).
pub(super) fn private_ledger_file(path: &Path) -> Result<(), CoreError> {
    let state_err = |source| CoreError::StateDir {
        path: path.to_path_buf(),
        source,
    };
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(state_err)?;
    let mode = file.metadata().map_err(state_err)?.permissions().mode();
    if mode & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(state_err)?;
    }
    Ok(())
}
