-- url: Trino's URL functions (trino.io, "URL functions"): extraction through Java's
-- java.net.URI, and url_encode/url_decode.

-- Every part of a full URL.
SELECT url_extract_protocol('https://user:pw@www.example.com:8080/a/b.html?q=1&r=two+words#frag');
SELECT url_extract_host('https://user:pw@www.example.com:8080/a/b.html?q=1&r=two+words#frag');
SELECT url_extract_port('https://user:pw@www.example.com:8080/a/b.html?q=1&r=two+words#frag');
SELECT url_extract_path('https://user:pw@www.example.com:8080/a/b.html?q=1&r=two+words#frag');
SELECT url_extract_query('https://user:pw@www.example.com:8080/a/b.html?q=1&r=two+words#frag');
SELECT url_extract_fragment('https://user:pw@www.example.com:8080/a/b.html?q=1&r=two+words#frag');
SELECT url_extract_parameter('https://user:pw@www.example.com:8080/a/b.html?q=1&r=two+words#frag', 'r');

-- Parts a URL does not have: empty, the port NULL.
SELECT url_extract_port('http://example.com/'), url_extract_query('http://example.com/'), url_extract_fragment('http://example.com/');
SELECT url_extract_path('http://example.com'), url_extract_host('/just/a/path'), url_extract_protocol('/just/a/path');
SELECT url_extract_host('example.com'), url_extract_path('example.com'), url_extract_protocol('example.com');
SELECT url_extract_protocol('mailto:someone@example.com'), url_extract_path('mailto:someone@example.com'), url_extract_host('mailto:someone@example.com');
SELECT url_extract_host('http://EXAMPLE.com/'), url_extract_host('http://[::1]:8080/x'), url_extract_port('http://[::1]:8080/x');
SELECT url_extract_host('http://my_host/'), url_extract_host('http://a.b-c.d/');
SELECT url_extract_port('http://example.com:0/'), url_extract_port('http://example.com:65536/');
SELECT url_extract_port('http://example.com:/');
SELECT url_extract_host('http://example.com:abc/');

-- Text that is not a URI gives NULL.
SELECT url_extract_host('http://example.com/a b'), url_extract_path('http://example.com/%zz'), url_extract_query('http://x.com/?a=<b>');
SELECT url_extract_host(''), url_extract_path(''), url_extract_protocol(NULL);

-- Percent-decoding of path, query and fragment.
SELECT url_extract_path('http://x.com/a%20b/%C3%A9'), url_extract_query('http://x.com/?a=%20b&c=d+e'), url_extract_fragment('http://x.com/#x%2Fy');

-- url_extract_parameter: the first value of a name, form-decoded; NULL when absent.
SELECT url_extract_parameter('http://x.com/?a=1&b=2&a=3', 'a'), url_extract_parameter('http://x.com/?a=1&b=2&a=3', 'c');
SELECT url_extract_parameter('http://x.com/?flag&b=2', 'flag'), url_extract_parameter('http://x.com/?a=&b=2', 'a');
SELECT url_extract_parameter('http://x.com/?q=caf%C3%A9+au+lait', 'q'), url_extract_parameter('http://x.com/?a%20b=1', 'a b');
SELECT url_extract_parameter('http://x.com/?a=1=2', 'a'), url_extract_parameter('http://x.com/path', 'a'), url_extract_parameter('http://x.com/?a=1#b=2', 'b');
SELECT url_extract_parameter(NULL, 'a'), url_extract_parameter('http://x.com/?a=1', NULL);
SELECT url_extract_parameter(u, 'utm_source') FROM (VALUES ('https://shop.example/?utm_source=news&id=1'), ('https://shop.example/'), (NULL)) t(u);

-- url_encode / url_decode: Java's URLEncoder / URLDecoder in UTF-8.
SELECT url_encode('a b&c=d/é?'), url_encode(''), url_encode('-_.*~'), url_encode(NULL);
SELECT url_decode('a+b%26c%3Dd%2F%C3%A9'), url_decode(''), url_decode('100%25'), url_decode(NULL);
SELECT url_decode('%zz');
SELECT url_decode('abc%');
SELECT url_decode(url_encode('日本語 text')), url_encode('日本');
SELECT url_decode('%C3');
