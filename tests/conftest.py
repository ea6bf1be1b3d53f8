"""What every test shares: no test's ``peerlint check`` is ever answered by a daemon
the developer runs (``peerlint daemon start``) for a folder a test lints, such as
examples/; tests/test_daemon.py starts its own, in a runtime folder of its own."""

import os

os.environ["PEERLINT_NO_DAEMON"] = "1"
