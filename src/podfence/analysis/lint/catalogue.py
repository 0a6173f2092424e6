"""The lint rules: stable IDs, slugs, default levels and why each one matters.

IDs never change meaning and are never reused; a retired rule keeps its ID unused.
"""

from __future__ import annotations

from dataclasses import dataclass

from podfence.analysis.lint.finding import Level

__all__ = ["RuleInfo", "RULES", "rule_info", "resolve_rule"]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    slug: str
    level: Level
    summary: str
    """One line: what the rule catches."""
    rationale: str
    """Why it matters, in a sentence or two."""


RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "PF001",
        "open-namespace",
        Level.WARNING,
        "A namespace has pods that no policy isolates for ingress or for egress.",
        "Kubernetes is an open network by default: a pod that no NetworkPolicy selects accepts "
        "connections from everywhere (ingress) or reaches everything (egress). Start from a "
        "default deny in every namespace. kube-system, kube-public and kube-node-lease are not "
        "checked (platform pods, often hostNetwork).",
    ),
    RuleInfo(
        "PF002",
        "dns-trap",
        Level.ERROR,
        "A pod cannot reach DNS on UDP 53 or TCP 53.",
        "Denying egress denies DNS too: a pod that cannot reach CoreDNS (or CoreDNS that does not "
        "admit it, or cannot reach its upstream) cannot resolve any name, and the app fails. "
        "DNS needs UDP 53 and TCP 53 (large answers and retries use TCP).",
    ),
    RuleInfo(
        "PF003",
        "unmatched-namespace-selector",
        Level.ERROR,
        "A namespaceSelector selects no namespace in the input.",
        "namespaceSelector matches namespace labels, not names: `name: monitoring` matches "
        "nothing unless the namespace carries that label, so the peer allows nothing. Every "
        "namespace has the label kubernetes.io/metadata.name set to its name.",
    ),
    RuleInfo(
        "PF004",
        "pod-selector-wrong-namespace",
        Level.ERROR,
        "A peer podSelector without namespaceSelector matches pods only in other namespaces.",
        "A podSelector alone selects pods of the policy's own namespace. Pods with those labels "
        "in another namespace are not matched; add a namespaceSelector in the same item.",
    ),
    RuleInfo(
        "PF005",
        "split-and",
        Level.WARNING,
        "A from/to list has a podSelector item and a namespaceSelector item: OR, not AND.",
        "Two list items are ORed: the namespaceSelector item alone admits every pod of those "
        "namespaces. One item with both selectors is the AND (those pods in those namespaces).",
    ),
    RuleInfo(
        "PF006",
        "policy-selects-nothing",
        Level.WARNING,
        "A policy's podSelector selects no pod or workload of its namespace.",
        "A policy that selects nothing protects nothing; usually a label typo or the wrong "
        "namespace.",
    ),
    RuleInfo(
        "PF007",
        "peer-matches-nothing",
        Level.WARNING,
        "A from/to item matches no pod (or, for an ipBlock, no address).",
        "A peer that matches nothing allows nothing; the traffic it was written for is denied.",
    ),
    RuleInfo(
        "PF008",
        "undefined-named-port",
        Level.ERROR,
        "A named port is defined by no destination pod for that protocol.",
        "Named ports resolve on each destination pod through its container ports (name and "
        "protocol); where the name is not defined, the port entry matches nothing.",
    ),
    RuleInfo(
        "PF009",
        "port-not-listening",
        Level.WARNING,
        "A rule's port is declared by none of the destination pods.",
        "When every destination pod declares its container ports and none declares this one, "
        "the rule most likely names the Service port instead of the pod's port (policies see "
        "the pod's port, after the Service translated it).",
    ),
    RuleInfo(
        "PF010",
        "allow-all",
        Level.WARNING,
        "A rule allows every source or destination on every port.",
        "`ingress: [{}]`, `namespaceSelector: {}` or ipBlock 0.0.0.0/0 (::/0) without except and "
        "without ports undo the isolation that the namespace or the policy otherwise applies.",
    ),
    RuleInfo(
        "PF011",
        "redundant",
        Level.INFO,
        "A rule or policy can be removed without changing any verdict.",
        "Everything it allows is allowed by other rules for every pod it applies to (checked with "
        "the engine over all pods, the ports that matter and representative addresses). "
        "Redundant rules hide intent and survive the removal of the rule that really allows. "
        "A policy without rules (a default deny) is never reported: it is a deliberate baseline.",
    ),
    RuleInfo(
        "PF012",
        "implicit-ingress-deny",
        Level.WARNING,
        "An egress-only policy without policyTypes also denies all ingress.",
        "Without policyTypes the API server sets [Ingress] plus Egress when egress rules exist; "
        "a policy with only egress rules therefore isolates its pods for ingress and allows no "
        "ingress. Set policyTypes: [Egress].",
    ),
    RuleInfo(
        "PF013",
        "ignored-rules",
        Level.ERROR,
        "Rules are ignored because policyTypes does not list their direction.",
        "With policyTypes set, rules of a direction it does not list have no effect at all.",
    ),
    RuleInfo(
        "PF014",
        "host-network",
        Level.WARNING,
        "A policy's podSelector matches hostNetwork pods, which policies do not apply to.",
        "hostNetwork pods use the node's network; NetworkPolicies neither isolate them nor match "
        "them as peers by pod or namespace selector.",
    ),
    RuleInfo(
        "PF015",
        "check-skipped",
        Level.INFO,
        "An expensive check was skipped because the input is too large.",
        "The redundancy check evaluates every pair of endpoints on every port that matters; above "
        "a limit it is skipped so that lint stays fast.",
    ),
    RuleInfo(
        "PF016",
        "cloud-metadata",
        Level.WARNING,
        "Egress lets pods reach the cloud metadata service (169.254.169.254, fd00:ec2::254).",
        "On a cloud VM the instance metadata service hands the node's credentials to whoever "
        "asks on port 80. A rule that allows 0.0.0.0/0 (or every destination) without an "
        "except for it lets its pods take them. Asked of the engine on TCP 80 for each pod "
        "isolated for egress; pods that nothing isolates reach it too (PF001).",
    ),
    RuleInfo(
        "PF017",
        "sensitive-port-exposed",
        Level.WARNING,
        "The internet can reach SSH, etcd, kubelet, API server or database ports of a pod.",
        "TCP 22, 2379-2380, 6443, 10250, 3306, 5432, 6379 and 27017 should be reachable only "
        "by the clients that need them. Asked of the engine from one public address per "
        "region the ipBlocks tell apart, on the ports a pod declares or its policies name. "
        "Something else must still expose the pod (a Service, a host port), but NetworkPolicy "
        "is the last gate.",
    ),
    # PF018-PF029 are free; PF030 on are the ClusterNetworkPolicy rules (issue 11).
    RuleInfo(
        "PF030",
        "cnp-shadowed-rule",
        Level.WARNING,
        "A ClusterNetworkPolicy rule never decides: rules checked before it take everything "
        "it matches.",
        "Within a tier the first matching rule decides: earlier rules of the same policy, then "
        "policies with a lower priority number. A rule whose connections are all decided first "
        "does nothing (checked with the engine over every pod, the ports that matter and "
        "representative addresses); it was meant to come first, or can go.",
    ),
    RuleInfo(
        "PF031",
        "cnp-priority-conflict",
        Level.WARNING,
        "ClusterNetworkPolicies of one tier and priority match a connection with different "
        "actions.",
        "Upstream leaves the order of equal priorities undefined: an implementation may apply "
        "either, so the connection is accepted on one cluster and denied on another. Give the "
        "policies different priorities.",
    ),
    RuleInfo(
        "PF032",
        "cnp-pass-to-nothing",
        Level.WARNING,
        "A Pass rule hands its connections to a tier that does not decide them.",
        "An Admin Pass delegates to the namespaces' NetworkPolicies; when none isolates the "
        "pods it passes, the connections fall through to the Baseline tier or are simply "
        "allowed. A Baseline Pass always ends in the default: it allows what it matches.",
    ),
    RuleInfo(
        "PF033",
        "baseline-overridden",
        Level.INFO,
        "A Baseline Deny never applies: NetworkPolicies isolate every pod it matches.",
        "The Baseline tier is only reached for pods no NetworkPolicy isolates in that "
        "direction. When every pod the rule applies to is isolated, the namespaces' policies "
        "already decide all of its connections and the deny is dead weight (or a guardrail "
        "for pods yet to come).",
    ),
    RuleInfo(
        "PF034",
        "admin-accept-over-default-deny",
        Level.WARNING,
        "An Admin Accept allows connections a namespace's NetworkPolicies deny.",
        "Admin Accept is final: the NetworkPolicy tier is not consulted, so a namespace's "
        "default deny does not hold for what the rule matches. Often intended (monitoring, "
        "DNS), but the namespace owners cannot see it in their own policies.",
    ),
    RuleInfo(
        "PF035",
        "cnp-dns-trap",
        Level.ERROR,
        "A ClusterNetworkPolicy Deny blocks DNS (UDP 53 or TCP 53).",
        "A pod that cannot reach CoreDNS cannot resolve any name. Under an Admin Deny no "
        "NetworkPolicy can re-open it: add an Admin Accept for DNS before the deny. Under a "
        "Baseline Deny, a NetworkPolicy that allows DNS overrides it.",
    ),
)

_BY_KEY = {r.id.upper(): r for r in RULES} | {r.slug.upper(): r for r in RULES}


def resolve_rule(key: str) -> RuleInfo | None:
    """A rule by ID (`PF002`) or slug (`dns-trap`), case-insensitive."""
    return _BY_KEY.get(key.strip().upper())


def rule_info(key: str) -> RuleInfo:
    found = resolve_rule(key)
    if found is None:
        raise KeyError(key)
    return found
