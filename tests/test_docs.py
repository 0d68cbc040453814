"""The README tells the truth: its Python example runs, every option is documented."""

from __future__ import annotations

import os
import re

import pytest

from conftest import ROOT
from indexer.cli import build_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs_and_prints_what_it_shows(capsys, monkeypatch):
    code = re.search(r"```python\n(.*?)```", README, re.DOTALL).group(1)
    shown = re.search(r"prints\n\n```\n(.*?)```", README, re.DOTALL).group(1)
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    for line, expected in zip(printed.splitlines(), shown.splitlines(), strict=True):
        start, _, end = expected.partition("/…/")
        assert line.startswith(start) and line.endswith(end.replace("/", os.sep)), line


@pytest.mark.parametrize(
    "option",
    [a.option_strings[-1] for a in build_parser()._actions if a.option_strings][1:],
)
def test_every_cli_option_is_in_the_readme(option: str) -> None:
    if option != "--version":
        assert option in README


def test_the_two_commands_are_in_the_readme_and_ci_runs_the_second() -> None:
    install_and_search = "python -m pip install -e . && python search.py переговоры"
    install_and_test = "python -m pip install -e '.[test]' && python -m pytest"
    assert install_and_search in README and install_and_test in README
    assert install_and_test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _table_rows(heading: str) -> list[list[str]]:
    section = README.split(heading, 1)[1]
    table = re.search(r"\n(\|.*?)\n\n", section, re.DOTALL).group(1)
    return [
        [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        for line in table.splitlines()[2:]
    ]


@pytest.mark.parametrize("row", _table_rows("## Query syntax"), ids=lambda row: row[0])
def test_query_syntax_table_is_real_output(article_index, row: list[str]) -> None:
    query, _, numbers, marked = row
    results = article_index.search(query)
    assert [str(h.paragraph) for h in results] == numbers.split(", ")
    forms = list(dict.fromkeys(h.text[a:b] for h in results for a, b in h.spans))
    assert forms == marked.split(", ")


@pytest.mark.parametrize("row", _table_rows("### When the query finds nothing"), ids=str)
def test_recovery_table_is_real_output(article_index, fixture_index, row: list[str]) -> None:
    typed, searched, _ = row
    index = fixture_index if typed == "пщщпду" else article_index
    assert index.search(typed).corrected == searched
