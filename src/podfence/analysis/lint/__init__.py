"""`podfence lint`: the mistakes that open or break a cluster, as data.

Each check asks the engine about the cluster as given (namespaces, pods, workloads,
policies) and returns `Finding`s: a stable rule ID, a level, where (file, line, object, field),
what, the concrete consequence and a fix. Rendering lives in `podfence.render`.
"""

from podfence.analysis.lint.catalogue import RULES, RuleInfo, resolve_rule, rule_info
from podfence.analysis.lint.finding import Finding, Level
from podfence.analysis.lint.redundancy import DEFAULT_WORK_LIMIT
from podfence.analysis.lint.runner import IGNORE_ANNOTATION, LintResult, lint, parse_rule_list

__all__ = [
    "DEFAULT_WORK_LIMIT",
    "IGNORE_ANNOTATION",
    "RULES",
    "Finding",
    "Level",
    "LintResult",
    "RuleInfo",
    "lint",
    "parse_rule_list",
    "resolve_rule",
    "rule_info",
]
