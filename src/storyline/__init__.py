"""storyline: turn a pile of news articles into sourced story dossiers."""

__version__ = "0.1.0"
