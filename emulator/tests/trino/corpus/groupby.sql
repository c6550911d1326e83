-- groupby: GROUP BY (expressions, positions, NULL keys), HAVING, DISTINCT, GROUPING SETS,
-- ROLLUP, CUBE and grouping() (trino.io, "SELECT", GROUP BY and HAVING clauses).

-- Columns, expressions, positions; NULL keys form one group.
SELECT dept, count(*) FROM emp GROUP BY dept;
SELECT dept, count(*) FROM emp GROUP BY 1;
SELECT salary / 50, count(*) FROM emp GROUP BY salary / 50;
SELECT salary / 50 AS band, count(*) FROM emp GROUP BY 1;
SELECT upper(dept), count(*) FROM emp GROUP BY upper(dept);
SELECT region, product, sum(qty) FROM sales GROUP BY region, product;
SELECT region, product, sum(qty) FROM sales GROUP BY 2, 1;
SELECT a, b, count(*) FROM pairs GROUP BY a, b;
SELECT s, count(*) FROM pairs GROUP BY s;
SELECT p, q, count(*) FROM flags GROUP BY p, q HAVING count(*) > 0;
SELECT count(*) FROM emp GROUP BY dept, dept;
SELECT dept IS NULL, count(*) FROM emp GROUP BY dept IS NULL;
SELECT CASE WHEN salary >= 100 THEN 'high' ELSE 'low' END AS band, count(*) FROM emp GROUP BY CASE WHEN salary >= 100 THEN 'high' ELSE 'low' END;
SELECT count(*) FROM emp GROUP BY ();
SELECT 1 FROM emp GROUP BY dept;

-- An output alias is not a grouping key in Trino; positions out of range fail.
SELECT salary / 50 AS band, count(*) FROM emp GROUP BY band;
SELECT dept, count(*) FROM emp GROUP BY 3;
SELECT dept, count(*) FROM emp GROUP BY 0;

-- Columns neither grouped nor aggregated fail.
SELECT dept, name FROM emp GROUP BY dept;
SELECT name, count(*) FROM emp;
SELECT dept, salary + 1 FROM emp GROUP BY dept;

-- HAVING: on aggregates not selected, on keys, without GROUP BY.
SELECT dept, count(*) FROM emp GROUP BY dept HAVING count(*) > 1;
SELECT dept FROM emp GROUP BY dept HAVING max(salary) >= 100;
SELECT dept, sum(salary) FROM emp GROUP BY dept HAVING dept IS NULL OR dept LIKE 's%';
SELECT count(*) FROM emp HAVING count(*) > 5;
SELECT count(*) FROM emp HAVING count(*) > 50;
SELECT dept, avg(bonus) FROM emp GROUP BY dept HAVING avg(bonus) IS NULL;
SELECT dept FROM emp GROUP BY dept HAVING salary > 1;

-- DISTINCT: NULLs are one value; several columns.
SELECT DISTINCT dept FROM emp;
SELECT DISTINCT salary FROM emp;
SELECT DISTINCT region, yr FROM sales;
SELECT DISTINCT a, b FROM pairs WHERE id < 6;
SELECT DISTINCT x FROM set_a;
SELECT count(DISTINCT x), count(x), count(*) FROM set_a;
SELECT DISTINCT p OR q FROM flags;
SELECT DISTINCT dept, count(*) FROM emp GROUP BY dept;

-- GROUPING SETS, ROLLUP, CUBE, grouping().
SELECT region, product, sum(qty) FROM sales GROUP BY GROUPING SETS ((region, product), (region), ());
SELECT region, yr, sum(qty), grouping(region, yr) FROM sales GROUP BY ROLLUP (region, yr);
SELECT region, yr, count(*), grouping(region), grouping(yr) FROM sales GROUP BY CUBE (region, yr);
SELECT region, sum(qty) FROM sales GROUP BY ROLLUP (region);
SELECT region, product, grouping(product, region) FROM sales GROUP BY GROUPING SETS ((region), (product));
SELECT region, product, yr, count(*) FROM sales GROUP BY region, ROLLUP (product, yr);
SELECT yr, count(*) FROM sales GROUP BY GROUPING SETS ((yr), (yr));
SELECT region, count(*) FROM sales GROUP BY ROLLUP (region) HAVING grouping(region) = 1;
SELECT CASE grouping(dept) WHEN 1 THEN 'all' ELSE dept END AS d, sum(salary) FROM emp GROUP BY ROLLUP (dept);
SELECT region, product, count(*) FROM sales GROUP BY CUBE (region, product) ORDER BY grouping(region, product), region, product;
SELECT dept, count(*) FROM emp GROUP BY GROUPING SETS ((dept), ());
SELECT region, yr, count(*) FROM sales GROUP BY DISTINCT ROLLUP (region, yr), ROLLUP (region);
SELECT grouping(name) FROM emp GROUP BY dept;

-- Aggregating an aggregate through a subquery, and a join of grouped results.
SELECT max(n) FROM (SELECT dept, count(*) AS n FROM emp GROUP BY dept);
SELECT e.dept, e.n, d.floor FROM (SELECT dept, count(*) AS n FROM emp GROUP BY dept) e JOIN dept d ON e.dept = d.dept;

-- More: ALL as Trino's (default) quantifier, a ROLLUP of three keys, grouping() telling
-- a NULL of the data from a NULL of a rollup, HAVING over a window's input.
SELECT dept, count(*) FROM emp GROUP BY ALL dept;
SELECT dept, count(*) FROM emp GROUP BY ALL;
SELECT region, product, yr, sum(qty) FROM sales GROUP BY ROLLUP (region, product, yr);
SELECT product, grouping(product), count(*) FROM sales GROUP BY ROLLUP (product);
SELECT region, count(*), sum(count(*)) OVER () FROM sales GROUP BY region;
SELECT count(*), count(DISTINCT region), max(yr) FROM sales GROUP BY ();
SELECT dept FROM emp WHERE salary > 80 GROUP BY dept HAVING count(*) >= 2 AND min(id) < 5;
SELECT DISTINCT dept, salary > 90 FROM emp;

-- HAVING sees the FROM clause's columns, not output aliases; syntax of other dialects.
SELECT dept, count(*) AS cnt FROM emp GROUP BY dept HAVING cnt > 1;
SELECT dept AS d, count(*) FROM emp GROUP BY dept HAVING d IS NOT NULL;
SELECT dept, count(*) AS id FROM emp GROUP BY dept HAVING id > 1;
SELECT dept, max(salary) AS top FROM emp GROUP BY dept HAVING max(salary) > 85 ORDER BY top DESC;
SELECT dept, count(*) FROM emp GROUP BY dept WITH ROLLUP;
SELECT DISTINCT ON (dept) dept, name FROM emp;
