"""Property tests: the engine against the naive reference on random clusters."""
