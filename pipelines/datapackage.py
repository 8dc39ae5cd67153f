"""A Frictionless Data Package descriptor for the datasets: ``datapackage.json``.

Every run of ``python -m pipelines`` (``make parquet``, ``make run``) ends by writing
``<out>/datapackage.json`` (``python -m pipelines.datapackage data/parquet`` rewrites it
on its own).  It describes every dataset of :mod:`pipelines.schemas`: one resource per dataset whose
``path`` lists its Parquet files (relative to the descriptor), and a Table Schema whose
fields have the Arrow types mapped to Table Schema types, plus the descriptions, units
and closed value sets of :mod:`pipelines.docs`.

``gestion`` is a Hive partition key: it is in each file's folder name
(``gestion=2021/``), not inside the file; the field says so.  A dataset with no files
yet (a folder nothing was written to) is described with inline empty ``data`` so the
descriptor stays valid and still documents its schema.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pyarrow as pa

from pipelines.docs import DATASETS, ENUMS, columns, type_name
from pipelines.schemas import PARTITIONED, SCHEMAS
from pipelines.write import atomic_write_text

FILENAME = "datapackage.json"

_FIELD_TYPES = {"string": "string", "int32": "integer", "int16": "integer",
                "float64": "number", "date32": "date", "bool": "boolean"}


def field_type(t: pa.DataType) -> str:
    """The Table Schema type of an Arrow type (``string``, ``integer``, ``number``,
    ``date``, ``boolean``)."""
    return _FIELD_TYPES[type_name(t)]


def table_schema(dataset: str) -> dict:
    """The Table Schema (``{"fields": [...]}``) of ``dataset``, in contract column order."""
    fields = []
    for col, f in zip(columns(dataset), SCHEMAS[dataset]):
        field = {"name": col.name, "type": field_type(f.type), "description": col.description,
                 "arrowType": col.type}
        if col.unit:
            field["unit"] = col.unit
        if (dataset, col.name) in ENUMS:
            field["constraints"] = {"enum": list(ENUMS[(dataset, col.name)])}
        if col.name == "gestion" and dataset in PARTITIONED:
            field["partitionKey"] = True
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def dataset_files(root: Path, dataset: str) -> list[str]:
    """The dataset's Parquet files under ``root``, as sorted POSIX paths relative to it."""
    folder = root / dataset
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in folder.rglob("*.parquet")
                  if p.is_file() and not p.name.startswith("."))


def build_descriptor(root: Path) -> dict:
    """The Data Package descriptor (a dict) for the datasets under ``root``."""
    resources = []
    for name in SCHEMAS:
        files = dataset_files(root, name)
        res: dict = {"name": name, "title": name, "description": DATASETS[name],
                     "profile": "tabular-data-resource"}
        if files:
            res.update({"path": files, "format": "parquet", "mediatype": "application/vnd.apache.parquet",
                        "encoding": "utf-8"})
        else:
            res["data"] = []
        res["schema"] = table_schema(name)
        if name in PARTITIONED:
            res["partitioning"] = {"flavor": "hive", "fields": ["gestion"]}
        resources.append(res)
    return {
        "profile": "tabular-data-package",
        "name": "poa-datos",
        "title": "Planificación y presupuesto del sector público boliviano",
        "description": ("POA, rendición de cuentas, resoluciones e informes de auditoría "
                        "convertidos en datasets Parquet (contrato: ../shared/DATASETS.md)."),
        "resources": resources,
    }


def write_datapackage(root: Path) -> Path:
    """Write ``root/datapackage.json`` atomically (a hidden temporary file in ``root``
    renamed into place: :func:`pipelines.write.atomic_write_text`) and return its path.
    Called at the end of every run of ``python -m pipelines`` (``make parquet``, ``make
    run``), so the descriptor always lists the files on disk."""
    target = root / FILENAME
    atomic_write_text(json.dumps(build_descriptor(root), ensure_ascii=False, indent=2) + "\n", target)
    return target


def main(argv: list[str] | None = None) -> int:
    """CLI: ``python -m pipelines.datapackage [PARQUET_DIR]``.  Exit 0 ok, 2 bad usage."""
    p = argparse.ArgumentParser(prog="python -m pipelines.datapackage",
                                description="write <PARQUET_DIR>/datapackage.json (Frictionless)")
    p.add_argument("parquet", type=Path, nargs="?", default=Path("data/parquet"))
    args = p.parse_args(argv)
    if not args.parquet.is_dir():
        print(f"No existe la carpeta {args.parquet}: ejecute primero make parquet.", file=sys.stderr)
        return 2
    path = write_datapackage(args.parquet)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
