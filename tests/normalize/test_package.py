"""The normalize package's public surface: re-exports and documented functions."""

import inspect

import normalize

PUBLIC_FUNCTIONS = [
    "clean_text", "fold", "detect_format", "parse_number", "parse_column", "looks_numeric",
    "parse_percent", "parse_date", "find_date", "dotted_code", "operation_code",
    "categoria_programatica", "fuente_code", "partida_code", "rubro_code", "grupo_code",
    "split_code_prefix",
]


def test_reexports():
    for name in PUBLIC_FUNCTIONS + ["NumberFormat", "ES", "US", "ColumnParse", "NumberParseError",
                                    "DateParseError", "CodeParseError"]:
        assert name in normalize.__all__, name
        assert hasattr(normalize, name), name


def test_errors_are_value_errors():
    for name in ["NumberParseError", "DateParseError", "CodeParseError"]:
        assert issubclass(getattr(normalize, name), ValueError)


def test_public_functions_are_documented():
    for name in PUBLIC_FUNCTIONS:
        doc = inspect.getdoc(getattr(normalize, name))
        assert doc and "Input" in doc and "Output" in doc, name
        assert "Contract" in doc or "contract" in doc or "DATASETS.md" in doc, name
