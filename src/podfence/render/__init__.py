"""Rendering: results to text, JSON and YAML. Only the edge formats; no analysis here."""
