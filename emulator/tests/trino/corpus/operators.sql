-- operators: arithmetic on tinyint, smallint, integer, bigint, real and double: result
-- types, overflow (NUMERIC_VALUE_OUT_OF_RANGE), integer division and modulus signs,
-- division by zero, unary minus, comparisons across numeric types, and typeof.

-- Integer literals are integer when they fit, bigint otherwise.
SELECT 2147483647, typeof(2147483647), 2147483648, typeof(2147483648), -2147483648, typeof(-2147483648);
SELECT 9223372036854775807, typeof(9223372036854775807), -9223372036854775808, typeof(-9223372036854775808);
SELECT 9223372036854775808;
SELECT 0, -0, typeof(-0), +5, typeof(+5);

-- Integer arithmetic keeps the wider type.
SELECT 2 + 3, 2 - 3, 2 * 3, 7 / 2, 7 % 2, typeof(2 + 3);
SELECT 10000000000 + 1, typeof(10000000000 + 1), 3 * 10000000000, typeof(3 * 10000000000);
SELECT CAST(1 AS tinyint) + CAST(2 AS tinyint), typeof(CAST(1 AS tinyint) + CAST(2 AS tinyint));
SELECT CAST(100 AS smallint) * CAST(300 AS smallint), typeof(CAST(100 AS smallint) * CAST(300 AS smallint));
SELECT CAST(1 AS tinyint) + CAST(1 AS smallint), typeof(CAST(1 AS tinyint) + CAST(1 AS smallint)), CAST(1 AS smallint) + 1, typeof(CAST(1 AS smallint) + 1);
SELECT CAST(1 AS tinyint) - CAST(1 AS bigint), typeof(CAST(1 AS tinyint) - CAST(1 AS bigint));

-- Overflow is an error, for every width and operation.
SELECT 2147483647 + 1;
SELECT -2147483647 - 2;
SELECT 65536 * 65536;
SELECT 9223372036854775807 + 1;
SELECT -9223372036854775807 - 2;
SELECT 4611686018427387904 * 2;
SELECT CAST(127 AS tinyint) + CAST(1 AS tinyint);
SELECT CAST(-128 AS tinyint) - CAST(1 AS tinyint);
SELECT CAST(16 AS tinyint) * CAST(8 AS tinyint);
SELECT CAST(32767 AS smallint) + CAST(1 AS smallint);
SELECT CAST(200 AS smallint) * CAST(200 AS smallint);
SELECT -2147483648 / -1;
SELECT -9223372036854775807 - 1 - 0, (-9223372036854775807 - 1) / -1;
SELECT CAST(-128 AS tinyint) / CAST(-1 AS tinyint);
SELECT -2147483648 % -1, CAST(-128 AS tinyint) % CAST(-1 AS tinyint);
SELECT x + 1 FROM (VALUES (2147483646), (2147483647)) t(x);
SELECT x * y FROM (VALUES (46341, 46341)) t(x, y);
SELECT x - y FROM (VALUES (CAST(-32768 AS smallint), CAST(1 AS smallint))) t(x, y);
SELECT 2147483647 + x FROM (VALUES (CAST(1 AS bigint))) t(x);

-- Integer division truncates toward zero; the remainder has the sign of the dividend.
SELECT 7 / 2, -7 / 2, 7 / -2, -7 / -2, 1 / 3, -1 / 3;
SELECT 7 % 3, -7 % 3, 7 % -3, -7 % -3, 0 % 5, 6 % 3;
SELECT 10000000001 / 2, -10000000001 % 7, typeof(10000000001 % 7);
SELECT CAST(7 AS tinyint) / CAST(2 AS tinyint), typeof(CAST(7 AS tinyint) / CAST(2 AS tinyint)), CAST(-7 AS smallint) % CAST(3 AS smallint), typeof(CAST(-7 AS smallint) % CAST(3 AS smallint));
SELECT x / y, x % y FROM (VALUES (7, 2), (-7, 2), (7, -2), (NULL, 2), (7, NULL)) t(x, y);

-- Division by zero: an error for integers, Infinity or NaN for doubles and reals.
SELECT 1 / 0;
SELECT 1 % 0;
SELECT 0 / 0;
SELECT CAST(1 AS bigint) / CAST(0 AS bigint);
SELECT CAST(1 AS tinyint) % CAST(0 AS tinyint);
SELECT x / y FROM (VALUES (1, 0)) t(x, y);
SELECT x % y FROM (VALUES (5, 0)) t(x, y);
SELECT x / y FROM (VALUES (1, 1), (1, 0)) t(x, y) WHERE y <> 0;
SELECT 1e0 / 0, -1e0 / 0, 0e0 / 0, 1e0 % 0, typeof(1e0 / 0);
SELECT CAST(1 AS real) / 0, CAST(-1 AS real) / CAST(0 AS real), CAST(0 AS real) / 0, typeof(CAST(1 AS real) / 0);
SELECT 5.5e0 % 2, -5.5e0 % 2, 5.5e0 % -2, typeof(5.5e0 % 2);
SELECT x / y FROM (VALUES (1e0, 0e0), (-1e0, 0e0), (0e0, 0e0)) t(x, y);

-- Doubles and reals: IEEE arithmetic, no overflow errors.
SELECT 0.1e0 + 0.2e0, 1e308 * 10, -1e308 * 10, 1e-320 / 1e10, 3e0 * 1.1e0;
SELECT 1e0 / 3, 2e0 / 3, 10e0 / 4, typeof(1e0 / 3);
SELECT CAST(1 AS real) / 3, CAST(0.1 AS real) + CAST(0.2 AS real), typeof(CAST(0.1 AS real) + CAST(0.2 AS real));
SELECT CAST(3.4e38 AS real) * 10, CAST(1 AS real) + 1e0, typeof(CAST(1 AS real) + 1e0);
SELECT 1 + 1e0, typeof(1 + 1e0), CAST(1 AS real) + 1, typeof(CAST(1 AS real) + 1), 10000000000 * CAST(2 AS real), typeof(10000000000 * CAST(2 AS real));
SELECT infinity() - infinity(), infinity() * 0, nan() + 1, -(0e0), 0e0 * -1;
SELECT x * 2, x / 2 FROM (VALUES (1.5e0), (-0.25e0), (NULL)) t(x);

-- Unary minus: the same type; the most negative value has no negation.
SELECT -x FROM (VALUES (5), (-5), (0), (NULL)) t(x);
SELECT -(5), -(-5), typeof(-(5)), -CAST(5 AS tinyint), typeof(-CAST(5 AS tinyint)), - - 5;
SELECT -CAST(-2147483648 AS integer);
SELECT -x FROM (VALUES (CAST(-128 AS tinyint))) t(x);
SELECT -x FROM (VALUES (-9223372036854775807 - 1)) t(x);
SELECT -x FROM (VALUES (1.5e0), (-0e0)) t(x);
SELECT -CAST(1.5 AS real), typeof(-CAST(1.5 AS real)), -1e0, typeof(-1e0);

-- Precedence and parentheses.
SELECT 2 + 3 * 4, (2 + 3) * 4, 10 - 4 - 3, 100 / 10 / 5, 2 * 3 % 4, -2 * -3, 7 - -2;

-- Comparisons across numeric types.
SELECT 1 = 1e0, 1 = 1.0, CAST(1 AS tinyint) = 1, CAST(1 AS bigint) = CAST(1 AS real), 2147483648 > 2147483647;
SELECT 1 < 2, 2 <= 2, 3 > 2.5, 3 >= 3e0, 1 <> 2, 1 != 1, 0.1e0 = CAST(0.1 AS real);
SELECT 1 IN (1.0, 2), 5 BETWEEN 1 AND 10, 5 NOT BETWEEN 5.5 AND 6, 1 IS DISTINCT FROM 1.0, NULL IS DISTINCT FROM 1;
SELECT 1 = NULL, NULL <> 1, NULL > NULL, 1 IS NULL, NULL IS NOT NULL;
SELECT nan() > 1, nan() < 1, nan() = nan(), infinity() = infinity(), -0e0 = 0e0;
SELECT 9007199254740993 = 9007199254740992e0, 9007199254740993 > 9007199254740992e0;
SELECT x FROM (VALUES (1), (2), (3), (NULL)) t(x) WHERE x > 1.5;
SELECT x FROM (VALUES (-1), (10), (3), (NULL)) t(x) ORDER BY x DESC;
SELECT x FROM (VALUES (nan()), (1e0), (-infinity()), (infinity())) t(x) ORDER BY x;
SELECT 1 = 'a';
SELECT 1 + 'a';
SELECT 1 + true;

-- typeof of expression results.
SELECT typeof(1 + 1), typeof(1 + 10000000000), typeof(1 * 1e0), typeof(1 / 2), typeof(1 % 2), typeof(-1);
SELECT typeof(CAST(1 AS tinyint) * CAST(1 AS tinyint)), typeof(CAST(1 AS smallint) / CAST(1 AS tinyint)), typeof(CAST(1 AS real) * 1.5), typeof(1e0 + 1.5);
SELECT typeof(x + y) FROM (VALUES (CAST(1 AS smallint), CAST(2 AS bigint))) t(x, y);
SELECT typeof(NULL + 1), typeof(1 + NULL), typeof(NULL + 1.5), typeof(1.5 * NULL), NULL - CAST(1 AS tinyint);
SELECT NULL * 1e0;
SELECT NULL + NULL;
SELECT -NULL;

-- Expressions over columns of several rows.
SELECT x, x * x, x / 3, x % 3, -x FROM (VALUES (-4), (0), (9)) t(x) ORDER BY x;
SELECT sum(x * 2), max(x) - min(x) FROM (VALUES (1), (2), (3)) t(x);
SELECT x + y FROM (VALUES (CAST(1 AS tinyint), 1000), (CAST(2 AS tinyint), 2000)) t(x, y);

-- Typical queries: parity, integer averages, ratios, ranges.
SELECT x, x % 2 = 0 AS even, x / 2 AS half, x / 2.0 AS exact_half FROM (VALUES (1), (2), (7)) t(x) ORDER BY x;
SELECT x FROM (VALUES (1), (2), (3), (4)) t(x) WHERE x % 2 = 1 ORDER BY x;
SELECT count(*) * 100 / 3, count(*) * 100.0 / 3, count(*) / 3 FROM (VALUES (1), (2)) t(x);
SELECT sum(x) / count(x), sum(x) * 1.0 / count(x), typeof(sum(x) / count(x)) FROM (VALUES (1), (2), (4)) t(x);
SELECT CAST(x AS double) / y, x / CAST(y AS double), 1.0 * x / y FROM (VALUES (1, 4), (3, 2)) t(x, y);
SELECT x * 1000000000 FROM (VALUES (3), (5)) t(x);
SELECT x * 1000000000 FROM (VALUES (3)) t(x) WHERE x > 10;
SELECT CAST(x AS bigint) * 1000000000 FROM (VALUES (3), (5)) t(x);
SELECT x + y, x - y, x * y FROM (VALUES (CAST(9000000000000000000 AS bigint), CAST(-1 AS bigint))) t(x, y);
SELECT -x, x * -1, 0 - x FROM (VALUES (CAST(-2147483647 AS integer))) t(x);
SELECT 2 * x FROM (VALUES (1073741824)) t(x);
SELECT x / y FROM (VALUES (-2147483648, -1)) t(x, y);
SELECT CAST(127 AS tinyint) + 1, typeof(CAST(127 AS tinyint) + 1);
SELECT x - 1 FROM (VALUES (CAST(-32768 AS smallint))) t(x);
SELECT 1e0 * x, typeof(1e0 * x) FROM (VALUES (CAST(7 AS tinyint))) t(x);
SELECT x = 1.0, x = 1e0, x < 1.5, x BETWEEN 0.5 AND 1.5 FROM (VALUES (1)) t(x);
SELECT x > y, x < y, x = y, x <> y FROM (VALUES (1e0, nan()), (nan(), nan()), (-0e0, 0e0)) t(x, y);
SELECT x FROM (VALUES (1e0), (nan()), (3e0)) t(x) WHERE x > 2;
SELECT x FROM (VALUES (1e0), (nan()), (3e0)) t(x) WHERE x <> 3;
SELECT count(*) FROM (VALUES (nan()), (nan()), (1e0)) t(x) WHERE x = x;

-- Number literals with underscores, in hexadecimal, binary and octal.
SELECT 1_000_000, typeof(1_000_000), 1_000_000_000_000, typeof(1_000_000_000_000), 1_000.5, 1.5_0;
SELECT 0x1F, 0X1f, 0b101, 0B11, 0o17, 0O7, 0x_1F, -0x10, X'1F';
SELECT 0x7FFFFFFF, typeof(0x7FFFFFFF), 0x80000000, typeof(0x80000000);
SELECT 0xFFFFFFFFFFFFFFFF;
SELECT 1__0;
SELECT 1 _000;
SELECT 012, typeof(012), 1E+2, 1e-2, .5e1, 5.e1;

-- Counts from functions (an unsigned integer in DataFusion) are bigints in arithmetic.
SELECT cardinality(ARRAY[1, 2, 3]) * 2, typeof(cardinality(ARRAY[1, 2, 3]) * 2), cardinality(ARRAY[1, 2]) / 3.0, cardinality(ARRAY[1, 2]) > 1e0, sqrt(cardinality(ARRAY[1, 2, 3, 4]));
