"""`make load`: a bounded locust load test of the API on this machine (see __main__.py).

Locust runs on gevent, which must patch the standard library (sockets, threads, time.sleep) before
anything else imports it: importing locust here, first, does that for every module of the package.
"""

import locust  # noqa: F401
