"""Domain types and controlled vocabularies. No I/O beyond reading packaged data."""

from credible.model.fields import IDENTIFYING_FIELDS, KINDS, Field
from credible.model.relatives import Relative, format_relatives, parse_relatives
from credible.model.resident_id import IdCheck, Region, xinjiang_regions
from credible.model.resident_id import check as check_id_number
from credible.model.resident_id import check_digit as id_check_digit
from credible.model.resident_id import generate as generate_id_number
from credible.model.resident_id import to_15 as id_number_15
from credible.model.vocab import VOCABULARIES, Term, Vocabulary, vocabulary

__all__ = [
    "IDENTIFYING_FIELDS",
    "KINDS",
    "VOCABULARIES",
    "Field",
    "IdCheck",
    "Region",
    "Relative",
    "Term",
    "Vocabulary",
    "check_id_number",
    "format_relatives",
    "generate_id_number",
    "id_check_digit",
    "id_number_15",
    "parse_relatives",
    "vocabulary",
    "xinjiang_regions",
]
