-- unnest: UNNEST in FROM (Trino's "SELECT", UNNEST).

-- Arrays: one row per element, NULL elements kept; empty and NULL arrays give no rows.
SELECT x FROM UNNEST(ARRAY[1, 2, 3]) AS t(x);
SELECT x FROM UNNEST(ARRAY['a', NULL, 'c']) AS t(x);
SELECT x FROM UNNEST(ARRAY[]) AS t(x);
SELECT x FROM UNNEST(CAST(NULL AS ARRAY(INTEGER))) AS t(x);
SELECT * FROM UNNEST(ARRAY[1.5, 2]) AS t(x);
SELECT x FROM UNNEST(ARRAY[ARRAY[1, 2], ARRAY[3]]) AS t(x);
SELECT count(*), sum(x) FROM UNNEST(sequence(1, 1000)) AS t(x);
SELECT x FROM UNNEST(ARRAY[3, 1, 2]) AS t(x) ORDER BY x DESC;
SELECT * FROM UNNEST(ARRAY[1, 2]);
SELECT x * 2 AS doubled FROM UNNEST(ARRAY[1, 2]) t(x) WHERE x > 1;

-- Maps: a key column and a value column.
SELECT k, v FROM UNNEST(map(ARRAY['a', 'b'], ARRAY[1, 2])) AS t(k, v);
SELECT * FROM UNNEST(map(ARRAY[1], ARRAY[NULL])) AS t(k, v);
SELECT k, v FROM UNNEST(map()) AS t(k, v);

-- Arrays of rows: one column per field.
SELECT id, name FROM UNNEST(ARRAY[ROW(1, 'a'), ROW(2, 'b')]) AS t(id, name);
SELECT * FROM UNNEST(CAST(ARRAY[ROW(1, 'a')] AS ARRAY(ROW(id INTEGER, name VARCHAR))));
SELECT a, b FROM UNNEST(ARRAY[ROW(1, 'a'), NULL]) AS t(a, b);

-- Several arguments side by side, the shorter padded with NULLs.
SELECT x, y FROM UNNEST(ARRAY[1, 2, 3], ARRAY['a', 'b']) AS t(x, y);
SELECT x, k, v FROM UNNEST(ARRAY[1], map(ARRAY['p', 'q'], ARRAY[10, 20])) AS t(x, k, v);
SELECT x, y FROM UNNEST(ARRAY[1, 2], CAST(NULL AS ARRAY(VARCHAR))) AS t(x, y);

-- WITH ORDINALITY: the position, a bigint from 1.
SELECT x, n FROM UNNEST(ARRAY['a', 'b', 'c']) WITH ORDINALITY AS t(x, n);
SELECT x, y, n FROM UNNEST(ARRAY[1, 2, 3], ARRAY['a']) WITH ORDINALITY AS t(x, y, n);
SELECT k, v, n FROM UNNEST(map(ARRAY['a'], ARRAY[1])) WITH ORDINALITY AS t(k, v, n);
SELECT typeof(n) FROM UNNEST(ARRAY[1]) WITH ORDINALITY AS t(x, n);

-- CROSS JOIN UNNEST over the rows of a relation (lateral).
SELECT id, x FROM (VALUES (1, ARRAY[10, 20]), (2, ARRAY[30])) t(id, a) CROSS JOIN UNNEST(a) AS u(x);
SELECT id, x FROM (VALUES (1, ARRAY[10, 20]), (2, ARRAY[]), (3, NULL)) t(id, a) CROSS JOIN UNNEST(a) AS u(x);
SELECT id, x, n FROM (VALUES (1, ARRAY['a', 'b']), (2, ARRAY['c'])) t(id, a) CROSS JOIN UNNEST(a) WITH ORDINALITY AS u(x, n);
SELECT id, k, v FROM (VALUES (1, map(ARRAY['a', 'b'], ARRAY[1, 2])), (2, map(ARRAY['c'], ARRAY[3]))) t(id, m) CROSS JOIN UNNEST(m) AS u(k, v);
SELECT id, x, y FROM (VALUES (1, ARRAY[1, 2], ARRAY['a'])) t(id, a, b) CROSS JOIN UNNEST(a, b) AS u(x, y);
SELECT id, f1, f2 FROM (VALUES (1, ARRAY[ROW('p', 1), ROW('q', 2)])) t(id, a) CROSS JOIN UNNEST(a) AS u(f1, f2);
SELECT id, count(*) FROM (VALUES (1, ARRAY[1, 2, 3]), (2, ARRAY[4])) t(id, a) CROSS JOIN UNNEST(a) AS u(x) GROUP BY id;
SELECT id, sum(x) FROM (VALUES (1, ARRAY[1, 2, 3]), (2, ARRAY[4])) t(id, a), UNNEST(a) AS u(x) GROUP BY id;
SELECT t.id, u.tag FROM (VALUES (1, 'a,b'), (2, 'c')) t(id, tags) CROSS JOIN UNNEST(split(tags, ',')) AS u(tag);

-- UNNEST in subqueries and with aggregates.
SELECT max(x), min(x) FROM UNNEST(ARRAY[5, -1, 3]) AS t(x);
SELECT (SELECT sum(x) FROM UNNEST(ARRAY[1, 2, 3]) AS t(x));
SELECT x FROM UNNEST(ARRAY[1, 2, 3]) AS t(x) WHERE x IN (SELECT y FROM UNNEST(ARRAY[2, 3, 4]) AS u(y));

-- UNNEST over the rows of a table, two UNNESTs, UNNEST of a lambda's result.
SELECT p.id, t.n FROM people p CROSS JOIN UNNEST(sequence(1, p.id)) AS t(n) WHERE p.id <= 2 ORDER BY p.id, t.n;
SELECT x, y FROM UNNEST(ARRAY[1, 2]) AS t(x), UNNEST(ARRAY['a']) AS u(y);
SELECT * FROM (VALUES (1, ARRAY['a', 'b'])) t(id, tags) CROSS JOIN UNNEST(tags) WITH ORDINALITY AS u(tag, pos);
SELECT sum(x) FROM UNNEST(transform(sequence(1, 4), x -> x * x)) AS t(x);
SELECT * FROM UNNEST(ARRAY[1, 2], ARRAY['a']) WITH ORDINALITY;
SELECT * FROM UNNEST(map(ARRAY['a'], ARRAY[1]));
SELECT * FROM UNNEST(ARRAY[ROW(1, 'a')]);

-- LEFT JOIN UNNEST ... ON true keeps a row whose arrays are empty or NULL, with NULLs.
SELECT id, x FROM (VALUES (1, ARRAY[10, 20]), (2, ARRAY[]), (3, NULL)) t(id, a) LEFT JOIN UNNEST(a) AS u(x) ON true;
SELECT id, x, n FROM (VALUES (1, ARRAY['a', 'b']), (2, ARRAY[])) t(id, a) LEFT JOIN UNNEST(a) WITH ORDINALITY AS u(x, n) ON true;
SELECT id, k, v FROM (VALUES (1, map(ARRAY['a'], ARRAY[1])), (2, map())) t(id, m) LEFT JOIN UNNEST(m) AS u(k, v) ON true;
SELECT id, x, y FROM (VALUES (1, ARRAY[1], ARRAY['a', 'b']), (2, ARRAY[], ARRAY[])) t(id, a, b) LEFT JOIN UNNEST(a, b) AS u(x, y) ON true;
SELECT id, f, g FROM (VALUES (1, ARRAY[ROW(1, 'a')]), (2, ARRAY[])) t(id, a) LEFT JOIN UNNEST(a) AS u(f, g) ON true;
SELECT p.id, u.x FROM people p LEFT JOIN UNNEST(filter(ARRAY[1, 2, 3], x -> x < p.id)) AS u(x) ON true ORDER BY p.id, u.x;
SELECT count(*) FROM (VALUES (1, ARRAY[10, 20]), (2, ARRAY[])) t(id, a) LEFT JOIN UNNEST(a) AS u(x) ON true;
-- Another join condition on an UNNEST: Trino refuses it.
SELECT id, x FROM (VALUES (1, ARRAY[10, 20])) t(id, a) LEFT JOIN UNNEST(a) AS u(x) ON x > 10;
