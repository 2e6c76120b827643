"""Statistics downloads in the console: every table as CSV (the same numbers as the table)
and XLSX (labelled, defined, its filter stated), refused outside the member's scope; and the
ministry's complaint-level export, which never carries a reporter or a NIK, carries the
citizens' words only when asked for (and confirmed), honours RAHASIA, and is audited."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime
from xml.etree import ElementTree

from sqlalchemy import select

import messages
from api.application import statistics
from api.domain.statistics.counting import jakarta_day
from api.domain.statistics.queries import StatFilter
from api.models import ComplaintExportAudit
from tests.complaints_support import file_through_the_api
from tests.statistics_support import count_every_event

DESCRIPTION = "Pak Joko, kepala dusun, meminta Rp50.000 di rumahnya saat pencairan."
NIK = "3510014107900001"
REPORTER = {"channel_user": "tg:budi-santoso", "contact": "Budi Santoso 0812-9999-1111"}


def today() -> str:
    return jakarta_day(datetime.now(UTC)).isoformat()


def period() -> str:
    return f"from={today()}&to={today()}"


async def file(client, **changes) -> str:
    given = {"description": DESCRIPTION, "reporter": REPORTER, "subject_nik": NIK, **changes}
    return await file_through_the_api(client, **given)


def parsed_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


async def audits(services) -> list:
    table = ComplaintExportAudit.__table__
    async with services.engine.connect() as conn:
        return (await conn.execute(select(table).order_by(table.c.id))).all()


# -- tables -------------------------------------------------------------------------------


async def test_a_tables_csv_holds_the_tables_numbers_under_its_keys(services, client, browser):
    await file(client)
    await file(client, reporter={"channel_user": "tg:2"}, subject_nik="3510014107900002")
    await count_every_event(services)
    await browser.sign_in("kemensos")

    response = await browser.get(f"/console/statistics/regencies.csv?{period()}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    name = f"bansos-regencies-{today()}-{today()}.csv"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    day = jakarta_day(datetime.now(UTC))
    table = await statistics.table(
        services, StatFilter(start=day, end=day), "regencies", locale="id"
    )
    header, *rows = parsed_csv(response.content)
    assert header == [column.key for column in table.columns]
    assert len(rows) == len(table.rows) == 1
    as_written = dict(zip(header, rows[0], strict=True))
    assert as_written["code"] == "3510" and as_written["received"] == "2"
    assert float(as_written["share_of_received"]) == 1.0  # a share as a decimal
    expected = ["" if value is None else str(value) for value in table.rows[0]]
    assert [value.removesuffix(".0") for value in rows[0]] == [
        value.removesuffix(".0") for value in expected
    ]


async def test_the_trend_csv_writes_its_days_in_iso(services, client, browser):
    await file(client)
    await count_every_event(services)
    await browser.sign_in("kemensos")
    response = await browser.get(f"/console/statistics/trend.csv?{period()}")
    header, *rows = parsed_csv(response.content)
    assert header[:2] == ["period", "received"]
    assert rows == [[today(), "1", "0", "0", "0", "0"]]


def xlsx_sheets(body: bytes) -> dict[str, list[list[str]]]:
    """Each sheet's cells as text (numbers as written), by sheet name."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    book = zipfile.ZipFile(io.BytesIO(body))
    strings = [
        "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
        for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", ns)
    ]
    targets = {
        r.get("Id"): r.get("Target")
        for r in ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    }
    sheets = {}
    for sheet in ElementTree.fromstring(book.read("xl/workbook.xml")).iter(f"{{{ns['m']}}}sheet"):
        xml = ElementTree.fromstring(book.read("xl/" + targets[sheet.get(rel)]))
        rows = []
        for row in xml.iter(f"{{{ns['m']}}}row"):
            cells = []
            for cell in row.findall("m:c", ns):
                value = cell.find("m:v", ns)
                text = "" if value is None else value.text
                cells.append(strings[int(text)] if cell.get("t") == "s" else text)
            rows.append(cells)
        sheets[sheet.get("name")] = rows
    return sheets


async def test_a_tables_xlsx_has_labels_definitions_and_its_filter(services, client, browser):
    await file(client)
    await count_every_event(services)
    await browser.sign_in("kemensos")

    response = await browser.get(f"/console/statistics/regions.xlsx?{period()}&region=WK4")

    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith(
        f'filename="bansos-regions-{today()}-{today()}.xlsx"'
    )
    sheets = xlsx_sheets(response.content)
    assert list(sheets) == ["regions", "definitions", "filter"]
    header, first = sheets["regions"][0], sheets["regions"][1]
    assert header[:3] == ["Kode", "Nama", "Diterima"]  # the member's language
    assert first[0] == "WK4" and first[2] == "1"
    definitions = {row[0]: row[1:] for row in sheets["definitions"][1:]}
    assert definitions["received"] == [
        "Diterima",
        messages.render_text("id", "statistics.define_received"),
    ]
    stated = dict(sheets["filter"])
    assert stated["Hari pertama"] == today()
    assert stated["Wilayah koordinasi"] == "WK4"
    assert stated["Kategori"] == "semua"
    assert stated["Berkas dibuat pada (Asia/Jakarta)"].startswith(today())


async def test_a_coordinator_downloads_their_region_and_is_refused_another(
    services, client, browser, coordinator
):
    await file(client)
    await count_every_event(services)
    await browser.sign_in(coordinator)

    own = await browser.get(f"/console/statistics/regencies.csv?{period()}")
    other = await browser.get(f"/console/statistics/regencies.csv?{period()}&region=WK1")
    other_xlsx = await browser.get(f"/console/statistics/regencies.xlsx?{period()}&region=WK1")

    assert own.status_code == 200 and parsed_csv(own.content)[1][0] == "3510"
    assert other.status_code == other_xlsx.status_code == 403
    assert "di luar wilayah Anda" in other.text


async def test_an_administrator_and_an_unknown_table_are_refused(browser):
    await browser.sign_in("admin")
    assert (await browser.get(f"/console/statistics/regions.csv?{period()}")).status_code == 403
    await browser.sign_in("kemensos")
    missing = await browser.get(f"/console/statistics/nothing.xlsx?{period()}")
    assert missing.status_code == 404 and "nothing" in missing.text


async def test_a_bad_filter_is_refused_naming_the_parameter(browser):
    await browser.sign_in("kemensos")
    response = await browser.get("/console/statistics/regions.csv?from=30-11-2026")
    assert response.status_code == 422
    assert '"from" harus tanggal' in response.text.replace("&#34;", '"')


# -- complaint rows -----------------------------------------------------------------------


async def rows_of(browser, query: str = "") -> list[dict[str, str]]:
    response = await browser.get(f"/console/statistics/complaints.csv?{period()}{query}")
    assert response.status_code == 200, response.text
    name = f"bansos-complaints-{today()}-{today()}.csv"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    header, *rows = parsed_csv(response.content)
    return [dict(zip(header, row, strict=True)) for row in rows]


async def test_complaint_rows_carry_no_reporter_nik_or_description_by_default(
    services, client, browser
):
    tracking_id = await file(client)
    await browser.sign_in("kemensos")

    response = await browser.get(f"/console/statistics/complaints.csv?{period()}")

    text = response.content.decode("utf-8-sig")
    for personal in (DESCRIPTION, "Joko", "Budi", "0812", "tg:budi", NIK):
        assert personal not in text
    (row,) = await rows_of(browser)
    assert "description" not in row
    assert row["tracking_id"] == tracking_id
    assert row["filed_at"].startswith(today()) and row["filed_at"].endswith("+07:00")
    assert (row["status"], row["category"], row["programme"]) == (
        "RECEIVED",
        "BANTUAN_TIDAK_DITERIMA",
        "PKH",
    )
    assert (row["office"], row["region"], row["regency"], row["district"]) == (
        "DINSOS-3510",
        "WK4",
        "3510",
        "351001",
    )
    assert row["privacy"] == "BIASA" and row["verified_at"] == ""


async def test_every_row_export_is_audited_with_its_filter_and_row_count(
    services, client, browser, accounts
):
    await file(client)
    await browser.sign_in("kemensos")
    await rows_of(browser, "&regency=3510")

    (entry,) = await audits(services)
    assert entry.staff_id == accounts["kemensos"]
    assert f"from={today()}" in entry.filter and "regency=3510" in entry.filter
    assert (entry.descriptions, entry.rows) == (False, 1)
    assert entry.finished_at is not None


async def test_an_export_longer_than_a_chunk_carries_every_complaint_once(
    services, client, browser, monkeypatch
):
    # Chunks of two rows: five complaints leave in three, as a million leave in thousands.
    monkeypatch.setattr("api.application.complaint_export.ROWS_PER_CHUNK", 2)
    filed = {await file(client) for _ in range(5)}
    await browser.sign_in("kemensos")

    rows = await rows_of(browser)

    assert sorted(row["tracking_id"] for row in rows) == sorted(filed)
    (entry,) = await audits(services)
    assert entry.rows == 5


async def test_descriptions_come_only_after_a_confirmation_and_are_audited(
    services, client, browser
):
    await file(client)
    await browser.sign_in("kemensos")

    asked = await browser.get(f"/console/statistics/complaints.csv?{period()}&description=1")

    assert asked.status_code == 200 and asked.headers["content-type"].startswith("text/html")
    assert "Ekspor pengaduan beserta uraiannya?" in asked.text
    assert await audits(services) == []  # nothing left yet
    confirmed = re.findall(r'name="(\w+)" value="([^"]*)"', asked.text)
    query = "&".join(f"{n}={v}" for n, v in confirmed if n != "csrf_token")
    response = await browser.get(f"/console/statistics/complaints.csv?{query}")
    (row,) = [
        dict(zip(parsed_csv(response.content)[0], r, strict=True))
        for r in parsed_csv(response.content)[1:]
    ]
    assert row["description"] == DESCRIPTION
    (entry,) = await audits(services)
    assert (entry.descriptions, entry.rows) == (True, 1)


async def test_a_confidential_complaint_leaves_without_kecamatan_or_description(
    services, client, browser
):
    confidential = await file(client, privacy="RAHASIA")
    plain = await file(client, reporter={"channel_user": "tg:2"}, subject_nik="3510014107900002")
    await browser.sign_in("kemensos")

    rows = {row["tracking_id"]: row for row in await rows_of(browser, "&description=1&confirm=1")}

    assert rows[confidential]["privacy"] == "RAHASIA"
    assert (rows[confidential]["regency"], rows[confidential]["district"]) == ("3510", "")
    assert rows[confidential]["description"] == ""
    assert rows[plain]["district"] == "351001" and rows[plain]["description"] == DESCRIPTION
    # A filter naming the kecamatan would place it there: it is left out.
    in_the_kecamatan = await rows_of(browser, "&district=351001")
    assert [row["tracking_id"] for row in in_the_kecamatan] == [plain]


async def test_only_the_ministry_exports_complaint_rows(services, client, browser, coordinator):
    await file(client)
    for username in ("banyuwangi", coordinator, "admin"):
        await browser.sign_in(username)
        for query in ("", "&description=1"):
            response = await browser.get(f"/console/statistics/complaints.csv?{period()}{query}")
            assert response.status_code == 403
            assert "hanya untuk analis kementerian" in response.text
    assert await audits(services) == []


async def test_a_description_that_looks_like_a_formula_stays_text(services, client, browser):
    await file(client, description='=HYPERLINK("http://contoh.test","klik") bantuan belum cair')
    await browser.sign_in("kemensos")
    (row,) = await rows_of(browser, "&description=1&confirm=1")
    assert row["description"].startswith("'=HYPERLINK(")


async def test_every_statistics_table_downloads_as_csv_and_xlsx(services, client, browser):
    await file(client)
    await count_every_event(services)
    await browser.sign_in("kemensos")
    day = jakarta_day(datetime.now(UTC))
    for name in statistics.TABLES:
        table = await statistics.table(services, StatFilter(start=day, end=day), name, locale="id")
        as_csv = await browser.get(f"/console/statistics/{name}.csv?{period()}")
        as_xlsx = await browser.get(f"/console/statistics/{name}.xlsx?{period()}")
        assert (as_csv.status_code, as_xlsx.status_code) == (200, 200), name
        assert parsed_csv(as_csv.content)[0] == [column.key for column in table.columns]
        sheets = xlsx_sheets(as_xlsx.content)
        assert len(sheets[name[:31]]) == len(table.rows) + 1, name
        assert [row[0] for row in sheets["definitions"][1:]] == [c.key for c in table.columns]
