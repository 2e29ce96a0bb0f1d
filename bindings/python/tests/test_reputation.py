"""medtone.reputation: the registry, mentions, the aggregator (add, merge, save, load, buckets,
statistics) and alerts, through the C API."""
from __future__ import annotations

import datetime as dt
import gzip
import pickle
from pathlib import Path
from typing import List, Tuple

import pytest

import medtone
from medtone import Analyzer, GzipError, InvalidArgument, MedtoneError, MedtoneIOError, NotFound
from medtone import ParseError, Status
from medtone.reputation import (
    AGGREGATOR_OPTIONS,
    STATS,
    Aggregator,
    Alert,
    Entities,
    Entity,
    alert_kinds,
    entity_kinds,
)

WEEK0 = 1772409600  # Monday 2026-03-02 00:00 UTC
DAY = 86400
WEEK = 7 * DAY

REGISTRY = (
    "# a test registry\n"
    "id\tname\tkind\taliases\n"
    "st-mary\tSt Mary\thospital\t@StMaryHealth|#StMarys\n"
    "hv\tHarbor Valley Medical Center\thospital\tHarbor Valley|HVMC|Harbour Valley\n"
    "okafor\tDr. Amara Okafor\tdoctor\tDr Okafor|Okafor\n"
    "zerevia\tZerevia\tdrug\n"
)


@pytest.fixture()
def ents() -> Entities:
    e = Entities.from_data(REGISTRY, "reg.tsv")
    yield e
    e.close()


def posts(n_weeks: int = 12) -> List[Tuple[str, int, str]]:
    """A steady stream over n weeks, then a storm about St Mary in the last week."""
    texts = ["St Mary nurses were so kind", "waited 6 hours at Harbor Valley, awful",
             "Dr Okafor listened and explained everything", "Zerevia gave me a terrible rash",
             "HVMC billing is a nightmare", "great care at #StMarys"]
    out = []
    for w in range(n_weeks):
        for k, t in enumerate(texts):
            out.append((t, WEEK0 + w * WEEK + k * 3600, f"w{w}-p{k}"))
    last = WEEK0 + (n_weeks - 1) * WEEK
    for k in range(30):
        out.append((f"St Mary lost my records again, horrible, rude staff #{k}", last + DAY + k,
                    f"storm-{k}"))
    out.append(("I can't go on, I'm going to kill myself at St Mary tonight", last + 2 * DAY,
                "crisis-1"))
    return out


# -- kinds -----------------------------------------------------------------------------------------

def test_kinds_come_from_the_library() -> None:
    assert entity_kinds() == ("hospital", "clinic", "doctor", "drug", "brand", "competitor",
                              "other")
    assert alert_kinds() == ("volume", "negativity", "misinfo", "crisis")


# -- the registry ----------------------------------------------------------------------------------

def test_registry_from_data(ents: Entities) -> None:
    assert len(ents) == 4
    assert [e.id for e in ents] == ["st-mary", "hv", "okafor", "zerevia"]
    sm = ents["st-mary"]
    assert isinstance(sm, Entity)
    assert (sm.index, sm.name, sm.kind) == (0, "St Mary", "hospital")
    assert sm.aliases == ("St Mary", "@StMaryHealth", "#StMarys")  # the name first
    assert ents[2] == ents["okafor"] and ents["okafor"].kind == "doctor"
    assert ents.index("zerevia") == 3 and ents.index(1) == 1
    assert "hv" in ents and "nope" not in ents and 9 not in ents
    with pytest.raises(NotFound):
        ents.index("nope")
    with pytest.raises(NotFound):
        ents[4]
    with pytest.raises(TypeError):
        ents.index(1.5)  # type: ignore[arg-type]


def test_registry_built_by_hand() -> None:
    with Entities() as e:
        assert len(e) == 0
        assert e.add("cvx", "Coastview Clinic", "clinic", ["Coastview", "@coastview"]) == 0
        assert e.add("rx", "Painaway", kind="drug") == 1
        e.add_alias("rx", "Pain Away")
        e.add_alias(1, "Pain Away")  # already there: nothing happens
        assert e["rx"].aliases == ("Painaway", "Pain Away")
        with pytest.raises(InvalidArgument) as err:
            e.add("cvx", "Another", "clinic")  # the id is taken
        assert err.value.status == Status.INVALID_ARG and err.value.detail == e.last_error != ""
        with pytest.raises(InvalidArgument):
            e.add_alias("rx", "Coastview")  # names another entity
        with pytest.raises(NotFound) as kind_err:
            e.add("x", "X", "hospitl")
        assert "hospital" in str(kind_err.value)  # lists the kinds
        with pytest.raises(InvalidArgument):
            e.add("", "Empty Id")
        with pytest.raises(TypeError):
            e.add("y", None)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            e.add("y", "Y", aliases="Why")  # one str is not a list
        assert len(e) == 2


def test_registry_files(tmp_path: Path) -> None:
    plain = tmp_path / "ents.tsv"
    plain.write_text(REGISTRY)
    zipped = tmp_path / "ents.tsv.gz"
    zipped.write_bytes(gzip.compress(REGISTRY.encode()))
    a, b = Entities.from_file(plain), Entities.from_file(zipped)
    assert list(a) == list(b) and len(a) == 4


def test_registry_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tA\thospital\nb\tB\thospitl\n")
    with Entities() as e:
        with pytest.raises(ParseError) as err:
            e.load(bad)
        assert f"{bad}:2:" in str(err.value) and "hospitl" in str(err.value)
        assert len(e) == 0  # all or nothing
        with pytest.raises(MedtoneIOError) as io:
            e.load(tmp_path / "missing.tsv")
        assert isinstance(io.value, OSError) and io.value.status == Status.IO
        corrupt = tmp_path / "c.tsv.gz"
        corrupt.write_bytes(gzip.compress(REGISTRY.encode())[:-12])
        with pytest.raises(GzipError):
            e.load(corrupt)
        with pytest.raises(ParseError) as dup:
            e.load_data("a\tA\thospital\na\tAgain\tclinic\n", "dup.tsv")
        assert "dup.tsv:2:" in str(dup.value)
        with pytest.raises(TypeError):
            e.load(None)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            e.load_data(3)  # type: ignore[arg-type]


def test_registry_pickles(ents: Entities) -> None:
    again = pickle.loads(pickle.dumps(ents))
    assert list(again) == list(ents)


# -- mentions --------------------------------------------------------------------------------------

def test_mentions_with_spans(analyzer: Analyzer, ents: Entities) -> None:
    text = "Thanks @StMaryHealth! Dr. Okafor’s team at ST. MARY was great; Harbour Valley? never."
    r = analyzer.analyze(text, entities=ents)
    assert r.entities == ("st-mary", "okafor", "hv")  # order of first mention
    assert [m.entity for m in r.mentions] == ["st-mary", "okafor", "st-mary", "hv"]
    raw = text.encode()
    for m in r.mentions:
        assert raw[m.start:m.end].decode() == m.text == text[m.char_start:m.char_end]
        assert ents.id(m.index) == m.entity
    assert r.mentions[1].text.startswith("Dr. Okafor")
    assert analyzer.analyze(text).entities is None  # only when asked
    assert analyzer.analyze("nothing here", entities=ents).entities == ()
    with pytest.raises(TypeError):
        analyzer.analyze(text, entities=["st-mary"])  # type: ignore[arg-type]


def test_mentions_with_threads(analyzer: Analyzer, ents: Entities) -> None:
    texts = [p[0] for p in posts(3)]
    expected = [analyzer.analyze(t, entities=ents) for t in texts]
    assert list(analyzer.analyze_many(texts, threads=4, chunk_size=5, entities=ents)) == expected
    assert sum(len(r.entities) for r in expected) > len(texts) // 2


def test_registry_grows_between_uses(analyzer: Analyzer, ents: Entities) -> None:
    assert analyzer.analyze("Bayside Clinic was fine", entities=ents).entities == ()
    ents.add("bay", "Bayside Clinic", "clinic")
    assert analyzer.analyze("Bayside Clinic was fine", entities=ents).entities == ("bay",)


# -- the aggregator --------------------------------------------------------------------------------

def test_options(ents: Entities) -> None:
    agg = Aggregator(ents)
    opts = agg.options
    assert set(opts) == set(AGGREGATOR_OPTIONS)
    assert opts["bucket_days"] == 7 and opts["top_posts"] == 5
    agg.set_option("half_life_days", 14)
    assert agg.get_option("half_life_days") == 14
    for name, value in [("bucket_days", 3), ("wilson_z", 0), ("half_life_days", -1)]:
        with pytest.raises(InvalidArgument):
            agg.set_option(name, value)
    with pytest.raises(InvalidArgument):
        agg.set_option("no_such_option", 1)
    with pytest.raises(TypeError):
        agg.set_option("prior_mean", "0.1")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        Aggregator(ents, bucket_days=2)
    assert Aggregator(ents, bucket_days=1, min_volume=3).options["min_volume"] == 3
    with pytest.raises(TypeError):
        Aggregator("not a registry")  # type: ignore[arg-type]


def test_add_stat_buckets(analyzer: Analyzer, ents: Entities) -> None:
    agg = Aggregator(ents)
    assert agg.empty and agg.buckets == ()
    r = agg.add(analyzer, "St Mary nurses were so kind", WEEK0 + 3 * DAY, "p1")
    assert r.entities == ("st-mary",) and r.compound > 0
    agg.add(analyzer, "St Mary and Dr Okafor: rude and slow", WEEK0 + WEEK + DAY, "p2")
    agg.add(analyzer, "a post about nobody", WEEK0 + WEEK, "p3")
    assert not agg.empty
    assert agg.buckets == (WEEK0, WEEK0 + WEEK)  # weeks start on Monday 00:00 UTC
    assert agg.stat("st-mary", "volume") == 2
    assert agg.stat("st-mary", "volume", 0) == 1 and agg.stat(0, "positive", 0) == 1
    assert agg.stat("st-mary", "negative", 1) == 1
    assert agg.stat("okafor", "volume") == 1 and agg.stat("hv", "volume") == 0
    assert agg.stat("st-mary", "share_of_voice", 1) == pytest.approx(0.5)
    mean = agg.stat("st-mary", "mean")
    assert mean == pytest.approx((r.compound + analyzer.analyze(
        "St Mary and Dr Okafor: rude and slow").compound) / 2, abs=1e-8)
    assert abs(agg.stat("st-mary", "bayes")) < abs(mean)  # pulled towards the neutral prior
    for s in STATS:
        agg.stat("st-mary", s)
    with pytest.raises(InvalidArgument):
        agg.stat("st-mary", "median")
    with pytest.raises(NotFound):
        agg.stat("nobody", "mean")
    assert agg.stat("st-mary", "volume", 99) == 0  # a bucket out of range gives 0
    with pytest.raises(InvalidArgument):
        agg.stat("st-mary", "volume", -1)


def test_explicit_entities_and_times(analyzer: Analyzer, ents: Entities) -> None:
    agg = Aggregator(ents, bucket_days=1)
    naive = dt.datetime(2026, 3, 2, 12, 0)
    aware = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    for when in (WEEK0 + 43200, float(WEEK0 + 43200.7), naive, aware, dt.date(2026, 3, 2)):
        agg.add(analyzer, "the pharmacy was slow", when, entities=["zerevia"])
    assert agg.buckets == (WEEK0,) and agg.stat("zerevia", "volume", 0) == 5
    agg.add(analyzer, "no mention", WEEK0, entities="hv")
    assert agg.stat("hv", "volume") == 1
    with pytest.raises(TypeError):
        agg.add(analyzer, "x", "2026-03-02")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        agg.add(analyzer, "x", True)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        agg.add(analyzer, "St Mary", WEEK0, "x" * 2000)  # post id too long
    with pytest.raises(InvalidArgument):
        agg.add(analyzer, "St Mary", 10 ** 13)  # outside the supported times
    with pytest.raises(TypeError):
        agg.add("not an analyzer", "St Mary", WEEK0)  # type: ignore[arg-type]


def test_flag_counts(analyzer: Analyzer, ents: Entities) -> None:
    agg = Aggregator(ents)
    agg.add(analyzer, "waited 6 hours at Harbor Valley, awful", WEEK0)
    agg.add(analyzer, "Harbor Valley: the wait was short and the nurses lovely", WEEK0 + 1)
    agg.add(analyzer, "Harbor Valley is fine", WEEK0 + 2)
    n = agg.flag_count("hv", "aspect.wait")
    assert n == 2
    assert agg.flag_count("hv", "crisis") == 0
    assert -1 <= agg.flag_sentiment("hv", "aspect.wait") <= 1
    with pytest.raises(NotFound):
        agg.flag_count("hv", "no-such-flag")


def _fingerprint(agg: Aggregator) -> Tuple:
    return (agg.buckets, tuple(tuple(sorted(r.items())) for r in agg.table()),
            tuple(agg.flag_count(e.id, f.name) for e in agg.entities for f in medtone.flags()),
            agg.alerts())


def test_add_many_threads_equal_one_by_one(analyzer: Analyzer, ents: Entities) -> None:
    stream = posts()
    one = Aggregator(ents)
    for text, when, pid in stream:
        one.add(analyzer, text, when, pid)
    many = Aggregator(ents)
    assert many.add_many(analyzer, stream, threads=4, chunk_size=9) == len(stream)
    serial = Aggregator(ents)
    assert serial.add_many(analyzer, ((t, w) for t, w, _ in stream)) == len(stream)
    assert _fingerprint(many) == _fingerprint(one)
    assert _fingerprint(serial)[:3] == _fingerprint(one)[:3]  # no ids: alerts name no posts


def test_add_many_is_all_or_nothing(analyzer: Analyzer, ents: Entities) -> None:
    agg = Aggregator(ents)
    agg.add(analyzer, "St Mary was kind", WEEK0)
    before = _fingerprint(agg)
    for threads in (1, 3):
        with pytest.raises(TypeError):
            agg.add_many(analyzer, [("St Mary ok", WEEK0)] * 50 + [("bad", "time")],
                         threads=threads, chunk_size=8)
        with pytest.raises(TypeError):
            agg.add_many(analyzer, [("St Mary ok", WEEK0)] * 10 + ["not a tuple"],
                         threads=threads)
        assert _fingerprint(agg) == before
    with pytest.raises(ValueError):
        agg.add_many(analyzer, [], threads=0)


def test_merge_is_exact(analyzer: Analyzer, ents: Entities) -> None:
    stream = posts()
    whole = Aggregator(ents)
    whole.add_many(analyzer, stream)
    parts = [Aggregator(ents) for _ in range(3)]
    for i, post in enumerate(stream):
        parts[(i * 7) % 3].add(analyzer, *post)
    merged = Aggregator(ents)
    for p in reversed(parts):
        merged.merge(p)
    assert _fingerprint(merged) == _fingerprint(whole)
    assert merged.to_bytes() == whole.to_bytes()  # the same sums, the same saved state
    assert not parts[0].empty  # the source is unchanged
    with pytest.raises(InvalidArgument):
        merged.merge(merged)
    daily = Aggregator(ents, bucket_days=1)
    daily.add(analyzer, "St Mary", WEEK0)
    with pytest.raises(InvalidArgument):
        merged.merge(daily)
    with pytest.raises(TypeError):
        merged.merge("x")  # type: ignore[arg-type]


def test_merge_matches_entities_by_id(analyzer: Analyzer, ents: Entities) -> None:
    other = Entities.from_data("okafor\tDr. Amara Okafor\tdoctor\nst-mary\tSt Mary\thospital\n")
    src = Aggregator(other)
    src.add(analyzer, "St Mary was great", WEEK0)
    dst = Aggregator(ents)
    dst.merge(src)
    assert dst.stat("st-mary", "volume") == 1
    small = Aggregator(Entities.from_data("okafor\tDr. Amara Okafor\tdoctor\n"))
    with pytest.raises(NotFound):
        small.merge(src)  # src counts an entity this registry lacks
    assert small.empty  # all or nothing


def test_save_load(analyzer: Analyzer, ents: Entities, tmp_path: Path) -> None:
    agg = Aggregator(ents, bucket_days=1, top_posts=3)
    agg.add_many(analyzer, posts(4))
    path = tmp_path / "state.mt"
    agg.save(path)
    assert path.read_bytes()[:2] == b"\x1f\x8b"  # gzip
    back = Aggregator(ents)
    back.load(path)
    assert back.options["bucket_days"] == 1 and back.options["top_posts"] == 3  # the file's
    assert _fingerprint(back) == _fingerprint(agg)
    data = agg.to_bytes()
    assert data == path.read_bytes()
    from_bytes = Aggregator.from_bytes(ents, data, half_life_days=7)
    assert from_bytes.get_option("half_life_days") == 7  # a setting, not part of the sums
    assert from_bytes.to_bytes() == data
    twice = Aggregator(ents)
    twice.load_data(data)
    twice.load_data(data, "again")  # adds, as a merge would
    assert twice.stat("st-mary", "volume") == 2 * agg.stat("st-mary", "volume")


def test_load_errors(analyzer: Analyzer, ents: Entities, tmp_path: Path) -> None:
    agg = Aggregator(ents)
    agg.add(analyzer, "St Mary", WEEK0)
    data = agg.to_bytes()
    target = Aggregator(ents)
    with pytest.raises(MedtoneIOError):
        target.load(tmp_path / "missing.mt")
    with pytest.raises(GzipError):
        target.load_data(data[: len(data) // 2], "half.mt")
    with pytest.raises(ParseError) as e:
        target.load_data(gzip.compress(b"not a state file at all"), "junk.mt")
    assert "junk.mt" in str(e.value) and target.last_error == e.value.detail
    with pytest.raises(NotFound):
        Aggregator(Entities.from_data("hv\tHV\thospital\n")).load_data(data)
    daily = Aggregator(ents, bucket_days=1)
    daily.add(analyzer, "St Mary", WEEK0)
    with pytest.raises(InvalidArgument):
        daily.load_data(data)  # weekly sums into a daily aggregator
    assert target.empty  # every failure left it as it was
    with pytest.raises(MedtoneIOError):
        agg.save(tmp_path / "no" / "such" / "dir" / "state.mt")
    with pytest.raises(TypeError):
        target.load_data("text")  # type: ignore[arg-type]


def test_pickle_round_trip(analyzer: Analyzer, ents: Entities) -> None:
    agg = Aggregator(ents, half_life_days=10)
    agg.add_many(analyzer, posts(3))
    again = pickle.loads(pickle.dumps(agg))
    assert again.options == agg.options
    assert _fingerprint(again) == _fingerprint(agg)
    empty = pickle.loads(pickle.dumps(Aggregator(ents, bucket_days=1)))
    assert empty.empty and empty.options["bucket_days"] == 1


def test_alerts(analyzer: Analyzer, ents: Entities) -> None:
    agg = Aggregator(ents)
    agg.add_many(analyzer, posts(12), threads=2)
    alerts = agg.alerts()
    assert all(isinstance(a, Alert) for a in alerts)
    last = len(agg.buckets) - 1
    crisis = [a for a in alerts if a.kind == "crisis"]
    assert [(a.entity, a.bucket) for a in crisis] == [("st-mary", last)]
    assert crisis[0].post_ids == ("crisis-1",)
    assert crisis[0].bucket_time == dt.datetime.fromtimestamp(agg.buckets[last], dt.timezone.utc)
    volume = [a for a in alerts if a.kind == "volume"]
    assert [(a.entity, a.bucket) for a in volume] == [("st-mary", last)]
    assert volume[0].value > volume[0].baseline and volume[0].score >= 3.5
    assert volume[0].post_ids and all(p.startswith(("storm-", "crisis-"))
                                      for p in volume[0].post_ids)
    assert not any(a.bucket < last for a in alerts)  # a steady stream raises nothing
    agg.set_option("alert_threshold", 1000)  # computed when asked, with the settings then
    assert [a.kind for a in agg.alerts()] == ["crisis"]


def test_table(analyzer: Analyzer, ents: Entities) -> None:
    agg = Aggregator(ents)
    agg.add_many(analyzer, posts(2))
    rows = agg.table(["volume", "mean"])
    assert rows and all(set(r) == {"entity", "bucket", "bucket_start", "volume", "mean"}
                        for r in rows)
    assert {r["entity"] for r in rows} == {"st-mary", "hv", "okafor", "zerevia"}
    assert all(r["volume"] > 0 for r in rows)


def test_closed_objects(analyzer: Analyzer) -> None:
    ents = Entities.from_data(REGISTRY)
    agg = Aggregator(ents)
    with agg:
        pass
    with pytest.raises(MedtoneError):
        agg.stat("st-mary")
    assert "closed" in repr(agg)
    ents.close()
    with pytest.raises(MedtoneError):
        len(ents)
    assert "closed" in repr(ents)
