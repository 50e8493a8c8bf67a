"""Campaign measures and bot rules on hand-computed logs of a few people."""

import numpy as np
import pandas as pd
import pytest

import nichegraph as ng
from nichegraph.plan.bots import bot_rules
from nichegraph.plan.measures import campaign_measures, edge_array, log_rows

T0 = pd.Timestamp("2026-06-01", tz="UTC")


def _measures(log, membership, brand=(), targets=()):
    g = ng.build_graph(log)
    names = g.names
    memb = np.array([membership[n] for n in names])
    rows = log_rows(ng.read_interactions(log).table, names)
    ids = [names.index(b) for b in brand]
    m = campaign_measures(edge_array(g.graph), memb, rows, brand=np.array(ids, dtype=np.int64),
                          targets=np.array(targets))  # fmt: skip
    m.index = names
    return m


@pytest.fixture(scope="module")
def small():
    # segment 1: a, b, c; segment 2: d, e.  h = hours after T0
    rows = [
        ("b", "a", "retweet", 0, "x"),
        ("c", "a", "reply", 1, "x"),
        ("a", "c", "reply", 3, "x"),  # a answers c after 2 hours
        ("d", "a", "mention", 5, "mastodon"),
        ("d", "a", "quote", 6, "mastodon"),
        ("e", "a", "reply", 7, "x"),  # never answered
        ("a", "b", "like", 8, "x"),
        ("d", "e", "reply", 9, "reddit"),
        ("e", "d", "reply", 13, "reddit"),  # d answers e? no: e answers d after 4 hours
        ("b", "d", "reply", 30, "reddit"),  # b talks to the brand d on day 2
        ("b", "d", "reply", 55, "reddit"),  # and on day 3
    ]
    log = pd.DataFrame(rows, columns=["source", "target", "kind", "h", "platform"])
    log["timestamp"] = T0 + pd.to_timedelta(log.pop("h"), unit="h")
    memb = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}
    return _measures(log, memb, brand=["d"], targets=[2])


def test_reach_inside_and_outside(small):
    assert small["reach"].to_dict() == {"a": 4, "b": 1, "c": 1, "d": 2, "e": 1}
    assert small["reach_in"].to_dict() == {"a": 2, "b": 1, "c": 1, "d": 1, "e": 1}
    assert small["reach_out"].to_dict() == {"a": 2, "b": 0, "c": 0, "d": 1, "e": 0}


def test_amplification_conversation_reciprocity(small):
    assert small.loc["a", "amplification"] == 2  # b's retweet, d's quote
    assert small.loc["a", "conversation"] == 3  # c's reply, d's mention, e's reply
    assert small.loc["a", "reciprocity"] == pytest.approx(2 / 4)  # a engaged b and c back
    assert small.loc["d", "reciprocity"] == pytest.approx(1 / 2)  # d engaged e back, not b


def test_responsiveness_and_latency(small):
    # a received 3 conversation rows (c 1h, d 5h, e 7h) and answered only c's, 2 hours later
    assert small.loc["a", "responsiveness"] == pytest.approx(1 / 3)
    assert small.loc["a", "reply_latency_h"] == pytest.approx(2.0)
    assert small.loc["e", "responsiveness"] == 1.0 and small.loc["e", "reply_latency_h"] == 4.0
    assert np.isnan(small.loc["c", "reply_latency_h"])


def test_brand_affinity_target_reach_platform(small):
    assert small.loc["b", "brand_affinity"] == 2  # days 2 and 3
    assert small.loc["e", "brand_affinity"] == 1
    assert small.loc["a", "target_reach"] == 2  # d and e are in target segment 2
    assert small.loc["a", "target_conversation"] == 2  # d's mention, e's reply
    assert small.loc["a", "platform"] == "x" and small.loc["d", "platform"] == "reddit"


def test_without_timestamps_time_measures_are_zero():
    log = pd.DataFrame({"source": ["a", "b"], "target": ["b", "a"], "kind": ["reply", "reply"]})
    m = _measures(log, {"a": 1, "b": 1}, brand=["a"])
    assert m["responsiveness"].tolist() == [0.0, 0.0] and m["brand_affinity"].tolist() == [0, 0]
    assert m["reciprocity"].tolist() == [1.0, 1.0]


def _bot_rows(kind, seconds, text, targets):
    n = len(seconds)
    log = pd.DataFrame({"source": "bot", "target": targets, "kind": kind, "text": text,
                        "timestamp": T0 + pd.to_timedelta(seconds, unit="s")})  # fmt: skip
    log = pd.concat([log, pd.DataFrame({"source": ["z"], "target": ["y"], "kind": ["reply"],
                     "text": ["hi"], "timestamp": [T0]})], ignore_index=True)  # fmt: skip
    names = sorted(set(log["source"]) | set(log["target"]))
    rows = log_rows(ng.read_interactions(log).table, names)
    return bot_rules(rows).set_index(pd.Index(names)), n


def test_each_bot_rule_on_its_own():
    gen = np.random.default_rng(1)
    words = [a + b for a in "bdfgk" for b in ("ano", "ira", "ulu", "eme")]
    # rate: 150 likes at random times within one day, to one person
    f, _ = _bot_rows("like", np.sort(gen.uniform(0, 80_000, 150)),
                     [words[i % 20] for i in range(150)], ["t0"] * 150)  # fmt: skip
    assert f.loc["bot", "rate"] and f.loc["bot", "bot_rules"] == 2  # and duplicated texts
    # spray: mentions to 20 people, none of whom engaged back
    f, _ = _bot_rows("mention", np.sort(gen.uniform(0, 9e5, 20)),
                     [f"hey {w}" for w in words], [f"p{i}" for i in range(20)])  # fmt: skip
    assert f.loc["bot", "spray"] and f.loc["bot", "bot_rules"] == 1
    # clockwork + reposts + duplicates: a retweet every 10 minutes, same text
    f, _ = _bot_rows("retweet", np.arange(12) * 600.0, "RT @a: win 123", ["a"] * 12)
    assert f.loc["bot", ["reposts", "duplicates", "clockwork"]].all()
    assert f.loc["bot", "bot_rules"] == 3
    assert f.loc["z", "bot_rules"] == 0


@pytest.mark.parametrize("weights", [None, {"like": 0}])
def test_rows_give_the_graph_s_edges(weights):
    log, _ = __import__("_campaign").campaign_log()
    g = ng.build_graph(log.head(3000), kind_weights=weights)
    rows = log_rows(ng.read_interactions(log.head(3000)).table, g.names,
                    kind_weights=g.report.kind_weights)  # fmt: skip
    assert rows.src.size == g.report.rows_used
    fast = edge_array(g.graph, rows)
    assert fast.tolist() == np.asarray(g.graph.get_edgelist()).tolist()
