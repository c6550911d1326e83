-- json: Trino's JSON type and functions (trino.io, "JSON functions and operators").

-- json_parse: canonical text (sorted keys, compact, Java numbers); invalid text fails.
SELECT json_parse('{"b": 1, "a": [true, null, "x"]}');
SELECT json_parse('[1, 2.5, 1e3, 1.50, -0, 12345678901234567890, 0.1e-3]');
SELECT json_parse('"text"'), json_parse('null'), json_parse('true'), json_parse(' 42 ');
SELECT json_parse('{"a": {"y": 1, "x": 2}, "A": 0, "_": 1}');
SELECT json_parse('{"a": 1, "a": 2}');
SELECT json_parse('"tab\there \u00e9 \u0001 \"q\" \\ \/"');
SELECT json_parse('{"é": "日本", "emoji": "🎉"}');
SELECT json_parse('[]'), json_parse('{}'), json_parse('[[], {}]');
SELECT json_parse('{"a": }');
SELECT json_parse('');
SELECT json_parse('{"a": 1} x');
SELECT json_parse('[1, 2');
SELECT json_parse(NULL);
SELECT json_parse(x) FROM (VALUES ('{"k": 1}'), ('[1]'), (NULL)) t(x);

-- json_format and JSON literals.
SELECT json_format(json_parse('{"a": 1, "b": [1, 2]}'));
SELECT json_format(JSON '{"x": "y"}'), json_format(JSON '"s"'), json_format(JSON 'null');
SELECT JSON '[1, 2]', JSON '{"b":1,"a":2}';
SELECT json_format(NULL);

-- Casts to JSON.
SELECT CAST(ARRAY[1, 2, NULL] AS JSON), CAST(ARRAY['a', 'b'] AS JSON);
SELECT CAST(MAP(ARRAY['b', 'a'], ARRAY[1, 2]) AS JSON);
SELECT CAST('abc' AS JSON), CAST(1 AS JSON), CAST(1.5 AS JSON), CAST(TRUE AS JSON);
SELECT CAST(1e0 / 3 AS JSON), CAST(NULL AS JSON);
SELECT CAST(DATE '2024-01-02' AS JSON);

-- Casts from JSON.
SELECT CAST(JSON '123' AS BIGINT), CAST(JSON '"abc"' AS VARCHAR), CAST(JSON 'true' AS BOOLEAN);
SELECT CAST(JSON '1.5' AS DOUBLE), CAST(JSON '"12"' AS INTEGER), CAST(JSON 'null' AS VARCHAR);
SELECT CAST(JSON '[1, 2, null]' AS ARRAY(INTEGER));
SELECT CAST(JSON '{"a": 1, "b": 2}' AS MAP(VARCHAR, INTEGER));
SELECT CAST(json_parse('[1, "x"]') AS ARRAY(VARCHAR));
SELECT CAST(JSON '{"a": 1}' AS VARCHAR);
SELECT CAST(JSON '"abc"' AS BIGINT);
SELECT CAST(JSON 'true' AS INTEGER), CAST(JSON '0' AS BOOLEAN), CAST(JSON '2' AS DOUBLE), CAST(JSON 'false' AS DOUBLE);
SELECT CAST(JSON '1.5' AS BIGINT);
SELECT CAST(JSON '[1.5, true, null]' AS ARRAY(DOUBLE)), CAST(JSON '["a", 1, false]' AS ARRAY(VARCHAR));
SELECT CAST(json_extract('{"a": {"b": 1, "c": null}}', '$.a') AS MAP(VARCHAR, BIGINT));
SELECT CAST(JSON '[[1]]' AS ARRAY(INTEGER));
SELECT CAST(json_extract_scalar('{"n": "42"}', '$.n') AS INTEGER) + 1;

-- json_extract: the JSON value at a JSONPath; NULL when it is not there.
SELECT json_extract('{"a": {"b": [1, 2, {"c": "x"}]}}', '$.a.b');
SELECT json_extract('{"a": {"b": [1, 2, {"c": "x"}]}}', '$.a.b[2].c');
SELECT json_extract('{"a": {"b": [1, 2, {"c": "x"}]}}', '$.a.b[2]');
SELECT json_extract('{"a": 1}', '$.missing'), json_extract('[1, 2]', '$[5]'), json_extract('{"a": 1}', '$');
SELECT json_extract('{"a b": 1, "c": {"d.e": 2}}', '$["a b"]'), json_extract('{"c": {"d.e": 2}}', '$.c["d.e"]');
SELECT json_extract('[10, 20, 30]', '$[0]'), json_extract('{"a": null}', '$.a');
SELECT json_extract('not json', '$.a');
SELECT json_extract('{"a": 1}', 'a');
SELECT json_extract('{"a": 1}', '$.');
SELECT json_extract(json_parse('{"a": {"b": 2}}'), '$.a'), json_extract(NULL, '$.a');
SELECT json_extract('{"a": [1, 2, 3]}', '$.a[*]');
SELECT json_extract('{"a": 1.50, "b": 1e2}', '$.a'), json_extract('{"a": 1.50, "b": 1e2}', '$.b');
SELECT json_extract('{"a": {"z": 1, "y": 2}}', '$.a');

-- json_extract_scalar: the scalar at a JSONPath as varchar; NULL for arrays, objects, null.
SELECT json_extract_scalar('{"a": {"b": [1, 2, {"c": "x"}]}}', '$.a.b[2].c');
SELECT json_extract_scalar('{"a": {"b": [1, 2]}}', '$.a.b'), json_extract_scalar('{"a": {}}', '$.a');
SELECT json_extract_scalar('{"a": 1.0}', '$.a'), json_extract_scalar('{"a": 1e2}', '$.a'), json_extract_scalar('{"a": 12345678901234567890}', '$.a');
SELECT json_extract_scalar('{"a": true}', '$.a'), json_extract_scalar('{"a": null}', '$.a'), json_extract_scalar('{"a": "é\n"}', '$.a');
SELECT json_extract_scalar('[1, "two"]', '$[1]'), json_extract_scalar('"s"', '$');
SELECT json_extract_scalar('{bad', '$.a'), json_extract_scalar(CAST(NULL AS VARCHAR), '$.a');
SELECT json_extract_scalar('{"a": 1}', '$a');
SELECT json_extract_scalar(json_parse('{"user": {"id": 7}}'), '$.user.id');
SELECT json_extract_scalar(j, '$.user.name') FROM (VALUES ('{"user": {"name": "ann"}}'), ('{"user": {}}'), ('bad'), (NULL)) t(j);
SELECT json_extract_scalar('{"a": {"b": "c"}}', '$["a"]["b"]');
SELECT json_extract_scalar('{"a-b": 1}', '$.a-b');

-- Other JSON functions.
SELECT json_array_length('[1, 2, 3]'), json_array_length('[]'), json_array_length('{"a": 1}'), json_array_length('bad');
SELECT json_array_get('[1, "a", [2]]', 0), json_array_get('[1, "a", [2]]', -1), json_array_get('[1]', 5);
SELECT json_array_contains('[1, 2, 3]', 2), json_array_contains('["a", "b"]', 'c'), json_array_contains('[true]', true);
SELECT json_size('{"a": {"b": 1, "c": 2}}', '$.a'), json_size('[1, 2]', '$'), json_size('{"a": 1}', '$.a');
SELECT is_json_scalar('1'), is_json_scalar('[1]'), is_json_scalar('"x"');
SELECT json_query('{"a": [1, 2]}', 'lax $.a'), json_value('{"a": 1}', 'lax $.a');
SELECT json_exists('{"a": 1}', 'lax $.a');
SELECT json_object('a': 1), json_array(1, 2);
