"""Loading Kubernetes objects from YAML/JSON into the model: the only code that sees files.

Stages, one way: sources (find and read) -> parse (documents with line numbers) -> decode
(kinds, structure) -> defaults (the API server's) -> validate (the API server's rules) ->
link (duplicates, workloads vs pods, namespaces) -> build (the frozen `Cluster`).
`LoadOptions` says which Kubernetes version's API server to imitate (the newest by default).
"""

from podfence.load.options import (
    KNOWN_VERSIONS,
    LATEST,
    KubeVersion,
    LoadOptions,
    UnknownVersion,
    parse_kube_version,
)
from podfence.load.pipeline import LoadResult, load_paths, load_texts

__all__ = [
    "KNOWN_VERSIONS",
    "LATEST",
    "KubeVersion",
    "LoadOptions",
    "LoadResult",
    "UnknownVersion",
    "load_paths",
    "load_texts",
    "parse_kube_version",
]
