"""Vietnamese texts: documents."""

VI_DOCUMENTS: dict[str, str] = {
}
