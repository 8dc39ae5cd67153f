"""The QA report (pipelines/report.py) on real pipeline output, also in a real browser
(headless Chromium from the Debian package ``chromium``, driven by playwright)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from pipelines import report
from pipelines.report import CellBoxes, Layout, Place, build_report, document_page
from pipelines.schemas import SCHEMAS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DIGEMIG = "digemig_poa_2019.pdf"


def _cells(t: dict, fila: int) -> list[dict]:
    return [c for c in t["celdas"] if c["fila"] == fila and c.get("bbox")]


def test_findings_placed_by_trace_columns(digemig):
    """A finding is placed from pagina/tabla_id/fila alone: ``ubicacion`` is free text
    (here deliberately misleading) and is never read."""
    did = digemig.ids[DIGEMIG]
    layout = Layout.load(digemig.layout, did)
    boxes = CellBoxes.from_layout(layout)
    t = next(t for t in layout.tables if len({c["pagina"] for c in t["celdas"]}) > 1)
    last = max(c["fila"] for c in t["celdas"])
    row = _cells(t, last)
    page = row[0]["pagina"]
    assert page != t["pagina"], "the last row of a continued table is on a later page"
    where = boxes.place({"pagina": page, "tabla_id": t["tabla_id"], "fila": last,
                         "ubicacion": "p1 otra tabla fila 0"})
    assert where.pagina == page
    assert where.box == pytest.approx((min(c["bbox"][0] for c in row), min(c["bbox"][1] for c in row),
                                       max(c["bbox"][2] for c in row), max(c["bbox"][3] for c in row)))
    # a whole table on a page: the box of its cells printed there
    first_page = [c["bbox"] for c in t["celdas"] if c["pagina"] == t["pagina"] and c.get("bbox")]
    whole = boxes.place({"pagina": t["pagina"], "tabla_id": t["tabla_id"], "fila": None})
    assert whole.pagina == t["pagina"] and whole.box[1] == pytest.approx(min(b[1] for b in first_page))
    # only a page; nothing at all; a table the document does not have
    assert boxes.place({"pagina": 7, "tabla_id": None, "fila": None, "ubicacion": "p3"}) == Place(7, None)
    assert boxes.place({"ubicacion": "p44 categoria_programatica: TOTALES"}) == Place(None, None)
    assert boxes.place({"pagina": 2, "tabla_id": "no-existe-p2-t9", "fila": 3}) == Place(2, None)


def test_cell_boxes_from_tablas_match_the_layout(digemig):
    """The two sources of boxes (the ``tablas`` dataset and the layout sidecar) agree."""
    did = digemig.ids[DIGEMIG]
    rows = report.read_dataset(digemig.parquet, "tablas",
                               ["documento_id", "tabla_id", "fila", "pagina", "x0", "top", "x1", "bottom"]).to_pylist()
    from_tablas = CellBoxes.from_tablas([r for r in rows if r["documento_id"] == did])
    from_layout = CellBoxes.from_layout(Layout.load(digemig.layout, did))
    assert from_tablas.rows.keys() == from_layout.rows.keys() and len(from_tablas.rows) > 50
    def flat(cells):
        return [v for p, box in sorted(cells) for v in (p, *box)]

    for key, cells in from_layout.rows.items():
        assert flat(from_tablas.rows[key]) == pytest.approx(flat(cells), abs=0.01), key


def test_render_scale_caps_huge_pages():
    assert report.render_scale((612, 792), 100) == pytest.approx(100 / 72)
    huge = (200 * 72, 200 * 72)  # 200 x 200 inches: 400 megapixels at 100 dpi
    s = report.render_scale(huge, 100)
    assert (huge[0] * s) * (huge[1] * s) <= report.MAX_IMAGE_PIXELS * 1.0001
    assert (huge[0] * s) * (huge[1] * s) >= report.MAX_IMAGE_PIXELS * 0.999


def test_huge_page_rendered_within_the_cap(tmp_path):
    from reportlab.pdfgen import canvas
    pdf = tmp_path / "enorme.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(200 * 72, 200 * 72))
    c.drawString(100, 100, "página enorme")
    c.save()
    images = report.render_pages(pdf, tmp_path / "img", dpi=100, max_pixels=1_000_000)
    w, h = Image.open(tmp_path / "img" / images[1][0]).size
    assert w * h <= 1_000_000 and w >= 990
    assert images[1][1] == (200 * 72, 200 * 72)


@pytest.fixture(scope="module")
def digemig_report(digemig, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    reps = build_report(digemig.parquet, digemig.layout, digemig.raw, out, dpi=100,
                        only=[digemig.ids[DIGEMIG]])
    return out, reps


def test_report_files(digemig, digemig_report):
    out, reps = digemig_report
    did = digemig.ids[DIGEMIG]
    assert [r.documento_id for r in reps] == [did]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{did}.html"' in index and DIGEMIG in index
    pngs = sorted((out / did).glob("*.png"))
    assert len(pngs) == 8 == reps[0].imagenes
    # ~100 dpi: an A4/letter landscape page is ~1100 px wide, not a thumbnail
    w, h = Image.open(pngs[0]).size
    assert 1000 < max(w, h) < 1250
    page = (out / f"{did}.html").read_text(encoding="utf-8")
    findings = pq.read_table(next((digemig.parquet / "validaciones").rglob("*.parquet"))).to_pylist()
    assert findings and all(f["regla"] == "codigo_jerarquia" for f in findings)
    assert page.count('class="finding"') == len(findings) == reps[0].hallazgos
    for f in findings:
        assert report._e(f["mensaje"]) in page
    # rows per dataset come from the real files
    n_ops = pq.read_metadata(next((digemig.parquet / "poa_operaciones").rglob("*.parquet"))).num_rows
    assert re.search(rf"<td>poa_operaciones</td><td class=\"num\">{n_ops:,}</td>", page)


def test_table_boxes_match_layout(digemig, digemig_report):
    out, _ = digemig_report
    did = digemig.ids[DIGEMIG]
    layout = Layout.load(digemig.layout, did)
    page = (out / f"{did}.html").read_text(encoding="utf-8")
    for t in layout.tables:
        # each box is labelled with its table, strategy and measured confidence
        assert f'{t["tabla_id"]} · {t["metodo"]} · {t["confianza"]:.2f}</span>' in page
    # the first table's box, in percent of its page, as written in the HTML
    t = layout.tables[0]
    w, h = layout.sizes[t["pagina"]]
    x0, top, x1, bottom = t["bbox"]
    m = re.search(rf'id="{re.escape(t["tabla_id"])}"[^>]*style="left:([\d.]+)%;top:([\d.]+)%;'
                  rf'width:([\d.]+)%;height:([\d.]+)%"', page)
    assert m, "no box for the first table"
    got = [float(v) for v in m.groups()]
    assert got == pytest.approx([100 * x0 / w, 100 * top / h, 100 * (x1 - x0) / w, 100 * (bottom - top) / h],
                                abs=0.001)
    # a table continued over pages has a dashed box on each continuation page
    cont = [t for t in layout.tables if len({c["pagina"] for c in t["celdas"]}) > 1]
    assert cont, "digemig's operations table spans pages"
    assert f'{cont[0]["tabla_id"]} · {cont[0]["metodo"]} · {cont[0]["confianza"]:.2f} (cont.)' in page


def test_finding_rows_are_marked_on_their_page(digemig, digemig_report):
    out, _ = digemig_report
    did = digemig.ids[DIGEMIG]
    page = (out / f"{did}.html").read_text(encoding="utf-8")
    layout = Layout.load(digemig.layout, did)
    findings = pq.read_table(next((digemig.parquet / "validaciones").rglob("*.parquet"))).to_pylist()
    boxes = CellBoxes.from_layout(layout)
    for n, f in enumerate(findings, 1):
        assert f["tabla_id"] and f["fila"] is not None, f
        pagina, box = boxes.place(f).pagina, boxes.place(f).box
        assert box is not None, f["ubicacion"]
        # the mark sits in the section of the page where that row is printed
        section = page.split(f'<section class="page" id="p{pagina}">', 1)[1].split("</section>", 1)[0]
        assert f'id="h{n}-mark"' in section
        assert f'href="#h{n}-mark"' in page


def test_cell_findings_are_flagged(digemig):
    """numero_ilegible / ocr_numero_reparado flag the row (``tabla_id``, ``fila``) that
    holds the cell they name, on the page that row is printed on."""
    did = digemig.ids[DIGEMIG]
    layout = Layout.load(digemig.layout, did)
    t = layout.tables[1]
    row = _cells(t, 3)
    x0, top = min(c["bbox"][0] for c in row), min(c["bbox"][1] for c in row)
    trace = {"pagina": row[0]["pagina"], "tabla_id": t["tabla_id"], "fila": 3}
    rows = [{"regla": "numero_ilegible", "severidad": "advertencia", "dataset": "tablas",
             "ubicacion": f'{t["tabla_id"]} fila 3 columna 2', "mensaje": "no se pudo leer el número", **trace},
            {"regla": "ocr_numero_reparado", "severidad": "advertencia", "dataset": "presupuesto_formulario",
             "ubicacion": f'{t["tabla_id"]} fila 3 columna 2', "mensaje": "reparado", **trace}]
    html, placed = document_page({"documento_id": did, "archivo": DIGEMIG, "paginas": 8}, rows, [], [],
                                 {}, layout, {}, did, pdf_found=False)
    assert [f.pagina for f in placed] == [row[0]["pagina"]] * 2
    assert placed[0].box[:2] == pytest.approx((x0, top))
    w, h = layout.sizes[row[0]["pagina"]]
    style = f'left:{100 * placed[0].box[0] / w:.3f}%;top:{100 * placed[0].box[1] / h:.3f}%'
    assert re.search(rf'class="flag ilegible" id="h1-mark"[^>]*style="{re.escape(style)}', html)
    assert re.search(rf'class="flag reparado" id="h2-mark"[^>]*style="{re.escape(style)}', html)
    assert 'id="sin-pdf"' in html


def test_missing_pdf_and_layout_degrade(digemig, tmp_path):
    empty_raw = tmp_path / "raw"
    empty_raw.mkdir()
    reps = build_report(digemig.parquet, tmp_path / "no-layout", empty_raw, tmp_path / "r")
    page = reps[0].html.read_text(encoding="utf-8")
    assert reps[0].imagenes == 0 and "<img" not in page
    assert 'id="sin-pdf"' in page and 'id="sin-layout"' in page
    assert 'class="finding"' in page  # the findings are still listed


def test_failed_files_listed_in_index(digemig, tmp_path):
    parquet = tmp_path / "parquet"
    shutil.copytree(digemig.parquet, parquet)
    (parquet / "errores").mkdir(exist_ok=True)
    row = {"documento_id": None, "archivo": "roto.pdf", "pagina": None, "etapa": "abrir",
           "clase": "PdfCorrupto", "mensaje": "el archivo está dañado"}
    pq.write_table(pa.Table.from_pylist([row], schema=SCHEMAS["errores"]), parquet / "errores" / "x.parquet")
    build_report(parquet, digemig.layout, digemig.raw, tmp_path / "r")
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert 'id="fallidos"' in index and "roto.pdf" in index and "PdfCorrupto" in index


def test_cli_usage(tmp_path, capsys):
    assert report.main(["--parquet", str(tmp_path / "nada"), "--out", str(tmp_path / "r")]) == 2
    assert "make parquet" in capsys.readouterr().err


def test_report_in_browser(digemig, digemig_report, tmp_path):
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install the Debian packages chromium and chromium-driver")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (never `playwright install`)")
    out, _ = digemig_report
    did = digemig.ids[DIGEMIG]
    tabla = Layout.load(digemig.layout, did).tables[1]
    label = f'{tabla["tabla_id"]} · {tabla["metodo"]}'
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"requestfailed: {r.url}"))
            page.goto((out / "index.html").as_uri())
            page.click(f'a[href="{did}.html"]')
            page.wait_for_load_state("load")
            assert page.url.endswith(f"{did}.html")
            # a known finding and a known table box label are on the page
            finding = page.locator('tr.finding[data-regla="codigo_jerarquia"]')
            assert finding.count() > 0
            assert "codigo_jerarquia" in finding.first.inner_text()
            box_label = page.locator(f'[data-tabla="{tabla["tabla_id"]}"] .label', has_text=label).first
            assert box_label.is_visible()
            # every page image loads (scroll each into view: they are lazy)
            images = page.locator("section.page img")
            assert images.count() == 8
            for i in range(images.count()):
                img = images.nth(i)
                img.scroll_into_view_if_needed()
                page.wait_for_function("(el) => el.complete", arg=img.element_handle())
                assert img.evaluate("el => el.naturalWidth") > 0, f"image {i} did not load"
            # every in-page link points at an element
            dangling = page.evaluate("""() => [...document.querySelectorAll('a[href^="#"]')]
                .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))""")
            assert dangling == []
            # following a finding's link brings its row mark into view
            page.locator("tr.finding a.goto").first.click()
            target = page.evaluate("location.hash").lstrip("#")
            assert target.endswith("-mark") and page.locator(f"#{target}").is_visible()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(tmp_path / "report_top.png"))
            sheet = page.locator("#p1 .sheet")
            sheet.scroll_into_view_if_needed()
            sheet.screenshot(path=str(tmp_path / "report_p1.png"))
            print(f"screenshots: {tmp_path / 'report_top.png'} {tmp_path / 'report_p1.png'}")
        finally:
            browser.close()
    assert problems == []
    assert Image.open(tmp_path / "report_p1.png").size[0] > 800
