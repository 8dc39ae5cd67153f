"""The DuckDB catalog (pipelines/catalog.py) over real pipeline output."""
from __future__ import annotations

import shutil
from collections import Counter

import duckdb
import pyarrow.dataset as pads
import pytest

from pipelines import catalog
from pipelines.catalog import ANALYSIS_VIEWS, build_catalog, format_table
from pipelines.report import read_dataset
from pipelines.schemas import SCHEMAS

DUCK = {"string": "VARCHAR", "int32": "INTEGER", "int16": "SMALLINT", "double": "DOUBLE",
        "date32[day]": "DATE", "bool": "BOOLEAN"}


@pytest.fixture(scope="module")
def db(samples, tmp_path_factory):
    path = tmp_path_factory.mktemp("catalog") / "catalog.duckdb"
    names = build_catalog(samples.parquet, path)
    assert names == list(SCHEMAS) + list(ANALYSIS_VIEWS)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("dataset", list(SCHEMAS))
def test_dataset_views_have_contract_columns_and_rows(db, samples, dataset):
    cols = db.execute(f"DESCRIBE {dataset}").fetchall()
    assert [(c[0], c[1]) for c in cols] == [(f.name, DUCK[str(f.type)]) for f in SCHEMAS[dataset]]
    n = db.execute(f"SELECT count(*) FROM {dataset}").fetchone()[0]
    folder = samples.parquet / dataset
    expected = pads.dataset(str(folder), format="parquet").count_rows() if folder.is_dir() else 0
    assert n == expected


def test_empty_dataset_view(db, samples, tmp_path):
    # no file failed: errores has one empty file per document, and its view no rows
    assert len(list((samples.parquet / "errores").glob("*.parquet"))) == 3
    assert db.execute("SELECT count(*) FROM errores").fetchone()[0] == 0
    # a dataset without files (a folder nothing was written to) gets an empty view with its schema
    parquet = tmp_path / "parquet"
    shutil.copytree(samples.parquet, parquet)
    shutil.rmtree(parquet / "disposiciones")
    build_catalog(parquet, tmp_path / "c.duckdb")
    con = duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM disposiciones").fetchone()[0] == 0
    assert [c[0] for c in con.execute("DESCRIBE disposiciones").fetchall()] == SCHEMAS["disposiciones"].names


def test_gestion_comes_from_partitions(db, samples):
    got = dict(db.execute("SELECT archivo, gestion FROM documentos").fetchall())
    assert got == {"digemig_poa_2019.pdf": 2019, "segip_poa_2021.pdf": 2021,
                   "segip_rendicion_cuentas_2020.pdf": 2020}


def test_ejecucion_por_categoria(db, samples):
    rows = db.execute("""SELECT archivo, fuente_codigo, categoria_programatica, presupuesto_vigente,
                                ejecutado, ejecucion_pct, ejecucion_pct_impreso, filas
                         FROM ejecucion_por_categoria""").fetchall()
    src = read_dataset(samples.parquet, "presupuesto_ejecucion").to_pylist()
    lines = [r for r in src if r["clasificador"] == "categoria_programatica" and not r["es_total"]]
    assert lines and sum(r[-1] for r in rows) == len(lines)  # every line in exactly one group
    assert {r[0] for r in rows} == {"segip_rendicion_cuentas_2020.pdf"}
    by_key = {(r[1], r[2]): r for r in rows}
    admin = by_key[(None, "00 0 001")]  # GESTION ADMINISTRATIVA FINANCIERA, all sources
    assert admin[5] == pytest.approx(round(100 * admin[4] / admin[3], 2))
    # the computed percentage agrees with the printed one on every single-line group
    for r in rows:
        if r[7] == 1 and r[3]:
            assert r[5] == pytest.approx(r[6], abs=0.01), r
    # totals are excluded: the sum over categories equals the printed TOTALES line
    total = next(r for r in src if r["clasificador"] == "categoria_programatica" and r["es_total"]
                 and r["descripcion"] == "TOTALES")
    vig = sum(r[3] for r in rows if r[1] is None)
    assert vig == pytest.approx(total["presupuesto_vigente"], abs=1.0)


def test_poa_tareas_ponderacion(db, samples):
    rows = db.execute("""SELECT documento_id, unidad_organizacional, any_value(suma_ponderacion_unidad),
                                count(*) FROM poa_tareas_ponderacion GROUP BY 1, 2""").fetchall()
    ops = read_dataset(samples.parquet, "poa_operaciones").to_pylist()
    assert sum(r[3] for r in rows) == len(ops)
    for did, unit, suma, _ in rows:
        weights = [o["ponderacion_pct"] for o in ops if o["documento_id"] == did
                   and o["unidad_organizacional"] == unit and o["ponderacion_pct"] is not None]
        assert suma == (pytest.approx(sum(weights)) if weights else None)
    # the unit the pipeline flagged (ponderacion_suma_100) is the one whose sum is not 100
    flagged = db.execute("""SELECT observado, ubicacion FROM validaciones
                            WHERE regla = 'ponderacion_suma_100'""").fetchall()
    assert flagged
    off = {unit: suma for _, unit, suma, _ in rows if suma is not None and abs(suma - 100) > 0.5}
    assert len(off) == len(flagged)
    for observado, ubicacion in flagged:
        unit = next(u for u in off if u in ubicacion)
        assert off[unit] == pytest.approx(observado)


def test_hallazgos_por_documento(db, samples):
    got = {(r[0], r[1], r[2]): r[3] for r in db.execute(
        "SELECT archivo, regla, severidad, hallazgos FROM hallazgos_por_documento").fetchall()}
    val = read_dataset(samples.parquet, "validaciones").to_pylist()
    assert sum(got.values()) == len(val)
    n_jer = sum(1 for v in val if v["archivo"] == "digemig_poa_2019.pdf" and v["regla"] == "codigo_jerarquia")
    assert n_jer > 0 and got[("digemig_poa_2019.pdf", "codigo_jerarquia", "advertencia")] == n_jer


TRAZA_COLUMNS = ["documento_id", "archivo", "dataset", "tabla_id", "fila", "pagina", "columna",
                 "es_encabezado", "texto", "valor", "confianza", "x0", "top", "x1", "bottom"]


def test_trazabilidad_columns(db):
    assert [c[0] for c in db.execute("DESCRIBE trazabilidad").fetchall()] == TRAZA_COLUMNS
    assert catalog.TRACED == ["poa_operaciones", "poa_acciones", "presupuesto_ejecucion",
                              "poa_ejecucion", "presupuesto_formulario", "validaciones"]


@pytest.mark.parametrize("dataset", ["poa_operaciones", "poa_acciones", "presupuesto_ejecucion",
                                     "poa_ejecucion", "validaciones"])
def test_trazabilidad_reaches_every_traced_row(db, samples, dataset):
    """Every row that names a table row finds that row's cells, all on one table, each
    with its box; the cells are exactly the tablas cells of that row."""
    rows = read_dataset(samples.parquet, dataset, ["documento_id", "tabla_id", "fila"]).to_pylist()
    keys = {(r["documento_id"], r["tabla_id"], r["fila"]) for r in rows
            if r["tabla_id"] is not None and r["fila"] is not None}
    assert keys, f"{dataset}: the samples have rows read from tables"
    got = db.execute("""SELECT documento_id, tabla_id, fila, count(*), count(x0), bool_and(x0 < x1 AND top < bottom)
                        FROM trazabilidad WHERE dataset = ? GROUP BY ALL""", [dataset]).fetchall()
    assert {g[:3] for g in got} == keys
    tablas = read_dataset(samples.parquet, "tablas", ["documento_id", "tabla_id", "fila", "x0"]).to_pylist()
    cells = Counter((t["documento_id"], t["tabla_id"], t["fila"]) for t in tablas)
    boxed = Counter((t["documento_id"], t["tabla_id"], t["fila"]) for t in tablas if t["x0"] is not None)
    for did, tid, fila, n, n_box, sane in got:
        assert n == cells[(did, tid, fila)] and n_box == boxed[(did, tid, fila)] > 0
        assert sane is not False


def test_trazabilidad_points_at_the_printed_text(db):
    """A task's text is printed in the cells trazabilidad gives for its row."""
    rows = db.execute("""
        SELECT o.tarea, string_agg(z.texto, ' ' ORDER BY z.columna), min(z.pagina) = max(z.pagina)
        FROM poa_operaciones o JOIN trazabilidad z
          ON z.dataset = 'poa_operaciones' AND z.documento_id = o.documento_id
         AND z.tabla_id = o.tabla_id AND z.fila = o.fila
        GROUP BY o.documento_id, o.tabla_id, o.fila, o.tarea""").fetchall()
    assert len(rows) > 100
    norm = lambda s: " ".join((s or "").split())
    assert all(norm(tarea) in norm(text) for tarea, text, _ in rows)
    assert all(one_page for *_, one_page in rows)


def test_views_see_new_files_without_rebuild(samples, tmp_path):
    parquet = tmp_path / "parquet"
    shutil.copytree(samples.parquet, parquet)
    seg = next(p for p in (parquet / "documentos").rglob("*.parquet") if "gestion=2021" in str(p))
    moved = tmp_path / "aside.parquet"
    shutil.move(seg, moved)
    db = tmp_path / "c.duckdb"
    build_catalog(parquet, db)
    count = lambda: duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM documentos").fetchone()[0]
    assert count() == 2
    shutil.move(moved, seg)
    assert count() == 3


def test_sql_cli(samples, tmp_path, capsys):
    db = tmp_path / "c.duckdb"
    assert catalog.main(["build", "--parquet", str(samples.parquet), "--db", str(db)]) == 0
    capsys.readouterr()
    assert catalog.main(["sql", "--db", str(db), "--",
                         "SELECT archivo, paginas FROM documentos ORDER BY archivo"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["archivo", "|", "paginas"]
    assert out[2].startswith("digemig_poa_2019.pdf") and out[2].rstrip().endswith(" 8")
    assert out[-1] == "(3 filas)"
    assert catalog.main(["sql", "--db", str(db), "SELECT * FROM no_existe"]) == 1
    assert "no_existe" in capsys.readouterr().err
    assert catalog.main(["sql", "--db", str(tmp_path / "otra.duckdb"), "SELECT 1"]) == 2
    assert catalog.main(["sql", "--db", str(db), ""]) == 2


def test_format_table():
    text = format_table(["a", "monto"], [("x", 1234.5), ("yy", None)] * 3, max_rows=2)
    assert text.splitlines() == ["a  |    monto", "---+---------", "x  | 1,234.50", "yy |     NULL",
                                 "(6 filas (se muestran 2))"]
    long = format_table(["t"], [("x" * 60,)], max_width=10)
    assert long.splitlines()[2] == "xxxxxxxxx…" and long.splitlines()[-1] == "(1 fila)"
