"""Case search at size: the p95 of a search by surname, postcode (with and without its space), reference and
email, through the API and the case list, at N cases, as a ratio to the same searches at REFERENCE cases."""

import statistics
import time

from .setup import clean

REFERENCE = 1_000
QUERIES = ["Ahmed7777", "sw1a 1aa", "SW1A1AA", "PA-2026-0004242", "p4242@example", "Alex Ahmed7777"]


def fill(cases):
    """`cases` cases of one type, each with its own applicant and property address, in a few INSERT ... SELECTs
    (PostgreSQL). Every 1,000th applicant is called Ahmed<n>; postcodes cycle through a thousand."""
    from django.db import connection

    from tests import factories

    case_type = factories.planning_case_type()
    status = case_type.statuses.get(is_initial=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_case (reference, case_type_id, status_id, summary, field_values, created_at, updated_at)"
            " SELECT 'PA-2026-' || lpad(n::text, 7, '0'), %s, %s, 'Loft conversion ' || n, '{}', now(), now()"
            " FROM generate_series(1, %s) AS n", [case_type.pk, status.pk, cases])
        cursor.execute(
            "INSERT INTO cases_person (title, first_name, last_name, email, phone, consent_email, consent_sms,"
            " consent_letter, email_failed_reason, phone_failed_reason, created_at, updated_at) SELECT '', 'Alex',"
            " CASE WHEN n %% 1000 = 0 THEN 'Ahmed' || n ELSE 'Taylor' || n END, 'p' || n || '@example.com', '', true,"
            " false, false, '', '', now(), now()"
            " FROM generate_series(1, %s) AS n", [cases])
        cursor.execute(
            "INSERT INTO cases_address (line_1, line_2, line_3, line_4, town, county, postcode, country)"
            " SELECT n || ' High Street', '', '', '', 'Exampletown', '', 'SW1A ' || (n %% 1000) || 'AA',"
            " 'United Kingdom' FROM generate_series(1, %s) AS n", [cases])
        cursor.execute("INSERT INTO cases_caseperson (case_id, person_id, role) SELECT c.id, p.id, 'Applicant' FROM"
                       " (SELECT id, row_number() OVER (ORDER BY id) AS n FROM cases_case) c JOIN"
                       " (SELECT id, row_number() OVER (ORDER BY id) AS n FROM cases_person) p USING (n)")
        cursor.execute("INSERT INTO cases_caseaddress (case_id, address_id, role) SELECT c.id, a.id, 'Property' FROM"
                       " (SELECT id, row_number() OVER (ORDER BY id) AS n FROM cases_case) c JOIN"
                       " (SELECT id, row_number() OVER (ORDER BY id) AS n FROM cases_address) a USING (n)")
        for table in ("cases_case", "cases_person", "cases_address", "cases_caseperson", "cases_caseaddress"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _p95(client, repeat):
    times = []
    for query in QUERIES:
        for url, param in (("/api/cases/", "search"), ("/cases/", "q")):
            client.get(url, {param: query})  # warm-up
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(url, {param: query})
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
    times.sort()
    return times[int(len(times) * 0.95) - 1], statistics.median(times)


def search(cases, repeat=10):
    from django.test import Client

    from tests.factories import caseworker_user

    measured = {}
    for size in (REFERENCE, cases):
        clean()
        started = time.perf_counter()
        fill(size)
        filled = time.perf_counter() - started
        client = Client()
        client.force_login(caseworker_user())
        measured[size] = (*_p95(client, repeat), filled)
    clean()
    ref_p95, big_p95 = measured[REFERENCE][0], measured[cases][0]
    return {"cases": cases, "fill_seconds": round(measured[cases][2], 1), "p95_ms": round(big_p95, 1),
            "p50_ms": round(measured[cases][1], 1), "reference_cases": REFERENCE, "reference_p95_ms": round(ref_p95, 1),
            "ratio": round(big_p95 / ref_p95, 2)}
