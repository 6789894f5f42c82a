"""tomtat as a Python library: ``tomtat.Summarizer`` and ``tomtat.Translator``.

The same models, HTML reading, checks and faithfulness flags as the command line and the server, in
this process (a notebook, a data pipeline)::

    import tomtat

    summarizer = tomtat.Summarizer()  # the first checkpoint present, else the extractive engine
    for result in summarizer.summarize(articles):  # plain text, CMS bodies or whole pages
        print(result.summary, [flag.text for flag in result.flags])

    translator = tomtat.Translator(target="en")
    print(translator.translate(["Hà Nội hôm nay mưa to."])[0].translation)

A text that cannot be summarized (empty, not Vietnamese, a page with no article) raises
``tomtat.InputError`` naming it (``texts[3]``), before any model work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tomtat.models.errors import InputError
from tomtat.models.facts import Flag
from tomtat.models.summarizer import check_article
from tomtat.service.archive.articles import ArticleFormatError, Format, article_of, looks_like_markup
from tomtat.service.runtime.gateway import run_sync
from tomtat.service.runtime.local import Placement, summarizing_gateway, translating_gateway


@dataclass(frozen=True)
class SummaryOutput:
    summary: str
    engine: str  # "abstractive", "extractive" or "lead"
    model: str
    input_tokens: int  # model tokens of the article (0 for the extractive engines)
    chunked: bool  # the article was longer than the model's input: summarized in parts, then as a whole
    words: int  # words of the article the summary was made from (after HTML extraction)
    flags: tuple[Flag, ...]  # numbers, dates and names of the summary its article does not support
    summary_en: str | None = None
    flags_en: tuple[Flag, ...] | None = None


@dataclass(frozen=True)
class TranslationOutput:
    translation: str  # for HTML: the document with its markup kept, its text translated
    source: str
    target: str
    model: str
    html: bool
    flags: tuple[Flag, ...]  # numbers, dates and names changed, added or left out


def _texts(texts: str | Sequence[str]) -> list[str]:
    return [texts] if isinstance(texts, str) else list(texts)


class Summarizer:
    """A summarizer loaded in this process: a registry name or checkpoint directory (``model``), or the
    first checkpoint present, or, with none (or ``engine="extractive"``), the extractive engine."""

    def __init__(
        self,
        model: str | None = None,
        *,
        engine: str = "auto",
        checkpoint_dir: str | Path | None = None,
        backend: str = "auto",
        device: str = "auto",
        threads: int = 0,
        translate_to: str | None = None,
        translation_model: str | None = None,
        sentences: int | None = None,
        max_words: int | None = None,
    ) -> None:
        placement = Placement(checkpoint_dir, backend, device, threads)
        self._gateway, self._plan = summarizing_gateway(
            engine,
            model,
            placement,
            sentences=sentences,
            max_words=max_words,
            translate_to=translate_to,
            translation_model=translation_model,
        )
        self._translate_to = translate_to
        self.note = self._plan.note  # why the engine is not the one asked for (no checkpoint here)

    def summarize(
        self,
        texts: str | Sequence[str],
        *,
        format: Format = "auto",  # the name the API and the CLI give it
        allow_any_language: bool = False,
        check_facts: bool = True,
    ) -> list[SummaryOutput]:
        """One summary per text, in order (batched through the model)."""
        articles, checked = [], []
        for index, text in enumerate(_texts(texts)):
            field = f"texts[{index}]"
            try:
                article = article_of(text, format)
            except ArticleFormatError as error:
                raise InputError(f"{field}: {error}", field=field, code=error.code) from None
            articles.append(article)
            checked.append(check_article(article.text, field_name=field, allow_any_language=allow_any_language))
        results = run_sync(self._gateway.summarize(checked, self._plan, self._translate_to, check_facts=check_facts))
        return [
            SummaryOutput(
                r.summary.summary,
                r.summary.engine,
                r.summary.model,
                r.summary.input_tokens,
                r.summary.chunked,
                a.words,
                r.flags,
                r.summary_en,
                r.flags_en,
            )
            for a, r in zip(articles, results, strict=True)
        ]


class Translator:
    """A translator into ``target`` loaded in this process (``model``: a registry name or directory;
    default: the first one present for the direction)."""

    def __init__(
        self,
        model: str | None = None,
        *,
        source: str = "auto",
        target: str = "en",
        checkpoint_dir: str | Path | None = None,
        backend: str = "auto",
        device: str = "auto",
        threads: int = 0,
    ) -> None:
        self.source, self.target = source, target
        self._gateway = translating_gateway(model, source, target, Placement(checkpoint_dir, backend, device, threads))

    def translate(
        self,
        texts: str | Sequence[str],
        *,
        format: Format = "auto",  # the name the API and the CLI give it
    ) -> list[TranslationOutput]:
        """One translation per text, in order; HTML (``format``) comes back as HTML with its markup kept."""
        items = _texts(texts)
        fields = [f"texts[{i}]" for i in range(len(items))]
        markup = [format == "html" or (format == "auto" and looks_like_markup(text)) for text in items]
        outputs: list[TranslationOutput | None] = [None] * len(items)
        plain = [i for i, is_markup in enumerate(markup) if not is_markup]
        if plain:
            work = self._gateway.translate(
                [items[i] for i in plain], self.source, self.target, (), [fields[i] for i in plain]
            )
            for i, result in zip(plain, run_sync(work), strict=True):
                t = result.translation
                outputs[i] = TranslationOutput(t.translation, t.source, t.target, t.model, False, result.flags)
        html = [i for i, is_markup in enumerate(markup) if is_markup]
        if html:
            work_html = self._gateway.translate_markup(
                [items[i] for i in html], self.source, self.target, [fields[i] for i in html]
            )
            for i, document in zip(html, run_sync(work_html), strict=True):
                outputs[i] = TranslationOutput(
                    document.document, document.source, self.target, document.model, True, document.flags
                )
        return [output for output in outputs if output is not None]
