"""Reporting's use cases: archive every event, move the read models, rebuild them, write reports."""
