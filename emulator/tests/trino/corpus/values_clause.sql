-- values_clause: VALUES as a relation and as a query (Trino's "VALUES").
-- (The family `values` is the renderer's self-check, generated from athena_values.json.)

-- Rows of one column, with and without parentheses.
SELECT x FROM (VALUES 1, NULL, 3) t(x);
SELECT x FROM (VALUES (1), (NULL), (3)) t(x);
SELECT x FROM (VALUES 'a', 'bc') t(x);
SELECT * FROM (VALUES 1, 2) t(x) ORDER BY x DESC;
SELECT x FROM (VALUES 1) AS t(x);

-- Several columns.
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(id, name);
SELECT name, id FROM (VALUES (1, 'a', true), (2, NULL, false)) AS t(id, name, flag) WHERE flag;
SELECT id FROM (VALUES (1, 'a'), (2, 'b')) t(id, name) WHERE name = 'b';

-- A bare VALUES query: columns named _col0, _col1, ...
VALUES 1, 2, 3;
VALUES (1, 'a'), (2, 'b');
VALUES ('x');
VALUES 1, NULL;

-- Types: rows coerced to a common type per column.
SELECT x, typeof(x) FROM (VALUES 1, 2.5) t(x);
SELECT x, typeof(x) FROM (VALUES 1, BIGINT '2') t(x);
SELECT x, typeof(x) FROM (VALUES 1, 2e0) t(x);
SELECT x, typeof(x) FROM (VALUES REAL '1.5', 2) t(x);
SELECT x, typeof(x) FROM (VALUES 1.5, 10.25) t(x);
SELECT x, typeof(x) FROM (VALUES NULL, NULL) t(x);
SELECT x, typeof(x) FROM (VALUES (NULL), (1)) t(x);
SELECT a, b, typeof(a), typeof(b) FROM (VALUES (1, NULL), (NULL, 2e0)) t(a, b);
SELECT x FROM (VALUES 1, 'a') t(x);
SELECT * FROM (VALUES (1, 2), (3)) t(a, b);
SELECT x FROM (VALUES DATE '2024-01-02', NULL) t(x);
SELECT x, typeof(x) FROM (VALUES TIMESTAMP '2024-01-02 03:04:05', TIMESTAMP '2024-01-02 03:04:05.123') t(x);
SELECT x, typeof(x) FROM (VALUES true, NULL) t(x);
SELECT x, typeof(x) FROM (VALUES ARRAY[1], ARRAY[2, 3]) t(x);

-- Expressions in rows.
SELECT x FROM (VALUES 1 + 1, abs(-3), CAST('4' AS INTEGER)) t(x);

-- Column aliases: fewer than the columns fails; unaliased columns have no name to select.
SELECT * FROM (VALUES (1, 2)) t(a);
SELECT * FROM (VALUES (1, 2)) t;

-- VALUES in set operations, joins, subqueries and CTEs.
SELECT x FROM (VALUES 1, 2) t(x) UNION ALL SELECT y FROM (VALUES 2, 3) u(y);
SELECT x FROM (VALUES 1, 2, 2) t(x) UNION SELECT y FROM (VALUES 2, 3) u(y);
SELECT x FROM (VALUES 1, 2, 3) t(x) EXCEPT SELECT y FROM (VALUES 2) u(y);
SELECT t.id, u.v FROM (VALUES (1, 'a'), (2, 'b')) t(id, name) JOIN (VALUES (1, 'x'), (3, 'y')) u(id, v) ON t.id = u.id;
WITH v(k, n) AS (VALUES ('a', 1), ('b', 2)) SELECT k, n * 10 FROM v WHERE n > 1;
SELECT x FROM (VALUES 5, 3, 9) t(x) WHERE x > (SELECT min(y) FROM (VALUES 4, 8) u(y)) ORDER BY x;
SELECT count(*), sum(x), avg(x) FROM (VALUES 1, 2, 3, NULL) t(x);
SELECT x, count(*) FROM (VALUES 'a', 'b', 'a', NULL) t(x) GROUP BY x;
SELECT * FROM (VALUES (1, 'x')) t(a, b) CROSS JOIN (VALUES 10, 20) u(c);

-- VALUES with ORDER BY, LIMIT, DISTINCT, signs, UNION.
VALUES (1, 'a'), (2, 'b') ORDER BY 1 DESC;
SELECT * FROM (VALUES ('a', 1), ('b', 2)) AS t (k, v) WHERE v > 1;
SELECT x FROM (VALUES 1, 2, 3) t(x) ORDER BY x LIMIT 2;
SELECT DISTINCT x FROM (VALUES 1, 1, 2) t(x);
SELECT x FROM (VALUES -1, 2, -3.5) t(x);
SELECT x FROM (VALUES 1) t(x) UNION ALL VALUES 2;
VALUES ROW(1, 'a'), ROW(2, 'b');
VALUES (1, ARRAY[1]), (2, NULL);

-- VALUES as an IN list's subquery; rows as grouping sets and IN lists.
SELECT x FROM (VALUES 1, 2) t(x) WHERE x IN (VALUES 2);
SELECT x FROM (VALUES 1, 2, 3) t(x) WHERE x NOT IN (VALUES 1, 3);
SELECT name, active, count(*) FROM people GROUP BY (name, active) ORDER BY name;
SELECT id FROM people WHERE (id, active) IN ((1, true), (2, false)) ORDER BY id;
