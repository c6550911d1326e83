//! The tracing span of a run: its settings, its counts, its error.

use super::*;

/// What a subscriber saw: the spans made and the events, each with its fields and
/// the name of the span it belongs to.
#[derive(Clone, Default)]
struct Traced(Arc<Mutex<TracedLog>>);

#[derive(Default)]
struct TracedLog {
    spans: Vec<(&'static str, Fields)>,
    events: Vec<TracedEvent>,
}

struct TracedEvent {
    message: String,
    span: Option<&'static str>,
    fields: Fields,
}

type Fields = std::collections::BTreeMap<String, String>;

struct Recorder<'a>(&'a mut Fields);

impl tracing::field::Visit for Recorder<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S> tracing_subscriber::Layer<S> for Traced
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = Fields::new();
        attrs.record(&mut Recorder(&mut fields));
        let span = (attrs.metadata().name(), fields);
        self.0.lock().unwrap().spans.push(span);
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        let mut fields = Fields::new();
        event.record(&mut Recorder(&mut fields));
        let event = TracedEvent {
            message: fields.remove("message").unwrap_or_default(),
            span: ctx.event_span(event).map(|span| span.name()),
            fields,
        };
        self.0.lock().unwrap().events.push(event);
    }
}

impl Traced {
    /// Traces this thread (the test's current-thread runtime) until the guard drops.
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        use tracing_subscriber::layer::SubscriberExt;
        crate::fake::capture_on_this_thread(tracing_subscriber::registry().with(self.clone()))
    }

    fn events(&self, message: &str) -> Vec<Fields> {
        let log = self.0.lock().unwrap();
        let events = log.events.iter().filter(|e| e.message == message);
        events.map(|e| e.fields.clone()).collect()
    }
}

#[tokio::test(start_paused = true)]
async fn a_run_has_one_span_with_its_settings_and_ends_with_its_counts() {
    let traced = Traced::default();
    let _guard = traced.install();
    let map = MapSettings::new(3)
        .with_tolerated_failure_count(5)
        .with_retrier(Retrier::new().with_interval(ms(10)).with_max_attempts(1));
    // Items 3 and 13 fail on both attempts; every item logs an event of its own.
    let report = items(20)
        .run_map(map, |i| async move {
            sleep(ms(10)).await;
            tracing::info!(i, "item ran");
            if i % 10 == 3 {
                Err(boom("bad"))
            } else {
                Ok(())
            }
        })
        .await
        .unwrap();
    assert_eq!(
        (report.succeeded, report.failed, report.retried),
        (18, 2, 2)
    );

    let log = traced.0.lock().unwrap();
    assert_eq!(log.spans.len(), 1, "one span per run, none per item");
    let (name, fields) = &log.spans[0];
    assert_eq!(*name, "athena_map");
    let expected = [
        ("method", "run_map"),
        ("max_concurrency", "3"),
        ("tolerated_failure_count", "5"),
        ("max_attempts", "1"),
    ];
    let expected: Fields = expected.map(|(k, v)| (k.into(), v.into())).into();
    assert_eq!(
        *fields, expected,
        "a percentage that is not set is left out"
    );
    assert_eq!(
        log.events.len(),
        22 + 2 + 2 + 1,
        "items, retries, failures, end"
    );
    assert!(
        log.events.iter().all(|e| e.span == Some("athena_map")),
        "the run's events, and the items', are inside its span"
    );
    let last = log.events.last().unwrap();
    assert_eq!(last.message, "map run succeeded");
    drop(log);

    assert_eq!(traced.events("item ran").len(), 22);
    assert_eq!(traced.events("map item retried").len(), 2);
    assert_eq!(traced.events("map item failed").len(), 2);
    let end = &traced.events("map run succeeded")[0];
    let counts = [("succeeded", "18"), ("failed", "2"), ("retried", "2")];
    for (field, value) in counts {
        assert_eq!(end[field], value, "{field}");
    }
    assert_eq!(end["max_in_flight"], report.max_in_flight.to_string());
    assert_eq!(end["elapsed"], format!("{:?}", report.elapsed));
}

#[tokio::test(start_paused = true)]
async fn a_failed_run_ends_its_span_with_the_error() {
    let traced = Traced::default();
    let _guard = traced.install();
    let input = stream::iter(vec![Ok(0u64), Err(boom("disk on fire"))]);
    let out: Vec<_> = input
        .map_unordered(
            MapSettings::new(0).with_tolerated_failure_percentage(10.0),
            |i| async move { Ok::<_, Io>(i) },
        )
        .collect()
        .await;
    assert!(matches!(out[..], [Err(Error::Input { .. })]), "{out:?}");

    let log = traced.0.lock().unwrap();
    assert_eq!(log.spans.len(), 1);
    let fields = &log.spans[0].1;
    assert_eq!(fields["method"], "map_unordered");
    assert_eq!(fields["max_concurrency"], "0");
    assert_eq!(fields["tolerated_failure_percentage"], "10.0");
    assert_eq!(fields["max_attempts"], "0", "no retrier");
    assert!(!fields.contains_key("tolerated_failure_count"));
    drop(log);
    let end = traced.events("map run failed");
    assert_eq!(end.len(), 1);
    assert_eq!(end[0]["error"], "the input stream failed: disk on fire");
    assert_eq!(
        end[0]["succeeded"], "0",
        "item 0 was dropped with the error"
    );
    assert!(traced.events("map run succeeded").is_empty());
}
