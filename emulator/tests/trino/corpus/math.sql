-- math: every function of Trino's "Mathematical functions and operators" page, and
-- greatest/least ("Comparison functions"): each signature, NULLs, zero, negative and
-- huge arguments, special doubles, and the error of invalid arguments.

-- abs keeps the type of its argument; the most negative value of an integer type has no
-- absolute value in that type.
SELECT abs(-5), abs(5), abs(0), typeof(abs(-5));
SELECT abs(CAST(-5 AS tinyint)), typeof(abs(CAST(-5 AS tinyint))), abs(CAST(-300 AS smallint)), typeof(abs(CAST(-300 AS smallint)));
SELECT abs(-9876543210), typeof(abs(-9876543210));
SELECT abs(-12.345), typeof(abs(-12.345)), abs(DECIMAL '-0.00'), abs(DECIMAL '-12345678901234567890.123456789');
SELECT abs(-1.5e0), abs(CAST(-1.5 AS real)), typeof(abs(CAST(-1.5 AS real)));
SELECT abs(-0e0), abs(-infinity()), abs(nan());
SELECT abs(CAST(NULL AS integer)), abs(CAST(NULL AS double));
SELECT abs(CAST(-128 AS tinyint));
SELECT abs(-2147483648);
SELECT abs(-9223372036854775807 - 1);
SELECT abs(x) FROM (VALUES (-3), (0), (7), (NULL)) t(x);
SELECT abs('x');

-- Cube and square roots, exponentials and logarithms: doubles, with NaN and infinities
-- where the mathematics has no finite answer.
SELECT cbrt(27), cbrt(-8.0), cbrt(0e0), cbrt(2e0), typeof(cbrt(27));
SELECT sqrt(4), sqrt(2.25), sqrt(2e0), sqrt(0), typeof(sqrt(4));
SELECT sqrt(-1e0), sqrt(-4), sqrt(infinity()), sqrt(nan());
SELECT exp(0), exp(1), exp(-1e0), exp(710), exp(-1000);
SELECT ln(1), ln(exp(2e0)), ln(0e0), ln(-1e0), ln(10);
SELECT log2(8), log2(1024.0), log2(0), log2(-2), log2(3e0);
SELECT log10(1000), log10(0.001), log10(0), log10(-1), log10(2e0);
SELECT log(2, 8), log(10, 1000), log(2.5, 6.25), log(1, 5), log(0, 5), log(2, 0), log(-2, 8);
SELECT pow(2, 10), power(2.0, -1), pow(-8, 1.0 / 3), power(0, 0), pow(2e0, 0.5), typeof(pow(2, 10));
SELECT power(10, 400), power(-2, 3), power(0, -1), pow(nan(), 0);
SELECT e(), pi(), typeof(pi());
SELECT exp(x), ln(x), sqrt(x) FROM (VALUES (1e0), (4e0), (NULL)) t(x);
SELECT sqrt(NULL), ln(NULL), log(NULL, 2), pow(2, NULL);
SELECT sqrt('4');
SELECT ln();

-- Angles and trigonometry.
SELECT degrees(pi()), degrees(1), radians(180), radians(90.0), degrees(0e0);
SELECT sin(0), cos(0), tan(0), sin(pi() / 2), cos(pi()), tan(pi() / 4);
SELECT sin(1), cos(1), tan(1), sin(-0.5), cos(2.5e0), tan(-1.25e0);
SELECT asin(1), acos(1), atan(1), asin(0.5), acos(-0.5e0), atan(-2);
SELECT asin(2), acos(-1.5e0), atan(infinity());
SELECT atan2(1, 1), atan2(-1, -1), atan2(0, -1), atan2(0e0, 0e0), atan2(1.5, 2.5e0);
SELECT sinh(1), cosh(1), tanh(1), sinh(0), cosh(0), tanh(-0.5), tanh(100);
SELECT sinh(1000), cosh(-1000);
SELECT sin(x), cos(x) FROM (VALUES (0e0), (1e0), (NULL)) t(x);

-- ceil/ceiling and floor keep integer types, give decimal(p-s+1, 0) (or (p, 0)) for a
-- decimal, and round doubles and reals to whole values.
SELECT ceil(1.2), ceiling(-1.2), floor(1.8), floor(-1.8), typeof(ceil(1.2)), typeof(floor(-1.8));
SELECT ceil(5), floor(-5), typeof(ceil(5)), typeof(floor(CAST(5 AS smallint)));
SELECT ceil(9.99), floor(9.99), ceil(DECIMAL '0.001'), floor(DECIMAL '-0.001'), typeof(ceil(9.99));
SELECT ceil(DECIMAL '12345.6789'), floor(DECIMAL '-12345.6789'), typeof(floor(DECIMAL '-12345.6789'));
SELECT ceil(1.2e0), ceiling(-1.5e0), floor(2.7e0), floor(-2.5e0), floor(-0.5e0);
SELECT ceil(CAST(1.2 AS real)), floor(CAST(-1.2 AS real)), typeof(ceil(CAST(1.2 AS real)));
SELECT ceil(nan()), floor(infinity()), ceil(-infinity());
SELECT ceil(x), floor(x) FROM (VALUES (1.25), (-1.25), (NULL)) t(x);

-- round: half away from zero for every type; round(x, d) keeps the type; a negative d
-- rounds to tens, hundreds, ...
SELECT round(2.5), round(-2.5), round(1.49), round(0.5), typeof(round(2.5));
SELECT round(2.5e0), round(-2.5e0), round(0.5e0), round(-0.5e0), round(1.4999999999e0);
SELECT round(CAST(2.5 AS real)), round(CAST(-3.5 AS real)), typeof(round(CAST(2.5 AS real)));
SELECT round(15), round(-15), typeof(round(15)), typeof(round(CAST(15 AS tinyint)));
SELECT round(1.234, 2), round(1.235, 2), round(-1.235, 2), round(1.2, 5), typeof(round(1.235, 2));
SELECT round(123.456, -1), round(123.456, -2), round(150.5, -2), round(123.456, 0), round(999.9, 0);
SELECT round(1.2345e0, 2), round(1.2355e0, 3), round(-1.5e0, 0), round(12345.678e0, -2), round(0.1e0 + 0.2e0, 15);
SELECT round(CAST(1.25 AS real), 1), round(CAST(-1.25 AS real), 1), typeof(round(CAST(1.25 AS real), 1));
SELECT round(1234, -2), round(1250, -2), round(-1250, -2), round(1234, 2), typeof(round(1234, -2));
SELECT round(CAST(125 AS tinyint), -1);
SELECT round(9223372036854775807, -1);
SELECT round(nan()), round(infinity(), 2), round(-infinity());
SELECT round(DECIMAL '99.95', 1), typeof(round(DECIMAL '99.95', 1)), round(DECIMAL '-99.95', 1);
SELECT round(DECIMAL '99.5'), typeof(round(DECIMAL '99.5')), round(DECIMAL '0.5'), typeof(round(DECIMAL '0.5'));
SELECT round(x, 1) FROM (VALUES (1.25), (-1.25), (1.35), (NULL)) t(x);
SELECT round(x, 2) FROM (VALUES (1.005e0), (2.675e0), (-1.115e0)) t(x);
SELECT round(x) FROM (VALUES (2.5e0), (3.5e0), (-2.5e0), (1e300)) t(x);
SELECT round(CAST(NULL AS double)), round(2.5, NULL);

-- truncate: toward zero; truncate(decimal, n) keeps the type.
SELECT truncate(1.9), truncate(-1.9), typeof(truncate(-1.9)), truncate(DECIMAL '12345.678');
SELECT truncate(1.9e0), truncate(-1.9e0), truncate(CAST(-2.7 AS real)), typeof(truncate(CAST(-2.7 AS real)));
SELECT truncate(1.2345, 2), truncate(-1.2345, 2), truncate(123.45, -1), typeof(truncate(1.2345, 2));
SELECT truncate(nan()), truncate(-infinity());
SELECT truncate(5);

-- sign: the type of its argument, decimal(1,0) for a decimal.
SELECT sign(-5), sign(0), sign(7), typeof(sign(7)), sign(CAST(-2 AS tinyint)), sign(-9876543210);
SELECT sign(-2.5), sign(0.0), sign(DECIMAL '12.34'), typeof(sign(DECIMAL '12.34'));
SELECT sign(-2.5e0), sign(0e0), sign(infinity()), sign(nan()), sign(CAST(-0.5 AS real)), typeof(sign(CAST(-0.5 AS real)));

-- mod: the sign of the dividend, the type of its arguments (decimal with Trino's scale),
-- division by zero an error for exact types and NaN for doubles.
SELECT mod(7, 3), mod(-7, 3), mod(7, -3), mod(-7, -3), typeof(mod(7, 3));
SELECT mod(CAST(7 AS tinyint), CAST(3 AS tinyint)), typeof(mod(CAST(7 AS tinyint), CAST(3 AS tinyint))), mod(10000000000, 7), typeof(mod(10000000000, 7));
SELECT mod(7.5, 2), mod(-7.5, 2), mod(5.25, 0.5), typeof(mod(7.5, 2)), mod(10, 0.3);
SELECT mod(7.5e0, 2), mod(-7.5e0, 2), mod(5e0, 0), mod(infinity(), 2), typeof(mod(7.5e0, 2));
SELECT mod(CAST(7.5 AS real), CAST(2 AS real)), typeof(mod(CAST(7.5 AS real), CAST(2 AS real)));
SELECT mod(7, 0);
SELECT mod(7.5, 0);
SELECT mod(x, y) FROM (VALUES (7, 3), (-7, 3), (NULL, 3), (7, NULL)) t(x, y);

-- Floating point values: NaN and the infinities.
SELECT nan(), infinity(), -infinity(), typeof(nan());
SELECT is_nan(nan()), is_nan(1e0), is_nan(0e0 / 0), is_nan(CAST(nan() AS real)), is_nan(NULL);
SELECT is_finite(1e0), is_finite(infinity()), is_finite(nan()), is_infinite(-infinity()), is_infinite(1e308), is_infinite(nan());
SELECT nan() = nan(), nan() <> nan(), infinity() > 1e308, -infinity() < -1e308;
SELECT is_nan(x) FROM (VALUES (1e0), (nan()), (NULL)) t(x);

-- Random numbers: only what does not change between runs.
SELECT rand() >= 0 AND rand() < 1, random() BETWEEN 0 AND 1, typeof(rand()), typeof(random());
SELECT rand(10) BETWEEN 0 AND 9, typeof(rand(10)), typeof(random(CAST(5 AS tinyint))), typeof(rand(10000000000));
SELECT random(5, 6), rand(-3, -2), typeof(random(5, 6));
SELECT rand(0);
SELECT random(5, 5);

-- Bases: from_base and to_base.
SELECT from_base('ff', 16), from_base('-101', 2), from_base('zz', 36), to_base(255, 16), to_base(-5, 2), to_base(0, 7);
SELECT from_base('12', 2);
SELECT to_base(10, 37);

-- width_bucket: equal-width buckets and explicit bins.
SELECT width_bucket(5.3, 0.2, 10.6, 5), width_bucket(-1, 0, 10, 5), width_bucket(10, 0, 10, 5), width_bucket(5, 10, 0, 5);
SELECT width_bucket(3.5, ARRAY[1.0, 2.0, 3.0, 4.0]), width_bucket(0, ARRAY[1.0, 2.0]), width_bucket(5, ARRAY[1.0, 2.0]);
SELECT width_bucket(5, 0, 10, 0);

-- Statistical functions.
SELECT normal_cdf(0, 1, 1.96), inverse_normal_cdf(0, 1, 0.975), beta_cdf(2, 5, 0.5), inverse_beta_cdf(2, 5, 0.5);
SELECT t_cdf(1.5, 10), t_pdf(1.5, 10);
SELECT wilson_interval_lower(1250, 1310, 1.96), wilson_interval_upper(1250, 1310, 1.96);
SELECT inverse_normal_cdf(0, 1, 1.5);

-- Vectors.
SELECT dot_product(ARRAY[1.0, 2.0], ARRAY[3.0, 4.0]), cosine_distance(ARRAY[1.0, 0.0], ARRAY[0.0, 1.0]), cosine_distance(ARRAY[1.0, 2.0], ARRAY[2.0, 4.0]);
SELECT dot_product(ARRAY[1e0, 2e0, 3e0], ARRAY[4e0, 5e0, 6e0]), cosine_similarity(ARRAY[1.0, 2.0], ARRAY[2.0, 4.0]), euclidean_distance(ARRAY[0.0, 0.0], ARRAY[3.0, 4.0]);
SELECT cosine_similarity(MAP(ARRAY['a'], ARRAY[1.0]), MAP(ARRAY['a'], ARRAY[2.0]));
SELECT dot_product(ARRAY[1.0], ARRAY[1.0, 2.0]);
SELECT cosine_distance(ARRAY[1.0, NULL], ARRAY[1.0, 2.0]);

-- greatest and least: the common type of their arguments; NULL when any argument is NULL;
-- NaN is the largest double.
SELECT greatest(1, 2, 3), least(1, 2, 3), greatest(5), least(-1, -5);
SELECT greatest(1, NULL, 3), least(NULL, 2), greatest(CAST(NULL AS integer), 1);
SELECT greatest(1, 2.5), typeof(greatest(1, 2.5)), least(1, 2.5e0), typeof(least(1, 2.5e0));
SELECT greatest(1.5, 2.25), typeof(greatest(1.5, 2.25)), least(CAST(1 AS tinyint), CAST(2 AS smallint)), typeof(least(CAST(1 AS tinyint), CAST(2 AS smallint)));
SELECT greatest(10000000000, 1), typeof(greatest(10000000000, 1)), greatest(CAST(1.5 AS real), 2), typeof(greatest(CAST(1.5 AS real), 2));
SELECT greatest(1e0, nan()), least(1e0, nan()), greatest(-infinity(), -1e308);
SELECT greatest('apple', 'banana'), least('apple', 'Banana'), greatest('', 'a');
SELECT greatest(DATE '2024-01-01', DATE '2023-12-31'), least(TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 00:00:01');
SELECT greatest(true, false), least(true, false);
SELECT greatest(x, y), least(x, y) FROM (VALUES (1, 2), (5, 3), (NULL, 1), (4, 4)) t(x, y);
SELECT greatest(1, 'a');
SELECT greatest(ARRAY[1, 2], ARRAY[1, 3]);

-- typeof: the type of any expression.
SELECT typeof(1), typeof(2147483648), typeof(1.5), typeof(1.50), typeof(1e0), typeof(CAST(1 AS real));
SELECT typeof(NULL), typeof(true), typeof(DATE '2024-01-01'), typeof(X'00'), typeof(ARRAY[1, 2]);
SELECT typeof(CAST(1 AS tinyint)), typeof(CAST(1 AS smallint)), typeof(CAST(1 AS bigint)), typeof(CAST(1 AS decimal(10, 2)));
SELECT typeof(x) FROM (VALUES (1), (2)) t(x);
-- The length of a varchar value (typeof('abc') is varchar(3)).
SELECT typeof('abc');

-- Wilson score intervals: the bounds and invalid arguments.
SELECT wilson_interval_lower(0, 10, 1.96), wilson_interval_upper(10, 10, 1.96), wilson_interval_lower(50, 100, 0), wilson_interval_upper(CAST(3 AS tinyint), 7, 2.5);
SELECT wilson_interval_lower(5, 0, 1.96);
SELECT wilson_interval_upper(11, 10, 1.96);
SELECT wilson_interval_lower(-1, 10, 1.96);
SELECT wilson_interval_upper(1, 10, -1);

-- More arguments of one function: zero, NULL, decimals and mixed types.
SELECT e() * 2, pi() / 2, exp(1) = e(), typeof(e());
SELECT from_base('7fffffffffffffff', 16), from_base('-8000000000000000', 16), to_base(9223372036854775807, 36), from_base(NULL, 2), to_base(5, NULL);
SELECT from_base('8000000000000000', 16);
SELECT from_base('ff', 1);
SELECT width_bucket(NULL, 0, 10, 5), width_bucket(5, 0, 10, NULL), width_bucket(2.5e0, ARRAY[1e0, 2e0, 3e0]), width_bucket(-infinity(), 0, 10, 3);
SELECT width_bucket(nan(), 0, 10, 3);
SELECT width_bucket(1, 0, infinity(), 3);
SELECT width_bucket(1, ARRAY[3.0, 2.0, 1.0]);
SELECT width_bucket(1, CAST(ARRAY[] AS array(double)));
SELECT cosine_similarity(ARRAY[0.0, 0.0], ARRAY[1.0, 2.0]);
SELECT euclidean_distance(ARRAY[1.0, 2.0, 3.0], ARRAY[4.0, 6.0, 3.0]), dot_product(ARRAY[], ARRAY[]), euclidean_distance(ARRAY[1.5e0], ARRAY[-1.5e0]);
SELECT dot_product(ARRAY[1, 2], ARRAY[3, 4]), typeof(dot_product(ARRAY[1, 2], ARRAY[3, 4]));
SELECT log(2, 1024.0), log(10, 0.01), log(0.5, 4), log(NULL, 10), log(2e0, -1);
SELECT log(100);
SELECT power(2, 0.5), power(-2, 0.5), power(1.5, 2), power(2, -1074), power(10, -400), power(1, infinity());
SELECT atan2(0, 0), atan2(-0e0, -1), atan2(1, 0), atan2(infinity(), infinity()), atan2(NULL, 1);
SELECT degrees(-pi()), radians(-90), degrees(infinity()), radians(nan());
SELECT sqrt(1e308), sqrt(4.9e-324), sqrt(CAST(2 AS real)), typeof(sqrt(CAST(2 AS real))), cbrt(-27.0), cbrt(1e-300);
SELECT exp(709), exp(-745), exp(-746), ln(1e-320), ln(infinity()), log10(1e-320), log2(0.5);
SELECT sin(1e10), cos(-1e10), tan(pi()), sin(infinity()), cos(nan()), asin(-1), acos(0), atan(-infinity());
SELECT sinh(-2.5), cosh(0.1), sinh(1e-10), cosh(20), sinh(25), cosh(710), cosh(711);
SELECT tanh(0.5);

-- Typical queries: percentages, rounding for display, buckets, distances.
SELECT round(100.0 * 37 / 120, 2), round(100e0 * 37 / 120, 2), truncate(100.0 * 2 / 3, 1), ceil(37 / 10.0), floor(-37 / 10.0);
SELECT x, round(x * 1.08, 2) AS with_tax, ceil(x) AS up, floor(x) AS down FROM (VALUES (19.99), (5.00), (0.05)) t(x) ORDER BY x;
SELECT round(avg_price, 1) FROM (VALUES (12.345e0), (0.05e0), (99.95e0)) t(avg_price);
SELECT width_bucket(score, 0, 100, 4) AS bucket, count(*) FROM (VALUES (5), (30), (55), (80), (100), (101)) t(score) GROUP BY width_bucket(score, 0, 100, 4) ORDER BY bucket;
SELECT sqrt(power(3 - 0, 2) + power(4 - 0, 2)), abs(-3.5) + abs(2), sign(-10) * sqrt(16), mod(17, 5) + 17 % 5;
SELECT greatest(a, b, c), least(a, b, c) FROM (VALUES (1, 5, 3), (9, 2, 7), (4, 4, NULL)) t(a, b, c);
SELECT greatest(1.5, 2, 3e0), typeof(greatest(1.5, 2, 3e0)), least(CAST(1 AS tinyint), 2.55), typeof(least(CAST(1 AS tinyint), 2.55));
SELECT greatest(x, 0) FROM (VALUES (-5), (0), (5), (NULL)) t(x);
SELECT least(DATE '2024-01-01', TIMESTAMP '2023-06-01 10:00:00');
SELECT greatest(ROW(1, 'b'), ROW(1, 'a'));

-- Bitwise functions (trino.io, "Bitwise functions"): bigints, shifts within the value's
-- width, bit counts of a given width.
SELECT bitwise_and(12, 10), bitwise_or(12, 10), bitwise_xor(12, 10), bitwise_not(12), bitwise_not(-1), typeof(bitwise_and(12, 10));
SELECT bit_count(9, 64), bit_count(-7, 8), bit_count(-1, 64), bit_count(0, 2), bit_count(127, 8);
SELECT bit_count(300, 8);
SELECT bit_count(1, 65);
SELECT bitwise_left_shift(1, 2), bitwise_left_shift(CAST(1 AS tinyint), 7), bitwise_left_shift(CAST(3 AS smallint), 15), bitwise_left_shift(1, 31), bitwise_left_shift(CAST(1 AS bigint), 63), bitwise_left_shift(5, 64);
SELECT bitwise_right_shift(8, 2), bitwise_right_shift(-8, 1), bitwise_right_shift(CAST(-1 AS tinyint), 1), bitwise_right_shift(CAST(-8 AS bigint), 60), bitwise_right_shift(-8, 0), bitwise_right_shift(7, 64);
SELECT bitwise_right_shift_arithmetic(-8, 1), bitwise_right_shift_arithmetic(CAST(-8 AS tinyint), 2), bitwise_right_shift_arithmetic(8, 70), bitwise_right_shift_arithmetic(-8, 70), typeof(bitwise_right_shift_arithmetic(CAST(-8 AS smallint), 2));
SELECT bitwise_left_shift(1, -1), bitwise_right_shift(CAST(-1 AS bigint), -4);
SELECT bitwise_and(x, 1) = 1 AS odd, bitwise_or(x, 256) FROM (VALUES (3), (4), (NULL)) t(x);
SELECT bitwise_and(1.5, 1);
SELECT bitwise_left_shift(1, CAST(2 AS bigint));
