"""Delivery: results back to DataWorks.

The outbox (claimed, retried delivery of each decision) and reconciliation with ListCheckProcesses.
"""
