"""The API contract: request and response models (visible in ``/docs``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tomtat.models.facts import Flag
from tomtat.models.text import clean_surrogates
from tomtat.service.runtime.batch_worker import BatchTiming
from tomtat.service.runtime.keys import Overrides, overrides_of


def clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean_surrogates(value)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    return value


SENTENCES = "extractive engine: keep this many sentences (default: the server's setting, else up to 3 within 45 words)"
MAX_WORDS = "extractive engine: a word budget for the summary (the best sentence is always kept)"
FORMAT = (
    "how each text is read: html (a CMS body or a whole page; the article is extracted from the markup), "
    "text (as it is; markup is refused), or auto (default): as HTML when it looks like markup"
)
TextFormat = Literal["text", "html", "auto"]
STREAM = "answer server-sent events: the output as it is generated, then each result (also: Accept: text/event-stream)"


class Strict(BaseModel):
    # an unknown field is a client bug worth reporting; "5" is not the number 5 (as the schema says)
    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _no_lone_surrogates(cls, data: Any) -> Any:
        # JSON may escape lone surrogates (\ud800) that no UTF-8 response or tokenizer can carry
        return clean_value(data)


class DecodingOptions(Strict):
    """Overrides of the model card's decoding; leave out to use the card's values."""

    num_beams: int | None = Field(default=None, ge=1, le=8)
    max_length: int | None = Field(default=None, ge=2, le=1024)
    no_repeat_ngram_size: int | None = Field(default=None, ge=0, le=10)
    repetition_penalty: float | None = Field(default=None, ge=1.0, le=3.0)
    min_new_tokens: int | None = Field(default=None, ge=0, le=1024, description="generate at least this many tokens")

    def overrides(self) -> Overrides:
        """Hashable, so requests with equal options can share a model batch."""
        return overrides_of(self.model_dump())


class Document(Strict):
    id: str | None = Field(default=None, max_length=256)
    text: str


class TextsRequest(Strict):
    """Exactly one of ``text`` (one string) or ``texts`` (strings or ``{id, text}`` objects)."""

    text: str | None = None
    texts: list[str | Document] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> TextsRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give exactly one of 'text' or 'texts'")
        return self

    def documents(self) -> list[Document]:
        if self.text is not None:
            return [Document(id="0", text=self.text)]
        return [
            d
            if isinstance(d, Document) and d.id is not None
            else Document(id=str(i), text=d if isinstance(d, str) else d.text)
            for i, d in enumerate(self.texts or [])
        ]

    def field_of(self, index: int) -> str:
        """The request field holding document ``index``, for error messages."""
        return "text" if self.text is not None else f"texts[{index}]"


class SummarizeRequest(TextsRequest):
    format: TextFormat = Field(default="auto", description=FORMAT)
    engine: Literal["auto", "abstractive", "extractive"] = "auto"
    model: str | None = Field(default=None, description="a loaded summarization model (default: the first loaded)")
    translate_to: Literal["en"] | None = Field(default=None, description="also return the summary in English")
    options: DecodingOptions = Field(default_factory=DecodingOptions)
    sentences: int | None = Field(default=None, ge=1, le=20, description=SENTENCES)
    max_words: int | None = Field(default=None, ge=5, le=1000, description=MAX_WORDS)
    allow_any_language: bool = False
    stream: bool = Field(default=False, description=STREAM)


class Timings(BaseModel):
    queue_ms: float
    model_ms: float
    total_ms: float
    batch_texts: int = Field(description="texts in the model batch this one ran in")

    @classmethod
    def of(cls, batch: BatchTiming, total_ms: float) -> Timings:
        return cls(queue_ms=batch.queue_ms, model_ms=batch.model_ms, total_ms=total_ms, batch_texts=batch.batch_texts)


class FlagOut(BaseModel):
    """A fact of the output its source does not support; the output itself is never changed."""

    kind: Literal["number", "amount", "date", "name"]
    text: str = Field(description="the fact as written")
    start: int = Field(description="character offset in the output (in the source for reason 'missing')")
    end: int
    reason: Literal["unsupported", "changed", "missing"] = Field(
        description="unsupported: nothing like it in the source; changed: the source has another value "
        "(source_match); missing: a fact of the source left out of a translation"
    )
    source_match: str | None = None

    @classmethod
    def of(cls, flags: Sequence[Flag]) -> list[FlagOut]:
        return [cls.model_validate(flag.as_dict()) for flag in flags]


class SummaryOut(BaseModel):
    id: str
    summary: str
    summary_en: str | None = None
    engine: str
    model: str
    input_tokens: int
    chunked: bool
    timings: Timings
    flags: list[FlagOut] = Field(description="facts of the summary the article does not support")
    flags_en: list[FlagOut] | None = Field(default=None, description="the same for summary_en")
    cached: bool = Field(default=False, description="answered from the result cache (TOMTAT_RESULT_CACHE)")
    format: Literal["text", "html"] = Field(default="text", description="how the text was read")
    words: int = Field(default=0, description="words of the article the summary was made from (after extraction)")


class TextErrorOut(BaseModel):
    """The slot of a text that could not be processed, in a ``texts`` request: the others are answered."""

    id: str
    error: ErrorBody


class SummarizeResponse(BaseModel):
    results: list[SummaryOut | TextErrorOut] = Field(
        description="in the order of the texts; a text that cannot be summarized has its error in its slot"
    )
    note: str | None = Field(default=None, description="why the engine differs from the one asked for")


class TranslateRequest(TextsRequest):
    format: TextFormat = Field(default="auto", description=FORMAT)
    source: Literal["auto", "vi", "en"] = "auto"
    target: Literal["vi", "en"] = "en"
    options: DecodingOptions = Field(default_factory=DecodingOptions)
    stream: bool = Field(default=False, description=STREAM)


class DetectionOut(BaseModel):
    language: str
    probability: float


class TranslationOut(BaseModel):
    id: str
    translation: str
    source: str
    target: str
    detected: DetectionOut | None = None
    model: str
    timings: Timings
    flags: list[FlagOut] = Field(description="numbers, dates and names changed, added or left out")
    format: Literal["text", "html"] = Field(
        default="text", description="html: the translation is the document with its markup kept, its text translated"
    )


class CheckRequest(Strict):
    """Any output checked against its source: a summary when the languages match, else a translation."""

    source: str = Field(min_length=1)
    output: str = Field(min_length=1)
    source_lang: Literal["vi", "en"] = "vi"
    output_lang: Literal["vi", "en"] = "vi"


class CheckResponse(BaseModel):
    flags: list[FlagOut]


class TranslateResponse(BaseModel):
    results: list[TranslationOut | TextErrorOut] = Field(
        description="in the order of the texts; a text that cannot be translated has its error in its slot"
    )


class DetectResponseItem(DetectionOut):
    id: str


class DetectResponse(BaseModel):
    results: list[DetectResponseItem]


class ModelOut(BaseModel):
    name: str
    tasks: list[str]
    state: str
    detail: str = ""
    backend: str | None = None
    directory: str | None = None
    load_seconds: float | None = None


class ModelsResponse(BaseModel):
    models: list[ModelOut]
    engines: list[str] = Field(description="summarization engines available now")


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None
    choices: list[str] | None = Field(default=None, description="values the field can take, where known")


class ErrorResponse(BaseModel):
    error: ErrorBody


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a route's error statuses; 400 is an unreadable body, 401/429 come with keys."""
    return {code: {"model": ErrorResponse} for code in sorted({400, 401, 413, 429, *codes})}


# ---- LibreTranslate's contract (its routers parse JSON or form bodies by hand; these document them) ----
class LTTranslateRequest(BaseModel):
    q: str | list[str] = Field(description="text, or a list of texts")
    source: Literal["auto", "vi", "en"]
    target: Literal["vi", "en"]
    format: Literal["text", "html", ""] = Field(
        default="text", description='"text" ("" = text), or "html": the text translated, the markup kept'
    )
    alternatives: int = Field(default=0, le=5, description="other translations to add (beam search), at most 5")
    api_key: str | None = None


class LTDetectRequest(BaseModel):
    q: str | list[str] = Field(description="text, or a list: one answer for all, confidences averaged")
    api_key: str | None = None


class LTDetection(BaseModel):
    confidence: float
    language: str


class LTTranslateResponse(BaseModel):
    translatedText: str | list[str]
    detectedLanguage: LTDetection | list[LTDetection] | None = None
    alternatives: list[str] | list[list[str]] | None = None


class LTLanguage(BaseModel):
    code: str
    name: str
    targets: list[str]


class LTTranslateFileRequest(BaseModel):
    file: bytes = Field(description=".txt, .html, .docx, .pptx, .odt or .srt", json_schema_extra={"format": "binary"})
    source: Literal["auto", "vi", "en"]
    target: Literal["vi", "en"]
    api_key: str | None = None


class LTTranslateFileResponse(BaseModel):
    translatedFileUrl: str


class LTSuggestRequest(BaseModel):
    q: str = Field(description="the original text")
    s: str = Field(description="the suggested translation")
    source: Literal["vi", "en"]
    target: Literal["vi", "en"]
    api_key: str | None = None


class LTSuggestResponse(BaseModel):
    success: bool


class LTHealth(BaseModel):
    status: str


class LTLanguageRef(BaseModel):
    code: str
    name: str


class LTFrontendLanguages(BaseModel):
    source: LTLanguageRef
    target: LTLanguageRef


class LTFrontendSettings(BaseModel):
    charLimit: int
    frontendTimeout: int
    apiKeys: bool
    keyRequired: bool
    suggestions: bool
    filesTranslation: bool
    supportedFilesFormat: list[str]
    language: LTFrontendLanguages


class LTError(BaseModel):
    error: str
