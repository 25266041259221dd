"""Text from users and links shown as text: never Markdown, HTML or a link."""

from __future__ import annotations

import re

# Streamlit renders messages, captions and markdown as Markdown (links, images, HTML, :color[…] directives, $math$,
# emphasis). A file name, a link parameter or a typed word must never become a link or fetch an image: the marks
# that make markup anywhere in a line are backslash-escaped (CommonMark shows an escaped mark as itself), the marks
# that do so only at the start of a line are escaped there, and line breaks become spaces. Escaping cannot stop
# GitHub's "autolinks": Streamlit turns http://…, www.… and a@b.c into links in the text it has already parsed. A
# WORD JOINER (U+2060, which shows as nothing) after http, www, mailto and before @ keeps them text.
_MARKUP = re.compile(r"([\\`*_{}\[\]()!|<>~:$&@])")
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+(?=[.)]))")
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|xmpp|www)(?=\\?[:.])|(?=\\@)")
WORD_JOINER = "\u2060"


def plain(text) -> str:
    """`text` for st.markdown, st.caption, st.error and the like, shown exactly as written (no Markdown, no HTML,
    no links)."""
    escaped = _MARKUP.sub(r"\\\1", re.sub(r"[\r\n]+", " ", str(text)))
    escaped = _AUTOLINK.sub(lambda m: (m[1] or "") + WORD_JOINER, escaped)
    return _LINE_START.sub(lambda m: m[1] + "\\" + m[2] if not m[2].isdigit() else m[0] + "\\", escaped)
