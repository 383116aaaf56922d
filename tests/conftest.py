"""Shared test set-up. Integration tests get one running hall per session (tests/integration)."""
