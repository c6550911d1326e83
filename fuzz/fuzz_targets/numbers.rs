//! The scalar parsers (numbers in Java notation, decimals, varbinary, dates)
//! on arbitrary text: no panic, and what a float parser accepts renders back to
//! the same value.

#![no_main]

use athena_stream::value::{self, AthenaType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(x) = value::parse_double(text) {
        let back = value::parse_double(&value::render_double(x)).expect("rendered double parses");
        assert!(back.to_bits() == x.to_bits() || (x.is_nan() && back.is_nan()));
    }
    if let Ok(x) = value::parse_real(text) {
        let back = value::parse_real(&value::render_real(x)).expect("rendered real parses");
        assert!(back.to_bits() == x.to_bits() || (x.is_nan() && back.is_nan()));
    }
    let _ = value::parse_int::<i8>(text);
    let _ = value::parse_int::<i64>(text);
    let _ = value::parse_int::<u128>(text);
    let _ = value::parse_decimal(text);
    let _ = value::parse_bool(text);
    let _ = value::parse_ipaddress(text);
    let _ = value::check_uuid(text);
    if let Ok(bytes) = value::parse_varbinary(text) {
        assert_eq!(value::render_varbinary(&bytes).len(), text.len());
    }
    for t in ["date", "time", "timestamp", "timestamp with time zone", "time with time zone"] {
        let _ = value::check_datetime(&AthenaType::parse(t), text);
    }
    let _ = value::datetime::parse_date(text);
    let _ = value::datetime::parse_timestamp(text);
    let _ = value::datetime::parse_timestamp_tz(text);
});
