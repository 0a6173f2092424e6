"""Analyses over the engine; each returns data, rendering lives in podfence.render."""
