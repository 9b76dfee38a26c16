"""Storage errors that carry a message fit for the user: one line, naming the problem."""


class StorageError(Exception):
    """The workspace cannot be opened or written; the message says why."""


class NotAWorkspace(StorageError):
    """The file is not a SQLite database, or not one of ours, or is damaged."""


class SchemaTooNew(StorageError):
    """The database was written by a newer version of the app."""


class WorkspaceUnavailable(StorageError):
    """The data folder is missing, unwritable or locked."""
