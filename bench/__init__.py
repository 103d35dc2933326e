"""`make bench`: the thin slice measured against references taken in the same run.

Modules: `__main__` runs it all; `load` is the load generator (its own process);
`noop` is the FastAPI no-op server behind `ref.http_noop`; `refs` measures the database and
broker references; `thin_slice` measures intake's accept rate and ticket-to-assignee latency;
`results` prints the figures and writes `bench/results/latest.json`.
"""
