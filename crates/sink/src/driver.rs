//! The batch driver every sink runs on.
//!
//! A sink supplies a [`BatchWriter`]: how to reach its store
//! ([`BatchWriter::connect`]) and how to write a batch durably
//! ([`BatchWriter::write`]). [`run`] does the rest, the same way for every
//! sink:
//!
//! 1. waits for the first event, then takes whatever else is ready, up to
//!    [`Options::batch_max_records`], lingering up to [`Options::linger`] for
//!    the batch to fill;
//! 2. writes the batch; a failure that may pass ([`WriteError::Unavailable`],
//!    or records answered [`Outcome::Retry`]) holds the records, and with them
//!    the pipeline, and retries them with capped exponential backoff;
//! 3. a batch the store refuses for its data ([`WriteError::Refused`]) is
//!    written again record by record, so only the offending record is
//!    rejected;
//! 4. resolves each event's acknowledgement: the sink's time is added and the
//!    record delivered, or the record is rejected with a reason and a hint.
//!
//! Blocking writers (files, SQLite) do their work with [`blocking`], which
//! runs it on tokio's blocking pool, off the async runtime.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tracing::{error, warn};
use wirehose_core::{Ack, Event, Record, SinkContext, StageError};

/// What became of one record of a written batch.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Stored durably (or already stored): the record is delivered.
    Delivered,
    /// Refused for good: the record is rejected (and its input quarantined).
    Rejected {
        /// What went wrong, lowercase, no trailing period.
        reason: String,
        /// What the user can do about it.
        hint: &'static str,
    },
    /// Not stored this time; held and written again after a backoff pause.
    // Only the nats sink answers per record that it failed.
    #[cfg_attr(not(feature = "nats"), allow(dead_code))]
    Retry,
}

/// Why a whole batch was not written.
#[derive(Debug)]
pub(crate) enum WriteError {
    /// The store cannot take the batch now (server down, disk full): the
    /// records are held and retried with backoff.
    Unavailable(String),
    /// The store refused the batch for its data: it is written again record
    /// by record; a lone record is rejected.
    // Only the postgres sink tells a refusal of data from an outage.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Refused(String),
    /// The output is gone for good (a closed standard output): the sink stops
    /// without resolving the records.
    Closed,
    /// The sink cannot go on.
    Fatal(StageError),
}

/// The fixed texts a sink logs and reports through the driver.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Texts {
    /// Logged when [`BatchWriter::connect`] fails and is retried.
    pub(crate) unavailable: &'static str,
    /// Logged when a write fails and its records are held for a retry.
    pub(crate) retrying: &'static str,
    /// Logged when a refused batch is written again record by record.
    pub(crate) one_by_one: &'static str,
    /// Start of the reason given for a record refused for its data.
    pub(crate) refused: &'static str,
}

/// A sink's side of the driver: reaching the store and writing batches.
///
/// The driver is generic over its writer and never boxes it, so the methods
/// are plain `async` functions whose futures must be `Send` (a sink runs on
/// the multi-threaded runtime).
pub(crate) trait BatchWriter: Send {
    /// The sink's log messages and rejection reason.
    const TEXTS: Texts;

    /// Connects (or opens files) before the first write, and again whenever
    /// [`BatchWriter::needs_connect`] says so. [`WriteError::Unavailable`] is
    /// retried with backoff; [`WriteError::Fatal`] stops the sink.
    fn connect(&mut self) -> impl Future<Output = Result<(), WriteError>> + Send {
        async { Ok(()) }
    }

    /// Returns whether the connection was lost and must be made again before
    /// the next write.
    fn needs_connect(&self) -> bool {
        false
    }

    /// Writes `records` durably, returning one outcome per record, in order.
    fn write(
        &mut self,
        records: &[Arc<Record>],
    ) -> impl Future<Output = Result<Vec<Outcome>, WriteError>> + Send;
}

/// How the driver batches and retries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    /// Most records written together.
    pub(crate) batch_max_records: usize,
    /// How long a batch waits to fill after its first record; zero takes only
    /// what is ready.
    pub(crate) linger: Duration,
    /// First pause before a retry; doubles after each one.
    pub(crate) first_backoff: Duration,
    /// Longest pause between retries.
    pub(crate) max_backoff: Duration,
}

impl Options {
    /// For a sink that writes a local file: no linger, retries from 100 ms
    /// up to 30 s.
    pub(crate) fn local_file(batch_max_records: usize) -> Options {
        Options {
            batch_max_records,
            linger: Duration::ZERO,
            first_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Capped exponential backoff for retries that hold the pipeline back.
struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    /// Starts at `first`, doubling after each wait up to `max`.
    fn new(first: Duration, max: Duration) -> Backoff {
        Backoff { next: first, max }
    }

    /// Returns the pause the next [`Backoff::wait`] will take, in
    /// milliseconds (for a log field).
    fn peek_ms(&self) -> u64 {
        u64::try_from(self.next.as_millis()).unwrap_or(u64::MAX)
    }

    /// Sleeps for the current pause, then doubles it (up to the cap).
    async fn wait(&mut self) {
        tokio::time::sleep(self.next).await;
        self.next = (self.next * 2).min(self.max);
    }
}

/// Runs `work` on the blocking pool with the state taken out of `slot`, then
/// puts the state back. A panicked task loses the state: the sink stops.
pub(crate) async fn blocking<S, T>(
    slot: &mut Option<S>,
    work: impl FnOnce(&mut S) -> T + Send + 'static,
) -> Result<T, WriteError>
where
    S: Send + 'static,
    T: Send + 'static,
{
    let Some(mut state) = slot.take() else {
        return Err(WriteError::Fatal(StageError::Other(
            "sink state lost by an earlier failed task".into(),
        )));
    };
    let span = tracing::Span::current();
    let (state, result) = tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let result = work(&mut state);
        (state, result)
    })
    .await
    .map_err(|e| WriteError::Fatal(StageError::Other(format!("write task failed: {e}"))))?;
    *slot = Some(state);
    Ok(result)
}

/// Feeds `input` to `writer` in batches until the input is closed and
/// drained, resolving every event's acknowledgement under the component `key`.
pub(crate) async fn run<W: BatchWriter>(
    mut writer: W,
    mut input: mpsc::Receiver<Event>,
    cx: &SinkContext,
    options: Options,
) -> Result<(), StageError> {
    if !connect(&mut writer, &options).await? {
        return Ok(());
    }
    cx.ready.ready();
    loop {
        let batch = next_batch(&mut input, &options).await;
        if batch.is_empty() {
            return Ok(());
        }
        cx.metrics.received.inc_by(batch.len() as u64);
        if !deliver(&mut writer, batch, cx, &options).await? {
            return Ok(());
        }
    }
}

/// Waits for one event, then takes whatever else is ready, up to
/// `batch_max_records` in all, lingering up to `linger` for more. Returns an
/// empty batch once the input is closed and drained.
async fn next_batch(input: &mut mpsc::Receiver<Event>, options: &Options) -> Vec<Event> {
    let max = options.batch_max_records.max(1);
    let mut batch = Vec::new();
    if input.recv_many(&mut batch, max).await == 0 || options.linger.is_zero() {
        return batch;
    }
    let deadline = tokio::time::Instant::now() + options.linger;
    while batch.len() < max {
        let room = max - batch.len();
        match tokio::time::timeout_at(deadline, input.recv_many(&mut batch, room)).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    batch
}

/// Connects, retrying with backoff while the store is unavailable. Returns
/// false when the output is closed for good.
async fn connect<W: BatchWriter>(writer: &mut W, options: &Options) -> Result<bool, StageError> {
    let mut backoff = Backoff::new(options.first_backoff, options.max_backoff);
    loop {
        match writer.connect().await {
            Ok(()) => return Ok(true),
            Err(WriteError::Closed) => return Ok(false),
            Err(WriteError::Fatal(err)) => return Err(err),
            Err(WriteError::Unavailable(err) | WriteError::Refused(err)) => {
                error!(
                    error = %err,
                    retry_in_ms = backoff.peek_ms(),
                    "{}",
                    W::TEXTS.unavailable
                );
                backoff.wait().await;
            }
        }
    }
}

/// Records of a batch not yet resolved, with their acknowledgements.
struct Pending {
    records: Vec<Arc<Record>>,
    acks: Vec<Ack>,
}

impl Pending {
    fn new(batch: Vec<Event>) -> Pending {
        let (records, acks) = batch
            .into_iter()
            .map(|event| (Arc::new(event.record), event.ack))
            .unzip();
        Pending { records, acks }
    }

    fn len(&self) -> usize {
        self.records.len()
    }

    fn push(&mut self, record: Arc<Record>, ack: Ack) {
        self.records.push(record);
        self.acks.push(ack);
    }

    /// Resolves each record by its outcome, returning those to retry. A
    /// record the writer gave no outcome for is rejected as a bug.
    fn resolve(self, outcomes: Vec<Outcome>, cx: &SinkContext, started: Instant) -> Pending {
        let key = cx.key.as_str();
        let mut retry = Pending {
            records: Vec::new(),
            acks: Vec::new(),
        };
        let mut outcomes = outcomes.into_iter();
        for (record, ack) in self.records.into_iter().zip(self.acks) {
            match outcomes.next() {
                Some(Outcome::Delivered) => {
                    let elapsed = started.elapsed();
                    ack.add_timing(key, elapsed);
                    cx.metrics.observe(elapsed);
                    cx.metrics.sent.inc();
                    ack.delivered();
                }
                Some(Outcome::Rejected { reason, hint }) => {
                    cx.metrics.errors.inc();
                    ack.reject(key, reason, hint);
                }
                Some(Outcome::Retry) => retry.push(record, ack),
                None => {
                    cx.metrics.errors.inc();
                    ack.reject(key, "the sink gave no outcome", "report this as a bug");
                }
            }
        }
        retry
    }

    fn reject_all(self, cx: &SinkContext, reason: &str, hint: &str) {
        for ack in self.acks {
            cx.metrics.errors.inc();
            ack.reject(&cx.key, reason, hint);
        }
    }
}

/// Writes one batch until every record is resolved, retrying with backoff.
/// Returns false when the output is closed for good.
async fn deliver<W: BatchWriter>(
    writer: &mut W,
    batch: Vec<Event>,
    cx: &SinkContext,
    options: &Options,
) -> Result<bool, StageError> {
    let started = Instant::now();
    let mut pending = Pending::new(batch);
    let mut backoff = Backoff::new(options.first_backoff, options.max_backoff);
    while pending.len() > 0 {
        if writer.needs_connect() && !connect(writer, options).await? {
            return Ok(false);
        }
        match writer.write(&pending.records).await {
            Ok(outcomes) => {
                pending = pending.resolve(outcomes, cx, started);
                if pending.len() > 0 {
                    cx.metrics.retries.inc();
                    error!(
                        records = pending.len(),
                        retry_in_ms = backoff.peek_ms(),
                        "{}",
                        W::TEXTS.retrying
                    );
                    backoff.wait().await;
                }
            }
            Err(WriteError::Refused(err)) if pending.len() > 1 => {
                warn!(error = %err, records = pending.len(), "{}", W::TEXTS.one_by_one);
                match one_by_one(writer, pending, cx, started).await? {
                    Some(kept) => pending = kept,
                    None => return Ok(false),
                }
            }
            Err(WriteError::Refused(err)) => {
                let reason = format!("{}: {err}", W::TEXTS.refused);
                pending.reject_all(cx, &reason, "check the record in the quarantine report");
                break;
            }
            Err(WriteError::Unavailable(err)) => {
                cx.metrics.retries.inc();
                error!(
                    error = %err,
                    records = pending.len(),
                    retry_in_ms = backoff.peek_ms(),
                    "{}",
                    W::TEXTS.retrying
                );
                backoff.wait().await;
            }
            Err(WriteError::Closed) => return Ok(false),
            Err(WriteError::Fatal(err)) => return Err(err),
        }
    }
    Ok(true)
}

/// Writes the records of a refused batch one at a time: the good ones are
/// delivered, the refused ones rejected. Returns the records to write again
/// (the store failed otherwise), or `None` when the output is closed.
async fn one_by_one<W: BatchWriter>(
    writer: &mut W,
    pending: Pending,
    cx: &SinkContext,
    started: Instant,
) -> Result<Option<Pending>, StageError> {
    let mut kept = Pending {
        records: Vec::new(),
        acks: Vec::new(),
    };
    for (record, ack) in pending.records.into_iter().zip(pending.acks) {
        let single = Pending {
            records: vec![record],
            acks: vec![ack],
        };
        match writer.write(&single.records).await {
            Ok(outcomes) => {
                let retry = single.resolve(outcomes, cx, started);
                for (record, ack) in retry.records.into_iter().zip(retry.acks) {
                    kept.push(record, ack);
                }
            }
            Err(WriteError::Refused(err)) => single.reject_all(
                cx,
                &format!("{}: {err}", W::TEXTS.refused),
                "check the record in the quarantine report; the other records were stored",
            ),
            Err(WriteError::Unavailable(_)) => {
                for (record, ack) in single.records.into_iter().zip(single.acks) {
                    kept.push(record, ack);
                }
            }
            Err(WriteError::Closed) => return Ok(None),
            Err(WriteError::Fatal(err)) => return Err(err),
        }
    }
    Ok(Some(kept))
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use wirehose_core::{AckStatus, AckWaiter};

    use super::*;

    /// What the fake writer answers to one call.
    enum Answer {
        All(Outcome),
        Each(Vec<Outcome>),
        Fail(fn(String) -> WriteError),
    }

    /// A writer that answers from a script and logs the ids it was given.
    struct Fake {
        answers: VecDeque<Answer>,
        connects: VecDeque<Result<(), String>>,
        calls: Arc<Mutex<Vec<Vec<String>>>>,
        connected: usize,
        lost: bool,
    }

    impl Fake {
        fn new(answers: Vec<Answer>) -> (Fake, Arc<Mutex<Vec<Vec<String>>>>) {
            let calls = Arc::new(Mutex::new(Vec::new()));
            let fake = Fake {
                answers: answers.into(),
                connects: VecDeque::new(),
                calls: calls.clone(),
                connected: 0,
                lost: false,
            };
            (fake, calls)
        }
    }

    impl BatchWriter for Fake {
        const TEXTS: Texts = Texts {
            unavailable: "fake unavailable; holding records and retrying",
            retrying: "fake write failed; holding records and retrying",
            one_by_one: "fake refused a batch; writing its records one by one",
            refused: "fake refused the record",
        };

        async fn connect(&mut self) -> Result<(), WriteError> {
            match self.connects.pop_front() {
                Some(Err(err)) => Err(WriteError::Unavailable(err)),
                _ => {
                    self.connected += 1;
                    self.lost = false;
                    Ok(())
                }
            }
        }

        fn needs_connect(&self) -> bool {
            self.lost
        }

        async fn write(&mut self, records: &[Arc<Record>]) -> Result<Vec<Outcome>, WriteError> {
            let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
            self.calls.lock().unwrap().push(ids);
            match self
                .answers
                .pop_front()
                .unwrap_or(Answer::All(Outcome::Delivered))
            {
                Answer::All(outcome) => Ok(vec![outcome; records.len()]),
                Answer::Each(outcomes) => Ok(outcomes),
                Answer::Fail(make) => {
                    let err = make("boom".into());
                    if matches!(err, WriteError::Unavailable(_)) {
                        self.lost = true;
                    }
                    Err(err)
                }
            }
        }
    }

    fn options(batch_max_records: usize, linger_ms: u64) -> Options {
        Options {
            batch_max_records,
            linger: Duration::from_millis(linger_ms),
            first_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
        }
    }

    fn event(id: &str) -> (Event, AckWaiter) {
        let (ack, waiter) = Ack::new();
        let record = Record {
            id: id.into(),
            ..Record::default()
        };
        (Event::new(record, ack), waiter)
    }

    /// Queues events `ids` on a closed channel (the driver drains, then stops).
    fn input(ids: &[&str], capacity: usize) -> (mpsc::Receiver<Event>, Vec<AckWaiter>) {
        let (sender, receiver) = mpsc::channel(capacity);
        let mut waiters = Vec::new();
        for id in ids {
            let (event, waiter) = event(id);
            sender.try_send(event).unwrap();
            waiters.push(waiter);
        }
        (receiver, waiters)
    }

    fn status(waiter: AckWaiter) -> AckStatus {
        let mut waiter = waiter;
        waiter.try_recv().expect("acknowledgement resolved")
    }

    fn delivered(status: &AckStatus) -> bool {
        matches!(status, AckStatus::Delivered { timings } if timings.iter().any(|(key, _)| key == "sinks.test"))
    }

    #[tokio::test(start_paused = true)]
    async fn delivers_in_batches_with_timings() {
        let (fake, calls) = Fake::new(vec![]);
        let (receiver, waiters) = input(&["a", "b", "c"], 8);
        run(
            fake,
            receiver,
            &SinkContext::untracked("sinks.test"),
            options(2, 0),
        )
        .await
        .unwrap();
        assert_eq!(*calls.lock().unwrap(), vec![vec!["a", "b"], vec!["c"]]);
        for waiter in waiters {
            assert!(delivered(&status(waiter)));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn unavailable_store_is_retried_with_capped_backoff() {
        let unavailable = || Answer::Fail(WriteError::Unavailable);
        let (fake, calls) = Fake::new(vec![unavailable(), unavailable(), unavailable()]);
        let (receiver, waiters) = input(&["a", "b"], 8);
        let started = tokio::time::Instant::now();
        run(
            fake,
            receiver,
            &SinkContext::untracked("sinks.test"),
            options(8, 0),
        )
        .await
        .unwrap();
        // 100 + 200 + 300 (capped) ms of backoff, then success.
        assert_eq!(started.elapsed(), Duration::from_millis(600));
        assert_eq!(calls.lock().unwrap().len(), 4);
        for waiter in waiters {
            assert!(delivered(&status(waiter)));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn lost_connection_is_made_again_before_the_retry() {
        let (mut fake, _calls) = Fake::new(vec![Answer::Fail(WriteError::Unavailable)]);
        fake.connects = vec![Ok(()), Err("refused".into()), Ok(())].into();
        let connected = Arc::new(Mutex::new(0));
        let (receiver, waiters) = input(&["a"], 8);
        let started = tokio::time::Instant::now();
        let counter = connected.clone();
        let writer = Counting { fake, counter };
        run(
            writer,
            receiver,
            &SinkContext::untracked("sinks.test"),
            options(8, 0),
        )
        .await
        .unwrap();
        // Write backoff 100 ms, then one failed reconnection (100 ms).
        assert_eq!(started.elapsed(), Duration::from_millis(200));
        assert_eq!(*connected.lock().unwrap(), 2);
        assert!(delivered(&status(waiters.into_iter().next().unwrap())));
    }

    /// Wraps [`Fake`] to report how many connections succeeded.
    struct Counting {
        fake: Fake,
        counter: Arc<Mutex<usize>>,
    }

    impl BatchWriter for Counting {
        const TEXTS: Texts = Fake::TEXTS;

        async fn connect(&mut self) -> Result<(), WriteError> {
            self.fake.connect().await?;
            *self.counter.lock().unwrap() = self.fake.connected;
            Ok(())
        }

        fn needs_connect(&self) -> bool {
            self.fake.needs_connect()
        }

        async fn write(&mut self, records: &[Arc<Record>]) -> Result<Vec<Outcome>, WriteError> {
            self.fake.write(records).await
        }
    }

    #[tokio::test(start_paused = true)]
    async fn only_records_answered_retry_are_written_again() {
        let rejected = Outcome::Rejected {
            reason: "too big".into(),
            hint: "make it smaller",
        };
        let (fake, calls) = Fake::new(vec![Answer::Each(vec![
            Outcome::Delivered,
            Outcome::Retry,
            rejected,
        ])]);
        let (receiver, waiters) = input(&["a", "b", "c"], 8);
        let started = tokio::time::Instant::now();
        run(
            fake,
            receiver,
            &SinkContext::untracked("sinks.test"),
            options(8, 0),
        )
        .await
        .unwrap();
        assert_eq!(started.elapsed(), Duration::from_millis(100));
        assert_eq!(*calls.lock().unwrap(), vec![vec!["a", "b", "c"], vec!["b"]]);
        let statuses: Vec<AckStatus> = waiters.into_iter().map(status).collect();
        assert!(delivered(&statuses[0]) && delivered(&statuses[1]));
        let AckStatus::Rejected(rejection) = &statuses[2] else {
            panic!("{:?}", statuses[2]);
        };
        assert_eq!(rejection.component, "sinks.test");
        assert_eq!(rejection.reason, "too big");
        assert_eq!(rejection.hint, "make it smaller");
    }

    #[tokio::test(start_paused = true)]
    async fn refused_batch_is_written_record_by_record() {
        let (fake, calls) = Fake::new(vec![
            Answer::Fail(WriteError::Refused),
            Answer::All(Outcome::Delivered),
            Answer::Fail(WriteError::Refused),
            Answer::Fail(WriteError::Unavailable),
        ]);
        let (receiver, waiters) = input(&["a", "b", "c"], 8);
        run(
            fake,
            receiver,
            &SinkContext::untracked("sinks.test"),
            options(8, 0),
        )
        .await
        .unwrap();
        assert_eq!(
            *calls.lock().unwrap(),
            vec![
                vec!["a", "b", "c"],
                vec!["a"],
                vec!["b"],
                vec!["c"],
                vec!["c"]
            ]
        );
        let statuses: Vec<AckStatus> = waiters.into_iter().map(status).collect();
        assert!(delivered(&statuses[0]) && delivered(&statuses[2]));
        let AckStatus::Rejected(rejection) = &statuses[1] else {
            panic!("{:?}", statuses[1]);
        };
        assert_eq!(rejection.reason, "fake refused the record: boom");
        assert!(rejection.hint.ends_with("the other records were stored"));
    }

    #[tokio::test(start_paused = true)]
    async fn refused_lone_record_is_rejected() {
        let (fake, calls) = Fake::new(vec![Answer::Fail(WriteError::Refused)]);
        let (receiver, waiters) = input(&["a"], 8);
        run(
            fake,
            receiver,
            &SinkContext::untracked("sinks.test"),
            options(8, 0),
        )
        .await
        .unwrap();
        assert_eq!(calls.lock().unwrap().len(), 1);
        let status = status(waiters.into_iter().next().unwrap());
        assert!(
            matches!(status, AckStatus::Rejected(r) if r.hint == "check the record in the quarantine report")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn closed_output_stops_without_resolving() {
        let (fake, _calls) = Fake::new(vec![Answer::Fail(|_| WriteError::Closed)]);
        let (receiver, waiters) = input(&["a", "b"], 8);
        run(
            fake,
            receiver,
            &SinkContext::untracked("sinks.test"),
            options(1, 0),
        )
        .await
        .unwrap();
        for waiter in waiters {
            assert_eq!(status(waiter), AckStatus::Lost);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn fatal_error_stops_the_sink() {
        let fatal = |e| WriteError::Fatal(StageError::Other(e));
        let (fake, _calls) = Fake::new(vec![Answer::Fail(fatal)]);
        let (receiver, _waiters) = input(&["a"], 8);
        let result = run(
            fake,
            receiver,
            &SinkContext::untracked("sinks.test"),
            options(1, 0),
        )
        .await;
        assert!(matches!(result, Err(StageError::Other(e)) if e == "boom"));
    }

    #[tokio::test(start_paused = true)]
    async fn linger_waits_for_the_batch_to_fill() {
        let (fake, calls) = Fake::new(vec![]);
        let (sender, receiver) = mpsc::channel(8);
        let driver = tokio::spawn(async move {
            let cx = SinkContext::untracked("sinks.test");
            run(fake, receiver, &cx, options(3, 200)).await
        });
        let mut waiters = Vec::new();
        for (id, pause_ms) in [
            ("a", 0),
            ("b", 150),
            ("c", 100),
            ("d", 0),
            ("e", 0),
            ("f", 0),
        ] {
            tokio::time::sleep(Duration::from_millis(pause_ms)).await;
            let (event, waiter) = event(id);
            sender.send(event).await.unwrap();
            waiters.push(waiter);
        }
        drop(sender);
        driver.await.unwrap().unwrap();
        // "c" came after the linger of "a"'s batch; "c".."f" filled a batch
        // at once (3 records), "f" went alone once the input closed.
        assert_eq!(
            *calls.lock().unwrap(),
            vec![vec!["a", "b"], vec!["c", "d", "e"], vec!["f"]]
        );
        assert!(waiters.into_iter().all(|w| delivered(&status(w))));
    }

    #[tokio::test]
    async fn blocking_work_keeps_its_state() {
        let mut slot = Some(1u32);
        let doubled = blocking(&mut slot, |n| {
            *n *= 2;
            *n
        })
        .await
        .unwrap();
        assert_eq!((doubled, slot), (2, Some(2)));
        let mut slot: Option<u32> = Some(1);
        let panicked = blocking(&mut slot, |_| panic!("fails")).await;
        assert!(matches!(panicked, Err(WriteError::Fatal(_))) && slot.is_none());
        assert!(matches!(
            blocking(&mut slot, |_| ()).await,
            Err(WriteError::Fatal(_))
        ));
    }
}
