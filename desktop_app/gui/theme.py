"""Light and dark palettes, the style sheet and icons (from resources/), following the system."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTabBar

from desktop_app.core.paths import RESOURCES_DIR

log = logging.getLogger(__name__)


LIGHT = {
    "window": "#f6f7f9", "panel": "#eef0f3", "base": "#ffffff", "card": "#ffffff", "button": "#ffffff",
    "hover": "#e3e7ee", "border": "#d5d9e0", "text": "#1d2330", "muted": "#6b7385", "accent": "#3b5bdb",
    "accent_hover": "#304bc0", "selection": "#dbe3ff", "user_bubble": "#e8edff", "user_border": "#c9d3fb",
    "info_bg": "#e7f0ff", "info_border": "#b6ccf5", "error_bg": "#fdecec", "error_border": "#f1b5b5",
    "scroll": "#c3c8d2", "good": "#2f9e44", "good_bg": "#e6f6ea", "good_border": "#a9dcb5",
    "bad": "#e03131", "bad_bg": "#fdecec",
    # a button that is off: sunk below the panel, a dashed edge, text paler than a muted label's
    "off_bg": "#e4e7ec", "off_border": "#b9bfca", "off_text": "#8a91a0",
    # between the layer grid's cells: lighter than its lightest and darker than its darkest colour
    # would be best; white, as the light page around it was, parts every colour but the yellow end
    "grid_line": "#ffffff",
}
DARK = {
    "window": "#1b1e24", "panel": "#22262e", "base": "#15181d", "card": "#262a33", "button": "#2d323c",
    "hover": "#353b47", "border": "#3a404c", "text": "#e6e9ef", "muted": "#9aa3b5", "accent": "#5c7cfa",
    # the person's bubble a shade darker than its #2c3555: a scored prompt's least likely tokens, the heatmap's
    # purple, stood 1.38:1 from it and read as uncoloured; now 1.51:1, the 1.5 the answer cards keep (rows92)
    "accent_hover": "#748ffc", "selection": "#34406a", "user_bubble": "#272f4e", "user_border": "#3d4a77",
    "info_bg": "#22324f", "info_border": "#34507d", "error_bg": "#4a2426", "error_border": "#7a3a3d",
    "scroll": "#4a5160", "good": "#51cf66", "good_bg": "#1f3a28", "good_border": "#2f6b40",
    "bad": "#ff6b6b", "bad_bg": "#4a2426",
    "off_bg": "#181b20", "off_border": "#4a5160", "off_text": "#737b8c",
    # near black, darker than the panel: the panel's own grey between the cells was hard to see
    # beside the dark scale's purple (dark87); this one has 2.2:1 or more against every cell
    "grid_line": "#0b0d11",
}


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    try:
        return hints.colorScheme() == Qt.ColorScheme.Dark
    except AttributeError:  # Qt < 6.5
        return QGuiApplication.palette().window().color().lightness() < 128


def colors(dark: bool) -> dict:
    return DARK if dark else LIGHT


def make_palette(dark: bool) -> QPalette:
    c = colors(dark)
    p = QPalette()
    role = QPalette.ColorRole
    p.setColor(role.Window, QColor(c["window"]))
    p.setColor(role.WindowText, QColor(c["text"]))
    p.setColor(role.Base, QColor(c["base"]))
    p.setColor(role.AlternateBase, QColor(c["panel"]))
    p.setColor(role.Text, QColor(c["text"]))
    p.setColor(role.Button, QColor(c["button"]))
    p.setColor(role.ButtonText, QColor(c["text"]))
    p.setColor(role.Highlight, QColor(c["accent"]))
    p.setColor(role.HighlightedText, QColor("#ffffff"))
    p.setColor(role.ToolTipBase, QColor(c["card"]))
    p.setColor(role.ToolTipText, QColor(c["text"]))
    p.setColor(role.PlaceholderText, QColor(c["muted"]))
    p.setColor(role.Link, QColor(c["accent"]))
    p.setColor(role.Mid, QColor(c["border"]))
    p.setColor(role.Dark, QColor(c["border"]))
    p.setColor(role.Light, QColor(c["card"]))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text):
        p.setColor(disabled, r, QColor(c["muted"]))
    # a button that is off must not read as a muted label beside it (the style sheet draws its edge)
    p.setColor(disabled, role.ButtonText, QColor(c["off_text"]))
    p.setColor(disabled, role.Button, QColor(c["off_bg"]))
    return p


# the point size the style sheet's font sizes were drawn against (Qt's and Windows' usual 9 pt)
SHEET_BASE_PT = 9.0
_POINT_SIZE = re.compile(r"font-size:\s*([0-9.]+)pt")


def font_scale(app_font: QFont | None = None) -> float:
    """How much larger than the sheet's 9 pt the person's application font is, never below 1: a desktop's
    "large text" of 14 pt left the answers and the texts at the sheet's fixed 11 pt, smaller than the menus."""
    font = app_font if app_font is not None else QApplication.font()
    size = font.pointSizeF()
    return max(1.0, size / SHEET_BASE_PT) if size > 0 else 1.0


def scaled_points(points: float, scale: float | None = None) -> str:
    """A fixed point size of the design, grown with the application font (``font_scale``), for a style sheet."""
    grown = points * (font_scale() if scale is None else scale)
    return f"{round(grown, 1):g}pt"


def icon_px(px: int = 16, scale: float | None = None) -> int:
    """An icon's side of the design (Qt's 16 px at 9 pt), grown with the application font (``font_scale``):
    at a desktop's 14 pt the icons stayed 16 px beside 14 pt words. The icons are SVG: they stay sharp."""
    return round(px * (font_scale() if scale is None else scale))


# the widgets whose icons Qt sizes by its style's icon metrics unless one is set: buttons, tabs, lists and trees, combo
# boxes and menus. The toolbar sets its own (view_toolbar: 18 px grown) and its overflow button its 12 px.
ICON_WIDGETS = "QAbstractButton, QTabBar, QAbstractItemView, QComboBox, QMenu"


def icon_rules(scale: float) -> str:
    """The style sheet's rule growing those icons with a large application font (16 px at 9 pt, 25 at 14), or nothing
    where they stay 16 px (the sheet as drawn). A sheet's ``icon-size`` is read by Qt's own style-sheet style from the
    rules it keeps for each widget: a Python proxy style's metric ran at every layout and paint (icons69)."""
    side = icon_px(16, scale)
    if side == 16:
        return ""
    return f"\n/* icons grown with the application font (theme.icon_rules) */\n{ICON_WIDGETS} {{ icon-size: {side}px; }}\n"


def style_sheet(dark: bool) -> str:
    path = RESOURCES_DIR / "style.qss"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        log.info("no style sheet at %s; using the plain palette", path)
        return ""
    chevron = RESOURCES_DIR / "icons" / f"chevron-down-{'dark' if dark else 'light'}.svg"
    check = RESOURCES_DIR / "icons" / f"check-{'dark' if dark else 'light'}.svg"
    text = text.replace("@chevron", chevron.as_posix()).replace("@checkmark", check.as_posix())
    scale = font_scale()
    text = _POINT_SIZE.sub(lambda m: f"font-size: {scaled_points(float(m.group(1)), scale)}", text)
    # longest names first so @accent_hover is not eaten by @accent
    for name, value in sorted(colors(dark).items(), key=lambda kv: -len(kv[0])):
        text = text.replace("@" + name, value)
    return text + icon_rules(scale)


def apply_theme(app: QApplication, dark: bool | None = None) -> bool:
    """Fusion + our palette + style sheet; dark=None follows the system. Returns dark."""
    if dark is None:
        dark = system_is_dark()
    if theme_in_use(app, dark):
        # the same sheet set again re-polishes every widget and redraws every icon: a second or more
        # of a frozen window for nothing (a start that restores "Light" on a light system, Settings)
        return dark
    # set first: widgets restyle themselves on the palette change and ask is_dark()
    app.setProperty("gpt2desk_dark", dark)
    app.setStyle("Fusion")
    app.setPalette(make_palette(dark))
    app.setStyleSheet(style_sheet(dark))
    redraw_icons(app)
    return dark


def theme_in_use(app: QApplication, dark: bool) -> bool:
    """Whether ``app`` already shows this theme: our flag, palette and style sheet, as apply_theme left them."""
    flag = app.property("gpt2desk_dark")
    return (flag is not None and bool(flag) == dark and app.palette() == make_palette(dark)
            and app.styleSheet() == style_sheet(dark))


# the colours Settings offers (usertest26: a new user looked there for the dark palette; it followed
# the system only, or --dark): (words, the choice kept in gui-settings.ini)
THEME_CHOICES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))


def apply_theme_choice(app: QApplication, choice: str) -> None:
    """The person's choice in Settings. An app started with a fixed palette (--dark, a screenshot's
    light one: ``make_app(dark=...)``) keeps it, so a saved choice cannot change a screenshot."""
    if app.property("gpt2desk_theme_fixed"):
        return
    app.setProperty("gpt2desk_theme_choice", choice)
    apply_theme(app, {"light": False, "dark": True}.get(choice))


def follows_system(app: QApplication) -> bool:
    """Whether a change of the system's colours should change the window's."""
    return app.property("gpt2desk_theme_choice") in (None, "system")


def is_dark() -> bool:
    app = QApplication.instance()
    value = app.property("gpt2desk_dark") if app else None
    return bool(value) if value is not None else False


def icon(name: str, color: str | None = None) -> QIcon:
    """An icon from resources/icons/NAME.svg drawn in the text colour (or ``color``)."""
    return _icon_in_theme(name, color, is_dark())


@lru_cache(maxsize=128)
def _icon_in_theme(name: str, color: str | None, dark: bool) -> QIcon:
    """``icon``, kept per theme: a theme put back without apply_theme (or one not applied again
    because it was in use) must not be handed the other theme's icons."""
    path = RESOURCES_DIR / "icons" / f"{name}.svg"
    try:
        svg = path.read_text(encoding="utf-8")
    except OSError:
        return QIcon()
    result = QIcon()
    _add_svg(result, svg.replace("@color", color or colors(dark)["text"]), QIcon.State.Off)
    # on an off button the icon takes the button's pale text colour: Qt's own greying of a
    # light icon on the dark theme came out brighter than the words beside it
    _add_svg(result, svg.replace("@color", colors(dark)["off_text"]), QIcon.State.Off, QIcon.Mode.Disabled)
    return _drawn(result, icon, name, color)


def filled_when_checked(name: str, color: str) -> QIcon:
    """``icon(name)``, and for a checked button the same shape filled in ``color``: a rated
    answer's thumb showed only a faint tint, and read as not pressed (usertest9)."""
    result = QIcon(icon(name))  # a copy: the cached icon stays as it is
    try:
        svg = (RESOURCES_DIR / "icons" / f"{name}.svg").read_text(encoding="utf-8")
    except OSError:
        return result
    _add_svg(result, svg.replace('fill="none"', 'fill="@color"').replace("@color", color), QIcon.State.On)
    return _drawn(result, filled_when_checked, name, color)


# ------------------------------------------------------------ icons after a theme change
# Icons are drawn in the theme's colours: after a switch to dark while the app runs, icons drawn in
# the light theme's dark ink stayed on the buttons, dim on the dark panels, until a widget happened
# to set its icon again. Each drawn icon is remembered by its cache key, with the theme colour it
# was drawn in (by role, "text" or "muted", so the new theme's is used), and drawn again.
FOREGROUND_ROLES = ("text", "muted", "accent", "good", "bad", "off_text")
_DRAWN: dict[int, tuple] = {}  # QIcon.cacheKey() -> (the function that drew it, its name, the role or colour)
ICON_PROPERTY = "gpt2desk_icon"  # a label showing an icon's pixmap: (name, role, size)


def white_when_checked(name: str, color: str | None = None) -> QIcon:
    """``icon(name)``, and white on a checked button, whose fill is the accent: the text-coloured
    shape hardly showed on it (the Text tab's Surprises toggle)."""
    return _with_white(white_when_checked, name, color,
                       ((QIcon.State.On, QIcon.Mode.Normal), (QIcon.State.On, QIcon.Mode.Active)))


def white_when_selected(name: str, color: str | None = None) -> QIcon:
    """``icon(name, color)``, and white on a selected row of a list or tree, whose fill is the
    selection's blue: a rated branch's green thumb hardly showed on it (textkeep67)."""
    return _with_white(white_when_selected, name, color, ((QIcon.State.Off, QIcon.Mode.Selected),))


def _with_white(maker, name: str, color: str | None, where) -> QIcon:
    """``icon(name, color)`` with the shape drawn white for each (state, mode) of ``where``."""
    result = QIcon(icon(name, color))
    try:
        svg = (RESOURCES_DIR / "icons" / f"{name}.svg").read_text(encoding="utf-8")
    except OSError:
        return result
    for state, mode in where:
        _add_svg(result, svg.replace("@color", "#ffffff"), state, mode)
    return _drawn(result, maker, name, color)


def _drawn(result: QIcon, maker, name: str, color: str | None) -> QIcon:
    theme = colors(is_dark())
    role = "text" if color is None else next((r for r in FOREGROUND_ROLES if theme[r] == color), color)
    _DRAWN[result.cacheKey()] = (maker, name, role)
    return result


def _again(old: QIcon) -> QIcon | None:
    """``old`` drawn again in the theme now in use, or None for an icon not drawn here."""
    made = _DRAWN.get(old.cacheKey())
    if made is None:
        return None
    maker, name, role = made
    return maker(name, colors(is_dark()).get(role, role))


def icon_label(name: str, role: str = "muted", size: int = 16) -> QLabel:
    """A label showing icon ``name`` in the theme's ``role`` colour, drawn again with the theme."""
    label = QLabel()
    label.setProperty(ICON_PROPERTY, [name, role, size])
    _set_label_icon(label)
    return label


def _set_label_icon(label: QLabel) -> None:
    name, role, size = label.property(ICON_PROPERTY)
    side = icon_px(int(size))  # grown with a large application font, as the buttons' icons are
    label.setPixmap(icon(name, colors(is_dark())[role]).pixmap(side, side))


def redraw_icons(app: QApplication) -> None:
    """Every icon on a button, an action, a tab or an icon label, drawn again for the theme now in use."""
    for widget in app.allWidgets():
        _redraw_widget(widget)


def _redraw_widget(widget) -> None:
    if isinstance(widget, QAbstractButton) and (new := _again(widget.icon())) is not None:
        widget.setIcon(new)
    for action in widget.actions():
        if (new := _again(action.icon())) is not None:
            action.setIcon(new)
    if isinstance(widget, QTabBar):
        for index in range(widget.count()):
            if (new := _again(widget.tabIcon(index))) is not None:
                widget.setTabIcon(index, new)
    if isinstance(widget, QLabel) and widget.property(ICON_PROPERTY) is not None:
        _set_label_icon(widget)


ICON_SIDES = (16, 20, 24, 32, 48, 64)  # the pixmaps each icon is drawn at


def _grown_sides() -> tuple[int, ...]:
    """The icon sides a large application font asks for (``icon_px``), drawn too: a 25 px icon at 14 pt was the
    32 px pixmap scaled down, softer than one drawn at its size. None at the usual font (its icons as before)."""
    if font_scale() == 1.0:
        return ()
    return tuple(side for side in (icon_px(16), icon_px(18)) if side not in ICON_SIDES)


def _add_svg(result: QIcon, svg: str, state, mode=QIcon.Mode.Normal) -> None:
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg.encode()))
    for size in ICON_SIDES + _grown_sides():
        pixmap = QPixmap(QSize(size, size))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap, mode, state)


def styled_label(text: str, object_name: str, *, wrap: bool = False) -> QLabel:
    """A label the style sheet picks out by name: "PanelTitle", "Muted", ..."""
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setWordWrap(wrap)
    return label
