"""Reading + aggregating real-world formats: time and peak memory (one child process per case).

    python bench/bench_formats.py                  # Higgs log, 1M-record Reddit and X API JSONL
    python bench/bench_formats.py --rows 200000    # smaller generated files

Cases: SNAP's Higgs activity log as shipped (563,069 rows, headerless, space-separated,
gzip), a generated Reddit archive (JSON Lines of comments and submissions, parents joined
across the file) and generated X API v2 pages (JSON Lines, 100 tweets a page, with
includes). Each case runs ``read_interactions`` then ``build_graph`` in a fresh process and
reports seconds for each and the process's peak RSS. Generated files are seeded.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HIGGS = (
    Path(__file__).resolve().parents[2] / "shared/datasets/higgs-twitter/higgs-activity_time.txt.gz"
)
HIGGS_OPTIONS = {"sep": " ", "header": False, "columns": "source,target,timestamp,kind"}


def make_reddit(path: Path, n: int, seed: int = 0) -> None:
    """``n`` records: 5% submissions, the rest comments on an earlier record."""
    rng = np.random.default_rng(seed)
    users = np.array([f"user{i}" for i in range(max(n // 10, 10))], dtype=object)
    author = users[rng.integers(0, len(users), n)]
    is_post = rng.random(n) < 0.05
    is_post[0] = True
    ids = np.array([np.base_repr(i + 10_000, 36).lower() for i in range(n)], dtype=object)
    full = np.where(is_post, "t3_", "t1_") + ids
    parent_pos = (rng.random(n) * np.arange(n)).astype(np.int64)  # an earlier record
    frame = pd.DataFrame(
        {
            "id": ids,
            "author": author,
            "parent_id": np.where(is_post, None, full[parent_pos]),
            "link_id": np.where(is_post, None, "t3_" + ids[0]),
            "subreddit": "physics",
            "created_utc": 1341100000 + np.arange(n),
            "body": np.where(is_post, None, "a comment about the boson"),
            "title": np.where(is_post, "a new boson", None),
            "score": rng.integers(0, 100, n),
        }
    )
    frame.to_json(path, orient="records", lines=True)


def make_xapi(path: Path, n: int, seed: int = 0, per_page: int = 100) -> None:
    """``n`` tweets in pages of ``per_page``: replies, retweets, quotes, mentions, posts."""
    rng = np.random.default_rng(seed)
    n_users = max(n // 10, 10)
    with path.open("w") as out:
        for start in range(0, n, per_page):
            count = min(per_page, n - start)
            authors = rng.integers(0, n_users, count)
            others = rng.integers(0, n_users, count)
            kinds = rng.integers(0, 5, count)
            tweets, users = [], {}
            for i in range(count):
                a, o, k = int(authors[i]), int(others[i]), int(kinds[i])
                tweet = {
                    "id": str(10**15 + start + i),
                    "author_id": str(a),
                    "created_at": "2012-07-04T08:00:00.000Z",
                    "text": f"tweet {start + i}",
                }
                users[a] = users[o] = None
                if k == 0:
                    tweet["in_reply_to_user_id"] = str(o)
                elif k in (1, 2):
                    ref = str(10**15 + max(start + i - 1, 0))
                    tweet["referenced_tweets"] = [
                        {"type": "retweeted" if k == 1 else "quoted", "id": ref}
                    ]
                    tweet["_ref_author"] = o
                elif k == 3:
                    tweet["entities"] = {"mentions": [{"username": f"user{o}", "id": str(o)}]}
                tweets.append(tweet)
            included = [
                {"id": t["referenced_tweets"][0]["id"], "author_id": str(t.pop("_ref_author"))}
                for t in tweets
                if "_ref_author" in t
            ]
            page = {
                "data": tweets,
                "includes": {
                    "users": [{"id": str(u), "username": f"user{u}"} for u in users],
                    "tweets": included,
                },
                "meta": {"result_count": count},
            }
            out.write(json.dumps(page) + "\n")


def measure(path: str, options: dict) -> dict:
    """Run in a child process: read + build, seconds and peak RSS."""
    import nichegraph as ng

    def usage() -> tuple[float, float]:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime, round(ru.ru_maxrss / 1024, 1)

    cpu0, _ = usage()
    t0 = time.perf_counter()
    inter = ng.read_interactions(path, **options)
    t1 = time.perf_counter()
    cpu1, read_peak = usage()
    graph = ng.build_graph(inter)
    t2 = time.perf_counter()
    cpu2, peak = usage()
    return {
        "rows_read": inter.report.rows_read,
        "rows_kept": inter.report.rows_kept,
        "skipped": inter.report.skipped,
        "edges": graph.n_edges,
        "read_s": round(t1 - t0, 2),
        "read_cpu_s": round(cpu1 - cpu0, 2),
        "build_s": round(t2 - t1, 2),
        "build_cpu_s": round(cpu2 - cpu1, 2),
        "read_peak_rss_mb": read_peak,
        "peak_rss_mb": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--make", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], json.loads(args.child[1]))))
        return
    if args.make:  # in its own process: peak RSS is inherited across exec on Linux
        make_reddit(Path(args.make) / "reddit.jsonl", args.rows)
        make_xapi(Path(args.make) / "xapi.jsonl", args.rows)
        return
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        if HIGGS.exists():
            cases.append(("higgs (563,069 rows, gzip, headerless)", str(HIGGS), HIGGS_OPTIONS))
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--make", tmp, "--rows", str(args.rows)], check=True
        )
        print(f"generated in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        cases.append((f"reddit JSONL ({args.rows:,} records)", f"{tmp}/reddit.jsonl", {}))
        cases.append((f"X API JSONL ({args.rows:,} tweets)", f"{tmp}/xapi.jsonl", {}))
        for name, path, options in cases:
            size = Path(path).stat().st_size / 1e6
            child = subprocess.run(
                [sys.executable, __file__, "--child", path, json.dumps(options)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            print(f"{name}, {size:.0f} MB: {child.stdout.strip()}")


if __name__ == "__main__":
    main()
