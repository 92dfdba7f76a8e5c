#!/usr/bin/python3
"""Dump what segyio (Debian python3-segyio) reads from a SEG-Y or SU file as JSON.

Usage: /usr/bin/python3 segyio_dump.py PATH [segy|su]

Prints one JSON object on stdout:
  {"ok": true, "endian": "big"|"little", "tracecount": N, "ns": NS, "format": F,
   "fields": {"<byte>": [raw header value of each trace]},
   (non-finite sample values are given as the strings "nan", "inf", "-inf")
   "traces": {"<index>": [samples]}, "sums": [sum of |samples| of each trace]}
or {"ok": false, "error": "..."} when segyio rejects the file with both byte orders.
Used by tests/segyio_interop_test.ts to cross-check pstm's reader.
"""
import json
import math
import sys

import numpy as np
import segyio
import segyio.su

BYTES = [1, 5, 9, 13, 17, 21, 25, 29, 37, 41, 45, 69, 71, 73, 77, 81, 85, 89, 109, 115, 117,
         181, 185, 189, 193]


def num(x):
    """A JSON-safe float: non-finite values become the strings "nan", "inf", "-inf"."""
    x = float(x)
    return x if math.isfinite(x) else str(x)


def dump(path, kind, endian):
    opener = segyio.su.open if kind == "su" else segyio.open
    with opener(path, "r", ignore_geometry=True, endian=endian) as f:
        n = f.tracecount
        data = f.trace.raw[:] if n else np.zeros((0, len(f.samples)), dtype=np.float32)
        if n and data.ndim == 1:
            data = data.reshape(1, -1)
        fields = {str(b): [int(v) for v in f.attributes(b)[:]] for b in BYTES} if n else {}
        picks = sorted({0, n // 2, n - 1}) if n else []
        out = {
            "ok": True,
            "endian": endian,
            "tracecount": int(n),
            "ns": int(len(f.samples)),
            "format": int(f.format) if kind != "su" else 5,
            "fields": fields,
            "traces": {str(i): [num(x) for x in data[i]] for i in picks},
            "sums": [num(s) for s in np.abs(data.astype(np.float64)).sum(axis=1)],
        }
        return out


def main():
    path = sys.argv[1]
    kind = sys.argv[2] if len(sys.argv) > 2 else "segy"
    errors = []
    for endian in ("big", "little"):
        try:
            out = dump(path, kind, endian)
            if kind == "su" and out["tracecount"] > 0:
                ns = out["fields"]["115"]
                if any(v != len(out["traces"]["0"]) for v in ns):
                    errors.append(f"{endian}: ns in trace headers disagree with layout")
                    continue
            print(json.dumps(out))
            return
        except Exception as e:  # segyio raises several types
            errors.append(f"{endian}: {type(e).__name__}: {e}")
    print(json.dumps({"ok": False, "error": "; ".join(errors)}))


if __name__ == "__main__":
    main()
