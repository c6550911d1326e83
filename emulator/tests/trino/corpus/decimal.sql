-- decimal: decimal literals and their types, the precision and scale of the result of
-- + - * / % (Trino's rules), rounding of division, overflow past 38 digits, division by
-- zero, mixing with integers and doubles, and the types of sum/avg/min/max over decimals.

-- Literals: a number with a point is a decimal of as many digits as written.
SELECT 1.5, typeof(1.5), 0.001, typeof(0.001), 123.450, typeof(123.450);
SELECT .5, typeof(.5), 5., typeof(5.), 00012.3400, typeof(00012.3400);
SELECT -1.5, typeof(-1.5), -0.0, typeof(-0.0);
SELECT 12345678901234567890.123456789012345678, typeof(12345678901234567890.123456789012345678);
SELECT 1234567890123456789012345678901234567.8, typeof(1234567890123456789012345678901234567.8);
SELECT 0.00000000000000000000000000000000000001, typeof(0.00000000000000000000000000000000000001);
SELECT 123456789012345678901234567890123456789.5;
SELECT DECIMAL '1.20', typeof(DECIMAL '1.20'), DECIMAL '-007', typeof(DECIMAL '-007'), DECIMAL '.5', typeof(DECIMAL '.5');
SELECT DECIMAL '  1.5 ';
SELECT DECIMAL '+2.50', typeof(DECIMAL '+2.50'), DECIMAL '1.', DECIMAL '-.5';
SELECT DECIMAL '1e2';
SELECT DECIMAL '123456789012345678901234567890123456789';
SELECT DECIMAL 'abc';
SELECT DECIMAL '1.5.5';

-- Addition and subtraction: scale max(s1, s2), precision 1 + max(p1 - s1, p2 - s2) + max(s1, s2).
SELECT 1.5 + 2.25, typeof(1.5 + 2.25), 1.5 - 2.25, typeof(1.5 - 2.25);
SELECT 99.9 + 0.1, typeof(99.9 + 0.1), 0.001 + 1000, typeof(0.001 + 1000);
SELECT 1.5 + 1, typeof(1.5 + 1), 1 - 0.75, typeof(1 - 0.75);
SELECT 1.5 + CAST(1 AS tinyint), typeof(1.5 + CAST(1 AS tinyint)), 1.5 + CAST(1 AS smallint), typeof(1.5 + CAST(1 AS smallint));
SELECT 1.5 + 10000000000, typeof(1.5 + 10000000000), 2.5 - CAST(3 AS bigint), typeof(2.5 - CAST(3 AS bigint));
SELECT DECIMAL '99999999999999999999999999999999999999' + 0, typeof(DECIMAL '99999999999999999999999999999999999999' + 0);
SELECT DECIMAL '99999999999999999999999999999999999999' + 1;
SELECT DECIMAL '-99999999999999999999999999999999999999' - 1;
SELECT DECIMAL '9999999999999999999999999999999999999.9' + DECIMAL '0.01', typeof(DECIMAL '9999999999999999999999999999999999999.9' + DECIMAL '0.01');
SELECT DECIMAL '0.12345678901234567890123456789012345678' + DECIMAL '1.5', typeof(DECIMAL '0.12345678901234567890123456789012345678' + DECIMAL '1.5');
SELECT x + y, x - y FROM (VALUES (1.25, 2.5), (-1.25, 0.5), (NULL, 1.0)) t(x, y);

-- Multiplication: precision p1 + p2, scale s1 + s2.
SELECT 1.5 * 2.25, typeof(1.5 * 2.25), 0.1 * 0.1, typeof(0.1 * 0.1), 1.5 * 2, typeof(1.5 * 2);
SELECT -1.5 * 2.5, 0.0 * -1.5, 12.34 * 10000000000, typeof(12.34 * 10000000000);
SELECT DECIMAL '1234567890.1234567890' * DECIMAL '1234567890.1234567890', typeof(DECIMAL '1234567890.1234567890' * DECIMAL '1234567890.1234567890');
SELECT DECIMAL '12345678901234567890' * DECIMAL '12345678901234567890';
SELECT DECIMAL '0.0000000000000000001' * DECIMAL '0.00000000000000000001', typeof(DECIMAL '0.0000000000000000001' * DECIMAL '0.00000000000000000001');
SELECT DECIMAL '0.00000000000000000001' * DECIMAL '0.00000000000000000001';
SELECT x * y FROM (VALUES (1.25, 2.5), (-1.25, 0.5), (2.00, NULL)) t(x, y);

-- Division: scale max(s1, s2), rounded half up; by zero an error.
SELECT 1.0 / 3, typeof(1.0 / 3), 2.0 / 3, 10.00 / 4, typeof(10.00 / 4);
SELECT 1 / 3.0, typeof(1 / 3.0), 7.5 / 2.5, typeof(7.5 / 2.5), 1.000 / 7, typeof(1.000 / 7);
SELECT -1.0 / 3, -2.0 / 3, 2.0 / -3, -5.0 / -2, 0.5 / 0.3;
SELECT 100.50 / 0.25, typeof(100.50 / 0.25), 1 / 0.0003, typeof(1 / 0.0003);
SELECT 12345678901234567890.12 / 0.01, typeof(12345678901234567890.12 / 0.01);
SELECT DECIMAL '99999999999999999999999999999999999999' / DECIMAL '0.1';
SELECT DECIMAL '1' / DECIMAL '0.00000000000000000000000000000000000003', typeof(DECIMAL '1' / DECIMAL '0.00000000000000000000000000000000000003');
SELECT 1.5 / 0;
SELECT 1.5 / 0.0;
SELECT x / y FROM (VALUES (1.0, 3.0), (-2.0, 3.0), (5.0, NULL)) t(x, y);
SELECT x / y FROM (VALUES (1.0, 0.0)) t(x, y);

-- Modulus: the sign of the dividend.
SELECT 10.5 % 3, typeof(10.5 % 3), -10.5 % 3, 10.5 % -3, 5.25 % 0.5, typeof(5.25 % 0.5);
SELECT 7.5 % 2.25, typeof(7.5 % 2.25), 100 % 0.7, typeof(100 % 0.7), 12.345 % 10000000000, typeof(12.345 % 10000000000);
SELECT 1.5 % 0;
SELECT x % y FROM (VALUES (10.5, 3.0), (-10.5, 3.0), (NULL, 1.0)) t(x, y);

-- Unary minus and plus keep the type.
SELECT -(1.50), typeof(-(1.50)), -(-1.5);
-- Trino has no unary plus for decimals.
SELECT +1.5;
SELECT -x FROM (VALUES (1.25), (-0.50), (NULL)) t(x);

-- With doubles and reals the result is a double (real).
SELECT 1.5 + 1e0, typeof(1.5 + 1e0), 1.5 * CAST(2 AS real), typeof(1.5 * CAST(2 AS real)), 1.0 / 3e0;
SELECT 0.1 + 0.2, 0.1e0 + 0.2e0, CAST(0.1 AS double) + CAST(0.2 AS double);

-- Comparisons between decimals of different scales, integers and doubles.
SELECT 1.5 = 1.50, 1.5 < 1.51, 2 = 2.0, 2 > 1.99, 1.5 = 1.5e0, 0.1 + 0.2 = 0.3, 0.1e0 + 0.2e0 = 0.3e0;
SELECT 1.5 BETWEEN 1 AND 2, 2.5 IN (1, 2.5, 3), -0.0 = 0.0, DECIMAL '1.000' <> 1;
SELECT x FROM (VALUES (1.5), (2.25), (-3.0), (NULL)) t(x) ORDER BY x;
SELECT x FROM (VALUES (1.5), (2.25), (-3.0)) t(x) WHERE x > 1 ORDER BY x DESC;

-- Aggregates over decimals: sum is decimal(38, s), avg keeps the type (rounded half up),
-- min and max keep it.
SELECT sum(x), typeof(sum(x)) FROM (VALUES (1.25), (2.50), (NULL)) t(x);
SELECT sum(x), typeof(sum(x)) FROM (VALUES (CAST(1.25 AS decimal(10, 2))), (CAST(2.50 AS decimal(10, 2)))) t(x);
SELECT avg(x), typeof(avg(x)) FROM (VALUES (1.25), (2.50), (NULL)) t(x);
SELECT avg(x), typeof(avg(x)) FROM (VALUES (1.00), (2.00), (2.00)) t(x);
SELECT avg(x), typeof(avg(x)) FROM (VALUES (0.01), (0.02)) t(x);
SELECT avg(x) FROM (VALUES (-0.01), (-0.02)) t(x);
SELECT avg(x), typeof(avg(x)) FROM (VALUES (CAST(10 AS decimal(12, 0))), (CAST(15 AS decimal(12, 0)))) t(x);
SELECT min(x), max(x), typeof(min(x)), typeof(max(x)) FROM (VALUES (1.25), (-2.50), (10.00)) t(x);
SELECT sum(x), avg(x), min(x), max(x), count(x) FROM (VALUES (CAST(NULL AS decimal(5, 2)))) t(x);
SELECT k, sum(x), avg(x) FROM (VALUES ('a', 1.5), ('a', 2.0), ('b', 0.25)) t(k, x) GROUP BY k ORDER BY k;
SELECT sum(x) FROM (VALUES (DECIMAL '99999999999999999999999999999999999999'), (DECIMAL '1')) t(x);
SELECT sum(x) * 2, typeof(sum(x) * 2) FROM (VALUES (1.5), (2.5)) t(x);

-- Decimals in other expressions.
SELECT CASE WHEN true THEN 1.5 ELSE 2.25 END, typeof(CASE WHEN true THEN 1.5 ELSE 2.25 END);
SELECT coalesce(NULL, 1.5), typeof(coalesce(NULL, 1.5)), coalesce(1.5, 2), typeof(coalesce(1.5, 2));
SELECT x FROM (VALUES (1.5), (22.25)) t(x);
SELECT typeof(x) FROM (VALUES (1.5), (22.25)) t(x);
SELECT ARRAY[1.5, 22.25], typeof(ARRAY[1.5, 22.25]);

-- Typical queries: money, quantities, percentages.
SELECT price * qty AS total, typeof(price * qty) FROM (VALUES (CAST(19.99 AS decimal(10, 2)), 3), (CAST(0.10 AS decimal(10, 2)), 7)) t(price, qty);
SELECT sum(price * qty), typeof(sum(price * qty)) FROM (VALUES (CAST(19.99 AS decimal(10, 2)), 3), (CAST(0.10 AS decimal(10, 2)), 7)) t(price, qty);
SELECT round(price * 1.0825, 2), typeof(round(price * 1.0825, 2)) FROM (VALUES (CAST(19.99 AS decimal(10, 2)))) t(price);
SELECT CAST(amount AS decimal(12, 2)) / 3, typeof(CAST(amount AS decimal(12, 2)) / 3) FROM (VALUES (100)) t(amount);
SELECT 100 * part / total, 100.0 * part / total, typeof(100.0 * part / total) FROM (VALUES (1, 3), (2, 3)) t(part, total);
SELECT avg(price), sum(price), min(price), max(price) FROM (VALUES (CAST(10.10 AS decimal(6, 2))), (CAST(20.25 AS decimal(6, 2))), (CAST(30.40 AS decimal(6, 2)))) t(price);
SELECT k, avg(v), sum(v) FROM (VALUES ('x', 1.1), ('x', 1.2), ('y', 10.0), ('y', NULL)) t(k, v) GROUP BY k ORDER BY k;
SELECT sum(DISTINCT v), avg(DISTINCT v) FROM (VALUES (1.5), (1.5), (2.5)) t(v);
SELECT x, sum(x) OVER (ORDER BY x), avg(x) OVER (ORDER BY x) FROM (VALUES (1.5), (2.5), (4.0)) t(x) ORDER BY x;
SELECT x FROM (VALUES (1), (2.5)) t(x);
SELECT typeof(x) FROM (VALUES (1), (2.5)) t(x);
SELECT x * 2, x / 4, x % 0.3 FROM (VALUES (DECIMAL '10.50')) t(x);
SELECT DECIMAL '12345678901234567890.12345678' * 10, typeof(DECIMAL '12345678901234567890.12345678' * 10);
SELECT DECIMAL '0.1' + DECIMAL '0.2' = DECIMAL '0.3', 0.1 * 3 = 0.3, 1 / 3.0 * 3;
SELECT -x, abs(x), sign(x) FROM (VALUES (DECIMAL '-0.05'), (DECIMAL '0.00')) t(x);
SELECT CAST(10 AS decimal(5, 0)) / CAST(4 AS decimal(5, 0)), CAST(10 AS decimal(5, 0)) / CAST(4 AS decimal(5, 2)), CAST(10 AS decimal(5, 2)) / CAST(4 AS decimal(5, 0));
SELECT DECIMAL '1' / DECIMAL '3', DECIMAL '1.000000' / DECIMAL '3', DECIMAL '2' / DECIMAL '3', DECIMAL '-2' / DECIMAL '3';
SELECT CAST(1 AS decimal(38, 0)) / CAST(3 AS decimal(38, 10)), typeof(CAST(1 AS decimal(38, 0)) / CAST(3 AS decimal(38, 10)));
SELECT CAST(2 AS decimal(20, 10)) * CAST(3 AS decimal(20, 10)), typeof(CAST(2 AS decimal(20, 10)) * CAST(3 AS decimal(20, 10)));

-- Numbers of several types in one column take Trino's common type: integers widen, a
-- bigint with a decimal is decimal(19 + s, s), anything with a double is a double.
SELECT coalesce(x, 0.0), typeof(coalesce(x, 0.0)) FROM (VALUES (1.5e0), (NULL)) t(x);
SELECT coalesce(x, 0), typeof(coalesce(x, 0)) FROM (VALUES (2.25), (NULL)) t(x);
SELECT CASE WHEN x > 1 THEN x ELSE 0.5 END, typeof(CASE WHEN x > 1 THEN x ELSE 0.5 END) FROM (VALUES (1.5e0), (0.5e0)) t(x);
SELECT CASE WHEN true THEN CAST(1 AS bigint) ELSE 2.5 END, typeof(CASE WHEN true THEN CAST(1 AS bigint) ELSE 2.5 END);
SELECT if(x > 1, x, 0.25), typeof(if(x > 1, x, 0.25)) FROM (VALUES (2e0)) t(x);
SELECT CASE WHEN x > 1 THEN x * 1.5 ELSE x END FROM (VALUES (1), (2)) t(x);
SELECT coalesce(c, 1) + 1 FROM (SELECT coalesce(x, 0.0) AS c FROM (VALUES (1.5e0), (NULL)) t(x)) s;
SELECT x FROM (VALUES (1), (2.5), (3e0)) t(x);
SELECT typeof(x) FROM (VALUES (1), (2.5), (3e0)) t(x);
SELECT x, typeof(x) FROM (VALUES (CAST(1 AS tinyint)), (1000)) t(x);
SELECT x, y FROM (VALUES (1, 1e0), (2, 2.5)) t(x, y);
SELECT x FROM (VALUES (1.5e0)) t(x) UNION ALL SELECT 2.5;
SELECT x FROM (VALUES (CAST(1 AS bigint))) t(x) UNION ALL SELECT 2.5;
SELECT x FROM (VALUES (1)) t(x) UNION SELECT 2.5 UNION SELECT 3e0;
SELECT ARRAY[x, 0.5], typeof(ARRAY[x, 0.5]) FROM (VALUES (2e0)) t(x);
SELECT 1.5e0 IN (1.5, 2), 0.1e0 IN (0.1), x IN (1, 2.5), x BETWEEN 0.5 AND 3 FROM (VALUES (2.5e0)) t(x);
SELECT x FROM (VALUES (1), (2), (3)) t(x) WHERE x IN (1.0, 3.5);

-- Decimal sums and averages compared and computed with, filtered and over windows.
SELECT k, sum(v) FROM (VALUES ('a', 1.10), ('a', 2.205), ('b', 3.0)) t(k, v) GROUP BY k HAVING sum(v) > 3 ORDER BY k;
SELECT k, avg(v) FROM (VALUES ('a', 1.10), ('a', 2.205), ('b', 3.0)) t(k, v) GROUP BY k ORDER BY avg(v) DESC;
SELECT sum(v) FILTER (WHERE v > 1), avg(v) FILTER (WHERE v > 1), sum(v) + 0.5, avg(v) * 2 FROM (VALUES (1.5), (0.5), (2.5)) t(v);
SELECT v, sum(v) OVER (ORDER BY v ROWS UNBOUNDED PRECEDING), avg(v) OVER (PARTITION BY v > 1) FROM (VALUES (1.5), (0.5), (2.5)) t(v) ORDER BY v;
SELECT count(DISTINCT v), sum(DISTINCT v), avg(DISTINCT v) FROM (VALUES (1.5), (1.5), (2.25), (NULL)) t(v);
SELECT sum(x), avg(x) FROM (VALUES (CAST(1 AS decimal(3, 0))), (CAST(2 AS decimal(3, 0)))) t(x) WHERE x > 5;
