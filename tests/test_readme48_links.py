"""README.md and docs/*.md stay true to the checkout: every relative link and image resolves (to a
heading where it names one), the file paths they quote exist, the two fresh-machine commands stay at
the top (CI runs the second), and the Keyboard table lists every shortcut the F1 list shows.

The README was split into a short front page and docs/ (features, benchmarks, measurements); a moved
section or a renamed heading breaks links without anyone seeing it, so these checks read the files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
# measurements.md is a history: it may name files that a later session removed
CURRENT_PAGES = [page for page in PAGES if page.name != "measurements.md"]

START_COMMAND = "bash packaging/install.sh && .venv/bin/gpt2-desk"
TEST_COMMAND = "bash packaging/install.sh --test && .venv/bin/python -m pytest -n 2 --dist loadfile"

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
QUOTED_PATH = re.compile(r"`([\w./-]+/[\w.-]+\.(?:py|md|txt|sh|toml|png|json))`")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
INLINE_CODE = re.compile(r"`(?:[^`\n]|\n(?!\n))*`")  # may wrap a line, not a paragraph


def prose(page: Path) -> str:
    """The page without its code (a `[x](y)` in a shell example or a regex is not a link)."""
    return INLINE_CODE.sub("", FENCE.sub("", page.read_text(encoding="utf-8")))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in prose(page).splitlines() if line.startswith("#")}


def relative_links(page: Path) -> list[str]:
    return [target for target in LINK.findall(prose(page))
            if not re.match(r"[a-z]+:", target)]  # http:, https:, mailto: are not checked here


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_and_image_resolves(page):
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading #{anchor} in {resolved.name}")
    assert not broken, f"{page.name}: " + "; ".join(broken)


@pytest.mark.parametrize("page", CURRENT_PAGES, ids=lambda page: page.name)
def test_quoted_file_paths_exist(page):
    """`bench/x.py`, `core/x.py` (under desktop_app/), `resources/probe.txt`: each names a real file."""
    missing = [path for path in QUOTED_PATH.findall(page.read_text(encoding="utf-8"))
               if not any(base.joinpath(path).exists() for base in (ROOT, ROOT / "desktop_app", page.parent))]
    assert not missing, f"{page.name} names files that do not exist: {missing}"


def test_every_screenshot_is_shown_somewhere():
    shown = " ".join(" ".join(relative_links(page)) for page in PAGES)
    unused = [shot.name for shot in (ROOT / "resources" / "screenshots").glob("*.png") if shot.name not in shown]
    assert not unused, f"screenshots no page shows: {unused}"


def test_the_two_fresh_machine_commands_open_the_readme():
    text = README.read_text(encoding="utf-8")
    first_section = text.split("\n## ", 2)[1]
    assert first_section.startswith("Two commands")
    assert f"```bash\n{START_COMMAND}\n```" in first_section
    assert f"```bash\n{TEST_COMMAND}\n```" in first_section


def test_ci_runs_the_readme_test_command():
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_keyboard_table_lists_every_f1_shortcut():
    from desktop_app.gui.shortcuts import SHORTCUTS

    section = README.read_text(encoding="utf-8").split("\n## Keyboard\n", 1)[1].split("\n## ", 1)[0]
    table_keys = {row.split("|")[1].strip() for row in section.splitlines() if row.startswith("| ")}
    missing = [keys for keys, _ in SHORTCUTS if keys not in table_keys]
    assert not missing, f"README's Keyboard table lacks these F1 shortcuts: {missing}"
