"""Test support shared across test packages (the real API server, a small client for it)."""
