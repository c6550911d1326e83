-- casts: CAST and TRY_CAST between integers, real, double, decimal, varchar, boolean,
-- date, timestamp, varbinary and json: rounding, out-of-range values, invalid text, and
-- the text CAST(x AS varchar) gives for every numeric type.

-- Between integer types: out of range is an error.
SELECT CAST(127 AS tinyint), CAST(-32768 AS smallint), CAST(2147483647 AS bigint), CAST(CAST(5 AS tinyint) AS bigint);
SELECT CAST(128 AS tinyint);
SELECT CAST(-129 AS tinyint);
SELECT CAST(32768 AS smallint);
SELECT CAST(2147483648 AS integer);
SELECT CAST(x AS tinyint) FROM (VALUES (1), (300)) t(x);
SELECT TRY_CAST(128 AS tinyint), TRY_CAST(2147483648 AS integer), TRY_CAST(100 AS tinyint);

-- Doubles and reals to integers: rounded half away from zero; NaN, infinities and values
-- out of range are errors.
SELECT CAST(12.5e0 AS integer), CAST(-12.5e0 AS integer), CAST(12.4999e0 AS integer), CAST(0.5e0 AS bigint), CAST(-0.5e0 AS bigint);
SELECT CAST(1.5e0 AS tinyint), CAST(2.5e0 AS smallint), CAST(-2.5e0 AS bigint), CAST(9.2e18 AS bigint);
SELECT CAST(CAST(2.5 AS real) AS integer), CAST(CAST(-3.5 AS real) AS bigint), CAST(CAST(1e10 AS real) AS bigint);
SELECT CAST(1e10 AS integer);
SELECT CAST(1e19 AS bigint);
SELECT CAST(127.5e0 AS tinyint);
SELECT CAST(nan() AS integer);
SELECT CAST(infinity() AS bigint);
SELECT CAST(CAST(nan() AS real) AS integer);
SELECT TRY_CAST(1e10 AS integer), TRY_CAST(nan() AS bigint), TRY_CAST(2.5e0 AS integer);
SELECT CAST(x AS integer) FROM (VALUES (1.5e0), (-1.5e0), (2.4e0), (NULL)) t(x);

-- Decimals to integers: rounded half up (away from zero).
SELECT CAST(12.5 AS integer), CAST(-12.5 AS integer), CAST(12.49 AS integer), CAST(0.5 AS bigint), CAST(-0.5 AS tinyint);
SELECT CAST(DECIMAL '127.4' AS tinyint), CAST(DECIMAL '99999999999.9' AS bigint);
SELECT CAST(DECIMAL '127.5' AS tinyint);
SELECT CAST(DECIMAL '99999999999999999999' AS bigint);
SELECT CAST(x AS integer) FROM (VALUES (1.5), (-1.5), (2.4), (NULL)) t(x);

-- Integers to reals, doubles and decimals.
SELECT CAST(5 AS double), CAST(-5 AS real), CAST(9223372036854775807 AS double), CAST(16777217 AS real), CAST(2147483647 AS real);
SELECT CAST(5 AS decimal(3, 1)), CAST(-5 AS decimal(10, 2)), CAST(2147483647 AS decimal(10, 0)), CAST(5 AS decimal(38, 37));
SELECT CAST(100 AS decimal(3, 1));
SELECT CAST(9223372036854775807 AS decimal(18, 0));
SELECT CAST(x AS decimal(5, 2)) FROM (VALUES (1), (-999), (NULL)) t(x);

-- Decimals to decimals: rescaled half up; too many digits is an error.
SELECT CAST(1.25 AS decimal(3, 1)), CAST(-1.25 AS decimal(3, 1)), CAST(1.24 AS decimal(3, 1)), CAST(1.5 AS decimal(10, 4)), CAST(9.99 AS decimal(3, 1));
SELECT CAST(123.45 AS decimal(4, 1)), CAST(0.5 AS decimal(1, 0)), CAST(-0.5 AS decimal(1, 0)), CAST(0.49 AS decimal(1, 0));
SELECT CAST(123.45 AS decimal(2, 0));
SELECT CAST(9.99 AS decimal(2, 1));
SELECT CAST(DECIMAL '12345678901234567890.5' AS decimal(38, 18)), CAST(DECIMAL '12345678901234567890.5' AS decimal(20, 0));
SELECT TRY_CAST(123.45 AS decimal(2, 0)), TRY_CAST(1.25 AS decimal(2, 1));
SELECT CAST(x AS decimal(3, 1)) FROM (VALUES (1.25), (-1.25), (1.24), (NULL)) t(x);
SELECT CAST(1.5 AS decimal(39, 0));
SELECT CAST(1.5 AS decimal(3, 4));
SELECT CAST(1.5 AS decimal(0, 0));
SELECT CAST(1 AS decimal), typeof(CAST(1 AS decimal)), CAST(1.5 AS decimal(5)), typeof(CAST(1.5 AS decimal(5)));

-- Doubles and reals to decimals: rounded half up from the exact binary value.
SELECT CAST(1.25e0 AS decimal(3, 1)), CAST(-1.25e0 AS decimal(3, 1)), CAST(0.1e0 AS decimal(20, 18)), CAST(1e0 / 3 AS decimal(10, 8));
SELECT CAST(2.675e0 AS decimal(4, 2)), CAST(1.005e0 AS decimal(4, 2)), CAST(CAST(0.1 AS real) AS decimal(10, 9)), CAST(123456789e0 AS decimal(9, 0));
SELECT CAST(1e10 AS decimal(5, 0));
SELECT CAST(nan() AS decimal(10, 2));
SELECT CAST(infinity() AS decimal(10, 2));
SELECT CAST(x AS decimal(4, 1)) FROM (VALUES (1.25e0), (-1.35e0), (NULL)) t(x);

-- Decimals to doubles and reals.
SELECT CAST(1.5 AS double), CAST(0.1 AS double), CAST(-123.456 AS real), CAST(DECIMAL '12345678901234567890.123456789' AS double), CAST(1.0 / 3 AS double);
SELECT CAST(DECIMAL '0.33333333333333333333333333333333333333' AS double), CAST(DECIMAL '0.33333333333333333333333333333333333333' AS real);

-- Doubles to reals and back.
SELECT CAST(0.1e0 AS real), CAST(1e39 AS real), CAST(-1e39 AS real), CAST(1e-50 AS real), CAST(CAST(0.1 AS real) AS double), CAST(nan() AS real);
SELECT CAST(3.4028235e38 AS real), CAST(16777217e0 AS real), CAST(1.17549435e-38 AS real);

-- Text of numbers: CAST(x AS varchar).
SELECT CAST(42 AS varchar), CAST(-42 AS varchar), CAST(CAST(7 AS tinyint) AS varchar), CAST(CAST(-300 AS smallint) AS varchar), CAST(9223372036854775807 AS varchar);
SELECT CAST(1.50 AS varchar), CAST(-0.001 AS varchar), CAST(0.0 AS varchar), CAST(DECIMAL '12345678901234567890.123456789' AS varchar), CAST(100 AS decimal(5, 2));
SELECT CAST(CAST(100 AS decimal(5, 2)) AS varchar), CAST(CAST(-5 AS decimal(3, 0)) AS varchar), CAST(.5 AS varchar);
SELECT CAST(1.5e0 AS varchar), CAST(1e20 AS varchar), CAST(0.1e0 AS varchar), CAST(100e0 AS varchar), CAST(-0e0 AS varchar);
SELECT CAST(0e0 AS varchar);
SELECT CAST(123.456e0 AS varchar), CAST(1e0 / 3 AS varchar), CAST(1e-7 AS varchar), CAST(12345678.9e0 AS varchar), CAST(1e7 AS varchar), CAST(-2.5e-3 AS varchar);
SELECT CAST(nan() AS varchar), CAST(infinity() AS varchar), CAST(-infinity() AS varchar), CAST(1.7976931348623157e308 AS varchar), CAST(4.9e-324 AS varchar);
SELECT CAST(CAST(1.5 AS real) AS varchar), CAST(CAST(0.1 AS real) AS varchar), CAST(CAST(1e0 / 3 AS real) AS varchar), CAST(CAST(100 AS real) AS varchar), CAST(CAST(-1e20 AS real) AS varchar), CAST(CAST(nan() AS real) AS varchar);
SELECT CAST(x AS varchar) FROM (VALUES (1.5e0), (1000e0), (0.001e0), (NULL)) t(x);
SELECT CAST(x AS varchar) FROM (VALUES (1.5), (-22.25), (NULL)) t(x);
SELECT CAST(x AS varchar) FROM (VALUES (1), (-22), (NULL)) t(x);
SELECT CAST(12345 AS varchar(3));
SELECT CAST(12345 AS varchar(5)), CAST(1.5e0 AS varchar(10)), CAST(1.5 AS varchar(3));
SELECT CAST(1.5 AS varchar(2));
SELECT 'n=' || CAST(42 AS varchar), concat('x', CAST(1.5 AS varchar)), length(CAST(1e0 / 3 AS varchar));

-- Text to integers: surrounding spaces are allowed, a fraction or exponent is not.
SELECT CAST('42' AS integer), CAST(' 12 ' AS integer), CAST('-7' AS tinyint), CAST('+5' AS bigint), CAST('0012' AS smallint), CAST('9223372036854775807' AS bigint);
SELECT CAST('1.5' AS integer);
SELECT CAST('1e3' AS integer);
SELECT CAST('' AS integer);
SELECT CAST('abc' AS bigint);
SELECT CAST('128' AS tinyint);
SELECT CAST('2147483648' AS integer);
SELECT CAST('9223372036854775808' AS bigint);
SELECT CAST('1 2' AS integer);
SELECT CAST('0x10' AS integer);
SELECT CAST('١٢' AS integer);
SELECT TRY_CAST('abc' AS integer), TRY_CAST('1.5' AS integer), TRY_CAST('128' AS tinyint), TRY_CAST('12' AS integer), TRY_CAST(NULL AS integer);
SELECT CAST(x AS integer) FROM (VALUES ('1'), (' -2'), (NULL)) t(x);
SELECT TRY_CAST(x AS integer) FROM (VALUES ('1'), ('x'), ('3.5'), (NULL)) t(x);
SELECT CAST(x AS integer) FROM (VALUES ('1'), ('x')) t(x);

-- Text to doubles and reals.
SELECT CAST('1.5' AS double), CAST(' 1e3 ' AS double), CAST('-.5' AS double), CAST('5.' AS double), CAST('1E-2' AS double), CAST('+3' AS double);
SELECT CAST('NaN' AS double), CAST('Infinity' AS double), CAST('-Infinity' AS double), CAST('1e400' AS double), CAST('0.1' AS real), CAST('1e39' AS real);
SELECT CAST('inf' AS double);
SELECT CAST('nan' AS double);
SELECT CAST('1,5' AS double);
SELECT CAST('' AS double);
SELECT CAST('1.5d' AS double), CAST('2f' AS real), CAST('0x1p3' AS double);
SELECT TRY_CAST('x' AS double), TRY_CAST('1.5' AS double), TRY_CAST('' AS real);

-- Text to decimals: rounded half up to the scale; too many digits is an error.
SELECT CAST('1.25' AS decimal(3, 1)), CAST('-1.25' AS decimal(3, 1)), CAST('5' AS decimal(3, 2)), CAST('.5' AS decimal(2, 1)), CAST('1e2' AS decimal(5, 0)), CAST('+1.5E-1' AS decimal(3, 2));
SELECT CAST(' 12.5 ' AS decimal(4, 1));
SELECT CAST('123.45' AS decimal(4, 2));
SELECT CAST('abc' AS decimal(4, 2));
SELECT CAST('' AS decimal(4, 2));
SELECT CAST('0.000000000000000000000000000000000000001' AS decimal(38, 38)), CAST('99999999999999999999999999999999999999' AS decimal(38, 0));
SELECT TRY_CAST('123.45' AS decimal(4, 2)), TRY_CAST('x' AS decimal(4, 2)), TRY_CAST('1.255' AS decimal(4, 2));

-- Booleans: from text ('true', 'false', 't', 'f', '1', '0' in any case), to and from
-- numbers (nonzero is true) and text.
SELECT CAST('true' AS boolean), CAST('FALSE' AS boolean), CAST('t' AS boolean), CAST('F' AS boolean), CAST('1' AS boolean), CAST('0' AS boolean);
SELECT CAST('yes' AS boolean);
SELECT CAST(' true' AS boolean);
SELECT CAST('2' AS boolean);
SELECT CAST(true AS varchar), CAST(false AS varchar), CAST(true AS integer), CAST(false AS bigint), CAST(true AS tinyint), CAST(true AS double), CAST(false AS real), CAST(true AS decimal(3, 1));
SELECT CAST(0 AS boolean), CAST(5 AS boolean), CAST(-1 AS boolean), CAST(0e0 AS boolean), CAST(0.5e0 AS boolean), CAST(nan() AS boolean), CAST(0.0 AS boolean), CAST(0.01 AS boolean);
SELECT TRY_CAST('maybe' AS boolean), TRY_CAST('TRUE' AS boolean);
SELECT CAST(x AS boolean) FROM (VALUES (0), (1), (NULL)) t(x);

-- Dates and timestamps from and to text.
SELECT CAST('2024-01-15' AS date), CAST(' 2024-1-5 ' AS date), CAST(DATE '2024-02-29' AS varchar), CAST('2024-01-15 10:30:00' AS timestamp);
SELECT CAST('2024-02-30' AS date);
SELECT CAST('20240115' AS date);
SELECT CAST('2024-01-15 10:30:00.123' AS timestamp), CAST(TIMESTAMP '2024-01-15 10:30:00' AS varchar), CAST(TIMESTAMP '2024-01-15 10:30:00.5' AS varchar);
SELECT CAST(TIMESTAMP '2024-01-15 10:30:00' AS date), CAST(DATE '2024-01-15' AS timestamp), typeof(CAST(DATE '2024-01-15' AS timestamp));
SELECT CAST('2024-01-15' AS timestamp), CAST('not a date' AS timestamp);
SELECT TRY_CAST('2024-13-01' AS date), TRY_CAST('x' AS timestamp);
SELECT CAST(DATE '2024-01-15' AS integer);
SELECT CAST(1 AS date);

-- Varbinary and text.
SELECT CAST('hello' AS varbinary), CAST('é' AS varbinary), CAST('' AS varbinary), typeof(CAST('a' AS varbinary));
SELECT CAST(X'68656c6c6f' AS varchar);
SELECT CAST(1 AS varbinary);

-- JSON: numbers, booleans and text to json and back.
SELECT CAST(1 AS json), CAST(1.5 AS json), CAST(1.5e0 AS json), CAST(true AS json), CAST('abc' AS json), CAST(NULL AS json);
SELECT CAST(JSON '1' AS integer), CAST(JSON '1.5' AS double), CAST(JSON '"12"' AS integer), CAST(JSON 'true' AS boolean), CAST(JSON '"x"' AS varchar), CAST(JSON '2.5' AS decimal(3, 1));
SELECT CAST(JSON '1.5' AS integer), CAST(JSON 'true' AS integer), CAST(JSON '12' AS varchar), CAST(JSON 'null' AS integer);
SELECT CAST(JSON '"abc"' AS integer);
SELECT CAST(JSON '[1, 2]' AS integer);
SELECT CAST(JSON '300' AS tinyint);
SELECT TRY_CAST(JSON '"abc"' AS integer), TRY_CAST(JSON '1' AS integer);

-- NULL casts to any type.
SELECT CAST(NULL AS integer), CAST(NULL AS decimal(5, 2)), CAST(NULL AS double), CAST(NULL AS varchar), CAST(NULL AS boolean), CAST(NULL AS date);
SELECT typeof(CAST(NULL AS decimal(5, 2))), typeof(CAST(NULL AS real)), typeof(TRY_CAST(NULL AS bigint));

-- Casts in expressions and predicates.
SELECT CAST(x AS double) / 3 FROM (VALUES (1), (2)) t(x);
SELECT x FROM (VALUES ('1'), ('10'), ('9')) t(x) WHERE CAST(x AS integer) > 5;
SELECT sum(CAST(x AS bigint)) FROM (VALUES ('2147483647'), ('1')) t(x);
SELECT CAST(CAST(x AS varchar) AS integer) + 1 FROM (VALUES (41)) t(x);
SELECT CAST(1.5 AS unknown_type);

-- Typical queries: numbers kept as text, ids, flags and amounts.
SELECT CAST(x AS integer) + 1 FROM (VALUES ('41'), (' 7 '), ('-3')) t(x);
SELECT TRY_CAST(x AS integer) FROM (VALUES ('12'), ('12a'), (''), ('1e3'), (NULL)) t(x);
SELECT sum(TRY_CAST(x AS double)) FROM (VALUES ('1.5'), ('2.5'), ('n/a')) t(x);
SELECT CAST(x AS decimal(10, 2)) FROM (VALUES ('19.999'), ('0.005'), ('-0.005'), ('1234567.891')) t(x);
SELECT CAST(ROUND(x, 2) AS varchar) FROM (VALUES (3.14159), (2.5)) t(x);
SELECT 'Total: ' || CAST(sum(x) AS varchar) FROM (VALUES (1.25), (2.50)) t(x);
SELECT CAST(avg(x) AS varchar) FROM (VALUES (1), (2)) t(x);
SELECT CAST(count(*) AS varchar), CAST(count(*) AS double), CAST(count(*) AS decimal(5, 1)) FROM (VALUES (1), (2)) t(x);
SELECT CAST(x AS boolean), CAST(CAST(x AS boolean) AS integer) FROM (VALUES ('true'), ('FALSE'), ('1')) t(x);
SELECT CAST(x AS double), CAST(x AS real), CAST(x AS bigint) FROM (VALUES (2.5), (-2.5)) t(x);
SELECT CAST(2147483647.5 AS integer);
SELECT CAST(-2147483648.5 AS integer);
SELECT CAST(127.49 AS tinyint), CAST(-128.5 AS smallint);
SELECT CAST(1e18 AS bigint), CAST(-9.2e18 AS bigint), CAST(CAST(3.4e38 AS real) AS double);
SELECT CAST(CAST(x AS varchar) AS double) FROM (VALUES (0.1e0), (1e-10), (123456789.123e0)) t(x);
SELECT CAST(x AS varchar) FROM (VALUES (1e16), (123456789012345678e0), (9.2233720368547758e18), (1e19)) t(x);
SELECT CAST(CAST(x AS real) AS varchar) FROM (VALUES (16777216e0), (1.5e10), (7.2261125e18), (3.4028235e38)) t(x);
SELECT CAST(x AS decimal(20, 2)) FROM (VALUES (1e17), (12345.675e0), (-0.125e0)) t(x);
SELECT CAST('12345678901234567890' AS decimal(20, 0)), CAST('-1.5e-3' AS decimal(5, 4)), CAST('.' AS decimal(3, 1));
SELECT CAST(x AS date) FROM (VALUES ('2024-03-01'), ('2024-3-1'), (' 2024-12-31')) t(x);
SELECT TRY_CAST(x AS date) FROM (VALUES ('2024-02-30'), ('2024-13-01'), ('not a date'), ('2024-01-01')) t(x);
SELECT CAST(x AS timestamp) FROM (VALUES ('2024-03-01 12:34:56'), ('2024-03-01'), ('2024-03-01 1:2:3.4567')) t(x);
SELECT TRY_CAST('2024-03-01 25:00:00' AS timestamp), TRY_CAST('2024-03-01 12:00:00 UTC' AS timestamp);
SELECT CAST('2024-03-01 12:00:00 America/New_York' AS timestamp);
SELECT CAST(x AS json) FROM (VALUES (1.5e0), (-2e0), (nan())) t(x);
SELECT CAST(j AS integer), CAST(j AS double), CAST(j AS varchar) FROM (VALUES (JSON '1'), (JSON '"2"'), (JSON 'null')) t(j);
SELECT CAST(json_extract('{"a": 42}', '$.a') AS bigint), CAST(json_extract('{"a": "x"}', '$.a') AS varchar), CAST(json_extract('{"a": 2.5}', '$.a') AS decimal(4, 2));

-- Casts to char(n) take text only; TRY_CAST to varchar(n) is NULL for a longer value.
SELECT CAST('ab' AS char(3)), CAST('abcdef' AS char(3)), CAST(NULL AS char(2));
SELECT CAST(1.5e0 AS char(5));
SELECT CAST(12345 AS char(3));
SELECT TRY_CAST(12345 AS varchar(3)), TRY_CAST(12 AS varchar(3)), TRY_CAST('abcdef' AS varchar(3));
SELECT CAST(true AS varchar(3));
SELECT CAST(JSON '[1,2]' AS array(integer));

-- Typed number literals: the text is read as the type reads it, or INVALID_LITERAL.
SELECT BIGINT ' 12 ', INTEGER '+5', SMALLINT '-0', TINYINT '127', DOUBLE ' 1e3 ', REAL '1.5d', DOUBLE 'NaN', DOUBLE '0x1p3';
SELECT typeof(DOUBLE '1'), typeof(REAL '1'), typeof(TINYINT '1'), typeof(SMALLINT '1');
SELECT TINYINT '300';
SELECT INTEGER '1.5';
SELECT INTEGER '';
SELECT BIGINT '9223372036854775808';
SELECT DOUBLE 'abc';

-- Arrays cast element by element; timestamps to a coarser precision round half up;
-- arrays, maps and rows have no text.
SELECT CAST(ARRAY[1.5e0, 2.5e0] AS array(integer)), CAST(ARRAY[2.5, -2.5] AS array(bigint)), CAST(ARRAY[1.5e0] AS array(varchar)), CAST(ARRAY['1', ' 2 '] AS array(integer));
SELECT TRY_CAST(ARRAY['1', 'x'] AS array(integer)), TRY_CAST(ARRAY['1', '2'] AS array(integer));
SELECT CAST(ARRAY['1', 'x'] AS array(integer));
SELECT CAST(ARRAY[300] AS array(tinyint));
SELECT CAST(x AS array(integer)) FROM (VALUES (ARRAY[1.5e0, NULL]), (NULL)) t(x);
SELECT CAST(TIMESTAMP '2024-01-15 10:30:00.1239' AS timestamp(3)), CAST(TIMESTAMP '1969-12-31 23:59:59.9995' AS timestamp(3)), CAST(TIMESTAMP '2024-01-15 10:30:00.5' AS timestamp(0)), CAST(TIMESTAMP '2024-01-15 10:30:00.49' AS timestamp(0));
SELECT CAST(ARRAY[1.5e0, 2e0] AS varchar);
SELECT CAST(MAP(ARRAY['a'], ARRAY[1]) AS varchar);
SELECT CAST(ROW(1) AS varchar);

-- JSON arrays to arrays, element by element.
SELECT CAST(JSON '[1, "a", true, null, 1.5]' AS array(varchar)), CAST(JSON '[1, 2.5, "3"]' AS array(integer)), CAST(JSON '[]' AS array(double)), CAST(JSON 'null' AS array(integer));
SELECT CAST(json_extract('{"t": ["x", "y"]}', '$.t') AS array(varchar)), cardinality(CAST(json_parse('[1,2,3]') AS array(integer)));
SELECT CAST(JSON '[[1, 2], [3]]' AS array(array(integer))), TRY_CAST(JSON '[1, "x"]' AS array(integer)), TRY_CAST(JSON '5' AS array(integer));
SELECT CAST(JSON '[[1]]' AS array(varchar));
SELECT CAST(JSON '{"a":1}' AS array(integer));
SELECT CAST(JSON '[1, 300]' AS array(tinyint));
