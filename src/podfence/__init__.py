"""podfence: Kubernetes NetworkPolicy semantics, analyses and a Linux data plane."""

__version__ = "0.1.0"
