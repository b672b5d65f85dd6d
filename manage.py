#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

In a checkout where `make run` has set up the demo (var/demo.env) and no settings of its own are in the environment
(no DJANGO_SECRET_KEY), it runs with the demo's settings, as `make run` does: so README's `manage.py` commands
(`drf_create_token`, `import_rules`, `export_rules`) work against the running demo. Production always sets
DJANGO_SECRET_KEY, and then nothing is loaded.
"""

from __future__ import annotations

import os
import sys


def _use_demo_settings() -> None:
    if os.environ.get("DJANGO_SECRET_KEY"):
        return
    from config.launcher import DEMO_ENV_FILE, demo_environment

    env = demo_environment()
    if env is not None:
        os.environ.update(env)
        sys.stderr.write(
            f"manage.py: no DJANGO_SECRET_KEY set; using the demo settings of `make run` ({DEMO_ENV_FILE})\n"
        )


def main() -> None:
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    _use_demo_settings()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
