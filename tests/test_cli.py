"""The command line: output, JSON, exit codes, messages, the index reused and refreshed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ARTICLE, ROOT, hold_writers, interruptible, touch_later
from indexer.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_default_corpus_search_marks_the_matched_forms(capsys):
    code, out, err = run(capsys, "переговоры", "--markers")
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
    code, out, err = run(capsys, "переговоры", str(workdir), "--markers")
    assert "1 updated" in err and "[[Переговоры]] сорвались." in out


def test_no_results_exits_1(capsys):
    code, out, err = run(capsys, "землетрясение")
    assert (code, out) == (1, "")
    assert "землетрясение" in err


# argv                                    message on stderr
USAGE_ERRORS = [
    (["прекращение", "огня"], 'quote them as one argument: search.py "прекращение огня"'),
    (["кто и что"], "only common words"),
    (['"прекращение огня', "--strict"], "unclosed quote at position 1"),
    (["(Лавров", "--strict"], "--literal"),
    (["Лавров AND"], "AND at position 8 has nothing after it"),
    ([""], "the query is empty"),
    (["переговоры", "--limit", "0"], "must be at least 1"),
    (["переговоры", "--limit", "много"], "expected a whole number"),
    (["переговоры", "нет/такого/пути.txt"], "no such file or directory"),
    (["переговоры", "--bogus"], "unrecognized arguments"),
    ([], "the query is missing"),
    (["переговоры", "--index", "ix", "--rebuild"], "--rebuild needs the files or folders"),
    (["переговоры", "-C", "-1"], "must be at least 0"),
    (["переговоры", "--color", "sometimes"], "invalid choice: 'sometimes'"),
]


@pytest.mark.parametrize(("argv", "message"), USAGE_ERRORS)
def test_usage_and_input_errors_exit_2_with_one_line(capsys, monkeypatch, argv, message):
    monkeypatch.setattr(sys, "argv", ["search.py"])
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_literal_searches_syntax_as_words(capsys):
    code, out, _ = run(capsys, '"прекращение огня', "--literal", "--markers")
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
    code, out, err = run(capsys, "переговоры", str(workdir), "--quiet", "--markers")
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
    # Exit status 1: the query as typed found nothing, whatever its correction shows.
    code, out, err = run(capsys, "gthtvbhbt", "--quiet", "--markers")
    assert code == 1 and "[[перемирия]]" in out
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


# -- what a grep user expects (subprocess runs of search.py: real exit codes and streams) --


def search_py(
    *args: str, cwd: Path = ROOT, stdout: int = subprocess.PIPE, **env: str
) -> subprocess.CompletedProcess[str]:
    """``python search.py ARGS`` in ``cwd``, with the test's private cache."""
    return subprocess.run(
        [sys.executable, str(ROOT / "search.py"), *args],
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def cache_entries() -> list[str]:
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "indexer"
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_options_go_anywhere(workdir: Path):
    done = search_py("Лавров", "-n", "1", str(workdir), "--json")
    assert done.returncode == 0, done.stderr
    # «Лаврова» (only the surname) ranks above «Лавров» (also «лавров», of «лавр»).
    assert [json.loads(line)["paragraph"] for line in done.stdout.splitlines()] == [1]
    first = search_py("-n", "1", "--json", "Лавров", str(workdir))
    assert first.stdout == done.stdout


def test_a_query_that_starts_with_a_dash_goes_after_two_dashes():
    done = search_py("--json", "--", "-перемирие Сирия")
    assert done.returncode == 0, done.stderr
    found = {json.loads(line)["paragraph"] for line in done.stdout.splitlines()}
    assert found == {8, 3, 6, 1, 2}
    hint = search_py("-Керри")
    assert hint.returncode == 2 and "goes after --: search.py -- -слово" in hint.stderr


def test_index_without_paths_is_searched_as_it_is(tmp_path: Path, workdir: Path):
    (workdir / ARTICLE.name).write_text("Лавров провёл переговоры в Женеве.\n", encoding="utf-8")
    index = tmp_path / "ix"
    built = search_py("переговоры", str(workdir), "--index", str(index), "-q")
    assert built.returncode == 0, built.stderr
    done = search_py("переговоры", "--index", str(index), "--json")
    assert done.returncode == 0 and done.stderr == ""  # nothing synced
    hits = [json.loads(line) for line in done.stdout.splitlines()]
    assert [h["text"] for h in hits] == ["Лавров провёл переговоры в Женеве."]
    missing = search_py("переговоры", "--index", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no index at" in missing.stderr
    assert not (tmp_path / "nothing").exists()


def test_paths_limit_the_search_of_a_shared_index(tmp_path: Path, workdir: Path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.txt").write_text("Переговоры в Женеве продолжатся.\n", encoding="utf-8")
    index = str(tmp_path / "ix")
    assert search_py("переговоры", str(workdir), "--index", index).returncode == 0
    done = search_py("переговоры", str(other), "--index", index, "-l", "-q")
    assert done.stdout.splitlines() == [str(other / "note.txt")]
    both = search_py("переговоры", "--index", index, "-l")
    assert len(both.stdout.splitlines()) == 2


def test_files_with_matches_counts_and_total(tmp_path: Path, workdir: Path):
    (workdir / "note.txt").write_text(
        "Лавров прилетел.\n\nЛавров улетел.\n\nКерри остался.\n", encoding="utf-8"
    )
    article, note = str(workdir / ARTICLE.name), str(workdir / "note.txt")
    listed = search_py("Лавров", str(workdir), "-l", "-q")
    assert (listed.returncode, sorted(listed.stdout.splitlines())) == (0, sorted([article, note]))
    counted = search_py("Лавров", str(workdir), "-c", "-q")
    assert sorted(counted.stdout.splitlines()) == sorted([f"{article}:3", f"{note}:2"])
    total = search_py("Лавров", str(workdir), "--total", "-q")
    assert total.stdout == "5\n"
    as_json = search_py("Лавров", str(workdir), "-c", "--json", "-q")
    assert {json.loads(line)["count"] for line in as_json.stdout.splitlines()} == {3, 2}
    none = search_py("землетрясение", str(workdir), "--total", "-q")
    assert (none.returncode, none.stdout) == (1, "0\n")
    both = search_py("Лавров", str(workdir), "-l", "-c")
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_context_paragraphs_around_a_hit():
    done = search_py('"телефонные переговоры"', "-C", "1", "--markers")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"data{os.sep}lavrov_kerry_syria.txt:1  score ")
    assert lines[2] == f"data{os.sep}lavrov_kerry_syria.txt-2"  # no paragraph 0 before it
    assert lines[3].startswith('  "В соответствии с поручением президентов')
    before = search_py("Асад", "-B", "2", "-A", "5", "--json")
    record = json.loads(before.stdout)
    assert record["paragraph"] == 11 and record["after"] == []  # the last paragraph
    assert [p["paragraph"] for p in record["before"]] == [9, 10]
    assert record["before"][1]["text"].startswith("Саудовская Аравия поможет России")


def test_colour_markers_and_plain_output():
    plain = search_py("переговоры", "-n", "1")
    assert "телефонные переговоры главы" in plain.stdout
    assert "[[" not in plain.stdout and "\x1b[" not in plain.stdout
    marked = search_py("переговоры", "-n", "1", "--markers")
    assert "телефонные [[переговоры]] главы" in marked.stdout
    coloured = search_py("переговоры", "-n", "1", "--color", "always", NO_COLOR="1")
    assert "телефонные \x1b[1;31mпереговоры\x1b[0m главы" in coloured.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("no_color", "coloured"), [("", True), ("1", False)])
def test_colour_on_a_terminal_unless_no_color(no_color: str, coloured: bool):
    import pty

    leader, follower = pty.openpty()
    with os.fdopen(leader, "rb", buffering=0) as terminal:
        done = subprocess.run(
            [sys.executable, str(ROOT / "search.py"), "переговоры", "-n", "1", "-q"],
            cwd=ROOT,
            stdout=follower,
            stderr=subprocess.PIPE,
            env={**os.environ, "NO_COLOR": no_color},
            timeout=120,
        )
        os.close(follower)
        out = b""
        with pytest.raises(OSError):  # EIO once the terminal's output is all read
            while chunk := terminal.read(4096):
                out += chunk
    assert done.returncode == 0
    assert (b"\x1b[1;31m" in out) is coloured and b"[[" not in out


def test_full_paragraph_on_request(workdir: Path):
    long = " ".join(["Женева"] + ["слово"] * 200 + ["переговоры"])
    (workdir / "long.txt").write_text(long + "\n", encoding="utf-8")
    cut = search_py("Женева", str(workdir), "-q")
    assert cut.stdout.splitlines()[1].endswith("…") and "переговоры" not in cut.stdout
    full = search_py("Женева", str(workdir), "-q", "--full")
    assert full.stdout.splitlines()[1] == "  " + long


def test_a_subfolder_is_searched_in_its_folders_index(tmp_path: Path, workdir: Path):
    sub = workdir / "sub"
    sub.mkdir()
    (sub / "note.txt").write_text("Лавров прилетел в Женеву.\n", encoding="utf-8")
    assert search_py("Лавров", str(workdir), "-q").returncode == 0
    assert len(cache_entries()) == 1
    where = search_py("--where", str(sub))
    assert where.stdout == search_py("--where", str(workdir)).stdout
    done = search_py("Лавров", str(sub), "-l")
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{sub / 'note.txt'}\n", "")
    assert len(cache_entries()) == 1


def test_a_second_folder_grows_the_first_ones_index(tmp_path: Path, workdir: Path):
    second = tmp_path / "second"
    second.mkdir()
    (second / "note.txt").write_text("Лавров прилетел в Женеву.\n", encoding="utf-8")
    assert search_py("Лавров", str(workdir), "-q").returncode == 0
    both = search_py("Лавров", str(workdir), str(second), "-c")
    assert both.returncode == 0 and "indexed: 1 added, 0 updated" in both.stderr
    assert len(both.stdout.splitlines()) == 2 and len(cache_entries()) == 1
    alone = search_py("Лавров", str(workdir), "-c")
    assert (alone.stdout, alone.stderr) == (f"{workdir / ARTICLE.name}:3\n", "")
    assert search_py("--where", str(workdir)).stdout == search_py("--where", str(second)).stdout


def test_list_and_drop_indexes(workdir: Path):
    assert search_py("Лавров", str(workdir), "-q").returncode == 0
    assert search_py("Лавров", "-q").returncode == 0
    listed = search_py("--indexes", "--json")
    records = [json.loads(line) for line in listed.stdout.splitlines()]
    assert sorted(r["paths"][0] for r in records) == sorted(
        [str(workdir.resolve()), str(ROOT / "data")]
    )
    assert all(r["size"] > 10_000 and r["sources"] == 1 for r in records)
    text = search_py("--indexes").stdout
    assert f"1 file  {workdir.resolve()}" in text
    location = search_py("--where", str(workdir)).stdout.strip()
    dropped = search_py("--drop", str(workdir))
    assert dropped.returncode == 0 and f"removed {location}" in dropped.stderr
    assert not os.path.exists(location) and len(cache_entries()) == 1
    again = search_py("--drop", str(workdir))
    assert again.returncode == 2 and "no index at" in again.stderr


def test_a_failed_first_run_leaves_no_index(workdir: Path):
    done = search_py("переговоры", str(workdir), "нет/такого/пути.txt")
    assert done.returncode == 2 and "no such file or directory" in done.stderr
    assert cache_entries() == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_disk_for_the_output_is_one_line_and_status_2():
    with open("/dev/full", "w") as full:
        done = search_py("переговоры", "-q", stdout=full.fileno())
    assert done.returncode == 2
    assert done.stderr == "search.py: cannot write the results: No space left on device\n"


def test_a_closed_pipe_ends_quietly():
    reader, writer = os.pipe()
    os.close(reader)  # as `| head -0` would
    try:
        done = search_py("переговоры", "-q", stdout=writer)
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the workers in /proc")
@pytest.mark.parametrize("delay", [0.0, 1.0], ids=["as the workers start", "as they work"])
def test_ctrl_c_during_a_parallel_build_ends_every_process_quietly(tmp_path: Path, delay: float):
    import signal
    import time

    from indexer.sync import PARALLEL_MIN_BYTES

    docs = tmp_path / "docs"
    docs.mkdir()
    text = ARTICLE.read_text(encoding="utf-8")
    for number in range(PARALLEL_MIN_BYTES // len(text.encode()) + 50):
        (docs / f"{number}.txt").write_text(f"Документ {number}.\n\n{text}", encoding="utf-8")
    started = subprocess.Popen(
        [sys.executable, str(ROOT / "search.py"), "переговоры", str(docs), "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=interruptible,
    )
    deadline = time.monotonic() + 60
    while not _children(started.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _children(started.pid), "no worker processes started"
    time.sleep(delay)
    os.killpg(started.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    try:
        _, err = started.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(started.pid, signal.SIGKILL)
        started.communicate()
        pytest.fail("the interrupted search did not end")
    assert started.returncode == 130
    assert err.strip().splitlines()[-1].startswith("search.py: interrupted")
    assert "Traceback" not in err and "ForkPoolWorker" not in err
    if not delay:  # interrupted before it wrote anything, the first build left no index
        assert cache_entries() == []


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def test_python_m_indexer_runs_the_command_line():
    done = _python("-m", "indexer", "переговоры", "--total", "-q")
    assert (done.returncode, done.stdout, done.stderr) == (0, "2\n", "")
    usage = _python("-m", "indexer", "--bogus")
    assert usage.returncode == 2 and usage.stderr.startswith("python -m indexer: ")


def test_the_cache_is_readable_by_its_user_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stat

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, _, _ = run(capsys, "переговоры", str(ARTICLE), "-q")
    assert code == 0
    root = tmp_path / "cache" / "indexer"
    (index,) = [p for p in root.iterdir() if p.is_dir()]
    for folder in (root, index):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    # One that an older version left readable by others is narrowed.
    root.chmod(0o755)
    assert run(capsys, "переговоры", str(ARTICLE), "-q")[0] == 0
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_a_pasted_question_with_unbalanced_quotes_is_searched_as_words(capsys):
    code, out, err = run(
        capsys, 'Как "прекращение огня» в Сирии обсуждали Лавров и Керри?', "--markers"
    )
    assert code == 0 and "[[прекращения]] [[огня]]" in out
    assert "unclosed quote at position 5: searched as plain words" in err


@pytest.mark.parametrize(
    "query",
    [
        "-Сирии AND Лавров России",
        "(" * 200 + "Лавров",
        "НЕ" * 500,
        "\U0001726d",
        "\udcffC*",
        "Лавров\nКерри (",
        "НЕВИНОВЕН" * 2000,
    ],
)
def test_hostile_queries_give_a_status_and_one_line_messages(capsys, monkeypatch, query: str):
    monkeypatch.setattr(sys, "argv", ["search.py"])
    code, _, err = run(capsys, query)
    assert code in (0, 1, 2)
    assert all(line.startswith("search.py: ") for line in err.splitlines())
    assert "Traceback" not in err


def test_a_query_taken_for_an_option_is_quoted_on_one_line(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["search.py"])
    code, _, err = run(capsys, "-\nЛавров\nAND", "data")
    assert code == 2 and len(err.splitlines()) == 1
