"""Loading Kubernetes objects from YAML/JSON into the model: the only code that sees files.

Stages, one way: sources (find and read) -> parse (documents with line numbers) -> decode
(kinds, structure) -> defaults (the API server's) -> validate (the API server's rules) ->
link (duplicates, workloads vs pods, namespaces) -> build (the frozen `Cluster`).
"""

from podfence.load.options import LoadOptions
from podfence.load.pipeline import LoadResult, load_paths, load_sources, load_texts

__all__ = ["LoadOptions", "LoadResult", "load_paths", "load_sources", "load_texts"]
