"""A minimal client for Trino's HTTP client protocol (standard library only).

POST /v1/statement with the SQL as the body, then GET each `nextUri` until a response
has none. Columns arrive in the first response that knows them; `data` arrives in
pieces over several responses; a failed query ends with an `error` object.

Without an X-Trino-Query-Data-Encoding header the server answers with the "direct"
protocol: rows inline as JSON (no spooling), which is what we parse here.
"""

import json
import time
import urllib.error
import urllib.request


class Raw(str):
    """A JSON number kept as the exact text the server wrote.

    Trino 476 writes real and double values with Jackson's JsonGenerator.writeNumber
    (JsonEncodingUtils.RealEncoder / DoubleEncoder), whose text is Java's
    Float.toString / Double.toString: the very text Athena shows. Parsing it into a
    Python float and printing it back would lose that (1.0E20 would become 1e+20).
    """


def loads(text):
    return json.loads(text, parse_float=Raw, parse_int=Raw)


class QueryError(Exception):
    def __init__(self, error):
        self.error = error
        super().__init__(f"{error.get('errorName')}: {error.get('message')}")


class ProtocolError(Exception):
    pass


class Client:
    def __init__(self, port, catalog="hive", schema="corpus", user="athena-stream",
                 time_zone="UTC", timeout=300):
        self.base = f"http://127.0.0.1:{port}"
        self.headers = {
            "X-Trino-User": user,
            "X-Trino-Source": "athena-stream-recorder",
            "X-Trino-Catalog": catalog,
            "X-Trino-Schema": schema,
            # Athena's session time zone is UTC.
            "X-Trino-Time-Zone": time_zone,
            # Without this capability the server treats us as a legacy client: every
            # time/timestamp is rounded to milliseconds and typed `timestamp` /
            # `timestamp with time zone` without a precision. Athena (engine 3)
            # shows the real precision, so ask for it.
            "X-Trino-Client-Capabilities": "PARAMETRIC_DATETIME",
        }
        self.timeout = timeout

    def _request(self, method, url, body=None):
        """One HTTP exchange; retries what the protocol says to retry (429, 502-504)."""
        for attempt in range(100):
            req = urllib.request.Request(url, data=body, method=method, headers=self.headers)
            if body is not None:
                req.add_header("Content-Type", "text/plain; charset=utf-8")
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return loads(resp.read().decode("utf-8"))
            except urllib.error.HTTPError as e:
                if e.code in (429, 502, 503, 504):
                    time.sleep(min(0.05 * (attempt + 1), 1.0))
                    continue
                detail = e.read().decode("utf-8", "replace")[:2000]
                raise ProtocolError(f"{method} {url}: HTTP {e.code}: {detail}") from None
        raise ProtocolError(f"{method} {url}: still busy after 100 tries")

    def execute(self, sql):
        """Run one statement to completion.

        Returns {"columns": [...], "data": [...]} where columns are the protocol's
        column objects (name, type, typeSignature) and data the rows as parsed JSON
        (numbers as Raw). Raises QueryError with the protocol's error object when the
        query fails.
        """
        deadline = time.monotonic() + self.timeout
        result = self._request("POST", self.base + "/v1/statement", sql.encode("utf-8"))
        columns = None
        data = []
        while True:
            if columns is None and result.get("columns") is not None:
                columns = result["columns"]
            if result.get("data"):
                data.extend(result["data"])
            if "error" in result and result["error"] is not None:
                raise QueryError(result["error"])
            next_uri = result.get("nextUri")
            if not next_uri:
                break
            if time.monotonic() > deadline:
                self._cancel(next_uri)
                raise ProtocolError(f"query did not finish within {self.timeout} s: {sql}")
            result = self._request("GET", next_uri)
        return {"columns": columns or [], "data": data,
                "update_type": result.get("updateType")}

    def _cancel(self, next_uri):
        try:
            req = urllib.request.Request(next_uri, method="DELETE", headers=self.headers)
            urllib.request.urlopen(req, timeout=10).close()
        except (urllib.error.URLError, OSError):
            pass
