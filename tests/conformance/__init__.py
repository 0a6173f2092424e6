"""The conformance corpus: upstream's e2e model (x, y, z by a, b, c) with hand-written tables."""
