-- aggregates: Trino's aggregate functions (trino.io, "Aggregate functions") over the
-- corpus tables (emp, sales, people, ...) and small VALUES lists: result types, NULLs
-- ignored, no rows, FILTER, DISTINCT and ORDER BY inside the call, errors.

-- count in all its forms; NULLs are not counted, count(*) counts rows.
SELECT count(*), count(salary), count(DISTINCT salary), count(DISTINCT dept), count(bonus) FROM emp;
SELECT count(*), count(id) FROM emp WHERE id > 100;
SELECT count(1), count(NULL), count(DISTINCT NULL) FROM emp;
SELECT dept, count(*), count(bonus) FROM emp GROUP BY dept;
SELECT count(DISTINCT x) FROM (VALUES (1), (1), (NULL), (2)) t(x);

-- sum, avg, min, max over integers: sum of integer is bigint, avg is double.
SELECT sum(salary), avg(salary), min(salary), max(salary) FROM emp;
SELECT sum(x), avg(x) FROM (VALUES (2147483647), (2147483647)) t(x);
SELECT sum(x), avg(x), min(x), max(x) FROM (VALUES (TINYINT '100'), (TINYINT '100')) t(x);
SELECT sum(x), avg(x) FROM (VALUES (SMALLINT '30000'), (SMALLINT '30000')) t(x);
SELECT avg(x) FROM (VALUES (1), (2)) t(x);
SELECT avg(x) FROM (VALUES (-7), (2)) t(x);
SELECT sum(x) FROM (VALUES (BIGINT '9223372036854775807'), (BIGINT '1')) t(x);
SELECT sum(x) FROM (VALUES (BIGINT '-9223372036854775807'), (BIGINT '-2')) t(x);
SELECT dept, sum(salary), avg(salary), min(salary), max(salary) FROM emp GROUP BY dept;

-- sum, avg, min, max over doubles and reals.
SELECT sum(bonus), avg(bonus), min(bonus), max(bonus) FROM emp;
SELECT sum(x), avg(x) FROM (VALUES (0.1E0), (0.2E0), (0.3E0)) t(x);
SELECT sum(x), avg(x), min(x), max(x) FROM (VALUES (REAL '1.5'), (REAL '2.25')) t(x);
SELECT sum(x), min(x), max(x) FROM (VALUES (1E0), (nan()), (3E0)) t(x);
SELECT sum(x), avg(x), min(x), max(x) FROM (VALUES (infinity()), (-infinity())) t(x);
SELECT min(x), max(x) FROM (VALUES (-0.0E0), (0.0E0)) t(x);

-- min and max over other orderable types.
SELECT min(name), max(name) FROM emp;
SELECT min(name), max(name) FROM people;
SELECT min(active), max(active) FROM people;
SELECT min(born), max(born) FROM people;

-- min/max/min_by/max_by with n: the n smallest/largest as an array.
SELECT max(salary, 3), min(salary, 2) FROM emp;
SELECT max_by(name, salary, 2), min_by(name, salary, 3) FROM emp;

-- Every aggregate over no rows: count is 0, the others NULL.
SELECT count(*), count(salary), sum(salary), avg(salary), min(salary), max(salary) FROM emp WHERE dept = 'none';
SELECT sum(bonus), avg(bonus), stddev(bonus), variance(bonus), bool_and(bonus > 0), array_agg(bonus) FROM emp WHERE id < 0;
SELECT count_if(salary > 0), max_by(name, salary), arbitrary(name), approx_distinct(name) FROM emp WHERE id < 0;
SELECT dept, count(*) FROM emp WHERE id < 0 GROUP BY dept;

-- Every aggregate over only NULLs.
SELECT count(x), sum(x), avg(x), min(x), max(x) FROM (VALUES (CAST(NULL AS INTEGER)), (NULL)) t(x);
SELECT stddev(x), var_pop(x), array_agg(x), approx_distinct(x), arbitrary(x) FROM (VALUES (CAST(NULL AS DOUBLE)), (NULL)) t(x);
SELECT sum(NULL);
SELECT avg(NULL) FROM emp;
SELECT min(NULL), max(NULL), count(NULL), arbitrary(NULL) FROM emp;

-- count_if.
SELECT count_if(salary > 90), count_if(bonus IS NULL), count_if(NULL) FROM emp;
SELECT dept, count_if(salary >= 100) FROM emp GROUP BY dept;

-- bool_and, bool_or, every: NULLs ignored; no rows give NULL.
SELECT bool_and(active), bool_or(active), every(active) FROM people;
SELECT bool_and(p), bool_or(p), every(p) FROM flags WHERE id IN (1, 2, 3);
SELECT bool_and(p), bool_or(p) FROM flags WHERE id IN (7, 8, 9);
SELECT dept, bool_and(salary > 85), bool_or(bonus > 10) FROM emp GROUP BY dept;

-- arbitrary and any_value: a non-NULL value when there is one.
SELECT arbitrary(x), any_value(x) FROM (VALUES (CAST(NULL AS INTEGER)), (7), (NULL)) t(x);
SELECT dept, arbitrary(floor), any_value(budget) FROM dept GROUP BY dept;

-- array_agg: NULLs kept, ORDER BY inside the call, DISTINCT.
SELECT array_agg(name ORDER BY id) FROM emp;
SELECT array_agg(dept ORDER BY id) FROM emp;
SELECT array_agg(salary ORDER BY salary DESC, id) FROM emp;
SELECT array_agg(salary ORDER BY salary NULLS FIRST) FROM emp;
SELECT array_agg(DISTINCT dept ORDER BY dept) FROM emp;
SELECT dept, array_agg(name ORDER BY name DESC) FROM emp GROUP BY dept;
SELECT array_agg(x) FROM (VALUES (1)) t(x);

-- map_agg and histogram.
SELECT map_agg(name, salary) FROM emp WHERE id <= 3;
SELECT map_agg(dept, floor) FROM dept WHERE dept IS NOT NULL;
SELECT histogram(dept) FROM emp WHERE dept IS NOT NULL;
SELECT histogram(x) FROM (VALUES (1), (1), (2), (NULL)) t(x);
SELECT multimap_agg(dept, name) FROM emp WHERE id IN (1, 4);
SELECT multimap_agg(dept, name) FROM emp;
SELECT map_agg(x, y) FROM (VALUES (1, 'a'), (2, 'b'), (1, 'c'), (NULL, 'd')) t(x, y);
SELECT histogram(x) FROM UNNEST(transform(sequence(1, 60), i -> i % 23)) t(x);
SELECT histogram(CAST(x AS VARCHAR)) FROM UNNEST(sequence(1, 40)) t(x);
SELECT map_agg(x, x * 2) FROM UNNEST(sequence(-20, 20)) t(x);
SELECT histogram(born) FROM people;
SELECT histogram(x) FROM (VALUES (1)) t(x) WHERE false;
SELECT histogram(region) FROM sales GROUP BY ();
-- (Trino orders the entries of a grouped histogram by how partial results arrive: only
-- their number is stable.)
SELECT region, cardinality(histogram(product)) FROM sales GROUP BY region;
SELECT histogram(bonus) FROM emp;
SELECT histogram(x) FROM (VALUES (REAL '1.5'), (REAL '2.5')) t(x);
SELECT map_agg(CAST(x AS DOUBLE) / 8, x) FROM UNNEST(sequence(1, 30)) t(x);
SELECT map_agg(name, salary) OVER (PARTITION BY dept) FROM emp;

-- max_by and min_by: the value of x at the largest/smallest y.
SELECT max_by(name, salary), min_by(name, salary) FROM emp WHERE id <> 3 AND id <> 8;
SELECT max_by(name, bonus), min_by(name, bonus) FROM emp;
SELECT dept, max_by(name, id), min_by(name, id) FROM emp GROUP BY dept;
SELECT max_by(x, y), min_by(x, y) FROM (VALUES (1, NULL), (2, 5), (NULL, 9)) t(x, y);

-- Statistics: stddev, variance and their _pop/_samp forms; one row gives NULL samples.
SELECT stddev(salary), stddev_samp(salary), stddev_pop(salary) FROM emp;
SELECT variance(salary), var_samp(salary), var_pop(salary) FROM emp;
SELECT stddev(x), stddev_pop(x), variance(x), var_pop(x) FROM (VALUES (4.0E0)) t(x);
SELECT stddev_samp(x), var_samp(x) FROM (VALUES (1E0), (2E0), (3E0), (4E0)) t(x);
SELECT dept, stddev_pop(bonus), var_pop(bonus) FROM emp GROUP BY dept;
SELECT kurtosis(x), skewness(x) FROM (VALUES (1E0), (2E0), (3E0), (10E0)) t(x);
SELECT geometric_mean(x) FROM (VALUES (1), (2), (4)) t(x);
SELECT geometric_mean(x) FROM (VALUES (2E0), (8E0)) t(x);

-- Correlation, covariance and regression.
SELECT corr(x, y), covar_pop(x, y), covar_samp(x, y) FROM (VALUES (1E0, 2E0), (2E0, 4E0), (3E0, 7E0)) t(x, y);
SELECT regr_slope(y, x), regr_intercept(y, x) FROM (VALUES (1E0, 2E0), (2E0, 4E0), (3E0, 7E0)) t(x, y);
SELECT corr(salary, bonus), covar_samp(salary, bonus), regr_slope(bonus, salary) FROM emp;
SELECT corr(x, y), covar_samp(x, y), regr_slope(y, x) FROM (VALUES (1E0, 1E0)) t(x, y);
SELECT corr(x, y) FROM (VALUES (1, 2), (2, 4), (3, 6)) t(x, y);

-- approx_distinct is exact on small sets; approx_percentile on a handful of values.
SELECT approx_distinct(dept), approx_distinct(salary), approx_distinct(name) FROM emp;
SELECT approx_distinct(x, 0.0040625) FROM (VALUES (1), (2), (2)) t(x);
SELECT approx_percentile(x, 0.5) FROM (VALUES (1), (2), (3), (4), (5)) t(x);
SELECT approx_percentile(salary, 0.5), approx_percentile(salary, 0) , approx_percentile(salary, 1) FROM emp;
SELECT approx_percentile(x, ARRAY[0.0, 0.5, 1.0]) FROM (VALUES (10), (20), (30)) t(x);
SELECT approx_percentile(x, 0.5) FROM (VALUES (1.5E0), (2.5E0), (3.5E0)) t(x);
SELECT approx_percentile(x, 2) FROM (VALUES (1), (2)) t(x);

-- listagg (WITHIN GROUP).
SELECT listagg(name, ', ') WITHIN GROUP (ORDER BY name) FROM emp;
SELECT dept, listagg(name, '|') WITHIN GROUP (ORDER BY id DESC) FROM emp WHERE dept IS NOT NULL GROUP BY dept;
SELECT listagg(dept) WITHIN GROUP (ORDER BY id) FROM emp;

-- Bitwise aggregates.
SELECT bitwise_and_agg(x), bitwise_or_agg(x), bitwise_xor_agg(x) FROM (VALUES (BIGINT '12'), (BIGINT '10')) t(x);

-- FILTER (WHERE ...) on every kind of aggregate.
SELECT count(*) FILTER (WHERE salary > 90), sum(salary) FILTER (WHERE dept = 'eng'), avg(bonus) FILTER (WHERE bonus > 0) FROM emp;
SELECT dept, count(*) FILTER (WHERE bonus IS NULL), max(name) FILTER (WHERE salary < 100) FROM emp GROUP BY dept;
SELECT array_agg(name ORDER BY id) FILTER (WHERE salary >= 100) FROM emp;
SELECT count(DISTINCT dept) FILTER (WHERE salary > 80) FROM emp;
SELECT sum(x) FILTER (WHERE false) FROM (VALUES (1)) t(x);

-- Aggregates of expressions, and expressions of aggregates.
SELECT sum(salary * 2) / count(*), max(salary) - min(salary) FROM emp;
SELECT round(avg(bonus), 2), sum(CASE WHEN dept = 'eng' THEN 1 ELSE 0 END) FROM emp;
SELECT avg(CAST(salary AS DOUBLE)) FROM emp;

-- Errors: wrong arguments, aggregates where they are not allowed.
SELECT sum(name) FROM emp;
SELECT avg('x');
SELECT bool_and(salary) FROM emp;
SELECT count(*) FROM emp WHERE count(*) > 1;
SELECT sum(max(salary)) FROM emp;
SELECT max_by(name, salary, -1) FROM emp;
SELECT min(salary, 0) FROM emp;

-- More forms: DISTINCT inside other aggregates, aggregates of expressions over groups.
SELECT sum(DISTINCT salary), avg(DISTINCT salary), count(DISTINCT salary) FILTER (WHERE dept = 'eng') FROM emp;
SELECT dept, array_agg(DISTINCT salary ORDER BY salary) FROM emp GROUP BY dept;
SELECT listagg(DISTINCT dept, ',') WITHIN GROUP (ORDER BY dept) FROM emp;
SELECT listagg(name, ',') FROM emp;
SELECT listagg(salary, ',') WITHIN GROUP (ORDER BY salary) FROM emp;
SELECT count(DISTINCT dept, name) FROM emp;
SELECT bool_or(x), bool_and(x) FROM (VALUES (CAST(NULL AS BOOLEAN))) t(x);
SELECT max_by(name, salary) FROM emp WHERE salary IS NULL;
SELECT max_by(x, y, 2), min_by(x, y, 2) FROM (VALUES (1, 10), (2, 20), (3, NULL), (4, 5)) t(x, y);
SELECT max_by(x, y, 10001) FROM (VALUES (1, 1)) t(x, y);
SELECT max(x, 3), min(x, 3) FROM (VALUES (5), (NULL), (1), (5), (2)) t(x);
SELECT max(x, 2) FROM (VALUES (1)) t(x) WHERE false;

-- Statistics over integers, decimals and reals: Trino's types (real for two variables).
SELECT corr(x, y), covar_pop(x, y), regr_intercept(y, x) FROM (VALUES (1.5, 2.0), (2.5, 3.5), (4.0, 4.5)) t(x, y);
SELECT stddev(x), variance(x), geometric_mean(x) FROM (VALUES (1.5), (2.5), (4.0)) t(x);
SELECT geometric_mean(x) FROM (VALUES (REAL '2'), (REAL '8')) t(x);
SELECT geometric_mean(x) FROM (VALUES (0), (4)) t(x);
SELECT skewness(x), kurtosis(x) FROM (VALUES (1E0), (2E0), (3E0)) t(x);
SELECT dept, stddev_samp(salary), var_samp(salary) FROM emp GROUP BY dept;

-- approx_percentile: arrays of percentages, weights; more than 39 values (Athena's
-- digest approximates there) and approx_distinct past 251 values are refused.
SELECT approx_percentile(x, ARRAY[0.25, 0.75]) FROM (VALUES (1E0), (2E0), (3E0), (4E0)) t(x);
SELECT approx_percentile(x, w, 0.5) FROM (VALUES (1, 1), (10, 5), (100, 1)) t(x, w);
SELECT approx_percentile(x, 0.5) FROM (VALUES (-5), (3), (-2)) t(x);
SELECT approx_percentile(x, 0.5) FROM (VALUES (REAL '1.5'), (REAL '2.5')) t(x);
SELECT approx_percentile(x, -0.1) FROM (VALUES (1)) t(x);
SELECT approx_percentile(x, 0.5) FROM UNNEST(sequence(1, 100)) t(x);
SELECT approx_distinct(x) FROM UNNEST(sequence(1, 251)) t(x);
SELECT approx_distinct(x) FROM UNNEST(sequence(1, 300)) t(x);
SELECT approx_distinct(x, 0.3) FROM (VALUES (1)) t(x);
SELECT approx_distinct(x, 0.1) FROM (VALUES (1)) t(x);

-- Aggregates as windows over overflowing and NULL values.
SELECT id, sum(x) OVER (ORDER BY id) FROM (VALUES (1, BIGINT '9223372036854775807'), (2, BIGINT '1')) t(id, x);
SELECT sum(x) OVER (), avg(x) OVER () FROM (VALUES (REAL '1.5')) t(x);
