"""Tests for newscat.text.pages: stripping page furniture from scraped news pages.

The pages below are invented for these tests, in the layout of the archive's scraped pages.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from newscat.text.pages import TEASER_HEADINGS, PageCleaning, clean_page, clean_page_report

SAMPLE_PAGE = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "archive" / "sample_page.txt"
)

UNION_KICKER = "Công đoàn Khu công nghiệp Thăng Long:"
UNION_HEADLINE = "Chăm lo Tết sum vầy cho công nhân khó khăn"
UNION_BODY = [
    "Những ngày cuối năm, Công đoàn Khu công nghiệp Thăng Long đã trao 500 suất quà Tết cho "
    "đoàn viên, công nhân có hoàn cảnh khó khăn.",
    "Mỗi suất quà gồm 1 triệu đồng tiền mặt và các nhu yếu phẩm thiết yếu, do các doanh "
    "nghiệp trong khu công nghiệp đóng góp.",
    "Theo ông Nguyễn Văn Hùng, Chủ tịch Công đoàn Khu công nghiệp, năm nay số công nhân phải "
    "nghỉ việc tăng, nên Công đoàn ưu tiên người mất việc và lao động nữ nuôi con nhỏ. Buổi "
    "trao quà diễn ra sáng 20/1, nhiều công nhân nhận quà Tết tại nhà văn hóa khu công nghiệp "
    "trong niềm vui xúc động.",
    "Chị Lê Thị Mai, công nhân một công ty điện tử, cho biết đây là lần đầu chị nhận được quà "
    "Tết của Công đoàn.",
]
UNION_LINKS = (
    "Trao quà cho công nhân khó khăn dịp Tết Nguyên đán Công nhân xa quê được hỗ trợ vé xe về "
    "quê ăn Tết Khánh thành nhà Mái ấm Công đoàn tại huyện Đông Anh"
)
UNION_CAPTION = "Công nhân nhận quà Tết tại nhà văn hóa khu công nghiệp"
UNION_TEASERS = [
    ("Hà Nội tổ chức Chợ Tết Công đoàn năm 2025", "Chợ Tết năm nay có hơn 100 gian hàng."),
    ("Nâng cao hiệu quả hoạt động của Công đoàn cơ sở", "Hội nghị tập huấn cán bộ Công đoàn."),
]


def _teasers(pairs: list[tuple[str, str]]) -> str:
    """Teaser entries as the site prints them: the title twice, then the summary."""
    return "".join(f"{title}\n\n{title}\n\n{summary}\n" for title, summary in pairs)


UNION_PAGE = (
    f"-->\n{UNION_KICKER}\n\n{UNION_HEADLINE}\n\n{UNION_BODY[0]}\n{UNION_LINKS}\n\n"
    f"{UNION_BODY[1]}\n\n{UNION_HEADLINE}\n{UNION_CAPTION}\n\n{UNION_BODY[2]}\n\n"
    f"{UNION_BODY[3]}\nMinh Châu\n\nCó thể bạn quan tâm\n\nTin khác\n\n"
    f"{_teasers(UNION_TEASERS)}Xem thêm\nPhiên bản di động"
)

WEATHER_HEADLINE = "Mưa dông diện rộng ở Bắc Bộ, Hà Nội đề phòng lốc sét"
WEATHER_LINKS = (
    "Nắng nóng gay gắt tại miền Trung Chuẩn bị đón đợt không khí lạnh đầu mùa Triều cường dâng "
    "cao ở ven biển phía Nam"
)
WEATHER_LEAD = (
    "Theo Trung tâm Dự báo khí tượng thủy văn quốc gia, từ chiều nay đến hết đêm mai, Bắc Bộ "
    "có mưa rào và dông trên diện rộng, lượng mưa phổ biến 30-60 mm."
)
WEATHER_CAPTION = "Bầu trời Hà Nội chuyển tối sầm trước cơn dông chiều qua (Ảnh minh họa)"
WEATHER_BODY = [
    "Trong cơn dông có khả năng xảy ra lốc, sét, mưa đá và gió giật mạnh cấp 6-7. Người dân "
    "cần chằng chống nhà cửa, hạn chế ra đường khi có dông.",
    "Nhiệt độ thấp nhất tại Hà Nội từ 24 đến 26 độ C. Từ cuối tuần, mưa dông giảm dần và trời "
    "nắng trở lại.",
]
WEATHER_TEASER = ("Cảnh báo lũ quét ở vùng núi phía Bắc", "Mưa lớn kéo dài, nguy cơ sạt lở tăng.")
WEATHER_PAGE = (
    f"<!--\n{WEATHER_HEADLINE}\n{WEATHER_LINKS}\n<p>{WEATHER_LEAD}</p>\n{WEATHER_CAPTION}\n"
    f"{WEATHER_BODY[0]}\n{WEATHER_CAPTION}\n{WEATHER_BODY[1]}\nPV\n\nNên xem\n\n"
    f"{_teasers([WEATHER_TEASER])}"
)

CRIME_HEADLINE = "Bắt nhóm đối tượng trộm cắp xe máy tại quận Hoàng Mai"
CRIME_CAPTION = "Tang vật thu giữ gồm 6 xe máy và nhiều dụng cụ phá khóa"
CRIME_BODY = [
    "Công an quận Hoàng Mai vừa bắt giữ 4 đối tượng trong đường dây trộm cắp xe máy tại các "
    "khu nhà trọ công nhân.",
    "Theo cơ quan công an, từ tháng 3 đến nay, nhóm này đã thực hiện 12 vụ trộm, chủ yếu vào "
    "ban đêm khi người lao động đã ngủ say.",
    "Tại cơ quan điều tra, các đối tượng khai nhận đã bán xe cho một cửa hàng ở ngoại thành. "
    "Tang vật thu giữ gồm 6 xe máy và nhiều dụng cụ phá khóa, trị giá khoảng 150 triệu đồng.",
    "Vụ việc đang được tiếp tục điều tra, mở rộng.",
]
CRIME_PAGE = "\r\n".join(
    [
        "-->",
        CRIME_HEADLINE,
        CRIME_HEADLINE,
        "",
        CRIME_BODY[0],
        CRIME_BODY[1],
        CRIME_HEADLINE,
        CRIME_CAPTION,
        CRIME_BODY[2],
        CRIME_BODY[3],
        "Hà Anh",
        "",
        "Xem thêm",
        "Phiên bản di động",
    ]
)


def _reasons(report: PageCleaning, reason: str) -> list[str]:
    return [line for why, line in report.removed if why == reason]


def test_union_page_keeps_the_article_and_drops_the_furniture() -> None:
    report = clean_page_report(UNION_PAGE)
    assert report.text == "\n".join([UNION_KICKER, UNION_HEADLINE, *UNION_BODY])
    assert not report.kept_original and report.note is None
    assert _reasons(report, "markup") == ["-->"]
    assert _reasons(report, "related links") == [UNION_LINKS]
    assert _reasons(report, "caption") == [UNION_HEADLINE, UNION_CAPTION]
    assert _reasons(report, "sign-off") == ["Minh Châu"]
    teaser_lines = _reasons(report, "teaser block")
    assert teaser_lines[:2] == ["Có thể bạn quan tâm", "Tin khác"]
    for title, summary in UNION_TEASERS:
        assert teaser_lines.count(title) == 2 and summary in teaser_lines
        assert title not in report.text and summary not in report.text


def test_weather_page_strips_markup_links_duplicate_caption_and_signoff() -> None:
    report = clean_page_report(WEATHER_PAGE)
    expected = [WEATHER_HEADLINE, WEATHER_LEAD, WEATHER_CAPTION, *WEATHER_BODY]
    assert report.text.splitlines() == expected
    assert _reasons(report, "markup") == ["<!--", "<p>", "</p>"]
    assert _reasons(report, "related links") == [WEATHER_LINKS]
    assert _reasons(report, "caption") == [WEATHER_CAPTION]
    assert _reasons(report, "sign-off") == ["PV"]
    assert "Nên xem" not in report.text and WEATHER_TEASER[0] not in report.text


def test_crime_page_with_crlf_line_endings() -> None:
    report = clean_page_report(CRIME_PAGE)
    assert "\r" not in report.text
    assert report.text.splitlines() == [CRIME_HEADLINE, *CRIME_BODY]
    assert _reasons(report, "repeated title") == [CRIME_HEADLINE]
    assert _reasons(report, "caption") == [CRIME_HEADLINE, CRIME_CAPTION]
    assert _reasons(report, "sign-off") == ["Hà Anh"]
    assert _reasons(report, "teaser block") == ["Xem thêm", "Phiên bản di động"]
    assert clean_page(CRIME_PAGE) == report.text


def test_caption_sentence_that_does_not_echo_the_body_is_kept() -> None:
    body = ["Sáng nay trời rét đậm ở Hà Nội.", "Nhiều trường cho học sinh nghỉ học."]
    caption = "Người dân co ro trong giá rét trên phố Tràng Tiền"
    page = "\n".join([WEATHER_HEADLINE, body[0], WEATHER_HEADLINE, caption, body[1]])
    report = clean_page_report(page)
    assert report.text.splitlines() == [WEATHER_HEADLINE, body[0], caption, body[1]]
    assert report.removed == [("caption", WEATHER_HEADLINE)]


@pytest.mark.parametrize(
    "article",
    [
        f"{CRIME_HEADLINE}\n{CRIME_BODY[0]}",
        "\n".join([UNION_HEADLINE, *UNION_BODY]),
        # An unpunctuated lead or caption of many words is not taken for related links here.
        "\n".join([WEATHER_HEADLINE, WEATHER_LINKS, *WEATHER_BODY]),
        "\n".join([UNION_KICKER, UNION_HEADLINE, UNION_BODY[0], "Hà Nội, ngày 20/1/2025."]),
    ],
)
def test_clean_article_comes_back_unchanged(article: str) -> None:
    report = clean_page_report(article)
    assert report == PageCleaning(text=article, removed=[])
    assert clean_page(article) == article


def test_page_of_only_teasers_keeps_the_original() -> None:
    page = (
        f"Có thể bạn quan tâm\n\n{_teasers(UNION_TEASERS)}Tin khác\n\n{_teasers([WEATHER_TEASER])}"
    )
    report = clean_page_report(page)
    assert report.kept_original
    assert report.text == page
    assert report.removed == []
    assert report.note and "original text kept" in report.note
    assert clean_page(page) == page


def test_never_empty_rule_thresholds() -> None:
    teasers = "Tin khác\n" + _teasers(UNION_TEASERS * 3 + [WEATHER_TEASER] * 3)
    tiny = f"{CRIME_HEADLINE}\n{CRIME_BODY[3]}\n"  # under 200 chars
    assert len(tiny) < 200 and len(tiny) < 0.2 * len(tiny + teasers)
    assert clean_page_report(tiny + teasers).kept_original
    # The same short article on a small page is at least 20 % of it: cleaned.
    small = f"{tiny}Tin khác\n{_teasers([WEATHER_TEASER])}"
    assert clean_page(small) == tiny.strip()
    assert clean_page_report("").text == ""


def test_report_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        clean_page_report(UNION_PAGE).text = ""  # type: ignore[misc]


def test_sample_page_from_the_archive() -> None:
    if not SAMPLE_PAGE.is_file():
        pytest.skip(f"{SAMPLE_PAGE} not available")
    page = SAMPLE_PAGE.read_text(encoding="utf-8")
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    teasers_at = next(i for i, line in enumerate(lines) if line in TEASER_HEADINGS)
    signoff_at = lines.index("K.Tiến")
    body = lines[:signoff_at]
    first_paragraph = next(line for line in body if len(line.split()) >= 30)
    teaser_part = lines[teasers_at:]
    titles = {b for a, b in zip(teaser_part, teaser_part[1:]) if a == b}
    assert len(titles) >= 5

    report = clean_page_report(page)
    result = report.text
    kept = result.splitlines()
    assert not report.kept_original
    assert first_paragraph in kept and body[-1] in kept
    assert not set(TEASER_HEADINGS) & set(kept)
    assert all(title not in result for title in titles)
    assert "K.Tiến" not in kept and ("sign-off", "K.Tiến") in report.removed
    assert "-->" not in result
    assert len(result) < 0.6 * len(page)
