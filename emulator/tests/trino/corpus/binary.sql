-- binary: Trino's varbinary values and functions (trino.io, "Binary functions and
-- operators"), with to_utf8/from_utf8 ("Conversion functions").

-- Literals, rendering and lengths.
SELECT X'68656C6C6F', X'', X'00ff';
SELECT length(X'0102'), length(X''), length(to_utf8('é日'));
SELECT X'01' = X'01', X'01' < X'02', X'0100' > X'01';

-- Concatenation.
SELECT X'01' || X'02';
SELECT concat(X'01', X'02', X'03'), concat(X'01', CAST(NULL AS VARBINARY));
SELECT concat(X'01', NULL);
SELECT X'01' || 'a';
SELECT to_utf8('ab') || to_utf8('cd');

-- Substrings, reversal and padding of bytes.
SELECT substr(X'01020304', 2), substr(X'01020304', -1), substr(X'01020304', 2, 2);
SELECT substr(X'0102', 5), substr(X'0102', 0);
SELECT reverse(X'010203'), reverse(X'');
SELECT lpad(X'01', 3, X'00'), rpad(X'01', 3, X'ff'), lpad(X'010203', 2, X'00');
SELECT lpad(X'01', 3, X'');

-- Hex.
SELECT to_hex(X'00ff10'), to_hex(X''), to_hex(to_utf8('hello')), to_hex(NULL);
SELECT from_hex('00ff10'), from_hex('0Ff0'), from_hex(''), from_hex(NULL);
SELECT from_hex('abc');
SELECT from_hex('zz');
SELECT from_hex(X'3030');
SELECT to_hex('abc');
SELECT from_utf8(from_hex('68656c6c6f')), to_hex(from_hex('CAFE'));

-- Base64, Base64 URL, Base32.
SELECT to_base64(to_utf8('hello')), to_base64(X''), to_base64(X'ff'), to_base64(X'fbff');
SELECT from_base64('aGVsbG8='), from_base64('aGVsbG8'), from_base64(''), from_base64(to_utf8('YQ=='));
SELECT from_base64('!!!');
SELECT to_base64url(X'fbff'), from_base64url('-_8'), from_base64url('-_8=');
SELECT to_base32(to_utf8('hello')), from_base32('NBSWY3DP');

-- Hashes: varbinary in, varbinary out.
SELECT md5(to_utf8('hello')), md5(X'');
SELECT to_hex(md5(to_utf8('The quick brown fox jumps over the lazy dog')));
SELECT sha1(to_utf8('hello'));
SELECT sha256(to_utf8('')), sha256(to_utf8('abc'));
SELECT sha512(to_utf8('abc'));
SELECT md5(NULL), sha256(NULL);
SELECT md5('hello');
SELECT sha256('abc');
SELECT crc32(to_utf8('hello')), crc32(X'');
SELECT xxhash64(to_utf8('hello')), xxhash64(X'');
SELECT murmur3(to_utf8('hello'));
SELECT spooky_hash_v2_32(to_utf8('hello')), spooky_hash_v2_64(to_utf8('hello'));
SELECT hmac_md5(to_utf8('data'), to_utf8('key')), hmac_sha1(to_utf8('data'), to_utf8('key'));
SELECT hmac_sha256(to_utf8('data'), to_utf8('key')), hmac_sha512(to_utf8('data'), to_utf8('key'));

-- Integers and floating point numbers as bytes.
SELECT to_big_endian_32(1), to_big_endian_32(-2), to_big_endian_64(1), to_big_endian_64(-1);
SELECT from_big_endian_32(X'00000101'), from_big_endian_64(X'ffffffffffffffff');
SELECT from_big_endian_32(X'01');
SELECT to_ieee754_32(REAL '1.5'), to_ieee754_64(1.5e0), from_ieee754_32(X'3fc00000'), from_ieee754_64(X'3ff8000000000000');
SELECT from_ieee754_64(X'0102');

-- UTF-8 text as bytes and back.
SELECT to_utf8('héllo'), from_utf8(to_utf8('héllo')), length(to_utf8('héllo'));
SELECT from_utf8(X'e697a5e69cac'), from_utf8(X'80', '?');

-- Bytes of table values.
SELECT id, to_hex(to_utf8(name)), md5(to_utf8(name)) IS NULL FROM people ORDER BY id;
SELECT to_hex(sha256(to_utf8(x))) FROM (VALUES ('a'), (NULL)) t(x);
