//! The PostgreSQL sink against a real server: PostgreSQL at 127.0.0.1:5432,
//! database `test`, user `postgres` (as the end-to-end tests expect it; the
//! README's Development section says how to start it).

#![cfg(feature = "postgres")]

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_postgres::NoTls;
use wirehose_core::{
    Ack, AckStatus, AckWaiter, BuildContext, Entity, Event, Mention, Quote, Record, SinkConfig,
    SinkContext, SourceInfo,
};
use wirehose_sink::postgres::PostgresConfig;

const URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn record(id: &str, received_at: &str) -> Record {
    Record {
        id: id.into(),
        source: SourceInfo {
            path: format!("inbox/{id}.txt").into(),
            bytes: 10,
            received_at: received_at.into(),
        },
        title: Some(format!("title {id}")),
        paragraphs: vec!["Kerry met Lavrov.".into()],
        entities: vec![Entity {
            name: "John Kerry".into(),
            kind: "PER".into(),
            mentions: vec![Mention {
                start: 0,
                end: 5,
                text: "Kerry".into(),
            }],
            geo: None,
        }],
        quotes: vec![Quote {
            text: "hello".into(),
            speaker: Some("John Kerry".into()),
            cue: Some("said".into()),
            start: 0,
            end: 5,
        }],
        ..Record::default()
    }
}

/// Runs a postgres sink over `records` (one batch) and returns their outcomes.
async fn store(schema: &str, records: Vec<Record>) -> Vec<AckStatus> {
    let config: PostgresConfig = toml::from_str(&format!(
        "url = \"{URL}\"\nschema = \"{schema}\"\nlinger_ms = 0\nmax_backoff_secs = 1"
    ))
    .unwrap();
    let sink = config
        .build(&BuildContext {
            key: "sinks.pg".into(),
            id: "pg".into(),
            state_dir: "/tmp".into(),
        })
        .unwrap();
    let (sender, receiver) = mpsc::channel(records.len());
    let mut waiters: Vec<AckWaiter> = Vec::new();
    for record in records {
        let (ack, waiter) = Ack::new();
        sender.try_send(Event::new(record, ack)).unwrap();
        waiters.push(waiter);
    }
    drop(sender);
    let context = SinkContext::untracked("sinks.pg");
    tokio::time::timeout(Duration::from_secs(60), sink.run(receiver, context))
        .await
        .expect("postgres at 127.0.0.1:5432 (database test, user postgres) answers")
        .unwrap();
    waiters
        .into_iter()
        .map(|mut waiter| waiter.try_recv().unwrap_or(AckStatus::Lost))
        .collect()
}

async fn count(client: &tokio_postgres::Client, schema: &str, table: &str) -> i64 {
    client
        .query_one(&format!("SELECT COUNT(*) FROM {schema}.{table}"), &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_record_is_rejected_and_the_others_stored_once() {
    let schema = format!("sink_test_{}", std::process::id());
    let (client, connection) = tokio_postgres::connect(URL, NoTls)
        .await
        .expect("postgres at 127.0.0.1:5432 (database test, user postgres) is running");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .await
        .unwrap();

    let good = "2019-05-15T10:00:00Z";
    let batch = || {
        vec![
            record("a", good),
            record("b", "not a time"),
            record("c", good),
            record("a", good),
        ]
    };
    for _ in 0..2 {
        let statuses = store(&schema, batch()).await;
        for index in [0, 2, 3] {
            assert!(
                matches!(&statuses[index], AckStatus::Delivered { timings } if timings[0].0 == "sinks.pg"),
                "{index}: {:?}",
                statuses[index]
            );
        }
        let AckStatus::Rejected(rejection) = &statuses[1] else {
            panic!("{:?}", statuses[1]);
        };
        assert_eq!(rejection.component, "sinks.pg");
        assert!(
            rejection
                .reason
                .starts_with("postgres refused the record: "),
            "{}",
            rejection.reason
        );
        assert!(rejection.hint.ends_with("the other records were stored"));
    }

    assert_eq!(count(&client, &schema, "articles").await, 2);
    assert_eq!(count(&client, &schema, "entities").await, 1);
    assert_eq!(count(&client, &schema, "mentions").await, 2);
    assert_eq!(count(&client, &schema, "quotes").await, 2);
    let row = client
        .query_one(
            &format!(
                "SELECT title, body, source_path, record->>'id', m.start_offset, m.end_offset, m.text
                 FROM {schema}.articles a JOIN {schema}.mentions m ON m.article_id = a.id
                 WHERE a.id = 'c'"
            ),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, Option<String>>(0).as_deref(), Some("title c"));
    assert_eq!(row.get::<_, String>(1), "Kerry met Lavrov.");
    assert_eq!(row.get::<_, String>(2), "inbox/c.txt");
    assert_eq!(row.get::<_, String>(3), "c");
    assert_eq!((row.get::<_, i32>(4), row.get::<_, i32>(5)), (0, 5));
    assert_eq!(row.get::<_, String>(6), "Kerry");
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
}
