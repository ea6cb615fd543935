"""The only Qt code in console/: windows per screen, the operator window, bridges."""
