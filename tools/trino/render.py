"""Athena's text rendering (GetQueryResults' VarCharValue) of values Trino sent.

Rules: docs/athena.md "Values" and emulator/SQL.md "Values as text". The input is
one value as Trino 476's direct protocol encodes it (parsed by protocol.loads, so JSON
numbers are protocol.Raw text) plus the column's typeSignature. What the protocol sends,
measured on 476 (see tools/trino/README.md):

  boolean                    JSON true/false
  tinyint..bigint            JSON number
  real, double               JSON number written by Java (Float/Double.toString), or
                             the strings "NaN", "Infinity", "-Infinity"
  decimal                    string with exactly `scale` fraction digits ("1.50")
  varchar, char              string (char already padded to its length)
  date, time(p), timestamp(p), ... with time zone, intervals
                             string, already as Athena shows it
                             ("2024-01-02 03:04:05.123 UTC", "2 03:04:05.000", "1-2")
  varbinary                  base64 string
  json                       string holding the JSON text
  uuid, ipaddress            string
  array                      JSON array of encoded elements
  row                        JSON array of encoded fields (names only in the type)
  map                        JSON object: keys are Java's toString() of the key value
                             (so a varbinary key is base64, a double key "1.5");
                             values encoded as above
  unknown (bare NULL)        null
"""

import base64
import re
import struct
from decimal import Decimal

from protocol import Raw

# Set by render_value when a real/double text differs from the Float/Double.toString
# this module computes on its own: the cross-check of "Trino's JSON number text is
# Java's toString". The recorder reports these after a run.
MISMATCHES = []


def render_value(value, sig):
    """Top-level value: None stays None (SQL NULL); the rest becomes Athena's text."""
    if value is None:
        return None
    return _render(value, sig)


def _nested(value, sig):
    # Inside an array, map or row a NULL is the text `null`.
    if value is None:
        return "null"
    return _render(value, sig)


def _render(value, sig):
    raw = sig["rawType"].lower()
    args = sig.get("arguments", [])
    if raw == "boolean":
        return "true" if value else "false"
    if raw in ("tinyint", "smallint", "integer", "bigint"):
        return str(value)
    if raw in ("real", "double"):
        text = str(value)
        _check_float(text, raw)
        return text
    if raw == "decimal":
        _check_decimal(value, int(args[1]["value"]))
        return value
    if raw == "varbinary":
        return _hex(value)
    if raw == "array":
        element = args[0]["value"]
        return "[" + ", ".join(_nested(v, element) for v in value) + "]"
    if raw == "map":
        key_sig, value_sig = args[0]["value"], args[1]["value"]
        return "{" + ", ".join(f"{_map_key(k, key_sig)}={_nested(v, value_sig)}"
                               for k, v in value.items()) + "}"
    if raw == "row":
        parts = []
        for field, v in zip(args, value):
            name = (field["value"].get("fieldName") or {}).get("name")
            text = _nested(v, field["value"]["typeSignature"])
            # Named fields as name=value; Trino leaves ROW(1, 'x')'s fields unnamed.
            parts.append(f"{name}={text}" if name is not None else text)
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, str):
        # varchar, char, json, date, time*, timestamp*, interval*, uuid, ipaddress
        # and any other type the server sends as text: already Athena's text.
        return value
    raise ValueError(f"no rendering for {raw} value {value!r}")


def _map_key(key, sig):
    """A map key arrives as a JSON object key, i.e. as Java's toString() of the value."""
    raw = sig["rawType"].lower()
    if raw == "varbinary":
        return _hex(key)  # SqlVarbinary.toString() is base64 too
    if raw in ("real", "double"):
        _check_float(key, raw)
    # Every other scalar key's toString() is already the Athena text ("1.5", "1.50",
    # "2020-01-01", "true"). An array or row key comes as Java's List.toString()
    # ("[1, 2]"), which is Athena's notation for the common cases.
    return key


def _hex(b64):
    return " ".join(f"{b:02x}" for b in base64.b64decode(b64))


def _check_decimal(text, scale):
    fraction = text.split(".", 1)[1] if "." in text else ""
    if len(fraction) != scale:
        raise ValueError(f"decimal {text!r} does not have {scale} fraction digits")


# ------------------------------------------------------ Java's toString, re-derived


def _check_float(text, raw):
    if text in ("NaN", "Infinity", "-Infinity"):
        return
    if isinstance(text, Raw) or re.fullmatch(r"-?\d+\.\d+(E-?\d+)?", text):
        expected = java_float_str(float(text)) if raw == "real" else java_double_str(float(text))
        if expected != text:
            MISMATCHES.append((raw, text, expected))
    else:
        MISMATCHES.append((raw, text, "not a number"))


def java_double_str(x):
    """Java (19+) Double.toString: shortest digits that round-trip, Java notation."""
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    ax = abs(x)
    digits, exp = _shortest(ax, lambda s: float(s) == ax, 17)
    return _java_format(x, digits, exp)


def java_float_str(x):
    """Java (19+) Float.toString for a value that is exactly a float32."""
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    f32 = abs(struct.unpack("f", struct.pack("f", x))[0])
    digits, exp = _shortest(f32, lambda s: struct.unpack("f", struct.pack("f", float(s)))[0] == f32, 9)
    return _java_format(x, digits, exp)


def _shortest(x, round_trips, max_digits):
    """(digits, exponent) with x = 0.d1d2... * 10**exponent, shortest round trip; x >= 0.

    Java's rule for a one-digit shortest: take the closest *two*-digit decimal instead
    (so 4.9E-324 rather than 5.0E-324); it reads the same when it ends in 0.
    """
    if x == 0:
        return "0", 1
    for n in range(1, max_digits + 1):
        s = f"{x:.{n - 1}e}"
        if round_trips(s):
            if n == 1:
                two = f"{x:.1e}"
                if round_trips(two):
                    s = two
            mantissa, e = s.split("e")
            digits = mantissa.replace(".", "").rstrip("0") or "0"
            return digits, int(e) + 1
    raise ValueError(f"no round-trip digits for {x!r}")


def _java_format(x, digits, exp):
    sign = "-" if (x < 0 or (x == 0 and str(x).startswith("-"))) else ""
    value = Decimal(f"0.{digits}e{exp}")  # the magnitude
    if x == 0 or Decimal("0.001") <= value < Decimal("10000000"):
        # Plain notation, at least one digit after the point.
        if exp <= 0:
            return f"{sign}0.{'0' * -exp}{digits}"
        if len(digits) <= exp:
            return f"{sign}{digits}{'0' * (exp - len(digits))}.0"
        return f"{sign}{digits[:exp]}.{digits[exp:]}"
    # Computerized scientific notation: d.ddd...E<n>, at least one fraction digit.
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exp - 1}"
