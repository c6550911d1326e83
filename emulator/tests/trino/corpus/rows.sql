-- rows: ROW values ("Structural types" in Trino's "Data types").

-- Constructors: anonymous fields render as {a, b}; named by CAST.
SELECT ROW(1, 'a', NULL), ROW(1), (1, 'x');
SELECT ROW(1, 2.5, 1e0, true, DATE '2024-01-02');
SELECT typeof(ROW(1, true)), typeof(ROW(1, 2.5, NULL)), typeof((1, 2));
SELECT ROW(ROW(1, 'x'), ARRAY[1, 2], map(ARRAY['k'], ARRAY[1]));
SELECT ROW(NULL, NULL), ROW('');

-- CAST to ROW with field names and types.
SELECT CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR));
SELECT CAST(ROW(1, 2) AS ROW(a BIGINT, b DOUBLE)), typeof(CAST(ROW(1, 2) AS ROW(a BIGINT, b DOUBLE)));
SELECT CAST(ROW('1', '2.5') AS ROW(a INTEGER, b DECIMAL(3, 1)));
SELECT CAST(ROW('x') AS ROW(a INTEGER));
SELECT CAST(ROW(1, ROW(2, 'y')) AS ROW(a INTEGER, b ROW(c INTEGER, d VARCHAR)));
SELECT CAST(ROW(1, 2) AS ROW(a INTEGER));
SELECT CAST(NULL AS ROW(a INTEGER, b VARCHAR));
SELECT CAST(ROW(1, 'x') AS ROW(INTEGER, VARCHAR));
SELECT CAST(ROW(1, 'x') AS ROW("First" INTEGER, "second" VARCHAR));

-- Field access by name: on a column, on a parenthesised expression; a missing field.
SELECT r.id, r.name FROM (SELECT CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR)) AS r);
SELECT (CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR))).name;
SELECT r.missing FROM (SELECT CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR)) AS r);
SELECT r.b.c FROM (SELECT CAST(ROW(1, ROW(2, 'y')) AS ROW(a INTEGER, b ROW(c INTEGER, d VARCHAR))) AS r);
SELECT r.id FROM (SELECT CAST(NULL AS ROW(id INTEGER)) AS r);
SELECT t.r.name FROM (SELECT CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR)) AS r) t;
SELECT r[1], r[2] FROM (SELECT ROW(1, 'x') AS r);
SELECT r.name, count(*) FROM (SELECT CAST(ROW(id, name) AS ROW(id INTEGER, name VARCHAR)) AS r FROM (VALUES (1, 'x'), (2, 'x'), (3, 'y')) t(id, name)) GROUP BY r.name;

-- Comparisons: field by field; ordering lexicographic.
SELECT ROW(1, 'a') = ROW(1, 'a'), ROW(1, 'a') = ROW(1, 'b'), ROW(1, 2) <> ROW(1, 3);
SELECT ROW(1, NULL) = ROW(1, NULL), ROW(1, NULL) = ROW(2, NULL), ROW(1, NULL) IS DISTINCT FROM ROW(1, NULL);
SELECT ROW(1, 2) < ROW(1, 3), ROW(2, 0) > ROW(1, 9), ROW(1, 'b') >= ROW(1, 'a');
SELECT ROW(1, 2) = ROW(1.0, 2);
SELECT ROW(1, 2) IN (ROW(1, 2), ROW(3, 4)), ROW(1, 2) BETWEEN ROW(0, 0) AND ROW(1, 5);
SELECT r FROM (SELECT ROW(2, 'a') AS r UNION ALL SELECT ROW(1, 'b') UNION ALL SELECT ROW(1, 'a')) ORDER BY r;
-- A ROW in VALUES is a row of columns, not one column of type row.
SELECT r FROM (VALUES ROW(2, 'a'), ROW(1, 'b')) t(r);
SELECT a, b FROM (VALUES ROW(2, 'a'), ROW(1, 'b')) t(a, b);

-- Rows in arrays and maps.
SELECT ARRAY[CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR)), CAST(ROW(2, NULL) AS ROW(id INTEGER, name VARCHAR))];
SELECT ARRAY[ROW(1, 'x'), ROW(2, 'y')][2];
SELECT CAST(ARRAY[ROW(1, 'x')] AS ARRAY(ROW(id INTEGER, name VARCHAR)));
SELECT map(ARRAY['k'], ARRAY[ROW(1, 2.5)]);
SELECT transform(ARRAY[ROW(1, 'x'), ROW(2, 'y')], r -> r[2]);
SELECT transform(CAST(ARRAY[ROW(1, 'x'), ROW(2, 'y')] AS ARRAY(ROW(id INTEGER, name VARCHAR))), r -> r.name);

-- Rows from tables of VALUES, and as a result column.
SELECT ROW(id, name) FROM (VALUES (1, 'a'), (2, NULL)) t(id, name) ORDER BY id;
SELECT CAST(ROW(id, name) AS ROW(k INTEGER, v VARCHAR)) FROM (VALUES (1, 'a'), (2, NULL)) t(id, name) ORDER BY id;
SELECT r FROM (VALUES (ROW(1, 'a')), (NULL)) t(r);

-- Rows of the columns of a table, and fields of rows inside arrays.
SELECT ROW(id, name) FROM people WHERE id = 1;
SELECT CAST(ROW(id, name) AS ROW(i INTEGER, n VARCHAR)).n FROM people WHERE id = 1;
SELECT a[1].x FROM (VALUES CAST(ARRAY[ROW(1)] AS ARRAY(ROW(x INTEGER)))) t(a);
SELECT reduce(ARRAY[ROW(1, 2), ROW(3, 4)], 0, (s, r) -> s + r[1] * r[2], s -> s);
SELECT filter(a, x -> x.v > 1) FROM (VALUES CAST(ARRAY[ROW(1, 2), ROW(2, 3)] AS ARRAY(ROW(k INTEGER, v INTEGER)))) t(a);
SELECT ROW(1, 2)[3];
SELECT array_sort(ARRAY[ROW(2, 'a'), ROW(1, 'b')]), array_distinct(ARRAY[ROW(1, 'a'), ROW(1, 'a')]);
SELECT ROW(1, 'a') = ROW(1, 'a', 2);
SELECT ARRAY[ROW(1, 'a')] = ARRAY[ROW(1, 'a')], ARRAY[ROW(1, NULL)] = ARRAY[ROW(1, NULL)];

-- Rows in IN, BETWEEN and ORDER BY, with NULL fields.
SELECT ARRAY[1, NULL] IN (ARRAY[1, NULL]), ARRAY[1, 2] IN (ARRAY[1, NULL]), ROW(1, NULL) IN (ROW(1, NULL), ROW(2, 2));
SELECT ROW(1, 2) BETWEEN ROW(1, NULL) AND ROW(2, 0);
SELECT r FROM (SELECT ROW(1, NULL) AS r UNION ALL SELECT ROW(1, 2)) ORDER BY r;
SELECT ARRAY[1, 2] = NULL, NULL <> ROW(1, 2);
SELECT (1, 2) = (1, 2), (id, name) = (1, 'Alice') FROM people WHERE id = 1;
