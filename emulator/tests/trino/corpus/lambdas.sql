-- lambdas: Trino's "Lambda expressions" and the functions that take them.

-- transform: one result per element; NULL elements are passed to the lambda.
SELECT transform(ARRAY[1, 2, 3], x -> x * 2), transform(ARRAY[], x -> x + 1);
SELECT transform(ARRAY[5, NULL, 6], x -> coalesce(x, 0) + 1), transform(ARRAY['a', 'bc'], x -> length(x));
SELECT transform(ARRAY[1, 2], x -> CAST(x AS VARCHAR) || '!'), transform(ARRAY[1, 2], x -> x / 2e0);
SELECT transform(ARRAY[ARRAY[1, 2], ARRAY[3]], a -> cardinality(a)), transform(ARRAY[1, 2], x -> ARRAY[x, x]);
SELECT transform(CAST(NULL AS ARRAY(INTEGER)), x -> x + 1);
SELECT transform(ARRAY[1, 0], x -> 10 / x);
SELECT transform(ARRAY[1, 2], x -> ROW(x, x * 2));
SELECT transform(ARRAY[1, 2], x -> transform(ARRAY[10, 20], y -> x + y));

-- filter: keeps elements whose predicate is true (NULL drops).
SELECT filter(ARRAY[5, -6, NULL, 7], x -> x > 0), filter(ARRAY[5, NULL, 7, NULL], x -> x IS NOT NULL);
SELECT filter(ARRAY[], x -> true), filter(ARRAY['a', 'bb', 'ccc'], s -> length(s) >= 2);
SELECT filter(CAST(NULL AS ARRAY(INTEGER)), x -> true);
SELECT filter(ARRAY[1, 2], x -> x);

-- any_match, all_match, none_match: three-valued with NULL predicates.
SELECT any_match(ARRAY[1, 2, 3], x -> x > 2), any_match(ARRAY[1, 2, 3], x -> x > 5), any_match(ARRAY[], x -> true);
SELECT any_match(ARRAY[1, NULL], x -> x > 1), any_match(ARRAY[2, NULL], x -> x > 1);
SELECT all_match(ARRAY[1, 2, 3], x -> x > 0), all_match(ARRAY[1, 2, 3], x -> x > 1), all_match(ARRAY[], x -> false);
SELECT all_match(ARRAY[1, NULL], x -> x > 0), all_match(ARRAY[0, NULL], x -> x > 0);
SELECT none_match(ARRAY[1, 2, 3], x -> x > 5), none_match(ARRAY[1, 2, 3], x -> x > 2), none_match(ARRAY[], x -> true);
SELECT none_match(ARRAY[1, NULL], x -> x > 1), none_match(ARRAY[2, NULL], x -> x > 1);
SELECT any_match(CAST(NULL AS ARRAY(INTEGER)), x -> true), all_match(CAST(NULL AS ARRAY(INTEGER)), x -> true), none_match(CAST(NULL AS ARRAY(INTEGER)), x -> true);

-- reduce: a state through the elements, then an output function.
SELECT reduce(ARRAY[5, 20, 50], 0, (s, x) -> s + x, s -> s);
SELECT reduce(ARRAY[5, 20, NULL, 50], 0, (s, x) -> s + x, s -> s);
SELECT reduce(ARRAY[5, 20, NULL, 50], 0, (s, x) -> s + coalesce(x, 0), s -> s);
SELECT reduce(ARRAY[2147483647, 1], BIGINT '0', (s, x) -> s + x, s -> s);
SELECT reduce(ARRAY[5, 6, 10, 20], CAST(ROW(0.0, 0) AS ROW(sum DOUBLE, count INTEGER)), (s, x) -> CAST(ROW(x + s.sum, s.count + 1) AS ROW(sum DOUBLE, count INTEGER)), s -> IF(s.count = 0, NULL, s.sum / s.count));
SELECT reduce(ARRAY[], 7, (s, x) -> s + x, s -> s * 2), reduce(ARRAY['a', 'b', 'c'], '', (s, x) -> s || x, s -> upper(s));
SELECT reduce(CAST(NULL AS ARRAY(INTEGER)), 0, (s, x) -> s + x, s -> s);
SELECT reduce(ARRAY[1, 2, 3], 1, (s, x) -> s * x, s -> s * 1.5e0);

-- zip_with: element by element; the shorter array padded with NULLs.
SELECT zip_with(ARRAY[1, 3, 5], ARRAY['a', 'b', 'c'], (x, y) -> (y, x));
SELECT zip_with(ARRAY[1, 2], ARRAY[3, 4], (x, y) -> x + y), zip_with(ARRAY['a', 'b', 'c'], ARRAY['d', 'e', 'f'], (x, y) -> concat(x, y));
SELECT zip_with(ARRAY[1, 2, 3], ARRAY[10], (x, y) -> coalesce(y, -1)), zip_with(ARRAY[], ARRAY[], (x, y) -> x);
SELECT zip_with(ARRAY[1], CAST(NULL AS ARRAY(INTEGER)), (x, y) -> x);

-- array_sort with a comparator (must answer -1, 0 or 1).
SELECT array_sort(ARRAY[3, 2, 5, 1, 2], (x, y) -> IF(x < y, 1, IF(x = y, 0, -1)));
SELECT array_sort(ARRAY['bc', 'ab', 'dc'], (x, y) -> IF(x < y, 1, IF(x = y, 0, -1)));
SELECT array_sort(ARRAY['a', 'abcd', 'abc'], (x, y) -> IF(length(x) < length(y), -1, IF(length(x) = length(y), 0, 1)));
SELECT array_sort(ARRAY[3, 2, NULL, 1], (x, y) -> CASE WHEN x IS NULL THEN -1 WHEN y IS NULL THEN 1 WHEN x < y THEN -1 WHEN x = y THEN 0 ELSE 1 END);
SELECT array_sort(ARRAY[1, 2], (x, y) -> 2);
SELECT array_sort(ARRAY[ARRAY[2, 3, 1], ARRAY[4, 2, 1, 4], ARRAY[1, 2]], (x, y) -> IF(cardinality(x) < cardinality(y), -1, IF(cardinality(x) = cardinality(y), 0, 1)));

-- Lambdas over maps (more in the maps family).
SELECT transform_values(map(ARRAY['a', 'b'], ARRAY[1, 2]), (k, v) -> v + 1), map_filter(map(ARRAY['a', 'b'], ARRAY[1, 2]), (k, v) -> k = 'a');
SELECT transform_keys(map(ARRAY[1, 2], ARRAY['x', 'y']), (k, v) -> v || CAST(k AS VARCHAR));

-- Lambdas capturing columns of their row, and nested lambdas.
SELECT id, transform(a, x -> x + id) FROM (VALUES (1, ARRAY[1, 2]), (10, ARRAY[3])) t(id, a) ORDER BY id;
SELECT id, filter(a, x -> x > lim) FROM (VALUES (1, ARRAY[1, 5, 9], 4), (2, ARRAY[2, 3], 2)) t(id, a, lim) ORDER BY id;
SELECT id, any_match(a, x -> x = target) FROM (VALUES (1, ARRAY['a', 'b'], 'b'), (2, ARRAY['c'], 'd')) t(id, a, target) ORDER BY id;
SELECT id, reduce(a, base, (s, x) -> s + x, s -> s) FROM (VALUES (1, ARRAY[1, 2], 100), (2, ARRAY[], 7)) t(id, a, base) ORDER BY id;
SELECT transform(ARRAY[ARRAY[1, 2], ARRAY[3]], a -> transform(a, x -> x * cardinality(a)));
SELECT filter(transform(ARRAY[1, 2, 3, 4], x -> x * x), x -> x % 2 = 0);
SELECT cardinality(filter(a, x -> x IS NULL)) FROM (VALUES ARRAY[1, NULL, NULL], ARRAY[NULL]) t(a);
SELECT transform(ARRAY['a', 'B'], x -> lower(x) = x), transform(ARRAY[1.5, 2.25], x -> round(x));

-- Lambdas as queries write them: on split strings, with CASE, LIKE, IN, if.
SELECT transform(split('a, b ,c', ','), x -> trim(x));
SELECT transform(ARRAY[1, 2], x -> CASE WHEN x > 1 THEN 'big' ELSE 'small' END);
SELECT any_match(ARRAY['a', 'b'], x -> x LIKE 'b%'), filter(ARRAY[1, 2, 3], x -> x IN (1, 3));
SELECT transform(ARRAY[1, 2], x -> if(x = 1, NULL, x)), transform(ARRAY['2024-01-01'], x -> CAST(x AS DATE));
SELECT id FROM people WHERE any_match(ARRAY[1, 2], x -> x = id) ORDER BY id;
SELECT reduce(sequence(1, 5), 1, (s, x) -> s * x, s -> s), zip_with(ARRAY[1, 2], ARRAY[3, 4], (a, b) -> a * b);
SELECT transform_values(map(ARRAY['a'], ARRAY[ARRAY[1, 2]]), (k, v) -> cardinality(v));
-- A predicate must be boolean; a lambda holds no subquery.
SELECT filter(ARRAY[1, 2], x -> NULL);
SELECT any_match(ARRAY[1], x -> 1);
SELECT transform(ARRAY[1], x -> (SELECT 1));
SELECT typeof(transform(ARRAY[1], x -> NULL)), transform(ARRAY[1], x -> NULL);

-- Lambdas over arrays of maps and arrays, states that are arrays or rows, NULL
-- elements and arrays.
SELECT transform(ARRAY[map(ARRAY[1], ARRAY[10])], m -> m[1]), transform(ARRAY[ARRAY[1, 2]], a -> a[2]);
SELECT transform(ARRAY[1, 2], x -> ARRAY[x] || x), transform(ARRAY['a'], s -> s || 'b');
SELECT array_sort(ARRAY['b', 'a'], (x, y) -> IF(x < y, -1, IF(x > y, 1, 0))), array_sort(ARRAY[], (x, y) -> 0);
SELECT array_sort(CAST(NULL AS ARRAY(INTEGER)), (x, y) -> 0);
SELECT reduce(ARRAY[1, 2], ARRAY[0], (s, x) -> s || x, s -> s);
SELECT reduce(ARRAY[1, 2], CAST(ROW(0, 0) AS ROW(a INTEGER, b INTEGER)), (s, x) -> CAST(ROW(s.a + x, s.b + 1) AS ROW(a INTEGER, b INTEGER)), s -> s);
SELECT zip_with(ARRAY[1, 2], ARRAY['a'], (x, y) -> ROW(x, y)), zip_with(NULL, ARRAY[1], (x, y) -> y);
SELECT all_match(ARRAY[NULL, NULL], x -> x > 0), any_match(ARRAY[NULL], x -> x IS NULL), none_match(ARRAY[1], x -> x IS NULL);
SELECT filter(ARRAY[ARRAY[1], ARRAY[]], a -> cardinality(a) > 0);
SELECT transform(map_keys(map(ARRAY['a', 'b'], ARRAY[1, 2])), k -> upper(k));
