-- windows: Trino's window functions (trino.io, "Window functions") and aggregates used
-- as windows, every frame type, PARTITION BY and the default frame. Every query orders
-- its rows completely (ties broken by id), so the answers do not depend on plan order.

-- Ranking: ties share rank, dense_rank leaves no gaps; row_number breaks ties by id.
SELECT id, salary, row_number() OVER (ORDER BY salary DESC, id) AS rn, rank() OVER (ORDER BY salary DESC) AS r, dense_rank() OVER (ORDER BY salary DESC) AS dr FROM emp ORDER BY id;
SELECT id, dept, rank() OVER (PARTITION BY dept ORDER BY salary) AS r FROM emp ORDER BY id;
SELECT id, percent_rank() OVER (ORDER BY salary) AS pr, cume_dist() OVER (ORDER BY salary) AS cd FROM emp ORDER BY id;
SELECT id, percent_rank() OVER (PARTITION BY dept ORDER BY salary) AS pr, cume_dist() OVER (PARTITION BY dept ORDER BY salary) AS cd FROM emp ORDER BY id;
SELECT id, ntile(3) OVER (ORDER BY id) AS t3, ntile(4) OVER (ORDER BY id) AS t4, ntile(20) OVER (ORDER BY id) AS t20 FROM emp ORDER BY id;
SELECT id, ntile(2) OVER (PARTITION BY dept ORDER BY id) FROM emp ORDER BY id;
SELECT id, rank() OVER (ORDER BY dept) AS r, dense_rank() OVER (ORDER BY dept DESC) AS dr FROM emp ORDER BY id;
SELECT id, row_number() OVER (ORDER BY dept NULLS FIRST, id) FROM emp ORDER BY id;
SELECT id, rank() OVER (ORDER BY bonus DESC NULLS LAST) AS r FROM emp ORDER BY id;
SELECT id, row_number() OVER () FROM emp WHERE id = 4;
SELECT ntile(0) OVER (ORDER BY id) FROM emp;
SELECT ntile(-1) OVER (ORDER BY id) FROM emp;
SELECT ntile(CAST(NULL AS BIGINT)) OVER (ORDER BY id) FROM emp;

-- lag and lead: offsets, defaults, NULL values, offset 0.
SELECT id, lag(salary) OVER (ORDER BY id) AS prev, lead(salary) OVER (ORDER BY id) AS next FROM emp ORDER BY id;
SELECT id, lag(salary, 2) OVER (ORDER BY id) AS p2, lead(salary, 3) OVER (ORDER BY id) AS n3 FROM emp ORDER BY id;
SELECT id, lag(salary, 1, 0) OVER (ORDER BY id) AS p, lead(salary, 1, -1) OVER (ORDER BY id) AS n FROM emp ORDER BY id;
SELECT id, lag(name, 1, 'none') OVER (PARTITION BY dept ORDER BY id) FROM emp ORDER BY id;
SELECT id, lag(id, 0) OVER (ORDER BY id), lead(id, 0) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, lag(bonus) IGNORE NULLS OVER (ORDER BY id) AS p, lead(bonus) IGNORE NULLS OVER (ORDER BY id) AS n FROM emp ORDER BY id;
SELECT id, lag(bonus, 1, 99E0) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT lag(id, -1) OVER (ORDER BY id) FROM emp;
SELECT id, lag(id, 100) OVER (ORDER BY id) FROM emp WHERE id < 3 ORDER BY id;

-- first_value, last_value, nth_value: the default frame ends at the current row's last peer.
SELECT id, first_value(name) OVER (ORDER BY id) AS f, last_value(name) OVER (ORDER BY id) AS l FROM emp ORDER BY id;
SELECT id, first_value(id) OVER (ORDER BY salary, id) AS f, last_value(id) OVER (ORDER BY salary, id) AS l, max(id) OVER (ORDER BY salary) AS peers FROM emp WHERE salary IS NOT NULL ORDER BY id;
SELECT id, last_value(name) OVER (PARTITION BY dept ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM emp ORDER BY id;
SELECT id, nth_value(name, 2) OVER (ORDER BY id) AS n2, nth_value(name, 2) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n2all FROM emp ORDER BY id;
SELECT id, nth_value(name, 10) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM emp ORDER BY id;
SELECT id, first_value(bonus) IGNORE NULLS OVER (ORDER BY id) AS f, last_value(bonus) IGNORE NULLS OVER (ORDER BY id) AS l FROM emp ORDER BY id;
SELECT id, first_value(bonus) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT nth_value(name, 0) OVER (ORDER BY id) FROM emp;

-- Aggregates as windows: whole partition, running (default RANGE frame, peers included).
SELECT id, dept, sum(salary) OVER (PARTITION BY dept) AS total, count(*) OVER (PARTITION BY dept) AS n FROM emp ORDER BY id;
SELECT id, sum(salary) OVER (ORDER BY salary) AS running FROM emp ORDER BY id;
SELECT id, sum(salary) OVER (ORDER BY salary, id) AS running FROM emp ORDER BY id;
SELECT id, avg(salary) OVER (PARTITION BY dept) AS a, min(salary) OVER (PARTITION BY dept) AS mn, max(salary) OVER (PARTITION BY dept) AS mx FROM emp ORDER BY id;
SELECT id, count(bonus) OVER (ORDER BY id) AS c, count(*) OVER () AS total FROM emp ORDER BY id;
SELECT id, salary * 100 / sum(salary) OVER () AS pct FROM emp ORDER BY id;
SELECT id, avg(bonus) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM emp ORDER BY id;
SELECT id, array_agg(id) OVER (PARTITION BY dept ORDER BY id) FROM emp ORDER BY id;
SELECT id, bool_or(bonus > 5) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, max_by(name, salary) OVER (PARTITION BY dept) FROM emp WHERE id NOT IN (3, 8) ORDER BY id;
SELECT id, count_if(salary > 90) OVER (ORDER BY id ROWS 2 PRECEDING) FROM emp ORDER BY id;

-- ROWS frames.
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS s FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS s FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS s FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) AS s FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING) AS s FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 0 PRECEDING AND 0 FOLLOWING) AS s FROM emp ORDER BY id;
SELECT id, count(*) OVER (PARTITION BY dept ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS c FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) FROM emp;

-- RANGE frames: by value of the single ORDER BY key.
SELECT id, salary, sum(salary) OVER (ORDER BY salary RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) AS s FROM emp ORDER BY id;
SELECT id, salary, count(*) OVER (ORDER BY salary RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING) AS c FROM emp ORDER BY id;
SELECT id, salary, count(*) OVER (ORDER BY salary DESC RANGE BETWEEN 15 PRECEDING AND CURRENT ROW) AS c FROM emp ORDER BY id;
SELECT id, sum(salary) OVER (ORDER BY salary RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s FROM emp ORDER BY id;
SELECT id, sum(salary) OVER (ORDER BY salary RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS s FROM emp ORDER BY id;
SELECT id, sum(salary) OVER (ORDER BY salary RANGE CURRENT ROW) AS s FROM emp ORDER BY id;
SELECT id, bonus, count(*) OVER (ORDER BY bonus RANGE BETWEEN 2.5 PRECEDING AND 2.5 FOLLOWING) AS c FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY salary, id RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, sum(id) OVER (ORDER BY salary RANGE BETWEEN -5 PRECEDING AND CURRENT ROW) FROM emp;

-- GROUPS frames: by peer groups.
SELECT id, salary, sum(id) OVER (ORDER BY salary GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM emp ORDER BY id;
SELECT id, salary, count(*) OVER (ORDER BY salary GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS c FROM emp ORDER BY id;
SELECT id, salary, min(id) OVER (ORDER BY salary GROUPS BETWEEN 1 PRECEDING AND 1 PRECEDING) AS f FROM emp ORDER BY id;

-- Windows over sales: running totals per region, and the WINDOW clause.
SELECT region, yr, qty, sum(qty) OVER (PARTITION BY region ORDER BY yr, product) AS running FROM sales WHERE region IS NOT NULL AND product IS NOT NULL ORDER BY region, yr, product;
SELECT region, product, rank() OVER w AS r, sum(qty) OVER w AS s FROM sales WHERE product IS NOT NULL AND region IS NOT NULL WINDOW w AS (PARTITION BY region ORDER BY product) ORDER BY region, product, yr;
SELECT id, sum(salary) OVER (w ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp WINDOW w AS (ORDER BY id) ORDER BY id;

-- Windows with GROUP BY (over the groups), and filtered by an outer query (top per group).
SELECT dept, sum(salary) AS total, rank() OVER (ORDER BY sum(salary) DESC) AS r FROM emp GROUP BY dept ORDER BY r, dept;
SELECT dept, name FROM (SELECT dept, name, row_number() OVER (PARTITION BY dept ORDER BY salary DESC, id) AS rn FROM emp) WHERE rn = 1 ORDER BY dept;
SELECT id FROM emp ORDER BY row_number() OVER (ORDER BY name DESC);

-- Errors: window functions where they are not allowed, without OVER.
SELECT id FROM emp WHERE row_number() OVER (ORDER BY id) = 1;
SELECT rank() FROM emp;
SELECT id, sum(salary) OVER (ORDER BY name RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp;

-- More: named windows built on each other, FILTER on window aggregates, empty input,
-- single-row partitions, lag/lead with defaults of another type.
SELECT id, count(*) OVER w2 AS c FROM emp WINDOW w1 AS (PARTITION BY dept), w2 AS (w1 ORDER BY id) ORDER BY id;
SELECT id, count(*) FILTER (WHERE salary > 90) OVER (PARTITION BY dept) AS c FROM emp ORDER BY id;
SELECT id, rank() OVER (ORDER BY id) FROM emp WHERE id < 0;
SELECT id, percent_rank() OVER (PARTITION BY id ORDER BY id) AS pr, cume_dist() OVER (PARTITION BY id ORDER BY id) AS cd FROM emp WHERE id < 3 ORDER BY id;
SELECT id, lead(bonus, 1, 0) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, lag(name, 1, 0) OVER (ORDER BY id) FROM emp;
SELECT id, nth_value(bonus, 2) IGNORE NULLS OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM emp ORDER BY id;
SELECT id, sum(id) OVER (PARTITION BY dept ORDER BY id RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM emp ORDER BY id;
SELECT id, stddev(salary) OVER (PARTITION BY dept) FROM emp ORDER BY id;
SELECT region, yr, sum(qty) OVER (PARTITION BY region ORDER BY yr RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM sales WHERE region IS NOT NULL AND product = 'apple' ORDER BY region, yr;
SELECT id, sum(salary) OVER (ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, sum(salary) OVER (GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, lead(id, 2, id * 10) OVER (ORDER BY id) FROM emp;
-- Sliding frames over the emulator's own aggregates (computed afresh for each frame).
SELECT id, min(bonus) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), max(bonus) OVER (ORDER BY id ROWS 2 PRECEDING) FROM emp ORDER BY id;
SELECT id, stddev(salary) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), var_pop(bonus) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM emp ORDER BY id;
SELECT id, corr(salary, bonus) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) FROM emp ORDER BY id;
SELECT id, max_by(name, salary) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM emp ORDER BY id;
SELECT id, geometric_mean(salary) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp ORDER BY id;
SELECT id, sum(x) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM (VALUES (1, REAL '1.5'), (2, REAL '2.25'), (3, REAL '0.125')) t(id, x) ORDER BY id;
SELECT id, approx_percentile(salary, 0.5) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM emp ORDER BY id;
