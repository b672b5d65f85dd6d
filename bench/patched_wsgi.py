"""gunicorn entry point for the intake what-if run only: the app with bench/patched_queue.py's suggested fixes.

`gunicorn --pythonpath bench patched_wsgi:application ...`; app code is not changed.
"""

from __future__ import annotations

import patched_queue

from config.wsgi import application

patched_queue.apply_permanently()

__all__ = ["application"]
