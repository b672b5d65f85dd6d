"""Notifications: tell reviewers about tickets where they already are (chat robots, e-mail, a signed webhook).

Every message is an outbox row written in the transaction of the ticket change that causes it, delivered by a
queue task after commit, paced per target, retried at its due time and never sent twice. docs/notifications.md.
"""
