"""Errors the data layer reports to people, not stack traces."""

from __future__ import annotations


class SourceError(Exception):
    """A source file is missing or malformed: names the file, the row and the problem."""

    def __init__(self, file: str, problem: str, row: int | None = None, column: str | None = None):
        self.file, self.problem, self.row, self.column = file, problem, row, column
        where = f"{file}" + (f", row {row}" if row is not None else "")
        where += f", column '{column}'" if column else ""
        super().__init__(f"{where}: {problem}")


class UserInputError(Exception):
    """A request names something that does not exist (an unknown LA code, year or table)."""


class StoreUnavailable(Exception):
    """The database is missing, corrupt or not built: the message says how to rebuild it."""
