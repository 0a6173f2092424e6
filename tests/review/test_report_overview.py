"""The report of a large cluster: a namespace heatmap that drills down into classes and then
pods, in one self-contained file; checked on data, and at 5,000 pods in headless Chromium."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest
from tests.review.browser import chromium
from tests.review.conftest import ROOT

from podfence.analysis.review import build_review
from podfence.engine import Engine
from podfence.load.fast import load_fast
from podfence.model import Cluster, Connection
from podfence.render.html import heatmap_json, render_html


def _generate(out: Path, pods: int, policies: int) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.write(module.Spec(pods, policies), out)
    return out


def _cluster(path: Path) -> Cluster:
    cluster = load_fast([str(path)]).cluster
    assert cluster is not None
    return cluster


def test_an_overview_above_the_size_and_its_counts_are_the_engines(tmp_path: Path) -> None:
    cluster = _cluster(_generate(tmp_path / "c", 400, 80))
    review = build_review(cluster, title="c")
    assert review.heatmap is not None and review.ports == () and review.graph.collapsed
    data = heatmap_json(review.heatmap)
    engine = Engine(cluster)
    index = {ns: i for i, ns in enumerate(data["namespaces"])}
    by_ns: dict[str, list[object]] = {}
    for ep in cluster.endpoints:
        by_ns.setdefault(ep.namespace, []).append(ep)
    # the first port class: every cell counted pair by pair with the per-pair engine
    heat = review.heatmap.ports[0]
    probe = heat.probes[0]
    cells = {(a, b): n for a, b, n in heat.cells}
    for src_ns, sources in by_ns.items():
        for dst_ns, destinations in by_ns.items():
            allowed = sum(
                engine.allowed(Connection(s, d, probe.port, probe.protocol))  # type: ignore[arg-type]
                for s in sources
                for d in destinations
                if s is not d
            )
            assert cells.get((index[src_ns], index[dst_ns]), 0) == allowed, (src_ns, dst_ns)


@pytest.mark.browser
def test_the_overview_in_headless_chromium_at_5000_pods(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    cluster = _cluster(_generate(tmp_path / "c", 5000, 1000))
    page = tmp_path / "report.html"
    page.write_text(render_html(build_review(cluster, title="5,000 pods")), encoding="utf-8")
    assert page.stat().st_size < 10_000_000
    data = json.loads(page.read_text().split('id="podfence-data">')[1].split("</script>")[0])
    port = next(i for i, p in enumerate(data["ports"]) if p["label"] == "TCP 8080")
    flat = data["cells"][port]
    cells = [tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)]
    a, b, n = max(cells, key=lambda c: (c[0] != c[1], c[2]))  # the busiest pair of namespaces
    with chromium(1400, 1100) as driver:
        driver.get(page.as_uri())
        WebDriverWait(driver, 60).until(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1"
        )
        canvas = driver.find_element(By.ID, "heat")
        assert int(canvas.get_attribute("width")) >= len(data["namespaces"]) * 2
        Select(driver.find_element(By.ID, "f-port")).select_by_visible_text("TCP 8080")
        assert "pairs of pods allowed on TCP 8080" in driver.find_element(By.ID, "heat-count").text
        Select(driver.find_element(By.ID, "f-src")).select_by_value(str(a))
        Select(driver.find_element(By.ID, "f-dst")).select_by_value(str(b))
        driver.find_element(By.ID, "f-show").click()
        head = driver.find_element(By.ID, "drill-head").text
        assert f": {n} of " in head and "of classes" in head
        first = driver.find_element(By.CSS_SELECTOR, "#drill button.class")
        first.click()
        members = driver.find_element(By.CSS_SELECTOR, "#drill .members").text
        assert data["namespaces"][a] + "/" in members
        driver.execute_script("document.getElementById('matrix').scrollIntoView()")
        shot = tmp_path / "heatmap.png"
        assert driver.save_screenshot(str(shot))
        if os.environ.get("PODFENCE_UPDATE_SCREENSHOT") == "1":
            (ROOT / "docs").mkdir(exist_ok=True)
            (ROOT / "docs" / "report-overview.png").write_bytes(shot.read_bytes())
        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        assert errors == [], json.dumps(errors, indent=1)
