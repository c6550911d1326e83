-- formatting: dates and timestamps to and from text: date_format/date_parse (MySQL
-- specifiers), format_datetime/parse_datetime (Joda patterns), ISO 8601, Unix epochs,
-- human_readable_seconds, and CAST between text and the date/time types.

-- date_format: every MySQL specifier Trino supports.
SELECT date_format(TIMESTAMP '2024-01-02 03:04:05.123', '%Y-%m-%d %H:%i:%s.%f'), date_format(DATE '2024-01-02', '%Y/%m/%d'), date_format(TIMESTAMP '2024-07-04 00:00:00', '%d.%m.%y');
SELECT date_format(TIMESTAMP '2024-01-02 13:04:05', '%a %b %c %d %e %h %I %j %k %l %M %p %r %T %v %W %x %y %%');
SELECT date_format(TIMESTAMP '2024-12-30 00:05:09', '%H %h %k %l %p %i %S %s %j %v %x'), date_format(TIMESTAMP '2024-06-15 12:00:00', '%I %p %l');
SELECT date_format(TIMESTAMP '2024-01-02 03:04:05 Asia/Tokyo', '%Y-%m-%d %H:%i'), date_format(TIMESTAMP '2024-01-02 03:04:05.123456789', '%f'), date_format(TIMESTAMP '0099-01-02 03:04:05', '%Y %y');
SELECT date_format(TIMESTAMP '2024-01-02 03:04:05', 'at %Q %% 100%'), date_format(TIMESTAMP '2024-01-02 03:04:05', 'no specifiers'), date_format(NULL, '%Y'), date_format(TIMESTAMP '2024-01-02 03:04:05', NULL);
SELECT date_format(ts, '%Y-%m') AS month, count(*) FROM (VALUES (TIMESTAMP '2024-01-05 10:00:00'), (TIMESTAMP '2024-01-20 11:00:00'), (TIMESTAMP '2024-02-01 00:00:00')) t(ts) GROUP BY 1 ORDER BY 1;
SELECT date_format(TIMESTAMP '2024-01-02 03:04:05', '%D');
SELECT date_format(TIMESTAMP '2024-01-02 03:04:05', '%w');
SELECT date_format(TIMESTAMP '2024-01-02 03:04:05', '%U');
SELECT date_format(TIMESTAMP '2024-01-02 03:04:05', '');

-- date_parse: a timestamp(3) from text; fields not given are 1970-01-01 00:00:00.
SELECT date_parse('2024-01-02 03:04:05', '%Y-%m-%d %H:%i:%s'), date_parse('2024/1/2', '%Y/%m/%d'), date_parse('02-Jan-2024', '%d-%b-%Y'), date_parse('2024-01-02 03:04:05.123456', '%Y-%m-%d %H:%i:%s.%f');
SELECT date_parse('03:04 PM', '%h:%i %p'), date_parse('January 5, 2024', '%M %e, %Y'), date_parse('24-01-02', '%y-%m-%d'), date_parse('69-01-02', '%y-%m-%d'), date_parse('70-01-02', '%y-%m-%d');
SELECT date_parse('2024-002', '%Y-%j'), date_parse('2024', '%Y'), date_parse('12', '%H'), date_parse('20240102', '%Y%m%d'), date_parse('2024-01-02T03:04:05', '%Y-%m-%dT%T');
SELECT typeof(date_parse('2024', '%Y')), date_parse(NULL, '%Y'), date_parse('2024', NULL);
SELECT date_parse('2024-01-02x', '%Y-%m-%d');
SELECT date_parse('2024-13-02', '%Y-%m-%d');
SELECT date_parse('2024-02-30', '%Y-%m-%d');
SELECT date_parse('', '%Y');
SELECT date_parse('2024-01-02', '%Y-%m-%d %H');
SELECT date_parse('2024-01-02', '%D');

-- format_datetime: Joda-Time patterns.
SELECT format_datetime(TIMESTAMP '2024-01-02 03:04:05.123', 'yyyy-MM-dd HH:mm:ss.SSS'), format_datetime(TIMESTAMP '2024-01-02 13:04:05', 'EEE, d MMM yyyy h:mm a'), format_datetime(DATE '2024-07-04', 'dd/MM/yy');
SELECT format_datetime(TIMESTAMP '2024-01-02 03:04:05 +05:30', 'yyyy-MM-dd''T''HH:mm:ssZZ'), format_datetime(TIMESTAMP '2024-01-02 03:04:05 America/New_York', 'Z ZZ ZZZ'), format_datetime(TIMESTAMP '2024-01-02 03:04:05 UTC', 'Z ZZ ZZZ');
SELECT format_datetime(TIMESTAMP '2024-01-02 03:04:05', 'EEEE MMMM D w xxxx YY yy y e k K H h'), format_datetime(TIMESTAMP '2024-01-02 03:04:05.123456', 'S SS SSS SSSS SSSSSS');
SELECT format_datetime(TIMESTAMP '2024-01-02 00:04:05', 'k K h H a'), format_datetime(TIMESTAMP '2024-01-02 03:04:05', '''at'' HH ''o''''clock'''), format_datetime(TIMESTAMP '2024-01-02 03:04:05', 'M MM MMM MMMM d dd ddd');
SELECT format_datetime(NULL, 'yyyy'), format_datetime(TIMESTAMP '2024-01-02 03:04:05', NULL);
SELECT format_datetime(TIMESTAMP '2024-01-02 03:04:05', 'yyyy-MM-dd q');
SELECT format_datetime(TIMESTAMP '2024-01-02 03:04:05', 'yyyy ''unclosed');

-- parse_datetime: a timestamp(3) with time zone; the zone parsed, or UTC.
SELECT parse_datetime('2024-01-02 03:04:05', 'yyyy-MM-dd HH:mm:ss'), parse_datetime('2024-01-02 03:04:05 +0530', 'yyyy-MM-dd HH:mm:ss Z'), parse_datetime('2024-01-02 03:04:05 America/Los_Angeles', 'yyyy-MM-dd HH:mm:ss ZZZ');
SELECT parse_datetime('02/Jan/2024:03:04:05 +0000', 'dd/MMM/yyyy:HH:mm:ss Z'), parse_datetime('2024-01-02', 'yyyy-MM-dd'), parse_datetime('2024-01-02T03:04:05.123+01:00', 'yyyy-MM-dd''T''HH:mm:ss.SSSZZ'), typeof(parse_datetime('2024', 'yyyy'));
SELECT parse_datetime('Tue, 2 Jan 2024 1:04 PM', 'EEE, d MMM yyyy h:mm a'), parse_datetime('05.03.2024', 'dd.MM.yyyy'), parse_datetime(NULL, 'yyyy');
SELECT parse_datetime('2024-01-02', 'yyyy-MM-dd HH');
SELECT parse_datetime('x', 'yyyy');
SELECT parse_datetime('2024-02-30', 'yyyy-MM-dd');

-- ISO 8601.
SELECT to_iso8601(DATE '2024-01-02'), to_iso8601(TIMESTAMP '2024-01-02 03:04:05'), to_iso8601(TIMESTAMP '2024-01-02 03:04:05.123456'), to_iso8601(TIMESTAMP '2024-01-02 03:04:05.1 UTC');
SELECT to_iso8601(TIMESTAMP '2024-01-02 03:04:05 +05:30'), to_iso8601(TIMESTAMP '2024-01-02 03:04:05 America/New_York'), to_iso8601(NULL);
SELECT from_iso8601_timestamp('2024-01-02T03:04:05Z'), from_iso8601_timestamp('2024-01-02T03:04:05.123+05:30'), from_iso8601_timestamp('2024-01-02'), from_iso8601_timestamp('2024-01-02T03');
SELECT from_iso8601_timestamp('2024-01-02T03:04:05.123456789-08:00'), from_iso8601_timestamp('2024-01-02T03:04'), from_iso8601_timestamp('2024-01'), typeof(from_iso8601_timestamp('2024-01-02'));
SELECT from_iso8601_timestamp('2024-01-02 03:04:05');
SELECT from_iso8601_timestamp('not a date');
SELECT from_iso8601_timestamp_nanos('2024-01-02T03:04:05.123456789Z'), from_iso8601_timestamp_nanos('2024-01-02T03:04:05+01:00'), from_iso8601_timestamp_nanos('2024-01-02T03:04:05');
SELECT from_iso8601_date('2024-01-02'), from_iso8601_date('2024-01'), from_iso8601_date('2024'), from_iso8601_date(NULL);
SELECT from_iso8601_date('2024-W01-1'), from_iso8601_date('2024-032');
SELECT from_iso8601_date('2024-01-02T00:00');
SELECT from_iso8601_date('2024-02-30');

-- Unix epochs.
SELECT to_unixtime(TIMESTAMP '2024-01-02 03:04:05.678'), to_unixtime(TIMESTAMP '1969-12-31 23:59:59.5'), to_unixtime(TIMESTAMP '2024-01-02 03:04:05.123456789'), to_unixtime(DATE '2024-01-02');
SELECT to_unixtime(TIMESTAMP '2024-01-02 03:04:05 +05:30'), to_unixtime(NULL), typeof(to_unixtime(TIMESTAMP '2024-01-02 03:04:05'));
SELECT from_unixtime(1704164645.678), from_unixtime(0.0005), from_unixtime(-86400), from_unixtime(to_unixtime(TIMESTAMP '2024-01-02 03:04:05.678'));
SELECT from_unixtime_nanos(1700000000123456789), from_unixtime_nanos(-1), from_unixtime_nanos(0);
SELECT to_milliseconds(INTERVAL '1' DAY), to_milliseconds(INTERVAL '-1.5' SECOND), to_milliseconds(INTERVAL '2 03:04:05.678' DAY TO SECOND), to_milliseconds(NULL);
SELECT to_milliseconds(INTERVAL '1' MONTH);

-- human_readable_seconds.
SELECT human_readable_seconds(96), human_readable_seconds(3762.5), human_readable_seconds(0), human_readable_seconds(-1.5);
SELECT human_readable_seconds(604800 * 2 + 1), human_readable_seconds(56363463), human_readable_seconds(0.4), human_readable_seconds(NULL), human_readable_seconds(86400), human_readable_seconds(1.5);
SELECT human_readable_seconds(nan());
SELECT human_readable_seconds(infinity());

-- CAST from dates, timestamps and times to text.
SELECT CAST(DATE '2024-01-02' AS VARCHAR), CAST(TIMESTAMP '2024-01-02 03:04:05.1' AS VARCHAR), CAST(TIMESTAMP '2024-01-02 03:04:05' AS VARCHAR), CAST(TIMESTAMP '2024-01-02 03:04:05.123456789' AS VARCHAR);
SELECT CAST(DATE '-0001-01-01' AS VARCHAR), CAST(DATE '12345-01-01' AS VARCHAR), CAST(TIMESTAMP '2024-01-02 03:04:05.120' AS VARCHAR), CAST(CAST(NULL AS DATE) AS VARCHAR);
SELECT CAST(DATE '2024-01-02' AS VARCHAR(20)), 'day ' || CAST(DATE '2024-01-02' AS VARCHAR);
SELECT concat('at ', CAST(TIMESTAMP '2024-01-02 03:04:05.5' AS VARCHAR)), length(CAST(TIMESTAMP '2024-01-02 03:04:05.123456' AS VARCHAR));

-- CAST from text to dates and timestamps.
SELECT CAST('2024-01-02' AS DATE), CAST(' 2024-01-02' AS DATE), CAST('2024-1-2' AS DATE), CAST('+2024-01-02' AS DATE);
SELECT CAST('2024-01-02 03:04:05' AS DATE);
SELECT CAST('2024-02-30' AS DATE);
SELECT CAST('' AS DATE);
SELECT CAST('2024-01-02 03:04:05' AS TIMESTAMP), CAST('2024-01-02 03:04:05.123456789' AS TIMESTAMP), CAST('2024-01-02' AS TIMESTAMP), CAST('2024-01-02 03:04:05.9999' AS TIMESTAMP), CAST(' 2024-01-02 03:04:05 ' AS TIMESTAMP);
SELECT CAST('2024-01-02 03:04:05.123456789' AS TIMESTAMP(6)), CAST('2024-01-02 03:04:05.5' AS TIMESTAMP(0)), CAST('2024-01-02 03:04' AS TIMESTAMP(1)), CAST('2024-01-02 03:04:05.1' AS TIMESTAMP(9));
SELECT CAST('2024-01-02 03:04:05 UTC' AS TIMESTAMP), CAST('2024-01-02 03:04:05 Europe/Paris' AS TIMESTAMP);
SELECT CAST('2024-01-02T03:04:05' AS TIMESTAMP);
SELECT CAST('2024-01-02 25:04:05' AS TIMESTAMP);
SELECT CAST('abc' AS TIMESTAMP);
SELECT TRY_CAST('2024-02-30' AS DATE), TRY_CAST('nope' AS TIMESTAMP), TRY_CAST('2024-01-02' AS TIMESTAMP), TRY_CAST('2024-01-02' AS DATE);
SELECT CAST(x AS DATE) FROM (VALUES ('2024-01-02'), ('1999-12-31'), (NULL)) t(x);

-- CAST between dates and timestamps of different precisions: fractions are rounded.
SELECT CAST(DATE '2024-01-02' AS TIMESTAMP), CAST(TIMESTAMP '2024-12-31 23:59:59.999' AS DATE), CAST(TIMESTAMP '1969-12-31 23:59:59.999' AS DATE), CAST(TIMESTAMP '2024-01-02 03:04:05.987654' AS TIMESTAMP(2));
SELECT CAST(TIMESTAMP '2024-01-02 03:04:05.995' AS TIMESTAMP(0)), CAST(TIMESTAMP '2024-12-31 23:59:59.9999' AS TIMESTAMP(3)), CAST(TIMESTAMP '2024-01-02 03:04:05' AS TIMESTAMP(6)), CAST(TIMESTAMP '2024-01-02 03:04:05.5' AS TIMESTAMP(0));
SELECT CAST(TIMESTAMP '1969-12-31 23:59:59.5' AS TIMESTAMP(0)), CAST(TIMESTAMP '2024-01-02 03:04:05.123456789' AS TIMESTAMP(3)), CAST(TIMESTAMP '2024-01-02 03:04:05.4' AS TIMESTAMP(0));
SELECT CAST(1 AS DATE);
SELECT CAST(DATE '2024-01-02' AS INTEGER);
SELECT CAST(TIMESTAMP '2024-01-02 03:04:05' AS BIGINT);

-- Round trips.
SELECT date_format(date_parse('2024-03-05', '%Y-%m-%d'), '%d/%m/%Y'), format_datetime(parse_datetime('05.03.2024', 'dd.MM.yyyy'), 'yyyy-MM-dd'), CAST(CAST(TIMESTAMP '2024-01-02 03:04:05.678' AS VARCHAR) AS TIMESTAMP);

-- More patterns as people write them.
SELECT format_datetime(DATE '2024-01-02', 'yyyy-MM-dd HH:mm'), format_datetime(TIMESTAMP '0001-01-01 00:00:00', 'G yyyy C'), format_datetime(TIMESTAMP '2024-01-02 12:00:00', 'h a K k');
SELECT format_datetime(TIMESTAMP '2024-01-02 03:04:05', 'yyyy-MM-dd HH:mm Z');
SELECT parse_datetime('2024-01-02 03:04:05.1', 'yyyy-MM-dd HH:mm:ss.S'), parse_datetime('2024-01-02 03:04:05.123456', 'yyyy-MM-dd HH:mm:ss.SSSSSS'), parse_datetime('20240102', 'yyyyMMdd'), parse_datetime('2024-1-2', 'yyyy-M-d');
SELECT parse_datetime('Jan 2, 2024 3:04:05 PM', 'MMM d, yyyy h:mm:ss a'), parse_datetime('2024-01-02T03:04:05Z', 'yyyy-MM-dd''T''HH:mm:ssZ'), parse_datetime('2024-01-02 03:04 -08:00', 'yyyy-MM-dd HH:mm ZZ');
SELECT date_parse('2024-01-02 15:04:05', '%Y-%m-%d %T'), date_parse('12/31/2023 11:59:59 PM', '%m/%d/%Y %r'), date_parse('2024-01-02 3:04', '%Y-%m-%d %k:%i'), date_parse('Tue Jan 02 2024', '%a %b %d %Y');
SELECT date_parse('2024-01-02 12:00:00 AM', '%Y-%m-%d %h:%i:%s %p'), date_parse('2024-01-02 12:00:00 PM', '%Y-%m-%d %h:%i:%s %p'), date_parse('2024-01-02 00:30', '%Y-%m-%d %H:%i');
SELECT date_format(TIMESTAMP '2024-01-02 00:05:09', '%l %h %p'), date_format(TIMESTAMP '-0044-03-15 12:00:00', '%Y-%m-%d'), date_format(TIMESTAMP '2024-12-31 00:00:00', '%x-%v %j');
SELECT CAST('2024-01-02 03:04:05.12345678901' AS TIMESTAMP(6)), CAST('  2024-01-02' AS DATE), CAST('2024-01-02 3:4:5' AS TIMESTAMP), CAST('10000-01-01 00:00:00' AS TIMESTAMP), CAST('-2024-01-01' AS DATE);
SELECT from_iso8601_timestamp('2024-01-02T03:04:05,5Z'), from_iso8601_timestamp('2024-01-02T03:04:05.123456+0530'), from_iso8601_timestamp('2024-01-02T03:04:05-08'), from_iso8601_date('2024-1-2'), from_iso8601_timestamp('+2024-01-02');
SELECT from_iso8601_timestamp('2024-01-02T24:00:00');
SELECT typeof(to_iso8601(DATE '2024-01-01')), typeof(to_iso8601(TIMESTAMP '2024-01-01 00:00:00.12')), typeof(to_iso8601(TIMESTAMP '2024-01-01 00:00:00.12 UTC'));
