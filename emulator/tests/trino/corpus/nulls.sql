-- nulls: NULL in every operator (trino.io, "Comparison functions and operators",
-- "Logical operators", "Conditional expressions"): three-valued logic, IN and NOT IN with
-- NULLs, IS [NOT] DISTINCT FROM, BETWEEN, LIKE, CASE, COALESCE, NULLIF, IF, TRY.

-- A bare NULL and NULL arithmetic: the result has the other operand's type.
SELECT NULL;
SELECT NULL + 1, 1 - NULL, NULL + 2.5, 5 % NULL, -CAST(NULL AS INTEGER), NULL - 2E0, 2E0 / NULL;
SELECT NULL * 2, NULL / BIGINT '2', NULL * REAL '2', NULL % NULL;
-- A bare NULL (type unknown) where several operators fit is ambiguous in Trino.
SELECT NULL / 2E0;
SELECT NULL * BIGINT '2';
SELECT 2E0 * NULL;
SELECT NULL + NULL;
SELECT -NULL;
SELECT a + b, a * b, a - b FROM pairs;
SELECT NULL || 'x', 'x' || NULL;
SELECT NULL || NULL;
SELECT s || t FROM pairs;

-- Comparisons with NULL are NULL, even NULL = NULL.
SELECT NULL = NULL, NULL <> NULL, NULL < 1, 1 >= NULL, NULL != 'a';
SELECT a = b, a <> b, a < b, a >= b FROM pairs;
SELECT id FROM pairs WHERE a = b;
SELECT id FROM pairs WHERE NOT (a = b);
SELECT id FROM pairs WHERE a <> b OR a IS NULL;

-- IS [NOT] NULL and IS [NOT] DISTINCT FROM.
SELECT id, a IS NULL, a IS NOT NULL, s IS NULL FROM pairs;
SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b FROM pairs;
SELECT NULL IS DISTINCT FROM NULL, NULL IS NOT DISTINCT FROM NULL, 1 IS DISTINCT FROM NULL;
SELECT id FROM pairs WHERE s IS NOT DISTINCT FROM t;

-- IN and NOT IN with NULLs in the list or on the left.
SELECT 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, NULL), 1 NOT IN (1, NULL);
SELECT NULL IN (1, 2), NULL NOT IN (1, 2), CAST(NULL AS INTEGER) IN (NULL);
SELECT id, a IN (1, 2), a NOT IN (0, 2) FROM pairs;
SELECT id FROM pairs WHERE a NOT IN (0, NULL);
SELECT id FROM pairs WHERE b IN (1, NULL);
SELECT 'x' IN ('x', NULL), 'y' IN ('x', 'z');

-- BETWEEN with NULL bounds.
SELECT 1 BETWEEN NULL AND 0, 1 BETWEEN 0 AND NULL, NULL BETWEEN 0 AND 1, 5 NOT BETWEEN NULL AND 1;
SELECT id, a BETWEEN 0 AND b FROM pairs;
SELECT 3 BETWEEN 5 AND 1, 3 BETWEEN 1 AND 5, 'b' BETWEEN 'a' AND 'c';

-- LIKE with NULL.
SELECT NULL LIKE 'a%', 'abc' LIKE NULL, s LIKE 'x%' FROM pairs;
SELECT id FROM pairs WHERE s NOT LIKE 'y%';

-- AND, OR, NOT: three-valued logic over every combination.
SELECT id, p AND q, p OR q, NOT p FROM flags;
SELECT id FROM flags WHERE p OR q;
SELECT id FROM flags WHERE NOT (p AND q);
SELECT NULL AND false, NULL AND true, NULL OR true, NULL OR false, NOT NULL;
SELECT id, (p AND q) IS NULL, p = q FROM flags;
SELECT count(*) FROM flags WHERE p IS NOT TRUE;
SELECT id, p IS NOT DISTINCT FROM true, p IS DISTINCT FROM false FROM flags WHERE id > 6;

-- CASE: NULL never matches a WHEN, a missing ELSE is NULL.
SELECT CASE NULL WHEN NULL THEN 'match' ELSE 'no' END;
SELECT id, CASE a WHEN 1 THEN 'one' WHEN 0 THEN 'zero' END FROM pairs;
SELECT id, CASE WHEN a = b THEN 'eq' WHEN a <> b THEN 'ne' ELSE 'unknown' END FROM pairs;
SELECT CASE WHEN NULL THEN 1 ELSE 2 END, CASE WHEN NULL = NULL THEN 1 END;
SELECT CASE 1 WHEN 1 THEN NULL ELSE 'x' END;
SELECT CASE WHEN true THEN 1 ELSE 'x' END;

-- COALESCE, NULLIF, IF.
SELECT coalesce(NULL, NULL, 3), coalesce(a, b, -1) FROM pairs;
SELECT coalesce(NULL, NULL);
SELECT coalesce(s, t, 'none') FROM pairs;
SELECT coalesce(1, 2.5), coalesce(NULL, 2E0, 1);
SELECT coalesce(0.5, 1E0), CASE WHEN true THEN 1E0 ELSE 0.5 END;
SELECT coalesce(1, 'x');
SELECT nullif(1, 1), nullif(1, 2), nullif(NULL, 1), nullif(1, NULL);
SELECT id, nullif(a, b), nullif(s, '') FROM pairs;
SELECT nullif(1, 1.0), nullif('a', 'a ');
SELECT if(true, 1, 2), if(false, 1, 2), if(NULL, 1, 2), if(false, 1);
SELECT id, if(a > 0, 'pos', 'other'), if(p, 'yes') FROM pairs JOIN flags USING (id);
SELECT if(1, 2, 3);
SELECT if(true, 1, 'x');

-- TRY: an error of its argument becomes NULL, per row.
SELECT try(1 / 0), try(CAST('abc' AS INTEGER)), try(CAST(2147483648 AS INTEGER)), try(8 / 2);
SELECT id, try(10 / a) FROM pairs;
SELECT try(CAST(s AS INTEGER)) FROM pairs;
SELECT coalesce(try(CAST('x' AS BIGINT)), -1);
SELECT try(NULL);
SELECT id, try(100 / (a - 1)) FROM pairs WHERE a IS NOT NULL;
SELECT try(sum(a)) FROM pairs;

-- NULLs through functions and aggregates of nulls.
SELECT coalesce(CAST(NULL AS INTEGER), NULL), nullif(NULL, NULL), if(NULL, NULL, NULL);
SELECT sum(a), count(a), count(*), max(s) FROM pairs;

-- More: IN with NULL against subqueries, NOT IN with an empty subquery, TRY in WHERE.
SELECT 2 IN (SELECT x FROM set_b), 2 NOT IN (SELECT x FROM set_b), 5 IN (SELECT x FROM set_b WHERE x IS NOT NULL);
SELECT 1 NOT IN (SELECT x FROM set_b WHERE x > 100), NULL IN (SELECT x FROM set_b WHERE x > 100);
SELECT id FROM pairs WHERE try(10 / a) > 1;
SELECT id, coalesce(a, b, 0) + coalesce(b, a, 0) FROM pairs;
SELECT id, nullif(coalesce(s, t), 'x') FROM pairs;
SELECT if(a IS NULL, 'none', CAST(a AS VARCHAR)) FROM pairs;
SELECT CASE WHEN a > 0 THEN 'pos' WHEN a = 0 THEN 'zero' WHEN a IS NULL THEN 'null' END FROM pairs;
SELECT 1 = '1';
SELECT 1 + 'a';
SELECT 'a' IN (1, 2);
SELECT 1 BETWEEN 'a' AND 2;
SELECT CASE 1 WHEN 'a' THEN 1 END;
SELECT CASE WHEN 1 THEN 1 END;
SELECT nullif(1, 'a');
SELECT true = 1;
SELECT a IS DISTINCT FROM s FROM pairs;
SELECT current_timestamp IS NULL, localtimestamp IS NULL, typeof(current_timestamp), typeof(localtimestamp);

-- Operators of other dialects.
SELECT 1 == 1;
SELECT 1 <=> NULL;
