"""`make run`: the whole platform on this machine, with demo data, until Ctrl-C."""

from __future__ import annotations

import signal
import threading

from devstack.demo import load_demo
from devstack.stack import REPO, SERVICES, stack_from_environment


def main() -> None:
    stack = stack_from_environment(REPO / ".run")
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        print("Starting RabbitMQ and SecantusDB (unless AMQP_URL / MONGO_URL are set)…", flush=True)
        stack.start_infrastructure()
        print("Starting the five services…", flush=True)
        stack.start_services()
        demo = load_demo(stack)
        agent = stack.token(user_id="agent-1", roles=["agent", "supervisor"])
        admin = stack.token(user_id="admin-1", roles=["company_admin"], estates="*")
        print("\nEstateDesk is running.\n")
        for service in SERVICES:
            print(f"  {service:<13} {stack.url(service)}/docs")
        print(f"\n  broker        {stack.amqp}")
        print(f"  data          {REPO / '.run'}")
        print(f"\n  demo ticket   {demo['contact']['ticket']['number']} → message: {demo['message']['body']}")
        print("  work orders   " + "\n                ".join(f"{o['number']}  {o['status']:<10} {o['description']}"
                                                          for o in demo["orders"]))
        print(f"                ({demo['orders'][-1]['number']} breaches its accept deadline within 20 s, then "
              "climbs the escalation ladder: see /v1/work-orders?estate_id=demo-estate&sla_state=breached)")
        for area, lines in demo["areas"].items():
            print(f"\n  {area:<13} " + "\n                ".join(lines))
        print(f"\n  agent token   {agent}\n  admin token   {admin}")
        print("\n  try:  curl -s -H \"Authorization: Bearer $TOKEN\" "
              f"'{stack.url('reporting')}/v1/reports/daily?estate_id=demo-estate&day=<YYYY-MM-DD>'")
        print("\nCtrl-C stops everything.", flush=True)
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping…", flush=True)
        stack.stop()


if __name__ == "__main__":
    main()
