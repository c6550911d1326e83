-- maps: Trino's "Map functions and operators" and the MAP type.

-- map(keys, values); an empty map; NULL values; duplicate or NULL keys fail.
SELECT map(ARRAY['a', 'b'], ARRAY[1, 2]);
SELECT map(ARRAY[1, 2], ARRAY['x', NULL]), map(ARRAY[1.5, 2], ARRAY[true, false]);
SELECT map(), typeof(map()), cardinality(map());
SELECT map(ARRAY[], ARRAY[]);
SELECT typeof(map(ARRAY[1], ARRAY[2e0])), typeof(map(ARRAY[1], ARRAY[ARRAY[true]]));
SELECT map(ARRAY['a', 'a'], ARRAY[1, 2]);
SELECT map(ARRAY['a', NULL], ARRAY[1, 2]);
SELECT map(ARRAY['a', 'b'], ARRAY[1]);
SELECT map(CAST(NULL AS ARRAY(VARCHAR)), ARRAY[1]);
SELECT map(ARRAY[DATE '2024-01-02'], ARRAY[1]), map(ARRAY[ARRAY[1, 2]], ARRAY['x']);
SELECT map(ARRAY['k'], ARRAY[map(ARRAY['n'], ARRAY[1])]);
SELECT map(ARRAY['é', '日本'], ARRAY['ü', '語']);

-- map_from_entries, map_entries
SELECT map_from_entries(ARRAY[(1, 'x'), (2, 'y')]);
SELECT map_from_entries(ARRAY[ROW('a', 1.5), ROW('b', NULL)]);
SELECT map_from_entries(ARRAY[(1, 'x'), (1, 'y')]);
SELECT map_from_entries(ARRAY[(NULL, 'x')]);
SELECT map_from_entries(ARRAY[(1, 'x'), NULL]);
SELECT map_from_entries(CAST(ARRAY[] AS ARRAY(ROW(k VARCHAR, v INTEGER))));
SELECT map_entries(map(ARRAY['a', 'b'], ARRAY[1, 2]));
SELECT map_entries(map(ARRAY[1], ARRAY[NULL])), typeof(map_entries(map(ARRAY[1], ARRAY[2e0])));

-- map_keys, map_values, cardinality
SELECT map_keys(map(ARRAY['a', 'b', 'c'], ARRAY[1, 2, 3])), map_values(map(ARRAY['a', 'b', 'c'], ARRAY[1, 2, 3]));
SELECT map_keys(map()), map_values(map(ARRAY[1], ARRAY[NULL])), map_keys(CAST(NULL AS MAP(VARCHAR, INTEGER)));
SELECT cardinality(map(ARRAY['a', 'b'], ARRAY[1, 2])), cardinality(CAST(NULL AS MAP(VARCHAR, INTEGER)));

-- Subscript and element_at: a missing key fails with [], is NULL with element_at.
SELECT map(ARRAY['a', 'b'], ARRAY[1, 2])['b'];
SELECT map(ARRAY['a', 'b'], ARRAY[1, 2])['z'];
SELECT map(ARRAY[1, 2], ARRAY['x', 'y'])[2], map(ARRAY[1, 2], ARRAY['x', NULL])[2];
SELECT map(ARRAY[1.5], ARRAY['x'])[1.5], map(ARRAY[BIGINT '1'], ARRAY['x'])[1];
SELECT element_at(map(ARRAY['a', 'b'], ARRAY[1, 2]), 'a'), element_at(map(ARRAY['a', 'b'], ARRAY[1, 2]), 'z');
SELECT element_at(map(ARRAY[1], ARRAY[10]), 1), element_at(map(ARRAY[1], ARRAY[10]), NULL);
SELECT element_at(CAST(NULL AS MAP(VARCHAR, INTEGER)), 'a');
SELECT m['k'] FROM (VALUES map(ARRAY['k'], ARRAY[1]), map(ARRAY['k', 'j'], ARRAY[2, 3])) t(m);
SELECT m['j'] FROM (VALUES map(ARRAY['k'], ARRAY[1]), map(ARRAY['k', 'j'], ARRAY[2, 3])) t(m);
SELECT element_at(m, 'j') FROM (VALUES map(ARRAY['k'], ARRAY[1]), map(ARRAY['k', 'j'], ARRAY[2, 3])) t(m);
SELECT map(ARRAY['a'], ARRAY[ARRAY[1, 2]])['a'][2];

-- map_concat: later maps win on duplicate keys; a NULL map makes NULL.
SELECT map_concat(map(ARRAY['a', 'b'], ARRAY[1, 2]), map(ARRAY['b', 'c'], ARRAY[20, 30]));
SELECT map_concat(map(ARRAY[1], ARRAY['x']), map(ARRAY[2], ARRAY['y']), map(ARRAY[1], ARRAY['z']));
SELECT map_concat(map(ARRAY['a'], ARRAY[1]), CAST(NULL AS MAP(VARCHAR, INTEGER)));
SELECT map_concat(map(ARRAY['a'], ARRAY[1]), map());
SELECT map_concat(map(ARRAY['a'], ARRAY[1]));

-- multimap_from_entries
SELECT multimap_from_entries(ARRAY[(1, 'x'), (2, 'y'), (1, 'z')]);

-- Lambdas over maps: map_filter, transform_keys, transform_values, map_zip_with.
SELECT map_filter(map(ARRAY['a', 'b', 'c'], ARRAY[1, 2, 3]), (k, v) -> v > 1);
SELECT map_filter(map(ARRAY[10, 20], ARRAY['x', NULL]), (k, v) -> v IS NOT NULL), map_filter(map(), (k, v) -> true);
SELECT map_filter(map(ARRAY['a', 'b'], ARRAY[1, NULL]), (k, v) -> v > 0);
SELECT transform_keys(map(ARRAY['a', 'b'], ARRAY[1, 2]), (k, v) -> upper(k));
SELECT transform_keys(map(ARRAY[1, 2], ARRAY[1.5, 2.5]), (k, v) -> k * 10 + v);
SELECT transform_keys(map(ARRAY['a', 'b'], ARRAY[1, 2]), (k, v) -> 'same');
SELECT transform_keys(map(ARRAY['a', 'b'], ARRAY[1, 2]), (k, v) -> CAST(NULL AS VARCHAR));
SELECT transform_values(map(ARRAY['a', 'b'], ARRAY[1, 2]), (k, v) -> v * 10);
SELECT transform_values(map(ARRAY['a', 'b'], ARRAY[1, NULL]), (k, v) -> k || CAST(v AS VARCHAR));
SELECT transform_values(map(ARRAY[1, 2], ARRAY['x', 'y']), (k, v) -> k > 1);
SELECT map_zip_with(map(ARRAY['a', 'b'], ARRAY[1, 2]), map(ARRAY['b', 'c'], ARRAY[10, 20]), (k, v1, v2) -> coalesce(v1, 0) + coalesce(v2, 0));
SELECT map_zip_with(map(ARRAY[1], ARRAY['x']), map(ARRAY[1], ARRAY['y']), (k, a, b) -> a || b);

-- Comparisons: maps compare by equality only.
SELECT map(ARRAY['a', 'b'], ARRAY[1, 2]) = map(ARRAY['b', 'a'], ARRAY[2, 1]);
SELECT map(ARRAY['a'], ARRAY[1]) = map(ARRAY['a'], ARRAY[2]), map(ARRAY['a'], ARRAY[1]) <> map(ARRAY['b'], ARRAY[1]);
SELECT map(ARRAY['a'], ARRAY[NULL]) = map(ARRAY['a'], ARRAY[NULL]);
SELECT map(ARRAY['a'], ARRAY[1]) < map(ARRAY['a'], ARRAY[2]);

-- CAST to and from maps.
SELECT CAST(map(ARRAY[1, 2], ARRAY[1, 2]) AS MAP(VARCHAR, DOUBLE));
SELECT CAST(NULL AS MAP(VARCHAR, INTEGER)), typeof(CAST(NULL AS MAP(VARCHAR, INTEGER)));

-- Maps in ordinary queries.
SELECT id, m['color'] FROM (VALUES (1, map(ARRAY['color'], ARRAY['red'])), (2, map(ARRAY['color', 'size'], ARRAY['blue', 'L']))) t(id, m) ORDER BY id;
SELECT id, element_at(m, 'size') FROM (VALUES (1, map(ARRAY['color'], ARRAY['red'])), (2, map(ARRAY['color', 'size'], ARRAY['blue', 'L']))) t(id, m) ORDER BY id;
SELECT id, cardinality(m) FROM (VALUES (1, map(ARRAY['a'], ARRAY[1])), (2, map())) t(id, m) WHERE cardinality(m) > 0;
SELECT map_keys(m), map_values(m) FROM (VALUES map(ARRAY['x', 'y'], ARRAY[1e0, 2e0])) t(m);
SELECT contains(map_keys(map(ARRAY['a', 'b'], ARRAY[1, 2])), 'b');

-- multimap_from_entries: keys in the order they first come.
SELECT multimap_from_entries(ARRAY[(3, 'x'), (1, 'y'), (3, 'z'), (2, NULL), (1, 'w')]);
SELECT multimap_from_entries(ARRAY[('b', 1), ('a', 2), ('b', 3)]);
SELECT multimap_from_entries(ARRAY[(NULL, 1)]);
SELECT multimap_from_entries(NULL), multimap_from_entries(ARRAY[]);
SELECT map_from_entries(NULL), map_entries(NULL);

-- Maps built from the columns of a table.
SELECT map(ARRAY['id', 'name'], ARRAY[CAST(id AS VARCHAR), name]) FROM people WHERE id = 1;
SELECT m[1], m[2] FROM (VALUES map(ARRAY[1, 2], ARRAY['a', 'b'])) t(m);
SELECT element_at(map(ARRAY['a'], ARRAY[1]), 'a') + 1, map(ARRAY['a'], ARRAY[1])['a'] * 2;
SELECT transform(a, x -> m[x]) FROM (VALUES (ARRAY['a', 'b'], map(ARRAY['a', 'b'], ARRAY[1, 2]))) t(a, m);
SELECT map_zip_with(map(ARRAY[1, 2], ARRAY[10, 20]), map(ARRAY[2, 3], ARRAY[200, 300]), (k, v1, v2) -> ROW(k, v1, v2));
SELECT map_zip_with(NULL, map(ARRAY[1], ARRAY[1]), (k, a, b) -> a);
SELECT map_concat(map(ARRAY[1], ARRAY[1.5]), map(ARRAY[2], ARRAY[2])), map_concat(NULL, map(ARRAY[1], ARRAY[1]));

-- Keys and values that are arrays or maps; lambdas that change keys.
SELECT map_keys(map(ARRAY[ARRAY[1]], ARRAY[2])), map_values(map(ARRAY[1], ARRAY[map(ARRAY[1], ARRAY[2])]));
SELECT map_filter(map(ARRAY[1, 2, 3], ARRAY['a', 'b', 'c']), (k, v) -> k % 2 = 1 AND v <> 'c');
SELECT transform_keys(map(ARRAY['a'], ARRAY[1]), (k, v) -> v), transform_values(map(ARRAY['a'], ARRAY[1]), (k, v) -> NULL);
SELECT map_keys(transform_keys(map(ARRAY[1, 2], ARRAY[1, 2]), (k, v) -> k * 1.5));

-- Maps are not orderable; DISTINCT of maps (equal whatever the order of their
-- entries in Trino) is refused; equality with NULL values.
SELECT m FROM (VALUES map(ARRAY[1], ARRAY[1])) t(m) ORDER BY m;
SELECT DISTINCT m FROM (VALUES map(ARRAY[1, 2], ARRAY['a', 'b']), map(ARRAY[2, 1], ARRAY['b', 'a'])) t(m);
SELECT coalesce(NULL, ARRAY[1]), nullif(ARRAY[1], ARRAY[1]), if(true, map(ARRAY[1], ARRAY[2]));
SELECT map(ARRAY[1, 2], ARRAY[3, NULL]) = map(ARRAY[1, 2], ARRAY[3, 4]), map(ARRAY[1], ARRAY[1]) = map(ARRAY[2], ARRAY[NULL]);
