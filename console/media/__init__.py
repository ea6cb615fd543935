"""Frame pipeline: latest-frame slots shared by every tile of a stream (no Qt)."""
