"""Test builders: the objects tests need, built the way the product builds them."""

from __future__ import annotations

import unicodedata

from tomtat.models.engine_choice import Summarizer
from tomtat.service.archive.core import RecordOptions, RecordProcessor
from tomtat.service.jobs.store import JobOptions
from tomtat.service.runtime.gateway import LocalGateway
from tomtat.service.runtime.keys import ExtractiveKey, SummaryPlan


def local_processor(summarizer: Summarizer, translate_to: str | None = None) -> RecordProcessor:
    """The archive record processor over a summarizer loaded in this process."""
    plan = SummaryPlan(summarizer.name, ExtractiveKey(getattr(summarizer, "max_sentences", 3)))
    return RecordProcessor(LocalGateway(summarizer), RecordOptions(plan, translate_to))


def news_page(title: str, paragraphs: list[str], date: str = "2024-03-15") -> str:
    """A saved Vietnamese news page as sites publish them: header and menu, the article, a
    "Xem thêm" list of related stories, readers' comments and a footer around it."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    related = "".join(f'<li><a href="/tin-{i}.html">Tin liên quan số {i} về giá vàng</a></li>' for i in range(6))
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title} - Báo Tin Nhanh</title>
<meta property="og:title" content="{title}"><meta property="article:published_time" content="{date}T08:00:00+07:00">
</head><body>
<header><a href="/">Trang chủ</a><nav><ul><li><a href="/thoi-su">Thời sự</a></li>
<li><a href="/the-gioi">Thế giới</a></li><li><a href="/kinh-doanh">Kinh doanh</a></li>
<li><a href="/the-thao">Thể thao</a></li></ul></nav></header>
<div class="ads">Quảng cáo: vay tiêu dùng lãi suất 0%</div>
<main><div class="header-content"><span class="date">Thứ sáu, {date}, 08:00 (GMT+7)</span></div>
<h1 class="title-detail">{title}</h1><article class="fck_detail">{body}</article></main>
<aside class="related"><h3>Xem thêm</h3><ul>{related}</ul></aside>
<section class="comments"><h3>Bình luận</h3><div class="comment">
<p>Bình luận của bạn đọc: bài viết rất hay, cảm ơn tác giả đã chia sẻ thông tin hữu ích này.</p></div></section>
<footer><p>Bản quyền © Báo Tin Nhanh. Giấy phép số 123/GP-BTTTT.</p></footer></body></html>"""


VIETNAMESE_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def windows_1258(text: str) -> bytes:
    """Vietnamese text as windows-1258 stores it: letters with their vowel marks precomposed, the tone as a
    combining mark after them (the code page has no room for every toned letter)."""
    out = bytearray()
    for character in text:
        try:
            out += character.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", character)
        tones = "".join(c for c in decomposed if c in VIETNAMESE_TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in VIETNAMESE_TONES))
        out += (base + tones).encode("cp1258")
    return bytes(out)


def extractive_job_options() -> JobOptions:
    """A job's options as the store keeps them: extractive, 3 sentences (no model needed)."""
    return JobOptions(SummaryPlan("extractive", ExtractiveKey(3)))
