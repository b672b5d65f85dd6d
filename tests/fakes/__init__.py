"""Test doubles shared by tests and benchmarks: local fakes of external services."""
