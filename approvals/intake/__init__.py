"""Intake: turn a stored DataWorks event into a prepared ticket.

Fetch the details once (preparation), then hand the ticket to the transition layer (pipeline).
"""
