"""How plain text is cut into paragraphs: by shape, or as the user says; and what an
index does when that changes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from indexer import Index
from indexer.cli import main
from indexer.paragraphs import split_paragraphs

PROSE = (Path(__file__).resolve().parent / "texts" / "prose.txt").read_text(encoding="utf-8")
LINES = PROSE.splitlines()
# A news article as sites save it: a paragraph per line, and a blank line here and there
# (before a subheading, around a quote).
NEWS_SHAPED = (
    "\n".join(LINES[:4]) + "\n\n" + "\n".join(LINES[4:9]) + "\n\n\n" + "\n".join(LINES[9:])
)
# The same text as a hard-wrapped file: blank lines between paragraphs, lines cut at 72.
WRAPPED = "\n\n".join(textwrap.fill(line, 72) for line in LINES)
STANZAS = (
    "Мороз и солнце; день чудесный!\nЕщё ты дремлешь, друг прелестный —\n"
    "Пора, красавица, проснись:\nОткрой сомкнуты негой взоры\n"
    "Навстречу северной Авроры,\nЗвездою севера явись!\n\n"
    "Вечор, ты помнишь, вьюга злилась,\nНа мутном небе мгла носилась;\n"
    "Луна, как бледное пятно,\nСквозь тучи мрачные желтела,\n"
    "И ты печальная сидела —\nА нынче… погляди в окно:"
)


def test_a_paragraph_per_line_with_a_few_blank_lines_is_not_glued() -> None:
    assert split_paragraphs(NEWS_SHAPED) == LINES


def test_hard_wrapped_paragraphs_between_blank_lines_stay_whole() -> None:
    assert [" ".join(p.split()) for p in split_paragraphs(WRAPPED)] == LINES


def test_a_poem_keeps_its_stanzas() -> None:
    assert split_paragraphs(STANZAS) == STANZAS.split("\n\n")


def test_the_mode_overrides_the_shape() -> None:
    assert split_paragraphs(WRAPPED, "lines") == [
        line for line in WRAPPED.splitlines() if line.strip()
    ]
    blocks = [LINES[:4], LINES[4:9], LINES[9:]]
    assert split_paragraphs(NEWS_SHAPED, "blocks") == ["\n".join(block) for block in blocks]
    assert split_paragraphs(STANZAS, "lines") == STANZAS.replace("\n\n", "\n").split("\n")


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lines"):
        split_paragraphs("текст", "sentences")  # type: ignore[arg-type]
    with Index(tmp_path / "ix") as index, pytest.raises(ValueError, match="blocks"):
        index.sync([tmp_path], paragraphs="pages")  # type: ignore[arg-type]


def test_an_index_reads_a_file_again_when_the_mode_changes(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "news.txt").write_text(NEWS_SHAPED, encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        assert len(index.sync([docs]).added) == 1
        assert [h.paragraph for h in index.search("Облонских")] == [2]
        report = index.sync([docs], paragraphs="blocks")
        assert report.updated == (str(docs / "news.txt"),)
        (hit,) = index.search("Облонских")
        assert hit.paragraph == 1 and hit.text.startswith(LINES[0])
        assert not index.sync([docs], paragraphs="blocks").changed
        assert index.sync([docs]).updated == (str(docs / "news.txt"),)
        assert [h.paragraph for h in index.search("Облонских")] == [2]
        assert not index.sync([docs]).changed


def test_the_command_line_takes_the_mode(capsys, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "news.txt").write_text(NEWS_SHAPED, encoding="utf-8")
    common = ["Облонских", str(docs), "--index", str(tmp_path / "ix"), "--json"]
    assert main(common) == 0
    assert '"paragraph": 2' in capsys.readouterr().out
    assert main([*common, "--paragraphs", "blocks"]) == 0
    assert '"paragraph": 1' in capsys.readouterr().out
    assert main([*common, "--paragraphs", "pages"]) == 2
    assert "--paragraphs" in capsys.readouterr().err


def test_add_takes_the_mode_too(tmp_path: Path) -> None:
    with Index(tmp_path / "ix") as index:
        index.add("стихи", STANZAS, paragraphs="lines")
        assert [h.paragraph for h in index.search("Авроры")] == [5]
