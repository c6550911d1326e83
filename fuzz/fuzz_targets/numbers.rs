//! The scalar parsers (numbers in Java notation, decimals, varbinary, dates)
//! on arbitrary text: no panic, and what a float parser accepts renders back to
//! the same value.

#![no_main]

// The scalar parsers are not public API; `value::__fuzz` exposes them for here.
use athena_stream::value::__fuzz as scalars;
use athena_stream::value::{AthenaType, chrono, datetime, time};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(x) = scalars::parse_double(text) {
        let back =
            scalars::parse_double(&scalars::render_double(x)).expect("rendered double parses");
        assert!(back.to_bits() == x.to_bits() || (x.is_nan() && back.is_nan()));
    }
    if let Ok(x) = scalars::parse_real(text) {
        let back = scalars::parse_real(&scalars::render_real(x)).expect("rendered real parses");
        assert!(back.to_bits() == x.to_bits() || (x.is_nan() && back.is_nan()));
    }
    let _ = scalars::parse_int::<i8>(text);
    let _ = scalars::parse_int::<i64>(text);
    let _ = scalars::parse_int::<u128>(text);
    let _ = scalars::parse_decimal(text);
    let _ = scalars::parse_bool(text);
    let _ = scalars::parse_ipaddress(text);
    let _ = scalars::check_uuid(text);
    if let Ok(bytes) = scalars::parse_varbinary(text) {
        assert_eq!(scalars::render_varbinary(&bytes).len(), text.len());
    }
    for t in [
        "date",
        "time",
        "timestamp",
        "timestamp with time zone",
        "time with time zone",
    ] {
        let _ = scalars::check_datetime(&AthenaType::parse(t), text);
    }
    let _ = datetime::parse_date(text);
    let _ = datetime::parse_timestamp(text);
    let _ = datetime::parse_timestamp_tz(text);
    let _ = chrono::parse_date(text);
    let _ = chrono::parse_time(text);
    let _ = chrono::parse_timestamp(text);
    let _ = chrono::parse_timestamp_tz(text);
    let _ = time::parse_date(text);
    let _ = time::parse_time(text);
    let _ = time::parse_timestamp(text);
    let _ = time::parse_timestamp_tz(text);
});
