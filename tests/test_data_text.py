"""Tests for helpers.data.text: English from Python's documentation, the Chinese passage, the file loader."""

import unicodedata
from pathlib import Path

import pytest

from helpers.data import text as T
from helpers.data.text import (
    CHINESE_PASSAGE,
    MIN_DOC_CHARS,
    english_documents,
    english_split,
    load_text_file,
)


def test_documents_are_many_distinct_long_english_strings():
    docs = english_documents()
    assert len(docs) > 1_000
    assert sum(map(len, docs)) > 1_100_000, "the benchmark needs 1 MB of training and 100 kB of held-out text"
    assert len(set(docs)) == len(docs)
    assert all(isinstance(d, str) and len(d) >= MIN_DOC_CHARS for d in docs)
    joined = " ".join(docs[:200]).lower()
    for word in (" the ", " of ", " and ", " is "):
        assert word in joined
    ascii_share = sum(ch.isascii() for ch in joined) / len(joined)
    assert ascii_share > 0.99


def test_documents_are_a_fresh_list_each_call():
    a = english_documents()
    a.clear()
    assert english_documents()


def test_documents_do_not_depend_on_runtime_patches(monkeypatch):
    """Notebook kernels, pytest and debuggers patch some modules at run time; the text must not change."""
    import code
    import pdb
    import warnings

    before = english_documents()
    monkeypatch.setattr(pdb, "Pdb", type("Pdb", (), {"__doc__": "patched " * 20, "__module__": "pdb"}))
    monkeypatch.setattr(code, "interact", lambda: None)
    monkeypatch.setattr(warnings, "showwarning", lambda *args, **kwargs: None)
    T._documents.cache_clear()
    try:
        assert english_documents() == before
    finally:
        T._documents.cache_clear()


def test_english_split_is_disjoint_sized_and_seeded():
    train, heldout = english_split(60_000, 20_000, seed=3)
    assert len(train) == 60_000 and len(heldout) == 20_000
    docs = english_documents()
    train_docs = [d for d in docs if d in train]
    heldout_docs = [d for d in docs if d in heldout]
    assert train_docs and heldout_docs
    assert not set(train_docs) & set(heldout_docs)
    for piece in heldout.split("\n\n")[:-1]:  # whole held-out documents never occur in the training text
        if len(piece) > 200:
            assert piece not in train
    assert english_split(60_000, 20_000, seed=3) == (train, heldout)
    assert english_split(60_000, 20_000, seed=4) != (train, heldout)


def test_english_split_refuses_more_than_there_is():
    with pytest.raises(ValueError, match="exceeds"):
        english_split(2_000_000, 100_000)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((0, 10), {}, ValueError, "train_chars must be an int >= 1, got 0"),
        ((10, -1), {}, ValueError, "heldout_chars must be an int >= 1, got -1"),
        (("10", 10), {}, TypeError, "train_chars must be an int >= 1, got str"),
        ((10, 1.5), {}, TypeError, "heldout_chars must be an int >= 1, got float"),
        ((10, 10), dict(seed=None), TypeError, "seed must be an int, got NoneType"),
        ((10, 10), dict(seed=True), TypeError, "seed must be an int, got bool"),
    ],
)
def test_english_split_rejects_bad_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=f"^{match}$"):
        english_split(*args, **kwargs)


def test_chinese_passage_is_a_few_hundred_chinese_characters():
    cjk = [ch for ch in CHINESE_PASSAGE if "\u4e00" <= ch <= "\u9fff"]
    assert 400 <= len(CHINESE_PASSAGE) <= 800
    assert len(cjk) / len(CHINESE_PASSAGE) > 0.8
    assert all(len(ch.encode("utf-8")) == 3 for ch in cjk)
    assert all(unicodedata.category(ch)[0] in "LPZ" or ch == "\n" for ch in CHINESE_PASSAGE)


def test_load_text_file_reads_utf8_and_limits(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("Hello World\n你好，世界 🤗\n", encoding="utf-8")
    assert load_text_file(path) == "Hello World\n你好，世界 🤗\n"
    assert load_text_file(str(path)) == "Hello World\n你好，世界 🤗\n"
    assert load_text_file(path, max_chars=5) == "Hello"
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffabc".encode("utf-8"))
    assert load_text_file(bom) == "abc"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert load_text_file(empty) == ""


def test_load_text_file_missing_file_names_the_path(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="no such text file: .*missing.txt"):
        load_text_file(tmp_path / "missing.txt")


def test_load_text_file_non_utf8_gives_the_offset(tmp_path: Path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("café au lait".encode("latin-1"))
    with pytest.raises(ValueError, match=r"not valid UTF-8: byte 3 is b'\\xe9'"):
        load_text_file(path)


def test_load_text_file_rejects_folders_and_bad_arguments(tmp_path: Path):
    with pytest.raises(IsADirectoryError, match="folder"):
        load_text_file(tmp_path)
    with pytest.raises(TypeError, match="path"):
        load_text_file(42)
    (tmp_path / "a.txt").write_text("abc", encoding="utf-8")
    with pytest.raises(ValueError, match="^max_chars must be an int >= 1, got 0$"):
        load_text_file(tmp_path / "a.txt", max_chars=0)
    with pytest.raises(TypeError, match="^max_chars must be an int >= 1, got str$"):
        load_text_file(tmp_path / "a.txt", max_chars="3")
    with pytest.raises(TypeError, match="^max_chars must be an int >= 1, got bool$"):
        load_text_file(tmp_path / "a.txt", max_chars=True)


def test_gather_skips_missing_modules():
    assert T._gather("no_such_module_for_ddl_tests") == []
