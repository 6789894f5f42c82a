"""HTML translation keeps the markup: tags, attributes, entities, comments, untouched elements."""

from __future__ import annotations

from html.parser import HTMLParser

from tomtat.models.markup import translatable_texts, translate_markup

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Giá vàng tăng mạnh</title>
<style>p > b { color: red; }</style></head>
<body class="article">
<nav><a href="/">Trang chủ</a> | <a href="/kinh-te?p=1&amp;s=2">Kinh tế</a></nav>
<h1 id="t">Giá vàng trong nước tăng mạnh</h1>
<p>Sáng nay, <b>giá vàng</b> trong nước <a href="https://example.vn/a?b=1&amp;c=2" title="Giá">tăng mạnh</a>.
Người dân &amp; nhà đầu tư đổ xô đi mua.</p>
<script>var s = "<p>không được dịch</p>";</script>
<p>Mã ví dụ: <code>if (a &lt; b) return;</code> không dịch.<br>Dòng thứ hai&nbsp;của đoạn.</p>
<!-- ghi chú của biên tập viên -->
<ul><li>Mục một</li><li>Mục <em>hai</em></li></ul>
<p>12345</p>
</body></html>"""


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(self.get_starttag_text() or tag)

    def handle_endtag(self, tag) -> None:
        self.tags.append(f"</{tag}>")

    def handle_comment(self, data) -> None:
        self.tags.append(f"<!--{data}-->")


def tags_of(document: str) -> list[str]:
    parser = Tags()
    parser.feed(document)
    return parser.tags


def test_sentences_across_inline_tags_are_one_unit() -> None:
    texts = translatable_texts(PAGE)
    assert "Sáng nay, giá vàng trong nước tăng mạnh. Người dân & nhà đầu tư đổ xô đi mua." in texts
    assert "Mục hai" in texts and "Mã ví dụ: không dịch." in texts
    assert not any("không được dịch" in t or "return" in t or "color" in t for t in texts)
    assert "12345" not in texts  # nothing to translate


def test_markup_in_is_markup_out_and_every_text_is_translated() -> None:
    seen: list[str] = []

    def shout(texts: list[str]) -> list[str]:
        seen.extend(texts)
        return [t.upper() for t in texts]

    out = translate_markup(PAGE, shout)
    assert tags_of(out) == tags_of(PAGE)  # every tag with its attributes, every comment, in order
    assert seen == translatable_texts(PAGE)
    for kept in (
        '<script>var s = "<p>không được dịch</p>";</script>',
        "<code>if (a &lt; b) return;</code>",
        "<style>p > b { color: red; }</style>",
        "<p>12345</p>",
        'href="https://example.vn/a?b=1&amp;c=2"',
    ):
        assert kept in out
    assert "SÁNG NAY, <b>GIÁ VÀNG</b> TRONG NƯỚC" in out
    assert "NGƯỜI DÂN &amp; NHÀ ĐẦU TƯ" in out  # text is escaped again
    assert "<title>GIÁ VÀNG TĂNG MẠNH</title>" in out and "<em>HAI</em>" in out


def test_a_translation_of_another_length_keeps_tags_in_order_at_word_boundaries() -> None:
    out = translate_markup("<p>Một <b>hai</b> ba <i>bốn</i> năm.</p>", lambda ts: ["One two three four five six seven"])
    assert tags_of(out) == ["<p>", "<b>", "</b>", "<i>", "</i>", "</p>"]
    inner = out.removeprefix("<p>").removesuffix("</p>")
    words = inner.replace("<b>", " ").replace("</b>", " ").replace("<i>", " ").replace("</i>", " ").split()
    assert words == "One two three four five six seven".split()  # no word cut by a tag
