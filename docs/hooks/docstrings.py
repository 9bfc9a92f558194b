"""A griffe extension for the API reference: itsim's docstrings are written for
``help()`` and Sphinx-style tools (``:func:`x```, ``>>>`` examples, ``::`` before a
code block); this turns them into the Markdown that mkdocstrings renders."""

from __future__ import annotations

import re

from griffe import Extension

ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):`~?([^`]+)`")


def to_markdown(text: str) -> str:
    text = ROLE.sub(r"`\1`", text)
    text = re.sub(r"::$", ":", text, flags=re.MULTILINE)
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        if lines[i].lstrip().startswith(">>>"):
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            indent = len(block[0]) - len(block[0].lstrip())
            out += [" " * indent + "```pycon", *block, " " * indent + "```"]
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out)


class RestToMarkdown(Extension):
    def on_instance(self, *, obj, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
