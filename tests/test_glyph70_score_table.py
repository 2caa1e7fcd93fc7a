"""glyph70: `gpt2-desk score`'s per-token table (its output when piped) had an empty text column for a token that
holds only a piece of a character, and for a lone invisible one (a ZERO WIDTH JOINER, a variation selector): each
row now says what the inspector says of it."""

from __future__ import annotations

TEXT = "\u65e5\u672c\u306e\u9996\u90fd \u2764\ufe0f a\u200db"  # 日本の首都, a red heart, a joiner


def _table_rows(out: str) -> list[list[str]]:
    lines = out.splitlines()
    header = lines.index("index\ttoken\tprobability\tlog_probability\trank\tentropy_bits")
    return [line.split("\t") for line in lines[header + 1:] if line]


def test_every_row_of_the_score_table_says_its_token(run_cli):
    code, out, err = run_cli("score", TEXT)
    assert code == 0, err
    tokens = [row[1] for row in _table_rows(out)]
    assert all(tokens), tokens  # a piece's column was empty
    assert any(token == "(part of \u201c\u9996\u201d)" for token in tokens), tokens
    assert any(token.startswith("<U+200D>") for token in tokens), tokens
    assert not any("\u200d" in token.split("(part of")[0] for token in tokens), "the joiner is named, not printed"


def test_a_cluster_s_tokens_name_the_whole_cluster_in_the_table():
    from desktop_app.cli.model_cmds import token_table
    from helpers import token_record

    texts = ["ok", " ", "", "\U0001F44D", "", "", "\U0001F3FD", " ", "", "\ufe0f"]
    rows = [line.split("\t")[1] for line in token_table([token_record(i, t, 0.5) for i, t in enumerate(texts)]).splitlines()[1:]]
    assert rows[2] == rows[4] == "(part of \u201c\U0001F44D\U0001F3FD\u201d)"
    assert rows[3] == "\U0001F44D (part of \u201c\U0001F44D\U0001F3FD\u201d)"
    assert rows[9].startswith("<U+FE0F>"), rows
