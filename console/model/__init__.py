"""Pure-Python model of the wall, its sources and their live values (no Qt)."""
