"""Every seed example that shows a mistake gets the right finding at the right line, and its
fixed twin gets none of those findings (examples/seed, from the seed text)."""

from __future__ import annotations

from pathlib import Path

from podfence.analysis.lint import Finding, Level

from .helpers import EXAMPLES, findings, load_dirs

SEED = EXAMPLES / "seed"


def _where(f: Finding) -> tuple[str, int]:
    return Path(f.file).name, f.line


def test_open_network_reports_each_namespace_and_direction() -> None:
    found = findings(load_dirs(SEED / "a-open-network"), "PF001")
    assert sorted((f.obj, f.message.split(":")[0]) for f in found) == [
        ("Namespace default", "no egress isolation"),
        ("Namespace default", "no ingress isolation"),
        ("Namespace secure", "no egress isolation"),
        ("Namespace secure", "no ingress isolation"),
    ]
    by_ns = {(f.obj, f.message[:5]): f for f in found}
    secure = by_ns[("Namespace secure", "no in")]
    assert _where(secure) == ("cluster.yaml", 8)  # the Namespace object
    assert "secure/db and secure/web" in secure.consequence
    assert "policyTypes: [Ingress]" in secure.fix
    assert all(f.level is Level.WARNING for f in found)


def test_policy_on_db_leaves_the_rest_of_secure_open() -> None:
    found = findings(load_dirs(SEED / "b-policy-selects-db"), "PF001")
    ingress = [f for f in found if f.obj == "Namespace secure" and "ingress" in f.message]
    assert len(ingress) == 1
    assert "secure/web" in ingress[0].consequence
    assert "secure/db" not in ingress[0].consequence  # db is isolated now


def test_monitoring_unlabelled_namespace_selector_selects_nothing() -> None:
    found = findings(load_dirs(SEED / "monitoring-unlabelled"), "PF003")
    assert len(found) == 1
    f = found[0]
    assert _where(f) == ("allow-monitoring.yaml", 12)
    assert f.obj == "NetworkPolicy secure/allow-monitoring"
    assert f.field == "spec.ingress[0].from[0].namespaceSelector"
    assert f.level is Level.ERROR
    assert "kubectl label namespace monitoring name=monitoring" in f.fix
    assert "kubernetes.io/metadata.name: monitoring" in f.fix
    assert "monitoring/prometheus cannot reach secure/db" in f.consequence


def test_monitoring_labelled_has_no_selector_finding() -> None:
    cluster = load_dirs(SEED / "monitoring-labelled")
    assert not findings(cluster, "PF003")
    assert not findings(cluster, "PF007")


def test_dns_trap_reports_udp_and_tcp_at_the_deny_policy() -> None:
    found = findings(load_dirs(SEED / "dns-trap"), "PF002")
    assert len(found) == 1
    f = found[0]
    assert _where(f) == ("default-deny-egress.yaml", 8)  # policyTypes: [Egress]
    assert f.obj == "NetworkPolicy default/default-deny-egress"
    assert f.level is Level.ERROR
    assert "UDP 53 and TCP 53" in f.message
    assert f.consequence.startswith("default/api and default/web (Deployment) cannot resolve")
    assert "kube-system/coredns" in f.consequence
    assert "denied by default/default-deny-egress" in f.consequence
    assert "{protocol: UDP, port: 53}" in f.fix and "{protocol: TCP, port: 53}" in f.fix


def test_dns_allowed_has_no_dns_trap() -> None:
    assert not findings(load_dirs(SEED / "dns-allowed"), "PF002")


def test_default_deny_all_is_a_dns_trap_without_coredns_in_the_input() -> None:
    found = findings(load_dirs(SEED / "default-deny"), "PF002")
    assert len(found) == 1
    assert "assumed in kube-system" in found[0].consequence


def test_and_or_or_warns_with_both_readings() -> None:
    cluster = load_dirs(SEED / "and-or" / "cluster.yaml", SEED / "and-or" / "or")
    found = findings(cluster, "PF005")
    assert len(found) == 1
    f = found[0]
    assert _where(f) == ("policy.yaml", 15)
    assert f.field == "spec.ingress[0].from[1]"
    assert "as written (OR)" in f.consequence and "as one item (AND)" in f.consequence
    assert "monitoring/prometheus" in f.consequence  # let in by the OR only
    assert "(monitoring/frontend)" in f.consequence  # the AND reading
    assert "  namespaceSelector: {matchLabels: {name: monitoring}}" in f.fix


def test_and_or_and_has_no_and_or_warning() -> None:
    cluster = load_dirs(SEED / "and-or" / "cluster.yaml", SEED / "and-or" / "and")
    assert not findings(cluster, "PF005")
    assert not findings(cluster, "PF003")
    assert not findings(cluster, "PF007")


def test_frontend_backend_policy_itself_is_clean() -> None:
    cluster = load_dirs(SEED / "frontend-backend")
    assert {f.rule for f in findings(cluster)} == {"PF001"}
