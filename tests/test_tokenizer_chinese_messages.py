"""helpers/data/chinese_messages.py: the Chinese training text of notebook 01, read offline from the message
catalogue that ships inside Sphinx."""

import regex

from helpers.data.chinese_messages import chinese_messages, sphinx_catalogue_path
from helpers.data.text import CHINESE_PASSAGE


def test_the_catalogue_ships_with_sphinx():
    path = sphinx_catalogue_path()
    assert path.is_file() and path.name == "sphinx.po" and path.parent.parent.name == "zh_CN"


def test_messages_are_many_lines_of_chinese_unlike_the_passage():
    text = chinese_messages()
    lines = text.splitlines()
    assert len(lines) > 500 and all(regex.search(r"\p{Han}", line) for line in lines)
    assert len(regex.findall(r"\p{Han}", text)) > 5_000
    assert "\n" not in "".join(lines) and all(line == line.strip() for line in lines)
    assert CHINESE_PASSAGE[:20] not in text, "the held-out passage must not be in the training text"
    assert chinese_messages() == text  # deterministic


def test_continuation_lines_and_escapes_are_joined(tmp_path, monkeypatch):
    from helpers.data import chinese_messages as module

    po = tmp_path / "sphinx.po"
    po.write_text(
        'msgid "a"\nmsgstr "第一行"\n"第二行 \\"引号\\""\n\n'
        'msgid "b"\nmsgstr ""\n\nmsgid "c"\nmsgstr "only ASCII"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(module, "sphinx_catalogue_path", lambda: po)
    module._messages.cache_clear()
    try:
        assert module.chinese_messages() == '第一行第二行 "引号"'
    finally:
        module._messages.cache_clear()
