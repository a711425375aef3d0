"""The fields of each importable kind of row: one place that ingest, the store and the
simulator agree on.

A field's ``type`` says how a raw cell is parsed and validated:
``text``, ``int``, ``float``, ``edtf`` (a partial or uncertain date), ``vocab:<name>``,
or ``id_number`` (a resident identity number, GB 11643-1999: kept as written, checked,
normalised; see ``credible.model.resident_id``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "text"
    required: bool = False
    description: str = ""
    sensitive: bool = False  # encrypted at rest
    aliases: tuple[str, ...] = ()  # header spellings recognised without a mapping


PERSON_RECORD_FIELDS: tuple[Field, ...] = (
    Field("name", description="full name as written", aliases=("full_name", "fullname", "姓名")),
    Field("given_name", description="given name", aliases=("first_name", "forename", "名")),
    Field(
        "father_name",
        description="father's given name, the Uyghur/Kazakh 'surname' or patronymic",
        aliases=("patronymic", "fathers_name", "father"),
    ),
    Field("family_name", description="family name (Han, Hui)", aliases=("surname", "last_name")),
    Field("sex", "vocab:sex", aliases=("gender", "性别")),
    Field("birth_date", "edtf", aliases=("dob", "date_of_birth", "born", "birthdate", "出生日期")),
    Field("birthplace", aliases=("place_of_birth", "birth_place")),
    Field("residence", aliases=("county", "home", "home_county", "address")),
    Field("township", description="township (乡/镇) of residence", aliases=("town", "乡镇")),
    Field("village", description="village (村) of residence", aliases=("村",)),
    Field(
        "id_number",
        "id_number",
        description="resident identity number (GB 11643-1999) as written; checked and "
        "normalised, flagged when invalid (the row is kept); identifying: left out of "
        "public editions",
        aliases=(
            "id_card",
            "identity_number",
            "citizen_id",
            "身份证号",
            "身份证号码",
            "公民身份号码",
        ),
    ),
    Field(
        "relatives",
        description="relatives named in the record: items separated by ';', each "
        "'name (relation)' or 'name (relation, id number)'",
        aliases=("family", "family_members", "家庭成员"),
    ),
    Field("ethnicity", aliases=("ethnic_group", "nationality", "民族")),
    Field("role", "vocab:roles"),
    Field("facility", description="where detained, as written", aliases=("camp", "detained_at")),
    Field("detained", "edtf", description="when detained", aliases=("detention_date", "date")),
    Field(
        "contact",
        sensitive=True,
        description="contact details: every column that holds them is read into it, sealed",
        aliases=(
            "phone",
            "email",
            "telephone",
            "tel",
            "mobile",
            "cellphone",
            "phone_number",
            "email_address",
            "wechat",
            "whatsapp",
            "telegram",
            "signal",
            "电话",
            "手机",
            "联系方式",
            "телефон",
        ),
    ),
    Field("notes", aliases=("note", "comment", "comments")),
    Field(
        "external_id", description="the source's own id for the row", aliases=("id", "record_id")
    ),
    Field(
        "consent_to_publish",
        "vocab:consent",
        description="whether the person (or their family) agreed to be named in public: "
        "yes or no; without a yes, a public edition names them by pseudonym",
        aliases=("consent", "publish_consent"),
    ),
)

FACILITY_FIELDS: tuple[Field, ...] = (
    Field("name", aliases=("facility_name", "facility")),
    Field("name_zh", description="name in Chinese characters"),
    Field("name_ug", description="name in Uyghur Arabic script"),
    Field("kind", "vocab:facility_kinds", aliases=("type", "facility_type")),
    Field("latitude", "float", aliases=("lat",)),
    Field("longitude", "float", aliases=("lon", "lng", "long")),
    Field("town"),
    Field("county"),
    Field("prefecture"),
    Field("security_tier", "int"),
    Field("first_seen", "edtf"),
    Field("last_seen", "edtf"),
    Field("capacity_estimate", "int", aliases=("capacity",)),
    Field("notes", aliases=("note",)),
    Field("external_id", aliases=("id", "facility_id")),
)

OBSERVATION_FIELDS: tuple[Field, ...] = (
    Field("facility", required=True, description="facility external_id or name"),
    Field("observed", "edtf", required=True, aliases=("date", "observed_on")),
    Field("imagery", description="imagery provider or source", aliases=("source", "provider")),
    Field("features", description="features seen, separated by ';'"),
    Field("change", "vocab:observation_changes"),
    Field("notes"),
    Field("external_id", aliases=("id", "observation_id")),
)

ACT_FIELDS: tuple[Field, ...] = (
    Field("type", "vocab:act_types", required=True, aliases=("act_type",)),
    Field("victim", description="person record external_id in this store", aliases=("victim_id",)),
    Field("facility", description="facility external_id or name", aliases=("facility_id",)),
    Field("place", description="place, when not a facility"),
    Field("date", "edtf", aliases=("when", "act_date")),
    Field("status", description="alleged, corroborated, ..."),
    Field("description", aliases=("summary",)),
    Field("external_id", aliases=("id", "act_id")),
)

ALLEGATION_FIELDS: tuple[Field, ...] = (
    Field("act", required=True, description="act external_id", aliases=("act_id",)),
    Field("excerpt", aliases=("quote", "text")),
    Field("credibility", "vocab:credibility"),
    Field(
        "stance",
        "vocab:stance",
        description="supports (default) or contradicts: a denial or rebuttal",
        aliases=("position",),
    ),
    Field("external_id", aliases=("id", "allegation_id")),
)

#: Name-bearing fields indexed for `credible search`, per kind, joined in this order.
#: Columns the importer derives from ``id_number`` beside it (never over what the source
#: wrote): the normalised number, why it is invalid (empty: valid), and, from a valid
#: number only, the birth date, sex and county (GB/T 2260 code) it encodes.
ID_NUMBER_DERIVED = (
    "id_number_norm",
    "id_number_problem",
    "id_number_birth_date",
    "id_number_sex",
    "id_number_region",
)

#: Person-record fields that identify a person or their family as surely as a name
#: does, and that the store keeps in clear for linkage: a public edition drops them
#: (docs/security.md).
IDENTIFYING_FIELDS = ("id_number", *ID_NUMBER_DERIVED, "relatives")

SEARCH_FIELDS: dict[str, tuple[str, ...]] = {
    "person_record": ("name", "given_name", "father_name", "family_name"),
    "facility": ("name", "name_zh", "name_ug", "town", "county", "prefecture"),
}

KINDS: dict[str, tuple[Field, ...]] = {
    "person_record": PERSON_RECORD_FIELDS,
    "facility": FACILITY_FIELDS,
    "facility_observation": OBSERVATION_FIELDS,
    "act": ACT_FIELDS,
    "allegation": ALLEGATION_FIELDS,
}


# Words in a header that say a column holds contact details: such a column, when it is
# kept rather than mapped, is sealed too (``extra_sealed``), never kept in clear.
_CONTACT_WORDS = frozenset(
    [
        "phone",
        "telephone",
        "tel",
        "mobile",
        "cell",
        "cellphone",
        "email",
        "mail",
        "wechat",
        "whatsapp",
        "telegram",
        "signal",
        "viber",
        "skype",
        "contact",
        "contacts",
        "телефон",
        "почта",
    ]
)
_CONTACT_CJK = ("电话", "手机", "联系", "邮箱", "微信")


def looks_sensitive(header: str) -> bool:
    """Whether a column's header says it holds contact details."""
    folded = unicodedata.normalize("NFKC", header).casefold()
    words = set(re.split(r"[\W_]+", folded)) | {
        w.rstrip("0123456789") for w in re.split(r"[\W_]+", folded)
    }
    return bool(words & _CONTACT_WORDS) or any(hint in folded for hint in _CONTACT_CJK)


def sensitive_fields(kind: str) -> frozenset[str]:
    """The fields of ``kind`` that are sealed at rest (``Field.sensitive``)."""
    return frozenset(f.name for f in KINDS[kind] if f.sensitive)
