-- tables: queries over the corpus tables (trino.io, "SELECT"): joins of every kind,
-- subqueries (IN, EXISTS, scalar, correlated), set operations with ALL and DISTINCT,
-- WITH, DISTINCT, and LIKE with its escapes.

-- Scans and projections.
SELECT * FROM emp;
SELECT * FROM dept;
SELECT * FROM sales;
SELECT * FROM pairs;
SELECT * FROM words;
SELECT * FROM vals;
SELECT id, name, salary + 1, bonus * 2 FROM emp WHERE dept = 'eng';
SELECT e.* FROM emp e WHERE e.salary > 100;

-- Inner joins: NULL keys never match.
SELECT e.name, d.floor FROM emp e JOIN dept d ON e.dept = d.dept;
SELECT e.name, d.floor FROM emp e, dept d WHERE e.dept = d.dept AND d.floor > 1;
SELECT e.name, m.name AS manager FROM emp e JOIN emp m ON e.manager_id = m.id;
SELECT e.name, d.dept FROM emp e JOIN dept d ON e.dept = d.dept OR (e.dept IS NULL AND d.dept IS NULL);
SELECT a.x, b.x FROM set_a a JOIN set_b b ON a.x = b.x;
SELECT e.name, d.floor FROM emp e JOIN dept d ON e.dept = d.dept AND e.salary > 95;
SELECT e.name, d.dept FROM emp e JOIN dept d ON e.salary > d.budget / 5;

-- Outer joins.
SELECT e.name, d.floor FROM emp e LEFT JOIN dept d ON e.dept = d.dept;
SELECT e.name, d.dept, d.floor FROM emp e RIGHT JOIN dept d ON e.dept = d.dept;
SELECT e.name, d.dept FROM emp e FULL OUTER JOIN dept d ON e.dept = d.dept;
SELECT e.name, m.name FROM emp e LEFT JOIN emp m ON e.manager_id = m.id;
SELECT e.name FROM emp e LEFT JOIN dept d ON e.dept = d.dept WHERE d.dept IS NULL;
SELECT e.name, d.floor FROM emp e LEFT JOIN dept d ON e.dept = d.dept AND d.floor > 2;
SELECT a.x, b.x FROM set_a a FULL JOIN set_b b ON a.x = b.x;
SELECT d.dept, count(e.id) FROM dept d LEFT JOIN emp e ON e.dept = d.dept GROUP BY d.dept;

-- USING, CROSS JOIN, NATURAL JOIN.
SELECT dept, name, floor FROM emp JOIN dept USING (dept);
SELECT * FROM emp JOIN dept USING (dept) WHERE id = 1;
SELECT dept, floor FROM emp LEFT JOIN dept USING (dept) WHERE id IN (6, 7);
SELECT dept, name, floor FROM emp RIGHT JOIN dept USING (dept);
SELECT dept, name, floor FROM emp FULL JOIN dept USING (dept);
SELECT * FROM emp e FULL OUTER JOIN dept d USING (dept) ORDER BY dept, id;
SELECT dept, count(*) FROM emp JOIN dept USING (dept) GROUP BY dept ORDER BY dept;
SELECT a.x, b.x FROM set_a a JOIN set_b b USING (x);
SELECT x FROM set_a a JOIN set_b b USING (x);
SELECT e.*, d.* FROM emp e JOIN dept d USING (dept) WHERE id = 1;
SELECT count(*) FROM emp e JOIN dept d USING (dept) WHERE e.id > 2;
SELECT count(*) FROM emp CROSS JOIN dept;
SELECT a.x, b.x FROM set_a a CROSS JOIN set_b b WHERE a.x = 1;
SELECT * FROM emp NATURAL JOIN dept;

-- IN and NOT IN subqueries: NOT IN over a list holding NULL is never true.
SELECT name FROM emp WHERE dept IN (SELECT dept FROM dept WHERE floor < 3);
SELECT name FROM emp WHERE dept NOT IN (SELECT dept FROM dept WHERE dept IS NOT NULL);
SELECT name FROM emp WHERE dept NOT IN (SELECT dept FROM dept);
SELECT x FROM set_b WHERE x NOT IN (SELECT x FROM set_a WHERE x IS NOT NULL);
SELECT x, x IN (SELECT x FROM set_a) FROM set_b;
SELECT x, x NOT IN (SELECT x FROM set_a WHERE x IS NOT NULL) FROM set_b;
SELECT id, CASE WHEN id IN (SELECT manager_id FROM emp) THEN 'manager' ELSE 'staff' END FROM emp;
SELECT name, dept IN (SELECT dept FROM dept WHERE floor > 1) FROM emp;
SELECT d.dept, d.dept IN (SELECT e.dept FROM emp e WHERE e.salary > d.floor * 30) FROM dept d;
SELECT name FROM emp WHERE id IN (SELECT manager_id FROM emp);

-- EXISTS and correlated subqueries.
SELECT d.dept FROM dept d WHERE EXISTS (SELECT 1 FROM emp e WHERE e.dept = d.dept);
SELECT d.dept FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp e WHERE e.dept = d.dept);
SELECT name, (SELECT floor FROM dept d WHERE d.dept = e.dept) AS floor FROM emp e;
SELECT name FROM emp e WHERE salary > (SELECT avg(salary) FROM emp i WHERE i.dept = e.dept);
SELECT name, salary - (SELECT min(salary) FROM emp) AS above_min FROM emp;
SELECT name FROM emp e WHERE EXISTS (SELECT 1 FROM emp r WHERE r.manager_id = e.id);
SELECT (SELECT count(*) FROM emp), (SELECT max(floor) FROM dept);
SELECT (SELECT id FROM emp);
SELECT (SELECT id FROM emp WHERE id < 0);
SELECT name FROM emp WHERE salary = (SELECT max(salary) FROM emp);
SELECT dept, (SELECT count(*) FROM emp e WHERE e.dept = d.dept) FROM dept d;

-- Set operations: UNION/INTERSECT/EXCEPT, DISTINCT (the default) and ALL; NULLs are equal.
SELECT x FROM set_a UNION SELECT x FROM set_b;
SELECT x FROM set_a UNION ALL SELECT x FROM set_b;
SELECT x FROM set_a UNION DISTINCT SELECT x FROM set_b;
SELECT x FROM set_a INTERSECT SELECT x FROM set_b;
SELECT x FROM set_a INTERSECT ALL SELECT x FROM set_b;
SELECT x FROM set_a EXCEPT SELECT x FROM set_b;
SELECT x FROM set_a EXCEPT ALL SELECT x FROM set_b;
SELECT x FROM set_b EXCEPT ALL SELECT x FROM set_a;
SELECT x AS v FROM set_a INTERSECT ALL SELECT x FROM set_b ORDER BY v NULLS FIRST;
SELECT dept, salary FROM emp EXCEPT ALL SELECT dept, salary FROM emp WHERE id > 5;
SELECT x FROM set_a INTERSECT ALL SELECT x FROM set_b UNION ALL SELECT 9;
SELECT * FROM set_a INTERSECT ALL SELECT x FROM set_b;
SELECT x FROM set_a INTERSECT DISTINCT SELECT x FROM set_b;
SELECT x FROM set_a UNION SELECT x FROM set_b INTERSECT SELECT x FROM set_a;
SELECT x FROM set_a EXCEPT SELECT x FROM set_b UNION ALL SELECT 7;
SELECT id, name FROM emp WHERE id < 3 UNION ALL SELECT floor, dept FROM dept;
SELECT x FROM set_a UNION SELECT 2.5;
SELECT x FROM set_a UNION SELECT 'a';
SELECT x, x FROM set_a UNION SELECT x FROM set_b;

-- WITH: several CTEs, one used twice, one using another.
WITH eng AS (SELECT * FROM emp WHERE dept = 'eng') SELECT count(*), sum(salary) FROM eng;
WITH totals AS (SELECT dept, sum(salary) AS total FROM emp GROUP BY dept), best AS (SELECT max(total) AS m FROM totals) SELECT dept FROM totals, best WHERE total = m;
WITH t AS (SELECT x FROM set_a) SELECT a.x, b.x FROM t a JOIN t b ON a.x = b.x;
WITH t (a, b) AS (SELECT id, name FROM emp WHERE id < 3) SELECT b, a FROM t;
WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n) FROM r;

-- DISTINCT over joins and expressions.
SELECT DISTINCT d.floor FROM emp e JOIN dept d ON e.dept = d.dept;
SELECT DISTINCT manager_id FROM emp;
SELECT DISTINCT salary > 90 FROM emp;

-- LIKE: % and _, no escape character unless ESCAPE says so (a backslash is literal).
SELECT w FROM words WHERE w LIKE 'a%';
SELECT w FROM words WHERE w LIKE 'a_c';
SELECT w FROM words WHERE w LIKE '_';
SELECT w FROM words WHERE w LIKE '%';
SELECT w FROM words WHERE w LIKE '';
SELECT w FROM words WHERE w NOT LIKE '%c';
SELECT w FROM words WHERE w LIKE 'a\_c';
SELECT w FROM words WHERE w LIKE 'a\_c' ESCAPE '\';
SELECT w FROM words WHERE w LIKE 'a\%c' ESCAPE '\';
SELECT w FROM words WHERE w LIKE 'a#%%' ESCAPE '#';
SELECT w FROM words WHERE w LIKE '%#%' ESCAPE '#';
SELECT w FROM words WHERE w LIKE 'a\\c' ESCAPE '\';
SELECT w FROM words WHERE w LIKE 'a\c';
SELECT w FROM words WHERE w LIKE '_clair';
SELECT w FROM words WHERE w LIKE 'A%';
SELECT 'a_c' LIKE 'a!_c' ESCAPE '!', 'abc' LIKE 'a!_c' ESCAPE '!';
SELECT 'x' LIKE 'x' ESCAPE NULL;
SELECT 'abc' LIKE 'a%' ESCAPE 'ab';
SELECT 'abc' LIKE 'ab\' ESCAPE '\';
SELECT w LIKE 'a%', w LIKE NULL FROM words;

-- More: non-equi and self joins, semi joins with NULL on the left, derived tables with
-- column aliases, set operations with ORDER BY and LIMIT, INTERSECT/EXCEPT of types
-- that do not mix, IN with a row of columns.
SELECT e.name, f.name FROM emp e JOIN emp f ON e.salary < f.salary AND f.dept = e.dept;
SELECT e.id, count(f.id) FROM emp e LEFT JOIN emp f ON f.manager_id = e.id GROUP BY e.id;
SELECT t.a, t.b FROM (SELECT id, name FROM emp WHERE id < 4) t(a, b);
SELECT x FROM set_a UNION ALL SELECT x FROM set_b ORDER BY x DESC NULLS LAST LIMIT 3;
SELECT x FROM set_a INTERSECT SELECT 'a';
SELECT x FROM set_a EXCEPT SELECT true;
SELECT name FROM emp WHERE (dept, salary) IN (SELECT dept, max(salary) FROM emp GROUP BY dept);
SELECT name FROM emp WHERE salary > ALL (SELECT salary FROM emp WHERE dept = 'sales');
SELECT name FROM emp WHERE salary < ANY (SELECT salary FROM emp WHERE dept = 'ops');
SELECT x, x > ALL (SELECT x FROM set_b), x = ANY (SELECT x FROM set_b), x <> ALL (SELECT x FROM set_b WHERE x IS NOT NULL), x >= SOME (SELECT x FROM set_b WHERE x > 100) FROM set_a;
SELECT name FROM emp WHERE salary >= ALL (SELECT salary FROM emp WHERE salary IS NOT NULL);
SELECT x, x < ALL (SELECT x FROM set_b WHERE x > 1), x <> ANY (SELECT x FROM set_b), x = ALL (SELECT 1) FROM set_a;
SELECT d.dept FROM dept d WHERE d.floor > ALL (SELECT e.salary / 40 FROM emp e WHERE e.dept = d.dept);
SELECT w FROM words WHERE w LIKE concat('a', '%') AND w NOT LIKE '%c';
SELECT w FROM words WHERE w ILIKE 'A%';
SELECT d.dept, e.name FROM dept d CROSS JOIN LATERAL (SELECT name FROM emp WHERE emp.dept = d.dept ORDER BY id LIMIT 1) e;
SELECT name FROM emp e WHERE (SELECT count(*) FROM emp r WHERE r.manager_id = e.id) > 1;

SELECT * EXCEPT (id) FROM emp;
SELECT e.* EXCLUDE (id) FROM emp e;

SELECT x, (SELECT max(y.x) FROM set_b y WHERE y.x < a.x) FROM set_a a;
SELECT name FROM emp WHERE salary BETWEEN 80 AND 100 AND dept IS NOT NULL ORDER BY id LIMIT 2 OFFSET 1;
SELECT name FROM emp ORDER BY id OFFSET 1 LIMIT 2;

-- Errors: unknown tables and columns, ambiguous names.
SELECT nope FROM emp;
SELECT dept FROM emp JOIN dept ON emp.dept = dept.dept;
SELECT * FROM nope;
SELECT e.nope FROM emp e;
