"""Solves an MPS model with HiGHS (highspy) and prints the result as JSON.

Used by `cordon bench allocation`: python bench/highs_solve.py MODEL.mps [TIME_LIMIT]
Set up once: python3 -m venv bench/.venv && bench/.venv/bin/pip install highspy
"""
import json
import os
import sys
import time

import highspy


def main():
    # HiGHS writes a banner to standard output when it starts: keep standard
    # output for the one JSON line, sending the solver's own output to stderr.
    out = os.dup(1)
    os.dup2(2, 1)
    path = sys.argv[1]
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 600.0
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", limit)
    h.setOptionValue("threads", 1)
    started = time.perf_counter()
    h.readModel(path)
    read = time.perf_counter() - started
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    info = h.getInfo()
    sys.stdout.flush()
    os.dup2(out, 1)
    print(json.dumps({
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": info.objective_function_value,
        "mip_gap": info.mip_gap,
        "seconds": seconds,
        "read_seconds": read,
    }))


if __name__ == "__main__":
    main()
