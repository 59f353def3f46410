"""Closed word lists the entity rules rely on: honorifics, job titles, role nouns and the like.

All entries are lower case; callers compare ``token.lower_`` (with a trailing full stop removed
for abbreviations such as "Dr.").
"""

from __future__ import annotations

HONORIFICS = frozenset(
    """
    dr mr mrs ms miss mx prof professor sir dame lord lady madam madame monsieur mme mlle herr
    frau sheikh rev reverend fr father sr sra
    """.split()
)
"""Courtesy titles: they go with a family name ("Dr Bong"), so they mark a person."""

TITLES = frozenset(
    """
    president vice-president premier chancellor senator sen rep representative congressman
    congresswoman governor gov mayor minister secretary ambassador general gen lieutenant lt
    colonel col major maj captain capt commander admiral sergeant sgt marshal chief judge
    justice king queen prince princess emperor empress pope cardinal bishop archbishop rabbi imam
    ayatollah sultan emir crown deputy mp mep speaker chairman chairwoman chair commissioner
    attorney detective inspector constable officer superintendent councillor councilman
    councilwoman president-elect ceo
    """.split()
)
"""Job titles that may stand before a name ("President Putin") and are no part of the name."""

ADDRESS_FORMS = frozenset(
    """
    president speaker chairman chairwoman chair secretary ambassador mayor minister prime vice
    deputy governor commissioner
    """.split()
)
"""Titles that follow a courtesy title as a form of address ("Mr President"), never a name;
other titles there are surnames ("Mr King", "Ms Bishop")."""

ROLE_NOUNS = TITLES | frozenset(
    """
    leader head spokesperson spokesman spokeswoman adviser advisor analyst expert observer
    lecturer professor researcher fellow scientist director executive founder president
    manager boss envoy diplomat official strongman dictator ruler monarch lawmaker legislator
    politician candidate nominee member partner economist historian journalist reporter
    correspondent editor author writer commentator campaigner activist lawyer prosecutor
    negotiator aide strategist general commander coach captain player star owner chairman
    premier counterpart successor predecessor chief-of-staff secretary-general
    """.split()
)
"""Nouns that name what a person is or does; the head of a role such as "NATO chief"."""

ROLE_SUFFIXES = ("er", "or", "ist", "ian")
"""Agent-noun endings ("lecturer", "director", "analyst", "historian") accepted as role heads."""

DIVISIONS = frozenset(
    """
    krai kray oblast province region prefecture governorate county district territory canton
    voivodeship raion okrug parish municipality emirate
    """.split()
)
"""Administrative-division words that end a place name ("Primorsky Krai", "Kherson Oblast").

"State", "Department" and "Republic" are left out: "Islamic State", "Chicago Police Department"
and "Arizona Republic" are a group, a body and a newspaper far more often than places.
"""

ORG_WORDS = frozenset(
    """
    university institute institution college school academy centre center council committee
    ministry department agency bureau office service group party union association federation
    organisation organization foundation fund bank company corporation corp inc ltd llc plc co
    authority commission court parliament assembly congress senate army navy force forces
    command network media news times post press journal broadcasting hospital church
    movement front alliance coalition league club team trust board society
    """.split()
)
"""Words that make a proper-noun sequence an organisation rather than a person."""

LOCATIVE_PREPS = frozenset(
    """
    in at near outside inside around across throughout within via through beyond around
    of over under along
    """.split()
)
"""Prepositions after which a capital city is a place, not its government."""

MOTION_VERBS = frozenset(
    """
    travel fly go come arrive return move head visit drive walk flee evacuate relocate
    """.split()
)
"""Lemmas after which "to Kyiv" / "from Kyiv" name a destination or origin."""

PLACE_VERBS = MOTION_VERBS | frozenset(
    """
    leave reach enter tour attack bomb strike shell hit target capture besiege surround liberate
    occupy evacuate defend
    """.split()
)
"""Lemmas whose object is a city as a place ("visited Pyongyang", "shelled Kyiv")."""

GOVERNMENT_NOUNS = frozenset(
    """
    government regime authorities administration leadership officials official cabinet
    """.split()
)
"""Nouns a capital modifies when it stands for the government ("the Moscow regime")."""

ACTOR_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "poss", "dative", "agent", "attr"})
"""Dependencies of a capital's head token that mean the capital acts or is acted upon."""

CALENDAR = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december jan feb mar apr jun jul aug sep sept
    oct nov dec today yesterday tomorrow
    """.split()
)
"""Date words the model sometimes labels as a name ("May" is left out: Theresa May)."""

POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
"""Tokens of a possessive ending ("Russia's", "Mathers'")."""

FUNCTION_WORDS = frozenset("of for and the on in at to de du la le des der von van".split())
"""Words skipped when an acronym is spelled from a name."""


NOT_AGENTS = frozenset(
    """
    water power number order paper letter center centre border matter quarter summer winter
    weather chapter other error floor door color colour factor sector mirror honor honour favor
    favour labor labour terror horror corner dinner answer shelter finger cancer tower river
    monitor motor meter minor major senior junior former latter later further under over after
    never either neither rather whether together poster banner trigger disaster register
    """.split()
)
"""Words ending like agent nouns ("-er", "-or") that name no role."""


def is_role_head(lower: str, pos: str = "NOUN") -> bool:
    """True if a word tagged ``pos`` can head a role ("chief", "lecturer", "president").

    The agent-noun endings are trusted only on nouns: "former" is an adjective.
    """
    if lower in ROLE_NOUNS:
        return True
    return (
        pos in {"NOUN", "PROPN"}
        and len(lower) > 4
        and lower.endswith(ROLE_SUFFIXES)
        and lower not in NOT_AGENTS
    )
