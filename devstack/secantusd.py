"""SecantusDB's own server command, with a shorter life for abandoned transactions.

A process killed inside a transaction leaves it open on the server: nothing commits or aborts
it until the server reaps it, and meanwhile it holds what it wrote (an estate's work-order
counter, a claim), so the other replicas wait. SecantusDB reaps after 60 s, as mongod's
`transactionLifetimeLimitSeconds` does by default, and offers no flag for it, only its server
class's `transaction_lifetime_seconds`; this wrapper passes that and otherwise is
`secantusd-py` itself (same flags). Against MongoDB, set the parameter instead
(`setParameter: {transactionLifetimeLimitSeconds: 15}`).

    python devstack/secantusd.py --transaction-lifetime-s 15 <secantusd-py flags>
"""

from __future__ import annotations

import functools
import sys

from secantus import cli


def main(argv: list[str]) -> int:
    if argv[:1] == ["--transaction-lifetime-s"]:
        lifetime_s, argv = float(argv[1]), argv[2:]
        cli.SecantusDBServer = functools.partial(cli.SecantusDBServer, transaction_lifetime_seconds=lifetime_s)
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
