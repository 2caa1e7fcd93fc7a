"""core.count_words: the one "1 token" / "2 tokens" rule the window, the CLI and core's words share."""

from desktop_app.core.count_words import counted, plural


def test_one_is_singular_and_none_or_many_plural():
    assert [plural("answer", n) for n in (0, 1, 2)] == ["answers", "answer", "answers"]
    assert counted(1, "rated token") == "1 rated token"
    assert counted(0, "rated token") == "0 rated tokens"
    assert counted(3, "new factual question") == "3 new factual questions"


def test_grouped_counts_write_thousands_with_commas():
    assert counted(1024, "token", grouped=True) == "1,024 tokens"
    assert counted(1024, "token") == "1024 tokens"  # the counts that never grouped keep their look
    assert counted(1, "token", grouped=True) == "1 token"
