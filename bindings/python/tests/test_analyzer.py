"""The Analyzer and its values: every call, every option, every error, and spans that slice.

Expectations are signs, orderings and spans, never numbers copied from the library's output.
"""
from __future__ import annotations

import dataclasses
import gzip
import pickle
from pathlib import Path
from typing import List

import pytest

import medtone
from medtone import (
    Analyzer,
    AnalyzerSpec,
    Evidence,
    Flag,
    FlagInfo,
    GzipError,
    InvalidArgument,
    LexiconIOError,
    MedtoneError,
    MedtoneIOError,
    NotFound,
    ParseError,
    Status,
    Term,
    Token,
    TokenFlag,
)

# -- the basics ------------------------------------------------------------------------------------

def test_readme_example() -> None:
    assert Analyzer().analyze("great care!").compound > 0.05


@pytest.mark.parametrize("text,label", [
    ("The nurses were amazing", "positive"),
    ("The receptionist was rude", "negative"),
    ("I have an appointment on Tuesday", "neutral"),
    ("no side effects at all", "positive"),  # the domain's most positive phrase
    ("my anxiety is finally gone", "positive"),  # relief governs the symptom
])
def test_labels_follow_the_compound(analyzer: Analyzer, text: str, label: str) -> None:
    r = analyzer.analyze(text)
    assert r.label == label
    assert (r.compound >= 0.05) == (label == "positive")
    assert (r.compound <= -0.05) == (label == "negative")


def test_result_shares_and_ranges(analyzer: Analyzer) -> None:
    r = analyzer.analyze("not very good, but no more pain since the surgery!")
    assert -1 <= r.compound <= 1
    assert r.positive + r.neutral + r.negative == pytest.approx(1.0)
    assert all(0 <= x <= 1 for x in (r.positive, r.neutral, r.negative))
    empty = analyzer.analyze("")
    assert (empty.compound, empty.positive, empty.neutral, empty.negative) == (0, 0, 0, 0)
    assert empty.terms == () and empty.label == "neutral"


def test_terms_explain_the_score(analyzer: Analyzer) -> None:
    text = "not very good, but no more pain since the surgery!"
    r = analyzer.analyze(text)
    by_text = {t.text: t for t in r.terms}
    good, pain = by_text["good"], by_text["pain"]
    assert isinstance(good, Term)
    assert good.entry == "good" and good.layer in analyzer.layers
    assert good.valence > 0 > good.contribution  # negated
    assert "negated" in good.rules and "boosted" in good.rules
    assert pain.valence < 0 < pain.contribution  # relief
    assert "relief" in pain.rules
    assert set(good.rules + pain.rules) <= set(medtone.rules())
    assert [t.start for t in r.terms] == sorted(t.start for t in r.terms)  # text order
    for t in r.terms:
        assert text[t.char_start:t.char_end] == t.text


def test_rule_names_come_from_the_library() -> None:
    names = medtone.rules()
    for expected in ("negated", "boosted", "dampened", "caps", "elongated", "relief",
                     "clinical", "least", "exclaim"):
        assert expected in names
    assert len(set(names)) == len(names)


def test_results_are_immutable_hashable_and_picklable(analyzer: Analyzer) -> None:
    r = analyzer.analyze("The nurse was GREAT but the bill was insane", tokens=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.compound = 1.0  # type: ignore[misc]
    with pytest.raises(AttributeError):  # terms, flags, evidence, tokens are named tuples
        r.terms[0].text = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.flags["crisis"] = Flag(1, True, 0)  # type: ignore[index]
    assert hash(r) == hash(analyzer.analyze("The nurse was GREAT but the bill was insane",
                                            tokens=True))
    again = pickle.loads(pickle.dumps(r))
    assert again == r and again is not r
    assert r.to_dict()["label"] == r.label


def test_analyze_is_deterministic_and_independent_of_history(analyzer: Analyzer) -> None:
    a = analyzer.analyze("the wait was awful")
    analyzer.analyze("a much longer text " * 200)  # the C result grows and is reused
    assert analyzer.analyze("the wait was awful") == a


# -- flags -----------------------------------------------------------------------------------------

def test_flag_metadata_comes_from_the_c_enumeration() -> None:
    infos = medtone.flags()
    assert all(isinstance(f, FlagInfo) for f in infos)
    assert [f.index for f in infos] == list(range(len(infos)))
    names = [f.name for f in infos]
    assert names[:5] == ["negative", "misinfo", "privacy", "crisis", "ade"]  # stable indexes
    assert any(n.startswith("aspect.") for n in names)
    assert all(0 <= f.default_threshold <= 1 for f in infos)
    for f in infos:
        assert medtone.flag_index(f.name) == f.index
    with pytest.raises(NotFound) as e:
        medtone.flag_index("no-such-flag")
    assert e.value.status == Status.NOT_FOUND and isinstance(e.value, LookupError)


def test_every_flag_is_reported(analyzer: Analyzer) -> None:
    r = analyzer.analyze("hello")
    assert list(r.flags) == [f.name for f in medtone.flags()]
    assert all(isinstance(f, Flag) and 0 <= f.score <= 1 for f in r.flags.values())


@pytest.mark.parametrize("text,flag,cue_kind", [
    ("I can't do this anymore. I'm going to kill myself tonight.", "crisis", None),
    ("My MRN is 00482913, can someone tell me why my chemo was cancelled?", "privacy",
     "record-number"),
    ("We waited 5 hours in the ER and nobody came", "aspect.wait", None),
])
def test_flags_fire_with_evidence_that_slices(analyzer: Analyzer, text: str, flag: str,
                                              cue_kind: str) -> None:
    r = analyzer.analyze(text)
    f = r.flags[flag]
    assert f.fired and f.score >= analyzer.thresholds[flag]
    assert flag in r.fired
    assert f.evidence and all(isinstance(e, Evidence) for e in f.evidence)
    raw = text.encode()
    for e in f.evidence:
        assert raw[e.start:e.end].decode() == e.text == text[e.char_start:e.char_end]
        assert e.cue
    if cue_kind:
        assert cue_kind in [e.cue for e in f.evidence]


def test_aspect_flags_carry_their_own_sentiment(analyzer: Analyzer) -> None:
    r = analyzer.analyze("The nurses were wonderful but the bill was an outrage")
    staff, billing = r.flags["aspect.staff"], r.flags["aspect.billing"]
    assert staff.fired and billing.fired
    assert staff.sentiment > 0 > billing.sentiment


def test_thresholds_decide_what_fires() -> None:
    text = "We waited 5 hours in the ER and nobody came"
    with Analyzer() as default:
        score = default.analyze(text).flags["aspect.wait"].score
        assert 0 < score < 1
    with Analyzer(thresholds={"aspect.wait": min(1.0, score + 0.01)}) as strict:
        assert not strict.analyze(text).flags["aspect.wait"].fired
        assert strict.thresholds["aspect.wait"] == pytest.approx(min(1.0, score + 0.01))

def test_zero_thresholds_fire_every_flag_with_a_score(corpus: List[str]) -> None:
    # The library fires a flag when its score is positive and reaches the threshold: with every
    # threshold at 0, "fired" is exactly "has a score".
    zero = {f.name: 0.0 for f in medtone.flags()}
    seen = 0
    with Analyzer(thresholds=zero) as an:
        for r in an.analyze_many(corpus[:300]):
            for f in r.flags.values():
                assert f.fired == (f.score > 0)
                seen += f.fired
    assert seen > 100


def test_flags_off_scores_sentiment_only() -> None:
    with Analyzer(flags=False) as an:
        r = an.analyze("I'm going to kill myself tonight")
        assert r.flags == {} and r.fired == ()
        assert not an.flags_enabled
        assert r.compound < 0


@pytest.mark.parametrize("thresholds,error", [
    ({"no-such-flag": 0.5}, NotFound),
    ({"crisis": 1.5}, InvalidArgument),
    ({"crisis": -0.1}, InvalidArgument),
    ({"crisis": float("nan")}, InvalidArgument),
])
def test_bad_thresholds(thresholds: dict, error: type) -> None:
    with pytest.raises(error) as e:
        Analyzer(thresholds=thresholds)
    assert "crisis" in str(e.value) or "no-such-flag" in str(e.value)


@pytest.mark.parametrize("kwargs", [
    {"thresholds": {"crisis": "high"}}, {"thresholds": {3: 0.5}}, {"thresholds": [("crisis", 1)]},
    {"negation_scope": "3"}, {"negation_scope": 2.5}, {"negation_scope": True},
    {"lexicons": "one.tsv"}, {"lexicons": [None]}, {"lexicons": [("name",)]}, {"cues": [3]},
])
def test_wrong_types_raise_type_error(kwargs: dict) -> None:
    with pytest.raises(TypeError):
        Analyzer(**kwargs)


# -- options ---------------------------------------------------------------------------------------

def test_negation_scope() -> None:
    text = "not at all really good"  # "good" is four words after "not"
    with Analyzer(negation_scope=1) as near, Analyzer(negation_scope=8) as far:
        assert near.analyze(text).compound > 0 > far.analyze(text).compound
    for bad in (-1, 17, 2 ** 80):
        with pytest.raises(InvalidArgument) as e:
            Analyzer(negation_scope=bad)
        assert e.value.status == Status.INVALID_ARG


def test_embedded_false_starts_empty(tmp_path: Path) -> None:
    with Analyzer(embedded=False) as an:
        assert an.layers == () and an.term_count == 0
        assert an.analyze("great wonderful awful").terms == ()
    lex = tmp_path / "mine.tsv"
    lex.write_text("#@ layer mine\nsplendiferous\t3\n")
    with Analyzer(embedded=False, lexicons=[lex]) as an:
        assert an.layers == ("mine",) and an.term_count == 1
        (t,) = an.analyze("simply SPLENDIFEROUS").terms
        assert (t.entry, t.layer, t.valence, t.text) == ("splendiferous", "mine", 3.0,
                                                          "SPLENDIFEROUS")


def test_lexicon_layers_on_top(tmp_path: Path, test_data: Path) -> None:
    with Analyzer() as plain:
        base_layers = plain.layers
        base = plain.analyze("the care was good").compound
    with Analyzer(lexicons=[test_data / "lexicons" / "base.tsv",
                            ("ours", "good\t-3\n")]) as an:
        assert an.layers[:len(base_layers)] == base_layers
        assert an.layers[-2:] == ("base", "ours")  # header name; given name
        r = an.analyze("the care was good")
        assert r.compound < 0 < base
        assert [t.layer for t in r.terms if t.entry == "good"] == ["ours"]
    data = gzip.compress(b"#@ layer zipped\ngood\t-2\n")
    with Analyzer(lexicons=[("z", data)]) as an:  # gzip detected by content, also in memory
        assert an.layers[-1] == "zipped"
        assert an.analyze("good").compound < 0


def test_load_lexicon_and_cues_after_construction(tmp_path: Path) -> None:
    with Analyzer() as an:
        before = an.analyze("the zorblax clinic").compound
        an.load_lexicon(("late", b"zorblax\t-3\n"))
        assert an.analyze("the zorblax clinic").compound < before
        assert an.layers[-1] == "late"
        assert an.spec.lexicons[-1] == ("late", b"zorblax\t-3\n")
        text = "read this at example-cures-test.com before your doctor"
        assert not any(e.cue == "example-cures-test.com"
                       for e in an.analyze(text).flags["misinfo"].evidence)
        cues = tmp_path / "cues.tsv"
        cues.write_text("example-cures-test.com\t2.5\tmisinfo\n")
        an.load_cues(cues)
        assert any(e.cue == "example-cures-test.com"
                   for e in an.analyze(text).flags["misinfo"].evidence)


def test_cues_argument() -> None:
    text = "my zorblaxitol gave me a rash"
    with Analyzer(cues=[("drugs", "zorblaxitol\t1\tdrug\n")]) as an:
        assert an.analyze(text).flags["ade"].evidence


# -- lexicon errors --------------------------------------------------------------------------------

def test_missing_lexicon_is_an_io_error_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.tsv"
    with pytest.raises(LexiconIOError) as e:
        Analyzer(lexicons=[missing])
    err = e.value
    assert isinstance(err, OSError) and isinstance(err, MedtoneError)
    assert err.status == Status.IO and str(missing) in str(err) and str(missing) in err.detail


def test_malformed_lexicon_names_file_and_line(test_data: Path) -> None:
    path = test_data / "lexicons" / "malformed.tsv"  # line 5 has no tab
    with pytest.raises(ParseError) as e:
        Analyzer(lexicons=[path])
    assert e.value.status == Status.PARSE and isinstance(e.value, ValueError)
    assert f"{path}:5:" in str(e.value)
    with pytest.raises(ParseError) as e:
        Analyzer(lexicons=[("inline.tsv", "good\t2\nbad\tx\n")])
    assert "inline.tsv:2:" in str(e.value)
    with pytest.raises(ParseError) as e:
        Analyzer(lexicons=[test_data / "lexicons" / "range.tsv"])
    assert "range.tsv:3:" in str(e.value)


@pytest.mark.parametrize("name", ["corrupt.tsv.gz", "truncated.tsv.gz"])
def test_bad_gzip(test_data: Path, name: str) -> None:
    with pytest.raises(GzipError) as e:
        Analyzer(lexicons=[test_data / "lexicons" / name])
    assert e.value.status == Status.GZIP and name in str(e.value)


def test_failed_load_leaves_the_analyzer_as_it_was(tmp_path: Path) -> None:
    with Analyzer() as an:
        layers, terms = an.layers, an.term_count
        with pytest.raises(ParseError):
            an.load_lexicon(("bad.tsv", "fine\t1\nbroken line\n"))
        assert (an.layers, an.term_count) == (layers, terms)
        assert an.analyze("fine").terms == () or all(t.layer != "bad.tsv"
                                                     for t in an.analyze("fine").terms)
        with pytest.raises(MedtoneIOError):
            an.load_cues(tmp_path / "missing-cues.tsv")


def test_errors_pickle_with_their_status() -> None:
    with pytest.raises(ParseError) as e:
        Analyzer(lexicons=[("x.tsv", "bad\n")])
    again = pickle.loads(pickle.dumps(e.value))
    assert type(again) is ParseError
    assert (again.status, again.detail, str(again)) == (e.value.status, e.value.detail,
                                                        str(e.value))


# -- text in ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [None, 42, 3.5, ["great"], object()])
def test_non_text_is_a_type_error(analyzer: Analyzer, bad: object) -> None:
    with pytest.raises(TypeError):
        analyzer.analyze(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        medtone.tokenize(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        analyzer.explain(bad)  # type: ignore[arg-type]


def test_str_and_utf8_bytes_agree(analyzer: Analyzer) -> None:
    text = "Zoé's doctor was GREAT 😀 but the wait… awful"
    a = analyzer.analyze(text, tokens=True)
    for same in (text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        assert analyzer.analyze(same, tokens=True) == a


def test_lone_surrogate_has_no_utf8(analyzer: Analyzer) -> None:
    with pytest.raises(UnicodeEncodeError):
        analyzer.analyze("bad \ud800 text")


def test_invalid_utf8_bytes_follow_the_library_rule(analyzer: Analyzer) -> None:
    # Each byte that does not begin a valid sequence is one U+FFFD spanning one byte, so offsets
    # never shift: "\xe2\x82" (a truncated sequence) is two of them, an overlong "\xc0\xaf" two.
    raw = b"good \xe2\x82 bad \xff\xc0\xaf great"
    r = analyzer.analyze(raw, tokens=True)
    assert r.text == "good \ufffd\ufffd bad \ufffd\ufffd\ufffd great"
    assert medtone.decode(raw) == r.text
    assert [t.text for t in r.terms] == ["good", "bad", "great"]
    bad = [t for t in r.tokens if t.flags & TokenFlag.INVALID_UTF8]
    assert [(t.start, t.end - t.start) for t in bad] == [(5, 1), (6, 1), (12, 1), (13, 1),
                                                          (14, 1)]
    assert all(t.kind == "symbol" and t.text == "\ufffd" for t in bad)
    for t in r.terms + r.tokens:
        assert r.text[t.char_start:t.char_end] == t.text
        assert raw[t.start:t.end] == t.text.encode() or t in bad


def test_nul_bytes_are_text(analyzer: Analyzer) -> None:
    r = analyzer.analyze("good\x00care\x00awful", tokens=True)
    assert [t.text for t in r.tokens] == ["good", "care", "awful"]
    assert r.text == "good\x00care\x00awful"


# -- offsets ---------------------------------------------------------------------------------------

def test_byte_and_character_offsets_on_non_ascii_text(analyzer: Analyzer) -> None:
    text = "Café Zoé: l’infirmière was great 😀👍🏽 but the wait… was awful!!"
    r = analyzer.analyze(text, tokens=True)
    raw = text.encode("utf-8")
    spans = list(r.terms) + list(r.tokens) + [e for f in r.flags.values() for e in f.evidence]
    assert len(r.terms) >= 3 and len(spans) > 10
    shifted = 0
    for s in spans:
        assert raw[s.start:s.end].decode("utf-8") == s.text
        assert text[s.char_start:s.char_end] == s.text
        assert len(raw[:s.start].decode("utf-8")) == s.char_start
        shifted += s.start != s.char_start
    assert shifted > 5  # everything after "é" moves
    great = next(t for t in r.terms if t.text == "great")
    assert great.start - great.char_start == len("é’éé".encode()) - len("é’éé")


def test_emoji_grapheme_is_one_token(analyzer: Analyzer) -> None:
    text = "thanks 👍🏽 nurse"
    toks = medtone.tokenize(text)
    emoji = [t for t in toks if t.kind == "emoji"]
    assert [t.text for t in emoji] == ["👍🏽"]
    assert emoji[0].char_end - emoji[0].char_start == 2 and emoji[0].end - emoji[0].start == 8


# -- tokens ----------------------------------------------------------------------------------------

def test_tokenize(analyzer: Analyzer) -> None:
    text = "Dr. Smith was SOOO rude!!! Took 10 mg at 9 am, see https://x.org #NotHappy :-((("
    toks = medtone.tokenize(text)
    assert all(isinstance(t, Token) for t in toks)
    assert analyzer.tokenize(text) == toks
    assert analyzer.analyze(text, tokens=True).tokens == toks
    assert analyzer.analyze(text).tokens is None
    kinds = {t.text: t for t in toks}
    assert kinds["10 mg"].kind == "dose" and kinds["10 mg"].normalized == "10mg"
    assert kinds["9 am"].kind == "time"
    assert kinds["https://x.org"].kind == "url"
    assert kinds["#NotHappy"].kind == "hashtag" and kinds["#NotHappy"].normalized == "nothappy"
    assert kinds["!!!"].kind == "punct" and kinds["!!!"].repeat == 3
    assert kinds["SOOO"].flags & TokenFlag.ALLCAPS and kinds["SOOO"].flags & TokenFlag.ELONGATED
    assert kinds["SOOO"].normalized == "soo"
    assert kinds[":-((("].kind == "emoticon"
    assert set(t.kind for t in toks) <= set(medtone.token_kinds())
    for t in toks:
        assert text[t.char_start:t.char_end] == t.text


def test_token_flags() -> None:
    toks = {t.text: t for t in medtone.tokenize("dont do that, it's NOT ok")}
    assert toks["dont"].flags & TokenFlag.NEGATION
    assert toks["dont"].normalized == "don't"
    assert toks["it's"].flags & TokenFlag.CONTRACTION
    assert toks["NOT"].flags & TokenFlag.NEGATION


def test_token_kinds_come_from_the_library() -> None:
    kinds = medtone.token_kinds()
    assert kinds[:3] == ("word", "number", "url") and "emoji" in kinds and "dose" in kinds


# -- explain ---------------------------------------------------------------------------------------

def test_explain_is_readable(analyzer: Analyzer) -> None:
    text = "not very good, but no more pain since the surgery!"
    out = analyzer.explain(text)
    lines = out.splitlines()
    r = analyzer.analyze(text)
    assert lines[0].startswith(f"{r.compound:+.3f} {r.label}")
    assert text in out
    assert any("good" in line and "negated" in line for line in lines)
    assert any("pain" in line and "relief" in line for line in lines)
    flagged = analyzer.explain("I'm going to kill myself tonight")
    assert "crisis" in flagged and "kill myself" in flagged
    assert "no word of the text is in the lexicons" in analyzer.explain("zzzz qqqq")
    with Analyzer(flags=False) as an:
        assert "flags" not in an.explain("the nurse was great")


# -- life cycle ------------------------------------------------------------------------------------

def test_context_manager_and_close() -> None:
    with Analyzer() as an:
        assert not an.closed
        assert "layers" in repr(an)
    assert an.closed and "closed" in repr(an)
    an.close()  # idempotent
    for call in (lambda: an.analyze("x"), lambda: an.layers, lambda: list(an.analyze_many(["x"])),
                 lambda: an.load_lexicon(("x", "x\t1\n")), lambda: an.__enter__()):
        with pytest.raises(MedtoneError):
            call()


def test_introspection(analyzer: Analyzer) -> None:
    assert "general" in analyzer.layers and "health" in analyzer.layers
    assert analyzer.term_count > 1000
    assert analyzer.thresholds == {f.name: f.default_threshold for f in medtone.flags()}
    assert analyzer.flags_enabled
    assert medtone.version() == medtone._capi.lib().version_string


def test_spec_rebuilds_an_equal_analyzer(tmp_path: Path) -> None:
    lex = tmp_path / "l.tsv"
    lex.write_text("zorblax\t-2\n")
    with Analyzer(lexicons=[lex, ("mem", "quuxly\t2\n")], negation_scope=2,
                  thresholds={"crisis": 0.2}, flags=True) as an:
        spec = an.spec
        assert isinstance(spec, AnalyzerSpec) and hash(spec) == hash(pickle.loads(
            pickle.dumps(spec)))
        assert spec.lexicons[0] == str(lex)
        text = "zorblax and quuxly, I want to die"
        with spec.build() as again:
            assert again.analyze(text) == an.analyze(text)
            assert again.thresholds == an.thresholds and again.layers == an.layers
        copy = pickle.loads(pickle.dumps(an))  # an analyzer travels as its spec
        try:
            assert copy.analyze(text) == an.analyze(text)
        finally:
            copy.close()


def test_results_outlive_the_analyzer() -> None:
    with Analyzer() as an:
        r = an.analyze("great care!", tokens=True)
    assert r.terms[0].text == "great" and r.tokens[0].text == "great"
