"""`make run`: the whole platform on this machine, with demo data, until Ctrl-C, SIGTERM or SIGHUP.

Each of those three stops it the same way, at any moment (also while it is still starting):
the services first, then the broker and the databases, and nothing is left behind. The data
stays in `.run/` for the next run (`make clean` wipes it).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

import httpx

from devstack.demo import ESTATE, count_all, load_demo
from devstack.printout import print_dashboard, print_demo
from devstack.stack import REPO, Stack, stack_from_environment


class StopRequested(BaseException):
    """SIGTERM or SIGHUP, raised like Ctrl-C's KeyboardInterrupt wherever the main thread is.

    A BaseException, so that no `except Exception` on the way swallows it."""


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _stop_requested(signum: int, _frame) -> None:
    # The first signal wins: `make` passes its own SIGTERM on to us, so a second one may follow at
    # once, and it must not cut the stop short. (Ctrl-C is in here too, for the same reason.)
    for other in STOP_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise StopRequested(signal.Signals(signum).name)


def say(text: str = "") -> None:
    """Print, but never fail: a closed terminal (SIGHUP) or pipe must not keep us from stopping."""
    try:
        print(text, flush=True)
    except OSError:
        pass


def previous_data(data: Path) -> bool:
    return any((data / f"db-{name}" / "data").exists() for name in ("intake", "dispatch"))


def kept_summary(stack: Stack) -> str:
    """What the earlier runs left in the demo estate: tickets and work orders, counted page by page."""
    admin = stack.token(user_id="admin-1", roles=["company_admin"], estates="*")
    try:
        tickets = count_all(f"{stack.url('intake')}/v1/tickets", admin)
        orders = count_all(f"{stack.url('dispatch')}/v1/work-orders", admin)
    except httpx.HTTPError as error:  # only a summary: the demo goes on
        return f"not counted: {error}"
    return f"{tickets} tickets and {orders} work orders in {ESTATE}"


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devstack.run", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / ".run", help="where the servers keep their data")
    parser.add_argument("--free-ports", action="store_true",
                        help="listen on free ports instead of 8001–8005 and 5672 (for tests)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    data = args.data.resolve()
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stop_requested)
    stack = stack_from_environment(data, fixed_ports=not args.free_ports)
    reason = "It failed (see below)"
    kept = previous_data(data)
    try:
        say("Starting RabbitMQ and SecantusDB (unless AMQP_URL / MONGO_URL are set)…")
        stack.start_infrastructure()
        say("Starting the five services…")
        stack.start_services()
        if kept:
            say(f"Kept the data of the previous run in {data} ({kept_summary(stack)}); `make clean` wipes it.")
        say("Loading the demo estate 阳光花园…")
        demo = load_demo(stack)
        print_demo(stack, demo, data, say)
        print_dashboard(stack, say)
        say("\nCtrl-C (or SIGTERM, SIGHUP) stops everything.")
        while True:
            signal.pause()
    except KeyboardInterrupt:
        reason = "Ctrl-C"
    except StopRequested as stop:
        reason = str(stop)
    finally:
        # A later signal must not cut the stop short and leave servers behind; the stop is bounded
        # (a server that has not stopped within 20 s is killed).
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        say(f"\n{reason}: stopping the services, the broker and the databases…")
        stack.stop()
        say(f"Stopped. The data stays in {data} for the next `make run`; `make clean` wipes it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
