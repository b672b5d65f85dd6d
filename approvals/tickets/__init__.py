"""Tickets: the one transition layer (services), its domain events (changes), and every read of a ticket.

Who may decide (policy), which rules match (matching), what a ticket page shows (selectors, presentation, diff_store).
"""
