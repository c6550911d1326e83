"""Drives athena-emulator with boto3 and PyAthena, the clients users have today.

Run by emulator/tests/endpoint/python_clients.rs, which starts the emulator, makes the
virtual environment from requirements.txt and passes the endpoints of two emulators,
the second one's queries running until they are stopped:

    python clients.py http://127.0.0.1:PORT http://127.0.0.1:PORT2

Every check raises AssertionError with what differed; the last line printed is a JSON
summary the Rust test reads back.
"""

import datetime
import decimal
import json
import sys
import time
import uuid

import boto3
import botocore
import pyathena
from botocore.config import Config
from botocore.exceptions import ClientError
from pyathena.cursor import DictCursor

OUTPUT = "s3://python-clients/results/"


def athena_client(endpoint):
    return boto3.client(
        "athena",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        # Standard retries, as users have them: the emulator throttles some calls.
        config=Config(retries={"mode": "standard", "max_attempts": 5}),
    )


def wait(client, query_id):
    while True:
        execution = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        state = execution["Status"]["State"]
        if state not in ("QUEUED", "RUNNING"):
            return execution
        # Polling, as every Athena client does: the state is read again until final.
        time.sleep(0.01)


def error_of(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        return e.response
    raise AssertionError(f"{call.__name__}({kwargs}) did not fail")


def wait_running(client, query_id):
    """True once the query is QUEUED or RUNNING (it may not be at once)."""
    state = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    return state["State"] in ("QUEUED", "RUNNING")


def check_boto3(endpoint, slow_endpoint):
    client = athena_client(endpoint)
    model = client.meta.service_model
    # The point of this test: this botocore speaks restJson1 to Athena.
    assert model.protocol == "rest-json", model.protocol
    sql = "SELECT x, CAST(x AS varchar) || '!' AS s FROM UNNEST(sequence(1, 25)) AS t(x)"
    started = client.start_query_execution(
        QueryString=sql, ResultConfiguration={"OutputLocation": OUTPUT}
    )
    query_id = started["QueryExecutionId"]
    execution = wait(client, query_id)
    assert execution["Status"]["State"] == "SUCCEEDED", execution
    assert execution["Query"] == sql
    assert execution["ResultConfiguration"]["OutputLocation"] == f"{OUTPUT}{query_id}.csv"
    assert isinstance(execution["Status"]["SubmissionDateTime"], datetime.datetime)

    # Pages of 10 through boto3's own paginator (NextToken in the query string).
    rows = []
    pages = 0
    paginator = client.get_paginator("get_query_results")
    for page in paginator.paginate(QueryExecutionId=query_id, PaginationConfig={"PageSize": 10}):
        pages += 1
        columns = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
        assert [c["Name"] for c in columns] == ["x", "s"], columns
        assert [c["Type"] for c in columns] == ["bigint", "varchar"], columns
        rows.extend([d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"])
    assert pages == 3, pages
    assert rows[0] == ["x", "s"], rows[0]
    assert rows[1:] == [[str(i), f"{i}!"] for i in range(1, 26)], rows

    listed = client.list_query_executions(MaxResults=10)["QueryExecutionIds"]
    assert query_id in listed, listed
    batch = client.batch_get_query_execution(QueryExecutionIds=[query_id, "no-such-query"])
    assert [e["QueryExecutionId"] for e in batch["QueryExecutions"]] == [query_id]
    assert batch["UnprocessedQueryExecutionIds"][0]["ErrorCode"] == "QUERY_EXECUTION_NOT_FOUND"

    # A query stopped while it runs reads CANCELLED (on the second emulator, whose
    # queries run until stopped).
    slow_client = athena_client(slow_endpoint)
    slow = slow_client.start_query_execution(QueryString="SELECT 1")["QueryExecutionId"]
    assert wait_running(slow_client, slow)
    slow_client.stop_query_execution(QueryExecutionId=slow)
    stopped = wait(slow_client, slow)["Status"]
    assert stopped["State"] == "CANCELLED", stopped
    assert stopped["StateChangeReason"] == "Query cancelled by user", stopped

    # Errors arrive as boto3 users catch them: the code and Athena's own members.
    response = error_of(client.get_query_execution, QueryExecutionId="no-such-query")
    assert response["Error"]["Code"] == "InvalidRequestException", response
    assert response["AthenaErrorCode"] == "QUERY_EXECUTION_NOT_FOUND", response
    assert response["Error"]["Message"] == "QueryExecution no-such-query was not found", response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    response = error_of(client.get_query_results, QueryExecutionId=query_id, MaxResults=1001)
    assert response["AthenaErrorCode"] == "INVALID_INPUT", response
    response = error_of(client.start_query_execution, QueryString="SELEC 1")
    assert response["AthenaErrorCode"] == "MALFORMED_QUERY", response
    failed = client.start_query_execution(QueryString="SELECT * FROM no_such_table")
    execution = wait(client, failed["QueryExecutionId"])
    assert execution["Status"]["State"] == "FAILED", execution
    assert execution["Status"]["AthenaError"]["ErrorCategory"] == 2, execution

    # The same token is the same query (boto3 makes one up when none is given).
    token = str(uuid.uuid4())
    first = client.start_query_execution(QueryString="SELECT 1", ClientRequestToken=token)
    again = client.start_query_execution(QueryString="SELECT 1", ClientRequestToken=token)
    assert first["QueryExecutionId"] == again["QueryExecutionId"]
    response = error_of(client.start_query_execution, QueryString="SELECT 2", ClientRequestToken=token)
    assert response["AthenaErrorCode"] == "IDEMPOTENT_PARAMETER_MISMATCH", response
    return {"boto3": boto3.__version__, "botocore": botocore.__version__, "rows": len(rows) - 1,
            "pages": pages, "protocol": model.protocol}


def check_pyathena(endpoint):
    connection = pyathena.connect(
        s3_staging_dir=OUTPUT,
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        poll_interval=0.01,
    )
    cursor = connection.cursor()
    cursor.execute(
        "SELECT 1 AS i, BIGINT '9007199254740993' AS b, 1.5 AS d, DECIMAL '12.30' AS dec, "
        "'text' AS s, '' AS empty, CAST(NULL AS varchar) AS n, true AS t, "
        "DATE '2024-06-01' AS day, TIMESTAMP '2024-06-01 12:34:56.789' AS ts, "
        "X'68656c6c6f' AS bin"
    )
    names = [c[0] for c in cursor.description]
    types = [c[1] for c in cursor.description]
    assert names == ["i", "b", "d", "dec", "s", "empty", "n", "t", "day", "ts", "bin"], names
    assert types == ["integer", "bigint", "decimal", "decimal", "varchar", "varchar", "varchar",
                     "boolean", "date", "timestamp", "varbinary"], types
    row = cursor.fetchone()
    assert row == (
        1, 9007199254740993, decimal.Decimal("1.5"), decimal.Decimal("12.30"), "text", "", None,
        True, datetime.date(2024, 6, 1), datetime.datetime(2024, 6, 1, 12, 34, 56, 789000),
        b"hello",
    ), row
    assert cursor.fetchone() is None

    # 2,500 rows: PyAthena pages through GetQueryResults (1,000 a call) over restJson1.
    cursor.execute("SELECT x FROM UNNEST(sequence(1, 2500)) AS t(x) ORDER BY x")
    values = [r[0] for r in cursor.fetchall()]
    assert values == list(range(1, 2501)), values[:5]

    # pyformat parameters are quoted by PyAthena; qmark ones go as ExecutionParameters,
    # each one SQL literal.
    cursor.execute("SELECT %(a)s AS a, %(b)d AS b", {"a": "it's", "b": 7})
    assert cursor.fetchall() == [("it's", 7)]
    cursor.execute("SELECT ? AS a, ? AS b", ["'x'", "42"], paramstyle="qmark")
    assert cursor.fetchall() == [("x", 42)]

    dict_cursor = connection.cursor(DictCursor)
    # Nested values in Athena's text (docs/athena.md, "Values"), typed by PyAthena's hints.
    dict_cursor.execute(
        "SELECT 'a' AS k, ARRAY[1, 2] AS arr, MAP(ARRAY['x'], ARRAY[1]) AS m",
        result_set_type_hints={"m": "map(varchar, integer)"},
    )
    got = dict_cursor.fetchall()
    assert got == [{"k": "a", "arr": [1, 2], "m": {"x": 1}}], got

    try:
        cursor.execute("SELECT * FROM no_such_table")
    except pyathena.error.OperationalError as e:
        assert "TABLE_NOT_FOUND" in str(e), e
    else:
        raise AssertionError("a query of a missing table did not fail")
    return {"pyathena": pyathena.__version__, "rows": len(values)}


def main():
    endpoint, slow_endpoint = sys.argv[1], sys.argv[2]
    summary = {
        "boto3": check_boto3(endpoint, slow_endpoint),
        "pyathena": check_pyathena(endpoint),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
