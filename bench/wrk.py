"""Full-load runs driven by `wrk` (Debian package): a native generator, so that it measures the server.

The Python generator (`bench.load`) tops out near 350 requests/s in one process here; wrk drives
the same no-op server at ~2,900/s. Every request gets its own Idempotency-Key (as the front desk
sends) and a tag in its description, from a Lua `request()` function.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

CONTACT_LUA = r'''
local counter = 0
local tid = 0
function setup(thread) thread:set("id", tid); tid = tid + 1 end
function init(args)
  estate = os.getenv("BENCH_ESTATE"); token = os.getenv("BENCH_TOKEN"); prefix = os.getenv("BENCH_PREFIX")
end
request = function()
  counter = counter + 1
  local key = prefix .. "-" .. id .. "-" .. counter
  local body = '{"estate_id":"' .. estate .. '","channel":"hotline","caller_phone":"13900001111","caller_name":"李四",'
    .. '"summary":"来电报修：卫生间漏水","ticket":{"category":"repair","subcategory":"plumbing","scope":"in_unit",'
    .. '"description":"卫生间漏水 [' .. key .. ']"}}'
  return wrk.format("POST", "/v1/contacts", {["Content-Type"]="application/json",
    ["Authorization"]="Bearer " .. token, ["Idempotency-Key"]=key}, body)
end
'''

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def available() -> bool:
    return shutil.which("wrk") is not None


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS_MS[unit]


def run_wrk(url: str, *, estate: str, token: str, prefix: str, seconds: float, connections: int,
            workdir: Path, threads: int = 2) -> dict:
    """POST contacts to `url` for `seconds`; accepted (2xx) per second and the latency percentiles."""
    if not available():
        raise RuntimeError("wrk is not installed (make bench installs Debian's wrk)")
    workdir.mkdir(parents=True, exist_ok=True)
    script = workdir / "contact.lua"
    script.write_text(CONTACT_LUA)
    env = {**os.environ, "BENCH_ESTATE": estate, "BENCH_TOKEN": token, "BENCH_PREFIX": prefix}
    duration = max(1, round(seconds))
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency",
         "-s", str(script), url],
        env=env, capture_output=True, text=True, timeout=duration + 90,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    text = done.stdout
    total = int(re.search(r"(\d+) requests in", text).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", text)) else 0
    errors = re.search(r"Socket errors: (.*)", text)
    latency = {f"p{q}_ms": round(_ms(v), 1) for q, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M)}
    return {"sent": total, "accepted": total - non2xx, "non2xx": non2xx, "elapsed_s": duration,
            "accepted_per_s": (total - non2xx) / duration, "connections": connections, "threads": threads,
            **latency, **({"socket_errors": errors.group(1)} if errors else {})}
