"""The ``lydhor analyze`` contract: JSON Lines or plain text in, one JSON object per line out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lydhor(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], input=stdin, capture_output=True, cwd=ROOT, check=False
    )


@pytest.fixture(scope="module")
def good_run() -> list[dict]:
    lines = [
        {"id": "a", "text": "Pakken kom først efter ti dage, kunden er meget utilfreds"},
        {"id": 7, "text": "Ring meg på 912 34 567, fakturaen er feil", "lang": "nb"},
        {"id": "c", "text": "Thank you for the quick help with my order"},
    ]
    proc = lydhor("analyze", "-", stdin="\n".join(json.dumps(x) for x in lines).encode())
    assert proc.returncode == 0, proc.stderr.decode()
    return [json.loads(line) for line in proc.stdout.decode().splitlines()]


def test_each_input_line_gives_one_output_line_with_its_id(good_run: list[dict]) -> None:
    assert [o["id"] for o in good_run] == ["a", 7, "c"]


def test_output_carries_every_analysis_field(good_run: list[dict]) -> None:
    expected = {
        "id", "lang", "lang_confidence", "supported", "note", "redacted", "pii", "themes", "theme_details",
        "sentiment", "sentiment_score", "sentiment_cues", "keyphrases",
    }
    for output in good_run:
        assert set(output) == expected


def test_themes_are_ids_and_details_carry_score_and_evidence(good_run: list[dict]) -> None:
    first = good_run[0]
    assert first["lang"] == "da"
    assert "delivery" in first["themes"]
    detail = next(d for d in first["theme_details"] if d["id"] == "delivery")
    assert 0 < detail["score"] <= 1 and detail["evidence"]
    assert first["sentiment"] == "negative"


def test_only_the_redacted_text_is_written(good_run: list[dict]) -> None:
    second = good_run[1]
    assert "912 34 567" not in json.dumps(second)
    assert second["redacted"] == "Ring meg på [PHONE], fakturaen er feil"
    assert second["pii"] == [{"kind": "phone", "start": 12, "end": 22}]
    assert second["lang"] == "nb" and second["lang_confidence"] == 1.0


def test_a_remark_in_another_language_gets_no_themes_and_says_so(good_run: list[dict]) -> None:
    third = good_run[2]
    assert third["lang"] == "en" and third["supported"] is False
    assert third["themes"] == [] and third["sentiment"] == "neutral"
    assert "not Danish or Norwegian" in third["note"]


def test_plain_text_lines_are_numbered_as_ids(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("Hun fik en rigtig god service i butikken\n\nPrisen er steget igen\n", encoding="utf-8")
    proc = lydhor("analyze", str(source), "--lang", "da")
    assert proc.returncode == 0
    outputs = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [o["id"] for o in outputs] == [1, 3]
    assert "price" in outputs[1]["themes"]


def test_bad_lines_are_reported_with_their_number_and_the_run_goes_on() -> None:
    stdin = b"\n".join(
        [
            b'{"id": 1, "text": "Leveringen var hurtig, tak"}',
            b'{"id": 2, "text": ',  # broken JSON
            b'{"id": 3}',  # no text
            json.dumps({"id": 4, "text": "x" * 4001}).encode(),  # too long
            b'{"id": 5, "text": "Pakken kom aldrig \xff frem"}',  # broken UTF-8
            b'{"id": 6, "text": "   "}',  # empty after trimming
            b'{"id": 7, "text": "hej", "colour": "red"}',  # unknown field
            b'{"id": 8, "text": 42}',  # wrong type
            b'{"id": 9, "text": "Appen virker ikke efter opdateringen"}',
        ]
    )
    proc = lydhor("analyze", "-", stdin=stdin)
    assert proc.returncode == 1
    assert [json.loads(line)["id"] for line in proc.stdout.decode().splitlines()] == [1, 9]
    errors = proc.stderr.decode().splitlines()
    assert [e.split(":")[0] for e in errors] == [f"line {n}" for n in (2, 3, 4, 5, 6, 7, 8)]
    assert "invalid JSON" in errors[0]
    assert "text" in errors[1]
    assert "4001 characters" in errors[2]
    assert "UTF-8" in errors[3]
    assert "empty" in errors[4]
    assert "colour" in errors[5]
    assert "Expected `str`" in errors[6]


def test_custom_themes_file_adds_a_theme(tmp_path: Path) -> None:
    themes = tmp_path / "ours.toml"
    themes.write_text(
        '[themes.ferry_delay]\nlabel = { da = "Færgeforsinkelse", en = "Ferry delay" }\n'
        '[themes.ferry_delay.terms.da]\nterms = ["færge"]\nphrases = ["sejlede for sent"]\n',
        encoding="utf-8",
    )
    stdin = json.dumps({"id": 1, "text": "Færgeafgangen kl. 7 blev aflyst igen", "lang": "da"}).encode()
    proc = lydhor("analyze", "--themes", str(themes), "-", stdin=stdin)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "ferry_delay" in json.loads(proc.stdout)["themes"]


def test_an_invalid_themes_file_is_refused_with_a_message(tmp_path: Path) -> None:
    themes = tmp_path / "bad.toml"
    themes.write_text('[themes."Not An Id"]\nlabel = { da = "x" }\n', encoding="utf-8")
    proc = lydhor("analyze", "--themes", str(themes), "-", stdin=b"")
    assert proc.returncode == 2
    assert "theme id 'Not An Id' must be" in proc.stderr.decode()
