-- regexp: Trino's regular expression functions (trino.io, "Regular expression
-- functions"), Java pattern syntax.

-- regexp_like: true when the pattern matches anywhere in the string.
SELECT regexp_like('1a 2b 14m', '\d+b');
SELECT regexp_like('abc', '^b'), regexp_like('abc', 'B'), regexp_like('abc', '(?i)B');
SELECT regexp_like('abc', '^abc$'), regexp_like('', ''), regexp_like('', 'x');
SELECT regexp_like(NULL, 'a'), regexp_like('a', NULL);
SELECT regexp_like('a.b', 'a\.b'), regexp_like('axb', 'a\.b'), regexp_like('axb', 'a.b');
SELECT regexp_like('a' || chr(10) || 'b', 'a.b'), regexp_like('a' || chr(10) || 'b', '(?s)a.b');
SELECT regexp_like('x' || chr(10) || 'y', '^y'), regexp_like('x' || chr(10) || 'y', '(?m)^y$');
SELECT regexp_like('foo@example.com', '^[\w.+-]+@[\w-]+\.[\w.]+$');
SELECT regexp_like('2024-01-02', '^\d{4}-\d{2}-\d{2}$'), regexp_like('2024-1-02', '^\d{4}-\d{2}-\d{2}$');
SELECT regexp_like('ab12', '[a-z]{2}[0-9]+'), regexp_like('AB', '[^A-Z]');
SELECT regexp_like('abc', 'a|z'), regexp_like('abc', '(x|y)c'), regexp_like('aaa', '^a{2,3}$');
SELECT regexp_like('tab' || chr(9), '\t'), regexp_like('a b', '\s'), regexp_like('a_b', '\W');
SELECT regexp_like('Élan', '^\p{Lu}'), regexp_like('élan', '^\p{Lu}'), regexp_like('日本', '\p{Han}');
SELECT regexp_like('日本', '\p{IsHan}');
SELECT regexp_like('é', '\w'), regexp_like('٣', '\d'), regexp_like('é', '\W'), regexp_like('٣', '[\d]');
SELECT regexp_like('é', '[[:alpha:]]');
SELECT regexp_like('x', '\p{Alpha}'), regexp_like('é', '\p{Alpha}'), regexp_like('é', '\p{L}');
SELECT regexp_like('word boundary', '\bbound'), regexp_like('word boundary', 'd\b');
SELECT regexp_like(x, '^[0-9]+$') FROM (VALUES ('123'), ('12a'), (''), (NULL)) t(x);
SELECT regexp_like(s, p) FROM (VALUES ('abc', 'b'), ('abc', '^b'), ('x', NULL)) t(s, p);
-- Java syntax that other engines lack: lookaround, backreferences, possessive
-- quantifiers, \Q...\E quoting.
SELECT regexp_like('abc', '(?<=a)b'), regexp_like('abc', 'b(?=c)'), regexp_like('abc', 'a(?!b)');
SELECT regexp_like('abab', '(ab)\1'), regexp_like('abcd', '(ab)\1');
SELECT regexp_like('aaa', 'a*+a');
SELECT regexp_like('a.b', '\Qa.b\E'), regexp_like('axb', '\Qa.b\E');
SELECT regexp_like('ab', 'a(?<name>b)'), regexp_like('aB', 'a(?i:b)');
-- Invalid patterns.
SELECT regexp_like('abc', '(');
SELECT regexp_like('abc', '[a-');
SELECT regexp_like('abc', '*a');
SELECT regexp_like('abc', 'a{2,1}');
-- Line terminators: . and $ around \n and \r.
SELECT regexp_like(chr(13), '.'), regexp_like('a' || chr(10) || 'b', 'a$'), regexp_like('a' || chr(13), 'a$'), regexp_like('ab', 'b$');
SELECT regexp_like('a' || chr(10), 'a$'), regexp_like('a' || chr(10), 'a\z');
SELECT regexp_like('ab', '\Aab\Z'), regexp_like('é', '\bé'), regexp_like('ab', '\Aa');
SELECT regexp_like('1', '\h');

-- regexp_count: the number of matches.
SELECT regexp_count('1a 2b 14m', '\s*[a-z]+\s*'), regexp_count('aaa', 'a'), regexp_count('', 'x');
SELECT regexp_count('abc', ''), regexp_count('aaa', 'a*'), regexp_count(NULL, 'a');
SELECT regexp_count('日本日本', '日');

-- regexp_extract: the first match, or a group of it; NULL when nothing matches.
SELECT regexp_extract('1a 2b 14m', '\d+'), regexp_extract('1a 2b 14m', '(\d+)([a-z]+)', 2);
SELECT regexp_extract('abc', 'z'), regexp_extract('abc', 'a', 0), regexp_extract('abc', '(x)?c', 1);
SELECT regexp_extract('abc', '(a)', 2);
SELECT regexp_extract('abc', 'a', 1);
SELECT regexp_extract('abc', '(a)', -1);
SELECT regexp_extract(NULL, 'a'), regexp_extract('a', NULL), regexp_extract('a', '(a)', NULL);
SELECT regexp_extract('key=value; other=1', '(\w+)=(\w+)', 1), regexp_extract('日本語', '本.');
SELECT regexp_extract(x, '[0-9]+') FROM (VALUES ('ab12cd'), ('none'), (NULL)) t(x);
SELECT regexp_extract('GET /index.html HTTP/1.1', '^(\S+) (\S+)', 2);

-- regexp_extract_all: every match, or a group of every match.
SELECT regexp_extract_all('1a 2b 14m', '\d+'), regexp_extract_all('1a 2b 14m', '(\d+)([a-z]+)', 2);
SELECT regexp_extract_all('abc', 'z'), regexp_extract_all('abc', ''), regexp_extract_all('aaa', 'a*');
SELECT regexp_extract_all('abc', '(x)?c', 1);
SELECT regexp_extract_all('abc', '(a)', 3);
SELECT regexp_extract_all(NULL, 'a');

-- regexp_position: the 1-based position of a match, -1 when there is none.
SELECT regexp_position('I have 23 apples, 5 pears and 13 oranges', '\b\d+\b');
SELECT regexp_position('I have 23 apples, 5 pears and 13 oranges', '\b\d+\b', 5);
SELECT regexp_position('I have 23 apples, 5 pears and 13 oranges', '\b\d+\b', 12, 2);
SELECT regexp_position('abc', 'z'), regexp_position('日本語', '語'), regexp_position('abc', 'c', 10);
SELECT regexp_position('abc', 'a', 0);
SELECT regexp_position('abc', 'a', 1, 0);

-- regexp_replace: every match, with $n / ${name} references in the replacement.
SELECT regexp_replace('1a 2b 14m', '\d+[ab] '), regexp_replace('1a 2b 14m', '(\d+)([ab]) ', '3c$2 ');
SELECT regexp_replace('abc', '(b)', '[$1]'), regexp_replace('abc', 'b', '\$'), regexp_replace('abc', 'b', 'x\\y');
SELECT regexp_replace('abc', '(?<x>b)', '${x}${x}'), regexp_replace('abc', '(b)', '$0$1');
SELECT regexp_replace('abc', '', '-'), regexp_replace('aaa', 'a*', 'X'), regexp_replace('abc', 'z', 'y');
SELECT regexp_replace('abc', 'b', '$2');
SELECT regexp_replace('abc', 'b', '$');
SELECT regexp_replace('abc', 'b', '${nope}');
SELECT regexp_replace('abc', '(b)', '$1a'), regexp_replace('abcdefghijkl', '(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)', '$11');
SELECT regexp_replace('abc', '(b)', '$12');
SELECT regexp_replace(NULL, 'a', 'b'), regexp_replace('a', NULL, 'b'), regexp_replace('a', 'a', NULL);
SELECT regexp_replace('  many   spaces  ', '\s+', ' '), regexp_replace('Phone: 555-1234', '[^0-9]', '');
SELECT regexp_replace('日本語', '本', '-'), regexp_replace('ÀB', '(?i)àb', 'x');
SELECT regexp_replace('new york', '(\w)(\w*)', x -> upper(x[1]) || lower(x[2]));
SELECT regexp_replace('a1b22', '\d+', x -> CAST(length(x[1]) AS VARCHAR));
SELECT regexp_replace(x, '[aeiou]', '*') FROM (VALUES ('banana'), ('sky'), (NULL)) t(x);

-- regexp_split: the pieces between the matches.
SELECT regexp_split('1a 2b 14m', '\s*[a-z]+\s*'), regexp_split('a,b;c', '[,;]');
SELECT regexp_split('abc', 'z'), regexp_split('', ','), regexp_split('abc', '');
SELECT regexp_split(NULL, ',');
