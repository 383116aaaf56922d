"""The single error raised for invalid reference data."""
from __future__ import annotations


class CatalogueError(ValueError):
    """Reference data is invalid; the message names the file and the entry at fault."""

    def __init__(self, file: str, entry: str, problem: str):
        self.file = file
        self.entry = entry
        self.problem = problem
        super().__init__(f"{file}: {entry}: {problem}")
