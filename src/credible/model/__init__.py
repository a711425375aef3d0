"""Domain types and controlled vocabularies. No I/O beyond reading packaged YAML."""

from credible.model.fields import KINDS, Field
from credible.model.vocab import VOCABULARIES, Term, Vocabulary, vocabulary

__all__ = ["KINDS", "VOCABULARIES", "Field", "Term", "Vocabulary", "vocabulary"]
