-- arrays: Trino's "Array functions and operators" and the ARRAY type.

-- Constructors: element types are coerced to a common type; NULL elements stay.
SELECT ARRAY[1, 2, 3];
SELECT ARRAY[1, NULL, 3], ARRAY[NULL, NULL];
SELECT ARRAY[1, 2.5], ARRAY[1, 2e0], ARRAY[1, BIGINT '2'];
SELECT ARRAY['a', 'bc', ''], ARRAY['é', '日本'];
SELECT ARRAY[true, false, NULL];
SELECT ARRAY[DATE '2024-01-02', NULL], ARRAY[TIMESTAMP '2024-01-02 03:04:05.123'];
SELECT ARRAY[ARRAY[1, 2], ARRAY[3], ARRAY[], NULL];
SELECT ARRAY[ROW(1, 'a'), ROW(2, 'b')];
SELECT typeof(ARRAY[1, 2]), typeof(ARRAY[1, 2.5]), typeof(ARRAY[true]), typeof(ARRAY[DATE '2024-01-02']);
SELECT typeof(ARRAY[ARRAY[1]]), typeof(ARRAY[1e0]), typeof(ARRAY[NULL]);
SELECT ARRAY[], typeof(ARRAY[]);
SELECT ARRAY[1, 'a'];
SELECT CAST(ARRAY[1, 2] AS ARRAY(VARCHAR)), CAST(ARRAY['1', '2'] AS ARRAY(BIGINT));
SELECT CAST(ARRAY['1', 'x'] AS ARRAY(INTEGER));
SELECT CAST(NULL AS ARRAY(INTEGER)), CAST(ARRAY[] AS ARRAY(INTEGER));

-- Subscript: 1-based; out of range and 0 fail, a NULL index or array gives NULL.
SELECT ARRAY[10, 20, 30][1], ARRAY[10, 20, 30][3];
SELECT ARRAY['a', 'b'][2], ARRAY[ARRAY[1, 2], ARRAY[3]][1][2];
SELECT ARRAY[10, 20, 30][4];
SELECT ARRAY[10, 20, 30][0];
SELECT ARRAY[10, 20, 30][-1];
SELECT ARRAY[10, NULL, 30][2], ARRAY[10, 20][CAST(NULL AS INTEGER)];
SELECT CAST(NULL AS ARRAY(INTEGER))[1];
SELECT a[2] FROM (VALUES ARRAY[1, 2, 3], ARRAY[4, 5]) t(a);
SELECT a[3] FROM (VALUES ARRAY[1, 2, 3], ARRAY[4, 5]) t(a);

-- element_at: negative indexes count from the end; out of range is NULL; 0 fails.
SELECT element_at(ARRAY[10, 20, 30], 1), element_at(ARRAY[10, 20, 30], 3);
SELECT element_at(ARRAY[10, 20, 30], -1), element_at(ARRAY[10, 20, 30], -3);
SELECT element_at(ARRAY[10, 20, 30], 4), element_at(ARRAY[10, 20, 30], -4);
SELECT element_at(ARRAY[10, 20, 30], 0);
SELECT element_at(ARRAY['a', NULL], 2), element_at(ARRAY[1], NULL), element_at(CAST(NULL AS ARRAY(INTEGER)), 1);
SELECT element_at(ARRAY[1, 2], BIGINT '2'), element_at(ARRAY[], 1);

-- Concatenation with || and concat: arrays with arrays or elements.
SELECT ARRAY[1] || ARRAY[2], ARRAY[1] || 2, 2 || ARRAY[1];
SELECT ARRAY[1, 2] || ARRAY[2.5], ARRAY['a'] || CAST(NULL AS VARCHAR);
SELECT ARRAY[1] || CAST(NULL AS ARRAY(INTEGER));
SELECT concat(ARRAY[1, 2], ARRAY[3], ARRAY[4, 5]), concat(ARRAY[1], 2), concat(0, ARRAY[1]);
SELECT ARRAY[ARRAY[1]] || ARRAY[2];
SELECT ARRAY[] || ARRAY[1];

-- Comparisons: equality element by element; ordering lexicographic.
SELECT ARRAY[1, 2] = ARRAY[1, 2], ARRAY[1, 2] = ARRAY[2, 1], ARRAY[1, 2] <> ARRAY[1];
SELECT ARRAY[1, NULL] = ARRAY[1, NULL], ARRAY[1, NULL] = ARRAY[2, NULL];
SELECT ARRAY[1, 2] < ARRAY[1, 3], ARRAY[1, 2] < ARRAY[1, 2, 0], ARRAY[2] > ARRAY[1, 9];
SELECT ARRAY[1, 2] IS DISTINCT FROM ARRAY[1, NULL], ARRAY[NULL] IS DISTINCT FROM ARRAY[NULL];
SELECT ARRAY[1, 2] IN (ARRAY[1], ARRAY[1, 2]);
SELECT a FROM (VALUES ARRAY[2, 1], ARRAY[1, 5], ARRAY[1]) t(a) ORDER BY a;

-- cardinality
SELECT cardinality(ARRAY[1, 2, NULL]), cardinality(ARRAY[]), cardinality(CAST(NULL AS ARRAY(INTEGER)));
SELECT cardinality(ARRAY[ARRAY[1, 2], ARRAY[3, 4, 5]]), cardinality(ARRAY[ARRAY[1, 2], NULL]), cardinality(ARRAY[NULL]);

-- contains, array_position (0 when absent; NULL elements are not found by NULL)
SELECT contains(ARRAY[1, 2, 3], 2), contains(ARRAY[1, 2, 3], 5), contains(ARRAY['a'], 'a');
SELECT contains(ARRAY[1, NULL], 2), contains(ARRAY[1, NULL], 1), contains(ARRAY[1], NULL);
SELECT contains(ARRAY[1, 2], 2.0), contains(CAST(NULL AS ARRAY(INTEGER)), 1);
SELECT array_position(ARRAY[10, 20, 10], 10), array_position(ARRAY[10, 20], 30), array_position(ARRAY['a', 'b'], 'b');
SELECT array_position(ARRAY[1, NULL], NULL), array_position(ARRAY[1, NULL, 2], 2);
SELECT array_position(ARRAY[10, 20, 10], 10, 2), array_position(ARRAY[10, 20, 10], 10, -1), array_position(ARRAY[10, 20, 10], 10, 3);

-- array_distinct, array_remove
SELECT array_distinct(ARRAY[1, 2, 1, 3, 2]), array_distinct(ARRAY['b', 'a', 'b']);
SELECT array_distinct(ARRAY[1, NULL, 1, NULL]), array_distinct(ARRAY[]), array_distinct(CAST(NULL AS ARRAY(INTEGER)));
SELECT array_distinct(ARRAY[nan(), nan(), 1e0]);
SELECT array_remove(ARRAY[1, 2, 1, 3], 1), array_remove(ARRAY['a', 'b'], 'c'), array_remove(ARRAY[1, NULL, 2], 2);
SELECT array_remove(ARRAY[1, 2], NULL), array_remove(ARRAY[1, 1], 1);

-- Set operations: no duplicates; order of first appearance.
SELECT array_intersect(ARRAY[1, 2, 3, 2], ARRAY[2, 3, 4]), array_intersect(ARRAY[1], ARRAY[2]);
SELECT array_intersect(ARRAY[1, NULL], ARRAY[NULL, 2]), array_intersect(ARRAY[5, 1, 5, 3], ARRAY[3, 5]);
SELECT array_union(ARRAY[1, 2, 2], ARRAY[3, 1]), array_union(ARRAY[1, NULL], ARRAY[NULL]);
SELECT array_except(ARRAY[1, 2, 3, 1], ARRAY[2]), array_except(ARRAY[1, NULL, NULL], ARRAY[1]);
SELECT array_union(ARRAY[1], ARRAY[2.5]), array_except(ARRAY['a', 'b'], ARRAY[]);
SELECT arrays_overlap(ARRAY[1, 2], ARRAY[2, 3]), arrays_overlap(ARRAY[1], ARRAY[2]);
SELECT arrays_overlap(ARRAY[1, NULL], ARRAY[2]), arrays_overlap(ARRAY[1, NULL], ARRAY[1]), arrays_overlap(ARRAY[], ARRAY[1]);
SELECT array_intersect(CAST(NULL AS ARRAY(INTEGER)), ARRAY[1]), array_union(ARRAY[1], CAST(NULL AS ARRAY(INTEGER)));

-- array_join: NULL elements skipped, or replaced with the third argument.
SELECT array_join(ARRAY['a', 'b', 'c'], ', '), array_join(ARRAY[1, 2, 3], '-');
SELECT array_join(ARRAY['a', NULL, 'c'], ','), array_join(ARRAY['a', NULL, 'c'], ',', 'N');
SELECT array_join(ARRAY[], ','), array_join(ARRAY[NULL], ','), array_join(ARRAY['x'], NULL);
SELECT array_join(ARRAY[1.5, 2.25], '|'), array_join(ARRAY[true, false], ' '), array_join(ARRAY[BIGINT '10', -3], ';');
SELECT array_join(ARRAY[DATE '2024-01-02'], ',');

-- array_max, array_min: NULL when an element is NULL.
SELECT array_max(ARRAY[1, 5, 3]), array_min(ARRAY[1, 5, 3]);
SELECT array_max(ARRAY['b', 'ab', 'c']), array_min(ARRAY['b', 'ab', 'c']);
SELECT array_max(ARRAY[1, NULL, 3]), array_min(ARRAY[NULL, 1]), array_max(ARRAY[]);
SELECT array_max(ARRAY[1e0, nan()]), array_min(ARRAY[-0.5, 2]);
SELECT array_max(ARRAY[ARRAY[1, 2], ARRAY[1, 3]]);

-- array_sort: ascending, NULLs last; with a comparator in the lambdas family.
SELECT array_sort(ARRAY[3, 1, NULL, 2]), array_sort(ARRAY['b', 'a', 'B']);
SELECT array_sort(ARRAY[]), array_sort(ARRAY[2.5, -1]), array_sort(CAST(NULL AS ARRAY(INTEGER)));
SELECT array_sort(ARRAY[ARRAY[2], ARRAY[1, 5], ARRAY[1]]);
SELECT array_sort(ARRAY[nan(), 1e0, -infinity()]);

-- flatten, reverse, slice, trim_array
SELECT flatten(ARRAY[ARRAY[1, 2], ARRAY[3]]), flatten(ARRAY[ARRAY[1], NULL, ARRAY[NULL, 2]]), flatten(ARRAY[]);
SELECT flatten(ARRAY[ARRAY[ARRAY[1]], ARRAY[ARRAY[2, 3]]]);
SELECT reverse(ARRAY[1, 2, 3]), reverse(ARRAY[]), reverse(ARRAY['a', NULL]);
SELECT slice(ARRAY[1, 2, 3, 4], 2, 2), slice(ARRAY[1, 2, 3, 4], -2, 5), slice(ARRAY[1, 2, 3], 2, 0);
SELECT slice(ARRAY[1, 2, 3], 5, 1), slice(ARRAY[1, 2, 3], -5, 2), slice(ARRAY[1, 2, 3], 1, 100);
SELECT slice(ARRAY[1, 2, 3], 0, 1);
SELECT slice(ARRAY[1, 2, 3], 1, -1);
SELECT trim_array(ARRAY[1, 2, 3], 1), trim_array(ARRAY[1, 2, 3], 3), trim_array(ARRAY[1, 2, 3], 0);
SELECT trim_array(ARRAY[1, 2, 3], 4);

-- sequence: integers, steps, dates.
SELECT sequence(1, 5), sequence(5, 1), sequence(1, 10, 3), sequence(10, 1, -4);
SELECT sequence(-2, 2), sequence(3, 3), typeof(sequence(1, 2));
SELECT sequence(1, 5, -1);
SELECT sequence(1, 5, 0);
-- At most 10,000 entries in one sequence.
SELECT cardinality(sequence(1, 10000)), cardinality(sequence(0, 19998, 2));
SELECT sequence(1, 10001);
SELECT cardinality(sequence(DATE '1900-01-01', DATE '2733-05-01', INTERVAL '1' MONTH));
SELECT sequence(DATE '2024-01-30', DATE '2024-02-02'), sequence(DATE '2024-01-31', DATE '2024-05-01', INTERVAL '1' MONTH);
SELECT sequence(DATE '2024-01-01', DATE '2024-01-10', INTERVAL '3' DAY);
SELECT sequence(TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 03:00:00', INTERVAL '90' MINUTE);
SELECT sequence(1, 5, 2), sequence(-5, -1, 2), sequence(BIGINT '9000000000', BIGINT '9000000002');

-- repeat, array_histogram, combinations, ngrams, contains_sequence, zip, shuffle (its
-- order changes between runs: only what does not is checked)
SELECT repeat('ab', 3), repeat(1, 0), repeat(NULL, 2);
SELECT repeat(1, -1);
SELECT array_histogram(ARRAY[1, 2, 1, NULL]);
SELECT combinations(ARRAY['a', 'b', 'c'], 2);
SELECT combinations(ARRAY[1, 2, 3, 4], 3), combinations(ARRAY[1, 2], 0), combinations(ARRAY[1, 2], 3), combinations(ARRAY[1, 1, 2], 2);
SELECT combinations(ARRAY[1, NULL], 1), combinations(NULL, 1), combinations(ARRAY[], 1), combinations(ARRAY[], 0);
SELECT cardinality(combinations(sequence(1, 20), 5)), combinations(sequence(1, 5), 2)[7];
SELECT combinations(ARRAY[1, 2, 3, 4, 5, 6], 6);
SELECT combinations(ARRAY[1], -1);
SELECT cardinality(combinations(sequence(1, 316), 2));
SELECT cardinality(combinations(sequence(1, 317), 2));
SELECT cardinality(combinations(sequence(1, 5000), 3));
SELECT ngrams(ARRAY['a', 'b', 'c', 'd'], 2), ngrams(ARRAY[1, 2], 5);
SELECT ngrams(ARRAY[1, 2, 3], 1), ngrams(ARRAY[], 2), ngrams(ARRAY[1, NULL], 2), ngrams(NULL, 2);
SELECT ngrams(ARRAY[1], 0);
SELECT contains_sequence(ARRAY[1, 2, 3, 4], ARRAY[2, 3]), contains_sequence(ARRAY[1, 2, 3], ARRAY[3, 2]);
SELECT zip(ARRAY[1, 2], ARRAY['a', 'b', 'c']);
SELECT cardinality(shuffle(ARRAY[1, 2, 3])), array_sort(shuffle(ARRAY[3, 1, 2]));
SELECT shuffle(ARRAY[]), shuffle(NULL), array_sort(shuffle(sequence(1, 100))) = sequence(1, 100);

-- Vector functions over arrays of doubles.
SELECT euclidean_distance(ARRAY[1e0, 2e0], ARRAY[4e0, 6e0]), dot_product(ARRAY[1e0, 2e0], ARRAY[3e0, 4e0]);
SELECT cosine_similarity(ARRAY[1e0, 0e0], ARRAY[0e0, 1e0]), cosine_distance(ARRAY[1e0, 0e0], ARRAY[1e0, 0e0]);

-- Arrays in ordinary queries: grouping, DISTINCT, filters on elements.
SELECT a, count(*) FROM (VALUES ARRAY[1, 2], ARRAY[1, 2], ARRAY[3]) t(a) GROUP BY a;
SELECT DISTINCT a FROM (VALUES ARRAY['x'], ARRAY['x'], ARRAY['y', NULL]) t(a);
SELECT id FROM (VALUES (1, ARRAY['a', 'b']), (2, ARRAY['c'])) t(id, tags) WHERE contains(tags, 'b');
SELECT id, cardinality(tags) FROM (VALUES (1, ARRAY['a', 'b']), (2, NULL)) t(id, tags) ORDER BY id;
SELECT element_at(split('a,b,c', ','), -1), split('a,b,c', ',')[2];

-- Arrays in queries over tables and aggregates.
SELECT array_agg(x ORDER BY x)[1], element_at(array_agg(x ORDER BY x), -1), cardinality(array_agg(x)) FROM (VALUES 3, 1, 2) t(x);
SELECT array_join(array_sort(array_agg(name)), ',') FROM people WHERE name <> '';
SELECT id, ARRAY[id, id + 1], ARRAY[name] FROM people WHERE id < 3 ORDER BY id;
SELECT name, contains(ARRAY['Alice', 'Bob'], name) FROM people ORDER BY id;
SELECT count(*) FROM people WHERE ARRAY[id] = ARRAY[1];
-- Trino has no slice syntax.
SELECT ARRAY[1, 2, 3][2:3];

-- contains_sequence, and multimap_from_entries in the maps family.
SELECT contains_sequence(ARRAY[1, NULL, 2], ARRAY[NULL, 2]), contains_sequence(ARRAY[1], ARRAY[]), contains_sequence(ARRAY[1, 2], ARRAY[1, 2, 3]);
SELECT contains_sequence(ARRAY['a', 'b', 'c'], ARRAY['b', 'c']), contains_sequence(CAST(NULL AS ARRAY(INTEGER)), ARRAY[1]);

-- Set operations, sorting, flattening and joining of nested values, NULL and NaN
-- elements, elements of types that do not mix or have no order.
SELECT array_distinct(ARRAY[ARRAY[1], ARRAY[1], NULL, NULL]), array_distinct(ARRAY[0e0, -0e0]);
SELECT array_intersect(ARRAY[ARRAY[1], ARRAY[2]], ARRAY[ARRAY[2]]), array_intersect(ARRAY[1.0], ARRAY[1]);
SELECT array_union(ARRAY['a'], ARRAY[1]);
SELECT array_except(ARRAY['a'], ARRAY[1]);
SELECT array_intersect(ARRAY['a'], ARRAY[1]);
SELECT array_sort(ARRAY[ARRAY[1, NULL], ARRAY[1, 2]]);
SELECT array_sort(ARRAY[ARRAY[2, NULL], ARRAY[1, 2]]);
SELECT array_sort(ARRAY[map(ARRAY[1], ARRAY[1])]);
SELECT array_sort(ARRAY[true, false, NULL]), array_sort(ARRAY[ROW(1, NULL), ROW(0, 1)]);
SELECT flatten(NULL), flatten(ARRAY[NULL]), flatten(ARRAY[ARRAY[]]);
SELECT flatten(ARRAY[1, 2]);
SELECT array_union(ARRAY[1, 1, NULL, NULL], ARRAY[NULL, 2, 2]), array_except(ARRAY[NULL, 1], ARRAY[NULL]);
SELECT array_intersect(ARRAY[nan(), 1e0], ARRAY[nan()]), array_except(ARRAY[nan()], ARRAY[nan()]);
SELECT array_distinct(ARRAY['b', 'a', 'b', NULL, 'a']), array_intersect(ARRAY[3, 1, 2, 1], ARRAY[1, 3]);
SELECT array_join(ARRAY['a', 'b'], NULL), array_join(NULL, ','), array_join(ARRAY['a'], ',', NULL);
SELECT array_join(ARRAY[ARRAY[1]], ',');
SELECT array_join(ARRAY[map(ARRAY[1], ARRAY[1])], ',');

-- Arrays in IN, ORDER BY (a NULL inside is refused: Trino fails when it reaches one),
-- GROUP BY, DISTINCT, joins, conditional expressions, and compared with NULL.
SELECT ARRAY[1, NULL] IN (ARRAY[2, NULL], ARRAY[1, 2]);
SELECT a FROM (VALUES ARRAY[1, NULL], ARRAY[1, 2]) t(a) ORDER BY a;
SELECT a FROM (VALUES ARRAY[2, NULL], ARRAY[1, 2]) t(a) ORDER BY a;
SELECT max(a), min(a) FROM (VALUES ARRAY[1, 2], ARRAY[1, 3]) t(a);
SELECT a, count(*) FROM (VALUES ARRAY[1, NULL], ARRAY[1, NULL]) t(a) GROUP BY a;
SELECT count(DISTINCT a) FROM (VALUES ARRAY[1], ARRAY[1], NULL) t(a);
SELECT greatest(ARRAY[1, 2], ARRAY[1, 3]);
SELECT x FROM (VALUES ARRAY[1], ARRAY[2]) t(x) WHERE x = ARRAY[2];
SELECT t.a FROM (VALUES ARRAY[1, 2]) t(a) JOIN (VALUES ARRAY[1, 2]) u(b) ON t.a = u.b;
SELECT CASE WHEN true THEN ARRAY[1] ELSE ARRAY[2.5] END;
SELECT ARRAY[1, 2] = ARRAY[1, 2, NULL];
