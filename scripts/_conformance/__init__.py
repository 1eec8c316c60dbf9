"""Helpers of scripts/conformance.py: the case table, the wheel comparison and the report."""
