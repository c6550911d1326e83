-- strings: Trino's string functions and operators (trino.io, "String functions and
-- operators"; to_utf8/from_utf8 from "Conversion functions"), uuid().

-- Concatenation: || and concat are NULL when any argument is NULL.
SELECT 'a' || 'b' || 'c';
SELECT 'a' || NULL;
SELECT NULL || 'a';
SELECT concat('a', 'b', 'c', 'd');
SELECT concat('a', NULL, 'b');
SELECT concat('', ''), '' || '';
SELECT concat('x');
SELECT 'é' || '日本' || '🎉';
SELECT x || '!' FROM (VALUES ('x'), (NULL), ('')) t(x);
SELECT concat(x, '-', y) FROM (VALUES ('a', 'b'), ('c', NULL)) t(x, y);
-- Only strings concatenate: no implicit cast of numbers or dates.
SELECT 'a' || 1;
SELECT concat('a', 1);
SELECT concat('a', DATE '2024-01-01');
SELECT concat(1, 2);
-- || and concat on arrays: array || array, array || element, element || array.
SELECT ARRAY[1, 2] || ARRAY[3], ARRAY['a'] || 'b', 0 || ARRAY[1], concat(ARRAY['a'], ARRAY['b'], ARRAY['c']);

-- concat_ws: NULL separator gives NULL, NULL arguments are skipped.
SELECT concat_ws(',', 'a', 'b', 'c');
SELECT concat_ws(',', 'a', NULL, 'c');
SELECT concat_ws(NULL, 'a', 'b');
SELECT concat_ws('', 'a', 'b');
SELECT concat_ws(',', 'a');
SELECT concat_ws(',', NULL);
SELECT concat_ws(', ', ARRAY['a', NULL, 'b']);
SELECT concat_ws('-', ARRAY['x']);
SELECT concat_ws(',');
SELECT concat_ws(',', 1, 2);

-- Lengths count code points.
SELECT length('hello'), length(''), length('日本語'), length('🎉x');
SELECT length(NULL);
SELECT length(x) FROM (VALUES ('a'), ('bb'), (NULL)) t(x);
SELECT length(123);

-- Case mapping is per code point (no one-to-many mappings).
SELECT lower('HeLLo World'), upper('HeLLo World');
SELECT upper('émile ñandú'), lower('ÉMILE ÑANDÚ');
SELECT upper('straße');
SELECT lower('ΣΑΣ'), upper('ǆ'), lower('İ');
SELECT lower(NULL), upper(''), upper('123-abc');

-- Padding: truncates to the size, fails on a negative size or an empty pad.
SELECT lpad('abc', 6, 'xy'), rpad('abc', 6, 'xy');
SELECT lpad('abcdef', 3, 'x'), rpad('abcdef', 3, 'x');
SELECT lpad('abc', 0, 'x'), rpad('abc', 3, 'x');
SELECT lpad('7', 3, '0'), rpad('日本', 5, '語');
SELECT lpad(NULL, 5, 'x'), lpad('a', NULL, 'x'), rpad('a', 5, NULL);
SELECT lpad('abc', -1, 'x');
SELECT rpad('abc', 5, '');
SELECT lpad('abc', 5);
SELECT lpad(x, 4, '*') FROM (VALUES ('a'), ('abcdef')) t(x);

-- Trimming whitespace, or the given characters.
SELECT trim('  a b  '), ltrim('  a b  '), rtrim('  a b  ');
SELECT trim('xxaxx', 'x'), ltrim('xyaxy', 'xy'), rtrim('abcxx', 'x');
SELECT trim(BOTH 'x' FROM 'xxaxx'), trim(LEADING 'x' FROM 'xxaxx'), trim(TRAILING 'x' FROM 'xxaxx');
SELECT trim(LEADING FROM '  a  '), trim(TRAILING FROM '  a  '), trim(BOTH FROM '  a  ');
SELECT trim(chr(9) || ' a ' || chr(10)), length(trim(chr(12) || 'a' || chr(13)));
SELECT length(trim(chr(160) || 'a' || chr(160))), length(trim(chr(8195) || 'a'));
SELECT trim(''), trim(NULL), ltrim(NULL), rtrim('');
SELECT trim('abcba', 'ab'), ltrim('aaa', 'a'), rtrim('日本語語', '語');

-- Substrings: 1-based, negative starts count from the end, out of range is empty.
SELECT substr('hello', 2), substr('hello', 2, 3), substr('hello', -3), substr('hello', -3, 2);
SELECT substr('hello', 0), substr('hello', 10), substr('hello', 1, 0), substr('hello', 6);
SELECT substr('hello', -10), substr('hello', -5, 10), substr('hello', 3, 100);
SELECT substr('hello', 2, -1);
SELECT substring('hello', 2), substring('hello', -2, 1);
SELECT substring('hello' FROM 2 FOR 3), substring('hello' FROM 3), substring('hello' FROM -4 FOR 2);
SELECT substr('日本語テキスト', 2, 3), substr('🎉ab', 2);
SELECT substr(CAST(NULL AS VARCHAR), 1), substr('abc', NULL), substr('abc', 1, NULL);
SELECT substr(NULL, 1);
SELECT substr('hello', 2147483648), substr('hello', BIGINT '2', BIGINT '2');
SELECT substr('abc', 1.5);
SELECT substr(x, 2) FROM (VALUES ('abc'), ('z'), (NULL)) t(x);

-- Searching.
SELECT strpos('hello', 'l'), strpos('hello', 'z'), strpos('hello', ''), strpos('', '');
SELECT strpos('hello', 'l', 2), strpos('hello', 'l', 3), strpos('a,b,c', ',', 1);
SELECT strpos('hello', 'l', 0);
SELECT strpos('hello', 'l', -1);
SELECT strpos('日本語日本', '本'), strpos('日本語日本', '本', 2);
SELECT strpos(NULL, 'a'), strpos('a', NULL);
SELECT position('lo' IN 'hello'), position('' IN 'abc'), position('z' IN 'abc');
SELECT starts_with('hello', 'he'), starts_with('hello', 'lo'), starts_with('hello', ''), starts_with('', 'a');
SELECT starts_with(NULL, 'a'), starts_with('a', NULL);

-- Replacing.
SELECT replace('hello', 'l', 'L'), replace('hello', 'l'), replace('hello', 'xyz', 'q');
SELECT replace('hello', '', '-');
SELECT replace('', '', '-');
SELECT replace('aaa', 'aa', 'b'), replace('日本語', '本', 'X');
SELECT replace(NULL, 'a', 'b'), replace('a', NULL, 'b'), replace('a', 'a', NULL);
SELECT translate('abcd', 'ac', 'xy'), translate('abcd', 'abc', 'x'), translate('abc', '', 'x');
SELECT translate('aabb', 'ab', 'ba'), translate('abc', 'aa', 'xy'), translate('日本', '日', 'x');
SELECT translate(NULL, 'a', 'b'), translate('abc', 'a', NULL);
SELECT reverse('hello'), reverse(''), reverse('日本語'), reverse('🎉a');
SELECT reverse(NULL);

-- Splitting.
SELECT split('a,b,c', ','), split('a,,c,', ','), split('', ','), split('abc', 'bc');
SELECT split('a.b.c', '.'), split('a::b::c', '::');
SELECT split('a,b,c,d', ',', 2), split('a,b,c', ',', 5);
SELECT split('abc', '');
SELECT split('a,b,c', ',', 0);
SELECT split(NULL, ','), split('a', NULL);
SELECT cardinality(split('a b c', ' ')), split('a b c', ' ')[2];
SELECT split_part('a,b,c', ',', 2), split_part('a,b,c', ',', 4), split_part('a,,c', ',', 2);
SELECT split_part('a::b::c', '::', 3), split_part('abc', 'x', 1), split_part('', ',', 1);
SELECT split_part('a,b,c', ',', 0);
SELECT split_part('a,b,c', ',', -1);
SELECT split_part('abc', '', 1), split_part('abc', '', 2);
SELECT split_part(NULL, ',', 1), split_part('a,b', ',', NULL);
SELECT split_to_map('a=1,b=2', ',', '=');
SELECT split_to_map('a=1,a=2', ',', '=');
SELECT split_to_multimap('a=1,a=2,b=3', ',', '=');

-- Code points.
SELECT chr(65), chr(233), chr(128512), codepoint(chr(0));
SELECT chr(1114112);
SELECT chr(-1);
SELECT chr(NULL);
SELECT codepoint('A'), codepoint('é'), codepoint('😀'), codepoint(NULL);
SELECT codepoint('ab');
SELECT codepoint('');
SELECT codepoint(x) FROM (VALUES ('a'), ('b')) t(x);

-- Edit distances and other text functions.
SELECT levenshtein_distance('kitten', 'sitting'), levenshtein_distance('', 'abc'), levenshtein_distance('abc', 'abc');
SELECT levenshtein_distance('日本', '日本語'), levenshtein_distance(NULL, 'a');
SELECT hamming_distance('abc', 'abd'), hamming_distance('', '');
SELECT hamming_distance('abc', 'ab');
SELECT soundex('Robert'), soundex('Tymczak'), soundex('');
SELECT luhn_check('79927398713'), luhn_check('79927398710');
SELECT word_stem('running'), normalize('e' || chr(769), NFC);
SELECT format('%s-%05d', 'a', 42);
SELECT char_length('abc');

-- UTF-8 conversion (trino.io, "Conversion functions").
SELECT to_utf8('hello'), to_utf8(''), to_utf8('é日'), to_utf8(NULL);
SELECT from_utf8(X'68656c6c6f'), from_utf8(X''), from_utf8(X'c3a9'), from_utf8(NULL);
SELECT from_utf8(X'61ff62'), from_utf8(X'c3');
SELECT from_utf8(X'61ff62', '#'), from_utf8(X'61ff62', 35), from_utf8(X'61ff62', '');
SELECT from_utf8(X'61ff62', 'ab');
SELECT from_utf8(to_utf8('日本語')) = '日本語';
SELECT from_utf8('abc');
SELECT to_utf8(1);

-- uuid(): random, of type uuid, rendered as 36 lower-case characters.
SELECT typeof(uuid());
SELECT length(CAST(uuid() AS VARCHAR)), uuid() = uuid();
SELECT regexp_like(CAST(uuid() AS VARCHAR), '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$');
SELECT count(DISTINCT u) FROM (SELECT uuid() AS u FROM (VALUES (1), (2), (3)) t(x)) s;

-- The people table's names (NULL, empty and non-ASCII among them).
SELECT id, upper(name), length(name), substr(name, 1, 2), reverse(name) FROM people ORDER BY id;
SELECT id, lpad(name, 6, '.'), concat_ws('/', name, 'x'), name || '#' FROM people ORDER BY id;
SELECT id FROM people WHERE starts_with(lower(name), 'a') ORDER BY id;
SELECT id, strpos(name, 'a'), replace(name, 'a', 'A'), split_part(name, 'a', 1) FROM people ORDER BY id;
