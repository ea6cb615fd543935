"""The alert path: a pure book of alerts, its writer thread with SQLite, and the GUI-side queue."""
