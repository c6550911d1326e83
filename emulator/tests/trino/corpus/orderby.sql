-- orderby: ORDER BY (trino.io, "SELECT", ORDER BY, OFFSET, LIMIT and FETCH FIRST
-- clauses): NULLs last in both directions unless NULLS FIRST, positions, expressions,
-- aliases, LIMIT/OFFSET/FETCH, and the order of doubles (NaN, infinities, -0.0) and
-- strings (by code point). Ties are broken so that every answer is one order.

-- NULLs last by default, ascending and descending; NULLS FIRST/LAST as written.
SELECT id, salary FROM emp ORDER BY salary, id;
SELECT id, salary FROM emp ORDER BY salary DESC, id;
SELECT id, salary FROM emp ORDER BY salary NULLS FIRST, id;
SELECT id, salary FROM emp ORDER BY salary DESC NULLS FIRST, id;
SELECT id, dept FROM emp ORDER BY dept ASC NULLS LAST, id DESC;
SELECT id, dept FROM emp ORDER BY dept DESC NULLS LAST, id;
SELECT a, b FROM pairs ORDER BY a NULLS FIRST, b DESC;
SELECT x FROM set_a ORDER BY x DESC;

-- Positions, aliases, expressions, columns not selected.
SELECT name, salary FROM emp ORDER BY 2 DESC, 1;
SELECT name AS n, bonus AS b FROM emp ORDER BY b, n;
SELECT name FROM emp ORDER BY salary * -1, id;
SELECT name FROM emp ORDER BY length(name) DESC, name;
SELECT id, salary + coalesce(bonus, 0) AS total FROM emp ORDER BY total DESC NULLS FIRST, id;
SELECT name FROM emp ORDER BY id DESC;
SELECT name, salary FROM emp ORDER BY CASE WHEN dept = 'eng' THEN 0 ELSE 1 END, salary DESC, id;
SELECT dept, count(*) AS n FROM emp GROUP BY dept ORDER BY n DESC, dept;
SELECT dept, max(salary) FROM emp GROUP BY dept ORDER BY max(salary), dept;
SELECT id AS salary, salary AS id FROM emp ORDER BY salary;
SELECT name FROM emp ORDER BY 3;
SELECT name FROM emp ORDER BY 0;

-- LIMIT, OFFSET, FETCH FIRST.
SELECT id FROM emp ORDER BY id LIMIT 3;
SELECT id FROM emp ORDER BY id OFFSET 6;
SELECT id FROM emp ORDER BY id OFFSET 2 LIMIT 3;
SELECT id FROM emp ORDER BY id OFFSET 2 ROWS FETCH NEXT 2 ROWS ONLY;
SELECT id FROM emp ORDER BY id FETCH FIRST 2 ROWS ONLY;
SELECT salary FROM emp ORDER BY salary DESC FETCH FIRST 3 ROWS WITH TIES;
SELECT id FROM emp ORDER BY id LIMIT 0;
SELECT id FROM emp ORDER BY id OFFSET 100;
SELECT id FROM emp ORDER BY id LIMIT ALL;
SELECT count(*) FROM (SELECT id FROM emp LIMIT 4);
SELECT id FROM emp ORDER BY id LIMIT -1;

-- ORDER BY in subqueries, with DISTINCT and set operations.
SELECT DISTINCT dept FROM emp ORDER BY dept;
SELECT DISTINCT dept FROM emp ORDER BY salary;
SELECT x FROM set_a UNION SELECT x FROM set_b ORDER BY x DESC;
SELECT x FROM set_a UNION ALL SELECT x FROM set_b ORDER BY 1 NULLS FIRST;
SELECT * FROM (SELECT id FROM emp ORDER BY id DESC LIMIT 3) ORDER BY id;

-- Doubles: -Infinity < ... < Infinity < NaN, NULL last; -0.0 and 0.0 are peers.
SELECT id, d FROM vals ORDER BY d, id;
SELECT id, d FROM vals ORDER BY d DESC, id;
SELECT id, d FROM vals ORDER BY d NULLS FIRST, id DESC;
SELECT id, d FROM vals WHERE d = 0 ORDER BY d, id DESC;
SELECT min(d), max(d) FROM vals;
SELECT max(d) FROM vals WHERE id <> 4;

-- Comparisons of doubles: NaN equals nothing, is neither larger nor smaller (<> is
-- true); -0.0 equals 0.0.
SELECT id FROM vals WHERE d > 100;
SELECT id, d = d, d <> d, d < 1, d >= 1, 1 < d FROM vals;
SELECT id FROM vals WHERE d IN (2E0, nan(), -0.0E0);
SELECT id FROM vals WHERE d NOT IN (2E0, nan());
SELECT -0.0E0 = 0.0E0, -0.0E0 < 0.0E0, nan() = nan(), nan() > 1E0, nan() <> nan(), nan() >= nan(), nan() < infinity();
SELECT a.id, b.id FROM vals a JOIN vals b ON a.d < b.d WHERE b.id = 4 OR a.id = 4;
-- A double compared with a decimal is compared as a double.
SELECT id FROM vals WHERE d > 1.5;
SELECT id FROM vals WHERE d IN (1.5, 2.0);
SELECT id FROM vals WHERE d BETWEEN 0.5 AND 2.5;
SELECT id FROM vals WHERE d < 100000000000000000000.5;

-- Strings by code point: upper case before lower case, accents after ASCII, '' first.
SELECT id, s FROM vals ORDER BY s, id;
SELECT id, s FROM vals ORDER BY s DESC, id;
SELECT w FROM words ORDER BY w;
SELECT min(s), max(s) FROM vals;

-- Booleans and mixed-type expressions.
SELECT id, p FROM flags ORDER BY p, id;
SELECT id, p FROM flags ORDER BY p DESC, id;
SELECT x FROM (VALUES (1), (2.5), (-1)) t(x) ORDER BY x;
SELECT x FROM (VALUES (1E0), (2E0), (0.5E0)) t(x) ORDER BY x DESC;
SELECT x FROM (SELECT 1E0 AS x UNION ALL SELECT 0.5 UNION ALL SELECT 2) ORDER BY x;
SELECT id, name FROM people ORDER BY name, id;

-- More: ORDER BY a window function and a scalar subquery, by NULL-producing
-- expressions, LIMIT and OFFSET with ties broken.
SELECT id, salary FROM emp ORDER BY nullif(salary, 100) NULLS FIRST, id;
SELECT dept, count(*) FROM emp GROUP BY dept ORDER BY count(*) DESC, dept NULLS FIRST;
SELECT id FROM emp ORDER BY (SELECT max(floor) FROM dept) + id DESC LIMIT 2;
SELECT name FROM emp ORDER BY dept DESC, salary DESC NULLS FIRST, id OFFSET 1 LIMIT 4;
SELECT s FROM vals ORDER BY lower(s), s;
SELECT x, y FROM (VALUES (1, 'b'), (1, 'a'), (NULL, 'c'), (0, NULL)) t(x, y) ORDER BY x DESC NULLS FIRST, y;

-- Syntax of other dialects that Trino does not have.
SELECT id FROM emp ORDER BY id LIMIT 2, 3;
SELECT TOP 2 id FROM emp;
SELECT id FROM emp QUALIFY row_number() OVER (ORDER BY id) = 1;
