use super::*;

fn state(registry: &Registry, id: &str) -> String {
    let execution = registry.describe(id).unwrap();
    execution["Status"]["State"].as_str().unwrap().to_owned()
}

/// With a query delay of 10 s a query is QUEUED for its first half, RUNNING for its
/// second, then SUCCEEDED: observed on paused time, so at exact instants.
#[tokio::test(start_paused = true)]
async fn a_delayed_query_is_queued_then_running_then_succeeded() {
    let engine = Engine::new(crate::engine::EngineConfig {
        cloudfront_rows: 0,
        ..crate::engine::EngineConfig::default()
    })
    .await
    .unwrap();
    let data_dir = Arc::new(DataDir::open(engine.data_dir()).unwrap());
    let registry = Registry::new(
        engine,
        data_dir,
        Settings {
            max_active: 5,
            query_delay: Duration::from_secs(10),
            account_id: account::DEFAULT_ACCOUNT_ID.to_owned(),
            scan_rate: None,
        },
    );
    let started = Instant::now();
    let id = registry
        .start(StartRequest {
            query_string: "SELECT 1".into(),
            client_request_token: "a-token-of-at-least-thirty-two-characters".into(),
            database: None,
            catalog: None,
            result: ResultConfig::default(),
            work_group: "primary".into(),
            execution_parameters: None,
            result_reuse: None,
        })
        .unwrap();
    assert_eq!(state(&registry, &id), "QUEUED");
    tokio::time::sleep_until(started + Duration::from_millis(4_900)).await;
    assert_eq!(state(&registry, &id), "QUEUED");
    assert_eq!(registry.active(), 1);
    tokio::time::sleep_until(started + Duration::from_millis(5_100)).await;
    assert_eq!(state(&registry, &id), "RUNNING");
    tokio::time::sleep_until(started + Duration::from_millis(9_900)).await;
    assert_eq!(state(&registry, &id), "RUNNING");
    assert!(matches!(
        registry.results(&id).unwrap(),
        ResultsState::NotReady(_)
    ));
    // Past the delay the query ends as soon as its result file is written: wait as
    // a client does, by asking for its state (in virtual time).
    tokio::time::sleep_until(started + Duration::from_secs(10)).await;
    let mut polls = 0;
    while state(&registry, &id) == "RUNNING" {
        polls += 1;
        assert!(polls < 1_000, "still RUNNING 100 s after its delay");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state(&registry, &id), "SUCCEEDED");
    assert_eq!(registry.active(), 0);
}
