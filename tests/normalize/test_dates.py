"""normalize.dates: Spanish day-first dates (DATASETS.md "Layout": dates are date32)."""

from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from normalize.dates import DateParseError, find_date, parse_date

SETTINGS = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.parametrize(
    "text, expected",
    [
        # d-mon-yy as in POA forms
        ("1-ene-19", date(2019, 1, 1)),
        ("31-dic-19", date(2019, 12, 31)),
        ("1-ene-2019", date(2019, 1, 1)),
        ("1-ENE-19", date(2019, 1, 1)),
        ("15-ago-21", date(2021, 8, 15)),
        ("5-sep-19", date(2019, 9, 5)),
        ("5-set-19", date(2019, 9, 5)),
        ("5-sept-19", date(2019, 9, 5)),
        ("1/feb/2020", date(2020, 2, 1)),
        # numeric, always day first
        ("14/12/2020", date(2020, 12, 14)),
        ("14-12-2020", date(2020, 12, 14)),
        ("14.12.2020", date(2020, 12, 14)),
        ("14/12/20", date(2020, 12, 14)),
        ("1/2/2020", date(2020, 2, 1)),
        ("12/01/2020", date(2020, 1, 12)),
        ("03/03/2020", date(2020, 3, 3)),
        ("14/12/2020 10:30", date(2020, 12, 14)),
        ("SALDO AL 31/12/2019", date(2019, 12, 31)),
        # ISO
        ("2020-12-14", date(2020, 12, 14)),
        ("2020/12/14", date(2020, 12, 14)),
        # long Spanish forms
        ("14 de febrero de 2024", date(2024, 2, 14)),
        ("La Paz, 14 de febrero de 2024", date(2024, 2, 14)),
        ("al 31 de diciembre de 2020", date(2020, 12, 31)),
        ("Saldo al 23 de junio del 2020", date(2020, 6, 23)),
        ("28 DE NOVIEMBRE DE 2018", date(2018, 11, 28)),
        ("Ejecucion al 30 de Junio 2020", date(2020, 6, 30)),
        ("1º de mayo de 2020", date(2020, 5, 1)),
        ("1ro de mayo de 2020", date(2020, 5, 1)),
        ("5 setiembre 2019", date(2019, 9, 5)),
        # short forms with a dot
        ("31 dic. 2020", date(2020, 12, 31)),
        ("31dic. 2020", date(2020, 12, 31)),
        ("Ejecución al 31dic. 2020", date(2020, 12, 31)),
        ("31 Diciembre 2020", date(2020, 12, 31)),
        ("3 mar 2021", date(2021, 3, 3)),
        ("29 de febrero de 2020", date(2020, 2, 29)),  # leap year
        # blanks
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Septiembre",  # no day, no year
        "Enero 2020",  # no day
        "14 de febrero",  # no year
        "abc",
        "2021",
        "31/02/2020",  # not a calendar date
        "29/02/2019",
        "00/12/2020",
        "14/13/2020",
        "32-ene-19",
        "10.1.19",  # a task code, not 10 Jan 2019
        "22.1.2.1",
        "1.234.567",
        "Marzo",
    ],
)
def test_parse_date_errors(text):
    with pytest.raises(DateParseError) as info:
        parse_date(text)
    assert info.value.text == text
    assert isinstance(info.value, ValueError)


def test_parse_date_rejects_non_strings():
    with pytest.raises(DateParseError):
        parse_date(20200101)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Cochabamba, 28 de agosto de 2018. Ref: POA 2019", date(2018, 8, 28)),
        ("texto sin fecha", None),
        (None, None),
        ("", None),
        ("del 01/01/2020 al 31/12/2020", date(2020, 1, 1)),  # the first one
        ("31/02/2020 y 01/03/2020", date(2020, 3, 1)),  # invalid ones are skipped
        ("Código 10.1.19", None),
        ("Marzo 2020", None),
        # "1 de enero" has no year of its own: the first complete date is the second one
        ("Período: 1 de enero al 31 de diciembre de 2020", date(2020, 12, 31)),
        ("RESOLUCIÓN ADMINISTRATIVA SEGIP/DGE/N°036/2024 La Paz, 14 de febrero de 2024", date(2024, 2, 14)),
        ("Acción 1.1 con 25 marzos", None),
    ],
)
def test_find_date(text, expected):
    assert find_date(text) == expected


# Month names written here independently of the module's table.
MONTH_NAMES = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
]
MONTH_ABBR = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]

dates_2000s = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@SETTINGS
@given(dates_2000s, st.sampled_from(["lower", "upper", "title"]))
def test_roundtrip_printed_forms(d, case):
    name = getattr(MONTH_NAMES[d.month - 1], case)()
    abbr = getattr(MONTH_ABBR[d.month - 1], case)()
    forms = [
        f"{d.day}/{d.month}/{d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}",
        f"{d.day:02d}-{d.month:02d}-{d.year}",
        f"{d.day:02d}.{d.month:02d}.{d.year}",
        d.isoformat(),
        f"{d.day} de {name} de {d.year}",
        f"{d.day} {name} {d.year}",
        f"{d.day}-{abbr}-{d.year % 100:02d}",
        f"{d.day} {abbr}. {d.year}",
        f"{d.day}{abbr}. {d.year}",
        f"La Paz, {d.day} de {name} de {d.year}",
    ]
    for form in forms:
        assert parse_date(form) == d, form
        assert find_date(form) == d, form


@SETTINGS
@given(st.text())
def test_parse_date_only_raises_date_parse_error(s):
    try:
        value = parse_date(s)
    except DateParseError as e:
        assert e.text == s
        return
    assert value is None or isinstance(value, date)
    assert (value is None) == (s.strip() == "")
