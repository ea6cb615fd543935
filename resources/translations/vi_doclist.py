"""Vietnamese texts: doclist."""

VI_DOCLIST: dict[str, str] = {
}
