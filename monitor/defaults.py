"""Defaults that more than one module needs, stated once.

The configuration (``monitor.config``) offers them to the user; the fetch and delivery edges fall
back on them when they are built without a configuration (``monitor fetch``, tests).
"""

from __future__ import annotations

TOTAL_TIMEOUT = 60.0  # seconds one fetch attempt may take, redirects included
RETRY_SCHEDULE = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)  # delivery
DORMANT_AFTER = 7 * 86400.0  # seconds without a new article before a story goes dormant
