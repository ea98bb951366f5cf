"""Markdown from customers and agents, rendered and sanitised.

Markdown is rendered with raw HTML escaped, then the result is cleaned by nh3 (ammonia) to
an allow-list of tags and attributes; links get rel="noopener noreferrer nofollow". The output
is safe to put into a page as is; the source text is kept for editing and for the API.
"""

import threading

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


class _EscapeHtml(markdown.Extension):
    """Treat HTML in the source as text: it is shown, never interpreted."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - the library's name
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


# One converter per thread, reset before each text: building one (its extensions, processors
# and patterns) cost more than converting a reply (~0.25 ms a call).
_converters = threading.local()


def _converter() -> markdown.Markdown:
    md: markdown.Markdown | None = getattr(_converters, "md", None)
    if md is None:
        md = _converters.md = markdown.Markdown(extensions=[_EscapeHtml(), "tables", "fenced_code", "sane_lists"])
    return md


def render_markdown(source: str) -> str:
    md = _converter()
    md.reset()  # nothing of the text before (reference links, fenced blocks' placeholders) is kept
    html = md.convert(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
