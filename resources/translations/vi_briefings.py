"""Vietnamese texts: briefings."""

VI_BRIEFINGS: dict[str, str] = {
}
