"""Benchmark the report page and the GEXF/GraphML writers on the Higgs log and at 1M rows.

Run from the repository root::

    python bench/bench_report.py                    # Higgs (if the shared copy is there) + 1M rows
    python bench/bench_report.py --rows 100000 --no-higgs

For each log: one seeded analysis (not timed here; see bench_run.py), then in the same process
the report (render time, bytes, and the time Chromium takes to load it offline, if
/usr/bin/chromium exists), and GEXF / GraphML text made by nichegraph's vectorised writers
against networkx's ``generate_gexf`` / ``generate_graphml`` on ``result.to_networkx()`` (the
baseline: what a user would write by hand), with their sizes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import networkx as nx  # noqa: E402

import nichegraph as ng  # noqa: E402
from nichegraph.export import gexf_text, graph_tables, graphml_text  # noqa: E402
from nichegraph.export.folder import table_texts  # noqa: E402
from nichegraph.synth import generate_log  # noqa: E402

HIGGS = REPO.parent / "shared/datasets/higgs-twitter/higgs-activity_time.txt.gz"
HIGGS_OPTIONS = {"sep": " ", "header": False, "columns": "source,target,timestamp,kind"}
CHROMIUM = "/usr/bin/chromium"


def timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def open_in_chromium(path: Path) -> float | None:
    if not Path(CHROMIUM).exists():
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = b.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else r.abort())  # fmt: skip
        t0 = time.perf_counter()
        page.goto(path.resolve().as_uri(), wait_until="load")
        seconds = time.perf_counter() - t0
        b.close()
    return seconds


def mb(text: str) -> float:
    return len(text.encode("utf-8")) / 1e6


def case(name: str, log, options: dict) -> None:
    result, seconds = timed(lambda: ng.analyze(log, **options, seed=0))
    g = result.graph
    print(f"\n## {name}: {g.n_nodes:,} people, {g.n_edges:,} ties, "
          f"{result.segmentation.n_segments:,} segments (analysis {seconds:.1f} s)")  # fmt: skip
    texts, t_csv = timed(lambda: table_texts(result))  # made by every run anyway (the CSV files)
    html, t_html = timed(lambda: result.report_html(texts=texts))
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        t_open = open_in_chromium(page)
    opened = f"{t_open:.2f} s" if t_open is not None else "n/a"
    print(f"tables as CSV text (every run makes them): {t_csv:.2f} s")
    print(f"report.html: render {t_html:.2f} s, {mb(html):.2f} MB, Chromium load {opened}")
    tables, t_tables = timed(lambda: graph_tables(result))
    gexf, t_gexf = timed(lambda: gexf_text(tables))
    graphml, t_graphml = timed(lambda: graphml_text(tables))
    nxg, t_nx = timed(result.to_networkx)
    nx_gexf, t_nx_gexf = timed(lambda: "\n".join(nx.generate_gexf(nxg)))
    nx_graphml, t_nx_graphml = timed(lambda: "\n".join(nx.generate_graphml(nxg)))
    print(f"graph tables (attributes, layout): {t_tables:.2f} s; to_networkx {t_nx:.2f} s")
    print("| file | nichegraph | networkx (baseline) | ratio | size ours / networkx |")
    print("|---|---|---|---|---|")
    for what, ours, t_ours, theirs, t_theirs in (
        ("GEXF", gexf, t_gexf, nx_gexf, t_nx_gexf),
        ("GraphML", graphml, t_graphml, nx_graphml, t_nx_graphml),
    ):
        print(f"| {what} | {t_ours:.2f} s | {t_theirs:.2f} s | {t_theirs / t_ours:.1f}x | "
              f"{mb(ours):.1f} MB / {mb(theirs):.1f} MB |")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-higgs", action="store_true")
    args = ap.parse_args()
    if not args.no_higgs and HIGGS.exists():
        case("Higgs activity log (563,069 rows)", str(HIGGS), HIGGS_OPTIONS)
    n_segments = max(40, 2000 * args.rows // 1_000_000)
    log = generate_log(n_segments=n_segments, n_rows=args.rows, seed=args.seed, text=True).log
    case(f"generated log ({args.rows:,} rows)", log, {})


if __name__ == "__main__":
    main()
