"""Tests for the read + extract stage: every source kind, and every kind of bad input."""

from __future__ import annotations

import gzip
import io
import json
import os
import unicodedata
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.ingest import SUPPORTED, decode_bytes, extract_html, read_paths, real_path
from storyline.model import Document, ReadProblem

PARAGRAPHS = [
    (
        "Moscow and Ankara confirmed on Tuesday that they had signed a deal under which Russia will "
        "sell Turkey its S-400 air-defence missile system, the largest arms purchase Ankara has made "
        "outside NATO."
    ),
    (
        "“Signatures have been made for the purchase of S-400s from Russia. A deposit has also been "
        "paid as far as I know,” President Recep Tayyip Erdogan told reporters in Ankara."
    ),
    (
        "The announcement drew criticism from NATO allies, who say the Russian system cannot be "
        "integrated with the alliance's own air-defence network and could expose its aircraft."
    ),
    (
        "US Defense Secretary James Mattis said Washington would not impede the purchase, calling it "
        "a sovereign decision, but he warned about the incompatibility of the equipment."
    ),
]
TITLE = "Russia, Turkey Sign S-400 Deal despite Criticism"


def news_page(title: str = TITLE, date: str = "2017-09-12", paragraphs: list[str] = PARAGRAPHS) -> str:
    """A realistic news page: navigation, share bar, related links and a footer around the article."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>{title} | Asharq Al-Awsat</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="Asharq Al-Awsat">
<meta name="author" content="Said Abdel Razek; Nazeeh Osseiran">
<meta property="article:published_time" content="{date}T09:30:00+00:00">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World News Section</a></li>
<li><a href="/sport">Sport Pages Menu</a></li></ul></nav></header>
<div class="share">Share this on Facebook Twitter WhatsApp</div>
<main><article>
<h1>{title}</h1>
<div class="byline">By Said Abdel Razek</div>
{body}
</article>
<aside class="related"><h3>Related articles</h3>
<ul><li><a href="/a">Unrelated gadget review roundup</a></li></ul></aside>
</main>
<footer><p>Copyright 2017 Asharq Al-Awsat. All rights reserved. Privacy policy and cookie settings.</p></footer>
</body></html>"""


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read_all(*paths: Path, max_bytes: int = 50 * 1024 * 1024) -> tuple[list[Document], list[ReadProblem]]:
    items = list(read_paths(list(paths), max_bytes=max_bytes))
    assert all(isinstance(i, (Document, ReadProblem)) for i in items)
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, ReadProblem)]


def only_problem(path: Path, **kwargs: int) -> ReadProblem:
    docs, problems = read_all(path, **kwargs)
    assert docs == []
    assert len(problems) == 1, problems
    assert path.name in str(problems[0])  # the message names the file
    return problems[0]


def make_warc(pages: list[tuple[str, str, str]], *, extra_png: bool = True) -> bytes:
    """A gzipped WARC with one HTML response per (url, date, html), a request record and a PNG response."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for url, capture_date, html in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        request = StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "example.com")], is_http_request=True)
        writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
        writer.write_record(
            writer.create_warc_record(
                url, "response", payload=io.BytesIO(html.encode("utf-8")), http_headers=http,
                warc_headers_dict={"WARC-Date": capture_date},
            )
        )  # fmt: skip
    if extra_png:
        png = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        payload = io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
        writer.write_record(
            writer.create_warc_record("https://example.com/logo.png", "response", payload=payload, http_headers=png)
        )
    return buf.getvalue()


# --- plain text --------------------------------------------------------------------------


def test_txt_utf8_is_normalised_to_nfc_with_unix_newlines(tmp_path: Path) -> None:
    decomposed = "Cafe\u0301 talks in Ankara\r\nSecond line\rThird line\x07\n"
    (doc,), problems = read_all(write(tmp_path / "note.txt", decomposed))
    assert problems == []
    assert doc.text == "Café talks in Ankara\nSecond line\nThird line\n"
    assert unicodedata.is_normalized("NFC", doc.text)
    assert doc.encoding == "utf-8" and doc.kind == "txt" and doc.source == "note.txt"
    assert len(doc.sha256) == 64


def test_txt_cp1251_russian(tmp_path: Path) -> None:
    russian = (
        "Москва и Анкара подтвердили во вторник, что подписали соглашение о поставке зенитных "
        "ракетных систем С-400. Президент Турции заявил, что задаток уже выплачен.\n"
    )
    (doc,), _ = read_all(write(tmp_path / "ru.txt", russian.encode("cp1251")))
    assert doc.text == russian
    assert doc.encoding == "cp1251"


def test_txt_latin1(tmp_path: Path) -> None:
    french = "Le président français a déclaré à la presse que l'accord était signé. Ça coûte très cher.\n"
    (doc,), _ = read_all(write(tmp_path / "fr.txt", french.encode("latin-1")))
    assert doc.text == french
    assert doc.encoding in {"iso8859-1", "cp1252"}


def test_decode_bytes_reads_a_bom() -> None:
    assert decode_bytes("hello é".encode("utf-16")) == ("hello é", "utf-16")
    assert decode_bytes(b"\xef\xbb\xbfhello")[0] == "hello"
    assert decode_bytes(b"a\x00b\x1bc\td\x0ce") == ("abc\td\ne", "utf-8")  # NUL and C0 out, form feed a newline


# --- HTML --------------------------------------------------------------------------------


def assert_news_page(doc: Document) -> None:
    assert doc.kind == "html"
    for paragraph in PARAGRAPHS:
        assert paragraph in doc.text.split("\n")  # one paragraph a line
    for furniture in ("World News Section", "Copyright 2017", "Share this on", "Unrelated gadget"):
        assert furniture not in doc.text
    assert not doc.text.startswith(TITLE)  # the title is metadata, not text
    assert doc.meta.title == TITLE
    assert doc.meta.published == "2017-09-12" and doc.meta.published_source == "htmldate"
    assert doc.meta.outlet == "Asharq Al-Awsat"
    assert doc.meta.authors == ["Said Abdel Razek", "Nazeeh Osseiran"]


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    (doc,), problems = read_all(write(tmp_path / "page.html", news_page()))
    assert problems == []
    assert_news_page(doc)
    assert doc.source == "page.html"


def test_html_gz_is_read_like_html(tmp_path: Path) -> None:
    html = news_page()
    (doc,), problems = read_all(write(tmp_path / "page.html.gz", gzip.compress(html.encode("utf-8"))))
    assert problems == []
    assert_news_page(doc)
    (plain,), _ = read_all(write(tmp_path / "plain.htm", html))
    assert doc.text == plain.text


def test_extract_html_on_a_string_and_on_bytes() -> None:
    text, meta = extract_html(news_page(), url="https://example.com/s400")
    assert PARAGRAPHS[0] in text and meta.url == "https://example.com/s400"
    assert extract_html(news_page().encode("utf-8"))[0] == text


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    page = news_page(paragraphs=[p + " Ελλάδα" for p in PARAGRAPHS]).replace('charset="utf-8"', 'charset="iso-8859-7"')
    page = page.replace("“", '"').replace("”", '"')  # not in iso-8859-7
    (doc,), _ = read_all(write(tmp_path / "greek.html", page.encode("iso-8859-7")))
    assert "Ελλάδα" in doc.text and doc.encoding == "iso8859-7"


# --- WARC --------------------------------------------------------------------------------


WARC_PAGES = [
    ("https://example.com/news/1", "2017-09-20T10:00:00Z", news_page()),
    (
        "https://example.com/news/2",
        "2017-12-30T08:15:00Z",
        news_page("Turkey Pays Deposit for Russian Missiles", "2017-12-29", PARAGRAPHS[::-1]),
    ),
]


def test_warc_gz_html_responses_only(tmp_path: Path) -> None:
    docs, problems = read_all(write(tmp_path / "crawl.warc.gz", make_warc(WARC_PAGES)))
    assert problems == []
    assert [d.meta.url for d in docs] == ["https://example.com/news/1", "https://example.com/news/2"]
    assert [d.meta.capture_date for d in docs] == ["2017-09-20T10:00:00Z", "2017-12-30T08:15:00Z"]
    assert [d.meta.published for d in docs] == ["2017-09-12", "2017-12-29"]
    assert docs[1].meta.title == "Turkey Pays Deposit for Russian Missiles"
    for doc in docs:
        assert doc.kind == "warc"
        assert doc.source.startswith("crawl.warc.gz#urn:uuid:")
        assert "HTTP/1.1" not in doc.text and "Content-Type" not in doc.text
        assert PARAGRAPHS[1] in doc.text and "Copyright 2017" not in doc.text
    assert len({d.source for d in docs}) == 2


def test_warc_without_html_is_a_problem(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path / "images.warc.gz", make_warc([])))
    assert "no HTML response records" in problem.message


# --- JSONL -------------------------------------------------------------------------------


def test_jsonl_text_and_html_lines(tmp_path: Path) -> None:
    lines = [
        {
            "text": "Turkey paid a deposit for the S-400.\nSecond paragraph.",
            "title": "Deposit paid",
            "url": "https://example.com/1",
            "published": "2017-12-29",
            "outlet": "Reuters",
            "authors": ["Tuvan Gumrukcu", " Ece Toksabay "],
        },
        {"html": news_page(), "url": "https://example.com/2", "authors": "Staff Writer"},
        {"text": "Bare text line."},
    ]
    path = write(tmp_path / "articles.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    docs, problems = read_all(path)
    assert problems == []
    assert [d.source for d in docs] == ["articles.jsonl#L1", "articles.jsonl#L2", "articles.jsonl#L3"]
    first, second, third = docs
    assert first.text == lines[0]["text"] and first.kind == "jsonl"
    assert (first.meta.title, first.meta.url, first.meta.outlet) == ("Deposit paid", "https://example.com/1", "Reuters")
    assert first.meta.published == "2017-12-29" and first.meta.published_source == "jsonl"
    assert first.meta.authors == ["Tuvan Gumrukcu", "Ece Toksabay"]
    assert PARAGRAPHS[2] in second.text and "World News Section" not in second.text
    assert second.meta.title == TITLE and second.meta.published == "2017-09-12"
    assert second.meta.authors == ["Staff Writer"] and second.meta.url == "https://example.com/2"
    assert third.meta.title is None
    assert len({d.sha256 for d in docs}) == 3


def test_jsonl_bad_lines_are_skipped_and_good_lines_kept(tmp_path: Path) -> None:
    content = "\n".join(
        [
            json.dumps({"text": "First good line."}),
            '{"text": "broken" "title": 1}',
            json.dumps({"title": "no body"}),
            "",
            json.dumps({"text": "Last good line."}),
        ]
    )
    docs, problems = read_all(write(tmp_path / "mixed.jsonl", content))
    assert [d.text for d in docs] == ["First good line.", "Last good line."]
    assert [d.source for d in docs] == ["mixed.jsonl#L1", "mixed.jsonl#L5"]
    assert [p.source for p in problems] == ["mixed.jsonl#L2", "mixed.jsonl#L3"]
    assert problems[0].message == "line 2: invalid JSON (Expecting ',' delimiter) — line skipped"
    assert problems[1].message == 'line 3: no "text" or "html" field — line skipped'


# --- feeds -------------------------------------------------------------------------------


RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Defense Wire</title><link>https://wire.example.com/</link><language>en</language>
  <item>
    <title>Russia and Turkey sign S-400 deal</title>
    <link>https://wire.example.com/s400</link>
    <pubDate>Tue, 12 Sep 2017 09:30:00 +0300</pubDate>
    <dc:creator>Jane Roe</dc:creator>
    <description>Short teaser</description>
    <content:encoded><![CDATA[{"".join(f"<p>{p}</p>" for p in PARAGRAPHS * 2)}]]></content:encoded>
  </item>
  <item>
    <title>Deposit paid</title>
    <link>https://wire.example.com/deposit</link>
    <pubDate>Fri, 29 Dec 2017 12:00:00 GMT</pubDate>
    <description>&lt;p&gt;Turkey has paid a &lt;b&gt;deposit&lt;/b&gt; for the missiles.&lt;/p&gt;</description>
  </item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Arms Control Monitor</title>
  <updated>2019-07-12T10:00:00Z</updated>
  <entry>
    <title>First S-400 parts arrive in Ankara</title>
    <link href="https://monitor.example.org/delivery"/>
    <id>urn:uuid:1</id>
    <published>2019-07-12T08:00:00+02:00</published>
    <updated>2019-07-12T09:00:00Z</updated>
    <author><name>Ali Veli</name></author>
    <author><name>Mary Major</name></author>
    <content type="html">&lt;p&gt;The first parts of the system landed at Murted air base.&lt;/p&gt;
      &lt;p&gt;More flights will follow.&lt;/p&gt;</content>
  </entry>
</feed>"""


def test_rss_feed_entries(tmp_path: Path) -> None:
    docs, problems = read_all(write(tmp_path / "wire.rss", RSS))
    assert problems == []
    assert [d.source for d in docs] == ["wire.rss#1", "wire.rss#2"]
    full, teaser = docs
    assert full.kind == "feed" and full.meta.outlet == "Defense Wire"
    assert full.meta.title == "Russia and Turkey sign S-400 deal" and full.meta.url == "https://wire.example.com/s400"
    assert full.meta.published == "2017-09-12T06:30:00Z" and full.meta.published_source == "feed"
    assert full.meta.authors == ["Jane Roe"]
    assert PARAGRAPHS[3] in full.text and "Short teaser" not in full.text and "<p>" not in full.text
    assert teaser.text == "Turkey has paid a deposit for the missiles."
    assert teaser.meta.published == "2017-12-29T12:00:00Z"


def test_atom_feed_entries(tmp_path: Path) -> None:
    (doc,), problems = read_all(write(tmp_path / "monitor.atom", ATOM))
    assert problems == []
    assert doc.source == "monitor.atom#1" and doc.meta.outlet == "Arms Control Monitor"
    assert doc.text == "The first parts of the system landed at Murted air base.\nMore flights will follow."
    assert doc.meta.authors == ["Ali Veli", "Mary Major"]
    assert doc.meta.published == "2019-07-12T06:00:00Z"
    assert doc.meta.url == "https://monitor.example.org/delivery"


def test_feed_is_sniffed_without_a_feed_extension(tmp_path: Path) -> None:
    docs, _ = read_all(write(tmp_path / "download.dat", ATOM))
    assert [d.kind for d in docs] == ["feed"]


# --- folders and naming ------------------------------------------------------------------


def test_folder_walk_is_sorted_recursive_and_skips_hidden(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "b.txt", "bee")
    write(root / "a" / "z.txt", "zed")
    write(root / ".hidden.txt", "secret")
    write(root / ".git" / "x.txt", "secret")
    write(root / "notes.unknownext", "plain words in an odd file")
    docs, problems = read_all(root)
    assert problems == []
    assert [d.source for d in docs] == ["corpus/a/z.txt", "corpus/b.txt", "corpus/notes.unknownext"]
    assert "secret" not in {d.text for d in docs}


def test_real_path_is_realpaths_with_each_folder_resolved_once(tmp_path: Path, monkeypatch) -> None:
    real = tmp_path / "real"
    write(real / "a.txt", "words")
    (tmp_path / "linked").symlink_to(real)  # a folder reached through a link
    write(tmp_path / "links" / "x.txt", "other words")
    (tmp_path / "links" / "rel.txt").symlink_to(Path("..") / "real" / "a.txt")  # relative, with '..'
    (tmp_path / "links" / "abs.txt").symlink_to(real / "a.txt")
    (tmp_path / "links" / "chain.txt").symlink_to("rel.txt")  # a link to a link
    monkeypatch.chdir(real)
    folders: dict[str, str] = {}
    for p in [real / "a.txt", tmp_path / "linked" / "a.txt", tmp_path / "links" / "x.txt", tmp_path / "links" / "rel.txt",
              tmp_path / "links" / "abs.txt", tmp_path / "links" / "chain.txt", Path("a.txt"),
              tmp_path / "links" / ".." / "linked" / "a.txt"]:
        assert real_path(p, folders) == os.path.realpath(p), p
    assert os.path.realpath(real) in folders.values()


def test_supported_describes_the_kinds() -> None:
    for kind in (".txt", ".html", ".warc.gz", ".jsonl", ".rss", ".atom"):
        assert kind in SUPPORTED


# --- bad input ---------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    assert only_problem(write(tmp_path / "empty.txt", b"")).message == "empty file"


def test_whitespace_only_file(tmp_path: Path) -> None:
    assert "no text" in only_problem(write(tmp_path / "blank.txt", "  \n\t\n")).message


def test_binary_file(tmp_path: Path) -> None:
    png = only_problem(write(tmp_path / "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)))
    assert png.message == "binary file (PNG image), not text — skipped"
    blob = only_problem(write(tmp_path / "blob.dat", bytes(range(256)) * 4))
    assert blob.message.startswith("binary file (") and "not text" in blob.message


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path / "big.txt", "x" * 5000), max_bytes=1024)
    assert problem.message == "file is 4.9 KB, over the 1 KB limit (raise it with --max-mb)"


def test_oversized_gzip_content_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "bomb.html.gz", gzip.compress(b"<p>" + b"a" * 100_000 + b"</p>"))
    problem = only_problem(path, max_bytes=10_000)
    assert "decompressed content is over the" in problem.message


def test_invalid_utf8_still_decodes(tmp_path: Path) -> None:
    text = "Erdoğan said the S-400 deal is done — “a sovereign decision”. "
    data = text.encode("utf-8") * 3 + b"\xff\xfe broken bytes \xc3 here.\n"
    (doc,), problems = read_all(write(tmp_path / "broken.txt", data))
    assert problems == []
    assert doc.encoding == "utf-8 (with replacements)"
    assert doc.text.count("Erdoğan") == 3 and "broken bytes" in doc.text
    latin = "Déclaration du président à Ankara. ".encode("latin-1") + b"plain ascii words " * 5
    (doc2,), _ = read_all(write(tmp_path / "mislabelled.txt", latin))
    assert doc2.text.startswith("Déclaration du président à Ankara.")


def test_truncated_warc_gz_keeps_earlier_records(tmp_path: Path) -> None:
    pages = [
        (f"https://example.com/{i}", f"2018-01-0{i + 1}T00:00:00Z", news_page(f"Story number {i}")) for i in range(3)
    ]
    data = make_warc(pages, extra_png=False)  # an odd number of pages: the middle falls inside a record
    path = write(tmp_path / "cut.warc.gz", data[: len(data) // 2])
    docs, problems = read_all(path)
    assert len(docs) == 1
    assert [d.meta.url for d in docs] == [url for url, _, _ in pages[: len(docs)]]
    assert len(problems) == 1 and problems[0].source == "cut.warc.gz"
    assert problems[0].message.startswith(f"truncated gzip/WARC: read {len(docs)} record")


def test_truncated_html_gz_reports_and_keeps_what_was_there(tmp_path: Path) -> None:
    data = gzip.compress(news_page().encode("utf-8"))
    docs, problems = read_all(write(tmp_path / "cut.html.gz", data[: len(data) * 3 // 4]))
    assert len(problems) == 1 and problems[0].message.startswith("truncated gzip: read ")
    assert "cut.html.gz" in str(problems[0])
    assert len(docs) <= 1


def test_malformed_html_yields_text_or_a_clean_problem(tmp_path: Path) -> None:
    messy = (
        "<html><body><div><p>Unclosed paragraph about the <b>missile <i>deal</div></span></p><<<>>> &&& <p>Another line"
    )
    (doc,), problems = read_all(write(tmp_path / "messy.html", messy))
    assert problems == []
    flat = " ".join(doc.text.split())  # inline tags may break lines; the cleaner joins wrapped lines
    assert "Unclosed paragraph about the missile deal" in flat and "Another line" in flat
    garbage = "<<<<>>>><></div></span>\x01\x02 <script>var x = 1;</script><p <b =>>< /p>"
    items = list(read_paths([write(tmp_path / "garbage.html", garbage)]))
    assert len(items) == 1  # text or a problem, never an exception
    no_text = "<html><div><span></div></p><script>var x = 1;</script><br><br>"
    problem = only_problem(write(tmp_path / "no_text.html", no_text))
    assert problem.message == "HTML has no extractable text — skipped"


def test_folder_with_no_readable_file(tmp_path: Path) -> None:
    folder = tmp_path / "junk"
    write(folder / "empty.txt", b"")
    write(folder / "image.png", b"\x89PNG\r\n\x1a\n" + bytes(64))
    write(folder / ".secret.txt", "hidden text is not read")
    docs, problems = read_all(folder)
    assert docs == []
    assert [(p.source, p.message) for p in problems] == [
        ("junk/empty.txt", "empty file"),
        ("junk/image.png", "binary file (PNG image), not text — skipped"),
        ("junk", "no readable files in folder — nothing was read from it"),
    ]


def test_missing_path(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "nowhere.txt")
    assert problem.message == "no such file or directory"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.txt", "secret")
    path.chmod(0)
    try:
        assert only_problem(path).message.startswith("permission denied")
    finally:
        path.chmod(0o644)


def test_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path / "sitemap.xml", '<?xml version="1.0"?><urlset><url>x</url></urlset>'))
    assert "not an RSS or Atom feed" in problem.message


def test_a_date_the_file_name_writes_dates_a_page_without_metadata(tmp_path):
    """A scraper's 'outlet_2016-03-21_slug.txt' dates the article (evidence: the file name), as htmldate dates
    a page from its URL; no date from a name with none or two, nor for JSON lines records."""
    from storyline.ingest.common import date_in_name
    from storyline.pipeline import build
    from storyline.store import Store

    assert date_in_name("/x/harbour-times_2016-03-21_council-vote.txt") == "2016-03-21"
    assert date_in_name("20160321-council.html") == "2016-03-21"
    for name in ("000_0810e9b35d2acbcc.txt", "2016-13-01.txt", "a_2016-03-21_b_2016-03-22.txt", "dump.jsonl#2"):
        assert date_in_name(name) is None, name
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "harbour-times_2016-03-21_council-vote.txt").write_text(
        "Council approves budget\n\nThe city council approved the budget on Monday, the mayor said.\n", encoding="utf-8")
    (folder / "harbour-times_council-vote.txt").write_text(
        "Council debates budget\n\nThe city council debated the budget, the mayor said.\n", encoding="utf-8")
    with Store(str(tmp_path / "t.db")) as store:
        build([folder], store)
        pubs = {a.title: a.published for a in store.articles()}
    assert pubs["Council approves budget"].date == "2016-03-21" and "file name" in pubs["Council approves budget"].evidence
    assert pubs["Council debates budget"].date is None
