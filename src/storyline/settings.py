"""Every threshold and bound the stages use, in one place, each with its reason; the stages import them from here."""

from __future__ import annotations

# --- input: what a build reads, and how much ------------------------------------------------------
DEFAULT_MAX_MB = 50.0  # `build --max-mb`: a larger file is refused with a one-line problem (a dump, not an article)
DEFAULT_MAX_BYTES = int(DEFAULT_MAX_MB * 1024 * 1024)  # the same bound in bytes, for the readers
SNIFF_BYTES = 8192  # bytes looked at to tell a text file from a binary one
CONTROL_RATIO = 0.10  # share of control bytes above which a file is taken for binary
SHORT_TEXT = 500  # characters: below this the fast HTML pass may have missed the article; try the fallbacks
SNIPPET_CHARS = 2000  # feed HTML shorter than this is a summary: strip its tags instead of extracting
# libxml2 stops parsing at 256 levels of nesting (2048 with huge_tree) and drops the rest of the page;
# a tree this deep was cut there.
PARSER_DEPTH_LIMIT = 250
CAPPED_DEPTH = 100  # nesting kept when such a page is written again flatter
# A file modified less than this before a build looked at it is not remembered as read (pipeline.InputFiles):
# within a file system's timestamp granularity (2 s on FAT, 1 s on ext3 and HFS+, a clock tick of a few ms on
# ext4) it could change again, keeping its size, without its modification time changing.
SETTLE_SECONDS = 2.0
# a build looks up what it read from each input file before (pipeline.InputFiles) one file at a time, until it has
# looked up this many in one folder: then that folder's records are read at once (a folder of a few files costs no
# more than it did; one of thousands, one query instead of thousands)
RECALL_AT_ONCE = 32

# --- cleaning --------------------------------------------------------------------------------------
REPEAT_WINDOW = 8  # a headline repeated within this many blocks marks an article start
# Language: fewer letters or words than these and the text is too short to say ('und', no guess); a
# detector probability under MIN_PROBABILITY is no answer either.
MIN_LETTERS = 40
MIN_WORDS = 8
MIN_PROBABILITY = 0.5

# --- duplicates and shared passages (clean/dedupe.py) --------------------------------------------
NUM_PERM = 128  # MinHash permutations: a Jaccard estimate within about ±0.09 (1/√128), 1 KB a signature
SHINGLE = 3  # words per shingle
# Jaccard similarity of word 3-shingles from which two articles are near-duplicates (one paragraph in four
# rewritten ≈ 0.63)
NEAR_THRESHOLD = 0.6
PASSAGE_MIN_WORDS = 15  # a shared paragraph must be at least this long to count as syndicated

# --- annotation (nlp/) -----------------------------------------------------------------------------
BATCH_SIZE = 8  # spaCy batch: 32 long pages peaked at 819 MB, 8 at 443 MB, no slower
# Texts longer than the parser takes at once (spaCy's nlp.max_length, a million characters) are parsed in
# pieces of at most PIECE_CHARS cut at paragraph breaks and joined into one Doc (the layers read one Doc);
# beyond ANNOTATE_MAX_CHARS (a mis-split dump rather than an article: about 4 minutes and 2 GB) they are refused.
PIECE_CHARS = 100_000
ANNOTATE_MAX_CHARS = 5_000_000
MAX_TITLE_CHARS = 1_000  # a title longer than this is cut before its events are read (a scraped "title" can be a page)
TIMEX_MAX_CHARS = 2_000_000  # longer texts are tagged up to here (bounded time); callers split documents anyway
SENSES = 3  # a word's first WordNet senses only: WordNet orders them by frequency, the rare ones mislead
ANNOTATE_COMMIT_EVERY = 16  # articles whose layers are committed together: a killed build loses at most these

# --- stories (stories/cluster.py) --------------------------------------------------------------------
JOIN_AT = 0.18  # the similarity an article needs to join a story (tuned: bench/RESULTS.md, "Stories of one subject")
TEXT_WEIGHT = 0.65  # the share of text similarity in it; the rest is shared canonical entities
# Text similarity to a story: this share from its closest article, the rest the mean over its LINK_NEAREST
# closest. A chain of articles each like the one before only is not one story (tests/test_stories.py), and a
# story's size does not lower it: the mean over every article did, and a month's coverage of one subject fell
# into a story for every few articles (Timeline17, bench/tls.py)
LINK_WEIGHT = 0.5
LINK_NEAREST = 3
FAR_DAYS = 3 * 365  # articles further apart than this join only on a clearly higher similarity …
FAR_JOIN_AT = 0.25  # … this one
# A story article counts for a new one when their text cosine or entity overlap may reach this (prefix
# filtering's bound): placing an article reads the articles it resembles, not the corpus. Below it an
# article adds less than this to the mean over a story's closest; the seeds, the example corpus, the stories
# bench and Timeline17's topics split the same with it as with the bound at JOIN_AT (where no join is missed:
# a score reaches JOIN_AT only where the cosine or the overlap does).
MIN_SIM = 0.3

# --- events and the digest (stories/events.py, stories/digest.py) ------------------------------------
EVENT_LINK = 0.5  # the average link a mention needs to an event to join it
# the share of the smaller sentence's named entities (canonical) two dated mentions with no agent in common must
# share for the learned model to link them (stories/events.py, _by_model): ECB+'s model links nearly any two
# mentions of one word in a story; a years-long story tells many deliveries to different buyers in one word
EVENT_SENTENCE_OVERLAP = 0.66
# two undated mentions with no agent in common may be linked by the learned model only when their articles came out
# within this many days of each other (an article whose publication is unknown cannot be told apart): reports a
# week apart on one meaning in one story are the same news; a years-long story retells its past in one word
# ("the purchase") next to new happenings of the same kind
EVENT_PUBLISHED_NEAR_DAYS = 7
# an article's main event (stories/events.py, main_events): each other article telling an event adds this to its
# weight (a lead sentence weighs 1 to 3, the headline 3), up to MAIN_EVENT_SOURCES articles: the happening an
# article reports is the one other outlets report too. Chosen on ECB+'s train topics (articles grouped by main event,
# B³: 0.25 for up to 2 articles 0.301, 0.5 for up to 6 0.370, 1 for up to 3 0.365); dev checked after
MAIN_EVENT_PER_SOURCE = 0.5
MAIN_EVENT_SOURCES = 6
MAX_TRIED = 200  # the most recent events tried for a mention (a long article's thousands of statements by one speaker)
MAX_DATES = 30  # the most dates a digest's default length gives (a reader's page, not the whole timeline)
PLANNED = 0.3  # the weight of what was expected or possible, not done: a plan is not a happening
SAME = 0.7  # word-set Jaccard at which two sentences are the same sentence
INSIDE = 0.9  # share of one sentence's words inside another at which it is a copy

# --- exports and the web app -------------------------------------------------------------------------
EXPORT_MAX_SENTENCE = 400  # characters of a sentence a Markdown or HTML dossier quotes (hostile text is bounded)
EXPORT_MAX_ENTITIES = 100  # entities a Markdown or HTML dossier lists
DEFAULT_MAX_UPLOAD_MB = 20.0  # `serve --max-upload-mb`: the largest body POST /api/ingest takes
DEFAULT_CACHE_MB = 64.0  # response cache; answers are kept by ETag, so new data retires them
MAX_LIMIT = 100  # the largest page an API list gives (?limit=)
MAX_JSON_DEPTH = 32  # nesting of an ingested JSON body (an article object holds flat fields)

# --- the batch (batch/) ----------------------------------------------------------------------------
BUCKETS_PER_WORKER = 4  # shuffle buckets (reduce tasks) per worker: enough to balance uneven keys
DEFAULT_UNITS = 32  # units (files, lines, records) a partition holds at most
DEFAULT_PART_MB = 32.0  # and raw bytes at most
RETRIES = 3  # a task that raised is retried this often; a task on a worker that died is rescheduled by the engine
