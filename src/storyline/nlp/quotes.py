"""Quotes and who said them: direct, partial and indirect speech from spaCy's parse.

`find_quotes(doc)` takes a parsed spaCy `Doc` (tagger, parser, NER, sentence boundaries: the doc
`load_nlp()` or `nlp.pipe` gives) and returns `Quote`s with spans into `doc.text`. In order:

1. Quotation marks are paired per paragraph (a line of the text): curly and straight doubles,
   two apostrophes (''...'', as the New York Times sets them), guillemets, and single marks outside
   double ones (told from apostrophes by the characters around them); curly marks inside a straight
   quote nest in it; a mark typed the wrong way round is read by its position. A mark left open at
   the end of a paragraph closes there (the continuation convention).
2. A quoted span is dropped when it is a name, a term or a title: a naming word just before it
   ("so-called", "the book", a passive "described as" with no agent), or Title Case content
   ("Triumph", a book title) that no reporting verb follows. A short phrase no reporting verb
   governs is a scare quote and is dropped too. A quote that begins its sentence, or follows
   "<cue>," / "<cue>:", is `direct`; one embedded in the sentence around it is `partial`.
3. Who said quoted words is the source the attribution names, read from the parse and the
   frames news copy writes attributions in, never the nearest name alone:
   - the frame after the closing mark: '"...," X said', '"...," said X, an economist' (the noun
     phrase right after the verb), '"...?" Hannity pressed' (a verb WordNet files under
     communication, or one that takes nothing but the quote), '"...," the email read', '"...,"
     according to X' (also where the parser hangs "according to" on the quoted clause), a signature
     line ('- Jane Doe.'); the lead before it: 'X said, "..."', 'X interjected, "..."';
   - else the reporting verb that governs the words in the dependency tree (a speech verb above a
     belief verb wins; an active naming verb counts: "she called it '...'"; the walk stops at a
     subordinate clause with its own subject, so "as Trump went on about '...', Melanie said"
     gives the words to nobody);
   - else a colon or a dash that introduces the words ("Dr. Ward stated:" on the paragraph
     before, "From the report:", "... - Philip Bump:", "Transcript as follows:"); a transcript's
     speaker label ("PENCE: Well, look ...", in quotation marks or not) that names a person the
     text names, and in a transcript (two or more such lines) a label whose last word is rare in
     general English ("TAPPER:", not "UPDATE:"), named by the fullest label;
   - else the previous quote's speaker in the same paragraph, or in the previous paragraph when
     this one opens with a quotation mark or with a phrase that has no verb or name and ends in a
     colon ("Then, later that month on CNN:"); a sentence or paragraph of quoted words standing alone
     after one whose main verb reports someone speaking ('Valastro praised ...', 'If anything, Ash
     argued in his email, ...', 'X further related that ...'; sentences in parentheses closing that
     paragraph are an aside); a sentence of quoted words after an indirect report in the same
     paragraph ('Coan argues that ... . "His intent was ..."'); a paragraph of quoted words after a
     narrative paragraph about the person quoted in the paragraph before it ('"...," Viguerie notes.' /
     'Viguerie is upbeat about ...' / '"..."'); a quote left open at its paragraph's end that a
     line naming a person closes ('"I worry that ...' / 'Dean Baker, Center for ... ."');
   - an impersonal passive report ("It is noted that ...") in the account of an outlet's or a
     document's report is that report's.
   A frame is read in the quote's own sentence only (after the previous quote and the last plain sentence
   end); a reporting verb after the quote in a clause the words after it open ("... after memos
   showed ..."), or one reporting words of its own ('"..." Doe said he ...', 'Doe said: "..."'), is not
   its frame; a name after "said" that is the subject of the reported clause ("said Mr. Doe was ...") is
   not the speaker; an attribution set inside the sentence it reports ("Any reading of it, said Doe, an
   expert, would ...") gives the name after the verb, not the words before the comma the parser made its
   subject; of two subjects the parser gave one verb the nearer speaks; "As X put it" gives X; a
   cue the parser left without a subject takes the person named right before it ("Rep. Jane Doe (D-Ore.)
   said") or the noun phrase a parenthesis separates from it ("One attendee, who ..., said"); a
   participle after a comma hung from the object speaks for the clause's subject, and one hung from a
   clause with no one to speak for speaks for the clause that ends at the comma ('..., when protesters
   interrupted her, shouting "..."'); a name in quotation marks inside a frame ('"...," Doe, wearing
   "Vote Roe" pins, said') does not end it. Parses a reader would not give are read past: a name the
   parser made a compound of its verb ('Beck joked, ...') or tore from it with a parenthesis ('after
   Mr. Trump, asked about ..., had said, "..."'), a description it hung on the name before it ('...,
   the candidate stated that'), a relative clause after the closing mark ('"...records" that would
   respond to ..., X wrote'), a participle describing a noun before the mark ('As X put it in his memo
   to employees explaining the deal, "..."'), the writer's 'and I quote', a relative clause's verb
   before quoted words that have no subject ('Nothing the president said "will ...," the senator
   said'). 'Another said' is an unnamed source; 'X is shown lecturing:' gives X.
   When none of these holds the quote has no speaker: a wrong speaker is worse than none.
4. Indirect speech: a reporting verb with a clausal complement ("X said that ...", "..., X told
   TASS", "X pointed out that ...", the complement parsed before the verb too) and "according to
   X"; the content is the complement, kept inside the cue's paragraph. A 'that' clause the parser hung
   from the noun of a phrase of place or occasion ("told journalists at the air show that ...", "said
   in a statement that ...") is the complement still; "<statement>. This was announced by X" gives the
   sentence before to X (same paragraph).
5. The speaker is the verb's subject, taken in the cue's paragraph only (a named subject first; the
   agent of a passive; for "saying ..." or "quoted as stressing ..." the subject of the reporting
   verb it hangs from; for "a statement saying ..." who issued it). Where the parser left the verb
   without one: the head an apposition or a relative clause before the verb describes ("Jane Doe,
   financial policy advocate for the Fund, said" -> Jane Doe). Never a time, a number, a quantity,
   a headline in capitals, a dateline ("CLEVELAND, July 19 (UPI) —": the source is then its
   apposition after the dash), a phrase across a quotation mark ('"poison pill" measures'), a word
   WordNet's sense counts know only as a verb, or a span without a noun head. A message whose author
   the text names ("an email sent out by X", "X released a video that said") speaks for its author;
   not one obtained, seen or cited, nor a poll or survey. Its kind (SPEAKER_KINDS):
   - PERSON: a named person, by the fullest form of the name in the text with titles stripped (a
     surname NER took for something else counts when the text names that person in full or gives
     the name a personal title); a role ("the defense minister") resolved to the one person named
     with that title before it (of several, the one quoted in the sentence before); a court case's
     name ("X v. Y") is no fuller form of a party's;
   - MEDIA: an outlet the text describes as one ("the newspaper Izvestiya"), "the newspaper"
     resolved to it, or a description whose head noun WordNet files under print media,
     broadcasting or news agencies;
   - DOCUMENT: a description whose head noun is a text, recording or inquiry ("the report", "the
     memo", "a poll", "the ad", "the email");
   - GROUP: several people or outlets ("US officials", "Turkish media", "Putin and Xi", a
     nationality in the plural);
   - ORG: an organisation, or a state or city speaking as its government;
   - ANONYMOUS: a source the text does not name ("a source close to ...", "officials who asked
     not to be named", "a person familiar with ...", "a New Hampshire Republican").
   "he"/"she" resolve to the person who is the subject of the nearest preceding sentence naming
   one (or the only person named there), or to the last quoted person when no one was named as a
   subject since; "they"/"it" to the previous non-person speaker. Anything ambiguous stays None.
6. Reporting chains become `via`, nearest first: "X said, Izvestiya reported, as cited by TASS",
   "Izvestiya reported that X said ...", "a source cited by Izvestiya".

`find_attributions(doc)` returns the same quotes with the mention each speaker was read from (a
resolved pronoun stays the pronoun there), which bench/attribution.py scores.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from storyline.model import Quote, Speaker, Span
from storyline.nlp.names import HONORIFICS, gender_conflict, glued_name, is_case_name

# Reporting verbs (lemmas): general English, speech and a few stance/finding verbs.
SPEECH_VERBS = frozenset(
    """
    say tell state declare add note claim argue explain insist stress emphasize emphasise announce report write
    warn suggest acknowledge admit confirm deny assert contend maintain reply respond answer ask tweet post observe
    remark comment reveal disclose predict promise vow pledge urge assure recall complain concede conclude estimate
    mention reiterate repeat testify allege charge believe think agree indicate quip joke boast shout whisper
    continue caution threaten hint recount proclaim affirm counter retort inform advise lament speculate hope fear
    show find signal point underline underscore highlight clarify specify cite quote recommend propose demand
    """.split()
)
# Verbs that report quoted words next to the quote, but are too common to mark indirect speech.
_DIRECT_VERBS = frozenset("read yell sing chant scream exclaim mutter plead beg snap shoot write text email".split())
# Naming verbs: an active one with a subject reports the subject's words ("she called it 'a disgrace'"); a
# passive one without an agent names a term ("what is described as a 'rift'").
_NAMING_VERBS = frozenset("call describe label brand dub term".split())
# Verbs that take a clausal complement as speech only in the passive with an agent or as "quoted as".
_QUOTING_VERBS = frozenset({"quote", "cite"})
# Words before a quoted phrase that make it a name, a term or a title rather than someone's words.
_NAMING_CUES = frozenset(
    """
    so-called called dubbed named nicknamed termed branded labeled labelled described known titled entitled
    book film movie song album novel series show play poem essay article documentary column headline slogan
    motto operation hashtag program programme campaign magazine newspaper code codenamed
    """.split()
)
_TITLE_WORDS = frozenset(
    """
    president presidential minister prime deputy secretary director general spokesman spokeswoman spokesperson
    senator sen. sen rep. rep gov. gov governor mayor dr. dr mr. mr mrs. mrs ms. ms miss sir lord chairman chairwoman
    chair ceo judge justice king queen prince princess pope rev. gen. col. lt. sgt. capt. adm. ambassador
    chancellor leader candidate nominee speaker attorney professor prof. commissioner officer chief head foreign
    defense defence vice former first lady state press secretary-general analyst researcher expert representative
    """.split()
)
# Titles only a person takes.
_PERSONAL_TITLES = frozenset("mr. mrs. ms. mr mrs ms miss dr. sen. rep. gov. senator governor representative".split())
# Abbreviated titles and the words they abbreviate ("Sen. Rubio" ... "the Florida senator").
_TITLE_FORMS = {"sen.": "senator", "sen": "senator", "rep.": "representative", "rep": "representative",
                "gov.": "governor", "gov": "governor", "gen.": "general", "prof.": "professor", "dr.": "doctor"}
# Head nouns of a description that stands for a person ("the defense minister", "the spokesman").
_ROLE_WORDS = frozenset(
    """
    president minister secretary spokesman spokeswoman spokesperson director chairman chairwoman governor mayor
    senator ambassador chancellor chief commissioner judge prosecutor premier representative candidate nominee
    """.split()
)
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
_GROUP_PRONOUNS = frozenset({"they", "them"})
_SUBJ = ("nsubj", "nsubjpass")
_DOUBLE = {"\u201c": "open", "\u201e": "open", "\u00ab": "open", "\u201d": "close", "\u00bb": "close", '"': "?"}
_SINGLE = {"\u2018": "open", "\u2019": "close", "'": "?"}
_OPENERS = set(" \t\n([{\u2014\u2013-/") | {"\u201c", "\u2018", "\u00ab", "\u201e"}
_TRAIL = " \t\n,;:\u2014\u2013-"
_QUOTE_CHARS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e"

# What a speaker is. PERSON: a named person. GROUP: people or outlets together ("US officials", "Turkish
# media", "Putin and Xi"). ORG: an organisation or a state speaking as one ("the ministry", "Russia"). MEDIA:
# one outlet or agency ("Izvestiya", "the newspaper"). DOCUMENT: a text or recording ("the report", "a poll",
# "the ad"). ANONYMOUS: an unnamed source ("a source close to ...", "officials who asked not to be named",
# "a spokesman" nobody was named as).
SPEAKER_KINDS = ("PERSON", "GROUP", "ORG", "MEDIA", "DOCUMENT", "ANONYMOUS")
QUOTE_KINDS = ("direct", "partial", "indirect")  # a quote's kind: its words in marks, some of them, or reported
# WordNet synsets that make a noun an outlet (its hypernyms include one) or the media at large (it is one).
_MEDIA_ROOTS = frozenset({"print_media.n.01", "newspaper.n.01", "periodical.n.01", "broadcasting.n.02",
                          "broadcast.n.02", "news_agency.n.01", "broadcasting_station.n.01"})
_MEDIA_AT_LARGE = frozenset({"medium.n.01", "press.n.02", "print_media.n.01", "journalism.n.01",
                             "mass_medium.n.01"})
# Inquiries that report findings ("the poll", "a survey", "the study"): documents as sources.
_INQUIRY_ROOTS = frozenset({"inquiry.n.01", "investigation.n.02"})
# People together rather than an organisation ("the crowd", "the audience", "people").
_GATHERING_ROOTS = frozenset({"gathering.n.01", "people.n.01", "citizenry.n.01", "people.n.03"})


@dataclass
class QSpan:
    """A quotation-mark span: marks at open/close-1, content inside."""

    open: int  # index of the opening mark
    close: int  # index just past the closing mark (paragraph end when unclosed)
    start: int  # content start
    end: int  # content end
    closed: bool


@dataclass
class Attribution:
    quote: Quote
    mention: Span | None  # the speaker mention at the cue (a pronoun stays a pronoun here)


# --- quotation marks ---------------------------------------------------------------------------

def _side(ch: str, kind: str, text: str, i: int, w: int = 1) -> str:
    """'open' / 'close' / '' (neither, e.g. an apostrophe) for the mark at text[i] (w characters wide)."""
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + w] if i + w < len(text) else " "
    if kind == "close" and ch not in _SINGLE and prev in _OPENERS and nxt.isalnum():
        return "open"  # a closing mark typed where an opening one belongs
    if kind == "open" and ch not in _SINGLE and not prev.isspace() and prev not in _OPENERS and (
            nxt.isspace() or nxt in ",.;:)" or i + 1 >= len(text)):
        return "close"  # an opening mark typed where a closing one belongs
    if kind == "?":  # straight mark: by context
        if prev in _OPENERS and not nxt.isspace():
            return "open"
        if not prev.isspace():
            return "close"
        return "open" if not nxt.isspace() else "close-if-open"
    return kind


def _pair(text: str, lo: int, hi: int, marks: dict[str, str], single: bool,
          nest: bool = False) -> list[tuple[int, int, bool]]:
    """Pair marks in text[lo:hi] (one paragraph). Returns (open index, close index or hi, closed)."""
    out: list[tuple[int, int, bool]] = []
    opened: int | None = None
    nested = 0
    i = lo - 1
    while i + 1 < hi:
        i += 1
        ch = text[i]
        w = 2 if text[i:i + 2] == "''" else 1  # two apostrophes: a double mark (as some papers set them)
        if w == 2 or (i > lo and text[i - 1:i + 1] == "''"):
            if single:
                continue
            ch = '"'
        kind = marks.get(ch)
        if kind is None:
            continue
        side = _side(ch, kind, text, i, w)
        pos = i
        i += w - 1  # the second apostrophe is part of this mark
        if single:
            prev = text[i - 1] if i > lo else " "
            nxt = text[i + 1] if i + 1 < hi else " "
            if side == "close" and (nxt.isalpha() or prev.isspace()):
                continue  # an apostrophe: Turkey's, don't
            if side == "open" and not (prev in _OPENERS and nxt.isalnum()):
                continue
            if side == "close" and opened is None:
                continue  # a closing single mark with nothing open: a trailing apostrophe (Cyprus')
        if side == "close-if-open":
            if opened is not None:
                out.append((opened, pos, True))
                opened = None
            continue
        if opened is None:
            if side in ("open", "?"):
                opened, nested = pos, 0
        elif nest and text[opened] in "\"'" and ch != '"' and (side == "open" and pos > opened + 2 or nested):
            nested += 1 if side == "open" else -1  # curly marks inside straight ones: a quotation inside the quote
            continue
        elif side in ("close", "?") or (kind == "?" and side == "open" and not single):
            out.append((opened, pos, True))
            opened = None
        elif side == "open":  # a second opening mark: the first one was never closed
            if not single:
                out.append((opened, pos, False))
            opened = pos
    if opened is not None and not single:
        out.append((opened, hi, False))
    return out


def quote_spans(text: str) -> list[QSpan]:
    """Top-level quoted spans of `text`, paragraph by paragraph (a paragraph is a line)."""
    spans: list[QSpan] = []
    pos = 0
    before = ""  # the last paragraph with words
    for line in text.split("\n"):
        lo, hi = pos, pos + len(line)
        pos = hi + 1
        if not line.strip():
            continue
        # curly marks nest inside straight ones where the straight quote is closed in the paragraph or runs
        # on from the paragraph before (a colon, or a quote of several paragraphs, each opened again)
        nest = (line.count('"') + line.count("''") >= 2 or before.rstrip().endswith(":")
                or before.lstrip().startswith('"'))
        before = line
        doubles = _pair(text, lo, hi, _DOUBLE, single=False, nest=nest)
        taken = [(o, c) for o, c, _ in doubles]
        singles = [
            s for s in _pair(text, lo, hi, _SINGLE, single=True) if not any(o <= s[0] < c for o, c in taken)
        ]
        for o, c, closed in sorted(doubles + singles):
            start, end = o + (2 if text[o:o + 2] == "''" else 1), c
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1] in _TRAIL:
                end -= 1
            if end - start < 1:
                continue
            width = 2 if text[c:c + 2] == "''" else 1
            if not closed and text[o] in _DOUBLE and (frame := _UNCLOSED_FRAME.search(text, start, end)):
                # a closing mark left out before the frame ('"There was no help, said Kessel, whose ...'): the
                # words end at the frame's comma, as if the mark were there
                k = frame.start(1)
                end = k
                while end > start and text[end - 1] in _TRAIL:
                    end -= 1
                if end > start:
                    spans.append(QSpan(o, k + 1, start, end, True))
                    continue
            spans.append(QSpan(o, c + width if closed else c, start, end, closed))
    return spans


# A reporting frame inside a quote left open: a comma, then "said Name" or "Name said" (up to three capitalised
# words), then a comma or a stop: where the writer forgot the closing mark.
_UNCLOSED_FRAME = re.compile(
    r"(?<=[\w)\]])(,)\s+(?:(?:said|says|added|adds|wrote|writes)\s+(?:[A-Z][\w\u2019'.-]*\s?){1,3}"
    r"|(?:[A-Z][\w\u2019'.-]*\s){1,3}(?:said|says|added|adds|wrote|writes))(?=[,.;])")


# --- what a common noun names, from WordNet ------------------------------------------------------

@functools.lru_cache(maxsize=20_000)
def noun_classes(lemma: str) -> tuple[str, ...]:
    """The source kinds a common noun can name, one per WordNet sense that names one, most frequent
    sense first (a speaker's noun is read in the sense that can speak: "release" as a press release):
    MEDIA (an outlet: "newspaper", "daily", "news agency"), MEDIA_AT_LARGE ("media",
    "press"), DOCUMENT (a text, recording or inquiry: "report", "memo", "ad", "email", "poll", "survey"),
    PERSON ("official", "spokesman"), ORG (an organisation: "ministry", "government"), GROUP (people
    together: "crowd", "audience"), INFORMANT (a word one of whose senses is an informant: "source").
    () where WordNet is not installed or names none of these (a place, a time, a feeling)."""
    from storyline.nlp.lexicon import LexiconError, wordnet

    try:
        wn = wordnet()
    except LexiconError:
        return ()
    out: list[str] = []
    synsets = wn.synsets(lemma.replace(" ", "_"), "n")
    for s in synsets:
        kind = _sense_kind(s)
        if kind is not None and kind not in out:
            out.append(kind)
    if any(s.name() == "informant.n.01" for s in synsets):
        out.insert(0, "INFORMANT")
    if not synsets:
        out.append("UNKNOWN")  # a word WordNet does not have ("commenter", "frontrunner")
    return tuple(out)


def _sense_kind(s) -> str | None:
    """The source kind one WordNet noun sense names (as `noun_classes` lists them), None for none."""
    hyp = {h.name() for h in s.closure(lambda x: x.hypernyms() + x.instance_hypernyms())}
    lex = s.lexname()
    if s.name() in _MEDIA_AT_LARGE:
        return "MEDIA_AT_LARGE"
    if s.name() in _MEDIA_ROOTS or hyp & _MEDIA_ROOTS:
        return "MEDIA"
    if lex == "noun.person":
        return "PERSON"
    if lex == "noun.communication" or hyp & _INQUIRY_ROOTS:
        return "DOCUMENT"
    if lex == "noun.group" and (hyp & _GATHERING_ROOTS or s.name() in _GATHERING_ROOTS):
        return "GROUP"
    if lex == "noun.group" and "social_group.n.01" in hyp:
        return "ORG"
    if lex == "noun.group":
        return "GROUP"  # "the group"
    return None


@functools.lru_cache(maxsize=20_000)
def first_sense_kind(lemma: str) -> str | None:
    """The source kind a common noun's most frequent WordNet sense names ("statement": DOCUMENT; not
    "implication", a message only in its third sense); None where it names none or WordNet is missing."""
    from storyline.nlp.lexicon import LexiconError, wordnet

    try:
        first = wordnet().synsets(lemma.replace(" ", "_"), "n")[:1]
    except LexiconError:
        return None
    return _sense_kind(first[0]) if first else None


def _noun_class(tok) -> str | None:
    """The kind a common-noun head names (the two-word compound first: "news agency")."""
    for c in tok.lefts:
        if c.dep_ == "compound" and c.i == tok.i - 1 and c.pos_ == "NOUN":
            classes = noun_classes(f"{c.lemma_.lower()} {tok.lemma_.lower()}")
            if classes and classes[0] != "UNKNOWN":
                return classes[0]
    classes = noun_classes(tok.lemma_.lower())
    return classes[0] if classes else None


_OUTLET_LABELS = frozenset({"ORG", "PERSON", "NORP", "GPE", "FAC", "WORK_OF_ART", "PRODUCT"})


def outlet_nouns(e, label: str | None = None) -> set[str]:
    """The nouns a text describes a name (a spaCy span; `label` its entity label, else the span's) as an
    outlet or agency with: "the newspaper Izvestiya", "Izvestiya daily", "state-run news agency TASS", or
    a word of the name that says so itself ("... Gazette"); empty when it does not."""
    if (label or e.label_) not in _OUTLET_LABELS:
        return set()
    r = e.root
    nouns = []
    if r.dep_ in ("appos", "compound") and r.head.pos_ == "NOUN" and abs(r.head.i - r.i) <= 3 and \
            (label or e.label_) not in ("NORP", "GPE"):  # "Izvestiya newspaper", not "the Russian newspaper"
        nouns.append(r.head)
    nouns += [c for c in r.children if c.pos_ == "NOUN" and c.dep_ in ("appos", "compound")
              and not (e.start <= c.i < e.end)]
    found = set()
    for n in nouns:
        if _noun_class(n) == "MEDIA" or "MEDIA" in noun_classes(n.lemma_.lower()):
            found.add(n.lemma_.lower())
    for t in e:  # a name that says what it is: "... Gazette", "... Daily", "Fox News" (last word)
        classes = noun_classes(t.lower_)[:2 if t.i == e.end - 1 else 1]
        if t.is_title and set(classes) & {"MEDIA", "MEDIA_AT_LARGE"}:
            found.add(t.lower_)
    return found


# --- the parse helpers ---------------------------------------------------------------------------

def _is_cue(tok) -> bool:
    return tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in SPEECH_VERBS or (
        tok.pos_ == "VERB" and tok.lemma_.lower() in _QUOTING_VERBS
    ) or (tok.pos_ == "VERB" and tok.lemma_.lower() == "put" and any(  # "as she put it, '...'"
        c.dep_ == "dobj" and c.lower_ == "it" for c in tok.children))


def _is_quote_cue(tok) -> bool:
    """A verb that can govern quoted words: a reporting verb, or an active naming verb."""
    return _is_cue(tok) or (tok.pos_ == "VERB" and (tok.lemma_.lower() in _DIRECT_VERBS or (
        tok.lemma_.lower() in _NAMING_VERBS and not _is_passive(tok))))


def _is_passive(v) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in v.children)


def _according_object(tok):
    """For the token 'according' of 'according to X': X's head token."""
    for c in tok.children:
        if c.lower_ == "to":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    return None


_INVERTING_VERBS = frozenset("say add note explain write argue insist recall observe remark continue warn contend "
                             "acknowledge concede".split())


def _parenthetical_speaker(v):
    """The name of an attribution set inside the sentence it reports, subject after the verb: "Any reading of
    his actions, said Jane Doe, an expert on Russia, would ..." -> Doe, where the parser took the words before
    the comma for the verb's subject and the name for the reported clause's. A comma before the verb, a
    person's name right after it and a comma after the name (its description may follow); None otherwise."""
    doc = v.doc
    if v.lemma_.lower() not in _INVERTING_VERBS or v.tag_ not in ("VBD", "VBZ", "VBP") or v.i < 2 or \
            doc[v.i - 1].text != "," or v.i + 2 >= len(doc):
        return None
    if not any(c.dep_ == "nsubj" and c.i < v.i - 1 for c in v.children):
        return None
    j = v.i + 1
    while j < len(doc) and j - v.i <= 6 and doc[j].pos_ == "PROPN" and doc[j].ent_type_ == "PERSON":
        j += 1
    if j == v.i + 1 or j >= len(doc) or doc[j].text != ",":
        return None
    return doc[j - 1]


def _subject(v, D=None, depth: int = 0, shared: bool = False):
    """The token naming who speaks for cue verb v, or None. `shared`: v is the head of a conjoined
    clause whose subject is wanted ("Silverman was joined by Franken and joked" → Silverman)."""
    if depth > 4:
        return None

    def outside(t) -> bool:
        """Outside quoted words, in the cue's paragraph (a parse that runs over a paragraph break joins a
        time stamp or a headline to the sentence below it), and able to name someone."""
        if D is None:
            return True
        return D.in_quote(t.idx) is None and D.par(t.idx) == D.par(v.idx) and _can_name_a_source(t, D) or (
            t.pos_ == "PRON" and D.in_quote(t.idx) is None and D.par(t.idx) == D.par(v.idx))

    if depth == 0 and (inside := _parenthetical_speaker(v)) is not None and outside(inside):
        return inside
    passive = _is_passive(v)
    for c in v.children:
        if passive and c.dep_ == "agent" and not shared:
            for g in c.children:
                if g.dep_ == "pobj" and outside(g):
                    return g
    # a named subject first; of two the parser gave one verb, the nearer ("Speaking in Salem, New Hampshire, Doe
    # went after Roe": Doe)
    kids = sorted(v.children, key=lambda c: (c.dep_ != "nsubj" or not c.ent_type_, abs(c.i - v.i)))
    for c in kids:
        if c.dep_ == "nsubj" and D is not None and _dateline(c, D):
            # "CLEVELAND, July 19 (UPI) — <Name> told ...": the parser made the dateline the subject
            named = _after_dateline(c, D)
            if named is not None and outside(named):
                return named
        if not outside(c):
            continue
        if c.dep_ == "nsubj" or (c.dep_ == "nsubjpass" and (depth > 0 or v.lemma_.lower() in _QUOTING_VERBS)):
            if c.tag_ in ("WP", "WDT") and v.dep_ == "relcl":
                return v.head if D is None or outside(v.head) else None
            if c.lower_ in ("there", "this", "that", "which", "what"):
                return None
            if c.lower_ == "it" and (c.dep_ == "nsubjpass" or v.lemma_.lower() in ("be", "seem", "appear")):
                return None
            return c
        if c.dep_ == "nsubjpass":
            return None
    for c in v.children:
        # "..., Beck joked, again using an accent, '...'": a name right before a verb that the parser made a
        # compound of it (a verb takes no compound) is its subject
        if c.dep_ == "compound" and c.i == v.i - 1 and v.pos_ == "VERB" and v.tag_ in ("VBD", "VBZ", "VBP") and \
                c.pos_ == "PROPN" and outside(c):
            return c
    for c in v.children:  # "As Jane Doe, a historian, put it, '...'": the parser made the subject the object of "as"
        if c.lower_ == "as" and c.dep_ in ("mark", "prep") and c.i < v.i:
            for g in c.children:
                if g.dep_ == "pobj" and outside(g) and (g.ent_type_ == "PERSON" or g.pos_ == "PROPN"):
                    return g
    if depth == 0 and v.i + 1 < len(v.doc) and v.tag_ != "VBG" and not (
            v.doc[v.i + 1].dep_ in _SUBJ and v.doc[v.i + 1].head.i != v.i):
        # "Said Ellis: ...", "said Acton, a physicist"; not "saying Clinton would ...": Clinton is the subject
        # of the reported clause
        nxt = v.doc[v.i + 1]
        j = nxt.i  # "said Air Force 1st Lt. Jane Doe": the person at the end of a run of titles and names
        while j < len(v.doc) and j - nxt.i < 10 and (v.doc[j].pos_ == "PROPN" or v.doc[j].is_title
                                                     or v.doc[j].ent_iob_ == "I" or v.doc[j].text == "."):
            j += 1
        persons = [t for t in v.doc[nxt.i:j] if t.ent_type_ == "PERSON" and outside(t)]
        if persons and v.doc[nxt.i].ent_type_ != "PERSON":
            last = persons[-1]
            while last.i + 1 < j and v.doc[last.i + 1].ent_type_ == "PERSON":
                last = v.doc[last.i + 1]
            if last.dep_ in _SUBJ and last.head.i != v.i and last.head.head.i == v.i:
                return None  # "said Mr. Doe was a candidate ...": Doe is the reported clause's subject
            return last
        if nxt.ent_type_ in ("PERSON", "ORG") and nxt.ent_iob_ == "B" and outside(nxt):
            j = nxt.i
            while j + 1 < len(v.doc) and v.doc[j + 1].ent_iob_ == "I":
                j += 1
            return v.doc[j]
        if nxt.pos_ == "PROPN" and nxt.is_title and outside(nxt) and nxt.ent_type_ in ("", "PERSON", "ORG", "NORP"):
            j = nxt.i
            while j + 1 < len(v.doc) and v.doc[j + 1].pos_ == "PROPN" and v.doc[j + 1].is_title:
                j += 1
            return v.doc[j]
    # "saying that ...", "quoted as stressing ...", "... and added": the subject of the verb it hangs from
    # (of the nearest reporting verb above it, where there is one); not for a bare participle
    # ("when asked if ...": the one asked is not the one asking)
    if v.tag_ == "VBN" and not any(c.dep_ in ("aux", "auxpass") for c in v.children) and v.dep_ != "conj" and not (
            shared and v.dep_ == "xcomp"):  # "Doe seemed taken aback and mentioned that ...": Doe mentioned
        return None
    if v.dep_ in ("xcomp", "advcl", "conj", "pcomp") and v.head.i != v.i and (
            D is None or D.par(v.head.idx) == D.par(v.idx)):
        h = v.head
        if h.dep_ == "prep" and h.head.i != h.i:
            h = h.head
        if v.dep_ == "advcl" or v.dep_ == "conj" and not _is_cue(h):
            # "saying that the bill was waylaid ... - and arguing that ...": the reporting verb above
            a = h
            for _ in range(4):
                if _is_cue(a):
                    s = _subject(a, D, depth + 1)
                    if s is not None:
                        return s
                if a.head.i == a.i:
                    break
                a = a.head
        if h.pos_ in ("VERB", "AUX"):
            s = _subject(h, D, depth + 1, shared=v.dep_ == "conj")
            if s is not None and (D is None or s.pos_ != "NOUN" or _common_kind(s, D) is not None) or not (
                    v.dep_ == "advcl" and v.tag_ == "VBG" and v.i > 1 and v.doc[v.i - 1].text == ","):
                return s
            # "The incident came during a speech, when protesters interrupted her, shouting '...'": a participle
            # after a comma that the parser hung from a clause with no one to speak for speaks for the subject
            # of the clause that ends at the comma
            a = v.doc[v.i - 2]
            for _ in range(6):
                if a.head.i == a.i or a.head.i > v.i:
                    break
                a = a.head
                if a.pos_ == "VERB" and a.i < v.i:
                    return next((c for c in a.children if c.dep_ == "nsubj" and (D is None or outside(c))), None)
            return None
    if v.dep_ == "dobj" and v.tag_ == "VBG" and _is_passive(v.head):
        # "the cleric ... is shown lecturing: '...'": the one a passive verb of perception shows doing it
        return _subject(v.head, D, depth + 1)
    if v.dep_ == "pcomp" or (v.dep_ == "pobj"):
        h = v.head
        if h.dep_ == "prep" and h.head.pos_ == "VERB":
            return _subject(h.head, D, depth + 1)
    if v.dep_ == "acl" and v.tag_ == "VBG" and D is not None and v.head.pos_ == "NOUN" and \
            _common_kind(v.head, D) == "DOCUMENT":
        # "X issued a statement saying ...": X; "a statement saying ...", "the ad saying ...": the document
        doc_noun = v.head
        if doc_noun.dep_ in ("dobj", "pobj") and doc_noun.head.pos_ == "VERB" and doc_noun.dep_ == "dobj":
            who = _subject(doc_noun.head, D, depth + 1)
            if who is not None:
                return who
        return doc_noun
    if v.dep_ == "acl" and v.tag_ == "VBG" and v.i > 0 and v.doc[v.i - 1].text == "," and \
            v.head.dep_ == "dobj" and v.head.head.pos_ == "VERB" and (D is None or D.par(v.head.idx) == D.par(v.idx)):
        # "Doe rejected the notion that ..., saying that ...": a participle after a comma that the parser hung
        # from the object speaks for the clause's subject
        return _subject(v.head.head, D, depth + 1)
    return None


class _Doc:
    """Per-document lookups, computed once."""

    def __init__(self, doc, spans: list[QSpan]):
        self.doc = doc
        self.text = doc.text
        n = len(doc)
        self.sent_of = [0] * n
        self.sents = list(doc.sents)
        for k, s in enumerate(self.sents):
            for i in range(s.start, s.end):
                self.sent_of[i] = k
        self.ent_of: list = [None] * n
        self.ents = list(doc.ents)  # doc.ents builds its spans anew on each access
        for e in self.ents:
            for i in range(e.start, e.end):
                self.ent_of[i] = e
        # paragraph (line) starts, for char → paragraph
        self.par_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self.spans = spans
        self.starts = [s.open for s in spans]
        self.tok_starts = [t.idx for t in doc]
        self._cased: dict[str, str] | None = None  # `in_running_case`'s words
        self.bearers: dict[str, list[str]] = {}  # surname → every full name with it, in text order, as the
        # running text writes it (`_persons`)
        self.persons = self._persons()
        self.outlets = self._outlets()
        self.labels: dict[int, Speaker] = {}  # transcript labels ("PENCE:") → the person they name
        self.blocked = False

    def par(self, char: int) -> int:
        return bisect.bisect_right(self.par_starts, char) - 1

    def in_quote(self, char: int) -> QSpan | None:
        k = bisect.bisect_right(self.starts, char) - 1
        if k >= 0 and self.spans[k].open <= char < self.spans[k].close:
            return self.spans[k]
        return None

    def tok_at(self, char: int) -> int:
        """Index of the token containing or following char."""
        return min(bisect.bisect_right(self.tok_starts, char) - 1 if char >= 0 else 0, len(self.doc) - 1)

    def _persons(self) -> dict[str, str]:
        """surname (lowercased) → the person the text names by it alone (`_first_bearer`), titles stripped; a
        surname no full name has, as the text writes it. A person is a
        PERSON entity, or a name of another type the text gives a personal title ("Mrs. Fiorina", "Gov.
        Kasich", where NER took the name for an organisation or a place)."""
        best: dict[str, str] = {}
        titled = {e.text.split()[-1].lower() for e in self.ents if e.label_ != "PERSON" and e.start > 0
                  and self.doc[e.start - 1].lower_ in _PERSONAL_TITLES}
        for e in self.doc.ents:
            if e.label_ != "PERSON" and not (e.label_ in ("ORG", "GPE", "NORP", "WORK_OF_ART", "FAC")
                                             and e.text.split()[-1].lower() in titled and len(e) <= 3):
                continue
            name = _strip_titles(e)
            if not name.split() or is_case_name(name.split()):
                continue  # a case's name ("Trump v. Trump") is not a fuller form of a party's
            key = name.split()[-1].lower()
            if len(name.split()) >= 2:
                self.bearers.setdefault(key, []).append(self.in_running_case(name) if name.isupper() else name)
            elif _name_rank(name) > _name_rank(best.get(key, "")):
                best[key] = name  # a surname the text gives alone, where no full name has it
        best.update((key, _first_bearer(names)) for key, names in self.bearers.items())
        return {k: self.in_running_case(v) if v.isupper() else v for k, v in best.items()}

    def in_running_case(self, name: str) -> str:
        """A name written in capitals (a headline's, a transcript label's) as the running text writes its words
        ("McCain"), else with capital initials."""
        if self._cased is None:
            self._cased = {t.lower_: t.text for t in self.doc if t.text[:1].isupper() and not t.is_upper}
        return " ".join(self._cased.get(w.lower()) or w.title() for w in name.split())

    def _outlets(self) -> dict[str, set[str]]:
        """Names the text gives as outlets → the nouns it describes them with (`outlet_nouns`)."""
        out: dict[str, set[str]] = {}
        for e in self.ents:
            found = outlet_nouns(e)
            if found:
                out.setdefault(_bare_name(e.text), set()).update(found)
        return out

    def is_outlet(self, ent) -> bool:
        return _bare_name(ent.text) in self.outlets

    def fullest(self, name: str, honorific: str | None = None) -> str:
        """The fullest form in the text of a person's name ("Clinton" → "Hillary Clinton"). Written with an
        honorific, the fullest of the names it fits ("Mr. Clinton" is not Hillary Clinton: `gender_conflict`);
        the name as written where it fits none."""
        key = name.split()[-1].lower() if name.split() else ""
        full = self.persons.get(key)
        if full and honorific and gender_conflict(honorific, full.split()[0]):
            fits = [b for b in self.bearers.get(key, []) if not gender_conflict(honorific, b.split()[0])]
            full = _first_bearer(fits) if fits else None
        if full and set(name.lower().split()) <= set(full.lower().split()):
            return full
        return name


def _first_bearer(names: list[str]) -> str:
    """Whom a bare surname names, of the full names with it in text order: the person the text names first,
    in the fullest form it gives them ("Alan Grayson", "Alan Mark Grayson"). A writer names a second bearer
    in full each time, to tell them from the one the surname alone stands for ("Chris Murphy … Anne Marie
    Murphy … Murphy said"), so a later and longer name is not the one meant."""
    first = tuple(names[0].split())
    person = glued_name(first, [tuple(n.split()) for n in names]) or first  # "Clinton Slams Donald Trump"
    given = person[0].lower()
    return max((n for n in names if n.split()[0].lower() == given), key=_name_rank)


def _name_rank(name: str) -> tuple[int, bool]:
    """Which of two forms of a name is the fuller: more words, then one not in capitals (a headline's
    "DONALD TRUMP" is the running text's "Donald Trump")."""
    return len(name.split()), not name.isupper()


def _bare_name(text: str) -> str:
    return re.sub(r"^(the|The)\s+", "", text).strip(_QUOTE_CHARS + " ").lower()


def _honorific(span) -> str | None:
    """The honorific written before a name: its first word, or the word before it ("Mrs. Clinton")."""
    for t in (span[0], span.doc[span.start - 1] if span.start > 0 else None):
        if t is not None and t.lower_.rstrip(".") in HONORIFICS:
            return t.text
    return None


def _strip_titles(span) -> str:
    toks = [t for t in span if not (t.tag_ == "POS" or t.text in ("'s", "\u2019s"))]
    while len(toks) > 1 and (toks[0].lower_ in _TITLE_WORDS or toks[0].pos_ in ("ADJ", "DET")
                             or toks[0].ent_type_ in ("NORP", "GPE") or toks[0].pos_ != "PROPN"):
        toks = toks[1:]
    return " ".join(t.text for t in toks).strip(_QUOTE_CHARS + " ")


def _mention_span(tok, D: _Doc) -> tuple[int, int, str]:
    """The speaker mention around head token `tok`: (token start, token end, type)."""
    ent = D.ent_of[tok.i]
    if ent is None:
        for c in tok.children:  # "his spokesman, Dmitry Peskov"
            if c.dep_ == "appos" and D.ent_of[c.i] is not None and D.ent_of[c.i].label_ == "PERSON":
                tok, ent = c, D.ent_of[c.i]
                break
    if ent is None and not any(c.dep_ == "conj" for c in tok.children):
        # "Center for Strategic Studies Director Ivan Konovalov": a noun phrase that ends with a person's name
        right = tok.i + 1
        for c in tok.rights:
            if c.dep_ in ("relcl", "appos", "punct", "cc", "conj", "acl"):
                break
            right = c.right_edge.i + 1
        last = D.ent_of[right - 1]
        if last is not None and last.label_ == "PERSON" and last.end == right and right - 1 > tok.i:
            if D.doc[last.start - 1].lower_ in _TITLE_WORDS:
                return tok.left_edge.i if D.doc[tok.left_edge.i].dep_ != "det" else tok.left_edge.i + 1, right, \
                    "PERSON"
    if any(c.dep_ == "conj" for c in tok.children):  # "Putin and Xi": a group, whatever its members are
        ent = None
    if ent is not None and ent.label_ in ("PERSON", "ORG", "GPE", "NORP"):
        label = ent.label_
        if label != "PERSON" and any(c.dep_ == "appos" and (c.lemma_.lower() in _TITLE_WORDS or c.like_num)
                                     for c in tok.children):
            label = "PERSON"  # "Enes Bayrakli, director of ...": a person, whatever NER made of the name
        # the name with the words before it in its noun phrase (titles), as the text writes it
        left = ent.start
        for c in tok.lefts:
            if c.dep_ in ("compound", "amod", "nmod", "npadvmod") and c.i < left:
                left = min(left, _phrase_left_edge(c))
        left = _after_quote_begun(left, ent.start, D)
        while left < ent.start and D.doc[left].dep_ in ("det", "punct"):
            left += 1
        return left, max(ent.end, tok.i + 1), label
    # a common-noun source: the noun phrase without relative clauses, appositions or trailing commas
    left = _after_quote_begun(_phrase_left_edge(tok), tok.i, D)
    while left < tok.i and D.doc[left].is_punct:
        left += 1
    right = tok.i + 1
    group = any(c.dep_ == "conj" for c in tok.children)
    for c in tok.rights:
        if c.dep_ in ("relcl", "appos", "punct", "acl", "advcl") or (c.dep_ in ("cc", "conj") and not group):
            break
        right = c.right_edge.i + 1
    if group:  # "Putin and Xi", "China and Russia"
        kind = "GROUP"
    elif tok.pos_ == "PROPN" and not (tok.is_sent_start and noun_classes(tok.lower_)[:1] not in ((), ("UNKNOWN",))):
        kind = "ORG"  # a name NER missed (not "Transcript" opening a sentence)
    else:
        kind = "COMMON"  # a description: what it names is for _common_kind to say
    return left, right, kind


_CLAUSAL = frozenset({"ccomp", "csubj", "advcl", "parataxis", "relcl", "acl", "xcomp", "punct"})


def _phrase_left_edge(tok) -> int:
    """Where the noun phrase headed by `tok` begins: its left edge, without a clause the parse hung on it ("“It’s
    unanimous,” councilmember Mark Levine said", the quoted words as a complement of "councilmember")."""
    return min([tok.i] + [_phrase_left_edge(c) for c in tok.lefts if c.dep_ not in _CLAUSAL])


def _after_quote_begun(left: int, head: int, D: _Doc) -> int:
    """A phrase's first token, not inside a quotation that began before it: the parse took the quote's last
    words for modifiers of the name after it ("… is hunky-dory,” Gene Sperling, … said"). A quotation the phrase
    holds whole ('"poison pill" measures') stays in it."""
    qs = D.in_quote(D.doc[left].idx)
    if qs is None or qs.start >= D.doc[left].idx:
        return left
    while left < head and D.doc[left].idx < qs.close + 1:
        left += 1
    return left


def _name(toks, kind: str, D: _Doc) -> str:
    if kind == "PERSON":
        ent = None
        for t in toks:
            if D.ent_of[t.i] is not None and D.ent_of[t.i].label_ == "PERSON":
                ent = D.ent_of[t.i]
        if ent is None:
            for t in reversed(toks):
                if D.ent_of[t.i] is not None:
                    ent = D.ent_of[t.i]
                    break
        return D.fullest(_strip_titles(ent), _honorific(ent)) if ent is not None else toks.text
    if kind in ("ORG", "GPE", "NORP"):
        ents = [D.ent_of[t.i] for t in toks if D.ent_of[t.i] is not None and D.ent_of[t.i].label_ == kind]
        text = ents[-1].text if ents else toks.text
        return re.sub(r"^(the|The)\s+", "", text).strip(_QUOTE_CHARS + " ")
    return toks.text


# --- speakers --------------------------------------------------------------------------------

@dataclass
class _Found:
    speaker: Speaker | None
    mention: Span | None


def _clip(a: int, b: int, ref: int, D: _Doc) -> tuple[int, int]:
    line = D.par(D.doc[ref].idx)
    while a < ref and D.par(D.doc[a].idx) != line:
        a += 1
    while b > ref + 1 and D.par(D.doc[b - 1].idx) != line:
        b -= 1
    return a, b


def _speaker_from(tok, D: _Doc, history: list[tuple[int, Speaker]]) -> _Found:
    """The Speaker for subject/source token `tok` (resolving pronouns)."""
    if tok is None:
        return _Found(None, None)
    if tok.i in D.labels:
        sp = D.labels[tok.i]
        return _Found(sp, sp.span)
    doc = D.doc
    mention = (tok.idx, tok.idx + len(tok.text))
    low = tok.lower_
    if tok.pos_ == "PRON" or tok.tag_ in ("PRP", "PRP$"):
        if low in _PERSON_PRONOUNS:
            sp, k = _resolve_person(tok, D)
            # the last quoted person, unless someone was named as a subject since
            sid = D.sent_of[tok.i]
            for k_sp, last in reversed(history):
                if last.type == "PERSON" and sid - k_sp <= 6 and (sp is None and k < k_sp or k <= k_sp):
                    sp = last
                break
            return _Found(sp, mention)
        if low in _GROUP_PRONOUNS or low == "it":
            # "they" / "it": the previous speaker, if that was not a person (and for "it", not a group)
            sid = D.sent_of[tok.i]
            for k, sp in reversed(history):
                if sid - k <= 2 and sp.type != "PERSON" and not (low == "it" and sp.type == "GROUP"):
                    return _Found(sp, mention)
                break
        if low == "another" and tok.dep_ in _SUBJ and _quantified(tok) is None:
            # 'Another tweeted, "..."': one more source of the kind just quoted, unnamed
            sid = D.sent_of[tok.i]
            kind = next((sp.type for k, sp in reversed(history) if sid - k <= 3 and sp.type in ("DOCUMENT", "MEDIA")),
                        "ANONYMOUS")
            return _Found(Speaker(name=tok.text, text=tok.text, span=mention, type=kind), mention)
        return _Found(None, mention)
    q = _quantified(tok)
    if q is not None:
        if q.dep_ == "appos":  # "one of the executives, Michael Sexton": the name
            return _speaker_from(q, D, history)
        inner = _speaker_from(q, D, history)  # "one of the delegates", "some of the officials"
        if inner.speaker is None:
            return inner
        sp = inner.speaker
        a, b = _clip(tok.i, max(q.i + 1, inner.mention and D.tok_at(inner.mention[1] - 1) + 1), tok.i, D)
        text = doc[a:b].text.strip(_TRAIL)
        mention = (doc[a].idx, doc[a].idx + len(text))
        kind = sp.type
        if sp.type in ("GROUP", "ANONYMOUS") or q.tag_ in ("NNS", "NNPS"):
            kind = "ANONYMOUS" if tok.lower_ in ("one", "another") else "GROUP"
        return _Found(Speaker(name=text, text=text, span=mention, type=kind), mention)
    if _dateline(tok, D):  # the parser made the dateline the subject and the source its apposition
        named = _after_dateline(tok, D)
        return _speaker_from(named, D, history) if named is not None else _Found(None, None)
    if tok.tag_ in ("WP", "WDT", "EX", "DT") or not _can_name_a_source(tok, D):
        return _Found(None, None)
    a, b, label = _mention_span(tok, D)
    a, b = _clip(a, b, tok.i, D)
    while a < b - 1 and doc[a].is_punct:
        a += 1
    while a > 0 and doc[a - 1].dep_ == "det" and doc[a - 1].head.i == tok.head.i and tok.dep_ == "compound" \
            and D.par(doc[a - 1].idx) == D.par(tok.idx):
        a -= 1  # "the email read": a reporting verb taken for a noun took the article too
    span = doc[a:b]
    text = span.text.strip(_TRAIL)
    start = span.start_char
    if len([t for t in span if t.is_alpha and len(t) > 1]) >= 2 and all(
            t.is_upper for t in span if t.is_alpha and len(t) > 1):
        return _Found(None, None)  # a headline in capitals ("FIX IS IN"), not a source's name
    mention = (start, start + len(text))
    if label != "PERSON" and tok.text[:1].isupper() and (tok.lower_ in D.persons or label == "COMMON" and (
            noun_classes(tok.lower_) in ((), ("UNKNOWN",)))) and (label == "COMMON" or _surname_only(tok, span, D)):
        # a name the tagger took for a common noun ("Hannity said"): the person of that surname, if one was named
        full = D.persons.get(tok.lower_)
        name = full if full else tok.text
        return _Found(Speaker(name=name, text=text, span=mention, type="PERSON" if full else "ORG"), mention)
    if label == "COMMON":
        kind = _common_kind(tok, D)
        if kind is None:
            return _Found(None, None)  # "the city", "a piece", "voter mistrust": nothing that speaks
        if kind == "DOCUMENT" and _message(tok.lemma_.lower()):
            author = _author(tok, D)
            if author is not None:  # "an email sent out by Sanders warned", "Trump released a video that said"
                found = _speaker_from(author, D, history)
                if found.speaker is not None and found.speaker.type in ("PERSON", "ORG", "GROUP", "MEDIA"):
                    return found
        if kind == "PERSON":
            # "Turkey's Defense Minister": the person named earlier with that title, if exactly one was
            by_role = _person_by_role(span, D, _recent(tok, D, history)) if tok.lemma_.lower() in _ROLE_WORDS \
                else None
            if by_role is not None:  # "the defense minister": the person of that title, named at this mention
                return _Found(Speaker(name=by_role.name, text=text, span=mention, type="PERSON"), mention)
            kind = "ANONYMOUS"
        if kind == "MEDIA":
            outlet = _outlet_by_description(tok, span, D)
            if outlet is not None:
                return _Found(Speaker(name=outlet, text=text, span=mention, type="MEDIA"), mention)
        return _Found(Speaker(name=text, text=text, span=mention, type=kind), mention)
    if label != "PERSON" and tok.lemma_.lower() in _ROLE_WORDS:
        by_role = _person_by_role(span, D, _recent(tok, D, history))
        if by_role is not None:
            return _Found(Speaker(name=by_role.name, text=text, span=mention, type="PERSON"), mention)
    name = _name(span, label, D)
    if not name.strip():
        return _Found(None, None)
    kind = _entity_kind(tok, span, label, D)
    if kind is None:
        return _Found(None, None)
    sp = Speaker(name=name, text=text, span=mention, type=kind)
    return _Found(sp, mention)


def _recent(tok, D: _Doc, history: list[tuple[int, Speaker]]) -> Speaker | None:
    """The speaker quoted last, in the sentence before `tok`'s or in its own; None otherwise."""
    if not history:
        return None
    k, sp = history[-1]
    return sp if 0 <= D.sent_of[tok.i] - k <= 1 else None


@functools.lru_cache(maxsize=20_000)
def _message(lemma: str) -> bool:
    """A noun whose most frequent WordNet sense is a message someone sends ("email", "statement", "video"),
    not an inquiry that speaks for itself ("poll", "survey") nor a thing made ("picture")."""
    from storyline.nlp.lexicon import LexiconError, wordnet

    try:
        first = wordnet().synsets(lemma.replace(" ", "_"), "n")[:1]
    except LexiconError:
        return False
    if not first or first[0].lexname() != "noun.communication":
        return False
    return not {h.name() for h in first[0].closure(lambda x: x.hypernyms())} & _INQUIRY_ROOTS


_NOT_AUTHORING = frozenset({"verb.perception", "verb.possession", "verb.cognition"})


def _authoring(v) -> bool:
    """A verb whose subject or agent may be a document's author ("sent", "filed", "released"): not one whose
    first WordNet sense is perceiving, having or knowing it ("a letter obtained by", "a video seen by",
    "Trump watched an ad that ..."), nor citing it."""
    from storyline.nlp.lexicon import LexiconError, sense_classes

    lemma = v.lemma_.lower()
    if v.pos_ != "VERB" or lemma in _QUOTING_VERBS:
        return False
    try:
        first = sense_classes(lemma, "v")[:1]
    except LexiconError:
        return False
    return bool(first) and first[0] not in _NOT_AUTHORING


def _author(tok, D: _Doc):
    """Who the document noun `tok` says made it: the agent of a participle on it ("an email sent out by
    Sanders"), or the subject of the verb it is the object of ("Trump released a video that said")."""
    for c in tok.children:
        if c.dep_ == "acl" and c.tag_ == "VBN" and _authoring(c):
            agent = _agent_of(c)
            if agent is not None and D.in_quote(agent.idx) is None:
                return agent
    if tok.dep_ == "dobj" and _authoring(tok.head):
        return next((c for c in tok.head.children if c.dep_ == "nsubj" and D.in_quote(c.idx) is None), None)
    return None


def _surname_only(tok, span, D: _Doc) -> bool:
    """The mention is a person the text names in full elsewhere ("Trump said", "Gov. John Kasich said", where
    NER took the name for an organisation): its words are titles and words of that person's fullest name,
    and it is no outlet."""
    ent = D.ent_of[tok.i]
    if ent is not None and D.is_outlet(ent):
        return False
    full = set(D.persons.get(tok.lower_, "").lower().split())
    words = [t for t in span if t.is_alpha and t.lower_ != "the"]
    return bool(full) and all(t.lower_ in full or t.lower_ in _TITLE_WORDS or t.ent_type_ in ("GPE", "NORP")
                              for t in words)


def _can_name_a_source(tok, D: _Doc) -> bool:
    """A head that can name who speaks: a noun or a name, never a time, a number or a quantity."""
    if tok.pos_ == "ADJ" and tok.dep_ in _SUBJ and any(c.dep_ == "det" for c in tok.children):
        return True  # "the 46-year-old said": an adjective standing for someone (whatever NER made of its age)
    if _quantified(tok) is not None:
        return True
    if tok.is_title and tok.lower_ in D.persons and tok.dep_ not in ("amod", "compound", "det", "poss"):
        return True  # "said Skelly": the surname of a person the text names, whatever the tagger made of it
    if tok.like_num or tok.pos_ == "NUM" or tok.ent_type_ in _TIME_ENTS:
        return False
    ent = D.ent_of[tok.i]
    if ent is not None and ent.label_ in _TIME_ENTS:
        return False
    if tok.tag_ == "NN" and tok.is_lower and ent is None and not any(True for _ in tok.lefts) and \
            _verb_not_noun(tok.lower_):
        return False  # "... watch all of them falter - believes": a verb the tagger took for a noun
    if _dateline(tok, D):
        return False  # "CLEVELAND, July 19 (UPI) — <Name> told ...": where the report was filed
    return tok.pos_ in ("NOUN", "PROPN") or (ent is not None and ent.label_ in _NAME_ENTS)


@functools.lru_cache(maxsize=20_000)
def _verb_not_noun(word: str) -> bool:
    """`word` is a verb in general English and not a noun: WordNet's sense counts (from a tagged corpus)
    count it as a verb and never as a noun ("falter"; not "polling", counted as neither)."""
    from storyline.nlp.lexicon import LexiconError, wordnet

    try:
        wn = wordnet()
    except LexiconError:
        return False

    def count(pos: str) -> int:
        return sum(lm.count() for s in wn.synsets(word, pos) for lm in s.lemmas() if lm.name().lower() == word)

    return count("n") == 0 and count("v") > 0


def _dateline(tok, D: _Doc) -> bool:
    """`tok` is in a dateline: words in capitals that open a paragraph, ended by a comma, a bracket or a dash
    ("WASHINGTON (AP) —", "CLEVELAND, July 19 (UPI) —")."""
    if not (tok.is_upper and sum(ch.isalpha() for ch in tok.text) > 1):
        return False
    i = tok.i
    while i > 0 and D.doc[i - 1].is_upper and D.doc[i - 1].is_alpha and D.doc[i - 1].text != "I":
        i -= 1
    start = D.doc[i].idx
    if D.text[D.par_starts[D.par(start)]:start].strip():
        return False
    j = tok.i + 1
    while j < len(D.doc) and D.doc[j].is_upper and D.doc[j].is_alpha:
        j += 1
    return j < len(D.doc) and D.doc[j].text in (",", "(", "\u2014", "\u2013", "-", "--")


def _after_dateline(tok, D: _Doc):
    """The source the parser hung on dateline token `tok` as an apposition: the last one, after the dash, not
    the agency in brackets ("CLEVELAND, July 19 (UPI) — <Name> told ..."); None where there is none."""
    return max((c for c in tok.children if c.dep_ == "appos" and not _dateline(c, D)
                and D.doc[c.left_edge.i - 1].text != "("), key=lambda c: c.i, default=None)


def _quantified(tok):
    """For "one of the university's executives, Michael Sexton" or "some of the delegates": the token that
    says who (the apposed name, else the noun after "of"); None for anything else."""
    if tok.lower_ not in _QUANTIFIERS:
        return None
    for c in tok.children:
        if c.dep_ == "appos" and c.pos_ in ("PROPN", "NOUN"):
            return c
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            for g in c.children:
                if g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN"):
                    return g
    return None


_QUANTIFIERS = frozenset("one two three four five some many most several few all both each another none".split())
_NAME_ENTS = frozenset({"PERSON", "ORG", "NORP", "GPE", "FAC", "WORK_OF_ART", "LAW", "PRODUCT"})
# Words of a noun phrase that make its source anonymous: "officials who asked not to be named", "a person
# familiar with the talks", "a source close to the ministry", "speaking on condition of anonymity".
_ANONYMITY_VERBS = frozenset({"name", "identify", "authorize", "authorise", "permit", "allow"})


def _anonymous(tok) -> bool:
    for t in tok.subtree:
        low = t.lemma_.lower()
        if low in ("anonymity", "anonymous", "unnamed", "unidentified"):
            return True
        if t.pos_ == "VERB" and low in _ANONYMITY_VERBS and any(
                c.dep_ == "neg" for c in list(t.children) + list(t.head.children)):
            return True
        if t.head.i == tok.i and t.dep_ == "amod" and low in ("familiar", "close") and any(
                c.dep_ == "prep" and c.lower_ in ("with", "to") for c in t.children):
            return True
    return False


def _common_kind(tok, D: _Doc) -> str | None:
    """The kind of source a description names, from its head noun's meaning (WordNet) and its number:
    None when the head names nothing that speaks (a place, a time, an event)."""
    if _anonymous(tok):
        return "ANONYMOUS"
    if tok.pos_ == "ADJ":
        return "ANONYMOUS"  # "the 46-year-old": an adjective standing for someone unnamed
    plural = tok.tag_ in ("NNS", "NNPS")
    classes = noun_classes(tok.lemma_.lower())
    if "INFORMANT" in classes:
        return "ANONYMOUS"  # "a source", "sources": informants the text does not name
    kind = _noun_class(tok)
    if kind in (None, "UNKNOWN"):
        for c in tok.children:  # "the news outlet", "a video recording": what the modifier names
            if c.dep_ == "compound" and c.pos_ == "NOUN":
                mod = noun_classes(c.lemma_.lower())
                if "MEDIA" in mod[:2]:
                    kind = "MEDIA"
                elif mod[:1] == ("DOCUMENT",):
                    kind = "DOCUMENT"
    if kind == "UNKNOWN":
        return "GROUP" if plural else "ANONYMOUS"  # "another commenter": someone the text does not name
    if kind == "MEDIA_AT_LARGE" or (kind == "MEDIA" and plural):
        return "GROUP"  # "Turkish media", "the press", "Russian newspapers"
    if kind in ("MEDIA", "DOCUMENT", "GROUP"):
        return kind
    if kind in ("PERSON", "ORG"):
        return "GROUP" if plural else kind
    # "the Clinton campaign", "his office": an institution named for whom it belongs to
    if any(c.dep_ in ("poss", "compound") and (c.ent_type_ in ("PERSON", "ORG", "GPE", "NORP")
                                                or c.tag_ == "PRP$") for c in tok.children):
        return "ORG"
    if tok.dep_ == "nsubj" and _is_cue(tok.head) or tok.dep_ == "pobj" and tok.head.dep_ == "agent":
        return "ORG"  # the subject of a reporting verb ("the campaign said"): what speaks there is an institution
    return None


def _entity_kind(tok, span, label: str, D: _Doc) -> str | None:
    """The kind of source a name names: its entity type, an outlet where the text calls it one."""
    if label in ("PERSON", "GROUP"):
        return label
    ent = D.ent_of[tok.i]
    if ent is not None and D.is_outlet(ent):
        return "MEDIA"
    if label == "NORP":
        if tok.tag_ in ("NNP", "NN", "JJ") and not tok.lower_.endswith("s") and any(
                c.dep_ == "det" and c.lower_ in ("a", "an", "another", "one") for c in tok.children):
            return "ANONYMOUS"  # "a New Hampshire Republican": one person the text does not name
        return "GROUP"  # "the Saudis", "Democrats"
    if label in ("WORK_OF_ART", "LAW"):
        return "DOCUMENT"
    return "ORG"  # an organisation; a state or a city speaking as its government


def _outlet_by_description(tok, span, D: _Doc) -> str | None:
    """"the newspaper" → the one outlet named before it with a description of that meaning."""
    if not any(c.dep_ == "det" and c.lower_ in ("the", "this") for c in tok.children):
        return None
    head = tok.lemma_.lower()
    wn_head = _synset_names(head)
    names: dict[str, str] = {}
    for e in D.ents:
        if e.start >= span.start:
            break
        key = _bare_name(e.text)
        descs = D.outlets.get(key)
        if descs and any(d == head or d.split()[-1] == head or wn_head & _synset_names(d) for d in descs):
            names[key] = re.sub(r"^(the|The)\s+", "", e.text).strip(_QUOTE_CHARS + " ")
    return next(iter(names.values())) if len(names) == 1 else None


@functools.lru_cache(maxsize=5_000)
def _synset_names(lemma: str) -> frozenset[str]:
    from storyline.nlp.lexicon import LexiconError, wordnet

    try:
        return frozenset(x.name() for x in wordnet().synsets(lemma.replace(" ", "_"), "n")
                         if x.lexname() == "noun.communication")
    except LexiconError:
        return frozenset()


def _person_by_role(np, D: _Doc, recent: Speaker | None = None) -> Speaker | None:
    """The one person named before `np` whose title words include all of np's ("Defense Minister"); where
    several were, the person `recent` (the speaker quoted just before: '"...," McCain said. The longtime
    senator said ...') when that is one of them."""
    role = {_TITLE_FORMS.get(t.lower_, t.lower_) for t in np
            if t.lower_ in _TITLE_WORDS and t.lower_ not in ("former", "first", "state")}
    if not role:
        return None
    found: dict[str, object] = {}
    for e in D.ents:
        if e.start >= np.start:
            break
        if e.label_ != "PERSON":
            continue
        before = {_TITLE_FORMS.get(t.lower_, t.lower_) for t in D.doc[max(0, e.start - 6):e.start]}
        if role <= before | {t.lower_ for t in e}:
            name = _strip_titles(e)
            if name.split():
                found.setdefault(name.split()[-1].lower(), e)
    if len(found) != 1:
        key = recent.name.split()[-1].lower() if recent is not None and recent.type == "PERSON" and \
            recent.name.split() else None
        if key not in found:
            return None
        found = {key: found[key]}
    e = next(iter(found.values()))
    a, b, _ = _mention_span(e.root, D)
    m = D.doc[a:b]
    return Speaker(name=D.fullest(_strip_titles(e), _honorific(e)), text=m.text, span=(m.start_char, m.end_char), type="PERSON")


def _person_mentions(sent, D: _Doc, before: int | None = None):
    """PERSON entity mentions of a sentence outside quotes (before token index `before`), and names of
    another type that are a person the text names in full elsewhere ("Fiorina wrote", NER taking the
    surname for an organisation)."""
    out = []
    seen = set()
    for t in sent:
        if before is not None and t.i >= before:
            break
        e = D.ent_of[t.i]
        if e is None or e.start in seen or e.label_ != "PERSON" and not (
                e.label_ in ("ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART") and _surname_only(e.root, e, D)):
            continue
        if D.in_quote(e.start_char) is not None:
            continue
        seen.add(e.start)
        out.append(e)
    return out


def _resolve_person(pron, D: _Doc) -> tuple[Speaker | None, int]:
    """he/she → the person who is the subject of the nearest preceding sentence naming one, or the
    only person named there; None where that is ambiguous."""
    k = D.sent_of[pron.i]
    looked = 0
    for j in range(k, -1, -1):
        sent = D.sents[j]
        if j != k and all(D.in_quote(t.idx) is not None or t.is_punct or t.is_space for t in sent):
            continue  # a sentence of quoted words: the narrative goes on before it
        looked += 1
        if looked > 4 or (j != k and D.par(sent.start_char) < D.par(pron.idx) - 3):
            return None, j
        ents = _person_mentions(sent, D, before=pron.i if j == k else None)
        if not ents:
            continue
        def subject_like(r) -> bool:
            while r.dep_ in ("conj", "appos") and r.head.i != r.i:
                r = r.head
            return r.dep_ in _SUBJ

        subj = [e for e in ents if subject_like(e.root)]
        names = {_strip_titles(e).split()[-1].lower() for e in ents if _strip_titles(e).split()}
        if subj:
            subj_names = {_strip_titles(e).split()[-1].lower() for e in subj if _strip_titles(e).split()}
            if len(subj_names) > 1:
                return None, j
            e = subj[-1]
        elif len(names) == 1:
            e = ents[-1]
        else:
            return None, j
        a, b, _ = _mention_span(e.root, D)
        span = D.doc[a:b]
        return Speaker(name=D.fullest(_strip_titles(e), _honorific(e)), text=span.text, span=(span.start_char, span.end_char),
                       type="PERSON"), j
    return None, -1


# --- reporting chains -------------------------------------------------------------------------

def _agent_of(v):
    for c in v.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    return None


def _chain_name(tok, D: _Doc) -> str | None:
    """A link of a reporting chain by name: "the newspaper Kommersant" → "Kommersant"."""
    if tok is None or tok.pos_ == "PRON":
        return None
    a, b, kind = _mention_span(tok, D)
    for c in tok.children:  # "the news agency Interfax" as an apposition
        if c.dep_ == "appos" and c.ent_type_:
            b = max(b, c.right_edge.i + 1)
    ents = [e for e in D.doc[a:b].ents if e.label_ in ("ORG", "PERSON", "NORP", "GPE") and e.root.dep_ != "poss"
            and not (e.end < len(D.doc) and D.doc[e.end].tag_ == "POS")]
    if ents and kind not in ("PERSON",):
        return re.sub(r"^(the|The)\s+", "", ents[-1].text)
    return _name(D.doc[a:b], kind, D)


def _via_from(tok, D: _Doc, out: list[str]) -> None:
    """'cited by X' / 'quoted by X' hanging from tok (a verb or a source noun)."""
    for c in tok.children:
        if c.dep_ in ("advcl", "acl") and c.lemma_.lower() in _QUOTING_VERBS | {"report", "publish"}:
            name = _chain_name(_agent_of(c), D)
            if name and name not in out:
                out.append(name)


def _via(cue, source, D: _Doc) -> list[str]:
    out: list[str] = []
    if source is not None:
        _via_from(source, D, out)
        if cue.lemma_.lower() in _QUOTING_VERBS and source.dep_ == "dobj" and source.head.i == cue.i:
            # "Frank quotes Alfred Kahn: '...'", "ended her speech by quoting Leonardo": the words are the one
            # quoted; the one quoting carries them ("the Stanford graduate" is a graduate, not Stanford)
            who = _subject(cue, D)
            if who is not None and who.pos_ == "NOUN" and not who.ent_type_:
                a, b, kind = _mention_span(who, D)
                name = _name(D.doc[a:b], kind, D)
            else:
                name = _chain_name(who, D)
            if name and name not in out:
                out.append(name)
    cur = cue
    for _ in range(6):
        if cur is None:
            break
        for c in cur.children:
            if c.dep_ == "parataxis" and _is_cue(c) and not any(g.dep_ == "ccomp" for g in c.children):
                name = _chain_name(_subject(c, D), D)
                if name and name not in out:
                    out.append(name)
                _via_from(c, D, out)
        _via_from(cur, D, out)
        if cur.dep_ == "ccomp" and _is_cue(cur.head) and cur.head.i != cur.i:
            name = _chain_name(_subject(cur.head, D), D)
            if name and name not in out:
                out.append(name)
            cur = cur.head
            continue
        break
    # "according to X" in a sentence whose content is someone else's words
    if cue.lower_ != "according":
        for c in cue.children:
            if c.lower_ == "according":
                name = _chain_name(_according_object(c), D)
                if name and name not in out:
                    out.append(name)
    return out


# --- quoted spans: what they are and who said them ---------------------------------------------

def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_][\w'\u2019.-]*", text)


def _is_name_or_title(qs: QSpan, D: _Doc) -> bool:
    """A name, a term or a title in quotation marks: a naming word just before it ("so-called",
    "described as", "the book"), or Title Case content that does not end like a sentence."""
    text = D.text[qs.start:qs.end]
    words = _words(text)
    if not words:
        return True
    doc = D.doc
    i = D.tok_at(qs.open) - 1
    for n in range(6):  # back through the clause, to punctuation or another verb
        if i < 0 or D.par(doc[i].idx) != D.par(qs.open):
            break
        t = doc[i]
        low = t.lower_
        if low in _NAMING_CUES and (n <= 1 or t.pos_ == "VERB" or low == "so-called"):
            if t.pos_ == "VERB" and t.lemma_.lower() in _NAMING_VERBS and not _is_passive(t) and (
                    t.tag_ == "VBG" or _has_own_subject(t, D)):
                return False  # "Beck described Trump as '...'", "calling him '...'": someone's words about it
            return True
        if t.text in ",;:.!?" or (t.pos_ == "VERB" and low not in _NAMING_CUES) or _is_cue(t):
            break
        i -= 1
    inner = D.text[qs.start:qs.close].rstrip(_QUOTE_CHARS + " ")
    toks = doc.char_span(qs.start, qs.end, alignment_mode="expand")
    content = [t for t in toks if t.is_alpha and not t.is_stop] if toks is not None else []
    if content and all(t.text[0].isupper() for t in content) and _labelled_line(qs, D) is None:
        # Title Case throughout: a name or a title, unless a single word ends the way a quote does ("Never."),
        # or a reporting verb follows the words ('"Safety," said Grimm')
        if not (inner[-1:] in ",.!?" and len(words) == 1 and toks[0].pos_ != "PROPN") and not (
                inner[-1:] in ",!?" and _after_cue(qs, D, frame=True)[0] is not None):
            return True
    return False


_LABEL_LINE = re.compile(r"[^\W\d][\w.'\u2019-]*(?: [\w.'\u2019-]+){0,2}:\s*")


def _labelled_line(qs: QSpan, D: _Doc):
    """The name a line opens with, before a colon and the quoted words, as headlines give a quote ("Marco Rubio:
    ‘You Don’t Win The Nomination …’", in Title Case like the rest of the headline): the name's tokens, where
    at most three words without a verb stand before the colon; None otherwise."""
    lo = D.par_starts[D.par(qs.open)]
    if not _LABEL_LINE.fullmatch(D.text[lo:qs.open]):
        return None
    span = D.doc.char_span(lo, D.text.rindex(":", lo, qs.open), alignment_mode="contract")
    if span is None or not len(span) or any(t.pos_ in ("VERB", "AUX") for t in span) or not span[0].text[:1].isupper():
        return None
    return span


def _sentence_like(toks) -> bool:
    return any(t.pos_ in ("VERB", "AUX") and t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in toks)


_BELIEF_VERBS = frozenset("believe think hope fear find show agree suggest indicate signal estimate".split())


def _has_own_subject(v, D: _Doc) -> bool:
    return any(c.dep_ in _SUBJ and D.in_quote(c.idx) is None for c in v.children)


def _find_cue_up(toks, D: _Doc, qs: QSpan):
    """The cue verb governing the quoted tokens, walking up the tree. A belief verb ("a majority have
    come to believe '...'") gives way to a speech verb above it. The walk stops at a subordinate clause
    with a subject of its own ("as Trump went on about '...', Melanie said"). Where no cue governs them, quoted
    words that are what a message noun was ("Barrett's dictum to his interns was, '...'") are the message's,
    the copula their cue. Returns (cue, source)."""
    first = None
    belief = None
    message = None
    tops = [t for t in toks if not (toks.start <= t.head.i < toks.end) or t.head.i == t.i]
    for top in tops[:3]:
        for c in top.children:  # the parse hung "according to X" on the quoted clause itself ('"...," according to X')
            if c.lower_ == "according" and not qs.open <= c.idx < qs.close and D.par(c.idx) == D.par(qs.open):
                src = _according_object(c)
                if src is not None:
                    return c, src
        cur = top
        for _ in range(10):
            if cur.head.i == cur.i:
                break
            prev, cur = cur, cur.head
            if qs.open <= cur.idx < qs.close:
                continue
            if D.par(cur.idx) != D.par(qs.open):
                break
            if D.in_quote(cur.idx) is not None:
                break
            if (prev.dep_ in ("advcl", "relcl", "acl", "parataxis", "csubj") and prev.pos_ in ("VERB", "AUX")
                    and not (qs.open <= prev.idx < qs.close) and _has_own_subject(prev, D)):
                D.blocked = True
                break
            for c in cur.children:  # "according to X" on the clause (not one inside the quoted words)
                if c.lower_ == "according" and c.i != prev.i and not qs.open <= c.idx < qs.close:
                    src = _according_object(c)
                    if src is not None:
                        return c, src
            if cur.dep_ == "relcl" and prev.dep_ == "ccomp" and prev.pos_ in ("VERB", "AUX") and \
                    qs.open <= prev.idx < qs.close and not any(c.dep_ in _SUBJ or c.dep_ == "expl"
                                                              for c in prev.children) and \
                    _after_cue(qs, D)[1] is not None:
                # "Nothing the president said 'will assuage people's fears,' the senator said": quoted words with
                # no subject of their own after the verb of a relative clause are the predicate of the noun it
                # describes, not that verb's report, where a frame after them names who speaks
                break
            if cur.lemma_ == "be" and prev.dep_ in ("ccomp", "attr") and qs.open <= prev.idx < qs.close:
                said = next((c for c in cur.children if c.dep_ == "nsubj" and c.pos_ == "NOUN"
                             and _message(c.lemma_.lower()) and D.in_quote(c.idx) is None), None)
                if said is not None and message is None:  # "Barrett's dictum was, '...'": the message's words,
                    message = (cur, said)  # unless a reporting verb above reports them
            if _is_quote_cue(cur) and prev.dep_ not in ("nsubj", "nsubjpass", "agent", "csubj", "expl") and not (
                    prev.dep_ == "xcomp" and cur.lemma_.lower() == "continue"):  # "will continue to be '...'"
                src = _subject(cur, D)
                if src is None and _is_cue(cur) and cur.i > 0 and not any(c.dep_ in _SUBJ for c in cur.children):
                    # "One attendee, who spoke on condition of anonymity, said the message was that '...'"
                    src = _parenthesised_subject(cur, D) if D.doc[cur.i - 1].text == "," else _name_before(cur, D)
                if src is not None and D.in_quote(src.idx) is None:
                    if cur.lemma_.lower() not in _BELIEF_VERBS:
                        return cur, src
                    if belief is None:
                        belief = (cur, src)
                elif first is None:
                    first = (cur, None)
        if belief is not None:
            return belief
    return message or first or (None, None)


_PRONOUNS = frozenset({"he", "she", "they", "it", "i", "we"})
# A sentence end that is not an abbreviation's point: after a lower-case word or a number.
_PLAIN_STOP = re.compile(r"(?<![\w.])(?:[a-z][a-z'\u2019-]*|\d+)[.!?]['\"\u201d\u2019)]?\s+")
_TIME_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})


def _np_head(i0: int, i1: int, D: _Doc, first: bool = True):
    """The speaker's head token among tokens [i0, i1), by position (the parse of a sentence around a
    quote is often wrong): a person's name (not a possessive: "Obama's strategist" is not Obama),
    another name, a pronoun, else the head noun of the first noun phrase."""
    doc = D.doc
    toks = [doc[i] for i in range(i0, i1) if D.in_quote(doc[i].idx) is None]
    for labels in (("PERSON",), ("ORG", "NORP", "GPE")):
        for t in toks:
            e = D.ent_of[t.i]
            if e is None or e.label_ not in labels or t.i != e.start:
                continue
            if e.end < len(doc) and doc[e.end].tag_ == "POS" or e.root.dep_ == "poss":
                continue
            if e.root.dep_ in ("compound", "amod", "nmod") and e.root.head.pos_ == "NOUN" and \
                    i0 <= e.root.head.i < i1 and e.root.head.i > e.root.i:
                continue  # "a Trump supporter": the supporter speaks, not Trump
            if labels[0] == "PERSON" or not any(w.pos_ == "NOUN" and D.ent_of[w.i] is None for w in toks):
                return e.root
    for t in toks:
        if t.lower_ in _PRONOUNS and t.pos_ == "PRON":
            return t
    nouns = []
    for t in toks:
        if t.is_punct and nouns:
            break
        if t.pos_ in ("NOUN", "PROPN") and t.ent_type_ not in _TIME_ENTS:
            nouns.append(t)
        elif nouns and t.pos_ not in ("NOUN", "PROPN", "ADJ", "PART"):
            break
    if not nouns:
        return None
    return nouns[-1]


_CLAUSE_OPENERS = frozenset("as while because after before when if since though although until unless".split())


def _speaks(lemma: str, first: bool = False) -> bool:
    """A verb WordNet files under communication in one of its first senses ("press", "bark", "interject"),
    or, with `first`, in its most frequent sense ("praise", not "understand")."""
    from storyline.nlp.lexicon import LexiconError, sense_classes

    try:
        classes = sense_classes(lemma, "v")
    except LexiconError:
        return False
    return "verb.communication" in (classes[:1] if first else classes)


def _verb_lemma(t) -> str | None:
    """The verb a token is, where the tagger took a reporting verb for a noun ('..." the Saudis state')."""
    if t.pos_ in ("VERB", "AUX"):
        return t.lemma_.lower()
    if t.tag_ in ("NN", "NNS") and t.is_lower and t.i > 0 and t.doc[t.i - 1].dep_ not in ("det", "poss", "amod"):
        from storyline.nlp.lexicon import LexiconError, wordnet

        try:
            lemma = wordnet().morphy(t.lower_, "v")
        except LexiconError:
            return None
        prev = t.doc[t.i - 1]
        nxt = t.doc[t.i + 1] if t.i + 1 < len(t.doc) else None
        if (lemma in SPEECH_VERBS or lemma in _DIRECT_VERBS) and prev.pos_ in ("NOUN", "PROPN") and (
                lemma != t.lower_ or prev.tag_ in ("NNS", "NNPS") or nxt is None or nxt.text in ".!?"):
            # "the ad states", "the Saudis state", "the email read."
            return lemma
    return None


def _frame_verb(t, frame: bool, D=None, inverted: bool = False) -> bool:
    """A verb in the attribution frame after a quote ('"...," X pressed', '"...!" beamed X'): a reporting
    verb, one of communication, or, right after words that end in a comma, question or exclamation mark
    inside the marks, any verb that takes nothing else there (the quote is what it says)."""
    lemma = _verb_lemma(t)
    if lemma is None or t.tag_ in ("VBG", "VB", "MD") or t.dep_ in ("amod", "compound", "relcl", "acl"):
        return False
    if t.tag_ == "VBN" and any(c.dep_ in ("aux", "auxpass") for c in t.children):
        return False  # a participle with its auxiliary; a bare one after a quote is a past tense mistagged
    if t.pos_ == "NOUN" or lemma in SPEECH_VERBS or lemma in _DIRECT_VERBS:
        return True
    alone = not any(c.dep_ in ("dobj", "ccomp", "xcomp", "attr", "acomp", "oprd", "dative", "nsubjpass")
                    and (D is None or D.in_quote(c.idx) is None)
                    and not (inverted and c.dep_ == "dobj" and _speaks(lemma))
                    for c in t.children)  # "X pressed." takes nothing but the quote; "X declined to say" does
    return alone and t.pos_ == "VERB" and (frame or _speaks(lemma))


def _np_first(i0: int, i1: int, D: _Doc):
    """The head of the noun phrase that starts at token i0 (before i1): "said one source who named Jane" →
    source; "said Steve Doe, an aide" → Doe. None where no noun phrase starts there."""
    doc = D.doc
    i = i0
    while i < i1 and (doc[i].is_punct or doc[i].is_space):
        i += 1
    if i >= i1 or D.in_quote(doc[i].idx) is not None:
        return None
    t = doc[i]
    for _ in range(8):
        if t.dep_ in ("det", "amod", "compound", "nummod", "poss", "case", "nmod", "quantmod", "advmod", "punct") \
                and t.head.i > t.i and t.head.i < i1 and t.head.pos_ in ("NOUN", "PROPN", "NUM", "ADJ"):
            t = t.head
        else:
            break
    if t.pos_ not in ("NOUN", "PROPN", "PRON", "NUM", "ADJ") and D.ent_of[t.i] is None and not (
            t.is_title and t.lower_ in D.persons):
        return None
    ent = D.ent_of[t.i]
    j = t.i  # "said Air Force 1st Lt. Jane Doe": a run of titles that ends in a person's name
    while j < i1 and (doc[j].pos_ == "PROPN" or doc[j].is_title or doc[j].text == "." or doc[j].ent_iob_ == "I"):
        j += 1
    persons = [e for e in D.ents if i <= e.start and e.end <= j and e.label_ == "PERSON"]
    if persons and (ent is None or ent.label_ != "PERSON"):
        return doc[persons[-1].end - 1]
    if ent is not None and ent.label_ == "PERSON" and ent.end - 1 < i1:
        return doc[ent.end - 1]
    return t


def _parenthesised_subject(v, D: _Doc):
    """For a reporting verb the parser left without a subject: the noun a relative clause or an apposition
    ending right before the verb describes ('an official who spoke anonymously said', 'Col. Jane Doe, a
    military spokesman in Baghdad, said'), or the noun phrase that opens its sentence when a comma-bounded
    parenthesis separates it from the verb ('One attendee, who spoke on condition of anonymity, said')."""
    doc = D.doc
    if v.i == 0:
        return None
    before = v.i - 1  # the token before the verb and its auxiliaries ("..., had said")
    while before > 0 and doc[before].dep_ in ("aux", "neg") and doc[before].head.i == v.i:
        before -= 1
    # "a White House official who spoke anonymously said": the noun a relative clause ending at the verb
    # hangs from
    k = before if doc[before].text != "," else before - 1
    a = doc[k] if k >= 0 else None
    for _ in range(8):
        if a is None or a.i >= v.i or a.head.i == a.i:
            break
        if a.dep_ in ("relcl", "acl", "appos") and a.head.i < a.i and a.right_edge.i == k and \
                a.head.pos_ in ("NOUN", "PROPN") and D.par(a.head.idx) == D.par(v.idx) and \
                _can_name_a_source(a.head, D):
            # "Jane Doe, an advocate for the group, said": the head the apposition describes
            return a.head
        a = a.head
    if doc[before].text != ",":
        return None
    # "after Mr. Trump, asked about the deaths of journalists, had said, '...'": a person's name, then a
    # parenthesis between commas that the parser tore from it, then the verb
    j = before - 1
    while j > before - 16 and j > 0 and doc[j].text != "," and D.sent_of[j] == D.sent_of[v.i] and \
            D.in_quote(doc[j].idx) is None:
        j -= 1
    if before - j > 2 and doc[j].text == "," and D.sent_of[j] == D.sent_of[v.i]:
        e = D.ent_of[j - 1]
        if e is not None and e.label_ == "PERSON" and e.end == j and D.par(doc[j].idx) == D.par(v.idx) and \
                D.in_quote(doc[j - 1].idx) is None:
            return doc[j - 1]
    if doc[v.i - 1].text != ",":
        return None
    sent = D.sents[D.sent_of[v.i]]
    i = sent.start
    while i < v.i and (doc[i].is_punct or doc[i].is_space):
        i += 1
    j = i
    while j < v.i and doc[j].pos_ in ("DET", "NUM", "ADJ", "PROPN", "NOUN", "PART") and doc[j].text != ",":
        j += 1
    if j == i or j >= v.i - 1 or doc[j].text != "," or D.par(doc[i].idx) != D.par(v.idx):
        return None
    head = next((doc[k] for k in range(j - 1, i - 1, -1) if doc[k].pos_ in ("NOUN", "PROPN")), None)
    return head


def _name_before(v, D: _Doc):
    """A person's name right before a reporting verb the parser left without a subject, a parenthesis
    between them allowed ('... Rep. Jane Doe (D-Ore.) said'); None otherwise."""
    doc = D.doc
    i = v.i - 1
    if i >= 0 and doc[i].text == ")":
        j = next((k for k in range(i - 1, max(-1, i - 8), -1) if doc[k].text == "("), None)
        if j is None:
            return None
        i = j - 1
    if i < 0 or D.in_quote(doc[i].idx) is not None or D.par(doc[i].idx) != D.par(v.idx):
        return None
    e = D.ent_of[i]
    if e is not None and e.label_ == "PERSON" and e.end - 1 == i:
        return doc[i]
    t = doc[i]
    if t.pos_ == "NOUN" and t.tag_ == "NN" and D.ent_of[i] is None and _can_name_a_source(t, D):
        # "In an interview with hosts Joe Doe and Jane Roe, the Democratic presidential candidate stated that":
        # a definite description between a comma and the verb, which the parser hung on the name before it
        j = i
        while j > 0 and doc[j - 1].pos_ in ("DET", "ADJ", "NOUN", "PROPN") and doc[j - 1].text != "," and \
                not doc[j - 1].is_sent_start and (D.ent_of[j - 1] is None or D.ent_of[j - 1].label_ in ("NORP", "GPE")):
            j -= 1
        if doc[j].lower_ == "the" and j > 0 and doc[j - 1].text == "," and D.par(doc[j - 1].idx) == D.par(v.idx):
            return t
    return None


def _segment_cue(a: int, b: int, D: _Doc, after: bool, frame: bool = False):
    """A cue verb and its speaker in tokens [a, b) outside quotes: the first one after a quote (within its
    first words: '"...," X said' / '"...," said X', or a verb of that frame: '"...," X pressed'), the last one
    before it ('X said: "..."')."""
    rng = range(a, b) if after else range(b - 1, a - 1, -1)
    a_min = a
    line = D.par(D.doc[a].idx if after else D.doc[b - 1].idx)
    for n, i in enumerate(rng):
        if after and n > 24:
            break
        t = D.doc[i]
        if D.par(t.idx) != line:
            break
        if D.in_quote(t.idx) is not None:
            continue
        if after and t.lower_ == "according" and all(D.doc[j].is_punct or D.doc[j].is_space for j in range(a, t.i)):
            # '"...," according to CNN.' where the parser hung "according to" inside the quoted clause
            src = _according_object(t)
            if src is not None and D.in_quote(src.idx) is None:
                return t, src
        if not after and t.lemma_.lower() in _QUOTING_VERBS and t.dep_ in ("conj", "parataxis") and \
                _is_cue(t.head) and t.head.i >= a and any(c.dep_ == "nsubj" and c.lower_ in ("i", "we")
                                                          for c in t.children):
            t = t.head  # 'Trump said, and I quote, "..."': the writer's aside; the verb before it reports the words
        if (_is_cue(t) or (t.pos_ == "VERB" and t.lemma_.lower() in _DIRECT_VERBS)) and not (
                after and any(D.doc[j].pos_ == "SCONJ" or D.doc[j].lower_ in _CLAUSE_OPENERS for j in range(a, t.i))
        ) or (
                after and _frame_verb(t, frame, D, inverted=all(
                    D.doc[j].is_punct or D.doc[j].is_space for j in range(a, t.i))) and not any(
                    D.doc[j].pos_ in ("SCONJ", "CCONJ", "VERB", "AUX") or D.doc[j].lower_ in _CLAUSE_OPENERS
                    for j in range(a, t.i)) and (t.i == a or _first_word(a, t.i, D).pos_ != "ADP")):
            if after:
                if t.dep_ == "relcl" and any(c.dep_ in _SUBJ and c.tag_ in ("WDT", "WP") for c in t.children):
                    # '"...records" that would respond to requests, X wrote': a relative clause continuing the
                    # quoted words, not the frame
                    continue
                if t.tag_ == "VBG":  # '"...," promising to ...': the subject of the clause it hangs from
                    src = _subject(t, D)
                elif any(not (D.doc[j].is_punct or D.doc[j].is_space) for j in range(a, t.i)) and not (
                        D.doc[t.i - 1].text == "," and (_first_word(a, t.i, D).lower_ in _CLAUSE_OPENERS
                                                        or _first_word(a, t.i, D).pos_ in ("ADP", "SCONJ"))):
                    src = _subject(t, D)  # '"...," Flynn, a top surrogate, said'
                    if src is None or not a <= src.i < t.i:
                        src = _np_head(a, t.i, D)
                else:  # '"...," said James Acton, a physicist', '"...," since ..., said Jane Doe'
                    src = _np_first(t.i + 1, min(b, t.i + 9), D)
                    if src is not None and src.dep_ in _SUBJ and src.head.dep_ == "ccomp" and \
                            src.head.head.i == t.i and src.head.tag_ not in ("VBN", "VBG") and not any(
                            D.doc[j].text == "," for j in range(src.i, src.head.i)):
                        src = None  # '"...," said the candidate could win': the reported clause's subject
                return (t, src) if src is not None else (None, None)
            if t.lemma_.lower() in _QUOTING_VERBS and not _is_passive(t):
                for c in t.children:  # "Frank quotes former adviser Alfred Kahn:": the one quoted
                    if c.dep_ == "dobj" and _can_name_a_source(c, D) and D.in_quote(c.idx) is None:
                        return t, c
            if t.dep_ == "relcl" and not _oblique_relative(t):
                # "X tweeted back, pointing out ... a candidate who promised mass deportation: '...'": a cue
                # describing a noun gives way to a reporting verb above it, in the main clause (not one with a
                # speaker of its own: "a fundraiser at which Adelson said: '...'")
                up = next((a for a in t.ancestors if _is_cue(a) and a.i >= a_min and D.in_quote(a.idx) is None
                           and _subject(a, D) is not None), None)
                if up is not None:
                    return up, _subject(up, D)
            src = _subject(t, D)
            if src is not None and D.in_quote(src.idx) is None:
                return t, src
            opens = all(D.doc[j].is_punct or D.doc[j].is_space for j in range(a, t.i))
            src = _np_first(t.i + 1, b, D) if t.i + 1 < b and opens else None  # "Said Ellis: ..."
            if src is None:  # "One attendee, who ..., said": a noun phrase and a parenthesis before the verb
                src = _parenthesised_subject(t, D)
            if src is None and t.dep_ == "acl" and t.tag_ == "VBG":
                # "As X put it in his memo to employees explaining the deal, '...'": a participle describing a
                # noun, with no one to speak for, gives way to the reporting verb its phrase hangs from
                up = next((a for a in t.ancestors if _is_cue(a) and a.i >= a_min and D.in_quote(a.idx) is None
                           and _subject(a, D) is not None), None)
                if up is not None:
                    return up, _subject(up, D)
            return (t, src) if src is not None else (None, None)
        elif not after and t.pos_ == "VERB" and D.doc[b - 1].text in (",", ":") and (t.i + 3 >= b or all(
                D.doc[j].is_punct or t.is_ancestor(D.doc[j]) for j in range(t.i + 1, b)) and all(
                c.dep_ in ("advmod", "prep", "npadvmod", "prt", "punct") for c in t.rights)) and (
                _speaks(t.lemma_.lower()) or t.tag_ in ("VBD", "VBZ", "VBP") and (t.dep_ in ("ROOT", "conj") or (
                    # "When X suggested ..., Rubio fired back forcefully:" parsed as a clause of the quote's verb
                    t.dep_ == "advcl" and any(c.dep_ == "nsubj" for c in t.children)
                    and not any(_is_cue(h) for h in t.ancestors))) and not any(
                    c.dep_ in ("dobj", "ccomp", "xcomp", "attr", "acomp", "dative") and D.in_quote(c.idx) is None
                    for c in t.children)):  # 'Silverman interjected, "..."', 'Clinton cracked, "..."'
            src = _subject(t, D)
            if src is not None:
                return t, src
        elif after and t.pos_ == "VERB" and t.is_lower and not t.ent_type_ and t.dep_ not in (
                "amod", "compound", "acl", "relcl") and t.tag_ not in ("VBG", "VBN"):
            if any(D.doc[j].text == "," and _is_cue(D.doc[j + 1]) for j in range(t.i + 1, min(b, t.i + 12) - 1)):
                continue  # a verb inside a parenthesis before ", said": '"...," Mr. Doe, now 81 and retired, said'
            return None, None
    return None, None


def _first_word(a: int, b: int, D: _Doc):
    i = a
    while i < b - 1 and (D.doc[i].is_punct or D.doc[i].is_space):
        i += 1
    return D.doc[i]


def _inverted(cue, qs: QSpan, D: _Doc) -> bool:
    """The cue comes right after the closing mark ('..."?" asked Dunn')."""
    i = D.tok_at(qs.close)
    while i < cue.i and (D.doc[i].is_punct or D.doc[i].is_space or D.doc[i].idx < qs.close):
        i += 1
    return i == cue.i


def _reports_other_words(cue, D: _Doc) -> bool:
    """A reporting verb in the sentence after a quote that ends its sentence reports words of its own, so
    it is not that quote's frame: it has a complement outside quotation marks ('"..." Doe said he would
    have ...'), or a colon follows it ('"..." Doe said: "..."': it introduces the next quote)."""
    if any(c.dep_ in ("ccomp", "xcomp", "dobj") and D.in_quote(c.idx) is None for c in cue.children):
        return True
    nxt = cue.i + 1
    return nxt < len(D.doc) and D.doc[nxt].text == ":"


def _after_cue(qs: QSpan, D: _Doc, frame: bool = False):
    """A cue in the words after the closing mark, in the same paragraph."""
    doc = D.doc
    if not qs.closed or qs.close >= len(D.text):
        return None, None
    a = D.tok_at(qs.close)
    while a < len(doc) and (doc[a].idx < qs.close or doc[a].is_space):
        a += 1
    if a >= len(doc) or D.par(doc[a].idx) != D.par(qs.open):
        return None, None
    end = D.sents[D.sent_of[a]].end
    while end < len(doc) and D.par(doc[end].idx) == D.par(qs.open) and end - a < 14 and not (
            doc[end - 1].is_sent_end and doc[end - 1].text in ".!?"):
        end += 1  # a sentence the parser ended inside a title ("said Air Force 1st Lt. Jane Doe")
    nxt = bisect.bisect_left(D.starts, qs.close)
    while nxt < len(D.spans) and D.spans[nxt].open < D.doc[end - 1].idx and _is_name_or_title(D.spans[nxt], D):
        nxt += 1  # a name in quotation marks inside the frame: '"...," Doe, wearing "Vote Roe" pins, said'
    if nxt < len(D.spans):
        end = min(end, D.tok_at(D.spans[nxt].open) + 1)
    return _segment_cue(a, end, D, after=True, frame=frame)


def _attribute_quote(qs: QSpan, D: _Doc):
    """(cue token, source token, kind) for a quoted span; cue/source None where unknown."""
    doc = D.doc
    toks = doc.char_span(qs.start, qs.end, alignment_mode="expand")
    if toks is None or len(toks) == 0:
        return None, None, None
    first_tok = D.tok_at(qs.open)
    sent = D.sents[D.sent_of[first_tok]]
    par_lo = D.par_starts[D.par(qs.open)]
    lo = max(sent.start_char, par_lo)
    k = bisect.bisect_left(D.starts, qs.open) - 1
    if k >= 0 and D.spans[k].close > lo:
        lo = D.spans[k].close  # after the previous quote: '"...," he said. "..."'
    # from the last sentence end before the mark: a stop the tokenizer split off as a token of its own, not the
    # point of an abbreviation it keeps on its word ("Mrs. Clinton", "Ms. Warren", "U.S. officials")
    ends = [m.end() for m in re.finditer(r"[.!?]\s", D.text[lo:qs.open])
            if not doc[D.tok_at(lo + m.start())].text.strip(".!?") or _starts_sentence_after(
                D.tok_at(lo + m.start()), doc)]  # "..., of Jacksonville, Fla. ''She ..." (the parser says so)
    if ends:
        lo += ends[-1]
    lead = D.text[lo:qs.open]
    lead_stripped = lead.rstrip()
    content = D.text[qs.start:qs.end]
    embedded = bool(_words(lead)) and not lead_stripped.endswith((",", ":", "\u2014", "-")) or (
        content[:1].islower() and bool(_words(lead))
    )
    kind = "partial" if embedded else "direct"
    inner = D.text[qs.start:qs.close].rstrip(_QUOTE_CHARS + " ")
    label = _transcript_label(qs.start, D)
    if label is not None:  # '"RAMOS: Secretary Clinton, ..."': a transcript's speaker label
        return None, label, "direct"
    if not embedded and lead_stripped.endswith((",", ":")) and first_tok > D.tok_at(lo):
        # 'X responds, "..."' before '"...?" Y writes back, "..."': the words before introduce this quote
        c2, s2 = _segment_cue(D.tok_at(lo), first_tok, D, after=False)
        if c2 is not None and s2 is not None and (c2.i >= first_tok - 4 or all(
                doc[j].is_punct or doc[j].is_space or c2.is_ancestor(doc[j]) for j in range(c2.i + 1, first_tok))):
            # a modifier of the cue may stand between it and the mark: 'X joked, again using an accent, "..."',
            # 'X seemed to mock him, saying at one point, "..."'
            return c2, s2, kind
    if qs.closed and inner[-1:] in ",?!":  # '"...," X said': the words right after
        c2, s2 = _after_cue(qs, D, frame=True)
        if c2 is not None and (not embedded or _inverted(c2, qs, D)):
            return c2, s2, kind
    D.blocked = False
    cue, src = _find_cue_up(toks, D, qs)
    if cue is not None and src is not None:
        return cue, src, kind
    if embedded and D.blocked:  # inside a clause with a subject of its own: someone else's words
        return None, None, kind
    # a dash and a name after the closing mark, to the end of the paragraph: '"..." ― Jane Doe', or as the
    # next paragraph: '"..."' / '- Jane Doe.'
    if qs.closed:
        line_end = D.text.find("\n", qs.close)
        line_end = len(D.text) if line_end < 0 else line_end
        at = qs.close
        if not D.text[qs.close:line_end].strip(" .\u00a0"):
            nxt = re.match(r"\s*\n[^\S\n]*(?=[\u2014\u2015\u2013-])", D.text[line_end:])
            if nxt:
                at = line_end + nxt.end()
                line_end = D.text.find("\n", at)
                line_end = len(D.text) if line_end < 0 else line_end
        m = re.match(r"\s*[\u2014\u2015\u2013-]+\s*([^\n,]{2,60}?)(?:,[^\n]*)?[\s.]*$", D.text[at:line_end])
        if m:
            span = doc.char_span(at + m.start(1), at + m.end(1), alignment_mode="expand")
            if span is not None and 0 < len(span) <= 6 and all(t.is_title or t.is_punct or not t.is_alpha
                                                              or t.lower_ in ("de", "van", "von", "la", "del")
                                                              for t in span):
                return None, span.root, kind
    elif D.text[qs.close:qs.close + 1] == "\n":
        # a quote left open at the end of its paragraph and closed at the end of a line that signs it:
        # '"I worry that ...' / 'Dean Baker, Center for Economic and Policy Research."'
        m = re.match(r"\n[^\S\n]*([^\n]{2,120}?)[.]?[\"\u201d]\s*(?:\n|$)", D.text[qs.close:])
        if m and len(_words(m.group(1))) <= 12:
            span = doc.char_span(qs.close + m.start(1), qs.close + m.end(1), alignment_mode="contract")
            first = D.ent_of[span.start] if span is not None and len(span) else None
            if first is not None and first.label_ == "PERSON" and first.start == span.start and not any(
                    t.pos_ in ("VERB", "AUX") for t in span) and (first.end == span.end or doc[first.end].text == ","):
                return None, doc[first.end - 1], kind
    # words after the closing mark: '"...," X said.' (also when the parser made that its own sentence), but
    # not the next sentence after words a sentence ends ('accused them of "overreach." Allies said ...')
    c2, s2 = _after_cue(qs, D) if not (embedded and inner[-1:] in ".") else (None, None)
    if c2 is not None and not (inner[-1:] in "." and _reports_other_words(c2, D)):
        return c2, s2, kind
    # words before the opening mark: 'X said: "..."'
    if not embedded or cue is None:
        b = first_tok
        a = sent.start
        if b <= a and _words(lead):  # the parser began a sentence at the mark: 'Ryan said,"Look ...'
            a = D.tok_at(lo)
        else:
            # not past the previous quote or a plain sentence end (a lower-case word or a number before the
            # stop, not "U.S." or "Calif.") the parser ran this sentence over: '"...," Doe said in a film that
            # showed the plane. "..."': the film does not say the second
            lo2 = max(sent.start_char, par_lo, D.spans[k].close if k >= 0 else 0)
            stops = [m.end() for m in _PLAIN_STOP.finditer(D.text, lo2, qs.open)]
            if stops:
                a = max(a, D.tok_at(stops[-1]))
        if b > a:
            c2, s2 = _segment_cue(a, b, D, after=False)
            if c2 is not None and (not embedded or lead_stripped.endswith((",", ":"))):
                return c2, s2, kind
        elif D.sent_of[first_tok] > 0:
            prev = D.sents[D.sent_of[first_tok] - 1]
            if prev.text.rstrip().endswith(":") and D.par(prev.start_char) == D.par(qs.open):
                c2, s2 = _segment_cue(prev.start, prev.end, D, after=False)
                if c2 is not None:
                    return c2, s2, kind
    if cue is None and (lead_stripped.endswith(":") or lead_stripped.endswith(("--", "\u2014", " -", "\u2013"))
                        and not embedded):
        # "Marco Rubio: '...'", "She then addressed the crowd: '...'", "From the report: '...'", "Trump also
        # embraced enhanced interrogation -- '...'"
        cut = len(lead_stripped.rstrip(":-\u2014\u2013 "))
        lt = doc.char_span(lo, lo + cut, alignment_mode="contract")
        c2, s2 = _colon_intro(lt, D)
        if s2 is not None:
            return c2, s2, kind
    if cue is None and not _words(lead) and not embedded:
        # a quote that opens its paragraph after one ending in a colon: 'Dr. Ward stated:' ¶ '"..."'
        par = D.par(qs.open)
        if not D.text[D.par_starts[par]:qs.open].strip() and par > 0:
            p = par - 1
            while p > 0 and not D.text[D.par_starts[p]:D.par_starts[p + 1]].strip():
                p -= 1
            prev = D.text[D.par_starts[p]:D.par_starts[p + 1]].rstrip()
            if prev.endswith(":") and D.in_quote(D.par_starts[p] + len(prev) - 1) is None:
                end = D.par_starts[p] + len(prev) - 1
                last = D.sents[D.sent_of[D.tok_at(end)]]
                lt = doc.char_span(max(last.start_char, D.par_starts[p]), end, alignment_mode="contract")
                c2, s2 = _colon_intro(lt, D)
                if s2 is not None:
                    return c2, s2, kind
    if cue is None and not embedded and lead_stripped.endswith((",", ":")) and first_tok > D.tok_at(lo):
        # 'When Trump used the words, "..."': quoted words set beside a message noun are that message, and its
        # author (`_author`: the subject of the verb it is the object of) speaks them
        j = first_tok - 1
        while j > D.tok_at(lo) and (doc[j].is_punct or doc[j].is_space):
            j -= 1
        noun = doc[j]
        if noun.pos_ == "NOUN" and _message(noun.lemma_.lower()):
            author = _author(noun, D)
            if author is not None:
                return noun.head, author, kind
    if cue is not None:
        return cue, None, kind
    return None, None, kind


def _starts_sentence_after(i: int, doc) -> bool:
    """Whether the parser starts a sentence at the first word after token i (quotation marks passed over)."""
    j = i + 1
    while j < len(doc) and (doc[j].is_quote or doc[j].is_space):
        j += 1
    return j < len(doc) and doc[j].is_sent_start


def _oblique_relative(v) -> bool:
    """A relative clause opened by a preposition and its pronoun, with a subject of its own: "(a fundraiser) at
    which Adelson said", "(a speech) in which Doe told them". Its subject, not the noun it describes, speaks."""
    return any(c.dep_ == "prep" and any(g.dep_ == "pobj" and g.lower_ in ("which", "whom") for g in c.children)
               for c in v.children) and any(c.dep_ in ("nsubj", "nsubjpass") and c.tag_ not in ("WDT", "WP")
                                            for c in v.children)


def _colon_intro(lt, D: _Doc):
    """(cue, source token) named by the words before a colon that introduces quoted words: a reporting verb
    and its subject ("Dr. Ward stated:", "Stated Stone:"), the object of "from" / "according to" ("From the
    report:"), a name after a dash ("... - Philip Bump:"), a short name ("Marco Rubio:"), or the subject of
    the clause ("President Clinton released the following statement:"). (None, None) where none is there."""
    if lt is None or len(lt) == 0:
        return None, None
    doc = D.doc
    r = lt.root
    if r.pos_ == "VERB" and r.i >= lt.end - 4:  # "When Trump suggested ..., Rubio fired back forcefully:"
        if r.lemma_.lower() in _QUOTING_VERBS and not _is_passive(r):
            for c in r.children:  # "Frank quotes former adviser Alfred Kahn:": the one quoted
                if c.dep_ == "dobj" and _can_name_a_source(c, D):
                    return r, c
        src = _subject(r, D)
        if src is not None and (src.pos_ != "PRON" or src.lower_ in ("he", "she", "they", "i", "we")):
            return (r if _is_cue(r) else None), src
    for t in reversed(lt[-4:]):  # "..., to which O'Malley interjected:"
        if t.pos_ == "VERB" and (_is_cue(t) or _speaks(t.lemma_.lower())) and t.dep_ not in (
                "acl", "advcl", "ccomp", "xcomp", "pcomp") and not (t.dep_ == "relcl"
                                                                      and t.head.pos_ in ("NOUN", "PROPN")
                                                                      and t.head.i > lt.start + 1):
            src = _subject(t, D)
            if src is not None:
                return t, src
            break
    c2, s2 = _segment_cue(lt.start, lt.end, D, after=False)
    if c2 is not None and s2 is not None:
        return c2, s2
    last = lt[-1]
    if last.dep_ == "pobj" and last.head.lower_ in ("from", "to") and (
            last.head.lower_ == "from" or last.head.head.lower_ == "according") and _can_name_a_source(last, D):
        return (last.head.head if last.head.lower_ == "to" else None), last
    dashes = [t.i for t in lt if t.text in ("-", "\u2013", "\u2014", "\u2015", ";") and t.whitespace_
              and t.i > 0 and doc[t.i - 1].whitespace_]  # a dash between words, not the one in "R-Ky."
    tail = doc[dashes[-1] + 1:lt.end] if dashes else lt
    if 0 < len(tail) <= 8 and (dashes or len(tail) <= 6) and not any(t.pos_ in ("VERB", "AUX") for t in tail) and (
            any(D.ent_of[t.i] is not None and D.ent_of[t.i].label_ in ("PERSON", "ORG") for t in tail)
            or dashes and all(t.is_title or t.is_punct or t.lower_ in ("and", "of") for t in tail)
            or len(tail) <= 3 and D.text[D.par_starts[D.par(tail.start_char)]:tail.start_char].strip() == ""
            and all(t.is_alpha and t.text[0].isupper() for t in tail)
            and (all(t.pos_ == "PROPN" for t in tail) or tail[-1].lower_ in D.persons)):  # a headline's "Cecile
        # Richards: '...'", "Trump: '...'" (a name the text gives in full, whatever the tagger made of it here)
        return None, _np_head(tail.start, tail.end, D)
    r = lt.root
    for v in reversed(lt):  # the main clause nearest the colon: "After 14 people were killed, a voice hailed it:"
        if v.pos_ == "VERB" and v.dep_ == "conj" and v.head.i == r.i and any(
                c.dep_ == "nsubj" and c.pos_ != "PRON" and _can_name_a_source(c, D) for c in v.children):
            r = v
            break
    if r.pos_ in ("VERB", "AUX"):
        for c in r.children:
            if c.dep_ in _SUBJ and (c.pos_ == "PRON" and c.lower_ in ("he", "she", "they")
                                    or c.pos_ != "PRON" and _can_name_a_source(c, D)):
                return None, c
    first = next((t for t in lt if t.pos_ not in ("DET", "ADJ")), None)
    if first is not None and first.pos_ in ("NOUN", "PROPN") and D.ent_of[first.i] is None and \
            _common_kind(first, D) == "DOCUMENT" and not any(
            t.pos_ in ("VERB", "AUX") and t.lemma_.lower() != "follow" for t in lt):
        return None, first  # "Transcript as follows:", "Partial transcript:": the document the words come from
    return None, None


def _verbless_intro(a: int, b: int, D: _Doc) -> bool:
    """The words from a to b are a phrase without a verb or a name ending in a colon ("Then, later that month
    on CNN:"): they set the scene of quoted words without saying who speaks."""
    intro = D.text[a:b].strip()
    if not intro.endswith(":") or len(intro) > 80:
        return False
    toks = [t for t in D.doc[D.tok_at(a):D.tok_at(b)] if t.idx < b]

    def named_outside_a_preposition(t) -> bool:  # "Later, Anna Ruiz:" may say who speaks; "on CNN:" does not
        h = t
        while h.dep_ in ("compound", "flat", "nmod") and h.head.i != h.i:
            h = h.head
        return h.dep_ != "pobj"

    return bool(toks) and not any(t.pos_ in ("VERB", "AUX", "PRON") or t.ent_type_ == "PERSON" or (
        (t.pos_ == "PROPN" or t.ent_type_ in ("ORG", "NORP")) and named_outside_a_preposition(t)) for t in toks)


def _transcript_label(start: int, D: _Doc, transcript: bool = False):
    """The token naming the speaker of a transcript line that opens at `start` ("PENCE: Well, look ..."):
    a label in capitals before a colon that is the name of a person the text names (or NER takes for one),
    or, in a `transcript` (a text with lines of such labels), a label whose last word is rare in general
    English (wordfreq): a name ("TAPPER:"), not a heading word ("UPDATE:", "VIDEO:"). None for anything else."""
    m = _LABEL.match(D.text, start)
    if m is None:
        return None
    span = D.doc.char_span(m.start(1), m.end(1), alignment_mode="contract")
    if span is None or not 0 < len(span) <= 4:
        return None
    last = span[-1]
    known = last.lower_ in D.persons or any(D.ent_of[t.i] is not None and D.ent_of[t.i].label_ == "PERSON"
                                            for t in span)
    if not known and not (transcript and last.is_alpha and _rare_word(last.lower_)):
        return None
    D.labels[last.i] = Speaker(name=D.persons.get(last.lower_) or D.in_running_case(span.text), text=span.text,
                               span=(span.start_char, span.end_char), type="PERSON")
    return last


def _transcript_lines(D: _Doc):
    """(label token, content span) for paragraphs that are a transcript's lines outside quotation marks:
    'BERG: Well, look, ...', a label naming a person the text names, then words of speech (lower-case
    letters among them: not a heading in capitals)."""
    out = []
    unknown: list[tuple[int, tuple[int, int]]] = []
    text = D.text
    for k, lo in enumerate(D.par_starts):
        hi = D.par_starts[k + 1] - 1 if k + 1 < len(D.par_starts) else len(text)
        m = _LABEL.match(text, lo, hi)
        if m is None or D.in_quote(m.end()) is not None:
            continue
        s, e = m.end(), hi
        while e > s and text[e - 1] in _TRAIL + " \u00a0":
            e -= 1
        content = text[s:e]
        if len(_words(content)) < 3 or not any(ch.islower() for ch in content):
            continue
        label = _transcript_label(lo, D)
        if label is not None:
            out.append((label, (s, e)))
        else:
            unknown.append((lo, (s, e)))
    if len(out) >= 2:  # a transcript: its other labelled lines are turns too, where the label is a name
        for lo, span in unknown:
            label = _transcript_label(lo, D, transcript=True)
            if label is not None:
                out.append((label, span))
        out.sort(key=lambda x: x[1])
        fullest: dict[str, str] = {}  # "TAPPER:" after "JAKE TAPPER:" is Jake Tapper
        for label, _ in out:
            name = D.labels[label.i].name
            if len(name.split()) > len(fullest.get(label.lower_, "").split()):
                fullest[label.lower_] = name
        for label, _ in out:
            sp = D.labels[label.i]
            D.labels[label.i] = Speaker(name=fullest[label.lower_], text=sp.text, span=sp.span, type=sp.type)
    return out


_RARE_ZIPF = 3.5  # a word under this Zipf frequency in general English is no heading word ("tapper": 2.7)


@functools.lru_cache(maxsize=5_000)
def _rare_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < _RARE_ZIPF


_LABEL = re.compile(r"[ \t\u00a0]*([A-Z][A-Z.'\u2019-]+(?:[ \u00a0][A-Z][A-Z.'\u2019-]+){0,3}):[ \t\u00a0]+(?=\S)")


# --- indirect speech -------------------------------------------------------------------------

def _trim(a: int, b: int, D: _Doc, ref: int | None = None) -> tuple[int, int]:
    """Token range [a, b) → char span without leading 'that'/marks and trailing punctuation, kept inside
    the paragraph (line) of token `ref`."""
    doc = D.doc
    if ref is not None:
        line = D.par(doc[ref].idx)
        while a < b and D.par(doc[a].idx) != line:
            a += 1
        while b > a and D.par(doc[b - 1].idx) != line:
            b -= 1
    while a < b and (doc[a].is_punct or (doc[a].dep_ in ("mark", "cc") and doc[a].lower_ in ("that", "and", "but"))):
        a += 1
    while b > a and (doc[b - 1].is_punct or doc[b - 1].is_space):
        b -= 1
    if a >= b:
        return -1, -1
    s, e = doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text)
    while e > s and D.text[e - 1] in _QUOTE_CHARS + _TRAIL:
        e -= 1
    while s < e and D.text[s] in _QUOTE_CHARS + " ":
        s += 1
    return s, e


def _indirect(D: _Doc):
    """(cue token, source token, content char span) for reporting verbs with a clausal complement and for
    'according to X'."""
    doc = D.doc
    out = []
    for t in doc:
        if D.in_quote(t.idx) is not None:
            continue
        if t.lower_ == "according":
            src = _according_object(t)
            if src is None:
                continue
            sent = D.sents[D.sent_of[t.i]]
            pa, pb = t.left_edge.i, t.right_edge.i + 1
            edge = lambda a, b: all(doc[i].is_punct or doc[i].is_space for i in range(a, b))  # noqa: E731
            if edge(sent.start, pa) or edge(pb, sent.end):  # the phrase opens or closes the sentence
                lo, hi = sent.start, sent.end
            else:  # the clause it hangs from
                h = t.head
                while h.pos_ not in ("VERB", "AUX") and h.head.i != h.i:
                    h = h.head
                lo, hi = h.left_edge.i, h.right_edge.i + 1
                if all(doc[i].dep_ in ("mark", "cc", "advmod", "punct") for i in range(lo, pa)):
                    lo = pb
            if lo < pa and pb < hi and not edge(lo, pa) and not edge(pb, hi):
                pass  # in the middle: keep the clause around it
            elif edge(lo, pa) or lo >= pa:
                lo = max(lo, pb)
            else:
                hi = min(hi, pa)
            s, e = _trim(lo, hi, D, t.i)
            if e - s > 10:
                out.append((t, src, (s, e)))
            continue
        if not _is_cue(t):
            continue
        # a clause with a verb before a lone word the parser also called a complement ("told reporters at
        # the trade fair that ...", 'fair' an adjective)
        comp = sorted((c for c in t.children if c.dep_ == "ccomp"), key=lambda c: (
            c.pos_ not in ("VERB", "AUX") and not any(g.dep_ in ("nsubj", "nsubjpass", "mark") for g in c.children),
            c.i)) or _stray_complement(t)
        if comp:
            c = comp[0]
            if _is_cue(c) and any(g.dep_ == "ccomp" for g in c.children):
                continue  # a chain: the inner report carries this one as `via`
            lo = c.left_edge.i
            if _parenthetical_speaker(t) is not None:  # "A, said Doe, an expert, would ...": A ... would ...
                lo = min([lo] + [g.left_edge.i for g in t.children if g.dep_ == "nsubj" and g.i < t.i])
            s, e = _trim(lo, c.right_edge.i + 1, D, t.i)
        elif t.dep_ == "parataxis" and t.head.i < t.i and not _is_cue(t.head):
            s, e = _trim(D.sents[D.sent_of[t.i]].start, t.left_edge.i, D, t.i)
        elif (prev := _reported_by_this(t, D)) is not None:
            s, e = _trim(prev.start, prev.end, D, t.i)
        else:
            continue
        if s < 0 or len(_words(D.text[s:e])) < 3:
            continue
        out.append((t, _subject(t, D), (s, e)))
    return out


_SETTING_PREPS = frozenset({"at", "in", "during"})


def _stray_complement(t) -> list:
    """The 'that' clause of reporting verb t where the parser hung it from the noun of a prepositional
    phrase between them ("X told journalists at the air show that Y would ...", "X said in a statement
    that ..." parsed as 'show that ...'): a clause opened by the conjunction 'that' (not the relative
    pronoun, which is its subject) modifying the object of a phrase of place, occasion or time that t
    governs (at, in, during). Not after other prepositions, whose noun's own content the clause is
    ("responded to accusations that ...", "commented on reports that ...", "despite the fact that ...").
    [] otherwise."""
    for p in t.children:
        if p.dep_ != "prep" or p.i < t.i or p.lower_ not in _SETTING_PREPS:
            continue
        for n in p.children:
            if n.dep_ != "pobj":
                continue
            for c in n.children:
                if c.dep_ == "acl" and c.i > n.i and c.pos_ in ("VERB", "AUX") and any(
                        m.dep_ == "mark" and m.lower_ == "that" and m.i == c.left_edge.i for m in c.children):
                    return [c]
    return []


def _reported_by_this(t, D: _Doc):
    """"<statement>. This was announced by X ...": for a passive reporting verb with an agent whose
    subject is a bare 'this' or 'that' opening the sentence, the sentence before it in the same
    paragraph (outside quoted words) is what was reported. None otherwise."""
    if not _is_passive(t) or not any(c.dep_ == "agent" for c in t.children):
        return None
    subj = [c for c in t.children if c.dep_ == "nsubjpass"]
    k = D.sent_of[t.i]
    if len(subj) != 1 or subj[0].lower_ not in ("this", "that") or subj[0].n_rights or subj[0].n_lefts:
        return None
    sent = D.sents[k]
    if subj[0].i != sent.start or k == 0:
        return None
    prev = D.sents[k - 1]
    if D.par(prev.start_char) != D.par(sent.start_char) or any(D.in_quote(x.idx) is not None for x in prev):
        return None
    return prev


# --- the API ---------------------------------------------------------------------------------

def _cue_span(cue) -> Span | None:
    if cue is None:
        return None
    if cue.lower_ == "according":
        nxt = cue.nbor(1) if cue.i + 1 < len(cue.doc) else None
        end = nxt.idx + len(nxt.text) if nxt is not None and nxt.lower_ == "to" else cue.idx + len(cue.text)
        return (cue.idx, end)
    end = cue.idx + len(cue.text)
    for c in cue.children:  # "pointed out"
        if c.dep_ == "prt" and c.i == cue.i + 1:
            end = c.idx + len(c.text)
    return (cue.idx, end)


def _view(doc) -> _Doc:
    """The per-document lookups of `doc`, made once and kept on it (quotes and events both read them)."""
    D = doc.user_data.get("storyline.quotes")
    if D is None:
        D = doc.user_data["storyline.quotes"] = _Doc(doc, quote_spans(doc.text))
    return D


def person_for(pron) -> tuple[int, int] | None:
    """The (start, end) characters of the person a narrative he/she token stands for, as quote
    attribution resolves it; None inside quoted words or where that is ambiguous."""
    D = _view(pron.doc)
    if D.in_quote(pron.idx) is not None:
        return None  # "he" inside quoted words is not the narrative's he
    sp, _ = _resolve_person(pron, D)
    return sp.span if sp is not None else None


def _impersonal(cue, D: _Doc, history: list[tuple[int, Speaker]]) -> _Found | None:
    """"It is noted that ...", "it is reported that ...": an impersonal passive report with no agent,
    inside the account of an outlet's or a document's report, is that report's: the outlet or document
    that the text last gave words to, within the three sentences before. None otherwise."""
    if cue is None or not _is_passive(cue) or any(c.dep_ == "agent" for c in cue.children):
        return None
    if not any(c.dep_ in ("nsubjpass", "expl") and c.lower_ == "it" for c in cue.children):
        return None
    if not history:
        return None
    k, last = history[-1]
    if last.type in ("MEDIA", "DOCUMENT") and 0 <= D.sent_of[cue.i] - k <= 3:
        return _Found(last, None)
    return None


def _narrated_speaker(qs: QSpan, D: _Doc):
    """For quoted words that make a paragraph of their own with no reporting verb: the one the paragraph
    before reports speaking in its last sentence, as the subject of a verb of speech or communication
    ('Valastro praised ...', 'Clinton responded by ..., saying ...') or of a verb whose object is a
    statement ('the DNC issued a statement apologizing ...'). None otherwise."""
    text = D.text
    par = D.par(qs.open)
    line_end = text.find("\n", qs.close)
    line_end = len(text) if line_end < 0 else line_end
    if text[qs.close:line_end].strip(" .,\u00a0"):
        return None  # words after the quote in its paragraph: not quoted words standing alone
    before = text[D.par_starts[par]:qs.open]
    if before.strip():  # a sentence of quoted words after one of narration in the same paragraph
        if not re.search(r"[.!?]\s*$", before):
            return None
        start, end = D.par_starts[par], qs.open
    elif par == 0:
        return None
    else:
        p = par - 1
        while p > 0 and not text[D.par_starts[p]:D.par_starts[p + 1]].strip():
            p -= 1
        start, end = D.par_starts[p], D.par_starts[p + 1] - 1
    if any(start <= q.open < end for q in D.spans if q.close - q.open > 0.5 * (end - start)):
        return None  # the paragraph before is itself quoted words
    tail = text[start:end].rstrip(" .\u00a0\n")
    if tail.endswith(")") and "(" in tail and D.in_quote(start + tail.rindex("(")) is None and \
            text[start:start + tail.rindex("(")].rstrip().endswith((".", "!", "?")):
        # "Richards also spoke about the case. (The law requires ....)" ¶ '"..."': the sentences in parentheses
        # are an aside; the narrative before them goes on into the quote
        end = start + len(text[start:start + tail.rindex("(")].rstrip())
    i = D.tok_at(max(start, end - 1))
    while i > 0 and (D.doc[i].is_space or D.doc[i].is_punct or D.doc[i].idx >= end):
        i -= 1
    last = D.sents[D.sent_of[i]]
    for t in last:
        if t.idx < start or D.in_quote(t.idx) is not None or t.pos_ != "VERB":
            continue
        if not (t.dep_ in ("ROOT", "parataxis") or t.dep_ == "conj" and t.head.dep_ == "ROOT" or (
                # "If anything, Ash argued in his email, the incident is ...": the reporting clause before the
                # words it reports, which the parser made a complement of them
                t.dep_ == "ccomp" and t.head.dep_ == "ROOT" and t.i < t.head.i and t.lemma_.lower() in SPEECH_VERBS
                and any(D.doc[j].text == "," for j in range(t.right_edge.i + 1, t.head.i)))):
            continue  # the main clause's verb, not one in a clause inside it ("suffice it to say")
        lemma = t.lemma_.lower()
        # "issued a statement": an object whose most frequent sense is a message (not "did not understand the
        # implications", which is a message only in a rare sense)
        stated = any(c.dep_ == "dobj" and _common_kind(c, D) == "DOCUMENT"
                     and first_sense_kind(c.lemma_.lower()) == "DOCUMENT" for c in t.children)
        # "The Christian leader further related that ...": a verb one of whose senses is communication, with a
        # "that" clause it reports
        told = _speaks(lemma) and any(c.dep_ == "ccomp" and any(g.dep_ == "mark" and g.lower_ == "that"
                                                                for g in c.children) for c in t.children)
        if lemma in SPEECH_VERBS or _speaks(lemma, first=True) or stated or told:
            src = _subject(t, D)
            if src is not None and (src.lower_ in ("he", "she", "they") or src.pos_ != "PRON"
                                    and _can_name_a_source(src, D)):
                return src
    return None


def _narrative_about(qs: QSpan, D: _Doc):
    """For quoted words that make a paragraph of their own: (the subject of the main verb of the last sentence
    of the paragraph before, that paragraph's index), where that paragraph is narrative with no quotation marks
    ('Viguerie is upbeat about ...'); (None, -1) otherwise."""
    text = D.text
    par = D.par(qs.open)
    line_end = text.find("\n", qs.close)
    line_end = len(text) if line_end < 0 else line_end
    if par == 0 or text[D.par_starts[par]:qs.open].strip() or text[qs.close:line_end].strip(" .,\u00a0"):
        return None, -1
    p = par - 1
    while p > 0 and not text[D.par_starts[p]:D.par_starts[p + 1]].strip():
        p -= 1
    start, end = D.par_starts[p], D.par_starts[p + 1] - 1
    if not text[start:end].strip() or any(start <= q.open < end for q in D.spans):
        return None, -1
    i = D.tok_at(max(start, end - 1))
    while i > 0 and (D.doc[i].is_space or D.doc[i].is_punct or D.doc[i].idx >= end):
        i -= 1
    root = D.sents[D.sent_of[i]].root
    if root.idx < start:
        return None, -1
    subj = next((c for c in root.children if c.dep_ == "nsubj"), None)
    return subj, p


def _split_frame(qs: QSpan, D: _Doc) -> bool:
    """Only a short attribution frame (six words at most) stands between the quote before and this one, in
    the same paragraph: '"...," Doe said. "Not this year."'."""
    k = bisect.bisect_left(D.starts, qs.open) - 1
    if k < 0 or D.par(D.spans[k].open) != D.par(qs.open):
        return False
    return 0 < len(_words(D.text[D.spans[k].close:qs.open])) <= 6


def find_attributions(doc) -> list[Attribution]:
    """Quotes of a parsed doc with the speaker mention each was read from (see the module doc)."""
    D = _view(doc)
    text, spans = D.text, D.spans
    history: list[tuple[int, Speaker]] = []  # (sentence index, speaker) of attributed quotes, in text order
    results: list[tuple[int, Attribution]] = []
    taken: list[tuple[int, int]] = []  # direct-quote spans (indirect content inside them is not re-reported)

    events = []  # (position, 0=quote/1=indirect/2=transcript line, payload)
    for qs in spans:
        events.append((qs.open, 0, qs))
    for cue, src, span in _indirect(D):
        events.append((min(span[0], cue.idx), 1, (cue, src, span)))
    for label, span in _transcript_lines(D):
        events.append((span[0], 2, (label, span)))
    events.sort(key=lambda e: (e[0], e[1]))

    last_by_par: dict[int, tuple[Speaker | None, Span | None, bool]] = {}  # paragraph → last quote's speaker
    # paragraph → the last indirect report's speaker there (and its sentence)
    reported_by_par: dict[int, tuple[Speaker, Span | None, list[str], int]] = {}
    for pos, what, payload in events:
        if what == 0:
            qs = payload
            if _is_name_or_title(qs, D):
                continue
            content = text[qs.start:qs.end]
            cue, src, kind = _attribute_quote(qs, D)
            if kind is None:
                continue
            toks = doc.char_span(qs.start, qs.end, alignment_mode="expand")
            short = len(_words(content)) <= 5 and not _sentence_like(toks)
            found = _speaker_from(src, D, history) if src is not None else _Found(None, None)
            if found.mention is not None and (found.mention[0] <= qs.open < found.mention[1]
                                              or found.mention[0] < qs.close <= found.mention[1]
                                              or qs.closed and qs.open < found.mention[0] and found.mention[1] <= qs.close
                                              and D.text[found.mention[1]:found.mention[1] + 1] != ":"):
                # a phrase across a quotation mark is not who said the quoted words: a term quoted inside
                # its own noun phrase ('a "no-disparagement" clause', '"poison pill" measures'); nor a name
                # inside them ("Reid: 'Never underestimate Trump.'", the parse taking Trump for the subject), unless
                # it labels them ('"CLINTON: I feel ..."', a transcript quoted)
                found = _Found(None, None)
            via = _via(cue, src, D) if cue is not None else []
            par = D.par(qs.open)
            if found.speaker is None and found.mention is None and kind == "direct" and (
                    not short or par in last_by_par and _split_frame(qs, D)):
                # continuation: the previous quote in this paragraph (a short one too, after a short frame
                # between the two: '"...," Doe said. "Not this year."'), or the previous paragraph's quote
                prev = last_by_par.get(par)
                if prev is None and par > 0 and (D.text[D.par_starts[par]:qs.open].strip() == ""
                                                 or _verbless_intro(D.par_starts[par], qs.open, D)):
                    p = par - 1
                    while p > 0 and not text[D.par_starts[p]:D.par_starts[p + 1]].strip():
                        p -= 1
                    prev = last_by_par.get(p)
                reported = reported_by_par.get(par)
                if prev is not None and (prev[0] is not None or prev[1] is not None):
                    found = _Found(prev[0], prev[1])
                    via = list(prev[2])
                elif prev is None and reported is not None and reported[3] < D.sent_of[D.tok_at(qs.open)] and \
                        par not in last_by_par and not text[qs.start:qs.close].rstrip(_QUOTE_CHARS + " ").endswith(","):
                    # quoted words opening a sentence after one that reports someone's words indirectly, in the
                    # same paragraph ('Coe argues that his client was never violent. "His intent was ..."'); not
                    # words a frame of their own follows ('"...," is one common saying here')
                    found = _Found(reported[0], reported[1])
                    via = list(reported[2])
                elif prev is None:
                    # a paragraph of quoted words after one that reports someone speaking ('Valastro praised
                    # the governor's leadership.' / '"We need someone who ..."'), or a sentence of them after
                    # one in the same paragraph ('Khan says she got a call. "She called me, ..."')
                    narrator = _narrated_speaker(qs, D)
                    if narrator is not None:
                        found = _speaker_from(narrator, D, history)
                    else:
                        # '"...," Viguerie notes.' ¶ 'Viguerie is upbeat about ...' ¶ '"..."': a paragraph of
                        # quoted words after a narrative paragraph about the person quoted right before it
                        about, p = _narrative_about(qs, D)
                        pq = p - 1
                        while pq > 0 and not text[D.par_starts[pq]:D.par_starts[pq + 1]].strip():
                            pq -= 1
                        before = last_by_par.get(pq) if about is not None else None
                        if before is not None and before[0] is not None and before[0].type == "PERSON":
                            f = _speaker_from(about, D, history)
                            if f.speaker is not None and f.speaker.name == before[0].name:
                                found = f
            if found.speaker is None and cue is not None:
                found = _impersonal(cue, D, history) or found
            if short and found.speaker is None:
                continue  # a scare quote or a term: nobody's words
            if kind == "partial" and cue is None and found.speaker is None:
                continue
            if short:
                kind = "partial"
            q = Quote(span=(qs.start, qs.end), text=content, kind=kind, speaker=found.speaker, via=via,
                      cue=_cue_span(cue))
            results.append((qs.start, Attribution(q, found.mention)))
            if kind == "direct":
                taken.append((qs.open, qs.close))
            if found.speaker is not None:
                history.append((D.sent_of[D.tok_at(qs.open)], found.speaker))
            last_by_par[par] = (found.speaker, found.mention, via)
        elif what == 2:  # 'BERG: Well, look, ...': a transcript line, its label's words
            label, (s, e) = payload
            sp = D.labels[label.i]
            q = Quote(span=(s, e), text=text[s:e], kind="direct", speaker=sp, via=[], cue=None)
            results.append((s, Attribution(q, sp.span)))
            taken.append((s, e))
            history.append((D.sent_of[label.i], sp))
        else:
            cue, src, (s, e) = payload
            inside = sum(max(0, min(e, b) - max(s, a)) for a, b in taken)
            quoted = sum(max(0, min(e, q.close) - max(s, q.open)) for q in spans)
            if inside > 0.3 * (e - s) or quoted > 0.6 * (e - s):
                continue  # the direct quote already reports it
            found = _speaker_from(src, D, history)
            if found.speaker is None and src is None:
                found = _impersonal(cue, D, history) or found
            if found.speaker is None and src is not None and src.lower_ in ("it", "this"):
                continue
            q = Quote(span=(s, e), text=text[s:e], kind="indirect", speaker=found.speaker,
                      via=_via(cue, src, D), cue=_cue_span(cue))
            results.append((s, Attribution(q, found.mention)))
            if found.speaker is not None:
                history.append((D.sent_of[cue.i], found.speaker))
                reported_by_par[D.par(cue.idx)] = (found.speaker, found.mention, q.via, D.sent_of[D.tok_at(e - 1)])
    # an unattributed indirect report inside another one's content is part of it
    out: list[Attribution] = []
    seen: set[tuple[int, int, str]] = set()
    for _, a in sorted(results, key=lambda r: (r[0], -r[1].quote.span[1])):
        q = a.quote
        key = (q.span[0], q.span[1], q.kind)
        if key in seen:
            continue
        if q.kind == "indirect" and q.speaker is None and any(
            o.quote.kind == "indirect" and o.quote.span[0] <= q.span[0] and q.span[1] <= o.quote.span[1]
            and o.quote is not q for _, o in results
        ):
            continue
        seen.add(key)
        out.append(a)
    return out


def find_quotes(doc) -> list[Quote]:
    """The quotes of a parsed spaCy Doc (from `load_nlp()` / `nlp.pipe`), spans into `doc.text`."""
    return [a.quote for a in find_attributions(doc)]
