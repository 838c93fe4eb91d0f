//! `wirehose top`: a terminal view of a running daemon, from its API's
//! `/components`: each component's events/s in and out, errors, discarded,
//! buffer fill and mean time per event, refreshed every second.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyModifiers};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row, Table};
use wirehose_core::telemetry::Snapshot;

/// Reads the daemon's counters.
fn fetch(api: &str) -> Result<Snapshot> {
    let mut response = ureq::get(&format!("http://{api}/components"))
        .call()
        .with_context(|| format!("cannot reach the wirehose API at {api} (is [api] enabled = true in the daemon's config?)"))?;
    response
        .body_mut()
        .read_json::<Snapshot>()
        .context("the API's answer is not a component list")
}

/// One row of the table, from two snapshots `seconds` apart.
fn row(
    now: &wirehose_core::telemetry::ComponentSnapshot,
    before: Option<&wirehose_core::telemetry::ComponentSnapshot>,
    seconds: f64,
) -> Row<'static> {
    let rate = |now: u64, before: Option<u64>| {
        before.map_or_else(
            || "-".to_string(),
            |b| format!("{:.1}", now.saturating_sub(b) as f64 / seconds),
        )
    };
    let latency = match before {
        Some(b) if now.processed > b.processed => {
            let ms = (now.processing_seconds - b.processing_seconds) * 1000.0
                / (now.processed - b.processed) as f64;
            format!("{ms:.2}")
        }
        _ => "-".to_string(),
    };
    Row::new(vec![
        now.id.clone(),
        now.kind.clone(),
        now.type_name.clone(),
        rate(now.received, before.map(|b| b.received)),
        rate(now.sent, before.map(|b| b.sent)),
        now.errors.to_string(),
        now.discarded.to_string(),
        now.buffer
            .map_or_else(|| "-".to_string(), |b| b.to_string()),
        latency,
    ])
}

/// Draws one frame.
fn draw(
    frame: &mut ratatui::Frame<'_>,
    api: &str,
    now: &Snapshot,
    before: Option<&Snapshot>,
    seconds: f64,
    error: Option<&str>,
) {
    let [head, table, foot] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let state = if now.draining { "draining" } else { "running" };
    let rss = now.resident_bytes.map_or_else(
        || "-".to_string(),
        |b| format!("{:.1} MiB", b as f64 / 1048576.0),
    );
    let summary = format!(
        "{state} · inputs {} found, {} done, {} quarantined, {} duplicates · RSS {rss}",
        now.discovered, now.done, now.quarantined, now.duplicates
    );
    let header = Paragraph::new(vec![
        Line::from(summary),
        Line::from(error.unwrap_or("").to_string()).red(),
    ])
    .block(Block::bordered().title(format!(" wirehose top · {api} ")));
    frame.render_widget(header, head);
    // Sources, then transforms, then sinks, as records flow.
    let rank = |kind: &str| match kind {
        "source" => 0,
        "transform" => 1,
        _ => 2,
    };
    let mut ordered: Vec<&wirehose_core::telemetry::ComponentSnapshot> =
        now.components.iter().collect();
    ordered.sort_by_key(|c| rank(&c.kind));
    let rows: Vec<Row<'static>> = ordered
        .into_iter()
        .map(|c| {
            let previous = before.and_then(|b| {
                b.components
                    .iter()
                    .find(|p| p.id == c.id && p.kind == c.kind)
            });
            row(c, previous, seconds)
        })
        .collect();
    let widths = [
        Constraint::Min(12),
        Constraint::Length(9),
        Constraint::Length(10),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Length(9),
    ];
    let header_row = Row::new([
        "component",
        "kind",
        "type",
        "in/s",
        "out/s",
        "errors",
        "discarded",
        "buffer",
        "ms/event",
    ])
    .style(Style::new().add_modifier(Modifier::BOLD));
    frame.render_widget(
        Table::new(rows, widths)
            .header(header_row)
            .block(Block::bordered()),
        table,
    );
    frame.render_widget(Paragraph::new("q: quit · refreshed every second"), foot);
}

/// Runs the view until `q`, Esc or Ctrl-C.
pub(crate) fn top(api: &str) -> Result<()> {
    let mut current = fetch(api)?;
    let mut previous: Option<(Snapshot, Instant)> = None;
    let mut taken = Instant::now();
    let mut error: Option<String> = None;
    let mut terminal = ratatui::init();
    let result = (|| -> Result<()> {
        loop {
            let seconds = previous.as_ref().map_or(1.0, |(_, at)| {
                taken.duration_since(*at).as_secs_f64().max(0.001)
            });
            terminal.draw(|frame| {
                draw(
                    frame,
                    api,
                    &current,
                    previous.as_ref().map(|(s, _)| s),
                    seconds,
                    error.as_deref(),
                )
            })?;
            let deadline = Instant::now() + Duration::from_secs(1);
            while let Some(wait) = deadline.checked_duration_since(Instant::now()) {
                if event::poll(wait)?
                    && let Event::Key(key) = event::read()?
                {
                    let quit = matches!(key.code, KeyCode::Char('q') | KeyCode::Esc)
                        || (key.code == KeyCode::Char('c')
                            && key.modifiers.contains(KeyModifiers::CONTROL));
                    if quit {
                        return Ok(());
                    }
                }
            }
            match fetch(api) {
                Ok(next) => {
                    previous = Some((std::mem::replace(&mut current, next), taken));
                    taken = Instant::now();
                    error = None;
                }
                Err(err) => error = Some(format!("{err:#}")),
            }
        }
    })();
    ratatui::restore();
    result
}
