-- times: TIME literals and their precision, comparisons, arithmetic with intervals,
-- the time functions, and casts from and to time.

-- Literals: the precision is the number of fraction digits written.
SELECT TIME '03:04:05', TIME '03:04:05.1', TIME '03:04:05.123', TIME '03:04:05.123456', TIME '03:04:05.123456789';
SELECT TIME '03:04:05.12', TIME '03:04:05.1234', TIME '03:04:05.12345678';
SELECT TIME '01:02', TIME '1:2:3', TIME '00:00:00', TIME '23:59:59.999';
SELECT typeof(TIME '03:04:05'), typeof(TIME '03:04:05.12'), typeof(TIME '03:04:05.123456');
SELECT TIME '25:00:00';
SELECT TIME '12:60:00';
SELECT TIME 'noon';

-- Comparisons and ordering.
SELECT TIME '01:02:03' < TIME '01:02:03.001', TIME '10:00' = TIME '10:00:00.000', TIME '23:59:59' > TIME '00:00:00';
SELECT t FROM (VALUES (TIME '12:00:00'), (TIME '01:30:00'), (NULL), (TIME '23:15:00')) v(t) ORDER BY t;
SELECT TIME '10:00:00' BETWEEN TIME '09:00:00' AND TIME '17:00:00', greatest(TIME '01:00:00', TIME '02:00:00');

-- Fields of a time.
SELECT hour(TIME '13:14:15.678'), minute(TIME '13:14:15.678'), second(TIME '13:14:15.678'), millisecond(TIME '13:14:15.678');
SELECT hour(TIME '00:00:00'), second(TIME '23:59:59.999999'), millisecond(TIME '23:59:59.999999'), millisecond(TIME '01:02:03');
SELECT extract(HOUR FROM TIME '07:08:09'), extract(MINUTE FROM TIME '07:08:09'), extract(SECOND FROM TIME '07:08:09.9');
SELECT hour(CAST(NULL AS TIME)), minute(CAST(NULL AS TIME));
SELECT year(TIME '01:02:03');

-- Arithmetic with intervals: wraps around midnight; day-to-second intervals give time(3) at least.
SELECT TIME '23:59:59' + INTERVAL '2' SECOND, TIME '01:00:00.5' - INTERVAL '2' HOUR, TIME '12:00:00' + INTERVAL '1' DAY;
SELECT TIME '01:02:03.456' + INTERVAL '25' HOUR, TIME '01:02:03.456789' + INTERVAL '1' SECOND, INTERVAL '90' MINUTE + TIME '22:00:00';
SELECT TIME '00:00:00' - INTERVAL '0.001' SECOND, TIME '10:20:30' + INTERVAL '-3' MINUTE, TIME '10:00:00.123456789' + INTERVAL '1' HOUR;
SELECT TIME '10:00:00' - TIME '08:30:15.5', TIME '08:00:00' - TIME '10:00:00', TIME '10:00:00.123456' - TIME '10:00:00';
SELECT TIME '23:59:59' + INTERVAL '1' MONTH;
SELECT TIME '01:00:00' + 1;
SELECT DATE '2024-01-01' + TIME '01:02:03';

-- date_add, date_diff and date_trunc on times.
SELECT date_add('hour', -2, TIME '01:00:00.123'), date_add('minute', 90, TIME '23:00:00'), date_add('second', 30, TIME '10:00:00'), date_add('millisecond', 1500, TIME '23:59:59.000');
SELECT date_add('millisecond', 1500, TIME '23:59:59'), date_add('hour', 1, TIME '10:00:00.123456');
SELECT date_add('day', 1, TIME '10:00:00');
SELECT date_diff('second', TIME '01:00:00', TIME '02:30:00.9'), date_diff('hour', TIME '10:00', TIME '08:59:59'), date_diff('millisecond', TIME '00:00:00', TIME '00:00:01.234'), date_diff('minute', TIME '23:00', TIME '01:00');
SELECT date_diff('day', TIME '01:00:00', TIME '02:00:00');
SELECT date_trunc('minute', TIME '13:14:15.678'), date_trunc('hour', TIME '13:14:15'), date_trunc('second', TIME '13:14:15.678'), date_trunc('millisecond', TIME '13:14:15.678901');
SELECT date_trunc('day', TIME '13:14:15');

-- Casts.
SELECT CAST('01:02:03' AS TIME), CAST('01:02:03.5' AS TIME), CAST('1:2:3' AS TIME), CAST('01:02' AS TIME);
SELECT CAST(' 01:02:03 ' AS TIME);
SELECT CAST('01:02:03.123456' AS TIME(6)), CAST('01:02:03.5' AS TIME(0)), CAST(TIME '23:59:59.9' AS TIME(0)), CAST(TIME '10:00:00.123456' AS TIME(3));
SELECT CAST(TIME '01:02:03.4' AS VARCHAR), CAST(TIME '01:02:03' AS VARCHAR), CAST(TIME '01:02:03.450' AS VARCHAR);
SELECT CAST(TIMESTAMP '2024-01-02 03:04:05.678' AS TIME), CAST(TIMESTAMP '2024-01-02 03:04:05' AS TIME), CAST(TIMESTAMP '2024-01-02 03:04:05.123456' AS TIME(6));
SELECT CAST(TIMESTAMP '2024-01-02 03:04:05 +05:30' AS TIME);
SELECT CAST('x' AS TIME);
SELECT CAST('24:00:00' AS TIME);
SELECT TRY_CAST('x' AS TIME), TRY_CAST('01:02' AS TIME);
SELECT CAST(NULL AS TIME), hour(CAST(NULL AS TIME(6)));
SELECT CAST(1 AS TIME);

-- Times in grouped and joined queries.
SELECT hour(t) AS h, count(*) FROM (VALUES (TIME '09:15:00'), (TIME '09:45:00'), (TIME '14:00:00')) v(t) GROUP BY hour(t) ORDER BY h;
SELECT max(t), min(t) FROM (VALUES (TIME '09:15:00'), (TIME '23:45:00.5'), (TIME '00:00:01')) v(t);

-- The clocks: only their types, and answers that do not change.
SELECT typeof(localtime), localtime BETWEEN TIME '00:00:00' AND TIME '23:59:59.999';
SELECT typeof(current_time);

-- Times with a time zone.
SELECT TIME '01:02:03 +05:00';

-- Times in VALUES and in arithmetic over columns.
SELECT t + INTERVAL '30' MINUTE, date_trunc('hour', t), hour(t) FROM (VALUES (TIME '23:45:00'), (TIME '00:10:00.5')) v(t);
SELECT t, t - TIME '12:00:00' FROM (VALUES (TIME '10:15:00'), (TIME '13:00:00.123')) v(t) ORDER BY t;
SELECT CAST(TIME '10:11:12.345' AS TIME(1)), CAST(TIME '23:59:59.96' AS TIME(1)), CAST(TIME '10:11:12' AS TIME(6));
SELECT CAST(TIME '10:11:12.345' AS TIMESTAMP);
