"""The trust rule of chaincode/trust, run through chaincode/cmd/trustcalc (the same Go code the
chaincode runs): checked to the last fixed-point digit against a reference computation written here
from the rule's description, and property-tested with hypothesis."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT

S = 1_000_000
MAX_EVIDENCE = 1000 * S
SAME_ORG, DECAY, PRIOR_WEIGHT, CAPS = S // 2, 900_000, S, (2 * S, 6 * S, 20 * S)
LEVELS = [
    (750_000, "very high trust"),
    (500_000, "high trust"),
    (250_000, "medium trust"),
    (-250_000, "low trust/distrust"),
    (-500_000, "medium distrust"),
    (-750_000, "high distrust"),
]


@pytest.fixture(scope="module")
def trustcalc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    binary = tmp_path_factory.mktemp("bin") / "trustcalc"
    subprocess.run(["go", "build", "-o", str(binary), "./cmd/trustcalc"], cwd=ROOT / "chaincode", check=True)
    yield binary


def calc(binary: Path, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [str(binary)],
        input=json.dumps({"cases": cases}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    results: list[dict[str, Any]] = json.loads(proc.stdout)["results"]
    return results


# --- the reference: the rule as README "Trust rule" states it, computed independently ---------------


def level(t: int) -> str:
    return next((name for bound, name in LEVELS if t > bound), "very high distrust")


def band(t: int) -> int:
    return 2 if t > 750_000 else 1 if t > 500_000 else 0


def trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


@dataclass
class RefMember:
    org: str
    pos: list[int] = field(default_factory=lambda: [0, 0, 0])
    neg: list[int] = field(default_factory=lambda: [0, 0, 0])

    def add(self, b: int, weight: int, score: int) -> None:
        self.pos[b] = min(MAX_EVIDENCE, self.pos[b] + weight * (S + score) // (2 * S))
        self.neg[b] = min(MAX_EVIDENCE, self.neg[b] + weight * (S - score) // (2 * S))

    def trust(self) -> int:
        r = sum(min(v, c) for v, c in zip(self.pos, CAPS, strict=True))
        s = sum(min(v, c) for v, c in zip(self.neg, CAPS, strict=True))
        return trunc_div((r - s) * S, r + s + 2 * S)


def combine(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A rater's ratings of one ratee in a period count once, at their mean (rounded toward zero)."""
    scores: dict[tuple[str, str], list[int]] = {}
    for f in batch:
        scores.setdefault((f["rater"], f["ratee"]), []).append(f["score"])
    return [
        {"rater": rater, "ratee": ratee, "score": trunc_div(sum(s), len(s))}
        for (rater, ratee), s in scores.items()
    ]


def reference(case: dict[str, Any]) -> list[list[dict[str, Any]]]:
    ms = {m["id"]: RefMember(m["organisation"]) for m in case["members"]}
    for m in case["members"]:
        ms[m["id"]].add(0, PRIOR_WEIGHT, m["prior"])
    trust = {i: m.trust() for i, m in ms.items()}
    tables = [trust]
    for batch in case["periods"]:
        for m in ms.values():
            m.pos = [v * DECAY // S for v in m.pos]
            m.neg = [v * DECAY // S for v in m.neg]
        for f in combine(batch):
            t_rater = trust[f["rater"]]
            w = max(t_rater, 0)
            if ms[f["rater"]].org == ms[f["ratee"]].org:
                w = w * SAME_ORG // S
            ms[f["ratee"]].add(band(t_rater), w, f["score"])
        trust = {i: m.trust() for i, m in ms.items()}
        tables.append(trust)
    return [[{"id": i, "trust": t[i], "level": level(t[i])} for i in sorted(t)] for t in tables]


# --- strategies ---------------------------------------------------------------------------------------

unit = st.integers(min_value=-S, max_value=S)


@st.composite
def cases(draw: st.DrawFn, max_members: int = 6, max_periods: int = 5) -> dict[str, Any]:
    n = draw(st.integers(2, max_members))
    ids = [f"m{i}" for i in range(n)]
    orgs = draw(
        st.lists(st.sampled_from(["Manufacturer", "ModelTrainer", "QualityControl"]), min_size=n, max_size=n)
    )
    members = [{"id": i, "organisation": o, "prior": draw(unit)} for i, o in zip(ids, orgs, strict=True)]
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])
    feedback = st.builds(lambda p, s: {"rater": p[0], "ratee": p[1], "score": s}, pair, unit)
    periods = draw(st.lists(st.lists(feedback, max_size=15), min_size=1, max_size=max_periods))
    return {"members": members, "periods": periods}


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# --- tests ----------------------------------------------------------------------------------------------


def test_known_values(trustcalc: Path) -> None:
    case = {
        "members": [
            {"id": "auditor", "organisation": "QualityControl", "prior": S},
            {"id": "trainer", "organisation": "ModelTrainer", "prior": 0},
            {"id": "colleague", "organisation": "ModelTrainer", "prior": -S},
        ],
        "periods": [
            [
                {"rater": "auditor", "ratee": "trainer", "score": S},
                {"rater": "colleague", "ratee": "trainer", "score": -S},
            ]
        ],
    }
    [result] = calc(trustcalc, [case])
    assert result["error"] == ""
    first = {e["id"]: (e["trust"], e["level"]) for e in result["tables"][0]}
    assert first == {
        "auditor": (333_333, "medium trust"),
        "colleague": (-333_333, "medium distrust"),
        "trainer": (0, "low trust/distrust"),
    }
    # trainer: prior 0.5/0.5 decayed to 0.45/0.45, plus 0.333333 from the auditor; the distrusted
    # colleague carries no weight: (0.783333 - 0.45) / (0.783333 + 0.45 + 2)
    trainer = next(e for e in result["tables"][1] if e["id"] == "trainer")
    assert trainer["trust"] == (783_333 - 450_000) * S // (783_333 + 450_000 + 2 * S) == 103_092
    assert result["tables"] == reference(case)


def test_a_rater_counts_once_per_ratee_per_period(trustcalc: Path) -> None:
    """A dozen ratings of one ratee by one rater in a period weigh as one, at their mean score."""
    members = [
        {"id": "a", "organisation": "Manufacturer", "prior": S},
        {"id": "b", "organisation": "ModelTrainer", "prior": 0},
    ]
    once = {"members": members, "periods": [[{"rater": "a", "ratee": "b", "score": S}]]}
    dozen = {"members": members, "periods": [[{"rater": "a", "ratee": "b", "score": S}] * 12]}
    mixed = {
        "members": members,
        "periods": [[{"rater": "a", "ratee": "b", "score": S}, {"rater": "a", "ratee": "b", "score": -S}]],
    }
    neutral = {"members": members, "periods": [[{"rater": "a", "ratee": "b", "score": 0}]]}
    results = calc(trustcalc, [once, dozen, mixed, neutral])
    assert results[0]["tables"] == results[1]["tables"] == reference(dozen)
    assert results[2]["tables"] == results[3]["tables"] == reference(mixed)


@FAST
@given(case=cases())
def test_matches_the_reference_to_the_last_digit(trustcalc: Path, case: dict[str, Any]) -> None:
    [result] = calc(trustcalc, [case])
    assert result["error"] == ""
    assert result["tables"] == reference(case)


@FAST
@given(case=cases())
def test_trust_is_bounded(trustcalc: Path, case: dict[str, Any]) -> None:
    [result] = calc(trustcalc, [case])
    for table in result["tables"]:
        for entry in table:
            assert -S < entry["trust"] < S
            assert entry["level"] == level(entry["trust"])


@FAST
@given(
    case=cases(), pick=st.integers(min_value=0), raise_by=st.integers(1, 2 * S), extra_rater=st.integers(0)
)
def test_monotone_in_positive_feedback(
    trustcalc: Path, case: dict[str, Any], pick: int, raise_by: int, extra_rater: int
) -> None:
    """A higher score, or one more +1 rating, in the last period never lowers the ratee's trust."""
    last = case["periods"][-1]
    ids = [m["id"] for m in case["members"]]
    ratee = ids[pick % len(ids)]
    raters = [i for i in ids if i != ratee]
    variant = json.loads(json.dumps(case))
    extra = {"rater": raters[extra_rater % len(raters)], "ratee": ratee, "score": S}
    variant["periods"][-1].append(extra)
    higher = json.loads(json.dumps(case))
    if last:
        f = higher["periods"][-1][pick % len(last)]
        f["score"] = min(S, f["score"] + raise_by)
        ratee_raised = f["ratee"]
    base, more, raised = calc(trustcalc, [case, variant, higher])

    def final(result: dict[str, Any], member: str) -> int:
        return int(next(e["trust"] for e in result["tables"][-1] if e["id"] == member))

    assert final(more, ratee) >= final(base, ratee)
    if last:
        assert final(raised, ratee_raised) >= final(base, ratee_raised)


@FAST
@given(
    ring_size=st.integers(2, 6),
    priors=st.lists(unit, min_size=7, max_size=7),
    target_prior=unit,
    periods=st.integers(1, 12),
    scores=st.lists(st.integers(0, S), min_size=1, max_size=4),
    same_org=st.booleans(),
)
def test_a_ring_of_low_trust_raters_cannot_lift_anyone_above_medium_trust(
    trustcalc: Path,
    ring_size: int,
    priors: list[int],
    target_prior: int,
    periods: int,
    scores: list[int],
    same_org: bool,
) -> None:
    """Colluders who start at most at low trust (any prior gives at most 1/3) praise each other and a
    target, as often as they like, for many periods: nobody rises above medium trust (0.5)."""
    ring = [f"c{i}" for i in range(ring_size)]
    members = [
        {"id": c, "organisation": "Ring" if same_org else f"Org{i}", "prior": priors[i]}
        for i, c in enumerate(ring)
    ]
    members.append({"id": "target", "organisation": "Target", "prior": target_prior})
    batch = [
        {"rater": a, "ratee": b, "score": s}
        for a in ring
        for b in [*ring, "target"]
        if a != b
        for s in scores
    ]
    [result] = calc(trustcalc, [{"members": members, "periods": [batch] * periods}])
    assert result["error"] == ""
    for table in result["tables"]:
        for entry in table:
            assert entry["trust"] <= 500_000, entry
            assert entry["level"] not in ("high trust", "very high trust")


def test_self_rating_and_unknown_members_are_refused(trustcalc: Path) -> None:
    members = [{"id": "a", "organisation": "A", "prior": 0}, {"id": "b", "organisation": "B", "prior": 0}]
    results = calc(
        trustcalc,
        [
            {"members": members, "periods": [[{"rater": "a", "ratee": "a", "score": S}]]},
            {"members": members, "periods": [[{"rater": "a", "ratee": "x", "score": S}]]},
            {"members": members, "periods": [[{"rater": "a", "ratee": "b", "score": S + 1}]]},
        ],
    )
    assert [r["error"] for r in results] == [
        "period 0: feedback 0: a member cannot rate its own work (a)",
        'period 0: feedback 0: ratee "x" is not a member',
        "period 0: feedback 0: score 1000001 is outside [-1000000, 1000000] (fixed-point, 1000000 = 1.0)",
    ]
