-- timezones: timestamp with time zone literals, named zones and offsets, AT TIME ZONE,
-- at_timezone, with_timezone, the zone's fields, from_unixtime with a zone, DST edges.

-- Literals: a zone name or an offset after the time; UTC's other names show as UTC.
SELECT TIMESTAMP '2024-01-02 03:04:05 UTC', TIMESTAMP '2024-01-02 03:04:05.123 America/Los_Angeles', TIMESTAMP '2024-01-02 03:04:05 +05:30';
SELECT TIMESTAMP '2024-01-02 03:04:05 Z', TIMESTAMP '2024-01-02 03:04:05 GMT', TIMESTAMP '2024-01-02 03:04:05 Etc/UTC', TIMESTAMP '2024-01-02 03:04:05 +00:00';
SELECT TIMESTAMP '2024-01-02 03:04:05 -08', TIMESTAMP '2024-01-02 03:04:05 +0530', TIMESTAMP '2024-01-02 03:04:05 Etc/GMT-3', TIMESTAMP '2024-01-02 03:04:05 UTC+02:00';
SELECT TIMESTAMP '2024-01-02 03:04:05 US/Pacific', TIMESTAMP '2024-01-02 03:04:05 Asia/Calcutta', TIMESTAMP '2024-01-02 03:04:05 CET', TIMESTAMP '2024-01-02 03:04:05.123456 Asia/Tokyo';
SELECT typeof(TIMESTAMP '2024-01-02 03:04:05 UTC'), typeof(TIMESTAMP '2024-01-02 03:04:05.12 Europe/Paris'), typeof(TIMESTAMP '2024-01-02 03:04:05.123456789 +01:00');
SELECT TIMESTAMP '2024-01-02 03:04:05 europe/paris';
SELECT TIMESTAMP '2024-01-02 03:04:05 Mars/Olympus';
SELECT TIMESTAMP '2024-01-02 03:04:05 EST';
SELECT TIMESTAMP '2024-01-02 03:04:05 +15:00';

-- Comparisons are between instants, whatever the zone.
SELECT TIMESTAMP '2024-01-02 03:04:05 +05:30' = TIMESTAMP '2024-01-01 21:34:05 UTC', TIMESTAMP '2024-01-02 03:04:05 Asia/Tokyo' < TIMESTAMP '2024-01-02 03:04:05 Europe/London';
SELECT TIMESTAMP '2024-01-02 03:04:05 +05:30' < TIMESTAMP '2024-01-02 00:00:00', TIMESTAMP '2024-01-02 00:00:00 UTC' = TIMESTAMP '2024-01-02 00:00:00';
SELECT ts FROM (VALUES (TIMESTAMP '2024-01-02 03:00:00 +05:00'), (TIMESTAMP '2024-01-01 23:00:00 UTC'), (TIMESTAMP '2024-01-01 20:00:00 America/New_York')) t(ts) ORDER BY ts;

-- AT TIME ZONE and at_timezone: the same instant shown in another zone.
SELECT TIMESTAMP '2024-01-02 03:04:05 America/Los_Angeles' AT TIME ZONE 'Asia/Kolkata', TIMESTAMP '2024-01-02 03:04:05' AT TIME ZONE '+05:30', TIMESTAMP '2024-07-01 12:00:00 UTC' AT TIME ZONE 'Europe/Berlin';
SELECT at_timezone(TIMESTAMP '2024-01-02 03:04:05.123 UTC', 'America/New_York'), at_timezone(TIMESTAMP '2024-01-02 03:04:05 UTC', 'GMT'), at_timezone(TIMESTAMP '2024-01-02 03:04:05 UTC', 'Z');
SELECT at_timezone(TIMESTAMP '2024-01-02 03:04:05 UTC', 'GMT+5'), at_timezone(TIMESTAMP '2024-01-02 03:04:05 UTC', '+5'), at_timezone(TIMESTAMP '2024-01-02 03:04:05 UTC', 'Etc/GMT+5'), at_timezone(TIMESTAMP '2024-01-02 03:04:05 UTC', '-00:00');
SELECT at_timezone(TIMESTAMP '2024-01-02 03:04:05.123456 UTC', 'Asia/Kathmandu'), TIMESTAMP '2024-01-02 03:04:05.1 UTC' AT TIME ZONE 'Australia/Adelaide';
SELECT TIMESTAMP '2024-01-02 03:04:05' AT TIME ZONE 'America/Chicago', TIMESTAMP '2024-01-02 03:04:05.123456' AT TIME ZONE 'Asia/Tokyo';
SELECT DATE '2024-01-02' AT TIME ZONE 'Asia/Tokyo';
SELECT at_timezone(TIMESTAMP '2024-01-02 03:04:05 UTC', 'utc');
SELECT at_timezone(TIMESTAMP '2024-01-02 03:04:05 UTC', 'Mars/Olympus');
SELECT at_timezone(TIMESTAMP '2024-01-02 03:04:05 UTC', '+15:00');
SELECT at_timezone(TIMESTAMP '2024-01-02 03:04:05 UTC', NULL), at_timezone(NULL, 'UTC');
SELECT ts AT TIME ZONE 'Asia/Tokyo' FROM (VALUES (TIMESTAMP '2024-01-02 03:04:05 UTC'), (TIMESTAMP '2024-06-30 23:59:59 UTC')) t(ts);

-- with_timezone: the same local time, in the zone given.
SELECT with_timezone(TIMESTAMP '2024-01-02 03:04:05', 'America/New_York'), with_timezone(TIMESTAMP '2024-01-02 03:04:05.123', '+05:30'), with_timezone(TIMESTAMP '2024-01-02 03:04:05.123456', 'UTC');
SELECT with_timezone(TIMESTAMP '2024-07-02 03:04:05', 'Europe/London') = TIMESTAMP '2024-07-02 02:04:05 UTC';
SELECT with_timezone(TIMESTAMP '2024-01-02 03:04:05', 'Nowhere/Else');

-- The zone's fields and the local fields of a zoned timestamp.
SELECT timezone_hour(TIMESTAMP '2024-01-02 03:04:05 +05:30'), timezone_minute(TIMESTAMP '2024-01-02 03:04:05 +05:30'), timezone_hour(TIMESTAMP '2024-01-02 03:04:05 -05:45'), timezone_minute(TIMESTAMP '2024-01-02 03:04:05 -05:45');
SELECT timezone_hour(TIMESTAMP '2024-01-02 03:04:05 America/New_York'), timezone_hour(TIMESTAMP '2024-07-02 03:04:05 America/New_York'), timezone_minute(TIMESTAMP '2024-01-02 03:04:05 UTC');
SELECT extract(TIMEZONE_HOUR FROM TIMESTAMP '2024-01-01 00:00 +05:30'), extract(TIMEZONE_MINUTE FROM TIMESTAMP '2024-01-01 00:00 +05:30');
SELECT hour(TIMESTAMP '2024-01-02 03:04:05 Asia/Tokyo'), day(TIMESTAMP '2024-01-02 03:04:05 Asia/Tokyo'), year(TIMESTAMP '2024-01-01 00:30:00 +01:00'), day_of_week(TIMESTAMP '2024-03-17 23:30:00 -02:00');
SELECT date_trunc('day', TIMESTAMP '2024-03-10 10:00 America/New_York'), date_trunc('hour', TIMESTAMP '2024-01-02 03:04:05.678 +05:30'), date_trunc('month', TIMESTAMP '2024-03-01 01:00:00 Europe/Paris');
SELECT last_day_of_month(TIMESTAMP '2024-04-30 23:00:00 -05:00'), CAST(TIMESTAMP '2024-01-02 03:04:05 Asia/Tokyo' AS DATE), CAST(TIMESTAMP '2024-01-01 23:00:00 -05:00' AS DATE);

-- Casts between zoned and plain timestamps (the session zone is UTC) and from text.
SELECT CAST(TIMESTAMP '2024-01-02 03:04:05 Asia/Tokyo' AS TIMESTAMP), CAST(TIMESTAMP '2024-01-02 03:04:05' AS TIMESTAMP WITH TIME ZONE), CAST(TIMESTAMP '2024-01-02 03:04:05.5' AS TIMESTAMP(6) WITH TIME ZONE);
SELECT CAST('2024-01-02 03:04:05 America/New_York' AS TIMESTAMP WITH TIME ZONE), CAST('2024-01-02 03:04:05' AS TIMESTAMP WITH TIME ZONE), CAST('2024-01-02 03:04:05.1234567 +05:30' AS TIMESTAMP WITH TIME ZONE);
SELECT CAST(TIMESTAMP '2024-01-02 03:04:05 Asia/Tokyo' AS VARCHAR), CAST(TIMESTAMP '2024-01-02 03:04:05.100 +01:00' AS VARCHAR);
SELECT CAST(DATE '2024-01-02' AS TIMESTAMP WITH TIME ZONE);
SELECT CAST('2024-01-02 03:04:05 Nowhere/Else' AS TIMESTAMP WITH TIME ZONE);

-- from_unixtime: UTC, or the zone or offset given.
SELECT from_unixtime(0), from_unixtime(1700000000), from_unixtime(1700000000.5), from_unixtime(-1.25);
SELECT from_unixtime(1700000000.5, 'Asia/Tokyo'), from_unixtime(1700000000, 'America/Los_Angeles'), from_unixtime(1700000000, 5, 30), from_unixtime(1700000000, -8, 0);
SELECT from_unixtime(NULL), from_unixtime(1700000000, NULL), typeof(from_unixtime(1));
SELECT from_unixtime(1700000000, 'Nowhere/Else');
SELECT from_unixtime(1700000000, 15, 0);
SELECT from_unixtime(x) FROM (VALUES (1), (86400), (1000000000)) t(x);
SELECT to_unixtime(from_unixtime(1700000000.25, 'Europe/Paris')), to_unixtime(TIMESTAMP '2024-01-02 03:04:05 +01:00');

-- DST edges: local times that do not exist or exist twice, arithmetic across a change.
SELECT TIMESTAMP '2024-03-10 02:30:00 America/New_York';
SELECT TIMESTAMP '2024-11-03 01:30:00 America/New_York', TIMESTAMP '2024-11-03 01:30:00 America/New_York' + INTERVAL '1' HOUR;
SELECT TIMESTAMP '2024-03-10 01:30:00 America/New_York' + INTERVAL '1' HOUR, TIMESTAMP '2024-03-09 12:00:00 America/New_York' + INTERVAL '1' DAY;
SELECT date_add('day', 1, TIMESTAMP '2024-03-09 12:00:00 America/New_York'), date_add('hour', 24, TIMESTAMP '2024-03-09 12:00:00 America/New_York'), date_add('month', 1, TIMESTAMP '2024-10-15 12:00:00 Europe/Berlin');
SELECT date_diff('day', TIMESTAMP '2024-03-09 12:00 America/New_York', TIMESTAMP '2024-03-10 11:00 America/New_York'), date_diff('hour', TIMESTAMP '2024-03-09 12:00 America/New_York', TIMESTAMP '2024-03-10 12:00 America/New_York');
SELECT at_timezone(TIMESTAMP '2024-03-31 00:59:59 UTC', 'Europe/London'), at_timezone(TIMESTAMP '2024-03-31 01:00:00 UTC', 'Europe/London'), at_timezone(TIMESTAMP '2024-10-27 00:30:00 UTC', 'Europe/London'), at_timezone(TIMESTAMP '2024-10-27 01:30:00 UTC', 'Europe/London');
SELECT TIMESTAMP '2024-11-03 12:00:00 America/New_York' - TIMESTAMP '2024-11-02 12:00:00 America/New_York';
SELECT hour(at_timezone(TIMESTAMP '2024-06-01 12:00:00 UTC', 'Australia/Lord_Howe')), minute(at_timezone(TIMESTAMP '2024-06-01 12:00:00 UTC', 'Australia/Lord_Howe')), timezone_minute(at_timezone(TIMESTAMP '2024-01-01 12:00:00 UTC', 'Australia/Lord_Howe'));

-- The session's zone.
SELECT current_timezone(), typeof(current_timezone());

-- timezone(x): the zone of a value.
SELECT timezone(TIMESTAMP '2024-01-02 03:04:05 Asia/Tokyo'), timezone(TIMESTAMP '2024-01-02 03:04:05 +05:30'), timezone(TIMESTAMP '2024-01-02 03:04:05 Z'), timezone(from_unixtime(0, 'Europe/Paris'));

-- Values in different zones in one column: Trino keeps each value's zone.
SELECT CASE WHEN x = 1 THEN TIMESTAMP '2024-01-02 03:04:05 UTC' ELSE TIMESTAMP '2024-01-02 03:04:05 +01:00' END FROM (VALUES (1), (2)) t(x);
SELECT at_timezone(TIMESTAMP '2024-01-02 03:04:05 UTC', 'Asia/Tokyo') AS ts UNION ALL SELECT TIMESTAMP '2024-01-02 03:04:05 UTC';
SELECT ts FROM (VALUES (TIMESTAMP '2024-01-02 03:00:00 UTC'), (TIMESTAMP '2024-01-02 04:00:00 UTC')) t(ts) WHERE ts > TIMESTAMP '2024-01-02 04:30:00 +01:00';

-- Zones read from text that is not constant: the column's zone is UTC; other zones are refused.
SELECT from_iso8601_timestamp(x) FROM (VALUES ('2024-01-02T03:04:05Z'), ('2024-01-02T03:04:05.5'), (NULL)) t(x);
SELECT from_iso8601_timestamp(x) FROM (VALUES ('2024-01-02T03:04:05Z'), ('2024-01-02T03:04:05+01:00')) t(x);
SELECT CAST(x AS TIMESTAMP WITH TIME ZONE) FROM (VALUES ('2024-01-02 03:04:05'), ('2024-01-02 03:04:05 UTC')) t(x);
SELECT CAST(x AS TIMESTAMP WITH TIME ZONE) FROM (VALUES ('2024-01-02 03:04:05'), ('2024-01-02 03:04:05 +01:00')) t(x);
SELECT parse_datetime(x, 'yyyy-MM-dd HH:mm') FROM (VALUES ('2024-01-02 03:04'), ('2024-12-31 23:59')) t(x);
SELECT hour(at_timezone(ts, 'America/Los_Angeles')) AS h, count(*) FROM (VALUES (TIMESTAMP '2024-06-01 15:00:00 UTC'), (TIMESTAMP '2024-06-01 15:30:00 UTC'), (TIMESTAMP '2024-06-01 20:00:00 UTC')) t(ts) GROUP BY 1 ORDER BY 1;

-- Across zones and DST changes: date_diff takes the first argument's zone for days and
-- longer units; date_add and date_trunc work on local time for days and longer.
SELECT date_diff('day', TIMESTAMP '2024-01-01 23:00:00 America/New_York', TIMESTAMP '2024-01-02 01:00:00 Asia/Tokyo'), date_diff('hour', TIMESTAMP '2024-01-01 23:00:00 +05:00', TIMESTAMP '2024-01-01 23:00:00 UTC');
SELECT date_add('month', 1, TIMESTAMP '2024-10-15 12:00:00 Europe/Berlin'), date_add('day', 1, TIMESTAMP '2024-03-30 02:30:00 Europe/Berlin'), date_add('hour', 1, TIMESTAMP '2024-03-31 01:30:00 Europe/Berlin');
SELECT date_trunc('day', TIMESTAMP '2024-03-31 12:00:00 Europe/Berlin'), date_trunc('hour', TIMESTAMP '2024-03-31 03:30:00 Europe/Berlin'), date_trunc('week', TIMESTAMP '2024-11-04 00:30:00 America/Sao_Paulo');
SELECT year(TIMESTAMP '2024-12-31 23:30:00 -05:00'), week(TIMESTAMP '2024-12-30 00:30:00 +05:00'), quarter(TIMESTAMP '2024-04-01 00:00:00 +14:00'), millisecond(TIMESTAMP '2024-01-01 00:00:00.999 Asia/Tokyo');
SELECT format_datetime(TIMESTAMP '2024-01-02 03:04:05.678 Asia/Kolkata', 'yyyy-MM-dd HH:mm:ss.SSS ZZ ZZZ a EEEE'), format_datetime(TIMESTAMP '2024-07-02 03:04:05 America/New_York', 'Z');
SELECT to_iso8601(TIMESTAMP '2024-01-02 03:04:05.123456789 Europe/London'), to_iso8601(TIMESTAMP '2024-07-02 03:04:05 Europe/London'), to_iso8601(from_unixtime(0));
SELECT CAST('2024-01-02 03:04:05+05:30' AS TIMESTAMP WITH TIME ZONE), CAST('2024-01-02 UTC' AS TIMESTAMP WITH TIME ZONE), CAST('2024-01-02 03:04:05 Z' AS TIMESTAMP WITH TIME ZONE);
SELECT typeof(now() - INTERVAL '1' HOUR), typeof(date_trunc('day', now())), now() - INTERVAL '1' HOUR < now(), typeof(current_date - INTERVAL '1' DAY);
