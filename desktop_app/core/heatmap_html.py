"""A heatmap as one self-contained HTML page, to share an analysed text or an answer so that others can
hover it: each token on the measure's colour (the window's, core/palette.py; the dark scale under
``prefers-color-scheme: dark``), a key of the colours, and over a token (hovered, focused with Tab, or
tapped) a box with its figures as the window's tooltip says them (core/token_words.py).

No network and no other file: the style and a short script are inline. The figures travel as one JSON block the
script reads, not as markup around every token, so 1,000 tokens make a page of a few hundred KB. Printed
(``@media print``), each token's probability is written small after it, from its span's ``data-p`` (a dozen bytes a
token): a handout has no hover (usertest71).

Each text is one Tab stop, not one per token (a long page had thousands): Tab lands on the text's current token,
the arrow keys move between its tokens (a roving tabindex), Home and End go to its ends, and the box follows.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.grapheme_cells import drawn_texts
from desktop_app.core.palette import (KEY_LABELS, MEASURES, RANK_BUCKETS, change_color, change_palette, color_for,
                                      css_colours, sequential_color, sequential_palette)
from desktop_app.core.percent_words import percent
from desktop_app.core.piece_words import model_short_name
from desktop_app.core.records import TokenRecord
from desktop_app.core.summary_html import SUMMARY_STYLE, summary_html
from desktop_app.core.text_export import write_text_atomically
from desktop_app.core.token_words import (cell_texts, completed_character, listed_label, listed_percents, marks_words,
                                          ordered_alternatives, piece_label, rows_through_ties, token_percent)

TOKEN_CLASS = "t"  # every scored token's span has it, and only they do (the script and the tests find them by it)
# a model's continuation in a text, as the Text tab and its PNG show it (usertest55: the page showed the whole text as
# one, a story's reader could not tell the writer's words from the model's)
MODEL_CLASS, MODEL_START_CLASS = "m", "ms"
MODEL_WORDS = "In italics, after an orange bar: the model's continuation (the rest was written by a person)."
ALTERNATIVES = 5  # rows in a token's box, as in the window's tooltip
# a piece's mark in half its width, as the window's heatmap draws it (gui/token_view.PIECE_SPACING): an emoji family's
# ~11 tokens had drawn a row of full-width dots before its glyph; the negative margins take a quarter of the mark's
# advance on each side, so the dot stays in the middle of its narrower cell, its colour and box kept (layout71):
# the rule ".t.e::before" in STYLE

STYLE = """
body{font:16px/1.6 system-ui,sans-serif;margin:2em auto;max-width:52em;padding:0 1em;color:#1d1d1f;background:#fff}
h1{font-size:1.4em;margin:0 0 .2em}
.by{color:#555;margin:0 0 1em}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:15px}
.t{background:var(--b);color:var(--c);border-radius:2px;cursor:default}
.t:focus{outline:2px solid #0a64d8;outline-offset:1px}
.t.nl::before{content:"\\21b5"}
.t.m{font-style:italic}
.t.ms{box-shadow:-2px 0 0 #f76707}
.t.e::before{content:"\\b7";margin:0 -.25ch}
.key{margin:1.5em 0 0;font-size:13px;color:#555}
.bar{display:inline-block;width:12em;height:.9em;vertical-align:middle;margin:0 .5em;background:var(--g)}
.sw{display:inline-block;width:.9em;height:.9em;vertical-align:middle;margin:0 .3em 0 .8em;background:var(--b)}
#tip{position:absolute;display:none;z-index:9;max-width:32em;padding:.5em .7em;border:1px solid #aaa;border-radius:4px;
 background:#fffff4;color:#111;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 2px 8px #0003;white-space:pre}
#tip table{border-spacing:.6em 0;margin:.3em -.6em 0}
#tip td.p{text-align:right}
#tip .m{color:#777;white-space:normal}
#tip .c{margin-top:.3em;white-space:normal}
@media (prefers-color-scheme:dark){
 body{color:#e6e6e6;background:#1e1f22}
 .by,.key{color:#aaa}
 .t{background:var(--B);color:var(--C)}
 .bar{background:var(--G)}
 .sw{background:var(--B)}
 #tip{background:#2b2d31;color:#eee;border-color:#555}
 #tip .m{color:#999}
}
@media print{
 body{margin:0;max-width:none;color:#000;background:#fff}
 .t,.sw,.bar{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .t,.sw{background:var(--b);color:var(--c)}
 .bar{background:var(--g)}
 .t::after{content:attr(data-p);font:normal 8px/1 system-ui,sans-serif;vertical-align:super;color:#000;background:#fff;padding:0 1px}
 .t.nl::after{content:none}
 .by::after{content:" Printed: each token's probability is written small after it."}
 #tip{display:none}
}
"""

# builds the box from the JSON figures with textContent only: a token's text is never read as markup. A click
# shows the box and never toggles it: a tap also focuses the token (which shows it), and a toggle hid it again
SCRIPT = """
(function(){
var F=JSON.parse(document.getElementById('figures').textContent);
var spans=Array.prototype.slice.call(document.querySelectorAll('.t'));
var tip=document.getElementById('tip'),shown=null;
function add(p,tag,text,cls){var e=document.createElement(tag);if(text!==undefined)e.textContent=text;
 if(cls)e.className=cls;p.appendChild(e);return e;}
function fill(f){tip.textContent='';add(add(tip,'div'),'b',f[0]);
 add(tip,'div','probability '+f[1]+'  log-prob '+f[2]);
 add(tip,'div','rank '+f[3]+'  entropy '+f[4]+' bits  surprisal '+f[5]+' bits');
 if(f[6].length){var t=add(tip,'table');f[6].forEach(function(a){var r=add(t,'tr');
  add(r,'td',a[3]?'\\u25b8':'');add(r,'td',a[0]);add(r,'td',a[1],'p');add(r,'td',a[2]?'tie':'');});}
 if(f[8])add(tip,'div',f[8],'c');
 if(f[7])add(tip,'div',f[7],'m');}
function show(el){var i=spans.indexOf(el);if(i<0)return;shown=el;fill(F[i]);tip.style.display='block';
 var r=el.getBoundingClientRect(),x=r.left+window.scrollX,y=r.bottom+window.scrollY+4;
 var w=tip.offsetWidth,room=document.documentElement.clientWidth+window.scrollX-8;
 tip.style.left=Math.max(4,Math.min(x,room-w))+'px';tip.style.top=y+'px';}
function hide(){tip.style.display='none';shown=null;}
function token(e){return e.target.closest?e.target.closest('.t'):null;}
document.addEventListener('mouseover',function(e){var el=token(e);if(el)show(el);else if(!tip.contains(e.target))hide();});
document.addEventListener('focusin',function(e){var el=token(e);if(el)show(el);});
document.addEventListener('focusout',function(e){if(token(e)===shown)hide();});
document.addEventListener('click',function(e){var el=token(e);if(el)show(el);else if(!tip.contains(e.target))hide();});
function rove(el){var now=el.closest('.text').querySelector('.t[tabindex="0"]');
 if(now&&now!==el)now.tabIndex=-1;el.tabIndex=0;}
var STEP={ArrowRight:1,ArrowLeft:-1};
document.addEventListener('focusin',function(e){var el=token(e);if(el)rove(el);});
document.addEventListener('keydown',function(e){if(e.key==='Escape'){hide();return;}
 var el=token(e);if(!el||e.altKey||e.ctrlKey||e.metaKey)return;
 var all=el.closest('.text').querySelectorAll('.t'),i=Array.prototype.indexOf.call(all,el),to=-1;
 if(e.key in STEP)to=Math.max(0,Math.min(all.length-1,i+STEP[e.key]));
 else if(e.key==='Home')to=0;else if(e.key==='End')to=all.length-1;else return;
 e.preventDefault();all[to].focus();});
})();
"""


@dataclass
class ChangeColours:
    """"Fine-tune's change" on a page: each token coloured by ``deltas`` (its log-probability after minus before,
    nats; full colour at +-``scale``) as the Text tab and its PNG colour it, its box saying ``before`` (the
    probabilities under ``before_name``) against its own under ``after_name``, and ``caption`` the key's words."""

    deltas: list
    before: list
    scale: float
    before_name: str
    after_name: str
    caption: str

    @classmethod
    def of_change(cls, change, scale: float, caption: str, after_name: str) -> "ChangeColours":
        """From a core.adapter_change.TextChange (its records are the adapter's; ``base`` the ones before)."""
        return cls(list(change.deltas), [r.prob for r in change.base.records], scale, change.compared_with,
                   after_name, caption)

    def colours(self, index: int, dark: bool):
        """The token's change colour; None past the tokens both passes scored (plain: nothing to say)."""
        return change_color(self.deltas[index], self.scale, dark=dark) if index < len(self.deltas) else None

    def words(self, index: int, record: TokenRecord) -> str:
        if index >= min(len(self.deltas), len(self.before)):
            return ""
        return (f"before, under {self.before_name}: {self.before[index] * 100:.2f}%; after, under {self.after_name}: "
                f"{record.prob * 100:.2f}% ({self.deltas[index]:+.2f} nats)")


def heatmap_html(records: list[TokenRecord], measure: str = "probability", *, title: str, model: str,
                 adapter: str | None = None, prefix: str = "", change: ChangeColours | None = None,
                 model_written=(), summary=None, summary_about: str = "") -> str:
    """The page: ``title``, a line saying ``model`` (a model id) (and ``adapter``, the words naming it, e.g. "adapter 3
    “terse”"; None: the base model) scored it, ``prefix`` (the text before the first record, which nothing predicts)
    uncoloured, then each record's text on its colour under ``measure`` (or ``change``'s), the key, and every
    token's figures. ``model_written``: the indices of the records a model's continuation wrote, in italics after
    an orange bar, and a line under the key says so. ``summary``: an analysed text's TextSummary, as a section
    under the key (``summary_html``; ``summary_about`` says which tokens it is of); None for an answer."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose from {', '.join(MEASURES)}")
    written = set(model_written)
    note = f"<p class=\"key\">{html.escape(MODEL_WORDS, quote=False)}</p>\n" if written else ""
    body = (f"<h1>{html.escape(title)}</h1>\n<p class=\"by\">{html.escape(scored_by_line(model, adapter, len(records)))}"
            f"</p>\n{text_html(records, measure, prefix, change, written)}\n"
            f"{change_key_html(change) if change is not None else key_html(measure)}\n{note}"
            f"{summary_html(summary, summary_about)}")
    return page_html(title, body, figures_json(records, change), style=SUMMARY_STYLE if summary is not None else "")


def page_html(title: str, body: str, figures: str, *, style: str = "") -> str:
    """The page around ``body`` (markup, escaped already): the style (and ``style``, a page's own), the box,
    ``figures`` (``figures_json``: one entry per token span in ``body``, in their order) and the script."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"color-scheme\" content=\"light dark\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}{style}</style>\n</head>\n<body>\n{body}"
        "<div id=\"tip\" role=\"tooltip\"></div>\n"
        f"<script type=\"application/json\" id=\"figures\">{figures}</script>\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n")


def text_html(records: list[TokenRecord], measure: str, prefix: str = "", change: ChangeColours | None = None,
              model_written=frozenset()) -> str:
    """One text: ``prefix`` plain, then its tokens, the first of them its one Tab stop (the script moves it);
    ``model_written``: the indices a model's continuation wrote (in italics; the first of each run after a bar)."""
    drawn = drawn_texts([record.text for record in records])  # a cluster spread over tokens whole, as the window draws it
    shown = cell_texts(drawn, coloured=True)
    spans = "".join(token_span(record, measure, first=i == 0, colours=change and (
        change.colours(i, False), change.colours(i, True)), by_model=_model_mark(i, model_written),
        text=drawn[i], piece_mark=shown[i] != "") for i, record in enumerate(records))
    return f"<div class=\"text\">{html.escape(prefix)}{spans}</div>"


def _model_mark(index: int, model_written) -> str:
    """The classes of token ``index``: "" (the person's), the model's, or the model's after the person's words."""
    if index not in model_written:
        return ""
    return f" {MODEL_CLASS}" if index - 1 in model_written else f" {MODEL_CLASS} {MODEL_START_CLASS}"


def scored_by_line(model: str, adapter: str | None, tokens: int) -> str:
    """Who scored the text: "1,204 tokens scored by gpt2 with adapter 3" (or "…, the base model (no adapter)").
    The model by its short name (``model_short_name``): a page made to be shared must not carry the folder the
    model lies in on this computer ("folder:/home/ann/models/gpt2")."""
    model = model_short_name(model)
    wearing = f" with {adapter}" if adapter else ", the base model (no adapter)"
    return f"{tokens:,} token{'' if tokens == 1 else 's'} scored by {model}{wearing}. " \
           "Hover a token, tab to it or tap it for its figures; the arrow keys go on to the next."


def token_span(record: TokenRecord, measure: str, *, first: bool = False, colours=None, by_model: str = "",
               text: str | None = None, piece_mark: bool = True) -> str:
    """One token: its text, escaped, on its light and dark colours (CSS variables the style picks from; ``colours``:
    (light, dark) in place of the measure's, a None in it: no colour). A token that is only a line break, or nothing
    (the first bytes of a character a later token finishes), gets a mark drawn by the style, so its colour shows,
    while a copy of the page's text stays the text. ``first``: its text's Tab stop; the others are reached with
    the arrow keys. ``by_model``: the classes marking a model's continuation (``_model_mark``). ``text``: what the
    token's cell draws, where not its own text (``grapheme_cells.drawn_texts``); ``piece_mark``: False where a cell
    that draws nothing shows no mark (before a letter of a joining script: ``token_words.cell_texts``). ``data-p``: its
    probability, which only a printed page shows (after it, small: a handout has no hover)."""
    light, dark = colours or (color_for(record, measure), color_for(record, measure, dark=True))
    (light, light_text), (dark, dark_text) = _css_or_plain(light), _css_or_plain(dark)
    text = record.text if text is None else text
    mark = " nl" if text and text.strip("\n") == "" else " e" if text == "" and piece_mark else ""
    return (f"<span class=\"{TOKEN_CLASS}{mark}{by_model}\" tabindex=\"{0 if first else -1}\" "
            f"data-p=\"{percent(record.prob)}\" style=\"--b:{light};--c:{light_text};--B:{dark};--C:{dark_text}\">"
            f"{html.escape(text)}</span>")


def _css_or_plain(rgb) -> tuple[str, str]:
    return css_colours(rgb) if rgb is not None else ("transparent", "inherit")


def token_figures(record: TokenRecord, completes: str = "") -> list:
    """A token's box as the window's tooltip has it (``token_words.tooltip_html``): its label, probability,
    log-probability, rank, entropy and surprisal, then its top alternatives (label, percent, whether it ties
    another as shown, whether it is the written token) and the words for the marks in them. ``completes``: the
    character or cluster the token is part of (``token_words.completed_character``), named in its label as the
    inspector names it, "(part of “首”)": the box said "(part of a character)" and never which."""
    texts, tied = listed_percents(record)
    count = rows_through_ties(texts, ALTERNATIVES)
    shown = ordered_alternatives(record)[:count]
    rows = [[listed_label(alt, record), text, int(tie), int(alt.id == record.id)]
            for alt, text, tie in zip(shown, texts[:count], tied[:count])]
    label = piece_label(record.text, completes)
    marks = marks_words([label, *(row[0] for row in rows)])
    return [label, token_percent(record), f"{record.logprob:.3f}", record.rank,
            f"{record.entropy_bits:.2f}", f"{record.surprisal_bits:.2f}", rows, marks]


def figures_json(records: list[TokenRecord], change: ChangeColours | None = None) -> str:
    """Every token's figures (and ``change``'s words for it, "" without) as JSON that is safe inside a <script>
    element."""
    return json_for_script(figures_list(records, change))


def figures_list(records: list[TokenRecord], change: ChangeColours | None = None) -> list:
    """Every token's figures and ``change``'s words for it ("" without): the rows of the page's figures."""
    return [token_figures(r, completed_character(records, i)) + [change.words(i, r) if change is not None else ""]
            for i, r in enumerate(records)]


def json_for_script(figures: list) -> str:
    """``figures`` as JSON that is safe inside a <script> element: "<", ">" and "&" as escapes, so a token
    "</script>" cannot end the element."""
    text = json.dumps(figures, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def key_html(measure: str) -> str:
    """The colour key: the measure's name, then its gradient between its end words (light and dark), or for
    rank one swatch per bucket."""
    name = html.escape(MEASURES[measure])
    if measure == "rank":
        last = len(RANK_BUCKETS) - 1
        swatches = "".join(
            f"<span class=\"sw\" style=\"--b:{_hex(sequential_color(1 - i / last))};"
            f"--B:{_hex(sequential_color(1 - i / last, dark=True))}\"></span>{html.escape(label)}"
            for i, (_limit, label) in reversed(list(enumerate(RANK_BUCKETS))))
        return f"<p class=\"key\">Colours: {name}<br>{swatches}</p>"
    low, _middle, high = KEY_LABELS[measure]
    return (f"<p class=\"key\">Colours: {name}<br>{html.escape(low)}<span class=\"bar\" "
            f"style=\"--g:{_gradient(False)};--G:{_gradient(True)}\"></span>{html.escape(high)}</p>")


def change_key_html(change: ChangeColours) -> str:
    """The key of the change's colours: its caption (what is compared with what), and the purple .. green bar."""
    return (f"<p class=\"key\">{html.escape(change.caption)}<br>less likely<span class=\"bar\" "
            f"style=\"--g:{_gradient(False, change_palette)};--G:{_gradient(True, change_palette)}\"></span>"
            "more likely</p>")


def _gradient(dark: bool, palette=sequential_palette) -> str:
    return "linear-gradient(to right," + ",".join(_hex(rgb) for rgb in palette(dark)) + ")"


def _hex(rgb) -> str:
    return css_colours(rgb)[0]


def write_heatmap_html(path, records: list[TokenRecord], measure: str = "probability", **names) -> Path:
    """``heatmap_html`` into ``path``, written beside it and renamed (a failed export leaves no half page);
    ``names``: its title, model, adapter and prefix. The window's exports and ``analyse --export-html`` alike."""
    return write_text_atomically(path, heatmap_html(records, measure, **names))
