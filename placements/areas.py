"""The local authority areas the service knows from the start, by their ONS GSS codes: the 22
principal areas of Wales (seeded by migration 0011, whose own copy of this list is frozen there),
and the English ones the national scale data set uses. Only codes checked against the ONS lists:
a scheme manager adds any other area, with its code, in the admin."""

from placements.models import LocalAuthority

# (code, English name, Welsh name)
WELSH_PRINCIPAL_AREAS: list[tuple[str, str, str]] = [
    ("W06000001", "Isle of Anglesey", "Ynys Môn"),
    ("W06000002", "Gwynedd", "Gwynedd"),
    ("W06000003", "Conwy", "Conwy"),
    ("W06000004", "Denbighshire", "Sir Ddinbych"),
    ("W06000005", "Flintshire", "Sir y Fflint"),
    ("W06000006", "Wrexham", "Wrecsam"),
    ("W06000008", "Ceredigion", "Ceredigion"),
    ("W06000009", "Pembrokeshire", "Sir Benfro"),
    ("W06000010", "Carmarthenshire", "Sir Gaerfyrddin"),
    ("W06000011", "Swansea", "Abertawe"),
    ("W06000012", "Neath Port Talbot", "Castell-nedd Port Talbot"),
    ("W06000013", "Bridgend", "Pen-y-bont ar Ogwr"),
    ("W06000014", "Vale of Glamorgan", "Bro Morgannwg"),
    ("W06000015", "Cardiff", "Caerdydd"),
    ("W06000016", "Rhondda Cynon Taf", "Rhondda Cynon Taf"),
    ("W06000018", "Caerphilly", "Caerffili"),
    ("W06000019", "Blaenau Gwent", "Blaenau Gwent"),
    ("W06000020", "Torfaen", "Tor-faen"),
    ("W06000021", "Monmouthshire", "Sir Fynwy"),
    ("W06000022", "Newport", "Casnewydd"),
    ("W06000023", "Powys", "Powys"),
    ("W06000024", "Merthyr Tydfil", "Merthyr Tudful"),
]

# English unitary authorities (E06), districts (E07), metropolitan districts (E08) and London
# boroughs (E09): (code, name).
ENGLISH_AREAS: list[tuple[str, str]] = [
    ("E06000009", "Blackpool"),
    ("E06000010", "Kingston upon Hull"),
    ("E06000015", "Derby"),
    ("E06000016", "Leicester"),
    ("E06000018", "Nottingham"),
    ("E06000021", "Stoke-on-Trent"),
    ("E06000022", "Bath and North East Somerset"),
    ("E06000023", "Bristol"),
    ("E06000026", "Plymouth"),
    ("E06000043", "Brighton and Hove"),
    ("E06000052", "Cornwall"),
    ("E06000054", "Wiltshire"),
    ("E06000059", "Dorset"),
    ("E06000066", "Somerset"),
    ("E07000008", "Cambridge"),
    ("E07000148", "Norwich"),
    ("E08000003", "Manchester"),
    ("E08000012", "Liverpool"),
    ("E08000019", "Sheffield"),
    ("E08000021", "Newcastle upon Tyne"),
    ("E08000024", "Sunderland"),
    ("E08000025", "Birmingham"),
    ("E08000026", "Coventry"),
    ("E08000035", "Leeds"),
    ("E09000030", "Tower Hamlets"),
    ("E09000033", "Westminster"),
]

CEREDIGION = "W06000008"
POWYS = "W06000023"

_KNOWN = {code: (name, name_cy) for code, name, name_cy in WELSH_PRINCIPAL_AREAS} | {
    code: (name, "") for code, name in ENGLISH_AREAS
}
_BY_NAME = {name.casefold(): code for code, (name, _cy) in _KNOWN.items()}


def known_area(code_or_name: str) -> LocalAuthority:
    """The area of that code or English name from the lists above, added if it is missing (a test
    database flushed of the migration's rows, or an English area of the scale data set)."""
    code = _BY_NAME.get(code_or_name.casefold(), code_or_name)
    name, name_cy = _KNOWN[code]
    area, _created = LocalAuthority.objects.get_or_create(
        code=code, defaults={"name": name, "name_cy": name_cy}
    )
    return area


def known_areas(codes: list[str]) -> dict[str, LocalAuthority]:
    """`known_area` for many codes in two queries."""
    LocalAuthority.objects.bulk_create(
        [LocalAuthority(code=code, name=_KNOWN[code][0], name_cy=_KNOWN[code][1]) for code in codes],
        ignore_conflicts=True,
    )
    return LocalAuthority.objects.in_bulk(codes)
