"""Regenerate examples/corpus/captures.warc.gz (two archived article pages).

Run with the project's interpreter:  .venv/bin/python examples/make_warc.py
The output is deterministic (fixed record ids and dates), so re-running it gives the same
records. The articles are invented; see examples/corpus/README.md.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OUT = Path(__file__).resolve().parent / "corpus" / "captures.warc.gz"

KESTREL_URL = "https://marketsdaily.example/companies/2024/04/03/kestrel-shares-jump-weather-satellite-deal"
VIREO_URL = "https://clinicatoday.example/regulation/2024/04/23/vireo-inhaler-recall-widened"

KESTREL_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Kestrel Aerospace shares jump 18% after weather satellite deal - Markets Daily</title>
<meta name="author" content="Rafael Ostrowski">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Markets Daily">
<meta property="og:title" content="Kestrel Aerospace shares jump 18% after weather satellite deal">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="2024-04-03T16:05:00+00:00">
</head>
<body>
<header>
  <a class="brand" href="/">Markets Daily</a>
  <nav><ul>
    <li><a href="/markets/">Markets</a></li>
    <li><a href="/companies/">Companies</a></li>
    <li><a href="/economy/">Economy</a></li>
    <li><a href="/tech/">Tech</a></li>
    <li><a href="/personal-finance/">Personal finance</a></li>
  </ul></nav>
</header>
<div class="ticker">KSTR +18.2% &middot; AURL -6.1% &middot; Space index +2.4%</div>
<main>
<article>
  <h1>Kestrel Aerospace shares jump 18% after weather satellite deal</h1>
  <div class="byline">By Rafael Ostrowski <span class="date">3 April 2024</span></div>
  <ul class="share"><li>Share</li><li>Save</li><li>Print</li></ul>
  <figure>
    <img src="/images/kestrel-hq.jpg" alt="">
    <figcaption>Kestrel Aerospace headquarters in Northgate. (Markets Daily/Ana Ruiz)</figcaption>
  </figure>
  <p>Shares in Kestrel Aerospace rose 18 percent on Wednesday, their biggest one-day gain since the company listed in 2022, after it won a contract to launch satellites for the Pan-Continental Weather Agency.</p>
  <p>Under the contract, Kestrel will launch six satellites of the agency\u2019s Stratus-N series from its site at Cape Morrow between 2026 and 2029. Each satellite weighs about 2.3 tonnes and will carry instruments to track storms, sea temperatures and atmospheric moisture.</p>
  <p>The deal, worth 340 million dollars, is equal to roughly two-thirds of Kestrel\u2019s revenue last year. Analysts at Holloway Brothers raised their price target on the stock to 41 dollars from 33 dollars.</p>
  <p>The agency chose Kestrel over two rival bidders, including the incumbent provider Aurelian Launch Services, whose last three launches for the agency were delayed by a combined 14 months.</p>
  <p>Shares in Aurelian fell 6 percent. \u201cLosing an anchor government customer is a serious blow to Aurelian\u2019s order book,\u201d said Priya Castellanos, an aerospace analyst at Norcross Capital.</p>
  <p>Kestrel\u2019s shares have still lost about a quarter of their value over the past year amid concerns about the cost of its reusable rocket programme.</p>
</article>
<aside class="related">
  <h2>Related stories</h2>
  <ul>
    <li><a href="/companies/2024/03/28/aurelian-results">Aurelian Launch Services posts third straight quarterly loss</a></li>
    <li><a href="/markets/2024/04/01/space-stocks-quarter">Space stocks end the quarter higher</a></li>
  </ul>
</aside>
<div class="newsletter">
  <h3>Before the Bell</h3>
  <p>Our free pre-market newsletter, every weekday at 7am.</p>
  <a href="/newsletters/before-the-bell">Subscribe now</a>
</div>
</main>
<footer><p>&copy; 2024 Markets Daily Group. Prices delayed by at least 15 minutes.</p></footer>
</body>
</html>
""".format(url=KESTREL_URL)

VIREO_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>Regulator widens Vireo inhaler recall to three more countries | Clinica Today</title>
<meta name="author" content="Hanna Leclerc">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Clinica Today">
<meta property="og:title" content="Regulator widens Vireo inhaler recall to three more countries">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="2024-04-23T12:30:00+02:00">
</head>
<body>
<nav class="top">
  <a href="/">Clinica Today</a>
  <a href="/regulation/">Regulation</a>
  <a href="/pharma/">Pharma</a>
  <a href="/devices/">Devices</a>
  <a href="/jobs/">Jobs</a>
  <a href="/events/">Events</a>
</nav>
<div id="content">
<article class="post">
  <h1 class="entry-title">Regulator widens Vireo inhaler recall to three more countries</h1>
  <p class="entry-meta">Hanna Leclerc &ndash; <time datetime="2024-04-23T12:30:00+02:00">23.04.2024</time></p>
  <div class="social">Share on: Email | LinkedIn | Copy link</div>
  <figure class="wp-caption">
    <img src="/wp-content/uploads/2024/04/aeris-inhaler.jpg" alt="">
    <figcaption class="wp-caption-text">An Aeris inhaler of the type covered by the recall. Photo by Renée Duchâtel / Clinica Today</figcaption>
  </figure>
  <div class="entry-content">
    <p>The National Medicines Agency on Tuesday extended a recall of Vireo Pharmaceuticals\u2019 Aeris asthma inhalers to three more countries, after the company found the dose-counter fault in a further six batches shipped abroad.</p>
    <p>The wider recall brings the number of affected inhalers to about 1.9 million, up from 1.2 million when the recall was announced a week ago. The additional batches were exported to Aldria, Marenland and the Sorrel Islands.</p>
    <p>\u201cWe are working with regulators in every affected market to make sure patients get a replacement quickly,\u201d a Vireo spokesperson said.</p>
    <div class="advert">Advertisement</div>
    <p>Patient groups criticised the company for the pace of its response. \u201cFamilies found out from the news, not from their pharmacist,\u201d said Colm Brereton, chief executive of the charity Breathe Easy Alliance.</p>
    <p>The agency said it had now received 52 reports of faulty counters and was reviewing whether the fault was linked to a change of supplier for a plastic component last summer.</p>
    <p>Vireo shares fell a further 1.4 percent on Tuesday.</p>
  </div>
  <div class="author-box">
    <p><strong>Hanna Leclerc</strong></p>
    <p>Hanna Leclerc is Clinica Today\u2019s regulatory correspondent. She writes about medicines agencies, product recalls and drug pricing.</p>
  </div>
</article>
<aside class="widget">
  <h3>Related stories</h3>
  <ul>
    <li><a href="/pharma/2024/04/16/vireo-recall">Vireo recalls 1.2 million Aeris inhalers</a></li>
    <li><a href="/devices/2024/04/02/dose-counter-standards">Are inhaler dose counters reliable enough?</a></li>
  </ul>
</aside>
<aside class="widget newsletter">
  <h3>Stay informed</h3>
  <p>Join 40,000 professionals who get Clinica Today\u2019s regulatory digest every Monday.</p>
  <form><input type="email" placeholder="Work email"><button>Subscribe</button></form>
</aside>
</div>
<footer>Copyright &copy; 2024 Clinica Today. All rights reserved. | <a href="/imprint">Imprint</a></footer>
</body>
</html>
""".format(url=VIREO_URL)


def _response(writer: WARCWriter, url: str, html: str, charset: str, rec_id: str, date: str, http_date: str):
    body = html.encode(charset)
    http_headers = StatusAndHeaders(
        "200 OK",
        [
            ("Content-Type", f"text/html; charset={charset}"),
            ("Content-Length", str(len(body))),
            ("Date", http_date),
            ("Server", "nginx"),
        ],
        protocol="HTTP/1.1",
    )
    return writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=http_headers,
        warc_headers_dict={"WARC-Record-ID": rec_id, "WARC-Date": date},
    )


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)

        info = b"software: storyline examples/make_warc.py\r\nformat: WARC File Format 1.0\r\ndescription: invented articles for tests\r\n"
        writer.write_record(
            writer.create_warc_record(
                "",
                "warcinfo",
                payload=BytesIO(info),
                length=len(info),
                warc_content_type="application/warc-fields",
                warc_headers_dict={
                    "WARC-Record-ID": "<urn:uuid:5a1f0c3e-0000-4000-8000-000000000001>",
                    "WARC-Date": "2024-04-05T08:12:30Z",
                    "WARC-Filename": OUT.name,
                },
            )
        )

        req_headers = StatusAndHeaders(
            "GET /companies/2024/04/03/kestrel-shares-jump-weather-satellite-deal HTTP/1.1",
            [
                ("Host", "marketsdaily.example"),
                ("User-Agent", "Mozilla/5.0 (compatible; storyline-example-crawler/0.1)"),
                ("Accept", "text/html"),
            ],
            is_http_request=True,
        )
        writer.write_record(
            writer.create_warc_record(
                KESTREL_URL,
                "request",
                http_headers=req_headers,
                warc_headers_dict={
                    "WARC-Record-ID": "<urn:uuid:5a1f0c3e-0000-4000-8000-000000000002>",
                    "WARC-Date": "2024-04-05T08:12:33Z",
                    "WARC-Concurrent-To": "<urn:uuid:5a1f0c3e-0000-4000-8000-000000000003>",
                },
            )
        )
        writer.write_record(
            _response(writer, KESTREL_URL, KESTREL_HTML, "utf-8",
                      "<urn:uuid:5a1f0c3e-0000-4000-8000-000000000003>",
                      "2024-04-05T08:12:33Z", "Fri, 05 Apr 2024 08:12:33 GMT")
        )
        writer.write_record(
            _response(writer, VIREO_URL, VIREO_HTML, "windows-1252",
                      "<urn:uuid:5a1f0c3e-0000-4000-8000-000000000004>",
                      "2024-04-25T10:03:10Z", "Thu, 25 Apr 2024 10:03:10 GMT")
        )
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
