"""The admin, one module per job: `rules` (rules, match tester, change log), `tickets` (read-only tickets and audit
trail), `profiles` (reviewer profiles, users, API tokens), `delivery` (the result outbox); importing registers them."""

from approvals.admin import delivery, profiles, rules, tickets

__all__ = ["delivery", "profiles", "rules", "tickets"]
