"""The Frictionless data package (pipelines/datapackage.py) validated with frictionless-py
on real pipeline output, and the generated data dictionary (pipelines/docs.py,
docs/datasets.md) checked column for column against ../shared/DATASETS.md."""
from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pyarrow.dataset as pads
import pytest

from pipelines import datapackage, docs
from pipelines.datapackage import build_descriptor, write_datapackage
from pipelines.schemas import PARTITIONED, SCHEMAS
from tests.analyst.conftest import corpus_pdf

frictionless = pytest.importorskip("frictionless")

ROOT = Path(__file__).resolve().parents[2]
DATASETS_MD = ROOT.parent / "shared" / "DATASETS.md"
DOCS_MD = ROOT / "docs" / "datasets.md"

KNOWN_GAPS: dict[str, dict[str, str]] = {
    # dataset -> {column: type} added in pipelines/schemas.py but not yet listed in
    # ../shared/DATASETS.md (the contract allows adding columns; the note must follow).
    # The test fails once DATASETS.md lists it, so an entry cannot go stale.
    # Trace columns (DATASETS.md "Trace columns", listed there in prose until the
    # datasets carry them; they do now).
    **{ds: {"tabla_id": "string", "fila": "int32"}
       for ds in ("poa_operaciones", "poa_acciones", "presupuesto_ejecucion", "poa_ejecucion",
                  "presupuesto_formulario")},
    "tablas": {"confianza": "float64", "x0": "float64", "top": "float64", "x1": "float64",
               "bottom": "float64"},
    "validaciones": {"pagina": "int32", "tabla_id": "string", "fila": "int32"},
    # which OCR engines a page's words come from (issue 10: the second OCR engine)
    "paginas": {"ocr_motor": "string"},
}


# --------------------------------------------------------------------------- data package

@pytest.fixture(scope="module")
def descriptor(samples) -> dict:
    path = write_datapackage(samples.parquet)
    assert path == samples.parquet / "datapackage.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_descriptor_is_valid(descriptor):
    report = frictionless.Package.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])


def test_validation_catches_a_broken_descriptor(descriptor):
    """The check above is not vacuous: a wrong field type or a missing path fails it."""
    bad = copy.deepcopy(descriptor)
    bad["resources"][0]["schema"]["fields"][0]["type"] = "float64"
    assert not frictionless.Package.validate_descriptor(bad).valid
    bad = copy.deepcopy(descriptor)
    del bad["resources"][0]["path"]
    assert not frictionless.Package.validate_descriptor(bad).valid


def test_every_dataset_described_with_its_schema(descriptor, samples):
    res = {r["name"]: r for r in descriptor["resources"]}
    assert list(res) == list(SCHEMAS)
    types = {"string": "string", "int32": "integer", "int16": "integer", "double": "number",
             "date32[day]": "date", "bool": "boolean"}
    for name, schema in SCHEMAS.items():
        fields = res[name]["schema"]["fields"]
        assert [(f["name"], f["type"]) for f in fields] == [(f.name, types[str(f.type)]) for f in schema]
        assert all(f["description"] for f in fields)
    money = {f["name"]: f.get("unit") for f in res["presupuesto_ejecucion"]["schema"]["fields"]}
    assert money["presupuesto_vigente"] == "Bs" and money["ejecucion_pct"] == "%" and money["codigo"] is None
    # paths: every Parquet file of the dataset, relative to the descriptor, and nothing else
    for name in SCHEMAS:
        on_disk = sorted(p.relative_to(samples.parquet).as_posix()
                         for p in (samples.parquet / name).rglob("*.parquet")) \
            if (samples.parquet / name).is_dir() else []
        if on_disk:
            assert res[name]["path"] == on_disk and res[name]["format"] == "parquet"
        else:
            assert res[name]["data"] == [] and "path" not in res[name]
    assert res["poa_operaciones"]["partitioning"] == {"flavor": "hive", "fields": ["gestion"]}
    assert "partitioning" not in res["errores"]


def _rows(root: Path, resource: dict) -> list[list]:
    files = [str(root / p) for p in resource["path"]]
    part = "hive" if resource["name"] in PARTITIONED else None
    table = pads.dataset(files, format="parquet", partitioning=part,
                         partition_base_dir=str(root / resource["name"])).to_table()
    names = [f["name"] for f in resource["schema"]["fields"]]
    return [names] + [[row[n] for n in names] for row in table.select(names).to_pylist()]


def test_data_conforms_to_the_package(descriptor, samples):
    """Every row of every dataset checked against the package's Table Schema (types and
    closed value sets) by frictionless.  The Parquet files are read with pyarrow
    (frictionless' own Parquet reader would need fastparquet)."""
    checked = 0
    for res in descriptor["resources"]:
        if "path" not in res:
            continue
        schema = frictionless.Schema.from_descriptor(res["schema"])
        rows = _rows(samples.parquet, res)
        report = frictionless.Resource(data=rows, schema=schema).validate()
        assert report.valid, (res["name"], report.flatten(["rowNumber", "fieldName", "type", "note"])[:5])
        checked += len(rows) - 1
    assert checked > 10_000


def test_data_check_catches_a_bad_value(descriptor, samples):
    res = next(r for r in descriptor["resources"] if r["name"] == "paginas")
    rows = _rows(samples.parquet, res)
    rows[1][rows[0].index("metodo")] = "escaneo"  # not pdf/ocr
    report = frictionless.Resource(data=rows, schema=frictionless.Schema.from_descriptor(res["schema"])).validate()
    assert [e.type for e in report.tasks[0].errors] == ["constraint-error"]


def test_cli(samples, tmp_path, capsys):
    assert datapackage.main([str(tmp_path / "no-existe")]) == 2
    assert datapackage.main([str(samples.parquet)]) == 0
    assert (samples.parquet / "datapackage.json").is_file()
    assert build_descriptor(samples.parquet) == json.loads((samples.parquet / "datapackage.json").read_text())


def _cli_run(raw: Path, tmp: Path) -> int:
    from pipelines import cli
    return cli.main(["--raw", str(raw), "--out", str(tmp / "out"), "--jobs", "1", "--quiet",
                     "--logs", str(tmp / "logs"), "--layout", str(tmp / "layout"),
                     "--ocr-cache", str(tmp / "ocr")])


def test_every_cli_run_writes_the_datapackage(tmp_path, capsys):
    """``python -m pipelines`` (make parquet / make run) ends with a valid descriptor
    listing the files on disk: with a failed file (exit 1), and again on a run with
    nothing new to process."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf("digemig_poa_2019.pdf"), raw / "digemig_poa_2019.pdf")
    (raw / "roto.pdf").write_bytes(b"esto no es un PDF")
    out = tmp_path / "out"
    assert _cli_run(raw, tmp_path) == 1
    path = out / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    report = frictionless.Package.validate_descriptor(desc)
    assert report.valid, report.flatten(["type", "note"])
    assert desc == build_descriptor(out)
    res = {r["name"]: r for r in desc["resources"]}
    assert len(res["poa_operaciones"]["path"]) == 1
    # one errores file per source file: the failure, and the empty one of the good file
    assert len(res["errores"]["path"]) == 2
    assert not list(out.glob(".*.tmp")) and not list(out.glob("*.tmp"))
    path.unlink()
    (raw / "roto.pdf").unlink()
    assert _cli_run(raw, tmp_path) == 0  # nothing new: the document is skipped
    assert json.loads(path.read_text(encoding="utf-8")) == build_descriptor(out)


def test_errores_exists_with_its_schema_after_a_clean_run(digemig):
    """A run where nothing failed still leaves ``errores`` files (empty, with the
    contract schema): pandas and DuckDB read the dataset instead of failing."""
    import duckdb
    import pandas as pd

    e = pd.read_parquet(digemig.parquet / "errores")
    assert len(e) == 0 and list(e.columns) == SCHEMAS["errores"].names
    glob = str(digemig.parquet / "errores" / "*.parquet")
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchone()[0] == 0
    assert [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{glob}')").fetchall()] \
        == SCHEMAS["errores"].names


# --------------------------------------------------------------------------- data dictionary

def _contract_tables(text: str) -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]]]:
    """Dataset -> [(column, type)] from the column tables of a DATASETS.md-like text, with
    the '(provenance)' row and 'documento_id, archivo, ...' rows expanded."""
    sections: dict[str, list[list[str]]] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^##\s+(.+?)\s*$", line)
        if m:
            head = m.group(1)
            current = "(provenance)" if "provenance" in head.lower() else head.split(":")[0].strip()
            continue
        if current and line.startswith("|") and not re.match(r"^\|\s*(column\s*\||-)", line):
            sections.setdefault(current, []).append([c.strip() for c in line.strip().strip("|").split("|")])
    prov = [(r[0], r[1]) for r in sections.pop("(provenance)", [])]
    prov_types = dict(prov)
    out = {}
    for name, rows in sections.items():
        cols = []
        for r in rows:
            if r[0] == "(provenance)":
                cols += prov
            elif "," in r[0]:
                cols += [(c.strip(), prov_types[c.strip()]) for c in r[0].split(",")]
            else:
                cols.append((r[0], r[1]))
        out[name] = cols
    return out, prov


@pytest.fixture(scope="module")
def contract() -> dict[str, list[tuple[str, str]]]:
    if not DATASETS_MD.is_file():
        pytest.skip(f"{DATASETS_MD} not found: this test needs ../shared beside the repo")
    tables, prov = _contract_tables(DATASETS_MD.read_text(encoding="utf-8"))
    assert [c for c, _ in prov] == ["documento_id", "archivo", "pagina", "entidad", "gestion"]
    return tables


def test_docs_file_is_up_to_date():
    assert DOCS_MD.read_text(encoding="utf-8") == docs.render_markdown(), "run make docs"
    assert docs.main(["--out", str(DOCS_MD), "--check"]) == 0


def test_docs_match_contract_column_for_column(contract):
    generated, _ = _contract_tables(DOCS_MD.read_text(encoding="utf-8"))
    assert sorted(contract) == sorted(SCHEMAS) == sorted(generated)
    for name, cols in contract.items():
        gaps = KNOWN_GAPS.get(name, {})
        ours = [(c, t) for c, t in generated[name] if c not in gaps]
        assert ours == cols, f"{name}: docs/datasets.md (from schemas.py) differs from DATASETS.md"
        for col, typ in gaps.items():
            assert (col, typ) in generated[name]
            assert col not in [c for c, _ in cols], \
                f"DATASETS.md now lists {name}.{col}: remove it from KNOWN_GAPS"


def test_check_mode_detects_stale_docs(tmp_path, capsys):
    stale = tmp_path / "datasets.md"
    stale.write_text(docs.render_markdown().replace("| sha256 | string |", "| sha256 | int32 |"), encoding="utf-8")
    assert docs.main(["--out", str(stale), "--check"]) == 1
    assert docs.main(["--out", str(stale)]) == 0
    assert docs.main(["--out", str(stale), "--check"]) == 0


def test_every_schema_column_is_described():
    for name in SCHEMAS:
        cols = docs.columns(name)
        assert [c.name for c in cols] == SCHEMAS[name].names
        assert all(c.description for c in cols)
