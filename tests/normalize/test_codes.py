"""normalize.codes: the rules of DATASETS.md section "Codes"."""

import pytest
from hypothesis import given, settings, strategies as st

from normalize.codes import (
    CodeParseError,
    categoria_programatica,
    dotted_code,
    fuente_code,
    grupo_code,
    operation_code,
    partida_code,
    rubro_code,
    split_code_prefix,
)

SETTINGS = settings(max_examples=300, deadline=None, database=None)


# ----------------------------------------------------------------------------- dotted

@pytest.mark.parametrize(
    "text, expected",
    [
        ("3.1.3.", "3.1.3"),
        ("4.2. ", "4.2"),
        ("22.1.2.1", "22.1.2.1"),
        ("22. ", "22"),
        ("4 .1. 2", "4.1.2"),
        ("1", "1"),
        ("10000", "10000"),
        ("3..1", "3.1"),
        ("3.01", "3.01"),  # digits kept as printed
        (" 11.3.316.2 ", "11.3.316.2"),
        ("22.1\n", "22.1"),
        ("22.1.5.1.", "22.1.5.1"),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_dotted_code(text, expected):
    assert dotted_code(text) == expected


@pytest.mark.parametrize("text", ["abc", "22 1", ".3.1", "4,1,2", "DNAF 1", "3.1a", "-", "１.２", "3.1 Texto"])
def test_dotted_code_errors(text):
    with pytest.raises(CodeParseError) as info:
        dotted_code(text)
    assert info.value.text == text
    assert isinstance(info.value, ValueError)


# ----------------------------------------------------------------------------- operation

@pytest.mark.parametrize(
    "text, expected",
    [
        ("DNAF 1", "DNAF-1"),
        ("DNC - 5", "DNC-5"),
        ("UNAR 01", "UNAR-1"),
        ("UNT1", "UNT-1"),
        ("DDL P 1", "DDLP-1"),
        ("ME UNAI 3", "MEUNAI-3"),
        ("dnp-2", "DNP-2"),
        ("DNTIC-10", "DNTIC-10"),
        ("DDCBBA 12", "DDCBBA-12"),
        ("DNAF 1.", "DNAF-1"),
        ("DNC-05", "DNC-5"),
        ("UNAR–3", "UNAR-3"),  # en dash
        ("  DNO  10 ", "DNO-10"),
        ("X 0", "X-0"),
        ("X 000", "X-0"),
        # purely numeric: the dotted rule
        ("22.1", "22.1"),
        ("22.1.", "22.1"),
        ("4 .1", "4.1"),
        (None, None),
        ("", None),
    ],
)
def test_operation_code(text, expected):
    assert operation_code(text) == expected


@pytest.mark.parametrize(
    "text",
    ["DNAF", "1 DNP", "DNP 1.2", "DNP 1 elaborar", "ACCIÓN DE CORTO PLAZO 2021", "22 1", "abc", "DNP-", "-1"],
)
def test_operation_code_errors(text):
    with pytest.raises(CodeParseError):
        operation_code(text)


# ----------------------------------------------------------------------------- categoría programática

@pytest.mark.parametrize(
    "text, expected",
    [
        ("00 0 001", "00 0 001"),
        ("48 0 010", "48 0 010"),
        ("48 03400000200000 000", "48 03400000200000 000"),
        ("48000010", "48 0 010"),
        ("00000009", "00 0 009"),
        ("00-0-001", "00 0 001"),
        ("48 00 010", "48 0 010"),  # project group all zeros -> '0'
        ("48 0340 000", "48 0340 000"),
        ("00  0   001 ", "00 0 001"),
        ("48.0.010", "48 0 010"),
        ("00 0001", "00 0 001"),  # PP + (project + AAA)
        ("480 010", "48 0 010"),  # (PP + project) + AAA
        ("480340000020000000", "48 0340000020000 000"),
        ("000001", "00 0 001"),  # shortest all-digits form
        (None, None),
        ("", None),
    ],
)
def test_categoria_programatica(text, expected):
    assert categoria_programatica(text) == expected


@pytest.mark.parametrize(
    "text",
    ["0 0 1", "48 0 10", "00001", "12345", "abc", "48 0 010 5", "48 0 0A1", "4 80 010", "00 001", "48 0 0100"],
)
def test_categoria_programatica_errors(text):
    with pytest.raises(CodeParseError):
        categoria_programatica(text)


# ----------------------------------------------------------------------------- fuente

@pytest.mark.parametrize(
    "text, expected",
    [
        ("20", "20"),
        ("41 ", "41"),
        ("FTE 41", "41"),
        ("fte. 41:", "41"),
        ("FUENTE 42", "42"),
        ("Fuente N° 20", "20"),
        ("41-113", "41"),  # fuente-organismo: the first two-digit group
        ("41 - 113", "41"),
        ("20.", "20"),
        (None, None),
        ("", None),
    ],
)
def test_fuente_code(text, expected):
    assert fuente_code(text) == expected


@pytest.mark.parametrize(
    "text", ["4", "411", "FTE", "Recursos Específicos", "FTE 41: Transferencias T.G.N.", "41.1", "ab"]
)
def test_fuente_code_errors(text):
    with pytest.raises(CodeParseError):
        fuente_code(text)


# ----------------------------------------------------------------------------- partida, rubro, grupo

@pytest.mark.parametrize(
    "text, expected",
    [
        ("322.00", "32200"),
        ("32200", "32200"),
        ("3.2.2.0.0", "32200"),
        ("322 00", "32200"),
        ("322", "322"),
        ("32200.", "32200"),
        (" 26200 ", "26200"),
        (None, None),
        ("", None),
    ],
)
def test_partida_code(text, expected):
    assert partida_code(text) == expected


@pytest.mark.parametrize("text", ["abc", "322.00 Alquileres", "3a200", "322,00", ".322"])
def test_partida_code_errors(text):
    with pytest.raises(CodeParseError):
        partida_code(text)


@pytest.mark.parametrize(
    "fn, text, expected",
    [
        (rubro_code, "15.9.1", "15.9.1"),
        (rubro_code, "15.9.1.", "15.9.1"),
        (rubro_code, "1", "1"),
        (rubro_code, "19.2.1.1", "19.2.1.1"),
        (rubro_code, "35. 1. 1", "35.1.1"),
        (grupo_code, "10000", "10000"),
        (grupo_code, "1", "1"),
        (grupo_code, "30000 ", "30000"),
        (rubro_code, None, None),
        (grupo_code, " ", None),
    ],
)
def test_rubro_and_grupo(fn, text, expected):
    assert fn(text) == expected


@pytest.mark.parametrize("fn, text", [(rubro_code, "Venta de servicios"), (grupo_code, "SERVICIOS"), (grupo_code, "1 0")])
def test_rubro_and_grupo_errors(fn, text):
    with pytest.raises(CodeParseError):
        fn(text)


# ----------------------------------------------------------------------------- split_code_prefix

@pytest.mark.parametrize(
    "text, expected",
    [
        ("22. Modernización y ...", ("22", "Modernización y ...")),
        ("4.1.1.1 Gestionar ...", ("4.1.1.1", "Gestionar ...")),
        ("Sin código", (None, "Sin código")),
        ("4.1 - Gestionar", ("4.1", "Gestionar")),
        ("4.1: Gestionar", ("4.1", "Gestionar")),
        ("22.Modernización", ("22", "Modernización")),
        ("3.1.3. Elaborar", ("3.1.3", "Elaborar")),
        ("1 SERVICIOS PERSONALES", ("1", "SERVICIOS PERSONALES")),
        ("  4.1.1.1   Gestionar\nel POA ", ("4.1.1.1", "Gestionar el POA")),
        ('22.1 "Proyecto"', ("22.1", '"Proyecto"')),
        ("4.1.1", ("4.1.1", "")),
        ("22.", ("22", "")),
        ("100% de solicitudes atendidas", (None, "100% de solicitudes atendidas")),
        ("9) Ciudadanas y ciudadanos", (None, "9) Ciudadanas y ciudadanos")),
        ("3er lugar", (None, "3er lugar")),
        ("DNAF 1 Elaborar", (None, "DNAF 1 Elaborar")),
        (None, (None, "")),
        ("", (None, "")),
    ],
)
def test_split_code_prefix(text, expected):
    assert split_code_prefix(text) == expected


# ----------------------------------------------------------------------------- properties

code_parts = st.lists(st.integers(min_value=0, max_value=999), min_size=1, max_size=5)


@SETTINGS
@given(code_parts, st.lists(st.sampled_from(["", " "]), min_size=10, max_size=10), st.booleans())
def test_dotted_variants_compare_equal(parts, spaces, trailing_dot):
    canonical = ".".join(str(p) for p in parts)
    printed = ""
    for i, p in enumerate(parts):
        if i:
            printed += spaces[2 * i % 10] + "." + spaces[(2 * i + 1) % 10]
        printed += str(p)
    if trailing_dot:
        printed += ". "
    assert dotted_code(printed) == canonical
    assert dotted_code(canonical) == canonical  # idempotent
    assert rubro_code(printed) == canonical
    code, rest = split_code_prefix(printed + " Texto de la tarea")
    assert (code, rest) == (canonical, "Texto de la tarea")


@SETTINGS
@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=6),
    st.integers(min_value=0, max_value=99),
    st.sampled_from(["{p} {n}", "{p}-{n}", "{p} - {n}", "{p}{n}", "{p} 0{n}", "{pl} {n}"]),
)
def test_operation_variants_compare_equal(prefix, n, template):
    printed = template.format(p=prefix, pl=prefix.lower(), n=n)
    assert operation_code(printed) == f"{prefix}-{n}"


@SETTINGS
@given(
    st.integers(min_value=0, max_value=99),
    st.one_of(st.integers(min_value=1, max_value=4).map(lambda k: "0" * k), st.from_regex(r"0[0-9]{0,12}[1-9]", fullmatch=True)),
    st.integers(min_value=0, max_value=999),
)
def test_categoria_all_digits_form(pp, proyecto, act):
    expected_proy = "0" if set(proyecto) == {"0"} else proyecto
    expected = f"{pp:02d} {expected_proy} {act:03d}"
    assert categoria_programatica(f"{pp:02d}{proyecto}{act:03d}") == expected
    assert categoria_programatica(f"{pp:02d} {proyecto} {act:03d}") == expected
    assert categoria_programatica(f"{pp:02d}-{proyecto}-{act:03d}") == expected
    assert categoria_programatica(expected) == expected  # idempotent


@SETTINGS
@given(st.text())
def test_code_functions_only_raise_code_parse_error(s):
    for fn in (dotted_code, operation_code, categoria_programatica, fuente_code, partida_code, rubro_code, grupo_code):
        try:
            out = fn(s)
        except CodeParseError:
            continue
        assert out is None or (isinstance(out, str) and out == out.strip() and out)
    code, rest = split_code_prefix(s)
    assert code is None or dotted_code(code) == code
