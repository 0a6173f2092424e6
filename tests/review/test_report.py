"""The HTML report: self-contained, right data, and working in a real headless browser."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from tests.review.browser import chromium
from tests.review.conftest import ROOT, load_seed, seed_paths

from podfence.analysis.review import build_review
from podfence.render.html import matrix_json, render_html

HACKER, WEB, DB = "default/hacker", "secure/web", "secure/db"


def _report(tmp_path: Path, name: str = "b-policy-selects-db") -> Path:
    out = tmp_path / "report.html"
    out.write_text(render_html(build_review(load_seed(name), title=name)), encoding="utf-8")
    return out


def test_matrix_data_for_scenario_b() -> None:
    data = matrix_json(build_review(load_seed("b-policy-selects-db"), title="b"))
    labels = [p["label"] for p in data["ports"]]
    assert labels[0] == "TCP 5432"
    ids = [e["id"] for e in data["endpoints"]]
    cells = data["cells"][0]
    assert cells[ids.index(HACKER)][ids.index(DB)] == "D"
    assert cells[ids.index(WEB)][ids.index(DB)] == "A"
    assert cells[ids.index(DB)][ids.index(DB)] == "S"
    why = data["texts"][data["explain"][0][ids.index(HACKER)][ids.index(DB)]]
    # the parties are templated ({S}, {D}); the page puts them back, {D} first
    assert why.startswith("{S} -> {D} on TCP 5432: DENIED")
    assert "egress of {S}: allowed" in why and "ingress of {D}: DENIED" in why
    restored = why.replace("{D}", DB).replace("{S}", HACKER)
    assert restored.startswith("default/hacker -> secure/db on TCP 5432: DENIED")
    assert "ingress of secure/db: DENIED: isolated by secure/db-allow-web" in restored
    # on every other TCP port even web is denied
    other = labels.index("TCP other ports")
    assert data["cells"][other][ids.index(WEB)][ids.index(DB)] == "D"


def test_an_every_port_cell_is_explained_for_every_port() -> None:
    # no policy: one class, every TCP port; its hover must not speak of port 1
    data = matrix_json(build_review(load_seed("a-open-network"), title="a"))
    assert data["ports"] == [{"label": "TCP (every port)", "caption": "every TCP port"}]
    texts = data["texts"]
    assert {t.split(": ")[0] for t in texts} == {
        "{S} -> {D} on every TCP port",
        "{S} -> {S} on every TCP port",  # a pod and itself
    }
    assert not any("1/TCP" in t for t in texts)  # no rule tells the ports apart


def test_port_captions_do_not_repeat_themselves() -> None:
    data = matrix_json(build_review(load_seed("b-policy-selects-db"), title="b"))
    captions = {p["label"]: p["caption"] for p in data["ports"]}
    assert captions["TCP 5432"] == "TCP 5432"
    assert captions["TCP other ports"] == "TCP 1-5431, 5433-65535"
    for label, caption in captions.items():
        assert f"({caption})" not in label and f"({label})" not in caption
    other = [p["caption"] for p in data["ports"]].index("TCP 1-5431, 5433-65535")
    why = data["texts"][data["explain"][other][0][1]]
    assert why.startswith("{S} -> {D} on TCP 1-5431, 5433-65535: ")
    # the class is two spans: the text says whose rules it names
    assert why.split("\n")[1] == (
        "  (every port of these gets this answer; the rules named are those for 1/TCP)"
    )


def test_report_fetches_nothing(tmp_path: Path) -> None:
    html = _report(tmp_path).read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script src" not in html and 'rel="stylesheet"' not in html
    assert "default-src 'none'" in html  # the CSP forbids any fetch


def test_report_command_writes_the_file(cli: click.Group, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = CliRunner().invoke(cli, ["report", *seed_paths("dns-trap"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert res.stderr == f"wrote {out}\n"


# -o is the format, as in every other command; --out names the file (stdout without it)
REPORT_OUTPUTS = {
    "html-to-stdout": ([], "<!DOCTYPE html>"),
    "html-explicit": (["-o", "html"], "<!DOCTYPE html>"),
    "json-to-stdout": (["-o", "json"], "{"),
    "json-long-option": (["--output", "json"], "{"),
}


@pytest.mark.parametrize(("args", "start"), REPORT_OUTPUTS.values(), ids=REPORT_OUTPUTS.keys())
def test_report_output_is_a_format(cli: click.Group, args: list[str], start: str) -> None:
    res = CliRunner().invoke(cli, ["report", *seed_paths("dns-trap"), *args])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(start)
    assert res.stderr == ""


def test_report_json_is_the_data_behind_the_page(cli: click.Group, tmp_path: Path) -> None:
    out = tmp_path / "json"
    res = CliRunner().invoke(
        cli, ["report", *seed_paths("b-policy-selects-db"), "-o", "json", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    review = build_review(load_seed("b-policy-selects-db"), title="x")
    assert data["matrix"] == json.loads(json.dumps(matrix_json(review)))  # what the page embeds
    assert data["counts"] == {"namespaces": 2, "endpoints": 3, "policies": 1}
    assert [p["policy"] for p in data["policies"]] == ["secure/db-allow-web"]
    assert data["graph"]["mermaid"].startswith("graph TD")
    summary = {s["namespace"]: (s["ingress"], s["egress"]) for s in data["summary"]}
    assert summary == {"default": ("open", "open"), "secure": ("partial", "open")}


def test_report_refuses_an_unknown_format(cli: click.Group) -> None:
    res = CliRunner().invoke(cli, ["report", *seed_paths("dns-trap"), "-o", "report.html"])
    assert res.exit_code == 2
    assert "'report.html' is not one of 'html', 'json'" in res.output


def test_report_without_graphviz_draws_its_own_svg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("podfence.render.html.have_dot", lambda: False)
    html = _report(tmp_path).read_text()
    assert '<div id="graph" data-by="podfence"><svg' in html
    assert "graph TD" in html  # the Mermaid source, shown as text


@pytest.mark.browser
def test_report_in_headless_chromium(tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    page = _report(tmp_path)
    with chromium() as driver:
        driver.get(page.as_uri())
        WebDriverWait(driver, 20).until(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1"
        )

        def cell(src: str, dst: str):  # type: ignore[no-untyped-def]
            return driver.find_element(By.CSS_SELECTOR, f'td[data-src="{src}"][data-dst="{dst}"]')

        port = Select(driver.find_element(By.ID, "f-port"))
        port.select_by_visible_text("TCP 5432")
        assert "no" in cell(HACKER, DB).get_attribute("class")
        assert cell(HACKER, DB).text == "\u2717"
        assert "ok" in cell(WEB, DB).get_attribute("class")

        ActionChains(driver).move_to_element(cell(HACKER, DB)).perform()
        tip = driver.find_element(By.ID, "tip")
        assert tip.is_displayed()
        assert tip.text.startswith("default/hacker -> secure/db on TCP 5432: DENIED")
        count = driver.find_element(By.ID, "matrix-count").text
        assert count.endswith("connections allowed on TCP 5432")
        assert "isolated by secure/db-allow-web" in tip.text
        ActionChains(driver).move_to_element(cell(WEB, DB)).perform()
        assert "allowed by secure/db-allow-web ingress[0]" in driver.find_element(By.ID, "tip").text

        Select(driver.find_element(By.ID, "f-src")).select_by_visible_text("secure")
        rows = driver.find_elements(By.CSS_SELECTOR, "#matrix-wrap tbody th")
        assert [r.text for r in rows] == [DB, WEB]
        Select(driver.find_element(By.ID, "f-src")).select_by_index(0)

        port.select_by_visible_text("TCP other ports")
        assert "no" in cell(WEB, DB).get_attribute("class")
        count = driver.find_element(By.ID, "matrix-count").text
        assert count.endswith("allowed on TCP 1-5431, 5433-65535")
        port.select_by_visible_text("TCP 5432")
        ActionChains(driver).move_to_element(cell(HACKER, DB)).perform()

        shot = tmp_path / "report.png"
        assert driver.save_screenshot(str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if os.environ.get("PODFENCE_UPDATE_SCREENSHOT") == "1":
            (ROOT / "docs").mkdir(exist_ok=True)
            (ROOT / "docs" / "report.png").write_bytes(shot.read_bytes())

        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        assert errors == [], json.dumps(errors, indent=1)


# mermaid.js from npm (`npm pack mermaid@11`, unpacked next to the virtual environment, as
# the README's test set-up and .ci/run do), or wherever PODFENCE_MERMAID_JS says
MERMAID_NEXT_TO_VENV = Path(sys.prefix) / "mermaid" / "package" / "dist" / "mermaid.min.js"
MERMAID_JS = os.environ.get("PODFENCE_MERMAID_JS") or (
    str(MERMAID_NEXT_TO_VENV) if MERMAID_NEXT_TO_VENV.is_file() else None
)


@pytest.mark.browser
@pytest.mark.skipif(
    not MERMAID_JS,
    reason=f"no mermaid.min.js: unpack `npm pack mermaid@11` at {MERMAID_NEXT_TO_VENV.parents[2]}"
    " (see the README's test set-up) or set PODFENCE_MERMAID_JS",
)
def test_mermaid_goldens_render_with_mermaid_js(tmp_path: Path) -> None:
    """Every Mermaid golden parses and renders with mermaid.js (as GitHub does)."""
    import html as html_lib

    assert MERMAID_JS is not None
    goldens = sorted((Path(__file__).parent / "golden").glob("*.mmd"))
    blocks = "".join(
        f'<pre class="mermaid" id="g{i}">{html_lib.escape(p.read_text())}</pre>'
        for i, p in enumerate(goldens)
    )
    page = tmp_path / "mermaid.html"
    page.write_text(
        f'<!DOCTYPE html><html><body>{blocks}<script src="{Path(MERMAID_JS).as_uri()}"></script>'
        "<script>mermaid.initialize({startOnLoad:false});"
        "mermaid.run().then(()=>{window.done='ok'}).catch(e=>{window.done='error: '+e});"
        "</script></body></html>"
    )
    with chromium() as driver:
        driver.get(page.as_uri())
        from selenium.webdriver.support.ui import WebDriverWait

        done = WebDriverWait(driver, 60).until(lambda d: d.execute_script("return window.done"))
        assert done == "ok"
        rendered = driver.execute_script(
            "return document.querySelectorAll('pre.mermaid svg').length"
        )
        assert rendered == len(goldens)


def test_cells_differing_only_by_their_parties_share_one_text() -> None:
    # a-open-network: no policy, so every cell between two different pods reads the same
    # once the parties are templated: one text for them, one for a pod to itself.
    data = matrix_json(build_review(load_seed("a-open-network"), title="a"))
    for explain in data["explain"]:
        off_diagonal = {t for i, row in enumerate(explain) for j, t in enumerate(row) if i != j}
        assert len(off_diagonal) == 1


def test_report_counts_cluster_network_policies(cli: click.Group, tmp_path: Path) -> None:
    out = tmp_path / "json"
    guard = str(ROOT / "examples" / "cnp" / "admin-guardrail")
    res = CliRunner().invoke(cli, ["report", guard, "-o", "json", "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert data["counts"] == {
        "namespaces": 3, "endpoints": 4, "policies": 1, "clusterPolicies": 1
    }  # fmt: skip
    page = CliRunner().invoke(cli, ["report", guard])
    assert "1 NetworkPolicy, 1 ClusterNetworkPolicy" in page.output
