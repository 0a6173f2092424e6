"""A deliberately naive reference evaluator of NetworkPolicy, independent of podfence.engine."""
