"""Bad input (issue #2, point 8): each bad file is one ``errores`` row naming it, the
other files complete, the run exits non-zero, and writes are atomic."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from pypdf import PdfReader, PdfWriter

from pipelines import write as write_mod
from pipelines.cli import EXIT_FAILED_FILES, EXIT_OK, EXIT_USAGE, main
from pipelines.run import process_and_write
from pipelines.write import atomic_write, write_document
from pipelines.schemas import table_for
from tests.conftest import corpus_pdf


def _errores(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "errores")


def test_not_a_pdf(tmp_path):
    bad = tmp_path / "raw" / "notas.pdf"
    bad.parent.mkdir()
    bad.write_text("esto no es un PDF\n")
    o = process_and_write(bad, tmp_path / "out")
    assert not o.ok
    e = _errores(tmp_path / "out")
    assert list(e.clase) == ["NoEsPdf"] and list(e.archivo) == ["notas.pdf"]
    assert e.documento_id.isna().all() and e.etapa.iloc[0] == "abrir"


def test_corrupt_pdf(tmp_path):
    src = corpus_pdf("digemig_poa_2019.pdf")
    bad = tmp_path / "roto.pdf"
    data = src.read_bytes()
    bad.write_bytes(data[:1500])  # header survives, body and xref do not
    o = process_and_write(bad, tmp_path / "out")
    assert not o.ok
    assert _errores(tmp_path / "out").clase.iloc[0] == "PdfCorrupto"


def test_encrypted_pdf(tmp_path):
    reader = PdfReader(str(corpus_pdf("digemig_poa_2019.pdf")))
    w = PdfWriter()
    w.add_page(reader.pages[0])
    w.encrypt(user_password="secreta", owner_password="otra", algorithm="AES-128")
    enc = tmp_path / "cifrado.pdf"
    with enc.open("wb") as fh:
        w.write(fh)
    o = process_and_write(enc, tmp_path / "out")
    assert not o.ok
    e = _errores(tmp_path / "out")
    assert e.clase.iloc[0] == "PdfCifrado" and "cifrado" in e.mensaje.iloc[0]


def test_run_goes_on_and_exits_nonzero(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf("digemig_poa_2019.pdf"), raw / "digemig_poa_2019.pdf")
    (raw / "basura.pdf").write_bytes(b"\x00\x01 no pdf")
    out = tmp_path / "out"
    code = main(["--raw", str(raw), "--out", str(out), "--quiet", "--logs", str(tmp_path / "logs")])
    assert code == EXIT_FAILED_FILES
    ops = pd.read_parquet(out / "poa_operaciones")
    assert len(ops) == 88 and set(ops.archivo) == {"digemig_poa_2019.pdf"}
    assert list(_errores(out).archivo) == ["basura.pdf"]
    # fixing the input and re-running clears the error, skipping the done file
    (raw / "basura.pdf").unlink()
    assert main(["--raw", str(raw), "--out", str(out), "--quiet", "--logs", str(tmp_path / "logs")]) == EXIT_OK


def test_usage_errors(tmp_path):
    assert main(["--raw", str(tmp_path / "no-existe")]) == EXIT_USAGE
    assert main(["--jobs", "0", "--raw", str(tmp_path)]) == EXIT_USAGE
    assert main(["--no-such-flag"]) == EXIT_USAGE


def test_interrupted_write_leaves_old_file(tmp_path, monkeypatch):
    path = tmp_path / "documentos" / "gestion=2020" / "abc.parquet"
    good = table_for("documentos", [{"documento_id": "abc", "archivo": "a.pdf", "pagina": 1}])
    atomic_write(good, path)

    def explode(table, where, **kw):
        Path(where).write_bytes(b"PAR1 half")  # a partial file, then the crash
        raise KeyboardInterrupt

    monkeypatch.setattr(write_mod.pq, "write_table", explode)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(good, path)
    assert pq.read_table(path).num_rows == 1  # the old file is intact
    assert [p.name for p in path.parent.iterdir()] == ["abc.parquet"]  # no temp left


def test_empty_files_keep_schema(tmp_path):
    write_document(tmp_path, "abc", 2021, {})
    df = pd.read_parquet(tmp_path / "presupuesto_ejecucion")
    assert len(df) == 0
    assert {"presupuesto_vigente", "es_total", "fecha_corte"} <= set(df.columns)
    schema = pq.read_schema(next((tmp_path / "poa_operaciones").rglob("*.parquet")))
    assert str(schema.field("ponderacion_pct").type) == "double"
    assert str(schema.field("fecha_inicio").type) == "date32[day]"
