"""The report's CSS and JavaScript, inlined into the HTML (the report fetches nothing)."""

from __future__ import annotations

__all__ = ["CSS", "HEAT_JS", "JS"]

CSS = """
:root { --ok: #2e7d32; --ok-bg: #e8f5e9; --no: #c62828; --no-bg: #ffebee; --muted: #667; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  margin: 0; color: #1d1d28; background: #fbfbfd; }
header { background: #1f2a44; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; color: #c9d1e6; }
nav { padding: 8px 32px; background: #eef0f6; border-bottom: 1px solid #d9dce6; }
nav a { margin-right: 18px; color: #1f2a44; text-decoration: none; font-weight: 600; }
main { padding: 8px 32px 48px; max-width: 1400px; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid #dde; padding-bottom: 4px; }
table.plain { border-collapse: collapse; }
table.plain th, table.plain td { border: 1px solid #dde; padding: 4px 10px; text-align: left; }
table.plain th { background: #f0f1f6; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  font-weight: 600; }
.b-isolated { background: var(--ok-bg); color: var(--ok); }
.b-open { background: var(--no-bg); color: var(--no); }
.b-partial { background: #fff3e0; color: #e65100; }
.b-empty { background: #eee; color: var(--muted); }
.b-error { background: var(--no-bg); color: var(--no); }
.b-warning { background: #fff3e0; color: #e65100; }
.b-info { background: #e3f2fd; color: #1565c0; }
.controls { display: flex; gap: 18px; align-items: center; margin: 6px 0 12px;
  flex-wrap: wrap; }
.controls label { font-weight: 600; }
.controls select { margin-left: 6px; padding: 3px 6px; }
#matrix-wrap { overflow: auto; max-height: 70vh; border: 1px solid #dde; background: #fff;
  display: inline-block; max-width: 100%; }
table.matrix { border-collapse: collapse; font-size: 12px; }
table.matrix th { background: #f4f5f9; font-weight: 600; padding: 3px 6px;
  white-space: nowrap; position: sticky; }
table.matrix thead th { top: 0; z-index: 2; vertical-align: bottom; }
table.matrix thead th span { writing-mode: vertical-rl; transform: rotate(180deg); }
table.matrix tbody th { left: 0; z-index: 1; text-align: right; }
table.matrix thead th.corner { left: 0; z-index: 3; text-align: left;
  color: var(--muted); font-weight: normal; }
table.matrix td { width: 30px; height: 26px; text-align: center; border: 1px solid #e3e3ea;
  cursor: default; font-weight: 700; }
td.ok { background: var(--ok-bg); color: var(--ok); }
td.no { background: var(--no-bg); color: var(--no); }
td.self { background: #f3f3f3; color: #aaa; font-weight: normal; }
td.active { outline: 2px solid #1f2a44; outline-offset: -2px; }
#tip { position: fixed; display: none; max-width: 640px; background: #1d1d28; color: #f4f4f8;
  padding: 8px 10px; border-radius: 6px; font: 12px/1.4 ui-monospace, Menlo, Consolas,
  monospace; white-space: pre-wrap; z-index: 10; box-shadow: 0 4px 14px rgba(0,0,0,.25);
  pointer-events: none; }
#explain { white-space: pre-wrap; background: #fff; border: 1px solid #dde; padding: 8px 12px;
  font: 12px/1.45 ui-monospace, Menlo, Consolas, monospace; min-height: 3em; margin-top: 10px; }
.legend { color: var(--muted); font-size: 12px; }
pre.policy, pre.source { background: #fff; border: 1px solid #dde; padding: 10px 12px;
  overflow: auto; font: 12px/1.45 ui-monospace, Menlo, Consolas, monospace; }
#graph svg { max-width: 100%; height: auto; background: #fff; border: 1px solid #dde; }
#heat-wrap { overflow: auto; max-height: 80vh; border: 1px solid #dde; background: #fff;
  display: inline-block; max-width: 100%; }
#heat { display: block; cursor: crosshair; image-rendering: pixelated; }
#heat-info { font: 12px/1.45 ui-monospace, Menlo, Consolas, monospace; margin: 8px 0; }
#drill ul { margin: 4px 0 10px; padding-left: 20px; }
#drill button { font: inherit; border: 1px solid #c5cae0; background: #f4f5fb; border-radius: 4px;
  padding: 0 6px; cursor: pointer; }
#drill .members { color: var(--muted); font-size: 12px; }
.note { color: var(--muted); }
"""

JS = """
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('podfence-data').textContent);
  var portSel = document.getElementById('f-port');
  var srcSel = document.getElementById('f-src');
  var dstSel = document.getElementById('f-dst');
  var wrap = document.getElementById('matrix-wrap');
  var tip = document.getElementById('tip');
  var explain = document.getElementById('explain');
  var count = document.getElementById('matrix-count');

  function option(sel, value, text) {
    var o = document.createElement('option');
    o.value = value; o.textContent = text; sel.appendChild(o);
  }
  D.ports.forEach(function (p, i) { option(portSel, String(i), p.label); });
  [srcSel, dstSel].forEach(function (sel) {
    option(sel, '', 'all namespaces');
    D.namespaces.forEach(function (ns) { option(sel, ns, ns); });
  });

  function pick(ns) {
    var out = [];
    D.endpoints.forEach(function (e, i) { if (!ns || e.ns === ns) { out.push(i); } });
    return out;
  }

  function render() {
    var p = Number(portSel.value), rows = pick(srcSel.value), cols = pick(dstSel.value);
    var cells = D.cells[p], allowed = 0, total = 0;
    var table = document.createElement('table');
    table.className = 'matrix';
    var head = table.createTHead().insertRow();
    var corner = document.createElement('th');
    corner.className = 'corner'; corner.textContent = 'from \\u2193  to \\u2192';
    head.appendChild(corner);
    cols.forEach(function (j) {
      var th = document.createElement('th'), span = document.createElement('span');
      span.textContent = D.endpoints[j].id; th.appendChild(span); head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (i) {
      var tr = body.insertRow(), th = document.createElement('th');
      th.textContent = D.endpoints[i].id; tr.appendChild(th);
      cols.forEach(function (j) {
        var td = tr.insertCell(), c = cells[i].charAt(j);
        td.className = 'cell ' + (c === 'A' ? 'ok' : c === 'D' ? 'no' : 'self');
        td.textContent = c === 'A' ? '\\u2713' : c === 'D' ? '\\u2717' : '\\u00b7';
        td.setAttribute('data-src', D.endpoints[i].id);
        td.setAttribute('data-dst', D.endpoints[j].id);
        td.setAttribute('data-i', String(i));
        td.setAttribute('data-j', String(j));
        if (c !== 'S') { total += 1; if (c === 'A') { allowed += 1; } }
      });
    });
    wrap.replaceChildren(table);
    count.textContent = allowed + ' of ' + total +
      (total === 1 ? ' connection' : ' connections') + ' allowed on ' + D.ports[p].caption;
  }

  function textOf(td) {
    var p = Number(portSel.value);
    var i = Number(td.getAttribute('data-i')), j = Number(td.getAttribute('data-j'));
    var text = D.texts[D.explain[p][i][j]];
    return text.split('{D}').join(D.endpoints[j].id).split('{S}').join(D.endpoints[i].id);
  }

  wrap.addEventListener('mouseover', function (ev) {
    var td = ev.target.closest('td.cell');
    if (!td) { return; }
    var old = wrap.querySelector('td.active');
    if (old) { old.classList.remove('active'); }
    td.classList.add('active');
    tip.textContent = textOf(td);
    explain.textContent = tip.textContent;
    tip.style.display = 'block';
  });
  wrap.addEventListener('mousemove', function (ev) {
    var x = ev.clientX + 16, y = ev.clientY + 16;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 8) { x = Math.max(8, ev.clientX - w - 16); }
    if (y + h > window.innerHeight - 8) { y = Math.max(8, ev.clientY - h - 16); }
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  });
  wrap.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
  [portSel, srcSel, dstSel].forEach(function (sel) { sel.addEventListener('change', render); });
  render();
  document.body.setAttribute('data-ready', '1');
}());
"""

HEAT_JS = """
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('podfence-data').textContent);
  var portSel = document.getElementById('f-port');
  var srcSel = document.getElementById('f-src');
  var dstSel = document.getElementById('f-dst');
  var canvas = document.getElementById('heat');
  var info = document.getElementById('heat-info');
  var drill = document.getElementById('drill');
  var N = D.namespaces.length;
  var size = Math.max(2, Math.min(24, Math.floor(960 / Math.max(N, 1))));
  var counts = {};
  canvas.width = N * size;
  canvas.height = N * size;

  function option(sel, value, text) {
    var o = document.createElement('option');
    o.value = value; o.textContent = text; sel.appendChild(o);
  }
  D.ports.forEach(function (p, i) { option(portSel, String(i), p.label); });
  [srcSel, dstSel].forEach(function (sel) {
    D.namespaces.forEach(function (ns, i) { option(sel, String(i), ns); });
  });

  function possible(a, b) { return D.sizes[a] * D.sizes[b] - (a === b ? D.sizes[a] : 0); }

  function render() {
    var p = Number(portSel.value), ctx = canvas.getContext('2d'), cells = D.cells[p];
    var total = 0, k;
    ctx.fillStyle = '#fbe9e9';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    counts = {};
    for (k = 0; k < cells.length; k += 3) {
      var a = cells[k], b = cells[k + 1], n = cells[k + 2], all = possible(a, b);
      counts[a + ',' + b] = n; total += n;
      ctx.fillStyle = 'hsl(130, 55%, ' + Math.round(78 - 50 * (all ? n / all : 0)) + '%)';
      ctx.fillRect(b * size, a * size, size, size);
    }
    var title = D.ports[p].title === D.ports[p].label ? '' : ' (' + D.ports[p].title + ')';
    document.getElementById('heat-count').textContent = total +
      ' pairs of pods allowed on ' + D.ports[p].label + title + ', between ' + N +
      ' namespaces';
  }

  function at(ev) {
    var r = canvas.getBoundingClientRect();
    var col = Math.floor((ev.clientX - r.left) / size);
    var row = Math.floor((ev.clientY - r.top) / size);
    return row >= 0 && col >= 0 && row < N && col < N ? [row, col] : null;
  }

  function describe(a, b) {
    return D.namespaces[a] + ' \u2192 ' + D.namespaces[b] + ': ' + (counts[a + ',' + b] || 0) +
      ' of ' + possible(a, b) + ' pairs of pods allowed on ' + D.ports[Number(portSel.value)].label;
  }

  function classButton(c) {
    var b = document.createElement('button'), g = D.classes[c];
    b.type = 'button'; b.className = 'class';
    b.textContent = g.label + ' (' + g.size + (g.size === 1 ? ' pod)' : ' pods)');
    b.addEventListener('click', function () {
      var next = b.nextElementSibling;
      if (next && next.classList.contains('members')) { next.remove(); return; }
      var span = document.createElement('span');
      span.className = 'members'; span.textContent = ' ' + g.members.join(', ');
      b.after(span);
    });
    return b;
  }

  function show(a, b) {
    var p = Number(portSel.value), pairs = D.pairs[p], ul = document.createElement('ul'), k, n = 0;
    for (k = 0; k < pairs.length; k += 2) {
      var s = pairs[k], d = pairs[k + 1];
      if (D.classes[s].ns.indexOf(a) < 0 || D.classes[d].ns.indexOf(b) < 0) { continue; }
      var li = document.createElement('li');
      li.appendChild(classButton(s));
      li.appendChild(document.createTextNode(' \u2192 '));
      li.appendChild(classButton(d));
      ul.appendChild(li); n += 1;
    }
    var head = document.createElement('p');
    head.id = 'drill-head';
    head.textContent = describe(a, b) + ': ' + n + (n === 1 ? ' pair' : ' pairs') +
      ' of classes (click a class for its pods)';
    drill.replaceChildren(head, ul);
  }

  canvas.addEventListener('mousemove', function (ev) {
    var c = at(ev);
    if (c) { info.textContent = describe(c[0], c[1]); }
  });
  canvas.addEventListener('click', function (ev) {
    var c = at(ev);
    if (c) { srcSel.value = String(c[0]); dstSel.value = String(c[1]); show(c[0], c[1]); }
  });
  document.getElementById('f-show').addEventListener('click', function () {
    show(Number(srcSel.value), Number(dstSel.value));
  });
  portSel.addEventListener('change', function () { render(); drill.replaceChildren(); });
  render();
  document.body.setAttribute('data-ready', '1');
}());
"""
