"""Documents from a watched folder: every matching file there is a source a tile can show."""

from connectors.folder.connector import FolderConfig, FolderConnector

__all__ = ["FolderConfig", "FolderConnector"]
