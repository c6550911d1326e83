-- dates: date and timestamp literals, the fields of a date or timestamp, truncation,
-- date_add and date_diff, and the clock functions in ways whose answer does not change.

-- Literals: Trino's forms, the precision written (0 to 9 digits), and invalid ones.
SELECT DATE '2024-02-29', DATE '2024-1-2', DATE ' 2024-01-02 ';
SELECT TIMESTAMP '2024-01-02 03:04:05', TIMESTAMP '2024-01-02 03:04:05.1', TIMESTAMP '2024-01-02 03:04:05.123456';
SELECT TIMESTAMP '2024-01-02 03:04:05.12', TIMESTAMP '2024-01-02 03:04:05.12345', TIMESTAMP '2024-01-02 03:04:05.123456789';
SELECT TIMESTAMP '2024-01-02', TIMESTAMP '2024-01-02 03:04', TIMESTAMP '2024-01-02 3:4:5';
SELECT DATE '1969-12-31', DATE '0001-01-01', TIMESTAMP '1900-01-01 00:00:00.001';
SELECT DATE '2024-02-30';
SELECT DATE '2024-13-01';
SELECT DATE 'yesterday';
SELECT TIMESTAMP '2024-01-02T03:04:05';
SELECT TIMESTAMP '2024-01-02 24:00:00';
SELECT typeof(DATE '2024-01-02'), typeof(TIMESTAMP '2024-01-02 03:04:05.12'), typeof(TIMESTAMP '2024-01-02 03:04:05.1234567');

-- Comparisons between dates and timestamps of different precisions.
SELECT DATE '2024-01-02' < DATE '2024-01-03', DATE '2024-01-02' = TIMESTAMP '2024-01-02 00:00:00', DATE '2024-01-02' < TIMESTAMP '2024-01-02 00:00:01';
SELECT TIMESTAMP '2024-01-02 00:00:00' = TIMESTAMP '2024-01-02 00:00:00.000000', TIMESTAMP '2024-01-02 00:00:00.1' > TIMESTAMP '2024-01-02 00:00:00.09';
SELECT d FROM (VALUES (DATE '2024-03-01'), (DATE '2023-12-31'), (NULL), (DATE '2024-01-15')) t(d) ORDER BY d;
SELECT d, count(*) FROM (VALUES (DATE '2024-03-01'), (DATE '2024-03-01'), (DATE '2024-01-15')) t(d) GROUP BY d ORDER BY d DESC;

-- The fields of a date, as bigints.
SELECT year(DATE '2024-03-15'), quarter(DATE '2024-03-15'), month(DATE '2024-03-15'), day(DATE '2024-03-15');
SELECT day_of_month(DATE '2024-03-15'), day_of_year(DATE '2024-03-15'), doy(DATE '2024-12-31'), day_of_year(DATE '2023-12-31');
SELECT day_of_week(DATE '2024-03-17'), dow(DATE '2024-03-18'), day_of_week(DATE '1970-01-01'), dow(DATE '1969-12-28');
SELECT week(DATE '2024-01-01'), week(DATE '2021-01-03'), week_of_year(DATE '2020-12-31'), week(DATE '2026-12-31');
SELECT year_of_week(DATE '2021-01-03'), yow(DATE '2024-12-30'), year_of_week(DATE '2024-06-15'), yow(DATE '2027-01-01');
SELECT quarter(DATE '2024-01-01'), quarter(DATE '2024-04-01'), quarter(DATE '2024-09-30'), quarter(DATE '2024-12-31');
SELECT year(DATE '0001-01-01'), month(DATE '1969-12-31'), day(DATE '1969-12-31'), year(DATE '1899-06-30');
SELECT last_day_of_month(DATE '2024-02-10'), last_day_of_month(DATE '2023-02-10'), last_day_of_month(DATE '2024-12-01'), last_day_of_month(DATE '2024-04-30');

-- The fields of a timestamp, any precision.
SELECT year(TIMESTAMP '2024-03-15 10:11:12.345'), month(TIMESTAMP '2024-03-15 10:11:12.345'), day(TIMESTAMP '2024-03-15 10:11:12.345'), hour(TIMESTAMP '2024-03-15 10:11:12.345');
SELECT minute(TIMESTAMP '2024-03-15 10:11:12.345'), second(TIMESTAMP '2024-03-15 10:11:12.345'), millisecond(TIMESTAMP '2024-03-15 10:11:12.345'), millisecond(TIMESTAMP '2024-03-15 10:11:12');
SELECT second(TIMESTAMP '2024-03-15 10:11:12.999999'), millisecond(TIMESTAMP '2024-03-15 10:11:12.123999'), millisecond(TIMESTAMP '2024-03-15 10:11:12.1'), hour(TIMESTAMP '1969-12-31 23:59:59.999');
SELECT day_of_week(TIMESTAMP '2024-03-17 23:59:59'), day_of_year(TIMESTAMP '2024-03-01 00:00:00'), week(TIMESTAMP '2024-12-30 12:00:00'), year_of_week(TIMESTAMP '2024-12-30 12:00:00');
SELECT quarter(TIMESTAMP '2024-08-01 00:00:00'), last_day_of_month(TIMESTAMP '2023-02-10 10:00:00'), last_day_of_month(TIMESTAMP '2024-02-29 23:59:59.999999');
SELECT year(NULL), month(CAST(NULL AS DATE)), hour(CAST(NULL AS TIMESTAMP)), last_day_of_month(CAST(NULL AS DATE));
SELECT hour(DATE '2024-03-15');

-- EXTRACT, the SQL form of the same fields.
SELECT extract(YEAR FROM DATE '2024-05-06'), extract(MONTH FROM DATE '2024-05-06'), extract(DAY FROM DATE '2024-05-06'), extract(QUARTER FROM DATE '2024-05-06');
SELECT extract(DOW FROM DATE '2024-05-05'), extract(DOY FROM DATE '2024-05-06'), extract(WEEK FROM DATE '2024-05-06'), extract(DAY_OF_WEEK FROM DATE '2024-05-05');
SELECT extract(HOUR FROM TIMESTAMP '2024-05-06 07:08:09.5'), extract(MINUTE FROM TIMESTAMP '2024-05-06 07:08:09.5'), extract(SECOND FROM TIMESTAMP '2024-05-06 07:08:09.5'), extract(YEAR_OF_WEEK FROM DATE '2021-01-01');

-- date_trunc: a date stays a date, a timestamp keeps its precision; weeks start on Monday.
SELECT date_trunc('day', DATE '2024-05-17'), date_trunc('week', DATE '2024-05-19'), date_trunc('month', DATE '2024-05-17'), date_trunc('quarter', DATE '2024-05-17'), date_trunc('year', DATE '2024-05-17');
SELECT date_trunc('second', TIMESTAMP '2024-03-17 10:11:12.345'), date_trunc('minute', TIMESTAMP '2024-03-17 10:11:12.345'), date_trunc('hour', TIMESTAMP '2024-03-17 10:11:12.345');
SELECT date_trunc('day', TIMESTAMP '2024-03-17 10:11:12'), date_trunc('week', TIMESTAMP '2024-03-17 10:11:12.345'), date_trunc('month', TIMESTAMP '2024-03-17 10:11:12.123456'), date_trunc('year', TIMESTAMP '2024-03-17 10:11:12.1');
SELECT date_trunc('millisecond', TIMESTAMP '2024-03-17 10:11:12.345678'), date_trunc('quarter', TIMESTAMP '2024-11-30 23:59:59.999'), date_trunc('week', TIMESTAMP '1970-01-01 00:00:00');
SELECT date_trunc('MONTH', DATE '2024-05-17'), date_trunc('Week', TIMESTAMP '2024-05-17 01:02:03');
SELECT date_trunc('hour', DATE '2024-05-17');
SELECT date_trunc('decade', DATE '2024-05-17');
SELECT date_trunc('fortnight', TIMESTAMP '2024-05-17 01:02:03');
SELECT date_trunc('day', CAST(NULL AS DATE)), date_trunc(NULL, DATE '2024-05-17');
SELECT date_trunc('month', ts) AS m, count(*) FROM (VALUES (TIMESTAMP '2024-01-05 10:00:00'), (TIMESTAMP '2024-01-20 11:00:00'), (TIMESTAMP '2024-02-01 00:00:00')) t(ts) GROUP BY 1 ORDER BY 1;

-- date_add: every unit, months clamped to the end of the month, precision kept.
SELECT date_add('day', 1, DATE '2024-02-28'), date_add('day', -1, DATE '2024-03-01'), date_add('week', 2, DATE '2024-01-01'), date_add('month', 1, DATE '2024-01-31');
SELECT date_add('quarter', 1, DATE '2024-11-30'), date_add('year', 1, DATE '2024-02-29'), date_add('year', -4, DATE '2024-02-29'), date_add('month', -13, DATE '2024-03-31');
SELECT date_add('hour', 25, TIMESTAMP '2024-01-01 00:00:00'), date_add('minute', -90, TIMESTAMP '2024-01-01 00:00:00'), date_add('second', 3600, TIMESTAMP '2024-01-01 00:00:00.5');
SELECT date_add('millisecond', 1500, TIMESTAMP '2024-01-01 00:00:00'), date_add('millisecond', -1, TIMESTAMP '2024-01-01 00:00:00.000');
SELECT date_add('week', 2, TIMESTAMP '2024-01-01 00:00:00.123456'), date_add('month', 1, TIMESTAMP '2024-01-31 10:00:00.1'), date_add('quarter', -1, TIMESTAMP '2024-05-31 00:00:00');
SELECT date_add('hour', 25, DATE '2024-01-01');
SELECT date_add('century', 1, DATE '2024-01-01');
SELECT date_add('day', NULL, DATE '2024-01-01'), date_add('day', 1, CAST(NULL AS DATE));
SELECT date_add('day', 9223372036854775807, DATE '2024-01-01');
SELECT date_add('day', n, DATE '2024-01-01') FROM (VALUES (0), (31), (366), (-1)) t(n);

-- date_diff: every unit, whole units between the two values (negative when the first is later).
SELECT date_diff('day', DATE '2024-01-01', DATE '2024-03-01'), date_diff('day', DATE '2024-03-01', DATE '2024-01-01'), date_diff('week', DATE '2024-01-01', DATE '2024-01-14'), date_diff('week', DATE '2024-01-01', DATE '2024-01-15');
SELECT date_diff('month', DATE '2024-01-31', DATE '2024-02-29'), date_diff('month', DATE '2024-01-15', DATE '2024-02-14'), date_diff('month', DATE '2024-03-31', DATE '2024-02-29'), date_diff('month', DATE '2023-01-31', DATE '2023-02-28');
SELECT date_diff('quarter', DATE '2024-01-15', DATE '2024-04-15'), date_diff('quarter', DATE '2024-01-15', DATE '2024-04-14'), date_diff('quarter', DATE '2024-01-15', DATE '2023-10-16'), date_diff('year', DATE '2020-02-29', DATE '2021-02-28');
SELECT date_diff('year', DATE '2020-01-01', DATE '2024-12-31'), date_diff('year', DATE '2024-12-31', DATE '2020-01-01'), date_diff('year', DATE '2019-03-01', DATE '2020-02-29'), date_diff('year', DATE '2020-02-29', DATE '2024-02-28');
SELECT date_diff('month', TIMESTAMP '2024-01-31 10:00:00', TIMESTAMP '2024-02-29 09:00:00'), date_diff('month', TIMESTAMP '2024-01-31 10:00:00', TIMESTAMP '2024-02-29 11:00:00'), date_diff('year', TIMESTAMP '2023-06-01 12:00:00', TIMESTAMP '2024-06-01 11:59:59');
SELECT date_diff('hour', TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-02 12:30:00'), date_diff('minute', TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2023-12-31 23:58:30'), date_diff('second', TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 00:00:59.999');
SELECT date_diff('millisecond', TIMESTAMP '2024-01-01 00:00:00.1234', TIMESTAMP '2024-01-01 00:00:00.2'), date_diff('millisecond', TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 00:00:01.5'), date_diff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 22:59:59');
SELECT date_diff('day', DATE '2024-01-01', CAST(NULL AS DATE)), date_diff(NULL, DATE '2024-01-01', DATE '2024-01-02');
SELECT date_diff('hour', DATE '2024-01-01', DATE '2024-01-02');
SELECT date_diff('fortnight', DATE '2024-01-01', DATE '2024-02-01');
SELECT date_diff('DAY', DATE '2024-01-01', DATE '2024-01-31'), date_diff('Month', DATE '2024-01-01', DATE '2024-12-31');
SELECT date_diff('day', DATE '2024-01-01', TIMESTAMP '2024-01-03 12:00:00');

-- The clocks, only where the answer does not change between runs.
SELECT typeof(now()), typeof(current_date), typeof(current_timestamp), typeof(localtimestamp);
SELECT current_date = CAST(now() AS DATE), now() > TIMESTAMP '2020-01-01 00:00:00 UTC', current_date > DATE '2020-01-01';
SELECT date_diff('day', current_date, current_date), date_trunc('day', now()) <= now(), year(now()) >= 2024;
SELECT current_timezone();

-- date(x): CAST(x AS DATE).
SELECT date('2024-01-02'), date(TIMESTAMP '2024-01-02 23:59:59.999'), date(TIMESTAMP '2024-01-02 03:04:05 Asia/Tokyo'), date(NULL);
SELECT date('2024-13-01');

-- sequence of dates and timestamps, stepped by an interval (a day by default).
SELECT sequence(DATE '2024-01-01', DATE '2024-01-05', INTERVAL '2' DAY), sequence(DATE '2024-01-31', DATE '2024-04-30', INTERVAL '1' MONTH), sequence(DATE '2024-01-03', DATE '2024-01-01');
SELECT sequence(TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 02:00:00', INTERVAL '1' HOUR), sequence(DATE '2024-03-01', DATE '2024-01-01', INTERVAL '-1' MONTH), sequence(DATE '2024-01-01', DATE '2024-01-01');
SELECT x, day_of_week(x) FROM UNNEST(sequence(DATE '2024-01-01', DATE '2024-01-10', INTERVAL '3' DAY)) t(x) ORDER BY x;
SELECT sequence(DATE '2024-01-01', DATE '2024-01-03', INTERVAL '1' HOUR);
SELECT sequence(DATE '2024-01-05', DATE '2024-01-01', INTERVAL '1' DAY);
SELECT sequence(DATE '2024-01-01', DATE '2024-01-05', INTERVAL '0' DAY);
SELECT sequence(TIMESTAMP '2024-01-01 00:00:00.5', TIMESTAMP '2024-01-01 00:00:01.5', INTERVAL '0.5' SECOND);

-- Precisions through DataFusion's own functions and aggregates.
SELECT max(ts), min(ts), count(ts) FROM (VALUES (TIMESTAMP '2024-01-02 03:04:05'), (TIMESTAMP '2024-01-03 00:00:00'), (NULL)) t(ts);
SELECT max(d), min(d), max(ts) FROM (VALUES (DATE '2024-03-01', TIMESTAMP '2024-01-02 03:04:05.123'), (DATE '2023-12-31', TIMESTAMP '2024-01-02 03:04:05.124')) t(d, ts);
SELECT max(ts) FROM (VALUES (TIMESTAMP '2024-01-02 03:04:05.1'), (TIMESTAMP '2024-01-02 03:04:05.25')) t(ts);
SELECT coalesce(NULL, TIMESTAMP '2024-01-02 03:04:05.1'), nullif(DATE '2024-01-01', DATE '2024-01-02');
SELECT CASE WHEN x > 1 THEN DATE '2024-01-01' ELSE DATE '2024-12-31' END, coalesce(NULL, TIMESTAMP '2024-01-02 03:04:05') FROM (VALUES (1), (2)) t(x);
SELECT TIMESTAMP '2024-01-02 03:04:05.1' AS ts UNION ALL SELECT TIMESTAMP '2024-01-02 03:04:05' ORDER BY ts;
SELECT greatest(DATE '2024-01-01', DATE '2024-02-01'), least(TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 09:00:00'), greatest(TIMESTAMP '2024-01-01 10:00:00.1', TIMESTAMP '2024-01-01 10:00:00');
SELECT ARRAY[DATE '2024-01-01', NULL], ARRAY[TIMESTAMP '2024-01-02 03:04:05.123'], ARRAY[TIMESTAMP '2024-01-02 03:04:05.1'];
SELECT DATE '2024-01-01' IN (DATE '2024-01-01', DATE '2024-01-02'), DATE '2024-01-15' BETWEEN DATE '2024-01-01' AND DATE '2024-01-31', TIMESTAMP '2024-01-01 12:00:00' BETWEEN DATE '2024-01-01' AND DATE '2024-01-02';

-- Dates and timestamps are not text: no implicit coercion either way, as on Athena.
SELECT DATE '2024-01-01' = '2024-01-01';
SELECT TIMESTAMP '2024-01-01 00:00:00' > '2023-12-31';
SELECT DATE '2024-01-01' IN ('2024-01-01');
SELECT DATE '2024-01-01' || 'x';
SELECT length(DATE '2024-01-01');
SELECT DATE '2024-01-01' = DATE '2024-01-01', CAST('2024-01-01' AS DATE) = DATE '2024-01-01', d FROM (VALUES (DATE '2024-01-01')) t(d) WHERE d = DATE '2024-01-01';
SELECT ARRAY[DATE '2024-01-01'] || DATE '2024-01-02', contains(ARRAY[DATE '2024-01-01'], DATE '2024-01-01');
SELECT d, row_number() OVER (ORDER BY d DESC), lag(d) OVER (ORDER BY d) FROM (VALUES (DATE '2024-01-01'), (DATE '2024-01-03')) t(d) ORDER BY d;

-- UNION of dates and timestamps: Trino's common type and precision.
SELECT TIMESTAMP '2024-01-02 03:04:05' AS x UNION ALL SELECT TIMESTAMP '2024-01-02 03:04:05.123' ORDER BY x;
SELECT DATE '2024-01-02' AS x UNION ALL SELECT TIMESTAMP '2024-01-02 03:04:05.123456' ORDER BY x;
SELECT DATE '2024-01-02' AS x UNION ALL SELECT TIMESTAMP '2024-01-02 03:04:05';
SELECT TIMESTAMP '2024-01-02 03:04:05.12' AS x UNION ALL SELECT TIMESTAMP '2024-01-02 03:04:05.1';
SELECT DATE '2024-01-02' AS x UNION SELECT DATE '2024-01-02' UNION SELECT DATE '2024-01-03' ORDER BY x DESC;
