"""The project's error root and its small subclasses.

Every error the explorer raises on purpose derives from :class:`ExplorerError`,
so callers (the CLI, the app) can catch one class and show a clear message.
Library errors are wrapped with ``raise ... from e``.

Examples
--------
>>> try:
...     raise StoreUnavailable("server at bolt://127.0.0.1:1 is not answering")
... except ExplorerError as e:
...     print(type(e).__name__, "-", e)
StoreUnavailable - server at bolt://127.0.0.1:1 is not answering
"""

from __future__ import annotations

from graph.text import plural

__all__ = [
    "ExplorerError",
    "ValidationFailed",
    "StoreError",
    "StoreUnavailable",
    "AuthenticationFailed",
    "DatabaseNotFound",
    "IncompleteLoad",
    "QueryRefused",
    "ConcurrentWrite",
    "SettingsError",
    "AnalysisError",
    "UnknownEntity",
    "EmptySelection",
]


class ExplorerError(Exception):
    """Root of every error this project raises on purpose."""


class ValidationFailed(ExplorerError):
    """Input records broke one or more rules; ``problems`` lists every one.

    Parameters
    ----------
    problems : list
        :class:`loaders.records.Problem` items, every bad cell once.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        n = len(self.problems)
        super().__init__(f"{plural(n, 'problem')} found; nothing was written")


class StoreError(ExplorerError):
    """A graph store could not do what was asked."""


class StoreUnavailable(StoreError):
    """The database server cannot be reached."""


class AuthenticationFailed(StoreError):
    """The database server refused the user name or password."""


class DatabaseNotFound(StoreError):
    """The server has no database of the requested name."""


class IncompleteLoad(StoreError):
    """A previous load into the store started but did not finish."""


class ConcurrentWrite(StoreError):
    """Another client wrote to the store at the same time: ``transient`` when trying again
    may succeed (a deadlock, a lock timeout), else a real clash (the same new record
    written by two loads)."""

    def __init__(self, message: str, *, transient: bool = True):
        super().__init__(message)
        self.transient = transient


class QueryRefused(StoreError):
    """A console query was refused (a write, a procedure, a time limit)."""


class SettingsError(ExplorerError):
    """A settings file (the board limits) cannot be read or holds a value that makes no
    sense; the message names the file, the entry and what to do."""


class AnalysisError(ExplorerError):
    """An analysis cannot answer the request as asked."""


class UnknownEntity(AnalysisError):
    """A donor, organization or project id that the store does not hold."""


class EmptySelection(AnalysisError):
    """The filters leave nothing to compute over."""
