//! Timestamps at the precision Athena renders them (docs/athena.md,
//! "Values": a literal's precision is its number of fraction digits, and
//! `at_timezone(timestamp(p), zone)` keeps `p`).

use crate::engine_sql::{engine, error, query, value};

#[tokio::test]
async fn at_time_zone_keeps_the_precision_of_its_input() {
    let e = engine().await;
    let cases = [
        (
            "TIMESTAMP '2024-01-02 03:04:05 UTC' AT TIME ZONE 'America/Los_Angeles'",
            "2024-01-01 19:04:05 America/Los_Angeles",
        ),
        (
            "TIMESTAMP '2024-01-02 03:04:05.123 UTC' AT TIME ZONE 'America/Los_Angeles'",
            "2024-01-01 19:04:05.123 America/Los_Angeles",
        ),
        (
            "TIMESTAMP '2024-07-02 03:04:05.123456' AT TIME ZONE 'America/New_York'",
            "2024-07-01 23:04:05.123456 America/New_York",
        ),
        (
            "at_timezone(TIMESTAMP '2024-01-02 03:04:05.1 UTC', '+05:30')",
            "2024-01-02 08:34:05.1 +05:30",
        ),
        (
            "TIMESTAMP '2024-01-02 03:04:05.123 America/Los_Angeles' AT TIME ZONE 'UTC'",
            "2024-01-02 11:04:05.123 UTC",
        ),
    ];
    for (sql, want) in cases {
        let answer = query(&e, &format!("SELECT {sql}")).await.unwrap();
        assert_eq!(answer.types, ["timestamp with time zone"], "{sql}");
        assert_eq!(answer.rows, [[want]], "{sql}");
    }
    let bad = error(
        &e,
        "SELECT TIMESTAMP '2024-01-02 03:04:05' AT TIME ZONE 'Mars/Olympus'",
    )
    .await;
    assert!(bad.message().contains("Mars/Olympus"), "{bad}");
}

#[tokio::test]
async fn literals_have_the_precision_written() {
    let e = engine().await;
    for (sql, want) in [
        ("TIMESTAMP '2024-01-02 03:04:05.1'", "2024-01-02 03:04:05.1"),
        (
            "TIMESTAMP '2024-01-02 03:04:05.12345'",
            "2024-01-02 03:04:05.12345",
        ),
        (
            "TIMESTAMP '2024-01-02 03:04:05.123456789'",
            "2024-01-02 03:04:05.123456789",
        ),
        (
            "TIMESTAMP '2024-01-02 03:04:05 UTC'",
            "2024-01-02 03:04:05 UTC",
        ),
    ] {
        assert_eq!(value(&e, &format!("SELECT {sql}")).await, want, "{sql}");
    }
}

/// `yyyy-mm-dd hh:mm:ss.fff UTC`: three digits and the zone.
fn is_millis_utc(text: &str) -> bool {
    let b = text.as_bytes();
    text.len() == 27
        && b[19] == b'.'
        && b[20..23].iter().all(u8::is_ascii_digit)
        && text.ends_with(" UTC")
}

#[tokio::test]
async fn clocks_truncation_and_arithmetic_keep_their_precision() {
    let e = engine().await;
    let now = value(&e, "SELECT current_timestamp").await;
    assert!(is_millis_utc(&now), "{now}");
    let now = value(&e, "SELECT now() AT TIME ZONE 'UTC'").await;
    assert!(is_millis_utc(&now), "{now}");
    for (sql, want) in [
        (
            "date_trunc('hour', TIMESTAMP '2024-01-02 03:04:05.123')",
            "2024-01-02 03:00:00.000",
        ),
        (
            "date_trunc('day', TIMESTAMP '2024-01-02 03:04:05')",
            "2024-01-02 00:00:00",
        ),
        (
            "TIMESTAMP '2024-01-02 03:04:05.123' + INTERVAL '1' DAY",
            "2024-01-03 03:04:05.123",
        ),
        // A day-to-second interval has milliseconds: the result is at least timestamp(3),
        // as in Trino.
        (
            "TIMESTAMP '2024-01-02 03:04:05' - INTERVAL '2' HOUR",
            "2024-01-02 01:04:05.000",
        ),
        (
            "TIMESTAMP '2024-01-02 03:04:05' + INTERVAL '1' MONTH",
            "2024-02-02 03:04:05",
        ),
        (
            "date_add('minute', 5, TIMESTAMP '2024-01-02 03:04:05.123456')",
            "2024-01-02 03:09:05.123456",
        ),
    ] {
        assert_eq!(value(&e, &format!("SELECT {sql}")).await, want, "{sql}");
    }
}
