//! Trino's binary functions (trino.io, "Binary functions and operators"): hex and Base64
//! text, hashes (varbinary in, varbinary out; `crc32` a bigint), HMACs, and integers and
//! floating point numbers as big-endian bytes. Each is a [`TrinoFn`] registered as
//! `athena_<name>`.

use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, GeneralPurpose as Engine};
use datafusion::logical_expr::ScalarUDF;
use md5::Digest as _;

use super::trino_fn::{O, P, R, TrinoFn, V, invalid, sig};

// layout: long function, because a flat table of the family's functions, one entry each
/// The UDFs of this module.
pub(crate) fn functions() -> Vec<ScalarUDF> {
    use P::{Bigint as I, Double as D, Real as F, Varbinary as B, Varchar as S};
    let f = |t: TrinoFn| ScalarUDF::from(t);
    let hash = |name, fun| f(TrinoFn::new(name, vec![sig(&[B], R::Varbinary)], fun));
    let hmac = |name, fun| f(TrinoFn::new(name, vec![sig(&[B, B], R::Varbinary)], fun));
    vec![
        f(TrinoFn::new("to_hex", vec![sig(&[B], R::Varchar)], to_hex)),
        f(TrinoFn::new(
            "from_hex",
            vec![sig(&[S], R::Varbinary), sig(&[B], R::Varbinary)],
            from_hex,
        )),
        f(TrinoFn::new(
            "to_base64",
            vec![sig(&[B], R::Varchar)],
            to_base64,
        )),
        f(TrinoFn::new(
            "from_base64",
            vec![sig(&[S], R::Varbinary), sig(&[B], R::Varbinary)],
            from_base64,
        )),
        f(TrinoFn::new(
            "to_base64url",
            vec![sig(&[B], R::Varchar)],
            to_base64url,
        )),
        f(TrinoFn::new(
            "from_base64url",
            vec![sig(&[S], R::Varbinary), sig(&[B], R::Varbinary)],
            from_base64url,
        )),
        hash("md5", md5),
        hash("sha1", sha1),
        hash("sha256", sha256),
        hash("sha512", sha512),
        hash("xxhash64", xxhash64),
        f(TrinoFn::new("crc32", vec![sig(&[B], R::Bigint)], crc32)),
        hmac("hmac_md5", hmac_md5),
        hmac("hmac_sha1", hmac_sha1),
        hmac("hmac_sha256", hmac_sha256),
        hmac("hmac_sha512", hmac_sha512),
        f(TrinoFn::new(
            "to_big_endian_32",
            vec![sig(&[I], R::Varbinary)],
            to_big_endian_32,
        )),
        f(TrinoFn::new(
            "to_big_endian_64",
            vec![sig(&[I], R::Varbinary)],
            to_big_endian_64,
        )),
        f(TrinoFn::new(
            "from_big_endian_32",
            vec![sig(&[B], R::Integer)],
            from_big_endian_32,
        )),
        f(TrinoFn::new(
            "from_big_endian_64",
            vec![sig(&[B], R::Bigint)],
            from_big_endian_64,
        )),
        f(TrinoFn::new(
            "to_ieee754_32",
            vec![sig(&[F], R::Varbinary)],
            to_ieee754_32,
        )),
        f(TrinoFn::new(
            "to_ieee754_64",
            vec![sig(&[D], R::Varbinary)],
            to_ieee754_64,
        )),
        f(TrinoFn::new(
            "from_ieee754_32",
            vec![sig(&[B], R::Real)],
            from_ieee754_32,
        )),
        f(TrinoFn::new(
            "from_ieee754_64",
            vec![sig(&[B], R::Double)],
            from_ieee754_64,
        )),
    ]
}

type Res = std::result::Result<O, String>;

/// Upper-case hex, as Trino writes it.
fn to_hex(args: &[V<'_>]) -> Res {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(args[0].bytes().len() * 2);
    for b in args[0].bytes() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    Ok(O::Str(out))
}

fn from_hex(args: &[V<'_>]) -> Res {
    let s = args[0].bytes();
    if !s.len().is_multiple_of(2) {
        return Err(invalid(format!("invalid input length {}", s.len())));
    }
    let digit = |c: u8| {
        (c as char).to_digit(16).ok_or_else(|| {
            invalid(format!(
                "not a hexadecimal digit: \"{}\" = {c}",
                char::from(c)
            ))
        })
    };
    let mut out = Vec::with_capacity(s.len() / 2);
    for pair in s.chunks(2) {
        out.push((digit(pair[0])? * 16 + digit(pair[1])?) as u8);
    }
    Ok(O::Bytes(out))
}

/// Decoders that take the padding or leave it out, as Java's `Base64` decoders do.
const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: Engine = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const URL_SAFE: Engine = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

fn to_base64(args: &[V<'_>]) -> Res {
    Ok(O::Str(
        base64::engine::general_purpose::STANDARD.encode(args[0].bytes()),
    ))
}

fn to_base64url(args: &[V<'_>]) -> Res {
    Ok(O::Str(
        base64::engine::general_purpose::URL_SAFE.encode(args[0].bytes()),
    ))
}

fn decode_base64(engine: &Engine, input: &[u8]) -> Res {
    engine.decode(input).map(O::Bytes).map_err(|e| match e {
        base64::DecodeError::InvalidByte(_, b) => {
            invalid(format!("Illegal base64 character {b:x}"))
        }
        other => invalid(other),
    })
}

fn from_base64(args: &[V<'_>]) -> Res {
    decode_base64(&STANDARD, args[0].bytes())
}

fn from_base64url(args: &[V<'_>]) -> Res {
    decode_base64(&URL_SAFE, args[0].bytes())
}

fn md5(args: &[V<'_>]) -> Res {
    Ok(O::Bytes(md5::Md5::digest(args[0].bytes()).to_vec()))
}

fn sha1(args: &[V<'_>]) -> Res {
    Ok(O::Bytes(sha1::Sha1::digest(args[0].bytes()).to_vec()))
}

fn sha256(args: &[V<'_>]) -> Res {
    Ok(O::Bytes(sha2::Sha256::digest(args[0].bytes()).to_vec()))
}

fn sha512(args: &[V<'_>]) -> Res {
    Ok(O::Bytes(sha2::Sha512::digest(args[0].bytes()).to_vec()))
}

/// XXH64 with seed 0, as 8 big-endian bytes.
fn xxhash64(args: &[V<'_>]) -> Res {
    Ok(O::Bytes(
        twox_hash::XxHash64::oneshot(0, args[0].bytes())
            .to_be_bytes()
            .to_vec(),
    ))
}

fn crc32(args: &[V<'_>]) -> Res {
    Ok(O::Int(i64::from(crc32fast::hash(args[0].bytes()))))
}

/// HMAC (RFC 2104) over a hash of `BLOCK`-byte blocks.
fn hmac<D: md5::Digest, const BLOCK: usize>(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        let digest = D::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |x: u8| block.iter().map(|b| b ^ x).collect::<Vec<u8>>();
    let mut inner = D::new();
    inner.update(pad(0x36));
    inner.update(data);
    let inner = inner.finalize();
    let mut outer = D::new();
    outer.update(pad(0x5c));
    outer.update(inner);
    outer.finalize().to_vec()
}

fn hmac_md5(args: &[V<'_>]) -> Res {
    Ok(O::Bytes(hmac::<md5::Md5, 64>(
        args[1].bytes(),
        args[0].bytes(),
    )))
}

fn hmac_sha1(args: &[V<'_>]) -> Res {
    Ok(O::Bytes(hmac::<sha1::Sha1, 64>(
        args[1].bytes(),
        args[0].bytes(),
    )))
}

fn hmac_sha256(args: &[V<'_>]) -> Res {
    Ok(O::Bytes(hmac::<sha2::Sha256, 64>(
        args[1].bytes(),
        args[0].bytes(),
    )))
}

fn hmac_sha512(args: &[V<'_>]) -> Res {
    Ok(O::Bytes(hmac::<sha2::Sha512, 128>(
        args[1].bytes(),
        args[0].bytes(),
    )))
}

fn to_big_endian_32(args: &[V<'_>]) -> Res {
    // The parameter is an integer: a bigint argument must fit.
    let n = i32::try_from(args[0].int()).map_err(|_| {
        format!(
            "NUMERIC_VALUE_OUT_OF_RANGE: Out of range for integer: {}",
            args[0].int()
        )
    })?;
    Ok(O::Bytes(n.to_be_bytes().to_vec()))
}

fn to_big_endian_64(args: &[V<'_>]) -> Res {
    Ok(O::Bytes(args[0].int().to_be_bytes().to_vec()))
}

fn exact<const N: usize>(
    b: &[u8],
    message: impl Fn(usize) -> String,
) -> std::result::Result<[u8; N], String> {
    b.try_into().map_err(|_| invalid(message(b.len())))
}

fn from_big_endian_32(args: &[V<'_>]) -> Res {
    let b = exact::<4>(args[0].bytes(), |n| {
        format!("expected 4-byte input, but got instead: {n}")
    })?;
    Ok(O::Int(i64::from(i32::from_be_bytes(b))))
}

fn from_big_endian_64(args: &[V<'_>]) -> Res {
    let b = exact::<8>(args[0].bytes(), |n| {
        format!("expected 8-byte input, but got instead: {n}")
    })?;
    Ok(O::Int(i64::from_be_bytes(b)))
}

fn to_ieee754_32(args: &[V<'_>]) -> Res {
    let V::F32(x) = args[0] else {
        return Ok(O::Null);
    };
    Ok(O::Bytes(x.to_bits().to_be_bytes().to_vec()))
}

fn to_ieee754_64(args: &[V<'_>]) -> Res {
    let V::F64(x) = args[0] else {
        return Ok(O::Null);
    };
    Ok(O::Bytes(x.to_bits().to_be_bytes().to_vec()))
}

fn from_ieee754_32(args: &[V<'_>]) -> Res {
    let b = exact::<4>(args[0].bytes(), |_| {
        "Input floating-point value must be exactly 4 bytes long".to_owned()
    })?;
    Ok(O::F32(f32::from_bits(u32::from_be_bytes(b))))
}

fn from_ieee754_64(args: &[V<'_>]) -> Res {
    let b = exact::<8>(args[0].bytes(), |_| {
        "Input floating-point value must be exactly 8 bytes long".to_owned()
    })?;
    Ok(O::F64(f64::from_bits(u64::from_be_bytes(b))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(o: Res) -> String {
        match to_hex(&[V::Bytes(&match o.unwrap() {
            O::Bytes(b) => b,
            other => panic!("{other:?}"),
        })]) {
            Ok(O::Str(s)) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hashes_and_hmacs_match_known_vectors() {
        assert_eq!(
            hex(md5(&[V::Bytes(b"")])),
            "D41D8CD98F00B204E9800998ECF8427E"
        );
        assert_eq!(
            hex(sha1(&[V::Bytes(b"hello")])),
            "AAF4C61DDCC5E8A2DABEDE0F3B482CD9AEA9434D"
        );
        assert_eq!(hex(xxhash64(&[V::Bytes(b"hello")])), "26C7827D889F6DA3");
        assert_eq!(crc32(&[V::Bytes(b"hello")]), Ok(O::Int(907060870)));
        assert_eq!(
            hex(hmac_sha256(&[V::Bytes(b"data"), V::Bytes(b"key")])),
            "5031FE3D989C6D1537A013FA6E739DA23463FDAEC3B70137D828E36ACE221BD0"
        );
        assert_eq!(
            hex(hmac_md5(&[V::Bytes(b"data"), V::Bytes(b"key")])),
            "9D5C73EF85594D34EC4438B7C97E51D8"
        );
    }

    #[test]
    fn hex_and_base64_decode_as_trino_does() {
        assert_eq!(from_hex(&[V::Str("0Ff0")]), Ok(O::Bytes(vec![0x0f, 0xf0])));
        assert!(
            from_hex(&[V::Str("abc")])
                .unwrap_err()
                .contains("invalid input length 3")
        );
        assert!(from_hex(&[V::Str("zz")]).is_err());
        assert_eq!(
            from_base64(&[V::Str("aGVsbG8")]),
            Ok(O::Bytes(b"hello".to_vec()))
        );
        assert_eq!(
            from_base64url(&[V::Str("-_8=")]),
            Ok(O::Bytes(vec![0xfb, 0xff]))
        );
        assert!(from_base64(&[V::Str("!!!")]).is_err());
        assert_eq!(to_base64(&[V::Bytes(&[0xff])]), Ok(O::Str("/w==".into())));
    }

    #[test]
    fn numbers_as_big_endian_bytes() {
        assert_eq!(
            to_big_endian_32(&[V::Int(-2)]),
            Ok(O::Bytes(vec![0xff, 0xff, 0xff, 0xfe]))
        );
        assert_eq!(
            from_big_endian_32(&[V::Bytes(&[0, 0, 1, 1])]),
            Ok(O::Int(257))
        );
        assert!(from_big_endian_64(&[V::Bytes(&[1])]).is_err());
        assert_eq!(
            from_ieee754_32(&[V::Bytes(&[0x3f, 0xc0, 0, 0])]),
            Ok(O::F32(1.5))
        );
    }
}
