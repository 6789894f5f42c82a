from tomtat.models.text import normalize, pack, split_long_sentence, split_paragraphs, split_sentences


def test_normalize_nfc_controls_and_spaces() -> None:
    decomposed = "Vie\u0302\u0323t  Nam\u200b\t\x00ok\r\n\r\n\n  Hà Nội  "
    assert normalize(decomposed) == "Việt Nam ok\nHà Nội"


def test_paragraphs_kept() -> None:
    assert split_paragraphs("Một.\n\nHai.\nBa.") == ["Một.", "Hai.", "Ba."]


def test_splitter_keeps_vietnamese_abbreviations_and_numbers() -> None:
    text = (
        "Sáng 27/12/2022, UBND TP.HCM họp. PGS.TS. Nguyễn Văn Minh nói giá là 1.000 đồng. "
        "Đ/c Lan dự họp tại TP. Đà Nẵng. Ông Nguyễn Văn A. cho biết thêm."
    )
    assert split_sentences(text) == [
        "Sáng 27/12/2022, UBND TP.HCM họp.",
        "PGS.TS. Nguyễn Văn Minh nói giá là 1.000 đồng.",
        "Đ/c Lan dự họp tại TP. Đà Nẵng.",
        "Ông Nguyễn Văn A. cho biết thêm.",
    ]


def test_splitter_quotes_brackets_and_ellipsis() -> None:
    text = (
        "Bà Lan nói: “Cây cầu đẹp. Nó mở cửa hôm nay.” Mọi người vỗ tay. "
        "Dự án (khởi công năm 2022. Hoàn thành 2024) rất lớn. Công trình xong đúng hạn... Người dân vui... mừng."
    )
    assert split_sentences(text) == [
        "Bà Lan nói: “Cây cầu đẹp. Nó mở cửa hôm nay.”",
        "Mọi người vỗ tay.",
        "Dự án (khởi công năm 2022. Hoàn thành 2024) rất lớn.",
        "Công trình xong đúng hạn...",
        "Người dân vui... mừng.",
    ]


def test_splitter_question_and_exclamation() -> None:
    assert split_sentences("Ai đi? Tôi đi! 5 người khác ở lại.") == ["Ai đi?", "Tôi đi!", "5 người khác ở lại."]


def test_split_long_sentence_prefers_word_starts() -> None:
    pieces = ["▁xin", "▁ch", "ào", "▁các", "▁bạn"]
    assert split_long_sentence(pieces, 2) == [["▁xin"], ["▁ch", "ào"], ["▁các", "▁bạn"]]
    # no word start inside the budget: cut exactly at the budget
    assert split_long_sentence(["▁a", "b", "c", "d"], 2) == [["▁a", "b"], ["c", "d"]]


def test_pack_respects_budget_and_order() -> None:
    sentences = ["a b c.", "d e.", "f g h i.", "j."]
    count = lambda s: len(s.split())  # noqa: E731
    chunks = pack(sentences, count, 5, lambda s, b: [s])
    assert chunks == ["a b c. d e.", "f g h i. j."]
    assert all(count(c) <= 5 for c in chunks)


def test_pack_splits_an_overlong_sentence_without_losing_words() -> None:
    sentence = " ".join(f"w{i}" for i in range(23))
    count = lambda s: len(s.split())  # noqa: E731

    def split(s: str, budget: int) -> list[str]:
        words = s.split()
        return [" ".join(words[i : i + budget]) for i in range(0, len(words), budget)]

    chunks = pack(["Mở đầu.", sentence, "Kết."], count, 10, split)
    assert all(count(c) <= 10 for c in chunks)
    assert " ".join(chunks).split() == ["Mở", "đầu.", *sentence.split(), "Kết."]
