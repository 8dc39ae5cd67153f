"""Raw and output folders given as a path or as an fsspec URL (``--raw`` / ``--out``).

:func:`resolve` turns a folder argument into one of two things:

- a local :class:`pathlib.Path`, used in place exactly as before: a plain path, or a URL
  of fsspec's local filesystem (``file:///srv/raw``, ``local://…``);
- a :class:`RemoteFolder` for any other protocol fsspec knows (``memory://``, ``s3://``
  with ``s3fs`` installed, ``gcs://`` with ``gcsfs``…).

The pipeline itself reads and writes local files only (pdfium and pdfplumber open a local
file; Parquet files are written to a temporary name and renamed, :mod:`pipelines.write`).
A remote folder is therefore worked on through a local staging folder, and all remote
input and output is done by this process (never by worker processes or cluster workers):

- a remote raw folder: every entry is copied into the staging folder before the run
  (:meth:`RemoteFolder.stage_inputs`); a file keeps its remote name, so ``archivo`` and
  ``documento_id`` are those of the same file read from a local folder;
- a remote output folder: an :class:`OutputMirror`.  Before the run, its manifest entries
  and ``errores`` files are copied into the staging folder and every other file there is
  an empty placeholder of the same name, so skipping committed documents, finding stale
  ones and listing the files of ``datapackage.json`` see what the remote folder holds
  without downloading its datasets.  As each document finishes, what changed in the
  staging folder is uploaded (:meth:`OutputMirror.push`): manifest entries that changed
  or went are deleted remotely first, then data files are deleted or uploaded, then the
  new manifest entries are uploaded, last.  A document whose upload stops half-way has
  no manifest entry in the remote folder, so the next run processes it again, as a run
  killed while writing a local folder does.

Errors: :class:`StorageError` (its ``mensaje`` is for the analyst) for an unknown
protocol, a protocol whose package is not installed, or a remote folder that cannot be
listed, read or written.
"""
from __future__ import annotations

import logging
import os
import posixpath
from pathlib import Path

from pipelines.write import MANIFEST_DIR, TEMP_SUFFIX

log = logging.getLogger(__name__)

PULLED_DIRS = (MANIFEST_DIR, "errores")
"""Output sub-folders whose files are copied from a remote output folder before a run
(the manifest decides what to skip; :mod:`pipelines.prune` reads ``errores`` files).
Every other remote file is an empty local placeholder, never read by a run."""

NOT_PUSHED_DIRS = ("_tmp",)
"""Output sub-folders never uploaded: scratch files (``pipelines.run.SCRATCH_DIR``)."""


class StorageError(Exception):
    """A folder URL that cannot be used; ``mensaje`` names the URL and what to do."""

    def __init__(self, mensaje: str):
        super().__init__(mensaje)
        self.mensaje = mensaje


def is_url(arg: str | os.PathLike) -> bool:
    """Whether a folder argument is an fsspec URL (``proto://…`` or a chained ``a::b://…``)
    rather than a plain path."""
    text = os.fspath(arg)
    return "://" in text or "::" in text


def _missing_package(url: str, exc: ImportError) -> StorageError:
    """The error for a protocol whose fsspec implementation is not installed, naming the
    package (the first part of the implementation's class in fsspec's registry)."""
    from fsspec.registry import get_filesystem_class, known_implementations

    protocols = [p.split("://")[0] for p in url.split("::") if p]
    for proto in protocols:
        try:
            get_filesystem_class(proto)
        except ImportError as err:
            module = known_implementations.get(proto, {}).get("class", "").split(".")[0]
            if module and module != "fsspec":
                return StorageError(f"{url}: el protocolo «{proto}» necesita el paquete {module}, "
                                    f"que no está instalado: instálelo (pip install {module}) y "
                                    "vuelva a ejecutar.")
            return StorageError(f"{url}: el protocolo «{proto}» necesita paquetes que no están "
                                f"instalados ({err}).")
        except ValueError:
            continue
    return StorageError(f"{url}: falta un paquete para este protocolo ({exc}).")


def resolve(arg: str | os.PathLike) -> Path | "RemoteFolder":
    """The folder named by ``arg``: a :class:`Path` for a plain path or a URL of the local
    filesystem (``file:///srv/raw`` -> ``Path('/srv/raw')``), else a :class:`RemoteFolder`.
    Nothing is read or created here (an ``s3://`` folder is not contacted).  Raises
    :class:`StorageError` for a protocol fsspec does not know or whose package is missing."""
    if not is_url(arg):
        return Path(arg)
    url = os.fspath(arg)
    import fsspec.core
    from fsspec.implementations.local import LocalFileSystem

    try:
        fs, root = fsspec.core.url_to_fs(url)
    except ImportError as exc:
        raise _missing_package(url, exc) from None
    except ValueError as exc:
        raise StorageError(f"{url}: protocolo desconocido ({exc}); use una ruta de carpeta, "
                           "file:///…, memory://… o s3://… (con s3fs instalado).") from None
    if isinstance(fs, LocalFileSystem):
        return Path(root)
    return RemoteFolder(url, fs, root.rstrip("/"))


class RemoteFolder:
    """A folder of a non-local fsspec filesystem: ``url`` as given, ``fs`` the filesystem,
    ``root`` the folder's path in it (no protocol, no trailing ``/``)."""

    def __init__(self, url: str, fs, root: str) -> None:
        self.url, self.fs, self.root = url, fs, root

    def __str__(self) -> str:
        return self.url

    def full(self, rel: str) -> str:
        """Path in ``fs`` of ``rel`` (POSIX, relative to the folder)."""
        return f"{self.root}/{rel}" if self.root else rel

    def rel(self, full: str) -> str:
        """``full`` (a path listed by ``fs``) relative to the folder."""
        full = self.fs._strip_protocol(full)
        return posixpath.relpath(full, self.root or "/") if self.root else full.lstrip("/")

    def is_dir(self) -> bool:
        """Whether the folder exists (``False`` also when it cannot be reached)."""
        try:
            return bool(self.fs.isdir(self.root))
        except Exception as exc:  # credentials, network: the folder is unusable
            log.warning("%s: %s: %s", self.url, type(exc).__name__, exc)
            return False

    def stage_inputs(self, dest: Path) -> Path:
        """Copy every entry of the folder into ``dest`` (made here) and return ``dest``:
        files are downloaded under their remote names; a sub-folder becomes an empty local
        folder (it is then reported as the folder of a local raw folder is).  Hidden names
        (``.gitkeep``) are skipped, as :func:`pipelines.run.list_inputs` skips them.  Every
        file is downloaded, also on a ``--only`` run: finding stale outputs hashes every
        file of the raw folder.  Raises :class:`StorageError` naming a file that cannot be
        listed or downloaded (nothing is processed then)."""
        dest.mkdir(parents=True, exist_ok=True)
        try:
            entries = self.fs.ls(self.root, detail=True)
        except Exception as exc:
            raise StorageError(f"no se pudo listar {self.url} ({type(exc).__name__}: {exc}).") from None
        for e in entries:
            name = posixpath.basename(e["name"].rstrip("/"))
            if not name or name.startswith(".") or self.fs._strip_protocol(e["name"]).rstrip("/") == self.root:
                continue
            target = dest / name
            if e.get("type") == "directory":
                target.mkdir(exist_ok=True)
                continue
            try:
                self.fs.get_file(e["name"], str(target))
            except Exception as exc:
                raise StorageError(f"no se pudo copiar {name} de {self.url} ({type(exc).__name__}: "
                                   f"{exc}); revise los permisos de lectura y vuelva a ejecutar.") from None
        log.info("%s: %d entries copied to %s", self.url, len(list(dest.iterdir())), dest)
        return dest


def _is_manifest(rel: str) -> bool:
    return rel.startswith(f"{MANIFEST_DIR}/")


def _snapshot(local: Path) -> dict[str, tuple[int, int, int]]:
    """``rel -> (size, mtime_ns, inode)`` of every file under ``local`` but temporary files
    (``.<name>.<random>.tmp``) and :data:`NOT_PUSHED_DIRS`.  Manifest entries are listed
    first: as an entry is written after its document's files (:mod:`pipelines.write`),
    an entry in the snapshot means that the files it names are in it too, even while
    other processes are writing."""
    out: dict[str, tuple[int, int, int]] = {}
    manifest = local / MANIFEST_DIR
    for root in ([manifest] if manifest.is_dir() else []) + [local]:
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(local).as_posix()
            if rel in out or rel.split("/")[0] in NOT_PUSHED_DIRS:
                continue
            if p.name.startswith(".") and p.name.endswith(TEMP_SUFFIX):
                continue
            try:
                st = p.stat()
            except OSError:  # renamed or removed while listing
                continue
            if p.is_file():
                out[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


class OutputMirror:
    """A remote output folder worked on through the local folder ``local``: call
    :meth:`pull` once before the run, :meth:`push` after each change (each document, the
    prune, ``datapackage.json``)."""

    def __init__(self, remote: RemoteFolder, local: Path) -> None:
        self.remote, self.local = remote, local
        self._state: dict[str, tuple[int, int, int]] = {}
        self._dirs: set[str] = set()

    def pull(self) -> Path:
        """Make the remote folder (when missing), copy its manifest entries and ``errores``
        files into ``local`` and leave an empty placeholder for each other file; returns
        ``local``.  Raises :class:`StorageError` when the folder cannot be made or read."""
        fs, r = self.remote.fs, self.remote
        self.local.mkdir(parents=True, exist_ok=True)
        try:
            fs.makedirs(r.root, exist_ok=True)
            listed = fs.find(r.root)
            for full in listed:
                rel = r.rel(full)
                if rel.startswith("..") or rel.split("/")[0] in NOT_PUSHED_DIRS:
                    continue
                target = self.local / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                if rel.split("/")[0] in PULLED_DIRS:
                    fs.get_file(full, str(target))
                else:
                    target.touch()
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(f"no se pudo leer la carpeta de salida {r.url} "
                               f"({type(exc).__name__}: {exc}).") from None
        self._state = _snapshot(self.local)
        log.info("%s: %d files listed (manifest entries and errores copied) into %s",
                 r.url, len(self._state), self.local)
        return self.local

    def push(self) -> int:
        """Upload what changed in ``local`` since the last pull or push and delete remotely
        what was deleted there, in commit order: changed or deleted manifest entries are
        deleted first, then data files deleted or uploaded, then new manifest entries
        uploaded.  Returns the number of remote operations.  Raises :class:`StorageError`
        when one fails (what was done is remembered: the next push does the rest)."""
        now = _snapshot(self.local)
        before = self._state
        changed = sorted(rel for rel, key in now.items() if before.get(rel) != key)
        gone = sorted(rel for rel in before if rel not in now)
        steps = ([("rm", rel) for rel in gone + changed if _is_manifest(rel) and rel in before]
                 + [("rm", rel) for rel in gone if not _is_manifest(rel)]
                 + [("put", rel) for rel in changed if not _is_manifest(rel)]
                 + [("put", rel) for rel in changed if _is_manifest(rel)])
        for op, rel in steps:
            try:
                if op == "rm":
                    self._rm(rel)
                    self._state.pop(rel, None)
                else:
                    self._put(rel)
                    self._state[rel] = now[rel]
            except FileNotFoundError:
                if op == "rm":
                    self._state.pop(rel, None)
                # a put: the local file went since the snapshot; the next push sees it gone
            except Exception as exc:
                raise StorageError(f"no se pudo {'borrar' if op == 'rm' else 'subir'} {rel} en "
                                   f"{self.remote.url} ({type(exc).__name__}: {exc}).") from None
        return len(steps)

    def _rm(self, rel: str) -> None:
        full = self.remote.full(rel)
        if self.remote.fs.exists(full):
            self.remote.fs.rm_file(full)

    def _put(self, rel: str) -> None:
        fs, full = self.remote.fs, self.remote.full(rel)
        parent = posixpath.dirname(full)
        if parent and parent not in self._dirs:
            fs.makedirs(parent, exist_ok=True)
            self._dirs.add(parent)
        fs.put_file(str(self.local / rel), full)
