//! The daemon's HTTP API (`[api]`, off by default): what operators and their
//! monitoring read, never on the records' path.
//!
//! | route | answer |
//! |---|---|
//! | `GET /metrics` | Prometheus metrics (OpenMetrics text): per component `wirehose_component_received_events_total`, `…_sent_events_total`, `…_errors_total`, `…_discarded_events_total`, `wirehose_component_processing_seconds` (histogram), `wirehose_buffer_events`; for the daemon `wirehose_inputs_{discovered,done,quarantined,duplicates,skipped}_total`, `wirehose_ledger_commit_seconds`, `wirehose_sink_retries_total`, `wirehose_process_resident_memory_bytes` |
//! | `GET /health` | 200 `{"status":"ok"}` while running; 503 `{"status":"draining"}` once shutdown began |
//! | `GET /ready` | 200 once every source is watching and every sink has connected; else 503 with the components still waiting |
//! | `GET /components` | every component's counters as JSON (what `wirehose top` shows) |
//! | `POST /reload` | reloads the config as SIGHUP does: 200 `{"reloaded":true,"changes":"added: sinks.b; kept: …"}` once the new config is in place (unchanged components kept running), 400 with the problems when it did not (the running pipeline goes on), 404 when the daemon does not reload (a backfill) |
//! | `GET /tap/ID?limit=N` | the records leaving transform `ID`, one JSON object per line, as they pass (a slow reader skips records rather than slowing the pipeline); ends after `N` (default 100) |
//!
//! The server (axum on hyper) answers only `GET`, reads no request body and
//! serves at most [`MAX_CONCURRENT`] requests at once.
//!
//! ```no_run
//! # async fn example() -> Result<(), wirehose_api::ApiError> {
//! use std::sync::Arc;
//! let telemetry = Arc::new(wirehose_core::telemetry::Telemetry::default());
//! let listener = wirehose_api::bind("127.0.0.1:8686".parse().unwrap()).await?;
//! let stop = tokio_util::sync::CancellationToken::new();
//! tokio::spawn(wirehose_api::serve(listener, telemetry, None, stop.clone()));
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use wirehose_core::telemetry::Telemetry;

/// Most requests served at once; more wait their turn.
pub const MAX_CONCURRENT: usize = 32;

/// Records a tap prints when the request names no `limit`.
const DEFAULT_TAP_LIMIT: usize = 100;

/// What can go wrong starting the API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The address could not be bound.
    #[error("api: cannot listen on {address}: {source}")]
    Bind {
        /// The configured address.
        address: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// A request to reload the config, with where to send the verdict: `Ok`
/// with a summary of the changes, or why the config was refused.
#[derive(Debug)]
pub struct ReloadRequest {
    reply: Option<oneshot::Sender<Result<String, String>>>,
}

impl ReloadRequest {
    /// A request nobody waits on (SIGHUP, `--watch-config`).
    pub fn unanswered() -> ReloadRequest {
        ReloadRequest { reply: None }
    }

    /// Reports whether the new config was accepted (with what changed) or
    /// why not.
    pub fn answer(self, verdict: Result<String, String>) {
        let _ = self.into_reply().send(verdict);
    }

    /// Where the verdict goes (a channel nobody reads when the request is
    /// unanswered).
    pub fn into_reply(self) -> oneshot::Sender<Result<String, String>> {
        self.reply.unwrap_or_else(|| oneshot::channel().0)
    }
}

/// What the handlers share.
#[derive(Clone)]
struct AppState {
    telemetry: Arc<Telemetry>,
    reloads: Option<mpsc::Sender<ReloadRequest>>,
}

/// Binds the API's address (a failure is the operator's to fix at start).
pub async fn bind(address: SocketAddr) -> Result<TcpListener, ApiError> {
    let listener = TcpListener::bind(address)
        .await
        .map_err(|source| ApiError::Bind { address, source })?;
    if !address.ip().is_loopback() {
        warn!(address = %address, "api listening beyond loopback; it has no authentication");
    }
    Ok(listener)
}

/// Serves the API on `listener` until `stop` is cancelled.
pub async fn serve(
    listener: TcpListener,
    telemetry: Arc<Telemetry>,
    reloads: Option<mpsc::Sender<ReloadRequest>>,
    stop: CancellationToken,
) {
    let address = listener.local_addr().ok();
    let app = router(telemetry, reloads);
    info!(address = ?address, "api listening");
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await;
    if let Err(err) = served {
        warn!(error = %err, "api server stopped");
    }
}

/// The API's routes; `reloads` takes `POST /reload` (none: not offered).
pub fn router(telemetry: Arc<Telemetry>, reloads: Option<mpsc::Sender<ReloadRequest>>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/tap/{component}", get(tap))
        .route("/reload", post(reload))
        .route("/components", get(components))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            MAX_CONCURRENT,
        ))
        .with_state(AppState { telemetry, reloads })
}

async fn reload(State(state): State<AppState>) -> Response {
    let Some(reloads) = state.reloads else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "this daemon does not reload (a backfill)"})),
        )
            .into_response();
    };
    let (reply, verdict) = oneshot::channel();
    if reloads
        .send(ReloadRequest { reply: Some(reply) })
        .await
        .is_err()
    {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": "the daemon is stopping"})),
        )
            .into_response();
    }
    match verdict.await {
        Ok(Ok(changes)) => Json(json!({"reloaded": true, "changes": changes})).into_response(),
        Ok(Err(reason)) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"reloaded": false, "error": reason})),
        )
            .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": "the daemon is stopping"})),
        )
            .into_response(),
    }
}

async fn components(State(AppState { telemetry, .. }): State<AppState>) -> Response {
    Json(telemetry.snapshot()).into_response()
}

async fn metrics(State(AppState { telemetry, .. }): State<AppState>) -> Response {
    let text = tokio::task::spawn_blocking(move || telemetry.encode())
        .await
        .unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

async fn health(State(AppState { telemetry, .. }): State<AppState>) -> Response {
    if telemetry.draining() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "draining"})),
        )
            .into_response()
    } else {
        Json(json!({"status": "ok"})).into_response()
    }
}

async fn ready(State(AppState { telemetry, .. }): State<AppState>) -> Response {
    let waiting = telemetry.pending();
    if telemetry.draining() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"ready": false, "draining": true})),
        )
            .into_response()
    } else if waiting.is_empty() {
        Json(json!({"ready": true})).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"ready": false, "waiting": waiting})),
        )
            .into_response()
    }
}

/// Query of `/tap/ID`.
#[derive(Debug, serde::Deserialize)]
struct TapQuery {
    limit: Option<usize>,
}

async fn tap(
    State(AppState { telemetry, .. }): State<AppState>,
    Path(component): Path<String>,
    Query(query): Query<TapQuery>,
) -> Response {
    let Some(receiver) = telemetry.tap(&component) else {
        let known = telemetry.tappable();
        return (
            StatusCode::NOT_FOUND,
            Json(json!({
                "error": format!("no transform `{component}` to tap"),
                "components": known,
            })),
        )
            .into_response();
    };
    let limit = query.limit.unwrap_or(DEFAULT_TAP_LIMIT).max(1);
    let stream =
        futures::stream::unfold((receiver, 0usize), move |(mut receiver, sent)| async move {
            if sent >= limit {
                return None;
            }
            loop {
                match receiver.recv().await {
                    Ok(json) => {
                        let mut line = Vec::with_capacity(json.len() + 1);
                        line.extend_from_slice(json.as_bytes());
                        line.push(b'\n');
                        return Some((
                            Ok::<Bytes, std::convert::Infallible>(Bytes::from(line)),
                            (receiver, sent + 1),
                        ));
                    }
                    // Records went by faster than this reader: skip to the newest.
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response()
}
