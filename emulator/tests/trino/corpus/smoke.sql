-- smoke: one case or two for every path of the recorder and the renderer.
-- Errors.
SELECT 2147483647 + 1;
SELECT CAST('abc' AS INTEGER);
SELECT * FROM no_such_table;
SELEC 1;

-- Strings and NULL handling.
SELECT substr('hello', -3);
SELECT concat('a', NULL, 'b');
SELECT 'a' || 'b', length(''), upper('émile');
SELECT greatest(1, NULL, 3);
SELECT coalesce(NULL, 'x'), nullif(1, 1);

-- Numbers.
SELECT 1.0 / 3;
SELECT CAST(12.5 AS INTEGER), CAST(-12.5 AS INTEGER);
SELECT 7 / 2, 7 % 3, -7 / 2;
SELECT 1e0 / 3, CAST(1 AS REAL) / 3, sqrt(-1e0);

-- Ordering: outermost ORDER BY makes the row order part of the answer.
SELECT x FROM (VALUES 1, NULL, 3) t(x) ORDER BY x DESC;
SELECT x FROM (VALUES 3, 1, 2) t(x);
SELECT x, row_number() OVER (ORDER BY x) FROM (VALUES 'b', 'a') t(x);

-- Nested values.
SELECT ARRAY[1, NULL, 3], ARRAY['a, b', 'c'];
SELECT MAP(ARRAY['k1', 'k2'], ARRAY[1.5E0, NULL]);
SELECT MAP(ARRAY[1, 2], ARRAY[ARRAY[1], ARRAY[]]);
SELECT CAST(ROW(1, 'x', NULL) AS ROW(id INTEGER, name VARCHAR, missing DOUBLE)), ROW(1, 'x');
SELECT ARRAY[MAP(ARRAY[to_utf8('k')], ARRAY[DECIMAL '1.50'])];

-- Dates and times (the session zone is UTC, as Athena's).
SELECT TIMESTAMP '2024-01-02 03:04:05.123 UTC', TIMESTAMP '2024-01-02 03:04:05 +05:30';
SELECT DATE '2024-02-29' + INTERVAL '1' DAY, TIMESTAMP '2024-01-02 03:04:05' - INTERVAL '1' HOUR;
SELECT from_unixtime(0), date_diff('day', DATE '2024-01-01', DATE '2024-03-01');

-- Binary, json.
SELECT to_utf8('hello'), from_hex('00ff');
SELECT json_parse('{"b": 1, "a": [true, null]}'), json_extract_scalar('{"a": "x"}', '$.a');

-- Tables (testdata/trino/tables/), referred to unqualified.
SELECT * FROM people ORDER BY id;
SELECT name, name IS NULL, length(name) FROM people WHERE id IN (3, 4);
SELECT count(*), count(name), count(score), sum(score), avg(score) FROM people;
SELECT * FROM orders;
SELECT p.name, sum(o.amount) AS total
FROM people p
JOIN orders o ON o.person_id = p.id
GROUP BY p.name
ORDER BY total DESC;
SELECT active, count(*) FROM people GROUP BY active;
