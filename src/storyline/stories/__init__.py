"""Cross-article stages over stories: clustering, event coreference, claim comparison."""
