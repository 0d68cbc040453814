"""The command line: output, JSON, exit codes, messages, the index reused and refreshed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ARTICLE, ROOT, hold_writers, touch_later
from indexer.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_default_corpus_search_marks_the_matched_forms(capsys):
    code, out, err = run(capsys, "переговоры")
    assert code == 0
    assert out.splitlines()[0].startswith(f"data{os.sep}lavrov_kerry_syria.txt:1  score ")
    assert "телефонные [[переговоры]] главы" in out
    assert "межсирийских [[переговоров]] по" in out
    assert "indexed: 1 added" in err


def test_json_lines_with_spans_into_the_text(capsys, workdir: Path):
    code, out, _ = run(capsys, "Лавров", str(workdir), "--json", "--limit", "2")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(records) == 2
    assert set(records[0]) == {"source", "paragraph", "score", "text", "spans"}
    for record in records:
        assert {record["text"][a:b] for a, b in record["spans"]} <= {"Лавров", "Лаврова"}
    assert "Лавров" in out  # real Cyrillic, not \\u escapes


def test_second_search_reuses_the_index_and_notices_changes(capsys, workdir: Path):
    run(capsys, "переговоры", str(workdir))
    code, _, err = run(capsys, "переговоры", str(workdir))
    assert code == 0 and err == ""
    article = workdir / ARTICLE.name
    article.write_text("Переговоры сорвались.\n", encoding="utf-8")
    touch_later(article)
    code, out, err = run(capsys, "переговоры", str(workdir))
    assert "1 updated" in err and "[[Переговоры]] сорвались." in out


def test_no_results_exits_1(capsys):
    code, out, err = run(capsys, "землетрясение")
    assert (code, out) == (1, "")
    assert "землетрясение" in err


# argv                                    message on stderr
USAGE_ERRORS = [
    (["прекращение", "огня"], 'quote them as one argument: search.py "прекращение огня"'),
    (["кто и что"], "only common words"),
    (['"прекращение огня'], "unclosed quote at position 1"),
    (["(Лавров"], "--literal"),
    ([""], "the query is empty"),
    (["переговоры", "--limit", "0"], "must be at least 1"),
    (["переговоры", "--limit", "много"], "expected a whole number"),
    (["переговоры", "нет/такого/пути.txt"], "no such file or directory"),
    (["переговоры", "--bogus"], "unrecognized arguments"),
]


@pytest.mark.parametrize(("argv", "message"), USAGE_ERRORS)
def test_usage_and_input_errors_exit_2_with_one_line(capsys, monkeypatch, argv, message):
    monkeypatch.setattr(sys, "argv", ["search.py"])
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_literal_searches_syntax_as_words(capsys):
    code, out, _ = run(capsys, '"прекращение огня', "--literal")
    assert code == 0 and "[[прекращения]] [[огня]]" in out


@pytest.mark.parametrize("kind", ["file", "foreign"])
def test_an_index_location_that_is_not_ours_exits_2(capsys, tmp_path: Path, kind: str):
    place = tmp_path / "place"
    if kind == "file":
        place.write_text("не индекс")
    else:
        place.mkdir()
        (place / "notes.txt").write_text("чужие заметки")
    code, _, err = run(capsys, "переговоры", "--index", str(place))
    assert code == 2 and "place" in err
    assert place.exists() and (kind == "file" or (place / "notes.txt").exists())


def test_a_binary_file_in_a_folder_is_a_warning_only(capsys, workdir: Path):
    (workdir / "broken.txt").write_bytes(bytes(range(256)) * 4)
    code, out, err = run(capsys, "переговоры", str(workdir), "--quiet")
    assert code == 0 and "[[переговоры]]" in out
    assert "skipped 1 unreadable file(s): " in err and "broken.txt" in err


def test_busy_index_is_searched_as_it_is(capsys, tmp_path: Path, workdir: Path):
    run(capsys, "переговоры", str(workdir), "--index", str(tmp_path / "ix"))
    (workdir / "new.txt").write_text("Переговоры.", encoding="utf-8")
    with hold_writers(tmp_path / "ix"):
        code, out, err = run(capsys, "переговоры", str(workdir), "--index", str(tmp_path / "ix"))
    assert code == 0 and "searching the index as it is" in err
    assert "new.txt" not in out


def test_rebuild(capsys, workdir: Path):
    run(capsys, "переговоры", str(workdir))
    code, _, err = run(capsys, "переговоры", str(workdir), "--rebuild")
    assert code == 0 and "1 added" in err


def _python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_search_py_end_to_end_in_a_subprocess(tmp_path: Path):
    env = {"XDG_CACHE_HOME": str(tmp_path), "LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": ""}
    done = _python("search.py", '"прекращение огня"', "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["paragraph"] for line in done.stdout.splitlines()] == [5, 6]
    again = _python("search.py", "Сирия -перемирие", env=env)
    assert again.returncode == 0 and again.stderr == ""
    assert "Traceback" not in again.stderr


def test_help_does_not_load_the_heavy_modules():
    code = (
        "import sys\n"
        "from indexer.cli import main\n"
        "assert main(['--help']) == 0\n"
        "heavy = {'pymorphy3', 'whoosh'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = _python("-c", code)
    assert done.returncode == 0, done.stderr
    assert "query syntax" in done.stdout


def test_correction_is_announced_and_searched(capsys):
    code, out, err = run(capsys, "gthtvbhbt", "--quiet")
    assert code == 0 and "[[перемирия]]" in out
    assert "«gthtvbhbt» found nothing; showing results for «перемирие»" in err
    code, out, _ = run(capsys, "gthtvbhbt", "--json")
    assert all(json.loads(line)["corrected_query"] == "перемирие" for line in out.splitlines())


def test_did_you_mean_and_no_correct(capsys):
    code, _, err = run(capsys, "Сирия перимирие", "--quiet")
    assert code == 0 and "did you mean «Сирия перемирие»?" in err
    code, out, err = run(capsys, "перимирия", "--no-correct", "--quiet")
    assert (code, out, err) == (1, "", "")


def test_explain_prints_the_score_taken_apart(capsys):
    code, out, _ = run(capsys, "Лавров переговоры", "--explain", "--limit", "1")
    assert code == 0
    assert "2 of 2 query words matched" in out and "BM25 with tf" in out
    code, out, _ = run(capsys, "Лавров", "--explain", "--json", "--limit", "1")
    assert any("lemma «лавров»" in line for line in json.loads(out)["explanation"])
