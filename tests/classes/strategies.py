"""The class engine's generator: `support.focused` (the one test-support package), kept
under this name so the class-engine tests keep their imports."""

from support.focused import NAMESPACES, Focus, clusters, endpoints, policies, probe_ports

__all__ = ["Focus", "NAMESPACES", "clusters", "endpoints", "policies", "probe_ports"]
