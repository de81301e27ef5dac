"""Schemathesis hooks for the contract test (scripts/schemathesis.sh loads them via SCHEMATHESIS_HOOKS).

JSON Schema cannot state the rules that relate one field to another, and a cursor is only valid as
the server issued it. The OpenAPI descriptions state these rules; here a schema-valid (positive)
case is made to follow them before it is sent, so `positive_data_acceptance` holds the server to
everything the schema does promise. Negative cases are left as generated.
"""

import uuid

import schemathesis

MAX_AMOUNT = 1_000_000_000_000_00  # domain/money.ts MAX_AMOUNT
ISSUED_CURSORS: set[str] = set()


def _positive(case) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_positive


def _invoice_rules(body: dict) -> None:
    """dueDate >= issueDate; line and invoice totals within the largest amount; the plan sums to
    the total and is dated from issueDate to dueDate (POST /v1/invoices)."""
    issue, due = body.get("issueDate"), body.get("dueDate")
    if isinstance(issue, str) and isinstance(due, str) and due < issue:
        body["issueDate"], body["dueDate"] = due, issue
        issue, due = due, issue
    items = body.get("lineItems")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return
    try:
        total = sum(int(i["quantity"]) * int(i["unitAmount"]) for i in items)
    except (KeyError, TypeError, ValueError):
        return
    if total > MAX_AMOUNT:
        for item in items:
            item["quantity"] = 1
            item["unitAmount"] = max(1, min(int(item["unitAmount"]), MAX_AMOUNT // len(items)))
        total = sum(i["unitAmount"] for i in items)
    plan = body.get("paymentPlan")
    if isinstance(plan, list) and plan and all(isinstance(p, dict) for p in plan):
        plan[:] = plan[: max(1, min(len(plan), total))]
        share, rest = divmod(total, len(plan))
        for n, p in enumerate(plan):
            p["amount"] = share + (rest if n == len(plan) - 1 else 0)
            date = p.get("date")
            if isinstance(date, str) and isinstance(issue, str) and isinstance(due, str):
                p["date"] = min(max(date, issue), due)


def _allocation_rules(body: dict) -> None:
    """With allocations: no invoiceId, each invoice once, and they add up to at most the amount (POST /v1/payments)."""
    allocations = body.get("allocations")
    if not isinstance(allocations, list) or not all(isinstance(a, dict) for a in allocations):
        return
    if body.get("invoiceId") is not None:
        body["invoiceId"] = None
    seen: set = set()
    allocations[:] = [a for a in allocations if not (a.get("invoiceId") in seen or seen.add(a.get("invoiceId")))]
    try:
        total = sum(int(a["amount"]) for a in allocations)
    except (KeyError, TypeError, ValueError):
        return
    if total > MAX_AMOUNT:
        for a in allocations:
            a["amount"] = max(1, MAX_AMOUNT // len(allocations))
        total = sum(a["amount"] for a in allocations)
    if isinstance(body.get("amount"), int) and body["amount"] < total:
        body["amount"] = total


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers or {}
    for name in [h for h in headers if h.lower() == "idempotency-key"]:
        # A client's keys are unique per operation; a generated "0" would replay another request.
        if isinstance(headers[name], str) and 1 <= len(headers[name]) <= 255:
            headers[name] = str(uuid.uuid4())
    if not _positive(case):
        return
    query = case.query if isinstance(case.query, dict) else None
    if query is not None:
        if "cursor" in query and query["cursor"] not in ISSUED_CURSORS:
            del query["cursor"]
        if case.operation.path == "/v1/reminders":
            start, end = query.get("dateFrom"), query.get("dateTo")
            if isinstance(start, str) and isinstance(end, str) and start > end:
                query["dateFrom"], query["dateTo"] = end, start
    if case.operation.method.upper() == "POST" and case.operation.path == "/v1/invoices" and isinstance(case.body, dict):
        _invoice_rules(case.body)
    if case.operation.method.upper() == "POST" and case.operation.path == "/v1/payments" and isinstance(case.body, dict):
        _allocation_rules(case.body)
    if case.operation.path.startswith("/v1/webhook-endpoints") and isinstance(case.body, dict) and isinstance(case.body.get("url"), str):
        # A webhook URL's host must resolve to a public address: an IP literal needs no DNS, and this
        # one is TEST-NET-3 (RFC 5737), never routed, so the worker's deliveries reach nobody.
        case.body["url"] = "https://203.0.113.10/hooks"


@schemathesis.hook
def after_call(ctx, case, response):
    try:
        body = response.json()
    except Exception:
        return
    if isinstance(body, dict) and isinstance(body.get("nextCursor"), str):
        ISSUED_CURSORS.add(body["nextCursor"])
