"""The fast path: large JSON (and simple YAML) dumps straight to the model, with the same
defaults, validators and diagnostics as the exact loader, falling back to it on any problem."""

from podfence.load.fast.load import load_fast

__all__ = ["load_fast"]
