"""``gpt2-desk analyse FILE --export-html OUT.html`` through the real CLI on the tiny model: one page, one span
per scored token, coloured by --measure, saying which model scored it."""

from __future__ import annotations

import json

from desktop_app.core.palette import color_for, css_colours
from desktop_app.core.records import TokenRecord

from tests.test_html100_heatmap_html import parsed

TEXT = "The <b>cat</b> sat.\n\n  Then it   slept & dreamt."


def test_analyse_writes_the_page_beside_the_json(run_cli, tmp_path, tiny_model_dir):
    essay, page, records = tmp_path / "essay.txt", tmp_path / "essay.html", tmp_path / "essay.json"
    essay.write_text(TEXT, encoding="utf-8")
    code, _out, err = run_cli("analyse", str(essay), "--export-html", str(page), "--export-json", str(records),
                              "--measure", "rank")
    assert code == 0, err
    assert "wrote the heatmap page" in err and str(page) in err
    text = page.read_text(encoding="utf-8")
    tree = parsed(text)
    assert tree.faults == [] and tree.open == []
    tokens = [TokenRecord.from_json(t) for t in json.loads(records.read_text(encoding="utf-8"))["tokens"]]
    assert len(tree.spans) == len(tokens) > 5
    # the prefix nothing predicts, then the tokens: the page's text is the file's, escaped, spaces and lines kept
    prefix = json.loads(records.read_text(encoding="utf-8"))["unscored_prefix"]
    assert prefix + "".join(span["text"] for span in tree.spans) == TEXT
    assert "<b>cat" not in text
    for span, record in zip(tree.spans, tokens):
        assert span["style"].startswith(f"--b:{css_colours(color_for(record, 'rank'))[0]};")
    assert f"scored by {tiny_model_dir.name}, the base model (no adapter)" in text and str(tiny_model_dir) not in text  # no path of this computer
    assert "<title>essay.txt</title>" in text


def test_a_page_needs_an_html_name_and_a_new_file(run_cli, tmp_path):
    essay = tmp_path / "essay.txt"
    essay.write_text(TEXT, encoding="utf-8")
    code, _out, err = run_cli("analyse", str(essay), "--export-html", str(tmp_path / "essay.png"))
    assert code == 2 and "--export-html writes a web page" in err
    taken = tmp_path / "taken.html"
    taken.write_text("mine", encoding="utf-8")
    code, _out, err = run_cli("analyse", str(essay), "--export-html", str(taken))
    assert code == 2 and taken.read_text(encoding="utf-8") == "mine"
    code, _out, err = run_cli("analyse", str(essay), "--vs-base", "--export-html", str(tmp_path / "c.html"))
    assert code == 2 and "--export-html" in err
